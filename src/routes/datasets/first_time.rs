//! `GET /datasets/first-time-missing-children`: children whose first ever counted
//! episode started in a month.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{opt_text, respond};
use crate::auth::Bearer;
use crate::domain::datasets::periods::Month;
use crate::domain::datasets::{csv_count, to_csv};
use crate::error::{AppError, Problem};
use crate::ids::{DistrictId, EpisodeId, PersonId};
use crate::routes::extract::Meta;
use crate::services;
use crate::services::datasets::first_time::FirstTime;
use crate::startup::AppState;

#[derive(Serialize, ToSchema)]
pub struct FirstTimeChild {
    pub person_id: PersonId,
    #[schema(example = "Amelia")]
    pub given_name: String,
    #[schema(example = "Khan")]
    pub family_name: String,
    pub date_of_birth: Option<NaiveDate>,
    /// As recorded: `female`, `male`, `other`, `unknown`; `null` if not recorded.
    #[schema(example = "female")]
    pub sex: Option<String>,
    /// The first episode.
    pub episode_id: EpisodeId,
    #[schema(example = "LDS-2026-000123")]
    pub reference: String,
    pub reported_at: DateTime<Utc>,
    /// The district that owns the first episode now.
    pub district_id: DistrictId,
    #[schema(example = "home")]
    pub missing_from: String,
    /// Whether they were a looked-after child when it was reported.
    pub looked_after: bool,
}

#[derive(Serialize, ToSchema)]
pub struct FirstTimeSummary {
    pub district_id: DistrictId,
    /// First-time missing children whose first episode this district owns (`null`:
    /// withheld, a small number).
    #[schema(example = 37)]
    pub children: Option<u64>,
    /// Of them, looked after when it was reported.
    #[schema(example = 9)]
    pub looked_after: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct FirstTimeResponse {
    #[schema(example = "2026-11")]
    pub month: String,
    /// MFHCs and supervisors only: the children whose first episode their policies
    /// show, oldest first.
    pub children: Option<Vec<FirstTimeChild>>,
    /// Per district, force-wide.
    pub summary: Vec<FirstTimeSummary>,
    /// Whether small counts are withheld (analysts and administrators).
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
                        person_id: r.person_id,
                        given_name: r.given_name,
                        family_name: r.family_name,
                        date_of_birth: r.date_of_birth,
                        sex: r.sex,
                        episode_id: r.episode_id,
                        reference: r.reference,
                        reported_at: r.reported_at,
                        district_id: r.district_id,
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
    /// The children (for those who see them), otherwise the summary.
    fn csv(&self) -> String {
        match &self.children {
            Some(rows) => to_csv(
                &[
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
                ],
                rows.iter().map(|r| {
                    vec![
                        r.person_id.to_string(),
                        r.given_name.clone(),
                        r.family_name.clone(),
                        r.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
                        opt_text(&r.sex),
                        r.episode_id.to_string(),
                        r.reference.clone(),
                        r.reported_at.to_rfc3339(),
                        r.district_id.to_string(),
                        r.missing_from.clone(),
                        r.looked_after.to_string(),
                    ]
                }),
            ),
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

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FirstTimeQuery {
    /// `YYYY-MM` (UTC), not after the current month; default the current month.
    #[param(example = "2026-10")]
    pub month: Option<String>,
    pub district_id: Option<DistrictId>,
}

/// A month parameter: `YYYY-MM`, not after the current month (`None`: the current one).
pub(crate) fn month_param(
    field: &str,
    v: Option<&str>,
    today: NaiveDate,
) -> Result<Month, AppError> {
    let current = Month::of(today);
    let Some(v) = v else { return Ok(current) };
    let m = Month::parse(v).map_err(|e| AppError::field(field, e))?;
    if m > current {
        return Err(AppError::field(
            field,
            "must not be after the current month",
        ));
    }
    Ok(m)
}

/// First-time missing children in a month.
///
/// A child is counted when their first ever counted episode (cancelled episodes never
/// count; every district's episodes are looked at, including ones the caller cannot see)
/// started in the month (UTC) while they were under 18. Persons without a date of birth
/// are not counted. MFHCs and supervisors get the children whose first episode their
/// district policies show, with names; analysts and administrators get only the counts
/// per district (the district owning the first episode now), small counts withheld.
/// `Accept: text/csv` gives CSV.
#[utoipa::path(get, path = "/api/v1/datasets/first-time-missing-children", tag = "measures", security(("bearer" = [])), params(FirstTimeQuery), responses(
    (status = 200, body = FirstTimeResponse, content_type = "application/json"),
    (status = 200, body = String, content_type = "text/csv", description = "With `Accept: text/csv`: the children (or, for roles without names, the summary)"),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    state: web::Data<AppState>,
    req: HttpRequest,
    meta: Meta,
    bearer: Bearer,
    query: web::Query<FirstTimeQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let month = month_param("month", q.month.as_deref(), Utc::now().date_naive())?;
    let f = services::datasets::first_time::first_time_children(
        &state,
        &bearer,
        meta.audit,
        month,
        q.district_id,
    )
    .await?;
    let body = FirstTimeResponse::from(f);
    Ok(respond(
        &req,
        &format!("first-time-missing-children-{}.csv", body.month),
        &body,
        FirstTimeResponse::csv,
    ))
}
