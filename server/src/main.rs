#![recursion_limit = "512"]
//! The server binary: `serve` (the default) runs the web app; the other commands are tools.

use clap::Parser;
use server::cli;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn,axum_login=warn,tower_sessions=warn".into()),
        )
        // The log is not the commands' output (a failed command's cause goes with its error).
        .with_writer(std::io::stderr)
        .init();
    let cli = cli::Cli::parse();
    match cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
