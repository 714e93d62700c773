//! Bulk delete: the impact preview and the delete itself, both reading the one cascade
//! declaration. The delete runs in chunks of contacts; each chunk is one short
//! transaction that removes the chunk's rows in every area, then the contacts, then
//! records the progress, so a failure leaves every contact whole or fully gone.

use std::collections::BTreeMap;
use std::time::Duration;

use super::cascade::{Link, AREAS};
use super::{now, selection, Arg, Db, Sql};
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

/// Deletes the selection, permanently, with every related row.
///
/// In order: a repeat of a request already made is answered from the first one; the
/// request key is claimed; the selection is resolved once, to ids, and must hold exactly
/// the number the user confirmed; those ids, and only those, are deleted chunk by chunk.
/// `user_id` is who asked, for the history (none from the command line).
pub async fn delete(
    db: &Db,
    account_id: i64,
    user_id: Option<i64>,
    request: &DeleteRequest,
    chunk_size: usize,
) -> Result<DeleteReport, AppError> {
    let key = request.request_key.as_str();
    if key.len() < 8 || key.len() > 64 || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(AppError::bad_request("The delete request is malformed (its request key). Reload the page and try again."));
    }
    if let Some(id) = find_record(db, account_id, key).await? {
        return wait_for(db, id).await;
    }
    selection::validate(db, account_id, &request.selection).await?;
    let Some(record) = start_record(db, account_id, user_id, request).await? else {
        // A twin request got there first, between our look-up and our insert.
        let id = find_record(db, account_id, key).await?.ok_or(AppError::Internal)?;
        return wait_for(db, id).await;
    };
    let ids = match confirmed_ids(db, account_id, request).await {
        Ok(ids) => ids,
        Err(refusal) => {
            // Nothing was deleted: give the key back, so that the request can be fixed.
            let mut forget = db.sql("DELETE FROM bulk_actions WHERE id = ");
            forget.bind(record);
            db.execute(&forget).await?;
            return Err(refusal);
        }
    };
    match run_chunks(db, account_id, &ids, Some(record), chunk_size).await {
        Ok(totals) => {
            finish_record(db, record, "done").await?;
            Ok(totals.report())
        }
        Err((totals, cause)) => {
            tracing::error!("bulk delete {record} stopped: {cause:?}");
            finish_record(db, record, "failed").await?;
            Err(AppError::Incomplete(format!(
                "The delete stopped part-way: {} of {} were deleted, with all their related records. \
                 The others are unchanged. Please try again.",
                totals.contacts,
                plural(ids.len() as i64, "contact", "contacts")
            )))
        }
    }
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
/// in the same transaction as each chunk when there is a record.
async fn run_chunks(
    db: &Db,
    account_id: i64,
    ids: &[i64],
    record: Option<i64>,
    chunk_size: usize,
) -> Result<Totals, (Totals, AppError)> {
    let mut totals = Totals::default();
    for chunk in ids.chunks(chunk_size.max(1)) {
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
    let selection = serde_json::to_string(&request.selection).map_err(AppError::internal)?;
    let mut sql = db.sql(
        "INSERT INTO bulk_actions (account_id, user_id, request_key, action, selection, description, status, \
         contacts_requested, started_at) VALUES ",
    );
    sql.bind_tuple([
        Arg::from(account_id),
        user_id.into(),
        request.request_key.as_str().into(),
        "delete".into(),
        selection.into(),
        request.selection.describe().into(),
        "running".into(),
        request.confirmed_count.into(),
        now().into(),
    ]);
    sql.push(" ON CONFLICT (account_id, request_key) DO NOTHING RETURNING id");
    db.fetch_opt_i64(&sql).await
}

async fn finish_record(db: &Db, record: i64, status: &str) -> Result<(), AppError> {
    let mut sql = db.sql("UPDATE bulk_actions SET status = ");
    sql.bind(status).push(", finished_at = ").bind(now()).push(" WHERE id = ").bind(record);
    db.execute(&sql).await.map(|_| ())
}

/// The outcome of an earlier request with the same key, once it has finished.
async fn wait_for(db: &Db, record: i64) -> Result<DeleteReport, AppError> {
    let deadline = tokio::time::Instant::now() + TWIN_WAIT;
    loop {
        let mut sql = db.sql("SELECT status, contacts_done, rows_done FROM bulk_actions WHERE id = ");
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
            "failed" => {
                return Err(AppError::Incomplete(format!(
                    "This delete stopped part-way earlier: {} were deleted. Please try again.",
                    plural(totals.contacts, "contact", "contacts")
                )))
            }
            _ if tokio::time::Instant::now() > deadline => {
                return Err(AppError::Conflict("This delete is still running. Reload the page in a moment to see the result.".into()))
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}
