//! Server functions: the browser's only way in. Each one finds the signed-in user on
//! the server, acts inside that user's account, and returns the app's one error type.

mod contacts;
mod lists;
mod people;

pub use contacts::*;
pub use lists::*;
pub use people::*;

/// On the server: the database handle put in context by the server binary, the
/// signed-in user of the request, and a response status that matches the error (so
/// bad input is a 4xx, never a 500).
#[cfg(feature = "ssr")]
pub mod context {
    use crate::auth::Auth;
    use crate::db::users::User;
    use crate::db::Db;
    use crate::error::AppError;

    pub fn db() -> Result<Db, AppError> {
        leptos::prelude::use_context::<Db>().ok_or_else(|| AppError::internal("no database in context"))
    }

    /// The request's session (signed in or not).
    pub async fn auth() -> Result<Auth, AppError> {
        leptos_axum::extract::<Auth>().await.map_err(|e| AppError::internal(format!("no session layer: {e:?}")))
    }

    /// The database and the signed-in user: every query is scoped by the user's
    /// account, whatever the request carries. 401 without a valid session.
    pub async fn caller() -> Result<(Db, User), AppError> {
        let user = auth().await?.user.ok_or_else(AppError::signed_out)?;
        Ok((db()?, user))
    }

    /// The client's address, when the server was started to know it.
    pub async fn client_address() -> Option<std::net::IpAddr> {
        leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>().await.ok().map(|c| c.0.ip())
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
