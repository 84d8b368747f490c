//! The embedded cluster admits Homeward alone: as root the server runs as Homeward's own
//! account (not the host's `postgres`), its socket is private to that account, and every
//! login needs a generated password kept 0600 outside the data directory.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use diesel::sql_types::Bool;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use homeward::config::Settings;
use homeward::provision::{self, Database, APP_ROLE};
use homeward::tooling::pg_cluster::{self, lookup_user, SERVER_ACCOUNT};
use secrecy::ExposeSecret;

#[derive(diesel::QueryableByName)]
struct RoleFlags {
    #[diesel(sql_type = Bool)]
    rolsuper: bool,
    #[diesel(sql_type = Bool)]
    rolbypassrls: bool,
}

/// Removes the service's data dir however the test ends (after the cluster has stopped).
struct DataDir(PathBuf);

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Opens the database as `homeward serve` does with no DATABASE_URL.
async fn open_as_the_service(data_dir: &Path) -> Database {
    let dir = data_dir.display().to_string();
    let settings = Settings::from_lookup(|k| (k == "HOMEWARD_DATA_DIR").then(|| dir.clone()))
        .expect("settings");
    provision::open(&settings)
        .await
        .expect("open the embedded cluster")
}

async fn shut_down(database: Database) {
    tokio::task::spawn_blocking(move || database.shut_down())
        .await
        .expect("stop the cluster");
}

async fn connect(url: &str) -> Result<AsyncPgConnection, String> {
    AsyncPgConnection::establish(url)
        .await
        .map_err(|e| e.to_string())
}

/// psql as `account` (`None`: as this process), never prompting, with `password` (if any)
/// in its environment only. Says whether it connected, and what it printed.
fn psql_as(
    account: Option<&str>,
    psql: &Path,
    conninfo: &str,
    password: Option<&str>,
) -> (bool, String) {
    let mut cmd = match account {
        Some(account) => {
            let mut c = Command::new("/usr/sbin/runuser");
            c.args(["-u", account, "--"]).arg(psql);
            c
        }
        None => Command::new(psql),
    };
    cmd.arg(conninfo)
        .args(["-wXtAc", "select 1"])
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .current_dir("/");
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd.output().expect("run psql through runuser");
    let said = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    (out.status.success(), said.into_owned())
}

#[actix_rt::test]
async fn other_accounts_and_wrong_passwords_cannot_reach_the_embedded_cluster() {
    let Ok(bin_dir) = pg_cluster::find_bin_dir() else {
        eprintln!("skipped: no PostgreSQL server binaries to start a cluster with");
        return;
    };
    let psql = [bin_dir.join("psql"), PathBuf::from("/usr/bin/psql")]
        .into_iter()
        .find(|p| p.exists())
        .expect("psql (PostgreSQL's client) is installed");
    let suffix = &uuid::Uuid::new_v4().simple().to_string()[..12];
    let dir = DataDir(std::env::temp_dir().join(format!("hw-access-{suffix}")));
    std::fs::create_dir(&dir.0).expect("data dir");
    let database = open_as_the_service(&dir.0).await;
    homeward::db::migrate::run(&database.admin_url)
        .await
        .expect("migrate");
    let app_password = database.app_password.clone().expect("a runtime password");
    provision::set_app_password(&database.admin_url, app_password.expose_secret())
        .await
        .expect("set the runtime role's password");
    let cluster = database.cluster.as_ref().expect("the embedded cluster");
    let superuser = cluster.superuser().to_owned();

    // With their passwords, Homeward's two logins get in; the runtime role is no superuser.
    let mut admin = connect(&database.admin_url).await.expect("superuser login");
    let flags: RoleFlags =
        diesel::sql_query("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1")
            .bind::<diesel::sql_types::Text, _>(APP_ROLE)
            .get_result(&mut admin)
            .await
            .expect("the runtime role");
    assert!(!flags.rolsuper, "{APP_ROLE} is a superuser");
    assert!(
        !flags.rolbypassrls,
        "{APP_ROLE} bypasses row-level security"
    );
    drop(admin);
    connect(&database.app_url)
        .await
        .expect("runtime role login");

    // Without them, or with wrong ones, nobody does, not even this process.
    let socket_dir = cluster.socket_dir().display().to_string();
    for user in [superuser.as_str(), APP_ROLE] {
        let wrong =
            homeward::db::url::with_login(&database.admin_url, user, Some(&"0".repeat(64)), None)
                .expect("url");
        match connect(&wrong).await {
            Ok(_) => panic!("{user} logged in with a wrong password"),
            Err(e) => assert!(e.contains("password authentication failed"), "{user}: {e}"),
        }
        let conninfo = format!("host={socket_dir} port=5432 user={user} dbname=homeward");
        let (connected, said) = psql_as(None, &psql, &conninfo, None);
        assert!(!connected, "{user} logged in without a password: {said}");
        assert!(said.contains("no password supplied"), "{user}: {said}");
    }

    // The passwords are kept 0600 by this process's user, outside the data dir, which (as
    // root) belongs to Homeward's own account rather than the host's `postgres`.
    let data_dir = cluster.data_dir().canonicalize().expect("data dir");
    let superuser_file = cluster
        .password_file()
        .expect("a persistent cluster keeps it");
    for file in [superuser_file, &dir.0.join("pg.app-password")] {
        let meta = std::fs::symlink_metadata(file).expect("password file");
        assert!(meta.is_file(), "{}", file.display());
        assert_eq!(meta.mode() & 0o777, 0o600, "{}", file.display());
        // SAFETY: geteuid has no preconditions and cannot fail.
        assert_eq!(meta.uid(), unsafe { libc::geteuid() }, "{}", file.display());
        let file = file.canonicalize().expect("password file");
        assert!(
            !file.starts_with(&data_dir),
            "{} is in the data dir",
            file.display()
        );
    }
    let owner = std::fs::metadata(&data_dir).expect("data dir").uid();
    if is_root() {
        let (ours, _) = lookup_user(SERVER_ACCOUNT).expect("the server account exists");
        assert_eq!(owner, ours, "the data dir is not {SERVER_ACCOUNT}'s");
    }

    // Other local accounts cannot connect, even knowing the password (the socket dir is the
    // server account's alone), let alone without it.
    if !is_root() {
        eprintln!("skipped the other-account checks: only root can act as another user");
    } else {
        let conninfo = format!("host={socket_dir} port=5432 user={superuser} dbname=postgres");
        let su_password = std::fs::read_to_string(superuser_file).expect("superuser password");
        for account in ["postgres", "nobody"] {
            if lookup_user(account).is_none() {
                eprintln!("skipped: no `{account}` account on this machine");
                continue;
            }
            for password in [None, Some(su_password.trim())] {
                let (connected, said) = psql_as(Some(account), &psql, &conninfo, password);
                assert!(!connected, "`{account}` connected: {said}");
                // Refused at the socket itself, before any password is asked for.
                assert!(said.contains("Permission denied"), "`{account}`: {said}");
            }
        }
    }

    // After a restart on the same data dir, the kept passwords still let Homeward in.
    let (admin_url, app_url) = (database.admin_url.clone(), database.app_url.clone());
    shut_down(database).await;
    let again = open_as_the_service(&dir.0).await;
    assert_eq!((&again.admin_url, &again.app_url), (&admin_url, &app_url));
    connect(&again.admin_url)
        .await
        .expect("superuser login after a restart");
    connect(&again.app_url)
        .await
        .expect("runtime role login after a restart");
    shut_down(again).await;
}
