//! Connection strings: the runtime role's, derived from the administrative one.

use std::fmt::Write;

/// Rewrites a libpq URL or key=value string to log in as `user` (with `password`, if
/// any) and, if given, to use database `dbname`. Returns key=value form.
pub fn with_login(
    url: &str,
    user: &str,
    password: Option<&str>,
    dbname: Option<&str>,
) -> Result<String, String> {
    let config: tokio_postgres::Config = url
        .parse()
        .map_err(|e| format!("cannot parse the database URL: {e}"))?;
    let mut out = String::new();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    if !hosts.is_empty() {
        let _ = write!(out, "host={} ", quote(&hosts.join(",")));
    }
    let ports: Vec<String> = config.get_ports().iter().map(u16::to_string).collect();
    if !ports.is_empty() {
        let _ = write!(out, "port={} ", ports.join(","));
    }
    let db = dbname.or(config.get_dbname()).unwrap_or("postgres");
    let _ = write!(out, "user={} dbname={}", quote(user), quote(db));
    if let Some(pw) = password {
        let _ = write!(out, " password={}", quote(pw));
    }
    Ok(out)
}

/// The database a connection string names (or `postgres`).
pub fn dbname(url: &str) -> Result<String, String> {
    let config: tokio_postgres::Config = url
        .parse()
        .map_err(|e| format!("cannot parse the database URL: {e}"))?;
    Ok(config.get_dbname().unwrap_or("postgres").to_owned())
}

fn quote(v: &str) -> String {
    format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_user_and_keeps_host_port_db() {
        let out = with_login(
            "postgres://admin:pw@db.example:6543/homeward",
            "homeward_app",
            None,
            None,
        )
        .unwrap();
        assert_eq!(
            out,
            "host='db.example' port=6543 user='homeward_app' dbname='homeward'"
        );
        let parsed: tokio_postgres::Config = out.parse().unwrap();
        assert_eq!(parsed.get_user(), Some("homeward_app"));
        assert!(parsed.get_password().is_none());
    }

    #[test]
    fn unix_socket_hosts_and_quoted_passwords_survive() {
        let out = with_login(
            "host='/tmp/x y' port=5432 user=postgres dbname=a",
            "u",
            Some("p'w"),
            Some("b"),
        )
        .unwrap();
        let parsed: tokio_postgres::Config = out.parse().unwrap();
        assert_eq!(parsed.get_password(), Some(&b"p'w"[..]));
        assert_eq!(parsed.get_dbname(), Some("b"));
    }

    #[test]
    fn garbage_is_a_clear_error() {
        assert!(with_login("postgres://[::1", "u", None, None)
            .unwrap_err()
            .contains("cannot parse"));
    }
}
