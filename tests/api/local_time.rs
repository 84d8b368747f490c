//! The force's local time: a report at 00:30 BST on 1 June is June's, across both clock
//! changes, and a child turns 18 at local midnight, in the datasets and the measures alike
//! (the SQL and the Rust reference cut the same way).

use std::sync::atomic::{AtomicUsize, Ordering};

use diesel_async::SimpleAsyncConnection;
use serde_json::{json, Value};

use crate::helpers::{demo_user, spawn_app, TestApp, ADMIN};

fn s(v: &Value) -> String {
    v.as_str().expect("a string").to_owned()
}

/// A Leeds person (born `dob`) with closed episodes reported at each UTC time (last seen
/// `seen_hours` earlier), straight into the database.
async fn person_with(app: &TestApp, family: &str, dob: &str, reported: &[(&str, i32)]) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    let id = uuid::Uuid::new_v4();
    let mut sql = format!(
        "INSERT INTO persons (id, given_name, family_name, search_names, date_of_birth, created_by)
         SELECT '{id}', 'Local', '{family}', 'local {lower}', '{dob}', id FROM users
          WHERE email = 'mfhc.leeds@demo.homeward.invalid';",
        lower = family.to_lowercase()
    );
    for (at, seen_hours) in reported {
        sql.push_str(&format!(
            "INSERT INTO episodes (id, reference, person_id, district_id, status, reported_at, reported_by,
                                   last_seen_at, last_seen_location, missing_from, risk_level, created_by,
                                   closed_at, closed_by, no_interview_reason)
             SELECT gen_random_uuid(), 'LDS-2026-9{n:05}', '{id}', d.id, 'closed', '{at}', 'parent',
                    timestamptz '{at}' - interval '{seen_hours} hours', 'x', 'home', 'low', u.id,
                    timestamptz '{at}' + interval '1 day', u.id, 'test data'
               FROM districts d, users u
              WHERE d.code = 'LDS' AND u.email = 'mfhc.leeds@demo.homeward.invalid';",
            n = NEXT.fetch_add(1, Ordering::Relaxed),
        ));
    }
    app.superuser().await.batch_execute(&sql).await.unwrap();
    id.to_string()
}

async fn first_time(app: &TestApp, token: &str, month: &str) -> Vec<String> {
    let r = app
        .call(
            "GET",
            &format!("/api/v1/datasets/first-time-missing-children?month={month}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mut ids: Vec<String> = r.body["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| s(&c["person_id"]))
        .collect();
    ids.sort();
    ids
}

#[actix_rt::test]
async fn days_months_and_birthdays_are_cut_in_the_forces_local_time() {
    let app = spawn_app().await;
    let (sup, _) = app.login(demo_user("supervisor")).await;
    // 00:30 BST on 1 June 2026.
    let june = person_with(&app, "June", "2012-01-01", &[("2026-05-31 23:30:00+00", 2)]).await;
    // 23:30 BST on 31 May.
    let may = person_with(&app, "May", "2012-01-01", &[("2026-05-31 22:30:00+00", 2)]).await;
    // Turns 18 on 1 June 2026: at 00:30 BST that day an adult, so never a first-time
    // child; an hour earlier still a child.
    let adult = person_with(
        &app,
        "Eighteen",
        "2008-06-01",
        &[("2026-05-31 23:30:00+00", 2)],
    )
    .await;
    let child = person_with(
        &app,
        "Seventeen",
        "2008-06-01",
        &[("2026-05-31 22:30:00+00", 2)],
    )
    .await;
    // Clocks forward (29 March 2026, 01:00 GMT): 00:30 GMT on the 29th is March's; 23:30
    // UTC on 31 March is 00:30 BST on 1 April.
    let march = person_with(
        &app,
        "March",
        "2012-01-01",
        &[("2026-03-29 00:30:00+00", 2)],
    )
    .await;
    let april = person_with(
        &app,
        "April",
        "2012-01-01",
        &[("2026-03-31 23:30:00+00", 2)],
    )
    .await;
    // Clocks back (25 October 2026, 02:00 BST): 23:30 UTC on 24 October is 00:30 BST on
    // the 25th; 23:30 UTC on 31 October is 23:30 GMT, still October.
    let october = person_with(
        &app,
        "October",
        "2012-01-01",
        &[("2026-10-24 23:30:00+00", 2), ("2026-10-31 23:30:00+00", 2)],
    )
    .await;

    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(
        first_time(&app, &sup, "2026-06").await,
        sorted(vec![june.clone()])
    );
    assert_eq!(
        first_time(&app, &sup, "2026-05").await,
        sorted(vec![may, child])
    );
    assert!(!first_time(&app, &sup, "2026-06").await.contains(&adult));
    assert_eq!(first_time(&app, &sup, "2026-03").await, vec![march]);
    assert_eq!(first_time(&app, &sup, "2026-04").await, vec![april]);
    assert_eq!(
        first_time(&app, &sup, "2026-10").await,
        vec![october.clone()]
    );
    assert!(first_time(&app, &sup, "2026-11").await.is_empty());

    // The children series counts by local month too: October's child went missing twice
    // in October (local), none in November.
    let r = app
        .call(
            "GET",
            "/api/v1/datasets/children-rolling-average?to=2026-11&months=7",
            Some(&sup),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let month = |m: &str| {
        r.body["points"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["month"] == m)
            .map(|p| {
                (
                    p["force"]["children"].clone(),
                    p["force"]["episodes"].clone(),
                )
            })
            .unwrap()
    };
    assert_eq!(month("2026-06"), (json!(1), json!(1)), "June's child only");
    assert_eq!(month("2026-05"), (json!(2), json!(2)), "May's two children");
    assert_eq!(month("2026-10"), (json!(1), json!(2)));
    assert_eq!(month("2026-11"), (json!(0), json!(0)));
}

#[actix_rt::test]
async fn the_measure_windows_and_episode_start_follow_local_time_and_the_definition() {
    let app = spawn_app().await;
    let (admin, _) = app.login(ADMIN).await;
    // One month windows, counting from the report.
    let v2 = app
        .call("PUT", "/api/v1/measures/definition", Some(&admin), Some(json!({
            "repeat_threshold": 2, "window_months": 1, "count_hospital": true, "note": "One month" })))
        .await;
    assert_eq!(v2.status, 201, "{}", v2.body);
    assert_eq!(v2.body["episode_start"], "reported");
    assert_eq!(v2.body["time_zone"], "Europe/London");
    // Reported 00:30 BST on 1 June and on 10 June: repeat missing in June, not in May.
    person_with(
        &app,
        "Repeat",
        "2012-01-01",
        &[("2026-05-31 23:30:00+00", 2), ("2026-06-10 12:00:00+00", 2)],
    )
    .await;
    // Last seen on 20 May and at 22:00 BST on 31 May, reported at 09:00 BST on 1 June:
    // repeat missing in May if episodes start when last seen, else in neither month.
    person_with(
        &app,
        "Seen",
        "2012-01-01",
        &[
            ("2026-05-20 12:00:00+00", 1),
            ("2026-06-01 08:00:00+00", 11),
        ],
    )
    .await;
    let children = |r: &Value, i: usize| r["points"][i]["children"]["force"]["value"].clone();
    // A supervisor reads every count (an administrator, who sees no names, would have
    // these small ones withheld).
    let (reader, _) = app.login(demo_user("supervisor")).await;
    let get = |q: &'static str| {
        let app = &app;
        let admin = reader.clone();
        async move {
            let r = app
                .call(
                    "GET",
                    &format!("/api/v1/measures/repeat-missing?{q}"),
                    Some(&admin),
                    None,
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
            r.body
        }
    };
    // Month ends come from the kept state; 15 June is computed live.
    let r = get("from=2026-05-31&to=2026-06-30&granularity=month").await;
    assert_eq!(
        (children(&r, 0), children(&r, 1)),
        (json!(0), json!(1)),
        "{r}"
    );
    let live = get("period_end=2026-06-15").await;
    assert_eq!(
        children(&live, 0),
        json!(2),
        "[16 May, 16 June) local holds both persons' two"
    );

    let v3 = app
        .call(
            "PUT",
            "/api/v1/measures/definition",
            Some(&admin),
            Some(json!({
            "repeat_threshold": 2, "window_months": 1, "count_hospital": true,
            "episode_start": "last_seen", "note": "From the last sighting" })),
        )
        .await;
    assert_eq!(v3.status, 201, "{}", v3.body);
    assert_eq!(v3.body["episode_start"], "last_seen");
    let r = get("from=2026-05-31&to=2026-06-30&granularity=month").await;
    assert_eq!(r["definition"]["episode_start"], "last_seen");
    // Repeat was last seen at 22:30 BST on 31 May and on 10 June: May and June hold one
    // each; Seen was last seen twice in May.
    assert_eq!(
        (children(&r, 0), children(&r, 1)),
        (json!(1), json!(0)),
        "{r}"
    );
    // Live, [2 May, 2 June) local by last sighting: Seen twice, Repeat once.
    let live = get("period_end=2026-06-01").await;
    assert_eq!(
        children(&live, 0),
        json!(1),
        "live, by last sighting: {live}"
    );
}

#[actix_rt::test]
async fn the_databases_zone_follows_the_services_and_a_change_rebuilds_the_kept_state() {
    use diesel::QueryableByName;
    use diesel_async::RunQueryDsl;
    #[derive(QueryableByName)]
    struct Day {
        #[diesel(sql_type = diesel::sql_types::Text)]
        zone: String,
        #[diesel(sql_type = diesel::sql_types::Date)]
        day: chrono::NaiveDate,
    }
    let app = spawn_app().await;
    let probe = "SELECT hw_force_zone() AS zone, hw_local_date('2026-05-31 16:00:00+00') AS day";
    let london = homeward::domain::local_time::ForceZone::default();
    assert!(
        !homeward::db::migrate::set_force_zone(&app.admin_url, &london)
            .await
            .unwrap(),
        "the migrations' default is the service's"
    );
    let tokyo = homeward::domain::local_time::ForceZone::parse("Asia/Tokyo").unwrap();
    assert!(
        homeward::db::migrate::set_force_zone(&app.admin_url, &tokyo)
            .await
            .unwrap()
    );
    let d: Day = diesel::sql_query(probe)
        .get_result(&mut app.superuser().await)
        .await
        .unwrap();
    assert_eq!(d.zone, "Asia/Tokyo");
    assert_eq!(d.day, chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap());
    // An unknown zone is refused and changes nothing.
    let bogus = homeward::db::migrate::set_force_zone(
        &app.admin_url,
        &homeward::domain::local_time::ForceZone(chrono_tz::Tz::Etc__GMTPlus12),
    )
    .await;
    assert!(
        bogus.is_ok(),
        "every zone chrono-tz knows, Postgres knows: {bogus:?}"
    );
    assert!(
        homeward::db::migrate::set_force_zone(&app.admin_url, &london)
            .await
            .unwrap()
    );
}
