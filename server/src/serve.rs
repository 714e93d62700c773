//! The web server: the Leptos app (pages and server functions) on axum, behind the
//! session layer and the sign-in gate.

use std::net::SocketAddr;

use app::auth::{self, gate, SessionSettings};
use app::db::bulk_delete::ChunkSize;
use app::db::Db;
use app::error::AppError;
use app::{shell, App};
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// How the web app runs.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub sessions: SessionSettings,
    /// Contacts per transaction of bulk deletes (default: the engine's).
    pub delete_chunk: Option<ChunkSize>,
}

/// The whole app as one router: pages, server functions and static files.
pub async fn router(db: Db, options: LeptosOptions, settings: Settings) -> Result<Router, AppError> {
    let routes = generate_route_list(App);
    let auth_layer = auth::layer(&db, settings.sessions).await?;
    let export_route = axum::routing::post(crate::export::download).layer(axum::Extension(db.clone()));
    let context = move || {
        provide_context(db.clone());
        if let Some(chunk) = settings.delete_chunk {
            provide_context(chunk);
        }
    };
    Ok(Router::new()
        .route(crate::export::PATH, export_route)
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(context, shell))
        // Layers run outside-in from the last: trace, compress, session + user, gate.
        .layer(axum::middleware::from_fn(error_status))
        .layer(axum::middleware::from_fn(gate::require_session))
        .layer(auth_layer)
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(options))
}

/// Serves `router` on `listener` until the process is told to stop. Handlers can see
/// the client's address (for slowing down failed sign-ins).
pub async fn run(listener: tokio::net::TcpListener, router: Router) -> Result<(), AppError> {
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(AppError::internal)
}

pub async fn serve(db: Db, settings: Settings) -> Result<(), AppError> {
    let interrupted = app::db::bulk_delete::fail_interrupted(&db).await?;
    if interrupted > 0 {
        println!("{interrupted} bulk delete(s) were interrupted by the last stop; they are marked failed.");
    }
    let conf = get_configuration(None).map_err(AppError::internal)?;
    let options = conf.leptos_options;
    let addr = options.site_addr;
    let router = router(db, options, settings).await?;
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| AppError::internal(format!("cannot listen on {addr}: {e}")))?;
    println!("CRM is running: open http://{addr}/contacts");
    run(listener, router).await
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

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = ctrl_c => {},
        _ = term.recv() => {},
    }
}
