//! Persons: record, find (names, aliases, date of birth, district), read, amend.

pub use crate::db::persons::{PersonFilter, PersonRow};
use chrono::{NaiveDate, Utc};
use futures_util::FutureExt;

use crate::db::persons::{self as q, NewPerson, PersonChanges};
use crate::domain::audit::AuditEvent;
use crate::domain::person_records::check_child_only;
use crate::domain::persons::{search_names, Sex};
use crate::error::{expect_version, AppError, OrStale};
use crate::ids::{DistrictId, PersonId};
use crate::services::context::Ctx;

const RECORD: &str = "person";

/// A new person, already parsed.
#[derive(Debug, Clone)]
pub struct PersonInput {
    pub given_name: String,
    pub family_name: String,
    pub aliases: Vec<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub ethnicity: Option<String>,
    pub home_district_id: Option<DistrictId>,
    pub local_authority: Option<String>,
    pub looked_after: bool,
}

/// A partial amendment, already parsed; `Some(None)` clears an optional field.
#[derive(Debug, Default)]
pub struct PersonAmendment {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub aliases: Option<Vec<String>>,
    pub date_of_birth: Option<Option<NaiveDate>>,
    pub sex: Option<Option<Sex>>,
    pub ethnicity: Option<Option<String>>,
    pub home_district_id: Option<Option<DistrictId>>,
    pub local_authority: Option<Option<String>>,
    pub looked_after: Option<bool>,
}

#[tracing::instrument(name = "services::persons::create", skip_all)]
pub async fn create(ctx: &Ctx, p: PersonInput) -> Result<PersonRow, AppError> {
    crate::in_tx!(ctx, |tx| {
        let caller = tx.caller()?.clone();
        caller.require_person_access()?;
        if p.looked_after {
            check_child_only(
                p.date_of_birth,
                ctx.app.zone.today(Utc::now()),
                "looked-after status",
            )
            .map_err(|m| AppError::field("looked_after", &m))?;
        }
        let new = NewPerson {
            id: PersonId::new(),
            search_names: search_names(&p.given_name, &p.family_name, &p.aliases),
            given_name: p.given_name,
            family_name: p.family_name,
            aliases: p.aliases,
            date_of_birth: p.date_of_birth,
            sex: p.sex,
            ethnicity: p.ethnicity,
            home_district_id: p.home_district_id,
            local_authority: p.local_authority,
            looked_after: p.looked_after,
            created_by: caller.user_id,
        };
        let row = q::insert(tx.conn(), &new).await?;
        tx.audit(AuditEvent::collection(RECORD, row.id.0));
        Ok(row)
    })
}

/// Persons matching `filter` (see `domain::persons::search_words` for names).
#[tracing::instrument(name = "services::persons::search", skip_all)]
pub async fn search(
    ctx: &Ctx,
    filter: PersonFilter,
    limit: i64,
) -> Result<Vec<PersonRow>, AppError> {
    ctx.read_at_once(
        None,
        crate::domain::caller::Caller::require_person_access,
        move |conn| async move { q::search(conn, &filter, limit).await }.boxed(),
        super::consulted_rows(RECORD, |r: &PersonRow| r.id.0),
    )
    .await
}

#[tracing::instrument(name = "services::persons::amend", skip_all, fields(%id))]
pub async fn amend(
    ctx: &Ctx,
    id: PersonId,
    expected_version: i32,
    a: PersonAmendment,
) -> Result<PersonRow, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("persons", id.0).await?;
        tx.caller()?.require_operational()?;
        let current = q::find(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound("no such person"))?;
        expect_version(current.version, expected_version)?;
        if let Some(survivor) = current.merged_into {
            return Err(AppError::Conflict(format!(
                "this record is merged into person {survivor}: amend that record (or undo the merge)"
            )));
        }
        let looked_after = a.looked_after.unwrap_or(current.looked_after);
        let dob = a.date_of_birth.unwrap_or(current.date_of_birth);
        if looked_after {
            let field = if a.looked_after.is_some() {
                "looked_after"
            } else {
                "date_of_birth"
            };
            check_child_only(dob, ctx.app.zone.today(Utc::now()), "looked-after status")
                .map_err(|m| AppError::field(field, &m))?;
        }
        let names_change = a.given_name.is_some() || a.family_name.is_some() || a.aliases.is_some();
        let search = names_change.then(|| {
            search_names(
                a.given_name.as_deref().unwrap_or(&current.given_name),
                a.family_name.as_deref().unwrap_or(&current.family_name),
                a.aliases.as_deref().unwrap_or(&current.aliases),
            )
        });
        let changes = PersonChanges {
            given_name: a.given_name,
            family_name: a.family_name,
            aliases: a.aliases,
            search_names: search,
            date_of_birth: a.date_of_birth,
            sex: a.sex,
            ethnicity: a.ethnicity,
            home_district_id: a.home_district_id,
            local_authority: a.local_authority,
            looked_after: a.looked_after,
            merged_into: None,
        };
        let dob_changed = changes
            .date_of_birth
            .is_some_and(|d| d != current.date_of_birth);
        let row = q::update(tx.conn(), id, expected_version, &changes)
            .await?
            .or_stale()?;
        tx.audit(AuditEvent::alteration(RECORD, id.0));
        if dob_changed {
            // Who was a child when each episode started may have changed.
            crate::services::triggers::evaluate(&mut tx, &ctx.app, id).await?;
        }
        Ok(row)
    })
}
