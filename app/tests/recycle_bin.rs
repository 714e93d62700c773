//! The Recycle Bin on each engine: a delete made while the account keeps deleted
//! contacts moves them, with every row of every area, into the bin; a restore puts each
//! row back exactly as it was (column by column, same ids); a stopped delete restores
//! what it deleted; restoring twice restores once; rows whose campaign is gone are left
//! out and reported; a failure part-way through a restore leaves each contact wholly
//! live or wholly in the bin; contacts in the bin are seen by no list, filter,
//! duplicate group, Smart List count or export; with 0 days a delete is permanent;
//! another account's delete is out of reach.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use app::bulk_action::{Action, Ending, Status};
use app::db::bulk_delete::{accept, cancel, delete, preview, run, Accepted, RunEnd, RunSettings};
use app::db::cascade::{Link, Store, AREAS};
use app::db::contacts::watermark;
use app::db::seed::{seed_account, SeedOptions};
use app::db::{accounts, bin_contacts, export, history, recycle_bin, schema, selection, smart_lists, Db, Dialect};
use app::error::AppError;
use app::filter::{DuplicateKey, Duplicates, Filter};
use app::jobs::{JobSettings, Runner};
use app::model::{ListQuery, Selection};
use app::recycle::RestoreRequest;
use app::recycle_page::{BinAction, BinRequest, BinSelection};
use common::{assert_kept_counts, confirmed_request, on_each_engine};
use tokio_util::sync::CancellationToken;

const LEASE: Duration = Duration::from_secs(10);
const WORKER: &str = "test-worker";

/// Two generated accounts: A (200 contacts, keeping deleted contacts 30 days) and B (100).
async fn two_accounts(db: &Db) -> (i64, i64) {
    let a = seed_account(db, &SeedOptions { account_name: "A".into(), contacts: 200, seed: 11 }).await.unwrap();
    let b = seed_account(db, &SeedOptions { account_name: "B".into(), contacts: 100, seed: 12 }).await.unwrap();
    accounts::set_keep_deleted_days(db, a.account_id, 30).await.unwrap();
    (a.account_id, b.account_id)
}

async fn ids_of(db: &Db, account: i64) -> Vec<i64> {
    let mut sql = db.sql("SELECT id FROM contacts WHERE account_id = ");
    sql.bind(account).push(" ORDER BY id");
    db.fetch_all::<(i64,)>(&sql).await.unwrap().into_iter().map(|(id,)| id).collect()
}

/// A live contact's id, email and phone (normalized).
type Keys = (i64, Option<String>, Option<String>);

/// Contacts in the bin are seen by nothing that reads contacts: no filter, no duplicate
/// group (a live contact whose only copy is in the bin is no duplicate), no export.
async fn assert_invisible(db: &Db, account: i64, binned: &[i64]) {
    let live: Vec<Keys> = {
        let mut sql = db.sql("SELECT id, email_norm, phone_norm FROM contacts WHERE account_id = ");
        sql.bind(account).push(" ORDER BY id");
        db.fetch_all(&sql).await.unwrap()
    };
    let shared = |key: fn(&Keys) -> &Option<String>| {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for value in live.iter().filter_map(|c| key(c).as_deref()) {
            *seen.entry(value).or_default() += 1;
        }
        seen.into_iter().filter(|(_, n)| *n > 1).map(|(value, _)| value.to_string()).collect::<Vec<_>>()
    };
    let (emails, phones) = (shared(|c| &c.1), shared(|c| &c.2));
    let in_a_group: Vec<i64> = live
        .iter()
        .filter(|(_, email, phone)| {
            email.as_ref().is_some_and(|e| emails.contains(e)) || phone.as_ref().is_some_and(|p| phones.contains(p))
        })
        .map(|(id, ..)| *id)
        .collect();
    assert!(!in_a_group.is_empty(), "the generated account has duplicates");
    let mark = watermark(db).await.unwrap();
    let duplicates = Duplicates { by: DuplicateKey::EmailOrPhone, all_but_oldest: false };
    let filters = [
        Filter { duplicates: Some(duplicates), ..Default::default() },
        Filter { duplicates: Some(Duplicates { all_but_oldest: true, ..duplicates }), ..Default::default() },
        Filter { inactive_days: Some(30), ..Default::default() },
        Filter { never_active: true, ..Default::default() },
        Filter::default(),
    ];
    for (i, filter) in filters.iter().enumerate() {
        let mut sql = db.sql("");
        selection::push_ids(&mut sql, account, &Selection::all("", filter.clone(), mark));
        let ids = db.fetch_ids(&sql).await.unwrap();
        assert!(ids.iter().all(|id| !binned.contains(id)), "filter {i} lists a contact in the bin");
        if i == 0 {
            assert_eq!(ids, in_a_group, "the duplicate groups are those of the live contacts");
            let list = smart_lists::create(db, account, None, "Duplicates", "", filter).await.unwrap();
            assert_eq!(smart_lists::count_of(db, account, list.id).await.unwrap(), ids.len() as i64);
        }
    }
    let exported = export::batch(db, account, &Selection::all("", Filter::default(), mark), 0).await.unwrap();
    let exported: Vec<i64> = exported.iter().map(|c| c.id).collect();
    assert_eq!(exported, live.iter().map(|(id, ..)| *id).collect::<Vec<_>>(), "the export is the live contacts");
}

fn tables() -> impl Iterator<Item = &'static str> {
    ["contacts", "campaigns"].into_iter().chain(AREAS.iter().map(|a| a.table))
}

/// Every row of the contacts, the campaigns and every area, column by column, as text.
async fn snapshot(db: &Db) -> BTreeMap<&'static str, Vec<String>> {
    let mut out = BTreeMap::new();
    for table in tables() {
        let columns = schema::columns(db, table).await.unwrap().join(", ");
        let sql = match db.dialect() {
            Dialect::Sqlite => format!("SELECT json_array({columns}) FROM {table} ORDER BY id"),
            Dialect::Postgres => format!("SELECT json_build_array({columns})::text FROM {table} ORDER BY id"),
        };
        let rows = db.fetch_all::<(String,)>(&db.sql(&sql)).await.unwrap();
        out.insert(table, rows.into_iter().map(|(row,)| row).collect());
    }
    out
}

/// Rows in all the bin's tables.
async fn bin_rows(db: &Db) -> i64 {
    let mut total = 0;
    for table in std::iter::once("contacts").chain(AREAS.iter().map(|a| a.table)) {
        total += db.fetch_i64(&db.sql(&format!("SELECT COUNT(*) FROM {}", Store::Bin.table(table)))).await.unwrap();
    }
    total
}

/// Rows per contact (its own row included) in `store`.
async fn rows_of_contacts(db: &Db, store: Store) -> BTreeMap<i64, i64> {
    let mut out = BTreeMap::new();
    let contacts = db.sql(&format!("SELECT id FROM {}", store.table("contacts")));
    for (id,) in db.fetch_all::<(i64,)>(&contacts).await.unwrap() {
        *out.entry(id).or_default() += 1;
    }
    for area in AREAS {
        let table = store.table(area.table);
        let sql = match area.link {
            Link::Contact => format!("SELECT contact_id, COUNT(*) FROM {table} GROUP BY contact_id"),
            Link::Via { parent, column } => format!(
                "SELECT p.contact_id, COUNT(*) FROM {table} t JOIN {} p ON p.id = t.{column} GROUP BY p.contact_id",
                store.table(parent)
            ),
        };
        for (contact, n) in db.fetch_all::<(i64, i64)>(&db.sql(&sql)).await.unwrap() {
            *out.entry(contact).or_default() += n;
        }
    }
    out
}

fn settings(chunk: usize) -> RunSettings {
    RunSettings { chunk, lease: LEASE, budget: None, log_limit: None }
}

/// Asks for a restore of `delete` in `account`, as `user` (who asks, whose deletes).
async fn ask_restore(
    db: &Db,
    account: i64,
    user: (Option<i64>, Option<i64>),
    delete: i64,
    key: &str,
) -> Result<Accepted, AppError> {
    let request = RestoreRequest { bulk_action_id: delete, request_key: key.into() };
    recycle_bin::accept(db, account, user, &request, WORKER, LEASE).await
}

/// Accepts a restore of `delete` (as an admin of `account`) and runs it to its end.
async fn restore(db: &Db, account: i64, delete: i64, key: &str, chunk: usize) -> (i64, RunEnd) {
    let Accepted::New(job) = ask_restore(db, account, (None, None), delete, key).await.unwrap() else {
        panic!("a new restore")
    };
    (job, run(db, job, WORKER, settings(chunk), &CancellationToken::new()).await.unwrap())
}

/// Deletes the selection as a job run to its end in chunks of `chunk`; returns its record.
async fn delete_in_chunks(db: &Db, account: i64, selection: Selection, key: &str, chunk: usize) -> i64 {
    let expected = preview(db, account, &selection).await.unwrap();
    let typed = expected.contacts.to_string();
    let typed = expected.needs_typed_confirmation.then_some(typed.as_str());
    let request = confirmed_request(db, account, selection, expected.contacts, typed, key).await;
    let Accepted::New(job) = accept(db, account, None, &request, WORKER, LEASE).await.unwrap() else { panic!() };
    assert_eq!(
        run(db, job, WORKER, settings(chunk), &CancellationToken::new()).await.unwrap(),
        RunEnd::Ended(Ending::Done)
    );
    job
}

#[tokio::test]
async fn a_restore_puts_back_every_row_of_a_delete_exactly_as_it_was() {
    on_each_engine(|db| async move {
        let (a, b) = two_accounts(&db).await;
        let before = snapshot(&db).await;
        let picked: Vec<i64> = ids_of(&db, a).await.into_iter().step_by(3).collect();
        let selection = Selection::Ids { ids: picked.clone() };
        let expected = preview(&db, a, &selection).await.unwrap();
        assert_eq!(expected.keep_days, 30);
        let request = confirmed_request(&db, a, selection, expected.contacts, None, "to-bin-1").await;
        let report = delete(&db, a, None, &request, 7).await.unwrap();
        assert_eq!(report.areas, expected.areas);

        // Gone from everything that reads the live tables: the list, its counts, search,
        // select-all; in the bin with every row.
        assert_eq!(ids_of(&db, a).await.len(), 200 - picked.len());
        let everything = Selection::all("", Filter::default(), watermark(&db).await.unwrap());
        assert_eq!(selection::count(&db, a, &everything).await.unwrap(), (200 - picked.len()) as i64);
        let query = ListQuery { search: String::new(), filter: Filter::default(), after: None, before: None };
        assert_eq!(app::db::contacts::list(&db, a, &query).await.unwrap().total, (200 - picked.len()) as i64);
        let in_bin = rows_of_contacts(&db, Store::Bin).await;
        assert_eq!(in_bin.keys().copied().collect::<Vec<_>>(), picked, "exactly the deleted contacts are in the bin");
        assert_invisible(&db, a, &picked).await;
        assert_kept_counts(&db).await;
        let record = history::get(&db, a, None, history::list(&db, a, None).await.unwrap()[0].id).await.unwrap();
        assert!(record.to_bin && record.in_bin && record.action == Action::Delete);

        // The restore's dialog counts what the delete removed.
        let counted = recycle_bin::preview(&db, a, None, record.id).await.unwrap();
        assert_eq!((counted.contacts, &counted.areas), (report.contacts, &report.areas));
        assert!(counted.question().starts_with(&format!("Restore {} contacts with ", picked.len())));

        let (job, end) = restore(&db, a, record.id, "restore-1", 5).await;
        assert_eq!(end, RunEnd::Ended(Ending::Done));
        assert_eq!(snapshot(&db).await, before, "every row is back, column by column, with its id");
        assert_kept_counts(&db).await;
        assert_eq!(bin_rows(&db).await, 0, "nothing stays in the bin");
        let restored = history::get(&db, a, None, job).await.unwrap();
        assert_eq!(
            (restored.action, restored.status, restored.bin_of),
            (Action::Restore, Status::Done, Some(record.id))
        );
        assert_eq!((restored.contacts_done, &restored.rows), (report.contacts, &report.areas));
        assert!(restored.left_out.iter().all(|a| a.rows == 0));
        assert!(!history::get(&db, a, None, record.id).await.unwrap().in_bin);

        // Restoring twice restores once: the same request names the first; another is refused.
        let again = ask_restore(&db, a, (None, None), record.id, "restore-1");
        assert_eq!(again.await.unwrap(), Accepted::Earlier(job));
        let other = ask_restore(&db, a, (None, None), record.id, "restore-2");
        assert!(matches!(other.await, Err(AppError::Conflict(_))));
        assert_eq!(snapshot(&db).await, before);
        assert_eq!(ids_of(&db, b).await.len(), 100);
    })
    .await;
}

#[tokio::test]
async fn a_large_restore_or_purge_first_refreshes_the_bins_statistics_on_postgres() {
    on_each_engine(|db| async move {
        let postgres = db.dialect() == Dialect::Postgres;
        // A small job starts at once (an Undo of a few contacts), on both engines.
        assert!(!recycle_bin::refresh_statistics(&db, recycle_bin::REFRESH_FROM - 1).await.unwrap());
        assert_eq!(recycle_bin::refresh_statistics(&db, recycle_bin::REFRESH_FROM).await.unwrap(), postgres);
        if postgres {
            let analyzed = db.sql(
                "SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname LIKE 'bin\\_%' AND last_analyze IS NOT NULL",
            );
            assert_eq!(db.fetch_i64(&analyzed).await.unwrap(), 1 + AREAS.len() as i64);
        }
    })
    .await;
}

#[tokio::test]
async fn a_stopped_delete_restores_what_it_deleted() {
    on_each_engine(|db| async move {
        let (a, _) = two_accounts(&db).await;
        let before = snapshot(&db).await;
        let everything = Selection::all("", Filter::default(), watermark(&db).await.unwrap());
        let request = confirmed_request(&db, a, everything, 200, Some("200"), "stopped-1").await;
        let server = Runner::new(
            db.clone(),
            JobSettings { lease: LEASE, tick: Duration::from_millis(100), chunk: Some(1), ..JobSettings::default() },
        );
        let Accepted::New(job) = accept(&db, a, None, &request, server.worker(), LEASE).await.unwrap() else {
            panic!()
        };
        let running = server.run(job);
        while history::get(&db, a, None, job).await.unwrap().contacts_done < 5 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        cancel(&db, a, None, job).await.unwrap();
        assert_eq!(running.await.unwrap(), Some(RunEnd::Ended(Ending::Cancelled)));
        let stopped = history::get(&db, a, None, job).await.unwrap();
        assert!(stopped.contacts_done >= 5 && stopped.contacts_done < 200, "{stopped:?}");
        assert!(stopped.in_bin);

        let (restore_job, end) = restore(&db, a, job, "restore-stopped", 50).await;
        assert_eq!(end, RunEnd::Ended(Ending::Done));
        assert_eq!(history::get(&db, a, None, restore_job).await.unwrap().contacts_done, stopped.contacts_done);
        assert_eq!(snapshot(&db).await, before);
        assert_eq!(bin_rows(&db).await, 0);
    })
    .await;
}

#[tokio::test]
async fn rows_whose_campaign_was_removed_are_left_out_and_reported() {
    on_each_engine(|db| async move {
        let (a, _) = two_accounts(&db).await;
        let picked: Vec<i64> = ids_of(&db, a).await.into_iter().step_by(2).collect();
        let delete_job = delete_in_chunks(&db, a, Selection::Ids { ids: picked.clone() }, "campaign-1", 20).await;
        // A campaign that some deleted contacts were enrolled in is removed meanwhile.
        let campaign = db
            .fetch_i64(&db.sql(
                "SELECT campaign_id FROM bin_campaign_enrollments GROUP BY campaign_id ORDER BY COUNT(*) DESC LIMIT 1",
            ))
            .await
            .unwrap();
        let mut lost = db.sql("SELECT COUNT(*) FROM bin_campaign_enrollments WHERE campaign_id = ");
        lost.bind(campaign);
        let lost = db.fetch_i64(&lost).await.unwrap();
        assert!(lost > 0);
        let bin_enrollments = db.fetch_i64(&db.sql("SELECT COUNT(*) FROM bin_campaign_enrollments")).await.unwrap();
        let mut live = db.sql("DELETE FROM campaign_enrollments WHERE campaign_id = ");
        live.bind(campaign);
        db.execute(&live).await.unwrap();
        let mut gone = db.sql("DELETE FROM campaigns WHERE id = ");
        gone.bind(campaign);
        db.execute(&gone).await.unwrap();
        let before_restore = db.fetch_i64(&db.sql("SELECT COUNT(*) FROM campaign_enrollments")).await.unwrap();

        let (job, end) = restore(&db, a, delete_job, "campaign-restore", 30).await;
        assert_eq!(end, RunEnd::Ended(Ending::Done));
        let row = history::get(&db, a, None, job).await.unwrap();
        assert_eq!(row.contacts_done, picked.len() as i64, "every contact comes back");
        let left: BTreeMap<&str, i64> = row.left_out.iter().map(|a| (a.area.as_str(), a.rows)).collect();
        assert_eq!(left["campaign_enrollments"], lost);
        assert_eq!(left.values().sum::<i64>(), lost, "only the enrollments in the removed campaign");
        let after = db.fetch_i64(&db.sql("SELECT COUNT(*) FROM campaign_enrollments")).await.unwrap();
        assert_eq!(after, before_restore + bin_enrollments - lost);
        assert_eq!(bin_rows(&db).await, 0, "what cannot come back does not stay in the bin");
        assert_eq!(
            row.left_out_why,
            vec![format!("{lost} campaign enrollments were left out: their campaign was removed.")]
        );
    })
    .await;
}

/// Makes every insert of a note of `contact` fail, as a crash mid-transaction would.
async fn inject_failure(db: &Db, contact: i64) {
    let statements = match db.dialect() {
        Dialect::Sqlite => vec![format!(
            "CREATE TRIGGER inject_failure BEFORE INSERT ON notes WHEN NEW.contact_id = {contact} \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        )],
        Dialect::Postgres => vec![
            format!(
                "CREATE FUNCTION inject_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 IF NEW.contact_id = {contact} THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$"
            ),
            "CREATE TRIGGER inject_failure BEFORE INSERT ON notes FOR EACH ROW EXECUTE FUNCTION inject_failure()"
                .into(),
        ],
    };
    for sql in statements {
        db.execute(&db.sql(&sql)).await.unwrap();
    }
}

async fn remove_failure(db: &Db) {
    let sql = match db.dialect() {
        Dialect::Sqlite => "DROP TRIGGER inject_failure",
        Dialect::Postgres => "DROP TRIGGER inject_failure ON notes",
    };
    db.execute(&db.sql(sql)).await.unwrap();
}

#[tokio::test]
async fn a_restore_that_fails_part_way_leaves_each_contact_wholly_live_or_wholly_in_the_bin() {
    on_each_engine(|db| async move {
        let (a, _) = two_accounts(&db).await;
        let before = snapshot(&db).await;
        let rows_before = rows_of_contacts(&db, Store::Live).await;
        let picked: Vec<i64> = ids_of(&db, a).await.into_iter().step_by(2).collect();
        let delete_job = delete_in_chunks(&db, a, Selection::Ids { ids: picked.clone() }, "fail-delete-1", 10).await;
        // A contact in the middle whose notes cannot be put back.
        let with_notes = db.sql("SELECT DISTINCT contact_id FROM bin_notes ORDER BY 1");
        let with_notes: Vec<i64> =
            db.fetch_all::<(i64,)>(&with_notes).await.unwrap().into_iter().map(|(id,)| id).collect();
        let failing = with_notes[with_notes.len() / 2];
        inject_failure(&db, failing).await;

        let (job, end) = restore(&db, a, delete_job, "fail-restore-1", 7).await;
        assert_eq!(end, RunEnd::Ended(Ending::Failed));
        let row = history::get(&db, a, None, job).await.unwrap();
        assert!(row.contacts_done > 0 && row.contacts_done < picked.len() as i64, "{row:?}");
        let (live, bin) = (rows_of_contacts(&db, Store::Live).await, rows_of_contacts(&db, Store::Bin).await);
        for contact in &picked {
            let whole = rows_before.get(contact).copied();
            match (live.get(contact), bin.get(contact)) {
                (Some(n), None) | (None, Some(n)) => assert_eq!(Some(*n), whole, "contact {contact} is whole"),
                split => panic!("contact {contact} is split between live and bin: {split:?}"),
            }
        }
        assert_eq!(live.len() - (rows_before.len() - picked.len()), row.contacts_done as usize);
        assert!(bin.contains_key(&failing));
        assert_kept_counts(&db).await;

        // Once the cause is gone, restoring again brings back the rest.
        remove_failure(&db).await;
        let (_, end) = restore(&db, a, delete_job, "fail-restore-2", 7).await;
        assert_eq!(end, RunEnd::Ended(Ending::Done));
        assert_eq!(snapshot(&db).await, before);
    })
    .await;
}

#[tokio::test]
async fn with_zero_days_a_delete_is_permanent_and_a_delete_is_restored_only_in_its_account() {
    on_each_engine(|db| async move {
        let (a, b) = two_accounts(&db).await;
        // B keeps nothing: its delete is permanent, as the seed describes.
        let b_ids: Vec<i64> = ids_of(&db, b).await.into_iter().take(4).collect();
        let permanent = delete_in_chunks(&db, b, Selection::Ids { ids: b_ids }, "permanent-1", 10).await;
        assert_eq!(preview(&db, b, &Selection::Ids { ids: vec![ids_of(&db, b).await[0]] }).await.unwrap().keep_days, 0);
        assert_eq!(bin_rows(&db).await, 0);
        let record = history::get(&db, b, None, permanent).await.unwrap();
        assert!(!record.to_bin && !record.in_bin);
        let refused = ask_restore(&db, b, (None, None), permanent, "restore-permanent");
        assert!(matches!(refused.await, Err(AppError::BadRequest(_))));

        let a_ids: Vec<i64> = ids_of(&db, a).await.into_iter().take(4).collect();
        let binned = delete_in_chunks(&db, a, Selection::Ids { ids: a_ids }, "binned-1", 10).await;
        // Another account's delete, or another user's for a user: not found, nothing changes.
        let rows = bin_rows(&db).await;
        let other_account = ask_restore(&db, b, (None, None), binned, "restore-other-account");
        assert!(matches!(other_account.await, Err(AppError::NotFound(_))));
        assert!(matches!(recycle_bin::preview(&db, b, None, binned).await, Err(AppError::NotFound(_))));
        let other_user = ask_restore(&db, a, (None, Some(999)), binned, "restore-other-user");
        assert!(matches!(other_user.await, Err(AppError::NotFound(_))));
        assert_eq!(bin_rows(&db).await, rows);
        // The days are checked on the server.
        for days in [-1, 366] {
            assert!(matches!(accounts::set_keep_deleted_days(&db, a, days).await, Err(AppError::BadRequest(_))));
        }
        assert_eq!(accounts::keep_deleted_days(&db, a).await.unwrap(), 30);

        // Going to 0 with contacts in the bin purges them: only with their number typed.
        let waiting = recycle_bin::contacts_in_bin(&db, a).await.unwrap();
        assert_eq!(waiting, 4);
        for typed in [None, Some("3"), Some("four")] {
            let refused = recycle_bin::change_keep_days(&db, a, 0, typed).await;
            assert!(matches!(refused, Err(AppError::BadRequest(_))), "{typed:?}");
        }
        assert_eq!(accounts::keep_deleted_days(&db, a).await.unwrap(), 30);
        recycle_bin::change_keep_days(&db, a, 0, Some("4")).await.unwrap();
        let now = app::db::now();
        let purges = recycle_bin::start_due_purges(&db, now, WORKER, LEASE).await.unwrap();
        assert_eq!(purges.len(), 1);
        run(&db, purges[0], WORKER, settings(10), &CancellationToken::new()).await.unwrap();
        assert_eq!(recycle_bin::contacts_in_bin(&db, a).await.unwrap(), 0);
        // With nothing in the bin no number is asked.
        recycle_bin::change_keep_days(&db, a, 0, None).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn contacts_leave_the_bin_for_good_once_their_days_are_over() {
    on_each_engine(|db| async move {
        let (a, b) = two_accounts(&db).await;
        let picked: Vec<i64> = ids_of(&db, a).await.into_iter().step_by(4).collect();
        let delete_job = delete_in_chunks(&db, a, Selection::Ids { ids: picked.clone() }, "purge-test-1", 10).await;
        let in_bin = rows_of_contacts(&db, Store::Bin).await.values().sum::<i64>();
        assert_eq!(bin_rows(&db).await, in_bin);
        let live = snapshot(&db).await;
        let deleted_at = history::get(&db, a, None, delete_job).await.unwrap().finished_at.unwrap();
        let day = 86_400;

        // Within the 30 days: nothing is due.
        assert!(recycle_bin::start_due_purges(&db, deleted_at + 29 * day, WORKER, LEASE).await.unwrap().is_empty());
        // Lowered to 7 days, 8 days on: due, once, whoever looks.
        accounts::set_keep_deleted_days(&db, a, 7).await.unwrap();
        let later = deleted_at + 8 * day;
        let purges = recycle_bin::start_due_purges(&db, later, WORKER, LEASE).await.unwrap();
        assert_eq!(purges.len(), 1);
        assert!(recycle_bin::start_due_purges(&db, later, "another-server", LEASE).await.unwrap().is_empty());
        let restoring = ask_restore(&db, a, (None, None), delete_job, "restore-too-late");
        assert!(matches!(restoring.await, Err(AppError::Conflict(_))), "no restore while it is purged");

        assert_eq!(
            run(&db, purges[0], WORKER, settings(7), &CancellationToken::new()).await.unwrap(),
            RunEnd::Ended(Ending::Done)
        );
        assert_eq!(bin_rows(&db).await, 0);
        assert_eq!(snapshot(&db).await, live, "the live tables are untouched");
        let purge = history::get(&db, a, None, purges[0]).await.unwrap();
        assert_eq!((purge.action, purge.status, purge.bin_of), (Action::Purge, Status::Done, Some(delete_job)));
        assert_eq!(purge.contacts_done, picked.len() as i64);
        assert_eq!(purge.contacts_done + purge.rows.iter().map(|a| a.rows).sum::<i64>(), in_bin);
        assert!(!history::get(&db, a, None, delete_job).await.unwrap().in_bin);
        assert!(recycle_bin::start_due_purges(&db, later, WORKER, LEASE).await.unwrap().is_empty());
        assert_eq!(ids_of(&db, b).await.len(), 100);
    })
    .await;
}

/// Runs an action on the bin, as its page asks it, to its end; returns its record.
async fn act_on_bin(db: &Db, account: i64, action: BinAction, selection: BinSelection, typed: Option<&str>) -> i64 {
    let preview = bin_contacts::preview(db, account, None, action, &selection).await.unwrap();
    let request = BinRequest {
        action,
        selection,
        confirmed_count: preview.contacts,
        digest: preview.digest,
        typed_confirmation: typed.map(String::from),
        request_key: format!("bin-{}", rand_key()),
    };
    let Accepted::New(job) = bin_contacts::accept(db, account, (None, None), &request, WORKER, LEASE).await.unwrap()
    else {
        panic!("a new job")
    };
    assert_eq!(
        run(db, job, WORKER, settings(9), &CancellationToken::new()).await.unwrap(),
        RunEnd::Ended(Ending::Done)
    );
    job
}

fn rand_key() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("{:08}", N.fetch_add(1, Ordering::SeqCst))
}

#[tokio::test]
async fn the_bin_page_lists_newest_first_searches_restores_and_deletes_for_good() {
    on_each_engine(|db| async move {
        let (a, b) = two_accounts(&db).await;
        let rows_before = rows_of_contacts(&db, Store::Live).await;
        let picked: Vec<i64> = ids_of(&db, a).await.into_iter().take(60).collect();
        let older = delete_in_chunks(&db, a, Selection::Ids { ids: picked[..30].to_vec() }, "page-delete-1", 10).await;
        let newer = delete_in_chunks(&db, a, Selection::Ids { ids: picked[30..].to_vec() }, "page-delete-2", 10).await;

        let first = bin_contacts::page(&db, a, None, "", 1).await.unwrap();
        assert_eq!((first.total, first.contacts.len()), (60, 50));
        assert!(first.contacts[..30].iter().all(|c| c.bulk_action_id == newer), "newest deletion first");
        let second = bin_contacts::page(&db, a, None, "", 2).await.unwrap();
        assert_eq!(second.contacts.len(), 10);
        assert!(second.contacts.iter().all(|c| c.bulk_action_id == older));
        assert_eq!(bin_contacts::page(&db, b, None, "", 1).await.unwrap().total, 0, "another account sees nothing");
        assert_eq!(bin_contacts::page(&db, a, Some(999), "", 1).await.unwrap().total, 0, "a user sees their deletes");

        // Search by name, as the list does.
        let target = first.contacts[0].clone();
        let found = bin_contacts::page(&db, a, None, &target.last_name.to_uppercase(), 1).await.unwrap();
        assert!(found.contacts.iter().any(|c| c.id == target.id));
        assert!(found.contacts.iter().all(|c| c.last_name.to_lowercase().contains(&target.last_name.to_lowercase())
            || c.first_name.to_lowercase().contains(&target.last_name.to_lowercase())
            || c.email.as_deref().unwrap_or("").contains(&target.last_name.to_lowercase())));

        // Restore one.
        act_on_bin(&db, a, BinAction::Restore, BinSelection::Ids { ids: vec![target.id] }, None).await;
        assert!(ids_of(&db, a).await.contains(&target.id));
        assert_eq!(rows_of_contacts(&db, Store::Live).await.get(&target.id), rows_before.get(&target.id));
        assert_eq!(bin_contacts::page(&db, a, None, "", 1).await.unwrap().total, 59);

        // Delete one for good: only with its number typed; another account cannot.
        let doomed = first.contacts[1].id;
        let one = BinSelection::Ids { ids: vec![doomed] };
        let preview = bin_contacts::preview(&db, a, None, BinAction::Purge, &one).await.unwrap();
        let mut request = BinRequest {
            action: BinAction::Purge,
            selection: one.clone(),
            confirmed_count: 1,
            digest: preview.digest,
            typed_confirmation: None,
            request_key: "purge-untyped-1".into(),
        };
        let untyped = bin_contacts::accept(&db, a, (None, None), &request, WORKER, LEASE).await;
        assert!(matches!(untyped, Err(AppError::BadRequest(_))));
        request.typed_confirmation = Some("1".into());
        let elsewhere = bin_contacts::accept(&db, b, (None, None), &request, WORKER, LEASE).await;
        assert!(matches!(elsewhere, Err(AppError::NotFound(_))));
        assert_eq!(bin_contacts::page(&db, a, None, "", 1).await.unwrap().total, 59, "nothing changed");
        act_on_bin(&db, a, BinAction::Purge, one, Some("1")).await;
        assert!(!ids_of(&db, a).await.contains(&doomed));
        assert!(!rows_of_contacts(&db, Store::Bin).await.contains_key(&doomed));

        // Select all: the rest comes back; all is as it was but the contact deleted for good.
        act_on_bin(&db, a, BinAction::Restore, BinSelection::All { search: String::new() }, None).await;
        assert_eq!(bin_rows(&db).await, 0);
        let mut expected = rows_before.clone();
        expected.remove(&doomed);
        assert_eq!(rows_of_contacts(&db, Store::Live).await, expected);
        let history = history::list(&db, a, None).await.unwrap();
        assert_eq!(history[0].description, "Everything in the Recycle Bin");
        assert_eq!((history[1].action, history[1].contacts_done), (Action::Purge, 1));
    })
    .await;
}
