//! The real server binary, killed with SIGKILL in the middle of a bulk delete: on a
//! SQLite file the restarted process finishes the job by itself; on PostgreSQL a second
//! server running beside the first takes the job over. Either way every contact ends
//! whole or fully gone, exactly the confirmed ones go, and the counts are exact.

#[path = "../../app/tests/common/mod.rs"]
mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use app::bulk_action::Status;
use app::db::cascade::{Link, AREAS};
use app::db::{accounts, history, Db};
use app::model::DeleteReport;
use reqwest::Client;
use serde_json::{json, Value};

use common::{assert_only_these_gone, rows_per_contact};
use process::Server;

mod process;

/// Contacts of the demo account: 20,000, as the issue asks.
const CONTACTS: usize = 20_000;
/// The demo with that many contacts, 4 contacts per chunk (so that a delete of about
/// 4,300 takes seconds: the call that starts it waits up to one second for it, and the
/// test must still find it running), and 2-second leases (a dead server's job is taken
/// over within 2 + 2/3 s).
const SERVE: [&str; 7] = ["--demo", "--demo-contacts", "20000", "--delete-chunk", "4", "--job-lease-seconds", "2"];

async fn signed_in(server: &Server) -> Client {
    let client = Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let form = [("email", "admin@demo.test"), ("password", "demo-admin-pass")];
    client.post(format!("{}/api/login", server.base)).header("origin", &server.base).form(&form).send().await.unwrap();
    client
}

async fn contact_ids(db: &Db, account: i64) -> BTreeSet<i64> {
    let mut sql = db.sql("SELECT id FROM contacts WHERE account_id = ");
    sql.bind(account).push(" ORDER BY id");
    db.fetch_ids(&sql).await.unwrap().into_iter().collect()
}

/// Rows of every area whose contact is gone (there must be none).
async fn orphans(db: &Db) -> i64 {
    let mut total = 0;
    for area in AREAS {
        let sql = match area.link {
            Link::Contact => format!(
                "SELECT COUNT(*) FROM {} t WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = t.contact_id)",
                area.table
            ),
            Link::Via { parent, column } => {
                format!(
                    "SELECT COUNT(*) FROM {} t WHERE NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = t.{column})",
                    area.table
                )
            }
        };
        total += db.fetch_i64(&db.sql(&sql)).await.unwrap();
    }
    total
}

/// A delete under way, and the data as it was before.
struct Started {
    job: i64,
    chosen: i64,
    before_rows: std::collections::BTreeMap<(&'static str, i64), i64>,
    before_ids: BTreeSet<i64>,
    preview: Value,
}

/// Confirms a delete of part of the account (contacts inactive for a year, as the
/// dialog counts them) through `server`, as the page does it.
async fn start_delete(server: &Server, client: &Client, db: &Db, account: i64, key: &str) -> Started {
    let page =
        server.call(client, "list_contacts", json!({ "query": { "search": "", "after": null, "before": null } })).await;
    let selection = json!({ "kind": "all", "search": "", "filter": { "inactive_days": 365 }, "except": [], "watermark": page["watermark"] });
    let preview = server.call(client, "preview_delete", json!({ "selection": selection })).await;
    let chosen = preview["contacts"].as_i64().unwrap();
    assert!(chosen > 1_000 && chosen < CONTACTS as i64, "{chosen} of {CONTACTS}");
    let before_rows = rows_per_contact(db).await;
    let before_ids = contact_ids(db, account).await;
    let mut pinned = preview["selection"].clone();
    pinned["as_of"] = preview["as_of"].clone();
    let request = json!({ "request": {
        "selection": pinned, "digest": preview["digest"], "confirmed_count": chosen,
        "typed_confirmation": chosen.to_string(), "request_key": key,
    } });
    let job = server.call(client, "delete_contacts", request).await["id"].as_i64().unwrap();
    Started { job, chosen, before_rows, before_ids, preview }
}

/// Waits until the job has deleted at least `n` contacts (and is still running).
async fn until_done_at_least(db: &Db, account: i64, job: i64, n: i64) {
    loop {
        let row = history::get(db, account, None, job).await.unwrap();
        assert_eq!(row.status, Status::Running, "the delete ended before it could be interrupted: {row:?}");
        if row.contacts_done >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Waits for the job to end; returns its record.
async fn until_ended(db: &Db, account: i64, job: i64, since: Instant) -> app::model::BulkActionRow {
    loop {
        let row = history::get(db, account, None, job).await.unwrap();
        if row.status != Status::Running {
            println!("resumed and finished {:.1} s after the interruption", since.elapsed().as_secs_f64());
            return row;
        }
        assert!(since.elapsed() < Duration::from_secs(120), "the job was not resumed: {row:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Kills the server running a delete part-way; `survivor` (a server already running,
/// or `None`: restart the killed one) must finish it.
async fn killed_mid_delete(database_url: &str, second_server: bool) {
    let mut first = Server::start(database_url, &SERVE).await;
    let survivor = if second_server { Some(Server::start(database_url, &SERVE).await) } else { None };
    let db = Db::connect(database_url).await.unwrap();
    let account = accounts::by_name(&db, server::demo::DEMO_ACCOUNT).await.unwrap().unwrap();
    let client = signed_in(&first).await;
    let started = start_delete(&first, &client, &db, account, "crash-test-0001").await;
    let Started { job, chosen, ref before_rows, ref before_ids, ref preview } = started;

    // Kill -9 once it has done some of the work, not all.
    until_done_at_least(&db, account, job, 100).await;
    first.kill_9();
    let killed_at = Instant::now();
    let at_kill = history::get(&db, account, None, job).await.unwrap();
    assert!(at_kill.contacts_done < chosen, "killed part-way: {} of {chosen}", at_kill.contacts_done);
    // Right now, every contact is whole or fully gone, and the record agrees with the data.
    let gone_now: BTreeSet<i64> = before_ids.difference(&contact_ids(&db, account).await).copied().collect();
    assert_eq!(gone_now.len() as i64, at_kill.contacts_done);
    let report = DeleteReport { contacts: at_kill.contacts_done, areas: at_kill.rows.clone() };
    assert_only_these_gone(before_rows, &rows_per_contact(&db).await, &gone_now, &report);

    // The job goes on: on the restarted server, or on the other one.
    let _restarted = if second_server { None } else { Some(Server::start(database_url, &SERVE).await) };
    let row = until_ended(&db, account, job, killed_at).await;
    assert_eq!((row.status, row.contacts_done, row.contacts_requested, row.resumed), (Status::Done, chosen, chosen, 1));
    let gone: BTreeSet<i64> = before_ids.difference(&contact_ids(&db, account).await).copied().collect();
    assert_eq!(gone.len() as i64, chosen, "exactly the confirmed number");
    let report = DeleteReport { contacts: row.contacts_done, areas: row.rows.clone() };
    assert_only_these_gone(before_rows, &rows_per_contact(&db).await, &gone, &report);
    assert_eq!(orphans(&db).await, 0);
    // Exactly the confirmed contacts: none of those left is a year inactive as of the preview.
    let as_of = preview["as_of"].as_i64().unwrap();
    let mut stale = db.sql("SELECT COUNT(*) FROM contacts WHERE account_id = ");
    stale.bind(account).push(" AND last_activity_at < ").bind(as_of - 365 * 86_400);
    assert_eq!(db.fetch_i64(&stale).await.unwrap(), 0);
    drop(survivor);
    db.close().await;
}

#[tokio::test]
async fn a_killed_server_finishes_its_delete_after_a_restart_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("crash.db").display());
    killed_mid_delete(&url, false).await;
}

#[tokio::test]
async fn another_server_takes_over_the_delete_of_a_killed_one_on_postgres() {
    killed_mid_delete(&common::postgres_url().await, true).await;
}

#[tokio::test]
async fn sigterm_stops_a_server_in_seconds_and_its_delete_resumes_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("sigterm.db").display());
    let mut server = Server::start(&url, &SERVE).await;
    let db = Db::connect(&url).await.unwrap();
    let account = accounts::by_name(&db, server::demo::DEMO_ACCOUNT).await.unwrap().unwrap();
    let client = signed_in(&server).await;
    let Started { job, chosen, before_rows, before_ids, .. } =
        start_delete(&server, &client, &db, account, "sigterm-0001").await;
    until_done_at_least(&db, account, job, 100).await;

    let took = server.terminate();
    println!("SIGTERM: the server exited after {:.2} s", took.as_secs_f64());
    assert!(took < Duration::from_secs(10), "{took:?}");
    // Released between two chunks, not failed: nobody holds it, it is still running.
    let mut holder = db.sql("SELECT COUNT(*) FROM bulk_actions WHERE worker IS NULL AND status = 'running' AND id = ");
    holder.bind(job);
    assert_eq!(db.fetch_i64(&holder).await.unwrap(), 1);
    let at_stop = history::get(&db, account, None, job).await.unwrap();
    assert!(at_stop.contacts_done >= 100 && at_stop.contacts_done < chosen);

    let restarted_at = Instant::now();
    let _again = Server::start(&url, &SERVE).await;
    let row = until_ended(&db, account, job, restarted_at).await;
    assert_eq!((row.status, row.contacts_done, row.resumed), (Status::Done, chosen, 1));
    let gone: BTreeSet<i64> = before_ids.difference(&contact_ids(&db, account).await).copied().collect();
    let report = DeleteReport { contacts: row.contacts_done, areas: row.rows.clone() };
    assert_only_these_gone(&before_rows, &rows_per_contact(&db).await, &gone, &report);
    db.close().await;
}
