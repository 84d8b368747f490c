//! Queries on `persons`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use super::schema::persons;
use super::Conn;
use crate::db::cached;
use crate::domain::persons::Sex;
use crate::ids::{DistrictId, PersonId, UserId};

#[derive(Queryable, Selectable, Debug, Clone, Serialize, ToSchema)]
#[diesel(table_name = persons)]
#[schema(as = PersonResponse)]
pub struct PersonRow {
    pub id: PersonId,
    pub given_name: String,
    pub family_name: String,
    pub aliases: Vec<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub ethnicity: Option<String>,
    pub home_district_id: Option<DistrictId>,
    pub local_authority: Option<String>,
    /// A looked-after child (placements are listed on the person's full record).
    pub looked_after: bool,
    /// Set while this record is merged into another: use that one.
    pub merged_into: Option<PersonId>,
    pub version: i32,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub updated_at: DateTime<Utc>,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = persons)]
pub struct NewPerson {
    pub id: PersonId,
    pub given_name: String,
    pub family_name: String,
    pub aliases: Vec<String>,
    pub search_names: String,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub ethnicity: Option<String>,
    pub home_district_id: Option<DistrictId>,
    pub local_authority: Option<String>,
    pub looked_after: bool,
    pub created_by: UserId,
}

/// A partial update; `Some(None)` clears an optional column.
#[derive(AsChangeset, Debug, Default)]
#[diesel(table_name = persons)]
pub struct PersonChanges {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub aliases: Option<Vec<String>>,
    pub search_names: Option<String>,
    pub date_of_birth: Option<Option<NaiveDate>>,
    pub sex: Option<Option<Sex>>,
    pub ethnicity: Option<Option<String>>,
    pub home_district_id: Option<Option<DistrictId>>,
    pub local_authority: Option<Option<String>>,
    pub looked_after: Option<bool>,
    pub merged_into: Option<Option<PersonId>>,
}

pub async fn insert(conn: &mut Conn, new: &NewPerson) -> QueryResult<PersonRow> {
    cached(
        diesel::insert_into(persons::table)
            .values(new)
            .returning(PersonRow::as_returning()),
    )
    .get_result(conn)
    .await
}

pub async fn find(conn: &mut Conn, id: PersonId) -> QueryResult<Option<PersonRow>> {
    persons::table
        .find(id)
        .select(PersonRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// As `find`, locking the row until the transaction ends (for changes that depend on
/// the person's current state, such as merges, placements and new reports).
pub async fn find_for_update(mut conn: &Conn, id: PersonId) -> QueryResult<Option<PersonRow>> {
    persons::table
        .find(id)
        .select(PersonRow::as_select())
        .for_update()
        .first(&mut conn)
        .await
        .optional()
}

diesel::define_sql_function! {
    /// Whether the session's role is an operational one (officer, supervisor, MFHC): the
    /// roles episodes' insert policy lets report.
    fn hw_is_operational() -> diesel::sql_types::Bool;
}

/// `find_for_update` for a report, read before the caller's role is checked (with the
/// session check, `Tx::begin_reading`): the row is read and locked only when the
/// session's role may report (`hw_is_operational`, as episodes' insert policy asks), so a
/// role that cannot report never holds a person's row, even for the moment before its
/// refusal. For any other role it is `None`, never looked at: the role check refuses first.
pub async fn find_for_report(mut conn: &Conn, id: PersonId) -> QueryResult<Option<PersonRow>> {
    persons::table
        .find(id)
        .filter(hw_is_operational())
        .select(PersonRow::as_select())
        .for_update()
        .first(&mut conn)
        .await
        .optional()
}

#[derive(Debug, Default, Clone)]
pub struct PersonFilter {
    /// Folded words that must all appear in the names or aliases.
    pub words: Vec<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub home_district_id: Option<DistrictId>,
    /// Also match records merged into another (left out by default).
    pub include_merged: bool,
    pub after: Option<PersonId>,
}

/// `%`, `_` and `\` match literally.
fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

pub async fn search(conn: &Conn, f: &PersonFilter, limit: i64) -> QueryResult<Vec<PersonRow>> {
    let mut q = persons::table
        .select(PersonRow::as_select())
        .order(persons::id)
        .limit(limit)
        .into_boxed();
    for w in &f.words {
        q = q.filter(persons::search_names.like(format!("%{}%", like_escape(w))));
    }
    if let Some(dob) = f.date_of_birth {
        q = q.filter(persons::date_of_birth.eq(dob));
    }
    if let Some(d) = f.home_district_id {
        q = q.filter(persons::home_district_id.eq(d));
    }
    if !f.include_merged {
        q = q.filter(persons::merged_into.is_null());
    }
    if let Some(after) = f.after {
        q = q.filter(persons::id.gt(after));
    }
    let mut on: &Conn = conn;
    q.load(&mut on).await
}

/// `None` when no row matched (missing, or changed since `expected_version`).
pub async fn update(
    conn: &mut Conn,
    id: PersonId,
    expected_version: i32,
    changes: &PersonChanges,
) -> QueryResult<Option<PersonRow>> {
    update_versioned!(conn, persons, id, expected_version, PersonRow, changes)
}

/// The names of the persons with these ids that the caller may see.
pub async fn names(
    conn: &mut Conn,
    ids: &[PersonId],
) -> QueryResult<Vec<(PersonId, String, String)>> {
    persons::table
        .filter(persons::id.eq_any(ids))
        .select((persons::id, persons::given_name, persons::family_name))
        .load(conn)
        .await
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_metacharacters_are_escaped() {
        assert_eq!(super::like_escape(r"50%_a\b"), r"50\%\_a\\b");
    }
}
