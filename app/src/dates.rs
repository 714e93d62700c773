//! Calendar days and moments in UTC, written out the same way on the server and in the
//! browser. Hand-written (the proleptic Gregorian calendar, by the days-from-civil
//! method) so that the browser's wasm carries no date crate: a few hundred bytes
//! instead of a formatting and parsing library.

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/// Seconds in a day (UTC has no leap seconds in epoch time).
pub const SECONDS_PER_DAY: i64 = 86_400;

/// One calendar day. Only a real day can be one: it is made by [`Day::parse`] (or from a
/// moment), and read from JSON or a URL the same way, so "2025-02-30" is refused where
/// it comes in. Ordered by time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day {
    year: i64,
    /// 1 to 12.
    month: u32,
    /// 1 to 31.
    day: u32,
}

impl Day {
    /// The day a moment (epoch seconds, UTC) falls on.
    pub fn of(epoch_seconds: i64) -> Day {
        Day::from_days(epoch_seconds.div_euclid(SECONDS_PER_DAY))
    }

    /// The day that is `days` days after 1970-01-01.
    fn from_days(days: i64) -> Day {
        // Eras of 400 years (146,097 days) starting on March 1st, so that the leap day
        // is the last day of a year.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era = (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153; // 0 = March
        let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
        let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 } as u32;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Day { year, month, day }
    }

    /// Days from 1970-01-01 to this day (negative before it).
    fn days(self) -> i64 {
        let year = self.year - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let shifted_month = i64::from(if self.month > 2 { self.month - 3 } else { self.month + 9 });
        let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The day's first second (UTC), as epoch seconds.
    pub fn start(self) -> i64 {
        self.days() * SECONDS_PER_DAY
    }

    /// Reads "YYYY-MM-DD" (a real day of the years 1900 to 9999); `None` otherwise.
    pub fn parse(text: &str) -> Option<Day> {
        let bytes = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| -> Option<i64> {
            let part = bytes.get(range)?;
            part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
        };
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let candidate = Day { year, month: u32::try_from(month).ok()?, day: u32::try_from(day).ok()? };
        // A day that exists round-trips; "2025-02-30" or "2025-13-01" does not.
        ((1900..=9999).contains(&year) && (1..=12).contains(&month) && Day::from_days(candidate.days()) == candidate)
            .then_some(candidate)
    }
}

impl std::fmt::Display for Day {
    /// "2025-03-04".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Day {
    type Err = String;

    /// [`Day::parse`], with the refusal in words.
    fn from_str(text: &str) -> Result<Day, String> {
        Day::parse(text).ok_or_else(|| format!("“{text}” is not a date: use the form 2025-01-31."))
    }
}

/// Written as "2025-03-04", as in URLs and stored Smart Lists.
impl serde::Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Day, D::Error> {
        String::deserialize(deserializer)?.parse().map_err(serde::de::Error::custom)
    }
}

/// "Mar 4, 2025".
pub fn format_date(epoch_seconds: i64) -> String {
    let d = Day::of(epoch_seconds);
    format!("{} {}, {}", MONTHS[d.month as usize - 1], d.day, d.year)
}

/// "Mar 4, 2025 17:05 UTC".
pub fn format_moment(epoch_seconds: i64) -> String {
    let (hours, minutes, _) = time_of_day(epoch_seconds);
    format!("{} {hours:02}:{minutes:02} UTC", format_date(epoch_seconds))
}

/// "2025-03-04T17:05:09Z" (ISO 8601, for files).
pub fn iso_moment(epoch_seconds: i64) -> String {
    let (hours, minutes, seconds) = time_of_day(epoch_seconds);
    format!("{}T{hours:02}:{minutes:02}:{seconds:02}Z", Day::of(epoch_seconds))
}

fn time_of_day(epoch_seconds: i64) -> (i64, i64, i64) {
    let s = epoch_seconds.rem_euclid(SECONDS_PER_DAY);
    (s / 3_600, s / 60 % 60, s % 60)
}

/// Now, in epoch seconds.
pub fn now() -> i64 {
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
    }
    #[cfg(target_arch = "wasm32")]
    {
        (js_sys::Date::now() / 1000.0) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, NaiveDate};

    /// Every day from 1900 to 2100 and a spread of moments far beyond, against chrono.
    #[test]
    fn agrees_with_chrono() {
        let mut t = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
        let end = NaiveDate::from_ymd_opt(2100, 12, 31).unwrap().and_hms_opt(23, 0, 0).unwrap().and_utc().timestamp();
        while t <= end {
            let reference = DateTime::from_timestamp(t, 0).unwrap();
            assert_eq!(format_date(t), reference.format("%b %-d, %Y").to_string());
            assert_eq!(format_moment(t), reference.format("%b %-d, %Y %H:%M UTC").to_string());
            assert_eq!(iso_moment(t), reference.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            let day = reference.format("%Y-%m-%d").to_string();
            assert_eq!(
                Day::parse(&day).map(Day::start),
                Some(reference.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp())
            );
            t += 86_400 - 1_237; // drifts through every time of day
        }
        for t in [-1, -86_401, 253_402_300_799, i64::from(i32::MAX) * 7] {
            assert_eq!(format_date(t), DateTime::from_timestamp(t, 0).unwrap().format("%b %-d, %Y").to_string(), "{t}");
        }
    }

    #[test]
    fn parses_only_real_days() {
        assert_eq!(Day::parse("2024-02-29"), Some(Day { year: 2024, month: 2, day: 29 }));
        for bad in [
            "",
            "2025-02-29",
            "1900-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-04-31",
            "2025-1-01",
            "1899-12-31",
            "25-01-01",
            "2025/01/01",
            "2025-01-01x",
            "+025-01-01",
            "2025-01-0a",
            "２０２５-01-01",
        ] {
            assert_eq!(Day::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Day::parse("2000-02-29").map(|d| d.to_string()), Some("2000-02-29".to_string()));
    }

    #[test]
    fn a_day_reads_and_writes_json_as_its_date_and_refuses_any_other() {
        let day: Day = serde_json::from_str(r#""2025-03-04""#).unwrap();
        assert_eq!(day, Day { year: 2025, month: 3, day: 4 });
        assert_eq!(serde_json::to_string(&day).unwrap(), r#""2025-03-04""#);
        for bad in [r#""2025-02-30""#, r#""2025-3-4""#, r#""""#, "20250304", "null"] {
            let err = serde_json::from_str::<Day>(bad).unwrap_err().to_string();
            assert!(err.contains("date") || err.contains("string"), "{bad}: {err}");
        }
        assert!(Day::parse("2024-12-31") < Day::parse("2025-01-01"));
        assert_eq!("2025-13-01".parse::<Day>(), Err("“2025-13-01” is not a date: use the form 2025-01-31.".into()));
    }
}
