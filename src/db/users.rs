//! Queries on `users` (and revoking their sessions). RLS limits what the caller sees.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use super::schema::users;
use super::Conn;
use crate::db::cached;
use crate::domain::accounts::Role;
use crate::ids::{AgencyId, DistrictId, UserId};

#[derive(Queryable, Selectable, Debug, Clone, Serialize, ToSchema)]
#[diesel(table_name = users)]
#[schema(as = UserResponse)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// `null` for force-wide users.
    pub district_id: Option<DistrictId>,
    /// Partners only.
    pub agency_id: Option<AgencyId>,
    pub active: bool,
    /// An administrator reset the password: the account can do nothing but change it.
    pub must_change_password: bool,
    /// Also sent as the `ETag`; send it back in `If-Match` to update.
    pub version: i32,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub updated_at: DateTime<Utc>,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub district_id: Option<DistrictId>,
    pub agency_id: Option<AgencyId>,
    pub password_hash: String,
}

/// A partial update; `None` leaves a column alone, `Some(None)` clears a nullable one.
#[derive(AsChangeset, Debug, Default)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub district_id: Option<Option<DistrictId>>,
    pub agency_id: Option<Option<AgencyId>>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
    pub must_change_password: Option<bool>,
}

pub async fn insert(conn: &mut Conn, new: &NewUser) -> QueryResult<UserRow> {
    cached(
        diesel::insert_into(users::table)
            .values(new)
            .returning(UserRow::as_returning()),
    )
    .get_result(conn)
    .await
}

pub async fn find(conn: &mut Conn, id: UserId) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
}

#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub district_id: Option<DistrictId>,
    pub active: Option<bool>,
    pub after: Option<UserId>,
}

/// Ordered by id (time-ordered v7 uuids), keyset-paginated.
pub async fn list(conn: &mut Conn, f: &UserFilter, limit: i64) -> QueryResult<Vec<UserRow>> {
    let mut q = users::table
        .select(UserRow::as_select())
        .order(users::id)
        .limit(limit)
        .into_boxed();
    if let Some(r) = f.role {
        q = q.filter(users::role.eq(r));
    }
    if let Some(d) = f.district_id {
        q = q.filter(users::district_id.eq(d));
    }
    if let Some(a) = f.active {
        q = q.filter(users::active.eq(a));
    }
    if let Some(after) = f.after {
        q = q.filter(users::id.gt(after));
    }
    q.load(conn).await
}

/// Applies `changes` if the row is still at `expected_version`. `end_access` also bumps
/// the token version, so every access token already issued stops working at once.
/// Returns `None` when no row matched (missing, or changed since).
pub async fn update(
    conn: &mut Conn,
    id: UserId,
    expected_version: i32,
    changes: &UserChanges,
    end_access: bool,
) -> QueryResult<Option<UserRow>> {
    let bump = if end_access { 1 } else { 0 };
    update_versioned!(
        conn,
        users,
        id,
        expected_version,
        UserRow,
        changes,
        users::token_version.eq(users::token_version + bump)
    )
}

/// The caller's own password hash (policies show an account its own row).
pub async fn own_password_hash(
    conn: &mut Conn,
    id: UserId,
) -> QueryResult<Option<(String, String)>> {
    users::table
        .find(id)
        .select((users::email, users::password_hash))
        .first(conn)
        .await
        .optional()
}

#[derive(diesel::QueryableByName)]
struct Ended {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    ended: i32,
}

/// Sets the caller's own password and ends the account's other sessions; how many ended.
pub async fn change_own_password(
    conn: &mut Conn,
    keep: crate::ids::SessionId,
    hash: &str,
) -> QueryResult<i32> {
    cached(
        diesel::sql_query("SELECT auth_change_own_password($1, $2) AS ended")
            .bind::<diesel::sql_types::Uuid, _>(keep)
            .bind::<diesel::sql_types::Text, _>(hash),
    )
    .get_result::<Ended>(conn)
    .await
    .map(|e| e.ended)
}
