//! Chaos: the Postgres backend serving a write killed mid-statement, the whole server
//! stopped and started again, and SMTP down or hanging. Each time the API answers
//! cleanly (503 problem+json, never a 500), stores nothing partial, and recovers by itself.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use diesel::sql_types::{BigInt, Integer};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use homeward::startup::{AppConfig, Application};
use secrecy::SecretSlice;
use serde_json::{json, Value};

use crate::episodes::{report, report_body};
use crate::helpers::{blocking, spawn_app, OwnServer, TestApp, MFHC};

#[derive(QueryableByName, Debug, PartialEq, Eq)]
struct Counts {
    #[diesel(sql_type = BigInt)]
    episodes: i64,
    #[diesel(sql_type = BigInt)]
    gradings: i64,
    #[diesel(sql_type = BigInt)]
    audit: i64,
    #[diesel(sql_type = BigInt)]
    outbox: i64,
    #[diesel(sql_type = BigInt)]
    triggers: i64,
}

async fn counts(conn: &mut AsyncPgConnection) -> Counts {
    diesel::sql_query(
        "SELECT (SELECT count(*) FROM episodes) AS episodes, \
                (SELECT count(*) FROM risk_gradings) AS gradings, \
                (SELECT count(*) FROM audit_log) + (SELECT count(*) FROM audit_queue) AS audit, \
                (SELECT count(*) FROM outbox) AS outbox, \
                (SELECT count(*) FROM triggers) AS triggers",
    )
    .get_result(conn)
    .await
    .expect("counts")
}

#[derive(QueryableByName)]
struct Pid {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

/// The runtime role's backend that is waiting on a lock, once there is one (10 s at most).
async fn waiting_backend(conn: &mut AsyncPgConnection) -> i32 {
    let started = Instant::now();
    loop {
        let found: Vec<Pid> = diesel::sql_query(
            "SELECT pid FROM pg_stat_activity WHERE usename = 'homeward_app' \
             AND datname = current_database() AND wait_event_type = 'Lock'",
        )
        .load(conn)
        .await
        .expect("pg_stat_activity");
        if let Some(p) = <[Pid]>::first(&found) {
            return p.pid;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the write never waited on the lock"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn person(app: &TestApp, token: &str) -> Value {
    let r = app
        .call(
            "POST",
            "/api/v1/persons",
            Some(token),
            Some(json!({ "given_name": "Chaos", "family_name": "Child", "date_of_birth": "2012-05-01" })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

#[actix_rt::test]
async fn a_backend_killed_mid_write_is_a_clean_503_nothing_partial_and_the_service_recovers() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let p = person(&app, &mfhc).await;
    let mut su = app.superuser().await;
    let before = counts(&mut su).await;

    // Hold the episodes table so the report blocks inside its transaction, after its
    // first statements, then kill the backend serving it.
    su.batch_execute("BEGIN; LOCK TABLE episodes IN EXCLUSIVE MODE")
        .await
        .expect("lock");
    let blocked_report = app.call(
        "POST",
        "/api/v1/episodes",
        Some(&mfhc),
        Some(report_body(&p["id"], 1)),
    );
    let kill = async {
        let mut watcher = app.superuser().await;
        let pid = waiting_backend(&mut watcher).await;
        diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
            .execute(&mut watcher)
            .await
            .expect("terminate");
    };
    let (r, ()) = futures_util::future::join(blocked_report, kill).await;
    su.batch_execute("ROLLBACK").await.expect("unlock");

    let problem = r.problem(503);
    assert!(problem["request_id"].is_string(), "{problem}");
    assert_eq!(counts(&mut su).await, before, "nothing of the write stored");

    // The pool drops the dead connection and the service carries on by itself.
    let ready = app.call("GET", "/ready", None, None).await;
    assert_eq!(ready.status, 200, "{}", ready.body);
    report(&app, &mfhc, &p["id"], 1).await;
    let after = counts(&mut su).await;
    assert_eq!(after.episodes, before.episodes + 1);
}

#[actix_rt::test]
async fn with_postgres_stopped_the_api_answers_503_fast_and_recovers_when_it_returns() {
    let mut server = OwnServer::launch("hw-chaos").await;
    let admin_url = server.admin_url("postgres");
    homeward::db::migrate::run(&admin_url)
        .await
        .expect("migrate");
    homeward::seed::reference(&admin_url).await.expect("seed");
    homeward::seed::demo(&admin_url).await.expect("seed demo");
    let app_url = homeward::provision::fresh_app_url(&admin_url)
        .await
        .expect("the runtime role's login");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let app = Application::build(AppConfig {
        listener,
        app_database_url: app_url,
        pool_size: 4,
        jwt_secret: SecretSlice::from(vec![3u8; 32]),
        access_token_ttl_secs: 900,
        session_ttl_secs: 3600,
        review_policy: Default::default(),
        national: Default::default(),
        zone: Default::default(),
        public_url: "http://homeward.test".into(),
        limits: crate::helpers::test_limits(),
        web_idle: std::time::Duration::from_secs(1800),
        audit_anchor: None,
        retention: Default::default(),
    })
    .expect("build");
    actix_rt::spawn(app.server());
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();
    let login = json!({ "email": MFHC.0, "password": MFHC.1 });
    let mut r = client
        .post(format!("{address}/api/v1/auth/login"))
        .send_json(&login)
        .await
        .expect("login");
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    let token = body["access_token"].as_str().unwrap().to_owned();
    let get = |path: &str| {
        client
            .get(format!("{address}{path}"))
            .insert_header(("Authorization", format!("Bearer {token}")))
    };
    assert_eq!(get("/ready").send().await.unwrap().status().as_u16(), 200);
    assert_eq!(
        get("/api/v1/episodes")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );

    let cluster = server.cluster.take().unwrap();
    blocking(move || cluster.stop().expect("stop")).await;

    for path in ["/ready", "/api/v1/episodes", "/api/v1/me"] {
        let started = Instant::now();
        let mut res = get(path).send().await.expect("an answer");
        let took = started.elapsed();
        assert_eq!(res.status().as_u16(), 503, "{path}");
        assert_eq!(
            res.headers().get("content-type").unwrap(),
            "application/problem+json"
        );
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["type"], "/problems/unavailable", "{path}");
        assert!(took < Duration::from_secs(2), "{path} took {took:?}");
    }
    let started = Instant::now();
    let res = client
        .post(format!("{address}/api/v1/persons"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send_json(&json!({ "given_name": "A", "family_name": "B" }))
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 503);
    assert!(started.elapsed() < Duration::from_secs(2));

    let dir = server.data_dir.clone();
    server.cluster = Some(blocking(move || OwnServer::start(dir)).await);
    // Recovery needs no restart of the service: the pool reconnects on the next request.
    let started = Instant::now();
    loop {
        let s = get("/ready").send().await.unwrap().status().as_u16();
        if s == 200 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not ready again"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut me = get("/api/v1/me").send().await.unwrap();
    assert_eq!(me.status().as_u16(), 200, "the session survived");
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["email"], MFHC.0);
}

#[actix_rt::test]
async fn with_smtp_down_or_hanging_the_api_is_unaffected_and_nothing_is_lost() {
    use homeward::notify::config::{Security, SmtpSettings};
    use homeward::notify::mailer::Mailer;
    use homeward::notify::worker::{run, WorkerOptions};

    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    // A server that accepts connections and never says a word.
    let hanging = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = hanging.local_addr().unwrap().port();
    let held = actix_rt::spawn(async move {
        let mut open = Vec::new();
        while let Ok((s, _)) = hanging.accept().await {
            open.push(s);
        }
    });
    let mailer = Mailer::new(&SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        security: Security::Plain,
        username: None,
        password: None,
        from: "Homeward <no-reply@homeward.test>".into(),
        timeout: Duration::from_secs(3),
        max_connections: 4,
    })
    .unwrap();
    let pool = homeward::db::build_pool(&app.app_url, 2).unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = actix_rt::spawn(run(
        pool,
        mailer,
        WorkerOptions::new(Default::default(), homeward::notify::Links::new("http://t")),
        stopped,
    ));

    // Each report of a child fires a first-time trigger and emails the district's MFHCs.
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        let p = person(&app, &mfhc).await;
        let started = Instant::now();
        let e = report(&app, &mfhc, &p["id"], 1).await;
        slowest = slowest.max(started.elapsed());
        let read = app
            .call(
                "GET",
                &format!("/api/v1/episodes/{}", e["id"].as_str().unwrap()),
                Some(&mfhc),
                None,
            )
            .await;
        assert_eq!(read.status, 200);
    }
    assert!(
        slowest < Duration::from_secs(2),
        "a report waited on SMTP: {slowest:?}"
    );
    let _ = stop.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(10), worker).await;
    held.abort();

    let mut su = app.superuser().await;
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        unsent: i64,
        #[diesel(sql_type = BigInt)]
        sent: i64,
    }
    let row: Row = diesel::sql_query(
        "SELECT count(*) FILTER (WHERE status <> 'sent') AS unsent, \
                count(*) FILTER (WHERE status = 'sent') AS sent FROM outbox",
    )
    .get_result(&mut su)
    .await
    .unwrap();
    assert_eq!(row.sent, 0, "nothing can have been delivered");
    assert!(
        row.unsent >= 5,
        "every alert is still queued: {}",
        row.unsent
    );
}
