//! The delivery worker: claims due outbox rows (`FOR UPDATE SKIP LOCKED`, with a lease,
//! so several workers never send a row twice), sends them, and records each outcome as
//! it happens: sent (as soon as the server has taken it), retry later (capped
//! exponential backoff with jitter), or dead-lettered with an alert to the
//! administrators. A worker holds a presence lock on a connection of its own, so the rows
//! of one that dies are taken back at once, not when their lease runs out.

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
    /// The connection that says this worker is alive (see [`Presence`]).
    pub presence: Presence,
}

/// A worker's presence in the database: one connection of its own, taken out of the pool
/// and never returned, holding the worker's lock (`db::outbox::present`). When the
/// process dies, so does the connection and its lock, and another worker takes back the
/// rows it held at once instead of waiting for their lease to run out.
#[derive(Clone, Default)]
pub struct Presence(std::sync::Arc<tokio::sync::Mutex<Option<(String, crate::db::Conn)>>>);

impl std::fmt::Debug for Presence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Presence(..)")
    }
}

impl Presence {
    /// Holds `worker`'s lock on a connection of its own: taken again if that connection
    /// broke (a lock lost with it would let other workers take back, and send again,
    /// everything this one holds).
    pub async fn ensure(&self, pool: &Pool, worker: &str) -> Result<(), AppError> {
        let mut held = self.0.lock().await;
        if let Some((id, conn)) = held.as_mut() {
            if id == worker && q::alive(conn, worker).await.unwrap_or(false) {
                return Ok(());
            }
            tracing::warn!(worker, "the worker's presence was lost; taking it again");
        }
        *held = None;
        let mut conn = diesel_async::pooled_connection::deadpool::Object::take(pool.get().await?);
        q::present(&mut conn, worker).await?;
        *held = Some((worker.to_owned(), conn));
        Ok(())
    }
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
            // As many as the mailer keeps connections (`HOMEWARD_SMTP_CONCURRENCY`, set by
            // the caller): how many messages a crash can repeat.
            concurrency: 8,
            idle_wait: Duration::from_secs(2),
            retry,
            links,
            presence: Presence::default(),
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
    Sent,
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
    o.presence.ensure(pool, &o.id).await?;
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
    let mut first_error = None;
    for outcome in outcomes {
        match outcome {
            Ok(Outcome::Sent) => report.sent += 1,
            Ok(Outcome::Retried) => report.retried += 1,
            Ok(Outcome::Dead) => report.dead += 1,
            Ok(Outcome::Released) => report.released += 1,
            Err(e) => first_error = first_error.or(Some(e)),
        }
    }
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
        // Marked at once: a worker that dies now repeats no message the server has taken.
        Ok(()) => {
            let mut conn = pool.get().await?;
            if q::sent(&mut conn, &[row.id], &o.id).await? == 0 {
                tracing::warn!(id = %row.id, "a sent message's claim had lapsed");
            }
            Ok(Outcome::Sent)
        }
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
