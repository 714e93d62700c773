//! Export: the selected contacts as CSV (UTF-8, a header row, every contact field, tags
//! joined, ISO 8601 dates), read in batches by id so that any number of contacts goes
//! out in constant memory. Each export is recorded in the Bulk Actions history.

use super::history::{self, Started};
use super::{now, selection, Db};
use crate::bulk_action::{Action, Status};
use crate::dates::{iso_moment, Day};
use crate::error::AppError;
use crate::model::{Contact, Selection};

/// Contacts per batch (one query, one chunk of the response).
pub const BATCH: i64 = 1_000;

/// The CSV's columns, in order.
pub const HEADER: [&str; 11] = [
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "tags",
    "source",
    "created_at",
    "updated_at",
    "last_activity_at",
];

/// Free text as a spreadsheet should show it: a cell starting with = + - @ (or a tab or
/// carriage return) would be run as a formula, so it gets a leading apostrophe. Phone
/// numbers ("+1 555…") are written as they are.
fn text(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// One contact's CSV fields, in [`HEADER`] order.
fn fields(row: &Contact) -> [String; 11] {
    let opt = |v: &Option<String>| text(v.as_deref().unwrap_or_default());
    [
        row.id.to_string(),
        text(&row.first_name),
        text(&row.last_name),
        opt(&row.email),
        row.phone.clone().unwrap_or_default(),
        opt(&row.company),
        text(&row.tag_list().join(", ")),
        opt(&row.source),
        iso_moment(row.created_at),
        iso_moment(row.updated_at),
        row.last_activity_at.map(iso_moment).unwrap_or_default(),
    ]
}

/// CSV text of `rows`, with the header row first when `header` is set.
pub fn csv(rows: &[Contact], header: bool) -> Result<Vec<u8>, AppError> {
    let mut out = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    if header {
        out.write_record(HEADER).map_err(AppError::internal)?;
    }
    for row in rows {
        out.write_record(fields(row)).map_err(AppError::internal)?;
    }
    out.into_inner().map_err(AppError::internal)
}

/// The next batch of the selection's contacts, in id order, after `after_id`: the
/// selection's own conditions and a keyset on id, so each batch starts where the last
/// ended (through the (account_id, id) index) instead of resolving the selection again.
pub async fn batch(db: &Db, account_id: i64, selection: &Selection, after_id: i64) -> Result<Vec<Contact>, AppError> {
    let mut sql = db.sql(super::contacts::SELECT_CONTACT);
    selection::push_where(&mut sql, account_id, selection);
    sql.push(" AND id > ").bind(after_id).push(" ORDER BY id LIMIT ").bind(BATCH);
    db.fetch_all(&sql).await
}

/// Checks the selection and records the export as started, held by `worker` (whose
/// runner renews the lease while the download streams); returns the record and the
/// number of contacts it covers.
pub async fn start(
    db: &Db,
    account_id: i64,
    user_id: Option<i64>,
    selection: &Selection,
    worker: &str,
    lease: std::time::Duration,
) -> Result<(i64, i64), AppError> {
    selection::validate(db, account_id, selection).await?;
    let contacts = selection::count(db, account_id, selection).await?;
    let key = format!("export-{}-{}", now(), rand::random::<u64>());
    let lease_until_ms = super::jobs::now_ms() + lease.as_millis() as i64;
    let (selection, description) = history::recorded(selection)?;
    let started = Started {
        account_id,
        user_id,
        key: &key,
        action: Action::Export,
        selection,
        description,
        contacts,
        worker,
        lease_until_ms,
        to_bin: false,
        bin_of: None,
    };
    let record = db.fetch_opt_i64(&history::start_statement(db, &started)).await?;
    Ok((record.ok_or(AppError::Internal)?, contacts))
}

/// Records how an export ended and how many contacts it wrote.
pub async fn finish(db: &Db, record: i64, worker: &str, status: Status, written: i64) -> Result<(), AppError> {
    let mut sql = db.sql("UPDATE bulk_actions SET contacts_done = ");
    sql.bind(written).push(" WHERE id = ").bind(record);
    db.execute(&sql).await?;
    super::jobs::finish(db, record, worker, status).await.map(drop)
}

/// "demo-company-contacts-2026-11-28.csv": the account and the day.
pub fn file_name(account: &str, now: i64) -> String {
    let mut slug = String::new();
    for c in account.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let day = Day::of(now);
    format!("{}-contacts-{day}.csv", if slug.is_empty() { "account" } else { slug })
}
