//! Login timing: wrong password vs unknown account (they must be indistinguishable), and
//! a successful login, measured through HTTP against a private cluster.
//! Run: `cargo bench --bench login`.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use homeward::startup::{AppConfig, Application};
use homeward::tooling::pg_cluster::{Cluster, ClusterOptions};
use secrecy::SecretSlice;
use serde_json::json;

/// Failures from one address are throttled at 50 per window: both failing cases together stay under it.
/// Login credentials for round `i`.
type Creds = fn(usize) -> (String, String);

const ROUNDS: usize = 24;

fn main() {
    let data_dir =
        std::env::temp_dir().join(format!("homeward-bench-{}", uuid::Uuid::new_v4().simple()));
    let cluster = Cluster::start(ClusterOptions {
        data_dir,
        ephemeral: true,
        unsafe_fast: false,
    })
    .expect("cluster");
    actix_rt::System::new().block_on(run(&cluster));
    cluster.stop().expect("stop");
}

async fn run(cluster: &Cluster) {
    let maintenance = cluster.url(cluster.superuser(), "postgres");
    homeward::provision::ensure_database(&maintenance, "bench")
        .await
        .expect("db");
    let admin = cluster.url(cluster.superuser(), "bench");
    let (tx, rx) = std::sync::mpsc::channel();
    let a = admin.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        tx.send(
            rt.block_on(async {
                homeward::db::migrate::run(&a).await.map(|_| ())?;
                homeward::seed::reference(&a).await?;
                homeward::seed::demo(&a).await?;
                homeward::provision::fresh_app_url(&a).await
            })
            .map_err(|e| e.to_string()),
        )
        .unwrap();
    });
    let app_url = rx.recv().unwrap().expect("migrate and seed");
    // Throttling would kick in after 10 failures per account: spread them over many.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let app = Application::build(AppConfig {
        listener,
        app_database_url: app_url,
        pool_size: 8,
        jwt_secret: SecretSlice::from(vec![42u8; 32]),
        access_token_ttl_secs: 900,
        session_ttl_secs: 3600,
        review_policy: Default::default(),
        national: Default::default(),
        zone: Default::default(),
        public_url: "http://homeward.test".into(),
        limits: Default::default(),
        web_idle: std::time::Duration::from_secs(1800),
        audit_anchor: None,
        retention: Default::default(),
    })
    .unwrap();
    let url = format!("http://127.0.0.1:{}/api/v1/auth/login", app.port());
    actix_rt::spawn(app.server());
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(30))
        .finish();

    let cases: [(&str, Creds); 3] = [
        (
            "successful login",
            (|_| {
                (
                    "mfhc.leeds@demo.homeward.invalid".into(),
                    "demo-password-mfhc".into(),
                )
            }),
        ),
        (
            "wrong password",
            (|i| {
                (
                    [
                        "officer.leeds",
                        "supervisor.leeds",
                        "early.action.leeds",
                        "mfhc.bradford",
                    ][i % 4]
                        .to_string()
                        + "@demo.homeward.invalid",
                    "not the password at all".into(),
                )
            }),
        ),
        (
            "unknown account",
            (|i| {
                (
                    format!("nobody{i}@demo.homeward.invalid"),
                    "not the password at all".into(),
                )
            }),
        ),
    ];
    println!(
        "{:<18} {:>10} {:>10} {:>10}",
        "case", "p50 ms", "p90 ms", "status"
    );
    for (name, creds) in cases.iter() {
        let mut times = Vec::with_capacity(ROUNDS);
        let mut status = 0;
        for i in 0..ROUNDS {
            let (email, password) = creds(i);
            let started = Instant::now();
            let res = client
                .post(&url)
                .send_json(&json!({ "email": email, "password": password }))
                .await
                .expect("request");
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            status = res.status().as_u16();
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{:<18} {:>10.1} {:>10.1} {:>10}",
            name,
            times[ROUNDS / 2],
            times[ROUNDS * 9 / 10],
            status
        );
    }
}
