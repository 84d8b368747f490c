//! Subject access (DPA 2018 s.45): the deadline, the decision, and which fields of what
//! is released hold information about other people and so need a disclosure officer's
//! review before release (marked, never silently dropped).

use chrono::{Months, NaiveDate};
use serde::Serialize;
use serde_json::Value;

crate::text_enum! {
    /// Where a request stands.
    pub enum SarStatus {
        /// Received and assembled; not yet decided.
        Open => "open",
        /// Released to the requester.
        Released => "released",
        /// Refused, wholly, under a s.45(4) restriction (the note says which).
        Refused => "refused",
    }
}

crate::text_enum! {
    /// A disclosure officer's decision on an open request.
    pub enum SarDecision {
        Release => "release",
        Refuse => "refuse",
    }
}

/// The statutory deadline: one calendar month from receipt (the same day of the next
/// month, or its last day).
pub fn due_on(received: NaiveDate) -> NaiveDate {
    received
        .checked_add_months(Months::new(1))
        .unwrap_or(received)
}

/// The latest an extension may move the deadline to: three months from receipt.
pub fn latest_extension(received: NaiveDate) -> NaiveDate {
    received
        .checked_add_months(Months::new(3))
        .unwrap_or(received)
}

/// Checks an extension: later than the current deadline, at most three months from
/// receipt.
pub fn check_extension(
    received: NaiveDate,
    current_due: NaiveDate,
    new_due: NaiveDate,
) -> Result<(), String> {
    if new_due <= current_due {
        return Err(format!("must be after the current deadline, {current_due}"));
    }
    let latest = latest_extension(received);
    if new_due > latest {
        return Err(format!(
            "may be at most three months from receipt, {latest}"
        ));
    }
    Ok(())
}

/// The fields that may hold information about someone other than the data subject, by
/// section of the bundle, with why. Free text is always among them.
pub const THIRD_PARTY_FIELDS: &[(&str, &str, &str)] = &[
    (
        "restrictions",
        "reason",
        "free text: may name who contested the record",
    ),
    (
        "rectification_notes",
        "request",
        "free text: may name who asked",
    ),
    (
        "episodes",
        "reporter_details",
        "identifies the person who reported the absence",
    ),
    (
        "episodes",
        "circumstances",
        "free text: may name or describe other people",
    ),
    (
        "episodes",
        "last_seen_location",
        "may be another person's address",
    ),
    (
        "episodes",
        "cancelled_reason",
        "free text: may name other people",
    ),
    (
        "episodes",
        "no_interview_reason",
        "free text: may name other people",
    ),
    ("returns", "location", "may be another person's address"),
    ("returns", "found_by", "may identify who found them"),
    (
        "returns",
        "harm_details",
        "free text: may name other people",
    ),
    (
        "prevention_interviews",
        "disclosures",
        "what was disclosed: may name other people",
    ),
    (
        "prevention_interviews",
        "referrals_made",
        "free text: may name other people",
    ),
    (
        "prevention_interviews",
        "conducted_by",
        "identifies a member of staff",
    ),
    (
        "risk_gradings",
        "rationale",
        "free text: may name other people",
    ),
    (
        "risk_gradings",
        "information",
        "free text: may name other people",
    ),
    (
        "supervisor_reviews",
        "outcome",
        "free text: may name other people",
    ),
    (
        "episode_transfers",
        "reason",
        "free text: may name other people",
    ),
    (
        "return_home_interviews",
        "status_reason",
        "free text: may name other people",
    ),
    ("markers", "details", "free text: may name other people"),
    ("markers", "source", "identifies who gave the information"),
    ("placements", "provider", "identifies carers or a provider"),
    (
        "protocol_profiles",
        "associates",
        "names associates (Philomena profile)",
    ),
    (
        "protocol_profiles",
        "contact_details",
        "contact details of other people",
    ),
    (
        "protocol_profiles",
        "places",
        "places linked to other people",
    ),
    (
        "protocol_profiles",
        "missing_history",
        "free text: may name other people",
    ),
    ("protocol_profiles", "routine", "free text: may name carers"),
    (
        "protocol_profiles",
        "description",
        "free text: may name other people",
    ),
    (
        "triggers",
        "closure_note",
        "free text: may name other people",
    ),
    (
        "triggers",
        "withdrawn_reason",
        "free text: may name other people",
    ),
    (
        "markers",
        "ended_reason",
        "free text: may name other people",
    ),
    (
        "shares",
        "revoke_reason",
        "free text: may name other people",
    ),
    (
        "referrals",
        "redirected_to",
        "may name another service or practitioner",
    ),
    (
        "trigger_plans",
        "summary",
        "free text: may name other people",
    ),
    ("referrals", "summary", "free text: may name other people"),
    (
        "referrals",
        "decision_reason",
        "free text: may name other people",
    ),
    (
        "referrals",
        "closure_reason",
        "free text: may name other people",
    ),
    ("referrals", "consent_by", "identifies who gave consent"),
    (
        "triage_meetings",
        "decisions",
        "free text: may name other people",
    ),
    (
        "intervention_plans",
        "lead_practitioner",
        "identifies a practitioner",
    ),
    (
        "intervention_plans",
        "goals",
        "free text: may name other people",
    ),
    ("actions", "description", "free text: may name other people"),
    ("actions", "outcome", "free text: may name other people"),
    (
        "person_merges",
        "reason",
        "free text: may name other people",
    ),
    ("shares", "purpose", "free text: may name other people"),
];

/// One field a disclosure officer must review before release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReviewNote {
    /// The bundle's section, e.g. `episodes`.
    pub section: String,
    /// The row's id (or its episode's, for one-per-episode rows).
    pub record_id: Option<String>,
    pub field: String,
    /// Why it needs review.
    pub reason: String,
}

/// Every non-empty field of `bundle` that may hold information about other people.
pub fn fields_for_review(bundle: &Value) -> Vec<ReviewNote> {
    let mut out = Vec::new();
    for (section, field, reason) in THIRD_PARTY_FIELDS {
        let Some(rows) = bundle.get(section).and_then(Value::as_array) else {
            continue;
        };
        for row in rows {
            let filled = match row.get(field) {
                Some(Value::String(s)) => !s.trim().is_empty(),
                Some(Value::Array(a)) => !a.is_empty(),
                Some(Value::Null) | None => false,
                Some(_) => true,
            };
            if filled {
                let id = row
                    .get("id")
                    .or_else(|| row.get("episode_id"))
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                out.push(ReviewNote {
                    section: (*section).to_owned(),
                    record_id: id,
                    field: (*field).to_owned(),
                    reason: (*reason).to_owned(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_deadline_is_one_calendar_month_and_extensions_at_most_three() {
        assert_eq!(due_on(day("2026-01-15")), day("2026-02-15"));
        assert_eq!(due_on(day("2026-01-31")), day("2026-02-28"));
        assert_eq!(latest_extension(day("2026-01-31")), day("2026-04-30"));
        let (r, d) = (day("2026-01-15"), day("2026-02-15"));
        assert!(check_extension(r, d, day("2026-03-01")).is_ok());
        assert!(check_extension(r, d, day("2026-04-15")).is_ok());
        assert!(check_extension(r, d, day("2026-04-16")).is_err());
        assert!(check_extension(r, d, d).is_err());
    }

    #[test]
    fn filled_fields_about_other_people_are_marked_and_empty_ones_are_not() {
        let bundle = json!({
            "episodes": [
                { "id": "e1", "reporter_details": "Mum, 07700 900000", "circumstances": "" },
                { "id": "e2", "reporter_details": "", "circumstances": "Left with J. Smith" }
            ],
            "returns": [ { "episode_id": "e1", "found_by": "Aunt" } ],
            "protocol_profiles": [ { "id": "p1", "associates": null } ],
        });
        let notes = fields_for_review(&bundle);
        let got: Vec<(&str, Option<&str>, &str)> = notes
            .iter()
            .map(|n| (n.section.as_str(), n.record_id.as_deref(), n.field.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("episodes", Some("e1"), "reporter_details"),
                ("episodes", Some("e2"), "circumstances"),
                ("returns", Some("e1"), "found_by"),
            ]
        );
    }
}
