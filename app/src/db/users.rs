//! The account's users: sign-in lookups, the Team page and the bulk-delete grant.

use super::{now, Arg, Db};
use crate::error::{AppError, OnConflict};
use crate::team::{Role, TeamMember, Viewer};

/// A user as the server knows them, with the name of their account.
#[derive(Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub account_id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub can_bulk_delete: bool,
    pub account_name: String,
}

// The hash stays out of logs.
impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User").field("id", &self.id).field("account_id", &self.account_id).finish_non_exhaustive()
    }
}

impl User {
    pub fn role(&self) -> Role {
        // The column's CHECK allows only the two roles; anything else is treated as the lesser.
        Role::parse(&self.role).unwrap_or(Role::User)
    }

    pub fn may_bulk_delete(&self) -> bool {
        crate::team::may_bulk_delete(self.role(), self.can_bulk_delete)
    }

    pub fn viewer(&self) -> Viewer {
        Viewer {
            name: self.name.clone(),
            email: self.email.clone(),
            role: self.role(),
            account: self.account_name.clone(),
            may_bulk_delete: self.may_bulk_delete(),
        }
    }
}

/// Emails compare case-insensitively and without surrounding spaces.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn select_where(db: &Db) -> super::Sql {
    db.sql(
        "SELECT u.id, u.account_id, u.email, u.name, u.role, u.password_hash, u.can_bulk_delete, \
         a.name AS account_name FROM users u JOIN accounts a ON a.id = u.account_id WHERE ",
    )
}

/// How many users there are, in all accounts.
pub async fn count(db: &Db) -> Result<i64, AppError> {
    db.fetch_i64(&db.sql("SELECT COUNT(*) FROM users")).await
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<User>, AppError> {
    let mut sql = select_where(db);
    sql.push("u.id = ").bind(id);
    Ok(db.fetch_all(&sql).await?.pop())
}

pub async fn by_email(db: &Db, email: &str) -> Result<Option<User>, AppError> {
    let mut sql = select_where(db);
    sql.push("u.email = ").bind(normalize_email(email));
    Ok(db.fetch_all(&sql).await?.pop())
}

/// Adds a user; `password_hash` is a PHC string from [`crate::auth::password::hash`].
pub async fn create(
    db: &Db,
    account_id: i64,
    email: &str,
    name: &str,
    role: Role,
    password_hash: &str,
) -> Result<i64, AppError> {
    let mut sql = db.sql("INSERT INTO users (account_id, email, name, role, password_hash, created_at) VALUES ");
    sql.bind_tuple([
        Arg::from(account_id),
        normalize_email(email).into(),
        name.into(),
        role.as_str().into(),
        password_hash.into(),
        now().into(),
    ])
    .push(" RETURNING id");
    db.fetch_i64(&sql).await.on_conflict(|| format!("A user with the email {} exists already.", normalize_email(email)))
}

/// Sets the user's password hash and takes back any grant (used by the demo reset).
pub async fn reset(db: &Db, user_id: i64, password_hash: &str) -> Result<(), AppError> {
    let mut sql = db.sql("UPDATE users SET can_bulk_delete = ");
    sql.bind(false).push(", password_hash = ").bind(password_hash).push(" WHERE id = ").bind(user_id);
    db.execute(&sql).await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: i64,
    name: String,
    email: String,
    role: String,
    can_bulk_delete: bool,
}

impl From<MemberRow> for TeamMember {
    fn from(r: MemberRow) -> Self {
        TeamMember {
            id: r.id,
            name: r.name,
            email: r.email,
            role: Role::parse(&r.role).unwrap_or(Role::User),
            granted_bulk_delete: r.can_bulk_delete,
        }
    }
}

fn members_where(db: &Db, account_id: i64) -> super::Sql {
    let mut sql = db.sql("SELECT id, name, email, role, can_bulk_delete FROM users WHERE account_id = ");
    sql.bind(account_id);
    sql
}

/// The account's users: admins first, then by name.
pub async fn team(db: &Db, account_id: i64) -> Result<Vec<TeamMember>, AppError> {
    let mut sql = members_where(db, account_id);
    sql.push(" ORDER BY CASE role WHEN 'admin' THEN 0 ELSE 1 END, name, id");
    Ok(db.fetch_all::<MemberRow>(&sql).await?.into_iter().map(TeamMember::from).collect())
}

/// Grants or takes back the bulk-delete permission of a user of the account. A user
/// of another account is "not found"; admins need no grant.
pub async fn set_bulk_delete(db: &Db, account_id: i64, user_id: i64, granted: bool) -> Result<TeamMember, AppError> {
    let mut find = members_where(db, account_id);
    find.push(" AND id = ").bind(user_id);
    let member: TeamMember = db
        .fetch_all::<MemberRow>(&find)
        .await?
        .pop()
        .map(TeamMember::from)
        .ok_or_else(|| AppError::NotFound("There is no such user in your account.".into()))?;
    if member.role == Role::Admin {
        return Err(AppError::bad_request(format!("{} is an admin: admins may always bulk delete.", member.name)));
    }
    let mut update = db.sql("UPDATE users SET can_bulk_delete = ");
    update.bind(granted).push(" WHERE account_id = ").bind(account_id).push(" AND id = ").bind(user_id);
    db.execute(&update).await?;
    Ok(TeamMember { granted_bulk_delete: granted, ..member })
}
