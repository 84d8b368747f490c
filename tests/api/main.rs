//! Integration tests: the real HTTP application against a real Postgres.

mod admin;
mod audit;
mod auth;
mod datasets;
mod episodes;
mod errors;
mod helpers;
mod measures;
mod notifications;
mod openapi;
mod person_records;
mod rls;
mod role_matrix;
mod sharing;
mod smtp_sink;
mod triggers;
mod workflow;
