//! Example values for the OpenAPI document: 2026-Q3 and October 2026, Leeds and the force.

use serde_json::{json, Value};

use super::LEEDS;

pub fn cell_leeds() -> Value {
    json!({
        "district_id": LEEDS,
        "age_group": "child",
        "sex": "female",
        "ethnicity": "White British",
        "cse": true,
        "mental_health": false,
        "looked_after": true,
        "episodes": 42,
        "persons": 17,
    })
}

/// As an analyst sees it: the Leeds cells (one withheld), then the force's.
pub fn breakdown() -> Value {
    json!({
        "quarter": "2026-Q3",
        "from": "2026-07-01",
        "to": "2026-09-30",
        "cells": [
            cell_leeds(),
            {
                "district_id": LEEDS, "age_group": "child", "sex": "male", "ethnicity": null,
                "cse": false, "mental_health": true, "looked_after": false,
                "episodes": null, "persons": null,
            },
            {
                "district_id": null, "age_group": "child", "sex": "female", "ethnicity": "White British",
                "cse": true, "mental_health": false, "looked_after": true,
                "episodes": 97, "persons": 38,
            },
        ],
        "suppressed": true,
        "suppress_below": 5,
    })
}

pub const BREAKDOWN_CSV: &str = "\"quarter\",\"district_id\",\"age_group\",\"sex\",\"ethnicity\",\"cse\",\"mental_health\",\"looked_after\",\"episodes\",\"persons\"\r\n\
    \"2026-Q3\",\"0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e\",\"child\",\"female\",\"White British\",\"true\",\"false\",\"true\",\"42\",\"17\"\r\n\
    \"2026-Q3\",\"0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e\",\"child\",\"male\",\"\",\"false\",\"true\",\"false\",\"suppressed\",\"suppressed\"\r\n\
    \"2026-Q3\",\"force\",\"child\",\"female\",\"White British\",\"true\",\"false\",\"true\",\"97\",\"38\"\r\n";

pub fn force_month() -> Value {
    json!({
        "children": 118,
        "episodes": 203,
        "rolling_average_children": 109.4,
        "rolling_average_episodes": 187.2,
    })
}

pub fn leeds_month() -> Value {
    json!({
        "district_id": LEEDS,
        "children": 41,
        "episodes": 66,
        "rolling_average_children": 38.2,
        "rolling_average_episodes": 61.5,
    })
}

pub fn point() -> Value {
    json!({"month": "2026-10", "force": force_month(), "districts": [leeds_month()]})
}

pub const SERIES_CSV: &str =
    "\"month\",\"district_id\",\"children\",\"episodes\",\"rolling_average_children\",\"rolling_average_episodes\"\r\n\
    \"2026-10\",\"force\",\"118\",\"203\",\"109.4\",\"187.2\"\r\n\
    \"2026-10\",\"0192f0c4-7b1e-7c2a-9d3e-5f6a7b8c9d0e\",\"41\",\"66\",\"38.2\",\"61.5\"\r\n";
