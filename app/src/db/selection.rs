//! Turning a [`Selection`] into the contacts it means, inside one account.

use super::contacts::{id_high_water, push_matching, push_watermark, validate_search};
use super::{Db, Sql};
use crate::error::AppError;
use crate::model::{Selection, MAX_SELECTION_IDS};

/// Refuses a malformed selection before it touches any data, and one that names a
/// contact outside the account (another account's, or one deleted meanwhile): "not
/// found", so that nothing is counted or deleted on a request that is partly wrong.
pub async fn validate(db: &Db, account_id: i64, selection: &Selection) -> Result<(), AppError> {
    let too_many = || {
        AppError::bad_request(format!(
            "A selection may name at most {MAX_SELECTION_IDS} contacts one by one; use “Select all” instead."
        ))
    };
    match selection {
        Selection::Ids { ids } => {
            if ids.is_empty() {
                return Err(AppError::bad_request("No contacts are selected."));
            }
            if ids.len() > MAX_SELECTION_IDS {
                return Err(too_many());
            }
            let named: std::collections::BTreeSet<i64> = ids.iter().copied().collect();
            if count(db, account_id, selection).await? != named.len() as i64 {
                return Err(AppError::NotFound(
                    "Some of the selected contacts do not exist in your account (they may have just been deleted). \
                     Nothing was changed; reload the list and select again."
                        .into(),
                ));
            }
        }
        Selection::All { search, filter, smart_list, except, watermark: mark, as_of } => {
            validate_search(search)?;
            super::filter::validate(filter)?;
            if let Some(list) = smart_list {
                super::smart_lists::check_selection(db, account_id, list, search, filter).await?;
            }
            if except.len() > MAX_SELECTION_IDS {
                return Err(too_many());
            }
            // The watermark must be one the server can have handed out: not negative, not
            // above the highest id ever given to a contact.
            if *mark < 0 || *mark > id_high_water(db).await? {
                return Err(AppError::bad_request(
                    "This selection is not valid (its moment is unknown). Reload the list and select again.",
                ));
            }
            // The moment relative filters count back from is one the server handed out:
            // not before 1970, not in the future (a minute's leeway between servers).
            if as_of.is_some_and(|t| t < 0 || t > super::now() + 60) {
                return Err(AppError::bad_request(
                    "This selection is not valid (its moment is in the future). Reload the list and select again.",
                ));
            }
        }
    }
    Ok(())
}

/// Appends `SELECT id FROM contacts WHERE …`: the ids of the account's contacts the
/// selection means. Ids of other accounts or of no contact simply match nothing.
pub fn push_ids(sql: &mut Sql, account_id: i64, selection: &Selection) {
    sql.push("SELECT id FROM contacts");
    push_where(sql, account_id, selection);
}

/// Appends ` WHERE …` (on `contacts`) for the account's contacts the selection means.
pub fn push_where(sql: &mut Sql, account_id: i64, selection: &Selection) {
    match selection {
        Selection::Ids { ids } => {
            sql.push(" WHERE account_id = ").bind(account_id).push(" AND ").push_in_ids("id", ids);
        }
        Selection::All { search, filter, except, watermark, as_of, .. } => {
            push_matching(sql, account_id, search, filter, as_of.unwrap_or_else(super::now));
            push_watermark(sql, *watermark);
            if !except.is_empty() {
                sql.push(" AND ").push_not_in_ids("id", except);
            }
        }
    }
}

/// How many contacts the selection means now.
pub async fn count(db: &Db, account_id: i64, selection: &Selection) -> Result<i64, AppError> {
    let mut sql = db.sql("SELECT COUNT(*) FROM (");
    push_ids(&mut sql, account_id, selection);
    sql.push(") selected");
    db.fetch_i64(&sql).await
}
