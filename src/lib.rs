//! Homeward: case tracking for Missing From Home Coordinators, Early Action teams and
//! partner agencies. See docs/architecture.md for how it is put together.

pub mod audit_anchor;
pub mod auth;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod ids;
pub mod json;
pub mod limits;
pub mod notify;
pub mod provision;
pub mod render;
pub mod request_id;
pub mod routes;
pub mod seed;
pub mod services;
pub mod startup;
pub mod telemetry;
pub mod tooling;
pub mod web;
