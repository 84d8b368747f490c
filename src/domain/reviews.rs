//! Supervisor reviews: how often an open episode must be reviewed, by risk level (force
//! policy, so configuration). A high-risk grading's first review is its supervisor
//! confirmation, so the high-risk interval is also the confirmation deadline.

use chrono::{DateTime, Duration, Utc};

use super::episodes::{EpisodeStatus, RiskLevel};
use crate::ids::UserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewPolicy {
    pub very_low: Duration,
    pub low: Duration,
    pub medium: Duration,
    pub high: Duration,
}

impl Default for ReviewPolicy {
    /// Defaults: very low 24 h, low 12 h, medium 6 h, high 1 h.
    fn default() -> Self {
        ReviewPolicy {
            very_low: Duration::hours(24),
            low: Duration::hours(12),
            medium: Duration::hours(6),
            high: Duration::hours(1),
        }
    }
}

impl ReviewPolicy {
    pub fn interval(&self, level: RiskLevel) -> Duration {
        match level {
            RiskLevel::VeryLow => self.very_low,
            RiskLevel::Low => self.low,
            RiskLevel::Medium => self.medium,
            RiskLevel::High => self.high,
        }
    }

    /// Parses `very_low:1440,low:720,medium:360,high:60` (minutes); levels left out keep
    /// their defaults. Higher risk may not be reviewed less often than lower risk.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut p = ReviewPolicy::default();
        for part in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (level, minutes) = part
                .split_once(':')
                .ok_or_else(|| format!("{part:?} is not level:minutes"))?;
            let level: RiskLevel = level
                .trim()
                .parse()
                .map_err(|e| format!("{level:?}: {e}"))?;
            let minutes: i64 = minutes
                .trim()
                .parse()
                .ok()
                .filter(|m| (5..=7 * 24 * 60).contains(m))
                .ok_or_else(|| format!("{part:?}: minutes must be from 5 to 10080"))?;
            let d = Duration::minutes(minutes);
            match level {
                RiskLevel::VeryLow => p.very_low = d,
                RiskLevel::Low => p.low = d,
                RiskLevel::Medium => p.medium = d,
                RiskLevel::High => p.high = d,
            }
        }
        if !(p.high <= p.medium && p.medium <= p.low && p.low <= p.very_low) {
            return Err(
                "higher risk levels must be reviewed at least as often as lower ones".into(),
            );
        }
        Ok(p)
    }

    /// When the first review of a new episode is due.
    pub fn first_due(&self, level: RiskLevel, reported_at: DateTime<Utc>) -> DateTime<Utc> {
        reported_at + self.interval(level)
    }

    /// After a re-grading: the sooner of the current due time and the new level's.
    pub fn due_after_regrade(
        &self,
        current: Option<DateTime<Utc>>,
        level: RiskLevel,
        graded_at: DateTime<Utc>,
    ) -> DateTime<Utc> {
        let by_level = graded_at + self.interval(level);
        current.map_or(by_level, |c| c.min(by_level))
    }

    /// After a review: a full interval at the current level.
    pub fn due_after_review(&self, level: RiskLevel, reviewed_at: DateTime<Utc>) -> DateTime<Utc> {
        reviewed_at + self.interval(level)
    }
}

/// A high-risk grading's supervisor confirmation: due one high-risk interval after the
/// grading. A supervisor's own high grading is its confirmation; otherwise the first
/// review at or after the grading confirms it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Confirmation {
    pub graded_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub confirmed_by: Option<UserId>,
    /// How it was confirmed, once it was.
    pub confirmed_how: Option<ConfirmedHow>,
}

crate::text_enum! {
    /// How a high-risk grading was confirmed.
    pub enum ConfirmedHow {
        /// The supervisor graded it high.
        SupervisorGrading => "supervisor_grading",
        /// A supervisor reviewed the episode after the grading.
        SupervisorReview => "supervisor_review",
    }
}

impl Confirmation {
    /// Not confirmed by the deadline (whether or not it has been since).
    pub fn late(&self, now: DateTime<Utc>) -> bool {
        self.confirmed_at.unwrap_or(now) > self.due_at
    }
}

/// The latest grading of an episode: when, by whom, and whether the grader was a
/// supervisor at the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatestGrading {
    pub level: RiskLevel,
    pub graded_at: DateTime<Utc>,
    pub graded_by: UserId,
    pub by_supervisor: bool,
}

/// The confirmation the current grading needs: `None` unless the episode is graded
/// high. `reviews` lists the episode's reviews (when, by whom) in any order.
pub fn high_risk_confirmation(
    policy: &ReviewPolicy,
    latest: LatestGrading,
    reviews: impl IntoIterator<Item = (DateTime<Utc>, UserId)>,
) -> Option<Confirmation> {
    if latest.level != RiskLevel::High {
        return None;
    }
    let confirmed = if latest.by_supervisor {
        Some((
            latest.graded_at,
            latest.graded_by,
            ConfirmedHow::SupervisorGrading,
        ))
    } else {
        reviews
            .into_iter()
            .filter(|(at, _)| *at >= latest.graded_at)
            .min_by_key(|(at, _)| *at)
            .map(|(at, by)| (at, by, ConfirmedHow::SupervisorReview))
    };
    Some(Confirmation {
        graded_at: latest.graded_at,
        due_at: latest.graded_at + policy.high,
        confirmed_at: confirmed.map(|c| c.0),
        confirmed_by: confirmed.map(|c| c.1),
        confirmed_how: confirmed.map(|c| c.2),
    })
}

/// Only open episodes (reported or active) are reviewed.
pub fn is_reviewable(status: EpisodeStatus) -> bool {
    matches!(status, EpisodeStatus::Reported | EpisodeStatus::Active)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_follow_the_level() {
        let p = ReviewPolicy::default();
        let t = Utc::now();
        assert_eq!(p.first_due(RiskLevel::High, t), t + Duration::hours(1));
        assert_eq!(p.first_due(RiskLevel::VeryLow, t), t + Duration::hours(24));
    }

    #[test]
    fn raising_risk_brings_the_review_forward_but_lowering_never_delays_it() {
        let p = ReviewPolicy::default();
        let t = Utc::now();
        let due = p.first_due(RiskLevel::Medium, t); // t + 6h
        assert_eq!(
            p.due_after_regrade(Some(due), RiskLevel::High, t + Duration::hours(1)),
            t + Duration::hours(2)
        );
        assert_eq!(
            p.due_after_regrade(Some(due), RiskLevel::Low, t + Duration::hours(1)),
            due
        );
        assert_eq!(
            p.due_after_regrade(None, RiskLevel::Low, t),
            t + Duration::hours(12)
        );
    }

    #[test]
    fn policies_parse_and_are_checked() {
        let p = ReviewPolicy::parse("high:30, medium:240").unwrap();
        assert_eq!(p.high, Duration::minutes(30));
        assert_eq!(p.medium, Duration::hours(4));
        assert_eq!(p.low, Duration::hours(12));
        assert!(ReviewPolicy::parse("high:600,medium:60")
            .unwrap_err()
            .contains("at least as often"));
        assert!(ReviewPolicy::parse("extreme:5").is_err());
        assert!(ReviewPolicy::parse("high:1").is_err());
        assert!(ReviewPolicy::parse("high").is_err());
        assert_eq!(ReviewPolicy::parse("").unwrap(), ReviewPolicy::default());
    }

    fn graded(level: RiskLevel, at: DateTime<Utc>, by_supervisor: bool) -> LatestGrading {
        LatestGrading {
            level,
            graded_at: at,
            graded_by: UserId(uuid::Uuid::from_u128(1)),
            by_supervisor,
        }
    }

    #[test]
    fn an_officers_high_grading_needs_a_review_after_it() {
        let p = ReviewPolicy::default();
        let t = Utc::now();
        let sup = UserId(uuid::Uuid::from_u128(2));
        assert_eq!(
            high_risk_confirmation(&p, graded(RiskLevel::Medium, t, false), []),
            None
        );
        let waiting = high_risk_confirmation(
            &p,
            graded(RiskLevel::High, t, false),
            [(t - Duration::minutes(5), sup)],
        )
        .expect("high risk needs confirming");
        assert_eq!(waiting.due_at, t + Duration::hours(1));
        assert_eq!(
            waiting.confirmed_at, None,
            "a review before the grading does not count"
        );
        assert!(!waiting.late(t + Duration::minutes(59)));
        assert!(waiting.late(t + Duration::minutes(61)));
        let later = t + Duration::minutes(90);
        let confirmed = high_risk_confirmation(
            &p,
            graded(RiskLevel::High, t, false),
            [(later, sup), (t + Duration::minutes(30), sup)],
        )
        .unwrap();
        assert_eq!(confirmed.confirmed_at, Some(t + Duration::minutes(30)));
        assert_eq!(confirmed.confirmed_by, Some(sup));
        assert_eq!(
            confirmed.confirmed_how,
            Some(ConfirmedHow::SupervisorReview)
        );
        assert!(!confirmed.late(later));
        let late =
            high_risk_confirmation(&p, graded(RiskLevel::High, t, false), [(later, sup)]).unwrap();
        assert!(late.late(later));
    }

    #[test]
    fn a_supervisors_high_grading_is_its_own_confirmation() {
        let p = ReviewPolicy::default();
        let t = Utc::now();
        let c = high_risk_confirmation(&p, graded(RiskLevel::High, t, true), []).unwrap();
        assert_eq!(c.confirmed_at, Some(t));
        assert_eq!(c.confirmed_by, Some(UserId(uuid::Uuid::from_u128(1))));
        assert_eq!(c.confirmed_how, Some(ConfirmedHow::SupervisorGrading));
        assert!(!c.late(t + Duration::days(1)));
    }

    #[test]
    fn only_open_episodes_are_reviewed() {
        for s in EpisodeStatus::ALL {
            assert_eq!(
                is_reviewable(*s),
                matches!(s, EpisodeStatus::Reported | EpisodeStatus::Active)
            );
        }
    }
}
