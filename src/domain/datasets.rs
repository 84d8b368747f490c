//! Datasets coordinators work from, as plain rules: the look-back windows, small-number
//! suppression for analysts, and CSV that a spreadsheet cannot mistake for formulas.

pub mod periods;

/// Counts from 1 up to (not including) this are suppressed in analyst output by default.
pub const SUPPRESS_BELOW: u64 = 5;

/// The small-number rule for roles that see no names (`HOMEWARD_SUPPRESS_BELOW`):
/// counts from 1 up to, not including, `below` are withheld; 1 withholds nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suppression {
    below: u64,
}

impl Default for Suppression {
    fn default() -> Self {
        Suppression {
            below: SUPPRESS_BELOW,
        }
    }
}

impl Suppression {
    /// From 1 (nothing withheld) to 100.
    pub fn new(below: u64) -> Result<Self, &'static str> {
        if (1..=100).contains(&below) {
            Ok(Suppression { below })
        } else {
            Err("must be a whole number from 1 (nothing suppressed) to 100")
        }
    }

    pub fn below(self) -> u64 {
        self.below
    }

    /// `n` as a role without names may see it.
    pub fn apply(self, n: u64) -> Option<u64> {
        suppress(n, self.below)
    }

    /// A database count (never negative) as a role without names may see it.
    pub fn count(self, n: i64) -> Option<u64> {
        self.apply(u64::try_from(n).unwrap_or(0))
    }
}

/// A count as shown in CSV: the number, or `suppressed`.
pub fn csv_count(n: Option<u64>) -> String {
    n.map_or_else(|| "suppressed".to_owned(), |n| n.to_string())
}

/// A count as an analyst may see it: `None` (suppressed) when it is small but not zero,
/// so that no one can be singled out.
pub fn suppress(n: u64, below: u64) -> Option<u64> {
    if n > 0 && n < below {
        None
    } else {
        Some(n)
    }
}

/// The look-back of the "missing in the last N weeks" dataset: 3 or 12.
pub fn check_weeks(weeks: u32) -> Result<u32, &'static str> {
    match weeks {
        3 | 12 => Ok(weeks),
        _ => Err("must be 3 or 12"),
    }
}

/// One CSV field: a leading `=`, `+`, `-`, `@`, tab or carriage return gets a `'` so a
/// spreadsheet shows it as text instead of running it; fields with separators, quotes
/// or line breaks are quoted.
pub fn csv_field(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// A CSV document: the header, then each row (CRLF line ends, as RFC 4180 has them).
pub fn to_csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = String::new();
    let line = |fields: &mut dyn Iterator<Item = String>| {
        fields.map(|f| csv_field(&f)).collect::<Vec<_>>().join(",")
    };
    out.push_str(&line(&mut header.iter().map(|h| h.to_string())));
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&line(&mut r.into_iter()));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_suppressed_but_zero_is_not() {
        assert_eq!(suppress(0, 5), Some(0));
        assert_eq!(suppress(1, 5), None);
        assert_eq!(suppress(4, 5), None);
        assert_eq!(suppress(5, 5), Some(5));
    }

    #[test]
    fn csv_cannot_smuggle_formulas_or_break_rows() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-2"), "'-2");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(csv_field("Smith"), "Smith");
        let doc = to_csv(&["name", "n"], vec![vec!["O'Neil".into(), "3".into()]]);
        assert_eq!(doc, "name,n\r\nO'Neil,3\r\n");
    }

    #[test]
    fn the_threshold_is_bounded_and_1_withholds_nothing() {
        assert_eq!(Suppression::default().below(), 5);
        assert!(Suppression::new(0).is_err() && Suppression::new(101).is_err());
        let none = Suppression::new(1).unwrap();
        assert_eq!((none.apply(1), none.apply(0)), (Some(1), Some(0)));
        let ten = Suppression::new(10).unwrap();
        assert_eq!((ten.apply(9), ten.apply(10)), (None, Some(10)));
        assert_eq!(ten.count(-1), Some(0));
        assert_eq!(csv_count(None), "suppressed");
        assert_eq!(csv_count(Some(7)), "7");
    }

    #[test]
    fn look_backs_are_3_or_12_weeks() {
        assert!(check_weeks(3).is_ok() && check_weeks(12).is_ok());
        assert!(check_weeks(4).is_err());
    }
}
