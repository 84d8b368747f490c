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
    /// Only this district's episodes and summary lines (by the district owning the
    /// episode now).
    #[param(example = "0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d1f")]
    pub district_id: Option<DistrictId>,
}

/// An episode of a looked-after child missing from a care placement (MFHCs and
/// supervisors only).
#[derive(Serialize, ToSchema)]
#[schema(example = examples::looked_after_episode)]
pub struct LookedAfterEpisode {
    pub episode_id: EpisodeId,
    #[schema(example = "BFD-2026-000481")]
    pub reference: String,
    pub person_id: PersonId,
    #[schema(example = "Kai")]
    pub given_name: String,
    #[schema(example = "Walker")]
    pub family_name: String,
    /// `null` when not recorded.
    #[schema(example = "2010-06-02")]
    pub date_of_birth: Option<NaiveDate>,
    /// The district that owns the episode now.
    pub district_id: DistrictId,
    #[schema(example = "2026-10-30T22:15:00Z")]
    pub reported_at: DateTime<Utc>,
    /// The episode's status now: `reported`, `active`, `returned` or `closed`.
    #[schema(example = "returned")]
    pub status: String,
    /// The latest risk grading: `very_low`, `low`, `medium` or `high`.
    #[schema(example = "medium")]
    pub risk_level: String,
    /// The placement named on the episode; `null` when none is.
    pub placement_id: Option<PlacementId>,
    /// `regulated_childrens_home`, `unregulated_childrens_home`, `foster`, `family`, or
    /// `not_recorded` (no placement named on the episode).
    #[schema(example = "unregulated_childrens_home")]
    pub placement_kind: String,
    /// Who runs the placement, as recorded; `null` without a placement or when not
    /// recorded.
    #[schema(example = "Oakwood House")]
    pub provider: Option<String>,
    /// Local authority codes; out of area when the placing authority is not the host.
    #[schema(example = "E08000035")]
    pub placing_authority: Option<String>,
    /// The local authority the placement is in.
    #[schema(example = "E08000032")]
    pub host_authority: Option<String>,
    /// Whether the placing authority is not the host; `null` without a placement.
    #[schema(example = true)]
    pub out_of_area: Option<bool>,
}

/// One district, placement kind and out-of-area flag of the looked-after log.
#[derive(Serialize, ToSchema)]
#[schema(example = examples::looked_after_summary)]
pub struct LookedAfterSummary {
    /// The district that owns the episodes now.
    pub district_id: DistrictId,
    /// As on the episodes: `regulated_childrens_home`, `unregulated_childrens_home`,
    /// `foster`, `family` or `not_recorded`.
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
    #[schema(example = "2026-08-08T14:05:00Z")]
    pub since: DateTime<Utc>,
    /// MFHCs and supervisors only: the episodes their policies show, newest first.
    pub episodes: Option<Vec<LookedAfterEpisode>>,
    /// Per district, placement kind and out-of-area flag, force-wide.
    pub summary: Vec<LookedAfterSummary>,
    /// Whether small counts are withheld (analysts and administrators).
    #[schema(example = false)]
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

/// An episode from a hospital or medical setting (MFHCs and supervisors only).
#[derive(Serialize, ToSchema)]
#[schema(example = examples::hospital_episode)]
pub struct HospitalEpisode {
    pub episode_id: EpisodeId,
    #[schema(example = "WKF-2026-000077")]
    pub reference: String,
    pub person_id: PersonId,
    #[schema(example = "Arthur")]
    pub given_name: String,
    #[schema(example = "Wood")]
    pub family_name: String,
    /// `null` when not recorded.
    #[schema(example = "1941-05-19")]
    pub date_of_birth: Option<NaiveDate>,
    /// At the episode's start; `null` without a date of birth.
    pub age_group: Option<AgeGroup>,
    /// The district that owns the episode now.
    pub district_id: DistrictId,
    #[schema(example = "2026-10-29T03:10:00Z")]
    pub reported_at: DateTime<Utc>,
    /// Who reported it: `parent`, `carer`, `childrens_home`, `hospital`, `school`,
    /// `police`, `self` or `other`.
    #[schema(example = "hospital")]
    pub reported_by: String,
    #[schema(example = "Pinderfields Hospital, ward 12")]
    pub last_seen_location: String,
    /// The episode's status now: `reported`, `active`, `returned` or `closed`.
    #[schema(example = "active")]
    pub status: String,
    /// The latest risk grading: `very_low`, `low`, `medium` or `high`.
    #[schema(example = "high")]
    pub risk_level: String,
}

/// One district and age group of the hospital log.
#[derive(Serialize, ToSchema)]
#[schema(example = examples::hospital_summary)]
pub struct HospitalSummary {
    /// The district that owns the episodes now.
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
    #[schema(example = "2026-08-08T14:05:00Z")]
    pub since: DateTime<Utc>,
    /// MFHCs and supervisors only: the episodes their policies show, newest first.
    pub episodes: Option<Vec<HospitalEpisode>>,
    /// Per district and age group, force-wide.
    pub summary: Vec<HospitalSummary>,
    /// Whether small counts are withheld (analysts and administrators).
    #[schema(example = false)]
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

/// Example values for the OpenAPI document: the logs on 31 October 2026.
mod examples {
    use serde_json::{json, Value};

    use crate::routes::datasets::examples::{BRADFORD, EPISODE, PERSON, SINCE, WAKEFIELD};

    /// A Leeds (E08000035) child placed in Bradford (E08000032): out of area.
    pub fn looked_after_episode() -> Value {
        json!({
            "episode_id": EPISODE,
            "reference": "BFD-2026-000481",
            "person_id": PERSON,
            "given_name": "Kai",
            "family_name": "Walker",
            "date_of_birth": "2010-06-02",
            "district_id": BRADFORD,
            "reported_at": "2026-10-30T22:15:00Z",
            "status": "returned",
            "risk_level": "medium",
            "placement_id": "0193a2b5-6e7f-7a8b-9c0d-1e2f3a4b5c6d",
            "placement_kind": "unregulated_childrens_home",
            "provider": "Oakwood House",
            "placing_authority": "E08000035",
            "host_authority": "E08000032",
            "out_of_area": true,
        })
    }

    pub fn looked_after_summary() -> Value {
        json!({
            "district_id": BRADFORD,
            "placement_kind": "regulated_childrens_home",
            "out_of_area": false,
            "episodes": 23,
            "persons": 11,
        })
    }

    pub fn looked_after_named() -> Value {
        json!({
            "since": SINCE,
            "episodes": [looked_after_episode()],
            "summary": [
                looked_after_summary(),
                {"district_id": BRADFORD, "placement_kind": "unregulated_childrens_home", "out_of_area": true, "episodes": 4, "persons": 2},
            ],
            "suppressed": false,
            "suppress_below": null,
        })
    }

    pub fn looked_after_aggregate() -> Value {
        json!({
            "since": SINCE,
            "episodes": null,
            "summary": [
                looked_after_summary(),
                {"district_id": BRADFORD, "placement_kind": "unregulated_childrens_home", "out_of_area": true, "episodes": null, "persons": null},
            ],
            "suppressed": true,
            "suppress_below": 5,
        })
    }

    pub const LOOKED_AFTER_CSV_NAMED: &str = "episode_id,reference,person_id,given_name,family_name,date_of_birth,district_id,reported_at,status,risk_level,placement_kind,provider,placing_authority,host_authority,out_of_area\r\n\
        0193a2b6-8d9e-7f0a-b1c2-d3e4f5a6b7c8,BFD-2026-000481,0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b,Kai,Walker,2010-06-02,0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d1f,2026-10-30T22:15:00+00:00,returned,medium,unregulated_childrens_home,Oakwood House,E08000035,E08000032,true\r\n";

    pub const LOOKED_AFTER_CSV_AGGREGATE: &str = "district_id,placement_kind,out_of_area,episodes,persons\r\n\
        0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d1f,regulated_childrens_home,false,23,11\r\n\
        0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d1f,unregulated_childrens_home,true,suppressed,suppressed\r\n";

    pub fn hospital_episode() -> Value {
        json!({
            "episode_id": EPISODE,
            "reference": "WKF-2026-000077",
            "person_id": PERSON,
            "given_name": "Arthur",
            "family_name": "Wood",
            "date_of_birth": "1941-05-19",
            "age_group": "adult",
            "district_id": WAKEFIELD,
            "reported_at": "2026-10-29T03:10:00Z",
            "reported_by": "hospital",
            "last_seen_location": "Pinderfields Hospital, ward 12",
            "status": "active",
            "risk_level": "high",
        })
    }

    pub fn hospital_summary() -> Value {
        json!({"district_id": WAKEFIELD, "age_group": "adult", "episodes": 14, "persons": 9})
    }

    pub fn hospital_named() -> Value {
        json!({
            "since": SINCE,
            "episodes": [hospital_episode()],
            "summary": [
                hospital_summary(),
                {"district_id": WAKEFIELD, "age_group": "child", "episodes": 3, "persons": 2},
            ],
            "suppressed": false,
            "suppress_below": null,
        })
    }

    pub fn hospital_aggregate() -> Value {
        json!({
            "since": SINCE,
            "episodes": null,
            "summary": [
                hospital_summary(),
                {"district_id": WAKEFIELD, "age_group": "child", "episodes": null, "persons": null},
            ],
            "suppressed": true,
            "suppress_below": 5,
        })
    }

    pub const HOSPITAL_CSV_NAMED: &str = "episode_id,reference,person_id,given_name,family_name,date_of_birth,age_group,district_id,reported_at,reported_by,last_seen_location,status,risk_level\r\n\
        0193a2b6-8d9e-7f0a-b1c2-d3e4f5a6b7c8,WKF-2026-000077,0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b,Arthur,Wood,1941-05-19,adult,0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d2a,2026-10-29T03:10:00+00:00,hospital,\"Pinderfields Hospital, ward 12\",active,high\r\n";

    pub const HOSPITAL_CSV_AGGREGATE: &str = "district_id,age_group,episodes,persons\r\n\
        0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d2a,adult,14,9\r\n\
        0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d2a,child,suppressed,suppressed\r\n";
}
