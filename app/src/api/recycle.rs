//! Server functions of the Recycle Bin: how long the account keeps deleted contacts,
//! restoring a bulk delete, and the Recycle Bin page.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use super::context;
use crate::error::AppError;
use crate::model::BulkActionRow;
use crate::recycle::{RestorePreview, RestoreRequest};
use crate::recycle_page::{BinAction, BinPage, BinPreview, BinRequest, BinSelection};

/// How many days the account keeps deleted contacts (0: deletes are permanent).
#[server(endpoint = "keep_deleted_days", input = Json)]
pub async fn keep_deleted_days() -> Result<i64, AppError> {
    use crate::db::accounts;
    context::as_caller(|db, user| async move { accounts::keep_deleted_days(&db, user.account_id).await }).await
}

/// Sets how many days the account keeps deleted contacts (admins only; 0 to 365).
/// Deletes accepted from then on follow it; contacts in the bin longer than that are
/// purged. 0 with contacts in the bin needs their number typed.
#[server(endpoint = "set_keep_deleted_days", input = Json)]
pub async fn set_keep_deleted_days(days: i64, typed_confirmation: Option<String>) -> Result<i64, AppError> {
    use crate::db::recycle_bin;
    context::as_caller(|db, user| async move {
        user.require_admin("change how long deleted contacts are kept")?;
        recycle_bin::change_keep_days(&db, user.account_id, days, typed_confirmation.as_deref()).await?;
        Ok(days)
    })
    .await
}

/// What restoring a delete would bring back, counted in the Recycle Bin now.
#[server(endpoint = "preview_restore", input = Json)]
pub async fn preview_restore(id: i64) -> Result<RestorePreview, AppError> {
    use crate::db::recycle_bin;
    context::as_caller(|db, user| async move {
        let scope = user.restore_scope()?;
        recycle_bin::preview(&db, user.account_id, scope, id).await
    })
    .await
}

/// Restores a delete from the Recycle Bin as a durable job (see
/// [`super::delete_contacts`]): finished if it took under a second, else running.
#[server(endpoint = "restore_bulk_action", input = Json)]
pub async fn restore_bulk_action(request: RestoreRequest) -> Result<BulkActionRow, AppError> {
    use crate::db::{history, recycle_bin};
    use crate::jobs::Runner;
    context::as_caller(|db, user| async move {
        let scope = user.restore_scope()?;
        let runner = use_context::<Runner>().ok_or_else(|| AppError::internal("no job runner in context"))?;
        let lease = runner.settings().lease;
        let accepted =
            recycle_bin::accept(&db, user.account_id, (Some(user.id), scope), &request, runner.worker(), lease).await?;
        let record = runner.start_briefly(accepted).await;
        history::get(&db, user.account_id, user.history_filter(), record).await
    })
    .await
}

/// One page (from 1) of the Recycle Bin, newest deletion first: the account's deleted
/// contacts for an admin, those a user deleted otherwise.
#[server(endpoint = "recycle_bin", input = Json)]
pub async fn list_bin(search: String, page: i64) -> Result<BinPage, AppError> {
    use crate::db::bin_contacts;
    context::as_caller(|db, user| async move {
        bin_contacts::page(&db, user.account_id, user.history_filter(), &search, page).await
    })
    .await
}

/// What restoring, or deleting for good, the chosen contacts of the bin would do.
#[server(endpoint = "preview_bin", input = Json)]
pub async fn preview_bin(action: BinAction, selection: BinSelection) -> Result<BinPreview, AppError> {
    use crate::db::bin_contacts;
    context::as_caller(|db, user| async move {
        let scope = user.restore_scope()?;
        bin_contacts::preview(&db, user.account_id, scope, action, &selection).await
    })
    .await
}

/// Restores, or deletes for good, the chosen contacts of the bin, as a durable job
/// (finished if it took under a second, else running).
#[server(endpoint = "act_on_bin", input = Json)]
pub async fn act_on_bin(request: BinRequest) -> Result<BulkActionRow, AppError> {
    use crate::db::{bin_contacts, history};
    use crate::jobs::Runner;
    context::as_caller(|db, user| async move {
        let scope = user.restore_scope()?;
        let runner = use_context::<Runner>().ok_or_else(|| AppError::internal("no job runner in context"))?;
        let lease = runner.settings().lease;
        let accepted =
            bin_contacts::accept(&db, user.account_id, (Some(user.id), scope), &request, runner.worker(), lease)
                .await?;
        let record = runner.start_briefly(accepted).await;
        history::get(&db, user.account_id, user.history_filter(), record).await
    })
    .await
}
