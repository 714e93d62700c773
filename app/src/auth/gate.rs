//! The gate in front of every page and server function: without a session, pages
//! redirect to the sign-in page and server functions answer 401.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use tower_sessions::Session;

use super::Auth;
use crate::error::AppError;

pub const SIGN_IN_PAGE: &str = "/login";
pub const SIGN_IN_CALL: &str = "/api/login";
/// Where a signed-in user lands.
pub const HOME: &str = "/contacts";

/// What anyone may fetch: the sign-in page and call, and the site's static files.
fn is_public(path: &str) -> bool {
    path == SIGN_IN_PAGE || path == SIGN_IN_CALL || path.starts_with("/pkg/") || path == "/favicon.svg"
}

pub async fn require_session(auth: Auth, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let signed_in = auth.user.is_some();
    if path == SIGN_IN_PAGE && signed_in {
        return Redirect::to(HOME).into_response();
    }
    if is_public(path) {
        return next.run(request).await;
    }
    if !signed_in {
        let error = AppError::signed_out();
        return if path.starts_with("/api/") {
            (axum::http::StatusCode::UNAUTHORIZED, Json(error)).into_response()
        } else {
            Redirect::to(SIGN_IN_PAGE).into_response()
        };
    }
    keep_alive(&auth.session).await;
    next.run(request).await
}

/// The session's inactivity clock restarts only when the session is saved, and it is
/// saved only when changed: so note the time, at most once a minute.
async fn keep_alive(session: &Session) {
    const KEY: &str = "seen_at";
    let now = crate::db::now();
    let seen: Option<i64> = session.get(KEY).await.ok().flatten();
    if seen.is_none_or(|at| now - at >= 60) {
        if let Err(e) = session.insert(KEY, now).await {
            tracing::warn!("could not refresh a session: {e}");
        }
    }
}
