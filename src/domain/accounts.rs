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
        /// The force's data protection officers: subject access, restriction and
        /// retention review; force-wide, never editing case content.
        Dpo => "dpo",
    }
}

/// A login email address, normalised (NFC, trimmed, lower-case) so that one person
/// cannot hold two accounts that differ only in case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// One RFC 5321 mailbox: a dot-atom local part (no quoted strings), `@`, and a
    /// domain of letters, digits and hyphens, a non-ASCII domain taken in its IDNA form
    /// (`bücher.example` → `xn--bcher-kva.example`). No display name, no list, no source
    /// route, no address literal. Trimmed, NFC-normalised and lower-cased, so one person
    /// cannot hold two accounts that differ only in case.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        const SHAPE: &str = "must be one email address such as name@example.org, with no display name, list or route";
        let s: String = raw.trim().nfc().collect::<String>().to_lowercase();
        if s.is_empty() || s.len() > 254 {
            return Err("must be an email address of at most 254 characters");
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(SHAPE);
        };
        if local.len() > 64 || !is_dot_atom(local) {
            return Err(SHAPE);
        }
        let domain = ascii_domain(domain).ok_or(SHAPE)?;
        let address = format!("{local}@{domain}");
        if address.len() > 254 {
            return Err("must be an email address of at most 254 characters");
        }
        Ok(Email(address))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// RFC 5322 `dot-atom-text`: atoms of letters, digits and ``!#$%&'*+/=?^_`{|}~-``,
/// joined by single dots.
fn is_dot_atom(local: &str) -> bool {
    !local.is_empty()
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c))
        })
}

/// A domain name in its ASCII (IDNA) form: at least two labels, each 1–63 letters,
/// digits or inner hyphens; not an address literal.
fn ascii_domain(domain: &str) -> Option<String> {
    if domain.is_empty() || domain.contains(['@', '[', ']', ':', ',', ' ', '<', '>']) {
        return None;
    }
    let url::Host::Domain(ascii) = url::Host::parse(domain).ok()? else {
        return None;
    };
    let labels: Vec<&str> = ascii.split('.').collect();
    let ok = ascii.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && !labels
            .last()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()));
    ok.then_some(ascii)
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
    fn one_rfc_5321_address_and_nothing_else() {
        for bad in [
            "a@b.org,c@d.org",
            "a@b.org; c@d.org",
            "Jo Bloggs <jo@b.org>",
            "\"Jo\"@b.org",
            "<jo@b.org>",
            "@relay.example:jo@b.org",
            "jo@[192.0.2.1]",
            "jo@192.0.2.1",
            "jo..bloggs@b.org",
            ".jo@b.org",
            "jo.@b.org",
            "jo@b..org",
            "jo@-b.org",
            "jo@b_c.org",
            "jo@localhost",
            "jö@b.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(
            Email::parse("Jo@Bücher.Example").unwrap().as_str(),
            "jo@xn--bcher-kva.example"
        );
        assert_eq!(
            Email::parse("o'neil+missing@west-yorks.police.uk")
                .unwrap()
                .as_str(),
            "o'neil+missing@west-yorks.police.uk"
        );
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
