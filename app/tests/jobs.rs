//! Bulk deletes as durable jobs, on each engine: the confirmed set is pinned (a swap is
//! refused); a job whose worker died is taken over and ends with exactly the selection
//! deleted; of two workers racing for a job one gets it, and a worker that lost its
//! lease cannot write; Stop reaches a job whatever worker runs it; a shutdown leaves the
//! job resumable.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use app::bulk_action::{Ending, Status};
use app::db::bulk_delete::{accept, cancel, preview, run, Accepted, RunEnd, RunSettings};
use app::db::contacts::watermark;
use app::db::seed::{seed_account, SeedOptions};
use app::db::{history, jobs, Db};
use app::error::AppError;
use app::filter::Filter;
use app::jobs::{JobSettings, Runner};
use app::model::{DeleteReport, Selection};
use common::{assert_only_these_gone, confirmed_request, on_each_engine, rows_per_contact, table_counts};

const LEASE: Duration = Duration::from_millis(400);
/// The lease of the worker that dies: long enough to see that no one takes over early.
const DYING_LEASE: Duration = Duration::from_millis(1_500);

async fn ids_of(db: &Db, account: i64) -> Vec<i64> {
    let mut sql = db.sql("SELECT id FROM contacts WHERE account_id = ");
    sql.bind(account).push(" ORDER BY id");
    db.fetch_ids(&sql).await.unwrap()
}

/// Account A (300 contacts) to delete from, account B (100) that must stay whole.
async fn accounts(db: &Db) -> (i64, i64) {
    let a = seed_account(db, &SeedOptions { account_name: "A".into(), contacts: 300, seed: 11 }).await.unwrap();
    let b = seed_account(db, &SeedOptions { account_name: "B".into(), contacts: 100, seed: 12 }).await.unwrap();
    (a.account_id, b.account_id)
}

async fn everything(db: &Db) -> Selection {
    Selection::all("", Filter::default(), watermark(db).await.unwrap())
}

/// A runner of its own (a server process), with one contact per chunk.
fn runner(db: &Db) -> Runner {
    Runner::new(
        db.clone(),
        JobSettings { lease: LEASE, tick: Duration::from_millis(100), chunk: Some(1), ..JobSettings::default() },
    )
}

/// Waits until the job has deleted at least `n` contacts.
async fn until_done_at_least(db: &Db, account: i64, job: i64, n: i64) {
    for _ in 0..2_000 {
        if history::get(db, account, None, job).await.unwrap().contacts_done >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!("job {job} made no progress");
}

/// Waits for the job to end; returns its record.
async fn until_ended(db: &Db, account: i64, job: i64) -> app::model::BulkActionRow {
    for _ in 0..3_000 {
        let row = history::get(db, account, None, job).await.unwrap();
        if row.status != Status::Running {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("job {job} did not end");
}

async fn targets_left(db: &Db, job: i64) -> i64 {
    let mut sql = db.sql("SELECT COUNT(*) FROM bulk_action_targets WHERE bulk_action_id = ");
    sql.bind(job);
    db.fetch_i64(&sql).await.unwrap()
}

#[tokio::test]
async fn a_swap_of_five_contacts_is_refused_and_deletes_nothing() {
    on_each_engine(|db| async move {
        let (a, _) = accounts(&db).await;
        let gmail = Selection::all("gmail", Filter::default(), watermark(&db).await.unwrap());
        let shown = preview(&db, a, &gmail).await.unwrap();
        assert!(shown.contacts > 20, "{}", shown.contacts);
        let mut request = confirmed_request(&db, a, gmail.clone(), shown.contacts, None, "swap-test-1").await;
        request.digest = shown.digest.clone();

        // Meanwhile five of them leave the selection and five others join it.
        let mut matching = db.sql("");
        app::db::selection::push_ids(&mut matching, a, &gmail);
        let leaving: Vec<i64> = db.fetch_ids(&matching).await.unwrap().into_iter().take(5).collect();
        let joining: Vec<i64> = {
            let inside: BTreeSet<i64> = db.fetch_ids(&matching).await.unwrap().into_iter().collect();
            ids_of(&db, a).await.into_iter().filter(|id| !inside.contains(id)).take(5).collect()
        };
        let mut out = db.sql("UPDATE contacts SET email = 'moved@example.org', email_norm = 'moved@example.org', name_norm = 'moved' WHERE ");
        out.push_in_ids("id", &leaving);
        db.execute(&out).await.unwrap();
        let mut join = db.sql("UPDATE contacts SET email = 'joined@gmail.com', email_norm = 'joined@gmail.com' WHERE ");
        join.push_in_ids("id", &joining);
        db.execute(&join).await.unwrap();
        assert_eq!(preview(&db, a, &gmail).await.unwrap().contacts, shown.contacts, "as many as confirmed…");

        let before = table_counts(&db).await;
        let err = accept(&db, a, None, &request, "worker-a", LEASE).await.unwrap_err();
        match &err {
            AppError::Conflict(m) => assert!(m.contains("not the same ones") && m.contains("Nothing was deleted"), "{m}"),
            other => panic!("…but not the same ones must be refused: {other:?}"),
        }
        assert_eq!(table_counts(&db).await, before, "nothing deleted, no job recorded");
        assert!(history::list(&db, a, None).await.unwrap().is_empty());

        // Confirmed again on what it means now, it goes through: exactly the new set.
        let fresh = preview(&db, a, &gmail).await.unwrap();
        let request = confirmed_request(&db, a, gmail, fresh.contacts, None, "swap-test-2").await;
        let report = app::db::bulk_delete::delete(&db, a, None, &request, 10).await.unwrap();
        assert_eq!(report.contacts, shown.contacts);
        let left: BTreeSet<i64> = ids_of(&db, a).await.into_iter().collect();
        assert!(leaving.iter().all(|id| left.contains(id)), "the contacts that left the selection stay");
        assert!(joining.iter().all(|id| !left.contains(id)), "the ones that joined and were confirmed go");
    })
    .await;
}

#[tokio::test]
async fn relative_filters_mean_the_moment_of_the_preview() {
    on_each_engine(|db| async move {
        let (a, _) = accounts(&db).await;
        let inactive = Filter { inactive_days: Some(365), ..Filter::default() };
        let selection = Selection::all("", inactive, watermark(&db).await.unwrap());
        let shown = preview(&db, a, &selection).await.unwrap();
        assert!((shown.as_of - app::db::now()).abs() <= 2, "the preview says when it counted");
        // Pinned at that moment, the selection means what the preview counted, however
        // much later it is confirmed; a moment in the future is not one the server gave.
        let pinned = selection.clone().pinned_at(shown.as_of);
        let later = preview(&db, a, &pinned).await.unwrap();
        assert_eq!((later.as_of, later.digest), (shown.as_of, shown.digest));
        let future = selection.pinned_at(app::db::now() + 3_600);
        assert!(matches!(preview(&db, a, &future).await, Err(AppError::BadRequest(_))));
    })
    .await;
}

#[tokio::test]
async fn a_job_whose_worker_died_is_taken_over_and_deletes_exactly_the_selection() {
    on_each_engine(|db| async move {
        let (a, b) = accounts(&db).await;
        let before = rows_per_contact(&db).await;
        let all_of_a = ids_of(&db, a).await;
        let request = confirmed_request(&db, a, everything(&db).await, 300, Some("300"), "dies-mid-way").await;
        let Accepted::New(job) = accept(&db, a, None, &request, "worker-dies", LEASE).await.unwrap() else { panic!() };
        assert_eq!(targets_left(&db, job).await, 300, "the work is written down before it starts");

        // Its worker deletes some, then dies without a word (the task is dropped mid-chunk).
        let doomed = tokio::spawn({
            let db = db.clone();
            async move {
                run(
                    &db,
                    job,
                    "worker-dies",
                    RunSettings { chunk: 1, lease: DYING_LEASE, budget: None, log_limit: None },
                    &Default::default(),
                )
                .await
            }
        });
        until_done_at_least(&db, a, job, 20).await;
        doomed.abort();
        let _ = doomed.await;
        let row = history::get(&db, a, None, job).await.unwrap();
        assert_eq!(row.status, Status::Running);
        assert_eq!(targets_left(&db, job).await, 300 - row.contacts_done, "progress and work left agree");

        // Another server finds it once the lease has run out, and finishes it.
        let other = runner(&db);
        assert!(!other.take_over().await.unwrap(), "not while the dead worker's last lease runs");
        tokio::time::sleep(DYING_LEASE).await;
        assert!(other.take_over().await.unwrap());
        let row = until_ended(&db, a, job).await;
        assert_eq!((row.status, row.contacts_done, row.resumed), (Status::Done, 300, 1));
        assert!(ids_of(&db, a).await.is_empty());
        assert_eq!(ids_of(&db, b).await.len(), 100);
        assert_eq!(targets_left(&db, job).await, 0);
        let report = DeleteReport { contacts: row.contacts_done, areas: row.rows.clone() };
        assert_only_these_gone(&before, &rows_per_contact(&db).await, &all_of_a.into_iter().collect(), &report);
    })
    .await;
}

#[tokio::test]
async fn two_workers_never_run_one_job() {
    on_each_engine(|db| async move {
        let (a, _) = accounts(&db).await;
        let before = rows_per_contact(&db).await;
        let all_of_a: BTreeSet<i64> = ids_of(&db, a).await.into_iter().collect();
        let request = confirmed_request(&db, a, everything(&db).await, 300, Some("300"), "raced-for").await;
        let Accepted::New(job) = accept(&db, a, None, &request, "worker-gone", LEASE).await.unwrap() else { panic!() };
        // While the lease holds, nobody may take it.
        assert_eq!(jobs::claim_abandoned(&db, "worker-b", 60_000).await.unwrap(), None);
        tokio::time::sleep(LEASE).await;

        // Three workers race for the abandoned job: exactly one gets it.
        let (b, c, d) = tokio::join!(
            jobs::claim_abandoned(&db, "worker-b", 60_000),
            jobs::claim_abandoned(&db, "worker-c", 60_000),
            jobs::claim_abandoned(&db, "worker-d", 60_000),
        );
        let winners: Vec<&str> = [("worker-b", b), ("worker-c", c), ("worker-d", d)]
            .into_iter()
            .filter_map(|(w, got)| got.unwrap().map(|_| w))
            .collect();
        assert_eq!(winners.len(), 1, "{winners:?}");
        let winner = winners[0];

        // The worker that lost the job (it was only slow, not dead) cannot write a chunk.
        let settings = RunSettings { chunk: 7, lease: LEASE, budget: None, log_limit: None };
        assert_eq!(run(&db, job, "worker-gone", settings, &Default::default()).await.unwrap(), RunEnd::Lost);
        assert_eq!(ids_of(&db, a).await.len(), 300, "the stale worker deleted nothing");

        // The winner and a loser run at once: the loser writes nothing, the winner all.
        let loser = ["worker-b", "worker-c", "worker-d"].into_iter().find(|w| *w != winner).unwrap();
        let never = Default::default();
        let (won, lost) = tokio::join!(run(&db, job, winner, settings, &never), run(&db, job, loser, settings, &never));
        assert_eq!((won.unwrap(), lost.unwrap()), (RunEnd::Ended(Ending::Done), RunEnd::Lost));
        let row = history::get(&db, a, None, job).await.unwrap();
        assert_eq!((row.status, row.contacts_done), (Status::Done, 300));
        let report = DeleteReport { contacts: row.contacts_done, areas: row.rows.clone() };
        assert_only_these_gone(&before, &rows_per_contact(&db).await, &all_of_a, &report);
    })
    .await;
}

#[tokio::test]
async fn stop_pressed_anywhere_reaches_the_worker_running_the_job() {
    on_each_engine(|db| async move {
        let (a, b) = accounts(&db).await;
        let server_a = runner(&db);
        let request = confirmed_request(&db, a, everything(&db).await, 300, Some("300"), "stop-elsewhere").await;
        let Accepted::New(job) = accept(&db, a, None, &request, server_a.worker(), LEASE).await.unwrap() else {
            panic!()
        };
        let running = server_a.run(job);
        until_done_at_least(&db, a, job, 5).await;
        // Stop, as a page served by another server asks it: through the database only.
        cancel(&db, a, None, job).await.unwrap();
        assert_eq!(running.await.unwrap(), Some(RunEnd::Ended(Ending::Cancelled)));
        let row = history::get(&db, a, None, job).await.unwrap();
        assert_eq!(row.status, Status::Cancelled);
        assert_eq!(ids_of(&db, a).await.len() as i64, 300 - row.contacts_done);
        assert!(row.contacts_done >= 5 && row.contacts_done < 300);
        assert_eq!(targets_left(&db, job).await, 0, "a stopped job forgets its work left");
        assert_eq!(ids_of(&db, b).await.len(), 100);
        assert!(matches!(cancel(&db, a, None, job).await, Err(AppError::Conflict(_))));
    })
    .await;
}

#[tokio::test]
async fn a_shutdown_leaves_the_job_resumable_and_another_worker_finishes_it() {
    on_each_engine(|db| async move {
        let (a, b) = accounts(&db).await;
        let before = rows_per_contact(&db).await;
        let all_of_a: BTreeSet<i64> = ids_of(&db, a).await.into_iter().collect();
        let server_a = runner(&db);
        let request = confirmed_request(&db, a, everything(&db).await, 300, Some("300"), "shut-down-1").await;
        let Accepted::New(job) = accept(&db, a, None, &request, server_a.worker(), LEASE).await.unwrap() else {
            panic!()
        };
        let running = server_a.run(job);
        until_done_at_least(&db, a, job, 5).await;

        // SIGTERM: the job ends its chunk and is released at once, not failed.
        server_a.shutdown(Duration::from_secs(5)).await;
        assert_eq!(running.await.unwrap(), Some(RunEnd::Released));
        let row = history::get(&db, a, None, job).await.unwrap();
        assert_eq!(row.status, Status::Running);
        assert!(row.contacts_done >= 5 && row.contacts_done < 300, "{}", row.contacts_done);
        assert_eq!(targets_left(&db, job).await, 300 - row.contacts_done);

        // No need to wait for a lease: another worker takes it over straight away.
        let server_b = runner(&db);
        assert!(server_b.take_over().await.unwrap());
        let row = until_ended(&db, a, job).await;
        assert_eq!((row.status, row.contacts_done, row.resumed), (Status::Done, 300, 1));
        let report = DeleteReport { contacts: row.contacts_done, areas: row.rows.clone() };
        assert_only_these_gone(&before, &rows_per_contact(&db).await, &all_of_a, &report);
        assert_eq!(ids_of(&db, b).await.len(), 100);
    })
    .await;
}
