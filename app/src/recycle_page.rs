//! The Recycle Bin page as the browser sees it: a page of deleted contacts, a choice of
//! them, and what restoring or deleting them for good would do.

use serde::{Deserialize, Serialize};

use crate::model::AreaCount;

/// One contact in the Recycle Bin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct BinContact {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// When the delete that put it here ended (epoch seconds).
    pub deleted_at: i64,
    /// Who ran that delete, when known.
    pub deleted_by: Option<String>,
    /// That delete, in the Bulk Actions history.
    pub bulk_action_id: i64,
}

impl BinContact {
    /// "First Last", or its email, else its phone.
    pub fn display_name(&self) -> String {
        let name = format!("{} {}", self.first_name.trim(), self.last_name.trim()).trim().to_string();
        [Some(name), self.email.clone(), self.phone.clone()]
            .into_iter()
            .flatten()
            .find(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("Contact #{}", self.id))
    }
}

/// One page of the Recycle Bin, newest deletion first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BinPage {
    pub contacts: Vec<BinContact>,
    /// Contacts in the bin that the search matches.
    pub total: i64,
    /// 1 for the first page.
    pub page: i64,
    pub search: String,
}

/// Which contacts of the bin an action is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum BinSelection {
    /// These, ticked one by one.
    Ids { ids: Vec<i64> },
    /// Every contact in the bin the search matches.
    All { search: String },
}

impl BinSelection {
    /// The selection in words, for the history.
    pub fn describe(&self) -> String {
        match self {
            BinSelection::Ids { ids } => {
                format!("{} in the Recycle Bin", crate::model::plural(ids.len() as i64, "contact", "contacts"))
            }
            BinSelection::All { search } if search.trim().is_empty() => "Everything in the Recycle Bin".into(),
            BinSelection::All { search } => format!("Everything in the Recycle Bin matching “{}”", search.trim()),
        }
    }
}

/// What the page can do with contacts in the bin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinAction {
    Restore,
    /// Delete permanently.
    Purge,
}

/// What an action on a selection of the bin would do, counted by the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BinPreview {
    pub action: BinAction,
    pub selection: BinSelection,
    pub contacts: i64,
    /// The fingerprint of exactly these contacts: the action is refused unless the
    /// selection still means them.
    pub digest: String,
    pub areas: Vec<AreaCount>,
}

/// A confirmed action on the bin, as the browser sends it. Deleting for good always
/// asks for the number of contacts to be typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BinRequest {
    pub action: BinAction,
    pub selection: BinSelection,
    pub confirmed_count: i64,
    pub digest: String,
    pub typed_confirmation: Option<String>,
    pub request_key: String,
}
