//! Queries on Early Action referrals, their triage meetings and intervention plans.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use super::schema::{intervention_plans, referrals, triage_meetings};
use super::Conn;
use crate::db::cached;
use crate::domain::referrals::{
    ClosureReason, Consent, ConsentBy, ReferralReason, ReferralSource, ReferralStatus,
};
use crate::ids::{AgencyId, DistrictId, PersonId, ReferralId, TriageMeetingId, TriggerId, UserId};

#[derive(Queryable, Selectable, Debug, Clone, Serialize, ToSchema)]
#[diesel(table_name = referrals)]
#[schema(as = ReferralRecord)]
pub struct ReferralRow {
    pub id: ReferralId,
    pub person_id: PersonId,
    pub district_id: DistrictId,
    pub source: ReferralSource,
    pub source_agency_id: Option<AgencyId>,
    pub trigger_id: Option<TriggerId>,
    pub reasons: Vec<ReferralReason>,
    pub summary: String,
    /// The lawful basis for sharing information (not consent to the service).
    pub lawful_basis: String,
    pub status: ReferralStatus,
    /// Why it was declined or redirected.
    pub decision_reason: Option<String>,
    /// The statutory service it was redirected to.
    pub redirected_to: Option<String>,
    pub closure_reason: Option<ClosureReason>,
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub closed_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub consent: Consent,
    #[serde(skip)]
    pub consent_by: Option<ConsentBy>,
    #[serde(skip)]
    pub consent_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_by: UserId,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub updated_at: DateTime<Utc>,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = referrals)]
pub struct NewReferral {
    pub id: ReferralId,
    pub person_id: PersonId,
    pub district_id: DistrictId,
    pub source: ReferralSource,
    pub source_agency_id: Option<AgencyId>,
    pub trigger_id: Option<TriggerId>,
    pub reasons: Vec<ReferralReason>,
    pub summary: String,
    pub lawful_basis: String,
    pub created_by: UserId,
}

/// A status change and what it carries.
#[derive(AsChangeset, Debug, Default)]
#[diesel(table_name = referrals)]
pub struct ReferralChanges {
    pub status: Option<ReferralStatus>,
    pub decision_reason: Option<String>,
    pub redirected_to: Option<String>,
    pub closure_reason: Option<ClosureReason>,
    pub closed_at: Option<DateTime<Utc>>,
    pub consent: Option<Consent>,
    pub consent_by: Option<Option<ConsentBy>>,
    pub consent_at: Option<Option<DateTime<Utc>>>,
}

pub async fn insert(conn: &mut Conn, new: &NewReferral) -> QueryResult<ReferralRow> {
    cached(
        diesel::insert_into(referrals::table)
            .values(new)
            .returning(ReferralRow::as_returning()),
    )
    .get_result(conn)
    .await
}

pub async fn find(conn: &mut Conn, id: ReferralId) -> QueryResult<Option<ReferralRow>> {
    referrals::table
        .find(id)
        .select(ReferralRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// `None` when no row matched `expected_version` (or the caller may not change it).
pub async fn update(
    conn: &mut Conn,
    id: ReferralId,
    expected_version: i32,
    changes: &ReferralChanges,
) -> QueryResult<Option<ReferralRow>> {
    update_versioned!(conn, referrals, id, expected_version, ReferralRow, changes)
}

/// Bumps the version (a meeting or plan was recorded on the referral).
pub async fn touch(
    conn: &mut Conn,
    id: ReferralId,
    expected_version: i32,
) -> QueryResult<Option<ReferralRow>> {
    update(conn, id, expected_version, &ReferralChanges::default()).await
}

#[derive(Debug, Default, Clone)]
pub struct ReferralFilter {
    pub status: Option<ReferralStatus>,
    pub district_id: Option<DistrictId>,
    pub person_id: Option<PersonId>,
    pub source: Option<ReferralSource>,
    /// The id suffix of a short reference (`REF-…`).
    pub reference: Option<String>,
    /// Keyset: strictly after this (created_at, id) in newest-first order.
    pub before: Option<(DateTime<Utc>, ReferralId)>,
}

/// Newest first.
pub async fn list(conn: &Conn, f: &ReferralFilter, limit: i64) -> QueryResult<Vec<ReferralRow>> {
    let mut q = referrals::table
        .select(ReferralRow::as_select())
        .order((referrals::created_at.desc(), referrals::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(s) = f.status {
        q = q.filter(referrals::status.eq(s));
    }
    if let Some(d) = f.district_id {
        q = q.filter(referrals::district_id.eq(d));
    }
    if let Some(p) = f.person_id {
        q = q.filter(referrals::person_id.eq(p));
    }
    if let Some(s) = f.source {
        q = q.filter(referrals::source.eq(s));
    }
    if let Some(r) = &f.reference {
        q = q.filter(super::short_ref_is("referrals.id", r));
    }
    if let Some((at, id)) = f.before {
        q = q.filter(
            referrals::created_at
                .lt(at)
                .or(referrals::created_at.eq(at).and(referrals::id.lt(id))),
        );
    }
    let mut on: &Conn = conn;
    q.load(&mut on).await
}

/// The live referral raised from a trigger, if any (as far as the caller may see).
pub async fn find_by_trigger(
    conn: &mut Conn,
    trigger: TriggerId,
) -> QueryResult<Option<ReferralRow>> {
    referrals::table
        .filter(referrals::trigger_id.eq(trigger))
        .select(ReferralRow::as_select())
        .first(conn)
        .await
        .optional()
}

// Triage meetings -----------------------------------------------------------------------

#[derive(Queryable, Selectable, Insertable, Debug, Clone, Serialize, ToSchema)]
#[diesel(table_name = triage_meetings)]
#[schema(as = MeetingResponse)]
pub struct MeetingRow {
    pub id: TriageMeetingId,
    #[serde(skip)]
    pub referral_id: ReferralId,
    pub held_on: NaiveDate,
    pub attendee_agency_ids: Vec<AgencyId>,
    pub decisions: String,
    pub next_meeting_on: Option<NaiveDate>,
    pub recorded_by: UserId,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub recorded_at: DateTime<Utc>,
}

pub async fn insert_meeting(conn: &mut Conn, m: &MeetingRow) -> QueryResult<()> {
    cached(diesel::insert_into(triage_meetings::table).values(m))
        .execute(conn)
        .await
        .map(drop)
}

/// Oldest first.
pub async fn meetings(conn: &mut Conn, referral: ReferralId) -> QueryResult<Vec<MeetingRow>> {
    triage_meetings::table
        .filter(triage_meetings::referral_id.eq(referral))
        .select(MeetingRow::as_select())
        .order((triage_meetings::held_on, triage_meetings::id))
        .load(conn)
        .await
}

// Intervention plans ---------------------------------------------------------------------

#[derive(Queryable, Selectable, Insertable, Debug, Clone, Serialize, ToSchema)]
#[diesel(table_name = intervention_plans)]
#[schema(as = InterventionPlanResponse)]
pub struct PlanRow {
    #[serde(skip)]
    pub referral_id: ReferralId,
    pub lead_practitioner: String,
    pub lead_agency_id: AgencyId,
    pub goals: String,
    /// Every 6–8 weeks.
    pub review_dates: Vec<NaiveDate>,
    pub version: i32,
    pub recorded_by: UserId,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub recorded_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub updated_at: DateTime<Utc>,
}

pub async fn find_plan(conn: &mut Conn, referral: ReferralId) -> QueryResult<Option<PlanRow>> {
    intervention_plans::table
        .find(referral)
        .select(PlanRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Records the plan, or replaces it (a new version).
pub async fn put_plan(conn: &mut Conn, plan: &PlanRow) -> QueryResult<PlanRow> {
    cached(
        diesel::insert_into(intervention_plans::table)
            .values(plan)
            .on_conflict(intervention_plans::referral_id)
            .do_update()
            .set((
                intervention_plans::lead_practitioner.eq(&plan.lead_practitioner),
                intervention_plans::lead_agency_id.eq(plan.lead_agency_id),
                intervention_plans::goals.eq(&plan.goals),
                intervention_plans::review_dates.eq(&plan.review_dates),
                intervention_plans::recorded_by.eq(plan.recorded_by),
                intervention_plans::version.eq(intervention_plans::version + 1),
                intervention_plans::updated_at.eq(diesel::dsl::now),
            ))
            .returning(PlanRow::as_returning()),
    )
    .get_result(conn)
    .await
}
