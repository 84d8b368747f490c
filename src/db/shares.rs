//! Queries on shares: disclosures of parts of records to agencies.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use super::schema::shares;
use super::Conn;
use crate::db::cached;
use crate::domain::shares::{Part, SharedRecord};
use crate::ids::{AgencyId, DistrictId, ShareId, UserId};

#[derive(Queryable, Selectable, Insertable, Debug, Clone, Serialize, ToSchema)]
#[diesel(table_name = shares)]
#[schema(as = ShareRecord)]
pub struct ShareRow {
    pub id: ShareId,
    pub record_type: SharedRecord,
    #[schema(value_type = String, format = Uuid)]
    pub record_id: uuid::Uuid,
    pub district_id: DistrictId,
    pub agency_id: AgencyId,
    /// What the agency's partners see of the record.
    pub parts: Vec<Part>,
    pub purpose: String,
    pub lawful_basis: String,
    pub shared_by: UserId,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub shared_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<UserId>,
    pub revoke_reason: Option<String>,
}

pub async fn insert(conn: &mut Conn, s: &ShareRow) -> QueryResult<ShareRow> {
    cached(
        diesel::insert_into(shares::table)
            .values(s)
            .returning(ShareRow::as_returning()),
    )
    .get_result(conn)
    .await
}

pub async fn find(conn: &mut Conn, id: ShareId) -> QueryResult<Option<ShareRow>> {
    shares::table
        .find(id)
        .select(ShareRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// `None` when it is already revoked (or not the caller's to revoke).
pub async fn revoke(
    conn: &mut Conn,
    id: ShareId,
    by: UserId,
    reason: &str,
) -> QueryResult<Option<ShareRow>> {
    cached(
        diesel::update(
            shares::table
                .filter(shares::id.eq(id))
                .filter(shares::revoked_at.is_null()),
        )
        .set((
            shares::revoked_at.eq(diesel::dsl::now),
            shares::revoked_by.eq(by),
            shares::revoke_reason.eq(reason),
        ))
        .returning(ShareRow::as_returning()),
    )
    .get_result(conn)
    .await
    .optional()
}

#[derive(Debug, Default, Clone)]
pub struct ShareFilter {
    pub record_type: Option<SharedRecord>,
    pub record_id: Option<uuid::Uuid>,
    pub agency_id: Option<AgencyId>,
    /// `Some(true)`: not revoked and not expired at `now`.
    pub in_force: Option<bool>,
    pub now: Option<DateTime<Utc>>,
    /// Keyset: strictly after this (shared_at, id) in newest-first order.
    pub before: Option<(DateTime<Utc>, ShareId)>,
}

/// Newest first.
pub async fn list(conn: &mut Conn, f: &ShareFilter, limit: i64) -> QueryResult<Vec<ShareRow>> {
    let mut q = shares::table
        .select(ShareRow::as_select())
        .order((shares::shared_at.desc(), shares::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(t) = f.record_type {
        q = q.filter(shares::record_type.eq(t));
    }
    if let Some(r) = f.record_id {
        q = q.filter(shares::record_id.eq(r));
    }
    if let Some(a) = f.agency_id {
        q = q.filter(shares::agency_id.eq(a));
    }
    if let (Some(in_force), Some(now)) = (f.in_force, f.now) {
        let live = shares::revoked_at
            .is_null()
            .and(shares::expires_at.is_null().or(shares::expires_at.gt(now)));
        q = if in_force {
            q.filter(live)
        } else {
            q.filter(diesel::dsl::not(live))
        };
    }
    if let Some((at, id)) = f.before {
        q = q.filter(
            shares::shared_at
                .lt(at)
                .or(shares::shared_at.eq(at).and(shares::id.lt(id))),
        );
    }
    q.load(conn).await
}
