//! Group commit for reads' audit rows (issue 21). A read-only request commits its read
//! (no write, so no flush to disk), hands its consultations here and waits: a writer
//! records the consultations of every request waiting at that moment in one statement
//! (`hw_audit_consultations`), one durable commit for the group, and only then is each
//! request answered. Nothing is shown unaudited; a read whose audit row cannot be
//! recorded (its session ended a moment ago, or the database failed) is refused.
//!
//! The writer runs on a thread of its own with its own connection, so it neither waits
//! behind the requests' pool nor takes an actix worker's time.

use std::sync::Arc;

use diesel::sql_types::{Array, Integer, Nullable, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use tokio::sync::{mpsc, oneshot, Mutex};
use uuid::Uuid;

use super::{cached, AuditContext, Pool, Session};
use crate::domain::audit::{AuditEvent, Operation};

/// Writers in flight at once. One: while its commit is in flight the next group gathers,
/// so groups grow with the load (two writers halved the groups and cost more).
pub const WRITERS: usize = 1;
/// The most requests one statement records.
const MAX_GROUP: usize = 256;

/// Why a request's consultations were not recorded.
#[derive(Debug, thiserror::Error)]
pub enum GroupError {
    /// The session was not live when the group was written.
    #[error("the session has ended")]
    SessionEnded,
    /// Only consultations are recorded here; anything else belongs in its own transaction.
    #[error("a {0} cannot be recorded after its transaction")]
    NotAConsultation(&'static str),
    #[error("the audit writer has stopped")]
    Stopped,
    #[error("recording the audit rows failed: {0}")]
    Database(String),
}

struct Job {
    reader: Session,
    context: AuditContext,
    events: Vec<AuditEvent>,
    done: oneshot::Sender<Result<(), GroupError>>,
}

/// A handle on the writers; cheap to clone. The writers stop when every handle is gone.
#[derive(Clone)]
pub struct AuditGroup {
    jobs: mpsc::UnboundedSender<Job>,
}

impl std::fmt::Debug for AuditGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditGroup")
    }
}

impl AuditGroup {
    /// Starts the writers on a thread of their own, writing through `pool` (a pool of
    /// their own, of `WRITERS` connections).
    pub fn start(pool: Pool) -> std::io::Result<AuditGroup> {
        let (jobs, rx) = mpsc::unbounded_channel();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name("audit-group".into())
            .spawn(move || {
                let rx = Arc::new(Mutex::new(rx));
                runtime.block_on(futures_util::future::join_all(
                    (0..WRITERS).map(|_| write_groups(pool.clone(), rx.clone())),
                ));
            })?;
        Ok(AuditGroup { jobs })
    }

    /// Records `events` (consultations only) as `reader`'s, with the next group; returns
    /// once that group is committed.
    pub async fn record(
        &self,
        reader: Session,
        context: AuditContext,
        events: Vec<AuditEvent>,
    ) -> Result<(), GroupError> {
        if let Some(e) = events
            .iter()
            .find(|e| e.operation != Operation::Consultation)
        {
            return Err(GroupError::NotAConsultation(e.operation.as_str()));
        }
        if events.is_empty() {
            return Ok(());
        }
        let (done, answer) = oneshot::channel();
        self.jobs
            .send(Job {
                reader,
                context,
                events,
                done,
            })
            .map_err(|_| GroupError::Stopped)?;
        answer.await.unwrap_or(Err(GroupError::Stopped))
    }
}

/// One writer: takes every job waiting (at least one), records them, answers each.
async fn write_groups(pool: Pool, rx: Arc<Mutex<mpsc::UnboundedReceiver<Job>>>) {
    loop {
        let group = {
            let mut rx = rx.lock().await;
            let Some(first) = rx.recv().await else { return };
            let mut group = vec![first];
            while group.len() < MAX_GROUP {
                match rx.try_recv() {
                    Ok(job) => group.push(job),
                    Err(_) => break,
                }
            }
            group
        };
        match write(&pool, &group).await {
            Ok(recorded) => {
                for (job, ok) in group.into_iter().zip(recorded) {
                    let _ = job.done.send(if ok {
                        Ok(())
                    } else {
                        Err(GroupError::SessionEnded)
                    });
                }
            }
            Err(e) => {
                tracing::error!(error = %e, jobs = group.len(), "recording a group of reads' audit rows failed");
                for job in group {
                    let _ = job.done.send(Err(GroupError::Database(e.clone())));
                }
            }
        }
    }
}

#[derive(QueryableByName)]
struct Ended {
    #[diesel(sql_type = Array<Integer>)]
    ended: Vec<i32>,
}

/// The group's rows, one array a column (`hw_audit_consultations`).
#[derive(Default)]
struct Columns {
    actor: Vec<Uuid>,
    session: Vec<Uuid>,
    version: Vec<i32>,
    record_type: Vec<&'static str>,
    start: Vec<i32>,
    count: Vec<i32>,
    ids: Vec<Uuid>,
    purpose: Vec<Option<String>>,
    request_id: Vec<Option<String>>,
    /// The job each row belongs to.
    job: Vec<usize>,
}

fn columns(group: &[Job]) -> Columns {
    let mut c = Columns::default();
    for (j, job) in group.iter().enumerate() {
        for e in &job.events {
            c.actor.push(job.reader.user.0);
            c.session.push(job.reader.session.0);
            c.version.push(job.reader.token_version);
            c.record_type.push(e.record_type);
            c.start.push(i32::try_from(c.ids.len()).unwrap_or(i32::MAX));
            c.count
                .push(i32::try_from(e.record_ids.len()).unwrap_or(i32::MAX));
            c.ids.extend_from_slice(&e.record_ids);
            c.purpose
                .push(e.purpose.clone().or_else(|| job.context.purpose.clone()));
            c.request_id.push(job.context.request_id.clone());
            c.job.push(j);
        }
    }
    c
}

/// Records the group in one statement (one commit); for each job, whether all its rows
/// were recorded.
async fn write(pool: &Pool, group: &[Job]) -> Result<Vec<bool>, String> {
    let c = columns(group);
    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
    let ended = cached(
        diesel::sql_query(
            "SELECT hw_audit_consultations($1, $2, $3, $4, $5, $6, $7, $8, $9) AS ended",
        )
        .bind::<Array<SqlUuid>, _>(&c.actor)
        .bind::<Array<SqlUuid>, _>(&c.session)
        .bind::<Array<Integer>, _>(&c.version)
        .bind::<Array<Text>, _>(&c.record_type)
        .bind::<Array<Integer>, _>(&c.start)
        .bind::<Array<Integer>, _>(&c.count)
        .bind::<Array<SqlUuid>, _>(&c.ids)
        .bind::<Array<Nullable<Text>>, _>(&c.purpose)
        .bind::<Array<Nullable<Text>>, _>(&c.request_id),
    )
    .get_result::<Ended>(&mut *conn)
    .await
    .map_err(|e| e.to_string())?;
    let mut recorded = vec![true; group.len()];
    for row in ended.ended {
        let job = usize::try_from(row - 1).ok().and_then(|r| c.job.get(r));
        match job.and_then(|j| recorded.get_mut(*j)) {
            Some(ok) => *ok = false,
            None => return Err(format!("the database named row {row}, which was not sent")),
        }
    }
    Ok(recorded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{SessionId, UserId};

    fn job(user: u128, purpose: Option<&str>, events: Vec<AuditEvent>) -> Job {
        Job {
            reader: Session {
                user: UserId(Uuid::from_u128(user)),
                session: SessionId(Uuid::from_u128(user + 100)),
                token_version: 1,
            },
            context: AuditContext {
                request_id: Some(format!("r-{user}")),
                purpose: purpose.map(str::to_owned),
            },
            events,
            done: oneshot::channel().0,
        }
    }

    fn ids(n: u128) -> Vec<Uuid> {
        (0..n).map(|i| Uuid::from_u128(1000 + i)).collect()
    }

    #[test]
    fn each_rows_ids_are_a_slice_of_one_array_and_rows_know_their_request() {
        let mut own = AuditEvent::consultation("person", ids(1));
        own.purpose = Some("its own".into());
        let group = [
            job(
                1,
                Some("asked"),
                vec![AuditEvent::consultation("episode", ids(3))],
            ),
            job(2, None, vec![AuditEvent::consultation("episode", []), own]),
        ];
        let c = columns(&group);
        assert_eq!(c.start, [0, 3, 3]);
        assert_eq!(c.count, [3, 0, 1]);
        assert_eq!(c.ids.len(), 4);
        assert_eq!(c.job, [0, 1, 1]);
        assert_eq!(c.record_type, ["episode", "episode", "person"]);
        assert_eq!(
            c.purpose,
            [Some("asked".to_owned()), None, Some("its own".to_owned())],
            "an event's own purpose, else the request's"
        );
        assert_eq!(c.actor[2], Uuid::from_u128(2));
        assert_eq!(c.session[2], Uuid::from_u128(102));
        assert_eq!(c.request_id[0].as_deref(), Some("r-1"));
    }
}
