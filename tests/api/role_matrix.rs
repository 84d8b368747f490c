//! The role matrix, generated from the route table (`homeward::routes::endpoints`):
//! every endpoint × every role, each call on fresh records prepared for it. A role the
//! matrix does not allow gets 403; an allowed role's valid request on a record it may use
//! (its district's, in the state the call needs; for a partner, shared with or owned by
//! its agency) must succeed with a 2xx. Getting past authorization is not enough: a 400
//! or 409 for an allowed role is a role that cannot do its job. A route without an entry
//! here fails the test. (The RLS tests prove the database refuses the same roles on its
//! own.)

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::episodes::report_body;
use crate::helpers::{spawn_app, TestApp, ADMIN, DEMO_USERS, MFHC};

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Access {
    /// No token needed (probes, the spec, login and refresh).
    Public,
    /// Any signed-in user.
    SignedIn,
    /// Only these roles.
    Roles(&'static [&'static str]),
}

const OPERATIONAL: Access = Access::Roles(&["officer", "supervisor", "mfhc"]);
const ADMIN_ONLY: Access = Access::Roles(&["admin"]);
/// Who finds and records persons.
const PERSON_ACCESS: Access = Access::Roles(&["officer", "supervisor", "mfhc", "early_action"]);
/// Case workers: triggers, referrals, actions, shares.
const CASE_WORKERS: Access = Access::Roles(&["supervisor", "mfhc", "early_action"]);
/// Case workers, and partners (who get past authorization, then see only what is
/// theirs or shared with them: 404 for the rest).
const CASE_WORKERS_AND_PARTNERS: Access =
    Access::Roles(&["supervisor", "mfhc", "early_action", "partner"]);
const REFERRERS: Access = Access::Roles(&["officer", "supervisor", "mfhc", "early_action"]);

/// The expected access for each endpoint; `None` for a route nobody has classified.
pub(crate) fn access(method: &Method, path: &str) -> Option<Access> {
    use Access::*;
    let m = method.as_str();
    Some(match (m, path) {
        ("GET", "/health" | "/ready" | "/api/v1/openapi.json") => Public,
        ("POST", "/api/v1/auth/login" | "/api/v1/auth/refresh") => Public,
        ("POST", "/api/v1/auth/logout") | ("GET", "/api/v1/me" | "/api/v1/reference") => SignedIn,
        (_, "/api/v1/me/preferences") | ("POST", "/api/v1/me/password") => SignedIn,
        (_, p) if p.starts_with("/api/v1/notifications") => ADMIN_ONLY,
        (
            "GET",
            "/api/v1/measures/repeat-missing"
            | "/api/v1/measures/repeat-missing/chart.svg"
            | "/api/v1/measures/repeat-missing/chart.png"
            | "/api/v1/measures/definition"
            | "/api/v1/baselines",
        ) => Roles(&["analyst", "mfhc", "supervisor", "admin"]),
        ("PUT", "/api/v1/measures/definition") | ("POST", "/api/v1/baselines") => ADMIN_ONLY,
        ("GET", p) if p.starts_with("/api/v1/datasets/") => {
            Roles(&["analyst", "mfhc", "supervisor", "admin"])
        }
        (_, p) if p.starts_with("/api/v1/users") => ADMIN_ONLY,
        (_, p) if p.starts_with("/api/v1/agencies") => ADMIN_ONLY,
        (_, p) if p.starts_with("/api/v1/audit") => ADMIN_ONLY,
        ("GET", "/api/v1/security-events") => ADMIN_ONLY,
        (_, p)
            if p.starts_with("/api/v1/subject-access-requests")
                || p.starts_with("/api/v1/retention/")
                || p.starts_with("/api/v1/restrictions")
                || p == "/api/v1/persons/{id}/changes"
                || p == "/api/v1/persons/{id}/rectification-notes" =>
        {
            Roles(&["dpo"])
        }
        ("GET" | "POST", "/api/v1/persons") => PERSON_ACCESS,
        ("GET", "/api/v1/persons/{id}") => {
            Roles(&["officer", "supervisor", "mfhc", "early_action", "partner"])
        }
        ("GET", "/api/v1/episodes/{id}") | ("POST", "/api/v1/episodes/{id}/return-interview") => {
            Roles(&["officer", "supervisor", "mfhc", "partner"])
        }
        ("GET", "/api/v1/trigger-rules" | "/api/v1/trigger-rules/{id}") => SignedIn,
        (_, p) if p.starts_with("/api/v1/trigger-rules") => Roles(&["admin", "mfhc"]),
        ("GET", "/api/v1/triggers") => CASE_WORKERS,
        ("GET", "/api/v1/triggers/{id}") => CASE_WORKERS_AND_PARTNERS,
        (_, p) if p.starts_with("/api/v1/triggers/") => Roles(&["mfhc"]),
        ("GET", "/api/v1/referrals/{id}") => {
            Roles(&["officer", "supervisor", "mfhc", "early_action", "partner"])
        }
        (_, "/api/v1/referrals") => REFERRERS,
        (_, p) if p.starts_with("/api/v1/referrals/") => Roles(&["mfhc", "early_action"]),
        ("POST", "/api/v1/actions") => CASE_WORKERS,
        (_, p) if p.starts_with("/api/v1/actions") => CASE_WORKERS_AND_PARTNERS,
        ("POST", "/api/v1/shares" | "/api/v1/shares/{id}/revoke") => CASE_WORKERS,
        (_, p) if p.starts_with("/api/v1/shares") => CASE_WORKERS_AND_PARTNERS,
        ("PUT", "/api/v1/persons/{id}/protocols/{protocol}") => Roles(&["mfhc"]),
        ("POST", "/api/v1/persons/{id}/merges" | "/api/v1/person-merges/{id}/undo") => {
            Roles(&["mfhc", "supervisor"])
        }
        ("POST", "/api/v1/episodes/{id}/reviews" | "/api/v1/episodes/{id}/close") => {
            Roles(&["supervisor"])
        }
        (_, p)
            if p.starts_with("/api/v1/persons")
                || p.starts_with("/api/v1/person-merges")
                || p.starts_with("/api/v1/episodes")
                || p == "/api/v1/reviews" =>
        {
            OPERATIONAL
        }
        _ => return None,
    })
}

pub(crate) fn s(v: &Value) -> String {
    v.as_str().expect("a string").to_owned()
}

/// District ids by code, from `GET /api/v1/reference`, and the Leeds CSC agency (the
/// demo partner's).
pub(crate) struct Districts {
    pub leeds: Value,
    pub bradford: Value,
    pub csc: Value,
}

pub(crate) async fn districts(app: &TestApp, token: &str, admin: &str) -> Districts {
    let r = app
        .call("GET", "/api/v1/reference", Some(token), None)
        .await;
    let id = |code: &str| {
        r.body["districts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code)
            .map(|d| d["id"].clone())
            .expect("the district is seeded")
    };
    Districts {
        leeds: id("LDS"),
        bradford: id("BFD"),
        csc: agency(app, admin, "Leeds Children's Social Care").await,
    }
}

/// An agency's id by name (the admin's list).
pub(crate) async fn agency(app: &TestApp, admin: &str, name: &str) -> Value {
    let r = app
        .call("GET", "/api/v1/agencies?limit=200", Some(admin), None)
        .await;
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .map(|a| a["id"].clone())
        .expect("the agency is seeded")
}

/// A child reported missing by the Leeds MFHC: the person, the episode, and the
/// first-time trigger it fired.
pub(crate) async fn missing_child(app: &TestApp, mfhc: &str) -> (Value, Value, Value) {
    let p = post(
        app,
        mfhc,
        "/api/v1/persons",
        json!({
        "given_name": "Matrix", "family_name": "Trigger", "date_of_birth": "2012-01-01" }),
    )
    .await;
    let e = post(
        app,
        mfhc,
        "/api/v1/episodes",
        crate::episodes::report_body(&p["id"], 1),
    )
    .await;
    let t = app
        .call(
            "GET",
            &format!("/api/v1/triggers?person_id={}", s(&p["id"])),
            Some(mfhc),
            None,
        )
        .await;
    let trigger = t.body["items"][0].clone();
    assert!(trigger.is_object(), "a first-time trigger: {}", t.body);
    (p, e, trigger)
}

async fn referral(app: &TestApp, mfhc: &str) -> Value {
    let p = post(
        app,
        mfhc,
        "/api/v1/persons",
        json!({ "given_name": "Matrix", "family_name": "Referral" }),
    )
    .await;
    post(app, mfhc, "/api/v1/referrals", referral_body(&p["id"])).await
}

fn referral_body(person: &Value) -> Value {
    json!({ "person_id": person, "source": "frontline_officer", "reasons": ["other"],
            "summary": "Matrix", "lawful_basis": "DPA 2018 s.35" })
}

/// What a fixture is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// A record the caller may use, in the state the call needs: its district's, shared
    /// with (or owned by) a partner's agency, an officer's own referral. An allowed
    /// role's call on it must succeed.
    Succeed,
    /// A record of the creator's district in the state the call needs, shared with no
    /// one (the scope matrix: another district's records).
    Plain,
}

/// Who calls, and on whose records.
pub(crate) struct Ctx<'a> {
    pub app: &'a TestApp,
    pub d: &'a Districts,
    /// The MFHC whose district's records the fixtures are.
    pub creator: &'a str,
    pub admin: &'a str,
    pub role: &'a str,
    pub token: &'a str,
    pub purpose: Purpose,
}

impl Ctx<'_> {
    fn for_partner(&self) -> bool {
        self.purpose == Purpose::Succeed && self.role == "partner"
    }
}

/// The path with its placeholders filled, the version `If-Match` carries, the body.
struct Fixture {
    path: String,
    version: Value,
    body: Option<Value>,
}

pub(crate) async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let r = app.call("POST", path, Some(token), Some(body)).await;
    assert!(r.status == 201 || r.status == 200, "{path}: {}", r.body);
    r.body
}

/// `method path` with `If-Match` the record's version; the answer must be a success.
async fn step(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    record: &Value,
    body: Value,
) -> Value {
    let r = app
        .call_if_match(method, path, token, &record["version"], body)
        .await;
    assert!(
        r.status == 200 || r.status == 201,
        "{method} {path}: {} {}",
        r.status,
        r.body
    );
    r.body
}

/// Shares `parts` of a record with an agency, as `token`.
pub(crate) async fn share(
    app: &TestApp,
    token: &str,
    record_type: &str,
    record: &Value,
    agency: &Value,
    parts: &[&str],
) -> Value {
    post(
        app,
        token,
        "/api/v1/shares",
        json!({
        "record_type": record_type, "record_id": record["id"], "agency_id": agency, "parts": parts,
        "purpose": "Matrix", "lawful_basis": "DPA 2018 s.35" }),
    )
    .await
}

fn return_body() -> Value {
    json!({ "returned_at": chrono::Utc::now().to_rfc3339(), "location": "Home",
            "how": "self_returned", "harm_suffered": false })
}

/// Builds what `template` needs, in the state the call needs, as the creator (an MFHC)
/// and the admin.
async fn fixture(c: &Ctx<'_>, method: &Method, template: &str, n: usize) -> Fixture {
    let (app, d, mfhc, admin) = (c.app, c.d, c.creator, c.admin);
    let mut path = template.to_owned();
    let mut version = json!(1);
    if template.starts_with("/api/v1/users/{id}") {
        let u = app
            .create_user(
                admin,
                &format!("matrix{n}@example.invalid"),
                "officer",
                json!({ "district_id": d.leeds }),
            )
            .await;
        path = path.replace("{id}", &s(&u["id"]));
        version = u["version"].clone();
    }
    if template.starts_with("/api/v1/subject-access-requests/{id}") {
        let (dpo, _) = app.login(crate::helpers::demo_user("dpo")).await;
        let p = post(
            app,
            mfhc,
            "/api/v1/persons",
            json!({
            "given_name": "Matrix", "family_name": "Subject", "date_of_birth": "2010-05-04" }),
        )
        .await;
        let r = post(
            app,
            &dpo,
            "/api/v1/subject-access-requests",
            json!({
            "person_ids": [p["id"]], "requester": "The data subject", "reason": "Matrix" }),
        )
        .await;
        path = path.replace("{id}", &s(&r["id"]));
        version = r["version"].clone();
    }
    if template.starts_with("/api/v1/retention/reviews/{id}") {
        let p = post(
            app,
            mfhc,
            "/api/v1/persons",
            json!({
            "given_name": "Matrix", "family_name": "Reviewed", "date_of_birth": "2001-05-04" }),
        )
        .await;
        if template.ends_with("/disposal") {
            // Due for review: made seven years ago, nothing since.
            diesel_async::SimpleAsyncConnection::batch_execute(
                &mut app.superuser().await,
                &format!(
                    "UPDATE persons SET created_at = now() - interval '7 years' WHERE id = '{}'",
                    s(&p["id"])
                ),
            )
            .await
            .unwrap();
        }
        path = path.replace("{id}", &s(&p["id"]));
    }
    if template.starts_with("/api/v1/restrictions/{id}") {
        let (dpo, _) = app.login(crate::helpers::demo_user("dpo")).await;
        let p = post(
            app,
            mfhc,
            "/api/v1/persons",
            json!({ "given_name": "Matrix", "family_name": "Restricted" }),
        )
        .await;
        let r = post(
            app,
            &dpo,
            "/api/v1/restrictions",
            json!({ "person_id": p["id"], "reason": "Matrix" }),
        )
        .await;
        path = path.replace("{id}", &s(&r["id"]));
    }
    if template.starts_with("/api/v1/agencies/{id}") {
        let a = post(app, admin, "/api/v1/agencies", json!({
            "name": format!("Matrix Agency {n}"), "agency_type": "health", "mailbox": "m@example.invalid", "district_ids": [d.leeds] }))
        .await;
        path = path.replace("{id}", &s(&a["id"]));
        version = a["version"].clone();
    }
    if template.starts_with("/api/v1/persons/{id}") || template.starts_with("/api/v1/episodes/{id}")
    {
        let p = post(app, mfhc, "/api/v1/persons", json!({
            "given_name": "Matrix", "family_name": "Child", "date_of_birth": "2011-04-02", "looked_after": true }))
        .await;
        let pid = s(&p["id"]);
        version = p["version"].clone();
        if template.contains("{marker_id}") {
            let m = post(
                app,
                mfhc,
                &format!("/api/v1/persons/{pid}/markers"),
                json!({
                "kind": "cce_risk", "source": "YJS", "review_on": "2030-01-01" }),
            )
            .await;
            path = path.replace("{marker_id}", &s(&m["id"]));
            version = m["version"].clone();
        }
        if template.contains("{placement_id}") {
            let pl = post(app, mfhc, &format!("/api/v1/persons/{pid}/placements"), json!({
                "kind": "foster", "placing_authority": "E08000035", "host_authority": "E08000035", "starts_on": "2026-01-01" }))
            .await;
            path = path.replace("{placement_id}", &s(&pl["id"]));
            version = pl["version"].clone();
        }
        if template.contains("{protocol}") {
            let r = app
                .call(
                    "PUT",
                    &format!("/api/v1/persons/{pid}/protocols/philomena"),
                    Some(mfhc),
                    Some(profile()),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.body);
            path = path.replace("{protocol}", "philomena");
            version = r.body["version"].clone();
        }
        // Officers and supervisors see a protocol profile while its person is missing; a
        // partner sees a person behind an episode shared with its agency.
        let needs_open_episode = (template.contains("{protocol}") && *method == Method::GET)
            || (template == "/api/v1/persons/{id}" && c.for_partner());
        if needs_open_episode {
            let e = post(app, mfhc, "/api/v1/episodes", report_body(&p["id"], 1)).await;
            if c.for_partner() {
                share(app, mfhc, "episode", &e, &d.csc, &["summary"]).await;
            }
        }
        if template.starts_with("/api/v1/episodes/{id}") {
            let e = episode_for(c, template, &p).await;
            path = path.replace("{id}", &s(&e["id"]));
            version = e["version"].clone();
        }
        path = path.replace("{id}", &pid);
    }
    if template.starts_with("/api/v1/person-merges/{id}") {
        let a = post(
            app,
            mfhc,
            "/api/v1/persons",
            json!({ "given_name": "Keep", "family_name": "Me" }),
        )
        .await;
        let b = post(
            app,
            mfhc,
            "/api/v1/persons",
            json!({ "given_name": "Dup", "family_name": "Me" }),
        )
        .await;
        let m = step(
            app,
            mfhc,
            "POST",
            &format!("/api/v1/persons/{}/merges", s(&a["id"])),
            &a,
            json!({ "duplicate_id": b["id"], "reason": "matrix" }),
        )
        .await;
        path = path.replace("{id}", &s(&m["id"]));
    }
    if template.starts_with("/api/v1/trigger-rules/{id}") {
        let r = post(
            app,
            mfhc,
            "/api/v1/trigger-rules",
            json!({
            "name": format!("Matrix rule {n}"), "kind": "high_risk", "district_id": d.leeds }),
        )
        .await;
        path = path.replace("{id}", &s(&r["id"]));
        version = r["version"].clone();
    }
    if template.starts_with("/api/v1/triggers/{id}") {
        let t = trigger_for(c, template).await;
        path = path.replace("{id}", &s(&t["id"]));
        version = t["version"].clone();
    }
    if template.starts_with("/api/v1/referrals/{id}") {
        let r = referral_for(c, template).await;
        path = path.replace("{id}", &s(&r["id"]));
        version = r["version"].clone();
    }
    if template.starts_with("/api/v1/actions/{id}") {
        let r = referral(app, mfhc).await;
        let a = post(app, mfhc, "/api/v1/actions", json!({
            "referral_id": r["id"], "owner_agency_id": d.csc, "description": "Matrix", "due_on": "2030-01-01" }))
        .await;
        path = path.replace("{id}", &s(&a["id"]));
        version = a["version"].clone();
    }
    if template.starts_with("/api/v1/shares/{id}") {
        let (_, e, _) = missing_child(app, mfhc).await;
        let sh = post(app, mfhc, "/api/v1/shares", share_body(&e["id"], &d.csc)).await;
        path = path.replace("{id}", &s(&sh["id"]));
    }
    if template == "/api/v1/datasets/missing-persons" {
        path.push_str("?weeks=3");
    }
    if template == "/api/v1/notifications/preview" {
        path.push_str("?event=trigger_fired");
    }
    if template.starts_with("/api/v1/notifications/{id}") {
        missing_child(app, mfhc).await;
        let n = app
            .call("GET", "/api/v1/notifications?limit=1", Some(admin), None)
            .await;
        let id = s(&n.body["items"][0]["id"]);
        if template.ends_with("/retry") {
            // Only a dead letter goes back in the queue.
            let mut su = app.superuser().await;
            diesel_async::SimpleAsyncConnection::batch_execute(
                &mut su,
                &format!("UPDATE outbox SET status = 'dead', dead_at = now() WHERE id = '{id}'"),
            )
            .await
            .expect("dead-letter the notification");
        }
        path = path.replace("{id}", &id);
    }
    assert!(!path.contains('{'), "no fixture for {template}");
    let body = body(c, method, template, n).await;
    Fixture {
        path,
        version,
        body,
    }
}

/// An episode of `person` in the state the call on `template` needs.
async fn episode_for(c: &Ctx<'_>, template: &str, person: &Value) -> Value {
    let (app, mfhc) = (c.app, c.creator);
    let mut e = post(app, mfhc, "/api/v1/episodes", report_body(&person["id"], 1)).await;
    let id = s(&e["id"]);
    let path = |what: &str| format!("/api/v1/episodes/{id}/{what}");
    let after_return = ["/prevention-interview", "/return-interview", "/close"];
    if template.ends_with("/return") || after_return.iter().any(|t| template.ends_with(t)) {
        e = step(
            app,
            mfhc,
            "POST",
            &path("status"),
            &e,
            json!({ "status": "active" }),
        )
        .await;
    }
    if after_return.iter().any(|t| template.ends_with(t)) {
        e = step(app, mfhc, "POST", &path("return"), &e, return_body()).await;
    }
    if c.for_partner() {
        let parts: &[&str] = if template.ends_with("/return-interview") {
            // The police choose the provider: the partner's agency.
            e = step(
                app,
                mfhc,
                "POST",
                &path("return-interview"),
                &e,
                json!({ "status": "offered", "provider_agency_id": c.d.csc }),
            )
            .await;
            &["summary", "return_interview"]
        } else {
            &["summary"]
        };
        share(app, mfhc, "episode", &e, &c.d.csc, parts).await;
    }
    e
}

/// A trigger in the state the call on `template` needs.
async fn trigger_for(c: &Ctx<'_>, template: &str) -> Value {
    let (app, mfhc) = (c.app, c.creator);
    let (_, _, mut t) = missing_child(app, mfhc).await;
    let id = s(&t["id"]);
    let path = |what: &str| format!("/api/v1/triggers/{id}/{what}");
    if ["/plan", "/close", "/referral"]
        .iter()
        .any(|x| template.ends_with(x))
    {
        t = step(app, mfhc, "POST", &path("acknowledge"), &t, json!({})).await;
    }
    if template.ends_with("/close") {
        t = step(app, mfhc, "PUT", &path("plan"), &t, trigger_plan()).await;
    }
    if c.for_partner() {
        share(app, mfhc, "trigger", &t, &c.d.csc, &["summary"]).await;
    }
    t
}

/// A referral in the state the call on `template` needs.
async fn referral_for(c: &Ctx<'_>, template: &str) -> Value {
    let app = c.app;
    // An officer reads the referrals it made.
    let own = c.purpose == Purpose::Succeed && c.role == "officer";
    let maker = if own { c.token } else { c.creator };
    let mut r = referral(app, maker).await;
    let path = |r: &Value| format!("/api/v1/referrals/{}/status", s(&r["id"]));
    if template.ends_with("/triage-meetings") || template.ends_with("/plan") {
        r = step(
            app,
            c.creator,
            "POST",
            &path(&r),
            &r,
            json!({ "status": "triage" }),
        )
        .await;
    }
    if template.ends_with("/plan") {
        r = step(
            app,
            c.creator,
            "POST",
            &path(&r),
            &r,
            json!({ "status": "accepted" }),
        )
        .await;
    }
    if c.for_partner() {
        share(app, c.creator, "referral", &r, &c.d.csc, &["summary"]).await;
    }
    r
}

pub(crate) fn share_body(episode: &Value, agency: &Value) -> Value {
    json!({ "record_type": "episode", "record_id": episode, "agency_id": agency, "parts": ["summary"],
            "purpose": "Return interview", "lawful_basis": "DPA 2018 s.35" })
}

fn profile() -> Value {
    json!({ "owning_organisation": "Oakwood", "description": "Slim, brown hair",
            "last_reviewed_on": "2026-01-01", "review_due_on": "2030-01-01" })
}

fn trigger_plan() -> Value {
    json!({ "summary": "Plan", "review_on": "2030-01-01" })
}

/// A valid body for the call.
async fn body(c: &Ctx<'_>, method: &Method, template: &str, n: usize) -> Option<Value> {
    let (app, d, mfhc) = (c.app, c.d, c.creator);
    if method == Method::GET || method == Method::DELETE {
        return None;
    }
    let now = chrono::Utc::now().to_rfc3339();
    Some(match template {
        "/api/v1/auth/logout" => json!({}),
        "/api/v1/users" => {
            json!({ "email": format!("new{n}@example.invalid"), "display_name": "New",
                                   "role": "officer", "district_id": d.leeds, "password": "a long test passphrase" })
        }
        "/api/v1/users/{id}" => json!({ "display_name": "Renamed" }),
        "/api/v1/users/{id}/password-reset" | "/api/v1/audit/checkpoints" => json!({}),
        "/api/v1/subject-access-requests" => {
            let p = post(app, mfhc, "/api/v1/persons", json!({
                "given_name": "Matrix", "family_name": "Requester", "date_of_birth": "2009-01-02" }))
            .await;
            json!({ "person_ids": [p["id"]], "requester": "The data subject", "reason": "Matrix" })
        }
        "/api/v1/subject-access-requests/{id}/assembly" => json!({}),
        "/api/v1/retention/reviews/{id}/disposal" => json!({ "reason": "no_policing_purpose" }),
        "/api/v1/restrictions" => {
            let p = post(
                app,
                mfhc,
                "/api/v1/persons",
                json!({
                "given_name": "Matrix", "family_name": "Contested" }),
            )
            .await;
            json!({ "person_id": p["id"], "reason": "Accuracy contested" })
        }
        "/api/v1/restrictions/{id}/lift" => json!({ "reason": "Corrected" }),
        "/api/v1/persons/{id}/rectification-notes" => {
            json!({ "request": "Matrix", "outcome": "Nothing was wrong", "audit_seqs": [] })
        }
        "/api/v1/retention/reviews/{id}/retain" => {
            let next = chrono::Utc::now().date_naive() + chrono::Duration::days(3 * 365);
            json!({ "reason": "pattern_of_behaviour", "next_review_on": next })
        }
        "/api/v1/subject-access-requests/{id}/extension" => {
            let due = chrono::Utc::now().date_naive() + chrono::Duration::days(45);
            json!({ "due_on": due, "reason": "Matrix" })
        }
        "/api/v1/subject-access-requests/{id}/decision" => json!({ "decision": "release" }),
        "/api/v1/agencies" => {
            json!({ "name": format!("New Agency {n}"), "agency_type": "health", "mailbox": "n@example.invalid", "district_ids": [d.leeds] })
        }
        "/api/v1/agencies/{id}" => json!({ "mailbox": "changed@example.invalid" }),
        "/api/v1/persons" => json!({ "given_name": "New", "family_name": "Person" }),
        "/api/v1/persons/{id}" => json!({ "ethnicity": "Not stated" }),
        "/api/v1/persons/{id}/markers" => {
            json!({ "kind": "self_harm", "source": "GP", "review_on": "2030-01-01" })
        }
        "/api/v1/persons/{id}/markers/{marker_id}" => json!({ "details": "More" }),
        "/api/v1/persons/{id}/placements" => {
            json!({ "kind": "foster", "placing_authority": "E08000035",
                                                      "host_authority": "E08000035", "starts_on": "2026-01-01" })
        }
        "/api/v1/persons/{id}/placements/{placement_id}" => json!({ "provider": "Carers" }),
        "/api/v1/persons/{id}/protocols/{protocol}" => profile(),
        "/api/v1/persons/{id}/merges" => {
            let d = post(
                app,
                mfhc,
                "/api/v1/persons",
                json!({ "given_name": "Other", "family_name": "Record" }),
            )
            .await;
            json!({ "duplicate_id": d["id"], "reason": "matrix" })
        }
        "/api/v1/person-merges/{id}/undo" => json!({ "reason": "matrix" }),
        "/api/v1/episodes" => {
            let p = post(
                app,
                mfhc,
                "/api/v1/persons",
                json!({ "given_name": "Report", "family_name": "Me" }),
            )
            .await;
            report_body(&p["id"], 1)
        }
        "/api/v1/episodes/{id}/status" => json!({ "status": "active" }),
        "/api/v1/episodes/{id}/risk-gradings" => {
            json!({ "level": "high", "rationale": "r", "information": "i" })
        }
        "/api/v1/episodes/{id}/reviews" => json!({ "outcome": "Reviewed" }),
        "/api/v1/episodes/{id}/transfer" => json!({ "district_id": d.bradford, "reason": "Moved" }),
        "/api/v1/episodes/{id}/return" => return_body(),
        "/api/v1/episodes/{id}/prevention-interview" => {
            json!({ "conducted_at": now, "conducted_by": "PC 1", "mode": "phone" })
        }
        "/api/v1/episodes/{id}/return-interview" if c.for_partner() => {
            json!({ "status": "accepted" })
        }
        "/api/v1/episodes/{id}/return-interview" => json!({ "status": "offered" }),
        "/api/v1/episodes/{id}/close" => json!({ "no_interview_reason": "Declined" }),
        "/api/v1/episodes/{id}/national-notifications" => {
            json!({ "kind": "pnc", "done_at": now, "reference": "PNC 26/1X" })
        }
        "/api/v1/trigger-rules" => {
            json!({ "name": format!("New rule {n}"), "kind": "high_risk", "district_id": d.leeds })
        }
        "/api/v1/trigger-rules/{id}" => json!({ "enabled": false }),
        "/api/v1/triggers/{id}/acknowledge" => json!({}),
        "/api/v1/triggers/{id}/plan" => trigger_plan(),
        "/api/v1/triggers/{id}/close" => json!({ "note": "Done" }),
        "/api/v1/triggers/{id}/referral" => {
            json!({ "summary": "From a trigger", "lawful_basis": "DPA 2018 s.35" })
        }
        "/api/v1/referrals" => {
            let p = post(
                app,
                mfhc,
                "/api/v1/persons",
                json!({ "given_name": "Refer", "family_name": "Me" }),
            )
            .await;
            referral_body(&p["id"])
        }
        "/api/v1/referrals/{id}/status" => json!({ "status": "triage" }),
        "/api/v1/referrals/{id}/triage-meetings" => {
            json!({ "held_on": "2026-01-01", "attendee_agency_ids": [d.csc], "decisions": "Accept" })
        }
        "/api/v1/referrals/{id}/plan" => {
            json!({ "lead_practitioner": "J. Doe", "lead_agency_id": d.csc, "goals": "Goals",
                    "review_dates": [chrono::Utc::now().date_naive() + chrono::Duration::days(42)] })
        }
        "/api/v1/referrals/{id}/consent" => json!({ "consent": "given", "by": "young_person" }),
        "/api/v1/actions" => {
            let r = referral(app, mfhc).await;
            json!({ "referral_id": r["id"], "owner_agency_id": d.csc, "description": "Call", "due_on": "2030-01-01" })
        }
        "/api/v1/actions/{id}" => json!({ "status": "in_progress" }),
        // Early Action sees no episodes: it shares its referrals.
        "/api/v1/shares" if c.purpose == Purpose::Succeed && c.role == "early_action" => {
            let r = referral(app, mfhc).await;
            json!({ "record_type": "referral", "record_id": r["id"], "agency_id": d.csc,
                    "parts": ["summary"], "purpose": "Triage", "lawful_basis": "DPA 2018 s.35" })
        }
        "/api/v1/shares" => {
            let (_, e, _) = missing_child(app, mfhc).await;
            share_body(&e["id"], &d.csc)
        }
        "/api/v1/shares/{id}/revoke" => json!({ "reason": "Matrix" }),
        "/api/v1/notifications/{id}/retry" => json!({}),
        "/api/v1/measures/definition" => {
            json!({ "repeat_threshold": 2, "window_months": 12, "count_hospital": true, "note": "matrix" })
        }
        "/api/v1/baselines" => json!({ "age_group": "child" }),
        other => panic!("no body for {method} {other}: add one"),
    })
}

/// Calls `method template` as the context's caller on fresh records made for it, with
/// a valid body and the current version.
pub(crate) async fn call_on_fresh_record(
    c: &Ctx<'_>,
    method: &Method,
    template: &str,
    n: usize,
) -> crate::helpers::Reply {
    let f = fixture(c, method, template, n).await;
    if *method == Method::GET {
        return c.app.call("GET", &f.path, Some(c.token), None).await;
    }
    let body = f.body.unwrap_or(Value::Null);
    c.app
        .call_if_match(method.as_str(), &f.path, c.token, &f.version, body)
        .await
}

#[actix_rt::test]
async fn every_route_has_a_role_matrix_entry() {
    let missing: Vec<String> = homeward::routes::endpoints()
        .iter()
        .filter(|(m, p)| access(m, p).is_none())
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without a role matrix entry: {missing:?}"
    );
}

#[actix_rt::test]
async fn every_allowed_role_succeeds_and_every_other_is_refused() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let d = districts(&app, &mfhc, &admin).await;
    // One login per role (logins are throttled); no allowed call ends its own session.
    let mut tokens = Vec::new();
    for (role, email, password) in DEMO_USERS {
        tokens.push((*role, app.login((email, password)).await.0));
    }
    let mut n = 0;
    let mut succeeded = 0;
    let mut failures = Vec::new();
    for (method, template) in homeward::routes::endpoints() {
        let template = template.as_str();
        let Some(access) = access(&method, template) else {
            continue;
        };
        let Access::Roles(allowed) = access else {
            continue; // public and signed-in routes are covered by the auth tests
        };
        for (role, t) in &tokens {
            n += 1;
            let c = Ctx {
                app: &app,
                d: &d,
                creator: &mfhc,
                admin: &admin,
                role,
                token: t,
                purpose: Purpose::Succeed,
            };
            let r = call_on_fresh_record(&c, &method, template, n).await;
            if allowed.contains(role) {
                // Allowed means the valid request succeeds, not that it got past
                // authorization only to fail on something the role cannot do.
                if (200..300).contains(&r.status) {
                    succeeded += 1;
                } else {
                    failures.push(format!(
                        "{role} {method} {template}: {} {}",
                        r.status, r.body
                    ));
                }
            } else if r.status != 403 {
                failures.push(format!(
                    "{role} {method} {template}: {} (not 403) {}",
                    r.status, r.body
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(succeeded >= 150, "only {succeeded} allowed calls");
}

/// The spec's shared responses follow the matrix: a role-restricted operation documents
/// 403, one any signed-in account may call is marked `x-any-account` and does not.
#[test]
fn the_spec_documents_403_exactly_where_a_role_is_refused() {
    let spec: Value =
        serde_json::from_str(&homeward::routes::openapi::spec_json()).expect("the spec is JSON");
    let mut wrong = Vec::new();
    for (method, path) in homeward::routes::endpoints() {
        let Some(op) = spec["paths"][path.as_str()].get(method.as_str().to_lowercase()) else {
            continue; // the spec itself
        };
        let documents_403 = op["responses"].get("403").is_some();
        let marked = op.get(homeward::routes::openapi::ANY_ACCOUNT).is_some();
        let expected = match access(&method, &path) {
            Some(Access::Roles(_)) => (true, false),
            Some(Access::SignedIn) => (false, true),
            Some(Access::Public) | None => (false, false),
        };
        if (documents_403, marked) != expected {
            wrong.push(format!(
                "{method} {path}: 403 {documents_403}, marked {marked}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:?}");
}
