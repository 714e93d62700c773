//! The SQL of durable jobs: a running bulk action is held by one worker (a server
//! process) through a lease on its `bulk_actions` row. The holder renews the lease
//! while it works; when it stops renewing (crash, kill -9, lost network), the lease
//! runs out and any worker may take the job over. Every write a job makes checks that
//! it still holds the lease, so two workers never run one job at once.

use super::{now, Db, Sql};
use crate::bulk_action::{Action, Status};
use crate::error::AppError;

/// Now, in epoch milliseconds (the unit of `lease_until_ms`).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// `WHERE id = ? AND worker = ? AND status = 'running'`: the job, if `worker` holds it.
pub(crate) fn push_held(sql: &mut Sql, id: i64, worker: &str) {
    sql.push(" WHERE id = ").bind(id).push(" AND worker = ").bind(worker);
    sql.push(" AND status = ").bind(Status::Running.as_str());
}

/// A job taken over from a worker that stopped renewing its lease.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claimed {
    pub id: i64,
    pub action: Action,
}

/// Takes over the oldest running delete, restore or purge whose lease has run out, for `worker`, until
/// `lease_ms` from now. The UPDATE re-checks the expiry on the row it changes, so of
/// two workers racing for one job exactly one gets it; on PostgreSQL the others skip
/// the locked row instead of waiting for it.
pub async fn claim_abandoned(db: &Db, worker: &str, lease_ms: i64) -> Result<Option<Claimed>, AppError> {
    let now = now_ms();
    let mut sql = db.sql("UPDATE bulk_actions SET worker = ");
    sql.bind(worker).push(", lease_until_ms = ").bind(now + lease_ms).push(", resumed = resumed + 1");
    sql.push(" WHERE status = ").bind(Status::Running.as_str()).push(" AND lease_until_ms < ").bind(now);
    sql.push(" AND id = (SELECT id FROM bulk_actions WHERE status = ").bind(Status::Running.as_str());
    sql.push(" AND action IN ").bind_tuple([Action::Delete, Action::Restore, Action::Purge].map(Action::as_str));
    sql.push(" AND lease_until_ms < ").bind(now);
    sql.push(" ORDER BY id LIMIT 1").push(db.dialect().skip_locked_clause()).push(") RETURNING id, action");
    let claimed: Option<(i64, String)> = db.fetch_all(&sql).await?.pop();
    claimed.map(|(id, action)| Ok(Claimed { id, action: Action::try_from(action)? })).transpose()
}

/// Whether a delete, restore or purge is running now, on any server (its lease not run
/// out).
pub async fn any_running(db: &Db) -> Result<bool, AppError> {
    let mut sql = db.sql("SELECT EXISTS (SELECT 1 FROM bulk_actions WHERE status = ");
    sql.bind(Status::Running.as_str());
    sql.push(" AND action IN ").bind_tuple([Action::Delete, Action::Restore, Action::Purge].map(Action::as_str));
    sql.push(" AND lease_until_ms > ").bind(now_ms()).push(")");
    Ok(db.fetch_i64(&sql).await? != 0)
}

/// Renews the lease of every running job `worker` holds; returns how many it holds.
pub async fn renew_all(db: &Db, worker: &str, lease_ms: i64) -> Result<u64, AppError> {
    let mut sql = db.sql("UPDATE bulk_actions SET lease_until_ms = ");
    sql.bind(now_ms() + lease_ms).push(" WHERE worker = ").bind(worker);
    sql.push(" AND status = ").bind(Status::Running.as_str());
    db.execute(&sql).await
}

/// The statement that renews one job's lease if `worker` still holds it and no one
/// asked it to stop: the first statement of each chunk's transaction, which goes no
/// further unless it changed the row.
pub fn renew_unless_stopped(db: &Db, id: i64, worker: &str, lease_ms: i64) -> Sql {
    let mut sql = db.sql("UPDATE bulk_actions SET lease_until_ms = ");
    sql.bind(now_ms() + lease_ms);
    push_held(&mut sql, id, worker);
    sql.push(" AND cancel_requested = ").bind(false);
    sql
}

/// Lets go of a job without finishing it (the server is shutting down): another
/// worker, or this server after its restart, takes it over at once.
pub async fn release(db: &Db, id: i64, worker: &str) -> Result<(), AppError> {
    let mut sql = db.sql("UPDATE bulk_actions SET worker = NULL, lease_until_ms = 0");
    push_held(&mut sql, id, worker);
    db.execute(&sql).await.map(drop)
}

/// Records how a job ended, if `worker` still holds it (exports pass the worker
/// that streams them too), and forgets the contacts it had left to do. Returns whether
/// it did (a job taken over meanwhile is the other worker's to finish).
pub async fn finish(db: &Db, id: i64, worker: &str, status: Status) -> Result<bool, AppError> {
    let mut tx = db.begin().await?;
    let mut sql = db.sql("UPDATE bulk_actions SET status = ");
    sql.bind(status.as_str()).push(", finished_at = ").bind(now()).push(", lease_until_ms = 0");
    push_held(&mut sql, id, worker);
    if tx.execute(&sql).await? == 0 {
        return Ok(false);
    }
    let mut targets = db.sql("DELETE FROM bulk_action_targets WHERE bulk_action_id = ");
    targets.bind(id);
    tx.execute(&targets).await?;
    tx.commit().await?;
    Ok(true)
}

/// Marks failed the exports whose server stopped while streaming them: the download
/// went with that server, so no one can finish it.
pub async fn fail_abandoned_exports(db: &Db) -> Result<u64, AppError> {
    let mut sql = db.sql("UPDATE bulk_actions SET status = ");
    sql.bind(Status::Failed.as_str()).push(", finished_at = ").bind(now());
    sql.push(" WHERE status = ").bind(Status::Running.as_str()).push(" AND action = ").bind(Action::Export.as_str());
    sql.push(" AND lease_until_ms < ").bind(now_ms());
    db.execute(&sql).await
}

/// Who holds the job, and whether someone asked it to stop.
#[derive(sqlx::FromRow, Debug)]
pub struct Holder {
    pub worker: Option<String>,
    pub cancel_requested: bool,
    #[sqlx(try_from = "String")]
    pub status: Status,
}

pub async fn holder(db: &Db, id: i64) -> Result<Holder, AppError> {
    let mut sql = db.sql("SELECT worker, cancel_requested, status FROM bulk_actions WHERE id = ");
    sql.bind(id);
    db.fetch_all::<Holder>(&sql).await?.pop().ok_or_else(|| AppError::internal(format!("no bulk action {id}")))
}
