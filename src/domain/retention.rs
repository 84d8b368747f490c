//! MoPI review, retention and disposal: when a person's record is next reviewed, and what
//! a decision at review must say.

use chrono::NaiveDate;

/// The force's retention policy (`HOMEWARD_RETENTION_YEARS`,
/// `HOMEWARD_RETENTION_PUBLIC_PROTECTION_YEARS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Years after the last activity to the first review (default 6).
    pub years: u32,
    /// The same where a public-protection marker (CSE, CCE) was ever recorded (default 10).
    pub public_protection_years: u32,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            years: 6,
            public_protection_years: 10,
        }
    }
}

crate::text_enum! {
    /// What a review decides.
    pub enum RetentionDecision {
        Retain => "retain",
        Dispose => "dispose",
    }
}

crate::text_enum! {
    /// Why, modelled on the National Retention Assessment Criteria (MoPI): a reason to
    /// retain, or that no policing purpose remains (to dispose).
    pub enum RetentionReason {
        /// Concerns about a child or vulnerable adult remain.
        ConcernForChildOrVulnerableAdult => "concern_for_child_or_vulnerable_adult",
        /// Evidence of a capacity to cause serious harm (to themselves or others).
        RiskOfSeriousHarm => "risk_of_serious_harm",
        /// A pattern of behaviour (repeated going missing, exploitation) still relevant.
        PatternOfBehaviour => "pattern_of_behaviour",
        /// Subject of public protection arrangements (MAPPA, MARAC and the like).
        PublicProtectionArrangements => "public_protection_arrangements",
        /// Linked to an investigation or proceedings still open.
        OngoingInvestigationOrProceedings => "ongoing_investigation_or_proceedings",
        /// Held for an inquiry, litigation or a statutory requirement.
        LegalHold => "legal_hold",
        /// No policing purpose remains: the record is to be disposed of.
        NoPolicingPurpose => "no_policing_purpose",
        /// Another reason, stated in the note.
        Other => "other",
    }
}

/// Checks a decision: to retain needs a reason to and a next review after `today` (at
/// most ten years on); to dispose is for "no policing purpose" only; "other" needs a note.
pub fn check_decision(
    decision: RetentionDecision,
    reason: RetentionReason,
    note: Option<&str>,
    next_review_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), (&'static str, String)> {
    match decision {
        RetentionDecision::Retain => {
            if reason == RetentionReason::NoPolicingPurpose {
                return Err((
                    "reason",
                    "a record with no policing purpose is disposed of, not retained".into(),
                ));
            }
            let Some(next) = next_review_on else {
                return Err((
                    "next_review_on",
                    "a record retained needs its next review date".into(),
                ));
            };
            if next <= today {
                return Err(("next_review_on", "must be after today".into()));
            }
            if next
                > today
                    .checked_add_months(chrono::Months::new(120))
                    .unwrap_or(today)
            {
                return Err(("next_review_on", "must be within ten years".into()));
            }
        }
        RetentionDecision::Dispose => {
            if reason != RetentionReason::NoPolicingPurpose {
                return Err(("reason", "a record is disposed of only when no policing purpose remains: `no_policing_purpose`".into()));
            }
            if next_review_on.is_some() {
                return Err((
                    "next_review_on",
                    "a record disposed of has no next review".into(),
                ));
            }
        }
    }
    if reason == RetentionReason::Other && note.is_none() {
        return Err(("note", "say what the other reason is".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_decision_says_what_it_must() {
        use RetentionDecision::*;
        use RetentionReason::*;
        let today = day("2026-12-06");
        let next = Some(day("2029-12-06"));
        assert!(check_decision(Retain, PatternOfBehaviour, None, next, today).is_ok());
        assert_eq!(
            check_decision(Retain, PatternOfBehaviour, None, None, today)
                .unwrap_err()
                .0,
            "next_review_on"
        );
        assert_eq!(
            check_decision(Retain, PatternOfBehaviour, None, Some(today), today)
                .unwrap_err()
                .0,
            "next_review_on"
        );
        assert_eq!(
            check_decision(
                Retain,
                PatternOfBehaviour,
                None,
                Some(day("2037-01-01")),
                today
            )
            .unwrap_err()
            .0,
            "next_review_on"
        );
        assert_eq!(
            check_decision(Retain, NoPolicingPurpose, None, next, today)
                .unwrap_err()
                .0,
            "reason"
        );
        assert_eq!(
            check_decision(Retain, Other, None, next, today)
                .unwrap_err()
                .0,
            "note"
        );
        assert!(check_decision(Retain, Other, Some("Inquiry"), next, today).is_ok());
        assert!(check_decision(Dispose, NoPolicingPurpose, None, None, today).is_ok());
        assert_eq!(
            check_decision(Dispose, LegalHold, None, None, today)
                .unwrap_err()
                .0,
            "reason"
        );
        assert_eq!(
            check_decision(Dispose, NoPolicingPurpose, None, next, today)
                .unwrap_err()
                .0,
            "next_review_on"
        );
    }
}
