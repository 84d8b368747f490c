//! Missing episodes: report (with the first risk grading), read, list, move through the
//! lifecycle, re-grade risk, record the return and the prevention interview, close.

pub use crate::db::episodes::{EpisodeFilter, EpisodeRow, NationalDue, RiskGradingRow};
use chrono::{DateTime, Datelike, Utc};
use futures_util::FutureExt;

use crate::db::episodes::{
    self as q, InterviewRow, NewEpisode, ReturnRow, ReviewRow, RhiRow, TransferRow,
};
use crate::db::{persons, pipelined, Conn, Tx};
use crate::domain::accounts::Role;
use crate::domain::audit::{AuditEvent, Operation};
use crate::domain::caller::Caller;
use crate::domain::episodes::{
    check_after, check_closure, check_transition, ClosureRefused, EpisodeStatus, IllegalTransition,
    InterviewMode, Marker, MissingFrom, ReportedBy, ReturnHow, RiskLevel,
};
use crate::domain::national::{clock, Clock, NationalKind, NationalPolicy};
use crate::domain::overlaps::{report_clashes, Span};
use crate::domain::persons::is_child;
use crate::domain::return_interviews::{due_at as rhi_due_at, RhiStatus};
use crate::domain::reviews::{
    high_risk_confirmation, is_reviewable, Confirmation, LatestGrading, ReviewPolicy,
};
use crate::error::{expect_version, AppError, ConflictingRecord, OrStale};
use crate::ids::{DistrictId, EpisodeId, PersonId, PlacementId, RiskGradingId};
use crate::services::context::Ctx;
use crate::services::person_records::placement_for_report;
use crate::services::{alerts, triggers};
use crate::startup::AppState;

const RECORD: &str = "episode";

/// A risk grading as given: level, why, and what information it rests on.
#[derive(Debug, Clone)]
pub struct RiskInput {
    pub level: RiskLevel,
    pub rationale: String,
    pub information: String,
}

/// A new report, already parsed and checked for its own consistency.
#[derive(Debug, Clone)]
pub struct ReportInput {
    pub person_id: PersonId,
    pub district_id: Option<DistrictId>,
    pub reported_at: DateTime<Utc>,
    pub reported_by: ReportedBy,
    pub reporter_details: String,
    pub last_seen_at: DateTime<Utc>,
    pub last_seen_location: String,
    pub missing_from: MissingFrom,
    /// Only when missing from a care placement; defaults to the placement covering the
    /// day last seen.
    pub placement_id: Option<PlacementId>,
    pub circumstances: String,
    pub risk: RiskInput,
}

/// The return as given, already parsed.
#[derive(Debug, Clone)]
pub struct ReturnInput {
    pub returned_at: DateTime<Utc>,
    pub location: String,
    pub how: ReturnHow,
    pub found_by: String,
    pub harm_suffered: bool,
    pub harm_details: String,
    pub markers_seen: Vec<Marker>,
}

/// The prevention interview as given, already parsed.
#[derive(Debug, Clone)]
pub struct InterviewInput {
    pub conducted_at: DateTime<Utc>,
    pub conducted_by: String,
    pub mode: InterviewMode,
    pub disclosures: String,
    pub referrals_made: String,
}

/// An episode with everything recorded against it (`parts`: risk history and reviews
/// oldest first, return, interviews, transfers).
#[derive(Debug, Clone)]
pub struct Episode {
    pub row: EpisodeRow,
    pub parts: q::EpisodeParts,
    /// The supervisor confirmation a high-risk grading needs.
    pub confirmation: Option<Confirmation>,
    /// The UKMPU and PNC clocks, in that order.
    pub national: [Clock; 2],
}

/// Both national clocks of an episode, as of `now`.
fn national_clocks(policy: &NationalPolicy, row: &EpisodeRow, now: DateTime<Utc>) -> [Clock; 2] {
    [NationalKind::Ukmpu, NationalKind::Pnc].map(|kind| {
        clock(
            policy,
            kind,
            row.reported_at,
            row.status,
            row.national(kind).map(|n| n.0),
            now,
        )
    })
}

fn confirmation(
    policy: &ReviewPolicy,
    row: &EpisodeRow,
    gradings: &[RiskGradingRow],
    reviews: &[ReviewRow],
) -> Option<Confirmation> {
    let latest = gradings.iter().max_by_key(|g| g.graded_at)?;
    high_risk_confirmation(
        policy,
        LatestGrading {
            level: row.risk_level,
            graded_at: latest.graded_at,
            graded_by: latest.graded_by,
            by_supervisor: latest.grader_role == Some(Role::Supervisor),
        },
        reviews.iter().map(|r| (r.reviewed_at, r.reviewed_by)),
    )
}

/// Loads what hangs off an episode row.
async fn full(tx: &mut Tx, state: &AppState, row: EpisodeRow) -> Result<Episode, AppError> {
    let parts = q::parts(tx.conn(), row.id).await?;
    Ok(with_parts(state, row, parts))
}

/// The episode with its parts, its confirmation and its national clocks.
fn with_parts(state: &AppState, row: EpisodeRow, parts: q::EpisodeParts) -> Episode {
    let confirmation = confirmation(&state.review_policy, &row, &parts.gradings, &parts.reviews);
    let national = national_clocks(&state.national, &row, Utc::now());
    Episode {
        row,
        parts,
        confirmation,
        national,
    }
}

/// The 409 for a report that would be a second episode of one disappearance, naming the
/// episode(s) to update instead.
fn report_clash(clashes: &[&Span]) -> AppError {
    let named = |s: &Span| format!("{} (id {})", s.reference, s.id);
    let detail =
        match clashes.iter().find(|s| s.is_open()) {
            Some(open) => format!(
                "this person already has an open missing episode, {}, which is {}: update that \
             episode instead of reporting again",
                named(open),
                open.status
            ),
            None => {
                format!(
            "the person was last seen before the return of {}: this report's missing period \
             overlaps it; check the last-seen time, or update that episode",
            clashes.iter().map(|s| named(s)).collect::<Vec<_>>().join(" and ")
        )
            }
        };
    AppError::ConflictWith {
        detail,
        records: clashes.iter().map(|s| conflicting(s)).collect(),
    }
}

/// An episode named in a conflict.
pub(crate) fn conflicting(s: &Span) -> ConflictingRecord {
    ConflictingRecord {
        record_type: RECORD.into(),
        id: s.id.0,
        reference: Some(s.reference.clone()),
        status: Some(s.status.to_string()),
    }
}

fn illegal(e: IllegalTransition) -> AppError {
    AppError::IllegalTransition {
        from: e.from.as_str(),
        to: e.to.as_str(),
        allowed: e.allowed.iter().map(|s| s.as_str()).collect(),
    }
}

fn grading_row(
    caller: &Caller,
    episode: EpisodeId,
    from: Option<RiskLevel>,
    risk: RiskInput,
) -> RiskGradingRow {
    RiskGradingRow {
        id: RiskGradingId::new(),
        episode_id: episode,
        graded_at: Utc::now(),
        graded_by: caller.user_id,
        from_level: from,
        to_level: risk.level,
        rationale: risk.rationale,
        information: risk.information,
        grader_role: Some(caller.role),
    }
}

/// The episode if the caller may see it; 404 otherwise (never revealing that it exists).
async fn visible(tx: &mut Tx, id: EpisodeId) -> Result<EpisodeRow, AppError> {
    tx.caller()?.require_operational()?;
    q::find(tx.conn(), id)
        .await?
        .ok_or(AppError::NotFound("no such episode"))
}

/// The visible episode at `expected_version`, for a change.
async fn for_update(
    tx: &mut Tx,
    id: EpisodeId,
    expected_version: i32,
) -> Result<EpisodeRow, AppError> {
    let current = visible(tx, id).await?;
    if !tx.caller()?.covers(current.district_id) {
        return Err(AppError::Forbidden(
            "this episode was transferred to another district: you can read it but not change it",
        ));
    }
    expect_version(current.version, expected_version)?;
    Ok(current)
}

#[tracing::instrument(name = "services::episodes::report", skip_all)]
pub async fn report(ctx: &Ctx, r: ReportInput) -> Result<Episode, AppError> {
    // The person locked (the request's own fields are checked under that lock: one
    // disappearance, one episode), with their episodes' spans, sent with the transaction's
    // BEGIN and session check: one round trip.
    let person_id = r.person_id;
    let (mut tx, first) = ctx
        .begin_reading(Some(("persons", person_id.0)), |conn| {
            async move {
                let (subject, spans) = pipelined(
                    persons::find_for_report(conn, person_id),
                    q::spans(conn, person_id),
                )
                .await;
                Ok((subject?, spans?))
            }
            .boxed()
        })
        .await?;
    let result = async {
        let caller = tx.caller()?.clone();
        caller.require_operational()?;
        let district = crate::services::acting_district(&caller, r.district_id)?;
        let (subject, spans) = first?;
        let person = crate::services::alive(subject)?;
        let placement_id = if r.missing_from == MissingFrom::CarePlacement {
            placement_for_report(
                &mut tx,
                person.id,
                r.placement_id,
                ctx.app.zone.date(r.last_seen_at),
            )
            .await?
        } else {
            None
        };
        let clashes = report_clashes(&spans, r.last_seen_at);
        if !clashes.is_empty() {
            return Err(report_clash(&clashes));
        }
        let looked_after = person.looked_after
            && person
                .date_of_birth
                .is_none_or(|dob| is_child(dob, ctx.app.zone.date(r.reported_at)));
        let new = NewEpisode {
            id: EpisodeId::new(),
            person_id: r.person_id,
            district_id: district,
            status: EpisodeStatus::Reported,
            reported_at: r.reported_at,
            reported_by: r.reported_by,
            reporter_details: r.reporter_details,
            last_seen_at: r.last_seen_at,
            last_seen_location: r.last_seen_location,
            missing_from: r.missing_from,
            circumstances: r.circumstances,
            risk_level: r.risk.level,
            next_review_due: Some(ctx.app.review_policy.first_due(r.risk.level, r.reported_at)),
            placement_id,
            looked_after,
            created_by: caller.user_id,
        };
        let grading = grading_row(&caller, new.id, None, r.risk);
        // The episode, its first grading and what the trigger evaluation reads, in one
        // round trip; the evaluation sees the new episode.
        let conn: &Conn = tx.conn();
        let (inserted, (graded, evaluation)) = pipelined(
            q::insert(conn, &new),
            pipelined(
                q::insert_grading(conn, &grading),
                crate::db::triggers::evaluation_rows(conn, r.person_id),
            ),
        )
        .await;
        let id = inserted?;
        graded?;
        let graded_high = (grading.to_level == RiskLevel::High).then_some(id);
        let high_trigger =
            triggers::evaluate_read(&mut tx, &ctx.app, r.person_id, evaluation?, graded_high)
                .await?;
        tx.audit(AuditEvent::new(
            Operation::Collection,
            RECORD,
            [id.0, r.person_id.0],
        ));
        // The district's counter row is held from its reference to the commit's write
        // (not its flush: `commit_with`, `audit_then`), and the district's other reports
        // wait for it: the audit row goes first, the reference last, with the COMMIT if
        // no alert follows (an alert names the reference); all in one round trip.
        let year = ctx.app.zone.date(r.reported_at).year();
        let alerts_follow =
            grading.to_level == RiskLevel::High || (placement_id.is_some() && looked_after);
        let row = if alerts_follow {
            tx.audit_then(|conn| q::take_reference(conn, id, year).boxed())
                .await?
        } else {
            tx.commit_with(|conn| q::take_reference(conn, id, year).boxed())
                .await?
        };
        let confirmation = confirmation(
            &ctx.app.review_policy,
            &row,
            std::slice::from_ref(&grading),
            &[],
        );
        if grading.to_level == RiskLevel::High {
            alerts::high_risk(
                &mut tx,
                &ctx.app.links,
                &row,
                &grading,
                confirmation.as_ref(),
                high_trigger,
            )
            .await?;
        }
        if let Some(placement) = row.placement_id.filter(|_| row.looked_after) {
            alerts::placing_authority(&mut tx, &ctx.app.links, &row, placement).await?;
        }
        let national = national_clocks(&ctx.app.national, &row, Utc::now());
        Ok(Episode {
            national,
            row,
            parts: q::EpisodeParts {
                gradings: vec![grading],
                returned: None,
                interview: None,
                reviews: Vec::new(),
                rhi: None,
                transfers: Vec::new(),
            },
            confirmation,
        })
    }
    .await;
    tx.finish(result).await
}

#[tracing::instrument(name = "services::episodes::get", skip_all, fields(%id))]
pub async fn get(ctx: &Ctx, id: EpisodeId) -> Result<Episode, AppError> {
    // One round trip with the session check; the consultation is recorded after, with
    // its group's.
    ctx.read_at_once(
        Some(("episodes", id.0)),
        // Partners read what is shared with their agency: the database shows them the
        // episode and only the shared parts of it, and 404 for anything else.
        |caller| match caller.is_partner() {
            true => Ok(()),
            false => caller.require_operational(),
        },
        move |conn| q::find_with_parts(conn, id).boxed(),
        |tx, found| {
            let (row, parts) = found.ok_or(AppError::NotFound("no such episode"))?;
            tx.audit(AuditEvent::consultation(RECORD, [id.0, row.person_id.0]));
            Ok(with_parts(&ctx.app, row, parts))
        },
    )
    .await
}

#[tracing::instrument(name = "services::episodes::list", skip_all)]
pub async fn list(
    ctx: &Ctx,
    mut filter: EpisodeFilter,
    limit: i64,
) -> Result<Vec<EpisodeRow>, AppError> {
    let now = Utc::now();
    for n in &mut filter.national {
        n.reported_before = n.overdue.then(|| now - ctx.app.national.within(n.kind));
    }
    // Planned generically, in one round trip with the session check; the consultation
    // is recorded after, with its group's.
    ctx.read_at_once(
        None,
        crate::domain::caller::Caller::require_operational,
        move |conn| async move { q::list_planned_generically(conn, &filter, limit).await }.boxed(),
        super::consulted_rows(RECORD, |r: &EpisodeRow| r.id.0),
    )
    .await
}

/// Activation and cancellation (with its reason). A return and a closure carry their
/// own records and have their own functions below.
#[tracing::instrument(name = "services::episodes::change_status", skip_all, fields(%id))]
pub async fn change_status(
    ctx: &Ctx,
    id: EpisodeId,
    expected_version: i32,
    to: EpisodeStatus,
    reason: Option<String>,
) -> Result<Episode, AppError> {
    if matches!(
        to,
        EpisodeStatus::Returned | EpisodeStatus::Closed | EpisodeStatus::Reported
    ) {
        return Err(AppError::field("status", "only `active` and `cancelled` are set here; record a return at /return and a closure at /close"));
    }
    if to == EpisodeStatus::Cancelled && reason.is_none() {
        return Err(AppError::field(
            "reason",
            "cancelling needs a reason (why the person was not missing)",
        ));
    }
    crate::in_tx!(ctx, |tx| {
        tx.one_record("episodes", id.0).await?;
        let current = for_update(&mut tx, id, expected_version).await?;
        check_transition(current.status, to).map_err(illegal)?;
        let reason = if to == EpisodeStatus::Cancelled {
            reason.as_deref()
        } else {
            None
        };
        let mut row = q::set_status(tx.conn(), id, expected_version, to, reason)
            .await?
            .or_stale()?;
        if !is_reviewable(to) {
            row = q::clear_review_due(tx.conn(), id).await?;
        }
        if to == EpisodeStatus::Cancelled {
            // A cancelled episode never counts: triggers resting on it are withdrawn.
            triggers::evaluate(&mut tx, &ctx.app, row.person_id).await?;
        }
        tx.audit(AuditEvent::alteration(RECORD, id.0));
        full(&mut tx, &ctx.app, row).await
    })
}

/// Records a new risk grading (the previous level is kept in the history).
#[tracing::instrument(name = "services::episodes::regrade", skip_all, fields(%id))]
pub async fn regrade(
    ctx: &Ctx,
    id: EpisodeId,
    expected_version: i32,
    risk: RiskInput,
) -> Result<Episode, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("episodes", id.0).await?;
        let caller = tx.caller()?.clone();
        let current = for_update(&mut tx, id, expected_version).await?;
        if !matches!(
            current.status,
            EpisodeStatus::Reported | EpisodeStatus::Active
        ) {
            return Err(AppError::Conflict(format!(
                "a {} episode cannot be re-graded",
                current.status
            )));
        }
        let grading = grading_row(&caller, id, Some(current.risk_level), risk);
        let due = ctx.app.review_policy.due_after_regrade(
            current.next_review_due,
            grading.to_level,
            grading.graded_at,
        );
        let row = q::regrade(tx.conn(), expected_version, &grading, due)
            .await?
            .or_stale()?;
        tx.audit(AuditEvent::alteration(RECORD, id.0));
        let episode = full(&mut tx, &ctx.app, row).await?;
        if grading.to_level == RiskLevel::High {
            let trigger =
                triggers::evaluate_graded_high(&mut tx, &ctx.app, episode.row.person_id, id)
                    .await?;
            alerts::high_risk(
                &mut tx,
                &ctx.app.links,
                &episode.row,
                &grading,
                episode.confirmation.as_ref(),
                trigger,
            )
            .await?;
        }
        Ok(episode)
    })
}

/// Records the return: the episode moves from `active` to `returned`.
#[tracing::instrument(name = "services::episodes::record_return", skip_all, fields(%id))]
pub async fn record_return(
    ctx: &Ctx,
    id: EpisodeId,
    expected_version: i32,
    r: ReturnInput,
) -> Result<Episode, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("episodes", id.0).await?;
        let caller = tx.caller()?.clone();
        let current = for_update(&mut tx, id, expected_version).await?;
        check_transition(current.status, EpisodeStatus::Returned).map_err(illegal)?;
        check_after(
            "returned_at",
            r.returned_at,
            current.last_seen_at,
            "last_seen_at",
            Utc::now(),
        )
        .map_err(|(f, m)| AppError::field(f, &m))?;
        let row = q::set_status(
            tx.conn(),
            id,
            expected_version,
            EpisodeStatus::Returned,
            None,
        )
        .await?
        .or_stale()?;
        let record = ReturnRow {
            episode_id: id,
            returned_at: r.returned_at,
            location: r.location,
            how: r.how,
            found_by: r.found_by,
            harm_suffered: r.harm_suffered,
            harm_details: r.harm_details,
            markers_seen: r.markers_seen,
            recorded_by: caller.user_id,
        };
        q::insert_return(tx.conn(), &record).await?;
        // A child (under 18 when the episode started) is offered a return home interview.
        let person = persons::find(tx.conn(), current.person_id).await?;
        let child = person
            .and_then(|p| p.date_of_birth)
            .is_some_and(|dob| is_child(dob, ctx.app.zone.date(current.reported_at)));
        if child {
            let rhi = RhiRow {
                episode_id: id,
                due_at: rhi_due_at(record.returned_at),
                provider_agency_id: None,
                status: RhiStatus::Pending,
                status_reason: None,
                completed_at: None,
                updated_by: caller.user_id,
            };
            q::insert_rhi(tx.conn(), &rhi).await?;
            alerts::interview_due(&mut tx, &ctx.app.links, &current, rhi.due_at).await?;
        }
        let row = q::clear_review_due(tx.conn(), row.id).await?;
        tx.audit(AuditEvent::alteration(RECORD, id.0));
        full(&mut tx, &ctx.app, row).await
    })
}

/// Records the prevention interview of a returned person (once).
#[tracing::instrument(name = "services::episodes::record_interview", skip_all, fields(%id))]
pub async fn record_interview(
    ctx: &Ctx,
    id: EpisodeId,
    expected_version: i32,
    i: InterviewInput,
) -> Result<Episode, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("episodes", id.0).await?;
        let caller = tx.caller()?.clone();
        let current = for_update(&mut tx, id, expected_version).await?;
        if current.status != EpisodeStatus::Returned {
            return Err(AppError::Conflict(format!("a prevention interview is recorded once the person has returned; this episode is {}", current.status)));
        }
        if q::find_interview(tx.conn(), id).await?.is_some() {
            return Err(AppError::Conflict(
                "a prevention interview is already recorded for this episode".into(),
            ));
        }
        let returned = q::find_return(tx.conn(), id)
            .await?
            .ok_or_else(|| AppError::Conflict("the return has not been recorded".into()))?;
        check_after(
            "conducted_at",
            i.conducted_at,
            returned.returned_at,
            "the return",
            Utc::now(),
        )
        .map_err(|(f, m)| AppError::field(f, &m))?;
        let record = InterviewRow {
            episode_id: id,
            conducted_at: i.conducted_at,
            conducted_by: i.conducted_by,
            mode: i.mode,
            disclosures: i.disclosures,
            referrals_made: i.referrals_made,
            recorded_by: caller.user_id,
        };
        q::insert_interview(tx.conn(), &record).await?;
        let row = q::touch(tx.conn(), id, expected_version)
            .await?
            .or_stale()?;
        tx.audit(AuditEvent::alteration(RECORD, id.0));
        full(&mut tx, &ctx.app, row).await
    })
}

fn closure_refused(e: ClosureRefused) -> AppError {
    match e {
        ClosureRefused::NotSupervisor => {
            AppError::Forbidden("only a supervisor can close an episode")
        }
        ClosureRefused::NoInterview => AppError::field(
            "no_interview_reason",
            "record the prevention interview first, or give the reason none was possible",
        ),
    }
}

/// Closes a returned episode: a supervisor only, with a prevention interview or a reason
/// why none was possible.
#[tracing::instrument(name = "services::episodes::close", skip_all, fields(%id))]
pub async fn close(
    ctx: &Ctx,
    id: EpisodeId,
    expected_version: i32,
    no_interview_reason: Option<String>,
) -> Result<Episode, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("episodes", id.0).await?;
        let caller = tx.caller()?.clone();
        // The role first (an interview assumed), so a refusal does not depend on the
        // episode's state; then the whole rule once the state is known.
        check_closure(caller.role, true, None).map_err(closure_refused)?;
        let current = for_update(&mut tx, id, expected_version).await?;
        check_transition(current.status, EpisodeStatus::Closed).map_err(illegal)?;
        let has_interview = q::find_interview(tx.conn(), id).await?.is_some();
        check_closure(caller.role, has_interview, no_interview_reason.as_deref())
            .map_err(closure_refused)?;
        let reason = if has_interview {
            None
        } else {
            no_interview_reason.as_deref()
        };
        let row = q::close(tx.conn(), id, expected_version, caller.user_id, reason)
            .await?
            .or_stale()?;
        tx.audit(AuditEvent::alteration(RECORD, id.0));
        full(&mut tx, &ctx.app, row).await
    })
}

/// A person's episodes (newest first) with recent counts, as far as the caller may see.
#[tracing::instrument(name = "services::episodes::person_history", skip_all, fields(%person))]
pub async fn person_history(
    ctx: &Ctx,
    person: PersonId,
    limit: i64,
) -> Result<(Vec<EpisodeRow>, crate::domain::episodes::RecentCounts), AppError> {
    crate::in_tx!(ctx, read_only, |tx| {
        tx.one_record("persons", person.0).await?;
        tx.caller()?.require_operational()?;
        if persons::find(tx.conn(), person).await?.is_none() {
            return Err(AppError::NotFound("no such person"));
        }
        let filter = EpisodeFilter {
            person_id: Some(person),
            ..Default::default()
        };
        let rows = q::list(tx.conn(), &filter, limit).await?;
        let starts: Vec<_> = rows.iter().map(|r| (r.reported_at, r.status)).collect();
        let counts = crate::domain::episodes::recent_counts(&starts, Utc::now());
        tx.audit(AuditEvent::new(
            Operation::Consultation,
            RECORD,
            std::iter::once(person.0).chain(rows.iter().map(|r| r.id.0)),
        ));
        Ok((rows, counts))
    })
}

/// Records a supervisor review of an open episode and schedules the next one.
#[tracing::instrument(name = "services::episodes::record_review", skip_all, fields(%id))]
pub async fn record_review(
    ctx: &Ctx,
    id: EpisodeId,
    expected_version: i32,
    outcome: String,
) -> Result<Episode, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("episodes", id.0).await?;
        let caller = tx.caller()?.clone();
        caller.require_any(&[crate::domain::accounts::Role::Supervisor])?;
        let current = for_update(&mut tx, id, expected_version).await?;
        if !is_reviewable(current.status) {
            return Err(AppError::Conflict(format!(
                "only reported or active episodes are reviewed; this one is {}",
                current.status
            )));
        }
        let now = Utc::now();
        let review = ReviewRow {
            id: crate::ids::ReviewId::new(),
            episode_id: id,
            reviewed_at: now,
            reviewed_by: caller.user_id,
            risk_level: current.risk_level,
            outcome,
            next_due_at: ctx
                .app
                .review_policy
                .due_after_review(current.risk_level, now),
        };
        let row = q::insert_review(tx.conn(), expected_version, &review)
            .await?
            .or_stale()?;
        tx.audit(AuditEvent::alteration(RECORD, id.0));
        full(&mut tx, &ctx.app, row).await
    })
}

/// Open episodes the caller may see whose review is due before `due_before`.
#[tracing::instrument(name = "services::episodes::reviews_due", skip_all)]
pub async fn reviews_due(
    ctx: &Ctx,
    due_before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<EpisodeRow>, AppError> {
    crate::in_tx!(ctx, read_only, |tx| {
        tx.caller()?.require_operational()?;
        let rows = q::reviews_due(tx.conn(), due_before, limit).await?;
        tx.audit(AuditEvent::consultation(
            RECORD,
            rows.iter().map(|r| r.id.0),
        ));
        Ok(rows)
    })
}

/// A return home interview update, already parsed.
#[derive(Debug, Clone)]
pub struct RhiUpdate {
    pub status: RhiStatus,
    pub provider_agency_id: Option<crate::ids::AgencyId>,
    pub reason: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// Moves a child's return home interview forward (offered, accepted, completed, …).
#[tracing::instrument(name = "services::episodes::update_rhi", skip_all, fields(%id))]
pub async fn update_rhi(
    ctx: &Ctx,
    id: EpisodeId,
    expected_version: i32,
    u: RhiUpdate,
) -> Result<Episode, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("episodes", id.0).await?;
        let caller = tx.caller()?.clone();
        // Partners of the interview provider record its progress on an episode shared
        // with them (interview part); everything else is the episode's district's.
        if caller.is_partner() {
            let current = q::find(tx.conn(), id)
                .await?
                .ok_or(AppError::NotFound("no such episode"))?;
            expect_version(current.version, expected_version)?;
            if u.provider_agency_id.is_some() {
                return Err(AppError::field(
                    "provider_agency_id",
                    "the police choose the provider; partners record the interview's progress",
                ));
            }
        } else {
            for_update(&mut tx, id, expected_version).await?;
        }
        let mut rhi = match q::find_rhi(tx.conn(), id).await? {
            Some(r) => r,
            None if caller.is_partner() => {
                return Err(AppError::NotFound(
                    "no return home interview of this episode is shared with your agency",
                ))
            }
            None => return Err(AppError::Conflict(
                "this episode has no return home interview (they are for children, once returned)"
                    .into(),
            )),
        };
        if caller.is_partner() && rhi.provider_agency_id != caller.agency_id {
            return Err(AppError::Forbidden(
                "only the interview provider's partners record its progress",
            ));
        }
        let from = rhi.status;
        if !rhi.status.next().contains(&u.status) {
            return Err(AppError::IllegalTransition {
                from: rhi.status.as_str(),
                to: u.status.as_str(),
                allowed: rhi.status.next().iter().map(|s| s.as_str()).collect(),
            });
        }
        if u.status.needs_reason() && u.reason.is_none() {
            return Err(AppError::field(
                "reason",
                "say why (declined, unable to contact or not completed)",
            ));
        }
        if let Some(agency) = u.provider_agency_id {
            crate::services::agencies::check_active(&mut tx, "provider_agency_id", &[agency])
                .await?;
        }
        let completed_at = match (u.status, u.completed_at) {
            (RhiStatus::Completed, None) => {
                return Err(AppError::field(
                    "completed_at",
                    "a completed interview needs its time",
                ))
            }
            (RhiStatus::Completed, Some(at)) => {
                let returned = q::find_return(tx.conn(), id)
                    .await?
                    .map(|r| r.returned_at)
                    .unwrap_or(at);
                check_after("completed_at", at, returned, "the return", Utc::now())
                    .map_err(|(f, m)| AppError::field(f, &m))?;
                Some(at)
            }
            (_, Some(_)) => {
                return Err(AppError::field(
                    "completed_at",
                    "only a completed interview has a completion time",
                ))
            }
            (_, None) => None,
        };
        rhi.status = u.status;
        rhi.provider_agency_id = u.provider_agency_id.or(rhi.provider_agency_id);
        rhi.status_reason = u.reason.or(rhi.status_reason);
        rhi.completed_at = completed_at;
        rhi.updated_by = caller.user_id;
        if !q::update_rhi(tx.conn(), &rhi, from).await? {
            return Err(AppError::PreconditionFailed);
        }
        let row = if caller.is_partner() {
            q::touch_by_provider(tx.conn(), id, expected_version)
                .await?
                .or_stale()?;
            q::find(tx.conn(), id)
                .await?
                .ok_or(AppError::NotFound("no such episode"))?
        } else {
            q::touch(tx.conn(), id, expected_version)
                .await?
                .or_stale()?
        };
        tx.audit(AuditEvent::alteration(RECORD, id.0));
        full(&mut tx, &ctx.app, row).await
    })
}

/// Transfers an episode to another district: it takes the episode over, and the old
/// district keeps read access only.
#[tracing::instrument(name = "services::episodes::transfer", skip_all, fields(%id, %to))]
pub async fn transfer(
    ctx: &Ctx,
    id: EpisodeId,
    expected_version: i32,
    to: DistrictId,
    reason: String,
) -> Result<Episode, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("episodes", id.0).await?;
        let caller = tx.caller()?.clone();
        let current = for_update(&mut tx, id, expected_version).await?;
        if current.district_id == to {
            return Err(AppError::field(
                "district_id",
                "the episode already belongs to that district",
            ));
        }
        if !crate::db::districts::missing(tx.conn(), &[to])
            .await?
            .is_empty()
        {
            return Err(AppError::field("district_id", "no such district"));
        }
        let t = TransferRow {
            id: crate::ids::TransferId::new(),
            episode_id: id,
            from_district_id: current.district_id,
            to_district_id: to,
            reason,
            transferred_by: caller.user_id,
            transferred_at: Utc::now(),
        };
        let row = q::transfer(tx.conn(), expected_version, &t)
            .await?
            .or_stale()?;
        tx.audit(AuditEvent::alteration(RECORD, id.0));
        full(&mut tx, &ctx.app, row).await
    })
}

/// That a national notification was done, as given.
#[derive(Debug, Clone)]
pub struct NationalInput {
    pub kind: NationalKind,
    pub done_at: DateTime<Utc>,
    /// The UKMPU's case reference, or the PNC record's.
    pub reference: String,
}

/// Records that the episode was notified to the UKMPU, or recorded on the PNC: when, by
/// the caller, with its reference. Once each.
#[tracing::instrument(name = "services::episodes::record_national", skip_all, fields(%id))]
pub async fn record_national(
    ctx: &Ctx,
    id: EpisodeId,
    expected_version: i32,
    n: NationalInput,
) -> Result<Episode, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("episodes", id.0).await?;
        let caller = tx.caller()?.clone();
        let current = for_update(&mut tx, id, expected_version).await?;
        if current.status == EpisodeStatus::Cancelled {
            return Err(AppError::Conflict(
                "a cancelled episode (the person was not missing) is not notified nationally"
                    .into(),
            ));
        }
        if let Some((at, by, reference)) = current.national(n.kind) {
            return Err(AppError::Conflict(format!(
                "the {} notification of this episode is already recorded: done at {at} by user \
                 {by}, reference {reference}",
                n.kind
            )));
        }
        check_after(
            "done_at",
            n.done_at,
            current.reported_at,
            "the report",
            Utc::now(),
        )
        .map_err(|(f, m)| AppError::field(f, &m))?;
        let row = q::record_national(
            tx.conn(),
            id,
            expected_version,
            n.kind,
            (n.done_at, caller.user_id, &n.reference),
        )
        .await?
        .or_stale()?;
        tx.audit(AuditEvent::alteration(RECORD, id.0));
        full(&mut tx, &ctx.app, row).await
    })
}
