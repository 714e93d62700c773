//! What a server remembers of the searches it answered: for a page of a search of an
//! account (the first, or the one after or before a cursor), the number of contacts the
//! search matched and the ids of that page, tied to the account's
//! change number (`contact_counts.changes`, migrations 0012), which every insert, delete
//! and edit of a contact's searched columns or creation time raises, in the transaction
//! that makes it, whichever server runs it. A remembered search serves a request only
//! while the account's change number is the one it was found at; its contacts' rows are
//! read again each time, so an edit of anything else (a company, a tag) shows at once.
//!
//! Why: a search counts its matches and puts the newest 50 first, so it reads every
//! match (4,292 for "smith" among a million contacts: 3.5 ms on SQLite, 12 ms on
//! PostgreSQL), where the plain list reads a kept count and 50 rows. Users page through a
//! search, come back to it and share it in an account; each asked again for the same
//! answer while nothing changed. A later page of a search finds every match again too
//! (to put them in order past its cursor), and everyone paging through a search asks
//! for the same later pages (a page's cursor is its neighbour's edge row).
//!
//! Nothing here is state: a server that restarts, or never saw a search, finds it again.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

use crate::cursor::Cursor;
use crate::error::AppError;

/// The pages of searches remembered at most (about 0.5 KB each); past it the least
/// recently used is forgotten.
const CAPACITY: usize = 4096;

/// Which page of a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Place {
    First,
    After(Cursor),
    Before(Cursor),
}

impl Place {
    /// The page a list request asks for with these cursors (`after` first, as the list
    /// reads them).
    pub fn of(after: Option<Cursor>, before: Option<Cursor>) -> Place {
        match (after, before) {
            (Some(cursor), _) => Place::After(cursor),
            (None, Some(cursor)) => Place::Before(cursor),
            (None, None) => Place::First,
        }
    }
}

/// A search's total, the number of its matches before one of its pages, and the ids of
/// that page, in list order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    pub total: i64,
    pub offset: i64,
    pub ids: Vec<i64>,
}

/// The remembered searches of one database (see the module's documentation).
#[derive(Debug, Default)]
pub struct SearchCache {
    entries: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    by_search: HashMap<Key, Entry>,
    /// Counts the uses: an entry's `used` is the count at its last.
    clock: u64,
}

/// An account, a search's [`key`](super::search::key), a page of it.
type Key = (i64, String, Place);

#[derive(Debug)]
struct Entry {
    changes: i64,
    /// Empty while the first request to ask finds it: the others wait for its answer
    /// instead of all finding the same one (after each save into an account, 100 users
    /// searching a million contacts all missed at once and never caught up: 268 lists/s).
    page: Arc<OnceCell<Page>>,
    used: u64,
}

impl SearchCache {
    /// The page `place` of the search of key `search` ([`key`](super::search::key)) in
    /// the account at its change number `changes`: remembered, or found by `find` (by
    /// one request at a time; if it fails, the next one waiting tries) and remembered.
    pub async fn page<F, Fut>(
        &self,
        (account_id, search, place): (i64, &str, Place),
        changes: i64,
        find: F,
    ) -> Result<Page, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Page, AppError>>,
    {
        let page = self.slot((account_id, search.to_string(), place), changes);
        page.get_or_try_init(find).await.cloned()
    }

    /// The page `place` of the search, if already remembered at `changes`.
    pub fn remembered(&self, (account_id, search, place): (i64, &str, Place), changes: i64) -> Option<Page> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.clock += 1;
        let used = entries.clock;
        let entry = entries.by_search.get_mut(&(account_id, search.to_string(), place))?;
        let page = entry.page.get().filter(|_| entry.changes == changes)?.clone();
        entry.used = used;
        Some(page)
    }

    /// The search's total, if already remembered at `changes` with its first page (for
    /// a later page not remembered yet).
    pub fn remembered_total(&self, account_id: i64, search: &str, changes: i64) -> Option<i64> {
        self.remembered((account_id, search, Place::First), changes).map(|page| page.total)
    }

    /// The cell of the page's answer at `changes`, in place of one at any other
    /// change number. Other: not only a higher one. A request that read the number just
    /// before a change may so replace the answer at the new number (which the next
    /// request finds again), but a database put back from a backup, whose numbers went
    /// down, cannot meet answers of its future.
    fn slot(&self, key: Key, changes: i64) -> Arc<OnceCell<Page>> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.clock += 1;
        let used = entries.clock;
        if let Some(entry) = entries.by_search.get_mut(&key).filter(|entry| entry.changes == changes) {
            entry.used = used;
            return entry.page.clone();
        }
        if entries.by_search.len() >= CAPACITY && !entries.by_search.contains_key(&key) {
            let oldest = entries.by_search.iter().min_by_key(|(_, entry)| entry.used).map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                entries.by_search.remove(&oldest);
            }
        }
        let page = Arc::new(OnceCell::new());
        entries.by_search.insert(key, Entry { changes, page: page.clone(), used });
        page
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn page(total: i64) -> Page {
        Page { total, offset: 0, ids: vec![total] }
    }

    /// The first page of "smith" in `account` at `changes`, found as `page(found)`;
    /// `finds` counts the finding.
    async fn smith(cache: &SearchCache, account: i64, changes: i64, found: i64, finds: &AtomicUsize) -> Page {
        let find = || async move {
            finds.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            Ok(page(found))
        };
        cache.page((account, "smith", Place::First), changes, find).await.unwrap()
    }

    #[tokio::test]
    async fn a_search_is_remembered_for_its_account_and_change_number_only() {
        let (cache, finds) = (SearchCache::default(), AtomicUsize::new(0));
        assert_eq!(smith(&cache, 1, 7, 3, &finds).await, page(3));
        assert_eq!(smith(&cache, 1, 7, 99, &finds).await, page(3), "remembered");
        assert_eq!(finds.load(Ordering::SeqCst), 1);
        assert_eq!(cache.remembered_total(1, "smith", 7), Some(3));
        assert_eq!(cache.remembered_total(1, "smith", 8), None, "the account changed since");
        assert_eq!(cache.remembered_total(2, "smith", 7), None, "another account");
        assert_eq!(cache.remembered_total(1, "smit", 7), None, "another search");
        assert_eq!(smith(&cache, 1, 8, 4, &finds).await, page(4), "found again");
        assert_eq!(cache.remembered_total(1, "smith", 7), None, "the older answer was replaced");
    }

    #[tokio::test]
    async fn each_page_of_a_search_is_remembered_on_its_own() {
        let cache = SearchCache::default();
        let cursor = Cursor { created_at: 5, id: 9 };
        let found = |total: i64| move || async move { Ok(page(total)) };
        for (place, total) in [(Place::First, 3), (Place::After(cursor), 4), (Place::Before(cursor), 5)] {
            assert_eq!(cache.remembered((1, "smith", place), 7), None, "{place:?} not found yet");
            assert_eq!(cache.page((1, "smith", place), 7, found(total)).await.unwrap(), page(total));
        }
        for (place, total) in [(Place::First, 3), (Place::After(cursor), 4), (Place::Before(cursor), 5)] {
            assert_eq!(cache.page((1, "smith", place), 7, found(99)).await.unwrap(), page(total), "{place:?}");
        }
        let elsewhere = Place::After(Cursor { created_at: 5, id: 8 });
        assert_eq!(cache.remembered((1, "smith", elsewhere), 7), None, "another cursor");
        assert_eq!(cache.remembered((1, "smith", Place::After(cursor)), 8), None, "the account changed since");
        assert_eq!(Place::of(Some(cursor), None), Place::After(cursor));
        assert_eq!(Place::of(None, Some(cursor)), Place::Before(cursor));
        assert_eq!(Place::of(None, None), Place::First);
    }

    #[tokio::test]
    async fn many_asking_at_once_wait_for_one_finding() {
        let (cache, finds) = (SearchCache::default(), AtomicUsize::new(0));
        let pages = futures::future::join_all((0..20).map(|_| smith(&cache, 1, 7, 3, &finds))).await;
        assert!(pages.iter().all(|p| *p == page(3)));
        assert_eq!(finds.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_finding_is_not_remembered_and_the_next_one_waiting_finds_it() {
        let (cache, finds) = (SearchCache::default(), AtomicUsize::new(0));
        let failing = cache.page((1, "smith", Place::First), 7, || async {
            tokio::task::yield_now().await;
            assert_eq!(cache.remembered_total(1, "smith", 7), None, "nothing yet");
            Err(AppError::Internal)
        });
        let (failed, found) = tokio::join!(failing, smith(&cache, 1, 7, 3, &finds));
        assert!(failed.is_err());
        assert_eq!((found, finds.load(Ordering::SeqCst)), (page(3), 1));
        assert_eq!(cache.remembered_total(1, "smith", 7), Some(3));
    }

    #[tokio::test]
    async fn the_least_recently_used_search_is_forgotten_first() {
        let (cache, finds) = (SearchCache::default(), AtomicUsize::new(0));
        for account in 0..CAPACITY as i64 {
            smith(&cache, account, 0, account, &finds).await;
        }
        smith(&cache, 0, 0, 0, &finds).await;
        smith(&cache, -1, 0, -1, &finds).await;
        assert!(cache.remembered_total(0, "smith", 0).is_some(), "used again before");
        assert_eq!(cache.remembered_total(1, "smith", 0), None, "the least recently used");
        assert!(cache.remembered_total(-1, "smith", 0).is_some());
        assert!(cache.remembered_total(2, "smith", 0).is_some());
    }
}
