//! How a SQLite connection waits for the write lock another connection holds.
//!
//! SQLite's own waiting (`busy_timeout`) sleeps longer and longer between attempts: 1, 2,
//! 5, … 50 ms, then 100 ms each time. A bulk delete commits a chunk and starts the next
//! a few milliseconds later, so a user saving a contact, asleep for 100 ms, kept missing
//! those moments: with the delete's checkpoints out of its commits, saves waited 634 ms
//! at p95 and 2.35 s at worst on a million contacts (issue 12's goal: 250 ms). Here a
//! waiting connection tries again every millisecond, so it takes the lock at the first
//! moment the delete lets it go, and waits about one chunk.

use std::ffi::{c_int, c_void};
use std::time::Duration;

use sqlx::SqliteConnection;

/// The pause between two attempts at a lock.
const POLL: Duration = Duration::from_millis(1);

/// Called by SQLite while the lock is busy, with the number of earlier calls for this
/// wait; `patience` is not a pointer but the number of attempts to make (see
/// [`wait_at_most`]). Answers 0 to give up (the statement fails with "database is
/// locked"), anything else to try again.
extern "C" fn poll(patience: *mut c_void, attempts: c_int) -> c_int {
    if attempts as usize >= patience as usize {
        return 0;
    }
    std::thread::sleep(POLL);
    1
}

/// Makes `conn` wait for another connection's lock up to `timeout` (at least: the sleeps
/// may last longer than asked), trying every millisecond. Replaces the connection's
/// `busy_timeout`, and is replaced by a later `PRAGMA busy_timeout`.
pub async fn wait_at_most(conn: &mut SqliteConnection, timeout: Duration) -> Result<(), sqlx::Error> {
    let attempts = (timeout.as_micros() / POLL.as_micros()).max(1) as usize;
    let mut handle = conn.lock_handle().await?;
    // SAFETY: the handle is a live connection, held locked while SQLite records the
    // handler; the handler reads its argument as a number and never dereferences it.
    let status =
        unsafe { libsqlite3_sys::sqlite3_busy_handler(handle.as_raw_handle().as_ptr(), Some(poll), attempts as _) };
    if status != libsqlite3_sys::SQLITE_OK {
        return Err(sqlx::Error::Configuration(format!("sqlite3_busy_handler answered {status}").into()));
    }
    Ok(())
}
