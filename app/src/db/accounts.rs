//! Accounts and their users.

use super::cascade::count_for_account;
use super::{now, Db};
use crate::error::AppError;

/// The account with this name (the oldest, if several share it).
pub async fn by_name(db: &Db, name: &str) -> Result<Option<i64>, AppError> {
    let mut sql = db.sql("SELECT MIN(id) FROM accounts WHERE name = ");
    sql.bind(name);
    db.fetch_opt_i64(&sql).await
}

pub async fn create(db: &Db, name: &str) -> Result<i64, AppError> {
    let mut sql = db.sql("INSERT INTO accounts (name, created_at) VALUES (");
    sql.bind(name).push(", ").bind(now()).push(") RETURNING id");
    db.fetch_i64(&sql).await
}

pub async fn count(db: &Db) -> Result<i64, AppError> {
    db.fetch_i64(&db.sql("SELECT COUNT(*) FROM accounts")).await
}

/// Every account with its contacts, campaigns and related rows per area, as JSON.
pub async fn stats(db: &Db) -> Result<serde_json::Value, AppError> {
    let accounts: Vec<(i64, String)> = db.fetch_all(&db.sql("SELECT id, name FROM accounts ORDER BY id")).await?;
    let mut out = Vec::new();
    for (id, name) in accounts {
        let count = |table: &str| {
            let mut sql = db.sql(&format!("SELECT COUNT(*) FROM {table} WHERE account_id = "));
            sql.bind(id);
            sql
        };
        let areas: serde_json::Map<String, serde_json::Value> = count_for_account(db, id)
            .await?
            .into_iter()
            .map(|(area, rows)| (area.table.to_string(), rows.into()))
            .collect();
        out.push(serde_json::json!({
            "id": id,
            "name": name,
            "contacts": db.fetch_i64(&count("contacts")).await?,
            "campaigns": db.fetch_i64(&count("campaigns")).await?,
            "areas": areas,
        }));
    }
    Ok(serde_json::json!({ "accounts": out }))
}

/// How many days the account keeps deleted contacts in the Recycle Bin (0: deletes are
/// permanent).
pub async fn keep_deleted_days(db: &Db, account_id: i64) -> Result<i64, AppError> {
    let mut sql = db.sql("SELECT keep_deleted_days FROM accounts WHERE id = ");
    sql.bind(account_id);
    db.fetch_opt_i64(&sql).await?.ok_or_else(|| AppError::NotFound("There is no such account.".into()))
}

/// Sets [`keep_deleted_days`], which must be within [`crate::recycle::KEEP_DAYS`].
pub async fn set_keep_deleted_days(db: &Db, account_id: i64, days: i64) -> Result<(), AppError> {
    crate::recycle::check_keep_days(days)?;
    let mut sql = db.sql("UPDATE accounts SET keep_deleted_days = ");
    sql.bind(days).push(" WHERE id = ").bind(account_id);
    db.execute(&sql).await.map(drop)
}
