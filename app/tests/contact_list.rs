//! The contacts list on each engine: pages, search, cursors and bad input.

mod common;

use app::cursor::Cursor;
use app::db::contacts::{self, list};
use app::db::seed::{seed_account, SeedOptions};
use app::db::Db;
use app::error::AppError;
use app::model::{Contact, ContactPage, ListQuery};
use common::{account_with, assert_kept_counts, contact, on_each_engine};

/// 120 contacts in account A (ten pairs share a creation time, to exercise the id
/// tie-break), plus account B whose contacts match the same searches.
async fn fixture(db: &Db) -> (i64, Vec<i64>) {
    let mut people = Vec::new();
    for i in 0..120 {
        let age = if i % 12 == 0 { i + 1 } else { i }; // contact i and i+1 tie when i % 12 == 0
        let (first, last) = match i % 4 {
            0 => ("Ada", format!("Smith{i}")),
            1 => ("Bob", format!("Jones{i}")),
            2 => ("Çelik", format!("Özdemir{i}")),
            _ => ("", String::new()), // no name: shown by email
        };
        people.push(contact(first, &last, &format!("person{i}@Example.com"), &format!("(555) 010-{i:04}"), age));
    }
    let (a, ids) = account_with(db, "A", &people).await;
    let others: Vec<_> = (0..30).map(|i| contact("Ada", "Smith", &format!("other{i}@example.com"), "", i)).collect();
    account_with(db, "B", &others).await;
    (a, ids)
}

fn q(search: &str, after: Option<&str>, before: Option<&str>) -> ListQuery {
    ListQuery {
        search: search.into(),
        after: after.map(Into::into),
        before: before.map(Into::into),
        ..Default::default()
    }
}

fn ids(page: &ContactPage) -> Vec<i64> {
    page.contacts.iter().map(|c| c.id).collect()
}

/// Every contact of the account matching `search`, in list order (newest first, then highest id).
async fn all_in_order(db: &Db, account: i64, search: &str) -> Vec<Contact> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = list(db, account, &q(search, after.as_deref(), None)).await.unwrap();
        out.extend(page.contacts.iter().cloned());
        match page.next {
            Some(next) => after = Some(next),
            None => return out,
        }
    }
}

#[tokio::test]
async fn first_middle_and_last_page() {
    on_each_engine(|db| async move {
        let (a, _) = fixture(&db).await;
        let first = list(&db, a, &q("", None, None)).await.unwrap();
        assert_eq!((first.contacts.len(), first.total, first.offset), (50, 120, 0));
        assert!(first.prev.is_none() && first.next.is_some());
        let keys: Vec<(i64, i64)> = first.contacts.iter().map(|c| (c.created_at, c.id)).collect();
        let mut sorted = keys.clone();
        sorted.sort_by(|x, y| y.cmp(x));
        assert_eq!(keys, sorted, "newest first, ties by id");

        let middle = list(&db, a, &q("", first.next.as_deref(), None)).await.unwrap();
        assert_eq!((middle.contacts.len(), middle.offset), (50, 50));
        assert!(middle.prev.is_some() && middle.next.is_some());

        let last = list(&db, a, &q("", middle.next.as_deref(), None)).await.unwrap();
        assert_eq!((last.contacts.len(), last.offset, last.total), (20, 100, 120));
        assert!(last.next.is_none() && last.prev.is_some());

        // Previous from the middle page is exactly the first page again.
        let back = list(&db, a, &q("", None, middle.prev.as_deref())).await.unwrap();
        assert_eq!(ids(&back), ids(&first));
        assert_eq!(back.offset, 0);
        assert!(back.prev.is_none());

        // Walking every page sees each contact once, none of account B's.
        let walked: Vec<i64> = all_in_order(&db, a, "").await.iter().map(|c| c.id).collect();
        let mut unique = walked.clone();
        unique.sort();
        unique.dedup();
        assert_eq!((walked.len(), unique.len()), (120, 120));
    })
    .await;
}

#[tokio::test]
async fn a_searched_first_page_and_its_total_hold_its_matches_only() {
    on_each_engine(|db| async move {
        let (a, _) = fixture(&db).await;
        // Every contact of A has "example" in its email (B's too: they do not count).
        let everyone = list(&db, a, &q("", None, None)).await.unwrap();
        let searched = list(&db, a, &q("EXAMPLE", None, None)).await.unwrap();
        assert_eq!((searched.total, searched.offset), (120, 0));
        assert_eq!(ids(&searched), ids(&everyone), "the newest 50 matches, in list order");
        assert!(searched.prev.is_none() && searched.next.is_some());
        assert_eq!(all_in_order(&db, a, "EXAMPLE").await.len(), 120);

        // One contact in four matches: the page holds them all, in list order.
        let smiths: Vec<i64> = all_in_order(&db, a, "")
            .await
            .into_iter()
            .filter(|c| c.last_name.starts_with("Smith"))
            .map(|c| c.id)
            .collect();
        let page = list(&db, a, &q("smith", None, None)).await.unwrap();
        assert_eq!((page.total, ids(&page)), (30, smiths));
        assert!(page.next.is_none() && page.prev.is_none());

        // Nothing matches: an empty page, a total of 0.
        let none = list(&db, a, &q("no such person", None, None)).await.unwrap();
        assert_eq!((none.total, none.contacts.len()), (0, 0));
        assert!(none.next.is_none() && none.prev.is_none());
    })
    .await;
}

#[tokio::test]
async fn search_is_case_insensitive_on_name_email_and_phone() {
    on_each_engine(|db| async move {
        let (a, _) = fixture(&db).await;
        let by_name = list(&db, a, &q("ada SMITH1", None, None)).await.unwrap();
        assert!(by_name.total > 0);
        assert!(by_name.contacts.iter().all(|c| c.first_name == "Ada" && c.last_name.starts_with("Smith1")));
        assert_eq!(by_name.total, 7, "Smith12, Smith16 and Smith100 to Smith116 in steps of 4");

        // Unicode case folding works on both engines (SQLite's lower() would not do it).
        let unicode = list(&db, a, &q("özdemir1", None, None)).await.unwrap();
        assert!(unicode.total > 0 && unicode.contacts.iter().all(|c| c.last_name.starts_with("Özdemir1")));

        let by_email = list(&db, a, &q("PERSON7@example", None, None)).await.unwrap();
        assert_eq!(by_email.total, 1);
        assert_eq!(by_email.contacts[0].email.as_deref(), Some("person7@Example.com"));

        // Another formatting of the same phone digits.
        let by_phone = list(&db, a, &q("555-010-0042", None, None)).await.unwrap();
        assert_eq!(by_phone.total, 1);
        assert_eq!(by_phone.contacts[0].phone.as_deref(), Some("(555) 010-0042"));

        let nothing = list(&db, a, &q("zebra", None, None)).await.unwrap();
        assert_eq!((nothing.total, nothing.contacts.len()), (0, 0));
        assert!(nothing.next.is_none() && nothing.prev.is_none());

        // LIKE wildcards in a search are plain characters.
        let percent = list(&db, a, &q("%", None, None)).await.unwrap();
        assert_eq!(percent.total, 0);
        let underscore = list(&db, a, &q("person_", None, None)).await.unwrap();
        assert_eq!(underscore.total, 0);
    })
    .await;
}

#[tokio::test]
async fn searches_never_reach_another_account() {
    on_each_engine(|db| async move {
        let (a, mine) = fixture(&db).await;
        let page = list(&db, a, &q("other", None, None)).await.unwrap();
        assert_eq!(page.total, 0, "account B's contacts are named other*@example.com");
        let smiths = all_in_order(&db, a, "smith").await;
        assert_eq!(smiths.len(), 30);
        assert!(smiths.iter().all(|c| mine.contains(&c.id)));
    })
    .await;
}

#[tokio::test]
async fn a_cursor_from_another_search_is_a_position() {
    on_each_engine(|db| async move {
        let (a, _) = fixture(&db).await;
        let everyone = list(&db, a, &q("", None, None)).await.unwrap();
        let cursor = everyone.next.clone().unwrap();
        let last_seen = everyone.contacts.last().unwrap();
        // Applied to a search for "bob", the cursor yields that search's rows past the same position.
        let page = list(&db, a, &q("bob", Some(&cursor), None)).await.unwrap();
        let expected: Vec<i64> = all_in_order(&db, a, "bob")
            .await
            .into_iter()
            .filter(|c| (c.created_at, c.id) < (last_seen.created_at, last_seen.id))
            .map(|c| c.id)
            .take(50)
            .collect();
        assert!(page.contacts.iter().all(|c| c.first_name == "Bob"));
        assert!(page.contacts.iter().all(|c| (c.created_at, c.id) < (last_seen.created_at, last_seen.id)));
        assert_eq!(page.total, 30);
        assert_eq!(page.offset, 30 - expected.len() as i64);
        assert_eq!(ids(&page), expected);
    })
    .await;
}

#[tokio::test]
async fn a_cursor_past_either_end_shows_the_first_page() {
    on_each_engine(|db| async move {
        let (a, _) = fixture(&db).await;
        let all = all_in_order(&db, a, "").await;
        let first = list(&db, a, &q("", None, None)).await.unwrap();
        let last = all.last().unwrap();
        let newest = all.first().unwrap();
        for (after, before) in [
            (Some(format!("{}.{}", last.created_at, last.id)), None),
            (None, Some(format!("{}.{}", newest.created_at, newest.id))),
        ] {
            let page = list(&db, a, &q("", after.as_deref(), before.as_deref())).await.unwrap();
            assert_eq!(ids(&page), ids(&first));
            assert_eq!((page.offset, page.prev.clone()), (0, None));
        }
    })
    .await;
}

#[tokio::test]
async fn bad_input_is_a_clear_error() {
    on_each_engine(|db| async move {
        let (a, _) = fixture(&db).await;
        for cursor in ["garbage", "1.", "12.-4", "99999999999999999999999.1"] {
            match list(&db, a, &q("", Some(cursor), None)).await {
                Err(AppError::BadRequest(m)) => assert!(m.contains("page link is not valid"), "{m}"),
                other => panic!("cursor {cursor:?}: {other:?}"),
            }
        }
        let err = list(&db, a, &q("", Some("1.1"), Some("1.1"))).await.unwrap_err();
        assert!(matches!(err, AppError::BadRequest(_)));
        let long = "x".repeat(201);
        match list(&db, a, &q(&long, None, None)).await {
            Err(AppError::BadRequest(m)) => assert!(m.contains("too long"), "{m}"),
            other => panic!("{other:?}"),
        }
        let nul = list(&db, a, &q("ada\u{0}", None, None)).await.unwrap_err();
        assert!(matches!(nul, AppError::BadRequest(_)), "{nul:?}");
        // 200 characters is still a valid (if fruitless) search.
        assert_eq!(list(&db, a, &q(&"x".repeat(200), None, None)).await.unwrap().total, 0);
    })
    .await;
}

#[tokio::test]
async fn the_total_is_kept_in_step_with_saves_deletes_and_moves() {
    on_each_engine(|db| async move {
        let (a, ids) = fixture(&db).await;
        let b = db.fetch_i64(&db.sql("SELECT id FROM accounts WHERE name = 'B'")).await.unwrap();
        let empty = app::db::accounts::create(&db, "C").await.unwrap();
        assert_kept_counts(&db).await;
        assert_eq!(list(&db, empty, &ListQuery::default()).await.unwrap().total, 0);

        let mut gone = db.sql("DELETE FROM contacts WHERE id IN (");
        gone.bind(ids[0]).push(", ").bind(ids[7]).push(", ").bind(ids[100]).push(")");
        db.execute(&gone).await.unwrap();
        let mut moved = db.sql("UPDATE contacts SET account_id = ");
        moved.bind(b).push(" WHERE id = ").bind(ids[5]);
        db.execute(&moved).await.unwrap();
        app::db::contacts::insert(&db, empty, &contact("New", "One", "new@example.com", "", 1)).await.unwrap();

        let mut got = Vec::new();
        for account in [a, b, empty] {
            got.push(list(&db, account, &ListQuery::default()).await.unwrap().total);
        }
        assert_eq!(got, [116, 31, 1]);
        assert_kept_counts(&db).await;
    })
    .await;
}

/// On SQLite a page of an account the planner's statistics have not seen (created or
/// grown since the last ANALYZE) reads the list's index in order. Its samples made such
/// an account look like a handful of contacts, and the page sorted the whole account:
/// 77-93 ms a page instead of 1 ms for an account of a million contacts. (PostgreSQL's
/// plan was not misled, and may sort a small table.)
#[tokio::test]
async fn a_page_of_an_account_newer_than_the_statistics_reads_the_list_in_order() {
    let (db, _dir) = common::sqlite().await;
    // Generating an account ends with ANALYZE.
    let analyzed = SeedOptions { account_name: "Analyzed".into(), contacts: 2_000, seed: 7 };
    let analyzed = seed_account(&db, &analyzed).await.unwrap().account_id;
    let people: Vec<_> = (0..120).map(|i| contact("New", &format!("Person{i}"), "", "", i)).collect();
    let (newer, newest_first) = account_with(&db, "Newer than the statistics", &people).await;

    let first = list(&db, newer, &ListQuery::default()).await.unwrap();
    assert_eq!(ids(&first), newest_first[..50]);
    assert_eq!(first.total, 120);
    let second = list(&db, newer, &q("", first.next.as_deref(), None)).await.unwrap();
    assert_eq!(ids(&second), newest_first[50..100]);

    // The first page and the pages after and before a cursor, of both accounts.
    let cursor = |page: &ContactPage| page.next.as_deref().map(|key| Cursor::decode(key).unwrap());
    let watermark = contacts::watermark(&db).await.unwrap();
    for account in [newer, analyzed] {
        let key = cursor(&list(&db, account, &ListQuery::default()).await.unwrap());
        for position in [(None, None), (key, None), (None, key)] {
            let page = contacts::page_statement(&db, account, &ListQuery::default(), watermark, position);
            let plan: Vec<(i64, i64, i64, String)> = db.fetch_all(&page.explained()).await.unwrap();
            let steps: Vec<&str> = plan.iter().map(|(.., step)| step.as_str()).collect();
            assert!(
                steps.iter().all(|step| !step.contains("TEMP B-TREE")),
                "account {account}, {position:?}: the page sorts the account: {steps:?}"
            );
        }
    }
}
