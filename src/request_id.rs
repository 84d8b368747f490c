//! Request ids and the request log: each request gets an id, returned as `X-Request-Id`,
//! stored in the audit log, and quoted in 5xx problem bodies.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::HttpMessage;

tokio::task_local! {
    static REQUEST_ID: String;
}

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being handled on this task, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Stored in request extensions for extractors.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = uuid::Uuid::now_v7().simple().to_string();
    req.extensions_mut().insert(RequestId(id.clone()));
    let (method, path) = (req.method().clone(), req.path().to_owned());
    let started = Instant::now();
    let result = REQUEST_ID.scope(id.clone(), next.call(req)).await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    match result {
        Ok(mut res) => {
            if let Ok(v) = HeaderValue::from_str(&id) {
                res.headers_mut().insert(HEADER, v);
            }
            tracing::info!(request_id = %id, %method, %path, status = res.status().as_u16(), elapsed_ms, "request");
            Ok(res)
        }
        Err(e) => {
            tracing::info!(request_id = %id, %method, %path, error = %e, elapsed_ms, "request failed");
            Err(e)
        }
    }
}
