//! A private PostgreSQL cluster run from the system's binaries (like the `pgtemp` crate), fully
//! blocking: initdb on first use, unix socket only, and the server never outlives this process.
//! As root the server runs as Homeward's own system account ([`SERVER_ACCOUNT`]), and every
//! login needs a password (SCRAM): the superuser's is generated at initdb and kept outside
//! the data directory, readable by this process's user alone.

mod account;
mod password;

pub use account::{lookup_user, SERVER_ACCOUNT};
pub use password::{generate_password, persisted_password, superuser_password_file};

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader};
use std::os::unix::fs::{FileExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};

use account::{adopt_dir, command, is_executable, server_user, RunAs};
use password::{read_password_file, rekey, write_password_file, InitdbPwfile};

/// Superuser role created by initdb (a database role only: no OS account of that name is involved).
const SUPERUSER: &str = "postgres";
/// Only names the socket file (`.s.PGSQL.5432`); the server never listens on TCP.
const PORT: &str = "5432";
const SOCKET_FILE: &str = ".s.PGSQL.5432";
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// sun_path holds ~107 bytes and PostgreSQL refuses longer socket paths; keep a margin.
const MAX_SOCKET_PATH: usize = 100;
const UNSAFE_FAST_SETTINGS: [&str; 3] = [
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
];

/// Run as `sh -c WATCHDOG sh <postgres> <data dir> <dir to rm|""> <dir to rm|""> <server args>..`.
/// Our end of its stdin is a pipe. When it closes (stop(), or this process dying in any way,
/// SIGKILL included) the reader subshell sees EOF and sends SIGINT (fast shutdown) to postgres.
/// The main shell waits on postgres itself, so it also exits when the server dies on its own,
/// which is how start() notices startup failures. It first prints the postmaster pid, so that
/// readiness is judged on this server's postmaster.pid and not on a stale one.
const WATCHDOG: &str = r#"pg=$1 data=$2 rmdata=$3 rmsock=$4; shift 4
exec 3<&0 </dev/null
"$pg" -D "$data" "$@" >&2 3<&- &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null' INT TERM
echo "$pid"
exec >&2
( read _ignored <&3; kill -INT "$pid" 2>/dev/null ) &
rpid=$!
exec 3<&-
while kill -0 "$pid" 2>/dev/null; do wait "$pid"; done
kill "$rpid" 2>/dev/null
if [ -n "$rmdata" ]; then rm -rf "$rmdata"; fi
if [ -n "$rmsock" ]; then rm -rf "$rmsock"; fi
"#;

/// How to start a [`Cluster`].
pub struct ClusterOptions {
    /// Data directory; created with initdb on first use, reused afterwards.
    pub data_dir: PathBuf,
    /// Delete the data directory (and socket dir) when the cluster stops (tests). An ephemeral
    /// cluster keeps its superuser's password in memory only; a persistent one in
    /// [`superuser_password_file`] (`<data dir>.superuser-password`, 0600).
    pub ephemeral: bool,
    /// Trade durability for speed: fsync=off, synchronous_commit=off, full_page_writes=off (tests only).
    pub unsafe_fast: bool,
}

/// Why a cluster could not be started or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No directory holds both `initdb` and `postgres`.
    #[error("PostgreSQL binaries `initdb` and `postgres` not found; searched: {}", .searched.join(", "))]
    BinariesNotFound { searched: Vec<String> },
    /// We are root, which PostgreSQL refuses, and the server's own account could not be created.
    #[error("this process runs as root, which PostgreSQL refuses, and the system user `{account}` to run it as could not be created ({reason}); create it (e.g. `useradd --system --user-group --no-create-home --shell /usr/sbin/nologin {account}`) or run as a non-root user")]
    NoServerAccount {
        account: &'static str,
        reason: String,
    },
    /// initdb exited unsuccessfully.
    #[error("initdb failed ({status}):\n{stderr}")]
    InitdbFailed { status: ExitStatus, stderr: String },
    /// Setting a new superuser password in single-user mode failed.
    #[error("setting the superuser's password (PostgreSQL in single-user mode) failed ({status}):\n{stderr}")]
    RekeyFailed { status: ExitStatus, stderr: String },
    /// A password file we would trust is not private to this process's user.
    #[error("refusing the password file {}: {reason}", .path.display())]
    UnsafePasswordFile { path: PathBuf, reason: String },
    /// A data dir to hand over to the server account is held by a running server.
    #[error("{} belongs to another user and PostgreSQL (pid {pid}) is running on it; stop that server first (or delete postmaster.pid if no such server runs)", .dir.display())]
    InUse { dir: PathBuf, pid: i32 },
    /// The server exited before becoming ready.
    #[error("PostgreSQL exited during startup; server log tail:\n{log}")]
    StartFailed { log: String },
    /// The server was not ready within 60 s.
    #[error("PostgreSQL not ready after {} s; server log tail:\n{log}", START_TIMEOUT.as_secs())]
    StartTimeout { log: String },
    /// An I/O operation failed.
    #[error("{context}: {source}")]
    Io { context: String, source: io::Error },
}

fn io_err(context: impl Into<String>) -> impl FnOnce(io::Error) -> ClusterError {
    let context = context.into();
    move |source| ClusterError::Io { context, source }
}

/// A running PostgreSQL server; stopped by [`Cluster::stop`] or on drop.
pub struct Cluster {
    data_dir: PathBuf,
    sock_dir: PathBuf,
    /// Ephemeral cluster: the data dir goes when the server stops.
    remove_data_dir: bool,
    /// Ephemeral, or a fresh dir under /tmp that is useless once the server is gone.
    remove_sock_dir: bool,
    /// The watchdog shell (or `runuser` around it); `None` once stopped.
    child: Option<Child>,
    /// Our end of the watchdog's stdin; closing it shuts the server down.
    stdin: Option<ChildStdin>,
    /// The superuser's password.
    password: SecretString,
    /// Where it is kept; `None` for an ephemeral cluster (memory only).
    password_file: Option<PathBuf>,
}

impl Cluster {
    /// Blocking: find binaries, initdb if needed, start, wait until ready (timeout 60 s).
    pub fn start(opts: ClusterOptions) -> Result<Cluster, ClusterError> {
        let bin_dir = find_bin_dir()?;
        let run_as = server_user()?;
        let run_as = run_as.as_ref();
        make_private_dir(&opts.data_dir, run_as)?;
        let data_dir = fs::canonicalize(&opts.data_dir)
            .map_err(io_err(format!("resolving {}", opts.data_dir.display())))?;
        let (sock_dir, fresh_sock_dir) = pick_socket_dir(&data_dir)?;
        let password_file = (!opts.ephemeral).then(|| superuser_password_file(&data_dir));
        // From here on an error drops `cluster`, which stops the server and removes its dirs.
        let mut cluster = Cluster {
            data_dir,
            sock_dir,
            remove_data_dir: opts.ephemeral,
            remove_sock_dir: opts.ephemeral || fresh_sock_dir,
            child: None,
            stdin: None,
            password: SecretString::from(String::new()),
            password_file,
        };
        make_private_dir(&cluster.sock_dir, run_as)?;
        cluster.password = cluster.superuser_password(&bin_dir, run_as, opts.unsafe_fast)?;
        let (pid, log) = cluster.spawn(&bin_dir, run_as, opts.unsafe_fast)?;
        cluster.wait_ready(&pid, &log)?;
        Ok(cluster)
    }

    /// libpq key=value connection string for `user` to database `dbname` over the unix socket,
    /// e.g. "host=/abs/sockdir port=5432 user=postgres dbname=postgres password=…"
    /// (tokio-postgres accepts this form). Only the superuser's carries a password: other
    /// roles' passwords are whoever created them's to add.
    pub fn url(&self, user: &str, dbname: &str) -> String {
        let host = conn_value(&self.sock_dir.to_string_lossy());
        let url = format!(
            "host={host} port={PORT} user={} dbname={}",
            conn_value(user),
            conn_value(dbname)
        );
        if user == SUPERUSER {
            format!(
                "{url} password={}",
                conn_value(self.password.expose_secret())
            )
        } else {
            url
        }
    }

    /// Superuser name created by initdb ("postgres").
    pub fn superuser(&self) -> &str {
        SUPERUSER
    }

    /// The directory holding the server's socket (private to the server's user).
    pub fn socket_dir(&self) -> &Path {
        &self.sock_dir
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Where the superuser's password is kept; `None` for an ephemeral cluster.
    pub fn password_file(&self) -> Option<&Path> {
        self.password_file.as_deref()
    }

    /// Blocking clean stop (fast shutdown), waits for the server to exit; removes dirs if ephemeral.
    pub fn stop(mut self) -> Result<(), ClusterError> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<(), ClusterError> {
        // EOF on the watchdog's pipe makes it SIGINT postgres; it exits once postgres has.
        drop(self.stdin.take());
        if let Some(mut child) = self.child.take() {
            child
                .wait()
                .map_err(io_err("waiting for PostgreSQL to stop"))?;
        }
        // take(): remove at most once, even though stop() is followed by Drop.
        let data = std::mem::take(&mut self.remove_data_dir).then_some(&self.data_dir);
        let sock = std::mem::take(&mut self.remove_sock_dir).then_some(&self.sock_dir);
        for dir in data.into_iter().chain(sock) {
            match fs::remove_dir_all(dir) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    return Err(io_err(format!("removing {}", dir.display()))(e));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The superuser's password: a new one with initdb for a new data dir; the kept one for an
    /// existing dir; a new one set in single-user mode for an existing dir with none kept
    /// (an earlier version's, which trusted local logins, or a lost file). An ephemeral
    /// cluster keeps none, so an existing dir it is given is always re-keyed.
    fn superuser_password(
        &self,
        bin_dir: &Path,
        run_as: Option<&RunAs>,
        fast: bool,
    ) -> Result<SecretString, ClusterError> {
        let kept = match &self.password_file {
            Some(file) => read_password_file(file)?,
            None => None,
        };
        let fresh = !self.data_dir.join("PG_VERSION").exists();
        let password = match kept {
            Some(kept) if !fresh => return Ok(kept),
            _ => generate_password(),
        };
        if fresh {
            let pwfile = InitdbPwfile::create(&self.sock_dir, run_as, &password)?;
            initdb(bin_dir, &self.data_dir, run_as, pwfile.path(), fast)?;
        } else {
            rekey(bin_dir, &self.data_dir, run_as, &password)?;
        }
        // Kept last: if we stop before this, the next start re-keys the dir.
        if let Some(file) = &self.password_file {
            write_password_file(file, &password)?;
        }
        Ok(password)
    }

    /// Starts the watchdog shell; returns the postmaster pid it reports and our log handle.
    fn spawn(
        &mut self,
        bin_dir: &Path,
        run_as: Option<&RunAs>,
        fast: bool,
    ) -> Result<(String, File), ClusterError> {
        // We open the log and hand it over as stderr: works whoever the server runs as, and our
        // handle still reads the tail after an ephemeral cleanup has unlinked the file.
        let log_path = self.sock_dir.join("postgres.log");
        let mut open = OpenOptions::new();
        let log = open
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&log_path);
        let log = log.map_err(io_err(format!("creating {}", log_path.display())))?;
        let child_log = log.try_clone().map_err(io_err("duplicating log handle"))?;
        // A one-element list; quoting keeps commas and spaces in the path literal.
        let sock_list = self.sock_dir.to_string_lossy().replace('"', "\"\"");
        let sock_setting = format!("unix_socket_directories=\"{sock_list}\"");
        let mut settings = vec!["listen_addresses=", &sock_setting, "max_connections=200"];
        // Passwords set through this server are stored as SCRAM, which pg_hba.conf demands.
        settings.push("password_encryption=scram-sha-256");
        settings.push("shared_buffers=128MB");
        if fast {
            settings.extend(UNSAFE_FAST_SETTINGS);
        }
        let rm = |yes: bool, dir: &Path| if yes { dir.into() } else { OsString::new() };
        let mut cmd = command(run_as, Path::new("/bin/sh"));
        cmd.args(["-c", WATCHDOG, "sh"])
            .arg(bin_dir.join("postgres"));
        cmd.arg(&self.data_dir)
            .arg(rm(self.remove_data_dir, &self.data_dir));
        cmd.arg(rm(self.remove_sock_dir, &self.sock_dir))
            .args(["-p", PORT]);
        cmd.args(settings.into_iter().flat_map(|s| ["-c", s]));
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(child_log);
        let mut child = cmd.spawn().map_err(io_err("spawning the watchdog shell"))?;
        self.stdin = child.stdin.take();
        let stdout = child.stdout.take();
        self.child = Some(child);
        let mut pid = String::new();
        if let Some(out) = stdout {
            // EOF without a line leaves `pid` empty; wait_ready then reports the early exit.
            let _ = BufReader::new(out).read_line(&mut pid);
        }
        Ok((pid.trim().to_owned(), log))
    }

    /// Ready means: this postmaster's pid file says "ready" (line 8) and the socket exists.
    fn wait_ready(&mut self, pid: &str, log: &File) -> Result<(), ClusterError> {
        let deadline = Instant::now() + START_TIMEOUT;
        let pid_file = self.data_dir.join("postmaster.pid");
        let socket = self.sock_dir.join(SOCKET_FILE);
        loop {
            let ready = fs::read_to_string(&pid_file).is_ok_and(|s| {
                let lines: Vec<&str> = s.lines().map(str::trim).collect();
                lines.len() >= 8 && lines[0] == pid && lines[7] == "ready"
            });
            if ready && socket.exists() {
                return Ok(());
            }
            let exited = match self.child.as_mut().map(Child::try_wait) {
                Some(status) => status.map_err(io_err("polling PostgreSQL"))?.is_some(),
                None => true,
            };
            if exited {
                return Err(ClusterError::StartFailed { log: log_tail(log) });
            }
            if Instant::now() >= deadline {
                return Err(ClusterError::StartTimeout { log: log_tail(log) });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

/// initdb with the superuser's password in `pwfile`; every login (local and host) needs one.
fn initdb(
    bin: &Path,
    data: &Path,
    run_as: Option<&RunAs>,
    pwfile: &Path,
    fast: bool,
) -> Result<(), ClusterError> {
    let mut cmd = command(run_as, &bin.join("initdb"));
    cmd.arg("-D")
        .arg(data)
        .args(["-U", SUPERUSER, "--auth=scram-sha-256"]);
    cmd.arg("--pwfile").arg(pwfile);
    cmd.args(["--encoding=UTF8", "--no-locale"]);
    if fast {
        cmd.arg("--no-sync");
    }
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(io_err("running initdb"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    Err(ClusterError::InitdbFailed {
        status: out.status,
        stderr,
    })
}

/// Creates `dir` (and parents) and makes it 0700 and owned by the server user, as PostgreSQL
/// requires of its data dir; a reused dir the server user already owns is fixed up at the
/// top level only, one another user owns (an earlier version's) is handed over whole.
fn make_private_dir(dir: &Path, run_as: Option<&RunAs>) -> Result<(), ClusterError> {
    let shown = dir.display();
    fs::create_dir_all(dir).map_err(io_err(format!("creating {shown}")))?;
    if let Some(u) = run_as {
        adopt_dir(dir, u)?;
    }
    let chmod = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
    chmod.map_err(io_err(format!("chmod 0700 {shown}")))
}

/// `<parent>/<data dir name>.run` next to the data dir if the socket path fits, else a fresh
/// `/tmp/homeward-pg-<hex>` (returned with `true`). Deliberately not a shared name such as
/// `<parent>/run`: the dir is chmodded and, for ephemeral clusters, deleted.
fn pick_socket_dir(data_dir: &Path) -> Result<(PathBuf, bool), ClusterError> {
    if let Some(name) = data_dir.file_name() {
        let mut name = name.to_owned();
        name.push(".run");
        let dir = data_dir.with_file_name(name);
        if dir.join(SOCKET_FILE).as_os_str().len() < MAX_SOCKET_PATH {
            return Ok((dir, false));
        }
    }
    let dir = std::env::temp_dir().join(format!("homeward-pg-{:016x}", rand::random::<u64>()));
    // create_dir (not _all) fails if the name exists, so we never adopt someone else's dir.
    fs::create_dir(&dir).map_err(io_err(format!("creating {}", dir.display())))?;
    Ok((dir, true))
}

/// The first directory holding both `initdb` and `postgres`: PATH, then
/// /usr/lib/postgresql/<version>/bin, highest version first (`pg_dump` is there too).
pub fn find_bin_dir() -> Result<PathBuf, ClusterError> {
    let entries = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten();
    let mut versioned: Vec<(Vec<u32>, PathBuf)> = entries
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let version: Option<Vec<u32>> = name.split('.').map(|s| s.parse().ok()).collect();
            Some((version?, e.path().join("bin")))
        })
        .collect();
    versioned.sort_by(|a, b| b.0.cmp(&a.0));
    let mut dirs = path_dirs();
    dirs.extend(versioned.into_iter().map(|(_, dir)| dir));
    let has = |dir: &Path, bin: &str| is_executable(&dir.join(bin));
    if let Some(dir) = dirs.iter().find(|d| has(d, "initdb") && has(d, "postgres")) {
        return Ok(dir.clone());
    }
    let mut searched: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    searched.push("/usr/lib/postgresql/*/bin".into());
    Err(ClusterError::BinariesNotFound { searched })
}

fn path_dirs() -> Vec<PathBuf> {
    std::env::var_os("PATH").map_or_else(Vec::new, |p| std::env::split_paths(&p).collect())
}

/// The last ~30 lines of the server log, read by offset so the child's writes are unaffected.
fn log_tail(log: &File) -> String {
    let len = log.metadata().map_or(0, |m| m.len());
    let start = len.saturating_sub(64 * 1024);
    let mut buf = vec![0; (len - start) as usize];
    if let Err(e) = log.read_exact_at(&mut buf, start) {
        return format!("(server log unreadable: {e})");
    }
    let text = String::from_utf8_lossy(&buf);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Quotes a libpq connection-string value when needed.
fn conn_value(v: &str) -> String {
    if !v.is_empty() && !v.contains(|c: char| c.is_whitespace() || c == '\'' || c == '\\') {
        return v.to_owned();
    }
    format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::process::Command;

    const CHILD_ENV: &str = "HOMEWARD_PG_WATCHDOG_CHILD_DIR";
    /// Printed by the helper; libtest may put "test <name> ... " before it on the same line.
    const CHILD_READY: &str = "HOMEWARD_PG_CHILD_READY";

    /// A fresh directory the server user (`postgres` when we are root) can traverse.
    fn scratch_dir() -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("pg-cluster-test-{:016x}", rand::random::<u64>()));
        fs::create_dir_all(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        dir
    }

    fn opts(data_dir: &Path, ephemeral: bool) -> ClusterOptions {
        ClusterOptions {
            data_dir: data_dir.to_owned(),
            ephemeral,
            unsafe_fast: true,
        }
    }

    /// psql from PATH or beside the server binaries.
    fn psql() -> Option<PathBuf> {
        let mut dirs = path_dirs();
        dirs.extend(find_bin_dir().ok());
        dirs.into_iter()
            .map(|d| d.join("psql"))
            .find(|p| is_executable(p))
    }

    /// psql running `sql` on `url`, never prompting and with no password from the environment.
    fn psql_on(psql: &Path, url: &str, sql: &str) -> std::process::Output {
        Command::new(psql)
            .arg(url)
            .args(["-wXtAc", sql])
            .env_remove("PGPASSWORD")
            .env("PGPASSFILE", "/dev/null")
            .output()
            .unwrap()
    }

    /// Runs `sql` through psql as the superuser; `None` when psql is not installed.
    fn query(cluster: &Cluster, sql: &str) -> Option<String> {
        let url = cluster.url(cluster.superuser(), "postgres");
        let out = psql_on(&psql()?, &url, sql);
        assert!(
            out.status.success(),
            "psql failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(String::from_utf8(out.stdout).unwrap().trim().to_owned())
    }

    fn is_empty_or_gone(dir: &Path) -> bool {
        fs::read_dir(dir).map_or(true, |mut d| d.next().is_none())
    }

    #[test]
    fn ephemeral_cluster_serves_and_cleans_up() {
        let root = scratch_dir();
        let data = root.join("data");
        let cluster = Cluster::start(opts(&data, true)).unwrap();
        let sock_dir = cluster.sock_dir.clone();
        assert!(sock_dir.join(SOCKET_FILE).exists());
        let url = cluster.url("postgres", "postgres");
        assert!(
            url.contains(&format!("host={} ", sock_dir.display())),
            "{url}"
        );
        assert_eq!(cluster.superuser(), "postgres");
        assert!(
            url.contains(" password="),
            "the superuser's url lacks its password"
        );
        assert!(cluster.password_file().is_none(), "ephemeral: memory only");
        if let Some(one) = query(&cluster, "select 1") {
            assert_eq!(one, "1");
            // Socket only: no TCP listener that could clash with another server on 5432.
            assert_eq!(query(&cluster, "show listen_addresses").unwrap(), "");
            assert_eq!(query(&cluster, "show fsync").unwrap(), "off");
        }
        cluster.stop().unwrap();
        assert!(!data.exists(), "ephemeral data dir left behind");
        assert!(!sock_dir.exists(), "ephemeral socket dir left behind");
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn dropping_an_ephemeral_cluster_cleans_up() {
        let root = scratch_dir();
        let data = root.join("data");
        let cluster = Cluster::start(opts(&data, true)).unwrap();
        let sock_dir = cluster.sock_dir.clone();
        drop(cluster);
        assert!(!data.exists() && !sock_dir.exists());
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn persistent_data_dir_is_reused() {
        let root = scratch_dir();
        let data = root.join("nested").join("data");
        let cluster = Cluster::start(opts(&data, false)).unwrap();
        let has_psql = query(
            &cluster,
            "create table t (x int); insert into t values (42)",
        )
        .is_some();
        let url = cluster.url(cluster.superuser(), "postgres");
        cluster.stop().unwrap();
        let password_file = root.join("nested").join("data.superuser-password");
        let mode = fs::metadata(&password_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let version_file = data.join("PG_VERSION");
        let before = (
            fs::read_to_string(&version_file).unwrap(),
            fs::metadata(&version_file).unwrap().modified().unwrap(),
        );
        assert!(
            !data.join("postmaster.pid").exists(),
            "server did not shut down cleanly"
        );

        let cluster = Cluster::start(opts(&data, false)).unwrap();
        let after = (
            fs::read_to_string(&version_file).unwrap(),
            fs::metadata(&version_file).unwrap().modified().unwrap(),
        );
        assert_eq!(before, after, "initdb ran again");
        assert_eq!(
            url,
            cluster.url(cluster.superuser(), "postgres"),
            "a new password"
        );
        assert!(cluster.sock_dir.join(SOCKET_FILE).exists());
        if has_psql {
            assert_eq!(query(&cluster, "select x from t").unwrap(), "42");
        }
        cluster.stop().unwrap();
        assert!(version_file.exists());
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn long_data_dir_path_gets_a_temporary_socket_dir() {
        let root = scratch_dir();
        let data = root.join("d".repeat(100));
        let cluster = Cluster::start(opts(&data, false)).unwrap();
        let sock_dir = cluster.sock_dir.clone();
        let name = sock_dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("homeward-pg-"), "{}", sock_dir.display());
        assert!(sock_dir.join(SOCKET_FILE).exists());
        if let Some(one) = query(&cluster, "select 1") {
            assert_eq!(one, "1");
        }
        cluster.stop().unwrap();
        assert!(!sock_dir.exists(), "temporary socket dir left behind");
        assert!(data.join("PG_VERSION").exists());
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn second_server_on_same_data_dir_fails_fast_with_log() {
        let root = scratch_dir();
        let data = root.join("data");
        // Not ephemeral: a failed ephemeral start would delete the first server's files, and
        // the second needs the first's kept password not to re-key the data dir (which the
        // single-user backend would also refuse while the first runs).
        let first = Cluster::start(opts(&data, false)).unwrap();
        match Cluster::start(opts(&data, false)) {
            Err(ClusterError::StartFailed { log }) => {
                assert!(log.contains("postmaster.pid"), "{log}")
            }
            Err(e) => panic!("unexpected error: {e}"),
            Ok(_) => panic!("second server started on a data dir in use"),
        }
        if let Some(one) = query(&first, "select 1") {
            assert_eq!(one, "1");
        }
        first.stop().unwrap();
        fs::remove_dir_all(&root).unwrap();
    }

    /// Helper process for `server_dies_with_its_process`: starts a cluster and never drops it.
    #[test]
    #[ignore = "run by server_dies_with_its_process"]
    fn watchdog_child() {
        let Some(dir) = std::env::var_os(CHILD_ENV) else {
            return;
        };
        let _cluster = Cluster::start(opts(Path::new(&dir), true)).unwrap();
        println!("{CHILD_READY}");
        std::io::stdout().flush().unwrap();
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }

    #[test]
    fn server_dies_with_its_process() {
        let root = scratch_dir();
        let data = root.join("data");
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "watchdog_child",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &data)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let started = stdout
            .lines()
            .any(|l| l.is_ok_and(|l| l.contains(CHILD_READY)));
        assert!(started, "child process failed to start its cluster");
        let pid_file = fs::read_to_string(data.join("postmaster.pid")).unwrap();
        let pid: libc::pid_t = pid_file.lines().next().unwrap().trim().parse().unwrap();

        child.kill().unwrap(); // SIGKILL: no destructors run
        child.wait().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        // SAFETY: signal 0 only probes whether the process exists.
        while unsafe { libc::kill(pid, 0) } == 0 || !is_empty_or_gone(&data) {
            assert!(
                Instant::now() < deadline,
                "postgres {pid} or its files outlived the killed process"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn logins_need_the_superusers_password() {
        let Some(psql) = psql() else {
            eprintln!("skipped: no psql");
            return;
        };
        let root = scratch_dir();
        let cluster = Cluster::start(opts(&root.join("data"), true)).unwrap();
        let url = cluster.url(cluster.superuser(), "postgres");
        let (without, _) = url.split_once(" password=").unwrap();
        let wrong = format!("{without} password={}", "0".repeat(64));
        for (url, why) in [(without, "no password"), (&wrong, "a wrong password")] {
            let out = psql_on(&psql, url, "select 1");
            assert!(!out.status.success(), "logged in with {why}");
        }
        assert_eq!(query(&cluster, "select 1").unwrap(), "1");
        cluster.stop().unwrap();
        fs::remove_dir_all(&root).unwrap();
    }

    /// An earlier version's data dir: initdb --auth=trust, run as `postgres` when we are
    /// root, no password file. It is re-keyed, handed to our own account and keeps its data.
    #[test]
    fn a_data_dir_that_trusted_local_logins_is_rekeyed() {
        let root = scratch_dir();
        let data = root.join("data");
        let cluster = Cluster::start(opts(&data, false)).unwrap();
        let has_psql = query(&cluster, "create table t (x int); insert into t values (7)");
        let old_url = cluster.url(cluster.superuser(), "postgres");
        cluster.stop().unwrap();
        let password_file = superuser_password_file(&data);
        fs::remove_file(&password_file).unwrap();
        fs::write(data.join("pg_hba.conf"), "local all all trust\n").unwrap();
        let old_owner = lookup_user("postgres").filter(|_| unsafe { libc::geteuid() } == 0);
        if let Some((uid, gid)) = old_owner {
            let out = Command::new("chown")
                .arg("-R")
                .arg(format!("{uid}:{gid}"))
                .arg(&data)
                .status()
                .unwrap();
            assert!(out.success());
        }

        let cluster = Cluster::start(opts(&data, false)).unwrap();
        assert!(read_password_file(&password_file).unwrap().is_some());
        let hba = fs::read_to_string(data.join("pg_hba.conf")).unwrap();
        assert!(!hba.contains("trust"), "{hba}");
        assert_ne!(old_url, cluster.url(cluster.superuser(), "postgres"));
        if let Some((uid, _)) = old_owner {
            let (ours, _) = lookup_user(SERVER_ACCOUNT).unwrap();
            let owner = |p: &Path| std::os::unix::fs::MetadataExt::uid(&fs::metadata(p).unwrap());
            assert_eq!(owner(&data), ours);
            assert_eq!(owner(&data.join("PG_VERSION")), ours);
            assert_ne!(ours, uid);
        }
        if has_psql.is_some() {
            assert_eq!(query(&cluster, "select x from t").unwrap(), "7");
            let (without, _) = old_url.split_once(" password=").unwrap();
            let out = psql_on(&psql().unwrap(), without, "select 1");
            assert!(!out.status.success(), "logged in without a password");
        }
        cluster.stop().unwrap();
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_password_file_others_could_read_or_plant_is_refused() {
        let root = scratch_dir();
        let file = root.join("pw");
        fs::write(&file, "secret\n").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        let refused = |f: &Path| {
            matches!(
                read_password_file(f),
                Err(ClusterError::UnsafePasswordFile { .. })
            )
        };
        assert!(refused(&file), "a world-readable file");
        fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
        let kept = read_password_file(&file).unwrap().unwrap();
        assert_eq!(kept.expose_secret(), "secret");
        if let Some((uid, gid)) = lookup_user("nobody").filter(|_| unsafe { libc::geteuid() } == 0)
        {
            std::os::unix::fs::chown(&file, Some(uid), Some(gid)).unwrap();
            assert!(refused(&file), "a file another user owns");
        }
        let link = root.join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(read_password_file(&link).is_err(), "a symlink");
        let fresh = root.join("fresh");
        let made = persisted_password(&fresh).unwrap();
        assert_eq!(made.expose_secret().len(), 64);
        assert_eq!(
            persisted_password(&fresh).unwrap().expose_secret(),
            made.expose_secret()
        );
        let mode = fs::metadata(&fresh).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn connection_values_are_quoted_when_needed() {
        assert_eq!(conn_value("/tmp/x"), "/tmp/x");
        assert_eq!(conn_value("a b"), "'a b'");
        assert_eq!(conn_value(r"it's\"), r"'it\'s\\'");
        assert_eq!(conn_value(""), "''");
    }
}
