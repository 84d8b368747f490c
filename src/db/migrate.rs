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
    rx.await
        .map_err(|_| BoxError::from("the migration thread stopped unexpectedly"))?
}
