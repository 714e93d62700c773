//! Bulk delete: the impact preview, the acceptance of a confirmed delete as a durable
//! job, and the job's chunks, all reading the one cascade declaration.
//!
//! Accepting writes the job down in one transaction: its record (which claims the
//! request key), and the exact contacts to delete (`bulk_action_targets`), once they are
//! checked against what the user confirmed. Each chunk is then one short transaction
//! that (1) renews the job's lease, going no further if the worker lost it or someone
//! pressed Stop, (2) removes the chunk's rows in every area, then the contacts,
//! (3) crosses the chunk off the targets and records the progress. So a crash anywhere
//! leaves every contact whole or fully gone, and the targets left are exactly the work
//! left.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt, TryStreamExt};
use tokio_util::sync::CancellationToken;

use super::cascade::{Link, Store, AREAS};
use super::chunk_connection::{ChunkConnection, References};
use super::jobs::{self, now_ms};
use super::recycle_bin::{self, Columns};
use super::{history, now, selection, wal, Db, Sql, Tx};
use crate::bulk_action::{
    self, check_request_key, needs_typed_confirmation, typed_number_matches, Action, Ending, Status,
};
use crate::error::AppError;
use crate::model::{AreaCount, DeletePreview, DeleteReport, DeleteRequest, Selection};

/// How long a repeated request waits for the first one to finish.
const TWIN_WAIT: Duration = Duration::from_secs(120);
/// Ids per statement when the targets of a job are written down.
const TARGETS_PER_INSERT: usize = 50_000;
/// Attempts at a chunk that fails (a lost connection, a busy database) before the job
/// is marked failed.
const CHUNK_ATTEMPTS: u32 = 3;
/// How long the checkpoint between two chunks waits for readers of older snapshots (it
/// holds off other writers meanwhile).
const CHECKPOINT_WAIT: Duration = Duration::from_millis(100);

/// What the changed-row count of one statement of a chunk tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tally {
    /// Nothing (a lock, a copy into the bin).
    Nothing,
    /// The rows of `table` (or the contacts, when `table` is "contacts") the job did:
    /// deleted, or restored.
    Done(&'static str),
    /// The rows of `table` a restore took out of the bin: those it did not bring back
    /// were left out.
    Taken(&'static str),
}

/// A chunk's statements, in order, each with what its count tells.
pub type Plan = Vec<(Sql, Tally)>;

const CONTACTS: &str = "contacts";

/// Contacts and rows per area done so far (deleted or restored), and rows a restore
/// left out.
#[derive(Clone, Debug, Default, PartialEq)]
struct Totals {
    contacts: i64,
    rows: BTreeMap<String, i64>,
    left_out: BTreeMap<String, i64>,
}

impl Totals {
    /// Adds one chunk's changed-row counts, told apart by the tallies of its plan.
    fn add_chunk(&mut self, tallies: impl Iterator<Item = Tally>, changed: &[u64]) {
        let mut taken = BTreeMap::new();
        let mut done = BTreeMap::new();
        for (tally, rows) in tallies.zip(changed.iter().map(|&n| n as i64)) {
            match tally {
                Tally::Nothing => {}
                Tally::Done(table) => *done.entry(table).or_insert(0) += rows,
                Tally::Taken(table) => *taken.entry(table).or_insert(0) += rows,
            }
        }
        for (table, rows) in taken {
            let left = rows - done.get(table).copied().unwrap_or(0);
            if left > 0 {
                *self.left_out.entry(table.to_string()).or_default() += left;
            }
        }
        for (table, rows) in done {
            match table {
                CONTACTS => self.contacts += rows,
                area => *self.rows.entry(area.to_string()).or_default() += rows,
            }
        }
    }

    fn report(&self) -> DeleteReport {
        DeleteReport { contacts: self.contacts, areas: area_counts(|table| self.rows.get(table).copied().unwrap_or(0)) }
    }

    fn rows_json(&self) -> String {
        serde_json::to_string(&self.rows).expect("counts serialize")
    }

    fn left_out_json(&self) -> String {
        serde_json::to_string(&self.left_out).expect("counts serialize")
    }
}

pub(crate) fn area_counts(rows: impl Fn(&str) -> i64) -> Vec<AreaCount> {
    AREAS
        .iter()
        .map(|a| AreaCount { area: a.table.into(), label: a.label.into(), one: a.one.into(), rows: rows(a.table) })
        .collect()
}

fn account_total_sql(db: &Db, account_id: i64) -> Sql {
    let mut all = db.sql("SELECT COUNT(*) FROM contacts WHERE account_id = ");
    all.bind(account_id);
    all
}

fn selected_ids_sql(db: &Db, account_id: i64, selection: &Selection) -> Sql {
    let mut sql = db.sql("");
    selection::push_ids(&mut sql, account_id, selection);
    sql.push(" ORDER BY id");
    sql
}

/// What deleting the selection would remove, counted on the data as it is now, and
/// the fingerprint of exactly those contacts. Relative filters are fixed at this
/// moment (unless the selection already is): the answer says which, for the delete to
/// mean the same.
pub async fn preview(db: &Db, account_id: i64, asked: &Selection) -> Result<DeletePreview, AppError> {
    let selection = asked.clone().pinned_at(now());
    let as_of = match &selection {
        Selection::All { as_of: Some(moment), .. } => *moment,
        Selection::Ids { .. } | Selection::All { .. } => now(),
    };
    selection::validate(db, account_id, &selection).await?;
    // The ids, the account's total and the counts are independent reads: on
    // connections of their own they run at once, on as many cores as there are.
    let (ids_sql, total_sql) = (selected_ids_sql(db, account_id, &selection), account_total_sql(db, account_id));
    let (ids, total, counts, keep_days) = futures::try_join!(
        db.fetch_ids(&ids_sql),
        db.fetch_i64(&total_sql),
        count_areas(db, account_id, &selection, preview_parallelism()),
        super::accounts::keep_deleted_days(db, account_id),
    )?;
    let contacts = ids.len() as i64;
    let whole_account = contacts > 0 && contacts == total;
    Ok(DeletePreview {
        digest: bulk_action::digest(&ids),
        selection: asked.clone(),
        as_of,
        contacts,
        areas: area_counts(|table| counts.get(table).copied().unwrap_or(0)),
        whole_account,
        needs_typed_confirmation: needs_typed_confirmation(contacts, whole_account),
        keep_days,
    })
}

/// How many counts of a preview run at once: one per core, since each is a read that
/// keeps a core busy (at least 2, so that the ids and the counts overlap).
pub fn preview_parallelism() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8)
}

/// Rows per area that deleting the selection would remove, counted on the data as it is
/// now, `parallel` areas at a time (each on a connection of its own); all in one
/// statement for a selection costly to find.
pub async fn count_areas(
    db: &Db,
    account_id: i64,
    selection: &Selection,
    parallel: usize,
) -> Result<BTreeMap<&'static str, i64>, AppError> {
    if selection.is_costly_to_find() {
        return count_areas_together(db, account_id, selection).await;
    }
    let counts = AREAS.iter().map(|area| {
        let mut sql = db.sql("");
        area.push_count_of(&mut sql, |s| selection::push_ids(s, account_id, selection));
        (area.table, sql)
    });
    let settings = if selection.is_unfiltered() { db.dialect().unfiltered_count_settings() } else { &[] };
    count_at_once(db, counts, settings, parallel).await
}

/// Rows per area of the selection's contacts, counted by one statement that finds those
/// contacts once (a materialized `WITH`), instead of once per area: the preview of the
/// "extra copies" filter on 1,000,000 contacts took 12.1 s with a count per area.
async fn count_areas_together(
    db: &Db,
    account_id: i64,
    selection: &Selection,
) -> Result<BTreeMap<&'static str, i64>, AppError> {
    let mut sql = db.sql("WITH chosen AS MATERIALIZED (");
    selection::push_ids(&mut sql, account_id, selection);
    sql.push(") ");
    // One row per area: (its position in AREAS, its count).
    for (i, area) in AREAS.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push("SELECT ").bind(i as i64).push(" AS area, (");
        area.push_count_of(&mut sql, |s| {
            s.push("SELECT id FROM chosen");
        });
        sql.push(") AS n");
    }
    let rows: Vec<(i64, i64)> = db.fetch_all(&sql).await?;
    rows.into_iter().map(|(i, n)| Ok((AREAS.get(i as usize).ok_or(AppError::Internal)?.table, n))).collect()
}

/// Runs the `counts` (each a table and its `SELECT COUNT(*)`), `parallel` at a time,
/// each on a connection of its own, with `settings` (each a `SET LOCAL`) in its
/// transaction.
pub(crate) async fn count_at_once(
    db: &Db,
    counts: impl Iterator<Item = (&'static str, Sql)>,
    settings: &[&str],
    parallel: usize,
) -> Result<BTreeMap<&'static str, i64>, AppError> {
    let count = |sql: Sql| async move {
        if settings.is_empty() {
            return db.fetch_i64(&sql).await;
        }
        // The transaction only scopes the settings: dropped, it rolls back, and they end.
        let mut tx = db.begin().await?;
        for setting in settings {
            tx.execute(&db.sql(setting)).await?;
        }
        tx.fetch_opt_i64(&sql).await?.ok_or(AppError::Internal)
    };
    let counts: Vec<BoxFuture<'_, Result<(&'static str, i64), AppError>>> = counts
        // Boxed: a stream of futures made by a closure trips the compiler's check that
        // server functions' futures are Send (rust-lang/rust#102211).
        .map(|(table, sql)| {
            let count = count(sql);
            async move { Ok((table, count.await?)) }.boxed()
        })
        .collect();
    futures::stream::iter(counts).buffer_unordered(parallel.max(1)).try_collect().await
}

/// Contacts per transaction of the web app's deletes, when the server is told a size
/// (`--delete-chunk`); otherwise the engine's [`super::Dialect::delete_chunk_size`].
#[derive(Clone, Copy, Debug)]
pub struct ChunkSize(pub usize);

impl ChunkSize {
    pub fn for_db(setting: Option<ChunkSize>, db: &Db) -> usize {
        setting.map_or_else(|| db.dialect().delete_chunk_size(), |c| c.0.max(1))
    }
}

/// How a delete request was taken up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accepted {
    /// A request with the same key came first: this is its record.
    Earlier(i64),
    /// A new job, held by the accepting worker.
    New(i64),
}

/// Takes a confirmed delete up as a job held by `worker`, without deleting anything yet.
///
/// In order: a repeat of a request already made names the first one; the selection is
/// checked; then, in one transaction, the request key is claimed (the record), the
/// selection is resolved once, to ids, which must be exactly the contacts the preview
/// counted (same number, same fingerprint) and, for large deletes, the typed number;
/// those ids are written down as the job's targets. A refusal rolls all of it back.
/// `user_id` is who asked (none from the command line).
pub async fn accept(
    db: &Db,
    account_id: i64,
    user_id: Option<i64>,
    request: &DeleteRequest,
    worker: &str,
    lease: Duration,
) -> Result<Accepted, AppError> {
    check_request_key(&request.request_key)?;
    if let Some(id) = find_record(db, account_id, &request.request_key).await? {
        return Ok(Accepted::Earlier(id));
    }
    selection::validate(db, account_id, &request.selection).await?;
    let to_bin = super::accounts::keep_deleted_days(db, account_id).await? > 0;
    let (selection, description) = history::recorded(&request.selection)?;
    let started = history::Started {
        account_id,
        user_id,
        key: &request.request_key,
        action: Action::Delete,
        selection,
        description,
        contacts: request.confirmed_count,
        worker,
        lease_until_ms: now_ms() + lease.as_millis() as i64,
        to_bin,
        bin_of: None,
    };
    // On SQLite the transaction holds the write lock from its start (`Db::begin`): the
    // ids read next are the ones the targets will hold.
    let mut tx = db.begin().await?;
    let Some(record) = tx.fetch_opt_i64(&history::start_statement(db, &started)).await? else {
        drop(tx);
        return twin(db, account_id, &request.request_key).await;
    };
    let ids = confirmed_ids(db, &mut tx, account_id, request).await?;
    for part in ids.chunks(TARGETS_PER_INSERT) {
        tx.execute(&targets_statement(db, record, |s| {
            s.push_select_ids(part);
        }))
        .await?;
    }
    tx.commit().await?;
    Ok(Accepted::New(record))
}

/// The statement that writes down as the targets of job `record` the contacts that
/// `ids` appends a query of (a column `id`).
pub(crate) fn targets_statement(db: &Db, record: i64, ids: impl FnOnce(&mut Sql)) -> Sql {
    let mut sql = db.sql("INSERT INTO bulk_action_targets (bulk_action_id, contact_id) SELECT ");
    sql.bind(record).push(", id FROM (");
    ids(&mut sql);
    sql.push(") targets");
    sql
}

/// The ids the selection means now, inside the accepting transaction, if they are what
/// the user confirmed.
async fn confirmed_ids(
    db: &Db,
    tx: &mut Tx<'_>,
    account_id: i64,
    request: &DeleteRequest,
) -> Result<Vec<i64>, AppError> {
    let ids = tx.fetch_ids(&selected_ids_sql(db, account_id, &request.selection)).await?;
    let contacts = ids.len() as i64;
    if contacts == 0 || contacts != request.confirmed_count || bulk_action::digest(&ids) != request.digest {
        return Err(bulk_action::refusal(contacts, request.confirmed_count));
    }
    let whole_account = Some(contacts) == tx.fetch_opt_i64(&account_total_sql(db, account_id)).await?;
    if needs_typed_confirmation(contacts, whole_account)
        && !request.typed_confirmation.as_deref().is_some_and(|t| typed_number_matches(t, contacts))
    {
        return Err(AppError::bad_request(format!("Type {contacts} to confirm this delete.")));
    }
    Ok(ids)
}

/// How a worker's run of a delete job ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunEnd {
    /// Finished (done, stopped by a person, or failed), and recorded so.
    Ended(Ending),
    /// Let go unfinished because the worker was told to stop (server shutdown): it is
    /// resumable at once by any worker.
    Released,
    /// Another worker holds it now (this one's lease ran out): that worker goes on.
    Lost,
}

/// How a delete job runs: contacts per chunk (at most), how long each renewal of its
/// lease lasts, how long a chunk should take (see [`next_chunk_size`]; `None`: every
/// chunk has `chunk` contacts) and the size of SQLite's log past which the job has it
/// start over between two chunks (see [`wal`]; `None`: never).
#[derive(Clone, Copy, Debug)]
pub struct RunSettings {
    pub chunk: usize,
    pub lease: Duration,
    pub budget: Option<Duration>,
    pub log_limit: Option<u64>,
}

impl RunSettings {
    /// Chunks of at most `chunk` contacts, each sized to the engine's time budget, and
    /// the engine's log limit.
    pub fn for_db(db: &Db, chunk: usize, lease: Duration) -> RunSettings {
        let dialect = db.dialect();
        RunSettings { chunk, lease, budget: dialect.chunk_time_budget(), log_limit: dialect.log_limit() }
    }
}

/// The fewest contacts a chunk sized by time holds.
const MIN_CHUNK: usize = 100;

/// The size of the chunk after one of `current` contacts that took `took`: scaled so
/// that a chunk takes about `budget` (on SQLite, the time every other writer waits),
/// at most twice the last one (one quick chunk must not make the next one long), between
/// [`MIN_CHUNK`] and `max`.
pub fn next_chunk_size(current: usize, took: Duration, budget: Duration, max: usize) -> usize {
    let scaled = current as f64 * budget.as_secs_f64() / took.as_secs_f64().max(1e-6);
    (scaled.min(current as f64 * 2.0) as usize).clamp(MIN_CHUNK.min(max), max.max(1))
}

#[derive(sqlx::FromRow)]
struct JobRow {
    account_id: i64,
    #[sqlx(try_from = "String")]
    action: Action,
    to_bin: bool,
    bin_of: Option<i64>,
    contacts_requested: i64,
    contacts_done: i64,
    rows_done: String,
    left_out: String,
}

/// What each chunk of a job does to its contacts.
#[derive(Clone, Copy, Debug)]
enum Work {
    /// Deletes them, for good or (`to_bin`) into the Recycle Bin.
    Delete { to_bin: bool },
    /// Brings back what delete `from` (any delete, for `None`) put in the bin.
    Restore { from: Option<i64> },
    /// Removes for good what delete `from` (any delete, for `None`) put in the bin.
    Purge { from: Option<i64> },
}

impl Work {
    fn references(self) -> References {
        match self {
            Work::Delete { .. } => References::RemovedFirst,
            Work::Restore { .. } | Work::Purge { .. } => References::Checked,
        }
    }
}

impl JobRow {
    fn work(&self) -> Result<Work, AppError> {
        match (self.action, self.bin_of) {
            (Action::Delete, _) => Ok(Work::Delete { to_bin: self.to_bin }),
            (Action::Restore, from) => Ok(Work::Restore { from }),
            (Action::Purge, from) => Ok(Work::Purge { from }),
            (action, _) => Err(AppError::internal(format!("{action:?} is not a job of contacts"))),
        }
    }
}

/// Runs the delete or restore job `id`, which `worker` holds, chunk by chunk until no
/// target is left, a person stops it, `shutdown` is cancelled (the job is released
/// between two chunks) or another worker took it over.
pub async fn run(
    db: &Db,
    id: i64,
    worker: &str,
    settings: RunSettings,
    shutdown: &CancellationToken,
) -> Result<RunEnd, AppError> {
    let mut log = settings.log_limit.map(wal::LogKeeper::new);
    let end = run_chunks(db, (id, worker), settings, shutdown, &mut log).await;
    if let Some(keeper) = log {
        // Only disk space: the job's outcome stands either way.
        if let Err(cause) = keeper.finish(db, CHECKPOINT_WAIT).await {
            tracing::warn!("bulk action {id}: truncating the log after the job: {cause:?}");
        }
    }
    end
}

/// [`run`]'s chunks, with `log` kept between them.
async fn run_chunks(
    db: &Db,
    (id, worker): (i64, &str),
    settings: RunSettings,
    shutdown: &CancellationToken,
    log: &mut Option<wal::LogKeeper>,
) -> Result<RunEnd, AppError> {
    let mut sql = db.sql(
        "SELECT account_id, action, to_bin, bin_of, contacts_requested, contacts_done, rows_done, left_out \
         FROM bulk_actions WHERE id = ",
    );
    sql.bind(id);
    let job: JobRow =
        db.fetch_all(&sql).await?.pop().ok_or_else(|| AppError::internal(format!("no bulk action {id}")))?;
    let work = job.work()?;
    let columns = match work {
        Work::Delete { to_bin: false } | Work::Purge { .. } => Columns::default(),
        Work::Delete { to_bin: true } | Work::Restore { .. } => Columns::load(db).await?,
    };
    if matches!(work, Work::Restore { .. } | Work::Purge { .. }) {
        // Only a help to the planner: the job goes on without it.
        if let Err(e) = recycle_bin::refresh_statistics(db, job.contacts_requested - job.contacts_done).await {
            tracing::warn!("bulk action {id}: refreshing the Recycle Bin's statistics: {e:?}");
        }
    }
    let rows = serde_json::from_str(&job.rows_done).map_err(AppError::internal)?;
    let left_out = serde_json::from_str(&job.left_out).map_err(AppError::internal)?;
    let mut totals = Totals { contacts: job.contacts_done, rows, left_out };
    // Opened at the first chunk, and again after a chunk that failed (it may have broken).
    let mut conn: Option<ChunkConnection> = None;
    let mut failures = 0;
    let mut size = settings.chunk.max(1);
    loop {
        if shutdown.is_cancelled() {
            jobs::release(db, id, worker).await?;
            return Ok(RunEnd::Released);
        }
        let mut next = db.sql("SELECT contact_id FROM bulk_action_targets WHERE bulk_action_id = ");
        next.bind(id).push(" ORDER BY contact_id LIMIT ").bind(size as i64);
        let chunk = db.fetch_ids(&next).await;
        let started = std::time::Instant::now();
        let step = match chunk {
            Ok(ids) if ids.is_empty() => return end(db, id, worker, Ending::Done).await,
            Ok(ids) => {
                let plan = match work {
                    Work::Delete { to_bin } => {
                        chunk_statements(db, job.account_id, &ids, to_bin.then_some((id, &columns)))
                    }
                    Work::Restore { from } => recycle_bin::restore_statements(db, &columns, from, &ids),
                    Work::Purge { from } => recycle_bin::purge_statements(db, from, &ids),
                };
                let opened = match conn.take() {
                    Some(open) => Ok(open),
                    None => ChunkConnection::open(db, work.references()).await,
                };
                match opened {
                    Ok(open) => {
                        let open = conn.insert(open);
                        run_chunk(db, open, (id, worker), settings.lease, &plan, &ids, &totals).await
                    }
                    Err(cause) => Err(cause),
                }
            }
            Err(e) => Err(e),
        };
        match step {
            Ok(Some(after)) => {
                totals = after;
                failures = 0;
                if let Some(budget) = settings.budget {
                    size = next_chunk_size(size, started.elapsed(), budget, settings.chunk);
                }
                // Keeps SQLite's log from growing chunk after chunk (see `wal`).
                if let Some(keeper) = log.as_mut() {
                    if let Err(cause) = keeper.between_chunks(db, CHECKPOINT_WAIT).await {
                        tracing::warn!("bulk delete {id}: checkpoint failed: {cause:?}");
                    }
                }
            }
            Ok(None) => {
                // The lease renewal changed nothing: stopped by a person, or taken over.
                let holder = jobs::holder(db, id).await?;
                if holder.worker.as_deref() != Some(worker) || holder.status != Status::Running {
                    return Ok(RunEnd::Lost);
                }
                return end(db, id, worker, Ending::Cancelled).await;
            }
            Err(cause) => {
                conn = None;
                failures += 1;
                tracing::warn!("bulk delete {id}: chunk failed (attempt {failures} of {CHUNK_ATTEMPTS}): {cause:?}");
                if failures >= CHUNK_ATTEMPTS {
                    tracing::error!("bulk delete {id} failed: {cause:?}");
                    return end(db, id, worker, Ending::Failed).await;
                }
                tokio::time::sleep(Duration::from_millis(100 * u64::from(failures))).await;
            }
        }
    }
}

async fn end(db: &Db, id: i64, worker: &str, ending: Ending) -> Result<RunEnd, AppError> {
    Ok(if jobs::finish(db, id, worker, ending.status()).await? { RunEnd::Ended(ending) } else { RunEnd::Lost })
}

/// One chunk in one transaction: the lease renewal (the fence), the plan's statements
/// (the chunk's rows and contacts), the targets `ids` crossed off, the progress. `None`
/// if the fence stopped it.
async fn run_chunk(
    db: &Db,
    conn: &mut ChunkConnection,
    (id, worker): (i64, &str),
    lease: Duration,
    plan: &Plan,
    ids: &[i64],
    totals: &Totals,
) -> Result<Option<Totals>, AppError> {
    let mut tx = conn.begin(db).await?;
    if tx.execute(&jobs::renew_unless_stopped(db, id, worker, lease.as_millis() as i64)).await? == 0 {
        return Ok(None);
    }
    let mut changed = Vec::with_capacity(plan.len());
    for (sql, _) in plan {
        changed.push(tx.execute(sql).await?);
    }
    let mut after = totals.clone();
    after.add_chunk(plan.iter().map(|(_, tally)| *tally), &changed);
    let mut done = db.sql("DELETE FROM bulk_action_targets WHERE bulk_action_id = ");
    done.bind(id).push(" AND ").push_in_ids("contact_id", ids);
    tx.execute(&done).await?;
    let mut progress = db.sql("UPDATE bulk_actions SET contacts_done = ");
    progress.bind(after.contacts).push(", rows_done = ").bind(after.rows_json());
    progress.push(", left_out = ").bind(after.left_out_json()).push(" WHERE id = ").bind(id);
    tx.execute(&progress).await?;
    tx.commit().await?;
    Ok(Some(after))
}

/// Deletes the selection, permanently, with every related row, here and now: accepts
/// it as a job held by a worker of its own and runs it to the end (or answers with the
/// outcome of the earlier request with the same key). For the command line, the
/// benchmark and tests; the web app runs its jobs on the server's job runner.
pub async fn delete(
    db: &Db,
    account_id: i64,
    user_id: Option<i64>,
    request: &DeleteRequest,
    chunk_size: usize,
) -> Result<DeleteReport, AppError> {
    let worker = format!("inline-{}-{:x}", std::process::id(), rand::random::<u64>());
    let settings = RunSettings::for_db(db, chunk_size, Duration::from_secs(60));
    match accept(db, account_id, user_id, request, &worker, settings.lease).await? {
        Accepted::Earlier(record) => wait_for(db, record).await,
        Accepted::New(record) => {
            run(db, record, &worker, settings, &CancellationToken::new()).await?;
            outcome(db, record).await?.unwrap_or(Err(AppError::Internal))
        }
    }
}

/// Asks a running delete to stop before its next chunk, whichever server runs it.
/// Another account's (or, with `only_user`, another user's) bulk action is "not
/// found"; a finished one, a conflict.
pub async fn cancel(db: &Db, account_id: i64, only_user: Option<i64>, record: i64) -> Result<(), AppError> {
    super::history::get(db, account_id, only_user, record).await?;
    let mut sql = db.sql("UPDATE bulk_actions SET cancel_requested = ");
    sql.bind(true).push(" WHERE id = ").bind(record).push(" AND account_id = ").bind(account_id);
    sql.push(" AND status = ").bind(Status::Running.as_str());
    if db.execute(&sql).await? == 0 {
        return Err(AppError::Conflict("This bulk action has already finished.".into()));
    }
    Ok(())
}

/// The statements of a delete's chunk. On engines that lock rows, the chunk's contacts
/// and the parent rows of `Via` areas are locked first, in id order (no deadlock between
/// two deletes), so that no related row can be added to them until the chunk commits.
/// Then every area's rows go, children before parents, then the contacts themselves;
/// with `bin` (the delete's id and the tables' columns), each set of rows is first
/// copied into the Recycle Bin, tagged with the delete.
fn chunk_statements(db: &Db, account_id: i64, ids: &[i64], bin: Option<(i64, &Columns)>) -> Plan {
    let mut plan = Plan::with_capacity(2 * AREAS.len() + 4);
    if let Some(lock) = db.dialect().row_lock_clause() {
        let mut contacts = db.sql("SELECT id FROM contacts WHERE ");
        contacts.push_in_ids("id", ids).push(" ORDER BY id").push(lock);
        plan.push((contacts, Tally::Nothing));
        for area in AREAS {
            if let Link::Via { parent, .. } = area.link {
                let mut parents = db.sql("SELECT id FROM ");
                parents.push(parent).push(" WHERE ").push_in_ids("contact_id", ids).push(" ORDER BY id").push(lock);
                plan.push((parents, Tally::Nothing));
            }
        }
    }
    let mut remove = |table: &'static str, rows: &dyn Fn(&mut Sql)| match bin {
        Some((record, columns)) => plan.extend(recycle_bin::move_statements(db, columns, table, record, rows)),
        None => {
            let mut sql = db.sql("DELETE FROM ");
            sql.push(table).push(" WHERE ");
            rows(&mut sql);
            plan.push((sql, Tally::Done(table)));
        }
    };
    for area in AREAS.iter().rev() {
        remove(area.table, &|sql| {
            area.push_rows_of(sql, Store::Live, |s, column| {
                s.push_in_ids(column, ids);
            })
        });
    }
    remove(CONTACTS, &|sql| {
        sql.push("account_id = ").bind(account_id).push(" AND ").push_in_ids("id", ids);
    });
    plan
}

/// Deletes every contact of the account, with all related rows, without a history
/// record: for maintenance (resetting the demo account), not for users.
pub async fn delete_all_of_account(db: &Db, account_id: i64) -> Result<i64, AppError> {
    let mut sql = db.sql("SELECT id FROM contacts WHERE account_id = ");
    sql.bind(account_id).push(" ORDER BY id");
    let mut totals = Totals::default();
    for chunk in db.fetch_ids(&sql).await?.chunks(db.dialect().delete_chunk_size()) {
        let plan = chunk_statements(db, account_id, chunk, None);
        let (statements, tallies): (Vec<Sql>, Vec<Tally>) = plan.into_iter().unzip();
        totals.add_chunk(tallies.into_iter(), &db.execute_in_transaction(&statements).await?);
    }
    Ok(totals.contacts)
}

/// The job a twin request recorded under `key`: it got there first, between our
/// look-up and our insert.
pub(crate) async fn twin(db: &Db, account_id: i64, key: &str) -> Result<Accepted, AppError> {
    Ok(Accepted::Earlier(find_record(db, account_id, key).await?.ok_or(AppError::Internal)?))
}

pub(crate) async fn find_record(db: &Db, account_id: i64, key: &str) -> Result<Option<i64>, AppError> {
    let mut sql = db.sql("SELECT id FROM bulk_actions WHERE account_id = ");
    sql.bind(account_id).push(" AND request_key = ").bind(key);
    db.fetch_opt_i64(&sql).await
}

#[derive(sqlx::FromRow)]
struct Record {
    #[sqlx(try_from = "String")]
    status: Status,
    contacts_requested: i64,
    contacts_done: i64,
    rows_done: String,
}

/// What a finished delete answers: its report, or why it did not finish. `None` while
/// it runs.
async fn outcome(db: &Db, record: i64) -> Result<Option<Result<DeleteReport, AppError>>, AppError> {
    let mut sql = db.sql("SELECT status, contacts_requested, contacts_done, rows_done FROM bulk_actions WHERE id = ");
    sql.bind(record);
    let Some(r) = db.fetch_all::<Record>(&sql).await?.pop() else {
        return Err(AppError::Conflict(
            "That delete was refused and nothing was deleted. Review the selection and confirm again.".into(),
        ));
    };
    let rows = serde_json::from_str(&r.rows_done).map_err(AppError::internal)?;
    let totals = Totals { contacts: r.contacts_done, rows, left_out: BTreeMap::new() };
    Ok(match r.status {
        Status::Running => None,
        Status::Done => Some(Ok(totals.report())),
        Status::Cancelled => {
            Some(Err(bulk_action::stopped_early(Ending::Cancelled, totals.contacts, r.contacts_requested)))
        }
        Status::Failed => Some(Err(bulk_action::stopped_early(Ending::Failed, totals.contacts, r.contacts_requested))),
    })
}

/// The outcome of an earlier request with the same key, once it has finished.
async fn wait_for(db: &Db, record: i64) -> Result<DeleteReport, AppError> {
    let deadline = tokio::time::Instant::now() + TWIN_WAIT;
    loop {
        match outcome(db, record).await? {
            Some(answer) => return answer,
            None if tokio::time::Instant::now() > deadline => {
                return Err(AppError::Conflict(
                    "This delete is still running. Reload the page in a moment to see the result.".into(),
                ))
            }
            None => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_follow_their_time_budget_within_bounds() {
        let ms = Duration::from_millis;
        // Twice as slow as the budget: half the size; twice as quick: twice (no more).
        assert_eq!(next_chunk_size(4_000, ms(240), ms(120), 5_000), 2_000);
        assert_eq!(next_chunk_size(1_000, ms(60), ms(120), 5_000), 2_000);
        assert_eq!(next_chunk_size(1_000, ms(1), ms(120), 5_000), 2_000);
        // Never above the largest size asked for, never below the smallest.
        assert_eq!(next_chunk_size(4_000, ms(60), ms(120), 5_000), 5_000);
        assert_eq!(next_chunk_size(200, ms(5_000), ms(120), 5_000), MIN_CHUNK);
        assert_eq!(next_chunk_size(1, ms(5_000), ms(120), 1), 1, "a largest size below the smallest wins");
    }
}
