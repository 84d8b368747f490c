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
pub mod shares;
pub mod trigger_rules;
pub mod triggers;
pub mod types;
pub mod users;

use actix_web::http::Method;
use actix_web::{web, Resource, Route};

/// Every endpoint: method, full path, handler. The one route table: `configure`
/// registers it, and tests read `endpoints()` to check the OpenAPI spec and the role
/// matrix cover every route.
macro_rules! table {
    ($($method:ident $path:literal => $handler:path),+ $(,)?) => {
        fn table() -> Vec<(Method, &'static str, Route)> {
            vec![$((Method::$method, $path, web::method(Method::$method).to($handler))),+]
        }
    };
}

table! {
    GET "/health" => health::health,
    GET "/ready" => health::ready,
    GET "/api/v1/openapi.json" => openapi::serve,
    POST "/api/v1/auth/login" => auth::login,
    POST "/api/v1/auth/refresh" => auth::refresh,
    POST "/api/v1/auth/logout" => auth::logout,
    GET "/api/v1/me" => auth::me,
    GET "/api/v1/me/preferences" => notifications::get_preferences,
    PUT "/api/v1/me/preferences" => notifications::put_preferences,
    GET "/api/v1/reference" => reference::get,
    GET "/api/v1/users" => users::list,
    POST "/api/v1/users" => users::create,
    GET "/api/v1/users/{id}" => users::get,
    PATCH "/api/v1/users/{id}" => users::update,
    DELETE "/api/v1/users/{id}" => users::deactivate,
    GET "/api/v1/agencies" => agencies::list,
    POST "/api/v1/agencies" => agencies::create,
    GET "/api/v1/agencies/{id}" => agencies::get,
    PATCH "/api/v1/agencies/{id}" => agencies::update,
    DELETE "/api/v1/agencies/{id}" => agencies::deactivate,
    GET "/api/v1/persons" => persons::list,
    POST "/api/v1/persons" => persons::create,
    GET "/api/v1/persons/{id}" => persons::get,
    PATCH "/api/v1/persons/{id}" => persons::update,
    POST "/api/v1/persons/{id}/markers" => person_records::add_marker,
    PATCH "/api/v1/persons/{id}/markers/{marker_id}" => person_records::amend_marker,
    POST "/api/v1/persons/{id}/placements" => person_records::add_placement,
    PATCH "/api/v1/persons/{id}/placements/{placement_id}" => person_records::amend_placement,
    GET "/api/v1/persons/{id}/protocols/{protocol}" => person_records::get_profile,
    PUT "/api/v1/persons/{id}/protocols/{protocol}" => person_records::put_profile,
    POST "/api/v1/persons/{id}/merges" => person_records::merge,
    GET "/api/v1/person-merges/{id}" => person_records::get_merge,
    POST "/api/v1/person-merges/{id}/undo" => person_records::undo_merge,
    GET "/api/v1/persons/{id}/episodes" => episodes::person_history,
    GET "/api/v1/episodes" => episodes::list,
    POST "/api/v1/episodes" => episodes::create,
    GET "/api/v1/episodes/{id}" => episodes::get,
    POST "/api/v1/episodes/{id}/status" => episodes::change_status,
    POST "/api/v1/episodes/{id}/risk-gradings" => episodes::regrade,
    POST "/api/v1/episodes/{id}/reviews" => episodes::record_review,
    POST "/api/v1/episodes/{id}/transfer" => episodes::transfer,
    POST "/api/v1/episodes/{id}/return" => episodes::record_return,
    POST "/api/v1/episodes/{id}/prevention-interview" => episodes::record_interview,
    POST "/api/v1/episodes/{id}/return-interview" => episodes::update_rhi,
    POST "/api/v1/episodes/{id}/close" => episodes::close,
    POST "/api/v1/episodes/{id}/national-notifications" => national::record,
    GET "/api/v1/reviews" => episodes::reviews_due,
    GET "/api/v1/trigger-rules" => trigger_rules::list,
    POST "/api/v1/trigger-rules" => trigger_rules::create,
    GET "/api/v1/trigger-rules/{id}" => trigger_rules::get,
    PATCH "/api/v1/trigger-rules/{id}" => trigger_rules::update,
    GET "/api/v1/triggers" => triggers::list,
    GET "/api/v1/triggers/{id}" => triggers::get,
    POST "/api/v1/triggers/{id}/acknowledge" => triggers::acknowledge,
    PUT "/api/v1/triggers/{id}/plan" => triggers::put_plan,
    POST "/api/v1/triggers/{id}/close" => triggers::close,
    POST "/api/v1/triggers/{id}/referral" => triggers::raise_referral,
    GET "/api/v1/referrals" => referrals::list,
    POST "/api/v1/referrals" => referrals::create,
    GET "/api/v1/referrals/{id}" => referrals::get,
    POST "/api/v1/referrals/{id}/status" => referrals::change_status,
    POST "/api/v1/referrals/{id}/triage-meetings" => referrals::add_meeting,
    PUT "/api/v1/referrals/{id}/plan" => referrals::put_plan,
    PUT "/api/v1/referrals/{id}/consent" => referrals::put_consent,
    GET "/api/v1/actions" => actions::list,
    POST "/api/v1/actions" => actions::create,
    GET "/api/v1/actions/{id}" => actions::get,
    PATCH "/api/v1/actions/{id}" => actions::update,
    GET "/api/v1/shares" => shares::list,
    POST "/api/v1/shares" => shares::create,
    GET "/api/v1/shares/{id}" => shares::get,
    POST "/api/v1/shares/{id}/revoke" => shares::revoke,
    GET "/api/v1/notifications" => notifications::list,
    GET "/api/v1/notifications/preview" => notifications::preview,
    GET "/api/v1/notifications/{id}" => notifications::get,
    POST "/api/v1/notifications/{id}/retry" => notifications::retry,
    GET "/api/v1/measures/repeat-missing" => measures::repeat_missing,
    GET "/api/v1/measures/repeat-missing/chart.svg" => measures::chart_svg,
    GET "/api/v1/measures/repeat-missing/chart.png" => measures::chart_png,
    GET "/api/v1/measures/definition" => measures::definition,
    PUT "/api/v1/measures/definition" => measures::define,
    GET "/api/v1/baselines" => measures::baselines,
    GET "/api/v1/datasets/missing-persons" => datasets::missing_persons,
    GET "/api/v1/datasets/first-time-missing-children" => datasets::first_time::get,
    GET "/api/v1/datasets/looked-after-log" => datasets::logs::looked_after,
    GET "/api/v1/datasets/hospital-log" => datasets::logs::hospital,
    GET "/api/v1/datasets/quarterly-breakdown" => datasets::stats::quarterly_breakdown,
    GET "/api/v1/datasets/children-rolling-average" => datasets::stats::children_rolling_average,
    POST "/api/v1/baselines" => measures::set_baseline,
    GET "/api/v1/audit" => audit::list,
    GET "/api/v1/audit/verify" => audit::verify,
}

/// Every (method, path) the service answers.
pub fn endpoints() -> Vec<(Method, &'static str)> {
    table().into_iter().map(|(m, p, _)| (m, p)).collect()
}

/// Registers the table: one resource per path, with a route per method, each under the
/// request deadline (on the resource, so it runs once the path has been matched).
pub fn configure(cfg: &mut web::ServiceConfig) {
    let mut resources: Vec<(&'static str, Resource)> = Vec::new();
    for (_, path, route) in table() {
        match resources.iter().position(|(p, _)| *p == path) {
            Some(i) => {
                let (p, r) = resources.remove(i);
                resources.insert(i, (p, r.route(route)));
            }
            None => resources.push((path, web::resource(path).route(route))),
        }
    }
    for (_, resource) in resources {
        cfg.service(resource.wrap(actix_web::middleware::from_fn(crate::limits::deadline)));
    }
}
