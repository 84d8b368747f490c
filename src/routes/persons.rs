//! `/persons`: the people episodes are about (operational police roles).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::{created, page_limit, versioned, IfMatch};
use super::person_records::PersonDetailResponse;
use super::types::{double_option, FieldErrors, Page};
use crate::domain::persons::{check_date_of_birth, check_name, search_words, Sex};
use crate::domain::text::check_text;
use crate::error::AppError;
use crate::ids::{DistrictId, PersonId};
use crate::services;
use crate::services::context::Ctx;
use crate::services::persons::{PersonAmendment, PersonInput};
use crate::services::persons::{PersonFilter, PersonRow};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePersonRequest {
    #[schema(example = "Amy")]
    pub given_name: String,
    #[schema(example = "Example")]
    pub family_name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[schema(example = "2011-04-02")]
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub ethnicity: Option<String>,
    pub home_district_id: Option<DistrictId>,
    #[schema(example = "Leeds City Council")]
    pub local_authority: Option<String>,
    /// A looked-after child (children only).
    #[serde(default)]
    pub looked_after: bool,
}

/// Only fields present change; `null` clears an optional one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePersonRequest {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub aliases: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Date, nullable)]
    pub date_of_birth: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Sex>, nullable)]
    pub sex: Option<Option<Sex>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub ethnicity: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Uuid, nullable)]
    pub home_district_id: Option<Option<DistrictId>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub local_authority: Option<Option<String>>,
    pub looked_after: Option<bool>,
}

fn name(f: &mut FieldErrors, field: &str, v: &str) -> Option<String> {
    f.check(field, check_name(v))
}

fn aliases(f: &mut FieldErrors, v: &[String]) -> Option<Vec<String>> {
    if v.len() > 20 {
        f.push("aliases", "at most 20 aliases");
        return None;
    }
    v.iter().map(|a| name(f, "aliases", a)).collect()
}

fn dob(f: &mut FieldErrors, v: NaiveDate) -> Option<NaiveDate> {
    f.check(
        "date_of_birth",
        check_date_of_birth(v, Utc::now().date_naive()),
    )
}

impl TryFrom<CreatePersonRequest> for PersonInput {
    type Error = AppError;
    fn try_from(r: CreatePersonRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let given = name(&mut f, "given_name", &r.given_name);
        let family = name(&mut f, "family_name", &r.family_name);
        let aliases = aliases(&mut f, &r.aliases);
        let dob = r.date_of_birth.map(|d| dob(&mut f, d));
        let ethnicity = r
            .ethnicity
            .as_deref()
            .map(|e| f.text("ethnicity", e, true, 100));
        let la = r
            .local_authority
            .as_deref()
            .map(|l| f.text("local_authority", l, true, 100));
        let input = (|| {
            Some(PersonInput {
                given_name: given?,
                family_name: family?,
                aliases: aliases?,
                date_of_birth: dob.map(|d| d.ok_or(())).transpose().ok()?,
                sex: r.sex,
                ethnicity: ethnicity.map(|e| e.ok_or(())).transpose().ok()?,
                home_district_id: r.home_district_id,
                local_authority: la.map(|l| l.ok_or(())).transpose().ok()?,
                looked_after: r.looked_after,
            })
        })();
        f.done(input)
    }
}

impl TryFrom<UpdatePersonRequest> for PersonAmendment {
    type Error = AppError;
    fn try_from(r: UpdatePersonRequest) -> Result<Self, AppError> {
        let mut f = FieldErrors::new();
        let a = PersonAmendment {
            given_name: r
                .given_name
                .as_deref()
                .and_then(|v| name(&mut f, "given_name", v)),
            family_name: r
                .family_name
                .as_deref()
                .and_then(|v| name(&mut f, "family_name", v)),
            aliases: r.aliases.as_deref().and_then(|v| aliases(&mut f, v)),
            date_of_birth: r.date_of_birth.map(|o| o.and_then(|d| dob(&mut f, d))),
            sex: r.sex,
            ethnicity: r
                .ethnicity
                .map(|o| o.and_then(|e| f.text("ethnicity", &e, true, 100))),
            home_district_id: r.home_district_id,
            local_authority: r
                .local_authority
                .map(|o| o.and_then(|l| f.text("local_authority", &l, true, 100))),
            looked_after: r.looked_after,
        };
        f.done(Some(a))
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    /// Name or alias words, case- and accent-insensitive, partial.
    pub name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub home_district_id: Option<DistrictId>,
    /// Also list records merged into another (left out by default).
    pub include_merged: Option<bool>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<PersonId>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// Search persons by name or alias, date of birth, home district.
#[utoipa::path(get, path = "/api/v1/persons", tag = "persons", security(("bearer" = [])), params(PersonQuery), responses(
    (status = 200, body = Page<PersonRow>),
))]
#[tracing::instrument(name = "http::persons::list", skip_all)]
pub async fn list(ctx: Ctx, query: web::Query<PersonQuery>) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let limit = page_limit(q.limit)?;
    if let Some(name) = &q.name {
        check_text(name, false, 200).map_err(|m| AppError::field("name", &m))?;
    }
    let filter = PersonFilter {
        words: q.name.as_deref().map(search_words).unwrap_or_default(),
        date_of_birth: q.date_of_birth,
        home_district_id: q.home_district_id,
        include_merged: q.include_merged.unwrap_or(false),
        after: q.cursor,
    };
    let rows = services::persons::search(&ctx, filter, limit).await?;
    let items = rows;
    Ok(HttpResponse::Ok().json(Page::new(items, limit, |p: &PersonRow| p.id.to_string())))
}

/// Record a person.
#[utoipa::path(post, path = "/api/v1/persons", tag = "persons", security(("bearer" = [])), request_body = CreatePersonRequest, responses(
    (status = 201, body = PersonRow, headers(("ETag" = String))),
))]
#[tracing::instrument(name = "http::persons::create", skip_all)]
pub async fn create(
    ctx: Ctx,
    body: web::Json<CreatePersonRequest>,
) -> Result<HttpResponse, AppError> {
    let input = PersonInput::try_from(body.into_inner())?;
    let row = services::persons::create(&ctx, input).await?;
    Ok(created(
        format!("/api/v1/persons/{}", row.id),
        row.version,
        row,
    ))
}

/// Read a person with their markers, placements, visible protocol profiles and merges.
#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "persons", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Person id")), responses(
    (status = 200, body = PersonDetailResponse, headers(("ETag" = String))),
))]
#[tracing::instrument(name = "http::persons::get", skip_all)]
pub async fn get(ctx: Ctx, id: web::Path<PersonId>) -> Result<HttpResponse, AppError> {
    let detail = services::person_records::detail(&ctx, id.into_inner()).await?;
    Ok(versioned(
        StatusCode::OK,
        detail.person.version,
        PersonDetailResponse::from(detail),
    ))
}

/// Amend a person (send `If-Match`).
#[utoipa::path(patch, path = "/api/v1/persons/{id}", tag = "persons", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "Person id"),
           ("If-Match" = String, Header, description = "The ETag last read")),
    request_body = UpdatePersonRequest, responses(
    (status = 200, body = PersonRow, headers(("ETag" = String))),
))]
#[tracing::instrument(name = "http::persons::update", skip_all)]
pub async fn update(
    ctx: Ctx,
    id: web::Path<PersonId>,
    if_match: IfMatch,
    body: web::Json<UpdatePersonRequest>,
) -> Result<HttpResponse, AppError> {
    let amendment = PersonAmendment::try_from(body.into_inner())?;
    let row = services::persons::amend(&ctx, id.into_inner(), if_match.0, amendment).await?;
    Ok(versioned(StatusCode::OK, row.version, row))
}
