//! Shapes shared by several resources: pages, and the "absent vs null" helper for PATCH.

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// A page of a keyset-paginated list. Pass `next_cursor` back as `cursor` for the next.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> Page<T> {
    /// A full page has a next cursor (the last item's key); a short page is the last.
    pub fn new(items: Vec<T>, limit: i64, cursor_of: impl Fn(&T) -> String) -> Self {
        let full = i64::try_from(items.len()).unwrap_or(i64::MAX) >= limit;
        let next_cursor = if full {
            items.last().map(cursor_of)
        } else {
            None
        };
        Page { items, next_cursor }
    }
}

/// For PATCH fields that may be cleared: absent → `None`, `null` → `Some(None)`.
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Collects every field problem in a request body, so one 400 names them all.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<crate::error::FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// The value, or `None` with the problem recorded under `field`.
    pub fn check<T, E: ToString>(&mut self, field: &str, r: Result<T, E>) -> Option<T> {
        r.map_err(|m| self.push(field, m.to_string())).ok()
    }

    /// The value, or `None` with the problem recorded under the field the error names.
    pub fn check_field<T>(&mut self, r: Result<T, (&str, &str)>) -> Option<T> {
        r.map_err(|(field, m)| self.push(field, m)).ok()
    }

    /// Free text (see `domain::text::check_text`) under `field`.
    pub fn text(&mut self, field: &str, v: &str, required: bool, max: usize) -> Option<String> {
        self.check(field, crate::domain::text::check_text(v, required, max))
    }

    /// One required text field on its own: the trimmed text, or a 400 naming it.
    pub fn text_only(
        mut self,
        field: &str,
        v: &str,
        max: usize,
    ) -> Result<String, crate::error::AppError> {
        let t = self.text(field, v, true, max);
        self.done(t)
    }

    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(crate::error::FieldError::new(field, message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `value` if no problem was recorded (and it is there), else a 400 naming them all.
    pub fn done<T>(self, value: Option<T>) -> Result<T, crate::error::AppError> {
        match value {
            Some(v) if self.0.is_empty() => Ok(v),
            _ => Err(crate::error::AppError::Validation(self.0)),
        }
    }
}

/// Keeps the first of each (lists of reasons, agencies...).
pub fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(items.len());
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Cursor `<RFC 3339 time>_<uuid>`: the sort key of the last row of the previous page.
pub fn time_cursor(at: chrono::DateTime<chrono::Utc>, id: impl std::fmt::Display) -> String {
    format!(
        "{}_{id}",
        at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    )
}

fn bad_cursor() -> crate::error::AppError {
    crate::error::AppError::field("cursor", "must be a next_cursor value this API returned")
}

/// Parses a `time_cursor`.
pub fn parse_time_cursor(
    c: &str,
) -> Result<(chrono::DateTime<chrono::Utc>, uuid::Uuid), crate::error::AppError> {
    let bad = bad_cursor;
    let (at, id) = c.rsplit_once('_').ok_or_else(bad)?;
    let at = chrono::DateTime::parse_from_rfc3339(at)
        .map_err(|_| bad())?
        .with_timezone(&chrono::Utc);
    Ok((at, id.parse().map_err(|_| bad())?))
}

/// Cursor `<date>_<uuid>`, for lists in date order.
pub fn date_cursor(on: chrono::NaiveDate, id: impl std::fmt::Display) -> String {
    format!("{on}_{id}")
}

/// Parses a `date_cursor`.
pub fn parse_date_cursor(
    c: &str,
) -> Result<(chrono::NaiveDate, uuid::Uuid), crate::error::AppError> {
    let bad = bad_cursor;
    let (on, id) = c.rsplit_once('_').ok_or_else(bad)?;
    Ok((
        on.parse().map_err(|_| bad())?,
        id.parse().map_err(|_| bad())?,
    ))
}

/// A list's `reference` filter: the short reference an email showed (`TRG-7C842753`),
/// as the id suffix the data layer looks up; a malformed one is a 400 naming the field.
pub fn reference_param(
    kind: crate::domain::references::RefKind,
    raw: Option<String>,
) -> Result<Option<String>, crate::error::AppError> {
    raw.map(|r| {
        crate::domain::references::parse_short_ref(kind, &r)
            .map_err(|m| crate::error::AppError::field("reference", &m))
    })
    .transpose()
}

#[cfg(test)]
mod cursor_tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_junk() {
        let at = chrono::Utc::now();
        let id = uuid::Uuid::now_v7();
        let (t, i) = parse_time_cursor(&time_cursor(at, id)).unwrap();
        assert_eq!((t.timestamp_micros(), i), (at.timestamp_micros(), id));
        assert!(parse_time_cursor("nonsense").is_err());
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(parse_date_cursor(&date_cursor(d, id)).unwrap(), (d, id));
        assert!(parse_date_cursor("2026-13-01_x").is_err());
    }
}
