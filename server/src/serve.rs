//! The web server: the Leptos app (pages and server functions) on axum, behind the
//! session layer and the sign-in gate.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::time::Duration;

use app::auth::origin::{same_origin_only, PublicOrigin};
use app::auth::{self, gate, SessionSettings};
use app::db::Db;
use app::error::AppError;
use app::jobs::{JobSettings, Runner};
use app::{shell, App};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio_util::sync::CancellationToken;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// How the web app runs.
#[derive(Clone, Debug)]
pub struct Settings {
    pub sessions: SessionSettings,
    /// Contacts per chunk of bulk deletes, leases of jobs.
    pub jobs: JobSettings,
    /// The app's origin as users reach it, if a proxy changes the `Host` the server sees.
    pub public_origin: PublicOrigin,
}

/// The largest request body accepted (413 above it): a selection of the most ids one
/// may name (10,000) takes about 120 KB.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// The whole app as one router: pages, server functions and static files. Its jobs
/// run on `runner`.
pub async fn router(db: Db, options: LeptosOptions, settings: Settings, runner: Runner) -> Result<Router, AppError> {
    let routes = generate_route_list(App);
    let auth_layer = auth::layer(&db, settings.sessions).await?;
    let export_route = axum::routing::post(crate::export::download).layer(axum::Extension(runner.clone()));
    let context = move || {
        provide_context(db.clone());
        provide_context(runner.clone());
    };
    Ok(Router::new()
        .route(crate::export::PATH, export_route)
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(context, shell))
        // Layers run outside-in from the last: trace, compress, security headers on every
        // answer, the body size limit (413), cross-site refusal, session + user, gate.
        .layer(axum::middleware::from_fn(error_status))
        .layer(axum::middleware::from_fn(gate::require_session))
        .layer(auth_layer)
        .layer(axum::middleware::from_fn_with_state(settings.public_origin.clone(), same_origin_only))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(options))
}

/// How long a stopping server waits for open requests and for its jobs to reach the
/// end of their current chunk.
const STOP_WITHIN: Duration = Duration::from_secs(5);

/// Serves `router` on `listener` until the process is told to stop (SIGTERM, Ctrl-C),
/// then stops `runner`: its jobs end their current chunk and are released, resumable
/// at once by another server. Handlers can see the client's address (for slowing
/// down failed sign-ins).
pub async fn run(listener: tokio::net::TcpListener, router: Router, runner: Runner) -> Result<(), AppError> {
    let stopping = CancellationToken::new();
    let server = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(stopping.clone().cancelled_owned());
    let mut server = std::pin::pin!(server.into_future());
    tokio::select! {
        served = &mut server => return served.map_err(AppError::internal),
        _ = shutdown_signal() => {}
    }
    println!("Stopping: running jobs end their current chunk and stay resumable.");
    stopping.cancel();
    runner.shutdown(STOP_WITHIN).await;
    // Open requests (a long export download) get a moment more; then the process ends.
    let _ = tokio::time::timeout(STOP_WITHIN, server).await;
    Ok(())
}

pub async fn serve(db: Db, settings: Settings) -> Result<(), AppError> {
    let conf = get_configuration(None).map_err(AppError::internal)?;
    let options = conf.leptos_options;
    let addr = options.site_addr;
    let runner = Runner::new(db.clone(), settings.jobs);
    let router = router(db, options, settings, runner.clone()).await?;
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| AppError::internal(format!("cannot listen on {addr}: {e}")))?;
    runner.start();
    println!("CRM is running: open http://{addr}/contacts (jobs run as worker {})", runner.worker());
    run(listener, router, runner).await
}

/// Server functions answer every error with status 500; this gives a response that
/// carries an [`AppError`] the status that error calls for (400 for bad input…).
async fn error_status(request: Request, next: Next) -> Response {
    let is_server_fn = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if !is_server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = ctrl_c => {},
        _ = term.recv() => {},
    }
}
