//! Whom the server runs as. PostgreSQL refuses root, so as root it runs as Homeward's own
//! system account (created on first use), never as the host's shared `postgres` account:
//! anything else running as `postgres` must not own our data or reach our socket.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, Once};

use super::{io_err, path_dirs, ClusterError};

/// The system account the server runs as when this process is root.
pub const SERVER_ACCOUNT: &str = "homeward-pg";

/// The unprivileged account the server runs as when this process is root.
pub(super) struct RunAs {
    pub(super) uid: u32,
    pub(super) gid: u32,
    runuser: Option<PathBuf>,
}

/// `Some` when we are root: the server then runs as [`SERVER_ACCOUNT`], created if missing.
pub(super) fn server_user() -> Result<Option<RunAs>, ClusterError> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let (uid, gid) = match lookup_user(SERVER_ACCOUNT) {
        Some(ids) => ids,
        None => create_account()?,
    };
    static LOGGED: Once = Once::new();
    LOGGED.call_once(|| tracing::info!("PostgreSQL runs as user `{SERVER_ACCOUNT}`: we are root"));
    let mut dirs = vec![PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")];
    dirs.extend(path_dirs());
    let runuser = find_program(dirs, "runuser");
    Ok(Some(RunAs { uid, gid, runuser }))
}

/// `useradd --system`: no home, no login shell, a group of its own.
fn create_account() -> Result<(u32, u32), ClusterError> {
    // Threads starting clusters at once would race for /etc/passwd's lock.
    static CREATING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = CREATING.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(ids) = lookup_user(SERVER_ACCOUNT) {
        return Ok(ids);
    }
    let mut dirs = vec![PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")];
    dirs.extend(path_dirs());
    let Some(useradd) = find_program(dirs, "useradd") else {
        return Err(no_account("`useradd` not found".into()));
    };
    let shell = ["/usr/sbin/nologin", "/sbin/nologin"]
        .into_iter()
        .find(|s| Path::new(s).exists())
        .unwrap_or("/bin/false");
    let out = Command::new(useradd)
        .args(["--system", "--user-group", "--no-create-home"])
        .args(["--home-dir", "/nonexistent", "--shell", shell])
        .args(["--comment", "Homeward embedded PostgreSQL", SERVER_ACCOUNT])
        .stdin(Stdio::null())
        .output()
        .map_err(io_err("running useradd"))?;
    // Another process may have created it meanwhile (useradd then fails): that is fine.
    if let Some(ids) = lookup_user(SERVER_ACCOUNT) {
        tracing::info!("created the system user `{SERVER_ACCOUNT}` for the embedded cluster");
        return Ok(ids);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    Err(no_account(format!(
        "useradd {}: {}",
        out.status,
        stderr.trim()
    )))
}

fn no_account(reason: String) -> ClusterError {
    ClusterError::NoServerAccount {
        account: SERVER_ACCOUNT,
        reason,
    }
}

/// A command running `program` as the server user.
pub(super) fn command(run_as: Option<&RunAs>, program: &Path) -> Command {
    let mut cmd = match run_as {
        Some(RunAs {
            runuser: Some(runuser),
            ..
        }) => {
            let mut c = Command::new(runuser);
            c.args(["-u", SERVER_ACCOUNT, "--"]).arg(program);
            c
        }
        // No runuser: let std switch ids in the child (it also drops root's extra groups).
        Some(u) => {
            let mut c = Command::new(program);
            c.uid(u.uid).gid(u.gid);
            c
        }
        None => Command::new(program),
    };
    // The server user may be unable to enter our working directory (e.g. /root).
    cmd.current_dir("/");
    cmd
}

/// Hands `dir` to the server user. A dir someone else owns (a data dir an earlier version
/// ran as `postgres`) is handed over whole, unless a live server still holds it.
pub(super) fn adopt_dir(dir: &Path, run_as: &RunAs) -> Result<(), ClusterError> {
    let shown = dir.display();
    let meta = fs::symlink_metadata(dir).map_err(io_err(format!("reading {shown}")))?;
    if meta.uid() != run_as.uid {
        if let Some(pid) = live_postmaster(dir) {
            return Err(ClusterError::InUse {
                dir: dir.to_owned(),
                pid,
            });
        }
        chown_tree(dir, run_as)?;
    }
    let chown = std::os::unix::fs::chown(dir, Some(run_as.uid), Some(run_as.gid));
    chown.map_err(io_err(format!("chown {shown} to {SERVER_ACCOUNT}")))
}

/// The pid in `dir/postmaster.pid` if that process is alive.
fn live_postmaster(dir: &Path) -> Option<i32> {
    let text = fs::read_to_string(dir.join("postmaster.pid")).ok()?;
    let pid: libc::pid_t = text.lines().next()?.trim().parse().ok()?;
    // SAFETY: signal 0 only probes whether the process exists.
    (pid > 0 && unsafe { libc::kill(pid, 0) } == 0).then_some(pid)
}

/// `chown -R` without following symlinks (tablespaces are links out of the data dir).
fn chown_tree(dir: &Path, run_as: &RunAs) -> Result<(), ClusterError> {
    let entries = fs::read_dir(dir).map_err(io_err(format!("listing {}", dir.display())))?;
    for entry in entries {
        let path = entry
            .map_err(io_err(format!("listing {}", dir.display())))?
            .path();
        let meta =
            fs::symlink_metadata(&path).map_err(io_err(format!("reading {}", path.display())))?;
        if meta.is_dir() {
            chown_tree(&path, run_as)?;
        }
        let chown = std::os::unix::fs::lchown(&path, Some(run_as.uid), Some(run_as.gid));
        chown.map_err(io_err(format!(
            "chown {} to {SERVER_ACCOUNT}",
            path.display()
        )))?;
    }
    Ok(())
}

fn find_program(dirs: Vec<PathBuf>, name: &str) -> Option<PathBuf> {
    dirs.into_iter()
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

pub(super) fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// uid and gid of a system user (getpwnam_r: thread-safe, unlike getpwnam).
pub fn lookup_user(name: &str) -> Option<(u32, u32)> {
    let name = std::ffi::CString::new(name).ok()?;
    // SAFETY: passwd is plain data; all-zero is a valid (empty) value.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let (buf_ptr, buf_len) = (buf.as_mut_ptr(), buf.len());
    let mut res: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call and buf_len is the buffer's true size.
    let rc = unsafe { libc::getpwnam_r(name.as_ptr(), &mut pwd, buf_ptr, buf_len, &mut res) };
    (rc == 0 && !res.is_null()).then_some((pwd.pw_uid, pwd.pw_gid))
}
