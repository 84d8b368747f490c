//! Security events (issue 20): failed sign-ins and refused access to records that exist
//! are recorded, apart from the audit chain; administrators list them, and are emailed
//! once a window when one account's events reach the threshold.

use crate::db::outbox as outbox_q;
use crate::db::security as q;
pub use crate::db::security::{NewSecurityEvent, SecurityEventFilter, SecurityEventRow};
use crate::db::{AuditContext, PasswordGate, Tx};
use crate::domain::audit::AuditEvent;
use crate::domain::notify::{Event, RecipientKind};
use crate::domain::security::SecurityEventKind;
use crate::error::AppError;
use crate::ids::UserId;
use crate::notify::{enqueue, notice, short_ref, Outgoing, Recipient, RefKind};
use crate::services::context::Ctx;
use crate::services::context::Session;
use crate::startup::AppState;

/// A signed-in caller's refusal: recorded unless it is a 404 for a record the caller can
/// in fact see (the 404 was about something else, a sub-record or a missing profile).
/// Run after the response has gone, so its time tells the caller nothing.
#[tracing::instrument(name = "services::security::refusal", skip_all, fields(kind = %event.kind))]
pub async fn refusal(state: &AppState, caller: Session, event: NewSecurityEvent) {
    if event.kind == SecurityEventKind::HiddenRecord {
        let (Some(table), Some(id)) = (event.table, event.record_id) else {
            return;
        };
        match visible_to(state, caller, table, id).await {
            Ok(false) => {}
            Ok(true) => return,
            Err(e) => {
                tracing::warn!(error = %e, "could not tell whether a refused record is hidden");
                return;
            }
        }
    }
    record(state, event).await;
}

/// Whether `caller` can see record `id` of `table` under their own policies.
async fn visible_to(
    state: &AppState,
    caller: Session,
    table: &'static str,
    id: uuid::Uuid,
) -> Result<bool, AppError> {
    let tx = Tx::begin_authenticated(
        &state.db,
        AuditContext::default(),
        caller.user,
        caller.session,
        caller.token_version,
        PasswordGate::ChangeDue,
    )
    .await;
    let Ok(mut tx) = tx else {
        return Ok(false); // the session ended meanwhile: it can see nothing
    };
    let seen = q::visible(tx.conn(), table, id)
        .await
        .map_err(AppError::from);
    tx.finish(seen).await
}

/// Records `event` (in its own transaction: the request it is about was refused and
/// rolled back), and alerts the administrators if it took its account over the
/// threshold. Never fails the request: a failure to record is logged.
#[tracing::instrument(name = "services::security::record", skip_all, fields(kind = %event.kind))]
pub async fn record(state: &AppState, event: NewSecurityEvent) {
    if let Err(e) = try_record(state, &event).await {
        tracing::warn!(error = %e, kind = %event.kind, "a security event could not be recorded");
    }
}

async fn try_record(state: &AppState, event: &NewSecurityEvent) -> Result<(), AppError> {
    let alert = state.limits.refusal_alert;
    let threshold = i32::try_from(alert.threshold.get()).unwrap_or(i32::MAX);
    let mut tx = Tx::begin(&state.db, AuditContext::default()).await?;
    let result = async {
        let r = q::record(tx.conn(), event, threshold, alert.window).await?;
        if let (Some(n), Some(account)) = (r.alert_events, r.account_id) {
            tracing::warn!(account_id = %account, events = n, "security alert: an account passed the refusal threshold");
            alert_admins(&mut tx, state, account, n).await?;
        }
        Ok(())
    }
    .await;
    tx.finish(result).await
}

/// Emails every active administrator (the outbox, in the same transaction).
async fn alert_admins(
    tx: &mut Tx,
    state: &AppState,
    account: UserId,
    events: i32,
) -> Result<(), AppError> {
    let admins: Vec<Recipient> = outbox_q::admin_emails(tx.conn())
        .await?
        .into_iter()
        .map(|a| Recipient {
            email: a.email,
            kind: RecipientKind::User,
        })
        .collect();
    let minutes = state.limits.refusal_alert.window.as_secs() / 60;
    enqueue(
        tx,
        Outgoing {
            notice: notice(
                Event::SecurityAlert,
                short_ref(RefKind::Account, account.0),
                format!(
                    "{events} refused requests or failed sign-ins for one account within {minutes} minutes"
                ),
                "Check the account's security events and whether its use is legitimate; deactivate it or reset its password if not",
                None,
                state
                    .links
                    .to(&format!("security-events?account_id={}", account.0)),
            ),
            event_key: format!(
                "security_alert:{}:{}",
                account.0,
                chrono::Utc::now().timestamp_millis()
            ),
            record_type: "user",
            record_id: account.0,
        },
        admins,
    )
    .await
    .map(drop)
}

/// The events, newest first (administrators only; reading them is audited).
#[tracing::instrument(name = "services::security::list", skip_all)]
pub async fn list(
    ctx: &Ctx,
    filter: SecurityEventFilter,
    limit: i64,
) -> Result<Vec<SecurityEventRow>, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        let rows = q::list(tx.conn(), &filter, limit).await?;
        tx.audit(AuditEvent::consultation("security_event", []));
        Ok(rows)
    })
}
