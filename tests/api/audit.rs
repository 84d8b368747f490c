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

    // Someone with database access quietly rewrites the second entry.
    let mut su = app.superuser().await;
    su.batch_execute("UPDATE audit_log SET purpose = 'nothing to see' WHERE seq = 2")
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
    ] {
        let err = conn.batch_execute(sql).await.expect_err(sql);
        assert!(
            err.to_string().contains("permission denied"),
            "{sql}: {err}"
        );
    }
}
