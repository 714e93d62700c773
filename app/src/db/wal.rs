//! SQLite's write-ahead log during long jobs. A commit appends to the log; SQLite copies
//! the log back into the database file (a checkpoint) by itself, but it starts the log
//! over only at a moment when no reader is using it. With the list being read all the
//! time while a delete commits chunk after chunk, that moment never came and the log grew
//! to 8.9 GB for a 0.92 GB database. So a job keeps it small itself ([`LogKeeper`]):
//! once the log is past a size, a passive checkpoint copies it back beside the job's
//! chunks, and between two chunks after that the job has the log start over (waiting
//! briefly for the readers of older snapshots). Not after every chunk: that checkpoint
//! holds every other writer off while it waits and syncs, and most chunks leave a log
//! SQLite's own checkpoints keep at a few megabytes. During the job the log starts over
//! in the same file, which keeps its size (see [`restart`]); the job truncates it when
//! it ends. PostgreSQL recycles its own log and needs none of this.

use std::time::Duration;

use tokio::task::JoinHandle;

use super::{busy, Db, BUSY_TIMEOUT};
use crate::error::AppError;

/// What one checkpoint did: whether readers kept it from finishing, and the log's pages
/// before it and those copied back (SQLite's `PRAGMA wal_checkpoint` answer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Checkpoint {
    pub busy: i64,
    pub log: i64,
    pub checkpointed: i64,
}

/// The size of the database's log file now: 0 when there is none, and on PostgreSQL.
pub fn log_bytes(db: &Db) -> u64 {
    let Db::Sqlite(pool) = db else { return 0 };
    let mut log = pool.connect_options().get_filename().as_os_str().to_owned();
    log.push("-wal");
    std::fs::metadata(log).map_or(0, |m| m.len())
}

/// The size of what the log holds now, from the header SQLite keeps in shared memory
/// (the `-shm` file, whose layout is part of SQLite's documented file formats: page size
/// at byte 14, committed frames at byte 16, in the machine's byte order; see
/// <https://www.sqlite.org/walformat.html>): less than the file's size once the log has
/// started over in it ([`restart`]). 0 when there is no log, and on PostgreSQL.
pub fn logged_bytes(db: &Db) -> u64 {
    use std::os::unix::fs::FileExt;
    let Db::Sqlite(pool) = db else { return 0 };
    let mut shm = pool.connect_options().get_filename().as_os_str().to_owned();
    shm.push("-shm");
    let mut header = [0u8; 20];
    if std::fs::File::open(shm).and_then(|f| f.read_exact_at(&mut header, 0)).is_err() {
        return 0;
    }
    let page = match u16::from_ne_bytes([header[14], header[15]]) {
        1 => 65_536,
        size => u64::from(size),
    };
    let frames = u64::from(u32::from_ne_bytes([header[16], header[17], header[18], header[19]]));
    if frames == 0 {
        return 0;
    }
    // The log's own header, then each frame: its 24-byte header and a page.
    WAL_HEADER + frames * (WAL_FRAME_HEADER + page)
}

const WAL_HEADER: u64 = 32;
const WAL_FRAME_HEADER: u64 = 24;

/// How a checkpoint that waits for readers leaves the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ending {
    /// The next writer starts the log over at the start of the same file: no block of
    /// the file is given back to the file system and asked for again, which cost a
    /// million-contact delete 4-5 s of its 38 s.
    Restart,
    /// The file is cut to nothing.
    Truncate,
}

/// Copies the log into the database file and truncates it, waiting at most `wait` for
/// readers (and meanwhile holding off other writers: keep it short). If readers are
/// still there, the pages are copied all the same and the next call truncates.
/// The copy (and its syncs, the slow part) is done first by a passive checkpoint, which
/// lets other connections write meanwhile; the truncating one that follows holds them
/// off only to copy what they committed since, and to wait for readers.
/// `None` on PostgreSQL.
pub async fn truncate(db: &Db, wait: Duration) -> Result<Option<Checkpoint>, AppError> {
    checkpoint(db, wait, Ending::Truncate).await
}

/// As [`truncate`], but the next writer starts the log over in the same file, which
/// keeps its size: the file shrinks only at the commit that starts it over, down to that
/// connection's `journal_size_limit`.
pub async fn restart(db: &Db, wait: Duration) -> Result<Option<Checkpoint>, AppError> {
    checkpoint(db, wait, Ending::Restart).await
}

async fn checkpoint(db: &Db, wait: Duration, ending: Ending) -> Result<Option<Checkpoint>, AppError> {
    let Db::Sqlite(pool) = db else { return Ok(None) };
    let mut conn = pool.acquire().await?;
    busy::wait_at_most(&mut conn, wait).await?;
    let last = match ending {
        Ending::Restart => "PRAGMA wal_checkpoint(RESTART)",
        Ending::Truncate => "PRAGMA wal_checkpoint(TRUNCATE)",
    };
    let checkpoint = match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut *conn).await {
        Ok(_) => sqlx::query_as::<_, Checkpoint>(last).fetch_one(&mut *conn).await,
        Err(cause) => Err(cause),
    };
    // The connection goes back to the pool: with the pool's own patience.
    busy::wait_at_most(&mut conn, BUSY_TIMEOUT).await?;
    Ok(Some(checkpoint?))
}

/// Keeps a long job's log near a size. The copy back into the database file (with its
/// syncs, the slow part) runs beside the job's chunks on a connection of its own: a
/// 1,000,000-contact delete spent 26 of its 66 s waiting for those copies when it made
/// them between its chunks. The truncation that follows is the job's, between two
/// chunks, and copies only what the chunks wrote meanwhile.
pub struct LogKeeper {
    limit: u64,
    /// The copy running beside the job, if one is.
    copying: Option<JoinHandle<Result<(), AppError>>>,
    /// Whether the job has had the log start over in its file (see [`LogKeeper::finish`]).
    restarted: bool,
}

impl LogKeeper {
    /// Keeps the log near `limit` bytes.
    pub fn new(limit: u64) -> LogKeeper {
        LogKeeper { limit, copying: None, restarted: false }
    }

    /// Called between two chunks: starts a copy once the log holds more than the limit,
    /// and has the log start over once the copy is over (or waits for it to be, when the
    /// log reaches twice the limit first: the log stays under about twice the limit and a
    /// chunk). A checkpoint that failed is made again later.
    pub async fn between_chunks(&mut self, db: &Db, wait: Duration) -> Result<(), AppError> {
        let Some(copy) = self.copying.take() else {
            if logged_bytes(db) > self.limit {
                let db = db.clone();
                self.copying = Some(tokio::spawn(async move { copy_back(&db).await }));
            }
            return Ok(());
        };
        if !copy.is_finished() && logged_bytes(db) <= 2 * self.limit {
            self.copying = Some(copy);
            return Ok(());
        }
        let copied = copy.await.map_err(AppError::internal);
        self.restarted = true;
        restart(db, wait).await?;
        copied?
    }

    /// Called when the job ends: gives the log file's space back to the disk, if the log
    /// started over in it during the job.
    pub async fn finish(self, db: &Db, wait: Duration) -> Result<(), AppError> {
        if let Some(copy) = self.copying {
            copy.await.map_err(AppError::internal)??;
        }
        if self.restarted {
            truncate(db, wait).await?;
        }
        Ok(())
    }
}

/// A passive checkpoint: copies the log into the database file as far as readers allow,
/// holding off no writer.
async fn copy_back(db: &Db) -> Result<(), AppError> {
    let Db::Sqlite(pool) = db else { return Ok(()) };
    sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(pool).await?;
    Ok(())
}
