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
    b.fill("#email", demo_user("partner").0).await;
    b.fill("#password", demo_user("partner").1).await;
    b.click_and_load("button[type=submit]").await;
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
