//! Early Action: the team finds or records the young people it works with and refers
//! them, without ever changing a person's record.

use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use homeward::db::{self, AuditContext, Tx};
use homeward::domain::accounts::Role;
use homeward::domain::caller::Caller;
use homeward::ids::{DistrictId, UserId};
use serde_json::json;

use crate::helpers::{demo_user, spawn_app};

#[actix_rt::test]
async fn early_action_refers_a_young_person_it_recorded_itself() {
    let app = spawn_app().await;
    let (early, _) = app.login(demo_user("early_action")).await;
    let p = app
        .call(
            "POST",
            "/api/v1/persons",
            Some(&early),
            Some(json!({ "given_name": "Daily", "family_name": "Search", "date_of_birth": "2011-02-03" })),
        )
        .await;
    assert_eq!(p.status, 201, "{}", p.body);
    let r = app
        .call(
            "POST",
            "/api/v1/referrals",
            Some(&early),
            Some(json!({ "person_id": p.body["id"], "source": "daily_search",
                         "reasons": ["first_time_missing"], "summary": "Found by the daily search",
                         "lawful_basis": "DPA 2018 s.35" })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["status"], "received");
    assert_eq!(r.body["person_id"], p.body["id"]);
    let back = app
        .call(
            "GET",
            &format!("/api/v1/referrals/{}", r.body["id"].as_str().unwrap()),
            Some(&early),
            None,
        )
        .await;
    assert_eq!(back.status, 200, "{}", back.body);

    // It may refer the person; it may not change them, through the API or in SQL.
    let patch = app
        .call_if_match(
            "PATCH",
            &format!("/api/v1/persons/{}", p.body["id"].as_str().unwrap()),
            &early,
            &p.body["version"],
            json!({ "ethnicity": "Not stated" }),
        )
        .await;
    assert_eq!(patch.status, 403, "{}", patch.body);
}

#[actix_rt::test]
async fn the_database_lets_early_action_lock_a_person_but_not_change_one() {
    let app = spawn_app().await;
    let mut su = app.superuser().await;
    #[derive(QueryableByName)]
    struct Ids {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: UserId,
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        district_id: DistrictId,
    }
    let early: Ids = diesel::sql_query(
        "SELECT id, district_id FROM users WHERE email = 'early.action.leeds@demo.homeward.invalid'",
    )
    .get_result(&mut su)
    .await
    .unwrap();
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut su,
        &format!(
            "INSERT INTO persons (id, given_name, family_name, search_names, created_by) \
             VALUES ('00000000-0000-0000-0000-0000000000b1', 'A', 'B', 'a b', '{}')",
            early.id
        ),
    )
    .await
    .unwrap();
    let pool = db::build_pool(&app.app_url, 1).unwrap();
    let mut tx = Tx::begin(&pool, AuditContext::default()).await.unwrap();
    tx.assume(Caller {
        user_id: early.id,
        role: Role::EarlyAction,
        district_id: Some(early.district_id),
        agency_id: None,
    })
    .await
    .unwrap();
    let locked = diesel_async::SimpleAsyncConnection::batch_execute(
        tx.conn(),
        "SELECT id FROM persons WHERE id = '00000000-0000-0000-0000-0000000000b1' FOR UPDATE",
    )
    .await;
    assert!(locked.is_ok(), "{locked:?}");
    let err = diesel_async::SimpleAsyncConnection::batch_execute(
        tx.conn(),
        "UPDATE persons SET ethnicity = 'x' WHERE id = '00000000-0000-0000-0000-0000000000b1'",
    )
    .await
    .expect_err("Early Action changing a person must be refused");
    assert!(err.to_string().contains("row-level security"), "{err}");
    let _ = tx
        .finish::<()>(Err(homeward::error::AppError::NotFound("x")))
        .await;
}

#[actix_rt::test]
async fn a_role_that_cannot_report_is_refused_without_waiting_for_the_persons_lock() {
    let app = spawn_app().await;
    let (mfhc, _) = app.login(crate::helpers::MFHC).await;
    let (early, _) = app.login(demo_user("early_action")).await;
    let p = crate::episodes::person(&app, &mfhc, "Lee", "Locked", &[]).await;
    // Another transaction holds the person's row, as a report or a merge in flight would.
    let mut holder = app.superuser().await;
    diesel_async::SimpleAsyncConnection::batch_execute(
        &mut holder,
        &format!(
            "BEGIN; SELECT id FROM persons WHERE id = '{}' FOR UPDATE",
            p["id"].as_str().unwrap()
        ),
    )
    .await
    .unwrap();
    // A report's first reads go with its session check, before the role is looked at. Early
    // Action cannot report, so Postgres reads and locks nothing for it, and its refusal
    // comes at once. Had its request asked for the row, it would wait behind the holder.
    let report = app.call(
        "POST",
        "/api/v1/episodes",
        Some(&early),
        Some(crate::episodes::report_body(&p["id"], 1)),
    );
    let r = actix_rt::time::timeout(std::time::Duration::from_secs(10), report)
        .await
        .expect("Early Action's report waited for a lock on the person it may not report");
    assert_eq!(r.status, 403, "{}", r.body);
    diesel_async::SimpleAsyncConnection::batch_execute(&mut holder, "COMMIT")
        .await
        .unwrap();
    // The MFHC's report of the same person, with the row free, goes through.
    let r = app
        .call(
            "POST",
            "/api/v1/episodes",
            Some(&mfhc),
            Some(crate::episodes::report_body(&p["id"], 1)),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
}
