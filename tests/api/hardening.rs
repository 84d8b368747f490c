//! Issue 20's findings, one test each: an audit chain rewritten by the database's
//! superuser and re-hashed is caught by a checkpoint signed outside the database;
//! failed sign-ins and refused access leave security events, and an account passing the
//! threshold alerts the administrators; passwords are changed by their owners (ending
//! their other sessions) and reset by administrators, both audited.

use std::num::NonZeroU32;

use base64::Engine;
use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use serde_json::{json, Value};

use crate::helpers::{
    demo_user, spawn_app, spawn_app_with_limits, test_limits, TestApp, ADMIN, DEMO_USERS, MFHC,
};
use crate::web::WebClient;

async fn verify(app: &TestApp, admin: &str) -> Value {
    let r = app
        .call("GET", "/api/v1/audit/verify", Some(admin), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// What a superuser can do today: delete entry `seq`, renumber the rest, re-hash them
/// with the database's own digest function and move the chain head, so the chain checks
/// out against itself (with the log's append-only trigger switched off, as a superuser can).
const REWRITE: &str = r"
BEGIN;
SET LOCAL session_replication_role = replica;
DO $$
DECLARE
    r audit_log%ROWTYPE;
    prev bytea := decode(repeat('00', 32), 'hex');
BEGIN
    DELETE FROM audit_log WHERE seq = 2;
    UPDATE audit_log SET seq = -seq WHERE seq > 2;
    UPDATE audit_log SET seq = -seq - 1 WHERE seq < 0;
    FOR r IN SELECT * FROM audit_log ORDER BY seq LOOP
        UPDATE audit_log
           SET prev_hash = prev,
               hash = hw_audit_digest(prev, r.seq, r.occurred_at, r.actor_id, r.actor_role,
                                      r.operation, r.record_type, r.record_ids, r.purpose,
                                      r.recipients, r.request_id, r.lawful_basis, r.purpose_digest)
         WHERE seq = r.seq
        RETURNING hash INTO prev;
    END LOOP;
    UPDATE audit_chain_head SET seq = (SELECT max(seq) FROM audit_log), hash = prev;
END $$;
COMMIT;
";

#[actix_rt::test]
async fn a_chain_rewritten_and_rehashed_by_a_superuser_is_caught_by_a_signed_checkpoint() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    for i in 0..4 {
        app.create_user(
            &admin,
            &format!("anchored{i}@example.org"),
            "officer",
            json!({}),
        )
        .await;
    }
    let cp = app
        .call("POST", "/api/v1/audit/checkpoints", Some(&admin), None)
        .await;
    assert_eq!(cp.status, 201, "{}", cp.body);
    let signed_seq = cp.body["seq"].as_i64().unwrap();
    assert!(signed_seq >= 4, "{}", cp.body);
    let before = verify(&app, &admin).await;
    assert_eq!(before["valid"], true, "{before}");
    assert_eq!(before["checkpoints"]["valid"], true, "{before}");
    assert_eq!(before["checkpoints"]["latest_seq"], signed_seq);

    let mut su = app.superuser().await;
    su.batch_execute(REWRITE).await.unwrap();

    let after = verify(&app, &admin).await;
    // The chain alone checks out: the rewrite is consistent ...
    assert_eq!(after["first_broken_seq"], Value::Null, "{after}");
    assert_eq!(after["checked"], after["head_seq"], "{after}");
    // ... but not with what was signed before it.
    assert_eq!(after["valid"], false, "{after}");
    assert_eq!(after["checkpoints"]["valid"], false, "{after}");
    assert_eq!(
        after["checkpoints"]["rewritten_by_seq"], signed_seq,
        "{after}"
    );
    assert_eq!(after["checkpoints"]["intact_through_seq"], 0, "{after}");
    // Which checkpoint no longer matches: the entry it signed is gone or different.
    let reason = after["reason"].as_str().unwrap();
    assert!(reason.contains(&format!("entry {signed_seq} ")), "{reason}");
}

#[actix_rt::test]
async fn checkpoints_are_kept_outside_the_database_and_a_forged_one_is_caught() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    app.create_user(&admin, "kept@example.org", "officer", json!({}))
        .await;
    let cp = app
        .call("POST", "/api/v1/audit/checkpoints", Some(&admin), None)
        .await;
    assert_eq!(cp.status, 201, "{}", cp.body);

    // In the file, private to the service's account, one line a checkpoint.
    let text = std::fs::read_to_string(&app.audit_checkpoints).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    let mode = std::fs::metadata(&app.audit_checkpoints)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    // Listed with the key that verifies it, checkable without Homeward's code.
    let list = app
        .call("GET", "/api/v1/audit/checkpoints", Some(&admin), None)
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.body["items"][0], cp.body);
    let key_bytes: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(list.body["public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let key = ed25519_dalek::VerifyingKey::from_bytes(&key_bytes).unwrap();
    let checkpoint: homeward::audit_anchor::Checkpoint =
        serde_json::from_value(cp.body.clone()).unwrap();
    assert!(homeward::audit_anchor::signed_by(&checkpoint, &key));

    // A checkpoint added to the file by anyone without the key does not verify.
    let other = homeward::audit_anchor::AuditAnchor::new([7; 32], app.audit_checkpoints.clone());
    let head = base64::engine::general_purpose::STANDARD
        .decode(checkpoint.head_hash.as_str())
        .unwrap();
    other
        .append(&other.sign(checkpoint.seq, &head, chrono::Utc::now()))
        .unwrap();
    let r = verify(&app, &admin).await;
    assert_eq!(r["valid"], false, "{r}");
    assert!(
        r["reason"].as_str().unwrap().contains("does not verify"),
        "{r}"
    );
}

async fn events(app: &TestApp, admin: &str, query: &str) -> Vec<Value> {
    let r = app
        .call(
            "GET",
            &format!("/api/v1/security-events?{query}"),
            Some(admin),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

/// The events `query` finds once there are `n` of them: refusals are recorded after their
/// answer has gone (so its timing tells nothing), a moment later.
async fn events_eventually(app: &TestApp, admin: &str, query: &str, n: usize) -> Vec<Value> {
    for _ in 0..100 {
        let found = events(app, admin, query).await;
        if found.len() >= n {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    events(app, admin, query).await
}

async fn my_id(app: &TestApp, token: &str) -> Value {
    app.call("GET", "/api/v1/me", Some(token), None).await.body["id"].clone()
}

#[actix_rt::test]
async fn failed_sign_ins_and_refused_access_to_existing_records_are_security_events() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let (mfhc, _) = app.login(MFHC).await;
    let (officer, _) = app.login(demo_user("officer")).await;
    let (partner, _) = app.login(demo_user("partner")).await;
    let partner_id = my_id(&app, &partner).await;
    let officer_id = my_id(&app, &officer).await;
    let admin_id = my_id(&app, &admin).await;

    // A failed sign-in: kept with the account it named, the email only as a digest.
    let (partner_email, _) = demo_user("partner");
    let failed = app.login_reply(partner_email, "not the password").await;
    assert_eq!(failed.status, 401);
    let by_email = events(&app, &admin, &format!("email={partner_email}")).await;
    assert_eq!(by_email.len(), 1, "{by_email:?}");
    assert_eq!(by_email[0]["kind"], "login_failed");
    assert_eq!(by_email[0]["account_id"], partner_id);
    assert_eq!(by_email[0]["route"], "/api/v1/auth/login");
    assert_eq!(by_email[0]["status"], 401);
    assert!(!by_email[0].to_string().contains(partner_email));

    // A role refused (403), naming a record.
    let refused = app
        .call(
            "GET",
            &format!("/api/v1/users/{}", admin_id.as_str().unwrap()),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(refused.status, 403);
    let officer_events = events_eventually(
        &app,
        &admin,
        &format!("account_id={}", officer_id.as_str().unwrap()),
        1,
    )
    .await;
    assert_eq!(officer_events.len(), 1, "{officer_events:?}");
    assert_eq!(officer_events[0]["kind"], "forbidden");
    assert_eq!(officer_events[0]["record_id"], admin_id);
    assert_eq!(officer_events[0]["route"], "/api/v1/users/{id}");
    assert_eq!(officer_events[0]["method"], "GET");
    assert_eq!(officer_events[0]["address"], "127.0.0.1");
    assert_eq!(
        officer_events[0]["request_id"].as_str(),
        refused.header("x-request-id").as_deref()
    );

    // A record outside the caller's policies (404) is recorded; an id that names no
    // record is not.
    let person = app
        .call(
            "POST",
            "/api/v1/persons",
            Some(&mfhc),
            Some(json!({ "given_name": "Hidden", "family_name": "Child" })),
        )
        .await;
    assert_eq!(person.status, 201, "{}", person.body);
    let hidden = app
        .call(
            "GET",
            &format!("/api/v1/persons/{}", person.body["id"].as_str().unwrap()),
            Some(&partner),
            None,
        )
        .await;
    assert_eq!(hidden.status, 404);
    let nothing = app
        .call(
            "GET",
            &format!("/api/v1/persons/{}", uuid::Uuid::new_v4()),
            Some(&partner),
            None,
        )
        .await;
    assert_eq!(nothing.status, 404);
    // A 404 for a record the caller can see is about something else: an officer asks for
    // a person's profile that nobody has recorded yet.
    let no_profile = app
        .call(
            "GET",
            &format!(
                "/api/v1/persons/{}/protocols/philomena",
                person.body["id"].as_str().unwrap()
            ),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(no_profile.status, 404, "{}", no_profile.body);
    let partner_events = events_eventually(
        &app,
        &admin,
        &format!(
            "account_id={}&kind=hidden_record",
            partner_id.as_str().unwrap()
        ),
        1,
    )
    .await;
    assert_eq!(partner_events.len(), 1, "{partner_events:?}");
    assert_eq!(partner_events[0]["record_id"], person.body["id"]);
    assert_eq!(partner_events[0]["status"], 404);
    // Neither the id that names nothing nor the officer's missing profile was recorded.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let partner_all = events(
        &app,
        &admin,
        &format!("account_id={}", partner_id.as_str().unwrap()),
    )
    .await;
    assert_eq!(
        partner_all.len(),
        2,
        "a failed sign-in and one hidden record: {partner_all:?}"
    );
    let officer_all = events(
        &app,
        &admin,
        &format!("account_id={}", officer_id.as_str().unwrap()),
    )
    .await;
    assert_eq!(officer_all.len(), 1, "{officer_all:?}");

    // Only administrators read them; the runtime role can neither write nor erase them.
    let r = app
        .call("GET", "/api/v1/security-events", Some(&mfhc), None)
        .await;
    assert_eq!(r.status, 403);
    let mut runtime = AsyncPgConnection::establish(&app.app_url).await.unwrap();
    for sql in [
        "DELETE FROM security_events",
        "UPDATE security_events SET kind = 'forbidden'",
        "INSERT INTO security_events (kind, address, method, route, status) VALUES ('forbidden', 'x', 'GET', '/', 403)",
    ] {
        assert!(runtime.batch_execute(sql).await.is_err(), "{sql} was allowed");
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    let mut su = app.superuser().await;
    diesel::sql_query(sql)
        .bind::<Text, _>(bind)
        .get_result::<Count>(&mut su)
        .await
        .unwrap()
        .n
}

#[actix_rt::test]
async fn an_account_passing_the_refusal_threshold_alerts_the_admins_once_a_window() {
    let app = spawn_app_with_limits(homeward::limits::Limits {
        refusal_alert: homeward::limits::RefusalAlert {
            threshold: NonZeroU32::new(3).unwrap(),
            window: std::time::Duration::from_secs(15 * 60),
        },
        ..test_limits()
    })
    .await;
    let (officer, _) = app.login(demo_user("officer")).await;
    let (admin, _) = app.login(ADMIN).await;
    let officer_id = my_id(&app, &officer).await;
    let admins = count(
        &app,
        "SELECT count(*) AS n FROM users WHERE role = 'admin' AND active AND $1 <> ''",
        "x",
    )
    .await;
    assert!(admins >= 1);
    let alerts = || {
        count(&app, "SELECT count(*) AS n FROM outbox WHERE event = 'security_alert' AND record_id::text = $1", officer_id.as_str().unwrap())
    };
    for n in 1..=5 {
        let r = app.call("GET", "/api/v1/users", Some(&officer), None).await;
        assert_eq!(r.status, 403);
        // Recorded once the answer has gone.
        let recorded = format!("account_id={}", officer_id.as_str().unwrap());
        assert_eq!(events_eventually(&app, &admin, &recorded, n).await.len(), n);
        let expected = if n < 3 { 0 } else { admins };
        assert_eq!(alerts().await, expected, "after {n} refusals");
    }
    let mut su = app.superuser().await;
    #[derive(QueryableByName)]
    struct Mail {
        #[diesel(sql_type = Text)]
        body_text: String,
    }
    let mail: Mail =
        diesel::sql_query("SELECT body_text FROM outbox WHERE event = 'security_alert' LIMIT 1")
            .get_result(&mut su)
            .await
            .unwrap();
    assert!(
        mail.body_text.contains("3 refused requests"),
        "{}",
        mail.body_text
    );
    assert!(
        mail.body_text.contains("security-events?account_id="),
        "{}",
        mail.body_text
    );
}

#[actix_rt::test]
async fn throttled_sign_ins_are_recorded_once_a_window_and_raise_no_alert() {
    let app = spawn_app_with_limits(homeward::limits::Limits {
        refusal_alert: homeward::limits::RefusalAlert {
            threshold: NonZeroU32::new(3).unwrap(),
            window: std::time::Duration::from_secs(15 * 60),
        },
        ..test_limits()
    })
    .await;
    let (admin, _) = app.login(ADMIN).await;
    let (email, _) = demo_user("officer");
    // Ten wrong passwords for one account from one address, then the throttle: cheap
    // for an attacker, so many more of them must not fill the log or flood the admins.
    let mut throttled = 0;
    for _ in 0..25 {
        if app.login_reply(email, "not the password").await.status == 429 {
            throttled += 1;
        }
    }
    assert_eq!(throttled, 15);
    let failed = events(&app, &admin, &format!("email={email}&kind=login_failed")).await;
    assert_eq!(failed.len(), 10);
    let held = events(&app, &admin, "kind=login_throttled").await;
    assert_eq!(held.len(), 1, "{held:?}");
    // Ten failed sign-ins passed the threshold of three: one alert, for the account.
    let alerts = count(
        &app,
        "SELECT count(DISTINCT record_id) AS n FROM outbox WHERE event = 'security_alert' AND $1 <> ''",
        "x",
    )
    .await;
    assert_eq!(alerts, 1);
}

#[actix_rt::test]
async fn a_checkpoint_file_cut_short_is_reported_not_a_server_error() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let first = app
        .call("POST", "/api/v1/audit/checkpoints", Some(&admin), None)
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&app.audit_checkpoints)
            .unwrap();
        f.write_all(b"{\"seq\":7,\"head_h").unwrap();
    }
    let r = verify(&app, &admin).await;
    assert_eq!(r["valid"], false, "{r}");
    assert_eq!(r["checkpoints"]["rewritten_by_seq"], Value::Null, "{r}");
    assert!(r["reason"].as_str().unwrap().contains("line 2"), "{r}");
    // The next checkpoint starts on a line of its own and verifies.
    let next = app
        .call("POST", "/api/v1/audit/checkpoints", Some(&admin), None)
        .await;
    assert_eq!(next.status, 201, "{}", next.body);
    let listed = app
        .call("GET", "/api/v1/audit/checkpoints", Some(&admin), None)
        .await;
    assert_eq!(
        listed.body["items"].as_array().unwrap().len(),
        2,
        "{}",
        listed.body
    );
}

async fn change_password(
    app: &TestApp,
    token: &str,
    current: &str,
    new: &str,
) -> crate::helpers::Reply {
    app.call(
        "POST",
        "/api/v1/me/password",
        Some(token),
        Some(json!({ "current_password": current, "new_password": new })),
    )
    .await
}

#[actix_rt::test]
async fn every_role_changes_its_own_password_and_its_other_sessions_end() {
    let app = spawn_app().await;
    let mut changed = Vec::new();
    for (role, email, password) in DEMO_USERS {
        let (this, _) = app.login((email, password)).await;
        let (other, other_refresh) = app.login((email, password)).await;
        let new = format!("a brand new passphrase for {role}");
        let r = change_password(&app, &this, password, &new).await;
        assert_eq!(r.status, 204, "{role}: {}", r.body);
        // This session goes on; the other one ended, refresh token and all.
        assert_eq!(
            app.call("GET", "/api/v1/me", Some(&this), None)
                .await
                .status,
            200,
            "{role}"
        );
        assert_eq!(
            app.call("GET", "/api/v1/me", Some(&other), None)
                .await
                .status,
            401,
            "{role}"
        );
        let refresh = app
            .call(
                "POST",
                "/api/v1/auth/refresh",
                None,
                Some(json!({ "refresh_token": other_refresh })),
            )
            .await;
        assert_eq!(refresh.status, 401, "{role}");
        assert_eq!(app.login_reply(email, password).await.status, 401, "{role}");
        assert_eq!(app.login_reply(email, &new).await.status, 200, "{role}");
        changed.push((*role, my_id(&app, &this).await, new));
    }
    // Each audited as an alteration of the account, by its owner.
    let (_, _, admin_password) = changed.iter().find(|(r, ..)| *r == "admin").unwrap();
    let (admin, _) = app.login((ADMIN.0, admin_password)).await;
    for (role, id, _) in &changed {
        let log = app
            .call(
                "GET",
                &format!(
                    "/api/v1/audit?record_id={}&operation=alteration",
                    id.as_str().unwrap()
                ),
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(log.status, 200, "{}", log.body);
        let items = log.body["items"].as_array().unwrap();
        assert!(
            items.iter().any(|e| e["actor_id"] == *id),
            "{role}: {}",
            log.body
        );
    }
}

#[actix_rt::test]
async fn a_wrong_current_password_or_a_weak_new_one_changes_nothing_and_guessing_is_throttled() {
    let app = spawn_app().await;
    let (email, password) = MFHC;
    let (token, _) = app.login(MFHC).await;
    let wrong = change_password(
        &app,
        &token,
        "not my password",
        "a perfectly good passphrase",
    )
    .await;
    assert_eq!(
        wrong.problem(400)["errors"][0]["field"],
        "current_password",
        "{}",
        wrong.body
    );
    let weak = change_password(&app, &token, password, "password1234").await;
    assert_eq!(
        weak.problem(400)["errors"][0]["field"],
        "new_password",
        "{}",
        weak.body
    );
    let same = change_password(&app, &token, password, password).await;
    assert_eq!(
        same.problem(400)["errors"][0]["field"],
        "new_password",
        "{}",
        same.body
    );
    assert_eq!(app.login_reply(email, password).await.status, 200);
    // Ten guesses at the current password a window (one above; a refused new password is
    // no guess), then 429 even with the right one.
    for _ in 0..9 {
        let r = change_password(&app, &token, "still wrong", "a perfectly good passphrase").await;
        assert_eq!(r.status, 400, "{}", r.body);
    }
    let r = change_password(&app, &token, password, "a perfectly good passphrase").await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.header("retry-after").is_some());
    assert_eq!(app.login_reply(email, password).await.status, 200);
}

#[actix_rt::test]
async fn an_admin_reset_ends_every_session_and_allows_nothing_but_a_change() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    let user = app
        .create_user(&admin, "reset.me@example.org", "mfhc", json!({}))
        .await;
    let id = user["id"].as_str().unwrap().to_owned();
    let (before, _) = app
        .login(("reset.me@example.org", "a long test passphrase"))
        .await;

    let reset = app
        .call(
            "POST",
            &format!("/api/v1/users/{id}/password-reset"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(reset.status, 200, "{}", reset.body);
    assert_eq!(reset.body["user"]["must_change_password"], true);
    let temporary = reset.body["temporary_password"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(temporary.len(), 24, "{temporary}");
    assert_eq!(reset.header("cache-control").as_deref(), Some("no-store"));

    // Every session ended; the old password no longer works.
    assert_eq!(
        app.call("GET", "/api/v1/me", Some(&before), None)
            .await
            .status,
        401
    );
    assert_eq!(
        app.login_reply("reset.me@example.org", "a long test passphrase")
            .await
            .status,
        401
    );

    // The temporary password signs in, to change it and nothing else.
    let (after, _) = app.login(("reset.me@example.org", &temporary)).await;
    let refused = app.call("GET", "/api/v1/persons", Some(&after), None).await;
    assert_eq!(
        refused.problem(403)["type"],
        "/problems/password-change-required",
        "{}",
        refused.body
    );
    let me = app.call("GET", "/api/v1/me", Some(&after), None).await;
    assert_eq!(me.body["must_change_password"], true, "{}", me.body);
    let changed = change_password(&app, &after, &temporary, "my own new passphrase").await;
    assert_eq!(changed.status, 204, "{}", changed.body);
    assert_eq!(
        app.call("GET", "/api/v1/persons", Some(&after), None)
            .await
            .status,
        200
    );
    assert_eq!(
        app.call("GET", "/api/v1/me", Some(&after), None).await.body["must_change_password"],
        false
    );
    // Being asked to change a password is not probing: no refusal is recorded (only the
    // sign-in with the old password above).
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let ev = events(&app, &admin, &format!("account_id={id}")).await;
    let kinds: Vec<&Value> = ev.iter().map(|e| &e["kind"]).collect();
    assert_eq!(kinds, [&json!("login_failed")], "{ev:?}");

    // Audited: the administrator's reset and the owner's change.
    let log = app
        .call(
            "GET",
            &format!("/api/v1/audit?record_id={id}&operation=alteration"),
            Some(&admin),
            None,
        )
        .await;
    let actors: Vec<&Value> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["actor_id"])
        .collect();
    let admin_id = my_id(&app, &admin).await;
    assert!(actors.contains(&&admin_id), "{}", log.body);
    assert!(actors.contains(&&json!(id)), "{}", log.body);

    // An administrator resets others, not themselves.
    let own = app
        .call(
            "POST",
            &format!(
                "/api/v1/users/{}/password-reset",
                admin_id.as_str().unwrap()
            ),
            Some(&admin),
            None,
        )
        .await;
    own.problem(409);
}

/// A new MFHC account, then reset by the demo administrator: its temporary password.
pub(crate) async fn a_user_reset_by_an_admin(app: &TestApp, email: &str) -> String {
    let (admin, _) = app.login(ADMIN).await;
    let user = app.create_user(&admin, email, "mfhc", json!({})).await;
    let reset = app
        .call(
            "POST",
            &format!(
                "/api/v1/users/{}/password-reset",
                user["id"].as_str().unwrap()
            ),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(reset.status, 200, "{}", reset.body);
    reset.body["temporary_password"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[actix_rt::test]
async fn after_a_reset_the_web_asks_for_a_new_password_first() {
    let app = crate::helpers::spawn_web_app().await;
    let temporary = a_user_reset_by_an_admin(&app, "web.reset@example.org").await;
    let mut web = WebClient::new(&app);
    let signed_in = web
        .sign_in(("web.reset@example.org", &temporary), "/worklist")
        .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    // Every page, even one that reads nothing, sends the user to choose a password first.
    for page in ["/worklist", "/persons/new", "/"] {
        let r = web.get(page).await;
        assert_eq!(r.status, 303, "{page}");
        assert_eq!(r.header("location"), "/account/password?reset=1", "{page}");
    }
    let form = web.get("/account/password?reset=1").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form
        .body
        .contains("An administrator has reset your password"));
    let csrf = form.field("_csrf");
    let mismatch = web
        .post(
            "/account/password",
            &[
                ("_csrf", &csrf),
                ("current-password", &temporary),
                ("new-password", "my own web passphrase"),
                ("confirm-password", "something else entirely"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, 400);
    assert!(mismatch.body.contains("different"), "{}", mismatch.body);
    let done = web
        .post(
            "/account/password",
            &[
                ("_csrf", &csrf),
                ("current-password", &temporary),
                ("new-password", "my own web passphrase"),
                ("confirm-password", "my own web passphrase"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.header("location"), "/account/password?changed=1");
    assert_eq!(web.get("/worklist").await.status, 200);
    assert_eq!(
        app.login_reply("web.reset@example.org", "my own web passphrase")
            .await
            .status,
        200
    );
}
