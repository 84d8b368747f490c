//! The page shell and the GOV.UK Frontend components the pages use, as maud templates
//! (escaped and checked at compile time).

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use chrono::{DateTime, NaiveDate, Utc};
use maud::{html, Markup, DOCTYPE};

use super::assets::url;
use super::session::Page;
use crate::domain::accounts::Role;
use crate::domain::local_time::ForceZone;

/// A section of the service navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Worklist,
    Referrals,
    Measures,
    Actions,
    Shares,
    /// The user's own account (not in the navigation).
    Account,
}

/// The sections a role works in, with their addresses.
fn sections(role: Role) -> Vec<(Section, &'static str, &'static str)> {
    match role {
        Role::Partner => vec![
            (Section::Actions, "/actions", "Actions"),
            (Section::Shares, "/shares", "Shared with my agency"),
        ],
        Role::Officer => vec![(Section::Worklist, "/worklist", "Worklist")],
        Role::Supervisor | Role::Mfhc => vec![
            (Section::Worklist, "/worklist", "Worklist"),
            (Section::Referrals, "/referrals", "Referrals"),
            (Section::Actions, "/actions", "Partner actions"),
            (Section::Measures, "/measures", "Measures"),
        ],
        Role::EarlyAction => vec![
            (Section::Referrals, "/referrals", "Referrals"),
            (Section::Actions, "/actions", "Partner actions"),
        ],
        Role::Analyst | Role::Admin | Role::Dpo => vec![],
    }
}

fn document(title: &str, head: Markup, header: Markup, main: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html.govuk-template lang="en" {
            head {
                meta charset="utf-8";
                title { (title) " – Homeward" }
                meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover";
                meta name="robots" content="noindex, nofollow";
                link rel="icon" sizes="48x48" href=(url("favicon.ico"));
                link rel="icon" sizes="any" href=(url("favicon.svg")) type="image/svg+xml";
                link rel="stylesheet" href=(url("govuk-frontend.min.css"));
                link rel="stylesheet" href=(url("homeward.css"));
                (head)
            }
            body.govuk-template__body {
                a.govuk-skip-link href="#main-content" data-module="govuk-skip-link" { "Skip to main content" }
                (header)
                div.govuk-width-container {
                    main.govuk-main-wrapper id="main-content" { (main) }
                }
                footer.govuk-footer {
                    div.govuk-width-container {
                        div.govuk-footer__meta {
                            div."govuk-footer__meta-item"."govuk-footer__meta-item--grow" {
                                p.govuk-body-s {
                                    "Homeward holds sensitive personal information. Use it only for the purpose you have access for; every page you open is recorded."
                                }
                            }
                        }
                    }
                }
                script type="module" src=(url("homeward.mjs")) {}
            }
        }
    }
}

fn service_name() -> Markup {
    html! {
        span.govuk-service-navigation__service-name {
            a.govuk-service-navigation__link href="/" { "Homeward" }
        }
    }
}

/// A page for a signed-in user: the navigation of their role, who they are, sign-out.
pub fn page(p: &Page, title: &str, current: Section, main: Markup) -> HttpResponse {
    let header = html! {
        section.govuk-service-navigation aria-label="Service information" data-module="govuk-service-navigation" {
            div.govuk-width-container {
                div.govuk-service-navigation__container {
                    (service_name())
                    nav.govuk-service-navigation__wrapper aria-label="Menu" {
                        button.govuk-service-navigation__toggle.govuk-js-service-navigation-toggle type="button" aria-controls="navigation" hidden { "Menu" }
                        ul.govuk-service-navigation__list id="navigation" {
                            @for (section, href, label) in sections(p.role) {
                                @if section == current {
                                    li."govuk-service-navigation__item"."govuk-service-navigation__item--active" {
                                        a.govuk-service-navigation__link href=(href) aria-current="page" {
                                            strong.govuk-service-navigation__active-fallback { (label) }
                                        }
                                    }
                                } @else {
                                    li.govuk-service-navigation__item {
                                        a.govuk-service-navigation__link href=(href) { (label) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        div.govuk-width-container {
            div.hw-signed-in.govuk-body-s.govuk-"!-margin-top-2" {
                span { "Signed in as " strong { (p.display_name) } " (" (role_name(p.role)) ") " }
                a.govuk-link href="/account/password" { "Change password" }
                form method="post" action="/sign-out" {
                    (csrf(&p.csrf))
                    button.govuk-button.govuk-button--secondary.hw-inline-button type="submit" data-module="govuk-button" { "Sign out" }
                }
            }
        }
    };
    respond(StatusCode::OK, document(title, html! {}, header, main))
}

/// A page without a signed-in user (sign-in, errors before a session is known).
pub fn bare(status: StatusCode, title: &str, head: Markup, main: Markup) -> HttpResponse {
    let header = html! {
        section.govuk-service-navigation aria-label="Service information" {
            div.govuk-width-container {
                div.govuk-service-navigation__container { (service_name()) }
            }
        }
    };
    respond(status, document(title, head, header, main))
}

fn respond(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .body(markup.into_string())
}

pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Officer => "police officer",
        Role::Supervisor => "supervisor",
        Role::Mfhc => "missing from home coordinator",
        Role::EarlyAction => "Early Action",
        Role::Partner => "partner agency",
        Role::Analyst => "analyst",
        Role::Admin => "administrator",
        Role::Dpo => "data protection officer",
    }
}

/// The hidden field every form carries.
pub fn csrf(token: &str) -> Markup {
    html! { input type="hidden" name="_csrf" value=(token); }
}

/// A field's problem, for the error summary and beside the field.
#[derive(Debug, Clone)]
pub struct FieldProblem {
    /// The id of the input the summary links to.
    pub id: String,
    pub message: String,
}

impl FieldProblem {
    pub fn new(id: &str, message: &str) -> Self {
        FieldProblem {
            id: id.into(),
            message: message.into(),
        }
    }
}

/// The error summary at the top of a form that was not accepted.
pub fn error_summary(problems: &[FieldProblem]) -> Markup {
    html! {
        @if !problems.is_empty() {
            div.govuk-error-summary data-module="govuk-error-summary" {
                div role="alert" {
                    h2.govuk-error-summary__title { "There is a problem" }
                    div.govuk-error-summary__body {
                        ul.govuk-list.govuk-error-summary__list {
                            @for p in problems {
                                li { a href=(format!("#{}", p.id)) { (p.message) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The message beside field `id`, if it has one.
pub fn field_error(problems: &[FieldProblem], id: &str) -> Option<Markup> {
    problems.iter().find(|p| p.id == id).map(|p| {
        html! {
            p.govuk-error-message id=(format!("{id}-error")) {
                span.govuk-visually-hidden { "Error:" } " " (p.message)
            }
        }
    })
}

/// A green or blue banner saying what just happened.
pub fn success_banner(text: &str) -> Markup {
    html! {
        div."govuk-notification-banner"."govuk-notification-banner--success" role="alert" aria-labelledby="banner-title" data-module="govuk-notification-banner" {
            div.govuk-notification-banner__header {
                h2.govuk-notification-banner__title id="banner-title" { "Success" }
            }
            div.govuk-notification-banner__content {
                p.govuk-notification-banner__heading { (text) }
            }
        }
    }
}

pub fn important_banner(heading: &str, body: Markup) -> Markup {
    html! {
        div.govuk-notification-banner role="region" aria-labelledby="important-title" data-module="govuk-notification-banner" {
            div.govuk-notification-banner__header {
                h2.govuk-notification-banner__title id="important-title" { "Important" }
            }
            div.govuk-notification-banner__content {
                p.govuk-notification-banner__heading { (heading) }
                (body)
            }
        }
    }
}

/// A summary list of (key, value) rows.
pub fn summary_list(rows: &[(&str, Markup)]) -> Markup {
    html! {
        dl.govuk-summary-list {
            @for (key, value) in rows {
                div.govuk-summary-list__row {
                    dt.govuk-summary-list__key { (key) }
                    dd.govuk-summary-list__value { (value) }
                }
            }
        }
    }
}

/// A status tag; `colour` is one of GOV.UK's tag colours (`grey`, `green`, `red`, …).
pub fn tag(text: &str, colour: &str) -> Markup {
    let class = format!("govuk-tag govuk-tag--{colour}");
    html! { strong class=(class) { (text) } }
}

/// A time in the force's local time, e.g. `Sat 5 Dec 2026 14:05`.
pub fn when(zone: &ForceZone, t: DateTime<Utc>) -> String {
    t.with_timezone(&zone.0)
        .format("%a %-d %b %Y %H:%M")
        .to_string()
}

pub fn day(d: NaiveDate) -> String {
    d.format("%a %-d %b %Y").to_string()
}

/// Words for a code such as `in_progress`.
pub fn words(code: &str) -> String {
    let s = code.replace('_', " ");
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Text as paragraphs, its line breaks kept.
pub fn paragraphs(text: &str) -> Markup {
    html! {
        @for line in text.lines() { (line) br; }
    }
}
