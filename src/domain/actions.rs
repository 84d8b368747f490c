//! Partner actions: owned by an agency, due on a date, `open → in_progress → done |
//! cancelled`, with an outcome; overdue is computed, never stored.

use chrono::NaiveDate;

crate::text_enum! {
    pub enum ActionStatus {
        Open => "open",
        InProgress => "in_progress",
        Done => "done",
        Cancelled => "cancelled",
    }
}

crate::text_enum! {
    /// The record an action belongs to.
    pub enum ActionParent {
        Episode => "episode",
        Trigger => "trigger",
        Referral => "referral",
    }
}

impl ActionStatus {
    pub fn next(self) -> &'static [ActionStatus] {
        use ActionStatus::*;
        match self {
            Open => &[InProgress, Done, Cancelled],
            InProgress => &[Done, Cancelled],
            Done | Cancelled => &[],
        }
    }

    /// Done and cancelled actions carry their outcome.
    pub fn is_finished(self) -> bool {
        matches!(self, ActionStatus::Done | ActionStatus::Cancelled)
    }
}

/// Overdue: not finished and the due date has passed.
pub fn is_overdue(status: ActionStatus, due_on: NaiveDate, today: NaiveDate) -> bool {
    !status.is_finished() && due_on < today
}

/// A new or moved due date cannot already have passed.
pub fn check_due(due_on: NaiveDate, today: NaiveDate) -> Result<(), &'static str> {
    if due_on < today {
        Err("the due date has already passed")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn overdue_means_unfinished_after_the_due_date() {
        assert!(!is_overdue(ActionStatus::Open, day(20), day(20)));
        assert!(is_overdue(ActionStatus::Open, day(19), day(20)));
        assert!(is_overdue(ActionStatus::InProgress, day(19), day(20)));
        assert!(!is_overdue(ActionStatus::Done, day(1), day(20)));
        assert!(!is_overdue(ActionStatus::Cancelled, day(1), day(20)));
    }

    #[test]
    fn actions_move_forward_only() {
        use ActionStatus::*;
        assert!(Open.next().contains(&InProgress));
        assert!(InProgress.next().contains(&Done));
        assert!(!InProgress.next().contains(&Open));
        assert!(Done.next().is_empty() && Cancelled.next().is_empty());
    }

    #[test]
    fn due_dates_cannot_be_in_the_past() {
        assert!(check_due(day(20), day(20)).is_ok());
        assert!(check_due(day(19), day(20)).is_err());
    }
}
