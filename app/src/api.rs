//! Server functions: the browser's only way in. Each resolves the caller's account on
//! the server and returns the app's one error type.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{BulkActionRow, ContactPage, DeletePreview, DeleteReport, DeleteRequest, ListQuery, Selection};

/// On the server: the database handle put in context by the server binary, and a
/// response status that matches the error (so bad input is a 4xx, never a 500).
#[cfg(feature = "ssr")]
pub mod context {
    use crate::db::Db;
    use crate::error::AppError;

    pub fn db() -> Result<Db, AppError> {
        leptos::prelude::use_context::<Db>().ok_or_else(|| AppError::internal("no database in context"))
    }

    /// The database and the caller's account: every query is scoped by it.
    pub async fn scope() -> Result<(Db, i64), AppError> {
        let db = db()?;
        let account = crate::db::accounts::current(&db).await?;
        Ok((db, account))
    }

    pub fn reply<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(e) = &result {
            if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                if let Ok(status) = axum::http::StatusCode::from_u16(e.status()) {
                    response.set_status(status);
                }
            }
        }
        result
    }
}

/// One page of the account's contacts matching the search.
#[server(endpoint = "list_contacts", input = Json)]
pub async fn list_contacts(query: ListQuery) -> Result<ContactPage, AppError> {
    use crate::db::contacts;
    context::reply(async {
        let (db, account) = context::scope().await?;
        contacts::list(&db, account, &query).await
    }
    .await)
}

/// The account's latest bulk actions, newest first.
#[server(endpoint = "bulk_actions", input = Json)]
pub async fn list_bulk_actions() -> Result<Vec<BulkActionRow>, AppError> {
    use crate::db::history;
    context::reply(async {
        let (db, account) = context::scope().await?;
        history::list(&db, account).await
    }
    .await)
}

/// What deleting the selection would remove: contacts and rows per related area.
#[server(endpoint = "preview_delete", input = Json)]
pub async fn preview_delete(selection: Selection) -> Result<DeletePreview, AppError> {
    use crate::db::bulk_delete;
    context::reply(async {
        let (db, account) = context::scope().await?;
        bulk_delete::preview(&db, account, &selection).await
    }
    .await)
}

/// Deletes the confirmed selection with all of its related rows.
#[server(endpoint = "delete_contacts", input = Json)]
pub async fn delete_contacts(request: DeleteRequest) -> Result<DeleteReport, AppError> {
    use crate::db::bulk_delete;
    context::reply(async {
        let (db, account) = context::scope().await?;
        bulk_delete::delete(&db, account, &request, db.dialect().delete_chunk_size()).await
    }
    .await)
}
