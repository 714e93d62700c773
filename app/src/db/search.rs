//! The list's search as SQL: a substring of the name or email, or the digits of a phone
//! number, whatever their case or formatting. Both engines answer it from an index made
//! for substrings (migrations 0008): PostgreSQL from pg_trgm GIN indexes, which its
//! planner uses for the same LIKEs the scan runs; SQLite from an FTS5 table with the
//! trigram tokenizer, whose rows of deleted contacts are dropped later, in small batches
//! ([`forget_deleted`]), not in the delete's transactions. [`SearchPath::Scan`] is the
//! reference the index is tested against, and SQLite's path for searches shorter than a
//! trigram: the same LIKEs on an expression no index holds.

use super::contacts::{escape_like, normalize_phone};
use super::{Db, Dialect, Sql};
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

/// Fewer characters than this make no trigram: the index cannot answer them. Also the
/// digits a phone search needs (fewer would match almost every phone).
const TRIGRAM: usize = 3;

impl Terms {
    /// None for a blank search (it matches every contact).
    fn of(search: &str) -> Option<Terms> {
        // name_norm and email_norm are stored lower case (Unicode aware, in Rust): the
        // search is lowered the same way, so both paths compare exact substrings.
        let text = key(search);
        if text.is_empty() {
            return None;
        }
        let digits = normalize_phone(&text);
        let phone_like = text.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
        let digits = (digits.len() >= TRIGRAM && phone_like).then_some(digits);
        Some(Terms { text, digits })
    }

    /// Whether the engine finds its matches in SQLite's search index: on SQLite, for a
    /// trigram or more.
    fn in_sqlite_index(&self, dialect: Dialect) -> bool {
        dialect == Dialect::Sqlite && self.text.chars().count() >= TRIGRAM
    }

    /// The FTS5 query: the text as one phrase in the name or email columns, or the
    /// digits as one in the phone column. With the trigram tokenizer a phrase matches
    /// where its characters appear in a row, in order and side by side: a substring.
    fn fts_query(&self) -> String {
        let phrase = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let mut query = format!("{{name_norm email_norm}} : {}", phrase(&self.text));
        if let Some(digits) = &self.digits {
            query.push_str(" OR phone_norm : ");
            query.push_str(&phrase(digits));
        }
        query
    }
}

/// What a search looks for, as one string: two searches with the same key match the same
/// contacts (all the rest is derived from it), so a server may remember either's answer
/// for the other.
pub(crate) fn key(search: &str) -> String {
    search.trim().to_lowercase()
}

/// Appends ` AND …` for the contacts (of the table `contacts`) that `search` matches.
pub fn push_search(sql: &mut Sql, search: &str, path: SearchPath) {
    let Some(terms) = Terms::of(search) else { return };
    if path == SearchPath::Index && terms.in_sqlite_index(sql.dialect()) {
        // The index may still hold rows of deleted contacts: joined with `contacts`,
        // they match nothing (ids are never reused).
        sql.push(" AND contacts.id IN (SELECT rowid FROM contact_search WHERE contact_search MATCH ");
        sql.bind(terms.fts_query()).push(")");
        return;
    }
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

/// Whether SQLite finds the contacts `search` matches in its search index, by id (the
/// product's path, [`SearchPath::Index`]).
pub(crate) fn found_by_id(dialect: Dialect, search: &str) -> bool {
    Terms::of(search).is_some_and(|terms| terms.in_sqlite_index(dialect))
}

/// The ids of the account's contacts that `search` matches, in id order, found by `path`.
pub async fn matching_ids(db: &Db, account_id: i64, search: &str, path: SearchPath) -> Result<Vec<i64>, AppError> {
    let mut sql = db.sql("SELECT id FROM contacts WHERE account_id = ");
    sql.bind(account_id);
    push_search(&mut sql, search, path);
    sql.push(" ORDER BY id");
    db.fetch_ids(&sql).await
}

/// Drops from SQLite's search index the rows of up to `batch` deleted contacts, in one
/// short transaction; returns how many it dropped (0 when none is left, and on
/// PostgreSQL, whose indexes follow every delete). The job runner calls it until it
/// returns 0, pausing between batches so that other writers get their turn.
pub async fn forget_deleted(db: &Db, batch: usize) -> Result<u64, AppError> {
    if db.dialect() != Dialect::Sqlite {
        return Ok(0);
    }
    // A read first, outside any transaction: most of the time there is nothing to do,
    // and no write lock is taken for it.
    if db.fetch_i64(&db.sql("SELECT EXISTS (SELECT 1 FROM contact_search_stale)")).await? == 0 {
        return Ok(0);
    }
    // The transaction holds the write lock from its start (`Db::begin`): both statements
    // take the same first `batch` queued ids, as nothing else writes in between.
    let oldest = |sql: &mut Sql| {
        sql.push(" IN (SELECT contact_id FROM contact_search_stale ORDER BY contact_id LIMIT ");
        sql.bind(batch as i64).push(")");
    };
    let mut rows = db.sql("DELETE FROM contact_search WHERE rowid");
    oldest(&mut rows);
    let mut done = db.sql("DELETE FROM contact_search_stale WHERE contact_id");
    oldest(&mut done);
    Ok(db.execute_in_transaction(&[rows, done]).await?[1])
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
        assert_eq!(Terms::of("55").unwrap().digits, None, "two digits make no trigram");
        assert_eq!(Terms::of("room 101").unwrap().digits, None, "letters: not a phone");
    }

    #[test]
    fn quotes_in_a_search_stay_inside_its_phrase() {
        let terms = Terms::of("o\"brien").unwrap();
        assert_eq!(terms.fts_query(), "{name_norm email_norm} : \"o\"\"brien\"");
        let phone = Terms::of("555-0100").unwrap();
        assert_eq!(phone.fts_query(), "{name_norm email_norm} : \"555-0100\" OR phone_norm : \"5550100\"");
    }
}
