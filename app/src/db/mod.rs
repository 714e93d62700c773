//! Data access (server only). One small type, [`Db`], over the two concrete pools;
//! what differs between SQLite and PostgreSQL lives in [`dialect`].

pub mod accounts;
pub mod bin_contacts;
pub mod bulk_delete;
pub mod busy;
pub mod cascade;
pub mod chunk_connection;
pub mod contacts;
pub mod dialect;
pub mod export;
pub mod filter;
pub mod history;
pub mod jobs;
pub mod recycle_bin;
pub mod schema;
pub mod search;
pub mod search_cache;
pub mod seed;
pub mod selection;
pub mod smart_lists;
pub mod transaction;
pub mod users;
pub mod wal;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{FromRow, PgPool, SqlitePool};

pub use dialect::{Arg, Dialect, Sql};
pub use search_cache::SearchCache;
pub use transaction::Tx;

use crate::error::AppError;

/// Where the data lives when `DATABASE_URL` is not set: a file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite:crm.db";

/// How long a SQLite statement waits for another connection's lock before it fails.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The size SQLite cuts its write-ahead log back to after starting it over (64 MB): the
/// file does not keep the size of the longest burst of writes.
const JOURNAL_SIZE_LIMIT: u64 = 64 << 20;

/// The size of SQLite's log past which a long job copies it back (beside its chunks)
/// and then starts it over ([`wal::LogKeeper`], [`Dialect::log_limit`]; 128 MB). Each copy
/// writes back every page the chunks changed since the last one, once, and syncs: the
/// larger the limit, the fewer times the same index pages are written back (with the
/// copies between the chunks, a 1,000,000-contact delete spent 38 s in them at 64 MB,
/// 26 s at 128 MB, 18 s at 512 MB), but the longer a user saving a contact may wait for
/// the log to start over (saves' p95 180, 204 and 263 ms). With the copies beside the chunks,
/// 256 MB made the same delete 1.8 s shorter than 128 MB, for a log of 408 MB instead
/// of 250 MB and saves' p95 229 ms instead of 197 ms.
const JOB_LOG_LIMIT: u64 = 128 << 20;

/// The log pages (4 KB each) past which a commit also copies SQLite's log back into the
/// database file (256 MB; SQLite's default is 1,000 pages). Each copy syncs both files,
/// about 0.1 s on these machines: at 1,000 pages a bulk delete paid it in nearly every
/// chunk, and a user saving a contact right after a chunk paid it too. At twice the long
/// jobs' limit, a job copies the log back and has it start over itself before any commit
/// gets there.
const AUTOCHECKPOINT_PAGES: u64 = 2 * JOB_LOG_LIMIT / 4096;

/// SQLite's page cache per connection, in KiB (32 MB; SQLite's default is 2 MB). A
/// chunk of a bulk delete changes some 16 MB of index pages: with 2 MB the pages spill
/// into the log before the commit, and the next chunk reads them back (measured with the
/// sqlite3 shell on a million contacts: the contacts' part of a 1,000-contact chunk
/// 58 ms, 38 ms with this cache). A delete's chunks now run on a connection with a
/// larger cache of their own (`chunk_connection`); restores' and purges' run on these.
const CACHE_KIB: u64 = 32 << 10;

/// The database: a pool of connections to one engine, and what this server remembers
/// of it between requests (the recent searches' pages, [`SearchCache`]).
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
    searches: Arc<SearchCache>,
}

/// The concrete pool of one engine.
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool and `$engine` naming its
/// `sqlx::Database` type, once per engine: the same code, compiled for each.
#[macro_export]
macro_rules! on_pool {
    ($db:expr, |$pool:ident: $engine:ident| $body:expr) => {
        match $db.pool() {
            $crate::db::Pool::Sqlite($pool) => {
                #[allow(dead_code)]
                type $engine = sqlx::Sqlite;
                $body
            }
            $crate::db::Pool::Postgres($pool) => {
                #[allow(dead_code)]
                type $engine = sqlx::Postgres;
                $body
            }
        }
    };
}

impl Db {
    fn new(pool: Pool) -> Db {
        Db { pool, searches: Arc::default() }
    }

    /// The engine's pool.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// This database as a server that has just started sees it: the same pool, nothing
    /// remembered (for the benchmarks, which time a search found, not remembered).
    pub fn as_new_server(&self) -> Db {
        Db::new(self.pool.clone())
    }

    /// The recent searches' pages this server remembers for this database.
    pub fn searches(&self) -> &SearchCache {
        &self.searches
    }

    /// Opens `url` (`sqlite:path` or `postgres://…`). SQLite files are created if
    /// missing and run in WAL mode with foreign keys on and a busy timeout.
    pub async fn connect(url: &str) -> Result<Db, AppError> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| AppError::bad_request(format!("DATABASE_URL is not a valid SQLite URL: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(BUSY_TIMEOUT) // then polled more often: `busy`
                .pragma("journal_size_limit", JOURNAL_SIZE_LIMIT.to_string())
                .pragma("wal_autocheckpoint", AUTOCHECKPOINT_PAGES.to_string())
                .pragma("cache_size", format!("-{CACHE_KIB}"));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .after_connect(|conn, _| Box::pin(busy::wait_at_most(conn, BUSY_TIMEOUT)))
                .connect_with(options)
                .await?;
            Ok(Db::new(Pool::Sqlite(pool)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // Every statement is planned for its values. A prepared statement run five
            // times may otherwise get a plan made without them, the same for an account
            // of a hundred contacts and one of a million, and for any search: a search's
            // generic plan also scanned the id index for `id <= watermark` (7x the time),
            // and 100 users searching 100,000 contacts got 272 lists/s instead of 1,634.
            let options = PgConnectOptions::from_str(url)
                .map_err(|e| AppError::bad_request(format!("DATABASE_URL is not a valid PostgreSQL URL: {e}")))?
                .options([("plan_cache_mode", "force_custom_plan")]);
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Db::new(Pool::Postgres(pool)))
        } else {
            Err(AppError::bad_request(
                "DATABASE_URL must start with sqlite: or postgres:// (for example sqlite:crm.db)",
            ))
        }
    }

    /// Applies the engine's migrations (embedded at build time).
    pub async fn migrate(&self) -> Result<(), AppError> {
        match self.pool() {
            Pool::Sqlite(pool) => sqlx::migrate!("../migrations/sqlite").run(pool).await?,
            Pool::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    pub fn dialect(&self) -> Dialect {
        match self.pool() {
            Pool::Sqlite(_) => Dialect::Sqlite,
            Pool::Postgres(_) => Dialect::Postgres,
        }
    }

    /// A new statement written in this engine's dialect.
    pub fn sql(&self, text: &str) -> Sql {
        Sql::new(self.dialect(), text)
    }

    pub async fn fetch_all<T>(&self, sql: &Sql) -> Result<Vec<T>, AppError>
    where
        T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        Ok(on_pool!(self, |pool: E| sqlx::query_as_with::<E, T, _>(sql.text(), sql.arguments::<E>()?)
            .fetch_all(pool)
            .await?))
    }

    /// The single integer the statement selects (a count, an id, a max).
    pub async fn fetch_i64(&self, sql: &Sql) -> Result<i64, AppError> {
        Ok(on_pool!(self, |pool: E| sqlx::query_scalar_with::<E, i64, _>(sql.text(), sql.arguments::<E>()?)
            .fetch_one(pool)
            .await?))
    }

    /// Like [`Db::fetch_i64`], for a statement that may select no row or NULL.
    pub async fn fetch_opt_i64(&self, sql: &Sql) -> Result<Option<i64>, AppError> {
        Ok(on_pool!(self, |pool: E| sqlx::query_scalar_with::<E, Option<i64>, _>(sql.text(), sql.arguments::<E>()?)
            .fetch_optional(pool)
            .await?
            .flatten()))
    }

    /// Runs a statement; returns the number of rows it changed.
    pub async fn execute(&self, sql: &Sql) -> Result<u64, AppError> {
        Ok(on_pool!(self, |pool: E| sqlx::query_with::<E, _>(sql.text(), sql.arguments::<E>()?)
            .execute(pool)
            .await?
            .rows_affected()))
    }

    /// Runs the statements in order in one transaction: all of them take effect or none.
    /// Returns the rows each changed.
    pub async fn execute_in_transaction(&self, statements: &[Sql]) -> Result<Vec<u64>, AppError> {
        let mut tx = self.begin().await?;
        let mut changed = Vec::with_capacity(statements.len());
        for sql in statements {
            changed.push(tx.execute(sql).await?);
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Refreshes the planner's statistics after a bulk load. Without it PostgreSQL keeps
    /// planning for the empty tables it last analysed (nested loops over seq scans).
    /// SQLite reads every row too (a plain `ANALYZE`, 3-6 s for a million contacts and
    /// their 10.9 million related rows): `PRAGMA optimize` samples ~2,000 rows of each
    /// index, and where an index leads with the account, as every index of `contacts`
    /// does, it concluded at 100,000 contacts that 2,001 contacts share each email and
    /// each phone. The duplicates filter's "all but the oldest" then looked for an older
    /// copy through the created-at index, every older contact of the account once per
    /// contact: minutes instead of 0.2 s. Statistics are read when a connection opens;
    /// the pool renews its connections within 30 minutes. The statement reads before it
    /// writes, so it runs in a transaction that takes the write lock first (`Db::begin`),
    /// waiting its turn behind another writer instead of failing at once.
    ///
    /// The search index's own tables (FTS5's `contact_search_*`) keep no statistics: FTS5
    /// reads them with statements of its own, and where SQLite holds samples of a table
    /// (`sqlite_stat4`) it plans a statement again each time a value the plan depended
    /// on is bound. Every search then parsed and planned FTS5's look-ups again: 35% of
    /// the CPU of 100 users searching, most of it waiting for SQLite's memory mutex.
    pub async fn refresh_statistics(&self) -> Result<(), AppError> {
        match self.pool() {
            Pool::Sqlite(_) => {
                let mut tx = self.begin().await?;
                tx.execute(&self.sql("ANALYZE")).await?;
                for statement in SEARCH_INDEX_UNANALYZED {
                    tx.execute(&self.sql(statement)).await?;
                }
                tx.commit().await?;
            }
            Pool::Postgres(pool) => {
                sqlx::query("ANALYZE").execute(pool).await?;
            }
        }
        Ok(())
    }

    /// The ids the statement selects (its one column), in ascending order, fetched as one
    /// array (see [`Sql::as_id_list`]).
    pub async fn fetch_ids(&self, sql: &Sql) -> Result<Vec<i64>, AppError> {
        let list = self.fetch_all::<(String,)>(&sql.as_id_list()).await?;
        dialect::parse_id_list(list.first().map(|(json,)| json.as_str()))
    }

    pub async fn close(&self) {
        on_pool!(self, |pool: E| pool.close().await)
    }
}

/// Run after `ANALYZE` on SQLite: drops the statistics of the search index's tables
/// (see [`Db::refresh_statistics`]), then reloads the statistics on this connection
/// (`ANALYZE sqlite_schema`; other connections read them when they open).
const SEARCH_INDEX_UNANALYZED: [&str; 3] = [
    r"DELETE FROM sqlite_stat1 WHERE tbl LIKE 'contact\_search\_%' ESCAPE '\'",
    r"DELETE FROM sqlite_stat4 WHERE tbl LIKE 'contact\_search\_%' ESCAPE '\'",
    "ANALYZE sqlite_schema",
];

/// The current time as epoch seconds (the unit of every timestamp column).
pub fn now() -> i64 {
    crate::dates::now()
}
