//! Restriction of processing (DPA 2018 s.46) and rectification notes (s.47): a restricted
//! person's records are read-only for everyone, hidden from every list and dataset row,
//! read one at a time only with a stated reason, and the database itself holds to it;
//! lifting is recorded; a rectification note links the request to the changes it made.

use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use serde_json::{json, Value};

use crate::episodes::{person, report, BRADFORD_MFHC};
use crate::helpers::{demo_user, spawn_app, TestApp, ADMIN, MFHC};

async fn restrict(app: &TestApp, dpo: &str, person: &Value) -> Value {
    let r = app
        .call(
            "POST",
            "/api/v1/restrictions",
            Some(dpo),
            Some(json!({ "person_id": person["id"],
                         "reason": "Accuracy contested by the data subject's solicitor" })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

fn ids(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["id"].as_str().map(str::to_owned))
        .collect()
}

#[actix_rt::test]
async fn a_restricted_record_is_read_only_hidden_from_lists_and_read_only_with_a_stated_reason() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let (dpo, _) = app.login(demo_user("dpo")).await;
    let (admin, _) = app.login(ADMIN).await;
    let p = person(&app, &mfhc, "Casey", "Contested", &[]).await;
    let pid = p["id"].as_str().unwrap().to_owned();
    let e = report(&app, &mfhc, &p["id"], 4).await;
    let eid = e["id"].as_str().unwrap().to_owned();
    let first_time = |token: String| {
        let app = &app;
        async move {
            let r = app
                .call(
                    "GET",
                    "/api/v1/datasets/first-time-missing-children",
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
            r.body
        }
    };
    let csc = crate::role_matrix::agency(&app, &admin, crate::web::CSC_LEEDS).await;
    let share = app
        .call(
            "POST",
            "/api/v1/shares",
            Some(&mfhc),
            Some(crate::role_matrix::share_body(&e["id"], &csc)),
        )
        .await;
    assert_eq!(share.status, 201, "{}", share.body);
    let share_id = share.body["id"].as_str().unwrap().to_owned();
    let before = first_time(mfhc.clone()).await;
    assert!(before["children"].to_string().contains(&eid), "{before}");

    let r = restrict(&app, &dpo, &p).await;
    assert_eq!(r["in_force"], true);
    assert_eq!(r["given_name"], "Casey");
    let rid = r["id"].as_str().unwrap().to_owned();
    // One restriction in force at a time.
    let again = app
        .call(
            "POST",
            "/api/v1/restrictions",
            Some(&dpo),
            Some(json!({ "person_id": pid, "reason": "Again" })),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(again.body["conflicting"][0]["id"], rid.as_str());

    // Hidden from every list and dataset row; the counts still include it.
    let people = app
        .call("GET", "/api/v1/persons?name=Contested", Some(&mfhc), None)
        .await;
    assert_eq!(people.status, 200, "{}", people.body);
    assert!(!ids(&people.body).contains(&pid), "{}", people.body);
    let episodes = app
        .call("GET", "/api/v1/episodes?limit=200", Some(&mfhc), None)
        .await;
    assert!(!ids(&episodes.body).contains(&eid), "{}", episodes.body);
    let shares = app
        .call("GET", "/api/v1/shares?limit=200", Some(&mfhc), None)
        .await;
    assert_eq!(shares.status, 200, "{}", shares.body);
    assert!(!ids(&shares.body).contains(&share_id), "{}", shares.body);
    let one_share = app
        .call(
            "GET",
            &format!("/api/v1/shares/{share_id}"),
            Some(&mfhc),
            None,
        )
        .await;
    assert_eq!(one_share.status, 403, "{}", one_share.body);
    let revoked = app
        .call_with_purpose(
            "POST",
            &format!("/api/v1/shares/{share_id}/revoke"),
            &mfhc,
            "Consent withdrawn",
            None,
            Some(json!({ "reason": "Consent withdrawn" })),
        )
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    let after = first_time(mfhc.clone()).await;
    assert!(!after["children"].to_string().contains(&eid), "{after}");
    assert_eq!(before["summary"], after["summary"]);
    // A list asked for with a reason still hides it: a reason opens one record, not lists.
    let with_reason = app
        .call_with_purpose(
            "GET",
            "/api/v1/persons?name=Contested",
            &mfhc,
            "Checking",
            None,
            None,
        )
        .await;
    assert!(
        !ids(&with_reason.body).contains(&pid),
        "{}",
        with_reason.body
    );

    // One record, without a reason: refused, saying why (to those who could read it).
    for path in [
        format!("/api/v1/persons/{pid}"),
        format!("/api/v1/episodes/{eid}"),
    ] {
        let r = app.call("GET", &path, Some(&mfhc), None).await;
        assert_eq!(r.status, 403, "{path}: {}", r.body);
        assert_eq!(r.body["type"], "/problems/restricted", "{}", r.body);
    }
    // Another district's coordinator could never see the episode: still just 404.
    let (bradford, _) = app.login(BRADFORD_MFHC).await;
    let elsewhere = app
        .call(
            "GET",
            &format!("/api/v1/episodes/{eid}"),
            Some(&bradford),
            None,
        )
        .await;
    assert_eq!(elsewhere.status, 404, "{}", elsewhere.body);

    // With a stated reason: read, and the reason is on the audit log.
    let why = "Welfare concern reported by school";
    let read = app
        .call_with_purpose(
            "GET",
            &format!("/api/v1/episodes/{eid}"),
            &mfhc,
            why,
            None,
            None,
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
    let person_read = app
        .call_with_purpose(
            "GET",
            &format!("/api/v1/persons/{pid}"),
            &mfhc,
            why,
            None,
            None,
        )
        .await;
    assert_eq!(person_read.status, 200, "{}", person_read.body);
    let log = app
        .call(
            "GET",
            &format!("/api/v1/audit?record_id={eid}&operation=consultation"),
            Some(&admin),
            None,
        )
        .await;
    assert!(
        log.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["purpose"] == why),
        "{}",
        log.body
    );

    // Read-only for everyone, reason or not.
    let version = &person_read.body["version"];
    let edit = app
        .call_with_purpose(
            "PATCH",
            &format!("/api/v1/persons/{pid}"),
            &mfhc,
            why,
            Some(version),
            Some(json!({ "ethnicity": "Not stated" })),
        )
        .await;
    assert_eq!(edit.status, 403, "{}", edit.body);
    assert_eq!(edit.body["type"], "/problems/restricted");
    let status = app
        .call_with_purpose(
            "POST",
            &format!("/api/v1/episodes/{eid}/status"),
            &mfhc,
            why,
            Some(&read.body["version"]),
            Some(json!({ "status": "active" })),
        )
        .await;
    assert_eq!(status.status, 403, "{}", status.body);
    let marker = app
        .call(
            "POST",
            &format!("/api/v1/persons/{pid}/markers"),
            Some(&mfhc),
            Some(json!({ "kind": "self_harm", "source": "GP", "review_on": "2030-01-01" })),
        )
        .await;
    assert_eq!(marker.status, 403, "{}", marker.body);
    assert_eq!(marker.body["type"], "/problems/restricted");

    // The data protection officer's list is the one that shows it.
    let listed = app
        .call(
            "GET",
            "/api/v1/restrictions?in_force=true",
            Some(&dpo),
            None,
        )
        .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert!(ids(&listed.body).contains(&rid), "{}", listed.body);

    // Lifted, with the reason: listed, readable and editable again.
    let lifted = app
        .call(
            "POST",
            &format!("/api/v1/restrictions/{rid}/lift"),
            Some(&dpo),
            Some(json!({ "reason": "Records checked and found accurate" })),
        )
        .await;
    assert_eq!(lifted.status, 200, "{}", lifted.body);
    assert_eq!(lifted.body["in_force"], false);
    assert_eq!(
        lifted.body["lift_reason"],
        "Records checked and found accurate"
    );
    let twice = app
        .call(
            "POST",
            &format!("/api/v1/restrictions/{rid}/lift"),
            Some(&dpo),
            Some(json!({ "reason": "Again" })),
        )
        .await;
    assert_eq!(twice.status, 409, "{}", twice.body);
    let people = app
        .call("GET", "/api/v1/persons?name=Contested", Some(&mfhc), None)
        .await;
    assert!(ids(&people.body).contains(&pid), "{}", people.body);
    let fresh = app
        .call("GET", &format!("/api/v1/persons/{pid}"), Some(&mfhc), None)
        .await;
    assert_eq!(fresh.status, 200, "{}", fresh.body);
    let edit = app
        .call_if_match(
            "PATCH",
            &format!("/api/v1/persons/{pid}"),
            &mfhc,
            &fresh.body["version"],
            json!({ "ethnicity": "Not stated" }),
        )
        .await;
    assert_eq!(edit.status, 200, "{}", edit.body);
    // Placing and lifting are on the audit log.
    let log = app
        .call(
            "GET",
            &format!("/api/v1/audit?record_id={rid}"),
            Some(&admin),
            None,
        )
        .await;
    let ops: Vec<&str> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["operation"].as_str())
        .collect();
    assert!(
        ops.contains(&"collection") && ops.contains(&"alteration"),
        "{ops:?}"
    );
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Who {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    district: String,
}

/// The same rules with the service out of the way: the runtime role, with a coordinator's
/// claims, sees the restricted person only with a reason and can change nothing of theirs.
#[actix_rt::test]
async fn the_database_itself_hides_a_restricted_record_and_refuses_changes_to_it() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let (dpo, _) = app.login(demo_user("dpo")).await;
    let p = person(&app, &mfhc, "Dana", "Database", &[]).await;
    let pid = p["id"].as_str().unwrap().to_owned();
    let e = report(&app, &mfhc, &p["id"], 4).await;
    let eid = e["id"].as_str().unwrap().to_owned();
    restrict(&app, &dpo, &p).await;
    let free = person(&app, &mfhc, "Frankie", "Free", &[]).await;
    let free_episode = report(&app, &mfhc, &free["id"], 4).await;

    let mut su = app.superuser().await;
    let who: Who = diesel::sql_query(
        "SELECT id::text AS id, district_id::text AS district FROM users WHERE email = $1",
    )
    .bind::<Text, _>(MFHC.0)
    .get_result(&mut su)
    .await
    .unwrap();
    let mut conn = AsyncPgConnection::establish(&app.app_url).await.unwrap();
    let claims = format!(
        "BEGIN; SELECT set_config('homeward.user_id', '{}', true), set_config('homeward.role', 'mfhc', true),
                set_config('homeward.district_id', '{}', true), set_config('homeward.agency_id', '', true);",
        who.id, who.district
    );
    conn.batch_execute(&claims).await.unwrap();
    let seen = |sql: String| diesel::sql_query(sql);
    for table in ["persons", "episodes"] {
        let id = if table == "persons" { &pid } else { &eid };
        let n: Count = seen(format!(
            "SELECT count(*) AS n FROM {table} WHERE id = '{id}'"
        ))
        .get_result(&mut conn)
        .await
        .unwrap();
        assert_eq!(n.n, 0, "{table} without a reason");
    }
    conn.batch_execute("SELECT set_config('homeward.access_reason', 'Welfare check', true)")
        .await
        .unwrap();
    let n: Count = seen(format!(
        "SELECT count(*) AS n FROM episodes WHERE id = '{eid}'"
    ))
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(n.n, 1, "with a reason");
    let err = conn
        .batch_execute(&format!(
            "UPDATE episodes SET circumstances = 'changed' WHERE id = '{eid}'"
        ))
        .await
        .expect_err("a restricted record is read-only");
    assert!(err.to_string().contains("restricted"), "{err}");
    conn.batch_execute("ROLLBACK").await.unwrap();
    // Who may read an episode is kept from its transfers, never written by a request.
    conn.batch_execute(&claims).await.unwrap();
    let err = conn
        .batch_execute(&format!(
            "UPDATE episodes SET former_district_ids = ARRAY[gen_random_uuid()] WHERE id = '{}'",
            free_episode["id"].as_str().unwrap()
        ))
        .await
        .expect_err("former districts are the transfers'");
    assert!(err.to_string().contains("former districts"), "{err}");
    conn.batch_execute("ROLLBACK").await.unwrap();
    // Nor may anyone but a data protection officer lift the flag itself.
    conn.batch_execute(&claims).await.unwrap();
    conn.batch_execute("SELECT set_config('homeward.access_reason', 'x', true)")
        .await
        .unwrap();
    let err = conn
        .batch_execute(&format!(
            "UPDATE persons SET restricted = false WHERE id = '{pid}'"
        ))
        .await
        .expect_err("the flag is the dpo's");
    assert!(err.to_string().contains("restricted"), "{err}");
    conn.batch_execute("ROLLBACK").await.unwrap();
}

#[actix_rt::test]
async fn a_rectification_note_links_the_request_to_the_changes_it_made() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let (dpo, _) = app.login(demo_user("dpo")).await;
    let p = person(&app, &mfhc, "Riley", "Rectified", &[]).await;
    let pid = p["id"].as_str().unwrap().to_owned();
    let other = person(&app, &mfhc, "Someone", "Else", &[]).await;
    // The wrong date of birth is corrected through the normal edit.
    let fixed = app
        .call_if_match(
            "PATCH",
            &format!("/api/v1/persons/{pid}"),
            &mfhc,
            &p["version"],
            json!({ "date_of_birth": "2011-04-12" }),
        )
        .await;
    assert_eq!(fixed.status, 200, "{}", fixed.body);
    let changes = app
        .call(
            "GET",
            &format!("/api/v1/persons/{pid}/changes"),
            Some(&dpo),
            None,
        )
        .await;
    assert_eq!(changes.status, 200, "{}", changes.body);
    let alteration = changes
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["operation"] == "alteration")
        .unwrap_or_else(|| panic!("{}", changes.body))
        .clone();
    let other_changes = app
        .call(
            "GET",
            &format!("/api/v1/persons/{}/changes", other["id"].as_str().unwrap()),
            Some(&dpo),
            None,
        )
        .await;
    let foreign = other_changes.body[0]["seq"].clone();
    assert!(foreign.is_i64(), "{}", other_changes.body);

    // A change to someone else's record is not this request's.
    let bad = app
        .call(
            "POST",
            &format!("/api/v1/persons/{pid}/rectification-notes"),
            Some(&dpo),
            Some(
                json!({ "request": "Letter of 2 December: date of birth wrong",
                         "outcome": "Corrected", "audit_seqs": [alteration["seq"], foreign] }),
            ),
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert_eq!(bad.body["errors"][0]["field"], "audit_seqs");

    let note = app
        .call(
            "POST",
            &format!("/api/v1/persons/{pid}/rectification-notes"),
            Some(&dpo),
            Some(
                json!({ "request": "Letter of 2 December: date of birth wrong",
                         "outcome": "Date of birth corrected", "audit_seqs": [alteration["seq"]] }),
            ),
        )
        .await;
    assert_eq!(note.status, 201, "{}", note.body);
    assert_eq!(note.body["changes"][0]["seq"], alteration["seq"]);
    assert_eq!(note.body["changes"][0]["actor_role"], "mfhc");
    let notes = app
        .call(
            "GET",
            &format!("/api/v1/persons/{pid}/rectification-notes"),
            Some(&dpo),
            None,
        )
        .await;
    assert_eq!(notes.status, 200, "{}", notes.body);
    assert_eq!(notes.body.as_array().unwrap().len(), 1);
    // Only data protection officers keep them.
    let refused = app
        .call(
            "GET",
            &format!("/api/v1/persons/{pid}/rectification-notes"),
            Some(&mfhc),
            None,
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    // The subject's access request shows the note, and any restriction.
    let sar = app
        .call(
            "POST",
            "/api/v1/subject-access-requests",
            Some(&dpo),
            Some(json!({ "person_ids": [pid], "requester": "The data subject", "reason": "All" })),
        )
        .await;
    assert_eq!(sar.status, 201, "{}", sar.body);
    assert_eq!(
        sar.body["bundle"]["rectification_notes"][0]["id"],
        note.body["id"]
    );
    assert!(sar.body["bundle"]["restrictions"].is_array());
}

/// A report goes to Postgres in pipelines (the episode, its first grading and the trigger
/// evaluation's reads in one round trip). When the database refuses the episode, the
/// caller is told that refusal, not the aborted transaction the statements after it met,
/// and nothing of the report is kept.
#[actix_rt::test]
async fn a_report_the_database_refuses_mid_pipeline_gets_that_refusal_and_keeps_nothing() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(MFHC).await;
    let (dpo, _) = app.login(demo_user("dpo")).await;
    let p = person(&app, &mfhc, "Robin", "Refused", &[]).await;
    restrict(&app, &dpo, &p).await;
    // With a stated reason the person can be read and locked; the episode's own insert
    // is what the restriction refuses.
    let r = app
        .call_with_purpose(
            "POST",
            "/api/v1/episodes",
            &mfhc,
            "Reported missing by her mother",
            None,
            Some(crate::episodes::report_body(&p["id"], 1)),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.body["type"], "/problems/restricted", "{}", r.body);

    let mut su = app.superuser().await;
    for (what, sql) in [
        (
            "episodes",
            "SELECT count(*) AS n FROM episodes WHERE person_id = $1::uuid",
        ),
        (
            "gradings",
            "SELECT count(*) AS n FROM risk_gradings g JOIN episodes e ON e.id = g.episode_id \
              WHERE e.person_id = $1::uuid",
        ),
        (
            "episode audit rows",
            "SELECT (SELECT count(*) FROM audit_log WHERE record_type = 'episode' \
                        AND $1::uuid = ANY (record_ids)) \
                  + (SELECT count(*) FROM audit_queue WHERE record_type = 'episode' \
                        AND $1::uuid = ANY (record_ids)) AS n",
        ),
    ] {
        let n: Count = diesel::sql_query(sql)
            .bind::<Text, _>(p["id"].as_str().unwrap())
            .get_result(&mut su)
            .await
            .unwrap();
        assert_eq!(n.n, 0, "{what} kept from a refused report");
    }
}
