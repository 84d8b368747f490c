//! `/`: each role's start page.

use actix_web::http::header;
use actix_web::HttpResponse;

use crate::web::session::Page;
use crate::web::PageError;

/// `GET /`: on to the page the role starts from.
#[tracing::instrument(name = "web::home::start", skip_all)]
pub async fn start(page: Page) -> Result<HttpResponse, PageError> {
    let _ = page.role;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/actions"))
        .finish())
}
