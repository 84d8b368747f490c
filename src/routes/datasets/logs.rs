//! `GET /datasets/looked-after-log` and `GET /datasets/hospital-log`: the rolling
//! 12-week logs coordinators work from.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{opt_text, respond};
use crate::auth::Bearer;
use crate::domain::datasets::{csv_count, to_csv};
use crate::domain::measures::{group_of, AgeGroup};
use crate::error::{AppError, Problem};
use crate::ids::{DistrictId, EpisodeId, PersonId, PlacementId};
use crate::routes::extract::Meta;
use crate::services;
use crate::startup::AppState;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    pub district_id: Option<DistrictId>,
}

#[derive(Serialize, ToSchema)]
pub struct LookedAfterEpisode {
    pub episode_id: EpisodeId,
    #[schema(example = "BFD-2026-000481")]
    pub reference: String,
    pub person_id: PersonId,
    #[schema(example = "Kai")]
    pub given_name: String,
    #[schema(example = "Walker")]
    pub family_name: String,
    pub date_of_birth: Option<NaiveDate>,
    /// The district that owns the episode now.
    pub district_id: DistrictId,
    pub reported_at: DateTime<Utc>,
    #[schema(example = "returned")]
    pub status: String,
    #[schema(example = "medium")]
    pub risk_level: String,
    pub placement_id: Option<PlacementId>,
    /// `regulated_childrens_home`, `unregulated_childrens_home`, `foster`, `family`, or
    /// `not_recorded` (no placement named on the episode).
    #[schema(example = "unregulated_childrens_home")]
    pub placement_kind: String,
    #[schema(example = "Oakwood House")]
    pub provider: Option<String>,
    /// Local authority codes; out of area when the placing authority is not the host.
    #[schema(example = "E08000035")]
    pub placing_authority: Option<String>,
    #[schema(example = "E08000032")]
    pub host_authority: Option<String>,
    #[schema(example = true)]
    pub out_of_area: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct LookedAfterSummary {
    pub district_id: DistrictId,
    #[schema(example = "regulated_childrens_home")]
    pub placement_kind: String,
    /// `null` when no placement is named.
    #[schema(example = false)]
    pub out_of_area: Option<bool>,
    /// `null`: withheld (a small number, for roles that see no names).
    #[schema(example = 23)]
    pub episodes: Option<u64>,
    /// Distinct children.
    #[schema(example = 11)]
    pub persons: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct LookedAfterLogResponse {
    /// The log covers episodes reported from this instant (12 weeks ago) on.
    pub since: DateTime<Utc>,
    /// MFHCs and supervisors only: the episodes their policies show, newest first.
    pub episodes: Option<Vec<LookedAfterEpisode>>,
    /// Per district, placement kind and out-of-area flag, force-wide.
    pub summary: Vec<LookedAfterSummary>,
    pub suppressed: bool,
    /// Counts from 1 up to, not including, this are `null`; `null` when nothing is withheld.
    #[schema(example = 5)]
    pub suppress_below: Option<u64>,
}

impl LookedAfterLogResponse {
    fn csv(&self) -> String {
        let flag = |v: Option<bool>| v.map(|b| b.to_string()).unwrap_or_default();
        match &self.episodes {
            Some(rows) => to_csv(
                &[
                    "episode_id",
                    "reference",
                    "person_id",
                    "given_name",
                    "family_name",
                    "date_of_birth",
                    "district_id",
                    "reported_at",
                    "status",
                    "risk_level",
                    "placement_kind",
                    "provider",
                    "placing_authority",
                    "host_authority",
                    "out_of_area",
                ],
                rows.iter().map(|r| {
                    vec![
                        r.episode_id.to_string(),
                        r.reference.clone(),
                        r.person_id.to_string(),
                        r.given_name.clone(),
                        r.family_name.clone(),
                        r.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
                        r.district_id.to_string(),
                        r.reported_at.to_rfc3339(),
                        r.status.clone(),
                        r.risk_level.clone(),
                        r.placement_kind.clone(),
                        opt_text(&r.provider),
                        opt_text(&r.placing_authority),
                        opt_text(&r.host_authority),
                        flag(r.out_of_area),
                    ]
                }),
            ),
            None => to_csv(
                &[
                    "district_id",
                    "placement_kind",
                    "out_of_area",
                    "episodes",
                    "persons",
                ],
                self.summary.iter().map(|s| {
                    vec![
                        s.district_id.to_string(),
                        s.placement_kind.clone(),
                        flag(s.out_of_area),
                        csv_count(s.episodes),
                        csv_count(s.persons),
                    ]
                }),
            ),
        }
    }
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
    (status = 200, body = LookedAfterLogResponse, content_type = "application/json"),
    (status = 200, body = String, content_type = "text/csv", description = "With `Accept: text/csv`: the episodes (or, for roles without names, the summary)"),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn looked_after(
    state: web::Data<AppState>,
    req: HttpRequest,
    meta: Meta,
    bearer: Bearer,
    query: web::Query<LogQuery>,
) -> Result<HttpResponse, AppError> {
    let log =
        services::datasets::logs::looked_after(&state, &bearer, meta.audit, query.district_id)
            .await?;
    let body = LookedAfterLogResponse {
        since: log.since,
        suppressed: log.suppress_below.is_some(),
        suppress_below: log.suppress_below,
        episodes: log.rows.map(|rows| {
            rows.into_iter()
                .map(|r| LookedAfterEpisode {
                    episode_id: r.episode_id,
                    reference: r.reference,
                    person_id: r.person_id,
                    given_name: r.given_name,
                    family_name: r.family_name,
                    date_of_birth: r.date_of_birth,
                    district_id: r.district_id,
                    reported_at: r.reported_at,
                    status: r.status,
                    risk_level: r.risk_level,
                    placement_id: r.placement_id,
                    placement_kind: r.placement_kind,
                    provider: r.provider,
                    placing_authority: r.placing_authority,
                    host_authority: r.host_authority,
                    out_of_area: r.out_of_area,
                })
                .collect()
        }),
        summary: log
            .summary
            .into_iter()
            .map(|s| LookedAfterSummary {
                district_id: s.district_id,
                placement_kind: s.placement_kind,
                out_of_area: s.out_of_area,
                episodes: s.episodes,
                persons: s.persons,
            })
            .collect(),
    };
    Ok(respond(
        &req,
        "looked-after-log.csv",
        &body,
        LookedAfterLogResponse::csv,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct HospitalEpisode {
    pub episode_id: EpisodeId,
    #[schema(example = "WKF-2026-000077")]
    pub reference: String,
    pub person_id: PersonId,
    #[schema(example = "Arthur")]
    pub given_name: String,
    #[schema(example = "Wood")]
    pub family_name: String,
    pub date_of_birth: Option<NaiveDate>,
    /// At the episode's start; `null` without a date of birth.
    pub age_group: Option<AgeGroup>,
    /// The district that owns the episode now.
    pub district_id: DistrictId,
    pub reported_at: DateTime<Utc>,
    #[schema(example = "hospital")]
    pub reported_by: String,
    #[schema(example = "Pinderfields Hospital, ward 12")]
    pub last_seen_location: String,
    #[schema(example = "active")]
    pub status: String,
    #[schema(example = "high")]
    pub risk_level: String,
}

#[derive(Serialize, ToSchema)]
pub struct HospitalSummary {
    pub district_id: DistrictId,
    /// At the episode's start: `child`, `adult` or `unknown` (no date of birth).
    #[schema(example = "adult")]
    pub age_group: String,
    /// `null`: withheld (a small number, for roles that see no names).
    #[schema(example = 14)]
    pub episodes: Option<u64>,
    /// Distinct persons.
    #[schema(example = 9)]
    pub persons: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct HospitalLogResponse {
    /// The log covers episodes reported from this instant (12 weeks ago) on.
    pub since: DateTime<Utc>,
    /// MFHCs and supervisors only: the episodes their policies show, newest first.
    pub episodes: Option<Vec<HospitalEpisode>>,
    /// Per district and age group, force-wide.
    pub summary: Vec<HospitalSummary>,
    pub suppressed: bool,
    /// Counts from 1 up to, not including, this are `null`; `null` when nothing is withheld.
    #[schema(example = 5)]
    pub suppress_below: Option<u64>,
}

impl HospitalLogResponse {
    fn csv(&self) -> String {
        match &self.episodes {
            Some(rows) => to_csv(
                &[
                    "episode_id",
                    "reference",
                    "person_id",
                    "given_name",
                    "family_name",
                    "date_of_birth",
                    "age_group",
                    "district_id",
                    "reported_at",
                    "reported_by",
                    "last_seen_location",
                    "status",
                    "risk_level",
                ],
                rows.iter().map(|r| {
                    vec![
                        r.episode_id.to_string(),
                        r.reference.clone(),
                        r.person_id.to_string(),
                        r.given_name.clone(),
                        r.family_name.clone(),
                        r.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
                        r.age_group.map(|g| g.to_string()).unwrap_or_default(),
                        r.district_id.to_string(),
                        r.reported_at.to_rfc3339(),
                        r.reported_by.clone(),
                        r.last_seen_location.clone(),
                        r.status.clone(),
                        r.risk_level.clone(),
                    ]
                }),
            ),
            None => to_csv(
                &["district_id", "age_group", "episodes", "persons"],
                self.summary.iter().map(|s| {
                    vec![
                        s.district_id.to_string(),
                        s.age_group.clone(),
                        csv_count(s.episodes),
                        csv_count(s.persons),
                    ]
                }),
            ),
        }
    }
}

/// The rolling 12-week log of episodes from hospital or medical settings.
///
/// Counted (not cancelled) episodes reported in the last 12 weeks (84 days up to now)
/// that went missing from `hospital_or_medical`. MFHCs and supervisors get the episodes
/// their district policies show, with the age group at the start; analysts and
/// administrators get the counts per district and age group (episodes and distinct
/// persons), small counts withheld. `Accept: text/csv` gives CSV.
#[utoipa::path(get, path = "/api/v1/datasets/hospital-log", tag = "measures", security(("bearer" = [])), params(LogQuery), responses(
    (status = 200, body = HospitalLogResponse, content_type = "application/json"),
    (status = 200, body = String, content_type = "text/csv", description = "With `Accept: text/csv`: the episodes (or, for roles without names, the summary)"),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn hospital(
    state: web::Data<AppState>,
    req: HttpRequest,
    meta: Meta,
    bearer: Bearer,
    query: web::Query<LogQuery>,
) -> Result<HttpResponse, AppError> {
    let log =
        services::datasets::logs::hospital(&state, &bearer, meta.audit, query.district_id).await?;
    let body = HospitalLogResponse {
        since: log.since,
        suppressed: log.suppress_below.is_some(),
        suppress_below: log.suppress_below,
        episodes: log.rows.map(|rows| {
            rows.into_iter()
                .map(|r| HospitalEpisode {
                    age_group: group_of(r.date_of_birth, r.reported_at),
                    episode_id: r.episode_id,
                    reference: r.reference,
                    person_id: r.person_id,
                    given_name: r.given_name,
                    family_name: r.family_name,
                    date_of_birth: r.date_of_birth,
                    district_id: r.district_id,
                    reported_at: r.reported_at,
                    reported_by: r.reported_by,
                    last_seen_location: r.last_seen_location,
                    status: r.status,
                    risk_level: r.risk_level,
                })
                .collect()
        }),
        summary: log
            .summary
            .into_iter()
            .map(|s| HospitalSummary {
                district_id: s.district_id,
                age_group: s.age_group,
                episodes: s.episodes,
                persons: s.persons,
            })
            .collect(),
    };
    Ok(respond(
        &req,
        "hospital-log.csv",
        &body,
        HospitalLogResponse::csv,
    ))
}
