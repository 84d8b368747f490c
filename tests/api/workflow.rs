//! The whole workflow through HTTP: episode → trigger → referral → triage → plan →
//! partner actions → closure, with the refusals users meet on the way.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::episodes::{person, report};
use crate::helpers::{demo_user, spawn_app, TestApp, ADMIN, MFHC};
use crate::role_matrix::agency;
use crate::triggers::triggers_of;

fn s(v: &Value) -> String {
    v.as_str().expect("a string").to_owned()
}

fn days(n: i64) -> String {
    (Utc::now().date_naive() + Duration::days(n)).to_string()
}

async fn ok(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    version: &Value,
    body: Value,
) -> Value {
    let r = app.call_if_match(method, path, token, version, body).await;
    assert!(
        r.status == 200 || r.status == 201,
        "{method} {path}: {} {}",
        r.status,
        r.body
    );
    r.body
}

#[actix_rt::test]
async fn a_trigger_runs_through_referral_triage_plan_actions_and_closure() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let (officer, _) = app.login(demo_user("officer")).await;
    let (early, _) = app.login(demo_user("early_action")).await;
    let (partner, _) = app.login(demo_user("partner")).await;
    let csc = agency(&app, &admin, "Leeds Children's Social Care").await;
    let yjs = agency(&app, &admin, "Kirklees Youth Justice Service").await;

    let p = person(&app, &mfhc, "Jo", "Workflow", &[]).await;
    crate::episodes::report_returned(&app, &mfhc, &p["id"], 72).await;
    report(&app, &officer, &p["id"], 3).await;
    let ts = triggers_of(&app, &mfhc, &p["id"]).await;
    let t = ts
        .iter()
        .find(|t| t["kind"] == "episodes_within")
        .expect("sudden multiple")
        .clone();
    let tp = format!("/api/v1/triggers/{}", s(&t["id"]));

    // Out of order: an open trigger is acknowledged first.
    let r = app
        .call_if_match(
            "POST",
            &format!("{tp}/close"),
            &mfhc,
            &t["version"],
            json!({ "note": "x" }),
        )
        .await;
    assert_eq!(r.problem(409)["allowed"], json!(["acknowledged"]));
    let r = app
        .call(
            "POST",
            &format!("{tp}/referral"),
            Some(&mfhc),
            Some(json!({ "summary": "s", "lawful_basis": "b" })),
        )
        .await;
    r.problem(409);
    // Only the MFHC works it.
    app.call_if_match(
        "POST",
        &format!("{tp}/acknowledge"),
        &officer,
        &t["version"],
        json!({}),
    )
    .await
    .problem(403);
    let t = ok(
        &app,
        "POST",
        &format!("{tp}/acknowledge"),
        &mfhc,
        &t["version"],
        json!({}),
    )
    .await;
    assert_eq!(t["status"], "acknowledged");
    assert!(t["acknowledged_at"].is_string());

    // The plan: bad input first.
    let bad = app
        .call_if_match(
            "PUT",
            &format!("{tp}/plan"),
            &mfhc,
            &t["version"],
            json!({ "summary": "Plan", "agency_ids": [csc], "review_on": days(-1) }),
        )
        .await;
    assert_eq!(bad.problem(400)["errors"][0]["field"], "review_on");
    let unknown = app
        .call_if_match("PUT", &format!("{tp}/plan"), &mfhc, &t["version"],
            json!({ "summary": "Plan", "agency_ids": [uuid::Uuid::now_v7()], "review_on": days(14) }))
        .await;
    assert_eq!(unknown.problem(400)["errors"][0]["field"], "agency_ids");
    let t = ok(&app, "PUT", &format!("{tp}/plan"), &mfhc, &t["version"],
        json!({ "summary": "Joint visit with CSC; RHI prioritised", "agency_ids": [csc, yjs], "review_on": days(14) }))
        .await;
    assert_eq!(t["status"], "plan_recorded");
    assert_eq!(t["plan"]["agency_ids"], json!([csc, yjs]));

    // An action on the trigger plan, owned by CSC. Not due in the past.
    let past = app
        .call("POST", "/api/v1/actions", Some(&mfhc), Some(json!({
            "trigger_id": t["id"], "owner_agency_id": csc, "description": "Strategy discussion", "due_on": days(-1) })))
        .await;
    assert_eq!(past.problem(400)["errors"][0]["field"], "due_on");
    let plan_action = app
        .call("POST", "/api/v1/actions", Some(&mfhc), Some(json!({
            "trigger_id": t["id"], "owner_agency_id": csc, "description": "Strategy discussion", "due_on": days(3) })))
        .await;
    assert_eq!(plan_action.status, 201, "{}", plan_action.body);
    assert_eq!(plan_action.body["parent"], "trigger");
    assert_eq!(plan_action.body["overdue"], false);

    // The referral, raised from the trigger in one call.
    let referral = app
        .call(
            "POST",
            &format!("{tp}/referral"),
            Some(&mfhc),
            Some(json!({
            "summary": "Two episodes in three days; new older associates",
            "lawful_basis": "DPA 2018 s.35; Children Act 2004 s.11" })),
        )
        .await;
    assert_eq!(referral.status, 201, "{}", referral.body);
    let rf = referral.body;
    assert_eq!(rf["source"], "missing_trigger");
    assert_eq!(rf["trigger_id"], t["id"]);
    assert_eq!(rf["reasons"], json!(["sudden_multiple_missing"]));
    assert_eq!(rf["status"], "received");
    assert_eq!(rf["consent"]["status"], "not_sought");
    app.call(
        "POST",
        &format!("{tp}/referral"),
        Some(&mfhc),
        Some(json!({ "summary": "again", "lawful_basis": "b" })),
    )
    .await
    .problem(409);
    let got = app.call("GET", &tp, Some(&mfhc), None).await;
    assert_eq!(got.body["referral_id"], rf["id"]);

    // Early Action works it: triage, a meeting, acceptance, the plan, active.
    let rp = format!("/api/v1/referrals/{}", s(&rf["id"]));
    let skip = app
        .call_if_match(
            "POST",
            &format!("{rp}/status"),
            &early,
            &rf["version"],
            json!({ "status": "accepted" }),
        )
        .await;
    assert_eq!(skip.problem(409)["allowed"], json!(["triage"]));
    app.call_if_match(
        "POST",
        &format!("{rp}/status"),
        &officer,
        &rf["version"],
        json!({ "status": "triage" }),
    )
    .await
    .problem(403);
    let rf = ok(
        &app,
        "POST",
        &format!("{rp}/status"),
        &early,
        &rf["version"],
        json!({ "status": "triage" }),
    )
    .await;
    let rf = ok(
        &app,
        "POST",
        &format!("{rp}/triage-meetings"),
        &early,
        &rf["version"],
        json!({
        "held_on": days(0), "attendee_agency_ids": [csc, yjs], "decisions": "Accept; YJS to lead",
        "next_meeting_on": days(14) }),
    )
    .await;
    assert_eq!(rf["triage_meetings"].as_array().unwrap().len(), 1);
    let rf = ok(
        &app,
        "PUT",
        &format!("{rp}/consent"),
        &early,
        &rf["version"],
        json!({ "consent": "given", "by": "both" }),
    )
    .await;
    assert_eq!(rf["consent"]["by"], "both");
    assert_eq!(
        rf["lawful_basis"], "DPA 2018 s.35; Children Act 2004 s.11",
        "kept apart from consent"
    );
    let rf = ok(
        &app,
        "POST",
        &format!("{rp}/status"),
        &early,
        &rf["version"],
        json!({ "status": "accepted" }),
    )
    .await;
    let no_plan = app
        .call_if_match(
            "POST",
            &format!("{rp}/status"),
            &early,
            &rf["version"],
            json!({ "status": "active" }),
        )
        .await;
    assert!(no_plan.problem(409)["detail"]
        .as_str()
        .unwrap()
        .contains("intervention plan"));
    let far = app
        .call_if_match(
            "PUT",
            &format!("{rp}/plan"),
            &early,
            &rf["version"],
            json!({
            "lead_practitioner": "J. Patel (YJS)", "lead_agency_id": yjs, "goals": "Mentoring",
            "review_dates": [days(42), days(42 + 70)] }),
        )
        .await;
    assert_eq!(far.problem(400)["errors"][0]["field"], "review_dates");
    let rf = ok(&app, "PUT", &format!("{rp}/plan"), &early, &rf["version"], json!({
        "lead_practitioner": "J. Patel (YJS)", "lead_agency_id": yjs, "goals": "Mentoring; family support",
        "review_dates": [days(42), days(84)] })).await;
    assert_eq!(rf["intervention_plan"]["lead_agency_id"], yjs);
    let rf = ok(
        &app,
        "POST",
        &format!("{rp}/status"),
        &early,
        &rf["version"],
        json!({ "status": "active" }),
    )
    .await;
    assert_eq!(rf["status"], "active");

    // A partner action on the referral: CSC's partner sees it on its worklist and does it.
    let a = app
        .call("POST", "/api/v1/actions", Some(&early), Some(json!({
            "referral_id": rf["id"], "owner_agency_id": csc, "description": "Share CSC history with YJS",
            "due_on": days(7) })))
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let worklist = app
        .call(
            "GET",
            &format!("/api/v1/actions?agency={}&overdue=false", s(&csc)),
            Some(&partner),
            None,
        )
        .await;
    let ids: Vec<&Value> = worklist.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["id"])
        .collect();
    assert_eq!(
        ids,
        vec![&plan_action.body["id"], &a.body["id"]],
        "soonest due first"
    );
    let ap = format!("/api/v1/actions/{}", s(&a.body["id"]));
    let no_outcome = app
        .call_if_match(
            "PATCH",
            &ap,
            &partner,
            &a.body["version"],
            json!({ "status": "done" }),
        )
        .await;
    assert_eq!(no_outcome.problem(400)["errors"][0]["field"], "outcome");
    let moved = ok(
        &app,
        "PATCH",
        &ap,
        &partner,
        &a.body["version"],
        json!({ "status": "in_progress" }),
    )
    .await;
    let back = app
        .call_if_match(
            "PATCH",
            &ap,
            &partner,
            &moved["version"],
            json!({ "status": "open" }),
        )
        .await;
    back.problem(409);
    let done = ok(
        &app,
        "PATCH",
        &ap,
        &partner,
        &moved["version"],
        json!({ "status": "done", "outcome": "History shared at the meeting" }),
    )
    .await;
    assert_eq!(done["status"], "done");
    assert!(done["completed_at"].is_string());

    // Close the referral and the trigger.
    let no_reason = app
        .call_if_match(
            "POST",
            &format!("{rp}/status"),
            &early,
            &rf["version"],
            json!({ "status": "closed" }),
        )
        .await;
    assert_eq!(
        no_reason.problem(400)["errors"][0]["field"],
        "closure_reason"
    );
    let rf = ok(
        &app,
        "POST",
        &format!("{rp}/status"),
        &early,
        &rf["version"],
        json!({ "status": "closed", "closure_reason": "outcomes_met" }),
    )
    .await;
    assert_eq!(rf["closure_reason"], "outcomes_met");
    assert!(rf["closed_at"].is_string());
    let t = ok(
        &app,
        "POST",
        &format!("{tp}/close"),
        &mfhc,
        &t["version"],
        json!({ "note": "Referral completed; no further episodes" }),
    )
    .await;
    assert_eq!(t["status"], "closed");
    // A closed trigger takes no more actions.
    app.call(
        "POST",
        "/api/v1/actions",
        Some(&mfhc),
        Some(json!({
        "trigger_id": t["id"], "owner_agency_id": csc, "description": "Late", "due_on": days(3) })),
    )
    .await
    .problem(409);
}

#[actix_rt::test]
async fn overdue_actions_show_on_the_agency_worklist() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let (partner, _) = app.login(demo_user("partner")).await;
    let csc = agency(&app, &admin, "Leeds Children's Social Care").await;
    let p = person(&app, &mfhc, "Kit", "Overdue", &[]).await;
    let e = report(&app, &mfhc, &p["id"], 2).await;
    let a = app
        .call("POST", "/api/v1/actions", Some(&mfhc), Some(json!({
            "episode_id": e["id"], "owner_agency_id": csc, "description": "Return interview", "due_on": days(0) })))
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let overdue = |flag: bool| {
        let (app, partner, csc) = (&app, &partner, &csc);
        async move {
            app.call(
                "GET",
                &format!("/api/v1/actions?agency={}&overdue={flag}", s(csc)),
                Some(partner),
                None,
            )
            .await
            .body["items"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!((overdue(true).await, overdue(false).await), (0, 1));
    // Time passes: the due date is now yesterday.
    let mut su = app.superuser().await;
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut su,
        &format!(
            "UPDATE actions SET due_on = current_date - 1 WHERE id = '{}'",
            s(&a.body["id"])
        ),
    )
    .await
    .unwrap();
    assert_eq!((overdue(true).await, overdue(false).await), (1, 0));
    let got = app
        .call(
            "GET",
            &format!("/api/v1/actions/{}", s(&a.body["id"])),
            Some(&partner),
            None,
        )
        .await;
    assert_eq!(got.body["overdue"], true);
}

#[actix_rt::test]
async fn whoever_refers_sees_the_referral_but_not_its_triage_or_plan() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (officer, _) = app.login(demo_user("officer")).await;
    let (early, _) = app.login(demo_user("early_action")).await;
    let csc = agency(&app, &admin, "Leeds Children's Social Care").await;
    let p = person(&app, &officer, "Lou", "Referred", &[]).await;
    let r = app
        .call("POST", "/api/v1/referrals", Some(&officer), Some(json!({
            "person_id": p["id"], "source": "frontline_officer", "reasons": ["adolescent_to_parent_violence"],
            "summary": "Second call-out this month", "lawful_basis": "DPA 2018 s.35" })))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let rp = format!("/api/v1/referrals/{}", s(&r.body["id"]));
    let rf = ok(
        &app,
        "POST",
        &format!("{rp}/status"),
        &early,
        &r.body["version"],
        json!({ "status": "triage" }),
    )
    .await;
    ok(
        &app,
        "POST",
        &format!("{rp}/triage-meetings"),
        &early,
        &rf["version"],
        json!({
        "held_on": days(0), "attendee_agency_ids": [csc], "decisions": "Family support offered" }),
    )
    .await;
    let seen = app.call("GET", &rp, Some(&officer), None).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert_eq!(seen.body["status"], "triage");
    assert_eq!(
        seen.body["triage_meetings"],
        json!([]),
        "triage is the case workers'"
    );
    let theirs = app.call("GET", &rp, Some(&early), None).await;
    assert_eq!(theirs.body["triage_meetings"].as_array().unwrap().len(), 1);
}
