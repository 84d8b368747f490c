//! Dataset queries: missing persons in a look-back, as rows (through the caller's
//! policies: their district's episodes) or summarised for everyone who reads measures;
//! the other datasets in the submodules, built the same way.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::{BigInt, Date, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;

use super::Conn;
use crate::ids::{DistrictId, PersonId};

pub mod first_time;
pub mod logs;
pub mod stats;

#[derive(QueryableByName, Debug, Clone)]
pub struct MissingPersonRow {
    #[diesel(sql_type = SqlUuid)]
    pub person_id: PersonId,
    #[diesel(sql_type = Text)]
    pub given_name: String,
    #[diesel(sql_type = Text)]
    pub family_name: String,
    #[diesel(sql_type = Nullable<Date>)]
    pub date_of_birth: Option<NaiveDate>,
    #[diesel(sql_type = BigInt)]
    pub episodes: i64,
    #[diesel(sql_type = Timestamptz)]
    pub last_reported_at: DateTime<Utc>,
    #[diesel(sql_type = SqlUuid)]
    pub district_id: DistrictId,
}

/// Persons with counted episodes since `since` that the caller can see, most episodes
/// first (then the most recent).
pub async fn missing_persons(
    conn: &mut Conn,
    since: DateTime<Utc>,
    district: Option<DistrictId>,
    limit: i32,
) -> diesel::QueryResult<Vec<MissingPersonRow>> {
    diesel::sql_query(
        "SELECT p.id AS person_id, p.given_name, p.family_name, p.date_of_birth,
                count(*) AS episodes, max(e.reported_at) AS last_reported_at,
                (array_agg(e.district_id ORDER BY e.reported_at DESC))[1] AS district_id
           FROM episodes e JOIN persons p ON p.id = e.person_id
          WHERE e.status <> 'cancelled' AND e.reported_at >= $1
            AND ($2::uuid IS NULL OR e.district_id = $2)
          GROUP BY p.id
          ORDER BY episodes DESC, last_reported_at DESC, p.id
          LIMIT $3",
    )
    .bind::<Timestamptz, _>(since)
    .bind::<Nullable<SqlUuid>, _>(district)
    .bind::<Integer, _>(limit)
    .load(conn)
    .await
}

#[derive(QueryableByName, Debug, Clone)]
pub struct SummaryRow {
    #[diesel(sql_type = SqlUuid)]
    pub district_id: DistrictId,
    #[diesel(sql_type = Text)]
    pub age_group: String,
    #[diesel(sql_type = BigInt)]
    pub persons: i64,
    #[diesel(sql_type = BigInt)]
    pub episodes: i64,
    #[diesel(sql_type = BigInt)]
    pub repeat_persons: i64,
}

pub async fn missing_persons_summary(
    conn: &mut Conn,
    since: DateTime<Utc>,
) -> diesel::QueryResult<Vec<SummaryRow>> {
    diesel::sql_query(
        "SELECT * FROM hw_missing_persons_summary($1) ORDER BY district_id, age_group",
    )
    .bind::<Timestamptz, _>(since)
    .load(conn)
    .await
}
