//! The Bulk Actions history: one row per bulk action of the account, newest first.

use std::collections::BTreeMap;

use super::bulk_delete::area_counts;
use super::cascade::needed_row;
use super::{now, Arg, Db, Sql};
use crate::bulk_action::{Action, Status};
use crate::error::AppError;
use crate::model::{BulkActionRow, Selection};
use crate::recycle::left_out_sentences;

/// How many of the latest bulk actions the history shows.
pub const HISTORY_ROWS: i64 = 200;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    user_name: Option<String>,
    #[sqlx(try_from = "String")]
    action: Action,
    description: String,
    #[sqlx(try_from = "String")]
    status: Status,
    resumed: i64,
    contacts_requested: i64,
    contacts_done: i64,
    rows_done: String,
    started_at: i64,
    finished_at: Option<i64>,
    cancel_requested: bool,
    to_bin: bool,
    in_bin: bool,
    bin_of: Option<i64>,
    left_out: String,
}

/// The account's bulk actions (with `only_user`, just that user's; with `id`, just that
/// one), newest first.
async fn select(
    db: &Db,
    account_id: i64,
    only_user: Option<i64>,
    id: Option<i64>,
) -> Result<Vec<BulkActionRow>, AppError> {
    let mut sql = db.sql(
        "SELECT b.id, u.name AS user_name, b.action, b.description, b.status, b.contacts_requested, \
         b.contacts_done, b.rows_done, b.started_at, b.finished_at, b.cancel_requested, b.resumed, \
         b.to_bin, b.bin_of, b.left_out, \
         EXISTS (SELECT 1 FROM bin_contacts bc WHERE bc.bulk_action_id = b.id) AS in_bin \
         FROM bulk_actions b LEFT JOIN users u ON u.id = b.user_id WHERE b.account_id = ",
    );
    sql.bind(account_id);
    if let Some(user_id) = only_user {
        sql.push(" AND b.user_id = ").bind(user_id);
    }
    if let Some(id) = id {
        sql.push(" AND b.id = ").bind(id);
    }
    sql.push(" ORDER BY b.id DESC LIMIT ").bind(HISTORY_ROWS);
    let rows: Vec<Row> = db.fetch_all(&sql).await?;
    rows.into_iter()
        .map(|r| {
            let done: BTreeMap<String, i64> = serde_json::from_str(&r.rows_done).map_err(AppError::internal)?;
            let left_out: BTreeMap<String, i64> = serde_json::from_str(&r.left_out).map_err(AppError::internal)?;
            let left_out = area_counts(|table| left_out.get(table).copied().unwrap_or(0));
            Ok(BulkActionRow {
                id: r.id,
                user: r.user_name,
                action: r.action,
                description: r.description,
                stopping: r.cancel_requested && r.status == Status::Running,
                status: r.status,
                resumed: r.resumed,
                contacts_requested: r.contacts_requested,
                contacts_done: r.contacts_done,
                rows: area_counts(|table| done.get(table).copied().unwrap_or(0)),
                started_at: r.started_at,
                finished_at: r.finished_at,
                to_bin: r.to_bin,
                in_bin: r.in_bin,
                bin_of: r.bin_of,
                left_out_why: left_out_sentences(&left_out, needed_row),
                left_out,
            })
        })
        .collect()
}

/// The account's history; with `only_user`, just that user's bulk actions.
pub async fn list(db: &Db, account_id: i64, only_user: Option<i64>) -> Result<Vec<BulkActionRow>, AppError> {
    select(db, account_id, only_user, None).await
}

/// One bulk action of the account (and of `only_user`, if given): another account's or
/// another user's is "not found".
pub async fn get(db: &Db, account_id: i64, only_user: Option<i64>, id: i64) -> Result<BulkActionRow, AppError> {
    select(db, account_id, only_user, Some(id))
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound("There is no such bulk action in your history.".into()))
}

/// A bulk action about to run, held by `worker` until `lease_until_ms`.
pub struct Started<'a> {
    pub account_id: i64,
    pub user_id: Option<i64>,
    /// Unique per account: a second start with the same key records nothing.
    pub key: &'a str,
    pub action: Action,
    /// JSON of what it acts on, as the browser sent it, and the same in words.
    pub selection: String,
    pub description: String,
    pub contacts: i64,
    pub worker: &'a str,
    pub lease_until_ms: i64,
    /// A delete that moves what it deletes into the Recycle Bin.
    pub to_bin: bool,
    /// A restore or a purge: the delete whose rows in the bin it acts on.
    pub bin_of: Option<i64>,
}

/// The statement that records a bulk action as running and selects its id, or no row
/// if its key is taken already.
pub fn start_statement(db: &Db, started: &Started<'_>) -> Sql {
    let mut sql = db.sql(
        "INSERT INTO bulk_actions (account_id, user_id, request_key, action, selection, description, status, \
         contacts_requested, started_at, worker, lease_until_ms, to_bin, bin_of) VALUES ",
    );
    sql.bind_tuple([
        Arg::from(started.account_id),
        started.user_id.into(),
        started.key.into(),
        started.action.as_str().into(),
        started.selection.as_str().into(),
        started.description.as_str().into(),
        Status::Running.as_str().into(),
        started.contacts.into(),
        now().into(),
        started.worker.into(),
        started.lease_until_ms.into(),
        started.to_bin.into(),
        started.bin_of.into(),
    ]);
    sql.push(" ON CONFLICT (account_id, request_key) DO NOTHING RETURNING id");
    sql
}

/// A selection of contacts as [`Started`] records it: its JSON and its description.
pub fn recorded(selection: &Selection) -> Result<(String, String), AppError> {
    Ok((serde_json::to_string(selection).map_err(AppError::internal)?, selection.describe()))
}
