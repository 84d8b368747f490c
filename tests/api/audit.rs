//! The audit log: written with each change and read, chained, and tamper-evident.

use diesel_async::SimpleAsyncConnection;
use serde_json::json;

use crate::helpers::{spawn_app, ADMIN};

#[actix_rt::test]
async fn creating_and_reading_a_user_is_audited_with_purpose_and_request_id() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let user = app
        .create_user(&admin, "audited@example.org", "officer", json!({}))
        .await;
    let id = user["id"].as_str().unwrap();
    let req = app
        .client
        .get(app.url(&format!("/api/v1/users/{id}")))
        .insert_header(("Authorization", format!("Bearer {admin}")))
        .insert_header(("X-Purpose", "checking account for welfare review"));
    let read = app.send(req, None).await;
    assert_eq!(read.status, 200);
    let request_id = read.header("x-request-id").unwrap();

    let log = app
        .call(
            "GET",
            &format!("/api/v1/audit?record_id={id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(log.status, 200, "{}", log.body);
    let entries = log.body["items"].as_array().unwrap();
    let ops: Vec<&str> = entries
        .iter()
        .map(|e| e["operation"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["consultation", "collection"], "{}", log.body);
    let me = app.call("GET", "/api/v1/me", Some(&admin), None).await;
    assert_eq!(entries[0]["actor_id"], me.body["id"]);
    assert_eq!(entries[0]["actor_role"], "admin");
    assert_eq!(entries[0]["purpose"], "checking account for welfare review");
    assert_eq!(entries[0]["request_id"], request_id.as_str());
    assert_eq!(entries[0]["record_type"], "user");
}

#[actix_rt::test]
async fn a_rolled_back_change_leaves_no_audit_row() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    app.create_user(&admin, "once@example.org", "officer", json!({}))
        .await;
    let before = app
        .call(
            "GET",
            "/api/v1/audit?operation=collection",
            Some(&admin),
            None,
        )
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .len();
    let dup = app.call("POST", "/api/v1/users", Some(&admin), Some(json!({
        "email": "once@example.org", "display_name": "D", "role": "officer", "password": "another long passphrase" }))).await;
    dup.problem(409);
    let after = app
        .call(
            "GET",
            "/api/v1/audit?operation=collection",
            Some(&admin),
            None,
        )
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after);
}

#[actix_rt::test]
async fn the_chain_verifies_and_an_edited_row_is_found() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    for i in 0..3 {
        app.create_user(
            &admin,
            &format!("chain{i}@example.org"),
            "officer",
            json!({}),
        )
        .await;
    }
    let ok = app
        .call("GET", "/api/v1/audit/verify", Some(&admin), None)
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["valid"], true, "{}", ok.body);
    assert!(ok.body["checked"].as_i64().unwrap() >= 3);
    assert_eq!(ok.body["checked"], ok.body["head_seq"]);

    // Someone with superuser access quietly rewrites the second entry (switching off the
    // log's append-only trigger first, as a superuser can).
    let mut su = app.superuser().await;
    su.batch_execute(
        "BEGIN; SET LOCAL session_replication_role = replica;
         UPDATE audit_log SET purpose = 'nothing to see' WHERE seq = 2; COMMIT;",
    )
    .await
    .unwrap();
    let broken = app
        .call("GET", "/api/v1/audit/verify", Some(&admin), None)
        .await;
    assert_eq!(broken.body["valid"], false, "{}", broken.body);
    assert_eq!(broken.body["first_broken_seq"], 2);
    assert_eq!(broken.body["checked"], 1);
}

#[actix_rt::test]
async fn deleting_the_newest_rows_is_found() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    app.create_user(&admin, "tail@example.org", "officer", json!({}))
        .await;
    // Verifying seals what is queued onto the chain; then the newest is deleted.
    let sealed = app
        .call("GET", "/api/v1/audit/verify", Some(&admin), None)
        .await;
    assert_eq!(sealed.body["valid"], true, "{}", sealed.body);
    let mut su = app.superuser().await;
    su.batch_execute("DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)")
        .await
        .unwrap();
    let r = app
        .call("GET", "/api/v1/audit/verify", Some(&admin), None)
        .await;
    assert_eq!(r.body["valid"], false, "{}", r.body);
    assert!(r.body["reason"].as_str().unwrap().contains("missing"));
}

#[actix_rt::test]
async fn the_runtime_role_cannot_update_or_delete_audit_rows() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    app.create_user(&admin, "immutable@example.org", "officer", json!({}))
        .await;
    let mut conn =
        <diesel_async::AsyncPgConnection as diesel_async::AsyncConnection>::establish(&app.app_url)
            .await
            .unwrap();
    for sql in [
        "UPDATE audit_log SET purpose = 'x'",
        "DELETE FROM audit_log",
        "UPDATE audit_chain_head SET seq = 0",
        "TRUNCATE audit_log",
        "INSERT INTO audit_log (seq, occurred_at, operation, record_type, prev_hash, hash) \
           VALUES (999, now(), 'consultation', 'x', '\\x00', '\\x00')",
        "SELECT * FROM audit_queue",
        "UPDATE audit_queue SET purpose = 'x'",
        "DELETE FROM audit_queue",
        "TRUNCATE audit_queue",
        "INSERT INTO audit_queue (occurred_at, operation, record_type) \
           VALUES (now() - interval '1 day', 'consultation', 'x')",
    ] {
        let err = conn.batch_execute(sql).await.expect_err(sql);
        assert!(
            err.to_string().contains("permission denied"),
            "{sql}: {err}"
        );
    }
}

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct Queued {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    queued: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    chained: i64,
}

async fn queued_and_chained(su: &mut diesel_async::AsyncPgConnection) -> Queued {
    use diesel_async::RunQueryDsl;
    diesel::sql_query(
        "SELECT (SELECT count(*) FROM audit_queue) AS queued, \
                (SELECT count(*) FROM audit_log) AS chained",
    )
    .get_result(su)
    .await
    .unwrap()
}

#[actix_rt::test]
async fn the_sealer_moves_the_queue_onto_the_chain_in_order() {
    use diesel_async::RunQueryDsl;
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let mut su = app.superuser().await;
    // Everything so far is sealed; then five audited requests wait in the queue.
    let first = app
        .call("GET", "/api/v1/audit/verify", Some(&admin), None)
        .await;
    assert_eq!(first.body["valid"], true, "{}", first.body);
    let before = queued_and_chained(&mut su).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let u = app
            .create_user(
                &admin,
                &format!("queued{i}@example.org"),
                "officer",
                json!({}),
            )
            .await;
        ids.push(u["id"].as_str().unwrap().to_owned());
    }
    let waiting = queued_and_chained(&mut su).await;
    assert_eq!(
        waiting.chained, before.chained,
        "requests do not touch the chain"
    );
    assert!(waiting.queued >= before.queued + 5, "{waiting:?}");

    // The service's sealer empties the queue by itself.
    let pool = homeward::db::build_pool(&app.app_url, 1).unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let sealer = tokio::spawn(homeward::services::audit::seal_continuously(
        pool,
        std::time::Duration::from_millis(20),
        stopped,
    ));
    let mut now = queued_and_chained(&mut su).await;
    for _ in 0..250 {
        if now.queued == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        now = queued_and_chained(&mut su).await;
    }
    stop.send(true).unwrap();
    sealer.await.unwrap();
    assert_eq!(
        now,
        Queued {
            queued: 0,
            chained: waiting.chained + waiting.queued
        }
    );

    // In the order the requests were made, each after the one before it.
    #[derive(diesel::QueryableByName)]
    struct Link {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    let order: Vec<String> = diesel::sql_query(
        "SELECT record_ids[1]::text AS id FROM audit_log \
          WHERE operation = 'collection' AND record_type = 'user' AND seq > $1 ORDER BY seq",
    )
    .bind::<diesel::sql_types::BigInt, _>(before.chained)
    .load::<Link>(&mut su)
    .await
    .unwrap()
    .into_iter()
    .map(|l| l.id)
    .collect();
    assert_eq!(order, ids);
    let ok = app
        .call("GET", "/api/v1/audit/verify", Some(&admin), None)
        .await;
    assert_eq!(ok.body["valid"], true, "{}", ok.body);
    assert_eq!(ok.body["checked"], ok.body["head_seq"]);
}
