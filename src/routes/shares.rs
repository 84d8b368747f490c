//! `/shares`: disclosures of parts of an episode, trigger or referral to a partner
//! agency. Case workers of the record's district share and revoke; partners list what
//! is shared with their agency.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::extract::{check_time, created, page_limit, versioned};
use super::types::{parse_time_cursor, time_cursor, FieldErrors, Page};
use crate::domain::shares::{is_in_force, Part, SharedRecord};
use crate::error::{AppError, Problem};
use crate::ids::{AgencyId, ShareId};
use crate::services;
use crate::services::context::Ctx;
use crate::services::shares::ShareInput;
use crate::services::shares::{ShareFilter, ShareRow};

#[derive(Serialize, ToSchema)]
pub struct ShareResponse {
    #[serde(flatten)]
    pub share: ShareRow,
    /// Not revoked and not expired.
    pub in_force: bool,
}

impl From<ShareRow> for ShareResponse {
    fn from(s: ShareRow) -> Self {
        ShareResponse {
            in_force: is_in_force(s.revoked_at, s.expires_at, Utc::now()),
            share: s,
        }
    }
}

/// A share has no version: it is made, then perhaps revoked; its ETag is "1" or "2".
fn version_of(s: &ShareRow) -> i32 {
    if s.revoked_at.is_some() {
        2
    } else {
        1
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateShareRequest {
    pub record_type: SharedRecord,
    #[schema(value_type = String, format = Uuid)]
    pub record_id: Uuid,
    pub agency_id: AgencyId,
    /// Always including `summary`. Episode: `summary`, `risk`, `return`,
    /// `return_interview`, `markers`; trigger: `summary`, `plan`, `markers`; referral:
    /// `summary`, `triage`, `plan`, `markers`.
    pub parts: Vec<Part>,
    #[schema(example = "Return home interview and safety planning")]
    pub purpose: String,
    #[schema(example = "DPA 2018 s.35; Children Act 2004 s.11")]
    pub lawful_basis: String,
    /// In the future, if given.
    pub expires_at: Option<DateTime<Utc>>,
}

impl TryFrom<CreateShareRequest> for ShareInput {
    type Error = AppError;
    fn try_from(r: CreateShareRequest) -> Result<Self, AppError> {
        check_time("expires_at", r.expires_at)?;
        let mut f = FieldErrors::new();
        let purpose = f.text("purpose", &r.purpose, true, 1000);
        let basis = f.text("lawful_basis", &r.lawful_basis, true, 500);
        let input = purpose
            .zip(basis)
            .map(|(purpose, lawful_basis)| ShareInput {
                record_type: r.record_type,
                record_id: r.record_id,
                agency_id: r.agency_id,
                parts: r.parts,
                purpose,
                lawful_basis,
                expires_at: r.expires_at,
            });
        f.done(input)
    }
}

/// Share parts of a record with an agency: a disclosure, audited with the agency as
/// recipient (supervisors, MFHCs, Early Action of the record's district).
#[utoipa::path(post, path = "/api/v1/shares", tag = "sharing", security(("bearer" = [])),
    request_body = CreateShareRequest, responses(
    (status = 201, body = ShareResponse, headers(("ETag" = String))),
))]
#[tracing::instrument(name = "http::shares::create", skip_all)]
pub async fn create(
    ctx: Ctx,
    body: web::Json<CreateShareRequest>,
) -> Result<HttpResponse, AppError> {
    let input = ShareInput::try_from(body.into_inner())?;
    let s = services::shares::create(&ctx, input).await?;
    let location = format!("/api/v1/shares/{}", s.id);
    Ok(created(location, version_of(&s), ShareResponse::from(s)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ShareQuery {
    pub record_type: Option<SharedRecord>,
    #[param(value_type = Option<String>, format = Uuid)]
    pub record_id: Option<Uuid>,
    pub agency_id: Option<AgencyId>,
    /// `true`: only shares in force; `false`: only revoked or expired ones.
    pub in_force: Option<bool>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// Shares the caller may see (partners: those to their agency), newest first.
#[utoipa::path(get, path = "/api/v1/shares", tag = "sharing", security(("bearer" = [])), params(ShareQuery), responses(
    (status = 200, body = Page<ShareResponse>),
))]
#[tracing::instrument(name = "http::shares::list", skip_all)]
pub async fn list(ctx: Ctx, query: web::Query<ShareQuery>) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let filter = ShareFilter {
        record_type: q.record_type,
        record_id: q.record_id,
        agency_id: q.agency_id,
        in_force: q.in_force,
        now: None,
        before: q
            .cursor
            .as_deref()
            .map(parse_time_cursor)
            .transpose()?
            .map(|(at, id)| (at, ShareId(id))),
    };
    let rows = services::shares::list(&ctx, filter, limit).await?;
    let items = rows.into_iter().map(ShareResponse::from).collect();
    Ok(
        HttpResponse::Ok().json(Page::new(items, limit, |s: &ShareResponse| {
            time_cursor(s.share.shared_at, s.share.id)
        })),
    )
}

/// A share.
#[utoipa::path(get, path = "/api/v1/shares/{id}", tag = "sharing", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Share id")), responses(
    (status = 200, body = ShareResponse, headers(("ETag" = String))),
))]
#[tracing::instrument(name = "http::shares::get", skip_all)]
pub async fn get(ctx: Ctx, id: web::Path<ShareId>) -> Result<HttpResponse, AppError> {
    let s = services::shares::get(&ctx, id.into_inner()).await?;
    Ok(versioned(
        StatusCode::OK,
        version_of(&s),
        ShareResponse::from(s),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeShareRequest {
    #[schema(example = "Case transferred to another authority")]
    pub reason: String,
}

/// Revoke a share at once: the agency's partners stop seeing the record.
#[utoipa::path(post, path = "/api/v1/shares/{id}/revoke", tag = "sharing", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Share id")),
    request_body = RevokeShareRequest, responses(
    (status = 200, body = ShareResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::shares::revoke", skip_all)]
pub async fn revoke(
    ctx: Ctx,
    id: web::Path<ShareId>,
    body: web::Json<RevokeShareRequest>,
) -> Result<HttpResponse, AppError> {
    let reason = FieldErrors::new().text_only("reason", &body.reason, 2000)?;
    let s = services::shares::revoke(&ctx, id.into_inner(), reason).await?;
    Ok(versioned(
        StatusCode::OK,
        version_of(&s),
        ShareResponse::from(s),
    ))
}
