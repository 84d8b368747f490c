//! Token attacks, each on a route that needs a signed-in user: `alg: none`, algorithm
//! swaps, a forged signature, expiry one second past the leeway, the wrong audience and
//! a revoked session. Every one is a 401 problem with `WWW-Authenticate: Bearer`, and a
//! token just inside the leeway still works (so the boundary is where the code says).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;
use homeward::auth::jwt::{AccessClaims, LEEWAY_SECS};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};

use crate::helpers::{spawn_app, TestApp, MFHC};

fn claims_of(token: &str) -> AccessClaims {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// `header.payload.signature` with a header of our choosing and any signature.
fn with_header(header_json: &str, claims: &AccessClaims, signature: &str) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header_json),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap()),
        signature
    )
}

fn signed(alg: Algorithm, secret: &[u8], claims: &AccessClaims) -> String {
    encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret)).unwrap()
}

async fn status_of(app: &TestApp, token: &str) -> (u16, Option<String>) {
    let r = app.call("GET", "/api/v1/me", Some(token), None).await;
    if r.status == 401 {
        r.problem(401);
    }
    (r.status, r.header("www-authenticate"))
}

#[actix_rt::test]
async fn forged_swapped_expired_misaddressed_and_revoked_tokens_are_all_401() {
    let app = spawn_app().await;
    let (token, _) = app.login(MFHC).await;
    let good = claims_of(&token);
    let now = Utc::now().timestamp();
    let leeway = LEEWAY_SECS as i64;
    let secret = app.jwt_secret.clone();
    let hs256_sig = token.split('.').nth(2).unwrap().to_owned();

    // Just inside the leeway: accepted, so the next case fails on expiry alone.
    let inside = AccessClaims {
        exp: now - leeway + 2,
        iat: now - 600,
        ..good.clone()
    };
    assert_eq!(
        status_of(&app, &signed(Algorithm::HS256, &secret, &inside))
            .await
            .0,
        200
    );

    let attacks: Vec<(&str, String)> = vec![
        (
            "alg none, no signature",
            with_header(r#"{"alg":"none","typ":"JWT"}"#, &good, ""),
        ),
        (
            "alg None, the original signature",
            with_header(r#"{"alg":"None","typ":"JWT"}"#, &good, &hs256_sig),
        ),
        (
            "algorithm swap to HS512 with the real secret",
            signed(Algorithm::HS512, &secret, &good),
        ),
        (
            "algorithm swap to HS384 with the real secret",
            signed(Algorithm::HS384, &secret, &good),
        ),
        (
            "RS256 header over an HMAC signature",
            with_header(r#"{"alg":"RS256","typ":"JWT"}"#, &good, &hs256_sig),
        ),
        (
            "forged signature (another key)",
            signed(Algorithm::HS256, &[7u8; 32], &good),
        ),
        ("forged signature (the right one, one byte changed)", {
            let mut sig = URL_SAFE_NO_PAD.decode(&hs256_sig).unwrap();
            sig[0] ^= 1;
            format!(
                "{}.{}",
                token.rsplit_once('.').unwrap().0,
                URL_SAFE_NO_PAD.encode(sig)
            )
        }),
        (
            "expired 1 s beyond the leeway",
            signed(
                Algorithm::HS256,
                &secret,
                &AccessClaims {
                    exp: now - leeway - 1,
                    iat: now - 600,
                    ..good.clone()
                },
            ),
        ),
        (
            "wrong audience",
            signed(
                Algorithm::HS256,
                &secret,
                &AccessClaims {
                    aud: "homeward-admin".into(),
                    ..good.clone()
                },
            ),
        ),
        (
            "issued in the future",
            signed(
                Algorithm::HS256,
                &secret,
                &AccessClaims {
                    iat: now + 120,
                    exp: now + 600,
                    ..good.clone()
                },
            ),
        ),
        (
            "lifetime longer than the service issues",
            signed(
                Algorithm::HS256,
                &secret,
                &AccessClaims {
                    exp: now + 86_400,
                    ..good.clone()
                },
            ),
        ),
    ];
    for (what, bad) in &attacks {
        assert_eq!(
            status_of(&app, bad).await,
            (401, Some("Bearer".to_owned())),
            "{what}"
        );
    }

    // Revoked: the same, still unexpired token after logout.
    assert_eq!(status_of(&app, &token).await.0, 200);
    let r = app
        .call(
            "POST",
            "/api/v1/auth/logout",
            Some(&token),
            Some(serde_json::json!({})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(
        status_of(&app, &token).await,
        (401, Some("Bearer".to_owned())),
        "revoked"
    );
    // ...on the reads sent with their session check (one round trip), a list and one
    // record: nothing they read is handed back.
    for path in [
        "/api/v1/episodes?limit=5".to_owned(),
        format!("/api/v1/episodes/{}", uuid::Uuid::new_v4()),
        "/api/v1/persons?name=a".to_owned(),
    ] {
        let r = app.call("GET", &path, Some(&token), None).await;
        r.problem(401);
        assert!(
            !r.body.to_string().contains("reference"),
            "{path}: {}",
            r.body
        );
    }
    // ...on a write as well as a read.
    let r = app
        .call(
            "POST",
            "/api/v1/persons",
            Some(&token),
            Some(serde_json::json!({ "given_name": "A", "family_name": "B" })),
        )
        .await;
    r.problem(401);
    // ...and on a report, whose first reads go with its session check.
    let r = app
        .call(
            "POST",
            "/api/v1/episodes",
            Some(&token),
            Some(crate::episodes::report_body(
                &serde_json::json!(uuid::Uuid::new_v4()),
                1,
            )),
        )
        .await;
    r.problem(401);
}
