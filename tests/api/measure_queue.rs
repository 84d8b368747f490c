//! The kept measure state is refreshed behind the writers: a report queues its person,
//! every reader of the state catches up first (so it still reads everything committed),
//! and the service catches up by itself.

use chrono::{Duration, Utc};
use diesel::sql_types::{BigInt, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use serde_json::Value;

use crate::episodes::{person, report};
use crate::helpers::{spawn_app, TestApp, MFHC};

#[derive(QueryableByName, Debug, PartialEq)]
struct Kept {
    /// Queue entries for the person.
    #[diesel(sql_type = BigInt)]
    queued: i64,
    /// The person's rows in the kept children-per-month state.
    #[diesel(sql_type = BigInt)]
    rows: i64,
}

async fn kept(su: &mut AsyncPgConnection, person: &Value) -> Kept {
    let id: uuid::Uuid = person["id"].as_str().unwrap().parse().unwrap();
    diesel::sql_query(
        "SELECT (SELECT count(*) FROM measure_pending WHERE person_id = $1) AS queued, \
                (SELECT count(*) FROM children_month_state WHERE person_id = $1) AS rows",
    )
    .bind::<SqlUuid, _>(id)
    .get_result(su)
    .await
    .unwrap()
}

async fn queued(su: &mut AsyncPgConnection) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    diesel::sql_query("SELECT count(*) AS n FROM measure_pending")
        .get_result::<N>(su)
        .await
        .unwrap()
        .n
}

/// Children who went missing this month, force-wide, from the rolling-average dataset.
async fn children_this_month(app: &TestApp, token: &str) -> u64 {
    let month = (Utc::now() - Duration::hours(1)).format("%Y-%m");
    let path = format!("/api/v1/datasets/children-rolling-average?to={month}&months=1");
    let r = app.call("GET", &path, Some(token), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["points"][0]["force"]["children"]
        .as_u64()
        .unwrap_or_else(|| panic!("no force figure: {}", r.body))
}

#[actix_rt::test]
async fn a_report_queues_its_person_and_the_next_reader_counts_it() {
    let app = spawn_app().await;
    let (t, _) = app.login(MFHC).await;
    let mut su = app.superuser().await;
    let before = children_this_month(&app, &t).await;

    let child = person(&app, &t, "Queued", "Child", &[]).await;
    report(&app, &t, &child["id"], 1).await;
    assert_eq!(
        kept(&mut su, &child).await,
        Kept { queued: 1, rows: 0 },
        "the report queued its person and left the kept state to be caught up"
    );

    assert_eq!(
        children_this_month(&app, &t).await,
        before + 1,
        "the reader caught up before reading"
    );
    assert_eq!(kept(&mut su, &child).await, Kept { queued: 0, rows: 1 });
}

#[actix_rt::test]
async fn the_service_catches_the_measure_state_up_by_itself() {
    let app = spawn_app().await;
    let (t, _) = app.login(MFHC).await;
    let mut su = app.superuser().await;
    su.batch_execute("SELECT hw_measure_catch_up(NULL)")
        .await
        .unwrap();
    let mut children = Vec::new();
    for family in ["One", "Two", "Three"] {
        let child = person(&app, &t, "Queued", family, &[]).await;
        crate::episodes::report_returned(&app, &t, &child["id"], 8).await;
        report(&app, &t, &child["id"], 1).await;
        children.push(child);
    }
    assert_eq!(queued(&mut su).await, 6, "each report queued its person");

    let pool = homeward::db::build_pool(&app.app_url, 1).unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let catching_up = tokio::spawn(homeward::services::measures::catch_up_continuously(
        pool,
        std::time::Duration::from_millis(20),
        stopped,
    ));
    for _ in 0..250 {
        if queued(&mut su).await == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    stop.send(true).unwrap();
    catching_up.await.unwrap();
    for child in &children {
        assert_eq!(
            kept(&mut su, child).await,
            Kept { queued: 0, rows: 1 },
            "{}",
            child["family_name"]
        );
    }
}
