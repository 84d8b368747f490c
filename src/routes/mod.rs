//! HTTP routes: thin handlers that parse, call one service function and respond.

pub mod agencies;
pub mod audit;
pub mod auth;
pub mod episodes;
pub mod extract;
pub mod health;
pub mod openapi;
pub mod person_records;
pub mod persons;
pub mod reference;
pub mod types;
pub mod users;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/health", web::get().to(health::health))
        .route("/ready", web::get().to(health::ready))
        .service(
            web::scope("/api/v1")
                .route("/openapi.json", web::get().to(openapi::serve))
                .route("/auth/login", web::post().to(auth::login))
                .route("/auth/refresh", web::post().to(auth::refresh))
                .route("/auth/logout", web::post().to(auth::logout))
                .route("/me", web::get().to(auth::me))
                .route("/reference", web::get().to(reference::get))
                .service(
                    web::resource("/users")
                        .route(web::get().to(users::list))
                        .route(web::post().to(users::create)),
                )
                .service(
                    web::resource("/users/{id}")
                        .route(web::get().to(users::get))
                        .route(web::patch().to(users::update))
                        .route(web::delete().to(users::deactivate)),
                )
                .service(
                    web::resource("/agencies")
                        .route(web::get().to(agencies::list))
                        .route(web::post().to(agencies::create)),
                )
                .service(
                    web::resource("/agencies/{id}")
                        .route(web::get().to(agencies::get))
                        .route(web::patch().to(agencies::update))
                        .route(web::delete().to(agencies::deactivate)),
                )
                .service(
                    web::resource("/persons")
                        .route(web::get().to(persons::list))
                        .route(web::post().to(persons::create)),
                )
                .service(
                    web::resource("/persons/{id}")
                        .route(web::get().to(persons::get))
                        .route(web::patch().to(persons::update)),
                )
                .route(
                    "/persons/{id}/markers",
                    web::post().to(person_records::add_marker),
                )
                .route(
                    "/persons/{id}/markers/{marker_id}",
                    web::patch().to(person_records::amend_marker),
                )
                .route(
                    "/persons/{id}/placements",
                    web::post().to(person_records::add_placement),
                )
                .route(
                    "/persons/{id}/placements/{placement_id}",
                    web::patch().to(person_records::amend_placement),
                )
                .service(
                    web::resource("/persons/{id}/protocols/{protocol}")
                        .route(web::get().to(person_records::get_profile))
                        .route(web::put().to(person_records::put_profile)),
                )
                .route(
                    "/persons/{id}/merges",
                    web::post().to(person_records::merge),
                )
                .route(
                    "/person-merges/{id}",
                    web::get().to(person_records::get_merge),
                )
                .route(
                    "/person-merges/{id}/undo",
                    web::post().to(person_records::undo_merge),
                )
                .service(
                    web::resource("/episodes")
                        .route(web::get().to(episodes::list))
                        .route(web::post().to(episodes::create)),
                )
                .route("/episodes/{id}", web::get().to(episodes::get))
                .route(
                    "/episodes/{id}/status",
                    web::post().to(episodes::change_status),
                )
                .route(
                    "/episodes/{id}/risk-gradings",
                    web::post().to(episodes::regrade),
                )
                .route(
                    "/persons/{id}/episodes",
                    web::get().to(episodes::person_history),
                )
                .route(
                    "/episodes/{id}/reviews",
                    web::post().to(episodes::record_review),
                )
                .route("/reviews", web::get().to(episodes::reviews_due))
                .route(
                    "/episodes/{id}/transfer",
                    web::post().to(episodes::transfer),
                )
                .route(
                    "/episodes/{id}/return-interview",
                    web::post().to(episodes::update_rhi),
                )
                .route(
                    "/episodes/{id}/return",
                    web::post().to(episodes::record_return),
                )
                .route(
                    "/episodes/{id}/prevention-interview",
                    web::post().to(episodes::record_interview),
                )
                .route("/episodes/{id}/close", web::post().to(episodes::close))
                .route("/audit", web::get().to(audit::list))
                .route("/audit/verify", web::get().to(audit::verify)),
        );
}
