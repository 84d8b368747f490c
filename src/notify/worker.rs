//! The delivery worker: claims due outbox rows (`FOR UPDATE SKIP LOCKED`, with a lease,
//! so several workers never send a row twice and a dead worker's rows come back),
//! sends them, and records the outcome: sent, retry later (capped exponential backoff
//! with jitter), or dead-lettered with an alert to the administrators.

use std::time::Duration;

use chrono::Utc;
use futures_util::StreamExt;
use rand::Rng;
use tokio::sync::watch;

use super::mailer::{Mailer, SendError};
use super::{enqueue, notice, short_ref, Links, Outgoing, Recipient, RefKind};
use crate::db::outbox::{self as q, OutboxRow};
use crate::db::{AuditContext, Pool, Tx};
use crate::domain::notify::{Event, RecipientKind, RetryPolicy};
use crate::error::AppError;

#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Names this worker in the rows it holds.
    pub id: String,
    /// Rows claimed at a time.
    pub batch: i32,
    /// How long a claim holds before another worker may take the row back. Longer than
    /// the SMTP timeout, so a live worker never loses a row it is sending.
    pub lease: Duration,
    /// Messages in flight at once.
    pub concurrency: usize,
    /// Pause when nothing is due.
    pub idle_wait: Duration,
    pub retry: RetryPolicy,
    pub links: Links,
}

impl WorkerOptions {
    pub fn new(retry: RetryPolicy, links: Links) -> Self {
        WorkerOptions {
            id: format!(
                "worker-{}",
                &uuid::Uuid::new_v4().simple().to_string()[..12]
            ),
            // Two rounds of the connections at most, so a slow server cannot outlast the
            // lease with rows still unsent.
            batch: 16,
            lease: Duration::from_secs(300),
            // As many as the mailer keeps connections (`HOMEWARD_SMTP_URL`'s default 8).
            concurrency: 8,
            idle_wait: Duration::from_secs(2),
            retry,
            links,
        }
    }
}

/// What happened to the rows of one batch.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchReport {
    pub sent: usize,
    pub retried: usize,
    pub dead: usize,
    pub released: usize,
}

impl BatchReport {
    pub fn handled(&self) -> usize {
        self.sent + self.retried + self.dead + self.released
    }
}

enum Outcome {
    Sent(uuid::Uuid),
    Retried,
    Dead,
    Released,
}

/// Claims one batch and delivers it. Rows not yet tried when `stop` turns true are
/// handed back untouched.
pub async fn deliver_batch(
    pool: &Pool,
    mailer: &Mailer,
    o: &WorkerOptions,
    stop: &watch::Receiver<bool>,
) -> Result<BatchReport, AppError> {
    let lease = i32::try_from(o.lease.as_secs()).unwrap_or(i32::MAX);
    let rows = {
        let mut conn = pool.get().await?;
        q::claim(&mut conn, &o.id, o.batch, lease).await?
    };
    let outcomes: Vec<Result<Outcome, AppError>> = futures_util::stream::iter(rows)
        .map(|row| deliver_one(pool, mailer, o, stop, row))
        .buffer_unordered(o.concurrency.max(1))
        .collect()
        .await;
    let mut report = BatchReport::default();
    let mut sent = Vec::new();
    let mut first_error = None;
    for outcome in outcomes {
        match outcome {
            Ok(Outcome::Sent(id)) => sent.push(id),
            Ok(Outcome::Retried) => report.retried += 1,
            Ok(Outcome::Dead) => report.dead += 1,
            Ok(Outcome::Released) => report.released += 1,
            Err(e) => first_error = first_error.or(Some(e)),
        }
    }
    // What went out is marked even if recording another row failed.
    let mut conn = pool.get().await?;
    let marked = q::sent(&mut conn, &sent, &o.id).await?;
    if usize::try_from(marked).unwrap_or(0) < sent.len() {
        tracing::warn!(
            sent = sent.len(),
            marked,
            "some sent messages' claims had lapsed"
        );
    }
    report.sent = sent.len();
    match first_error {
        Some(e) => Err(e),
        None => Ok(report),
    }
}

async fn deliver_one(
    pool: &Pool,
    mailer: &Mailer,
    o: &WorkerOptions,
    stop: &watch::Receiver<bool>,
    row: OutboxRow,
) -> Result<Outcome, AppError> {
    if *stop.borrow() {
        let mut conn = pool.get().await?;
        q::release(&mut conn, row.id, &o.id).await?;
        return Ok(Outcome::Released);
    }
    match mailer.send(&row).await {
        Ok(()) => Ok(Outcome::Sent(row.id)),
        Err(e) => {
            let mut conn = pool.get().await?;
            let jitter = rand::thread_rng().gen_range(0.5..=1.0);
            let wait = match &e {
                SendError::Message(_) => None,
                SendError::Smtp { .. } => o.retry.after_failure(row.attempts, jitter),
            };
            let error = e.to_string();
            tracing::warn!(id = %row.id, attempts = row.attempts, error = %error, dead = wait.is_none(), "delivery failed");
            let retry_at =
                wait.and_then(|w| chrono::Duration::from_std(w).ok().map(|w| Utc::now() + w));
            q::failed(&mut conn, row.id, &o.id, &error, retry_at).await?;
            drop(conn);
            if retry_at.is_some() {
                Ok(Outcome::Retried)
            } else {
                alert_admins(pool, &o.links, &row).await?;
                Ok(Outcome::Dead)
            }
        }
    }
}

/// Tells the administrators a message was dead-lettered (never about an alert itself).
async fn alert_admins(pool: &Pool, links: &Links, row: &OutboxRow) -> Result<(), AppError> {
    if row.event == Event::DeadLetter {
        return Ok(());
    }
    let mut tx = Tx::begin(pool, AuditContext::default()).await?;
    let result = async {
        let admins: Vec<Recipient> = q::admin_emails(tx.conn())
            .await?
            .into_iter()
            .map(|a| Recipient {
                email: a.email,
                kind: RecipientKind::User,
            })
            .collect();
        enqueue(
            &mut tx,
            Outgoing {
                notice: notice(
                    Event::DeadLetter,
                    short_ref(RefKind::Notification, row.id),
                    format!(
                        "{} notification failed {} times and was set aside",
                        crate::domain::text::with_article(row.event.as_str()),
                        row.attempts
                    ),
                    "Check the mail settings and the address, then retry it",
                    None,
                    links.to(&format!("notifications/{}", row.id)),
                ),
                // Once per time it dies (an admin may retry it and it may die again).
                event_key: format!("dead_letter:{}:{}", row.id, Utc::now().timestamp_millis()),
                record_type: "notification",
                record_id: row.id,
            },
            admins,
        )
        .await
        .map(drop)
    }
    .await;
    tx.finish(result).await
}

/// Delivers until `stop` turns true; the batch in hand is finished (or handed back)
/// before it returns.
pub async fn run(pool: Pool, mailer: Mailer, o: WorkerOptions, mut stop: watch::Receiver<bool>) {
    tracing::info!(worker = %o.id, "notification worker started");
    loop {
        if *stop.borrow() {
            break;
        }
        let wait = match deliver_batch(&pool, &mailer, &o, &stop).await {
            Ok(r) if r.handled() > 0 => Duration::ZERO,
            Ok(_) => o.idle_wait,
            Err(e) => {
                tracing::warn!(error = %e, "notification worker: batch failed");
                o.idle_wait
            }
        };
        if !wait.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => {}
            }
        }
    }
    tracing::info!(worker = %o.id, "notification worker stopped");
}
