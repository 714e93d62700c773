//! Accounts and their users.

use super::cascade::count_for_account;
use super::{now, Arg, Db};
use crate::error::AppError;

/// The account the contacts pages act on. Until sign-in exists this is the oldest
/// account (the demo account); sign-in will replace it with the session's account.
pub async fn current(db: &Db) -> Result<i64, AppError> {
    db.fetch_opt_i64(&db.sql("SELECT MIN(id) FROM accounts"))
        .await?
        .ok_or_else(|| AppError::NotFound("There is no account yet: start the server once to create the demo account.".into()))
}

pub async fn create(db: &Db, name: &str) -> Result<i64, AppError> {
    let mut sql = db.sql("INSERT INTO accounts (name, created_at) VALUES (");
    sql.bind(name).push(", ").bind(now()).push(") RETURNING id");
    db.fetch_i64(&sql).await
}

pub async fn count(db: &Db) -> Result<i64, AppError> {
    db.fetch_i64(&db.sql("SELECT COUNT(*) FROM accounts")).await
}

pub async fn add_user(db: &Db, account_id: i64, email: &str, name: &str, role: &str) -> Result<i64, AppError> {
    let mut sql = db.sql("INSERT INTO users (account_id, email, name, role, created_at) VALUES ");
    sql.bind_tuple([Arg::from(account_id), email.into(), name.into(), role.into(), now().into()])
        .push(" RETURNING id");
    db.fetch_i64(&sql).await
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
