//! Sharing: each share discloses parts of one episode, trigger or referral to one
//! agency, and is audited as a disclosure with that agency as recipient. Postgres
//! policies then decide what the agency's partners see; nothing here filters for them.

pub use crate::db::shares::{ShareFilter, ShareRow};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::shares as q;
use crate::db::Tx;
use crate::domain::audit::{AuditEvent, Operation};
use crate::domain::shares::{check_expiry, check_parts, Part, SharedRecord};
use crate::error::AppError;
use crate::ids::{AgencyId, DistrictId, EpisodeId, PersonId, ReferralId, ShareId, TriggerId};
use crate::notify::{short_ref, RefKind};
use crate::services::alerts;
use crate::services::context::Ctx;

const SHARE: &str = "share";

/// A share as asked for, already parsed.
#[derive(Debug, Clone)]
pub struct ShareInput {
    pub record_type: SharedRecord,
    pub record_id: Uuid,
    pub agency_id: AgencyId,
    pub parts: Vec<Part>,
    pub purpose: String,
    pub lawful_basis: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// The record's district, subject and reference, if the caller can see it.
async fn record(
    tx: &mut Tx,
    kind: SharedRecord,
    id: Uuid,
) -> Result<(DistrictId, PersonId, String), AppError> {
    let found = match kind {
        SharedRecord::Episode => crate::db::episodes::find(tx.conn(), EpisodeId(id))
            .await?
            .map(|e| (e.district_id, e.person_id, e.reference)),
        SharedRecord::Trigger => crate::db::triggers::find(tx.conn(), TriggerId(id))
            .await?
            .map(|t| (t.district_id, t.person_id, short_ref(RefKind::Trigger, id))),
        SharedRecord::Referral => crate::db::referrals::find(tx.conn(), ReferralId(id))
            .await?
            .map(|r| (r.district_id, r.person_id, short_ref(RefKind::Referral, id))),
    };
    found.ok_or_else(|| AppError::field("record_id", &format!("no such {kind}")))
}

#[tracing::instrument(name = "services::shares::create", skip_all)]
pub async fn create(ctx: &Ctx, s: ShareInput) -> Result<ShareRow, AppError> {
    let parts = check_parts(s.record_type, &s.parts).map_err(|m| AppError::field("parts", &m))?;
    check_expiry(s.expires_at, Utc::now()).map_err(|m| AppError::field("expires_at", m))?;
    crate::in_tx!(ctx, |tx| {
        let caller = tx.caller()?.clone();
        caller.require_case_worker()?;
        let (district, person, reference) = record(&mut tx, s.record_type, s.record_id).await?;
        if !caller.covers(district) {
            return Err(AppError::Forbidden(
                "records are shared by the district that owns them",
            ));
        }
        let agency = crate::db::agencies::find(tx.conn(), s.agency_id)
            .await?
            .ok_or_else(|| AppError::field("agency_id", "no such agency"))?;
        if !agency.active {
            return Err(AppError::field(
                "agency_id",
                "the agency is inactive: nothing can be shared with it",
            ));
        }
        let row = q::insert(
            tx.conn(),
            &ShareRow {
                id: ShareId::new(),
                record_type: s.record_type,
                record_id: s.record_id,
                district_id: district,
                agency_id: s.agency_id,
                parts,
                purpose: s.purpose,
                lawful_basis: s.lawful_basis,
                shared_by: caller.user_id,
                shared_at: Utc::now(),
                expires_at: s.expires_at,
                revoked_at: None,
                revoked_by: None,
                revoke_reason: None,
            },
        )
        .await?;
        tx.audit(
            AuditEvent::new(
                Operation::Disclosure,
                s.record_type.as_str(),
                [s.record_id, person.0, row.id.0],
            )
            .with_recipients(vec![format!("agency:{}", agency.id), agency.mailbox])
            .justified_by(&row.purpose, Some(&row.lawful_basis)),
        );
        alerts::shared(
            &mut tx,
            &ctx.app.links,
            row.id,
            s.record_type.as_str(),
            s.record_id,
            reference,
            s.agency_id,
        )
        .await?;
        Ok(row)
    })
}

/// The share if the caller may see it (a partner: only its agency's); 404 otherwise.
async fn visible(tx: &mut Tx, id: ShareId) -> Result<ShareRow, AppError> {
    let caller = tx.caller()?;
    if !caller.is_partner() {
        caller.require_case_worker()?;
    }
    q::find(tx.conn(), id)
        .await?
        .ok_or(AppError::NotFound("no such share"))
}

#[tracing::instrument(name = "services::shares::get", skip_all, fields(%id))]
pub async fn get(ctx: &Ctx, id: ShareId) -> Result<ShareRow, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("shares", id.0).await?;
        let row = visible(&mut tx, id).await?;
        tx.audit(AuditEvent::consultation(SHARE, [id.0, row.record_id]));
        Ok(row)
    })
}

#[tracing::instrument(name = "services::shares::list", skip_all)]
pub async fn list(
    ctx: &Ctx,
    mut filter: ShareFilter,
    limit: i64,
) -> Result<Vec<ShareRow>, AppError> {
    crate::in_tx!(ctx, |tx| {
        let caller = tx.caller()?;
        if !caller.is_partner() {
            caller.require_case_worker()?;
        }
        filter.now = Some(Utc::now());
        let rows = q::list(tx.conn(), &filter, limit).await?;
        tx.audit(AuditEvent::consultation(SHARE, rows.iter().map(|r| r.id.0)));
        Ok(rows)
    })
}

/// Ends a share at once; what the agency already saw stays in the audit log.
#[tracing::instrument(name = "services::shares::revoke", skip_all, fields(%id))]
pub async fn revoke(ctx: &Ctx, id: ShareId, reason: String) -> Result<ShareRow, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("shares", id.0).await?;
        let caller = tx.caller()?.clone();
        caller.require_case_worker()?;
        let current = visible(&mut tx, id).await?;
        if !caller.covers(current.district_id) {
            return Err(AppError::Forbidden(
                "shares are revoked by the district that made them",
            ));
        }
        if current.revoked_at.is_some() {
            return Err(AppError::Conflict("the share is already revoked".into()));
        }
        let row = q::revoke(tx.conn(), id, caller.user_id, &reason)
            .await?
            .ok_or_else(|| AppError::Conflict("the share is already revoked".into()))?;
        tx.audit(AuditEvent::new(
            Operation::Alteration,
            SHARE,
            [id.0, row.record_id],
        ));
        Ok(row)
    })
}
