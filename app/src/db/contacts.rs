//! Contacts: writing them (with their normalized search columns) and listing them a
//! page at a time with keyset pagination.

use super::search::SearchPath;
use super::search_cache::{Page, Place};
use super::{Arg, Db, Sql};
use crate::cursor::Cursor;
use crate::error::AppError;
use crate::filter::Filter;
use crate::model::{Contact, ContactPage, ListQuery, MAX_SEARCH_CHARS, PAGE_SIZE};

/// A contact to be written. [`NewContact::COLUMNS`] and [`NewContact::values`] are the
/// one place that maps it to the table, for single inserts and for the generator.
#[derive(Clone, Debug, Default)]
pub struct NewContact {
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub tags: Vec<String>,
    pub source: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_activity_at: Option<i64>,
}

/// Lower case, every space removed: "  John.Smith @X.com" and "john.smith@x.com" agree.
pub fn normalize_email(email: &str) -> String {
    email.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase()
}

/// Digits only: "(555) 010-0199" and "555.010.0199" agree.
pub fn normalize_phone(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// The name as search sees it: "first last", lower case (Unicode aware, unlike SQLite's lower()).
pub fn normalize_name(first: &str, last: &str) -> String {
    format!("{} {}", first.trim(), last.trim()).trim().to_lowercase()
}

impl NewContact {
    /// The columns of a contact, its id first (the generator writes ids itself).
    pub const COLUMNS_WITH_ID: &'static [&'static str] = &[
        "id",
        "account_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "company",
        "tags",
        "source",
        "name_norm",
        "email_norm",
        "phone_norm",
        "created_at",
        "updated_at",
        "last_activity_at",
    ];
    /// The columns written for a new contact: all but the id.
    pub const COLUMNS: &'static [&'static str] = match Self::COLUMNS_WITH_ID.split_first() {
        Some((_, rest)) => rest,
        None => &[],
    };

    /// The values of [`NewContact::COLUMNS`], normalized columns derived here.
    pub fn values(&self, account_id: i64) -> Vec<Arg> {
        let email_norm = self.email.as_deref().map(normalize_email).filter(|e| !e.is_empty());
        let phone_norm = self.phone.as_deref().map(normalize_phone).filter(|p| !p.is_empty());
        let tags: Vec<String> = self.tags.iter().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()).collect();
        vec![
            account_id.into(),
            self.first_name.trim().into(),
            self.last_name.trim().into(),
            self.email.clone().into(),
            self.phone.clone().into(),
            self.company.clone().into(),
            tags.join(",").into(),
            self.source.clone().into(),
            normalize_name(&self.first_name, &self.last_name).into(),
            email_norm.into(),
            phone_norm.into(),
            self.created_at.into(),
            self.updated_at.into(),
            self.last_activity_at.into(),
        ]
    }
}

/// Inserts one contact; returns its id.
pub async fn insert(db: &Db, account_id: i64, contact: &NewContact) -> Result<i64, AppError> {
    let mut sql = db.sql("INSERT INTO contacts (");
    sql.push(&NewContact::COLUMNS.join(", ")).push(") VALUES ");
    sql.bind_tuple(contact.values(account_id)).push(" RETURNING id");
    db.fetch_i64(&sql).await
}

/// The columns of a [`Contact`].
macro_rules! contact_columns {
    () => {
        "id, first_name, last_name, email, phone, company, tags, source, created_at, updated_at, last_activity_at"
    };
}

/// Every column of [`Contact`], for the list and the export.
pub(crate) const SELECT_CONTACT: &str = concat!("SELECT ", contact_columns!(), " FROM contacts");
/// A [`Contact`]'s columns, for a statement that selects more.
const SELECT_CONTACT_COLUMNS: &str = concat!("SELECT ", contact_columns!());

/// The rows a search and a filter match within one account, as a WHERE clause.
/// `now` (epoch seconds) is the moment relative filters count back from.
pub(crate) fn push_matching(sql: &mut Sql, account_id: i64, search: &str, filter: &Filter, now: i64) {
    // Where SQLite finds the matches in its search index, it reads each one by id, and
    // `+` (the same value, no index) checks the account on that row. Otherwise the
    // planner checks it in the (account_id, id) index first and reads the row after,
    // when the statement needs more than the id: the first page of "smith" among
    // 100,000 contacts read each of its 419 matches twice (1.11 ms; 0.43 ms once, with
    // SQLite 3.46, the one the app bundles).
    let account = if super::search::found_by_id(sql.dialect(), search) { "+account_id" } else { "account_id" };
    sql.push(" WHERE ").push(account).push(" = ").bind(account_id);
    super::filter::push_conditions(sql, account_id, filter, now);
    super::search::push_search(sql, search, SearchPath::Index);
}

/// Escapes LIKE's wildcards so that a search for "50%" means the characters "50%".
pub(crate) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Refuses a search longer than the list accepts.
pub(crate) fn validate_search(search: &str) -> Result<(), AppError> {
    if search.chars().count() > MAX_SEARCH_CHARS {
        return Err(AppError::bad_request(format!(
            "The search is too long: at most {MAX_SEARCH_CHARS} characters, please shorten it."
        )));
    }
    // PostgreSQL text cannot hold NUL; no name, email or phone holds control characters.
    if search.chars().any(char::is_control) {
        return Err(AppError::bad_request("The search contains control characters; type plain text."));
    }
    Ok(())
}

/// The highest contact id of any account now. Ids are never reused, so contacts created
/// later have higher ids: this is the watermark of a selection.
pub async fn watermark(db: &Db) -> Result<i64, AppError> {
    db.fetch_i64(&db.sql("SELECT COALESCE(MAX(id), 0) FROM contacts")).await
}

/// What the list reads of an account before a page, in one statement, so from one
/// snapshot.
#[derive(Clone, Copy, Debug, sqlx::FromRow)]
struct AccountState {
    /// The highest contact id of any account (see [`watermark`]).
    watermark: i64,
    /// The number of the account's contacts (all of them at or below the watermark):
    /// the one the database keeps in step with the contacts (`contact_counts`), not
    /// counted at each request.
    contacts: i64,
    /// The account's change number (migrations 0012): the state a remembered search
    /// must have been found at ([`SearchCache`](super::SearchCache)).
    changes: i64,
}

async fn account_state(db: &Db, account_id: i64) -> Result<AccountState, AppError> {
    let mut sql = db.sql(
        "SELECT (SELECT COALESCE(MAX(id), 0) FROM contacts) AS watermark, \
         COALESCE(counts.contacts, 0) AS contacts, COALESCE(counts.changes, 0) AS changes \
         FROM (SELECT 1) AS one LEFT JOIN contact_counts AS counts ON counts.account_id = ",
    );
    sql.bind(account_id);
    let row: Option<AccountState> = db.fetch_all(&sql).await?.pop();
    row.ok_or_else(|| AppError::internal("the account's state statement returned no row"))
}

/// The highest contact id ever handed out (deleted contacts included): no watermark the
/// server gave can be above it.
pub async fn id_high_water(db: &Db) -> Result<i64, AppError> {
    db.fetch_i64(&db.sql(&db.dialect().id_high_water_statement("contacts"))).await
}

fn validate(query: &ListQuery) -> Result<(Option<Cursor>, Option<Cursor>), AppError> {
    validate_search(&query.search)?;
    super::filter::validate(&query.filter)?;
    let after = query.after.as_deref().map(Cursor::decode).transpose()?;
    let before = query.before.as_deref().map(Cursor::decode).transpose()?;
    if after.is_some() && before.is_some() {
        return Err(AppError::bad_request(
            "This page link is not valid (it names two positions). Go back to the first page.",
        ));
    }
    Ok((after, before))
}

/// The contacts the list shows: the account's, matching the search, that existed at
/// the watermark (so the page, its total and a "select all" agree).
fn push_listed(sql: &mut Sql, account_id: i64, query: &ListQuery, watermark: i64) {
    let id = sql.dialect().watermark_column();
    push_listed_by(sql, account_id, query, (id, watermark));
}

/// As [`push_listed`], the watermark compared on `id` as given.
fn push_listed_by(sql: &mut Sql, account_id: i64, query: &ListQuery, (id, watermark): (&str, i64)) {
    push_matching(sql, account_id, &query.search, &query.filter, super::now());
    push_id_at_most(sql, id, watermark);
}

/// Appends ` AND id <= watermark`: the contacts that existed when the list was read.
pub(crate) fn push_watermark(sql: &mut Sql, watermark: i64) {
    // On SQLite `+id`, the same value offered to no index. A watermark leaves out only the
    // contacts created since, never worth walking the ids for, but SQLite takes a range of
    // ids for a quarter of the table: for a "select all" of a million contacts it read
    // the whole table instead of the account's (account_id, id) index (the delete
    // preview's count of messages 0.61 -> 0.54 s with the pages cached), and it planned
    // a search's first page again at each request, for the value bound (0.39 -> 0.34 ms
    // for "smith" among 100,000 contacts). A page of the unfiltered list is the
    // exception (`page_statement`).
    let id = sql.dialect().watermark_column();
    push_id_at_most(sql, id, watermark);
}

/// Appends ` AND {id} <= watermark`, `id` the column as the statement compares it.
fn push_id_at_most(sql: &mut Sql, id: &str, watermark: i64) {
    sql.push(" AND ").push(id).push(" <= ").bind(watermark);
}

/// Listed contacts that come before `key` in list order (newest first).
async fn count_before(
    db: &Db,
    account_id: i64,
    query: &ListQuery,
    watermark: i64,
    key: Cursor,
) -> Result<i64, AppError> {
    let mut sql = db.sql("SELECT COUNT(*) FROM contacts");
    push_listed(&mut sql, account_id, query, watermark);
    // Row-value comparison: "later in time, or same time and higher id" comes first.
    sql.push(" AND (created_at, id) > (").bind(key.created_at).push(", ").bind(key.id).push(")");
    db.fetch_i64(&sql).await
}

/// Up to a page of listed contacts after `after`, before `before`, or from the top.
async fn fetch_page(
    db: &Db,
    account_id: i64,
    query: &ListQuery,
    watermark: i64,
    after: Option<Cursor>,
    before: Option<Cursor>,
) -> Result<Vec<Contact>, AppError> {
    let mut contacts: Vec<Contact> =
        db.fetch_all(&page_statement(db, account_id, query, watermark, (after, before))).await?;
    if before.is_some() {
        contacts.reverse();
    }
    Ok(contacts)
}

/// The statement of [`fetch_page`] (public for the tests that read its plan).
pub fn page_statement(
    db: &Db,
    account_id: i64,
    query: &ListQuery,
    watermark: i64,
    (after, before): (Option<Cursor>, Option<Cursor>),
) -> Sql {
    let mut sql = db.sql(SELECT_CONTACT);
    if query.is_unfiltered() {
        // The account's contacts up to the watermark, compared on `id` on both engines.
        // SQLite estimates an account's contacts from the samples of its last ANALYZE
        // (`sqlite_stat4`, read when a connection opens); an account those samples
        // missed (created or grown since) looks like a handful, and with the watermark
        // as `+id` the planner then sorted the whole account by creation time through
        // the (account_id, id) index instead of reading the first 50 in order: a page
        // of a 100,000-contact account took 13-25 ms instead of 1 ms, of a million
        // 77-93 ms, and readers that slow held up a delete's checkpoints. Naming the
        // index (INDEXED BY) kept the sort.
        push_listed_by(&mut sql, account_id, query, ("id", watermark));
    } else {
        push_listed(&mut sql, account_id, query, watermark);
    }
    match (after, before) {
        (Some(key), _) => {
            sql.push(" AND (created_at, id) < (").bind(key.created_at).push(", ").bind(key.id).push(")");
            sql.push(" ORDER BY created_at DESC, id DESC");
        }
        (_, Some(key)) => {
            // Walk backwards from the cursor, then put the page back in list order.
            sql.push(" AND (created_at, id) > (").bind(key.created_at).push(", ").bind(key.id).push(")");
            sql.push(" ORDER BY created_at ASC, id ASC");
        }
        (None, None) => {
            sql.push(" ORDER BY created_at DESC, id DESC");
        }
    }
    sql.push(" LIMIT ").bind(PAGE_SIZE);
    sql
}

/// A contact of a page, with the number of contacts listed in all.
#[derive(sqlx::FromRow)]
struct CountedContact {
    #[sqlx(flatten)]
    contact: Contact,
    total: i64,
}

/// The first page of a search and its total, from one pass over the matches: the search
/// index finds them once (`matches`), the total counts them and the page is the newest 50
/// of them. Two statements cost twice that, and the page alone, walking the list order
/// until 50 matched, read ten thousand rows for a search matching one contact in 250 (47
/// ms against 22 ms for "smith" among a million contacts on PostgreSQL).
async fn first_page_and_total(
    db: &Db,
    account_id: i64,
    query: &ListQuery,
    watermark: i64,
) -> Result<(Vec<Contact>, i64), AppError> {
    // MATERIALIZED: computed once for both uses, from the index, not folded into each.
    let mut sql = db.sql("WITH matches AS MATERIALIZED (SELECT id, created_at FROM contacts");
    push_listed(&mut sql, account_id, query, watermark);
    sql.push(") ").push(SELECT_CONTACT_COLUMNS).push(", (SELECT COUNT(*) FROM matches) AS total FROM contacts");
    sql.push(" WHERE id IN (SELECT id FROM matches ORDER BY created_at DESC, id DESC LIMIT ").bind(PAGE_SIZE);
    sql.push(") ORDER BY created_at DESC, id DESC");
    let rows: Vec<CountedContact> = db.fetch_all(&sql).await?;
    // No row: nothing matched.
    let total = rows.first().map_or(0, |row| row.total);
    Ok((rows.into_iter().map(|row| row.contact).collect(), total))
}

/// A search's total and page. A page of a search without filters (a filter such as
/// "inactive for 365 days" moves with the clock, not with the account) is the one this
/// server remembers at the account's change number, or found and then remembered.
async fn searched(
    db: &Db,
    account_id: i64,
    query: &ListQuery,
    state: AccountState,
    cursors: (Option<Cursor>, Option<Cursor>),
) -> Result<(Page, Vec<Contact>), AppError> {
    if !query.filter.is_empty() {
        return find_page(db, account_id, query, state, cursors, None).await;
    }
    let key = super::search::key(&query.search);
    let search = key.as_str();
    // The request that finds the page keeps its rows; those that waited for it read them.
    let mut found = None;
    let finding = &mut found;
    let find = || async move {
        let (page, contacts) = find_page(db, account_id, query, state, cursors, Some(search)).await?;
        *finding = Some(contacts);
        Ok(page)
    };
    let place = (account_id, search, Place::of(cursors.0, cursors.1));
    let page = db.searches().page(place, state.changes, find).await?;
    let contacts = match found {
        Some(contacts) => contacts,
        None => fetch_by_ids(db, account_id, &page.ids).await?,
    };
    Ok((page, contacts))
}

/// A page of a search, its total and the matches before it, found: the first page with
/// its total in one statement; a later one with the total remembered with the first page
/// of the search of key `remembered` (if this server has it), or counted.
async fn find_page(
    db: &Db,
    account_id: i64,
    query: &ListQuery,
    state: AccountState,
    (after, before): (Option<Cursor>, Option<Cursor>),
    remembered: Option<&str>,
) -> Result<(Page, Vec<Contact>), AppError> {
    let page = |total, offset, contacts: Vec<Contact>| {
        (Page { total, offset, ids: contacts.iter().map(|c| c.id).collect() }, contacts)
    };
    if after.is_none() && before.is_none() {
        let (contacts, total) = first_page_and_total(db, account_id, query, state.watermark).await?;
        return Ok(page(total, 0, contacts));
    }
    let total = match remembered.and_then(|key| db.searches().remembered_total(account_id, key, state.changes)) {
        Some(total) => total,
        None => count_listed(db, account_id, query, state.watermark).await?,
    };
    let contacts = fetch_page(db, account_id, query, state.watermark, after, before).await?;
    let offset = match contacts.first() {
        Some(first) => count_before(db, account_id, query, state.watermark, Cursor::of(first)).await?,
        None => 0,
    };
    Ok(page(total, offset, contacts))
}

/// The account's contacts among `ids`, in list order.
async fn fetch_by_ids(db: &Db, account_id: i64, ids: &[i64]) -> Result<Vec<Contact>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = db.sql(SELECT_CONTACT);
    sql.push(" WHERE ").push_in_ids("id", ids);
    // `+`: the ids are the way in; the account is checked on each row, not walked.
    sql.push(" AND +account_id = ").bind(account_id);
    sql.push(" ORDER BY created_at DESC, id DESC");
    db.fetch_all(&sql).await
}

/// The number of contacts listed.
async fn count_listed(db: &Db, account_id: i64, query: &ListQuery, watermark: i64) -> Result<i64, AppError> {
    let mut sql = db.sql("SELECT COUNT(*) FROM contacts");
    push_listed(&mut sql, account_id, query, watermark);
    db.fetch_i64(&sql).await
}

/// One page of the account's contacts matching the search, newest first. A cursor past
/// either end (its neighbours were deleted meanwhile) shows the first page instead.
pub async fn list(db: &Db, account_id: i64, query: &ListQuery) -> Result<ContactPage, AppError> {
    let (after, before) = validate(query)?;
    let mut from_top = after.is_none() && before.is_none();
    // The matches before the page, when already known (a search's page).
    let (watermark, total, mut contacts, known_offset) = if query.is_unfiltered() {
        let state = account_state(db, account_id).await?;
        let contacts = fetch_page(db, account_id, query, state.watermark, after, before).await?;
        (state.watermark, state.contacts, contacts, None)
    } else if query.is_searched() {
        let state = account_state(db, account_id).await?;
        let (page, contacts) = searched(db, account_id, query, state, (after, before)).await?;
        (state.watermark, page.total, contacts, Some(page.offset))
    } else {
        let watermark = watermark(db).await?;
        let total = count_listed(db, account_id, query, watermark).await?;
        (watermark, total, fetch_page(db, account_id, query, watermark, after, before).await?, None)
    };
    if contacts.is_empty() && !from_top {
        contacts = fetch_page(db, account_id, query, watermark, None, None).await?;
        from_top = true;
    }

    // Nothing comes before the first page: no count (for a search, that count cost as
    // much as finding the page).
    let offset = match (known_offset, contacts.first()) {
        _ if from_top => 0,
        (Some(offset), _) => offset,
        (None, Some(first)) => count_before(db, account_id, query, watermark, Cursor::of(first)).await?,
        (None, None) => 0,
    };
    let prev = if offset > 0 { contacts.first().map(|c| Cursor::of(c).encode()) } else { None };
    let next =
        if offset + (contacts.len() as i64) < total { contacts.last().map(|c| Cursor::of(c).encode()) } else { None };
    Ok(ContactPage { contacts, total, offset, next, prev, watermark })
}
