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

    /// Free text (see `domain::text::check_text`) under `field`.
    pub fn text(&mut self, field: &str, v: &str, required: bool, max: usize) -> Option<String> {
        self.check(field, crate::domain::text::check_text(v, required, max))
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
