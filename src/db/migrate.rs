//! Schema migrations, embedded in the binary and run over the administrative connection.

use diesel::Connection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::AsyncPgConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every pending migration; returns the versions applied.
///
/// Runs on a thread of its own: diesel's migration harness is synchronous, and the
/// wrapper that adapts our async connection needs a runtime it can block on.
pub async fn run(admin_url: &str) -> Result<Vec<String>, BoxError> {
    let url = admin_url.to_owned();
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let result = (|| -> Result<Vec<String>, BoxError> {
            let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)?;
            let applied = conn.run_pending_migrations(MIGRATIONS)?;
            Ok(applied.iter().map(ToString::to_string).collect())
        })();
        let _ = tx.send(result);
    });
    let applied = rx
        .await
        .map_err(|_| BoxError::from("the migration thread stopped unexpectedly"))??;
    // Then the rules (functions, policies, grants, triggers) from db/sql, if changed.
    let mut conn =
        <AsyncPgConnection as diesel_async::AsyncConnection>::establish(admin_url).await?;
    if super::rules::apply(&mut conn).await? {
        tracing::info!(digest = %super::rules::digest(), "database rules applied from db/sql");
    }
    Ok(applied)
}

/// Sets the database's force time zone (`hw_set_force_zone`) to the service's, over the
/// administrative connection, after the migrations: days, months and ages are then cut
/// the same in SQL as in Rust. A change rebuilds the kept measure state (in one
/// transaction) and is logged. Returns whether it changed.
pub async fn set_force_zone(
    admin_url: &str,
    zone: &crate::domain::local_time::ForceZone,
) -> Result<bool, BoxError> {
    use diesel::sql_types::{Bool, Text};
    use diesel_async::{AsyncConnection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Changed {
        #[diesel(sql_type = Bool)]
        changed: bool,
    }
    let mut conn = AsyncPgConnection::establish(admin_url).await?;
    // One statement: the redefinition and the rebuild commit together or not at all.
    let changed = diesel::sql_query("SELECT hw_set_force_zone($1) AS changed")
        .bind::<Text, _>(zone.name())
        .get_result::<Changed>(&mut conn)
        .await?
        .changed;
    if changed {
        tracing::info!(
            zone = zone.name(),
            "the force's time zone changed: the kept measure state was rebuilt"
        );
    }
    Ok(changed)
}
