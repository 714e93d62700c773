//! Filters of the contacts list, as data: one typed value that the browser builds from
//! the URL and the filter controls, and the server turns into parameterized SQL for
//! each engine. The same value drives the list, its count, "select all", the preview,
//! the delete and the export, so they cannot disagree.

use serde::{Deserialize, Serialize};

use crate::dates::Day;

/// The most values one list filter (tags, sources) may hold.
pub const MAX_FILTER_VALUES: usize = 20;
/// The longest tag or source a filter may name.
pub const MAX_VALUE_CHARS: usize = 60;
/// "Last activity older than N days": N from 1 to this.
pub const MAX_INACTIVE_DAYS: u32 = 36_500;
/// The longest text of a tag or source field: every value, comma separated.
pub const MAX_LIST_CHARS: usize = MAX_FILTER_VALUES * (MAX_VALUE_CHARS + 2);

/// Which contacts count as copies of each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateKey {
    /// The same email, ignoring case and spaces.
    Email,
    /// The same phone number, digits only.
    Phone,
    /// The same email or the same phone.
    EmailOrPhone,
}

impl DuplicateKey {
    pub const ALL: [DuplicateKey; 3] = [DuplicateKey::EmailOrPhone, DuplicateKey::Email, DuplicateKey::Phone];

    pub fn as_str(self) -> &'static str {
        match self {
            DuplicateKey::Email => "email",
            DuplicateKey::Phone => "phone",
            DuplicateKey::EmailOrPhone => "email_or_phone",
        }
    }

    pub fn parse(text: &str) -> Option<DuplicateKey> {
        DuplicateKey::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            DuplicateKey::Email => "same email",
            DuplicateKey::Phone => "same phone",
            DuplicateKey::EmailOrPhone => "same email or phone",
        }
    }
}

/// Contacts that share a key with another contact of the account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Duplicates {
    pub by: DuplicateKey,
    /// Only the extra copies: every contact of a group but its oldest.
    pub all_but_oldest: bool,
}

/// Every field narrows the list; an empty filter keeps every contact.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Filter {
    /// Has every one of these tags.
    pub tags: Vec<String>,
    /// Has none of these tags.
    pub not_tags: Vec<String>,
    /// Came from one of these sources.
    pub sources: Vec<String>,
    /// Created on or after this day (UTC; "YYYY-MM-DD" in URLs and JSON).
    pub created_from: Option<Day>,
    /// Created before this day (UTC).
    pub created_before: Option<Day>,
    /// Last activity more than this many days ago (contacts never active are not included).
    pub inactive_days: Option<u32>,
    /// No activity ever recorded.
    pub never_active: bool,
    /// Has (true) or lacks (false) an email address.
    pub has_email: Option<bool>,
    /// Has (true) or lacks (false) a phone number.
    pub has_phone: Option<bool>,
    pub duplicates: Option<Duplicates>,
}

/// The URL's names of the list's parameters (`/contacts?q=ann&tag=lead&inactive=365`):
/// the filter's fields, and the search, Smart List and page position beside them. The
/// forms name their fields with these, and the server reads them back with these.
pub mod param {
    pub const TAG: &str = "tag";
    pub const NOT_TAG: &str = "not_tag";
    pub const SOURCE: &str = "source";
    pub const CREATED_FROM: &str = "created_from";
    pub const CREATED_BEFORE: &str = "created_before";
    pub const INACTIVE: &str = "inactive";
    pub const NEVER_ACTIVE: &str = "never_active";
    pub const HAS_EMAIL: &str = "has_email";
    pub const HAS_PHONE: &str = "has_phone";
    pub const DUPLICATES: &str = "duplicates";
    pub const KEEP_OLDEST: &str = "keep_oldest";
    /// The search.
    pub const SEARCH: &str = "q";
    /// The Smart List the list was opened from.
    pub const SMART_LIST: &str = "list";
    /// The page position: the page after, or before, this cursor.
    pub const AFTER: &str = "after";
    pub const BEFORE: &str = "before";
    /// Names the list itself uses beside the filter's.
    pub const LIST: [&str; 4] = [SEARCH, AFTER, BEFORE, SMART_LIST];
}

/// One active filter, as a removable chip shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chip {
    pub label: String,
    /// The filter without this part.
    pub without: Filter,
}

fn yes_no(text: &str, name: &str) -> Result<bool, String> {
    match text {
        "yes" | "true" | "1" => Ok(true),
        "no" | "false" | "0" => Ok(false),
        _ => Err(format!("The filter “{name}” must be yes or no, not “{text}”.")),
    }
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self == &Filter::default()
    }

    /// Reads the filter from a URL's query pairs (a filter form's fields included: an
    /// empty field means "not filtered"; tags and sources may be comma separated).
    /// Unknown names, wrong types and impossible values are errors, in words.
    pub fn from_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Filter, String> {
        let mut f = Filter::default();
        let mut keep_oldest = None;
        let list = |value: &str| {
            value.split(',').map(str::trim).filter(|v| !v.is_empty()).map(String::from).collect::<Vec<_>>()
        };
        for (name, value) in pairs {
            let value = value.trim();
            match name {
                // The list's own parameters, and the empty name of a bare "&".
                _ if param::LIST.contains(&name) || name.is_empty() => {}
                _ if !Filter::PARAMS.contains(&name) => return Err(format!("The list has no filter named “{name}”.")),
                _ if value.is_empty() => {}
                param::TAG => f.tags.extend(list(value).iter().map(|t| t.to_lowercase())),
                param::NOT_TAG => f.not_tags.extend(list(value).iter().map(|t| t.to_lowercase())),
                param::SOURCE => f.sources.extend(list(value)),
                param::CREATED_FROM => f.created_from = Some(value.parse()?),
                param::CREATED_BEFORE => f.created_before = Some(value.parse()?),
                param::INACTIVE => {
                    f.inactive_days = Some(value.parse().map_err(|_| {
                        format!(
                            "The filter “last activity older than N days” needs a whole number of days, not “{value}”."
                        )
                    })?)
                }
                param::NEVER_ACTIVE => f.never_active = yes_no(value, name)?,
                param::HAS_EMAIL => f.has_email = Some(yes_no(value, name)?),
                param::HAS_PHONE => f.has_phone = Some(yes_no(value, name)?),
                param::DUPLICATES => {
                    let by = DuplicateKey::parse(value).ok_or_else(|| {
                        format!("Duplicates are found by email, phone or email_or_phone, not “{value}”.")
                    })?;
                    f.duplicates = Some(Duplicates { by, all_but_oldest: false });
                }
                param::KEEP_OLDEST => keep_oldest = Some(yes_no(value, name)?),
                _ => {}
            }
        }
        if let Some(keep) = keep_oldest {
            match &mut f.duplicates {
                Some(d) => d.all_but_oldest = keep,
                None => return Err("“All but the oldest” applies to the duplicates filter only.".into()),
            }
        }
        f.validate()?;
        Ok(f)
    }

    /// The filter as URL query pairs (the inverse of [`Filter::from_query`]).
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let flag = |b: bool| if b { "yes" } else { "no" }.to_string();
        out.extend(self.tags.iter().map(|t| (param::TAG, t.clone())));
        out.extend(self.not_tags.iter().map(|t| (param::NOT_TAG, t.clone())));
        out.extend(self.sources.iter().map(|s| (param::SOURCE, s.clone())));
        if let Some(d) = self.created_from {
            out.push((param::CREATED_FROM, d.to_string()));
        }
        if let Some(d) = self.created_before {
            out.push((param::CREATED_BEFORE, d.to_string()));
        }
        if let Some(n) = self.inactive_days {
            out.push((param::INACTIVE, n.to_string()));
        }
        if self.never_active {
            out.push((param::NEVER_ACTIVE, flag(true)));
        }
        if let Some(b) = self.has_email {
            out.push((param::HAS_EMAIL, flag(b)));
        }
        if let Some(b) = self.has_phone {
            out.push((param::HAS_PHONE, flag(b)));
        }
        if let Some(d) = self.duplicates {
            out.push((param::DUPLICATES, d.by.as_str().to_string()));
            if d.all_but_oldest {
                out.push((param::KEEP_OLDEST, flag(true)));
            }
        }
        out
    }

    /// Refuses what no list can mean: overlong lists, empty or overlong values, an
    /// impossible date range, an out-of-range number of days.
    pub fn validate(&self) -> Result<(), String> {
        for (what, values) in [("tags", &self.tags), ("tags to leave out", &self.not_tags), ("sources", &self.sources)]
        {
            if values.len() > MAX_FILTER_VALUES {
                return Err(format!("A filter may name at most {MAX_FILTER_VALUES} {what}."));
            }
            for v in values {
                if v.trim().is_empty()
                    || v.chars().count() > MAX_VALUE_CHARS
                    || v.chars().any(char::is_control)
                    || v.contains(',')
                {
                    return Err(format!("“{v}” is not a valid value for {what}."));
                }
            }
        }
        if let (Some(from), Some(before)) = (self.created_from, self.created_before) {
            if from >= before {
                return Err("The date range is empty: “created on or after” must be before “created before”.".into());
            }
        }
        if let Some(days) = self.inactive_days {
            if days == 0 || days > MAX_INACTIVE_DAYS {
                return Err(format!("“Last activity older than N days” takes 1 to {MAX_INACTIVE_DAYS} days."));
            }
            if self.never_active {
                return Err("A contact cannot both have an old last activity and never have been active.".into());
            }
        }
        Ok(())
    }

    /// The URL names of the filter's fields, for forms.
    pub const PARAMS: [&'static str; 11] = [
        param::TAG,
        param::NOT_TAG,
        param::SOURCE,
        param::CREATED_FROM,
        param::CREATED_BEFORE,
        param::INACTIVE,
        param::NEVER_ACTIVE,
        param::HAS_EMAIL,
        param::HAS_PHONE,
        param::DUPLICATES,
        param::KEEP_OLDEST,
    ];

    /// Each active part of the filter, in words, with the filter that remains without it.
    pub fn chips(&self) -> Vec<Chip> {
        let mut chips = Vec::new();
        let mut add = |label: String, change: &dyn Fn(&mut Filter)| {
            let mut without = self.clone();
            change(&mut without);
            chips.push(Chip { label, without });
        };
        for (i, t) in self.tags.iter().enumerate() {
            add(format!("tag is {t}"), &|f| {
                f.tags.remove(i);
            });
        }
        for (i, t) in self.not_tags.iter().enumerate() {
            add(format!("tag is not {t}"), &|f| {
                f.not_tags.remove(i);
            });
        }
        if !self.sources.is_empty() {
            add(format!("source is {}", self.sources.join(" or ")), &|f| f.sources.clear());
        }
        if let Some(d) = self.created_from {
            add(format!("created on or after {d}"), &|f| f.created_from = None);
        }
        if let Some(d) = self.created_before {
            add(format!("created before {d}"), &|f| f.created_before = None);
        }
        if let Some(n) = self.inactive_days {
            add(format!("last activity older than {n} days"), &|f| f.inactive_days = None);
        }
        if self.never_active {
            add("never active".into(), &|f| f.never_active = false);
        }
        if let Some(b) = self.has_email {
            add(if b { "has email" } else { "no email" }.into(), &|f| f.has_email = None);
        }
        if let Some(b) = self.has_phone {
            add(if b { "has phone" } else { "no phone" }.into(), &|f| f.has_phone = None);
        }
        if let Some(d) = self.duplicates {
            let which = if d.all_but_oldest { "duplicates, all but the oldest" } else { "duplicates" };
            add(format!("{which} ({})", d.by.label()), &|f| f.duplicates = None);
        }
        chips
    }

    /// The filter in words: "tag is lead, last activity older than 365 days".
    pub fn describe(&self) -> String {
        self.chips().into_iter().map(|c| c.label).collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &[(&str, &str)]) -> Result<Filter, String> {
        Filter::from_query(query.iter().copied())
    }

    #[test]
    fn a_filter_survives_the_url() {
        let f = Filter {
            tags: vec!["lead".into(), "vip".into()],
            not_tags: vec!["cold".into()],
            sources: vec!["Website".into()],
            created_from: Day::parse("2025-01-01"),
            created_before: Day::parse("2025-07-01"),
            inactive_days: Some(365),
            has_email: Some(true),
            has_phone: Some(false),
            duplicates: Some(Duplicates { by: DuplicateKey::Email, all_but_oldest: true }),
            ..Default::default()
        };
        let pairs = f.to_query();
        let back = Filter::from_query(pairs.iter().map(|(k, v)| (*k, v.as_str()))).unwrap();
        assert_eq!(back, f);
        assert_eq!(
            f.describe(),
            "tag is lead, tag is vip, tag is not cold, source is Website, created on or after 2025-01-01, \
             created before 2025-07-01, last activity older than 365 days, has email, no phone, \
             duplicates, all but the oldest (same email)"
        );
        assert_eq!(f.chips()[0].without.tags, vec!["vip".to_string()]);
    }

    #[test]
    fn malformed_filters_are_refused_in_words() {
        for bad in [
            vec![("colour", "red")],
            vec![("inactive", "soon")],
            vec![("inactive", "0")],
            vec![("inactive", "-5")],
            vec![("has_email", "maybe")],
            vec![("created_from", "2025-13-01")],
            vec![("created_from", "2025-06-01"), ("created_before", "2025-01-01")],
            vec![("duplicates", "name")],
            vec![("keep_oldest", "yes")],
            vec![("tag", &"x".repeat(MAX_VALUE_CHARS + 1))],
            vec![("never_active", "yes"), ("inactive", "30")],
        ] {
            assert!(parse(&bad).is_err(), "{bad:?}");
        }
        let many: Vec<(&str, &str)> = (0..=MAX_FILTER_VALUES).map(|_| ("tag", "lead")).collect();
        assert!(parse(&many).is_err());
        assert_eq!(parse(&[("q", "ann"), ("after", "x")]).unwrap(), Filter::default());
        // A submitted form: empty fields are no filter; lists may be comma separated.
        let form = parse(&[
            ("tag", "Lead, vip"),
            ("not_tag", ""),
            ("inactive", ""),
            ("has_email", ""),
            ("source", "Referral"),
        ])
        .unwrap();
        assert_eq!(form.tags, vec!["lead".to_string(), "vip".to_string()]);
        assert_eq!(form.sources, vec!["Referral".to_string()]);
        assert_eq!(form.inactive_days, None);
    }

    /// A date that is not a day never becomes part of a filter, by URL or by JSON (a
    /// server function's argument, a stored Smart List): it is refused, not dropped,
    /// so it cannot widen a selection.
    #[test]
    fn dates_are_days_or_refused() {
        let f = parse(&[("created_from", "2024-02-29"), ("created_before", "2025-01-01")]).unwrap();
        assert_eq!(f.created_from, Day::parse("2024-02-29"));
        assert_eq!(f.to_query(), vec![("created_from", "2024-02-29".into()), ("created_before", "2025-01-01".into())]);
        for bad in ["2025-02-30", "2025-06-1", "yesterday", "2025-06-01' OR 1=1"] {
            let err = parse(&[("created_before", bad)]).unwrap_err();
            assert!(err.contains("is not a date"), "{bad}: {err}");
        }
        let json = serde_json::to_string(&f).unwrap();
        assert!(json.contains(r#""created_from":"2024-02-29""#), "{json}");
        assert_eq!(serde_json::from_str::<Filter>(&json).unwrap(), f);
        for bad in [r#"{"created_from":"2025-02-30"}"#, r#"{"created_before":"01/02/2025"}"#, r#"{"created_from":5}"#] {
            assert!(serde_json::from_str::<Filter>(bad).is_err(), "{bad}");
        }
    }
}
