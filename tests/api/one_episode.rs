//! One disappearance is one episode: a second report while the person is missing, a
//! back-dated report overlapping an earlier episode, and a merge that would leave
//! overlapping open episodes are refused, naming the episode to update instead; the
//! database refuses a second open episode whatever the SQL.

use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde_json::{json, Value};

use crate::episodes::{person, report, report_reply, report_returned, returned, BRADFORD_MFHC};
use crate::helpers::{spawn_app, TestApp, MFHC};

fn s(v: &Value) -> String {
    v.as_str().expect("a string").to_owned()
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

async fn episodes_of(app: &TestApp, person: &Value) -> i64 {
    let mut su = app.superuser().await;
    diesel::sql_query(format!(
        "SELECT count(*) AS n FROM episodes WHERE person_id = '{}'",
        s(&person["id"])
    ))
    .get_result::<Count>(&mut su)
    .await
    .unwrap()
    .n
}

#[actix_rt::test]
async fn a_report_while_the_person_is_missing_elsewhere_names_the_open_episode() {
    let app = spawn_app().await;
    let (leeds, _) = app.login(MFHC).await;
    let (bradford, _) = app.login(BRADFORD_MFHC).await;
    let p = person(&app, &leeds, "Orla", "Open", &[]).await;
    let open = report(&app, &bradford, &p["id"], 5).await;

    // Leeds cannot read Bradford's episode, but is told which one to ask about.
    let second = report_reply(&app, &leeds, &p["id"], 1).await;
    let problem = second.problem(409);
    assert_eq!(problem["conflicting"][0]["id"], open["id"], "{problem}");
    assert_eq!(problem["conflicting"][0]["reference"], open["reference"]);
    assert_eq!(problem["conflicting"][0]["status"], "reported");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains(&s(&open["reference"])),
        "{problem}"
    );
    assert_eq!(episodes_of(&app, &p).await, 1, "nothing was stored");

    // Once returned, the person may go missing again.
    returned(&app, &bradford, &open).await;
    let again = report_reply(&app, &leeds, &p["id"], 1).await;
    assert_eq!(again.status, 201, "{}", again.body);
}

#[actix_rt::test]
async fn a_back_dated_report_overlapping_an_earlier_episode_is_refused() {
    let app = spawn_app().await;
    let (t, _) = app.login(MFHC).await;
    let p = person(&app, &t, "Bea", "Backdated", &[]).await;
    // Reported 10 hours ago (last seen 12 hours ago), back half an hour later.
    let past = report_returned(&app, &t, &p["id"], 10).await;
    // Last seen 11 hours ago: before that return.
    let overlapping = report_reply(&app, &t, &p["id"], 9).await;
    let problem = overlapping.problem(409);
    assert_eq!(problem["conflicting"][0]["id"], past["id"], "{problem}");
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("last seen before the return"));
    assert_eq!(episodes_of(&app, &p).await, 1);
    // Last seen after the return: a new disappearance.
    let after = report_reply(&app, &t, &p["id"], 1).await;
    assert_eq!(after.status, 201, "{}", after.body);
}

#[actix_rt::test]
async fn a_cancelled_episode_never_blocks_a_report() {
    let app = spawn_app().await;
    let (t, _) = app.login(MFHC).await;
    let p = person(&app, &t, "Cal", "Cancelled", &[]).await;
    let e = report(&app, &t, &p["id"], 3).await;
    let c = app
        .call_if_match(
            "POST",
            &format!("/api/v1/episodes/{}/status", s(&e["id"])),
            &t,
            &e["version"],
            json!({ "status": "cancelled", "reason": "Was at a friend's, known to the carer" }),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    let again = report_reply(&app, &t, &p["id"], 1).await;
    assert_eq!(again.status, 201, "{}", again.body);
}

#[actix_rt::test]
async fn merges_that_would_leave_overlapping_open_episodes_are_refused() {
    let app = spawn_app().await;
    let (t, _) = app.login(MFHC).await;
    let keep = person(&app, &t, "Dee", "Merge", &[]).await;
    let dup = person(&app, &t, "Dee", "Merj", &[]).await;
    let open_keep = report(&app, &t, &keep["id"], 2).await;
    let open_dup = report(&app, &t, &dup["id"], 3).await;
    let merges = format!("/api/v1/persons/{}/merges", s(&keep["id"]));
    let body = json!({ "duplicate_id": dup["id"], "reason": "Same child" });
    let refused = app
        .call_if_match("POST", &merges, &t, &keep["version"], body.clone())
        .await;
    let problem = refused.problem(409);
    let named: Vec<&Value> = problem["conflicting"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert!(
        named.contains(&&open_keep["id"]) && named.contains(&&open_dup["id"]),
        "{problem}"
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("overlapping"),
        "{problem}"
    );
    assert_eq!(episodes_of(&app, &dup).await, 1, "nothing moved");

    // With the duplicate's episode returned before the survivor's began, it may merge.
    let dup2 = person(&app, &t, "Dee", "Mergg", &[]).await;
    let earlier = report_returned(&app, &t, &dup2["id"], 30).await;
    let ok = app
        .call_if_match(
            "POST",
            &merges,
            &t,
            &keep["version"],
            json!({ "duplicate_id": dup2["id"], "reason": "Same child" }),
        )
        .await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    assert_eq!(episodes_of(&app, &keep).await, 2);
    let _ = earlier;
}

#[actix_rt::test]
async fn the_database_refuses_a_second_open_episode_whatever_the_sql() {
    let app = spawn_app().await;
    let (t, _) = app.login(MFHC).await;
    let p = person(&app, &t, "Eli", "Backstop", &[]).await;
    let e = report(&app, &t, &p["id"], 2).await;
    let mut su = app.superuser().await;
    let err = diesel_async::SimpleAsyncConnection::batch_execute(
        &mut su,
        &format!(
            "INSERT INTO episodes (id, reference, person_id, district_id, status, reported_at, reported_by,
                                   last_seen_at, last_seen_location, missing_from, risk_level, created_by)
             SELECT gen_random_uuid(), 'LDS-2026-999999', person_id, district_id, 'reported', now(),
                    'parent', now(), 'x', 'home', 'low', created_by FROM episodes WHERE id = '{}'",
            s(&e["id"])
        ),
    )
    .await
    .expect_err("a second open episode must be refused");
    assert!(
        err.to_string()
            .contains("already has an open missing episode"),
        "{err}"
    );
}
