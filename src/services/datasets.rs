//! The weekly datasets: who has gone missing in the last 3 or 12 weeks, ranked by
//! episodes. MFHCs and supervisors get the persons (their district's episodes); everyone
//! who reads measures gets the summary, with small counts suppressed for analysts and
//! administrators (who never see names).

use chrono::{DateTime, Duration, Utc};

use crate::auth::Bearer;
use crate::db::datasets::{self as q, MissingPersonRow, SummaryRow};
use crate::db::AuditContext;
use crate::domain::accounts::Role;
use crate::domain::audit::AuditEvent;
use crate::domain::datasets::{suppress, SUPPRESS_BELOW};
use crate::error::AppError;
use crate::ids::DistrictId;
use crate::startup::AppState;

/// A summary line as the caller may see it (`None`: suppressed).
#[derive(Debug, Clone)]
pub struct SummaryLine {
    pub district_id: DistrictId,
    pub age_group: String,
    pub persons: Option<u64>,
    pub episodes: Option<u64>,
    pub repeat_persons: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct MissingPersons {
    pub since: DateTime<Utc>,
    /// `None` for roles that see no names.
    pub persons: Option<Vec<MissingPersonRow>>,
    pub summary: Vec<SummaryLine>,
    /// Whether small counts were suppressed.
    pub suppressed: bool,
}

fn line(r: SummaryRow, below: u64) -> SummaryLine {
    let n = |v: i64| suppress(u64::try_from(v).unwrap_or(0), below);
    SummaryLine {
        district_id: r.district_id,
        age_group: r.age_group,
        persons: n(r.persons),
        episodes: n(r.episodes),
        repeat_persons: n(r.repeat_persons),
    }
}

pub async fn missing_persons(
    state: &AppState,
    bearer: &Bearer,
    audit: AuditContext,
    weeks: u32,
    district: Option<DistrictId>,
    limit: i32,
) -> Result<MissingPersons, AppError> {
    crate::in_tx_as!(state, bearer, audit, |tx| {
        let caller = tx.caller()?.clone();
        caller.require_any(&[Role::Mfhc, Role::Supervisor, Role::Analyst, Role::Admin])?;
        let since = Utc::now() - Duration::weeks(i64::from(weeks));
        let names = matches!(caller.role, Role::Mfhc | Role::Supervisor);
        let persons = if names {
            let rows = q::missing_persons(tx.conn(), since, district, limit).await?;
            tx.audit(AuditEvent::consultation(
                "person",
                rows.iter().map(|r| r.person_id.0),
            ));
            Some(rows)
        } else {
            None
        };
        // Suppression protects people from being singled out by those who see no names.
        let below = if names { 0 } else { SUPPRESS_BELOW };
        let summary = q::missing_persons_summary(tx.conn(), since)
            .await?
            .into_iter()
            .filter(|r| district.is_none_or(|d| d == r.district_id))
            .map(|r| line(r, below))
            .collect();
        Ok(MissingPersons {
            since,
            persons,
            summary,
            suppressed: !names,
        })
    })
}
