//! A [`Filter`] as SQL: conditions on `contacts` appended to a WHERE clause, every value
//! bound as a parameter. The same text runs on both engines.

use super::contacts::escape_like;
use super::Sql;
use crate::dates::SECONDS_PER_DAY;
use crate::error::AppError;
use crate::filter::{DuplicateKey, Filter};

/// Refuses a filter no list can mean (the browser checks too; the server decides).
pub fn validate(filter: &Filter) -> Result<(), AppError> {
    filter.validate().map_err(AppError::BadRequest)
}

/// Appends ` AND …` for each part of a validated filter on the account's contacts.
/// `now` (epoch seconds) is the moment "older than N days" counts back from.
pub fn push_conditions(sql: &mut Sql, account_id: i64, filter: &Filter, now: i64) {
    // Tags are stored lower case and comma separated: ",lead,vip," holds ",lead,".
    for (tags, negate) in [(&filter.tags, ""), (&filter.not_tags, "NOT ")] {
        for tag in tags {
            sql.push(" AND ").push(negate).push("(',' || tags || ',') LIKE ");
            sql.bind(format!("%,{},%", escape_like(&tag.to_lowercase()))).push(" ESCAPE '\\'");
        }
    }
    if !filter.sources.is_empty() {
        sql.push(" AND LOWER(source) IN ").bind_tuple(filter.sources.iter().map(|s| s.to_lowercase()));
    }
    if let Some(from) = filter.created_from {
        sql.push(" AND created_at >= ").bind(from.start());
    }
    if let Some(before) = filter.created_before {
        sql.push(" AND created_at < ").bind(before.start());
    }
    if let Some(days) = filter.inactive_days {
        sql.push(" AND last_activity_at < ").bind(now - i64::from(days) * SECONDS_PER_DAY);
    }
    if filter.never_active {
        sql.push(" AND last_activity_at IS NULL");
    }
    for (wanted, column) in [(filter.has_email, "email_norm"), (filter.has_phone, "phone_norm")] {
        if let Some(wanted) = wanted {
            sql.push(" AND ").push(column).push(if wanted { " IS NOT NULL" } else { " IS NULL" });
        }
    }
    if let Some(d) = filter.duplicates {
        let keys: &[&str] = match d.by {
            DuplicateKey::Email => &["email_norm"],
            DuplicateKey::Phone => &["phone_norm"],
            DuplicateKey::EmailOrPhone => &["email_norm", "phone_norm"],
        };
        // In a group: the contact's id is among those of the account's contacts whose
        // key another contact shares. The shared keys come from one grouped pass over
        // the (account_id, key) index; as a plain `id IN (…)` (no OR around it) both
        // engines run it as one hashed or materialized semi-join, not once per contact.
        sql.push(" AND contacts.id IN (");
        for (i, key) in keys.iter().enumerate() {
            if i > 0 {
                sql.push(" UNION ");
            }
            sql.push("SELECT g.id FROM contacts g WHERE g.account_id = ").bind(account_id);
            sql.push(" AND g.")
                .push(key)
                .push(" IN (SELECT ")
                .push(key)
                .push(" FROM contacts WHERE account_id = ")
                .bind(account_id);
            sql.push(" AND ").push(key).push(" IS NOT NULL GROUP BY ").push(key).push(" HAVING COUNT(*) > 1)");
        }
        sql.push(")");
        if d.all_but_oldest {
            // An extra copy: for each key it has, an older contact shares it. So the
            // oldest of every email group and of every phone group is never included.
            for key in keys {
                sql.push(" AND (").push(key).push(" IS NULL OR ");
                push_older(sql, key);
                sql.push(")");
            }
        }
    }
}

/// `EXISTS` a contact `d` of the same account with the same `key`, created before this
/// one (ties broken by id), found through the (account_id, key) index.
fn push_older(sql: &mut Sql, key: &str) {
    sql.push("EXISTS (SELECT 1 FROM contacts d WHERE d.account_id = contacts.account_id AND d.");
    sql.push(key).push(" = contacts.").push(key);
    sql.push(
        " AND (d.created_at < contacts.created_at OR (d.created_at = contacts.created_at AND d.id < contacts.id)))",
    );
}
