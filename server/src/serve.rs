//! The web server: the Leptos app (pages and server functions) on axum.

use app::db::seed::{seed_account, seed_contacts, SeedOptions};
use app::db::{accounts, bulk_delete, Db};
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

fn demo_options(contacts: usize) -> SeedOptions {
    SeedOptions { account_name: "Demo Company".into(), contacts, seed: 2026 }
}

/// Creates the demo account in an empty database.
pub async fn ensure_demo(db: &Db, contacts: usize) -> Result<(), AppError> {
    if accounts::count(db).await? > 0 {
        return Ok(());
    }
    let report = seed_account(db, &demo_options(contacts)).await?;
    accounts::add_user(db, report.account_id, "admin@demo.test", "Ada Admin", "admin").await?;
    println!("Created the demo account with {} contacts.", report.contacts);
    Ok(())
}

/// Gives the demo account (the first account) a fresh set of generated contacts.
pub async fn reset_demo(db: &Db, contacts: usize) -> Result<(), AppError> {
    if accounts::count(db).await? == 0 {
        return ensure_demo(db, contacts).await;
    }
    let account = accounts::current(db).await?;
    let removed = bulk_delete::delete_all_of_account(db, account).await?;
    let report = seed_contacts(db, account, &demo_options(contacts)).await?;
    println!("Demo account reset: {removed} contacts removed, {} generated.", report.contacts);
    Ok(())
}

pub async fn serve(db: Db) -> Result<(), AppError> {
    let conf = get_configuration(None).map_err(AppError::internal)?;
    let options = conf.leptos_options;
    let addr = options.site_addr;
    let routes = generate_route_list(App);
    let app = Router::new()
        .leptos_routes_with_context(
            &options,
            routes,
            {
                let db = db.clone();
                move || provide_context(db.clone())
            },
            {
                let options = options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        .layer(axum::middleware::from_fn(error_status))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(options);
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| AppError::internal(format!("cannot listen on {addr}: {e}")))?;
    println!("CRM is running: open http://{addr}/contacts");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
        .map_err(AppError::internal)
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
