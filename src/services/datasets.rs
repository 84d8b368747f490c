//! The weekly datasets: who has gone missing in the last 3 or 12 weeks, ranked by
//! episodes (here; the other datasets in the submodules). MFHCs and supervisors get the
//! persons (their district's episodes); everyone who reads measures gets the summary,
//! with small counts suppressed for analysts and administrators (who never see names).

use chrono::{DateTime, Duration, Utc};

use crate::db::datasets::{self as q, ByDistrict, MissingPersonRow};
use crate::db::{Conn, Tx};
use crate::domain::accounts::Role;
use crate::domain::audit::AuditEvent;
use crate::domain::caller::Caller;
use crate::domain::datasets::Suppression;
use crate::domain::disclosure::{protect, Line};
use crate::error::AppError;
use crate::ids::DistrictId;
use crate::services::context::Ctx;

pub mod first_time;
pub mod logs;
pub mod stats;

/// Who may read the datasets: MFHCs and supervisors (rows with names), analysts and
/// administrators (aggregates only).
const READERS: &[Role] = &[Role::Mfhc, Role::Supervisor, Role::Analyst, Role::Admin];

/// What a caller gets: names, or aggregates with small counts withheld.
#[derive(Debug, Clone, Copy)]
pub struct Audience {
    /// MFHCs and supervisors see the persons (through their policies).
    pub names: bool,
    /// The threshold applied to this caller's counts; `None` when nothing is withheld.
    pub suppression: Option<Suppression>,
}

impl Audience {
    /// Refuses roles that read no datasets.
    pub fn of(caller: &Caller, configured: Suppression) -> Result<Self, AppError> {
        caller.require_any(READERS)?;
        let names = matches!(caller.role, Role::Mfhc | Role::Supervisor);
        Ok(Audience {
            names,
            // Suppression protects people from being singled out by those who see no names.
            suppression: (!names).then_some(configured),
        })
    }

    /// A database count as this caller may see it (`None`: withheld).
    pub fn count(&self, n: i64) -> Option<u64> {
        match self.suppression {
            Some(s) => s.count(n),
            None => Some(u64::try_from(n).unwrap_or(0)),
        }
    }

    /// A count about the people another count counts (their episodes, a subset of
    /// them), as this caller may see it: withheld with that count, as well as on its own.
    pub fn led_by(&self, persons: i64, n: i64) -> Option<u64> {
        self.count(persons).and_then(|_| self.count(n))
    }

    /// Which of `values` this caller may not see: nothing for roles with names; else the
    /// small counts and as many more as keep them from being worked out through `lines`
    /// (`domain::disclosure`).
    pub fn withheld(&self, values: &[u64], lines: &[Line]) -> Vec<bool> {
        match self.suppression {
            Some(s) => protect(values, lines, s),
            None => vec![false; values.len()],
        }
    }

    /// A count, unless withheld.
    pub fn shown(withheld: bool, n: i64) -> Option<u64> {
        (!withheld).then(|| u64::try_from(n).unwrap_or(0))
    }

    /// The threshold to report with the figures.
    pub fn suppress_below(&self) -> Option<u64> {
        self.suppression.map(Suppression::below)
    }

    /// The rows `load` reads, for roles that see names, their reading audited as
    /// `consulted` says; `None` (nothing read) for roles that do not.
    pub async fn rows<R>(
        &self,
        tx: &mut Tx,
        load: impl AsyncFnOnce(&mut Conn) -> diesel::QueryResult<Vec<R>>,
        consulted: impl FnOnce(&[R]) -> AuditEvent,
    ) -> Result<Option<Vec<R>>, AppError> {
        if !self.names {
            return Ok(None);
        }
        let rows = load(tx.conn()).await?;
        tx.audit(consulted(&rows));
        Ok(Some(rows))
    }

    /// The summary lines of the district asked for (every one when none is), with the
    /// counts `line` makes as this caller may see them.
    pub fn lines<R: ByDistrict, L>(
        &self,
        rows: Vec<R>,
        district: Option<DistrictId>,
        line: impl Fn(R, &Audience) -> L,
    ) -> Vec<L> {
        rows.into_iter()
            .filter(|r| district.is_none_or(|d| d == r.district_id()))
            .map(|r| line(r, self))
            .collect()
    }
}

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
    /// Whether small counts were suppressed, and below what.
    pub suppressed: bool,
    pub suppress_below: Option<u64>,
    /// The force's time zone: ages are taken on the local day an episode started.
    pub zone: crate::domain::local_time::ForceZone,
}

#[tracing::instrument(name = "services::datasets::missing_persons", skip_all)]
pub async fn missing_persons(
    ctx: &Ctx,
    weeks: u32,
    district: Option<DistrictId>,
    limit: i32,
) -> Result<MissingPersons, AppError> {
    crate::in_tx!(ctx, |tx| {
        let who = Audience::of(tx.caller()?, ctx.app.suppression)?;
        let since = Utc::now() - Duration::weeks(i64::from(weeks));
        let persons = who
            .rows(
                &mut tx,
                async |c| q::missing_persons(c, since, district, limit).await,
                |rows| AuditEvent::consultation("person", rows.iter().map(|r| r.person_id.0)),
            )
            .await?;
        let rows = q::missing_persons_summary(tx.conn(), since).await?;
        let summary = who.lines(rows, district, |r, who| SummaryLine {
            district_id: r.district_id,
            age_group: r.age_group,
            persons: who.count(r.persons),
            episodes: who.led_by(r.persons, r.episodes),
            repeat_persons: who.led_by(r.persons, r.repeat_persons),
        });
        Ok(MissingPersons {
            zone: ctx.app.zone,
            since,
            persons,
            summary,
            suppressed: who.suppression.is_some(),
            suppress_below: who.suppress_below(),
        })
    })
}
