//! User administration (admin only). Changes that alter what an account may do end its
//! sessions and access tokens at once.

use crate::auth::password;
use crate::db::auth::{self, Sessions};
use crate::db::users::{self as q, NewUser, UserChanges};
pub use crate::db::users::{UserFilter, UserRow};
use crate::db::{agencies, districts, Tx};
use crate::domain::accounts::{check_affiliation, DisplayName, Email, Role};
use crate::domain::audit::AuditEvent;
use crate::domain::password_policy::NewPassword;
use crate::error::{expect_version, AppError, OrStale};
use crate::ids::{AgencyId, DistrictId, UserId};
use crate::services::context::Ctx;
use secrecy::SecretString;

const RECORD: &str = "user";

/// A new account, already parsed.
#[derive(Debug)]
pub struct CreateUser {
    pub email: Email,
    pub display_name: DisplayName,
    pub role: Role,
    pub district_id: Option<DistrictId>,
    pub agency_id: Option<AgencyId>,
    pub password: NewPassword,
}

/// A partial update, already parsed; `Some(None)` clears a district or agency.
#[derive(Debug, Default)]
pub struct UpdateUser {
    pub display_name: Option<DisplayName>,
    pub role: Option<Role>,
    pub district_id: Option<Option<DistrictId>>,
    pub agency_id: Option<Option<AgencyId>>,
    pub active: Option<bool>,
    pub password: Option<NewPassword>,
}

#[tracing::instrument(name = "services::users::list", skip_all)]
pub async fn list(ctx: &Ctx, filter: UserFilter, limit: i64) -> Result<Vec<UserRow>, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        let rows = q::list(tx.conn(), &filter, limit).await?;
        tx.audit(AuditEvent::consultation(
            RECORD,
            rows.iter().map(|r| r.id.0),
        ));
        Ok(rows)
    })
}

#[tracing::instrument(name = "services::users::get", skip_all, fields(%id))]
pub async fn get(ctx: &Ctx, id: UserId) -> Result<UserRow, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        let row = q::find(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound("no such user"))?;
        tx.audit(AuditEvent::consultation(RECORD, [id.0]));
        Ok(row)
    })
}

/// The caller's own account.
#[tracing::instrument(name = "services::users::me", skip_all)]
pub async fn me(ctx: &Ctx) -> Result<UserRow, AppError> {
    crate::in_tx!(ctx, while_password_change_due, |tx| {
        let id = tx.caller()?.user_id;
        let row = q::find(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound("no such user"))?;
        tx.audit(AuditEvent::consultation(RECORD, [id.0]));
        Ok(row)
    })
}

#[tracing::instrument(name = "services::users::create", skip_all)]
pub async fn create(ctx: &Ctx, input: CreateUser) -> Result<UserRow, AppError> {
    check_affiliation(input.role, input.agency_id.is_some())
        .map_err(|m| AppError::field("agency_id", m))?;
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        check_references(&mut tx, input.district_id, input.agency_id).await?;
        // Hashed only once the caller is known to be an administrator (it costs 19 MiB).
        let password_hash = password::hash(input.password.secret().clone())
            .await
            .map_err(AppError::internal)?;
        let new = NewUser {
            id: UserId::new(),
            email: input.email.into_inner(),
            display_name: input.display_name.into_inner(),
            role: input.role,
            district_id: input.district_id,
            agency_id: input.agency_id,
            password_hash,
        };
        let row = q::insert(tx.conn(), &new).await?;
        tx.audit(AuditEvent::collection(RECORD, row.id.0));
        Ok(row)
    })
}

#[tracing::instrument(name = "services::users::update", skip_all, fields(%id))]
pub async fn update(
    ctx: &Ctx,
    id: UserId,
    expected_version: i32,
    input: UpdateUser,
) -> Result<UserRow, AppError> {
    crate::in_tx!(ctx, |tx| {
        let caller_id = tx.caller()?.user_id;
        tx.caller()?.require_admin()?;
        let current = q::find(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound("no such user"))?;
        expect_version(current.version, expected_version)?;
        let password_hash = match &input.password {
            Some(p) => {
                p.check_against_email(&current.email)
                    .map_err(|m| AppError::field("password", m))?;
                Some(
                    password::hash(p.secret().clone())
                        .await
                        .map_err(AppError::internal)?,
                )
            }
            None => None,
        };
        let role = input.role.unwrap_or(current.role);
        let agency = input.agency_id.unwrap_or(current.agency_id);
        check_affiliation(role, agency.is_some()).map_err(|m| AppError::field("agency_id", m))?;
        if id == caller_id && (role != current.role || input.active == Some(false)) {
            return Err(AppError::Conflict(
                "administrators cannot demote or deactivate themselves".into(),
            ));
        }
        check_references(
            &mut tx,
            input.district_id.flatten(),
            input.agency_id.flatten(),
        )
        .await?;
        let end_access = role != current.role
            || input.district_id.is_some_and(|d| d != current.district_id)
            || input.agency_id.is_some_and(|a| a != current.agency_id)
            || input.active == Some(false)
            || password_hash.is_some();
        let changes = UserChanges {
            display_name: input.display_name.map(DisplayName::into_inner),
            role: input.role,
            district_id: input.district_id,
            agency_id: input.agency_id,
            active: input.active,
            // A password an administrator set is one they know: its owner must change it.
            must_change_password: password_hash.as_ref().map(|_| true),
            password_hash,
        };
        let row = q::update(tx.conn(), id, expected_version, &changes, end_access)
            .await?
            .or_stale()?;
        if end_access {
            auth::revoke(
                tx.conn(),
                Sessions::AllOf(id),
                "account changed by an administrator",
            )
            .await?;
        }
        tx.audit(AuditEvent::alteration(RECORD, id.0));
        Ok(row)
    })
}

/// An administrator's forced reset: a temporary password (returned once, for the
/// administrator to pass on by another channel), every session of the account ended, and
/// nothing else allowed until the user has replaced it with their own.
#[tracing::instrument(name = "services::users::reset_password", skip_all, fields(%id))]
pub async fn reset_password(ctx: &Ctx, id: UserId) -> Result<(UserRow, SecretString), AppError> {
    // Only an administrator's request is worth the hashing (19 MiB, tens of milliseconds,
    // outside the transaction); the update checks again.
    crate::in_tx!(ctx, |tx| Ok(tx.caller()?.require_admin()?))?;
    let temporary = crate::domain::password_policy::temporary();
    let password_hash = password::hash(temporary.clone())
        .await
        .map_err(AppError::internal)?;
    let row = crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        if id == tx.caller()?.user_id {
            return Err(AppError::Conflict(
                "administrators change their own password at POST /api/v1/me/password".into(),
            ));
        }
        let current = q::find(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound("no such user"))?;
        if !current.active {
            return Err(AppError::Conflict(
                "the account is deactivated; reactivate it first".into(),
            ));
        }
        let changes = UserChanges {
            password_hash: Some(password_hash),
            must_change_password: Some(true),
            ..Default::default()
        };
        let row = q::update(tx.conn(), id, current.version, &changes, true)
            .await?
            .or_stale()?;
        auth::revoke(
            tx.conn(),
            Sessions::AllOf(id),
            "password reset by an administrator",
        )
        .await?;
        tx.audit(AuditEvent::alteration(RECORD, id.0));
        Ok(row)
    })?;
    Ok((row, temporary))
}

/// Deactivates (accounts are never deleted: the audit log refers to them).
#[tracing::instrument(name = "services::users::deactivate", skip_all, fields(%id))]
pub async fn deactivate(ctx: &Ctx, id: UserId) -> Result<(), AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_admin()?;
        if id == tx.caller()?.user_id {
            return Err(AppError::Conflict(
                "administrators cannot deactivate themselves".into(),
            ));
        }
        let current = q::find(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound("no such user"))?;
        let changes = UserChanges {
            active: Some(false),
            ..Default::default()
        };
        q::update(tx.conn(), id, current.version, &changes, true)
            .await?
            .or_stale()?;
        auth::revoke(tx.conn(), Sessions::AllOf(id), "account deactivated").await?;
        tx.audit(AuditEvent::alteration(RECORD, id.0));
        Ok(())
    })
}

/// District and agency must exist; an agency must also be active.
async fn check_references(
    tx: &mut Tx,
    district: Option<DistrictId>,
    agency: Option<AgencyId>,
) -> Result<(), AppError> {
    if let Some(d) = district {
        if !districts::missing(tx.conn(), &[d]).await?.is_empty() {
            return Err(AppError::field("district_id", "no such district"));
        }
    }
    if let Some(a) = agency {
        match agencies::find(tx.conn(), a).await? {
            None => return Err(AppError::field("agency_id", "no such agency")),
            Some(row) if !row.active => {
                return Err(AppError::field("agency_id", "the agency is inactive"))
            }
            Some(_) => {}
        }
    }
    Ok(())
}
