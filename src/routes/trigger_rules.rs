//! `/trigger-rules`: the repeat-missing rules as data (admins; MFHCs for their district).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{created, versioned, IfMatch};
use super::types::{double_option, FieldErrors, Page};
use crate::domain::triggers::{Condition, RuleKind};
use crate::error::{AppError, Problem};
use crate::ids::{DistrictId, TriggerRuleId, UserId};
use crate::services;
use crate::services::context::Ctx;
use crate::services::triggers::RuleRow;
use crate::services::triggers::{RuleDetail, RuleInput, RuleUpdate};

#[derive(Serialize, ToSchema)]
pub struct RuleVersionResponse {
    pub version: i32,
    /// The rule as it was at this version.
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
    pub changed_by: Option<UserId>,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub changed_at: DateTime<Utc>,
}

/// A rule with every version of it, oldest first.
#[derive(Serialize, ToSchema)]
pub struct RuleDetailResponse {
    #[serde(flatten)]
    pub rule: RuleRow,
    pub versions: Vec<RuleVersionResponse>,
}

impl From<RuleDetail> for RuleDetailResponse {
    fn from(d: RuleDetail) -> Self {
        RuleDetailResponse {
            rule: d.rule,
            versions: d
                .versions
                .into_iter()
                .map(|v| RuleVersionResponse {
                    version: v.version,
                    content: v.content,
                    changed_by: v.changed_by,
                    changed_at: v.changed_at,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRuleRequest {
    #[schema(example = "Leeds: 4 episodes within 30 days")]
    pub name: String,
    pub kind: RuleKind,
    #[schema(example = 4)]
    pub min_episodes: Option<i32>,
    #[schema(example = 30)]
    pub within_days: Option<i32>,
    /// Omit for a force-wide rule (admins and force-wide MFHCs only).
    pub district_id: Option<DistrictId>,
    /// Default `true`.
    pub enabled: Option<bool>,
    /// 1–720, default 24.
    pub escalate_after_hours: Option<i32>,
}

fn check_hours(f: &mut FieldErrors, hours: Option<i32>) -> Option<i32> {
    match hours {
        Some(h) if !(1..=720).contains(&h) => {
            f.push("escalate_after_hours", "must be from 1 to 720");
            None
        }
        other => other,
    }
}

impl TryFrom<CreateRuleRequest> for RuleInput {
    type Error = AppError;
    fn try_from(r: CreateRuleRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let name = f.text("name", &r.name, true, 200);
        let condition = f.check_field(Condition::from_parts(r.kind, r.min_episodes, r.within_days));
        let hours = check_hours(&mut f, r.escalate_after_hours);
        let input = (|| {
            Some(RuleInput {
                name: name?,
                condition: condition?,
                district_id: r.district_id,
                enabled: r.enabled.unwrap_or(true),
                escalate_after_hours: hours.unwrap_or(24),
            })
        })();
        f.done(input)
    }
}

/// Only fields present change; `"district_id": null` makes the rule force-wide.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRuleRequest {
    pub name: Option<String>,
    pub min_episodes: Option<i32>,
    pub within_days: Option<i32>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Uuid, nullable)]
    pub district_id: Option<Option<DistrictId>>,
    pub enabled: Option<bool>,
    pub escalate_after_hours: Option<i32>,
}

impl TryFrom<UpdateRuleRequest> for RuleUpdate {
    type Error = AppError;
    fn try_from(r: UpdateRuleRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let name = r.name.as_deref().map(|n| f.text("name", n, true, 200));
        let hours = check_hours(&mut f, r.escalate_after_hours);
        let update = RuleUpdate {
            name: name.flatten(),
            min_episodes: r.min_episodes,
            within_days: r.within_days,
            district_id: r.district_id,
            enabled: r.enabled,
            escalate_after_hours: hours,
        };
        f.done(Some(update))
    }
}

/// Every rule, by name.
#[utoipa::path(get, path = "/api/v1/trigger-rules", tag = "triggers", security(("bearer" = [])), extensions(("x-any-account" = json!(true))), responses(
    (status = 200, body = Page<RuleRow>),
))]
#[tracing::instrument(name = "http::trigger_rules::list", skip_all)]
pub async fn list(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let rows = services::triggers::list_rules(&ctx).await?;
    Ok(HttpResponse::Ok().json(Page::<RuleRow> {
        items: rows.into_iter().collect(),
        next_cursor: None,
    }))
}

/// Add a rule (admins; MFHCs for their own district).
#[utoipa::path(post, path = "/api/v1/trigger-rules", tag = "triggers", security(("bearer" = [])),
    request_body = CreateRuleRequest, responses(
    (status = 201, body = RuleDetailResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::trigger_rules::create", skip_all)]
pub async fn create(
    ctx: Ctx,
    body: web::Json<CreateRuleRequest>,
) -> Result<HttpResponse, AppError> {
    let input = RuleInput::try_from(body.into_inner())?;
    let d = services::triggers::create_rule(&ctx, input).await?;
    let location = format!("/api/v1/trigger-rules/{}", d.rule.id);
    Ok(created(
        location,
        d.rule.version,
        RuleDetailResponse::from(d),
    ))
}

/// A rule and its versions.
#[utoipa::path(get, path = "/api/v1/trigger-rules/{id}", tag = "triggers", security(("bearer" = [])), extensions(("x-any-account" = json!(true))),
    params(("id" = String, Path, format = Uuid, description = "Rule id")), responses(
    (status = 200, body = RuleDetailResponse, headers(("ETag" = String))),
))]
#[tracing::instrument(name = "http::trigger_rules::get", skip_all)]
pub async fn get(ctx: Ctx, id: web::Path<TriggerRuleId>) -> Result<HttpResponse, AppError> {
    let d = services::triggers::get_rule(&ctx, id.into_inner()).await?;
    Ok(versioned(
        StatusCode::OK,
        d.rule.version,
        RuleDetailResponse::from(d),
    ))
}

/// Change a rule (send `If-Match`): thresholds, scope, enabled, escalation time. The
/// kind never changes. Triggers already fired keep the version that fired them.
#[utoipa::path(patch, path = "/api/v1/trigger-rules/{id}", tag = "triggers", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Rule id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = UpdateRuleRequest, responses(
    (status = 200, body = RuleDetailResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::trigger_rules::update", skip_all)]
pub async fn update(
    ctx: Ctx,
    id: web::Path<TriggerRuleId>,
    if_match: IfMatch,
    body: web::Json<UpdateRuleRequest>,
) -> Result<HttpResponse, AppError> {
    let u = RuleUpdate::try_from(body.into_inner())?;
    let d = services::triggers::update_rule(&ctx, id.into_inner(), if_match.0, u).await?;
    Ok(versioned(
        StatusCode::OK,
        d.rule.version,
        RuleDetailResponse::from(d),
    ))
}
