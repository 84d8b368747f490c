//! What emails say: each says what happened (not just that "a trigger fired"), one event
//! is one email, and every reference an email shows can be found through the API.

use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde_json::{json, Value};

use crate::episodes::{person, report_body};
use crate::helpers::{spawn_app, TestApp, ADMIN, MFHC};
use crate::role_matrix::agency;

fn s(v: &Value) -> String {
    v.as_str().expect("a string").to_owned()
}

#[derive(QueryableByName, Debug)]
struct Mail {
    #[diesel(sql_type = diesel::sql_types::Text)]
    event: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    subject: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    body_text: String,
}

async fn outbox(app: &TestApp) -> Vec<Mail> {
    let mut su = app.superuser().await;
    diesel::sql_query("SELECT event, subject, body_text FROM outbox ORDER BY created_at, id")
        .load(&mut su)
        .await
        .unwrap()
}

/// Every short reference (`TRG-7C842753`) and episode reference (`LDS-2026-000123`) in
/// `text`.
fn references(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for i in 0..b.len() {
        let at = |j: usize, f: fn(u8) -> bool| b.get(i + j).copied().is_some_and(f);
        let upper = |c: u8| c.is_ascii_uppercase();
        let digit = |c: u8| c.is_ascii_digit();
        let hex = |c: u8| c.is_ascii_digit() || (b'A'..=b'F').contains(&c);
        let starts = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if !starts || !(0..3).all(|j| at(j, upper)) || !at(3, |c| c == b'-') {
            continue;
        }
        if (4..12).all(|j| at(j, hex)) && !at(12, |c| c.is_ascii_alphanumeric()) {
            out.push(text[i..i + 12].to_owned());
        } else if (4..8).all(|j| at(j, digit))
            && at(8, |c| c == b'-')
            && (9..15).all(|j| at(j, digit))
        {
            out.push(text[i..i + 15].to_owned());
        }
    }
    out
}

/// The one record a reference names, found through its list's `reference` filter.
async fn find(app: &TestApp, admin: &str, mfhc: &str, reference: &str) -> Value {
    let (path, token) = match &reference[..4] {
        "TRG-" => ("/api/v1/triggers", mfhc),
        "ACT-" => ("/api/v1/actions", mfhc),
        "REF-" => ("/api/v1/referrals", mfhc),
        "MSG-" => ("/api/v1/notifications", admin),
        _ => ("/api/v1/episodes", mfhc),
    };
    let r = app
        .call(
            "GET",
            &format!("{path}?reference={reference}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{reference}: {}", r.body);
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{reference} names one record: {}", r.body);
    assert_eq!(items[0]["reference"], json!(reference));
    items[0].clone()
}

#[actix_rt::test]
async fn emails_say_what_happened_once_and_every_reference_they_show_is_findable() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let csc = agency(&app, &admin, "Leeds Children's Social Care").await;

    // A child reported missing for the first time, graded high by the MFHC.
    let p = person(&app, &mfhc, "Nia", "Emails", &[]).await;
    let mut body = report_body(&p["id"], 30);
    body["risk"]["level"] = json!("high");
    let e = app
        .call("POST", "/api/v1/episodes", Some(&mfhc), Some(body))
        .await;
    assert_eq!(e.status, 201, "{}", e.body);
    let mails = outbox(&app).await;
    let high: Vec<&Mail> = mails
        .iter()
        .filter(|m| m.event == "high_risk_episode")
        .collect();
    assert_eq!(
        high.len(),
        1,
        "one high grading, one high-risk email: {mails:?}"
    );
    let fired: Vec<&Mail> = mails
        .iter()
        .filter(|m| m.event == "trigger_fired")
        .collect();
    assert_eq!(
        fired.len(),
        1,
        "the first-time trigger only: the high-risk one is in the high-risk email: {mails:?}"
    );
    assert!(
        fired[0]
            .subject
            .contains("A child has been reported missing for the first time"),
        "{}",
        fired[0].subject
    );
    assert!(!fired[0]
        .subject
        .contains("A repeat-missing trigger has fired"));
    let triggers = app
        .call(
            "GET",
            &format!("/api/v1/triggers?person_id={}&kind=high_risk", s(&p["id"])),
            Some(&mfhc),
            None,
        )
        .await;
    let high_trigger = triggers.body["items"][0].clone();
    let trg = s(&high_trigger["reference"]);
    assert!(
        high[0].body_text.contains(&trg),
        "the high-risk email names the trigger the grading raised: {}",
        high[0].body_text
    );
    assert!(high[0]
        .body_text
        .contains("a supervisor must confirm the grading"));

    // Returned, then missing again within days: sudden multiple, said as such.
    crate::episodes::returned(&app, &mfhc, &e.body).await;
    let again = app
        .call(
            "POST",
            "/api/v1/episodes",
            Some(&mfhc),
            Some(report_body(&p["id"], 2)),
        )
        .await;
    assert_eq!(again.status, 201, "{}", again.body);
    let mails = outbox(&app).await;
    assert!(
        mails.iter().any(|m| m.event == "trigger_fired"
            && m.subject
                .contains("Sudden multiple missing: 2 episodes within 7 days")),
        "{mails:?}"
    );

    // Shared with an agency, an action assigned: "an episode", with references.
    let sh = app
        .call("POST", "/api/v1/shares", Some(&mfhc), Some(json!({
            "record_type": "episode", "record_id": e.body["id"], "agency_id": csc, "parts": ["summary"],
            "purpose": "Safeguarding", "lawful_basis": "DPA 2018 s.35" })))
        .await;
    assert_eq!(sh.status, 201, "{}", sh.body);
    let act = app
        .call(
            "POST",
            "/api/v1/actions",
            Some(&mfhc),
            Some(json!({
            "episode_id": e.body["id"], "owner_agency_id": csc, "description": "Strategy meeting",
            "due_on": (chrono::Utc::now().date_naive() + chrono::Duration::days(5)).to_string() })),
        )
        .await;
    assert_eq!(act.status, 201, "{}", act.body);
    let mails = outbox(&app).await;
    let shared = mails.iter().find(|m| m.event == "record_shared").unwrap();
    assert!(
        shared.body_text.contains("an episode has been shared"),
        "{}",
        shared.body_text
    );
    for m in &mails {
        assert!(!m.body_text.contains(" a episode"), "{}", m.body_text);
    }

    // Every reference any email shows is found through the API, as that record.
    let mut seen = std::collections::BTreeSet::new();
    for m in &mails {
        for r in references(&format!("{} {}", m.subject, m.body_text)) {
            seen.insert(r);
        }
    }
    assert!(seen.contains(&trg), "{seen:?}");
    assert!(seen.contains(&s(&act.body["reference"])), "{seen:?}");
    assert!(seen.contains(&s(&e.body["reference"])), "{seen:?}");
    for r in &seen {
        let record = find(&app, &admin, &mfhc, r).await;
        if r == &trg {
            assert_eq!(record["id"], high_trigger["id"]);
        }
        if r == &s(&act.body["reference"]) {
            assert_eq!(record["id"], act.body["id"]);
        }
    }

    // A malformed reference is a clear 400 naming the field.
    let bad = app
        .call(
            "GET",
            "/api/v1/triggers?reference=TRG-XYZ",
            Some(&mfhc),
            None,
        )
        .await;
    assert_eq!(bad.problem(400)["errors"][0]["field"], "reference");
    let bad = app
        .call(
            "GET",
            "/api/v1/episodes?reference=nonsense",
            Some(&mfhc),
            None,
        )
        .await;
    assert_eq!(bad.problem(400)["errors"][0]["field"], "reference");
}

#[test]
fn references_are_picked_out_of_text() {
    assert_eq!(
        references("Reference: TRG-7C842753, see LDS-2026-000123 and ACT-ED58971A."),
        ["TRG-7C842753", "LDS-2026-000123", "ACT-ED58971A"]
    );
    assert!(references("XTRG-7C842753 TRG-7C84275 ABC-12").is_empty());
}
