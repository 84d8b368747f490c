//! What a page answers when it cannot show what was asked: sign in first, a page not
//! found (also for a record the user may not see: the same page, so a URL cannot tell
//! whether a record exists), a refused form, or the error in words. Never a stack trace.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use maud::html;

use super::layout;
use crate::error::AppError;

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// No live session: sign in, then go to this path.
    #[error("sign in first")]
    SignIn(String),
    /// A link from another site arrived without the Strict cookie: load it again here.
    #[error("reload from this site")]
    Reload(String),
    /// A post from another site, or without its form's token.
    #[error("the form did not come from this site")]
    CrossSite,
    #[error("page not found")]
    NotFound,
    /// An administrator reset the password: change it before anything else.
    #[error("change your password first")]
    ChangePassword,
    #[error("{0}")]
    App(AppError),
}

impl PageError {
    pub fn internal(what: &'static str) -> Self {
        PageError::App(AppError::internal(std::io::Error::other(what)))
    }

    pub fn bad_form(what: &str) -> Self {
        PageError::App(AppError::BadRequest(what.to_owned()))
    }
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        match e {
            // A record outside the user's policies is not found, as one that is not there.
            AppError::NotFound(_) | AppError::Forbidden(_) => PageError::NotFound,
            AppError::Unauthenticated(_) => PageError::SignIn("/".into()),
            AppError::PasswordChangeRequired => PageError::ChangePassword,
            other => PageError::App(other),
        }
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::SignIn(_) | PageError::ChangePassword => StatusCode::SEE_OTHER,
            PageError::Reload(_) => StatusCode::OK,
            PageError::CrossSite => StatusCode::FORBIDDEN,
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::App(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        match self {
            PageError::SignIn(next) => HttpResponse::SeeOther()
                .insert_header((
                    header::LOCATION,
                    format!(
                        "/sign-in?next={}",
                        url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                    ),
                ))
                .finish(),
            PageError::ChangePassword => HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/account/password?reset=1"))
                .finish(),
            PageError::Reload(here) => layout::bare(
                status,
                "Opening Homeward",
                html! {
                    // A same-site reload (no script needed); the link is for browsers
                    // that do not follow refreshes.
                    meta http-equiv="refresh" content=(format!("0;url={here}"));
                },
                html! {
                    h1.govuk-heading-l { "Opening Homeward" }
                    p.govuk-body { a.govuk-link href=(here) { "Continue to the page" } }
                },
            ),
            PageError::CrossSite => layout::bare(
                status,
                "The form has expired",
                html! {},
                html! {
                    h1.govuk-heading-l { "The form has expired" }
                    p.govuk-body {
                        "The form was sent from another site, or from a page opened before you last signed in. Nothing was changed."
                    }
                    p.govuk-body { a.govuk-link href="/" { "Go to Homeward" } " and try again." }
                },
            ),
            PageError::NotFound => layout::bare(
                status,
                "Page not found",
                html! {},
                html! {
                    h1.govuk-heading-l { "Page not found" }
                    p.govuk-body { "If you typed the web address, check it is correct." }
                    p.govuk-body {
                        "If you followed a link, the record may have been closed to your agency or may not exist."
                    }
                    p.govuk-body { a.govuk-link href="/" { "Go to your Homeward start page" } }
                },
            ),
            PageError::App(AppError::Restricted(_)) => layout::bare(
                status,
                "This record is restricted",
                html! {},
                html! {
                    h1.govuk-heading-l { "This record is restricted" }
                    p.govuk-body {
                        "A data protection officer has restricted this person's records, for example while their accuracy is contested. Nothing in them can be changed, and they are left out of every list."
                    }
                    p.govuk-body {
                        "If you need to read it, ask your force's data protection officer."
                    }
                    p.govuk-body { a.govuk-link href="/" { "Go to your Homeward start page" } }
                },
            ),
            PageError::App(AppError::Gone(_)) => layout::bare(
                status,
                "This record was disposed of",
                html! {},
                html! {
                    h1.govuk-heading-l { "This record was disposed of" }
                    p.govuk-body {
                        "It was reviewed and disposed of because no policing purpose remained: the personal data in it are no longer held."
                    }
                    p.govuk-body { a.govuk-link href="/" { "Go to your Homeward start page" } }
                },
            ),
            PageError::App(e) => {
                if let AppError::Internal(cause) = e {
                    tracing::error!(error = %cause, "page failed");
                }
                let p = e.to_problem();
                let mut res = layout::bare(
                    status,
                    &p.title,
                    html! {},
                    html! {
                        h1.govuk-heading-l { (p.title) }
                        @if let Some(d) = &p.detail { p.govuk-body { (d) } }
                        @for f in &p.errors { p.govuk-body { (f.field) ": " (f.message) } }
                        p.govuk-body { a.govuk-link href="/" { "Go to your Homeward start page" } }
                    },
                );
                if let AppError::TooManyRequests { retry_after_secs } = e {
                    res.headers_mut().insert(
                        header::RETRY_AFTER,
                        header::HeaderValue::from(*retry_after_secs),
                    );
                }
                res
            }
        }
    }
}
