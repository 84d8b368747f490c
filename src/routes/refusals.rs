//! The security event a refusal leaves (issue 20): a signed-in caller answered 403, or
//! 404 for a path naming a record that exists (outside the caller's policies), is
//! recorded with who, from where, the route, the record and the request id. Wraps the
//! API's resources and the web pages alike; the session is the one the request's
//! context was built from.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};

use crate::domain::security::{record_table, refusal_kind};
use crate::error::AppError;
use crate::request_id::RequestId;
use crate::services;
use crate::services::context::Session;
use crate::services::security::NewSecurityEvent;
use crate::startup::AppState;

#[tracing::instrument(name = "http::refusals::record", skip_all)]
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let res = next.call(req).await?;
    let status = res.status().as_u16();
    if status != 403 && status != 404 {
        return Ok(res);
    }
    let Some(session) = res.request().extensions().get::<Session>().copied() else {
        return Ok(res);
    };
    let request = res.request();
    let record_id = request
        .match_info()
        .get("id")
        .and_then(|id| uuid::Uuid::parse_str(id).ok());
    // Not refusals of what the caller may do: a password to change first, or a record
    // restricted until a reason is stated (issue 19).
    let explained = res
        .response()
        .error()
        .and_then(|e| e.as_error::<AppError>())
        .is_some_and(|e| {
            matches!(
                e,
                AppError::PasswordChangeRequired | AppError::Restricted(_)
            )
        });
    let Some(kind) = refusal_kind(status, record_id.is_some(), explained) else {
        return Ok(res);
    };
    let Some(state) = request.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(res);
    };
    let route = request
        .match_pattern()
        .unwrap_or_else(|| request.path().to_owned());
    let event = NewSecurityEvent {
        kind,
        account: Some(session.user),
        email: None,
        address: super::extract::client_addr(request),
        method: request.method().to_string(),
        table: record_table(&route),
        route,
        record_id,
        request_id: RequestId::of(request),
        status,
    };
    // After the answer has gone: its timing must not tell whether the record exists.
    actix_web::rt::spawn(async move { services::security::refusal(&state, session, event).await });
    Ok(res)
}
