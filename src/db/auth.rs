//! Authentication queries: the SECURITY DEFINER entry points (login lookup, refresh
//! rotation, throttling) and the session rows a logged-in caller owns.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{
    Array, Bool, Bytea, Integer, Interval, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::RunQueryDsl;

use super::schema::{refresh_tokens, sessions};
use super::Conn;
use crate::db::cached;
use crate::domain::accounts::Role;
use crate::ids::{AgencyId, DistrictId, SessionId, UserId};

#[derive(QueryableByName)]
pub struct LoginCandidate {
    #[diesel(sql_type = SqlUuid)]
    pub id: UserId,
    #[diesel(sql_type = Text)]
    pub password_hash: String,
    #[diesel(sql_type = Bool)]
    pub active: bool,
    #[diesel(sql_type = Text)]
    pub role: Role,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub district_id: Option<DistrictId>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub agency_id: Option<AgencyId>,
    #[diesel(sql_type = Integer)]
    pub token_version: i32,
}

pub async fn login_lookup(conn: &mut Conn, email: &str) -> QueryResult<Option<LoginCandidate>> {
    cached(diesel::sql_query("SELECT * FROM auth_login_lookup($1)").bind::<Text, _>(email))
        .get_result(conn)
        .await
        .optional()
}

#[derive(QueryableByName)]
struct Seconds {
    #[diesel(sql_type = Integer)]
    seconds: i32,
}

/// Counts one login attempt against each key; returns the seconds to wait (0 = go ahead).
pub async fn throttle_attempt(
    conn: &mut Conn,
    keys: &[Vec<u8>],
    limits: &[i32],
    window: std::time::Duration,
) -> QueryResult<i32> {
    let window = crate::db::interval(window);
    cached(
        diesel::sql_query("SELECT auth_throttle_attempt($1, $2, $3) AS seconds")
            .bind::<Array<Bytea>, _>(keys)
            .bind::<Array<Integer>, _>(limits)
            .bind::<Interval, _>(window),
    )
    .get_result::<Seconds>(conn)
    .await
    .map(|s| s.seconds)
}

/// After a successful login: clears `clear`, takes the attempt back off `undo`, and
/// remembers `known`.
pub async fn throttle_success(
    conn: &mut Conn,
    clear: &[Vec<u8>],
    undo: &[Vec<u8>],
    known: &[u8],
) -> QueryResult<()> {
    cached(
        diesel::sql_query("SELECT auth_throttle_success($1, $2, $3)")
            .bind::<Array<Bytea>, _>(clear)
            .bind::<Array<Bytea>, _>(undo)
            .bind::<Bytea, _>(known),
    )
    .execute(conn)
    .await
    .map(|_| ())
}

/// Forgets the counters of `keys` (a password changed: its guesses are over).
pub async fn throttle_clear(conn: &mut Conn, keys: &[Vec<u8>]) -> QueryResult<()> {
    cached(diesel::sql_query("SELECT auth_throttle_clear($1)").bind::<Array<Bytea>, _>(keys))
        .execute(conn)
        .await
        .map(|_| ())
}

#[derive(QueryableByName)]
struct Known {
    #[diesel(sql_type = Bool)]
    known: bool,
}

/// Whether `known` (an account-and-address pair) logged in within the last 30 days.
pub async fn throttle_known(conn: &mut Conn, known: &[u8]) -> QueryResult<bool> {
    cached(diesel::sql_query("SELECT auth_throttle_known($1) AS known").bind::<Bytea, _>(known))
        .get_result::<Known>(conn)
        .await
        .map(|k| k.known)
}

/// Starts a session for the caller (claims must already be set to `user`). A browser's
/// session also keeps its cookie secret's digest and when it was last seen.
pub async fn create_session(
    conn: &mut Conn,
    user: UserId,
    expires_at: DateTime<Utc>,
    web_token_hash: Option<&[u8]>,
) -> QueryResult<SessionId> {
    cached(
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(SessionId::new()),
                sessions::user_id.eq(user),
                sessions::expires_at.eq(expires_at),
                sessions::web_token_hash.eq(web_token_hash),
                sessions::last_seen_at.eq(web_token_hash.map(|_| Utc::now())),
            ))
            .returning(sessions::id),
    )
    .get_result(conn)
    .await
}

/// A live browser session: who it is (the name and role the pages show).
#[derive(Debug, Clone, QueryableByName)]
pub struct WebSessionRow {
    #[diesel(sql_type = SqlUuid)]
    pub user_id: UserId,
    #[diesel(sql_type = SqlUuid)]
    pub session_id: SessionId,
    #[diesel(sql_type = Integer)]
    pub token_version: i32,
    #[diesel(sql_type = Text)]
    pub role: Role,
    #[diesel(sql_type = Text)]
    pub display_name: String,
    #[diesel(sql_type = Bool)]
    pub must_change_password: bool,
}

/// The live browser session whose cookie secret has this digest. One idle for `idle` or
/// longer is ended here and is `None`.
pub async fn web_session(
    conn: &mut Conn,
    token_hash: &[u8],
    idle: std::time::Duration,
) -> QueryResult<Option<WebSessionRow>> {
    let idle = crate::db::interval(idle);
    cached(
        diesel::sql_query("SELECT * FROM auth_web_session($1, $2)")
            .bind::<Bytea, _>(token_hash)
            .bind::<Interval, _>(idle),
    )
    .get_result::<WebSessionRow>(conn)
    .await
    .optional()
}

#[derive(QueryableByName)]
struct Charged {
    #[diesel(sql_type = Integer)]
    charged: i32,
}

/// Charges one write to the account's quota, shared by every instance (`auth_write_quota`):
/// -1 when the session is not live, 0 to go ahead, else the seconds to wait.
pub async fn write_quota(
    conn: &mut Conn,
    user: UserId,
    session: SessionId,
    token_version: i32,
    every: std::time::Duration,
    burst: i32,
) -> QueryResult<i32> {
    let every = crate::db::interval(every);
    cached(
        diesel::sql_query("SELECT auth_write_quota($1, $2, $3, $4, $5) AS charged")
            .bind::<SqlUuid, _>(user)
            .bind::<SqlUuid, _>(session)
            .bind::<Integer, _>(token_version)
            .bind::<Interval, _>(every)
            .bind::<Integer, _>(burst),
    )
    .get_result::<Charged>(conn)
    .await
    .map(|c| c.charged)
}

pub async fn insert_refresh_token(
    conn: &mut Conn,
    session: SessionId,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    cached(diesel::insert_into(refresh_tokens::table).values((
        refresh_tokens::session_id.eq(session),
        refresh_tokens::token_hash.eq(token_hash),
        refresh_tokens::expires_at.eq(expires_at),
    )))
    .execute(conn)
    .await
    .map(|_| ())
}

/// What presenting a refresh token did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    Rotated {
        user: UserId,
        session: SessionId,
        token_version: i32,
        expires_at: DateTime<Utc>,
    },
    /// An already-used token came back: its session is now revoked.
    Reused {
        user: UserId,
    },
    Invalid,
}

#[derive(QueryableByName)]
struct RotationRow {
    #[diesel(sql_type = Text)]
    outcome: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    user_id: Option<UserId>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    session_id: Option<SessionId>,
    #[diesel(sql_type = Nullable<Integer>)]
    token_version: Option<i32>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    expires_at: Option<DateTime<Utc>>,
}

pub async fn rotate_refresh(
    conn: &mut Conn,
    old_hash: &[u8],
    new_hash: &[u8],
    new_expires: DateTime<Utc>,
) -> QueryResult<Rotation> {
    let row: RotationRow = cached(
        diesel::sql_query("SELECT * FROM auth_rotate_refresh($1, $2, $3)")
            .bind::<Bytea, _>(old_hash)
            .bind::<Bytea, _>(new_hash)
            .bind::<Timestamptz, _>(new_expires),
    )
    .get_result(conn)
    .await?;
    Ok(
        match (
            row.outcome.as_str(),
            row.user_id,
            row.session_id,
            row.token_version,
            row.expires_at,
        ) {
            ("rotated", Some(user), Some(session), Some(token_version), Some(expires_at)) => {
                Rotation::Rotated {
                    user,
                    session,
                    token_version,
                    expires_at,
                }
            }
            ("reused", Some(user), ..) => Rotation::Reused { user },
            _ => Rotation::Invalid,
        },
    )
}

/// Which sessions to end.
#[derive(Debug, Clone, Copy)]
pub enum Sessions {
    One(SessionId),
    AllOf(UserId),
}

/// Ends open sessions (their refresh and access tokens stop working at once). RLS
/// limits callers to their own sessions, administrators to any.
pub async fn revoke(conn: &mut Conn, which: Sessions, reason: &str) -> QueryResult<usize> {
    let target: Box<dyn BoxableExpression<sessions::table, Pg, SqlType = Bool>> = match which {
        Sessions::One(id) => Box::new(sessions::id.eq(id)),
        Sessions::AllOf(user) => Box::new(sessions::user_id.eq(user)),
    };
    cached(
        diesel::update(
            sessions::table
                .filter(target)
                .filter(sessions::revoked_at.is_null()),
        )
        .set((
            sessions::revoked_at.eq(diesel::dsl::now),
            sessions::revoked_reason.eq(reason),
        )),
    )
    .execute(conn)
    .await
}
