//! Return home interviews: offered to every child after every episode, by the local
//! authority or its provider, due within 72 hours of the return; lateness is a measure.

use chrono::{DateTime, Duration, Utc};

/// The statutory guidance's deadline.
pub const DUE_WITHIN: Duration = Duration::hours(72);

crate::text_enum! {
    pub enum RhiStatus {
        Pending => "pending",
        Offered => "offered",
        Accepted => "accepted",
        Declined => "declined",
        UnableToContact => "unable_to_contact",
        Completed => "completed",
        NotCompleted => "not_completed",
    }
}

impl RhiStatus {
    pub fn next(self) -> &'static [RhiStatus] {
        use RhiStatus::*;
        match self {
            Pending => &[Offered, UnableToContact],
            Offered => &[Accepted, Declined, UnableToContact],
            Accepted => &[Completed, NotCompleted],
            Declined | UnableToContact | Completed | NotCompleted => &[],
        }
    }

    /// Outcomes that must say why.
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            RhiStatus::Declined | RhiStatus::UnableToContact | RhiStatus::NotCompleted
        )
    }
}

pub fn due_at(returned_at: DateTime<Utc>) -> DateTime<Utc> {
    returned_at + DUE_WITHIN
}

/// Late: completed after the deadline, or still not completed once it has passed.
pub fn is_late(
    status: RhiStatus,
    due: DateTime<Utc>,
    completed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    match (status, completed_at) {
        (RhiStatus::Completed, Some(done)) => done > due,
        _ => now > due,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RhiStatus::*;

    #[test]
    fn the_interview_moves_only_forward() {
        assert!(Pending.next().contains(&Offered));
        assert!(!Pending.next().contains(&Completed));
        assert!(Accepted.next().contains(&Completed));
        for done in [Declined, UnableToContact, Completed, NotCompleted] {
            assert!(done.next().is_empty(), "{done}");
        }
    }

    #[test]
    fn refusals_and_failures_need_reasons() {
        assert!(
            Declined.needs_reason()
                && UnableToContact.needs_reason()
                && NotCompleted.needs_reason()
        );
        assert!(!Completed.needs_reason() && !Offered.needs_reason());
    }

    #[test]
    fn lateness_is_measured_against_72_hours() {
        let returned = Utc::now() - Duration::hours(100);
        let due = due_at(returned);
        assert_eq!(due, returned + Duration::hours(72));
        assert!(!is_late(
            Completed,
            due,
            Some(returned + Duration::hours(71)),
            Utc::now()
        ));
        assert!(is_late(
            Completed,
            due,
            Some(returned + Duration::hours(73)),
            Utc::now()
        ));
        assert!(is_late(Offered, due, None, Utc::now()));
        assert!(!is_late(Offered, due, None, returned + Duration::hours(10)));
    }
}
