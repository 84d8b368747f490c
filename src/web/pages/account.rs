//! The user's own account: changing their password (also the one page an account may
//! use after an administrator's reset, until it has chosen its own).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;
use serde::Deserialize;

use crate::error::AppError;
use crate::services;
use crate::services::auth::PasswordChange;
use crate::web::forms::{self, Sent};
use crate::web::layout::{self, FieldProblem, Section};
use crate::web::session::{Page, Posted};
use crate::web::PageError;

const FORM: &str = "password";

#[derive(Deserialize)]
pub struct FormQuery {
    reset: Option<String>,
    changed: Option<String>,
}

/// `GET /account/password`: the form.
#[tracing::instrument(name = "web::account::password_form", skip_all)]
pub async fn password_form(
    page: Page,
    q: web::Query<FormQuery>,
) -> Result<HttpResponse, PageError> {
    let sent = Sent {
        form: FORM,
        ..Default::default()
    };
    Ok(render(
        &page,
        StatusCode::OK,
        &sent,
        q.reset.is_some(),
        q.changed.is_some(),
    ))
}

fn render(
    page: &Page,
    status: StatusCode,
    sent: &Sent,
    reset: bool,
    changed: bool,
) -> HttpResponse {
    let title = if sent.problems.is_empty() {
        "Change your password"
    } else {
        "Error: Change your password"
    };
    let field = |id: &str, label: &str, autocomplete: &str, hint: Option<&str>| {
        let error = layout::field_error(&sent.problems, id);
        let hint_id = format!("{id}-hint");
        let described = [
            hint.map(|_| hint_id.clone()),
            error.as_ref().map(|_| format!("{id}-error")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        html! {
            div.govuk-form-group.govuk-form-group--error[error.is_some()] {
                label.govuk-label for=(id) { (label) }
                @if let Some(h) = hint { div.govuk-hint id=(hint_id) { (h) } }
                @if let Some(e) = &error { (e) }
                input.govuk-input.govuk-input--error[error.is_some()] id=(id) name=(id) type="password"
                    autocomplete=(autocomplete) spellcheck="false"
                    aria-describedby=[(!described.is_empty()).then_some(described.as_str())];
            }
        }
    };
    let mut res = layout::page(
        page,
        title,
        Section::Account,
        html! {
            div.govuk-grid-row {
                div."govuk-grid-column-two-thirds" {
                    @if changed { (layout::success_banner("Your password has been changed. You have been signed out everywhere else.")) }
                    @if let Some(b) = &sent.banner { (b) }
                    (layout::error_summary(&sent.problems))
                    h1.govuk-heading-l { "Change your password" }
                    @if reset {
                        (layout::important_banner(
                            "An administrator has reset your password",
                            html! { p.govuk-body { "Choose a new password of your own before you continue. Use the temporary password you were given as your current password." } },
                        ))
                    }
                    p.govuk-body { "Changing your password signs you out of Homeward everywhere else: other browsers and any app using your account." }
                    form method="post" action="/account/password" novalidate {
                        (layout::csrf(&page.csrf))
                        (field("current-password", "Current password", "current-password", None))
                        (field("new-password", "New password", "new-password",
                            Some("At least 12 characters. A few unrelated words make a good password. Avoid common passwords and your email name.")))
                        (field("confirm-password", "Confirm new password", "new-password", None))
                        button.govuk-button type="submit" data-module="govuk-button" { "Change password" }
                    }
                }
            }
        },
    );
    *res.status_mut() = status;
    res
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default, rename = "current-password")]
    current: String,
    #[serde(default, rename = "new-password")]
    new: String,
    #[serde(default, rename = "confirm-password")]
    confirm: String,
}

/// `POST /account/password`: changes it (the service checks the current one and the
/// policy), then back to the form with a confirmation.
#[tracing::instrument(name = "web::account::change_password", skip_all)]
pub async fn change_password(
    page: Page,
    Posted(f): Posted<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    let mut sent = Sent {
        form: FORM,
        ..Default::default()
    };
    if f.current.is_empty() {
        sent.problems.push(FieldProblem::new(
            "current-password",
            "Enter your current password",
        ));
    }
    if f.new.is_empty() {
        sent.problems
            .push(FieldProblem::new("new-password", "Enter a new password"));
    } else if f.new != f.confirm {
        sent.problems.push(FieldProblem::new(
            "confirm-password",
            "The new password and its confirmation are different",
        ));
    }
    if !sent.problems.is_empty() {
        return Ok(render(&page, StatusCode::BAD_REQUEST, &sent, false, false));
    }
    let change = PasswordChange {
        current: f.current.into(),
        new: f.new.into(),
    };
    match services::auth::change_password(&page.ctx, change).await {
        Ok(()) => Ok(forms::see_other("/account/password?changed=1")),
        Err(AppError::TooManyRequests { retry_after_secs }) => {
            sent.problems.push(FieldProblem::new(
                "current-password",
                &format!(
                    "Too many wrong passwords: wait {} minutes, then try again",
                    retry_after_secs.div_ceil(60).max(1)
                ),
            ));
            Ok(render(
                &page,
                StatusCode::TOO_MANY_REQUESTS,
                &sent,
                false,
                false,
            ))
        }
        Err(e) => {
            let status = forms::refused(&mut sent, "account", e, |field| field.replace('_', "-"))?;
            Ok(render(&page, status, &sent, false, false))
        }
    }
}
