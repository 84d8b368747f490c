//! Restriction of processing (s.46) and rectification notes (s.47): the data protection
//! officer's tables, and the functions that flag a person's records and tell a record
//! hidden by its restriction from one the caller may not see at all
//! (`db/sql/functions/77_restriction.sql`).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::{rectification_notes as rn, restrictions as rs};
use super::{cached, Conn};
use crate::ids::{PersonId, UserId};

/// One restriction, as stored.
#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = rs)]
pub struct RestrictionRow {
    pub id: Uuid,
    pub person_id: PersonId,
    pub reason: String,
    pub placed_by: UserId,
    pub placed_at: DateTime<Utc>,
    pub lifted_by: Option<UserId>,
    pub lifted_at: Option<DateTime<Utc>>,
    pub lift_reason: Option<String>,
}

pub async fn insert(conn: &mut Conn, row: &RestrictionRow) -> QueryResult<RestrictionRow> {
    cached(
        diesel::insert_into(rs::table)
            .values(row)
            .returning(RestrictionRow::as_returning()),
    )
    .get_result(conn)
    .await
}

pub async fn find(conn: &mut Conn, id: Uuid) -> QueryResult<Option<RestrictionRow>> {
    rs::table
        .find(id)
        .select(RestrictionRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Records the lifting; `None` if it was lifted meanwhile (or is no restriction).
pub async fn lift(
    conn: &mut Conn,
    id: Uuid,
    by: UserId,
    reason: &str,
) -> QueryResult<Option<RestrictionRow>> {
    diesel::update(rs::table.find(id).filter(rs::lifted_at.is_null()))
        .set((
            rs::lifted_by.eq(by),
            rs::lifted_at.eq(Utc::now()),
            rs::lift_reason.eq(reason),
        ))
        .returning(RestrictionRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// Restrictions in the order they were placed (ids are time-ordered), keyset-paginated;
/// `in_force` keeps those not lifted (or only those lifted).
pub async fn list(
    conn: &mut Conn,
    in_force: Option<bool>,
    person: Option<PersonId>,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<RestrictionRow>> {
    let mut q = rs::table
        .select(RestrictionRow::as_select())
        .order(rs::id)
        .limit(limit)
        .into_boxed();
    match in_force {
        Some(true) => q = q.filter(rs::lifted_at.is_null()),
        Some(false) => q = q.filter(rs::lifted_at.is_not_null()),
        None => {}
    }
    if let Some(p) = person {
        q = q.filter(rs::person_id.eq(p));
    }
    if let Some(a) = after {
        q = q.filter(rs::id.gt(a));
    }
    q.load(conn).await
}

/// Flags (or clears) every record of the person and their merged duplicates; the ids of
/// the records covered.
pub async fn set_flags(conn: &mut Conn, person: PersonId, on: bool) -> QueryResult<Vec<Uuid>> {
    #[derive(QueryableByName)]
    struct Ids {
        #[diesel(sql_type = Array<SqlUuid>)]
        ids: Vec<Uuid>,
    }
    let r: Ids = cached(
        diesel::sql_query("SELECT hw_set_restricted($1, $2) AS ids")
            .bind::<SqlUuid, _>(person)
            .bind::<Bool, _>(on),
    )
    .get_result(conn)
    .await?;
    Ok(r.ids)
}

/// Who a restricted person is, for the data protection officer's list.
#[derive(QueryableByName, Debug, Clone)]
pub struct RestrictedPerson {
    #[diesel(sql_type = SqlUuid)]
    pub person_id: PersonId,
    #[diesel(sql_type = Text)]
    pub given_name: String,
    #[diesel(sql_type = Text)]
    pub family_name: String,
    #[diesel(sql_type = Nullable<diesel::sql_types::Date>)]
    pub date_of_birth: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub merged_into: Option<PersonId>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub disposed_at: Option<DateTime<Utc>>,
}

pub async fn persons(conn: &mut Conn, ids: &[PersonId]) -> QueryResult<Vec<RestrictedPerson>> {
    cached(
        diesel::sql_query("SELECT * FROM hw_restricted_persons($1)")
            .bind::<Array<SqlUuid>, _>(ids.iter().map(|p| p.0).collect::<Vec<_>>()),
    )
    .load(conn)
    .await
}

/// Lets the request's stated reason open restricted records for the rest of this
/// transaction (one-record reads and changes only).
pub async fn state_reason(conn: &Conn, reason: &str) -> QueryResult<()> {
    let mut on: &Conn = conn;
    cached(
        diesel::sql_query("SELECT set_config('homeward.access_reason', $1, true)")
            .bind::<Text, _>(reason),
    )
    .execute(&mut on)
    .await
    .map(drop)
}

/// Whether only its restriction hides this record from the caller (`table` is one of
/// persons, episodes, referrals, triggers, actions).
pub async fn hidden_by_restriction(conn: &mut Conn, table: &str, id: Uuid) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Hidden {
        #[diesel(sql_type = Bool)]
        hidden: bool,
    }
    let r: Hidden = cached(
        diesel::sql_query("SELECT hw_hidden_by_restriction($1, $2) AS hidden")
            .bind::<Text, _>(table)
            .bind::<SqlUuid, _>(id),
    )
    .get_result(conn)
    .await?;
    Ok(r.hidden)
}

/// One rectification note, as stored.
#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = rn)]
pub struct NoteRow {
    pub id: Uuid,
    pub person_id: PersonId,
    pub request: String,
    pub outcome: String,
    pub audit_seqs: Vec<i64>,
    pub recorded_by: UserId,
    pub recorded_at: DateTime<Utc>,
}

pub async fn insert_note(conn: &mut Conn, row: &NoteRow) -> QueryResult<NoteRow> {
    cached(
        diesel::insert_into(rn::table)
            .values(row)
            .returning(NoteRow::as_returning()),
    )
    .get_result(conn)
    .await
}

/// A person's notes, oldest first.
pub async fn notes(conn: &mut Conn, person: PersonId) -> QueryResult<Vec<NoteRow>> {
    rn::table
        .filter(rn::person_id.eq(person))
        .order((rn::recorded_at, rn::id))
        .select(NoteRow::as_select())
        .load(conn)
        .await
}

pub async fn find_note(conn: &mut Conn, id: Uuid) -> QueryResult<Option<NoteRow>> {
    rn::table
        .find(id)
        .select(NoteRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// An audit log entry that made or changed one of a person's records.
#[derive(QueryableByName, Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = PersonChangeResponse)]
pub struct ChangeRow {
    #[diesel(sql_type = BigInt)]
    pub seq: i64,
    #[diesel(sql_type = Timestamptz)]
    #[serde(serialize_with = "crate::json::timestamp")]
    pub occurred_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub actor_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub actor_role: Option<String>,
    #[diesel(sql_type = Text)]
    pub operation: String,
    #[diesel(sql_type = Text)]
    pub record_type: String,
    #[diesel(sql_type = Array<SqlUuid>)]
    pub record_ids: Vec<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub purpose: Option<String>,
}

/// Every change the audit log holds of a person's records, oldest first.
pub async fn changes(conn: &mut Conn, person: PersonId) -> QueryResult<Vec<ChangeRow>> {
    cached(diesel::sql_query("SELECT * FROM hw_person_changes($1)").bind::<SqlUuid, _>(person))
        .load(conn)
        .await
}
