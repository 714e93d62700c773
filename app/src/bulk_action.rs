//! The rules of a bulk action, apart from any SQL: its typed lifecycle ([`Status`],
//! [`Action`]), what a request key may be, when a delete must be confirmed by typing
//! its number, how the confirmed set of contacts is pinned ([`digest`]), and what a
//! user is told when a delete is refused or ends early.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::plural;

/// From this many contacts on, a delete must be confirmed by typing the number.
pub const TYPED_CONFIRMATION_FROM: i64 = 1_000;

/// Where a bulk action is in its life. Stored, and sent to the browser, as its
/// lower-case name; the migrations' CHECK constraints list the same names. (Through a
/// string, not serde's enum support: the browser's wasm already holds that code.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Status {
    /// Accepted and not finished: held by a worker, or waiting for one to take it over.
    Running,
    Done,
    /// Ended by an error it could not get past; what was done stays done.
    Failed,
    /// Stopped by a person between two chunks.
    Cancelled,
}

/// What a bulk action does. Stored and sent as its lower-case name (see [`Status`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Action {
    Delete,
    Export,
    /// Brings back what a delete put in the Recycle Bin.
    Restore,
    /// Removes contacts from the Recycle Bin for good.
    Purge,
}

macro_rules! stored_names {
    ($type:ty, $what:literal, $($variant:ident = $name:literal),+) => {
        impl $type {
            /// The name stored in the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)+
                }
            }
        }

        impl From<$type> for &'static str {
            fn from(value: $type) -> Self {
                value.as_str()
            }
        }

        impl TryFrom<String> for $type {
            type Error = AppError;

            fn try_from(name: String) -> Result<Self, AppError> {
                match name.as_str() {
                    $($name => Ok(Self::$variant),)+
                    other => Err(AppError::internal(format!(concat!("unknown ", $what, " {:?}"), other))),
                }
            }
        }
    };
}

stored_names!(
    Status,
    "bulk action status",
    Running = "running",
    Done = "done",
    Failed = "failed",
    Cancelled = "cancelled"
);
stored_names!(Action, "bulk action", Delete = "delete", Export = "export", Restore = "restore", Purge = "purge");

impl Status {
    /// How the history names it.
    pub fn label(self, stopping: bool) -> &'static str {
        match self {
            Status::Running if stopping => "Stopping",
            Status::Running => "Running",
            Status::Done => "Done",
            Status::Failed => "Failed",
            Status::Cancelled => "Cancelled",
        }
    }
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Action::Delete => "Delete",
            Action::Export => "Export",
            Action::Restore => "Restore",
            Action::Purge => "Purge",
        }
    }
}

/// How a job that was not stopped by a crash ended: a person's Stop is an outcome
/// like finishing, not an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Done,
    Cancelled,
    Failed,
}

impl Ending {
    pub fn status(self) -> Status {
        match self {
            Ending::Done => Status::Done,
            Ending::Cancelled => Status::Cancelled,
            Ending::Failed => Status::Failed,
        }
    }
}

/// A request key is chosen by the browser once per confirm dialog: 8 to 64 letters,
/// digits or dashes.
pub fn check_request_key(key: &str) -> Result<(), AppError> {
    let well_formed = (8..=64).contains(&key.len()) && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if well_formed {
        Ok(())
    } else {
        Err(AppError::bad_request("The delete request is malformed (its request key). Reload the page and try again."))
    }
}

/// Large deletes and deletes of every contact of the account are confirmed by typing
/// their number.
pub fn needs_typed_confirmation(contacts: i64, whole_account: bool) -> bool {
    whole_account || contacts >= TYPED_CONFIRMATION_FROM
}

/// Whether what the user typed in "Type N to confirm" is `n`. Thousands may be grouped
/// ("1,200", "1 200", "1.200"), but only in groups of three digits.
pub fn typed_number_matches(typed: &str, n: i64) -> bool {
    let typed = typed.trim();
    let groups: Vec<&str> = typed.split([',', '.', ' ', '_', '\'']).collect();
    let well_formed = groups.iter().all(|g| !g.is_empty() && g.chars().all(|c| c.is_ascii_digit()))
        && groups[1..].iter().all(|g| g.len() == 3)
        && (groups.len() == 1 || groups[0].len() <= 3);
    well_formed && groups.concat() == n.to_string()
}

/// A fingerprint of a set of contacts: SHA-256 of their ids in ascending order. The
/// preview returns it and the delete must resolve a set with the same fingerprint, so
/// that a swap (one contact out, another in) is refused even when the count is equal.
#[cfg(feature = "ssr")]
pub fn digest(sorted_ids: &[i64]) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for id in sorted_ids {
        hash.update(id.to_le_bytes());
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a confirmed delete is refused when the selection resolves to other contacts
/// than the ones the user saw counted. Nothing is deleted.
pub fn refusal(now_holds: i64, confirmed: i64) -> AppError {
    if now_holds == 0 {
        AppError::Conflict("None of the selected contacts exist any more; nothing was deleted.".into())
    } else if now_holds != confirmed {
        AppError::Conflict(format!(
            "The selection changed since you confirmed it: it now holds {}. Nothing was deleted; review it and confirm again.",
            plural(now_holds, "contact", "contacts")
        ))
    } else {
        AppError::Conflict(
            "The selection changed since you confirmed it: it holds as many contacts, but not the same ones. \
             Nothing was deleted; review it and confirm again."
                .into(),
        )
    }
}

/// What a user is told of a delete that did not finish.
pub fn stopped_early(ending: Ending, done: i64, of: i64) -> AppError {
    let (how, others) = match ending {
        Ending::Cancelled => ("was stopped", "were not touched"),
        _ => ("stopped part-way", "are unchanged. Please try again"),
    };
    AppError::Incomplete(format!(
        "The delete {how}: {done} of {} were deleted, with all their related records. The others {others}.",
        plural(of, "contact", "contacts")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_numbers_may_carry_group_separators() {
        for ok in ["1200", " 1200 ", "1,200", "1 200", "1.200"] {
            assert!(typed_number_matches(ok, 1200), "{ok:?}");
        }
        for wrong in ["", "120", "12000", "1200a", "all", "-1200", "12.00", "1,2,0,0", "1,,200"] {
            assert!(!typed_number_matches(wrong, 1200), "{wrong:?}");
        }
    }

    #[test]
    fn stored_names_round_trip() {
        for s in [Status::Running, Status::Done, Status::Failed, Status::Cancelled] {
            assert_eq!(Status::try_from(s.as_str().to_string()).unwrap(), s);
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
        }
        for a in [Action::Delete, Action::Export] {
            assert_eq!(Action::try_from(a.as_str().to_string()).unwrap(), a);
        }
        assert!(Status::try_from("paused".to_string()).is_err());
    }

    #[test]
    fn request_keys_are_short_plain_tokens() {
        assert!(check_request_key("abcdef12-34").is_ok());
        for bad in ["short", &"x".repeat(65), "has space1", "semi;colon1"] {
            assert!(check_request_key(bad).is_err(), "{bad:?}");
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_digest_tells_a_swap_from_the_same_set() {
        assert_eq!(digest(&[1, 2, 3]), digest(&[1, 2, 3]));
        assert_ne!(digest(&[1, 2, 3]), digest(&[1, 2, 4]));
        assert_ne!(digest(&[1, 2]), digest(&[1, 2, 3]));
        assert_eq!(digest(&[]).len(), 64);
    }
}
