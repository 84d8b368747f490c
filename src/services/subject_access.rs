//! Subject access requests (DPA 2018 s.45), for the force's data protection officers:
//! a request names the persons (or finds them by name and date of birth), Homeward
//! assembles everything it holds about them and the disclosures made of it, marks what
//! needs review for information about other people, tracks the statutory deadline, and
//! records the release or refusal. Every step is audited; reading the request's content
//! is a consultation of every record in it.

use chrono::{NaiveDate, Utc};
use serde_json::Value;
use uuid::Uuid;

pub use crate::db::subject_access::SarRow;
use crate::db::subject_access::{self as q, NewSar};
use crate::db::Tx;
use crate::domain::audit::{AuditEvent, Operation};
use crate::domain::persons::search_words;
use crate::domain::subject_access::{check_extension, due_on, fields_for_review};
pub use crate::domain::subject_access::{ReviewNote, SarDecision, SarStatus};
use crate::error::{AppError, OrStale};
use crate::services::context::Ctx;

const RECORD: &str = "subject_access_request";

/// Who a request is about: persons by id, or candidates by name and date of birth.
#[derive(Debug, Clone)]
pub enum Subject {
    Persons(Vec<Uuid>),
    Described {
        name: String,
        date_of_birth: NaiveDate,
    },
}

/// A new request, already parsed.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub subject: Subject,
    pub requester: String,
    pub reason: String,
    /// Default: today (the force's local date).
    pub received_on: Option<NaiveDate>,
}

/// A request with its content and what in it needs review.
#[derive(Debug, Clone)]
pub struct Request {
    pub row: SarRow,
    pub for_review: Vec<ReviewNote>,
}

impl From<SarRow> for Request {
    fn from(row: SarRow) -> Self {
        let for_review = fields_for_review(&row.bundle);
        Request { row, for_review }
    }
}

/// Every record id in a bundle (persons, episodes, triggers, referrals, actions, shares
/// and the rest), for the audit row of reading or releasing it.
fn record_ids(bundle: &Value) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = bundle
        .as_object()
        .into_iter()
        .flat_map(|o| o.iter())
        .filter(|(section, _)| !matches!(section.as_str(), "missing" | "disclosures" | "emails"))
        .filter_map(|(_, rows)| rows.as_array())
        .flatten()
        .filter_map(|row| row.get("id").and_then(Value::as_str))
        .filter_map(|id| Uuid::parse_str(id).ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Everything held about `persons`; the audit queue is sealed first, so every disclosure
/// committed so far is on the chain the bundle reads.
async fn assemble(tx: &mut Tx, persons: &[Uuid]) -> Result<Value, AppError> {
    crate::db::audit::seal_all(tx.conn()).await?;
    let bundle = q::bundle(tx.conn(), persons).await?;
    let missing = bundle
        .get("missing")
        .and_then(Value::as_array)
        .is_some_and(|m| !m.is_empty());
    if missing {
        return Err(AppError::field("person_ids", "no such person"));
    }
    Ok(bundle)
}

/// Several persons fit a description: the request names none of them until the officer
/// has checked which are the subject.
fn several_match(n: usize, found: &[Uuid]) -> AppError {
    let count = if n > 20 {
        "more than 20".to_owned()
    } else {
        n.to_string()
    };
    AppError::ConflictWith {
        detail: format!(
            "{count} persons match that name and date of birth: check which are the subject and name them in `person_ids`"
        ),
        records: found
            .iter()
            .take(20)
            .map(|id| crate::error::ConflictingRecord {
                record_type: "person".into(),
                id: *id,
                reference: None,
                status: None,
            })
            .collect(),
    }
}

/// Records a request and assembles its content.
#[tracing::instrument(name = "services::subject_access::create", skip_all)]
pub async fn create(ctx: &Ctx, input: NewRequest) -> Result<Request, AppError> {
    let today = ctx.app.zone.today(Utc::now());
    let received = input.received_on.unwrap_or(today);
    if received > today {
        return Err(AppError::field("received_on", "must not be in the future"));
    }
    crate::in_tx!(ctx, |tx| {
        let caller = tx.caller()?.clone();
        caller.require_dpo()?;
        let persons = match &input.subject {
            Subject::Persons(ids) => ids.clone(),
            Subject::Described {
                name,
                date_of_birth,
            } => {
                let found = q::candidates(tx.conn(), &search_words(name), *date_of_birth).await?;
                match found.len() {
                    0 => {
                        return Err(AppError::field(
                            "subject",
                            "no person of that name was born on that date: search again, or name the persons by id",
                        ))
                    }
                    1 => found,
                    // Never released on a guess: the officer checks which are the subject.
                    n => return Err(several_match(n, &found)),
                }
            }
        };
        let bundle = assemble(&mut tx, &persons).await?;
        let id = Uuid::now_v7();
        let row = q::insert(
            tx.conn(),
            &NewSar {
                id,
                person_ids: persons,
                requester: input.requester.clone(),
                reason: input.reason.clone(),
                received_on: received,
                due_on: due_on(received),
                bundle,
                assembled_at: Utc::now(),
                created_by: caller.user_id,
            },
        )
        .await?;
        tx.audit(AuditEvent::collection(RECORD, id));
        tx.audit(consulted(&row));
        Ok(Request::from(row))
    })
}

/// Reading a request's content is a consultation of every record in it, for it.
fn consulted(row: &SarRow) -> AuditEvent {
    AuditEvent::consultation("subject_access_bundle", record_ids(&row.bundle)).justified_by(
        &format!(
            "subject access request {}",
            crate::notify::short_ref(crate::notify::RefKind::SubjectAccess, row.id)
        ),
        Some("DPA 2018 s.45"),
    )
}

#[tracing::instrument(name = "services::subject_access::get", skip_all, fields(%id))]
pub async fn get(ctx: &Ctx, id: Uuid) -> Result<Request, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_dpo()?;
        let row = q::find(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound("no such subject access request"))?;
        tx.audit(AuditEvent::consultation(RECORD, [id]));
        tx.audit(consulted(&row));
        Ok(Request::from(row))
    })
}

/// Requests, by id (time order); their content is not read, so not audited as such.
#[tracing::instrument(name = "services::subject_access::list", skip_all)]
pub async fn list(
    ctx: &Ctx,
    status: Option<SarStatus>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<SarRow>, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_dpo()?;
        let rows = q::list(tx.conn(), status, after, limit).await?;
        tx.audit(AuditEvent::consultation(RECORD, rows.iter().map(|r| r.id)));
        Ok(rows)
    })
}

/// The request as it stands, for a change: it must be open and at `version`.
async fn open_at(tx: &mut Tx, id: Uuid, version: i32) -> Result<SarRow, AppError> {
    let row = q::find(tx.conn(), id)
        .await?
        .ok_or(AppError::NotFound("no such subject access request"))?;
    crate::error::expect_version(row.version, version)?;
    if row.status != SarStatus::Open {
        return Err(AppError::Conflict(format!(
            "the request is {}: it can no longer change",
            row.status
        )));
    }
    Ok(row)
}

/// Assembles the content again (records changed since), before a decision.
#[tracing::instrument(name = "services::subject_access::reassemble", skip_all, fields(%id))]
pub async fn reassemble(ctx: &Ctx, id: Uuid, version: i32) -> Result<Request, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_dpo()?;
        let row = open_at(&mut tx, id, version).await?;
        let bundle = assemble(&mut tx, &row.person_ids).await?;
        let row = q::reassemble(tx.conn(), id, version, &bundle)
            .await?
            .or_stale()?;
        tx.audit(AuditEvent::alteration(RECORD, id));
        tx.audit(consulted(&row));
        Ok(Request::from(row))
    })
}

/// Moves the deadline (at most three months from receipt), with the reason.
#[tracing::instrument(name = "services::subject_access::extend", skip_all, fields(%id))]
pub async fn extend(
    ctx: &Ctx,
    id: Uuid,
    version: i32,
    new_due: NaiveDate,
    reason: String,
) -> Result<SarRow, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_dpo()?;
        let row = open_at(&mut tx, id, version).await?;
        check_extension(row.received_on, row.due_on, new_due)
            .map_err(|m| AppError::field("due_on", &m))?;
        let row = q::extend(tx.conn(), id, version, new_due, &reason)
            .await?
            .or_stale()?;
        tx.audit(AuditEvent::alteration(RECORD, id));
        Ok(row)
    })
}

/// Releases the assembled content to the requester (a disclosure, audited with every
/// record in it), or refuses the request with the s.45(4) ground.
#[tracing::instrument(name = "services::subject_access::decide", skip_all, fields(%id))]
pub async fn decide(
    ctx: &Ctx,
    id: Uuid,
    version: i32,
    decision: SarDecision,
    note: Option<String>,
) -> Result<Request, AppError> {
    if decision == SarDecision::Refuse && note.is_none() {
        return Err(AppError::field(
            "note",
            "a refusal must say which restriction of s.45(4) applies and why",
        ));
    }
    crate::in_tx!(ctx, |tx| {
        let by = tx.caller()?.user_id;
        tx.caller()?.require_dpo()?;
        open_at(&mut tx, id, version).await?;
        let status = match decision {
            SarDecision::Release => SarStatus::Released,
            SarDecision::Refuse => SarStatus::Refused,
        };
        let row = q::decide(tx.conn(), id, version, status, by, note.as_deref())
            .await?
            .or_stale()?;
        tx.audit(AuditEvent::alteration(RECORD, id));
        if status == SarStatus::Released {
            let reference = crate::notify::short_ref(crate::notify::RefKind::SubjectAccess, id);
            tx.audit(
                AuditEvent::new(
                    Operation::Disclosure,
                    "subject_access_bundle",
                    record_ids(&row.bundle),
                )
                // Named by the request, which says who they are: the hash chain keeps what
                // it covers for ever, and the requester is often the data subject (erased
                // with the rest at disposal).
                .with_recipients(vec![format!("the requester of {reference}")])
                .justified_by(
                    &format!("subject access request {reference} released"),
                    Some("DPA 2018 s.45"),
                ),
            );
        }
        Ok(Request::from(row))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_record_in_a_bundle_is_named_once_and_disclosures_are_not_records() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        let bundle = json!({
            "persons": [{ "id": a }],
            "episodes": [{ "id": b }, { "id": b }],
            "returns": [{ "episode_id": b }],
            "disclosures": [{ "seq": 1, "id": Uuid::now_v7() }],
            "missing": [],
        });
        let mut want = vec![a, b];
        want.sort_unstable();
        assert_eq!(record_ids(&bundle), want);
    }
}
