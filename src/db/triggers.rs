//! Queries on trigger rules (and their versions), triggers and trigger plans. Firing and
//! withdrawing go through the SECURITY DEFINER evaluation functions, since a person's
//! episodes and triggers span districts the caller may not see.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Date, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use super::schema::{trigger_plans, trigger_rule_versions, trigger_rules, triggers};
use super::Conn;
use crate::db::cached;
use crate::domain::triggers::{Firing, RuleKind, TriggerStatus};
use crate::ids::{AgencyId, DistrictId, EpisodeId, PersonId, TriggerId, TriggerRuleId, UserId};

// Rules ----------------------------------------------------------------------------------

#[derive(Queryable, Selectable, Debug, Clone, Serialize, ToSchema)]
#[diesel(table_name = trigger_rules)]
#[schema(as = RuleResponse)]
pub struct RuleRow {
    pub id: TriggerRuleId,
    #[schema(example = "Sudden multiple: 2 episodes within 7 days")]
    pub name: String,
    pub kind: RuleKind,
    /// `episodes_within` only.
    pub min_episodes: Option<i32>,
    /// `episodes_within` only.
    pub within_days: Option<i32>,
    /// `null`: force-wide.
    pub district_id: Option<DistrictId>,
    pub enabled: bool,
    /// An unacknowledged trigger escalates this many hours after it fired.
    pub escalate_after_hours: i32,
    pub version: i32,
    /// `null` for the seeded defaults.
    pub created_by: Option<UserId>,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub updated_at: DateTime<Utc>,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = trigger_rules)]
pub struct NewRule {
    pub id: TriggerRuleId,
    pub name: String,
    pub kind: RuleKind,
    pub min_episodes: Option<i32>,
    pub within_days: Option<i32>,
    pub district_id: Option<DistrictId>,
    pub enabled: bool,
    pub escalate_after_hours: i32,
    pub created_by: UserId,
}

/// A partial change; the kind of a rule never changes.
#[derive(AsChangeset, Debug, Default)]
#[diesel(table_name = trigger_rules)]
pub struct RuleChanges {
    pub name: Option<String>,
    pub min_episodes: Option<i32>,
    pub within_days: Option<i32>,
    pub district_id: Option<Option<DistrictId>>,
    pub enabled: Option<bool>,
    pub escalate_after_hours: Option<i32>,
}

pub async fn rules(mut conn: &Conn) -> QueryResult<Vec<RuleRow>> {
    trigger_rules::table
        .select(RuleRow::as_select())
        .order((trigger_rules::name, trigger_rules::id))
        .load(&mut conn)
        .await
}

pub async fn find_rule(conn: &mut Conn, id: TriggerRuleId) -> QueryResult<Option<RuleRow>> {
    trigger_rules::table
        .find(id)
        .select(RuleRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn insert_rule(conn: &mut Conn, new: &NewRule) -> QueryResult<RuleRow> {
    cached(
        diesel::insert_into(trigger_rules::table)
            .values(new)
            .returning(RuleRow::as_returning()),
    )
    .get_result(conn)
    .await
}

/// `None` when no row matched (missing, not the caller's to change, or changed since
/// `expected_version`).
pub async fn update_rule(
    conn: &mut Conn,
    id: TriggerRuleId,
    expected_version: i32,
    changes: &RuleChanges,
) -> QueryResult<Option<RuleRow>> {
    update_versioned!(conn, trigger_rules, id, expected_version, RuleRow, changes)
}

#[derive(Queryable, Debug, Clone)]
pub struct RuleVersionRow {
    pub version: i32,
    pub content: serde_json::Value,
    pub changed_by: Option<UserId>,
    pub changed_at: DateTime<Utc>,
}

/// Every version of a rule, oldest first.
pub async fn rule_versions(conn: &mut Conn, id: TriggerRuleId) -> QueryResult<Vec<RuleVersionRow>> {
    trigger_rule_versions::table
        .filter(trigger_rule_versions::rule_id.eq(id))
        .select((
            trigger_rule_versions::version,
            trigger_rule_versions::content,
            trigger_rule_versions::changed_by,
            trigger_rule_versions::changed_at,
        ))
        .order(trigger_rule_versions::version)
        .load(conn)
        .await
}

// Evaluation -----------------------------------------------------------------------------

#[derive(QueryableByName, Debug, Clone)]
pub struct InputRow {
    #[diesel(sql_type = SqlUuid)]
    pub episode_id: EpisodeId,
    #[diesel(sql_type = SqlUuid)]
    pub district_id: DistrictId,
    #[diesel(sql_type = Timestamptz)]
    pub reported_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Date>)]
    pub date_of_birth: Option<NaiveDate>,
    #[diesel(sql_type = Bool)]
    pub out_of_area: bool,
    #[diesel(sql_type = Bool)]
    pub ever_high: bool,
}

/// The person's counted episodes, all districts; locks the person for the transaction.
pub async fn inputs(mut conn: &Conn, person: PersonId) -> QueryResult<Vec<InputRow>> {
    cached(diesel::sql_query("SELECT * FROM hw_trigger_inputs($1)").bind::<SqlUuid, _>(person))
        .load(&mut conn)
        .await
}

#[derive(QueryableByName, Debug, Clone)]
pub struct LiveRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: TriggerId,
    #[diesel(sql_type = SqlUuid)]
    pub rule_id: TriggerRuleId,
    #[diesel(sql_type = Text)]
    pub kind: RuleKind,
    #[diesel(sql_type = Text)]
    pub status: TriggerStatus,
    #[diesel(sql_type = SqlUuid)]
    pub anchor_episode_id: EpisodeId,
    #[diesel(sql_type = Array<SqlUuid>)]
    pub basis_episode_ids: Vec<EpisodeId>,
}

/// The person's triggers that are not withdrawn, all districts.
pub async fn live(mut conn: &Conn, person: PersonId) -> QueryResult<Vec<LiveRow>> {
    cached(diesel::sql_query("SELECT * FROM hw_trigger_live($1)").bind::<SqlUuid, _>(person))
        .load(&mut conn)
        .await
}

/// What an evaluation reads of a person: their counted episodes (`inputs`, which locks
/// the person), the rules, and their live triggers.
#[derive(Debug)]
pub struct EvaluationRows {
    pub episodes: Vec<InputRow>,
    pub rules: Vec<RuleRow>,
    pub live: Vec<LiveRow>,
}

/// An evaluation's three reads in one round trip, the person locked first; sent after
/// whatever was sent before on `conn` (`db::pipelined`), so they see it.
pub async fn evaluation_rows(conn: &Conn, person: PersonId) -> QueryResult<EvaluationRows> {
    let (episodes, (rules, live)) = super::pipelined(
        inputs(conn, person),
        super::pipelined(self::rules(conn), self::live(conn, person)),
    )
    .await;
    Ok(EvaluationRows {
        episodes: episodes?,
        rules: rules?,
        live: live?,
    })
}

#[derive(QueryableByName)]
struct Done {
    #[diesel(sql_type = Bool)]
    done: bool,
}

/// Fires `f` as trigger `id`; false if a live trigger for its rule and anchor exists.
pub async fn fire(
    conn: &mut Conn,
    id: TriggerId,
    person: PersonId,
    f: &Firing,
) -> QueryResult<bool> {
    let r: Done = cached(
        diesel::sql_query("SELECT hw_trigger_fire($1, $2, $3, $4, $5, $6, $7) AS done")
            .bind::<SqlUuid, _>(id)
            .bind::<SqlUuid, _>(person)
            .bind::<SqlUuid, _>(f.rule_id)
            .bind::<SqlUuid, _>(f.anchor)
            .bind::<Array<SqlUuid>, _>(&f.basis)
            .bind::<Timestamptz, _>(f.window_start)
            .bind::<Timestamptz, _>(f.window_end),
    )
    .get_result(conn)
    .await?;
    Ok(r.done)
}

/// Withdraws a trigger whose basis has gone (the database checks that it has).
pub async fn withdraw(conn: &mut Conn, id: TriggerId, reason: &str) -> QueryResult<bool> {
    let r: Done = cached(
        diesel::sql_query("SELECT hw_trigger_withdraw($1, $2) AS done")
            .bind::<SqlUuid, _>(id)
            .bind::<Text, _>(reason),
    )
    .get_result(conn)
    .await?;
    Ok(r.done)
}

// Triggers ---------------------------------------------------------------------------------

#[derive(Queryable, Selectable, Debug, Clone, Serialize, ToSchema)]
#[diesel(table_name = triggers)]
#[schema(as = TriggerRecord)]
pub struct TriggerRow {
    pub id: TriggerId,
    pub person_id: PersonId,
    pub rule_id: TriggerRuleId,
    /// The rule's version when it fired.
    pub rule_version: i32,
    pub kind: RuleKind,
    /// The district of the episode that fired it; its MFHC works it.
    pub district_id: DistrictId,
    /// The latest episode of the basis.
    pub anchor_episode_id: EpisodeId,
    /// The episodes that caused it.
    pub basis_episode_ids: Vec<EpisodeId>,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub window_start: DateTime<Utc>,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub window_end: DateTime<Utc>,
    pub status: TriggerStatus,
    /// The district's MFHC when it fired.
    pub assigned_to: Option<UserId>,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub fired_at: DateTime<Utc>,
    #[serde(skip)]
    pub escalation_due_at: DateTime<Utc>,
    #[serde(skip)]
    pub escalated_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<UserId>,
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<UserId>,
    pub closure_note: Option<String>,
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Why evaluation withdrew it (its basis disappeared).
    pub withdrawn_reason: Option<String>,
    pub version: i32,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub updated_at: DateTime<Utc>,
}

pub async fn find(conn: &mut Conn, id: TriggerId) -> QueryResult<Option<TriggerRow>> {
    triggers::table
        .find(id)
        .select(TriggerRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Triggers by id, as far as the caller may see them.
pub async fn find_many(conn: &mut Conn, ids: &[TriggerId]) -> QueryResult<Vec<TriggerRow>> {
    triggers::table
        .filter(triggers::id.eq_any(ids))
        .select(TriggerRow::as_select())
        .order((triggers::fired_at, triggers::id))
        .load(conn)
        .await
}

#[derive(Debug, Default, Clone)]
pub struct TriggerFilter {
    pub status: Option<TriggerStatus>,
    pub district_id: Option<DistrictId>,
    pub person_id: Option<PersonId>,
    pub rule_id: Option<TriggerRuleId>,
    pub kind: Option<RuleKind>,
    /// `Some(true)`: escalated (recorded, or open past the escalation time).
    pub escalated: Option<bool>,
    /// The id suffix of a short reference (`TRG-7C842753` → `7c842753`).
    pub reference: Option<String>,
    /// Keyset: strictly after this (fired_at, id) in newest-first order.
    pub before: Option<(DateTime<Utc>, TriggerId)>,
}

/// Newest first.
pub async fn list(conn: &Conn, f: &TriggerFilter, limit: i64) -> QueryResult<Vec<TriggerRow>> {
    let mut q = triggers::table
        .select(TriggerRow::as_select())
        .order((triggers::fired_at.desc(), triggers::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(s) = f.status {
        q = q.filter(triggers::status.eq(s));
    }
    if let Some(d) = f.district_id {
        q = q.filter(triggers::district_id.eq(d));
    }
    if let Some(p) = f.person_id {
        q = q.filter(triggers::person_id.eq(p));
    }
    if let Some(r) = f.rule_id {
        q = q.filter(triggers::rule_id.eq(r));
    }
    if let Some(k) = f.kind {
        q = q.filter(triggers::kind.eq(k));
    }
    if let Some(r) = &f.reference {
        q = q.filter(super::short_ref_is("triggers.id", r));
    }
    let escalated = triggers::escalated_at.is_not_null().or(triggers::status
        .eq(TriggerStatus::Open)
        .and(triggers::escalation_due_at.le(diesel::dsl::now)));
    match f.escalated {
        Some(true) => q = q.filter(escalated),
        Some(false) => q = q.filter(diesel::dsl::not(escalated)),
        None => {}
    }
    if let Some((at, id)) = f.before {
        q = q.filter(
            triggers::fired_at
                .lt(at)
                .or(triggers::fired_at.eq(at).and(triggers::id.lt(id))),
        );
    }
    let mut on: &Conn = conn;
    q.load(&mut on).await
}

/// A coordinator's change of status. `None` when the row did not match `expected_version`.
pub async fn set_status(
    conn: &mut Conn,
    id: TriggerId,
    expected_version: i32,
    to: TriggerStatus,
    by: UserId,
    closure_note: Option<&str>,
) -> QueryResult<Option<TriggerRow>> {
    let target = triggers::table
        .filter(triggers::id.eq(id))
        .filter(triggers::version.eq(expected_version));
    let bump = (
        triggers::status.eq(to),
        triggers::version.eq(triggers::version + 1),
        triggers::updated_at.eq(diesel::dsl::now),
    );
    let q = diesel::update(target);
    match to {
        TriggerStatus::Acknowledged => {
            q.set((
                bump,
                triggers::acknowledged_at.eq(diesel::dsl::now),
                triggers::acknowledged_by.eq(by),
            ))
            .returning(TriggerRow::as_returning())
            .get_result(conn)
            .await
        }
        TriggerStatus::Closed => {
            q.set((
                bump,
                triggers::closed_at.eq(diesel::dsl::now),
                triggers::closed_by.eq(by),
                triggers::closure_note.eq(closure_note),
            ))
            .returning(TriggerRow::as_returning())
            .get_result(conn)
            .await
        }
        _ => {
            q.set(bump)
                .returning(TriggerRow::as_returning())
                .get_result(conn)
                .await
        }
    }
    .optional()
}

// Plans ------------------------------------------------------------------------------------

#[derive(Queryable, Selectable, Insertable, AsChangeset, Debug, Clone, Serialize, ToSchema)]
#[diesel(table_name = trigger_plans)]
#[schema(as = TriggerPlanResponse)]
pub struct PlanRow {
    #[serde(skip)]
    pub trigger_id: TriggerId,
    pub summary: String,
    /// The agencies involved.
    pub agency_ids: Vec<AgencyId>,
    pub review_on: NaiveDate,
    pub version: i32,
    pub recorded_by: UserId,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub recorded_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub updated_at: DateTime<Utc>,
}

pub async fn find_plan(conn: &mut Conn, trigger: TriggerId) -> QueryResult<Option<PlanRow>> {
    trigger_plans::table
        .find(trigger)
        .select(PlanRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Records the plan, or replaces it (a new version).
pub async fn put_plan(conn: &mut Conn, plan: &PlanRow) -> QueryResult<PlanRow> {
    cached(
        diesel::insert_into(trigger_plans::table)
            .values(plan)
            .on_conflict(trigger_plans::trigger_id)
            .do_update()
            .set((
                trigger_plans::summary.eq(&plan.summary),
                trigger_plans::agency_ids.eq(&plan.agency_ids),
                trigger_plans::review_on.eq(plan.review_on),
                trigger_plans::recorded_by.eq(plan.recorded_by),
                trigger_plans::version.eq(trigger_plans::version + 1),
                trigger_plans::updated_at.eq(diesel::dsl::now),
            ))
            .returning(PlanRow::as_returning()),
    )
    .get_result(conn)
    .await
}
