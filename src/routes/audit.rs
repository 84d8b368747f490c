//! `/audit`: the audit log and its chain check (admin only).

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::extract::{check_code, check_time, page_limit};
use super::types::Page;
use crate::domain::audit::Operation;
use crate::error::{AppError, Problem};
use crate::ids::UserId;
use crate::services;
use crate::services::audit::{AuditFilter, AuditRow, Checkpoint};
use crate::services::context::Ctx;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub actor_id: Option<UserId>,
    pub operation: Option<Operation>,
    pub record_type: Option<String>,
    pub record_id: Option<Uuid>,
    /// Entries at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Entries before this time.
    pub to: Option<DateTime<Utc>>,
    /// `next_cursor` from the previous page (newest first).
    pub cursor: Option<i64>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ChainReportResponse {
    /// Whether every entry links correctly to the one before and the chain agrees with
    /// every signed checkpoint.
    pub valid: bool,
    /// Entries checked before the first broken link (all of them when valid).
    pub checked: i64,
    pub head_seq: i64,
    /// The first entry whose link is broken.
    pub first_broken_seq: Option<i64>,
    /// What is wrong: the chain's own first broken link, else the first checkpoint the
    /// chain disagrees with.
    pub reason: Option<String>,
    /// The chain compared with the signed checkpoints kept outside the database; `null`
    /// when this service keeps none.
    pub checkpoints: Option<CheckpointReport>,
}

/// How the chain compares with the checkpoints signed with a key the database never
/// holds: a chain rewritten and re-hashed to check out against itself still disagrees
/// with a checkpoint signed before the rewrite.
#[derive(Serialize, ToSchema)]
pub struct CheckpointReport {
    pub valid: bool,
    /// Checkpoints that verified and matched the chain.
    pub checked: usize,
    pub latest_seq: Option<i64>,
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub latest_signed_at: Option<DateTime<Utc>>,
    /// Entries up to here match a checkpoint (0: none is known good).
    pub intact_through_seq: Option<i64>,
    /// An entry at or before this one was rewritten or removed after it was signed
    /// (`null` when the checkpoint file itself is at fault: a line that is not a
    /// checkpoint, or whose signature fails).
    pub rewritten_by_seq: Option<i64>,
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CheckpointsResponse {
    /// Base64 of the raw Ed25519 public key that verifies them (empty when none are kept).
    pub public_key: String,
    /// Newest first. Each signs `homeward-audit-checkpoint/v1\nseq=<seq>\nhead_hash=<head_hash>\nsigned_at=<RFC 3339, microseconds, Z>\n`.
    pub items: Vec<Checkpoint>,
}

/// List audit entries, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])), params(AuditQuery), responses(
    (status = 200, body = Page<AuditRow>),
))]
#[tracing::instrument(name = "http::audit::list", skip_all)]
pub async fn list(ctx: Ctx, query: web::Query<AuditQuery>) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    check_time("from", q.from)?;
    check_time("to", q.to)?;
    if let Some(rt) = &q.record_type {
        check_code(rt).map_err(|m| AppError::field("record_type", m))?;
    }
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if from >= to {
            return Err(AppError::field("from", "must be before `to`"));
        }
    }
    let filter = AuditFilter {
        actor_id: q.actor_id,
        operation: q.operation,
        record_type: q.record_type,
        record_id: q.record_id,
        from: q.from,
        to: q.to,
        before_seq: q.cursor,
    };
    let rows = services::audit::list(&ctx, filter, limit).await?;
    let items = rows;
    Ok(HttpResponse::Ok().json(Page::new(items, limit, |e: &AuditRow| e.seq.to_string())))
}

/// Re-hash the whole chain, compare it with the signed checkpoints, and report the first
/// broken link or rewritten stretch, if any.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", security(("bearer" = [])), responses(
    (status = 200, body = ChainReportResponse),
))]
#[tracing::instrument(name = "http::audit::verify", skip_all)]
pub async fn verify(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let services::audit::Verification { chain, anchor } = services::audit::verify(&ctx).await?;
    let checkpoints = anchor.map(|a| CheckpointReport {
        valid: a.problem.is_none(),
        checked: a.checked,
        latest_seq: a.latest.map(|l| l.0),
        latest_signed_at: a.latest.map(|l| l.1),
        intact_through_seq: a.problem.as_ref().map(|p| p.intact_through_seq),
        rewritten_by_seq: a.problem.as_ref().and_then(|p| p.rewritten_by_seq),
        reason: a.problem.map(|p| p.reason),
    });
    let anchored = checkpoints.as_ref().is_none_or(|c| c.valid);
    Ok(HttpResponse::Ok().json(ChainReportResponse {
        valid: chain.broken_seq.is_none() && anchored,
        checked: chain.checked,
        head_seq: chain.head_seq,
        first_broken_seq: chain.broken_seq,
        reason: chain
            .reason
            .or_else(|| checkpoints.as_ref().and_then(|c| c.reason.clone())),
        checkpoints,
    }))
}

/// Sign a checkpoint of the chain now (they are also signed periodically): its length
/// and head hash, signed with a key the database never holds, appended to a file outside
/// the database and written to the service log.
#[utoipa::path(post, path = "/api/v1/audit/checkpoints", tag = "audit", security(("bearer" = [])), responses(
    (status = 201, body = Checkpoint),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::audit::checkpoint", skip_all)]
pub async fn checkpoint(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let cp = services::audit::checkpoint(&ctx).await?;
    Ok(HttpResponse::Created().json(cp))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CheckpointsQuery {
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// The signed checkpoints, newest first, with the public key that verifies them.
#[utoipa::path(get, path = "/api/v1/audit/checkpoints", tag = "audit", security(("bearer" = [])), params(CheckpointsQuery), responses(
    (status = 200, body = CheckpointsResponse),
))]
#[tracing::instrument(name = "http::audit::checkpoints", skip_all)]
pub async fn checkpoints(
    ctx: Ctx,
    query: web::Query<CheckpointsQuery>,
) -> Result<HttpResponse, AppError> {
    let limit = usize::try_from(page_limit(query.limit)?).unwrap_or(50);
    let (public_key, items) = services::audit::checkpoints(&ctx, limit).await?;
    Ok(HttpResponse::Ok().json(CheckpointsResponse { public_key, items }))
}
