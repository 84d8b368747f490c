//! `/agencies`: partner agency administration (admin only).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::{check_code, created, page_limit, versioned, IfMatch};
use super::types::{FieldErrors, Page};
use crate::domain::accounts::{DisplayName, Email};
use crate::error::{AppError, Problem};
use crate::ids::{AgencyId, DistrictId};
use crate::services;
use crate::services::agencies::{Agency, CreateAgency, UpdateAgency};
use crate::services::context::Ctx;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAgencyRequest {
    #[schema(example = "Leeds Children's Social Care")]
    pub name: String,
    #[schema(example = "childrens_social_care")]
    pub agency_type: String,
    #[schema(example = "csc.frontdoor@leeds.gov.invalid")]
    pub mailbox: String,
    pub district_ids: Vec<DistrictId>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAgencyRequest {
    pub name: Option<String>,
    pub agency_type: Option<String>,
    pub mailbox: Option<String>,
    pub active: Option<bool>,
    pub district_ids: Option<Vec<DistrictId>>,
}

/// Name, agency type and mailbox, as far as they are given.
fn parse(
    f: &mut FieldErrors,
    name: Option<&str>,
    agency_type: Option<&str>,
    mailbox: Option<&str>,
) -> (Option<DisplayName>, Option<Email>) {
    let name = name.and_then(|n| f.check("name", DisplayName::parse(n)));
    if let Some(code) = agency_type {
        f.check("agency_type", check_code(code));
    }
    let mailbox = mailbox.and_then(|m| f.check("mailbox", Email::parse(m)));
    (name, mailbox)
}

impl TryFrom<CreateAgencyRequest> for CreateAgency {
    type Error = AppError;
    fn try_from(r: CreateAgencyRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let (name, mailbox) = parse(
            &mut f,
            Some(&r.name),
            Some(&r.agency_type),
            Some(&r.mailbox),
        );
        let input = name.zip(mailbox).map(|(name, mailbox)| CreateAgency {
            name,
            agency_type: r.agency_type,
            mailbox,
            district_ids: r.district_ids,
        });
        f.done(input)
    }
}

impl TryFrom<UpdateAgencyRequest> for UpdateAgency {
    type Error = AppError;
    fn try_from(r: UpdateAgencyRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let (name, mailbox) = parse(
            &mut f,
            r.name.as_deref(),
            r.agency_type.as_deref(),
            r.mailbox.as_deref(),
        );
        f.done(Some(()))?;
        Ok(UpdateAgency {
            name,
            agency_type: r.agency_type,
            mailbox,
            active: r.active,
            district_ids: r.district_ids,
        })
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AgencyQuery {
    pub active: Option<bool>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<AgencyId>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// List agencies.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "agencies", security(("bearer" = [])), params(AgencyQuery), responses(
    (status = 200, body = Page<Agency>),
))]
#[tracing::instrument(name = "http::agencies::list", skip_all)]
pub async fn list(ctx: Ctx, query: web::Query<AgencyQuery>) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let rows = services::agencies::list(&ctx, q.cursor, q.active, limit).await?;
    let items = rows;
    Ok(HttpResponse::Ok().json(Page::new(items, limit, |a: &Agency| a.row.id.to_string())))
}

/// Create an agency.
#[utoipa::path(post, path = "/api/v1/agencies", tag = "agencies", security(("bearer" = [])), request_body = CreateAgencyRequest, responses(
    (status = 201, body = Agency, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::agencies::create", skip_all)]
pub async fn create(
    ctx: Ctx,
    body: web::Json<CreateAgencyRequest>,
) -> Result<HttpResponse, AppError> {
    let input = CreateAgency::try_from(body.into_inner())?;
    let agency = services::agencies::create(&ctx, input).await?;
    Ok(created(
        format!("/api/v1/agencies/{}", agency.row.id),
        agency.row.version,
        agency,
    ))
}

/// Read an agency.
#[utoipa::path(get, path = "/api/v1/agencies/{id}", tag = "agencies", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Agency id")), responses(
    (status = 200, body = Agency, headers(("ETag" = String))),
))]
#[tracing::instrument(name = "http::agencies::get", skip_all)]
pub async fn get(ctx: Ctx, id: web::Path<AgencyId>) -> Result<HttpResponse, AppError> {
    let agency = services::agencies::get(&ctx, id.into_inner()).await?;
    Ok(versioned(StatusCode::OK, agency.row.version, agency))
}

/// Update an agency (send `If-Match`).
#[utoipa::path(patch, path = "/api/v1/agencies/{id}", tag = "agencies", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Agency id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = UpdateAgencyRequest, responses(
    (status = 200, body = Agency, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::agencies::update", skip_all)]
pub async fn update(
    ctx: Ctx,
    id: web::Path<AgencyId>,
    if_match: IfMatch,
    body: web::Json<UpdateAgencyRequest>,
) -> Result<HttpResponse, AppError> {
    let input = UpdateAgency::try_from(body.into_inner())?;
    let agency = services::agencies::update(&ctx, id.into_inner(), if_match.0, input).await?;
    Ok(versioned(StatusCode::OK, agency.row.version, agency))
}

/// Deactivate an agency (kept, because shares and actions refer to it).
#[utoipa::path(delete, path = "/api/v1/agencies/{id}", tag = "agencies", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Agency id")), responses(
    (status = 204, description = "Deactivated"),
))]
#[tracing::instrument(name = "http::agencies::deactivate", skip_all)]
pub async fn deactivate(ctx: Ctx, id: web::Path<AgencyId>) -> Result<HttpResponse, AppError> {
    services::agencies::deactivate(&ctx, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
