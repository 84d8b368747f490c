//! A report's last statement takes its district's reference counter, which the district's
//! other reports queue for until the report ends. `Tx::commit_with` and `Tx::audit_then`
//! let the commit release it once the commit's record is written, before its flush, and
//! answer only once the flush is done. Shown on a cluster of the test's own whose
//! synchronous commits wait for a standby that is not there: a flush at the deployment's
//! own level never comes until that requirement is lifted.

use std::time::{Duration, Instant};

use diesel::sql_types::{Bool, Text};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use homeward::db::{build_pool, AuditContext, Conn, Pool, Tx};

use crate::helpers::OwnServer;

/// The advisory lock the transactions under test take, as a report takes its counter.
const LOCK: i64 = 7_171;

#[derive(QueryableByName)]
struct Free {
    #[diesel(sql_type = Bool)]
    free: bool,
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    synchronous_commit: String,
}

/// Whether `LOCK` can be taken now (it is let go again at once).
async fn lock_is_free(su: &mut AsyncPgConnection) -> bool {
    diesel::sql_query(format!("SELECT pg_try_advisory_xact_lock({LOCK}) AS free"))
        .get_result::<Free>(su)
        .await
        .expect("try the lock")
        .free
}

/// Synchronous commits wait for a standby that does not exist, or not. Set, it is in
/// force once a synchronous commit of a probe's own is seen to wait (each backend, and
/// the checkpointer that tells them a standby is named, take a reload in their own time).
async fn standby_required(su: &mut AsyncPgConnection, admin_url: &str, required: bool) {
    let set = if required {
        "ALTER SYSTEM SET synchronous_standby_names = 'absent_standby'"
    } else {
        "ALTER SYSTEM RESET synchronous_standby_names"
    };
    // Two messages: ALTER SYSTEM may not share an (implicit) transaction.
    su.batch_execute(set)
        .await
        .expect("set synchronous_standby_names");
    su.batch_execute("SELECT pg_reload_conf()")
        .await
        .expect("reload");
    if !required {
        return;
    }
    let started = Instant::now();
    loop {
        let mut probe = AsyncPgConnection::establish(admin_url)
            .await
            .expect("the probe's connection");
        probe
            .batch_execute("SET synchronous_commit = on; SET application_name = 'standby_probe'")
            .await
            .expect("the probe's settings");
        let commit = probe.batch_execute("SELECT pg_logical_emit_message(true, 'probe', '')");
        if tokio::time::timeout(Duration::from_millis(300), commit)
            .await
            .is_err()
        {
            // Waiting, as it should: let it go (its commit stands, unreplicated).
            su.batch_execute(
                "SELECT pg_cancel_backend(pid) FROM pg_stat_activity \
                 WHERE application_name = 'standby_probe'",
            )
            .await
            .expect("cancel the probe");
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "synchronous commits never waited for the absent standby"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// How the transaction under test ends.
#[derive(Clone, Copy, Debug)]
enum Ending {
    /// `commit_with`: its last statement and the COMMIT in one round trip.
    CommitWith,
    /// `audit_then`, then `finish` (a report whose alerts follow its reference).
    AuditThenFinish,
}

/// Takes `LOCK` and writes a row.
fn take(conn: &Conn) -> BoxFuture<'_, diesel::QueryResult<usize>> {
    async move {
        let mut on = conn;
        diesel::sql_query(format!(
            "INSERT INTO written (locked) SELECT pg_advisory_xact_lock({LOCK}) IS NOT NULL"
        ))
        .execute(&mut on)
        .await
    }
    .boxed()
}

/// A transaction that takes `LOCK` and inserts a row, ended as `ending` says.
async fn locking_write(pool: Pool, ending: Ending) -> Result<(), homeward::error::AppError> {
    let mut tx = Tx::begin(&pool, AuditContext::default()).await?;
    match ending {
        Ending::CommitWith => {
            tx.commit_with(take).await?;
            tx.finish(Ok(())).await
        }
        Ending::AuditThenFinish => {
            tx.audit_then(take).await?;
            tx.finish(Ok(())).await
        }
    }
}

async fn rows_written(su: &mut AsyncPgConnection) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query("SELECT count(*) AS n FROM written")
        .get_result::<N>(su)
        .await
        .expect("count")
        .n
}

#[actix_rt::test]
async fn a_commit_lets_its_lock_go_before_the_flush_and_is_answered_only_after_it() {
    let server = OwnServer::launch("hw-flush").await;
    let admin_url = server.admin_url("postgres");
    let password = uuid::Uuid::new_v4().simple().to_string();
    let writer_url = format!(
        "{} password={password}",
        server.cluster().url("flush_writer", "postgres")
    );
    let mut su = AsyncPgConnection::establish(&admin_url)
        .await
        .expect("superuser");
    // The writer's commits are synchronous, as in a deployment (the test cluster's own
    // default is not).
    su.batch_execute(&format!(
        "CREATE ROLE flush_writer LOGIN PASSWORD '{password}'; \
         ALTER ROLE flush_writer SET synchronous_commit = on; \
         CREATE TABLE written (locked boolean NOT NULL); \
         GRANT INSERT ON written TO flush_writer;"
    ))
    .await
    .expect("set up");
    let pool = build_pool(&writer_url, 1).expect("pool");

    for ending in [Ending::CommitWith, Ending::AuditThenFinish] {
        let before = rows_written(&mut su).await;
        standby_required(&mut su, &admin_url, true).await;
        let write = actix_rt::spawn(locking_write(pool.clone(), ending));

        // Committed, and the lock let go, while the flush is still awaited.
        let started = Instant::now();
        while !(rows_written(&mut su).await == before + 1 && lock_is_free(&mut su).await) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{ending:?}: the commit held its lock until its flush"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            !write.is_finished(),
            "{ending:?}: answered before the commit was flushed"
        );

        standby_required(&mut su, &admin_url, false).await;
        let done = tokio::time::timeout(Duration::from_secs(10), write)
            .await
            .unwrap_or_else(|_| panic!("{ending:?}: not answered once flushed"))
            .expect("the task");
        assert!(done.is_ok(), "{ending:?}: {done:?}");

        // The connection goes back to the pool with synchronous commits again.
        let conn = pool.get().await.expect("the pool's connection");
        let mut on: &AsyncPgConnection = &conn;
        let setting: Setting =
            diesel::sql_query("SELECT current_setting('synchronous_commit') AS synchronous_commit")
                .get_result(&mut on)
                .await
                .expect("show");
        assert_eq!(setting.synchronous_commit, "on", "{ending:?}");
    }
}
