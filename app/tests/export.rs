//! Export on each engine: a selection's CSV holds exactly its contacts, every field,
//! whatever commas, quotes and line breaks they hold, across several batches; the export
//! is recorded in the history.

mod common;

use std::collections::BTreeSet;

use app::db::contacts::{watermark, NewContact};
use app::db::export::{self, HEADER};
use app::db::seed::{seed_contacts, SeedOptions};
use app::db::{history, Db};
use app::error::AppError;
use app::filter::Filter;
use app::model::Selection;
use common::{account_with, contact, on_each_engine};

/// Writes the whole selection as the download does: batch after batch.
async fn export_all(db: &Db, account: i64, selection: &Selection) -> (Vec<u8>, usize) {
    let (record, count) =
        export::start(db, account, None, selection, "test-worker", std::time::Duration::from_secs(60)).await.unwrap();
    let (mut out, mut after, mut batches, mut written) = (Vec::new(), 0, 0, 0);
    loop {
        let rows = export::batch(db, account, selection, after).await.unwrap();
        if rows.is_empty() && batches > 0 {
            break;
        }
        out.extend(export::csv(&rows, batches == 0).unwrap());
        batches += 1;
        written += rows.len() as i64;
        match rows.last() {
            Some(r) => after = r.id,
            None => break,
        }
    }
    assert_eq!(written, count);
    export::finish(db, record, "test-worker", app::bulk_action::Status::Done, written).await.unwrap();
    (out, batches)
}

fn read(csv_bytes: &[u8]) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_reader(csv_bytes);
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), HEADER.to_vec());
    reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect()
}

#[tokio::test]
async fn an_export_holds_exactly_the_selection_and_every_field_round_trips() {
    on_each_engine(|db| async move {
        let mut tricky = contact("Zoë, \"Jr.\"", "O'Brien\nSecond line", "zoe@x.com", "+1 (555) 010-0199", 5);
        tricky.company = Some("Acme, Inc. \"Widgets\"\r\nDept".into());
        tricky.tags = vec!["lead".into(), "vip".into()];
        tricky.source = Some("Walk-in".into());
        tricky.last_activity_at = Some(1_750_000_000);
        let plain =
            NewContact { company: Some("=HYPERLINK(\"http://x\")".into()), ..contact("Al", "Plain", "", "", 10) };
        let (a, ids) = account_with(&db, "A", &[tricky, plain]).await;
        let (b, _) = account_with(&db, "B", &[contact("Bea", "Other", "bea@x.com", "", 1)]).await;

        let (bytes, _) = export_all(&db, a, &Selection::Ids { ids: vec![ids[0]] }).await;
        let text = String::from_utf8(bytes.clone()).expect("UTF-8");
        assert!(text.starts_with("id,first_name,last_name,email"));
        let rows = read(&bytes);
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row[0], ids[0].to_string());
        assert_eq!(row[1], "Zoë, \"Jr.\"");
        assert_eq!(row[2], "O'Brien\nSecond line");
        assert_eq!(row[3], "zoe@x.com");
        assert_eq!(row[4], "+1 (555) 010-0199");
        assert_eq!(row[5], "Acme, Inc. \"Widgets\"\r\nDept");
        assert_eq!(row[6], "lead, vip");
        assert_eq!(row[7], "Walk-in");
        assert_eq!(row[8], "2025-06-15T15:01:40Z", "created 5 minutes before the fixed moment");
        assert_eq!(row[10], "2025-06-15T15:06:40Z");

        // A cell a spreadsheet would run as a formula is written as text.
        let (bytes, _) = export_all(&db, a, &Selection::Ids { ids: vec![ids[1]] }).await;
        assert_eq!(read(&bytes)[0][5], "'=HYPERLINK(\"http://x\")");

        // Another account's contact is not found, and nothing is recorded for it.
        let before = history::list(&db, a, None).await.unwrap().len();
        let err = export::start(
            &db,
            a,
            None,
            &Selection::Ids { ids: vec![ids[0], ids[1] + 1] },
            "test-worker",
            std::time::Duration::from_secs(60),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
        assert_eq!(history::list(&db, a, None).await.unwrap().len(), before);
        assert!(history::list(&db, b, None).await.unwrap().is_empty());

        // The history has the export, with its count.
        let latest = &history::list(&db, a, None).await.unwrap()[1];
        assert_eq!(
            (latest.action, latest.status, latest.contacts_done),
            (app::bulk_action::Action::Export, app::bulk_action::Status::Done, 1)
        );
    })
    .await;
}

#[tokio::test]
async fn a_large_filtered_export_comes_in_batches_with_exactly_the_matches() {
    on_each_engine(|db| async move {
        let (a, _) = account_with(&db, "A", &[]).await;
        seed_contacts(&db, a, &SeedOptions { account_name: "A".into(), contacts: 2_500, seed: 3 }).await.unwrap();
        let filter = Filter { not_tags: vec!["cold".into()], has_email: Some(true), ..Default::default() };
        let mut sql = db.sql(
            "SELECT id FROM contacts WHERE NOT (',' || tags || ',') LIKE '%,cold,%' AND email_norm IS NOT NULL AND account_id = ",
        );
        sql.bind(a);
        let expected: BTreeSet<i64> = db.fetch_all::<(i64,)>(&sql).await.unwrap().into_iter().map(|(id,)| id).collect();
        assert!(expected.len() > export::BATCH as usize, "more than one batch: {}", expected.len());

        let all = Selection::All { as_of: None, search: String::new(), filter, smart_list: None, except: vec![], watermark: watermark(&db).await.unwrap() };
        let (bytes, batches) = export_all(&db, a, &all).await;
        assert!(batches >= 2);
        let got: Vec<i64> = read(&bytes).iter().map(|r| r[0].parse().unwrap()).collect();
        assert_eq!(got.len(), expected.len(), "no contact twice");
        assert_eq!(got.into_iter().collect::<BTreeSet<_>>(), expected);
    })
    .await;
}
