//! What is recorded about a person between episodes, through HTTP: markers,
//! looked-after placements, protocol profiles, merges and their undoing; the high-risk
//! confirmation view.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::episodes::{person, report, report_body, urlencode, BRADFORD_MFHC, SUPERVISOR};
use crate::helpers::{demo_user, spawn_app, TestApp, MFHC};

fn day(offset: i64) -> String {
    (Utc::now().date_naive() + Duration::days(offset)).to_string()
}

fn fields(r: &crate::helpers::Reply) -> Vec<String> {
    r.problem(400)["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

async fn get_person(app: &TestApp, token: &str, id: &Value) -> Value {
    let r = app
        .call(
            "GET",
            &format!("/api/v1/persons/{}", s(id)),
            Some(token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

fn s(v: &Value) -> &str {
    v.as_str().expect("a string")
}

#[actix_rt::test]
async fn markers_are_recorded_amended_with_the_version_and_ended_not_deleted() {
    let app = spawn_app().await;
    let (t, _) = app.login(MFHC).await;
    let p = person(&app, &t, "Amy", "Example", &[]).await;
    let path = format!("/api/v1/persons/{}/markers", s(&p["id"]));

    let bad = app
        .call(
            "POST",
            &path,
            Some(&t),
            Some(json!({ "kind": "cse_risk", "source": " ", "review_on": day(-1) })),
        )
        .await;
    assert_eq!(fields(&bad), ["source", "review_on"]);
    app.call(
        "POST",
        &path,
        Some(&t),
        Some(json!({ "kind": "gang", "source": "x", "review_on": day(30) })),
    )
    .await
    .problem(400);

    let m = app
        .call("POST", &path, Some(&t), Some(json!({
            "kind": "cse_risk", "source": "CSC strategy meeting", "details": "Older associates", "review_on": day(90) })))
        .await;
    assert_eq!(m.status, 201, "{}", m.body);
    assert_eq!(m.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(m.body["review_overdue"], false);
    let marker = format!("{path}/{}", s(&m.body["id"]));

    let no_version = app
        .call(
            "PATCH",
            &marker,
            Some(&t),
            Some(json!({ "review_on": day(10) })),
        )
        .await;
    no_version.problem(428);
    let moved = app
        .call_if_match(
            "PATCH",
            &marker,
            &t,
            &json!(1),
            json!({ "review_on": day(10) }),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body["review_on"], day(10));
    app.call_if_match(
        "PATCH",
        &marker,
        &t,
        &json!(1),
        json!({ "details": "lost" }),
    )
    .await
    .problem(412);

    let future_end = app
        .call_if_match(
            "PATCH",
            &marker,
            &t,
            &json!(2),
            json!({ "end": { "ended_on": day(1), "reason": "x" } }),
        )
        .await;
    assert_eq!(fields(&future_end), ["end.ended_on"]);
    let ended = app
        .call_if_match(
            "PATCH",
            &marker,
            &t,
            &json!(2),
            json!({ "end": { "ended_on": day(0), "reason": "Concern closed" } }),
        )
        .await;
    assert_eq!(ended.status, 200, "{}", ended.body);
    assert_eq!(ended.body["ended_reason"], "Concern closed");
    app.call_if_match(
        "PATCH",
        &marker,
        &t,
        &json!(3),
        json!({ "details": "again" }),
    )
    .await
    .problem(409);

    // A second, live marker is listed before the ended one; nothing was deleted.
    app.call(
        "POST",
        &path,
        Some(&t),
        Some(json!({ "kind": "mental_health", "source": "GP", "review_on": day(5) })),
    )
    .await;
    let detail = get_person(&app, &t, &p["id"]).await;
    let kinds: Vec<&str> = detail["markers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| s(&m["kind"]))
        .collect();
    assert_eq!(kinds, ["mental_health", "cse_risk"]);
    assert_eq!(detail["markers"][1]["details"], "Older associates");
}

async fn looked_after_child(app: &TestApp, t: &str) -> Value {
    let r = app
        .call("POST", "/api/v1/persons", Some(t), Some(json!({
            "given_name": "Cara", "family_name": "Example", "date_of_birth": "2011-04-02", "looked_after": true })))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

fn placement(placing: &str, host: &str, starts: i64, ends: Option<i64>) -> Value {
    json!({ "kind": "regulated_childrens_home", "provider": "Oakwood", "placing_authority": placing,
            "host_authority": host, "starts_on": day(starts), "ends_on": ends.map(day) })
}

#[actix_rt::test]
async fn placements_are_for_looked_after_children_and_know_when_they_are_out_of_area() {
    let app = spawn_app().await;
    let (t, _) = app.login(MFHC).await;

    // Looked-after status is for children.
    let adult = app
        .call("POST", "/api/v1/persons", Some(&t), Some(json!({
            "given_name": "Dan", "family_name": "Adult", "date_of_birth": "1990-01-01", "looked_after": true })))
        .await;
    assert_eq!(fields(&adult), ["looked_after"]);

    // A child not (yet) looked after has no placements.
    let p = person(&app, &t, "Bea", "Example", &[]).await;
    let r = app
        .call(
            "POST",
            &format!("/api/v1/persons/{}/placements", s(&p["id"])),
            Some(&t),
            Some(placement("E08000016", "E08000035", -10, None)),
        )
        .await;
    r.problem(409);

    let c = looked_after_child(&app, &t).await;
    let path = format!("/api/v1/persons/{}/placements", s(&c["id"]));
    let unknown = app
        .call(
            "POST",
            &path,
            Some(&t),
            Some(placement("E99999999", "E08000035", -10, None)),
        )
        .await;
    assert_eq!(fields(&unknown), ["placing_authority"]);
    let backwards = app
        .call(
            "POST",
            &path,
            Some(&t),
            Some(placement("E08000016", "E08000035", -10, Some(-11))),
        )
        .await;
    assert_eq!(fields(&backwards), ["ends_on"]);

    let home = app
        .call(
            "POST",
            &path,
            Some(&t),
            Some(placement("E08000035", "E08000035", -100, Some(-31))),
        )
        .await;
    assert_eq!(home.status, 201, "{}", home.body);
    assert_eq!(home.body["out_of_area"], false);
    assert_eq!(home.body["current"], false);
    let away = app
        .call(
            "POST",
            &path,
            Some(&t),
            Some(placement("E08000016", "E08000035", -30, None)),
        )
        .await;
    assert_eq!(away.status, 201, "{}", away.body);
    assert_eq!(away.body["out_of_area"], true, "Barnsley placing in Leeds");
    assert_eq!(away.body["current"], true);

    // Overlaps are refused, naming the placement in the way.
    let overlap = app
        .call(
            "POST",
            &path,
            Some(&t),
            Some(placement("E08000035", "E08000035", -40, Some(-20))),
        )
        .await;
    assert!(
        s(&overlap.problem(409)["detail"]).contains(s(&away.body["id"])),
        "{}",
        overlap.body
    );

    // Ending a placement before it starts is refused; ending it properly works.
    let one = format!("{path}/{}", s(&away.body["id"]));
    let r = app
        .call_if_match("PATCH", &one, &t, &json!(1), json!({ "ends_on": day(-31) }))
        .await;
    r.problem(400);
    let ended = app
        .call_if_match("PATCH", &one, &t, &json!(1), json!({ "ends_on": day(0) }))
        .await;
    assert_eq!(ended.status, 200, "{}", ended.body);
    assert_eq!(ended.body["ends_on"], day(0));
    let reopened = app
        .call_if_match("PATCH", &one, &t, &json!(2), json!({ "ends_on": null }))
        .await;
    assert_eq!(reopened.status, 200, "{}", reopened.body);
    assert!(reopened.body["ends_on"].is_null());

    let detail = get_person(&app, &t, &c["id"]).await;
    assert_eq!(detail["looked_after"], true);
    let ids: Vec<&Value> = detail["placements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["id"])
        .collect();
    assert_eq!(
        ids,
        [&away.body["id"], &home.body["id"]],
        "latest start first"
    );
}

#[actix_rt::test]
async fn an_episode_from_care_links_the_placement_and_lists_as_looked_after() {
    let app = spawn_app().await;
    let (t, _) = app.login(MFHC).await;
    let c = looked_after_child(&app, &t).await;
    let path = format!("/api/v1/persons/{}/placements", s(&c["id"]));
    let old = app
        .call(
            "POST",
            &path,
            Some(&t),
            Some(placement("E08000035", "E08000035", -100, Some(-31))),
        )
        .await;
    let current = app
        .call(
            "POST",
            &path,
            Some(&t),
            Some(placement("E08000016", "E08000035", -30, None)),
        )
        .await;
    assert_eq!(current.status, 201, "{}", current.body);

    let mut body = report_body(&c["id"], 1);
    body["missing_from"] = json!("care_placement");
    let e = app
        .call("POST", "/api/v1/episodes", Some(&t), Some(body.clone()))
        .await;
    assert_eq!(e.status, 201, "{}", e.body);
    assert_eq!(
        e.body["placement_id"], current.body["id"],
        "the placement covering the day last seen"
    );
    assert_eq!(e.body["looked_after"], true);

    // A named placement must be the person's and cover the day last seen.
    let mut named = body.clone();
    named["placement_id"] = old.body["id"].clone();
    let r = app
        .call("POST", "/api/v1/episodes", Some(&t), Some(named))
        .await;
    assert_eq!(fields(&r), ["placement_id"]);
    let mut from_home = report_body(&c["id"], 1);
    from_home["placement_id"] = current.body["id"].clone();
    let r = app
        .call("POST", "/api/v1/episodes", Some(&t), Some(from_home))
        .await;
    assert_eq!(fields(&r), ["placement_id"]);

    // A child not looked after, missing from home.
    let other = person(&app, &t, "Bea", "Example", &[]).await;
    let plain = report(&app, &t, &other["id"], 2).await;
    assert_eq!(plain["looked_after"], false);
    assert!(plain["placement_id"].is_null());

    let lac = app
        .call("GET", "/api/v1/episodes?looked_after=true", Some(&t), None)
        .await;
    let ids: Vec<&Value> = lac.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["id"])
        .collect();
    assert_eq!(ids, [&e.body["id"]]);
    let not = app
        .call("GET", "/api/v1/episodes?looked_after=false", Some(&t), None)
        .await;
    let ids: Vec<&Value> = not.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["id"])
        .collect();
    assert_eq!(ids, [&plain["id"]]);
}

fn philomena() -> Value {
    json!({
        "owning_organisation": "Oakwood Children's Home",
        "description": "5'2\", slim, long brown hair",
        "photo_reference": "Oakwood office file, photo taken this month",
        "places": "Leeds bus station",
        "associates": "Two older males, first names only",
        "contact_details": "Snapchat handle on file",
        "missing_history": "Three episodes last year",
        "last_reviewed_on": day(-200),
        "review_due_on": day(-1)
    })
}

#[actix_rt::test]
async fn protocol_profiles_are_held_by_mfhcs_and_handed_to_officers_only_while_missing() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let (officer, _) = app.login(demo_user("officer")).await;
    let c = looked_after_child(&app, &mfhc).await;
    let path = format!("/api/v1/persons/{}/protocols/philomena", s(&c["id"]));

    // Officers do not record profiles.
    app.call("PUT", &path, Some(&officer), Some(philomena()))
        .await
        .problem(403);
    // The other protocol's fields are refused by name.
    let mut wrong = philomena();
    wrong["medication"] = json!("Donepezil");
    assert_eq!(
        fields(&app.call("PUT", &path, Some(&mfhc), Some(wrong)).await),
        ["medication"]
    );
    let mut backwards = philomena();
    backwards["review_due_on"] = backwards["last_reviewed_on"].clone();
    assert_eq!(
        fields(&app.call("PUT", &path, Some(&mfhc), Some(backwards)).await),
        ["review_due_on"]
    );

    let made = app.call("PUT", &path, Some(&mfhc), Some(philomena())).await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.body["stale"], true, "past its review date");
    app.call("PUT", &path, Some(&mfhc), Some(philomena()))
        .await
        .problem(409);
    let mut reviewed = philomena();
    reviewed["last_reviewed_on"] = json!(day(0));
    reviewed["review_due_on"] = json!(day(180));
    let replaced = app
        .call_if_match("PUT", &path, &mfhc, &json!(1), reviewed.clone())
        .await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert_eq!(replaced.body["stale"], false);
    assert_eq!(replaced.body["version"], 2);
    app.call_if_match("PUT", &path, &mfhc, &json!(1), reviewed)
        .await
        .problem(412);

    // Philomena is for children; Herbert fits an adult with dementia.
    let adult = app
        .call(
            "POST",
            "/api/v1/persons",
            Some(&mfhc),
            Some(json!({
            "given_name": "Ed", "family_name": "Elder", "date_of_birth": "1940-01-01" })),
        )
        .await;
    let adult_path = format!("/api/v1/persons/{}/protocols", s(&adult.body["id"]));
    let r = app
        .call(
            "PUT",
            &format!("{adult_path}/philomena"),
            Some(&mfhc),
            Some(philomena()),
        )
        .await;
    assert_eq!(fields(&r), ["protocol"]);
    let herbert = app
        .call("PUT", &format!("{adult_path}/herbert"), Some(&mfhc), Some(json!({
            "owning_organisation": "Rose Court Care Home", "description": "Tall, walks with a stick",
            "medication": "Donepezil 10mg", "routine": "Walks to the church each morning",
            "places": "Former home on Oak Road", "last_reviewed_on": day(0), "review_due_on": day(365) })))
        .await;
    assert_eq!(herbert.status, 201, "{}", herbert.body);

    // Not missing: the officer cannot see the profile, not even that it exists.
    app.call("GET", &path, Some(&officer), None)
        .await
        .problem(404);
    assert_eq!(
        get_person(&app, &officer, &c["id"]).await["protocol_profiles"],
        json!([])
    );
    // Missing in the officer's district: handed over.
    let e = report(&app, &mfhc, &c["id"], 1).await;
    let got = app.call("GET", &path, Some(&officer), None).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.body["associates"], "Two older males, first names only");
    assert_eq!(
        get_person(&app, &officer, &c["id"]).await["protocol_profiles"][0]["protocol"],
        "philomena"
    );
    // Cancelled (not missing after all): withdrawn again.
    let r = app
        .call_if_match(
            "POST",
            &format!("/api/v1/episodes/{}/status", s(&e["id"])),
            &mfhc,
            &e["version"],
            json!({ "status": "cancelled", "reason": "Was at a friend's, known to carer" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    app.call("GET", &path, Some(&officer), None)
        .await
        .problem(404);
    // Unknown protocols are a clear 400.
    app.call(
        "GET",
        &format!("/api/v1/persons/{}/protocols/other", s(&c["id"])),
        Some(&mfhc),
        None,
    )
    .await
    .problem(400);
}

#[actix_rt::test]
async fn a_merge_moves_everything_even_other_districts_episodes_and_undoing_it_restores_both() {
    let app = spawn_app().await;
    let (leeds, _) = app.login(MFHC).await;
    let (bradford, _) = app.login(BRADFORD_MFHC).await;
    let (officer, _) = app.login(demo_user("officer")).await;
    let keep = person(&app, &leeds, "Amy", "Example", &["Aims"]).await;
    let dup = person(&app, &leeds, "Amie", "Exampel", &[]).await;
    let leeds_episode = crate::episodes::report_returned(&app, &leeds, &dup["id"], 8).await;
    let bradford_episode = report(&app, &bradford, &dup["id"], 2).await;
    let marker = app
        .call(
            "POST",
            &format!("/api/v1/persons/{}/markers", s(&dup["id"])),
            Some(&leeds),
            Some(json!({ "kind": "self_harm", "source": "CAMHS", "review_on": day(30) })),
        )
        .await;
    assert_eq!(marker.status, 201);
    let merges = format!("/api/v1/persons/{}/merges", s(&keep["id"]));
    let body =
        json!({ "duplicate_id": dup["id"], "reason": "Same child, misspelt at a second report" });

    // Who may merge, and what a merge needs.
    app.call_if_match("POST", &merges, &officer, &json!(1), body.clone())
        .await
        .problem(403);
    app.call("POST", &merges, Some(&leeds), Some(body.clone()))
        .await
        .problem(428);
    app.call_if_match("POST", &merges, &leeds, &json!(9), body.clone())
        .await
        .problem(412);
    let itself = app
        .call_if_match(
            "POST",
            &merges,
            &leeds,
            &json!(1),
            json!({ "duplicate_id": keep["id"], "reason": "x" }),
        )
        .await;
    assert_eq!(fields(&itself), ["duplicate_id"]);

    let m = app
        .call_if_match("POST", &merges, &leeds, &json!(1), body.clone())
        .await;
    assert_eq!(m.status, 201, "{}", m.body);
    let mut moved: Vec<(String, String)> = m.body["moved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                s(&r["record_type"]).to_owned(),
                s(&r["record_id"]).to_owned(),
            )
        })
        .collect();
    moved.sort();
    let mut expected = vec![
        ("episode".to_owned(), s(&leeds_episode["id"]).to_owned()),
        ("episode".to_owned(), s(&bradford_episode["id"]).to_owned()),
        ("marker".to_owned(), s(&marker.body["id"]).to_owned()),
    ];
    expected.sort();
    assert_eq!(
        moved, expected,
        "including the Bradford episode Leeds cannot see"
    );
    assert_eq!(m.body["added_aliases"], json!(["Amie Exampel"]));

    // The Bradford episode now belongs to the survivor (Bradford can see that).
    let b = app
        .call(
            "GET",
            &format!("/api/v1/episodes/{}", s(&bradford_episode["id"])),
            Some(&bradford),
            None,
        )
        .await;
    assert_eq!(b.body["person_id"], keep["id"]);
    let kept = get_person(&app, &leeds, &keep["id"]).await;
    assert_eq!(kept["aliases"], json!(["Aims", "Amie Exampel"]));
    assert_eq!(kept["markers"][0]["id"], marker.body["id"]);
    let gone = get_person(&app, &leeds, &dup["id"]).await;
    assert_eq!(gone["merged_into"], keep["id"]);

    // Search by the duplicate's name finds the survivor; the duplicate only on request.
    let found = app
        .call(
            "GET",
            &format!("/api/v1/persons?name={}", urlencode("amie exampel")),
            Some(&leeds),
            None,
        )
        .await;
    let ids: Vec<&Value> = found.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["id"])
        .collect();
    assert_eq!(ids, [&keep["id"]]);
    let all = app
        .call(
            "GET",
            &format!(
                "/api/v1/persons?include_merged=true&name={}",
                urlencode("amie exampel")
            ),
            Some(&leeds),
            None,
        )
        .await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2);

    // The merged record takes no new reports or changes; a second merge of it is refused.
    let r = app
        .call(
            "POST",
            "/api/v1/episodes",
            Some(&leeds),
            Some(report_body(&dup["id"], 1)),
        )
        .await;
    assert_eq!(fields(&r), ["person_id"]);
    app.call_if_match(
        "PATCH",
        &format!("/api/v1/persons/{}", s(&dup["id"])),
        &leeds,
        &gone["version"],
        json!({ "ethnicity": "x" }),
    )
    .await
    .problem(409);
    app.call_if_match("POST", &merges, &leeds, &kept["version"], body.clone())
        .await
        .problem(409);

    // The merge is audited: the persons and each moved episode.
    let (admin, _) = app.login(crate::helpers::ADMIN).await;
    let audit = app
        .call(
            "GET",
            &format!("/api/v1/audit?record_id={}", s(&bradford_episode["id"])),
            Some(&admin),
            None,
        )
        .await;
    assert!(
        audit.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["operation"] == "alteration"),
        "{}",
        audit.body
    );

    // Undo: everything goes back, and both records stand alone again.
    let undo = format!("/api/v1/person-merges/{}/undo", s(&m.body["id"]));
    app.call(
        "POST",
        &undo,
        Some(&officer),
        Some(json!({ "reason": "x" })),
    )
    .await
    .problem(403);
    app.call("POST", &undo, Some(&leeds), Some(json!({ "reason": " " })))
        .await
        .problem(400);
    let u = app
        .call(
            "POST",
            &undo,
            Some(&leeds),
            Some(json!({ "reason": "Twins, not one child" })),
        )
        .await;
    assert_eq!(u.status, 200, "{}", u.body);
    assert_eq!(u.body["moved"].as_array().unwrap().len(), 3);
    assert_eq!(u.body["undo_reason"], "Twins, not one child");
    let b = app
        .call(
            "GET",
            &format!("/api/v1/episodes/{}", s(&bradford_episode["id"])),
            Some(&bradford),
            None,
        )
        .await;
    assert_eq!(b.body["person_id"], dup["id"]);
    let kept = get_person(&app, &leeds, &keep["id"]).await;
    assert_eq!(kept["aliases"], json!(["Aims"]));
    assert_eq!(kept["markers"], json!([]));
    let back = get_person(&app, &leeds, &dup["id"]).await;
    assert!(back["merged_into"].is_null());
    assert_eq!(back["markers"][0]["id"], marker.body["id"]);
    assert_eq!(back["merges"][0]["id"], m.body["id"]);
    app.call(
        "POST",
        &undo,
        Some(&leeds),
        Some(json!({ "reason": "again" })),
    )
    .await
    .problem(409);
    let read = app
        .call(
            "GET",
            &format!("/api/v1/person-merges/{}", s(&m.body["id"])),
            Some(&leeds),
            None,
        )
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(
        read.body["moved"].as_array().unwrap().len(),
        3,
        "the record of what moved stays"
    );
}

async fn waiting(app: &TestApp, t: &str) -> Vec<Value> {
    let r = app
        .call(
            "GET",
            "/api/v1/episodes?awaiting_confirmation=true",
            Some(t),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].clone())
        .collect()
}

#[actix_rt::test]
async fn high_risk_waits_for_a_supervisors_confirmation() {
    let app = spawn_app().await;
    let (t, _) = app.login(MFHC).await;
    let (sup, _) = app.login(SUPERVISOR).await;
    let p = person(&app, &t, "Amy", "Example", &[]).await;
    let mut body = report_body(&p["id"], 0);
    body["risk"]["level"] = json!("high");
    let high = app
        .call("POST", "/api/v1/episodes", Some(&t), Some(body))
        .await;
    assert_eq!(high.status, 201, "{}", high.body);
    let c = &high.body["high_risk_confirmation"];
    assert!(c["confirmed_at"].is_null(), "{c}");
    assert_eq!(c["late"], false);
    let q = person(&app, &t, "Ann", "Other", &[]).await;
    let medium = report(&app, &t, &q["id"], 0).await;
    assert!(medium["high_risk_confirmation"].is_null());

    assert_eq!(waiting(&app, &t).await, [high.body["id"].clone()]);

    let reviewed = app
        .call_if_match(
            "POST",
            &format!("/api/v1/episodes/{}/reviews", s(&high.body["id"])),
            &sup,
            &high.body["version"],
            json!({ "outcome": "High risk confirmed; search team deployed" }),
        )
        .await;
    assert_eq!(reviewed.status, 201, "{}", reviewed.body);
    assert!(reviewed.body["high_risk_confirmation"]["confirmed_at"].is_string());
    assert!(waiting(&app, &t).await.is_empty());
}

#[actix_rt::test]
async fn a_supervisors_high_grading_is_its_own_confirmation() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let (sup, _) = app.login(SUPERVISOR).await;
    let me = app.call("GET", "/api/v1/me", Some(&sup), None).await.body["id"].clone();

    // Reported high by a supervisor: confirmed by that grading, at once.
    let p = person(&app, &mfhc, "Sam", "Graded", &[]).await;
    let mut body = report_body(&p["id"], 0);
    body["risk"]["level"] = json!("high");
    let reported = app
        .call("POST", "/api/v1/episodes", Some(&sup), Some(body))
        .await;
    assert_eq!(reported.status, 201, "{}", reported.body);
    let c = &reported.body["high_risk_confirmation"];
    assert_eq!(c["confirmed_at"], c["graded_at"], "{c}");
    assert_eq!(c["confirmed_by"], me);
    assert_eq!(c["confirmed_how"], "supervisor_grading");
    assert_eq!(c["late"], false);
    assert_eq!(
        reported.body["risk_history"][0]["grader_role"],
        "supervisor"
    );

    // Re-graded high by a supervisor from an MFHC's medium: the same.
    let q = person(&app, &mfhc, "Kim", "Regraded", &[]).await;
    let e = report(&app, &mfhc, &q["id"], 0).await;
    let regraded = app
        .call_if_match(
            "POST",
            &format!("/api/v1/episodes/{}/risk-gradings", s(&e["id"])),
            &sup,
            &e["version"],
            json!({ "level": "high", "rationale": "Threats received", "information": "Call log" }),
        )
        .await;
    assert_eq!(regraded.status, 201, "{}", regraded.body);
    let c = &regraded.body["high_risk_confirmation"];
    assert_eq!(c["confirmed_how"], "supervisor_grading", "{c}");
    assert_eq!(c["confirmed_by"], me);

    // An MFHC's high grading still waits for a supervisor.
    let r = person(&app, &mfhc, "Lee", "Waiting", &[]).await;
    let mut body = report_body(&r["id"], 0);
    body["risk"]["level"] = json!("high");
    let waits = app
        .call("POST", "/api/v1/episodes", Some(&mfhc), Some(body))
        .await;
    assert_eq!(waits.status, 201, "{}", waits.body);
    assert!(waits.body["high_risk_confirmation"]["confirmed_at"].is_null());
    assert_eq!(waits.body["risk_history"][0]["grader_role"], "mfhc");
    assert_eq!(waiting(&app, &mfhc).await, [waits.body["id"].clone()]);
}
