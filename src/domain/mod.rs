//! Domain rules as plain Rust: no HTTP, no SQL.

pub mod accounts;
pub mod actions;
pub mod audit;
pub mod caller;
pub mod datasets;
pub mod disclosure;
pub mod episodes;
pub mod local_time;
pub mod measures;
pub mod national;
pub mod notify;
pub mod overlaps;
pub mod password_policy;
pub mod person_records;
pub mod persons;
pub mod references;
pub mod referrals;
pub mod retention;
pub mod return_interviews;
pub mod reviews;
pub mod security;
pub mod shares;
pub mod subject_access;
pub mod text;
pub mod text_enum;
pub mod triggers;
