//! Partner actions: a worklist of the actions the user's agency owns (or a district's, for
//! case workers) and an action's page, where its owner moves it on.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use maud::{html, Markup};
use serde::Deserialize;

use crate::domain::actions::{is_overdue, ActionStatus};
use crate::domain::references::{short_ref, RefKind};
use crate::domain::text::check_text;
use crate::error::AppError;
use crate::ids::ActionId;
use crate::services;
use crate::services::actions::{ActionFilter, ActionRow, ActionUpdate};
use crate::web::forms;
use crate::web::layout::{self, FieldProblem, Section};
use crate::web::session::{Page, Posted};
use crate::web::PageError;

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
}

fn status_tag(a: &ActionRow, today: chrono::NaiveDate) -> Markup {
    let (text, colour) = match a.status {
        ActionStatus::Open => ("Open", "blue"),
        ActionStatus::InProgress => ("In progress", "yellow"),
        ActionStatus::Done => ("Done", "green"),
        ActionStatus::Cancelled => ("Cancelled", "grey"),
    };
    html! {
        (layout::tag(text, colour))
        @if is_overdue(a.status, a.due_on, today) { " " (layout::tag("Overdue", "red")) }
    }
}

fn reference(id: ActionId) -> String {
    short_ref(RefKind::Action, id.0)
}

/// `GET /actions`: the actions the user may see, soonest due first; unfinished by default.
#[tracing::instrument(name = "web::actions::list", skip_all)]
pub async fn list(page: Page, q: web::Query<ListQuery>) -> Result<HttpResponse, PageError> {
    let status = match q.status.as_deref() {
        None | Some("") | Some("unfinished") => None,
        Some(s) => Some(s.parse::<ActionStatus>().map_err(|_| PageError::NotFound)?),
    };
    let filter = ActionFilter {
        status,
        ..Default::default()
    };
    let mut rows = services::actions::list(&page.ctx, filter, 200).await?;
    if status.is_none() {
        rows.retain(|a| !a.status.is_finished());
    }
    let today = page.ctx.app.zone.today(Utc::now());
    let overdue = rows
        .iter()
        .filter(|a| is_overdue(a.status, a.due_on, today))
        .count();
    let shown = status.map_or("unfinished".to_owned(), |s| s.as_str().to_owned());
    let body = html! {
        h1.govuk-heading-l { "Actions" }
        p.govuk-body {
            span.hw-count { (rows.len()) } " " (layout::words(&shown).to_lowercase()) " actions"
            @if overdue > 0 { ", " span.hw-count { (overdue) } " overdue" }
            "."
        }
        form method="get" action="/actions" {
            div.govuk-form-group {
                label.govuk-label for="status" { "Show" }
                select.govuk-select id="status" name="status" {
                    @for (value, label) in [("unfinished", "Unfinished"), ("open", "Open"), ("in_progress", "In progress"), ("done", "Done"), ("cancelled", "Cancelled")] {
                        option value=(value) selected[value == shown] { (label) }
                    }
                }
                " "
                button.govuk-button.govuk-button--secondary.hw-inline-button type="submit" data-module="govuk-button" { "Show actions" }
            }
        }
        @if rows.is_empty() {
            p.govuk-body { "There are no actions to show." }
        } @else {
            table.govuk-table {
                caption.govuk-table__caption.govuk-table__caption--m { "Actions, soonest due first" }
                thead.govuk-table__head {
                    tr.govuk-table__row {
                        th.govuk-table__header scope="col" { "Reference" }
                        th.govuk-table__header scope="col" { "What is needed" }
                        th.govuk-table__header scope="col" { "Due" }
                        th.govuk-table__header scope="col" { "Status" }
                    }
                }
                tbody.govuk-table__body {
                    @for a in &rows {
                        tr.govuk-table__row {
                            td.govuk-table__cell { a.govuk-link href=(format!("/actions/{}", a.id)) { (reference(a.id)) } }
                            td.govuk-table__cell { (a.description) }
                            td.govuk-table__cell { (layout::day(a.due_on)) }
                            td.govuk-table__cell { (status_tag(a, today)) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(&page, "Actions", Section::Actions, body))
}

#[derive(Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

/// What the user typed, kept when the form is shown again.
#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    /// The version the form was made from.
    version: i32,
    /// The status and outcome the user saw, to say what changed under them.
    #[serde(default)]
    seen_status: String,
    #[serde(default)]
    seen_outcome: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    outcome: String,
}

fn parse_id(raw: &str) -> Result<ActionId, PageError> {
    crate::web::forms::path_id(raw, ActionId)
}

/// `GET /actions/{id}`: the action, and the form its owner moves it on with.
#[tracing::instrument(name = "web::actions::show", skip_all)]
pub async fn show(
    page: Page,
    id: web::Path<String>,
    q: web::Query<ShowQuery>,
) -> Result<HttpResponse, PageError> {
    let a = services::actions::get(&page.ctx, parse_id(&id)?).await?;
    let banner = q
        .saved
        .is_some()
        .then(|| layout::success_banner("The action was saved."));
    Ok(render(&page, &a, None, &[], banner, StatusCode::OK))
}

fn render(
    page: &Page,
    a: &ActionRow,
    typed: Option<&ActionForm>,
    problems: &[FieldProblem],
    banner: Option<Markup>,
    status: StatusCode,
) -> HttpResponse {
    let today = page.ctx.app.zone.today(Utc::now());
    let title = format!("Action {}", reference(a.id));
    let chosen = typed.map(|t| t.status.as_str()).unwrap_or("");
    let outcome = typed.map(|t| t.outcome.as_str()).unwrap_or("");
    let status_error = layout::field_error(problems, "status");
    let outcome_error = layout::field_error(problems, "outcome");
    let parent = match (a.episode_id, a.trigger_id, a.referral_id) {
        (Some(_), ..) => "a missing episode",
        (_, Some(_), _) => "a repeat-missing trigger's plan",
        _ => "an Early Action referral",
    };
    let mut rows: Vec<(&str, Markup)> = vec![
        ("What is needed", layout::paragraphs(&a.description)),
        ("Due", html! { (layout::day(a.due_on)) }),
        ("Status", status_tag(a, today)),
        ("Set for", html! { (parent) }),
        (
            "Last changed",
            html! { (layout::when(&page.ctx.app.zone, a.updated_at)) },
        ),
    ];
    if let Some(o) = &a.outcome {
        rows.push(("Outcome", layout::paragraphs(o)));
    }
    let body = html! {
        div.govuk-grid-row {
            div."govuk-grid-column-two-thirds" {
                @if let Some(b) = banner { (b) }
                (layout::error_summary(problems))
                span.govuk-caption-l { "Partner action" }
                h1.govuk-heading-l { (title) }
                (layout::summary_list(&rows))
                @if !a.status.is_finished() {
                    form method="post" action=(format!("/actions/{}", a.id)) novalidate {
                        (layout::csrf(&page.csrf))
                        input type="hidden" name="version" value=(a.version);
                        input type="hidden" name="seen_status" value=(a.status.as_str());
                        input type="hidden" name="seen_outcome" value=(a.outcome.as_deref().unwrap_or(""));
                        div.govuk-form-group.govuk-form-group--error[status_error.is_some()] {
                            fieldset.govuk-fieldset id="status" tabindex="-1" aria-describedby=[status_error.as_ref().map(|_| "status-error")] {
                                legend."govuk-fieldset__legend"."govuk-fieldset__legend--m" {
                                    h2.govuk-fieldset__heading { "Move the action on" }
                                }
                                @if let Some(e) = &status_error { (e) }
                                div.govuk-radios data-module="govuk-radios" {
                                    @for next in a.status.next() {
                                        @let id = format!("status-{}", next.as_str());
                                        div.govuk-radios__item {
                                            input.govuk-radios__input id=(id) name="status" type="radio" value=(next.as_str()) checked[chosen == next.as_str()];
                                            label.govuk-label.govuk-radios__label for=(id) { (status_label(*next)) }
                                        }
                                    }
                                }
                            }
                        }
                        div.govuk-form-group.govuk-form-group--error[outcome_error.is_some()] {
                            label.govuk-label.govuk-label--s for="outcome" { "Outcome" }
                            div.govuk-hint id="outcome-hint" { "What came of it (done) or why it will not be done (cancelled). Leave empty when starting work." }
                            @if let Some(e) = &outcome_error { (e) }
                            textarea.govuk-textarea.govuk-textarea--error[outcome_error.is_some()] id="outcome" name="outcome" rows="5"
                                aria-describedby=(if outcome_error.is_some() { "outcome-hint outcome-error" } else { "outcome-hint" }) { (outcome) }
                        }
                        button.govuk-button type="submit" data-module="govuk-button" { "Save" }
                    }
                }
                p.govuk-body { a.govuk-link href="/actions" { "Back to actions" } }
            }
        }
    };
    let mut res = layout::page(page, &title, Section::Actions, body);
    *res.status_mut() = status;
    res
}

fn status_label(s: ActionStatus) -> &'static str {
    match s {
        ActionStatus::Open => "Open",
        ActionStatus::InProgress => "In progress: work has started",
        ActionStatus::Done => "Done",
        ActionStatus::Cancelled => "Cancelled: it will not be done",
    }
}

/// `POST /actions/{id}`: moves the action on. A change someone else made first is
/// shown, with everything the user typed kept.
#[tracing::instrument(name = "web::actions::update", skip_all)]
pub async fn update(
    page: Page,
    id: web::Path<String>,
    Posted(f): Posted<ActionForm>,
) -> Result<HttpResponse, PageError> {
    let id = parse_id(&id)?;
    let mut problems = Vec::new();
    let status = match f.status.parse::<ActionStatus>() {
        Ok(s) => Some(s),
        Err(_) => {
            problems.push(FieldProblem::new(
                "status",
                "Select what has happened to the action",
            ));
            None
        }
    };
    let outcome = match check_text(&f.outcome, false, 5000) {
        Ok(o) if o.is_empty() => None,
        Ok(o) => Some(o),
        Err(m) => {
            problems.push(FieldProblem::new("outcome", &format!("The outcome {m}")));
            None
        }
    };
    if status.is_some_and(ActionStatus::is_finished) && outcome.is_none() && problems.is_empty() {
        problems.push(FieldProblem::new(
            "outcome",
            "Enter the outcome: what came of it, or why it will not be done",
        ));
    }
    if status == Some(ActionStatus::InProgress) && outcome.is_some() {
        problems.push(FieldProblem::new(
            "outcome",
            "Leave the outcome empty until the action is done or cancelled",
        ));
    }
    // Refused: the form is shown again, with what was typed, over the action as it is now.
    let refused = if !problems.is_empty() {
        Refused::Problems(problems, StatusCode::BAD_REQUEST)
    } else {
        let change = ActionUpdate {
            status,
            outcome,
            ..Default::default()
        };
        match services::actions::update(&page.ctx, id, f.version, change).await {
            Ok(_) => return Ok(forms::see_other(format!("/actions/{id}?saved=1"))),
            Err(AppError::PreconditionFailed) => Refused::Stale,
            Err(AppError::Validation(errors)) => Refused::Problems(
                errors
                    .iter()
                    .map(|e| FieldProblem::new(&e.field, &e.message))
                    .collect(),
                StatusCode::BAD_REQUEST,
            ),
            Err(e @ (AppError::Conflict(_) | AppError::IllegalTransition { .. })) => {
                let message = e.to_problem().detail.unwrap_or_else(|| e.to_string());
                Refused::Problems(
                    vec![FieldProblem::new("status", &message)],
                    StatusCode::CONFLICT,
                )
            }
            Err(e) => return Err(e.into()),
        }
    };
    let current = services::actions::get(&page.ctx, id).await?;
    let (problems, banner, status_code) = match refused {
        Refused::Problems(problems, status_code) => (problems, None, status_code),
        // What changed between the action the user saw and this one.
        Refused::Stale => (
            Vec::new(),
            Some(conflict(&f, &current)),
            StatusCode::CONFLICT,
        ),
    };
    Ok(render(
        &page,
        &current,
        Some(&f),
        &problems,
        banner,
        status_code,
    ))
}

/// Why a change was not made.
enum Refused {
    /// Problems with what was sent, answered with this status.
    Problems(Vec<FieldProblem>, StatusCode),
    /// Someone else changed the action first.
    Stale,
}

/// What changed between the action the user saw and the one stored now.
fn conflict(seen: &ActionForm, now: &ActionRow) -> Markup {
    let mut changes = Vec::new();
    if seen.seen_status != now.status.as_str() {
        changes.push(format!(
            "the status is now {} (it was {})",
            layout::words(now.status.as_str()).to_lowercase(),
            layout::words(&seen.seen_status).to_lowercase()
        ));
    }
    if seen.seen_outcome != now.outcome.as_deref().unwrap_or("") {
        changes.push("the outcome was changed".to_owned());
    }
    if changes.is_empty() {
        changes.push("it was saved again".to_owned());
    }
    layout::important_banner(
        "Someone else changed this action while you were editing it",
        html! {
            ul.govuk-list.govuk-list--bullet { @for c in &changes { li { (c) } } }
            p.govuk-body { "Nothing you typed was saved, and it is kept below. Check the action as it is now, then save again." }
        },
    )
}
