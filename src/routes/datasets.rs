//! `/datasets`: what coordinators work from each week, as JSON or (with
//! `Accept: text/csv`) CSV that is safe to open in a spreadsheet.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::datasets::check_weeks;
use crate::domain::measures::group_of;
use crate::error::AppError;
use crate::ids::{DistrictId, PersonId};
use crate::render::csv::csv_count;
use crate::services;
use crate::services::context::Ctx;
use crate::services::datasets::MissingPersons;

mod examples;
pub mod first_time;
pub mod logs;
mod shared;
pub mod stats;

pub use shared::wants_csv;
pub(crate) use shared::{csv_of, opt_display, period_param, respond, rows_or_summary, CsvRecord};

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
    #[serde(serialize_with = "crate::json::timestamp")]
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
    #[serde(serialize_with = "crate::json::timestamp")]
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
    pub(crate) fn new(weeks: u32, m: MissingPersons) -> Self {
        MissingPersonsResponse {
            weeks,
            since: m.since,
            suppressed: m.suppressed,
            suppress_below: m.suppress_below,
            persons: m.persons.map(|rows| {
                rows.into_iter()
                    .map(|r| MissingPersonResponse {
                        age_group: group_of(r.date_of_birth, r.last_reported_at, &m.zone),
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
    pub(crate) fn csv(&self) -> String {
        rows_or_summary(self.persons.as_deref(), &self.summary)
    }
}

impl CsvRecord for MissingPersonResponse {
    const HEADER: &'static [&'static str] = &[
        "person_id",
        "given_name",
        "family_name",
        "age_group",
        "episodes",
        "last_reported_at",
        "district_id",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            self.person_id.to_string(),
            self.given_name.clone(),
            self.family_name.clone(),
            opt_display(&self.age_group),
            self.episodes.to_string(),
            self.last_reported_at.to_rfc3339(),
            self.district_id.to_string(),
        ]
    }
}

impl CsvRecord for SummaryResponse {
    const HEADER: &'static [&'static str] = &[
        "district_id",
        "age_group",
        "persons",
        "episodes",
        "repeat_persons",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            self.district_id.to_string(),
            self.age_group.clone(),
            csv_count(self.persons),
            csv_count(self.episodes),
            csv_count(self.repeat_persons),
        ]
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
    #[param(example = 200, minimum = 1, maximum = 1000)]
    pub limit: Option<i32>,
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
))]
#[tracing::instrument(name = "http::datasets::missing_persons", skip_all)]
pub async fn missing_persons(
    ctx: Ctx,
    req: HttpRequest,
    query: web::Query<MissingPersonsQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let weeks = check_weeks(q.weeks).map_err(|m| AppError::field("weeks", m))?;
    let limit = match q.limit {
        None => 200,
        Some(n) if (1..=1000).contains(&n) => n,
        Some(_) => return Err(AppError::field("limit", "must be from 1 to 1000")),
    };
    let m = services::datasets::missing_persons(&ctx, weeks, q.district_id, limit).await?;
    let body = MissingPersonsResponse::new(weeks, m);
    Ok(respond(
        &req,
        &format!("missing-persons-{weeks}-weeks.csv"),
        &body,
        MissingPersonsResponse::csv,
    ))
}
