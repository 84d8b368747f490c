//! Notifications that are never lost: events write outbox rows in their own transaction
//! (`enqueue`), the worker delivers them over SMTP (`worker`), the scheduler enqueues
//! what has become due (`scheduler`).

pub mod config;
pub mod mailer;
pub mod scheduler;
pub mod worker;

use uuid::Uuid;

use crate::db::outbox::{self as q, NewOutbox};
use crate::db::Tx;
use crate::domain::audit::{AuditEvent, Operation};
use crate::domain::notify::{render_for, Event, Notice, RecipientKind};
use crate::error::AppError;
use crate::ids::{AgencyId, DistrictId, UserId};

/// Builds the links emails carry.
#[derive(Debug, Clone)]
pub struct Links {
    base: String,
}

impl Links {
    pub fn new(public_url: &str) -> Self {
        Links {
            base: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// `<base>/api/v1/<path>`: a record without a web page yet.
    pub fn to(&self, path: &str) -> String {
        format!("{}/api/v1/{path}", self.base)
    }

    /// `<base>/<path>`: a page of the web interface.
    pub fn page(&self, path: &str) -> String {
        format!("{}/{path}", self.base)
    }
}

/// One addressee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub email: String,
    pub kind: RecipientKind,
}

/// A notification about one record, to be sent to some recipients.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub notice: Notice,
    /// Names this event instance, e.g. `trigger_fired:<id>`; with the recipient it is
    /// the idempotency key.
    pub event_key: String,
    pub record_type: &'static str,
    pub record_id: Uuid,
}

/// Queues `out` for each recipient in the caller's transaction (so a rollback sends
/// nothing), once per (event, recipient) ever, and audits it as a disclosure to them.
pub async fn enqueue(
    tx: &mut Tx,
    out: Outgoing,
    recipients: Vec<Recipient>,
) -> Result<usize, AppError> {
    let mut seen: Vec<Recipient> = Vec::new();
    for r in recipients {
        if !seen.iter().any(|s| s.email == r.email) {
            seen.push(r);
        }
    }
    if seen.is_empty() {
        // Said once per event, however many ticks and instances find it again.
        if q::note_gap(tx.conn(), &out.event_key, out.notice.event.as_str()).await? {
            tracing::warn!(event = %out.notice.event, key = %out.event_key, "a notification has no recipient");
        }
        return Ok(0);
    }
    let rows: Vec<NewOutbox> = seen
        .iter()
        .map(|r| {
            let rendered = render_for(&out.notice, r.kind);
            let id = Uuid::now_v7();
            NewOutbox {
                id,
                event: out.notice.event,
                event_key: out.event_key.clone(),
                recipient: r.email.clone(),
                recipient_kind: r.kind,
                subject: rendered.subject.clone(),
                body_text: rendered.text.clone(),
                body_html: rendered.html.clone(),
                record_type: Some(out.record_type.to_owned()),
                record_id: Some(out.record_id),
                message_id: format!("<{id}@homeward.invalid>"),
            }
        })
        .collect();
    let added = q::enqueue(tx.conn(), &rows).await?;
    if added > 0 {
        tx.audit(
            AuditEvent::new(Operation::Disclosure, out.record_type, [out.record_id])
                .with_recipients(seen.into_iter().map(|r| r.email).collect())
                .justified_by(&format!("email: {}", out.notice.event), None),
        );
    }
    Ok(added)
}

/// Active users with `role` in the district.
pub async fn staff(
    tx: &mut Tx,
    district: DistrictId,
    role: &str,
) -> Result<Vec<Recipient>, AppError> {
    Ok(q::staff_emails(tx.conn(), district, role)
        .await?
        .into_iter()
        .map(|s| Recipient {
            email: s.email,
            kind: RecipientKind::User,
        })
        .collect())
}

/// A named user, if active.
pub async fn user(tx: &mut Tx, id: UserId) -> Result<Option<Recipient>, AppError> {
    Ok(q::user_email(tx.conn(), id).await?.map(|s| Recipient {
        email: s.email,
        kind: RecipientKind::User,
    }))
}

/// An agency's mailbox, if the agency is active.
pub async fn agency(tx: &mut Tx, id: AgencyId) -> Result<Option<Recipient>, AppError> {
    Ok(q::agency_mailbox(tx.conn(), id)
        .await?
        .map(|email| Recipient {
            email,
            kind: RecipientKind::Agency,
        }))
}

pub use crate::domain::references::{short_ref, RefKind};

/// The notice for `event` about `reference`.
pub fn notice(
    event: Event,
    reference: String,
    what: impl Into<String>,
    needed: impl Into<String>,
    due: Option<chrono::DateTime<chrono::Utc>>,
    link: String,
) -> Notice {
    Notice {
        event,
        headline: event.headline().to_owned(),
        reference,
        what: what.into(),
        needed: needed.into(),
        due,
        link,
    }
}
