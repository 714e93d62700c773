//! SQLite's writers waiting for one another (`db::busy`): a connection waiting for the
//! write lock takes it at the first short moment a long series of transactions lets it
//! go (as a user saving a contact during a bulk delete must), and gives up once its
//! patience is spent.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::db::seed::{seed_account, SeedOptions};
use app::db::{busy, Db, Pool};

/// Transactions of the long series, each holding the write lock this long, with this
/// short a moment between two of them.
const SERIES: usize = 30;
const HOLD: Duration = Duration::from_millis(40);
const GAP: Duration = Duration::from_millis(3);

fn pool(db: &Db) -> &sqlx::SqlitePool {
    match db.pool() {
        Pool::Sqlite(pool) => pool,
        Pool::Postgres(_) => unreachable!("a SQLite test"),
    }
}

#[tokio::test]
async fn a_waiting_writer_gets_in_between_two_transactions_of_a_long_series() {
    let (db, _dir) = common::sqlite().await;
    let pool = pool(&db).clone();
    sqlx::query("CREATE TABLE marks (who TEXT NOT NULL, n INTEGER NOT NULL)").execute(&pool).await.unwrap();

    let committed = Arc::new(AtomicUsize::new(0));
    let series = {
        let (pool, committed) = (pool.clone(), committed.clone());
        tokio::spawn(async move {
            for n in 0..SERIES {
                let mut tx = pool.begin().await.unwrap();
                sqlx::query("INSERT INTO marks VALUES ('series', ?)").bind(n as i64).execute(&mut *tx).await.unwrap();
                tokio::time::sleep(HOLD).await;
                tx.commit().await.unwrap();
                committed.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(GAP).await;
            }
        })
    };
    // Once the series holds the lock, another writer asks for it.
    while committed.load(Ordering::SeqCst) == 0 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    tokio::time::sleep(HOLD / 2).await;
    let asked_at = committed.load(Ordering::SeqCst);
    sqlx::query("INSERT INTO marks VALUES ('user', 0)").execute(&pool).await.unwrap();
    let got_in_at = committed.load(Ordering::SeqCst);
    series.await.unwrap();

    // SQLite's own waiting sleeps 100 ms between attempts after the first 228 ms, and
    // would keep missing 3 ms moments: it gets in near the end of the series, if at all
    // before it.
    assert!(
        got_in_at <= asked_at + 3,
        "the writer asked during transaction {asked_at} and got in only after transaction {got_in_at} of {SERIES}"
    );
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM marks").fetch_one(&pool).await.unwrap();
    assert_eq!(rows, SERIES as i64 + 1, "every transaction committed");
}

#[tokio::test]
async fn a_waiting_writer_gives_up_once_its_patience_is_spent() {
    let (db, _dir) = common::sqlite().await;
    let pool = pool(&db).clone();
    sqlx::query("CREATE TABLE marks (n INTEGER NOT NULL)").execute(&pool).await.unwrap();
    let mut holder = pool.begin().await.unwrap();
    sqlx::query("INSERT INTO marks VALUES (1)").execute(&mut *holder).await.unwrap();

    let mut waiter = pool.acquire().await.unwrap();
    busy::wait_at_most(&mut waiter, Duration::from_millis(150)).await.unwrap();
    let started = Instant::now();
    let refused = sqlx::query("INSERT INTO marks VALUES (2)").execute(&mut *waiter).await.unwrap_err();
    let waited = started.elapsed();
    assert!(refused.to_string().contains("database is locked"), "{refused}");
    assert!(waited >= Duration::from_millis(150), "gave up after {waited:?}, before its patience was spent");
    assert!(waited < Duration::from_secs(5), "waited {waited:?} for a 150 ms patience");

    // Nothing was written by the refused statement; once the lock is free, it writes.
    holder.commit().await.unwrap();
    sqlx::query("INSERT INTO marks VALUES (2)").execute(&mut *waiter).await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM marks").fetch_one(&mut *waiter).await.unwrap();
    assert_eq!(rows, 2);
}

/// A fresh connection pool (a command-line tool beside the servers) generating contacts
/// while another server writes in short transactions: each of its transactions waits
/// its turn. With a deferred `BEGIN` the first one failed at once ("database is
/// locked"): preparing an INSERT into `contacts` reads the search index's configuration
/// inside the transaction, which then cannot wait for the write lock.
#[tokio::test]
async fn transactions_adding_contacts_wait_for_another_writer_instead_of_failing() {
    let (db, dir) = common::sqlite().await;
    let url = format!("sqlite:{}", dir.path().join("test.db").display());
    let pool = pool(&db).clone();
    sqlx::query("CREATE TABLE marks (n INTEGER NOT NULL)").execute(&pool).await.unwrap();

    let writing = Arc::new(AtomicUsize::new(1));
    let other_server = {
        let (pool, writing) = (pool.clone(), writing.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while writing.load(Ordering::SeqCst) == 1 {
                let mut tx = pool.begin().await.unwrap();
                sqlx::query("INSERT INTO marks VALUES (?)").bind(n).execute(&mut *tx).await.unwrap();
                tokio::time::sleep(Duration::from_millis(5)).await;
                tx.commit().await.unwrap();
                tokio::time::sleep(Duration::from_millis(1)).await;
                n += 1;
            }
            n
        })
    };
    let tool = Db::connect(&url).await.unwrap();
    let options = SeedOptions { account_name: "Generated".into(), contacts: 1_500, seed: 5 };
    let report = seed_account(&tool, &options).await;
    writing.store(0, Ordering::SeqCst);
    let marks = other_server.await.unwrap();

    let report = report.expect("every transaction waited for the other writer");
    assert_eq!(report.contacts, 1_500);
    let contacts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contacts").fetch_one(&pool).await.unwrap();
    assert_eq!(contacts, 1_500);
    assert!(marks > 3, "the other server wrote meanwhile ({marks} transactions)");
    tool.close().await;
}
