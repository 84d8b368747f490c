//! Subject access (DPA 2018 s.45), for the data protection officer: everything held about
//! a person and every disclosure of it, the parts about other people marked for review,
//! the deadline tracked and alerted, the release recorded as a disclosure.

use chrono::{Duration, Utc};
use diesel::sql_types::Text;
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde_json::{json, Value};

use crate::episodes::{person, report_body};
use crate::helpers::{demo_user, spawn_app, TestApp, ADMIN, MFHC};
use crate::role_matrix::{agency, share_body};
use crate::web::CSC_LEEDS;

async fn create(app: &TestApp, dpo: &str, body: Value) -> crate::helpers::Reply {
    app.call(
        "POST",
        "/api/v1/subject-access-requests",
        Some(dpo),
        Some(body),
    )
    .await
}

/// A child with an episode shared with Leeds CSC (so disclosed, and emailed about).
async fn child_with_a_shared_episode(app: &TestApp) -> (Value, Value) {
    let (mfhc, _) = app.login(MFHC).await;
    let (admin, _) = app.login(ADMIN).await;
    let p = person(app, &mfhc, "Jordan", "Whitaker", &["Jordy"]).await;
    let e = app
        .call(
            "POST",
            "/api/v1/episodes",
            Some(&mfhc),
            Some(report_body(&p["id"], 3)),
        )
        .await;
    assert_eq!(e.status, 201, "{}", e.body);
    let csc = agency(app, &admin, CSC_LEEDS).await;
    let share = app
        .call(
            "POST",
            "/api/v1/shares",
            Some(&mfhc),
            Some(share_body(&e.body["id"], &csc)),
        )
        .await;
    assert_eq!(share.status, 201, "{}", share.body);
    (p, e.body)
}

#[actix_rt::test]
async fn a_request_assembles_everything_held_and_every_disclosure_with_third_parties_marked() {
    let app = spawn_app().await;
    let (p, episode) = child_with_a_shared_episode(&app).await;
    let (dpo, _) = app.login(demo_user("dpo")).await;

    // Found by name and date of birth, as a letter would describe them.
    let r = create(
        &app,
        &dpo,
        json!({
        "subject": { "name": "jordy whitaker", "date_of_birth": "2011-04-02" },
        "requester": "The data subject's mother, with the child's written consent",
        "reason": "Everything held by the missing persons service" }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["person_ids"], json!([p["id"]]));
    assert!(r.body["reference"].as_str().unwrap().starts_with("SAR-"));
    let today = Utc::now().date_naive();
    assert_eq!(r.body["received_on"], json!(today));
    assert_eq!(
        r.body["due_on"],
        json!(today.checked_add_months(chrono::Months::new(1)).unwrap())
    );

    let b = &r.body["bundle"];
    assert_eq!(b["persons"][0]["given_name"], "Jordan");
    assert_eq!(b["persons"][0]["aliases"], json!(["Jordy"]));
    assert_eq!(b["episodes"][0]["id"], episode["id"]);
    assert_eq!(b["risk_gradings"].as_array().unwrap().len(), 1, "{b}");
    assert_eq!(b["shares"][0]["agency"], CSC_LEEDS);
    assert_eq!(b["shares"][0]["lawful_basis"], "DPA 2018 s.35");
    // The disclosures: the share, to the agency, with its purpose and basis; and the email.
    let disclosures = b["disclosures"].as_array().unwrap();
    assert!(
        disclosures
            .iter()
            .any(|d| d["lawful_basis"] == "DPA 2018 s.35"
                && d["purpose"] == "Return interview"
                && !d["recipients"].as_array().unwrap().is_empty()),
        "{disclosures:?}"
    );
    // Every section is there, the empty ones too.
    for section in [
        "markers",
        "placements",
        "protocol_profiles",
        "retention_decisions",
        "subject_access_requests",
        "merge_moves",
        "national_alerts",
        "actions",
    ] {
        assert!(b[section].is_array(), "{section}: {b}");
    }
    let emails = b["emails"].as_array().unwrap();
    assert!(
        emails.iter().any(|m| m["event"] == "record_shared"),
        "{emails:?}"
    );
    // Who reported, and the free text, are marked for review, not dropped.
    let notes = r.body["for_review"].as_array().unwrap();
    let marked = |section: &str, field: &str| {
        notes.iter().any(|n| {
            n["section"] == section && n["field"] == field && n["record_id"] == episode["id"]
        })
    };
    assert!(marked("episodes", "reporter_details"), "{notes:?}");
    assert!(marked("episodes", "circumstances"), "{notes:?}");
    assert_eq!(b["episodes"][0]["reporter_details"], "Mother, by phone");

    // A document a disclosure officer reads, with the same marks.
    let id = r.body["id"].as_str().unwrap();
    let doc = app
        .client
        .get(app.url(&format!("/api/v1/subject-access-requests/{id}/document")))
        .insert_header(("Authorization", format!("Bearer {dpo}")));
    let mut res = doc.send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let html = String::from_utf8(res.body().await.unwrap().to_vec()).unwrap();
    assert!(res
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(
        html.contains("Jordan") && html.contains("Whitaker"),
        "{html}"
    );
    assert!(
        html.contains("<strong>Review before release: </strong>identifies the person who reported"),
        "{html}"
    );

    // Assembling and reading it are audited as consultations of each record, for it.
    let (admin, _) = app.login(ADMIN).await;
    let log = app
        .call(
            "GET",
            &format!(
                "/api/v1/audit?record_id={}&operation=consultation",
                episode["id"].as_str().unwrap()
            ),
            Some(&admin),
            None,
        )
        .await;
    let purposes: Vec<&str> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["purpose"].as_str())
        .collect();
    let reference = r.body["reference"].as_str().unwrap();
    assert!(
        purposes.iter().filter(|p| p.contains(reference)).count() >= 2,
        "{purposes:?}"
    );
}

#[actix_rt::test]
async fn release_is_a_disclosure_and_a_decided_request_no_longer_changes() {
    let app = spawn_app().await;
    let (p, _) = child_with_a_shared_episode(&app).await;
    let (dpo, _) = app.login(demo_user("dpo")).await;
    let r = create(
        &app,
        &dpo,
        json!({ "person_ids": [p["id"]], "requester": "Jordan Whitaker",
        "reason": "Own records" }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let path = |tail: &str| format!("/api/v1/subject-access-requests/{id}/{tail}");

    // A refusal needs its ground.
    let refuse = app
        .call_if_match(
            "POST",
            &path("decision"),
            &dpo,
            &r.body["version"],
            json!({ "decision": "refuse" }),
        )
        .await;
    assert_eq!(
        refuse.problem(400)["errors"][0]["field"],
        "note",
        "{}",
        refuse.body
    );
    let released = app
        .call_if_match(
            "POST",
            &path("decision"),
            &dpo,
            &r.body["version"],
            json!({ "decision": "release" }),
        )
        .await;
    assert_eq!(released.status, 200, "{}", released.body);
    assert_eq!(released.body["status"], "released");
    let (admin, _) = app.login(ADMIN).await;
    let log = app
        .call(
            "GET",
            &format!(
                "/api/v1/audit?record_id={}&operation=disclosure",
                p["id"].as_str().unwrap()
            ),
            Some(&admin),
            None,
        )
        .await;
    let release = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["record_type"] == "subject_access_bundle")
        .unwrap_or_else(|| panic!("{}", log.body))
        .clone();
    // The recipient is named by the request (which holds who asked), not copied into the
    // chain, which keeps what it covers for ever.
    let reference = r.body["reference"].as_str().unwrap().to_owned();
    assert_eq!(
        release["recipients"],
        json!([format!("the requester of {reference}")])
    );
    assert_eq!(release["lawful_basis"], "DPA 2018 s.45");

    // Decided: nothing more changes.
    let due = Utc::now().date_naive() + Duration::days(45);
    let late = app
        .call_if_match(
            "POST",
            &path("extension"),
            &dpo,
            &released.body["version"],
            json!({ "due_on": due, "reason": "More time" }),
        )
        .await;
    late.problem(409);
    let again = app
        .call_if_match(
            "POST",
            &path("assembly"),
            &dpo,
            &released.body["version"],
            json!({}),
        )
        .await;
    again.problem(409);
}

#[derive(QueryableByName, Debug)]
struct Mail {
    #[diesel(sql_type = Text)]
    event: String,
    #[diesel(sql_type = Text)]
    recipient: String,
}

async fn deadline_mail(app: &TestApp) -> Vec<Mail> {
    let mut su = app.superuser().await;
    diesel::sql_query(
        "SELECT event, recipient FROM outbox WHERE event LIKE 'subject_access%' ORDER BY event",
    )
    .load(&mut su)
    .await
    .unwrap()
}

#[actix_rt::test]
async fn the_deadline_is_extended_within_three_months_and_officers_are_warned_once() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let (dpo, _) = app.login(demo_user("dpo")).await;
    let p = person(&app, &mfhc, "Casey", "Deadline", &[]).await;
    let today = Utc::now().date_naive();
    // One received 26 days ago (due within the week), one 40 days ago (overdue).
    let soon = create(
        &app,
        &dpo,
        json!({ "person_ids": [p["id"]], "requester": "Casey",
        "reason": "Own records", "received_on": today - Duration::days(26) }),
    )
    .await;
    assert_eq!(soon.status, 201, "{}", soon.body);
    let late = create(
        &app,
        &dpo,
        json!({ "person_ids": [p["id"]], "requester": "Casey",
        "reason": "Own records", "received_on": today - Duration::days(40) }),
    )
    .await;
    assert_eq!(late.status, 201, "{}", late.body);

    let pool = homeward::db::build_pool(&app.app_url, 2).unwrap();
    let links = homeward::notify::Links::new("http://homeward.test");
    let timers = homeward::notify::scheduler::Timers {
        digest_hour: 23,
        ..Default::default()
    };
    let first = homeward::notify::scheduler::tick(&pool, &links, Utc::now(), &timers)
        .await
        .unwrap();
    assert_eq!(first.subject_access, 2, "{first:?}");
    let mail = deadline_mail(&app).await;
    let got: Vec<(&str, &str)> = mail
        .iter()
        .map(|m| (m.event.as_str(), m.recipient.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("subject_access_due", demo_user("dpo").0),
            ("subject_access_overdue", demo_user("dpo").0)
        ]
    );
    let second = homeward::notify::scheduler::tick(&pool, &links, Utc::now(), &timers)
        .await
        .unwrap();
    assert_eq!(second.subject_access, 0, "once each");

    // An extension: after the current deadline, at most three months from receipt.
    let id = soon.body["id"].as_str().unwrap();
    let path = format!("/api/v1/subject-access-requests/{id}/extension");
    let received = today - Duration::days(26);
    let too_far = received.checked_add_months(chrono::Months::new(3)).unwrap() + Duration::days(1);
    let r = app
        .call_if_match(
            "POST",
            &path,
            &dpo,
            &soon.body["version"],
            json!({ "due_on": too_far, "reason": "Complex" }),
        )
        .await;
    assert_eq!(r.problem(400)["errors"][0]["field"], "due_on", "{}", r.body);
    let ok = too_far - Duration::days(1);
    let r = app
        .call_if_match(
            "POST",
            &path,
            &dpo,
            &soon.body["version"],
            json!({ "due_on": ok, "reason": "Records held by three agencies" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["due_on"], json!(ok));
    assert_eq!(r.body["extension_reason"], "Records held by three agencies");
}

#[actix_rt::test]
async fn bad_requests_name_their_field_and_nobody_else_reads_requests() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let (dpo, _) = app.login(demo_user("dpo")).await;
    let p = person(&app, &mfhc, "Robin", "Nobody", &[]).await;
    let both = create(&app, &dpo, json!({ "person_ids": [p["id"]],
        "subject": { "name": "Robin", "date_of_birth": "2011-04-02" }, "requester": "R", "reason": "R" })).await;
    assert_eq!(both.problem(400)["errors"][0]["field"], "person_ids");
    let unknown = create(
        &app,
        &dpo,
        json!({ "person_ids": [uuid::Uuid::new_v4()], "requester": "R", "reason": "R" }),
    )
    .await;
    assert_eq!(
        unknown.problem(400)["errors"][0]["field"],
        "person_ids",
        "{}",
        unknown.body
    );
    let no_match = create(
        &app,
        &dpo,
        json!({ "subject": { "name": "Robin Nobody", "date_of_birth": "2001-01-01" },
        "requester": "R", "reason": "R" }),
    )
    .await;
    assert_eq!(
        no_match.problem(400)["errors"][0]["field"],
        "subject",
        "{}",
        no_match.body
    );
    let future = create(
        &app,
        &dpo,
        json!({ "person_ids": [p["id"]], "requester": "R", "reason": "R",
        "received_on": Utc::now().date_naive() + Duration::days(2) }),
    )
    .await;
    assert_eq!(future.problem(400)["errors"][0]["field"], "received_on");
    let blank = create(
        &app,
        &dpo,
        json!({ "person_ids": [p["id"]], "requester": " ", "reason": "" }),
    )
    .await;
    let fields: Vec<&Value> = blank.problem(400)["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["field"])
        .collect();
    assert_eq!(fields, [&json!("requester"), &json!("reason")]);

    // Created, then: administrators (who see no case content) cannot read it, nor can
    // the database's runtime role without the dpo's claims.
    let made = create(
        &app,
        &dpo,
        json!({ "person_ids": [p["id"]], "requester": "R", "reason": "R" }),
    )
    .await;
    assert_eq!(made.status, 201);
    let (admin, _) = app.login(ADMIN).await;
    let id = made.body["id"].as_str().unwrap();
    let r = app
        .call(
            "GET",
            &format!("/api/v1/subject-access-requests/{id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.status, 403);
    let mut runtime = {
        use diesel_async::AsyncConnection;
        diesel_async::AsyncPgConnection::establish(&app.app_url)
            .await
            .unwrap()
    };
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let seen: N = diesel::sql_query("SELECT count(*) AS n FROM subject_access_requests")
        .get_result(&mut runtime)
        .await
        .unwrap();
    assert_eq!(seen.n, 0);
}

#[actix_rt::test]
async fn a_description_that_fits_several_persons_names_none_until_the_officer_chooses() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let (dpo, _) = app.login(demo_user("dpo")).await;
    let a = person(&app, &mfhc, "Jo", "Major", &[]).await;
    let b = person(&app, &mfhc, "Jo", "Major", &["Joanne"]).await;
    person(&app, &mfhc, "Joseph", "Majors", &[]).await;
    let body = |name: &str| {
        json!({ "subject": { "name": name, "date_of_birth": "2011-04-02" },
                "requester": "Jo Major", "reason": "Own records" })
    };
    // Two fit: nothing is assembled, and both are named for the officer to check.
    let r = create(&app, &dpo, body("jo major")).await;
    let p = r.problem(409);
    let mut named: Vec<&Value> = p["conflicting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["id"])
        .collect();
    named.sort_by_key(|v| v.as_str().unwrap().to_owned());
    let mut want = vec![&a["id"], &b["id"]];
    want.sort_by_key(|v| v.as_str().unwrap().to_owned());
    assert_eq!(named, want, "{p}");
    // Whole words only: `jo` is not `joseph`, `major` is not `majors`; an alias is a name.
    let one = create(&app, &dpo, body("joanne major")).await;
    assert_eq!(one.status, 201, "{}", one.body);
    assert_eq!(one.body["person_ids"], json!([b["id"]]));
}

#[actix_rt::test]
async fn an_extended_deadline_is_warned_of_again() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let (dpo, _) = app.login(demo_user("dpo")).await;
    let p = person(&app, &mfhc, "Casey", "Extended", &[]).await;
    let today = Utc::now().date_naive();
    let received = today - Duration::days(27);
    let r = create(
        &app,
        &dpo,
        json!({ "person_ids": [p["id"]], "requester": "Casey",
        "reason": "Own records", "received_on": received }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let pool = homeward::db::build_pool(&app.app_url, 2).unwrap();
    let links = homeward::notify::Links::new("http://homeward.test");
    let timers = homeward::notify::scheduler::Timers {
        digest_hour: 23,
        ..Default::default()
    };
    let tick = || homeward::notify::scheduler::tick(&pool, &links, Utc::now(), &timers);
    assert_eq!(tick().await.unwrap().subject_access, 1);
    // Extended by two days, still within the week: the new deadline is warned of too.
    let due: chrono::NaiveDate = serde_json::from_value(r.body["due_on"].clone()).unwrap();
    let id = r.body["id"].as_str().unwrap();
    let ext = app
        .call_if_match(
            "POST",
            &format!("/api/v1/subject-access-requests/{id}/extension"),
            &dpo,
            &r.body["version"],
            json!({ "due_on": due + Duration::days(2), "reason": "Third parties to consult" }),
        )
        .await;
    assert_eq!(ext.status, 200, "{}", ext.body);
    assert_eq!(tick().await.unwrap().subject_access, 1);
    assert_eq!(tick().await.unwrap().subject_access, 0);
    assert_eq!(deadline_mail(&app).await.len(), 2);
}
