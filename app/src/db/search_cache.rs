//! What a server remembers of the searches it answered: for a search of an account, the
//! number of contacts it matched and the ids of its first page, tied to the account's
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
//! answer while nothing changed.
//!
//! Nothing here is state: a server that restarts, or never saw a search, finds it again.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

use crate::error::AppError;

/// The searches remembered at most (about 0.5 KB each); past it the least recently
/// used is forgotten.
const CAPACITY: usize = 1024;

/// A search's total and the ids of its first page, in list order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirstPage {
    pub total: i64,
    pub ids: Vec<i64>,
}

/// The remembered searches of one database (see the module's documentation).
#[derive(Debug, Default)]
pub struct SearchCache {
    entries: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    by_search: HashMap<(i64, String), Entry>,
    /// Counts the uses: an entry's `used` is the count at its last.
    clock: u64,
}

#[derive(Debug)]
struct Entry {
    changes: i64,
    /// Empty while the first request to ask finds it: the others wait for its answer
    /// instead of all finding the same one (after each save into an account, 100 users
    /// searching a million contacts all missed at once and never caught up: 268 lists/s).
    page: Arc<OnceCell<FirstPage>>,
    used: u64,
}

impl SearchCache {
    /// The first page of the search of key `search` ([`key`](super::search::key)) in the
    /// account at its change number `changes`: remembered, or found by `find` (by one
    /// request at a time; if it fails, the next one waiting tries) and remembered.
    pub async fn first_page<F, Fut>(
        &self,
        account_id: i64,
        search: &str,
        changes: i64,
        find: F,
    ) -> Result<FirstPage, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FirstPage, AppError>>,
    {
        let page = self.slot(account_id, search, changes);
        page.get_or_try_init(find).await.cloned()
    }

    /// The search's total, if already remembered at `changes` (for a later page of it).
    pub fn remembered_total(&self, account_id: i64, search: &str, changes: i64) -> Option<i64> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.clock += 1;
        let used = entries.clock;
        let entry = entries.by_search.get_mut(&(account_id, search.to_string()))?;
        let total = entry.page.get().filter(|_| entry.changes == changes)?.total;
        entry.used = used;
        Some(total)
    }

    /// The place of the search's answer at `changes`, in place of one at any other
    /// change number. Other: not only a higher one. A request that read the number just
    /// before a change may so replace the answer at the new number (which the next
    /// request finds again), but a database put back from a backup, whose numbers went
    /// down, cannot meet answers of its future.
    fn slot(&self, account_id: i64, search: &str, changes: i64) -> Arc<OnceCell<FirstPage>> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.clock += 1;
        let used = entries.clock;
        let key = (account_id, search.to_string());
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

    fn page(total: i64) -> FirstPage {
        FirstPage { total, ids: vec![total] }
    }

    /// The first page of "smith" in `account` at `changes`, found as `page(found)`;
    /// `finds` counts the finding.
    async fn smith(cache: &SearchCache, account: i64, changes: i64, found: i64, finds: &AtomicUsize) -> FirstPage {
        let find = || async move {
            finds.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            Ok(page(found))
        };
        cache.first_page(account, "smith", changes, find).await.unwrap()
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
    async fn many_asking_at_once_wait_for_one_finding() {
        let (cache, finds) = (SearchCache::default(), AtomicUsize::new(0));
        let pages = futures::future::join_all((0..20).map(|_| smith(&cache, 1, 7, 3, &finds))).await;
        assert!(pages.iter().all(|p| *p == page(3)));
        assert_eq!(finds.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_finding_is_not_remembered_and_the_next_one_waiting_finds_it() {
        let (cache, finds) = (SearchCache::default(), AtomicUsize::new(0));
        let failing = cache.first_page(1, "smith", 7, || async {
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
