//! Types shared by the browser and the server.

use serde::{Deserialize, Serialize};

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
    pub created_at: i64,
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
pub struct ListQuery {
    pub search: String,
    /// Show the page that follows this cursor…
    pub after: Option<String>,
    /// …or the page that precedes it.
    pub before: Option<String>,
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
}

/// Formats epoch seconds as a date ("Mar 4, 2025"), identically on server and browser.
pub fn format_date(epoch_seconds: i64) -> String {
    chrono::DateTime::from_timestamp(epoch_seconds, 0)
        .map(|d| d.format("%b %-d, %Y").to_string())
        .unwrap_or_default()
}
