//! Early Action: the district's referral inbox by status, a new referral, and a
//! referral's page, where it is triaged (meetings, decision), planned (intervention plan,
//! consent), worked (partner actions) and closed with a reason.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

use crate::domain::actions::ActionStatus;
use crate::domain::references::{short_ref, RefKind};
use crate::domain::referrals::{
    ClosureReason, Consent, ConsentBy, Decision, ReferralReason, ReferralSource, ReferralStatus,
};
use crate::error::AppError;
use crate::ids::{AgencyId, PersonId, ReferralId};
use crate::routes::referrals::{
    CreateReferralRequest, InterventionPlanRequest, ReferralStatusRequest, TriageMeetingRequest,
};
use crate::services;
use crate::services::actions::{ActionFilter, ActionInput, Parent};
use crate::services::agencies::AgencyRow;
use crate::services::referrals::{
    MeetingInput, PlanInput, Referral, ReferralFilter, ReferralInput,
};
use crate::web::forms::{self, radios, text_area, text_input, Sent};
use crate::web::layout::{self, FieldProblem, Section};
use crate::web::session::{Page, Posted};
use crate::web::PageError;

fn reference(id: ReferralId) -> String {
    short_ref(RefKind::Referral, id.0)
}

fn status_tag(s: ReferralStatus) -> Markup {
    let colour = match s {
        ReferralStatus::Received => "blue",
        ReferralStatus::Triage => "yellow",
        ReferralStatus::Accepted | ReferralStatus::Active => "green",
        ReferralStatus::Declined | ReferralStatus::Redirected | ReferralStatus::Closed => "grey",
    };
    layout::tag(&layout::words(s.as_str()), colour)
}

#[derive(Deserialize)]
pub struct InboxQuery {
    status: Option<String>,
}

/// `GET /referrals`: the inbox, by status (the live ones by default).
#[tracing::instrument(name = "web::referrals::inbox", skip_all)]
pub async fn inbox(page: Page, q: web::Query<InboxQuery>) -> Result<HttpResponse, PageError> {
    let chosen = match q.status.as_deref() {
        None | Some("") | Some("live") => None,
        Some(s) => Some(
            s.parse::<ReferralStatus>()
                .map_err(|_| PageError::NotFound)?,
        ),
    };
    let all = services::referrals::list(&page.ctx, ReferralFilter::default(), 200).await?;
    let live = |s: ReferralStatus| !s.next().is_empty();
    let count = |s: ReferralStatus| all.iter().filter(|r| r.status == s).count();
    let shown: Vec<_> = all
        .iter()
        .filter(|r| chosen.map_or(live(r.status), |c| r.status == c))
        .collect();
    let body = html! {
        h1.govuk-heading-l { "Referrals" }
        p.govuk-body { a.govuk-button.govuk-button--secondary href="/persons?for=referral" data-module="govuk-button" { "Make a referral" } }
        nav aria-label="Referrals by status" {
            ul.govuk-list {
                li { a.govuk-link href="/referrals" aria-current=[chosen.is_none().then_some("page")] { "Live: " span.hw-count { (all.iter().filter(|r| live(r.status)).count()) } } }
                @for s in ReferralStatus::ALL {
                    li { a.govuk-link href=(format!("/referrals?status={}", s.as_str())) aria-current=[(chosen == Some(*s)).then_some("page")] {
                        (layout::words(s.as_str())) ": " span.hw-count { (count(*s)) }
                    } }
                }
            }
        }
        @if shown.is_empty() {
            p.govuk-body { "There are no referrals to show." }
        } @else {
            table.govuk-table {
                caption.govuk-table__caption.govuk-table__caption--m { "Referrals, newest first" }
                thead.govuk-table__head { tr.govuk-table__row {
                    th.govuk-table__header scope="col" { "Referral" }
                    th.govuk-table__header scope="col" { "Source" }
                    th.govuk-table__header scope="col" { "Received" }
                    th.govuk-table__header scope="col" { "Status" }
                } }
                tbody.govuk-table__body {
                    @for r in &shown {
                        tr.govuk-table__row {
                            td.govuk-table__cell { a.govuk-link href=(format!("/referrals/{}", r.id)) { (reference(r.id)) } }
                            td.govuk-table__cell { (layout::words(r.source.as_str())) }
                            td.govuk-table__cell { (layout::when(&page.ctx.app.zone, r.created_at)) }
                            td.govuk-table__cell { (status_tag(r.status)) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(&page, "Referrals", Section::Referrals, body))
}

#[derive(Deserialize)]
pub struct NewQuery {
    person: Option<String>,
}

/// `GET /referrals/new?person=`: a referral for a person already found.
#[tracing::instrument(name = "web::referrals::new", skip_all)]
pub async fn new(page: Page, q: web::Query<NewQuery>) -> Result<HttpResponse, PageError> {
    let Some(person) = q
        .person
        .as_deref()
        .and_then(|p| p.parse::<uuid::Uuid>().ok())
    else {
        return Ok(forms::see_other("/persons?for=referral"));
    };
    let agencies = services::agencies::active(&page.ctx).await?;
    Ok(new_form(
        &page,
        PersonId(person),
        &agencies,
        &Sent::default(),
        StatusCode::OK,
    ))
}

fn agency_options(agencies: &[AgencyRow], chosen: &str) -> Markup {
    html! {
        option value="" { "Choose an agency" }
        @for a in agencies { option value=(a.id) selected[chosen == a.id.to_string()] { (a.name) } }
    }
}

fn new_form(
    page: &Page,
    person: PersonId,
    agencies: &[AgencyRow],
    sent: &Sent,
    status: StatusCode,
) -> HttpResponse {
    let sources: Vec<ReferralSource> = ReferralSource::ALL
        .iter()
        .copied()
        .filter(|s| *s != ReferralSource::MissingTrigger)
        .collect();
    let reasons = sent.value("referral", "reasons");
    let body = html! {
        div.govuk-grid-row { div."govuk-grid-column-two-thirds" {
            (layout::error_summary(&sent.problems))
            h1.govuk-heading-l { "Make a referral to Early Action" }
            form method="post" action="/referrals" novalidate {
                (layout::csrf(&page.csrf))
                input type="hidden" name="person_id" value=(person);
                (radios(sent, "referral", "source", "Where did it come from?", &sources, |s| s.as_str()))
                div.govuk-form-group {
                    label.govuk-label for="referral-source_agency_id" { "The referring agency (partner referrals)" }
                    @if let Some(e) = layout::field_error(&sent.problems, "referral-source_agency_id") { (e) }
                    select.govuk-select id="referral-source_agency_id" name="source_agency_id" { (agency_options(agencies, &sent.value("referral", "source_agency_id"))) }
                }
                div.govuk-form-group {
                    fieldset.govuk-fieldset id="referral-reasons" tabindex="-1" {
                        legend."govuk-fieldset__legend"."govuk-fieldset__legend--s" { "Why is the person referred?" }
                        @if let Some(e) = layout::field_error(&sent.problems, "referral-reasons") { (e) }
                        div."govuk-checkboxes"."govuk-checkboxes--small" data-module="govuk-checkboxes" {
                            @for r in ReferralReason::ALL {
                                div.govuk-checkboxes__item {
                                    input.govuk-checkboxes__input type="checkbox" id=(format!("referral-reason-{}", r.as_str())) name="reasons" value=(r.as_str())
                                        checked[reasons.split(',').any(|x| x == r.as_str())];
                                    label.govuk-label.govuk-checkboxes__label for=(format!("referral-reason-{}", r.as_str())) { (layout::words(r.as_str())) }
                                }
                            }
                        }
                    }
                }
                (text_area(sent, "referral", "referral-summary", "Summary", Some("What happened and why Early Action may help.")))
                (text_input(sent, "referral", "referral-lawful_basis", "Lawful basis for sharing", "govuk-!-width-two-thirds"))
                button.govuk-button type="submit" data-module="govuk-button" { "Make the referral" }
            }
        } }
    };
    let mut res = layout::page(page, "Make a referral", Section::Referrals, body);
    *res.status_mut() = status;
    res
}

/// Field problems from the services, named for the form's summary.
fn problems_of(form: &str, errors: Vec<crate::error::FieldError>) -> Vec<FieldProblem> {
    errors
        .into_iter()
        .map(|e| {
            let field = e.field.split('.').next().unwrap_or("").to_owned();
            FieldProblem::new(
                &format!("{form}-{field}"),
                &format!("{}: {}", layout::words(&field), e.message),
            )
        })
        .collect()
}

fn agency_id(v: &str) -> Option<AgencyId> {
    v.parse::<uuid::Uuid>().ok().map(AgencyId)
}

fn date(v: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok()
}

/// `POST /referrals`: makes the referral.
#[tracing::instrument(name = "web::referrals::create", skip_all)]
pub async fn create(
    page: Page,
    Posted(f): Posted<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let fields = forms::fields(f);
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let person = get("person_id")
        .parse::<uuid::Uuid>()
        .map(PersonId)
        .map_err(|_| PageError::bad_form("the form names no person"))?;
    let mut problems = Vec::new();
    let source = match get("source").parse::<ReferralSource>() {
        Ok(s) => Some(s),
        Err(_) => {
            problems.push(FieldProblem::new(
                "referral-source",
                "Select where the referral came from",
            ));
            None
        }
    };
    let reasons: Vec<ReferralReason> = get("reasons")
        .split(',')
        .filter_map(|r| r.parse().ok())
        .collect();
    let made = match source {
        Some(source) => {
            let request = CreateReferralRequest {
                person_id: person,
                district_id: None,
                source,
                source_agency_id: agency_id(&get("source_agency_id"))
                    .filter(|_| source == ReferralSource::Partner),
                trigger_id: None,
                reasons,
                summary: get("summary"),
                lawful_basis: get("lawful_basis"),
            };
            match ReferralInput::try_from(request) {
                Ok(input) => services::referrals::create(&page.ctx, input).await,
                Err(e) => Err(e),
            }
        }
        None => Err(AppError::Validation(Vec::new())),
    };
    match made {
        Ok(r) => Ok(forms::see_other(format!(
            "/referrals/{}?saved=created",
            r.row.id
        ))),
        Err(AppError::Validation(errors)) => {
            problems.extend(problems_of("referral", errors));
            let agencies = services::agencies::active(&page.ctx).await?;
            let sent = Sent {
                form: "referral",
                typed: fields.clone(),
                problems,
                banner: None,
            };
            Ok(new_form(
                &page,
                person,
                &agencies,
                &sent,
                StatusCode::BAD_REQUEST,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

fn parse_id(raw: &str) -> Result<ReferralId, PageError> {
    forms::path_id(raw, ReferralId)
}

/// `GET /referrals/{id}`.
#[tracing::instrument(name = "web::referrals::show", skip_all)]
pub async fn show(
    page: Page,
    id: web::Path<String>,
    q: web::Query<ShowQuery>,
) -> Result<HttpResponse, PageError> {
    let id = parse_id(&id)?;
    let r = services::referrals::get(&page.ctx, id).await?;
    let sent = Sent {
        banner: forms::saved_banner(
            q.saved.as_deref(),
            &[
                ("created", "The referral was made."),
                ("decide", "The decision was recorded."),
                ("meeting", "The triage meeting was recorded."),
                ("plan", "The intervention plan was saved."),
                ("consent", "Consent was recorded."),
                (
                    "action",
                    "The partner action was assigned, and its agency told.",
                ),
            ],
        ),
        ..Default::default()
    };
    render(&page, &r, &sent, StatusCode::OK).await
}

async fn render(
    page: &Page,
    r: &Referral,
    sent: &Sent,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let agencies = services::agencies::active(&page.ctx).await?;
    let actions = services::actions::list(
        &page.ctx,
        ActionFilter {
            referral_id: Some(r.row.id),
            ..Default::default()
        },
        200,
    )
    .await?;
    let names: HashMap<AgencyId, &str> = agencies.iter().map(|a| (a.id, a.name.as_str())).collect();
    let agency = |id: AgencyId| names.get(&id).copied().unwrap_or("(inactive agency)");
    let zone = &page.ctx.app.zone;
    let row = &r.row;
    let version = row.version;
    let action = format!("/referrals/{}", row.id);
    let works = matches!(
        page.role,
        crate::domain::accounts::Role::EarlyAction | crate::domain::accounts::Role::Mfhc
    );
    let mut rows: Vec<(&str, Markup)> = vec![
        ("Status", status_tag(row.status)),
        (
            "Source",
            html! { (layout::words(row.source.as_str())) @if let Some(a) = row.source_agency_id { " (" (agency(a)) ")" } },
        ),
        (
            "Reasons",
            html! { @for reason in &row.reasons { (layout::words(reason.as_str())) br; } },
        ),
        ("Summary", layout::paragraphs(&row.summary)),
        ("Lawful basis for sharing", html! { (row.lawful_basis) }),
        (
            "Consent to the service",
            html! {
                (layout::words(row.consent.as_str()))
                @if let Some(by) = row.consent_by { " (" (layout::words(by.as_str()).to_lowercase()) ")" }
            },
        ),
        ("Received", html! { (layout::when(zone, row.created_at)) }),
    ];
    if let Some(reason) = &row.decision_reason {
        rows.push((
            "Decision",
            html! { (reason) @if let Some(to) = &row.redirected_to { " (to " (to) ")" } },
        ));
    }
    if let Some(c) = row.closure_reason {
        rows.push(("Closed", html! { (layout::words(c.as_str())) }));
    }
    let next = row.status.next();
    let body = html! {
        div.govuk-grid-row { div."govuk-grid-column-two-thirds" {
            @if let Some(b) = &sent.banner { (b) }
            (layout::error_summary(&sent.problems))
            span.govuk-caption-l { "Early Action referral" }
            h1.govuk-heading-l { "Referral " (reference(row.id)) }
            (layout::summary_list(&rows))

            h2.govuk-heading-m { "Triage meetings" }
            @if r.meetings.is_empty() { p.govuk-body { "No meeting yet." } }
            @for m in &r.meetings {
                (layout::summary_list(&[
                    ("Held", html! { (layout::day(m.held_on)) }),
                    ("Attended", html! { @for a in &m.attendee_agency_ids { (agency(*a)) br; } }),
                    ("Decisions", layout::paragraphs(&m.decisions)),
                ]))
            }
            @if let Some(p) = &r.plan {
                h2.govuk-heading-m { "Intervention plan" }
                (layout::summary_list(&[
                    ("Lead", html! { (p.lead_practitioner) ", " (agency(p.lead_agency_id)) }),
                    ("Goals", layout::paragraphs(&p.goals)),
                    ("Reviews", html! { @for d in &p.review_dates { (layout::day(*d)) br; } }),
                ]))
            }
            h2.govuk-heading-m { "Partner actions" }
            @if actions.is_empty() { p.govuk-body { "No action yet." } }
            @else {
                ul.govuk-list {
                    @for a in &actions {
                        li {
                            a.govuk-link href=(format!("/actions/{}", a.id)) { (short_ref(RefKind::Action, a.id.0)) }
                            " " (agency(a.owner_agency_id)) ": " (a.description) ", due " (layout::day(a.due_on)) " "
                            (layout::tag(&layout::words(a.status.as_str()), if a.status == ActionStatus::Done { "green" } else { "blue" }))
                        }
                    }
                }
            }

            @if works && !next.is_empty() {
                form method="post" action=(format!("{action}/decide")) novalidate {
                    (layout::csrf(&page.csrf))
                    input type="hidden" name="version" value=(version);
                    div.govuk-form-group {
                        fieldset.govuk-fieldset id="decide-status" tabindex="-1" {
                            legend."govuk-fieldset__legend"."govuk-fieldset__legend--m" { h2.govuk-fieldset__heading { "Decide" } }
                            @if let Some(e) = layout::field_error(&sent.problems, "decide-status") { (e) }
                            div.govuk-radios data-module="govuk-radios" {
                                @for s in next {
                                    div.govuk-radios__item {
                                        input.govuk-radios__input type="radio" id=(format!("decide-status-{}", s.as_str())) name="status" value=(s.as_str()) checked[sent.value("decide", "status") == s.as_str()];
                                        label.govuk-label.govuk-radios__label for=(format!("decide-status-{}", s.as_str())) { (decision_label(*s)) }
                                    }
                                }
                            }
                        }
                    }
                    (text_area(sent, "decide", "decide-reason", "Why (to decline or redirect)", None))
                    (text_input(sent, "decide", "decide-redirected_to", "The statutory service (to redirect)", "govuk-!-width-two-thirds"))
                    @if next.contains(&ReferralStatus::Closed) {
                        div.govuk-form-group {
                            label.govuk-label for="decide-closure_reason" { "Why it closes (to close)" }
                            @if let Some(e) = layout::field_error(&sent.problems, "decide-closure_reason") { (e) }
                            select.govuk-select id="decide-closure_reason" name="closure_reason" {
                                option value="" { "Choose a reason" }
                                @for c in ClosureReason::ALL { option value=(c.as_str()) selected[sent.value("decide", "closure_reason") == c.as_str()] { (layout::words(c.as_str())) } }
                            }
                        }
                    }
                    button.govuk-button type="submit" data-module="govuk-button" { "Record the decision" }
                }
            }
            @if works && row.status.holds_meetings() {
                form method="post" action=(format!("{action}/meeting")) novalidate {
                    (layout::csrf(&page.csrf))
                    input type="hidden" name="version" value=(version);
                    h2.govuk-heading-m { "Record a triage meeting" }
                    (text_input(sent, "meeting", "meeting-held_on", "Held on (for example 2026-12-04)", "govuk-input--width-10"))
                    div.govuk-form-group {
                        fieldset.govuk-fieldset id="meeting-attendee_agency_ids" tabindex="-1" {
                            legend."govuk-fieldset__legend"."govuk-fieldset__legend--s" { "Agencies that attended" }
                            @if let Some(e) = layout::field_error(&sent.problems, "meeting-attendee_agency_ids") { (e) }
                            div."govuk-checkboxes"."govuk-checkboxes--small" data-module="govuk-checkboxes" {
                                @for (i, a) in agencies.iter().enumerate() {
                                    div.govuk-checkboxes__item {
                                        input.govuk-checkboxes__input type="checkbox" id=(format!("meeting-agency-{i}")) name="attendee_agency_ids" value=(a.id)
                                            checked[sent.value("meeting", "attendee_agency_ids").contains(&a.id.to_string())];
                                        label.govuk-label.govuk-checkboxes__label for=(format!("meeting-agency-{i}")) { (a.name) }
                                    }
                                }
                            }
                        }
                    }
                    (text_area(sent, "meeting", "meeting-decisions", "Decisions", None))
                    button.govuk-button type="submit" data-module="govuk-button" { "Record the meeting" }
                }
            }
            @if works && matches!(row.status, ReferralStatus::Accepted | ReferralStatus::Active) {
                form method="post" action=(format!("{action}/plan")) novalidate {
                    (layout::csrf(&page.csrf))
                    input type="hidden" name="version" value=(version);
                    h2.govuk-heading-m { @if r.plan.is_some() { "Replace the intervention plan" } @else { "Record the intervention plan" } }
                    (text_input(sent, "plan", "plan-lead_practitioner", "Lead practitioner", "govuk-!-width-two-thirds"))
                    div.govuk-form-group {
                        label.govuk-label for="plan-lead_agency_id" { "Lead agency" }
                        @if let Some(e) = layout::field_error(&sent.problems, "plan-lead_agency_id") { (e) }
                        select.govuk-select id="plan-lead_agency_id" name="lead_agency_id" { (agency_options(&agencies, &sent.value("plan", "lead_agency_id"))) }
                    }
                    (text_area(sent, "plan", "plan-goals", "Goals", None))
                    (text_input(sent, "plan", "plan-review_dates", "Review dates, every 6 to 8 weeks (for example 2027-01-20, 2027-03-10)", "govuk-!-width-two-thirds"))
                    button.govuk-button type="submit" data-module="govuk-button" { "Save the plan" }
                }
                form method="post" action=(format!("{action}/consent")) novalidate {
                    (layout::csrf(&page.csrf))
                    input type="hidden" name="version" value=(version);
                    h2.govuk-heading-m { "Consent to the service" }
                    div.govuk-form-group {
                        fieldset.govuk-fieldset id="consent-consent" tabindex="-1" {
                            legend."govuk-fieldset__legend"."govuk-fieldset__legend--s" { "Consent" }
                            div."govuk-radios"."govuk-radios--inline" data-module="govuk-radios" {
                                @for c in Consent::ALL {
                                    div.govuk-radios__item {
                                        input.govuk-radios__input type="radio" id=(format!("consent-{}", c.as_str())) name="consent" value=(c.as_str()) checked[row.consent == *c];
                                        label.govuk-label.govuk-radios__label for=(format!("consent-{}", c.as_str())) { (layout::words(c.as_str())) }
                                    }
                                }
                            }
                        }
                    }
                    div.govuk-form-group {
                        fieldset.govuk-fieldset id="consent-by" tabindex="-1" {
                            legend."govuk-fieldset__legend"."govuk-fieldset__legend--s" { "By" }
                            @if let Some(e) = layout::field_error(&sent.problems, "consent-by") { (e) }
                            div."govuk-radios"."govuk-radios--inline" data-module="govuk-radios" {
                                @for b in ConsentBy::ALL {
                                    div.govuk-radios__item {
                                        input.govuk-radios__input type="radio" id=(format!("consent-by-{}", b.as_str())) name="by" value=(b.as_str()) checked[row.consent_by == Some(*b)];
                                        label.govuk-label.govuk-radios__label for=(format!("consent-by-{}", b.as_str())) { (layout::words(b.as_str())) }
                                    }
                                }
                            }
                        }
                    }
                    button.govuk-button type="submit" data-module="govuk-button" { "Record consent" }
                }
            }
            @if works && !next.is_empty() {
                form method="post" action=(format!("{action}/action")) novalidate {
                    (layout::csrf(&page.csrf))
                    input type="hidden" name="version" value=(version);
                    h2.govuk-heading-m { "Assign a partner action" }
                    div.govuk-form-group {
                        label.govuk-label for="action-owner_agency_id" { "Agency" }
                        @if let Some(e) = layout::field_error(&sent.problems, "action-owner_agency_id") { (e) }
                        select.govuk-select id="action-owner_agency_id" name="owner_agency_id" { (agency_options(&agencies, &sent.value("action", "owner_agency_id"))) }
                    }
                    (text_area(sent, "action", "action-description", "What is needed", None))
                    (text_input(sent, "action", "action-due_on", "Due on (for example 2026-12-20)", "govuk-input--width-10"))
                    button.govuk-button type="submit" data-module="govuk-button" { "Assign the action" }
                }
            }
            p.govuk-body { a.govuk-link href="/referrals" { "Back to referrals" } }
        } }
    };
    let mut res = layout::page(
        page,
        &format!("Referral {}", reference(row.id)),
        Section::Referrals,
        body,
    );
    *res.status_mut() = status;
    Ok(res)
}

fn decision_label(s: ReferralStatus) -> &'static str {
    match s {
        ReferralStatus::Triage => "Start triage",
        ReferralStatus::Accepted => "Accept for Early Action",
        ReferralStatus::Declined => "Decline",
        ReferralStatus::Redirected => "Redirect to statutory services",
        ReferralStatus::Active => "Start the intervention (the plan is recorded)",
        ReferralStatus::Closed => "Close",
        ReferralStatus::Received => "Received",
    }
}

/// `POST /referrals/{id}/{form}`: one of the referral's forms.
#[tracing::instrument(name = "web::referrals::update", skip_all)]
pub async fn update(
    page: Page,
    path: web::Path<(String, String)>,
    Posted(f): Posted<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (id, form) = path.into_inner();
    let id = parse_id(&id)?;
    let form: &'static str = match form.as_str() {
        "decide" => "decide",
        "meeting" => "meeting",
        "plan" => "plan",
        "consent" => "consent",
        "action" => "action",
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
    let opt = |k: &str| Some(get(k)).filter(|v| !v.is_empty());
    let ctx = &page.ctx;
    let mut problems = Vec::new();
    let done: Result<(), AppError> = match form {
        "decide" => match get("status").parse::<ReferralStatus>() {
            Ok(status) => {
                let request = ReferralStatusRequest {
                    status,
                    reason: opt("reason"),
                    redirected_to: opt("redirected_to"),
                    closure_reason: get("closure_reason").parse().ok(),
                };
                match Decision::try_from(request) {
                    Ok(d) => services::referrals::decide(ctx, id, version, d)
                        .await
                        .map(drop),
                    Err(e) => Err(e),
                }
            }
            Err(_) => {
                problems.push(FieldProblem::new("decide-status", "Select a decision"));
                Err(AppError::Validation(Vec::new()))
            }
        },
        "meeting" => match date(&get("held_on")) {
            Some(held_on) => {
                let request = TriageMeetingRequest {
                    held_on,
                    attendee_agency_ids: get("attendee_agency_ids")
                        .split(',')
                        .filter_map(agency_id)
                        .collect(),
                    decisions: get("decisions"),
                    next_meeting_on: None,
                };
                match MeetingInput::try_from(request) {
                    Ok(m) => services::referrals::add_meeting(ctx, id, version, m)
                        .await
                        .map(drop),
                    Err(e) => Err(e),
                }
            }
            None => {
                problems.push(FieldProblem::new(
                    "meeting-held_on",
                    "Enter the day of the meeting, for example 2026-12-04",
                ));
                Err(AppError::Validation(Vec::new()))
            }
        },
        "plan" => {
            let dates: Vec<Option<NaiveDate>> = get("review_dates")
                .split(',')
                .filter(|d| !d.trim().is_empty())
                .map(date)
                .collect();
            match (
                agency_id(&get("lead_agency_id")),
                dates.iter().all(Option::is_some),
            ) {
                (Some(lead), true) => {
                    let request = InterventionPlanRequest {
                        lead_practitioner: get("lead_practitioner"),
                        lead_agency_id: lead,
                        goals: get("goals"),
                        review_dates: dates.into_iter().flatten().collect(),
                    };
                    match PlanInput::try_from(request) {
                        Ok(p) => services::referrals::put_plan(ctx, id, version, p)
                            .await
                            .map(drop),
                        Err(e) => Err(e),
                    }
                }
                (lead, dates_ok) => {
                    if lead.is_none() {
                        problems.push(FieldProblem::new(
                            "plan-lead_agency_id",
                            "Choose the lead agency",
                        ));
                    }
                    if !dates_ok {
                        problems.push(FieldProblem::new(
                            "plan-review_dates",
                            "Enter review dates as year-month-day, separated by commas",
                        ));
                    }
                    Err(AppError::Validation(Vec::new()))
                }
            }
        }
        "consent" => match get("consent").parse::<Consent>() {
            Ok(consent) => {
                services::referrals::set_consent(ctx, id, version, consent, get("by").parse().ok())
                    .await
                    .map(drop)
            }
            Err(_) => {
                problems.push(FieldProblem::new("consent-consent", "Select the consent"));
                Err(AppError::Validation(Vec::new()))
            }
        },
        _ => {
            let due = date(&get("due_on"));
            let owner = agency_id(&get("owner_agency_id"));
            let description = crate::domain::text::check_text(&get("description"), true, 2000);
            if owner.is_none() {
                problems.push(FieldProblem::new(
                    "action-owner_agency_id",
                    "Choose the agency that owns the action",
                ));
            }
            if description.is_err() {
                problems.push(FieldProblem::new(
                    "action-description",
                    "Enter what is needed",
                ));
            }
            if due.is_none() {
                problems.push(FieldProblem::new(
                    "action-due_on",
                    "Enter the due date, for example 2026-12-20",
                ));
            }
            match (owner, description, due) {
                (Some(owner_agency_id), Ok(description), Some(due_on)) => {
                    services::actions::create(
                        ctx,
                        ActionInput {
                            parent: Parent::Referral(id),
                            owner_agency_id,
                            owner_user_id: None,
                            description,
                            due_on,
                        },
                    )
                    .await
                    .map(drop)
                }
                _ => Err(AppError::Validation(Vec::new())),
            }
        }
    };
    let error = match done {
        Ok(()) => return Ok(forms::see_other(format!("/referrals/{id}?saved={form}"))),
        Err(e) => e,
    };
    let mut sent = Sent {
        form,
        typed: fields.clone(),
        problems,
        banner: None,
    };
    let status = forms::refused(&mut sent, "referral", error, |field| {
        format!("{form}-{}", field.split('.').next().unwrap_or(""))
    })?;
    let current = services::referrals::get(ctx, id).await?;
    render(&page, &current, &sent, status).await
}
