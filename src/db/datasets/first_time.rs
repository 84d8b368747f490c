//! First-time missing children: the first episodes (found by a SECURITY DEFINER
//! function that looks at every district) read through the caller's policies, or
//! counted per district.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::{BigInt, Bool, Date, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;

use crate::db::Conn;
use crate::ids::{DistrictId, EpisodeId, PersonId};

#[derive(QueryableByName, Debug, Clone)]
pub struct FirstTimeRow {
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
    #[diesel(sql_type = Nullable<Text>)]
    pub sex: Option<String>,
    #[diesel(sql_type = SqlUuid)]
    pub district_id: DistrictId,
    #[diesel(sql_type = Timestamptz)]
    pub reported_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub missing_from: String,
    #[diesel(sql_type = Bool)]
    pub looked_after: bool,
}

/// The first episodes in [from, to) of first-time missing children that the caller's
/// policies show, oldest first.
pub async fn rows(
    conn: &mut Conn,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    district: Option<DistrictId>,
) -> diesel::QueryResult<Vec<FirstTimeRow>> {
    diesel::sql_query(
        "SELECT e.id AS episode_id, e.reference, p.id AS person_id, p.given_name, p.family_name,
                p.date_of_birth, p.sex, e.district_id, e.reported_at, e.missing_from, e.looked_after
           FROM hw_first_time_children($1, $2) f
           JOIN episodes e ON e.id = f.episode_id
           JOIN persons p ON p.id = e.person_id
          WHERE ($3::uuid IS NULL OR e.district_id = $3)
          ORDER BY e.reported_at, e.id",
    )
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .bind::<Nullable<SqlUuid>, _>(district)
    .load(conn)
    .await
}

#[derive(QueryableByName, Debug, Clone)]
pub struct FirstTimeSummaryRow {
    #[diesel(sql_type = SqlUuid)]
    pub district_id: DistrictId,
    #[diesel(sql_type = BigInt)]
    pub children: i64,
    #[diesel(sql_type = BigInt)]
    pub looked_after: i64,
}

pub async fn summary(
    conn: &mut Conn,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> diesel::QueryResult<Vec<FirstTimeSummaryRow>> {
    diesel::sql_query("SELECT * FROM hw_first_time_children_summary($1, $2) ORDER BY district_id")
        .bind::<Timestamptz, _>(from)
        .bind::<Timestamptz, _>(to)
        .load(conn)
        .await
}
