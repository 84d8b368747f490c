//! MoPI review and retention: who is due for review under the force's policy, and the
//! decision to retain with its reason and next review.

use chrono::{Duration, Months, Utc};
use diesel_async::SimpleAsyncConnection;
use serde_json::{json, Value};

use crate::episodes::{person, report_body};
use crate::helpers::{demo_user, spawn_app, TestApp, ADMIN, MFHC};

async fn due(app: &TestApp, dpo: &str, query: &str) -> Vec<Value> {
    let r = app
        .call(
            "GET",
            &format!("/api/v1/retention/reviews?{query}"),
            Some(dpo),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

fn ids(items: &[Value]) -> Vec<&Value> {
    items.iter().map(|i| &i["person_id"]).collect()
}

#[actix_rt::test]
async fn records_come_due_six_years_after_the_last_activity_or_ten_with_a_public_protection_marker()
{
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let (dpo, _) = app.login(demo_user("dpo")).await;
    let quiet = person(&app, &mfhc, "Quinn", "Quiet", &[]).await;
    let marked = person(&app, &mfhc, "Morgan", "Marked", &[]).await;
    let open = person(&app, &mfhc, "Olly", "Open", &[]).await;
    let m = app
        .call(
            "POST",
            &format!("/api/v1/persons/{}/markers", marked["id"].as_str().unwrap()),
            Some(&mfhc),
            Some(json!({ "kind": "cce_risk", "source": "YJS", "review_on": "2030-01-01" })),
        )
        .await;
    assert_eq!(m.status, 201, "{}", m.body);
    let e = app
        .call(
            "POST",
            "/api/v1/episodes",
            Some(&mfhc),
            Some(report_body(&open["id"], 2)),
        )
        .await;
    assert_eq!(e.status, 201, "{}", e.body);
    // Their records were made seven years ago (as a migration from an older system would).
    let mut su = app.superuser().await;
    su.batch_execute(&format!(
        "UPDATE persons SET created_at = now() - interval '7 years' WHERE id IN ('{}', '{}', '{}')",
        quiet["id"].as_str().unwrap(),
        marked["id"].as_str().unwrap(),
        open["id"].as_str().unwrap()
    ))
    .await
    .unwrap();

    let today = Utc::now().date_naive();
    let now_due = due(&app, &dpo, "limit=200").await;
    // Six years on, the quiet record is due; the marked one waits for ten; the open one is
    // in use.
    assert!(ids(&now_due).contains(&&quiet["id"]), "{now_due:?}");
    assert!(!ids(&now_due).contains(&&marked["id"]), "{now_due:?}");
    assert!(!ids(&now_due).contains(&&open["id"]), "{now_due:?}");
    let q = now_due
        .iter()
        .find(|i| i["person_id"] == quiet["id"])
        .unwrap();
    assert_eq!(q["given_name"], "Quinn");
    assert_eq!(q["public_protection"], false);
    let within_four = (today + Months::new(48)).to_string();
    let later = due(&app, &dpo, &format!("due_before={within_four}&limit=200")).await;
    let mk = later
        .iter()
        .find(|i| i["person_id"] == marked["id"])
        .unwrap_or_else(|| panic!("{later:?}"));
    assert_eq!(mk["public_protection"], true);
    let expected = (today - Months::new(84))
        .checked_add_months(Months::new(120))
        .unwrap();
    let got: chrono::NaiveDate = serde_json::from_value(mk["next_review_on"].clone()).unwrap();
    assert!(
        (got - expected).num_days().abs() <= 1,
        "{got} vs {expected}"
    );

    // Reading the list is a consultation of each person on it.
    let (admin, _) = app.login(ADMIN).await;
    let log = app
        .call(
            "GET",
            &format!(
                "/api/v1/audit?record_id={}&operation=consultation",
                quiet["id"].as_str().unwrap()
            ),
            Some(&admin),
            None,
        )
        .await;
    assert!(
        log.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor_role"] == "dpo"),
        "{}",
        log.body
    );
}

#[actix_rt::test]
async fn a_decision_to_retain_sets_the_next_review_and_is_kept() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let (dpo, _) = app.login(demo_user("dpo")).await;
    let p = person(&app, &mfhc, "Riley", "Retained", &[]).await;
    let open = person(&app, &mfhc, "Sam", "Still", &[]).await;
    app.call(
        "POST",
        "/api/v1/episodes",
        Some(&mfhc),
        Some(report_body(&open["id"], 2)),
    )
    .await;
    let id = p["id"].as_str().unwrap();
    let path = format!("/api/v1/retention/reviews/{id}/retain");
    let next = Utc::now().date_naive() + Duration::days(3 * 365);

    // What a decision must say.
    for (body, field) in [
        (json!({ "reason": "other", "next_review_on": next }), "note"),
        (
            json!({ "reason": "no_policing_purpose", "next_review_on": next }),
            "reason",
        ),
        (
            json!({ "reason": "legal_hold", "next_review_on": Utc::now().date_naive() }),
            "next_review_on",
        ),
    ] {
        let r = app.call("POST", &path, Some(&dpo), Some(body)).await;
        assert_eq!(r.problem(400)["errors"][0]["field"], field, "{}", r.body);
    }
    let bad_reason = app
        .call(
            "POST",
            &path,
            Some(&dpo),
            Some(json!({ "reason": "because", "next_review_on": next })),
        )
        .await;
    bad_reason.problem(400);

    let r = app
        .call(
            "POST",
            &path,
            Some(&dpo),
            Some(json!({ "reason": "pattern_of_behaviour",
            "note": "Repeat missing with CCE concerns", "next_review_on": next })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["review"]["next_review_on"], json!(next));
    assert_eq!(r.body["review"]["last_decision"], "retain");
    assert_eq!(r.body["decisions"][0]["reason"], "pattern_of_behaviour");
    let read = app
        .call(
            "GET",
            &format!("/api/v1/retention/reviews/{id}"),
            Some(&dpo),
            None,
        )
        .await;
    assert_eq!(read.body["decisions"].as_array().unwrap().len(), 1);

    // A record in use is not under review; an unknown person is not found.
    let in_use = app
        .call(
            "POST",
            &format!(
                "/api/v1/retention/reviews/{}/retain",
                open["id"].as_str().unwrap()
            ),
            Some(&dpo),
            Some(json!({ "reason": "legal_hold", "next_review_on": next })),
        )
        .await;
    in_use.problem(409);
    let nobody = app
        .call(
            "POST",
            &format!("/api/v1/retention/reviews/{}/retain", uuid::Uuid::new_v4()),
            Some(&dpo),
            Some(json!({ "reason": "legal_hold", "next_review_on": next })),
        )
        .await;
    nobody.problem(404);

    // Audited; and nobody but a data protection officer reads or writes decisions.
    let (admin, _) = app.login(ADMIN).await;
    let log = app
        .call(
            "GET",
            "/api/v1/audit?record_type=retention_decision",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        log.body["items"].as_array().unwrap().len(),
        1,
        "{}",
        log.body
    );
    let r = app
        .call(
            "GET",
            &format!("/api/v1/retention/reviews/{id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.status, 403);
}
