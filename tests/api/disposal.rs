//! Disposal at review (MoPI): a person's personal data erased everywhere Homeward keeps it,
//! every published figure unchanged, the audit chain still valid, and the person's id
//! answering 410 to those who could read it (404 to others).

use chrono::{Duration, Utc};
use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use serde_json::{json, Value};

use crate::episodes::{person, report};
use crate::helpers::{demo_user, spawn_app, TestApp, ADMIN, MFHC};
use crate::role_matrix::agency;
use crate::web::CSC_LEEDS;

/// Everything written about the subject that names or describes them: none of it may be
/// found anywhere afterwards.
const SECRETS: &[&str] = &[
    "Zephyrine",
    "Quillfeather",
    "Zephy Quill",
    "2009-03-14",
    "Larkspur",
    "Quenby",
    "Tobiah",
    "Wrenfield",
    "Harrowgate",
    "Brackenholme",
    "Coldfell",
    "Fennimore",
    "Mirabel",
];

async fn created(app: &TestApp, method: &str, path: &str, token: &str, body: Value) -> Value {
    let r = app.call(method, path, Some(token), Some(body)).await;
    assert!(
        r.status == 201 || r.status == 200,
        "{method} {path}: {}",
        r.body
    );
    r.body
}

/// A referral for `person` with `summary`, triaged and declined with `reason` (so nothing
/// of it is open).
async fn declined_referral(
    app: &TestApp,
    token: &str,
    person: &Value,
    summary: &str,
    reason: &str,
) {
    let referral = created(
        app,
        "POST",
        "/api/v1/referrals",
        token,
        json!({
        "person_id": person, "source": "frontline_officer", "reasons": ["other"],
        "summary": summary, "lawful_basis": "DPA 2018 s.35" }),
    )
    .await;
    let path = format!(
        "/api/v1/referrals/{}/status",
        referral["id"].as_str().unwrap()
    );
    let t = ok_if_match(
        app,
        &path,
        token,
        &referral["version"],
        json!({ "status": "triage" }),
    )
    .await;
    ok_if_match(
        app,
        &path,
        token,
        &t["version"],
        json!({ "status": "declined", "reason": reason }),
    )
    .await;
}

/// A merge (`POST …/merges`, 201) with the survivor's version.
async fn merge(app: &TestApp, token: &str, survivor: &str, version: &Value, duplicate: &Value) {
    let r = app
        .call_if_match(
            "POST",
            &format!("/api/v1/persons/{survivor}/merges"),
            token,
            version,
            json!({ "duplicate_id": duplicate, "reason": "Same child" }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
}

async fn ok_if_match(
    app: &TestApp,
    path: &str,
    token: &str,
    version: &Value,
    body: Value,
) -> Value {
    let r = app.call_if_match("POST", path, token, version, body).await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.body
}

/// One missing episode of the subject, `hours_ago`, returned and closed; every free-text
/// field names someone.
async fn episode(
    app: &TestApp,
    (mfhc, supervisor): (&str, &str),
    pid: &Value,
    hours_ago: i64,
) -> Value {
    let now = Utc::now();
    let e = created(
        app,
        "POST",
        "/api/v1/episodes",
        mfhc,
        json!({
            "person_id": pid,
            "reported_at": (now - Duration::hours(hours_ago)).to_rfc3339(),
            "reported_by": "carer",
            "reporter_details": "Aunt Mirabel Quenby, by phone",
            "last_seen_at": (now - Duration::hours(hours_ago + 2)).to_rfc3339(),
            "last_seen_location": "Harrowgate Quay",
            "missing_from": "home",
            "circumstances": "Left after an argument with Tobiah Wrenfield.",
            "risk": { "level": "medium", "rationale": "Known to Tobiah Wrenfield.",
                      "information": "Call from Mirabel Quenby." }
        }),
    )
    .await;
    let id = e["id"].as_str().unwrap().to_owned();
    let a = ok_if_match(
        app,
        &format!("/api/v1/episodes/{id}/status"),
        mfhc,
        &e["version"],
        json!({ "status": "active" }),
    )
    .await;
    let r = ok_if_match(
        app,
        &format!("/api/v1/episodes/{id}/return"),
        mfhc,
        &a["version"],
        json!({
        "returned_at": (now - Duration::hours(hours_ago - 3)).to_rfc3339(),
        "location": "Brackenholme Lane", "how": "found_by_police", "found_by": "PC Idris Coldfell",
        "harm_suffered": true, "harm_details": "Bruising; says Tobiah Wrenfield pushed her" }),
    )
    .await;
    ok_if_match(
        app,
        &format!("/api/v1/episodes/{id}/close"),
        supervisor,
        &r["version"],
        json!({ "no_interview_reason": "Declined through Mirabel Quenby" }),
    )
    .await
}

/// A report's aggregates: without the time it was read from and without rows about
/// individual records (which a coordinator reads through policies, so a disposed record
/// drops out of them, as it should).
fn aggregates(mut body: Value) -> Value {
    if let Some(o) = body.as_object_mut() {
        o.remove("since");
        o.retain(|_, v| {
            !v.as_array().is_some_and(|rows| {
                rows.iter()
                    .any(|r| r.get("person_id").is_some() || r.get("episode_id").is_some())
            })
        });
    }
    body
}

/// Every measure and dataset a coordinator reads (unsuppressed counts), as JSON.
async fn figures(app: &TestApp, reader: &str) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for path in [
        "/api/v1/measures/repeat-missing",
        "/api/v1/datasets/missing-persons?weeks=12",
        "/api/v1/datasets/quarterly-breakdown",
        "/api/v1/datasets/children-rolling-average",
        "/api/v1/datasets/first-time-missing-children",
        "/api/v1/datasets/looked-after-log",
        "/api/v1/datasets/hospital-log",
    ] {
        let r = app.call("GET", path, Some(reader), None).await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        out.push((path.to_owned(), aggregates(r.body)));
    }
    out
}

#[derive(QueryableByName)]
struct Table {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Hits {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Every table (the audit log and the outbox among them) whose rows, as text, hold any of
/// the secrets, with the secret found.
async fn found_anywhere(app: &TestApp) -> Vec<String> {
    let mut su = app.superuser().await;
    let tables: Vec<Table> = diesel::sql_query(
        "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    )
    .load(&mut su)
    .await
    .unwrap();
    assert!(tables.iter().any(|t| t.name == "audit_log"));
    let mut found = Vec::new();
    for t in &tables {
        for secret in SECRETS {
            let hits: Hits = diesel::sql_query(format!(
                "SELECT count(*) AS n FROM \"{}\" x WHERE x::text ILIKE '%' || $1 || '%'",
                t.name
            ))
            .bind::<Text, _>(*secret)
            .get_result(&mut su)
            .await
            .unwrap();
            if hits.n > 0 {
                found.push(format!("{}: {secret} ({} rows)", t.name, hits.n));
            }
        }
    }
    found
}

#[actix_rt::test]
async fn disposal_erases_the_person_everywhere_and_every_figure_stays_as_it_was() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let (admin, _) = app.login(ADMIN).await;
    let (dpo, _) = app.login(demo_user("dpo")).await;
    let csc = agency(&app, &admin, CSC_LEEDS).await;

    // Someone else, whose record stays.
    let other = person(&app, &mfhc, "Robin", "Stays", &[]).await;
    report(&app, &mfhc, &other["id"], 30).await;
    let other_id = other["id"].as_str().unwrap().to_owned();
    let looked = app
        .call_with_purpose(
            "GET",
            &format!("/api/v1/persons/{other_id}"),
            &mfhc,
            "Robin's school called",
            None,
            None,
        )
        .await;
    assert_eq!(looked.status, 200, "{}", looked.body);

    // The subject: a child with three episodes (a repeat missing child), a marker, a
    // placement, a Philomena profile, an action, a share, a referral and the triggers
    // the episodes fired, every free-text field naming someone.
    let p = created(
        &app,
        "POST",
        "/api/v1/persons",
        &mfhc,
        json!({
        "given_name": "Zephyrine", "family_name": "Quillfeather", "aliases": ["Zephy Quill"],
        "date_of_birth": "2009-03-14", "sex": "female", "ethnicity": "White British", "looked_after": true }),
    )
    .await;
    let pid = p["id"].clone();
    let pid_s = pid.as_str().unwrap().to_owned();
    // Recorded twice more before anyone noticed: the second record had itself absorbed a
    // third, which had an Early Action referral of its own, before it was merged into hers.
    let older = created(
        &app,
        "POST",
        "/api/v1/persons",
        &mfhc,
        json!({
        "given_name": "Zephy", "family_name": "Quillfeather", "date_of_birth": "2009-03-14" }),
    )
    .await;
    let oldest = created(
        &app,
        "POST",
        "/api/v1/persons",
        &mfhc,
        json!({
        "given_name": "Zephyrine", "family_name": "Quill", "date_of_birth": "2009-03-14" }),
    )
    .await;
    declined_referral(
        &app,
        &mfhc,
        &oldest["id"],
        "Seen with Tobiah Wrenfield at Harrowgate Quay",
        "Already known to Mirabel Quenby's team",
    )
    .await;
    merge(
        &app,
        &mfhc,
        older["id"].as_str().unwrap(),
        &older["version"],
        &oldest["id"],
    )
    .await;
    let p_now = app
        .call(
            "GET",
            &format!("/api/v1/persons/{pid_s}"),
            Some(&mfhc),
            None,
        )
        .await;
    assert_eq!(p_now.status, 200, "{}", p_now.body);
    merge(&app, &mfhc, &pid_s, &p_now.body["version"], &older["id"]).await;
    let family = format!(
        "'{pid_s}', '{}', '{}'",
        older["id"].as_str().unwrap(),
        oldest["id"].as_str().unwrap()
    );
    created(
        &app,
        "POST",
        &format!("/api/v1/persons/{pid_s}/markers"),
        &mfhc,
        json!({
        "kind": "mental_health", "source": "Dr Larkspur-Vance",
        "details": "Weekly sessions with Dr Larkspur-Vance", "review_on": "2030-01-01" }),
    )
    .await;
    created(
        &app,
        "POST",
        &format!("/api/v1/persons/{pid_s}/placements"),
        &mfhc,
        json!({
        "kind": "foster", "provider": "Quenby Foster Family", "placing_authority": "E08000035",
        "host_authority": "E08000035", "starts_on": "2026-01-01" }),
    )
    .await;
    created(
        &app,
        "PUT",
        &format!("/api/v1/persons/{pid_s}/protocols/philomena"),
        &mfhc,
        json!({
        "owning_organisation": "Oakwood", "description": "Wears a Fennimore scarf",
        "places": "Brackenholme Lane", "associates": "Tobiah Wrenfield",
        "last_reviewed_on": "2026-01-01", "review_due_on": "2030-01-01" }),
    )
    .await;
    let (supervisor, _) = app.login(demo_user("supervisor")).await;
    let staff = (mfhc.as_str(), supervisor.as_str());
    let first = episode(&app, staff, &pid, 400).await;
    episode(&app, staff, &pid, 200).await;
    episode(&app, staff, &pid, 60).await;
    let first_id = first["id"].as_str().unwrap().to_owned();
    let action = created(
        &app,
        "POST",
        "/api/v1/actions",
        &mfhc,
        json!({
        "episode_id": first["id"], "owner_agency_id": csc,
        "description": "Visit the Quenby household", "due_on": "2030-01-01" }),
    )
    .await;
    let r = app
        .call_if_match(
            "PATCH",
            &format!("/api/v1/actions/{}", action["id"].as_str().unwrap()),
            &mfhc,
            &action["version"],
            json!({ "status": "done", "outcome": "Visited the Quenby household" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    created(
        &app,
        "POST",
        "/api/v1/shares",
        &mfhc,
        json!({
        "record_type": "episode", "record_id": first["id"], "agency_id": csc, "parts": ["summary"],
        "purpose": "Return interview for Zephyrine", "lawful_basis": "DPA 2018 s.35" }),
    )
    .await;
    declined_referral(
        &app,
        &mfhc,
        &pid,
        "Concerns raised by Tobiah Wrenfield",
        "Quenby family support in place",
    )
    .await;
    let triggers = app
        .call(
            "GET",
            &format!("/api/v1/triggers?person_id={pid_s}&limit=200"),
            Some(&mfhc),
            None,
        )
        .await;
    assert_eq!(triggers.status, 200, "{}", triggers.body);
    let triggers = triggers.body["items"].as_array().unwrap().clone();
    assert!(
        !triggers.is_empty(),
        "a first-time missing child fires a trigger"
    );
    for t in &triggers {
        let tid = t["id"].as_str().unwrap();
        let full = app
            .call("GET", &format!("/api/v1/triggers/{tid}"), Some(&mfhc), None)
            .await;
        if full.body["status"] != "closed" && full.body["status"] != "withdrawn" {
            let mut version = full.body["version"].clone();
            if full.body["status"] == "open" {
                version = ok_if_match(
                    &app,
                    &format!("/api/v1/triggers/{tid}/acknowledge"),
                    &mfhc,
                    &version,
                    json!({}),
                )
                .await["version"]
                    .clone();
            }
            if full.body["status"] != "plan_recorded" {
                let plan = app
                    .call_if_match(
                        "PUT",
                        &format!("/api/v1/triggers/{tid}/plan"),
                        &mfhc,
                        &version,
                        json!({ "summary": "Meet Mirabel Quenby weekly", "review_on": "2030-01-01" }),
                    )
                    .await;
                assert_eq!(plan.status, 200, "{}", plan.body);
                version = plan.body["version"].clone();
            }
            ok_if_match(
                &app,
                &format!("/api/v1/triggers/{tid}/close"),
                &mfhc,
                &version,
                json!({ "note": "Closed after meeting Mirabel Quenby" }),
            )
            .await;
        }
    }
    // A consultation that states why, naming her (as people write).
    let read = app
        .call_with_purpose(
            "GET",
            &format!("/api/v1/persons/{pid_s}"),
            &mfhc,
            "Welfare check on Zephyrine",
            None,
            None,
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
    // A subject access request about her, its bundle holding everything.
    let sar = created(
        &app,
        "POST",
        "/api/v1/subject-access-requests",
        &dpo,
        json!({
        "person_ids": [pid], "requester": "Zephyrine Quillfeather, in writing",
        "reason": "All records" }),
    )
    .await;
    assert_eq!(sar["bundle"]["persons"][0]["given_name"], "Zephyrine");
    assert!(
        !found_anywhere(&app).await.is_empty(),
        "the secrets are there to find"
    );

    // Seven years on, as a record migrated from an older system would be: nothing since.
    let mut su = app.superuser().await;
    su.batch_execute(&format!(
        "UPDATE persons SET created_at = now() - interval '7 years' WHERE id IN ({family});
         UPDATE episodes SET closed_at = now() - interval '7 years', updated_at = now() - interval '7 years'
          WHERE person_id IN ({family});
         UPDATE referrals SET updated_at = now() - interval '7 years' WHERE person_id IN ({family});
         UPDATE triggers SET closed_at = now() - interval '7 years' WHERE person_id IN ({family}) AND closed_at IS NOT NULL;
         UPDATE triggers SET withdrawn_at = now() - interval '7 years' WHERE person_id IN ({family}) AND withdrawn_at IS NOT NULL;
         UPDATE actions SET completed_at = now() - interval '7 years' WHERE episode_id = '{first_id}';"
    ))
    .await
    .unwrap();
    let due = app
        .call(
            "GET",
            &format!("/api/v1/retention/reviews/{pid_s}"),
            Some(&dpo),
            None,
        )
        .await;
    assert_eq!(due.status, 200, "{}", due.body);
    assert_eq!(due.body["review"]["active"], false, "{}", due.body);

    let checkpoint = app
        .call(
            "POST",
            "/api/v1/audit/checkpoints",
            Some(&admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(checkpoint.status, 201, "{}", checkpoint.body);
    let before = figures(&app, &mfhc).await;

    // The decision must say there is no policing purpose.
    let wrong = app
        .call(
            "POST",
            &format!("/api/v1/retention/reviews/{pid_s}/disposal"),
            Some(&dpo),
            Some(json!({ "reason": "legal_hold" })),
        )
        .await;
    assert_eq!(wrong.status, 400, "{}", wrong.body);
    // Only a data protection officer disposes.
    let refused = app
        .call(
            "POST",
            &format!("/api/v1/retention/reviews/{pid_s}/disposal"),
            Some(&mfhc),
            Some(json!({ "reason": "no_policing_purpose" })),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    // Not while a subject access request about her is open: it is decided first.
    let open = app
        .call(
            "POST",
            &format!("/api/v1/retention/reviews/{pid_s}/disposal"),
            Some(&dpo),
            Some(json!({ "reason": "no_policing_purpose" })),
        )
        .await;
    assert_eq!(open.status, 409, "{}", open.body);
    let sar_id = sar["id"].as_str().unwrap();
    let decided = app
        .call_if_match(
            "POST",
            &format!("/api/v1/subject-access-requests/{sar_id}/decision"),
            &dpo,
            &sar["version"],
            json!({ "decision": "release" }),
        )
        .await;
    assert_eq!(decided.status, 200, "{}", decided.body);

    let d = app
        .call(
            "POST",
            &format!("/api/v1/retention/reviews/{pid_s}/disposal"),
            Some(&dpo),
            Some(json!({ "reason": "no_policing_purpose" })),
        )
        .await;
    assert_eq!(d.status, 200, "{}", d.body);
    assert_eq!(d.body["decision"]["decision"], "dispose");
    assert!(
        d.body["records_erased"].as_u64().unwrap() >= 10,
        "{}",
        d.body
    );

    // Nothing that named or described her is anywhere: not the tables, not the emails,
    // not the audit log.
    let left = found_anywhere(&app).await;
    assert!(left.is_empty(), "still found after disposal: {left:?}");

    // Every figure is exactly as it was.
    let after = figures(&app, &mfhc).await;
    for ((path, b), (_, a)) in before.iter().zip(&after) {
        assert_eq!(b, a, "{path} changed");
    }
    // She counted: a child missing three times in the weekly dataset.
    let weekly = &before[1].1;
    let repeat_children: u64 = weekly["summary"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["age_group"] == "child")
        .filter_map(|s| s["repeat_persons"].as_u64())
        .sum();
    assert!(
        repeat_children >= 1,
        "she counted as a repeat missing child: {weekly}"
    );

    // The chain still verifies, and against the checkpoint signed before.
    let v = app
        .call("GET", "/api/v1/audit/verify", Some(&admin), None)
        .await;
    assert_eq!(v.status, 200, "{}", v.body);
    assert_eq!(v.body["valid"], true, "{}", v.body);
    // The erasure is on the log, by id.
    let log = app
        .call(
            "GET",
            &format!("/api/v1/audit?record_id={pid_s}&operation=erasure"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        log.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        log.body
    );

    // Gone to those who could read her record; to a partner, nothing was ever there.
    let gone = app
        .call(
            "GET",
            &format!("/api/v1/persons/{pid_s}"),
            Some(&mfhc),
            None,
        )
        .await;
    assert_eq!(gone.status, 410, "{}", gone.body);
    assert_eq!(gone.body["type"], "/problems/gone");
    let (partner, _) = app.login(demo_user("partner")).await;
    let unknown = app
        .call(
            "GET",
            &format!("/api/v1/persons/{pid_s}"),
            Some(&partner),
            None,
        )
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    let ep = app
        .call(
            "GET",
            &format!("/api/v1/episodes/{first_id}"),
            Some(&mfhc),
            None,
        )
        .await;
    assert_eq!(ep.status, 404, "{}", ep.body);
    let review = app
        .call(
            "GET",
            &format!("/api/v1/retention/reviews/{pid_s}"),
            Some(&dpo),
            None,
        )
        .await;
    assert_eq!(review.status, 410, "{}", review.body);
    let again = app
        .call(
            "POST",
            &format!("/api/v1/retention/reviews/{pid_s}/disposal"),
            Some(&dpo),
            Some(json!({ "reason": "no_policing_purpose" })),
        )
        .await;
    assert_eq!(again.status, 410, "{}", again.body);
    // Nor is she due for review again; the other person is untouched.
    let list = app
        .call(
            "GET",
            "/api/v1/retention/reviews?limit=200",
            Some(&dpo),
            None,
        )
        .await;
    assert!(!list.body.to_string().contains(&pid_s), "{}", list.body);
    let stays = app
        .call(
            "GET",
            &format!("/api/v1/persons/{other_id}"),
            Some(&mfhc),
            None,
        )
        .await;
    assert_eq!(stays.status, 200, "{}", stays.body);

    // A purpose erased other than by a disposal is caught: no erasure names its records.
    let mut su = app.superuser().await;
    su.batch_execute(&format!(
        "BEGIN; SET LOCAL session_replication_role = replica;
         UPDATE audit_log SET purpose = NULL, purpose_salt = NULL
          WHERE purpose = 'Robin''s school called' AND record_ids && ARRAY['{other_id}'::uuid];
         COMMIT;"
    ))
    .await
    .unwrap();
    let v = app
        .call("GET", "/api/v1/audit/verify", Some(&admin), None)
        .await;
    assert_eq!(v.body["valid"], false, "{}", v.body);
    assert!(
        v.body["reason"].as_str().unwrap().contains("erased"),
        "{}",
        v.body
    );
}

#[actix_rt::test]
async fn a_record_is_disposed_of_only_at_review_with_nothing_open() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let (dpo, _) = app.login(demo_user("dpo")).await;
    let recent = person(&app, &mfhc, "Recent", "Record", &[]).await;
    let open = person(&app, &mfhc, "Open", "Record", &[]).await;
    report(&app, &mfhc, &open["id"], 3).await;
    let mut su = app.superuser().await;
    su.batch_execute(&format!(
        "UPDATE persons SET created_at = now() - interval '7 years' WHERE id = '{}'",
        open["id"].as_str().unwrap()
    ))
    .await
    .unwrap();
    for (p, why) in [(&recent, "not due for review"), (&open, "open episode")] {
        let r = app
            .call(
                "POST",
                &format!(
                    "/api/v1/retention/reviews/{}/disposal",
                    p["id"].as_str().unwrap()
                ),
                Some(&dpo),
                Some(json!({ "reason": "no_policing_purpose" })),
            )
            .await;
        assert_eq!(r.status, 409, "{why}: {}", r.body);
        assert!(
            r.body["detail"]
                .as_str()
                .unwrap()
                .contains(why.split(' ').next().unwrap()),
            "{}",
            r.body
        );
    }
    let unknown = app
        .call(
            "POST",
            &format!(
                "/api/v1/retention/reviews/{}/disposal",
                uuid::Uuid::now_v7()
            ),
            Some(&dpo),
            Some(json!({ "reason": "no_policing_purpose" })),
        )
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    // Both records are as they were.
    for p in [&recent, &open] {
        let r = app
            .call(
                "GET",
                &format!("/api/v1/persons/{}", p["id"].as_str().unwrap()),
                Some(&mfhc),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            r.body["person"]["given_name"]
                .as_str()
                .or(r.body["given_name"].as_str()),
            p["given_name"].as_str()
        );
    }
}
