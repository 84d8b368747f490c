//! A person's markers, placements, protocol profiles and merges.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{versioned, IfMatch, OptionalIfMatch};
use super::types::{double_option, FieldErrors};
use crate::domain::person_records::{
    check_past_date, check_profile_review, check_review_on, is_stale, protocol_only_fields,
    review_overdue, MarkerKind, PlacementKind, Protocol, Span,
};
use crate::error::{AppError, Problem};
use crate::ids::{MarkerId, MergeId, PersonId, PlacementId};
use crate::services;
use crate::services::context::Ctx;
use crate::services::person_records::{
    MarkerChanges, MarkerRow, MergeRow, Moved, PlacementChanges, PlacementRow, ProfileRow,
};
use crate::services::person_records::{
    MarkerInput, Merge, PersonDetail, PlacementInput, ProfileInput,
};
use crate::services::persons::PersonRow;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

// Responses ----------------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct MarkerResponse {
    #[serde(flatten)]
    pub marker: MarkerRow,
    /// Live and past its review date.
    pub review_overdue: bool,
}

impl From<MarkerRow> for MarkerResponse {
    fn from(m: MarkerRow) -> Self {
        MarkerResponse {
            review_overdue: review_overdue(m.review_on, m.ended_on.is_some(), today()),
            marker: m,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PlacementResponse {
    #[serde(flatten)]
    pub placement: PlacementRow,
    /// Covers today.
    pub current: bool,
}

impl From<PlacementRow> for PlacementResponse {
    fn from(p: PlacementRow) -> Self {
        PlacementResponse {
            current: p.span().contains(today()),
            placement: p,
        }
    }
}

/// What a person's record shows of a protocol profile; the content is read separately.
#[derive(Serialize, ToSchema)]
pub struct ProfileSummary {
    pub protocol: Protocol,
    pub owning_organisation: String,
    pub last_reviewed_on: NaiveDate,
    pub review_due_on: NaiveDate,
    /// Past its review date: may be out of date.
    pub stale: bool,
    pub version: i32,
}

#[derive(Serialize, ToSchema)]
pub struct ProfileResponse {
    #[serde(flatten)]
    pub profile: ProfileRow,
    pub stale: bool,
}

impl From<ProfileRow> for ProfileResponse {
    fn from(p: ProfileRow) -> Self {
        ProfileResponse {
            stale: is_stale(p.review_due_on, today()),
            profile: p,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MovedRecord {
    /// `episode`, `marker`, `placement` or `protocol_profile`.
    #[schema(example = "episode")]
    pub record_type: String,
    pub record_id: uuid::Uuid,
}

#[derive(Serialize, ToSchema)]
pub struct MergeResponse {
    #[serde(flatten)]
    pub merge: MergeRow,
    /// What the merge moved (after an undo: what went back).
    pub moved: Vec<MovedRecord>,
}

impl From<Merge> for MergeResponse {
    fn from(m: Merge) -> Self {
        MergeResponse {
            merge: m.merge,
            moved: m
                .moved
                .into_iter()
                .map(
                    |Moved {
                         record_type,
                         record_id,
                     }| MovedRecord {
                        record_type,
                        record_id,
                    },
                )
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PersonDetailResponse {
    #[serde(flatten)]
    pub person: PersonRow,
    /// Live markers first.
    pub markers: Vec<MarkerResponse>,
    /// Latest start first.
    pub placements: Vec<PlacementResponse>,
    /// The profiles the caller may see: MFHCs always; officers and supervisors while
    /// the person is missing.
    pub protocol_profiles: Vec<ProfileSummary>,
    /// Merges this record took part in, newest first.
    pub merges: Vec<MergeRow>,
}

impl From<PersonDetail> for PersonDetailResponse {
    fn from(d: PersonDetail) -> Self {
        PersonDetailResponse {
            person: d.person,
            markers: d.markers.into_iter().map(Into::into).collect(),
            placements: d.placements.into_iter().map(Into::into).collect(),
            protocol_profiles: d
                .profiles
                .into_iter()
                .map(|p| ProfileSummary {
                    stale: is_stale(p.review_due_on, today()),
                    protocol: p.protocol,
                    owning_organisation: p.owning_organisation,
                    last_reviewed_on: p.last_reviewed_on,
                    review_due_on: p.review_due_on,
                    version: p.version,
                })
                .collect(),
            merges: d.merges.into_iter().collect(),
        }
    }
}

// Markers ------------------------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMarkerRequest {
    pub kind: MarkerKind,
    /// Where the information comes from.
    #[schema(example = "Leeds Children's Social Care strategy meeting")]
    pub source: String,
    #[serde(default)]
    pub details: String,
    /// When the marker must be reviewed: today to five years ahead.
    pub review_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndMarker {
    /// Not in the future.
    pub ended_on: NaiveDate,
    #[schema(example = "Strategy meeting closed the CSE concern")]
    pub reason: String,
}

/// Only fields present change; `end` ends the marker (it is kept, not deleted).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMarkerRequest {
    pub source: Option<String>,
    pub details: Option<String>,
    pub review_on: Option<NaiveDate>,
    pub end: Option<EndMarker>,
}

impl TryFrom<CreateMarkerRequest> for MarkerInput {
    type Error = AppError;
    fn try_from(r: CreateMarkerRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let source = f.text("source", &r.source, true, 200);
        let details = f.text("details", &r.details, false, 2000);
        let review_on = f.check("review_on", check_review_on(r.review_on, today()));
        let input = (|| {
            Some(MarkerInput {
                kind: r.kind,
                source: source?,
                details: details?,
                review_on: review_on?,
            })
        })();
        f.done(input)
    }
}

impl TryFrom<UpdateMarkerRequest> for MarkerChanges {
    type Error = AppError;
    fn try_from(r: UpdateMarkerRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let source = r.source.map(|v| f.text("source", &v, true, 200));
        let details = r.details.map(|v| f.text("details", &v, false, 2000));
        let review_on = r
            .review_on
            .map(|d| f.check("review_on", check_review_on(d, today())));
        let end = r.end.map(|e| {
            (
                f.check("end.ended_on", check_past_date(e.ended_on, today())),
                f.text("end.reason", &e.reason, true, 2000),
            )
        });
        if !f.is_empty() {
            return f.done(None);
        }
        let changes = MarkerChanges {
            source: source.flatten(),
            details: details.flatten(),
            review_on: review_on.flatten(),
            ended_on: end.as_ref().and_then(|e| e.0),
            ended_reason: end.and_then(|e| e.1),
        };
        f.done(Some(changes))
    }
}

/// Record a marker on a person.
#[utoipa::path(post, path = "/api/v1/persons/{id}/markers", tag = "persons", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Person id")),
    request_body = CreateMarkerRequest, responses(
    (status = 201, body = MarkerResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::person_records::add_marker", skip_all)]
pub async fn add_marker(
    ctx: Ctx,
    id: web::Path<PersonId>,
    body: web::Json<CreateMarkerRequest>,
) -> Result<HttpResponse, AppError> {
    let input = MarkerInput::try_from(body.into_inner())?;
    let row = services::person_records::add_marker(&ctx, *id, input).await?;
    Ok(versioned(
        StatusCode::CREATED,
        row.version,
        MarkerResponse::from(row),
    ))
}

/// Amend or end a marker (send `If-Match`).
#[utoipa::path(patch, path = "/api/v1/persons/{id}/markers/{marker_id}", tag = "persons", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Person id"),
           ("marker_id" = String, Path, format = Uuid, description = "Marker id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = UpdateMarkerRequest, responses(
    (status = 200, body = MarkerResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::person_records::amend_marker", skip_all)]
pub async fn amend_marker(
    ctx: Ctx,
    path: web::Path<(PersonId, MarkerId)>,
    if_match: IfMatch,
    body: web::Json<UpdateMarkerRequest>,
) -> Result<HttpResponse, AppError> {
    let (person, marker) = path.into_inner();
    let changes = MarkerChanges::try_from(body.into_inner())?;
    let row =
        services::person_records::amend_marker(&ctx, person, marker, if_match.0, changes).await?;
    Ok(versioned(
        StatusCode::OK,
        row.version,
        MarkerResponse::from(row),
    ))
}

// Placements ---------------------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePlacementRequest {
    pub kind: PlacementKind,
    /// The home, carer or provider.
    #[serde(default)]
    #[schema(example = "Oakwood Children's Home")]
    pub provider: String,
    /// Local authority code (see `GET /api/v1/reference`).
    #[schema(example = "E08000016")]
    pub placing_authority: String,
    #[schema(example = "E08000035")]
    pub host_authority: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

/// Only fields present change; `"ends_on": null` reopens the placement.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePlacementRequest {
    pub kind: Option<PlacementKind>,
    pub provider: Option<String>,
    pub placing_authority: Option<String>,
    pub host_authority: Option<String>,
    pub starts_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Date, nullable)]
    pub ends_on: Option<Option<NaiveDate>>,
}

/// A local authority code: trimmed, upper case (checked against the list later).
fn authority(f: &mut FieldErrors, field: &str, v: &str) -> Option<String> {
    f.text(field, v, true, 9).map(|c| c.to_uppercase())
}

impl TryFrom<CreatePlacementRequest> for PlacementInput {
    type Error = AppError;
    fn try_from(r: CreatePlacementRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let provider = f.text("provider", &r.provider, false, 200);
        let placing = authority(&mut f, "placing_authority", &r.placing_authority);
        let host = authority(&mut f, "host_authority", &r.host_authority);
        let span = f.check("ends_on", Span::new(r.starts_on, r.ends_on));
        let input = (|| {
            Some(PlacementInput {
                kind: r.kind,
                provider: provider?,
                placing_authority: placing?,
                host_authority: host?,
                span: span?,
            })
        })();
        f.done(input)
    }
}

impl TryFrom<UpdatePlacementRequest> for PlacementChanges {
    type Error = AppError;
    fn try_from(r: UpdatePlacementRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let provider = r.provider.map(|v| f.text("provider", &v, false, 200));
        let placing = r
            .placing_authority
            .map(|v| authority(&mut f, "placing_authority", &v));
        let host = r
            .host_authority
            .map(|v| authority(&mut f, "host_authority", &v));
        if let (Some(start), Some(Some(end))) = (r.starts_on, r.ends_on) {
            f.check("ends_on", Span::new(start, Some(end)));
        }
        if !f.is_empty() {
            return f.done(None);
        }
        f.done(Some(PlacementChanges {
            kind: r.kind,
            provider: provider.flatten(),
            placing_authority: placing.flatten(),
            host_authority: host.flatten(),
            starts_on: r.starts_on,
            ends_on: r.ends_on,
        }))
    }
}

/// Record a placement of a looked-after child.
#[utoipa::path(post, path = "/api/v1/persons/{id}/placements", tag = "persons", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Person id")),
    request_body = CreatePlacementRequest, responses(
    (status = 201, body = PlacementResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::person_records::add_placement", skip_all)]
pub async fn add_placement(
    ctx: Ctx,
    id: web::Path<PersonId>,
    body: web::Json<CreatePlacementRequest>,
) -> Result<HttpResponse, AppError> {
    let input = PlacementInput::try_from(body.into_inner())?;
    let row = services::person_records::add_placement(&ctx, *id, input).await?;
    Ok(versioned(
        StatusCode::CREATED,
        row.version,
        PlacementResponse::from(row),
    ))
}

/// Amend or end a placement (send `If-Match`).
#[utoipa::path(patch, path = "/api/v1/persons/{id}/placements/{placement_id}", tag = "persons", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Person id"),
           ("placement_id" = String, Path, format = Uuid, description = "Placement id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = UpdatePlacementRequest, responses(
    (status = 200, body = PlacementResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::person_records::amend_placement", skip_all)]
pub async fn amend_placement(
    ctx: Ctx,
    path: web::Path<(PersonId, PlacementId)>,
    if_match: IfMatch,
    body: web::Json<UpdatePlacementRequest>,
) -> Result<HttpResponse, AppError> {
    let (person, placement) = path.into_inner();
    let changes = PlacementChanges::try_from(body.into_inner())?;
    let row =
        services::person_records::amend_placement(&ctx, person, placement, if_match.0, changes)
            .await?;
    Ok(versioned(
        StatusCode::OK,
        row.version,
        PlacementResponse::from(row),
    ))
}

// Protocol profiles ----------------------------------------------------------------

/// A whole profile. Philomena: `associates`, `contact_details`, `missing_history`;
/// Herbert: `medication`, `routine`; the other protocol's fields are refused.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    /// The carer or organisation that owns the information.
    #[schema(example = "Oakwood Children's Home")]
    pub owning_organisation: String,
    #[schema(example = "White, 5'2\", slim, long brown hair, often wears a grey hoodie")]
    pub description: String,
    /// Where the recent photograph is held (not the photograph).
    #[serde(default)]
    pub photo_reference: String,
    #[serde(default)]
    #[schema(example = "Leeds bus station; McDonald's, Briggate")]
    pub places: String,
    pub associates: Option<String>,
    pub contact_details: Option<String>,
    pub missing_history: Option<String>,
    pub medication: Option<String>,
    pub routine: Option<String>,
    pub last_reviewed_on: NaiveDate,
    pub review_due_on: NaiveDate,
}

fn profile_input(protocol: Protocol, r: ProfileRequest) -> Result<ProfileInput, AppError> {
    let mut f = FieldErrors::new();
    let other = match protocol {
        Protocol::Philomena => Protocol::Herbert,
        Protocol::Herbert => Protocol::Philomena,
    };
    let given = [
        ("associates", r.associates.is_some()),
        ("contact_details", r.contact_details.is_some()),
        ("missing_history", r.missing_history.is_some()),
        ("medication", r.medication.is_some()),
        ("routine", r.routine.is_some()),
    ];
    for (field, present) in given {
        if present && protocol_only_fields(other).contains(&field) {
            f.push(
                field,
                format!("belongs to the {other} protocol, not {protocol}"),
            );
        }
    }
    if let Err((field, m)) = check_profile_review(r.last_reviewed_on, r.review_due_on, today()) {
        f.push(field, m);
    }
    let mut opt = |field: &str, v: Option<String>, max| v.map(|v| f.text(field, &v, false, max));
    let associates = opt("associates", r.associates, 5000);
    let contact_details = opt("contact_details", r.contact_details, 2000);
    let missing_history = opt("missing_history", r.missing_history, 5000);
    let medication = opt("medication", r.medication, 2000);
    let routine = opt("routine", r.routine, 5000);
    let owner = f.text("owning_organisation", &r.owning_organisation, true, 200);
    let description = f.text("description", &r.description, true, 5000);
    let photo = f.text("photo_reference", &r.photo_reference, false, 500);
    let places = f.text("places", &r.places, false, 5000);
    let input = (|| {
        Some(ProfileInput {
            owning_organisation: owner?,
            description: description?,
            photo_reference: photo?,
            places: places?,
            associates: associates.map(|v| v.ok_or(())).transpose().ok()?,
            contact_details: contact_details.map(|v| v.ok_or(())).transpose().ok()?,
            missing_history: missing_history.map(|v| v.ok_or(())).transpose().ok()?,
            medication: medication.map(|v| v.ok_or(())).transpose().ok()?,
            routine: routine.map(|v| v.ok_or(())).transpose().ok()?,
            last_reviewed_on: r.last_reviewed_on,
            review_due_on: r.review_due_on,
        })
    })();
    f.done(input)
}

/// Read a protocol profile (MFHCs; officers and supervisors while the person is
/// missing — otherwise 404).
#[utoipa::path(get, path = "/api/v1/persons/{id}/protocols/{protocol}", tag = "persons", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Person id"),
           ("protocol" = Protocol, Path, description = "`philomena` or `herbert`")), responses(
    (status = 200, body = ProfileResponse, headers(("ETag" = String))),
))]
#[tracing::instrument(name = "http::person_records::get_profile", skip_all)]
pub async fn get_profile(
    ctx: Ctx,
    path: web::Path<(PersonId, Protocol)>,
) -> Result<HttpResponse, AppError> {
    let (person, protocol) = path.into_inner();
    let row = services::person_records::get_profile(&ctx, person, protocol).await?;
    Ok(versioned(
        StatusCode::OK,
        row.version,
        ProfileResponse::from(row),
    ))
}

/// Record a protocol profile (no `If-Match`: 201) or replace it (`If-Match`: 200). MFHCs.
#[utoipa::path(put, path = "/api/v1/persons/{id}/protocols/{protocol}", tag = "persons", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Person id"),
           ("protocol" = Protocol, Path, description = "`philomena` or `herbert`"),
           ("If-Match" = Option<String>, Header, description = "To replace: the ETag last read")),
    request_body = ProfileRequest, responses(
    (status = 200, body = ProfileResponse, headers(("ETag" = String))),
    (status = 201, body = ProfileResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::person_records::put_profile", skip_all)]
pub async fn put_profile(
    ctx: Ctx,
    path: web::Path<(PersonId, Protocol)>,
    if_match: OptionalIfMatch,
    body: web::Json<ProfileRequest>,
) -> Result<HttpResponse, AppError> {
    let (person, protocol) = path.into_inner();
    let input = profile_input(protocol, body.into_inner())?;
    let (row, created) =
        services::person_records::put_profile(&ctx, person, protocol, if_match.0, input).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(versioned(status, row.version, ProfileResponse::from(row)))
}

// Merges -------------------------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The duplicate record, merged into the one in the path.
    pub duplicate_id: PersonId,
    #[schema(example = "Same child: same date of birth, address and school; recorded twice")]
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UndoMergeRequest {
    #[schema(example = "Twins, not the same child")]
    pub reason: String,
}

fn reason(v: &str) -> Result<String, AppError> {
    let mut f = FieldErrors::new();
    let r = f.text("reason", v, true, 2000);
    f.done(r)
}

/// Merge a duplicate record into this one (send `If-Match` for this one). MFHCs and
/// supervisors. The duplicate's episodes, markers, placements and profiles move;
/// nothing is deleted; the merge can be undone. A merge that would leave the person with
/// overlapping episodes, one of them open, is refused with 409 naming them
/// (`conflicting`): return, close or cancel one first.
#[utoipa::path(post, path = "/api/v1/persons/{id}/merges", tag = "persons", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "The surviving person's id"),
           ("If-Match" = String, Header, description = "The surviving person's ETag")),
    request_body = MergeRequest, responses(
    (status = 201, body = MergeResponse),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::person_records::merge", skip_all)]
pub async fn merge(
    ctx: Ctx,
    id: web::Path<PersonId>,
    if_match: IfMatch,
    body: web::Json<MergeRequest>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let why = reason(&body.reason)?;
    let m = services::person_records::merge(&ctx, *id, if_match.0, body.duplicate_id, why).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/person-merges/{}", m.merge.id),
        ))
        .json(MergeResponse::from(m)))
}

/// Read a merge and what it moved.
#[utoipa::path(get, path = "/api/v1/person-merges/{id}", tag = "persons", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Merge id")), responses(
    (status = 200, body = MergeResponse),
))]
#[tracing::instrument(name = "http::person_records::get_merge", skip_all)]
pub async fn get_merge(ctx: Ctx, id: web::Path<MergeId>) -> Result<HttpResponse, AppError> {
    let m = services::person_records::get_merge(&ctx, *id).await?;
    Ok(HttpResponse::Ok().json(MergeResponse::from(m)))
}

/// Undo a merge: what it moved goes back and both records stand alone again. MFHCs and
/// supervisors.
#[utoipa::path(post, path = "/api/v1/person-merges/{id}/undo", tag = "persons", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Merge id")),
    request_body = UndoMergeRequest, responses(
    (status = 200, body = MergeResponse),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[tracing::instrument(name = "http::person_records::undo_merge", skip_all)]
pub async fn undo_merge(
    ctx: Ctx,
    id: web::Path<MergeId>,
    body: web::Json<UndoMergeRequest>,
) -> Result<HttpResponse, AppError> {
    let why = reason(&body.into_inner().reason)?;
    let m = services::person_records::undo_merge(&ctx, *id, why).await?;
    Ok(HttpResponse::Ok().json(MergeResponse::from(m)))
}
