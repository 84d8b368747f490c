//! The web interface over plain HTTP: its headers, sessions and form protection. The
//! journeys themselves are driven in a real browser (`browser.rs`).

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use serde_json::{json, Value};

use crate::episodes::{person, report_body};
use crate::helpers::{demo_user, spawn_app, TestApp, ADMIN, MFHC};
use crate::role_matrix::agency;

pub(crate) const CSC_LEEDS: &str = "Leeds Children's Social Care";
/// The password `TestApp::create_user` gives.
const PASSWORD: &str = "a long test passphrase";

/// A browser as far as HTTP goes: it keeps cookies, follows nothing by itself.
pub(crate) struct WebClient<'a> {
    app: &'a TestApp,
    client: awc::Client,
    pub cookies: HashMap<String, String>,
}

/// A page as received.
#[derive(Debug)]
pub(crate) struct WebReply {
    pub status: u16,
    pub headers: awc::http::header::HeaderMap,
    pub body: String,
}

impl WebReply {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    /// The value of the form field `name` on the page.
    pub fn field(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no field {name} in {}", self.body))
            + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        self.body[start..end].replace("&amp;", "&")
    }
}

impl<'a> WebClient<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        WebClient {
            app,
            client: awc::Client::builder()
                .disable_redirects()
                .timeout(Duration::from_secs(30))
                .finish(),
            cookies: HashMap::new(),
        }
    }

    async fn send(&mut self, req: awc::ClientRequest, body: Option<String>) -> WebReply {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = if cookie.is_empty() {
            req
        } else {
            req.insert_header(("Cookie", cookie))
        };
        let mut res = match body {
            Some(b) => req
                .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
                .send_body(b)
                .await
                .expect("request"),
            None => req.send().await.expect("request"),
        };
        for c in res.headers().get_all("set-cookie") {
            let text = c.to_str().unwrap();
            let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let bytes = res.body().limit(4 * 1024 * 1024).await.expect("body");
        WebReply {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&mut self, path: &str) -> WebReply {
        let req = self.client.get(self.app.url(path));
        self.send(req, None).await
    }

    /// Posts `fields` as a form, with extra request headers.
    pub async fn post_with(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> WebReply {
        let mut req = self.client.post(self.app.url(path));
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.send(req, Some(body)).await
    }

    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> WebReply {
        self.post_with(path, fields, &[]).await
    }

    /// Signs in through the form; returns the answer to the form.
    pub async fn sign_in(&mut self, (email, password): (&str, &str), next: &str) -> WebReply {
        let form = self
            .get(&format!("/sign-in?next={}", urlencode(next)))
            .await;
        assert_eq!(form.status, 200, "{}", form.body);
        let csrf = form.field("_csrf");
        self.post(
            "/sign-in",
            &[
                ("_csrf", &csrf),
                ("email", email),
                ("password", password),
                ("next", next),
            ],
        )
        .await
    }

    pub fn session(&self) -> Option<String> {
        self.cookies.get("homeward-session").cloned()
    }
}

pub(crate) fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// An action for `agency` on a new episode, set by the Leeds MFHC; its JSON.
pub(crate) async fn action_for(app: &TestApp, mfhc: &str, agency: &Value, family: &str) -> Value {
    action_for_user(app, mfhc, agency, None, family).await
}

/// An action for `agency`, named to one of its users if `owner` is given.
pub(crate) async fn action_for_user(
    app: &TestApp,
    mfhc: &str,
    agency: &Value,
    owner: Option<&Value>,
    family: &str,
) -> Value {
    let p = person(app, mfhc, "Web", family, &[]).await;
    let e = app
        .call(
            "POST",
            "/api/v1/episodes",
            Some(mfhc),
            Some(report_body(&p["id"], 2)),
        )
        .await;
    assert_eq!(e.status, 201, "{}", e.body);
    let due = (Utc::now().date_naive() + chrono::Duration::days(3)).to_string();
    let a = app
        .call(
            "POST",
            "/api/v1/actions",
            Some(mfhc),
            Some(
                json!({ "episode_id": e.body["id"], "owner_agency_id": agency,
                "owner_user_id": owner, "description": "Visit and agree a safety plan",
                "due_on": due }),
            ),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    a.body
}

#[actix_rt::test]
async fn pages_need_a_session_and_come_back_to_the_page_asked_for() {
    let app = spawn_app().await;
    let mut web = WebClient::new(&app);
    let r = web.get("/actions?status=open").await;
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("location"),
        "/sign-in?next=%2Factions%3Fstatus%3Dopen"
    );

    let signed_in = web
        .sign_in(demo_user("partner"), "/actions?status=open")
        .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    assert_eq!(signed_in.header("location"), "/actions?status=open");
    let page = web.get("/actions?status=open").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Signed in as"), "{}", page.body);

    // Only a path of this site is followed after sign-in.
    let mut other = WebClient::new(&app);
    let r = other
        .sign_in(demo_user("partner"), "https://evil.example/phish")
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), "/");
    let r = other.sign_in(demo_user("partner"), "//evil.example").await;
    assert_eq!(r.header("location"), "/");
}

#[actix_rt::test]
async fn every_page_is_sent_with_its_protective_headers() {
    let app = spawn_app().await;
    let mut web = WebClient::new(&app);
    web.sign_in(MFHC, "/").await;
    for path in ["/sign-in", "/actions", "/shares", "/no-such-page"] {
        let r = web.get(path).await;
        let csp = r.header("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(r.header("cache-control"), "no-store", "{path}");
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(r.header("x-frame-options"), "DENY", "{path}");
        assert!(r.header("content-type").starts_with("text/html"), "{path}");
        // No inline script or style for the policy to refuse.
        assert!(
            !r.body.contains("<script>") && !r.body.contains("style="),
            "{path}"
        );
    }
    assert_eq!(web.get("/no-such-page").await.status, 404);
    // The API's own unknown routes stay problem+json.
    let r = web.get("/api/v1/no-such-route").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.header("content-type"), "application/problem+json");

    // Assets are this release's, kept for a year; another release's are not found.
    let page = web.get("/sign-in").await;
    let end = page.body.find("govuk-frontend.min.css\"").unwrap() + 22;
    let css = &page.body[page.body[..end].rfind("/assets/").unwrap()..end];
    let r = web.get(css).await;
    assert_eq!(r.status, 200, "{css}");
    assert_eq!(
        r.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(r.header("content-type").starts_with("text/css"));
    assert_eq!(
        web.get("/assets/000000000000/homeward.css").await.status,
        404
    );
}

#[actix_rt::test]
async fn the_session_id_is_new_at_each_sign_in_and_the_old_one_ends() {
    let app = spawn_app().await;
    let mut web = WebClient::new(&app);
    web.sign_in(demo_user("partner"), "/").await;
    let first = web.session().expect("a session cookie");
    assert_eq!(web.get("/actions").await.status, 200);
    web.sign_in(demo_user("partner"), "/").await;
    let second = web.session().expect("a session cookie");
    assert_ne!(first, second);
    // The first cookie no longer opens anything.
    let mut replay = WebClient::new(&app);
    replay.cookies.insert("homeward-session".into(), first);
    assert_eq!(replay.get("/actions").await.status, 303);
    assert_eq!(web.get("/actions").await.status, 200);
}

#[actix_rt::test]
async fn a_cookie_replayed_after_sign_out_reaches_only_the_sign_in_page() {
    let app = spawn_app().await;
    let mut web = WebClient::new(&app);
    web.sign_in(demo_user("partner"), "/").await;
    let cookie = web.session().unwrap();
    let actions = web.get("/actions").await;
    let csrf = actions.field("_csrf");
    let out = web.post("/sign-out", &[("_csrf", &csrf)]).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.header("location"), "/sign-in?signed_out=1");
    assert!(web.session().is_none(), "the cookie is removed");

    let mut replay = WebClient::new(&app);
    replay.cookies.insert("homeward-session".into(), cookie);
    let r = replay.get("/actions").await;
    assert_eq!(r.status, 303);
    assert!(r.header("location").starts_with("/sign-in"));
    // Nor does it post anything.
    let r = replay.post("/sign-out", &[("_csrf", &csrf)]).await;
    assert_eq!(r.status, 303);
    assert!(r.header("location").starts_with("/sign-in"));
}

#[actix_rt::test]
async fn a_cross_site_form_post_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let csc = agency(&app, &admin, CSC_LEEDS).await;
    let action = action_for(&app, &mfhc, &csc, "Crosssite").await;
    let path = format!("/actions/{}", action["id"].as_str().unwrap());
    let mut web = WebClient::new(&app);
    web.sign_in(demo_user("partner"), "/").await;
    let page = web.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = page.field("_csrf");
    let version = page.field("version");
    let form = [
        ("_csrf", csrf.as_str()),
        ("version", version.as_str()),
        ("status", "in_progress"),
        ("outcome", ""),
    ];
    // From another site's page: refused on its headers, token or not.
    let r = web
        .post_with(&path, &form, &[("Origin", "https://evil.example")])
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = web
        .post_with(&path, &form, &[("Sec-Fetch-Site", "cross-site")])
        .await;
    assert_eq!(r.status, 403);
    // Without the form's token (an old form, or a forged one).
    let r = web
        .post(&path, &[("version", &version), ("status", "in_progress")])
        .await;
    assert_eq!(r.status, 403);
    let r = web
        .post(
            &path,
            &[
                ("_csrf", "forged"),
                ("version", &version),
                ("status", "in_progress"),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    let stored = app
        .call("GET", &format!("/api/v1{path}"), Some(&mfhc), None)
        .await;
    assert_eq!(stored.body["status"], "open", "nothing changed");

    // The same form from the page itself goes through.
    let own = app.address.clone();
    let r = web.post_with(&path, &form, &[("Origin", &own)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let stored = app
        .call("GET", &format!("/api/v1{path}"), Some(&mfhc), None)
        .await;
    assert_eq!(stored.body["status"], "in_progress");
}

#[actix_rt::test]
async fn a_partner_cannot_reach_another_agencys_action_by_editing_the_address() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let csc = agency(&app, &admin, CSC_LEEDS).await;
    let bradford = agency(&app, &admin, "Bradford Children's Social Care").await;
    let mine = action_for(&app, &mfhc, &csc, "Mine").await;
    let theirs = action_for(&app, &mfhc, &bradford, "Theirs").await;
    let mut web = WebClient::new(&app);
    web.sign_in(demo_user("partner"), "/").await;
    let ok = web
        .get(&format!("/actions/{}", mine["id"].as_str().unwrap()))
        .await;
    assert_eq!(ok.status, 200);
    let other = web
        .get(&format!("/actions/{}", theirs["id"].as_str().unwrap()))
        .await;
    let missing = web.get(&format!("/actions/{}", uuid::Uuid::now_v7())).await;
    assert_eq!(other.status, 404);
    assert_eq!(missing.status, 404);
    // The same page: nothing tells a record that exists from one that does not.
    let main = |b: &str| b[b.find("<main").unwrap()..b.find("</main>").unwrap()].to_owned();
    assert_eq!(main(&other.body), main(&missing.body));
    assert!(!other.body.contains("Theirs"));
    // Posting to it changes nothing either.
    let csrf = ok.field("_csrf");
    let r = web
        .post(
            &format!("/actions/{}", theirs["id"].as_str().unwrap()),
            &[
                ("_csrf", &csrf),
                ("version", "1"),
                ("status", "in_progress"),
            ],
        )
        .await;
    assert_eq!(r.status, 404);
    let list = web.get("/actions").await;
    assert!(list
        .body
        .contains(&format!("/actions/{}", mine["id"].as_str().unwrap())));
    assert!(!list.body.contains(theirs["id"].as_str().unwrap()));
}

#[actix_rt::test]
async fn deactivation_and_idle_time_end_a_web_session_at_once() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let csc = agency(&app, &admin, CSC_LEEDS).await;
    let email = "web.idle@csc.example.invalid";
    let user = app
        .create_user(&admin, email, "partner", json!({ "agency_id": csc }))
        .await;
    let mut web = WebClient::new(&app);
    web.sign_in((email, PASSWORD), "/").await;
    assert_eq!(web.get("/actions").await.status, 200);

    // Idle past the timeout (the last-seen time moved back, as if 31 minutes passed).
    let mut su = app.superuser().await;
    use diesel_async::RunQueryDsl;
    diesel::sql_query(
        "UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE web_token_hash IS NOT NULL",
    )
    .execute(&mut su)
    .await
    .unwrap();
    assert_eq!(web.get("/actions").await.status, 303);
    let reason: Vec<Reason> =
        diesel::sql_query("SELECT revoked_reason FROM sessions WHERE web_token_hash IS NOT NULL")
            .load(&mut su)
            .await
            .unwrap();
    assert_eq!(reason[0].revoked_reason.as_deref(), Some("idle"));

    // Deactivated while signed in: the next page asks to sign in.
    web.sign_in((email, PASSWORD), "/").await;
    assert_eq!(web.get("/actions").await.status, 200);
    let id = user["id"].as_str().unwrap();
    let r = app
        .call("DELETE", &format!("/api/v1/users/{id}"), Some(&admin), None)
        .await;
    assert!(r.status < 300, "{}", r.body);
    assert_eq!(web.get("/actions").await.status, 303);
}

#[derive(diesel::QueryableByName)]
struct Reason {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    revoked_reason: Option<String>,
}

#[actix_rt::test]
async fn sign_in_errors_are_specific_and_throttled_like_the_api() {
    let app = spawn_app().await;
    let mut web = WebClient::new(&app);
    let r = web.sign_in(("", ""), "/").await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("Enter your email address") && r.body.contains("Enter your password"));
    let r = web.sign_in((MFHC.0, "wrong"), "/").await;
    assert_eq!(r.status, 401);
    assert!(r
        .body
        .contains("Enter a correct email address and password"));
    assert!(r.body.contains(MFHC.0), "the email typed is kept");
    for _ in 0..12 {
        web.sign_in((MFHC.0, "wrong"), "/").await;
    }
    let r = web.sign_in(MFHC, "/").await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.body.contains("Too many attempts"));
    assert!(!r.header("retry-after").is_empty());
}

#[actix_rt::test]
async fn a_page_view_is_audited_as_an_api_read_is() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let (partner, _) = app.login(demo_user("partner")).await;
    let csc = agency(&app, &admin, CSC_LEEDS).await;
    let action = action_for(&app, &mfhc, &csc, "Audited").await;
    let id = action["id"].as_str().unwrap();
    let consultations = |log: &Value| -> Vec<(String, String)> {
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["operation"] == "consultation")
            .map(|e| {
                (
                    e["actor_id"].as_str().unwrap_or_default().to_owned(),
                    e["request_id"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    };
    let audit = format!("/api/v1/audit?record_id={id}");
    let before = consultations(&app.call("GET", &audit, Some(&admin), None).await.body);

    let mut web = WebClient::new(&app);
    web.sign_in(demo_user("partner"), "/").await;
    let page = web.get(&format!("/actions/{id}")).await;
    assert_eq!(page.status, 200);
    let request_id = page.header("x-request-id");
    let me = app.call("GET", "/api/v1/me", Some(&partner), None).await;
    let after = consultations(&app.call("GET", &audit, Some(&admin), None).await.body);
    assert_eq!(
        after.len(),
        before.len() + 1,
        "one consultation for the page view"
    );
    assert!(
        after.contains(&(
            me.body["id"].as_str().unwrap().to_owned(),
            request_id.clone()
        )),
        "by the partner, under the page's request id {request_id}: {after:?}"
    );
}

#[actix_rt::test]
async fn each_page_opens_for_its_roles_and_is_not_found_for_the_others() {
    let app = spawn_app().await;
    // (role, page, answers 200)
    let cases = [
        ("mfhc", "/worklist", true),
        ("supervisor", "/worklist", true),
        ("officer", "/worklist", true),
        ("early_action", "/worklist", false),
        ("partner", "/worklist", false),
        ("analyst", "/worklist", false),
        ("early_action", "/referrals", true),
        ("mfhc", "/referrals", true),
        ("partner", "/referrals", false),
        ("analyst", "/referrals", false),
        ("mfhc", "/measures", true),
        ("partner", "/measures", false),
        ("partner", "/actions", true),
        ("analyst", "/actions", false),
        ("partner", "/shares", true),
        ("officer", "/persons?name=nobody", true),
        ("partner", "/persons?name=nobody", false),
    ];
    for (role, path, allowed) in cases {
        let mut web = WebClient::new(&app);
        let signed_in = web.sign_in(demo_user(role), "/").await;
        assert_eq!(signed_in.status, 303, "{role}");
        let r = web.get(path).await;
        let expected = if allowed { 200 } else { 404 };
        assert_eq!(r.status, expected, "{role} {path}: {}", r.body);
        if !allowed {
            assert!(r.body.contains("Page not found"), "{role} {path}");
        }
    }
}
