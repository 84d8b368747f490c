//! Resource limits: the write quota (429 with `Retry-After`), slow clients (408, nothing
//! stored), deeply nested and oversized bodies, and page sizes above the cap on every
//! list the spec documents; the connections held, whichever worker answers.

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use homeward::limits::Limits;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{demo_user, spawn_app, spawn_app_with_limits, TestApp, ADMIN, MFHC};

fn person(n: usize) -> Value {
    json!({ "given_name": "Quota", "family_name": format!("Person{n}") })
}

#[actix_rt::test]
async fn writes_over_an_accounts_quota_get_429_with_retry_after() {
    // 8 a minute: a burst of 2, then one every 7.5 s.
    let app = spawn_app_with_limits(Limits {
        writes_per_minute: NonZeroU32::new(8).unwrap(),
        ..Limits::default()
    })
    .await;
    let (mfhc, _) = app.login(MFHC).await;
    for n in 0..2 {
        let r = app
            .call("POST", "/api/v1/persons", Some(&mfhc), Some(person(n)))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let r = app
        .call("POST", "/api/v1/persons", Some(&mfhc), Some(person(2)))
        .await;
    r.problem(429);
    let wait: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=8).contains(&wait), "{wait}");
    // Nothing of the refused write was stored.
    let found = app
        .call("GET", "/api/v1/persons?name=Person2", Some(&mfhc), None)
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.body["items"], json!([]), "{}", found.body);
    // Reads are not counted, and another account's quota is its own.
    let r = app.call("GET", "/api/v1/persons", Some(&mfhc), None).await;
    assert_eq!(r.status, 200);
    let (officer, _) = app.login(demo_user("officer")).await;
    let r = app
        .call("POST", "/api/v1/persons", Some(&officer), Some(person(3)))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    // A forged token spends no one's quota: it is refused as unauthenticated.
    let r = app
        .call(
            "POST",
            "/api/v1/persons",
            Some("not.a.token"),
            Some(person(4)),
        )
        .await;
    r.problem(401);
}

#[actix_rt::test]
async fn a_revoked_token_spends_none_of_its_accounts_quota() {
    // A burst of 2: had the revoked token's writes been counted, the new session's first
    // write would be refused.
    let app = spawn_app_with_limits(Limits {
        writes_per_minute: NonZeroU32::new(8).unwrap(),
        ..Limits::default()
    })
    .await;
    let (revoked, _) = app.login(MFHC).await;
    let out = app
        .call("POST", "/api/v1/auth/logout", Some(&revoked), None)
        .await;
    assert!(out.status < 300, "{}", out.body);
    for n in 0..6 {
        let r = app
            .call(
                "POST",
                "/api/v1/persons",
                Some(&revoked),
                Some(person(10 + n)),
            )
            .await;
        r.problem(401);
    }
    let (fresh, _) = app.login(MFHC).await;
    for n in 0..2 {
        let r = app
            .call(
                "POST",
                "/api/v1/persons",
                Some(&fresh),
                Some(person(20 + n)),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
}

/// Sends `head` (and `body`) on a raw connection, then waits for the answer.
async fn raw(app: &TestApp, bytes: &[u8]) -> (String, Duration) {
    let addr = app.address.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(bytes).await.expect("write");
    let started = Instant::now();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer)).await;
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

#[actix_rt::test]
async fn a_client_that_sends_its_body_too_slowly_gets_408_and_nothing_is_stored() {
    let app = spawn_app_with_limits(Limits {
        request_timeout: Duration::from_secs(2),
        ..crate::helpers::test_limits()
    })
    .await;
    let (mfhc, _) = app.login(MFHC).await;
    let body = person(9).to_string();
    // The whole head, then half the body, then nothing.
    let partial = format!(
        "POST /api/v1/persons HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {mfhc}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        body.len(),
        &body[..body.len() / 2]
    );
    let (answer, waited) = raw(&app, partial.as_bytes()).await;
    assert!(
        answer.starts_with("HTTP/1.1 408"),
        "after {waited:?}: {answer}"
    );
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("/problems/request-timeout"), "{answer}");
    assert!(waited < Duration::from_secs(10), "{waited:?}");
    let found = app
        .call("GET", "/api/v1/persons?name=Person9", Some(&mfhc), None)
        .await;
    assert_eq!(found.body["items"], json!([]), "{}", found.body);
    // The service goes on answering.
    let r = app.call("GET", "/health", None, None).await;
    assert_eq!(r.status, 200);
}

#[actix_rt::test]
async fn a_client_that_never_finishes_its_head_is_cut_off() {
    let app = spawn_app_with_limits(Limits {
        request_timeout: Duration::from_secs(2),
        ..crate::helpers::test_limits()
    })
    .await;
    let (answer, waited) = raw(&app, b"GET /api/v1/me HTTP/1.1\r\nHost: loc").await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    assert!(waited < Duration::from_secs(10), "held for {waited:?}");
}

#[actix_rt::test]
async fn deeply_nested_json_is_a_400_and_the_service_stays_up() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let deep = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let bodies = [
        deep(100_000),
        format!(r#"{{"given_name": {}, "family_name": "X"}}"#, deep(10_000)),
        format!(
            r#"{{"given_name": "A", "family_name": "B", "aliases": {}}}"#,
            deep(5_000)
        ),
    ];
    for body in bodies {
        let req = app
            .client
            .post(app.url("/api/v1/persons"))
            .insert_header(("Authorization", format!("Bearer {mfhc}")))
            .insert_header(("Content-Type", "application/json"));
        let r = app.send(req, Some(body.into_bytes())).await;
        r.problem(400);
    }
    assert_eq!(app.call("GET", "/health", None, None).await.status, 200);
}

#[actix_rt::test]
async fn a_chunked_body_over_the_limit_is_a_413() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let chunk = format!(
        r#"{{"given_name": "{}", "family_name": "X"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    let stream = futures_util::stream::iter(
        chunk
            .into_bytes()
            .chunks(64 * 1024)
            .map(|c| Ok::<_, std::io::Error>(actix_web::web::Bytes::copy_from_slice(c)))
            .collect::<Vec<_>>(),
    );
    let mut res = app
        .client
        .post(app.url("/api/v1/persons"))
        .insert_header(("Authorization", format!("Bearer {mfhc}")))
        .insert_header(("Content-Type", "application/json"))
        .send_stream(stream)
        .await
        .expect("request");
    assert_eq!(res.status().as_u16(), 413);
    let body: Value = serde_json::from_slice(&res.body().await.unwrap()).unwrap();
    assert_eq!(body["type"], "/problems/payload-too-large");
}

#[actix_rt::test]
async fn every_documented_list_refuses_page_sizes_over_the_cap() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let (dpo, _) = app.login(crate::helpers::demo_user("dpo")).await;
    let spec: Value =
        serde_json::from_str(&homeward::routes::openapi::spec_json()).expect("the spec");
    let mut lists = 0;
    for (path, ops) in spec["paths"].as_object().unwrap() {
        let Some(get) = ops.get("get") else { continue };
        let limit = get["parameters"].as_array().and_then(|ps| {
            ps.iter()
                .find(|p| p["name"] == "limit" && p["in"] == "query")
        });
        let Some(limit) = limit else { continue };
        if path.contains('{') {
            continue;
        }
        let max = limit["schema"]["maximum"]
            .as_i64()
            .unwrap_or_else(|| panic!("{path}: limit has no documented maximum"));
        assert_eq!(limit["schema"]["minimum"], json!(1), "{path}");
        lists += 1;
        let extra = if path == "/api/v1/datasets/missing-persons" {
            "&weeks=3"
        } else {
            ""
        };
        for (who, token) in [("admin", &admin), ("mfhc", &mfhc), ("dpo", &dpo)] {
            let over = (max + 1).to_string();
            for limit in [over.as_str(), "0", "-1", "100000000000000000000", "ten"] {
                let r = app
                    .call(
                        "GET",
                        &format!("{path}?limit={limit}{extra}"),
                        Some(token),
                        None,
                    )
                    .await;
                assert!(
                    r.status == 400 || r.status == 403,
                    "{who} GET {path}?limit={limit}: {} {}",
                    r.status,
                    r.body
                );
                r.problem(r.status);
            }
        }
        // The cap itself is allowed to whoever may read the list.
        let at_cap = format!("{path}?limit={max}{extra}");
        let mut ok = false;
        for t in [&admin, &mfhc, &dpo] {
            ok |= app.call("GET", &at_cap, Some(t), None).await.status == 200;
        }
        assert!(ok, "GET {path}?limit={max} should work for someone");
    }
    assert!(lists >= 10, "only {lists} lists found in the spec");
}

#[derive(diesel::QueryableByName)]
struct Backends {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[actix_rt::test]
async fn the_service_holds_no_more_connections_than_its_pool_whichever_worker_answers() {
    use diesel_async::RunQueryDsl;
    // Each HTTP worker has its own part of the pool; the parts together are the pool.
    const POOL: i64 = 4;
    let app = crate::helpers::spawn_app_with_pool(POOL as usize).await;
    let (mfhc, _) = app.login(MFHC).await;
    // More requests at once than the pool has connections, so every part fills.
    let lists = (0..48).map(|_| app.call("GET", "/api/v1/episodes?limit=50", Some(&mfhc), None));
    for r in futures_util::future::join_all(lists).await {
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let mut su = app.superuser().await;
    let held: Backends = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_stat_activity \
          WHERE usename = 'homeward_app' AND datname = current_database()",
    )
    .get_result(&mut su)
    .await
    .unwrap();
    let writers = homeward::db::audit_group::WRITERS as i64;
    assert!(
        held.n <= POOL + writers,
        "{} connections held, more than the pool's {POOL} and the audit writer's {writers}",
        held.n,
    );
}
