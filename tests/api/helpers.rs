//! Test harness: one private Postgres cluster per test run (or the server `DATABASE_URL`
//! names), one migrated and seeded template database, and for each test a fresh
//! database cloned from it with the real application serving it on a free port.

use std::net::TcpListener;
use std::sync::OnceLock;
use std::time::Duration;

use awc::Client;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use homeward::auth::JwtKeys;
use homeward::db;
use homeward::startup::{AppConfig, Application};
use homeward::tooling::pg_cluster::{Cluster, ClusterOptions};
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use serde_json::{json, Value};

pub const ADMIN: (&str, &str) = ("sysadmin@demo.homeward.invalid", "demo-password-admin");
pub const MFHC: (&str, &str) = ("mfhc.leeds@demo.homeward.invalid", "demo-password-mfhc");
/// The demo account with `role`.
pub fn demo_user(role: &str) -> (&'static str, &'static str) {
    DEMO_USERS
        .iter()
        .find(|(r, ..)| *r == role)
        .map(|(_, e, p)| (*e, *p))
        .expect("a demo user has that role")
}

/// Every demo account, one per role.
pub const DEMO_USERS: &[(&str, &str, &str)] = &[
    (
        "admin",
        "sysadmin@demo.homeward.invalid",
        "demo-password-admin",
    ),
    (
        "mfhc",
        "mfhc.leeds@demo.homeward.invalid",
        "demo-password-mfhc",
    ),
    (
        "officer",
        "officer.leeds@demo.homeward.invalid",
        "demo-password-officer",
    ),
    (
        "supervisor",
        "supervisor.leeds@demo.homeward.invalid",
        "demo-password-supervisor",
    ),
    (
        "early_action",
        "early.action.leeds@demo.homeward.invalid",
        "demo-password-early-action",
    ),
    (
        "partner",
        "partner.csc.leeds@demo.homeward.invalid",
        "demo-password-partner",
    ),
    (
        "analyst",
        "force.analyst@demo.homeward.invalid",
        "demo-password-analyst",
    ),
    ("dpo", "dpo@demo.homeward.invalid", "demo-password-dpo"),
];

/// Superuser connection string for a database name.
type UrlFor = Box<dyn Fn(&str) -> String + Send + Sync>;

struct Harness {
    admin_url_for: UrlFor,
    template: String,
    /// The runtime role's password: generated for our own cluster, where every login needs
    /// one; `None` on the server `DATABASE_URL` names (whose role we leave as it is).
    app_password: Option<SecretString>,
    /// Kept alive for the whole run; its watchdog stops it when the process exits.
    _cluster: Option<Cluster>,
}

static HARNESS: OnceLock<Harness> = OnceLock::new();

/// Runs `f` on a thread of its own with its own runtime (the harness is set up from
/// inside tests' runtimes, which cannot be blocked on).
fn on_own_runtime<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f)
        .join()
        .expect("harness thread panicked")
}

fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(fut)
}

fn harness() -> &'static Harness {
    HARNESS.get_or_init(|| {
        on_own_runtime(|| {
            let suffix = uuid::Uuid::new_v4().simple().to_string();
            let (admin_url_for, cluster): (UrlFor, _) =
                match std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) {
                    Some(url) => (
                        Box::new(move |dbname: &str| {
                            db::url::with_login(
                                &url,
                                &user_of(&url),
                                password_of(&url).as_deref(),
                                Some(dbname),
                            )
                            .expect("DATABASE_URL")
                        }),
                        None,
                    ),
                    None => {
                        // Directly under the temp dir, so the server's own user can remove it.
                        let data_dir = std::env::temp_dir().join(format!("homeward-test-{suffix}"));
                        let cluster = Cluster::start(ClusterOptions {
                            data_dir,
                            ephemeral: true,
                            unsafe_fast: true,
                        })
                        .expect("start the test cluster (is PostgreSQL installed?)");
                        let base = cluster.url(cluster.superuser(), "DBNAME");
                        (
                            Box::new(move |dbname: &str| {
                                base.replace("dbname=DBNAME", &format!("dbname={dbname}"))
                            }),
                            Some(cluster),
                        )
                    }
                };
            let template = format!("homeward_tpl_{suffix}");
            let app_password = cluster
                .is_some()
                .then(homeward::tooling::pg_cluster::generate_password);
            block_on(async {
                homeward::provision::ensure_database(&admin_url_for("postgres"), &template)
                    .await
                    .expect("create template");
                let url = admin_url_for(&template);
                db::migrate::run(&url).await.expect("migrate template");
                homeward::seed::reference(&url)
                    .await
                    .expect("seed reference");
                homeward::seed::demo(&url).await.expect("seed demo");
                if let Some(pw) = &app_password {
                    homeward::provision::set_app_password(&url, pw.expose_secret())
                        .await
                        .expect("set the runtime role's password");
                }
            });
            Harness {
                admin_url_for,
                template,
                app_password,
                _cluster: cluster,
            }
        })
    })
}

fn user_of(url: &str) -> String {
    let c: tokio_postgres::Config = url.parse().expect("DATABASE_URL");
    c.get_user().unwrap_or("postgres").to_owned()
}

fn password_of(url: &str) -> Option<String> {
    let c: tokio_postgres::Config = url.parse().expect("DATABASE_URL");
    c.get_password()
        .map(|p| String::from_utf8_lossy(p).into_owned())
}

/// The migrated (and seeded) template database every test's database is cloned from, as
/// a superuser connection string.
pub fn template_admin_url() -> String {
    let h = harness();
    (h.admin_url_for)(&h.template)
}

/// A running application on its own database.
pub struct TestApp {
    pub address: String,
    pub db_name: String,
    /// Superuser connection to this test's database (to inspect or tamper).
    pub admin_url: String,
    /// Runtime-role connection to this test's database.
    pub app_url: String,
    pub client: Client,
    pub jwt: JwtKeys,
    /// The HS256 secret the application signs with (to forge tokens in attacks).
    pub jwt_secret: Vec<u8>,
    /// The file the application appends signed audit checkpoints to.
    pub audit_checkpoints: std::path::PathBuf,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with_pool(8).await
}

pub async fn spawn_app_with_pool(pool_size: usize) -> TestApp {
    spawn_app_configured(pool_size, Default::default(), test_limits()).await
}

/// An application whose emails link to itself (`HOMEWARD_PUBLIC_URL` is its own
/// address), for following an emailed link in a browser.
pub async fn spawn_web_app() -> TestApp {
    spawn_app_at(8, Default::default(), test_limits(), true).await
}

/// Limits that tests written for behaviour never reach (they write fast, as one user);
/// the limit tests set their own.
pub fn test_limits() -> homeward::limits::Limits {
    homeward::limits::Limits {
        writes_per_minute: std::num::NonZeroU32::new(1_000_000).unwrap(),
        ..Default::default()
    }
}

/// An application with the given request deadline and write quota.
pub async fn spawn_app_with_limits(limits: homeward::limits::Limits) -> TestApp {
    spawn_app_configured(8, Default::default(), limits).await
}

/// An application whose datasets withhold counts below `below` from roles without names.
pub async fn spawn_app_suppressing_below(below: u64) -> TestApp {
    let s = homeward::domain::datasets::Suppression::new(below).expect("a valid threshold");
    spawn_app_configured(8, s, test_limits()).await
}

async fn spawn_app_configured(
    pool_size: usize,
    suppression: homeward::domain::datasets::Suppression,
    limits: homeward::limits::Limits,
) -> TestApp {
    spawn_app_at(pool_size, suppression, limits, false).await
}

async fn spawn_app_at(
    pool_size: usize,
    suppression: homeward::domain::datasets::Suppression,
    limits: homeward::limits::Limits,
    links_to_itself: bool,
) -> TestApp {
    homeward::telemetry::init_for_tests();
    let h = harness();
    let db_name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let maintenance = (h.admin_url_for)("postgres");
    let create = format!("CREATE DATABASE {db_name} TEMPLATE {}", h.template);
    on_own_runtime(move || {
        block_on(async move {
            let mut c = AsyncPgConnection::establish(&maintenance)
                .await
                .expect("connect");
            c.batch_execute(&create)
                .await
                .expect("create test database");
        })
    });
    let admin_url = (h.admin_url_for)(&db_name);
    let app_password = h.app_password.as_ref().map(|p| p.expose_secret());
    let app_url = db::url::with_login(
        &admin_url,
        homeward::provision::APP_ROLE,
        app_password,
        None,
    )
    .expect("app url");
    let secret: Vec<u8> = (0..32).map(|_| rand::random::<u8>()).collect();
    let audit_checkpoints = std::env::temp_dir().join(format!("homeward-{db_name}-audit.jsonl"));
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let public_url = if links_to_itself {
        format!(
            "http://127.0.0.1:{}",
            listener.local_addr().expect("port").port()
        )
    } else {
        "http://homeward.test".into()
    };
    let app = Application::build_with(
        AppConfig {
            listener,
            app_database_url: app_url.clone(),
            pool_size,
            jwt_secret: SecretSlice::from(secret.clone()),
            access_token_ttl_secs: 900,
            session_ttl_secs: 3600,
            review_policy: Default::default(),
            national: Default::default(),
            zone: Default::default(),
            public_url,
            limits,
            web_idle: std::time::Duration::from_secs(1800),
            audit_anchor: Some(std::sync::Arc::new(
                homeward::audit_anchor::AuditAnchor::new(rand::random(), audit_checkpoints.clone()),
            )),
            retention: Default::default(),
        },
        suppression,
    )
    .expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    actix_rt::spawn(app.server());
    TestApp {
        address,
        db_name,
        admin_url,
        app_url,
        client: Client::builder().timeout(Duration::from_secs(30)).finish(),
        jwt: JwtKeys::new(&SecretSlice::from(secret.clone()), 900).expect("keys"),
        jwt_secret: secret,
        audit_checkpoints,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.audit_checkpoints);
        let maintenance = (harness().admin_url_for)("postgres");
        let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.db_name);
        on_own_runtime(move || {
            block_on(async move {
                if let Ok(mut c) = AsyncPgConnection::establish(&maintenance).await {
                    let _ = c.batch_execute(&drop).await;
                }
            })
        });
    }
}

/// A response reduced to what tests look at.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: awc::http::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    pub fn content_type(&self) -> String {
        self.header("content-type").unwrap_or_default()
    }

    /// Asserts a problem+json answer with `status` and returns its body.
    #[track_caller]
    pub fn problem(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(
            self.content_type(),
            "application/problem+json",
            "body: {}",
            self.body
        );
        assert_eq!(self.body["status"], json!(status));
        assert!(
            self.body["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("/problems/")),
            "{}",
            self.body
        );
        &self.body
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn send(&self, req: awc::ClientRequest, body: Option<Vec<u8>>) -> Reply {
        let mut res = match body {
            Some(b) => req.send_body(b).await,
            None => req.send().await,
        }
        .expect("request failed");
        let bytes = res.body().limit(16 * 1024 * 1024).await.expect("read body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Reply {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body,
        }
    }

    /// `method path` with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let method = awc::http::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        match body {
            Some(b) => {
                self.send(
                    req.insert_header(("Content-Type", "application/json")),
                    Some(b.to_string().into_bytes()),
                )
                .await
            }
            None => self.send(req, None).await,
        }
    }

    /// `call` with a stated reason (`X-Purpose`), and `If-Match: "<version>"` when given.
    pub async fn call_with_purpose(
        &self,
        method: &str,
        path: &str,
        token: &str,
        purpose: &str,
        version: Option<&Value>,
        body: Option<Value>,
    ) -> Reply {
        let method = awc::http::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self
            .client
            .request(method, self.url(path))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("X-Purpose", purpose.to_owned()));
        if let Some(v) = version {
            req = req.insert_header(("If-Match", format!("\"{v}\"")));
        }
        match body {
            Some(b) => {
                self.send(
                    req.insert_header(("Content-Type", "application/json")),
                    Some(b.to_string().into_bytes()),
                )
                .await
            }
            None => self.send(req, None).await,
        }
    }

    /// `call` with `If-Match: "<version>"`.
    pub async fn call_if_match(
        &self,
        method: &str,
        path: &str,
        token: &str,
        version: &Value,
        body: Value,
    ) -> Reply {
        let method = awc::http::Method::from_bytes(method.as_bytes()).expect("method");
        let req = self
            .client
            .request(method, self.url(path))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("Content-Type", "application/json"))
            .insert_header(("If-Match", format!("\"{version}\"")));
        self.send(req, Some(body.to_string().into_bytes())).await
    }

    pub async fn login_reply(&self, email: &str, password: &str) -> Reply {
        self.call(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(json!({ "email": email, "password": password })),
        )
        .await
    }

    /// Logs in and returns `(access_token, refresh_token)`.
    pub async fn login(&self, (email, password): (&str, &str)) -> (String, String) {
        let r = self.login_reply(email, password).await;
        assert_eq!(r.status, 200, "login {email}: {}", r.body);
        (
            r.body["access_token"].as_str().unwrap().to_owned(),
            r.body["refresh_token"].as_str().unwrap().to_owned(),
        )
    }

    /// Another instance of the service on this test's database, signing with the same
    /// secret (as instances behind one load balancer do); its address.
    pub fn another_instance(&self, limits: homeward::limits::Limits) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let app = Application::build_with(
            AppConfig {
                listener,
                app_database_url: self.app_url.clone(),
                pool_size: 4,
                jwt_secret: SecretSlice::from(self.jwt_secret.clone()),
                access_token_ttl_secs: 900,
                session_ttl_secs: 3600,
                review_policy: Default::default(),
                national: Default::default(),
                zone: Default::default(),
                public_url: "http://homeward.test".into(),
                limits,
                web_idle: std::time::Duration::from_secs(1800),
                audit_anchor: None,
                retention: Default::default(),
            },
            Default::default(),
        )
        .expect("build another instance");
        let address = format!("http://127.0.0.1:{}", app.port());
        actix_rt::spawn(app.server());
        address
    }

    /// A superuser connection to this test's database.
    pub async fn superuser(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.admin_url)
            .await
            .expect("superuser connection")
    }

    /// Creates a user as the demo admin and returns its JSON.
    pub async fn create_user(
        &self,
        admin_token: &str,
        email: &str,
        role: &str,
        extra: Value,
    ) -> Value {
        let mut body = json!({ "email": email, "display_name": "Test User", "role": role, "password": "a long test passphrase" });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let r = self
            .call("POST", "/api/v1/users", Some(admin_token), Some(body))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.body
    }
}

/// A cluster of this test's own, which it can stop and start again.
pub struct OwnServer {
    pub data_dir: std::path::PathBuf,
    pub cluster: Option<Cluster>,
}

impl OwnServer {
    /// A cluster of the test's own, in a fresh data directory (`<prefix>-<random>` under
    /// the temporary directory).
    pub async fn launch(prefix: &str) -> OwnServer {
        let data_dir = std::env::temp_dir().join(format!(
            "{prefix}-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        ));
        let dir = data_dir.clone();
        let cluster = blocking(move || OwnServer::start(dir)).await;
        OwnServer {
            data_dir,
            cluster: Some(cluster),
        }
    }

    /// The running cluster.
    pub fn cluster(&self) -> &Cluster {
        self.cluster.as_ref().expect("the cluster is running")
    }

    /// The superuser's URL for `dbname`.
    pub fn admin_url(&self, dbname: &str) -> String {
        let c = self.cluster();
        c.url(c.superuser(), dbname)
    }

    pub fn start(data_dir: std::path::PathBuf) -> Cluster {
        Cluster::start(ClusterOptions {
            data_dir,
            ephemeral: false,
            unsafe_fast: true,
        })
        .expect("start a private cluster")
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        if let Some(c) = self.cluster.take() {
            let _ = c.stop();
        }
        let mut run = self.data_dir.clone().into_os_string();
        run.push(".run");
        let _ = std::fs::remove_dir_all(&self.data_dir);
        let _ = std::fs::remove_dir_all(run);
        let password_file = homeward::tooling::pg_cluster::superuser_password_file(&self.data_dir);
        let _ = std::fs::remove_file(password_file);
    }
}

/// Runs blocking cluster work off the test's runtime.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("blocking task")
}
