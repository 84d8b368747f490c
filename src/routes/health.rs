//! Liveness and readiness probes.

use actix_web::{web, HttpResponse};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::startup::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200, body = Health)))]
#[tracing::instrument(name = "http::health::health", skip_all)]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers.
#[utoipa::path(get, path = "/ready", tag = "health", responses(
    (status = 200, body = Health),
    (status = 503, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::health::ready", skip_all)]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let mut conn = state.db.get().await?;
    diesel::sql_query("SELECT 1")
        .execute(&mut *conn)
        .await
        .map_err(|_| AppError::Unavailable("the database is not answering".into()))?;
    Ok(HttpResponse::Ok().json(Health { status: "ready" }))
}
