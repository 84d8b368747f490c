//! The alerts events raise, enqueued in the event's own transaction: who is told what.
//! (Timed notifications are the scheduler's; trigger firing is in `triggers`.)

use chrono::{DateTime, Utc};

use crate::db::episodes::{EpisodeRow, RiskGradingRow};
use crate::db::Tx;
use crate::domain::notify::{Event, RecipientKind};
use crate::domain::reviews::Confirmation;
use crate::error::AppError;
use crate::ids::{ActionId, AgencyId, PlacementId, TriggerId, UserId};
use crate::notify::{self, notice, short_ref, Links, Outgoing, Recipient, RefKind};

/// An episode graded high: the district's MFHCs, at once, in one email that also names
/// the high-risk trigger the grading raised (if it did) and the supervisor confirmation
/// it still needs (unless a supervisor made it).
pub async fn high_risk(
    tx: &mut Tx,
    links: &Links,
    e: &EpisodeRow,
    grading: &RiskGradingRow,
    confirmation: Option<&Confirmation>,
    trigger: Option<TriggerId>,
) -> Result<(), AppError> {
    let to = notify::staff(tx, e.district_id, "mfhc").await?;
    let confirmed = confirmation.is_some_and(|c| c.confirmed_at.is_some());
    let mut what = if confirmed {
        "the missing episode has been graded high risk by a supervisor, which confirms it"
            .to_owned()
    } else {
        "the missing episode has been graded high risk".to_owned()
    };
    let mut needed = "Follow the high-risk procedure".to_owned();
    if let Some(t) = trigger {
        let r = short_ref(RefKind::Trigger, t.0);
        what.push_str(&format!(", and the high-risk rule raised trigger {r}"));
        needed.push_str(&format!("; acknowledge trigger {r} and record its plan"));
    }
    if !confirmed {
        needed.push_str("; a supervisor must confirm the grading");
    }
    notify::enqueue(
        tx,
        Outgoing {
            notice: notice(
                Event::HighRiskEpisode,
                e.reference.clone(),
                what,
                needed,
                confirmation.filter(|_| !confirmed).map(|c| c.due_at),
                links.page(&format!("episodes/{}", e.id)),
            ),
            event_key: format!("high_risk:{}:{}", e.id, grading.id),
            record_type: "episode",
            record_id: e.id.0,
        },
        to,
    )
    .await
    .map(drop)
}

/// A looked-after child missing from an out-of-area placement: the placing authority.
pub async fn placing_authority(
    tx: &mut Tx,
    links: &Links,
    e: &EpisodeRow,
    placement: PlacementId,
) -> Result<(), AppError> {
    let placements = crate::db::person_records::placements(tx.conn(), e.person_id).await?;
    let Some(p) = placements
        .iter()
        .find(|p| p.id == placement && p.out_of_area)
    else {
        return Ok(());
    };
    let to: Vec<Recipient> =
        crate::db::person_records::authority_mailbox(tx.conn(), &p.placing_authority)
            .await?
            .map(|email| Recipient {
                email,
                kind: RecipientKind::Authority,
            })
            .into_iter()
            .collect();
    notify::enqueue(
        tx,
        Outgoing {
            notice: notice(
                Event::LookedAfterMissingOutOfArea,
                e.reference.clone(),
                "a child your authority placed out of area has been reported missing",
                "Contact the reporting force's Missing From Home Coordinator",
                None,
                links.page(&format!("episodes/{}", e.id)),
            ),
            event_key: format!("looked_after_missing:{}", e.id),
            record_type: "episode",
            record_id: e.id.0,
        },
        to,
    )
    .await
    .map(drop)
}

/// A child has returned: the district's return-interview providers (or, if it has
/// none, its MFHCs, so the duty is not lost).
pub async fn interview_due(
    tx: &mut Tx,
    links: &Links,
    e: &EpisodeRow,
    due_at: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut to: Vec<Recipient> =
        crate::db::agencies::serving(tx.conn(), e.district_id, "return_interview")
            .await?
            .into_iter()
            .map(|a| Recipient {
                email: a.mailbox,
                kind: RecipientKind::Agency,
            })
            .collect();
    if to.is_empty() {
        to = notify::staff(tx, e.district_id, "mfhc").await?;
    }
    notify::enqueue(
        tx,
        Outgoing {
            notice: notice(
                Event::ReturnInterviewDue,
                e.reference.clone(),
                "a child reported missing has returned",
                "Offer the return home interview",
                Some(due_at),
                links.page(&format!("episodes/{}", e.id)),
            ),
            event_key: format!("rhi_due:{}", e.id),
            record_type: "episode",
            record_id: e.id.0,
        },
        to,
    )
    .await
    .map(drop)
}

/// A record shared with an agency: its mailbox.
pub async fn shared(
    tx: &mut Tx,
    links: &Links,
    share: crate::ids::ShareId,
    record_type: &'static str,
    record_id: uuid::Uuid,
    reference: String,
    agency: AgencyId,
) -> Result<(), AppError> {
    let to: Vec<Recipient> = notify::agency(tx, agency).await?.into_iter().collect();
    notify::enqueue(
        tx,
        Outgoing {
            notice: notice(
                Event::RecordShared,
                reference,
                format!(
                    "{} has been shared with your agency",
                    crate::domain::text::with_article(record_type)
                ),
                "Read it in Homeward; the share says its purpose and lawful basis",
                None,
                links.page("shares"),
            ),
            event_key: format!("shared:{share}"),
            record_type,
            record_id,
        },
        to,
    )
    .await
    .map(drop)
}

/// An action given to an agency (and perhaps a named user of it).
pub async fn action_assigned(
    tx: &mut Tx,
    links: &Links,
    action: ActionId,
    version: i32,
    agency: AgencyId,
    user: Option<UserId>,
    due_on: chrono::NaiveDate,
) -> Result<(), AppError> {
    let mut to: Vec<Recipient> = notify::agency(tx, agency).await?.into_iter().collect();
    if let Some(u) = user {
        to.extend(notify::user(tx, u).await?);
    }
    notify::enqueue(
        tx,
        Outgoing {
            notice: notice(
                Event::ActionAssigned,
                short_ref(RefKind::Action, action.0),
                format!("an action has been assigned to your agency, due on {due_on}"),
                "Read the action in Homeward and record its progress",
                None,
                links.page(&format!("actions/{action}")),
            ),
            // Each assignment (the action's version when given), so a handing back is told.
            event_key: format!("action_assigned:{action}:{version}"),
            record_type: "action",
            record_id: action.0,
        },
        to,
    )
    .await
    .map(drop)
}
