//! Example values for the OpenAPI document: the logs on 31 October 2026.

use serde_json::{json, Value};

use super::{BRADFORD, EPISODE, PERSON, SINCE, WAKEFIELD};

/// A Leeds (E08000035) child placed in Bradford (E08000032): out of area.
pub fn looked_after_episode() -> Value {
    json!({
        "episode_id": EPISODE,
        "reference": "BFD-2026-000481",
        "person_id": PERSON,
        "given_name": "Kai",
        "family_name": "Walker",
        "date_of_birth": "2010-06-02",
        "district_id": BRADFORD,
        "reported_at": "2026-10-30T22:15:00Z",
        "status": "returned",
        "risk_level": "medium",
        "placement_id": "0193a2b5-6e7f-7a8b-9c0d-1e2f3a4b5c6d",
        "placement_kind": "unregulated_childrens_home",
        "provider": "Oakwood House",
        "placing_authority": "E08000035",
        "host_authority": "E08000032",
        "out_of_area": true,
    })
}

pub fn looked_after_summary() -> Value {
    json!({
        "district_id": BRADFORD,
        "placement_kind": "regulated_childrens_home",
        "out_of_area": false,
        "episodes": 23,
        "persons": 11,
    })
}

pub fn looked_after_named() -> Value {
    json!({
        "since": SINCE,
        "episodes": [looked_after_episode()],
        "summary": [
            looked_after_summary(),
            {"district_id": BRADFORD, "placement_kind": "unregulated_childrens_home", "out_of_area": true, "episodes": 4, "persons": 2},
        ],
        "suppressed": false,
        "suppress_below": null,
    })
}

pub fn looked_after_aggregate() -> Value {
    json!({
        "since": SINCE,
        "episodes": null,
        "summary": [
            looked_after_summary(),
            {"district_id": BRADFORD, "placement_kind": "unregulated_childrens_home", "out_of_area": true, "episodes": null, "persons": null},
        ],
        "suppressed": true,
        "suppress_below": 5,
    })
}

pub const LOOKED_AFTER_CSV_NAMED: &str = "\"episode_id\",\"reference\",\"person_id\",\"given_name\",\"family_name\",\"date_of_birth\",\"district_id\",\"reported_at\",\"status\",\"risk_level\",\"placement_kind\",\"provider\",\"placing_authority\",\"host_authority\",\"out_of_area\"\r\n\
    \"0193a2b6-8d9e-7f0a-b1c2-d3e4f5a6b7c8\",\"BFD-2026-000481\",\"0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b\",\"Kai\",\"Walker\",\"2010-06-02\",\"0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d1f\",\"2026-10-30T22:15:00+00:00\",\"returned\",\"medium\",\"unregulated_childrens_home\",\"Oakwood House\",\"E08000035\",\"E08000032\",\"true\"\r\n";

pub const LOOKED_AFTER_CSV_AGGREGATE: &str =
    "\"district_id\",\"placement_kind\",\"out_of_area\",\"episodes\",\"persons\"\r\n\
    \"0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d1f\",\"regulated_childrens_home\",\"false\",\"23\",\"11\"\r\n\
    \"0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d1f\",\"unregulated_childrens_home\",\"true\",\"suppressed\",\"suppressed\"\r\n";

pub fn hospital_episode() -> Value {
    json!({
        "episode_id": EPISODE,
        "reference": "WKF-2026-000077",
        "person_id": PERSON,
        "given_name": "Arthur",
        "family_name": "Wood",
        "date_of_birth": "1941-05-19",
        "age_group": "adult",
        "district_id": WAKEFIELD,
        "reported_at": "2026-10-29T03:10:00Z",
        "reported_by": "hospital",
        "last_seen_location": "Pinderfields Hospital, ward 12",
        "status": "active",
        "risk_level": "high",
    })
}

pub fn hospital_summary() -> Value {
    json!({"district_id": WAKEFIELD, "age_group": "adult", "episodes": 14, "persons": 9})
}

pub fn hospital_named() -> Value {
    json!({
        "since": SINCE,
        "episodes": [hospital_episode()],
        "summary": [
            hospital_summary(),
            {"district_id": WAKEFIELD, "age_group": "child", "episodes": 3, "persons": 2},
        ],
        "suppressed": false,
        "suppress_below": null,
    })
}

pub fn hospital_aggregate() -> Value {
    json!({
        "since": SINCE,
        "episodes": null,
        "summary": [
            hospital_summary(),
            {"district_id": WAKEFIELD, "age_group": "child", "episodes": null, "persons": null},
        ],
        "suppressed": true,
        "suppress_below": 5,
    })
}

pub const HOSPITAL_CSV_NAMED: &str = "\"episode_id\",\"reference\",\"person_id\",\"given_name\",\"family_name\",\"date_of_birth\",\"age_group\",\"district_id\",\"reported_at\",\"reported_by\",\"last_seen_location\",\"status\",\"risk_level\"\r\n\
    \"0193a2b6-8d9e-7f0a-b1c2-d3e4f5a6b7c8\",\"WKF-2026-000077\",\"0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b\",\"Arthur\",\"Wood\",\"1941-05-19\",\"adult\",\"0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d2a\",\"2026-10-29T03:10:00+00:00\",\"hospital\",\"Pinderfields Hospital, ward 12\",\"active\",\"high\"\r\n";

pub const HOSPITAL_CSV_AGGREGATE: &str =
    "\"district_id\",\"age_group\",\"episodes\",\"persons\"\r\n\
    \"0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d2a\",\"adult\",\"14\",\"9\"\r\n\
    \"0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d2a\",\"child\",\"suppressed\",\"suppressed\"\r\n";
