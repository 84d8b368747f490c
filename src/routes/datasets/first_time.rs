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
    /// The month (UTC) the first episodes started in, `YYYY-MM`.
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
    /// Only this district's children (by the district owning the first episode now) and
    /// summary line.
    #[param(example = "0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e")]
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

/// Example values for the OpenAPI document: October 2026, Leeds and Bradford.
mod examples {
    use serde_json::{json, Value};

    use crate::routes::datasets::examples::{BRADFORD, EPISODE, LEEDS, PERSON};

    pub fn child() -> Value {
        json!({
            "person_id": PERSON,
            "given_name": "Amelia",
            "family_name": "Khan",
            "date_of_birth": "2012-03-14",
            "sex": "female",
            "episode_id": EPISODE,
            "reference": "LDS-2026-000123",
            "reported_at": "2026-10-12T19:40:00Z",
            "district_id": LEEDS,
            "missing_from": "home",
            "looked_after": false,
        })
    }

    pub fn summary_leeds() -> Value {
        json!({"district_id": LEEDS, "children": 37, "looked_after": 9})
    }

    pub fn named() -> Value {
        json!({
            "month": "2026-10",
            "children": [child()],
            "summary": [summary_leeds(), {"district_id": BRADFORD, "children": 29, "looked_after": 3}],
            "suppressed": false,
            "suppress_below": null,
        })
    }

    pub fn aggregate() -> Value {
        json!({
            "month": "2026-10",
            "children": null,
            "summary": [summary_leeds(), {"district_id": BRADFORD, "children": 29, "looked_after": null}],
            "suppressed": true,
            "suppress_below": 5,
        })
    }

    pub const CSV_NAMED: &str = "person_id,given_name,family_name,date_of_birth,sex,episode_id,reference,reported_at,district_id,missing_from,looked_after\r\n\
        0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b,Amelia,Khan,2012-03-14,female,0193a2b6-8d9e-7f0a-b1c2-d3e4f5a6b7c8,LDS-2026-000123,2026-10-12T19:40:00+00:00,0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e,home,false\r\n";

    pub const CSV_AGGREGATE: &str = "month,district_id,children,looked_after\r\n\
        2026-10,0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e,37,9\r\n\
        2026-10,0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d1f,29,suppressed\r\n";
}
