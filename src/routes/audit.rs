//! `/audit`: the audit log and its chain check (admin only).

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::extract::{check_code, check_time, page_limit};
use super::types::Page;
use crate::domain::audit::Operation;
use crate::error::AppError;
use crate::ids::UserId;
use crate::services;
use crate::services::audit::{AuditFilter, AuditRow};
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
    /// Whether every entry links correctly to the one before.
    pub valid: bool,
    /// Entries checked before the first broken link (all of them when valid).
    pub checked: i64,
    pub head_seq: i64,
    /// The first entry whose link is broken.
    pub first_broken_seq: Option<i64>,
    pub reason: Option<String>,
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

/// Re-hash the whole chain and report the first broken link, if any.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit", security(("bearer" = [])), responses(
    (status = 200, body = ChainReportResponse),
))]
#[tracing::instrument(name = "http::audit::verify", skip_all)]
pub async fn verify(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let r = services::audit::verify(&ctx).await?;
    Ok(HttpResponse::Ok().json(ChainReportResponse {
        valid: r.broken_seq.is_none(),
        checked: r.checked,
        head_seq: r.head_seq,
        first_broken_seq: r.broken_seq,
        reason: r.reason,
    }))
}
