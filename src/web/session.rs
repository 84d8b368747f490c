//! A browser's session and its forms' protection.
//!
//! - The session cookie holds a random secret; the database keeps only its digest, on a
//!   login session like any other (`services::auth::web_sign_in`), so sign-out,
//!   deactivation and a role change end it at once. A new secret at every sign-in.
//! - Cookies are `HttpOnly`, `SameSite=Strict`, `Path=/`; served over HTTPS they are
//!   `Secure` with the `__Host-` prefix (no domain, so no other host can set them).
//! - Every form carries a CSRF token derived from the cookie's secret (an attacker who
//!   cannot read the cookie cannot make it), and a post from another site (`Origin`,
//!   `Sec-Fetch-Site`) is refused before its body is read.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::PageError;
use crate::domain::accounts::Role;
use crate::request_id::RequestId;
use crate::services;
use crate::services::context::{AuditContext, Ctx};
use crate::startup::AppState;

/// The web interface's settings.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Served over HTTPS (`HOMEWARD_PUBLIC_URL`): cookies are `Secure` and `__Host-`.
    pub secure: bool,
    /// A session left idle this long is ended.
    pub idle: Duration,
}

impl WebSettings {
    pub fn new(public_url: &str, idle: Duration) -> Self {
        WebSettings {
            secure: public_url.starts_with("https://"),
            idle,
        }
    }

    /// The session cookie's name.
    pub fn session_cookie(&self) -> &'static str {
        if self.secure {
            "__Host-homeward-session"
        } else {
            "homeward-session"
        }
    }

    /// The cookie the sign-in form's CSRF token is derived from, before any session.
    pub fn sign_in_cookie(&self) -> &'static str {
        if self.secure {
            "__Host-homeward-sign-in"
        } else {
            "homeward-sign-in"
        }
    }

    /// A cookie with every attribute Homeward's cookies have.
    pub fn cookie(&self, name: &'static str, value: String) -> Cookie<'static> {
        Cookie::build(name, value)
            .path("/")
            .http_only(true)
            .secure(self.secure)
            .same_site(SameSite::Strict)
            .finish()
    }

    /// The cookie that removes `name`.
    pub fn removal(&self, name: &'static str) -> Cookie<'static> {
        let mut c = self.cookie(name, String::new());
        c.make_removal();
        c
    }
}

/// The CSRF token of the forms a browser holding cookie secret `secret` is shown.
pub fn csrf_token(secret: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(format!("homeward-csrf:{secret}").as_bytes()))
}

/// Equal without telling, by its timing, how much of a guess was right.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Where to go after signing in: a path of this site only (no scheme, host or `//`), so
/// a link cannot send a user who signs in somewhere else.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && n.len() <= 512
                && !n.chars().any(|c| c.is_control() || c == '\\')
                && !n.starts_with("/sign-in")
                && !n.starts_with("/sign-out") =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// The application state behind a request.
pub fn app(req: &HttpRequest) -> Result<std::sync::Arc<AppState>, PageError> {
    req.app_data::<web::Data<AppState>>()
        .map(|d| d.clone().into_inner())
        .ok_or_else(|| PageError::internal("application state missing"))
}

/// The audit context of a page request (its request id; pages state no purpose).
pub fn audit(req: &HttpRequest) -> AuditContext {
    AuditContext {
        request_id: RequestId::of(req),
        purpose: None,
    }
}

/// A signed-in page request: the services' context, who is signed in and the token
/// their forms carry. Without a live session the browser is sent to sign in, and back
/// here after.
pub struct Page {
    pub ctx: Ctx,
    pub role: Role,
    pub display_name: String,
    pub csrf: String,
}

impl FromRequest for Page {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { page(&req).await })
    }
}

async fn page(req: &HttpRequest) -> Result<Page, PageError> {
    let app = app(req)?;
    let audit = audit(req);
    let to_sign_in = || {
        // A link followed from another site (a webmail's) arrives without the Strict
        // cookie: load the page again from this site, which sends it, before asking.
        let cross_site = req
            .headers()
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes() == b"cross-site");
        let here = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        if cross_site && req.method() == actix_web::http::Method::GET {
            PageError::Reload(here)
        } else {
            PageError::SignIn(safe_next(Some(&here)))
        }
    };
    let Some(secret) = req
        .cookie(app.web.session_cookie())
        .map(|c| c.value().to_owned())
    else {
        return Err(to_sign_in());
    };
    let Some(found) =
        services::auth::web_session(&app, audit.clone(), &secret, app.web.idle).await?
    else {
        return Err(to_sign_in());
    };
    tracing::Span::current().record("user", tracing::field::display(found.session.user));
    // After an administrator's reset, nothing but choosing a new password (or leaving).
    let path = req.path();
    if found.must_change_password && path != "/account/password" && path != "/sign-out" {
        return Err(PageError::ChangePassword);
    }
    req.extensions_mut().insert(found.session);
    Ok(Page {
        csrf: csrf_token(&secret),
        role: found.role,
        display_name: found.display_name,
        ctx: Ctx {
            app,
            session: found.session,
            audit,
        },
    })
}

/// A posted form, read only after the post is shown to come from this site's own page:
/// not from another site (`Origin`, `Sec-Fetch-Site`) and carrying the CSRF token of
/// the browser's session (or, before it signs in, of its sign-in cookie).
pub struct Posted<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Posted<T> {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, PageError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            check_same_site(&req)?;
            let body = body
                .await
                .map_err(|_| PageError::bad_form("the form could not be read"))?;
            let app = app(&req)?;
            let given = url::form_urlencoded::parse(&body)
                .find(|(k, _)| k == "_csrf")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let genuine = [app.web.session_cookie(), app.web.sign_in_cookie()]
                .into_iter()
                .filter_map(|name| req.cookie(name))
                .any(|c| same(&given, &csrf_token(c.value())));
            if !genuine {
                return Err(PageError::CrossSite);
            }
            serde_urlencoded::from_bytes(&body)
                .map(Posted)
                .map_err(|e| PageError::bad_form(&format!("the form is not as expected: {e}")))
        })
    }
}

/// Refuses a post another site made the browser send.
fn check_same_site(req: &HttpRequest) -> Result<(), PageError> {
    if let Some(site) = req.headers().get("sec-fetch-site") {
        if !matches!(site.as_bytes(), b"same-origin" | b"none") {
            return Err(PageError::CrossSite);
        }
    }
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let host = req.connection_info().host().to_owned();
        let origin = origin.to_str().unwrap_or("");
        let own = origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest == host);
        if !own {
            return Err(PageError::CrossSite);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_sign_in_only_paths_of_this_site() {
        assert_eq!(safe_next(Some("/actions/1?x=2")), "/actions/1?x=2");
        for bad in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "javascript:alert(1)",
            "/a\nb",
            "/sign-in",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn csrf_tokens_belong_to_one_secret() {
        let a = csrf_token("secret-a");
        assert_eq!(a, csrf_token("secret-a"));
        assert_ne!(a, csrf_token("secret-b"));
        assert!(same(&a, &csrf_token("secret-a")));
        assert!(!same(&a, &csrf_token("secret-b")));
        assert!(!same(&a, ""));
    }

    #[test]
    fn cookies_over_https_are_host_only_and_secure() {
        let https = WebSettings::new("https://homeward.force.example", Duration::from_secs(60));
        let c = https.cookie(https.session_cookie(), "v".into());
        assert_eq!(c.name(), "__Host-homeward-session");
        let text = c.to_string();
        for part in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(text.contains(part), "{text}");
        }
        assert!(!text.contains("Domain"), "{text}");
        let http = WebSettings::new("http://127.0.0.1:8080", Duration::from_secs(60));
        let c = http.cookie(http.session_cookie(), "v".into()).to_string();
        assert!(
            c.starts_with("homeward-session=") && !c.contains("Secure"),
            "{c}"
        );
    }
}
