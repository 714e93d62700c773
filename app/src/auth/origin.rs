//! Cross-site requests are refused. A browser sends the session cookie with a form or a
//! `text/plain` POST that another site makes it send (no preflight), so every
//! state-changing request must prove it comes from the app's own pages: its `Origin`
//! (else its `Referer`) must be the app's origin, the public URL the server was given or
//! else the `Host` the request was sent to. A request that names no origin at all is
//! refused too. Calls that take JSON also refuse any other body type. Refused requests
//! touch nothing. SameSite=Lax on the session cookie stays as a second layer.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::gate::SIGN_IN_CALL;
use crate::error::AppError;

/// The server functions posted as forms (the sign-in and sign-out forms work without
/// JavaScript); every other `/api/` call takes JSON.
const FORM_CALLS: [&str; 2] = [SIGN_IN_CALL, "/api/logout"];

/// The app's origin as users reach it ("https://crm.example.com"), when a proxy in front
/// of the server changes the `Host` it sees; `None`: the request's own `Host`.
#[derive(Clone, Debug, Default)]
pub struct PublicOrigin(pub Option<String>);

pub async fn same_origin_only(State(public): State<PublicOrigin>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let path = request.uri().path().to_string();
    if !from_own_origin(request.headers(), &public) {
        let error = AppError::Forbidden(
            "This request did not come from this app's own pages, so it was refused and nothing changed.".into(),
        );
        return refuse(&path, StatusCode::FORBIDDEN, error);
    }
    let json_call = path.starts_with("/api/") && !FORM_CALLS.contains(&path.as_str());
    if json_call && !is_json(request.headers()) {
        let error =
            AppError::bad_request("This call takes a JSON body (Content-Type: application/json); nothing changed.");
        return refuse(&path, StatusCode::UNSUPPORTED_MEDIA_TYPE, error);
    }
    next.run(request).await
}

/// Whether the request's `Origin` (or, without one, its `Referer`) is the app's origin.
fn from_own_origin(headers: &HeaderMap, public: &PublicOrigin) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let claimed = match text(header::ORIGIN).filter(|o| *o != "null") {
        Some(origin) => origin.to_string(),
        None => match text(header::REFERER).and_then(origin_of) {
            Some(origin) => origin,
            None => return false,
        },
    };
    match &public.0 {
        Some(own) => claimed.eq_ignore_ascii_case(own.trim_end_matches('/')),
        None => text(header::HOST).is_some_and(|host| authority_of(&claimed).eq_ignore_ascii_case(host)),
    }
}

/// "https://host:port" of a URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty()).then(|| format!("{scheme}://{authority}"))
}

/// "host:port" of an origin.
fn authority_of(origin: &str) -> &str {
    origin.split_once("://").map_or(origin, |(_, authority)| authority)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// The refusal: JSON for server functions, a sentence for forms and downloads.
fn refuse(path: &str, status: StatusCode, error: AppError) -> Response {
    if path.starts_with("/api/") {
        (status, Json(error)).into_response()
    } else {
        (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], error.to_string()).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn the_origin_must_be_the_apps_own() {
        let own = PublicOrigin(None);
        let host = (header::HOST, "crm.test:3000");
        assert!(from_own_origin(&headers(&[host.clone(), (header::ORIGIN, "http://crm.test:3000")]), &own));
        assert!(!from_own_origin(&headers(&[host.clone(), (header::ORIGIN, "http://evil.example")]), &own));
        assert!(!from_own_origin(&headers(&[host.clone(), (header::ORIGIN, "http://crm.test:3001")]), &own));
        assert!(!from_own_origin(&headers(&[host.clone(), (header::ORIGIN, "null")]), &own));
        assert!(!from_own_origin(&headers(std::slice::from_ref(&host)), &own), "no origin at all");
        // Without an Origin, the Referer's origin counts.
        assert!(from_own_origin(
            &headers(&[host.clone(), (header::REFERER, "http://crm.test:3000/contacts?q=a")]),
            &own
        ));
        assert!(!from_own_origin(
            &headers(&[host.clone(), (header::REFERER, "http://crm.test:3000.evil.example/")]),
            &own
        ));
        // Behind a proxy: the public URL, whatever Host the server sees.
        let public = PublicOrigin(Some("https://crm.example.com/".into()));
        let inside = (header::HOST, "10.0.0.5:3000");
        assert!(from_own_origin(&headers(&[inside.clone(), (header::ORIGIN, "https://crm.example.com")]), &public));
        assert!(!from_own_origin(&headers(&[inside, (header::ORIGIN, "http://crm.example.com")]), &public));
    }

    #[test]
    fn json_calls_need_a_json_body() {
        assert!(is_json(&headers(&[(header::CONTENT_TYPE, "application/json")])));
        assert!(is_json(&headers(&[(header::CONTENT_TYPE, "Application/JSON; charset=utf-8")])));
        assert!(!is_json(&headers(&[(header::CONTENT_TYPE, "text/plain")])));
        assert!(!is_json(&headers(&[])));
    }
}
