//! Sharing is disclosure: partners see only records shared with their agency, only the
//! shared parts, until expiry or revocation (the database enforces it), and every share
//! and partner read is in the audit log.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::episodes::{person, report};
use crate::helpers::{demo_user, spawn_app, TestApp, ADMIN, MFHC};
use crate::role_matrix::agency;
use crate::triggers::triggers_of;

fn s(v: &Value) -> String {
    v.as_str().expect("a string").to_owned()
}

const CSC_LEEDS: &str = "Leeds Children's Social Care";

async fn share(
    app: &TestApp,
    token: &str,
    kind: &str,
    id: &Value,
    agency: &Value,
    parts: &[&str],
) -> Value {
    let r = app
        .call("POST", "/api/v1/shares", Some(token), Some(json!({
            "record_type": kind, "record_id": id, "agency_id": agency, "parts": parts,
            "purpose": "Return home interview and safety planning", "lawful_basis": "DPA 2018 s.35" })))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

async fn revoke(app: &TestApp, token: &str, share: &Value) {
    let r = app
        .call(
            "POST",
            &format!("/api/v1/shares/{}/revoke", s(&share["id"])),
            Some(token),
            Some(json!({ "reason": "No longer needed" })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["in_force"], false);
}

/// A returned child with a marker, reported by the Leeds MFHC: (person, episode).
async fn returned_child(app: &TestApp, mfhc: &str) -> (Value, Value) {
    let p = person(app, mfhc, "Lily", "Shared", &[]).await;
    let m = app
        .call("POST", &format!("/api/v1/persons/{}/markers", s(&p["id"])), Some(mfhc),
            Some(json!({ "kind": "cse_risk", "source": "CSC strategy meeting", "review_on": "2030-01-01" })))
        .await;
    assert_eq!(m.status, 201, "{}", m.body);
    let e = report(app, mfhc, &p["id"], 5).await;
    let ep = format!("/api/v1/episodes/{}", s(&e["id"]));
    let a = app
        .call_if_match(
            "POST",
            &format!("{ep}/status"),
            mfhc,
            &e["version"],
            json!({ "status": "active" }),
        )
        .await;
    let r = app
        .call_if_match(
            "POST",
            &format!("{ep}/return"),
            mfhc,
            &a.body["version"],
            json!({
            "returned_at": (Utc::now() - Duration::hours(1)).to_rfc3339(), "location": "Home",
            "how": "self_returned", "harm_suffered": false }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    (p, r.body)
}

#[actix_rt::test]
async fn partners_see_only_shared_records_and_only_the_shared_parts() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let (partner, _) = app.login(demo_user("partner")).await;
    let csc = agency(&app, &admin, CSC_LEEDS).await;
    let (p, e) = returned_child(&app, &mfhc).await;
    let ep = format!("/api/v1/episodes/{}", s(&e["id"]));
    let pp = format!("/api/v1/persons/{}", s(&p["id"]));

    // Unshared: 404, as for an id that does not exist.
    app.call("GET", &ep, Some(&partner), None)
        .await
        .problem(404);
    app.call("GET", &pp, Some(&partner), None)
        .await
        .problem(404);

    // The summary only: the episode and who it is about, nothing hanging off it.
    let summary = share(&app, &mfhc, "episode", &e["id"], &csc, &["summary"]).await;
    assert_eq!(summary["in_force"], true);
    let got = app.call("GET", &ep, Some(&partner), None).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.body["reference"], e["reference"]);
    assert_eq!(got.body["risk_history"], json!([]));
    assert!(got.body["return"].is_null());
    assert!(got.body["return_interview"].is_null());
    assert_eq!(got.body["transfers"], json!([]));
    let person = app.call("GET", &pp, Some(&partner), None).await;
    assert_eq!(person.status, 200, "{}", person.body);
    assert_eq!(person.body["given_name"], "Lily");
    assert_eq!(person.body["markers"], json!([]));
    assert_eq!(person.body["placements"], json!([]));

    // More parts: risk, the return, the return interview, markers.
    let full = share(
        &app,
        &mfhc,
        "episode",
        &e["id"],
        &csc,
        &["summary", "risk", "return", "return_interview", "markers"],
    )
    .await;
    let got = app.call("GET", &ep, Some(&partner), None).await;
    assert_eq!(got.body["risk_history"].as_array().unwrap().len(), 1);
    assert_eq!(got.body["return"]["location"], "Home");
    assert_eq!(got.body["return_interview"]["status"], "pending");
    let person = app.call("GET", &pp, Some(&partner), None).await;
    assert_eq!(person.body["markers"][0]["kind"], "cse_risk");

    // Partners cannot change what they may read.
    app.call_if_match(
        "POST",
        &format!("{ep}/risk-gradings"),
        &partner,
        &got.body["version"],
        json!({ "level": "low", "rationale": "r", "information": "i" }),
    )
    .await
    .problem(403);

    // The partner lists what is shared with its agency.
    let mine = app
        .call("GET", "/api/v1/shares?in_force=true", Some(&partner), None)
        .await;
    assert_eq!(mine.body["items"].as_array().unwrap().len(), 2);

    // Revoked: gone at once.
    revoke(&app, &mfhc, &full).await;
    let got = app.call("GET", &ep, Some(&partner), None).await;
    assert_eq!(
        got.body["risk_history"],
        json!([]),
        "back to the summary only"
    );
    revoke(&app, &mfhc, &summary).await;
    app.call("GET", &ep, Some(&partner), None)
        .await
        .problem(404);
    app.call("GET", &pp, Some(&partner), None)
        .await
        .problem(404);
    app.call(
        "POST",
        &format!("/api/v1/shares/{}/revoke", s(&summary["id"])),
        Some(&mfhc),
        Some(json!({ "reason": "again" })),
    )
    .await
    .problem(409);
}

#[actix_rt::test]
async fn expired_shares_end_access_and_other_agencies_never_see_them() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let (partner, _) = app.login(demo_user("partner")).await;
    let csc = agency(&app, &admin, CSC_LEEDS).await;
    let bradford_csc = agency(&app, &admin, "Bradford Children's Social Care").await;
    app.create_user(
        &admin,
        "partner.csc.bradford@example.invalid",
        "partner",
        json!({ "agency_id": bradford_csc }),
    )
    .await;
    let (other, _) = app
        .login((
            "partner.csc.bradford@example.invalid",
            "a long test passphrase",
        ))
        .await;
    let (_, e) = returned_child(&app, &mfhc).await;
    let ep = format!("/api/v1/episodes/{}", s(&e["id"]));
    let sh = app
        .call(
            "POST",
            "/api/v1/shares",
            Some(&mfhc),
            Some(json!({
            "record_type": "episode", "record_id": e["id"], "agency_id": csc, "parts": ["summary"],
            "purpose": "RHI", "lawful_basis": "DPA 2018 s.35",
            "expires_at": (Utc::now() + Duration::days(7)).to_rfc3339() })),
        )
        .await;
    assert_eq!(sh.status, 201, "{}", sh.body);
    assert_eq!(app.call("GET", &ep, Some(&partner), None).await.status, 200);
    // Another agency's partner: 404 for the record and for the share itself.
    app.call("GET", &ep, Some(&other), None).await.problem(404);
    app.call(
        "GET",
        &format!("/api/v1/shares/{}", s(&sh.body["id"])),
        Some(&other),
        None,
    )
    .await
    .problem(404);
    // A week later the share has expired.
    let mut su = app.superuser().await;
    diesel_async::SimpleAsyncConnection::batch_execute(&mut su, &format!(
        "UPDATE shares SET shared_at = now() - interval '8 days', expires_at = now() - interval '1 day' WHERE id = '{}'",
        s(&sh.body["id"]))).await.unwrap();
    app.call("GET", &ep, Some(&partner), None)
        .await
        .problem(404);
    let got = app
        .call(
            "GET",
            &format!("/api/v1/shares/{}", s(&sh.body["id"])),
            Some(&partner),
            None,
        )
        .await;
    assert_eq!(got.body["in_force"], false);
}

#[actix_rt::test]
async fn shares_of_triggers_and_referrals_show_only_their_shared_parts() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let (partner, _) = app.login(demo_user("partner")).await;
    let csc = agency(&app, &admin, CSC_LEEDS).await;
    let p = person(&app, &mfhc, "Max", "Trigger", &[]).await;
    report(&app, &mfhc, &p["id"], 2).await;
    let t = triggers_of(&app, &mfhc, &p["id"]).await[0].clone();
    let tp = format!("/api/v1/triggers/{}", s(&t["id"]));
    let t = app
        .call_if_match(
            "POST",
            &format!("{tp}/acknowledge"),
            &mfhc,
            &t["version"],
            json!({}),
        )
        .await
        .body;
    let t = app
        .call_if_match(
            "PUT",
            &format!("{tp}/plan"),
            &mfhc,
            &t["version"],
            json!({ "summary": "Safety plan", "review_on": "2030-01-01" }),
        )
        .await
        .body;
    assert_eq!(t["status"], "plan_recorded");
    app.call("GET", &tp, Some(&partner), None)
        .await
        .problem(404);
    share(&app, &mfhc, "trigger", &t["id"], &csc, &["summary"]).await;
    let got = app.call("GET", &tp, Some(&partner), None).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert!(got.body["plan"].is_null(), "the plan was not shared");
    share(&app, &mfhc, "trigger", &t["id"], &csc, &["summary", "plan"]).await;
    let got = app.call("GET", &tp, Some(&partner), None).await;
    assert_eq!(got.body["plan"]["summary"], "Safety plan");

    // A referral: the triage meetings only with `triage`.
    let r = app
        .call(
            "POST",
            &format!("{tp}/referral"),
            Some(&mfhc),
            Some(json!({ "summary": "s", "lawful_basis": "DPA 2018 s.35" })),
        )
        .await
        .body;
    let rp = format!("/api/v1/referrals/{}", s(&r["id"]));
    let r = app
        .call_if_match(
            "POST",
            &format!("{rp}/status"),
            &mfhc,
            &r["version"],
            json!({ "status": "triage" }),
        )
        .await
        .body;
    let r = app.call_if_match("POST", &format!("{rp}/triage-meetings"), &mfhc, &r["version"], json!({
        "held_on": Utc::now().date_naive().to_string(), "attendee_agency_ids": [csc], "decisions": "Accept" })).await;
    assert_eq!(r.status, 201, "{}", r.body);
    app.call("GET", &rp, Some(&partner), None)
        .await
        .problem(404);
    share(&app, &mfhc, "referral", &r.body["id"], &csc, &["summary"]).await;
    let got = app.call("GET", &rp, Some(&partner), None).await;
    assert_eq!(got.body["triage_meetings"], json!([]));
    share(
        &app,
        &mfhc,
        "referral",
        &r.body["id"],
        &csc,
        &["summary", "triage"],
    )
    .await;
    let got = app.call("GET", &rp, Some(&partner), None).await;
    assert_eq!(got.body["triage_meetings"].as_array().unwrap().len(), 1);
}

#[actix_rt::test]
async fn bad_shares_are_refused_with_a_clear_reason() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let csc = agency(&app, &admin, CSC_LEEDS).await;
    let (_, e) = returned_child(&app, &mfhc).await;
    let body = |agency: Value, parts: Value| {
        json!({
        "record_type": "episode", "record_id": e["id"], "agency_id": agency, "parts": parts,
        "purpose": "p", "lawful_basis": "b" })
    };
    let field = |r: &crate::helpers::Reply| r.problem(400)["errors"][0]["field"].clone();
    let r = app
        .call(
            "POST",
            "/api/v1/shares",
            Some(&mfhc),
            Some(body(json!(uuid::Uuid::now_v7()), json!(["summary"]))),
        )
        .await;
    assert_eq!(field(&r), "agency_id");
    let r = app
        .call(
            "POST",
            "/api/v1/shares",
            Some(&mfhc),
            Some(body(csc.clone(), json!(["risk"]))),
        )
        .await;
    assert_eq!(field(&r), "parts");
    let r = app
        .call(
            "POST",
            "/api/v1/shares",
            Some(&mfhc),
            Some(body(csc.clone(), json!(["summary", "triage"]))),
        )
        .await;
    assert!(r.problem(400)["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("no part"));
    let mut past = body(csc.clone(), json!(["summary"]));
    past["expires_at"] = json!((Utc::now() - Duration::hours(1)).to_rfc3339());
    let r = app
        .call("POST", "/api/v1/shares", Some(&mfhc), Some(past))
        .await;
    assert_eq!(field(&r), "expires_at");
    let mut missing = body(csc.clone(), json!(["summary"]));
    missing["record_id"] = json!(uuid::Uuid::now_v7());
    let r = app
        .call("POST", "/api/v1/shares", Some(&mfhc), Some(missing))
        .await;
    assert_eq!(field(&r), "record_id");
    // An inactive agency.
    let a = app
        .call(
            "GET",
            &format!("/api/v1/agencies/{}", s(&csc)),
            Some(&admin),
            None,
        )
        .await;
    let d = app
        .call_if_match(
            "DELETE",
            &format!("/api/v1/agencies/{}", s(&csc)),
            &admin,
            &a.body["version"],
            json!({}),
        )
        .await;
    assert!(d.status < 300, "{}", d.body);
    let r = app
        .call(
            "POST",
            "/api/v1/shares",
            Some(&mfhc),
            Some(body(csc.clone(), json!(["summary"]))),
        )
        .await;
    assert!(r.problem(400)["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("inactive"));
}

#[actix_rt::test]
async fn partners_touch_only_their_own_agencys_actions() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let (partner, _) = app.login(demo_user("partner")).await;
    let csc = agency(&app, &admin, CSC_LEEDS).await;
    let bradford_csc = agency(&app, &admin, "Bradford Children's Social Care").await;
    let p = person(&app, &mfhc, "Ned", "Actions", &[]).await;
    let e = report(&app, &mfhc, &p["id"], 2).await;
    let action = |agency: Value| {
        json!({ "episode_id": e["id"], "owner_agency_id": agency,
        "description": "Visit", "due_on": (Utc::now().date_naive() + Duration::days(2)).to_string() })
    };
    let theirs = app
        .call(
            "POST",
            "/api/v1/actions",
            Some(&mfhc),
            Some(action(bradford_csc.clone())),
        )
        .await;
    assert_eq!(theirs.status, 201, "{}", theirs.body);
    let mine = app
        .call(
            "POST",
            "/api/v1/actions",
            Some(&mfhc),
            Some(action(csc.clone())),
        )
        .await;
    let tp = format!("/api/v1/actions/{}", s(&theirs.body["id"]));
    // Another agency's action: as if it did not exist.
    app.call("GET", &tp, Some(&partner), None)
        .await
        .problem(404);
    app.call_if_match(
        "PATCH",
        &tp,
        &partner,
        &theirs.body["version"],
        json!({ "status": "in_progress" }),
    )
    .await
    .problem(404);
    let list = app
        .call(
            "GET",
            &format!("/api/v1/actions?agency={}", s(&bradford_csc)),
            Some(&partner),
            None,
        )
        .await;
    assert_eq!(list.body["items"], json!([]));
    // Its own: status and outcome only; never handed to another agency.
    let mp = format!("/api/v1/actions/{}", s(&mine.body["id"]));
    app.call_if_match(
        "PATCH",
        &mp,
        &partner,
        &mine.body["version"],
        json!({ "owner_agency_id": bradford_csc }),
    )
    .await
    .problem(403);
    app.call_if_match(
        "PATCH",
        &mp,
        &partner,
        &mine.body["version"],
        json!({ "due_on": "2031-01-01" }),
    )
    .await
    .problem(403);
    // Unknown agency and a user who is not of the agency: clear field errors.
    let mut bad = action(json!(uuid::Uuid::now_v7()));
    let r = app
        .call("POST", "/api/v1/actions", Some(&mfhc), Some(bad.clone()))
        .await;
    assert_eq!(r.problem(400)["errors"][0]["field"], "owner_agency_id");
    bad["owner_agency_id"] = csc.clone();
    bad["owner_user_id"] =
        app.call("GET", "/api/v1/me", Some(&mfhc), None).await.body["id"].clone();
    let r = app
        .call("POST", "/api/v1/actions", Some(&mfhc), Some(bad))
        .await;
    assert_eq!(r.problem(400)["errors"][0]["field"], "owner_user_id");
    // Nothing changed on the other agency's action.
    let got = app.call("GET", &tp, Some(&mfhc), None).await;
    assert_eq!(got.body["status"], "open");
    assert_eq!(got.body["version"], theirs.body["version"]);
}

#[actix_rt::test]
async fn every_share_and_every_partner_read_is_audited() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let (partner, _) = app.login(demo_user("partner")).await;
    let csc = agency(&app, &admin, CSC_LEEDS).await;
    let (p, e) = returned_child(&app, &mfhc).await;
    let sh = share(
        &app,
        &mfhc,
        "episode",
        &e["id"],
        &csc,
        &["summary", "markers"],
    )
    .await;
    let disclosures = app
        .call(
            "GET",
            &format!(
                "/api/v1/audit?record_id={}&operation=disclosure",
                s(&e["id"])
            ),
            Some(&admin),
            None,
        )
        .await;
    let items = disclosures.body["items"].as_array().unwrap();
    let to_agency = |who: &str| -> Vec<&Value> {
        items
            .iter()
            .filter(|i| i["recipients"].as_array().unwrap().contains(&json!(who)))
            .collect()
    };
    let shared = to_agency(&format!("agency:{}", s(&csc)));
    assert_eq!(shared.len(), 1, "the share: {}", disclosures.body);
    assert_eq!(shared[0]["record_type"], "episode");
    // No X-Purpose was sent: the disclosure is justified by the share's own purpose and
    // lawful basis, and the chain still verifies with the basis on it.
    assert_eq!(
        shared[0]["purpose"],
        "Return home interview and safety planning"
    );
    assert_eq!(shared[0]["lawful_basis"], "DPA 2018 s.35");
    let emailed = to_agency("csc.leeds@example.invalid");
    assert!(
        emailed
            .iter()
            .any(|i| i["purpose"] == "email: record_shared" && i["lawful_basis"].is_null()),
        "the email telling the agency is a disclosure justified by its event: {emailed:?}"
    );
    let verify = app
        .call("GET", "/api/v1/audit/verify", Some(&admin), None)
        .await;
    assert_eq!(verify.body["valid"], true, "{}", verify.body);
    let mut su = app.superuser().await;
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut su,
        &format!(
            "BEGIN; SET LOCAL session_replication_role = replica;
             UPDATE audit_log SET lawful_basis = 'consent' WHERE seq = {}; COMMIT;",
            shared[0]["seq"]
        ),
    )
    .await
    .unwrap();
    let verify = app
        .call("GET", "/api/v1/audit/verify", Some(&admin), None)
        .await;
    assert_eq!(
        verify.body["valid"], false,
        "a rewritten basis breaks the chain"
    );
    assert_eq!(verify.body["first_broken_seq"], shared[0]["seq"]);
    assert_eq!(
        to_agency("csc.leeds@example.invalid").len(),
        2,
        "the share names the mailbox, and so does the email telling it"
    );
    let items = shared;
    let ids = items[0]["record_ids"].as_array().unwrap();
    assert!(
        ids.contains(&p["id"]) && ids.contains(&sh["id"]),
        "the subject and the share"
    );

    app.call(
        "GET",
        &format!("/api/v1/episodes/{}", s(&e["id"])),
        Some(&partner),
        None,
    )
    .await;
    app.call(
        "GET",
        &format!("/api/v1/persons/{}", s(&p["id"])),
        Some(&partner),
        None,
    )
    .await;
    let me = app
        .call("GET", "/api/v1/me", Some(&partner), None)
        .await
        .body["id"]
        .clone();
    let reads = app
        .call(
            "GET",
            &format!("/api/v1/audit?actor_id={}&operation=consultation", s(&me)),
            Some(&admin),
            None,
        )
        .await;
    let types: Vec<&Value> = reads.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["record_type"])
        .collect();
    assert!(
        types.contains(&&json!("episode")) && types.contains(&&json!("person")),
        "{types:?}"
    );
}

#[actix_rt::test]
async fn the_interview_providers_partner_records_the_interview_on_a_shared_episode() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let (partner, _) = app.login(demo_user("partner")).await;
    let csc = agency(&app, &admin, CSC_LEEDS).await;
    let bradford_csc = agency(&app, &admin, "Bradford Children's Social Care").await;
    app.create_user(
        &admin,
        "rhi.partner.bradford@example.invalid",
        "partner",
        json!({ "agency_id": bradford_csc }),
    )
    .await;
    let (other, _) = app
        .login((
            "rhi.partner.bradford@example.invalid",
            "a long test passphrase",
        ))
        .await;
    let (_, e) = returned_child(&app, &mfhc).await;
    let path = format!("/api/v1/episodes/{}/return-interview", s(&e["id"]));
    // The MFHC offers the interview through CSC.
    let offered = app
        .call_if_match(
            "POST",
            &path,
            &mfhc,
            &e["version"],
            json!({ "status": "offered", "provider_agency_id": csc }),
        )
        .await;
    assert_eq!(offered.status, 200, "{}", offered.body);
    let v = offered.body["version"].clone();
    let accept = json!({ "status": "accepted" });
    // Unshared: 404; shared without the interview: still 404.
    app.call_if_match("POST", &path, &partner, &v, accept.clone())
        .await
        .problem(404);
    share(&app, &mfhc, "episode", &e["id"], &csc, &["summary"]).await;
    app.call_if_match("POST", &path, &partner, &v, accept.clone())
        .await
        .problem(404);
    share(
        &app,
        &mfhc,
        "episode",
        &e["id"],
        &csc,
        &["summary", "return_interview"],
    )
    .await;
    // Partners do not choose the provider.
    let r = app
        .call_if_match(
            "POST",
            &path,
            &partner,
            &v,
            json!({ "status": "accepted", "provider_agency_id": bradford_csc }),
        )
        .await;
    assert_eq!(r.problem(400)["errors"][0]["field"], "provider_agency_id");
    // Another agency the interview is shared with, but which is not the provider: 403.
    share(
        &app,
        &mfhc,
        "episode",
        &e["id"],
        &bradford_csc,
        &["summary", "return_interview"],
    )
    .await;
    app.call_if_match("POST", &path, &other, &v, accept.clone())
        .await
        .problem(403);
    // The provider's partner records progress; the version moves on.
    let done = app
        .call_if_match("POST", &path, &partner, &v, accept.clone())
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body["return_interview"]["status"], "accepted");
    assert_eq!(done.body["version"], json!(v.as_i64().unwrap() + 1));
    assert_eq!(
        done.header("etag").unwrap(),
        format!("\"{}\"", v.as_i64().unwrap() + 1)
    );
    // A stale version is refused, and partners still cannot change the episode itself.
    app.call_if_match(
        "POST",
        &path,
        &partner,
        &v,
        json!({ "status": "completed", "completed_at": Utc::now().to_rfc3339() }),
    )
    .await
    .problem(412);
    app.call_if_match(
        "POST",
        &format!("/api/v1/episodes/{}/status", s(&e["id"])),
        &partner,
        &done.body["version"],
        json!({ "status": "cancelled", "reason": "x" }),
    )
    .await
    .problem(403);
}
