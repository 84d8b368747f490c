//! The data layer: the connection pool, request transactions that carry the caller's
//! claims, and one module of queries per table. No HTTP types here.

/// The one way an edit checks and moves a record's version (optimistic concurrency):
/// `UPDATE <table> SET <changes…>, version = version + 1, updated_at = now()
/// WHERE id = <id> AND version = <expected> RETURNING <Row>`, kept prepared. Evaluates to
/// `QueryResult<Option<Row>>`: `None` when the record is not at `expected` (or not the
/// caller's to change); services turn that into 412 with `or_stale()`.
macro_rules! update_versioned {
    ($conn:expr, $table:ident, $id:expr, $expected:expr, $row:ty $(, $change:expr)* $(,)?) => {{
        use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, SelectableHelper};
        use diesel_async::RunQueryDsl;
        $crate::db::cached(
            diesel::update(
                $table::table
                    .filter($table::id.eq($id))
                    .filter($table::version.eq($expected)),
            )
            .set((
                $($change,)*
                $table::version.eq($table::version + 1),
                $table::updated_at.eq(diesel::dsl::now),
            ))
            .returning(<$row>::as_returning()),
        )
        .get_result($conn)
        .await
        .optional()
    }};
}

/// A span of time as Postgres's `interval` (whole microseconds; saturating).
pub fn interval(d: std::time::Duration) -> diesel::data_types::PgInterval {
    diesel::data_types::PgInterval::from_microseconds(
        i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
    )
}

pub mod actions;
pub mod agencies;
pub mod audit;
pub mod audit_group;
pub mod auth;
pub mod cached;
pub mod datasets;
pub mod districts;
pub mod episodes;
pub mod measures;
pub mod migrate;
pub mod outbox;
pub mod person_records;
pub mod persons;
pub mod referrals;
pub mod restriction;
pub mod retention;
pub mod rules;
pub mod schema;
pub mod security;
pub mod shares;
pub mod subject_access;
pub mod triggers;
pub mod url;
pub mod users;

use std::time::Duration;

use diesel::connection::TransactionDepthChange;
use diesel::sql_types::{Integer, Nullable, Text, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::pooled_connection::deadpool::Object;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{
    AnsiTransactionManager, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection,
    TransactionManager,
};

use crate::domain::accounts::Role;
use crate::domain::audit::AuditEvent;
use crate::domain::caller::Caller;
use crate::error::AppError;
use crate::ids::{AgencyId, DistrictId, PersonId, SessionId, UserId};
pub use audit_group::AuditGroup;
use audit_group::GroupError;

pub type Conn = AsyncPgConnection;
pub type Pool = diesel_async::pooled_connection::deadpool::Pool<AsyncPgConnection>;
pub use cached::cached;
pub use diesel_async::pooled_connection::deadpool::PoolError;

/// Builds the runtime role's pool. Connections are made lazily.
pub fn build_pool(
    url: &str,
    max_size: usize,
) -> Result<Pool, diesel_async::pooled_connection::deadpool::BuildError> {
    // Fast: a checked-out connection is not pinged first (a round trip on every request);
    // one whose socket has closed, or whose transaction state is broken, is still
    // discarded, and a connection lost mid-request is a 503 and is not returned.
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
    Pool::builder(manager)
        .max_size(max_size)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(Duration::from_secs(5)))
        .create_timeout(Some(Duration::from_secs(5)))
        .recycle_timeout(Some(Duration::from_secs(5)))
        .build()
}

/// Connections for each HTTP worker: `total` split as evenly as it goes among `workers`,
/// at least one each (8 among 2 is 4 and 4; 9 is 5 and 4). See `build_worker_pools`.
pub fn worker_pool_sizes(total: usize, workers: usize) -> Vec<usize> {
    let workers = workers.max(1);
    (0..workers)
        .map(|i| (total / workers + usize::from(i < total % workers)).max(1))
        .collect()
}

/// One pool for each HTTP worker (`worker_pool_sizes`), so each request's round trips stay
/// on its worker's thread. A connection's socket is driven by a task on the runtime that
/// made it; taken by a request on another worker, each round trip crossed threads twice
/// (a wake-up to send, another to answer). With one pool a worker, on two cores, reads a
/// second rose in 12 of 15 rounds (by up to a third) and a report's service CPU fell by
/// about a sixth (docs/benchmarks.md, seventh stop). A worker cannot borrow another's idle
/// connection, so a burst on one waits for its own (the pool's wait timeout still
/// applies): reads' p99 is a few milliseconds higher.
pub fn build_worker_pools(
    url: &str,
    total: usize,
    workers: usize,
) -> Result<Vec<Pool>, diesel_async::pooled_connection::deadpool::BuildError> {
    worker_pool_sizes(total, workers)
        .into_iter()
        .map(|size| build_pool(url, size))
        .collect()
}

/// A signed-in session as an adapter found it: the account, its session and the token
/// version it was issued under. Revocation is checked in the transaction (and again when
/// a read's consultations are recorded), so a session ended a moment ago is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub user: UserId,
    pub session: SessionId,
    pub token_version: i32,
}

/// Request facts every audit row carries.
#[derive(Debug, Clone, Default)]
pub struct AuditContext {
    pub request_id: Option<String>,
    pub purpose: Option<String>,
}

/// One request's transaction. Claims are transaction-local (`set_config(.., true)`), so
/// they end with it; a `Tx` dropped without `finish` leaves its connection mid-transaction,
/// which the pool then discards rather than reuses.
pub struct Tx {
    conn: Object<AsyncPgConnection>,
    caller: Option<Caller>,
    context: AuditContext,
    pending_audit: Vec<AuditEvent>,
    /// The one record this request reads or changes, if the service named it.
    one_record: Option<(&'static str, uuid::Uuid)>,
    /// A read-only transaction's consultations are recorded after its commit, with a
    /// group of others (`audit_group`), as this session's.
    read_only: Option<(AuditGroup, Session)>,
    /// `commit_with` has ended the transaction (committed, or rolled back by Postgres).
    ended: bool,
    /// `audit_then` set this transaction to release its locks before its commit is
    /// flushed: `finish` waits for the flush after the COMMIT.
    flush_after_commit: bool,
}

#[derive(QueryableByName)]
struct PrincipalRow {
    #[diesel(sql_type = Text)]
    role: Role,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    district_id: Option<DistrictId>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    agency_id: Option<AgencyId>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    must_change_password: bool,
}

/// What a request's transaction may do.
#[derive(Debug, Clone)]
pub enum Access {
    /// Read and write; its audit rows are written in it, just before its commit.
    ReadWrite,
    /// Read only (`BEGIN READ ONLY`: Postgres refuses any write). It commits without
    /// flushing anything to disk; its consultations are then recorded with a group of
    /// other reads' in one commit, and the request is answered only after that commit.
    ReadOnly(AuditGroup),
}

impl Access {
    fn begin(&self) -> &'static str {
        match self {
            Access::ReadWrite => "BEGIN",
            Access::ReadOnly(_) => "BEGIN READ ONLY",
        }
    }
}

/// The transaction counts as open before BEGIN is sent, as diesel's own BEGIN would have
/// it after: if the request's future is dropped mid-flight, the pool finds an open
/// transaction and discards the connection rather than reuse it.
fn count_as_begun(conn: &mut Conn) -> diesel::QueryResult<()> {
    <AnsiTransactionManager as TransactionManager<Conn>>::transaction_manager_status_mut(conn)
        .transaction_state()?
        .change_transaction_depth(TransactionDepthChange::IncreaseDepth)
}

/// The session check: the account's role, district and agency if it is active, its token
/// version current and the session not revoked (`auth_principal`), and the claims set
/// from them for the rest of the transaction; no row otherwise.
async fn check_session(conn: &Conn, reader: Session) -> diesel::QueryResult<PrincipalRow> {
    let mut on: &Conn = conn;
    cached(
        diesel::sql_query(
            "SELECT p.role, p.district_id, p.agency_id, p.must_change_password, \
                    set_config('homeward.user_id', $1::text, true) AS c1, \
                    set_config('homeward.role', p.role, true) AS c2, \
                    set_config('homeward.district_id', coalesce(p.district_id::text, ''), true) AS c3, \
                    set_config('homeward.agency_id', coalesce(p.agency_id::text, ''), true) AS c4 \
               FROM auth_principal($1, $2, $3) p",
        )
        .bind::<SqlUuid, _>(reader.user)
        .bind::<SqlUuid, _>(reader.session)
        .bind::<Integer, _>(reader.token_version),
    )
    .get_result(&mut on)
    .await
}

/// Whether a transaction may begin for an account whose password an administrator has
/// reset: only to change it, see who it is, or sign out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordGate {
    /// Refused (403 `password-change-required`) until the password is changed.
    Current,
    /// Allowed as well while a change is due.
    ChangeDue,
}

impl Tx {
    /// Starts a transaction with no claims: policies hide every row until a caller is set.
    pub async fn begin(pool: &Pool, context: AuditContext) -> Result<Tx, AppError> {
        let mut conn = pool.get().await?;
        AnsiTransactionManager::begin_transaction(&mut *conn).await?;
        Ok(Tx {
            conn,
            caller: None,
            context,
            pending_audit: Vec::new(),
            one_record: None,
            read_only: None,
            ended: false,
            flush_after_commit: false,
        })
    }

    /// Begins a transaction as an access token's subject: checks it against the database
    /// (account active, token version current, session not revoked) and, if it holds,
    /// sets the claims; else 401, rolled back. BEGIN and the check are sent together, one
    /// round trip for both. An account whose password must be changed is refused unless
    /// `gate` allows it.
    pub async fn begin_authenticated(
        pool: &Pool,
        context: AuditContext,
        user: UserId,
        session: SessionId,
        token_version: i32,
        gate: PasswordGate,
    ) -> Result<Tx, AppError> {
        let session = Session {
            user,
            session,
            token_version,
        };
        Self::begin_as(pool, context, session, gate, Access::ReadWrite).await
    }

    /// As `begin_authenticated`, read-only or not as `access` says.
    pub async fn begin_as(
        pool: &Pool,
        context: AuditContext,
        reader: Session,
        gate: PasswordGate,
        access: Access,
    ) -> Result<Tx, AppError> {
        let mut conn = pool.get().await?;
        count_as_begun(&mut conn)?;
        let (mut first, second): (&Conn, &Conn) = (&conn, &conn);
        // BEGIN goes first on the wire (a simple-protocol statement sent before any other).
        let (begun, principal) = pipelined(
            SimpleAsyncConnection::batch_execute(&mut first, access.begin()),
            check_session(second, reader),
        )
        .await;
        let mut tx = Tx::new(conn, context, reader, access);
        // A failed BEGIN leaves the connection's state unknown: dropped, it is discarded.
        begun?;
        match tx.admit(reader.user, principal, gate) {
            Ok(()) => Ok(tx),
            Err(e) => tx.finish(Err(e)).await,
        }
    }

    /// A read-only request's whole transaction in one round trip: `BEGIN READ ONLY`, the
    /// session check that sets the claims, the stated reason (`X-Purpose`) if `record`
    /// names the one record the request reads, `reads` and `COMMIT` are sent together, and
    /// the session's answer is looked at afterwards. The reads ran under the claims the
    /// check set, so when it found no session they ran with none, and the policies showed
    /// them nothing; and what they returned is handed back only once the session holds.
    /// Nothing here can write. The service then checks the caller (`Tx::caller`) before it
    /// uses the value, records its consultations (`Tx::audit`) and ends with `finish`, as
    /// after `commit_with`. One round trip where `begin_as` and `commit_with` take two.
    pub async fn read_at_once<T>(
        pool: &Pool,
        context: AuditContext,
        reader: Session,
        group: AuditGroup,
        record: Option<(&'static str, uuid::Uuid)>,
        reads: impl for<'c> FnOnce(
            &'c Conn,
        )
            -> futures_util::future::BoxFuture<'c, diesel::QueryResult<T>>,
    ) -> Result<(Tx, Result<T, AppError>), AppError> {
        Self::at_once(
            pool,
            context,
            reader,
            Access::ReadOnly(group),
            record,
            reads,
        )
        .await
    }

    /// As `begin_authenticated`, with a request's first reads in the same round trip:
    /// `BEGIN`, the session check, the stated reason if `record` names the one record the
    /// request is about (`one_record`), and `reads` (which must not depend on who asks:
    /// they run under the claims the check set, so with none when it found no session,
    /// and nothing they return is handed back until it holds). The service then checks
    /// the caller before it uses the value, and goes on in the transaction. `reads` must
    /// only read: a lock they take (`FOR UPDATE`) is taken before the caller's role is
    /// checked, under the policies' say, and lasts until a refused request is rolled back.
    pub async fn begin_reading<T>(
        pool: &Pool,
        context: AuditContext,
        reader: Session,
        record: Option<(&'static str, uuid::Uuid)>,
        reads: impl for<'c> FnOnce(
            &'c Conn,
        )
            -> futures_util::future::BoxFuture<'c, diesel::QueryResult<T>>,
    ) -> Result<(Tx, Result<T, AppError>), AppError> {
        Self::at_once(pool, context, reader, Access::ReadWrite, record, reads).await
    }

    /// `BEGIN`, the session check, the stated reason and `reads` in one round trip, the
    /// session's answer looked at after; a read-only transaction is the whole request, so
    /// its `COMMIT` goes with them, and a read-write one goes on.
    async fn at_once<T>(
        pool: &Pool,
        context: AuditContext,
        reader: Session,
        access: Access,
        record: Option<(&'static str, uuid::Uuid)>,
        reads: impl for<'c> FnOnce(
            &'c Conn,
        )
            -> futures_util::future::BoxFuture<'c, diesel::QueryResult<T>>,
    ) -> Result<(Tx, Result<T, AppError>), AppError> {
        let commit = matches!(access, Access::ReadOnly(_));
        let mut conn = pool.get().await?;
        count_as_begun(&mut conn)?;
        let (mut first, second, mut last): (&Conn, &Conn, &Conn) = (&conn, &conn, &conn);
        let reason = record.and(context.purpose.as_deref());
        let conn_ref: &Conn = &conn;
        // They go on the wire in this order (`pipelined`; BEGIN, a simple-protocol
        // statement, first because it is sent before any other).
        let (begun, (principal, (stated, (value, committed)))) = pipelined(
            SimpleAsyncConnection::batch_execute(&mut first, access.begin()),
            pipelined(
                check_session(second, reader),
                pipelined(
                    async move {
                        match reason {
                            Some(reason) => restriction::state_reason(conn_ref, reason).await,
                            None => Ok(()),
                        }
                    },
                    pipelined(reads(conn_ref), async move {
                        match commit {
                            true => cached(diesel::sql_query("COMMIT"))
                                .execute(&mut last)
                                .await
                                .map(drop),
                            false => Ok(()),
                        }
                    }),
                ),
            ),
        )
        .await;
        let mut tx = Tx::new(conn, context, reader, access);
        tx.one_record = record;
        // A failed BEGIN leaves the connection's state unknown: dropped, it is discarded.
        begun?;
        if commit {
            committed?;
            tx.ended_by_commit()?;
        }
        // Refused: rolled back (if still open), nothing read handed back.
        let refused = match tx.admit(reader.user, principal, PasswordGate::Current) {
            Err(e) => Some(e),
            Ok(()) => stated.err().map(AppError::from),
        };
        if let Some(e) = refused {
            return tx.finish(Err(e)).await;
        }
        Ok((tx, value.map_err(AppError::from)))
    }

    fn new(
        conn: Object<AsyncPgConnection>,
        context: AuditContext,
        reader: Session,
        access: Access,
    ) -> Tx {
        Tx {
            conn,
            caller: None,
            context,
            pending_audit: Vec::new(),
            one_record: None,
            read_only: match access {
                Access::ReadWrite => None,
                Access::ReadOnly(group) => Some((group, reader)),
            },
            ended: false,
            flush_after_commit: false,
        }
    }

    /// The session check's answer: the caller, set for the rest of the request, or why
    /// not (401, the session has ended; 403 while a password must be changed and `gate`
    /// does not allow it).
    fn admit(
        &mut self,
        user: UserId,
        principal: diesel::QueryResult<PrincipalRow>,
        gate: PasswordGate,
    ) -> Result<(), AppError> {
        match principal.optional()? {
            Some(row) if row.must_change_password && gate == PasswordGate::Current => {
                Err(AppError::PasswordChangeRequired)
            }
            Some(row) => {
                self.caller = Some(Caller {
                    user_id: user,
                    role: row.role,
                    district_id: row.district_id,
                    agency_id: row.agency_id,
                });
                Ok(())
            }
            None => Err(AppError::Unauthenticated(
                "the session has ended; log in again",
            )),
        }
    }

    /// The transaction has been committed (or rolled back by Postgres) by a COMMIT this
    /// request sent itself.
    fn ended_by_commit(&mut self) -> Result<(), AppError> {
        <AnsiTransactionManager as TransactionManager<Conn>>::transaction_manager_status_mut(
            &mut self.conn,
        )
        .transaction_state()?
        .change_transaction_depth(TransactionDepthChange::DecreaseDepth)?;
        self.ended = true;
        Ok(())
    }

    /// Sets the claims for a caller the service has just verified itself (at login).
    pub async fn assume(&mut self, caller: Caller) -> Result<(), AppError> {
        cached(diesel::sql_query(
            "SELECT set_config('homeward.user_id', $1::text, true), set_config('homeward.role', $2, true), \
                    set_config('homeward.district_id', coalesce($3::text, ''), true), \
                    set_config('homeward.agency_id', coalesce($4::text, ''), true)",
        )
        .bind::<SqlUuid, _>(caller.user_id)
        .bind::<Text, _>(caller.role)
        .bind::<Nullable<SqlUuid>, _>(caller.district_id)
        .bind::<Nullable<SqlUuid>, _>(caller.agency_id))
        .execute(&mut *self.conn)
        .await?;
        self.caller = Some(caller);
        Ok(())
    }

    /// The authenticated caller; an error if this transaction has none.
    pub fn caller(&self) -> Result<&Caller, AppError> {
        self.caller
            .as_ref()
            .ok_or(AppError::Unauthenticated("authentication is required"))
    }

    pub fn conn(&mut self) -> &mut Conn {
        &mut self.conn
    }

    /// Queues an audit event; it is written just before commit, in this transaction.
    pub fn audit(&mut self, event: AuditEvent) {
        self.pending_audit.push(event);
    }

    /// For a service about one record (reading or changing it; `table` is persons,
    /// episodes, referrals, triggers, actions or shares): the request's stated reason
    /// (`X-Purpose`) opens the record if its person is restricted (issue 19), and if the
    /// record cannot be found, `finish` says when that is because it is restricted (403,
    /// state a reason) or, for a person, disposed of (410, to those who may know). Lists
    /// never call this, so a restricted record stays out of every list.
    pub async fn one_record(
        &mut self,
        table: &'static str,
        id: uuid::Uuid,
    ) -> Result<(), AppError> {
        self.one_record = Some((table, id));
        if let Some(reason) = self.context.purpose.as_deref() {
            restriction::state_reason(&self.conn, reason).await?;
        }
        Ok(())
    }

    /// Why the record named by `one_record` was not found, when it exists: restricted,
    /// or disposed of. Any failure to tell keeps the plain 404. After `commit_with` the
    /// transaction is over: it is told in one of its own, with the same claims and reason,
    /// rolled back afterwards.
    async fn explain_missing(&mut self, not_found: AppError) -> AppError {
        let Some((table, id)) = self.one_record else {
            return not_found;
        };
        if !self.ended {
            return self.explain(table, id, not_found).await;
        }
        let explained = match self.reopen().await {
            Ok(()) => self.explain(table, id, not_found).await,
            Err(_) => not_found,
        };
        // Nothing to keep; a connection this fails on is discarded by the pool.
        let _ = AnsiTransactionManager::rollback_transaction(&mut *self.conn).await;
        explained
    }

    /// A transaction again, after `commit_with`, with this request's claims and stated reason.
    async fn reopen(&mut self) -> Result<(), AppError> {
        let caller = self.caller()?.clone();
        AnsiTransactionManager::begin_transaction(&mut *self.conn).await?;
        self.assume(caller).await?;
        if let Some(reason) = self.context.purpose.as_deref() {
            restriction::state_reason(&self.conn, reason).await?;
        }
        Ok(())
    }

    async fn explain(
        &mut self,
        table: &'static str,
        id: uuid::Uuid,
        not_found: AppError,
    ) -> AppError {
        if table == "persons" {
            if let Ok(Some(at)) = retention::disposed_at(&mut self.conn, PersonId(id)).await {
                return AppError::Gone(format!(
                    "this person's record was disposed of at review on {}",
                    at.date_naive()
                ));
            }
        }
        match restriction::hidden_by_restriction(&mut self.conn, table, id).await {
            Ok(true) => AppError::Restricted(
                "this person's records are restricted (DPA 2018 s.46): state why you need this one in X-Purpose to read it; nothing can be changed until a data protection officer lifts the restriction"
                    .into(),
            ),
            _ => not_found,
        }
    }

    /// Runs `last`, this transaction's last statement, and sends its COMMIT with it: one
    /// round trip for the audit rows queued so far, `last`, the COMMIT and the wait for
    /// the commit's flush, in that order. For a statement that takes a lock other
    /// transactions queue for until this one ends (a district's reference counter): the
    /// COMMIT releases it once its record is written, before the flush
    /// ([`release_locks_before_flush`]), so queued commits are flushed together instead
    /// of one fsync after another. The transaction is over when this returns: committed if
    /// the audit rows and `last` were written, else rolled back (Postgres ends a failed
    /// transaction's COMMIT as a rollback). `finish` then hands the service's result back
    /// as it is, so nothing the service does after this may fail.
    pub async fn commit_with<T>(
        &mut self,
        last: impl for<'c> FnOnce(
            &'c Conn,
        )
            -> futures_util::future::BoxFuture<'c, diesel::QueryResult<T>>,
    ) -> Result<T, AppError> {
        let events = self.audit_rows_now();
        let actor = self.actor();
        let conn: &Conn = &self.conn;
        let mut on: &Conn = conn;
        // Polled in order, so they go on the wire in this order. All but the first are
        // extended-protocol statements: a statement this connection has not prepared yet
        // is prepared under diesel-async's statement-cache lock, which the next then waits
        // for, so the COMMIT cannot overtake `last` (as a simple-protocol COMMIT sent
        // meanwhile would). The first, simple-protocol, goes first in any case.
        let (early, (audited, (value, (committed, flushed)))) = pipelined(
            release_locks_before_flush(conn),
            pipelined(
                audit::insert(conn, actor, &self.context, &events),
                pipelined(
                    last(conn),
                    pipelined(
                        cached(diesel::sql_query("COMMIT")).execute(&mut on),
                        wait_for_flush(conn),
                    ),
                ),
            ),
        )
        .await;
        // A failed COMMIT leaves it to `finish` to roll back (or the pool to discard).
        committed?;
        self.ended_by_commit()?;
        // A statement that failed before the COMMIT failed those after it too (the
        // transaction was aborted): the first error is the one to tell.
        early?;
        audited?;
        let value = value?;
        flushed.map_err(not_known_durable)?;
        Ok(value)
    }

    /// Writes the audit rows queued so far, then runs `next`, in one round trip (still in
    /// this transaction): for a statement that takes a lock others wait for from then to
    /// the commit, the audit rows written before it rather than while it is held. The
    /// commit then releases the lock once its record is written, before the flush
    /// ([`release_locks_before_flush`]); `finish` waits for the flush before it answers.
    pub async fn audit_then<T>(
        &mut self,
        next: impl for<'c> FnOnce(
            &'c Conn,
        )
            -> futures_util::future::BoxFuture<'c, diesel::QueryResult<T>>,
    ) -> Result<T, AppError> {
        let events = self.audit_rows_now();
        let actor = self.actor();
        let conn: &Conn = &self.conn;
        let (early, (audited, value)) = pipelined(
            release_locks_before_flush(conn),
            pipelined(
                audit::insert(conn, actor, &self.context, &events),
                next(conn),
            ),
        )
        .await;
        early?;
        self.flush_after_commit = true;
        audited?;
        Ok(value?)
    }

    /// Commits `result`'s work with its audit rows, or rolls it all back: a change is
    /// never committed without its audit record.
    pub async fn finish<T>(mut self, result: Result<T, AppError>) -> Result<T, AppError> {
        let result = match result {
            Err(e @ AppError::NotFound(_)) => Err(self.explain_missing(e).await),
            other => other,
        };
        if result.is_ok() {
            if let Some((group, reader)) = self.read_only.take() {
                self.finish_read(group, reader).await?;
                return result;
            }
        }
        if self.ended {
            return result;
        }
        let outcome = match result {
            Ok(value) => self
                .write_audit()
                .await
                .map(|()| value)
                .map_err(AppError::from),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(value) => {
                AnsiTransactionManager::commit_transaction(&mut *self.conn).await?;
                if self.flush_after_commit {
                    wait_for_flush(&self.conn)
                        .await
                        .map_err(not_known_durable)?;
                }
                Ok(value)
            }
            Err(e) => {
                if let Err(rollback) =
                    AnsiTransactionManager::rollback_transaction(&mut *self.conn).await
                {
                    tracing::warn!(error = %rollback, "rollback failed; the connection will be discarded");
                }
                Err(e)
            }
        }
    }

    /// A read-only transaction's end: commits (nothing to flush), gives its connection
    /// back, then waits for its consultations' group to be committed.
    async fn finish_read(mut self, group: AuditGroup, reader: Session) -> Result<(), AppError> {
        if !self.ended {
            AnsiTransactionManager::commit_transaction(&mut *self.conn).await?;
        }
        let events = std::mem::take(&mut self.pending_audit);
        let context = std::mem::take(&mut self.context);
        drop(self);
        group
            .record(reader, context, events)
            .await
            .map_err(|e| match e {
                GroupError::SessionEnded => {
                    AppError::Unauthenticated("the session has ended; log in again")
                }
                GroupError::NotAConsultation(_) => AppError::Internal(Box::new(e)),
                GroupError::Stopped | GroupError::Database(_) => {
                    tracing::warn!(error = %e, "a read's audit rows were not recorded");
                    AppError::Unavailable(
                        "the read could not be recorded in the audit log; try again shortly".into(),
                    )
                }
            })
    }

    async fn write_audit(&mut self) -> diesel::QueryResult<()> {
        let events = std::mem::take(&mut self.pending_audit);
        audit::insert(&self.conn, self.actor(), &self.context, &events).await
    }

    /// The audit rows to write in this transaction now: those queued so far, unless it is
    /// read-only (a read's consultations are recorded after it, by its group).
    fn audit_rows_now(&mut self) -> Vec<AuditEvent> {
        match self.read_only {
            None => std::mem::take(&mut self.pending_audit),
            Some(_) => Vec::new(),
        }
    }

    /// Who the audit rows name: the caller, if the transaction has one.
    fn actor(&self) -> Option<(UserId, Role)> {
        self.caller.as_ref().map(|c| (c.user_id, c.role))
    }
}

/// Two statements (or pipelines) in one round trip: `first` goes on the wire before
/// `second`, and Postgres runs them in that order. The futures are polled in order, and
/// every statement is an extended-protocol one: a statement the connection has not
/// prepared yet is prepared under diesel-async's statement-cache lock, which the next
/// waits for, so none overtakes another. When `first` fails, a transaction's `second`
/// fails too (the transaction is aborted): look at `first`'s result first, for the error
/// to tell.
pub async fn pipelined<A, B>(
    first: impl std::future::Future<Output = A>,
    second: impl std::future::Future<Output = B>,
) -> (A, B) {
    futures_util::future::join(first, second).await
}

/// The rest of this transaction commits without waiting for its flush
/// (`synchronous_commit = off` for it alone): its COMMIT releases its locks once the
/// commit record is written. Whoever sends it must then wait for the flush with
/// [`wait_for_flush`] before telling anyone the change is made. For a lock others queue
/// for until the holder ends (a district's reference counter): held through each commit's
/// write, not its fsync, so the queued transactions' commits are flushed together.
/// Nothing is shown before it is durable: the WAL is flushed in order, and every reader
/// that shows a record (an audited read, the outbox's claim before a send) answers only
/// after a commit of its own is flushed, which is later in the WAL. A simple-protocol
/// statement: sent before another on the same connection (pipelined), it goes first.
async fn release_locks_before_flush(conn: &Conn) -> diesel::QueryResult<()> {
    let mut on: &Conn = conn;
    SimpleAsyncConnection::batch_execute(&mut on, "SET LOCAL synchronous_commit = off").await
}

/// Waits until the WAL is flushed up to here, at the deployment's own
/// `synchronous_commit` (to disk, or a standby too): a transaction of its own whose commit
/// must wait for the flush of the WAL up to it, which covers every commit this connection
/// sent before it. Sent after a [`release_locks_before_flush`] transaction's COMMIT,
/// outside any transaction. A commit waits for its flush only if its transaction wrote
/// WAL, which taking a transaction id alone does not: the transaction writes an empty
/// logical decoding message (`homeward.flush`; nothing reads it unless a logical
/// replication slot asks for such messages), which takes an id and writes a record.
async fn wait_for_flush(conn: &Conn) -> diesel::QueryResult<usize> {
    let mut on: &Conn = conn;
    cached(diesel::sql_query(
        "SELECT pg_logical_emit_message(true, 'homeward.flush', '')",
    ))
    .execute(&mut on)
    .await
}

/// The change was committed, but waiting for its flush failed (the connection was lost):
/// whether it survives a crash of the database is not known, so it is not acknowledged.
fn not_known_durable(e: diesel::result::Error) -> AppError {
    tracing::warn!(error = %e, "a commit's flush could not be awaited");
    AppError::Unavailable(
        "the change was committed, but the database could not confirm it is safely stored; look for it before trying again"
            .into(),
    )
}

/// The statements after this in the transaction are planned once for any parameters
/// (`plan_cache_mode = force_generic_plan`): for a list, whose statement Postgres would
/// otherwise plan afresh on every call, inlining every policy it reaches (a third of the
/// episode list's database time; docs/benchmarks.md). A simple-protocol statement: sent
/// before another on the same connection (pipelined), it goes first on the wire.
pub async fn plan_generically(conn: &Conn) -> diesel::QueryResult<()> {
    let mut on: &Conn = conn;
    SimpleAsyncConnection::batch_execute(&mut on, "SET LOCAL plan_cache_mode = force_generic_plan")
        .await
}

/// `right(<id column>::text, 8) = <suffix>`: the record a short reference
/// (`crate::domain::references`) names, found through its table's index on that
/// expression. `column` is a qualified id column, e.g. `triggers.id`.
pub(crate) fn short_ref_is(
    column: &'static str,
    suffix: &str,
) -> diesel::expression::UncheckedBind<
    diesel::expression::SqlLiteral<diesel::sql_types::Bool>,
    <String as diesel::expression::AsExpression<Text>>::Expression,
> {
    diesel::dsl::sql::<diesel::sql_types::Bool>(&format!("right({column}::text, 8) = "))
        .bind::<Text, _>(suffix.to_owned())
}

#[cfg(test)]
mod tests {
    use super::worker_pool_sizes;

    #[test]
    fn the_pool_is_split_evenly_among_the_workers_with_at_least_one_each() {
        assert_eq!(worker_pool_sizes(8, 2), vec![4, 4]);
        assert_eq!(worker_pool_sizes(9, 2), vec![5, 4]);
        assert_eq!(worker_pool_sizes(32, 3), vec![11, 11, 10]);
        assert_eq!(worker_pool_sizes(1, 2), vec![1, 1]);
        assert_eq!(worker_pool_sizes(4, 1), vec![4]);
        assert_eq!(worker_pool_sizes(4, 0), vec![4]);
    }
}
