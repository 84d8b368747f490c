//! Writing a list's JSON: a page of 50 episodes as `GET /api/v1/episodes` sends it, and
//! its 300 timestamps alone, written by chrono's serializer and by `homeward::json`'s
//! (which writes the same text in one piece). Reports microseconds a page.
//! Run: `cargo bench --bench json` (set `JSON_BENCH_N` for another number of pages).

use std::hint::black_box;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use homeward::db::episodes::EpisodeRow;
use homeward::domain::episodes::{EpisodeStatus, MissingFrom, ReportedBy, RiskLevel};
use homeward::ids::{DistrictId, EpisodeId, PersonId};
use serde::Serialize;

/// An episode's six timestamps, as chrono writes them.
#[derive(Serialize)]
struct ByChrono([DateTime<Utc>; 6]);

/// The same, as the API writes them.
#[derive(Serialize)]
struct ByHomeward(#[serde(serialize_with = "six")] [DateTime<Utc>; 6]);

fn six<S: serde::Serializer>(t: &[DateTime<Utc>; 6], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeTuple;
    struct One<'a>(&'a DateTime<Utc>);
    impl Serialize for One<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            homeward::json::timestamp(self.0, s)
        }
    }
    let mut tuple = s.serialize_tuple(6)?;
    for at in t {
        tuple.serialize_element(&One(at))?;
    }
    tuple.end()
}

fn episode(i: i64, now: DateTime<Utc>) -> EpisodeRow {
    // Stored times carry microseconds, as Postgres keeps them.
    let at = |secs: i64| now - Duration::microseconds(secs * 1_000_003 + i * 7_919);
    EpisodeRow {
        id: EpisodeId::new(),
        reference: format!("LDS-2026-{:06}", 1000 + i),
        person_id: PersonId::new(),
        district_id: DistrictId::new(),
        status: EpisodeStatus::Reported,
        reported_at: at(3_600),
        reported_by: ReportedBy::Parent,
        reporter_details: "Mother, by phone".into(),
        last_seen_at: at(10_800),
        last_seen_location: "Roundhay Park".into(),
        missing_from: MissingFrom::Home,
        circumstances: "Did not come home from school.".into(),
        risk_level: RiskLevel::Medium,
        cancelled_reason: None,
        closed_at: Some(at(60)),
        closed_by: None,
        no_interview_reason: None,
        next_review_due: Some(at(-7_200)),
        placement_id: None,
        looked_after: false,
        version: 1,
        created_at: at(3_599),
        updated_at: at(3_598),
        ukmpu_notified_at: None,
        ukmpu_notified_by: None,
        ukmpu_reference: None,
        pnc_recorded_at: None,
        pnc_recorded_by: None,
        pnc_reference: None,
    }
}

fn per_page(pages: usize, mut write: impl FnMut() -> usize) -> f64 {
    let mut bytes = 0;
    for _ in 0..pages / 10 {
        bytes += write();
    }
    let started = Instant::now();
    for _ in 0..pages {
        bytes += write();
    }
    black_box(bytes);
    started.elapsed().as_secs_f64() * 1e6 / pages as f64
}

fn main() {
    let pages: usize = std::env::var("JSON_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let now = Utc::now();
    let page: Vec<EpisodeRow> = (0..50).map(|i| episode(i, now)).collect();
    let times = |e: &EpisodeRow| {
        [
            e.reported_at,
            e.last_seen_at,
            e.closed_at.unwrap_or(now),
            e.next_review_due.unwrap_or(now),
            e.created_at,
            e.updated_at,
        ]
    };
    let chrono: Vec<ByChrono> = page.iter().map(|e| ByChrono(times(e))).collect();
    let ours: Vec<ByHomeward> = page.iter().map(|e| ByHomeward(times(e))).collect();
    assert_eq!(
        serde_json::to_string(&chrono).unwrap(),
        serde_json::to_string(&ours).unwrap(),
        "the two serializers wrote different text"
    );

    let whole = per_page(pages, || {
        serde_json::to_vec(black_box(&page)).unwrap().len()
    });
    let by_chrono = per_page(pages, || {
        serde_json::to_vec(black_box(&chrono)).unwrap().len()
    });
    let by_homeward = per_page(pages, || {
        serde_json::to_vec(black_box(&ours)).unwrap().len()
    });
    println!("a page of 50 episodes, as the API writes it: {whole:.1} µs");
    println!("its 300 timestamps alone: chrono's serializer {by_chrono:.1} µs, homeward::json's {by_homeward:.1} µs");
}
