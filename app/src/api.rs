//! Server functions: the browser's only way in. Each resolves the caller's account on
//! the server and returns the app's one error type.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{ContactPage, ListQuery};

/// On the server: the database handle put in context by the server binary, and a
/// response status that matches the error (so bad input is a 4xx, never a 500).
#[cfg(feature = "ssr")]
pub mod context {
    use crate::db::Db;
    use crate::error::AppError;

    pub fn db() -> Result<Db, AppError> {
        leptos::prelude::use_context::<Db>().ok_or_else(|| AppError::internal("no database in context"))
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
#[server(input = Json)]
pub async fn list_contacts(query: ListQuery) -> Result<ContactPage, AppError> {
    use crate::db::{accounts, contacts};
    context::reply(async {
        let db = context::db()?;
        let account = accounts::current(&db).await?;
        contacts::list(&db, account, &query).await
    }
    .await)
}
