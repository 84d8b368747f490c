//! The national clocks of an episode: notified to the UK Missing Persons Unit, recorded
//! on the Police National Computer (each with its deadline from the report), and
//! recording that each was done.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{versioned, IfMatch};
use super::types::FieldErrors;
use crate::domain::national::{Clock, ClockState, NationalKind};
use crate::error::{AppError, Problem};
use crate::ids::{EpisodeId, UserId};
use crate::services;
use crate::services::context::Ctx;
use crate::services::episodes::EpisodeRow;
use crate::services::episodes::{Episode, NationalInput};

/// One national clock.
#[derive(Serialize, ToSchema)]
pub struct NationalClockResponse {
    /// The report time plus the force's hours (UKMPU 72, PNC 48 by default).
    #[serde(serialize_with = "crate::json::timestamp")]
    pub due_at: DateTime<Utc>,
    /// `pending` (open, not done, before the deadline), `overdue`, `done`, or
    /// `not_required` (the episode ended without it).
    pub state: ClockState,
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub done_at: Option<DateTime<Utc>>,
    /// Who recorded it.
    pub done_by: Option<UserId>,
    /// The UKMPU case reference, or the PNC record's.
    pub reference: Option<String>,
}

/// Both national clocks of an episode.
#[derive(Serialize, ToSchema)]
pub struct NationalClocksResponse {
    /// Notified to the UK Missing Persons Unit (a person still missing 72 hours after the
    /// report).
    pub ukmpu: NationalClockResponse,
    /// Recorded on the Police National Computer (within 48 hours of the report).
    pub pnc: NationalClockResponse,
}

fn one(row: &EpisodeRow, c: &Clock) -> NationalClockResponse {
    let done = row.national(c.kind);
    NationalClockResponse {
        due_at: c.due_at,
        state: c.state,
        done_at: done.map(|d| d.0),
        done_by: done.map(|d| d.1),
        reference: done.map(|d| d.2.to_owned()),
    }
}

impl NationalClocksResponse {
    pub fn of(row: &EpisodeRow, clocks: &[Clock; 2]) -> Self {
        NationalClocksResponse {
            ukmpu: one(row, &clocks[0]),
            pnc: one(row, &clocks[1]),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NationalNotificationRequest {
    pub kind: NationalKind,
    /// When it was done (not before the report, not in the future).
    pub done_at: DateTime<Utc>,
    /// The UKMPU case reference, or the PNC record's.
    #[schema(example = "PNC 26/123456X")]
    pub reference: String,
}

impl TryFrom<NationalNotificationRequest> for NationalInput {
    type Error = AppError;
    fn try_from(r: NationalNotificationRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let reference = f.check("reference", crate::domain::text::label(&r.reference, 100));
        let input = reference.map(|reference| NationalInput {
            kind: r.kind,
            done_at: r.done_at,
            reference,
        });
        f.done(input)
    }
}

/// Record that the episode was notified to the UK Missing Persons Unit (`ukmpu`) or
/// recorded on the Police National Computer (`pnc`): when, by the caller, and the
/// reference. Once each; officers, supervisors and MFHCs of the episode's district.
#[utoipa::path(post, path = "/api/v1/episodes/{id}/national-notifications", tag = "episodes", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Episode id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = NationalNotificationRequest, responses(
    (status = 200, body = crate::routes::episodes::EpisodeResponse, headers(("ETag" = String))),
    (status = 409, description = "Already recorded, or the episode was cancelled", body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::national::record", skip_all)]
pub async fn record(
    ctx: Ctx,
    id: web::Path<EpisodeId>,
    if_match: IfMatch,
    body: web::Json<NationalNotificationRequest>,
) -> Result<HttpResponse, AppError> {
    let input = NationalInput::try_from(body.into_inner())?;
    let e: Episode =
        services::episodes::record_national(&ctx, id.into_inner(), if_match.0, input).await?;
    let version = e.row.version;
    Ok(versioned(
        actix_web::http::StatusCode::OK,
        version,
        crate::routes::episodes::EpisodeResponse::from(e),
    ))
}
