//! The Recycle Bin's SQL. A delete accepted while the account keeps deleted contacts
//! copies each chunk's rows into the `bin_` tables (same columns, plus the delete's id)
//! just before it deletes them, in the chunk's transaction ([`move_statement`]). A
//! restore is a job of its own, with the delete's contacts still in the bin as its
//! targets: each chunk puts contacts back first, then every area in the cascade's order
//! (parents before children), with their ids, and drops those rows from the bin, in one
//! transaction ([`restore_statements`]). So a contact is always wholly live or wholly in
//! the bin, and restoring twice restores once.

use std::collections::BTreeMap;
use std::time::Duration;

use super::bulk_delete::{
    area_counts, count_at_once, find_record, preview_parallelism, targets_statement, twin, Accepted, Plan, Tally,
};
use super::cascade::{Link, Store, AREAS};
use super::jobs::now_ms;
use super::{history, schema, Db, Sql};
use crate::bulk_action::{check_request_key, typed_number_matches, Action, Status};
use crate::error::AppError;
use crate::model::{AreaCount, BulkActionRow};
use crate::recycle::{RestorePreview, RestoreRequest};

const CONTACTS: &str = "contacts";

/// The tables a delete moves to the bin: the contacts, then the areas.
fn tables() -> impl Iterator<Item = &'static str> {
    std::iter::once(CONTACTS).chain(AREAS.iter().map(|a| a.table))
}

/// The column list of each live table, read from the catalog when a job that moves rows
/// starts: the bin's tables have the same columns, so the copies name them and need no
/// list of their own.
#[derive(Clone, Debug, Default)]
pub struct Columns {
    lists: BTreeMap<&'static str, String>,
}

impl Columns {
    pub async fn load(db: &Db) -> Result<Columns, AppError> {
        let mut lists = BTreeMap::new();
        for table in tables() {
            lists.insert(table, schema::columns(db, table).await?.join(", "));
        }
        Ok(Columns { lists })
    }

    fn of(&self, table: &str) -> &str {
        self.lists.get(table).map_or("", String::as_str)
    }
}

/// The statements that move the rows of `table` that `rows` selects (it appends the
/// condition) into the bin, tagged with delete `record`; the count of the one tallied
/// `Done` is the rows deleted. PostgreSQL does it in one statement, the DELETE's
/// RETURNING feeding the INSERT (a data-modifying WITH), reading each row once; SQLite
/// has no such WITH: it copies, then deletes.
pub fn move_statements(
    db: &Db,
    columns: &Columns,
    table: &'static str,
    record: i64,
    rows: &dyn Fn(&mut Sql),
) -> Vec<(Sql, Tally)> {
    let list = columns.of(table);
    let delete = |sql: &mut Sql| {
        sql.push("DELETE FROM ").push(table).push(" WHERE ");
        rows(sql);
    };
    let into_bin = |sql: &mut Sql| {
        sql.push("INSERT INTO ").push(&Store::Bin.table(table)).push(" (").push(list).push(", bulk_action_id) SELECT ");
        sql.push(list).push(", ").bind(record).push(" FROM ");
    };
    if db.dialect().has_writing_with() {
        let mut sql = db.sql("WITH moved AS (");
        delete(&mut sql);
        sql.push(" RETURNING ").push(list).push(") ");
        into_bin(&mut sql);
        sql.push("moved");
        return vec![(sql, Tally::Done(table))];
    }
    let (mut copy, mut gone) = (db.sql(""), db.sql(""));
    into_bin(&mut copy);
    copy.push(table).push(" WHERE ");
    rows(&mut copy);
    delete(&mut gone);
    vec![(copy, Tally::Nothing), (gone, Tally::Done(table))]
}

/// The statements of a restore's chunk: the contacts `ids` of delete `from` (of any
/// delete, for `None`) come back,
/// then each area's rows of them, parents first; rows whose outside row is gone (an
/// enrollment in a removed campaign) stay out. Then all of them leave the bin, children
/// first; what left the bin without coming back is what was left out.
pub fn restore_statements(db: &Db, columns: &Columns, from: Option<i64>, ids: &[i64]) -> Plan {
    let mut plan = Plan::with_capacity(2 * AREAS.len() + 2);
    for table in tables() {
        let list = columns.of(table);
        let mut sql = db.sql("INSERT INTO ");
        sql.push(table).push(" (").push(list).push(") SELECT ").push(list).push(" FROM ");
        push_in_bin(&mut sql, table, from, ids);
        if let Some(needs) = AREAS.iter().find(|a| a.table == table).and_then(|a| a.needs) {
            sql.push(" AND EXISTS (SELECT 1 FROM ").push(needs.table).push(" n WHERE n.id = b.");
            sql.push(needs.column).push(")");
        }
        plan.push((sql, Tally::Done(table)));
    }
    plan.extend(removal_statements(db, from, ids, Tally::Taken));
    plan
}

/// The statements that remove the contacts `ids` of delete `from` from the bin, with
/// their rows, children first; each counted as `tally` tells.
fn removal_statements(db: &Db, from: Option<i64>, ids: &[i64], tally: fn(&'static str) -> Tally) -> Plan {
    let leaving: Vec<&'static str> = tables().collect();
    leaving
        .into_iter()
        .rev()
        .map(|table| {
            let mut sql = db.sql("DELETE FROM ");
            push_in_bin(&mut sql, table, from, ids);
            (sql, tally(table))
        })
        .collect()
}

/// The statements of a purge's chunk: the contacts `ids` of delete `from` (of any delete,
/// for `None`) and their rows leave the bin for good.
pub fn purge_statements(db: &Db, from: Option<i64>, ids: &[i64]) -> Plan {
    removal_statements(db, from, ids, Tally::Done)
}

/// Refreshes the planner's statistics of the bin before a restore or purge reads it. The
/// delete that has just put rows there has an id the last statistics never saw, which
/// PostgreSQL takes for one row: at a million contacts it then read a delete's 500,000
/// binned messages once per chunk (the first chunk of a 100,000-contact restore had not
/// ended after five minutes). ANALYZE samples each table (2.1 s for the nine tables
/// holding 1.1 million contacts and their 11 million rows). A job of fewer than
/// [`REFRESH_FROM`] contacts reads too little for a bad plan to matter, and starts at once
/// (an Undo of a small delete). Returns whether it refreshed them.
pub async fn refresh_statistics(db: &Db, contacts: i64) -> Result<bool, AppError> {
    if !db.dialect().refreshes_bin_statistics() || contacts < REFRESH_FROM {
        return Ok(false);
    }
    let mut sql = db.sql("ANALYZE ");
    sql.push(&tables().map(|table| Store::Bin.table(table)).collect::<Vec<_>>().join(", "));
    db.execute(&sql).await.map(|_| true)
}

/// The contacts from which a restore or purge refreshes the bin's statistics first.
pub const REFRESH_FROM: i64 = 10_000;

/// Appends `bin_<table> AS b WHERE …`: the rows of `table` in the bin that belong to the
/// contacts `ids` of delete `from` (of whichever deletes put them there, for `None`).
/// Every bin index leads with the delete, so each table read, the parent's of a `Via`
/// area included, is given its condition on the delete too.
fn push_in_bin(sql: &mut Sql, table: &'static str, from: Option<i64>, ids: &[i64]) {
    sql.push(&Store::Bin.table(table)).push(" AS b WHERE ");
    push_scope(sql, "b.", from, ids);
    sql.push(" AND ");
    match AREAS.iter().find(|a| a.table == table) {
        Some(area) => area.push_rows_of(sql, Store::Bin, |s, column| {
            if matches!(area.link, Link::Via { .. }) {
                push_scope(s, "", from, ids);
                s.push(" AND ");
            }
            s.push_in_ids(column, ids);
        }),
        None => {
            sql.push_in_ids("id", ids);
        }
    }
}

/// Appends the condition on the delete that put a bin row there (`prefix` qualifies its
/// column): delete `from`, or for `None` those of the contacts `ids`.
fn push_scope(sql: &mut Sql, prefix: &str, from: Option<i64>, ids: &[i64]) {
    sql.push(prefix).push("bulk_action_id");
    match from {
        Some(delete) => sql.push(" = ").bind(delete),
        None => sql.push(" IN (SELECT c.bulk_action_id FROM bin_contacts c WHERE ").push_in_ids("c.id", ids).push(")"),
    };
}

/// The delete `id` of the account (and of `only_user`, if given: another account's or
/// user's is "not found"), if it can be restored now.
async fn restorable(db: &Db, account_id: i64, only_user: Option<i64>, id: i64) -> Result<BulkActionRow, AppError> {
    let row = history::get(db, account_id, only_user, id).await?;
    if row.action != Action::Delete || !row.to_bin {
        return Err(AppError::bad_request("Only a delete made while the Recycle Bin was on can be restored."));
    }
    if row.is_running() {
        return Err(AppError::Conflict("This delete is still running: stop it or wait for it to end first.".into()));
    }
    if !row.in_bin {
        return Err(AppError::Conflict(
            "Nothing of this delete is in the Recycle Bin any more: it was restored or removed for good.".into(),
        ));
    }
    let mut running = db.sql("SELECT COUNT(*) FROM bulk_actions WHERE bin_of = ");
    running.bind(id).push(" AND status = ").bind(Status::Running.as_str());
    if db.fetch_i64(&running).await? > 0 {
        return Err(AppError::Conflict(
            "This delete's contacts are being restored, or removed from the Recycle Bin, already.".into(),
        ));
    }
    Ok(row)
}

/// What restoring delete `id` would bring back now, counted in the bin.
pub async fn preview(db: &Db, account_id: i64, only_user: Option<i64>, id: i64) -> Result<RestorePreview, AppError> {
    restorable(db, account_id, only_user, id).await?;
    let counts = tables().map(|table| {
        let mut sql = db.sql("SELECT COUNT(*) FROM ");
        sql.push(&Store::Bin.table(table)).push(" WHERE bulk_action_id = ").bind(id);
        (table, sql)
    });
    let counts = count_at_once(db, counts, &[], preview_parallelism()).await?;
    let rows = |table: &str| counts.get(table).copied().unwrap_or(0);
    Ok(RestorePreview { bulk_action_id: id, contacts: rows(CONTACTS), areas: area_counts(rows) })
}

/// Rows per area in the bin that belong to the contacts `ids` (of delete `from`, if
/// given).
pub(crate) async fn count_in_bin(db: &Db, from: Option<i64>, ids: &[i64]) -> Result<Vec<AreaCount>, AppError> {
    let counts = AREAS.iter().map(|area| {
        let mut sql = db.sql("SELECT COUNT(*) FROM ");
        push_in_bin(&mut sql, area.table, from, ids);
        (area.table, sql)
    });
    let counts = count_at_once(db, counts, &[], preview_parallelism()).await?;
    Ok(area_counts(|table| counts.get(table).copied().unwrap_or(0)))
}

/// Takes a restore of a delete up as a job held by `worker` (see
/// [`super::bulk_delete::accept`]): its record names the delete, and its targets are the
/// delete's contacts in the bin, written down in the same transaction.
pub async fn accept(
    db: &Db,
    account_id: i64,
    user: (Option<i64>, Option<i64>),
    request: &RestoreRequest,
    worker: &str,
    lease: Duration,
) -> Result<Accepted, AppError> {
    let (user_id, only_user) = user;
    check_request_key(&request.request_key)?;
    if let Some(id) = find_record(db, account_id, &request.request_key).await? {
        return Ok(Accepted::Earlier(id));
    }
    let deleted = restorable(db, account_id, only_user, request.bulk_action_id).await?;
    let mut stored = db.sql("SELECT selection FROM bulk_actions WHERE id = ");
    stored.bind(deleted.id);
    let (selection,): (String,) = db.fetch_all(&stored).await?.pop().ok_or(AppError::Internal)?;
    let started = history::Started {
        account_id,
        user_id,
        key: &request.request_key,
        action: Action::Restore,
        selection,
        description: deleted.description,
        contacts: 0,
        worker,
        lease_until_ms: now_ms() + lease.as_millis() as i64,
        to_bin: false,
        bin_of: Some(deleted.id),
    };
    write_down(db, &started, of_delete(deleted.id)).await
}

/// Removes for good every row in the bin of the account's bulk actions, children first,
/// in one transaction (resetting the demo). Returns the contacts removed.
pub async fn empty_account(db: &Db, account_id: i64) -> Result<u64, AppError> {
    let leaving: Vec<&'static str> = tables().collect();
    let statements: Vec<Sql> = leaving
        .into_iter()
        .rev()
        .map(|table| {
            let mut sql = db.sql("DELETE FROM ");
            sql.push(&Store::Bin.table(table));
            sql.push(" WHERE bulk_action_id IN (SELECT id FROM bulk_actions WHERE account_id = ").bind(account_id);
            sql.push(")");
            sql
        })
        .collect();
    Ok(db.execute_in_transaction(&statements).await?.last().copied().unwrap_or(0))
}

/// Seconds in a day: the unit of `keep_deleted_days`.
const DAY: i64 = 86_400;

/// Starts, as jobs held by `worker`, the purges due at `now`: every finished delete whose
/// contacts have been in the bin longer than its account keeps them now (so lowering the
/// days purges accordingly, and 0 purges everything). Each server looks; for each delete
/// one purge record is made (its key names the delete and its earlier purges, so two
/// servers that look at once make it once). Returns the jobs started.
pub async fn start_due_purges(db: &Db, now: i64, worker: &str, lease: Duration) -> Result<Vec<i64>, AppError> {
    let mut due = db.sql(
        "SELECT b.id, b.account_id, b.selection, b.description, \
         (SELECT COUNT(*) FROM bulk_actions p WHERE p.bin_of = b.id AND p.action = ",
    );
    due.bind(Action::Purge.as_str()).push(") AS purges FROM bulk_actions b JOIN accounts a ON a.id = b.account_id");
    due.push(" WHERE b.action = ").bind(Action::Delete.as_str()).push(" AND b.to_bin = ").bind(true);
    due.push(" AND b.status <> ").bind(Status::Running.as_str());
    due.push(" AND b.finished_at + a.keep_deleted_days * ").bind(DAY).push(" <= ").bind(now);
    due.push(" AND EXISTS (SELECT 1 FROM bin_contacts c WHERE c.bulk_action_id = b.id)");
    // Not while a restore or another purge of it runs.
    due.push(" AND NOT EXISTS (SELECT 1 FROM bulk_actions r WHERE r.bin_of = b.id AND r.status = ");
    due.bind(Status::Running.as_str()).push(") ORDER BY b.id");
    let mut started = Vec::new();
    for (delete, account_id, selection, description, purges) in db.fetch_all::<Due>(&due).await? {
        let key = format!("purge-{delete}-{purges}");
        let record = history::Started {
            account_id,
            user_id: None,
            key: &key,
            action: Action::Purge,
            selection,
            description,
            contacts: 0,
            worker,
            lease_until_ms: now_ms() + lease.as_millis() as i64,
            to_bin: false,
            bin_of: Some(delete),
        };
        if let Accepted::New(job) = write_down(db, &record, of_delete(delete)).await? {
            started.push(job);
        }
    }
    Ok(started)
}

/// A delete due to be purged: its id, account, recorded selection and description, and
/// how many purges it had.
type Due = (i64, i64, String, String, i64);

/// Appends a query of the contacts of delete `delete` in the bin (a column `id`).
fn of_delete(delete: i64) -> impl FnOnce(&mut Sql) {
    move |s| {
        s.push("SELECT id FROM bin_contacts WHERE bulk_action_id = ").bind(delete);
    }
}

/// Records a restore or purge and writes down its targets, the contacts that `targets`
/// appends a query of (a column `id`), in one transaction; or finds the job recorded
/// under its key by a twin request.
pub(crate) async fn write_down(
    db: &Db,
    record: &history::Started<'_>,
    targets: impl FnOnce(&mut Sql),
) -> Result<Accepted, AppError> {
    let mut tx = db.begin().await?;
    let Some(job) = tx.fetch_opt_i64(&history::start_statement(db, record)).await? else {
        drop(tx);
        return twin(db, record.account_id, record.key).await;
    };
    let targets = targets_statement(db, job, targets);
    let contacts = tx.execute(&targets).await?;
    let mut requested = db.sql("UPDATE bulk_actions SET contacts_requested = ");
    requested.bind(contacts as i64).push(" WHERE id = ").bind(job);
    tx.execute(&requested).await?;
    tx.commit().await?;
    Ok(Accepted::New(job))
}

/// How many of the account's contacts are in the bin.
pub async fn contacts_in_bin(db: &Db, account_id: i64) -> Result<i64, AppError> {
    let mut sql = db.sql("SELECT COUNT(*) FROM bin_contacts WHERE account_id = ");
    sql.bind(account_id);
    db.fetch_i64(&sql).await
}

/// Changes how long the account keeps deleted contacts, as an admin asks it. Going to 0
/// with contacts in the bin deletes them for good (the next purge): only with their
/// number typed. A lower number purges what is older than it the same way, at once.
pub async fn change_keep_days(db: &Db, account_id: i64, days: i64, typed: Option<&str>) -> Result<(), AppError> {
    crate::recycle::check_keep_days(days)?;
    if days == 0 {
        let waiting = contacts_in_bin(db, account_id).await?;
        if waiting > 0 && !typed.is_some_and(|t| typed_number_matches(t, waiting)) {
            return Err(AppError::bad_request(format!(
                "With 0 days, what is in the Recycle Bin ({}) is deleted permanently: type {waiting} to confirm.",
                crate::model::plural(waiting, "contact", "contacts")
            )));
        }
    }
    super::accounts::set_keep_deleted_days(db, account_id, days).await
}
