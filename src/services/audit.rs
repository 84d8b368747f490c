//! Reading and verifying the audit log (admin only). Reading it is itself audited.
//! Requests queue their audit rows; the sealer below moves them onto the hash chain, and
//! reading or verifying the log seals first, so it always shows everything committed.

pub use crate::audit_anchor::Checkpoint;
pub use crate::db::audit::{AuditFilter, AuditRow};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;

use crate::audit_anchor::{self, AnchorReport, AuditAnchor, Line};

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

/// The chain checked against itself and against the signed checkpoints.
#[derive(Debug)]
pub struct Verification {
    pub chain: ChainReport,
    /// `None` when this service keeps no checkpoints.
    pub anchor: Option<AnchorReport>,
}

/// Re-hashes the chain in the database, then compares it with every signed checkpoint
/// kept outside it: a chain rewritten and re-hashed consistently still disagrees with a
/// checkpoint signed before the rewrite.
#[tracing::instrument(name = "services::audit::verify", skip_all)]
pub async fn verify(ctx: &Ctx) -> Result<Verification, AppError> {
    let anchor = ctx.app.audit_anchor.clone();
    let checkpoints = match &anchor {
        Some(a) => Some(read_checkpoints(a).await?),
        None => None,
    };
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        q::seal_all(tx.conn()).await?;
        let chain = q::verify(tx.conn()).await?;
        let anchor = match (&anchor, checkpoints) {
            (Some(a), Some(cps)) => {
                let mut seqs: Vec<i64> = cps
                    .iter()
                    .filter_map(|l| match l {
                        Line::Checkpoint(c) => Some(c.seq),
                        Line::Unreadable(_) => None,
                    })
                    .collect();
                seqs.sort_unstable();
                seqs.dedup();
                let hashes: HashMap<i64, Vec<u8>> =
                    q::hashes_at(tx.conn(), &seqs).await?.into_iter().collect();
                Some(audit_anchor::check(&cps, &a.public_key(), |s| {
                    hashes.get(&s).cloned()
                }))
            }
            _ => None,
        };
        Ok(Verification { chain, anchor })
    })
}

async fn read_checkpoints(a: &Arc<AuditAnchor>) -> Result<Vec<Line>, AppError> {
    let a = a.clone();
    tokio::task::spawn_blocking(move || a.read())
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
}

/// Seals what is queued, then signs the chain's head and appends the checkpoint to the
/// file outside the database (and the log). Background work and administrators alike.
#[tracing::instrument(name = "services::audit::sign_head", skip_all)]
async fn sign_head(pool: &Pool, anchor: &Arc<AuditAnchor>) -> Result<Checkpoint, AppError> {
    let mut conn = pool.get().await?;
    q::seal_all(&mut conn).await?;
    let head = q::head(&mut conn).await?;
    drop(conn);
    let cp = anchor.sign(head.seq, &head.hash, Utc::now());
    let a = anchor.clone();
    let line = cp.clone();
    tokio::task::spawn_blocking(move || a.append(&line))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    tracing::info!(
        seq = cp.seq,
        head_hash = %cp.head_hash,
        signed_at = %cp.signed_at,
        key_id = %cp.key_id,
        signature = %cp.signature,
        "audit checkpoint signed"
    );
    Ok(cp)
}

/// Signs a checkpoint now (administrators; e.g. before and after maintenance).
#[tracing::instrument(name = "services::audit::checkpoint", skip_all)]
pub async fn checkpoint(ctx: &Ctx) -> Result<Checkpoint, AppError> {
    let anchor = ctx.app.audit_anchor.clone().ok_or_else(|| {
        AppError::Conflict("this service keeps no audit checkpoints (no signing key)".into())
    })?;
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        Ok(())
    })?;
    sign_head(&ctx.app.db, &anchor).await
}

/// The signed checkpoints, newest first, and the key that verifies them (administrators).
#[tracing::instrument(name = "services::audit::checkpoints", skip_all)]
pub async fn checkpoints(ctx: &Ctx, limit: usize) -> Result<(String, Vec<Checkpoint>), AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        Ok(())
    })?;
    let Some(anchor) = ctx.app.audit_anchor.clone() else {
        return Ok((String::new(), Vec::new()));
    };
    let mut all: Vec<Checkpoint> = read_checkpoints(&anchor)
        .await?
        .into_iter()
        .filter_map(|l| match l {
            Line::Checkpoint(c) => Some(c),
            Line::Unreadable(_) => None,
        })
        .collect();
    all.reverse();
    all.truncate(limit);
    Ok((anchor.public_key_base64(), all))
}

/// Signs a checkpoint every `every` until `stop` (and once more as it stops).
#[tracing::instrument(name = "services::audit::checkpoint_continuously", skip_all)]
pub async fn checkpoint_continuously(
    pool: Pool,
    anchor: Arc<AuditAnchor>,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        if let Err(e) = sign_head(&pool, &anchor).await {
            tracing::warn!(error = %e, "signing an audit checkpoint failed; retrying at the next");
        }
        if *stop.borrow() {
            break;
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => {}
        }
    }
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
