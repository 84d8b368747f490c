//! Settings, read once from the environment (`HOMEWARD_*`, `DATABASE_URL`), typed and
//! validated at start. Secrets are `SecretString`s and never logged.

use std::net::SocketAddr;
use std::path::PathBuf;

use secrecy::{SecretSlice, SecretString};

use crate::domain::notify::RetryPolicy;
use crate::domain::reviews::ReviewPolicy;
use crate::notify::config::NotifySettings;

#[derive(Debug)]
pub struct Settings {
    /// Address to listen on (`HOMEWARD_BIND`, default `127.0.0.1:8080`).
    pub bind: SocketAddr,
    /// Administrative connection (`DATABASE_URL`); `None` runs the embedded cluster.
    pub database_url: Option<SecretString>,
    /// Runtime-role connection (`HOMEWARD_APP_DATABASE_URL`); derived when unset.
    pub app_database_url: Option<SecretString>,
    /// Password of the runtime role when derived (`HOMEWARD_APP_DB_PASSWORD`).
    pub app_db_password: Option<SecretString>,
    /// Connections in the pool (`HOMEWARD_DB_POOL_SIZE`, default four a core:
    /// `default_pool_size`).
    pub pool_size: usize,
    /// Embedded cluster and generated secrets live here (`HOMEWARD_DATA_DIR`, default `./.homeward`).
    pub data_dir: PathBuf,
    /// HS256 secret (`HOMEWARD_JWT_SECRET`, ≥ 32 bytes); generated for the embedded default.
    pub jwt_secret: Option<SecretSlice<u8>>,
    /// Access-token lifetime (`HOMEWARD_ACCESS_TOKEN_TTL_SECS`, default and max 900).
    pub access_token_ttl_secs: i64,
    /// Session lifetime: how long refresh keeps working (`HOMEWARD_SESSION_TTL_SECS`, default 12 h).
    pub session_ttl_secs: i64,
    /// A web page session left idle this long is ended (`HOMEWARD_WEB_IDLE_MINUTES`,
    /// 1 to 720, default 30).
    pub web_idle_minutes: u64,
    /// How often the audit chain's head is signed (`HOMEWARD_AUDIT_CHECKPOINT_MINUTES`, 1
    /// to 1440, default 60); also at start and stop, and on demand.
    pub audit_checkpoint_minutes: u64,
    /// Years from a person's last activity to their record's review
    /// (`HOMEWARD_RETENTION_YEARS`, default 6), and where a public-protection marker was
    /// ever recorded (`HOMEWARD_RETENTION_PUBLIC_PROTECTION_YEARS`, default 10); 1 to 100.
    pub retention: crate::domain::retention::RetentionPolicy,
    /// Supervisor review intervals by risk level (`HOMEWARD_REVIEW_INTERVALS_MINUTES`,
    /// e.g. `very_low:1440,low:720,medium:360,high:60`, the default).
    pub review_policy: ReviewPolicy,
    /// `HOMEWARD_UKMPU_NOTIFY_HOURS` (72) and `HOMEWARD_PNC_RECORD_HOURS` (48).
    pub national: crate::domain::national::NationalPolicy,
    /// `HOMEWARD_TIME_ZONE` (`Europe/London`): the force's local time.
    pub zone: crate::domain::local_time::ForceZone,
    /// SMTP, links, retries and digests (`HOMEWARD_SMTP_*`, `HOMEWARD_PUBLIC_URL`,
    /// `HOMEWARD_NOTIFY_*`, `HOMEWARD_DIGEST_HOUR`).
    pub notify: NotifySettings,
    /// Small counts withheld from roles that see no names (`HOMEWARD_SUPPRESS_BELOW`,
    /// 1 to 100, default 5; 1 withholds nothing).
    pub suppression: crate::domain::datasets::Suppression,
    /// The request deadline (`HOMEWARD_REQUEST_TIMEOUT_SECS`, 1 to 300, default 30), the
    /// per-account write quota (`HOMEWARD_WRITE_RATE_PER_MINUTE`, default 120) and the
    /// security alert (`HOMEWARD_SECURITY_ALERT_THRESHOLD`, default 20 events, within
    /// `HOMEWARD_SECURITY_ALERT_WINDOW_MINUTES`, default 15).
    pub limits: crate::limits::Limits,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  - {}", .0.join("\n  - "))]
pub struct ConfigError(pub Vec<String>);

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads settings through `get` (tests pass a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut problems = Vec::new();
        let non_empty = |k: &str| get(k).filter(|v| !v.trim().is_empty());

        let bind = parse_or(
            &non_empty,
            "HOMEWARD_BIND",
            "127.0.0.1:8080".parse().ok(),
            &mut problems,
            "an address such as 127.0.0.1:8080",
            |_| true,
        );
        let default_pool = default_pool_size(cores());
        let pool_size = parse_or(
            &non_empty,
            "HOMEWARD_DB_POOL_SIZE",
            Some(default_pool),
            &mut problems,
            "a whole number from 1 to 1000",
            |n| (1..=1000).contains(n),
        );
        let access_token_ttl_secs = parse_or(
            &non_empty,
            "HOMEWARD_ACCESS_TOKEN_TTL_SECS",
            Some(900i64),
            &mut problems,
            "seconds from 1 to 900",
            |n| (1..=900).contains(n),
        );
        let session_ttl_secs = parse_or(
            &non_empty,
            "HOMEWARD_SESSION_TTL_SECS",
            Some(12 * 3600i64),
            &mut problems,
            "seconds from 60 to 2592000 (30 days)",
            |n| (60..=30 * 24 * 3600).contains(n),
        );
        let web_idle_minutes = parse_or(
            &non_empty,
            "HOMEWARD_WEB_IDLE_MINUTES",
            Some(30u64),
            &mut problems,
            "minutes from 1 to 720",
            |n| (1..=720).contains(n),
        );
        let audit_checkpoint_minutes = parse_or(
            &non_empty,
            "HOMEWARD_AUDIT_CHECKPOINT_MINUTES",
            Some(60u64),
            &mut problems,
            "minutes from 1 to 1440",
            |n| (1..=1440).contains(n),
        );
        let retention_years = parse_or(
            &non_empty,
            "HOMEWARD_RETENTION_YEARS",
            Some(6u32),
            &mut problems,
            "years from 1 to 100",
            |n| (1..=100).contains(n),
        );
        let retention_pp_years = parse_or(
            &non_empty,
            "HOMEWARD_RETENTION_PUBLIC_PROTECTION_YEARS",
            Some(10u32),
            &mut problems,
            "years from 1 to 100",
            |n| (1..=100).contains(n),
        );

        let review_policy = match non_empty("HOMEWARD_REVIEW_INTERVALS_MINUTES") {
            None => Some(ReviewPolicy::default()),
            Some(spec) => ReviewPolicy::parse(&spec)
                .map_err(|e| problems.push(format!("HOMEWARD_REVIEW_INTERVALS_MINUTES: {e}")))
                .ok(),
        };
        let ukmpu_hours = parse_or(
            &non_empty,
            "HOMEWARD_UKMPU_NOTIFY_HOURS",
            Some(72i64),
            &mut problems,
            "hours from 1 to 720",
            |n| (1..=720).contains(n),
        );
        let pnc_hours = parse_or(
            &non_empty,
            "HOMEWARD_PNC_RECORD_HOURS",
            Some(48i64),
            &mut problems,
            "hours from 1 to 720",
            |n| (1..=720).contains(n),
        );
        let zone = match non_empty("HOMEWARD_TIME_ZONE") {
            None => Some(crate::domain::local_time::ForceZone::default()),
            Some(name) => crate::domain::local_time::ForceZone::parse(&name)
                .map_err(|e| problems.push(format!("HOMEWARD_TIME_ZONE: {e}")))
                .ok(),
        };
        let database_url = non_empty("DATABASE_URL").map(SecretString::from);
        let jwt_secret = non_empty("HOMEWARD_JWT_SECRET").map(|s| s.into_bytes());
        if let Some(s) = &jwt_secret {
            if s.len() < 32 {
                problems.push(
                    "HOMEWARD_JWT_SECRET must be at least 32 bytes (256 bits) of random data"
                        .into(),
                );
            }
        } else if database_url.is_some() {
            problems.push("HOMEWARD_JWT_SECRET is required when DATABASE_URL is set (only the embedded default generates one)".into());
        }

        let notify = notify_settings(&non_empty, bind, &mut problems);
        let suppress_below = parse_or(
            &non_empty,
            "HOMEWARD_SUPPRESS_BELOW",
            Some(crate::domain::datasets::SUPPRESS_BELOW),
            &mut problems,
            "a whole number from 1 (nothing suppressed) to 100",
            |n| crate::domain::datasets::Suppression::new(*n).is_ok(),
        );

        let request_timeout = parse_or(
            &non_empty,
            "HOMEWARD_REQUEST_TIMEOUT_SECS",
            Some(crate::limits::DEFAULT_REQUEST_TIMEOUT_SECS),
            &mut problems,
            "seconds from 1 to 300",
            |n| (1..=300).contains(n),
        );
        let writes_per_minute = parse_or(
            &non_empty,
            "HOMEWARD_WRITE_RATE_PER_MINUTE",
            Some(crate::limits::DEFAULT_WRITES_PER_MINUTE),
            &mut problems,
            "a whole number from 1 to 1000000",
            |n| (1..=1_000_000).contains(n),
        );
        let alert_threshold = parse_or(
            &non_empty,
            "HOMEWARD_SECURITY_ALERT_THRESHOLD",
            Some(crate::limits::DEFAULT_ALERT_THRESHOLD),
            &mut problems,
            "a whole number from 1 to 100000",
            |n| (1..=100_000).contains(n),
        );
        let alert_window_minutes = parse_or(
            &non_empty,
            "HOMEWARD_SECURITY_ALERT_WINDOW_MINUTES",
            Some(crate::limits::DEFAULT_ALERT_WINDOW_MINUTES),
            &mut problems,
            "minutes from 1 to 1440",
            |n| (1..=1440).contains(n),
        );

        if !problems.is_empty() {
            return Err(ConfigError(problems));
        }
        Ok(Settings {
            bind: bind.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            database_url,
            app_database_url: non_empty("HOMEWARD_APP_DATABASE_URL").map(SecretString::from),
            app_db_password: non_empty("HOMEWARD_APP_DB_PASSWORD").map(SecretString::from),
            pool_size: pool_size.unwrap_or(default_pool),
            data_dir: non_empty("HOMEWARD_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(".homeward")),
            jwt_secret: jwt_secret.map(SecretSlice::from),
            access_token_ttl_secs: access_token_ttl_secs.unwrap_or(900),
            session_ttl_secs: session_ttl_secs.unwrap_or(12 * 3600),
            web_idle_minutes: web_idle_minutes.unwrap_or(30),
            audit_checkpoint_minutes: audit_checkpoint_minutes.unwrap_or(60),
            retention: crate::domain::retention::RetentionPolicy {
                years: retention_years.unwrap_or(6),
                public_protection_years: retention_pp_years.unwrap_or(10),
            },
            review_policy: review_policy.unwrap_or_default(),
            national: crate::domain::national::NationalPolicy::from_hours(
                ukmpu_hours.unwrap_or(72),
                pnc_hours.unwrap_or(48),
            )
            .unwrap_or_default(),
            zone: zone.unwrap_or_default(),
            notify: notify.unwrap_or_default(),
            suppression: suppress_below
                .and_then(|n| crate::domain::datasets::Suppression::new(n).ok())
                .unwrap_or_default(),
            limits: crate::limits::Limits {
                request_timeout: std::time::Duration::from_secs(
                    request_timeout.unwrap_or(crate::limits::DEFAULT_REQUEST_TIMEOUT_SECS),
                ),
                writes_per_minute: writes_per_minute
                    .and_then(std::num::NonZeroU32::new)
                    .unwrap_or(crate::limits::Limits::default().writes_per_minute),
                refusal_alert: crate::limits::RefusalAlert {
                    threshold: alert_threshold
                        .and_then(std::num::NonZeroU32::new)
                        .unwrap_or(crate::limits::RefusalAlert::default().threshold),
                    window: std::time::Duration::from_secs(
                        alert_window_minutes.unwrap_or(crate::limits::DEFAULT_ALERT_WINDOW_MINUTES)
                            * 60,
                    ),
                },
            },
        })
    }
}

fn notify_settings(
    get: &impl Fn(&str) -> Option<String>,
    bind: Option<SocketAddr>,
    problems: &mut Vec<String>,
) -> Option<NotifySettings> {
    let before = problems.len();
    let timeout = parse_or(
        get,
        "HOMEWARD_SMTP_TIMEOUT_SECS",
        Some(10u64),
        problems,
        "seconds from 1 to 300",
        |n| (1..=300).contains(n),
    );
    // Messages handed to the server at once. A worker that dies repeats at most these (the
    // server took them; their marks had not landed): one by default, so a crash repeats
    // at most the one message in flight (issue 21). Raise it for a slow, distant server.
    let concurrency = parse_or(
        get,
        "HOMEWARD_SMTP_CONCURRENCY",
        Some(1u32),
        problems,
        "a whole number from 1 to 16",
        |n| (1..=16).contains(n),
    );
    let max_attempts = parse_or(
        get,
        "HOMEWARD_NOTIFY_MAX_ATTEMPTS",
        Some(8i32),
        problems,
        "a whole number from 1 to 100",
        |n| (1..=100).contains(n),
    );
    let backoff = parse_or(
        get,
        "HOMEWARD_NOTIFY_BACKOFF_SECS",
        Some(30u64),
        problems,
        "seconds from 1 to 3600",
        |n| (1..=3600).contains(n),
    );
    let digest_hour = parse_or(
        get,
        "HOMEWARD_DIGEST_HOUR",
        Some(7u32),
        problems,
        "an hour from 0 to 23 (UTC)",
        |h| *h <= 23,
    );
    let allow_plain = match get("HOMEWARD_SMTP_ALLOW_PLAIN").as_deref().map(str::trim) {
        None => false,
        Some("local") => true,
        Some(other) => {
            problems.push(format!(
                "HOMEWARD_SMTP_ALLOW_PLAIN must be `local` (plain SMTP to a local relay) or unset (got {other:?})"
            ));
            false
        }
    };
    let from =
        get("HOMEWARD_SMTP_FROM").unwrap_or_else(|| "Homeward <no-reply@homeward.invalid>".into());
    let smtp = get("HOMEWARD_SMTP_URL").and_then(|raw| {
        crate::notify::config::parse_smtp_url(
            &raw,
            allow_plain,
            from,
            std::time::Duration::from_secs(timeout.unwrap_or(10)),
        )
        .map_err(|e| problems.push(format!("HOMEWARD_SMTP_URL: {e}")))
        .ok()
        .map(|mut smtp| {
            smtp.max_connections = concurrency.unwrap_or(1);
            smtp
        })
    });
    let public_url = get("HOMEWARD_PUBLIC_URL").unwrap_or_else(|| {
        format!(
            "http://{}",
            bind.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)))
        )
    });
    if !(public_url.starts_with("https://") || public_url.starts_with("http://")) {
        problems.push(format!(
            "HOMEWARD_PUBLIC_URL must be an http(s) URL (got {public_url:?})"
        ));
    }
    (problems.len() == before).then(|| NotifySettings {
        smtp,
        public_url,
        retry: RetryPolicy {
            base: std::time::Duration::from_secs(backoff.unwrap_or(30)),
            cap: std::time::Duration::from_secs(3600),
            max_attempts: max_attempts.unwrap_or(8),
        },
        digest_hour: digest_hour.unwrap_or(7),
    })
}

/// The CPUs this process may use (its cgroup's quota included); 2 if unknown.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

/// The pool's size unless `HOMEWARD_DB_POOL_SIZE` says otherwise: four connections a core
/// (8 on two), at least 4 and at most 32 (a database shared by several instances has its
/// `max_connections`, 100 by default). More only queue inside Postgres for the same
/// CPUs: on two cores, 16 connections cost reports a fifth more database CPU each and
/// doubled their p99 (a district's reports wait for its counter row, and a waiter's
/// backend competes with the holder's); 4 slowed reads (docs/benchmarks.md, issue 21).
pub fn default_pool_size(cores: usize) -> usize {
    cores.saturating_mul(4).clamp(4, 32)
}

/// Parses `key` if set, else returns `default`; records a problem when the value does
/// not parse or is out of `allowed`.
fn parse_or<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: Option<T>,
    problems: &mut Vec<String>,
    expected: &str,
    allowed: impl Fn(&T) -> bool,
) -> Option<T> {
    let Some(raw) = get(key) else {
        return default;
    };
    match raw.trim().parse() {
        Ok(v) if allowed(&v) => Some(v),
        _ => {
            problems.push(format!("{key} must be {expected} (got {raw:?})"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn national_clocks_are_configured_in_hours() {
        let s = settings(&[]).unwrap();
        assert_eq!(
            s.national,
            crate::domain::national::NationalPolicy::default()
        );
        let s = settings(&[
            ("HOMEWARD_UKMPU_NOTIFY_HOURS", "24"),
            ("HOMEWARD_PNC_RECORD_HOURS", "12"),
        ])
        .unwrap();
        assert_eq!(s.national.ukmpu, chrono::Duration::hours(24));
        assert_eq!(s.national.pnc, chrono::Duration::hours(12));
        let e = settings(&[("HOMEWARD_PNC_RECORD_HOURS", "0")]).unwrap_err();
        assert!(e.to_string().contains("HOMEWARD_PNC_RECORD_HOURS"), "{e}");
    }

    #[test]
    fn the_time_zone_is_an_iana_name_and_london_by_default() {
        assert_eq!(settings(&[]).unwrap().zone.name(), "Europe/London");
        let s = settings(&[("HOMEWARD_TIME_ZONE", "Europe/Dublin")]).unwrap();
        assert_eq!(s.zone.name(), "Europe/Dublin");
        let e = settings(&[("HOMEWARD_TIME_ZONE", "BST+1")]).unwrap_err();
        assert!(e.to_string().contains("HOMEWARD_TIME_ZONE"), "{e}");
    }

    #[test]
    fn the_pool_is_four_connections_a_core_unless_set() {
        assert_eq!(default_pool_size(1), 4);
        assert_eq!(default_pool_size(2), 8);
        assert_eq!(default_pool_size(8), 32);
        assert_eq!(default_pool_size(64), 32);
        assert_eq!(settings(&[]).unwrap().pool_size, default_pool_size(cores()));
        let s = settings(&[("HOMEWARD_DB_POOL_SIZE", "16")]).unwrap();
        assert_eq!(s.pool_size, 16);
        let e = settings(&[("HOMEWARD_DB_POOL_SIZE", "0")]).unwrap_err();
        assert!(e.to_string().contains("HOMEWARD_DB_POOL_SIZE"), "{e}");
    }

    #[test]
    fn defaults_run_embedded() {
        let s = settings(&[]).unwrap();
        assert!(s.database_url.is_none());
        assert_eq!(s.bind.port(), 8080);
        assert_eq!(s.access_token_ttl_secs, 900);
    }

    #[test]
    fn an_external_database_needs_an_explicit_secret() {
        let e = settings(&[("DATABASE_URL", "postgres://x@y/z")]).unwrap_err();
        assert!(
            e.to_string().contains("HOMEWARD_JWT_SECRET is required"),
            "{e}"
        );
        let e = settings(&[
            ("DATABASE_URL", "postgres://x@y/z"),
            ("HOMEWARD_JWT_SECRET", "short"),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("at least 32 bytes"), "{e}");
    }

    #[test]
    fn every_bad_value_is_reported_at_once() {
        let e = settings(&[
            ("HOMEWARD_BIND", "nowhere"),
            ("HOMEWARD_ACCESS_TOKEN_TTL_SECS", "3600"),
        ])
        .unwrap_err();
        assert_eq!(e.0.len(), 2, "{e}");
        assert!(e.to_string().contains("HOMEWARD_BIND"));
        assert!(e.to_string().contains("900"));
    }

    #[test]
    fn review_intervals_are_configurable_and_checked() {
        let s = settings(&[("HOMEWARD_REVIEW_INTERVALS_MINUTES", "high:30")]).unwrap();
        assert_eq!(s.review_policy.high, chrono::Duration::minutes(30));
        let e = settings(&[("HOMEWARD_REVIEW_INTERVALS_MINUTES", "high:9999")]).unwrap_err();
        assert!(
            e.to_string().contains("HOMEWARD_REVIEW_INTERVALS_MINUTES"),
            "{e}"
        );
    }

    #[test]
    fn limits_are_configurable_and_checked() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.limits, crate::limits::Limits::default());
        let s = settings(&[
            ("HOMEWARD_REQUEST_TIMEOUT_SECS", "5"),
            ("HOMEWARD_WRITE_RATE_PER_MINUTE", "600"),
        ])
        .unwrap();
        assert_eq!(s.limits.request_timeout.as_secs(), 5);
        assert_eq!(s.limits.writes_per_minute.get(), 600);
        let e = settings(&[
            ("HOMEWARD_REQUEST_TIMEOUT_SECS", "0"),
            ("HOMEWARD_WRITE_RATE_PER_MINUTE", "0"),
        ])
        .unwrap_err();
        assert_eq!(e.0.len(), 2, "{e}");
    }

    #[test]
    fn the_suppression_threshold_is_configurable_and_checked() {
        assert_eq!(settings(&[]).unwrap().suppression.below(), 5);
        let s = settings(&[("HOMEWARD_SUPPRESS_BELOW", "10")]).unwrap();
        assert_eq!(s.suppression.below(), 10);
        assert_eq!(
            settings(&[("HOMEWARD_SUPPRESS_BELOW", "1")])
                .unwrap()
                .suppression
                .below(),
            1
        );
        for bad in ["0", "101", "five", "-3"] {
            let e = settings(&[("HOMEWARD_SUPPRESS_BELOW", bad)]).unwrap_err();
            assert!(e.to_string().contains("HOMEWARD_SUPPRESS_BELOW"), "{e}");
        }
    }

    #[test]
    fn smtp_concurrency_is_one_unless_raised_within_bounds() {
        let url = ("HOMEWARD_SMTP_URL", "smtps://mail.example.org");
        let s = settings(&[url]).unwrap();
        assert_eq!(s.notify.smtp.unwrap().max_connections, 1);
        let s = settings(&[url, ("HOMEWARD_SMTP_CONCURRENCY", "4")]).unwrap();
        assert_eq!(s.notify.smtp.unwrap().max_connections, 4);
        for bad in ["0", "17", "many"] {
            let e = settings(&[url, ("HOMEWARD_SMTP_CONCURRENCY", bad)]).unwrap_err();
            assert!(e.to_string().contains("HOMEWARD_SMTP_CONCURRENCY"), "{e}");
        }
    }

    #[test]
    fn plain_smtp_needs_an_explicit_local_opt_in() {
        let s = settings(&[("HOMEWARD_SMTP_URL", "smtp://mail.example.org")]).unwrap();
        let smtp = s.notify.smtp.unwrap();
        assert_eq!(smtp.security, crate::notify::config::Security::StartTls);
        let s = settings(&[
            ("HOMEWARD_SMTP_URL", "smtp://127.0.0.1:2525"),
            ("HOMEWARD_SMTP_ALLOW_PLAIN", "local"),
        ])
        .unwrap();
        assert_eq!(
            s.notify.smtp.unwrap().security,
            crate::notify::config::Security::Plain
        );
        let e = settings(&[("HOMEWARD_SMTP_ALLOW_PLAIN", "yes")]).unwrap_err();
        assert!(e.to_string().contains("HOMEWARD_SMTP_ALLOW_PLAIN"), "{e}");
        assert!(settings(&[]).unwrap().notify.smtp.is_none());
    }

    #[test]
    fn secrets_do_not_print() {
        let s = settings(&[
            ("DATABASE_URL", "postgres://u:hunter2@h/d"),
            ("HOMEWARD_JWT_SECRET", &"s".repeat(40)),
        ])
        .unwrap();
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("ssssssss"),
            "{shown}"
        );
    }
}
