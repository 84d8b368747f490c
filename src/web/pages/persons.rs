//! Finding a person before acting on them (reporting them missing, referring them), and
//! recording one who is not yet in Homeward.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

use crate::domain::persons::{search_words, Sex};
use crate::error::AppError;
use crate::routes::persons::CreatePersonRequest;
use crate::services;
use crate::services::persons::{PersonFilter, PersonInput};
use crate::web::forms::{self, text_input, Sent};
use crate::web::layout::{self, FieldProblem, Section};
use crate::web::session::{Page, Posted};
use crate::web::PageError;

/// What the person is being found for: where "Choose" goes.
fn purpose(raw: Option<&str>) -> (&'static str, &'static str) {
    match raw {
        Some("referral") => ("referral", "Refer this person to Early Action"),
        _ => ("episode", "Report this person missing"),
    }
}

fn next_for(purpose: &str, person: impl std::fmt::Display) -> String {
    match purpose {
        "referral" => format!("/referrals/new?person={person}"),
        _ => format!("/episodes/new?person={person}"),
    }
}

#[derive(Deserialize)]
pub struct FindQuery {
    name: Option<String>,
    #[serde(rename = "for")]
    purpose: Option<String>,
}

/// `GET /persons`: find a person by name (and aliases).
#[tracing::instrument(name = "web::persons::find", skip_all)]
pub async fn find(page: Page, q: web::Query<FindQuery>) -> Result<HttpResponse, PageError> {
    let (purpose, choose) = purpose(q.purpose.as_deref());
    let name = q.name.clone().unwrap_or_default();
    let words = search_words(&name);
    let rows = if words.is_empty() {
        None
    } else {
        let filter = PersonFilter {
            words,
            ..Default::default()
        };
        Some(services::persons::search(&page.ctx, filter, 50).await?)
    };
    let body = html! {
        h1.govuk-heading-l { "Find the person" }
        p.govuk-body { "Search first, so one person has one record. If they are not found, record them." }
        form method="get" action="/persons" {
            input type="hidden" name="for" value=(purpose);
            div.govuk-form-group {
                label.govuk-label for="name" { "Name or alias" }
                input.govuk-input."govuk-!-width-two-thirds" id="name" name="name" type="text" value=(name) spellcheck="false";
            }
            button.govuk-button type="submit" data-module="govuk-button" { "Search" }
        }
        @if let Some(rows) = &rows {
            h2.govuk-heading-m { (rows.len()) " found" }
            @if !rows.is_empty() {
                table.govuk-table {
                    caption.govuk-visually-hidden { "Persons found" }
                    thead.govuk-table__head { tr.govuk-table__row {
                        th.govuk-table__header scope="col" { "Name" }
                        th.govuk-table__header scope="col" { "Date of birth" }
                        th.govuk-table__header scope="col" { "Aliases" }
                        th.govuk-table__header scope="col" { span.govuk-visually-hidden { "Choose" } }
                    } }
                    tbody.govuk-table__body {
                        @for p in rows {
                            tr.govuk-table__row {
                                td.govuk-table__cell { (p.given_name) " " (p.family_name) }
                                td.govuk-table__cell { @if let Some(d) = p.date_of_birth { (layout::day(d)) } }
                                td.govuk-table__cell { (p.aliases.join(", ")) }
                                td.govuk-table__cell {
                                    a.govuk-link href=(next_for(purpose, p.id)) {
                                        (choose) span.govuk-visually-hidden { ": " (p.given_name) " " (p.family_name) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p.govuk-body { a.govuk-link href=(format!("/persons/new?for={purpose}")) { "The person is not here: record them" } }
        }
    };
    Ok(layout::page(
        &page,
        "Find the person",
        Section::Worklist,
        body,
    ))
}

#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(rename = "for")]
    purpose: Option<String>,
}

/// `GET /persons/new`: record a person not yet in Homeward.
#[tracing::instrument(name = "web::persons::new", skip_all)]
pub async fn new(page: Page, q: web::Query<NewQuery>) -> Result<HttpResponse, PageError> {
    let (purpose, _) = purpose(q.purpose.as_deref());
    Ok(person_form(
        &page,
        purpose,
        &Sent::default(),
        StatusCode::OK,
    ))
}

fn person_form(page: &Page, purpose: &str, sent: &Sent, status: StatusCode) -> HttpResponse {
    let sex = sent.value("person", "sex");
    let body: Markup = html! {
        div.govuk-grid-row { div."govuk-grid-column-two-thirds" {
            (layout::error_summary(&sent.problems))
            h1.govuk-heading-l { "Record a person" }
            form method="post" action="/persons" novalidate {
                (layout::csrf(&page.csrf))
                input type="hidden" name="for" value=(purpose);
                (text_input(sent, "person", "person-given_name", "Given name", "govuk-!-width-two-thirds"))
                (text_input(sent, "person", "person-family_name", "Family name", "govuk-!-width-two-thirds"))
                (text_input(sent, "person", "person-date_of_birth", "Date of birth (for example 2011-04-02), if known", "govuk-input--width-10"))
                div.govuk-form-group {
                    fieldset.govuk-fieldset {
                        legend."govuk-fieldset__legend"."govuk-fieldset__legend--s" { "Sex" }
                        div."govuk-radios"."govuk-radios--inline" data-module="govuk-radios" {
                            @for s in Sex::ALL {
                                div.govuk-radios__item {
                                    input.govuk-radios__input type="radio" id=(format!("person-sex-{}", s.as_str())) name="sex" value=(s.as_str()) checked[sex == s.as_str()];
                                    label.govuk-label.govuk-radios__label for=(format!("person-sex-{}", s.as_str())) { (layout::words(s.as_str())) }
                                }
                            }
                        }
                    }
                }
                button.govuk-button type="submit" data-module="govuk-button" { "Record the person" }
            }
        } }
    };
    let mut res = layout::page(page, "Record a person", Section::Worklist, body);
    *res.status_mut() = status;
    res
}

/// `POST /persons`: records the person, then on to what they were found for.
#[tracing::instrument(name = "web::persons::create", skip_all)]
pub async fn create(
    page: Page,
    Posted(f): Posted<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let fields = forms::fields(f);
    let get = |k: &str| {
        fields
            .get(k)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let (purpose, _) = purpose(fields.get("for").map(String::as_str));
    let mut problems = Vec::new();
    let date_of_birth = match get("date_of_birth") {
        d if d.is_empty() => None,
        d => match NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(FieldProblem::new(
                    "person-date_of_birth",
                    "Enter the date of birth as year-month-day, for example 2011-04-02",
                ));
                None
            }
        },
    };
    let request = CreatePersonRequest {
        given_name: get("given_name"),
        family_name: get("family_name"),
        aliases: Vec::new(),
        date_of_birth,
        sex: get("sex").parse().ok(),
        ethnicity: None,
        home_district_id: None,
        local_authority: None,
        looked_after: false,
    };
    let created = match PersonInput::try_from(request) {
        Ok(input) if problems.is_empty() => services::persons::create(&page.ctx, input).await,
        Ok(_) => Err(AppError::Validation(Vec::new())),
        Err(e) => Err(e),
    };
    match created {
        Ok(p) => Ok(forms::see_other(next_for(purpose, p.id))),
        Err(AppError::Validation(errors)) => {
            for e in errors {
                problems.push(FieldProblem::new(
                    &format!("person-{}", e.field),
                    &format!("The {} {}", e.field.replace('_', " "), e.message),
                ));
            }
            let sent = Sent {
                form: "person",
                typed: fields.clone(),
                problems,
                banner: None,
            };
            Ok(person_form(&page, purpose, &sent, StatusCode::BAD_REQUEST))
        }
        Err(e) => Err(e.into()),
    }
}
