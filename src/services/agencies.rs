//! Partner agency administration (admin only) and the reference lists.

pub use crate::db::agencies::AgencyRow;
use crate::db::agencies::{self as q, AgencyChanges, NewAgency};
use crate::db::districts::{self, DistrictRow};
use crate::db::Tx;
use crate::domain::accounts::{DisplayName, Email};
use crate::domain::audit::AuditEvent;
use crate::error::{expect_version, AppError, FieldError, OrStale};
use crate::ids::{AgencyId, DistrictId};
use crate::services::context::Ctx;

const RECORD: &str = "agency";

/// An agency with the districts it serves.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = AgencyResponse)]
pub struct Agency {
    #[serde(flatten)]
    pub row: AgencyRow,
    pub district_ids: Vec<DistrictId>,
}

#[derive(Debug)]
pub struct CreateAgency {
    pub name: DisplayName,
    pub agency_type: String,
    pub mailbox: Email,
    pub district_ids: Vec<DistrictId>,
}

#[derive(Debug, Default)]
pub struct UpdateAgency {
    pub name: Option<DisplayName>,
    pub agency_type: Option<String>,
    pub mailbox: Option<Email>,
    pub active: Option<bool>,
    pub district_ids: Option<Vec<DistrictId>>,
}

async fn with_districts(tx: &mut Tx, rows: Vec<AgencyRow>) -> Result<Vec<Agency>, AppError> {
    let ids: Vec<AgencyId> = rows.iter().map(|r| r.id).collect();
    let links = q::districts_of(tx.conn(), &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let district_ids = links
                .iter()
                .filter(|(a, _)| *a == row.id)
                .map(|(_, d)| *d)
                .collect();
            Agency { row, district_ids }
        })
        .collect())
}

#[tracing::instrument(name = "services::agencies::list", skip_all)]
pub async fn list(
    ctx: &Ctx,
    after: Option<AgencyId>,
    active: Option<bool>,
    limit: i64,
) -> Result<Vec<Agency>, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        let rows = q::list(tx.conn(), after, active, limit).await?;
        with_districts(&mut tx, rows).await
    })
}

/// The active agencies, by name: what case workers choose from when they assign an
/// action, name a plan's lead or record who attended a meeting.
#[tracing::instrument(name = "services::agencies::active", skip_all)]
pub async fn active(ctx: &Ctx) -> Result<Vec<AgencyRow>, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_case_worker()?;
        let mut rows = q::list(tx.conn(), None, Some(true), 1000).await?;
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(rows)
    })
}

#[tracing::instrument(name = "services::agencies::get", skip_all, fields(%id))]
pub async fn get(ctx: &Ctx, id: AgencyId) -> Result<Agency, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        let row = q::find(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound("no such agency"))?;
        Ok(with_districts(&mut tx, vec![row]).await?.remove(0))
    })
}

#[tracing::instrument(name = "services::agencies::create", skip_all)]
pub async fn create(ctx: &Ctx, input: CreateAgency) -> Result<Agency, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        check_references(&mut tx, Some(&input.agency_type), Some(&input.district_ids)).await?;
        let new = NewAgency {
            id: AgencyId::new(),
            name: input.name.into_inner(),
            agency_type: input.agency_type,
            mailbox: input.mailbox.into_inner(),
        };
        let row = q::insert(tx.conn(), &new).await?;
        q::set_districts(tx.conn(), row.id, &input.district_ids).await?;
        tx.audit(AuditEvent::collection(RECORD, row.id.0));
        Ok(Agency {
            row,
            district_ids: input.district_ids,
        })
    })
}

#[tracing::instrument(name = "services::agencies::update", skip_all, fields(%id))]
pub async fn update(
    ctx: &Ctx,
    id: AgencyId,
    expected_version: i32,
    input: UpdateAgency,
) -> Result<Agency, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        let current = q::find(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound("no such agency"))?;
        expect_version(current.version, expected_version)?;
        check_references(
            &mut tx,
            input.agency_type.as_deref(),
            input.district_ids.as_deref(),
        )
        .await?;
        let changes = AgencyChanges {
            name: input.name.map(DisplayName::into_inner),
            agency_type: input.agency_type,
            mailbox: input.mailbox.map(Email::into_inner),
            active: input.active,
        };
        let row = q::update(tx.conn(), id, expected_version, &changes)
            .await?
            .or_stale()?;
        if let Some(districts) = &input.district_ids {
            q::set_districts(tx.conn(), id, districts).await?;
        }
        tx.audit(AuditEvent::alteration(RECORD, id.0));
        Ok(with_districts(&mut tx, vec![row]).await?.remove(0))
    })
}

/// Deactivates (agencies are kept: shares and actions refer to them).
#[tracing::instrument(name = "services::agencies::deactivate", skip_all, fields(%id))]
pub async fn deactivate(ctx: &Ctx, id: AgencyId) -> Result<(), AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        let current = q::find(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound("no such agency"))?;
        let changes = AgencyChanges {
            active: Some(false),
            ..Default::default()
        };
        q::update(tx.conn(), id, current.version, &changes)
            .await?
            .or_stale()?;
        tx.audit(AuditEvent::alteration(RECORD, id.0));
        Ok(())
    })
}

/// Districts and agency types: reference data any signed-in user may read.
/// Reference lists: districts, agency types, local authorities (code, name).
pub struct Reference {
    pub districts: Vec<DistrictRow>,
    pub agency_types: Vec<(String, String)>,
    pub local_authorities: Vec<(String, String)>,
}

#[tracing::instrument(name = "services::agencies::reference", skip_all)]
pub async fn reference(ctx: &Ctx) -> Result<Reference, AppError> {
    crate::in_tx!(ctx, |tx| {
        Ok(Reference {
            districts: districts::list(tx.conn()).await?,
            agency_types: q::agency_types(tx.conn()).await?,
            local_authorities: crate::db::person_records::local_authorities(tx.conn()).await?,
        })
    })
}

async fn check_references(
    tx: &mut Tx,
    agency_type: Option<&str>,
    district_ids: Option<&[DistrictId]>,
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    if let Some(t) = agency_type {
        if !q::agency_type_exists(tx.conn(), t).await? {
            errors.push(FieldError::new(
                "agency_type",
                "no such agency type (see GET /api/v1/reference)",
            ));
        }
    }
    if let Some(ids) = district_ids {
        if ids.is_empty() {
            errors.push(FieldError::new(
                "district_ids",
                "an agency serves at least one district",
            ));
        }
        for missing in districts::missing(tx.conn(), ids).await? {
            errors.push(FieldError::new(
                "district_ids",
                format!("no such district: {missing}"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Agencies a record names (a plan, meeting, action, interview provider): each must
/// exist and be active; otherwise a field error under `field`.
pub async fn check_active(tx: &mut Tx, field: &str, ids: &[AgencyId]) -> Result<(), AppError> {
    for id in ids {
        match q::find(tx.conn(), *id).await? {
            Some(a) if a.active => {}
            Some(_) => return Err(AppError::field(field, &format!("agency {id} is inactive"))),
            None => return Err(AppError::field(field, &format!("no such agency {id}"))),
        }
    }
    Ok(())
}
