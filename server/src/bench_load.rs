//! The other users of an account, for the benchmarks: people reading the list and one
//! saving a contact every 200 ms while a bulk delete runs, and many users searching at
//! once. In-process calls of the code the web app's server functions run (no HTTP).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::db::contacts::{self, list, NewContact};
use app::db::{now, Db};
use app::error::AppError;
use app::model::ListQuery;
use tokio::task::JoinSet;

/// Latencies of one kind of request, in milliseconds.
#[derive(Clone, Debug, Default)]
pub struct Latencies(Vec<f64>);

impl Latencies {
    fn add(&mut self, took: Duration) {
        self.0.push(took.as_secs_f64() * 1e3);
    }

    fn quantile(&self, q: f64) -> f64 {
        let mut sorted = self.0.clone();
        sorted.sort_by(f64::total_cmp);
        match sorted.len() {
            0 => 0.0,
            n => sorted[((n - 1) as f64 * q).round() as usize],
        }
    }

    /// "n requests, p50 …, p95 …, max …".
    pub fn summary(&self) -> String {
        format!(
            "{} requests, p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
            self.0.len(),
            self.quantile(0.5),
            self.quantile(0.95),
            self.quantile(1.0)
        )
    }
}

impl Observed {
    pub fn report(&self) {
        println!("    the list page meanwhile: {}", self.list.summary());
        println!("    saving a contact meanwhile: {}; {} failed", self.writer.summary(), self.writer_failures);
        if self.largest_wal_bytes > 0 {
            println!("    SQLite's WAL file at its largest: {:.0} MB", self.largest_wal_bytes as f64 / 1e6);
        }
    }
}

/// What the other users saw while the work ran.
#[derive(Debug, Default)]
pub struct Observed {
    pub list: Latencies,
    pub writer: Latencies,
    /// Saves that failed (the database stayed locked longer than the busy timeout).
    pub writer_failures: usize,
    /// The largest size of SQLite's write-ahead log seen (sampled every 50 ms).
    pub largest_wal_bytes: u64,
}

/// The WAL file of a `sqlite:` URL.
pub fn wal_path(url: &str) -> Option<PathBuf> {
    let path = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    Some(PathBuf::from(format!("{}-wal", path.split('?').next()?)))
}

/// Runs `work` while `readers` users read the first page of `account`'s list (a pause of
/// 50 ms between two pages) and one user saves a contact into `writer_account` every
/// 200 ms; returns what `work` returned and what they saw.
pub async fn while_others_work<T>(
    db: &Db,
    url: &str,
    account: i64,
    writer_account: i64,
    readers: usize,
    work: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<(T, Observed), AppError> {
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Observed::default()));
    let largest_wal = Arc::new(AtomicU64::new(0));
    let mut others = JoinSet::new();
    for _ in 0..readers {
        let (db, stop, seen) = (db.clone(), stop.clone(), seen.clone());
        others.spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                list(&db, account, &ListQuery::default()).await?;
                seen.lock().expect("latencies").list.add(started.elapsed());
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Ok::<_, AppError>(())
        });
    }
    others.spawn(save_contacts(db.clone(), writer_account, stop.clone(), seen.clone()));
    if let Some(wal) = wal_path(url) {
        let (stop, largest_wal) = (stop.clone(), largest_wal.clone());
        others.spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
                largest_wal.fetch_max(size, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Ok(())
        });
    }
    let out = work.await;
    stop.store(true, Ordering::Relaxed);
    while let Some(joined) = others.join_next().await {
        joined.map_err(AppError::internal)??;
    }
    let mut observed = std::mem::take(&mut *seen.lock().expect("latencies"));
    observed.largest_wal_bytes = largest_wal.load(Ordering::Relaxed);
    Ok((out?, observed))
}

/// One user saving a contact into `account` every 200 ms until `stop`, the saves' times
/// and failures added to `seen`.
async fn save_contacts(
    db: Db,
    account: i64,
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Observed>>,
) -> Result<(), AppError> {
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        tick.tick().await;
        n += 1;
        let person = NewContact {
            first_name: "Walk".into(),
            last_name: format!("In {n}"),
            email: Some(format!("walk.in.{n}.{}@example.com", now())),
            created_at: now(),
            updated_at: now(),
            ..Default::default()
        };
        let started = Instant::now();
        let saved = contacts::insert(&db, account, &person).await;
        let mut seen = seen.lock().expect("latencies");
        match saved {
            Ok(_) => seen.writer.add(started.elapsed()),
            Err(_) => seen.writer_failures += 1,
        }
    }
    Ok(())
}

/// `users` users each asking for the first page of `query` again and again for
/// `for_how_long`, and, with `saving_into`, one more saving a contact into that account
/// every 200 ms: the requests served per second, their latencies and the saves'. With
/// `as_new_servers` each request goes to a server that has just started (nothing
/// remembered): what the list costs when every search is a new one.
pub async fn concurrent_lists(
    db: &Db,
    account: i64,
    query: &ListQuery,
    users: usize,
    for_how_long: Duration,
    saving_into: Option<i64>,
    as_new_servers: bool,
) -> Result<(f64, Latencies, Latencies), AppError> {
    let started = Instant::now();
    let mut set = JoinSet::new();
    for _ in 0..users {
        let (db, query) = (db.clone(), query.clone());
        set.spawn(async move {
            let mut mine = Latencies::default();
            while started.elapsed() < for_how_long {
                let asked = Instant::now();
                let server = if as_new_servers { db.as_new_server() } else { db.clone() };
                list(&server, account, &query).await?;
                mine.add(asked.elapsed());
            }
            Ok::<_, AppError>(mine)
        });
    }
    let (stop, saves) = (Arc::new(AtomicBool::new(false)), Arc::new(Mutex::new(Observed::default())));
    let saver = saving_into.map(|into| tokio::spawn(save_contacts(db.clone(), into, stop.clone(), saves.clone())));
    let mut all = Latencies::default();
    while let Some(joined) = set.join_next().await {
        all.0.extend(joined.map_err(AppError::internal)??.0);
    }
    let per_second = all.0.len() as f64 / started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    if let Some(saver) = saver {
        saver.await.map_err(AppError::internal)??;
    }
    let saves = std::mem::take(&mut saves.lock().expect("latencies").writer);
    Ok((per_second, all, saves))
}
