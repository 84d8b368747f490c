//! First-time missing children in a month: children whose first ever counted episode
//! (in any district) started that month. MFHCs and supervisors get the children their
//! policies show; everyone who reads datasets gets the counts per district.

use crate::db::datasets::first_time::{self as q, FirstTimeRow};
use crate::domain::audit::AuditEvent;
use crate::domain::datasets::periods::Month;
use crate::error::AppError;
use crate::ids::DistrictId;
use crate::services::context::Ctx;
use crate::services::datasets::Audience;

#[derive(Debug, Clone)]
pub struct FirstTimeLine {
    pub district_id: DistrictId,
    pub children: Option<u64>,
    pub looked_after: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct FirstTime {
    pub month: Month,
    /// `None` for roles that see no names.
    pub children: Option<Vec<FirstTimeRow>>,
    pub summary: Vec<FirstTimeLine>,
    pub suppress_below: Option<u64>,
}

#[tracing::instrument(name = "services::datasets::first_time::first_time_children", skip_all)]
pub async fn first_time_children(
    ctx: &Ctx,
    month: Month,
    district: Option<DistrictId>,
) -> Result<FirstTime, AppError> {
    crate::in_tx!(ctx, |tx| {
        let who = Audience::of(tx.caller()?, ctx.app.suppression)?;
        let children = who
            .rows(
                &mut tx,
                async |c| q::rows(c, month.range(&ctx.app.zone), district).await,
                |rows| {
                    AuditEvent::consultation("person", rows.iter().map(|r| r.episode.person_id.0))
                },
            )
            .await?;
        let rows = q::summary(tx.conn(), month.range(&ctx.app.zone)).await?;
        let summary = who.lines(rows, district, |r, who| FirstTimeLine {
            district_id: r.district_id,
            children: who.count(r.children),
            looked_after: who.led_by(r.children, r.looked_after),
        });
        Ok(FirstTime {
            month,
            children,
            summary,
            suppress_below: who.suppress_below(),
        })
    })
}
