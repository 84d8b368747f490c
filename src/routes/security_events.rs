//! `/security-events`: failed sign-ins and refused access (admin only).

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use super::extract::{check_time, page_limit};
use super::types::Page;
use crate::domain::accounts::Email;
use crate::domain::security::SecurityEventKind;
use crate::error::AppError;
use crate::ids::UserId;
use crate::services;
use crate::services::context::Ctx;
use crate::services::security::{SecurityEventFilter, SecurityEventRow};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SecurityEventQuery {
    pub kind: Option<SecurityEventKind>,
    /// The caller refused, or the account a failed sign-in named.
    pub account_id: Option<UserId>,
    /// Failed sign-ins that gave this email (matched by its digest; the email is not kept).
    pub email: Option<String>,
    /// The client's address, exactly.
    pub address: Option<String>,
    /// Events at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Events before this time.
    pub to: Option<DateTime<Utc>>,
    /// `next_cursor` from the previous page (newest first).
    pub cursor: Option<i64>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// List security events, newest first: failed and throttled sign-ins, and signed-in
/// callers refused (403) or told a record that exists is not found (404).
#[utoipa::path(get, path = "/api/v1/security-events", tag = "audit", security(("bearer" = [])), params(SecurityEventQuery), responses(
    (status = 200, body = Page<SecurityEventRow>),
))]
#[tracing::instrument(name = "http::security_events::list", skip_all)]
pub async fn list(
    ctx: Ctx,
    query: web::Query<SecurityEventQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    check_time("from", q.from)?;
    check_time("to", q.to)?;
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if from >= to {
            return Err(AppError::field("from", "must be before `to`"));
        }
    }
    let email = q
        .email
        .as_deref()
        .map(Email::parse)
        .transpose()
        .map_err(|m| AppError::field("email", m))?;
    if let Some(a) = &q.address {
        if a.len() > 64 || a.chars().any(char::is_control) {
            return Err(AppError::field(
                "address",
                "must be an address of at most 64 characters",
            ));
        }
    }
    let filter = SecurityEventFilter {
        kind: q.kind,
        account_id: q.account_id,
        email: email.map(Email::into_inner),
        address: q.address,
        from: q.from,
        to: q.to,
        before_id: q.cursor,
    };
    let rows = services::security::list(&ctx, filter, limit).await?;
    Ok(
        HttpResponse::Ok().json(Page::new(rows, limit, |e: &SecurityEventRow| {
            e.id.to_string()
        })),
    )
}
