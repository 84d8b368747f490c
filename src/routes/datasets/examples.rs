//! Example values for the OpenAPI document, shared by the datasets: "now" is
//! 2026-10-31T14:05:00Z, districts are Leeds, Bradford and Wakefield. The missing-persons
//! examples are here; the other datasets' in the submodules.

use serde_json::{json, Value};

pub mod first_time;
pub mod logs;
pub mod stats;

pub const LEEDS: &str = "0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e";
pub const BRADFORD: &str = "0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d1f";
pub const WAKEFIELD: &str = "0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d2a";
pub const PERSON: &str = "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b";
pub const EPISODE: &str = "0193a2b6-8d9e-7f0a-b1c2-d3e4f5a6b7c8";
/// Twelve weeks (84 days) before "now".
pub const SINCE: &str = "2026-08-08T14:05:00Z";

pub fn missing_person() -> Value {
    json!({
        "person_id": PERSON,
        "given_name": "Jade",
        "family_name": "Robinson",
        "age_group": "child",
        "episodes": 4,
        "last_reported_at": "2026-10-31T14:05:00Z",
        "district_id": LEEDS,
    })
}

pub fn summary_leeds_children() -> Value {
    json!({
        "district_id": LEEDS,
        "age_group": "child",
        "persons": 23,
        "episodes": 41,
        "repeat_persons": 9,
    })
}

pub fn missing_persons_named() -> Value {
    json!({
        "weeks": 12,
        "since": SINCE,
        "persons": [missing_person()],
        "summary": [
            summary_leeds_children(),
            {"district_id": LEEDS, "age_group": "unknown", "persons": 2, "episodes": 3, "repeat_persons": 1},
        ],
        "suppressed": false,
        "suppress_below": null,
    })
}

pub fn missing_persons_aggregate() -> Value {
    json!({
        "weeks": 12,
        "since": SINCE,
        "persons": null,
        "summary": [
            summary_leeds_children(),
            {"district_id": LEEDS, "age_group": "unknown", "persons": null, "episodes": null, "repeat_persons": null},
        ],
        "suppressed": true,
        "suppress_below": 5,
    })
}

pub const MISSING_PERSONS_CSV_NAMED: &str = "\"person_id\",\"given_name\",\"family_name\",\"age_group\",\"episodes\",\"last_reported_at\",\"district_id\"\r\n\
    \"0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b\",\"Jade\",\"Robinson\",\"child\",\"4\",\"2026-10-31T14:05:00+00:00\",\"0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e\"\r\n";

pub const MISSING_PERSONS_CSV_AGGREGATE: &str =
    "\"district_id\",\"age_group\",\"persons\",\"episodes\",\"repeat_persons\"\r\n\
    \"0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e\",\"child\",\"23\",\"41\",\"9\"\r\n\
    \"0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e\",\"unknown\",\"suppressed\",\"suppressed\",\"suppressed\"\r\n";
