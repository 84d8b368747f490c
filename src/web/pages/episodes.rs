//! An episode's page: what happened, its risk and reviews, its return and return home
//! interview, and the forms each role moves it on with (start the investigation, record
//! the return, review or confirm a high-risk grading, record the interview's progress,
//! close). Each form carries the episode's version; a change made meanwhile is shown
//! and what the user typed is kept.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use maud::{html, Markup};
use serde::Deserialize;

use crate::domain::accounts::Role;
use crate::domain::episodes::{EpisodeStatus, Marker, ReturnHow, RiskLevel};
use crate::domain::local_time::ForceZone;
use crate::domain::national::{ClockState, NationalKind};
use crate::domain::return_interviews::{is_late, RhiStatus};
use crate::domain::text::check_text;
use crate::error::AppError;
use crate::ids::EpisodeId;
use crate::services;
use crate::services::episodes::{Episode, ReturnInput, RhiUpdate};
use crate::web::forms::{self, radios, text_area, text_input, Sent};
use crate::web::layout::{self, FieldProblem, Section};
use crate::web::session::{Page, Posted};
use crate::web::PageError;

fn parse_id(raw: &str) -> Result<EpisodeId, PageError> {
    forms::path_id(raw, EpisodeId)
}

#[derive(Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

/// `GET /episodes/{id}`.
#[tracing::instrument(name = "web::episodes::show", skip_all)]
pub async fn show(
    page: Page,
    id: web::Path<String>,
    q: web::Query<ShowQuery>,
) -> Result<HttpResponse, PageError> {
    let e = services::episodes::get(&page.ctx, parse_id(&id)?).await?;
    let sent = Sent {
        banner: forms::saved_banner(q.saved.as_deref(), SAVED),
        ..Default::default()
    };
    Ok(render(&page, &e, &sent, StatusCode::OK))
}

/// What each of the page's forms says once saved (`?saved=`).
const SAVED: &[(&str, &str)] = &[
    ("activate", "The investigation has started."),
    ("return", "The return was recorded."),
    ("review", "The review was recorded."),
    ("rhi", "The return home interview was updated."),
    ("close", "The episode was closed."),
    ("report", "The report was made."),
    ("national", "The national notification was recorded."),
];

fn risk_tag(level: RiskLevel) -> Markup {
    let colour = match level {
        RiskLevel::High => "red",
        RiskLevel::Medium => "orange",
        RiskLevel::Low => "yellow",
        RiskLevel::VeryLow => "grey",
    };
    layout::tag(&format!("{} risk", layout::words(level.as_str())), colour)
}

fn status_tag(s: EpisodeStatus) -> Markup {
    let colour = match s {
        EpisodeStatus::Reported | EpisodeStatus::Active => "blue",
        EpisodeStatus::Returned => "green",
        EpisodeStatus::Closed | EpisodeStatus::Cancelled => "grey",
    };
    layout::tag(&layout::words(s.as_str()), colour)
}

fn render(page: &Page, e: &Episode, sent: &Sent, status: StatusCode) -> HttpResponse {
    let zone = &page.ctx.app.zone;
    let when = |t| layout::when(zone, t);
    let r = &e.row;
    let now = Utc::now();
    let operational = matches!(page.role, Role::Officer | Role::Supervisor | Role::Mfhc);
    let open = matches!(r.status, EpisodeStatus::Reported | EpisodeStatus::Active);
    let mut rows: Vec<(&str, Markup)> = vec![
        ("Status", status_tag(r.status)),
        ("Risk", risk_tag(r.risk_level)),
        (
            "Reported",
            html! { (when(r.reported_at)) " by " (layout::words(r.reported_by.as_str()).to_lowercase()) },
        ),
        (
            "Last seen",
            html! { (when(r.last_seen_at)) ", " (r.last_seen_location) },
        ),
        (
            "Missing from",
            html! { (layout::words(r.missing_from.as_str())) },
        ),
        ("Circumstances", layout::paragraphs(&r.circumstances)),
    ];
    if let Some(c) = &e.confirmation {
        rows.push((
            "High-risk confirmation",
            match c.confirmed_at {
                Some(t) => html! { "Confirmed " (when(t)) },
                None => {
                    html! { (layout::tag("Awaiting supervisor", "red")) " due " (when(c.due_at)) }
                }
            },
        ));
    }
    if let Some(t) = r.next_review_due {
        rows.push((
            "Next supervisor review",
            html! { (when(t)) @if t < now { " " (layout::tag("Overdue", "red")) } },
        ));
    }
    for c in &e.national {
        let label = national_label(c.kind, false);
        rows.push((
            label,
            match c.state {
                ClockState::Done => html! { (layout::tag("Done", "green")) },
                ClockState::NotRequired => html! { "Not required" },
                ClockState::Pending => html! { "Due by " (when(c.due_at)) },
                ClockState::Overdue => {
                    html! { (layout::tag("Overdue", "red")) " was due " (when(c.due_at)) }
                }
            },
        ));
    }
    let version = r.version;
    let action = format!("/episodes/{}", r.id);
    let body = html! {
        div.govuk-grid-row {
            div."govuk-grid-column-two-thirds" {
                @if let Some(b) = &sent.banner { (b) }
                (layout::error_summary(&sent.problems))
                span.govuk-caption-l { "Missing episode" }
                h1.govuk-heading-l { "Episode " (r.reference) }
                @if operational {
                    p.govuk-body { a.govuk-link href=(format!("/persons/{}", r.person_id)) { "The person's record and history" } }
                }
                (layout::summary_list(&rows))

                @if !e.parts.gradings.is_empty() {
                    h2.govuk-heading-m { "Risk gradings" }
                    ul.govuk-list {
                        @for g in &e.parts.gradings {
                            li { (when(g.graded_at)) ": " (risk_tag(g.to_level)) " " (g.rationale) }
                        }
                    }
                }
                @if !e.parts.reviews.is_empty() {
                    h2.govuk-heading-m { "Supervisor reviews" }
                    ul.govuk-list {
                        @for v in &e.parts.reviews { li { (when(v.reviewed_at)) ": " (v.outcome) } }
                    }
                }
                @if let Some(ret) = &e.parts.returned {
                    h2.govuk-heading-m { "Return" }
                    (layout::summary_list(&[
                        ("Returned", html! { (when(ret.returned_at)) ", " (ret.location) }),
                        ("How", html! { (layout::words(ret.how.as_str())) @if !ret.found_by.is_empty() { " (" (ret.found_by) ")" } }),
                        ("Harm", html! { @if ret.harm_suffered { "Yes. " (ret.harm_details) } @else { "None reported" } }),
                        ("Seen while missing", html! {
                            @if ret.markers_seen.is_empty() { "Nothing recorded" }
                            @else { @for m in &ret.markers_seen { (layout::tag(&marker_label(*m), "purple")) " " } }
                        }),
                    ]))
                }
                @if let Some(rhi) = &e.parts.rhi {
                    h2.govuk-heading-m { "Return home interview" }
                    (layout::summary_list(&[
                        ("Status", html! {
                            (layout::tag(&layout::words(rhi.status.as_str()), "blue"))
                            @if is_late(rhi.status, rhi.due_at, rhi.completed_at, now) { " " (layout::tag("Overdue", "red")) }
                        }),
                        ("Due", html! { (when(rhi.due_at)) }),
                        ("Why", html! { (rhi.status_reason.as_deref().unwrap_or("")) }),
                    ]))
                    @if !rhi.status.next().is_empty() && (operational || page.role == Role::Partner) {
                        (rhi_form(page, &action, version, rhi.status, sent))
                    }
                }

                @if operational {
                    @for c in e.national.iter().filter(|c| matches!(c.state, ClockState::Pending | ClockState::Overdue)) {
                        @let kind = c.kind.as_str();
                        form method="post" action=(format!("{action}/national")) novalidate {
                            (layout::csrf(&page.csrf))
                            input type="hidden" name="version" value=(version);
                            input type="hidden" name="kind" value=(kind);
                            h2.govuk-heading-m { (national_label(c.kind, true)) }
                            (text_input(sent, "national", &format!("national-{kind}"), "Reference", "govuk-input--width-20"))
                            button.govuk-button.govuk-button--secondary type="submit" data-module="govuk-button" { (national_label(c.kind, true)) }
                        }
                    }
                }
                @if operational && r.status == EpisodeStatus::Reported {
                    form method="post" action=(format!("{action}/activate")) {
                        (layout::csrf(&page.csrf))
                        input type="hidden" name="version" value=(version);
                        h2.govuk-heading-m { "Start the investigation" }
                        p.govuk-body { "Marks the episode active: the person is being looked for." }
                        button.govuk-button type="submit" data-module="govuk-button" { "Start the investigation" }
                    }
                }
                @if page.role == Role::Supervisor && open {
                    (review_form(page, &action, version, e.confirmation.as_ref().is_some_and(|c| c.confirmed_at.is_none()), sent))
                }
                @if operational && r.status == EpisodeStatus::Active {
                    (return_form(page, &action, version, sent))
                }
                @if page.role == Role::Supervisor && r.status == EpisodeStatus::Returned {
                    (close_form(page, &action, version, e.parts.interview.is_some(), sent))
                }
            }
        }
    };
    let title = format!("Episode {}", r.reference);
    let section = if operational {
        Section::Worklist
    } else {
        Section::Shares
    };
    let mut res = layout::page(page, &title, section, body);
    *res.status_mut() = status;
    res
}

fn national_label(kind: NationalKind, record: bool) -> &'static str {
    match (kind, record) {
        (NationalKind::Ukmpu, true) => "Record the UKMPU notification",
        (NationalKind::Pnc, true) => "Record the PNC entry",
        (NationalKind::Ukmpu, false) => "UKMPU notification",
        (NationalKind::Pnc, false) => "PNC record",
    }
}

fn marker_label(m: Marker) -> String {
    match m {
        Marker::Cse => "Child sexual exploitation".into(),
        Marker::Cce => "Child criminal exploitation".into(),
        other => layout::words(other.as_str()),
    }
}

fn review_form(page: &Page, action: &str, version: i32, confirming: bool, sent: &Sent) -> Markup {
    let title = if confirming {
        "Confirm the high-risk grading"
    } else {
        "Record a supervisor review"
    };
    html! {
        form method="post" action=(format!("{action}/review")) novalidate {
            (layout::csrf(&page.csrf))
            input type="hidden" name="version" value=(version);
            h2.govuk-heading-m { (title) }
            (text_area(sent, "review", "review-outcome", "Review", Some("What you checked and decided, and what happens next.")))
            button.govuk-button type="submit" data-module="govuk-button" { (title) }
        }
    }
}

fn return_form(page: &Page, action: &str, version: i32, sent: &Sent) -> Markup {
    let harm = sent.value("return", "harm_suffered");
    let seen: Vec<String> = sent
        .typed
        .get("markers_seen")
        .map(|m| m.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    html! {
        form method="post" action=(format!("{action}/return")) novalidate {
            (layout::csrf(&page.csrf))
            input type="hidden" name="version" value=(version);
            h2.govuk-heading-m { "Record the return" }
            (when_fields(sent, "return", "return", "When did they return?"))
            (text_input(sent, "return", "return-location", "Where were they found, or where did they return to?", "govuk-!-width-two-thirds"))
            (radios(sent, "return", "how", "How did they return?", ReturnHow::ALL, |h| h.as_str()))
            (text_input(sent, "return", "return-found_by", "Who found them (when not self-returned)", "govuk-!-width-two-thirds"))
            div.govuk-form-group {
                fieldset.govuk-fieldset {
                    legend."govuk-fieldset__legend"."govuk-fieldset__legend--s" { "Did they come to harm?" }
                    div."govuk-radios"."govuk-radios--inline" data-module="govuk-radios" {
                        @for (value, label) in [("no", "No"), ("yes", "Yes")] {
                            div.govuk-radios__item {
                                input.govuk-radios__input type="radio" id=(format!("return-harm-{value}")) name="harm_suffered" value=(value)
                                    checked[harm == value || (harm.is_empty() && value == "no")];
                                label.govuk-label.govuk-radios__label for=(format!("return-harm-{value}")) { (label) }
                            }
                        }
                    }
                }
            }
            (text_area(sent, "return", "return-harm_details", "Harm details", None))
            div.govuk-form-group {
                fieldset.govuk-fieldset {
                    legend."govuk-fieldset__legend"."govuk-fieldset__legend--s" { "What was seen while they were missing?" }
                    div."govuk-checkboxes"."govuk-checkboxes--small" data-module="govuk-checkboxes" {
                        @for m in Marker::ALL {
                            div.govuk-checkboxes__item {
                                input.govuk-checkboxes__input type="checkbox" id=(format!("return-marker-{}", m.as_str())) name="marker" value=(m.as_str())
                                    checked[seen.iter().any(|s| s == m.as_str())];
                                label.govuk-label.govuk-checkboxes__label for=(format!("return-marker-{}", m.as_str())) { (marker_label(*m)) }
                            }
                        }
                    }
                }
            }
            button.govuk-button type="submit" data-module="govuk-button" { "Record the return" }
        }
    }
}

/// A local date and time as GOV.UK's date input and a time field: ids `{prefix}-day`
/// and so on, names `{prefix}_day`; its problem is reported as `{prefix}-date`.
fn when_fields(sent: &Sent, form: &str, prefix: &str, legend: &str) -> Markup {
    let error = layout::field_error(&sent.problems, &format!("{prefix}-date"))
        .filter(|_| sent.form == form);
    let hint = format!("{prefix}-date-hint");
    html! {
        div.govuk-form-group.govuk-form-group--error[error.is_some()] {
            fieldset.govuk-fieldset role="group" aria-describedby=(hint) {
                legend."govuk-fieldset__legend"."govuk-fieldset__legend--s" { (legend) }
                div.govuk-hint id=(hint) { "Local time, for example 5 12 2026 and 14:30" }
                @if let Some(e) = &error { (e) }
                div.govuk-date-input id=(format!("{prefix}-date")) {
                    @for (name, label, width) in [("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4)] {
                        div.govuk-date-input__item {
                            div.govuk-form-group {
                                label."govuk-label"."govuk-date-input__label" for=(format!("{prefix}-{name}")) { (label) }
                                input type="text" inputmode="numeric" id=(format!("{prefix}-{name}")) name=(format!("{prefix}_{name}"))
                                    value=(sent.value(form, &format!("{prefix}_{name}")))
                                    class=(format!("govuk-input govuk-date-input__input govuk-input--width-{width}"));
                            }
                        }
                    }
                    div.govuk-date-input__item {
                        div.govuk-form-group {
                            label."govuk-label"."govuk-date-input__label" for=(format!("{prefix}-time")) { "Time" }
                            input.govuk-input."govuk-input--width-5" type="text" id=(format!("{prefix}-time")) name=(format!("{prefix}_time"))
                                value=(sent.value(form, &format!("{prefix}_time")));
                        }
                    }
                }
            }
        }
    }
}

/// The instant `when_fields` with `prefix` gave, or a problem.
fn when_given(
    zone: &ForceZone,
    fields: &HashMap<String, String>,
    prefix: &str,
    what: &str,
    problems: &mut Vec<FieldProblem>,
) -> Option<DateTime<Utc>> {
    let get = |k: &str| {
        fields
            .get(&format!("{prefix}_{k}"))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let at = local_time(zone, &get("day"), &get("month"), &get("year"), &get("time"));
    if at.is_none() {
        problems.push(FieldProblem::new(
            &format!("{prefix}-date"),
            &format!("Enter when {what} as a real date and a time such as 14:30"),
        ));
    }
    at
}

fn rhi_form(page: &Page, action: &str, version: i32, from: RhiStatus, sent: &Sent) -> Markup {
    html! {
        form method="post" action=(format!("{action}/rhi")) novalidate {
            (layout::csrf(&page.csrf))
            input type="hidden" name="version" value=(version);
            (radios(sent, "rhi", "status", "Record the interview's progress", from.next(), |s| s.as_str()))
            (text_area(sent, "rhi", "rhi-reason", "Why (declined, unable to contact or not completed)", None))
            button.govuk-button type="submit" data-module="govuk-button" { "Save the interview's progress" }
        }
    }
}

fn close_form(page: &Page, action: &str, version: i32, interviewed: bool, sent: &Sent) -> Markup {
    html! {
        form method="post" action=(format!("{action}/close")) novalidate {
            (layout::csrf(&page.csrf))
            input type="hidden" name="version" value=(version);
            h2.govuk-heading-m { "Close the episode" }
            @if !interviewed {
                (text_area(sent, "close", "close-no_interview_reason", "Why was there no prevention interview?", Some("Required: no prevention interview is recorded.")))
            }
            button.govuk-button type="submit" data-module="govuk-button" { "Close the episode" }
        }
    }
}

/// The checkboxes of the return form (a field sent once per ticked box).
fn markers(body: &HashMap<String, String>) -> Vec<String> {
    body.get("marker")
        .map(|m| m.split(',').map(str::to_owned).collect())
        .unwrap_or_default()
}

/// `POST /episodes/{id}/{form}`: one of the episode's forms.
#[tracing::instrument(name = "web::episodes::update", skip_all)]
pub async fn update(
    page: Page,
    path: web::Path<(String, String)>,
    Posted(f): Posted<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (id, form) = path.into_inner();
    let id = parse_id(&id)?;
    let form: &'static str = match form.as_str() {
        "activate" => "activate",
        "return" => "return",
        "review" => "review",
        "rhi" => "rhi",
        "close" => "close",
        "national" => "national",
        _ => return Err(PageError::NotFound),
    };
    let fields = forms::fields(f);
    let version = forms::version(&fields)?;
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let ctx = &page.ctx;
    let zone = ctx.app.zone;
    let mut problems = Vec::new();
    let done = match form {
        "activate" => {
            services::episodes::change_status(ctx, id, version, EpisodeStatus::Active, None).await
        }
        "review" => match check_text(&get("outcome"), true, 5000) {
            Ok(outcome) => services::episodes::record_review(ctx, id, version, outcome).await,
            Err(_) => {
                problems.push(FieldProblem::new(
                    "review-outcome",
                    "Enter what you reviewed and decided",
                ));
                Err(AppError::BadRequest(String::new()))
            }
        },
        "national" => {
            let kind = get("kind").parse::<NationalKind>().ok();
            let reference = kind.map(|k| get(k.as_str())).unwrap_or_default();
            match (kind, check_text(&reference, true, 100)) {
                (Some(kind), Ok(reference)) => {
                    let n = crate::services::episodes::NationalInput {
                        kind,
                        done_at: Utc::now(),
                        reference,
                    };
                    services::episodes::record_national(ctx, id, version, n).await
                }
                (kind, _) => {
                    let k = kind.map_or("ukmpu", |k| k.as_str());
                    problems.push(FieldProblem::new(
                        &format!("national-{k}"),
                        "Enter the reference",
                    ));
                    Err(AppError::BadRequest(String::new()))
                }
            }
        }
        "close" => {
            let reason = get("no_interview_reason");
            let reason = (!reason.trim().is_empty()).then_some(reason);
            services::episodes::close(ctx, id, version, reason).await
        }
        "rhi" => match get("status").parse::<RhiStatus>() {
            Ok(status) => {
                let reason = get("reason");
                let u = RhiUpdate {
                    status,
                    provider_agency_id: None,
                    reason: (!reason.trim().is_empty()).then_some(reason),
                    completed_at: (status == RhiStatus::Completed).then(Utc::now),
                };
                services::episodes::update_rhi(ctx, id, version, u).await
            }
            Err(_) => {
                problems.push(FieldProblem::new(
                    "rhi-status",
                    "Select the interview's progress",
                ));
                Err(AppError::BadRequest(String::new()))
            }
        },
        _ => match return_input(&zone, &fields, &mut problems) {
            Some(r) => services::episodes::record_return(ctx, id, version, r).await,
            None => Err(AppError::BadRequest(String::new())),
        },
    };
    let error = match done {
        Ok(_) => return Ok(forms::see_other(format!("/episodes/{id}?saved={form}"))),
        Err(e) => e,
    };
    let mut typed = fields.clone();
    typed.insert("markers_seen".into(), markers(&fields).join(","));
    let mut sent = Sent {
        form,
        typed,
        problems,
        banner: None,
    };
    let status = forms::refused(&mut sent, "episode", error, |field| match field {
        "returned_at" => "return-date".to_owned(),
        field => format!("{form}-{field}"),
    })?;
    let current = services::episodes::get(ctx, id).await?;
    Ok(render(&page, &current, &sent, status))
}

/// The return form as the service's input; field problems named for the summary.
fn return_input(
    zone: &ForceZone,
    fields: &HashMap<String, String>,
    problems: &mut Vec<FieldProblem>,
) -> Option<ReturnInput> {
    let get = |k: &str| {
        fields
            .get(k)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let returned_at = when_given(zone, fields, "return", "they returned", problems);
    let location = check_text(&get("location"), true, 500);
    if location.is_err() {
        problems.push(FieldProblem::new(
            "return-location",
            "Enter where they were found or returned to",
        ));
    }
    let how = get("how").parse::<ReturnHow>();
    if how.is_err() {
        problems.push(FieldProblem::new("return-how", "Select how they returned"));
    }
    let found_by = check_text(&get("found_by"), false, 500).unwrap_or_default();
    let harm_suffered = get("harm_suffered") == "yes";
    let harm_details = check_text(&get("harm_details"), false, 5000).unwrap_or_default();
    if harm_suffered && harm_details.is_empty() {
        problems.push(FieldProblem::new(
            "return-harm_details",
            "Describe the harm they came to",
        ));
    }
    let markers_seen: Vec<Marker> = markers(fields)
        .iter()
        .filter_map(|m| m.parse().ok())
        .collect();
    if !problems.is_empty() {
        return None;
    }
    Some(ReturnInput {
        returned_at: returned_at?,
        location: location.ok()?,
        how: how.ok()?,
        found_by,
        harm_suffered,
        harm_details,
        markers_seen,
    })
}

/// A local date and `HH:MM` time in the force's zone, as an instant.
fn local_time(
    zone: &ForceZone,
    day: &str,
    month: &str,
    year: &str,
    time: &str,
) -> Option<DateTime<Utc>> {
    let date = NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)?;
    let time = NaiveTime::parse_from_str(time, "%H:%M").ok()?;
    zone.0
        .from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_are_read_in_the_forces_zone() {
        let zone = ForceZone::default();
        let summer = local_time(&zone, "5", "6", "2026", "14:30").unwrap();
        assert_eq!(summer.to_rfc3339(), "2026-06-05T13:30:00+00:00");
        let winter = local_time(&zone, "05", "12", "2026", "09:05").unwrap();
        assert_eq!(winter.to_rfc3339(), "2026-12-05T09:05:00+00:00");
        assert!(local_time(&zone, "31", "2", "2026", "10:00").is_none());
        assert!(local_time(&zone, "1", "1", "2026", "25:00").is_none());
        assert!(local_time(&zone, "", "1", "2026", "10:00").is_none());
    }
}

#[derive(Deserialize)]
pub struct NewQuery {
    person: Option<String>,
}

/// `GET /episodes/new?person=`: report a person (found or recorded first) missing.
#[tracing::instrument(name = "web::episodes::new", skip_all)]
pub async fn new(page: Page, q: web::Query<NewQuery>) -> Result<HttpResponse, PageError> {
    let Some(person) = q
        .person
        .as_deref()
        .and_then(|p| p.parse::<uuid::Uuid>().ok())
    else {
        return Ok(forms::see_other("/persons?for=episode"));
    };
    Ok(report_form(
        &page,
        &person.to_string(),
        &Sent::default(),
        StatusCode::OK,
    ))
}

fn report_form(page: &Page, person: &str, sent: &Sent, status: StatusCode) -> HttpResponse {
    let body = html! {
        div.govuk-grid-row { div."govuk-grid-column-two-thirds" {
            (layout::error_summary(&sent.problems))
            h1.govuk-heading-l { "Report a missing person" }
            form method="post" action="/episodes" novalidate {
                (layout::csrf(&page.csrf))
                input type="hidden" name="person_id" value=(person);
                (radios(sent, "report", "reported_by", "Who reported them missing?", crate::domain::episodes::ReportedBy::ALL, |v| v.as_str()))
                (text_input(sent, "report", "report-reporter_details", "Reporter's details (name, how they reported)", "govuk-!-width-two-thirds"))
                (when_fields(sent, "report", "last_seen", "When were they last seen?"))
                (text_input(sent, "report", "report-last_seen_location", "Where were they last seen?", "govuk-!-width-two-thirds"))
                (radios(sent, "report", "missing_from", "Missing from", crate::domain::episodes::MissingFrom::ALL, |v| v.as_str()))
                (text_area(sent, "report", "report-circumstances", "Circumstances", None))
                (radios(sent, "report", "risk_level", "Risk grading", RiskLevel::ALL, |v| v.as_str()))
                (text_area(sent, "report", "report-rationale", "Why this risk grading", None))
                (text_area(sent, "report", "report-information", "What the grading rests on", None))
                button.govuk-button type="submit" data-module="govuk-button" { "Report them missing" }
            }
        } }
    };
    let mut res = layout::page(page, "Report a missing person", Section::Worklist, body);
    *res.status_mut() = status;
    res
}

/// `POST /episodes`: the report, graded, audited, evaluated for triggers and alerting, as
/// through the API; then the episode's page.
#[tracing::instrument(name = "web::episodes::report", skip_all)]
pub async fn report(
    page: Page,
    Posted(f): Posted<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    use crate::routes::episodes::{ReportEpisodeRequest, RiskGradingRequest};
    use crate::services::episodes::ReportInput;
    let fields = forms::fields(f);
    let get = |k: &str| {
        fields
            .get(k)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let person = get("person_id")
        .parse::<uuid::Uuid>()
        .map(crate::ids::PersonId)
        .map_err(|_| PageError::bad_form("the form names no person"))?;
    let zone = page.ctx.app.zone;
    let mut problems = Vec::new();
    let last_seen_at = when_given(
        &zone,
        &fields,
        "last_seen",
        "they were last seen",
        &mut problems,
    );
    let mut choose = |name: &str, what: &str| {
        let v = get(name);
        if v.is_empty() {
            problems.push(FieldProblem::new(
                &format!("report-{name}"),
                &format!("Select {what}"),
            ));
        }
        v
    };
    let reported_by = choose("reported_by", "who reported them").parse().ok();
    let missing_from = choose("missing_from", "where they went missing from")
        .parse()
        .ok();
    let level = choose("risk_level", "the risk grading").parse().ok();
    let reported = match (last_seen_at, reported_by, missing_from, level) {
        (Some(last_seen_at), Some(reported_by), Some(missing_from), Some(level)) => {
            let request = ReportEpisodeRequest {
                person_id: person,
                district_id: None,
                reported_at: Utc::now(),
                reported_by,
                reporter_details: get("reporter_details"),
                last_seen_at,
                last_seen_location: get("last_seen_location"),
                missing_from,
                placement_id: None,
                circumstances: get("circumstances"),
                risk: RiskGradingRequest {
                    level,
                    rationale: get("rationale"),
                    information: get("information"),
                },
            };
            match ReportInput::try_from(request) {
                Ok(input) => services::episodes::report(&page.ctx, input).await,
                Err(e) => Err(e),
            }
        }
        _ => Err(AppError::Validation(Vec::new())),
    };
    match reported {
        Ok(e) => Ok(forms::see_other(format!(
            "/episodes/{}?saved=report",
            e.row.id
        ))),
        Err(AppError::Validation(errors)) => {
            for e in errors {
                let field = e.field.trim_start_matches("risk.");
                let id = match field {
                    "last_seen_at" => "last_seen-date".to_owned(),
                    "level" => "report-risk_level".to_owned(),
                    f => format!("report-{f}"),
                };
                problems.push(FieldProblem::new(
                    &id,
                    &format!("{}: {}", layout::words(field), e.message),
                ));
            }
            let sent = Sent {
                form: "report",
                typed: fields.clone(),
                problems,
                banner: None,
            };
            Ok(report_form(
                &page,
                &person.to_string(),
                &sent,
                StatusCode::BAD_REQUEST,
            ))
        }
        Err(e @ AppError::Conflict(_)) | Err(e @ AppError::ConflictWith { .. }) => {
            let detail = e.to_problem().detail.unwrap_or_else(|| e.to_string());
            let sent = Sent {
                form: "report",
                typed: fields.clone(),
                problems,
                banner: Some(layout::important_banner(
                    "The report was not made",
                    html! { p.govuk-body { (detail) } },
                )),
            };
            Ok(report_form(
                &page,
                &person.to_string(),
                &sent,
                StatusCode::CONFLICT,
            ))
        }
        Err(e) => Err(e.into()),
    }
}
