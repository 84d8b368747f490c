//! Extractors and their error mapping: bad JSON, content types, sizes, paths and
//! queries all become specific problem+json answers, never a bare 400 or a 500.

use std::future::{ready, Ready};

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header;
use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};

use crate::domain::audit::parse_purpose;
use crate::error::AppError;
use crate::request_id::RequestId;
use crate::services::context::AuditContext;
use crate::services::context::{Ctx, Session};
use crate::startup::{AppState, MAX_BODY_BYTES};

pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_BODY_BYTES)
        .content_type_required(true)
        .content_type(|mime| {
            mime.type_() == "application"
                && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"))
        })
        .error_handler(|err, _| json_error(err).into())
}

fn json_error(err: JsonPayloadError) -> AppError {
    match err {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            AppError::PayloadTooLarge
        }
        JsonPayloadError::ContentType => AppError::UnsupportedMediaType,
        JsonPayloadError::Deserialize(e) if e.is_data() => AppError::BadRequest(format!(
            "the JSON body does not match the expected shape: {e}"
        )),
        JsonPayloadError::Deserialize(e) => {
            AppError::BadRequest(format!("the body is not valid JSON: {e}"))
        }
        other => AppError::BadRequest(format!("the body could not be read: {other}")),
    }
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err: PathError, _| {
        AppError::BadRequest(format!("invalid path: {err}")).into()
    })
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _| {
        AppError::BadRequest(format!("invalid query string: {err}")).into()
    })
}

/// Per-request facts for the audit log and throttling: request id, `X-Purpose`, and
/// the client's address (the socket peer; proxies are not trusted).
#[derive(Debug, Clone)]
pub struct Meta {
    pub audit: AuditContext,
    pub client_addr: String,
}

impl FromRequest for Meta {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(meta(req))
    }
}

fn meta(req: &HttpRequest) -> Result<Meta, AppError> {
    let purpose = match req.headers().get("x-purpose") {
        None => None,
        Some(v) => {
            let text = v
                .to_str()
                .map_err(|_| AppError::field("X-Purpose", "must be plain text"))?;
            parse_purpose(text).map_err(|m| AppError::field("X-Purpose", m))?
        }
    };
    Ok(Meta {
        audit: AuditContext {
            request_id: RequestId::of(req),
            purpose,
        },
        client_addr: client_addr(req),
    })
}

/// The client's address for throttling: the socket peer (proxies are not trusted).
pub fn client_addr(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The version an update is based on, from `If-Match: "<version>"`.
#[derive(Debug, Clone, Copy)]
pub struct IfMatch(pub i32);

impl FromRequest for IfMatch {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(if_match(req).and_then(|v| v.map(IfMatch).ok_or(AppError::PreconditionRequired)))
    }
}

/// `If-Match` where it is optional: absent for a create, present for a replace.
#[derive(Debug, Clone, Copy)]
pub struct OptionalIfMatch(pub Option<i32>);

impl FromRequest for OptionalIfMatch {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(if_match(req).map(OptionalIfMatch))
    }
}

/// The version in `If-Match`, if the header is there; a malformed one is an error.
fn if_match(req: &HttpRequest) -> Result<Option<i32>, AppError> {
    req.headers()
        .get(header::IF_MATCH)
        .map(|v| {
            v.to_str().ok().and_then(parse_etag).ok_or_else(|| {
                AppError::field(
                    "If-Match",
                    "must be an ETag this API returned, such as \"3\"",
                )
            })
        })
        .transpose()
}

/// `"3"` or `W/"3"` → 3.
fn parse_etag(v: &str) -> Option<i32> {
    let v = v.trim();
    let v = v.strip_prefix("W/").unwrap_or(v);
    v.strip_prefix('"')?.strip_suffix('"')?.parse().ok()
}

/// The `ETag` for a resource at `version`.
pub fn etag(version: i32) -> header::EntityTag {
    header::EntityTag::new_strong(version.to_string())
}

/// `201 Created` with the new resource's `Location` and `ETag`.
pub fn created<T: serde::Serialize>(
    location: String,
    version: i32,
    body: T,
) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Created()
        .insert_header(header::ETag(etag(version)))
        .insert_header((header::LOCATION, location))
        .json(body)
}

/// A JSON response carrying the resource's `ETag`.
pub fn versioned<T: serde::Serialize>(
    status: actix_web::http::StatusCode,
    version: i32,
    body: T,
) -> actix_web::HttpResponse {
    actix_web::HttpResponse::build(status)
        .insert_header(header::ETag(etag(version)))
        .json(body)
}

/// The largest page a list returns (`limit`); the spec documents it on every list.
pub const PAGE_MAX: i64 = 200;

/// Page size: default 50, at most `PAGE_MAX`; anything else is a clear error.
pub fn page_limit(requested: Option<i64>) -> Result<i64, AppError> {
    match requested {
        None => Ok(50),
        Some(n) if (1..=PAGE_MAX).contains(&n) => Ok(n),
        Some(_) => Err(AppError::field(
            "limit",
            &format!("must be from 1 to {PAGE_MAX}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_parse_strong_and_weak() {
        assert_eq!(parse_etag("\"3\""), Some(3));
        assert_eq!(parse_etag("W/\"12\""), Some(12));
        assert_eq!(parse_etag("3"), None);
        assert_eq!(parse_etag("\"x\""), None);
    }

    #[test]
    fn page_limits_are_capped() {
        assert_eq!(page_limit(None).unwrap(), 50);
        assert!(page_limit(Some(0)).is_err());
        assert!(page_limit(Some(201)).is_err());
        assert_eq!(page_limit(Some(200)).unwrap(), 200);
    }
}

/// A code such as an agency type or record type: 1–60 of `a-z` and `_`.
pub fn check_code(v: &str) -> Result<(), &'static str> {
    if (1..=60).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        Ok(())
    } else {
        Err("must be a code of lower-case letters and underscores")
    }
}

/// A time filter the database can compare: years 1900 to 9999.
pub fn check_time(field: &str, t: Option<chrono::DateTime<chrono::Utc>>) -> Result<(), AppError> {
    match t {
        Some(t) if !crate::domain::episodes::in_storable_range(t) => Err(AppError::field(
            field,
            "must be a time between the years 1900 and 9999",
        )),
        _ => Ok(()),
    }
}

/// A date the database can store and compare: years 1900 to 9999.
pub fn check_date(field: &str, d: chrono::NaiveDate) -> Result<chrono::NaiveDate, AppError> {
    use chrono::Datelike;
    if (1900..=9999).contains(&d.year()) {
        Ok(d)
    } else {
        Err(AppError::field(
            field,
            "must be a date between the years 1900 and 9999",
        ))
    }
}

#[cfg(test)]
mod edge_tests {
    use super::*;

    #[test]
    fn codes_and_times_are_bounded() {
        assert!(check_code("youth_justice").is_ok());
        assert!(check_code("a\u{0}b").is_err());
        assert!(check_code("").is_err());
        let ancient = chrono::DateTime::parse_from_rfc3339("0500-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert!(check_time("from", Some(ancient)).is_err());
        assert!(check_time("from", Some(chrono::Utc::now())).is_ok());
        assert!(check_time("from", None).is_ok());
    }
}

/// The request context every service takes, built once here from the request: the
/// application's dependencies, the bearer token's session (verified; the account and
/// session are checked again in the request's transaction) and the audit context. A bad
/// `X-Purpose` is a 400 before a missing token is a 401, as before.
impl FromRequest for Ctx {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(context(req))
    }
}

fn context(req: &HttpRequest) -> Result<Ctx, AppError> {
    let audit = meta(req)?.audit;
    let app = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::internal(std::io::Error::other("application state missing")))?
        .clone()
        .into_inner();
    let claims = crate::auth::extractor::extract(req)?.0;
    tracing::Span::current().record("user", tracing::field::display(claims.sub));
    let session = Session {
        user: claims.sub,
        session: claims.sid,
        token_version: claims.ver,
    };
    // Who asked, for the security event a refusal records (`routes::refusals`).
    req.extensions_mut().insert(session);
    Ok(Ctx {
        app,
        session,
        audit,
    })
}
