//! The administrators' view of the outbox (status, attempts, last error; retry a dead
//! letter; preview a template) and each user's digest preference.

use crate::db::outbox as q;
pub use crate::db::outbox::{OutboxFilter, OutboxRow};
use crate::domain::audit::AuditEvent;
use crate::domain::notify::{render, Event, Rendered};
use crate::error::AppError;
use crate::services::context::Ctx;

const NOTIFICATION: &str = "notification";

#[tracing::instrument(name = "services::notifications::list", skip_all)]
pub async fn list(ctx: &Ctx, filter: OutboxFilter, limit: i64) -> Result<Vec<OutboxRow>, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        Ok(q::list(tx.conn(), &filter, limit).await?)
    })
}

#[tracing::instrument(name = "services::notifications::get", skip_all)]
pub async fn get(ctx: &Ctx, id: uuid::Uuid) -> Result<OutboxRow, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        q::find(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound("no such notification"))
    })
}

/// Puts a dead letter back in the queue (attempts start again).
#[tracing::instrument(name = "services::notifications::retry", skip_all)]
pub async fn retry(ctx: &Ctx, id: uuid::Uuid) -> Result<OutboxRow, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        let current = q::find(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound("no such notification"))?;
        let row = q::retry(tx.conn(), id).await?.ok_or_else(|| {
            AppError::Conflict(format!(
                "only a dead-lettered notification is retried; this one is {}",
                current.status
            ))
        })?;
        tx.audit(AuditEvent::alteration(NOTIFICATION, id));
        Ok(row)
    })
}

/// A template rendered with sample values (admins).
#[tracing::instrument(name = "services::notifications::preview", skip_all)]
pub async fn preview(ctx: &Ctx, event: Event) -> Result<Rendered, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        Ok(render(&crate::notify::notice(
            event,
            "LDS-2026-000123".into(),
            "what happened, in the service's words",
            "what the recipient must do",
            Some(chrono::Utc::now() + chrono::Duration::hours(72)),
            ctx.app
                .links
                .to("episodes/00000000-0000-0000-0000-000000000000"),
        )))
    })
}

/// Whether the caller takes the daily digest.
#[tracing::instrument(name = "services::notifications::digest_preference", skip_all)]
pub async fn digest_preference(ctx: &Ctx, set: Option<bool>) -> Result<bool, AppError> {
    crate::in_tx!(ctx, |tx| {
        let me = tx.caller()?.user_id;
        if let Some(on) = set {
            q::set_digest(tx.conn(), me, on).await?;
        }
        Ok(q::takes_digest(tx.conn(), me).await?)
    })
}
