//! Early Action referrals: where they come from, why, their lifecycle, and the rules for
//! triage meetings, intervention plans and consent.

use chrono::{Duration, NaiveDate};

crate::text_enum! {
    pub enum ReferralSource {
        FrontlineOfficer => "frontline_officer",
        /// The daily search of police systems.
        DailySearch => "daily_search",
        MissingTrigger => "missing_trigger",
        /// The MASH / children's social care "front door".
        Mash => "mash",
        Partner => "partner",
    }
}

crate::text_enum! {
    pub enum ReferralReason {
        FirstTimeMissing => "first_time_missing",
        SuddenMultipleMissing => "sudden_multiple_missing",
        RepeatMissing => "repeat_missing",
        AdolescentToParentViolence => "adolescent_to_parent_violence",
        DomesticAbuse => "domestic_abuse",
        FirstTimeOffence => "first_time_offence",
        LinkedToMultipleCrimes => "linked_to_multiple_crimes",
        ExploitationRisk => "exploitation_risk",
        Other => "other",
    }
}

crate::text_enum! {
    pub enum ReferralStatus {
        Received => "received",
        Triage => "triage",
        Accepted => "accepted",
        Declined => "declined",
        /// To statutory services.
        Redirected => "redirected",
        Active => "active",
        Closed => "closed",
    }
}

crate::text_enum! {
    pub enum ClosureReason {
        OutcomesMet => "outcomes_met",
        DeclinedOrWithdrew => "declined_or_withdrew",
        EscalatedToStatutory => "escalated_to_statutory",
        MovedOutOfArea => "moved_out_of_area",
        Turned18 => "turned_18",
        NoEngagement => "no_engagement",
    }
}

crate::text_enum! {
    /// Consent to the *service* (not the basis for sharing information).
    pub enum Consent {
        NotSought => "not_sought",
        Given => "given",
        Refused => "refused",
        Withdrawn => "withdrawn",
    }
}

crate::text_enum! {
    pub enum ConsentBy {
        YoungPerson => "young_person",
        ParentOrCarer => "parent_or_carer",
        Both => "both",
    }
}

impl ReferralStatus {
    pub fn next(self) -> &'static [ReferralStatus] {
        use ReferralStatus::*;
        match self {
            Received => &[Triage],
            Triage => &[Accepted, Declined, Redirected],
            // An accepted referral may end before the work starts (withdrew, moved...).
            Accepted => &[Active, Closed],
            Active => &[Closed],
            Declined | Redirected | Closed => &[],
        }
    }

    /// Triage meetings are held while the referral is being triaged or worked.
    pub fn holds_meetings(self) -> bool {
        matches!(
            self,
            ReferralStatus::Triage | ReferralStatus::Accepted | ReferralStatus::Active
        )
    }
}

/// A status change as asked for, with what each target needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// `triage`, `accepted` or `active`: nothing more.
    Move(ReferralStatus),
    Decline {
        reason: String,
    },
    Redirect {
        to: String,
        reason: String,
    },
    Close {
        reason: ClosureReason,
    },
}

impl Decision {
    pub fn target(&self) -> ReferralStatus {
        match self {
            Decision::Move(s) => *s,
            Decision::Decline { .. } => ReferralStatus::Declined,
            Decision::Redirect { .. } => ReferralStatus::Redirected,
            Decision::Close { .. } => ReferralStatus::Closed,
        }
    }
}

/// Why a change is refused, beyond the transition table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    Illegal {
        from: ReferralStatus,
        to: ReferralStatus,
    },
    /// Going active needs an intervention plan.
    NoPlan,
}

pub fn check_decision(
    from: ReferralStatus,
    decision: &Decision,
    has_plan: bool,
) -> Result<(), Refused> {
    let to = decision.target();
    if !from.next().contains(&to) {
        return Err(Refused::Illegal { from, to });
    }
    if to == ReferralStatus::Active && !has_plan {
        return Err(Refused::NoPlan);
    }
    Ok(())
}

/// The longest gap between intervention plan reviews (they are every 6–8 weeks).
pub const MAX_REVIEW_GAP: Duration = Duration::weeks(8);

/// Review dates: from `today` on, strictly ascending, each within eight weeks of the
/// one before (the first within eight weeks of `today`).
pub fn check_review_dates(dates: &[NaiveDate], today: NaiveDate) -> Result<(), String> {
    if dates.is_empty() {
        return Err("give at least the first review date".into());
    }
    let mut previous = today;
    for (i, d) in dates.iter().enumerate() {
        if i == 0 && *d < today {
            return Err("review dates cannot be in the past".into());
        }
        if i > 0 && *d <= previous {
            return Err("review dates must be in ascending order, without repeats".into());
        }
        if *d - previous > MAX_REVIEW_GAP {
            return Err(format!(
                "reviews are every 6 to 8 weeks: {d} is more than 8 weeks after {previous}"
            ));
        }
        previous = *d;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferralStatus::*;

    #[test]
    fn referrals_follow_the_lifecycle() {
        assert!(check_decision(Received, &Decision::Move(Triage), false).is_ok());
        assert!(check_decision(Triage, &Decision::Move(Accepted), false).is_ok());
        assert!(check_decision(Triage, &Decision::Decline { reason: "x".into() }, false).is_ok());
        assert_eq!(
            check_decision(Received, &Decision::Move(Accepted), false),
            Err(Refused::Illegal {
                from: Received,
                to: Accepted
            })
        );
        assert_eq!(
            check_decision(
                Triage,
                &Decision::Close {
                    reason: ClosureReason::OutcomesMet
                },
                false
            ),
            Err(Refused::Illegal {
                from: Triage,
                to: Closed
            })
        );
        for terminal in [Declined, Redirected, Closed] {
            assert!(terminal.next().is_empty());
        }
    }

    #[test]
    fn going_active_needs_a_plan() {
        assert_eq!(
            check_decision(Accepted, &Decision::Move(Active), false),
            Err(Refused::NoPlan)
        );
        assert!(check_decision(Accepted, &Decision::Move(Active), true).is_ok());
    }

    #[test]
    fn review_dates_are_every_six_to_eight_weeks() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let d = |days| today + Duration::days(days);
        assert!(check_review_dates(&[d(42), d(84), d(140)], today).is_ok());
        assert!(check_review_dates(&[d(56)], today).is_ok());
        assert!(check_review_dates(&[d(57)], today).is_err());
        assert!(check_review_dates(&[d(42), d(42 + 57)], today).is_err());
        assert!(check_review_dates(&[d(42), d(30)], today).is_err());
        assert!(check_review_dates(&[d(-1)], today).is_err());
        assert!(check_review_dates(&[], today).is_err());
    }
}
