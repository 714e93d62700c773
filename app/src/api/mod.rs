//! Server functions: the browser's only way in. Each one finds the signed-in user on
//! the server, acts inside that user's account, and returns the app's one error type.

mod contacts;
mod lists;
mod people;
mod recycle;

pub use contacts::*;
pub use lists::*;
pub use people::*;
pub use recycle::*;

/// On the server: the database handle put in context by the server binary, the
/// signed-in user of the request, and a response status that matches the error (so
/// bad input is a 4xx, never a 500).
#[cfg(feature = "ssr")]
pub mod context {
    use std::future::Future;

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

    /// Sets the response status that matches an error (bad input is a 4xx, never a 500).
    pub fn set_status(error: &AppError) {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = axum::http::StatusCode::from_u16(error.status()) {
                response.set_status(status);
            }
        }
    }

    /// A server function's answer: the result of its work, with the response status
    /// set from its error.
    pub async fn answer<T>(work: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
        let result = work.await;
        if let Err(e) = &result {
            set_status(e);
        }
        result
    }

    /// [`answer`] for work done as the signed-in user (401 without a session), in the
    /// user's account: `work` gets the database and the user.
    pub async fn as_caller<T, Work, Done>(work: Work) -> Result<T, AppError>
    where
        Work: FnOnce(Db, User) -> Done,
        Done: Future<Output = Result<T, AppError>>,
    {
        answer(async {
            let (db, user) = caller().await?;
            work(db, user).await
        })
        .await
    }
}
