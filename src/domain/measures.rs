//! The Police and Crime Plan measure "keep the number of repeat missing children (and
//! adults) below baseline", as plain rules: which episodes count, the rolling window,
//! who is a repeat-missing child or adult, and how a value compares with its baseline.
//! This is the reference computation: the database's figures must always equal it.
//!
//! Windows, months and ages are cut in the force's local time ([`ForceZone`]). An episode
//! "starts", for the measure, when it was reported (the default) or, if the definition
//! says so, when the person was last seen: the choice is part of the versioned
//! definition.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};

use super::local_time::ForceZone;
use crate::ids::{DistrictId, PersonId};

crate::text_enum! {
    /// When an episode starts, for the measure.
    pub enum EpisodeStart {
        /// When it was reported (the default): the police's record of it.
        Reported => "reported",
        /// When the person was last seen.
        LastSeen => "last_seen",
    }
}

/// A measure definition (versioned as data; these are the defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Definition {
    /// Episodes starting in the window that make a person "repeat missing" (≥ 2).
    pub repeat_threshold: u32,
    /// The rolling window, in months, ending with the period end.
    pub window_months: u32,
    /// Whether episodes from hospital or medical settings count.
    pub count_hospital: bool,
    /// When an episode starts: reported (default) or last seen.
    pub episode_start: EpisodeStart,
}

impl Default for Definition {
    fn default() -> Self {
        Definition {
            repeat_threshold: 2,
            window_months: 12,
            count_hospital: true,
            episode_start: EpisodeStart::Reported,
        }
    }
}

impl Definition {
    pub fn check(&self) -> Result<(), (&'static str, &'static str)> {
        if !(2..=50).contains(&self.repeat_threshold) {
            return Err(("repeat_threshold", "must be from 2 to 50"));
        }
        if !(1..=36).contains(&self.window_months) {
            return Err(("window_months", "must be from 1 to 36"));
        }
        Ok(())
    }

    /// The window of a period ending on `period_end` (inclusive): from the start of the
    /// local day after `period_end`, `window_months` back, to the start of that day
    /// (exclusive). For a period end of 31 Dec 2019 and 12 months: [1 Jan 2019,
    /// 1 Jan 2020), local midnights (in London in summer, 23:00 UTC the day before).
    pub fn window(
        &self,
        period_end: NaiveDate,
        zone: &ForceZone,
    ) -> (DateTime<Utc>, DateTime<Utc>) {
        let end = period_end.succ_opt().unwrap_or(period_end);
        let start = end
            .checked_sub_months(Months::new(self.window_months))
            .unwrap_or(end);
        (zone.start_of(start), zone.start_of(end))
    }

    /// When `e` starts under this definition.
    pub fn started(&self, e: &MeasuredEpisode) -> DateTime<Utc> {
        match self.episode_start {
            EpisodeStart::Reported => e.reported_at,
            EpisodeStart::LastSeen => e.last_seen_at,
        }
    }
}

crate::text_enum! {
    pub enum AgeGroup {
        Child => "child",
        Adult => "adult",
    }
}

/// One episode as the measure sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasuredEpisode {
    /// The person it is about now (after merges).
    pub person: PersonId,
    /// The district that owned it when it started (before any transfer).
    pub district: DistrictId,
    pub reported_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// `None` when unknown: such episodes count for the force and district totals of
    /// neither group.
    pub date_of_birth: Option<NaiveDate>,
    pub cancelled: bool,
    pub hospital: bool,
}

/// Repeat-missing persons per (district, group), and the force totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub by_district: HashMap<(DistrictId, AgeGroup), u64>,
    pub force: HashMap<AgeGroup, u64>,
}

impl Counts {
    pub fn district(&self, d: DistrictId, g: AgeGroup) -> u64 {
        self.by_district.get(&(d, g)).copied().unwrap_or(0)
    }

    pub fn force(&self, g: AgeGroup) -> u64 {
        self.force.get(&g).copied().unwrap_or(0)
    }
}

/// Who was repeat missing in the window ending `period_end`.
///
/// A person is a repeat-missing child when at least `repeat_threshold` of their counted
/// episodes (not cancelled; hospital ones only if the definition says so) started in
/// the window while they were a child; likewise adults. Persons are counted once per
/// group in the force, and once in one district: the district of their latest such
/// episode in the window, so districts add up to the force.
pub fn repeat_missing(
    def: &Definition,
    zone: &ForceZone,
    period_end: NaiveDate,
    episodes: &[MeasuredEpisode],
) -> Counts {
    let (start, end) = def.window(period_end, zone);
    // (person, group) -> (count, latest start, its district)
    let mut per: HashMap<(PersonId, AgeGroup), (u32, DateTime<Utc>, DistrictId)> = HashMap::new();
    for e in episodes {
        let started = def.started(e);
        let Some(group) = group_of(e.date_of_birth, started, zone) else {
            continue;
        };
        if e.cancelled || (e.hospital && !def.count_hospital) || started < start || started >= end {
            continue;
        }
        per.entry((e.person, group))
            .and_modify(|(n, latest, district)| {
                *n += 1;
                if started > *latest || (started == *latest && e.district > *district) {
                    *latest = started;
                    *district = e.district;
                }
            })
            .or_insert((1, started, e.district));
    }
    let mut counts = Counts::default();
    for ((_, group), (n, _, district)) in per {
        if n >= def.repeat_threshold {
            *counts.by_district.entry((district, group)).or_default() += 1;
            *counts.force.entry(group).or_default() += 1;
        }
    }
    counts
}

crate::text_enum! {
    /// How a value stands against its baseline.
    pub enum Standing {
        Below => "below",
        At => "at",
        Above => "above",
        /// No baseline recorded under the figure's own definition version: nothing to
        /// compare with (a baseline of another definition counts other things).
        NoBaseline => "no_baseline",
        /// The figure or its baseline is withheld from this reader (a small count, or one
        /// that would let a small count be worked out): nothing is compared.
        Suppressed => "suppressed",
    }
}

/// A value against its baseline: the difference, the percentage change (none when the
/// baseline is zero), and whether it is below, at or above.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    pub difference: i64,
    pub percent_change: Option<f64>,
    pub standing: Standing,
}

pub fn compare(value: u64, baseline: u64) -> Comparison {
    let difference = value as i64 - baseline as i64;
    Comparison {
        difference,
        percent_change: (baseline > 0)
            .then(|| (difference as f64 * 1000.0 / baseline as f64).round() / 10.0),
        standing: match value.cmp(&baseline) {
            std::cmp::Ordering::Less => Standing::Below,
            std::cmp::Ordering::Equal => Standing::At,
            std::cmp::Ordering::Greater => Standing::Above,
        },
    }
}

/// Whether a person was a child (under 18) when an episode started: on the local day it
/// started.
pub fn group_of(
    date_of_birth: Option<NaiveDate>,
    started: DateTime<Utc>,
    zone: &ForceZone,
) -> Option<AgeGroup> {
    date_of_birth.map(|dob| {
        if crate::domain::persons::is_child(dob, zone.date(started)) {
            AgeGroup::Child
        } else {
            AgeGroup::Adult
        }
    })
}

crate::text_enum! {
    /// How often a series has a point: each month end or each quarter end.
    pub enum Granularity {
        Month => "month",
        Quarter => "quarter",
    }
}

/// The most points one series may have.
pub const MAX_POINTS: usize = 120;

/// The last day of `d`'s month.
pub fn month_end(d: NaiveDate) -> NaiveDate {
    let first_next = d
        .with_day(1)
        .and_then(|f| f.checked_add_months(Months::new(1)))
        .unwrap_or(d);
    first_next.pred_opt().unwrap_or(d)
}

/// The end of the month before `today`'s: the latest period end a report can be complete
/// for, and the default one.
pub fn last_month_end(today: NaiveDate) -> NaiveDate {
    month_end(
        today
            .with_day(1)
            .and_then(|d| d.pred_opt())
            .unwrap_or(today),
    )
}

/// The first and last days of the `n` months up to the end of last month: a chart's
/// default series (`period_ends` of them).
pub fn last_months(today: NaiveDate, n: u32) -> (NaiveDate, NaiveDate) {
    let to = last_month_end(today);
    let from = to
        .with_day(1)
        .and_then(|d| d.checked_sub_months(Months::new(n.saturating_sub(1))))
        .unwrap_or(to);
    (from, to)
}

/// The period ends from `from` to `to` (both inclusive, each moved to its month's end):
/// every month end, or every quarter end (March, June, September, December).
pub fn period_ends(
    from: NaiveDate,
    to: NaiveDate,
    granularity: Granularity,
) -> Result<Vec<NaiveDate>, &'static str> {
    if from > to {
        return Err("`from` must not be after `to`");
    }
    let mut out = Vec::new();
    let mut d = month_end(from);
    let last = month_end(to);
    while d <= last {
        if granularity == Granularity::Month || d.month() % 3 == 0 {
            out.push(d);
            if out.len() > MAX_POINTS {
                return Err("at most 120 points in one series");
            }
        }
        match d.succ_opt() {
            Some(next) => d = month_end(next),
            None => break,
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const Z: ForceZone = ForceZone(chrono_tz::Europe::London);

    /// A child's episode (born 2010), reported two hours after last seen.
    fn ep(person: PersonId, district: DistrictId, started: DateTime<Utc>) -> MeasuredEpisode {
        MeasuredEpisode {
            person,
            district,
            reported_at: started,
            last_seen_at: started - chrono::Duration::hours(2),
            date_of_birth: Some(day(2010, 1, 1)),
            cancelled: false,
            hospital: false,
        }
    }

    #[test]
    fn the_baseline_window_is_calendar_2019() {
        let (s, e) = Definition::default().window(day(2019, 12, 31), &Z);
        assert_eq!(s, Utc.with_ymd_and_hms(2019, 1, 1, 0, 0, 0).unwrap());
        assert_eq!(e, Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap());
        // Month ends roll correctly.
        let (s, _) = Definition::default().window(day(2024, 2, 29), &Z);
        assert_eq!(s, Utc.with_ymd_and_hms(2023, 3, 1, 0, 0, 0).unwrap());
        // In summer the window starts at local midnight: 23:00 UTC the day before.
        let (s, e) = Definition::default().window(day(2026, 5, 31), &Z);
        assert_eq!(s, Utc.with_ymd_and_hms(2025, 5, 31, 23, 0, 0).unwrap());
        assert_eq!(e, Utc.with_ymd_and_hms(2026, 5, 31, 23, 0, 0).unwrap());
    }

    #[test]
    fn a_report_at_half_past_midnight_bst_counts_in_the_new_month() {
        let d = DistrictId::new();
        let p = PersonId::new();
        let june_1st_0030_bst = Utc.with_ymd_and_hms(2026, 5, 31, 23, 30, 0).unwrap();
        let eps = vec![ep(p, d, at(2026, 5, 2)), ep(p, d, june_1st_0030_bst)];
        let def = Definition {
            window_months: 1,
            ..Definition::default()
        };
        assert_eq!(
            repeat_missing(&def, &Z, day(2026, 5, 31), &eps).force(AgeGroup::Child),
            0
        );
        let june = vec![ep(p, d, at(2026, 6, 20)), ep(p, d, june_1st_0030_bst)];
        assert_eq!(
            repeat_missing(&def, &Z, day(2026, 6, 30), &june).force(AgeGroup::Child),
            1
        );
    }

    #[test]
    fn the_definition_says_whether_an_episode_starts_when_reported_or_last_seen() {
        let d = DistrictId::new();
        let p = PersonId::new();
        // Last seen on 31 May, reported on 1 June.
        let mut straddling = ep(p, d, Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap());
        straddling.last_seen_at = Utc.with_ymd_and_hms(2026, 5, 31, 20, 0, 0).unwrap();
        let eps = vec![ep(p, d, at(2026, 5, 10)), straddling];
        let reported = Definition {
            window_months: 1,
            ..Definition::default()
        };
        let last_seen = Definition {
            episode_start: EpisodeStart::LastSeen,
            ..reported
        };
        let may = |def: &Definition| {
            repeat_missing(def, &Z, day(2026, 5, 31), &eps).force(AgeGroup::Child)
        };
        assert_eq!(may(&reported), 0, "reported in June");
        assert_eq!(may(&last_seen), 1, "last seen in May");
    }

    #[test]
    fn persons_count_once_and_only_with_enough_episodes_in_the_window() {
        let d = DistrictId::new();
        let (a, b, c) = (PersonId::new(), PersonId::new(), PersonId::new());
        let eps = vec![
            ep(a, d, at(2019, 2, 1)),
            ep(a, d, at(2019, 3, 1)),
            ep(a, d, at(2019, 4, 1)),
            ep(b, d, at(2019, 5, 1)),
            // Outside the window on either side.
            ep(c, d, at(2018, 12, 31)),
            ep(c, d, at(2019, 6, 1)),
            ep(c, d, at(2020, 1, 1)),
        ];
        let counts = repeat_missing(&Definition::default(), &Z, day(2019, 12, 31), &eps);
        assert_eq!(
            counts.force(AgeGroup::Child),
            1,
            "a, once, though three episodes"
        );
        assert_eq!(counts.district(d, AgeGroup::Child), 1);
    }

    #[test]
    fn window_edges_are_inclusive_at_the_start_and_exclusive_at_the_end() {
        let d = DistrictId::new();
        let p = PersonId::new();
        let first_instant = Utc.with_ymd_and_hms(2019, 1, 1, 0, 0, 0).unwrap();
        let last_instant = Utc.with_ymd_and_hms(2019, 12, 31, 23, 59, 59).unwrap();
        let eps = vec![ep(p, d, first_instant), ep(p, d, last_instant)];
        assert_eq!(
            repeat_missing(&Definition::default(), &Z, day(2019, 12, 31), &eps)
                .force(AgeGroup::Child),
            1
        );
        let next = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();
        let eps = vec![ep(p, d, first_instant), ep(p, d, next)];
        assert_eq!(
            repeat_missing(&Definition::default(), &Z, day(2019, 12, 31), &eps)
                .force(AgeGroup::Child),
            0
        );
    }

    #[test]
    fn cancelled_never_count_and_hospital_ones_as_defined() {
        let d = DistrictId::new();
        let p = PersonId::new();
        let mut cancelled = ep(p, d, at(2019, 3, 1));
        cancelled.cancelled = true;
        let mut hospital = ep(p, d, at(2019, 4, 1));
        hospital.hospital = true;
        let eps = vec![ep(p, d, at(2019, 2, 1)), cancelled, hospital];
        let with = Definition::default();
        let without = Definition {
            count_hospital: false,
            ..with
        };
        assert_eq!(
            repeat_missing(&with, &Z, day(2019, 12, 31), &eps).force(AgeGroup::Child),
            1
        );
        assert_eq!(
            repeat_missing(&without, &Z, day(2019, 12, 31), &eps).force(AgeGroup::Child),
            0
        );
    }

    #[test]
    fn turning_18_inside_the_window_splits_the_episodes() {
        let d = DistrictId::new();
        let p = PersonId::new();
        let dob = Some(day(2001, 6, 15));
        let mk = |started| MeasuredEpisode {
            date_of_birth: dob,
            ..ep(p, d, started)
        };
        // Two as a child (before 15 June 2019), one as an adult.
        let eps = vec![mk(at(2019, 2, 1)), mk(at(2019, 6, 14)), mk(at(2019, 6, 15))];
        assert_eq!(group_of(dob, at(2019, 6, 14), &Z), Some(AgeGroup::Child));
        assert_eq!(group_of(dob, at(2019, 6, 15), &Z), Some(AgeGroup::Adult));
        // The 18th birthday begins at local midnight: 23:30 UTC on the eve, in summer.
        let eve = Utc.with_ymd_and_hms(2019, 6, 14, 23, 30, 0).unwrap();
        assert_eq!(group_of(dob, eve, &Z), Some(AgeGroup::Adult));
        let c = repeat_missing(&Definition::default(), &Z, day(2019, 12, 31), &eps);
        assert_eq!((c.force(AgeGroup::Child), c.force(AgeGroup::Adult)), (1, 0));
    }

    #[test]
    fn a_person_counts_in_the_district_of_their_latest_episode_so_districts_add_up() {
        let (leeds, bradford) = (DistrictId::new(), DistrictId::new());
        let p = PersonId::new();
        let eps = vec![
            ep(p, leeds, at(2019, 2, 1)),
            ep(p, bradford, at(2019, 9, 1)),
        ];
        let c = repeat_missing(&Definition::default(), &Z, day(2019, 12, 31), &eps);
        assert_eq!(c.district(bradford, AgeGroup::Child), 1);
        assert_eq!(c.district(leeds, AgeGroup::Child), 0);
        assert_eq!(c.force(AgeGroup::Child), 1);
    }

    #[test]
    fn unknown_ages_count_in_neither_group() {
        let d = DistrictId::new();
        let p = PersonId::new();
        let unknown = |started| MeasuredEpisode {
            date_of_birth: None,
            ..ep(p, d, started)
        };
        let eps = vec![unknown(at(2019, 2, 1)), unknown(at(2019, 3, 1))];
        assert_eq!(
            repeat_missing(&Definition::default(), &Z, day(2019, 12, 31), &eps),
            Counts::default()
        );
    }

    #[test]
    fn values_compare_with_their_baseline() {
        let c = compare(90, 100);
        assert_eq!(
            (c.difference, c.percent_change, c.standing),
            (-10, Some(-10.0), Standing::Below)
        );
        assert_eq!(compare(100, 100).standing, Standing::At);
        let c = compare(3, 0);
        assert_eq!((c.percent_change, c.standing), (None, Standing::Above));
        assert_eq!(compare(2, 3).percent_change, Some(-33.3));
    }

    #[test]
    fn the_default_period_end_is_the_end_of_last_month() {
        assert_eq!(last_month_end(day(2026, 11, 23)), day(2026, 10, 31));
        assert_eq!(last_month_end(day(2026, 3, 1)), day(2026, 2, 28));
        assert_eq!(last_month_end(day(2025, 1, 31)), day(2024, 12, 31));
    }

    #[test]
    fn the_last_months_run_to_the_end_of_last_month() {
        let (from, to) = last_months(day(2026, 3, 15), 3);
        assert_eq!((from, to), (day(2025, 12, 1), day(2026, 2, 28)));
        assert_eq!(
            period_ends(from, to, Granularity::Month).unwrap(),
            vec![day(2025, 12, 31), day(2026, 1, 31), day(2026, 2, 28)]
        );
        assert_eq!(
            last_months(day(2026, 3, 15), 1),
            (day(2026, 2, 1), day(2026, 2, 28))
        );
    }

    #[test]
    fn series_run_month_by_month_or_quarter_by_quarter() {
        let m = period_ends(day(2025, 11, 3), day(2026, 2, 10), Granularity::Month).unwrap();
        assert_eq!(
            m,
            vec![
                day(2025, 11, 30),
                day(2025, 12, 31),
                day(2026, 1, 31),
                day(2026, 2, 28)
            ]
        );
        let q = period_ends(day(2025, 1, 1), day(2025, 12, 31), Granularity::Quarter).unwrap();
        assert_eq!(
            q,
            vec![
                day(2025, 3, 31),
                day(2025, 6, 30),
                day(2025, 9, 30),
                day(2025, 12, 31)
            ]
        );
        assert!(period_ends(day(2026, 1, 1), day(2025, 1, 1), Granularity::Month).is_err());
        assert!(period_ends(day(2000, 1, 1), day(2026, 1, 1), Granularity::Month).is_err());
        assert_eq!(month_end(day(2024, 2, 10)), day(2024, 2, 29));
    }

    #[test]
    fn definitions_are_checked() {
        assert!(Definition::default().check().is_ok());
        let bad = Definition {
            repeat_threshold: 1,
            ..Default::default()
        };
        assert_eq!(bad.check().unwrap_err().0, "repeat_threshold");
    }
}
