//! A district's day for its MFHC, supervisors and officers: what needs doing, gathered in
//! one transaction (and audited as one consultation of every record shown).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::db::actions::{self as actions_q, ActionFilter, ActionRow};
use crate::db::episodes::{self as episodes_q, EpisodeFilter, EpisodeRow, NationalDue, RhiRow};
use crate::db::triggers::{self as triggers_q, TriggerFilter, TriggerRow};
use crate::domain::audit::AuditEvent;
use crate::domain::national::NationalKind;
use crate::domain::triggers::TriggerStatus;
use crate::error::AppError;
use crate::ids::PersonId;
use crate::services::context::Ctx;

/// Each list holds at most this many (the worklist's counts are of what the lists hold).
pub const SHOWN: i64 = 100;

/// What needs doing today, in the caller's district (force-wide roles: everywhere).
#[derive(Debug, Default)]
pub struct Worklist {
    /// Open (not yet acknowledged) and escalated repeat-missing triggers, newest first.
    pub triggers: Vec<TriggerRow>,
    /// Open episodes graded high and not yet confirmed by a supervisor.
    pub awaiting_confirmation: Vec<EpisodeRow>,
    /// Return home interviews not yet finished, soonest due first.
    pub return_interviews: Vec<(RhiRow, EpisodeRow)>,
    /// Open episodes whose UKMPU notification or PNC record is outstanding.
    pub ukmpu_due: Vec<EpisodeRow>,
    pub pnc_due: Vec<EpisodeRow>,
    /// Open episodes whose supervisor review is overdue.
    pub reviews_overdue: Vec<EpisodeRow>,
    /// Partner actions past their due date and not finished.
    pub actions_overdue: Vec<ActionRow>,
    /// The names of the persons the lists name.
    pub names: HashMap<PersonId, String>,
    pub now: DateTime<Utc>,
}

impl Worklist {
    pub fn name(&self, id: PersonId) -> &str {
        self.names.get(&id).map_or("(not shown)", String::as_str)
    }
}

#[tracing::instrument(name = "services::worklist::today", skip_all)]
pub async fn today(ctx: &Ctx) -> Result<Worklist, AppError> {
    let now = Utc::now();
    let today = ctx.app.zone.today(now);
    crate::in_tx!(ctx, read_only, |tx| {
        let caller = tx.caller()?.clone();
        caller.require_operational()?;
        let district = caller.district_id;
        let mut triggers = triggers_q::list(
            tx.conn(),
            &TriggerFilter {
                status: Some(TriggerStatus::Open),
                district_id: district,
                ..Default::default()
            },
            SHOWN,
        )
        .await?;
        let escalated = triggers_q::list(
            tx.conn(),
            &TriggerFilter {
                escalated: Some(true),
                district_id: district,
                ..Default::default()
            },
            SHOWN,
        )
        .await?;
        for t in escalated {
            if !triggers.iter().any(|x| x.id == t.id) && t.status.is_live() {
                triggers.push(t);
            }
        }
        let episodes = |f: EpisodeFilter| EpisodeFilter {
            district_id: district,
            ..f
        };
        let awaiting_confirmation = episodes_q::list(
            tx.conn(),
            &episodes(EpisodeFilter {
                awaiting_confirmation: true,
                ..Default::default()
            }),
            SHOWN,
        )
        .await?;
        let national = |kind| EpisodeFilter {
            national: vec![NationalDue {
                kind,
                overdue: false,
                reported_before: None,
            }],
            ..Default::default()
        };
        let ukmpu_due =
            episodes_q::list(tx.conn(), &episodes(national(NationalKind::Ukmpu)), SHOWN).await?;
        let pnc_due =
            episodes_q::list(tx.conn(), &episodes(national(NationalKind::Pnc)), SHOWN).await?;
        let mut reviews_overdue = episodes_q::reviews_due(tx.conn(), now, SHOWN).await?;
        reviews_overdue.retain(|e| district.is_none_or(|d| d == e.district_id));
        let mut return_interviews = episodes_q::rhi_outstanding(tx.conn(), SHOWN).await?;
        return_interviews.retain(|(_, e)| district.is_none_or(|d| d == e.district_id));
        let actions_overdue = actions_q::list(
            tx.conn(),
            &ActionFilter {
                district_id: district,
                overdue: Some(true),
                today: Some(today),
                ..Default::default()
            },
            SHOWN,
        )
        .await?;

        let mut persons: Vec<PersonId> = triggers
            .iter()
            .map(|t| t.person_id)
            .chain(
                awaiting_confirmation
                    .iter()
                    .chain(&ukmpu_due)
                    .chain(&pnc_due)
                    .chain(&reviews_overdue)
                    .chain(return_interviews.iter().map(|(_, e)| e))
                    .map(|e| e.person_id),
            )
            .collect();
        persons.sort_by_key(|p| p.0);
        persons.dedup();
        let names = crate::db::persons::names(tx.conn(), &persons)
            .await?
            .into_iter()
            .map(|(id, given, family)| (id, format!("{given} {family}")))
            .collect();

        tx.audit(AuditEvent::consultation(
            "trigger",
            triggers.iter().map(|t| t.id.0),
        ));
        tx.audit(AuditEvent::consultation(
            "episode",
            awaiting_confirmation
                .iter()
                .chain(&ukmpu_due)
                .chain(&pnc_due)
                .chain(&reviews_overdue)
                .chain(return_interviews.iter().map(|(_, e)| e))
                .map(|e| e.id.0),
        ));
        tx.audit(AuditEvent::consultation(
            "action",
            actions_overdue.iter().map(|a| a.id.0),
        ));
        tx.audit(AuditEvent::consultation(
            "person",
            persons.iter().map(|p| p.0),
        ));
        Ok(Worklist {
            triggers,
            awaiting_confirmation,
            return_interviews,
            ukmpu_due,
            pnc_due,
            reviews_overdue,
            actions_overdue,
            names,
            now,
        })
    })
}
