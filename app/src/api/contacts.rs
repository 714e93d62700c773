//! Server functions of the contacts list, the bulk delete and its history.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use super::context;
use crate::error::AppError;
use crate::model::{BulkActionRow, ContactPage, DeletePreview, DeleteReport, DeleteRequest, ListQuery, Selection};

/// One page of the account's contacts matching the search.
#[server(endpoint = "list_contacts", input = Json)]
pub async fn list_contacts(query: ListQuery) -> Result<ContactPage, AppError> {
    use crate::db::contacts;
    context::reply(async {
        let (db, user) = context::caller().await?;
        contacts::list(&db, user.account_id, &query).await
    }
    .await)
}

/// The latest bulk actions, newest first: the whole account's for an admin, a
/// user's own otherwise.
#[server(endpoint = "bulk_actions", input = Json)]
pub async fn list_bulk_actions() -> Result<Vec<BulkActionRow>, AppError> {
    use crate::db::history;
    context::reply(async {
        let (db, user) = context::caller().await?;
        history::list(&db, user.account_id, user.history_filter()).await
    }
    .await)
}

/// What deleting the selection would remove: contacts and rows per related area.
#[server(endpoint = "preview_delete", input = Json)]
pub async fn preview_delete(selection: Selection) -> Result<DeletePreview, AppError> {
    use crate::db::bulk_delete;
    context::reply(async {
        let (db, user) = context::caller().await?;
        user.require_bulk_delete()?;
        bulk_delete::preview(&db, user.account_id, &selection).await
    }
    .await)
}

/// Deletes the confirmed selection with all of its related rows.
#[server(endpoint = "delete_contacts", input = Json)]
pub async fn delete_contacts(request: DeleteRequest) -> Result<DeleteReport, AppError> {
    use crate::db::bulk_delete;
    context::reply(async {
        let (db, user) = context::caller().await?;
        user.require_bulk_delete()?;
        bulk_delete::delete(&db, user.account_id, Some(user.id), &request, db.dialect().delete_chunk_size()).await
    }
    .await)
}
