//! Server functions of the contacts list, the bulk delete and its history.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use super::context;
use crate::error::AppError;
use crate::model::{BulkActionRow, ContactPage, DeletePreview, DeleteRequest, ListQuery, Selection};

/// One page of the account's contacts matching the search.
#[server(endpoint = "list_contacts", input = Json)]
pub async fn list_contacts(query: ListQuery) -> Result<ContactPage, AppError> {
    use crate::db::contacts;
    context::as_caller(|db, user| async move { contacts::list(&db, user.account_id, &query).await }).await
}

/// The latest bulk actions, newest first: the whole account's for an admin, a
/// user's own otherwise.
#[server(endpoint = "bulk_actions", input = Json)]
pub async fn list_bulk_actions() -> Result<Vec<BulkActionRow>, AppError> {
    use crate::db::history;
    context::as_caller(|db, user| async move { history::list(&db, user.account_id, user.history_filter()).await }).await
}

/// What deleting the selection would remove: contacts and rows per related area.
#[server(endpoint = "preview_delete", input = Json)]
pub async fn preview_delete(selection: Selection) -> Result<DeletePreview, AppError> {
    use crate::db::bulk_delete;
    context::as_caller(|db, user| async move {
        user.require_bulk_delete()?;
        bulk_delete::preview(&db, user.account_id, &selection).await
    })
    .await
}

/// Accepts the confirmed selection for deletion, with all of its related rows, as a
/// durable job (written down before this answers), and answers with its record:
/// finished if it took under a second, else running (follow it with [`bulk_action`],
/// stop it with [`stop_bulk_action`]). If this server stops, another one (or this
/// one, restarted) finishes the job.
#[server(endpoint = "delete_contacts", input = Json)]
pub async fn delete_contacts(request: DeleteRequest) -> Result<BulkActionRow, AppError> {
    use crate::db::bulk_delete;
    use crate::db::history;
    use crate::jobs::Runner;
    context::as_caller(|db, user| async move {
        user.require_bulk_delete()?;
        let runner = use_context::<Runner>().ok_or_else(|| AppError::internal("no job runner in context"))?;
        let lease = runner.settings().lease;
        let accepted =
            bulk_delete::accept(&db, user.account_id, Some(user.id), &request, runner.worker(), lease).await?;
        let record = runner.start_briefly(accepted).await;
        history::get(&db, user.account_id, user.history_filter(), record).await
    })
    .await
}

/// The caller's own delete that is still running, if there is one: the contacts page
/// shows its progress again after a reload (or after the server that ran it stopped).
#[server(endpoint = "running_delete", input = Json)]
pub async fn running_delete() -> Result<Option<BulkActionRow>, AppError> {
    use crate::bulk_action::Action;
    use crate::db::history;
    context::as_caller(|db, user| async move {
        let mine = history::list(&db, user.account_id, Some(user.id)).await?;
        Ok(mine.into_iter().find(|row| row.is_running() && row.action == Action::Delete))
    })
    .await
}

/// One bulk action of the history (404 if it is not the caller's to see).
#[server(endpoint = "bulk_action", input = Json)]
pub async fn bulk_action(id: i64) -> Result<BulkActionRow, AppError> {
    use crate::db::history;
    context::as_caller(|db, user| async move { history::get(&db, user.account_id, user.history_filter(), id).await })
        .await
}

/// Asks a running bulk delete to stop before its next chunk: the contacts deleted so
/// far stay deleted (each with all its records), the others are not touched.
#[server(endpoint = "stop_bulk_action", input = Json)]
pub async fn stop_bulk_action(id: i64) -> Result<BulkActionRow, AppError> {
    use crate::db::{bulk_delete, history};
    context::as_caller(|db, user| async move {
        bulk_delete::cancel(&db, user.account_id, user.history_filter(), id).await?;
        history::get(&db, user.account_id, None, id).await
    })
    .await
}

/// Checks a selection before its export starts (the download itself is a plain form
/// post, whose errors would replace the page): how many contacts it holds, or why not.
#[server(endpoint = "check_export", input = Json)]
pub async fn check_export(selection: Selection) -> Result<i64, AppError> {
    use crate::db::selection;
    context::as_caller(|db, user| async move {
        selection::validate(&db, user.account_id, &selection).await?;
        selection::count(&db, user.account_id, &selection).await
    })
    .await
}
