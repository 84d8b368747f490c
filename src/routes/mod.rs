//! HTTP routes: thin handlers that parse, call one service function and respond.

pub mod actions;
pub mod agencies;
pub mod audit;
pub mod auth;
pub mod datasets;
pub mod episodes;
pub mod extract;
pub mod health;
pub mod measures;
pub mod national;
pub mod notifications;
pub mod openapi;
pub mod person_records;
pub mod persons;
pub mod reference;
pub mod referrals;
pub mod refusals;
pub mod restrictions;
pub mod retention;
pub mod security_events;
pub mod shares;
pub mod subject_access;
pub mod trigger_rules;
pub mod triggers;
pub mod types;
pub mod users;

use actix_web::http::Method;
use actix_web::{web, Resource, Route};
use utoipa::openapi::path::HttpMethod;

/// `a::b::f` → `a::b::__path_f`, the type `#[utoipa::path]` generates beside the handler
/// `f`: it knows the handler's method, path and operation.
macro_rules! documented {
    ([$($prefix:tt)*] $handler:ident) => { pastey::paste!($($prefix)* [<__path_ $handler>]) };
    ([$($prefix:tt)*] $segment:ident :: $($rest:tt)+) => {
        documented!([$($prefix)* $segment ::] $($rest)+)
    };
}

/// The one list of endpoints. Each handler declares its method, path and documentation
/// once, in its `#[utoipa::path]`; this list makes it both a route (`configure`) and an
/// operation of the OpenAPI document (`openapi::ApiDoc`), and tests read `endpoints()` to
/// check the role and scope matrices cover every route.
macro_rules! endpoints {
    ($($($segment:ident)::+),+ $(,)?) => {
        fn table() -> Vec<Endpoint> {
            vec![$(Endpoint::of::<documented!([] $($segment)::+), _, _>($($segment)::+)),+]
        }
    };
}

endpoints! {
    health::health, health::ready,
    auth::login, auth::refresh, auth::logout, auth::me, auth::change_password,
    notifications::get_preferences, notifications::put_preferences,
    reference::get,
    users::list, users::create, users::get, users::update, users::deactivate,
    users::reset_password,
    agencies::list, agencies::create, agencies::get, agencies::update, agencies::deactivate,
    persons::list, persons::create, persons::get, persons::update,
    person_records::add_marker, person_records::amend_marker, person_records::add_placement,
    person_records::amend_placement, person_records::get_profile, person_records::put_profile,
    person_records::merge, person_records::get_merge, person_records::undo_merge,
    episodes::person_history, episodes::list, episodes::create, episodes::get,
    episodes::change_status, episodes::regrade, episodes::record_review, episodes::transfer,
    episodes::record_return, episodes::record_interview, episodes::update_rhi, episodes::close,
    national::record,
    episodes::reviews_due,
    trigger_rules::list, trigger_rules::create, trigger_rules::get, trigger_rules::update,
    triggers::list, triggers::get, triggers::acknowledge, triggers::put_plan, triggers::close,
    triggers::raise_referral,
    referrals::list, referrals::create, referrals::get, referrals::change_status,
    referrals::add_meeting, referrals::put_plan, referrals::put_consent,
    actions::list, actions::create, actions::get, actions::update,
    shares::list, shares::create, shares::get, shares::revoke,
    notifications::list, notifications::preview, notifications::get, notifications::retry,
    measures::repeat_missing, measures::chart_svg, measures::chart_png, measures::definition,
    measures::define, measures::baselines, measures::set_baseline,
    datasets::missing_persons,
    datasets::first_time::get,
    datasets::logs::looked_after, datasets::logs::hospital,
    datasets::stats::quarterly_breakdown, datasets::stats::children_rolling_average,
    audit::list, audit::verify, audit::checkpoint, audit::checkpoints,
    security_events::list,
    subject_access::create, subject_access::list, subject_access::get, subject_access::document,
    subject_access::reassemble, subject_access::extend, subject_access::decide,
    retention::due, retention::of_person, retention::retain, retention::dispose,
    restrictions::create, restrictions::list, restrictions::get, restrictions::lift,
    restrictions::changes, restrictions::add_note, restrictions::notes,
}

/// One handler: where it is served and how it is documented.
pub(crate) struct Endpoint {
    methods: Vec<Method>,
    path: String,
    routes: Vec<Route>,
    document: fn(&mut utoipa::openapi::OpenApi),
}

impl Endpoint {
    fn of<D, F, Args>(handler: F) -> Endpoint
    where
        D: utoipa::Path + for<'t> utoipa::__dev::Tags<'t> + utoipa::__dev::SchemaReferences,
        F: actix_web::Handler<Args>,
        Args: actix_web::FromRequest + 'static,
        F::Output: actix_web::Responder + 'static,
    {
        let methods: Vec<Method> = D::methods().iter().map(actix_method).collect();
        Endpoint {
            routes: methods
                .iter()
                .map(|m| web::method(m.clone()).to(handler.clone()))
                .collect(),
            methods,
            path: D::path(),
            document: document::<D>,
        }
    }
}

/// Adds `D`'s operation, with its tags and the schemas it names, to the document: what
/// `#[derive(OpenApi)]` does for each entry of `paths(...)` (utoipa's own integrations
/// reach the same `__dev` traits).
fn document<D>(openapi: &mut utoipa::openapi::OpenApi)
where
    D: utoipa::Path + for<'t> utoipa::__dev::Tags<'t> + utoipa::__dev::SchemaReferences,
{
    let mut operation = D::operation();
    operation.tags.get_or_insert_with(Vec::new).extend(
        <D as utoipa::__dev::Tags>::tags()
            .into_iter()
            .map(str::to_owned),
    );
    openapi
        .paths
        .add_path_operation(D::path(), D::methods(), operation);
    let mut schemas = Vec::new();
    <D as utoipa::__dev::SchemaReferences>::schemas(&mut schemas);
    let components = openapi.components.get_or_insert_with(Default::default);
    components.schemas.extend(schemas);
}

fn actix_method(m: &HttpMethod) -> Method {
    match m {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Options => Method::OPTIONS,
        HttpMethod::Head => Method::HEAD,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Trace => Method::TRACE,
    }
}

/// The spec itself: served, but not an operation of it.
const SPEC: &str = "/api/v1/openapi.json";

/// Every (method, path) the service answers.
pub fn endpoints() -> Vec<(Method, String)> {
    let mut all: Vec<(Method, String)> = table()
        .into_iter()
        .flat_map(|e| {
            let path = e.path;
            e.methods.into_iter().map(move |m| (m, path.clone()))
        })
        .collect();
    all.push((Method::GET, SPEC.to_owned()));
    all
}

/// Adds every endpoint's operation to the OpenAPI document (`openapi::ApiDoc` runs this
/// first among its modifiers).
pub(crate) fn document_all(openapi: &mut utoipa::openapi::OpenApi) {
    for e in table() {
        (e.document)(openapi);
    }
}

/// Registers the table: one resource per path, with a route per method, each under the
/// request deadline (on the resource, so it runs once the path has been matched).
/// Resources are grouped in a scope per collection (`/api/v1/episodes`, …), so a request
/// is matched against its own collection's paths only, not against every path before it
/// in the table (actix tries them in order, each path with parameters by regex).
pub fn configure(cfg: &mut web::ServiceConfig) {
    let spec = (SPEC.to_owned(), vec![web::get().to(openapi::serve)]);
    let mut scopes: Vec<(String, Vec<(String, Resource)>)> = Vec::new();
    for (path, routes) in table()
        .into_iter()
        .map(|e| (e.path, e.routes))
        .chain([spec])
    {
        let (prefix, rest) = split_prefix(&path);
        let s = match scopes.iter().position(|(p, _)| p == prefix) {
            Some(s) => s,
            None => {
                scopes.push((prefix.to_owned(), Vec::new()));
                scopes.len() - 1
            }
        };
        let resources = &mut scopes[s].1;
        let i = match resources.iter().position(|(p, _)| p == rest) {
            Some(i) => i,
            None => {
                resources.push((rest.to_owned(), web::resource(rest)));
                resources.len() - 1
            }
        };
        let (p, mut r) = resources.remove(i);
        for route in routes {
            r = r.route(route);
        }
        resources.insert(i, (p, r));
    }
    for (prefix, resources) in scopes {
        let mut scope = web::scope(&prefix);
        for (_, resource) in resources {
            scope = scope.service(
                resource
                    .wrap(actix_web::middleware::from_fn(refusals::record))
                    .wrap(actix_web::middleware::from_fn(no_store))
                    .wrap(actix_web::middleware::from_fn(crate::limits::deadline)),
            );
        }
        cfg.service(scope);
    }
}

/// A path's collection, the scope it is registered under (`/api/v1/episodes` of
/// `/api/v1/episodes/{id}/return`), and the rest of it; a path outside `/api/v1/<name>`
/// is its own scope.
fn split_prefix(path: &str) -> (&str, &str) {
    let collection_end = path
        .strip_prefix("/api/v1/")
        .map(|rest| "/api/v1/".len() + rest.find('/').unwrap_or(rest.len()));
    match collection_end {
        Some(end) if !path[..end].contains('{') => path.split_at(end),
        _ => (path, ""),
    }
}

/// Any answer of the API may carry personal data (JSON, CSV, SVG, PNG): no cache keeps
/// it and no browser second-guesses its type.
async fn no_store(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use actix_web::http::header::{HeaderValue, CACHE_CONTROL, X_CONTENT_TYPE_OPTIONS};
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::split_prefix;

    #[test]
    fn paths_are_scoped_by_their_collection() {
        assert_eq!(
            split_prefix("/api/v1/episodes/{id}/return"),
            ("/api/v1/episodes", "/{id}/return")
        );
        assert_eq!(split_prefix("/api/v1/episodes"), ("/api/v1/episodes", ""));
        assert_eq!(split_prefix("/health"), ("/health", ""));
        assert_eq!(
            split_prefix("/api/v1/openapi.json"),
            ("/api/v1/openapi.json", "")
        );
        // Every registered path is its scope followed by its rest.
        for (_, path) in super::endpoints() {
            let (prefix, rest) = split_prefix(&path);
            assert_eq!(format!("{prefix}{rest}"), path);
            assert!(!prefix.contains('{'), "{path}");
        }
    }
}
