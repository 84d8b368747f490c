//! Early Action referrals: made by police roles (or raised from a trigger), triaged with
//! partners, accepted with an intervention plan, worked and closed.

pub use crate::db::referrals::{MeetingRow, PlanRow, ReferralFilter, ReferralRow};
use futures_util::FutureExt;
use std::ops::Not;

use chrono::{NaiveDate, Utc};

use crate::db::referrals::{self as q, NewReferral, ReferralChanges};
use crate::db::Tx;
use crate::domain::accounts::Role;
use crate::domain::audit::{AuditEvent, Operation};
use crate::domain::referrals::{
    check_decision, check_review_dates, Consent, ConsentBy, Decision, ReferralReason,
    ReferralSource, ReferralStatus, Refused,
};
use crate::error::{expect_version, AppError, OrStale};
use crate::ids::{AgencyId, DistrictId, PersonId, ReferralId, TriageMeetingId, TriggerId};
use crate::services::agencies::check_active;
use crate::services::context::Ctx;

const REFERRAL: &str = "referral";

/// Who may make a referral.
const REFERRERS: &[Role] = &[
    Role::Officer,
    Role::Supervisor,
    Role::Mfhc,
    Role::EarlyAction,
];
/// Who works referrals: triage, plans, decisions.
const WORKERS: &[Role] = &[Role::Mfhc, Role::EarlyAction];

/// A new referral, already parsed.
#[derive(Debug, Clone)]
pub struct ReferralInput {
    pub person_id: PersonId,
    /// Defaults to the caller's district; force-wide users must give it.
    pub district_id: Option<DistrictId>,
    pub source: ReferralSource,
    /// Only (and always) for `partner` referrals.
    pub source_agency_id: Option<AgencyId>,
    /// Only (and always) for `missing_trigger` referrals.
    pub trigger_id: Option<TriggerId>,
    pub reasons: Vec<ReferralReason>,
    pub summary: String,
    pub lawful_basis: String,
}

/// A referral with its triage meetings (oldest first) and intervention plan, as far as
/// the caller may see.
#[derive(Debug, Clone)]
pub struct Referral {
    pub row: ReferralRow,
    pub meetings: Vec<MeetingRow>,
    pub plan: Option<PlanRow>,
}

pub async fn full(tx: &mut Tx, row: ReferralRow) -> Result<Referral, AppError> {
    let meetings = q::meetings(tx.conn(), row.id).await?;
    let plan = q::find_plan(tx.conn(), row.id).await?;
    Ok(Referral {
        row,
        meetings,
        plan,
    })
}

/// Checks and records a referral in the caller's transaction.
pub async fn insert(tx: &mut Tx, r: ReferralInput) -> Result<ReferralRow, AppError> {
    let caller = tx.caller()?.clone();
    caller.require_any(REFERRERS)?;
    let district = crate::services::acting_district(&caller, r.district_id)?;
    crate::services::live_subject(tx, r.person_id).await?;
    if crate::db::districts::missing(tx.conn(), &[district])
        .await?
        .is_empty()
        .not()
    {
        return Err(AppError::field("district_id", "no such district"));
    }
    if let Some(agency) = r.source_agency_id {
        check_active(tx, "source_agency_id", &[agency]).await?;
    }
    if let Some(trigger) = r.trigger_id {
        let t = crate::db::triggers::find(tx.conn(), trigger)
            .await?
            .ok_or_else(|| AppError::field("trigger_id", "no such trigger"))?;
        if t.person_id != r.person_id {
            return Err(AppError::field(
                "trigger_id",
                "the trigger is about another person",
            ));
        }
        if t.district_id != district {
            return Err(AppError::field(
                "trigger_id",
                "the trigger belongs to another district",
            ));
        }
        if !t.status.is_live() {
            return Err(AppError::Conflict(format!(
                "the trigger is {}: raise referrals from live triggers",
                t.status
            )));
        }
        if q::find_by_trigger(tx.conn(), trigger).await?.is_some() {
            return Err(AppError::Conflict(
                "a referral has already been raised from this trigger".into(),
            ));
        }
    }
    let row = q::insert(
        tx.conn(),
        &NewReferral {
            id: ReferralId::new(),
            person_id: r.person_id,
            district_id: district,
            source: r.source,
            source_agency_id: r.source_agency_id,
            trigger_id: r.trigger_id,
            reasons: r.reasons,
            summary: r.summary,
            lawful_basis: r.lawful_basis,
            created_by: caller.user_id,
        },
    )
    .await?;
    tx.audit(AuditEvent::new(
        Operation::Collection,
        REFERRAL,
        [row.id.0, row.person_id.0],
    ));
    Ok(row)
}

#[tracing::instrument(name = "services::referrals::create", skip_all)]
pub async fn create(ctx: &Ctx, r: ReferralInput) -> Result<Referral, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("persons", r.person_id.0).await?;
        let row = insert(&mut tx, r).await?;
        full(&mut tx, row).await
    })
}

/// The referral if the caller may see it; 404 otherwise (never revealing that it exists).
async fn visible(tx: &mut Tx, id: ReferralId) -> Result<ReferralRow, AppError> {
    let caller = tx.caller()?;
    if !caller.is_partner() {
        caller.require_any(REFERRERS)?;
    }
    q::find(tx.conn(), id)
        .await?
        .ok_or(AppError::NotFound("no such referral"))
}

/// The visible referral at `expected_version`, for a worker of its district to change.
async fn for_update(
    tx: &mut Tx,
    id: ReferralId,
    expected_version: i32,
) -> Result<ReferralRow, AppError> {
    tx.caller()?.require_any(WORKERS)?;
    let row = visible(tx, id).await?;
    if !tx.caller()?.covers(row.district_id) {
        return Err(AppError::Forbidden(
            "only Early Action and MFHCs of the referral's district work it",
        ));
    }
    expect_version(row.version, expected_version)?;
    Ok(row)
}

#[tracing::instrument(name = "services::referrals::get", skip_all, fields(%id))]
pub async fn get(ctx: &Ctx, id: ReferralId) -> Result<Referral, AppError> {
    crate::in_tx!(ctx, read_only, |tx| {
        tx.one_record("referrals", id.0).await?;
        let row = visible(&mut tx, id).await?;
        tx.audit(AuditEvent::consultation(REFERRAL, [id.0, row.person_id.0]));
        full(&mut tx, row).await
    })
}

#[tracing::instrument(name = "services::referrals::list", skip_all)]
pub async fn list(
    ctx: &Ctx,
    filter: ReferralFilter,
    limit: i64,
) -> Result<Vec<ReferralRow>, AppError> {
    ctx.read_at_once(
        None,
        |caller| caller.require_any(REFERRERS),
        move |conn| async move { q::list(conn, &filter, limit).await }.boxed(),
        super::consulted_rows(REFERRAL, |r: &ReferralRow| r.id.0),
    )
    .await
}

fn refused(e: Refused) -> AppError {
    match e {
        Refused::Illegal { from, to } => AppError::IllegalTransition {
            from: from.as_str(),
            to: to.as_str(),
            allowed: from.next().iter().map(|s| s.as_str()).collect(),
        },
        Refused::NoPlan => AppError::Conflict(
            "record the intervention plan before the referral goes active".into(),
        ),
    }
}

/// Moves the referral on: triage, accept, decline, redirect, go active, close.
#[tracing::instrument(name = "services::referrals::decide", skip_all, fields(%id))]
pub async fn decide(
    ctx: &Ctx,
    id: ReferralId,
    expected_version: i32,
    decision: Decision,
) -> Result<Referral, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("referrals", id.0).await?;
        let current = for_update(&mut tx, id, expected_version).await?;
        let has_plan = q::find_plan(tx.conn(), id).await?.is_some();
        check_decision(current.status, &decision, has_plan).map_err(refused)?;
        let mut changes = ReferralChanges {
            status: Some(decision.target()),
            ..Default::default()
        };
        match decision {
            Decision::Move(_) => {}
            Decision::Decline { reason } => changes.decision_reason = Some(reason),
            Decision::Redirect { to, reason } => {
                changes.redirected_to = Some(to);
                changes.decision_reason = Some(reason);
            }
            Decision::Close { reason } => {
                changes.closure_reason = Some(reason);
                changes.closed_at = Some(Utc::now());
            }
        }
        let row = q::update(tx.conn(), id, expected_version, &changes)
            .await?
            .or_stale()?;
        tx.audit(AuditEvent::alteration(REFERRAL, id.0));
        full(&mut tx, row).await
    })
}

/// A triage meeting as given, already parsed.
#[derive(Debug, Clone)]
pub struct MeetingInput {
    pub held_on: NaiveDate,
    pub attendee_agency_ids: Vec<AgencyId>,
    pub decisions: String,
    pub next_meeting_on: Option<NaiveDate>,
}

#[tracing::instrument(name = "services::referrals::add_meeting", skip_all, fields(%id))]
pub async fn add_meeting(
    ctx: &Ctx,
    id: ReferralId,
    expected_version: i32,
    m: MeetingInput,
) -> Result<Referral, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("referrals", id.0).await?;
        let current = for_update(&mut tx, id, expected_version).await?;
        if !current.status.holds_meetings() {
            return Err(AppError::Conflict(format!(
                "triage meetings are recorded while a referral is in triage, accepted or active; this one is {}",
                current.status
            )));
        }
        if m.held_on > ctx.app.zone.today(Utc::now()) {
            return Err(AppError::field(
                "held_on",
                "record a meeting once it has been held",
            ));
        }
        check_active(&mut tx, "attendee_agency_ids", &m.attendee_agency_ids).await?;
        let by = tx.caller()?.user_id;
        q::insert_meeting(
            tx.conn(),
            &MeetingRow {
                id: TriageMeetingId::new(),
                referral_id: id,
                held_on: m.held_on,
                attendee_agency_ids: m.attendee_agency_ids,
                decisions: m.decisions,
                next_meeting_on: m.next_meeting_on,
                recorded_by: by,
                recorded_at: Utc::now(),
            },
        )
        .await?;
        let row = q::touch(tx.conn(), id, expected_version)
            .await?
            .or_stale()?;
        tx.audit(AuditEvent::alteration(REFERRAL, id.0));
        full(&mut tx, row).await
    })
}

/// An intervention plan as given, already parsed.
#[derive(Debug, Clone)]
pub struct PlanInput {
    pub lead_practitioner: String,
    pub lead_agency_id: AgencyId,
    pub goals: String,
    pub review_dates: Vec<NaiveDate>,
}

/// Records (or replaces) the intervention plan of an accepted or active referral.
#[tracing::instrument(name = "services::referrals::put_plan", skip_all, fields(%id))]
pub async fn put_plan(
    ctx: &Ctx,
    id: ReferralId,
    expected_version: i32,
    p: PlanInput,
) -> Result<Referral, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("referrals", id.0).await?;
        let current = for_update(&mut tx, id, expected_version).await?;
        if !matches!(
            current.status,
            ReferralStatus::Accepted | ReferralStatus::Active
        ) {
            return Err(AppError::Conflict(format!(
                "an intervention plan is for an accepted or active referral; this one is {}",
                current.status
            )));
        }
        check_review_dates(&p.review_dates, ctx.app.zone.today(Utc::now()))
            .map_err(|m| AppError::field("review_dates", &m))?;
        check_active(&mut tx, "lead_agency_id", &[p.lead_agency_id]).await?;
        let now = Utc::now();
        let by = tx.caller()?.user_id;
        q::put_plan(
            tx.conn(),
            &PlanRow {
                referral_id: id,
                lead_practitioner: p.lead_practitioner,
                lead_agency_id: p.lead_agency_id,
                goals: p.goals,
                review_dates: p.review_dates,
                version: 1,
                recorded_by: by,
                recorded_at: now,
                updated_at: now,
            },
        )
        .await?;
        let row = q::touch(tx.conn(), id, expected_version)
            .await?
            .or_stale()?;
        tx.audit(AuditEvent::alteration(REFERRAL, id.0));
        full(&mut tx, row).await
    })
}

/// Records consent to the service (given, refused, withdrawn) and by whom.
#[tracing::instrument(name = "services::referrals::set_consent", skip_all, fields(%id))]
pub async fn set_consent(
    ctx: &Ctx,
    id: ReferralId,
    expected_version: i32,
    consent: Consent,
    by: Option<ConsentBy>,
) -> Result<Referral, AppError> {
    let by = match (consent, by) {
        (Consent::NotSought, None) => None,
        (Consent::NotSought, Some(_)) => {
            return Err(AppError::field(
                "by",
                "consent that was not sought was given by no one",
            ))
        }
        (_, None) => {
            return Err(AppError::field(
                "by",
                "say who gave, refused or withdrew consent",
            ))
        }
        (_, Some(b)) => Some(b),
    };
    crate::in_tx!(ctx, |tx| {
        tx.one_record("referrals", id.0).await?;
        let current = for_update(&mut tx, id, expected_version).await?;
        if current.status.next().is_empty() {
            return Err(AppError::Conflict(format!(
                "the referral is {}: consent is no longer recorded",
                current.status
            )));
        }
        let changes = ReferralChanges {
            consent: Some(consent),
            consent_by: Some(by),
            consent_at: Some(by.map(|_| Utc::now())),
            ..Default::default()
        };
        let row = q::update(tx.conn(), id, expected_version, &changes)
            .await?
            .or_stale()?;
        tx.audit(AuditEvent::alteration(REFERRAL, id.0));
        full(&mut tx, row).await
    })
}
