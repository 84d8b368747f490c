//! Reading and verifying the audit log (admin only). Reading it is itself audited.

use crate::auth::Bearer;
use crate::db::audit::{self as q, AuditFilter, AuditRow, ChainReport};
use crate::db::AuditContext;
use crate::domain::audit::AuditEvent;
use crate::error::AppError;
use crate::startup::AppState;

pub async fn list(
    state: &AppState,
    bearer: &Bearer,
    audit: AuditContext,
    filter: AuditFilter,
    limit: i64,
) -> Result<Vec<AuditRow>, AppError> {
    crate::in_tx_as!(state, bearer, audit, |tx| {
        tx.caller()?.require_admin()?;
        let rows = q::list(tx.conn(), &filter, limit).await?;
        tx.audit(AuditEvent::consultation("audit_log", []));
        Ok(rows)
    })
}

pub async fn verify(
    state: &AppState,
    bearer: &Bearer,
    audit: AuditContext,
) -> Result<ChainReport, AppError> {
    crate::in_tx_as!(state, bearer, audit, |tx| {
        tx.caller()?.require_admin()?;
        Ok(q::verify(tx.conn()).await?)
    })
}
