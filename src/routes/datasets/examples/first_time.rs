//! Example values for the OpenAPI document: October 2026, Leeds and Bradford.

use serde_json::{json, Value};

use super::{BRADFORD, EPISODE, LEEDS, PERSON};

pub fn child() -> Value {
    json!({
        "person_id": PERSON,
        "given_name": "Amelia",
        "family_name": "Khan",
        "date_of_birth": "2012-03-14",
        "sex": "female",
        "episode_id": EPISODE,
        "reference": "LDS-2026-000123",
        "reported_at": "2026-10-12T19:40:00Z",
        "district_id": LEEDS,
        "missing_from": "home",
        "looked_after": false,
    })
}

pub fn summary_leeds() -> Value {
    json!({"district_id": LEEDS, "children": 37, "looked_after": 9})
}

pub fn named() -> Value {
    json!({
        "month": "2026-10",
        "children": [child()],
        "summary": [summary_leeds(), {"district_id": BRADFORD, "children": 29, "looked_after": 3}],
        "suppressed": false,
        "suppress_below": null,
    })
}

pub fn aggregate() -> Value {
    json!({
        "month": "2026-10",
        "children": null,
        "summary": [summary_leeds(), {"district_id": BRADFORD, "children": 29, "looked_after": null}],
        "suppressed": true,
        "suppress_below": 5,
    })
}

pub const CSV_NAMED: &str = "\"person_id\",\"given_name\",\"family_name\",\"date_of_birth\",\"sex\",\"episode_id\",\"reference\",\"reported_at\",\"district_id\",\"missing_from\",\"looked_after\"\r\n\
    \"0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b\",\"Amelia\",\"Khan\",\"2012-03-14\",\"female\",\"0193a2b6-8d9e-7f0a-b1c2-d3e4f5a6b7c8\",\"LDS-2026-000123\",\"2026-10-12T19:40:00+00:00\",\"0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e\",\"home\",\"false\"\r\n";

pub const CSV_AGGREGATE: &str = "\"month\",\"district_id\",\"children\",\"looked_after\"\r\n\
    \"2026-10\",\"0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e\",\"37\",\"9\"\r\n\
    \"2026-10\",\"0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d1f\",\"29\",\"suppressed\"\r\n";
