//! The connection a bulk job's chunks run on.
//!
//! A delete's chunk removes every related row of its contacts before the contacts
//! themselves, in one transaction. On SQLite that transaction is the only writer, so no
//! row can come to point at those contacts meanwhile, and the foreign keys' checks of
//! the delete (for each contact, a look-up in each of the seven tables that point at
//! contacts; for each conversation, one in messages) can only find nothing. They took
//! 25 s of a 1,000,000-contact delete (47.5 s to 21.9 s for the contacts' statements).
//! So a delete's chunks run on a connection of their own, opened for the job with
//! those checks off (and a larger page cache) and never returned to the pool: every
//! other writer keeps them.
//! That nothing outside the cascade points at a contact is tested
//! (`every_table_pointing_at_a_contact_is_an_area`).
//! Restores and purges, and everything on PostgreSQL, run on pooled connections.

use sqlx::{Connection, SqliteConnection};

use super::transaction::SQLITE_BEGIN;
use super::{busy, Db, Pool, Tx, BUSY_TIMEOUT, JOB_LOG_LIMIT};
use crate::error::AppError;

/// The job's page cache, in KiB (128 MB; pooled connections have 32 MB): a chunk's
/// changed pages stay in memory until its commit (a chunk of 2,500 contacts changes some
/// 40 MB of index pages; with 32 MB they spilled into the log mid-transaction). The
/// 1,000,000-contact delete: 75.7 s with 32 MB, 70.6 s with 128 MB. Each running delete
/// may hold that much memory (the cache fills as its chunks read pages).
const CACHE_KIB: u64 = 128 << 10;

/// The size the job's connection cuts the log file back to when one of its commits starts
/// the log over (pooled connections: 64 MB): above the largest log the job lets through
/// (twice [`JOB_LOG_LIMIT`] and a chunk), so that the file keeps its size from one start
/// to the next (see `wal::restart`) and the job truncates it once, when it ends. Only a
/// delete has this connection: where a pooled connection's commit starts the log over (a
/// user's save that came first, or the chunks of a restore or purge), the file is cut
/// back to 64 MB as before.
const JOB_JOURNAL_SIZE_LIMIT: u64 = 4 * JOB_LOG_LIMIT;

/// Whether a job's writes need the foreign keys checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum References {
    /// Checked: the job inserts rows that point at live ones (a restore), or removes rows
    /// no chunk removed the children of first.
    Checked,
    /// The job removes related rows before their contacts, in each transaction (a
    /// delete; one into the Recycle Bin also copies the rows into bin tables, whose one
    /// reference, to the delete's own record, the chunk's first statement has just
    /// found).
    RemovedFirst,
}

pub enum ChunkConnection {
    /// Each chunk takes a connection from the pool.
    Pooled,
    /// A SQLite connection of the job's own, without foreign-key checks.
    Unchecked(Box<SqliteConnection>),
}

impl ChunkConnection {
    /// The connection for a job whose writes need `references`.
    pub async fn open(db: &Db, references: References) -> Result<ChunkConnection, AppError> {
        match (db.pool(), references) {
            (Pool::Sqlite(pool), References::RemovedFirst) => {
                let options = pool.connect_options().as_ref().clone().foreign_keys(false);
                let options = options
                    .pragma("cache_size", format!("-{CACHE_KIB}"))
                    .pragma("journal_size_limit", JOB_JOURNAL_SIZE_LIMIT.to_string());
                let mut conn = SqliteConnection::connect_with(&options).await?;
                busy::wait_at_most(&mut conn, BUSY_TIMEOUT).await?;
                Ok(ChunkConnection::Unchecked(Box::new(conn)))
            }
            (Pool::Sqlite(_) | Pool::Postgres(_), _) => Ok(ChunkConnection::Pooled),
        }
    }

    /// Begins a chunk's transaction.
    pub async fn begin<'c>(&'c mut self, db: &Db) -> Result<Tx<'c>, AppError> {
        match self {
            ChunkConnection::Pooled => db.begin().await,
            ChunkConnection::Unchecked(conn) => Ok(Tx::Sqlite(conn.begin_with(SQLITE_BEGIN).await?)),
        }
    }
}
