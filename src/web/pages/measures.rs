//! The Police and Crime Plan measure (repeat missing children and adults against their
//! baselines) as a chart and a table, and the datasets coordinators work from, as CSV.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::{NaiveDate, Utc};
use maud::html;
use serde::Deserialize;

use crate::domain::measures::{last_months, period_ends, AgeGroup, Granularity};
use crate::error::AppError;
use crate::render::charts;
use crate::routes::datasets::first_time::FirstTimeResponse;
use crate::routes::datasets::MissingPersonsResponse;
use crate::services;
use crate::services::measures::Figure;
use crate::web::layout::{self, Section};
use crate::web::session::Page;
use crate::web::PageError;

/// The month ends of the `n` months up to the end of last month, oldest first.
fn month_ends(today: NaiveDate, n: u32) -> Result<Vec<NaiveDate>, PageError> {
    let (from, to) = last_months(today, n);
    period_ends(from, to, Granularity::Month)
        .map_err(|m| PageError::App(AppError::internal(std::io::Error::other(m))))
}

fn figure(f: &Figure) -> String {
    match f.value {
        Some(v) => v.to_string(),
        None => "withheld".into(),
    }
}

fn baseline(f: &Figure) -> String {
    match (&f.baseline, f.baseline_withheld) {
        (_, true) => "withheld".into(),
        (Some(b), false) => b.value.to_string(),
        (None, false) => "none".into(),
    }
}

/// `GET /measures`: the chart (force-wide) and its figures, month by month.
#[tracing::instrument(name = "web::measures::show", skip_all)]
pub async fn show(page: Page) -> Result<HttpResponse, PageError> {
    let today = page.ctx.app.zone.today(Utc::now());
    let report =
        services::measures::repeat_missing(&page.ctx, month_ends(today, 12)?, None).await?;
    let body = html! {
        h1.govuk-heading-l { "Repeat missing against baseline" }
        p.govuk-body {
            "The Police and Crime Plan measure: the number of children and of adults reported missing "
            "repeatedly in the 12 months to each month end, against the baseline to stay below."
        }
        img.hw-chart src="/measures/chart.png" width="960" height="540"
            alt="Line chart of repeat missing children and adults by month against their baselines; the same figures are in the table below.";
        table.govuk-table {
            caption.govuk-table__caption.govuk-table__caption--m { "Figures by month end (force)" }
            thead.govuk-table__head { tr.govuk-table__row {
                th.govuk-table__header scope="col" { "Month end" }
                th.govuk-table__header.govuk-table__header--numeric scope="col" { "Children" }
                th.govuk-table__header.govuk-table__header--numeric scope="col" { "Children's baseline" }
                th.govuk-table__header.govuk-table__header--numeric scope="col" { "Adults" }
                th.govuk-table__header.govuk-table__header--numeric scope="col" { "Adults' baseline" }
            } }
            tbody.govuk-table__body {
                @for p in &report.points {
                    tr.govuk-table__row {
                        td.govuk-table__cell { (layout::day(p.period_end)) }
                        td.govuk-table__cell.govuk-table__cell--numeric { (figure(&p.children.force)) }
                        td.govuk-table__cell.govuk-table__cell--numeric { (baseline(&p.children.force)) }
                        td.govuk-table__cell.govuk-table__cell--numeric { (figure(&p.adults.force)) }
                        td.govuk-table__cell.govuk-table__cell--numeric { (baseline(&p.adults.force)) }
                    }
                }
            }
        }
        h2.govuk-heading-m { "Datasets" }
        ul.govuk-list {
            li { a.govuk-link href="/datasets/missing-persons.csv?weeks=3" download { "Persons missing in the last 3 weeks (CSV)" } }
            li { a.govuk-link href="/datasets/missing-persons.csv?weeks=12" download { "Persons missing in the last 12 weeks (CSV)" } }
            li { a.govuk-link href="/datasets/first-time-missing-children.csv" download { "First-time missing children this month (CSV)" } }
        }
    };
    Ok(layout::page(&page, "Measures", Section::Measures, body))
}

/// `GET /measures/chart.png`: the force's last 24 months against baseline.
#[tracing::instrument(name = "web::measures::chart", skip_all)]
pub async fn chart(page: Page) -> Result<HttpResponse, PageError> {
    let today = page.ctx.app.zone.today(Utc::now());
    let report =
        services::measures::repeat_missing(&page.ctx, month_ends(today, 24)?, None).await?;
    let chart = services::measures::chart(&report, None, &[AgeGroup::Child, AgeGroup::Adult]);
    let png = web::block(move || charts::png(&charts::svg(&chart)))
        .await
        .map_err(|e| PageError::App(AppError::internal(e)))?
        .map_err(|e| PageError::App(AppError::internal(e)))?;
    Ok(HttpResponse::Ok().content_type("image/png").body(png))
}

#[derive(Deserialize)]
pub struct WeeksQuery {
    weeks: Option<u32>,
}

fn csv(filename: &str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body)
}

/// `GET /datasets/missing-persons.csv?weeks=`: the weekly dataset, as the API gives it.
#[tracing::instrument(name = "web::measures::missing_persons", skip_all)]
pub async fn missing_persons(
    page: Page,
    q: web::Query<WeeksQuery>,
) -> Result<HttpResponse, PageError> {
    let weeks = crate::domain::datasets::check_weeks(q.weeks.unwrap_or(3))
        .map_err(|m| PageError::App(AppError::field("weeks", m)))?;
    let m = services::datasets::missing_persons(&page.ctx, weeks, None, 1000).await?;
    let body = MissingPersonsResponse::new(weeks, m);
    Ok(csv(
        &format!("missing-persons-{weeks}-weeks.csv"),
        body.csv(),
    ))
}

/// `GET /datasets/first-time-missing-children.csv`: this month's, as the API gives it.
#[tracing::instrument(name = "web::measures::first_time", skip_all)]
pub async fn first_time(page: Page) -> Result<HttpResponse, PageError> {
    let today = page.ctx.app.zone.today(Utc::now());
    let month = crate::domain::datasets::periods::Month::of(today);
    let f = services::datasets::first_time::first_time_children(&page.ctx, month, None).await?;
    let body = FirstTimeResponse::from(f);
    Ok(csv(
        &format!("first-time-missing-children-{}.csv", body.month),
        body.csv(),
    ))
}
