//! The quarterly breakdown's response: the non-empty cells, as JSON or CSV.

use serde::Serialize;
use utoipa::ToSchema;

use super::examples;
use crate::ids::DistrictId;
use crate::render::csv::{csv_count, to_csv};
use crate::routes::datasets::opt_display;
use crate::services::datasets::stats::Breakdown;

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
    /// Counted episodes in the cell (`null`: withheld with the cell's persons).
    #[schema(example = 42)]
    pub episodes: Option<u64>,
    /// Distinct persons with an episode in the cell. `null` for readers without names
    /// when withheld: fewer than `suppress_below`, or withheld beside such a cell so that
    /// the force's cell less the other districts' cannot give it away (secondary
    /// suppression over the whole quarter, whichever district is asked for).
    #[schema(example = 17)]
    pub persons: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct BreakdownResponse {
    /// The quarter, `YYYY-Qn`.
    #[schema(example = "2026-Q3")]
    pub quarter: String,
    /// The quarter's first and last days (local).
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
    pub(super) fn csv(&self) -> String {
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
                    opt_display(&c.sex),
                    opt_display(&c.ethnicity),
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
