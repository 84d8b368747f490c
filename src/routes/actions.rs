//! `/actions`: partner actions on an episode, a trigger plan or a referral. Case workers
//! set them; the owning agency's partners see and move on only their own.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{created, page_limit, versioned, IfMatch};
use super::types::{date_cursor, double_option, parse_date_cursor, FieldErrors, Page};
use crate::domain::actions::{is_overdue, ActionParent, ActionStatus};
use crate::error::{AppError, Problem};
use crate::ids::{ActionId, AgencyId, DistrictId, EpisodeId, ReferralId, TriggerId, UserId};
use crate::services;
use crate::services::actions::{ActionFilter, ActionRow};
use crate::services::actions::{ActionInput, ActionUpdate, Parent};
use crate::services::context::Ctx;

#[derive(Serialize, ToSchema)]
pub struct ActionResponse {
    pub id: ActionId,
    /// The short reference emails show (`ACT-ED58971A`); the list's `reference` filter.
    pub reference: String,
    /// What it belongs to; the matching id below is set.
    pub parent: ActionParent,
    pub episode_id: Option<EpisodeId>,
    pub trigger_id: Option<TriggerId>,
    pub referral_id: Option<ReferralId>,
    pub district_id: DistrictId,
    pub owner_agency_id: AgencyId,
    pub owner_user_id: Option<UserId>,
    pub description: String,
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    /// Not done or cancelled, and the due date has passed.
    pub overdue: bool,
    pub outcome: Option<String>,
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub completed_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_by: UserId,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub created_at: DateTime<Utc>,
    pub updated_by: UserId,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub updated_at: DateTime<Utc>,
}

impl ActionResponse {
    /// The action as shown on `today` (the force's local day), which decides `overdue`.
    pub fn of(a: ActionRow, today: chrono::NaiveDate) -> Self {
        let parent = match (a.episode_id, a.trigger_id) {
            (Some(_), _) => ActionParent::Episode,
            (None, Some(_)) => ActionParent::Trigger,
            (None, None) => ActionParent::Referral,
        };
        ActionResponse {
            reference: crate::domain::references::short_ref(
                crate::domain::references::RefKind::Action,
                a.id.0,
            ),
            overdue: is_overdue(a.status, a.due_on, today),
            parent,
            id: a.id,
            episode_id: a.episode_id,
            trigger_id: a.trigger_id,
            referral_id: a.referral_id,
            district_id: a.district_id,
            owner_agency_id: a.owner_agency_id,
            owner_user_id: a.owner_user_id,
            description: a.description,
            due_on: a.due_on,
            status: a.status,
            outcome: a.outcome,
            completed_at: a.completed_at,
            version: a.version,
            created_by: a.created_by,
            created_at: a.created_at,
            updated_by: a.updated_by,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateActionRequest {
    /// Exactly one of `episode_id`, `trigger_id` (its plan) and `referral_id`.
    pub episode_id: Option<EpisodeId>,
    pub trigger_id: Option<TriggerId>,
    pub referral_id: Option<ReferralId>,
    pub owner_agency_id: AgencyId,
    /// An active user of the owning agency, if one person owns it.
    pub owner_user_id: Option<UserId>,
    #[schema(example = "Complete the return home interview and share concerns with the MFHC.")]
    pub description: String,
    /// Today or later.
    pub due_on: NaiveDate,
}

impl TryFrom<CreateActionRequest> for ActionInput {
    type Error = AppError;
    fn try_from(r: CreateActionRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let description = f.text("description", &r.description, true, 2000);
        let parent = match (r.episode_id, r.trigger_id, r.referral_id) {
            (Some(e), None, None) => Some(Parent::Episode(e)),
            (None, Some(t), None) => Some(Parent::Trigger(t)),
            (None, None, Some(id)) => Some(Parent::Referral(id)),
            _ => {
                f.push(
                    "episode_id",
                    "give exactly one of episode_id, trigger_id and referral_id",
                );
                None
            }
        };
        let input = description
            .zip(parent)
            .map(|(description, parent)| ActionInput {
                parent,
                owner_agency_id: r.owner_agency_id,
                owner_user_id: r.owner_user_id,
                description,
                due_on: r.due_on,
            });
        f.done(input)
    }
}

/// Set an action (supervisors, MFHCs, Early Action of the record's district).
#[utoipa::path(post, path = "/api/v1/actions", tag = "actions", security(("bearer" = [])),
    request_body = CreateActionRequest, responses(
    (status = 201, body = ActionResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::actions::create", skip_all)]
pub async fn create(
    ctx: Ctx,
    body: web::Json<CreateActionRequest>,
) -> Result<HttpResponse, AppError> {
    let input = ActionInput::try_from(body.into_inner())?;
    let a = services::actions::create(&ctx, input).await?;
    let location = format!("/api/v1/actions/{}", a.id);
    Ok(created(
        location,
        a.version,
        ActionResponse::of(a, ctx.app.zone.today(Utc::now())),
    ))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActionQuery {
    /// The owning agency: an agency's worklist.
    pub agency: Option<AgencyId>,
    /// `true`: only overdue actions; `false`: only those not overdue.
    pub overdue: Option<bool>,
    pub status: Option<ActionStatus>,
    pub district_id: Option<DistrictId>,
    pub episode_id: Option<EpisodeId>,
    pub trigger_id: Option<TriggerId>,
    pub referral_id: Option<ReferralId>,
    /// The short reference an email showed, e.g. `ACT-ED58971A`.
    pub reference: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// Actions the caller may see (partners: their agency's), soonest due first.
#[utoipa::path(get, path = "/api/v1/actions", tag = "actions", security(("bearer" = [])), params(ActionQuery), responses(
    (status = 200, body = Page<ActionResponse>),
))]
#[tracing::instrument(name = "http::actions::list", skip_all)]
pub async fn list(ctx: Ctx, query: web::Query<ActionQuery>) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let filter = ActionFilter {
        agency_id: q.agency,
        district_id: q.district_id,
        status: q.status,
        episode_id: q.episode_id,
        trigger_id: q.trigger_id,
        referral_id: q.referral_id,
        overdue: q.overdue,
        today: None,
        reference: super::types::reference_param(
            crate::domain::references::RefKind::Action,
            q.reference,
        )?,
        after: q
            .cursor
            .as_deref()
            .map(parse_date_cursor)
            .transpose()?
            .map(|(on, id)| (on, ActionId(id))),
    };
    let rows = services::actions::list(&ctx, filter, limit).await?;
    let items = rows
        .into_iter()
        .map(|a| ActionResponse::of(a, ctx.app.zone.today(Utc::now())))
        .collect();
    Ok(
        HttpResponse::Ok().json(Page::new(items, limit, |a: &ActionResponse| {
            date_cursor(a.due_on, a.id)
        })),
    )
}

/// An action (case workers of its district; partners of the owning agency).
#[utoipa::path(get, path = "/api/v1/actions/{id}", tag = "actions", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Action id")), responses(
    (status = 200, body = ActionResponse, headers(("ETag" = String))),
))]
#[tracing::instrument(name = "http::actions::get", skip_all)]
pub async fn get(ctx: Ctx, id: web::Path<ActionId>) -> Result<HttpResponse, AppError> {
    let a = services::actions::get(&ctx, id.into_inner()).await?;
    Ok(versioned(
        StatusCode::OK,
        a.version,
        ActionResponse::of(a, ctx.app.zone.today(Utc::now())),
    ))
}

/// Only fields present change. Partners may send only `status`, `outcome` and
/// `owner_user_id`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateActionRequest {
    /// `open → in_progress → done | cancelled`.
    pub status: Option<ActionStatus>,
    /// Required with `done` (what came of it) or `cancelled` (why).
    pub outcome: Option<String>,
    pub description: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub owner_agency_id: Option<AgencyId>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Uuid, nullable)]
    pub owner_user_id: Option<Option<UserId>>,
}

impl TryFrom<UpdateActionRequest> for ActionUpdate {
    type Error = AppError;
    fn try_from(r: UpdateActionRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let outcome = r
            .outcome
            .as_deref()
            .map(|v| f.text("outcome", v, true, 5000));
        let description = r
            .description
            .as_deref()
            .map(|v| f.text("description", v, true, 2000));
        let update = ActionUpdate {
            status: r.status,
            outcome: outcome.flatten(),
            description: description.flatten(),
            due_on: r.due_on,
            owner_agency_id: r.owner_agency_id,
            owner_user_id: r.owner_user_id,
        };
        f.done(Some(update))
    }
}

/// Move an action on or change it (send `If-Match`).
#[utoipa::path(patch, path = "/api/v1/actions/{id}", tag = "actions", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Action id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = UpdateActionRequest, responses(
    (status = 200, body = ActionResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::actions::update", skip_all)]
pub async fn update(
    ctx: Ctx,
    id: web::Path<ActionId>,
    if_match: IfMatch,
    body: web::Json<UpdateActionRequest>,
) -> Result<HttpResponse, AppError> {
    let u = ActionUpdate::try_from(body.into_inner())?;
    let a = services::actions::update(&ctx, id.into_inner(), if_match.0, u).await?;
    Ok(versioned(
        StatusCode::OK,
        a.version,
        ActionResponse::of(a, ctx.app.zone.today(Utc::now())),
    ))
}
