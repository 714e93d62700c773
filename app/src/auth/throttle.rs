//! Slowing down repeated failed sign-ins, per email and per client address, in the
//! database (so it holds across restarts and server processes). The same rules apply
//! whether the email belongs to a user or not, so the answers reveal nothing.
//!
//! An attempt claims its turn before the password is checked, in one statement per key
//! (counted as a failure until it succeeds): parallel attempts cannot all slip in
//! under the limit, because each sees the count the previous one left.

use crate::db::{Db, Sql};
use crate::error::AppError;

/// Failures allowed without waiting, per email and per address (an office shares one).
const FREE_PER_EMAIL: i64 = 5;
const FREE_PER_ADDRESS: i64 = 20;
/// The wait after the free failures, doubled by each further failure, at most
/// `FIRST_WAIT_SECS << MAX_DOUBLINGS` (16 minutes).
const FIRST_WAIT_SECS: i64 = 30;
const MAX_DOUBLINGS: i64 = 5;
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
    FIRST_WAIT_SECS << (failures - free).min(MAX_DOUBLINGS)
}

fn in_words(secs: i64) -> String {
    if secs < 90 {
        crate::model::plural(secs, "second", "seconds")
    } else {
        crate::model::plural((secs + 59) / 60, "minute", "minutes")
    }
}

/// Claims a turn for an attempt on every key, counting it as a failure until it
/// succeeds; refuses (429) while a key must still wait.
pub async fn claim(db: &Db, keys: &Keys, now: i64) -> Result<(), AppError> {
    let forget = now - FORGET_AFTER_SECS;
    for (key, free) in keys.with_allowance() {
        let mut row = db.sql("INSERT INTO login_failures (key, failures, last_at) VALUES (");
        row.bind(key).push(", 0, ").bind(now).push(") ON CONFLICT (key) DO NOTHING");
        db.execute(&row).await?;
        // The turn is free below the allowance, after a quiet spell, or once the wait
        // for the current count (30 s doubled per failure past the allowance) is over.
        let mut take = db.sql("UPDATE login_failures SET failures = CASE WHEN last_at < ");
        take.bind(forget).push(" THEN 1 ELSE failures + 1 END, last_at = ").bind(now);
        take.push(" WHERE key = ").bind(key);
        take.push(" AND (last_at < ").bind(forget);
        take.push(" OR failures < ").bind(free);
        // (PostgreSQL shifts a bigint by an integer only, hence the cast.)
        take.push(" OR last_at + (").bind(FIRST_WAIT_SECS).push(" << CAST(CASE WHEN failures - ").bind(free);
        take.push(" > ").bind(MAX_DOUBLINGS).push(" THEN ").bind(MAX_DOUBLINGS);
        take.push(" ELSE failures - ").bind(free).push(" END AS INTEGER)) <= ").bind(now).push(")");
        if db.execute(&take).await? == 0 {
            return Err(refusal(db, key, free, now).await?);
        }
    }
    Ok(())
}

async fn refusal(db: &Db, key: &str, free: i64, now: i64) -> Result<AppError, AppError> {
    let mut sql = db.sql("SELECT failures, last_at FROM login_failures WHERE key = ");
    sql.bind(key);
    let (failures, last_at) = db.fetch_all::<(i64, i64)>(&sql).await?.pop().unwrap_or((free, now));
    let left = (last_at + wait_secs(failures, free) - now).max(1);
    Ok(AppError::TooManyRequests(format!("Too many failed sign-ins. Try again in {}.", in_words(left))))
}

/// A successful sign-in clears the email's failures and takes back the address's
/// count for this attempt.
pub async fn succeeded(db: &Db, keys: &Keys) -> Result<(), AppError> {
    let mut sql: Sql = db.sql("DELETE FROM login_failures WHERE key = ");
    sql.bind(keys.email.as_str());
    db.execute(&sql).await?;
    if let Some(address) = &keys.address {
        let mut gone = db.sql("DELETE FROM login_failures WHERE failures <= 1 AND key = ");
        gone.bind(address.as_str());
        let mut less = db.sql("UPDATE login_failures SET failures = failures - 1 WHERE key = ");
        less.bind(address.as_str());
        db.execute_in_transaction(&[gone, less]).await?;
    }
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
        assert_eq!(wait_secs(40, 5), 960);
        assert_eq!(in_words(30), "30 seconds");
        assert_eq!(in_words(600), "10 minutes");
    }
}
