//! The schema on each engine: migrations apply from nothing, every FK column is indexed,
//! every table the Recycle Bin keeps has a twin with the same columns.

mod common;

use app::db::cascade::{Link, Store, AREAS};
use app::db::schema;
use common::on_each_engine;

#[tokio::test]
async fn migrations_apply_from_empty_and_again() {
    on_each_engine(|db| async move {
        let tables = schema::tables(&db).await.unwrap();
        let mut expected: Vec<&str> = vec!["accounts", "users", "contacts", "campaigns", "smart_lists"];
        expected.extend(AREAS.iter().map(|a| a.table));
        for table in expected {
            assert!(tables.iter().any(|t| t == table), "{:?}: table {table} missing from {tables:?}", db.dialect());
        }
        // Start-up runs the migrations every time: a second run must be a no-op.
        db.migrate().await.unwrap();
        assert_eq!(schema::tables(&db).await.unwrap(), tables);
    })
    .await;
}

#[tokio::test]
async fn every_foreign_key_column_is_indexed() {
    on_each_engine(|db| async move {
        let declared = schema::foreign_key_count(&db).await.unwrap();
        // accounts←users/contacts/campaigns/smart_lists, contacts←7 areas, conversations←messages, campaigns←enrollments
        assert!(declared >= 13, "{:?}: only {declared} foreign keys found", db.dialect());
        let missing = schema::unindexed_foreign_keys(&db).await.unwrap();
        assert!(missing.is_empty(), "{:?}: foreign keys without an index: {missing:?}", db.dialect());
    })
    .await;
}

#[tokio::test]
async fn a_missing_foreign_key_index_is_detected() {
    // The check itself must be able to fail: drop one index and it has to notice.
    on_each_engine(|db| async move {
        db.execute(&db.sql("DROP INDEX notes_contact_id")).await.unwrap();
        let missing = schema::unindexed_foreign_keys(&db).await.unwrap();
        assert_eq!(missing, vec![("notes".to_string(), "contact_id".to_string())], "{:?}", db.dialect());
    })
    .await;
}

#[tokio::test]
async fn every_table_kept_in_the_recycle_bin_has_a_twin_with_its_columns() {
    // A delete copies rows into the bin by the live table's column names: a column added
    // to a live table must be added to its twin too, or deletes into the bin fail.
    on_each_engine(|db| async move {
        for table in std::iter::once("contacts").chain(AREAS.iter().map(|a| a.table)) {
            let mut live = schema::columns(&db, table).await.unwrap();
            let mut twin = schema::columns(&db, &Store::Bin.table(table)).await.unwrap();
            assert!(live.len() > 2, "{table}: {live:?}");
            live.push("bulk_action_id".into());
            live.sort();
            twin.sort();
            assert_eq!(twin, live, "{:?}: bin_{table}", db.dialect());
        }
    })
    .await;
}

#[tokio::test]
async fn every_table_pointing_at_a_contact_is_an_area() {
    // A delete's chunks skip SQLite's foreign-key checks (`chunk_connection`): they
    // remove each area's rows first, so the checks can find nothing, unless a table
    // points at contacts (or at an area's rows) without being an area of the cascade
    // linked that way. Its rows would be left pointing at deleted ones.
    on_each_engine(|db| async move {
        for parent in std::iter::once("contacts").chain(AREAS.iter().map(|a| a.table)) {
            let mut areas: Vec<String> = AREAS
                .iter()
                .filter(|a| match a.link {
                    Link::Contact => parent == "contacts",
                    Link::Via { parent: p, .. } => p == parent,
                })
                .map(|a| a.table.to_string())
                .collect();
            areas.sort();
            let pointing = schema::referencing(&db, parent).await.unwrap();
            assert_eq!(pointing, areas, "{:?}: tables pointing at {parent}", db.dialect());
        }
        // The check can fail: a table outside the cascade that points at contacts.
        db.execute(&db.sql("CREATE TABLE stray (id INTEGER PRIMARY KEY, contact_id INTEGER REFERENCES contacts(id))"))
            .await
            .unwrap();
        let pointing = schema::referencing(&db, "contacts").await.unwrap();
        assert!(pointing.iter().any(|t| t == "stray"), "{:?}: {pointing:?}", db.dialect());
    })
    .await;
}
