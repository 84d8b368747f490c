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

#[derive(Serialize, ToSchema)]
pub struct MissingPersonResponse {
    pub person_id: PersonId,
    pub given_name: String,
    pub family_name: String,
    /// `child` or `adult` at the latest episode; `null` without a date of birth.
    pub age_group: Option<crate::domain::measures::AgeGroup>,
    #[schema(example = 4)]
    pub episodes: i64,
    pub last_reported_at: DateTime<Utc>,
    /// The district of the latest episode.
    pub district_id: DistrictId,
}

#[derive(Serialize, ToSchema)]
pub struct SummaryResponse {
    pub district_id: DistrictId,
    /// `child`, `adult` or `unknown` (no date of birth), at the latest episode.
    pub age_group: String,
    /// `null`: suppressed (a small number, for roles that see no names).
    pub persons: Option<u64>,
    pub episodes: Option<u64>,
    /// Persons with two or more episodes in the look-back.
    pub repeat_persons: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct MissingPersonsResponse {
    pub weeks: u32,
    pub since: DateTime<Utc>,
    /// Ranked by episodes; MFHCs and supervisors only (their district's episodes).
    pub persons: Option<Vec<MissingPersonResponse>>,
    /// Per district and age group, force-wide.
    pub summary: Vec<SummaryResponse>,
    /// Whether small counts are withheld (analysts and administrators).
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
    /// 3 or 12.
    pub weeks: u32,
    pub district_id: Option<DistrictId>,
    /// Persons listed, 1–1000 (default 200).
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

/// An optional text for CSV: itself, or empty.
pub(crate) fn opt_text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// Persons missing in the last 3 or 12 weeks, ranked by episodes, with the summary.
#[utoipa::path(get, path = "/api/v1/datasets/missing-persons", tag = "measures", security(("bearer" = [])), params(MissingPersonsQuery), responses(
    (status = 200, body = MissingPersonsResponse, content_type = "application/json"),
    (status = 200, body = String, content_type = "text/csv", description = "With `Accept: text/csv`: the persons (or, for roles without names, the summary)"),
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
