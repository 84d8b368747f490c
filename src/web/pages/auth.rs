//! Sign-in and sign-out: the same accounts, checks and throttling as the API's login.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;
use secrecy::SecretString;
use serde::Deserialize;

use crate::error::AppError;
use crate::services;
use crate::web::forms;
use crate::web::layout::{self, FieldProblem};
use crate::web::session::{self, csrf_token, safe_next, Page, Posted};
use crate::web::PageError;

#[derive(Deserialize)]
pub struct FormQuery {
    next: Option<String>,
    signed_out: Option<String>,
}

/// `GET /sign-in`: the form. Its CSRF token comes from a sign-in cookie set here.
#[tracing::instrument(name = "web::auth::form", skip_all)]
pub async fn form(req: HttpRequest, q: web::Query<FormQuery>) -> Result<HttpResponse, PageError> {
    let app = session::app(&req)?;
    let existing = req
        .cookie(app.web.sign_in_cookie())
        .map(|c| c.value().to_owned());
    let secret = existing
        .clone()
        .unwrap_or_else(|| crate::auth::refresh::generate().0);
    let notice = q.signed_out.is_some().then_some("You have signed out.");
    let mut res = render(
        StatusCode::OK,
        &csrf_token(&secret),
        &safe_next(q.next.as_deref()),
        "",
        &[],
        notice,
    );
    if existing.is_none() {
        res.add_cookie(&app.web.cookie(app.web.sign_in_cookie(), secret))
            .map_err(|_| PageError::internal("cookie"))?;
    }
    Ok(res)
}

fn render(
    status: StatusCode,
    csrf: &str,
    next: &str,
    email: &str,
    problems: &[FieldProblem],
    notice: Option<&str>,
) -> HttpResponse {
    let email_error = layout::field_error(problems, "email");
    let password_error = layout::field_error(problems, "password");
    let title = if problems.is_empty() {
        "Sign in"
    } else {
        "Error: Sign in"
    };
    layout::bare(
        status,
        title,
        html! {},
        html! {
            div.govuk-grid-row {
                div."govuk-grid-column-two-thirds" {
                    @if let Some(n) = notice { (layout::success_banner(n)) }
                    (layout::error_summary(problems))
                    h1.govuk-heading-l { "Sign in to Homeward" }
                    p.govuk-body {
                        "Use the email address and password of your Homeward account. "
                        "If an email was sent to your team's mailbox, sign in with your own account: "
                        "your agency's records are shared with every active user of the agency."
                    }
                    form method="post" action="/sign-in" novalidate {
                        (layout::csrf(csrf))
                        input type="hidden" name="next" value=(next);
                        div.govuk-form-group.govuk-form-group--error[email_error.is_some()] {
                            label.govuk-label for="email" { "Email address" }
                            @if let Some(e) = &email_error { (e) }
                            input.govuk-input.govuk-input--error[email_error.is_some()] id="email" name="email" type="email"
                                autocomplete="username" spellcheck="false" value=(email)
                                aria-describedby=[email_error.as_ref().map(|_| "email-error")];
                        }
                        div.govuk-form-group.govuk-form-group--error[password_error.is_some()] {
                            label.govuk-label for="password" { "Password" }
                            @if let Some(e) = &password_error { (e) }
                            input.govuk-input.govuk-input--error[password_error.is_some()] id="password" name="password" type="password"
                                autocomplete="current-password"
                                aria-describedby=[password_error.as_ref().map(|_| "password-error")];
                        }
                        button.govuk-button type="submit" data-module="govuk-button" { "Sign in" }
                    }
                }
            }
        },
    )
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// `POST /sign-in`: on success a new session (a new cookie secret, whatever the browser
/// held before, which is ended) and on to the page the link named.
#[tracing::instrument(name = "web::auth::sign_in", skip_all)]
pub async fn sign_in(
    req: HttpRequest,
    Posted(f): Posted<SignInForm>,
) -> Result<HttpResponse, PageError> {
    let app = session::app(&req)?;
    let next = safe_next(f.next.as_deref());
    let secret = req
        .cookie(app.web.sign_in_cookie())
        .or_else(|| req.cookie(app.web.session_cookie()))
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let again = |status, problems: Vec<FieldProblem>| {
        render(
            status,
            &csrf_token(&secret),
            &next,
            &f.email,
            &problems,
            None,
        )
    };
    let mut problems = Vec::new();
    if f.email.trim().is_empty() {
        problems.push(FieldProblem::new("email", "Enter your email address"));
    }
    if f.password.is_empty() {
        problems.push(FieldProblem::new("password", "Enter your password"));
    }
    if !problems.is_empty() {
        return Ok(again(StatusCode::BAD_REQUEST, problems));
    }
    let signed_in = services::auth::web_sign_in(
        &app,
        session::audit(&req),
        &crate::routes::extract::client_addr(&req),
        &f.email,
        SecretString::from(f.password.clone()),
    )
    .await;
    let signed_in = match signed_in {
        Ok(s) => s,
        Err(AppError::Unauthenticated(_)) => {
            return Ok(again(
                StatusCode::UNAUTHORIZED,
                vec![FieldProblem::new(
                    "email",
                    "Enter a correct email address and password",
                )],
            ))
        }
        Err(AppError::TooManyRequests { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60);
            let mut res = again(
                StatusCode::TOO_MANY_REQUESTS,
                vec![FieldProblem::new(
                    "email",
                    &format!("Too many attempts to sign in. Wait {minutes} minutes and try again"),
                )],
            );
            res.headers_mut()
                .insert(header::RETRY_AFTER, retry_after_secs.into());
            return Ok(res);
        }
        Err(e) => return Err(e.into()),
    };
    end_previous(&req).await;
    let mut res = forms::see_other(next);
    res.add_cookie(
        &app.web
            .cookie(app.web.session_cookie(), signed_in.cookie_secret),
    )
    .and_then(|_| res.add_removal_cookie(&app.web.removal(app.web.sign_in_cookie())))
    .map_err(|_| PageError::internal("cookie"))?;
    Ok(res)
}

/// Ends the session a browser held before signing in again, if it was still live.
async fn end_previous(req: &HttpRequest) {
    let Ok(app) = session::app(req) else { return };
    if req.cookie(app.web.session_cookie()).is_none() {
        return;
    }
    let Ok(page) = <Page as actix_web::FromRequest>::extract(req).await else {
        return;
    };
    if let Err(e) = services::auth::logout(&page.ctx).await {
        tracing::warn!(error = %e, "the previous web session could not be ended");
    }
}

#[derive(Deserialize)]
pub struct Empty {}

/// `POST /sign-out`: ends the session (its cookie, and any token of it, stop working at
/// once) and shows the sign-in page.
#[tracing::instrument(name = "web::auth::sign_out", skip_all)]
pub async fn sign_out(page: Page, _: Posted<Empty>) -> Result<HttpResponse, PageError> {
    services::auth::logout(&page.ctx).await?;
    let web = &page.ctx.app.web;
    let mut res = forms::see_other("/sign-in?signed_out=1");
    res.add_removal_cookie(&web.removal(web.session_cookie()))
        .map_err(|_| PageError::internal("cookie"))?;
    Ok(res)
}
