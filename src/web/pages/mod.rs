//! The pages, one module per area; each handler parses the form or path, calls one
//! service and renders.

pub mod account;
pub mod actions;
pub mod auth;
pub mod episodes;
pub mod home;
pub mod measures;
pub mod person_page;
pub mod persons;
pub mod referrals;
pub mod shares;
pub mod triggers;
pub mod worklist;
