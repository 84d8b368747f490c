//! Accounts: roles, and the parsed values an account is made of.

use unicode_normalization::UnicodeNormalization;

crate::text_enum! {
    /// What a user does, and so what they may see (see DOMAIN.md "Who uses it").
    pub enum Role {
        Officer => "officer",
        Supervisor => "supervisor",
        Mfhc => "mfhc",
        EarlyAction => "early_action",
        Partner => "partner",
        Analyst => "analyst",
        Admin => "admin",
    }
}

/// A login email address, normalised (NFC, trimmed, lower-case) so that one person
/// cannot hold two accounts that differ only in case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s: String = raw.trim().nfc().collect::<String>().to_lowercase();
        if s.is_empty() || s.len() > 254 {
            return Err("must be an email address of at most 254 characters");
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err("must be an email address such as name@example.org");
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        if local.is_empty()
            || local.len() > 64
            || !domain_ok
            || s.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err("must be an email address such as name@example.org");
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A person's or organisation's name as shown to others: trimmed, 1–200 characters,
/// no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        super::text::label(raw, 200).map(DisplayName)
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Where an account belongs, checked against its role: partners need an agency and
/// only partners have one.
pub fn check_affiliation(role: Role, has_agency: bool) -> Result<(), &'static str> {
    match (role, has_agency) {
        (Role::Partner, false) => Err("a partner user must belong to an agency"),
        (r, true) if r != Role::Partner => Err("only partner users belong to an agency"),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_to_lower_case() {
        assert_eq!(
            Email::parse("  Jo.Bloggs@WestYorks.Police.UK ")
                .unwrap()
                .as_str(),
            "jo.bloggs@westyorks.police.uk"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "no-at-sign",
            "@x.org",
            "a@",
            "a@nodot",
            "a b@x.org",
            "a@.x.org",
            "a@x.org.",
            "a\u{0}b@x.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(
            DisplayName::parse("  PC Smith ").unwrap().into_inner(),
            "PC Smith"
        );
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"x".repeat(201)).is_err());
        assert!(DisplayName::parse("a\u{0007}b").is_err());
    }

    #[test]
    fn only_partners_have_agencies() {
        assert!(check_affiliation(Role::Partner, true).is_ok());
        assert!(check_affiliation(Role::Partner, false).is_err());
        assert!(check_affiliation(Role::Mfhc, true).is_err());
        assert!(check_affiliation(Role::Mfhc, false).is_ok());
    }

    #[test]
    fn role_strings_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), *r);
        }
        assert!("superuser".parse::<Role>().unwrap_err().contains("officer"));
    }
}
