//! The claim helpers every policy inlines, and the request transaction that sets them:
//! without claims every predicate is false (never NULL, which `NOT` would turn into a
//! pass), and a request cut off while its BEGIN is in flight leaves no connection behind
//! in a transaction.

use diesel::sql_types::{Bool, Integer, Nullable, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::FutureExt;
use homeward::db::{self, AuditContext, PasswordGate, Tx};
use homeward::domain::accounts::Role;
use homeward::domain::caller::Caller;
use homeward::ids::{DistrictId, SessionId, UserId};

use crate::helpers::{spawn_app, MFHC};

#[derive(QueryableByName, Debug, PartialEq)]
struct Predicates {
    #[diesel(sql_type = Nullable<Bool>)]
    authenticated: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    operational: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    admin: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    case_worker: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    reads_measures: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    covers_own: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    covers_other: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    covers_none: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    covers_every: Option<bool>,
    // The read policies' form of hw_covers_district (claims in scalar subqueries, read
    // once per statement), as a policy takes it: NULL denies.
    #[diesel(sql_type = Nullable<Bool>)]
    read_own: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    read_other: Option<bool>,
    #[diesel(sql_type = Nullable<Bool>)]
    read_none: Option<bool>,
}

/// Every claim predicate, for the district `own`, another district and a NULL one.
async fn predicates(conn: &mut AsyncPgConnection, own: DistrictId) -> Predicates {
    diesel::sql_query(
        "SELECT hw_is_authenticated() AS authenticated, hw_is_operational() AS operational, \
                hw_is_admin() AS admin, hw_is_case_worker() AS case_worker, \
                hw_reads_measures() AS reads_measures, hw_covers_district($1) AS covers_own, \
                hw_covers_district(gen_random_uuid()) AS covers_other, \
                hw_covers_district(NULL) AS covers_none, \
                hw_covers_every_district() AS covers_every, \
                coalesce(d.own = (SELECT hw_district_id()) OR (SELECT hw_covers_every_district()), false) AS read_own, \
                coalesce(d.other = (SELECT hw_district_id()) OR (SELECT hw_covers_every_district()), false) AS read_other, \
                coalesce(d.none = (SELECT hw_district_id()) OR (SELECT hw_covers_every_district()), false) AS read_none \
           FROM (SELECT $1::uuid AS own, gen_random_uuid() AS other, NULL::uuid AS none) d",
    )
    .bind::<SqlUuid, _>(own)
    .get_result(conn)
    .await
    .unwrap()
}

fn all(v: bool) -> Predicates {
    Predicates {
        authenticated: Some(v),
        operational: Some(v),
        admin: Some(v),
        case_worker: Some(v),
        reads_measures: Some(v),
        covers_own: Some(v),
        covers_other: Some(v),
        covers_none: Some(v),
        covers_every: Some(v),
        read_own: Some(v),
        read_other: Some(v),
        read_none: Some(v),
    }
}

#[actix_rt::test]
async fn claim_predicates_are_false_without_claims_and_exact_with_them() {
    let app = spawn_app().await;
    let district = DistrictId::new();
    // A fresh session (the settings never set) and a pooled one after a transaction
    // (the settings back to '').
    let mut fresh = AsyncPgConnection::establish(&app.app_url).await.unwrap();
    assert_eq!(predicates(&mut fresh, district).await, all(false));

    let pool = db::build_pool(&app.app_url, 1).unwrap();
    let caller = |role, district_id| Caller {
        user_id: UserId::new(),
        role,
        district_id,
        agency_id: None,
    };
    let mut tx = Tx::begin(&pool, AuditContext::default()).await.unwrap();
    tx.assume(caller(Role::Mfhc, Some(district))).await.unwrap();
    let district_mfhc = predicates(tx.conn(), district).await;
    tx.finish(Ok(())).await.unwrap();
    assert_eq!(
        district_mfhc,
        Predicates {
            admin: Some(false),
            covers_other: Some(false),
            covers_none: Some(false),
            covers_every: Some(false),
            read_other: Some(false),
            read_none: Some(false),
            ..all(true)
        }
    );

    let mut tx = Tx::begin(&pool, AuditContext::default()).await.unwrap();
    tx.assume(caller(Role::Admin, None)).await.unwrap();
    let force_admin = predicates(tx.conn(), district).await;
    tx.finish(Ok(())).await.unwrap();
    assert_eq!(
        force_admin,
        Predicates {
            operational: Some(false),
            case_worker: Some(false),
            ..all(true)
        },
        "a force-wide caller covers every district"
    );

    let mut conn = pool.get().await.unwrap();
    assert_eq!(predicates(&mut conn, district).await, all(false));
}

#[derive(QueryableByName)]
struct Pid {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

async fn backend_pid(conn: &mut AsyncPgConnection) -> i32 {
    diesel::sql_query("SELECT pg_backend_pid() AS pid")
        .get_result::<Pid>(conn)
        .await
        .unwrap()
        .pid
}

#[derive(QueryableByName)]
pub(crate) struct Session {
    #[diesel(sql_type = SqlUuid)]
    pub user_id: UserId,
    #[diesel(sql_type = SqlUuid)]
    pub id: SessionId,
    #[diesel(sql_type = Integer)]
    pub token_version: i32,
}

impl Session {
    /// As the data layer takes it.
    pub(crate) fn reader(&self) -> db::Session {
        db::Session {
            user: self.user_id,
            session: self.id,
            token_version: self.token_version,
        }
    }
}

/// The Leeds MFHC's latest session (log in first).
pub(crate) async fn mfhc_session(app: &crate::helpers::TestApp) -> Session {
    let mut su = app.superuser().await;
    diesel::sql_query(
        "SELECT s.user_id, s.id, u.token_version FROM sessions s JOIN users u ON u.id = s.user_id \
          WHERE u.email = $1 ORDER BY s.created_at DESC LIMIT 1",
    )
    .bind::<diesel::sql_types::Text, _>(MFHC.0)
    .get_result(&mut su)
    .await
    .unwrap()
}

#[actix_rt::test]
async fn a_request_cut_off_mid_begin_leaves_no_transaction_behind() {
    let app = spawn_app().await;
    app.login(MFHC).await;
    let s = mfhc_session(&app).await;

    // One connection, already open, so the next checkout is immediate.
    let pool = db::build_pool(&app.app_url, 1).unwrap();
    let first = backend_pid(&mut pool.get().await.unwrap()).await;
    let begin = || {
        Tx::begin_authenticated(
            &pool,
            AuditContext::default(),
            s.user_id,
            s.id,
            s.token_version,
            PasswordGate::Current,
        )
    };
    // Polled once: BEGIN is on the wire and the session check not yet answered.
    let mut cut_off = Box::pin(begin());
    assert!(cut_off.as_mut().now_or_never().is_none());
    drop(cut_off);
    let mut conn = pool.get().await.unwrap();
    assert_ne!(
        backend_pid(&mut conn).await,
        first,
        "the connection left mid-BEGIN was reused"
    );
    drop(conn);

    // The next request on the pool is a whole one.
    let tx = begin().await.unwrap();
    assert_eq!(tx.caller().unwrap().role, Role::Mfhc);
    tx.finish(Ok(())).await.unwrap();
}

#[actix_rt::test]
async fn a_requests_own_statements_stay_prepared_on_its_connection() {
    #[derive(QueryableByName)]
    struct Kept {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        session_checks: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        audit_inserts: i64,
    }
    let app = spawn_app().await;
    app.login(MFHC).await;
    let s = mfhc_session(&app).await;
    // Two requests on one connection: the session check and the audit insert are prepared
    // by the first and kept for the second (diesel alone would prepare them each time).
    let pool = db::build_pool(&app.app_url, 1).unwrap();
    for _ in 0..2 {
        let mut tx = Tx::begin_authenticated(
            &pool,
            AuditContext::default(),
            s.user_id,
            s.id,
            s.token_version,
            PasswordGate::Current,
        )
        .await
        .unwrap();
        tx.audit(homeward::domain::audit::AuditEvent::consultation(
            "user",
            [],
        ));
        tx.finish(Ok(())).await.unwrap();
    }
    let kept: Kept = diesel::sql_query(
        "SELECT count(*) FILTER (WHERE statement LIKE 'SELECT p.role, %') AS session_checks, \
                count(*) FILTER (WHERE statement LIKE 'INSERT INTO \"audit_queue\"%') AS audit_inserts \
           FROM pg_prepared_statements",
    )
    .get_result(&mut pool.get().await.unwrap())
    .await
    .unwrap();
    assert_eq!((kept.session_checks, kept.audit_inserts), (1, 1));
}

#[derive(QueryableByName)]
struct Xact {
    #[diesel(sql_type = Nullable<Text>)]
    xid: Option<String>,
}

async fn xact_status(app: &crate::helpers::TestApp, xid: &str) -> String {
    #[derive(QueryableByName)]
    struct Status {
        #[diesel(sql_type = Text)]
        status: String,
    }
    let mut su = app.superuser().await;
    diesel::sql_query("SELECT pg_xact_status($1::xid8) AS status")
        .bind::<Text, _>(xid)
        .get_result::<Status>(&mut su)
        .await
        .unwrap()
        .status
}

/// The pool's one connection, checked to be the backend `first` (reused, not discarded)
/// and in no transaction.
async fn reused_outside_a_transaction(
    pool: &db::Pool,
    first: i32,
) -> diesel_async::pooled_connection::deadpool::Object<AsyncPgConnection> {
    let mut conn = pool.get().await.unwrap();
    assert_eq!(
        backend_pid(&mut conn).await,
        first,
        "the connection was not reused"
    );
    let after = diesel::sql_query("SELECT pg_current_xact_id_if_assigned()::text AS xid")
        .get_result::<Xact>(&mut conn)
        .await
        .unwrap();
    assert_eq!(after.xid, None, "the connection was left in a transaction");
    conn
}

/// Ends the session, as signing out does.
async fn revoke(app: &crate::helpers::TestApp, s: &Session) {
    let mut su = app.superuser().await;
    diesel::sql_query("UPDATE sessions SET revoked_at = now() WHERE id = $1")
        .bind::<SqlUuid, _>(s.id)
        .execute(&mut su)
        .await
        .unwrap();
}

/// A session check's answer for an ended session: 401, and nothing of what was read.
fn refused_as_ended<T>(r: Result<T, homeward::error::AppError>) {
    match r {
        Err(e) => assert_eq!(
            actix_web::ResponseError::status_code(&e).as_u16(),
            401,
            "{e}"
        ),
        Ok(_) => panic!("an ended session's read was handed back"),
    }
}

/// A transaction begun, with the id it has been given.
async fn begin_with_xid(pool: &db::Pool) -> (Tx, String) {
    let mut tx = Tx::begin(pool, AuditContext::default()).await.unwrap();
    let xid = diesel::sql_query("SELECT pg_current_xact_id()::text AS xid")
        .get_result::<Xact>(tx.conn())
        .await
        .unwrap()
        .xid
        .unwrap();
    (tx, xid)
}

/// `Tx::commit_with` sends the last statement and the COMMIT together. On a connection that
/// has not prepared the statement yet (it is prepared first), the COMMIT still goes after
/// it: the statement runs in the transaction, which then commits; a statement that fails
/// leaves the transaction rolled back; either way the connection is reused, out of any
/// transaction.
#[actix_rt::test]
async fn commit_with_runs_the_last_statement_in_the_transaction_then_commits() {
    let app = spawn_app().await;
    let pool = db::build_pool(&app.app_url, 1).unwrap();
    let first = backend_pid(&mut pool.get().await.unwrap()).await;
    // Run inside the transaction it names it; run after a COMMIT that overtook it, it
    // would find none.
    let last = "SELECT pg_current_xact_id_if_assigned()::text AS xid \
                  /* commit_with: prepared here for the first time */";

    let (mut tx, xid) = begin_with_xid(&pool).await;
    let seen = tx
        .commit_with(|conn| {
            async move {
                let mut on = conn;
                db::cached(diesel::sql_query(last))
                    .get_result::<Xact>(&mut on)
                    .await
            }
            .boxed()
        })
        .await
        .unwrap();
    assert_eq!(tx.finish(Ok(seen.xid)).await.unwrap(), Some(xid.clone()));
    assert_eq!(xact_status(&app, &xid).await, "committed");

    let (mut tx, xid) = begin_with_xid(&pool).await;
    let failed = tx
        .commit_with(|conn| {
            async move {
                let mut on = conn;
                diesel::sql_query("SELECT (1 / 0)::text AS xid")
                    .get_result::<Xact>(&mut on)
                    .await
            }
            .boxed()
        })
        .await;
    assert!(failed.is_err(), "division by zero succeeded");
    assert!(tx.finish(failed).await.is_err());
    assert_eq!(xact_status(&app, &xid).await, "aborted");

    drop(reused_outside_a_transaction(&pool, first).await);
}

#[derive(QueryableByName)]
struct Claim {
    #[diesel(sql_type = Nullable<Text>)]
    user_id: Option<String>,
}

/// The user id claim as the connection's transaction sees it (`None` outside one), as a
/// prepared statement: on a fresh connection, prepared on its first use, inside a
/// pipeline.
fn user_id_claim(
    conn: &db::Conn,
) -> futures_util::future::BoxFuture<'_, diesel::QueryResult<Claim>> {
    let mut on = conn;
    async move {
        db::cached(diesel::sql_query(
            "SELECT nullif(current_setting('homeward.user_id', true), '') AS user_id",
        ))
        .get_result::<Claim>(&mut on)
        .await
    }
    .boxed()
}

/// `Tx::read_at_once` sends BEGIN, the session check, the reads and the COMMIT together. On
/// a connection that has prepared none of them, they still run in that order: the reads see
/// the claims the check set in the same transaction. A session that has ended gets a 401
/// and nothing of what was read; either way the connection is reused, out of any
/// transaction.
#[actix_rt::test]
async fn read_at_once_reads_under_the_sessions_claims_or_hands_back_nothing() {
    let app = spawn_app().await;
    app.login(MFHC).await;
    let s = mfhc_session(&app).await;
    let pool = db::build_pool(&app.app_url, 1).unwrap();
    let group = db::AuditGroup::start(db::build_pool(&app.app_url, 1).unwrap()).unwrap();
    let first = backend_pid(&mut pool.get().await.unwrap()).await;
    let session = s.reader();
    let read = || {
        Tx::read_at_once(
            &pool,
            AuditContext::default(),
            session,
            group.clone(),
            None,
            user_id_claim,
        )
    };

    let (tx, seen) = read().await.unwrap();
    assert_eq!(tx.caller().unwrap().role, Role::Mfhc);
    assert_eq!(
        seen.unwrap().user_id,
        Some(s.user_id.0.to_string()),
        "the read ran before the claims were set, or outside their transaction"
    );
    tx.finish(Ok(())).await.unwrap();

    revoke(&app, &s).await;
    refused_as_ended(read().await);

    let conn = reused_outside_a_transaction(&pool, first).await;
    // The claims ended with their transaction.
    let claim = user_id_claim(&conn).await.unwrap();
    assert_eq!(claim.user_id, None);
}

/// A write's first reads go with its BEGIN and session check (`Tx::begin_reading`): they
/// see the session's claims, and the transaction stays open for the rest of the request.
/// A revoked session is refused with 401 and nothing of what was read, and its transaction
/// is rolled back: the connection is reused, out of any transaction.
#[actix_rt::test]
async fn begin_reading_reads_under_the_sessions_claims_and_stays_open_or_rolls_back() {
    let app = spawn_app().await;
    app.login(MFHC).await;
    let s = mfhc_session(&app).await;
    let pool = db::build_pool(&app.app_url, 1).unwrap();
    let first = backend_pid(&mut pool.get().await.unwrap()).await;
    let session = s.reader();
    let begin = || Tx::begin_reading(&pool, AuditContext::default(), session, None, user_id_claim);

    let (mut tx, seen) = begin().await.unwrap();
    assert_eq!(tx.caller().unwrap().role, Role::Mfhc);
    assert_eq!(
        seen.unwrap().user_id,
        Some(s.user_id.0.to_string()),
        "the read ran before the claims were set, or outside their transaction"
    );
    // Still in the transaction the claims were set in.
    let again = user_id_claim(tx.conn()).await.unwrap();
    assert_eq!(again.user_id, Some(s.user_id.0.to_string()));
    tx.finish(Ok(())).await.unwrap();

    revoke(&app, &s).await;
    refused_as_ended(begin().await);
    let conn = reused_outside_a_transaction(&pool, first).await;
    let left = user_id_claim(&conn).await.unwrap();
    assert_eq!(
        left.user_id, None,
        "the refused transaction was not rolled back"
    );
}
