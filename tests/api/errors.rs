//! Bad input of every class gets a specific problem+json answer, never a 500.

use serde_json::json;

use crate::helpers::{spawn_app, ADMIN};

#[actix_rt::test]
async fn malformed_json_is_a_400_problem() {
    let app = spawn_app().await;
    let req = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .insert_header(("Content-Type", "application/json"));
    let r = app.send(req, Some(b"{\"email\": ".to_vec())).await;
    assert!(
        r.problem(400)["detail"]
            .as_str()
            .unwrap()
            .contains("not valid JSON"),
        "{}",
        r.body
    );
}

#[actix_rt::test]
async fn the_wrong_content_type_is_a_415_problem() {
    let app = spawn_app().await;
    let req = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .insert_header(("Content-Type", "text/plain"));
    app.send(req, Some(b"email=x".to_vec())).await.problem(415);
    let req = app.client.post(app.url("/api/v1/auth/login"));
    app.send(req, Some(br#"{"email":"a@b.org","password":"x"}"#.to_vec()))
        .await
        .problem(415);
}

#[actix_rt::test]
async fn a_body_over_one_mebibyte_is_a_413_problem() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let big = json!({ "email": "a@b.org", "display_name": "x".repeat(1024 * 1024 + 10), "role": "officer", "password": "a long test passphrase" });
    let req = app
        .client
        .post(app.url("/api/v1/users"))
        .insert_header(("Authorization", format!("Bearer {admin}")))
        .insert_header(("Content-Type", "application/json"));
    app.send(req, Some(big.to_string().into_bytes()))
        .await
        .problem(413);
}

#[actix_rt::test]
async fn unknown_fields_are_a_400_problem_naming_them() {
    let app = spawn_app().await;
    let r = app
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({ "email": "a@b.org", "password": "x", "remember_me": true })),
        )
        .await;
    assert!(
        r.problem(400)["detail"]
            .as_str()
            .unwrap()
            .contains("remember_me"),
        "{}",
        r.body
    );
}

#[actix_rt::test]
async fn wrong_types_and_missing_fields_are_400_problems() {
    let app = spawn_app().await;
    let r = app
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({ "email": 5, "password": "x" })),
        )
        .await;
    r.problem(400);
    let r = app
        .call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({ "email": "a@b.org" })),
        )
        .await;
    assert!(
        r.problem(400)["detail"]
            .as_str()
            .unwrap()
            .contains("password"),
        "{}",
        r.body
    );
}

#[actix_rt::test]
async fn bad_path_and_query_values_are_400_problems() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let r = app
        .call("GET", "/api/v1/users/not-a-uuid", Some(&admin), None)
        .await;
    assert!(
        r.problem(400)["detail"].as_str().unwrap().contains("path"),
        "{}",
        r.body
    );
    let r = app
        .call("GET", "/api/v1/users?role=wizard", Some(&admin), None)
        .await;
    assert!(
        r.problem(400)["detail"].as_str().unwrap().contains("query"),
        "{}",
        r.body
    );
    app.call("GET", "/api/v1/users?limit=ten", Some(&admin), None)
        .await
        .problem(400);
    app.call("GET", "/api/v1/users?colour=blue", Some(&admin), None)
        .await
        .problem(400);
    app.call("GET", "/api/v1/audit?from=yesterday", Some(&admin), None)
        .await
        .problem(400);
    app.call(
        "GET",
        "/api/v1/audit?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
        Some(&admin),
        None,
    )
    .await
    .problem(400);
    let req = app
        .client
        .get(app.url("/api/v1/users"))
        .insert_header(("Authorization", format!("Bearer {admin}")))
        .insert_header(("X-Purpose", "x".repeat(600)));
    app.send(req, None).await.problem(400);
}

#[actix_rt::test]
async fn unknown_ids_routes_and_methods_are_problems() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    app.call(
        "GET",
        "/api/v1/users/00000000-0000-0000-0000-000000000000",
        Some(&admin),
        None,
    )
    .await
    .problem(404);
    app.call("GET", "/api/v1/nothing-here", Some(&admin), None)
        .await
        .problem(404);
    app.call("PUT", "/api/v1/users", Some(&admin), None)
        .await
        .problem(405);
}

#[actix_rt::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let a = app.call("GET", "/health", None, None).await;
    let b = app.call("GET", "/health", None, None).await;
    assert_eq!(a.body["status"], "ok");
    assert_ne!(a.header("x-request-id"), b.header("x-request-id"));
    assert!(a.header("x-request-id").is_some());
    let ready = app.call("GET", "/ready", None, None).await;
    assert_eq!(ready.status, 200, "{}", ready.body);
}

#[actix_rt::test]
async fn nul_bytes_and_impossible_dates_are_400s_not_500s() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(crate::helpers::MFHC).await;
    app.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(json!({ "email": "a\u{0}b@x.org", "password": "whatever it is" })),
    )
    .await
    .problem(401);
    app.call(
        "GET",
        "/api/v1/audit?from=-10000-01-01T00:00:00Z",
        Some(&admin),
        None,
    )
    .await
    .problem(400);
    app.call("GET", "/api/v1/audit?record_type=a%00b", Some(&admin), None)
        .await
        .problem(400);
    app.call("POST", "/api/v1/users", Some(&admin), Some(json!({
        "email": "a\u{0}b@x.org", "display_name": "N", "role": "officer", "password": "a long test passphrase" }))).await.problem(400);
    app.call(
        "POST",
        "/api/v1/agencies",
        Some(&admin),
        Some(json!({
        "name": "N", "agency_type": "a\u{0}b", "mailbox": "n@x.org", "district_ids": [] })),
    )
    .await
    .problem(400);
    app.call("GET", "/api/v1/persons?name=a%00b", Some(&mfhc), None)
        .await
        .problem(400);
    app.call(
        "GET",
        "/api/v1/episodes?reported_from=0001-01-01T00:00:00Z",
        Some(&mfhc),
        None,
    )
    .await
    .problem(400);
    app.call(
        "POST",
        "/api/v1/persons",
        Some(&mfhc),
        Some(json!({ "given_name": "A\u{0}", "family_name": "B" })),
    )
    .await
    .problem(400);
}

#[actix_rt::test]
async fn a_reference_to_a_record_that_does_not_exist_is_a_400_naming_the_field() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(crate::helpers::MFHC).await;
    let r = app
        .call(
            "POST",
            "/api/v1/persons",
            Some(&mfhc),
            Some(json!({ "given_name": "Amy", "family_name": "Example",
                         "home_district_id": "e3e70682-c209-1cac-a29f-6fbed82c07cd" })),
        )
        .await;
    let p = r.problem(400);
    assert_eq!(p["errors"][0]["field"], "home_district_id", "{p}");
}
