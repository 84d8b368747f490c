//! `/retention/reviews`: MoPI review and retention, for the force's data protection
//! officers.

use actix_web::{web, HttpResponse};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{check_date, page_limit};
use super::types::{FieldErrors, Page};
use crate::domain::retention::RetentionReason;
use crate::error::AppError;
use crate::ids::PersonId;
use crate::services;
use crate::services::context::Ctx;
use crate::services::retention::{DecisionRow, PersonReview, Retain, ReviewRow};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// Records whose review falls before this date (default: today, so those due now).
    pub due_before: Option<NaiveDate>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<PersonId>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// The records due for review: each person whose last activity (an episode closed, a
/// referral closed, an action done) is older than the force's retention period (six years,
/// ten with a CSE or CCE marker), or whose last retain decision's review date has come;
/// nothing still open.
#[utoipa::path(get, path = "/api/v1/retention/reviews", tag = "data protection", security(("bearer" = [])),
    params(ReviewQuery), responses((status = 200, body = Page<ReviewRow>)))]
#[tracing::instrument(name = "http::retention::due", skip_all)]
pub async fn due(ctx: Ctx, query: web::Query<ReviewQuery>) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    let due_before = match q.due_before {
        Some(d) => check_date("due_before", d)?,
        None => ctx.app.zone.today(Utc::now()),
    };
    let rows = services::retention::due(&ctx, due_before, q.cursor, limit).await?;
    Ok(
        HttpResponse::Ok().json(Page::new(rows, limit, |r: &ReviewRow| {
            r.person_id.to_string()
        })),
    )
}

#[derive(Serialize, ToSchema)]
pub struct PersonReviewResponse {
    pub review: ReviewRow,
    /// Every decision taken at review, newest first.
    pub decisions: Vec<DecisionRow>,
}

impl From<PersonReview> for PersonReviewResponse {
    fn from(r: PersonReview) -> Self {
        PersonReviewResponse {
            review: r.review,
            decisions: r.decisions,
        }
    }
}

/// One person's place in the review cycle, with every decision taken.
#[utoipa::path(get, path = "/api/v1/retention/reviews/{id}", tag = "data protection", security(("bearer" = [])),
    params(("id" = PersonId, Path, description = "Person id")),
    responses((status = 200, body = PersonReviewResponse)))]
#[tracing::instrument(name = "http::retention::of_person", skip_all)]
pub async fn of_person(ctx: Ctx, id: web::Path<PersonId>) -> Result<HttpResponse, AppError> {
    let r = services::retention::of_person(&ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(PersonReviewResponse::from(r)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetainRequest {
    /// Why the record is kept (National Retention Assessment Criteria).
    pub reason: RetentionReason,
    /// Required for `other`.
    pub note: Option<String>,
    /// The next review: after today, within ten years.
    pub next_review_on: NaiveDate,
}

/// Retain the person's record until its next review, with the reason.
#[utoipa::path(post, path = "/api/v1/retention/reviews/{id}/retain", tag = "data protection", security(("bearer" = [])),
    params(("id" = PersonId, Path, description = "Person id")),
    request_body(content = RetainRequest, example = json!({
        "reason": "pattern_of_behaviour", "note": "Repeat missing episodes with CCE concerns",
        "next_review_on": "2029-12-01" })),
    responses((status = 200, body = PersonReviewResponse),
              (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(name = "http::retention::retain", skip_all)]
pub async fn retain(
    ctx: Ctx,
    id: web::Path<PersonId>,
    body: web::Json<RetainRequest>,
) -> Result<HttpResponse, AppError> {
    let b = body.into_inner();
    let mut f = FieldErrors::new();
    let note = match &b.note {
        Some(n) => f.text("note", n, true, 2000),
        None => None,
    };
    let next = f.check(
        "next_review_on",
        check_date("next_review_on", b.next_review_on)
            .map_err(|_| "must be a date between the years 1900 and 9999"),
    );
    let next_review_on = f.done(next)?;
    let r = services::retention::retain(
        &ctx,
        id.into_inner(),
        Retain {
            reason: b.reason,
            note,
            next_review_on,
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(PersonReviewResponse::from(r)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisposeRequest {
    /// Must be `no_policing_purpose`: a record is disposed of only when none remains.
    pub reason: RetentionReason,
}

#[derive(Serialize, ToSchema)]
pub struct DisposalResponse {
    pub person_id: PersonId,
    /// The decision, as kept.
    pub decision: DecisionRow,
    /// How many records were erased or deleted.
    pub records_erased: usize,
}

/// Dispose of a person's record at review: everything Homeward holds about them (and the
/// duplicates merged into them) is erased — names, date of birth, free text, places,
/// markers' details, placements' providers, profiles, triggers, referrals, actions,
/// shares, email contents — except the anonymous skeleton the measures and datasets
/// count, so every published figure stays as it was. The audit log keeps the ids erased
/// and this event, never the content. Only a record due for review, with nothing open and
/// no restriction in force. The person's id answers 410 afterwards to those who could read
/// it, 404 to others.
#[utoipa::path(post, path = "/api/v1/retention/reviews/{id}/disposal", tag = "data protection", security(("bearer" = [])),
    params(("id" = PersonId, Path, description = "Person id")),
    request_body(content = DisposeRequest, example = json!({ "reason": "no_policing_purpose" })),
    responses((status = 200, body = DisposalResponse),
              (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
              (status = 410, body = crate::error::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(name = "http::retention::dispose", skip_all)]
pub async fn dispose(
    ctx: Ctx,
    id: web::Path<PersonId>,
    body: web::Json<DisposeRequest>,
) -> Result<HttpResponse, AppError> {
    if body.reason != RetentionReason::NoPolicingPurpose {
        return Err(AppError::field(
            "reason",
            "a record is disposed of only when no policing purpose remains: `no_policing_purpose`",
        ));
    }
    let d = services::retention::dispose(&ctx, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(DisposalResponse {
        person_id: d.person_id,
        decision: d.decision,
        records_erased: d.records,
    }))
}
