//! Missing episodes: report (with the first risk grading), read, list, move through the
//! lifecycle, re-grade risk.

use chrono::{DateTime, Datelike, Utc};

use crate::auth::Bearer;
use crate::db::episodes::{self as q, EpisodeFilter, EpisodeRow, NewEpisode, RiskGradingRow};
use crate::db::{persons, AuditContext, Tx};
use crate::domain::audit::AuditEvent;
use crate::domain::episodes::{
    check_transition, reference, EpisodeStatus, MissingFrom, ReportedBy, RiskLevel,
};
use crate::error::AppError;
use crate::ids::{DistrictId, EpisodeId, PersonId, RiskGradingId};
use crate::startup::AppState;

const RECORD: &str = "episode";

/// A risk grading as given: level, why, and what information it rests on.
#[derive(Debug, Clone)]
pub struct RiskInput {
    pub level: RiskLevel,
    pub rationale: String,
    pub information: String,
}

/// A new report, already parsed and checked for its own consistency.
#[derive(Debug, Clone)]
pub struct ReportInput {
    pub person_id: PersonId,
    pub district_id: Option<DistrictId>,
    pub reported_at: DateTime<Utc>,
    pub reported_by: ReportedBy,
    pub reporter_details: String,
    pub last_seen_at: DateTime<Utc>,
    pub last_seen_location: String,
    pub missing_from: MissingFrom,
    pub circumstances: String,
    pub risk: RiskInput,
}

/// An episode with its risk history, oldest grading first.
#[derive(Debug, Clone)]
pub struct Episode {
    pub row: EpisodeRow,
    pub gradings: Vec<RiskGradingRow>,
}

pub async fn report(
    state: &AppState,
    bearer: &Bearer,
    audit: AuditContext,
    r: ReportInput,
) -> Result<Episode, AppError> {
    crate::in_tx_as!(state, bearer, audit, |tx| {
        let caller = tx.caller()?.clone();
        caller.require_operational()?;
        let district = r.district_id.or(caller.district_id).ok_or_else(|| {
            AppError::field(
                "district_id",
                "force-wide users must say which district owns the episode",
            )
        })?;
        if !caller.covers(district) {
            return Err(AppError::Forbidden(
                "you can only report episodes for your own district",
            ));
        }
        if persons::find(tx.conn(), r.person_id).await?.is_none() {
            return Err(AppError::field("person_id", "no such person"));
        }
        let (code, n) = q::next_reference_number(tx.conn(), district, r.reported_at.year())
            .await
            .map_err(|e| match e {
                diesel::result::Error::NotFound => {
                    AppError::field("district_id", "no such district")
                }
                other => other.into(),
            })?;
        let row = q::insert(
            tx.conn(),
            &NewEpisode {
                id: EpisodeId::new(),
                reference: reference(&code, r.reported_at.year(), n),
                person_id: r.person_id,
                district_id: district,
                status: EpisodeStatus::Reported,
                reported_at: r.reported_at,
                reported_by: r.reported_by,
                reporter_details: r.reporter_details,
                last_seen_at: r.last_seen_at,
                last_seen_location: r.last_seen_location,
                missing_from: r.missing_from,
                circumstances: r.circumstances,
                risk_level: r.risk.level,
                created_by: caller.user_id,
            },
        )
        .await?;
        let grading = grading_row(&caller, row.id, None, r.risk);
        q::insert_grading(tx.conn(), &grading).await?;
        tx.audit(AuditEvent::new(
            crate::domain::audit::Operation::Collection,
            RECORD,
            [row.id.0, row.person_id.0],
        ));
        Ok(Episode {
            row,
            gradings: vec![grading],
        })
    })
}

fn grading_row(
    caller: &crate::domain::caller::Caller,
    episode: EpisodeId,
    from: Option<RiskLevel>,
    risk: RiskInput,
) -> RiskGradingRow {
    RiskGradingRow {
        id: RiskGradingId::new(),
        episode_id: episode,
        graded_at: Utc::now(),
        graded_by: caller.user_id,
        from_level: from,
        to_level: risk.level,
        rationale: risk.rationale,
        information: risk.information,
    }
}

/// The episode if the caller may see it; 404 otherwise (never revealing that it exists).
async fn visible(tx: &mut Tx, id: EpisodeId) -> Result<EpisodeRow, AppError> {
    tx.caller()?.require_operational()?;
    q::find(tx.conn(), id)
        .await?
        .ok_or(AppError::NotFound("no such episode"))
}

pub async fn get(
    state: &AppState,
    bearer: &Bearer,
    audit: AuditContext,
    id: EpisodeId,
) -> Result<Episode, AppError> {
    crate::in_tx_as!(state, bearer, audit, |tx| {
        let row = visible(&mut tx, id).await?;
        let gradings = q::gradings(tx.conn(), id).await?;
        tx.audit(AuditEvent::consultation(RECORD, [id.0]));
        Ok(Episode { row, gradings })
    })
}

pub async fn list(
    state: &AppState,
    bearer: &Bearer,
    audit: AuditContext,
    filter: EpisodeFilter,
    limit: i64,
) -> Result<Vec<EpisodeRow>, AppError> {
    crate::in_tx_as!(state, bearer, audit, |tx| {
        tx.caller()?.require_operational()?;
        let rows = q::list(tx.conn(), &filter, limit).await?;
        tx.audit(AuditEvent::consultation(
            RECORD,
            rows.iter().map(|r| r.id.0),
        ));
        Ok(rows)
    })
}

/// Moves an episode along its lifecycle. Return and closure carry their own records and
/// have their own endpoints; here: activation and cancellation (with its reason).
pub async fn change_status(
    state: &AppState,
    bearer: &Bearer,
    audit: AuditContext,
    id: EpisodeId,
    expected_version: i32,
    to: EpisodeStatus,
    reason: Option<String>,
) -> Result<Episode, AppError> {
    if matches!(
        to,
        EpisodeStatus::Returned | EpisodeStatus::Closed | EpisodeStatus::Reported
    ) {
        return Err(AppError::field("status", "only `active` and `cancelled` are set here; a return and a closure are recorded with their own details"));
    }
    if to == EpisodeStatus::Cancelled && reason.is_none() {
        return Err(AppError::field(
            "reason",
            "cancelling needs a reason (why the person was not missing)",
        ));
    }
    crate::in_tx_as!(state, bearer, audit, |tx| {
        let current = visible(&mut tx, id).await?;
        if current.version != expected_version {
            return Err(AppError::PreconditionFailed);
        }
        check_transition(current.status, to).map_err(|e| AppError::IllegalTransition {
            from: e.from.as_str(),
            to: e.to.as_str(),
            allowed: e.allowed.iter().map(|s| s.as_str()).collect(),
        })?;
        let reason = if to == EpisodeStatus::Cancelled {
            reason.as_deref()
        } else {
            None
        };
        let row = q::set_status(tx.conn(), id, expected_version, to, reason)
            .await?
            .ok_or(AppError::PreconditionFailed)?;
        let gradings = q::gradings(tx.conn(), id).await?;
        tx.audit(AuditEvent::alteration(RECORD, id.0));
        Ok(Episode { row, gradings })
    })
}

/// Records a new risk grading (the previous level is kept in the history).
pub async fn regrade(
    state: &AppState,
    bearer: &Bearer,
    audit: AuditContext,
    id: EpisodeId,
    expected_version: i32,
    risk: RiskInput,
) -> Result<Episode, AppError> {
    crate::in_tx_as!(state, bearer, audit, |tx| {
        let caller = tx.caller()?.clone();
        let current = visible(&mut tx, id).await?;
        if current.version != expected_version {
            return Err(AppError::PreconditionFailed);
        }
        if !matches!(
            current.status,
            EpisodeStatus::Reported | EpisodeStatus::Active
        ) {
            return Err(AppError::Conflict(format!(
                "a {} episode cannot be re-graded",
                current.status
            )));
        }
        let grading = grading_row(&caller, id, Some(current.risk_level), risk);
        let row = q::regrade(tx.conn(), expected_version, &grading)
            .await?
            .ok_or(AppError::PreconditionFailed)?;
        let gradings = q::gradings(tx.conn(), id).await?;
        tx.audit(AuditEvent::alteration(RECORD, id.0));
        Ok(Episode { row, gradings })
    })
}
