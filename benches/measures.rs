//! The measures report and every dataset endpoint at scale, warm, through HTTP.
//!
//! Run: `HOMEWARD_BENCH_EPISODES=1000000 cargo bench --bench measures`
//!
//! - `HOMEWARD_BENCH_EPISODES`: synthetic episodes to measure over (default 100,000).
//! - `HOMEWARD_BENCH_DATABASE_URL`: an administrative URL of a database to keep the data
//!   in, so a 1M or 4M data set is loaded once: it is migrated, seeded and topped up to
//!   the episode count. Without it a private cluster is started and removed afterwards.
//! - `HOMEWARD_BENCH_REBUILD=1`: also time rebuilding the measure state from scratch
//!   (what recording a new measure definition costs), rolled back afterwards.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use diesel::sql_types::BigInt;
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use homeward::startup::{AppConfig, Application};
use homeward::tooling::pg_cluster::{Cluster, ClusterOptions};
use secrecy::SecretSlice;
use serde_json::{json, Value};

const WARM_UP: usize = 3;
const ROUNDS: usize = 20;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() {
    let episodes: usize = std::env::var("HOMEWARD_BENCH_EPISODES")
        .ok()
        .map(|v| v.replace('_', "").parse().expect("HOMEWARD_BENCH_EPISODES"))
        .unwrap_or(100_000);
    match std::env::var("HOMEWARD_BENCH_DATABASE_URL") {
        Ok(admin) => actix_rt::System::new().block_on(run(admin, episodes, false)),
        Err(_) => {
            let data_dir = std::env::temp_dir()
                .join(format!("homeward-bench-{}", uuid::Uuid::new_v4().simple()));
            let cluster = Cluster::start(ClusterOptions {
                data_dir,
                ephemeral: true,
                unsafe_fast: true,
            })
            .expect("cluster");
            let maintenance = cluster.url(cluster.superuser(), "postgres");
            let admin = cluster.url(cluster.superuser(), "bench");
            actix_rt::System::new().block_on(async {
                homeward::provision::ensure_database(&maintenance, "bench")
                    .await
                    .expect("db");
                run(admin, episodes, true).await
            });
            cluster.stop().expect("stop");
        }
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Migrates, seeds and tops the database up to `episodes` (on a thread of its own: the
/// loaders are plain async code, not actix's).
fn prepare(admin: &str, episodes: usize) -> Result<(), BoxError> {
    let admin = admin.to_owned();
    std::thread::spawn(move || -> Result<(), String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        rt.block_on(async {
            homeward::db::migrate::run(&admin).await.map(|_| ())?;
            homeward::seed::reference(&admin).await?;
            homeward::seed::demo(&admin).await?;
            let mut conn = AsyncPgConnection::establish(&admin).await?;
            let have: Count = diesel::sql_query("SELECT count(*) AS n FROM episodes")
                .get_result(&mut conn)
                .await?;
            let have = usize::try_from(have.n).unwrap_or(0);
            if have < episodes {
                let started = Instant::now();
                homeward::seed::synthetic(&admin, episodes - have, 1 + have as u64).await?;
                println!(
                    "loaded {} synthetic episodes in {:.0} s (measure state maintained as they went in)",
                    episodes - have,
                    started.elapsed().as_secs_f64()
                );
                conn.batch_execute("VACUUM ANALYZE").await?;
            }
            Ok::<(), BoxError>(())
        })
        .map_err(|e| e.to_string())
    })
    .join()
    .map_err(|_| "the loader panicked")?
    .map_err(Into::into)
}

async fn rebuild_time(admin: &str) -> Result<f64, BoxError> {
    let mut conn = AsyncPgConnection::establish(admin).await?;
    conn.batch_execute("BEGIN").await?;
    let started = Instant::now();
    conn.batch_execute("SELECT hw_measure_refresh(NULL)")
        .await?;
    let secs = started.elapsed().as_secs_f64();
    conn.batch_execute("ROLLBACK").await?;
    Ok(secs)
}

struct Client {
    http: awc::Client,
    base: String,
}

impl Client {
    async fn get(&self, token: &str, path: &str, accept: &str) -> (u16, usize, f64) {
        let started = Instant::now();
        let mut res = self
            .http
            .get(format!("{}{path}", self.base))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("Accept", accept))
            .send()
            .await
            .expect("request");
        let body = res.body().limit(64 * 1024 * 1024).await.expect("body");
        (
            res.status().as_u16(),
            body.len(),
            started.elapsed().as_secs_f64() * 1000.0,
        )
    }

    async fn send(&self, method: &str, token: Option<&str>, path: &str, body: Value) -> Value {
        let mut req = self.http.request(
            awc::http::Method::from_bytes(method.as_bytes()).expect("method"),
            format!("{}{path}", self.base),
        );
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        let mut res = req.send_json(&body).await.expect("request");
        let status = res.status();
        let v: Value = res
            .json()
            .limit(16 * 1024 * 1024)
            .await
            .unwrap_or(Value::Null);
        assert!(status.is_success(), "{method} {path}: {status} {v}");
        v
    }

    async fn login(&self, role: &str) -> String {
        let email = match role {
            "analyst" => "force.analyst@demo.homeward.invalid".to_string(),
            "admin" => "sysadmin@demo.homeward.invalid".to_string(),
            r => format!("{r}.leeds@demo.homeward.invalid"),
        };
        let v = self
            .send(
                "POST",
                None,
                "/api/v1/auth/login",
                json!({ "email": email, "password": format!("demo-password-{role}") }),
            )
            .await;
        v["access_token"].as_str().expect("token").to_owned()
    }
}

/// `own_cluster`: the runtime role gets a password of ours (every login to our cluster needs
/// one); on another server it logs in as that server allows.
async fn run(admin: String, episodes: usize, own_cluster: bool) {
    prepare(&admin, episodes).expect("prepare the data set");
    let app_url = if own_cluster {
        homeward::provision::fresh_app_url(&admin).await.unwrap()
    } else {
        homeward::db::url::with_login(&admin, homeward::provision::APP_ROLE, None, None).unwrap()
    };
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
    let client = Client {
        http: awc::Client::builder()
            .timeout(Duration::from_secs(300))
            .finish(),
        base: format!("http://127.0.0.1:{}", app.port()),
    };
    actix_rt::spawn(app.server());

    let admin_token = client.login("admin").await;
    let analyst = client.login("analyst").await;
    let mfhc = client.login("mfhc").await;

    // Baselines for the force and every district, children and adults, computed for 2019
    // (once per database).
    let existing = client
        .send("GET", Some(&admin_token), "/api/v1/baselines", Value::Null)
        .await;
    if existing["current"].as_array().is_none_or(Vec::is_empty) {
        let reference = client
            .send("GET", Some(&admin_token), "/api/v1/reference", Value::Null)
            .await;
        let mut areas = vec![Value::Null];
        areas.extend(
            reference["districts"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| d["id"].clone()),
        );
        for area in &areas {
            for group in ["child", "adult"] {
                client
                    .send(
                        "POST",
                        Some(&admin_token),
                        "/api/v1/baselines",
                        json!({ "age_group": group, "district_id": area }),
                    )
                    .await;
            }
        }
    }

    if std::env::var("HOMEWARD_BENCH_REBUILD").is_ok_and(|v| v == "1") {
        let secs = rebuild_time(&admin).await.expect("rebuild");
        println!("rebuilding the measure state from scratch: {secs:.1} s");
    }

    // The last 24 month ends, to the end of last month.
    use chrono::{Datelike, Months};
    let today = chrono::Utc::now().date_naive();
    let to = today.with_day(1).unwrap().pred_opt().unwrap();
    let from = to.with_day(1).unwrap() - Months::new(23);
    let series = format!("from={from}&to={to}&granularity=month");
    let cases: Vec<(&str, &str, String, &str)> = vec![
        (
            "measures report, 24 month ends, all districts + force",
            "analyst",
            format!("/api/v1/measures/repeat-missing?{series}"),
            "application/json",
        ),
        (
            "measures report, one mid-month period end (live)",
            "analyst",
            format!(
                "/api/v1/measures/repeat-missing?period_end={}",
                to - chrono::Days::new(10)
            ),
            "application/json",
        ),
        (
            "measures chart, SVG",
            "analyst",
            format!("/api/v1/measures/repeat-missing/chart.svg?{series}"),
            "image/svg+xml",
        ),
        (
            "measures chart, PNG",
            "analyst",
            format!("/api/v1/measures/repeat-missing/chart.png?{series}"),
            "image/png",
        ),
        (
            "missing persons, 3 weeks",
            "mfhc",
            "/api/v1/datasets/missing-persons?weeks=3".into(),
            "application/json",
        ),
        (
            "missing persons, 12 weeks",
            "mfhc",
            "/api/v1/datasets/missing-persons?weeks=12".into(),
            "application/json",
        ),
        (
            "missing persons, 12 weeks, CSV",
            "mfhc",
            "/api/v1/datasets/missing-persons?weeks=12".into(),
            "text/csv",
        ),
        (
            "missing persons, 12 weeks",
            "analyst",
            "/api/v1/datasets/missing-persons?weeks=12".into(),
            "application/json",
        ),
        (
            "first-time missing children",
            "mfhc",
            "/api/v1/datasets/first-time-missing-children".into(),
            "application/json",
        ),
        (
            "first-time missing children",
            "analyst",
            "/api/v1/datasets/first-time-missing-children".into(),
            "application/json",
        ),
        (
            "looked-after log",
            "mfhc",
            "/api/v1/datasets/looked-after-log".into(),
            "application/json",
        ),
        (
            "looked-after log",
            "analyst",
            "/api/v1/datasets/looked-after-log".into(),
            "application/json",
        ),
        (
            "hospital log",
            "mfhc",
            "/api/v1/datasets/hospital-log".into(),
            "application/json",
        ),
        (
            "hospital log",
            "analyst",
            "/api/v1/datasets/hospital-log".into(),
            "application/json",
        ),
        (
            "quarterly breakdown",
            "mfhc",
            "/api/v1/datasets/quarterly-breakdown".into(),
            "application/json",
        ),
        (
            "quarterly breakdown",
            "analyst",
            "/api/v1/datasets/quarterly-breakdown".into(),
            "application/json",
        ),
        (
            "children rolling average",
            "mfhc",
            "/api/v1/datasets/children-rolling-average".into(),
            "application/json",
        ),
        (
            "children rolling average",
            "analyst",
            "/api/v1/datasets/children-rolling-average".into(),
            "application/json",
        ),
    ];

    println!(
        "\n{episodes} episodes; {WARM_UP} warm-up requests then {ROUNDS} timed, one at a time\n"
    );
    println!("| case | role | p50 ms | p90 ms | max ms | status | bytes |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for (name, role, path, accept) in &cases {
        let token = if *role == "analyst" { &analyst } else { &mfhc };
        for _ in 0..WARM_UP {
            client.get(token, path, accept).await;
        }
        let mut times = Vec::with_capacity(ROUNDS);
        let (mut status, mut bytes) = (0, 0);
        for _ in 0..ROUNDS {
            let (s, b, ms) = client.get(token, path, accept).await;
            (status, bytes) = (s, b);
            times.push(ms);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| {name} | {role} | {:.1} | {:.1} | {:.1} | {status} | {bytes} |",
            times[ROUNDS / 2],
            times[ROUNDS * 9 / 10],
            times[ROUNDS - 1],
        );
    }
}
