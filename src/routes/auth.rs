//! `/auth/*` and `/me`.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::Meta;
use crate::error::{AppError, Problem};
use crate::services::context::Ctx;
use crate::services::users::UserRow;
use crate::services::{self, auth::Tokens};
use crate::startup::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "mfhc.leeds@demo.homeward.invalid")]
    pub email: String,
    #[schema(value_type = String, format = Password, example = "demo-password-mfhc")]
    pub password: SecretString,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer <token>`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Single use: exchange it at `/auth/refresh` for a new pair.
    pub refresh_token: String,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub refresh_expires_at: DateTime<Utc>,
}

impl From<Tokens> for TokenResponse {
    fn from(t: Tokens) -> Self {
        TokenResponse {
            access_token: t.access_token,
            token_type: "Bearer",
            expires_in: t.expires_in,
            refresh_token: t.refresh_token,
            refresh_expires_at: t.refresh_expires_at,
        }
    }
}

/// Log in with email and password.
///
/// Unknown accounts, wrong passwords and deactivated accounts all get the same 401.
/// Repeated failures for an account or from an address are throttled (429 with Retry-After).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 429, body = Problem, content_type = "application/problem+json",
     headers(("Retry-After" = u64, description = "Seconds to wait"))),
))]
#[tracing::instrument(name = "http::auth::login", skip_all)]
pub async fn login(
    state: web::Data<AppState>,
    meta: Meta,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let LoginRequest { email, password } = body.into_inner();
    let tokens =
        services::auth::login(&state, meta.audit, &meta.client_addr, &email, password).await?;
    Ok(no_store(HttpResponse::Ok()).json(TokenResponse::from(tokens)))
}

/// Exchange a refresh token for a new token pair (the old one stops working).
///
/// Presenting a refresh token that was already used ends its whole session.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::auth::refresh", skip_all)]
pub async fn refresh(
    state: web::Data<AppState>,
    meta: Meta,
    body: web::Json<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    let tokens = services::auth::refresh(&state, meta.audit, &body.refresh_token).await?;
    Ok(no_store(HttpResponse::Ok()).json(TokenResponse::from(tokens)))
}

/// End the current session: its access and refresh tokens stop working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])), extensions(("x-any-account" = json!(true))), responses(
    (status = 204, description = "Logged out"),
))]
#[tracing::instrument(name = "http::auth::logout", skip_all)]
pub async fn logout(ctx: Ctx) -> Result<HttpResponse, AppError> {
    services::auth::logout(&ctx).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])), extensions(("x-any-account" = json!(true))), responses(
    (status = 200, body = UserRow),
))]
#[tracing::instrument(name = "http::auth::me", skip_all)]
pub async fn me(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let row = services::users::me(&ctx).await?;
    Ok(HttpResponse::Ok().json(row))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeRequest {
    #[schema(value_type = String, format = Password)]
    pub current_password: SecretString,
    /// At least 12 characters, not a common or predictable password, not containing the
    /// account's email name, and not the current password.
    #[schema(value_type = String, format = Password)]
    pub new_password: SecretString,
}

/// Change the caller's own password.
///
/// The current password is required. Every other session of the account ends (this
/// one goes on). After an administrator's reset this is the one thing the account may
/// do. Wrong current passwords are throttled like logins (429 with Retry-After).
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", request_body = PasswordChangeRequest, security(("bearer" = [])), extensions(("x-any-account" = json!(true))), responses(
    (status = 204, description = "Changed; the account's other sessions have ended"),
))]
#[tracing::instrument(name = "http::auth::change_password", skip_all)]
pub async fn change_password(
    ctx: Ctx,
    body: web::Json<PasswordChangeRequest>,
) -> Result<HttpResponse, AppError> {
    let PasswordChangeRequest {
        current_password,
        new_password,
    } = body.into_inner();
    services::auth::change_password(
        &ctx,
        services::auth::PasswordChange {
            current: current_password,
            new: new_password,
        },
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

fn no_store(mut b: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    b.insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"));
    b
}
