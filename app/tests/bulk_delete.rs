//! Bulk delete on each engine: exactly the selected contacts go, with exactly their rows
//! in every area of the cascade; the preview counts what the delete removes; select-all
//! honours search, exceptions and its watermark; other accounts are out of reach; a
//! failure part-way leaves every contact whole or fully gone; a repeat deletes once.

mod common;

use std::collections::BTreeSet;

use app::bulk_action::Status;
use app::db::bulk_delete::{accept, cancel, delete, preview, run, Accepted, RunEnd, RunSettings};
use app::db::contacts::{self, watermark};
use app::db::seed::{seed_account, SeedOptions};
use app::db::{selection, Db, Pool};
use app::error::AppError;
use app::filter::Filter;
use app::model::{DeleteReport, DeleteRequest, Selection};
use common::{assert_kept_counts, assert_only_these_gone, contact, on_each_engine, rows_per_contact, table_counts};

/// Two generated accounts: A (300 contacts) and B (150).
async fn two_accounts(db: &Db) -> (i64, i64) {
    let a = seed_account(db, &SeedOptions { account_name: "A".into(), contacts: 300, seed: 1 }).await.unwrap();
    let b = seed_account(db, &SeedOptions { account_name: "B".into(), contacts: 150, seed: 2 }).await.unwrap();
    (a.account_id, b.account_id)
}

async fn ids_of(db: &Db, account: i64) -> Vec<i64> {
    let mut sql = db.sql("SELECT id FROM contacts WHERE account_id = ");
    sql.bind(account).push(" ORDER BY id");
    db.fetch_all::<(i64,)>(&sql).await.unwrap().into_iter().map(|(id,)| id).collect()
}

async fn request(
    db: &Db,
    account: i64,
    selection: Selection,
    confirmed: i64,
    typed: Option<&str>,
    key: &str,
) -> DeleteRequest {
    common::confirmed_request(db, account, selection, confirmed, typed, key).await
}

#[tokio::test]
async fn deletes_exactly_the_ticked_contacts_with_their_rows_in_every_area() {
    on_each_engine(|db| async move {
        let (a, b) = two_accounts(&db).await;
        let picked: Vec<i64> = ids_of(&db, a).await.into_iter().step_by(7).collect();
        let selection = Selection::Ids { ids: picked.clone() };
        let before = rows_per_contact(&db).await;
        let campaigns = db.fetch_i64(&db.sql("SELECT COUNT(*) FROM campaigns")).await.unwrap();

        let expected = preview(&db, a, &selection).await.unwrap();
        assert_eq!(expected.contacts, picked.len() as i64);
        assert!(!expected.whole_account && !expected.needs_typed_confirmation);
        let report = delete(
            &db,
            a,
            None,
            &request(&db, a, selection, expected.contacts, None, "ticked-rows-1").await,
            db.dialect().delete_chunk_size(),
        )
        .await
        .unwrap();

        // The preview counted exactly what the delete removed, area by area.
        assert_eq!(report.contacts, expected.contacts);
        assert_eq!(report.areas, expected.areas);
        assert!(report.areas.iter().filter(|a| a.rows > 0).count() >= 6, "{:?}", report.areas);

        let after = rows_per_contact(&db).await;
        assert_only_these_gone(&before, &after, &picked.iter().copied().collect(), &report);
        assert_eq!(ids_of(&db, a).await.len(), 300 - picked.len());
        assert_eq!(ids_of(&db, b).await.len(), 150);
        assert_eq!(
            db.fetch_i64(&db.sql("SELECT COUNT(*) FROM campaigns")).await.unwrap(),
            campaigns,
            "campaigns survive"
        );

        // The history shows it, with the same counts.
        let history = app::db::history::list(&db, a, None).await.unwrap();
        assert_eq!(history.len(), 1);
        let row = &history[0];
        assert_eq!(
            (row.status, row.contacts_done, row.contacts_requested),
            (Status::Done, picked.len() as i64, picked.len() as i64)
        );
        assert_eq!(row.rows, report.areas);
        assert_eq!(row.description, format!("{} contacts selected one by one", picked.len()));
        assert!(app::db::history::list(&db, b, None).await.unwrap().is_empty(), "another account sees none of it");
    })
    .await;
}

#[tokio::test]
async fn select_all_deletes_the_search_matches_except_the_unticked() {
    on_each_engine(|db| async move {
        let (a, b) = two_accounts(&db).await;
        let mark = watermark(&db).await.unwrap();
        let matching = Selection::all("gmail", Filter::default(), mark);
        let mut matches = Vec::new();
        let mut sql = db.sql("");
        selection::push_ids(&mut sql, a, &matching);
        for (id,) in db.fetch_all::<(i64,)>(&sql).await.unwrap() {
            matches.push(id);
        }
        assert!(matches.len() > 20, "{} gmail contacts", matches.len());
        let except: Vec<i64> = matches.iter().copied().take(3).collect();
        let chosen = Selection::All {
            as_of: None,
            search: "gmail".into(),
            filter: Filter::default(),
            smart_list: None,
            except: except.clone(),
            watermark: mark,
        };
        let before = rows_per_contact(&db).await;

        let expected = preview(&db, a, &chosen).await.unwrap();
        assert_eq!(expected.contacts, matches.len() as i64 - 3);
        // Small chunks, so that the selection is resolved afresh several times.
        let report = delete(&db, a, None, &request(&db, a, chosen, expected.contacts, None, "search-all-1").await, 7)
            .await
            .unwrap();
        assert_eq!(report.contacts, expected.contacts);
        assert_eq!(report.areas, expected.areas);

        let gone: BTreeSet<i64> = matches.iter().copied().filter(|id| !except.contains(id)).collect();
        assert_only_these_gone(&before, &rows_per_contact(&db).await, &gone, &report);
        let left = contacts::list(&db, a, &app::model::ListQuery { search: "gmail".into(), ..Default::default() })
            .await
            .unwrap();
        let mut left_ids: Vec<i64> = left.contacts.iter().map(|c| c.id).collect();
        left_ids.sort();
        let mut kept = except.clone();
        kept.sort();
        assert_eq!(left_ids, kept);
        assert_eq!(ids_of(&db, a).await.len(), 300 - gone.len());
        assert_eq!(ids_of(&db, b).await.len(), 150);
    })
    .await;
}

#[tokio::test]
async fn contacts_created_after_the_selection_are_not_deleted() {
    on_each_engine(|db| async move {
        let (a, _) = two_accounts(&db).await;
        let mark = watermark(&db).await.unwrap();
        let chosen = Selection::all("gmail", Filter::default(), mark);
        let counted = preview(&db, a, &chosen).await.unwrap().contacts;
        // While the user reads the dialog, a matching contact arrives.
        let late =
            contacts::insert(&db, a, &contact("Late", "Arrival", "late.arrival@gmail.com", "", 0)).await.unwrap();
        assert_eq!(preview(&db, a, &chosen).await.unwrap().contacts, counted, "the preview ignores it too");

        // Someone else deletes the newest contact: the watermark stays valid.
        let newest = *ids_of(&db, a).await.iter().filter(|id| **id <= mark).max().unwrap();
        let gone = delete(
            &db,
            a,
            None,
            &request(&db, a, Selection::Ids { ids: vec![newest] }, 1, None, "drift-other-1").await,
            10,
        )
        .await
        .unwrap();
        assert_eq!(gone.contacts, 1);
        let counted = preview(&db, a, &chosen).await.unwrap().contacts;

        let report = delete(
            &db,
            a,
            None,
            &request(&db, a, chosen, counted, None, "drift-test-1").await,
            db.dialect().delete_chunk_size(),
        )
        .await
        .unwrap();
        assert_eq!(report.contacts, counted);
        assert!(ids_of(&db, a).await.contains(&late));
    })
    .await;
}

#[tokio::test]
async fn another_accounts_contacts_are_out_of_reach() {
    on_each_engine(|db| async move {
        let (a, b) = two_accounts(&db).await;
        let mine = ids_of(&db, a).await;
        let theirs = ids_of(&db, b).await;
        // A selection naming any contact outside the account is refused whole: not found,
        // nothing counted, nothing deleted, whatever number the request claims.
        let counts = table_counts(&db).await;
        let mixed = Selection::Ids { ids: vec![mine[0], mine[1], theirs[0], theirs[1]] };
        let only_theirs = Selection::Ids { ids: theirs[..5].to_vec() };
        for (selection, claimed) in [(&mixed, 4), (&mixed, 2), (&only_theirs, 5)] {
            let err = preview(&db, a, selection).await.unwrap_err();
            assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
            let key = format!("their-ids-{claimed}");
            let err = delete(
                &db,
                a,
                None,
                &request(&db, a, selection.clone(), claimed, None, &key).await,
                db.dialect().delete_chunk_size(),
            )
            .await
            .unwrap_err();
            assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
        }
        assert_eq!(ids_of(&db, b).await, theirs);
        assert_eq!(ids_of(&db, a).await, mine);
        assert_eq!(table_counts(&db).await, counts);
    })
    .await;
}

/// Makes the delete of one contact fail, as a crash or a lost connection would.
async fn fail_on_delete_of(db: &Db, contact: i64) {
    let statements = match db.pool() {
        Pool::Sqlite(_) => vec![format!(
            "CREATE TRIGGER injected_failure BEFORE DELETE ON contacts WHEN OLD.id = {contact} \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        )],
        Pool::Postgres(_) => vec![
            format!(
                "CREATE FUNCTION injected_failure() RETURNS trigger AS $$ BEGIN \
                 IF OLD.id = {contact} THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN OLD; END $$ LANGUAGE plpgsql"
            ),
            "CREATE TRIGGER injected_failure BEFORE DELETE ON contacts FOR EACH ROW EXECUTE FUNCTION injected_failure()".into(),
        ],
    };
    for s in statements {
        db.execute(&db.sql(&s)).await.unwrap();
    }
}

#[tokio::test]
async fn a_failure_part_way_leaves_every_contact_whole_or_fully_gone() {
    on_each_engine(|db| async move {
        let (a, b) = two_accounts(&db).await;
        let ids = ids_of(&db, a).await;
        fail_on_delete_of(&db, ids[24]).await; // in the third chunk of ten
        let everything = Selection::all("", Filter::default(), watermark(&db).await.unwrap());
        let before = rows_per_contact(&db).await;

        let err = delete(&db, a, None, &request(&db, a, everything.clone(), 300, Some("300"), "failing-1").await, 10)
            .await
            .unwrap_err();
        match &err {
            AppError::Incomplete(m) => assert!(m.contains("20 of 300 contacts"), "{m}"),
            other => panic!("{other:?}"),
        }
        let after = rows_per_contact(&db).await;
        let left: BTreeSet<i64> = ids_of(&db, a).await.into_iter().collect();
        let gone: BTreeSet<i64> = ids[..20].iter().copied().collect();
        assert_eq!(left, ids[20..].iter().copied().collect(), "the first two chunks went, the rest stayed");
        assert_kept_counts(&db).await;
        for ((table, contact), n) in &before {
            let now = after.get(&(table, *contact));
            if gone.contains(contact) {
                assert_eq!(now, None, "{table} of deleted {contact}");
            } else {
                assert_eq!(now, Some(n), "{table} of kept {contact}: a half-deleted contact");
            }
        }
        assert_eq!(ids_of(&db, b).await.len(), 150);
        let mut record = db.sql("SELECT contacts_done FROM bulk_actions WHERE status = 'failed' AND request_key = ");
        record.bind("failing-1");
        assert_eq!(db.fetch_i64(&record).await.unwrap(), 20);

        // The same request again reports the failure; a new one, once the cause is gone, finishes the job.
        assert!(matches!(
            delete(&db, a, None, &request(&db, a, everything.clone(), 300, Some("300"), "failing-1").await, 10).await,
            Err(AppError::Incomplete(_))
        ));
        let drop = match db.pool() {
            Pool::Sqlite(_) => "DROP TRIGGER injected_failure",
            Pool::Postgres(_) => "DROP TRIGGER injected_failure ON contacts",
        };
        db.execute(&db.sql(drop)).await.unwrap();
        let report =
            delete(&db, a, None, &request(&db, a, everything, 280, Some("280"), "failing-2").await, 10).await.unwrap();
        assert_eq!(report.contacts, 280);
        assert!(ids_of(&db, a).await.is_empty());
        assert_kept_counts(&db).await;
        assert_eq!(ids_of(&db, b).await.len(), 150);
    })
    .await;
}

#[tokio::test]
async fn stop_ends_a_running_delete_between_chunks_and_the_history_says_so() {
    on_each_engine(|db| async move {
        let (a, b) = two_accounts(&db).await;
        let ids = ids_of(&db, a).await;
        let everything = Selection::all("", Filter::default(), watermark(&db).await.unwrap());
        let before = rows_per_contact(&db).await;
        let lease = std::time::Duration::from_secs(30);
        let req = request(&db, a, everything, 300, Some("300"), "stop-me-01").await;
        let Accepted::New(record) = accept(&db, a, None, &req, "worker-a", lease).await.unwrap() else {
            panic!("a new request starts a new record")
        };
        // One contact per chunk, so that Stop lands part-way; stop once some are gone.
        let job = tokio::spawn({
            let db = db.clone();
            let settings = RunSettings { chunk: 1, lease, budget: None, log_limit: None };
            async move { run(&db, record, "worker-a", settings, &Default::default()).await }
        });
        loop {
            let row = app::db::history::get(&db, a, None, record).await.unwrap();
            if row.contacts_done >= 3 {
                cancel(&db, a, None, record).await.unwrap();
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        assert_eq!(job.await.unwrap().unwrap(), RunEnd::Ended(app::bulk_action::Ending::Cancelled));

        let row = app::db::history::get(&db, a, None, record).await.unwrap();
        assert_eq!(row.status, Status::Cancelled);
        // Asking the same request again answers with how it ended.
        let again = delete(&db, a, None, &req, 1).await.unwrap_err();
        assert!(matches!(&again, AppError::Incomplete(m) if m.contains("was stopped")), "{again:?}");
        assert!(!row.stopping);
        let left: BTreeSet<i64> = ids_of(&db, a).await.into_iter().collect();
        let gone: BTreeSet<i64> = ids.iter().copied().filter(|id| !left.contains(id)).collect();
        assert!(gone.len() >= 3 && gone.len() < 300, "stopped part-way: {} gone", gone.len());
        assert_eq!(row.contacts_done, gone.len() as i64);
        // Every contact whole or fully gone, and the record counts exactly what went.
        let report = DeleteReport { contacts: row.contacts_done, areas: row.rows.clone() };
        assert_only_these_gone(&before, &rows_per_contact(&db).await, &gone, &report);
        assert_eq!(ids_of(&db, b).await.len(), 150);

        // A finished action cannot be stopped; another account's cannot be seen.
        assert!(matches!(cancel(&db, a, None, record).await, Err(AppError::Conflict(_))));
        assert!(matches!(cancel(&db, b, None, record).await, Err(AppError::NotFound(_))));
    })
    .await;
}

/// A delete whose chunks are sized by time: with a budget no chunk can meet, they shrink
/// from the largest size to the smallest (100), and each still takes whole contacts.
#[tokio::test]
async fn chunks_sized_by_time_shrink_and_still_delete_whole_contacts() {
    on_each_engine(|db| async move {
        let a = seed_account(&db, &SeedOptions { account_name: "A".into(), contacts: 1_000, seed: 8 }).await.unwrap();
        let b = seed_account(&db, &SeedOptions { account_name: "B".into(), contacts: 150, seed: 2 }).await.unwrap();
        let b = b.account_id;
        let everything = Selection::all("", Filter::default(), watermark(&db).await.unwrap());
        let before = rows_per_contact(&db).await;
        let ids: BTreeSet<i64> = ids_of(&db, a.account_id).await.into_iter().collect();
        let lease = std::time::Duration::from_secs(30);
        let req = request(&db, a.account_id, everything, 1_000, Some("1,000"), "by-time-1").await;
        let Accepted::New(record) = accept(&db, a.account_id, None, &req, "worker-t", lease).await.unwrap() else {
            panic!("a new request starts a new record")
        };
        let settings =
            RunSettings { chunk: 250, lease, budget: Some(std::time::Duration::from_micros(1)), log_limit: None };
        let job = tokio::spawn({
            let db = db.clone();
            async move { run(&db, record, "worker-t", settings, &Default::default()).await }
        });
        // The progress after each chunk: 250, then 100 more at a time.
        let mut seen = BTreeSet::new();
        while !job.is_finished() {
            seen.insert(app::db::history::get(&db, a.account_id, None, record).await.unwrap().contacts_done);
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        assert_eq!(job.await.unwrap().unwrap(), RunEnd::Ended(app::bulk_action::Ending::Done));
        let steps: BTreeSet<i64> = [0, 250].into_iter().chain((350..=1_000).step_by(100)).chain([1_000]).collect();
        assert!(seen.is_subset(&steps), "{:?}: progress {seen:?}", db.dialect());
        assert!(seen.iter().any(|n| (350..1_000).contains(n)), "{:?}: progress {seen:?}", db.dialect());

        let row = app::db::history::get(&db, a.account_id, None, record).await.unwrap();
        let report = DeleteReport { contacts: row.contacts_done, areas: row.rows.clone() };
        assert_only_these_gone(&before, &rows_per_contact(&db).await, &ids, &report);
        assert_eq!(ids_of(&db, b).await.len(), 150);
    })
    .await;
}

#[tokio::test]
async fn a_double_submit_deletes_once_and_reports_the_same() {
    on_each_engine(|db| async move {
        let (a, _) = two_accounts(&db).await;
        let picked: Vec<i64> = ids_of(&db, a).await.into_iter().take(40).collect();
        let req = request(&db, a, Selection::Ids { ids: picked }, 40, None, "double-click-1").await;
        let (first, second) = tokio::join!(delete(&db, a, None, &req, 10), delete(&db, a, None, &req, 10));
        let (first, second) = (first.unwrap(), second.unwrap());
        assert_eq!(first.contacts, 40);
        assert_eq!(first, second);
        // A late retry of the same request gets the same answer and deletes nothing more.
        assert_eq!(delete(&db, a, None, &req, 10).await.unwrap(), first);
        assert_eq!(ids_of(&db, a).await.len(), 260);
        let mut records = db.sql("SELECT COUNT(*) FROM bulk_actions WHERE request_key = ");
        records.bind("double-click-1");
        assert_eq!(db.fetch_i64(&records).await.unwrap(), 1);
    })
    .await;
}

#[tokio::test]
async fn large_and_whole_account_deletes_need_the_typed_number() {
    on_each_engine(|db| async move {
        let (a, _) = two_accounts(&db).await;
        let all = Selection::all("", Filter::default(), watermark(&db).await.unwrap());
        let p = preview(&db, a, &all).await.unwrap();
        assert!(p.whole_account && p.needs_typed_confirmation && p.contacts == 300);
        let counts = table_counts(&db).await;
        for typed in [None, Some("30"), Some("all")] {
            let err = delete(
                &db,
                a,
                None,
                &request(&db, a, all.clone(), 300, typed, "typed-first").await,
                db.dialect().delete_chunk_size(),
            )
            .await
            .unwrap_err();
            assert_eq!(err, AppError::BadRequest("Type 300 to confirm this delete.".into()));
        }
        assert_eq!(table_counts(&db).await, counts);
        // 1,000 or more contacts need it too, even when not the whole account.
        let big =
            seed_account(&db, &SeedOptions { account_name: "Big".into(), contacts: 1_001, seed: 3 }).await.unwrap();
        let mark = watermark(&db).await.unwrap();
        let except_one = Selection::All {
            as_of: None,
            search: String::new(),
            filter: Filter::default(),
            smart_list: None,
            except: vec![mark],
            watermark: mark,
        };
        let p = preview(&db, big.account_id, &except_one).await.unwrap();
        assert!(!p.whole_account && p.needs_typed_confirmation && p.contacts == 1_000);

        // The refusals gave their key back: the same request, typed right, goes through.
        let report = delete(
            &db,
            a,
            None,
            &request(&db, a, all, 300, Some(" 300 "), "typed-first").await,
            db.dialect().delete_chunk_size(),
        )
        .await
        .unwrap();
        assert_eq!(report.contacts, 300);

        // Generated contacts never reuse the ids of deleted ones (watermarks rely on it).
        let old_max = mark;
        let again =
            seed_account(&db, &SeedOptions { account_name: "Again".into(), contacts: 10, seed: 4 }).await.unwrap();
        assert!(ids_of(&db, again.account_id).await.iter().all(|id| *id > old_max));
    })
    .await;
}

#[tokio::test]
async fn malformed_selections_are_refused_and_change_nothing() {
    on_each_engine(|db| async move {
        let (a, _) = two_accounts(&db).await;
        let mark = watermark(&db).await.unwrap();
        let counts = table_counts(&db).await;
        let bad = [
            (Selection::Ids { ids: vec![] }, "No contacts are selected."),
            (Selection::Ids { ids: (1..=10_001).collect() }, "at most 10000"),
            (Selection::all("", Filter::default(), mark + 1_000), "Reload the list"),
            (Selection::all("", Filter::default(), -1), "Reload the list"),
            (Selection::all("x".repeat(201), Filter::default(), mark), "too long"),
            (
                Selection::All {
                    as_of: None,
                    search: String::new(),
                    filter: Filter::default(),
                    smart_list: None,
                    except: (1..=10_001).collect(),
                    watermark: mark,
                },
                "at most 10000",
            ),
        ];
        for (selection, says) in bad {
            for result in [
                preview(&db, a, &selection).await.map(|_| ()),
                delete(
                    &db,
                    a,
                    None,
                    &request(&db, a, selection.clone(), 1, Some("1"), "bad-input-1").await,
                    db.dialect().delete_chunk_size(),
                )
                .await
                .map(|_| ()),
            ] {
                match result {
                    Err(AppError::BadRequest(m)) => assert!(m.contains(says), "{m:?} should say {says:?}"),
                    other => panic!("{selection:?}: {other:?}"),
                }
            }
        }
        let ok_selection = Selection::Ids { ids: ids_of(&db, a).await[..2].to_vec() };
        for key in ["", "short", "has spaces in it", &"k".repeat(65)] {
            let err = delete(
                &db,
                a,
                None,
                &request(&db, a, ok_selection.clone(), 2, None, key).await,
                db.dialect().delete_chunk_size(),
            )
            .await
            .unwrap_err();
            assert!(matches!(err, AppError::BadRequest(_)), "key {key:?}: {err:?}");
        }
        assert_eq!(table_counts(&db).await, counts);
    })
    .await;
}
