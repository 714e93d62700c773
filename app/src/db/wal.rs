//! SQLite's write-ahead log during long jobs. A commit appends to the log; SQLite copies
//! the log back into the database file (a checkpoint) by itself, but it starts the log
//! over only at a moment when no reader is using it. With the list being read all the
//! time while a delete commits chunk after chunk, that moment never came and the log grew
//! to 8.9 GB for a 0.92 GB database. So a job keeps it small itself ([`LogKeeper`]):
//! once the log is past a size, a passive checkpoint copies it back beside the job's
//! chunks, and between two chunks after that the job has the log start over (waiting
//! briefly for the readers of older snapshots). Not after every chunk: that checkpoint
//! holds every other writer off while it waits and syncs, and most chunks leave a log
//! SQLite's own checkpoints keep at a few megabytes. During a delete the log starts over
//! in the same file, which keeps its size (see [`restart`]); the job truncates it when
//! it ends. Outside such jobs each server copies the log back in the background once it
//! holds more than a few writes' worth ([`copy_back_past`]), so that no commit pays for
//! the copy. PostgreSQL recycles its own log and needs none of this.

use std::time::Duration;

use tokio::task::JoinHandle;

use super::{busy, Db, Pool, BUSY_TIMEOUT};
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
    let Pool::Sqlite(pool) = db.pool() else { return 0 };
    std::fs::metadata(log_path(pool)).map_or(0, |m| m.len())
}

/// The path of the database's log file.
fn log_path(pool: &sqlx::SqlitePool) -> std::ffi::OsString {
    let mut log = pool.connect_options().get_filename().as_os_str().to_owned();
    log.push("-wal");
    log
}

/// The size of what the log holds now: less than the file's size once the log has
/// started over in it ([`restart`]). Read from the log file itself, whose layout is part
/// of SQLite's documented file formats (<https://www.sqlite.org/walformat.html>): a
/// 32-byte header with the page size at byte 8 and two salts at bytes 16-23, then
/// frames of a 24-byte header (the same salts at bytes 8-15) and a page, all numbers
/// big-endian. Each start over changes the salts, so the frames written since are the
/// ones at the start of the file that carry the header's salts: found by halving.
/// Never from the `-shm` file: closing a descriptor of a file releases every lock the
/// process holds on it (POSIX), and SQLite locks the `-shm`; another process opening
/// the database then took itself for the first, reset the shared memory, and this
/// server died of a bus error. SQLite locks no byte of the log file.
/// 0 when there is no log, and on PostgreSQL.
pub fn logged_bytes(db: &Db) -> u64 {
    use std::os::unix::fs::FileExt;
    let Pool::Sqlite(pool) = db.pool() else { return 0 };
    let Ok(log) = std::fs::File::open(log_path(pool)) else { return 0 };
    let mut header = [0u8; WAL_HEADER as usize];
    if log.read_exact_at(&mut header, 0).is_err() {
        return 0;
    }
    let page = u64::from(u32::from_be_bytes([header[8], header[9], header[10], header[11]]));
    let frame = WAL_FRAME_HEADER + page;
    let in_file = log.metadata().map_or(0, |m| m.len()).saturating_sub(WAL_HEADER) / frame;
    let current = |n: u64| {
        let mut frame_header = [0u8; WAL_FRAME_HEADER as usize];
        log.read_exact_at(&mut frame_header, WAL_HEADER + n * frame).is_ok() && frame_header[8..16] == header[16..24]
    };
    // The first frame that does not carry the salts (frames 0..low do).
    let (mut low, mut high) = (0, in_file);
    while low < high {
        let middle = low + (high - low) / 2;
        if current(middle) {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    if low == 0 {
        0
    } else {
        WAL_HEADER + low * frame
    }
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
    let Pool::Sqlite(pool) = db.pool() else { return Ok(None) };
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

/// How much the log may hold before a server copies it back in the background (64 MB,
/// a quarter of what has a commit copy it back itself, `AUTOCHECKPOINT_PAGES`).
pub const COPY_BACK_PAST: u64 = 64 << 20;

/// Copies the log back into the database file, beside everyone's writes (a passive
/// checkpoint, on a connection of its own), if it holds more than `past` bytes, more
/// than `last` (what it held at the last copy: a log all copied waits for a writer to
/// start it over), and no job keeps it, on any server ([`LogKeeper`]; a job's is alive
/// while its lease is). Run by each server's job runner every so often: the
/// commit that takes the log past SQLite's own threshold otherwise copies it back
/// itself, and a user saving a contact then waited for 256 MB to be copied and synced
/// (the batches dropping a million deleted contacts from the search index: the longest
/// 346 ms with that, 57 ms with a copy beside them, in a replay on a copy of a
/// million-contact file). The next writer then starts the log over, once no reader is
/// still on it. Returns whether it copied.
pub async fn copy_back_past(db: &Db, past: u64, last: &mut u64) -> Result<bool, AppError> {
    let logged = logged_bytes(db);
    if logged <= past || logged == *last || super::jobs::any_running(db).await? {
        return Ok(false);
    }
    copy_back(db).await?;
    *last = logged;
    Ok(true)
}

/// Keeps a long job's log near a size. The copy back into the database file (with its
/// syncs, the slow part) runs beside the job's chunks on a connection of its own: a
/// 1,000,000-contact delete spent 26 of its 66 s waiting for those copies when it made
/// them between its chunks. The checkpoint that has the log start over follows, the
/// job's, between two chunks, and copies only what the chunks wrote meanwhile.
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
    /// started over in it during the job (even if the last copy failed). Readers still
    /// on the log leave the file as it is, with a warning; the next long job or SQLite's
    /// own checkpoints shrink it later.
    pub async fn finish(self, db: &Db, wait: Duration) -> Result<(), AppError> {
        let copied = match self.copying {
            Some(copy) => copy.await.map_err(AppError::internal).and_then(|copy| copy),
            None => Ok(()),
        };
        if self.restarted {
            if let Some(Checkpoint { busy: 1.., log, .. }) = truncate(db, wait).await? {
                tracing::warn!("the log ({log} pages) was not truncated after the job: readers were still on it");
            }
        }
        copied
    }
}

/// A passive checkpoint: copies the log into the database file as far as readers allow,
/// holding off no writer.
async fn copy_back(db: &Db) -> Result<(), AppError> {
    let Pool::Sqlite(pool) = db.pool() else { return Ok(()) };
    sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(pool).await?;
    Ok(())
}
