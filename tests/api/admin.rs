//! The admin API: users and agencies, admin only, with versions and clear errors.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, ADMIN, DEMO_USERS};

/// Every admin-only route, with a body where one is needed.
fn admin_routes(user_id: &str, agency_id: &str) -> Vec<(&'static str, String, Option<Value>)> {
    vec![
        ("GET", "/api/v1/users".into(), None),
        (
            "POST",
            "/api/v1/users".into(),
            Some(
                json!({ "email": "x.y@example.org", "display_name": "X", "role": "officer", "password": "a long test passphrase" }),
            ),
        ),
        ("GET", format!("/api/v1/users/{user_id}"), None),
        ("DELETE", format!("/api/v1/users/{user_id}"), None),
        ("GET", "/api/v1/agencies".into(), None),
        (
            "POST",
            "/api/v1/agencies".into(),
            Some(
                json!({ "name": "New Agency", "agency_type": "health", "mailbox": "n@example.org", "district_ids": [] }),
            ),
        ),
        ("GET", format!("/api/v1/agencies/{agency_id}"), None),
        ("DELETE", format!("/api/v1/agencies/{agency_id}"), None),
        ("GET", "/api/v1/audit".into(), None),
        ("GET", "/api/v1/audit/verify".into(), None),
    ]
}

async fn first_ids(app: &TestApp, admin: &str) -> (String, String) {
    let users = app.call("GET", "/api/v1/users", Some(admin), None).await;
    let agencies = app.call("GET", "/api/v1/agencies", Some(admin), None).await;
    (
        users.body["items"][0]["id"].as_str().unwrap().into(),
        agencies.body["items"][0]["id"].as_str().unwrap().into(),
    )
}

#[actix_rt::test]
async fn admin_only_routes_refuse_every_other_role() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (user_id, agency_id) = first_ids(&app, &admin).await;
    for (role, email, password) in DEMO_USERS.iter().filter(|(r, ..)| *r != "admin") {
        let (token, _) = app.login((email, password)).await;
        for (method, path, body) in admin_routes(&user_id, &agency_id) {
            let r = app.call(method, &path, Some(&token), body).await;
            assert_eq!(r.status, 403, "{role} {method} {path}: {}", r.body);
        }
    }
    // And nothing changed: the user and agency are still active.
    let u = app
        .call(
            "GET",
            &format!("/api/v1/users/{user_id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(u.body["active"], true);
    let a = app
        .call(
            "GET",
            &format!("/api/v1/agencies/{agency_id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(a.body["active"], true);
}

#[actix_rt::test]
async fn admin_routes_refuse_anonymous_callers() {
    let app = spawn_app().await;
    for (method, path, body) in admin_routes(
        "00000000-0000-0000-0000-000000000000",
        "00000000-0000-0000-0000-000000000000",
    ) {
        app.call(method, &path, None, body).await.problem(401);
    }
}

#[actix_rt::test]
async fn an_admin_creates_reads_and_lists_users() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let created = app
        .create_user(&admin, "New.Officer@Example.org", "officer", json!({}))
        .await;
    assert_eq!(created["email"], "new.officer@example.org");
    assert_eq!(created["version"], 1);
    assert!(created.get("password_hash").is_none() && created.get("password").is_none());
    let id = created["id"].as_str().unwrap();
    let got = app
        .call("GET", &format!("/api/v1/users/{id}"), Some(&admin), None)
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("etag").as_deref(), Some("\"1\""));
    // The new account can log in.
    let (t, _) = app
        .login(("new.officer@example.org", "a long test passphrase"))
        .await;
    assert_eq!(
        app.call("GET", "/api/v1/me", Some(&t), None).await.body["role"],
        "officer"
    );
}

#[actix_rt::test]
async fn user_lists_are_keyset_paginated() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let first = app
        .call("GET", "/api/v1/users?limit=3", Some(&admin), None)
        .await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 3);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = app
        .call(
            "GET",
            &format!("/api/v1/users?limit=200&cursor={cursor}"),
            Some(&admin),
            None,
        )
        .await;
    let all = app
        .call("GET", "/api/v1/users?limit=200", Some(&admin), None)
        .await;
    let n_all = all.body["items"].as_array().unwrap().len();
    assert_eq!(3 + second.body["items"].as_array().unwrap().len(), n_all);
    assert!(second.body["next_cursor"].is_null());
    app.call("GET", "/api/v1/users?limit=500", Some(&admin), None)
        .await
        .problem(400);
}

#[actix_rt::test]
async fn bad_user_input_gets_specific_errors_and_stores_nothing() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let weak = app.call("POST", "/api/v1/users", Some(&admin), Some(json!({
        "email": "not-an-email", "display_name": " ", "role": "officer", "password": "password1234" }))).await;
    let fields: Vec<&str> = weak.problem(400)["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "display_name", "password"]);

    let partner = app.call("POST", "/api/v1/users", Some(&admin), Some(json!({
        "email": "p@example.org", "display_name": "P", "role": "partner", "password": "a long test passphrase" }))).await;
    assert_eq!(partner.problem(400)["errors"][0]["field"], "agency_id");

    let bad_role = app.call("POST", "/api/v1/users", Some(&admin), Some(json!({
        "email": "r@example.org", "display_name": "R", "role": "superuser", "password": "a long test passphrase" }))).await;
    assert!(bad_role.problem(400)["detail"]
        .as_str()
        .unwrap()
        .contains("unknown variant"));

    let unknown_district = app.call("POST", "/api/v1/users", Some(&admin), Some(json!({
        "email": "d@example.org", "display_name": "D", "role": "officer", "password": "a long test passphrase",
        "district_id": "00000000-0000-0000-0000-000000000000" }))).await;
    assert_eq!(
        unknown_district.problem(400)["errors"][0]["field"],
        "district_id"
    );

    app.create_user(&admin, "dup@example.org", "officer", json!({}))
        .await;
    let dup = app.call("POST", "/api/v1/users", Some(&admin), Some(json!({
        "email": "DUP@example.org", "display_name": "D", "role": "officer", "password": "another long passphrase" }))).await;
    assert!(dup.problem(409)["detail"]
        .as_str()
        .unwrap()
        .contains("email"));

    let list = app
        .call("GET", "/api/v1/users?limit=200", Some(&admin), None)
        .await;
    let emails: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert!(!emails
        .iter()
        .any(|e| ["p@example.org", "r@example.org", "d@example.org"].contains(e)));
}

#[actix_rt::test]
async fn updates_need_the_current_version() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let user = app
        .create_user(&admin, "v@example.org", "officer", json!({}))
        .await;
    let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap());
    let patch = |if_match: Option<&str>| {
        let mut req = app
            .client
            .patch(app.url(&path))
            .insert_header(("Authorization", format!("Bearer {admin}")))
            .insert_header(("Content-Type", "application/json"));
        if let Some(v) = if_match {
            req = req.insert_header(("If-Match", v.to_owned()));
        }
        req
    };
    let body = || {
        Some(
            json!({ "display_name": "Renamed" })
                .to_string()
                .into_bytes(),
        )
    };
    app.send(patch(None), body()).await.problem(428);
    let ok = app.send(patch(Some("\"1\"")), body()).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.header("etag").as_deref(), Some("\"2\""));
    // A second editor still holding version 1 cannot overwrite.
    app.send(patch(Some("\"1\"")), body()).await.problem(412);
    app.send(patch(Some("nonsense")), body()).await.problem(400);
}

#[actix_rt::test]
async fn an_admin_cannot_deactivate_themselves() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let me = app.call("GET", "/api/v1/me", Some(&admin), None).await;
    app.call(
        "DELETE",
        &format!("/api/v1/users/{}", me.body["id"].as_str().unwrap()),
        Some(&admin),
        None,
    )
    .await
    .problem(409);
}

#[actix_rt::test]
async fn an_admin_manages_agencies() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let reference = app
        .call("GET", "/api/v1/reference", Some(&admin), None)
        .await;
    let districts = reference.body["districts"].as_array().unwrap();
    assert_eq!(districts.len(), 5);
    let leeds = districts.iter().find(|d| d["code"] == "LDS").unwrap()["id"].clone();

    let created = app
        .call(
            "POST",
            "/api/v1/agencies",
            Some(&admin),
            Some(json!({
        "name": "Leeds Youth Justice Service", "agency_type": "youth_justice",
        "mailbox": "YJS@Leeds.example.org", "district_ids": [leeds] })),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["mailbox"], "yjs@leeds.example.org");
    assert_eq!(created.body["district_ids"], json!([leeds]));

    let bad = app
        .call(
            "POST",
            "/api/v1/agencies",
            Some(&admin),
            Some(json!({
        "name": "X", "agency_type": "astrology", "mailbox": "x@example.org",
        "district_ids": ["00000000-0000-0000-0000-000000000000"] })),
        )
        .await;
    let fields: Vec<&str> = bad.problem(400)["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["agency_type", "district_ids"]);

    let id = created.body["id"].as_str().unwrap();
    assert_eq!(
        app.call(
            "DELETE",
            &format!("/api/v1/agencies/{id}"),
            Some(&admin),
            None
        )
        .await
        .status,
        204
    );
    let after = app
        .call("GET", &format!("/api/v1/agencies/{id}"), Some(&admin), None)
        .await;
    assert_eq!(after.body["active"], false);
    // A partner cannot be attached to an inactive agency.
    let partner = app
        .call(
            "POST",
            "/api/v1/users",
            Some(&admin),
            Some(json!({
        "email": "yjs.worker@example.org", "display_name": "W", "role": "partner",
        "agency_id": id, "password": "a long test passphrase" })),
        )
        .await;
    assert!(partner.problem(400)["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("inactive"));
}

#[actix_rt::test]
async fn a_password_reset_is_checked_against_the_accounts_email() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let user = app
        .create_user(&admin, "jbloggs@example.org", "officer", json!({}))
        .await;
    let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap());
    let req = |pw: &str| {
        let r = app
            .client
            .patch(app.url(&path))
            .insert_header(("Authorization", format!("Bearer {admin}")))
            .insert_header(("Content-Type", "application/json"))
            .insert_header(("If-Match", "\"1\""));
        (r, Some(json!({ "password": pw }).to_string().into_bytes()))
    };
    let (r, b) = req("jbloggs-forever-and-ever");
    assert_eq!(
        app.send(r, b).await.problem(400)["errors"][0]["field"],
        "password"
    );
    let (r, b) = req("a different long passphrase");
    assert_eq!(app.send(r, b).await.status, 200);
    app.login(("jbloggs@example.org", "a different long passphrase"))
        .await;
}
