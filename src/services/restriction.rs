//! Restriction of processing (DPA 2018 s.46) and rectification notes (s.47), for the
//! force's data protection officers. A restriction flags every record of the person (and
//! of the duplicates merged into them): policies then hide them from every list and
//! dataset row, open one only to a request that states why (`X-Purpose`), and refuse
//! every change until it is lifted. Placing and lifting are kept and audited.

use chrono::Utc;
use uuid::Uuid;

use crate::db::restriction as q;
pub use crate::db::restriction::{ChangeRow, NoteRow, RestrictedPerson, RestrictionRow};
use crate::db::Tx;
use crate::domain::audit::AuditEvent;
use crate::domain::rectification::unsound_links;
use crate::error::AppError;
use crate::ids::PersonId;
use crate::services::context::Ctx;

const RECORD: &str = "restriction";
const NOTE: &str = "rectification_note";

/// A restriction with who it is about.
#[derive(Debug, Clone)]
pub struct Restriction {
    pub row: RestrictionRow,
    pub person: Option<RestrictedPerson>,
}

/// The person a restriction or note is about: they must exist, not be merged away (the
/// surviving record is the one to name) and not be disposed of.
async fn live_person(tx: &mut Tx, person: PersonId) -> Result<RestrictedPerson, AppError> {
    let p = q::persons(tx.conn(), &[person])
        .await?
        .pop()
        .ok_or(AppError::NotFound("no such person"))?;
    if let Some(at) = p.disposed_at {
        return Err(AppError::Gone(format!(
            "this person's record was disposed of at review on {}",
            at.date_naive()
        )));
    }
    if let Some(survivor) = p.merged_into {
        return Err(AppError::Conflict(format!(
            "this record is merged into person {survivor}: name that one"
        )));
    }
    Ok(p)
}

async fn with_persons(
    tx: &mut Tx,
    rows: Vec<RestrictionRow>,
) -> Result<Vec<Restriction>, AppError> {
    let ids: Vec<PersonId> = rows.iter().map(|r| r.person_id).collect();
    let people = q::persons(tx.conn(), &ids).await?;
    tx.audit(AuditEvent::consultation("person", ids.iter().map(|p| p.0)));
    Ok(rows
        .into_iter()
        .map(|row| Restriction {
            person: people
                .iter()
                .find(|p| p.person_id == row.person_id)
                .cloned(),
            row,
        })
        .collect())
}

/// Sets (or clears) the flags on every record the restriction covers, audits that as a
/// change to each, and answers with who it is about.
async fn flagged(tx: &mut Tx, row: RestrictionRow, on: bool) -> Result<Restriction, AppError> {
    let covered = q::set_flags(tx.conn(), row.person_id, on).await?;
    tx.audit(AuditEvent::new(
        crate::domain::audit::Operation::Alteration,
        "restricted_record",
        covered,
    ));
    let mut out = with_persons(tx, vec![row]).await?;
    Ok(out.remove(0))
}

/// Restricts the person's records, with the reason.
#[tracing::instrument(name = "services::restriction::place", skip_all, fields(%person))]
pub async fn place(ctx: &Ctx, person: PersonId, reason: String) -> Result<Restriction, AppError> {
    crate::in_tx!(ctx, |tx| {
        let caller = tx.caller()?.clone();
        caller.require_dpo()?;
        live_person(&mut tx, person).await?;
        if let Some(current) = q::list(tx.conn(), Some(true), Some(person), None, 1)
            .await?
            .pop()
        {
            return Err(AppError::ConflictWith {
                detail: "the person's records are already restricted".into(),
                records: vec![crate::error::ConflictingRecord {
                    record_type: RECORD.into(),
                    id: current.id,
                    reference: None,
                    status: None,
                }],
            });
        }
        let id = Uuid::now_v7();
        let row = q::insert(
            tx.conn(),
            &RestrictionRow {
                id,
                person_id: person,
                reason,
                placed_by: caller.user_id,
                placed_at: Utc::now(),
                lifted_by: None,
                lifted_at: None,
                lift_reason: None,
            },
        )
        .await?;
        tx.audit(AuditEvent::collection(RECORD, id));
        flagged(&mut tx, row, true).await
    })
}

/// Lifts a restriction in force, with the reason.
#[tracing::instrument(name = "services::restriction::lift", skip_all, fields(%id))]
pub async fn lift(ctx: &Ctx, id: Uuid, reason: String) -> Result<Restriction, AppError> {
    crate::in_tx!(ctx, |tx| {
        let caller = tx.caller()?.clone();
        caller.require_dpo()?;
        let current = q::find(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound("no such restriction"))?;
        if current.lifted_at.is_some() {
            return Err(AppError::Conflict(
                "this restriction was lifted already".into(),
            ));
        }
        let row = q::lift(tx.conn(), id, caller.user_id, &reason)
            .await?
            .ok_or_else(|| AppError::Conflict("this restriction was lifted already".into()))?;
        tx.audit(AuditEvent::alteration(RECORD, id));
        flagged(&mut tx, row, false).await
    })
}

#[tracing::instrument(name = "services::restriction::get", skip_all, fields(%id))]
pub async fn get(ctx: &Ctx, id: Uuid) -> Result<Restriction, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_dpo()?;
        let row = q::find(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound("no such restriction"))?;
        tx.audit(AuditEvent::consultation(RECORD, [id]));
        let mut out = with_persons(&mut tx, vec![row]).await?;
        Ok(out.remove(0))
    })
}

/// Restrictions by when they were placed: the one list that shows restricted persons.
#[tracing::instrument(name = "services::restriction::list", skip_all)]
pub async fn list(
    ctx: &Ctx,
    in_force: Option<bool>,
    person: Option<PersonId>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Restriction>, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_dpo()?;
        let rows = q::list(tx.conn(), in_force, person, after, limit).await?;
        tx.audit(AuditEvent::consultation(RECORD, rows.iter().map(|r| r.id)));
        with_persons(&mut tx, rows).await
    })
}

/// Every change the audit log holds of the person's records: what a note links to. The
/// audit queue is sealed first, so the latest edits are there.
#[tracing::instrument(name = "services::restriction::changes", skip_all, fields(%person))]
pub async fn changes(ctx: &Ctx, person: PersonId) -> Result<Vec<ChangeRow>, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_dpo()?;
        live_person(&mut tx, person).await?;
        crate::db::audit::seal_all(tx.conn()).await?;
        let rows = q::changes(tx.conn(), person).await?;
        tx.audit(AuditEvent::consultation("person", [person.0]));
        Ok(rows)
    })
}

/// A rectification note as given.
#[derive(Debug, Clone)]
pub struct NewNote {
    pub request: String,
    pub outcome: String,
    pub audit_seqs: Vec<i64>,
}

/// A note with the changes it links.
#[derive(Debug, Clone)]
pub struct Note {
    pub row: NoteRow,
    pub changes: Vec<ChangeRow>,
}

fn linked(row: NoteRow, all: &[ChangeRow]) -> Note {
    let changes = all
        .iter()
        .filter(|c| row.audit_seqs.contains(&c.seq))
        .cloned()
        .collect();
    Note { row, changes }
}

/// Records a rectification note linking the request to the changes made for it.
#[tracing::instrument(name = "services::restriction::add_note", skip_all, fields(%person))]
pub async fn add_note(ctx: &Ctx, person: PersonId, input: NewNote) -> Result<Note, AppError> {
    crate::in_tx!(ctx, |tx| {
        let caller = tx.caller()?.clone();
        caller.require_dpo()?;
        live_person(&mut tx, person).await?;
        crate::db::audit::seal_all(tx.conn()).await?;
        let all = q::changes(tx.conn(), person).await?;
        let seqs: Vec<i64> = all.iter().map(|c| c.seq).collect();
        let bad = unsound_links(&input.audit_seqs, &seqs);
        if !bad.is_empty() {
            let list: Vec<String> = bad.iter().map(i64::to_string).collect();
            return Err(AppError::field(
                "audit_seqs",
                &format!(
                    "{} not a change to this person's records (or named twice): see GET /api/v1/persons/{person}/changes",
                    list.join(", ")
                ),
            ));
        }
        let id = Uuid::now_v7();
        let row = q::insert_note(
            tx.conn(),
            &NoteRow {
                id,
                person_id: person,
                request: input.request,
                outcome: input.outcome,
                audit_seqs: input.audit_seqs,
                recorded_by: caller.user_id,
                recorded_at: Utc::now(),
            },
        )
        .await?;
        tx.audit(AuditEvent::collection(NOTE, id));
        Ok(linked(row, &all))
    })
}

/// A person's rectification notes with the changes each links, oldest first.
#[tracing::instrument(name = "services::restriction::notes", skip_all, fields(%person))]
pub async fn notes(ctx: &Ctx, person: PersonId) -> Result<Vec<Note>, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_dpo()?;
        live_person(&mut tx, person).await?;
        crate::db::audit::seal_all(tx.conn()).await?;
        let rows = q::notes(tx.conn(), person).await?;
        let all = q::changes(tx.conn(), person).await?;
        tx.audit(AuditEvent::consultation(NOTE, rows.iter().map(|r| r.id)));
        Ok(rows.into_iter().map(|r| linked(r, &all)).collect())
    })
}
