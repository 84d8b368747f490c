//! Repeat-missing triggers through HTTP: rules as data, evaluation when episodes are
//! reported, cancelled, re-graded or merged, escalation, and the coordinator's workflow.

use serde_json::{json, Value};

use crate::episodes::{person, report, report_body, report_returned, BRADFORD_MFHC};
use crate::helpers::{spawn_app, TestApp, ADMIN, MFHC};

fn s(v: &Value) -> String {
    v.as_str().expect("a string").to_owned()
}

/// The person's triggers (newest first) as `token` sees them.
pub(crate) async fn triggers_of(app: &TestApp, token: &str, person: &Value) -> Vec<Value> {
    let r = app
        .call(
            "GET",
            &format!("/api/v1/triggers?person_id={}&limit=200", s(person)),
            Some(token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

fn of_kind<'a>(ts: &'a [Value], kind: &str) -> Vec<&'a Value> {
    ts.iter().filter(|t| t["kind"] == kind).collect()
}

/// A seeded rule's id by name.
async fn rule_id(app: &TestApp, token: &str, name: &str) -> (Value, Value) {
    let r = app
        .call("GET", "/api/v1/trigger-rules", Some(token), None)
        .await;
    let rule = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .cloned()
        .expect("the rule is seeded");
    (rule["id"].clone(), rule["version"].clone())
}

async fn me(app: &TestApp, token: &str) -> Value {
    app.call("GET", "/api/v1/me", Some(token), None).await.body["id"].clone()
}

#[actix_rt::test]
async fn a_childs_episodes_fire_first_time_then_sudden_multiple_then_repeat() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let p = person(&app, &mfhc, "Ava", "Trigger", &[]).await;
    let e1 = report_returned(&app, &mfhc, &p["id"], 24 * 30).await;
    let ts = triggers_of(&app, &mfhc, &p["id"]).await;
    assert_eq!(ts.len(), 1, "{ts:?}");
    let first = &ts[0];
    assert_eq!(first["kind"], "first_time_child");
    assert_eq!(first["status"], "open");
    assert_eq!(first["basis_episode_ids"], json!([e1["id"]]));
    assert_eq!(first["anchor_episode_id"], e1["id"]);
    assert_eq!(first["district_id"], e1["district_id"]);
    assert_eq!(
        first["assigned_to"],
        me(&app, &mfhc).await,
        "the district's MFHC"
    );
    assert_eq!(first["escalation"]["escalated"], false);

    // A second episode a month later: no sudden-multiple, but not first-time either.
    let e2 = report_returned(&app, &mfhc, &p["id"], 48).await;
    assert_eq!(triggers_of(&app, &mfhc, &p["id"]).await.len(), 1);
    // A third within the week: 2 in 7 days; and 3 in 90 days.
    let e3 = report_returned(&app, &mfhc, &p["id"], 8).await;
    let ts = triggers_of(&app, &mfhc, &p["id"]).await;
    let sudden = of_kind(&ts, "episodes_within");
    assert_eq!(sudden.len(), 2, "sudden multiple and repeat: {ts:?}");
    let mut bases: Vec<Vec<Value>> = sudden
        .iter()
        .map(|t| t["basis_episode_ids"].as_array().unwrap().clone())
        .collect();
    bases.sort_by_key(|b| b.len());
    assert_eq!(bases[0], vec![e2["id"].clone(), e3["id"].clone()]);
    assert_eq!(
        bases[1],
        vec![e1["id"].clone(), e2["id"].clone(), e3["id"].clone()]
    );
    assert!(sudden.iter().all(|t| t["anchor_episode_id"] == e3["id"]));
    // Once per window: a fourth the same day fires neither again.
    report(&app, &mfhc, &p["id"], 1).await;
    assert_eq!(triggers_of(&app, &mfhc, &p["id"]).await.len(), 3);
}

#[actix_rt::test]
async fn adults_get_no_first_time_trigger() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let r = app
        .call(
            "POST",
            "/api/v1/persons",
            Some(&mfhc),
            Some(json!({
            "given_name": "Adult", "family_name": "Person", "date_of_birth": "1980-01-01" })),
        )
        .await;
    report(&app, &mfhc, &r.body["id"], 1).await;
    assert!(triggers_of(&app, &mfhc, &r.body["id"]).await.is_empty());
}

#[actix_rt::test]
async fn cancelling_an_episode_withdraws_the_triggers_resting_on_it() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let p = person(&app, &mfhc, "Cara", "Cancel", &[]).await;
    let e1 = report_returned(&app, &mfhc, &p["id"], 48).await;
    let e2 = report(&app, &mfhc, &p["id"], 2).await;
    let ts = triggers_of(&app, &mfhc, &p["id"]).await;
    let sudden = of_kind(&ts, "episodes_within")[0].clone();
    let r = app
        .call_if_match(
            "POST",
            &format!("/api/v1/episodes/{}/status", s(&e2["id"])),
            &mfhc,
            &e2["version"],
            json!({ "status": "cancelled", "reason": "Was at a friend's; parents knew" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let got = app
        .call(
            "GET",
            &format!("/api/v1/triggers/{}", s(&sudden["id"])),
            Some(&mfhc),
            None,
        )
        .await;
    assert_eq!(got.status, 200, "withdrawn, not deleted");
    assert_eq!(got.body["status"], "withdrawn");
    assert!(got.body["withdrawn_reason"]
        .as_str()
        .unwrap()
        .contains("cancelled"));
    // The first-time trigger rests on e1 only and stays open.
    let ts = triggers_of(&app, &mfhc, &p["id"]).await;
    let first = of_kind(&ts, "first_time_child");
    assert_eq!(first.len(), 1);
    assert_eq!(first[0]["status"], "open");
    assert_eq!(first[0]["basis_episode_ids"], json!([e1["id"]]));
    // A withdrawn trigger cannot be worked.
    let r = app
        .call_if_match(
            "POST",
            &format!("/api/v1/triggers/{}/acknowledge", s(&sudden["id"])),
            &mfhc,
            &got.body["version"],
            json!({}),
        )
        .await;
    assert_eq!(r.problem(409)["allowed"], json!([]));
}

#[actix_rt::test]
async fn episodes_in_other_districts_count_and_the_trigger_goes_to_the_anchors_district() {
    let app = spawn_app().await;
    let (leeds, _) = app.login(MFHC).await;
    let (bradford, _) = app.login(BRADFORD_MFHC).await;
    let p = person(&app, &leeds, "Dana", "Districts", &[]).await;
    let e1 = report_returned(&app, &leeds, &p["id"], 30).await;
    let e2 = report(&app, &bradford, &p["id"], 2).await;
    let ts = triggers_of(&app, &bradford, &p["id"]).await;
    let sudden = of_kind(&ts, "episodes_within");
    assert_eq!(sudden.len(), 1, "{ts:?}");
    assert_eq!(sudden[0]["district_id"], e2["district_id"]);
    assert_eq!(
        sudden[0]["basis_episode_ids"],
        json!([e1["id"], e2["id"]]),
        "the Leeds episode counts, though Bradford cannot read it"
    );
    assert_eq!(sudden[0]["assigned_to"], me(&app, &bradford).await);
    // Leeds sees its own first-time trigger, not Bradford's.
    let leeds_sees = triggers_of(&app, &leeds, &p["id"]).await;
    assert_eq!(leeds_sees.len(), 1);
    assert_eq!(leeds_sees[0]["kind"], "first_time_child");
    let r = app
        .call(
            "GET",
            &format!("/api/v1/triggers/{}", s(&sudden[0]["id"])),
            Some(&leeds),
            None,
        )
        .await;
    r.problem(404);
}

#[actix_rt::test]
async fn merging_persons_re_evaluates_their_triggers_and_undoing_reverses_it() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let a = person(&app, &mfhc, "Eve", "Merge", &[]).await;
    let b = person(&app, &mfhc, "Evie", "Merge", &[]).await;
    let ea = report_returned(&app, &mfhc, &a["id"], 48).await;
    let eb = report(&app, &mfhc, &b["id"], 2).await;
    let b_first = triggers_of(&app, &mfhc, &b["id"]).await[0].clone();
    assert_eq!(b_first["kind"], "first_time_child");

    let m = app
        .call_if_match(
            "POST",
            &format!("/api/v1/persons/{}/merges", s(&a["id"])),
            &mfhc,
            &a["version"],
            json!({ "duplicate_id": b["id"], "reason": "Same child" }),
        )
        .await;
    assert_eq!(m.status, 201, "{}", m.body);
    let ts = triggers_of(&app, &mfhc, &a["id"]).await;
    let sudden = of_kind(&ts, "episodes_within");
    assert_eq!(sudden.len(), 1, "the merged episodes make a pair: {ts:?}");
    assert_eq!(sudden[0]["basis_episode_ids"], json!([ea["id"], eb["id"]]));
    let b_ts = triggers_of(&app, &mfhc, &b["id"]).await;
    assert_eq!(b_ts.len(), 1);
    assert_eq!(b_ts[0]["id"], b_first["id"]);
    assert_eq!(b_ts[0]["status"], "withdrawn", "its episode moved away");

    let u = app
        .call(
            "POST",
            &format!("/api/v1/person-merges/{}/undo", s(&m.body["id"])),
            Some(&mfhc),
            Some(json!({ "reason": "Not the same child after all" })),
        )
        .await;
    assert_eq!(u.status, 200, "{}", u.body);
    let ts = triggers_of(&app, &mfhc, &a["id"]).await;
    let sudden_after = ts.iter().find(|t| t["id"] == sudden[0]["id"]).unwrap();
    assert_eq!(sudden_after["status"], "withdrawn");
    let b_ts = triggers_of(&app, &mfhc, &b["id"]).await;
    let live: Vec<_> = b_ts.iter().filter(|t| t["status"] == "open").collect();
    assert_eq!(live.len(), 1, "a first-time trigger again: {b_ts:?}");
    assert_eq!(live[0]["basis_episode_ids"], json!([eb["id"]]));
}

#[actix_rt::test]
async fn high_risk_gradings_and_out_of_area_placements_fire_their_triggers() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let p = person(&app, &mfhc, "Fay", "Risk", &[]).await;
    let e = report(&app, &mfhc, &p["id"], 1).await;
    assert!(of_kind(&triggers_of(&app, &mfhc, &p["id"]).await, "high_risk").is_empty());
    let r = app
        .call_if_match(
            "POST",
            &format!("/api/v1/episodes/{}/risk-gradings", s(&e["id"])),
            &mfhc,
            &e["version"],
            json!({ "level": "high", "rationale": "New intelligence", "information": "CSE concerns" }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let high = of_kind(&triggers_of(&app, &mfhc, &p["id"]).await, "high_risk")
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(high.len(), 1);
    assert_eq!(high[0]["basis_episode_ids"], json!([e["id"]]));

    // A looked-after child placed in Leeds by Barnsley: out of area.
    let c = app
        .call("POST", "/api/v1/persons", Some(&mfhc), Some(json!({
            "given_name": "Gus", "family_name": "Placed", "date_of_birth": "2012-05-05", "looked_after": true })))
        .await;
    let pl = app
        .call("POST", &format!("/api/v1/persons/{}/placements", s(&c.body["id"])), Some(&mfhc), Some(json!({
            "kind": "regulated_childrens_home", "placing_authority": "E08000016", "host_authority": "E08000035",
            "starts_on": "2026-01-01" })))
        .await;
    assert_eq!(pl.status, 201, "{}", pl.body);
    let mut body = report_body(&c.body["id"], 1);
    body["missing_from"] = json!("care_placement");
    body["reported_by"] = json!("childrens_home");
    let e = app
        .call("POST", "/api/v1/episodes", Some(&mfhc), Some(body))
        .await;
    assert_eq!(e.status, 201, "{}", e.body);
    let ts = triggers_of(&app, &mfhc, &c.body["id"]).await;
    let ooa = of_kind(&ts, "out_of_area_placement");
    assert_eq!(ooa.len(), 1, "{ts:?}");
    assert_eq!(ooa[0]["basis_episode_ids"], json!([e.body["id"]]));
}

#[actix_rt::test]
async fn rules_are_data_that_admins_and_mfhcs_manage_with_versions() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let list = app
        .call("GET", "/api/v1/trigger-rules", Some(&mfhc), None)
        .await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        5,
        "the defaults"
    );
    let leeds = e_district(&app, &mfhc).await;

    // A district MFHC cannot make a force-wide rule...
    let r = app
        .call("POST", "/api/v1/trigger-rules", Some(&mfhc), Some(json!({
            "name": "Force: 4 in 30", "kind": "episodes_within", "min_episodes": 4, "within_days": 30 })))
        .await;
    r.problem(403);
    // ...nor give thresholds to a rule kind without them.
    let r = app
        .call(
            "POST",
            "/api/v1/trigger-rules",
            Some(&mfhc),
            Some(json!({
            "name": "Odd", "kind": "high_risk", "min_episodes": 4, "district_id": leeds })),
        )
        .await;
    assert_eq!(r.problem(400)["errors"][0]["field"], "min_episodes");
    let r = app
        .call("POST", "/api/v1/trigger-rules", Some(&mfhc), Some(json!({
            "name": "Leeds: 4 in 30", "kind": "episodes_within", "min_episodes": 4, "within_days": 30,
            "district_id": leeds, "escalate_after_hours": 12 })))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["versions"].as_array().unwrap().len(), 1);
    let again = app
        .call(
            "POST",
            "/api/v1/trigger-rules",
            Some(&mfhc),
            Some(json!({
            "name": "Leeds: 4 in 30", "kind": "high_risk", "district_id": leeds })),
        )
        .await;
    assert!(again.problem(409)["detail"]
        .as_str()
        .unwrap()
        .contains("same name"));
    let changed = app
        .call_if_match(
            "PATCH",
            &format!("/api/v1/trigger-rules/{}", s(&r.body["id"])),
            &mfhc,
            &r.body["version"],
            json!({ "within_days": 20 }),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.body["version"], 2);
    let versions = changed.body["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["content"]["within_days"], 30);
    assert_eq!(versions[1]["content"]["within_days"], 20);
    // A stale version is refused.
    let stale = app
        .call_if_match(
            "PATCH",
            &format!("/api/v1/trigger-rules/{}", s(&r.body["id"])),
            &mfhc,
            &r.body["version"],
            json!({ "enabled": false }),
        )
        .await;
    stale.problem(412);

    // A disabled rule fires nothing.
    let (high, v) = rule_id(&app, &admin, "High-risk episode").await;
    let off = app
        .call_if_match(
            "PATCH",
            &format!("/api/v1/trigger-rules/{}", s(&high)),
            &admin,
            &v,
            json!({ "enabled": false }),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.body);
    let p = person(&app, &mfhc, "Hal", "Off", &[]).await;
    let mut body = report_body(&p["id"], 1);
    body["risk"]["level"] = json!("high");
    let e = app
        .call("POST", "/api/v1/episodes", Some(&mfhc), Some(body))
        .await;
    assert_eq!(e.status, 201);
    let ts = triggers_of(&app, &mfhc, &p["id"]).await;
    assert!(of_kind(&ts, "high_risk").is_empty(), "{ts:?}");
    assert_eq!(of_kind(&ts, "first_time_child").len(), 1);
}

async fn e_district(app: &TestApp, token: &str) -> Value {
    app.call("GET", "/api/v1/me", Some(token), None).await.body["district_id"].clone()
}

#[actix_rt::test]
async fn unacknowledged_triggers_escalate_and_the_state_is_recorded() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let p = person(&app, &mfhc, "Ida", "Escalate", &[]).await;
    report(&app, &mfhc, &p["id"], 1).await;
    let t = triggers_of(&app, &mfhc, &p["id"]).await[0].clone();
    let listed = |escalated: bool| {
        let app = &app;
        let mfhc = &mfhc;
        async move {
            app.call(
                "GET",
                &format!("/api/v1/triggers?escalated={escalated}"),
                Some(mfhc),
                None,
            )
            .await
            .body["items"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!((listed(true).await, listed(false).await), (0, 1));
    let mut su = app.superuser().await;
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut su,
        &format!(
            "UPDATE triggers SET escalation_due_at = now() - interval '1 minute' WHERE id = '{}'",
            s(&t["id"])
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        listed(true).await,
        1,
        "past due counts as escalated at once"
    );
    let pool = homeward::db::build_pool(&app.app_url, 1).unwrap();
    let links = homeward::notify::Links::new("http://homeward.test");
    let now = chrono::Utc::now();
    let first = homeward::notify::scheduler::tick(
        &pool,
        &links,
        now,
        &homeward::notify::scheduler::Timers {
            digest_hour: 0,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(first.escalations, 1, "the MFHC is told");
    let again = homeward::notify::scheduler::tick(
        &pool,
        &links,
        now,
        &homeward::notify::scheduler::Timers {
            digest_hour: 0,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(again.escalations, 0, "escalated once");
    let got = app
        .call(
            "GET",
            &format!("/api/v1/triggers/{}", s(&t["id"])),
            Some(&mfhc),
            None,
        )
        .await;
    assert_eq!(got.body["escalation"]["escalated"], true);
    assert!(got.body["escalation"]["escalated_at"].is_string());
}

#[actix_rt::test]
async fn correcting_a_date_of_birth_withdraws_a_first_time_trigger() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let p = person(&app, &mfhc, "Kim", "Corrected", &[]).await;
    report(&app, &mfhc, &p["id"], 2).await;
    let t = triggers_of(&app, &mfhc, &p["id"]).await[0].clone();
    assert_eq!(t["kind"], "first_time_child");
    let r = app
        .call_if_match(
            "PATCH",
            &format!("/api/v1/persons/{}", s(&p["id"])),
            &mfhc,
            &p["version"],
            json!({ "date_of_birth": "1990-01-01" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let got = triggers_of(&app, &mfhc, &p["id"]).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["status"], "withdrawn");
    assert!(got[0]["withdrawn_reason"]
        .as_str()
        .unwrap()
        .contains("date of birth"));
}
