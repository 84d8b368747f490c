//! `GET /datasets/quarterly-breakdown` and `GET /datasets/children-rolling-average`:
//! aggregates for every dataset reader (small counts withheld from roles without names).

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::first_time::month_param;
use super::{opt_text, respond};
use crate::auth::Bearer;
use crate::domain::datasets::periods::{series_months, Month, Quarter, DEFAULT_SERIES_MONTHS};
use crate::domain::datasets::{csv_count, to_csv};
use crate::error::{AppError, Problem};
use crate::ids::DistrictId;
use crate::routes::extract::Meta;
use crate::services;
use crate::services::datasets::stats::{Breakdown, ChildrenSeries, MonthFigures};
use crate::startup::AppState;

/// One cell of the quarterly breakdown.
#[derive(Serialize, ToSchema)]
#[schema(example = examples::cell_leeds)]
pub struct BreakdownCell {
    /// `null`: the force (every district).
    pub district_id: Option<DistrictId>,
    /// At the episode's start: `child` (under 18), `adult`, or `unknown` (no date of birth).
    #[schema(example = "child")]
    pub age_group: String,
    /// As recorded (`female`, `male`, `other`, `unknown`); `null`: not recorded.
    #[schema(example = "female")]
    pub sex: Option<String>,
    /// As recorded (free text); `null`: not recorded.
    #[schema(example = "White British")]
    pub ethnicity: Option<String>,
    /// A CSE-risk marker was in force when the episode started, or CSE was seen on return.
    #[schema(example = true)]
    pub cse: bool,
    /// A mental-health marker was in force when the episode started, or it was seen on return.
    #[schema(example = false)]
    pub mental_health: bool,
    /// Looked after when the episode was reported.
    #[schema(example = true)]
    pub looked_after: bool,
    /// Counted episodes in the cell (`null`: withheld, a small number).
    #[schema(example = 42)]
    pub episodes: Option<u64>,
    /// Distinct persons with an episode in the cell (`null`: withheld).
    #[schema(example = 17)]
    pub persons: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct BreakdownResponse {
    /// The quarter, `YYYY-Qn`.
    #[schema(example = "2026-Q3")]
    pub quarter: String,
    /// The quarter's first and last days (UTC).
    #[schema(value_type = String, format = Date, example = "2026-07-01")]
    pub from: chrono::NaiveDate,
    #[schema(value_type = String, format = Date, example = "2026-09-30")]
    pub to: chrono::NaiveDate,
    /// Non-empty cells: each district's first, then the force's (`district_id` null).
    pub cells: Vec<BreakdownCell>,
    /// Whether small counts are withheld (analysts and administrators).
    #[schema(example = true)]
    pub suppressed: bool,
    /// Counts from 1 up to, not including, this are `null`; `null` when nothing is withheld.
    #[schema(example = 5)]
    pub suppress_below: Option<u64>,
}

impl From<Breakdown> for BreakdownResponse {
    fn from(b: Breakdown) -> Self {
        let first = b.quarter.first_month();
        BreakdownResponse {
            quarter: b.quarter.to_string(),
            from: first.first_day(),
            to: first
                .plus(3)
                .first_day()
                .pred_opt()
                .unwrap_or(first.first_day()),
            suppressed: b.suppress_below.is_some(),
            suppress_below: b.suppress_below,
            cells: b
                .cells
                .into_iter()
                .map(|c| BreakdownCell {
                    district_id: c.district_id,
                    age_group: c.age_group,
                    sex: c.sex,
                    ethnicity: c.ethnicity,
                    cse: c.cse,
                    mental_health: c.mental_health,
                    looked_after: c.looked_after,
                    episodes: c.episodes,
                    persons: c.persons,
                })
                .collect(),
        }
    }
}

impl BreakdownResponse {
    fn csv(&self) -> String {
        to_csv(
            &[
                "quarter",
                "district_id",
                "age_group",
                "sex",
                "ethnicity",
                "cse",
                "mental_health",
                "looked_after",
                "episodes",
                "persons",
            ],
            self.cells.iter().map(|c| {
                vec![
                    self.quarter.clone(),
                    c.district_id
                        .map_or_else(|| "force".to_owned(), |d| d.to_string()),
                    c.age_group.clone(),
                    opt_text(&c.sex),
                    opt_text(&c.ethnicity),
                    c.cse.to_string(),
                    c.mental_health.to_string(),
                    c.looked_after.to_string(),
                    csv_count(c.episodes),
                    csv_count(c.persons),
                ]
            }),
        )
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BreakdownQuery {
    /// `YYYY-Qn` (Q1 = January to March, UTC), not after the current quarter; default
    /// the last complete quarter.
    #[param(example = "2026-Q3")]
    pub quarter: Option<String>,
    /// Only this district's cells (and the force's).
    #[param(example = "0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e")]
    pub district_id: Option<DistrictId>,
}

/// The quarterly breakdown of missing episodes.
///
/// Counted (not cancelled) episodes that started in the quarter, per district (the
/// district owning the episode when it started, as the measures attribute it) and for
/// the force, in cells of: age group at the start (`child` under 18, `adult`, `unknown`
/// without a date of birth) × sex and ethnicity as recorded × CSE flag × mental-health
/// flag × looked after when reported. A flag is set when the person had that marker
/// (`cse_risk`, `mental_health`) in force when the episode started (recorded by then and
/// not ended by that day), or the return recorded it as seen while missing. Each cell
/// gives episodes and distinct persons; empty cells are left out. Aggregates for every
/// reader; small counts are withheld from analysts and administrators. `Accept: text/csv`
/// gives CSV.
#[utoipa::path(get, path = "/api/v1/datasets/quarterly-breakdown", tag = "measures", security(("bearer" = [])), params(BreakdownQuery), responses(
    (status = 200, description = "JSON (here as an analyst sees it: small counts withheld); with `Accept: text/csv`, CSV (attachment `quarterly-breakdown-{quarter}.csv`): one line per cell, `force` for the force's", content(
        (BreakdownResponse = "application/json", example = examples::breakdown),
        (String = "text/csv", example = json!(examples::BREAKDOWN_CSV)),
    )),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn quarterly_breakdown(
    state: web::Data<AppState>,
    req: HttpRequest,
    meta: Meta,
    bearer: Bearer,
    query: web::Query<BreakdownQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let today = Utc::now().date_naive();
    let quarter = match q.quarter.as_deref() {
        None => Quarter::last_complete(today),
        Some(v) => {
            let quarter = Quarter::parse(v).map_err(|e| AppError::field("quarter", e))?;
            if quarter > Quarter::containing(today) {
                return Err(AppError::field(
                    "quarter",
                    "must not be after the current quarter",
                ));
            }
            quarter
        }
    };
    let b = services::datasets::stats::quarterly_breakdown(
        &state,
        &bearer,
        meta.audit,
        quarter,
        q.district_id,
    )
    .await?;
    let body = BreakdownResponse::from(b);
    Ok(respond(
        &req,
        &format!("quarterly-breakdown-{}.csv", body.quarter),
        &body,
        BreakdownResponse::csv,
    ))
}

/// One month's figures for an area (a district or the force).
#[derive(Serialize, ToSchema, Clone)]
#[schema(example = examples::force_month)]
pub struct MonthFiguresResponse {
    /// Distinct children (under 18 at the episode's start) with a counted episode
    /// starting in the month; each counted in one district (their latest that month).
    /// `null`: withheld, a small number.
    #[schema(example = 118)]
    pub children: Option<u64>,
    /// Counted episodes of children starting in the month (in the episode's district).
    /// `null`: withheld, a small number.
    #[schema(example = 203)]
    pub episodes: Option<u64>,
    /// The 12-month rolling average of `children`: the sum over this month and the 11
    /// before it, divided by 12, one decimal. `null`: withheld, the 12-month total is a
    /// small number.
    #[schema(example = 109.4)]
    pub rolling_average_children: Option<f64>,
    /// The same for `episodes`.
    #[schema(example = 187.2)]
    pub rolling_average_episodes: Option<f64>,
}

impl From<MonthFigures> for MonthFiguresResponse {
    fn from(f: MonthFigures) -> Self {
        MonthFiguresResponse {
            children: f.children,
            episodes: f.episodes,
            rolling_average_children: f.rolling_average_children,
            rolling_average_episodes: f.rolling_average_episodes,
        }
    }
}

/// A district's figures: the district, then the fields of `MonthFiguresResponse`.
#[derive(Serialize, ToSchema)]
#[schema(example = examples::leeds_month)]
pub struct DistrictMonth {
    pub district_id: DistrictId,
    #[serde(flatten)]
    pub figures: MonthFiguresResponse,
}

/// One month of the series.
#[derive(Serialize, ToSchema)]
#[schema(example = examples::point)]
pub struct MonthPointResponse {
    /// The month (UTC), `YYYY-MM`.
    #[schema(example = "2026-10")]
    pub month: String,
    /// The whole force: the districts' `children` add up to it.
    pub force: MonthFiguresResponse,
    /// Every district (or only the one asked for).
    pub districts: Vec<DistrictMonth>,
}

#[derive(Serialize, ToSchema)]
pub struct ChildrenSeriesResponse {
    /// One point per month, oldest first.
    pub points: Vec<MonthPointResponse>,
    /// Whether small counts are withheld (analysts and administrators).
    #[schema(example = false)]
    pub suppressed: bool,
    /// Counts from 1 up to, not including, this are `null` (and so are averages whose
    /// 12-month total is); `null` when nothing is withheld.
    #[schema(example = 5)]
    pub suppress_below: Option<u64>,
}

impl From<ChildrenSeries> for ChildrenSeriesResponse {
    fn from(s: ChildrenSeries) -> Self {
        ChildrenSeriesResponse {
            suppressed: s.suppress_below.is_some(),
            suppress_below: s.suppress_below,
            points: s
                .points
                .into_iter()
                .map(|p| MonthPointResponse {
                    month: p.month.to_string(),
                    force: p.force.into(),
                    districts: p
                        .districts
                        .into_iter()
                        .map(|(district_id, f)| DistrictMonth {
                            district_id,
                            figures: f.into(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

impl ChildrenSeriesResponse {
    fn csv(&self) -> String {
        let avg = |v: Option<f64>| v.map_or_else(|| "suppressed".to_owned(), |a| format!("{a:.1}"));
        let line = |month: &str, area: String, f: &MonthFiguresResponse| {
            vec![
                month.to_owned(),
                area,
                csv_count(f.children),
                csv_count(f.episodes),
                avg(f.rolling_average_children),
                avg(f.rolling_average_episodes),
            ]
        };
        to_csv(
            &[
                "month",
                "district_id",
                "children",
                "episodes",
                "rolling_average_children",
                "rolling_average_episodes",
            ],
            self.points.iter().flat_map(|p| {
                std::iter::once(line(&p.month, "force".into(), &p.force)).chain(
                    p.districts
                        .iter()
                        .map(|d| line(&p.month, d.district_id.to_string(), &d.figures)),
                )
            }),
        )
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// The last month shown, `YYYY-MM` (UTC), not after the current month; default the
    /// last complete month.
    #[param(example = "2026-10")]
    pub to: Option<String>,
    /// How many months to show, 1–60 (default 12).
    #[param(value_type = Option<u32>, example = 12)]
    pub months: Option<String>,
    /// Only this district (the force figures are always given).
    #[param(example = "0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e")]
    pub district_id: Option<DistrictId>,
}

/// Children going missing each month, with 12-month rolling averages.
///
/// For each month (UTC) from `to` back `months` months, per district and for the force:
/// `children` is the number of distinct children (under 18 when the episode started)
/// with a counted (not cancelled) episode starting that month, each counted once in the
/// force and in one district (that of their latest such episode that month, the
/// district owning it when it started) so districts add up to the force; `episodes` is
/// the number of those episodes, each in its own district. The rolling averages are
/// the sums over the month and the 11 before it, divided by 12. Aggregates for every
/// reader; small counts (and averages of small 12-month totals) are withheld from
/// analysts and administrators. `Accept: text/csv` gives CSV (a `force` line, then one
/// per district, for each month).
#[utoipa::path(get, path = "/api/v1/datasets/children-rolling-average", tag = "measures", security(("bearer" = [])), params(SeriesQuery), responses(
    (status = 200, description = "JSON (here one month, `to=2026-10&months=1&district_id=…`); with `Accept: text/csv`, CSV (attachment `children-rolling-average.csv`): one line per month and area, `force` first, withheld figures as `suppressed`", content(
        (ChildrenSeriesResponse = "application/json", example = json!({
            "points": [examples::point()],
            "suppressed": false,
            "suppress_below": null,
        })),
        (String = "text/csv", example = json!(examples::SERIES_CSV)),
    )),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn children_rolling_average(
    state: web::Data<AppState>,
    req: HttpRequest,
    meta: Meta,
    bearer: Bearer,
    query: web::Query<SeriesQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let today = Utc::now().date_naive();
    let to = match q.to.as_deref() {
        None => Month::of(today).plus(-1),
        v => month_param("to", v, today)?,
    };
    let months = match q.months.as_deref() {
        None => DEFAULT_SERIES_MONTHS,
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| AppError::field("months", "must be a whole number from 1 to 60"))?,
    };
    let months = series_months(to, months).map_err(|e| AppError::field("months", e))?;
    let s = services::datasets::stats::children_series(
        &state,
        &bearer,
        meta.audit,
        months,
        q.district_id,
    )
    .await?;
    let body = ChildrenSeriesResponse::from(s);
    Ok(respond(
        &req,
        "children-rolling-average.csv",
        &body,
        ChildrenSeriesResponse::csv,
    ))
}

/// Example values for the OpenAPI document: 2026-Q3 and October 2026, Leeds and the force.
mod examples {
    use serde_json::{json, Value};

    use crate::routes::datasets::examples::LEEDS;

    pub fn cell_leeds() -> Value {
        json!({
            "district_id": LEEDS,
            "age_group": "child",
            "sex": "female",
            "ethnicity": "White British",
            "cse": true,
            "mental_health": false,
            "looked_after": true,
            "episodes": 42,
            "persons": 17,
        })
    }

    /// As an analyst sees it: the Leeds cells (one withheld), then the force's.
    pub fn breakdown() -> Value {
        json!({
            "quarter": "2026-Q3",
            "from": "2026-07-01",
            "to": "2026-09-30",
            "cells": [
                cell_leeds(),
                {
                    "district_id": LEEDS, "age_group": "child", "sex": "male", "ethnicity": null,
                    "cse": false, "mental_health": true, "looked_after": false,
                    "episodes": null, "persons": null,
                },
                {
                    "district_id": null, "age_group": "child", "sex": "female", "ethnicity": "White British",
                    "cse": true, "mental_health": false, "looked_after": true,
                    "episodes": 97, "persons": 38,
                },
            ],
            "suppressed": true,
            "suppress_below": 5,
        })
    }

    pub const BREAKDOWN_CSV: &str = "quarter,district_id,age_group,sex,ethnicity,cse,mental_health,looked_after,episodes,persons\r\n\
        2026-Q3,0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e,child,female,White British,true,false,true,42,17\r\n\
        2026-Q3,0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e,child,male,,false,true,false,suppressed,suppressed\r\n\
        2026-Q3,force,child,female,White British,true,false,true,97,38\r\n";

    pub fn force_month() -> Value {
        json!({
            "children": 118,
            "episodes": 203,
            "rolling_average_children": 109.4,
            "rolling_average_episodes": 187.2,
        })
    }

    pub fn leeds_month() -> Value {
        json!({
            "district_id": LEEDS,
            "children": 41,
            "episodes": 66,
            "rolling_average_children": 38.2,
            "rolling_average_episodes": 61.5,
        })
    }

    pub fn point() -> Value {
        json!({"month": "2026-10", "force": force_month(), "districts": [leeds_month()]})
    }

    pub const SERIES_CSV: &str =
        "month,district_id,children,episodes,rolling_average_children,rolling_average_episodes\r\n\
        2026-10,force,118,203,109.4,187.2\r\n\
        2026-10,0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e,41,66,38.2,61.5\r\n";
}
