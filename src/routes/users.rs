//! `/users`: user administration (admin only).

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{created, page_limit, versioned, IfMatch};
use super::types::{double_option, FieldErrors, Page};
use crate::domain::accounts::{DisplayName, Email, Role};
use crate::domain::password_policy::NewPassword;
use crate::error::{AppError, Problem};
use crate::ids::{AgencyId, DistrictId, UserId};
use crate::services::context::Ctx;
use crate::services::users::{UserFilter, UserRow};
use crate::services::{self, users::CreateUser, users::UpdateUser};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    #[schema(example = "pc.smith@westyorkshire.police.uk")]
    pub email: String,
    #[schema(example = "PC 1234 Smith")]
    pub display_name: String,
    pub role: Role,
    pub district_id: Option<DistrictId>,
    pub agency_id: Option<AgencyId>,
    /// At least 12 characters; common passwords are refused.
    #[schema(format = Password)]
    pub password: String,
}

impl TryFrom<CreateUserRequest> for CreateUser {
    type Error = AppError;
    fn try_from(r: CreateUserRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let email = f.check("email", Email::parse(&r.email));
        let display_name = f.check("display_name", DisplayName::parse(&r.display_name));
        let password = f.check("password", NewPassword::parse(&r.password, &r.email));
        let input = (|| {
            Some(CreateUser {
                email: email?,
                display_name: display_name?,
                role: r.role,
                district_id: r.district_id,
                agency_id: r.agency_id,
                password: password?,
            })
        })();
        f.done(input)
    }
}

/// Only the fields present change; `null` clears `district_id` / `agency_id`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Uuid, nullable)]
    pub district_id: Option<Option<DistrictId>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Uuid, nullable)]
    pub agency_id: Option<Option<AgencyId>>,
    pub active: Option<bool>,
    /// Resets the password (and ends the user's sessions).
    #[schema(format = Password)]
    pub password: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    pub role: Option<Role>,
    pub district_id: Option<DistrictId>,
    pub active: Option<bool>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<UserId>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// List users.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])), params(UserQuery), responses(
    (status = 200, body = Page<UserRow>),
))]
#[tracing::instrument(name = "http::users::list", skip_all)]
pub async fn list(ctx: Ctx, query: web::Query<UserQuery>) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let filter = UserFilter {
        role: q.role,
        district_id: q.district_id,
        active: q.active,
        after: q.cursor,
    };
    let rows = services::users::list(&ctx, filter, limit).await?;
    let items = rows;
    Ok(HttpResponse::Ok().json(Page::new(items, limit, |u: &UserRow| u.id.to_string())))
}

/// Create a user.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])), request_body = CreateUserRequest, responses(
    (status = 201, body = UserRow, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::users::create", skip_all)]
pub async fn create(
    ctx: Ctx,
    body: web::Json<CreateUserRequest>,
) -> Result<HttpResponse, AppError> {
    let input = CreateUser::try_from(body.into_inner())?;
    let row = services::users::create(&ctx, input).await?;
    Ok(created(
        format!("/api/v1/users/{}", row.id),
        row.version,
        row,
    ))
}

/// Read a user.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "User id")), responses(
    (status = 200, body = UserRow, headers(("ETag" = String))),
))]
#[tracing::instrument(name = "http::users::get", skip_all)]
pub async fn get(ctx: Ctx, id: web::Path<UserId>) -> Result<HttpResponse, AppError> {
    let row = services::users::get(&ctx, id.into_inner()).await?;
    Ok(versioned(actix_web::http::StatusCode::OK, row.version, row))
}

/// Update a user (send `If-Match`). Role, district, agency, password or deactivation
/// changes end the user's sessions at once.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "User id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = UpdateUserRequest, responses(
    (status = 200, body = UserRow, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::users::update", skip_all)]
pub async fn update(
    ctx: Ctx,
    id: web::Path<UserId>,
    if_match: IfMatch,
    body: web::Json<UpdateUserRequest>,
) -> Result<HttpResponse, AppError> {
    let r = body.into_inner();
    let mut f = FieldErrors::new();
    let display_name = r
        .display_name
        .as_deref()
        .and_then(|v| f.check("display_name", DisplayName::parse(v)));
    // The email-name rule needs the account's email: the service checks it again.
    let password = r
        .password
        .as_deref()
        .and_then(|p| f.check("password", NewPassword::parse(p, "")));
    f.done(Some(()))?;
    let input = UpdateUser {
        display_name,
        role: r.role,
        district_id: r.district_id,
        agency_id: r.agency_id,
        active: r.active,
        password,
    };
    let row = services::users::update(&ctx, id.into_inner(), if_match.0, input).await?;
    Ok(versioned(actix_web::http::StatusCode::OK, row.version, row))
}

/// Deactivate a user (accounts are kept for the audit trail).
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "User id")), responses(
    (status = 204, description = "Deactivated"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::users::deactivate", skip_all)]
pub async fn deactivate(ctx: Ctx, id: web::Path<UserId>) -> Result<HttpResponse, AppError> {
    services::users::deactivate(&ctx, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, ToSchema)]
pub struct PasswordResetResponse {
    /// Shown once: pass it to the user by another channel (not the account's email).
    /// The account can do nothing but change it.
    #[schema(example = "k7qm-2xhp-9cwt-4nvb-r8dz")]
    pub temporary_password: String,
    pub user: UserRow,
}

/// Force a password reset: a temporary password, every session of the account ended,
/// and nothing allowed until the user has changed it (`POST /api/v1/me/password`).
#[utoipa::path(post, path = "/api/v1/users/{id}/password-reset", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "User id")), responses(
    (status = 200, body = PasswordResetResponse),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::users::reset_password", skip_all)]
pub async fn reset_password(ctx: Ctx, id: web::Path<UserId>) -> Result<HttpResponse, AppError> {
    use secrecy::ExposeSecret;
    let (user, temporary) = services::users::reset_password(&ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(PasswordResetResponse {
        temporary_password: temporary.expose_secret().to_owned(),
        user,
    }))
}
