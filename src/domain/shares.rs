//! Sharing is disclosure: which parts of which records may go to a partner agency. The
//! database enforces what a partner then sees; these rules check a share as asked for.

use chrono::{DateTime, Utc};

crate::text_enum! {
    pub enum SharedRecord {
        Episode => "episode",
        Trigger => "trigger",
        Referral => "referral",
    }
}

crate::text_enum! {
    /// A part of a record that can be shared. `summary` (the record itself and who it
    /// is about) is always part of a share.
    pub enum Part {
        Summary => "summary",
        /// Episode: risk gradings and supervisor reviews.
        Risk => "risk",
        /// Episode: the return and the prevention interview.
        Return => "return",
        /// Episode: the return home interview.
        ReturnInterview => "return_interview",
        /// The person's markers (CSE, CCE, mental health...).
        Markers => "markers",
        /// Trigger: the trigger plan; referral: the intervention plan.
        Plan => "plan",
        /// Referral: triage meetings.
        Triage => "triage",
    }
}

impl SharedRecord {
    /// The parts this kind of record has.
    pub fn parts(self) -> &'static [Part] {
        use Part::*;
        match self {
            SharedRecord::Episode => &[Summary, Risk, Return, ReturnInterview, Markers],
            SharedRecord::Trigger => &[Summary, Plan, Markers],
            SharedRecord::Referral => &[Summary, Triage, Plan, Markers],
        }
    }
}

/// The parts to share: each one this record has, `summary` included, no repeats.
pub fn check_parts(record: SharedRecord, parts: &[Part]) -> Result<Vec<Part>, String> {
    let mut out: Vec<Part> = Vec::new();
    for p in parts {
        if !record.parts().contains(p) {
            return Err(format!(
                "{} has no part `{p}`; its parts are: {}",
                super::text::with_article(record.as_str()),
                record
                    .parts()
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !out.contains(p) {
            out.push(*p);
        }
    }
    if !out.contains(&Part::Summary) {
        return Err("a share always includes `summary`: the record and who it is about".into());
    }
    Ok(out)
}

/// An expiry, if given, must be in the future.
pub fn check_expiry(
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), &'static str> {
    match expires_at {
        Some(t) if t <= now => Err("the expiry must be in the future"),
        _ => Ok(()),
    }
}

/// In force: not revoked and not expired.
pub fn is_in_force(
    revoked_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    revoked_at.is_none() && expires_at.is_none_or(|t| t > now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn parts_must_belong_to_the_record_and_include_the_summary() {
        use Part::*;
        assert_eq!(
            check_parts(SharedRecord::Episode, &[Summary, Markers, Summary]).unwrap(),
            vec![Summary, Markers]
        );
        assert!(check_parts(SharedRecord::Episode, &[Summary, Triage]).is_err());
        assert!(check_parts(SharedRecord::Trigger, &[Summary, Return]).is_err());
        assert!(check_parts(SharedRecord::Referral, &[Triage]).is_err());
        assert!(check_parts(SharedRecord::Referral, &[Summary, Triage, Plan]).is_ok());
    }

    #[test]
    fn shares_end_on_revocation_or_expiry() {
        let now = Utc::now();
        assert!(is_in_force(None, None, now));
        assert!(is_in_force(None, Some(now + Duration::hours(1)), now));
        assert!(!is_in_force(None, Some(now), now));
        assert!(!is_in_force(Some(now), None, now));
        assert!(check_expiry(Some(now - Duration::seconds(1)), now).is_err());
        assert!(check_expiry(None, now).is_ok());
    }
}
