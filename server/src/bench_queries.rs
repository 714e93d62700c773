//! `server bench-queries`: the list, its count, the delete dialog's preview, the
//! duplicates and inactivity filters, and the export, timed on one large generated
//! account (reused when it exists).

use std::time::{Duration, Instant};

use app::db::contacts::{list, watermark};
use app::db::seed::{seed_account, SeedOptions};
use app::db::{accounts, bulk_delete, export, selection, Db};
use app::error::AppError;
use app::filter::{DuplicateKey, Duplicates, Filter};
use app::model::{ListQuery, Selection};

use crate::bench_load;

const ACCOUNT: &str = "Bench: queries";
/// Users asking for the list at once, and for how long, in the load test.
const LOAD_USERS: usize = 100;
const LOAD_DURATION: Duration = Duration::from_secs(30);

/// The best of a few runs of `f`.
async fn best<F, Fut, T>(runs: usize, mut f: F) -> Result<(Duration, T), AppError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, AppError>>,
{
    let mut best: Option<(Duration, T)> = None;
    for _ in 0..runs {
        let started = Instant::now();
        let out = f().await?;
        let took = started.elapsed();
        if best.as_ref().is_none_or(|(b, _)| took < *b) {
            best = Some((took, out));
        }
    }
    best.ok_or(AppError::Internal)
}

/// Peak resident memory of this process so far, in MiB (Linux), and a way to reset it.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// `load_only`: only the many users at once (the queries one by one and the export take
/// minutes at a million contacts).
pub async fn run(db: &Db, contacts: usize, load_only: bool) -> Result<(), AppError> {
    let engine = format!("{:?}", db.dialect());
    let account = match accounts::by_name(db, ACCOUNT).await? {
        Some(id) => id,
        None => {
            let report = seed_account(db, &SeedOptions { account_name: ACCOUNT.into(), contacts, seed: 7 }).await?;
            println!("generated {contacts} contacts in {:.1} s", report.elapsed.as_secs_f64());
            report.account_id
        }
    };
    db.refresh_statistics().await?;
    let total = list(db, account, &ListQuery::default()).await?.total;
    println!("Query benchmark on {engine}: account of {total} contacts (best of 3 for each query)");
    if !load_only {
        one_by_one(db, account).await?;
    }
    // Many users at once: the plain list against a search, each user asking again as
    // soon as a page arrives.
    for search in ["", "smith"] {
        let query = ListQuery { search: search.into(), ..Default::default() };
        let (per_second, latencies) =
            bench_load::concurrent_lists(db, account, &query, LOAD_USERS, LOAD_DURATION).await?;
        println!(
            "  {LOAD_USERS} users for {} s, search {search:?}: {per_second:.0} lists/s; {}",
            LOAD_DURATION.as_secs(),
            latencies.summary()
        );
    }
    if !load_only {
        export_all(db, account).await?;
    }
    Ok(())
}

/// Each query alone: the list, the select-all count and the delete preview.
async fn one_by_one(db: &Db, account: i64) -> Result<(), AppError> {
    let cases: Vec<(&str, Filter, &str)> = vec![
        ("list, first page + count", Filter::default(), ""),
        ("search \"smith\"", Filter::default(), "smith"),
        ("inactive > 365 days", Filter { inactive_days: Some(365), ..Default::default() }, ""),
        ("never active", Filter { never_active: true, ..Default::default() }, ""),
        (
            "tag is lead, has email",
            Filter { tags: vec!["lead".into()], has_email: Some(true), ..Default::default() },
            "",
        ),
        (
            "duplicates by email or phone",
            Filter {
                duplicates: Some(Duplicates { by: DuplicateKey::EmailOrPhone, all_but_oldest: false }),
                ..Default::default()
            },
            "",
        ),
        (
            "extra copies (all but the oldest)",
            Filter {
                duplicates: Some(Duplicates { by: DuplicateKey::EmailOrPhone, all_but_oldest: true }),
                ..Default::default()
            },
            "",
        ),
    ];
    for (what, filter, search) in cases {
        let query = ListQuery { search: search.into(), filter: filter.clone(), ..Default::default() };
        let (took, page) = best(3, || list(db, account, &query)).await?;
        let all = Selection::All {
            as_of: None,
            search: search.into(),
            filter,
            smart_list: None,
            except: vec![],
            watermark: watermark(db).await?,
        };
        let (count_took, _) = best(3, || selection::count(db, account, &all)).await?;
        let (preview_took, _) = best(3, || bulk_delete::preview(db, account, &all)).await?;
        println!(
            "  {what:<36} {:>8} matches   list {:>8.1} ms   select-all count {:>8.1} ms   delete preview {:>8.1} ms",
            page.total,
            took.as_secs_f64() * 1e3,
            count_took.as_secs_f64() * 1e3,
            preview_took.as_secs_f64() * 1e3
        );
    }

    Ok(())
}

/// Export of the whole account, batch by batch into nowhere (as the download does).
async fn export_all(db: &Db, account: i64) -> Result<(), AppError> {
    let everything = Selection::all("", Filter::default(), watermark(db).await?);
    reset_peak_rss();
    let before = peak_rss_mib();
    let started = Instant::now();
    let (mut after, mut rows, mut bytes, mut first) = (0, 0usize, 0usize, true);
    loop {
        let batch = export::batch(db, account, &everything, after).await?;
        if batch.is_empty() {
            break;
        }
        bytes += export::csv(&batch, first)?.len();
        first = false;
        rows += batch.len();
        after = batch.last().map_or(after, |c| c.id);
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "  export: {rows} rows, {:.1} MB of CSV in {secs:.2} s = {:.0} rows/s; peak memory {:.0} MiB (before {:.0} MiB)",
        bytes as f64 / 1e6,
        rows as f64 / secs.max(1e-9),
        peak_rss_mib().unwrap_or(0.0),
        before.unwrap_or(0.0)
    );
    Ok(())
}
