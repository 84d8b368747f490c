//! The password rule (NCSC / NIST SP 800-63B): at least 12 characters, no composition
//! rules, and nothing on the common-password list or trivially guessable.

const COMMON: &str = include_str!("common_passwords.txt");
const MIN_CHARS: usize = 12;
/// Long enough for any passphrase, short enough that hashing cannot be used for DoS.
const MAX_CHARS: usize = 256;

/// A password that satisfies the policy. Holds the plaintext only until it is hashed.
pub struct NewPassword(secrecy::SecretString);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

impl NewPassword {
    /// Checks `candidate` for the account with login `email`.
    pub fn parse(candidate: &str, email: &str) -> Result<Self, &'static str> {
        let chars = candidate.chars().count();
        if chars < MIN_CHARS {
            return Err("must be at least 12 characters long");
        }
        if chars > MAX_CHARS {
            return Err("must be at most 256 characters long");
        }
        let lower = candidate.to_lowercase();
        if is_common(&lower) {
            return Err("is too common; choose a longer or less predictable passphrase");
        }
        if is_trivial(&lower) {
            return Err("is too predictable (repeated or sequential characters)");
        }
        let password = NewPassword(candidate.to_owned().into());
        password.check_against_email(email)?;
        Ok(password)
    }

    /// Refuses a password that is, or contains, the email name of the account it is for
    /// (checked again where the account's email is only known later, e.g. a reset).
    pub fn check_against_email(&self, email: &str) -> Result<(), &'static str> {
        use secrecy::ExposeSecret;
        let lower = self.0.expose_secret().to_lowercase();
        let local = email.split('@').next().unwrap_or_default().to_lowercase();
        if lower == email.to_lowercase() || (local.len() >= 4 && lower.contains(&local)) {
            return Err("must not contain the account's email name");
        }
        Ok(())
    }

    pub fn secret(&self) -> &secrecy::SecretString {
        &self.0
    }
}

/// Symbols of a temporary password: lower-case letters and digits without the ones that
/// are easily confused when read out or copied by hand (0/o, 1/l/i).
const TEMPORARY_SYMBOLS: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A temporary password for an administrator's reset: 20 symbols from 31 (about 99 bits),
/// in groups of four for reading out, e.g. `k7qm-2xhp-9cwt-4nvb-r8dz`.
pub fn temporary() -> secrecy::SecretString {
    use rand::Rng;
    let mut rng = rand::rngs::OsRng;
    let mut out = String::with_capacity(24);
    for i in 0..20 {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(char::from(
            TEMPORARY_SYMBOLS[rng.gen_range(0..TEMPORARY_SYMBOLS.len())],
        ));
    }
    out.into()
}

fn is_common(lower: &str) -> bool {
    COMMON
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l == lower)
}

/// One character repeated, or a run that only ever steps by the same amount
/// (`aaaaaaaaaaaa`, `123456789012`, `abcdefghijkl`, `zyxwvutsrqpo`).
fn is_trivial(lower: &str) -> bool {
    let cs: Vec<u32> = lower.chars().map(u32::from).collect();
    let steps: Vec<i64> = cs
        .windows(2)
        .map(|w| i64::from(w[1]) - i64::from(w[0]))
        .collect();
    let constant_step =
        steps.windows(2).all(|w| w[0] == w[1]) && steps.first().is_some_and(|s| s.abs() <= 1);
    let digits_sequence = lower.chars().all(|c| c.is_ascii_digit())
        && steps
            .iter()
            .all(|s| *s == 1 || *s == -9 || *s == -1 || *s == 9);
    constant_step || digits_sequence
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_passwords_meet_the_policy_and_differ() {
        use secrecy::ExposeSecret;
        let a = temporary();
        let b = temporary();
        assert_ne!(a.expose_secret(), b.expose_secret());
        let s = a.expose_secret();
        assert_eq!(s.len(), 24, "{s}");
        assert_eq!(s.matches('-').count(), 4, "{s}");
        assert!(
            s.bytes()
                .all(|c| c == b'-' || TEMPORARY_SYMBOLS.contains(&c)),
            "{s}"
        );
        assert!(NewPassword::parse(s, "someone@example.org").is_ok(), "{s}");
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(NewPassword::parse("elevenchars", "a@x.org").is_err());
        assert!(NewPassword::parse("twelve chars", "a@x.org").is_ok());
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // 12 characters, more than 12 bytes.
        assert!(NewPassword::parse("ééééééééééé1", "a@x.org").is_ok());
    }

    #[test]
    fn no_composition_rules() {
        assert!(NewPassword::parse("correct horse battery", "a@x.org").is_ok());
    }

    #[test]
    fn common_passwords_are_refused_case_insensitively() {
        assert!(NewPassword::parse("Password1234", "a@x.org").is_err());
        assert!(NewPassword::parse("QWERTY123456", "a@x.org").is_err());
    }

    #[test]
    fn trivial_sequences_are_refused() {
        for p in [
            "aaaaaaaaaaaa",
            "123456789012",
            "abcdefghijklm",
            "zyxwvutsrqpo",
            "098765432109",
        ] {
            assert!(
                NewPassword::parse(p, "a@x.org").is_err(),
                "{p} should be refused"
            );
        }
    }

    #[test]
    fn passwords_containing_the_email_name_are_refused() {
        assert!(NewPassword::parse("jbloggs-is-great", "jbloggs@x.org").is_err());
    }

    #[test]
    fn over_long_passwords_are_refused() {
        assert!(NewPassword::parse(&"ab".repeat(200), "a@x.org").is_err());
    }
}
