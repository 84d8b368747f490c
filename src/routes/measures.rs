//! `/measures` and `/baselines`: "keep the number of repeat missing children / adults
//! below baseline", per district and force (analysts, MFHCs, supervisors, admins).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{check_date, Meta};
use super::types::FieldErrors;
use crate::auth::Bearer;
use crate::db::measures::{BaselineRow, DefinitionRow};
use crate::domain::charts;
use crate::domain::measures::{
    month_end, period_ends, AgeGroup, Definition, Granularity, Standing,
};
use crate::error::{AppError, Problem};
use crate::ids::{DistrictId, UserId};
use crate::services;
use crate::services::measures::{BaselineInput, Figure, GroupFigures, Report};
use crate::startup::AppState;

#[derive(Serialize, ToSchema)]
pub struct DefinitionResponse {
    pub version: i32,
    /// Episodes starting in the window that make a person repeat missing.
    pub repeat_threshold: i32,
    pub window_months: i32,
    /// Whether episodes from hospital or medical settings count.
    pub count_hospital: bool,
    pub note: String,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

impl From<DefinitionRow> for DefinitionResponse {
    fn from(d: DefinitionRow) -> Self {
        DefinitionResponse {
            version: d.version,
            repeat_threshold: d.repeat_threshold,
            window_months: d.window_months,
            count_hospital: d.count_hospital,
            note: d.note,
            created_by: d.created_by,
            created_at: d.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BaselineResponse {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// `null`: the force.
    pub district_id: Option<DistrictId>,
    pub age_group: AgeGroup,
    pub version: i32,
    /// The end of the 12-month (or defined) window it measures.
    pub period_end: NaiveDate,
    pub value: i64,
    /// `computed` from recorded episodes, or an `official` figure.
    pub source: String,
    /// Where an official figure comes from.
    pub source_note: Option<String>,
    /// The measure definition it was computed or recorded under.
    pub definition_version: i32,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

impl From<BaselineRow> for BaselineResponse {
    fn from(b: BaselineRow) -> Self {
        BaselineResponse {
            id: b.id,
            district_id: b.district_id,
            age_group: b.age_group,
            version: b.version,
            period_end: b.period_end,
            value: b.value,
            source: b.source,
            source_note: b.source_note,
            definition_version: b.definition_version,
            created_by: b.created_by,
            created_at: b.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FigureResponse {
    /// Distinct persons repeat missing in the window.
    #[schema(example = 412)]
    pub value: u64,
    /// The baseline used (newest version), if one is recorded.
    pub baseline: Option<BaselineResponse>,
    pub difference: Option<i64>,
    /// Against the baseline, one decimal; `null` without a baseline or when it is 0.
    #[schema(example = -6.4)]
    pub percent_change: Option<f64>,
    pub status: Option<Standing>,
}

impl From<Figure> for FigureResponse {
    fn from(f: Figure) -> Self {
        FigureResponse {
            value: f.value,
            difference: f.comparison.map(|c| c.difference),
            percent_change: f.comparison.and_then(|c| c.percent_change),
            status: f.comparison.map(|c| c.standing),
            baseline: f.baseline.map(Into::into),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DistrictFigure {
    pub district_id: DistrictId,
    #[serde(flatten)]
    pub figure: FigureResponse,
}

#[derive(Serialize, ToSchema)]
pub struct GroupResponse {
    pub force: FigureResponse,
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

#[derive(Serialize, ToSchema)]
pub struct PointResponse {
    pub period_end: NaiveDate,
    /// The window: episodes starting at or after `window_start` and before `window_end`.
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub children: GroupResponse,
    pub adults: GroupResponse,
}

/// The measure at each period end, with the definition used.
#[derive(Serialize, ToSchema)]
pub struct ReportResponse {
    pub definition: DefinitionResponse,
    pub points: Vec<PointResponse>,
}

impl From<Report> for ReportResponse {
    fn from(r: Report) -> Self {
        ReportResponse {
            definition: r.definition.into(),
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
    pub period_end: Option<NaiveDate>,
    /// With `from`/`to`: a point per month end (default) or quarter end.
    pub granularity: Option<Granularity>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only this district (and the force).
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
        (None, None, None) => {
            let last_month = today
                .with_day(1)
                .and_then(|d| d.pred_opt())
                .unwrap_or(today);
            Ok(vec![month_end(last_month)])
        }
    }
}

/// Repeat-missing children and adults against baseline, per district and force.
#[utoipa::path(get, path = "/api/v1/measures/repeat-missing", tag = "measures", security(("bearer" = [])), params(MeasureQuery), responses(
    (status = 200, body = ReportResponse),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn repeat_missing(
    state: web::Data<AppState>,
    meta: Meta,
    bearer: Bearer,
    query: web::Query<MeasureQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let ends = periods(&q, Utc::now().date_naive())?;
    let report =
        services::measures::repeat_missing(&state, &bearer, meta.audit, ends, q.district_id)
            .await?;
    Ok(HttpResponse::Ok().json(ReportResponse::from(report)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChartQuery {
    /// One period end. Or give `from` and `to`; with none of the three, the 24 month ends
    /// up to the end of last month.
    pub period_end: Option<NaiveDate>,
    /// With `from`/`to`: a point per month end (default) or quarter end.
    pub granularity: Option<Granularity>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Chart this district instead of the force.
    pub district_id: Option<DistrictId>,
    /// Only children or only adults (default: a line for each).
    pub age_group: Option<AgeGroup>,
}

/// The chart's period ends: as the report's, but a series of the last 24 month ends by
/// default.
fn chart_periods(q: &ChartQuery, today: NaiveDate) -> Result<Vec<NaiveDate>, AppError> {
    let (from, to) = match (q.period_end, q.from, q.to) {
        (None, None, None) => {
            let to = month_end(
                today
                    .with_day(1)
                    .and_then(|d| d.pred_opt())
                    .unwrap_or(today),
            );
            let from = to
                .with_day(1)
                .and_then(|d| d.checked_sub_months(chrono::Months::new(23)))
                .unwrap_or(to);
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

async fn chart_of(
    state: &AppState,
    meta: Meta,
    bearer: &Bearer,
    q: ChartQuery,
) -> Result<charts::Chart, AppError> {
    let ends = chart_periods(&q, Utc::now().date_naive())?;
    let report =
        services::measures::repeat_missing(state, bearer, meta.audit, ends, q.district_id).await?;
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
    (status = 200, description = "An SVG image, 960×540", content_type = "image/svg+xml", body = String),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn chart_svg(
    state: web::Data<AppState>,
    meta: Meta,
    bearer: Bearer,
    query: web::Query<ChartQuery>,
) -> Result<HttpResponse, AppError> {
    let chart = chart_of(&state, meta, &bearer, query.into_inner()).await?;
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
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn chart_png(
    state: web::Data<AppState>,
    meta: Meta,
    bearer: Bearer,
    query: web::Query<ChartQuery>,
) -> Result<HttpResponse, AppError> {
    let chart = chart_of(&state, meta, &bearer, query.into_inner()).await?;
    // Rasterising takes milliseconds of CPU: off the async workers.
    let png = web::block(move || charts::png(&charts::svg(&chart)))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    Ok(HttpResponse::Ok().content_type("image/png").body(png))
}

#[derive(Serialize, ToSchema)]
pub struct DefinitionsResponse {
    pub current: DefinitionResponse,
    /// Every version, oldest first.
    pub versions: Vec<DefinitionResponse>,
}

/// The measure definition in use, and every earlier version.
#[utoipa::path(get, path = "/api/v1/measures/definition", tag = "measures", security(("bearer" = [])), responses(
    (status = 200, body = DefinitionsResponse),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
pub async fn definition(
    state: web::Data<AppState>,
    meta: Meta,
    bearer: Bearer,
) -> Result<HttpResponse, AppError> {
    let all = services::measures::definitions(&state, &bearer, meta.audit).await?;
    let current = all
        .last()
        .cloned()
        .ok_or_else(|| AppError::Conflict("no measure definition is recorded".into()))?;
    Ok(HttpResponse::Ok().json(DefinitionsResponse {
        current: current.into(),
        versions: all.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DefinitionRequest {
    #[schema(example = 2)]
    pub repeat_threshold: u32,
    #[schema(example = 12)]
    pub window_months: u32,
    pub count_hospital: bool,
    /// Why it changed.
    #[schema(example = "Panel decision: hospital episodes excluded from 2027")]
    pub note: String,
}

/// Record a new version of the definition (admins); later reports use it.
#[utoipa::path(put, path = "/api/v1/measures/definition", tag = "measures", security(("bearer" = [])),
    request_body = DefinitionRequest, responses(
    (status = 201, body = DefinitionResponse),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn define(
    state: web::Data<AppState>,
    meta: Meta,
    bearer: Bearer,
    body: web::Json<DefinitionRequest>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let note = FieldErrors::new().text_only("note", &b.note, 1000)?;
    let def = Definition {
        repeat_threshold: b.repeat_threshold,
        window_months: b.window_months,
        count_hospital: b.count_hospital,
    };
    let row = services::measures::define(&state, &bearer, meta.audit, def, note).await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(DefinitionResponse::from(row)))
}

#[derive(Serialize, ToSchema)]
pub struct BaselinesResponse {
    /// The newest version of each (district or force, age group).
    pub current: Vec<BaselineResponse>,
    /// Every version.
    pub versions: Vec<BaselineResponse>,
}

/// The baselines, current and all versions.
#[utoipa::path(get, path = "/api/v1/baselines", tag = "measures", security(("bearer" = [])), responses(
    (status = 200, body = BaselinesResponse),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn baselines(
    state: web::Data<AppState>,
    meta: Meta,
    bearer: Bearer,
) -> Result<HttpResponse, AppError> {
    let rows = services::measures::baselines(&state, &bearer, meta.audit).await?;
    let current = crate::db::measures::current(&rows)
        .into_iter()
        .cloned()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok().json(BaselinesResponse {
        current,
        versions: rows.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BaselineRequest {
    pub age_group: AgeGroup,
    /// Omit for the force.
    pub district_id: Option<DistrictId>,
    /// The window's end; default 31 December 2019 (the pre-pandemic yardstick).
    pub period_end: Option<NaiveDate>,
    /// An official figure (with `source`); omit both to compute it from the episodes.
    pub value: Option<u64>,
    #[schema(example = "Police and Crime Plan 2021-24, annex B")]
    pub source: Option<String>,
}

/// Record the next version of a baseline (admins): official, or computed.
#[utoipa::path(post, path = "/api/v1/baselines", tag = "measures", security(("bearer" = [])),
    request_body = BaselineRequest, responses(
    (status = 201, body = BaselineResponse),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
pub async fn set_baseline(
    state: web::Data<AppState>,
    meta: Meta,
    bearer: Bearer,
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
    let row = services::measures::set_baseline(
        &state,
        &bearer,
        meta.audit,
        BaselineInput {
            district_id: b.district_id,
            age_group: b.age_group,
            period_end,
            official,
        },
    )
    .await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(BaselineResponse::from(row)))
}
