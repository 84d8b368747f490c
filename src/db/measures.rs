//! Measure queries: aggregate counts only, through a SECURITY DEFINER function (the
//! measure counts every district's episodes; analysts never see a row of them).

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Bool, Integer, Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;

use super::Conn;
use crate::domain::measures::AgeGroup;
use crate::ids::DistrictId;

#[derive(QueryableByName, Debug, Clone, PartialEq, Eq)]
pub struct RepeatCount {
    #[diesel(sql_type = SqlUuid)]
    pub district_id: DistrictId,
    #[diesel(sql_type = Text)]
    pub age_group: AgeGroup,
    #[diesel(sql_type = BigInt)]
    pub persons: i64,
}

/// Repeat-missing persons per district and age group for the window [start, end).
pub async fn repeat_counts(
    conn: &mut Conn,
    window: (DateTime<Utc>, DateTime<Utc>),
    threshold: i32,
    count_hospital: bool,
) -> diesel::QueryResult<Vec<RepeatCount>> {
    diesel::sql_query("SELECT * FROM hw_repeat_missing($1, $2, $3, $4)")
        .bind::<Timestamptz, _>(window.0)
        .bind::<Timestamptz, _>(window.1)
        .bind::<Integer, _>(threshold)
        .bind::<Bool, _>(count_hospital)
        .load(conn)
        .await
}
