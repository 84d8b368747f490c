//! Measure queries: definitions and baselines (versioned), and aggregate counts only, through a SECURITY DEFINER function (the
//! measure counts every district's episodes; analysts never see a row of them).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::{
    ExpressionMethods, OptionalExtension, QueryDsl, Queryable, Selectable, SelectableHelper,
};
use diesel::sql_types::{Array, BigInt, Bool, Date, Integer, Text, Timestamptz, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;

use super::schema::{baselines, measure_definitions};
use super::Conn;
use crate::db::cached;
use crate::domain::measures::{AgeGroup, EpisodeStart};
use crate::ids::{DistrictId, UserId};

#[derive(QueryableByName, Debug, Clone, PartialEq, Eq)]
pub struct RepeatCount {
    #[diesel(sql_type = SqlUuid)]
    pub district_id: DistrictId,
    #[diesel(sql_type = Text)]
    pub age_group: AgeGroup,
    #[diesel(sql_type = BigInt)]
    pub persons: i64,
}

/// Repeat-missing persons per district and age group for the window [start, end), the
/// episodes starting when `start` says.
pub async fn repeat_counts(
    conn: &mut Conn,
    window: (DateTime<Utc>, DateTime<Utc>),
    threshold: i32,
    count_hospital: bool,
    start: EpisodeStart,
) -> diesel::QueryResult<Vec<RepeatCount>> {
    cached(
        diesel::sql_query("SELECT * FROM hw_repeat_missing($1, $2, $3, $4, $5)")
            .bind::<Timestamptz, _>(window.0)
            .bind::<Timestamptz, _>(window.1)
            .bind::<Integer, _>(threshold)
            .bind::<Bool, _>(count_hospital)
            .bind::<Text, _>(start),
    )
    .load(conn)
    .await
}

#[derive(QueryableByName, Debug, Clone, PartialEq, Eq)]
pub struct RepeatCountAt {
    #[diesel(sql_type = Date)]
    pub period_end: NaiveDate,
    #[diesel(sql_type = SqlUuid)]
    pub district_id: DistrictId,
    #[diesel(sql_type = Text)]
    pub age_group: AgeGroup,
    #[diesel(sql_type = BigInt)]
    pub persons: i64,
}

/// Repeat-missing persons per month end, district and age group, from the pre-aggregated
/// state the database keeps for the current definition (`version`; month ends only).
pub async fn repeat_counts_at_month_ends(
    conn: &mut Conn,
    version: i32,
    month_ends: &[NaiveDate],
) -> diesel::QueryResult<Vec<RepeatCountAt>> {
    cached(
        diesel::sql_query("SELECT * FROM hw_repeat_missing_at($1, $2)")
            .bind::<Integer, _>(version)
            .bind::<Array<Date>, _>(month_ends),
    )
    .load(conn)
    .await
}

/// Most queued entries one catch-up takes.
pub const CATCH_UP_BATCH: i32 = 2000;

#[derive(QueryableByName)]
struct Taken {
    #[diesel(sql_type = Integer)]
    n: i32,
}

/// Refreshes the kept measure state for up to `max` queued entries (persons whose
/// episodes changed; `None`: all of them), oldest first; how many entries it took.
pub async fn catch_up(conn: &mut Conn, max: Option<i32>) -> diesel::QueryResult<i32> {
    cached(
        diesel::sql_query("SELECT hw_measure_catch_up($1) AS n")
            .bind::<diesel::sql_types::Nullable<Integer>, _>(max),
    )
    .get_result::<Taken>(conn)
    .await
    .map(|t| t.n)
}

// Definitions ----------------------------------------------------------------------------------

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = measure_definitions)]
pub struct DefinitionRow {
    pub version: i32,
    pub repeat_threshold: i32,
    pub window_months: i32,
    pub count_hospital: bool,
    pub note: String,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub episode_start: EpisodeStart,
}

/// Every version, oldest first.
pub async fn definitions(conn: &mut Conn) -> diesel::QueryResult<Vec<DefinitionRow>> {
    measure_definitions::table
        .select(DefinitionRow::as_select())
        .order(measure_definitions::version)
        .load(conn)
        .await
}

pub async fn current_definition(conn: &mut Conn) -> diesel::QueryResult<Option<DefinitionRow>> {
    measure_definitions::table
        .select(DefinitionRow::as_select())
        .order(measure_definitions::version.desc())
        .first(conn)
        .await
        .optional()
}

/// Adds the next version.
pub async fn insert_definition(
    conn: &mut Conn,
    def: &crate::domain::measures::Definition,
    note: &str,
    by: UserId,
) -> diesel::QueryResult<DefinitionRow> {
    let next = current_definition(conn).await?.map_or(1, |d| d.version + 1);
    cached(
        diesel::insert_into(measure_definitions::table)
            .values((
                measure_definitions::version.eq(next),
                measure_definitions::repeat_threshold.eq(def.repeat_threshold as i32),
                measure_definitions::window_months.eq(def.window_months as i32),
                measure_definitions::count_hospital.eq(def.count_hospital),
                measure_definitions::episode_start.eq(def.episode_start),
                measure_definitions::note.eq(note),
                measure_definitions::created_by.eq(by),
            ))
            .returning(DefinitionRow::as_returning()),
    )
    .get_result(conn)
    .await
}

// Baselines -------------------------------------------------------------------------------------

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = baselines)]
pub struct BaselineRow {
    pub id: uuid::Uuid,
    pub district_id: Option<DistrictId>,
    pub age_group: AgeGroup,
    pub version: i32,
    pub period_end: chrono::NaiveDate,
    pub value: i64,
    pub source: String,
    pub source_note: Option<String>,
    pub definition_version: i32,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

/// Every version of every baseline, newest version first within each.
pub async fn baselines(conn: &mut Conn) -> diesel::QueryResult<Vec<BaselineRow>> {
    baselines::table
        .select(BaselineRow::as_select())
        .order((
            baselines::age_group,
            baselines::district_id,
            baselines::version.desc(),
        ))
        .load(conn)
        .await
}

/// The newest version for each district (and the force) and age group.
/// The newest version of each (district or force, age group) recorded under
/// `definition_version`: a figure is compared only with a baseline of its own definition.
pub fn current(rows: &[BaselineRow], definition_version: i32) -> Vec<&BaselineRow> {
    let mut out: Vec<&BaselineRow> = Vec::new();
    for r in rows
        .iter()
        .filter(|r| r.definition_version == definition_version)
    {
        match out
            .iter_mut()
            .find(|o| o.district_id == r.district_id && o.age_group == r.age_group)
        {
            Some(o) if o.version < r.version => *o = r,
            Some(_) => {}
            None => out.push(r),
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_baseline(
    conn: &mut Conn,
    district: Option<DistrictId>,
    group: AgeGroup,
    period_end: chrono::NaiveDate,
    value: i64,
    official_source: Option<&str>,
    definition_version: i32,
    by: UserId,
) -> diesel::QueryResult<BaselineRow> {
    let mut q = baselines::table
        .filter(baselines::age_group.eq(group))
        .select(diesel::dsl::max(baselines::version))
        .into_boxed();
    q = match district {
        Some(d) => q.filter(baselines::district_id.eq(d)),
        None => q.filter(baselines::district_id.is_null()),
    };
    let latest: Option<i32> = q.first(conn).await?;
    cached(
        diesel::insert_into(baselines::table)
            .values((
                baselines::id.eq(uuid::Uuid::now_v7()),
                baselines::district_id.eq(district),
                baselines::age_group.eq(group),
                baselines::version.eq(latest.unwrap_or(0) + 1),
                baselines::period_end.eq(period_end),
                baselines::value.eq(value),
                baselines::source.eq(if official_source.is_some() {
                    "official"
                } else {
                    "computed"
                }),
                baselines::source_note.eq(official_source),
                baselines::definition_version.eq(definition_version),
                baselines::created_by.eq(by),
            ))
            .returning(BaselineRow::as_returning()),
    )
    .get_result(conn)
    .await
}
