//! Bulk delete: the impact preview and the delete itself, both reading the one cascade
//! declaration. The delete runs in chunks of contacts; each chunk is one short
//! transaction that removes the chunk's rows in every area, then the contacts, then
//! records the progress, so a failure leaves every contact whole or fully gone.

use std::collections::BTreeMap;
use std::time::Duration;

use super::cascade::{Link, AREAS};
use super::{history, now, selection, Db, Sql};
use crate::error::AppError;
use crate::model::{plural, typed_number_matches, AreaCount, DeletePreview, DeleteReport, DeleteRequest, Selection, TYPED_CONFIRMATION_FROM};

/// How long a repeated request waits for the first one to finish.
const TWIN_WAIT: Duration = Duration::from_secs(120);

/// Contacts and rows per area removed so far.
#[derive(Clone, Debug, Default, PartialEq)]
struct Totals {
    contacts: i64,
    rows: BTreeMap<String, i64>,
}

impl Totals {
    /// Adds one chunk's changed-row counts: the deletes of [`chunk_statements`], in order.
    fn add_chunk(&mut self, deletes: &[u64]) {
        for (area, rows) in AREAS.iter().rev().zip(deletes) {
            *self.rows.entry(area.table.to_string()).or_default() += *rows as i64;
        }
        self.contacts += *deletes.last().unwrap_or(&0) as i64;
    }

    fn report(&self) -> DeleteReport {
        DeleteReport { contacts: self.contacts, areas: area_counts(|table| self.rows.get(table).copied().unwrap_or(0)) }
    }
}

pub(crate) fn area_counts(rows: impl Fn(&str) -> i64) -> Vec<AreaCount> {
    AREAS
        .iter()
        .map(|a| AreaCount { area: a.table.into(), label: a.label.into(), one: a.one.into(), rows: rows(a.table) })
        .collect()
}

async fn account_total(db: &Db, account_id: i64) -> Result<i64, AppError> {
    let mut all = db.sql("SELECT COUNT(*) FROM contacts WHERE account_id = ");
    all.bind(account_id);
    db.fetch_i64(&all).await
}

fn needs_typed_confirmation(contacts: i64, whole_account: bool) -> bool {
    whole_account || contacts >= TYPED_CONFIRMATION_FROM
}

/// What deleting the selection would remove, counted on the data as it is now.
pub async fn preview(db: &Db, account_id: i64, selection: &Selection) -> Result<DeletePreview, AppError> {
    selection::validate(db, account_id, selection).await?;
    let contacts = selection::count(db, account_id, selection).await?;
    let whole_account = contacts > 0 && contacts == account_total(db, account_id).await?;
    let mut counts = BTreeMap::new();
    for area in AREAS {
        let mut sql = db.sql("SELECT COUNT(*) FROM ");
        sql.push(area.table).push(" WHERE ");
        area.push_rows_of(&mut sql, |s, column| {
            s.push(column).push(" IN (");
            selection::push_ids(s, account_id, selection);
            s.push(")");
        });
        counts.insert(area.table, db.fetch_i64(&sql).await?);
    }
    let areas = area_counts(|table| counts.get(table).copied().unwrap_or(0));
    Ok(DeletePreview {
        selection: selection.clone(),
        contacts,
        areas,
        whole_account,
        needs_typed_confirmation: needs_typed_confirmation(contacts, whole_account),
    })
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
pub enum Started {
    /// A request with the same key came first: this is its record.
    Earlier(i64),
    /// A new record, for these contacts (resolved, checked, in id order).
    New { record: i64, ids: Vec<i64> },
}

/// Takes a delete request up without deleting anything yet.
///
/// In order: a repeat of a request already made names the first one; the request key is
/// claimed (a record in `bulk_actions`); the selection is resolved once, to ids, and must
/// hold exactly the number the user confirmed. `user_id` is who asked (none from the
/// command line).
pub async fn start(db: &Db, account_id: i64, user_id: Option<i64>, request: &DeleteRequest) -> Result<Started, AppError> {
    let key = request.request_key.as_str();
    if key.len() < 8 || key.len() > 64 || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(AppError::bad_request("The delete request is malformed (its request key). Reload the page and try again."));
    }
    if let Some(id) = find_record(db, account_id, key).await? {
        return Ok(Started::Earlier(id));
    }
    selection::validate(db, account_id, &request.selection).await?;
    let Some(record) = start_record(db, account_id, user_id, request).await? else {
        // A twin request got there first, between our look-up and our insert.
        return Ok(Started::Earlier(find_record(db, account_id, key).await?.ok_or(AppError::Internal)?));
    };
    match confirmed_ids(db, account_id, request).await {
        Ok(ids) => Ok(Started::New { record, ids }),
        Err(refusal) => {
            // Nothing was deleted: give the key back, so that the request can be fixed.
            let mut forget = db.sql("DELETE FROM bulk_actions WHERE id = ");
            forget.bind(record);
            db.execute(&forget).await?;
            Err(refusal)
        }
    }
}

/// Deletes the contacts of a started request, and those only, chunk by chunk; stops
/// before the next chunk when asked to. Records the outcome.
pub async fn run(db: &Db, account_id: i64, record: i64, ids: &[i64], chunk_size: usize) -> Result<DeleteReport, AppError> {
    let (totals, outcome) = match run_chunks(db, account_id, ids, Some(record), chunk_size).await {
        Ok(totals) => (totals, "done"),
        Err((totals, AppError::Conflict(_))) => (totals, "cancelled"),
        Err((totals, cause)) => {
            tracing::error!("bulk delete {record} stopped: {cause:?}");
            (totals, "failed")
        }
    };
    finish_record(db, record, outcome).await?;
    match outcome {
        "done" => Ok(totals.report()),
        _ => Err(stopped(outcome, totals.contacts, ids.len() as i64)),
    }
}

/// What a user is told of a delete that did not finish.
fn stopped(outcome: &str, done: i64, of: i64) -> AppError {
    let others = if outcome == "cancelled" { "were not touched" } else { "are unchanged. Please try again" };
    let how = if outcome == "cancelled" { "was stopped" } else { "stopped part-way" };
    AppError::Incomplete(format!(
        "The delete {how}: {done} of {} were deleted, with all their related records. The others {others}.",
        plural(of, "contact", "contacts")
    ))
}

/// Deletes the selection, permanently, with every related row: [`start`], then [`run`]
/// (or the outcome of the earlier request with the same key).
pub async fn delete(
    db: &Db,
    account_id: i64,
    user_id: Option<i64>,
    request: &DeleteRequest,
    chunk_size: usize,
) -> Result<DeleteReport, AppError> {
    match start(db, account_id, user_id, request).await? {
        Started::Earlier(record) => wait_for(db, record).await,
        Started::New { record, ids } => run(db, account_id, record, &ids, chunk_size).await,
    }
}

/// Asks a running delete to stop before its next chunk. Another account's (or, with
/// `only_user`, another user's) bulk action is "not found"; a finished one, a conflict.
pub async fn cancel(db: &Db, account_id: i64, only_user: Option<i64>, record: i64) -> Result<(), AppError> {
    super::history::get(db, account_id, only_user, record).await?;
    let mut sql = db.sql("UPDATE bulk_actions SET cancel_requested = ");
    sql.bind(true).push(" WHERE id = ").bind(record).push(" AND account_id = ").bind(account_id);
    sql.push(" AND status = 'running'");
    if db.execute(&sql).await? == 0 {
        return Err(AppError::Conflict("This bulk action has already finished.".into()));
    }
    Ok(())
}

/// Marks deletes that were running when the server stopped as failed: their work
/// stopped with the process (each chunk is whole or undone, the counts are exact).
pub async fn fail_interrupted(db: &Db) -> Result<u64, AppError> {
    let mut sql = db.sql("UPDATE bulk_actions SET status = 'failed', finished_at = ");
    sql.bind(now()).push(" WHERE status = 'running'");
    db.execute(&sql).await
}

async fn cancel_requested(db: &Db, record: i64) -> Result<bool, AppError> {
    let mut sql = db.sql("SELECT COUNT(*) FROM bulk_actions WHERE cancel_requested = ");
    sql.bind(true).push(" AND id = ").bind(record);
    Ok(db.fetch_i64(&sql).await? > 0)
}

/// The ids the selection means now, if they are what the user confirmed.
async fn confirmed_ids(db: &Db, account_id: i64, request: &DeleteRequest) -> Result<Vec<i64>, AppError> {
    let mut sql = db.sql("");
    selection::push_ids(&mut sql, account_id, &request.selection);
    sql.push(" ORDER BY id");
    let ids: Vec<i64> = db.fetch_all::<(i64,)>(&sql).await?.into_iter().map(|(id,)| id).collect();
    let contacts = ids.len() as i64;
    if contacts == 0 {
        return Err(AppError::Conflict("None of the selected contacts exist any more; nothing was deleted.".into()));
    }
    if contacts != request.confirmed_count {
        return Err(AppError::Conflict(format!(
            "The selection changed since you confirmed it: it now holds {}. Nothing was deleted; review it and confirm again.",
            plural(contacts, "contact", "contacts")
        )));
    }
    let whole_account = contacts == account_total(db, account_id).await?;
    if needs_typed_confirmation(contacts, whole_account)
        && !request.typed_confirmation.as_deref().is_some_and(|t| typed_number_matches(t, contacts))
    {
        return Err(AppError::bad_request(format!("Type {contacts} to confirm this delete.")));
    }
    Ok(ids)
}

/// The chunk's statements, and how many of them only take locks. On engines that lock
/// rows, the chunk's contacts and the parent rows of `Via` areas are locked first, in id
/// order (no deadlock between two deletes), so that no related row can be added to them
/// until the chunk commits. Then every area's rows go, children before parents, then the
/// contacts themselves.
fn chunk_statements(db: &Db, account_id: i64, ids: &[i64]) -> (Vec<Sql>, usize) {
    let mut statements = Vec::with_capacity(AREAS.len() + 3);
    if let Some(lock) = db.dialect().row_lock_clause() {
        let mut contacts = db.sql("SELECT id FROM contacts WHERE ");
        contacts.push_in_ids("id", ids).push(" ORDER BY id").push(lock);
        statements.push(contacts);
        for area in AREAS {
            if let Link::Via { parent, .. } = area.link {
                let mut parents = db.sql("SELECT id FROM ");
                parents.push(parent).push(" WHERE ").push_in_ids("contact_id", ids).push(" ORDER BY id").push(lock);
                statements.push(parents);
            }
        }
    }
    let locks = statements.len();
    for area in AREAS.iter().rev() {
        let mut sql = db.sql("DELETE FROM ");
        sql.push(area.table).push(" WHERE ");
        area.push_rows_of(&mut sql, |s, column| {
            s.push_in_ids(column, ids);
        });
        statements.push(sql);
    }
    let mut sql = db.sql("DELETE FROM contacts WHERE account_id = ");
    sql.bind(account_id).push(" AND ").push_in_ids("id", ids);
    statements.push(sql);
    (statements, locks)
}

/// Deletes `ids` (already resolved and checked) chunk by chunk, recording the progress
/// in the same transaction as each chunk when there is a record, and stopping before a
/// chunk when the record asks to (a `Conflict`).
async fn run_chunks(
    db: &Db,
    account_id: i64,
    ids: &[i64],
    record: Option<i64>,
    chunk_size: usize,
) -> Result<Totals, (Totals, AppError)> {
    let mut totals = Totals::default();
    for chunk in ids.chunks(chunk_size.max(1)) {
        if let Some(record) = record {
            match cancel_requested(db, record).await {
                Ok(false) => {}
                Ok(true) => return Err((totals, AppError::Conflict("stopped on request".into()))),
                Err(e) => return Err((totals, e)),
            }
        }
        let (statements, locks) = chunk_statements(db, account_id, chunk);
        let progress = |changed: &[u64]| {
            let record = record?;
            let mut after = totals.clone();
            after.add_chunk(&changed[locks..]);
            let mut sql = db.sql("UPDATE bulk_actions SET contacts_done = ");
            sql.bind(after.contacts).push(", rows_done = ").bind(rows_json(&after));
            sql.push(" WHERE id = ").bind(record);
            Some(sql)
        };
        match db.execute_in_transaction_then(&statements, progress).await {
            Ok(changed) => totals.add_chunk(&changed[locks..]),
            Err(e) => return Err((totals, e)),
        }
    }
    Ok(totals)
}

/// Deletes every contact of the account, with all related rows, without a history
/// record: for maintenance (resetting the demo account), not for users.
pub async fn delete_all_of_account(db: &Db, account_id: i64) -> Result<i64, AppError> {
    let mut sql = db.sql("SELECT id FROM contacts WHERE account_id = ");
    sql.bind(account_id).push(" ORDER BY id");
    let ids: Vec<i64> = db.fetch_all::<(i64,)>(&sql).await?.into_iter().map(|(id,)| id).collect();
    run_chunks(db, account_id, &ids, None, db.dialect().delete_chunk_size()).await.map(|t| t.contacts).map_err(|(_, e)| e)
}

fn rows_json(totals: &Totals) -> String {
    serde_json::to_string(&totals.rows).expect("counts serialize")
}

#[derive(sqlx::FromRow)]
struct Record {
    status: String,
    contacts_requested: i64,
    contacts_done: i64,
    rows_done: String,
}

async fn find_record(db: &Db, account_id: i64, key: &str) -> Result<Option<i64>, AppError> {
    let mut sql = db.sql("SELECT id FROM bulk_actions WHERE account_id = ");
    sql.bind(account_id).push(" AND request_key = ").bind(key);
    db.fetch_opt_i64(&sql).await
}

/// Records the start of a delete (claims its key); `None` if the key is taken already.
async fn start_record(db: &Db, account_id: i64, user_id: Option<i64>, request: &DeleteRequest) -> Result<Option<i64>, AppError> {
    let started = history::Started {
        account_id,
        user_id,
        key: &request.request_key,
        action: "delete",
        selection: &request.selection,
        contacts: request.confirmed_count,
    };
    history::start(db, started).await
}

/// Records how a delete ended. Retried a few times: a record left "running" would
/// say a delete is going on that is not.
pub async fn finish_record(db: &Db, record: i64, status: &str) -> Result<(), AppError> {
    let mut sql = db.sql("UPDATE bulk_actions SET status = ");
    sql.bind(status).push(", finished_at = ").bind(now()).push(" WHERE id = ").bind(record);
    let mut tries = 0;
    loop {
        match db.execute(&sql).await {
            Ok(_) => return Ok(()),
            Err(e) if tries >= 4 => return Err(e),
            Err(_) => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(200 * tries)).await;
            }
        }
    }
}

/// The outcome of an earlier request with the same key, once it has finished.
async fn wait_for(db: &Db, record: i64) -> Result<DeleteReport, AppError> {
    let deadline = tokio::time::Instant::now() + TWIN_WAIT;
    loop {
        let mut sql = db.sql("SELECT status, contacts_requested, contacts_done, rows_done FROM bulk_actions WHERE id = ");
        sql.bind(record);
        let found: Vec<Record> = db.fetch_all(&sql).await?;
        let Some(r) = found.into_iter().next() else {
            return Err(AppError::Conflict(
                "That delete was refused and nothing was deleted. Review the selection and confirm again.".into(),
            ));
        };
        let rows: BTreeMap<String, i64> = serde_json::from_str(&r.rows_done).map_err(AppError::internal)?;
        let totals = Totals { contacts: r.contacts_done, rows };
        match r.status.as_str() {
            "done" => return Ok(totals.report()),
            outcome @ ("failed" | "cancelled") => return Err(stopped(outcome, totals.contacts, r.contacts_requested)),
            _ if tokio::time::Instant::now() > deadline => {
                return Err(AppError::Conflict("This delete is still running. Reload the page in a moment to see the result.".into()))
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}
