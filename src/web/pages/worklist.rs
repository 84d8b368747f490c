//! `/worklist`: the district's day for its MFHC, supervisors and officers, with counts.

use actix_web::HttpResponse;
use maud::{html, Markup};

use crate::domain::actions::is_overdue;
use crate::domain::references::{short_ref, RefKind};
use crate::domain::return_interviews::is_late;
use crate::services;
use crate::services::episodes::EpisodeRow;
use crate::services::worklist::Worklist;
use crate::web::layout::{self, Section};
use crate::web::session::Page;
use crate::web::PageError;

fn episode_link(e: &EpisodeRow) -> Markup {
    html! { a.govuk-link href=(format!("/episodes/{}", e.id)) { (e.reference) } }
}

/// One line of the task list at the top: what, how many, linking to its section.
fn task(key: &str, section: &str, label: &str, n: usize, urgent: bool) -> Markup {
    let status = format!("{key}-status");
    html! {
        li."govuk-task-list__item"."govuk-task-list__item--with-link" {
            div.govuk-task-list__name-and-hint {
                a.govuk-link.govuk-task-list__link href=(format!("#{section}")) aria-describedby=(status) { (label) }
            }
            div.govuk-task-list__status id=(status) {
                @if n == 0 { "Nothing due" }
                @else if urgent { (layout::tag(&format!("{n} to do"), "red")) }
                @else { (layout::tag(&format!("{n} to do"), "blue")) }
            }
        }
    }
}

/// A section: heading, and a table or a line saying there is nothing.
fn section(id: &str, title: &str, empty: &str, head: &[&str], rows: Vec<Vec<Markup>>) -> Markup {
    html! {
        h2.govuk-heading-m id=(id) { (title) " (" (rows.len()) ")" }
        @if rows.is_empty() {
            p.govuk-body { (empty) }
        } @else {
            table.govuk-table {
                caption.govuk-visually-hidden { (title) }
                thead.govuk-table__head {
                    tr.govuk-table__row { @for h in head { th.govuk-table__header scope="col" { (h) } } }
                }
                tbody.govuk-table__body {
                    @for r in &rows { tr.govuk-table__row { @for c in r { td.govuk-table__cell { (c) } } } }
                }
            }
        }
    }
}

/// `GET /worklist`.
#[tracing::instrument(name = "web::worklist::show", skip_all)]
pub async fn show(page: Page) -> Result<HttpResponse, PageError> {
    let w = services::worklist::today(&page.ctx).await?;
    Ok(layout::page(
        &page,
        "Worklist",
        Section::Worklist,
        render(&page, &w),
    ))
}

fn render(page: &Page, w: &Worklist) -> Markup {
    let zone = &page.ctx.app.zone;
    let today = zone.today(w.now);
    let when = |t| layout::when(zone, t);
    let rhi_overdue = w
        .return_interviews
        .iter()
        .filter(|(r, _)| is_late(r.status, r.due_at, r.completed_at, w.now))
        .count();
    html! {
        h1.govuk-heading-l { "Worklist" }
        p.govuk-body { a.govuk-button href="/persons?for=episode" data-module="govuk-button" { "Report a missing person" } }
        p.govuk-body { "What needs doing today, as of " (when(w.now)) "." }
        ul.govuk-task-list {
            (task("triggers", "triggers", "Repeat-missing triggers open or escalated", w.triggers.len(), true))
            (task("high-risk", "high-risk", "High risk awaiting supervisor confirmation", w.awaiting_confirmation.len(), true))
            (task("return-interviews", "return-interviews", "Return home interviews due", w.return_interviews.len() - rhi_overdue, false))
            (task("return-interviews-overdue", "return-interviews", "Return home interviews overdue", rhi_overdue, true))
            (task("ukmpu", "ukmpu", "UKMPU notifications due", w.ukmpu_due.len(), false))
            (task("pnc", "pnc", "PNC records due", w.pnc_due.len(), false))
            (task("reviews", "reviews", "Supervisor reviews overdue", w.reviews_overdue.len(), true))
            (task("actions", "actions", "Partner actions overdue", w.actions_overdue.len(), true))
        }
        (section("triggers", "Repeat-missing triggers", "No trigger is waiting.",
            &["Trigger", "Person", "Rule", "Fired", "Status"],
            w.triggers.iter().map(|t| vec![
                html! { a.govuk-link href=(format!("/triggers/{}", t.id)) { (short_ref(RefKind::Trigger, t.id.0)) } },
                html! { a.govuk-link href=(format!("/persons/{}", t.person_id)) { (w.name(t.person_id)) } },
                html! { (layout::words(t.kind.as_str())) },
                html! { (when(t.fired_at)) },
                html! {
                    @if t.escalated_at.is_some() || t.escalation_due_at <= w.now { (layout::tag("Escalated", "red")) }
                    @else { (layout::tag(&layout::words(t.status.as_str()), "blue")) }
                },
            ]).collect()))
        (section("high-risk", "High risk awaiting confirmation", "No high-risk grading is waiting for a supervisor.",
            &["Episode", "Person", "Reported"],
            w.awaiting_confirmation.iter().map(|e| vec![
                episode_link(e), html! { (w.name(e.person_id)) }, html! { (when(e.reported_at)) },
            ]).collect()))
        (section("return-interviews", "Return home interviews", "No return home interview is outstanding.",
            &["Episode", "Child", "Due", "Status"],
            w.return_interviews.iter().map(|(r, e)| vec![
                episode_link(e), html! { (w.name(e.person_id)) }, html! { (when(r.due_at)) },
                html! {
                    (layout::tag(&layout::words(r.status.as_str()), "blue"))
                    @if is_late(r.status, r.due_at, r.completed_at, w.now) { " " (layout::tag("Overdue", "red")) }
                },
            ]).collect()))
        (section("ukmpu", "UKMPU notifications due", "No UKMPU notification is outstanding.",
            &["Episode", "Person", "Reported"],
            w.ukmpu_due.iter().map(|e| vec![episode_link(e), html! { (w.name(e.person_id)) }, html! { (when(e.reported_at)) }]).collect()))
        (section("pnc", "PNC records due", "No PNC record is outstanding.",
            &["Episode", "Person", "Reported"],
            w.pnc_due.iter().map(|e| vec![episode_link(e), html! { (w.name(e.person_id)) }, html! { (when(e.reported_at)) }]).collect()))
        (section("reviews", "Supervisor reviews overdue", "No review is overdue.",
            &["Episode", "Person", "Review was due"],
            w.reviews_overdue.iter().map(|e| vec![
                episode_link(e), html! { (w.name(e.person_id)) },
                html! { @if let Some(t) = e.next_review_due { (when(t)) } },
            ]).collect()))
        (section("actions", "Partner actions overdue", "No partner action is overdue.",
            &["Action", "What is needed", "Was due"],
            w.actions_overdue.iter().map(|a| vec![
                html! { a.govuk-link href=(format!("/actions/{}", a.id)) { (short_ref(RefKind::Action, a.id.0)) } },
                html! { (a.description) },
                html! {
                    (layout::day(a.due_on))
                    @if is_overdue(a.status, a.due_on, today) { " " (layout::tag("Overdue", "red")) }
                },
            ]).collect()))
    }
}
