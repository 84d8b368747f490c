//! Synthetic missing-episode data for demos, tests and benchmarks, generated
//! reproducibly from a seed: persons with repeat patterns (most go missing once, a few
//! many times), about 60% children, looked-after children with their placements,
//! ethnicity, risk markers, district sizes like West Yorkshire's, a summer peak, and
//! years before 2020 for the baseline.

use std::ops::Range;

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::domain::episodes::{EpisodeStatus, MissingFrom, ReportedBy, RiskLevel};
use crate::domain::person_records::{MarkerKind, PlacementKind, Span};
use crate::domain::persons::{age_on, is_child, Sex};

/// District codes and their shares of episodes (roughly West Yorkshire's populations).
pub const DISTRICTS: &[(&str, f64)] = &[
    ("LDS", 0.34),
    ("BFD", 0.25),
    ("KIR", 0.19),
    ("WKF", 0.14),
    ("CDE", 0.08),
];

/// The local authority (ONS code, as `seeds/reference.sql` loads it) of each district.
pub const DISTRICT_AUTHORITIES: &[(&str, &str)] = &[
    ("LDS", "E08000035"),
    ("BFD", "E08000032"),
    ("KIR", "E08000034"),
    ("WKF", "E08000036"),
    ("CDE", "E08000033"),
];

/// Authorities outside West Yorkshire that place children in it (also seeded).
pub const OTHER_AUTHORITIES: &[&str] = &[
    "E08000016",
    "E08000017",
    "E08000018",
    "E08000039",
    "E08000001",
    "E08000002",
    "E08000003",
    "E08000004",
    "E08000005",
    "E08000012",
    "E08000025",
    "E06000010",
    "E06000011",
    "E06000014",
    "E06000065",
    "E10000007",
    "E10000017",
    "E10000024",
];

/// Ethnic groups as recorded: the 2021 census categories, by their short names.
pub const ETHNICITIES: [&str; 18] = [
    "White British",
    "White Irish",
    "Gypsy or Irish Traveller",
    "Any other White background",
    "Pakistani",
    "Indian",
    "Bangladeshi",
    "Chinese",
    "Any other Asian background",
    "African",
    "Caribbean",
    "Any other Black background",
    "White and Black Caribbean",
    "White and Asian",
    "White and Black African",
    "Any other Mixed background",
    "Arab",
    "Any other ethnic group",
];

/// Each district's shares of [`ETHNICITIES`], per cent: roughly its 2021 census
/// population (Bradford's large Pakistani community, Leeds's larger Black population).
const ETHNICITY_SHARES: &[(&str, [f64; 18])] = &[
    (
        "LDS",
        [
            74.0, 0.4, 0.1, 4.3, 3.8, 2.5, 0.4, 0.8, 2.1, 3.9, 0.9, 0.8, 1.3, 0.8, 0.5, 0.9, 0.6,
            1.2,
        ],
    ),
    (
        "BFD",
        [
            56.0, 0.3, 0.2, 4.4, 25.5, 2.3, 2.0, 0.2, 1.3, 1.1, 0.4, 0.3, 0.9, 1.2, 0.2, 0.6, 0.5,
            1.6,
        ],
    ),
    (
        "KIR",
        [
            72.0, 0.4, 0.1, 2.8, 12.5, 4.5, 0.3, 0.3, 0.9, 0.9, 0.8, 0.3, 1.2, 0.8, 0.2, 0.5, 0.4,
            0.8,
        ],
    ),
    (
        "WKF",
        [
            88.5, 0.3, 0.1, 4.0, 1.3, 0.5, 0.1, 0.3, 0.6, 1.3, 0.2, 0.2, 0.6, 0.4, 0.2, 0.4, 0.2,
            0.5,
        ],
    ),
    (
        "CDE",
        [
            81.0, 0.4, 0.1, 2.5, 9.0, 0.6, 0.6, 0.3, 0.6, 0.4, 0.2, 0.1, 0.9, 0.9, 0.1, 0.5, 0.2,
            0.6,
        ],
    ),
];

/// The share of persons whose ethnicity is not recorded.
const ETHNICITY_UNRECORDED: f64 = 0.1;

/// Placement kinds of looked-after children who go missing, and the share of each
/// kind that is out of area (placed by another authority than the host's).
const PLACEMENT_KINDS: &[(PlacementKind, f64, f64)] = &[
    (PlacementKind::Foster, 0.50, 0.22),
    (PlacementKind::RegulatedChildrensHome, 0.28, 0.45),
    (PlacementKind::UnregulatedChildrensHome, 0.12, 0.45),
    (PlacementKind::Family, 0.10, 0.15),
];

/// Since 9 September 2021 children under 16 may not be placed in unregulated homes.
const UNREGULATED_BANNED_FOR_UNDER_16S: (i32, u32, u32) = (2021, 9, 9);

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub episodes: usize,
    pub seed: u64,
    /// Episodes start on or after this day...
    pub from: NaiveDate,
    /// ...and before this one (today: nothing is recorded on or after it).
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

/// Everything generated; the indexes in each record point into these vectors.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Synthetic {
    pub persons: Vec<Person>,
    pub placements: Vec<Placement>,
    pub markers: Vec<Marker>,
    pub episodes: Vec<Episode>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub given_name: &'static str,
    pub family_name: &'static str,
    pub date_of_birth: NaiveDate,
    pub sex: Sex,
    /// One of [`ETHNICITIES`]; `None`: not recorded.
    pub ethnicity: Option<&'static str>,
    pub district: &'static str,
    pub looked_after: bool,
}

/// A looked-after child's placement. A child's placements follow one another without
/// gaps from before their first episode; the last runs, as planned, to the eve of their
/// 18th birthday (so none is open).
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// Index into the persons.
    pub person: usize,
    pub kind: PlacementKind,
    pub provider: &'static str,
    pub placing_authority: &'static str,
    /// The authority of the person's district.
    pub host_authority: &'static str,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

impl Placement {
    pub fn span(&self) -> Span {
        Span {
            starts_on: self.starts_on,
            ends_on: self.ends_on,
        }
    }

    pub fn out_of_area(&self) -> bool {
        self.placing_authority != self.host_authority
    }
}

/// A risk or vulnerability marker, in force from `recorded_at` until `ended_on`.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Index into the persons.
    pub person: usize,
    pub kind: MarkerKind,
    pub source: &'static str,
    pub recorded_at: DateTime<Utc>,
    pub review_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub ended_reason: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    /// Index into the persons.
    pub person: usize,
    pub district: &'static str,
    pub reported_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub missing_from: MissingFrom,
    /// Index into the placements: the one covering the day last seen, for looked-after
    /// children missing from care.
    pub placement: Option<usize>,
    /// Whether the person was a looked-after child when reported.
    pub looked_after: bool,
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

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.gen_range(0..items.len())]
}

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

/// The authority a district lies in.
pub fn authority_of(district: &str) -> &'static str {
    DISTRICT_AUTHORITIES
        .iter()
        .find(|(d, _)| *d == district)
        .map_or(DISTRICT_AUTHORITIES[0].1, |(_, la)| la)
}

fn pick_ethnicity(rng: &mut StdRng, district: &str) -> Option<&'static str> {
    if rng.gen_bool(ETHNICITY_UNRECORDED) {
        return None;
    }
    let shares = ETHNICITY_SHARES
        .iter()
        .find(|(d, _)| *d == district)
        .map_or(&ETHNICITY_SHARES[0].1, |(_, s)| s);
    let mut x = rng.gen_range(0.0..shares.iter().sum::<f64>());
    for (name, share) in ETHNICITIES.iter().zip(shares) {
        if x < *share {
            return Some(name);
        }
        x -= share;
    }
    Some(ETHNICITIES[0])
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

/// Where someone not missing from a care placement went missing from.
fn other_setting(rng: &mut StdRng) -> MissingFrom {
    match rng.gen_range(0..100) {
        0..=79 => MissingFrom::Home,
        80..=87 => MissingFrom::HospitalOrMedical,
        _ => MissingFrom::Other,
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

/// Generates persons, their placements, markers and episodes (oldest first per
/// person), the same for the same options every time.
pub fn generate(o: &Options) -> Synthetic {
    let mut rng = StdRng::seed_from_u64(o.seed);
    // What came after the first version (placements, ethnicity, markers, the setting of
    // a looked-after adult's episode) draws from a stream of its own, so a seed's
    // persons and episodes stay what they were.
    let mut aux = StdRng::seed_from_u64(o.seed ^ 0x5EED_DE7A_115E_7A15);
    let span = (o.to - o.from).num_days().max(1);
    let mut out = Synthetic {
        episodes: Vec::with_capacity(o.episodes),
        ..Synthetic::default()
    };
    while out.episodes.len() < o.episodes {
        let n = episodes_for(&mut rng).min(o.episodes - out.episodes.len());
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
        let index = out.persons.len();
        out.persons.push(Person {
            given_name: GIVEN[rng.gen_range(0..GIVEN.len())],
            family_name: FAMILY[rng.gen_range(0..FAMILY.len())],
            date_of_birth,
            sex: if rng.gen_bool(0.5) {
                Sex::Female
            } else {
                Sex::Male
            },
            ethnicity: pick_ethnicity(&mut aux, district),
            district,
            looked_after,
        });
        let placed = out.placements.len();
        if looked_after {
            add_placements(
                &mut aux,
                o,
                index,
                &out.persons[index],
                first,
                &mut out.placements,
            );
        }
        let placed = placed..out.placements.len();
        let first_episode = out.episodes.len();
        let mut day = first;
        for _ in 0..n {
            if day >= o.to {
                break;
            }
            let care = looked_after && rng.gen_bool(0.7);
            let mut missing_from = if care {
                MissingFrom::CarePlacement
            } else {
                other_setting(&mut rng)
            };
            let reported_at = at_time(&mut rng, day);
            let last_seen_at = reported_at - Duration::hours(2);
            let child_now = is_child(date_of_birth, reported_at.date_naive());
            let placement = if care && child_now {
                covering(&out.placements, placed.clone(), last_seen_at.date_naive())
            } else {
                None
            };
            if care && placement.is_none() {
                // A care leaver: no longer missing from care.
                missing_from = other_setting(&mut aux);
            }
            let recent = (Utc::now() - reported_at) < Duration::days(3);
            // One disappearance at a time: a person missing again was back from the last.
            if let Some(previous) = out.episodes[first_episode..]
                .iter_mut()
                .rev()
                .find(|e| e.status == EpisodeStatus::Active)
            {
                previous.status = EpisodeStatus::Closed;
            }
            out.episodes.push(Episode {
                person: index,
                // Now and then a person goes missing in a neighbouring district.
                district: if rng.gen_bool(0.1) {
                    pick_district(&mut rng)
                } else {
                    district
                },
                reported_at,
                last_seen_at,
                missing_from,
                placement,
                looked_after: looked_after && child_now,
                reported_by: match (missing_from, placement.map(|p| out.placements[p].kind)) {
                    (
                        MissingFrom::CarePlacement,
                        Some(PlacementKind::Foster | PlacementKind::Family),
                    ) => ReportedBy::Carer,
                    (MissingFrom::CarePlacement, _) => ReportedBy::ChildrensHome,
                    (MissingFrom::HospitalOrMedical, _) => ReportedBy::Hospital,
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
        add_markers(
            &mut aux,
            o,
            index,
            &out.persons[index],
            &out.episodes[first_episode..],
            &mut out.markers,
        );
    }
    out
}

/// The placement among `range` that covers `day`.
fn covering(placements: &[Placement], range: Range<usize>, day: NaiveDate) -> Option<usize> {
    range
        .into_iter()
        .find(|i| placements[*i].span().contains(day))
}

/// A looked-after child's placements: in care from up to three years before their first
/// episode, with up to two moves before today, the last placement to the eve of their
/// 18th birthday; hosted by their district's authority, placed by it or (out of area)
/// by another.
fn add_placements(
    rng: &mut StdRng,
    o: &Options,
    person: usize,
    p: &Person,
    first: NaiveDate,
    out: &mut Vec<Placement>,
) {
    let dob = p.date_of_birth;
    let eighteenth = dob
        .checked_add_months(Months::new(12 * 18))
        .unwrap_or(first);
    let last_day = eighteenth.pred_opt().unwrap_or(eighteenth);
    // The first episode's last-seen day (up to two hours before the report) is in care.
    let mut starts_on = first - Duration::days(rng.gen_range(1..=3 * 365));
    let room = (last_day.min(o.to - Duration::days(1)) - starts_on).num_days();
    let mut moves: Vec<NaiveDate> = Vec::new();
    for _ in 0..match rng.gen_range(0..100) {
        0..=54 => 0,
        55..=84 => 1,
        _ => 2,
    } {
        if room > 1 {
            moves.push(starts_on + Duration::days(rng.gen_range(1..room)));
        }
    }
    moves.sort_unstable();
    moves.dedup();
    let host = authority_of(p.district);
    let ends = moves
        .iter()
        .map(|m| *m - Duration::days(1))
        .chain(std::iter::once(last_day));
    for ends_on in ends {
        let mut kind = PLACEMENT_KINDS[0].0;
        let mut out_of_area_share = PLACEMENT_KINDS[0].2;
        let mut x: f64 = rng.gen();
        for (k, share, away) in PLACEMENT_KINDS {
            if x < *share {
                (kind, out_of_area_share) = (*k, *away);
                break;
            }
            x -= share;
        }
        let (y, m, d) = UNREGULATED_BANNED_FOR_UNDER_16S;
        if kind == PlacementKind::UnregulatedChildrensHome
            && age_on(dob, starts_on) < 16
            && NaiveDate::from_ymd_opt(y, m, d).is_some_and(|ban| starts_on >= ban)
        {
            kind = PlacementKind::RegulatedChildrensHome;
        }
        let placing_authority = if !rng.gen_bool(out_of_area_share) {
            host
        } else if rng.gen_bool(0.35) {
            // Another West Yorkshire authority.
            let others: Vec<&'static str> = DISTRICT_AUTHORITIES
                .iter()
                .map(|(_, la)| *la)
                .filter(|la| *la != host)
                .collect();
            pick(rng, &others)
        } else {
            pick(rng, OTHER_AUTHORITIES)
        };
        out.push(Placement {
            person,
            kind,
            provider: pick(rng, providers(kind)),
            placing_authority,
            host_authority: host,
            starts_on,
            ends_on: Some(ends_on),
        });
        starts_on = ends_on + Duration::days(1);
    }
}

fn providers(kind: PlacementKind) -> &'static [&'static str] {
    match kind {
        PlacementKind::RegulatedChildrensHome => &[
            "Oakwood House",
            "Meadow View",
            "Beech Lodge",
            "The Willows",
            "Moorside Children's Home",
            "Hillcrest",
        ],
        PlacementKind::UnregulatedChildrensHome => &[
            "Supported lodgings",
            "Semi-independent flat",
            "Supported accommodation (shared house)",
        ],
        PlacementKind::Foster => &[
            "Local authority foster carer",
            "Independent fostering agency carer",
        ],
        PlacementKind::Family => &[
            "Grandparent (kinship care)",
            "Aunt or uncle (kinship care)",
            "Placed with parent",
        ],
    }
}

/// A person's markers, drawn from their age, sex, whether looked after and how often
/// they went missing: CSE risk mostly for girls who go missing again and again, CCE
/// risk for boys, mental health for adults, dementia for older adults. Most were
/// recorded before the first episode, some after (an episode brought them to light),
/// a quarter (not dementia) have ended; live ones are mostly reviewed on time.
fn add_markers(
    rng: &mut StdRng,
    o: &Options,
    person: usize,
    p: &Person,
    episodes: &[Episode],
    out: &mut Vec<Marker>,
) {
    let (Some(first), Some(last)) = (episodes.first(), episodes.last()) else {
        return;
    };
    let (first, last) = (
        first.reported_at.date_naive(),
        last.reported_at.date_naive(),
    );
    let age = age_on(p.date_of_birth, first);
    let band = match episodes.len() {
        1 => 0,
        2..=3 => 1,
        4..=9 => 2,
        _ => 3,
    };
    let female = p.sex == Sex::Female;
    let chances = if age < 18 {
        let lac = if p.looked_after { 1.5 } else { 1.0 };
        [
            (
                MarkerKind::CseRisk,
                [0.03, 0.10, 0.22, 0.35][band] * if female { 1.4 } else { 0.6 } * lac,
            ),
            (
                MarkerKind::CceRisk,
                [0.02, 0.07, 0.15, 0.28][band] * if female { 0.5 } else { 1.4 } * lac,
            ),
            (MarkerKind::MentalHealth, 0.10 + 0.04 * band as f64),
            (MarkerKind::SelfHarm, 0.06 + 0.03 * band as f64),
            (MarkerKind::Dementia, 0.0),
        ]
    } else {
        let young = age < 25;
        [
            (MarkerKind::CseRisk, if young { 0.04 } else { 0.005 }),
            (MarkerKind::CceRisk, if young { 0.03 } else { 0.005 }),
            (
                MarkerKind::MentalHealth,
                if age >= 75 { 0.10 } else { 0.35 },
            ),
            (MarkerKind::SelfHarm, if age >= 65 { 0.02 } else { 0.12 }),
            (
                MarkerKind::Dementia,
                match age {
                    75.. => 0.65,
                    65..=74 => 0.35,
                    55..=64 => 0.05,
                    _ => 0.0,
                },
            ),
        ]
    };
    for (kind, chance) in chances {
        if !rng.gen_bool(f64::min(chance, 0.95)) {
            continue;
        }
        let day = if rng.gen_bool(0.6) {
            first - Duration::days(rng.gen_range(1..=730))
        } else {
            first + Duration::days(rng.gen_range(0..=(last - first).num_days() + 180))
        };
        if day >= o.to {
            // Not recorded yet.
            continue;
        }
        let recorded_at = at_time(rng, day);
        let months = if matches!(kind, MarkerKind::CseRisk | MarkerKind::CceRisk) {
            6
        } else {
            12
        };
        let mut review_on = day + Months::new(months);
        let ended_on = (kind != MarkerKind::Dementia && rng.gen_bool(0.25))
            .then(|| day + Duration::days(rng.gen_range(90..=730)))
            .filter(|d| *d < o.to);
        if ended_on.is_none() && review_on < o.to && rng.gen_bool(0.75) {
            // Reviewed since: the next review is ahead.
            review_on = o.to + Duration::days(rng.gen_range(0..=365));
        }
        out.push(Marker {
            person,
            kind,
            source: pick(rng, marker_sources(kind)),
            recorded_at,
            review_on,
            ended_on,
            ended_reason: ended_on.map(|_| pick(rng, ENDED_REASONS)),
        });
    }
}

fn marker_sources(kind: MarkerKind) -> &'static [&'static str] {
    match kind {
        MarkerKind::CseRisk | MarkerKind::CceRisk => &[
            "Children's social care",
            "Police: missing episode debrief",
            "Child exploitation team",
            "School safeguarding lead",
        ],
        MarkerKind::MentalHealth => &[
            "GP",
            "Mental health trust",
            "Liaison and diversion",
            "Family",
        ],
        MarkerKind::SelfHarm => &[
            "Hospital emergency department",
            "GP",
            "Mental health trust",
            "Family",
        ],
        MarkerKind::Dementia => &["GP", "Adult social care", "Care home", "Family"],
    }
}

const ENDED_REASONS: &[&str] = &[
    "Reviewed: the risk is no longer present",
    "Reviewed at a strategy meeting: risk reduced",
    "Recorded in error",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::person_records::{check_child_only, check_review_on};
    use crate::domain::text::check_text;

    fn options(n: usize, seed: u64) -> Options {
        Options::new(n, seed, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
    }

    fn share(part: usize, whole: usize) -> f64 {
        part as f64 / whole.max(1) as f64
    }

    #[test]
    fn the_same_seed_gives_the_same_data() {
        assert_eq!(generate(&options(2000, 7)), generate(&options(2000, 7)));
        let (a, b) = (generate(&options(2000, 7)), generate(&options(2000, 8)));
        assert_ne!(a.episodes, b.episodes);
        assert_ne!(a.placements, b.placements);
        assert_ne!(a.markers, b.markers);
    }

    #[test]
    fn the_data_looks_like_a_force() {
        let Synthetic {
            persons, episodes, ..
        } = generate(&options(20_000, 1));
        assert!(episodes.len() <= 20_000 && episodes.len() > 19_000);
        let children = persons
            .iter()
            .filter(|p| p.date_of_birth > NaiveDate::from_ymd_opt(2000, 1, 1).unwrap())
            .count();
        assert!(children > 0);
        // About 60% of persons are children at their first episode.
        let first_child = share(
            episodes
                .iter()
                .filter(|e| is_child(persons[e.person].date_of_birth, e.reported_at.date_naive()))
                .count(),
            episodes.len(),
        );
        assert!((0.5..0.8).contains(&first_child), "{first_child}");
        // Repeat patterns: many persons once, some many times.
        let mut per = vec![0usize; persons.len()];
        for e in &episodes {
            per[e.person] += 1;
        }
        let once = share(per.iter().filter(|n| **n == 1).count(), persons.len());
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

    #[test]
    fn looked_after_children_are_placed_and_go_missing_from_their_placements() {
        let o = options(40_000, 2);
        let data = generate(&o);
        let Synthetic {
            persons,
            placements,
            episodes,
            ..
        } = &data;
        let mut placed = vec![0usize; persons.len()];
        for p in placements {
            placed[p.person] += 1;
        }
        for (i, p) in persons.iter().enumerate() {
            assert_eq!(p.looked_after, placed[i] > 0, "{p:?}");
        }
        // Placements follow one another, from before the first episode to the eve of
        // the 18th birthday.
        for w in placements.windows(2).filter(|w| w[0].person == w[1].person) {
            assert_eq!(w[0].ends_on.unwrap().succ_opt(), Some(w[1].starts_on));
            assert!(!w[0].span().overlaps(&w[1].span()));
        }
        let moved = share(
            placements.len() - placed.iter().filter(|n| **n > 0).count(),
            placements.len(),
        );
        assert!((0.1..0.4).contains(&moved), "moves: {moved}");
        for p in placements {
            let dob = persons[p.person].date_of_birth;
            assert!(check_child_only(Some(dob), p.starts_on, "a placement").is_ok());
            let end = p.ends_on.unwrap();
            assert!(end >= p.starts_on && is_child(dob, end), "{p:?}");
            assert!(p.starts_on < o.to);
        }
        // Kinds: foster most common, then regulated homes; every kind present.
        let kind = |k: PlacementKind| placements.iter().filter(|p| p.kind == k).count();
        let foster = kind(PlacementKind::Foster);
        let regulated = kind(PlacementKind::RegulatedChildrensHome);
        let unregulated = kind(PlacementKind::UnregulatedChildrensHome);
        let family = kind(PlacementKind::Family);
        assert!(foster > regulated && regulated > unregulated && unregulated > 0 && family > 0);
        assert!((0.4..0.6).contains(&share(foster, placements.len())));
        // About 30% out of area; the host is always the child's district's authority.
        let away = share(
            placements.iter().filter(|p| p.out_of_area()).count(),
            placements.len(),
        );
        assert!((0.22..0.38).contains(&away), "out of area: {away}");
        assert!(placements
            .iter()
            .all(|p| p.host_authority == authority_of(persons[p.person].district)));
        // Care episodes name the placement covering the day last seen; most episodes of
        // a looked-after child are from care.
        let mut lac_episodes = 0;
        let mut from_care = 0;
        for e in episodes {
            let person = &persons[e.person];
            let child = is_child(person.date_of_birth, e.reported_at.date_naive());
            assert_eq!(e.looked_after, person.looked_after && child);
            assert!(e.last_seen_at <= e.reported_at);
            if let Some(i) = e.placement {
                let p = &placements[i];
                assert_eq!(p.person, e.person);
                assert!(p.span().contains(e.last_seen_at.date_naive()));
                assert_eq!(e.missing_from, MissingFrom::CarePlacement);
                let by_carer = matches!(p.kind, PlacementKind::Foster | PlacementKind::Family);
                assert_eq!(e.reported_by == ReportedBy::Carer, by_carer);
            }
            assert_eq!(
                e.missing_from == MissingFrom::CarePlacement,
                e.placement.is_some(),
                "only looked-after children go missing from care, always from a placement"
            );
            if e.looked_after {
                lac_episodes += 1;
                from_care += usize::from(e.placement.is_some());
            }
        }
        let care = share(from_care, lac_episodes);
        assert!((0.6..0.8).contains(&care), "from care: {care}");
        // Unregulated homes hold no child under 16 since the ban.
        let ban = NaiveDate::from_ymd_opt(2021, 9, 9).unwrap();
        assert!(placements.iter().all(|p| {
            p.kind != PlacementKind::UnregulatedChildrensHome
                || p.starts_on < ban
                || age_on(persons[p.person].date_of_birth, p.starts_on) >= 16
        }));
    }

    #[test]
    fn ethnicity_is_recorded_for_most_and_follows_the_districts() {
        let Synthetic { persons, .. } = generate(&options(40_000, 3));
        let recorded = share(
            persons.iter().filter(|p| p.ethnicity.is_some()).count(),
            persons.len(),
        );
        assert!((0.85..0.95).contains(&recorded), "{recorded}");
        let of = |district: &str, ethnicity: &str| {
            let here: Vec<_> = persons
                .iter()
                .filter(|p| p.district == district && p.ethnicity.is_some())
                .collect();
            share(
                here.iter()
                    .filter(|p| p.ethnicity == Some(ethnicity))
                    .count(),
                here.len(),
            )
        };
        assert!(of("BFD", "Pakistani") > 0.18 && of("WKF", "Pakistani") < 0.04);
        assert!((0.6..0.8).contains(&of("LDS", "White British")));
        let distinct: std::collections::HashSet<_> =
            persons.iter().filter_map(|p| p.ethnicity).collect();
        assert!(distinct.len() >= 15, "{distinct:?}");
    }

    #[test]
    fn markers_follow_age_sex_and_repeat_missing() {
        let o = options(60_000, 4);
        let Synthetic {
            persons,
            markers,
            episodes,
            ..
        } = generate(&o);
        let mut per = vec![0usize; persons.len()];
        let mut first = vec![None; persons.len()];
        for e in &episodes {
            per[e.person] += 1;
            first[e.person].get_or_insert(e.reported_at);
        }
        let child = |i: usize| is_child(persons[i].date_of_birth, first[i].unwrap().date_naive());
        let mut by_person: Vec<Vec<MarkerKind>> = vec![Vec::new(); persons.len()];
        for m in &markers {
            by_person[m.person].push(m.kind);
        }
        let rate = |pick: &dyn Fn(usize) -> bool, k: MarkerKind| {
            let who: Vec<usize> = (0..persons.len()).filter(|i| pick(*i)).collect();
            share(
                who.iter().filter(|i| by_person[**i].contains(&k)).count(),
                who.len(),
            )
        };
        let once = rate(&|i| child(i) && per[i] == 1, MarkerKind::CseRisk);
        let repeat = rate(&|i| child(i) && per[i] >= 4, MarkerKind::CseRisk);
        assert!(
            repeat > 3.0 * once && (0.01..0.06).contains(&once),
            "{once} {repeat}"
        );
        let girls = rate(
            &|i| child(i) && persons[i].sex == Sex::Female,
            MarkerKind::CseRisk,
        );
        let boys = rate(
            &|i| child(i) && persons[i].sex == Sex::Male,
            MarkerKind::CseRisk,
        );
        assert!(girls > 1.5 * boys, "{girls} {boys}");
        let adults_mh = rate(&|i| !child(i), MarkerKind::MentalHealth);
        let children_mh = rate(&child, MarkerKind::MentalHealth);
        assert!((0.2..0.4).contains(&adults_mh) && children_mh < adults_mh);
        let age = |i: usize| age_on(persons[i].date_of_birth, first[i].unwrap().date_naive());
        assert!(rate(&|i| age(i) >= 75, MarkerKind::Dementia) > 0.45);
        assert!(markers
            .iter()
            .filter(|m| m.kind == MarkerKind::Dementia)
            .all(|m| age(m.person) >= 55));
        let marked = share(
            by_person.iter().filter(|m| !m.is_empty()).count(),
            persons.len(),
        );
        assert!((0.15..0.45).contains(&marked), "{marked}");
        // Some in force before the person's first episode, some recorded after it,
        // some ended; none recorded today or later.
        let before = markers
            .iter()
            .filter(|m| m.recorded_at <= first[m.person].unwrap())
            .count();
        let ended = markers.iter().filter(|m| m.ended_on.is_some()).count();
        assert!((0.45..0.75).contains(&share(before, markers.len())));
        assert!((0.1..0.3).contains(&share(ended, markers.len())));
        let today = o.to;
        for m in &markers {
            assert!(m.recorded_at.date_naive() < today);
            assert_eq!(m.ended_on.is_some(), m.ended_reason.is_some());
            assert!(m.review_on > m.recorded_at.date_naive());
            if let Some(end) = m.ended_on {
                assert!(end > m.recorded_at.date_naive() && end < today);
            }
        }
        // Live markers are mostly reviewed on time (a review date the API would accept).
        let live: Vec<_> = markers.iter().filter(|m| m.ended_on.is_none()).collect();
        let current = live
            .iter()
            .filter(|m| check_review_on(m.review_on, today).is_ok())
            .count();
        assert!(share(current, live.len()) > 0.6);
    }

    /// The values a migration's `CHECK (column IN (...))` allows (the first such check).
    fn allowed(sql: &str, column: &str) -> Vec<String> {
        let head = format!("CHECK ({column} IN (");
        let at = sql
            .find(&head)
            .unwrap_or_else(|| panic!("no CHECK on {column}"))
            + head.len();
        let list = &sql[at..at + sql[at..].find(')').unwrap()];
        list.split(',')
            .map(|v| v.trim().trim_matches('\'').to_owned())
            .collect()
    }

    #[test]
    fn every_value_is_one_the_schema_and_the_api_accept() {
        let details = include_str!("../../migrations/2026-11-23-000009_person_details/up.sql");
        let persons_sql =
            include_str!("../../migrations/2026-11-23-000004_persons_episodes/up.sql");
        let reference = include_str!("../../seeds/reference.sql");
        let o = options(30_000, 5);
        let data = generate(&o);
        let (markers_sql, placements_sql) =
            details.split_at(details.find("CREATE TABLE placements").unwrap());
        let kinds = allowed(markers_sql, "kind");
        for m in &data.markers {
            assert!(kinds.contains(&m.kind.as_str().to_owned()), "{m:?}");
            assert!(check_text(m.source, true, 200).is_ok());
            if let Some(r) = m.ended_reason {
                assert!(check_text(r, true, 2000).is_ok());
            }
        }
        let kinds = allowed(placements_sql, "kind");
        for p in &data.placements {
            assert!(kinds.contains(&p.kind.as_str().to_owned()), "{p:?}");
            assert!(check_text(p.provider, false, 200).is_ok());
            for la in [p.placing_authority, p.host_authority] {
                assert!(reference.contains(&format!("('{la}', ")), "{la} is seeded");
                let b = la.as_bytes();
                assert!(b.len() == 9 && b[0].is_ascii_uppercase());
                assert!(b[1..].iter().all(u8::is_ascii_digit));
            }
        }
        for (district, la) in DISTRICT_AUTHORITIES {
            assert!(reference.contains(&format!("('{district}', ")));
            assert!(reference.contains(&format!("('{la}', ")));
        }
        for e in ETHNICITIES {
            assert_eq!(check_text(e, true, 100).as_deref(), Ok(e));
        }
        let sexes = allowed(persons_sql, "sex");
        for p in &data.persons {
            assert!(sexes.contains(&p.sex.as_str().to_owned()));
            assert!(p.ethnicity.is_none_or(|e| ETHNICITIES.contains(&e)));
        }
        let settings = allowed(persons_sql, "missing_from");
        let reporters = allowed(persons_sql, "reported_by");
        for e in &data.episodes {
            assert!(settings.contains(&e.missing_from.as_str().to_owned()));
            assert!(reporters.contains(&e.reported_by.as_str().to_owned()));
        }
        let shares: f64 = DISTRICTS.iter().map(|(_, s)| s).sum();
        assert!((shares - 1.0).abs() < 1e-9);
        assert_eq!(ETHNICITY_SHARES.len(), DISTRICTS.len());
    }
}
