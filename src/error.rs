//! The one application error type and its RFC 9457 `application/problem+json` rendering.
//! Every failure a client can see — handler, extractor, routing — is rendered here.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// One field-level problem in a request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field (JSON pointer-ish dotted path) the problem is about.
    pub field: String,
    /// What is wrong with it, in words a client developer can act on.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A record a request clashes with, named so the caller can act on that one instead.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct ConflictingRecord {
    /// e.g. `episode`.
    pub record_type: String,
    pub id: uuid::Uuid,
    /// Its reference, as people know it (e.g. `LDS-2026-000123`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("the request is malformed: {0}")]
    BadRequest(String),
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    #[error("authentication is required")]
    Unauthenticated(&'static str),
    #[error("not allowed")]
    Forbidden(&'static str),
    /// The account's password was reset by an administrator and must be changed first.
    #[error("the password must be changed first")]
    PasswordChangeRequired,
    #[error("not found")]
    NotFound(&'static str),
    /// The record's person is restricted (DPA 2018 s.46): it is read only with a stated
    /// reason and not changed until the restriction is lifted.
    #[error("restricted: {0}")]
    Restricted(String),
    /// The record was disposed of at review (MoPI); said only to callers who may know.
    #[error("gone: {0}")]
    Gone(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {0}")]
    Conflict(String),
    /// A conflict with named records (the problem's `conflicting` member lists them).
    #[error("conflict: {detail}")]
    ConflictWith {
        detail: String,
        records: Vec<ConflictingRecord>,
    },
    /// A state change the lifecycle does not allow; `allowed` names the ones it does.
    #[error("cannot go from {from} to {to}")]
    IllegalTransition {
        from: &'static str,
        to: &'static str,
        allowed: Vec<&'static str>,
    },
    #[error("an If-Match header is required")]
    PreconditionRequired,
    #[error("the resource has changed")]
    PreconditionFailed,
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// The client did not send the whole request within the deadline (seconds).
    #[error("the request was not received in time")]
    RequestTimeout(u64),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable")]
    Unavailable(String),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The problem+json body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Field problems, for `validation`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For `illegal-transition`: the statuses allowed next.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// For a `conflict` with existing records: which ones (update one of those instead).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicting: Vec<ConflictingRecord>,
    /// The request id to quote when reporting a server error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl AppError {
    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        AppError::Internal(Box::new(e))
    }

    pub fn field(field: &str, message: &str) -> Self {
        AppError::Validation(vec![FieldError::new(field, message)])
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            AppError::BadRequest(_) => ("bad-request", "Malformed request"),
            AppError::Validation(_) => ("validation", "Invalid request fields"),
            AppError::Unauthenticated(_) => ("unauthenticated", "Authentication required"),
            AppError::Forbidden(_) => ("forbidden", "Not allowed"),
            AppError::PasswordChangeRequired => {
                ("password-change-required", "Password change required")
            }
            AppError::NotFound(_) => ("not-found", "Not found"),
            AppError::Restricted(_) => ("restricted", "Restricted record"),
            AppError::Gone(_) => ("gone", "Disposed of"),
            AppError::MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
            AppError::Conflict(_) | AppError::ConflictWith { .. } => ("conflict", "Conflict"),
            AppError::IllegalTransition { .. } => ("illegal-transition", "Transition not allowed"),
            AppError::PreconditionRequired => ("precondition-required", "If-Match required"),
            AppError::PreconditionFailed => ("precondition-failed", "Resource has changed"),
            AppError::PayloadTooLarge => ("payload-too-large", "Request body too large"),
            AppError::UnsupportedMediaType => ("unsupported-media-type", "Unsupported media type"),
            AppError::RequestTimeout(_) => ("request-timeout", "Request not received in time"),
            AppError::TooManyRequests { .. } => ("too-many-requests", "Too many requests"),
            AppError::Unavailable(_) => ("unavailable", "Service unavailable"),
            AppError::Internal(_) => ("internal", "Internal server error"),
        }
    }

    fn detail(&self) -> Option<String> {
        match self {
            AppError::BadRequest(d)
            | AppError::Conflict(d)
            | AppError::Restricted(d)
            | AppError::Gone(d) => Some(d.clone()),
            AppError::ConflictWith { detail, .. } => Some(detail.clone()),
            AppError::Unauthenticated(d) | AppError::Forbidden(d) | AppError::NotFound(d) => {
                Some((*d).to_string())
            }
            AppError::Validation(_) => Some("one or more fields are invalid".into()),
            AppError::PasswordChangeRequired => Some(
                "an administrator reset this account's password: change it (POST /api/v1/me/password) before anything else"
                    .into(),
            ),
            AppError::IllegalTransition { from, to, allowed } => {
                Some(if allowed.is_empty() {
                    format!("cannot go from {from} to {to}: {from} is final")
                } else {
                    format!("cannot go from {from} to {to}; from {from} the allowed next statuses are: {}", allowed.join(", "))
                })
            }
            AppError::MethodNotAllowed => Some("this resource does not support that method".into()),
            AppError::PreconditionRequired => {
                Some("send the resource's current ETag in an If-Match header".into())
            }
            AppError::PreconditionFailed => Some(
                "the resource was changed by someone else; fetch it again and reapply your change"
                    .into(),
            ),
            AppError::PayloadTooLarge => Some("request bodies are limited to 1 MiB".into()),
            AppError::UnsupportedMediaType => Some("send the body as application/json".into()),
            AppError::RequestTimeout(secs) => Some(format!(
                "the whole request must arrive within {secs} seconds; nothing was changed"
            )),
            AppError::TooManyRequests { retry_after_secs } => {
                Some(format!("try again in {retry_after_secs} seconds"))
            }
            AppError::Unavailable(d) => Some(d.clone()),
            AppError::Internal(_) => None,
        }
    }

    pub fn to_problem(&self) -> Problem {
        let (slug, title) = self.slug_and_title();
        let request_id = match self {
            AppError::Internal(_) | AppError::Unavailable(_) => crate::request_id::current(),
            _ => None,
        };
        Problem {
            problem_type: format!("/problems/{slug}"),
            title: title.into(),
            status: self.status_code().as_u16(),
            detail: self.detail(),
            errors: match self {
                AppError::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
            allowed: match self {
                AppError::IllegalTransition { allowed, .. } => {
                    Some(allowed.iter().map(|s| s.to_string()).collect())
                }
                _ => None,
            },
            conflicting: match self {
                AppError::ConflictWith { records, .. } => records.clone(),
                _ => Vec::new(),
            },
            request_id,
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) | AppError::Validation(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::PasswordChangeRequired | AppError::Restricted(_) => {
                StatusCode::FORBIDDEN
            }
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_)
            | AppError::ConflictWith { .. }
            | AppError::IllegalTransition { .. } => StatusCode::CONFLICT,
            AppError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            AppError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(source) = self {
            tracing::error!(
                request_id = crate::request_id::current().as_deref().unwrap_or("-"),
                error = %error_chain(source.as_ref()),
                "unexpected error"
            );
        }
        let mut builder = HttpResponse::build(self.status_code());
        builder.content_type("application/problem+json");
        match self {
            AppError::TooManyRequests { retry_after_secs } => {
                builder.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            AppError::Unauthenticated(_) => {
                builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        builder.json(self.to_problem())
    }
}

/// What an edit that checks a version found (`db::update_versioned!` gives `None` when
/// the record is no longer at the version the client sent): 412, the one way it is said.
pub trait OrStale<T> {
    fn or_stale(self) -> Result<T, AppError>;
}

impl<T> OrStale<T> for Option<T> {
    fn or_stale(self) -> Result<T, AppError> {
        self.ok_or(AppError::PreconditionFailed)
    }
}

/// A record read for an edit must be at the version the client last saw (its `If-Match`):
/// checked before any work is done, as the edit itself checks it again.
pub fn expect_version(current: i32, expected: i32) -> Result<(), AppError> {
    if current == expected {
        Ok(())
    } else {
        Err(AppError::PreconditionFailed)
    }
}

/// "outer: inner: innermost", for logs.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        out.push_str(": ");
        out.push_str(&s.to_string());
        cur = s.source();
    }
    out
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match e {
            E::NotFound => AppError::NotFound("no such record"),
            // The backstop of the one-open-episode rule (the service says more, first).
            E::DatabaseError(K::UniqueViolation, info)
                if info.constraint_name() == Some("episodes_one_open_per_person") =>
            {
                AppError::Conflict(
                    "the person already has an open missing episode: update that one".into(),
                )
            }
            E::DatabaseError(K::UniqueViolation, info) => AppError::Conflict(
                match info
                    .constraint_name()
                    .and_then(|c| unique_subject(c, info.table_name()))
                {
                    Some(field) => format!("a record with the same {field} already exists"),
                    None => "this would duplicate a record that already exists".into(),
                },
            ),
            // A write naming a record that does not exist is the client's mistake in
            // that field; removing a record still referred to is a conflict.
            E::DatabaseError(K::ForeignKeyViolation, info) => {
                let field = info
                    .details()
                    .and_then(|d| missing_reference(d, info.constraint_name(), info.table_name()));
                match field {
                    Some(field) => AppError::Validation(vec![FieldError::new(
                        field,
                        "no such record (or not one you may refer to)",
                    )]),
                    None => AppError::Conflict(
                        "a referenced record does not exist or is still in use".into(),
                    ),
                }
            }
            E::DatabaseError(K::CheckViolation, info) => {
                AppError::Validation(vec![FieldError::new(
                    info.constraint_name().unwrap_or("body"),
                    "value is not allowed",
                )])
            }
            // Data exceptions (SQLSTATE class 22) come from values the edge should have
            // refused; they are the client's, never a 500.
            E::DatabaseError(K::Unknown, info) if is_data_exception(info.message()) => {
                AppError::BadRequest(
                    "a value in the request cannot be stored (out of range or not valid text)"
                        .into(),
                )
            }
            // A restricted person's records refused a change (hw_refuse_restricted_write),
            // or a disposal found them restricted or already disposed of.
            E::DatabaseError(K::Unknown, info) if info.message().starts_with("restricted: ") => {
                AppError::Restricted(info.message()["restricted: ".len()..].to_owned())
            }
            E::DatabaseError(K::Unknown, info) if info.message().starts_with("disposed: ") => {
                AppError::Gone(info.message()["disposed: ".len()..].to_owned())
            }
            // A database function found the state does not allow the change (it checks
            // again under its lock what the service checked before), or no such record.
            E::DatabaseError(K::Unknown, info) if info.message().starts_with("conflict: ") => {
                AppError::Conflict(info.message()["conflict: ".len()..].to_owned())
            }
            E::DatabaseError(K::Unknown, info) if info.message().starts_with("not found: ") => {
                AppError::NotFound("no such record")
            }
            // The database's own authorization refused what the domain let through:
            // still a refusal, not a server error (logged, since the domain should agree).
            E::DatabaseError(K::Unknown, info)
                if info.message().contains("row-level security")
                    || info.message().starts_with("not permitted:") =>
            {
                tracing::warn!(
                    message = info.message(),
                    "row-level security refused a write the domain allowed"
                );
                AppError::Forbidden("not allowed")
            }
            // Two transactions waited on each other and Postgres ended this one: nothing
            // was stored, and trying again will work.
            E::DatabaseError(K::Unknown, info) if info.message().contains("deadlock detected") => {
                AppError::Unavailable("the request collided with another; try again".into())
            }
            // A serializable read met a concurrent change (e.g. a new measure definition
            // while a report was read): nothing was stored; trying again will work.
            E::DatabaseError(K::SerializationFailure, _) => {
                AppError::Unavailable("the data changed while it was read; try again".into())
            }
            // The connection or its server went away (a killed backend, a restart, a
            // dropped socket): the transaction is gone with it, so nothing was stored.
            E::DatabaseError(K::ClosedConnection | K::UnableToSendCommand, _)
            | E::BrokenTransactionManager => {
                AppError::Unavailable("the database connection was lost; try again".into())
            }
            E::DatabaseError(K::Unknown, info) if is_operator_intervention(info.message()) => {
                tracing::warn!(
                    message = info.message(),
                    "the database ended the request's work"
                );
                AppError::Unavailable(
                    "the database ended the request's work; nothing was changed, try again".into(),
                )
            }
            other => AppError::internal(other),
        }
    }
}

fn is_data_exception(message: &str) -> bool {
    [
        "invalid byte sequence",
        "out of range",
        "invalid input syntax",
        "value too long",
    ]
    .iter()
    .any(|m| message.contains(m))
}

/// The field a write named a missing record in, for a foreign-key violation whose
/// detail says the key "is not present in table …". Postgres names the column in the
/// detail (`Key (home_district_id)=(…) is not present …`) only where the writer may read
/// the referenced table's columns without row security; otherwise it comes from the
/// constraint's name (`persons_home_district_id_fkey` on `persons`).
fn missing_reference<'a>(
    details: &'a str,
    constraint: Option<&'a str>,
    table: Option<&str>,
) -> Option<&'a str> {
    if !details.contains("is not present in table") {
        return None;
    }
    if let Some((columns, _)) = details
        .strip_prefix("Key (")
        .and_then(|d| d.split_once(")="))
    {
        return Some(columns);
    }
    let rest = constraint?.strip_suffix("_fkey")?;
    Some(
        table
            .and_then(|t| rest.strip_prefix(t)?.strip_prefix('_'))
            .unwrap_or(rest),
    )
}

/// SQLSTATE class 57 (operator intervention): the server was shut down, restarted, or
/// ended this backend or statement. diesel does not pass the SQLSTATE on, only the text.
fn is_operator_intervention(message: &str) -> bool {
    [
        "terminating connection",
        "the database system is",
        "canceling statement due to",
    ]
    .iter()
    .any(|m| message.starts_with(m))
}

/// `users_email_key` → `email`: what a unique constraint is about, for the message.
/// The column a `<table>_<column>_key` constraint is on; `None` for other unique
/// indexes (their names say nothing a client can act on).
fn unique_subject<'a>(constraint: &'a str, table: Option<&str>) -> Option<&'a str> {
    let rest = constraint.strip_suffix("_key")?;
    match table.and_then(|t| rest.strip_prefix(t)?.strip_prefix('_')) {
        Some(field) => Some(field),
        None => rest.split_once('_').map(|(_, field)| field),
    }
}

impl From<crate::db::PoolError> for AppError {
    fn from(e: crate::db::PoolError) -> Self {
        tracing::warn!(error = %e, "database pool unavailable");
        AppError::Unavailable("the database is unavailable; try again shortly".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_constraint_names_become_field_names() {
        assert_eq!(
            unique_subject("users_email_key", Some("users")),
            Some("email")
        );
        assert_eq!(unique_subject("agencies_name_key", None), Some("name"));
        assert_eq!(
            unique_subject("trigger_rules_name_key", Some("trigger_rules")),
            Some("name")
        );
        assert_eq!(
            unique_subject("referrals_one_per_trigger_idx", Some("referrals")),
            None
        );
        assert_eq!(unique_subject("weird", None), None);
    }

    #[test]
    fn too_many_requests_carries_retry_after() {
        let resp = AppError::TooManyRequests {
            retry_after_secs: 42,
        }
        .error_response();
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(resp.headers().get(header::RETRY_AFTER).unwrap(), "42");
        assert_eq!(
            resp.headers().get(header::CONTENT_TYPE).unwrap(),
            "application/problem+json"
        );
    }

    #[test]
    fn a_missing_reference_names_its_field_and_a_reference_in_use_is_a_conflict() {
        assert_eq!(
            missing_reference(
                "Key (home_district_id)=(e3e70682-c209-1cac-a29f-6fbed82c07cd) is not present in table \"districts\".",
                None,
                None
            ),
            Some("home_district_id")
        );
        // Behind row security Postgres leaves the key out; the constraint names it.
        assert_eq!(
            missing_reference(
                "Key is not present in table \"districts\".",
                Some("persons_home_district_id_fkey"),
                Some("persons")
            ),
            Some("home_district_id")
        );
        assert_eq!(
            missing_reference(
                "Key (id)=(1) is still referenced from table \"episodes\".",
                Some("episodes_person_id_fkey"),
                Some("persons")
            ),
            None
        );
    }

    #[test]
    fn lost_connections_and_killed_backends_are_unavailable_not_internal() {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        let db = |kind, message: &str| E::DatabaseError(kind, Box::new(message.to_owned()));
        for e in [
            db(K::UnableToSendCommand, "connection closed"),
            db(K::ClosedConnection, "closed"),
            db(
                K::Unknown,
                "terminating connection due to administrator command",
            ),
            db(K::Unknown, "the database system is shutting down"),
            db(K::Unknown, "canceling statement due to statement timeout"),
            E::BrokenTransactionManager,
        ] {
            let shown = format!("{e}");
            assert_eq!(
                AppError::from(e).status_code(),
                StatusCode::SERVICE_UNAVAILABLE,
                "{shown}"
            );
        }
        let other = db(K::Unknown, "relation \"x\" does not exist");
        assert_eq!(
            AppError::from(other).status_code(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let e = AppError::internal(std::io::Error::other("secret connection string"));
        let p = e.to_problem();
        assert_eq!(p.status, 500);
        assert!(p.detail.is_none());
        assert!(!serde_json::to_string(&p).unwrap().contains("secret"));
    }
}
