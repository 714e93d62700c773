//! How the server binary starts on a new database, on each engine: without `--demo` it
//! creates no account and no user (no published password works), and serves the
//! sign-in page only; with `--demo` the demo accounts and users are there.

#[path = "../../app/tests/common/mod.rs"]
mod common;
mod process;

use app::db::{accounts, users, Db};
use process::Server;
use reqwest::{Client, StatusCode};

fn browser() -> Client {
    Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn sign_in_as_demo_admin(server: &Server) -> StatusCode {
    let form = [("email", "admin@demo.test"), ("password", "demo-admin-pass")];
    let client = browser();
    let response = client.post(format!("{}/api/login", server.base)).header("origin", &server.base).form(&form);
    response.send().await.unwrap().status()
}

async fn starts(url: &str) {
    let db = Db::connect(url).await.unwrap();
    {
        let server = Server::start(url, &[]).await;
        assert_eq!(users::count(&db).await.unwrap(), 0, "no user is created");
        assert_eq!(accounts::by_name(&db, server::demo::DEMO_ACCOUNT).await.unwrap(), None);
        assert_eq!(sign_in_as_demo_admin(&server).await, StatusCode::UNAUTHORIZED, "no published password works");
        let anonymous = browser();
        for page in ["/contacts", "/team", "/bulk-actions"] {
            let response = anonymous.get(format!("{}{page}", server.base)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{page}");
            assert_eq!(response.headers()["location"], "/login");
        }
        let login = anonymous.get(format!("{}/login", server.base)).send().await.unwrap();
        assert_eq!(login.status(), StatusCode::OK);
    }
    // The first admin, from the command line; the same email again is a clear refusal.
    let add = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .args([
                "add-user",
                "--account",
                "Acme",
                "--email",
                "First@Acme.example",
                "--name",
                "First",
                "--role",
                "admin",
            ])
            .env("DATABASE_URL", url)
            .env("NEW_USER_PASSWORD", "a-long-enough-password")
            .output()
            .unwrap()
    };
    assert!(add().status.success());
    let again = add();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("A user with the email first@acme.example exists already."));
    assert_eq!(users::count(&db).await.unwrap(), 1);

    // The demo, only when asked for.
    let server = Server::start(url, &["--demo", "--demo-contacts", "20"]).await;
    assert_eq!(users::count(&db).await.unwrap(), 4);
    assert!(sign_in_as_demo_admin(&server).await.is_redirection() || sign_in_as_demo_admin(&server).await.is_success());
    db.close().await;
}

#[tokio::test]
async fn without_demo_a_new_database_has_no_users_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    starts(&format!("sqlite:{}", dir.path().join("start.db").display())).await;
}

#[tokio::test]
async fn without_demo_a_new_database_has_no_users_on_postgres() {
    starts(&common::postgres_url().await).await;
}
