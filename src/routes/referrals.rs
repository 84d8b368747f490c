//! `/referrals`: Early Action referrals, their triage meetings, intervention plans and
//! consent. Police roles refer; Early Action and MFHCs of the district work them.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{created, page_limit, versioned, IfMatch};
use super::types::{dedup, parse_time_cursor, time_cursor, FieldErrors, Page};
use crate::domain::referrals::{
    ClosureReason, Consent, ConsentBy, Decision, ReferralReason, ReferralSource, ReferralStatus,
};
use crate::error::{AppError, Problem};
use crate::ids::{AgencyId, DistrictId, PersonId, ReferralId, TriggerId};
use crate::services;
use crate::services::context::Ctx;
use crate::services::referrals::{MeetingInput, PlanInput, Referral, ReferralInput};
use crate::services::referrals::{MeetingRow, PlanRow, ReferralFilter, ReferralRow};

#[derive(Serialize, ToSchema)]
pub struct ReferralSummary {
    #[serde(flatten)]
    pub referral: ReferralRow,
    /// The short reference emails show (`REF-…`); the list's `reference` filter.
    pub reference: String,
    /// Consent to the service.
    pub consent: ConsentResponse,
}

#[derive(Serialize, ToSchema)]
pub struct ConsentResponse {
    pub status: Consent,
    pub by: Option<ConsentBy>,
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub recorded_at: Option<DateTime<Utc>>,
}

impl From<ReferralRow> for ReferralSummary {
    fn from(r: ReferralRow) -> Self {
        ReferralSummary {
            reference: crate::domain::references::short_ref(
                crate::domain::references::RefKind::Referral,
                r.id.0,
            ),
            consent: ConsentResponse {
                status: r.consent,
                by: r.consent_by,
                recorded_at: r.consent_at,
            },
            referral: r,
        }
    }
}

/// A referral with its triage meetings (oldest first) and intervention plan, as far as
/// the caller may see.
#[derive(Serialize, ToSchema)]
pub struct ReferralResponse {
    #[serde(flatten)]
    pub referral: ReferralSummary,
    pub triage_meetings: Vec<MeetingRow>,
    pub intervention_plan: Option<PlanRow>,
}

impl From<Referral> for ReferralResponse {
    fn from(r: Referral) -> Self {
        ReferralResponse {
            referral: r.row.into(),
            triage_meetings: r.meetings.into_iter().collect(),
            intervention_plan: r.plan,
        }
    }
}

fn respond(r: Referral) -> HttpResponse {
    versioned(StatusCode::OK, r.row.version, ReferralResponse::from(r))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReferralRequest {
    pub person_id: PersonId,
    /// Defaults to the caller's district; force-wide users must give it.
    pub district_id: Option<DistrictId>,
    pub source: ReferralSource,
    /// Required for (and only for) `source: partner`.
    pub source_agency_id: Option<AgencyId>,
    /// Required for (and only for) `source: missing_trigger` (or use
    /// `POST /api/v1/triggers/{id}/referral`).
    pub trigger_id: Option<TriggerId>,
    pub reasons: Vec<ReferralReason>,
    #[schema(example = "Adolescent-to-parent violence reported twice this month.")]
    pub summary: String,
    #[schema(example = "DPA 2018 s.35 (law enforcement purposes)")]
    pub lawful_basis: String,
}

impl TryFrom<CreateReferralRequest> for ReferralInput {
    type Error = AppError;
    fn try_from(r: CreateReferralRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let summary = f.text("summary", &r.summary, true, 10000);
        let lawful_basis = f.text("lawful_basis", &r.lawful_basis, true, 500);
        if r.reasons.is_empty() {
            f.push("reasons", "give at least one reason");
        }
        match (r.source, r.source_agency_id.is_some()) {
            (ReferralSource::Partner, false) => {
                f.push("source_agency_id", "a partner referral names the agency")
            }
            (s, true) if s != ReferralSource::Partner => f.push(
                "source_agency_id",
                "only a partner referral names an agency",
            ),
            _ => {}
        }
        match (r.source, r.trigger_id.is_some()) {
            (ReferralSource::MissingTrigger, false) => {
                f.push("trigger_id", "a missing-trigger referral names the trigger")
            }
            (s, true) if s != ReferralSource::MissingTrigger => f.push(
                "trigger_id",
                "only a missing-trigger referral names a trigger",
            ),
            _ => {}
        }
        let input = summary
            .zip(lawful_basis)
            .map(|(summary, lawful_basis)| ReferralInput {
                person_id: r.person_id,
                district_id: r.district_id,
                source: r.source,
                source_agency_id: r.source_agency_id,
                trigger_id: r.trigger_id,
                reasons: dedup(r.reasons),
                summary,
                lawful_basis,
            });
        f.done(input)
    }
}

/// Make a referral (officers, supervisors, MFHCs, Early Action).
#[utoipa::path(post, path = "/api/v1/referrals", tag = "referrals", security(("bearer" = [])),
    request_body = CreateReferralRequest, responses(
    (status = 201, body = ReferralResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::referrals::create", skip_all)]
pub async fn create(
    ctx: Ctx,
    body: web::Json<CreateReferralRequest>,
) -> Result<HttpResponse, AppError> {
    let input = ReferralInput::try_from(body.into_inner())?;
    let r = services::referrals::create(&ctx, input).await?;
    let location = format!("/api/v1/referrals/{}", r.row.id);
    Ok(created(location, r.row.version, ReferralResponse::from(r)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReferralQuery {
    pub status: Option<ReferralStatus>,
    pub district_id: Option<DistrictId>,
    pub person_id: Option<PersonId>,
    pub source: Option<ReferralSource>,
    /// The short reference an email showed, e.g. `REF-…`.
    pub reference: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// Referrals the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/referrals", tag = "referrals", security(("bearer" = [])), params(ReferralQuery), responses(
    (status = 200, body = Page<ReferralSummary>),
))]
#[tracing::instrument(name = "http::referrals::list", skip_all)]
pub async fn list(ctx: Ctx, query: web::Query<ReferralQuery>) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let filter = ReferralFilter {
        status: q.status,
        district_id: q.district_id,
        person_id: q.person_id,
        source: q.source,
        reference: super::types::reference_param(
            crate::domain::references::RefKind::Referral,
            q.reference,
        )?,
        before: q
            .cursor
            .as_deref()
            .map(parse_time_cursor)
            .transpose()?
            .map(|(at, id)| (at, ReferralId(id))),
    };
    let rows = services::referrals::list(&ctx, filter, limit).await?;
    let items = rows.into_iter().map(ReferralSummary::from).collect();
    Ok(
        HttpResponse::Ok().json(Page::new(items, limit, |r: &ReferralSummary| {
            time_cursor(r.referral.created_at, r.referral.id)
        })),
    )
}

/// A referral (its district's case workers, whoever made it, partners it is shared with).
#[utoipa::path(get, path = "/api/v1/referrals/{id}", tag = "referrals", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Referral id")), responses(
    (status = 200, body = ReferralResponse, headers(("ETag" = String))),
))]
#[tracing::instrument(name = "http::referrals::get", skip_all)]
pub async fn get(ctx: Ctx, id: web::Path<ReferralId>) -> Result<HttpResponse, AppError> {
    let r = services::referrals::get(&ctx, id.into_inner()).await?;
    Ok(respond(r))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralStatusRequest {
    /// `triage`, `accepted`, `declined`, `redirected`, `active` or `closed`.
    pub status: ReferralStatus,
    /// Required to decline or redirect.
    pub reason: Option<String>,
    /// Required to redirect: the statutory service.
    #[schema(example = "Children's Social Care (s.47)")]
    pub redirected_to: Option<String>,
    /// Required to close.
    pub closure_reason: Option<ClosureReason>,
}

impl TryFrom<ReferralStatusRequest> for Decision {
    type Error = AppError;
    fn try_from(r: ReferralStatusRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let reason = r
            .reason
            .as_deref()
            .and_then(|v| f.text("reason", v, true, 2000));
        let to = r
            .redirected_to
            .as_deref()
            .and_then(|v| f.text("redirected_to", v, true, 200));
        let decision = match r.status {
            ReferralStatus::Received => {
                f.push("status", "a referral is received once, when it is made");
                None
            }
            ReferralStatus::Declined => match reason {
                Some(reason) => Some(Decision::Decline { reason }),
                None => {
                    f.push("reason", "say why it was declined");
                    None
                }
            },
            ReferralStatus::Redirected => {
                if to.is_none() {
                    f.push("redirected_to", "name the statutory service");
                }
                if reason.is_none() {
                    f.push("reason", "say why it was redirected");
                }
                to.zip(reason)
                    .map(|(to, reason)| Decision::Redirect { to, reason })
            }
            ReferralStatus::Closed => match r.closure_reason {
                Some(reason) => Some(Decision::Close { reason }),
                None => {
                    f.push("closure_reason", "closing needs a closure reason");
                    None
                }
            },
            s => Some(Decision::Move(s)),
        };
        if r.closure_reason.is_some() && r.status != ReferralStatus::Closed {
            f.push("closure_reason", "only when closing");
        }
        f.done(decision)
    }
}

/// Move a referral on (Early Action / MFHC of its district; send `If-Match`):
/// `received → triage → accepted | declined | redirected`, `accepted → active` (with an
/// intervention plan) `→ closed`.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/status", tag = "referrals", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Referral id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = ReferralStatusRequest, responses(
    (status = 200, body = ReferralResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::referrals::change_status", skip_all)]
pub async fn change_status(
    ctx: Ctx,
    id: web::Path<ReferralId>,
    if_match: IfMatch,
    body: web::Json<ReferralStatusRequest>,
) -> Result<HttpResponse, AppError> {
    let decision = Decision::try_from(body.into_inner())?;
    let r = services::referrals::decide(&ctx, id.into_inner(), if_match.0, decision).await?;
    Ok(respond(r))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageMeetingRequest {
    pub held_on: NaiveDate,
    /// The agencies that attended (police, YJS, L&D, CSC...).
    pub attendee_agency_ids: Vec<AgencyId>,
    #[schema(example = "Accept for Early Action; YJS to lead; CSC to share history.")]
    pub decisions: String,
    pub next_meeting_on: Option<NaiveDate>,
}

impl TryFrom<TriageMeetingRequest> for MeetingInput {
    type Error = AppError;
    fn try_from(r: TriageMeetingRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let decisions = f.text("decisions", &r.decisions, true, 10000);
        if r.attendee_agency_ids.is_empty() || r.attendee_agency_ids.len() > 50 {
            f.push(
                "attendee_agency_ids",
                "name from 1 to 50 attending agencies",
            );
        }
        if r.next_meeting_on.is_some_and(|n| n <= r.held_on) {
            f.push("next_meeting_on", "must be after the meeting");
        }
        let input = decisions.map(|decisions| MeetingInput {
            held_on: r.held_on,
            attendee_agency_ids: dedup(r.attendee_agency_ids),
            decisions,
            next_meeting_on: r.next_meeting_on,
        });
        f.done(input)
    }
}

/// Record a triage meeting (send `If-Match`).
#[utoipa::path(post, path = "/api/v1/referrals/{id}/triage-meetings", tag = "referrals", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Referral id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = TriageMeetingRequest, responses(
    (status = 201, body = ReferralResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::referrals::add_meeting", skip_all)]
pub async fn add_meeting(
    ctx: Ctx,
    id: web::Path<ReferralId>,
    if_match: IfMatch,
    body: web::Json<TriageMeetingRequest>,
) -> Result<HttpResponse, AppError> {
    let input = MeetingInput::try_from(body.into_inner())?;
    let r = services::referrals::add_meeting(&ctx, id.into_inner(), if_match.0, input).await?;
    Ok(versioned(
        StatusCode::CREATED,
        r.row.version,
        ReferralResponse::from(r),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterventionPlanRequest {
    #[schema(example = "J. Patel, YJS caseworker")]
    pub lead_practitioner: String,
    pub lead_agency_id: AgencyId,
    #[schema(example = "Weekly mentoring; family support; school attendance plan.")]
    pub goals: String,
    /// Ascending, each within 8 weeks of the one before (the first within 8 weeks of today).
    pub review_dates: Vec<NaiveDate>,
}

impl TryFrom<InterventionPlanRequest> for PlanInput {
    type Error = AppError;
    fn try_from(r: InterventionPlanRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let lead = f.text("lead_practitioner", &r.lead_practitioner, true, 200);
        let goals = f.text("goals", &r.goals, true, 10000);
        if r.review_dates.len() > 60 {
            f.push("review_dates", "at most 60 review dates");
        }
        let input = lead.zip(goals).map(|(lead_practitioner, goals)| PlanInput {
            lead_practitioner,
            lead_agency_id: r.lead_agency_id,
            goals,
            review_dates: r.review_dates,
        });
        f.done(input)
    }
}

/// Record (or replace) the intervention plan of an accepted or active referral (send
/// `If-Match`).
#[utoipa::path(put, path = "/api/v1/referrals/{id}/plan", tag = "referrals", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Referral id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = InterventionPlanRequest, responses(
    (status = 200, body = ReferralResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::referrals::put_plan", skip_all)]
pub async fn put_plan(
    ctx: Ctx,
    id: web::Path<ReferralId>,
    if_match: IfMatch,
    body: web::Json<InterventionPlanRequest>,
) -> Result<HttpResponse, AppError> {
    let input = PlanInput::try_from(body.into_inner())?;
    let r = services::referrals::put_plan(&ctx, id.into_inner(), if_match.0, input).await?;
    Ok(respond(r))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentRequest {
    pub consent: Consent,
    /// Who gave, refused or withdrew it (not for `not_sought`).
    pub by: Option<ConsentBy>,
}

/// Record consent to the service (send `If-Match`). This is not the lawful basis for
/// sharing, which the referral records separately.
#[utoipa::path(put, path = "/api/v1/referrals/{id}/consent", tag = "referrals", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Referral id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = ConsentRequest, responses(
    (status = 200, body = ReferralResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::referrals::put_consent", skip_all)]
pub async fn put_consent(
    ctx: Ctx,
    id: web::Path<ReferralId>,
    if_match: IfMatch,
    body: web::Json<ConsentRequest>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let r = services::referrals::set_consent(&ctx, id.into_inner(), if_match.0, b.consent, b.by)
        .await?;
    Ok(respond(r))
}
