//! The periods the datasets cover, as plain rules: a calendar month (`YYYY-MM`), a
//! quarter (`YYYY-Qn`), the rolling 12-week logs and a run of months with their
//! 12-month rolling averages. Every boundary is a midnight in the force's local time
//! (`ForceZone`), start inclusive, end exclusive.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};

use crate::domain::local_time::ForceZone;

/// The rolling logs (looked-after children, hospital) cover the last 12 weeks.
pub const LOG_WEEKS: i64 = 12;

/// The rolling average is over 12 months.
pub const ROLLING_MONTHS: u32 = 12;

/// How many months the children series may show (default 12).
pub const MAX_SERIES_MONTHS: u32 = 60;
pub const DEFAULT_SERIES_MONTHS: u32 = 12;

/// The start of a rolling log ending now: exactly 12 weeks (84 days) before `now`.
pub fn log_since(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::weeks(LOG_WEEKS)
}

/// A calendar month, held as its first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month(NaiveDate);

impl Month {
    pub fn of(d: NaiveDate) -> Month {
        Month(d.with_day(1).unwrap_or(d))
    }

    /// `YYYY-MM`, years 1900 to 9999.
    pub fn parse(s: &str) -> Result<Month, &'static str> {
        const MSG: &str = "must be a month as YYYY-MM (years 1900 to 9999)";
        let (y, m) = s.split_once('-').ok_or(MSG)?;
        if y.len() != 4 || m.len() != 2 || !(y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()))
        {
            return Err(MSG);
        }
        let year: i32 = y.parse().map_err(|_| MSG)?;
        let month: u32 = m.parse().map_err(|_| MSG)?;
        if year < 1900 {
            return Err(MSG);
        }
        NaiveDate::from_ymd_opt(year, month, 1)
            .map(Month)
            .ok_or(MSG)
    }

    pub fn first_day(self) -> NaiveDate {
        self.0
    }

    /// `n` months later (earlier when negative).
    pub fn plus(self, n: i32) -> Month {
        let moved = if n >= 0 {
            self.0.checked_add_months(Months::new(n.unsigned_abs()))
        } else {
            self.0.checked_sub_months(Months::new(n.unsigned_abs()))
        };
        Month(moved.unwrap_or(self.0))
    }

    /// [first day 00:00, first day of the next month 00:00), local midnights.
    pub fn range(self, zone: &ForceZone) -> (DateTime<Utc>, DateTime<Utc>) {
        (zone.start_of(self.0), zone.start_of(self.plus(1).0))
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.0.year(), self.0.month())
    }
}

/// A calendar quarter: Q1 is January to March.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub q: u32,
}

impl Quarter {
    pub fn containing(d: NaiveDate) -> Quarter {
        Quarter {
            year: d.year(),
            q: (d.month() - 1) / 3 + 1,
        }
    }

    /// The last quarter that has ended by `today`.
    pub fn last_complete(today: NaiveDate) -> Quarter {
        Quarter::containing(today).previous()
    }

    pub fn previous(self) -> Quarter {
        if self.q == 1 {
            Quarter {
                year: self.year - 1,
                q: 4,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q - 1,
            }
        }
    }

    /// `YYYY-Qn` (`q` in either case), years 1900 to 9999.
    pub fn parse(s: &str) -> Result<Quarter, &'static str> {
        const MSG: &str = "must be a quarter as YYYY-Qn with n from 1 to 4 (years 1900 to 9999)";
        let (y, q) = s
            .split_once("-Q")
            .or_else(|| s.split_once("-q"))
            .ok_or(MSG)?;
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) || q.len() != 1 {
            return Err(MSG);
        }
        let year: i32 = y.parse().map_err(|_| MSG)?;
        let q: u32 = q.parse().map_err(|_| MSG)?;
        if year < 1900 || !(1..=4).contains(&q) {
            return Err(MSG);
        }
        Ok(Quarter { year, q })
    }

    pub fn first_month(self) -> Month {
        Month(NaiveDate::from_ymd_opt(self.year, (self.q - 1) * 3 + 1, 1).unwrap_or_default())
    }

    /// [its first day 00:00, the next quarter's first day 00:00), local midnights.
    pub fn range(self, zone: &ForceZone) -> (DateTime<Utc>, DateTime<Utc>) {
        let first = self.first_month();
        (first.range(zone).0, first.plus(3).range(zone).0)
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-Q{}", self.year, self.q)
    }
}

/// The months of a children series: `months` months ending with `to` (both checked).
pub fn series_months(to: Month, months: u32) -> Result<Vec<Month>, &'static str> {
    if !(1..=MAX_SERIES_MONTHS).contains(&months) {
        return Err("must be from 1 to 60");
    }
    let n = months as i32;
    Ok((0..n).map(|i| to.plus(i - n + 1)).collect())
}

/// The 12-month rolling average ending at each of the last `shown` points of `series`
/// (which must hold 11 earlier months before them): the sum of that month and the 11
/// before it, divided by 12, to one decimal. Also returns each 12-month total.
pub fn rolling_averages(series: &[u64], shown: usize) -> Vec<(u64, f64)> {
    let w = ROLLING_MONTHS as usize;
    let first = series.len().saturating_sub(shown);
    (first..series.len())
        .map(|i| {
            let total: u64 = series[(i + 1).saturating_sub(w)..=i].iter().sum();
            (total, (total as f64 * 10.0 / w as f64).round() / 10.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn months_parse_strictly_and_cover_whole_local_days() {
        let z = ForceZone::default();
        let m = Month::parse("2024-02").unwrap();
        assert_eq!(m.first_day(), day(2024, 2, 1));
        let (s, e) = m.range(&z);
        assert_eq!(s, Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap());
        assert_eq!(e, Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap());
        // June in London: from 23:00 UTC on 31 May to 23:00 UTC on 30 June.
        let (s, e) = Month::parse("2026-06").unwrap().range(&z);
        assert_eq!(s, Utc.with_ymd_and_hms(2026, 5, 31, 23, 0, 0).unwrap());
        assert_eq!(e, Utc.with_ymd_and_hms(2026, 6, 30, 23, 0, 0).unwrap());
        // March 2026, whose last Sunday puts the clocks forward: GMT in, BST out.
        let (s, e) = Month::parse("2026-03").unwrap().range(&z);
        assert_eq!(s, Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap());
        assert_eq!(e, Utc.with_ymd_and_hms(2026, 3, 31, 23, 0, 0).unwrap());
        assert_eq!(m.to_string(), "2024-02");
        for bad in [
            "2024-13",
            "2024-00",
            "2024-2",
            "24-02",
            "2024/02",
            "1899-12",
            "",
            "2024-02-01",
            "+024-02",
        ] {
            assert!(Month::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Month::parse("2024-12").unwrap().plus(1),
            Month::parse("2025-01").unwrap()
        );
        assert_eq!(
            Month::parse("2025-01").unwrap().plus(-13),
            Month::parse("2023-12").unwrap()
        );
    }

    #[test]
    fn quarters_parse_and_the_default_is_the_last_complete_one() {
        let q = Quarter::parse("2025-Q4").unwrap();
        assert_eq!((q.year, q.q), (2025, 4));
        let (s, e) = q.range(&ForceZone::default());
        // 1 October is in British Summer Time; 1 January is not.
        assert_eq!(s, Utc.with_ymd_and_hms(2025, 9, 30, 23, 0, 0).unwrap());
        assert_eq!(e, Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
        assert_eq!(Quarter::parse("2025-q1").unwrap().to_string(), "2025-Q1");
        for bad in [
            "2025-Q5", "2025-Q0", "2025-4", "2025Q1", "2025-Q12", "1800-Q1", "x",
        ] {
            assert!(Quarter::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Quarter::last_complete(day(2026, 1, 15)),
            Quarter { year: 2025, q: 4 }
        );
        assert_eq!(
            Quarter::last_complete(day(2026, 6, 30)),
            Quarter { year: 2026, q: 1 }
        );
        assert_eq!(
            Quarter::last_complete(day(2026, 7, 1)),
            Quarter { year: 2026, q: 2 }
        );
    }

    #[test]
    fn a_series_ends_with_its_month_and_is_bounded() {
        let to = Month::parse("2025-03").unwrap();
        let m = series_months(to, 4).unwrap();
        assert_eq!(
            m.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
            ["2024-12", "2025-01", "2025-02", "2025-03"]
        );
        assert!(series_months(to, 0).is_err());
        assert!(series_months(to, 61).is_err());
        assert_eq!(series_months(to, 60).unwrap().len(), 60);
    }

    #[test]
    fn rolling_averages_divide_twelve_month_totals_by_twelve() {
        // 11 earlier months of 1, then 13, then 25.
        let mut series = vec![1u64; 11];
        series.push(13);
        series.push(25);
        let got = rolling_averages(&series, 2);
        assert_eq!(got, vec![(24, 2.0), (48, 4.0)]);
        // Rounded to one decimal.
        let got = rolling_averages(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 1);
        assert_eq!(got, vec![(1, 0.1)]);
    }

    #[test]
    fn the_log_reaches_back_exactly_twelve_weeks() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        assert_eq!(
            log_since(now),
            Utc.with_ymd_and_hms(2025, 12, 7, 12, 0, 0).unwrap()
        );
    }
}
