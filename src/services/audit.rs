//! Reading and verifying the audit log (admin only). Reading it is itself audited.
//! Requests queue their audit rows; the sealer below moves them onto the hash chain, and
//! reading or verifying the log seals first, so it always shows everything committed.

pub use crate::db::audit::{AuditFilter, AuditRow};
use std::time::Duration;

use tokio::sync::watch;

use crate::db::audit::{self as q, ChainReport};
use crate::db::Pool;
use crate::domain::audit::AuditEvent;
use crate::error::AppError;
use crate::services::context::Ctx;

#[tracing::instrument(name = "services::audit::list", skip_all)]
pub async fn list(ctx: &Ctx, filter: AuditFilter, limit: i64) -> Result<Vec<AuditRow>, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        q::seal_all(tx.conn()).await?;
        let rows = q::list(tx.conn(), &filter, limit).await?;
        tx.audit(AuditEvent::consultation("audit_log", []));
        Ok(rows)
    })
}

#[tracing::instrument(name = "services::audit::verify", skip_all)]
pub async fn verify(ctx: &Ctx) -> Result<ChainReport, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        q::seal_all(tx.conn()).await?;
        Ok(q::verify(tx.conn()).await?)
    })
}

/// Seals the queue onto the chain until `stop`: at once again after a full batch, else
/// after `every` (see [`super::repeat_until_stopped`]).
pub async fn seal_continuously(pool: Pool, every: Duration, stop: watch::Receiver<bool>) {
    super::repeat_until_stopped("sealing the audit queue", every, stop, || async {
        let mut conn = pool.get().await?;
        Ok(q::seal(&mut conn, q::SEAL_BATCH).await? == q::SEAL_BATCH)
    })
    .await
}
