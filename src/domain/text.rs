//! Text rules shared by every record: single-line labels (names) and free text.

use unicode_normalization::UnicodeNormalization;

/// Characters that change how the text around them is shown: bidirectional embeddings,
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069), which can make a name read
/// differently from what it is, and the line and paragraph separators (U+2028, U+2029),
/// which break a label over lines.
pub fn is_display_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// A single-line label such as a name: trimmed, 1 to `max` characters, no control
/// characters, no bidirectional controls or line separators, NFC-normalised.
pub fn label(raw: &str, max: usize) -> Result<String, String> {
    let s = raw.trim();
    if s.is_empty() || s.chars().count() > max {
        return Err(format!("must be between 1 and {max} characters"));
    }
    if s.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    if s.chars().any(is_display_control) {
        return Err(
            "must not contain bidirectional controls (U+202A–U+202E, U+2066–U+2069) or line separators (U+2028, U+2029)"
                .into(),
        );
    }
    Ok(s.nfc().collect())
}

/// Free text: trimmed, at most `max` characters and, when `required`, not blank. Line
/// breaks and tabs are allowed; other control characters are not.
pub fn check_text(value: &str, required: bool, max: usize) -> Result<String, String> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err("must not be empty".into());
    }
    if v.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if v.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Err("must not contain control characters".into());
    }
    Ok(v.to_owned())
}

/// `word` with its indefinite article: "an episode", "a trigger" (by its first letter,
/// which is right for the words Homeward writes).
pub fn with_article(word: &str) -> String {
    let article = match word.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    };
    format!("{article} {word}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn articles_follow_the_word() {
        assert_eq!(with_article("episode"), "an episode");
        assert_eq!(with_article("action_assigned"), "an action_assigned");
        assert_eq!(with_article("trigger"), "a trigger");
        assert_eq!(with_article("referral"), "a referral");
    }

    use super::*;

    #[test]
    fn labels_refuse_bidi_controls_and_line_separators() {
        for bad in [
            "Amy\u{202E}nosliw",
            "\u{2066}Amy\u{2069}",
            "Amy\u{2028}Smith",
            "A\u{2029}B",
            "\u{202A}x",
        ] {
            assert!(label(bad, 100).is_err(), "{bad:?}");
        }
        // Right-to-left scripts themselves are names like any other.
        assert_eq!(label("مريم", 100).unwrap(), "مريم");
    }

    #[test]
    fn labels_are_trimmed_bounded_and_single_line() {
        assert_eq!(label("  Amy ", 100).unwrap(), "Amy");
        assert_eq!(
            label("   ", 10).unwrap_err(),
            "must be between 1 and 10 characters"
        );
        assert!(label(&"a".repeat(11), 10).is_err());
        assert!(label("a\nb", 10).is_err());
        assert!(label("a\u{0007}b", 10).is_err());
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(check_text("  park  ", true, 10).unwrap(), "park");
        assert!(check_text("   ", true, 10).is_err());
        assert_eq!(check_text("", false, 10).unwrap(), "");
        assert!(check_text("elevenchars", false, 10).is_err());
        assert!(check_text("a\u{0}b", false, 10).is_err());
        assert_eq!(check_text("line\nline", false, 10).unwrap(), "line\nline");
    }
}
