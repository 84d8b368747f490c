//! A repeat-missing trigger's page: why it fired, and the MFHC's work on it: acknowledge,
//! record the plan, raise an Early Action referral, close.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

use crate::domain::references::{short_ref, RefKind};
use crate::domain::text::check_text;
use crate::domain::triggers::TriggerStatus;
use crate::error::AppError;
use crate::ids::{AgencyId, TriggerId};
use crate::routes::triggers::TriggerPlanRequest;
use crate::services;
use crate::services::triggers::{PlanInput, RaiseInput, Trigger};
use crate::web::forms::{self, text_area, text_input, Sent};
use crate::web::layout::{self, FieldProblem, Section};
use crate::web::session::{Page, Posted};
use crate::web::PageError;

fn parse_id(raw: &str) -> Result<TriggerId, PageError> {
    forms::path_id(raw, TriggerId)
}

#[derive(Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

/// `GET /triggers/{id}`.
#[tracing::instrument(name = "web::triggers::show", skip_all)]
pub async fn show(
    page: Page,
    id: web::Path<String>,
    q: web::Query<ShowQuery>,
) -> Result<HttpResponse, PageError> {
    let t = services::triggers::get(&page.ctx, parse_id(&id)?).await?;
    let sent = Sent {
        banner: forms::saved_banner(
            q.saved.as_deref(),
            &[
                ("acknowledge", "The trigger was acknowledged."),
                ("plan", "The plan was saved."),
                ("close", "The trigger was closed."),
            ],
        ),
        ..Default::default()
    };
    render(&page, &t, &sent, StatusCode::OK).await
}

async fn render(
    page: &Page,
    t: &Trigger,
    sent: &Sent,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let agencies = services::agencies::active(&page.ctx).await?;
    let names: HashMap<AgencyId, &str> = agencies.iter().map(|a| (a.id, a.name.as_str())).collect();
    let zone = &page.ctx.app.zone;
    let r = &t.row;
    let reference = short_ref(RefKind::Trigger, r.id.0);
    let action = format!("/triggers/{}", r.id);
    let version = r.version;
    let working = matches!(
        r.status,
        TriggerStatus::Acknowledged | TriggerStatus::PlanRecorded
    );
    let rows: Vec<(&str, Markup)> = vec![
        (
            "Status",
            layout::tag(&layout::words(r.status.as_str()), "blue"),
        ),
        ("Rule", html! { (layout::words(r.kind.as_str())) }),
        (
            "Person",
            html! { a.govuk-link href=(format!("/persons/{}", r.person_id)) { "The person's record and history" } },
        ),
        (
            "Episodes",
            html! {
                @for e in &r.basis_episode_ids { a.govuk-link href=(format!("/episodes/{e}")) { "Episode" } br; }
            },
        ),
        (
            "Window",
            html! { (layout::when(zone, r.window_start)) " to " (layout::when(zone, r.window_end)) },
        ),
        ("Fired", html! { (layout::when(zone, r.fired_at)) }),
    ];
    let body = html! {
        div.govuk-grid-row { div."govuk-grid-column-two-thirds" {
            @if let Some(b) = &sent.banner { (b) }
            (layout::error_summary(&sent.problems))
            span.govuk-caption-l { "Repeat-missing trigger" }
            h1.govuk-heading-l { "Trigger " (reference) }
            (layout::summary_list(&rows))
            @if let Some(p) = &t.plan {
                h2.govuk-heading-m { "Plan" }
                (layout::summary_list(&[
                    ("Summary", layout::paragraphs(&p.summary)),
                    ("Agencies", html! { @for a in &p.agency_ids { (names.get(a).copied().unwrap_or("(inactive agency)")) br; } }),
                    ("Review on", html! { (layout::day(p.review_on)) }),
                ]))
            }
            @if let Some(referral) = t.referral_id {
                p.govuk-body { a.govuk-link href=(format!("/referrals/{referral}")) { "The Early Action referral raised from it" } }
            }
            @if r.status == TriggerStatus::Open {
                form method="post" action=(format!("{action}/acknowledge")) {
                    (layout::csrf(&page.csrf))
                    input type="hidden" name="version" value=(version);
                    button.govuk-button type="submit" data-module="govuk-button" { "Acknowledge: I am working on it" }
                }
            }
            @if working {
                form method="post" action=(format!("{action}/plan")) novalidate {
                    (layout::csrf(&page.csrf))
                    input type="hidden" name="version" value=(version);
                    h2.govuk-heading-m { @if t.plan.is_some() { "Replace the plan" } @else { "Record the plan" } }
                    (text_area(sent, "plan", "plan-summary", "What will be done", None))
                    div.govuk-form-group {
                        fieldset.govuk-fieldset {
                            legend."govuk-fieldset__legend"."govuk-fieldset__legend--s" { "Agencies involved" }
                            div."govuk-checkboxes"."govuk-checkboxes--small" data-module="govuk-checkboxes" {
                                @for (i, a) in agencies.iter().enumerate() {
                                    div.govuk-checkboxes__item {
                                        input.govuk-checkboxes__input type="checkbox" id=(format!("plan-agency-{i}")) name="agency_ids" value=(a.id)
                                            checked[sent.value("plan", "agency_ids").contains(&a.id.to_string())];
                                        label.govuk-label.govuk-checkboxes__label for=(format!("plan-agency-{i}")) { (a.name) }
                                    }
                                }
                            }
                        }
                    }
                    (text_input(sent, "plan", "plan-review_on", "Review on (for example 2026-12-20)", "govuk-input--width-10"))
                    button.govuk-button type="submit" data-module="govuk-button" { "Save the plan" }
                }
                @if t.referral_id.is_none() {
                    form method="post" action=(format!("{action}/referral")) novalidate {
                        (layout::csrf(&page.csrf))
                        input type="hidden" name="version" value=(version);
                        h2.govuk-heading-m { "Raise an Early Action referral" }
                        (text_area(sent, "referral", "referral-summary", "Why Early Action may help", None))
                        (text_input(sent, "referral", "referral-lawful_basis", "Lawful basis for sharing", "govuk-!-width-two-thirds"))
                        button.govuk-button type="submit" data-module="govuk-button" { "Raise the referral" }
                    }
                }
            }
            @if r.status.is_live() {
                form method="post" action=(format!("{action}/close")) novalidate {
                    (layout::csrf(&page.csrf))
                    input type="hidden" name="version" value=(version);
                    h2.govuk-heading-m { "Close the trigger" }
                    (text_area(sent, "close", "close-note", "Why it closes", None))
                    button.govuk-button.govuk-button--secondary type="submit" data-module="govuk-button" { "Close the trigger" }
                }
            }
        } }
    };
    let mut res = layout::page(
        page,
        &format!("Trigger {reference}"),
        Section::Worklist,
        body,
    );
    *res.status_mut() = status;
    Ok(res)
}

/// `POST /triggers/{id}/{form}`.
#[tracing::instrument(name = "web::triggers::update", skip_all)]
pub async fn update(
    page: Page,
    path: web::Path<(String, String)>,
    Posted(f): Posted<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (id, form) = path.into_inner();
    let id = parse_id(&id)?;
    let form: &'static str = match form.as_str() {
        "acknowledge" => "acknowledge",
        "plan" => "plan",
        "referral" => "referral",
        "close" => "close",
        _ => return Err(PageError::NotFound),
    };
    let fields = forms::fields(f);
    let version = forms::version(&fields)?;
    let get = |k: &str| {
        fields
            .get(k)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let ctx = &page.ctx;
    let mut problems = Vec::new();
    let done: Result<String, AppError> = match form {
        "acknowledge" => services::triggers::acknowledge(ctx, id, version)
            .await
            .map(|_| format!("/triggers/{id}?saved=acknowledge")),
        "plan" => match NaiveDate::parse_from_str(&get("review_on"), "%Y-%m-%d") {
            Ok(review_on) => {
                let request = TriggerPlanRequest {
                    summary: get("summary"),
                    agency_ids: get("agency_ids")
                        .split(',')
                        .filter_map(|a| a.parse::<uuid::Uuid>().ok().map(AgencyId))
                        .collect(),
                    review_on,
                };
                match PlanInput::try_from(request) {
                    Ok(p) => services::triggers::put_plan(ctx, id, version, p)
                        .await
                        .map(|_| format!("/triggers/{id}?saved=plan")),
                    Err(e) => Err(e),
                }
            }
            Err(_) => {
                problems.push(FieldProblem::new(
                    "plan-review_on",
                    "Enter the review date, for example 2026-12-20",
                ));
                Err(AppError::Validation(Vec::new()))
            }
        },
        "referral" => {
            let summary = check_text(&get("summary"), true, 10000);
            let lawful_basis = check_text(&get("lawful_basis"), true, 500);
            if summary.is_err() {
                problems.push(FieldProblem::new(
                    "referral-summary",
                    "Enter why Early Action may help",
                ));
            }
            if lawful_basis.is_err() {
                problems.push(FieldProblem::new(
                    "referral-lawful_basis",
                    "Enter the lawful basis for sharing",
                ));
            }
            match (summary, lawful_basis) {
                (Ok(summary), Ok(lawful_basis)) => services::triggers::raise_referral(
                    ctx,
                    id,
                    RaiseInput {
                        reasons: Vec::new(),
                        summary,
                        lawful_basis,
                    },
                )
                .await
                .map(|r| format!("/referrals/{}?saved=created", r.row.id)),
                _ => Err(AppError::Validation(Vec::new())),
            }
        }
        _ => match check_text(&get("note"), true, 2000) {
            Ok(note) => services::triggers::close(ctx, id, version, note)
                .await
                .map(|_| format!("/triggers/{id}?saved=close")),
            Err(_) => {
                problems.push(FieldProblem::new(
                    "close-note",
                    "Enter why the trigger closes",
                ));
                Err(AppError::Validation(Vec::new()))
            }
        },
    };
    let error = match done {
        Ok(to) => return Ok(forms::see_other(to)),
        Err(e) => e,
    };
    let mut sent = Sent {
        form,
        typed: fields.clone(),
        problems,
        banner: None,
    };
    let status = forms::refused(&mut sent, "trigger", error, |field| {
        format!("{form}-{field}")
    })?;
    let current = services::triggers::get(ctx, id).await?;
    render(&page, &current, &sent, status).await
}
