//! The database's rules: functions, policies, grants and triggers, one file a concern
//! under `db/sql` (`functions/*.sql` by concern, `tables/<table>.sql` for a table's
//! row-level security, policies, grants and triggers). They are applied after the
//! versioned migrations, which keep tables, indexes and data, in path order, in one
//! transaction, whenever their content changes: each table file's policies, triggers and
//! grants to the runtime role are dropped first, so the file is all there is. To change
//! a policy, edit its table's file.

use diesel_async::{AsyncPgConnection, SimpleAsyncConnection};
use sha2::{Digest, Sha256};

include!(concat!(env!("OUT_DIR"), "/sql_files.rs"));

/// Identifies this set of rules: SHA-256 over every file's path and content.
pub fn digest() -> String {
    let mut h = Sha256::new();
    for (path, text) in FILES {
        h.update(path.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        h.update([0]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The table a `tables/<table>.sql` file is about.
pub fn table_of(path: &str) -> Option<&str> {
    path.strip_prefix("tables/")?.strip_suffix(".sql")
}

/// What clears a table's policies, triggers and runtime grants before its file runs.
fn clear(table: &str) -> String {
    format!(
        "DO $clear$ DECLARE r record; BEGIN
           FOR r IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = '{table}' LOOP
             EXECUTE format('DROP POLICY %I ON {table}', r.policyname);
           END LOOP;
           FOR r IN SELECT tgname FROM pg_trigger WHERE tgrelid = 'public.{table}'::regclass AND NOT tgisinternal LOOP
             EXECUTE format('DROP TRIGGER %I ON {table}', r.tgname);
           END LOOP;
         END $clear$;
         REVOKE ALL ON TABLE {table} FROM homeward_app;"
    )
}

/// Applies the rules if the database has not got these ones yet (over the administrative
/// connection, after the migrations); returns whether it did. Concurrent starts take
/// turns on the bookkeeping row.
pub async fn apply(conn: &mut AsyncPgConnection) -> Result<bool, diesel::result::Error> {
    let digest = digest();
    let mut script = String::from(
        "BEGIN;
         SET LOCAL ROLE homeward_owner;
         LOCK TABLE hw_rules_applied IN EXCLUSIVE MODE;\n",
    );
    script.push_str(&format!(
        "DO $check$ BEGIN
           IF EXISTS (SELECT 1 FROM hw_rules_applied WHERE digest = '{digest}') THEN
             RAISE EXCEPTION 'hw_rules_current' USING ERRCODE = 'P0001';
           END IF;
         END $check$;\n"
    ));
    for (path, text) in FILES {
        if let Some(table) = table_of(path) {
            script.push_str(&clear(table));
            script.push('\n');
        }
        script.push_str(&format!("-- {path}\n{text}\n"));
    }
    script.push_str(&format!(
        "INSERT INTO hw_rules_applied (singleton, digest) VALUES (true, '{digest}')
           ON CONFLICT (singleton) DO UPDATE SET digest = excluded.digest, applied_at = now();
         COMMIT;"
    ));
    match conn.batch_execute(&script).await {
        Ok(()) => Ok(true),
        Err(e) => {
            let _ = conn.batch_execute("ROLLBACK").await;
            if e.to_string().contains("hw_rules_current") {
                Ok(false)
            } else {
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_functions_then_tables_in_path_order() {
        assert!(!FILES.is_empty());
        let paths: Vec<&str> = FILES.iter().map(|f| f.0).collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted);
        let first_table = paths.iter().position(|p| p.starts_with("tables/")).unwrap();
        assert!(paths[..first_table]
            .iter()
            .all(|p| p.starts_with("functions/")));
        assert_eq!(table_of("tables/episodes.sql"), Some("episodes"));
        assert_eq!(table_of("functions/10_claims.sql"), None);
        assert_eq!(digest().len(), 64);
    }
}
