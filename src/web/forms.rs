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
