//! Types shared by the browser and the server.

use serde::{Deserialize, Serialize};

use crate::bulk_action::{Action, Status};
use crate::filter::Filter;
use crate::smart_list::SmartListRef;

/// Contacts shown per page of the list.
pub const PAGE_SIZE: i64 = 50;
/// The longest search the list accepts, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;

/// One row of the contacts list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Contact {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    /// Lower-case, comma separated.
    pub tags: String,
    pub source: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_activity_at: Option<i64>,
}

impl Contact {
    /// "First Last", or for a contact without a name its email, else its phone.
    pub fn display_name(&self) -> String {
        let name = format!("{} {}", self.first_name.trim(), self.last_name.trim());
        let name = name.trim();
        if !name.is_empty() {
            return name.to_string();
        }
        self.email
            .clone()
            .filter(|e| !e.trim().is_empty())
            .or_else(|| self.phone.clone())
            .unwrap_or_else(|| format!("Contact #{}", self.id))
    }

    pub fn tag_list(&self) -> Vec<String> {
        self.tags.split(',').map(str::trim).filter(|t| !t.is_empty()).map(String::from).collect()
    }
}

/// What the list shows: the search and where in it. Cursors are opaque to the browser.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub search: String,
    #[serde(default)]
    pub filter: Filter,
    /// Show the page that follows this cursor…
    pub after: Option<String>,
    /// …or the page that precedes it.
    pub before: Option<String>,
}

impl ListQuery {
    /// Whether the list shows every contact of the account: no search, no filter.
    pub fn is_unfiltered(&self) -> bool {
        !self.is_searched() && self.filter.is_empty()
    }

    /// Whether the list is narrowed by a search.
    pub fn is_searched(&self) -> bool {
        !self.search.trim().is_empty()
    }
}

/// One page of the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPage {
    pub contacts: Vec<Contact>,
    /// Every contact that matches the search, on all pages.
    pub total: i64,
    /// How many matching contacts come before this page.
    pub offset: i64,
    /// Cursor of the next page, if there is one.
    pub next: Option<String>,
    /// Cursor of the previous page, if there is one.
    pub prev: Option<String>,
    /// The highest contact id when this page was counted: a "select all" made from
    /// this page covers contacts up to it, never ones created later.
    pub watermark: i64,
}

/// The most ids one selection may name (ticked rows, or exceptions to "all").
pub const MAX_SELECTION_IDS: usize = 10_000;

/// Which contacts a bulk action acts on. The browser never sends a count to trust:
/// the server resolves the selection inside the caller's account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
// One selection per request or dialog, never held in bulk: boxing the larger variant
// would only make every use of it noisier.
#[allow(clippy::large_enum_variant)]
pub enum Selection {
    /// Exactly these contacts (rows ticked one by one or a page at a time).
    Ids { ids: Vec<i64> },
    /// Every contact matching the list's search and filter, except these, among the
    /// contacts that existed when the list was counted (id at most `watermark`).
    All {
        search: String,
        #[serde(default)]
        filter: Filter,
        /// The Smart List the search and filter come from, if any.
        #[serde(default)]
        smart_list: Option<SmartListRef>,
        except: Vec<i64>,
        watermark: i64,
        /// The moment (epoch seconds) relative filters ("inactive N days") count back
        /// from: set by the delete preview, so that the delete means the contacts the
        /// preview counted; now, when not given.
        #[serde(default)]
        as_of: Option<i64>,
    },
}

impl Selection {
    /// Every contact matching `search` and `filter` among those up to `watermark`, none
    /// excepted, not from a Smart List.
    pub fn all(search: impl Into<String>, filter: Filter, watermark: i64) -> Selection {
        Selection::All { search: search.into(), filter, smart_list: None, except: vec![], watermark, as_of: None }
    }

    /// Whether the selection is "select all" without a search or filter: the account's
    /// contacts up to its watermark, some perhaps excepted.
    pub fn is_unfiltered(&self) -> bool {
        match self {
            Selection::All { search, filter, .. } => search.trim().is_empty() && filter.is_empty(),
            Selection::Ids { .. } => false,
        }
    }

    /// Whether finding the selection's contacts is itself costly: the duplicates filter
    /// groups the whole account by email and phone (seconds at a million contacts), so
    /// work that reads the selection several times should find its contacts once.
    pub fn is_costly_to_find(&self) -> bool {
        matches!(self, Selection::All { filter, .. } if filter.duplicates.is_some())
    }

    /// The same selection, with relative filters fixed at `moment` unless they are already.
    pub fn pinned_at(mut self, moment: i64) -> Selection {
        if let Selection::All { as_of, .. } = &mut self {
            as_of.get_or_insert(moment);
        }
        self
    }

    /// The selection in words, for the confirm dialog and the history.
    pub fn describe(&self) -> String {
        match self {
            Selection::Ids { ids } => {
                format!("{} selected one by one", plural(ids.len() as i64, "contact", "contacts"))
            }
            Selection::All { search, filter, smart_list, except, .. } => {
                let mut parts = Vec::new();
                if !search.trim().is_empty() {
                    parts.push(format!("“{}”", search.trim()));
                }
                if !filter.is_empty() {
                    parts.push(filter.describe());
                }
                let what = match parts.len() {
                    _ if smart_list.is_some() => {
                        format!(
                            "All contacts from Smart List '{}'",
                            smart_list.as_ref().map_or("", |l| l.name.as_str())
                        )
                    }
                    0 => "All contacts".to_string(),
                    1 if filter.is_empty() => format!("All contacts matching {}", parts[0]),
                    _ => format!("All contacts matching: {}", parts.join(", ")),
                };
                if except.is_empty() {
                    what
                } else {
                    format!("{what}, except {}", plural(except.len() as i64, "unticked contact", "unticked contacts"))
                }
            }
        }
    }
}

/// How many rows of one related area go with the selected contacts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaCount {
    /// The area's table, a stable key.
    pub area: String,
    /// Plural noun for people ("manual actions").
    pub label: String,
    /// The same noun for one row ("manual action").
    pub one: String,
    pub rows: i64,
}

impl AreaCount {
    /// "3 notes", "1 note".
    pub fn phrase(&self) -> String {
        plural(self.rows, &self.one, &self.label)
    }
}

/// What a delete of a selection would remove, counted by the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletePreview {
    /// The selection counted (the dialog ignores an answer for an older one).
    pub selection: Selection,
    /// The moment (epoch seconds) it was counted at: the dialog sends the selection back
    /// pinned at it ([`Selection::pinned_at`]), so relative filters mean the same.
    pub as_of: i64,
    pub contacts: i64,
    /// The fingerprint of exactly the contacts counted: the delete is refused unless
    /// the selection still means these contacts.
    pub digest: String,
    pub areas: Vec<AreaCount>,
    /// The selection is every contact of the account.
    pub whole_account: bool,
    /// The user must type the number of contacts to confirm.
    pub needs_typed_confirmation: bool,
    /// Days the account keeps deleted contacts in the Recycle Bin (0: the delete is
    /// permanent).
    pub keep_days: i64,
}

/// A confirmed delete, as the browser sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteRequest {
    pub selection: Selection,
    /// The number of contacts the user saw in the confirm dialog; the delete is refused
    /// if the selection no longer holds exactly that many.
    pub confirmed_count: i64,
    /// The preview's fingerprint of those contacts; the delete is refused unless the
    /// selection resolves to the same set (missing, it matches no set).
    #[serde(default)]
    pub digest: String,
    /// What the user typed in "Type N to confirm", when that is required.
    pub typed_confirmation: Option<String>,
    /// Chosen by the browser once per confirm dialog: a repeated request with the same
    /// key (double click, retry) is answered from the first one and deletes nothing more.
    pub request_key: String,
}

/// What a delete removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteReport {
    pub contacts: i64,
    pub areas: Vec<AreaCount>,
}

/// One bulk action, as the Bulk Actions history shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkActionRow {
    pub id: i64,
    /// Who ran it, when known.
    pub user: Option<String>,
    pub action: Action,
    /// The selection in words.
    pub description: String,
    pub status: Status,
    /// How many times a server took it over from one that had stopped (restart, crash).
    pub resumed: i64,
    /// Running, and asked to stop: it stops before its next chunk.
    pub stopping: bool,
    pub contacts_requested: i64,
    pub contacts_done: i64,
    /// Related rows removed, per area of the cascade.
    pub rows: Vec<AreaCount>,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    /// A delete that moved what it deleted into the Recycle Bin.
    pub to_bin: bool,
    /// Some of its contacts are in the Recycle Bin now (they can be restored).
    pub in_bin: bool,
    /// A restore or a purge: the delete whose rows in the Recycle Bin it acts on.
    pub bin_of: Option<i64>,
    /// Rows a restore could not bring back, per area…
    pub left_out: Vec<AreaCount>,
    /// …and why, one sentence per area.
    pub left_out_why: Vec<String>,
}

impl BulkActionRow {
    pub fn is_running(&self) -> bool {
        self.status == Status::Running
    }
}

/// The line above a page of a list: "Showing 51–100 of 420 contacts" (`shown` contacts
/// from the one after `before`), "Showing 1–1 of 1 contact", or, on a page left empty
/// (its contacts deleted meanwhile), "No contacts on this page of 420".
pub fn page_summary(before: i64, shown: usize, total: i64) -> String {
    match shown {
        0 => format!("No contacts on this page of {total}"),
        n => format!("Showing {}–{} of {}", before + 1, before + n as i64, plural(total, "contact", "contacts")),
    }
}

/// "1 contact", "2 contacts".
pub fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_summary_counts_one_contact_in_the_singular() {
        assert_eq!(page_summary(50, 50, 420), "Showing 51–100 of 420 contacts");
        assert_eq!(page_summary(0, 1, 1), "Showing 1–1 of 1 contact");
        assert_eq!(page_summary(0, 0, 420), "No contacts on this page of 420");
    }
}
