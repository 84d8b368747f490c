//! Timers: finds what has become due (unacknowledged triggers, overdue return
//! interviews and supervisor reviews, actions due soon or overdue, the daily digests)
//! and enqueues each notification exactly once: the outbox's (event, recipient) key
//! makes a second tick a no-op.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use tokio::sync::watch;

use super::{agency, enqueue, notice, short_ref, staff, user, Links, Outgoing, Recipient, RefKind};
use crate::db::outbox as q;
use crate::db::{AuditContext, Pool, Tx};
use crate::domain::local_time::ForceZone;
use crate::domain::national::{NationalKind, NationalPolicy};
use crate::domain::notify::{Event, RecipientKind};
use crate::error::AppError;

/// Actions due within this many days count as "due soon".
pub const DUE_SOON_DAYS: i32 = 2;

/// How many notifications each kind of timer enqueued in one tick.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub escalations: usize,
    pub interviews_overdue: usize,
    pub reviews_overdue: usize,
    pub actions: usize,
    pub digests: usize,
    pub national_overdue: usize,
    pub subject_access: usize,
}

/// What the timers need to know of the force's policy.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timers {
    /// The local hour from which the day's digests go out (`HOMEWARD_DIGEST_HOUR`).
    pub digest_hour: u32,
    /// The UKMPU and PNC deadlines.
    pub national: NationalPolicy,
    /// The force's local time: the digest's day and hour are local.
    pub zone: ForceZone,
}

/// Takes this interval's tick for `holder`, if no instance has.
pub async fn claim(pool: &Pool, every: Duration, holder: &str) -> Result<bool, AppError> {
    let mut conn = pool.get().await?;
    Ok(q::claim_tick(&mut conn, every, holder).await?)
}

/// One pass over every timer, each in its own transaction (with no caller).
pub async fn tick(
    pool: &Pool,
    links: &Links,
    now: DateTime<Utc>,
    timers: &Timers,
) -> Result<TickReport, AppError> {
    let national = &timers.national;
    let local = now.with_timezone(&timers.zone.0);
    // Each timer in its own transaction; one failing does not hold up the others.
    macro_rules! step {
        ($name:literal, $f:expr) => {{
            let mut tx = Tx::begin(pool, AuditContext::default()).await?;
            let result = $f(&mut tx).await;
            match tx.finish(result).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(timer = $name, error = %e, "scheduler step failed");
                    0
                }
            }
        }};
    }
    Ok(TickReport {
        escalations: step!("escalations", |tx| escalations(tx, links)),
        interviews_overdue: step!("interviews", |tx| interviews_overdue(tx, links)),
        reviews_overdue: step!("reviews", |tx| reviews_overdue(tx, links)),
        national_overdue: step!("national", |tx| national_overdue(tx, links, national)),
        actions: step!("actions", |tx| actions_due(tx, links)),
        subject_access: step!("subject_access", |tx| subject_access_due(tx, links)),
        digests: if local.hour() >= timers.digest_hour {
            step!("digests", |tx| digests(tx, links, local.date_naive()))
        } else {
            0
        },
    })
}

/// Subject access requests within a week of their statutory deadline, and those past it:
/// the data protection officers are told once each.
async fn subject_access_due(tx: &mut Tx, links: &Links) -> Result<usize, AppError> {
    let due = crate::db::subject_access::alerts(tx.conn(), SUBJECT_ACCESS_WARNING_DAYS).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let dpos: Vec<Recipient> = q::dpo_emails(tx.conn())
        .await?
        .into_iter()
        .map(|s| Recipient {
            email: s.email,
            kind: RecipientKind::User,
        })
        .collect();
    let mut n = 0;
    for r in due {
        let (event, what) = if r.kind == "overdue" {
            (
                Event::SubjectAccessOverdue,
                "the request's statutory deadline has passed without a decision",
            )
        } else {
            (
                Event::SubjectAccessDue,
                "the request's statutory deadline is within a week",
            )
        };
        n += enqueue(
            tx,
            Outgoing {
                notice: notice(
                    event,
                    short_ref(RefKind::SubjectAccess, r.id),
                    what,
                    "Review the assembled records and release them, or extend the deadline with the reason",
                    Some(r.due_on.and_hms_opt(23, 59, 0).unwrap_or_default().and_utc()),
                    links.to(&format!("subject-access-requests/{}", r.id)),
                ),
                // Per deadline: an extended one is warned of again.
                event_key: format!("{}:{}:{}", event.as_str(), r.id, r.due_on),
                record_type: "subject_access_request",
                record_id: r.id,
            },
            dpos.clone(),
        )
        .await?;
    }
    Ok(n)
}

/// How long before a subject access request's deadline its officers are warned.
pub const SUBJECT_ACCESS_WARNING_DAYS: i32 = 7;

async fn escalations(tx: &mut Tx, links: &Links) -> Result<usize, AppError> {
    let mut n = 0;
    for t in q::escalate_triggers(tx.conn()).await? {
        let to = staff(tx, t.district_id, "mfhc").await?;
        n += enqueue(
            tx,
            Outgoing {
                notice: notice(
                    Event::TriggerEscalated,
                    short_ref(RefKind::Trigger, t.id.0),
                    "the trigger has not been acknowledged within its rule's escalation time",
                    "Acknowledge it and record the trigger plan",
                    None,
                    links.page(&format!("triggers/{}", t.id)),
                ),
                event_key: format!("trigger_escalated:{}", t.id),
                record_type: "trigger",
                record_id: t.id.0,
            },
            to,
        )
        .await?;
    }
    Ok(n)
}

async fn interviews_overdue(tx: &mut Tx, links: &Links) -> Result<usize, AppError> {
    let mut n = 0;
    for i in q::overdue_return_interviews(tx.conn()).await? {
        let to = staff(tx, i.district_id, "mfhc").await?;
        n += enqueue(
            tx,
            Outgoing {
                notice: notice(
                    Event::ReturnInterviewOverdue,
                    i.reference,
                    "the child's return home interview has passed its 72-hour deadline",
                    "Make sure the interview happens or its outcome is recorded",
                    Some(i.due_at),
                    links.page(&format!("episodes/{}", i.episode_id)),
                ),
                event_key: format!("rhi_overdue:{}:{}", i.episode_id, i.due_at.timestamp()),
                record_type: "episode",
                record_id: i.episode_id.0,
            },
            to,
        )
        .await?;
    }
    Ok(n)
}

/// A UKMPU notification or PNC record overdue on an open episode: the district's MFHCs
/// and supervisors, once.
async fn national_overdue(
    tx: &mut Tx,
    links: &Links,
    policy: &NationalPolicy,
) -> Result<usize, AppError> {
    let mut n = 0;
    for o in q::national_overdue(tx.conn(), policy).await? {
        let mut to = staff(tx, o.district_id, "mfhc").await?;
        to.extend(staff(tx, o.district_id, "supervisor").await?);
        let (what, needed) = match o.kind {
            NationalKind::Ukmpu => (
                "the person is still missing and has not been notified to the UK Missing Persons Unit",
                "Notify the UKMPU and record it (with its reference) in Homeward",
            ),
            NationalKind::Pnc => (
                "the missing person has not been recorded on the Police National Computer",
                "Record the person on the PNC and record it (with its reference) in Homeward",
            ),
        };
        n += enqueue(
            tx,
            Outgoing {
                notice: notice(
                    Event::NationalNotificationOverdue,
                    o.reference,
                    what,
                    needed,
                    Some(o.due_at),
                    links.page(&format!("episodes/{}", o.episode_id)),
                ),
                event_key: format!("national_overdue:{}:{}", o.kind, o.episode_id),
                record_type: "episode",
                record_id: o.episode_id.0,
            },
            to,
        )
        .await?;
    }
    Ok(n)
}

async fn reviews_overdue(tx: &mut Tx, links: &Links) -> Result<usize, AppError> {
    let mut n = 0;
    for r in q::overdue_reviews(tx.conn()).await? {
        let to = staff(tx, r.district_id, "supervisor").await?;
        n += enqueue(
            tx,
            Outgoing {
                notice: notice(
                    Event::ReviewOverdue,
                    r.reference,
                    "the supervisor review of this open missing episode is overdue",
                    "Review the episode and its risk grading",
                    Some(r.next_review_due),
                    links.page(&format!("episodes/{}", r.episode_id)),
                ),
                event_key: format!(
                    "review_overdue:{}:{}",
                    r.episode_id,
                    r.next_review_due.timestamp()
                ),
                record_type: "episode",
                record_id: r.episode_id.0,
            },
            to,
        )
        .await?;
    }
    Ok(n)
}

async fn actions_due(tx: &mut Tx, links: &Links) -> Result<usize, AppError> {
    let mut n = 0;
    for a in q::actions_due(tx.conn(), DUE_SOON_DAYS).await? {
        let mut to: Vec<Recipient> = agency(tx, a.owner_agency_id).await?.into_iter().collect();
        if let Some(u) = a.owner_user_id {
            to.extend(user(tx, u).await?);
        }
        let (event, key, what) = if a.overdue {
            (
                Event::ActionOverdue,
                "action_overdue",
                format!("the action was due on {} and is not done", a.due_on),
            )
        } else {
            (
                Event::ActionDueSoon,
                "action_due_soon",
                format!("the action is due on {}", a.due_on),
            )
        };
        n += enqueue(
            tx,
            Outgoing {
                notice: notice(
                    event,
                    short_ref(RefKind::Action, a.action_id.0),
                    what,
                    "Complete it, or record its progress or outcome",
                    None,
                    links.page(&format!("actions/{}", a.action_id)),
                ),
                event_key: format!("{key}:{}:{}", a.action_id, a.due_on),
                record_type: "action",
                record_id: a.action_id.0,
            },
            to,
        )
        .await?;
    }
    Ok(n)
}

async fn digests(tx: &mut Tx, links: &Links, day: NaiveDate) -> Result<usize, AppError> {
    let mut n = 0;
    for d in q::mfhc_digests(tx.conn()).await? {
        n += enqueue(
            tx,
            Outgoing {
                notice: notice(
                    Event::MfhcDigest,
                    format!("Digest {day}"),
                    format!(
                        "in your district: {} open high-risk episodes, {} triggers awaiting acknowledgement, \
                         {} return interviews overdue, {} actions overdue",
                        d.open_high_risk, d.triggers_unacknowledged, d.interviews_overdue, d.actions_overdue
                    ),
                    "Review them in Homeward (you can turn this digest off; alerts always come)",
                    None,
                    links.page("worklist"),
                ),
                event_key: format!("mfhc_digest:{}:{day}", d.user_id),
                record_type: "digest",
                record_id: d.user_id.0,
            },
            vec![Recipient {
                email: d.email,
                kind: RecipientKind::User,
            }],
        )
        .await?;
    }
    for d in q::agency_digests(tx.conn()).await? {
        n += enqueue(
            tx,
            Outgoing {
                notice: notice(
                    Event::AgencyDigest,
                    format!("Digest {day}"),
                    format!(
                        "your agency has {} open actions, {} of them overdue",
                        d.open_actions, d.overdue_actions
                    ),
                    "Work through them in Homeward",
                    None,
                    links.page("actions"),
                ),
                event_key: format!("agency_digest:{}:{day}", d.agency_id),
                record_type: "digest",
                record_id: d.agency_id.0,
            },
            vec![Recipient {
                email: d.mailbox,
                kind: RecipientKind::Agency,
            }],
        )
        .await?;
    }
    Ok(n)
}

/// Ticks every `every` until `stop` turns true.
/// Ticks every `every` until `stop`, when this instance takes the interval's lease: with
/// several instances on one database, one of them does each tick and the rest skip it.
pub async fn run(
    pool: Pool,
    links: Links,
    timers: Timers,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let holder = format!("{}:{}", std::process::id(), uuid::Uuid::new_v4().simple());
    loop {
        if *stop.borrow() {
            break;
        }
        match claim(&pool, every, &holder).await {
            Ok(true) => match tick(&pool, &links, Utc::now(), &timers).await {
                Ok(r) if r != TickReport::default() => {
                    tracing::info!(?r, "scheduler enqueued notifications")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "scheduler tick failed"),
            },
            Ok(false) => tracing::debug!("another instance has this scheduler tick"),
            Err(e) => tracing::warn!(error = %e, "the scheduler's lease could not be taken"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => {}
        }
    }
}
