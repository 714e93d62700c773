//! The confirm dialog's counts, on each engine: counted in parallel they are the same
//! numbers as counted one area after another, and the same as the rows each contact
//! really has, for a whole account, a filtered selection, a search and ticked contacts.

mod common;

use std::collections::BTreeSet;

use app::db::bulk_delete::{count_areas, preview};
use app::db::cascade::AREAS;
use app::db::contacts::watermark;
use app::db::seed::{seed_account, SeedOptions};
use app::db::{selection, Db};
use app::filter::{DuplicateKey, Duplicates, Filter};
use app::model::Selection;
use common::{on_each_engine, rows_per_contact};

async fn selections(db: &Db, account: i64) -> Vec<Selection> {
    let mark = watermark(db).await.unwrap();
    let mut ids_sql = db.sql("SELECT id FROM contacts WHERE account_id = ");
    ids_sql.bind(account).push(" ORDER BY id");
    let ticked: Vec<i64> = db.fetch_ids(&ids_sql).await.unwrap().into_iter().step_by(5).collect();
    let dupes = Duplicates { by: DuplicateKey::EmailOrPhone, all_but_oldest: false };
    vec![
        Selection::all("", Filter::default(), mark),
        Selection::all("", Filter { inactive_days: Some(180), ..Default::default() }, mark),
        Selection::all("", Filter { duplicates: Some(dupes), ..Default::default() }, mark),
        Selection::all("son", Filter::default(), mark),
        Selection::Ids { ids: ticked },
    ]
}

#[tokio::test]
async fn counts_in_parallel_are_the_counts_one_by_one_and_the_rows_there_are() {
    on_each_engine(|db| async move {
        let a = seed_account(&db, &SeedOptions { account_name: "A".into(), contacts: 3_000, seed: 5 }).await.unwrap();
        seed_account(&db, &SeedOptions { account_name: "B".into(), contacts: 500, seed: 5 }).await.unwrap();
        let rows = rows_per_contact(&db).await;
        for selection in selections(&db, a.account_id).await {
            let one_by_one = count_areas(&db, a.account_id, &selection, 1).await.unwrap();
            let parallel = count_areas(&db, a.account_id, &selection, 8).await.unwrap();
            assert_eq!(parallel, one_by_one, "{:?}: {selection:?}", db.dialect());

            // What the contacts really have, area by area.
            let mut sql = db.sql("");
            selection::push_ids(&mut sql, a.account_id, &selection);
            let chosen: BTreeSet<i64> = db.fetch_ids(&sql).await.unwrap().into_iter().collect();
            assert!(chosen.len() > 20, "{:?}: only {} contacts in {selection:?}", db.dialect(), chosen.len());
            for area in AREAS {
                let expected: i64 =
                    rows.iter().filter(|((t, c), _)| *t == area.table && chosen.contains(c)).map(|(_, n)| n).sum();
                assert_eq!(parallel[area.table], expected, "{:?}: {} of {selection:?}", db.dialect(), area.table);
            }
            let shown = preview(&db, a.account_id, &selection).await.unwrap();
            assert_eq!(shown.contacts, chosen.len() as i64);
            for area in &shown.areas {
                assert_eq!(area.rows, parallel[area.area.as_str()], "{:?}: the dialog's {}", db.dialect(), area.area);
            }
        }
    })
    .await;
}
