//! Sessions in the app's database: one store over either engine's table (created by
//! the store itself at start-up), and the cookie that names a session.

use async_trait::async_trait;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{ExpiredDeletion, Result, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::db::{Db, Pool};
use crate::error::AppError;

/// The cookie's name.
pub const COOKIE: &str = "crm_session";

#[derive(Clone, Debug)]
pub enum Sessions {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// Runs the same call on whichever store this is.
macro_rules! on_store {
    ($sessions:expr, |$store:ident| $call:expr) => {
        match $sessions {
            Sessions::Sqlite($store) => $call,
            Sessions::Postgres($store) => $call,
        }
    };
}

impl Sessions {
    /// The store on `db`, its table created if missing.
    pub async fn open(db: &Db) -> std::result::Result<Sessions, AppError> {
        let sessions = match db.pool() {
            Pool::Sqlite(pool) => Sessions::Sqlite(SqliteStore::new(pool.clone())),
            Pool::Postgres(pool) => Sessions::Postgres(PostgresStore::new(pool.clone())),
        };
        on_store!(&sessions, |store| store.migrate().await)?;
        Ok(sessions)
    }

    /// The cookie layer: HttpOnly, SameSite=Lax, Secure when served over https, and
    /// the session ends after `idle` without a request.
    pub fn layer(self, secure: bool, idle: time::Duration) -> SessionManagerLayer<Sessions> {
        SessionManagerLayer::new(self)
            .with_name(COOKIE)
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(secure)
            .with_path("/")
            .with_expiry(Expiry::OnInactivity(idle))
    }

    /// Deletes expired sessions now and then, for as long as the server runs.
    pub fn spawn_cleanup(self, every: std::time::Duration) {
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            loop {
                ticks.tick().await;
                if let Err(e) = self.delete_expired().await {
                    tracing::warn!("deleting expired sessions failed: {e}");
                }
            }
        });
    }
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> Result<()> {
        on_store!(self, |store| store.create(record).await)
    }

    async fn save(&self, record: &Record) -> Result<()> {
        on_store!(self, |store| store.save(record).await)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        on_store!(self, |store| store.load(id).await)
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        on_store!(self, |store| store.delete(id).await)
    }
}

#[async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> Result<()> {
        on_store!(self, |store| store.delete_expired().await)
    }
}
