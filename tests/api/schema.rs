//! The database as the migrations and `db/sql` build it: a committed snapshot of its
//! schema that the code cannot drift from (as `openapi/openapi.json` for the API), and
//! every table under row-level security with a rules file of its own.

use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::helpers::template_admin_url;

const SNAPSHOT: &str = "db/schema.sql";

/// Tables without a `db/sql/tables` file, and why.
const EXEMPT: &[(&str, &str)] = &[
    ("__diesel_schema_migrations", "diesel's own record of the migrations run; no grants"),
    (
        "audit_chain_head",
        "the audit chain's head row: no grants to the runtime role at all; only the sealer's SECURITY DEFINER functions touch it",
    ),
];

/// `pg_dump --schema-only` without what varies from run to run (comments, settings,
/// the random `\restrict` key) and with runs of blank lines folded.
fn normalise(dump: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in dump.lines() {
        let skip = line.starts_with("--")
            || line.starts_with("SET ")
            || line.starts_with("SELECT pg_catalog.set_config")
            || line.starts_with("\\restrict")
            || line.starts_with("\\unrestrict");
        if skip {
            continue;
        }
        if line.trim().is_empty() {
            if !blank && !out.is_empty() {
                out.push('\n');
            }
            blank = true;
            continue;
        }
        blank = false;
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn pg_dump(url: &str) -> String {
    // Beside the server binaries the tests' cluster runs, else Debian's, else PATH's.
    let mut candidates: Vec<std::path::PathBuf> = homeward::tooling::pg_cluster::find_bin_dir()
        .map(|d| vec![d.join("pg_dump")])
        .unwrap_or_default();
    let mut debian: Vec<std::path::PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin/pg_dump"))
        .collect();
    debian.sort();
    candidates.extend(debian.into_iter().rev());
    let bin = candidates
        .into_iter()
        .find(|p| p.exists())
        .unwrap_or_else(|| "pg_dump".into());
    let out = std::process::Command::new(&bin)
        .args(["--schema-only", "-d", url])
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", bin.display()));
    assert!(
        out.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn the_committed_schema_is_what_the_migrations_and_rules_build() {
    let got = normalise(&pg_dump(&template_admin_url()));
    if std::env::var("UPDATE_SCHEMA").is_ok() {
        std::fs::write(SNAPSHOT, &got).expect("write the snapshot");
        return;
    }
    let want = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    if got != want {
        let first = got
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(got.lines().count().min(want.lines().count()));
        panic!(
            "{SNAPSHOT} is out of date (first difference at line {}: {:?} here, {:?} committed): \
             run `UPDATE_SCHEMA=1 cargo test --test api schema` and commit it",
            first + 1,
            got.lines().nth(first),
            want.lines().nth(first)
        );
    }
}

#[derive(QueryableByName)]
struct Table {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    enabled: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    forced: bool,
}

#[actix_rt::test]
async fn every_table_is_under_row_level_security_with_a_rules_file_or_says_why_not() {
    let mut conn = AsyncPgConnection::establish(&template_admin_url())
        .await
        .unwrap();
    let tables: Vec<Table> = diesel::sql_query(
        "SELECT c.relname AS name, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1",
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert!(tables.len() > 40);
    let files: Vec<&str> = homeward::db::rules::FILES
        .iter()
        .filter_map(|(p, _)| homeward::db::rules::table_of(p))
        .collect();
    let mut wrong = Vec::new();
    for t in &tables {
        if EXEMPT.iter().any(|(n, _)| *n == t.name) {
            continue;
        }
        if !(t.enabled && t.forced) {
            wrong.push(format!(
                "{}: row-level security not enabled and forced",
                t.name
            ));
        }
        if !files.contains(&t.name.as_str()) {
            wrong.push(format!("{}: no db/sql/tables/{}.sql", t.name, t.name));
        }
    }
    for f in &files {
        if !tables.iter().any(|t| t.name == *f) {
            wrong.push(format!("db/sql/tables/{f}.sql: no such table"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[actix_rt::test]
async fn a_rule_removed_behind_the_services_back_comes_back_when_the_rules_are_applied() {
    // A test database of its own, from the template.
    let app = crate::helpers::spawn_app().await;
    let mut su = app.superuser().await;
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut su,
        "SET ROLE homeward_owner; DROP POLICY episodes_partner_read ON episodes;
         CREATE POLICY stray ON episodes FOR SELECT TO homeward_app USING (true); RESET ROLE;",
    )
    .await
    .unwrap();
    // The same rules are not applied again...
    assert!(!homeward::db::rules::apply(&mut su).await.unwrap());
    // ...until the record of them goes (as when a file changes).
    diesel_async::SimpleAsyncConnection::batch_execute(&mut su, "DELETE FROM hw_rules_applied")
        .await
        .unwrap();
    assert!(homeward::db::rules::apply(&mut su).await.unwrap());
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        policyname: String,
    }
    let names: Vec<String> = diesel::sql_query(
        "SELECT policyname FROM pg_policies WHERE tablename = 'episodes' ORDER BY 1",
    )
    .load::<Name>(&mut su)
    .await
    .unwrap()
    .into_iter()
    .map(|n| n.policyname)
    .collect();
    assert!(
        names.contains(&"episodes_partner_read".to_owned()),
        "{names:?}"
    );
    assert!(
        !names.contains(&"stray".to_owned()),
        "the file is all there is: {names:?}"
    );
}

/// A report's single-column checks are domains (issue 21): each column still refuses
/// what its check refused and takes what it took (a value taken fails on a column left
/// out instead, never on its check).
#[actix_rt::test]
async fn the_columns_checked_by_domains_refuse_what_their_checks_refused() {
    use diesel::result::{DatabaseErrorKind, Error};
    use diesel_async::SimpleAsyncConnection;

    let app = crate::helpers::spawn_app().await;
    let mut su = app.superuser().await;
    let text = |n: usize| format!("'{}'", "x".repeat(n));
    let quoted = |s: &str| format!("'{s}'");
    // (table, column, refused, taken)
    let mut cases: Vec<(&str, &str, String, String)> = Vec::new();
    for (table, column, refused, taken) in [
        ("episodes", "status", "lost", "active"),
        ("episodes", "risk_level", "extreme", "high"),
        ("episodes", "missing_from", "school", "care_placement"),
        ("episodes", "reported_by", "neighbour", "childrens_home"),
        ("episodes", "reference", "LDS-26-000001", "LDS-2026-000001"),
        ("episodes", "last_seen_location", "", "Roundhay Park"),
        ("episodes", "pnc_reference", "", "PNC/1"),
        ("episodes", "ukmpu_reference", "", "UKMPU/1"),
        ("risk_gradings", "from_level", "extreme", "very_low"),
        ("risk_gradings", "to_level", "Medium", "medium"),
        ("risk_gradings", "grader_role", "analyst", "supervisor"),
        ("risk_gradings", "rationale", "", "Age."),
        ("risk_gradings", "information", "", "Call."),
        ("audit_queue", "operation", "peeking", "disclosure"),
        ("audit_queue", "record_type", "", "episode"),
    ] {
        cases.push((table, column, quoted(refused), quoted(taken)));
    }
    for (table, column, max) in [
        ("episodes", "reporter_details", 500),
        ("episodes", "cancelled_reason", 2000),
        ("episodes", "no_interview_reason", 2000),
        ("episodes", "circumstances", 10000),
        ("episodes", "last_seen_location", 500),
        ("episodes", "pnc_reference", 100),
        ("episodes", "ukmpu_reference", 100),
        ("risk_gradings", "rationale", 5000),
        ("risk_gradings", "information", 5000),
        ("audit_queue", "record_type", 60),
        ("audit_queue", "purpose", 500),
        ("audit_queue", "request_id", 100),
        ("audit_queue", "lawful_basis", 500),
    ] {
        cases.push((table, column, text(max + 1), text(max)));
    }
    for (table, column, refused, taken) in &cases {
        for (value, is_refused) in [(refused, true), (taken, false)] {
            su.batch_execute("BEGIN; SET LOCAL ROLE homeward_owner")
                .await
                .unwrap();
            let result =
                diesel::sql_query(format!("INSERT INTO {table} ({column}) VALUES ({value})"))
                    .execute(&mut su)
                    .await;
            su.batch_execute("ROLLBACK").await.unwrap();
            let by_check = matches!(
                result,
                Err(Error::DatabaseError(DatabaseErrorKind::CheckViolation, _))
            );
            assert!(
                result.is_err(),
                "{table}.{column}: other columns are required"
            );
            assert_eq!(
                by_check,
                is_refused,
                "{table}.{column} = {}: {result:?}",
                &value[..value.len().min(20)]
            );
        }
    }
}
