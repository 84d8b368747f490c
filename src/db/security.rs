//! Security events: recorded through `hw_security_event` (the runtime role cannot write
//! the table), listed by administrators.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Interval, Nullable, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::security_events;
use super::{cached, Conn};
use crate::domain::security::SecurityEventKind;
use crate::ids::UserId;

/// One event as it is recorded.
#[derive(Debug, Clone)]
pub struct NewSecurityEvent {
    pub kind: SecurityEventKind,
    /// The caller refused; `None` for a failed sign-in (the email names the account).
    pub account: Option<UserId>,
    /// The email a failed sign-in gave (kept only as a digest).
    pub email: Option<String>,
    pub address: String,
    pub method: String,
    pub route: String,
    /// The table the route's record is in (`domain::security::record_table`).
    pub table: Option<&'static str>,
    pub record_id: Option<Uuid>,
    pub request_id: Option<String>,
    pub status: u16,
}

#[derive(QueryableByName, Debug)]
pub struct Recorded {
    /// Whether a row was written (a 404 for a record that does not exist is not).
    #[diesel(sql_type = Bool)]
    pub recorded: bool,
    /// Set when this event took the account over the threshold, first in its window.
    #[diesel(sql_type = Nullable<Integer>)]
    pub alert_events: Option<i32>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub account_id: Option<UserId>,
}

/// Records `e`; says whether it was kept and whether the administrators should be told.
pub async fn record(
    conn: &mut Conn,
    e: &NewSecurityEvent,
    threshold: i32,
    window: std::time::Duration,
) -> QueryResult<Recorded> {
    let window = crate::db::interval(window);
    cached(
        diesel::sql_query(
            "SELECT recorded, alert_events, account_id \
               FROM hw_security_event($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind::<Text, _>(e.kind)
        .bind::<Nullable<SqlUuid>, _>(e.account)
        .bind::<Nullable<Text>, _>(e.email.as_deref())
        .bind::<Text, _>(&e.address)
        .bind::<Text, _>(&e.method)
        .bind::<Text, _>(&e.route)
        .bind::<Nullable<Text>, _>(e.table)
        .bind::<Nullable<SqlUuid>, _>(e.record_id)
        .bind::<Nullable<Text>, _>(e.request_id.as_deref())
        .bind::<Integer, _>(i32::from(e.status))
        .bind::<Integer, _>(threshold)
        .bind::<Interval, _>(window),
    )
    .get_result(conn)
    .await
}

/// One recorded event.
#[derive(Queryable, Selectable, Debug, serde::Serialize, utoipa::ToSchema)]
#[diesel(table_name = security_events)]
#[schema(as = SecurityEventResponse)]
pub struct SecurityEventRow {
    pub id: i64,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub occurred_at: DateTime<Utc>,
    pub kind: SecurityEventKind,
    /// The caller refused, or the account a failed sign-in named (if it exists).
    pub account_id: Option<UserId>,
    /// A failed sign-in's email, as its SHA-256 digest (hex); filter with `email`.
    #[serde(serialize_with = "hex_digest")]
    #[schema(value_type = Option<String>)]
    pub email_hash: Option<Vec<u8>>,
    /// The client's address.
    pub address: String,
    pub method: String,
    /// The route's pattern, e.g. `/api/v1/episodes/{id}`.
    pub route: String,
    /// The record the path named.
    pub record_id: Option<Uuid>,
    pub request_id: Option<String>,
    pub status: i16,
}

fn hex_digest<S: serde::Serializer>(h: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    match h {
        Some(bytes) => {
            s.serialize_str(&bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
        }
        None => s.serialize_none(),
    }
}

/// Filters for listing; `before_id` is the keyset cursor (newest first).
#[derive(Debug, Default, Clone)]
pub struct SecurityEventFilter {
    pub kind: Option<SecurityEventKind>,
    pub account_id: Option<UserId>,
    /// A sign-in email: matched by its digest.
    pub email: Option<String>,
    pub address: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub before_id: Option<i64>,
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Bool)]
    found: bool,
}

/// Whether the caller (the transaction's claims) can see record `id` of `table`, one of
/// `domain::security::record_table`'s (never a caller's text).
pub async fn visible(conn: &mut Conn, table: &'static str, id: Uuid) -> QueryResult<bool> {
    diesel::sql_query(format!(
        "SELECT EXISTS (SELECT 1 FROM {table} WHERE id = $1) AS found"
    ))
    .bind::<SqlUuid, _>(id)
    .get_result::<Found>(conn)
    .await
    .map(|f| f.found)
}

diesel::define_sql_function! {
    /// The digest a sign-in email is kept as (`db/sql/functions/45_security.sql`).
    fn hw_security_email_hash(email: Text) -> diesel::sql_types::Bytea;
}

pub async fn list(
    conn: &mut Conn,
    f: &SecurityEventFilter,
    limit: i64,
) -> QueryResult<Vec<SecurityEventRow>> {
    let mut q = security_events::table
        .select(SecurityEventRow::as_select())
        .order(security_events::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(k) = f.kind {
        q = q.filter(security_events::kind.eq(k));
    }
    if let Some(a) = f.account_id {
        q = q.filter(security_events::account_id.eq(a));
    }
    if let Some(e) = &f.email {
        q = q.filter(security_events::email_hash.eq(hw_security_email_hash(e.clone()).nullable()));
    }
    if let Some(a) = &f.address {
        q = q.filter(security_events::address.eq(a.clone()));
    }
    if let Some(from) = f.from {
        q = q.filter(security_events::occurred_at.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(security_events::occurred_at.lt(to));
    }
    if let Some(before) = f.before_id {
        q = q.filter(security_events::id.lt(before));
    }
    q.load(conn).await
}
