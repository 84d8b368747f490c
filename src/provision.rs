//! Choosing the database: the embedded private cluster (no `DATABASE_URL`) or the
//! server `DATABASE_URL` names, plus the JWT secret and runtime-role password that go
//! with each.

use std::io::Write;
use std::path::Path;

use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretSlice, SecretString};

use crate::config::Settings;
use crate::db;
use crate::tooling::pg_cluster::{persisted_password, Cluster, ClusterOptions};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The embedded cluster's database.
pub const EMBEDDED_DB: &str = "homeward";
/// The runtime role migrations create.
pub const APP_ROLE: &str = "homeward_app";

/// Where the service's data lives and how to reach it.
pub struct Database {
    /// Administrative connection: migrations and seeds.
    pub admin_url: String,
    /// Runtime-role connection: everything else.
    pub app_url: String,
    /// The runtime role's password, set on the role by `migrate`: `HOMEWARD_APP_DB_PASSWORD`,
    /// or for the embedded cluster one generated once and kept in `<data_dir>/pg.app-password`.
    pub app_password: Option<SecretString>,
    /// Running while this is alive; `None` for an external server.
    pub cluster: Option<Cluster>,
}

impl Database {
    pub fn is_embedded(&self) -> bool {
        self.cluster.is_some()
    }

    /// Stops the embedded cluster, if any (blocking).
    pub fn shut_down(self) {
        if let Some(cluster) = self.cluster {
            tracing::info!("stopping the embedded PostgreSQL cluster");
            if let Err(e) = cluster.stop() {
                tracing::warn!(error = %e, "the embedded cluster did not stop cleanly");
            }
        }
    }
}

/// Opens the database the settings name, starting the embedded cluster if need be.
pub async fn open(settings: &Settings) -> Result<Database, BoxError> {
    match &settings.database_url {
        Some(url) => {
            let admin_url = url.expose_secret().to_owned();
            let app_url = match &settings.app_database_url {
                Some(u) => u.expose_secret().to_owned(),
                None => db::url::with_login(
                    &admin_url,
                    APP_ROLE,
                    settings.app_db_password.as_ref().map(|p| p.expose_secret()),
                    None,
                )?,
            };
            Ok(Database {
                admin_url,
                app_url,
                app_password: settings.app_db_password.clone(),
                cluster: None,
            })
        }
        None => {
            let data_dir = std::path::absolute(settings.data_dir.join("pg"))?;
            tracing::info!(data_dir = %data_dir.display(), "no DATABASE_URL: starting the embedded PostgreSQL cluster");
            let cluster = tokio::task::spawn_blocking(move || {
                Cluster::start(ClusterOptions {
                    data_dir,
                    ephemeral: false,
                    unsafe_fast: false,
                })
            })
            .await??;
            ensure_database(&cluster.url(cluster.superuser(), "postgres"), EMBEDDED_DB).await?;
            let app_password = match &settings.app_db_password {
                Some(p) => p.clone(),
                None => persisted_password(&settings.data_dir.join("pg.app-password"))?,
            };
            let admin_url = cluster.url(cluster.superuser(), EMBEDDED_DB);
            let app_url = db::url::with_login(
                &admin_url,
                APP_ROLE,
                Some(app_password.expose_secret()),
                None,
            )?;
            Ok(Database {
                admin_url,
                app_url,
                app_password: Some(app_password),
                cluster: Some(cluster),
            })
        }
    }
}

/// Creates database `name` if it does not exist.
pub async fn ensure_database(maintenance_url: &str, name: &str) -> Result<(), BoxError> {
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        found: bool,
    }
    let mut conn = AsyncPgConnection::establish(maintenance_url).await?;
    let exists: Found =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS found")
            .bind::<Text, _>(name)
            .get_result(&mut conn)
            .await?;
    if !exists.found {
        conn.batch_execute(&format!(
            "CREATE DATABASE \"{}\"",
            name.replace('"', "\"\"")
        ))
        .await?;
    }
    Ok(())
}

/// Sets the runtime role's password (every login to the embedded cluster needs one).
pub async fn set_app_password(admin_url: &str, password: &str) -> Result<(), BoxError> {
    let mut conn = AsyncPgConnection::establish(admin_url).await?;
    diesel::sql_query("SELECT set_config('homeward.new_app_password', $1, false)")
        .bind::<Text, _>(password)
        .execute(&mut conn)
        .await?;
    conn.batch_execute(
        "DO $$ BEGIN EXECUTE format('ALTER ROLE homeward_app PASSWORD %L', current_setting('homeward.new_app_password')); END $$; \
         RESET homeward.new_app_password;",
    )
    .await?;
    Ok(())
}

/// Gives the runtime role a new random password and returns its connection string for
/// `admin_url`'s database (benchmarks and tests on a private cluster).
pub async fn fresh_app_url(admin_url: &str) -> Result<String, BoxError> {
    let password = crate::tooling::pg_cluster::generate_password();
    set_app_password(admin_url, password.expose_secret()).await?;
    Ok(db::url::with_login(
        admin_url,
        APP_ROLE,
        Some(password.expose_secret()),
        None,
    )?)
}

/// The explicit secret, or for the embedded default one generated once and kept in
/// `<data_dir>/jwt-secret` (mode 0600) so tokens survive restarts.
pub fn jwt_secret(settings: &Settings, embedded: bool) -> Result<SecretSlice<u8>, BoxError> {
    if let Some(s) = &settings.jwt_secret {
        return Ok(SecretSlice::from(s.expose_secret().to_vec()));
    }
    if !embedded {
        return Err("HOMEWARD_JWT_SECRET is required when DATABASE_URL is set".into());
    }
    persisted_secret(&settings.data_dir.join("jwt-secret"))
}

/// The audit checkpoint signer: its Ed25519 key generated once and kept in
/// `<data_dir>/audit-signing-key` (256 bits in hex, 0600, owned by this process's user;
/// a file someone else owns or may read, or a symlink, is refused, never replaced), its
/// checkpoints appended to `<data_dir>/audit-checkpoints.jsonl`. The database's own OS
/// account must not be this process's user, or its superuser could read the key: the
/// embedded cluster runs as its own account when Homeward runs as root, and says so
/// otherwise.
pub fn audit_anchor(settings: &Settings) -> Result<crate::audit_anchor::AuditAnchor, BoxError> {
    std::fs::create_dir_all(&settings.data_dir)?;
    let path = settings.data_dir.join("audit-signing-key");
    let hex = crate::tooling::pg_cluster::persisted_password(&path)?;
    let seed = decode_seed(hex.expose_secret())
        .ok_or_else(|| format!("{} does not hold a 256-bit key in hex", path.display()))?;
    Ok(crate::audit_anchor::AuditAnchor::new(
        seed,
        std::path::absolute(settings.data_dir.join("audit-checkpoints.jsonl"))?,
    ))
}

fn decode_seed(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut seed = [0u8; 32];
    for (i, byte) in seed.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(seed)
}

fn persisted_secret(path: &Path) -> Result<SecretSlice<u8>, BoxError> {
    if let Ok(existing) = std::fs::read(path) {
        if existing.len() >= 32 {
            return Ok(SecretSlice::from(existing));
        }
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut bytes = vec![0u8; 64];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let mut file = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)?
    };
    file.write_all(&bytes)?;
    tracing::info!(path = %path.display(), "generated a secret key");
    Ok(SecretSlice::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_secret_is_kept_and_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("homeward-secret-{}", uuid::Uuid::new_v4()));
        let path = dir.join("jwt-secret");
        let first = persisted_secret(&path).unwrap();
        let second = persisted_secret(&path).unwrap();
        assert_eq!(first.expose_secret(), second.expose_secret());
        assert_eq!(first.expose_secret().len(), 64);
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
