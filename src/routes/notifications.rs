//! `/notifications`: the outbox as administrators see it (status, attempts, last error),
//! retrying dead letters, previewing templates; `/me/preferences`: opting out of digests.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::extract::page_limit;
use super::types::{parse_time_cursor, time_cursor, Page};
use crate::domain::notify::{DeliveryStatus, Event};
use crate::error::{AppError, Problem};
use crate::services;
use crate::services::context::Ctx;
use crate::services::notifications::{OutboxFilter, OutboxRow};

#[derive(Serialize, ToSchema)]
pub struct NotificationResponse {
    #[serde(flatten)]
    pub message: OutboxRow,
    /// The short reference a dead-letter email shows (`MSG-…`); the list's `reference`
    /// filter.
    pub reference: String,
}

impl From<OutboxRow> for NotificationResponse {
    fn from(r: OutboxRow) -> Self {
        NotificationResponse {
            reference: crate::domain::references::short_ref(
                crate::domain::references::RefKind::Notification,
                r.id,
            ),
            message: r,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    pub status: Option<DeliveryStatus>,
    pub event: Option<Event>,
    pub recipient: Option<String>,
    #[param(value_type = Option<String>, format = Uuid)]
    pub record_id: Option<Uuid>,
    /// The short reference an email showed, e.g. `MSG-…`.
    pub reference: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// The outbox, newest first (admins).
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", security(("bearer" = [])), params(NotificationQuery), responses(
    (status = 200, body = Page<NotificationResponse>),
))]
#[tracing::instrument(name = "http::notifications::list", skip_all)]
pub async fn list(
    ctx: Ctx,
    query: web::Query<NotificationQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let filter = OutboxFilter {
        status: q.status,
        event: q.event,
        recipient: q.recipient,
        record_id: q.record_id,
        reference: super::types::reference_param(
            crate::domain::references::RefKind::Notification,
            q.reference,
        )?,
        before: q.cursor.as_deref().map(parse_time_cursor).transpose()?,
    };
    let rows = services::notifications::list(&ctx, filter, limit).await?;
    let items = rows.into_iter().map(NotificationResponse::from).collect();
    Ok(
        HttpResponse::Ok().json(Page::new(items, limit, |n: &NotificationResponse| {
            time_cursor(n.message.created_at, n.message.id)
        })),
    )
}

/// One notification (admins).
#[utoipa::path(get, path = "/api/v1/notifications/{id}", tag = "notifications", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Notification id")), responses(
    (status = 200, body = NotificationResponse),
))]
#[tracing::instrument(name = "http::notifications::get", skip_all)]
pub async fn get(ctx: Ctx, id: web::Path<Uuid>) -> Result<HttpResponse, AppError> {
    let row = services::notifications::get(&ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(NotificationResponse::from(row)))
}

/// Put a dead-lettered notification back in the queue (admins).
#[utoipa::path(post, path = "/api/v1/notifications/{id}/retry", tag = "notifications", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Notification id")), responses(
    (status = 200, body = NotificationResponse),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::notifications::retry", skip_all)]
pub async fn retry(ctx: Ctx, id: web::Path<Uuid>) -> Result<HttpResponse, AppError> {
    let row = services::notifications::retry(&ctx, id.into_inner()).await?;
    Ok(HttpResponse::build(StatusCode::OK).json(NotificationResponse::from(row)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    pub event: Event,
}

#[derive(Serialize, ToSchema)]
pub struct PreviewResponse {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A template rendered with sample values (admins).
#[utoipa::path(get, path = "/api/v1/notifications/preview", tag = "notifications", security(("bearer" = [])), params(PreviewQuery), responses(
    (status = 200, body = PreviewResponse),
))]
#[tracing::instrument(name = "http::notifications::preview", skip_all)]
pub async fn preview(ctx: Ctx, query: web::Query<PreviewQuery>) -> Result<HttpResponse, AppError> {
    let r = services::notifications::preview(&ctx, query.event).await?;
    Ok(HttpResponse::Ok().json(PreviewResponse {
        subject: r.subject,
        text: r.text,
        html: r.html,
    }))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// The daily digest (alerts cannot be turned off).
    pub daily_digest: bool,
}

/// The caller's notification preferences.
#[utoipa::path(get, path = "/api/v1/me/preferences", tag = "auth", security(("bearer" = [])), extensions(("x-any-account" = json!(true))), responses(
    (status = 200, body = Preferences),
))]
#[tracing::instrument(name = "http::notifications::get_preferences", skip_all)]
pub async fn get_preferences(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let daily_digest = services::notifications::digest_preference(&ctx, None).await?;
    Ok(HttpResponse::Ok().json(Preferences { daily_digest }))
}

/// Opt in or out of the daily digest.
#[utoipa::path(put, path = "/api/v1/me/preferences", tag = "auth", security(("bearer" = [])), extensions(("x-any-account" = json!(true))),
    request_body = Preferences, responses(
    (status = 200, body = Preferences),
))]
#[tracing::instrument(name = "http::notifications::put_preferences", skip_all)]
pub async fn put_preferences(
    ctx: Ctx,
    body: web::Json<Preferences>,
) -> Result<HttpResponse, AppError> {
    let daily_digest =
        services::notifications::digest_preference(&ctx, Some(body.daily_digest)).await?;
    Ok(HttpResponse::Ok().json(Preferences { daily_digest }))
}
