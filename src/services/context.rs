//! The request context every service takes: the application's dependencies, who is
//! asking (the session the adapter authenticated, checked again against the database
//! in the request's transaction) and the audit context. Built once per request by an
//! adapter: the JSON API's extractor from a bearer token (`routes::extract`), and so a
//! web page and an endpoint cannot differ in a rule.

use std::sync::Arc;

pub use crate::db::AuditContext;
use diesel::QueryResult;
use futures_util::future::BoxFuture;

use crate::db::{Access, Conn, PasswordGate, Tx};
use crate::domain::caller::{Caller, Denied};
use crate::error::AppError;
use crate::startup::AppState;

/// A signed-in session as the adapter found it (`db::Session`).
pub use crate::db::Session;

/// One request's context.
#[derive(Clone)]
pub struct Ctx {
    /// The application's dependencies and policies (pool, links, time zone, …).
    pub app: Arc<AppState>,
    pub session: Session,
    pub audit: AuditContext,
}

impl Ctx {
    /// Begins the request's transaction as the session's account, or fails with 401 (or
    /// 403 while an administrator's password reset is waiting to be acted on).
    pub async fn begin(&self) -> Result<Tx, AppError> {
        self.begin_gated(PasswordGate::Current).await
    }

    /// As `begin`, also while the account's password must be changed: for changing it,
    /// seeing one's own account and signing out.
    pub async fn begin_while_password_change_due(&self) -> Result<Tx, AppError> {
        self.begin_gated(PasswordGate::ChangeDue).await
    }

    /// Begins a read-only transaction (`BEGIN READ ONLY`) as `begin` does: for a service
    /// that only reads. Its consultations are recorded after it commits, with a group of
    /// other reads', before the service returns (`db::audit_group`).
    pub async fn begin_read(&self) -> Result<Tx, AppError> {
        self.begin_with(
            PasswordGate::Current,
            Access::ReadOnly(self.app.audit_group.clone()),
        )
        .await
    }

    /// A read-only service in one round trip (`Tx::read_at_once`): `reads` are sent with
    /// the session check, before its answer is known; then the caller must pass `allowed`
    /// before anything they returned is used, and `then` records the consultations and
    /// shapes the answer. `record` names the one record a read is about (`Tx::one_record`).
    pub async fn read_at_once<T, U>(
        &self,
        record: Option<(&'static str, uuid::Uuid)>,
        allowed: impl FnOnce(&Caller) -> Result<(), Denied>,
        reads: impl for<'c> FnOnce(&'c Conn) -> BoxFuture<'c, QueryResult<T>>,
        then: impl FnOnce(&mut Tx, T) -> Result<U, AppError>,
    ) -> Result<U, AppError> {
        let (mut tx, value) = Tx::read_at_once(
            &self.app.db,
            self.audit.clone(),
            self.session,
            self.app.audit_group.clone(),
            record,
            reads,
        )
        .await?;
        let result = match tx.caller().and_then(|c| Ok(allowed(c)?)) {
            Ok(()) => value.and_then(|v| then(&mut tx, v)),
            Err(e) => Err(e),
        };
        tx.finish(result).await
    }

    /// Begins the request's transaction as `begin` does, with `reads`, the service's
    /// first, in the same round trip (`Tx::begin_reading`): they must not depend on who
    /// asks, and the service checks the caller before it uses what they returned. Ends
    /// with `finish`, as after `begin`. `record` names the one record the request is
    /// about (`Tx::one_record`).
    pub async fn begin_reading<T>(
        &self,
        record: Option<(&'static str, uuid::Uuid)>,
        reads: impl for<'c> FnOnce(&'c Conn) -> BoxFuture<'c, QueryResult<T>>,
    ) -> Result<(Tx, Result<T, AppError>), AppError> {
        Tx::begin_reading(
            &self.app.db,
            self.audit.clone(),
            self.session,
            record,
            reads,
        )
        .await
    }

    async fn begin_gated(&self, gate: PasswordGate) -> Result<Tx, AppError> {
        self.begin_with(gate, Access::ReadWrite).await
    }

    async fn begin_with(&self, gate: PasswordGate, access: Access) -> Result<Tx, AppError> {
        Tx::begin_as(&self.app.db, self.audit.clone(), self.session, gate, access).await
    }
}

/// Runs `body` in a transaction as the context's account and commits it, with its audit
/// rows, or rolls back.
/// `in_tx!(ctx, while_password_change_due, |tx| ..)` also runs while the account's
/// password must be changed; `in_tx!(ctx, read_only, |tx| ..)` runs a service that only
/// reads (`Ctx::begin_read`).
#[macro_export]
macro_rules! in_tx {
    ($ctx:expr, |$tx:ident| $body:expr) => {
        $crate::in_tx!(@begun $ctx.begin(), |$tx| $body)
    };
    ($ctx:expr, read_only, |$tx:ident| $body:expr) => {
        $crate::in_tx!(@begun $ctx.begin_read(), |$tx| $body)
    };
    ($ctx:expr, while_password_change_due, |$tx:ident| $body:expr) => {
        $crate::in_tx!(@begun $ctx.begin_while_password_change_due(), |$tx| $body)
    };
    (@begun $begin:expr, |$tx:ident| $body:expr) => {{
        #[allow(unused_mut)]
        let mut $tx = $begin.await?;
        let result = async { $body }.await;
        $tx.finish(result).await
    }};
}
