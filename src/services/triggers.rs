//! Repeat-missing triggers: evaluation (run inside whatever transaction changed a
//! person's episodes), the rules that drive it, and the coordinator's workflow:
//! acknowledge, record the plan, raise a referral, close.

pub use crate::db::triggers::{PlanRow, RuleRow, TriggerFilter, TriggerRow};
use chrono::{NaiveDate, Utc};
use futures_util::FutureExt;

use crate::db::triggers::{self as q, NewRule, RuleChanges, RuleVersionRow};
use crate::db::Tx;
use crate::domain::accounts::Role;
use crate::domain::audit::{AuditEvent, Operation};
use crate::domain::notify::Event;
use crate::domain::persons::is_child;
use crate::domain::referrals::ReferralReason;
use crate::domain::triggers::{
    check_transition, evaluate as decide, Condition, CountedEpisode, LiveTrigger, Rule, RuleKind,
    TriggerStatus,
};
use crate::error::{expect_version, AppError, OrStale};
use crate::ids::{AgencyId, DistrictId, EpisodeId, PersonId, ReferralId, TriggerId, TriggerRuleId};
use crate::notify::{self, Links, Outgoing};
use crate::services::agencies;
use crate::services::context::Ctx;
use crate::services::referrals::{self, Referral, ReferralInput};
use crate::startup::AppState;

const TRIGGER: &str = "trigger";
const RULE: &str = "trigger_rule";

/// Who manages rules (district MFHCs only their district's).
const RULE_MANAGERS: &[Role] = &[Role::Admin, Role::Mfhc];

fn rule_of(r: &RuleRow) -> Option<Rule> {
    Some(Rule {
        id: r.id,
        condition: Condition::from_parts(r.kind, r.min_episodes, r.within_days).ok()?,
        district_id: r.district_id,
        enabled: r.enabled,
    })
}

/// Re-evaluates every rule for `person` in the caller's transaction: fires what is now
/// satisfied, withdraws what has lost its basis, and tells the MFHCs what fired.
pub async fn evaluate(tx: &mut Tx, state: &AppState, person: PersonId) -> Result<(), AppError> {
    let rows = q::evaluation_rows(tx.conn(), person).await?;
    evaluate_read(tx, state, person, rows, None).await.map(drop)
}

/// As [`evaluate`], after `episode` was graded high: the MFHCs are already being told
/// that (with the confirmation it needs), so a high-risk trigger it raises goes into that
/// one email instead of a second. Returns that trigger, if one fired.
pub async fn evaluate_graded_high(
    tx: &mut Tx,
    state: &AppState,
    person: PersonId,
    episode: EpisodeId,
) -> Result<Option<TriggerId>, AppError> {
    let rows = q::evaluation_rows(tx.conn(), person).await?;
    evaluate_read(tx, state, person, rows, Some(episode)).await
}

/// As [`evaluate`] (or, with `graded_high`, [`evaluate_graded_high`]), from the rows
/// `db::triggers::evaluation_rows` read in this transaction: for a service that sent
/// that read with its own writes, in one round trip.
pub async fn evaluate_read(
    tx: &mut Tx,
    state: &AppState,
    person: PersonId,
    rows: q::EvaluationRows,
    graded_high: Option<EpisodeId>,
) -> Result<Option<TriggerId>, AppError> {
    let fired = evaluate_telling(tx, state, person, rows, graded_high).await?;
    Ok(fired
        .into_iter()
        .find(|f| f.kind == RuleKind::HighRisk && Some(f.anchor) == graded_high)
        .map(|f| f.id))
}

/// A trigger one evaluation fired.
struct Fired {
    id: TriggerId,
    kind: RuleKind,
    anchor: EpisodeId,
}

async fn evaluate_telling(
    tx: &mut Tx,
    state: &AppState,
    person: PersonId,
    rows: q::EvaluationRows,
    graded_high: Option<EpisodeId>,
) -> Result<Vec<Fired>, AppError> {
    let links = &state.links;
    let episodes: Vec<CountedEpisode> = rows
        .episodes
        .into_iter()
        .map(|e| CountedEpisode {
            id: e.episode_id,
            district_id: e.district_id,
            child: e
                .date_of_birth
                .map(|dob| is_child(dob, state.zone.date(e.reported_at))),
            reported_at: e.reported_at,
            out_of_area: e.out_of_area,
            ever_high: e.ever_high,
        })
        .collect();
    let rules: Vec<Rule> = rows.rules.iter().filter_map(rule_of).collect();
    let live: Vec<LiveTrigger> = rows
        .live
        .into_iter()
        .map(|t| LiveTrigger {
            id: t.id,
            rule_id: t.rule_id,
            kind: t.kind,
            status: t.status,
            anchor: t.anchor_episode_id,
            basis: t.basis_episode_ids,
        })
        .collect();
    let decision = decide(&rules, &episodes, &live);
    let mut withdrawn = Vec::new();
    for w in &decision.withdraw {
        if q::withdraw(tx.conn(), w.trigger_id, w.reason).await? {
            withdrawn.push(w.trigger_id.0);
        } else {
            tracing::warn!(trigger = %w.trigger_id, "the database kept a trigger evaluation withdrew");
        }
    }
    let mut fired = Vec::new();
    for f in &decision.fire {
        let id = TriggerId::new();
        let done = q::fire(tx.conn(), id, person, f).await?;
        if !done {
            tracing::warn!(rule = %f.rule_id, anchor = %f.anchor, "a trigger did not fire (rule disabled meanwhile, or already fired)");
        }
        if done {
            let district = episodes
                .iter()
                .find(|e| e.id == f.anchor)
                .map(|e| e.district_id);
            let condition = rules
                .iter()
                .find(|r| r.id == f.rule_id)
                .map(|r| r.condition);
            let told_already = condition.map(Condition::kind) == Some(RuleKind::HighRisk)
                && graded_high == Some(f.anchor);
            if let (Some(district), Some(condition), false) = (district, condition, told_already) {
                notify_fired(tx, links, id, district, condition).await?;
            }
            if let Some(c) = condition {
                fired.push(Fired {
                    id,
                    kind: c.kind(),
                    anchor: f.anchor,
                });
            }
        }
    }
    if !fired.is_empty() {
        tx.audit(AuditEvent::new(
            Operation::Collection,
            TRIGGER,
            std::iter::once(person.0).chain(fired.iter().map(|t| t.id.0)),
        ));
    }
    if !withdrawn.is_empty() {
        tx.audit(AuditEvent::new(
            Operation::Alteration,
            TRIGGER,
            std::iter::once(person.0).chain(withdrawn),
        ));
    }
    Ok(fired)
}

/// Tells the district's MFHCs a trigger fired, saying what fired it.
async fn notify_fired(
    tx: &mut Tx,
    links: &Links,
    id: TriggerId,
    district: DistrictId,
    condition: Condition,
) -> Result<(), AppError> {
    let to = notify::staff(tx, district, "mfhc").await?;
    let mut notice = notify::notice(
        Event::TriggerFired,
        notify::short_ref(notify::RefKind::Trigger, id.0),
        format!("a trigger fired on {}", condition.describe()),
        "Acknowledge the trigger and record the trigger plan",
        None,
        links.page(&format!("triggers/{id}")),
    );
    notice.headline = condition.headline();
    notify::enqueue(
        tx,
        Outgoing {
            notice,
            event_key: format!("trigger_fired:{id}"),
            record_type: TRIGGER,
            record_id: id.0,
        },
        to,
    )
    .await
    .map(drop)
}

// Rules --------------------------------------------------------------------------------------

/// A rule as asked for, already parsed.
#[derive(Debug, Clone)]
pub struct RuleInput {
    pub name: String,
    pub condition: Condition,
    pub district_id: Option<DistrictId>,
    pub enabled: bool,
    pub escalate_after_hours: i32,
}

/// A partial change, already parsed (thresholds are checked against the rule's kind).
#[derive(Debug, Clone, Default)]
pub struct RuleUpdate {
    pub name: Option<String>,
    pub min_episodes: Option<i32>,
    pub within_days: Option<i32>,
    pub district_id: Option<Option<DistrictId>>,
    pub enabled: Option<bool>,
    pub escalate_after_hours: Option<i32>,
}

/// A rule and every version of it, oldest first.
#[derive(Debug, Clone)]
pub struct RuleDetail {
    pub rule: RuleRow,
    pub versions: Vec<RuleVersionRow>,
}

/// District MFHCs manage only their own district's rules; admins and force-wide MFHCs
/// manage all, force-wide ones included.
fn check_rule_scope(tx: &Tx, district: Option<DistrictId>) -> Result<(), AppError> {
    let caller = tx.caller()?;
    caller.require_any(RULE_MANAGERS)?;
    match (caller.role, caller.district_id) {
        (Role::Mfhc, Some(own)) if district != Some(own) => Err(AppError::Forbidden(
            "a district MFHC manages only their own district's rules",
        )),
        _ => Ok(()),
    }
}

async fn check_district(tx: &mut Tx, district: Option<DistrictId>) -> Result<(), AppError> {
    if let Some(d) = district {
        if !crate::db::districts::missing(tx.conn(), &[d])
            .await?
            .is_empty()
        {
            return Err(AppError::field("district_id", "no such district"));
        }
    }
    Ok(())
}

#[tracing::instrument(name = "services::triggers::list_rules", skip_all)]
pub async fn list_rules(ctx: &Ctx) -> Result<Vec<RuleRow>, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?;
        Ok(q::rules(tx.conn()).await?)
    })
}

#[tracing::instrument(name = "services::triggers::get_rule", skip_all, fields(%id))]
pub async fn get_rule(ctx: &Ctx, id: TriggerRuleId) -> Result<RuleDetail, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?;
        let rule = q::find_rule(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound("no such trigger rule"))?;
        let versions = q::rule_versions(tx.conn(), id).await?;
        Ok(RuleDetail { rule, versions })
    })
}

#[tracing::instrument(name = "services::triggers::create_rule", skip_all)]
pub async fn create_rule(ctx: &Ctx, r: RuleInput) -> Result<RuleDetail, AppError> {
    crate::in_tx!(ctx, |tx| {
        check_rule_scope(&tx, r.district_id)?;
        check_district(&mut tx, r.district_id).await?;
        let (min_episodes, within_days) = match r.condition {
            Condition::EpisodesWithin { min, days } => (Some(min as i32), Some(days as i32)),
            _ => (None, None),
        };
        let by = tx.caller()?.user_id;
        let rule = q::insert_rule(
            tx.conn(),
            &NewRule {
                id: TriggerRuleId::new(),
                name: r.name,
                kind: r.condition.kind(),
                min_episodes,
                within_days,
                district_id: r.district_id,
                enabled: r.enabled,
                escalate_after_hours: r.escalate_after_hours,
                created_by: by,
            },
        )
        .await?;
        tx.audit(AuditEvent::new(Operation::Collection, RULE, [rule.id.0]));
        let versions = q::rule_versions(tx.conn(), rule.id).await?;
        Ok(RuleDetail { rule, versions })
    })
}

#[tracing::instrument(name = "services::triggers::update_rule", skip_all, fields(%id))]
pub async fn update_rule(
    ctx: &Ctx,
    id: TriggerRuleId,
    expected_version: i32,
    u: RuleUpdate,
) -> Result<RuleDetail, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_any(RULE_MANAGERS)?;
        let current = q::find_rule(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound("no such trigger rule"))?;
        check_rule_scope(&tx, current.district_id)?;
        let district = u.district_id.unwrap_or(current.district_id);
        check_rule_scope(&tx, district)?;
        check_district(&mut tx, district).await?;
        Condition::from_parts(
            current.kind,
            u.min_episodes.or(current.min_episodes),
            u.within_days.or(current.within_days),
        )
        .map_err(|(f, m)| AppError::field(f, m))?;
        expect_version(current.version, expected_version)?;
        let changes = RuleChanges {
            name: u.name,
            min_episodes: u.min_episodes,
            within_days: u.within_days,
            district_id: u.district_id,
            enabled: u.enabled,
            escalate_after_hours: u.escalate_after_hours,
        };
        let rule = q::update_rule(tx.conn(), id, expected_version, &changes)
            .await?
            .or_stale()?;
        tx.audit(AuditEvent::alteration(RULE, id.0));
        let versions = q::rule_versions(tx.conn(), id).await?;
        Ok(RuleDetail { rule, versions })
    })
}

// Triggers -----------------------------------------------------------------------------------

/// A trigger with its plan and the referral raised from it, as far as the caller may see.
#[derive(Debug, Clone)]
pub struct Trigger {
    pub row: TriggerRow,
    pub plan: Option<PlanRow>,
    pub referral_id: Option<ReferralId>,
}

async fn full(tx: &mut Tx, row: TriggerRow) -> Result<Trigger, AppError> {
    let plan = q::find_plan(tx.conn(), row.id).await?;
    let referral_id = crate::db::referrals::find_by_trigger(tx.conn(), row.id)
        .await?
        .map(|r| r.id);
    Ok(Trigger {
        row,
        plan,
        referral_id,
    })
}

/// The trigger if the caller may see it; 404 otherwise (never revealing that it exists).
async fn visible(tx: &mut Tx, id: TriggerId) -> Result<TriggerRow, AppError> {
    let caller = tx.caller()?;
    if !caller.is_partner() {
        caller.require_case_worker()?;
    }
    q::find(tx.conn(), id)
        .await?
        .ok_or(AppError::NotFound("no such trigger"))
}

/// The visible trigger at `expected_version`, for an MFHC of its district to change.
async fn for_update(
    tx: &mut Tx,
    id: TriggerId,
    expected_version: Option<i32>,
) -> Result<TriggerRow, AppError> {
    tx.caller()?.require_any(&[Role::Mfhc])?;
    let row = visible(tx, id).await?;
    if !tx.caller()?.covers(row.district_id) {
        return Err(AppError::Forbidden(
            "only the MFHC of the trigger's district works it",
        ));
    }
    if let Some(v) = expected_version {
        expect_version(row.version, v)?;
    }
    Ok(row)
}

fn illegal(from: TriggerStatus, to: TriggerStatus, allowed: &[TriggerStatus]) -> AppError {
    AppError::IllegalTransition {
        from: from.as_str(),
        to: to.as_str(),
        allowed: allowed.iter().map(|s| s.as_str()).collect(),
    }
}

async fn move_to(
    tx: &mut Tx,
    current: &TriggerRow,
    to: TriggerStatus,
    note: Option<&str>,
) -> Result<TriggerRow, AppError> {
    check_transition(current.status, to).map_err(|allowed| illegal(current.status, to, allowed))?;
    let by = tx.caller()?.user_id;
    q::set_status(tx.conn(), current.id, current.version, to, by, note)
        .await?
        .or_stale()
}

#[tracing::instrument(name = "services::triggers::list", skip_all)]
pub async fn list(
    ctx: &Ctx,
    filter: TriggerFilter,
    limit: i64,
) -> Result<Vec<TriggerRow>, AppError> {
    ctx.read_at_once(
        None,
        crate::domain::caller::Caller::require_case_worker,
        move |conn| async move { q::list(conn, &filter, limit).await }.boxed(),
        super::consulted_rows(TRIGGER, |r: &TriggerRow| r.id.0),
    )
    .await
}

#[tracing::instrument(name = "services::triggers::get", skip_all, fields(%id))]
pub async fn get(ctx: &Ctx, id: TriggerId) -> Result<Trigger, AppError> {
    crate::in_tx!(ctx, read_only, |tx| {
        tx.one_record("triggers", id.0).await?;
        let row = visible(&mut tx, id).await?;
        tx.audit(AuditEvent::consultation(TRIGGER, [id.0, row.person_id.0]));
        full(&mut tx, row).await
    })
}

#[tracing::instrument(name = "services::triggers::acknowledge", skip_all, fields(%id))]
pub async fn acknowledge(
    ctx: &Ctx,
    id: TriggerId,
    expected_version: i32,
) -> Result<Trigger, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("triggers", id.0).await?;
        let current = for_update(&mut tx, id, Some(expected_version)).await?;
        let row = move_to(&mut tx, &current, TriggerStatus::Acknowledged, None).await?;
        tx.audit(AuditEvent::alteration(TRIGGER, id.0));
        full(&mut tx, row).await
    })
}

/// The trigger plan as given, already parsed.
#[derive(Debug, Clone)]
pub struct PlanInput {
    pub summary: String,
    pub agency_ids: Vec<AgencyId>,
    pub review_on: NaiveDate,
}

/// Records the trigger plan (or replaces it): the trigger moves to `plan_recorded`.
#[tracing::instrument(name = "services::triggers::put_plan", skip_all, fields(%id))]
pub async fn put_plan(
    ctx: &Ctx,
    id: TriggerId,
    expected_version: i32,
    p: PlanInput,
) -> Result<Trigger, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("triggers", id.0).await?;
        let current = for_update(&mut tx, id, Some(expected_version)).await?;
        check_transition(current.status, TriggerStatus::PlanRecorded)
            .map_err(|allowed| illegal(current.status, TriggerStatus::PlanRecorded, allowed))?;
        if p.review_on < ctx.app.zone.today(Utc::now()) {
            return Err(AppError::field(
                "review_on",
                "the review date has already passed",
            ));
        }
        agencies::check_active(&mut tx, "agency_ids", &p.agency_ids).await?;
        let now = Utc::now();
        let by = tx.caller()?.user_id;
        q::put_plan(
            tx.conn(),
            &PlanRow {
                trigger_id: id,
                summary: p.summary,
                agency_ids: p.agency_ids,
                review_on: p.review_on,
                version: 1,
                recorded_by: by,
                recorded_at: now,
                updated_at: now,
            },
        )
        .await?;
        let row = move_to(&mut tx, &current, TriggerStatus::PlanRecorded, None).await?;
        tx.audit(AuditEvent::alteration(TRIGGER, id.0));
        full(&mut tx, row).await
    })
}

#[tracing::instrument(name = "services::triggers::close", skip_all, fields(%id))]
pub async fn close(
    ctx: &Ctx,
    id: TriggerId,
    expected_version: i32,
    note: String,
) -> Result<Trigger, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("triggers", id.0).await?;
        let current = for_update(&mut tx, id, Some(expected_version)).await?;
        let row = move_to(&mut tx, &current, TriggerStatus::Closed, Some(&note)).await?;
        tx.audit(AuditEvent::alteration(TRIGGER, id.0));
        full(&mut tx, row).await
    })
}

/// The referral reason a trigger's kind suggests.
fn reason_for(kind: RuleKind, row: &TriggerRow) -> ReferralReason {
    match kind {
        RuleKind::FirstTimeChild => ReferralReason::FirstTimeMissing,
        RuleKind::EpisodesWithin
            if row.window_end - row.window_start <= chrono::Duration::days(7) =>
        {
            ReferralReason::SuddenMultipleMissing
        }
        RuleKind::EpisodesWithin => ReferralReason::RepeatMissing,
        RuleKind::OutOfAreaPlacement | RuleKind::HighRisk => ReferralReason::Other,
    }
}

/// What a referral raised from a trigger needs beyond the trigger itself.
#[derive(Debug, Clone)]
pub struct RaiseInput {
    /// Defaults to the reason the trigger's kind suggests.
    pub reasons: Vec<ReferralReason>,
    pub summary: String,
    pub lawful_basis: String,
}

/// Raises an Early Action referral from an acknowledged trigger, in one call.
#[tracing::instrument(name = "services::triggers::raise_referral", skip_all, fields(%id))]
pub async fn raise_referral(ctx: &Ctx, id: TriggerId, r: RaiseInput) -> Result<Referral, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("triggers", id.0).await?;
        let trigger = for_update(&mut tx, id, None).await?;
        if !matches!(
            trigger.status,
            TriggerStatus::Acknowledged | TriggerStatus::PlanRecorded
        ) {
            return Err(AppError::Conflict(format!(
                "a referral is raised from an acknowledged trigger; this one is {}",
                trigger.status
            )));
        }
        let reasons = if r.reasons.is_empty() {
            vec![reason_for(trigger.kind, &trigger)]
        } else {
            r.reasons
        };
        let row = referrals::insert(
            &mut tx,
            ReferralInput {
                person_id: trigger.person_id,
                district_id: Some(trigger.district_id),
                source: crate::domain::referrals::ReferralSource::MissingTrigger,
                source_agency_id: None,
                trigger_id: Some(id),
                reasons,
                summary: r.summary,
                lawful_basis: r.lawful_basis,
            },
        )
        .await?;
        referrals::full(&mut tx, row).await
    })
}
