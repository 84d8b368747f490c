//! Login, tokens, refresh, logout, and access ending at once.

use chrono::Utc;
use homeward::auth::jwt::{AccessClaims, AUDIENCE, ISSUER};
use serde_json::json;

use crate::helpers::{spawn_app, ADMIN, MFHC};

#[actix_rt::test]
async fn login_with_the_right_password_gives_working_tokens() {
    let app = spawn_app().await;
    let r = app.login_reply(MFHC.0, MFHC.1).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 900);
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let token = r.body["access_token"].as_str().unwrap();
    let me = app.call("GET", "/api/v1/me", Some(token), None).await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body["email"], MFHC.0);
    assert_eq!(me.body["role"], "mfhc");
}

#[actix_rt::test]
async fn login_email_is_case_insensitive() {
    let app = spawn_app().await;
    let r = app.login_reply(&MFHC.0.to_uppercase(), MFHC.1).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[actix_rt::test]
async fn wrong_password_and_unknown_account_get_the_same_answer() {
    let app = spawn_app().await;
    let wrong = app.login_reply(MFHC.0, "not the right password").await;
    let unknown = app
        .login_reply("nobody@demo.homeward.invalid", "not the right password")
        .await;
    assert_eq!(wrong.problem(401), unknown.problem(401));
    assert!(wrong.body.get("access_token").is_none());
}

#[actix_rt::test]
async fn repeated_failures_are_throttled_with_retry_after() {
    let app = spawn_app().await;
    for _ in 0..homeward::services::auth::PAIR_ATTEMPT_LIMIT {
        app.login_reply(MFHC.0, "a wrong password here")
            .await
            .problem(401);
    }
    let blocked = app.login_reply(MFHC.0, MFHC.1).await;
    blocked.problem(429);
    let retry: u64 = blocked
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    // Another account from the same address is not locked out by this one's failures.
    assert_eq!(app.login_reply(ADMIN.0, ADMIN.1).await.status, 200);
}

#[actix_rt::test]
async fn the_throttle_block_expires_by_itself() {
    let app = spawn_app().await;
    for _ in 0..homeward::services::auth::PAIR_ATTEMPT_LIMIT {
        app.login_reply(MFHC.0, "a wrong password here")
            .await
            .problem(401);
    }
    app.login_reply(MFHC.0, MFHC.1).await.problem(429);
    // Move the window into the past, as time would.
    let mut su = app.superuser().await;
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut su,
        "UPDATE login_throttle SET window_started_at = now() - interval '16 minutes'",
    )
    .await
    .unwrap();
    assert_eq!(app.login_reply(MFHC.0, MFHC.1).await.status, 200);
}

fn claims(token: &str) -> AccessClaims {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

#[actix_rt::test]
async fn tampered_expired_unsigned_and_misaddressed_tokens_are_refused() {
    let app = spawn_app().await;
    let (token, _) = app.login(MFHC).await;
    let good = claims(&token);
    let now = Utc::now().timestamp();
    let cases = [
        (
            "expired",
            app.jwt
                .sign(&AccessClaims {
                    exp: now - 10,
                    iat: now - 100,
                    ..good.clone()
                })
                .unwrap(),
        ),
        (
            "wrong audience",
            app.jwt
                .sign(&AccessClaims {
                    aud: "someone-else".into(),
                    ..good.clone()
                })
                .unwrap(),
        ),
        (
            "wrong issuer",
            app.jwt
                .sign(&AccessClaims {
                    iss: "someone-else".into(),
                    ..good.clone()
                })
                .unwrap(),
        ),
        (
            "stale token version",
            app.jwt
                .sign(&AccessClaims {
                    ver: good.ver + 1,
                    ..good.clone()
                })
                .unwrap(),
        ),
        ("tampered", {
            let mut parts: Vec<&str> = token.split('.').collect();
            let forged = app
                .jwt
                .sign(&AccessClaims {
                    ver: 7,
                    ..good.clone()
                })
                .unwrap();
            let payload = forged.split('.').nth(1).unwrap().to_owned();
            parts[1] = &payload;
            parts.join(".")
        }),
        ("alg none", {
            use base64::Engine;
            let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            format!(
                "{}.{}.",
                b64.encode(br#"{"alg":"none","typ":"JWT"}"#),
                token.split('.').nth(1).unwrap()
            )
        }),
        ("garbage", "not.a.jwt".to_owned()),
    ];
    for (what, bad) in cases {
        let r = app.call("GET", "/api/v1/me", Some(&bad), None).await;
        assert_eq!(r.status, 401, "{what}: {}", r.body);
        assert_eq!(
            r.header("www-authenticate").as_deref(),
            Some("Bearer"),
            "{what}"
        );
    }
    assert_eq!(ISSUER, good.iss);
    assert_eq!(AUDIENCE, good.aud);
    assert_eq!(app.call("GET", "/api/v1/me", None, None).await.status, 401);
}

#[actix_rt::test]
async fn refresh_rotates_and_reuse_revokes_the_whole_session() {
    let app = spawn_app().await;
    let (_, first) = app.login(MFHC).await;
    let r = app
        .call(
            "POST",
            "/api/v1/auth/refresh",
            None,
            Some(json!({ "refresh_token": first })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let second = r.body["refresh_token"].as_str().unwrap().to_owned();
    let access = r.body["access_token"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    assert_eq!(
        app.call("GET", "/api/v1/me", Some(&access), None)
            .await
            .status,
        200
    );

    // The first token again: a thief or a replay. The whole family dies.
    app.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(json!({ "refresh_token": first })),
    )
    .await
    .problem(401);
    app.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(json!({ "refresh_token": second })),
    )
    .await
    .problem(401);
    app.call("GET", "/api/v1/me", Some(&access), None)
        .await
        .problem(401);
    // A separate login is unaffected.
    let (other, _) = app.login(MFHC).await;
    assert_eq!(
        app.call("GET", "/api/v1/me", Some(&other), None)
            .await
            .status,
        200
    );
}

#[actix_rt::test]
async fn an_unknown_refresh_token_is_refused() {
    let app = spawn_app().await;
    app.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(json!({ "refresh_token": "made-up" })),
    )
    .await
    .problem(401);
}

#[actix_rt::test]
async fn logout_ends_access_and_refresh_at_once() {
    let app = spawn_app().await;
    let (access, refresh) = app.login(MFHC).await;
    assert_eq!(
        app.call("POST", "/api/v1/auth/logout", Some(&access), None)
            .await
            .status,
        204
    );
    app.call("GET", "/api/v1/me", Some(&access), None)
        .await
        .problem(401);
    app.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(json!({ "refresh_token": refresh })),
    )
    .await
    .problem(401);
}

async fn user_id_and_version(
    app: &crate::helpers::TestApp,
    admin: &str,
    email: &str,
) -> (String, String) {
    let list = app
        .call("GET", "/api/v1/users?limit=200", Some(admin), None)
        .await;
    let user = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap()
        .clone();
    (
        user["id"].as_str().unwrap().to_owned(),
        user["version"].to_string(),
    )
}

#[actix_rt::test]
async fn deactivating_a_user_kills_their_tokens_at_once() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (access, refresh) = app.login(MFHC).await;
    let (id, _) = user_id_and_version(&app, &admin, MFHC.0).await;
    assert_eq!(
        app.call("DELETE", &format!("/api/v1/users/{id}"), Some(&admin), None)
            .await
            .status,
        204
    );
    app.call("GET", "/api/v1/me", Some(&access), None)
        .await
        .problem(401);
    app.call(
        "POST",
        "/api/v1/auth/refresh",
        None,
        Some(json!({ "refresh_token": refresh })),
    )
    .await
    .problem(401);
    app.login_reply(MFHC.0, MFHC.1).await.problem(401);
}

#[actix_rt::test]
async fn changing_a_users_role_kills_their_tokens_at_once() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (access, _) = app.login(MFHC).await;
    let (id, version) = user_id_and_version(&app, &admin, MFHC.0).await;
    let req = app
        .client
        .patch(app.url(&format!("/api/v1/users/{id}")))
        .insert_header(("Authorization", format!("Bearer {admin}")))
        .insert_header(("If-Match", format!("\"{version}\"")))
        .insert_header(("Content-Type", "application/json"));
    let r = app
        .send(
            req,
            Some(json!({ "role": "supervisor" }).to_string().into_bytes()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["role"], "supervisor");
    app.call("GET", "/api/v1/me", Some(&access), None)
        .await
        .problem(401);
    let (fresh, _) = app.login(MFHC).await;
    assert_eq!(
        app.call("GET", "/api/v1/me", Some(&fresh), None).await.body["role"],
        "supervisor"
    );
}

#[actix_rt::test]
async fn many_failures_from_one_address_throttle_that_address() {
    let app = spawn_app().await;
    // Spread over many accounts, so no single account reaches its own limit.
    for i in 0..homeward::services::auth::ADDRESS_ATTEMPT_LIMIT {
        app.login_reply(
            &format!("guess{}@demo.homeward.invalid", i % 40),
            "a wrong password here",
        )
        .await
        .problem(401);
    }
    let blocked = app.login_reply(ADMIN.0, ADMIN.1).await;
    blocked.problem(429);
    assert!(blocked.header("retry-after").is_some());
}

#[actix_rt::test]
async fn a_concurrent_burst_of_guesses_cannot_get_past_the_limit() {
    let app = spawn_app().await;
    let attempts = (0..30).map(|_| app.login_reply(MFHC.0, "a wrong password here"));
    let replies = futures_util::future::join_all(attempts).await;
    let unauthorised = replies.iter().filter(|r| r.status == 401).count();
    let throttled = replies.iter().filter(|r| r.status == 429).count();
    assert_eq!(unauthorised + throttled, 30);
    assert_eq!(
        unauthorised,
        homeward::services::auth::PAIR_ATTEMPT_LIMIT as usize,
        "only the allowed attempts reach the password check"
    );
}

/// Calls the login service directly, so the client address can be chosen.
async fn login_from(
    app: &crate::helpers::TestApp,
    addr: &str,
    password: &str,
) -> Result<(), homeward::error::AppError> {
    let state = homeward::startup::AppState {
        db: homeward::db::build_pool(&app.app_url, 2).unwrap(),
        jwt: homeward::auth::JwtKeys::new(&secrecy::SecretSlice::from(vec![1u8; 32]), 900).unwrap(),
        session_ttl_secs: 3600,
        review_policy: Default::default(),
        national: Default::default(),
        zone: Default::default(),
        links: homeward::notify::Links::new("http://homeward.test"),
        suppression: Default::default(),
        limits: crate::helpers::test_limits(),
        web: homeward::web::WebSettings::new(
            "http://homeward.test",
            std::time::Duration::from_secs(1800),
        ),
        audit_anchor: None,
        retention: Default::default(),
        audit_group: homeward::db::AuditGroup::start(
            homeward::db::build_pool(&app.app_url, 1).unwrap(),
        )
        .unwrap(),
    };
    homeward::services::auth::login(
        &state,
        Default::default(),
        addr,
        MFHC.0,
        password.to_owned().into(),
    )
    .await
    .map(|_| ())
}

#[actix_rt::test]
async fn an_attacker_elsewhere_cannot_lock_a_user_out() {
    let app = spawn_app().await;
    // The user has logged in from their usual address before.
    login_from(&app, "10.0.0.7", MFHC.1).await.unwrap();
    // An attacker hammers the account from many other addresses, well past every limit.
    for i in 0..homeward::services::auth::ACCOUNT_ATTEMPT_LIMIT + 10 {
        let _ = login_from(
            &app,
            &format!("192.0.2.{}", i % 200),
            "a wrong password here",
        )
        .await;
    }
    // A new address is now throttled for this account …
    assert!(matches!(
        login_from(&app, "198.51.100.1", MFHC.1).await,
        Err(homeward::error::AppError::TooManyRequests { .. })
    ));
    // … but the user's known address still gets in.
    login_from(&app, "10.0.0.7", MFHC.1).await.unwrap();
}
