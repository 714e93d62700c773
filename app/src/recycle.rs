//! The rules of the Recycle Bin, apart from any SQL: how long an account may keep
//! deleted contacts, what a restore request is, and how a restore is put into words.

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::AreaCount;

/// The days an account may keep deleted contacts: 0 (deletes are permanent) to 365.
pub const KEEP_DAYS: std::ops::RangeInclusive<i64> = 0..=365;

/// What the demo account keeps, to show the feature.
pub const DEMO_KEEP_DAYS: i64 = 30;

pub fn check_keep_days(days: i64) -> Result<(), AppError> {
    if KEEP_DAYS.contains(&days) {
        Ok(())
    } else {
        Err(AppError::bad_request(format!(
            "Keep deleted contacts for {} to {} days ({days} is out of range).",
            KEEP_DAYS.start(),
            KEEP_DAYS.end()
        )))
    }
}

/// What the delete dialog says of the delete's permanence.
pub fn delete_permanence(keep_days: i64) -> String {
    match keep_days {
        0 => "This action cannot be undone.".into(),
        1 => "Deleted contacts stay in the Recycle Bin for 1 day.".into(),
        n => format!("Deleted contacts stay in the Recycle Bin for {n} days."),
    }
}

/// A restore of a bulk delete, as the browser sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreRequest {
    /// The delete to undo.
    pub bulk_action_id: i64,
    /// Chosen by the browser once per confirm dialog: a repeated request finds the first.
    pub request_key: String,
}

/// What restoring a delete would bring back: what of it is in the bin now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestorePreview {
    pub bulk_action_id: i64,
    pub contacts: i64,
    pub areas: Vec<AreaCount>,
}

impl RestorePreview {
    /// "Restore 1,204 contacts with 3,912 conversations, 2 notes and 1 task?"
    pub fn question(&self) -> String {
        format!("Restore {}?", with_related(self.contacts, &self.areas))
    }
}

/// "1,204 contacts with 3,912 conversations, 2 notes and 1 task" (areas without rows
/// left out).
pub fn with_related(contacts: i64, areas: &[AreaCount]) -> String {
    let noun = |n: i64, one: &str, many: &str| format!("{} {}", grouped(n), if n == 1 { one } else { many });
    let related: Vec<String> = areas.iter().filter(|a| a.rows > 0).map(|a| noun(a.rows, &a.one, &a.label)).collect();
    let contacts = noun(contacts, "contact", "contacts");
    match related.split_last() {
        None => contacts,
        Some((last, [])) => format!("{contacts} with {last}"),
        Some((last, rest)) => format!("{contacts} with {} and {last}", rest.join(", ")),
    }
}

/// What a restore could not bring back, one sentence per area: "3 campaign enrollments
/// were left out: their campaign was removed."
pub fn left_out_sentences(left_out: &[AreaCount], needs: impl Fn(&str) -> Option<&'static str>) -> Vec<String> {
    left_out
        .iter()
        .filter(|a| a.rows > 0)
        .map(|a| {
            let (noun, verb) = if a.rows == 1 { (&a.one, "was") } else { (&a.label, "were") };
            let why = match needs(&a.area) {
                Some(thing) => format!("{} {thing} was removed", if a.rows == 1 { "its" } else { "their" }),
                None => "it could not be put back".into(),
            };
            format!("{} {noun} {verb} left out: {why}.", grouped(a.rows))
        })
        .collect()
}

/// 1204 as "1,204".
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(table: &str, one: &str, label: &str, rows: i64) -> AreaCount {
        AreaCount { area: table.into(), label: label.into(), one: one.into(), rows }
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_204), "1,204");
        assert_eq!(grouped(1_000_000), "1,000,000");
        assert_eq!(grouped(-12_345), "-12,345");
    }

    #[test]
    fn a_restore_names_what_comes_back() {
        let areas = vec![
            area("conversations", "conversation", "conversations", 3_912),
            area("notes", "note", "notes", 0),
            area("tasks", "task", "tasks", 1),
        ];
        let preview = RestorePreview { bulk_action_id: 1, contacts: 1_204, areas };
        assert_eq!(preview.question(), "Restore 1,204 contacts with 3,912 conversations and 1 task?");
        assert_eq!(with_related(1, &[]), "1 contact");
    }

    #[test]
    fn left_out_rows_say_why() {
        let left = vec![area("campaign_enrollments", "campaign enrollment", "campaign enrollments", 2)];
        let why = left_out_sentences(&left, |t| (t == "campaign_enrollments").then_some("campaign"));
        assert_eq!(why, vec!["2 campaign enrollments were left out: their campaign was removed."]);
    }

    #[test]
    fn keep_days_are_checked() {
        assert!(check_keep_days(0).is_ok() && check_keep_days(365).is_ok());
        assert!(check_keep_days(-1).is_err() && check_keep_days(366).is_err());
        assert_eq!(delete_permanence(0), "This action cannot be undone.");
        assert_eq!(delete_permanence(30), "Deleted contacts stay in the Recycle Bin for 30 days.");
    }
}
