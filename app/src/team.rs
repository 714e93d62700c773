//! The account's people as the browser sees them: who is signed in, the Team page's
//! rows, and the one permission an admin grants.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    User,
}

impl Role {
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "user" => Some(Role::User),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::User => "user",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::User => "User",
        }
    }
}

/// The permission's name, as the Team page shows it.
pub const BULK_DELETE_PERMISSION: &str = "Bulk delete contacts";

/// Why the Delete item is disabled, and what the server answers a user without the permission.
pub const NO_BULK_DELETE_REASON: &str =
    "You don't have the “Bulk delete contacts” permission. Ask an admin to grant it on the Team page.";

/// Admins may always bulk delete; users when an admin granted them the permission.
pub fn may_bulk_delete(role: Role, granted: bool) -> bool {
    role == Role::Admin || granted
}

/// The signed-in user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub account: String,
    pub may_bulk_delete: bool,
}

/// One row of the Team page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// Granted to a user by an admin (always false for admins, who need no grant).
    pub granted_bulk_delete: bool,
}

impl TeamMember {
    pub fn may_bulk_delete(&self) -> bool {
        may_bulk_delete(self.role, self.granted_bulk_delete)
    }
}

/// The Team page: the account's users, and whether the viewer may change grants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub members: Vec<TeamMember>,
    pub can_manage: bool,
    /// Days the account keeps deleted contacts in the Recycle Bin (0: deletes are
    /// permanent).
    pub keep_deleted_days: i64,
    /// Contacts in the account's Recycle Bin now.
    pub in_bin: i64,
}
