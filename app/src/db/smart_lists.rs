//! Smart Lists of an account: saved, reopened, counted, updated, renamed and deleted.
//! Deleting a Smart List never touches its contacts. A list is counted on its own
//! ([`count_of`]): the contacts page asks for each tab's count after it is shown.

use super::contacts::{push_matching, validate_search};
use super::{now, Arg, Db};
use crate::error::{AppError, OnConflict};
use crate::filter::Filter;
use crate::smart_list::{checked_name, SmartList, SmartListRef};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    name: String,
    search: String,
    filter: String,
}

fn parse(row: Row) -> Result<SmartList, AppError> {
    let filter: Filter = serde_json::from_str(&row.filter).map_err(AppError::internal)?;
    Ok(SmartList { id: row.id, name: row.name, search: row.search, filter })
}

fn select(db: &Db, account_id: i64) -> super::Sql {
    let mut sql = db.sql("SELECT id, name, search, filter FROM smart_lists WHERE account_id = ");
    sql.bind(account_id);
    sql
}

/// The account's Smart Lists by name (not counted: see [`count_of`]).
pub async fn list(db: &Db, account_id: i64) -> Result<Vec<SmartList>, AppError> {
    let mut sql = select(db, account_id);
    sql.push(" ORDER BY name, id");
    db.fetch_all::<Row>(&sql).await?.into_iter().map(parse).collect()
}

async fn find(db: &Db, account_id: i64, id: i64) -> Result<Row, AppError> {
    let mut sql = select(db, account_id);
    sql.push(" AND id = ").bind(id);
    db.fetch_all::<Row>(&sql).await?.pop().ok_or_else(not_found)
}

/// One Smart List of the account; another account's is "not found".
pub async fn get(db: &Db, account_id: i64, id: i64) -> Result<SmartList, AppError> {
    parse(find(db, account_id, id).await?)
}

/// How many contacts one Smart List of the account holds now.
pub async fn count_of(db: &Db, account_id: i64, id: i64) -> Result<i64, AppError> {
    let list = get(db, account_id, id).await?;
    let mut sql = db.sql("SELECT COUNT(*) FROM contacts");
    push_matching(&mut sql, account_id, &list.search, &list.filter, now());
    db.fetch_i64(&sql).await
}

fn not_found() -> AppError {
    AppError::NotFound("There is no such Smart List in your account.".into())
}

fn validate(search: &str, filter: &Filter) -> Result<(), AppError> {
    validate_search(search)?;
    super::filter::validate(filter)
}

async fn name_taken(db: &Db, account_id: i64, name: &str, other_than: Option<i64>) -> Result<(), AppError> {
    let mut sql = db.sql("SELECT COUNT(*) FROM smart_lists WHERE account_id = ");
    sql.bind(account_id).push(" AND name = ").bind(name);
    if let Some(id) = other_than {
        sql.push(" AND id <> ").bind(id);
    }
    if db.fetch_i64(&sql).await? > 0 {
        return Err(name_conflict(name));
    }
    Ok(())
}

fn name_conflict(name: &str) -> AppError {
    AppError::Conflict(format!("There is already a Smart List named “{name}”."))
}

/// Saves the search and filter under a new name.
pub async fn create(
    db: &Db,
    account_id: i64,
    user_id: Option<i64>,
    name: &str,
    search: &str,
    filter: &Filter,
) -> Result<SmartList, AppError> {
    let name = checked_name(name).map_err(AppError::BadRequest)?;
    validate(search, filter)?;
    name_taken(db, account_id, &name, None).await?;
    let mut sql = db
        .sql("INSERT INTO smart_lists (account_id, name, search, filter, created_by, created_at, updated_at) VALUES ");
    sql.bind_tuple([
        Arg::from(account_id),
        name.as_str().into(),
        search.trim().into(),
        serde_json::to_string(filter).map_err(AppError::internal)?.into(),
        user_id.into(),
        now().into(),
        now().into(),
    ])
    .push(" RETURNING id");
    // The look-up above gives the usual answer; the unique index, the one for a twin
    // saved at the same moment.
    let id = db.fetch_i64(&sql).await.on_conflict(|| name_conflict(&name).to_string())?;
    get(db, account_id, id).await
}

async fn change(db: &Db, account_id: i64, id: i64, set: super::Sql) -> Result<SmartList, AppError> {
    let mut sql = set;
    sql.push(", updated_at = ").bind(now()).push(" WHERE account_id = ").bind(account_id).push(" AND id = ").bind(id);
    if db.execute(&sql).await? == 0 {
        return Err(not_found());
    }
    get(db, account_id, id).await
}

/// Makes the Smart List mean this search and filter from now on.
pub async fn update(db: &Db, account_id: i64, id: i64, search: &str, filter: &Filter) -> Result<SmartList, AppError> {
    validate(search, filter)?;
    let mut sql = db.sql("UPDATE smart_lists SET search = ");
    sql.bind(search.trim()).push(", filter = ").bind(serde_json::to_string(filter).map_err(AppError::internal)?);
    change(db, account_id, id, sql).await
}

pub async fn rename(db: &Db, account_id: i64, id: i64, name: &str) -> Result<SmartList, AppError> {
    let name = checked_name(name).map_err(AppError::BadRequest)?;
    find(db, account_id, id).await?;
    name_taken(db, account_id, &name, Some(id)).await?;
    let mut sql = db.sql("UPDATE smart_lists SET name = ");
    sql.bind(name.as_str());
    change(db, account_id, id, sql).await.on_conflict(|| name_conflict(&name).to_string())
}

/// Deletes the Smart List (its contacts stay).
pub async fn delete(db: &Db, account_id: i64, id: i64) -> Result<(), AppError> {
    let mut sql = db.sql("DELETE FROM smart_lists WHERE account_id = ");
    sql.bind(account_id).push(" AND id = ").bind(id);
    if db.execute(&sql).await? == 0 {
        return Err(not_found());
    }
    Ok(())
}

/// A selection made in a Smart List: the list must be the account's and still mean
/// the search and filter the selection carries.
pub async fn check_selection(
    db: &Db,
    account_id: i64,
    list: &SmartListRef,
    search: &str,
    filter: &Filter,
) -> Result<(), AppError> {
    let stored = get(db, account_id, list.id).await?;
    if stored.name != list.name || stored.search != search.trim() || &stored.filter != filter {
        return Err(AppError::Conflict(format!(
            "The Smart List “{}” was changed since you opened it. Nothing was changed; open it again and select again.",
            stored.name
        )));
    }
    Ok(())
}
