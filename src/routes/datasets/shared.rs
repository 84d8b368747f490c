//! What every dataset route shares: JSON or (with `Accept: text/csv`) a CSV attachment,
//! records for that CSV, and month or quarter parameters.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use crate::error::AppError;
use crate::render::csv::to_csv;

/// Whether the client asked for CSV.
pub fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/csv"))
}

/// `body` as JSON, or (when the client asked for CSV) `csv()` as an attachment.
pub(crate) fn respond<T: Serialize>(
    req: &HttpRequest,
    filename: &str,
    body: &T,
    csv: impl FnOnce(&T) -> String,
) -> HttpResponse {
    if wants_csv(req) {
        HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ))
            .body(csv(body))
    } else {
        HttpResponse::Ok().json(body)
    }
}

/// A response line as a CSV record: the header, and one line's fields.
pub(crate) trait CsvRecord {
    const HEADER: &'static [&'static str];
    fn record(&self) -> Vec<String>;
}

/// Lines as a CSV document.
pub(crate) fn csv_of<R: CsvRecord>(lines: &[R]) -> String {
    to_csv(R::HEADER, lines.iter().map(R::record))
}

/// The rows (for roles that see names), otherwise the summary, as CSV.
pub(crate) fn rows_or_summary<R: CsvRecord, S: CsvRecord>(
    rows: Option<&[R]>,
    summary: &[S],
) -> String {
    rows.map_or_else(|| csv_of(summary), csv_of)
}

/// An optional value for CSV: itself, or empty.
pub(crate) fn opt_display<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_default()
}

/// A month or quarter parameter: parsed, and not after `current` (`None`: `default`).
pub(crate) fn period_param<P: Ord>(
    field: &str,
    v: Option<&str>,
    parse: impl Fn(&str) -> Result<P, &'static str>,
    current: P,
    default: P,
    too_late: &str,
) -> Result<P, AppError> {
    let Some(v) = v else { return Ok(default) };
    let p = parse(v).map_err(|e| AppError::field(field, e))?;
    if p > current {
        return Err(AppError::field(field, too_late));
    }
    Ok(p)
}
