//! Queries on the notification outbox: enqueueing (in the event's transaction), the
//! delivery worker's claim / sent / failed / release, recipients, the scheduler's
//! "what is due", the admin view, and digest preferences.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{
    BigInt, Bool, Date, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use super::schema::{notification_preferences, outbox};
use super::Conn;
use crate::db::cached;
use crate::domain::notify::{DeliveryStatus, Event, RecipientKind};
use crate::ids::{ActionId, AgencyId, DistrictId, EpisodeId, TriggerId, UserId};

#[derive(Queryable, Selectable, QueryableByName, Debug, Clone, Serialize, ToSchema)]
#[diesel(table_name = outbox)]
#[schema(as = NotificationRecord)]
pub struct OutboxRow {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    pub event: Event,
    /// The event instance; with the recipient, enqueued once only.
    pub event_key: String,
    pub recipient: String,
    pub recipient_kind: RecipientKind,
    pub subject: String,
    /// The plain-text body (the HTML says the same).
    pub body_text: String,
    #[serde(skip)]
    pub body_html: String,
    pub record_type: Option<String>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub record_id: Option<uuid::Uuid>,
    pub status: DeliveryStatus,
    pub attempts: i32,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub next_attempt_at: DateTime<Utc>,
    #[serde(skip)]
    pub locked_by: Option<String>,
    #[serde(skip)]
    pub locked_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Stable across retries and redeliveries.
    pub message_id: String,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub sent_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub dead_at: Option<DateTime<Utc>>,
}

#[derive(Insertable, Debug, Clone)]
#[diesel(table_name = outbox)]
pub struct NewOutbox {
    pub id: uuid::Uuid,
    pub event: Event,
    pub event_key: String,
    pub recipient: String,
    pub recipient_kind: RecipientKind,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub record_type: Option<String>,
    pub record_id: Option<uuid::Uuid>,
    pub message_id: String,
}

/// Adds rows; one already there for the same (event, recipient) is left as it is.
/// Returns how many were new.
pub async fn enqueue(conn: &mut Conn, rows: &[NewOutbox]) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    diesel::insert_into(outbox::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await
}

// Recipients ---------------------------------------------------------------------------------

#[derive(QueryableByName, Debug, Clone)]
pub struct StaffEmail {
    #[diesel(sql_type = SqlUuid)]
    pub user_id: UserId,
    #[diesel(sql_type = Text)]
    pub email: String,
}

/// Active users with `role` in `district`.
pub async fn staff_emails(
    conn: &mut Conn,
    district: DistrictId,
    role: &str,
) -> QueryResult<Vec<StaffEmail>> {
    cached(
        diesel::sql_query("SELECT * FROM hw_staff_emails($1, $2)")
            .bind::<SqlUuid, _>(district)
            .bind::<Text, _>(role),
    )
    .load(conn)
    .await
}

pub async fn user_email(conn: &mut Conn, user: UserId) -> QueryResult<Option<StaffEmail>> {
    cached(diesel::sql_query("SELECT * FROM hw_user_email($1)").bind::<SqlUuid, _>(user))
        .get_result(conn)
        .await
        .optional()
}

/// An active agency's mailbox (agencies are otherwise read only by signed-in users).
pub async fn agency_mailbox(conn: &mut Conn, agency: AgencyId) -> QueryResult<Option<String>> {
    cached(diesel::sql_query("SELECT hw_agency_mailbox($1) AS email").bind::<SqlUuid, _>(agency))
        .get_result::<Mailbox>(conn)
        .await
        .map(|m| m.email)
}

#[derive(QueryableByName)]
struct Mailbox {
    #[diesel(sql_type = Nullable<Text>)]
    email: Option<String>,
}

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    claimed: bool,
}

/// Takes this interval's scheduler tick for `holder`: true for one instance only.
pub async fn claim_tick(
    conn: &mut Conn,
    every: std::time::Duration,
    holder: &str,
) -> QueryResult<bool> {
    let every = crate::db::interval(every);
    cached(
        diesel::sql_query("SELECT hw_scheduler_claim($1, $2) AS claimed")
            .bind::<diesel::sql_types::Interval, _>(every)
            .bind::<Text, _>(holder),
    )
    .get_result::<Claimed>(conn)
    .await
    .map(|c| c.claimed)
}

/// Counts a notification that found no recipient; true the first time for its key.
pub async fn note_gap(conn: &mut Conn, event_key: &str, event: &str) -> QueryResult<bool> {
    cached(
        diesel::sql_query("SELECT hw_notification_gap($1, $2) AS claimed")
            .bind::<Text, _>(event_key)
            .bind::<Text, _>(event),
    )
    .get_result::<Claimed>(conn)
    .await
    .map(|c| c.claimed)
}

/// Active data protection officers (background work: subject access deadlines).
pub async fn dpo_emails(conn: &mut Conn) -> QueryResult<Vec<StaffEmail>> {
    cached(diesel::sql_query("SELECT * FROM hw_dpo_emails()"))
        .load(conn)
        .await
}

pub async fn admin_emails(conn: &mut Conn) -> QueryResult<Vec<StaffEmail>> {
    cached(diesel::sql_query("SELECT * FROM hw_admin_emails()"))
        .load(conn)
        .await
}

// Delivery -------------------------------------------------------------------------------------

/// Claims up to `limit` due rows (and rows whose lease ran out) for `worker`.
pub async fn claim(
    conn: &mut Conn,
    worker: &str,
    limit: i32,
    lease_secs: i32,
) -> QueryResult<Vec<OutboxRow>> {
    cached(
        diesel::sql_query("SELECT * FROM hw_outbox_claim($1, $2, $3)")
            .bind::<Text, _>(worker)
            .bind::<Integer, _>(limit)
            .bind::<Integer, _>(lease_secs),
    )
    .load(conn)
    .await
}

#[derive(QueryableByName)]
struct Done {
    #[diesel(sql_type = Bool)]
    done: bool,
}

#[derive(QueryableByName)]
struct Marked {
    #[diesel(sql_type = Integer)]
    marked: i32,
}

/// Announces `worker` alive on this connection (a session-level lock, held until the
/// connection closes): rows it claims are taken back the moment it is gone.
pub async fn present(conn: &mut Conn, worker: &str) -> QueryResult<()> {
    diesel::sql_query("SELECT hw_outbox_present($1)")
        .bind::<Text, _>(worker)
        .execute(conn)
        .await
        .map(drop)
}

/// Whether `worker`'s presence lock is held (by any session of this database).
pub async fn alive(conn: &mut Conn, worker: &str) -> QueryResult<bool> {
    cached(
        diesel::sql_query("SELECT hw_outbox_worker_alive($1) AS claimed").bind::<Text, _>(worker),
    )
    .get_result::<Claimed>(conn)
    .await
    .map(|c| c.claimed)
}

/// Marks claimed rows sent in one statement; returns how many `worker` still held.
pub async fn sent(conn: &mut Conn, ids: &[uuid::Uuid], worker: &str) -> QueryResult<i32> {
    if ids.is_empty() {
        return Ok(0);
    }
    cached(
        diesel::sql_query("SELECT hw_outbox_sent($1, $2) AS marked")
            .bind::<diesel::sql_types::Array<SqlUuid>, _>(ids)
            .bind::<Text, _>(worker),
    )
    .get_result::<Marked>(conn)
    .await
    .map(|m| m.marked)
}

/// Records a failed attempt: retry at `retry_at`, or dead-letter when `None`.
pub async fn failed(
    conn: &mut Conn,
    id: uuid::Uuid,
    worker: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> QueryResult<bool> {
    cached(
        diesel::sql_query("SELECT hw_outbox_failed($1, $2, $3, $4) AS done")
            .bind::<SqlUuid, _>(id)
            .bind::<Text, _>(worker)
            .bind::<Text, _>(error)
            .bind::<Nullable<Timestamptz>, _>(retry_at),
    )
    .get_result::<Done>(conn)
    .await
    .map(|d| d.done)
}

/// Hands back a claimed row that was not tried.
pub async fn release(conn: &mut Conn, id: uuid::Uuid, worker: &str) -> QueryResult<bool> {
    cached(
        diesel::sql_query("SELECT hw_outbox_release($1, $2) AS done")
            .bind::<SqlUuid, _>(id)
            .bind::<Text, _>(worker),
    )
    .get_result::<Done>(conn)
    .await
    .map(|d| d.done)
}

// The scheduler -------------------------------------------------------------------------------

#[derive(QueryableByName, Debug, Clone)]
pub struct DueInterview {
    #[diesel(sql_type = SqlUuid)]
    pub episode_id: EpisodeId,
    #[diesel(sql_type = Text)]
    pub reference: String,
    #[diesel(sql_type = SqlUuid)]
    pub district_id: DistrictId,
    #[diesel(sql_type = Timestamptz)]
    pub due_at: DateTime<Utc>,
}

pub async fn overdue_return_interviews(conn: &mut Conn) -> QueryResult<Vec<DueInterview>> {
    cached(diesel::sql_query(
        "SELECT * FROM hw_overdue_return_interviews()",
    ))
    .load(conn)
    .await
}

#[derive(QueryableByName, Debug, Clone)]
pub struct DueAction {
    #[diesel(sql_type = SqlUuid)]
    pub action_id: ActionId,
    #[diesel(sql_type = SqlUuid)]
    pub owner_agency_id: AgencyId,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub owner_user_id: Option<UserId>,
    #[diesel(sql_type = Date)]
    pub due_on: NaiveDate,
    #[diesel(sql_type = Bool)]
    pub overdue: bool,
}

pub async fn actions_due(conn: &mut Conn, within_days: i32) -> QueryResult<Vec<DueAction>> {
    cached(diesel::sql_query("SELECT * FROM hw_actions_due($1)").bind::<Integer, _>(within_days))
        .load(conn)
        .await
}

#[derive(QueryableByName, Debug, Clone)]
pub struct NationalOverdue {
    #[diesel(sql_type = SqlUuid)]
    pub episode_id: EpisodeId,
    #[diesel(sql_type = Text)]
    pub reference: String,
    #[diesel(sql_type = SqlUuid)]
    pub district_id: DistrictId,
    #[diesel(sql_type = Text)]
    pub kind: crate::domain::national::NationalKind,
    #[diesel(sql_type = Timestamptz)]
    pub due_at: DateTime<Utc>,
}

/// Open episodes whose UKMPU notification or PNC record has just become overdue, each
/// returned once ever (`hw_national_overdue` marks it in the same statement).
pub async fn national_overdue(
    conn: &mut Conn,
    policy: &crate::domain::national::NationalPolicy,
) -> QueryResult<Vec<NationalOverdue>> {
    use crate::domain::national::NationalKind;
    let interval = |kind| {
        diesel::data_types::PgInterval::from_microseconds(
            policy.within(kind).num_microseconds().unwrap_or(i64::MAX),
        )
    };
    cached(
        diesel::sql_query("SELECT * FROM hw_national_overdue($1, $2)")
            .bind::<diesel::sql_types::Interval, _>(interval(NationalKind::Ukmpu))
            .bind::<diesel::sql_types::Interval, _>(interval(NationalKind::Pnc)),
    )
    .load(conn)
    .await
}

#[derive(QueryableByName, Debug, Clone)]
pub struct DueReview {
    #[diesel(sql_type = SqlUuid)]
    pub episode_id: EpisodeId,
    #[diesel(sql_type = Text)]
    pub reference: String,
    #[diesel(sql_type = SqlUuid)]
    pub district_id: DistrictId,
    #[diesel(sql_type = Timestamptz)]
    pub next_review_due: DateTime<Utc>,
}

pub async fn overdue_reviews(conn: &mut Conn) -> QueryResult<Vec<DueReview>> {
    cached(diesel::sql_query("SELECT * FROM hw_overdue_reviews()"))
        .load(conn)
        .await
}

#[derive(QueryableByName, Debug, Clone)]
pub struct MfhcDigest {
    #[diesel(sql_type = SqlUuid)]
    pub user_id: UserId,
    #[diesel(sql_type = Text)]
    pub email: String,
    #[diesel(sql_type = SqlUuid)]
    pub district_id: DistrictId,
    #[diesel(sql_type = BigInt)]
    pub open_high_risk: i64,
    #[diesel(sql_type = BigInt)]
    pub triggers_unacknowledged: i64,
    #[diesel(sql_type = BigInt)]
    pub interviews_overdue: i64,
    #[diesel(sql_type = BigInt)]
    pub actions_overdue: i64,
}

pub async fn mfhc_digests(conn: &mut Conn) -> QueryResult<Vec<MfhcDigest>> {
    cached(diesel::sql_query("SELECT * FROM hw_mfhc_digests()"))
        .load(conn)
        .await
}

#[derive(QueryableByName, Debug, Clone)]
pub struct AgencyDigest {
    #[diesel(sql_type = SqlUuid)]
    pub agency_id: AgencyId,
    #[diesel(sql_type = Text)]
    pub mailbox: String,
    #[diesel(sql_type = BigInt)]
    pub open_actions: i64,
    #[diesel(sql_type = BigInt)]
    pub overdue_actions: i64,
}

pub async fn agency_digests(conn: &mut Conn) -> QueryResult<Vec<AgencyDigest>> {
    cached(diesel::sql_query("SELECT * FROM hw_agency_digests()"))
        .load(conn)
        .await
}

#[derive(QueryableByName, Debug, Clone)]
pub struct Escalated {
    #[diesel(sql_type = SqlUuid)]
    pub id: TriggerId,
    #[diesel(sql_type = SqlUuid)]
    pub district_id: DistrictId,
}

/// Marks open triggers past their escalation time as escalated; returns them.
pub async fn escalate_triggers(conn: &mut Conn) -> QueryResult<Vec<Escalated>> {
    cached(diesel::sql_query("SELECT * FROM hw_trigger_escalate_due()"))
        .load(conn)
        .await
}

// The admin view -------------------------------------------------------------------------------

#[derive(Debug, Default, Clone)]
pub struct OutboxFilter {
    pub status: Option<DeliveryStatus>,
    pub event: Option<Event>,
    pub recipient: Option<String>,
    pub record_id: Option<uuid::Uuid>,
    /// The id suffix of a short reference (`MSG-…`).
    pub reference: Option<String>,
    /// Keyset: strictly after this (created_at, id) in newest-first order.
    pub before: Option<(DateTime<Utc>, uuid::Uuid)>,
}

pub async fn list(conn: &mut Conn, f: &OutboxFilter, limit: i64) -> QueryResult<Vec<OutboxRow>> {
    let mut q = outbox::table
        .select(OutboxRow::as_select())
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(s) = f.status {
        q = q.filter(outbox::status.eq(s));
    }
    if let Some(e) = f.event {
        q = q.filter(outbox::event.eq(e));
    }
    if let Some(r) = &f.recipient {
        q = q.filter(outbox::recipient.eq(r.clone()));
    }
    if let Some(r) = f.record_id {
        q = q.filter(outbox::record_id.eq(r));
    }
    if let Some(r) = &f.reference {
        q = q.filter(super::short_ref_is("outbox.id", r));
    }
    if let Some((at, id)) = f.before {
        q = q.filter(
            outbox::created_at
                .lt(at)
                .or(outbox::created_at.eq(at).and(outbox::id.lt(id))),
        );
    }
    q.load(conn).await
}

pub async fn find(conn: &mut Conn, id: uuid::Uuid) -> QueryResult<Option<OutboxRow>> {
    outbox::table
        .find(id)
        .select(OutboxRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Puts a dead letter back in the queue with a fresh count; `None` if it is not dead.
pub async fn retry(conn: &mut Conn, id: uuid::Uuid) -> QueryResult<Option<OutboxRow>> {
    cached(
        diesel::update(
            outbox::table
                .filter(outbox::id.eq(id))
                .filter(outbox::status.eq(DeliveryStatus::Dead)),
        )
        .set((
            outbox::status.eq(DeliveryStatus::Pending),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(diesel::dsl::now),
            outbox::dead_at.eq(None::<DateTime<Utc>>),
        ))
        .returning(OutboxRow::as_returning()),
    )
    .get_result(conn)
    .await
    .optional()
}

// Preferences ------------------------------------------------------------------------------------

/// Whether the caller takes the daily digest (default yes).
pub async fn takes_digest(conn: &mut Conn, user: UserId) -> QueryResult<bool> {
    Ok(notification_preferences::table
        .find(user)
        .select(notification_preferences::daily_digest)
        .first(conn)
        .await
        .optional()?
        .unwrap_or(true))
}

pub async fn set_digest(conn: &mut Conn, user: UserId, daily_digest: bool) -> QueryResult<()> {
    cached(
        diesel::insert_into(notification_preferences::table)
            .values((
                notification_preferences::user_id.eq(user),
                notification_preferences::daily_digest.eq(daily_digest),
            ))
            .on_conflict(notification_preferences::user_id)
            .do_update()
            .set((
                notification_preferences::daily_digest.eq(daily_digest),
                notification_preferences::updated_at.eq(diesel::dsl::now),
            )),
    )
    .execute(conn)
    .await
    .map(drop)
}
