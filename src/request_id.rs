//! Request ids and the request log: each request gets an id, returned as `X-Request-Id`,
//! stored in the audit log, quoted in 5xx problem bodies, and carried by the `request`
//! span every handler (`http::…`) and service (`services::…`) span of it nests in.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use tracing::Instrument;

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

impl RequestId {
    /// The id the middleware gave `req`.
    pub fn of(req: &actix_web::HttpRequest) -> Option<String> {
        req.extensions().get::<RequestId>().map(|r| r.0.clone())
    }
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = uuid::Uuid::now_v7().simple().to_string();
    req.extensions_mut().insert(RequestId(id.clone()));
    let (method, path) = (req.method().clone(), req.path().to_owned());
    let started = Instant::now();
    // Every span and event of the request (handler, service, database errors) sits under
    // this one, so `request_id` follows it through the log.
    // The caller's user id is recorded once the bearer token is read (`routes::extract`).
    let span = tracing::info_span!("request", request_id = %id, %method, %path, user = tracing::field::Empty);
    let result = REQUEST_ID
        .scope(id.clone(), next.call(req))
        .instrument(span.clone())
        .await;
    let _in_request = span.enter();
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

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use actix_web::middleware::from_fn;
    use actix_web::{test, web, App, HttpResponse};

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tracing::instrument(name = "http::probe", skip_all)]
    async fn probe() -> HttpResponse {
        tracing::warn!("inside the handler");
        HttpResponse::Ok().finish()
    }

    #[actix_web::test]
    async fn a_handlers_log_lines_carry_the_request_id() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _default = tracing::subscriber::set_default(subscriber);
        let app = test::init_service(
            App::new()
                .wrap(from_fn(middleware))
                .route("/probe", web::get().to(probe)),
        )
        .await;
        let res =
            test::call_service(&app, test::TestRequest::get().uri("/probe").to_request()).await;
        let id = res
            .headers()
            .get(HEADER)
            .and_then(|v| v.to_str().ok())
            .expect("an X-Request-Id")
            .to_owned();
        let log = String::from_utf8(captured.0.lock().expect("the log").clone()).expect("UTF-8");
        let line = log
            .lines()
            .find(|l| l.contains("inside the handler"))
            .unwrap_or_else(|| panic!("no handler line in {log}"));
        assert!(
            line.contains(&format!("request{{request_id={id}")) && line.contains("http::probe"),
            "{line}"
        );
        assert!(
            log.lines()
                .any(|l| l.contains(&format!("request_id={id}")) && l.contains("status=200")),
            "{log}"
        );
    }
}
