//! Several instances on one database (issue 21): one of them does each scheduler tick,
//! and a notification that finds nobody to go to is reported once.

use std::time::{Duration, Instant};

use diesel::sql_types::{BigInt, Bool, Integer};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::helpers::{spawn_app, spawn_app_with_limits, test_limits, MFHC};

#[derive(QueryableByName)]
struct Ticks {
    #[diesel(sql_type = BigInt)]
    ticks: i64,
}

#[actix_rt::test]
async fn of_three_instances_one_takes_each_scheduler_tick() {
    let app = spawn_app().await;
    let every = Duration::from_millis(300);
    // Three claims at once, as three instances' schedulers would make them: one wins.
    let pools: Vec<_> = (0..3)
        .map(|_| homeward::db::build_pool(&app.app_url, 1).unwrap())
        .collect();
    let holders: Vec<String> = (0..3).map(|i| format!("instance-{i}")).collect();
    let claims = futures_util::future::join_all(
        pools
            .iter()
            .zip(&holders)
            .map(|(p, h)| homeward::notify::scheduler::claim(p, every, h)),
    )
    .await;
    let won = claims.iter().filter(|c| matches!(c, Ok(true))).count();
    assert_eq!(won, 1, "{claims:?}");

    // Three schedulers running side by side tick about once an interval between them,
    // not three times.
    let mut su = app.superuser().await;
    let before: Ticks = diesel::sql_query("SELECT ticks FROM scheduler_lease")
        .get_result(&mut su)
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let links = homeward::notify::Links::new("http://homeward.test");
    let started = Instant::now();
    let runs: Vec<_> = pools
        .iter()
        .map(|p| {
            actix_rt::spawn(homeward::notify::scheduler::run(
                p.clone(),
                links.clone(),
                Default::default(),
                every,
                stopped.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.send(true).unwrap();
    for r in runs {
        r.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let after: Ticks = diesel::sql_query("SELECT ticks FROM scheduler_lease")
        .get_result(&mut su)
        .await
        .unwrap();
    let ticks = after.ticks - before.ticks;
    // A tick at most every 0.9 intervals, whatever the number of instances (three
    // without the lease would make about three times as many).
    let most = (elapsed / (0.9 * every.as_secs_f64())).floor() as i64 + 1;
    assert!(
        (1..=most).contains(&ticks),
        "{ticks} ticks in {elapsed:.2} s (at most {most})"
    );
}

#[derive(QueryableByName)]
struct First {
    #[diesel(sql_type = Bool)]
    first: bool,
}

#[derive(QueryableByName)]
struct Times {
    #[diesel(sql_type = Integer)]
    times: i32,
}

#[actix_rt::test]
async fn a_notification_without_recipients_is_reported_once() {
    let app = spawn_app().await;
    let mut runtime = AsyncPgConnection::establish(&app.app_url).await.unwrap();
    let mut firsts = Vec::new();
    for _ in 0..3 {
        let f: First = diesel::sql_query(
            "SELECT hw_notification_gap('trigger_fired:nobody', 'trigger_fired') AS first",
        )
        .get_result(&mut runtime)
        .await
        .unwrap();
        firsts.push(f.first);
    }
    assert_eq!(firsts, [true, false, false]);
    let mut su = app.superuser().await;
    let t: Times = diesel::sql_query(
        "SELECT times FROM notification_gaps WHERE event_key = 'trigger_fired:nobody'",
    )
    .get_result(&mut su)
    .await
    .unwrap();
    assert_eq!(t.times, 3);
}

#[actix_rt::test]
async fn three_instances_charge_one_write_quota() {
    // 8 writes a minute, 2 at once: across all three instances, not each.
    let limits = homeward::limits::Limits {
        writes_per_minute: std::num::NonZeroU32::new(8).unwrap(),
        ..test_limits()
    };
    let app = spawn_app_with_limits(limits).await;
    let instances = [
        app.address.clone(),
        app.another_instance(limits),
        app.another_instance(limits),
    ];
    let (mfhc, _) = app.login(MFHC).await;
    let mut statuses = Vec::new();
    let mut waits = Vec::new();
    for (n, address) in instances.iter().cycle().take(6).enumerate() {
        let req = app
            .client
            .post(format!("{address}/api/v1/persons"))
            .insert_header(("Authorization", format!("Bearer {mfhc}")))
            .insert_header(("Content-Type", "application/json"));
        let body =
            serde_json::json!({ "given_name": "Quota", "family_name": format!("Shared{n}") });
        let r = app.send(req, Some(body.to_string().into_bytes())).await;
        statuses.push(r.status);
        if r.status == 429 {
            waits.push(r.header("retry-after").unwrap().parse::<u64>().unwrap());
        }
    }
    assert_eq!(statuses, [201, 201, 429, 429, 429, 429]);
    assert!(
        waits.iter().all(|w| (1..=8).contains(w)),
        "one write every 7.5 s: {waits:?}"
    );
}
