//! MoPI review and retention: who is due for review (`hw_retention_reviews`) and the
//! decisions taken at review.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::retention_decisions as rd;
use super::{cached, Conn};
use crate::domain::retention::{RetentionDecision, RetentionPolicy, RetentionReason};
use crate::ids::{PersonId, UserId};

/// A person's place in the review cycle.
#[derive(QueryableByName, Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = RetentionReviewResponse)]
pub struct ReviewRow {
    #[diesel(sql_type = SqlUuid)]
    pub person_id: PersonId,
    #[diesel(sql_type = Text)]
    pub given_name: String,
    #[diesel(sql_type = Text)]
    pub family_name: String,
    #[diesel(sql_type = Nullable<Date>)]
    pub date_of_birth: Option<NaiveDate>,
    /// The last episode closed, referral closed or action done (at least: when the record
    /// was made), in the force's local time.
    #[diesel(sql_type = Date)]
    pub last_activity_on: NaiveDate,
    /// Something is still open (an episode or a referral): no review while it is.
    #[diesel(sql_type = Bool)]
    pub active: bool,
    /// A CSE or CCE marker was ever recorded: the longer period applies.
    #[diesel(sql_type = Bool)]
    pub public_protection: bool,
    /// The latest retain decision's date, else the policy's; `null` while active.
    #[diesel(sql_type = Nullable<Date>)]
    pub next_review_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Text>)]
    pub last_decision: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub last_decided_at: Option<DateTime<Utc>>,
}

/// Persons whose review falls before `due_before` (or `person` alone, whatever its date).
pub async fn reviews(
    conn: &mut Conn,
    due_before: NaiveDate,
    policy: RetentionPolicy,
    person: Option<PersonId>,
    after: Option<PersonId>,
    limit: i64,
) -> QueryResult<Vec<ReviewRow>> {
    cached(
        diesel::sql_query("SELECT * FROM hw_retention_reviews($1, $2, $3, $4, $5, $6)")
            .bind::<Date, _>(due_before)
            .bind::<Integer, _>(i32::try_from(policy.years).unwrap_or(i32::MAX))
            .bind::<Integer, _>(i32::try_from(policy.public_protection_years).unwrap_or(i32::MAX))
            .bind::<Nullable<SqlUuid>, _>(person)
            .bind::<Nullable<SqlUuid>, _>(after)
            .bind::<Integer, _>(i32::try_from(limit).unwrap_or(i32::MAX)),
    )
    .load(conn)
    .await
}

/// One person's place in the review cycle, whatever its date; `None` for no such person
/// (or one merged into another).
pub async fn review_of(
    conn: &mut Conn,
    today: NaiveDate,
    policy: RetentionPolicy,
    person: PersonId,
) -> QueryResult<Option<ReviewRow>> {
    Ok(reviews(conn, today, policy, Some(person), None, 1)
        .await?
        .pop())
}

/// One decision taken at review.
#[derive(Queryable, Selectable, Insertable, Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[diesel(table_name = rd)]
#[schema(as = RetentionDecisionResponse)]
pub struct DecisionRow {
    pub id: Uuid,
    pub person_id: PersonId,
    pub decision: RetentionDecision,
    pub reason: RetentionReason,
    pub note: Option<String>,
    pub next_review_on: Option<NaiveDate>,
    pub decided_by: UserId,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub decided_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut Conn, row: &DecisionRow) -> QueryResult<DecisionRow> {
    cached(
        diesel::insert_into(rd::table)
            .values(row)
            .returning(DecisionRow::as_returning()),
    )
    .get_result(conn)
    .await
}

/// A person's decisions, newest first.
pub async fn decisions(conn: &mut Conn, person: PersonId) -> QueryResult<Vec<DecisionRow>> {
    rd::table
        .filter(rd::person_id.eq(person))
        .order(rd::decided_at.desc())
        .select(DecisionRow::as_select())
        .load(conn)
        .await
}

/// Erases the person (`hw_dispose_person`); the ids of every record erased or deleted.
pub async fn dispose(conn: &mut Conn, person: PersonId) -> QueryResult<Vec<Uuid>> {
    #[derive(QueryableByName)]
    struct Ids {
        #[diesel(sql_type = diesel::sql_types::Array<SqlUuid>)]
        ids: Vec<Uuid>,
    }
    let r: Ids =
        cached(diesel::sql_query("SELECT hw_dispose_person($1) AS ids").bind::<SqlUuid, _>(person))
            .get_result(conn)
            .await?;
    Ok(r.ids)
}

/// When the person was disposed of, if they were and the caller may know.
pub async fn disposed_at(conn: &mut Conn, person: PersonId) -> QueryResult<Option<DateTime<Utc>>> {
    #[derive(QueryableByName)]
    struct At {
        #[diesel(sql_type = Nullable<Timestamptz>)]
        at: Option<DateTime<Utc>>,
    }
    let r: At = cached(
        diesel::sql_query("SELECT hw_person_disposed_at($1) AS at").bind::<SqlUuid, _>(person),
    )
    .get_result(conn)
    .await?;
    Ok(r.at)
}
