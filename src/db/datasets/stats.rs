//! The statistical datasets (counts only, for everyone who reads measures): the
//! quarterly breakdown and children going missing month by month.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::{BigInt, Bool, Date, Nullable, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;

use super::range_query;
use crate::db::Conn;
use crate::ids::DistrictId;

#[derive(QueryableByName, Debug, Clone)]
pub struct BreakdownRow {
    /// `None`: the force.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub district_id: Option<DistrictId>,
    #[diesel(sql_type = Text)]
    pub age_group: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub sex: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub ethnicity: Option<String>,
    #[diesel(sql_type = Bool)]
    pub cse: bool,
    #[diesel(sql_type = Bool)]
    pub mental_health: bool,
    #[diesel(sql_type = Bool)]
    pub looked_after: bool,
    #[diesel(sql_type = BigInt)]
    pub episodes: i64,
    #[diesel(sql_type = BigInt)]
    pub persons: i64,
}

/// Districts first (the force last), then the cells in a stable order.
pub async fn quarterly_breakdown(
    conn: &mut Conn,
    range: (DateTime<Utc>, DateTime<Utc>),
) -> diesel::QueryResult<Vec<BreakdownRow>> {
    range_query(
        "SELECT * FROM hw_quarterly_breakdown($1, $2)
          ORDER BY district_id NULLS LAST, age_group, sex NULLS LAST, ethnicity NULLS LAST,
                   cse, mental_health, looked_after",
        range,
    )
    .load(conn)
    .await
}

#[derive(QueryableByName, Debug, Clone)]
pub struct MonthRow {
    /// The first day of the month.
    #[diesel(sql_type = Date)]
    pub month: NaiveDate,
    #[diesel(sql_type = SqlUuid)]
    pub district_id: DistrictId,
    #[diesel(sql_type = BigInt)]
    pub children: i64,
    #[diesel(sql_type = BigInt)]
    pub episodes: i64,
}

pub async fn children_by_month(
    conn: &mut Conn,
    range: (DateTime<Utc>, DateTime<Utc>),
) -> diesel::QueryResult<Vec<MonthRow>> {
    range_query(
        "SELECT * FROM hw_children_by_month($1, $2) ORDER BY month, district_id",
        range,
    )
    .load(conn)
    .await
}
