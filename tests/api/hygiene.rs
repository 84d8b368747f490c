//! Input hygiene (issue 20, item 4): labels that cannot be made to read as something
//! else, one plain email address, CSV that a spreadsheet cannot run, and responses with
//! personal data that no cache keeps.

use serde_json::{json, Value};

use crate::episodes::{person, report};
use crate::helpers::{spawn_app, TestApp, ADMIN, MFHC};

async fn new_person(
    app: &TestApp,
    token: &str,
    given: &str,
    family: &str,
) -> crate::helpers::Reply {
    app.call(
        "POST",
        "/api/v1/persons",
        Some(token),
        Some(json!({ "given_name": given, "family_name": family, "date_of_birth": "2011-04-02" })),
    )
    .await
}

fn field(r: &crate::helpers::Reply) -> String {
    r.problem(400)["errors"][0]["field"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[actix_rt::test]
async fn names_with_bidirectional_controls_or_line_separators_are_refused() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    // "Amy" followed by a right-to-left override reads as another name.
    let r = new_person(&app, &mfhc, "Amy\u{202E}nosliW", "Example").await;
    assert_eq!(field(&r), "given_name", "{}", r.body);
    for family in [
        "\u{2066}Example\u{2069}",
        "Exam\u{2028}ple",
        "Exam\u{2029}ple",
    ] {
        let r = new_person(&app, &mfhc, "Amy", family).await;
        assert_eq!(field(&r), "family_name", "{family:?}: {}", r.body);
    }
    let r = app
        .call(
            "POST",
            "/api/v1/users",
            Some(&admin),
            Some(
                json!({ "email": "bidi@example.org", "display_name": "Sgt \u{202D}Smith",
                "role": "officer", "password": "a long test passphrase" }),
            ),
        )
        .await;
    assert_eq!(field(&r), "display_name", "{}", r.body);
    // Nothing was stored; a right-to-left name itself is a name like any other.
    let found = app
        .call("GET", "/api/v1/persons?name=example", Some(&mfhc), None)
        .await;
    assert_eq!(
        found.body["items"].as_array().unwrap().len(),
        0,
        "{}",
        found.body
    );
    assert_eq!(new_person(&app, &mfhc, "مريم", "Example").await.status, 201);
}

#[actix_rt::test]
async fn an_email_is_one_plain_address_with_its_domain_in_ascii() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let user = |email: &str| {
        json!({ "email": email, "display_name": "Test User", "role": "officer",
                "password": "a long test passphrase" })
    };
    for bad in [
        "a@example.org,b@example.org",
        "Jo Bloggs <jo@example.org>",
        "<jo@example.org>",
        "@relay.example:jo@example.org",
        "\"jo\"@example.org",
        "jo@[192.0.2.1]",
    ] {
        let r = app
            .call("POST", "/api/v1/users", Some(&admin), Some(user(bad)))
            .await;
        assert_eq!(field(&r), "email", "{bad:?}: {}", r.body);
    }
    let idn = app
        .create_user(&admin, "Jo@Bücher.Example", "officer", json!({}))
        .await;
    assert_eq!(idn["email"], "jo@xn--bcher-kva.example");
    // The same rule for an agency's mailbox.
    let r = app
        .call(
            "POST",
            "/api/v1/agencies",
            Some(&admin),
            Some(json!({ "name": "Listed", "agency_type": "health",
                "mailbox": "a@example.org, b@example.org", "district_ids": [] })),
        )
        .await;
    assert_eq!(field(&r), "mailbox", "{}", r.body);
}

#[actix_rt::test]
async fn a_formula_after_a_separator_is_neutralised_in_csv() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let p = person(&app, &mfhc, "Semi", "x;=1+1", &[]).await;
    report(&app, &mfhc, &p["id"], 2).await;
    let mut res = app
        .client
        .get(app.url("/api/v1/datasets/missing-persons?weeks=3"))
        .insert_header(("Authorization", format!("Bearer {mfhc}")))
        .insert_header(("Accept", "text/csv"))
        .send()
        .await
        .unwrap();
    let csv = String::from_utf8(res.body().await.unwrap().to_vec()).unwrap();
    assert!(csv.contains("\"x;'=1+1\""), "{csv}");
    // Every field quoted, the header too.
    assert!(csv.starts_with("\"person_id\","), "{csv}");
    for line in csv.lines() {
        assert!(line.starts_with('"') && line.ends_with('"'), "{line}");
    }
}

#[actix_rt::test]
async fn responses_with_personal_data_are_neither_stored_nor_sniffed() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let p = person(&app, &mfhc, "Cache", "Less", &[]).await;
    let e: Value = report(&app, &mfhc, &p["id"], 2).await;
    for (path, accept) in [
        (
            format!("/api/v1/episodes/{}", e["id"].as_str().unwrap()),
            "application/json",
        ),
        (
            "/api/v1/datasets/missing-persons?weeks=3".to_owned(),
            "text/csv",
        ),
        (
            "/api/v1/measures/repeat-missing/chart.svg".to_owned(),
            "image/svg+xml",
        ),
        (
            "/api/v1/measures/repeat-missing/chart.png".to_owned(),
            "image/png",
        ),
        ("/api/v1/persons?name=less".to_owned(), "application/json"),
    ] {
        let res = app
            .client
            .get(app.url(&path))
            .insert_header(("Authorization", format!("Bearer {mfhc}")))
            .insert_header(("Accept", accept))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "{path}");
        let h = |n: &str| {
            res.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(h("cache-control"), "no-store", "{path}");
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
    }
}
