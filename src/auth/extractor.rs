//! `Bearer`: the verified claims of the request's access token. Only the signature and
//! claims are checked here; the account and session are checked in the request's
//! transaction (`db::Tx::begin_authenticated`), so revocation takes effect at once.

use std::future::{ready, Ready};

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};

use super::jwt::AccessClaims;
use crate::error::AppError;
use crate::startup::AppState;

#[derive(Debug, Clone)]
pub struct Bearer(pub AccessClaims);

impl FromRequest for Bearer {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(extract(req))
    }
}

pub fn extract(req: &HttpRequest) -> Result<Bearer, AppError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::internal(std::io::Error::other("application state missing")))?;
    let token = bearer_token(req)?;
    state
        .jwt
        .verify(token)
        .map(Bearer)
        .ok_or(AppError::Unauthenticated(
            "the access token is invalid or has expired",
        ))
}

/// The token of an `Authorization: Bearer <token>` header (not yet verified).
pub fn bearer_token(req: &HttpRequest) -> Result<&str, AppError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(AppError::Unauthenticated(
            "send an access token as `Authorization: Bearer <token>`",
        ))?;
    value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or(AppError::Unauthenticated(
            "the Authorization header must use the Bearer scheme",
        ))
}
