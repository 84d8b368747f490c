//! `/reference`: districts, agency types, local authorities.

use actix_web::HttpResponse;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::ids::DistrictId;
use crate::services;
use crate::services::context::Ctx;

#[derive(Serialize, ToSchema)]
pub struct DistrictResponse {
    pub id: DistrictId,
    #[schema(example = "LDS")]
    pub code: String,
    #[schema(example = "Leeds")]
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct AgencyTypeResponse {
    #[schema(example = "youth_justice")]
    pub code: String,
    #[schema(example = "Youth Justice Service")]
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct LocalAuthorityResponse {
    /// ONS code.
    #[schema(example = "E08000035")]
    pub code: String,
    #[schema(example = "Leeds")]
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReferenceResponse {
    pub districts: Vec<DistrictResponse>,
    pub agency_types: Vec<AgencyTypeResponse>,
    /// Placing and host authorities of placements.
    pub local_authorities: Vec<LocalAuthorityResponse>,
}

/// Districts, agency types and local authorities (any signed-in user).
#[utoipa::path(get, path = "/api/v1/reference", tag = "reference", security(("bearer" = [])), extensions(("x-any-account" = json!(true))), responses(
    (status = 200, body = ReferenceResponse),
))]
#[tracing::instrument(name = "http::reference::get", skip_all)]
pub async fn get(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let r = services::agencies::reference(&ctx).await?;
    Ok(HttpResponse::Ok().json(ReferenceResponse {
        local_authorities: r
            .local_authorities
            .into_iter()
            .map(|(code, name)| LocalAuthorityResponse { code, name })
            .collect(),
        districts: r
            .districts
            .into_iter()
            .map(|d| DistrictResponse {
                id: d.id,
                code: d.code,
                name: d.name,
            })
            .collect(),
        agency_types: r
            .agency_types
            .into_iter()
            .map(|(code, name)| AgencyTypeResponse { code, name })
            .collect(),
    }))
}
