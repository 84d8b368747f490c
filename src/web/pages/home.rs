//! `/`: each role's start page.

use actix_web::HttpResponse;

use maud::html;

use crate::domain::accounts::Role;
use crate::web::forms;
use crate::web::layout::{self, Section};
use crate::web::session::Page;
use crate::web::PageError;

/// `GET /`: on to the page the role starts from.
#[tracing::instrument(name = "web::home::start", skip_all)]
pub async fn start(page: Page) -> Result<HttpResponse, PageError> {
    let to = match page.role {
        Role::Officer | Role::Supervisor | Role::Mfhc => "/worklist",
        Role::Partner => "/actions",
        Role::EarlyAction => "/referrals",
        Role::Analyst | Role::Admin | Role::Dpo => {
            return Ok(layout::page(
                &page,
                "Homeward",
                Section::Worklist,
                html! {
                    h1.govuk-heading-l { "Homeward" }
                    p.govuk-body {
                        "The web pages are for the people who work cases: officers, supervisors, "
                        "missing from home coordinators, Early Action and partner agencies. "
                        "Analysts, administrators and data protection officers use Homeward's API."
                    }
                },
            ))
        }
    };
    Ok(forms::see_other(to))
}
