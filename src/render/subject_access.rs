//! A subject access request as a document a disclosure officer reviews: every section of
//! what Homeward holds, each row's fields in a table, and every field that may hold
//! information about someone else marked, with why, in place and in a list at the top.

use maud::{html, Markup, DOCTYPE};
use serde_json::Value;

use crate::domain::subject_access::ReviewNote;

/// What the document shows about the request itself.
pub struct Heading<'a> {
    pub reference: &'a str,
    pub requester: &'a str,
    pub reason: &'a str,
    pub received_on: String,
    pub due_on: String,
    pub status: &'a str,
    pub assembled_at: String,
}

/// The sections, in the order a reader expects them, with their titles.
const SECTIONS: &[(&str, &str)] = &[
    ("persons", "The person"),
    ("person_merges", "Records merged"),
    ("markers", "Markers"),
    ("placements", "Placements"),
    ("protocol_profiles", "Protocol profiles"),
    ("episodes", "Missing episodes"),
    ("risk_gradings", "Risk gradings"),
    ("supervisor_reviews", "Supervisor reviews"),
    ("episode_transfers", "Transfers between districts"),
    ("returns", "Returns"),
    (
        "prevention_interviews",
        "Prevention (safe and well) interviews",
    ),
    ("return_home_interviews", "Return home interviews"),
    ("triggers", "Repeat-missing triggers"),
    ("trigger_plans", "Trigger plans"),
    ("referrals", "Early Action referrals"),
    ("triage_meetings", "Triage meetings"),
    ("intervention_plans", "Intervention plans"),
    ("actions", "Partner actions"),
    ("shares", "Records shared with agencies"),
    ("national_alerts", "National notification deadlines alerted"),
    ("merge_moves", "Records moved by merges"),
    ("retention_decisions", "Retention review decisions"),
    ("restrictions", "Restrictions of processing"),
    ("rectification_notes", "Rectification notes"),
    ("subject_access_requests", "Earlier subject access requests"),
    ("emails", "Emails sent about these records"),
    ("disclosures", "Disclosures recorded in the audit log"),
];

fn text(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) if s.is_empty() => "—".into(),
        Value::String(s) => s.clone(),
        Value::Array(a) if a.is_empty() => "—".into(),
        Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

fn note_for<'a>(
    notes: &'a [ReviewNote],
    section: &str,
    row: &Value,
    field: &str,
) -> Option<&'a ReviewNote> {
    let id = row
        .get("id")
        .or_else(|| row.get("episode_id"))
        .and_then(Value::as_str);
    notes
        .iter()
        .find(|n| n.section == section && n.field == field && n.record_id.as_deref() == id)
}

fn section(key: &str, title: &str, rows: &[Value], notes: &[ReviewNote]) -> Markup {
    html! {
        section {
            h2 id=(key) { (title) " (" (rows.len()) ")" }
            @if rows.is_empty() {
                p.none { "None held." }
            }
            @for row in rows {
                table {
                    @if let Some(fields) = row.as_object() {
                        @for (field, value) in fields {
                            @let note = note_for(notes, key, row, field);
                            tr.review[note.is_some()] {
                                th scope="row" { (field.replace('_', " ")) }
                                td {
                                    (text(value))
                                    @if let Some(n) = note {
                                        br;
                                        strong { "Review before release: " } (n.reason)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The whole document.
pub fn document(h: &Heading<'_>, bundle: &Value, notes: &[ReviewNote]) -> String {
    let title = format!("Subject access request {}", h.reference);
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) }
                style {
                    "body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
                    "table{border-collapse:collapse;width:100%;margin:0 0 1.5em}"
                    "th,td{border:1px solid #b1b4b6;padding:.3em .5em;text-align:left;vertical-align:top}"
                    "th{width:14em;background:#f3f2f1}"
                    "tr.review td{background:#fff7bf}"
                    ".none{color:#505a5f}"
                }
            }
            body {
                h1 { (title) }
                p {
                    "For review by a disclosure officer before release. Fields that may hold "
                    "information about other people are highlighted: decide for each whether to "
                    "release, redact or withhold it (DPA 2018 s.45(4))."
                }
                table {
                    tr { th scope="row" { "Requested by" } td { (h.requester) } }
                    tr { th scope="row" { "Reason" } td { (h.reason) } }
                    tr { th scope="row" { "Received" } td { (h.received_on) } }
                    tr { th scope="row" { "Due" } td { (h.due_on) } }
                    tr { th scope="row" { "Status" } td { (h.status) } }
                    tr { th scope="row" { "Assembled" } td { (h.assembled_at) } }
                }
                h2 { "For review (" (notes.len()) ")" }
                @if notes.is_empty() {
                    p.none { "Nothing marked." }
                } @else {
                    ul {
                        @for n in notes {
                            li {
                                a href=(format!("#{}", n.section)) { (n.section.replace('_', " ")) }
                                " — " (n.field.replace('_', " ")) ": " (n.reason)
                            }
                        }
                    }
                }
                @for (key, title) in SECTIONS {
                    @let rows = bundle.get(*key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
                    (section(key, title, rows, notes))
                }
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::subject_access::fields_for_review;
    use serde_json::json;

    #[test]
    fn marked_fields_are_highlighted_and_content_is_escaped() {
        let bundle = json!({
            "persons": [{ "id": "p1", "given_name": "<b>Ann</b>" }],
            "episodes": [{ "id": "e1", "reporter_details": "Mum", "circumstances": "" }],
        });
        let notes = fields_for_review(&bundle);
        let doc = document(
            &Heading {
                reference: "SAR-1",
                requester: "The data subject",
                reason: "Asked in writing",
                received_on: "2026-12-01".into(),
                due_on: "2027-01-01".into(),
                status: "open",
                assembled_at: "now".into(),
            },
            &bundle,
            &notes,
        );
        assert!(doc.contains("&lt;b&gt;Ann&lt;/b&gt;"), "{doc}");
        assert!(doc.contains("For review (1)"), "{doc}");
        assert!(doc.contains("identifies the person who reported"), "{doc}");
        assert_eq!(doc.matches("class=\"review\"").count(), 1, "{doc}");
        assert!(doc.contains("Missing episodes (1)"));
        assert!(doc.contains("Partner actions (0)"));
    }
}
