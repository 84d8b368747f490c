//! The journeys, in a real browser (headless Chromium through WebDriver), against the
//! real service and its real SMTP test server: from the link an email carries to the
//! change, then checked through the API. axe-core runs in every page visited.

use serde_json::{json, Value};

use crate::helpers::{demo_user, spawn_web_app, TestApp, ADMIN, MFHC};
use crate::notifications::{drain, mailer, options};
use crate::role_matrix::agency;
use crate::smtp_sink::SmtpSink;
use crate::web::{action_for_user, CSC_LEEDS};
use crate::webdriver::{Browser, ENTER, SPACE};

/// The text of an SMTP message's body with quoted-printable soft breaks undone.
fn plain(data: &str) -> String {
    data.replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=")
}

/// Delivers the outbox through the SMTP test server and returns the link of the one
/// email to `to` about `reference`.
async fn emailed_link(app: &TestApp, to: &str, reference: &str) -> String {
    let sink = SmtpSink::start().await;
    let pool = homeward::db::build_pool(&app.app_url, 2).unwrap();
    drain(&pool, &mailer(&sink), &options("browser", 3)).await;
    let mail: Vec<String> = sink
        .received()
        .into_iter()
        .filter(|m| m.to.iter().any(|t| t == to))
        .map(|m| plain(&m.data))
        .filter(|d| d.contains(reference))
        .collect();
    assert_eq!(mail.len(), 1, "one email to {to} about {reference}");
    let at = mail[0].find("Open it in Homeward: ").expect("a link") + 21;
    let link = mail[0][at..].split_whitespace().next().unwrap().to_owned();
    assert!(
        link.starts_with(&app.address),
        "{link} is this service's page"
    );
    link
}

struct Partner {
    app: TestApp,
    mfhc: String,
    action: Value,
    link: String,
}

/// An action assigned to the demo partner (Leeds children's social care), emailed.
async fn partner_action() -> Partner {
    let app = spawn_web_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let (partner, _) = app.login(demo_user("partner")).await;
    let me = app.call("GET", "/api/v1/me", Some(&partner), None).await;
    let csc = agency(&app, &admin, CSC_LEEDS).await;
    let action = action_for_user(&app, &mfhc, &csc, Some(&me.body["id"]), "Journey").await;
    let link = emailed_link(
        &app,
        demo_user("partner").0,
        action["reference"].as_str().unwrap(),
    )
    .await;
    assert_eq!(
        link,
        format!("{}/actions/{}", app.address, action["id"].as_str().unwrap())
    );
    Partner {
        app,
        mfhc,
        action,
        link,
    }
}

async fn stored_action(p: &Partner) -> Value {
    let r = p
        .app
        .call(
            "GET",
            &format!("/api/v1/actions/{}", p.action["id"].as_str().unwrap()),
            Some(&p.mfhc),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

#[actix_rt::test]
async fn partner_follows_the_emailed_link_signs_in_and_completes_the_action() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let p = partner_action().await;
    b.goto(&p.link).await;
    assert!(b.url().await.contains("/sign-in?next=%2Factions%2F"));
    b.check("sign-in").await;
    b.fill("#email", demo_user("partner").0).await;
    b.fill("#password", demo_user("partner").1).await;
    b.click_and_load("button[type=submit]").await;
    assert_eq!(
        b.url().await,
        p.link,
        "back at the emailed page after sign-in"
    );
    assert!(b
        .text("h1")
        .await
        .contains(p.action["reference"].as_str().unwrap()));
    b.check("partner-action").await;

    b.click("#status-in_progress").await;
    b.click_and_load("form[action^='/actions/'] button[type=submit]")
        .await;
    assert!(b.text(".govuk-notification-banner").await.contains("saved"));
    assert_eq!(stored_action(&p).await["status"], "in_progress");

    // Done without an outcome: a specific error, nothing saved.
    b.click("#status-done").await;
    b.click_and_load("form[action^='/actions/'] button[type=submit]")
        .await;
    assert!(b
        .text(".govuk-error-summary")
        .await
        .contains("Enter the outcome"));
    b.check("partner-action-error").await;
    assert_eq!(stored_action(&p).await["status"], "in_progress");
    b.click("#status-done").await;
    b.fill(
        "#outcome",
        "Visited at home; safety plan agreed with the family.",
    )
    .await;
    b.click_and_load("form[action^='/actions/'] button[type=submit]")
        .await;
    assert!(b.text(".govuk-notification-banner").await.contains("saved"));
    b.check("partner-action-done").await;
    let stored = stored_action(&p).await;
    assert_eq!(stored["status"], "done");
    assert_eq!(
        stored["outcome"],
        "Visited at home; safety plan agreed with the family."
    );

    // The worklist no longer shows it as unfinished.
    b.goto(&format!("{}/actions", p.app.address)).await;
    b.check("partner-actions").await;
    assert_eq!(
        b.count(&format!(
            "a[href='/actions/{}']",
            p.action["id"].as_str().unwrap()
        ))
        .await,
        0
    );
    b.quit();
}

#[actix_rt::test]
async fn partner_completes_the_action_by_keyboard_alone() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let p = partner_action().await;
    b.goto(&p.link).await;
    b.tab_to("#email").await;
    b.keys(demo_user("partner").0).await;
    b.tab_to("#password").await;
    b.keys(demo_user("partner").1).await;
    b.keys_and_load(ENTER).await;
    assert_eq!(b.url().await, p.link);

    b.tab_to("#status-in_progress").await;
    b.keys(SPACE).await;
    b.tab_to("form[action^='/actions/'] button[type=submit]")
        .await;
    b.keys_and_load(ENTER).await;
    assert_eq!(stored_action(&p).await["status"], "in_progress");

    b.tab_to("#status-done").await;
    b.keys(SPACE).await;
    b.tab_to("#outcome").await;
    b.keys("Seen at school; referred to the youth service.")
        .await;
    b.tab_to("form[action^='/actions/'] button[type=submit]")
        .await;
    b.keys_and_load(ENTER).await;
    let stored = stored_action(&p).await;
    assert_eq!(stored["status"], "done");
    assert_eq!(
        stored["outcome"],
        "Seen at school; referred to the youth service."
    );
    b.quit();
}

#[actix_rt::test]
async fn a_stale_edit_shows_what_changed_and_keeps_what_was_typed() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let p = partner_action().await;
    b.goto(&p.link).await;
    sign_in_here(&b, demo_user("partner")).await;
    // Someone else starts the action while this page is open.
    let (other, _) = p.app.login(demo_user("partner")).await;
    let current = stored_action(&p).await;
    let r = p
        .app
        .call_if_match(
            "PATCH",
            &format!("/api/v1/actions/{}", p.action["id"].as_str().unwrap()),
            &other,
            &current["version"],
            json!({ "status": "in_progress" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    b.click("#status-done").await;
    b.fill("#outcome", "Typed before the other change").await;
    b.click_and_load("form[action^='/actions/'] button[type=submit]")
        .await;
    let banner = b.text(".govuk-notification-banner").await;
    assert!(
        banner.contains("Someone else changed this action"),
        "{banner}"
    );
    assert!(banner.contains("in progress"), "{banner}");
    let typed = b
        .script(
            "return document.querySelector('#outcome').value;",
            json!([]),
        )
        .await;
    assert_eq!(typed, "Typed before the other change");
    b.check("partner-action-conflict").await;
    assert_eq!(stored_action(&p).await["status"], "in_progress");
    // Saving again now applies it.
    b.click("#status-done").await;
    b.click_and_load("form[action^='/actions/'] button[type=submit]")
        .await;
    assert_eq!(stored_action(&p).await["status"], "done");
    b.quit();
}

/// Signs in on the sign-in page the browser is at (by mouse), and waits for the page.
async fn sign_in_here(b: &Browser, (email, password): (&str, &str)) {
    assert!(b.url().await.contains("/sign-in"), "{}", b.url().await);
    b.fill("#email", email).await;
    b.fill("#password", password).await;
    b.click_and_load("button[type=submit]").await;
}

async fn episode_json(app: &TestApp, token: &str, id: &str) -> Value {
    let r = app
        .call("GET", &format!("/api/v1/episodes/{id}"), Some(token), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

#[actix_rt::test]
async fn supervisor_confirms_high_risk_officer_records_the_return_supervisor_closes() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_web_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let p = crate::episodes::person(&app, &mfhc, "Rowan", "Highfield", &[]).await;
    let mut body = crate::episodes::report_body(&p["id"], 1);
    body["risk"]["level"] = json!("high");
    let e = app
        .call("POST", "/api/v1/episodes", Some(&mfhc), Some(body))
        .await;
    assert_eq!(e.status, 201, "{}", e.body);
    let id = e.body["id"].as_str().unwrap().to_owned();
    let reference = e.body["reference"].as_str().unwrap().to_owned();

    // The supervisor's worklist shows it awaiting confirmation, with its count.
    b.goto(&format!("{}/worklist", app.address)).await;
    sign_in_here(&b, demo_user("supervisor")).await;
    assert!(b.url().await.ends_with("/worklist"));
    b.check("worklist").await;
    let awaiting = b.text("#high-risk").await;
    assert!(awaiting.contains("(1)"), "{awaiting}");
    b.click_and_load(&format!("a[href='/episodes/{id}']")).await;
    assert!(b.text("h1").await.contains(&reference));
    b.check("episode-high-risk").await;

    b.fill(
        "#review-outcome",
        "Checked the grading: high risk stands; search team tasked.",
    )
    .await;
    b.click_and_load("form[action$='/review'] button[type=submit]")
        .await;
    assert!(b
        .text(".govuk-notification-banner")
        .await
        .contains("review"));
    let stored = episode_json(&app, &mfhc, &id).await;
    assert!(
        stored["high_risk_confirmation"]["confirmed_at"].is_string(),
        "{}",
        stored["high_risk_confirmation"]
    );

    // The PNC entry is recorded from the page too.
    b.fill("#national-pnc", "PNC/26/0001234X").await;
    b.click_and_load("form:has(#national-pnc) button[type=submit]")
        .await;
    let stored = episode_json(&app, &mfhc, &id).await;
    assert_eq!(stored["national_notifications"]["pnc"]["state"], "done");
    assert_eq!(
        stored["national_notifications"]["pnc"]["reference"],
        "PNC/26/0001234X"
    );

    // The officer starts the investigation and records the return.
    let officer = Browser::start().await.unwrap();
    officer
        .goto(&format!("{}/episodes/{id}", app.address))
        .await;
    sign_in_here(&officer, demo_user("officer")).await;
    officer
        .click_and_load("form[action$='/activate'] button[type=submit]")
        .await;
    assert_eq!(episode_json(&app, &mfhc, &id).await["status"], "active");
    // A date that is not one: a specific error, the rest kept.
    officer.fill("#return-day", "31").await;
    officer.fill("#return-month", "2").await;
    officer.fill("#return-year", "2026").await;
    officer.fill("#return-time", "10:00").await;
    officer.fill("#return-location", "Home address").await;
    officer.click("#return-how-found_by_police").await;
    officer
        .click_and_load("form[action$='/return'] button[type=submit]")
        .await;
    assert!(officer
        .text(".govuk-error-summary")
        .await
        .contains("Enter when they returned"));
    officer.check("episode-return-error").await;
    let kept = officer
        .script(
            "return document.querySelector('#return-location').value;",
            json!([]),
        )
        .await;
    assert_eq!(kept, "Home address");
    let now = chrono::Utc::now().with_timezone(&chrono_tz::Europe::London);
    officer
        .fill("#return-day", &now.format("%d").to_string())
        .await;
    officer
        .fill("#return-month", &now.format("%m").to_string())
        .await;
    officer
        .fill("#return-year", &now.format("%Y").to_string())
        .await;
    officer
        .fill("#return-time", &now.format("%H:%M").to_string())
        .await;
    officer.fill("#return-found_by", "PC 1234").await;
    officer.click("#return-marker-cse").await;
    officer
        .click_and_load("form[action$='/return'] button[type=submit]")
        .await;
    assert!(officer
        .text(".govuk-notification-banner")
        .await
        .contains("return"));
    officer.check("episode-returned").await;
    let stored = episode_json(&app, &mfhc, &id).await;
    assert_eq!(stored["status"], "returned");
    assert_eq!(stored["return"]["how"], "found_by_police");
    assert_eq!(stored["return"]["markers_seen"], json!(["cse"]));
    officer.quit();

    // The supervisor closes it: without an interview, a reason is required.
    b.goto(&format!("{}/episodes/{id}", app.address)).await;
    b.click_and_load("form[action$='/close'] button[type=submit]")
        .await;
    assert_eq!(episode_json(&app, &mfhc, &id).await["status"], "returned");
    assert!(b
        .text(".govuk-error-summary")
        .await
        .contains("give the reason none was possible"));
    b.fill(
        "#close-no_interview_reason",
        "Declined to speak to officers; RHI offered instead.",
    )
    .await;
    b.click_and_load("form[action$='/close'] button[type=submit]")
        .await;
    b.check("episode-closed").await;
    assert_eq!(episode_json(&app, &mfhc, &id).await["status"], "closed");
    b.quit();
}

#[actix_rt::test]
async fn a_return_interview_provider_records_the_interview_from_a_share() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_web_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let csc = agency(&app, &admin, CSC_LEEDS).await;
    let p = crate::episodes::person(&app, &mfhc, "Ivy", "Returnfield", &[]).await;
    let e = crate::episodes::report_returned(&app, &mfhc, &p["id"], 5).await;
    let id = e["id"].as_str().unwrap().to_owned();
    // The police choose the provider and share the interview with it.
    let offered = app
        .call_if_match(
            "POST",
            &format!("/api/v1/episodes/{id}/return-interview"),
            &mfhc,
            &e["version"],
            json!({ "status": "offered", "provider_agency_id": csc }),
        )
        .await;
    assert_eq!(offered.status, 200, "{}", offered.body);
    let share = app
        .call(
            "POST",
            "/api/v1/shares",
            Some(&mfhc),
            Some(
                json!({ "record_type": "episode", "record_id": id, "agency_id": csc,
                "parts": ["summary", "return_interview"], "purpose": "Return home interview",
                "lawful_basis": "Children Act 2004 s.11" }),
            ),
        )
        .await;
    assert_eq!(share.status, 201, "{}", share.body);
    let link = emailed_link(&app, "csc.leeds@example.invalid", "").await;
    b.goto(&link).await;
    sign_in_here(&b, demo_user("partner")).await;
    b.check("partner-shares").await;
    b.click_and_load(&format!("a[href='/episodes/{id}']")).await;
    b.check("partner-episode").await;
    b.click("#rhi-status-accepted").await;
    b.click_and_load("form[action$='/rhi'] button[type=submit]")
        .await;
    assert_eq!(
        episode_json(&app, &mfhc, &id).await["return_interview"]["status"],
        "accepted"
    );
    b.click("#rhi-status-completed").await;
    b.click_and_load("form[action$='/rhi'] button[type=submit]")
        .await;
    b.check("partner-episode-rhi-done").await;
    let stored = episode_json(&app, &mfhc, &id).await;
    assert_eq!(stored["return_interview"]["status"], "completed");
    b.quit();
}

#[actix_rt::test]
async fn early_action_refers_triages_plans_assigns_and_closes() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_web_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    b.goto(&format!("{}/referrals", app.address)).await;
    sign_in_here(&b, demo_user("early_action")).await;
    assert!(b.url().await.ends_with("/referrals"));
    b.check("referrals-inbox").await;

    // Find the person first; not found, so record them.
    b.click_and_load("a[href='/persons?for=referral']").await;
    b.fill("#name", "Juniper Oakhollow").await;
    b.click_and_load("form[action='/persons'] button[type=submit]")
        .await;
    assert!(b.text("h2").await.contains("0 found"));
    b.check("persons-find").await;
    b.click_and_load("a[href='/persons/new?for=referral']")
        .await;
    b.fill("#person-given_name", "Juniper").await;
    b.fill("#person-family_name", "Oakhollow").await;
    b.fill("#person-date_of_birth", "2012-03-04").await;
    b.click("#person-sex-female").await;
    b.click_and_load("form[action='/persons'] button[type=submit]")
        .await;
    assert!(b.url().await.contains("/referrals/new?person="));
    b.check("referral-new").await;

    // The referral: a daily search, with no reason at first (a specific error).
    b.click("#referral-source-daily_search").await;
    b.fill(
        "#referral-summary",
        "Two police contacts this month for adolescent-to-parent violence.",
    )
    .await;
    b.fill("#referral-lawful_basis", "DPA 2018 s.35").await;
    b.click_and_load("form[action='/referrals'] button[type=submit]")
        .await;
    assert!(b.text(".govuk-error-summary").await.contains("reason"));
    b.click("#referral-reason-adolescent_to_parent_violence")
        .await;
    b.click_and_load("form[action='/referrals'] button[type=submit]")
        .await;
    let url = b.url().await;
    assert!(url.contains("?saved=created"), "{url}");
    let id = url
        .split("/referrals/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    b.check("referral").await;
    let submit = |form: &str| format!("form[action$='/{form}'] button[type=submit]");

    b.click("#decide-status-triage").await;
    b.click_and_load(&submit("decide")).await;
    let today = chrono::Utc::now().date_naive();
    b.fill("#meeting-held_on", &today.to_string()).await;
    b.click("#meeting-agency-0").await;
    b.click("#meeting-agency-1").await;
    b.fill(
        "#meeting-decisions",
        "Accept; youth justice to lead; CSC to share history.",
    )
    .await;
    b.click_and_load(&submit("meeting")).await;
    b.click("#decide-status-accepted").await;
    b.click_and_load(&submit("decide")).await;

    b.fill("#plan-lead_practitioner", "J. Patel").await;
    b.click("#plan-lead_agency_id option:nth-child(2)").await;
    b.fill("#plan-goals", "Weekly mentoring; family support.")
        .await;
    b.fill(
        "#plan-review_dates",
        &(today + chrono::Duration::days(42)).to_string(),
    )
    .await;
    b.click_and_load(&submit("plan")).await;
    b.click("#consent-given").await;
    b.click("#consent-by-young_person").await;
    b.click_and_load(&submit("consent")).await;
    b.click("#decide-status-active").await;
    b.click_and_load(&submit("decide")).await;

    b.click("#action-owner_agency_id option:nth-child(2)").await;
    b.fill("#action-description", "Mentoring sessions, weekly")
        .await;
    b.fill(
        "#action-due_on",
        &(today + chrono::Duration::days(14)).to_string(),
    )
    .await;
    b.click_and_load(&submit("action")).await;
    assert!(b
        .text(".govuk-notification-banner")
        .await
        .contains("partner action was assigned"));
    b.check("referral-active").await;

    b.click("#decide-status-closed").await;
    b.click_and_load(&submit("decide")).await;
    assert!(b
        .text(".govuk-error-summary")
        .await
        .to_lowercase()
        .contains("clos"));
    b.click("#decide-status-closed").await;
    b.click("#decide-closure_reason option[value='outcomes_met']")
        .await;
    b.click_and_load(&submit("decide")).await;
    b.check("referral-closed").await;

    let r = app
        .call("GET", &format!("/api/v1/referrals/{id}"), Some(&mfhc), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "closed");
    assert_eq!(r.body["closure_reason"], "outcomes_met");
    assert_eq!(
        r.body["consent"]["status"], "given",
        "{}",
        r.body["consent"]
    );
    assert_eq!(r.body["triage_meetings"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["intervention_plan"]["lead_practitioner"], "J. Patel");
    let actions = app
        .call(
            "GET",
            &format!("/api/v1/actions?referral_id={id}"),
            Some(&mfhc),
            None,
        )
        .await;
    assert_eq!(actions.body["items"].as_array().unwrap().len(), 1);

    // The inbox lists it under closed.
    b.goto(&format!("{}/referrals?status=closed", app.address))
        .await;
    assert_eq!(b.count(&format!("a[href='/referrals/{id}']")).await, 1);
    b.quit();
}

#[actix_rt::test]
async fn an_officer_finds_the_person_and_reports_them_missing() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_web_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let known = crate::episodes::person(&app, &mfhc, "Wren", "Ashby", &["Wrenny"]).await;
    b.goto(&format!("{}/worklist", app.address)).await;
    sign_in_here(&b, demo_user("officer")).await;
    b.click_and_load("a[href='/persons?for=episode']").await;
    b.fill("#name", "wrenny ashby").await;
    b.click_and_load("form[action='/persons'] button[type=submit]")
        .await;
    assert!(b.text("h2").await.contains("1 found"));
    b.click_and_load(&format!(
        "a[href='/episodes/new?person={}']",
        known["id"].as_str().unwrap()
    ))
    .await;
    b.check("episode-report").await;

    // Missing answers: each named, nothing reported.
    b.click_and_load("form[action='/episodes'] button[type=submit]")
        .await;
    let errors = b.text(".govuk-error-summary").await;
    for expected in ["who reported them", "last seen", "risk grading"] {
        assert!(errors.contains(expected), "{errors}");
    }
    let seen =
        chrono::Utc::now().with_timezone(&chrono_tz::Europe::London) - chrono::Duration::hours(2);
    b.click("#report-reported_by-parent").await;
    b.fill("#report-reporter_details", "Father, by phone").await;
    b.fill("#last_seen-day", &seen.format("%d").to_string())
        .await;
    b.fill("#last_seen-month", &seen.format("%m").to_string())
        .await;
    b.fill("#last_seen-year", &seen.format("%Y").to_string())
        .await;
    b.fill("#last_seen-time", &seen.format("%H:%M").to_string())
        .await;
    b.fill("#report-last_seen_location", "Leeds bus station")
        .await;
    b.click("#report-missing_from-home").await;
    b.fill(
        "#report-circumstances",
        "Left after an argument; phone off.",
    )
    .await;
    b.click("#report-risk_level-medium").await;
    b.fill("#report-rationale", "Age; phone off; out late before.")
        .await;
    b.fill("#report-information", "Call from father; PNC checks.")
        .await;
    b.click_and_load("form[action='/episodes'] button[type=submit]")
        .await;
    let url = b.url().await;
    assert!(url.contains("?saved=report"), "{url}");
    b.check("episode-reported").await;
    let id = url
        .split("/episodes/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap();
    let e = episode_json(&app, &mfhc, id).await;
    assert_eq!(e["status"], "reported");
    assert_eq!(e["person_id"], known["id"]);
    assert_eq!(e["risk_level"], "medium");
    assert_eq!(e["last_seen_location"], "Leeds bus station");
    b.quit();
}

#[actix_rt::test]
async fn an_mfhc_works_a_trigger_from_its_email_to_a_referral() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_web_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let p = crate::episodes::person(&app, &mfhc, "Hazel", "Firsttime", &[]).await;
    crate::episodes::report(&app, &mfhc, &p["id"], 1).await;
    let triggers = crate::triggers::triggers_of(&app, &mfhc, &p["id"]).await;
    assert!(
        !triggers.is_empty(),
        "a first-time missing child fires a trigger"
    );
    let t = &triggers[0];
    let id = t["id"].as_str().unwrap().to_owned();
    let link = emailed_link(&app, MFHC.0, t["reference"].as_str().unwrap()).await;
    assert_eq!(link, format!("{}/triggers/{id}", app.address));
    b.goto(&link).await;
    sign_in_here(&b, MFHC).await;
    assert_eq!(b.url().await, link);
    b.check("trigger").await;

    b.click_and_load("form[action$='/acknowledge'] button[type=submit]")
        .await;
    let today = chrono::Utc::now().date_naive();
    b.fill(
        "#plan-summary",
        "Joint visit with CSC; return interview prioritised.",
    )
    .await;
    b.click("#plan-agency-0").await;
    b.fill(
        "#plan-review_on",
        &(today + chrono::Duration::days(7)).to_string(),
    )
    .await;
    b.click_and_load("form[action$='/plan'] button[type=submit]")
        .await;
    assert!(b.text(".govuk-notification-banner").await.contains("plan"));
    b.check("trigger-planned").await;
    b.fill(
        "#referral-summary",
        "First time missing; new older associates.",
    )
    .await;
    b.fill("#referral-lawful_basis", "DPA 2018 s.35").await;
    b.click_and_load("form[action$='/referral'] button[type=submit]")
        .await;
    assert!(b.url().await.contains("/referrals/"));
    let stored = app
        .call("GET", &format!("/api/v1/triggers/{id}"), Some(&mfhc), None)
        .await;
    assert_eq!(stored.body["status"], "plan_recorded", "{}", stored.body);
    let referrals = app
        .call(
            "GET",
            &format!("/api/v1/referrals?person_id={}", p["id"].as_str().unwrap()),
            Some(&mfhc),
            None,
        )
        .await;
    let items = referrals.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", referrals.body);
    assert_eq!(items[0]["trigger_id"], json!(id));

    // The person's page: the episode counted, the trigger and the referral listed.
    b.goto(&link).await;
    b.click_and_load(&format!("a[href='/persons/{}']", p["id"].as_str().unwrap()))
        .await;
    b.check("person").await;
    let text = b.text("main").await;
    assert!(text.contains("Hazel Firsttime"), "{text}");
    assert!(text.contains("In the last 3 weeks 1"), "{text}");
    assert_eq!(b.count(&format!("a[href='/triggers/{id}']")).await, 1);
    assert_eq!(
        b.count(&format!(
            "a[href='/referrals/{}']",
            items[0]["id"].as_str().unwrap()
        ))
        .await,
        1
    );

    // The measure against baseline, and the datasets as CSV.
    b.click_and_load("a[href='/measures']").await;
    b.check("measures").await;
    let drawn = b
        .script(
            "const i = document.querySelector('img[src=\"/measures/chart.png\"]'); return i.complete && i.naturalWidth;",
            json!([]),
        )
        .await;
    assert_eq!(drawn, json!(960), "the chart loads");
    let (status, kind, csv) = b.fetch("/datasets/missing-persons.csv?weeks=3").await;
    assert_eq!(status, 200, "{csv}");
    assert!(kind.starts_with("text/csv"), "{kind}");
    assert!(
        csv.contains("Hazel"),
        "the MFHC's dataset names the person: {csv}"
    );
    let (status, _, csv) = b.fetch("/datasets/first-time-missing-children.csv").await;
    assert_eq!(status, 200, "{csv}");
    assert!(csv.contains("Firsttime"), "{csv}");
    b.quit();
}

#[actix_rt::test]
async fn after_an_admin_reset_the_user_chooses_a_new_password_before_anything_else() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_web_app().await;
    let temporary =
        crate::hardening::a_user_reset_by_an_admin(&app, "reset.in.browser@example.org").await;

    b.goto(&format!("{}/worklist", app.address)).await;
    sign_in_here(&b, ("reset.in.browser@example.org", &temporary)).await;
    // Sent to choose a password first; a weak one is refused with its reason.
    assert!(
        b.url().await.contains("/account/password"),
        "{}",
        b.url().await
    );
    b.check("password-reset").await;
    b.fill("#current-password", &temporary).await;
    b.fill("#new-password", "password1234").await;
    b.fill("#confirm-password", "password1234").await;
    b.click_and_load("form[action='/account/password'] button[type=submit]")
        .await;
    assert!(b
        .text(".govuk-error-summary")
        .await
        .contains("New password"));
    b.check("password-refused").await;
    b.fill("#current-password", &temporary).await;
    b.fill("#new-password", "three unrelated words here").await;
    b.fill("#confirm-password", "three unrelated words here")
        .await;
    b.click_and_load("form[action='/account/password'] button[type=submit]")
        .await;
    assert!(b
        .text(".govuk-notification-banner")
        .await
        .contains("changed"));
    b.check("password-changed").await;
    b.goto(&format!("{}/worklist", app.address)).await;
    assert!(b.url().await.ends_with("/worklist"), "{}", b.url().await);
    assert_eq!(
        app.login_reply("reset.in.browser@example.org", "three unrelated words here")
            .await
            .status,
        200
    );
    b.quit();
}
