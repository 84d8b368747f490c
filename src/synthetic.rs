//! Synthetic missing-episode data for demos, tests and benchmarks, generated
//! reproducibly from a seed: persons with repeat patterns (most go missing once, a few
//! many times), about 60% children, a share of looked-after children, district sizes
//! like West Yorkshire's, a summer peak, and years before 2020 for the baseline.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::domain::episodes::{EpisodeStatus, MissingFrom, ReportedBy, RiskLevel};
use crate::domain::persons::Sex;

/// District codes and their shares of episodes (roughly West Yorkshire's populations).
pub const DISTRICTS: &[(&str, f64)] = &[
    ("LDS", 0.34),
    ("BFD", 0.25),
    ("KIR", 0.19),
    ("WKF", 0.14),
    ("CDE", 0.08),
];

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub episodes: usize,
    pub seed: u64,
    /// Episodes start on or after this day...
    pub from: NaiveDate,
    /// ...and before this one.
    pub to: NaiveDate,
}

impl Options {
    pub fn new(episodes: usize, seed: u64, today: NaiveDate) -> Self {
        Options {
            episodes,
            seed,
            from: NaiveDate::from_ymd_opt(2017, 1, 1).unwrap_or(today),
            to: today,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub given_name: &'static str,
    pub family_name: &'static str,
    pub date_of_birth: NaiveDate,
    pub sex: Sex,
    pub district: &'static str,
    pub looked_after: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    /// Index into the persons.
    pub person: usize,
    pub district: &'static str,
    pub reported_at: DateTime<Utc>,
    pub missing_from: MissingFrom,
    pub reported_by: ReportedBy,
    pub risk_level: RiskLevel,
    pub status: EpisodeStatus,
}

const GIVEN: &[&str] = &[
    "Amelia", "Oliver", "Isla", "Noah", "Ava", "Leo", "Mia", "Arthur", "Ivy", "Muhammad", "Freya",
    "Harry", "Lily", "Oscar", "Grace", "Jack", "Zara", "Ethan", "Aisha", "Kai",
];
const FAMILY: &[&str] = &[
    "Smith", "Khan", "Jones", "Patel", "Brown", "Hussain", "Taylor", "Wilson", "Ali", "Walker",
    "Wood", "Ahmed", "Thompson", "Wright", "Robinson", "Clarke", "Hall", "Shah", "Green", "Lee",
];

fn pick_district(rng: &mut StdRng) -> &'static str {
    let mut x: f64 = rng.gen();
    for (code, share) in DISTRICTS {
        if x < *share {
            return code;
        }
        x -= share;
    }
    DISTRICTS[0].0
}

/// How many episodes a person has: most one, some a few, a few very many.
fn episodes_for(rng: &mut StdRng) -> usize {
    match rng.gen_range(0..100) {
        0..=64 => 1,
        65..=84 => rng.gen_range(2..=3),
        85..=94 => rng.gen_range(4..=9),
        _ => rng.gen_range(10..=40),
    }
}

/// More go missing in late spring and summer.
fn seasonal_weight(day: NaiveDate) -> f64 {
    let angle = (f64::from(day.ordinal()) - 80.0) / 365.0 * std::f64::consts::TAU;
    1.0 + 0.25 * angle.sin()
}

fn at_time(rng: &mut StdRng, day: NaiveDate) -> DateTime<Utc> {
    let secs = rng.gen_range(0..86_400);
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default()) + Duration::seconds(secs)
}

/// Generates persons and their episodes (oldest first per person), the same for the
/// same options every time.
pub fn generate(o: &Options) -> (Vec<Person>, Vec<Episode>) {
    let mut rng = StdRng::seed_from_u64(o.seed);
    let span = (o.to - o.from).num_days().max(1);
    let mut persons = Vec::new();
    let mut episodes = Vec::with_capacity(o.episodes);
    while episodes.len() < o.episodes {
        let n = episodes_for(&mut rng).min(o.episodes - episodes.len());
        // A seasonal first day.
        let first = loop {
            let d = o.from + Duration::days(rng.gen_range(0..span));
            if rng.gen_range(0.0..1.25) < seasonal_weight(d) {
                break d;
            }
        };
        let child = rng.gen_bool(0.6);
        let age_years = if child {
            rng.gen_range(10..=17)
        } else {
            rng.gen_range(18..=85)
        };
        let date_of_birth = first - Duration::days(age_years * 365 + rng.gen_range(0..365));
        let looked_after = child && rng.gen_bool(0.3);
        let district = pick_district(&mut rng);
        let index = persons.len();
        persons.push(Person {
            given_name: GIVEN[rng.gen_range(0..GIVEN.len())],
            family_name: FAMILY[rng.gen_range(0..FAMILY.len())],
            date_of_birth,
            sex: if rng.gen_bool(0.5) {
                Sex::Female
            } else {
                Sex::Male
            },
            district,
            looked_after,
        });
        let mut day = first;
        for _ in 0..n {
            if day >= o.to {
                break;
            }
            let missing_from = if looked_after && rng.gen_bool(0.7) {
                MissingFrom::CarePlacement
            } else {
                match rng.gen_range(0..100) {
                    0..=79 => MissingFrom::Home,
                    80..=87 => MissingFrom::HospitalOrMedical,
                    _ => MissingFrom::Other,
                }
            };
            let reported_at = at_time(&mut rng, day);
            let recent = (Utc::now() - reported_at) < Duration::days(3);
            episodes.push(Episode {
                person: index,
                // Now and then a person goes missing in a neighbouring district.
                district: if rng.gen_bool(0.1) {
                    pick_district(&mut rng)
                } else {
                    district
                },
                reported_at,
                missing_from,
                reported_by: match missing_from {
                    MissingFrom::CarePlacement => ReportedBy::ChildrensHome,
                    MissingFrom::HospitalOrMedical => ReportedBy::Hospital,
                    _ => ReportedBy::Parent,
                },
                risk_level: match rng.gen_range(0..100) {
                    0..=9 => RiskLevel::VeryLow,
                    10..=49 => RiskLevel::Low,
                    50..=89 => RiskLevel::Medium,
                    _ => RiskLevel::High,
                },
                status: if rng.gen_bool(0.03) {
                    EpisodeStatus::Cancelled
                } else if recent {
                    EpisodeStatus::Active
                } else {
                    EpisodeStatus::Closed
                },
            });
            // Repeaters go again within weeks, sometimes days.
            day += Duration::days(1 + (rng.gen::<f64>().powi(2) * 60.0) as i64);
        }
    }
    (persons, episodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(n: usize, seed: u64) -> Options {
        Options::new(n, seed, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
    }

    #[test]
    fn the_same_seed_gives_the_same_data() {
        assert_eq!(generate(&options(2000, 7)), generate(&options(2000, 7)));
        assert_ne!(generate(&options(2000, 7)).1, generate(&options(2000, 8)).1);
    }

    #[test]
    fn the_data_looks_like_a_force() {
        let (persons, episodes) = generate(&options(20_000, 1));
        assert!(episodes.len() <= 20_000 && episodes.len() > 19_000);
        let children = persons
            .iter()
            .filter(|p| p.date_of_birth > NaiveDate::from_ymd_opt(2000, 1, 1).unwrap())
            .count();
        assert!(children > 0);
        // About 60% of persons are children at their first episode.
        let first_child = episodes
            .iter()
            .filter(|e| {
                let p = &persons[e.person];
                crate::domain::persons::is_child(p.date_of_birth, e.reported_at.date_naive())
            })
            .count() as f64
            / episodes.len() as f64;
        assert!((0.5..0.8).contains(&first_child), "{first_child}");
        // Repeat patterns: many persons once, some many times.
        let mut per = vec![0usize; persons.len()];
        for e in &episodes {
            per[e.person] += 1;
        }
        let once = per.iter().filter(|n| **n == 1).count() as f64 / persons.len() as f64;
        assert!((0.5..0.8).contains(&once), "{once}");
        assert!(per.iter().any(|n| *n >= 10));
        // Leeds is the biggest district; there is a pre-2020 baseline period.
        let leeds = episodes.iter().filter(|e| e.district == "LDS").count();
        let calderdale = episodes.iter().filter(|e| e.district == "CDE").count();
        assert!(leeds > 3 * calderdale);
        assert!(episodes.iter().any(|e| e.reported_at.year() == 2019));
        assert!(episodes
            .iter()
            .all(|e| e.reported_at.date_naive() < options(1, 1).to));
    }
}
