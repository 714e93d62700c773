//! `server bench`: the bulk delete measured against hand-written SQL. Two identical
//! generated accounts; one is deleted through the product's code path (the preview, then
//! the job accepted and run in chunks, recorded), the other by the fastest plain SQL we
//! know, in one transaction.

use std::time::{Duration, Instant};

use app::bulk_action::Ending;
use app::db::bulk_delete::{self, Accepted, RunEnd, RunSettings};
use app::db::contacts::watermark;
use app::db::history;
use app::db::seed::{seed_account, SeedOptions};
use app::db::{accounts, recycle_bin, search, wal, Db, Dialect};
use app::jobs::{keep_log_copied, SEARCH_BATCH};

use crate::bench_load;
use app::error::AppError;
use app::filter::Filter;
use app::model::{DeletePreview, DeleteReport, DeleteRequest, Selection};
use app::recycle::RestoreRequest;
use tokio_util::sync::CancellationToken;

/// The baseline: per table, one set-based DELETE of the account's rows, children first.
const HAND_WRITTEN: &[&str] = &[
    "DELETE FROM campaign_enrollments WHERE contact_id IN (SELECT id FROM contacts WHERE account_id = $A)",
    "DELETE FROM manual_actions WHERE contact_id IN (SELECT id FROM contacts WHERE account_id = $A)",
    "DELETE FROM appointments WHERE contact_id IN (SELECT id FROM contacts WHERE account_id = $A)",
    "DELETE FROM tasks WHERE contact_id IN (SELECT id FROM contacts WHERE account_id = $A)",
    "DELETE FROM opportunities WHERE contact_id IN (SELECT id FROM contacts WHERE account_id = $A)",
    "DELETE FROM notes WHERE contact_id IN (SELECT id FROM contacts WHERE account_id = $A)",
    "DELETE FROM messages WHERE conversation_id IN \
     (SELECT v.id FROM conversations v JOIN contacts c ON c.id = v.contact_id WHERE c.account_id = $A)",
    "DELETE FROM conversations WHERE contact_id IN (SELECT id FROM contacts WHERE account_id = $A)",
    "DELETE FROM contacts WHERE account_id = $A",
];

/// Drops the deleted contacts' rows from SQLite's search index as the job runner does
/// after a delete (batch after batch, here without its pauses), and reports how long
/// that took and the longest batch (the longest another writer may wait for one).
async fn report_search_clean_up(db: &Db) -> Result<(), AppError> {
    let (started, mut batches, mut rows, mut longest) = (Instant::now(), 0, 0, Duration::ZERO);
    loop {
        let batch = Instant::now();
        let dropped = search::forget_deleted(db, SEARCH_BATCH).await?;
        if dropped == 0 {
            break;
        }
        longest = longest.max(batch.elapsed());
        (batches, rows) = (batches + 1, rows + dropped);
    }
    if batches > 0 {
        println!(
            "    the search index's clean-up afterwards: {rows} contacts in {batches} batches, {:.1} s; longest batch {:.0} ms",
            started.elapsed().as_secs_f64(),
            longest.as_secs_f64() * 1e3
        );
    }
    Ok(())
}

/// Users reading the list while each delete runs (one more saves a contact every 200 ms).
const READERS: usize = 2;

pub async fn run(db: &Db, url: &str, contacts: usize, chunk: Option<usize>) -> Result<(), AppError> {
    let chunk = chunk.unwrap_or_else(|| db.dialect().delete_chunk_size());
    let engine = format!("{:?}", db.dialect());
    println!("Bulk delete benchmark on {engine}: {contacts} contacts, chunks of {chunk}");
    // What a server's job runner does beside every job: the log's copy back (SQLite),
    // until this function returns.
    let copier = CancellationToken::new();
    let (log_db, stop) = (db.clone(), copier.clone());
    tokio::spawn(async move { keep_log_copied(&log_db, wal::COPY_BACK_PAST, &stop).await });
    let _copier = copier.drop_guard();
    let options = |name: &str| SeedOptions { account_name: name.into(), contacts, seed: 99 };
    let product = seed_account(db, &options("Bench: product path")).await?;
    let baseline = seed_account(db, &options("Bench: hand-written SQL")).await?;
    let others = accounts::create(db, "Bench: other users").await?;
    settle(db).await?;
    let related: i64 = product.rows.iter().map(|(_, n)| n).sum();
    println!(
        "  generated twice: {contacts} contacts and {related} related rows each ({:.1} s per copy)",
        product.elapsed.as_secs_f64()
    );

    let started = Instant::now();
    let everything = Selection::all("", Filter::default(), watermark(db).await?);
    let preview = bulk_delete::preview(db, product.account_id, &everything).await?;
    println!(
        "  the confirm dialog's preview (ids, fingerprint, counts per area): {:.2} s",
        started.elapsed().as_secs_f64()
    );

    let settings = RunSettings::for_db(db, chunk, Duration::from_secs(60));
    let load = Load { url, others };
    let (ours, report, _) = product_delete(db, &load, product.account_id, preview, settings).await?;

    let started = Instant::now();
    let statements: Vec<_> = HAND_WRITTEN
        .iter()
        .map(|text| {
            let (head, tail) = text.split_once("$A").expect("one account placeholder");
            let mut sql = db.sql(head);
            sql.bind(baseline.account_id).push(tail);
            sql
        })
        .collect();
    let (changed, observed) = bench_load::while_others_work(
        db,
        url,
        baseline.account_id,
        others,
        READERS,
        db.execute_in_transaction(&statements),
    )
    .await?;
    let theirs = started.elapsed().as_secs_f64();

    let removed_ours: i64 = report.areas.iter().map(|a| a.rows).sum();
    let removed_theirs: i64 = changed[..changed.len() - 1].iter().map(|n| *n as i64).sum();
    let rate = |secs: f64| contacts as f64 / secs.max(1e-9);
    println!(
        "  product path:    {} contacts + {removed_ours} rows in {ours:.2} s = {:.0} contacts/s",
        report.contacts,
        rate(ours)
    );
    println!(
        "  hand-written SQL: {} contacts + {removed_theirs} rows in {theirs:.2} s = {:.0} contacts/s",
        changed[changed.len() - 1],
        rate(theirs)
    );
    observed.report();
    println!("  ratio (product / hand-written throughput): {:.2}", rate(ours) / rate(theirs));
    if report.contacts != contacts as i64 || removed_ours != removed_theirs {
        return Err(AppError::internal("the two deletes removed different amounts"));
    }

    // The same delete into the Recycle Bin, then a restore of (at most) RESTORED
    // contacts, from a delete of that many into the bin (issue 13).
    let (into_bin, binned) = delete_into_bin(db, &load, contacts, settings).await?;
    println!(
        "  into the Recycle Bin: {contacts} contacts in {into_bin:.2} s = {:.0} contacts/s ({:.2}x the permanent delete's time)",
        rate(into_bin),
        into_bin / ours
    );
    let (restored, binned) = match contacts.min(RESTORED) {
        all if all == contacts => (contacts, binned),
        some => {
            println!("  another {some} contacts deleted into the Recycle Bin, to restore:");
            (some, delete_into_bin(db, &load, some, settings).await?.1)
        }
    };
    restore(db, &load, binned, restored, settings).await
}

/// How many contacts the bench restores from the bin.
const RESTORED: usize = 100_000;

/// Deletes a generated account of `contacts` into the Recycle Bin as the web app does;
/// returns the seconds it took, and the account and the delete's record.
async fn delete_into_bin(
    db: &Db,
    load: &Load<'_>,
    contacts: usize,
    settings: RunSettings,
) -> Result<(f64, (i64, i64)), AppError> {
    let options = SeedOptions { account_name: format!("Bench: {contacts} into the Recycle Bin"), contacts, seed: 99 };
    let binned = seed_account(db, &options).await?;
    settle(db).await?;
    accounts::set_keep_deleted_days(db, binned.account_id, 30).await?;
    let everything = Selection::all("", Filter::default(), watermark(db).await?);
    let preview = bulk_delete::preview(db, binned.account_id, &everything).await?;
    let (took, _, job) = product_delete(db, load, binned.account_id, preview, settings).await?;
    Ok((took, (binned.account_id, job)))
}

/// Restores the `contacts` contacts of `(account, delete)` from the Recycle Bin as the
/// web app does while other users work, and reports it.
async fn restore(
    db: &Db,
    load: &Load<'_>,
    (account, job): (i64, i64),
    contacts: usize,
    settings: RunSettings,
) -> Result<(), AppError> {
    let started = Instant::now();
    let restore = RestoreRequest { bulk_action_id: job, request_key: format!("bench-restore-{}", std::process::id()) };
    let worker = format!("bench-{}", std::process::id());
    let Accepted::New(restore_job) =
        recycle_bin::accept(db, account, (None, None), &restore, &worker, settings.lease).await?
    else {
        return Err(AppError::internal("the bench's restore key was used before"));
    };
    let never = CancellationToken::new();
    let work = bulk_delete::run(db, restore_job, &worker, settings, &never);
    let (end, observed) = bench_load::while_others_work(db, load.url, account, load.others, READERS, work).await?;
    let took = started.elapsed().as_secs_f64();
    let row = history::get(db, account, None, restore_job).await?;
    if end != RunEnd::Ended(Ending::Done) || row.contacts_done != contacts as i64 {
        return Err(AppError::internal(format!("the restore ended {end:?} with {} contacts", row.contacts_done)));
    }
    println!(
        "  restore from the Recycle Bin: {contacts} contacts in {took:.2} s = {:.0} contacts/s",
        contacts as f64 / took.max(1e-9)
    );
    observed.report();
    Ok(())
}

/// Lets the database settle after a bulk load, before a measurement. On PostgreSQL the
/// load leaves autovacuum's work due (the visibility map, the statistics of millions of
/// new rows): run in the middle of a measured delete, it made the same delete take from
/// 1.1x to 3.1x the permanent one's time from one run to the next. A real account's rows
/// were vacuumed long before anyone deletes them.
async fn settle(db: &Db) -> Result<(), AppError> {
    if db.dialect() == Dialect::Postgres {
        db.execute(&db.sql("VACUUM (ANALYZE)")).await?;
    }
    Ok(())
}

/// Where the other users of the bench work while a delete runs.
struct Load<'a> {
    url: &'a str,
    others: i64,
}

/// Deletes what `preview` counted as the web app does (the job accepted, its targets
/// written down, then run in chunks) while other users work; reports the steps. Returns
/// the seconds it took, what it removed and its record.
async fn product_delete(
    db: &Db,
    load: &Load<'_>,
    account: i64,
    preview: DeletePreview,
    settings: RunSettings,
) -> Result<(f64, DeleteReport, i64), AppError> {
    let started = Instant::now();
    let contacts = preview.contacts;
    let request = DeleteRequest {
        selection: preview.selection,
        digest: preview.digest,
        confirmed_count: contacts,
        typed_confirmation: Some(contacts.to_string()),
        request_key: format!("bench-{account}-{}", std::process::id()),
    };
    let worker = format!("bench-{}", std::process::id());
    let work = async {
        let Accepted::New(job) = bulk_delete::accept(db, account, None, &request, &worker, settings.lease).await?
        else {
            return Err(AppError::internal("the bench's request key was used before"));
        };
        let accepted = started.elapsed().as_secs_f64();
        let end = bulk_delete::run(db, job, &worker, settings, &CancellationToken::new()).await?;
        Ok((job, accepted, end))
    };
    let ((job, accepted, end), observed) =
        bench_load::while_others_work(db, load.url, account, load.others, READERS, work).await?;
    let took = started.elapsed().as_secs_f64();
    if end != RunEnd::Ended(Ending::Done) {
        return Err(AppError::internal(format!("the delete ended {end:?}")));
    }
    let row = history::get(db, account, None, job).await?;
    println!(
        "  accepting the job (resolve, check, write {contacts} targets): {accepted:.2} s; running it: {:.2} s",
        took - accepted
    );
    observed.report();
    report_search_clean_up(db).await?;
    Ok((took, DeleteReport { contacts: row.contacts_done, areas: row.rows }, job))
}
