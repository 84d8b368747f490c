//! Group commit for reads' audit rows (issue 21, `db::audit_group`): a read-only request
//! is answered only once its consultation is committed, every concurrent read is recorded
//! as its own, a session that ended is refused, and a read-only transaction writes nothing.

use diesel::sql_types::{BigInt, Integer, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use homeward::db::{self, Access, AuditContext, AuditGroup, PasswordGate, Tx};
use homeward::domain::audit::AuditEvent;
use uuid::Uuid;

use crate::claims::mfhc_session;
use crate::helpers::{spawn_app, MFHC};

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    request_id: String,
    #[diesel(sql_type = Text)]
    actor_role: String,
    #[diesel(sql_type = BigInt)]
    ids: i64,
}

/// Every consultation recorded, in the queue or already sealed onto the chain.
async fn consultations(app: &crate::helpers::TestApp) -> Vec<Row> {
    diesel::sql_query(
        "SELECT request_id, actor_role, cardinality(record_ids)::bigint AS ids \
           FROM (SELECT request_id, actor_role, record_ids, operation FROM audit_queue \
                 UNION ALL SELECT request_id, actor_role, record_ids, operation FROM audit_log) a \
          WHERE operation = 'consultation' AND request_id IS NOT NULL",
    )
    .load(&mut app.superuser().await)
    .await
    .unwrap()
}

#[actix_rt::test]
async fn concurrent_reads_are_each_recorded_before_they_are_answered() {
    let app = spawn_app().await;
    let (t, _) = app.login(MFHC).await;
    let p = crate::episodes::person(&app, &t, "Amy", "Example", &[]).await;
    let e = crate::episodes::report(&app, &t, &p["id"], 1).await;
    let one = format!("/api/v1/episodes/{}", e["id"].as_str().unwrap());
    // Forty reads at once, lists and one episode: they are recorded a group at a time.
    let reads = (0..40).map(|i| {
        let path = if i % 2 == 0 {
            "/api/v1/episodes?limit=50".to_owned()
        } else {
            one.clone()
        };
        let (app, t) = (&app, &t);
        async move {
            let r = app.call("GET", &path, Some(t), None).await;
            assert_eq!(r.status, 200, "{}", r.body);
            let request_id = r.header("x-request-id").expect("a request id");
            // Answered: its consultation is already committed.
            let recorded = consultations(app).await;
            let mine: Vec<&Row> = recorded
                .iter()
                .filter(|row| row.request_id == request_id)
                .collect();
            assert_eq!(mine.len(), 1, "{path}: recorded {} times", mine.len());
            assert_eq!(mine[0].actor_role, "mfhc");
            // A list records the episodes it showed; one episode, it and its person.
            let shown = match r.body["items"].as_array() {
                Some(items) => items.len(),
                None => 2,
            };
            assert_eq!(mine[0].ids, i64::try_from(shown).unwrap(), "{path}");
        }
    });
    futures_util::future::join_all(reads).await;
    assert_eq!(
        consultations(&app)
            .await
            .iter()
            .filter(|r| r.actor_role == "mfhc")
            .count(),
        40
    );
}

#[derive(QueryableByName)]
struct Ended {
    #[diesel(sql_type = diesel::sql_types::Array<Integer>)]
    ended: Vec<i32>,
}

#[derive(QueryableByName)]
struct Queued {
    #[diesel(sql_type = Text)]
    actor_role: String,
    #[diesel(sql_type = Text)]
    record_type: String,
    #[diesel(sql_type = BigInt)]
    ids: i64,
    #[diesel(sql_type = Text)]
    purpose: String,
}

#[actix_rt::test]
async fn the_database_records_only_live_sessions_consultations_with_their_own_role() {
    let app = spawn_app().await;
    app.login(MFHC).await;
    let live = mfhc_session(&app).await;
    let mut su = app.superuser().await;
    let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    // Row 2 names a session that does not exist; rows 1 and 3 are the live one's.
    let call = "SELECT hw_audit_consultations($1, $2, $3, ARRAY['episode', 'episode', 'person'], \
                ARRAY[0, 2, 2], ARRAY[2, 0, 1], $4, ARRAY['why one', 'why two', 'why three'], \
                ARRAY['g-1', 'g-2', 'g-3']) AS ended";
    diesel::sql_query("SET ROLE homeward_app")
        .execute(&mut su)
        .await
        .unwrap();
    let ended: Ended = diesel::sql_query(call)
        .bind::<diesel::sql_types::Array<SqlUuid>, _>(vec![
            live.user_id.0,
            live.user_id.0,
            live.user_id.0,
        ])
        .bind::<diesel::sql_types::Array<SqlUuid>, _>(vec![live.id.0, Uuid::new_v4(), live.id.0])
        .bind::<diesel::sql_types::Array<Integer>, _>(vec![
            live.token_version,
            live.token_version,
            live.token_version,
        ])
        .bind::<diesel::sql_types::Array<SqlUuid>, _>(vec![a, b, c])
        .get_result(&mut su)
        .await
        .unwrap();
    assert_eq!(
        ended.ended,
        [2],
        "only the live session's rows are recorded"
    );
    diesel::sql_query("RESET ROLE")
        .execute(&mut su)
        .await
        .unwrap();
    let queued: Vec<Queued> = diesel::sql_query(
        "SELECT actor_role, record_type, cardinality(record_ids)::bigint AS ids, purpose \
           FROM audit_queue WHERE request_id LIKE 'g-%' ORDER BY request_id",
    )
    .load(&mut su)
    .await
    .unwrap();
    let got: Vec<(&str, &str, i64, &str)> = queued
        .iter()
        .map(|q| {
            (
                q.actor_role.as_str(),
                q.record_type.as_str(),
                q.ids,
                q.purpose.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("mfhc", "episode", 2, "why one"),
            ("mfhc", "person", 1, "why three")
        ]
    );

    // Once the session is revoked, nothing more of it is recorded.
    diesel::sql_query("UPDATE sessions SET revoked_at = now() WHERE id = $1")
        .bind::<SqlUuid, _>(live.id)
        .execute(&mut su)
        .await
        .unwrap();
    let group = AuditGroup::start(db::build_pool(&app.app_url, 1).unwrap()).unwrap();
    let refused = group
        .record(
            live.reader(),
            AuditContext::default(),
            vec![AuditEvent::consultation("episode", [a])],
        )
        .await;
    assert!(
        matches!(refused, Err(db::audit_group::GroupError::SessionEnded)),
        "{refused:?}"
    );
}

#[actix_rt::test]
async fn a_read_only_transaction_cannot_write_and_records_only_consultations() {
    let app = spawn_app().await;
    app.login(MFHC).await;
    let s = mfhc_session(&app).await;
    let pool = db::build_pool(&app.app_url, 1).unwrap();
    let group = AuditGroup::start(db::build_pool(&app.app_url, 1).unwrap()).unwrap();
    let reader = s.reader();
    let begin = || {
        Tx::begin_as(
            &pool,
            AuditContext::default(),
            reader,
            PasswordGate::Current,
            Access::ReadOnly(group.clone()),
        )
    };
    // Postgres refuses a write in it.
    let mut tx = begin().await.unwrap();
    let write = diesel::sql_query("UPDATE districts SET name = name")
        .execute(tx.conn())
        .await;
    assert!(
        write
            .as_ref()
            .is_err_and(|e| e.to_string().contains("read-only transaction")),
        "{write:?}"
    );
    let _ = tx.finish(Ok(())).await;
    // Anything but a consultation is refused after the read commits.
    let mut tx = begin().await.unwrap();
    tx.audit(AuditEvent::collection("episode", Uuid::new_v4()));
    let refused = tx.finish(Ok(())).await;
    assert!(
        matches!(refused, Err(homeward::error::AppError::Internal(_))),
        "{refused:?}"
    );
}
