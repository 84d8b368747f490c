//! `/subject-access-requests`: the data subject's right of access (DPA 2018 s.45), for
//! the force's data protection officers.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::extract::{check_date, created, page_limit, versioned, IfMatch};
use super::types::{FieldErrors, Page};
use crate::domain::references::{short_ref, RefKind};
use crate::error::{AppError, Problem};
use crate::ids::UserId;
use crate::services;
use crate::services::context::Ctx;
use crate::services::subject_access::{
    NewRequest, Request, ReviewNote, SarDecision, SarRow, SarStatus, Subject,
};

/// Who a request is about, when their records' ids are not known.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DescribedSubject {
    /// Names (given, family, or aliases), any order.
    #[schema(example = "Jordan Smith")]
    pub name: String,
    pub date_of_birth: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSubjectAccessRequest {
    /// The persons the request is about (1–20); or give `subject` instead.
    pub person_ids: Option<Vec<Uuid>>,
    /// Find the persons by name and date of birth (every match is included; review them).
    pub subject: Option<DescribedSubject>,
    /// Who asked: the data subject, or who acts for them (and how that was verified).
    #[schema(example = "The data subject, in writing; identity checked against a passport")]
    pub requester: String,
    #[schema(example = "Request for all records held by the missing persons service")]
    pub reason: String,
    /// When the request was received (default today); the deadline runs from it.
    pub received_on: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct SubjectAccessSummary {
    pub id: Uuid,
    /// `SAR-XXXXXXXX`, as emails show it.
    pub reference: String,
    pub person_ids: Vec<Uuid>,
    pub requester: String,
    pub reason: String,
    pub received_on: NaiveDate,
    /// One calendar month from receipt, unless extended.
    pub due_on: NaiveDate,
    pub extension_reason: Option<String>,
    pub status: SarStatus,
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<UserId>,
    pub decision_note: Option<String>,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub assembled_at: DateTime<Utc>,
    pub created_by: UserId,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

impl From<&SarRow> for SubjectAccessSummary {
    fn from(r: &SarRow) -> Self {
        SubjectAccessSummary {
            id: r.id,
            reference: short_ref(RefKind::SubjectAccess, r.id),
            person_ids: r.person_ids.clone(),
            requester: r.requester.clone(),
            reason: r.reason.clone(),
            received_on: r.received_on,
            due_on: r.due_on,
            extension_reason: r.extension_reason.clone(),
            status: r.status,
            decided_at: r.decided_at,
            decided_by: r.decided_by,
            decision_note: r.decision_note.clone(),
            assembled_at: r.assembled_at,
            created_by: r.created_by,
            created_at: r.created_at,
            version: r.version,
        }
    }
}

/// A request with everything assembled for it.
#[derive(Serialize, ToSchema)]
pub struct SubjectAccessResponse {
    #[serde(flatten)]
    pub request: SubjectAccessSummary,
    /// Everything held: one array of whole rows a section (`persons`, `episodes`,
    /// `markers`, …, `shares`), the `emails` sent about the records and the audit log's
    /// `disclosures` of them.
    #[schema(value_type = Object)]
    pub bundle: serde_json::Value,
    /// Fields that may hold information about other people: review each before release.
    pub for_review: Vec<ReviewNote>,
}

impl From<Request> for SubjectAccessResponse {
    fn from(r: Request) -> Self {
        SubjectAccessResponse {
            request: SubjectAccessSummary::from(&r.row),
            bundle: r.row.bundle,
            for_review: r.for_review,
        }
    }
}

fn respond(status: StatusCode, r: Request) -> HttpResponse {
    versioned(status, r.row.version, SubjectAccessResponse::from(r))
}

/// Record a subject access request and assemble everything held about its subject.
///
/// Name the persons by id, or describe them by name and date of birth (every match is
/// included, and listed in `person_ids` for review). The deadline is one calendar month
/// from receipt; the data protection officers are emailed a week before it, and when it
/// passes.
#[utoipa::path(post, path = "/api/v1/subject-access-requests", tag = "data protection", security(("bearer" = [])),
    request_body(content = CreateSubjectAccessRequest, example = json!({
        "subject": { "name": "Jordan Smith", "date_of_birth": "2010-05-04" },
        "requester": "The data subject, in writing; identity checked against a passport",
        "reason": "Request for all records held by the missing persons service" })),
    responses((status = 201, body = SubjectAccessResponse)))]
#[tracing::instrument(name = "http::subject_access::create", skip_all)]
pub async fn create(
    ctx: Ctx,
    body: web::Json<CreateSubjectAccessRequest>,
) -> Result<HttpResponse, AppError> {
    let r = body.into_inner();
    let mut f = FieldErrors::new();
    let requester = f.text("requester", &r.requester, true, 500);
    let reason = f.text("reason", &r.reason, true, 2000);
    if let Some(d) = r.received_on {
        f.check(
            "received_on",
            check_date("received_on", d)
                .map_err(|_| "must be a date between the years 1900 and 9999"),
        );
    }
    let subject = match (r.person_ids, r.subject) {
        (Some(ids), None) if (1..=20).contains(&ids.len()) => {
            Some(Subject::Persons(super::types::dedup(ids)))
        }
        (Some(_), None) => {
            f.push("person_ids", "name from 1 to 20 persons");
            None
        }
        (None, Some(s)) => {
            let name = f.text("subject.name", &s.name, true, 300);
            let dob = f.check(
                "subject.date_of_birth",
                check_date("subject.date_of_birth", s.date_of_birth)
                    .map_err(|_| "must be a date between the years 1900 and 9999"),
            );
            name.zip(dob)
                .map(|(name, date_of_birth)| Subject::Described {
                    name,
                    date_of_birth,
                })
        }
        _ => {
            f.push(
                "person_ids",
                "give either `person_ids` or `subject`, not both or neither",
            );
            None
        }
    };
    let input = f.done(subject.zip(requester).zip(reason).map(
        |((subject, requester), reason)| NewRequest {
            subject,
            requester,
            reason,
            received_on: r.received_on,
        },
    ))?;
    let request = services::subject_access::create(&ctx, input).await?;
    let location = format!("/api/v1/subject-access-requests/{}", request.row.id);
    let version = request.row.version;
    Ok(created(
        location,
        version,
        SubjectAccessResponse::from(request),
    ))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SubjectAccessQuery {
    pub status: Option<SarStatus>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<Uuid>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// List subject access requests, oldest first (without their content).
#[utoipa::path(get, path = "/api/v1/subject-access-requests", tag = "data protection", security(("bearer" = [])),
    params(SubjectAccessQuery), responses((status = 200, body = Page<SubjectAccessSummary>)))]
#[tracing::instrument(name = "http::subject_access::list", skip_all)]
pub async fn list(
    ctx: Ctx,
    query: web::Query<SubjectAccessQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let rows = services::subject_access::list(&ctx, q.status, q.cursor, limit).await?;
    let items: Vec<SubjectAccessSummary> = rows.iter().map(SubjectAccessSummary::from).collect();
    Ok(
        HttpResponse::Ok().json(Page::new(items, limit, |s: &SubjectAccessSummary| {
            s.id.to_string()
        })),
    )
}

/// A request with everything assembled for it (reading it is audited as a consultation
/// of every record in it).
#[utoipa::path(get, path = "/api/v1/subject-access-requests/{id}", tag = "data protection", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    responses((status = 200, body = SubjectAccessResponse)))]
#[tracing::instrument(name = "http::subject_access::get", skip_all)]
pub async fn get(ctx: Ctx, id: web::Path<Uuid>) -> Result<HttpResponse, AppError> {
    let r = services::subject_access::get(&ctx, id.into_inner()).await?;
    Ok(respond(StatusCode::OK, r))
}

/// The request as a document for a disclosure officer's review (HTML): every section,
/// with each field that may hold information about other people highlighted.
#[utoipa::path(get, path = "/api/v1/subject-access-requests/{id}/document", tag = "data protection", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id")),
    responses((status = 200, content_type = "text/html", body = String, description = "The document")))]
#[tracing::instrument(name = "http::subject_access::document", skip_all)]
pub async fn document(ctx: Ctx, id: web::Path<Uuid>) -> Result<HttpResponse, AppError> {
    let r = services::subject_access::get(&ctx, id.into_inner()).await?;
    let row = &r.row;
    let reference = short_ref(RefKind::SubjectAccess, row.id);
    let html = crate::render::subject_access::document(
        &crate::render::subject_access::Heading {
            reference: &reference,
            requester: &row.requester,
            reason: &row.reason,
            received_on: row.received_on.to_string(),
            due_on: row.due_on.to_string(),
            status: row.status.as_str(),
            assembled_at: row.assembled_at.to_rfc3339(),
        },
        &row.bundle,
        &r.for_review,
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'",
        ))
        .body(html))
}

/// Assemble the content again (records changed since), before deciding.
#[utoipa::path(post, path = "/api/v1/subject-access-requests/{id}/assembly", tag = "data protection", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id"),
           ("If-Match" = String, Header, description = "The request's ETag")),
    responses((status = 200, body = SubjectAccessResponse),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(name = "http::subject_access::reassemble", skip_all)]
pub async fn reassemble(
    ctx: Ctx,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    let r = services::subject_access::reassemble(&ctx, id.into_inner(), if_match.0).await?;
    Ok(respond(StatusCode::OK, r))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    /// The new deadline: after the current one, at most three months from receipt.
    pub due_on: NaiveDate,
    #[schema(example = "Records held by three agencies must be reviewed for third parties")]
    pub reason: String,
}

/// Extend the deadline, with the reason.
#[utoipa::path(post, path = "/api/v1/subject-access-requests/{id}/extension", tag = "data protection", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id"),
           ("If-Match" = String, Header, description = "The request's ETag")),
    request_body = ExtensionRequest,
    responses((status = 200, body = SubjectAccessSummary),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(name = "http::subject_access::extend", skip_all)]
pub async fn extend(
    ctx: Ctx,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<ExtensionRequest>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let reason = FieldErrors::new().text_only("reason", &b.reason, 2000)?;
    check_date("due_on", b.due_on)?;
    let row = services::subject_access::extend(&ctx, id.into_inner(), if_match.0, b.due_on, reason)
        .await?;
    Ok(versioned(
        StatusCode::OK,
        row.version,
        SubjectAccessSummary::from(&row),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    pub decision: SarDecision,
    /// Required to refuse: the s.45(4) restriction that applies, and why.
    pub note: Option<String>,
}

/// Release the assembled content to the requester (recorded as a disclosure of every
/// record in it), or refuse the request.
#[utoipa::path(post, path = "/api/v1/subject-access-requests/{id}/decision", tag = "data protection", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Request id"),
           ("If-Match" = String, Header, description = "The request's ETag")),
    request_body = DecisionRequest,
    responses((status = 200, body = SubjectAccessResponse),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(name = "http::subject_access::decide", skip_all)]
pub async fn decide(
    ctx: Ctx,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: web::Json<DecisionRequest>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let note = match &b.note {
        Some(n) => Some(FieldErrors::new().text_only("note", n, 2000)?),
        None => None,
    };
    let r = services::subject_access::decide(&ctx, id.into_inner(), if_match.0, b.decision, note)
        .await?;
    Ok(respond(StatusCode::OK, r))
}
