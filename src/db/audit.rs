//! The audit log: append to the queue (in the request's transaction), seal the queue onto
//! the hash chain, list, verify.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::{audit_log, audit_queue};
use super::{AuditContext, Conn};
use crate::db::cached;
use crate::domain::accounts::Role;
use crate::domain::audit::{AuditEvent, Operation};
use crate::ids::UserId;

#[derive(Insertable)]
#[diesel(table_name = audit_queue)]
struct NewAuditRow<'a> {
    actor_id: Option<UserId>,
    actor_role: Option<Role>,
    operation: Operation,
    record_type: &'a str,
    record_ids: &'a [Uuid],
    purpose: Option<&'a str>,
    recipients: &'a [String],
    request_id: Option<&'a str>,
    lawful_basis: Option<&'a str>,
}

/// Appends `events` as one multi-row insert.
pub async fn insert(
    mut conn: &Conn,
    actor: Option<(UserId, Role)>,
    context: &AuditContext,
    events: &[AuditEvent],
) -> QueryResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let rows: Vec<NewAuditRow<'_>> = events
        .iter()
        .map(|e| NewAuditRow {
            actor_id: actor.map(|a| a.0),
            actor_role: actor.map(|a| a.1),
            operation: e.operation,
            record_type: e.record_type,
            record_ids: &e.record_ids,
            purpose: e.purpose.as_deref().or(context.purpose.as_deref()),
            recipients: &e.recipients,
            request_id: context.request_id.as_deref(),
            lawful_basis: e.lawful_basis.as_deref(),
        })
        .collect();
    cached(diesel::insert_into(audit_queue::table).values(&rows))
        .execute(&mut conn)
        .await
        .map(|_| ())
}

/// One entry of the chained log.
#[derive(Queryable, Selectable, Debug, serde::Serialize, utoipa::ToSchema)]
#[diesel(table_name = audit_log)]
#[schema(as = AuditEntryResponse)]
pub struct AuditRow {
    pub seq: i64,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor_role: Option<String>,
    pub operation: Operation,
    pub record_type: String,
    pub record_ids: Vec<Uuid>,
    /// Why: the operation's own justification (a share's purpose, an email's event), or
    /// the request's `X-Purpose`.
    pub purpose: Option<String>,
    pub recipients: Vec<String>,
    pub request_id: Option<String>,
    /// For a disclosure made under a stated lawful basis (a share).
    pub lawful_basis: Option<String>,
    /// Base64 SHA-256 of this entry chained to the previous one.
    #[serde(serialize_with = "base64_hash")]
    #[schema(value_type = String)]
    pub hash: Vec<u8>,
}

fn base64_hash<S: serde::Serializer>(hash: &[u8], s: S) -> Result<S::Ok, S::Error> {
    use base64::Engine;
    s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(hash))
}

/// Filters for listing; `before_seq` is the keyset cursor (newest first).
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub actor_id: Option<UserId>,
    pub operation: Option<Operation>,
    pub record_type: Option<String>,
    pub record_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub before_seq: Option<i64>,
}

pub async fn list(conn: &mut Conn, f: &AuditFilter, limit: i64) -> QueryResult<Vec<AuditRow>> {
    let mut q = audit_log::table
        .select(AuditRow::as_select())
        .order(audit_log::seq.desc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = f.actor_id {
        q = q.filter(audit_log::actor_id.eq(a));
    }
    if let Some(op) = f.operation {
        q = q.filter(audit_log::operation.eq(op));
    }
    if let Some(rt) = &f.record_type {
        q = q.filter(audit_log::record_type.eq(rt.clone()));
    }
    if let Some(id) = f.record_id {
        q = q.filter(audit_log::record_ids.contains(vec![id]));
    }
    if let Some(from) = f.from {
        q = q.filter(audit_log::occurred_at.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(audit_log::occurred_at.lt(to));
    }
    if let Some(before) = f.before_seq {
        q = q.filter(audit_log::seq.lt(before));
    }
    q.load(conn).await
}

#[derive(QueryableByName, Debug)]
pub struct ChainReport {
    #[diesel(sql_type = BigInt)]
    pub checked: i64,
    #[diesel(sql_type = BigInt)]
    pub head_seq: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub broken_seq: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub reason: Option<String>,
}

#[derive(QueryableByName)]
struct Sealed {
    #[diesel(sql_type = Integer)]
    n: i32,
}

/// Most rows one seal moves (and so the longest the chain's head row is held for).
pub const SEAL_BATCH: i32 = 5000;

/// Moves up to `max` committed queue rows onto the chain, oldest first; how many it moved.
pub async fn seal(conn: &mut Conn, max: i32) -> QueryResult<i32> {
    cached(diesel::sql_query("SELECT hw_audit_seal($1) AS n").bind::<Integer, _>(max))
        .get_result::<Sealed>(conn)
        .await
        .map(|s| s.n)
}

/// Seals everything committed so far, a batch at a time.
pub async fn seal_all(conn: &mut Conn) -> QueryResult<i64> {
    let mut total = 0;
    loop {
        let n = seal(conn, SEAL_BATCH).await?;
        total += i64::from(n);
        if n < SEAL_BATCH {
            return Ok(total);
        }
    }
}

/// Re-hashes the whole chain in the database and reports the first broken link.
pub async fn verify(conn: &mut Conn) -> QueryResult<ChainReport> {
    cached(diesel::sql_query(
        "SELECT checked, head_seq, broken_seq, reason FROM hw_audit_verify()",
    ))
    .get_result(conn)
    .await
}

#[derive(QueryableByName, Debug)]
pub struct Head {
    #[diesel(sql_type = BigInt)]
    pub seq: i64,
    #[diesel(sql_type = diesel::sql_types::Bytea)]
    pub hash: Vec<u8>,
}

/// The chain's length and head hash (for a signed checkpoint; background work may ask).
pub async fn head(conn: &mut Conn) -> QueryResult<Head> {
    cached(diesel::sql_query("SELECT seq, hash FROM hw_audit_head()"))
        .get_result(conn)
        .await
}

/// The hashes the chain holds at `seqs` (those that exist; administrators read the log).
pub async fn hashes_at(conn: &mut Conn, seqs: &[i64]) -> QueryResult<Vec<(i64, Vec<u8>)>> {
    audit_log::table
        .filter(audit_log::seq.eq_any(seqs))
        .select((audit_log::seq, audit_log::hash))
        .load(conn)
        .await
}
