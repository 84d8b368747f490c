//! Persons: names (and aliases) folded for search, dates of birth, child or adult.

use chrono::{Datelike, NaiveDate};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

crate::text_enum! {
    pub enum Sex {
        Female => "female",
        Male => "male",
        Other => "other",
        Unknown => "unknown",
    }
}

/// Lower case, accents stripped, whitespace collapsed: `"  Zoë  O'Brien"` → `"zoe o'brien"`.
pub fn fold(s: &str) -> String {
    let stripped: String = s
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase();
    stripped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What name search matches against: every name and alias, folded, `|`-separated.
pub fn search_names(given: &str, family: &str, aliases: &[String]) -> String {
    std::iter::once(format!("{given} {family}"))
        .chain(aliases.iter().cloned())
        .map(|n| fold(&n))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// A name query as words that must each appear in a name or alias (folded).
pub fn search_words(query: &str) -> Vec<String> {
    fold(query)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// A person's name part: trimmed, 1–100 characters, no control characters.
pub fn check_name(raw: &str) -> Result<String, String> {
    super::text::label(raw, 100)
}

/// A date of birth: not in the future, not before 1900.
pub fn check_date_of_birth(dob: NaiveDate, today: NaiveDate) -> Result<NaiveDate, &'static str> {
    if dob > today {
        return Err("must not be in the future");
    }
    if dob.year() < 1900 {
        return Err("must be in 1900 or later");
    }
    Ok(dob)
}

/// Age in whole years on `on`.
pub fn age_on(dob: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - dob.year();
    if (on.month(), on.day()) < (dob.month(), dob.day()) {
        age -= 1;
    }
    age
}

/// A child is under 18 when the episode starts.
pub fn is_child(dob: NaiveDate, episode_start: NaiveDate) -> bool {
    age_on(dob, episode_start) < 18
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn folding_ignores_case_accents_and_spacing() {
        assert_eq!(fold("  Zoë   O'BRIEN "), "zoe o'brien");
        assert_eq!(fold("Łukasz Żółć"), "łukasz zołc");
        assert_eq!(fold("José"), fold("JOSE"));
    }

    #[test]
    fn queries_split_into_folded_words() {
        assert_eq!(search_words("  Zoë  SMITH "), ["zoe", "smith"]);
        assert!(search_words("   ").is_empty());
    }

    #[test]
    fn search_names_cover_aliases() {
        assert_eq!(
            search_names("Zoë", "Smith", &["Zee".into()]),
            "zoe smith | zee"
        );
    }

    #[test]
    fn the_eighteenth_birthday_makes_an_adult() {
        let dob = d(2008, 6, 15);
        assert!(is_child(dob, d(2026, 6, 14)));
        assert!(!is_child(dob, d(2026, 6, 15)));
        // Born on 29 February: 18 on 1 March in a non-leap year.
        let leap = d(2008, 2, 29);
        assert!(is_child(leap, d(2026, 2, 28)));
        assert!(!is_child(leap, d(2026, 3, 1)));
    }

    #[test]
    fn dates_of_birth_are_bounded() {
        let today = d(2026, 11, 23);
        assert!(check_date_of_birth(d(2026, 11, 24), today).is_err());
        assert!(check_date_of_birth(d(1899, 12, 31), today).is_err());
        assert!(check_date_of_birth(d(2010, 1, 1), today).is_ok());
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(check_name("  Amy ").unwrap(), "Amy");
        assert!(check_name("").is_err());
        assert!(check_name(&"a".repeat(101)).is_err());
    }
}
