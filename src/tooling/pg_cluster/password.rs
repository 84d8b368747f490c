//! The cluster's passwords: generated, kept 0600 by the process's own user outside the data
//! directory (the server account cannot read them back), and the superuser's set by initdb,
//! or in single-user mode for a data directory from before passwords (it trusted local
//! logins) or one whose password file was lost.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

use super::account::{command, RunAs};
use super::{io_err, ClusterError, SUPERUSER};

/// pg_hba.conf for a data directory re-keyed here: password (SCRAM) logins only.
const PG_HBA: &str = "\
# Written by Homeward (tooling::pg_cluster): every login needs its password (SCRAM).
# TYPE  DATABASE        USER    ADDRESS         METHOD
local   all             all                     scram-sha-256
host    all             all     127.0.0.1/32    scram-sha-256
host    all             all     ::1/128         scram-sha-256
local   replication     all                     scram-sha-256
";

/// 256 random bits as 64 hex digits: nothing in them needs quoting anywhere.
pub fn generate_password() -> SecretString {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    SecretString::from(hex)
}

/// Where a persistent cluster keeps its superuser's password: `<data dir>.superuser-password`,
/// beside the data dir as `<data dir>.run` is, and never inside it.
pub fn superuser_password_file(data_dir: &Path) -> PathBuf {
    let mut name = data_dir.file_name().unwrap_or_default().to_owned();
    name.push(".superuser-password");
    data_dir.with_file_name(name)
}

/// The password kept in `path`, or a new one written there (0600) on first use.
pub fn persisted_password(path: &Path) -> Result<SecretString, ClusterError> {
    if let Some(existing) = read_password_file(path)? {
        return Ok(existing);
    }
    let password = generate_password();
    write_password_file(path, &password)?;
    Ok(password)
}

/// The password in `path`; `None` if there is no such file. Refuses a file that another user
/// owns or that others may read: someone else could have planted or read it.
pub(super) fn read_password_file(path: &Path) -> Result<Option<SecretString>, ClusterError> {
    let shown = path.display();
    let opened = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path);
    let mut file = match opened {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        other => other.map_err(io_err(format!("opening {shown}")))?,
    };
    let meta = file
        .metadata()
        .map_err(io_err(format!("reading {shown}")))?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let problem = if !meta.is_file() {
        Some("it is not a regular file".to_owned())
    } else if meta.uid() != me {
        Some(format!(
            "it is owned by uid {}, not by this process's user ({me})",
            meta.uid()
        ))
    } else if meta.mode() & 0o077 != 0 {
        Some(format!(
            "its mode is {:o}; it must be 600",
            meta.mode() & 0o777
        ))
    } else {
        None
    };
    if let Some(reason) = problem {
        return Err(ClusterError::UnsafePasswordFile {
            path: path.to_owned(),
            reason,
        });
    }
    let mut text = String::new();
    file.read_to_string(&mut text)
        .map_err(io_err(format!("reading {shown}")))?;
    let password = text.trim();
    if password.is_empty() {
        return Err(ClusterError::UnsafePasswordFile {
            path: path.to_owned(),
            reason: "it is empty".into(),
        });
    }
    Ok(Some(SecretString::from(password.to_owned())))
}

/// Writes `password` to `path`, 0600 and owned by this process's user.
pub(super) fn write_password_file(
    path: &Path,
    password: &SecretString,
) -> Result<(), ClusterError> {
    let content = format!("{}\n", password.expose_secret());
    replace_file(path, content.as_bytes(), None)
}

/// Writes `content` to `path` (0600, owned by `owner` or us) through a new file renamed into
/// place: a reader never sees half of it, and a file or symlink planted at `path` is
/// replaced, never written through (we may be root).
fn replace_file(path: &Path, content: &[u8], owner: Option<&RunAs>) -> Result<(), ClusterError> {
    let mut tmp_name = path.file_name().unwrap_or_default().to_owned();
    tmp_name.push(format!(".tmp-{:016x}", rand::random::<u64>()));
    let tmp = path.with_file_name(tmp_name);
    let written = (|| {
        let mut file = new_private_file(&tmp)?;
        file.write_all(content)?;
        if let Some(u) = owner {
            std::os::unix::fs::fchown(&file, Some(u.uid), Some(u.gid))?;
        }
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written.map_err(io_err(format!("writing {}", path.display())))
}

/// A new file, mode 0600, that did not exist before (not even as a symlink).
fn new_private_file(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// initdb's `--pwfile`: in the server's private socket dir, readable by the server user alone,
/// and removed when this guard drops (right after initdb).
pub(super) struct InitdbPwfile(PathBuf);

impl InitdbPwfile {
    pub(super) fn create(
        sock_dir: &Path,
        run_as: Option<&RunAs>,
        password: &SecretString,
    ) -> Result<InitdbPwfile, ClusterError> {
        let guard = InitdbPwfile(sock_dir.join("initdb-pwfile"));
        let content = format!("{}\n", password.expose_secret());
        replace_file(&guard.0, content.as_bytes(), run_as)?;
        Ok(guard)
    }

    pub(super) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for InitdbPwfile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Gives the bootstrap superuser `password` (in single-user mode: no server, no login) and
/// makes every login need its password. For a data dir whose password file is missing:
/// one initialised by an earlier version with `--auth=trust`, or one whose file was lost.
pub(super) fn rekey(
    bin: &Path,
    data: &Path,
    run_as: Option<&RunAs>,
    password: &SecretString,
) -> Result<(), ClusterError> {
    let mut cmd = command(run_as, &bin.join("postgres"));
    cmd.args(["--single", "-D"]).arg(data);
    // An error ends the backend with a failure status; the statement (the password) is never logged.
    for setting in [
        "exit_on_error=on",
        "log_min_error_statement=panic",
        "password_encryption=scram-sha-256",
    ] {
        cmd.args(["-c", setting]);
    }
    cmd.arg("postgres");
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(io_err("starting PostgreSQL in single-user mode"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // Hex: nothing to escape. CURRENT_USER in single-user mode is the bootstrap superuser.
        let sql = format!(
            "ALTER ROLE CURRENT_USER PASSWORD '{}'\n",
            password.expose_secret()
        );
        // A write error means the backend exited early; its status and stderr say why.
        let _ = stdin.write_all(sql.as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(io_err("waiting for PostgreSQL in single-user mode"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(ClusterError::RekeyFailed {
            status: out.status,
            stderr: stderr.replace(password.expose_secret(), "********"),
        });
    }
    replace_file(&data.join("pg_hba.conf"), PG_HBA.as_bytes(), run_as)?;
    tracing::info!(
        data_dir = %data.display(),
        "set a new password for the embedded cluster's superuser `{SUPERUSER}`; every login now needs its password"
    );
    Ok(())
}
