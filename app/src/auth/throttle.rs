//! Slowing down repeated failed sign-ins, per email and per client address, in the
//! database (so it holds across restarts and server processes). The same rules apply
//! whether the email belongs to a user or not, so the answers reveal nothing.

use crate::db::{Db, Sql};
use crate::error::AppError;

/// Failures allowed without waiting, per email and per address (an office shares one).
const FREE_PER_EMAIL: i64 = 5;
const FREE_PER_ADDRESS: i64 = 20;
/// The wait after the free failures, doubled by each further failure, up to the cap.
const FIRST_WAIT_SECS: i64 = 30;
const MAX_WAIT_SECS: i64 = 15 * 60;
/// Failures older than this are forgotten.
const FORGET_AFTER_SECS: i64 = 15 * 60;

/// The keys one sign-in attempt counts against.
pub struct Keys {
    pub email: String,
    pub address: Option<String>,
}

impl Keys {
    pub fn new(email: &str, address: Option<std::net::IpAddr>) -> Keys {
        Keys { email: format!("email:{email}"), address: address.map(|a| format!("ip:{a}")) }
    }

    fn with_allowance(&self) -> impl Iterator<Item = (&str, i64)> {
        std::iter::once((self.email.as_str(), FREE_PER_EMAIL))
            .chain(self.address.as_deref().map(|a| (a, FREE_PER_ADDRESS)))
    }
}

/// How long after the last failure the next attempt must wait.
fn wait_secs(failures: i64, free: i64) -> i64 {
    if failures < free {
        return 0;
    }
    let doublings = (failures - free).min(16) as u32;
    (FIRST_WAIT_SECS << doublings).min(MAX_WAIT_SECS)
}

fn in_words(secs: i64) -> String {
    if secs < 90 {
        crate::model::plural(secs, "second", "seconds")
    } else {
        crate::model::plural((secs + 59) / 60, "minute", "minutes")
    }
}

/// Refuses the attempt (429) while any of its keys must still wait.
pub async fn check(db: &Db, keys: &Keys, now: i64) -> Result<(), AppError> {
    for (key, free) in keys.with_allowance() {
        let mut sql = db.sql("SELECT failures, last_at FROM login_failures WHERE key = ");
        sql.bind(key);
        let Some((failures, last_at)) = db.fetch_all::<(i64, i64)>(&sql).await?.pop() else { continue };
        if now - last_at >= FORGET_AFTER_SECS {
            continue;
        }
        let left = last_at + wait_secs(failures, free) - now;
        if left > 0 {
            return Err(AppError::TooManyRequests(format!(
                "Too many failed sign-ins. Try again in {}.",
                in_words(left)
            )));
        }
    }
    Ok(())
}

/// Counts a failure against every key (starting again after a quiet spell).
pub async fn record_failure(db: &Db, keys: &Keys, now: i64) -> Result<(), AppError> {
    for (key, _) in keys.with_allowance() {
        // Upsert: both engines take ON CONFLICT … DO UPDATE; `excluded` is the new row.
        let mut sql = db.sql("INSERT INTO login_failures (key, failures, last_at) VALUES (");
        sql.bind(key)
            .push(", 1, ")
            .bind(now)
            .push(
                ") ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN login_failures.last_at < ",
            )
            .bind(now - FORGET_AFTER_SECS)
            .push(" THEN 1 ELSE login_failures.failures + 1 END, last_at = excluded.last_at");
        db.execute(&sql).await?;
    }
    Ok(())
}

/// A successful sign-in clears the email's failures (not the address's).
pub async fn clear(db: &Db, keys: &Keys) -> Result<(), AppError> {
    let mut sql: Sql = db.sql("DELETE FROM login_failures WHERE key = ");
    sql.bind(keys.email.as_str());
    db.execute(&sql).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_start_after_the_free_failures_and_double_up_to_the_cap() {
        assert_eq!(wait_secs(4, 5), 0);
        assert_eq!(wait_secs(5, 5), 30);
        assert_eq!(wait_secs(6, 5), 60);
        assert_eq!(wait_secs(40, 5), MAX_WAIT_SECS);
        assert_eq!(in_words(30), "30 seconds");
        assert_eq!(in_words(600), "10 minutes");
    }
}
