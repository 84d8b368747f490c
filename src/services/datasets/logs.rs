//! The rolling 12-week logs: looked-after children missing from care placements, and
//! episodes from hospital or medical settings. MFHCs and supervisors get the episodes
//! their policies show; everyone who reads datasets gets the counts.

use chrono::{DateTime, Utc};

use crate::auth::Bearer;
use crate::db::datasets::logs::{self as q, HospitalRow, LookedAfterRow};
use crate::db::AuditContext;
use crate::domain::audit::AuditEvent;
use crate::domain::datasets::periods::log_since;
use crate::error::AppError;
use crate::ids::DistrictId;
use crate::services::datasets::Audience;
use crate::startup::AppState;

/// A rolling log: the rows (for roles with names) and the summary lines.
#[derive(Debug, Clone)]
pub struct Log<R, S> {
    pub since: DateTime<Utc>,
    pub rows: Option<Vec<R>>,
    pub summary: Vec<S>,
    pub suppress_below: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct LookedAfterLine {
    pub district_id: DistrictId,
    pub placement_kind: String,
    pub out_of_area: Option<bool>,
    pub episodes: Option<u64>,
    pub persons: Option<u64>,
}

pub async fn looked_after(
    state: &AppState,
    bearer: &Bearer,
    audit: AuditContext,
    district: Option<DistrictId>,
) -> Result<Log<LookedAfterRow, LookedAfterLine>, AppError> {
    crate::in_tx_as!(state, bearer, audit, |tx| {
        let who = Audience::of(tx.caller()?, state.suppression)?;
        let since = log_since(Utc::now());
        let rows = if who.names {
            let rows = q::looked_after(tx.conn(), since, district).await?;
            tx.audit(AuditEvent::consultation(
                "episode",
                rows.iter().map(|r| r.episode_id.0),
            ));
            Some(rows)
        } else {
            None
        };
        let summary = q::looked_after_summary(tx.conn(), since)
            .await?
            .into_iter()
            .filter(|r| district.is_none_or(|d| d == r.district_id))
            .map(|r| LookedAfterLine {
                district_id: r.district_id,
                placement_kind: r.placement_kind,
                out_of_area: r.out_of_area,
                episodes: who.count(r.episodes),
                persons: who.count(r.persons),
            })
            .collect();
        Ok(Log {
            since,
            rows,
            summary,
            suppress_below: who.suppress_below(),
        })
    })
}

#[derive(Debug, Clone)]
pub struct HospitalLine {
    pub district_id: DistrictId,
    pub age_group: String,
    pub episodes: Option<u64>,
    pub persons: Option<u64>,
}

pub async fn hospital(
    state: &AppState,
    bearer: &Bearer,
    audit: AuditContext,
    district: Option<DistrictId>,
) -> Result<Log<HospitalRow, HospitalLine>, AppError> {
    crate::in_tx_as!(state, bearer, audit, |tx| {
        let who = Audience::of(tx.caller()?, state.suppression)?;
        let since = log_since(Utc::now());
        let rows = if who.names {
            let rows = q::hospital(tx.conn(), since, district).await?;
            tx.audit(AuditEvent::consultation(
                "episode",
                rows.iter().map(|r| r.episode_id.0),
            ));
            Some(rows)
        } else {
            None
        };
        let summary = q::hospital_summary(tx.conn(), since)
            .await?
            .into_iter()
            .filter(|r| district.is_none_or(|d| d == r.district_id))
            .map(|r| HospitalLine {
                district_id: r.district_id,
                age_group: r.age_group,
                episodes: who.count(r.episodes),
                persons: who.count(r.persons),
            })
            .collect();
        Ok(Log {
            since,
            rows,
            summary,
            suppress_below: who.suppress_below(),
        })
    })
}
