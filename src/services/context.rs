//! The request context every service takes: the application's dependencies, who is
//! asking (the session the adapter authenticated, checked again against the database
//! in the request's transaction) and the audit context. Built once per request by an
//! adapter: the JSON API's extractor from a bearer token (`routes::extract`), and so a
//! web page and an endpoint cannot differ in a rule.

use std::sync::Arc;

pub use crate::db::AuditContext;
use crate::db::Tx;
use crate::error::AppError;
use crate::ids::{SessionId, UserId};
use crate::startup::AppState;

/// A signed-in session as the adapter found it: the account, its session and the token
/// version it was issued under. Revocation is checked in the transaction, so a session
/// ended a moment ago is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub user: UserId,
    pub session: SessionId,
    pub token_version: i32,
}

/// One request's context.
#[derive(Clone)]
pub struct Ctx {
    /// The application's dependencies and policies (pool, links, time zone, …).
    pub app: Arc<AppState>,
    pub session: Session,
    pub audit: AuditContext,
}

impl Ctx {
    /// Begins the request's transaction as the session's account, or fails with 401.
    pub async fn begin(&self) -> Result<Tx, AppError> {
        Tx::begin_authenticated(
            &self.app.db,
            self.audit.clone(),
            self.session.user,
            self.session.session,
            self.session.token_version,
        )
        .await
    }
}

/// Runs `body` in a transaction as the context's account and commits it, with its audit
/// rows, or rolls back.
#[macro_export]
macro_rules! in_tx {
    ($ctx:expr, |$tx:ident| $body:expr) => {{
        #[allow(unused_mut)]
        let mut $tx = $ctx.begin().await?;
        let result = async { $body }.await;
        $tx.finish(result).await
    }};
}
