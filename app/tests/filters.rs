//! Filters on each engine: each one alone and with a search, duplicates by email and by
//! phone (case, spaces and formatting aside) with "all but the oldest", inactivity, and
//! "select all" under a filter acting on exactly its matches. Malformed filters change
//! nothing.

mod common;

use std::collections::BTreeSet;

use app::dates::Day;
use app::db::bulk_delete::{delete, preview};
use app::db::contacts::{list, watermark, NewContact};
use app::db::{now, selection, Db};
use app::error::AppError;
use app::filter::{DuplicateKey, Duplicates, Filter};
use app::model::{DeleteRequest, ListQuery, Selection};
use common::{account_with, contact, on_each_engine, table_counts};

const DAY: i64 = 86_400;

/// People with every property a filter looks at; the name says what they are.
fn people() -> Vec<NewContact> {
    let now = now();
    let with = |mut c: NewContact, tags: &[&str], source: Option<&str>, active_days_ago: Option<i64>| {
        c.tags = tags.iter().map(|t| t.to_string()).collect();
        c.source = source.map(String::from);
        c.last_activity_at = active_days_ago.map(|d| now - d * DAY);
        c
    };
    vec![
        // 0: an active lead from the website, created 2025-03-01
        with(
            contact("Ann", "Lead", "ann@x.com", "555 0100", age_days(2025, 3, 1)),
            &["lead"],
            Some("Website form"),
            Some(3),
        ),
        // 1: an old vip lead, inactive for 400 days, created 2024-06-01
        with(
            contact("Bob", "Old", "bob@x.com", "", age_days(2024, 6, 1)),
            &["lead", "vip"],
            Some("Referral"),
            Some(400),
        ),
        // 2: never active, no email, created 2023-01-15
        with(contact("Cy", "Never", "", "555-0102", age_days(2023, 1, 15)), &["cold"], None, None),
        // 3: a copy of Ann by email (other case and spaces), newer
        with(
            contact("Ann", "Copy", " ANN@X.com ", "", age_days(2025, 9, 1)),
            &["newsletter"],
            Some("CSV import"),
            Some(200),
        ),
        // 4: a copy of Cy by phone (other formatting), newer still, inactive 500 days
        with(contact("Cy", "Copy", "cy@y.com", "(555) 0102", age_days(2025, 10, 1)), &[], Some("Referral"), Some(500)),
        // 5: a third Ann, by email, newest
        with(contact("Ann", "Third", "ann@X.COM", "", age_days(2025, 11, 1)), &["lead"], None, Some(30)),
        // 6: nobody's copy, no phone, no email
        with(contact("Dee", "Alone", "", "", age_days(2024, 12, 31)), &["vip"], Some("Walk-in"), Some(800)),
    ]
}

/// Minutes before the fixed moment of [`contact`] at which a day (UTC) begins.
fn age_days(y: i32, m: u32, d: u32) -> i64 {
    let at = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(12, 0, 0).unwrap().and_utc().timestamp();
    (1_750_000_000 - at) / 60
}

fn query(search: &str, filter: Filter) -> ListQuery {
    ListQuery { search: search.into(), filter, ..Default::default() }
}

async fn listed(db: &Db, account: i64, search: &str, filter: &Filter) -> BTreeSet<i64> {
    let page = list(db, account, &query(search, filter.clone())).await.unwrap();
    assert!(page.total <= 50);
    assert_eq!(page.total as usize, page.contacts.len(), "the total counts what is listed");
    page.contacts.iter().map(|c| c.id).collect()
}

fn pick(ids: &[i64], which: &[usize]) -> BTreeSet<i64> {
    which.iter().map(|i| ids[*i]).collect()
}

#[tokio::test]
async fn each_filter_alone_and_with_a_search() {
    on_each_engine(|db| async move {
        let (a, ids) = account_with(&db, "A", &people()).await;
        // Another account with the same people: never listed.
        account_with(&db, "B", &people()).await;
        let f = Filter::default;
        let dup = |by, all_but_oldest| Some(Duplicates { by, all_but_oldest });
        let cases: Vec<(&str, Filter, &str, Vec<usize>)> = vec![
            ("no filter", f(), "", vec![0, 1, 2, 3, 4, 5, 6]),
            ("tag is lead", Filter { tags: vec!["lead".into()], ..f() }, "", vec![0, 1, 5]),
            ("tag is lead and vip", Filter { tags: vec!["lead".into(), "vip".into()], ..f() }, "", vec![1]),
            ("tag is not lead", Filter { not_tags: vec!["lead".into()], ..f() }, "", vec![2, 3, 4, 6]),
            ("source", Filter { sources: vec!["referral".into(), "Walk-in".into()], ..f() }, "", vec![1, 4, 6]),
            ("created from", Filter { created_from: Day::parse("2025-03-01"), ..f() }, "", vec![0, 3, 4, 5]),
            ("created before", Filter { created_before: Day::parse("2024-12-31"), ..f() }, "", vec![1, 2]),
            (
                "created between",
                Filter { created_from: Day::parse("2024-01-01"), created_before: Day::parse("2025-06-01"), ..f() },
                "",
                vec![0, 1, 6],
            ),
            ("inactive 365 days", Filter { inactive_days: Some(365), ..f() }, "", vec![1, 4, 6]),
            ("inactive 100 days", Filter { inactive_days: Some(100), ..f() }, "", vec![1, 3, 4, 6]),
            ("never active", Filter { never_active: true, ..f() }, "", vec![2]),
            ("has email", Filter { has_email: Some(true), ..f() }, "", vec![0, 1, 3, 4, 5]),
            ("no email", Filter { has_email: Some(false), ..f() }, "", vec![2, 6]),
            ("has phone", Filter { has_phone: Some(true), ..f() }, "", vec![0, 2, 4]),
            ("no phone", Filter { has_phone: Some(false), ..f() }, "", vec![1, 3, 5, 6]),
            ("duplicates by email", Filter { duplicates: dup(DuplicateKey::Email, false), ..f() }, "", vec![0, 3, 5]),
            ("extra copies by email", Filter { duplicates: dup(DuplicateKey::Email, true), ..f() }, "", vec![3, 5]),
            ("duplicates by phone", Filter { duplicates: dup(DuplicateKey::Phone, false), ..f() }, "", vec![2, 4]),
            ("extra copies by phone", Filter { duplicates: dup(DuplicateKey::Phone, true), ..f() }, "", vec![4]),
            (
                "duplicates by either",
                Filter { duplicates: dup(DuplicateKey::EmailOrPhone, false), ..f() },
                "",
                vec![0, 2, 3, 4, 5],
            ),
            // Cy Copy shares Cy's phone but has an email of its own: the oldest (only)
            // contact of that email group is never an extra copy.
            (
                "extra copies by either",
                Filter { duplicates: dup(DuplicateKey::EmailOrPhone, true), ..f() },
                "",
                vec![3, 5],
            ),
            // With a search.
            ("search + tag", Filter { tags: vec!["lead".into()], ..f() }, "ann", vec![0, 5]),
            ("search + extra copies", Filter { duplicates: dup(DuplicateKey::Email, true), ..f() }, "third", vec![5]),
            ("search + inactive", Filter { inactive_days: Some(365), ..f() }, "cy", vec![4]),
            ("search + no match", Filter { never_active: true, ..f() }, "ann", vec![]),
            (
                "combined",
                Filter { tags: vec!["lead".into()], inactive_days: Some(365), has_email: Some(true), ..f() },
                "",
                vec![1],
            ),
        ];
        for (what, filter, search, expected) in cases {
            assert_eq!(listed(&db, a, search, &filter).await, pick(&ids, &expected), "{what}");
            // Select-all under the same filter counts the same contacts.
            let all = Selection::All {
                as_of: None,
                search: search.into(),
                filter,
                smart_list: None,
                except: vec![],
                watermark: watermark(&db).await.unwrap(),
            };
            if !expected.is_empty() {
                assert_eq!(preview(&db, a, &all).await.unwrap().contacts, expected.len() as i64, "{what}");
            }
            assert_eq!(selection::count(&db, a, &all).await.unwrap(), expected.len() as i64, "{what}");
        }
    })
    .await;
}

async fn request(db: &Db, account: i64, selection: Selection, confirmed: i64, key: &str) -> DeleteRequest {
    common::confirmed_request(db, account, selection, confirmed, None, key).await
}

#[tokio::test]
async fn select_all_under_a_filter_deletes_exactly_the_matches() {
    on_each_engine(|db| async move {
        let (a, ids) = account_with(&db, "A", &people()).await;
        let (b, theirs) = account_with(&db, "B", &people()).await;
        // "All but the oldest" by email or phone: the oldest of every group remains.
        let extra = Filter {
            duplicates: Some(Duplicates { by: DuplicateKey::EmailOrPhone, all_but_oldest: true }),
            ..Default::default()
        };
        let all = Selection::all("", extra.clone(), watermark(&db).await.unwrap());
        assert_eq!(all.describe(), "All contacts matching: duplicates, all but the oldest (same email or phone)");
        let report = delete(&db, a, None, &request(&db, a, all, 2, "dupes-all-1").await, 1).await.unwrap();
        assert_eq!(report.contacts, 2);
        let left: BTreeSet<i64> =
            list(&db, a, &query("", Filter::default())).await.unwrap().contacts.iter().map(|c| c.id).collect();
        assert_eq!(left, pick(&ids, &[0, 1, 2, 4, 6]), "the oldest of each group and the others remain");
        assert!(listed(&db, a, "", &extra).await.is_empty(), "no extra copies are left");
        assert_eq!(listed(&db, b, "", &Filter::default()).await, theirs.iter().copied().collect(), "B is untouched");

        // Inactive over a year (Bob, Cy Copy, Dee), except Bob, unticked: the others go.
        let inactive = Filter { inactive_days: Some(365), ..Default::default() };
        let keep = ids[1];
        let all = Selection::All {
            as_of: None,
            search: String::new(),
            filter: inactive.clone(),
            smart_list: None,
            except: vec![keep],
            watermark: watermark(&db).await.unwrap(),
        };
        let report = delete(&db, a, None, &request(&db, a, all, 2, "inactive-1").await, 5).await.unwrap();
        assert_eq!(report.contacts, 2);
        assert_eq!(listed(&db, a, "", &inactive).await, pick(&ids, &[1]));
        assert_eq!(listed(&db, a, "", &Filter::default()).await, pick(&ids, &[0, 1, 2]));
    })
    .await;
}

#[tokio::test]
async fn malformed_filters_are_refused_and_change_nothing() {
    on_each_engine(|db| async move {
        let (a, _) = account_with(&db, "A", &people()).await;
        let counts = table_counts(&db).await;
        let bad = [
            Filter {
                created_from: Day::parse("2025-06-01"),
                created_before: Day::parse("2025-01-01"),
                ..Default::default()
            },
            Filter { inactive_days: Some(0), ..Default::default() },
            Filter { tags: (0..21).map(|i| format!("t{i}")).collect(), ..Default::default() },
            Filter { not_tags: vec!["a,b".into()], ..Default::default() },
            Filter { sources: vec!["x".repeat(61)], ..Default::default() },
            Filter { inactive_days: Some(30), never_active: true, ..Default::default() },
        ];
        for filter in bad {
            let err = list(&db, a, &query("", filter.clone())).await.unwrap_err();
            assert!(matches!(err, AppError::BadRequest(_)), "{filter:?}: {err:?}");
            let all = Selection::all("", filter.clone(), watermark(&db).await.unwrap());
            assert!(matches!(preview(&db, a, &all).await, Err(AppError::BadRequest(_))), "{filter:?}");
            let err = delete(&db, a, None, &request(&db, a, all, 7, "bad-filter-1").await, 5).await.unwrap_err();
            assert!(matches!(err, AppError::BadRequest(_)), "{filter:?}: {err:?}");
        }
        // A filter value is data, never SQL.
        let sneaky =
            Filter { tags: vec!["x') OR 1=1 --".into()], sources: vec!["' OR '1'='1".into()], ..Default::default() };
        assert!(listed(&db, a, "", &sneaky).await.is_empty());
        assert_eq!(table_counts(&db).await, counts);
    })
    .await;
}
