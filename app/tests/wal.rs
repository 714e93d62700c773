//! SQLite's write-ahead log during a bulk delete that readers keep reading: the
//! checkpoints between chunks, once the log is past its limit, keep it small and lose
//! nothing, seen from another connection pool (another server) and after reopening the
//! file.

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use app::db::bulk_delete::{accept, run, Accepted, RunEnd, RunSettings};
use app::db::contacts::{list, watermark};
use app::db::seed::{seed_account, SeedOptions};
use app::db::{wal, Db};
use app::filter::Filter;
use app::jobs::{JobSettings, Runner};
use app::model::{DeleteReport, ListQuery, Selection};
use common::{assert_only_these_gone, confirmed_request, rows_per_contact};

/// The log size past which the delete truncates the log between chunks, here.
const LOG_LIMIT: u64 = 1 << 20;

fn wal_bytes(dir: &tempfile::TempDir) -> u64 {
    std::fs::metadata(dir.path().join("test.db-wal")).map(|m| m.len()).unwrap_or(0)
}

#[tokio::test]
async fn checkpoints_between_chunks_keep_the_log_small_and_lose_nothing() {
    let (db, dir) = common::sqlite().await;
    let url = format!("sqlite:{}", dir.path().join("test.db").display());
    let a = seed_account(&db, &SeedOptions { account_name: "A".into(), contacts: 4_000, seed: 3 }).await.unwrap();
    seed_account(&db, &SeedOptions { account_name: "B".into(), contacts: 500, seed: 4 }).await.unwrap();
    assert_eq!(wal::truncate(&db, Duration::from_secs(1)).await.unwrap().map(|c| c.busy), Some(0));
    assert_eq!(wal_bytes(&dir), 0, "a checkpoint with no reader truncates the log");
    assert_eq!(wal::log_bytes(&db), 0);
    let before = rows_per_contact(&db).await;

    // Another server reads the list without a pause while the delete runs.
    let reader = Db::connect(&url).await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicUsize::new(0));
    let largest_log = Arc::new(AtomicUsize::new(0));
    let mut readers = Vec::new();
    for _ in 0..3 {
        let (reader, stop, reads, largest_log) = (reader.clone(), stop.clone(), reads.clone(), largest_log.clone());
        let wal_path = dir.path().join("test.db-wal");
        readers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let page = list(&reader, a.account_id, &ListQuery::default()).await.unwrap();
                assert!(page.total >= 0);
                reads.fetch_add(1, Ordering::Relaxed);
                let size = std::fs::metadata(&wal_path).map(|m| m.len()).unwrap_or(0) as usize;
                largest_log.fetch_max(size, Ordering::Relaxed);
            }
        }));
    }

    // Contacts with "a" in their name or email: most of the account, 100 per chunk.
    let selection = Selection::all("a", Filter::default(), watermark(&db).await.unwrap());
    let mut sql = db.sql("SELECT id FROM contacts WHERE account_id = ");
    sql.bind(a.account_id).push(" AND (name_norm LIKE '%a%' OR email_norm LIKE '%a%')");
    let gone: BTreeSet<i64> = db.fetch_ids(&sql).await.unwrap().into_iter().collect();
    let n = gone.len() as i64;
    assert!(n > 2_000, "only {n} contacts with an a");
    let request = confirmed_request(&db, a.account_id, selection, n, Some(&n.to_string()), "wal-delete-1").await;
    let lease = Duration::from_secs(30);
    let Accepted::New(record) = accept(&db, a.account_id, None, &request, "wal-worker", lease).await.unwrap() else {
        panic!("a new request starts a new record")
    };
    let settings = RunSettings { chunk: 100, lease, budget: None, log_limit: Some(LOG_LIMIT) };
    let end = run(&db, record, "wal-worker", settings, &Default::default()).await.unwrap();
    assert_eq!(end, RunEnd::Ended(app::bulk_action::Ending::Done));
    let row = app::db::history::get(&db, a.account_id, None, record).await.unwrap();
    let report = DeleteReport { contacts: row.contacts_done, areas: row.rows.clone() };
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.await.unwrap();
    }
    assert_eq!(report.contacts, n);
    assert!(reads.load(Ordering::Relaxed) > 10, "the readers did read during the delete");

    // The log stayed under twice its limit and a chunk (4.4 MB without the checkpoints);
    // the data is the same from any connection.
    let largest = largest_log.load(Ordering::Relaxed);
    assert!(largest < 3 * LOG_LIMIT as usize, "the log reached {largest} bytes during a 4,000-contact delete");
    assert_only_these_gone(&before, &rows_per_contact(&reader).await, &gone, &report);
    reader.close().await;
    db.close().await;
    let reopened = Db::connect(&url).await.unwrap();
    assert_only_these_gone(&before, &rows_per_contact(&reopened).await, &gone, &report);
    reopened.close().await;
}

/// During a job the log starts over at the start of its file, which keeps its size: the
/// log's header (`logged_bytes`) then counts only what was written since, and the job
/// sizes the log by it. When the job ends, the file is given back to the disk.
#[tokio::test]
async fn a_log_started_over_keeps_its_file_until_the_job_ends() {
    let (db, dir) = common::sqlite().await;
    let a = seed_account(&db, &SeedOptions { account_name: "A".into(), contacts: 1_500, seed: 5 }).await.unwrap();
    let written = wal_bytes(&dir);
    assert!(written > 100_000, "the seed wrote {written} bytes of log");
    assert_eq!(wal::logged_bytes(&db), written, "a log that never started over fills its file");

    assert_eq!(wal::restart(&db, Duration::from_secs(1)).await.unwrap().map(|c| c.busy), Some(0));
    app::db::accounts::create(&db, "B").await.unwrap();
    let logged = wal::logged_bytes(&db);
    assert!(logged > 0 && logged < written / 10, "{logged} bytes logged after starting over, of {written}");
    assert_eq!(wal_bytes(&dir), written, "the file keeps its size");

    // A delete whose log starts over many times (a 64 KB limit, 50 contacts a chunk).
    let selection = Selection::all("", Filter::default(), watermark(&db).await.unwrap());
    let n = 1_500;
    let request = confirmed_request(&db, a.account_id, selection, n, Some(&n.to_string()), "wal-delete-2").await;
    let lease = Duration::from_secs(30);
    let Accepted::New(record) = accept(&db, a.account_id, None, &request, "wal-worker", lease).await.unwrap() else {
        panic!("a new request starts a new record")
    };
    let settings = RunSettings { chunk: 50, lease, budget: None, log_limit: Some(64 << 10) };
    let end = run(&db, record, "wal-worker", settings, &Default::default()).await.unwrap();
    assert_eq!(end, RunEnd::Ended(app::bulk_action::Ending::Done));
    assert_eq!(wal_bytes(&dir), 0, "the job truncated the log when it ended");
    assert_eq!(wal::logged_bytes(&db), 0);
    let mut left = db.sql("SELECT COUNT(*) FROM contacts WHERE account_id = ");
    left.bind(a.account_id);
    assert_eq!(db.fetch_i64(&left).await.unwrap(), 0);
}

/// Sizing the log leaves SQLite's locks alone: another process that opens the database
/// afterwards finds this one's connections and keeps their shared memory. (Reading the
/// `-shm` file and closing it released this process's locks on it, POSIX's rule; the
/// next process to open the database reset the shared memory, and the server died of a
/// bus error at its next statement.)
#[tokio::test]
async fn sizing_the_log_leaves_another_process_a_working_database() {
    let (db, dir) = common::sqlite().await;
    let options = SeedOptions { account_name: "A".into(), contacts: 300, seed: 6 };
    let a = seed_account(&db, &options).await.unwrap().account_id;
    let mut count = db.sql("SELECT COUNT(*) FROM contacts WHERE account_id = ");
    count.bind(a);
    assert_eq!(db.fetch_i64(&count).await.unwrap(), 300);
    assert!(wal::logged_bytes(&db) > 0);

    // The other process first tries SQLite's "dead man switch" lock (byte 128 of the
    // `-shm` file, https://www.sqlite.org/walformat.html), which it gets only when no
    // other process has the database open, then reads the database.
    let script = "import fcntl, os, sqlite3, sys\n\
                  fd = os.open(sys.argv[1] + '-shm', os.O_RDWR)\n\
                  try:\n    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 128)\n    print('free')\n\
                  except OSError:\n    print('held')\n\
                  os.close(fd)\n\
                  c = sqlite3.connect(sys.argv[1])\n\
                  print(c.execute('SELECT COUNT(*) FROM contacts WHERE account_id = ?', (int(sys.argv[2]),)).fetchone()[0])\n\
                  c.close()";
    let path = dir.path().join("test.db");
    let other = std::process::Command::new("python3")
        .args(["-c", script, &path.display().to_string(), &a.to_string()])
        .output()
        .expect("python3 runs");
    assert!(other.status.success(), "{}", String::from_utf8_lossy(&other.stderr));
    let seen = String::from_utf8_lossy(&other.stdout);
    assert_eq!(seen.split_whitespace().collect::<Vec<_>>(), ["held", "300"], "the other process saw: {seen}");

    // This process reads and writes on.
    app::db::accounts::create(&db, "B").await.unwrap();
    assert_eq!(db.fetch_i64(&count).await.unwrap(), 300);
    assert!(wal::logged_bytes(&db) > 0);
}

/// Outside long jobs a server copies the log back in the background once it holds more
/// than a size (`copy_back_past`, which its job runner calls every 100 ms): the copy
/// leaves the log whole for the next writer to start over, so that no commit copies it
/// back itself, and loses nothing. It stands aside while a job runs, on any server (the
/// job keeps the log itself), and while the log holds only what it copied last.
#[tokio::test]
async fn a_log_past_its_size_is_copied_back_in_the_background_and_starts_over() {
    let (db, dir) = common::sqlite().await;
    let url = format!("sqlite:{}", dir.path().join("test.db").display());
    let a = seed_account(&db, &SeedOptions { account_name: "A".into(), contacts: 1_500, seed: 7 }).await.unwrap();
    let b = seed_account(&db, &SeedOptions { account_name: "B".into(), contacts: 20, seed: 8 }).await.unwrap();
    let logged = wal::logged_bytes(&db);
    assert!(logged > 100_000, "the seed logged {logged} bytes");
    let mut last = 0;
    assert!(!wal::copy_back_past(&db, logged, &mut last).await.unwrap(), "a log within the size is left alone");

    // A job accepted by another server, running (its lease held): nothing is copied.
    let other = Db::connect(&url).await.unwrap();
    let everything = Selection::all("", Filter::default(), watermark(&other).await.unwrap());
    let request = confirmed_request(&other, b.account_id, everything, 20, Some("20"), "wal-delete-3").await;
    let lease = Duration::from_secs(30);
    let Accepted::New(job) = accept(&other, b.account_id, None, &request, "other", lease).await.unwrap() else {
        panic!("a new request starts a new record")
    };
    assert!(!wal::copy_back_past(&db, 0, &mut last).await.unwrap(), "a job keeps the log");
    let settings = RunSettings { chunk: 5, lease, budget: None, log_limit: None };
    let end = run(&other, job, "other", settings, &Default::default()).await.unwrap();
    assert_eq!(end, RunEnd::Ended(app::bulk_action::Ending::Done));
    other.close().await;
    // SQLite starts the log over at a write only once every page in it is in the
    // database file: here it went on.
    let logged = wal::logged_bytes(&db);
    assert!(logged > 100_000, "the log started over without a copy ({logged} bytes)");

    assert!(wal::copy_back_past(&db, logged / 2, &mut last).await.unwrap());
    assert!(!wal::copy_back_past(&db, logged / 2, &mut last).await.unwrap(), "nothing new to copy");
    app::db::accounts::create(&db, "C").await.unwrap();
    let after = wal::logged_bytes(&db);
    assert!(after > 0 && after < logged / 10, "{after} bytes logged after the copy, {logged} before");

    let mut count = db.sql("SELECT COUNT(*) FROM contacts WHERE account_id IN ");
    count.bind_tuple([a.account_id, b.account_id]);
    db.close().await;
    let reopened = Db::connect(&url).await.unwrap();
    assert_eq!(reopened.fetch_i64(&count).await.unwrap(), 1_500);
    reopened.close().await;
}

/// Each server's job runner does that copy: a log past the runner's size is copied
/// back within moments, with no job running, and the next write starts it over.
#[tokio::test]
async fn the_job_runner_copies_the_log_back_in_the_background() {
    let (db, _dir) = common::sqlite().await;
    const PAST: u64 = 64 << 10;
    let runner = Runner::new(db.clone(), JobSettings { copy_log_past: PAST, ..JobSettings::default() });
    seed_account(&db, &SeedOptions { account_name: "A".into(), contacts: 1_500, seed: 8 }).await.unwrap();
    assert!(wal::logged_bytes(&db) > 2 * PAST, "the seed logged {} bytes", wal::logged_bytes(&db));
    runner.start();
    let mut logged = Vec::new();
    for n in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        app::db::accounts::create(&db, &format!("B{n}")).await.unwrap();
        logged.push(wal::logged_bytes(&db));
        if logged.last() < Some(&PAST) {
            break;
        }
    }
    runner.shutdown(Duration::from_secs(5)).await;
    assert!(logged.last() < Some(&PAST), "the log held {logged:?} bytes after each write, 100 ms apart");
}
