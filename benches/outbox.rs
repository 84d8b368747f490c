//! Outbox throughput: queue 10,000 notifications, then drain them through the delivery
//! worker to a local SMTP sink (the tests' loopback server), against a private cluster
//! with fsync on. Reports messages per second and the time to drain.
//! Run: `cargo bench --bench outbox` (set `OUTBOX_BENCH_N` for another count).

#[allow(dead_code)]
#[path = "../tests/api/smtp_sink.rs"]
mod smtp_sink;

use std::time::{Duration, Instant};

use homeward::db::{self, AuditContext, Tx};
use homeward::domain::notify::{Event, RecipientKind, RetryPolicy};
use homeward::notify::config::{Security, SmtpSettings};
use homeward::notify::mailer::Mailer;
use homeward::notify::worker::{deliver_batch, WorkerOptions};
use homeward::notify::{self, Links, Outgoing, Recipient};
use homeward::tooling::pg_cluster::{Cluster, ClusterOptions};

fn main() {
    let n: usize = std::env::var("OUTBOX_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let data_dir =
        std::env::temp_dir().join(format!("homeward-bench-{}", uuid::Uuid::new_v4().simple()));
    let cluster = Cluster::start(ClusterOptions {
        data_dir,
        ephemeral: true,
        unsafe_fast: false,
    })
    .expect("cluster");
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run(&cluster, n));
    cluster.stop().expect("stop");
}

async fn run(cluster: &Cluster, n: usize) {
    let maintenance = cluster.url(cluster.superuser(), "postgres");
    homeward::provision::ensure_database(&maintenance, "bench")
        .await
        .expect("db");
    let admin = cluster.url(cluster.superuser(), "bench");
    homeward::db::migrate::run(&admin).await.expect("migrate");
    let app_url = homeward::provision::fresh_app_url(&admin)
        .await
        .expect("the runtime role's login");
    let pool = db::build_pool(&app_url, 16).unwrap();

    // Queue: in transactions of 500, as events would (each row rendered and audited).
    let queued = Instant::now();
    for chunk in 0..n.div_ceil(500) {
        let mut tx = Tx::begin(&pool, AuditContext::default()).await.unwrap();
        for i in chunk * 500..((chunk + 1) * 500).min(n) {
            let id = uuid::Uuid::now_v7();
            notify::enqueue(
                &mut tx,
                Outgoing {
                    notice: notify::notice(
                        Event::ActionDueSoon,
                        format!("ACT-{i:06}"),
                        "the action is due tomorrow",
                        "Complete it, or record its progress",
                        None,
                        format!("http://homeward.test/api/v1/actions/{id}"),
                    ),
                    event_key: format!("bench:{id}"),
                    record_type: "action",
                    record_id: id,
                },
                vec![Recipient {
                    email: format!("agency{}@example.invalid", i % 50),
                    kind: RecipientKind::Agency,
                }],
            )
            .await
            .unwrap();
        }
        tx.finish(Ok(())).await.unwrap();
    }
    let queue_time = queued.elapsed();

    let sink = smtp_sink::SmtpSink::start().await;
    let mailer = Mailer::new(&SmtpSettings {
        host: "127.0.0.1".into(),
        port: sink.port,
        security: Security::Plain,
        username: None,
        password: None,
        from: "Homeward <no-reply@homeward.test>".into(),
        timeout: Duration::from_secs(10),
        max_connections: 32,
    })
    .unwrap();
    let mut options =
        WorkerOptions::new(RetryPolicy::default(), Links::new("http://homeward.test"));
    options.batch = 200;
    options.concurrency = 32;
    let (_stop, running) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let mut sent = 0;
    while sent < n {
        let r = deliver_batch(&pool, &mailer, &options, &running)
            .await
            .unwrap();
        assert_eq!(
            r.retried + r.dead,
            0,
            "no failures expected against the sink"
        );
        if r.handled() == 0 {
            break;
        }
        sent += r.sent;
    }
    let drain = started.elapsed();
    assert_eq!(sink.received().len(), n, "every message delivered once");
    println!("outbox benchmark: {n} notifications");
    println!(
        "  enqueue (500 per transaction, rendered + audited): {:.2} s ({:.0}/s)",
        queue_time.as_secs_f64(),
        n as f64 / queue_time.as_secs_f64()
    );
    println!(
        "  drain to the SMTP sink (batch 200, 32 in flight): {:.2} s ({:.0} messages/s)",
        drain.as_secs_f64(),
        n as f64 / drain.as_secs_f64()
    );
}
