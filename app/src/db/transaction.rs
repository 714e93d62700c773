//! [`Tx`]: one transaction on either engine, for work that reads, decides and writes
//! inside it (accepting a bulk action, one chunk of a job), or that needs settings
//! scoped to it (`SET LOCAL`). Dropped without
//! [`Tx::commit`], it rolls back.

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, Postgres, Sqlite, Transaction};

use super::{Db, Pool, Sql};
use crate::error::AppError;

/// On a pooled connection (`Tx<'static>`, [`Db::begin`]) or on one borrowed for the
/// transaction (see [`super::chunk_connection`]).
pub enum Tx<'c> {
    Sqlite(Transaction<'c, Sqlite>),
    Postgres(Transaction<'c, Postgres>),
}

/// Runs `$body` with `$conn` bound to the transaction's connection and `$engine` naming
/// its `sqlx::Database` type.
macro_rules! on_tx {
    ($tx:expr, |$conn:ident: $engine:ident| $body:expr) => {
        match $tx {
            Tx::Sqlite(tx) => {
                #[allow(dead_code)]
                type $engine = Sqlite;
                let $conn = &mut **tx;
                $body
            }
            Tx::Postgres(tx) => {
                #[allow(dead_code)]
                type $engine = Postgres;
                let $conn = &mut **tx;
                $body
            }
        }
    };
}

/// How a SQLite transaction begins: every transaction here writes, and takes the write
/// lock at its start, waiting its turn (see [`super::busy`]). A deferred `BEGIN` takes it
/// at the first write, and a transaction that has read by then cannot wait: it fails at
/// once with "database is locked" if another connection wrote meanwhile. Writing first
/// is not enough: preparing an INSERT into `contacts` reads the configuration of the
/// search index its trigger writes to (FTS5), so the demo's reset, generating contacts
/// while a server dropped search rows, failed at its first batch.
pub(crate) const SQLITE_BEGIN: &str = "BEGIN IMMEDIATE";

impl Db {
    /// Begins a transaction (on SQLite holding the write lock from the start).
    pub async fn begin(&self) -> Result<Tx<'static>, AppError> {
        Ok(match self.pool() {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin_with(SQLITE_BEGIN).await?),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }
}

impl Tx<'_> {
    /// Runs a statement; returns the number of rows it changed.
    pub async fn execute(&mut self, sql: &Sql) -> Result<u64, AppError> {
        Ok(on_tx!(self, |conn: E| sqlx::query_with::<E, _>(sql.text(), sql.arguments::<E>()?)
            .execute(conn)
            .await?
            .rows_affected()))
    }

    pub async fn fetch_all<T>(&mut self, sql: &Sql) -> Result<Vec<T>, AppError>
    where
        T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        Ok(on_tx!(self, |conn: E| sqlx::query_as_with::<E, T, _>(sql.text(), sql.arguments::<E>()?)
            .fetch_all(conn)
            .await?))
    }

    /// The single integer the statement selects, if it selects a row.
    pub async fn fetch_opt_i64(&mut self, sql: &Sql) -> Result<Option<i64>, AppError> {
        Ok(on_tx!(self, |conn: E| sqlx::query_scalar_with::<E, Option<i64>, _>(sql.text(), sql.arguments::<E>()?)
            .fetch_optional(conn)
            .await?
            .flatten()))
    }

    /// The ids the statement selects (its one column), in ascending order (see
    /// [`Db::fetch_ids`]).
    pub async fn fetch_ids(&mut self, sql: &Sql) -> Result<Vec<i64>, AppError> {
        let list = self.fetch_all::<(String,)>(&sql.as_id_list()).await?;
        super::dialect::parse_id_list(list.first().map(|(json,)| json.as_str()))
    }

    pub async fn commit(self) -> Result<(), AppError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}
