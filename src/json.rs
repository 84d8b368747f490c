//! Timestamps written into JSON in one piece. chrono's serializer writes a timestamp a few
//! characters at a time (`Display` into serde's `collect_str`), and serde_json scans each
//! piece for characters to escape: for a page of 50 episodes that was about 40% of the
//! time spent writing its JSON (`benches/json.rs`). These write the same text chrono does
//! (RFC 3339 in UTC, `Z`, the fraction of a second to 3, 6 or 9 digits as it needs)
//! into a buffer and hand it to the serializer whole. Every `DateTime<Utc>` the API or a
//! stored document writes goes through them:
//! `#[serde(serialize_with = "crate::json::timestamp")]`, or `optional_timestamp`.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Serialize, Serializer};

/// Serializes `t` as chrono does, faster (see the module docs).
pub fn timestamp<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 30];
    match rfc3339(t, &mut buf) {
        Some(text) => s.serialize_str(text),
        // A year outside 0–9999 or a leap second: chrono's own way.
        None => t.serialize(s),
    }
}

/// `timestamp` for an optional field (`null` when absent).
pub fn optional_timestamp<S: Serializer>(
    t: &Option<DateTime<Utc>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => timestamp(t, s),
        None => s.serialize_none(),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff|.ffffff|.fffffffff]Z` in `buf`, or `None` for what chrono
/// writes another way (a year outside 0–9999, a leap second).
fn rfc3339<'b>(t: &DateTime<Utc>, buf: &'b mut [u8; 30]) -> Option<&'b str> {
    let (date, time) = (t.date_naive(), t.time());
    let year = u32::try_from(date.year()).ok().filter(|y| *y <= 9999)?;
    let nano = time.nanosecond();
    if nano >= 1_000_000_000 {
        return None;
    }
    let mut digits = |at: usize, value: u32, width: usize| {
        let mut v = value;
        for i in (at..at + width).rev() {
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    digits(0, year, 4);
    digits(5, date.month(), 2);
    digits(8, date.day(), 2);
    digits(11, time.hour(), 2);
    digits(14, time.minute(), 2);
    digits(17, time.second(), 2);
    let mut end = 19;
    if nano != 0 {
        let (value, width) = if nano % 1_000_000 == 0 {
            (nano / 1_000_000, 3)
        } else if nano % 1_000 == 0 {
            (nano / 1_000, 6)
        } else {
            (nano, 9)
        };
        digits(20, value, width);
        buf[19] = b'.';
        end = 20 + width;
    }
    for (at, c) in [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')] {
        buf[at] = c;
    }
    buf[end] = b'Z';
    std::str::from_utf8(&buf[..=end]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    #[derive(Serialize)]
    struct Ours {
        #[serde(serialize_with = "timestamp")]
        at: DateTime<Utc>,
        #[serde(serialize_with = "optional_timestamp")]
        maybe: Option<DateTime<Utc>>,
    }

    #[derive(Serialize)]
    struct Chronos {
        at: DateTime<Utc>,
        maybe: Option<DateTime<Utc>>,
    }

    fn same_as_chrono(at: DateTime<Utc>) {
        for maybe in [Some(at), None] {
            assert_eq!(
                serde_json::to_string(&Ours { at, maybe }).unwrap(),
                serde_json::to_string(&Chronos { at, maybe }).unwrap(),
                "{at:?}"
            );
        }
    }

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nano: u32) -> DateTime<Utc> {
        Utc.from_utc_datetime(
            &NaiveDate::from_ymd_opt(y, mo, d)
                .unwrap()
                .and_hms_nano_opt(h, mi, s, nano)
                .unwrap(),
        )
    }

    #[test]
    fn timestamps_are_written_as_chrono_writes_them() {
        for nano in [
            0,
            1,
            999,
            1_000,
            120_000,
            999_999,
            1_000_000,
            5_000_000,
            123_000_000,
            123_456_000,
            123_456_789,
            999_999_999,
        ] {
            same_as_chrono(at(2026, 12, 6, 21, 43, 57, nano));
        }
        // Years at and past the edges, and a leap second, which chrono writes its own way.
        for y in [0, 1, 999, 1970, 9999, 10_000, -1, -2026, 262_142] {
            same_as_chrono(at(y, 1, 1, 0, 0, 0, 0));
            same_as_chrono(at(y, 12, 31, 23, 59, 59, 7_000));
        }
        same_as_chrono(at(2016, 12, 31, 23, 59, 59, 1_500_000_000));
        // A spread of instants across the representable range's common part.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let secs = (x >> 20) as i64 % 320_000_000_000 - 62_000_000_000;
            let nano = match x % 4 {
                0 => 0,
                1 => (x >> 8) as u32 % 1_000 * 1_000_000,
                2 => (x >> 8) as u32 % 1_000_000 * 1_000,
                _ => (x >> 8) as u32 % 1_000_000_000,
            };
            same_as_chrono(DateTime::from_timestamp(secs, nano).unwrap());
        }
    }
}
