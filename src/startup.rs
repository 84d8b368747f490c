//! Builds the HTTP application from resolved settings. Tests bind port 0.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, App, HttpServer};
use secrecy::SecretSlice;

use crate::auth::JwtKeys;
use crate::db::{self, Pool};
use crate::domain::reviews::ReviewPolicy;
use crate::error::AppError;
use crate::limits::Limits;
use crate::routes;

/// Request bodies are capped at 1 MiB.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What requests work with. Each HTTP worker has its own copy, with its own pool (`db`,
/// `db::build_worker_pools`); everything else in it is the same for all.
#[derive(Clone)]
pub struct AppState {
    pub db: Pool,
    pub jwt: JwtKeys,
    pub session_ttl_secs: i64,
    pub review_policy: ReviewPolicy,
    /// The UKMPU and PNC deadlines.
    pub national: crate::domain::national::NationalPolicy,
    /// The force's local time: days, months and ages are cut in it.
    pub zone: crate::domain::local_time::ForceZone,
    /// Builds the links notifications carry.
    pub links: crate::notify::Links,
    /// Small counts withheld from roles that see no names (`HOMEWARD_SUPPRESS_BELOW`).
    pub suppression: crate::domain::datasets::Suppression,
    /// The request deadline and write quota.
    pub limits: Limits,
    /// The web interface's session settings.
    pub web: crate::web::WebSettings,
    /// Signs audit checkpoints and keeps them outside the database (`None`: not kept).
    pub audit_anchor: Option<std::sync::Arc<crate::audit_anchor::AuditAnchor>>,
    /// When records are next reviewed (MoPI).
    pub retention: crate::domain::retention::RetentionPolicy,
    /// Records read-only requests' consultations a group at a time (`db::audit_group`).
    pub audit_group: db::AuditGroup,
}

/// What the application needs once the database is chosen.
pub struct AppConfig {
    pub listener: TcpListener,
    /// Runtime-role connection string.
    pub app_database_url: String,
    pub pool_size: usize,
    pub jwt_secret: SecretSlice<u8>,
    pub access_token_ttl_secs: i64,
    pub session_ttl_secs: i64,
    pub review_policy: ReviewPolicy,
    /// The UKMPU and PNC deadlines (`HOMEWARD_UKMPU_NOTIFY_HOURS`,
    /// `HOMEWARD_PNC_RECORD_HOURS`).
    pub national: crate::domain::national::NationalPolicy,
    /// The force's time zone (`HOMEWARD_TIME_ZONE`); the database's must be the same
    /// (`db::migrate::set_force_zone`).
    pub zone: crate::domain::local_time::ForceZone,
    /// Base of the links in notifications (`HOMEWARD_PUBLIC_URL`).
    pub public_url: String,
    /// The request deadline and write quota (`HOMEWARD_REQUEST_TIMEOUT_SECS`,
    /// `HOMEWARD_WRITE_RATE_PER_MINUTE`).
    pub limits: Limits,
    /// A web page session left idle this long is ended (`HOMEWARD_WEB_IDLE_MINUTES`).
    pub web_idle: Duration,
    /// Signs audit checkpoints (`None`: `/audit/verify` checks the chain against itself
    /// only, and says so).
    pub audit_anchor: Option<std::sync::Arc<crate::audit_anchor::AuditAnchor>>,
    /// When records are next reviewed (`HOMEWARD_RETENTION_YEARS`,
    /// `HOMEWARD_RETENTION_PUBLIC_PROTECTION_YEARS`).
    pub retention: crate::domain::retention::RetentionPolicy,
}

pub struct Application {
    port: u16,
    server: Server,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("database pool: {0}")]
    Pool(String),
    #[error("tokens: {0}")]
    Jwt(#[from] crate::auth::jwt::JwtError),
    #[error("listening: {0}")]
    Io(#[from] std::io::Error),
}

impl Application {
    /// Builds with the default policies (callers that do not configure them).
    pub fn build(cfg: AppConfig) -> Result<Self, BuildError> {
        Self::build_with(cfg, Default::default())
    }

    /// Builds with a configured suppression threshold (kept out of `AppConfig` so its
    /// existing builders need not change).
    pub fn build_with(
        cfg: AppConfig,
        suppression: crate::domain::datasets::Suppression,
    ) -> Result<Self, BuildError> {
        // One worker a core, as actix's default, named here to give each a pool of its own.
        let workers = crate::config::cores();
        let pools = db::build_worker_pools(&cfg.app_database_url, cfg.pool_size, workers)
            .map_err(|e| BuildError::Pool(e.to_string()))?;
        let audit_group = db::AuditGroup::start(
            db::build_pool(&cfg.app_database_url, db::audit_group::WRITERS)
                .map_err(|e| BuildError::Pool(e.to_string()))?,
        )?;
        let state = AppState {
            db: pools[0].clone(),
            jwt: JwtKeys::new(&cfg.jwt_secret, cfg.access_token_ttl_secs)?,
            session_ttl_secs: cfg.session_ttl_secs,
            review_policy: cfg.review_policy,
            national: cfg.national,
            zone: cfg.zone,
            links: crate::notify::Links::new(&cfg.public_url),
            suppression,
            limits: cfg.limits,
            web: crate::web::WebSettings::new(&cfg.public_url, cfg.web_idle),
            audit_anchor: cfg.audit_anchor,
            retention: cfg.retention,
            audit_group,
        };
        // actix makes each worker's App on the worker's own thread, once: the n-th made
        // takes the n-th pool. A worker that died is replaced with a new App, which takes
        // the next pool in turn; that may be a live worker's, which the two then share
        // (correct, only without the locality).
        let made = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        // A slow request head is cut off by actix itself; the rest by `limits::deadline`.
        let head_timeout = cfg.limits.request_timeout.min(Duration::from_secs(10));
        crate::auth::password::warm_up();
        let port = cfg.listener.local_addr()?.port();
        let server = HttpServer::new(move || {
            let n = made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let state = web::Data::new(AppState {
                db: pools[n % pools.len()].clone(),
                ..state.clone()
            });
            App::new()
                .app_data(state)
                .app_data(routes::extract::json_config())
                .app_data(routes::extract::path_config())
                .app_data(routes::extract::query_config())
                .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
                .wrap(
                    ErrorHandlers::new().handler(StatusCode::METHOD_NOT_ALLOWED, |res| {
                        problem_for(res, AppError::MethodNotAllowed)
                    }),
                )
                .wrap(from_fn(crate::limits::write_quota))
                .wrap(from_fn(crate::request_id::middleware))
                .configure(routes::configure)
                .configure(crate::web::configure)
                .default_service(web::to(crate::web::not_found_or_problem))
        })
        .workers(workers)
        .client_request_timeout(head_timeout)
        .client_disconnect_timeout(Duration::from_secs(2))
        .shutdown_timeout(10)
        .listen(cfg.listener)?
        .run();
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn server(self) -> Server {
        self.server
    }
}

/// Replaces actix's empty default error bodies with problem+json.
fn problem_for<B>(
    res: actix_web::dev::ServiceResponse<B>,
    err: AppError,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let (req, _) = res.into_parts();
    let res = actix_web::ResponseError::error_response(&err);
    Ok(ErrorHandlerResponse::Response(
        actix_web::dev::ServiceResponse::new(req, res).map_into_right_body(),
    ))
}
