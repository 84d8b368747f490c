//! The statistical datasets, aggregates for every reader (small counts withheld from
//! roles that see no names): the quarterly breakdown, and children going missing month
//! by month with their 12-month rolling averages.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::db::datasets::stats as q;
use crate::domain::datasets::periods::{rolling_averages, Month, Quarter, ROLLING_MONTHS};
use crate::domain::disclosure::Line;
use crate::error::AppError;
use crate::ids::DistrictId;
use crate::services::context::Ctx;
use crate::services::datasets::Audience;

#[derive(Debug, Clone)]
pub struct Cell {
    /// `None`: the force.
    pub district_id: Option<DistrictId>,
    pub age_group: String,
    pub sex: Option<String>,
    pub ethnicity: Option<String>,
    pub cse: bool,
    pub mental_health: bool,
    pub looked_after: bool,
    pub episodes: Option<u64>,
    pub persons: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Breakdown {
    pub quarter: Quarter,
    pub cells: Vec<Cell>,
    pub suppress_below: Option<u64>,
}

#[tracing::instrument(name = "services::datasets::stats::quarterly_breakdown", skip_all)]
pub async fn quarterly_breakdown(
    ctx: &Ctx,
    quarter: Quarter,
    district: Option<DistrictId>,
) -> Result<Breakdown, AppError> {
    crate::in_tx!(ctx, |tx| {
        let who = Audience::of(tx.caller()?, ctx.app.suppression)?;
        let rows = q::quarterly_breakdown(tx.conn(), quarter.range(&ctx.app.zone)).await?;
        // The whole quarter is protected before any district is picked out, so every
        // query shows the same cells withheld.
        let withheld = who.withheld(&persons_of(&rows), &breakdown_lines(&rows));
        let cells = rows
            .into_iter()
            .zip(withheld)
            .filter(|(r, _)| {
                district.is_none() || r.district_id.is_none() || r.district_id == district
            })
            .map(|(r, w)| Cell {
                district_id: r.district_id,
                age_group: r.age_group,
                sex: r.sex,
                ethnicity: r.ethnicity,
                cse: r.cse,
                mental_health: r.mental_health,
                looked_after: r.looked_after,
                // A cell is withheld whole: its persons decide, its episodes follow.
                episodes: Audience::shown(w, r.episodes),
                persons: Audience::shown(w, r.persons),
            })
            .collect();
        Ok(Breakdown {
            quarter,
            cells,
            suppress_below: who.suppress_below(),
        })
    })
}

fn persons_of(rows: &[q::BreakdownRow]) -> Vec<u64> {
    rows.iter()
        .map(|r| u64::try_from(r.persons).unwrap_or(0))
        .collect()
}

/// The breakdown's totals: each combination of attributes' force cell is the sum of its
/// districts' (the districts' persons may overlap, so this is the cautious reading).
fn breakdown_lines<'a>(rows: &'a [q::BreakdownRow]) -> Vec<Line> {
    type Key<'a> = (&'a str, Option<&'a str>, Option<&'a str>, bool, bool, bool);
    let key = |r: &'a q::BreakdownRow| -> Key<'a> {
        (
            r.age_group.as_str(),
            r.sex.as_deref(),
            r.ethnicity.as_deref(),
            r.cse,
            r.mental_health,
            r.looked_after,
        )
    };
    let mut lines: HashMap<Key<'a>, Line> = HashMap::new();
    for (i, r) in rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.district_id.is_none())
    {
        lines.insert(
            key(r),
            Line {
                total: i,
                parts: Vec::new(),
            },
        );
    }
    for (i, r) in rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.district_id.is_some())
    {
        if let Some(l) = lines.get_mut(&key(r)) {
            l.parts.push(i);
        }
    }
    let mut out: Vec<Line> = lines.into_values().collect();
    out.sort_by_key(|l| l.total);
    out
}

/// One month of one area (a district or the force).
#[derive(Debug, Clone, PartialEq)]
pub struct MonthFigures {
    pub children: Option<u64>,
    pub episodes: Option<u64>,
    pub rolling_average_children: Option<f64>,
    pub rolling_average_episodes: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct MonthPoint {
    pub month: Month,
    pub force: MonthFigures,
    pub districts: Vec<(DistrictId, MonthFigures)>,
}

#[derive(Debug, Clone)]
pub struct ChildrenSeries {
    pub points: Vec<MonthPoint>,
    pub suppress_below: Option<u64>,
}

/// The figures of the last `shown` months of one area's monthly series (which holds
/// 11 earlier months first), as the caller may see them: `withheld` marks the months
/// whose children are withheld. For roles without names, an average is shown only when
/// every month behind it is (it then discloses nothing those months do not), and episode
/// counts are not shown at all: they add up to the quarterly breakdown's children's
/// episodes, which would let one table undo the other's suppression (table redesign).
fn figures(
    children: &[u64],
    episodes: &[u64],
    withheld: &[bool],
    shown: usize,
    who: &Audience,
) -> Vec<MonthFigures> {
    let c = rolling_averages(children, shown);
    let e = rolling_averages(episodes, shown);
    let first = children.len() - shown;
    let window =
        |i: usize| &withheld[(first + i + 1).saturating_sub(ROLLING_MONTHS as usize)..=first + i];
    (0..shown)
        .map(|i| MonthFigures {
            children: (!withheld[first + i]).then_some(children[first + i]),
            episodes: who.names.then_some(episodes[first + i]),
            rolling_average_children: (!window(i).iter().any(|w| *w)).then_some(c[i].1),
            rolling_average_episodes: who.names.then_some(e[i].1),
        })
        .collect()
}

#[tracing::instrument(name = "services::datasets::stats::children_series", skip_all)]
pub async fn children_series(
    ctx: &Ctx,
    months: Vec<Month>,
    district: Option<DistrictId>,
) -> Result<ChildrenSeries, AppError> {
    crate::in_tx!(ctx, |tx| {
        let who = Audience::of(tx.caller()?, ctx.app.suppression)?;
        let (Some(first), Some(last)) = (months.first().copied(), months.last().copied()) else {
            return Err(AppError::field("months", "must be from 1 to 60"));
        };
        let start = first.plus(1 - ROLLING_MONTHS as i32);
        let span: Vec<Month> = (0..)
            .map(|i| start.plus(i))
            .take_while(|m| *m <= last)
            .collect();
        let index: HashMap<NaiveDate, usize> = span
            .iter()
            .enumerate()
            .map(|(i, m)| (m.first_day(), i))
            .collect();
        let districts = crate::db::districts::list(tx.conn()).await?;
        let mut by: HashMap<DistrictId, (Vec<u64>, Vec<u64>)> = districts
            .iter()
            .map(|d| (d.id, (vec![0; span.len()], vec![0; span.len()])))
            .collect();
        for r in q::children_by_month(
            tx.conn(),
            (start.range(&ctx.app.zone).0, last.range(&ctx.app.zone).1),
        )
        .await?
        {
            let (Some(i), Some(series)) = (index.get(&r.month), by.get_mut(&r.district_id)) else {
                continue;
            };
            series.0[*i] = u64::try_from(r.children).unwrap_or(0);
            series.1[*i] = u64::try_from(r.episodes).unwrap_or(0);
        }
        // Each child counts in one district a month, so the force is the districts' sum.
        let (mut children, mut episodes) = (vec![0; span.len()], vec![0; span.len()]);
        for (c, e) in by.values() {
            for i in 0..span.len() {
                children[i] += c[i];
                episodes[i] += e[i];
            }
        }
        // Each month protected on its own (the force and every district, whichever is
        // asked for): the same months are withheld whatever window is asked for.
        let mut force_withheld = vec![false; span.len()];
        let mut district_withheld: HashMap<DistrictId, Vec<bool>> = districts
            .iter()
            .map(|d| (d.id, vec![false; span.len()]))
            .collect();
        let line = [Line {
            total: 0,
            parts: (1..=districts.len()).collect(),
        }];
        for i in 0..span.len() {
            let values: Vec<u64> = std::iter::once(children[i])
                .chain(districts.iter().map(|d| by[&d.id].0[i]))
                .collect();
            let w = who.withheld(&values, &line);
            force_withheld[i] = w[0];
            for (d, w) in districts.iter().zip(&w[1..]) {
                if let Some(v) = district_withheld.get_mut(&d.id) {
                    v[i] = *w;
                }
            }
        }
        let force = figures(&children, &episodes, &force_withheld, months.len(), &who);
        let per_district: Vec<(DistrictId, Vec<MonthFigures>)> = districts
            .iter()
            .filter(|d| district.is_none_or(|x| x == d.id))
            .map(|d| {
                let (c, e) = &by[&d.id];
                (
                    d.id,
                    figures(c, e, &district_withheld[&d.id], months.len(), &who),
                )
            })
            .collect();
        let points = months
            .iter()
            .enumerate()
            .map(|(i, m)| MonthPoint {
                month: *m,
                force: force[i].clone(),
                districts: per_district
                    .iter()
                    .map(|(id, f)| (*id, f[i].clone()))
                    .collect(),
            })
            .collect();
        Ok(ChildrenSeries {
            points,
            suppress_below: who.suppress_below(),
        })
    })
}
