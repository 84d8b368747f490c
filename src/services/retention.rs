//! MoPI review and retention, for the force's data protection officers: who is due for
//! review, and the decision to retain (with its reason and next review). Reading the list
//! is a consultation of every person on it; every decision is kept and audited.

use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use crate::db::retention as q;
pub use crate::db::retention::{DecisionRow, ReviewRow};
use crate::domain::audit::{AuditEvent, Operation};
use crate::domain::retention::{check_decision, RetentionDecision, RetentionReason};
use crate::error::AppError;
use crate::ids::PersonId;
use crate::services::context::Ctx;

/// Persons due for review before `due_before`, by id.
#[tracing::instrument(name = "services::retention::due", skip_all)]
pub async fn due(
    ctx: &Ctx,
    due_before: NaiveDate,
    after: Option<PersonId>,
    limit: i64,
) -> Result<Vec<ReviewRow>, AppError> {
    let policy = ctx.app.retention;
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_dpo()?;
        let rows = q::reviews(tx.conn(), due_before, policy, None, after, limit).await?;
        tx.audit(AuditEvent::consultation(
            "person",
            rows.iter().map(|r| r.person_id.0),
        ));
        Ok(rows)
    })
}

/// One person's review status and decisions.
#[derive(Debug, Clone)]
pub struct PersonReview {
    pub review: ReviewRow,
    pub decisions: Vec<DecisionRow>,
}

#[tracing::instrument(name = "services::retention::of_person", skip_all, fields(%person))]
pub async fn of_person(ctx: &Ctx, person: PersonId) -> Result<PersonReview, AppError> {
    let policy = ctx.app.retention;
    let today = ctx.app.zone.today(Utc::now());
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_dpo()?;
        tx.one_record("persons", person.0).await?;
        let review = q::review_of(tx.conn(), today, policy, person)
            .await?
            .ok_or(AppError::NotFound("no such person"))?;
        let decisions = q::decisions(tx.conn(), person).await?;
        tx.audit(AuditEvent::consultation("person", [person.0]));
        Ok(PersonReview { review, decisions })
    })
}

/// The person's review, for a decision: the caller a data protection officer, the person
/// there (410 if disposed of), nothing of theirs still open.
async fn under_review(
    tx: &mut crate::db::Tx,
    today: NaiveDate,
    policy: crate::domain::retention::RetentionPolicy,
    person: PersonId,
) -> Result<ReviewRow, AppError> {
    tx.caller()?.require_dpo()?;
    tx.one_record("persons", person.0).await?;
    let review = q::review_of(tx.conn(), today, policy, person)
        .await?
        .ok_or(AppError::NotFound("no such person"))?;
    if review.active {
        return Err(AppError::Conflict(
            "the person has an open episode, referral, trigger or action: the record is in use, not under review"
                .into(),
        ));
    }
    Ok(review)
}

/// A decision to retain, as the request gave it.
#[derive(Debug, Clone)]
pub struct Retain {
    pub reason: RetentionReason,
    pub note: Option<String>,
    pub next_review_on: NaiveDate,
}

/// Records a decision to retain the person's record until its next review. A record
/// still active (an episode or referral open) is not under review.
#[tracing::instrument(name = "services::retention::retain", skip_all, fields(%person))]
pub async fn retain(ctx: &Ctx, person: PersonId, input: Retain) -> Result<PersonReview, AppError> {
    let policy = ctx.app.retention;
    let today = ctx.app.zone.today(Utc::now());
    check_decision(
        RetentionDecision::Retain,
        input.reason,
        input.note.as_deref(),
        Some(input.next_review_on),
        today,
    )
    .map_err(|(field, m)| AppError::field(field, &m))?;
    crate::in_tx!(ctx, |tx| {
        let by = tx.caller()?.user_id;
        under_review(&mut tx, today, policy, person).await?;
        let id = Uuid::now_v7();
        q::insert(
            tx.conn(),
            &DecisionRow {
                id,
                person_id: person,
                decision: RetentionDecision::Retain,
                reason: input.reason,
                note: input.note.clone(),
                next_review_on: Some(input.next_review_on),
                decided_by: by,
                decided_at: Utc::now(),
            },
        )
        .await?;
        tx.audit(AuditEvent::collection("retention_decision", id));
        let review = q::review_of(tx.conn(), today, policy, person)
            .await?
            .ok_or(AppError::NotFound("no such person"))?;
        let decisions = q::decisions(tx.conn(), person).await?;
        Ok(PersonReview { review, decisions })
    })
}

/// What a disposal did.
#[derive(Debug, Clone)]
pub struct Disposal {
    pub person_id: PersonId,
    pub decision: DecisionRow,
    /// How many records were erased or deleted (the person, their episodes, and all that
    /// hung off them).
    pub records: usize,
}

/// Disposes of a person's record at review (no policing purpose remains): the decision is
/// kept, without a note (it would be erased with the rest), and everything Homeward
/// holds about them is erased except the anonymous skeleton the measures count
/// (`hw_dispose_person`). Only a record due for review, with nothing open and no
/// restriction in force, is disposed of. The audit log keeps the ids erased.
#[tracing::instrument(name = "services::retention::dispose", skip_all, fields(%person))]
pub async fn dispose(ctx: &Ctx, person: PersonId) -> Result<Disposal, AppError> {
    let policy = ctx.app.retention;
    let today = ctx.app.zone.today(Utc::now());
    crate::in_tx!(ctx, |tx| {
        let by = tx.caller()?.user_id;
        let review = under_review(&mut tx, today, policy, person).await?;
        match review.next_review_on {
            Some(due) if due <= today => {}
            Some(due) => {
                return Err(AppError::Conflict(format!(
                    "the record is not due for review until {due}: it is disposed of only at review"
                )))
            }
            None => {
                return Err(AppError::Conflict(
                    "the record has no review date: it is disposed of only at review".into(),
                ))
            }
        }
        let id = Uuid::now_v7();
        let decision = q::insert(
            tx.conn(),
            &DecisionRow {
                id,
                person_id: person,
                decision: RetentionDecision::Dispose,
                reason: RetentionReason::NoPolicingPurpose,
                // No note: it would be erased with the rest.
                note: None,
                next_review_on: None,
                decided_by: by,
                decided_at: Utc::now(),
            },
        )
        .await?;
        tx.audit(AuditEvent::collection("retention_decision", id));
        // Sealed first, so purposes still queued about them are on the chain to erase.
        crate::db::audit::seal_all(tx.conn()).await?;
        let erased = q::dispose(tx.conn(), person).await?;
        let records = erased.len();
        // Its own justification, not the request's X-Purpose (which may name them).
        tx.audit(
            AuditEvent::new(Operation::Erasure, "person", erased)
                .justified_by("disposal at MoPI review: no policing purpose remains", None),
        );
        Ok(Disposal {
            person_id: person,
            decision,
            records,
        })
    })
}
