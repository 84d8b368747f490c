//! `/episodes`: report, read, list, lifecycle and risk (operational police roles of the
//! episode's district).

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{check_time, created, page_limit, versioned, IfMatch};
use super::types::{parse_time_cursor, time_cursor, FieldErrors, Page};
use crate::domain::episodes::{
    check_report_times, parse_reference, EpisodeStatus, InterviewMode, Marker, MissingFrom,
    ReportedBy, ReturnHow, RiskLevel,
};
use crate::domain::national::{NationalKind, Outstanding};
use crate::domain::return_interviews::{is_late, RhiStatus};
use crate::domain::reviews::ConfirmedHow;
use crate::domain::text::check_text;
use crate::error::{AppError, Problem};
use crate::ids::{AgencyId, DistrictId, EpisodeId, PersonId, PlacementId, UserId};
use crate::services;
use crate::services::context::Ctx;
use crate::services::episodes::{
    Episode, InterviewInput, ReportInput, ReturnInput, RhiUpdate, RiskInput,
};
use crate::services::episodes::{EpisodeFilter, EpisodeRow, NationalDue, RiskGradingRow};

/// An episode with its whole risk history (oldest first).
#[derive(Serialize, ToSchema)]
pub struct EpisodeResponse {
    #[serde(flatten)]
    pub episode: EpisodeRow,
    pub risk_history: Vec<RiskGradingRow>,
    /// The return, once recorded.
    #[serde(rename = "return")]
    pub returned: Option<ReturnResponse>,
    pub prevention_interview: Option<InterviewResponse>,
    /// Supervisor reviews, oldest first.
    pub reviews: Vec<ReviewResponse>,
    /// Children only, once returned.
    pub return_interview: Option<RhiResponse>,
    /// District transfers, oldest first.
    pub transfers: Vec<TransferResponse>,
    /// Present while the current grading is high: the supervisor confirmation it needs.
    pub high_risk_confirmation: Option<ConfirmationResponse>,
    /// The national clocks: UKMPU notification and PNC record, each with its deadline.
    pub national_notifications: super::national::NationalClocksResponse,
}

#[derive(Serialize, ToSchema)]
pub struct ConfirmationResponse {
    /// The high-risk grading to be confirmed.
    #[serde(serialize_with = "crate::json::timestamp")]
    pub graded_at: DateTime<Utc>,
    /// One high-risk review interval after the grading.
    #[serde(serialize_with = "crate::json::timestamp")]
    pub due_at: DateTime<Utc>,
    /// When it was confirmed: at the grading itself when a supervisor graded it high,
    /// else the first supervisor review since the grading.
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The supervisor who confirmed it.
    pub confirmed_by: Option<UserId>,
    pub confirmed_how: Option<ConfirmedHow>,
    /// Not confirmed by `due_at`.
    pub late: bool,
}

#[derive(Serialize, ToSchema)]
pub struct TransferResponse {
    pub from_district_id: DistrictId,
    pub to_district_id: DistrictId,
    pub reason: String,
    pub transferred_by: UserId,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub transferred_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct RhiResponse {
    /// 72 hours after the return.
    #[serde(serialize_with = "crate::json::timestamp")]
    pub due_at: DateTime<Utc>,
    pub provider_agency_id: Option<AgencyId>,
    pub status: RhiStatus,
    pub status_reason: Option<String>,
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub completed_at: Option<DateTime<Utc>>,
    /// Completed after the deadline, or not completed and the deadline has passed.
    pub late: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewResponse {
    #[serde(serialize_with = "crate::json::timestamp")]
    pub reviewed_at: DateTime<Utc>,
    pub reviewed_by: UserId,
    /// The risk level at the time of the review.
    pub risk_level: RiskLevel,
    pub outcome: String,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub next_due_at: DateTime<Utc>,
}

impl From<Episode> for EpisodeResponse {
    fn from(e: Episode) -> Self {
        let now = Utc::now();
        EpisodeResponse {
            national_notifications: super::national::NationalClocksResponse::of(
                &e.row,
                &e.national,
            ),
            high_risk_confirmation: e.confirmation.map(|c| ConfirmationResponse {
                late: c.late(now),
                graded_at: c.graded_at,
                due_at: c.due_at,
                confirmed_at: c.confirmed_at,
                confirmed_by: c.confirmed_by,
                confirmed_how: c.confirmed_how,
            }),
            episode: e.row,
            risk_history: e.parts.gradings.into_iter().collect(),
            returned: e.parts.returned.map(|r| ReturnResponse {
                returned_at: r.returned_at,
                location: r.location,
                how: r.how,
                found_by: r.found_by,
                harm_suffered: r.harm_suffered,
                harm_details: r.harm_details,
                markers_seen: r.markers_seen,
                recorded_by: r.recorded_by,
            }),
            transfers: e
                .parts
                .transfers
                .into_iter()
                .map(|t| TransferResponse {
                    from_district_id: t.from_district_id,
                    to_district_id: t.to_district_id,
                    reason: t.reason,
                    transferred_by: t.transferred_by,
                    transferred_at: t.transferred_at,
                })
                .collect(),
            return_interview: e.parts.rhi.map(|r| RhiResponse {
                late: is_late(r.status, r.due_at, r.completed_at, Utc::now()),
                due_at: r.due_at,
                provider_agency_id: r.provider_agency_id,
                status: r.status,
                status_reason: r.status_reason,
                completed_at: r.completed_at,
            }),
            reviews: e
                .parts
                .reviews
                .into_iter()
                .map(|r| ReviewResponse {
                    reviewed_at: r.reviewed_at,
                    reviewed_by: r.reviewed_by,
                    risk_level: r.risk_level,
                    outcome: r.outcome,
                    next_due_at: r.next_due_at,
                })
                .collect(),
            prevention_interview: e.parts.interview.map(|i| InterviewResponse {
                conducted_at: i.conducted_at,
                conducted_by: i.conducted_by,
                mode: i.mode,
                disclosures: i.disclosures,
                referrals_made: i.referrals_made,
                recorded_by: i.recorded_by,
            }),
        }
    }
}

/// The return (and the request body that records it, less `recorded_by`).
#[derive(Serialize, ToSchema)]
pub struct ReturnResponse {
    #[serde(serialize_with = "crate::json::timestamp")]
    pub returned_at: DateTime<Utc>,
    pub location: String,
    pub how: ReturnHow,
    pub found_by: String,
    pub harm_suffered: bool,
    pub harm_details: String,
    pub markers_seen: Vec<Marker>,
    pub recorded_by: UserId,
}

#[derive(Serialize, ToSchema)]
pub struct InterviewResponse {
    #[serde(serialize_with = "crate::json::timestamp")]
    pub conducted_at: DateTime<Utc>,
    pub conducted_by: String,
    pub mode: InterviewMode,
    pub disclosures: String,
    pub referrals_made: String,
    pub recorded_by: UserId,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskGradingRequest {
    pub level: RiskLevel,
    #[schema(example = "First missing episode; no known risk factors; found quickly before.")]
    pub rationale: String,
    #[schema(example = "Call from mother; PNC checks; school attendance.")]
    pub information: String,
}

/// A risk grading's fields, problems recorded under `prefix` (e.g. `risk.` in a report).
fn risk_input(f: &mut FieldErrors, prefix: &str, r: RiskGradingRequest) -> Option<RiskInput> {
    let rationale = f.text(&format!("{prefix}rationale"), &r.rationale, true, 5000);
    let information = f.text(&format!("{prefix}information"), &r.information, true, 5000);
    Some(RiskInput {
        level: r.level,
        rationale: rationale?,
        information: information?,
    })
}

impl TryFrom<RiskGradingRequest> for RiskInput {
    type Error = AppError;
    fn try_from(r: RiskGradingRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let input = risk_input(&mut f, "", r);
        f.done(input)
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportEpisodeRequest {
    pub person_id: PersonId,
    /// Defaults to the reporting user's district; force-wide users must give it.
    pub district_id: Option<DistrictId>,
    pub reported_at: DateTime<Utc>,
    pub reported_by: ReportedBy,
    #[serde(default)]
    #[schema(example = "Mother, by phone")]
    pub reporter_details: String,
    pub last_seen_at: DateTime<Utc>,
    #[schema(example = "Roundhay Park, north gate")]
    pub last_seen_location: String,
    pub missing_from: MissingFrom,
    /// Only with `missing_from: care_placement`; by default the person's placement that
    /// covered the day last seen is linked.
    pub placement_id: Option<PlacementId>,
    #[serde(default)]
    pub circumstances: String,
    /// The first risk grading.
    pub risk: RiskGradingRequest,
}

impl TryFrom<ReportEpisodeRequest> for ReportInput {
    type Error = AppError;
    fn try_from(r: ReportEpisodeRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        for (field, message) in check_report_times(r.reported_at, r.last_seen_at, Utc::now()) {
            f.push(field, message);
        }
        let reporter_details = f.text("reporter_details", &r.reporter_details, false, 500);
        let location = f.text("last_seen_location", &r.last_seen_location, true, 500);
        let circumstances = f.text("circumstances", &r.circumstances, false, 10000);
        let risk = risk_input(&mut f, "risk.", r.risk);
        if r.placement_id.is_some() && r.missing_from != MissingFrom::CarePlacement {
            f.push(
                "placement_id",
                "only for a person missing from a care placement",
            );
        }
        let input = (|| {
            Some(ReportInput {
                person_id: r.person_id,
                district_id: r.district_id,
                reported_at: r.reported_at,
                reported_by: r.reported_by,
                reporter_details: reporter_details?,
                last_seen_at: r.last_seen_at,
                last_seen_location: location?,
                missing_from: r.missing_from,
                placement_id: r.placement_id,
                circumstances: circumstances?,
                risk: risk?,
            })
        })();
        f.done(input)
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChangeRequest {
    /// `active` or `cancelled` (returns and closures have their own records).
    pub status: EpisodeStatus,
    /// Required to cancel: why the person was not missing.
    pub reason: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EpisodeQuery {
    pub status: Option<EpisodeStatus>,
    pub district_id: Option<DistrictId>,
    pub risk_level: Option<RiskLevel>,
    pub person_id: Option<PersonId>,
    pub missing_from: Option<MissingFrom>,
    /// Reported at or after.
    pub reported_from: Option<DateTime<Utc>>,
    /// Reported before.
    pub reported_to: Option<DateTime<Utc>>,
    /// `true`: children (under 18 when the episode started); `false`: adults.
    pub child: Option<bool>,
    /// `true`: looked-after children (when reported); `false`: everyone else.
    pub looked_after: Option<bool>,
    /// `true`: open episodes graded high that no supervisor has confirmed (by grading it
    /// high, or by a review since the grading).
    pub awaiting_confirmation: Option<bool>,
    /// The episode reference, e.g. `LDS-2026-000123` (as emails show it).
    pub reference: Option<String>,
    /// `due`: open episodes not yet notified to the UK Missing Persons Unit; `overdue`:
    /// those past the deadline (the report plus 72 hours by default).
    pub ukmpu: Option<Outstanding>,
    /// `due`: open episodes not yet recorded on the PNC; `overdue`: those past the
    /// deadline (the report plus 48 hours by default).
    pub pnc: Option<Outstanding>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// List episodes the caller may see, newest report first.
#[utoipa::path(get, path = "/api/v1/episodes", tag = "episodes", security(("bearer" = [])), params(EpisodeQuery), responses(
    (status = 200, body = Page<EpisodeRow>),
))]
#[tracing::instrument(name = "http::episodes::list", skip_all)]
pub async fn list(ctx: Ctx, query: web::Query<EpisodeQuery>) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    check_time("reported_from", q.reported_from)?;
    check_time("reported_to", q.reported_to)?;
    let filter = EpisodeFilter {
        status: q.status,
        district_id: q.district_id,
        risk_level: q.risk_level,
        person_id: q.person_id,
        missing_from: q.missing_from,
        reported_from: q.reported_from,
        reported_to: q.reported_to,
        child: q.child,
        looked_after: q.looked_after,
        awaiting_confirmation: q.awaiting_confirmation.unwrap_or(false),
        national: [(NationalKind::Ukmpu, q.ukmpu), (NationalKind::Pnc, q.pnc)]
            .into_iter()
            .filter_map(|(kind, o)| {
                o.map(|o| NationalDue {
                    kind,
                    overdue: o == Outstanding::Overdue,
                    reported_before: None,
                })
            })
            .collect(),
        reference: q
            .reference
            .map(|r| parse_reference(&r).map_err(|m| AppError::field("reference", m)))
            .transpose()?,
        before: q
            .cursor
            .as_deref()
            .map(parse_time_cursor)
            .transpose()?
            .map(|(at, id)| (at, EpisodeId(id))),
    };
    let rows = services::episodes::list(&ctx, filter, limit).await?;
    let items = rows;
    Ok(
        HttpResponse::Ok().json(Page::new(items, limit, |e: &EpisodeRow| {
            time_cursor(e.reported_at, e.id)
        })),
    )
}

fn respond(status: actix_web::http::StatusCode, e: Episode) -> HttpResponse {
    let version = e.row.version;
    if status == actix_web::http::StatusCode::CREATED {
        let location = format!("/api/v1/episodes/{}", e.row.id);
        created(location, version, EpisodeResponse::from(e))
    } else {
        versioned(status, version, EpisodeResponse::from(e))
    }
}

/// Report a person missing, with the first risk grading.
///
/// One disappearance is one episode: a person with an open episode (`reported` or
/// `active`, in any district), or one whose return came after this report's last-seen
/// time, is refused with 409, the problem's `conflicting` member naming that episode
/// (id, reference, status) so the caller updates it instead.
#[utoipa::path(post, path = "/api/v1/episodes", tag = "episodes", security(("bearer" = [])), request_body = ReportEpisodeRequest, responses(
    (status = 201, body = EpisodeResponse, headers(("ETag" = String))),
    (status = 409, description = "The person is already missing (an open episode), or this report overlaps an earlier episode", body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::episodes::create", skip_all)]
pub async fn create(
    ctx: Ctx,
    body: web::Json<ReportEpisodeRequest>,
) -> Result<HttpResponse, AppError> {
    let input = ReportInput::try_from(body.into_inner())?;
    let e = services::episodes::report(&ctx, input).await?;
    Ok(respond(actix_web::http::StatusCode::CREATED, e))
}

/// Read an episode with its risk history.
#[utoipa::path(get, path = "/api/v1/episodes/{id}", tag = "episodes", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Episode id")), responses(
    (status = 200, body = EpisodeResponse, headers(("ETag" = String))),
))]
#[tracing::instrument(name = "http::episodes::get", skip_all)]
pub async fn get(ctx: Ctx, id: web::Path<EpisodeId>) -> Result<HttpResponse, AppError> {
    let e = services::episodes::get(&ctx, id.into_inner()).await?;
    Ok(respond(actix_web::http::StatusCode::OK, e))
}

/// Activate or cancel an episode (send `If-Match`). An illegal move is a 409 naming
/// the statuses allowed next.
#[utoipa::path(post, path = "/api/v1/episodes/{id}/status", tag = "episodes", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Episode id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = StatusChangeRequest, responses(
    (status = 200, body = EpisodeResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::episodes::change_status", skip_all)]
pub async fn change_status(
    ctx: Ctx,
    id: web::Path<EpisodeId>,
    if_match: IfMatch,
    body: web::Json<StatusChangeRequest>,
) -> Result<HttpResponse, AppError> {
    let r = body.into_inner();
    let reason = match r.reason.as_deref() {
        None => None,
        Some(text) => {
            Some(check_text(text, true, 2000).map_err(|m| AppError::field("reason", &m))?)
        }
    };
    let e = services::episodes::change_status(&ctx, id.into_inner(), if_match.0, r.status, reason)
        .await?;
    Ok(respond(actix_web::http::StatusCode::OK, e))
}

/// Re-grade the episode's risk (send `If-Match`); the history keeps every grading.
#[utoipa::path(post, path = "/api/v1/episodes/{id}/risk-gradings", tag = "episodes", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Episode id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = RiskGradingRequest, responses(
    (status = 201, body = EpisodeResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::episodes::regrade", skip_all)]
pub async fn regrade(
    ctx: Ctx,
    id: web::Path<EpisodeId>,
    if_match: IfMatch,
    body: web::Json<RiskGradingRequest>,
) -> Result<HttpResponse, AppError> {
    let risk = RiskInput::try_from(body.into_inner())?;
    let e = services::episodes::regrade(&ctx, id.into_inner(), if_match.0, risk).await?;
    Ok(respond(actix_web::http::StatusCode::CREATED, e))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    pub returned_at: DateTime<Utc>,
    #[schema(example = "Home address")]
    pub location: String,
    pub how: ReturnHow,
    /// Who found them, when not self-returned.
    #[serde(default)]
    pub found_by: String,
    pub harm_suffered: bool,
    #[serde(default)]
    pub harm_details: String,
    #[serde(default)]
    pub markers_seen: Vec<Marker>,
}

impl TryFrom<ReturnRequest> for ReturnInput {
    type Error = AppError;
    fn try_from(r: ReturnRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let location = f.text("location", &r.location, true, 500);
        let found_by = f.text("found_by", &r.found_by, false, 500);
        let harm_details = f.text("harm_details", &r.harm_details, false, 5000);
        if r.markers_seen.len() > Marker::ALL.len() {
            f.push("markers_seen", "each marker at most once");
        }
        let mut markers_seen = r.markers_seen;
        markers_seen.sort_by_key(|m| m.as_str());
        markers_seen.dedup();
        let input = (|| {
            Some(ReturnInput {
                returned_at: r.returned_at,
                location: location?,
                how: r.how,
                found_by: found_by?,
                harm_suffered: r.harm_suffered,
                harm_details: harm_details?,
                markers_seen,
            })
        })();
        f.done(input)
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterviewRequest {
    pub conducted_at: DateTime<Utc>,
    #[schema(example = "PC 1234 Smith")]
    pub conducted_by: String,
    pub mode: InterviewMode,
    #[serde(default)]
    pub disclosures: String,
    #[serde(default)]
    pub referrals_made: String,
}

impl TryFrom<InterviewRequest> for InterviewInput {
    type Error = AppError;
    fn try_from(r: InterviewRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let conducted_by = f.text("conducted_by", &r.conducted_by, true, 200);
        let disclosures = f.text("disclosures", &r.disclosures, false, 10000);
        let referrals_made = f.text("referrals_made", &r.referrals_made, false, 5000);
        let input = (|| {
            Some(InterviewInput {
                conducted_at: r.conducted_at,
                conducted_by: conducted_by?,
                mode: r.mode,
                disclosures: disclosures?,
                referrals_made: referrals_made?,
            })
        })();
        f.done(input)
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// Required when no prevention interview is recorded: why none was possible.
    pub no_interview_reason: Option<String>,
}

/// Record the return (send `If-Match`): the episode moves from `active` to `returned`.
#[utoipa::path(post, path = "/api/v1/episodes/{id}/return", tag = "episodes", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Episode id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = ReturnRequest, responses(
    (status = 200, body = EpisodeResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::episodes::record_return", skip_all)]
pub async fn record_return(
    ctx: Ctx,
    id: web::Path<EpisodeId>,
    if_match: IfMatch,
    body: web::Json<ReturnRequest>,
) -> Result<HttpResponse, AppError> {
    let input = ReturnInput::try_from(body.into_inner())?;
    let e = services::episodes::record_return(&ctx, id.into_inner(), if_match.0, input).await?;
    Ok(respond(actix_web::http::StatusCode::OK, e))
}

/// Record the prevention interview (safe and well check) of a returned person.
#[utoipa::path(post, path = "/api/v1/episodes/{id}/prevention-interview", tag = "episodes", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Episode id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = InterviewRequest, responses(
    (status = 200, body = EpisodeResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::episodes::record_interview", skip_all)]
pub async fn record_interview(
    ctx: Ctx,
    id: web::Path<EpisodeId>,
    if_match: IfMatch,
    body: web::Json<InterviewRequest>,
) -> Result<HttpResponse, AppError> {
    let input = InterviewInput::try_from(body.into_inner())?;
    let e = services::episodes::record_interview(&ctx, id.into_inner(), if_match.0, input).await?;
    Ok(respond(actix_web::http::StatusCode::OK, e))
}

/// Close a returned episode (supervisors; needs the prevention interview or a reason).
#[utoipa::path(post, path = "/api/v1/episodes/{id}/close", tag = "episodes", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Episode id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = CloseRequest, responses(
    (status = 200, body = EpisodeResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::episodes::close", skip_all)]
pub async fn close(
    ctx: Ctx,
    id: web::Path<EpisodeId>,
    if_match: IfMatch,
    body: web::Json<CloseRequest>,
) -> Result<HttpResponse, AppError> {
    let reason = match body.into_inner().no_interview_reason {
        None => None,
        Some(text) => Some(
            check_text(&text, true, 2000)
                .map_err(|m| AppError::field("no_interview_reason", &m))?,
        ),
    };
    let e = services::episodes::close(&ctx, id.into_inner(), if_match.0, reason).await?;
    Ok(respond(actix_web::http::StatusCode::OK, e))
}

#[derive(Serialize, ToSchema)]
pub struct PersonHistoryResponse {
    pub person_id: PersonId,
    /// Episodes that started in the last 3 and 12 weeks and 12 months (cancelled ones excluded).
    pub counts: crate::domain::episodes::RecentCounts,
    /// Newest first (at most 200).
    pub episodes: Vec<EpisodeRow>,
}

/// A person's missing history: their episodes in the caller's districts, with counts.
#[utoipa::path(get, path = "/api/v1/persons/{id}/episodes", tag = "persons", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Person id")), responses(
    (status = 200, body = PersonHistoryResponse),
))]
#[tracing::instrument(name = "http::episodes::person_history", skip_all)]
pub async fn person_history(ctx: Ctx, id: web::Path<PersonId>) -> Result<HttpResponse, AppError> {
    let person_id = id.into_inner();
    let (rows, counts) = services::episodes::person_history(&ctx, person_id, 200).await?;
    Ok(HttpResponse::Ok().json(PersonHistoryResponse {
        person_id,
        counts,
        episodes: rows.into_iter().collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    #[schema(example = "Risk remains medium; tasks allocated for CCTV and friends.")]
    pub outcome: String,
}

/// Record a supervisor review (supervisors; send `If-Match`); schedules the next one.
#[utoipa::path(post, path = "/api/v1/episodes/{id}/reviews", tag = "episodes", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Episode id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = ReviewRequest, responses(
    (status = 201, body = EpisodeResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::episodes::record_review", skip_all)]
pub async fn record_review(
    ctx: Ctx,
    id: web::Path<EpisodeId>,
    if_match: IfMatch,
    body: web::Json<ReviewRequest>,
) -> Result<HttpResponse, AppError> {
    let outcome =
        check_text(&body.outcome, true, 5000).map_err(|m| AppError::field("outcome", &m))?;
    let e = services::episodes::record_review(&ctx, id.into_inner(), if_match.0, outcome).await?;
    Ok(respond(actix_web::http::StatusCode::CREATED, e))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReviewsDueQuery {
    /// Reviews due before this time (default: now, i.e. what is overdue).
    pub due_before: Option<DateTime<Utc>>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewDueResponse {
    pub episode_id: EpisodeId,
    pub reference: String,
    pub district_id: DistrictId,
    pub status: EpisodeStatus,
    pub risk_level: RiskLevel,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub next_review_due: DateTime<Utc>,
    /// Due before now.
    pub overdue: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewsDueResponse {
    pub items: Vec<ReviewDueResponse>,
}

/// Supervisor reviews due (or overdue) in the caller's districts, soonest first.
#[utoipa::path(get, path = "/api/v1/reviews", tag = "episodes", security(("bearer" = [])), params(ReviewsDueQuery), responses(
    (status = 200, body = ReviewsDueResponse),
))]
#[tracing::instrument(name = "http::episodes::reviews_due", skip_all)]
pub async fn reviews_due(
    ctx: Ctx,
    query: web::Query<ReviewsDueQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    check_time("due_before", q.due_before)?;
    let now = Utc::now();
    let rows = services::episodes::reviews_due(&ctx, q.due_before.unwrap_or(now), limit).await?;
    let items = rows
        .into_iter()
        .filter_map(|r| {
            let due = r.next_review_due?;
            Some(ReviewDueResponse {
                episode_id: r.id,
                reference: r.reference,
                district_id: r.district_id,
                status: r.status,
                risk_level: r.risk_level,
                next_review_due: due,
                overdue: due < now,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(ReviewsDueResponse { items }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RhiRequest {
    /// The next status: pending → offered | unable_to_contact; offered → accepted |
    /// declined | unable_to_contact; accepted → completed | not_completed.
    pub status: RhiStatus,
    /// The local authority or its provider doing the interview.
    pub provider_agency_id: Option<AgencyId>,
    /// Required for declined, unable_to_contact and not_completed.
    pub reason: Option<String>,
    /// Required for completed.
    pub completed_at: Option<DateTime<Utc>>,
}

/// Record progress of a child's return home interview (send `If-Match`).
#[utoipa::path(post, path = "/api/v1/episodes/{id}/return-interview", tag = "episodes", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Episode id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = RhiRequest, responses(
    (status = 200, body = EpisodeResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::episodes::update_rhi", skip_all)]
pub async fn update_rhi(
    ctx: Ctx,
    id: web::Path<EpisodeId>,
    if_match: IfMatch,
    body: web::Json<RhiRequest>,
) -> Result<HttpResponse, AppError> {
    let r = body.into_inner();
    let reason = match r.reason.as_deref() {
        None => None,
        Some(text) => {
            Some(check_text(text, true, 2000).map_err(|m| AppError::field("reason", &m))?)
        }
    };
    check_time("completed_at", r.completed_at)?;
    let update = RhiUpdate {
        status: r.status,
        provider_agency_id: r.provider_agency_id,
        reason,
        completed_at: r.completed_at,
    };
    let e = services::episodes::update_rhi(&ctx, id.into_inner(), if_match.0, update).await?;
    Ok(respond(actix_web::http::StatusCode::OK, e))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    pub district_id: DistrictId,
    #[schema(example = "Child placed in Bradford; enquiries now there.")]
    pub reason: String,
}

/// Transfer the episode to another district (send `If-Match`). The new district takes
/// it over; the old one keeps read access only.
#[utoipa::path(post, path = "/api/v1/episodes/{id}/transfer", tag = "episodes", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Episode id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = TransferRequest, responses(
    (status = 200, body = EpisodeResponse, headers(("ETag" = String))),
))]
#[tracing::instrument(name = "http::episodes::transfer", skip_all)]
pub async fn transfer(
    ctx: Ctx,
    id: web::Path<EpisodeId>,
    if_match: IfMatch,
    body: web::Json<TransferRequest>,
) -> Result<HttpResponse, AppError> {
    let r = body.into_inner();
    let reason = check_text(&r.reason, true, 2000).map_err(|m| AppError::field("reason", &m))?;
    let e = services::episodes::transfer(&ctx, id.into_inner(), if_match.0, r.district_id, reason)
        .await?;
    Ok(respond(actix_web::http::StatusCode::OK, e))
}
