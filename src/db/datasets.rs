//! Dataset queries: missing persons in a look-back, as rows (through the caller's
//! policies: their district's episodes) or summarised for everyone who reads measures;
//! the other datasets in the submodules, built the same way.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Date, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;

use super::Conn;
use crate::ids::{DistrictId, EpisodeId, PersonId};

pub mod first_time;
pub mod logs;
pub mod stats;

/// A dataset query: `sql` (a static text: prepared statements are not cached for it)
/// with further parameters bound by the caller.
pub(crate) type DatasetQuery = BoxedSqlQuery<'static, Pg, SqlQuery>;

/// `sql` with `$1` bound to the start of a look-back.
pub(crate) fn since_query(sql: &'static str, since: DateTime<Utc>) -> DatasetQuery {
    diesel::sql_query(sql)
        .into_boxed::<Pg>()
        .bind::<Timestamptz, _>(since)
}

/// `sql` with `$1` and `$2` bound to the range [from, to).
pub(crate) fn range_query(
    sql: &'static str,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> DatasetQuery {
    since_query(sql, from).bind::<Timestamptz, _>(to)
}

/// A summary row's district (the callers keep the lines of the district asked for).
pub trait ByDistrict {
    fn district_id(&self) -> DistrictId;
}

impl ByDistrict for SummaryRow {
    fn district_id(&self) -> DistrictId {
        self.district_id
    }
}

/// An episode with its person, as the rows of the datasets that list episodes give them
/// (columns `episode_id, reference, person_id, given_name, family_name, date_of_birth,
/// district_id, reported_at`).
#[derive(QueryableByName, Debug, Clone)]
pub struct EpisodePersonRow {
    #[diesel(sql_type = SqlUuid)]
    pub episode_id: EpisodeId,
    #[diesel(sql_type = Text)]
    pub reference: String,
    #[diesel(sql_type = SqlUuid)]
    pub person_id: PersonId,
    #[diesel(sql_type = Text)]
    pub given_name: String,
    #[diesel(sql_type = Text)]
    pub family_name: String,
    #[diesel(sql_type = Nullable<Date>)]
    pub date_of_birth: Option<NaiveDate>,
    /// The district that owns the episode now.
    #[diesel(sql_type = SqlUuid)]
    pub district_id: DistrictId,
    #[diesel(sql_type = Timestamptz)]
    pub reported_at: DateTime<Utc>,
}

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
    since_query(
        // Rank from the episodes index alone, then read only the ranked persons.
        "WITH ranked AS (
             SELECT e.person_id, count(*) AS episodes, max(e.reported_at) AS last_reported_at,
                    (array_agg(e.district_id ORDER BY e.reported_at DESC))[1] AS district_id
               FROM episodes e
              WHERE e.status <> 'cancelled' AND e.reported_at >= $1
                AND ($2::uuid IS NULL OR e.district_id = $2)
              GROUP BY e.person_id
              ORDER BY episodes DESC, last_reported_at DESC, e.person_id
              LIMIT $3)
         SELECT r.person_id, p.given_name, p.family_name, p.date_of_birth,
                r.episodes, r.last_reported_at, r.district_id
           FROM ranked r JOIN persons p ON p.id = r.person_id
          ORDER BY r.episodes DESC, r.last_reported_at DESC, r.person_id",
        since,
    )
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
    since_query(
        "SELECT * FROM hw_missing_persons_summary($1) ORDER BY district_id, age_group",
        since,
    )
    .load(conn)
    .await
}
