//! Resource limits at the HTTP edge: a deadline for every request (a slow client gets
//! 408, a slow answer 503, and the transaction it held is rolled back), and a per-account
//! quota on writes, every one of which may send email (429 with `Retry-After`), kept in
//! the database so every instance charges the same one (`auth_write_quota`). Login has
//! its own throttle in the database (`db::auth`).

use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpMessage, ResponseError};
use futures_util::Stream;

use crate::error::AppError;
use crate::startup::AppState;

/// The limits one application applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// From the first byte of the request to the last of the answer's head
    /// (`HOMEWARD_REQUEST_TIMEOUT_SECS`).
    pub request_timeout: Duration,
    /// Writes per account per minute, sustained (`HOMEWARD_WRITE_RATE_PER_MINUTE`);
    /// a quarter of it (at least one) may come at once.
    pub writes_per_minute: NonZeroU32,
    /// The administrators are alerted, once a window, when one account's security events
    /// (refusals, failed sign-ins) reach this many within it
    /// (`HOMEWARD_SECURITY_ALERT_THRESHOLD`, `HOMEWARD_SECURITY_ALERT_WINDOW_MINUTES`).
    pub refusal_alert: RefusalAlert,
}

/// When one account's refusals are worth an administrator's attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefusalAlert {
    pub threshold: NonZeroU32,
    pub window: Duration,
}

impl Default for RefusalAlert {
    fn default() -> Self {
        RefusalAlert {
            threshold: NonZeroU32::new(DEFAULT_ALERT_THRESHOLD).expect("non-zero"),
            window: Duration::from_secs(DEFAULT_ALERT_WINDOW_MINUTES * 60),
        }
    }
}

pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;
pub const DEFAULT_WRITES_PER_MINUTE: u32 = 120;
pub const DEFAULT_ALERT_THRESHOLD: u32 = 20;
pub const DEFAULT_ALERT_WINDOW_MINUTES: u64 = 15;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            request_timeout: Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS),
            writes_per_minute: NonZeroU32::new(DEFAULT_WRITES_PER_MINUTE).expect("non-zero"),
            refusal_alert: RefusalAlert::default(),
        }
    }
}

impl Limits {
    /// The burst a quota allows: a quarter of the rate, at least one.
    pub fn burst(&self) -> NonZeroU32 {
        NonZeroU32::new(self.writes_per_minute.get() / 4).unwrap_or(NonZeroU32::MIN)
    }
}

/// Whether a route counts against the write quota: every write by a signed-in account.
/// Signing in, refreshing and signing out are not writes of records (login is throttled
/// on its own, by address and account, in the database).
pub fn is_quota_write(method: &Method, path: &str) -> bool {
    writes(method) && !path.starts_with("/api/v1/auth/")
}

/// Whether a request with this method can change anything.
fn writes(method: &Method) -> bool {
    *method != Method::GET && *method != Method::HEAD && *method != Method::OPTIONS
}

/// Refuses a write over its account's quota with 429 and `Retry-After`. Requests without
/// a valid token, or whose session has ended, pass through uncharged, to be refused as
/// unauthenticated by the handler; the quota is keyed by the verified token's account,
/// so no one can spend another's.
pub async fn write_quota<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    // The method first: matching the path again (`match_pattern`) runs the router's
    // regular expressions, which every read would otherwise pay for here.
    let counted = writes(req.method())
        && req
            .match_pattern()
            .as_deref()
            .is_some_and(|p| is_quota_write(req.method(), p));
    if counted {
        if let Some(state) = req.app_data::<actix_web::web::Data<AppState>>() {
            let account = crate::auth::extractor::bearer_token(req.request())
                .ok()
                .and_then(|t| state.jwt.verify(t));
            if let Some(claims) = account {
                // Only a live session's writes count: a token revoked a moment ago is
                // refused as unauthenticated by its transaction, and spends nothing.
                let session = crate::services::context::Session {
                    user: claims.sub,
                    session: claims.sid,
                    token_version: claims.ver,
                };
                use crate::services::auth::{charge_write, WriteCharge};
                match charge_write(state, session).await {
                    Ok(WriteCharge::Allowed | WriteCharge::SessionEnded) => {}
                    Ok(WriteCharge::Wait(retry_after_secs)) => {
                        let err = AppError::TooManyRequests { retry_after_secs };
                        return Ok(req.error_response(err).map_into_right_body());
                    }
                    Err(e) => return Ok(req.error_response(e).map_into_right_body()),
                }
            }
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// Ends a request that has not been answered by its deadline. The handler's future is
/// dropped, and with it its transaction (the pool discards a connection left mid-
/// transaction), so nothing it had not committed is stored. A request whose body had not
/// all arrived gets 408; one that was slow to answer gets 503.
pub async fn deadline<B: MessageBody + 'static>(
    mut req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let Some(timeout) = req
        .app_data::<actix_web::web::Data<AppState>>()
        .map(|s| s.limits.request_timeout)
    else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let body_done = Arc::new(AtomicBool::new(!has_body(&req)));
    let payload = req.take_payload();
    req.set_payload(Payload::Stream {
        payload: Box::pin(Watched {
            inner: payload,
            done: body_done.clone(),
        }),
    });
    let http_req = req.request().clone();
    match tokio::time::timeout(timeout, next.call(req)).await {
        Ok(res) => res.map(ServiceResponse::map_into_left_body),
        Err(_) => {
            let secs = timeout.as_secs();
            let err = if body_done.load(Ordering::Acquire) {
                tracing::warn!(secs, "request passed its deadline; rolled back");
                AppError::Unavailable(format!(
                    "the request could not be answered within {secs} seconds; nothing was changed, try again"
                ))
            } else {
                AppError::RequestTimeout(secs)
            };
            let res = err.error_response();
            Ok(ServiceResponse::new(http_req, res).map_into_right_body())
        }
    }
}

/// Whether the request says a body follows.
fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .is_some_and(|n| n > 0)
}

/// The request body, noting when its end has been read.
struct Watched {
    inner: Payload,
    done: Arc<AtomicBool>,
}

impl Stream for Watched {
    type Item = Result<Bytes, actix_web::error::PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = Pin::new(&mut self.inner).poll_next(cx);
        if let Poll::Ready(None) = polled {
            self.done.store(true, Ordering::Release);
        }
        polled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_count_but_reads_and_sign_in_do_not() {
        assert!(is_quota_write(&Method::POST, "/api/v1/episodes"));
        assert!(is_quota_write(&Method::PATCH, "/api/v1/actions/{id}"));
        assert!(is_quota_write(&Method::PUT, "/api/v1/triggers/{id}/plan"));
        assert!(is_quota_write(&Method::DELETE, "/api/v1/users/{id}"));
        assert!(!is_quota_write(&Method::GET, "/api/v1/episodes"));
        assert!(!is_quota_write(&Method::POST, "/api/v1/auth/login"));
        assert!(!is_quota_write(&Method::POST, "/api/v1/auth/logout"));
    }

    #[test]
    fn a_quota_allows_a_quarter_of_its_rate_at_once() {
        let limits = Limits {
            writes_per_minute: NonZeroU32::new(8).unwrap(),
            ..Limits::default()
        };
        assert_eq!(limits.burst().get(), 2);
    }

    #[test]
    fn a_small_rate_still_allows_one_write() {
        let limits = Limits {
            writes_per_minute: NonZeroU32::new(1).unwrap(),
            ..Limits::default()
        };
        assert_eq!(limits.burst().get(), 1);
    }
}
