//! The data generator on each engine: rows in all seven areas, duplicates, inactive
//! contacts, and ids that later inserts do not collide with.

mod common;

use app::db::cascade::AREAS;
use app::db::contacts;
use app::db::seed::{seed_account, SeedOptions};
use app::db::{now, Db};
use common::{contact, on_each_engine};

/// Runs a COUNT whose one `?` is the account id.
async fn count(db: &Db, sql: &str, account: i64) -> i64 {
    let (head, tail) = sql.split_once('?').expect("one placeholder");
    let mut stmt = db.sql(head);
    stmt.bind(account).push(tail);
    db.fetch_i64(&stmt).await.unwrap()
}

#[tokio::test]
async fn generator_fills_every_area_with_duplicates_and_inactive_contacts() {
    on_each_engine(|db| async move {
        let options = SeedOptions { account_name: "Generated".into(), contacts: 2_500, seed: 7 };
        let report = seed_account(&db, &options).await.unwrap();
        let a = report.account_id;
        assert_eq!(count(&db, "SELECT COUNT(*) FROM contacts WHERE account_id = ?", a).await, 2_500);
        assert_eq!(report.rows.len(), AREAS.len());
        for (area, rows) in &report.rows {
            assert!(*rows > 0, "{:?}: no rows in {}", db.dialect(), area.table);
        }

        // Duplicates: contacts sharing a normalized email or phone with another one.
        let dup_email = count(
            &db,
            "SELECT COUNT(*) FROM (SELECT email_norm FROM contacts WHERE account_id = ? \
             AND email_norm IS NOT NULL GROUP BY email_norm HAVING COUNT(*) > 1) d",
            a,
        )
        .await;
        let dup_phone = count(
            &db,
            "SELECT COUNT(*) FROM (SELECT phone_norm FROM contacts WHERE account_id = ? \
             AND phone_norm IS NOT NULL GROUP BY phone_norm HAVING COUNT(*) > 1) d",
            a,
        )
        .await;
        assert!(dup_email > 20 && dup_phone > 20, "duplicates: {dup_email} by email, {dup_phone} by phone");
        // …written differently: the raw values of a duplicate group differ.
        let variants = count(
            &db,
            "SELECT COUNT(*) FROM (SELECT email_norm FROM contacts WHERE account_id = ? \
             AND email_norm IS NOT NULL GROUP BY email_norm HAVING COUNT(DISTINCT email) > 1) d",
            a,
        )
        .await;
        assert!(variants > 10, "{variants} duplicate emails with differing spelling");

        let year_ago = now() - 365 * 86_400;
        let mut inactive = db.sql("SELECT COUNT(*) FROM contacts WHERE account_id = ");
        inactive.bind(a).push(" AND last_activity_at < ").bind(year_ago);
        let inactive = db.fetch_i64(&inactive).await.unwrap();
        let never =
            count(&db, "SELECT COUNT(*) FROM contacts WHERE account_id = ? AND last_activity_at IS NULL", a).await;
        assert!((300..900).contains(&inactive), "{inactive} of 2500 inactive for over a year");
        assert!(never > 50, "{never} never active");

        // A second generated account and a hand-made contact get fresh ids.
        let second =
            seed_account(&db, &SeedOptions { account_name: "Second".into(), contacts: 100, seed: 8 }).await.unwrap();
        assert_eq!(count(&db, "SELECT COUNT(*) FROM contacts WHERE account_id = ?", second.account_id).await, 100);
        contacts::insert(&db, a, &contact("New", "Person", "new@example.com", "", 0)).await.unwrap();
        assert_eq!(count(&db, "SELECT COUNT(*) FROM contacts WHERE account_id = ?", a).await, 2_501);
    })
    .await;
}

/// SQLite's statistics after a generated account describe its rows, not a sample: every
/// index of `contacts` leads with the account, and sampled statistics (`PRAGMA
/// optimize`) said 2,001 contacts per account here, and at 100,000 contacts 2,001 per
/// email, which sent the duplicates filter's search for an older copy through the
/// created-at index, for minutes.
#[tokio::test]
async fn sqlite_statistics_after_generating_an_account_count_every_contact() {
    let (db, _dir) = common::sqlite().await;
    let options = SeedOptions { account_name: "Generated".into(), contacts: 3_000, seed: 7 };
    seed_account(&db, &options).await.unwrap();
    // sqlite_stat1.stat: the rows, then the average rows per value of the first column,
    // of the first two, and so on.
    let stats: Vec<(String, String)> =
        db.fetch_all(&db.sql("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'contacts'")).await.unwrap();
    let indexes: Vec<&str> = stats.iter().map(|(index, _)| index.as_str()).collect();
    for index in ["contacts_account_created", "contacts_account_email_norm", "contacts_account_phone_norm"] {
        assert!(indexes.contains(&index), "no statistics for {index}: {stats:?}");
    }
    for (index, stat) in &stats {
        let numbers: Vec<&str> = stat.split(' ').take(2).collect();
        assert_eq!(numbers, ["3000", "3000"], "{index}: {stat} (3,000 contacts, all of one account)");
    }
}

/// The search index's own tables (FTS5's) keep no statistics after a bulk load: with
/// samples of them, SQLite planned FTS5's look-ups again at every search (35% of the CPU
/// of 100 users searching). The contacts keep theirs (above).
#[tokio::test]
async fn sqlite_statistics_leave_out_the_search_index() {
    let (db, _dir) = common::sqlite().await;
    let options = SeedOptions { account_name: "Generated".into(), contacts: 500, seed: 7 };
    seed_account(&db, &options).await.unwrap();
    for table in ["sqlite_stat1", "sqlite_stat4"] {
        let mut sql = db.sql("SELECT tbl FROM ");
        sql.push(table).push(" GROUP BY tbl ORDER BY tbl");
        let analysed: Vec<(String,)> = db.fetch_all(&sql).await.unwrap();
        let analysed: Vec<&str> = analysed.iter().map(|(t,)| t.as_str()).collect();
        assert!(analysed.contains(&"contacts"), "{table}: {analysed:?}");
        assert!(!analysed.iter().any(|t| t.starts_with("contact_search")), "{table}: {analysed:?}");
    }
}
