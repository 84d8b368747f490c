//! `/restrictions` and a person's `/changes` and `/rectification-notes`: restriction of
//! processing (DPA 2018 s.46) and rectification (s.47), for the force's data protection
//! officers.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::extract::page_limit;
use super::types::{FieldErrors, Page};
use crate::error::AppError;
use crate::ids::{PersonId, UserId};
use crate::services;
use crate::services::context::Ctx;
use crate::services::restriction::{ChangeRow, NewNote, Note, Restriction};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRestriction {
    pub person_id: PersonId,
    /// Why, e.g. the accuracy is contested and by whom.
    #[schema(
        example = "Accuracy contested by the data subject's solicitor (letter of 2 December)"
    )]
    pub reason: String,
}

/// A restriction and who it is about.
#[derive(Serialize, ToSchema)]
pub struct RestrictionResponse {
    pub id: Uuid,
    pub person_id: PersonId,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub reason: String,
    pub placed_by: UserId,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub placed_at: DateTime<Utc>,
    /// `true` until lifted.
    pub in_force: bool,
    pub lifted_by: Option<UserId>,
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub lifted_at: Option<DateTime<Utc>>,
    pub lift_reason: Option<String>,
}

impl From<Restriction> for RestrictionResponse {
    fn from(r: Restriction) -> Self {
        let (given_name, family_name, date_of_birth) = match r.person {
            Some(p) => (Some(p.given_name), Some(p.family_name), p.date_of_birth),
            None => (None, None, None),
        };
        RestrictionResponse {
            id: r.row.id,
            person_id: r.row.person_id,
            given_name,
            family_name,
            date_of_birth,
            reason: r.row.reason,
            placed_by: r.row.placed_by,
            placed_at: r.row.placed_at,
            in_force: r.row.lifted_at.is_none(),
            lifted_by: r.row.lifted_by,
            lifted_at: r.row.lifted_at,
            lift_reason: r.row.lift_reason,
        }
    }
}

/// Restrict a person's records (and those of the duplicates merged into them): read-only
/// for everyone, hidden from every list and dataset row (the aggregate counts still
/// include them), and each one read only with a stated reason in `X-Purpose`.
#[utoipa::path(post, path = "/api/v1/restrictions", tag = "data protection", security(("bearer" = [])),
    request_body(content = CreateRestriction, example = json!({
        "person_id": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        "reason": "Accuracy contested by the data subject's solicitor (letter of 2 December)" })),
    responses((status = 201, body = RestrictionResponse),
              (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
              (status = 410, body = crate::error::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(name = "http::restrictions::create", skip_all)]
pub async fn create(
    ctx: Ctx,
    body: web::Json<CreateRestriction>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let reason = FieldErrors::new().text_only("reason", &b.reason, 2000)?;
    let r = services::restriction::place(&ctx, b.person_id, reason).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/restrictions/{}", r.row.id),
        ))
        .json(RestrictionResponse::from(r)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RestrictionQuery {
    /// `true`: those in force; `false`: those lifted; absent: all.
    pub in_force: Option<bool>,
    pub person_id: Option<PersonId>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<Uuid>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// Restrictions, in the order they were placed: the one list that shows restricted persons.
#[utoipa::path(get, path = "/api/v1/restrictions", tag = "data protection", security(("bearer" = [])),
    params(RestrictionQuery), responses((status = 200, body = Page<RestrictionResponse>)))]
#[tracing::instrument(name = "http::restrictions::list", skip_all)]
pub async fn list(ctx: Ctx, query: web::Query<RestrictionQuery>) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let rows = services::restriction::list(&ctx, q.in_force, q.person_id, q.cursor, limit).await?;
    let items: Vec<RestrictionResponse> = rows.into_iter().map(Into::into).collect();
    Ok(
        HttpResponse::Ok().json(Page::new(items, limit, |r: &RestrictionResponse| {
            r.id.to_string()
        })),
    )
}

#[utoipa::path(get, path = "/api/v1/restrictions/{id}", tag = "data protection", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Restriction id")),
    responses((status = 200, body = RestrictionResponse)))]
#[tracing::instrument(name = "http::restrictions::get", skip_all)]
pub async fn get(ctx: Ctx, id: web::Path<Uuid>) -> Result<HttpResponse, AppError> {
    let r = services::restriction::get(&ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(RestrictionResponse::from(r)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LiftRestriction {
    /// Why, e.g. the records were found accurate, or corrected.
    #[schema(
        example = "Date of birth corrected (rectification note recorded); accuracy no longer contested"
    )]
    pub reason: String,
}

/// Lift a restriction: the person's records are editable and listed again.
#[utoipa::path(post, path = "/api/v1/restrictions/{id}/lift", tag = "data protection", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Restriction id")),
    request_body(content = LiftRestriction, example = json!({
        "reason": "Date of birth corrected (rectification note recorded); accuracy no longer contested" })),
    responses((status = 200, body = RestrictionResponse),
              (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(name = "http::restrictions::lift", skip_all)]
pub async fn lift(
    ctx: Ctx,
    id: web::Path<Uuid>,
    body: web::Json<LiftRestriction>,
) -> Result<HttpResponse, AppError> {
    let reason = FieldErrors::new().text_only("reason", &body.reason, 2000)?;
    let r = services::restriction::lift(&ctx, id.into_inner(), reason).await?;
    Ok(HttpResponse::Ok().json(RestrictionResponse::from(r)))
}

/// Every entry of the audit log that made or changed one of the person's records (and
/// their merged duplicates'), oldest first: what a rectification note links to.
#[utoipa::path(get, path = "/api/v1/persons/{id}/changes", tag = "data protection", security(("bearer" = [])),
    params(("id" = PersonId, Path, description = "Person id")),
    responses((status = 200, body = Vec<ChangeRow>)))]
#[tracing::instrument(name = "http::restrictions::changes", skip_all)]
pub async fn changes(ctx: Ctx, id: web::Path<PersonId>) -> Result<HttpResponse, AppError> {
    let rows = services::restriction::changes(&ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(rows))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRectificationNote {
    /// Who asked, when, and what they said was wrong.
    #[schema(
        example = "The data subject, by letter of 2 December: date of birth recorded wrongly"
    )]
    pub request: String,
    /// What was done, or why nothing was.
    #[schema(example = "Date of birth corrected on the person's record")]
    pub outcome: String,
    /// The audit log entries (`seq`, from `GET /api/v1/persons/{id}/changes`) of the
    /// changes made for the request; none when nothing was changed.
    pub audit_seqs: Vec<i64>,
}

/// A rectification note with the changes it links.
#[derive(Serialize, ToSchema)]
pub struct RectificationNoteResponse {
    pub id: Uuid,
    pub person_id: PersonId,
    pub request: String,
    pub outcome: String,
    pub audit_seqs: Vec<i64>,
    /// The linked audit entries.
    pub changes: Vec<ChangeRow>,
    pub recorded_by: UserId,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub recorded_at: DateTime<Utc>,
}

impl From<Note> for RectificationNoteResponse {
    fn from(n: Note) -> Self {
        RectificationNoteResponse {
            id: n.row.id,
            person_id: n.row.person_id,
            request: n.row.request,
            outcome: n.row.outcome,
            audit_seqs: n.row.audit_seqs,
            changes: n.changes,
            recorded_by: n.row.recorded_by,
            recorded_at: n.row.recorded_at,
        }
    }
}

/// Record a rectification note: the request, what was done, and the changes (made through
/// the normal edits) it led to.
#[utoipa::path(post, path = "/api/v1/persons/{id}/rectification-notes", tag = "data protection", security(("bearer" = [])),
    params(("id" = PersonId, Path, description = "Person id")),
    request_body(content = CreateRectificationNote, example = json!({
        "request": "The data subject, by letter of 2 December: date of birth recorded wrongly",
        "outcome": "Date of birth corrected on the person's record",
        "audit_seqs": [1042] })),
    responses((status = 201, body = RectificationNoteResponse)))]
#[tracing::instrument(name = "http::restrictions::add_note", skip_all)]
pub async fn add_note(
    ctx: Ctx,
    id: web::Path<PersonId>,
    body: web::Json<CreateRectificationNote>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let mut f = FieldErrors::new();
    let request = f.text("request", &b.request, true, 2000);
    let outcome = f.text("outcome", &b.outcome, true, 2000);
    if b.audit_seqs.len() > 500 {
        f.push("audit_seqs", "link at most 500 changes");
    }
    let input = f.done(request.zip(outcome).map(|(request, outcome)| NewNote {
        request,
        outcome,
        audit_seqs: b.audit_seqs,
    }))?;
    let person = id.into_inner();
    let note = services::restriction::add_note(&ctx, person, input).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/persons/{person}/rectification-notes"),
        ))
        .json(RectificationNoteResponse::from(note)))
}

/// The person's rectification notes with the changes each links, oldest first.
#[utoipa::path(get, path = "/api/v1/persons/{id}/rectification-notes", tag = "data protection", security(("bearer" = [])),
    params(("id" = PersonId, Path, description = "Person id")),
    responses((status = 200, body = Vec<RectificationNoteResponse>)))]
#[tracing::instrument(name = "http::restrictions::notes", skip_all)]
pub async fn notes(ctx: Ctx, id: web::Path<PersonId>) -> Result<HttpResponse, AppError> {
    let rows = services::restriction::notes(&ctx, id.into_inner()).await?;
    let items: Vec<RectificationNoteResponse> = rows.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(items))
}
