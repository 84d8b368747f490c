//! The rolling logs: looked-after children missing from care placements, and episodes
//! from hospital or medical settings. Rows through the caller's policies; summaries
//! (counts only) for everyone who reads measures.

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;

use super::{since_query, ByDistrict, EpisodePersonRow};
use crate::db::Conn;
use crate::ids::{DistrictId, PlacementId};

#[derive(QueryableByName, Debug, Clone)]
pub struct LookedAfterRow {
    #[diesel(embed)]
    pub episode: EpisodePersonRow,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Text)]
    pub risk_level: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub placement_id: Option<PlacementId>,
    /// The placement's kind, or `not_recorded`.
    #[diesel(sql_type = Text)]
    pub placement_kind: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub provider: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub placing_authority: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub host_authority: Option<String>,
    #[diesel(sql_type = Nullable<Bool>)]
    pub out_of_area: Option<bool>,
}

/// Counted episodes since `since` of looked-after children missing from a care
/// placement that the caller's policies show, newest first.
pub async fn looked_after(
    conn: &mut Conn,
    since: DateTime<Utc>,
    district: Option<DistrictId>,
) -> diesel::QueryResult<Vec<LookedAfterRow>> {
    since_query(
        "SELECT e.id AS episode_id, e.reference, p.id AS person_id, p.given_name, p.family_name,
                p.date_of_birth, e.district_id, e.reported_at, e.status, e.risk_level, e.placement_id,
                coalesce(pl.kind, 'not_recorded') AS placement_kind, pl.provider, pl.placing_authority,
                pl.host_authority, pl.out_of_area
           FROM episodes e
           JOIN persons p ON p.id = e.person_id
           LEFT JOIN placements pl ON pl.id = e.placement_id
          WHERE e.status <> 'cancelled' AND e.reported_at >= $1
            AND e.missing_from = 'care_placement' AND e.looked_after
            AND ($2::uuid IS NULL OR e.district_id = $2)
          ORDER BY e.reported_at DESC, e.id DESC",
        since,
    )
    .bind::<Nullable<SqlUuid>, _>(district)
    .load(conn)
    .await
}

#[derive(QueryableByName, Debug, Clone)]
pub struct LookedAfterSummaryRow {
    #[diesel(sql_type = SqlUuid)]
    pub district_id: DistrictId,
    #[diesel(sql_type = Text)]
    pub placement_kind: String,
    #[diesel(sql_type = Nullable<Bool>)]
    pub out_of_area: Option<bool>,
    #[diesel(sql_type = BigInt)]
    pub episodes: i64,
    #[diesel(sql_type = BigInt)]
    pub persons: i64,
}

pub async fn looked_after_summary(
    conn: &mut Conn,
    since: DateTime<Utc>,
) -> diesel::QueryResult<Vec<LookedAfterSummaryRow>> {
    since_query(
        "SELECT * FROM hw_looked_after_summary($1)
          ORDER BY district_id, placement_kind, out_of_area NULLS LAST",
        since,
    )
    .load(conn)
    .await
}

#[derive(QueryableByName, Debug, Clone)]
pub struct HospitalRow {
    #[diesel(embed)]
    pub episode: EpisodePersonRow,
    #[diesel(sql_type = Text)]
    pub reported_by: String,
    #[diesel(sql_type = Text)]
    pub last_seen_location: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Text)]
    pub risk_level: String,
}

/// Counted episodes since `since` from hospital or medical settings that the caller's
/// policies show, newest first.
pub async fn hospital(
    conn: &mut Conn,
    since: DateTime<Utc>,
    district: Option<DistrictId>,
) -> diesel::QueryResult<Vec<HospitalRow>> {
    since_query(
        "SELECT e.id AS episode_id, e.reference, p.id AS person_id, p.given_name, p.family_name,
                p.date_of_birth, e.district_id, e.reported_at, e.reported_by, e.last_seen_location,
                e.status, e.risk_level
           FROM episodes e JOIN persons p ON p.id = e.person_id
          WHERE e.status <> 'cancelled' AND e.reported_at >= $1
            AND e.missing_from = 'hospital_or_medical'
            AND ($2::uuid IS NULL OR e.district_id = $2)
          ORDER BY e.reported_at DESC, e.id DESC",
        since,
    )
    .bind::<Nullable<SqlUuid>, _>(district)
    .load(conn)
    .await
}

#[derive(QueryableByName, Debug, Clone)]
pub struct HospitalSummaryRow {
    #[diesel(sql_type = SqlUuid)]
    pub district_id: DistrictId,
    #[diesel(sql_type = Text)]
    pub age_group: String,
    #[diesel(sql_type = BigInt)]
    pub episodes: i64,
    #[diesel(sql_type = BigInt)]
    pub persons: i64,
}

pub async fn hospital_summary(
    conn: &mut Conn,
    since: DateTime<Utc>,
) -> diesel::QueryResult<Vec<HospitalSummaryRow>> {
    since_query(
        "SELECT * FROM hw_hospital_summary($1) ORDER BY district_id, age_group",
        since,
    )
    .load(conn)
    .await
}

impl ByDistrict for LookedAfterSummaryRow {
    fn district_id(&self) -> DistrictId {
        self.district_id
    }
}

impl ByDistrict for HospitalSummaryRow {
    fn district_id(&self) -> DistrictId {
        self.district_id
    }
}

impl AsRef<EpisodePersonRow> for LookedAfterRow {
    fn as_ref(&self) -> &EpisodePersonRow {
        &self.episode
    }
}

impl AsRef<EpisodePersonRow> for HospitalRow {
    fn as_ref(&self) -> &EpisodePersonRow {
        &self.episode
    }
}
