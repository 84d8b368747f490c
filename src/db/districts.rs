//! Queries on `districts` (reference data).

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::districts;
use super::Conn;
use crate::ids::DistrictId;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = districts)]
pub struct DistrictRow {
    pub id: DistrictId,
    pub code: String,
    pub name: String,
}

pub async fn list(conn: &mut Conn) -> QueryResult<Vec<DistrictRow>> {
    districts::table
        .select(DistrictRow::as_select())
        .order(districts::name)
        .load(conn)
        .await
}

/// Which of `ids` do not exist.
pub async fn missing(conn: &mut Conn, ids: &[DistrictId]) -> QueryResult<Vec<DistrictId>> {
    let found: Vec<DistrictId> = districts::table
        .filter(districts::id.eq_any(ids))
        .select(districts::id)
        .load(conn)
        .await?;
    Ok(ids
        .iter()
        .copied()
        .filter(|id| !found.contains(id))
        .collect())
}
