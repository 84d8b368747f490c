//! The looked-after log's response: the episodes (MFHCs and supervisors) or the counts
//! per district, placement kind and out-of-area flag, as JSON or CSV.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::examples;
use crate::ids::{DistrictId, EpisodeId, PersonId, PlacementId};
use crate::render::csv::csv_count;
use crate::routes::datasets::{opt_display, rows_or_summary, CsvRecord};
use crate::services::datasets::logs::LookedAfterRow;
use crate::services::datasets::logs::{Log, LookedAfterLine};

/// An episode of a looked-after child missing from a care placement (MFHCs and
/// supervisors only).
#[derive(Serialize, ToSchema)]
#[schema(example = examples::looked_after_episode)]
pub struct LookedAfterEpisode {
    pub episode_id: EpisodeId,
    #[schema(example = "BFD-2026-000481")]
    pub reference: String,
    pub person_id: PersonId,
    #[schema(example = "Kai")]
    pub given_name: String,
    #[schema(example = "Walker")]
    pub family_name: String,
    /// `null` when not recorded.
    #[schema(example = "2010-06-02")]
    pub date_of_birth: Option<NaiveDate>,
    /// The district that owns the episode now.
    pub district_id: DistrictId,
    #[schema(example = "2026-10-30T22:15:00Z")]
    #[serde(serialize_with = "crate::json::timestamp")]
    pub reported_at: DateTime<Utc>,
    /// The episode's status now: `reported`, `active`, `returned` or `closed`.
    #[schema(example = "returned")]
    pub status: String,
    /// The latest risk grading: `very_low`, `low`, `medium` or `high`.
    #[schema(example = "medium")]
    pub risk_level: String,
    /// The placement named on the episode; `null` when none is.
    pub placement_id: Option<PlacementId>,
    /// `regulated_childrens_home`, `unregulated_childrens_home`, `foster`, `family`, or
    /// `not_recorded` (no placement named on the episode).
    #[schema(example = "unregulated_childrens_home")]
    pub placement_kind: String,
    /// Who runs the placement, as recorded; `null` without a placement or when not
    /// recorded.
    #[schema(example = "Oakwood House")]
    pub provider: Option<String>,
    /// Local authority codes; out of area when the placing authority is not the host.
    #[schema(example = "E08000035")]
    pub placing_authority: Option<String>,
    /// The local authority the placement is in.
    #[schema(example = "E08000032")]
    pub host_authority: Option<String>,
    /// Whether the placing authority is not the host; `null` without a placement.
    #[schema(example = true)]
    pub out_of_area: Option<bool>,
}

/// One district, placement kind and out-of-area flag of the looked-after log.
#[derive(Serialize, ToSchema)]
#[schema(example = examples::looked_after_summary)]
pub struct LookedAfterSummary {
    /// The district that owns the episodes now.
    pub district_id: DistrictId,
    /// As on the episodes: `regulated_childrens_home`, `unregulated_childrens_home`,
    /// `foster`, `family` or `not_recorded`.
    #[schema(example = "regulated_childrens_home")]
    pub placement_kind: String,
    /// `null` when no placement is named.
    #[schema(example = false)]
    pub out_of_area: Option<bool>,
    /// `null`: withheld (a small number, for roles that see no names).
    #[schema(example = 23)]
    pub episodes: Option<u64>,
    /// Distinct children.
    #[schema(example = 11)]
    pub persons: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct LookedAfterLogResponse {
    /// The log covers episodes reported from this instant (12 weeks ago) on.
    #[schema(example = "2026-08-08T14:05:00Z")]
    #[serde(serialize_with = "crate::json::timestamp")]
    pub since: DateTime<Utc>,
    /// MFHCs and supervisors only: the episodes their policies show, newest first.
    pub episodes: Option<Vec<LookedAfterEpisode>>,
    /// Per district, placement kind and out-of-area flag, force-wide.
    pub summary: Vec<LookedAfterSummary>,
    /// Whether small counts are withheld (analysts and administrators).
    #[schema(example = false)]
    pub suppressed: bool,
    /// Counts from 1 up to, not including, this are `null`; `null` when nothing is withheld.
    #[schema(example = 5)]
    pub suppress_below: Option<u64>,
}

impl From<Log<LookedAfterRow, LookedAfterLine>> for LookedAfterLogResponse {
    fn from(log: Log<LookedAfterRow, LookedAfterLine>) -> Self {
        LookedAfterLogResponse {
            since: log.since,
            suppressed: log.suppress_below.is_some(),
            suppress_below: log.suppress_below,
            episodes: log.rows.map(|rows| {
                rows.into_iter()
                    .map(|r| LookedAfterEpisode {
                        episode_id: r.episode.episode_id,
                        reference: r.episode.reference,
                        person_id: r.episode.person_id,
                        given_name: r.episode.given_name,
                        family_name: r.episode.family_name,
                        date_of_birth: r.episode.date_of_birth,
                        district_id: r.episode.district_id,
                        reported_at: r.episode.reported_at,
                        status: r.status,
                        risk_level: r.risk_level,
                        placement_id: r.placement_id,
                        placement_kind: r.placement_kind,
                        provider: r.provider,
                        placing_authority: r.placing_authority,
                        host_authority: r.host_authority,
                        out_of_area: r.out_of_area,
                    })
                    .collect()
            }),
            summary: log
                .summary
                .into_iter()
                .map(|s| LookedAfterSummary {
                    district_id: s.district_id,
                    placement_kind: s.placement_kind,
                    out_of_area: s.out_of_area,
                    episodes: s.episodes,
                    persons: s.persons,
                })
                .collect(),
        }
    }
}

impl LookedAfterLogResponse {
    pub(super) fn csv(&self) -> String {
        rows_or_summary(self.episodes.as_deref(), &self.summary)
    }
}

impl CsvRecord for LookedAfterEpisode {
    const HEADER: &'static [&'static str] = &[
        "episode_id",
        "reference",
        "person_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "district_id",
        "reported_at",
        "status",
        "risk_level",
        "placement_kind",
        "provider",
        "placing_authority",
        "host_authority",
        "out_of_area",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            self.episode_id.to_string(),
            self.reference.clone(),
            self.person_id.to_string(),
            self.given_name.clone(),
            self.family_name.clone(),
            opt_display(&self.date_of_birth),
            self.district_id.to_string(),
            self.reported_at.to_rfc3339(),
            self.status.clone(),
            self.risk_level.clone(),
            self.placement_kind.clone(),
            opt_display(&self.provider),
            opt_display(&self.placing_authority),
            opt_display(&self.host_authority),
            opt_display(&self.out_of_area),
        ]
    }
}

impl CsvRecord for LookedAfterSummary {
    const HEADER: &'static [&'static str] = &[
        "district_id",
        "placement_kind",
        "out_of_area",
        "episodes",
        "persons",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            self.district_id.to_string(),
            self.placement_kind.clone(),
            opt_display(&self.out_of_area),
            csv_count(self.episodes),
            csv_count(self.persons),
        ]
    }
}
