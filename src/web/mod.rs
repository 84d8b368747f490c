//! The web interface (issue 17): server-rendered pages for the practitioners who act on
//! Homeward's emails — partner agencies, Early Action, MFHCs, supervisors and officers.
//! A second adapter over the same services as the JSON API: a page builds the same
//! request context (`Ctx`) from its cookie session and calls the same service functions,
//! so every rule, policy, audit row and email is shared.
//!
//! GOV.UK Frontend's look and components, vendored (`assets/`); every journey works
//! without JavaScript. Every page is sent with a strict Content-Security-Policy (no
//! inline script or style), may not be framed, and is never stored by the browser.

pub mod assets;
mod error;
mod forms;
mod layout;
mod pages;
mod session;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, HttpRequest, HttpResponse, Route};

pub use error::PageError;
pub use session::WebSettings;

use crate::error::AppError;

/// The policy every page is sent with: its own scripts, styles, images and forms only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Every page: where it is served and its methods.
fn pages() -> Vec<(&'static str, Vec<Route>)> {
    use pages::*;
    vec![
        ("/", vec![web::get().to(home::start)]),
        (
            "/sign-in",
            vec![web::get().to(auth::form), web::post().to(auth::sign_in)],
        ),
        ("/sign-out", vec![web::post().to(auth::sign_out)]),
        (
            "/account/password",
            vec![
                web::get().to(account::password_form),
                web::post().to(account::change_password),
            ],
        ),
        ("/actions", vec![web::get().to(actions::list)]),
        (
            "/actions/{id}",
            vec![
                web::get().to(actions::show),
                web::post().to(actions::update),
            ],
        ),
        ("/shares", vec![web::get().to(shares::list)]),
        ("/episodes", vec![web::post().to(episodes::report)]),
        ("/episodes/new", vec![web::get().to(episodes::new)]),
        ("/episodes/{id}", vec![web::get().to(episodes::show)]),
        (
            "/episodes/{id}/{form}",
            vec![web::post().to(episodes::update)],
        ),
        ("/worklist", vec![web::get().to(worklist::show)]),
        ("/measures", vec![web::get().to(measures::show)]),
        ("/measures/chart.png", vec![web::get().to(measures::chart)]),
        (
            "/datasets/missing-persons.csv",
            vec![web::get().to(measures::missing_persons)],
        ),
        (
            "/datasets/first-time-missing-children.csv",
            vec![web::get().to(measures::first_time)],
        ),
        ("/triggers/{id}", vec![web::get().to(triggers::show)]),
        (
            "/triggers/{id}/{form}",
            vec![web::post().to(triggers::update)],
        ),
        (
            "/persons",
            vec![
                web::get().to(persons::find),
                web::post().to(persons::create),
            ],
        ),
        ("/persons/new", vec![web::get().to(persons::new)]),
        ("/persons/{id}", vec![web::get().to(person_page::show)]),
        (
            "/referrals",
            vec![
                web::get().to(referrals::inbox),
                web::post().to(referrals::create),
            ],
        ),
        ("/referrals/new", vec![web::get().to(referrals::new)]),
        ("/referrals/{id}", vec![web::get().to(referrals::show)]),
        (
            "/referrals/{id}/{form}",
            vec![web::post().to(referrals::update)],
        ),
    ]
}

/// Registers the pages (with their headers and the request deadline) and the assets.
pub fn configure(cfg: &mut web::ServiceConfig) {
    for (path, routes) in pages() {
        let mut resource = web::resource(path);
        for route in routes {
            resource = resource.route(route);
        }
        cfg.service(
            resource
                .wrap(from_fn(crate::routes::refusals::record))
                .wrap(from_fn(page_headers))
                .wrap(from_fn(crate::limits::deadline)),
        );
    }
    cfg.service(web::resource("/assets/{bundle}/{name}").route(web::get().to(assets::serve)));
}

/// The headers of every page: its content policy, no framing, no sniffing, nothing kept
/// by the browser or a proxy, and no address leaked to other sites.
async fn page_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    set_page_headers(res.headers_mut());
    Ok(res)
}

fn set_page_headers(h: &mut header::HeaderMap) {
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ] {
        h.insert(name, value);
    }
}

/// Any address nothing answers: problem+json under `/api/`, a page elsewhere.
pub async fn not_found_or_problem(req: HttpRequest) -> Result<HttpResponse, AppError> {
    if req.path().starts_with("/api/") {
        return Err(AppError::NotFound("no such route"));
    }
    let mut res = actix_web::ResponseError::error_response(&PageError::NotFound);
    set_page_headers(res.headers_mut());
    Ok(res)
}
