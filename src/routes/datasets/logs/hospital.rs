//! The hospital log's response: the episodes (MFHCs and supervisors) or the counts per
//! district and age group, as JSON or CSV.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::examples;
use crate::domain::measures::{group_of, AgeGroup};
use crate::ids::{DistrictId, EpisodeId, PersonId};
use crate::render::csv::csv_count;
use crate::routes::datasets::{opt_display, rows_or_summary, CsvRecord};
use crate::services::datasets::logs::HospitalRow;
use crate::services::datasets::logs::{HospitalLine, Log};

/// An episode from a hospital or medical setting (MFHCs and supervisors only).
#[derive(Serialize, ToSchema)]
#[schema(example = examples::hospital_episode)]
pub struct HospitalEpisode {
    pub episode_id: EpisodeId,
    #[schema(example = "WKF-2026-000077")]
    pub reference: String,
    pub person_id: PersonId,
    #[schema(example = "Arthur")]
    pub given_name: String,
    #[schema(example = "Wood")]
    pub family_name: String,
    /// `null` when not recorded.
    #[schema(example = "1941-05-19")]
    pub date_of_birth: Option<NaiveDate>,
    /// At the episode's start; `null` without a date of birth.
    pub age_group: Option<AgeGroup>,
    /// The district that owns the episode now.
    pub district_id: DistrictId,
    #[schema(example = "2026-10-29T03:10:00Z")]
    #[serde(serialize_with = "crate::json::timestamp")]
    pub reported_at: DateTime<Utc>,
    /// Who reported it: `parent`, `carer`, `childrens_home`, `hospital`, `school`,
    /// `police`, `self` or `other`.
    #[schema(example = "hospital")]
    pub reported_by: String,
    #[schema(example = "Pinderfields Hospital, ward 12")]
    pub last_seen_location: String,
    /// The episode's status now: `reported`, `active`, `returned` or `closed`.
    #[schema(example = "active")]
    pub status: String,
    /// The latest risk grading: `very_low`, `low`, `medium` or `high`.
    #[schema(example = "high")]
    pub risk_level: String,
}

/// One district and age group of the hospital log.
#[derive(Serialize, ToSchema)]
#[schema(example = examples::hospital_summary)]
pub struct HospitalSummary {
    /// The district that owns the episodes now.
    pub district_id: DistrictId,
    /// At the episode's start: `child`, `adult` or `unknown` (no date of birth).
    #[schema(example = "adult")]
    pub age_group: String,
    /// `null`: withheld (a small number, for roles that see no names).
    #[schema(example = 14)]
    pub episodes: Option<u64>,
    /// Distinct persons.
    #[schema(example = 9)]
    pub persons: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct HospitalLogResponse {
    /// The log covers episodes reported from this instant (12 weeks ago) on.
    #[schema(example = "2026-08-08T14:05:00Z")]
    #[serde(serialize_with = "crate::json::timestamp")]
    pub since: DateTime<Utc>,
    /// MFHCs and supervisors only: the episodes their policies show, newest first.
    pub episodes: Option<Vec<HospitalEpisode>>,
    /// Per district and age group, force-wide.
    pub summary: Vec<HospitalSummary>,
    /// Whether small counts are withheld (analysts and administrators).
    #[schema(example = false)]
    pub suppressed: bool,
    /// Counts from 1 up to, not including, this are `null`; `null` when nothing is withheld.
    #[schema(example = 5)]
    pub suppress_below: Option<u64>,
}

impl From<Log<HospitalRow, HospitalLine>> for HospitalLogResponse {
    fn from(log: Log<HospitalRow, HospitalLine>) -> Self {
        HospitalLogResponse {
            since: log.since,
            suppressed: log.suppress_below.is_some(),
            suppress_below: log.suppress_below,
            episodes: log.rows.map(|rows| {
                rows.into_iter()
                    .map(|r| HospitalEpisode {
                        age_group: group_of(
                            r.episode.date_of_birth,
                            r.episode.reported_at,
                            &log.zone,
                        ),
                        episode_id: r.episode.episode_id,
                        reference: r.episode.reference,
                        person_id: r.episode.person_id,
                        given_name: r.episode.given_name,
                        family_name: r.episode.family_name,
                        date_of_birth: r.episode.date_of_birth,
                        district_id: r.episode.district_id,
                        reported_at: r.episode.reported_at,
                        reported_by: r.reported_by,
                        last_seen_location: r.last_seen_location,
                        status: r.status,
                        risk_level: r.risk_level,
                    })
                    .collect()
            }),
            summary: log
                .summary
                .into_iter()
                .map(|s| HospitalSummary {
                    district_id: s.district_id,
                    age_group: s.age_group,
                    episodes: s.episodes,
                    persons: s.persons,
                })
                .collect(),
        }
    }
}

impl HospitalLogResponse {
    pub(super) fn csv(&self) -> String {
        rows_or_summary(self.episodes.as_deref(), &self.summary)
    }
}

impl CsvRecord for HospitalEpisode {
    const HEADER: &'static [&'static str] = &[
        "episode_id",
        "reference",
        "person_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "age_group",
        "district_id",
        "reported_at",
        "reported_by",
        "last_seen_location",
        "status",
        "risk_level",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            self.episode_id.to_string(),
            self.reference.clone(),
            self.person_id.to_string(),
            self.given_name.clone(),
            self.family_name.clone(),
            opt_display(&self.date_of_birth),
            opt_display(&self.age_group),
            self.district_id.to_string(),
            self.reported_at.to_rfc3339(),
            self.reported_by.clone(),
            self.last_seen_location.clone(),
            self.status.clone(),
            self.risk_level.clone(),
        ]
    }
}

impl CsvRecord for HospitalSummary {
    const HEADER: &'static [&'static str] = &["district_id", "age_group", "episodes", "persons"];

    fn record(&self) -> Vec<String> {
        vec![
            self.district_id.to_string(),
            self.age_group.clone(),
            csv_count(self.episodes),
            csv_count(self.persons),
        ]
    }
}
