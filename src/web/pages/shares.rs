//! "Shared with my agency": the shares in force for the user's agency (unexpired and not
//! revoked; Postgres policies decide what the agency sees of each record).

use actix_web::HttpResponse;
use maud::html;

use crate::domain::shares::SharedRecord;
use crate::services;
use crate::services::shares::ShareFilter;
use crate::web::layout::{self, Section};
use crate::web::session::Page;
use crate::web::PageError;

/// `GET /shares`: what partners of the user's agency have been shared, newest first.
#[tracing::instrument(name = "web::shares::list", skip_all)]
pub async fn list(page: Page) -> Result<HttpResponse, PageError> {
    let filter = ShareFilter {
        in_force: Some(true),
        ..Default::default()
    };
    let rows = services::shares::list(&page.ctx, filter, 200).await?;
    let zone = &page.ctx.app.zone;
    let body = html! {
        h1.govuk-heading-l { "Shared with my agency" }
        p.govuk-body {
            "Records a police district has shared with your agency, while the share is in force. "
            "You see only the parts each share names."
        }
        @if rows.is_empty() {
            p.govuk-body { "Nothing is shared with your agency at the moment." }
        } @else {
            table.govuk-table {
                caption.govuk-table__caption.govuk-table__caption--m { "Shares in force, newest first" }
                thead.govuk-table__head {
                    tr.govuk-table__row {
                        th.govuk-table__header scope="col" { "Record" }
                        th.govuk-table__header scope="col" { "Parts shared" }
                        th.govuk-table__header scope="col" { "Purpose and lawful basis" }
                        th.govuk-table__header scope="col" { "Shared" }
                        th.govuk-table__header scope="col" { "Until" }
                    }
                }
                tbody.govuk-table__body {
                    @for s in &rows {
                        tr.govuk-table__row {
                            td.govuk-table__cell {
                                @if s.record_type == SharedRecord::Episode {
                                    a.govuk-link href=(format!("/episodes/{}", s.record_id)) { "Missing episode" }
                                } @else {
                                    (layout::words(s.record_type.as_str()))
                                }
                            }
                            td.govuk-table__cell {
                                ul.govuk-list { @for p in &s.parts { li { (layout::words(p.as_str())) } } }
                            }
                            td.govuk-table__cell { (s.purpose) br; span.govuk-hint { (s.lawful_basis) } }
                            td.govuk-table__cell { (layout::when(zone, s.shared_at)) }
                            td.govuk-table__cell {
                                @match s.expires_at {
                                    Some(t) => (layout::when(zone, t)),
                                    None => "Until revoked",
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(
        &page,
        "Shared with my agency",
        Section::Shares,
        body,
    ))
}
