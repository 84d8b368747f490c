//! What is recorded about a person before and between episodes: markers, looked-after
//! placements, Philomena / Herbert protocol profiles, and the rules for merging two
//! records of the same person.

use chrono::NaiveDate;

use super::persons::{fold, is_child};

crate::text_enum! {
    /// A risk or vulnerability marker on a person.
    pub enum MarkerKind {
        CseRisk => "cse_risk",
        CceRisk => "cce_risk",
        MentalHealth => "mental_health",
        SelfHarm => "self_harm",
        Dementia => "dementia",
    }
}

crate::text_enum! {
    /// Where a looked-after child is placed.
    pub enum PlacementKind {
        RegulatedChildrensHome => "regulated_childrens_home",
        UnregulatedChildrensHome => "unregulated_childrens_home",
        Foster => "foster",
        Family => "family",
    }
}

crate::text_enum! {
    /// Information gathered by the carer before anyone goes missing.
    pub enum Protocol {
        /// Children in care.
        Philomena => "philomena",
        /// People living with dementia.
        Herbert => "herbert",
    }
}

/// A marker's review date: from today to five years ahead.
pub fn check_review_on(review_on: NaiveDate, today: NaiveDate) -> Result<NaiveDate, &'static str> {
    if review_on < today {
        return Err("must not be in the past");
    }
    if review_on > today + chrono::Months::new(60) {
        return Err("must be within five years");
    }
    Ok(review_on)
}

/// A date something happened (a marker ended, a profile was reviewed): not in the
/// future.
pub fn check_past_date(d: NaiveDate, today: NaiveDate) -> Result<NaiveDate, &'static str> {
    if d > today {
        return Err("must not be in the future");
    }
    Ok(d)
}

/// Whether a live marker is past its review date.
pub fn review_overdue(review_on: NaiveDate, ended: bool, today: NaiveDate) -> bool {
    !ended && review_on < today
}

/// Only children are looked after: refused for a person known to be 18 or over on `on`.
pub fn check_child_only(
    date_of_birth: Option<NaiveDate>,
    on: NaiveDate,
    what: &str,
) -> Result<(), String> {
    match date_of_birth {
        Some(dob) if !is_child(dob, on) => Err(format!(
            "{what} is only for children, and this person was 18 or over on {on}"
        )),
        _ => Ok(()),
    }
}

/// A placement's span, inclusive; `None` for an open end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

impl Span {
    /// `ends_on` before `starts_on` is refused, naming `ends_on`.
    pub fn new(starts_on: NaiveDate, ends_on: Option<NaiveDate>) -> Result<Span, &'static str> {
        match ends_on {
            Some(end) if end < starts_on => Err("must not be before starts_on"),
            _ => Ok(Span { starts_on, ends_on }),
        }
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && self.ends_on.is_none_or(|end| day <= end)
    }

    pub fn overlaps(&self, other: &Span) -> bool {
        self.ends_on.is_none_or(|end| other.starts_on <= end)
            && other.ends_on.is_none_or(|end| self.starts_on <= end)
    }
}

/// Which profile fields belong to which protocol, so a field of the other protocol can
/// be refused by name.
pub fn protocol_only_fields(p: Protocol) -> &'static [&'static str] {
    match p {
        Protocol::Philomena => &["associates", "contact_details", "missing_history"],
        Protocol::Herbert => &["medication", "routine"],
    }
}

/// A profile's review dates: reviewed on or before today, next review after that.
pub fn check_profile_review(
    last_reviewed_on: NaiveDate,
    review_due_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), (&'static str, &'static str)> {
    check_past_date(last_reviewed_on, today).map_err(|m| ("last_reviewed_on", m))?;
    if review_due_on <= last_reviewed_on {
        return Err(("review_due_on", "must be after last_reviewed_on"));
    }
    Ok(())
}

/// A profile past its review date may be out of date: it is flagged, not hidden.
pub fn is_stale(review_due_on: NaiveDate, today: NaiveDate) -> bool {
    review_due_on < today
}

/// Why a merge is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeRefused {
    SameRecord,
    AlreadyMerged { which: &'static str },
    BothPlaced,
}

impl MergeRefused {
    pub fn message(&self) -> String {
        match self {
            MergeRefused::SameRecord => "a record cannot be merged into itself".into(),
            MergeRefused::AlreadyMerged { which } => {
                format!("the {which} record is itself merged into another; use that record")
            }
            MergeRefused::BothPlaced => {
                "both records have a current placement: end the wrong one first".into()
            }
        }
    }
}

/// The facts about each record a merge decision needs.
#[derive(Debug, Clone, Copy)]
pub struct MergeSide {
    pub merged: bool,
    pub open_placement: bool,
}

pub fn check_merge(
    same_record: bool,
    survivor: MergeSide,
    duplicate: MergeSide,
) -> Result<(), MergeRefused> {
    if same_record {
        return Err(MergeRefused::SameRecord);
    }
    if survivor.merged {
        return Err(MergeRefused::AlreadyMerged { which: "surviving" });
    }
    if duplicate.merged {
        return Err(MergeRefused::AlreadyMerged { which: "duplicate" });
    }
    if survivor.open_placement && duplicate.open_placement {
        return Err(MergeRefused::BothPlaced);
    }
    Ok(())
}

/// The duplicate's names the survivor does not already carry (compared folded), so a
/// search by either record's names finds the survivor after the merge.
pub fn aliases_to_add(
    survivor_names: &[String],
    duplicate_full_name: &str,
    duplicate_aliases: &[String],
) -> Vec<String> {
    let mut known: Vec<String> = survivor_names.iter().map(|n| fold(n)).collect();
    let mut added = Vec::new();
    for name in
        std::iter::once(duplicate_full_name).chain(duplicate_aliases.iter().map(|a| a.as_str()))
    {
        let folded = fold(name);
        if !folded.is_empty() && !known.contains(&folded) {
            known.push(folded);
            added.push(name.trim().to_owned());
        }
    }
    added
}

/// The survivor's aliases once a merge is undone: those the merge added go, unless
/// someone has since removed them already.
pub fn aliases_after_undo(current: &[String], added: &[String]) -> Vec<String> {
    current
        .iter()
        .filter(|a| !added.contains(a))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn review_dates_are_ahead_but_not_far_ahead() {
        let today = d(2026, 11, 23);
        assert!(check_review_on(d(2026, 11, 22), today).is_err());
        assert!(check_review_on(today, today).is_ok());
        assert!(check_review_on(d(2031, 11, 23), today).is_ok());
        assert!(check_review_on(d(2031, 11, 24), today).is_err());
        assert!(review_overdue(d(2026, 11, 22), false, today));
        assert!(!review_overdue(d(2026, 11, 22), true, today));
        assert!(!review_overdue(today, false, today));
    }

    #[test]
    fn child_only_records_are_refused_for_adults() {
        let on = d(2026, 11, 23);
        assert!(check_child_only(Some(d(2008, 11, 24)), on, "x").is_ok());
        let err = check_child_only(Some(d(2008, 11, 23)), on, "a placement").unwrap_err();
        assert!(err.starts_with("a placement is only for children"), "{err}");
        assert!(check_child_only(None, on, "x").is_ok());
    }

    #[test]
    fn spans_refuse_an_end_before_the_start_and_detect_overlap() {
        assert!(Span::new(d(2026, 5, 2), Some(d(2026, 5, 1))).is_err());
        let one_day = Span::new(d(2026, 5, 1), Some(d(2026, 5, 1))).unwrap();
        assert!(one_day.contains(d(2026, 5, 1)));
        assert!(!one_day.contains(d(2026, 5, 2)));
        let open = Span::new(d(2026, 5, 1), None).unwrap();
        assert!(open.contains(d(2030, 1, 1)));
        assert!(!open.contains(d(2026, 4, 30)));
        let before = Span::new(d(2026, 1, 1), Some(d(2026, 4, 30))).unwrap();
        assert!(!before.overlaps(&open) && !open.overlaps(&before));
        let touching = Span::new(d(2026, 1, 1), Some(d(2026, 5, 1))).unwrap();
        assert!(touching.overlaps(&open) && open.overlaps(&touching));
        assert!(open.overlaps(&Span::new(d(2027, 1, 1), None).unwrap()));
    }

    #[test]
    fn profile_reviews_run_forward_and_go_stale() {
        let today = d(2026, 11, 23);
        assert!(check_profile_review(d(2026, 11, 1), d(2027, 5, 1), today).is_ok());
        assert_eq!(
            check_profile_review(d(2026, 11, 24), d(2027, 5, 1), today)
                .unwrap_err()
                .0,
            "last_reviewed_on"
        );
        assert_eq!(
            check_profile_review(d(2026, 11, 1), d(2026, 11, 1), today)
                .unwrap_err()
                .0,
            "review_due_on"
        );
        assert!(is_stale(d(2026, 11, 22), today));
        assert!(!is_stale(today, today));
    }

    #[test]
    fn protocol_fields_do_not_overlap() {
        let p = protocol_only_fields(Protocol::Philomena);
        assert!(protocol_only_fields(Protocol::Herbert)
            .iter()
            .all(|f| !p.contains(f)));
    }

    #[test]
    fn merges_refuse_self_chained_and_double_placements() {
        let free = MergeSide {
            merged: false,
            open_placement: false,
        };
        let placed = MergeSide {
            open_placement: true,
            ..free
        };
        let merged = MergeSide {
            merged: true,
            ..free
        };
        assert_eq!(check_merge(true, free, free), Err(MergeRefused::SameRecord));
        assert_eq!(
            check_merge(false, merged, free),
            Err(MergeRefused::AlreadyMerged { which: "surviving" })
        );
        assert_eq!(
            check_merge(false, free, merged),
            Err(MergeRefused::AlreadyMerged { which: "duplicate" })
        );
        assert_eq!(
            check_merge(false, placed, placed),
            Err(MergeRefused::BothPlaced)
        );
        assert!(check_merge(false, placed, free).is_ok());
        assert!(check_merge(false, free, placed).is_ok());
    }

    #[test]
    fn merge_aliases_add_only_new_names_and_undo_removes_them() {
        let survivor = vec!["Amy Example".to_string(), "Aimee".to_string()];
        let added = aliases_to_add(
            &survivor,
            "AMY  Exämple",
            &["Aimee".into(), "Ames".into(), "ames".into()],
        );
        assert_eq!(added, ["Ames"]);
        let added = aliases_to_add(&survivor, "Amy Sample", &[]);
        assert_eq!(added, ["Amy Sample"]);
        let current = vec!["Aimee".into(), "Amy Sample".into(), "Later".into()];
        assert_eq!(aliases_after_undo(&current, &added), ["Aimee", "Later"]);
    }
}
