//! `GET /datasets/first-time-missing-children`: children whose first ever counted
//! episode started in a month.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::examples::first_time as examples;
use super::{csv_of, opt_display, period_param, respond, CsvRecord};
use crate::domain::datasets::periods::Month;
use crate::error::AppError;
use crate::ids::{DistrictId, EpisodeId, PersonId};
use crate::render::csv::{csv_count, to_csv};
use crate::services;
use crate::services::context::Ctx;
use crate::services::datasets::first_time::FirstTime;

/// A first-time missing child (MFHCs and supervisors only).
#[derive(Serialize, ToSchema)]
#[schema(example = examples::child)]
pub struct FirstTimeChild {
    pub person_id: PersonId,
    #[schema(example = "Amelia")]
    pub given_name: String,
    #[schema(example = "Khan")]
    pub family_name: String,
    /// Always known here: persons without a date of birth are not counted.
    #[schema(example = "2012-03-14")]
    pub date_of_birth: Option<NaiveDate>,
    /// As recorded: `female`, `male`, `other`, `unknown`; `null` if not recorded.
    #[schema(example = "female")]
    pub sex: Option<String>,
    /// The first episode.
    pub episode_id: EpisodeId,
    /// The first episode's reference number.
    #[schema(example = "LDS-2026-000123")]
    pub reference: String,
    /// When the first episode was reported.
    #[schema(example = "2026-10-12T19:40:00Z")]
    #[serde(serialize_with = "crate::json::timestamp")]
    pub reported_at: DateTime<Utc>,
    /// The district that owns the first episode now.
    pub district_id: DistrictId,
    /// Where they went missing from: `home`, `care_placement`, `hospital_or_medical` or
    /// `other`.
    #[schema(example = "home")]
    pub missing_from: String,
    /// Whether they were a looked-after child when it was reported.
    #[schema(example = false)]
    pub looked_after: bool,
}

/// One district's first-time missing children in the month.
#[derive(Serialize, ToSchema)]
#[schema(example = examples::summary_leeds)]
pub struct FirstTimeSummary {
    /// The district owning the first episode now.
    pub district_id: DistrictId,
    /// First-time missing children whose first episode this district owns (`null`:
    /// withheld, a small number).
    #[schema(example = 37)]
    pub children: Option<u64>,
    /// Of them, looked after when it was reported (`null`: withheld, a small number).
    #[schema(example = 9)]
    pub looked_after: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct FirstTimeResponse {
    /// The month (the force's local time) the first episodes started in, `YYYY-MM`.
    #[schema(example = "2026-10")]
    pub month: String,
    /// MFHCs and supervisors only: the children whose first episode their policies
    /// show, oldest first.
    pub children: Option<Vec<FirstTimeChild>>,
    /// Per district, force-wide.
    pub summary: Vec<FirstTimeSummary>,
    /// Whether small counts are withheld (analysts and administrators).
    #[schema(example = false)]
    pub suppressed: bool,
    /// Counts from 1 up to, not including, this are `null`; `null` when nothing is withheld.
    #[schema(example = 5)]
    pub suppress_below: Option<u64>,
}

impl From<FirstTime> for FirstTimeResponse {
    fn from(f: FirstTime) -> Self {
        FirstTimeResponse {
            month: f.month.to_string(),
            suppressed: f.suppress_below.is_some(),
            suppress_below: f.suppress_below,
            children: f.children.map(|rows| {
                rows.into_iter()
                    .map(|r| FirstTimeChild {
                        person_id: r.episode.person_id,
                        given_name: r.episode.given_name,
                        family_name: r.episode.family_name,
                        date_of_birth: r.episode.date_of_birth,
                        sex: r.sex,
                        episode_id: r.episode.episode_id,
                        reference: r.episode.reference,
                        reported_at: r.episode.reported_at,
                        district_id: r.episode.district_id,
                        missing_from: r.missing_from,
                        looked_after: r.looked_after,
                    })
                    .collect()
            }),
            summary: f
                .summary
                .into_iter()
                .map(|s| FirstTimeSummary {
                    district_id: s.district_id,
                    children: s.children,
                    looked_after: s.looked_after,
                })
                .collect(),
        }
    }
}

impl FirstTimeResponse {
    /// The children (for those who see them), otherwise the summary (with the month).
    pub(crate) fn csv(&self) -> String {
        match &self.children {
            Some(rows) => csv_of(rows),
            None => to_csv(
                &["month", "district_id", "children", "looked_after"],
                self.summary.iter().map(|s| {
                    vec![
                        self.month.clone(),
                        s.district_id.to_string(),
                        csv_count(s.children),
                        csv_count(s.looked_after),
                    ]
                }),
            ),
        }
    }
}

impl CsvRecord for FirstTimeChild {
    const HEADER: &'static [&'static str] = &[
        "person_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "episode_id",
        "reference",
        "reported_at",
        "district_id",
        "missing_from",
        "looked_after",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            self.person_id.to_string(),
            self.given_name.clone(),
            self.family_name.clone(),
            opt_display(&self.date_of_birth),
            opt_display(&self.sex),
            self.episode_id.to_string(),
            self.reference.clone(),
            self.reported_at.to_rfc3339(),
            self.district_id.to_string(),
            self.missing_from.clone(),
            self.looked_after.to_string(),
        ]
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FirstTimeQuery {
    /// `YYYY-MM` (local), not after the current month; default the current month.
    #[param(example = "2026-10")]
    pub month: Option<String>,
    /// Only this district's children (by the district owning the first episode now) and
    /// summary line.
    #[param(example = "0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e")]
    pub district_id: Option<DistrictId>,
}

/// A month parameter: `YYYY-MM`, not after the current month (`None`: `default`).
pub(crate) fn month_param(
    field: &str,
    v: Option<&str>,
    today: NaiveDate,
    default: Month,
) -> Result<Month, AppError> {
    let current = Month::of(today);
    period_param(
        field,
        v,
        Month::parse,
        current,
        default,
        "must not be after the current month",
    )
}

/// First-time missing children in a month.
///
/// A child is counted when their first ever counted episode (cancelled episodes never
/// count; every district's episodes are looked at, including ones the caller cannot see)
/// started in the month (local time) while they were under 18. Persons without a date of birth
/// are not counted. MFHCs and supervisors get the children whose first episode their
/// district policies show, with names; analysts and administrators get only the counts
/// per district (the district owning the first episode now), small counts withheld.
/// `Accept: text/csv` gives CSV.
#[utoipa::path(get, path = "/api/v1/datasets/first-time-missing-children", tag = "measures", security(("bearer" = [])), params(FirstTimeQuery), responses(
    (status = 200, description = "JSON; with `Accept: text/csv`, CSV (attachment `first-time-missing-children-{month}.csv`): the children, or for roles without names the summary", content(
        (FirstTimeResponse = "application/json", examples(
            ("MFHC or supervisor" = (value = json!(examples::named()))),
            ("Analyst or administrator" = (value = json!(examples::aggregate()))),
        )),
        (String = "text/csv", examples(
            ("MFHC or supervisor" = (value = json!(examples::CSV_NAMED))),
            ("Analyst or administrator" = (value = json!(examples::CSV_AGGREGATE))),
        )),
    )),
))]
#[tracing::instrument(name = "http::datasets::first_time::get", skip_all)]
pub async fn get(
    ctx: Ctx,
    req: HttpRequest,
    query: web::Query<FirstTimeQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let today = ctx.app.zone.today(Utc::now());
    let month = month_param("month", q.month.as_deref(), today, Month::of(today))?;
    let f = services::datasets::first_time::first_time_children(&ctx, month, q.district_id).await?;
    let body = FirstTimeResponse::from(f);
    Ok(respond(
        &req,
        &format!("first-time-missing-children-{}.csv", body.month),
        &body,
        FirstTimeResponse::csv,
    ))
}
