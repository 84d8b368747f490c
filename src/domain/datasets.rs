//! Datasets coordinators work from, as plain rules: the look-back windows and the
//! small-number rule for analysts (their CSV is `render::csv`).

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
    fn the_threshold_is_bounded_and_1_withholds_nothing() {
        assert_eq!(Suppression::default().below(), 5);
        assert!(Suppression::new(0).is_err() && Suppression::new(101).is_err());
        let none = Suppression::new(1).unwrap();
        assert_eq!((none.apply(1), none.apply(0)), (Some(1), Some(0)));
        let ten = Suppression::new(10).unwrap();
        assert_eq!((ten.apply(9), ten.apply(10)), (None, Some(10)));
        assert_eq!(ten.count(-1), Some(0));
    }

    #[test]
    fn look_backs_are_3_or_12_weeks() {
        assert!(check_weeks(3).is_ok() && check_weeks(12).is_ok());
        assert!(check_weeks(4).is_err());
    }
}
