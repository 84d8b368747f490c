//! The national clocks of the Statutory Code of Practice (2009): a person still missing
//! 72 hours after the report must have been notified to the UK Missing Persons Unit
//! (UKMPU), and every missing person recorded on the Police National Computer (PNC)
//! within 48 hours. Force policy may shorten or lengthen them (configuration); both run
//! from the report, when the police knew, and only while the episode is open.

use chrono::{DateTime, Duration, Utc};

use super::episodes::EpisodeStatus;

crate::text_enum! {
    /// The two national notifications.
    pub enum NationalKind {
        /// Notified to the UK Missing Persons Unit.
        Ukmpu => "ukmpu",
        /// Recorded on the Police National Computer.
        Pnc => "pnc",
    }
}

crate::text_enum! {
    /// Where one clock stands.
    pub enum ClockState {
        /// Open, not yet done, the deadline still ahead.
        Pending => "pending",
        /// Open, not done, the deadline passed.
        Overdue => "overdue",
        Done => "done",
        /// The episode ended (returned, closed or cancelled) without it being done.
        NotRequired => "not_required",
    }
}

crate::text_enum! {
    /// A worklist filter: outstanding (`due`), or outstanding past the deadline.
    pub enum Outstanding {
        Due => "due",
        Overdue => "overdue",
    }
}

/// How long after the report each must be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NationalPolicy {
    pub ukmpu: Duration,
    pub pnc: Duration,
}

impl Default for NationalPolicy {
    /// UKMPU 72 hours, PNC 48 hours.
    fn default() -> Self {
        NationalPolicy {
            ukmpu: Duration::hours(72),
            pnc: Duration::hours(48),
        }
    }
}

impl NationalPolicy {
    pub fn within(&self, kind: NationalKind) -> Duration {
        match kind {
            NationalKind::Ukmpu => self.ukmpu,
            NationalKind::Pnc => self.pnc,
        }
    }

    /// From hours as configured: 1 to 720 each.
    pub fn from_hours(ukmpu: i64, pnc: i64) -> Result<Self, String> {
        let check = |name: &str, h: i64| {
            (1..=720)
                .contains(&h)
                .then(|| Duration::hours(h))
                .ok_or_else(|| format!("{name} must be from 1 to 720 hours, not {h}"))
        };
        Ok(NationalPolicy {
            ukmpu: check("HOMEWARD_UKMPU_NOTIFY_HOURS", ukmpu)?,
            pnc: check("HOMEWARD_PNC_RECORD_HOURS", pnc)?,
        })
    }
}

/// One clock of one episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub kind: NationalKind,
    pub due_at: DateTime<Utc>,
    pub state: ClockState,
}

/// The clock of `kind` for an episode reported at `reported_at`, now `status`, done at
/// `done_at` if it was.
pub fn clock(
    policy: &NationalPolicy,
    kind: NationalKind,
    reported_at: DateTime<Utc>,
    status: EpisodeStatus,
    done_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Clock {
    let due_at = reported_at + policy.within(kind);
    let open = matches!(status, EpisodeStatus::Reported | EpisodeStatus::Active);
    let state = match (done_at, open) {
        (Some(_), _) => ClockState::Done,
        (None, false) => ClockState::NotRequired,
        (None, true) if now > due_at => ClockState::Overdue,
        (None, true) => ClockState::Pending,
    };
    Clock {
        kind,
        due_at,
        state,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_clock_runs_from_the_report_while_the_episode_is_open() {
        let p = NationalPolicy::default();
        let t = Utc::now();
        let ukmpu = |status, done, now| clock(&p, NationalKind::Ukmpu, t, status, done, now);
        assert_eq!(
            ukmpu(EpisodeStatus::Active, None, t).due_at,
            t + Duration::hours(72)
        );
        assert_eq!(
            ukmpu(EpisodeStatus::Active, None, t + Duration::hours(71)).state,
            ClockState::Pending
        );
        assert_eq!(
            ukmpu(EpisodeStatus::Reported, None, t + Duration::hours(73)).state,
            ClockState::Overdue
        );
        assert_eq!(
            ukmpu(EpisodeStatus::Active, Some(t), t + Duration::hours(73)).state,
            ClockState::Done
        );
        assert_eq!(
            ukmpu(EpisodeStatus::Returned, None, t + Duration::hours(73)).state,
            ClockState::NotRequired,
            "found before it was done: nothing is owed"
        );
        let pnc = clock(
            &p,
            NationalKind::Pnc,
            t,
            EpisodeStatus::Active,
            None,
            t + Duration::hours(49),
        );
        assert_eq!(pnc.due_at, t + Duration::hours(48));
        assert_eq!(pnc.state, ClockState::Overdue);
    }

    #[test]
    fn configured_hours_are_bounded() {
        assert_eq!(
            NationalPolicy::from_hours(72, 48).unwrap(),
            NationalPolicy::default()
        );
        assert!(NationalPolicy::from_hours(0, 48)
            .unwrap_err()
            .contains("UKMPU"));
        assert!(NationalPolicy::from_hours(72, 721)
            .unwrap_err()
            .contains("PNC"));
    }
}
