//! First-time missing children: the first episodes (found by a SECURITY DEFINER
//! function that looks at every district) read through the caller's policies, or
//! counted per district.

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;

use super::{range_query, ByDistrict, EpisodePersonRow};
use crate::db::Conn;
use crate::ids::DistrictId;

#[derive(QueryableByName, Debug, Clone)]
pub struct FirstTimeRow {
    /// The first episode, with the child.
    #[diesel(embed)]
    pub episode: EpisodePersonRow,
    #[diesel(sql_type = Nullable<Text>)]
    pub sex: Option<String>,
    #[diesel(sql_type = Text)]
    pub missing_from: String,
    #[diesel(sql_type = Bool)]
    pub looked_after: bool,
}

/// The first episodes in [from, to) of first-time missing children that the caller's
/// policies show, oldest first.
pub async fn rows(
    conn: &mut Conn,
    range: (DateTime<Utc>, DateTime<Utc>),
    district: Option<DistrictId>,
) -> diesel::QueryResult<Vec<FirstTimeRow>> {
    range_query(
        "SELECT e.id AS episode_id, e.reference, p.id AS person_id, p.given_name, p.family_name,
                p.date_of_birth, p.sex, e.district_id, e.reported_at, e.missing_from, e.looked_after
           FROM hw_first_time_children($1, $2) f
           JOIN episodes e ON e.id = f.episode_id
           JOIN persons p ON p.id = e.person_id
          WHERE ($3::uuid IS NULL OR e.district_id = $3)
          ORDER BY e.reported_at, e.id",
        range,
    )
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
    range: (DateTime<Utc>, DateTime<Utc>),
) -> diesel::QueryResult<Vec<FirstTimeSummaryRow>> {
    range_query(
        "SELECT * FROM hw_first_time_children_summary($1, $2) ORDER BY district_id",
        range,
    )
    .load(conn)
    .await
}

impl ByDistrict for FirstTimeSummaryRow {
    fn district_id(&self) -> DistrictId {
        self.district_id
    }
}
