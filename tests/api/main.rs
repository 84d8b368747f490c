//! Integration tests: the real HTTP application against a real Postgres.

mod admin;
mod audit;
mod auth;
mod chaos;
mod claims;
mod cli;
mod datasets;
mod early_action;
mod episodes;
mod errors;
mod helpers;
mod limits;
mod measure_queue;
mod measures;
mod notifications;
mod openapi;
mod person_records;
mod reference_numbers;
mod rls;
mod role_matrix;
mod scope_matrix;
mod sharing;
mod smtp_sink;
mod tokens;
mod triggers;
mod workflow;
