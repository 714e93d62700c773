//! The demo: an account with an admin and a plain user, and a second account with its
//! own contacts and admin, so that sign-in, permissions and isolation can be tried.

use app::auth::password;
use app::db::seed::{seed_account, seed_contacts, SeedOptions};
use app::db::users::{self, normalize_email};
use app::db::{accounts, bulk_delete, recycle_bin, Db};
use app::error::AppError;
use app::recycle::DEMO_KEEP_DAYS;
use app::team::Role;

pub const DEMO_ACCOUNT: &str = "Demo Company";
pub const OTHER_ACCOUNT: &str = "Other Company";
/// Contacts of the second account.
const OTHER_CONTACTS: usize = 120;

pub struct DemoUser {
    pub account: &'static str,
    pub email: &'static str,
    pub name: &'static str,
    pub role: Role,
    pub password: &'static str,
}

/// The demo's users. Their passwords are printed at start-up and written in the README.
pub const USERS: [DemoUser; 3] = [
    DemoUser {
        account: DEMO_ACCOUNT,
        email: "admin@demo.test",
        name: "Ada Admin",
        role: Role::Admin,
        password: "demo-admin-pass",
    },
    DemoUser {
        account: DEMO_ACCOUNT,
        email: "user@demo.test",
        name: "Uma User",
        role: Role::User,
        password: "demo-user-pass",
    },
    DemoUser {
        account: OTHER_ACCOUNT,
        email: "admin@other.test",
        name: "Otto Other",
        role: Role::Admin,
        password: "other-admin-pass",
    },
];

fn options(account: &str, contacts: usize) -> SeedOptions {
    let (contacts, seed) = if account == DEMO_ACCOUNT { (contacts, 2026) } else { (OTHER_CONTACTS, 7) };
    SeedOptions { account_name: account.into(), contacts, seed }
}

/// The account with this name, generated if missing. Returns its id.
async fn account(db: &Db, name: &str, contacts: usize) -> Result<i64, AppError> {
    if let Some(id) = accounts::by_name(db, name).await? {
        return Ok(id);
    }
    let report = seed_account(db, &options(name, contacts)).await?;
    accounts::set_keep_deleted_days(db, report.account_id, keep_days(name)).await?;
    println!("Created the account “{name}” with {} contacts.", report.contacts);
    Ok(report.account_id)
}

/// The demo account keeps deleted contacts, to show the Recycle Bin; the other account
/// keeps the seed's permanent delete.
fn keep_days(account: &str) -> i64 {
    if account == DEMO_ACCOUNT {
        DEMO_KEEP_DAYS
    } else {
        0
    }
}

/// Makes sure the demo accounts and users exist (a user without a password gets the
/// demo one); leaves everything else as it is. Prints how to sign in.
pub async fn ensure(db: &Db, contacts: usize) -> Result<(), AppError> {
    for user in &USERS {
        let account_id = account(db, user.account, contacts).await?;
        match users::by_email(db, user.email).await? {
            None => {
                users::create(db, account_id, user.email, user.name, user.role, &password::hash(user.password)?)
                    .await?;
            }
            Some(existing) if existing.password_hash.is_empty() => {
                users::reset(db, existing.id, &password::hash(user.password)?).await?;
            }
            Some(_) => {}
        }
    }
    print_credentials();
    Ok(())
}

/// Restores the demo exactly: each demo account's contacts generated anew, its history
/// and Smart Lists emptied, the demo users' passwords reset and grants taken back, and all
/// failed sign-ins forgotten.
pub async fn reset(db: &Db, contacts: usize) -> Result<(), AppError> {
    ensure(db, contacts).await?;
    for name in [DEMO_ACCOUNT, OTHER_ACCOUNT] {
        let account_id = account(db, name, contacts).await?;
        let removed = bulk_delete::delete_all_of_account(db, account_id).await?;
        recycle_bin::empty_account(db, account_id).await?;
        accounts::set_keep_deleted_days(db, account_id, keep_days(name)).await?;
        // A job still running loses its record and its work left: its worker stops.
        let mut targets = db.sql(
            "DELETE FROM bulk_action_targets WHERE bulk_action_id IN (SELECT id FROM bulk_actions WHERE account_id = ",
        );
        targets.bind(account_id).push(")");
        db.execute(&targets).await?;
        for table in ["bulk_actions", "smart_lists"] {
            let mut sql = db.sql(&format!("DELETE FROM {table} WHERE account_id = "));
            sql.bind(account_id);
            db.execute(&sql).await?;
        }
        let report = seed_contacts(db, account_id, &options(name, contacts)).await?;
        println!("{name} reset: {removed} contacts removed, {} generated.", report.contacts);
    }
    for user in &USERS {
        if let Some(existing) = users::by_email(db, &normalize_email(user.email)).await? {
            users::reset(db, existing.id, &password::hash(user.password)?).await?;
        }
    }
    db.execute(&db.sql("DELETE FROM login_failures")).await?;
    Ok(())
}

pub fn print_credentials() {
    println!("Demo sign-ins:");
    for user in &USERS {
        println!("  {:<18} password {:<18} {} of {}", user.email, user.password, user.role.label(), user.account);
    }
}
