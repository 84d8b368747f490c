//! One function per use case: opens the request's transaction, checks the caller in the
//! domain, calls the data layer, queues audit events, commits. Handlers call one of these.

pub mod actions;
pub mod agencies;
pub mod alerts;
pub mod audit;
pub mod auth;
pub mod context;
pub mod datasets;
pub mod episodes;
pub mod measures;
pub mod notifications;
pub mod person_records;
pub mod persons;
pub mod referrals;
pub mod restriction;
pub mod retention;
pub mod security;
pub mod shares;
pub mod subject_access;
pub mod triggers;
pub mod users;
pub mod worklist;

use crate::db::Tx;
use crate::domain::caller::Denied;
use crate::error::AppError;

/// A list read's last step (`Ctx::read_at_once`): records each row it shows as consulted.
pub(crate) fn consulted_rows<R>(
    record: &'static str,
    id: impl Fn(&R) -> uuid::Uuid,
) -> impl FnOnce(&mut crate::db::Tx, Vec<R>) -> Result<Vec<R>, AppError> {
    move |tx, rows| {
        tx.audit(crate::domain::audit::AuditEvent::consultation(
            record,
            rows.iter().map(id),
        ));
        Ok(rows)
    }
}

impl From<Denied> for AppError {
    fn from(d: Denied) -> Self {
        AppError::Forbidden(d.0)
    }
}

/// The district a new record belongs to: the one named, else the caller's own. A
/// force-wide caller must name one; a district caller may name only its own.
pub fn acting_district(
    caller: &crate::domain::caller::Caller,
    requested: Option<crate::ids::DistrictId>,
) -> Result<crate::ids::DistrictId, AppError> {
    let district = requested.or(caller.district_id).ok_or_else(|| {
        AppError::field(
            "district_id",
            "force-wide users must say which district the record is for",
        )
    })?;
    if caller.covers(district) {
        Ok(district)
    } else {
        Err(AppError::Forbidden(
            "you can only record this for your own district",
        ))
    }
}

/// A person a new record is about: it must exist and not be merged into another.
/// Locks the person until the transaction ends, before the new row's foreign key takes
/// its share lock: trigger evaluation locks the person for update, and two share locks
/// each waiting to become that would deadlock.
pub async fn live_subject(
    tx: &mut Tx,
    person: crate::ids::PersonId,
) -> Result<crate::db::persons::PersonRow, AppError> {
    let row = crate::db::persons::find_for_update(tx.conn(), person).await?;
    alive(row)
}

/// The person `live_subject` read (`db::persons::find_for_update`), if it can be the
/// subject of a new record: it exists and is not merged into another.
pub fn alive(
    row: Option<crate::db::persons::PersonRow>,
) -> Result<crate::db::persons::PersonRow, AppError> {
    let row = row.ok_or_else(|| AppError::field("person_id", "no such person"))?;
    match row.merged_into {
        Some(survivor) => Err(AppError::field(
            "person_id",
            &format!("this record is merged into person {survivor}: use that record"),
        )),
        None => Ok(row),
    }
}

/// Runs `step` until `stop`: again at once when it says there is more to do, else after
/// `every`. A failure (the database away, say) is logged as `what` and retried; the work
/// waits, committed, and nothing is lost.
pub async fn repeat_until_stopped<F, Fut>(
    what: &'static str,
    every: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
    mut step: F,
) where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool, AppError>>,
{
    loop {
        if *stop.borrow() {
            break;
        }
        match step().await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "{what} failed; retrying"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => {}
        }
    }
}
