//! Smart Lists as the browser sees them: a search and a filter saved under a name.

use serde::{Deserialize, Serialize};

use crate::filter::Filter;

/// The longest name a Smart List may have.
pub const MAX_NAME_CHARS: usize = 80;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmartList {
    pub id: i64,
    pub name: String,
    pub search: String,
    pub filter: Filter,
}

/// Which Smart List a selection was made in (the server checks it is the caller's
/// account's, and that it still means the same search and filter).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmartListRef {
    pub id: i64,
    pub name: String,
}

/// The name, trimmed, or why it cannot be one.
pub fn checked_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Give the Smart List a name.".into());
    }
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(format!("A Smart List name is plain text of at most {MAX_NAME_CHARS} characters."));
    }
    Ok(name.to_string())
}
