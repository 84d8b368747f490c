//! The short references emails carry for records that have no reference number of their
//! own (`TRG-7C842753`: a prefix for the kind and the last eight hex digits of the id),
//! and parsing them back, so every reference an email shows can be looked up through the
//! API (`GET /api/v1/triggers?reference=TRG-7C842753`).

use uuid::Uuid;

/// The kinds of record with a short reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    Trigger,
    Action,
    Referral,
    Notification,
    Account,
    SubjectAccess,
}

impl RefKind {
    pub fn prefix(self) -> &'static str {
        match self {
            RefKind::Trigger => "TRG",
            RefKind::Action => "ACT",
            RefKind::Referral => "REF",
            RefKind::Notification => "MSG",
            RefKind::Account => "USR",
            RefKind::SubjectAccess => "SAR",
        }
    }
}

/// How many hex digits of the id a short reference shows.
const DIGITS: usize = 8;

/// `TRG-7C842753` for a trigger whose id ends `7c842753`.
pub fn short_ref(kind: RefKind, id: Uuid) -> String {
    let s = id.simple().to_string();
    format!("{}-{}", kind.prefix(), s[s.len() - DIGITS..].to_uppercase())
}

/// The id suffix a short reference names, in the form ids are written in (lower case):
/// the database finds the record by `right(id::text, 8)`. Case-insensitive, surrounding
/// space ignored.
pub fn parse_short_ref(kind: RefKind, raw: &str) -> Result<String, String> {
    let s = raw.trim();
    let expected = || {
        format!(
            "expected {}- and {DIGITS} hexadecimal digits, as emails show it (e.g. {}-7C842753)",
            kind.prefix(),
            kind.prefix()
        )
    };
    let (prefix, digits) = s.split_once('-').ok_or_else(expected)?;
    if !prefix.eq_ignore_ascii_case(kind.prefix())
        || digits.len() != DIGITS
        || !digits.chars().all(|c| c.is_ascii_hexdigit())
    {
        return Err(expected());
    }
    Ok(digits.to_ascii_lowercase())
}

/// Whether `id` is the record `suffix` (from [`parse_short_ref`]) names.
pub fn names(suffix: &str, id: Uuid) -> bool {
    id.to_string().ends_with(suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_reference_round_trips_to_its_id() {
        let id = Uuid::parse_str("0190d0a4-5c3e-7b1a-9f00-12ab7c842753").unwrap();
        let r = short_ref(RefKind::Trigger, id);
        assert_eq!(r, "TRG-7C842753");
        let suffix = parse_short_ref(RefKind::Trigger, &r).unwrap();
        assert_eq!(suffix, "7c842753");
        assert!(names(&suffix, id));
        assert_eq!(
            parse_short_ref(RefKind::Trigger, " trg-7c842753 ").unwrap(),
            suffix
        );
    }

    #[test]
    fn malformed_references_say_what_is_expected() {
        for bad in [
            "ACT-7C842753",
            "TRG-7C84275",
            "TRG-7C842753A",
            "TRG7C842753",
            "TRG-7C84275G",
            "",
        ] {
            let e = parse_short_ref(RefKind::Trigger, bad).unwrap_err();
            assert!(e.contains("TRG-"), "{bad}: {e}");
        }
    }
}
