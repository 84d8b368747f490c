//! Subject access requests: the data protection officer's own table, and the functions
//! that assemble what is held about a person (`db/sql/functions/75_subject_access.sql`).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Date, Integer, Jsonb, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::subject_access_requests as sar;
use super::{cached, Conn};
use crate::domain::subject_access::SarStatus;
use crate::ids::UserId;

/// One request, as stored.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = sar)]
pub struct SarRow {
    pub id: Uuid,
    pub person_ids: Vec<Uuid>,
    pub requester: String,
    pub reason: String,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub extension_reason: Option<String>,
    pub status: SarStatus,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<UserId>,
    pub decision_note: Option<String>,
    pub bundle: serde_json::Value,
    pub assembled_at: DateTime<Utc>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = sar)]
pub struct NewSar {
    pub id: Uuid,
    pub person_ids: Vec<Uuid>,
    pub requester: String,
    pub reason: String,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub bundle: serde_json::Value,
    pub assembled_at: DateTime<Utc>,
    pub created_by: UserId,
}

pub async fn insert(conn: &mut Conn, new: &NewSar) -> QueryResult<SarRow> {
    cached(
        diesel::insert_into(sar::table)
            .values(new)
            .returning(SarRow::as_returning()),
    )
    .get_result(conn)
    .await
}

pub async fn find(conn: &mut Conn, id: Uuid) -> QueryResult<Option<SarRow>> {
    sar::table
        .find(id)
        .select(SarRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Requests in the order they were made (ids are time-ordered), keyset-paginated.
pub async fn list(
    conn: &mut Conn,
    status: Option<SarStatus>,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<SarRow>> {
    let mut q = sar::table
        .select(SarRow::as_select())
        .order(sar::id)
        .limit(limit)
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(sar::status.eq(s));
    }
    if let Some(a) = after {
        q = q.filter(sar::id.gt(a));
    }
    q.load(conn).await
}

/// Replaces the bundle (assembled again) if the request is still at `version`.
pub async fn reassemble(
    conn: &mut Conn,
    id: Uuid,
    version: i32,
    bundle: &serde_json::Value,
) -> QueryResult<Option<SarRow>> {
    update_versioned!(
        conn,
        sar,
        id,
        version,
        SarRow,
        sar::bundle.eq(bundle),
        sar::assembled_at.eq(diesel::dsl::now)
    )
}

/// Moves the deadline, with the reason; the new deadline is warned of afresh.
pub async fn extend(
    conn: &mut Conn,
    id: Uuid,
    version: i32,
    due_on: NaiveDate,
    reason: &str,
) -> QueryResult<Option<SarRow>> {
    update_versioned!(
        conn,
        sar,
        id,
        version,
        SarRow,
        sar::due_on.eq(due_on),
        sar::extension_reason.eq(reason),
        sar::due_alerted_at.eq(None::<DateTime<Utc>>),
        sar::overdue_alerted_at.eq(None::<DateTime<Utc>>)
    )
}

/// Records the decision.
pub async fn decide(
    conn: &mut Conn,
    id: Uuid,
    version: i32,
    status: SarStatus,
    by: UserId,
    note: Option<&str>,
) -> QueryResult<Option<SarRow>> {
    update_versioned!(
        conn,
        sar,
        id,
        version,
        SarRow,
        sar::status.eq(status),
        sar::decided_at.eq(diesel::dsl::now),
        sar::decided_by.eq(by),
        sar::decision_note.eq(note)
    )
}

#[derive(QueryableByName)]
struct Bundle {
    #[diesel(sql_type = Jsonb)]
    bundle: serde_json::Value,
}

/// Everything held about `persons` (and the duplicates merged into them).
pub async fn bundle(conn: &mut Conn, persons: &[Uuid]) -> QueryResult<serde_json::Value> {
    cached(
        diesel::sql_query("SELECT hw_subject_access_bundle($1) AS bundle")
            .bind::<Array<SqlUuid>, _>(persons),
    )
    .get_result::<Bundle>(conn)
    .await
    .map(|b| b.bundle)
}

#[derive(QueryableByName)]
struct Candidate {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Persons (not merged away) born on `dob` whose names hold every one of `words`.
pub async fn candidates(
    conn: &mut Conn,
    words: &[String],
    dob: NaiveDate,
) -> QueryResult<Vec<Uuid>> {
    cached(
        diesel::sql_query(
            "SELECT hw_subject_access_candidates AS id FROM hw_subject_access_candidates($1, $2)",
        )
        .bind::<Array<Text>, _>(words)
        .bind::<Date, _>(dob),
    )
    .load::<Candidate>(conn)
    .await
    .map(|c| c.into_iter().map(|c| c.id).collect())
}

#[derive(QueryableByName, Debug)]
pub struct SarAlert {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// `due` or `overdue`.
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Date)]
    pub due_on: NaiveDate,
}

/// Open requests newly within `days` of their deadline or past it (each once). Background.
pub async fn alerts(conn: &mut Conn, days: i32) -> QueryResult<Vec<SarAlert>> {
    cached(diesel::sql_query("SELECT * FROM hw_subject_access_alerts($1)").bind::<Integer, _>(days))
        .load(conn)
        .await
}
