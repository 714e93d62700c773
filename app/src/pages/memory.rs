//! What the browser keeps for one tab across page loads (sessionStorage): the ticked
//! contacts of a list, and a message for the page the browser goes to next. Pages are
//! rendered on the server, so moving to another page of the list is a page load.

use serde::{de::DeserializeOwned, Serialize};

use super::selection::Ticked;

const TICKED: &str = "crm.ticked";

/// Where a message for the next page is shown.
#[derive(Clone, Copy)]
pub enum Flash {
    /// The contacts list's notice (a finished delete).
    Contacts,
    /// The Smart List controls (a saved, renamed or deleted Smart List).
    SmartList,
    /// The Bulk Actions history's notice (a restore).
    History,
    /// The Recycle Bin's notice (a restore or a permanent delete).
    Bin,
}

impl Flash {
    fn key(self) -> &'static str {
        match self {
            Flash::Contacts => "crm.flash.contacts",
            Flash::SmartList => "crm.flash.smart-list",
            Flash::History => "crm.flash.history",
            Flash::Bin => "crm.flash.bin",
        }
    }

    /// Leaves `message` for the next page that shows this place.
    pub fn put<T: Serialize>(self, message: &T) {
        store(self.key(), message);
    }

    /// The message left for this place, if any; it is shown once.
    pub fn take<T: DeserializeOwned>(self) -> Option<T> {
        let message = load(self.key());
        remove(self.key());
        message
    }
}

/// What is ticked, and in which list (its first page's URL: another search or filter
/// is another list).
#[derive(serde::Serialize, serde::Deserialize)]
struct Kept {
    list: String,
    ticked: Ticked,
}

/// Remembers what is ticked in the list whose first page is `list`.
pub fn keep_ticked(list: &str, ticked: &Ticked) {
    store(TICKED, &Kept { list: list.to_string(), ticked: ticked.clone() });
}

/// What was ticked in that list on an earlier page load of this tab.
pub fn ticked(list: &str) -> Option<Ticked> {
    load::<Kept>(TICKED).filter(|k| k.list == list).map(|k| k.ticked)
}

/// Forgets what was ticked (the contacts are gone).
pub fn forget_ticked() {
    remove(TICKED);
}

/// Loads `href` as the next page.
pub fn go(href: &str) {
    let _ = leptos::prelude::window().location().assign(href);
}

fn storage() -> Option<web_sys::Storage> {
    leptos::prelude::window().session_storage().ok().flatten()
}

fn store<T: Serialize>(key: &str, value: &T) {
    if let (Some(s), Ok(json)) = (storage(), serde_json::to_string(value)) {
        let _ = s.set_item(key, &json);
    }
}

fn load<T: DeserializeOwned>(key: &str) -> Option<T> {
    let json = storage()?.get_item(key).ok().flatten()?;
    serde_json::from_str(&json).ok()
}

fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}
