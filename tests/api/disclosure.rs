//! Disclosure control that holds: an automated differencing attack over every output an
//! analyst (who sees no names) can read. The attacker knows how the published figures add
//! up (each force figure is its districts' sum; a rolling average is a 12-month sum over
//! 12; a baseline difference is a value less its baseline) and solves the resulting
//! equations for every withheld count, by exact elimination. Zero may be recovered. A
//! supervisor's unsuppressed view is the ground truth that checks the attacker's model.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Value};

use crate::helpers::{demo_user, spawn_app, TestApp, ADMIN};

/// An exact fraction.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Q(i128, i128);

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

impl Q {
    fn new(n: i128, d: i128) -> Q {
        let g = gcd(n, d).max(1) * if d < 0 { -1 } else { 1 };
        Q(n / g, d / g)
    }
    fn zero(self) -> bool {
        self.0 == 0
    }
    fn sub(self, o: Q) -> Q {
        Q::new(self.0 * o.1 - o.0 * self.1, self.1 * o.1)
    }
    fn mul(self, o: Q) -> Q {
        Q::new(self.0 * o.0, self.1 * o.1)
    }
    fn div(self, o: Q) -> Q {
        Q::new(self.0 * o.1, self.1 * o.0)
    }
}

/// The attacker's knowledge: unknowns (withheld counts, with their true values for the
/// check), and equations Σ coef·x = constant over them (constants from published counts).
#[derive(Default)]
struct Attack {
    /// name -> (index, true value)
    unknowns: BTreeMap<String, (usize, i64)>,
    /// (coefficients over unknowns, constant)
    equations: Vec<(Vec<(usize, i64)>, i64)>,
    /// Withheld counts whose true value is small (primary) and not small (secondary).
    primary: usize,
    secondary: usize,
}

/// A published figure, or an unknown (with its true value for checking).
enum Term {
    Known(i64),
    Unknown(String, i64),
}

impl Attack {
    fn term(&mut self, name: String, shown: &Value, truth: &Value) -> Term {
        let t = truth
            .as_i64()
            .unwrap_or_else(|| panic!("no truth for {name}: {truth}"));
        match shown.as_i64() {
            Some(v) => {
                assert_eq!(v, t, "{name}: a published figure differs from the truth");
                Term::Known(v)
            }
            None => {
                assert!(shown.is_null(), "{name}: {shown}");
                if !self.unknowns.contains_key(&name) {
                    if (1..5).contains(&t) {
                        self.primary += 1;
                    } else {
                        self.secondary += 1;
                    }
                    let i = self.unknowns.len();
                    self.unknowns.insert(name.clone(), (i, t));
                }
                Term::Unknown(name, t)
            }
        }
    }

    /// `total = Σ parts`, checked against the truth first (the attacker's model is right).
    fn sum(&mut self, total: Term, parts: Vec<Term>, what: &str) {
        let value = |t: &Term| match t {
            Term::Known(v) | Term::Unknown(_, v) => *v,
        };
        assert_eq!(
            value(&total),
            parts.iter().map(value).sum::<i64>(),
            "{what}: the attacker's equation does not hold on the truth"
        );
        let mut coefs: HashMap<usize, i64> = HashMap::new();
        let mut constant = 0;
        for (t, sign) in std::iter::once((&total, -1)).chain(parts.iter().map(|p| (p, 1))) {
            match t {
                Term::Known(v) => constant -= sign * v,
                Term::Unknown(name, _) => *coefs.entry(self.unknowns[name].0).or_default() += sign,
            }
        }
        if !coefs.is_empty() {
            self.equations.push((coefs.into_iter().collect(), constant));
        }
    }

    /// The unknowns the equations fix, with the values they fix them to.
    fn recovered(&self) -> Vec<(String, i64)> {
        let n = self.unknowns.len();
        let mut rows: Vec<Vec<Q>> = self
            .equations
            .iter()
            .map(|(coefs, c)| {
                let mut row = vec![Q(0, 1); n + 1];
                for (i, v) in coefs {
                    row[*i] = Q::new(*v as i128, 1);
                }
                row[n] = Q::new(*c as i128, 1);
                row
            })
            .collect();
        let mut r = 0;
        let mut pivots = Vec::new();
        for c in 0..n {
            let Some(p) = (r..rows.len()).find(|i| !rows[*i][c].zero()) else {
                continue;
            };
            rows.swap(r, p);
            let lead = rows[r][c];
            for v in rows[r].iter_mut() {
                *v = v.div(lead);
            }
            for k in 0..rows.len() {
                if k != r && !rows[k][c].zero() {
                    let f = rows[k][c];
                    let pivot = rows[r].clone();
                    for (v, p) in rows[k].iter_mut().zip(pivot) {
                        *v = v.sub(f.mul(p));
                    }
                }
            }
            pivots.push((r, c));
            r += 1;
            if r == rows.len() {
                break;
            }
        }
        let names: HashMap<usize, &String> =
            self.unknowns.iter().map(|(k, (i, _))| (*i, k)).collect();
        pivots
            .into_iter()
            .filter(|(r, c)| (0..n).all(|j| j == *c || rows[*r][j].zero()))
            .map(|(r, c)| {
                let v = rows[r][n];
                (names[&c].clone(), (v.0 / v.1) as i64)
            })
            .collect()
    }
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let r = app.call("GET", path, Some(token), None).await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.body
}

fn key(c: &Value) -> String {
    format!(
        "{}/{}/{}/{}/{}/{}",
        c["age_group"], c["sex"], c["ethnicity"], c["cse"], c["mental_health"], c["looked_after"]
    )
}

/// The breakdown of `quarter`: each combination's force cell is its districts' sum.
async fn breakdown(a: &mut Attack, app: &TestApp, analyst: &str, truth: &str, quarter: &str) {
    let path = format!("/api/v1/datasets/quarterly-breakdown?quarter={quarter}");
    let shown = get(app, analyst, &path).await;
    let real = get(app, truth, &path).await;
    let index = |r: &Value| -> HashMap<(String, String), Value> {
        r["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| ((key(c), c["district_id"].to_string()), c.clone()))
            .collect()
    };
    let (shown, real) = (index(&shown), index(&real));
    assert_eq!(shown.len(), real.len(), "{quarter}: the same cells");
    let districts: Vec<String> = real
        .keys()
        .map(|k| k.1.clone())
        .filter(|d| d != "null")
        .collect();
    for measure in ["episodes", "persons"] {
        let combos: Vec<String> = real
            .keys()
            .filter(|k| k.1 == "null")
            .map(|k| k.0.clone())
            .collect();
        for combo in combos {
            let name = |d: &str| format!("{quarter} {measure} {combo} {d}");
            let force_key = (combo.clone(), "null".to_owned());
            let total = a.term(
                name("force"),
                &shown[&force_key][measure],
                &real[&force_key][measure],
            );
            let mut parts = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for d in &districts {
                if !seen.insert(d.clone()) {
                    continue;
                }
                let k = (combo.clone(), d.clone());
                if let Some(cell) = real.get(&k) {
                    parts.push(a.term(name(d), &shown[&k][measure], &cell[measure]));
                }
            }
            // Persons may be counted in two districts and once for the force: the cautious
            // attacker assumes they add up where the truth says they do.
            let value = |t: &Term| match t {
                Term::Known(v) | Term::Unknown(_, v) => *v,
            };
            let adds = value(&total) == parts.iter().map(value).sum::<i64>();
            if measure == "episodes" || adds {
                a.sum(total, parts, &format!("{quarter} {measure} {combo}"));
            }
        }
    }
}

/// The children series: each month's force is its districts' sum; a rolling average
/// shown is a 12-month total over 12.
async fn series(a: &mut Attack, app: &TestApp, analyst: &str, truth: &str, to: &str) {
    let path = format!("/api/v1/datasets/children-rolling-average?to={to}&months=24");
    let shown = get(app, analyst, &path).await;
    let real = get(app, truth, &path).await;
    for (p, t) in shown["points"]
        .as_array()
        .unwrap()
        .iter()
        .zip(real["points"].as_array().unwrap())
    {
        let month = p["month"].as_str().unwrap();
        let total = a.term(
            format!("{month} children force"),
            &p["force"]["children"],
            &t["force"]["children"],
        );
        let mut parts = Vec::new();
        for (d, td) in p["districts"]
            .as_array()
            .unwrap()
            .iter()
            .zip(t["districts"].as_array().unwrap())
        {
            parts.push(a.term(
                format!("{month} children {}", d["district_id"]),
                &d["children"],
                &td["children"],
            ));
            assert!(
                d["episodes"].is_null(),
                "episode counts are not shown without names"
            );
            assert!(d["rolling_average_episodes"].is_null());
        }
        a.sum(total, parts, &format!("{month} children"));
    }
    // A shown average is a 12-month total, and when it is, every month behind it is shown
    // too (so it can fix nothing the months do not): check that it says so.
    let points = shown["points"].as_array().unwrap();
    for (i, p) in points.iter().enumerate().skip(11) {
        for area in std::iter::once(&p["force"]).chain(p["districts"].as_array().unwrap()) {
            if area["rolling_average_children"].is_null() {
                continue;
            }
            let months: Vec<&Value> = points[i - 11..=i]
                .iter()
                .map(|q| {
                    if area.get("district_id").is_some() {
                        q["districts"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .find(|d| d["district_id"] == area["district_id"])
                            .map(|d| &d["children"])
                            .unwrap()
                    } else {
                        &q["force"]["children"]
                    }
                })
                .collect();
            assert!(
                months.iter().all(|m| !m.is_null()),
                "an average shown over a withheld month"
            );
        }
    }
}

/// The measure's report: each point's force figure is its districts' sum, and a figure
/// shown against a baseline gives value = baseline + difference.
async fn measures(a: &mut Attack, app: &TestApp, analyst: &str, truth: &str) {
    let path = "/api/v1/measures/repeat-missing?from=2024-01-31&to=2025-12-31&granularity=month";
    let shown = get(app, analyst, path).await;
    let real = get(app, truth, path).await;
    assert_eq!(shown["suppress_below"], 5);
    for (p, t) in shown["points"]
        .as_array()
        .unwrap()
        .iter()
        .zip(real["points"].as_array().unwrap())
    {
        for group in ["children", "adults"] {
            let at = format!("{} {group}", p["period_end"]);
            let total = a.term(
                format!("{at} force"),
                &p[group]["force"]["value"],
                &t[group]["force"]["value"],
            );
            let mut parts = Vec::new();
            for (d, td) in p[group]["districts"]
                .as_array()
                .unwrap()
                .iter()
                .zip(t[group]["districts"].as_array().unwrap())
            {
                let name = format!("{at} {}", d["district_id"]);
                parts.push(a.term(name.clone(), &d["value"], &td["value"]));
                if d["value"].is_null() {
                    assert!(d["difference"].is_null() && d["percent_change"].is_null());
                    assert_eq!(d["standing"], "suppressed");
                }
            }
            a.sum(total, parts, &at);
            let f = &p[group]["force"];
            if let (Some(b), Some(diff)) =
                (f["baseline"]["value"].as_i64(), f["difference"].as_i64())
            {
                let v = a.term(
                    format!("{at} force"),
                    &f["value"],
                    &t[group]["force"]["value"],
                );
                a.sum(
                    v,
                    vec![Term::Known(b), Term::Known(diff)],
                    &format!("{at} against baseline"),
                );
            }
        }
    }
}

/// The baselines: a computed force baseline is its districts' computed baselines' sum.
async fn baselines(a: &mut Attack, app: &TestApp, analyst: &str, truth: &str) {
    let shown = get(app, analyst, "/api/v1/baselines").await;
    let real = get(app, truth, "/api/v1/baselines").await;
    let rows = |r: &Value| -> Vec<Value> { r["versions"].as_array().unwrap().clone() };
    let (shown, real) = (rows(&shown), rows(&real));
    for group in ["child", "adult"] {
        let pick = |rows: &[Value], district: bool| -> Vec<Value> {
            rows.iter()
                .filter(|b| b["age_group"] == group && b["source"] == "computed")
                .filter(|b| b["district_id"].is_null() != district)
                .cloned()
                .collect()
        };
        let (force, districts) = (pick(&shown, false), pick(&shown, true));
        let (real_force, real_districts) = (pick(&real, false), pick(&real, true));
        if force.is_empty() || districts.is_empty() {
            continue;
        }
        let total = a.term(
            format!("baseline {group} force"),
            &force[0]["value"],
            &real_force[0]["value"],
        );
        let parts = districts
            .iter()
            .zip(&real_districts)
            .map(|(s, r)| {
                a.term(
                    format!("baseline {group} {}", s["district_id"]),
                    &s["value"],
                    &r["value"],
                )
            })
            .collect();
        a.sum(total, parts, &format!("baselines {group}"));
    }
}

#[actix_rt::test]
async fn a_differencing_attack_over_every_analyst_output_recovers_nothing() {
    let app = spawn_app().await;
    homeward::seed::synthetic(&app.admin_url, 6000, 77)
        .await
        .unwrap();
    let (admin, _) = app.login(ADMIN).await;
    let (analyst, _) = app.login(demo_user("analyst")).await;
    let (truth, _) = app.login(demo_user("supervisor")).await;
    // Computed 2019 baselines for the force and every district, children and adults.
    let reference = get(&app, &admin, "/api/v1/reference").await;
    for group in ["child", "adult"] {
        let r = app
            .call(
                "POST",
                "/api/v1/baselines",
                Some(&admin),
                Some(json!({ "age_group": group })),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        for d in reference["districts"].as_array().unwrap() {
            let r = app
                .call(
                    "POST",
                    "/api/v1/baselines",
                    Some(&admin),
                    Some(json!({ "age_group": group, "district_id": d["id"] })),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.body);
        }
    }

    let mut a = Attack::default();
    for q in ["2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"] {
        breakdown(&mut a, &app, &analyst, &truth, q).await;
    }
    series(&mut a, &app, &analyst, &truth, "2025-12").await;
    measures(&mut a, &app, &analyst, &truth).await;
    baselines(&mut a, &app, &analyst, &truth).await;

    assert!(a.primary > 20, "small counts are withheld: {}", a.primary);
    assert!(a.secondary > 5, "and others beside them: {}", a.secondary);
    assert!(
        a.equations.len() > 50,
        "the attacker has equations: {}",
        a.equations.len()
    );
    let recovered = a.recovered();
    assert!(
        recovered.is_empty(),
        "{} withheld counts recovered, e.g. {:?}",
        recovered.len(),
        &recovered[..recovered.len().min(5)]
    );

    // The same cells are withheld whichever district is asked for.
    let all = get(
        &app,
        &analyst,
        "/api/v1/datasets/quarterly-breakdown?quarter=2025-Q3",
    )
    .await;
    let leeds = reference["districts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "LDS")
        .unwrap()["id"]
        .clone();
    let one = get(
        &app,
        &analyst,
        &format!(
            "/api/v1/datasets/quarterly-breakdown?quarter=2025-Q3&district_id={}",
            leeds.as_str().unwrap()
        ),
    )
    .await;
    for c in one["cells"].as_array().unwrap() {
        let same = all["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| key(x) == key(c) && x["district_id"] == c["district_id"])
            .unwrap();
        assert_eq!(same["persons"], c["persons"], "{}", key(c));
    }
}

#[test]
fn the_attacker_recovers_a_lone_withheld_district() {
    // Without secondary suppression, force minus the other districts gives it away: the
    // attack is able to find what the service must hide.
    let mut a = Attack::default();
    let total = a.term("force".into(), &json!(40), &json!(40));
    let parts = vec![
        a.term("d1".into(), &Value::Null, &json!(3)),
        a.term("d2".into(), &json!(10), &json!(10)),
        a.term("d3".into(), &json!(27), &json!(27)),
    ];
    a.sum(total, parts, "one line");
    assert_eq!(a.recovered(), [("d1".to_owned(), 3)]);
    // With a companion withheld, nothing.
    let mut b = Attack::default();
    let total = b.term("force".into(), &json!(40), &json!(40));
    let parts = vec![
        b.term("d1".into(), &Value::Null, &json!(3)),
        b.term("d2".into(), &Value::Null, &json!(10)),
        b.term("d3".into(), &json!(27), &json!(27)),
    ];
    b.sum(total, parts, "one line");
    assert!(b.recovered().is_empty());
}
