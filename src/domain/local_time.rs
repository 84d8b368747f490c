//! The force's local time (`HOMEWARD_TIME_ZONE`, default `Europe/London`). Days, months,
//! quarters, rolling windows and ages are cut in it, not in UTC: a report at 00:30 BST
//! on 1 June is in June. The database cuts the same way (`hw_force_zone()`, set from the
//! same setting at start-up), and the tests hold the two to each other.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// A force's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForceZone(pub Tz);

impl Default for ForceZone {
    fn default() -> Self {
        ForceZone(chrono_tz::Europe::London)
    }
}

impl ForceZone {
    /// An IANA zone name, e.g. `Europe/London`.
    pub fn parse(name: &str) -> Result<Self, String> {
        name.trim()
            .parse::<Tz>()
            .map(ForceZone)
            .map_err(|_| format!("{name:?} is not an IANA time zone name such as Europe/London"))
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The local calendar day an instant falls on.
    pub fn date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.0).date_naive()
    }

    /// Today, here.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        self.date(now)
    }

    /// The first instant of local day `d`: its midnight (the earlier one, if the clocks go
    /// back over midnight; the first instant after the gap, if they skip it). An instant
    /// `t` lies on day `d` exactly when `start_of(d) <= t < start_of(d + 1)`.
    pub fn start_of(&self, d: NaiveDate) -> DateTime<Utc> {
        let local = |t: NaiveTime| self.0.from_local_datetime(&d.and_time(t)).earliest();
        local(NaiveTime::MIN)
            .or_else(|| {
                // Midnight is in a gap: the day starts when the clocks jump, within hours.
                (1..=3).find_map(|h| local(NaiveTime::from_hms_opt(h, 0, 0)?))
            })
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| d.and_time(NaiveTime::MIN).and_utc())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn half_past_midnight_bst_on_1_june_is_in_june() {
        let z = ForceZone::default();
        assert_eq!(z.date(utc("2026-05-31T23:30:00Z")), day(2026, 6, 1));
        assert_eq!(z.date(utc("2026-05-31T22:59:59Z")), day(2026, 5, 31));
        assert_eq!(z.start_of(day(2026, 6, 1)), utc("2026-05-31T23:00:00Z"));
        // In winter London is on UTC.
        assert_eq!(z.start_of(day(2026, 1, 1)), utc("2026-01-01T00:00:00Z"));
        assert_eq!(z.date(utc("2025-12-31T23:30:00Z")), day(2025, 12, 31));
    }

    #[test]
    fn days_across_both_clock_changes_start_and_end_right() {
        let z = ForceZone::default();
        // 29 March 2026: clocks go forward at 01:00 GMT; the day is 23 hours long.
        assert_eq!(z.start_of(day(2026, 3, 29)), utc("2026-03-29T00:00:00Z"));
        assert_eq!(z.start_of(day(2026, 3, 30)), utc("2026-03-29T23:00:00Z"));
        assert_eq!(z.date(utc("2026-03-29T23:30:00Z")), day(2026, 3, 30));
        assert_eq!(z.date(utc("2026-03-29T00:30:00Z")), day(2026, 3, 29));
        // 25 October 2026: clocks go back at 02:00 BST; the day is 25 hours long.
        assert_eq!(z.start_of(day(2026, 10, 25)), utc("2026-10-24T23:00:00Z"));
        assert_eq!(z.start_of(day(2026, 10, 26)), utc("2026-10-26T00:00:00Z"));
        assert_eq!(z.date(utc("2026-10-24T23:30:00Z")), day(2026, 10, 25));
        assert_eq!(z.date(utc("2026-10-25T23:30:00Z")), day(2026, 10, 25));
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_when_the_clocks_jump() {
        // Santiago moves its clocks forward at midnight: 2026-09-06 00:00 does not exist.
        let z = ForceZone::parse("America/Santiago").unwrap();
        let start = z.start_of(day(2026, 9, 6));
        assert_eq!(z.date(start), day(2026, 9, 6));
        assert_eq!(
            z.date(start - chrono::Duration::seconds(1)),
            day(2026, 9, 5)
        );
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(
            ForceZone::parse("Europe/London").unwrap(),
            ForceZone::default()
        );
        assert!(ForceZone::parse("Mars/Olympus")
            .unwrap_err()
            .contains("IANA"));
        assert_eq!(ForceZone::default().name(), "Europe/London");
    }
}
