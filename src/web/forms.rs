//! Form pieces the pages share: what a form sent back holds, and GOV.UK text fields
//! that show their error and keep what was typed.

use std::collections::HashMap;

use maud::{html, Markup};

use super::layout::{self, FieldProblem};

/// A form sent back: which one, what was typed, what was wrong with it.
#[derive(Default)]
pub struct Sent {
    pub form: &'static str,
    pub typed: HashMap<String, String>,
    pub problems: Vec<FieldProblem>,
    pub banner: Option<Markup>,
}

impl Sent {
    pub fn value(&self, form: &str, field: &str) -> String {
        if self.form == form {
            self.typed.get(field).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    }
}

pub fn text_area(sent: &Sent, form: &str, id: &str, label: &str, hint: Option<&str>) -> Markup {
    let error = layout::field_error(&sent.problems, id).filter(|_| sent.form == form);
    html! {
        div.govuk-form-group.govuk-form-group--error[error.is_some()] {
            label.govuk-label.govuk-label--s for=(id) { (label) }
            @if let Some(h) = hint { div.govuk-hint id=(format!("{id}-hint")) { (h) } }
            @if let Some(e) = &error { (e) }
            textarea.govuk-textarea.govuk-textarea--error[error.is_some()] id=(id) name=(field_name(id)) rows="4"
                aria-describedby=[hint.map(|_| format!("{id}-hint"))] { (sent.value(form, field_name(id))) }
        }
    }
}

pub fn text_input(sent: &Sent, form: &str, id: &str, label: &str, class: &str) -> Markup {
    let error = layout::field_error(&sent.problems, id).filter(|_| sent.form == form);
    html! {
        div.govuk-form-group.govuk-form-group--error[error.is_some()] {
            label.govuk-label for=(id) { (label) }
            @if let Some(e) = &error { (e) }
            input type="text" id=(id) name=(field_name(id)) value=(sent.value(form, field_name(id)))
                class=(format!("govuk-input {class}{}", if error.is_some() { " govuk-input--error" } else { "" }));
        }
    }
}

/// Form fields are named after the part of the id after the form's prefix.
pub fn field_name(id: &str) -> &str {
    id.split_once('-').map_or(id, |(_, f)| f)
}

/// A GOV.UK radios group for field `name` of `form`: the fieldset's id is
/// `{form}-{name}` (where the error summary links), each choice's `{form}-{name}-{value}`,
/// labelled with its value in words; what was sent back stays chosen.
pub fn radios<T: Copy>(
    sent: &Sent,
    form: &str,
    name: &str,
    legend: &str,
    all: &[T],
    code: impl Fn(T) -> &'static str,
) -> Markup {
    let id = format!("{form}-{name}");
    let chosen = sent.value(form, name);
    let error = layout::field_error(&sent.problems, &id).filter(|_| sent.form == form);
    html! {
        div.govuk-form-group.govuk-form-group--error[error.is_some()] {
            fieldset.govuk-fieldset id=(id) tabindex="-1" {
                legend."govuk-fieldset__legend"."govuk-fieldset__legend--s" { (legend) }
                @if let Some(e) = &error { (e) }
                div.govuk-radios data-module="govuk-radios" {
                    @for v in all {
                        @let value = code(*v);
                        div.govuk-radios__item {
                            input.govuk-radios__input type="radio" id=(format!("{id}-{value}")) name=(name) value=(value) checked[chosen == value];
                            label.govuk-label.govuk-radios__label for=(format!("{id}-{value}")) { (layout::words(value)) }
                        }
                    }
                }
            }
        }
    }
}

/// A posted form's fields by name; a field sent more than once (checkboxes) is joined
/// with commas.
pub fn fields(pairs: Vec<(String, String)>) -> HashMap<String, String> {
    let mut fields: HashMap<String, String> = HashMap::new();
    for (k, v) in pairs {
        fields
            .entry(k)
            .and_modify(|e| {
                e.push(',');
                e.push_str(&v);
            })
            .or_insert(v);
    }
    fields
}

/// The version a form was made from.
pub fn version(fields: &HashMap<String, String>) -> Result<i32, super::PageError> {
    fields
        .get("version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| super::PageError::bad_form("the form has no version"))
}

/// A record's id from the address; anything else is not found.
pub fn path_id<T>(raw: &str, make: fn(uuid::Uuid) -> T) -> Result<T, super::PageError> {
    raw.parse::<uuid::Uuid>()
        .map(make)
        .map_err(|_| super::PageError::NotFound)
}

/// `303 See Other` to `to` (after a form is accepted: the next page is a plain GET).
pub fn see_other(to: impl Into<String>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, to.into()))
        .finish()
}

/// The banner of `?saved=` on a record's page, from `(value, message)` pairs.
pub fn saved_banner(saved: Option<&str>, messages: &[(&str, &str)]) -> Option<Markup> {
    saved.map(|s| {
        layout::success_banner(
            messages
                .iter()
                .find(|(k, _)| *k == s)
                .map_or("Saved.", |(_, m)| m),
        )
    })
}

/// What a refused form shows, in `sent`, and its status: the service's field problems
/// (`field_id` names each field's input), a stale edit's "someone else changed this"
/// banner, a conflict's reason. Any other error is the page's own.
pub fn refused(
    sent: &mut Sent,
    record: &str,
    error: crate::error::AppError,
    field_id: impl Fn(&str) -> String,
) -> Result<actix_web::http::StatusCode, super::PageError> {
    use crate::error::AppError;
    use actix_web::http::StatusCode;
    Ok(match error {
        AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
        AppError::Validation(errors) => {
            for e in errors {
                sent.problems.push(FieldProblem::new(
                    &field_id(&e.field),
                    &format!("{}: {}", layout::words(&e.field), e.message),
                ));
            }
            StatusCode::BAD_REQUEST
        }
        AppError::PreconditionFailed => {
            sent.banner = Some(layout::important_banner(
                &format!("Someone else changed this {record} while you were editing it"),
                html! { p.govuk-body { "Nothing you typed was saved, and it is kept below. Check the " (record) " as it is now, then send the form again." } },
            ));
            StatusCode::CONFLICT
        }
        e @ (AppError::Conflict(_) | AppError::IllegalTransition { .. }) => {
            let detail = e.to_problem().detail.unwrap_or_else(|| e.to_string());
            sent.banner = Some(layout::important_banner(
                "This could not be done",
                html! { p.govuk-body { (detail) } },
            ));
            StatusCode::CONFLICT
        }
        other => return Err(other.into()),
    })
}
