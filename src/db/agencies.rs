//! Queries on `agencies`, their districts and the agency-type reference list.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::{agencies, agency_districts, agency_types};
use super::Conn;
use crate::db::cached;
use crate::ids::{AgencyId, DistrictId};

#[derive(Queryable, Selectable, Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[diesel(table_name = agencies)]
#[schema(as = AgencyRecord)]
pub struct AgencyRow {
    pub id: AgencyId,
    pub name: String,
    /// A code from `GET /api/v1/reference` (`agency_types`).
    pub agency_type: String,
    /// Where notifications for the agency are sent.
    pub mailbox: String,
    pub active: bool,
    pub version: i32,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub updated_at: DateTime<Utc>,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = agencies)]
pub struct NewAgency {
    pub id: AgencyId,
    pub name: String,
    pub agency_type: String,
    pub mailbox: String,
}

#[derive(AsChangeset, Debug, Default)]
#[diesel(table_name = agencies)]
pub struct AgencyChanges {
    pub name: Option<String>,
    pub agency_type: Option<String>,
    pub mailbox: Option<String>,
    pub active: Option<bool>,
}

pub async fn insert(conn: &mut Conn, new: &NewAgency) -> QueryResult<AgencyRow> {
    cached(
        diesel::insert_into(agencies::table)
            .values(new)
            .returning(AgencyRow::as_returning()),
    )
    .get_result(conn)
    .await
}

pub async fn find(conn: &mut Conn, id: AgencyId) -> QueryResult<Option<AgencyRow>> {
    agencies::table
        .find(id)
        .select(AgencyRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn list(
    conn: &mut Conn,
    after: Option<AgencyId>,
    active: Option<bool>,
    limit: i64,
) -> QueryResult<Vec<AgencyRow>> {
    let mut q = agencies::table
        .select(AgencyRow::as_select())
        .order(agencies::id)
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(agencies::id.gt(after));
    }
    if let Some(a) = active {
        q = q.filter(agencies::active.eq(a));
    }
    q.load(conn).await
}

/// Returns `None` when no row matched (missing, or changed since `expected_version`).
pub async fn update(
    conn: &mut Conn,
    id: AgencyId,
    expected_version: i32,
    changes: &AgencyChanges,
) -> QueryResult<Option<AgencyRow>> {
    update_versioned!(conn, agencies, id, expected_version, AgencyRow, changes)
}

/// The districts each of `ids` serves.
pub async fn districts_of(
    conn: &mut Conn,
    ids: &[AgencyId],
) -> QueryResult<Vec<(AgencyId, DistrictId)>> {
    agency_districts::table
        .filter(agency_districts::agency_id.eq_any(ids))
        .select((agency_districts::agency_id, agency_districts::district_id))
        .order((agency_districts::agency_id, agency_districts::district_id))
        .load(conn)
        .await
}

/// Replaces the districts `agency` serves.
pub async fn set_districts(
    conn: &mut Conn,
    agency: AgencyId,
    districts: &[DistrictId],
) -> QueryResult<()> {
    diesel::delete(agency_districts::table.filter(agency_districts::agency_id.eq(agency)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = districts
        .iter()
        .map(|d| {
            (
                agency_districts::agency_id.eq(agency),
                agency_districts::district_id.eq(*d),
            )
        })
        .collect();
    diesel::insert_into(agency_districts::table)
        .values(&rows)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn agency_type_exists(conn: &mut Conn, code: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        agency_types::table.filter(agency_types::code.eq(code)),
    ))
    .get_result(conn)
    .await
}

pub async fn agency_types(conn: &mut Conn) -> QueryResult<Vec<(String, String)>> {
    agency_types::table
        .select((agency_types::code, agency_types::name))
        .order(agency_types::code)
        .load(conn)
        .await
}

/// Active agencies of `agency_type` serving `district`.
pub async fn serving(
    conn: &mut Conn,
    district: DistrictId,
    agency_type: &str,
) -> QueryResult<Vec<AgencyRow>> {
    agencies::table
        .inner_join(agency_districts::table)
        .filter(agency_districts::district_id.eq(district))
        .filter(agencies::agency_type.eq(agency_type))
        .filter(agencies::active.eq(true))
        .select(AgencyRow::as_select())
        .order(agencies::name)
        .load(conn)
        .await
}
