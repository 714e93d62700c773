//! Smart Lists on each engine: saved, reopened with their counts, updated, renamed and
//! deleted (never their contacts); select all in a Smart List acts on exactly its
//! contacts and says so; another account's Smart List is out of reach.

mod common;

use app::db::bulk_delete::{delete, preview};
use app::db::contacts::watermark;
use app::db::smart_lists;
use app::error::AppError;
use app::filter::Filter;
use app::model::Selection;
use app::smart_list::SmartListRef;
use common::{account_with, contact, on_each_engine, table_counts};

fn leads() -> Filter {
    Filter { tags: vec!["lead".into()], ..Default::default() }
}

#[tokio::test]
async fn a_smart_list_is_saved_reopened_changed_and_deleted_without_its_contacts() {
    on_each_engine(|db| async move {
        let mut people = vec![
            contact("Ann", "A", "ann@x.com", "", 1),
            contact("Bob", "B", "bob@x.com", "", 2),
            contact("Cy", "C", "", "", 3),
        ];
        people[0].tags = vec!["lead".into()];
        people[1].tags = vec!["lead".into(), "vip".into()];
        let (a, _) = account_with(&db, "A", &people).await;
        let (b, _) = account_with(&db, "B", &people).await;

        let saved = smart_lists::create(&db, a, None, "  Leads ", "", &leads()).await.unwrap();
        assert_eq!(saved.name, "Leads");
        assert_eq!(smart_lists::count_of(&db, a, saved.id).await.unwrap(), 2);
        let again = smart_lists::create(&db, a, None, "Leads", "", &Filter::default()).await.unwrap_err();
        assert!(matches!(again, AppError::Conflict(_)), "{again:?}");
        assert!(matches!(smart_lists::create(&db, a, None, " ", "", &leads()).await, Err(AppError::BadRequest(_))));
        let bad_filter = Filter { inactive_days: Some(0), ..Default::default() };
        assert!(matches!(
            smart_lists::create(&db, a, None, "Bad", "", &bad_filter).await,
            Err(AppError::BadRequest(_))
        ));
        // The same name in another account is another list.
        smart_lists::create(&db, b, None, "Leads", "", &leads()).await.unwrap();

        assert_eq!(smart_lists::list(&db, a).await.unwrap(), vec![saved.clone()]);
        let narrower = Filter { tags: vec!["lead".into(), "vip".into()], ..Default::default() };
        let updated = smart_lists::update(&db, a, saved.id, "", &narrower).await.unwrap();
        assert_eq!(updated.filter, narrower);
        assert_eq!(smart_lists::count_of(&db, a, saved.id).await.unwrap(), 1);
        let renamed = smart_lists::rename(&db, a, saved.id, "VIP leads").await.unwrap();
        assert_eq!(renamed.name, "VIP leads");

        // Another account's list: not found, whatever the call.
        assert!(matches!(smart_lists::get(&db, b, saved.id).await, Err(AppError::NotFound(_))));
        assert!(matches!(smart_lists::count_of(&db, b, saved.id).await, Err(AppError::NotFound(_))));
        assert!(matches!(smart_lists::update(&db, b, saved.id, "", &leads()).await, Err(AppError::NotFound(_))));
        assert!(matches!(smart_lists::rename(&db, b, saved.id, "Mine").await, Err(AppError::NotFound(_))));
        assert!(matches!(smart_lists::delete(&db, b, saved.id).await, Err(AppError::NotFound(_))));

        let but_lists = |mut counts: std::collections::BTreeMap<&'static str, i64>| {
            counts.remove("smart_lists");
            counts
        };
        let counts = table_counts(&db).await;
        smart_lists::delete(&db, a, saved.id).await.unwrap();
        assert!(smart_lists::list(&db, a).await.unwrap().is_empty());
        assert_eq!(but_lists(table_counts(&db).await), but_lists(counts), "its contacts (and everything else) remain");
        assert!(matches!(smart_lists::delete(&db, a, saved.id).await, Err(AppError::NotFound(_))));
    })
    .await;
}

#[tokio::test]
async fn select_all_in_a_smart_list_deletes_exactly_its_contacts_and_says_so() {
    on_each_engine(|db| async move {
        let mut people = vec![
            contact("Ann", "A", "ann@x.com", "", 1),
            contact("Bob", "B", "bob@x.com", "", 2),
            contact("Cy", "C", "", "", 3),
        ];
        people[0].tags = vec!["lead".into()];
        people[1].tags = vec!["lead".into()];
        let (a, ids) = account_with(&db, "A", &people).await;
        let (b, _) = account_with(&db, "B", &people).await;
        let list = smart_lists::create(&db, a, None, "Inactive leads", "", &leads()).await.unwrap();
        let theirs = smart_lists::create(&db, b, None, "Theirs", "", &leads()).await.unwrap();
        let selection = |list: SmartListRef, filter: Filter| Selection::All {
            search: String::new(),
            filter,
            smart_list: Some(list),
            except: vec![],
            watermark: i64::MAX,
            as_of: None,
        };
        let mark = watermark(&db).await.unwrap();
        let fix = |s: Selection| match s {
            Selection::All { search, filter, smart_list, except, .. } => {
                Selection::All { as_of: None, search, filter, smart_list, except, watermark: mark }
            }
            other => other,
        };
        let mine = fix(selection(SmartListRef { id: list.id, name: list.name.clone() }, leads()));
        assert_eq!(mine.describe(), "All contacts from Smart List 'Inactive leads'");

        // Another account's Smart List, or one that no longer means what was shown: refused.
        let foreign = fix(selection(SmartListRef { id: theirs.id, name: theirs.name.clone() }, leads()));
        assert!(matches!(preview(&db, a, &foreign).await, Err(AppError::NotFound(_))));
        let stale = fix(selection(SmartListRef { id: list.id, name: list.name.clone() }, Filter::default()));
        assert!(matches!(preview(&db, a, &stale).await, Err(AppError::Conflict(_))));

        let request = common::confirmed_request(&db, a, mine, 2, None, "smart-list-1").await;
        let report = delete(&db, a, None, &request, 1).await.unwrap();
        assert_eq!(report.contacts, 2);
        assert_eq!(smart_lists::count_of(&db, a, list.id).await.unwrap(), 0, "the Smart List remains, empty");
        let mut sql = db.sql("SELECT id FROM contacts WHERE account_id = ");
        sql.bind(a);
        assert_eq!(db.fetch_all::<(i64,)>(&sql).await.unwrap(), vec![(ids[2],)]);
        let history = app::db::history::list(&db, a, None).await.unwrap();
        assert_eq!(history[0].description, "All contacts from Smart List 'Inactive leads'");
        assert_eq!(smart_lists::count_of(&db, b, theirs.id).await.unwrap(), 2);
    })
    .await;
}
