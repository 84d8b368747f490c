//! A person's page: their episodes with the 3-week, 12-week and 12-month counts the
//! repeat-missing rules use, markers, placements, protocol profiles, triggers and
//! referrals. Each part is read through its service (and so audited and policed).

use actix_web::{web, HttpResponse};
use maud::html;

use crate::domain::references::{short_ref, RefKind};
use crate::ids::PersonId;
use crate::services;
use crate::services::referrals::ReferralFilter;
use crate::services::triggers::TriggerFilter;
use crate::web::layout::{self, Section};
use crate::web::session::Page;
use crate::web::PageError;

/// `GET /persons/{id}`.
#[tracing::instrument(name = "web::persons::show", skip_all)]
pub async fn show(page: Page, id: web::Path<String>) -> Result<HttpResponse, PageError> {
    let id = id
        .parse::<uuid::Uuid>()
        .map(PersonId)
        .map_err(|_| PageError::NotFound)?;
    let ctx = &page.ctx;
    let d = services::person_records::detail(ctx, id).await?;
    let (episodes, counts) = services::episodes::person_history(ctx, id, 200).await?;
    let triggers = services::triggers::list(
        ctx,
        TriggerFilter {
            person_id: Some(id),
            ..Default::default()
        },
        200,
    )
    .await?;
    let referrals = services::referrals::list(
        ctx,
        ReferralFilter {
            person_id: Some(id),
            ..Default::default()
        },
        200,
    )
    .await?;
    let zone = &ctx.app.zone;
    let p = &d.person;
    let name = format!("{} {}", p.given_name, p.family_name);
    let body = html! {
        span.govuk-caption-l { "Person" }
        h1.govuk-heading-l { (name) }
        (layout::summary_list(&[
            ("Date of birth", html! { @if let Some(dob) = p.date_of_birth { (layout::day(dob)) } @else { "Not known" } }),
            ("Aliases", html! { (p.aliases.join(", ")) }),
            ("Looked-after child", html! { @if p.looked_after { "Yes" } @else { "No" } }),
        ]))
        h2.govuk-heading-m { "Missing episodes" }
        (layout::summary_list(&[
            ("In the last 3 weeks", html! { span.hw-count { (counts.last_3_weeks) } }),
            ("In the last 12 weeks", html! { span.hw-count { (counts.last_12_weeks) } }),
            ("In the last 12 months", html! { span.hw-count { (counts.last_12_months) } }),
        ]))
        @if episodes.is_empty() { p.govuk-body { "None recorded." } } @else {
            table.govuk-table {
                caption.govuk-visually-hidden { "Episodes, newest first" }
                thead.govuk-table__head { tr.govuk-table__row {
                    th.govuk-table__header scope="col" { "Episode" }
                    th.govuk-table__header scope="col" { "Reported" }
                    th.govuk-table__header scope="col" { "Risk" }
                    th.govuk-table__header scope="col" { "Status" }
                } }
                tbody.govuk-table__body {
                    @for e in &episodes {
                        tr.govuk-table__row {
                            td.govuk-table__cell { a.govuk-link href=(format!("/episodes/{}", e.id)) { (e.reference) } }
                            td.govuk-table__cell { (layout::when(zone, e.reported_at)) }
                            td.govuk-table__cell { (layout::words(e.risk_level.as_str())) }
                            td.govuk-table__cell { (layout::words(e.status.as_str())) }
                        }
                    }
                }
            }
        }
        h2.govuk-heading-m { "Markers" }
        @if d.markers.is_empty() { p.govuk-body { "None." } }
        ul.govuk-list {
            @for m in &d.markers {
                li {
                    (layout::tag(&layout::words(m.kind.as_str()), if m.ended_on.is_some() { "grey" } else { "purple" }))
                    " " (m.source) ", review by " (layout::day(m.review_on))
                    @if let Some(end) = m.ended_on { ", ended " (layout::day(end)) }
                }
            }
        }
        h2.govuk-heading-m { "Placements" }
        @if d.placements.is_empty() { p.govuk-body { "None." } }
        ul.govuk-list {
            @for pl in &d.placements {
                li {
                    (layout::words(pl.kind.as_str())) ": " (pl.provider) ", from " (layout::day(pl.starts_on))
                    @if let Some(end) = pl.ends_on { " to " (layout::day(end)) }
                    @if pl.out_of_area { " " (layout::tag("Out of area", "orange")) }
                }
            }
        }
        h2.govuk-heading-m { "Protocol profiles" }
        @if d.profiles.is_empty() { p.govuk-body { "None you may see." } }
        ul.govuk-list {
            @for pr in &d.profiles {
                li { (layout::words(pr.protocol.as_str())) ": " (pr.owning_organisation) ", review due " (layout::day(pr.review_due_on)) }
            }
        }
        h2.govuk-heading-m { "Repeat-missing triggers" }
        @if triggers.is_empty() { p.govuk-body { "None." } }
        ul.govuk-list {
            @for t in &triggers {
                li {
                    a.govuk-link href=(format!("/triggers/{}", t.id)) { (short_ref(RefKind::Trigger, t.id.0)) }
                    " " (layout::words(t.kind.as_str())) ", " (layout::when(zone, t.fired_at)) " "
                    (layout::tag(&layout::words(t.status.as_str()), "blue"))
                }
            }
        }
        h2.govuk-heading-m { "Early Action referrals" }
        @if referrals.is_empty() { p.govuk-body { "None." } }
        ul.govuk-list {
            @for r in &referrals {
                li {
                    a.govuk-link href=(format!("/referrals/{}", r.id)) { (short_ref(RefKind::Referral, r.id.0)) }
                    " " (layout::words(r.source.as_str())) ", " (layout::when(zone, r.created_at)) " "
                    (layout::tag(&layout::words(r.status.as_str()), "blue"))
                }
            }
        }
    };
    Ok(layout::page(&page, &name, Section::Worklist, body))
}
