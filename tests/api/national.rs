//! The national clocks: every open episode's UKMPU (72 hours) and PNC (48 hours)
//! deadlines, recording each, the due and overdue worklists, and one alert to the
//! district's MFHCs and supervisors when one becomes overdue.

use chrono::{Duration, Utc};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde_json::{json, Value};

use crate::episodes::{person, report, report_returned, SUPERVISOR};
use crate::helpers::{spawn_app, TestApp, MFHC};

fn s(v: &Value) -> String {
    v.as_str().expect("a string").to_owned()
}

fn time(v: &Value) -> chrono::DateTime<Utc> {
    s(v).parse().unwrap()
}

async fn ids(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let r = app
        .call(
            "GET",
            &format!("/api/v1/episodes?{query}"),
            Some(token),
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
async fn each_open_episode_has_both_deadlines_and_the_worklists_follow_them() {
    let app = spawn_app().await;
    let (t, _) = app.login(MFHC).await;
    let me = app.call("GET", "/api/v1/me", Some(&t), None).await.body["id"].clone();
    let p = person(&app, &t, "Nat", "Clocks", &[]).await;
    let q = person(&app, &t, "New", "Report", &[]).await;
    let old = report(&app, &t, &p["id"], 50).await;
    let new = report(&app, &t, &q["id"], 1).await;

    let n = &old["national_notifications"];
    assert_eq!(
        time(&n["pnc"]["due_at"]),
        time(&old["reported_at"]) + Duration::hours(48)
    );
    assert_eq!(n["pnc"]["state"], "overdue", "{n}");
    assert_eq!(
        time(&n["ukmpu"]["due_at"]),
        time(&old["reported_at"]) + Duration::hours(72)
    );
    assert_eq!(n["ukmpu"]["state"], "pending");
    assert_eq!(new["national_notifications"]["pnc"]["state"], "pending");

    assert_eq!(ids(&app, &t, "pnc=overdue").await, [old["id"].clone()]);
    let due = ids(&app, &t, "pnc=due").await;
    assert!(
        due.contains(&old["id"]) && due.contains(&new["id"]),
        "{due:?}"
    );
    assert!(ids(&app, &t, "ukmpu=overdue").await.is_empty());
    assert_eq!(ids(&app, &t, "ukmpu=due").await.len(), 2);
    app.call("GET", "/api/v1/episodes?pnc=late", Some(&t), None)
        .await
        .problem(400);

    // Recorded on the PNC: done, by whom, with its reference; off the worklists.
    let path = format!("/api/v1/episodes/{}/national-notifications", s(&old["id"]));
    let done_at = Utc::now() - Duration::hours(1);
    let body =
        json!({ "kind": "pnc", "done_at": done_at.to_rfc3339(), "reference": "PNC 26/123456X" });
    let r = app
        .call_if_match("POST", &path, &t, &old["version"], body.clone())
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let pnc = &r.body["national_notifications"]["pnc"];
    assert_eq!(pnc["state"], "done");
    assert_eq!(pnc["done_by"], me);
    assert_eq!(pnc["reference"], "PNC 26/123456X");
    assert_eq!(time(&pnc["done_at"]).timestamp(), done_at.timestamp());
    assert_eq!(
        r.body["national_notifications"]["ukmpu"]["state"],
        "pending"
    );
    assert!(ids(&app, &t, "pnc=overdue").await.is_empty());
    assert_eq!(ids(&app, &t, "pnc=due").await, [new["id"].clone()]);

    // Once only; never before the report; never stale.
    let again = app
        .call_if_match("POST", &path, &t, &r.body["version"], body.clone())
        .await;
    assert!(again.problem(409)["detail"]
        .as_str()
        .unwrap()
        .contains("already recorded"));
    let early = json!({ "kind": "ukmpu", "done_at": (Utc::now() - Duration::hours(60)).to_rfc3339(),
                        "reference": "UKMPU-1" });
    let r2 = app
        .call_if_match("POST", &path, &t, &r.body["version"], early)
        .await;
    assert_eq!(r2.problem(400)["errors"][0]["field"], "done_at");
    let stale =
        json!({ "kind": "ukmpu", "done_at": Utc::now().to_rfc3339(), "reference": "UKMPU-1" });
    app.call_if_match("POST", &path, &t, &old["version"], stale)
        .await
        .problem(412);
    let blank = json!({ "kind": "ukmpu", "done_at": Utc::now().to_rfc3339(), "reference": " " });
    let r3 = app
        .call_if_match("POST", &path, &t, &r.body["version"], blank)
        .await;
    assert_eq!(r3.problem(400)["errors"][0]["field"], "reference");
    let got = app
        .call(
            "GET",
            &format!("/api/v1/episodes/{}", s(&old["id"])),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(
        got.body["national_notifications"]["pnc"]["reference"],
        "PNC 26/123456X"
    );
    assert!(got.body["national_notifications"]["ukmpu"]["done_at"].is_null());
}

#[derive(QueryableByName, Debug)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Text)]
    recipient: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    event_key: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    body_text: String,
}

async fn overdue_mail(app: &TestApp) -> Vec<Row> {
    let mut su = app.superuser().await;
    diesel::sql_query(
        "SELECT recipient, event_key, body_text FROM outbox \
          WHERE event = 'national_notification_overdue' ORDER BY event_key, recipient",
    )
    .load(&mut su)
    .await
    .unwrap()
}

#[actix_rt::test]
async fn an_overdue_clock_alerts_the_districts_mfhcs_and_supervisors_once() {
    let app = spawn_app().await;
    let (t, _) = app.login(MFHC).await;
    let (sup, _) = app.login(SUPERVISOR).await;
    let p = person(&app, &t, "Still", "Missing", &[]).await;
    let q = person(&app, &t, "Back", "Home", &[]).await;
    let missing = report(&app, &t, &p["id"], 73).await;
    // Found before the clocks ran out: nothing is owed.
    report_returned(&app, &t, &q["id"], 80).await;
    // UKMPU notified already: only the PNC record is overdue for this one.
    let r = person(&app, &t, "Half", "Done", &[]).await;
    let half = report(&app, &t, &r["id"], 75).await;
    let done = app
        .call_if_match(
            "POST",
            &format!("/api/v1/episodes/{}/national-notifications", s(&half["id"])),
            &sup,
            &half["version"],
            json!({ "kind": "ukmpu", "done_at": Utc::now().to_rfc3339(), "reference": "UKMPU 2026/77" }),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);

    let pool = homeward::db::build_pool(&app.app_url, 2).unwrap();
    let links = homeward::notify::Links::new("http://homeward.test");
    let policy = homeward::domain::national::NationalPolicy::default();
    let first = homeward::notify::scheduler::tick(
        &pool,
        &links,
        Utc::now(),
        &homeward::notify::scheduler::Timers {
            digest_hour: 23,
            national: policy,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // Two clocks of one episode and one of another, each to the MFHC and the supervisor.
    assert_eq!(first.national_overdue, 6, "{first:?}");
    let mail = overdue_mail(&app).await;
    let keys: Vec<(&str, &str)> = mail
        .iter()
        .map(|m| (m.event_key.as_str(), m.recipient.as_str()))
        .collect();
    let (m, h) = (s(&missing["id"]), s(&half["id"]));
    let mut expected = Vec::new();
    for key in [
        format!("national_overdue:pnc:{h}"),
        format!("national_overdue:pnc:{m}"),
        format!("national_overdue:ukmpu:{m}"),
    ] {
        for who in [
            "mfhc.leeds@demo.homeward.invalid",
            "supervisor.leeds@demo.homeward.invalid",
        ] {
            expected.push((key.clone(), who.to_owned()));
        }
    }
    expected.sort();
    let expected: Vec<(&str, &str)> = expected
        .iter()
        .map(|(k, w)| (k.as_str(), w.as_str()))
        .collect();
    assert_eq!(keys, expected);
    assert!(mail.iter().all(|m| m.body_text.contains("Homeward")));
    assert!(mail
        .iter()
        .any(|m| m.body_text.contains("UK Missing Persons Unit")
            && m.body_text.contains(&s(&missing["reference"]))));

    // Once: the next tick (and the one after) sends nothing more.
    for _ in 0..2 {
        let again = homeward::notify::scheduler::tick(
            &pool,
            &links,
            Utc::now(),
            &homeward::notify::scheduler::Timers {
                digest_hour: 23,
                national: policy,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(again.national_overdue, 0);
    }
    assert_eq!(overdue_mail(&app).await.len(), 6);
}
