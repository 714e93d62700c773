//! Test databases: every test runs once on a fresh SQLite file and once on a fresh
//! PostgreSQL database, both migrated. PostgreSQL comes from `TEST_POSTGRES_URL`
//! (scripts/test.sh starts a throw-away cluster and sets it).
#![allow(dead_code)]

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};

use std::collections::{BTreeMap, BTreeSet};

use app::db::cascade::{Link, AREAS};
use app::db::contacts::{self, NewContact};
use app::db::{accounts, Db};
use app::model::ListQuery;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh, migrated SQLite database in its own temporary directory.
pub async fn sqlite() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("test.db").display());
    let db = Db::connect(&url).await.expect("open sqlite");
    db.migrate().await.expect("migrate sqlite");
    (db, dir)
}

/// The URL of a fresh, empty PostgreSQL database on the test server.
pub async fn postgres_url() -> String {
    let admin_url = std::env::var("TEST_POSTGRES_URL").expect(
        "TEST_POSTGRES_URL is not set: run scripts/test.sh, which starts a throw-away PostgreSQL, \
         or point TEST_POSTGRES_URL at a server where this user may create databases",
    );
    let name = format!(
        "crm_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
    );
    let admin = Db::connect(&admin_url).await.expect("connect to TEST_POSTGRES_URL");
    admin.execute(&admin.sql(&format!("CREATE DATABASE {name}"))).await.expect("create test database");
    admin.close().await;
    let (base, _) = admin_url.rsplit_once('/').expect("TEST_POSTGRES_URL ends with /<database>");
    format!("{base}/{name}")
}

/// A fresh, migrated PostgreSQL database on the test server.
pub async fn postgres() -> Db {
    let db = Db::connect(&postgres_url().await).await.expect("connect to test database");
    db.migrate().await.expect("migrate postgres");
    db
}

/// Runs `test` on each engine, each time on a fresh database.
pub async fn on_each_engine<F, Fut>(test: F)
where
    F: Fn(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let (db, _dir) = sqlite().await;
    test(db.clone()).await;
    db.close().await;
    let db = postgres().await;
    test(db.clone()).await;
    db.close().await;
}

/// Runs `test` on each engine with the URL of a fresh, migrated database, for a test
/// that opens it as several servers would.
pub async fn on_each_engine_url<F, Fut>(test: F)
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite_url = format!("sqlite:{}", dir.path().join("test.db").display());
    for url in [sqlite_url, postgres_url().await] {
        let db = Db::connect(&url).await.expect("open the database");
        db.migrate().await.expect("migrate");
        db.close().await;
        test(url).await;
    }
}

/// A contact with a name, email and phone, created `age_minutes` before a fixed moment.
pub fn contact(first: &str, last: &str, email: &str, phone: &str, age_minutes: i64) -> NewContact {
    let created_at = 1_750_000_000 - age_minutes * 60;
    NewContact {
        first_name: first.into(),
        last_name: last.into(),
        email: (!email.is_empty()).then(|| email.into()),
        phone: (!phone.is_empty()).then(|| phone.into()),
        created_at,
        updated_at: created_at,
        ..Default::default()
    }
}

pub async fn account_with(db: &Db, name: &str, people: &[NewContact]) -> (i64, Vec<i64>) {
    let account = accounts::create(db, name).await.expect("account");
    let mut ids = Vec::new();
    for p in people {
        ids.push(contacts::insert(db, account, p).await.expect("insert contact"));
    }
    (account, ids)
}

/// Rows in every table of the app's data (sessions aside), by table name.
pub async fn table_counts(db: &Db) -> BTreeMap<&'static str, i64> {
    let mut out = BTreeMap::new();
    let tables = ["accounts", "users", "contacts", "campaigns", "bulk_actions", "login_failures", "smart_lists"];
    for table in tables.into_iter().chain(AREAS.iter().map(|a| a.table)) {
        out.insert(table, db.fetch_i64(&db.sql(&format!("SELECT COUNT(*) FROM {table}"))).await.unwrap());
    }
    out
}

/// A delete request as the confirm dialog sends it: the selection as the preview pinned
/// it and the preview's fingerprint of its contacts (none if the preview refused it),
/// with the count and typed number given.
pub async fn confirmed_request(
    db: &Db,
    account: i64,
    selection: app::model::Selection,
    confirmed: i64,
    typed: Option<&str>,
    key: &str,
) -> app::model::DeleteRequest {
    let (selection, digest) = match app::db::bulk_delete::preview(db, account, &selection).await {
        Ok(p) => (p.selection.pinned_at(p.as_of), p.digest),
        Err(_) => (selection, String::new()),
    };
    app::model::DeleteRequest {
        selection,
        digest,
        confirmed_count: confirmed,
        typed_confirmation: typed.map(String::from),
        request_key: key.to_string(),
    }
}

/// Rows per (area, contact) over the whole database, read through the cascade declaration.
pub async fn rows_per_contact(db: &Db) -> BTreeMap<(&'static str, i64), i64> {
    let mut out = BTreeMap::new();
    for area in AREAS {
        let sql = match area.link {
            Link::Contact => format!("SELECT contact_id, COUNT(*) FROM {} GROUP BY contact_id", area.table),
            Link::Via { parent, column } => format!(
                "SELECT p.contact_id, COUNT(*) FROM {} t JOIN {parent} p ON p.id = t.{column} GROUP BY p.contact_id",
                area.table
            ),
        };
        for (contact, n) in db.fetch_all::<(i64, i64)>(&db.sql(&sql)).await.unwrap() {
            out.insert((area.table, contact), n);
        }
    }
    out
}

/// Asserts that exactly `gone` lost all their rows and every other contact kept its own.
pub fn assert_only_these_gone(
    before: &BTreeMap<(&'static str, i64), i64>,
    after: &BTreeMap<(&'static str, i64), i64>,
    gone: &BTreeSet<i64>,
    report: &app::model::DeleteReport,
) {
    let mut removed: BTreeMap<&str, i64> = BTreeMap::new();
    for ((table, contact), n) in before {
        if gone.contains(contact) {
            assert_eq!(after.get(&(table, *contact)), None, "{table} rows of deleted contact {contact} remain");
            *removed.entry(table).or_default() += n;
        } else {
            assert_eq!(after.get(&(table, *contact)), Some(n), "{table} rows of kept contact {contact} changed");
        }
    }
    assert_eq!(after.len(), before.iter().filter(|((_, c), _)| !gone.contains(c)).count());
    for area in &report.areas {
        assert_eq!(area.rows, removed.get(area.area.as_str()).copied().unwrap_or(0), "report for {}", area.area);
    }
}

/// The number of contacts the database keeps per account (`contact_counts`, kept by
/// triggers) is, for every account, the number of its contacts, and the unfiltered
/// list's total.
pub async fn assert_kept_counts(db: &Db) {
    let counted = "SELECT account_id, COUNT(*) FROM contacts GROUP BY account_id";
    let counted: BTreeMap<i64, i64> = db.fetch_all(&db.sql(counted)).await.unwrap().into_iter().collect();
    let kept = "SELECT account_id, contacts FROM contact_counts WHERE contacts <> 0";
    let kept: BTreeMap<i64, i64> = db.fetch_all(&db.sql(kept)).await.unwrap().into_iter().collect();
    assert_eq!(kept, counted, "the kept counts per account");
    for (account, n) in counted {
        assert_eq!(contacts::list(db, account, &ListQuery::default()).await.unwrap().total, n, "account {account}");
    }
}
