//! What the user has ticked, in the browser. It becomes a [`Selection`] for the server
//! when an action is confirmed; until then it only drives the checkboxes and counts.

use std::collections::BTreeSet;

use crate::filter::Filter;
use crate::model::Selection;
use crate::smart_list::SmartListRef;

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
// One per list island: boxing the larger variant would only make its uses noisier.
#[allow(clippy::large_enum_variant)]
pub enum Ticked {
    /// These contacts, ticked row by row or a page at a time.
    Ids(BTreeSet<i64>),
    /// Every contact of the list (`total` of them when it was counted, up to
    /// `watermark`), except the unticked ones.
    All {
        search: String,
        filter: Filter,
        smart_list: Option<SmartListRef>,
        except: BTreeSet<i64>,
        watermark: i64,
        total: i64,
    },
}

impl Default for Ticked {
    fn default() -> Self {
        Ticked::Ids(BTreeSet::new())
    }
}

impl Ticked {
    pub fn is_ticked(&self, id: i64) -> bool {
        match self {
            Ticked::Ids(ids) => ids.contains(&id),
            Ticked::All { except, .. } => !except.contains(&id),
        }
    }

    pub fn set(&mut self, id: i64, on: bool) {
        self.set_many(&[id], on);
    }

    pub fn set_many(&mut self, ids: &[i64], on: bool) {
        match self {
            Ticked::Ids(set) => {
                for id in ids {
                    if on {
                        set.insert(*id)
                    } else {
                        set.remove(id)
                    };
                }
            }
            Ticked::All { except, .. } => {
                for id in ids {
                    if on {
                        except.remove(id)
                    } else {
                        except.insert(*id)
                    };
                }
            }
        }
    }

    /// Whether all, and whether any, of `ids` are ticked.
    pub fn coverage(&self, ids: &[i64]) -> (bool, bool) {
        let ticked = ids.iter().filter(|id| self.is_ticked(**id)).count();
        (!ids.is_empty() && ticked == ids.len(), ticked > 0)
    }

    /// How many contacts are ticked, as far as the browser knows.
    pub fn count(&self) -> i64 {
        match self {
            Ticked::Ids(ids) => ids.len() as i64,
            Ticked::All { except, total, .. } => (total - except.len() as i64).max(0),
        }
    }

    pub fn is_all(&self) -> bool {
        matches!(self, Ticked::All { .. })
    }

    /// What the server is asked to act on; `None` when nothing is ticked.
    pub fn selection(&self) -> Option<Selection> {
        if self.count() == 0 {
            return None;
        }
        Some(match self {
            Ticked::Ids(ids) => Selection::Ids { ids: ids.iter().copied().collect() },
            Ticked::All { search, filter, smart_list, except, watermark, .. } => Selection::All {
                search: search.clone(),
                filter: filter.clone(),
                smart_list: smart_list.clone(),
                except: except.iter().copied().collect(),
                watermark: *watermark,
                as_of: None,
            },
        })
    }
}

/// The rows from `anchor` to `clicked`, both included, in the page's order: what a
/// shift-click ticks or clears. Just `clicked` when the anchor is not on the page.
pub fn shift_range(page_ids: &[i64], anchor: Option<i64>, clicked: i64) -> &[i64] {
    let at = |id| page_ids.iter().position(|p| *p == id);
    match (anchor.and_then(at), at(clicked)) {
        (Some(a), Some(c)) => &page_ids[a.min(c)..=a.max(c)],
        (_, Some(c)) => &page_ids[c..=c],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shift_click_covers_the_rows_between_in_either_direction() {
        let page = [10, 4, 7, 22, 3];
        assert_eq!(shift_range(&page, Some(4), 22), &[4, 7, 22]);
        assert_eq!(shift_range(&page, Some(3), 7), &[7, 22, 3]);
        assert_eq!(shift_range(&page, Some(7), 7), &[7]);
        assert_eq!(shift_range(&page, None, 22), &[22]);
        assert_eq!(shift_range(&page, Some(99), 22), &[22], "an anchor from another page is forgotten");
        assert!(shift_range(&page, Some(4), 99).is_empty());
    }

    #[test]
    fn ticking_rows_and_a_page() {
        let mut t = Ticked::default();
        assert_eq!(t.selection(), None);
        t.set(3, true);
        assert_eq!(t.coverage(&[1, 2, 3]), (false, true));
        t.set_many(&[1, 2, 3], true);
        assert_eq!(t.coverage(&[1, 2, 3]), (true, true));
        t.set(2, false);
        assert_eq!(t.count(), 2);
        assert_eq!(t.selection(), Some(Selection::Ids { ids: vec![1, 3] }));
    }

    #[test]
    fn all_except_the_unticked() {
        let filter = Filter { tags: vec!["lead".into()], ..Default::default() };
        let mut t = Ticked::All {
            search: "ann".into(),
            filter: filter.clone(),
            smart_list: None,
            except: BTreeSet::new(),
            watermark: 900,
            total: 120,
        };
        assert!(t.is_ticked(77));
        t.set(77, false);
        assert_eq!(t.count(), 119);
        assert_eq!(t.coverage(&[76, 77]), (false, true));
        assert_eq!(
            t.selection(),
            Some(Selection::All {
                search: "ann".into(),
                filter,
                smart_list: None,
                except: vec![77],
                watermark: 900,
                as_of: None
            })
        );
        t.set_many(&[76, 77], true);
        assert_eq!(t.count(), 120);
    }
}
