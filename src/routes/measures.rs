//! `/measures` and `/baselines`: "keep the number of repeat missing children / adults
//! below baseline", per district and force (analysts, MFHCs, supervisors, admins).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::check_date;
use super::types::FieldErrors;
use crate::domain::local_time::ForceZone;
use crate::domain::measures::{
    last_month_end, last_months, period_ends, AgeGroup, Definition, EpisodeStart, Granularity,
    Standing,
};
use crate::error::{AppError, Problem};
use crate::ids::{DistrictId, UserId};
use crate::render::charts;
use crate::services;
use crate::services::context::Ctx;
use crate::services::measures::{BaselineInput, Figure, GroupFigures, Report};
use crate::services::measures::{BaselineRow, DefinitionRow};

/// One version of the measure definition.
#[derive(Serialize, ToSchema)]
#[schema(example = examples::definition_v2)]
pub struct DefinitionResponse {
    /// Versions count up from 1 (the default seeded by the migrations); reports use the
    /// newest.
    #[schema(example = 2)]
    pub version: i32,
    /// At least this many counted episodes starting in the window make a person repeat
    /// missing (2 to 50).
    #[schema(example = 2)]
    pub repeat_threshold: i32,
    /// The rolling window's length in months, ending with the period end (1 to 36).
    #[schema(example = 12)]
    pub window_months: i32,
    /// Whether episodes from hospital or medical settings count.
    #[schema(example = false)]
    pub count_hospital: bool,
    /// When an episode starts for the measure: `reported` (when the police recorded the
    /// report; the default) or `last_seen` (when the person was last seen). The window,
    /// the month and the person's age are all taken at that moment, in the force's local
    /// time (`time_zone`).
    pub episode_start: EpisodeStart,
    /// The force's time zone, in which days, months and ages are cut
    /// (`HOMEWARD_TIME_ZONE`).
    #[schema(example = "Europe/London")]
    pub time_zone: String,
    /// Why this version was recorded.
    #[schema(example = "Panel decision: hospital episodes excluded from 2027")]
    pub note: String,
    /// The administrator who recorded it; `null` for version 1 (seeded by the migrations).
    pub created_by: Option<UserId>,
    #[schema(example = "2026-10-31T14:05:00Z")]
    #[serde(serialize_with = "crate::json::timestamp")]
    pub created_at: DateTime<Utc>,
}

impl DefinitionResponse {
    /// A definition as reported, with the force's time zone it is cut in.
    pub fn of(d: DefinitionRow, zone: &ForceZone) -> Self {
        DefinitionResponse {
            version: d.version,
            repeat_threshold: d.repeat_threshold,
            window_months: d.window_months,
            count_hospital: d.count_hospital,
            episode_start: d.episode_start,
            time_zone: zone.name().to_owned(),
            note: d.note,
            created_by: d.created_by,
            created_at: d.created_at,
        }
    }
}

/// One version of a baseline: the figure a district's (or the force's) measure is
/// compared with.
#[derive(Serialize, ToSchema)]
#[schema(example = examples::baseline_children_force_v2)]
pub struct BaselineResponse {
    #[schema(value_type = String, format = Uuid, example = "0192f0d2-4e5f-7a6b-9c8d-7e6f5a4b3c2d")]
    pub id: uuid::Uuid,
    /// `null`: the force.
    pub district_id: Option<DistrictId>,
    /// `child` or `adult`.
    pub age_group: AgeGroup,
    /// Versions count up from 1 per district (or the force) and age group; the newest is
    /// the one reports use.
    #[schema(example = 2)]
    pub version: i32,
    /// The end of the 12-month (or defined) window it measures.
    #[schema(example = "2019-12-31")]
    pub period_end: NaiveDate,
    /// Distinct persons repeat missing in that window; `null` when a computed one is
    /// withheld from a reader without names (disclosure control, as the figures).
    #[schema(example = 440)]
    pub value: Option<i64>,
    /// `computed` from recorded episodes, or an `official` figure.
    #[schema(example = "official")]
    pub source: String,
    /// Where an official figure comes from; `null` for a computed one.
    #[schema(example = "Police and Crime Plan 2021-24, annex B")]
    pub source_note: Option<String>,
    /// The measure definition it was computed or recorded under.
    #[schema(example = 2)]
    pub definition_version: i32,
    /// The administrator who recorded it.
    pub created_by: UserId,
    #[schema(example = "2026-10-31T14:20:00Z")]
    #[serde(serialize_with = "crate::json::timestamp")]
    pub created_at: DateTime<Utc>,
}

impl BaselineResponse {
    /// A baseline as shown: its value withheld when `withheld`.
    pub fn of(b: BaselineRow, withheld: bool) -> Self {
        BaselineResponse {
            id: b.id,
            district_id: b.district_id,
            age_group: b.age_group,
            version: b.version,
            period_end: b.period_end,
            value: (!withheld).then_some(b.value),
            source: b.source,
            source_note: b.source_note,
            definition_version: b.definition_version,
            created_by: b.created_by,
            created_at: b.created_at,
        }
    }
}

/// The measure for one area (a district or the force) and age group, against its
/// baseline. For readers without names (analysts, administrators), small counts are
/// withheld, and as many more as keep them from being worked out from the force's total
/// (secondary suppression); a withheld value or baseline is `null`, and nothing is
/// compared (`standing: suppressed`).
#[derive(Serialize, ToSchema)]
#[schema(example = examples::figure_children_force)]
pub struct FigureResponse {
    /// Distinct persons repeat missing in the window; `null` when withheld.
    #[schema(example = 412)]
    pub value: Option<u64>,
    /// The baseline used: the newest version recorded under the report's definition
    /// version, if there is one.
    pub baseline: Option<BaselineResponse>,
    /// `value` minus the baseline's value; `null` without a baseline.
    #[schema(example = -28)]
    pub difference: Option<i64>,
    /// Against the baseline, one decimal; `null` without a baseline or when it is 0.
    #[schema(example = -6.4)]
    pub percent_change: Option<f64>,
    /// `below`, `at` or `above` the baseline (below is the aim), `no_baseline` when none
    /// is recorded under this report's definition version (a baseline of another
    /// definition is never compared), or `suppressed` when the value or the baseline is
    /// withheld from this reader.
    pub standing: Standing,
}

impl From<Figure> for FigureResponse {
    fn from(f: Figure) -> Self {
        FigureResponse {
            value: f.value,
            difference: f.comparison.map(|c| c.difference),
            percent_change: f.comparison.and_then(|c| c.percent_change),
            standing: f.standing(),
            baseline: f
                .baseline
                .map(|b| BaselineResponse::of(b, f.baseline_withheld)),
        }
    }
}

/// A district's figure: the district, then the fields of `FigureResponse`.
#[derive(Serialize, ToSchema)]
#[schema(example = examples::figure_children_leeds)]
pub struct DistrictFigure {
    pub district_id: DistrictId,
    #[serde(flatten)]
    pub figure: FigureResponse,
}

/// One age group's figures.
#[derive(Serialize, ToSchema)]
#[schema(example = examples::group_children)]
pub struct GroupResponse {
    /// The whole force: the districts' figures added up, against the force's baseline.
    pub force: FigureResponse,
    /// Every district (or only the one asked for), each against its own baseline.
    pub districts: Vec<DistrictFigure>,
}

impl From<GroupFigures> for GroupResponse {
    fn from(g: GroupFigures) -> Self {
        GroupResponse {
            force: g.force.into(),
            districts: g
                .districts
                .into_iter()
                .map(|(district_id, f)| DistrictFigure {
                    district_id,
                    figure: f.into(),
                })
                .collect(),
        }
    }
}

/// The measure at one period end.
#[derive(Serialize, ToSchema)]
#[schema(example = examples::point)]
pub struct PointResponse {
    /// The last day (inclusive) of the window.
    #[schema(example = "2026-10-31")]
    pub period_end: NaiveDate,
    /// The window: episodes starting at or after `window_start` and before `window_end`.
    /// An episode starts when it was reported, or when the person was last seen if the
    /// definition's `episode_start` says so. Both ends are local midnights in the force's
    /// time zone (`definition.time_zone`): in London in summer, 23:00 UTC the day before.
    #[schema(example = "2025-11-01T00:00:00Z")]
    #[serde(serialize_with = "crate::json::timestamp")]
    pub window_start: DateTime<Utc>,
    /// The start of the local day after `period_end` (exclusive).
    #[schema(example = "2026-11-01T00:00:00Z")]
    #[serde(serialize_with = "crate::json::timestamp")]
    pub window_end: DateTime<Utc>,
    /// Persons under 18 on the local day the episode started.
    pub children: GroupResponse,
    /// Persons 18 or over on the local day the episode started.
    pub adults: GroupResponse,
}

/// The measure at each period end, with the definition used.
#[derive(Serialize, ToSchema)]
pub struct ReportResponse {
    /// The current definition, which every point is computed under.
    pub definition: DefinitionResponse,
    /// When some figures have no baseline under this definition (`standing:
    /// no_baseline`): which areas and age groups, and how an administrator records one.
    pub baseline_note: Option<String>,
    /// Readers without names (analysts, administrators): counts below this are withheld
    /// (`null`), with as many others as keep them from being worked out from the totals.
    /// `null` for MFHCs and supervisors, who get every count.
    pub suppress_below: Option<u64>,
    /// One point per period end, oldest first.
    pub points: Vec<PointResponse>,
}

impl From<Report> for ReportResponse {
    fn from(r: Report) -> Self {
        ReportResponse {
            definition: DefinitionResponse::of(r.definition, &r.zone),
            baseline_note: r.baseline_note,
            suppress_below: r.suppress_below,
            points: r
                .points
                .into_iter()
                .map(|p| PointResponse {
                    period_end: p.period_end,
                    window_start: p.window.0,
                    window_end: p.window.1,
                    children: p.children.into(),
                    adults: p.adults.into(),
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MeasureQuery {
    /// One period end (default: the end of last month). Or give `from` and `to`.
    #[param(example = "2026-10-31")]
    pub period_end: Option<NaiveDate>,
    /// With `from`/`to`: a point per month end (default) or quarter end.
    #[param(example = "month")]
    pub granularity: Option<Granularity>,
    /// A series' first month: points start at the end of the month this day is in (with
    /// `quarter`, the first quarter end from then on); at most 120 points.
    #[param(example = "2025-11-01")]
    pub from: Option<NaiveDate>,
    /// A series' last month: points run to the end of the month this day is in
    /// (inclusive).
    #[param(example = "2026-10-31")]
    pub to: Option<NaiveDate>,
    /// Only this district (and the force).
    #[param(example = "0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e")]
    pub district_id: Option<DistrictId>,
}

fn periods(q: &MeasureQuery, today: NaiveDate) -> Result<Vec<NaiveDate>, AppError> {
    match (q.period_end, q.from, q.to) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(AppError::field(
            "period_end",
            "give either period_end or from and to, not both",
        )),
        (Some(end), None, None) => Ok(vec![check_date("period_end", end)?]),
        (None, Some(from), Some(to)) => period_ends(
            check_date("from", from)?,
            check_date("to", to)?,
            q.granularity.unwrap_or(Granularity::Month),
        )
        .map_err(|m| AppError::field("from", m)),
        (None, Some(_), None) => Err(AppError::field("to", "a series needs both from and to")),
        (None, None, Some(_)) => Err(AppError::field("from", "a series needs both from and to")),
        (None, None, None) => Ok(vec![last_month_end(today)]),
    }
}

/// Repeat-missing children and adults against baseline, per district and force.
#[utoipa::path(get, path = "/api/v1/measures/repeat-missing", tag = "measures", security(("bearer" = [])), params(MeasureQuery), responses(
    (status = 200, body = ReportResponse, description = "The report (the example: one point, `period_end=2026-10-31&district_id=…`, Leeds and the force)",
        example = json!({"definition": examples::definition_v2(), "points": [examples::point()],
            "baseline_note": "No baseline is recorded under definition version 2 for Leeds (children), Leeds (adults): those figures stand as no_baseline. An administrator records one with POST /api/v1/baselines {\"age_group\": \"child\" or \"adult\", \"district_id\": omitted for the force}: computed for the 12 months to 31 December 2019 unless period_end is given, or an official figure with value and source."})),
))]
#[tracing::instrument(name = "http::measures::repeat_missing", skip_all)]
pub async fn repeat_missing(
    ctx: Ctx,
    query: web::Query<MeasureQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let ends = periods(&q, ctx.app.zone.today(Utc::now()))?;
    let report = services::measures::repeat_missing(&ctx, ends, q.district_id).await?;
    Ok(HttpResponse::Ok().json(ReportResponse::from(report)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChartQuery {
    /// One period end. Or give `from` and `to`; with none of the three, the 24 month ends
    /// up to the end of last month.
    #[param(example = "2026-10-31")]
    pub period_end: Option<NaiveDate>,
    /// With `from`/`to`: a point per month end (default) or quarter end.
    #[param(example = "quarter")]
    pub granularity: Option<Granularity>,
    /// A series' first month: points start at the end of the month this day is in (with
    /// `quarter`, the first quarter end from then on); at most 120 points.
    #[param(example = "2024-11-01")]
    pub from: Option<NaiveDate>,
    /// A series' last month: points run to the end of the month this day is in
    /// (inclusive).
    #[param(example = "2026-09-30")]
    pub to: Option<NaiveDate>,
    /// Chart this district instead of the force.
    #[param(example = "0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e")]
    pub district_id: Option<DistrictId>,
    /// Only children or only adults (default: a line for each).
    #[param(example = "child")]
    pub age_group: Option<AgeGroup>,
}

/// The chart's period ends: as the report's, but a series of the last 24 month ends by
/// default.
fn chart_periods(q: &ChartQuery, today: NaiveDate) -> Result<Vec<NaiveDate>, AppError> {
    let (from, to) = match (q.period_end, q.from, q.to) {
        (None, None, None) => {
            let (from, to) = last_months(today, 24);
            (Some(from), Some(to))
        }
        _ => (q.from, q.to),
    };
    periods(
        &MeasureQuery {
            period_end: q.period_end,
            granularity: q.granularity,
            from,
            to,
            district_id: q.district_id,
        },
        today,
    )
}

async fn chart_of(ctx: &Ctx, q: ChartQuery) -> Result<charts::Chart, AppError> {
    let ends = chart_periods(&q, ctx.app.zone.today(Utc::now()))?;
    let report = services::measures::repeat_missing(ctx, ends, q.district_id).await?;
    let groups = match q.age_group {
        Some(g) => vec![g],
        None => vec![AgeGroup::Child, AgeGroup::Adult],
    };
    Ok(services::measures::chart(&report, q.district_id, &groups))
}

/// The measure over time against its baseline as an SVG line chart (what a panel paper
/// shows): the force or one district, children and adults (or one of them), with the
/// definition and baseline versions in the small print.
#[utoipa::path(get, path = "/api/v1/measures/repeat-missing/chart.svg", tag = "measures", security(("bearer" = [])), params(ChartQuery), responses(
    (status = 200, description = "An SVG image, 960×540", content_type = "image/svg+xml", body = String,
        example = json!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"960\" height=\"540\" viewBox=\"0 0 960 540\">…</svg>")),
))]
#[tracing::instrument(name = "http::measures::chart_svg", skip_all)]
pub async fn chart_svg(ctx: Ctx, query: web::Query<ChartQuery>) -> Result<HttpResponse, AppError> {
    let chart = chart_of(&ctx, query.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml; charset=utf-8")
        .body(charts::svg(&chart)))
}

/// A PNG image (binary); describes the body in OpenAPI only.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct PngImage(#[allow(dead_code)] Vec<u8>);

/// The same chart as a PNG image (960×540), rendered with an embedded font.
#[utoipa::path(get, path = "/api/v1/measures/repeat-missing/chart.png", tag = "measures", security(("bearer" = [])), params(ChartQuery), responses(
    (status = 200, description = "A PNG image, 960×540", content_type = "image/png", body = PngImage),
))]
#[tracing::instrument(name = "http::measures::chart_png", skip_all)]
pub async fn chart_png(ctx: Ctx, query: web::Query<ChartQuery>) -> Result<HttpResponse, AppError> {
    let chart = chart_of(&ctx, query.into_inner()).await?;
    // Rasterising takes milliseconds of CPU: off the async workers.
    let png = web::block(move || charts::png(&charts::svg(&chart)))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    Ok(HttpResponse::Ok().content_type("image/png").body(png))
}

#[derive(Serialize, ToSchema)]
pub struct DefinitionsResponse {
    /// The newest version: the one reports use.
    pub current: DefinitionResponse,
    /// Every version, oldest first.
    pub versions: Vec<DefinitionResponse>,
}

/// The measure definition in use, and every earlier version.
#[utoipa::path(get, path = "/api/v1/measures/definition", tag = "measures", security(("bearer" = [])), responses(
    (status = 200, body = DefinitionsResponse, example = json!({
        "current": examples::definition_v2(),
        "versions": [examples::definition_v1(), examples::definition_v2()],
    })),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::measures::definition", skip_all)]
pub async fn definition(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let all = services::measures::definitions(&ctx).await?;
    let current = all
        .last()
        .cloned()
        .ok_or_else(|| AppError::Conflict("no measure definition is recorded".into()))?;
    Ok(HttpResponse::Ok().json(DefinitionsResponse {
        current: DefinitionResponse::of(current, &ctx.app.zone),
        versions: all
            .into_iter()
            .map(|d| DefinitionResponse::of(d, &ctx.app.zone))
            .collect(),
    }))
}

fn reported() -> EpisodeStart {
    EpisodeStart::Reported
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DefinitionRequest {
    /// At least this many counted episodes starting in the window make a person repeat
    /// missing: 2 to 50.
    #[schema(example = 2)]
    pub repeat_threshold: u32,
    /// The rolling window's length in months, ending with the period end: 1 to 36.
    #[schema(example = 12)]
    pub window_months: u32,
    /// Whether episodes from hospital or medical settings count.
    #[schema(example = false)]
    pub count_hospital: bool,
    /// When an episode starts: `reported` (default) or `last_seen`.
    #[serde(default = "reported")]
    pub episode_start: EpisodeStart,
    /// Why it changed.
    #[schema(example = "Panel decision: hospital episodes excluded from 2027")]
    pub note: String,
}

/// Record a new version of the definition (admins); later reports use it.
#[utoipa::path(put, path = "/api/v1/measures/definition", tag = "measures", security(("bearer" = [])),
    request_body = DefinitionRequest, responses(
    (status = 201, body = DefinitionResponse, example = examples::definition_v2),
))]
#[tracing::instrument(name = "http::measures::define", skip_all)]
pub async fn define(
    ctx: Ctx,
    body: web::Json<DefinitionRequest>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let note = FieldErrors::new().text_only("note", &b.note, 1000)?;
    let def = Definition {
        repeat_threshold: b.repeat_threshold,
        window_months: b.window_months,
        count_hospital: b.count_hospital,
        episode_start: b.episode_start,
    };
    let row = services::measures::define(&ctx, def, note).await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(DefinitionResponse::of(row, &ctx.app.zone)))
}

#[derive(Serialize, ToSchema)]
pub struct BaselinesResponse {
    /// The current measure definition's version: figures are compared only with
    /// baselines recorded under it.
    pub definition_version: i32,
    /// The newest version of each (district or force, age group) under that definition.
    pub current: Vec<BaselineResponse>,
    /// Every version.
    pub versions: Vec<BaselineResponse>,
}

/// The baselines, current and all versions.
#[utoipa::path(get, path = "/api/v1/baselines", tag = "measures", security(("bearer" = [])), responses(
    (status = 200, body = BaselinesResponse, example = json!({
        "definition_version": 2,
        "current": [examples::baseline_adults_force_v1(), examples::baseline_children_force_v2()],
        "versions": [
            examples::baseline_adults_force_v1(),
            examples::baseline_children_force_v2(),
            examples::baseline_children_force_v1(),
        ],
    })),
))]
#[tracing::instrument(name = "http::measures::baselines", skip_all)]
pub async fn baselines(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let (rows, definition_version, withheld) = services::measures::baselines(&ctx).await?;
    let shown = |b: &BaselineRow| BaselineResponse::of(b.clone(), withheld.contains(&b.id));
    let current = services::measures::current(&rows, definition_version)
        .into_iter()
        .map(shown)
        .collect();
    Ok(HttpResponse::Ok().json(BaselinesResponse {
        definition_version,
        current,
        versions: rows.iter().map(shown).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = examples::baseline_request_official)]
pub struct BaselineRequest {
    /// `child` or `adult`.
    pub age_group: AgeGroup,
    /// Omit for the force.
    pub district_id: Option<DistrictId>,
    /// The window's end; default 31 December 2019 (the pre-pandemic yardstick).
    #[schema(example = "2019-12-31")]
    pub period_end: Option<NaiveDate>,
    /// An official figure (with `source`); omit both to compute it from the episodes.
    #[schema(example = 440)]
    pub value: Option<u64>,
    /// Where the official figure comes from (up to 1000 characters); only with `value`.
    #[schema(example = "Police and Crime Plan 2021-24, annex B")]
    pub source: Option<String>,
}

/// Record the next version of a baseline (admins): official, or computed.
#[utoipa::path(post, path = "/api/v1/baselines", tag = "measures", security(("bearer" = [])),
    request_body(content = BaselineRequest, examples(
        ("Official figure for the force" = (value = json!(examples::baseline_request_official()))),
        ("Computed for a district" = (value = json!({
            "age_group": "adult",
            "district_id": examples::LEEDS,
            "period_end": "2019-12-31",
        }))),
    )), responses(
    (status = 201, body = BaselineResponse, example = examples::baseline_children_force_v2),
))]
#[tracing::instrument(name = "http::measures::set_baseline", skip_all)]
pub async fn set_baseline(
    ctx: Ctx,
    body: web::Json<BaselineRequest>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let official = match (b.value, b.source.as_deref()) {
        (Some(v), Some(src)) => Some((v, FieldErrors::new().text_only("source", src, 1000)?)),
        (None, None) => None,
        (Some(_), None) => {
            return Err(AppError::field(
                "source",
                "an official figure needs its source",
            ))
        }
        (None, Some(_)) => {
            return Err(AppError::field(
                "value",
                "a source goes with an official value",
            ))
        }
    };
    if official.as_ref().is_some_and(|(v, _)| *v > i64::MAX as u64) {
        return Err(AppError::field("value", "is too large"));
    }
    let period_end = b
        .period_end
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(2019, 12, 31).unwrap_or_default());
    check_date("period_end", period_end)?;
    let (row, withheld) = services::measures::set_baseline(
        &ctx,
        BaselineInput {
            district_id: b.district_id,
            age_group: b.age_group,
            period_end,
            official,
        },
    )
    .await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(BaselineResponse::of(row, withheld)))
}

/// Example values for the OpenAPI document, consistent with each other: the report for
/// October 2026 (window November 2025 to October 2026) for Leeds and the force.
mod examples {
    use serde_json::{json, Value};

    pub const LEEDS: &str = "0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e";
    const ADMIN: &str = "0192f0b8-2c4d-7e6f-8a9b-0c1d2e3f4a5b";

    pub fn definition_v1() -> Value {
        json!({
            "version": 1,
            "repeat_threshold": 2,
            "window_months": 12,
            "count_hospital": true,
            "episode_start": "reported",
            "time_zone": "Europe/London",
            "note": "Default: 2 or more episodes starting in the rolling 12 months; hospital episodes count",
            "created_by": null,
            "created_at": "2026-09-01T08:00:00Z",
        })
    }

    pub fn definition_v2() -> Value {
        json!({
            "version": 2,
            "repeat_threshold": 2,
            "window_months": 12,
            "count_hospital": false,
            "episode_start": "reported",
            "time_zone": "Europe/London",
            "note": "Panel decision: hospital episodes excluded from 2027",
            "created_by": ADMIN,
            "created_at": "2026-10-31T14:05:00Z",
        })
    }

    pub fn baseline_children_force_v1() -> Value {
        json!({
            "id": "0192f0c9-1a2b-7c3d-8e4f-5a6b7c8d9e0f",
            "district_id": null,
            "age_group": "child",
            "version": 1,
            "period_end": "2019-12-31",
            "value": 451,
            "source": "computed",
            "source_note": null,
            "definition_version": 1,
            "created_by": ADMIN,
            "created_at": "2026-09-01T08:30:00Z",
        })
    }

    pub fn baseline_children_force_v2() -> Value {
        json!({
            "id": "0192f0d2-4e5f-7a6b-9c8d-7e6f5a4b3c2d",
            "district_id": null,
            "age_group": "child",
            "version": 2,
            "period_end": "2019-12-31",
            "value": 440,
            "source": "official",
            "source_note": "Police and Crime Plan 2021-24, annex B",
            "definition_version": 2,
            "created_by": ADMIN,
            "created_at": "2026-10-31T14:20:00Z",
        })
    }

    pub fn baseline_adults_force_v1() -> Value {
        json!({
            "id": "0192f0c9-1a2b-7c3d-8e4f-5a6b7c8d9e1a",
            "district_id": null,
            "age_group": "adult",
            "version": 1,
            "period_end": "2019-12-31",
            "value": 229,
            "source": "computed",
            "source_note": null,
            "definition_version": 1,
            "created_by": ADMIN,
            "created_at": "2026-09-01T08:30:00Z",
        })
    }

    pub fn baseline_request_official() -> Value {
        json!({
            "age_group": "child",
            "period_end": "2019-12-31",
            "value": 440,
            "source": "Police and Crime Plan 2021-24, annex B",
        })
    }

    /// 412 against 440: 28 fewer, 6.4% below.
    pub fn figure_children_force() -> Value {
        json!({
            "value": 412,
            "baseline": baseline_children_force_v2(),
            "difference": -28,
            "percent_change": -6.4,
            "standing": "below",
        })
    }

    /// No baseline is recorded for Leeds, so nothing to compare with.
    pub fn figure_children_leeds() -> Value {
        json!({
            "district_id": LEEDS,
            "value": 158,
            "baseline": null,
            "difference": null,
            "percent_change": null,
            "standing": "no_baseline",
        })
    }

    pub fn group_children() -> Value {
        json!({
            "force": figure_children_force(),
            "districts": [figure_children_leeds()],
        })
    }

    /// 236 against 229: 7 more, 3.1% above.
    pub fn group_adults() -> Value {
        json!({
            "force": {
                "value": 236,
                "baseline": baseline_adults_force_v1(),
                "difference": 7,
                "percent_change": 3.1,
                "standing": "above",
                },
            "districts": [{
                "district_id": LEEDS,
                "value": 97,
                "baseline": null,
                "difference": null,
                "percent_change": null,
                "standing": "no_baseline",
            }],
        })
    }

    pub fn point() -> Value {
        json!({
            "period_end": "2026-10-31",
            "window_start": "2025-11-01T00:00:00Z",
            "window_end": "2026-11-01T00:00:00Z",
            "children": group_children(),
            "adults": group_adults(),
        })
    }
}
