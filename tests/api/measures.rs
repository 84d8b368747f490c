//! The repeat-missing measure: the database's figures equal the plain-Rust reference
//! (`domain::measures::repeat_missing`) on generated data, window edges, cancelled
//! episodes, transfers, merged persons and a person turning 18 inside the window.

use chrono::NaiveDate;
use diesel::sql_types::{Bool, Nullable, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use homeward::db::{self, AuditContext, Tx};
use homeward::domain::accounts::Role;
use homeward::domain::caller::Caller;
use homeward::domain::local_time::ForceZone;
use homeward::domain::measures::{group_of, AgeGroup, Definition, MeasuredEpisode};
use homeward::ids::{DistrictId, PersonId, UserId};

use crate::helpers::{spawn_app, TestApp};

/// The force's zone the test service runs in (the default).
const Z: ForceZone = ForceZone(chrono_tz::Europe::London);

#[derive(QueryableByName)]
struct Input {
    #[diesel(sql_type = SqlUuid)]
    person_id: PersonId,
    #[diesel(sql_type = SqlUuid)]
    district: DistrictId,
    #[diesel(sql_type = Timestamptz)]
    reported_at: chrono::DateTime<chrono::Utc>,
    #[diesel(sql_type = Timestamptz)]
    last_seen_at: chrono::DateTime<chrono::Utc>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Date>)]
    date_of_birth: Option<NaiveDate>,
    #[diesel(sql_type = Bool)]
    cancelled: bool,
    #[diesel(sql_type = Bool)]
    hospital: bool,
}

/// Every episode, read independently (superuser, plain SQL) for the reference.
async fn reference_inputs(app: &TestApp) -> Vec<MeasuredEpisode> {
    let mut su = app.superuser().await;
    let rows: Vec<Input> = diesel::sql_query(
        "SELECT e.person_id,
                coalesce((SELECT t.from_district_id FROM episode_transfers t WHERE t.episode_id = e.id
                           ORDER BY t.transferred_at, t.id LIMIT 1), e.district_id) AS district,
                e.reported_at, e.last_seen_at, p.date_of_birth, e.status = 'cancelled' AS cancelled,
                e.missing_from = 'hospital_or_medical' AS hospital
           FROM episodes e JOIN persons p ON p.id = e.person_id",
    )
    .load(&mut su)
    .await
    .unwrap();
    rows.into_iter()
        .map(|r| MeasuredEpisode {
            person: r.person_id,
            district: r.district,
            reported_at: r.reported_at,
            last_seen_at: r.last_seen_at,
            date_of_birth: r.date_of_birth,
            cancelled: r.cancelled,
            hospital: r.hospital,
        })
        .collect()
}

async fn analyst(app: &TestApp) -> Caller {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: UserId,
    }
    let mut su = app.superuser().await;
    let a: Id = diesel::sql_query("SELECT id FROM users WHERE role = 'analyst' LIMIT 1")
        .get_result(&mut su)
        .await
        .unwrap();
    Caller {
        user_id: a.id,
        role: Role::Analyst,
        district_id: None,
        agency_id: None,
    }
}

/// The database's counts, as the analyst (who sees no episode rows).
async fn database_counts(
    app: &TestApp,
    def: &Definition,
    period_end: NaiveDate,
) -> homeward::domain::measures::Counts {
    let pool = db::build_pool(&app.app_url, 1).unwrap();
    let mut tx = Tx::begin(&pool, AuditContext::default()).await.unwrap();
    tx.assume(analyst(app).await).await.unwrap();
    let rows = db::measures::repeat_counts(
        tx.conn(),
        def.window(period_end, &Z),
        def.repeat_threshold as i32,
        def.count_hospital,
        def.episode_start,
    )
    .await
    .unwrap();
    let _ = tx.finish::<()>(Ok(())).await;
    let mut counts = homeward::domain::measures::Counts::default();
    for r in rows {
        counts
            .by_district
            .insert((r.district_id, r.age_group), r.persons as u64);
        *counts.force.entry(r.age_group).or_default() += r.persons as u64;
    }
    counts
}

/// The pre-aggregated state's counts at each month end from `from` to `to` (inclusive), as
/// the analyst, under the current definition (`version`).
async fn state_counts(
    app: &TestApp,
    version: i32,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<(NaiveDate, homeward::domain::measures::Counts)> {
    let mut ends = vec![homeward::domain::measures::month_end(from)];
    while let Some(next) = ends.last().and_then(|e| e.succ_opt()) {
        if next > to {
            break;
        }
        ends.push(homeward::domain::measures::month_end(next));
    }
    let pool = db::build_pool(&app.app_url, 1).unwrap();
    let mut tx = Tx::begin(&pool, AuditContext::default()).await.unwrap();
    tx.assume(analyst(app).await).await.unwrap();
    let rows = db::measures::repeat_counts_at_month_ends(tx.conn(), version, &ends)
        .await
        .unwrap();
    let _ = tx.finish::<()>(Ok(())).await;
    ends.into_iter()
        .map(|end| {
            let mut counts = homeward::domain::measures::Counts::default();
            for r in rows.iter().filter(|r| r.period_end == end) {
                counts
                    .by_district
                    .insert((r.district_id, r.age_group), r.persons as u64);
                *counts.force.entry(r.age_group).or_default() += r.persons as u64;
            }
            (end, counts)
        })
        .collect()
}

/// Every month end from `from` to `to`: the state equals the reference.
async fn assert_state_matches(
    app: &TestApp,
    version: i32,
    def: &Definition,
    from: NaiveDate,
    to: NaiveDate,
) {
    let inputs = reference_inputs(app).await;
    let mut repeat_points = 0;
    for (end, got) in state_counts(app, version, from, to).await {
        let expected = homeward::domain::measures::repeat_missing(def, &Z, end, &inputs);
        repeat_points += usize::from(expected.force(AgeGroup::Child) > 0);
        assert_eq!(got, expected, "the state at {end} under {def:?}");
    }
    assert!(
        repeat_points > 0,
        "the compared months have repeat children"
    );
}

/// The children-per-month state and counts, caught up after every change, equal what
/// computing them afresh gives (the dataset tests check that against a Rust reference).
async fn assert_children_months_rebuild_the_same(su: &mut diesel_async::AsyncPgConnection) {
    #[derive(QueryableByName)]
    struct Diff {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        rows: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        differ: i64,
    }
    // Writers queue; the kept state is caught up by the service, or by whoever reads it.
    su.batch_execute("SELECT hw_measure_catch_up(NULL)")
        .await
        .unwrap();
    let d: Diff = diesel::sql_query(
        "WITH fresh AS (SELECT * FROM hw_children_month_rows(ARRAY(SELECT id FROM persons))),
              sums AS (SELECT month, district_id, sum(children) AS c, sum(episodes) AS e
                         FROM children_month_counts GROUP BY 1, 2 HAVING sum(episodes) <> 0 OR sum(children) <> 0),
              fresh_sums AS (SELECT month, district_id, sum(children) AS c, sum(episodes) AS e FROM fresh GROUP BY 1, 2)
         SELECT (SELECT count(*) FROM children_month_state) AS rows,
                (SELECT count(*) FROM ((SELECT * FROM children_month_state EXCEPT SELECT * FROM fresh)
                                       UNION ALL (SELECT * FROM fresh EXCEPT SELECT * FROM children_month_state)) x)
                + (SELECT count(*) FROM ((SELECT * FROM sums EXCEPT SELECT * FROM fresh_sums)
                                       UNION ALL (SELECT * FROM fresh_sums EXCEPT SELECT * FROM sums)) y) AS differ",
    )
    .get_result(su)
    .await
    .unwrap();
    assert!(d.rows > 0, "the data has children going missing");
    assert_eq!(d.differ, 0, "the kept children-per-month state drifted");
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[actix_rt::test]
async fn the_database_agrees_with_the_reference_on_generated_data() {
    let app = spawn_app().await;
    for (n, seed) in [(4000usize, 1u64), (6000, 2)] {
        homeward::seed::synthetic(&app.admin_url, n, seed)
            .await
            .unwrap();
        let inputs = reference_inputs(&app).await;
        for def in [
            Definition::default(),
            Definition {
                repeat_threshold: 3,
                window_months: 6,
                count_hospital: false,
                episode_start: homeward::domain::measures::EpisodeStart::Reported,
            },
        ] {
            for end in [day(2019, 12, 31), day(2022, 6, 30), day(2026, 10, 31)] {
                let expected = homeward::domain::measures::repeat_missing(&def, &Z, end, &inputs);
                let got = database_counts(&app, &def, end).await;
                assert_eq!(got, expected, "{def:?} to {end} after {n} more episodes");
                assert!(
                    expected.force(AgeGroup::Child) > 0,
                    "the data has repeat children"
                );
            }
        }
        // The state kept for the current definition (v1, the default) agrees at every
        // month end the data touches.
        assert_state_matches(
            &app,
            1,
            &Definition::default(),
            day(2016, 12, 31),
            day(2027, 12, 31),
        )
        .await;
    }
    // A new definition rebuilds the state for itself.
    let mut su = app.superuser().await;
    su.batch_execute(
        "INSERT INTO measure_definitions (version, repeat_threshold, window_months, count_hospital, note)
         VALUES (2, 3, 6, false, 'test')",
    )
    .await
    .unwrap();
    let def = Definition {
        repeat_threshold: 3,
        window_months: 6,
        count_hospital: false,
        episode_start: homeward::domain::measures::EpisodeStart::Reported,
    };
    assert_state_matches(&app, 2, &def, day(2016, 12, 31), day(2027, 12, 31)).await;
}

#[actix_rt::test]
async fn edges_cancellations_transfers_merges_and_birthdays_agree_too() {
    let app = spawn_app().await;
    homeward::seed::synthetic(&app.admin_url, 1500, 3)
        .await
        .unwrap();
    let mut su = app.superuser().await;
    // Episodes exactly at the window's edges, a cancellation, a transfer, a merge and a
    // person turning 18 inside the window.
    su.batch_execute(
        "UPDATE episodes SET reported_at = '2019-01-01 00:00:00+00', last_seen_at = '2018-12-31 22:00:00+00'
          WHERE id IN (SELECT id FROM episodes ORDER BY id LIMIT 40);
         UPDATE episodes SET reported_at = '2020-01-01 00:00:00+00', last_seen_at = '2019-12-31 22:00:00+00'
          WHERE id IN (SELECT id FROM episodes ORDER BY id DESC LIMIT 40);
         UPDATE episodes SET status = 'cancelled', cancelled_reason = 'known', closed_at = NULL, closed_by = NULL
          WHERE id IN (SELECT id FROM episodes WHERE status = 'closed' ORDER BY reported_at LIMIT 60);
         INSERT INTO episode_transfers (id, episode_id, from_district_id, to_district_id, reason, transferred_by)
           SELECT gen_random_uuid(), e.id, e.district_id, (SELECT id FROM districts WHERE id <> e.district_id LIMIT 1),
                  'moved', e.created_by
             FROM episodes e ORDER BY e.reported_at DESC LIMIT 30;
         UPDATE episodes e SET district_id = t.to_district_id FROM episode_transfers t WHERE t.episode_id = e.id;
         UPDATE episodes SET person_id = (SELECT person_id FROM episodes ORDER BY reported_at LIMIT 1)
          WHERE person_id = (SELECT person_id FROM episodes ORDER BY reported_at DESC LIMIT 1)
            AND status NOT IN ('reported', 'active');
         UPDATE persons SET date_of_birth = '2001-06-15'
          WHERE id IN (SELECT person_id FROM episodes WHERE reported_at >= '2019-01-01' AND reported_at < '2020-01-01'
                        GROUP BY person_id HAVING count(*) >= 2 LIMIT 5);",
    )
    .await
    .unwrap();
    let inputs = reference_inputs(&app).await;
    for end in [day(2019, 12, 31), day(2020, 1, 1), day(2018, 12, 31)] {
        let def = Definition::default();
        assert_eq!(
            database_counts(&app, &def, end).await,
            homeward::domain::measures::repeat_missing(&def, &Z, end, &inputs),
            "window to {end}"
        );
    }
    // Every one of those changes kept the pre-aggregated state equal to the reference,
    // including the merge undone and a date of birth cleared.
    let def = Definition::default();
    assert_state_matches(&app, 1, &def, day(2016, 12, 31), day(2027, 12, 31)).await;
    // (An episode moved to a hospital setting no longer names a care placement: the
    // generated data may have some among those thirty, and `episodes` forbids both. A
    // person has one open episode at most, so only closed episodes move to another person
    // and a cancelled one reopens only where its person has none open: the generated data
    // changes with the day it is made.)
    su.batch_execute(
        "UPDATE episodes SET person_id = (SELECT person_id FROM episodes ORDER BY reported_at DESC LIMIT 1 OFFSET 1)
          WHERE id IN (SELECT id FROM episodes WHERE person_id = (SELECT person_id FROM episodes ORDER BY reported_at LIMIT 1)
                          AND status NOT IN ('reported', 'active')
                        ORDER BY reported_at DESC LIMIT 2);
         UPDATE persons SET date_of_birth = NULL
          WHERE id IN (SELECT person_id FROM episodes GROUP BY person_id HAVING count(*) >= 3 LIMIT 3);
         DELETE FROM episode_transfers WHERE id IN (SELECT id FROM episode_transfers LIMIT 5);
         UPDATE episodes SET missing_from = 'hospital_or_medical', placement_id = NULL
          WHERE id IN (SELECT id FROM episodes ORDER BY id LIMIT 30);
         UPDATE episodes SET status = 'active', cancelled_reason = NULL
          WHERE id IN (SELECT DISTINCT ON (e.person_id) e.id FROM episodes e
                        WHERE e.status = 'cancelled'
                          AND NOT EXISTS (SELECT 1 FROM episodes o WHERE o.person_id = e.person_id
                                             AND o.status IN ('reported', 'active'))
                        ORDER BY e.person_id, e.id LIMIT 10);",
    )
    .await
    .unwrap();
    assert_state_matches(&app, 1, &def, day(2016, 12, 31), day(2027, 12, 31)).await;
    assert_children_months_rebuild_the_same(&mut su).await;
    // Hospital episodes stop counting under a definition that leaves them out.
    su.batch_execute(
        "INSERT INTO measure_definitions (version, repeat_threshold, window_months, count_hospital, note)
         VALUES (2, 2, 12, false, 'test')",
    )
    .await
    .unwrap();
    let def = Definition {
        count_hospital: false,
        ..Definition::default()
    };
    assert_state_matches(&app, 2, &def, day(2016, 12, 31), day(2027, 12, 31)).await;
}

/// The day before an 18th birthday is still a child's, in the database as in the
/// reference, whatever the months' lengths: born 15 October 2008, reported on 14 October
/// 2026 (`age()` gives "17 years 11 mons 30 days", which as an interval equals 18 years),
/// and born 29 February 2008, reported on 28 February 2026.
#[actix_rt::test]
async fn the_eve_of_an_18th_birthday_is_still_a_child_s() {
    let app = spawn_app().await;
    homeward::seed::synthetic(&app.admin_url, 1500, 5)
        .await
        .unwrap();
    let mut su = app.superuser().await;
    su.batch_execute(
        "CREATE TEMP TABLE pairs AS
           SELECT person_id, row_number() OVER (ORDER BY person_id) AS n
             FROM episodes WHERE status <> 'cancelled' GROUP BY person_id HAVING count(*) = 2
            ORDER BY person_id LIMIT 2;
         CREATE TEMP TABLE moved AS
           SELECT e.id, p.n, row_number() OVER (PARTITION BY e.person_id ORDER BY e.reported_at, e.id) AS k
             FROM episodes e JOIN pairs p USING (person_id) WHERE e.status <> 'cancelled';
         UPDATE persons SET date_of_birth = CASE p.n WHEN 1 THEN date '2008-10-15' ELSE date '2008-02-29' END
           FROM pairs p WHERE persons.id = p.person_id;
         UPDATE episodes e SET reported_at = x.at, last_seen_at = x.at - interval '2 hours'
           FROM (SELECT m.id, CASE WHEN m.n = 1 AND m.k = 1 THEN timestamptz '2026-10-14 10:00+00'
                                   WHEN m.n = 1 THEN timestamptz '2026-10-20 10:00+00'
                                   WHEN m.k = 1 THEN timestamptz '2026-02-27 10:00+00'
                                   ELSE timestamptz '2026-02-28 10:00+00' END AS at
                   FROM moved m) x
          WHERE e.id = x.id;",
    )
    .await
    .unwrap();
    let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    assert_eq!(
        group_of(Some(day(2008, 10, 15)), at("2026-10-14T10:00:00Z"), &Z),
        Some(AgeGroup::Child)
    );
    assert_eq!(
        group_of(Some(day(2008, 2, 29)), at("2026-02-28T10:00:00Z"), &Z),
        Some(AgeGroup::Child)
    );
    let inputs = reference_inputs(&app).await;
    let def = Definition::default();
    for end in [day(2026, 2, 28), day(2026, 10, 31)] {
        assert_eq!(
            database_counts(&app, &def, end).await,
            homeward::domain::measures::repeat_missing(&def, &Z, end, &inputs),
            "window to {end}"
        );
    }
    assert_state_matches(&app, 1, &def, day(2016, 12, 31), day(2027, 12, 31)).await;
    assert_children_months_rebuild_the_same(&mut su).await;
}

#[actix_rt::test]
async fn case_roles_without_measures_cannot_run_them() {
    let app = spawn_app().await;
    let pool = db::build_pool(&app.app_url, 1).unwrap();
    let mut tx = Tx::begin(&pool, AuditContext::default()).await.unwrap();
    let mut officer = analyst(&app).await;
    officer.role = Role::Officer;
    tx.assume(officer).await.unwrap();
    let def = Definition::default();
    let err = db::measures::repeat_counts(
        tx.conn(),
        def.window(day(2019, 12, 31), &Z),
        2,
        true,
        def.episode_start,
    )
    .await
    .unwrap_err();
    assert!(matches!(
        homeward::error::AppError::from(err),
        homeward::error::AppError::Forbidden(_)
    ));
    let _ = tx.finish::<()>(Ok(())).await;
}

#[actix_rt::test]
async fn the_report_gives_each_figure_against_its_baseline_as_the_reference_computes_it() {
    use serde_json::json;
    let app = spawn_app().await;
    homeward::seed::synthetic(&app.admin_url, 5000, 11)
        .await
        .unwrap();
    let (admin, _) = app.login(crate::helpers::ADMIN).await;
    // A supervisor reads every count (analysts get them protected: tests/api/disclosure.rs).
    let (analyst_token, _) = app.login(crate::helpers::demo_user("supervisor")).await;
    // Baselines: the force's children computed for 2019; adults an official figure.
    let computed = app
        .call(
            "POST",
            "/api/v1/baselines",
            Some(&admin),
            Some(json!({ "age_group": "child" })),
        )
        .await;
    assert_eq!(computed.status, 201, "{}", computed.body);
    assert_eq!(computed.body["source"], "computed");
    assert_eq!(computed.body["period_end"], "2019-12-31");
    let official = app
        .call(
            "POST",
            "/api/v1/baselines",
            Some(&admin),
            Some(json!({
            "age_group": "adult", "value": 250, "source": "Plan annex B" })),
        )
        .await;
    assert_eq!(official.body["version"], 1);
    let again = app
        .call(
            "POST",
            "/api/v1/baselines",
            Some(&admin),
            Some(json!({
            "age_group": "adult", "value": 240, "source": "Plan annex B, revised" })),
        )
        .await;
    assert_eq!(again.body["version"], 2, "versioned");
    let bad = app
        .call(
            "POST",
            "/api/v1/baselines",
            Some(&admin),
            Some(json!({ "age_group": "adult", "value": 3 })),
        )
        .await;
    assert_eq!(bad.problem(400)["errors"][0]["field"], "source");

    let inputs = reference_inputs(&app).await;
    let def = Definition::default();
    let baseline_2019 =
        homeward::domain::measures::repeat_missing(&def, &Z, day(2019, 12, 31), &inputs)
            .force(AgeGroup::Child);
    assert_eq!(computed.body["value"], json!(baseline_2019));

    let r = app
        .call(
            "GET",
            "/api/v1/measures/repeat-missing?from=2024-01-01&to=2025-12-31&granularity=quarter",
            Some(&analyst_token),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["definition"]["version"], 1);
    let points = r.body["points"].as_array().unwrap();
    assert_eq!(points.len(), 8);
    for p in points {
        let end: NaiveDate = p["period_end"].as_str().unwrap().parse().unwrap();
        let expected = homeward::domain::measures::repeat_missing(&def, &Z, end, &inputs);
        let children = &p["children"];
        assert_eq!(
            children["force"]["value"],
            json!(expected.force(AgeGroup::Child)),
            "{end}"
        );
        assert_eq!(
            p["adults"]["force"]["value"],
            json!(expected.force(AgeGroup::Adult)),
            "{end}"
        );
        for d in children["districts"].as_array().unwrap() {
            let id: DistrictId = serde_json::from_value(d["district_id"].clone()).unwrap();
            assert_eq!(
                d["value"],
                json!(expected.district(id, AgeGroup::Child)),
                "{end} {id}"
            );
            assert!(
                d["baseline"].is_null(),
                "no district baselines were recorded"
            );
            assert_eq!(d["standing"], "no_baseline");
        }
        let v = expected.force(AgeGroup::Child) as i64;
        let b = baseline_2019 as i64;
        assert_eq!(children["force"]["baseline"]["version"], 1);
        assert_eq!(children["force"]["difference"], json!(v - b));
        let status = match v.cmp(&b) {
            std::cmp::Ordering::Less => "below",
            std::cmp::Ordering::Equal => "at",
            std::cmp::Ordering::Greater => "above",
        };
        assert_eq!(children["force"]["standing"], status);
        assert!(r.body["baseline_note"]
            .as_str()
            .unwrap()
            .contains("POST /api/v1/baselines"));
        assert_eq!(
            p["adults"]["force"]["baseline"]["value"], 240,
            "the newest version"
        );
    }
    // One district only, and bad queries.
    let district = points[0]["children"]["districts"][0]["district_id"].clone();
    let one = app
        .call(
            "GET",
            &format!(
                "/api/v1/measures/repeat-missing?period_end=2025-06-30&district_id={}",
                district.as_str().unwrap()
            ),
            Some(&analyst_token),
            None,
        )
        .await;
    assert_eq!(
        one.body["points"][0]["children"]["districts"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let both = app
        .call(
            "GET",
            "/api/v1/measures/repeat-missing?period_end=2025-06-30&from=2025-01-01",
            Some(&analyst_token),
            None,
        )
        .await;
    both.problem(400);
    let long = app
        .call(
            "GET",
            "/api/v1/measures/repeat-missing?from=1990-01-01&to=2025-01-01",
            Some(&analyst_token),
            None,
        )
        .await;
    long.problem(400);
}

#[actix_rt::test]
async fn a_new_definition_version_changes_the_figures_and_is_named() {
    use serde_json::json;
    let app = spawn_app().await;
    homeward::seed::synthetic(&app.admin_url, 3000, 5)
        .await
        .unwrap();
    let (admin, _) = app.login(crate::helpers::ADMIN).await;
    let v2 = app
        .call("PUT", "/api/v1/measures/definition", Some(&admin), Some(json!({
            "repeat_threshold": 3, "window_months": 6, "count_hospital": false, "note": "Panel decision" })))
        .await;
    assert_eq!(v2.status, 201, "{}", v2.body);
    assert_eq!(v2.body["version"], 2);
    let bad = app
        .call(
            "PUT",
            "/api/v1/measures/definition",
            Some(&admin),
            Some(json!({
            "repeat_threshold": 1, "window_months": 6, "count_hospital": false, "note": "x" })),
        )
        .await;
    assert_eq!(bad.problem(400)["errors"][0]["field"], "repeat_threshold");
    let r = app
        .call(
            "GET",
            "/api/v1/measures/repeat-missing?period_end=2024-12-31",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.body["definition"]["version"], 2);
    let def = Definition {
        repeat_threshold: 3,
        window_months: 6,
        count_hospital: false,
        episode_start: homeward::domain::measures::EpisodeStart::Reported,
    };
    let expected = homeward::domain::measures::repeat_missing(
        &def,
        &Z,
        day(2024, 12, 31),
        &reference_inputs(&app).await,
    );
    assert_eq!(
        r.body["points"][0]["children"]["force"]["value"],
        json!(expected.force(AgeGroup::Child))
    );
    // A period end that is not a month end is computed live, under the same definition.
    let mid = app
        .call(
            "GET",
            "/api/v1/measures/repeat-missing?period_end=2024-12-15",
            Some(&admin),
            None,
        )
        .await;
    let expected = homeward::domain::measures::repeat_missing(
        &def,
        &Z,
        day(2024, 12, 15),
        &reference_inputs(&app).await,
    );
    assert_eq!(
        mid.body["points"][0]["adults"]["force"]["value"],
        json!(expected.force(AgeGroup::Adult))
    );
    let defs = app
        .call("GET", "/api/v1/measures/definition", Some(&admin), None)
        .await;
    assert_eq!(defs.body["versions"].as_array().unwrap().len(), 2);
    assert_eq!(defs.body["current"]["repeat_threshold"], 3);
}

#[actix_rt::test]
async fn the_missing_persons_dataset_ranks_persons_and_hides_small_counts_from_analysts() {
    use serde_json::json;
    let app = spawn_app().await;
    let (mfhc, _) = app.login(crate::helpers::MFHC).await;
    let (bradford, _) = app.login(crate::episodes::BRADFORD_MFHC).await;
    let (analyst_token, _) = app.login(crate::helpers::demo_user("analyst")).await;
    let a = crate::episodes::person(&app, &mfhc, "Ada", "=HYPERLINK(1)", &[]).await;
    let b = crate::episodes::person(&app, &mfhc, "Ben", "Once", &[]).await;
    let c = crate::episodes::person(&app, &bradford, "Cal", "Elsewhere", &[]).await;
    for h in [30, 20, 10] {
        crate::episodes::report_returned(&app, &mfhc, &a["id"], h).await;
    }
    crate::episodes::report(&app, &mfhc, &b["id"], 5).await;
    crate::episodes::report(&app, &bradford, &c["id"], 5).await;

    let r = app
        .call(
            "GET",
            "/api/v1/datasets/missing-persons?weeks=3",
            Some(&mfhc),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let persons = r.body["persons"].as_array().unwrap();
    assert_eq!(persons.len(), 2, "the Leeds MFHC sees Leeds episodes only");
    assert_eq!(
        (
            persons[0]["person_id"].clone(),
            persons[0]["episodes"].clone()
        ),
        (a["id"].clone(), json!(3))
    );
    assert_eq!(persons[1]["person_id"], b["id"]);
    assert_eq!(persons[0]["age_group"], "child");
    assert_eq!(r.body["suppressed"], false);

    let seen = app
        .call(
            "GET",
            "/api/v1/datasets/missing-persons?weeks=12",
            Some(&analyst_token),
            None,
        )
        .await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert!(seen.body["persons"].is_null(), "analysts see no names");
    assert_eq!(seen.body["suppressed"], true);
    let summary = seen.body["summary"].as_array().unwrap();
    assert_eq!(summary.len(), 2, "Leeds and Bradford children: {summary:?}");
    assert!(
        summary
            .iter()
            .all(|s| s["persons"].is_null() && s["episodes"].is_null()),
        "all below 5"
    );

    let csv = app
        .client
        .get(app.url("/api/v1/datasets/missing-persons?weeks=3"))
        .insert_header(("Authorization", format!("Bearer {mfhc}")))
        .insert_header(("Accept", "text/csv"))
        .send()
        .await
        .unwrap()
        .body()
        .await
        .unwrap();
    let text = String::from_utf8(csv.to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("\"person_id\",\"given_name\",\"family_name\""));
    assert!(
        lines[1].contains(",\"'=HYPERLINK(1)\","),
        "formula neutralised: {}",
        lines[1]
    );

    app.call(
        "GET",
        "/api/v1/datasets/missing-persons?weeks=4",
        Some(&mfhc),
        None,
    )
    .await
    .problem(400);
}

#[actix_rt::test]
async fn charts_show_the_reported_figures_against_the_baseline_as_svg_and_png() {
    use serde_json::json;
    let app = spawn_app().await;
    homeward::seed::synthetic(&app.admin_url, 3000, 21)
        .await
        .unwrap();
    let (admin, _) = app.login(crate::helpers::ADMIN).await;
    let (analyst_token, _) = app.login(crate::helpers::demo_user("supervisor")).await;
    let official = app
        .call(
            "POST",
            "/api/v1/baselines",
            Some(&admin),
            Some(json!({ "age_group": "child", "value": 321, "source": "Plan annex <B> & notes" })),
        )
        .await;
    assert_eq!(official.status, 201, "{}", official.body);
    let query = "from=2025-01-01&to=2025-12-31&granularity=quarter";
    let report = app
        .call(
            "GET",
            &format!("/api/v1/measures/repeat-missing?{query}"),
            Some(&analyst_token),
            None,
        )
        .await;
    assert_eq!(report.status, 200, "{}", report.body);
    let latest = report.body["points"][3]["children"]["force"]["value"]
        .as_u64()
        .unwrap();
    let svg = app
        .call(
            "GET",
            &format!("/api/v1/measures/repeat-missing/chart.svg?{query}&age_group=child"),
            Some(&analyst_token),
            None,
        )
        .await;
    assert_eq!(svg.status, 200, "{}", svg.body);
    assert!(svg.content_type().starts_with("image/svg+xml"));
    let text = svg.body.as_str().unwrap();
    assert!(text.starts_with("<svg"), "{text}");
    // The description carries the figures: 4 quarter ends, the latest value, the baseline
    // (its hostile source escaped) and the definition.
    assert!(
        text.contains(&format!(
            "4 period ends from Mar 2025 to Dec 2025, latest {latest}"
        )),
        "{text}"
    );
    assert!(text.contains("baseline 321"), "{text}");
    assert!(
        text.contains("official: Plan annex &lt;B&gt; &amp; notes"),
        "{text}"
    );
    assert!(text.contains("Definition v1: 2 or more episodes"), "{text}");
    assert!(
        text.contains("Repeat-missing children against baseline"),
        "{text}"
    );
    assert!(!text.contains("Adults"), "one group asked for: {text}");

    let png = app
        .call(
            "GET",
            "/api/v1/measures/repeat-missing/chart.png",
            Some(&analyst_token),
            None,
        )
        .await;
    assert_eq!(png.status, 200);
    assert_eq!(png.content_type(), "image/png");
    assert!(png.body.as_str().unwrap().contains("PNG\r\n"));

    let bad = app
        .call(
            "GET",
            "/api/v1/measures/repeat-missing/chart.svg?from=2025-01-01",
            Some(&analyst_token),
            None,
        )
        .await;
    assert_eq!(bad.problem(400)["errors"][0]["field"], "to");
    let bad = app
        .call(
            "GET",
            "/api/v1/measures/repeat-missing/chart.png?age_group=teenager",
            Some(&analyst_token),
            None,
        )
        .await;
    bad.problem(400);
}

#[actix_rt::test]
async fn concurrent_reports_keep_the_counts_exact() {
    // Sixteen children each get a second episode at the same moment: each report moves the
    // same month ends' counts (some in the same shard) from its own transaction. None may
    // fail or deadlock, and the counts must come out exactly as the reference says.
    let app = crate::helpers::spawn_app_with_pool(16).await;
    let (mfhc, _) = app.login(crate::helpers::MFHC).await;
    let mut persons = Vec::new();
    for i in 0..16 {
        let p = crate::episodes::person(&app, &mfhc, "Concurrent", &format!("Child{i}"), &[]).await;
        crate::episodes::report_returned(&app, &mfhc, &p["id"], 48).await;
        persons.push(p["id"].clone());
    }
    let replies = futures_util::future::join_all(persons.iter().map(|id| {
        app.call(
            "POST",
            "/api/v1/episodes",
            Some(&mfhc),
            Some(crate::episodes::report_body(id, 1)),
        )
    }))
    .await;
    for r in &replies {
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let today = chrono::Utc::now().date_naive();
    let from = today - chrono::Months::new(2);
    let to = today + chrono::Months::new(13);
    let version = 1;
    assert_state_matches(&app, version, &Definition::default(), from, to).await;
    let (_, counts) = state_counts(&app, version, today, today).await.remove(0);
    assert!(
        counts.force(AgeGroup::Child) >= 16,
        "every child is repeat missing this month: {counts:?}"
    );
}

#[actix_rt::test]
async fn a_figure_is_compared_only_with_a_baseline_of_its_own_definition() {
    use serde_json::json;
    let app = spawn_app().await;
    let (admin, _) = app.login(crate::helpers::ADMIN).await;
    // A v1 baseline for the force's children, then the definition changes.
    let b1 = app
        .call(
            "POST",
            "/api/v1/baselines",
            Some(&admin),
            Some(json!({
            "age_group": "child", "value": 266, "source": "Plan annex (v1)" })),
        )
        .await;
    assert_eq!(b1.status, 201, "{}", b1.body);
    assert_eq!(b1.body["definition_version"], 1);
    let v2 = app
        .call("PUT", "/api/v1/measures/definition", Some(&admin), Some(json!({
            "repeat_threshold": 3, "window_months": 12, "count_hospital": true, "note": "Three or more" })))
        .await;
    assert_eq!(v2.status, 201, "{}", v2.body);
    let path = "/api/v1/measures/repeat-missing?period_end=2026-01-31";
    let r = app.call("GET", path, Some(&admin), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let force = &r.body["points"][0]["children"]["force"];
    assert_eq!(force["standing"], "no_baseline", "{force}");
    assert!(
        force["baseline"].is_null(),
        "a v1 baseline is never shown against v2 figures"
    );
    assert!(force["difference"].is_null() && force["percent_change"].is_null());
    let note = r.body["baseline_note"].as_str().unwrap();
    assert!(note.contains("definition version 2"), "{note}");
    assert!(
        note.contains("version 1"),
        "names the other definition's baseline: {note}"
    );
    assert!(note.contains("POST /api/v1/baselines"), "{note}");
    let listed = app
        .call("GET", "/api/v1/baselines", Some(&admin), None)
        .await;
    assert_eq!(listed.body["definition_version"], 2);
    assert_eq!(listed.body["current"], json!([]));
    assert_eq!(listed.body["versions"].as_array().unwrap().len(), 1);

    // A baseline recorded under v2 is compared.
    let b2 = app
        .call(
            "POST",
            "/api/v1/baselines",
            Some(&admin),
            Some(json!({
            "age_group": "child", "value": 120, "source": "Recomputed for three or more" })),
        )
        .await;
    assert_eq!(b2.status, 201, "{}", b2.body);
    assert_eq!(b2.body["definition_version"], 2);
    let r = app.call("GET", path, Some(&admin), None).await;
    let force = &r.body["points"][0]["children"]["force"];
    assert_eq!(force["baseline"]["id"], b2.body["id"], "{force}");
    assert_eq!(force["standing"], "below");
    assert!(!r.body["baseline_note"]
        .as_str()
        .unwrap()
        .contains("the force (children)"));
    let listed = app
        .call("GET", "/api/v1/baselines", Some(&admin), None)
        .await;
    assert_eq!(listed.body["current"][0]["id"], b2.body["id"]);
}
