//! The job runner of a server process: one per process, in the app state. It runs the
//! delete and restore jobs this server accepted and the Recycle Bin's purges that fall
//! due, renews the leases of every job it holds, and
//! looks for jobs whose worker stopped renewing theirs (a crashed or killed server) to
//! take them over. All it knows is in the database: a restart, or another server on the
//! same database, picks up exactly where this one left off.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::db::bulk_delete::{self, Accepted, RunEnd, RunSettings};
use crate::db::{jobs, recycle_bin, search, wal, Db, Dialect};

/// Deleted contacts dropped from the search index per transaction, and the pause between
/// two such transactions (a user saving a contact waits at most for one).
pub const SEARCH_BATCH: usize = 500;
const SEARCH_PAUSE: Duration = Duration::from_millis(20);
/// How often a runner looks at SQLite's log, to copy it back in the background
/// ([`wal::copy_back_past`]).
const LOG_LOOK: Duration = Duration::from_millis(100);

/// How the runner paces itself.
#[derive(Clone, Copy, Debug)]
pub struct JobSettings {
    /// How long a lease lasts without renewal: the longest a job waits for another
    /// worker after its own died.
    pub lease: Duration,
    /// How often this runner renews its leases and looks for abandoned jobs.
    pub tick: Duration,
    /// Contacts per chunk of a delete (`None`: the engine's).
    pub chunk: Option<usize>,
    /// The size of SQLite's log past which the runner copies it back in the background
    /// ([`wal::copy_back_past`]).
    pub copy_log_past: u64,
}

impl Default for JobSettings {
    /// Taken over within 20 seconds of a crash: a 15-second lease, looked at every 5.
    fn default() -> Self {
        JobSettings {
            lease: Duration::from_secs(15),
            tick: Duration::from_secs(5),
            chunk: None,
            copy_log_past: wal::COPY_BACK_PAST,
        }
    }
}

/// The runner; cheap to clone (all clones are the one runner).
#[derive(Clone)]
pub struct Runner {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    worker: String,
    settings: JobSettings,
    tasks: TaskTracker,
    shutdown: CancellationToken,
    wake: Notify,
}

impl Runner {
    /// A runner for this process with a worker id of its own (host, process, random).
    pub fn new(db: Db, settings: JobSettings) -> Runner {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
        let worker = format!("{host}-{}-{:08x}", std::process::id(), rand::random::<u32>());
        Runner {
            inner: Arc::new(Inner {
                db,
                worker,
                settings,
                tasks: TaskTracker::new(),
                shutdown: CancellationToken::new(),
                wake: Notify::new(),
            }),
        }
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn worker(&self) -> &str {
        &self.inner.worker
    }

    pub fn settings(&self) -> JobSettings {
        self.inner.settings
    }

    /// Starts the background loops: lease renewal and take-overs, every tick; the
    /// search index's clean-up after deletes; and on SQLite, the log's copy back.
    pub fn start(&self) {
        let runner = self.clone();
        self.inner.tasks.spawn(async move { runner.supervise().await });
        let runner = self.clone();
        self.inner.tasks.spawn(async move { runner.tidy_search().await });
        let (db, past) = (self.inner.db.clone(), self.inner.settings.copy_log_past);
        let shutdown = self.inner.shutdown.clone();
        self.inner.tasks.spawn(async move { keep_log_copied(&db, past, &shutdown).await });
    }

    /// Drops the search index's rows of deleted contacts (SQLite; see
    /// [`search::forget_deleted`]) a batch at a time, with a pause between batches for
    /// other writers; then looks again every tick. A loop of its own: a long clean-up
    /// must not hold up the renewal of leases.
    async fn tidy_search(&self) {
        let inner = &self.inner;
        loop {
            let pause = match search::forget_deleted(&inner.db, SEARCH_BATCH).await {
                Ok(0) => inner.settings.tick,
                Ok(_) => SEARCH_PAUSE,
                Err(e) => {
                    tracing::warn!("dropping deleted contacts from the search index: {e:?}");
                    inner.settings.tick
                }
            };
            tokio::select! {
                _ = inner.shutdown.cancelled() => return,
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }

    async fn supervise(&self) {
        let inner = &self.inner;
        loop {
            let lease_ms = inner.settings.lease.as_millis() as i64;
            if let Err(e) = jobs::renew_all(&inner.db, &inner.worker, lease_ms).await {
                tracing::warn!("renewing job leases: {e:?}");
            }
            if let Err(e) = jobs::fail_abandoned_exports(&inner.db).await {
                tracing::warn!("closing abandoned exports: {e:?}");
            }
            match recycle_bin::start_due_purges(&inner.db, crate::db::now(), &inner.worker, inner.settings.lease).await
            {
                Ok(purges) => purges.into_iter().for_each(|job| drop(self.run(job))),
                Err(e) => tracing::warn!("looking for contacts due to leave the Recycle Bin: {e:?}"),
            }
            while !inner.shutdown.is_cancelled() {
                match self.take_over().await {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => {
                        tracing::warn!("looking for abandoned jobs: {e:?}");
                        break;
                    }
                }
            }
            tokio::select! {
                _ = inner.shutdown.cancelled() => return,
                _ = inner.wake.notified() => {}
                _ = tokio::time::sleep(inner.settings.tick) => {}
            }
        }
    }

    /// Takes over one abandoned job, if there is one, and runs it. Returns whether it
    /// found one.
    pub async fn take_over(&self) -> Result<bool, crate::error::AppError> {
        let lease_ms = self.inner.settings.lease.as_millis() as i64;
        let Some(claimed) = jobs::claim_abandoned(&self.inner.db, &self.inner.worker, lease_ms).await? else {
            return Ok(false);
        };
        tracing::info!("taking over bulk action {} (its worker stopped)", claimed.id);
        self.run(claimed.id);
        Ok(true)
    }

    /// Runs delete or restore job `id`, which this runner's worker holds, in the background.
    pub fn run(&self, id: i64) -> JoinHandle<Option<RunEnd>> {
        let runner = self.clone();
        self.inner.tasks.spawn(async move {
            let inner = &runner.inner;
            let chunk = bulk_delete::ChunkSize::for_db(inner.settings.chunk.map(bulk_delete::ChunkSize), &inner.db);
            let settings = RunSettings::for_db(&inner.db, chunk, inner.settings.lease);
            match bulk_delete::run(&inner.db, id, &inner.worker, settings, &inner.shutdown).await {
                Ok(end) => Some(end),
                Err(e) => {
                    // The database is out of reach: the lease runs out and a worker
                    // (this one, at its next tick) takes the job over.
                    tracing::error!("bulk action {id}: {e:?}; it will be taken over when its lease runs out");
                    None
                }
            }
        })
    }

    /// Runs a job just accepted and waits for it up to a second (a small one is done by
    /// then); a repeated request's job runs already. Returns the job's record.
    pub async fn start_briefly(&self, accepted: Accepted) -> i64 {
        match accepted {
            Accepted::Earlier(record) => record,
            Accepted::New(record) => {
                let _ = tokio::time::timeout(Duration::from_secs(1), self.run(record)).await;
                record
            }
        }
    }

    /// Looks for abandoned jobs now rather than at the next tick.
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Stops: running jobs finish their current chunk and are released (resumable at
    /// once by any worker); waits for them at most `within`.
    pub async fn shutdown(&self, within: Duration) {
        self.inner.shutdown.cancel();
        self.inner.tasks.close();
        if tokio::time::timeout(within, self.inner.tasks.wait()).await.is_err() {
            tracing::warn!(
                "jobs still running after {within:?}; their leases will run out and another worker resumes them"
            );
        }
    }
}

/// Copies SQLite's log back whenever it holds more than `past` bytes, until `shutdown`
/// (at once on PostgreSQL, which has no such log). Also run by the benchmark, beside
/// what it measures.
pub async fn keep_log_copied(db: &Db, past: u64, shutdown: &CancellationToken) {
    if db.dialect() != Dialect::Sqlite {
        return;
    }
    let mut last = 0;
    loop {
        if let Err(e) = wal::copy_back_past(db, past, &mut last).await {
            tracing::warn!("copying the log back into the database: {e:?}");
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(LOG_LOOK) => {}
        }
    }
}
