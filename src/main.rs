//! The `homeward` binary: `serve`, `migrate`, `seed`.

use std::net::TcpListener;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;

use homeward::config::Settings;
use homeward::provision::{self, Database};
use homeward::startup::{AppConfig, Application};
use homeward::{db, notify, seed, telemetry};

#[derive(Parser)]
#[command(
    name = "homeward",
    version,
    about = "Case tracking for missing-from-home coordinators and partners"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API. With no DATABASE_URL: start the private cluster, migrate, load demo data.
    Serve,
    /// Apply pending migrations.
    Migrate,
    /// Apply pending migrations, then load reference data (and with --demo, the demo
    /// accounts; with --synthetic N, N generated episodes, reproducible from --seed).
    Seed {
        #[arg(long)]
        demo: bool,
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
        synthetic: Option<u64>,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Deliver notifications and run the timers only (`serve` does this too); several
    /// may run against one database.
    Worker,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[actix_web::main]
async fn main() -> ExitCode {
    telemetry::init();
    let cli = Cli::parse();
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let database = match provision::open(&settings).await {
        Ok(d) => d,
        Err(e) => {
            eprintln!("cannot open the database: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command {
        Command::Serve => serve(&settings, &database).await,
        Command::Migrate => migrate(&settings, &database).await,
        Command::Seed {
            demo,
            synthetic,
            seed,
        } => seed_migrated(&settings, &database, demo, synthetic, seed).await,
        Command::Worker => worker(&settings, &database).await,
    };
    tokio::task::spawn_blocking(move || database.shut_down())
        .await
        .ok();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(settings: &Settings, database: &Database) -> Result<(), BoxError> {
    let applied = db::migrate::run(&database.admin_url).await?;
    tracing::info!(count = applied.len(), "migrations applied");
    db::migrate::set_force_zone(&database.admin_url, &settings.zone).await?;
    if let Some(pw) = &database.app_password {
        provision::set_app_password(&database.admin_url, pw.expose_secret()).await?;
        tracing::info!("runtime role password set");
    }
    Ok(())
}

/// `seed`: migrates first (as `serve` does), since seeds need the schema, then loads.
async fn seed_migrated(
    settings: &Settings,
    database: &Database,
    demo: bool,
    synthetic: Option<u64>,
    seed: u64,
) -> Result<(), BoxError> {
    migrate(settings, database).await?;
    load_seeds(database, demo, synthetic, seed).await
}

async fn load_seeds(
    database: &Database,
    demo: bool,
    synthetic: Option<u64>,
    seed: u64,
) -> Result<(), BoxError> {
    seed::reference(&database.admin_url).await?;
    if demo {
        let logins = seed::demo(&database.admin_url).await?;
        print_logins(&logins);
    }
    if let Some(n) = synthetic {
        let started = std::time::Instant::now();
        let loaded = seed::synthetic(&database.admin_url, usize::try_from(n)?, seed).await?;
        tracing::info!(
            episodes = loaded,
            seed,
            secs = started.elapsed().as_secs_f64(),
            "synthetic data loaded"
        );
    }
    Ok(())
}

async fn serve(settings: &Settings, database: &Database) -> Result<(), BoxError> {
    if database.is_embedded() {
        migrate(settings, database).await?;
        load_seeds(database, true, None, 0).await?;
    } else {
        // The database must cut days in the same zone as the service.
        db::migrate::set_force_zone(&database.admin_url, &settings.zone).await?;
    }
    let listener = TcpListener::bind(settings.bind)?;
    let anchor = std::sync::Arc::new(provision::audit_anchor(settings)?);
    tracing::info!(file = %anchor.file().display(), key_id = %anchor.key_id(), "audit checkpoints are signed and kept outside the database");
    let app = Application::build_with(
        AppConfig {
            listener,
            app_database_url: database.app_url.clone(),
            pool_size: settings.pool_size,
            jwt_secret: provision::jwt_secret(settings, database.is_embedded())?,
            access_token_ttl_secs: settings.access_token_ttl_secs,
            session_ttl_secs: settings.session_ttl_secs,
            review_policy: settings.review_policy,
            national: settings.national,
            zone: settings.zone,
            public_url: settings.notify.public_url.clone(),
            limits: settings.limits,
            web_idle: std::time::Duration::from_secs(settings.web_idle_minutes * 60),
            audit_anchor: Some(anchor.clone()),
            retention: settings.retention,
        },
        settings.suppression,
    )?;
    tracing::info!(address = %settings.bind, "Homeward is listening; Ctrl-C stops it");
    let background = Background::start(settings, database, Some(anchor))?;
    // actix stops gracefully on SIGINT/SIGTERM; then the worker finishes (or hands back)
    // what it holds, and the cluster is stopped after that.
    app.server().await?;
    background.stop().await;
    Ok(())
}

async fn worker(settings: &Settings, database: &Database) -> Result<(), BoxError> {
    if settings.notify.smtp.is_none() {
        return Err("HOMEWARD_SMTP_URL is not set: there is nowhere to deliver to".into());
    }
    let background = Background::start(settings, database, None)?;
    tracing::info!("notification worker running; Ctrl-C stops it");
    tokio::signal::ctrl_c().await?;
    background.stop().await;
    Ok(())
}

/// The notification worker (when SMTP is configured), the scheduler, the audit sealer,
/// the audit checkpoints (with a signer) and the measure catch-up.
struct Background {
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Background {
    fn start(
        settings: &Settings,
        database: &Database,
        anchor: Option<std::sync::Arc<homeward::audit_anchor::AuditAnchor>>,
    ) -> Result<Background, BoxError> {
        let pool = db::build_pool(&database.app_url, 4)?;
        let links = notify::Links::new(&settings.notify.public_url);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut tasks = vec![
            tokio::spawn(notify::scheduler::run(
                pool.clone(),
                links.clone(),
                notify::scheduler::Timers {
                    digest_hour: settings.notify.digest_hour,
                    national: settings.national,
                    zone: settings.zone,
                },
                std::time::Duration::from_secs(60),
                stopped.clone(),
            )),
            tokio::spawn(homeward::services::audit::seal_continuously(
                pool.clone(),
                std::time::Duration::from_millis(200),
                stopped.clone(),
            )),
            tokio::spawn(homeward::services::measures::catch_up_continuously(
                pool.clone(),
                std::time::Duration::from_millis(200),
                stopped.clone(),
            )),
        ];
        if let Some(anchor) = anchor {
            tasks.push(tokio::spawn(
                homeward::services::audit::checkpoint_continuously(
                    pool.clone(),
                    anchor,
                    std::time::Duration::from_secs(settings.audit_checkpoint_minutes * 60),
                    stopped.clone(),
                ),
            ));
        }
        match &settings.notify.smtp {
            Some(smtp) => {
                let mailer = notify::mailer::Mailer::new(smtp)?;
                let mut options = notify::worker::WorkerOptions::new(settings.notify.retry, links);
                options.concurrency = smtp.max_connections as usize;
                tasks.push(tokio::spawn(notify::worker::run(
                    pool, mailer, options, stopped,
                )));
            }
            None => tracing::warn!(
                "HOMEWARD_SMTP_URL is not set: notifications are queued but not delivered"
            ),
        }
        Ok(Background { stop, tasks })
    }

    async fn stop(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

fn print_logins(logins: &[seed::DemoLogin]) {
    println!("\nDemo logins (demo data only — never use these passwords for real):");
    for l in logins {
        println!("  {:<14} {:<44} {}", l.role.as_str(), l.email, l.password);
    }
    println!();
}
