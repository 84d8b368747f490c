//! `GET /datasets/quarterly-breakdown` and `GET /datasets/children-rolling-average`:
//! aggregates for every dataset reader (small counts withheld from roles without names).

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;

use super::examples::stats as examples;
use super::first_time::month_param;
use super::{period_param, respond};
use crate::domain::datasets::periods::{series_months, Month, Quarter, DEFAULT_SERIES_MONTHS};
use crate::error::AppError;
use crate::ids::DistrictId;
use crate::services;
use crate::services::context::Ctx;

mod breakdown;
mod series;

pub use breakdown::{BreakdownCell, BreakdownResponse};
pub use series::{ChildrenSeriesResponse, DistrictMonth, MonthFiguresResponse, MonthPointResponse};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BreakdownQuery {
    /// `YYYY-Qn` (Q1 = January to March, in the force's local time), not after the current quarter; default
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
))]
#[tracing::instrument(name = "http::datasets::stats::quarterly_breakdown", skip_all)]
pub async fn quarterly_breakdown(
    ctx: Ctx,
    req: HttpRequest,
    query: web::Query<BreakdownQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let today = ctx.app.zone.today(Utc::now());
    let quarter = period_param(
        "quarter",
        q.quarter.as_deref(),
        Quarter::parse,
        Quarter::containing(today),
        Quarter::last_complete(today),
        "must not be after the current quarter",
    )?;
    let b = services::datasets::stats::quarterly_breakdown(&ctx, quarter, q.district_id).await?;
    let body = BreakdownResponse::from(b);
    Ok(respond(
        &req,
        &format!("quarterly-breakdown-{}.csv", body.quarter),
        &body,
        BreakdownResponse::csv,
    ))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// The last month shown, `YYYY-MM` (the force's local months), not after the current month; default the
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
/// For each month (the force's local time) from `to` back `months` months, per district and for the force:
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
))]
#[tracing::instrument(name = "http::datasets::stats::children_rolling_average", skip_all)]
pub async fn children_rolling_average(
    ctx: Ctx,
    req: HttpRequest,
    query: web::Query<SeriesQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let today = ctx.app.zone.today(Utc::now());
    let to = month_param("to", q.to.as_deref(), today, Month::of(today).plus(-1))?;
    let months = match q.months.as_deref() {
        None => DEFAULT_SERIES_MONTHS,
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| AppError::field("months", "must be a whole number from 1 to 60"))?,
    };
    let months = series_months(to, months).map_err(|e| AppError::field("months", e))?;
    let s = services::datasets::stats::children_series(&ctx, months, q.district_id).await?;
    let body = ChildrenSeriesResponse::from(s);
    Ok(respond(
        &req,
        "children-rolling-average.csv",
        &body,
        ChildrenSeriesResponse::csv,
    ))
}
