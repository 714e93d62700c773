//! The search, on each engine: as the product runs it (PostgreSQL from its trigram
//! indexes, SQLite from its FTS5 table) it returns exactly the contacts the LIKE scan
//! returns (case, Unicode folding, phone digits, wildcard characters, searches too short
//! for a trigram), and it stays so after contacts are inserted, edited and deleted,
//! before and after SQLite's index drops the rows of deleted contacts, and when a
//! contact comes back with its id.

mod common;

use std::time::Duration;

use app::cursor::Cursor;
use app::db::bulk_delete::{delete, run, Accepted, RunSettings};
use app::db::contacts::{self, list, normalize_email, normalize_name, normalize_phone, watermark};
use app::db::search::{forget_deleted, matching_ids, SearchPath};
use app::db::search_cache::{Page, Place};
use app::db::seed::{seed_contacts, SeedOptions};
use app::db::{accounts, recycle_bin, Db, Dialect};
use app::filter::Filter;
use app::model::{ContactPage, ListQuery, Selection};
use app::recycle::RestoreRequest;
use common::{account_with, confirmed_request, contact, on_each_engine};
use tokio_util::sync::CancellationToken;

/// Contacts whose text tries the edges: accents and case beyond ASCII, LIKE's wildcard
/// characters, quotes, no name, a phone too short to search.
fn awkward() -> Vec<contacts::NewContact> {
    vec![
        contact("Anna", "Müller", "anna@50%off.de", "+49 (30) 555-0199", 1),
        contact("Seán", "O\"Brien", "sean_o@example.ie", "", 2),
        contact("İlker", "ŞAHİN", "ilker@ornek.com.tr", "0 532 111 22 33", 3),
        contact("Jürgen", "Straße", "STRASSE@Example.de", "(555) 010-0042", 4),
        contact("Zoë", "Ng", "", "12", 5),
        contact("", "", "only.email@example.com", "", 6),
        contact("Ada", "Smith", "ada.smith@example.com", "555.010.0043", 7),
    ]
}

const FIXED_SEARCHES: &[&str] = &[
    "müller",
    "MÜLLER",
    "ller",
    "50%o",
    "50%",
    "%",
    "o\"b",
    "\"",
    "n_o",
    "_",
    "straße",
    "strasse",
    "ş",
    "şah",
    "ŞAHİN",
    "İlker",
    "532 111",
    "0532111",
    "zoë",
    "oë",
    "ng",
    "12",
    "ab",
    "a",
    "@",
    "x.",
    ".com",
    "555",
    "5550",
    "(30) 555",
    "555-010-0042",
    "010 004",
    "ada smith",
    "a s",
    "  SMITH  ",
    "example",
    "zebra",
    "a'b",
];

/// Searches taken from the account's own contacts: parts of names, of emails, and
/// phone digits written with dashes.
async fn sampled_searches(db: &Db, account: i64) -> Vec<String> {
    let mut sql = db.sql("SELECT name_norm, email_norm, phone_norm FROM contacts WHERE account_id = ");
    sql.bind(account).push(" ORDER BY id");
    let rows: Vec<(String, Option<String>, Option<String>)> = db.fetch_all(&sql).await.unwrap();
    let part = |s: &str, from: usize, len: usize| s.chars().skip(from).take(len).collect::<String>();
    let mut out = Vec::new();
    for (name, email, phone) in rows.iter().step_by(97) {
        out.push(part(name, 1, 4));
        out.push(part(name, 0, 2));
        if let Some(email) = email {
            out.push(part(email, 3, 6));
        }
        if let Some(phone) = phone {
            let digits = part(phone, 2, 5);
            out.push(format!("{}-{}", part(&digits, 0, 2), part(&digits, 2, 3)));
        }
    }
    out
}

/// Asserts that the index and the scan agree on every search; returns how many
/// contacts the searches found in all (so that agreement on nothing cannot pass).
async fn index_agrees_with_scan(db: &Db, account: i64, searches: &[String], when: &str) -> usize {
    let mut found = 0;
    for search in searches {
        let index = matching_ids(db, account, search, SearchPath::Index).await.unwrap();
        let scan = matching_ids(db, account, search, SearchPath::Scan).await.unwrap();
        assert_eq!(index, scan, "{:?}, {when}: the search {search:?}", db.dialect());
        found += scan.len();
    }
    found
}

/// Deleted contacts whose rows SQLite's search index has yet to drop; `None` on
/// PostgreSQL (no such queue).
async fn stale_rows(db: &Db) -> Option<i64> {
    if db.dialect() != Dialect::Sqlite {
        return None;
    }
    Some(db.fetch_i64(&db.sql("SELECT COUNT(*) FROM contact_search_stale")).await.unwrap())
}

async fn listed_total(db: &Db, account: i64, search: &str) -> i64 {
    let query = ListQuery { search: search.into(), ..Default::default() };
    list(db, account, &query).await.unwrap().total
}

#[tokio::test]
async fn the_search_index_returns_what_the_scan_returns_after_inserts_edits_and_deletes() {
    on_each_engine(|db| async move {
        let (a, awkward_ids) = account_with(&db, "A", &awkward()).await;
        seed_contacts(&db, a, &SeedOptions { account_name: "A".into(), contacts: 2_000, seed: 7 }).await.unwrap();
        // Another account holding the same people: never found from A.
        let b = accounts::create(&db, "B").await.unwrap();
        seed_contacts(&db, b, &SeedOptions { account_name: "B".into(), contacts: 300, seed: 7 }).await.unwrap();

        let mut searches: Vec<String> = FIXED_SEARCHES.iter().map(|s| s.to_string()).collect();
        searches.extend(sampled_searches(&db, a).await);
        let found = index_agrees_with_scan(&db, a, &searches, "after the import").await;
        assert!(found > 2_000, "{:?}: the searches found only {found} contacts", db.dialect());

        // Case and Unicode folding, wildcard characters and phone digits, through the list.
        assert_eq!(matching_ids(&db, a, "MÜLLER", SearchPath::Index).await.unwrap(), vec![awkward_ids[0]]);
        assert_eq!(matching_ids(&db, a, "50%o", SearchPath::Index).await.unwrap(), vec![awkward_ids[0]]);
        assert_eq!(matching_ids(&db, a, "İlker", SearchPath::Index).await.unwrap(), vec![awkward_ids[2]]);
        assert_eq!(matching_ids(&db, a, "o\"b", SearchPath::Index).await.unwrap(), vec![awkward_ids[1]]);
        let phones = matching_ids(&db, a, "010 004", SearchPath::Index).await.unwrap();
        assert!(phones.contains(&awkward_ids[3]) && phones.contains(&awkward_ids[6]), "{phones:?}");
        assert_eq!(listed_total(&db, a, "555-010-0042").await, 1);

        // Inserts: new contacts are found at once.
        let mut added = Vec::new();
        for i in 0..40 {
            let person = contact("Quentin", &format!("Zyxwv{i}"), &format!("qz{i}@newmail.test"), "(777) 123-4567", i);
            added.push(contacts::insert(&db, a, &person).await.unwrap());
        }
        assert_eq!(matching_ids(&db, a, "zyxwv", SearchPath::Index).await.unwrap(), added);
        assert_eq!(matching_ids(&db, a, "777-1234", SearchPath::Index).await.unwrap(), added);

        // Edits: a contact renamed is found by its new name and no longer by its old one.
        let renamed: Vec<i64> = added[..10].to_vec();
        for (i, id) in renamed.iter().enumerate() {
            let (first, last, email, phone) =
                ("Renée", format!("Vbnmq{i}"), format!("RV{i}@Edited.test"), "+1 888 999");
            let mut sql = db.sql("UPDATE contacts SET first_name = ");
            sql.bind(first).push(", last_name = ").bind(last.clone());
            sql.push(", name_norm = ").bind(normalize_name(first, &last));
            sql.push(", email = ").bind(email.clone()).push(", email_norm = ").bind(normalize_email(&email));
            sql.push(", phone = ").bind(phone).push(", phone_norm = ").bind(normalize_phone(phone));
            sql.push(" WHERE id = ").bind(*id);
            assert_eq!(db.execute(&sql).await.unwrap(), 1);
        }
        assert_eq!(matching_ids(&db, a, "renée vbnmq", SearchPath::Index).await.unwrap(), renamed);
        assert_eq!(matching_ids(&db, a, "@edited.test", SearchPath::Index).await.unwrap(), renamed);
        assert_eq!(matching_ids(&db, a, "zyxwv", SearchPath::Index).await.unwrap(), added[10..]);

        // Deletes: a bulk delete of a search's matches, with their related rows, and a
        // plain delete of contacts that have none.
        let smiths = Selection::all("smith", Filter::default(), watermark(&db).await.unwrap());
        let smith_ids = matching_ids(&db, a, "smith", SearchPath::Scan).await.unwrap();
        let expected = smith_ids.len() as i64;
        assert!(expected > 5, "{:?}: only {expected} smiths", db.dialect());
        let request = confirmed_request(&db, a, smiths, expected, Some(&expected.to_string()), "search-smiths-1").await;
        assert_eq!(delete(&db, a, None, &request, 50).await.unwrap().contacts, expected);
        let mut sql = db.sql("DELETE FROM contacts WHERE ");
        sql.push_in_ids("id", &added[30..]);
        assert_eq!(db.execute(&sql).await.unwrap(), 10);
        assert!(matching_ids(&db, a, "smith", SearchPath::Index).await.unwrap().is_empty());
        assert_eq!(matching_ids(&db, a, "zyxwv", SearchPath::Index).await.unwrap(), added[10..30]);

        let found = index_agrees_with_scan(&db, a, &searches, "after inserts, edits and deletes").await;
        assert!(found > 1_000, "{:?}: the searches found only {found} contacts", db.dialect());

        // A contact coming back with its id (as a restore will), under another name,
        // while its old index row still waits to be dropped: found by the new name only.
        let back = smith_ids[0];
        let mut sql = db.sql(
            "INSERT INTO contacts (id, account_id, first_name, last_name, name_norm, created_at, updated_at) VALUES (",
        );
        sql.bind(back).push(", ").bind(a).push(", 'Returning', 'Qwxyz', 'returning qwxyz', 1, 1)");
        assert_eq!(db.execute(&sql).await.unwrap(), 1);
        assert_eq!(matching_ids(&db, a, "qwxyz", SearchPath::Index).await.unwrap(), vec![back]);
        assert!(matching_ids(&db, a, "smith", SearchPath::Index).await.unwrap().is_empty());

        // SQLite's index drops the deleted contacts' rows later, a batch at a time.
        // (PostgreSQL's indexes follow every delete: nothing waits there.)
        let queued = stale_rows(&db).await.unwrap_or(0);
        let waiting = if db.dialect() == Dialect::Sqlite { expected - 1 + 10 } else { 0 };
        assert_eq!(queued, waiting, "{:?}: every deleted contact but the returned one", db.dialect());
        let mut dropped = 0;
        loop {
            let n = forget_deleted(&db, 7).await.unwrap();
            assert!(n <= 7);
            if n == 0 {
                break;
            }
            dropped += n as i64;
        }
        assert_eq!(dropped, queued);
        assert_eq!(stale_rows(&db).await.unwrap_or(0), 0);
        if db.dialect() == Dialect::Sqlite {
            let indexed = db.fetch_i64(&db.sql("SELECT COUNT(*) FROM contact_search")).await.unwrap();
            let contacts = db.fetch_i64(&db.sql("SELECT COUNT(*) FROM contacts")).await.unwrap();
            assert_eq!(indexed, contacts, "the index holds exactly the contacts there are");
        }
        index_agrees_with_scan(&db, a, &searches, "after the index dropped the deleted contacts").await;
        assert_eq!(matching_ids(&db, a, "qwxyz", SearchPath::Index).await.unwrap(), vec![back]);
        assert_eq!(listed_total(&db, b, "smith").await as usize, {
            matching_ids(&db, b, "smith", SearchPath::Scan).await.unwrap().len()
        });
    })
    .await;
}

/// PostgreSQL plans each statement for its values, on every connection of the pool: a
/// plan made without them (PostgreSQL's choice after five runs of a prepared statement)
/// cannot tell a search that matches a few contacts from one matching most of them.
#[tokio::test]
async fn postgres_plans_every_statement_for_its_values() {
    let db = common::postgres().await;
    let show = || async { db.fetch_all::<(String,)>(&db.sql("SHOW plan_cache_mode")).await.unwrap() };
    let settings = futures::future::join_all((0..4).map(|_| show())).await;
    for rows in settings {
        assert_eq!(rows, vec![("force_custom_plan".to_string(),)]);
    }
    db.close().await;
}

/// Two servers on one database: `reader` lists, `writer` changes the account.
struct TwoServers {
    url: String,
    reader: Db,
    writer: Db,
    account: i64,
}

impl TwoServers {
    /// What `reader` lists for `search`, checked against what a server that never saw
    /// the search lists, and remembered by `reader` at the account's change number; the
    /// same for the page after the first, if there is one, and the page before that.
    async fn agrees(&self, search: &str, step: &str) -> ContactPage {
        let fresh = Db::connect(&self.url).await.unwrap();
        let first = ListQuery { search: search.into(), ..Default::default() };
        let listed = self.agrees_on(&fresh, &first, step).await;
        if let Some(next) = &listed.next {
            let second = ListQuery { after: Some(next.clone()), ..first.clone() };
            let second = self.agrees_on(&fresh, &second, &format!("{step}, the second page")).await;
            let back = ListQuery { before: second.prev.clone(), ..first.clone() };
            let back = self.agrees_on(&fresh, &back, &format!("{step}, back from the second page")).await;
            assert_eq!(back.contacts, listed.contacts, "{step}: back to the first page");
            assert_eq!((second.offset, back.offset), (listed.contacts.len() as i64, 0), "{step}: positions");
        }
        fresh.close().await;
        listed
    }

    /// [`TwoServers::agrees`] for one page (`fresh`, as a server that remembers nothing).
    async fn agrees_on(&self, fresh: &Db, query: &ListQuery, step: &str) -> ContactPage {
        let expected = list(&fresh.as_new_server(), self.account, query).await.unwrap();
        let listed = list(&self.reader, self.account, query).await.unwrap();
        let engine = self.reader.dialect();
        let ids = |page: &ContactPage| (page.total, page.contacts.iter().map(|c| c.id).collect::<Vec<_>>());
        assert_eq!(ids(&listed), ids(&expected), "{engine:?}, {step}: total and ids");
        assert_eq!(listed, expected, "{engine:?}, {step}");
        let mut changes = self.reader.sql("SELECT changes FROM contact_counts WHERE account_id = ");
        changes.bind(self.account);
        let changes = self.reader.fetch_i64(&changes).await.unwrap();
        let cursor = |text: &Option<String>| text.as_deref().map(|text| Cursor::decode(text).unwrap());
        let place = (self.account, query.search.as_str(), Place::of(cursor(&query.after), cursor(&query.before)));
        let remembered = self.reader.searches().remembered(place, changes);
        let (total, ids) = ids(&listed);
        let page = Page { total, offset: listed.offset, ids };
        assert_eq!(remembered, Some(page), "{engine:?}, {step}: remembered at change {changes}");
        listed
    }

    /// `writer` sets `assignments` (SQL) on the contact `id`.
    async fn edit(&self, id: i64, assignments: &str) {
        let mut sql = self.writer.sql(&format!("UPDATE contacts SET {assignments} WHERE id = "));
        sql.bind(id);
        assert_eq!(self.writer.execute(&sql).await.unwrap(), 1);
    }

    /// `writer` deletes the contacts `search` finds, as the product does; returns the
    /// delete's bulk action.
    async fn delete(&self, search: &str, expected: i64, key: &str) -> i64 {
        let (writer, account) = (&self.writer, self.account);
        let selection = Selection::all(search, Filter::default(), watermark(writer).await.unwrap());
        let request = confirmed_request(writer, account, selection, expected, None, key).await;
        assert_eq!(delete(writer, account, None, &request, 50).await.unwrap().contacts, expected);
        let mut record = writer.sql("SELECT id FROM bulk_actions WHERE request_key = ");
        record.bind(key);
        writer.fetch_i64(&record).await.unwrap()
    }
}

/// A server remembers a search's total and first page; another server then inserts,
/// edits (each column a search matches or orders by), deletes, moves to the Recycle Bin
/// and restores: every list of the search afterwards shows what a server that never saw
/// the search shows, first page and later ones, and the first server remembers each.
#[tokio::test]
async fn a_remembered_search_follows_every_change_whichever_server_makes_it() {
    common::on_each_engine_url(|url| async move {
        let (reader, writer) = (Db::connect(&url).await.unwrap(), Db::connect(&url).await.unwrap());
        let mut people: Vec<_> = (0..55).map(|i| contact("Ann", &format!("Smith{i}"), "", "", 10 + i)).collect();
        people.push(contact("Cy", "Jones", "cy@jones.test", "", 5));
        let (account, ids) = account_with(&writer, "A", &people).await;
        let (b, _) = account_with(&writer, "B", &[contact("Zed", "Smith", "", "", 1)]).await;
        let cy = ids[55];
        let servers = TwoServers { url, reader, writer, account };

        let first = servers.agrees("smith", "found").await;
        assert_eq!((first.total, first.contacts.len()), (55, 50));
        assert_eq!(servers.agrees("smith", "asked again").await, first);
        let in_b = ListQuery { search: "smith".into(), ..Default::default() };
        assert_eq!(list(&servers.reader, b, &in_b).await.unwrap().total, 1, "another account's search is its own");

        // A new contact: the newest, first in the list.
        let newest = contacts::insert(&servers.writer, account, &contact("Qwerty", "Smith", "", "", 0)).await.unwrap();
        let page = servers.agrees("smith", "after an insert").await;
        assert_eq!((page.total, page.contacts[0].id), (56, newest));

        // Renamed into the search and out of it; an email and a phone edited into it.
        servers.edit(cy, "last_name = 'Smithson', name_norm = 'cy smithson'").await;
        let page = servers.agrees("smith", "after a rename into the search").await;
        assert_eq!((page.total, page.contacts[1].id), (57, cy));
        servers.edit(ids[0], "last_name = 'Jones', name_norm = 'ann jones'").await;
        assert_eq!(servers.agrees("smith", "after a rename out of it").await.total, 56);
        servers.edit(cy, "last_name = 'Jones', name_norm = 'cy jones'").await;
        assert_eq!(servers.agrees("smith", "after a rename back").await.total, 55);
        servers.edit(cy, "email = 'cy@smith.test', email_norm = 'cy@smith.test'").await;
        assert_eq!(servers.agrees("smith", "after an email edit").await.total, 56);
        assert_eq!(servers.agrees("555-0199", "before a phone edit").await.total, 0);
        servers.edit(cy, "phone = '555-0199', phone_norm = '5550199'").await;
        assert_eq!(servers.agrees("555-0199", "after a phone edit").await.contacts[0].id, cy);

        // An edit of what the search neither matches nor orders by shows at once too.
        servers.edit(newest, "company = 'Renamed Ltd'").await;
        let page = servers.agrees("smith", "after a company edit").await;
        assert_eq!(page.contacts[0].company.as_deref(), Some("Renamed Ltd"));

        // An older contact made the newest.
        servers.edit(ids[54], "created_at = 1800000000").await;
        assert_eq!(servers.agrees("smith", "after a change of creation time").await.contacts[0].id, ids[54]);

        // A bulk delete, as the product runs it.
        servers.delete("qwerty", 1, "remembered-search-1").await;
        let page = servers.agrees("smith", "after a bulk delete").await;
        assert!(page.contacts.iter().all(|c| c.id != newest));
        assert_eq!(page.total, 55);

        // Into the Recycle Bin ("smith1": Smith1 and Smith10-19) and back.
        accounts::set_keep_deleted_days(&servers.writer, account, 30).await.unwrap();
        let binned = servers.delete("smith1", 11, "remembered-search-bin").await;
        assert_eq!(servers.agrees("smith", "after a delete into the bin").await.total, 44);
        let request = RestoreRequest { bulk_action_id: binned, request_key: "remembered-search-back".into() };
        let lease = Duration::from_secs(60);
        let accepted = recycle_bin::accept(&servers.writer, account, (None, None), &request, "w", lease).await;
        let Ok(Accepted::New(job)) = accepted else { panic!("a new restore: {accepted:?}") };
        let settings = RunSettings { chunk: 5, lease, budget: None, log_limit: None };
        run(&servers.writer, job, "w", settings, &CancellationToken::new()).await.unwrap();
        let page = servers.agrees("smith", "after a restore").await;
        assert_eq!(page.total, 55);

        // A later page after a change: its total is the account's now, not the one
        // remembered with the first page.
        contacts::insert(&servers.writer, account, &contact("Late", "Smith", "", "", 1000)).await.unwrap();
        let next = ListQuery { search: "smith".into(), after: page.next.clone(), ..Default::default() };
        let second = list(&servers.reader, account, &next).await.unwrap();
        assert_eq!((second.total, second.offset, second.contacts.len()), (56, 50, 6));
        servers.reader.close().await;
        servers.writer.close().await;
    })
    .await;
}
