//! The authorization matrix's other two dimensions, generated from the route table like
//! the role matrix: every district-scoped record route × every role on a record of
//! *another* district (Bradford's, while every demo user is Leeds' or force-wide), and
//! every route a partner reads × a record shared with its agency, unshared, expired or
//! revoked. Zero unexpected successes; a route without an entry fails.

use actix_web::http::Method;
use serde_json::json;

use crate::episodes::BRADFORD_MFHC;
use crate::helpers::{spawn_app, ADMIN, DEMO_USERS, MFHC};
use crate::role_matrix::{
    access, call_on_fresh_record, districts, missing_child, post, s, Access, Ctx, Purpose,
};

/// What a role may do with another district's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Elsewhere {
    /// Its role is refused here anyway (403), whoever's the record.
    Refused,
    /// The record is not there for it: 404, as for an id that does not exist.
    Hidden,
    /// Allowed across districts: a partner's own agency's action or share.
    Allowed,
}

/// The routes whose records belong to a district; `None` for one nobody has classified.
fn elsewhere(method: &Method, path: &str, role: &str) -> Option<Elsewhere> {
    let Some(Access::Roles(allowed)) = access(method, path) else {
        return None;
    };
    if !allowed.contains(&role) {
        return Some(Elsewhere::Refused);
    }
    let partner_own = role == "partner"
        && ((path.starts_with("/api/v1/actions/{id}"))
            || (*method == Method::GET && path == "/api/v1/shares/{id}"));
    Some(if partner_own {
        Elsewhere::Allowed
    } else {
        Elsewhere::Hidden
    })
}

/// The district-scoped record routes the matrix covers: every route under these.
const SCOPED: &[&str] = &[
    "/api/v1/episodes/{id}",
    "/api/v1/triggers/{id}",
    "/api/v1/referrals/{id}",
    "/api/v1/actions/{id}",
    "/api/v1/shares/{id}",
];

#[actix_rt::test]
async fn every_scoped_route_has_an_elsewhere_entry_for_every_role() {
    let mut missing = Vec::new();
    for (m, p) in homeward::routes::endpoints() {
        let p = p.as_str();
        if SCOPED.iter().any(|s| p.starts_with(s)) {
            for (role, ..) in DEMO_USERS {
                if elsewhere(&m, p, role).is_none() {
                    missing.push(format!("{m} {p} as {role}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "no entry: {missing:?}");
}

#[actix_rt::test]
async fn no_role_of_one_district_gets_at_another_districts_records() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (leeds_mfhc, _) = app.login(MFHC).await;
    let (bradford, _) = app.login(BRADFORD_MFHC).await;
    let d = districts(&app, &leeds_mfhc, &admin).await;
    let mut tokens = Vec::new();
    for (role, email, password) in DEMO_USERS {
        tokens.push((*role, app.login((email, password)).await.0));
    }
    let mut n = 10_000;
    let mut checked = 0;
    for (method, template) in homeward::routes::endpoints() {
        let template = template.as_str();
        if !SCOPED.iter().any(|s| template.starts_with(s)) {
            continue;
        }
        for (role, t) in &tokens {
            n += 1;
            let expect = elsewhere(&method, template, role).expect("an entry");
            // Made by Bradford's MFHC: Bradford's record.
            let c = Ctx {
                app: &app,
                d: &d,
                creator: &bradford,
                admin: &admin,
                role,
                token: t,
                purpose: Purpose::Plain,
            };
            let r = call_on_fresh_record(&c, &method, template, n).await;
            let what = format!("{role} on Bradford's {method} {template}");
            match expect {
                Elsewhere::Refused => assert_eq!(r.status, 403, "{what}: {}", r.body),
                Elsewhere::Hidden => assert_eq!(r.status, 404, "{what}: {}", r.body),
                Elsewhere::Allowed => assert!(
                    ![401, 403, 404].contains(&r.status) && r.status < 500,
                    "{what}: {} {}",
                    r.status,
                    r.body
                ),
            }
            checked += 1;
        }
    }
    assert!(checked >= 100, "only {checked} calls");
}

/// How a record stands towards the partner's agency.
#[derive(Debug, Clone, Copy)]
enum Sharing {
    Shared,
    Unshared,
    Expired,
    Revoked,
}

/// The routes a partner reads records by; `None` for one nobody has classified.
fn partner_reads(method: &Method, path: &str) -> Option<&'static str> {
    if *method != Method::GET {
        return None;
    }
    match path {
        "/api/v1/episodes/{id}" => Some("episode"),
        "/api/v1/persons/{id}" => Some("person"),
        "/api/v1/triggers/{id}" => Some("trigger"),
        "/api/v1/referrals/{id}" => Some("referral"),
        _ => None,
    }
}

#[actix_rt::test]
async fn every_record_route_a_partner_may_call_is_in_the_sharing_matrix() {
    let unclassified: Vec<String> = homeward::routes::endpoints()
        .into_iter()
        .filter(|(m, p)| {
            *m == Method::GET
                && p.matches('{').count() == 1
                && p.ends_with("{id}")
                && matches!(access(m, p), Some(Access::Roles(r)) if r.contains(&"partner"))
                && !p.starts_with("/api/v1/actions")
                && !p.starts_with("/api/v1/shares")
                && partner_reads(m, p).is_none()
        })
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(unclassified.is_empty(), "{unclassified:?}");
}

#[actix_rt::test]
async fn a_partner_reads_a_record_only_while_it_is_shared_with_its_agency() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let d = districts(&app, &mfhc, &admin).await;
    let (partner, _) = app.login(crate::helpers::demo_user("partner")).await;
    let mut su = app.superuser().await;
    let mut checked = 0;
    for (method, template) in homeward::routes::endpoints() {
        let template = template.as_str();
        let Some(kind) = partner_reads(&method, template) else {
            continue;
        };
        for sharing in [
            Sharing::Shared,
            Sharing::Unshared,
            Sharing::Expired,
            Sharing::Revoked,
        ] {
            let (person, episode, trigger) = missing_child(&app, &mfhc).await;
            let referral = post(
                &app,
                &mfhc,
                "/api/v1/referrals",
                json!({ "person_id": person["id"], "source": "frontline_officer", "reasons": ["other"],
                        "summary": "Matrix", "lawful_basis": "DPA 2018 s.35" }),
            )
            .await;
            let (record_type, record) = match kind {
                "episode" | "person" => ("episode", &episode),
                "trigger" => ("trigger", &trigger),
                _ => ("referral", &referral),
            };
            let target = match kind {
                "person" => &person,
                _ => record,
            };
            if !matches!(sharing, Sharing::Unshared) {
                let share = post(
                    &app,
                    &mfhc,
                    "/api/v1/shares",
                    json!({
                    "record_type": record_type, "record_id": record["id"], "agency_id": d.csc,
                    "parts": ["summary"], "purpose": "Matrix", "lawful_basis": "DPA 2018 s.35",
                    "expires_at": (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339() }),
                )
                .await;
                match sharing {
                    Sharing::Expired => {
                        diesel_async::SimpleAsyncConnection::batch_execute(
                            &mut su,
                            &format!(
                                "UPDATE shares SET shared_at = now() - interval '8 days', \
                                      expires_at = now() - interval '1 second' WHERE id = '{}'",
                                s(&share["id"])
                            ),
                        )
                        .await
                        .expect("expire the share");
                    }
                    Sharing::Revoked => {
                        let r = app
                            .call(
                                "POST",
                                &format!("/api/v1/shares/{}/revoke", s(&share["id"])),
                                Some(&mfhc),
                                Some(json!({ "reason": "Matrix" })),
                            )
                            .await;
                        assert_eq!(r.status, 200, "{}", r.body);
                    }
                    _ => {}
                }
            }
            let path = template.replace("{id}", &s(&target["id"]));
            let r = app.call("GET", &path, Some(&partner), None).await;
            let what = format!("partner on {sharing:?} {template}");
            match sharing {
                Sharing::Shared => assert_eq!(r.status, 200, "{what}: {}", r.body),
                _ => {
                    assert_eq!(r.status, 404, "{what}: {}", r.body);
                    r.problem(404);
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 16);
}
