//! The children series' response: per month, the force's and the districts' figures
//! with their 12-month rolling averages, as JSON or CSV.

use serde::Serialize;
use utoipa::ToSchema;

use super::examples;
use crate::ids::DistrictId;
use crate::render::csv::{csv_count, to_csv};
use crate::services::datasets::stats::{ChildrenSeries, MonthFigures};

/// One month's figures for an area (a district or the force).
#[derive(Serialize, ToSchema, Clone)]
#[schema(example = examples::force_month)]
pub struct MonthFiguresResponse {
    /// Distinct children (under 18 at the episode's start) with a counted episode
    /// starting in the month; each counted in one district (their latest that month).
    /// `null`: withheld from readers without names, a small number or one withheld
    /// beside it so the force's total cannot give it away.
    #[schema(example = 118)]
    pub children: Option<u64>,
    /// Counted episodes of children starting in the month (in the episode's district).
    /// MFHCs and supervisors only (`null` for readers without names: added up by quarter
    /// they are the quarterly breakdown's children's episodes, and one table would
    /// undo the other's suppression).
    #[schema(example = 203)]
    pub episodes: Option<u64>,
    /// The 12-month rolling average of `children`: the sum over this month and the 11
    /// before it, divided by 12, one decimal. For readers without names, shown only when
    /// all 12 months behind it are (`null` otherwise).
    #[schema(example = 109.4)]
    pub rolling_average_children: Option<f64>,
    /// The same for `episodes` (MFHCs and supervisors only).
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
    /// The month (the force's local time), `YYYY-MM`.
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
    pub(super) fn csv(&self) -> String {
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
