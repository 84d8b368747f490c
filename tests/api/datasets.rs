//! The coordinator datasets beyond missing-persons: every figure equals a plain-Rust
//! computation over the same rows (read as superuser), on generated data with hand-made
//! edges (a child's first episode in another district, cancelled first episodes, the
//! 12-week edge, persons turning 18, placement kinds, markers, transfers); analysts get
//! counts with small ones withheld at the configured threshold; CSV is safe; case roles
//! without datasets are refused.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use diesel::sql_types::{Array, Bool, Date, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use homeward::domain::local_time::ForceZone;
use homeward::domain::persons::is_child;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{demo_user, spawn_app, spawn_app_suppressing_below, TestApp, MFHC};

/// One episode with everything the datasets look at.
#[derive(QueryableByName, Debug, Clone)]
struct Ep {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    person_id: Uuid,
    /// Owning district now.
    #[diesel(sql_type = SqlUuid)]
    district_id: Uuid,
    /// Owning district when it started.
    #[diesel(sql_type = SqlUuid)]
    start_district: Uuid,
    #[diesel(sql_type = Timestamptz)]
    reported_at: DateTime<Utc>,
    #[diesel(sql_type = Bool)]
    cancelled: bool,
    #[diesel(sql_type = Text)]
    missing_from: String,
    #[diesel(sql_type = Bool)]
    looked_after: bool,
    #[diesel(sql_type = Nullable<Text>)]
    placement_kind: Option<String>,
    #[diesel(sql_type = Nullable<Bool>)]
    out_of_area: Option<bool>,
    #[diesel(sql_type = Nullable<Date>)]
    dob: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Text>)]
    sex: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    ethnicity: Option<String>,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    markers_seen: Option<Vec<String>>,
}

#[derive(QueryableByName, Debug, Clone)]
struct Marker {
    #[diesel(sql_type = SqlUuid)]
    person_id: Uuid,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Timestamptz)]
    recorded_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Date>)]
    ended_on: Option<NaiveDate>,
}

async fn episodes(app: &TestApp) -> Vec<Ep> {
    let mut su = app.superuser().await;
    diesel::sql_query(
        "SELECT e.id, e.person_id, e.district_id,
                coalesce((SELECT t.from_district_id FROM episode_transfers t WHERE t.episode_id = e.id
                           ORDER BY t.transferred_at, t.id LIMIT 1), e.district_id) AS start_district,
                e.reported_at, e.status = 'cancelled' AS cancelled, e.missing_from, e.looked_after,
                pl.kind AS placement_kind, pl.out_of_area, p.date_of_birth AS dob, p.sex, p.ethnicity,
                r.markers_seen
           FROM episodes e JOIN persons p ON p.id = e.person_id
           LEFT JOIN placements pl ON pl.id = e.placement_id
           LEFT JOIN episode_returns r ON r.episode_id = e.id",
    )
    .load(&mut su)
    .await
    .unwrap()
}

async fn markers(app: &TestApp) -> Vec<Marker> {
    let mut su = app.superuser().await;
    diesel::sql_query("SELECT person_id, kind, recorded_at, ended_on FROM person_markers")
        .load(&mut su)
        .await
        .unwrap()
}

async fn district(app: &TestApp, code: &str) -> Uuid {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    let mut su = app.superuser().await;
    let r: Id = diesel::sql_query(format!("SELECT id FROM districts WHERE code = '{code}'"))
        .get_result(&mut su)
        .await
        .unwrap();
    r.id
}

fn group(e: &Ep) -> &'static str {
    match e.dob {
        None => "unknown",
        Some(d) if is_child(d, Z.date(e.reported_at)) => "child",
        Some(_) => "adult",
    }
}

/// The force's zone the test service runs in (the default): months and ages are local.
const Z: ForceZone = ForceZone(chrono_tz::Europe::London);

/// The first instant of a local month.
fn month_start(y: i32, m: u32) -> DateTime<Utc> {
    Z.start_of(NaiveDate::from_ymd_opt(y, m, 1).unwrap())
}

/// The local (year, month) an instant falls in.
fn ym(t: DateTime<Utc>) -> (i32, u32) {
    let d = Z.date(t);
    (d.year(), d.month())
}

fn next_month(t: DateTime<Utc>) -> DateTime<Utc> {
    match ym(t) {
        (y, 12) => month_start(y + 1, 1),
        (y, m) => month_start(y, m + 1),
    }
}

fn count(v: &Value) -> Option<u64> {
    v.as_u64()
}

fn s(v: &Value) -> String {
    v.as_str().map(str::to_owned).unwrap_or_default()
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let r = app.call("GET", path, Some(token), None).await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.body
}

async fn get_csv(app: &TestApp, token: &str, path: &str) -> String {
    let mut res = app
        .client
        .get(app.url(path))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Accept", "text/csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "{path}");
    let ct = res.headers().get("content-type").unwrap().to_str().unwrap();
    assert!(ct.starts_with("text/csv"), "{ct}");
    String::from_utf8(res.body().limit(1 << 24).await.unwrap().to_vec()).unwrap()
}

/// An analyst's figure where a table's totals can give nothing away: the reference's, or
/// `null` exactly when it is from 1 to `below - 1`.
#[track_caller]
fn assert_suppressed(got: &Value, expected: u64, below: u64, what: &str) {
    if expected > 0 && expected < below {
        assert!(
            got.is_null(),
            "{what}: {expected} must be withheld, got {got}"
        );
    } else {
        assert_eq!(count(got), Some(expected), "{what}");
    }
}

/// An analyst's figure in a table with totals: `null` when it is from 1 to `below - 1`,
/// else the reference's or `null` (withheld beside a small one: secondary suppression,
/// which tests/api/disclosure.rs holds to its rules).
#[track_caller]
fn assert_protected(got: &Value, expected: u64, below: u64, what: &str) {
    if expected > 0 && expected < below {
        assert!(
            got.is_null(),
            "{what}: {expected} must be withheld, got {got}"
        );
    } else if !got.is_null() {
        assert_eq!(count(got), Some(expected), "{what}");
    }
}

/// Logins: (MFHC Leeds, supervisor Leeds, analyst, officer).
async fn tokens(app: &TestApp) -> (String, String, String, String) {
    (
        app.login(MFHC).await.0,
        app.login(demo_user("supervisor")).await.0,
        app.login(demo_user("analyst")).await.0,
        app.login(demo_user("officer")).await.0,
    )
}

// ---------------------------------------------------------------- first-time children

/// person -> (first episode, its district now, looked after) for first-time missing
/// children in [from, to).
fn first_time_reference(
    eps: &[Ep],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> HashMap<Uuid, (Uuid, Uuid, bool)> {
    let mut first: HashMap<Uuid, &Ep> = HashMap::new();
    for e in eps.iter().filter(|e| !e.cancelled) {
        let f = first.entry(e.person_id).or_insert(e);
        if (e.reported_at, e.id) < (f.reported_at, f.id) {
            *f = e;
        }
    }
    first
        .into_iter()
        .filter(|(_, e)| e.reported_at >= from && e.reported_at < to && group(e) == "child")
        .map(|(p, e)| (p, (e.id, e.district_id, e.looked_after)))
        .collect()
}

#[actix_rt::test]
async fn first_time_missing_children_agree_with_the_reference_on_generated_data_and_edges() {
    let app = spawn_app().await;
    homeward::seed::synthetic(&app.admin_url, 8000, 21)
        .await
        .unwrap();
    let mut su = app.superuser().await;
    // Edges: cancel some persons' first episodes; move some first episodes to another
    // district; make some persons turn 18 on the day of their first episode, and some
    // the day after.
    su.batch_execute(
        "WITH f AS (SELECT DISTINCT ON (person_id) id FROM episodes ORDER BY person_id, reported_at, id)
         UPDATE episodes SET status = 'cancelled', cancelled_reason = 'known', closed_at = NULL, closed_by = NULL
          WHERE id IN (SELECT id FROM f ORDER BY id LIMIT 150);
         WITH f AS (SELECT DISTINCT ON (person_id) id, district_id FROM episodes WHERE status <> 'cancelled'
                     ORDER BY person_id, reported_at, id)
         UPDATE episodes e SET district_id = (SELECT d.id FROM districts d WHERE d.id <> e.district_id ORDER BY d.code LIMIT 1)
          WHERE e.id IN (SELECT id FROM f ORDER BY id DESC LIMIT 150);
         WITH f AS (SELECT DISTINCT ON (person_id) person_id, reported_at FROM episodes WHERE status <> 'cancelled'
                     ORDER BY person_id, reported_at, id)
         UPDATE persons p SET date_of_birth = (hw_local_date(f.reported_at) - interval '18 years')::date
                              + (CASE WHEN hashtext(p.id::text) % 2 = 0 THEN 0 ELSE 1 END)
           FROM f WHERE f.person_id = p.id AND p.id IN (SELECT person_id FROM f ORDER BY person_id LIMIT 300);",
    )
    .await
    .unwrap();
    let eps = episodes(&app).await;
    let leeds = district(&app, "LDS").await;
    let (mfhc, supervisor, analyst, officer) = tokens(&app).await;
    let now = Utc::now();
    let mut suppressed_seen = (false, false);
    for (y, m) in [(2019, 7), (2023, 2), (2025, 8), (now.year(), now.month())] {
        let from = month_start(y, m);
        let expected = first_time_reference(&eps, from, next_month(from));
        let path = format!("/api/v1/datasets/first-time-missing-children?month={y:04}-{m:02}");
        for token in [&mfhc, &supervisor] {
            let r = get(&app, token, &path).await;
            assert_eq!(r["suppressed"], false);
            assert!(r["suppress_below"].is_null());
            let got: HashSet<(String, String)> = r["children"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (s(&c["person_id"]), s(&c["episode_id"])))
                .collect();
            let want: HashSet<(String, String)> = expected
                .iter()
                .filter(|(_, (_, d, _))| *d == leeds)
                .map(|(p, (e, _, _))| (p.to_string(), e.to_string()))
                .collect();
            assert_eq!(got, want, "Leeds children in {y}-{m}");
            // Force-wide counts per district, unsuppressed for case workers.
            let mut per: HashMap<String, (u64, u64)> = HashMap::new();
            for (_, d, lac) in expected.values() {
                let x = per.entry(d.to_string()).or_default();
                x.0 += 1;
                x.1 += u64::from(*lac);
            }
            let got: HashMap<String, (u64, u64)> = r["summary"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| {
                    (
                        s(&l["district_id"]),
                        (
                            count(&l["children"]).unwrap(),
                            count(&l["looked_after"]).unwrap(),
                        ),
                    )
                })
                .collect();
            assert_eq!(got, per, "summary {y}-{m}");
        }
        let a = get(&app, &analyst, &path).await;
        assert!(a["children"].is_null(), "analysts see no names");
        assert_eq!(
            (a["suppressed"].clone(), a["suppress_below"].clone()),
            (json!(true), json!(5))
        );
        for l in a["summary"].as_array().unwrap() {
            let d: Uuid = s(&l["district_id"]).parse().unwrap();
            let n = expected.values().filter(|(_, x, _)| *x == d).count() as u64;
            assert_suppressed(&l["children"], n, 5, "children");
            suppressed_seen.0 |= l["children"].is_null() || l["looked_after"].is_null();
            suppressed_seen.1 |= !l["children"].is_null();
        }
    }
    assert!(
        suppressed_seen.0 && suppressed_seen.1,
        "both withheld and shown counts were checked"
    );
    // The generated data has first-time children in the months checked.
    assert!(!first_time_reference(&eps, month_start(2025, 8), month_start(2025, 9)).is_empty());
    app.call(
        "GET",
        "/api/v1/datasets/first-time-missing-children",
        Some(&officer),
        None,
    )
    .await
    .problem(403);
}

/// Creates a person through the API (born on `dob`, if any).
async fn person(app: &TestApp, token: &str, family: &str, dob: Option<&str>) -> Value {
    let mut body = json!({ "given_name": "Test", "family_name": family, "sex": "female" });
    if let Some(d) = dob {
        body["date_of_birth"] = json!(d);
    }
    let r = app
        .call("POST", "/api/v1/persons", Some(token), Some(body))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

#[actix_rt::test]
async fn a_child_first_missing_elsewhere_or_turning_18_is_not_first_time_here() {
    let app = spawn_app().await;
    let (mfhc, _, _, _) = tokens(&app).await;
    let (bradford, _) = app.login(crate::episodes::BRADFORD_MFHC).await;
    let elsewhere = person(&app, &mfhc, "Elsewhere", Some("2012-01-01")).await;
    let cancelled_first = person(&app, &mfhc, "=Cancelled()", Some("2012-01-01")).await;
    let eighteen = person(&app, &mfhc, "Eighteen", Some("2012-01-01")).await;
    let seventeen = person(&app, &mfhc, "Seventeen", Some("2012-01-01")).await;
    let unknown = person(&app, &mfhc, "Unknown", None).await;
    // 40 days ago is always in an earlier month.
    crate::episodes::report_returned(&app, &bradford, &elsewhere["id"], 24 * 40).await;
    let old = crate::episodes::report_returned(&app, &mfhc, &cancelled_first["id"], 24 * 40).await;
    let mut this_month = None;
    for p in [
        &elsewhere,
        &cancelled_first,
        &eighteen,
        &seventeen,
        &unknown,
    ] {
        this_month = Some(crate::episodes::report(&app, &mfhc, &p["id"], 0).await);
    }
    let mut su = app.superuser().await;
    su.batch_execute(&format!(
        "UPDATE episodes SET status = 'cancelled', cancelled_reason = 'was at a friend''s' WHERE id = '{}';
         UPDATE persons p SET date_of_birth = (hw_local_date(e.reported_at) - interval '18 years')::date
           FROM episodes e WHERE e.person_id = p.id AND p.id = '{}';
         UPDATE persons p SET date_of_birth = (hw_local_date(e.reported_at) - interval '18 years')::date + 1
           FROM episodes e WHERE e.person_id = p.id AND p.id = '{}';",
        s(&old["id"]),
        s(&eighteen["id"]),
        s(&seventeen["id"]),
    ))
    .await
    .unwrap();
    let reported: DateTime<Utc> = s(&this_month.unwrap()["reported_at"]).parse().unwrap();
    let month = format!("{:04}-{:02}", ym(reported).0, ym(reported).1);
    let path = format!("/api/v1/datasets/first-time-missing-children?month={month}");
    let r = get(&app, &mfhc, &path).await;
    let mut got: Vec<String> = r["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| s(&c["family_name"]))
        .collect();
    got.sort();
    assert_eq!(got, ["=Cancelled()", "Seventeen"], "{}", r["children"]);
    // Bradford's MFHC counts the child whose first episode was theirs, in that month.
    let earlier = reported - Duration::days(40);
    let b = get(
        &app,
        &bradford,
        &format!(
            "/api/v1/datasets/first-time-missing-children?month={:04}-{:02}",
            ym(earlier).0,
            ym(earlier).1
        ),
    )
    .await;
    assert_eq!(b["children"][0]["person_id"], elsewhere["id"]);
    assert_eq!(b["children"].as_array().unwrap().len(), 1);
    // CSV: the formula-like name is neutralised.
    let csv = get_csv(&app, &mfhc, &path).await;
    assert!(
        csv.starts_with("\"person_id\",\"given_name\",\"family_name\",\"date_of_birth\""),
        "{csv}"
    );
    assert!(csv.contains(",\"'=Cancelled()\","), "{csv}");
    // Bad months.
    for bad in ["2026-13", "26-01", "2026-1", "9999-12"] {
        let r = app
            .call(
                "GET",
                &format!("/api/v1/datasets/first-time-missing-children?month={bad}"),
                Some(&mfhc),
                None,
            )
            .await;
        assert_eq!(r.problem(400)["errors"][0]["field"], "month", "{bad}");
    }
}

// ---------------------------------------------------------------- the rolling logs

/// (district now, placement kind, out of area).
type LacKey = (String, String, Option<bool>);

/// The generated placements of looked-after persons, varied over every kind with
/// formula-like providers, a fifth of the persons' episodes left without a placement
/// (`not_recorded`), and episodes just inside and outside the 12-week edge.
async fn logs_fixture(app: &TestApp) {
    let mut su = app.superuser().await;
    su.batch_execute(
        "UPDATE placements SET
                kind = (ARRAY['regulated_childrens_home', 'unregulated_childrens_home', 'foster', 'family'])[1 + abs(hashtext(person_id::text)) % 4],
                provider = '@Provider ' || left(person_id::text, 4);
         UPDATE episodes SET placement_id = NULL
          WHERE person_id IN (SELECT id FROM persons WHERE looked_after AND abs(hashtext(id::text)) % 5 = 0);
         -- The 12-week edge: one hour inside and one hour outside, for each log.
         UPDATE episodes SET reported_at = now() - interval '84 days' + interval '1 hour',
                             last_seen_at = now() - interval '84 days'
          WHERE id IN (SELECT id FROM episodes WHERE looked_after AND missing_from = 'care_placement'
                        AND reported_at < now() - interval '200 days' ORDER BY id LIMIT 3)
             OR id IN (SELECT id FROM episodes WHERE missing_from = 'hospital_or_medical'
                        AND reported_at < now() - interval '200 days' ORDER BY id LIMIT 3);
         UPDATE episodes SET reported_at = now() - interval '84 days' - interval '1 hour',
                             last_seen_at = now() - interval '84 days' - interval '2 hours'
          WHERE id IN (SELECT id FROM episodes WHERE looked_after AND missing_from = 'care_placement'
                        AND reported_at < now() - interval '200 days' ORDER BY id DESC LIMIT 3)
             OR id IN (SELECT id FROM episodes WHERE missing_from = 'hospital_or_medical'
                        AND reported_at < now() - interval '200 days' ORDER BY id DESC LIMIT 3);
         -- Some cancelled episodes in the window, and a formula in a location.
         UPDATE episodes SET status = 'cancelled', cancelled_reason = 'known', closed_at = NULL, closed_by = NULL
          WHERE id IN (SELECT id FROM episodes WHERE reported_at > now() - interval '80 days'
                        AND missing_from IN ('care_placement', 'hospital_or_medical') ORDER BY id LIMIT 10);
         UPDATE episodes SET last_seen_location = '=HYPERLINK(\"x\")'
          WHERE missing_from = 'hospital_or_medical' AND reported_at > now() - interval '80 days';",
    )
    .await
    .unwrap();
}

#[actix_rt::test]
async fn the_looked_after_and_hospital_logs_agree_with_the_reference() {
    let app = spawn_app().await;
    // Recent years only, so the last 12 weeks hold enough episodes.
    homeward::seed::synthetic(&app.admin_url, 12000, 33)
        .await
        .unwrap();
    logs_fixture(&app).await;
    let eps = episodes(&app).await;
    let leeds = district(&app, "LDS").await;
    let (mfhc, supervisor, analyst, officer) = tokens(&app).await;
    let since = Utc::now() - Duration::weeks(12);

    // Looked-after children missing from care placements.
    let lac: Vec<&Ep> = eps
        .iter()
        .filter(|e| {
            !e.cancelled
                && e.reported_at >= since
                && e.missing_from == "care_placement"
                && e.looked_after
        })
        .collect();
    assert!(lac.len() > 10, "the data has a looked-after log");
    let kinds: HashSet<&str> = lac
        .iter()
        .map(|e| e.placement_kind.as_deref().unwrap_or("not_recorded"))
        .collect();
    assert!(kinds.len() >= 4, "several placement kinds: {kinds:?}");
    let mut want: BTreeMap<LacKey, (u64, HashSet<Uuid>)> = BTreeMap::new();
    for e in &lac {
        let k = (
            e.district_id.to_string(),
            e.placement_kind.clone().unwrap_or("not_recorded".into()),
            e.out_of_area,
        );
        let x = want.entry(k).or_default();
        x.0 += 1;
        x.1.insert(e.person_id);
    }
    let want: BTreeMap<_, (u64, u64)> = want
        .into_iter()
        .map(|(k, (n, p))| (k, (n, p.len() as u64)))
        .collect();
    let r = get(&app, &supervisor, "/api/v1/datasets/looked-after-log").await;
    let rows: HashSet<String> = r["episodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| s(&e["episode_id"]))
        .collect();
    let leeds_lac: HashSet<String> = lac
        .iter()
        .filter(|e| e.district_id == leeds)
        .map(|e| e.id.to_string())
        .collect();
    assert_eq!(rows, leeds_lac, "the Leeds supervisor's log");
    let row = r["episodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["placement_kind"] != "not_recorded")
        .expect("a row with a placement");
    let e = lac
        .iter()
        .find(|e| e.id.to_string() == s(&row["episode_id"]))
        .unwrap();
    assert_eq!(row["placement_kind"], json!(e.placement_kind));
    assert_eq!(row["out_of_area"], json!(e.out_of_area));
    let summary = |v: &Value| -> BTreeMap<(String, String, Option<bool>), (Value, Value)> {
        v["summary"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    (
                        s(&l["district_id"]),
                        s(&l["placement_kind"]),
                        l["out_of_area"].as_bool(),
                    ),
                    (l["episodes"].clone(), l["persons"].clone()),
                )
            })
            .collect()
    };
    let got = summary(&r);
    let exact: BTreeMap<_, (u64, u64)> = got
        .iter()
        .map(|(k, (e, p))| (k.clone(), (count(e).unwrap(), count(p).unwrap())))
        .collect();
    assert_eq!(exact, want, "the force-wide summary");
    let a = get(&app, &analyst, "/api/v1/datasets/looked-after-log").await;
    assert!(a["episodes"].is_null());
    let got = summary(&a);
    assert_eq!(got.len(), want.len());
    for (k, (n, p)) in &want {
        // Episodes go with their persons: withheld when they are.
        assert_suppressed(&got[k].1, *p, 5, "persons");
        if got[k].1.is_null() {
            assert!(got[k].0.is_null(), "episodes of withheld persons");
        } else {
            assert_suppressed(&got[k].0, *n, 5, "episodes");
        }
    }
    assert!(
        got.values().any(|(e, _)| e.is_null()),
        "some counts are small"
    );

    // Hospital and medical settings.
    let hosp: Vec<&Ep> = eps
        .iter()
        .filter(|e| {
            !e.cancelled && e.reported_at >= since && e.missing_from == "hospital_or_medical"
        })
        .collect();
    let mut want: BTreeMap<(String, String), (u64, HashSet<Uuid>)> = BTreeMap::new();
    for e in &hosp {
        let x = want
            .entry((e.district_id.to_string(), group(e).to_owned()))
            .or_default();
        x.0 += 1;
        x.1.insert(e.person_id);
    }
    let r = get(&app, &mfhc, "/api/v1/datasets/hospital-log").await;
    let rows: Vec<&Value> = r["episodes"].as_array().unwrap().iter().collect();
    let leeds_hosp: HashSet<String> = hosp
        .iter()
        .filter(|e| e.district_id == leeds)
        .map(|e| e.id.to_string())
        .collect();
    assert_eq!(
        rows.iter()
            .map(|e| s(&e["episode_id"]))
            .collect::<HashSet<_>>(),
        leeds_hosp
    );
    assert!(!leeds_hosp.is_empty());
    for row in &rows {
        let e = hosp
            .iter()
            .find(|e| e.id.to_string() == s(&row["episode_id"]))
            .unwrap();
        assert_eq!(row["age_group"], json!(e.dob.map(|_| group(e))));
    }
    for l in r["summary"].as_array().unwrap() {
        let (n, p) = &want[&(s(&l["district_id"]), s(&l["age_group"]))];
        assert_eq!(
            (count(&l["episodes"]), count(&l["persons"])),
            (Some(*n), Some(p.len() as u64))
        );
    }
    assert_eq!(r["summary"].as_array().unwrap().len(), want.len());
    // CSV: names and the neutralised location for the MFHC; counts only for analysts.
    let csv = get_csv(&app, &mfhc, "/api/v1/datasets/hospital-log").await;
    assert_eq!(csv.lines().count(), leeds_hosp.len() + 1);
    assert!(csv.contains(",\"'=HYPERLINK(\"\"x\"\")\","), "{csv}");
    let csv = get_csv(&app, &analyst, "/api/v1/datasets/looked-after-log").await;
    assert!(csv.starts_with(
        "\"district_id\",\"placement_kind\",\"out_of_area\",\"episodes\",\"persons\"\r\n"
    ));
    assert!(
        csv.contains("suppressed") && !csv.contains("Provider"),
        "{csv}"
    );
    let csv = get_csv(&app, &supervisor, "/api/v1/datasets/looked-after-log").await;
    assert!(
        csv.contains(",\"'@Provider "),
        "the provider is neutralised: {csv}"
    );

    for path in [
        "/api/v1/datasets/looked-after-log",
        "/api/v1/datasets/hospital-log",
    ] {
        app.call("GET", path, Some(&officer), None)
            .await
            .problem(403);
    }
}

// ---------------------------------------------------------------- statistics

type CellKey = (
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    bool,
    bool,
    bool,
);

fn in_force(markers: &[Marker], e: &Ep, kind: &str) -> bool {
    markers.iter().any(|m| {
        m.person_id == e.person_id
            && m.kind == kind
            && m.recorded_at <= e.reported_at
            && m.ended_on.is_none_or(|d| d > Z.date(e.reported_at))
    })
}

fn breakdown_reference(
    eps: &[Ep],
    markers: &[Marker],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> BTreeMap<CellKey, (u64, u64)> {
    let mut cells: BTreeMap<CellKey, (u64, HashSet<Uuid>)> = BTreeMap::new();
    for e in eps
        .iter()
        .filter(|e| !e.cancelled && e.reported_at >= from && e.reported_at < to)
    {
        let seen = |m: &str| {
            e.markers_seen
                .as_ref()
                .is_some_and(|s| s.iter().any(|x| x == m))
        };
        let cse = in_force(markers, e, "cse_risk") || seen("cse");
        let mh = in_force(markers, e, "mental_health") || seen("mental_health");
        for d in [Some(e.start_district.to_string()), None] {
            let k = (
                d,
                group(e).to_owned(),
                e.sex.clone(),
                e.ethnicity.clone(),
                cse,
                mh,
                e.looked_after,
            );
            let x = cells.entry(k).or_default();
            x.0 += 1;
            x.1.insert(e.person_id);
        }
    }
    cells
        .into_iter()
        .map(|(k, (n, p))| (k, (n, p.len() as u64)))
        .collect()
}

fn cells(v: &Value) -> BTreeMap<CellKey, (Value, Value)> {
    let opt = |v: &Value| v.as_str().map(str::to_owned);
    v["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                (
                    opt(&c["district_id"]),
                    s(&c["age_group"]),
                    opt(&c["sex"]),
                    opt(&c["ethnicity"]),
                    c["cse"].as_bool().unwrap(),
                    c["mental_health"].as_bool().unwrap(),
                    c["looked_after"].as_bool().unwrap(),
                ),
                (c["episodes"].clone(), c["persons"].clone()),
            )
        })
        .collect()
}

/// Ethnicities (one formula-like), markers in and out of force, markers seen on return,
/// transfers, persons without a date of birth.
async fn stats_fixture(app: &TestApp) {
    let mut su = app.superuser().await;
    su.batch_execute(
        "UPDATE persons SET ethnicity = (ARRAY['White British', 'Pakistani', '=1+1', NULL])[1 + abs(hashtext(id::text)) % 4];
         UPDATE persons SET date_of_birth = NULL WHERE abs(hashtext(id::text)) % 50 = 0;
         INSERT INTO person_markers (id, person_id, kind, source, review_on, ended_on, ended_reason, recorded_by, recorded_at)
         SELECT gen_random_uuid(), p.id,
                CASE WHEN abs(hashtext(p.id::text)) % 2 = 0 THEN 'cse_risk' ELSE 'mental_health' END,
                'Test', '2030-01-01',
                CASE WHEN abs(hashtext(p.id::text)) % 3 = 0 THEN DATE '2025-08-15' END,
                CASE WHEN abs(hashtext(p.id::text)) % 3 = 0 THEN 'Reviewed' END,
                (SELECT id FROM users WHERE role = 'supervisor' LIMIT 1),
                CASE WHEN abs(hashtext(p.id::text)) % 5 = 0 THEN TIMESTAMPTZ '2025-08-01 12:00+00'
                     ELSE TIMESTAMPTZ '2018-01-01 00:00+00' END
           FROM persons p WHERE abs(hashtext(p.id::text)) % 7 < 2;
         INSERT INTO episode_returns (episode_id, returned_at, location, how, harm_suffered, markers_seen, recorded_by)
         SELECT e.id, e.reported_at + interval '1 day', 'Home', 'self_returned', false,
                CASE WHEN abs(hashtext(e.id::text)) % 2 = 0 THEN ARRAY['cse'] ELSE ARRAY['mental_health', 'cce'] END,
                (SELECT id FROM users WHERE role = 'supervisor' LIMIT 1)
           FROM episodes e WHERE abs(hashtext(e.id::text)) % 9 = 0;
         INSERT INTO episode_transfers (id, episode_id, from_district_id, to_district_id, reason, transferred_by)
         SELECT gen_random_uuid(), e.id, e.district_id,
                (SELECT id FROM districts WHERE id <> e.district_id ORDER BY code LIMIT 1), 'moved', e.created_by
           FROM episodes e WHERE abs(hashtext(e.id::text)) % 11 = 0;
         UPDATE episodes e SET district_id = t.to_district_id FROM episode_transfers t WHERE t.episode_id = e.id;",
    )
    .await
    .unwrap();
}

#[actix_rt::test]
async fn the_quarterly_breakdown_agrees_with_the_reference_and_hides_small_cells_from_analysts() {
    let app = spawn_app().await;
    homeward::seed::synthetic(&app.admin_url, 8000, 44)
        .await
        .unwrap();
    stats_fixture(&app).await;
    let eps = episodes(&app).await;
    let markers = markers(&app).await;
    let (mfhc, _, analyst, officer) = tokens(&app).await;
    let want = breakdown_reference(&eps, &markers, month_start(2025, 7), month_start(2025, 10));
    assert!(want.len() > 50, "a real cross-tabulation");
    assert!(want.keys().any(|k| k.4) && want.keys().any(|k| k.5) && want.keys().any(|k| k.6));
    let r = get(
        &app,
        &mfhc,
        "/api/v1/datasets/quarterly-breakdown?quarter=2025-Q3",
    )
    .await;
    assert_eq!(
        (r["quarter"].clone(), r["from"].clone(), r["to"].clone()),
        (json!("2025-Q3"), json!("2025-07-01"), json!("2025-09-30"))
    );
    assert!(r["cells"][0]["given_name"].is_null());
    let got: BTreeMap<CellKey, (u64, u64)> = cells(&r)
        .into_iter()
        .map(|(k, (e, p))| (k, (count(&e).unwrap(), count(&p).unwrap())))
        .collect();
    assert_eq!(got, want, "every cell, districts and force");
    let a = get(
        &app,
        &analyst,
        "/api/v1/datasets/quarterly-breakdown?quarter=2025-Q3",
    )
    .await;
    assert_eq!(a["suppress_below"], 5);
    let got = cells(&a);
    assert_eq!(got.len(), want.len());
    for (k, (n, p)) in &want {
        assert_protected(&got[k].1, *p, 5, "persons");
        assert_eq!(
            got[k].0.is_null(),
            got[k].1.is_null(),
            "a cell is withheld whole"
        );
        assert_protected(&got[k].0, *n, 5, "episodes");
    }
    // The ethnicity is as recorded in JSON, neutralised in CSV.
    let csv = get_csv(
        &app,
        &analyst,
        "/api/v1/datasets/quarterly-breakdown?quarter=2025-Q3",
    )
    .await;
    assert_eq!(csv.lines().count(), want.len() + 1);
    assert!(csv.contains(",\"'=1+1\","), "{csv}");
    assert!(csv.contains(",\"force\",") && csv.contains("suppressed"));
    // The default is the last complete quarter; bad quarters are refused by name.
    let d = get(&app, &mfhc, "/api/v1/datasets/quarterly-breakdown").await;
    let today = Z.today(Utc::now());
    let q = (today.month() - 1) / 3 + 1;
    let (y, q) = if q == 1 {
        (today.year() - 1, 4)
    } else {
        (today.year(), q - 1)
    };
    assert_eq!(d["quarter"], format!("{y}-Q{q}"));
    for bad in ["2025-Q5", "2025-3", "Q3-2025", "9999-Q1"] {
        let r = app
            .call(
                "GET",
                &format!("/api/v1/datasets/quarterly-breakdown?quarter={bad}"),
                Some(&mfhc),
                None,
            )
            .await;
        assert_eq!(r.problem(400)["errors"][0]["field"], "quarter", "{bad}");
    }
    app.call(
        "GET",
        "/api/v1/datasets/quarterly-breakdown",
        Some(&officer),
        None,
    )
    .await
    .problem(403);
}

/// district (None: force) -> month start -> (children, episodes).
type Monthly = HashMap<Option<Uuid>, BTreeMap<DateTime<Utc>, (u64, u64)>>;

fn monthly_reference(eps: &[Ep]) -> Monthly {
    // (month, person) -> (latest start, its district)
    let mut latest: HashMap<(DateTime<Utc>, Uuid), (DateTime<Utc>, Uuid)> = HashMap::new();
    let mut out: Monthly = HashMap::new();
    for e in eps.iter().filter(|e| !e.cancelled && group(e) == "child") {
        let m = month_start(ym(e.reported_at).0, ym(e.reported_at).1);
        let l = latest
            .entry((m, e.person_id))
            .or_insert((e.reported_at, e.start_district));
        if (e.reported_at, e.start_district) > *l {
            *l = (e.reported_at, e.start_district);
        }
        for d in [Some(e.start_district), None] {
            out.entry(d).or_default().entry(m).or_default().1 += 1;
        }
    }
    for ((m, _), (_, d)) in latest {
        for d in [Some(d), None] {
            out.entry(d).or_default().entry(m).or_default().0 += 1;
        }
    }
    out
}

#[actix_rt::test]
async fn children_going_missing_and_their_rolling_average_agree_with_the_reference() {
    let app = spawn_app_suppressing_below(3).await;
    homeward::seed::synthetic(&app.admin_url, 8000, 55)
        .await
        .unwrap();
    stats_fixture(&app).await;
    let eps = episodes(&app).await;
    let (_, supervisor, analyst, officer) = tokens(&app).await;
    let want = monthly_reference(&eps);
    let figures = |d: Option<Uuid>, m: DateTime<Utc>| -> (u64, u64, f64, f64) {
        let series = want.get(&d).cloned().unwrap_or_default();
        let at = |t: DateTime<Utc>| series.get(&t).copied().unwrap_or_default();
        let (mut c, mut e, mut t) = (0, 0, m);
        for _ in 0..12 {
            c += at(t).0;
            e += at(t).1;
            t = match ym(t) {
                (y, 1) => month_start(y - 1, 12),
                (y, m) => month_start(y, m - 1),
            };
        }
        let avg = |n: u64| (n as f64 * 10.0 / 12.0).round() / 10.0;
        (at(m).0, at(m).1, avg(c), avg(e))
    };
    let path = "/api/v1/datasets/children-rolling-average?to=2025-12&months=6";
    let r = get(&app, &supervisor, path).await;
    let points = r["points"].as_array().unwrap();
    assert_eq!(points.len(), 6);
    assert_eq!(
        (points[0]["month"].clone(), points[5]["month"].clone()),
        (json!("2025-07"), json!("2025-12"))
    );
    let check = |v: &Value, want: (u64, u64, f64, f64), what: &str| {
        assert_eq!(
            (
                count(&v["children"]),
                count(&v["episodes"]),
                v["rolling_average_children"].as_f64(),
                v["rolling_average_episodes"].as_f64()
            ),
            (Some(want.0), Some(want.1), Some(want.2), Some(want.3)),
            "{what}"
        );
    };
    for p in points {
        let m: Vec<u32> = s(&p["month"])
            .split('-')
            .map(|x| x.parse().unwrap())
            .collect();
        let t = month_start(m[0] as i32, m[1]);
        check(&p["force"], figures(None, t), "force");
        assert_eq!(
            p["districts"].as_array().unwrap().len(),
            5,
            "every district, even empty"
        );
        let mut sum = 0;
        for d in p["districts"].as_array().unwrap() {
            let id: Uuid = s(&d["district_id"]).parse().unwrap();
            check(d, figures(Some(id), t), "district");
            sum += count(&d["children"]).unwrap();
        }
        assert_eq!(
            Some(sum),
            count(&p["force"]["children"]),
            "districts add up"
        );
    }
    assert!(figures(None, month_start(2025, 12)).0 > 0);
    // Analysts: the configured threshold (3) applies and is reported.
    let a = get(&app, &analyst, path).await;
    assert_eq!(
        (a["suppressed"].clone(), a["suppress_below"].clone()),
        (json!(true), json!(3))
    );
    let mut withheld = 0;
    for p in a["points"].as_array().unwrap() {
        let m: Vec<u32> = s(&p["month"])
            .split('-')
            .map(|x| x.parse().unwrap())
            .collect();
        let t = month_start(m[0] as i32, m[1]);
        for d in p["districts"].as_array().unwrap() {
            let id: Uuid = s(&d["district_id"]).parse().unwrap();
            let f = figures(Some(id), t);
            assert_protected(&d["children"], f.0, 3, "children");
            assert!(d["episodes"].is_null(), "no episode counts without names");
            withheld += usize::from(d["children"].is_null());
        }
    }
    assert!(withheld > 0, "Calderdale has months with 1 or 2 children");
    let csv = get_csv(&app, &analyst, path).await;
    assert!(csv.starts_with(
        "\"month\",\"district_id\",\"children\",\"episodes\",\"rolling_average_children\""
    ));
    assert_eq!(
        csv.lines().count(),
        1 + 6 * 6,
        "a force line and five district lines a month"
    );
    // Defaults and bad input.
    let d = get(
        &app,
        &supervisor,
        "/api/v1/datasets/children-rolling-average",
    )
    .await;
    assert_eq!(d["points"].as_array().unwrap().len(), 12);
    for (q, field) in [
        ("months=0", "months"),
        ("months=61", "months"),
        ("months=twelve", "months"),
        ("to=2025-13", "to"),
        ("to=9999-01", "to"),
    ] {
        let r = app
            .call(
                "GET",
                &format!("/api/v1/datasets/children-rolling-average?{q}"),
                Some(&supervisor),
                None,
            )
            .await;
        assert_eq!(r.problem(400)["errors"][0]["field"], field, "{q}");
    }
    app.call(
        "GET",
        "/api/v1/datasets/children-rolling-average",
        Some(&officer),
        None,
    )
    .await
    .problem(403);
}

#[actix_rt::test]
async fn the_threshold_is_configurable_and_applies_to_the_missing_persons_summary_too() {
    let app = spawn_app_suppressing_below(1).await;
    let (mfhc, _, analyst, _) = tokens(&app).await;
    let p = person(&app, &mfhc, "Solo", Some("2012-01-01")).await;
    crate::episodes::report(&app, &mfhc, &p["id"], 3).await;
    let r = get(&app, &analyst, "/api/v1/datasets/missing-persons?weeks=3").await;
    assert_eq!(r["suppress_below"], 1);
    assert_eq!(r["summary"][0]["persons"], 1, "1 withholds nothing");
    let app = spawn_app().await;
    let (mfhc, _, analyst, _) = tokens(&app).await;
    let p = person(&app, &mfhc, "Solo", Some("2012-01-01")).await;
    crate::episodes::report(&app, &mfhc, &p["id"], 3).await;
    let r = get(&app, &analyst, "/api/v1/datasets/missing-persons?weeks=3").await;
    assert_eq!(r["suppress_below"], 5, "the default");
    assert!(r["summary"][0]["persons"].is_null());
    let r = get(&app, &mfhc, "/api/v1/datasets/missing-persons?weeks=3").await;
    assert!(
        r["suppress_below"].is_null(),
        "nothing withheld from coordinators"
    );
}
