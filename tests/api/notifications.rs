//! Notifications against a real SMTP server on loopback (`smtp_sink`): the right
//! messages to the right recipients for each event, nothing sent for a rolled-back
//! transaction, no loss when SMTP is down, retries, dead letters, several workers,
//! a worker dying mid-send, timers enqueueing once, and no personal details anywhere.

use std::time::Duration;

use chrono::Utc;
use diesel::sql_types::BigInt;
use diesel::QueryableByName;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::episodes::{person, report, report_body};
use crate::helpers::{spawn_app, TestApp, ADMIN, MFHC};
use crate::role_matrix::agency;
use crate::smtp_sink::SmtpSink;
use homeward::db::{self, AuditContext, Pool, Tx};
use homeward::domain::notify::{Event, RecipientKind, RetryPolicy};
use homeward::notify::config::{Security, SmtpSettings};
use homeward::notify::mailer::Mailer;
use homeward::notify::worker::{deliver_batch, BatchReport, WorkerOptions};
use homeward::notify::{self, Links, Outgoing, Recipient};

const LEEDS_MFHC_EMAIL: &str = "mfhc.leeds@demo.homeward.invalid";

fn s(v: &Value) -> String {
    v.as_str().expect("a string").to_owned()
}

pub(crate) fn mailer(sink: &SmtpSink) -> Mailer {
    Mailer::new(&SmtpSettings {
        host: "127.0.0.1".into(),
        port: sink.port,
        security: Security::Plain,
        username: None,
        password: None,
        from: "Homeward <no-reply@homeward.test>".into(),
        timeout: Duration::from_secs(3),
        max_connections: 8,
    })
    .unwrap()
}

/// Retries at once (tests move time by running batches), dead after `max_attempts`.
pub(crate) fn options(id: &str, max_attempts: i32) -> WorkerOptions {
    let mut o = WorkerOptions::new(
        RetryPolicy {
            base: Duration::ZERO,
            cap: Duration::ZERO,
            max_attempts,
        },
        Links::new("http://homeward.test"),
    );
    o.id = id.into();
    o.batch = 10;
    o
}

fn running() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    std::mem::forget(tx);
    rx
}

async fn batch(pool: &Pool, mailer: &Mailer, o: &WorkerOptions) -> BatchReport {
    deliver_batch(pool, mailer, o, &running()).await.unwrap()
}

/// Runs batches until nothing is due.
pub(crate) async fn drain(pool: &Pool, mailer: &Mailer, o: &WorkerOptions) -> BatchReport {
    let mut total = BatchReport::default();
    for _ in 0..100 {
        let r = batch(pool, mailer, o).await;
        if r.handled() == 0 {
            break;
        }
        total.sent += r.sent;
        total.retried += r.retried;
        total.dead += r.dead;
    }
    total
}

#[derive(QueryableByName, Debug)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Text)]
    event: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    recipient: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    status: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    attempts: i32,
    #[diesel(sql_type = diesel::sql_types::Text)]
    message_id: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    content: String,
}

async fn outbox(app: &TestApp) -> Vec<Row> {
    let mut su = app.superuser().await;
    diesel::sql_query(
        "SELECT event, recipient, status, attempts, message_id, subject || body_text || body_html AS content \
           FROM outbox ORDER BY created_at, id",
    )
    .load(&mut su)
    .await
    .unwrap()
}

fn of<'a>(rows: &'a [Row], event: &str) -> Vec<&'a str> {
    rows.iter()
        .filter(|r| r.event == event)
        .map(|r| r.recipient.as_str())
        .collect()
}

/// Queues `n` test notifications to `to` in one committed transaction (no caller, as
/// the scheduler does).
async fn queue(pool: &Pool, n: usize, to: &str) {
    let mut tx = Tx::begin(pool, AuditContext::default()).await.unwrap();
    for i in 0..n {
        let id = uuid::Uuid::now_v7();
        notify::enqueue(
            &mut tx,
            Outgoing {
                notice: notify::notice(
                    Event::ActionDueSoon,
                    format!("ACT-{i:04}"),
                    "a test",
                    "nothing",
                    None,
                    "http://homeward.test/x".into(),
                ),
                event_key: format!("test:{id}"),
                record_type: "action",
                record_id: id,
            },
            vec![Recipient {
                email: to.into(),
                kind: RecipientKind::Agency,
            }],
        )
        .await
        .unwrap();
    }
    tx.finish(Ok(())).await.unwrap();
}

#[actix_rt::test]
async fn each_event_emails_the_right_recipients_and_never_a_personal_detail() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let csc = agency(&app, &admin, "Leeds Children's Social Care").await;
    let leeds = app.call("GET", "/api/v1/me", Some(&mfhc), None).await.body["district_id"].clone();
    // A return-interview provider for Leeds.
    let rhi = app
        .call(
            "POST",
            "/api/v1/agencies",
            Some(&admin),
            Some(json!({
            "name": "Leeds Return Interviews", "agency_type": "return_interview",
            "mailbox": "rhi.leeds@example.invalid", "district_ids": [leeds] })),
        )
        .await;
    assert_eq!(rhi.status, 201, "{}", rhi.body);

    // A child graded high risk: the MFHC hears of the grading (and the high-risk trigger
    // it raised, in the same email) and of the first-time trigger.
    let p = person(&app, &mfhc, "Amyra", "Quillfeather", &[]).await;
    app.call("POST", &format!("/api/v1/persons/{}/markers", s(&p["id"])), Some(&mfhc),
        Some(json!({ "kind": "cse_risk", "source": "CSC", "details": "Seen with older males", "review_on": "2030-01-01" })))
        .await;
    let mut body = report_body(&p["id"], 3);
    body["risk"]["level"] = json!("high");
    body["circumstances"] = json!("Left after an argument about a boyfriend");
    let e = app
        .call("POST", "/api/v1/episodes", Some(&mfhc), Some(body))
        .await;
    assert_eq!(e.status, 201, "{}", e.body);
    let rows = outbox(&app).await;
    assert_eq!(of(&rows, "high_risk_episode"), vec![LEEDS_MFHC_EMAIL]);
    assert_eq!(
        of(&rows, "trigger_fired"),
        vec![LEEDS_MFHC_EMAIL],
        "the first-time trigger; the high-risk one is in the high-risk email"
    );

    // The child returns: the interview provider is told the interview is due.
    let ep = format!("/api/v1/episodes/{}", s(&e.body["id"]));
    let a = app
        .call_if_match(
            "POST",
            &format!("{ep}/status"),
            &mfhc,
            &e.body["version"],
            json!({ "status": "active" }),
        )
        .await;
    let r = app
        .call_if_match(
            "POST",
            &format!("{ep}/return"),
            &mfhc,
            &a.body["version"],
            json!({
        "returned_at": (Utc::now() - chrono::Duration::hours(1)).to_rfc3339(), "location": "Home",
        "how": "found_by_police", "harm_suffered": true, "harm_details": "Bruising" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Shared with CSC, and an action for it.
    let sh = app
        .call(
            "POST",
            "/api/v1/shares",
            Some(&mfhc),
            Some(json!({
        "record_type": "episode", "record_id": e.body["id"], "agency_id": csc, "parts": ["summary"],
        "purpose": "Safeguarding", "lawful_basis": "DPA 2018 s.35" })),
        )
        .await;
    assert_eq!(sh.status, 201, "{}", sh.body);
    let act = app
        .call(
            "POST",
            "/api/v1/actions",
            Some(&mfhc),
            Some(json!({
        "episode_id": e.body["id"], "owner_agency_id": csc, "description": "Strategy meeting",
        "due_on": (Utc::now().date_naive() + chrono::Duration::days(5)).to_string() })),
        )
        .await;
    assert_eq!(act.status, 201, "{}", act.body);

    // A looked-after child placed in Leeds by Barnsley goes missing: Barnsley is told.
    let c = app.call("POST", "/api/v1/persons", Some(&mfhc), Some(json!({
        "given_name": "Bexley", "family_name": "Marchbanks", "date_of_birth": "2012-05-05", "looked_after": true }))).await;
    app.call("POST", &format!("/api/v1/persons/{}/placements", s(&c.body["id"])), Some(&mfhc), Some(json!({
        "kind": "unregulated_childrens_home", "placing_authority": "E08000016", "host_authority": "E08000035",
        "starts_on": "2026-01-01" }))).await;
    let mut body = report_body(&c.body["id"], 1);
    body["missing_from"] = json!("care_placement");
    let lac = app
        .call("POST", "/api/v1/episodes", Some(&mfhc), Some(body))
        .await;
    assert_eq!(lac.status, 201, "{}", lac.body);

    let rows = outbox(&app).await;
    assert_eq!(
        of(&rows, "return_interview_due"),
        vec!["rhi.leeds@example.invalid"]
    );
    assert_eq!(
        of(&rows, "record_shared"),
        vec!["csc.leeds@example.invalid"]
    );
    assert_eq!(
        of(&rows, "action_assigned"),
        vec!["csc.leeds@example.invalid"]
    );
    assert_eq!(
        of(&rows, "looked_after_missing_out_of_area"),
        vec!["lac.missing@barnsley.gov.example.invalid"]
    );
    // Each email is a disclosure in the audit log, with its recipients.
    let audit = app
        .call(
            "GET",
            &format!(
                "/api/v1/audit?record_id={}&operation=disclosure",
                s(&lac.body["id"])
            ),
            Some(&admin),
            None,
        )
        .await;
    let recipients: Vec<&Value> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["recipients"].as_array().unwrap().iter())
        .collect();
    assert!(
        recipients.contains(&&json!("lac.missing@barnsley.gov.example.invalid")),
        "{recipients:?}"
    );

    // Delivered: each to its recipient, with the reference and never a name, marker or
    // circumstance.
    let sink = SmtpSink::start().await;
    let pool = db::build_pool(&app.app_url, 4).unwrap();
    let report = drain(&pool, &mailer(&sink), &options("w1", 3)).await;
    assert_eq!(report.sent, rows.len());
    let got = sink.received();
    assert_eq!(got.len(), rows.len());
    let secrets = [
        "Amyra",
        "Quillfeather",
        "Bexley",
        "Marchbanks",
        "boyfriend",
        "older males",
        "Bruising",
        "cse",
    ];
    // A sent message's MIME boundary is 40 random letters and digits, which can spell
    // "cse" by chance: it is framing, not content, so it is taken out before the search.
    let sent: Vec<String> = got.iter().map(|m| without_boundaries(&m.data)).collect();
    for (m, framed) in got.iter().zip(&sent) {
        if m.data.contains("multipart/") {
            assert!(
                framed.len() < m.data.len(),
                "no boundary found in {}",
                m.data
            );
        }
    }
    for (what, content) in rows
        .iter()
        .map(|r| ("stored", &r.content))
        .chain(sent.iter().map(|m| ("sent", m)))
    {
        for secret in secrets {
            assert!(
                !content.contains(secret),
                "{secret} leaked in a {what} message: {content}"
            );
        }
    }
    let to_barnsley = got
        .iter()
        .find(|m| m.to == ["lac.missing@barnsley.gov.example.invalid"])
        .unwrap();
    let reference = s(&lac.body["reference"]);
    assert!(to_barnsley.header("Subject").unwrap().contains(&reference));
    let stored = rows
        .iter()
        .find(|r| r.event == "looked_after_missing_out_of_area")
        .unwrap();
    assert!(stored.content.contains(&reference));
    assert!(stored.content.contains(&format!(
        "http://homeward.test/episodes/{}",
        s(&lac.body["id"])
    )));
    assert_eq!(to_barnsley.header("Message-ID").unwrap(), stored.message_id);
    assert!(
        to_barnsley.data.contains("text/html"),
        "plain text and HTML"
    );
}

#[actix_rt::test]
async fn a_rolled_back_transaction_enqueues_nothing_and_an_event_enqueues_once() {
    let app = spawn_app().await;
    let pool = db::build_pool(&app.app_url, 2).unwrap();
    let out = |key: &str| Outgoing {
        notice: notify::notice(
            Event::RecordShared,
            "X".into(),
            "w",
            "n",
            None,
            "http://h/x".into(),
        ),
        event_key: key.into(),
        record_type: "share",
        record_id: uuid::Uuid::now_v7(),
    };
    let to = || {
        vec![Recipient {
            email: "a@example.invalid".into(),
            kind: RecipientKind::Agency,
        }]
    };
    let mut tx = Tx::begin(&pool, AuditContext::default()).await.unwrap();
    notify::enqueue(&mut tx, out("rolled-back"), to())
        .await
        .unwrap();
    let _ = tx
        .finish::<()>(Err(homeward::error::AppError::Conflict("no".into())))
        .await;
    assert!(
        outbox(&app).await.is_empty(),
        "a rolled-back event sends nothing"
    );
    for _ in 0..2 {
        let mut tx = Tx::begin(&pool, AuditContext::default()).await.unwrap();
        notify::enqueue(&mut tx, out("once"), to()).await.unwrap();
        tx.finish(Ok(())).await.unwrap();
    }
    assert_eq!(
        outbox(&app).await.len(),
        1,
        "the same event and recipient enqueue once"
    );
}

#[actix_rt::test]
async fn smtp_down_loses_nothing_and_the_backlog_drains_when_it_returns() {
    let app = spawn_app().await;
    let pool = db::build_pool(&app.app_url, 4).unwrap();
    queue(&pool, 12, "agency@example.invalid").await;
    let sink = SmtpSink::start().await;
    sink.stop();
    let m = mailer(&sink);
    let o = options("w1", 20);
    let down = batch(&pool, &m, &o).await;
    assert_eq!((down.sent, down.retried), (0, 10));
    assert!(
        outbox(&app).await.iter().all(|r| r.status == "pending"),
        "nothing lost"
    );
    sink.restart().await;
    let up = drain(&pool, &m, &o).await;
    assert_eq!(up.sent, 12);
    assert_eq!(sink.received().len(), 12);
    assert!(outbox(&app).await.iter().all(|r| r.status == "sent"));
}

#[actix_rt::test]
async fn a_temporary_failure_then_success_delivers_exactly_once() {
    let app = spawn_app().await;
    let pool = db::build_pool(&app.app_url, 4).unwrap();
    queue(&pool, 1, "agency@example.invalid").await;
    let sink = SmtpSink::start().await;
    sink.reply_next(&[451]);
    let m = mailer(&sink);
    let o = options("w1", 5);
    assert_eq!(batch(&pool, &m, &o).await.retried, 1);
    assert!(sink.received().is_empty());
    assert_eq!(batch(&pool, &m, &o).await.sent, 1);
    assert_eq!(sink.received().len(), 1);
    let rows = outbox(&app).await;
    assert_eq!((rows[0].status.as_str(), rows[0].attempts), ("sent", 2));
}

#[actix_rt::test]
async fn permanent_failures_are_dead_lettered_after_n_attempts_and_admins_are_alerted() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let pool = db::build_pool(&app.app_url, 4).unwrap();
    queue(&pool, 1, "nobody@example.invalid").await;
    let sink = SmtpSink::start().await;
    sink.reply_always(Some(550));
    let m = mailer(&sink);
    let o = options("w1", 3);
    let r = drain(&pool, &m, &o).await;
    assert_eq!(
        (r.retried, r.dead),
        (2 + 2, 2),
        "the message and then the alert, 3 tries each"
    );
    let rows = outbox(&app).await;
    let dead: Vec<&Row> = rows.iter().filter(|r| r.status == "dead").collect();
    assert_eq!(dead.len(), 2);
    assert!(dead.iter().all(|r| r.attempts == 3));
    assert_eq!(
        of(&rows, "dead_letter"),
        vec!["sysadmin@demo.homeward.invalid"],
        "one alert, never an alert about an alert"
    );

    // The admin sees it and retries it once the server accepts mail again.
    let list = app
        .call(
            "GET",
            "/api/v1/notifications?status=dead&event=action_due_soon",
            Some(&admin),
            None,
        )
        .await;
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", list.body);
    assert!(items[0]["last_error"].as_str().unwrap().contains("550"));
    let id = s(&items[0]["id"]);
    let retried = app
        .call(
            "POST",
            &format!("/api/v1/notifications/{id}/retry"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(retried.status, 200, "{}", retried.body);
    assert_eq!(
        (
            retried.body["status"].clone(),
            retried.body["attempts"].clone()
        ),
        (json!("pending"), json!(0))
    );
    app.call(
        "POST",
        &format!("/api/v1/notifications/{id}/retry"),
        Some(&admin),
        None,
    )
    .await
    .problem(409);
    sink.reply_always(None);
    assert_eq!(batch(&pool, &m, &o).await.sent, 1);
    assert_eq!(sink.received()[0].to, ["nobody@example.invalid"]);
}

#[actix_rt::test]
async fn two_workers_never_send_the_same_message_twice() {
    let app = spawn_app().await;
    let pool = db::build_pool(&app.app_url, 8).unwrap();
    queue(&pool, 60, "agency@example.invalid").await;
    let sink = SmtpSink::start().await;
    let (m1, m2) = (mailer(&sink), mailer(&sink));
    let (o1, o2) = (options("w1", 3), options("w2", 3));
    let (a, b) = tokio::join!(drain(&pool, &m1, &o1), drain(&pool, &m2, &o2));
    assert_eq!(a.sent + b.sent, 60);
    let got = sink.received();
    assert_eq!(got.len(), 60);
    let mut ids: Vec<String> = got
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 60, "every message exactly once");
}

#[actix_rt::test]
async fn a_worker_killed_mid_batch_loses_its_rows_at_once_and_repeats_nothing_sent() {
    use diesel_async::AsyncConnection;
    let app = spawn_app().await;
    let pool = db::build_pool(&app.app_url, 4).unwrap();
    queue(&pool, 3, "agency@example.invalid").await;
    let sink = SmtpSink::start().await;
    let m = mailer(&sink);
    // A worker in another process: its own connection, its presence, a 5-minute lease.
    let mut doomed = diesel_async::AsyncPgConnection::establish(&app.app_url)
        .await
        .unwrap();
    homeward::db::outbox::present(&mut doomed, "doomed")
        .await
        .unwrap();
    let claimed = homeward::db::outbox::claim(&mut doomed, "doomed", 10, 300)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
    // It sends the first and records it at once, as a worker does ...
    m.send(&claimed[0]).await.unwrap();
    let marked = homeward::db::outbox::sent(&mut doomed, &[claimed[0].id], "doomed")
        .await
        .unwrap();
    assert_eq!(marked, 1);
    // ... and while it lives, no other worker takes its rows.
    let o = options("w2", 5);
    assert_eq!(
        batch(&pool, &m, &o).await.handled(),
        0,
        "held while the worker lives"
    );
    // It dies mid-batch (its connection closes with it): its rows are free at once, with
    // the lease still four minutes and more to run.
    drop(doomed);
    let started = std::time::Instant::now();
    let mut sent = 0;
    while sent < 2 && started.elapsed() < std::time::Duration::from_secs(5) {
        sent += batch(&pool, &m, &o).await.sent;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(sent, 2, "taken back within seconds, not at the lease's end");
    // Every message went out once: the one sent before the crash is not repeated, and
    // the rest keep their Message-IDs.
    let got = sink.received();
    let mut ids: Vec<String> = got
        .iter()
        .map(|g| g.header("Message-ID").unwrap())
        .collect();
    ids.sort();
    let mut want: Vec<String> = claimed.iter().map(|c| c.message_id.clone()).collect();
    want.sort();
    assert_eq!(ids, want);
    let rows = outbox(&app).await;
    assert!(rows.iter().all(|r| r.status == "sent"), "{rows:?}");
}

/// Polls `done` every 20 ms until it holds; fails the test after `limit`.
async fn wait_for(what: &str, limit: std::time::Duration, done: impl Fn() -> bool) {
    let started = std::time::Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// A child process killed (and reaped) when dropped, so a failing assertion leaves no
/// worker running.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `homeward worker` as its own process, against this test's database and the sink.
fn worker_process(
    app: &crate::helpers::TestApp,
    sink: &SmtpSink,
    dir: &std::path::Path,
) -> KillOnDrop {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_homeward"));
    // Nothing of the test run's own environment (a DATABASE_URL, HOMEWARD_*) leaks in.
    for (key, _) in std::env::vars() {
        if key.starts_with("HOMEWARD_") || key == "DATABASE_URL" {
            command.env_remove(key);
        }
    }
    let child = command
        .arg("worker")
        .env("DATABASE_URL", &app.admin_url)
        .env("HOMEWARD_APP_DATABASE_URL", &app.app_url)
        .env("HOMEWARD_JWT_SECRET", "x".repeat(32))
        .env("HOMEWARD_DATA_DIR", dir)
        .env(
            "HOMEWARD_SMTP_URL",
            format!("smtp://127.0.0.1:{}", sink.port),
        )
        .env("HOMEWARD_SMTP_ALLOW_PLAIN", "local")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start homeward worker");
    KillOnDrop(child)
}

/// Issue 21: the worker process is killed (SIGKILL, no chance to hand anything back) in the
/// middle of a batch, under a slow mail server, and started again. Every alert is
/// delivered within seconds of the restart, not when the 5-minute lease runs out, and at
/// most the one message in flight at the kill goes out twice.
#[actix_rt::test]
async fn a_worker_process_killed_mid_batch_delivers_everything_within_seconds_of_its_restart() {
    use std::time::{Duration, Instant};
    let app = spawn_app().await;
    let pool = db::build_pool(&app.app_url, 4).unwrap();
    let n = 12;
    queue(&pool, n, "killed@example.invalid").await;
    let want: std::collections::BTreeSet<String> = outbox(&app)
        .await
        .into_iter()
        .filter(|r| r.recipient == "killed@example.invalid")
        .map(|r| r.message_id)
        .collect();
    assert_eq!(want.len(), n);
    let sink = SmtpSink::start().await;
    sink.delay_each(Duration::from_millis(150));
    let dir =
        std::env::temp_dir().join(format!("homeward-worker-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let ours = |sink: &SmtpSink| -> Vec<String> {
        sink.received()
            .iter()
            .filter_map(|g| g.header("Message-ID"))
            .filter(|id| want.contains(id))
            .collect()
    };
    let mut first = worker_process(&app, &sink, &dir);
    wait_for("the first worker sends", Duration::from_secs(30), || {
        ours(&sink).len() >= 3
    })
    .await;
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    let at_kill = ours(&sink).len();
    assert!(
        at_kill < n,
        "killed in the middle of the batch ({at_kill} of {n} sent)"
    );

    let restarted = Instant::now();
    let second = worker_process(&app, &sink, &dir);
    wait_for(
        "every alert delivered after the restart",
        Duration::from_secs(15),
        || {
            ours(&sink)
                .into_iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len()
                == n
        },
    )
    .await;
    let took = restarted.elapsed();
    // Anything still in flight is sent by now; then the second worker stops.
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(second);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        took < Duration::from_secs(10),
        "delivered {took:?} after the restart"
    );
    let got = ours(&sink);
    let repeats = got.len() - n;
    assert!(repeats <= 1, "{repeats} messages went out twice: {got:?}");
    let rows = outbox(&app).await;
    assert!(
        rows.iter()
            .filter(|r| r.recipient == "killed@example.invalid")
            .all(|r| r.status == "sent"),
        "{rows:?}"
    );
}

#[actix_rt::test]
async fn a_worker_whose_presence_connection_broke_takes_it_again() {
    let app = spawn_app().await;
    let pool = db::build_pool(&app.app_url, 4).unwrap();
    let sink = SmtpSink::start().await;
    let m = mailer(&sink);
    let o = options("w-lost", 5);
    queue(&pool, 1, "agency@example.invalid").await;
    assert_eq!(batch(&pool, &m, &o).await.sent, 1);
    let alive = || async {
        let mut conn = pool.get().await.unwrap();
        homeward::db::outbox::alive(&mut conn, "w-lost")
            .await
            .unwrap()
    };
    assert!(alive().await);
    // Its presence connection is cut (a network blip, a restarted backend).
    let mut su = app.superuser().await;
    su.batch_execute(
        "SELECT pg_terminate_backend(pid) FROM pg_locks \
          WHERE locktype = 'advisory' AND classid = 1213484872 AND pid <> pg_backend_pid()",
    )
    .await
    .unwrap();
    let mut gone = false;
    for _ in 0..50 {
        if !alive().await {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(gone, "the lock went with the connection");
    // The next batch takes it again before claiming, so nobody mistakes it for dead.
    queue(&pool, 1, "agency@example.invalid").await;
    assert_eq!(batch(&pool, &m, &o).await.sent, 1);
    assert!(alive().await);
}

#[actix_rt::test]
async fn a_stopping_worker_hands_back_what_it_has_not_sent() {
    let app = spawn_app().await;
    let pool = db::build_pool(&app.app_url, 4).unwrap();
    queue(&pool, 3, "agency@example.invalid").await;
    let sink = SmtpSink::start().await;
    let (stop, stopped) = watch::channel(true);
    let r = deliver_batch(&pool, &mailer(&sink), &options("w1", 3), &stopped)
        .await
        .unwrap();
    drop(stop);
    assert_eq!((r.sent, r.released), (0, 3));
    let rows = outbox(&app).await;
    assert!(
        rows.iter()
            .all(|r| r.status == "pending" && r.attempts == 0),
        "released, attempt not counted"
    );
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[actix_rt::test]
async fn timers_enqueue_each_due_notification_exactly_once() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let (bradford, _) = app.login(crate::episodes::BRADFORD_MFHC).await;
    let csc = agency(&app, &admin, "Leeds Children's Social Care").await;
    let p = person(&app, &mfhc, "Cy", "Timer", &[]).await;
    let e = report(&app, &mfhc, &p["id"], 2).await;
    let ep = format!("/api/v1/episodes/{}", s(&e["id"]));
    let a = app
        .call_if_match(
            "POST",
            &format!("{ep}/status"),
            &mfhc,
            &e["version"],
            json!({ "status": "active" }),
        )
        .await;
    app.call_if_match("POST", &format!("{ep}/return"), &mfhc, &a.body["version"], json!({
        "returned_at": Utc::now().to_rfc3339(), "location": "Home", "how": "self_returned", "harm_suffered": false })).await;
    let action = app
        .call(
            "POST",
            "/api/v1/actions",
            Some(&mfhc),
            Some(json!({
        "episode_id": e["id"], "owner_agency_id": csc, "description": "Visit",
        "due_on": (Utc::now().date_naive() + chrono::Duration::days(1)).to_string() })),
        )
        .await;
    assert_eq!(action.status, 201);
    let late = app
        .call(
            "POST",
            "/api/v1/actions",
            Some(&mfhc),
            Some(json!({
            "episode_id": e["id"], "owner_agency_id": csc, "description": "Call",
            "due_on": Utc::now().date_naive().to_string() })),
        )
        .await;
    assert_eq!(late.status, 201);
    let other = person(&app, &mfhc, "Di", "Timer", &[]).await;
    report(&app, &mfhc, &other["id"], 1).await;
    // Time passes: the interview deadline and the review are missed; the trigger is
    // left unacknowledged.
    let mut su = app.superuser().await;
    su.batch_execute(&format!(
        "UPDATE return_home_interviews SET due_at = now() - interval '1 hour';
         UPDATE episodes SET next_review_due = now() - interval '5 minutes' WHERE person_id = '{}';
         UPDATE triggers SET escalation_due_at = now() - interval '1 minute';
         UPDATE actions SET due_on = current_date - 1 WHERE id = '{}';",
        s(&other["id"]),
        s(&late.body["id"])
    ))
    .await
    .unwrap();
    // The Leeds MFHC opts out of the digest; Bradford's does not.
    let pref = app
        .call(
            "PUT",
            "/api/v1/me/preferences",
            Some(&mfhc),
            Some(json!({ "daily_digest": false })),
        )
        .await;
    assert_eq!(pref.body, json!({ "daily_digest": false }));
    assert_eq!(
        app.call("GET", "/api/v1/me/preferences", Some(&bradford), None)
            .await
            .body,
        json!({ "daily_digest": true })
    );

    let pool = db::build_pool(&app.app_url, 2).unwrap();
    let links = Links::new("http://homeward.test");
    let seven = homeward::notify::scheduler::Timers {
        digest_hour: 7,
        ..Default::default()
    };
    let morning = Utc::now()
        .date_naive()
        .and_hms_opt(9, 0, 0)
        .unwrap()
        .and_utc();
    let first = homeward::notify::scheduler::tick(
        &pool,
        &links,
        morning,
        &homeward::notify::scheduler::Timers {
            digest_hour: 7,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        first.escalations, 2,
        "two open first-time triggers, to the Leeds MFHC"
    );
    assert_eq!(first.interviews_overdue, 1);
    assert_eq!(first.reviews_overdue, 1, "to the Leeds supervisor");
    assert_eq!(first.actions, 2, "one due tomorrow, one overdue");
    assert_eq!(
        of(&outbox(&app).await, "action_overdue"),
        vec!["csc.leeds@example.invalid"]
    );
    let rows = outbox(&app).await;
    assert_eq!(
        of(&rows, "review_overdue"),
        vec!["supervisor.leeds@demo.homeward.invalid"]
    );
    assert_eq!(
        of(&rows, "return_interview_overdue"),
        vec![LEEDS_MFHC_EMAIL]
    );
    assert_eq!(
        of(&rows, "action_due_soon"),
        vec!["csc.leeds@example.invalid"]
    );
    assert_eq!(
        of(&rows, "mfhc_digest"),
        vec!["mfhc.bradford@demo.homeward.invalid"],
        "the Leeds MFHC opted out"
    );
    assert_eq!(
        of(&rows, "agency_digest"),
        vec!["csc.leeds@example.invalid"]
    );
    // Again: nothing new.
    let again = homeward::notify::scheduler::tick(
        &pool,
        &links,
        morning,
        &homeward::notify::scheduler::Timers {
            digest_hour: 7,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(again, Default::default());
    // Before the digest hour no digests are due; the next day's come once.
    let early = morning + chrono::Duration::days(1) - chrono::Duration::hours(4);
    assert_eq!(
        homeward::notify::scheduler::tick(&pool, &links, early, &seven)
            .await
            .unwrap()
            .digests,
        0
    );
    let next_day = morning + chrono::Duration::days(1);
    assert_eq!(
        homeward::notify::scheduler::tick(&pool, &links, next_day, &seven)
            .await
            .unwrap()
            .digests,
        2
    );
    let n: Count =
        diesel::sql_query("SELECT count(*) AS n FROM outbox WHERE event = 'trigger_escalated'")
            .get_result(&mut su)
            .await
            .unwrap();
    assert_eq!(n.n, 2);
}

/// A raw message with each MIME boundary (`boundary="…"` in its headers) removed wherever
/// it appears.
fn without_boundaries(data: &str) -> String {
    let mut out = data.to_owned();
    let boundaries: Vec<String> = data
        .split("boundary=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|b| !b.is_empty())
        .map(str::to_owned)
        .collect();
    for b in boundaries {
        out = out.replace(&b, "");
    }
    out
}
