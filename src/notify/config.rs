//! Notification settings: where mail goes (SMTP with TLS unless plain is explicitly
//! allowed for local use), how it is retried, and the links it carries.

use std::time::Duration;

use secrecy::SecretString;

use crate::domain::notify::RetryPolicy;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `smtps://`: TLS from the first byte (port 465 by default).
    ImplicitTls,
    /// `smtp://`: STARTTLS, required (port 587 by default).
    StartTls,
    /// `smtp://` with `HOMEWARD_SMTP_ALLOW_PLAIN=local`: no TLS, for a local relay or a
    /// test sink only.
    Plain,
}

#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    /// `From:` of every message.
    pub from: String,
    /// Connect, command and data timeout.
    pub timeout: Duration,
    /// Connections kept open to the server (messages in flight at once).
    pub max_connections: u32,
}

/// Parses `HOMEWARD_SMTP_URL`. Plain SMTP only when `allow_plain` (the operator said
/// `HOMEWARD_SMTP_ALLOW_PLAIN=local`).
pub fn parse_smtp_url(
    raw: &str,
    allow_plain: bool,
    from: String,
    timeout: Duration,
) -> Result<SmtpSettings, String> {
    let url = url::Url::parse(raw).map_err(|e| format!("not a URL: {e}"))?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or("the URL names no host")?
        .to_owned();
    let security = match (url.scheme(), allow_plain) {
        ("smtps", _) => Security::ImplicitTls,
        ("smtp", true) => Security::Plain,
        ("smtp", false) => Security::StartTls,
        (other, _) => return Err(format!("the scheme must be smtp or smtps, not {other}")),
    };
    let port = url.port().unwrap_or(match security {
        Security::ImplicitTls => 465,
        Security::StartTls => 587,
        Security::Plain => 25,
    });
    let username = Some(url.username())
        .filter(|u| !u.is_empty())
        .map(percent_decode);
    let password = url
        .password()
        .map(|p| SecretString::from(percent_decode(p)));
    Ok(SmtpSettings {
        host,
        port,
        security,
        username,
        password,
        from,
        timeout,
        max_connections: 8,
    })
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Everything notifications need.
#[derive(Debug, Clone)]
pub struct NotifySettings {
    /// `None`: notifications are queued (nothing is lost) but not delivered.
    pub smtp: Option<SmtpSettings>,
    /// Base of the links in emails, e.g. `https://homeward.example.org`.
    pub public_url: String,
    pub retry: RetryPolicy,
    /// The hour (UTC) from which each day's digests are sent.
    pub digest_hour: u32,
}

impl Default for NotifySettings {
    fn default() -> Self {
        NotifySettings {
            smtp: None,
            public_url: "http://127.0.0.1:8080".into(),
            retry: RetryPolicy::default(),
            digest_hour: 7,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str, plain: bool) -> Result<SmtpSettings, String> {
        parse_smtp_url(raw, plain, "x@y.z".into(), Duration::from_secs(5))
    }

    #[test]
    fn tls_is_the_default_and_plain_must_be_asked_for() {
        let s = parse("smtps://mailer:p%40ss@mail.example.org", false).unwrap();
        assert_eq!((s.security, s.port), (Security::ImplicitTls, 465));
        assert_eq!(s.username.as_deref(), Some("mailer"));
        assert_eq!(
            secrecy::ExposeSecret::expose_secret(s.password.as_ref().unwrap()),
            "p@ss"
        );
        let s = parse("smtp://mail.example.org", false).unwrap();
        assert_eq!((s.security, s.port), (Security::StartTls, 587));
        let s = parse("smtp://127.0.0.1:2525", true).unwrap();
        assert_eq!((s.security, s.port), (Security::Plain, 2525));
        assert!(parse("http://mail.example.org", false).is_err());
        assert!(parse("smtp://", false).is_err());
    }
}
