//! The server over HTTP, on each engine: sign-in, sessions, account isolation, the
//! bulk-delete permission and the history, attacked the way a browser (or a script
//! posing as one) can. Every refused request must leave every table as it was.

#[path = "../../app/tests/common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use app::auth::SessionSettings;
use app::db::{Db, Pool};
use app::jobs::{JobSettings, Runner};
use leptos::prelude::LeptosOptions;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use server::demo;

use common::{on_each_engine, table_counts};

/// A server on a free port of this machine, on `db` with the demo accounts.
struct Running {
    base: String,
    db: Db,
}

async fn start_with(db: Db, secure_cookie: bool) -> Running {
    demo::ensure(&db, 60).await.expect("demo data");
    let options = LeptosOptions::builder().output_name("crm").build();
    let sessions = SessionSettings { secure_cookie, idle: Duration::from_secs(30 * 60) };
    let settings =
        server::serve::Settings { sessions, jobs: JobSettings::default(), public_origin: Default::default() };
    let runner = Runner::new(db.clone(), settings.jobs);
    let router = server::serve::router(db.clone(), options, settings, runner).await.expect("router");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    Running { base: format!("http://{addr}"), db }
}

async fn start(db: Db) -> Running {
    start_with(db, false).await
}

/// A browser: keeps cookies, does not follow redirects (so they can be checked).
fn browser() -> Client {
    Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

const ADMIN: (&str, &str) = ("admin@demo.test", "demo-admin-pass");
const USER: (&str, &str) = ("user@demo.test", "demo-user-pass");
const OTHER_ADMIN: (&str, &str) = ("admin@other.test", "other-admin-pass");

impl Running {
    async fn sign_in(&self, client: &Client, (email, password): (&str, &str)) -> reqwest::Response {
        client
            .post(format!("{}/api/login", self.base))
            .header("origin", &self.base)
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .unwrap()
    }

    /// A browser signed in as `who`.
    async fn signed_in(&self, who: (&str, &str)) -> Client {
        let client = browser();
        let response = self.sign_in(&client, who).await;
        assert!(response.status().is_success() || response.status().is_redirection(), "{:?}", response.status());
        client
    }

    /// Calls a server function; returns the status and the JSON answer.
    async fn call(&self, client: &Client, endpoint: &str, body: Value) -> (StatusCode, Value) {
        let response = client
            .post(format!("{}/api/{endpoint}", self.base))
            .header("origin", &self.base)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn account(&self, name: &str) -> i64 {
        app::db::accounts::by_name(&self.db, name).await.unwrap().unwrap()
    }

    async fn contact_ids(&self, account: &str) -> Vec<i64> {
        let mut sql = self.db.sql("SELECT id FROM contacts WHERE account_id = ");
        sql.bind(self.account(account).await).push(" ORDER BY id");
        self.db.fetch_all::<(i64,)>(&sql).await.unwrap().into_iter().map(|(id,)| id).collect()
    }

    async fn counts(&self) -> BTreeMap<&'static str, i64> {
        table_counts(&self.db).await
    }
}

fn ids(ids: &[i64]) -> Value {
    json!({ "kind": "ids", "ids": ids })
}

/// A confirmed delete as the dialog sends it. For ids, the fingerprint the preview
/// gives (of the ids in order); for other selections none, which the server refuses.
fn delete_request(selection: Value, confirmed: usize, key: &str) -> Value {
    let mut sorted: Vec<i64> =
        selection["ids"].as_array().map_or(vec![], |ids| ids.iter().filter_map(Value::as_i64).collect());
    sorted.sort();
    let digest = app::bulk_action::digest(&sorted);
    json!({ "request": { "selection": selection, "digest": digest, "confirmed_count": confirmed, "typed_confirmation": null, "request_key": key } })
}

/// Every server function, with a well-formed body aimed at `targets` (contacts).
fn every_call(targets: &[i64], user_id: i64) -> Vec<(&'static str, Value)> {
    vec![
        ("list_contacts", json!({ "query": { "search": "", "after": null, "before": null } })),
        ("bulk_actions", json!({})),
        ("viewer", json!({})),
        ("team", json!({})),
        ("preview_delete", json!({ "selection": ids(targets) })),
        ("delete_contacts", delete_request(ids(targets), targets.len(), "attack-key-1")),
        ("bulk_action", json!({ "id": 1 })),
        ("stop_bulk_action", json!({ "id": 1 })),
        ("set_bulk_delete_permission", json!({ "user_id": user_id, "granted": true })),
        ("keep_deleted_days", json!({})),
        ("set_keep_deleted_days", json!({ "days": 0 })),
        ("preview_restore", json!({ "id": 1 })),
        ("restore_bulk_action", restore_request(&json!(1), "attack-key-2")),
    ]
}

fn restore_request(delete: &Value, key: &str) -> Value {
    json!({ "request": { "bulk_action_id": delete, "request_key": key } })
}

fn message(answer: &Value) -> String {
    answer.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).unwrap_or_default().to_string()
}

#[tokio::test]
async fn without_a_valid_session_pages_redirect_and_calls_get_401() {
    on_each_engine(|db| async move {
        let app = start(db).await;
        let targets = app.contact_ids(demo::DEMO_ACCOUNT).await[..3].to_vec();
        let user_id = app::db::users::by_email(&app.db, USER.0).await.unwrap().unwrap().id;
        let before = app.counts().await;

        // No cookie at all.
        let anonymous = browser();
        for page in ["/contacts", "/bulk-actions", "/team", "/"] {
            let response = anonymous.get(format!("{}{page}", app.base)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{page}");
            assert_eq!(response.headers()["location"], "/login", "{page}");
        }
        let login_page = anonymous.get(format!("{}/login", app.base)).send().await.unwrap();
        assert_eq!(login_page.status(), StatusCode::OK);

        // A forged cookie (well-formed and not), and one whose session has expired or ended.
        let forged = |value: &str| {
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert("cookie", format!("crm_session={value}").parse().unwrap());
            Client::builder().default_headers(headers).redirect(reqwest::redirect::Policy::none()).build().unwrap()
        };
        let expired = app.signed_in(ADMIN).await;
        let (status, _) = app.call(&expired, "viewer", json!({})).await;
        assert_eq!(status, StatusCode::OK, "signed in, the call works");
        let expire = match app.db.pool() {
            Pool::Sqlite(_) => "UPDATE tower_sessions SET expiry_date = 0",
            Pool::Postgres(_) => "UPDATE tower_sessions.session SET expiry_date = now() - interval '1 day'",
        };
        app.db.execute(&app.db.sql(expire)).await.unwrap();
        let signed_out = app.signed_in(ADMIN).await;
        let status = signed_out
            .post(format!("{}/api/logout", app.base))
            .header("origin", &app.base)
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_success() || status.is_redirection(), "{status}");

        let clients = [
            ("no cookie", anonymous),
            ("forged id", forged("AAAAAAAAAAAAAAAAAAAAAA")),
            ("garbage", forged("%%'; DROP TABLE contacts; --")),
            ("expired", expired),
            ("signed out", signed_out),
        ];
        for (what, client) in &clients {
            for (endpoint, body) in every_call(&targets, user_id) {
                let (status, answer) = app.call(client, endpoint, body).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {endpoint}: {answer}");
                assert!(message(&answer).contains("sign in"), "{what}: {endpoint}: {answer}");
            }
            let page = client.get(format!("{}/contacts", app.base)).send().await.unwrap();
            assert_eq!(page.status(), StatusCode::SEE_OTHER, "{what}");
        }
        assert_eq!(app.counts().await, before, "no table changed");
    })
    .await;
}

#[tokio::test]
async fn an_account_sees_and_deletes_only_its_own_contacts() {
    on_each_engine(|db| async move {
        let app = start(db).await;
        let admin = app.signed_in(ADMIN).await;
        let mine = app.contact_ids(demo::DEMO_ACCOUNT).await;
        let theirs = app.contact_ids(demo::OTHER_ACCOUNT).await;

        let (status, page) = app.call(&admin, "list_contacts", json!({ "query": { "search": "", "after": null, "before": null } })).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page["total"], mine.len() as i64);
        let listed: Vec<i64> = page["contacts"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
        assert!(listed.iter().all(|id| mine.contains(id)), "only the account's contacts are listed");
        let (_, viewer) = app.call(&admin, "viewer", json!({})).await;
        assert_eq!(viewer["account"], demo::DEMO_ACCOUNT);

        let other_account = app.account(demo::OTHER_ACCOUNT).await;
        let empty = app::filter::Filter::default();
        let their_list = app::db::smart_lists::create(&app.db, other_account, None, "Theirs", "", &empty).await.unwrap().id;
        let before = app.counts().await;
        let other_user = app::db::users::by_email(&app.db, OTHER_ADMIN.0).await.unwrap().unwrap().id;
        let attacks = [
            ("preview_delete", json!({ "selection": ids(&theirs[..3]) }), StatusCode::NOT_FOUND),
            ("delete_contacts", delete_request(ids(&theirs[..3]), 3, "their-ids-01"), StatusCode::NOT_FOUND),
            // Mixed with the account's own: refused whole, whatever count is claimed.
            ("delete_contacts", delete_request(ids(&[mine[0], theirs[0]]), 2, "mixed-ids-01"), StatusCode::NOT_FOUND),
            ("delete_contacts", delete_request(ids(&[mine[0], theirs[0]]), 1, "mixed-ids-02"), StatusCode::NOT_FOUND),
            // The right number of the account's own contacts, but not the set the preview
            // counted (its fingerprint is of other contacts): refused as a change.
            ("delete_contacts", {
                let mut request = delete_request(ids(&mine[..2]), 2, "swapped-01");
                request["request"]["digest"] = json!(app::bulk_action::digest(&mine[2..4]));
                request
            }, StatusCode::CONFLICT),
            // A selection that tries to name another account.
            (
                "delete_contacts",
                delete_request(
                    json!({ "kind": "all", "search": "", "except": [], "watermark": theirs[theirs.len() - 1], "account_id": app.account(demo::OTHER_ACCOUNT).await }),
                    theirs.len(),
                    "other-account-1",
                ),
                StatusCode::BAD_REQUEST,
            ),
            (
                "list_contacts",
                json!({ "query": { "search": "", "after": null, "before": null, "account_id": app.account(demo::OTHER_ACCOUNT).await } }),
                StatusCode::BAD_REQUEST,
            ),
            ("set_bulk_delete_permission", json!({ "user_id": other_user, "granted": true }), StatusCode::NOT_FOUND),
            // Another account's Smart List: not found, whatever is asked of it.
            ("update_smart_list", json!({ "id": their_list, "search": "", "filter": {} }), StatusCode::NOT_FOUND),
            ("rename_smart_list", json!({ "id": their_list, "name": "Mine now" }), StatusCode::NOT_FOUND),
            ("delete_smart_list", json!({ "id": their_list }), StatusCode::NOT_FOUND),
            ("smart_list_count", json!({ "id": their_list }), StatusCode::NOT_FOUND),
            // A date that is not a day: refused, never dropped (it would widen the list).
            (
                "list_contacts",
                json!({ "query": { "search": "", "filter": { "created_before": "2025-02-30" }, "after": null, "before": null } }),
                StatusCode::BAD_REQUEST,
            ),
            (
                "delete_contacts",
                delete_request(
                    json!({ "kind": "all", "search": "", "filter": {}, "smart_list": { "id": their_list, "name": "Theirs" },
                            "except": [], "watermark": theirs[theirs.len() - 1] }),
                    mine.len(),
                    "their-list-01",
                ),
                StatusCode::NOT_FOUND,
            ),
            // A filter that is not one.
            (
                "list_contacts",
                json!({ "query": { "search": "", "filter": { "inactive_days": "soon" }, "after": null, "before": null } }),
                StatusCode::BAD_REQUEST,
            ),
            (
                "list_contacts",
                json!({ "query": { "search": "", "filter": { "sql": "1=1" }, "after": null, "before": null } }),
                StatusCode::BAD_REQUEST,
            ),
        ];
        for (endpoint, body, expected) in attacks {
            let (status, answer) = app.call(&admin, endpoint, body.clone()).await;
            assert_eq!(status, expected, "{endpoint} {body}: {answer}");
            assert!(!message(&answer).is_empty(), "a clear message: {answer}");
        }
        assert_eq!(app.counts().await, before, "no table changed");
        assert_eq!(app.contact_ids(demo::OTHER_ACCOUNT).await, theirs);

        // The other account's admin sees none of the demo account's history.
        let (status, report) = app.call(&admin, "delete_contacts", delete_request(ids(&mine[..2]), 2, "own-ids-0001")).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        let other = app.signed_in(OTHER_ADMIN).await;
        let (_, history) = app.call(&other, "bulk_actions", json!({})).await;
        assert_eq!(history, json!([]));
        let (_, lists) = app.call(&other, "smart_lists", json!({})).await;
        assert_eq!(lists[0]["name"], "Theirs", "their Smart List is untouched");
        let (status, count) = app.call(&other, "smart_list_count", json!({ "id": their_list })).await;
        assert_eq!((status, count), (StatusCode::OK, json!(theirs.len())), "counted in their own account");
        let (_, team) = app.call(&other, "team", json!({})).await;
        let emails: Vec<&str> = team["members"].as_array().unwrap().iter().map(|m| m["email"].as_str().unwrap()).collect();
        assert_eq!(emails, vec![OTHER_ADMIN.0]);
    })
    .await;
}

#[tokio::test]
async fn only_admins_and_granted_users_may_bulk_delete_and_history_follows_roles() {
    on_each_engine(|db| async move {
        let app = start(db).await;
        let admin = app.signed_in(ADMIN).await;
        let user = app.signed_in(USER).await;
        let user_id = app::db::users::by_email(&app.db, USER.0).await.unwrap().unwrap().id;
        let admin_id = app::db::users::by_email(&app.db, ADMIN.0).await.unwrap().unwrap().id;
        let mine = app.contact_ids(demo::DEMO_ACCOUNT).await;

        // A plain user, calling the server functions directly.
        let (_, viewer) = app.call(&user, "viewer", json!({})).await;
        assert_eq!(viewer["may_bulk_delete"], false);
        let before = app.counts().await;
        for (endpoint, body) in [
            ("preview_delete", json!({ "selection": ids(&mine[..2]) })),
            ("delete_contacts", delete_request(ids(&mine[..2]), 2, "user-try-0001")),
            ("set_bulk_delete_permission", json!({ "user_id": user_id, "granted": true })),
        ] {
            let (status, answer) = app.call(&user, endpoint, body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{endpoint}: {answer}");
            assert!(!message(&answer).is_empty());
        }
        assert_eq!(app.counts().await, before, "no table changed");
        let (status, _) =
            app.call(&admin, "set_bulk_delete_permission", json!({ "user_id": admin_id, "granted": false })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "admins need no grant");

        // The admin deletes; the history records who and how much.
        let (status, admin_report) =
            app.call(&admin, "delete_contacts", delete_request(ids(&mine[..3]), 3, "admin-del-0001")).await;
        assert_eq!(status, StatusCode::OK, "{admin_report}");
        assert_eq!(admin_report["status"], "done", "a small delete finishes within the call");
        assert_eq!(admin_report["contacts_done"], 3);

        // Granted, the user may; the permission is read on every request.
        let (status, member) =
            app.call(&admin, "set_bulk_delete_permission", json!({ "user_id": user_id, "granted": true })).await;
        assert_eq!(status, StatusCode::OK, "{member}");
        assert_eq!(member["granted_bulk_delete"], true);
        let (_, viewer) = app.call(&user, "viewer", json!({})).await;
        assert_eq!(viewer["may_bulk_delete"], true);
        let (status, preview) = app.call(&user, "preview_delete", json!({ "selection": ids(&mine[3..5]) })).await;
        assert_eq!(status, StatusCode::OK, "{preview}");
        let before = app.counts().await;
        let (status, user_report) =
            app.call(&user, "delete_contacts", delete_request(ids(&mine[3..5]), 2, "user-del-0001")).await;
        assert_eq!(status, StatusCode::OK, "{user_report}");
        assert_eq!(user_report["contacts_done"], 2);
        assert_eq!(preview["areas"], user_report["rows"], "the preview counted what was deleted");
        let after = app.counts().await;
        assert_eq!(after["contacts"], before["contacts"] - 2);
        for area in user_report["rows"].as_array().unwrap() {
            let table = area["area"].as_str().unwrap();
            assert_eq!(before[table] - after[table], area["rows"].as_i64().unwrap(), "{table}");
        }

        // History: the admin sees both deletes, the user only their own.
        let (_, history) = app.call(&admin, "bulk_actions", json!({})).await;
        let rows = history.as_array().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["user"], "Uma User");
        assert_eq!(rows[1]["user"], "Ada Admin");
        for (row, report) in [(&rows[0], &user_report), (&rows[1], &admin_report)] {
            assert_eq!(row, report, "the history row is what the delete answered");
            assert!(row["finished_at"].as_i64().unwrap() >= row["started_at"].as_i64().unwrap());
        }
        let (_, own) = app.call(&user, "bulk_actions", json!({})).await;
        assert_eq!(own.as_array().unwrap().len(), 1);
        assert_eq!(own[0]["user"], "Uma User");

        // One history row by id: the user may read their own, not the admin's; nobody
        // may stop a finished one or read another account's.
        let (admins, users) = (rows[1]["id"].clone(), rows[0]["id"].clone());
        assert_eq!(app.call(&user, "bulk_action", json!({ "id": users })).await.0, StatusCode::OK);
        assert_eq!(app.call(&user, "bulk_action", json!({ "id": admins })).await.0, StatusCode::NOT_FOUND);
        assert_eq!(app.call(&user, "stop_bulk_action", json!({ "id": admins })).await.0, StatusCode::NOT_FOUND);
        assert_eq!(app.call(&admin, "stop_bulk_action", json!({ "id": users })).await.0, StatusCode::CONFLICT);
        let other = app.signed_in(OTHER_ADMIN).await;
        let before = app.counts().await;
        for id in [&admins, &users] {
            assert_eq!(app.call(&other, "bulk_action", json!({ "id": id })).await.0, StatusCode::NOT_FOUND);
            assert_eq!(app.call(&other, "stop_bulk_action", json!({ "id": id })).await.0, StatusCode::NOT_FOUND);
        }
        assert_eq!(app.counts().await, before);

        // Taken back: refused again.
        app.call(&admin, "set_bulk_delete_permission", json!({ "user_id": user_id, "granted": false })).await;
        let (status, _) =
            app.call(&user, "delete_contacts", delete_request(ids(&mine[5..6]), 1, "user-del-0002")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn admins_and_the_granted_user_who_deleted_may_restore_and_another_account_gets_404() {
    on_each_engine(|db| async move {
        let app = start(db).await;
        let admin = app.signed_in(ADMIN).await;
        let user = app.signed_in(USER).await;
        let other = app.signed_in(OTHER_ADMIN).await;
        let user_id = app::db::users::by_email(&app.db, USER.0).await.unwrap().unwrap().id;
        let mine = app.contact_ids(demo::DEMO_ACCOUNT).await;
        let start = app.counts().await;
        let (_, days) = app.call(&admin, "keep_deleted_days", json!({})).await;
        assert_eq!(days, 30, "the demo account keeps deleted contacts");

        let (status, deleted) =
            app.call(&admin, "delete_contacts", delete_request(ids(&mine[..3]), 3, "admin-del-0003")).await;
        assert_eq!(status, StatusCode::OK, "{deleted}");
        assert_eq!((deleted["to_bin"].clone(), deleted["in_bin"].clone()), (json!(true), json!(true)));
        let id = deleted["id"].clone();
        let before = app.counts().await;
        // Without the permission: 403; another account: 404; nothing changes.
        for (who, expected) in [(&user, StatusCode::FORBIDDEN), (&other, StatusCode::NOT_FOUND)] {
            assert_eq!(app.call(who, "preview_restore", json!({ "id": id })).await.0, expected);
            let (status, answer) = app.call(who, "restore_bulk_action", restore_request(&id, "try-restore-1")).await;
            assert_eq!(status, expected, "{answer}");
            assert!(!message(&answer).is_empty());
        }
        for (who, days, expected) in [
            (&user, 3, StatusCode::FORBIDDEN),
            (&admin, 366, StatusCode::BAD_REQUEST),
            (&admin, -1, StatusCode::BAD_REQUEST),
        ] {
            assert_eq!(app.call(who, "set_keep_deleted_days", json!({ "days": days })).await.0, expected);
        }
        assert_eq!(app.call(&admin, "keep_deleted_days", json!({})).await.1, 30);
        assert_eq!(app.counts().await, before);

        // Granted, the user restores their own deletes, not the admin's.
        app.call(&admin, "set_bulk_delete_permission", json!({ "user_id": user_id, "granted": true })).await;
        let (_, own) = app.call(&user, "delete_contacts", delete_request(ids(&mine[3..5]), 2, "user-del-0003")).await;
        assert_eq!(
            app.call(&user, "restore_bulk_action", restore_request(&id, "user-restore-1")).await.0,
            StatusCode::NOT_FOUND
        );
        let (status, preview) = app.call(&user, "preview_restore", json!({ "id": own["id"] })).await;
        assert_eq!(status, StatusCode::OK, "{preview}");
        assert_eq!(preview["areas"], own["rows"], "the restore counts what the delete removed");
        let (status, restored) =
            app.call(&user, "restore_bulk_action", restore_request(&own["id"], "user-restore-2")).await;
        assert_eq!(status, StatusCode::OK, "{restored}");
        assert_eq!((restored["action"].clone(), restored["status"].clone()), (json!("restore"), json!("done")));
        assert_eq!(restored["contacts_done"], 2);

        // The admin restores theirs; a second restore is a conflict; all is as it was.
        let (status, restored) = app.call(&admin, "restore_bulk_action", restore_request(&id, "admin-restore-1")).await;
        assert_eq!(status, StatusCode::OK, "{restored}");
        assert_eq!(restored["contacts_done"], 3);
        assert_eq!(
            app.call(&admin, "restore_bulk_action", restore_request(&id, "admin-restore-2")).await.0,
            StatusCode::CONFLICT
        );
        let mut after = app.counts().await;
        after.insert("bulk_actions", start["bulk_actions"]);
        assert_eq!(after, start, "every row is back");
    })
    .await;
}

/// The quickest of several timings: the one least disturbed by other work on the machine.
fn quickest(samples: Vec<Duration>) -> Duration {
    samples.into_iter().min().unwrap()
}

#[tokio::test]
async fn failed_sign_ins_look_alike_and_repeated_ones_must_wait() {
    on_each_engine(|db| async move {
        let app = start(db).await;
        let before = app.counts().await;

        // A wrong password and an unknown email: same status, same message, same time.
        let mut wrong = Vec::new();
        let mut unknown = Vec::new();
        let mut answers = Vec::new();
        for i in 0..5 {
            for (email, times) in
                [(OTHER_ADMIN.0.to_string(), &mut wrong), (format!("nobody{i}@demo.test"), &mut unknown)]
            {
                let started = Instant::now();
                let response = app.sign_in(&browser(), (&email, "not-the-password")).await;
                times.push(started.elapsed());
                answers.push((response.status(), response.text().await.unwrap()));
            }
        }
        assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
        assert_eq!(answers[0].0, StatusCode::UNAUTHORIZED);
        let (wrong, unknown) = (quickest(wrong), quickest(unknown));
        // Checking a password costs tens of milliseconds; answering an unknown email
        // without that work would take a fraction of it.
        let ratio = unknown.as_secs_f64() / wrong.as_secs_f64();
        assert!((0.5..2.0).contains(&ratio), "wrong password {wrong:?}, unknown email {unknown:?}");

        // After five failures for one email (the address allows more), even the right password must wait…
        for _ in 0..5 {
            assert_eq!(app.sign_in(&browser(), (USER.0, "guess")).await.status(), StatusCode::UNAUTHORIZED);
        }
        let response = app.sign_in(&browser(), USER).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(response.text().await.unwrap().contains("Try again in"));
        // …while other emails are not held up.
        let response = app.sign_in(&browser(), ADMIN).await;
        assert!(response.status().is_success() || response.status().is_redirection());

        // Only the failure counts changed.
        let mut after = app.counts().await;
        assert!(after["login_failures"] > 0);
        after.insert("login_failures", before["login_failures"]);
        assert_eq!(after, before);
    })
    .await;
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax_and_secure_on_https() {
    let (db, _dir) = common::sqlite().await;
    for secure in [false, true] {
        let app = start_with(db.clone(), secure).await;
        let response = app.sign_in(&browser(), ADMIN).await;
        let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie.starts_with("crm_session="), "{cookie}");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert_eq!(cookie.contains("Secure"), secure, "{cookie}");
        assert!(cookie.contains("Expires=") || cookie.contains("Max-Age="), "ends after inactivity: {cookie}");
    }
}

#[tokio::test]
async fn parallel_failed_sign_ins_cannot_slip_past_the_limit() {
    on_each_engine(|db| async move {
        let app = start(db).await;
        let attempts =
            (0..20).map(|_| async { app.sign_in(&browser(), ("someone@demo.test", "guess")).await.status() });
        let statuses = futures::future::join_all(attempts).await;
        let wrong = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
        let held = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
        assert_eq!((wrong, held), (5, 15), "{statuses:?}");
    })
    .await;
}

#[tokio::test]
async fn an_export_downloads_exactly_the_selection_as_csv_and_is_recorded() {
    on_each_engine(|db| async move {
        let app = start(db).await;
        let admin = app.signed_in(ADMIN).await;
        let mine = app.contact_ids(demo::DEMO_ACCOUNT).await;
        let theirs = app.contact_ids(demo::OTHER_ACCOUNT).await;
        let export = |client: &Client, selection: String| {
            client
                .post(format!("{}/export", app.base))
                .header("origin", &app.base)
                .form(&[("selection", selection)])
                .send()
        };

        let response = export(&admin, ids(&mine[..3]).to_string()).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let disposition = response.headers()["content-disposition"].to_str().unwrap().to_string();
        assert!(disposition.starts_with("attachment; filename=\"demo-company-contacts-20"), "{disposition}");
        assert!(disposition.ends_with(".csv\""), "{disposition}");
        let body = response.bytes().await.unwrap();
        let mut reader = csv::Reader::from_reader(&body[..]);
        assert_eq!(&reader.headers().unwrap()[0], "id");
        let got: Vec<i64> = reader.records().map(|r| r.unwrap()[0].parse().unwrap()).collect();
        assert_eq!(got, mine[..3].to_vec());
        let (_, history) = app.call(&admin, "bulk_actions", json!({})).await;
        assert_eq!(history[0]["action"], "export");
        assert_eq!(history[0]["status"], "done");
        assert_eq!(history[0]["contacts_done"], 3);
        assert_eq!(history[0]["user"], "Ada Admin");

        // Refused: without a session, another account's contacts, a malformed selection.
        let before = app.counts().await;
        let anonymous = export(&browser(), ids(&mine[..3]).to_string()).await.unwrap();
        assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
        let theirs = export(&admin, ids(&theirs[..2]).to_string()).await.unwrap();
        assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
        assert!(theirs.text().await.unwrap().contains("do not exist in your account"));
        let malformed = export(&admin, "{\"kind\":\"everything\"}".into()).await.unwrap();
        assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
        assert_eq!(app.counts().await, before, "nothing recorded, nothing changed");
    })
    .await;
}

#[tokio::test]
async fn requests_from_another_site_are_refused_and_change_nothing() {
    on_each_engine(|db| async move {
        let app = start(db).await;
        let admin = app.signed_in(ADMIN).await;
        let user_id = app::db::users::by_email(&app.db, USER.0).await.unwrap().unwrap().id;
        let mine = app.contact_ids(demo::DEMO_ACCOUNT).await;
        let before = app.counts().await;
        let delete = delete_request(ids(&mine[..2]), 2, "cross-site-01").to_string();
        let grant = json!({ "user_id": user_id, "granted": true }).to_string();
        let url = |path: &str| format!("{}{path}", app.base);
        // What another site can make a signed-in browser send without a preflight: a
        // text/plain body holding the JSON, and plain forms.
        for origin in [Some("http://evil.example"), Some("null"), None] {
            let with = |request: reqwest::RequestBuilder| match origin {
                Some(o) => request.header("origin", o),
                None => request,
            };
            let attempts = [
                with(admin.post(url("/api/delete_contacts"))).header("content-type", "text/plain").body(delete.clone()),
                with(admin.post(url("/api/set_bulk_delete_permission")))
                    .header("content-type", "text/plain")
                    .body(grant.clone()),
                with(admin.post(url("/export"))).form(&[("selection", ids(&mine[..3]).to_string())]),
                with(browser().post(url("/api/login"))).form(&[("email", USER.0), ("password", USER.1)]),
                with(admin.post(url("/api/logout"))),
            ];
            for attempt in attempts {
                let response = attempt.send().await.unwrap();
                assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origin:?} {}", response.url());
                assert!(response.text().await.unwrap().contains("did not come from this app"));
            }
            // A Referer from elsewhere does not help either.
            let response = admin
                .post(url("/api/delete_contacts"))
                .header("referer", "http://evil.example/page")
                .header("content-type", "application/json")
                .body(delete.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN);
        }
        assert_eq!(app.counts().await, before, "no table changed");
        let (_, viewer) = app.call(&admin, "viewer", json!({})).await;
        assert_eq!(viewer["account"], demo::DEMO_ACCOUNT, "still signed in: the sign-out was refused too");

        // From the app's own origin (or its pages, by Referer), a JSON call needs a JSON body…
        let plain =
            admin.post(url("/api/delete_contacts")).header("origin", &app.base).header("content-type", "text/plain");
        assert_eq!(plain.body(delete.clone()).send().await.unwrap().status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(app.counts().await, before);
        // …and then it works.
        let own = admin.post(url("/api/delete_contacts")).header("referer", format!("{}/contacts", app.base));
        let response = own.header("content-type", "application/json").body(delete).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(app.contact_ids(demo::DEMO_ACCOUNT).await.len(), mine.len() - 2);
    })
    .await;
}

#[tokio::test]
async fn two_smart_lists_saved_with_one_name_at_once_are_one_save_and_a_409() {
    on_each_engine(|db| async move {
        let app = start(db).await;
        let admin = app.signed_in(ADMIN).await;
        let body = json!({ "name": "Same name", "search": "", "filter": {} });
        let saves = (0..8).map(|_| app.call(&admin, "save_smart_list", body.clone()));
        let answers = futures::future::join_all(saves).await;
        let statuses: Vec<StatusCode> = answers.iter().map(|(status, _)| *status).collect();
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
        for (status, answer) in answers.iter().filter(|(status, _)| *status != StatusCode::OK) {
            assert_eq!(*status, StatusCode::CONFLICT, "{answer}");
            assert_eq!(message(answer), "There is already a Smart List named “Same name”.");
        }
    })
    .await;
}

#[tokio::test]
async fn pages_carry_the_security_headers_and_oversized_bodies_get_413() {
    on_each_engine(|db| async move {
        let app = start(db).await;
        let admin = app.signed_in(ADMIN).await;
        for (client, page) in [(&browser(), "/login"), (&admin, "/contacts"), (&admin, "/team")] {
            let response = client.get(format!("{}{page}", app.base)).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{page}");
            let header =
                |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
            assert_eq!(header("x-content-type-options"), "nosniff", "{page}");
            assert_eq!(header("referrer-policy"), "same-origin", "{page}");
            let policy = header("content-security-policy");
            assert!(
                policy.contains("frame-ancestors 'none'") && policy.contains("default-src 'self'"),
                "{page}: {policy}"
            );
            // The inline hydration script carries the nonce the policy names, and only it.
            let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).unwrap().to_string();
            let html = response.text().await.unwrap();
            assert!(html.contains(&format!("nonce=\"{nonce}\"")), "{page}");
        }
        // Two pages, two nonces.
        let policy = |r: reqwest::Response| r.headers()["content-security-policy"].to_str().unwrap().to_string();
        let first = policy(admin.get(format!("{}/contacts", app.base)).send().await.unwrap());
        let second = policy(admin.get(format!("{}/contacts", app.base)).send().await.unwrap());
        assert_ne!(first, second);

        // A body over the limit: 413, and nothing changed.
        let before = app.counts().await;
        let huge = format!("{{\"request\": \"{}\"}}", "x".repeat(server::serve::MAX_BODY_BYTES + 1));
        let response = admin
            .post(format!("{}/api/delete_contacts", app.base))
            .header("origin", &app.base)
            .header("content-type", "application/json")
            .body(huge)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(app.counts().await, before);
    })
    .await;
}
