//! Missing episodes: statuses and the lifecycle state machine, risk levels, where people
//! go missing from, reference numbers, and the rules a report must satisfy.

use chrono::{DateTime, Datelike, Duration, Utc};

crate::text_enum! {
    /// `reported → active → returned → closed`, plus `cancelled` (whereabouts were known).
    pub enum EpisodeStatus {
        Reported => "reported",
        Active => "active",
        Returned => "returned",
        Closed => "closed",
        Cancelled => "cancelled",
    }
}

crate::text_enum! {
    /// The single national risk scale (College of Policing).
    pub enum RiskLevel {
        VeryLow => "very_low",
        Low => "low",
        Medium => "medium",
        High => "high",
    }
}

crate::text_enum! {
    pub enum MissingFrom {
        Home => "home",
        CarePlacement => "care_placement",
        HospitalOrMedical => "hospital_or_medical",
        Other => "other",
    }
}

crate::text_enum! {
    /// Who reported the person missing.
    pub enum ReportedBy {
        Parent => "parent",
        Carer => "carer",
        ChildrensHome => "childrens_home",
        Hospital => "hospital",
        School => "school",
        Police => "police",
        SelfReport => "self",
        Other => "other",
    }
}

crate::text_enum! {
    /// How the person came back.
    pub enum ReturnHow {
        SelfReturned => "self_returned",
        FoundByPolice => "found_by_police",
        FoundByOther => "found_by_other",
    }
}

crate::text_enum! {
    /// What was seen while the person was missing.
    pub enum Marker {
        Cse => "cse",
        Cce => "cce",
        MentalHealth => "mental_health",
        CrimeVictim => "crime_victim",
        CrimeSuspect => "crime_suspect",
    }
}

crate::text_enum! {
    pub enum InterviewMode {
        InPerson => "in_person",
        Phone => "phone",
        Video => "video",
    }
}

/// A later event (return, interview) must come after `after`, must not be in the future,
/// and must be storable. `field` names the later time.
pub fn check_after(
    field: &'static str,
    at: DateTime<Utc>,
    after: DateTime<Utc>,
    after_name: &'static str,
    now: DateTime<Utc>,
) -> Result<(), (&'static str, String)> {
    if !in_storable_range(at) {
        return Err((field, "must be a date from 1900 onwards".into()));
    }
    if at > now + FUTURE_SKEW {
        return Err((field, "must not be in the future".into()));
    }
    if at < after {
        return Err((field, format!("must not be before {after_name}")));
    }
    Ok(())
}

/// Why an episode cannot be closed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClosureRefused {
    NotSupervisor,
    /// Neither a prevention interview nor a reason why none was possible.
    NoInterview,
}

/// Closing needs a supervisor, and a prevention interview or a recorded reason why none
/// was possible.
pub fn check_closure(
    role: crate::domain::accounts::Role,
    has_interview: bool,
    no_interview_reason: Option<&str>,
) -> Result<(), ClosureRefused> {
    if role != crate::domain::accounts::Role::Supervisor {
        return Err(ClosureRefused::NotSupervisor);
    }
    if !has_interview && no_interview_reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(ClosureRefused::NoInterview);
    }
    Ok(())
}

impl EpisodeStatus {
    /// Where an episode may go next from this status.
    pub fn next(self) -> &'static [EpisodeStatus] {
        use EpisodeStatus::*;
        match self {
            Reported => &[Active, Cancelled],
            Active => &[Returned, Cancelled],
            Returned => &[Closed],
            Closed | Cancelled => &[],
        }
    }
}

/// A transition the lifecycle does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IllegalTransition {
    pub from: EpisodeStatus,
    pub to: EpisodeStatus,
    pub allowed: &'static [EpisodeStatus],
}

pub fn check_transition(from: EpisodeStatus, to: EpisodeStatus) -> Result<(), IllegalTransition> {
    if from.next().contains(&to) {
        Ok(())
    } else {
        Err(IllegalTransition {
            from,
            to,
            allowed: from.next(),
        })
    }
}

/// `LDS-2026-000123`: district code, year of the report, six-digit sequence.
pub fn reference(district_code: &str, year: i32, sequence: i32) -> String {
    format!("{district_code}-{year:04}-{sequence:06}")
}

/// A reference as someone typed it (from an email, say): case and surrounding space
/// ignored; anything but three letters, four digits and six digits is refused.
pub fn parse_reference(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim().to_ascii_uppercase();
    let parts: Vec<&str> = s.split('-').collect();
    let ok = matches!(parts.as_slice(), [d, y, n]
        if d.len() == 3 && d.chars().all(|c| c.is_ascii_uppercase())
            && y.len() == 4 && y.chars().all(|c| c.is_ascii_digit())
            && n.len() == 6 && n.chars().all(|c| c.is_ascii_digit()));
    if ok {
        Ok(s)
    } else {
        Err("expected an episode reference such as LDS-2026-000123")
    }
}

/// Clock skew tolerated before a time counts as "in the future".
pub const FUTURE_SKEW: Duration = Duration::minutes(5);

/// The time rules of a report: nothing in the future, and last seen no later than reported.
/// Returns `(field, message)` for each broken rule.
pub fn check_report_times(
    reported_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<(&'static str, &'static str)> {
    let mut problems = Vec::new();
    if !in_storable_range(reported_at) {
        problems.push(("reported_at", "must be a date from 1900 onwards"));
    }
    if !in_storable_range(last_seen_at) {
        problems.push(("last_seen_at", "must be a date from 1900 onwards"));
    }
    if !problems.is_empty() {
        return problems;
    }
    if reported_at > now + FUTURE_SKEW {
        problems.push(("reported_at", "must not be in the future"));
    }
    if last_seen_at > now + FUTURE_SKEW {
        problems.push(("last_seen_at", "must not be in the future"));
    } else if last_seen_at > reported_at {
        problems.push(("last_seen_at", "must not be after reported_at"));
    }
    problems
}

/// Timestamps the database can store and the service will accept: years 1900 to 9999.
pub fn in_storable_range(t: DateTime<Utc>) -> bool {
    (1900..=9999).contains(&t.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use EpisodeStatus::*;

    #[test]
    fn the_lifecycle_allows_only_its_edges() {
        let allowed = [
            (Reported, Active),
            (Reported, Cancelled),
            (Active, Returned),
            (Active, Cancelled),
            (Returned, Closed),
        ];
        for from in EpisodeStatus::ALL {
            for to in EpisodeStatus::ALL {
                assert_eq!(
                    check_transition(*from, *to).is_ok(),
                    allowed.contains(&(*from, *to)),
                    "{from} → {to}"
                );
            }
        }
    }

    #[test]
    fn an_illegal_transition_names_what_is_allowed() {
        let e = check_transition(Reported, Closed).unwrap_err();
        assert_eq!(e.allowed, &[Active, Cancelled]);
        assert!(check_transition(Closed, Active)
            .unwrap_err()
            .allowed
            .is_empty());
    }

    #[test]
    fn only_a_supervisor_closes_and_only_with_an_interview_or_a_reason() {
        use crate::domain::accounts::Role;
        assert_eq!(
            check_closure(Role::Mfhc, true, None),
            Err(ClosureRefused::NotSupervisor)
        );
        assert_eq!(
            check_closure(Role::Supervisor, false, None),
            Err(ClosureRefused::NoInterview)
        );
        assert_eq!(
            check_closure(Role::Supervisor, false, Some("  ")),
            Err(ClosureRefused::NoInterview)
        );
        assert!(check_closure(Role::Supervisor, false, Some("Moved abroad with family")).is_ok());
        assert!(check_closure(Role::Supervisor, true, None).is_ok());
    }

    #[test]
    fn later_events_follow_earlier_ones_and_are_not_in_the_future() {
        let now = Utc::now();
        let seen = now - Duration::hours(5);
        assert!(check_after(
            "returned_at",
            now - Duration::hours(1),
            seen,
            "last_seen_at",
            now
        )
        .is_ok());
        assert_eq!(
            check_after(
                "returned_at",
                seen - Duration::hours(1),
                seen,
                "last_seen_at",
                now
            )
            .unwrap_err()
            .1,
            "must not be before last_seen_at"
        );
        assert!(check_after(
            "returned_at",
            now + Duration::hours(1),
            seen,
            "last_seen_at",
            now
        )
        .is_err());
    }

    #[test]
    fn typed_references_parse_to_the_stored_form() {
        assert_eq!(
            parse_reference(" lds-2026-000123 ").unwrap(),
            "LDS-2026-000123"
        );
        for bad in [
            "LDS-2026-12",
            "LD-2026-000123",
            "LDS2026000123",
            "LDS-2026-00012X",
            "",
        ] {
            assert!(parse_reference(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn references_are_zero_padded() {
        assert_eq!(reference("LDS", 2026, 123), "LDS-2026-000123");
    }

    #[test]
    fn report_times_must_be_past_and_ordered() {
        let now = Utc::now();
        assert!(check_report_times(now, now - Duration::hours(2), now).is_empty());
        assert_eq!(
            check_report_times(now + Duration::hours(1), now, now),
            vec![("reported_at", "must not be in the future")]
        );
        assert_eq!(
            check_report_times(now - Duration::hours(3), now - Duration::hours(1), now),
            vec![("last_seen_at", "must not be after reported_at")]
        );
        assert_eq!(
            check_report_times(now, now + Duration::days(1), now),
            vec![("last_seen_at", "must not be in the future")]
        );
        let ancient = DateTime::parse_from_rfc3339("1800-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(check_report_times(ancient, ancient, now).len(), 2);
        // Within the tolerated skew is fine.
        assert!(check_report_times(now + Duration::minutes(2), now, now).is_empty());
    }
}

/// How many episodes started in the last 3 weeks, 12 weeks and 12 months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, utoipa::ToSchema)]
pub struct RecentCounts {
    pub last_3_weeks: u32,
    pub last_12_weeks: u32,
    pub last_12_months: u32,
}

/// Counts episodes by when they started (reported). Cancelled episodes were never
/// missing and do not count.
pub fn recent_counts(
    episodes: &[(DateTime<Utc>, EpisodeStatus)],
    now: DateTime<Utc>,
) -> RecentCounts {
    let three_weeks = now - Duration::weeks(3);
    let twelve_weeks = now - Duration::weeks(12);
    let twelve_months = now
        .checked_sub_months(chrono::Months::new(12))
        .unwrap_or(now);
    let mut c = RecentCounts::default();
    for (at, status) in episodes {
        if *status == EpisodeStatus::Cancelled || *at > now {
            continue;
        }
        c.last_3_weeks += u32::from(*at >= three_weeks);
        c.last_12_weeks += u32::from(*at >= twelve_weeks);
        c.last_12_months += u32::from(*at >= twelve_months);
    }
    c
}

#[cfg(test)]
mod count_tests {
    use super::*;

    #[test]
    fn counts_use_window_edges_and_skip_cancelled_episodes() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let episodes = [
            (at("2026-11-20T00:00:00Z"), EpisodeStatus::Closed), // 3 days ago
            (at("2026-11-02T12:00:00Z"), EpisodeStatus::Active), // exactly 3 weeks ago: counts
            (at("2026-11-02T11:59:59Z"), EpisodeStatus::Returned), // just outside 3 weeks
            (at("2026-10-01T00:00:00Z"), EpisodeStatus::Cancelled), // never counts
            (at("2025-11-23T12:00:00Z"), EpisodeStatus::Closed), // exactly 12 months ago: counts
            (at("2025-11-23T11:59:59Z"), EpisodeStatus::Closed), // just outside
        ];
        assert_eq!(
            recent_counts(&episodes, now),
            RecentCounts {
                last_3_weeks: 2,
                last_12_weeks: 3,
                last_12_months: 4
            }
        );
    }
}
