//! The list's search as SQL: a substring of the name or email, or the digits of a phone
//! number, whatever their case or formatting. On PostgreSQL the planner answers the
//! LIKEs from trigram GIN indexes (pg_trgm, migration 0008). On SQLite they are still a
//! scan of the account: an FTS5 trigram table answered searches in 5 ms at 100,000
//! contacts, but keeping it in step made a bulk delete of 1,000,000 contacts 4.5 times
//! slower (README, issue 12), so it waits for a deferred clean-up of deleted rows.
//! [`SearchPath::Scan`] is the reference the index is tested against: the same LIKEs on
//! an expression no index holds.

use super::contacts::{escape_like, normalize_phone};
use super::{Db, Sql};
use crate::error::AppError;

/// How a search finds its contacts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchPath {
    /// What the product runs: the engine may use its substring index.
    Index,
    /// LIKE over every contact of the account, no index possible (the reference).
    Scan,
}

/// What a search looks for: the lower-case text in names and emails, and the digits in
/// phones when the search looks like a phone number.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Terms {
    text: String,
    digits: Option<String>,
}

/// A phone search needs this many digits (fewer would match almost every phone).
const MIN_PHONE_DIGITS: usize = 3;

impl Terms {
    /// None for a blank search (it matches every contact).
    fn of(search: &str) -> Option<Terms> {
        // name_norm and email_norm are stored lower case (Unicode aware, in Rust): the
        // search is lowered the same way, so both paths compare exact substrings.
        let text = search.trim().to_lowercase();
        if text.is_empty() {
            return None;
        }
        let digits = normalize_phone(&text);
        let phone_like = text.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
        let digits = (digits.len() >= MIN_PHONE_DIGITS && phone_like).then_some(digits);
        Some(Terms { text, digits })
    }
}

/// Appends ` AND …` for the contacts (of the table `contacts`) that `search` matches.
pub fn push_search(sql: &mut Sql, search: &str, path: SearchPath) {
    let Some(terms) = Terms::of(search) else { return };
    // `column || ''` is the same text, but no index holds it: the planner must scan.
    let column = |name: &str| match path {
        SearchPath::Index => name.to_string(),
        SearchPath::Scan => format!("({name} || '')"),
    };
    let pattern = format!("%{}%", escape_like(&terms.text));
    sql.push(" AND (").push(&column("name_norm")).push(" LIKE ").bind(pattern.clone()).push(" ESCAPE '\\'");
    sql.push(" OR ").push(&column("email_norm")).push(" LIKE ").bind(pattern).push(" ESCAPE '\\'");
    if let Some(digits) = &terms.digits {
        sql.push(" OR ").push(&column("phone_norm")).push(" LIKE ").bind(format!("%{digits}%"));
    }
    sql.push(")");
}

/// The ids of the account's contacts that `search` matches, in id order, found by `path`.
pub async fn matching_ids(db: &Db, account_id: i64, search: &str, path: SearchPath) -> Result<Vec<i64>, AppError> {
    let mut sql = db.sql("SELECT id FROM contacts WHERE account_id = ");
    sql.bind(account_id);
    push_search(&mut sql, search, path);
    sql.push(" ORDER BY id");
    db.fetch_ids(&sql).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_is_lowered_and_read_as_a_phone_only_when_it_looks_like_one() {
        assert_eq!(Terms::of("  "), None);
        let name = Terms::of(" ÖZdemir ").unwrap();
        assert_eq!((name.text.as_str(), name.digits), ("özdemir", None));
        let phone = Terms::of("(555) 010-0042").unwrap();
        assert_eq!(phone.digits.as_deref(), Some("5550100042"));
        assert_eq!(Terms::of("55").unwrap().digits, None, "two digits are not a phone search");
        assert_eq!(Terms::of("room 101").unwrap().digits, None, "letters: not a phone");
    }
}
