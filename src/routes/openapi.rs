//! The OpenAPI document, generated from the handlers and types (utoipa).

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Homeward API", version = "0.1.0",
         description = "Case tracking for Missing From Home Coordinators, Early Action teams and partner agencies. \
                        Errors are RFC 9457 problem+json. Send `X-Purpose` to record why you are processing personal data."),
    components(schemas(crate::error::Problem, crate::error::FieldError, crate::domain::measures::Granularity)),
    modifiers(&Endpoints, &BearerAuth, &SharedResponses, &IdsAndLinks),
    tags(
        (name = "auth", description = "Login, token refresh, logout, the caller's account"),
        (name = "users", description = "User administration (admin only)"),
        (name = "agencies", description = "Partner agency administration (admin only)"),
        (name = "reference", description = "Districts and agency types"),
        (name = "persons", description = "People reported missing (officers, supervisors, MFHCs, Early Action; partners behind a shared record)"),
        (name = "episodes", description = "Missing episodes: report, lifecycle, risk (the episode's district)"),
        (name = "triggers", description = "Repeat-missing trigger rules and the triggers they fire (the district MFHC works them)"),
        (name = "referrals", description = "Early Action referrals: triage, intervention plans, consent, closure"),
        (name = "actions", description = "Partner actions on episodes, trigger plans and referrals"),
        (name = "sharing", description = "Disclosures of records to partner agencies; partners see only what is shared, until expiry or revocation"),
        (name = "notifications", description = "The notification outbox: delivery status, dead letters, template previews (admin only)"),
        (name = "measures", description = "Police and Crime Plan measures: repeat missing children and adults against baseline (aggregates only). Days, months, windows and ages are cut in the force's local time (HOMEWARD_TIME_ZONE, default Europe/London); an episode starts, for the measure, when it was reported unless the versioned definition says when the person was last seen"),
        (name = "audit", description = "The DPA 2018 s.62 audit log (admin only)"),
        (name = "data protection", description = "The data subject's rights and the record's end of life, for the force's data protection officers: subject access (s.45), restriction (s.46), rectification notes (s.47), MoPI review, retention and disposal"),
        (name = "health", description = "Probes"),
    )
)]
pub struct ApiDoc;

/// Every operation, from the one list of endpoints (`routes::endpoints!`).
struct Endpoints;

impl Modify for Endpoints {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        super::document_all(openapi);
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The error responses every operation shares, added here once so no handler repeats or
/// forgets them; a handler's attribute lists only its successes and the errors particular
/// to it (a 409 and why). Each follows from the operation itself:
///
/// | status | when | because |
/// |---|---|---|
/// | 400 | it takes parameters, a body or a token | a value fails validation (`X-Purpose` too) |
/// | 401 | it takes a token | no valid session |
/// | 403 | it takes a token, unless `x-any-account` | the caller's role may not |
/// | 404 | its path names a record | none the caller may see |
/// | 412, 428 | it takes `If-Match` (428 when required) | a stale or missing version |
/// | 408, 413, 415 | it takes a body | the edge's body limits |
/// | 429 | `limits::is_quota_write` | over the account's write quota |
/// | 503 | always | the database is unavailable or the deadline passed |
///
/// Every `limit` is also a page size from 1 to `extract::PAGE_MAX` unless its own
/// parameter says otherwise.
struct SharedResponses;

/// The extension a handler sets when any signed-in account may call it (no 403).
pub const ANY_ACCOUNT: &str = "x-any-account";

impl Modify for SharedResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        for (path, method, op) in operations(openapi) {
            let method = actix_web::http::Method::from_bytes(method.as_bytes())
                .unwrap_or(actix_web::http::Method::GET);
            bound_page_sizes(op);
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let any_account = op
                .extensions
                .as_ref()
                .is_some_and(|e| e.contains_key(ANY_ACCOUNT));
            let params = op.parameters.as_deref().unwrap_or_default();
            let if_match = params
                .iter()
                .find(|p| p.parameter_in == ParameterIn::Header && p.name == "If-Match")
                .map(|p| p.required == utoipa::openapi::Required::True);
            let body = op.request_body.is_some();
            let takes_input = secured || body || !params.is_empty();
            let names_record = params.iter().any(|p| p.parameter_in == ParameterIn::Path);
            let mut add = |when: bool, status: &str, why: &str| {
                if when {
                    op.responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| problem_response(why));
                }
            };
            add(takes_input, "400", "A parameter, header or field is invalid: `errors` names each one, and nothing was changed.");
            add(secured, "401", "No valid session: the access token is missing, expired or revoked, or the account is deactivated.");
            add(
                secured && !any_account,
                "403",
                "The caller's role may not do this; or (`/problems/password-change-required`) an administrator reset the account's password, which must be changed first; or (`/problems/restricted`) the record's person is restricted (DPA 2018 s.46): it is read only with a reason in `X-Purpose`, and changed not at all until a data protection officer lifts the restriction.",
            );
            add(
                names_record,
                "404",
                "No such record, or none the caller may see.",
            );
            add(
                path == "/api/v1/persons/{id}" || path.starts_with("/api/v1/retention/reviews/{id}"),
                "410",
                "The person's record was disposed of at review (said to those who could read it; 404 to others).",
            );
            add(
                if_match.is_some(),
                "412",
                "`If-Match` is not the record's current ETag: read it again, then retry.",
            );
            add(
                if_match == Some(true),
                "428",
                "`If-Match` is required: send the ETag last read.",
            );
            add(
                body,
                "408",
                "The whole request did not arrive in time; nothing was changed.",
            );
            add(body, "413", "The request body is over 1 MiB.");
            add(body, "415", "The body must be sent as `application/json`.");
            add(
                crate::limits::is_quota_write(&method, path),
                "429",
                "Over the account's write quota; `Retry-After` says when to try again.",
            );
            add(true, "503", "The service or its database is unavailable, or the request took too long; nothing was changed. Try again.");
        }
    }
}

/// Makes every `operationId` unique (utoipa names an operation after its handler, and
/// several modules have a `list` or a `create`: those get their resource as a prefix),
/// then links each `201` to the operations on what it created (`POST /episodes` →
/// `GET /episodes/{id}`, `POST /episodes/{id}/status`, …), so clients and stateful
/// fuzzers can follow them.
struct IdsAndLinks;

impl Modify for IdsAndLinks {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use std::collections::HashMap;
        let mut seen: HashMap<String, usize> = HashMap::new();
        for op in operations(openapi).map(|(_, _, op)| op) {
            if let Some(id) = &op.operation_id {
                *seen.entry(id.clone()).or_default() += 1;
            }
        }
        let mut targets: Vec<(String, String)> = Vec::new();
        for (path, _, op) in operations(openapi) {
            let Some(id) = op.operation_id.as_mut() else {
                continue;
            };
            if seen.get(id.as_str()).is_some_and(|n| *n > 1) {
                let resource = path
                    .trim_start_matches("/api/v1/")
                    .split('/')
                    .next()
                    .unwrap_or_default()
                    .replace('-', "_");
                *id = format!("{resource}_{id}");
            }
            targets.push((path.to_owned(), id.clone()));
        }
        for (path, method, op) in operations(openapi) {
            if method != "post" {
                continue;
            }
            let Some(utoipa::openapi::RefOr::T(created)) = op.responses.responses.get_mut("201")
            else {
                continue;
            };
            for (target, operation_id) in &targets {
                if let Some(link) = link_to(path, target, operation_id) {
                    created.links.insert(operation_id.clone(), link.into());
                }
            }
        }
    }
}

/// Every operation with its path and method.
fn operations(
    openapi: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = (&str, &'static str, &mut utoipa::openapi::path::Operation)> {
    openapi.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("patch", &mut item.patch),
        ]
        .into_iter()
        .filter_map(move |(m, op)| op.as_mut().map(|op| (path.as_str(), m, op)))
    })
}

/// A link from what `POST created` returned to the operation `target`, when `target` is
/// `created` followed by a placeholder (the new id) and perhaps more: the new id comes
/// from the response body, the placeholders `created` already had from the request path.
fn link_to(created: &str, target: &str, operation_id: &str) -> Option<utoipa::openapi::link::Link> {
    let rest = target.strip_prefix(created)?.strip_prefix("/{")?;
    let (new_id, _) = rest.split_once('}')?;
    // utoipa 5 writes `operation_id` as `operation_id`, not `operationId`: the name goes in
    // through the (flattened) extensions instead, so the document says what OpenAPI means.
    let named: utoipa::openapi::extensions::Extensions =
        [("operationId", serde_json::Value::from(operation_id))]
            .into_iter()
            .collect();
    let mut link = utoipa::openapi::link::LinkBuilder::new()
        .extensions(Some(named))
        .parameter(new_id, "$response.body#/id");
    for known in created
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
    {
        link = link.parameter(known, format!("$request.path.{known}"));
    }
    Some(link.build())
}

/// Documents the page-size bounds on an operation's `limit`, where it has none of its own.
fn bound_page_sizes(op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::{path::ParameterIn, RefOr, Schema};
    for p in op.parameters.iter_mut().flatten() {
        if p.name != "limit" || p.parameter_in != ParameterIn::Query {
            continue;
        }
        if let Some(RefOr::T(Schema::Object(o))) = p.schema.as_mut() {
            if o.maximum.is_none() {
                o.minimum = Some(utoipa::Number::Int(1));
                o.maximum = Some(utoipa::Number::Int(super::extract::PAGE_MAX as isize));
            }
        }
    }
}

fn problem_response(
    description: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::response::Response> {
    use utoipa::openapi::{Content, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            Content::new(Some(Ref::from_schema_name("Problem"))),
        )
        .build()
        .into()
}

/// The spec as pretty JSON: what `openapi/openapi.json` must equal.
pub fn spec_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default() + "\n"
}

pub async fn serve() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(spec_json())
}
