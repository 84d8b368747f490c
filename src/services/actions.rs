//! Partner actions: set by case workers on an episode, a trigger (its plan) or a
//! referral, owned by an agency; the owning agency's partners move them on.

pub use crate::db::actions::{ActionFilter, ActionRow};
use chrono::{NaiveDate, Utc};
use futures_util::FutureExt;

use crate::db::actions::{self as q, ActionChanges, NewAction};
use crate::db::Tx;
use crate::domain::actions::{check_due, ActionStatus};
use crate::domain::audit::{AuditEvent, Operation};
use crate::domain::episodes::EpisodeStatus;
use crate::error::{expect_version, AppError, OrStale};
use crate::ids::{ActionId, AgencyId, DistrictId, EpisodeId, ReferralId, TriggerId, UserId};
use crate::services::agencies::check_active;
use crate::services::alerts;
use crate::services::context::Ctx;

const ACTION: &str = "action";

/// The record an action belongs to.
#[derive(Debug, Clone, Copy)]
pub enum Parent {
    Episode(EpisodeId),
    Trigger(TriggerId),
    Referral(ReferralId),
}

/// A new action, already parsed.
#[derive(Debug, Clone)]
pub struct ActionInput {
    pub parent: Parent,
    pub owner_agency_id: AgencyId,
    pub owner_user_id: Option<UserId>,
    pub description: String,
    pub due_on: NaiveDate,
}

/// A change, already parsed. Partners may change only `status`, `outcome` and
/// `owner_user_id` (within their agency).
#[derive(Debug, Clone, Default)]
pub struct ActionUpdate {
    pub status: Option<ActionStatus>,
    pub outcome: Option<String>,
    pub description: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub owner_agency_id: Option<AgencyId>,
    pub owner_user_id: Option<Option<UserId>>,
}

/// The parent's district, if the caller can see a parent that can still take actions.
async fn parent_district(tx: &mut Tx, parent: Parent) -> Result<DistrictId, AppError> {
    match parent {
        Parent::Episode(id) => {
            let e = crate::db::episodes::find(tx.conn(), id)
                .await?
                .ok_or_else(|| AppError::field("episode_id", "no such episode"))?;
            if e.status == EpisodeStatus::Cancelled {
                return Err(AppError::Conflict(
                    "the episode was cancelled: it takes no actions".into(),
                ));
            }
            Ok(e.district_id)
        }
        Parent::Trigger(id) => {
            let t = crate::db::triggers::find(tx.conn(), id)
                .await?
                .ok_or_else(|| AppError::field("trigger_id", "no such trigger"))?;
            if !t.status.is_live() {
                return Err(AppError::Conflict(format!(
                    "the trigger is {}: it takes no more actions",
                    t.status
                )));
            }
            Ok(t.district_id)
        }
        Parent::Referral(id) => {
            let r = crate::db::referrals::find(tx.conn(), id)
                .await?
                .ok_or_else(|| AppError::field("referral_id", "no such referral"))?;
            if r.status.next().is_empty() {
                return Err(AppError::Conflict(format!(
                    "the referral is {}: it takes no more actions",
                    r.status
                )));
            }
            Ok(r.district_id)
        }
    }
}

/// A named owner must be an active user of the owning agency.
async fn check_owner_user(
    tx: &mut Tx,
    user: Option<UserId>,
    agency: AgencyId,
) -> Result<(), AppError> {
    match user {
        Some(u) if !q::user_in_agency(tx.conn(), u, agency).await? => Err(AppError::field(
            "owner_user_id",
            "no active user of the owning agency has this id",
        )),
        _ => Ok(()),
    }
}

#[tracing::instrument(name = "services::actions::create", skip_all)]
pub async fn create(ctx: &Ctx, a: ActionInput) -> Result<ActionRow, AppError> {
    crate::in_tx!(ctx, |tx| {
        let caller = tx.caller()?.clone();
        caller.require_case_worker()?;
        check_due(a.due_on, ctx.app.zone.today(Utc::now()))
            .map_err(|m| AppError::field("due_on", m))?;
        let district = parent_district(&mut tx, a.parent).await?;
        if !caller.covers(district) {
            return Err(AppError::Forbidden(
                "actions are set by the district that owns the record",
            ));
        }
        check_active(&mut tx, "owner_agency_id", &[a.owner_agency_id]).await?;
        check_owner_user(&mut tx, a.owner_user_id, a.owner_agency_id).await?;
        let (episode_id, trigger_id, referral_id) = match a.parent {
            Parent::Episode(e) => (Some(e), None, None),
            Parent::Trigger(t) => (None, Some(t), None),
            Parent::Referral(r) => (None, None, Some(r)),
        };
        let row = q::insert(
            tx.conn(),
            &NewAction {
                id: ActionId::new(),
                episode_id,
                trigger_id,
                referral_id,
                district_id: district,
                owner_agency_id: a.owner_agency_id,
                owner_user_id: a.owner_user_id,
                description: a.description,
                due_on: a.due_on,
                created_by: caller.user_id,
                updated_by: caller.user_id,
            },
        )
        .await?;
        tx.audit(AuditEvent::new(Operation::Collection, ACTION, [row.id.0]));
        alerts::action_assigned(
            &mut tx,
            &ctx.app.links,
            row.id,
            row.version,
            row.owner_agency_id,
            row.owner_user_id,
            row.due_on,
        )
        .await?;
        Ok(row)
    })
}

/// The action if the caller may see it (a partner: only its agency's); 404 otherwise.
async fn visible(tx: &mut Tx, id: ActionId) -> Result<ActionRow, AppError> {
    let caller = tx.caller()?;
    if !caller.is_partner() {
        caller.require_case_worker()?;
    }
    q::find(tx.conn(), id)
        .await?
        .ok_or(AppError::NotFound("no such action"))
}

#[tracing::instrument(name = "services::actions::get", skip_all, fields(%id))]
pub async fn get(ctx: &Ctx, id: ActionId) -> Result<ActionRow, AppError> {
    crate::in_tx!(ctx, read_only, |tx| {
        tx.one_record("actions", id.0).await?;
        let row = visible(&mut tx, id).await?;
        tx.audit(AuditEvent::consultation(ACTION, [id.0]));
        Ok(row)
    })
}

#[tracing::instrument(name = "services::actions::list", skip_all)]
pub async fn list(
    ctx: &Ctx,
    mut filter: ActionFilter,
    limit: i64,
) -> Result<Vec<ActionRow>, AppError> {
    filter.today = Some(ctx.app.zone.today(Utc::now()));
    ctx.read_at_once(
        None,
        |caller| match caller.is_partner() {
            true => Ok(()),
            false => caller.require_case_worker(),
        },
        move |conn| async move { q::list(conn, &filter, limit).await }.boxed(),
        super::consulted_rows(ACTION, |r: &ActionRow| r.id.0),
    )
    .await
}

#[tracing::instrument(name = "services::actions::update", skip_all, fields(%id))]
pub async fn update(
    ctx: &Ctx,
    id: ActionId,
    expected_version: i32,
    u: ActionUpdate,
) -> Result<ActionRow, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("actions", id.0).await?;
        let caller = tx.caller()?.clone();
        let current = visible(&mut tx, id).await?;
        if caller.is_partner() {
            if u.description.is_some() || u.due_on.is_some() || u.owner_agency_id.is_some() {
                return Err(AppError::Forbidden(
                    "partners change only the status, outcome and named owner of their agency's actions",
                ));
            }
        } else if !caller.covers(current.district_id) {
            return Err(AppError::Forbidden(
                "actions are changed by the district that set them",
            ));
        }
        expect_version(current.version, expected_version)?;
        if current.status.is_finished() {
            return Err(AppError::Conflict(format!(
                "the action is {}: it no longer changes",
                current.status
            )));
        }
        let mut changes = ActionChanges {
            description: u.description,
            due_on: u.due_on,
            owner_agency_id: u.owner_agency_id,
            owner_user_id: u.owner_user_id,
            status: None,
            outcome: None,
            completed_at: None,
            updated_by: caller.user_id,
        };
        if let Some(due) = u.due_on {
            check_due(due, ctx.app.zone.today(Utc::now()))
                .map_err(|m| AppError::field("due_on", m))?;
        }
        let agency = u.owner_agency_id.unwrap_or(current.owner_agency_id);
        if let Some(a) = u.owner_agency_id {
            check_active(&mut tx, "owner_agency_id", &[a]).await?;
        }
        // A new agency drops the named owner unless one of its users is named. Only a
        // newly named owner is checked (one since deactivated does not block updates).
        match u.owner_user_id {
            Some(o) => check_owner_user(&mut tx, o, agency).await?,
            None if agency != current.owner_agency_id => changes.owner_user_id = Some(None),
            None => {}
        }
        match u.status.filter(|s| *s != current.status) {
            Some(to) if !current.status.next().contains(&to) => {
                return Err(AppError::IllegalTransition {
                    from: current.status.as_str(),
                    to: to.as_str(),
                    allowed: current.status.next().iter().map(|s| s.as_str()).collect(),
                })
            }
            Some(to) if to.is_finished() => {
                let outcome = u.outcome.ok_or_else(|| {
                    AppError::field(
                        "outcome",
                        "say what came of it (done) or why not (cancelled)",
                    )
                })?;
                changes.status = Some(to);
                changes.outcome = Some(outcome);
                changes.completed_at = Some(Utc::now());
            }
            Some(to) => {
                if u.outcome.is_some() {
                    return Err(AppError::field(
                        "outcome",
                        "an outcome is recorded when the action is done or cancelled",
                    ));
                }
                changes.status = Some(to);
            }
            None if u.outcome.is_some() => {
                return Err(AppError::field(
                    "outcome",
                    "an outcome is recorded when the action is done or cancelled",
                ))
            }
            None => {}
        }
        let row = q::update(tx.conn(), id, expected_version, &changes)
            .await?
            .or_stale()?;
        tx.audit(AuditEvent::alteration(ACTION, id.0));
        if row.owner_agency_id != current.owner_agency_id
            || (row.owner_user_id.is_some() && row.owner_user_id != current.owner_user_id)
        {
            alerts::action_assigned(
                &mut tx,
                &ctx.app.links,
                row.id,
                row.version,
                row.owner_agency_id,
                row.owner_user_id,
                row.due_on,
            )
            .await?;
        }
        Ok(row)
    })
}
