//! Queries on partner actions.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;

use super::schema::actions;
use super::Conn;
use crate::db::cached;
use crate::domain::actions::ActionStatus;
use crate::ids::{ActionId, AgencyId, DistrictId, EpisodeId, ReferralId, TriggerId, UserId};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = actions)]
pub struct ActionRow {
    pub id: ActionId,
    pub episode_id: Option<EpisodeId>,
    pub trigger_id: Option<TriggerId>,
    pub referral_id: Option<ReferralId>,
    pub district_id: DistrictId,
    pub owner_agency_id: AgencyId,
    pub owner_user_id: Option<UserId>,
    pub description: String,
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    pub outcome: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_by: UserId,
    pub updated_at: DateTime<Utc>,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = actions)]
pub struct NewAction {
    pub id: ActionId,
    pub episode_id: Option<EpisodeId>,
    pub trigger_id: Option<TriggerId>,
    pub referral_id: Option<ReferralId>,
    pub district_id: DistrictId,
    pub owner_agency_id: AgencyId,
    pub owner_user_id: Option<UserId>,
    pub description: String,
    pub due_on: NaiveDate,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// A partial change; `updated_by` is always set.
#[derive(AsChangeset, Debug)]
#[diesel(table_name = actions)]
pub struct ActionChanges {
    pub description: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub owner_agency_id: Option<AgencyId>,
    pub owner_user_id: Option<Option<UserId>>,
    pub status: Option<ActionStatus>,
    pub outcome: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub updated_by: UserId,
}

pub async fn insert(conn: &mut Conn, new: &NewAction) -> QueryResult<ActionRow> {
    cached(
        diesel::insert_into(actions::table)
            .values(new)
            .returning(ActionRow::as_returning()),
    )
    .get_result(conn)
    .await
}

pub async fn find(conn: &mut Conn, id: ActionId) -> QueryResult<Option<ActionRow>> {
    actions::table
        .find(id)
        .select(ActionRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// `None` when no row matched `expected_version` (or the caller may not change it).
pub async fn update(
    conn: &mut Conn,
    id: ActionId,
    expected_version: i32,
    changes: &ActionChanges,
) -> QueryResult<Option<ActionRow>> {
    update_versioned!(conn, actions, id, expected_version, ActionRow, changes)
}

#[derive(Debug, Default, Clone)]
pub struct ActionFilter {
    pub agency_id: Option<AgencyId>,
    pub district_id: Option<DistrictId>,
    pub status: Option<ActionStatus>,
    pub episode_id: Option<EpisodeId>,
    pub trigger_id: Option<TriggerId>,
    pub referral_id: Option<ReferralId>,
    /// `Some(true)`: unfinished and due before `today`.
    pub overdue: Option<bool>,
    pub today: Option<NaiveDate>,
    /// The id suffix of a short reference (`ACT-ED58971A` → `ed58971a`).
    pub reference: Option<String>,
    /// Keyset: strictly after this (due_on, id) in due-date order.
    pub after: Option<(NaiveDate, ActionId)>,
}

/// Soonest due first.
pub async fn list(conn: &Conn, f: &ActionFilter, limit: i64) -> QueryResult<Vec<ActionRow>> {
    let mut q = actions::table
        .select(ActionRow::as_select())
        .order((actions::due_on, actions::id))
        .limit(limit)
        .into_boxed();
    if let Some(a) = f.agency_id {
        q = q.filter(actions::owner_agency_id.eq(a));
    }
    if let Some(d) = f.district_id {
        q = q.filter(actions::district_id.eq(d));
    }
    if let Some(s) = f.status {
        q = q.filter(actions::status.eq(s));
    }
    if let Some(e) = f.episode_id {
        q = q.filter(actions::episode_id.eq(e));
    }
    if let Some(t) = f.trigger_id {
        q = q.filter(actions::trigger_id.eq(t));
    }
    if let Some(r) = f.referral_id {
        q = q.filter(actions::referral_id.eq(r));
    }
    if let Some(r) = &f.reference {
        q = q.filter(super::short_ref_is("actions.id", r));
    }
    if let (Some(overdue), Some(today)) = (f.overdue, f.today) {
        let unfinished = actions::status.eq_any([ActionStatus::Open, ActionStatus::InProgress]);
        let late = unfinished.and(actions::due_on.lt(today));
        q = if overdue {
            q.filter(late)
        } else {
            q.filter(diesel::dsl::not(late))
        };
    }
    if let Some((due, id)) = f.after {
        q = q.filter(
            actions::due_on
                .gt(due)
                .or(actions::due_on.eq(due).and(actions::id.gt(id))),
        );
    }
    let mut on: &Conn = conn;
    q.load(&mut on).await
}

#[derive(QueryableByName)]
struct Member {
    #[diesel(sql_type = Bool)]
    member: bool,
}

/// Whether `user` is an active user of `agency` (users are otherwise admin-only).
pub async fn user_in_agency(conn: &mut Conn, user: UserId, agency: AgencyId) -> QueryResult<bool> {
    let r: Member = cached(
        diesel::sql_query("SELECT hw_user_in_agency($1, $2) AS member")
            .bind::<SqlUuid, _>(user)
            .bind::<SqlUuid, _>(agency),
    )
    .get_result(conn)
    .await?;
    Ok(r.member)
}
