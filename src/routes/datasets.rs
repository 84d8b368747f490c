//! `/datasets`: what coordinators work from each week, as JSON or (with
//! `Accept: text/csv`) CSV that is safe to open in a spreadsheet.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::Meta;
use crate::auth::Bearer;
use crate::domain::datasets::{check_weeks, csv_count, to_csv};
use crate::domain::measures::group_of;
use crate::error::{AppError, Problem};
use crate::ids::{DistrictId, PersonId};
use crate::services;
use crate::services::datasets::MissingPersons;
use crate::startup::AppState;

pub mod first_time;
pub mod logs;
pub mod stats;

/// A person missing in the look-back (MFHCs and supervisors only).
#[derive(Serialize, ToSchema)]
#[schema(example = examples::missing_person)]
pub struct MissingPersonResponse {
    pub person_id: PersonId,
    #[schema(example = "Jade")]
    pub given_name: String,
    #[schema(example = "Robinson")]
    pub family_name: String,
    /// `child` or `adult` at the latest episode; `null` without a date of birth.
    pub age_group: Option<crate::domain::measures::AgeGroup>,
    /// Counted (not cancelled) episodes reported since `since` that the caller's
    /// policies show (only the `district_id` asked for, if any).
    #[schema(example = 4)]
    pub episodes: i64,
    /// When the latest of those episodes was reported.
    #[schema(example = "2026-10-31T14:05:00Z")]
    pub last_reported_at: DateTime<Utc>,
    /// The district of the latest episode.
    pub district_id: DistrictId,
}

/// One district and age group of the missing-persons summary. Counts from 1 up to
/// `suppress_below` are `null` (withheld) for analysts and administrators.
#[derive(Serialize, ToSchema)]
#[schema(example = examples::summary_leeds_children)]
pub struct SummaryResponse {
    pub district_id: DistrictId,
    /// `child`, `adult` or `unknown` (no date of birth), at the latest episode.
    #[schema(example = "child")]
    pub age_group: String,
    /// Distinct persons with a counted episode reported since `since`; `null`: suppressed
    /// (a small number, for roles that see no names).
    #[schema(example = 23)]
    pub persons: Option<u64>,
    /// Counted (not cancelled) episodes reported since `since`; `null`: suppressed.
    #[schema(example = 41)]
    pub episodes: Option<u64>,
    /// Persons with two or more episodes in the look-back; `null`: suppressed.
    #[schema(example = 9)]
    pub repeat_persons: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct MissingPersonsResponse {
    /// The look-back asked for: 3 or 12 weeks.
    #[schema(example = 12)]
    pub weeks: u32,
    /// The look-back's start: `weeks` weeks before now. Episodes reported from then on
    /// count.
    #[schema(example = "2026-08-08T14:05:00Z")]
    pub since: DateTime<Utc>,
    /// Ranked by episodes, then the latest report; MFHCs and supervisors only (their
    /// district's episodes), `null` for analysts and administrators.
    pub persons: Option<Vec<MissingPersonResponse>>,
    /// Per district and age group, force-wide (only the `district_id` asked for, if any).
    pub summary: Vec<SummaryResponse>,
    /// Whether small counts are withheld (analysts and administrators).
    #[schema(example = false)]
    pub suppressed: bool,
    /// The threshold applied: counts from 1 up to, not including, this are `null`
    /// (`HOMEWARD_SUPPRESS_BELOW`); `null` when nothing is withheld.
    #[schema(example = 5)]
    pub suppress_below: Option<u64>,
}

impl MissingPersonsResponse {
    fn new(weeks: u32, m: MissingPersons) -> Self {
        MissingPersonsResponse {
            weeks,
            since: m.since,
            suppressed: m.suppressed,
            suppress_below: m.suppress_below,
            persons: m.persons.map(|rows| {
                rows.into_iter()
                    .map(|r| MissingPersonResponse {
                        age_group: group_of(r.date_of_birth, r.last_reported_at),
                        person_id: r.person_id,
                        given_name: r.given_name,
                        family_name: r.family_name,
                        episodes: r.episodes,
                        last_reported_at: r.last_reported_at,
                        district_id: r.district_id,
                    })
                    .collect()
            }),
            summary: m
                .summary
                .into_iter()
                .map(|s| SummaryResponse {
                    district_id: s.district_id,
                    age_group: s.age_group,
                    persons: s.persons,
                    episodes: s.episodes,
                    repeat_persons: s.repeat_persons,
                })
                .collect(),
        }
    }

    /// The persons (for those who see them), otherwise the summary.
    fn csv(&self) -> String {
        let opt = csv_count;
        match &self.persons {
            Some(rows) => to_csv(
                &[
                    "person_id",
                    "given_name",
                    "family_name",
                    "age_group",
                    "episodes",
                    "last_reported_at",
                    "district_id",
                ],
                rows.iter().map(|r| {
                    vec![
                        r.person_id.to_string(),
                        r.given_name.clone(),
                        r.family_name.clone(),
                        r.age_group.map(|g| g.to_string()).unwrap_or_default(),
                        r.episodes.to_string(),
                        r.last_reported_at.to_rfc3339(),
                        r.district_id.to_string(),
                    ]
                }),
            ),
            None => to_csv(
                &[
                    "district_id",
                    "age_group",
                    "persons",
                    "episodes",
                    "repeat_persons",
                ],
                self.summary.iter().map(|s| {
                    vec![
                        s.district_id.to_string(),
                        s.age_group.clone(),
                        opt(s.persons),
                        opt(s.episodes),
                        opt(s.repeat_persons),
                    ]
                }),
            ),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MissingPersonsQuery {
    /// The look-back in weeks: 3 or 12.
    #[param(example = 12)]
    pub weeks: u32,
    /// Only this district's episodes (persons) and summary lines.
    #[param(example = "0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e")]
    pub district_id: Option<DistrictId>,
    /// Persons listed, 1–1000 (default 200).
    #[param(example = 200)]
    pub limit: Option<i32>,
}

/// Whether the client asked for CSV.
pub fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/csv"))
}

/// `body` as JSON, or (when the client asked for CSV) `csv()` as an attachment.
pub(crate) fn respond<T: Serialize>(
    req: &HttpRequest,
    filename: &str,
    body: &T,
    csv: impl FnOnce(&T) -> String,
) -> HttpResponse {
    if wants_csv(req) {
        HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ))
            .body(csv(body))
    } else {
        HttpResponse::Ok().json(body)
    }
}

/// Example values for the OpenAPI document, shared by the datasets: "now" is
/// 2026-10-31T14:05:00Z, districts are Leeds, Bradford and Wakefield.
mod examples {
    use serde_json::{json, Value};

    pub const LEEDS: &str = "0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e";
    pub const BRADFORD: &str = "0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d1f";
    pub const WAKEFIELD: &str = "0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d2a";
    pub const PERSON: &str = "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b";
    pub const EPISODE: &str = "0193a2b6-8d9e-7f0a-b1c2-d3e4f5a6b7c8";
    /// Twelve weeks (84 days) before "now".
    pub const SINCE: &str = "2026-08-08T14:05:00Z";

    pub fn missing_person() -> Value {
        json!({
            "person_id": PERSON,
            "given_name": "Jade",
            "family_name": "Robinson",
            "age_group": "child",
            "episodes": 4,
            "last_reported_at": "2026-10-31T14:05:00Z",
            "district_id": LEEDS,
        })
    }

    pub fn summary_leeds_children() -> Value {
        json!({
            "district_id": LEEDS,
            "age_group": "child",
            "persons": 23,
            "episodes": 41,
            "repeat_persons": 9,
        })
    }

    pub fn missing_persons_named() -> Value {
        json!({
            "weeks": 12,
            "since": SINCE,
            "persons": [missing_person()],
            "summary": [
                summary_leeds_children(),
                {"district_id": LEEDS, "age_group": "unknown", "persons": 2, "episodes": 3, "repeat_persons": 1},
            ],
            "suppressed": false,
            "suppress_below": null,
        })
    }

    pub fn missing_persons_aggregate() -> Value {
        json!({
            "weeks": 12,
            "since": SINCE,
            "persons": null,
            "summary": [
                summary_leeds_children(),
                {"district_id": LEEDS, "age_group": "unknown", "persons": null, "episodes": null, "repeat_persons": null},
            ],
            "suppressed": true,
            "suppress_below": 5,
        })
    }

    pub const MISSING_PERSONS_CSV_NAMED: &str = "person_id,given_name,family_name,age_group,episodes,last_reported_at,district_id\r\n\
        0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b,Jade,Robinson,child,4,2026-10-31T14:05:00+00:00,0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e\r\n";

    pub const MISSING_PERSONS_CSV_AGGREGATE: &str =
        "district_id,age_group,persons,episodes,repeat_persons\r\n\
        0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e,child,23,41,9\r\n\
        0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e,unknown,suppressed,suppressed,suppressed\r\n";
}

/// An optional text for CSV: itself, or empty.
pub(crate) fn opt_text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// Persons missing in the last 3 or 12 weeks, ranked by episodes, with the summary.
#[utoipa::path(get, path = "/api/v1/datasets/missing-persons", tag = "measures", security(("bearer" = [])), params(MissingPersonsQuery), responses(
    (status = 200, description = "JSON; with `Accept: text/csv`, CSV (attachment `missing-persons-{weeks}-weeks.csv`): the persons, or for roles without names the summary", content(
        (MissingPersonsResponse = "application/json", examples(
            ("MFHC or supervisor" = (value = json!(examples::missing_persons_named()))),
            ("Analyst or administrator" = (value = json!(examples::missing_persons_aggregate()))),
        )),
        (String = "text/csv", examples(
            ("MFHC or supervisor" = (value = json!(examples::MISSING_PERSONS_CSV_NAMED))),
            ("Analyst or administrator" = (value = json!(examples::MISSING_PERSONS_CSV_AGGREGATE))),
        )),
    )),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn missing_persons(
    state: web::Data<AppState>,
    req: HttpRequest,
    meta: Meta,
    bearer: Bearer,
    query: web::Query<MissingPersonsQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let weeks = check_weeks(q.weeks).map_err(|m| AppError::field("weeks", m))?;
    let limit = match q.limit {
        None => 200,
        Some(n) if (1..=1000).contains(&n) => n,
        Some(_) => return Err(AppError::field("limit", "must be from 1 to 1000")),
    };
    let m = services::datasets::missing_persons(
        &state,
        &bearer,
        meta.audit,
        weeks,
        q.district_id,
        limit,
    )
    .await?;
    let body = MissingPersonsResponse::new(weeks, m);
    Ok(if wants_csv(&req) {
        HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"missing-persons-{weeks}-weeks.csv\""),
            ))
            .body(body.csv())
    } else {
        HttpResponse::Ok().json(body)
    })
}
