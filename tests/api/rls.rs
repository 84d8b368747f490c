//! Row-level security: the runtime role sees nothing without claims, and claims never
//! outlive their transaction on a pooled connection.

use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use homeward::db::{self, AuditContext, Tx};
use homeward::domain::accounts::Role;
use homeward::domain::caller::Caller;
use homeward::ids::UserId;

use crate::helpers::spawn_app;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Claim {
    #[diesel(sql_type = Nullable<Text>)]
    v: Option<String>,
}

const TABLES: &[&str] = &[
    "users",
    "agencies",
    "districts",
    "agency_types",
    "agency_districts",
    "sessions",
    "refresh_tokens",
    "audit_log",
    "audit_queue",
    "measure_pending",
    "login_throttle",
    "local_authorities",
    "persons",
    "episodes",
    "person_markers",
    "placements",
    "protocol_profiles",
    "person_merges",
    "person_merge_moves",
    "trigger_rules",
    "trigger_rule_versions",
    "triggers",
    "trigger_plans",
    "referrals",
    "triage_meetings",
    "intervention_plans",
    "actions",
    "shares",
];

async fn count(conn: &mut AsyncPgConnection, table: &str) -> i64 {
    diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
        .get_result::<Count>(conn)
        .await
        .map(|c| c.n)
        .unwrap_or(-1)
}

#[actix_rt::test]
async fn a_query_without_claims_sees_nothing() {
    let app = spawn_app().await;
    let mut su = app.superuser().await;
    assert!(
        count(&mut su, "users").await > 0,
        "the demo seed should have users"
    );
    let mut conn = AsyncPgConnection::establish(&app.app_url).await.unwrap();
    for table in TABLES {
        let n = count(&mut conn, table).await;
        assert!(
            n == 0 || n == -1,
            "{table}: the runtime role saw {n} rows without claims"
        );
    }
}

#[actix_rt::test]
async fn the_runtime_role_is_not_privileged() {
    let app = spawn_app().await;
    let mut conn = AsyncPgConnection::establish(&app.app_url).await.unwrap();
    #[derive(QueryableByName)]
    struct Flags {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        rolsuper: bool,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        rolbypassrls: bool,
        #[diesel(sql_type = BigInt)]
        owned: i64,
    }
    let f: Flags = diesel::sql_query(
        "SELECT rolsuper, rolbypassrls, (SELECT count(*) FROM pg_class WHERE relowner = r.oid) AS owned \
           FROM pg_roles r WHERE rolname = current_user",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    assert!(!f.rolsuper && !f.rolbypassrls);
    assert_eq!(f.owned, 0);
    // Every table is RLS-enabled and forced.
    let mut su = app.superuser().await;
    let unforced: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
          WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname NOT IN ('__diesel_schema_migrations', 'audit_chain_head') \
            AND NOT (c.relrowsecurity AND c.relforcerowsecurity)",
    )
    .get_result(&mut su)
    .await
    .unwrap();
    assert_eq!(unforced.n, 0);
}

#[actix_rt::test]
async fn claims_never_leak_between_requests_on_a_pooled_connection() {
    let app = spawn_app().await;
    // One connection, so the second checkout is the very same session.
    let pool = db::build_pool(&app.app_url, 1).unwrap();
    let mut su = app.superuser().await;
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: UserId,
    }
    let admin: Id = diesel::sql_query("SELECT id FROM users WHERE role = 'admin' LIMIT 1")
        .get_result(&mut su)
        .await
        .unwrap();

    let mut tx = Tx::begin(&pool, AuditContext::default()).await.unwrap();
    tx.assume(Caller {
        user_id: admin.id,
        role: Role::Admin,
        district_id: None,
        agency_id: None,
    })
    .await
    .unwrap();
    let seen = count(tx.conn(), "users").await;
    tx.finish(Ok(())).await.unwrap();
    assert!(
        seen > 0,
        "the admin should see users inside the transaction"
    );

    let mut conn = pool.get().await.unwrap();
    assert_eq!(
        count(&mut conn, "users").await,
        0,
        "claims leaked to the next checkout"
    );
    let claim: Claim = diesel::sql_query("SELECT hw_role() AS v")
        .get_result(&mut *conn)
        .await
        .unwrap();
    assert_eq!(claim.v, None);
    drop(conn);

    // A failed request's claims are rolled back too.
    let mut tx = Tx::begin(&pool, AuditContext::default()).await.unwrap();
    tx.assume(Caller {
        user_id: admin.id,
        role: Role::Admin,
        district_id: None,
        agency_id: None,
    })
    .await
    .unwrap();
    let _ = tx
        .finish::<()>(Err(homeward::error::AppError::NotFound("x")))
        .await;
    let mut conn = pool.get().await.unwrap();
    assert_eq!(
        count(&mut conn, "users").await,
        0,
        "claims leaked after a rollback"
    );
}

#[actix_rt::test]
async fn a_non_admin_claim_cannot_read_other_users_even_with_sql() {
    let app = spawn_app().await;
    let pool = db::build_pool(&app.app_url, 1).unwrap();
    let mut su = app.superuser().await;
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: UserId,
    }
    let mfhc: Id = diesel::sql_query("SELECT id FROM users WHERE role = 'mfhc' LIMIT 1")
        .get_result(&mut su)
        .await
        .unwrap();
    let mut tx = Tx::begin(&pool, AuditContext::default()).await.unwrap();
    tx.assume(Caller {
        user_id: mfhc.id,
        role: Role::Mfhc,
        district_id: None,
        agency_id: None,
    })
    .await
    .unwrap();
    assert_eq!(
        count(tx.conn(), "users").await,
        1,
        "an MFHC sees only their own account row"
    );
    assert_eq!(count(tx.conn(), "audit_log").await, 0);
    tx.finish(Ok(())).await.unwrap();
}

#[actix_rt::test]
async fn the_runtime_role_cannot_undo_a_logout_or_forge_refresh_tokens() {
    let app = spawn_app().await;
    let (access, _) = app.login(crate::helpers::MFHC).await;
    assert_eq!(
        app.call("POST", "/api/v1/auth/logout", Some(&access), None)
            .await
            .status,
        204
    );
    let mut su = app.superuser().await;
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: UserId,
    }
    let mfhc: Id =
        diesel::sql_query("SELECT id FROM users WHERE email = 'mfhc.leeds@demo.homeward.invalid'")
            .get_result(&mut su)
            .await
            .unwrap();
    let pool = db::build_pool(&app.app_url, 1).unwrap();
    for sql in [
        "UPDATE sessions SET revoked_at = NULL, revoked_reason = NULL",
        "UPDATE sessions SET expires_at = now() + interval '10 years'",
        "UPDATE refresh_tokens SET used_at = NULL",
        "DELETE FROM sessions",
    ] {
        let mut tx = Tx::begin(&pool, AuditContext::default()).await.unwrap();
        tx.assume(Caller {
            user_id: mfhc.id,
            role: Role::Mfhc,
            district_id: None,
            agency_id: None,
        })
        .await
        .unwrap();
        let result = diesel_async::SimpleAsyncConnection::batch_execute(tx.conn(), sql).await;
        assert!(result.is_err(), "{sql} should be refused");
        let _ = tx
            .finish::<()>(Err(homeward::error::AppError::NotFound("x")))
            .await;
    }
    let still: Count =
        diesel::sql_query("SELECT count(*) AS n FROM sessions WHERE revoked_at IS NULL")
            .get_result(&mut su)
            .await
            .unwrap();
    assert_eq!(still.n, 0);
}

#[actix_rt::test]
async fn the_database_refuses_a_closure_by_anyone_but_a_supervisor() {
    let app = spawn_app().await;
    let mut su = app.superuser().await;
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: UserId,
    }
    let mfhc: Id =
        diesel::sql_query("SELECT id FROM users WHERE email = 'mfhc.leeds@demo.homeward.invalid'")
            .get_result(&mut su)
            .await
            .unwrap();
    diesel_async::SimpleAsyncConnection::batch_execute(&mut su, &format!(
        "INSERT INTO persons (id, given_name, family_name, search_names, created_by) VALUES ('00000000-0000-0000-0000-0000000000a1', 'A', 'B', 'a b', '{m}');
         INSERT INTO episodes (id, reference, person_id, district_id, status, reported_at, reported_by, last_seen_at, last_seen_location, missing_from, risk_level, created_by)
         VALUES ('00000000-0000-0000-0000-0000000000e1', 'LDS-2026-999999', '00000000-0000-0000-0000-0000000000a1', (SELECT id FROM districts WHERE code = 'LDS'),
                 'returned', now(), 'parent', now(), 'x', 'home', 'low', '{m}');", m = mfhc.id)).await.unwrap();
    let pool = db::build_pool(&app.app_url, 1).unwrap();
    let mut tx = Tx::begin(&pool, AuditContext::default()).await.unwrap();
    tx.assume(Caller {
        user_id: mfhc.id,
        role: Role::Mfhc,
        district_id: None,
        agency_id: None,
    })
    .await
    .unwrap();
    let sql = format!("UPDATE episodes SET status = 'closed', closed_at = now(), closed_by = '{}' WHERE id = '00000000-0000-0000-0000-0000000000e1'", mfhc.id);
    let err = diesel_async::SimpleAsyncConnection::batch_execute(tx.conn(), &sql)
        .await
        .expect_err("an MFHC closing must be refused");
    assert!(err.to_string().contains("row-level security"), "{err}");
    let _ = tx
        .finish::<()>(Err(homeward::error::AppError::NotFound("x")))
        .await;
}

#[actix_rt::test]
async fn partners_see_only_what_a_share_in_force_names_whatever_the_sql() {
    let app = spawn_app().await;
    let mut su = app.superuser().await;
    #[derive(QueryableByName)]
    struct Ids {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: UserId,
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        agency_id: homeward::ids::AgencyId,
    }
    let partner: Ids = diesel::sql_query(
        "SELECT id, agency_id FROM users WHERE email = 'partner.csc.leeds@demo.homeward.invalid'",
    )
    .get_result(&mut su)
    .await
    .unwrap();
    diesel_async::SimpleAsyncConnection::batch_execute(&mut su,
        "INSERT INTO persons (id, given_name, family_name, search_names, created_by)
           SELECT '00000000-0000-0000-0000-0000000000a1', 'A', 'B', 'a b', id FROM users WHERE email = 'mfhc.leeds@demo.homeward.invalid';
         INSERT INTO episodes (id, reference, person_id, district_id, status, reported_at, reported_by, last_seen_at, last_seen_location, missing_from, risk_level, created_by)
           SELECT '00000000-0000-0000-0000-0000000000e1', 'LDS-2026-999999', '00000000-0000-0000-0000-0000000000a1', district_id,
                  'active', now(), 'parent', now(), 'x', 'home', 'low', id FROM users WHERE email = 'mfhc.leeds@demo.homeward.invalid';
         INSERT INTO risk_gradings (id, episode_id, graded_by, to_level, rationale, information)
           SELECT gen_random_uuid(), '00000000-0000-0000-0000-0000000000e1', id, 'low', 'r', 'i' FROM users WHERE email = 'mfhc.leeds@demo.homeward.invalid';
         INSERT INTO person_markers (id, person_id, kind, source, review_on, recorded_by)
           SELECT gen_random_uuid(), '00000000-0000-0000-0000-0000000000a1', 'cse_risk', 's', '2030-01-01', id FROM users WHERE email = 'mfhc.leeds@demo.homeward.invalid';",
    ).await.unwrap();
    let pool = db::build_pool(&app.app_url, 1).unwrap();
    let as_partner = || async {
        let mut tx = Tx::begin(&pool, AuditContext::default()).await.unwrap();
        tx.assume(Caller {
            user_id: partner.id,
            role: Role::Partner,
            district_id: None,
            agency_id: Some(partner.agency_id),
        })
        .await
        .unwrap();
        let mut seen = Vec::new();
        for table in ["episodes", "persons", "risk_gradings", "person_markers"] {
            seen.push(count(tx.conn(), table).await);
        }
        let _ = tx.finish::<()>(Ok(())).await;
        seen
    };
    assert_eq!(as_partner().await, [0, 0, 0, 0], "nothing is shared yet");
    let share = |parts: &str, extra: &str| {
        format!(
            "INSERT INTO shares (id, record_type, record_id, district_id, agency_id, parts, purpose, lawful_basis, shared_by {cols})
             SELECT gen_random_uuid(), 'episode', '00000000-0000-0000-0000-0000000000e1', district_id, '{agency}', '{parts}', 'p', 'b', id {vals}
               FROM users WHERE email = 'mfhc.leeds@demo.homeward.invalid'",
            agency = partner.agency_id.0,
            cols = if extra.is_empty() { "" } else { ", shared_at, expires_at" },
            vals = extra,
        )
    };
    // Expired and revoked shares give nothing.
    exec(
        &mut su,
        share(
            "{summary,risk,markers}",
            ", now() - interval '2 days', now() - interval '1 day'",
        ),
    )
    .await;
    exec(&mut su, share("{summary,risk,markers}", "")).await;
    exec(&mut su, "UPDATE shares SET revoked_at = now(), revoked_by = shared_by, revoke_reason = 'r' WHERE expires_at IS NULL".into()).await;
    assert_eq!(as_partner().await, [0, 0, 0, 0], "expired and revoked");
    // The summary: the episode and its person, not the gradings or markers.
    exec(&mut su, share("{summary}", "")).await;
    assert_eq!(as_partner().await, [1, 1, 0, 0]);
    exec(&mut su, share("{summary,risk,markers}", "")).await;
    assert_eq!(as_partner().await, [1, 1, 1, 1]);
    // Seeing a shared episode's risk history is not writing to it.
    let mut tx = Tx::begin(&pool, AuditContext::default()).await.unwrap();
    tx.assume(Caller {
        user_id: partner.id,
        role: Role::Partner,
        district_id: None,
        agency_id: Some(partner.agency_id),
    })
    .await
    .unwrap();
    let forged = diesel::sql_query(format!(
        "INSERT INTO risk_gradings (id, episode_id, graded_by, to_level, rationale, information)
         VALUES (gen_random_uuid(), '00000000-0000-0000-0000-0000000000e1', '{}', 'very_low', 'r', 'i')",
        partner.id
    ))
    .execute(tx.conn())
    .await;
    assert!(forged.is_err(), "a partner must not grade risk");
    let _ = tx.finish::<()>(Ok(())).await;
    // An inactive agency's partners see nothing at all.
    exec(
        &mut su,
        format!(
            "UPDATE agencies SET active = false WHERE id = '{}'",
            partner.agency_id.0
        ),
    )
    .await;
    assert_eq!(as_partner().await, [0, 0, 0, 0]);
}

async fn exec(su: &mut AsyncPgConnection, sql: String) {
    diesel_async::SimpleAsyncConnection::batch_execute(su, &sql)
        .await
        .unwrap()
}

#[actix_rt::test]
async fn background_functions_refuse_a_request_with_a_caller() {
    let app = spawn_app().await;
    let mut su = app.superuser().await;
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: UserId,
    }
    let admin: Id =
        diesel::sql_query("SELECT id FROM users WHERE email = 'sysadmin@demo.homeward.invalid'")
            .get_result(&mut su)
            .await
            .unwrap();
    let pool = db::build_pool(&app.app_url, 1).unwrap();
    for sql in [
        "SELECT * FROM hw_outbox_claim('sneaky', 10, 60)",
        "SELECT * FROM hw_admin_emails()",
        "SELECT * FROM hw_trigger_escalate_due()",
        "SELECT * FROM hw_mfhc_digests()",
    ] {
        let mut tx = Tx::begin(&pool, AuditContext::default()).await.unwrap();
        tx.assume(Caller {
            user_id: admin.id,
            role: Role::Admin,
            district_id: None,
            agency_id: None,
        })
        .await
        .unwrap();
        let r = diesel::sql_query(sql).execute(tx.conn()).await;
        let err = r.expect_err(sql);
        let mapped = homeward::error::AppError::from(err);
        assert!(
            matches!(mapped, homeward::error::AppError::Forbidden(_)),
            "{sql}: {mapped:?}"
        );
        let _ = tx.finish::<()>(Ok(())).await;
    }
}
