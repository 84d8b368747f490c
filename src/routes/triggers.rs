//! `/triggers`: repeat-missing triggers, worked by the district's MFHC: acknowledge,
//! record the trigger plan, raise an Early Action referral, close.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{created, page_limit, versioned, IfMatch};
use super::referrals::ReferralResponse;
use super::types::{dedup, parse_time_cursor, time_cursor, FieldErrors, Page};
use crate::domain::referrals::ReferralReason;
use crate::domain::triggers::{RuleKind, TriggerStatus};
use crate::error::{AppError, Problem};
use crate::ids::{AgencyId, DistrictId, PersonId, ReferralId, TriggerId, TriggerRuleId};
use crate::services;
use crate::services::context::Ctx;
use crate::services::triggers::{PlanInput, RaiseInput, Trigger};
use crate::services::triggers::{PlanRow, TriggerFilter, TriggerRow};

#[derive(Serialize, ToSchema)]
pub struct EscalationResponse {
    /// When an unacknowledged trigger escalates.
    #[serde(serialize_with = "crate::json::timestamp")]
    pub due_at: DateTime<Utc>,
    /// Escalated: recorded by the scheduler, or still open past `due_at`.
    pub escalated: bool,
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub escalated_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct TriggerSummary {
    #[serde(flatten)]
    pub trigger: TriggerRow,
    /// The short reference emails show (`TRG-7C842753`); the list's `reference` filter.
    pub reference: String,
    pub escalation: EscalationResponse,
}

impl From<TriggerRow> for TriggerSummary {
    fn from(t: TriggerRow) -> Self {
        let escalated = t.escalated_at.is_some()
            || (t.status == TriggerStatus::Open && Utc::now() >= t.escalation_due_at);
        TriggerSummary {
            reference: crate::domain::references::short_ref(
                crate::domain::references::RefKind::Trigger,
                t.id.0,
            ),
            escalation: EscalationResponse {
                due_at: t.escalation_due_at,
                escalated,
                escalated_at: t.escalated_at,
            },
            trigger: t,
        }
    }
}

/// A trigger with its plan and the referral raised from it (what the caller may see).
#[derive(Serialize, ToSchema)]
pub struct TriggerResponse {
    #[serde(flatten)]
    pub trigger: TriggerSummary,
    pub plan: Option<PlanRow>,
    pub referral_id: Option<ReferralId>,
}

impl From<Trigger> for TriggerResponse {
    fn from(t: Trigger) -> Self {
        TriggerResponse {
            trigger: t.row.into(),
            plan: t.plan,
            referral_id: t.referral_id,
        }
    }
}

fn respond(t: Trigger) -> HttpResponse {
    versioned(StatusCode::OK, t.row.version, TriggerResponse::from(t))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TriggerQuery {
    pub status: Option<TriggerStatus>,
    pub district_id: Option<DistrictId>,
    pub person_id: Option<PersonId>,
    pub rule_id: Option<TriggerRuleId>,
    pub kind: Option<RuleKind>,
    /// `true`: escalated (unacknowledged past the rule's escalation time).
    pub escalated: Option<bool>,
    /// The short reference an email showed, e.g. `TRG-7C842753`.
    pub reference: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// Triggers the caller may see, newest first (supervisors, MFHCs, Early Action).
#[utoipa::path(get, path = "/api/v1/triggers", tag = "triggers", security(("bearer" = [])), params(TriggerQuery), responses(
    (status = 200, body = Page<TriggerSummary>),
))]
#[tracing::instrument(name = "http::triggers::list", skip_all)]
pub async fn list(ctx: Ctx, query: web::Query<TriggerQuery>) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let filter = TriggerFilter {
        status: q.status,
        district_id: q.district_id,
        person_id: q.person_id,
        rule_id: q.rule_id,
        kind: q.kind,
        escalated: q.escalated,
        reference: super::types::reference_param(
            crate::domain::references::RefKind::Trigger,
            q.reference,
        )?,
        before: q
            .cursor
            .as_deref()
            .map(parse_time_cursor)
            .transpose()?
            .map(|(at, id)| (at, TriggerId(id))),
    };
    let rows = services::triggers::list(&ctx, filter, limit).await?;
    let items = rows.into_iter().map(TriggerSummary::from).collect();
    Ok(
        HttpResponse::Ok().json(Page::new(items, limit, |t: &TriggerSummary| {
            time_cursor(t.trigger.fired_at, t.trigger.id)
        })),
    )
}

/// A trigger (case workers of its district; partners it is shared with).
#[utoipa::path(get, path = "/api/v1/triggers/{id}", tag = "triggers", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Trigger id")), responses(
    (status = 200, body = TriggerResponse, headers(("ETag" = String))),
))]
#[tracing::instrument(name = "http::triggers::get", skip_all)]
pub async fn get(ctx: Ctx, id: web::Path<TriggerId>) -> Result<HttpResponse, AppError> {
    let t = services::triggers::get(&ctx, id.into_inner()).await?;
    Ok(respond(t))
}

/// Acknowledge an open trigger (the district's MFHC; send `If-Match`).
#[utoipa::path(post, path = "/api/v1/triggers/{id}/acknowledge", tag = "triggers", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Trigger id"),
           ("If-Match" = String, Header, description = "The ETag last read")), responses(
    (status = 200, body = TriggerResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::triggers::acknowledge", skip_all)]
pub async fn acknowledge(
    ctx: Ctx,
    id: web::Path<TriggerId>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    let t = services::triggers::acknowledge(&ctx, id.into_inner(), if_match.0).await?;
    Ok(respond(t))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriggerPlanRequest {
    #[schema(example = "Joint visit with CSC; return interview prioritised; school informed.")]
    pub summary: String,
    /// The agencies involved (active).
    #[serde(default)]
    pub agency_ids: Vec<AgencyId>,
    pub review_on: NaiveDate,
}

impl TryFrom<TriggerPlanRequest> for PlanInput {
    type Error = AppError;
    fn try_from(r: TriggerPlanRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let summary = f.text("summary", &r.summary, true, 10000);
        if r.agency_ids.len() > 50 {
            f.push("agency_ids", "at most 50 agencies");
        }
        let input = summary.map(|summary| PlanInput {
            summary,
            agency_ids: r.agency_ids,
            review_on: r.review_on,
        });
        f.done(input)
    }
}

/// Record (or replace) the trigger plan: the trigger moves to `plan_recorded`. Add its
/// actions with `POST /api/v1/actions` and `trigger_id`.
#[utoipa::path(put, path = "/api/v1/triggers/{id}/plan", tag = "triggers", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Trigger id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = TriggerPlanRequest, responses(
    (status = 200, body = TriggerResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::triggers::put_plan", skip_all)]
pub async fn put_plan(
    ctx: Ctx,
    id: web::Path<TriggerId>,
    if_match: IfMatch,
    body: web::Json<TriggerPlanRequest>,
) -> Result<HttpResponse, AppError> {
    let input = PlanInput::try_from(body.into_inner())?;
    let t = services::triggers::put_plan(&ctx, id.into_inner(), if_match.0, input).await?;
    Ok(respond(t))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseTriggerRequest {
    /// What was done and why the trigger can close.
    #[schema(example = "Plan complete; no further episodes in 6 weeks.")]
    pub note: String,
}

/// Close a trigger once its plan is recorded (send `If-Match`).
#[utoipa::path(post, path = "/api/v1/triggers/{id}/close", tag = "triggers", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Trigger id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = CloseTriggerRequest, responses(
    (status = 200, body = TriggerResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::triggers::close", skip_all)]
pub async fn close(
    ctx: Ctx,
    id: web::Path<TriggerId>,
    if_match: IfMatch,
    body: web::Json<CloseTriggerRequest>,
) -> Result<HttpResponse, AppError> {
    let note = FieldErrors::new().text_only("note", &body.note, 5000)?;
    let t = services::triggers::close(&ctx, id.into_inner(), if_match.0, note).await?;
    Ok(respond(t))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaiseReferralRequest {
    /// Default: the reason the trigger's kind suggests.
    #[serde(default)]
    pub reasons: Vec<ReferralReason>,
    #[schema(example = "Two episodes in five days; new associates; school concerned.")]
    pub summary: String,
    /// The lawful basis for sharing information about the referral (not usually consent).
    #[schema(example = "DPA 2018 s.35 (law enforcement purposes); Children Act 2004 s.11")]
    pub lawful_basis: String,
}

/// Raise an Early Action referral from an acknowledged trigger, in one call.
#[utoipa::path(post, path = "/api/v1/triggers/{id}/referral", tag = "triggers", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Trigger id")),
    request_body = RaiseReferralRequest, responses(
    (status = 201, body = ReferralResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::triggers::raise_referral", skip_all)]
pub async fn raise_referral(
    ctx: Ctx,
    id: web::Path<TriggerId>,
    body: web::Json<RaiseReferralRequest>,
) -> Result<HttpResponse, AppError> {
    let r = body.into_inner();
    let mut f = FieldErrors::new();
    let summary = f.text("summary", &r.summary, true, 10000);
    let lawful_basis = f.text("lawful_basis", &r.lawful_basis, true, 500);
    let input = f.done(
        summary
            .zip(lawful_basis)
            .map(|(summary, lawful_basis)| RaiseInput {
                reasons: dedup(r.reasons),
                summary,
                lawful_basis,
            }),
    )?;
    let referral = services::triggers::raise_referral(&ctx, id.into_inner(), input).await?;
    let location = format!("/api/v1/referrals/{}", referral.row.id);
    Ok(created(
        location,
        referral.row.version,
        ReferralResponse::from(referral),
    ))
}
