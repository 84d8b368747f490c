//! The rolling 12-week logs: looked-after children missing from care placements, and
//! episodes from hospital or medical settings. MFHCs and supervisors get the episodes
//! their policies show; everyone who reads datasets gets the counts.

pub use crate::db::datasets::logs::{HospitalRow, LookedAfterRow};
use chrono::{DateTime, Utc};
use diesel::QueryResult;

use crate::db::datasets::logs as q;
use crate::db::datasets::{ByDistrict, EpisodePersonRow};
use crate::db::Conn;
use crate::domain::audit::AuditEvent;
use crate::domain::datasets::periods::log_since;
use crate::error::AppError;
use crate::ids::DistrictId;
use crate::services::context::Ctx;
use crate::services::datasets::Audience;

/// A rolling log: the rows (for roles with names) and the summary lines.
#[derive(Debug, Clone)]
pub struct Log<R, S> {
    pub since: DateTime<Utc>,
    pub rows: Option<Vec<R>>,
    pub summary: Vec<S>,
    pub suppress_below: Option<u64>,
    /// The force's time zone: ages are taken on the local day an episode started.
    pub zone: crate::domain::local_time::ForceZone,
}

type Since = DateTime<Utc>;

/// A log over the last 12 weeks: the episodes `rows` reads (for roles with names, each
/// audited as consulted) and the lines `line` makes of what `summary` counts.
async fn log<R, T, S>(
    ctx: &Ctx,
    district: Option<DistrictId>,
    rows: impl AsyncFnOnce(&mut Conn, Since, Option<DistrictId>) -> QueryResult<Vec<R>>,
    summary: impl AsyncFnOnce(&mut Conn, Since) -> QueryResult<Vec<T>>,
    line: impl Fn(T, &Audience) -> S,
) -> Result<Log<R, S>, AppError>
where
    R: AsRef<EpisodePersonRow>,
    T: ByDistrict,
{
    crate::in_tx!(ctx, |tx| {
        let who = Audience::of(tx.caller()?, ctx.app.suppression)?;
        let since = log_since(Utc::now());
        let rows = who
            .rows(
                &mut tx,
                async |c| rows(c, since, district).await,
                |rows| {
                    let ids = rows.iter().map(|r| r.as_ref().episode_id.0);
                    AuditEvent::consultation("episode", ids)
                },
            )
            .await?;
        let summary = who.lines(summary(tx.conn(), since).await?, district, line);
        Ok(Log {
            zone: ctx.app.zone,
            since,
            rows,
            summary,
            suppress_below: who.suppress_below(),
        })
    })
}

#[derive(Debug, Clone)]
pub struct LookedAfterLine {
    pub district_id: DistrictId,
    pub placement_kind: String,
    pub out_of_area: Option<bool>,
    pub episodes: Option<u64>,
    pub persons: Option<u64>,
}

#[tracing::instrument(name = "services::datasets::logs::looked_after", skip_all)]
pub async fn looked_after(
    ctx: &Ctx,
    district: Option<DistrictId>,
) -> Result<Log<LookedAfterRow, LookedAfterLine>, AppError> {
    let line = |r: q::LookedAfterSummaryRow, who: &Audience| LookedAfterLine {
        district_id: r.district_id,
        placement_kind: r.placement_kind,
        out_of_area: r.out_of_area,
        episodes: who.led_by(r.persons, r.episodes),
        persons: who.count(r.persons),
    };
    log(
        ctx,
        district,
        q::looked_after,
        q::looked_after_summary,
        line,
    )
    .await
}

#[derive(Debug, Clone)]
pub struct HospitalLine {
    pub district_id: DistrictId,
    pub age_group: String,
    pub episodes: Option<u64>,
    pub persons: Option<u64>,
}

#[tracing::instrument(name = "services::datasets::logs::hospital", skip_all)]
pub async fn hospital(
    ctx: &Ctx,
    district: Option<DistrictId>,
) -> Result<Log<HospitalRow, HospitalLine>, AppError> {
    let line = |r: q::HospitalSummaryRow, who: &Audience| HospitalLine {
        district_id: r.district_id,
        age_group: r.age_group,
        episodes: who.led_by(r.persons, r.episodes),
        persons: who.count(r.persons),
    };
    log(ctx, district, q::hospital, q::hospital_summary, line).await
}
