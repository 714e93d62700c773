//! The one error type of the app: server functions, queries and the CLI all return it.
//! The browser sees a sentence meant for a person; the cause of an internal error stays
//! in the server log.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The request itself is wrong (a malformed cursor, an overlong search…). Nothing changed.
    #[error("{0}")]
    BadRequest(String),
    /// No valid session: the caller must sign in (again).
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in, but not allowed to do this.
    #[error("{0}")]
    Forbidden(String),
    /// Too many failed sign-ins: the message says when to try again.
    #[error("{0}")]
    TooManyRequests(String),
    /// What was asked for does not exist (or is not the caller's to see).
    #[error("{0}")]
    NotFound(String),
    /// The data changed under the request (for example the selection no longer holds
    /// the number of contacts the user confirmed). Nothing changed; look and try again.
    #[error("{0}")]
    Conflict(String),
    /// A long operation stopped part-way; the message says what was done.
    #[error("{0}")]
    Incomplete(String),
    /// Our fault: the cause was logged on the server.
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Internal,
    /// The browser could not reach the server, or could not read its answer.
    #[error("Could not reach the server ({0}). Check your connection and try again.")]
    Transport(String),
}

impl AppError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::BadRequest(message.into())
    }

    /// The HTTP status a response carrying this error should have.
    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest(_) => 400,
            AppError::Unauthorized(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::TooManyRequests(_) => 429,
            AppError::Conflict(_) => 409,
            AppError::Incomplete(_) => 500,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    /// The answer to any request without a valid session.
    pub fn signed_out() -> Self {
        AppError::Unauthorized("You are not signed in (or your session has expired). Please sign in again.".into())
    }

    /// Logs `cause` on the server and returns the opaque internal error.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        #[cfg(feature = "ssr")]
        tracing::error!("internal error: {cause}");
        #[cfg(not(feature = "ssr"))]
        let _ = cause.to_string();
        AppError::Internal
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => {
                AppError::BadRequest(format!("The request was malformed: {m}"))
            }
            // On the server, what failed to deserialize is the request's arguments.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(m) => AppError::BadRequest(format!("The request was malformed: {m}")),
            // In the browser, it is the server's answer.
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Deserialization(m) => AppError::Transport(m),
            ServerFnErrorErr::Request(m) => AppError::Transport(m),
            other => AppError::internal(other),
        }
    }
}

/// A unique constraint refused the write (two requests saved one name at the same
/// moment): a conflict for the user, not our fault. Any other database error is internal,
/// its cause logged.
#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(refusal) if refusal.is_unique_violation() => {
                tracing::info!("unique violation: {refusal}");
                AppError::Conflict("That is taken already; nothing was changed.".into())
            }
            _ => AppError::internal(format!("database: {e}")),
        }
    }
}

/// Says what a conflict was about, where the caller knows (see `From<sqlx::Error>`).
pub trait OnConflict<T> {
    fn on_conflict(self, message: impl FnOnce() -> String) -> Result<T, AppError>;
}

impl<T> OnConflict<T> for Result<T, AppError> {
    fn on_conflict(self, message: impl FnOnce() -> String) -> Result<T, AppError> {
        self.map_err(|e| match e {
            AppError::Conflict(_) => AppError::Conflict(message()),
            other => other,
        })
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::migrate::MigrateError> for AppError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        AppError::internal(format!("migration: {e}"))
    }
}
