//! `GET /datasets/looked-after-log` and `GET /datasets/hospital-log`: the rolling
//! 12-week logs coordinators work from.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::examples::logs as examples;
use super::respond;
use crate::error::AppError;
use crate::ids::DistrictId;
use crate::services;
use crate::services::context::Ctx;

mod hospital;
mod looked_after;

pub use hospital::{HospitalEpisode, HospitalLogResponse, HospitalSummary};
pub use looked_after::{LookedAfterEpisode, LookedAfterLogResponse, LookedAfterSummary};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    /// Only this district's episodes and summary lines (by the district owning the
    /// episode now).
    #[param(example = "0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d1f")]
    pub district_id: Option<DistrictId>,
}

/// The rolling 12-week log of looked-after children missing from care placements.
///
/// Counted (not cancelled) episodes reported in the last 12 weeks (84 days up to now)
/// that went missing from `care_placement` while the person was a looked-after child
/// (as recorded on the episode), with the placement named on the episode: its kind
/// (regulated / unregulated children's home, foster, family; `not_recorded` when none is
/// named), provider, placing and host authorities and the out-of-area flag. MFHCs and
/// supervisors get the episodes their district policies show; analysts and
/// administrators get the counts per district, placement kind and out-of-area flag
/// (episodes and distinct children), small counts withheld. `Accept: text/csv` gives CSV.
#[utoipa::path(get, path = "/api/v1/datasets/looked-after-log", tag = "measures", security(("bearer" = [])), params(LogQuery), responses(
    (status = 200, description = "JSON; with `Accept: text/csv`, CSV (attachment `looked-after-log.csv`): the episodes, or for roles without names the summary", content(
        (LookedAfterLogResponse = "application/json", examples(
            ("MFHC or supervisor" = (value = json!(examples::looked_after_named()))),
            ("Analyst or administrator" = (value = json!(examples::looked_after_aggregate()))),
        )),
        (String = "text/csv", examples(
            ("MFHC or supervisor" = (value = json!(examples::LOOKED_AFTER_CSV_NAMED))),
            ("Analyst or administrator" = (value = json!(examples::LOOKED_AFTER_CSV_AGGREGATE))),
        )),
    )),
))]
#[tracing::instrument(name = "http::datasets::logs::looked_after", skip_all)]
pub async fn looked_after(
    ctx: Ctx,
    req: HttpRequest,
    query: web::Query<LogQuery>,
) -> Result<HttpResponse, AppError> {
    let log = services::datasets::logs::looked_after(&ctx, query.district_id).await?;
    let body = LookedAfterLogResponse::from(log);
    Ok(respond(
        &req,
        "looked-after-log.csv",
        &body,
        LookedAfterLogResponse::csv,
    ))
}

/// The rolling 12-week log of episodes from hospital or medical settings.
///
/// Counted (not cancelled) episodes reported in the last 12 weeks (84 days up to now)
/// that went missing from `hospital_or_medical`. MFHCs and supervisors get the episodes
/// their district policies show, with the age group at the start; analysts and
/// administrators get the counts per district and age group (episodes and distinct
/// persons), small counts withheld. `Accept: text/csv` gives CSV.
#[utoipa::path(get, path = "/api/v1/datasets/hospital-log", tag = "measures", security(("bearer" = [])), params(LogQuery), responses(
    (status = 200, description = "JSON; with `Accept: text/csv`, CSV (attachment `hospital-log.csv`): the episodes, or for roles without names the summary", content(
        (HospitalLogResponse = "application/json", examples(
            ("MFHC or supervisor" = (value = json!(examples::hospital_named()))),
            ("Analyst or administrator" = (value = json!(examples::hospital_aggregate()))),
        )),
        (String = "text/csv", examples(
            ("MFHC or supervisor" = (value = json!(examples::HOSPITAL_CSV_NAMED))),
            ("Analyst or administrator" = (value = json!(examples::HOSPITAL_CSV_AGGREGATE))),
        )),
    )),
))]
#[tracing::instrument(name = "http::datasets::logs::hospital", skip_all)]
pub async fn hospital(
    ctx: Ctx,
    req: HttpRequest,
    query: web::Query<LogQuery>,
) -> Result<HttpResponse, AppError> {
    let log = services::datasets::logs::hospital(&ctx, query.district_id).await?;
    let body = HospitalLogResponse::from(log);
    Ok(respond(
        &req,
        "hospital-log.csv",
        &body,
        HospitalLogResponse::csv,
    ))
}
