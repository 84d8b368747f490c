//! The Police and Crime Plan measure: repeat-missing children and adults per district
//! and force against their baselines, the versioned definition, and the baselines.
//! Aggregates only: analysts never see a case.

pub use crate::db::measures::{current, BaselineRow, DefinitionRow};
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use crate::db::districts::DistrictRow;
use crate::db::measures as q;
use crate::db::Tx;
use crate::domain::accounts::Role;
use crate::domain::disclosure::Line;
use crate::domain::measures::{compare, month_end, AgeGroup, Comparison, Definition, Standing};
use crate::error::AppError;
use crate::ids::DistrictId;
use crate::render::charts::{Baseline as ChartBaseline, Chart, Series};
use crate::services::context::Ctx;

/// Who reads measures (the database says the same).
const READERS: &[Role] = &[Role::Analyst, Role::Mfhc, Role::Supervisor, Role::Admin];

/// A value, its baseline (if one is recorded under the same definition) and how they
/// compare, as the caller may see them: a value or baseline withheld from a reader
/// without names (disclosure control) is `None`, and then nothing compares them.
#[derive(Debug, Clone)]
pub struct Figure {
    pub value: Option<u64>,
    pub baseline: Option<BaselineRow>,
    /// The baseline's value is withheld from this caller.
    pub baseline_withheld: bool,
    pub comparison: Option<Comparison>,
}

impl Figure {
    pub fn standing(&self) -> Standing {
        match (self.value, &self.baseline, self.comparison) {
            (None, _, _) => Standing::Suppressed,
            (_, Some(_), _) if self.baseline_withheld => Standing::Suppressed,
            (_, _, Some(c)) => c.standing,
            _ => Standing::NoBaseline,
        }
    }
}

#[derive(Debug, Clone)]
pub struct GroupFigures {
    pub force: Figure,
    pub districts: Vec<(DistrictId, Figure)>,
}

#[derive(Debug, Clone)]
pub struct Point {
    pub period_end: NaiveDate,
    pub window: (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
    pub children: GroupFigures,
    pub adults: GroupFigures,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub definition: DefinitionRow,
    /// The districts reported on (all, or the one asked for), with their names.
    pub districts: Vec<DistrictRow>,
    /// The force's time zone the windows are cut in.
    pub zone: crate::domain::local_time::ForceZone,
    /// When some figures have no baseline under the definition: which, and how to record
    /// one.
    pub baseline_note: Option<String>,
    /// For readers without names: counts below this are withheld (with their
    /// complements).
    pub suppress_below: Option<u64>,
    pub points: Vec<Point>,
}

pub fn definition_of(row: &DefinitionRow) -> Definition {
    Definition {
        repeat_threshold: u32::try_from(row.repeat_threshold).unwrap_or(2),
        window_months: u32::try_from(row.window_months).unwrap_or(12),
        count_hospital: row.count_hospital,
        episode_start: row.episode_start,
    }
}

async fn current_definition(tx: &mut Tx) -> Result<DefinitionRow, AppError> {
    q::current_definition(tx.conn())
        .await?
        .ok_or_else(|| AppError::Conflict("no measure definition is recorded".into()))
}

/// What a report says when some of its figures have no baseline: for which areas and age
/// groups none is recorded under its definition version, what other definitions'
/// baselines there are (not comparable), and how to record one.
fn no_baseline_note(
    definition_version: i32,
    missing: &[(Option<DistrictId>, AgeGroup)],
    districts: &[DistrictRow],
    all: &[BaselineRow],
) -> Option<String> {
    if missing.is_empty() {
        return None;
    }
    let name = |d: Option<DistrictId>| match d {
        None => "the force".to_owned(),
        Some(d) => districts
            .iter()
            .find(|r| r.id == d)
            .map_or_else(|| d.to_string(), |r| r.name.clone()),
    };
    let areas: Vec<String> = missing
        .iter()
        .map(|(d, g)| {
            let who = match g {
                AgeGroup::Child => "children",
                AgeGroup::Adult => "adults",
            };
            format!("{} ({who})", name(*d))
        })
        .collect();
    let mut other: Vec<i32> = all
        .iter()
        .filter(|b| missing.contains(&(b.district_id, b.age_group)))
        .map(|b| b.definition_version)
        .filter(|v| *v != definition_version)
        .collect();
    other.sort_unstable();
    other.dedup();
    let elsewhere = if other.is_empty() {
        String::new()
    } else {
        format!(
            " Baselines recorded under definition version {} count by another definition and are not compared.",
            other.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
        )
    };
    Some(format!(
        "No baseline is recorded under definition version {definition_version} for {}: those \
         figures stand as no_baseline.{elsewhere} An administrator records one with POST \
         /api/v1/baselines {{\"age_group\": \"child\" or \"adult\", \"district_id\": omitted for the \
         force}}: computed for the 12 months to 31 December 2019 unless period_end is given, or \
         an official figure with value and source.",
        areas.join(", ")
    ))
}

fn figure(value: u64, baseline: Option<&BaselineRow>) -> Figure {
    Figure {
        value: Some(value),
        comparison: baseline.map(|b| compare(value, u64::try_from(b.value).unwrap_or(0))),
        baseline: baseline.cloned(),
        baseline_withheld: false,
    }
}

impl Figure {
    /// This figure as a reader without names sees it, given what is withheld.
    fn withholding(mut self, value: bool, baselines: &HashSet<uuid::Uuid>) -> Self {
        if value {
            self.value = None;
        }
        self.baseline_withheld = self
            .baseline
            .as_ref()
            .is_some_and(|b| baselines.contains(&b.id));
        if self.value.is_none() || self.baseline_withheld {
            self.comparison = None;
        }
        self
    }
}

/// The computed baselines a reader without names may not see: counts of repeat-missing
/// persons like the figures, so protected alike (official figures are published ones):
/// small ones, and as many more as keep them from a force baseline minus its districts'.
pub fn withheld_baselines(
    rows: &[&BaselineRow],
    who: &crate::services::datasets::Audience,
) -> HashSet<uuid::Uuid> {
    use crate::domain::disclosure::Line;
    let computed: Vec<&BaselineRow> = rows
        .iter()
        .copied()
        .filter(|b| b.source == "computed")
        .collect();
    let values: Vec<u64> = computed
        .iter()
        .map(|b| u64::try_from(b.value).unwrap_or(0))
        .collect();
    let lines: Vec<Line> = computed
        .iter()
        .enumerate()
        .filter(|(_, b)| b.district_id.is_none())
        .map(|(i, f)| Line {
            total: i,
            parts: computed
                .iter()
                .enumerate()
                .filter(|(_, b)| {
                    b.district_id.is_some()
                        && b.age_group == f.age_group
                        && b.period_end == f.period_end
                        && b.definition_version == f.definition_version
                })
                .map(|(j, _)| j)
                .collect(),
        })
        .collect();
    who.withheld(&values, &lines)
        .into_iter()
        .zip(&computed)
        .filter(|(w, _)| *w)
        .map(|(_, b)| b.id)
        .collect()
}

/// The measure at each period end, for every district (or just `district`) and the force.
#[tracing::instrument(name = "services::measures::repeat_missing", skip_all)]
pub async fn repeat_missing(
    ctx: &Ctx,
    period_ends: Vec<NaiveDate>,
    district: Option<DistrictId>,
) -> Result<Report, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_any(READERS)?;
        let who = crate::services::datasets::Audience::of(tx.caller()?, ctx.app.suppression)?;
        let definition = current_definition(&mut tx).await?;
        let def = definition_of(&definition);
        let all_baselines = q::baselines(tx.conn()).await?;
        let baselines = q::current(&all_baselines, definition.version);
        let hidden_baselines = withheld_baselines(&baselines, &who);
        // Every district is computed (and protected) whichever is asked for, so the same
        // figures are withheld whatever the query.
        let district_rows: Vec<DistrictRow> = crate::db::districts::list(tx.conn()).await?;
        let districts: Vec<DistrictId> = district_rows.iter().map(|d| d.id).collect();
        if let Some(d) = district {
            if !districts.contains(&d) {
                return Err(AppError::field(
                    "district_id",
                    &format!("no such district {d}"),
                ));
            }
        }
        let baseline = |d: Option<DistrictId>, g: AgeGroup| {
            baselines
                .iter()
                .find(|b| b.district_id == d && b.age_group == g)
                .copied()
        };
        // Month ends come from the state the database keeps for the current definition
        // in one query; any other period end is computed live.
        let month_ends: Vec<NaiveDate> = period_ends
            .iter()
            .copied()
            .filter(|d| month_end(*d) == *d)
            .collect();
        let mut counts: HashMap<NaiveDate, Vec<(DistrictId, AgeGroup, u64)>> = HashMap::new();
        for r in q::repeat_counts_at_month_ends(tx.conn(), definition.version, &month_ends).await? {
            counts.entry(r.period_end).or_default().push((
                r.district_id,
                r.age_group,
                u64::try_from(r.persons).unwrap_or(0),
            ));
        }
        let mut points = Vec::with_capacity(period_ends.len());
        for end in period_ends {
            let window = def.window(end, &ctx.app.zone);
            let rows = if month_end(end) == end {
                counts.remove(&end).unwrap_or_default()
            } else {
                q::repeat_counts(
                    tx.conn(),
                    window,
                    def.repeat_threshold as i32,
                    def.count_hospital,
                    def.episode_start,
                )
                .await?
                .into_iter()
                .map(|r| {
                    (
                        r.district_id,
                        r.age_group,
                        u64::try_from(r.persons).unwrap_or(0),
                    )
                })
                .collect()
            };
            let group = |g: AgeGroup| {
                let of = |d: DistrictId| {
                    rows.iter()
                        .filter(|r| r.0 == d && r.1 == g)
                        .map(|r| r.2)
                        .sum::<u64>()
                };
                let force: u64 = rows.iter().filter(|r| r.1 == g).map(|r| r.2).sum();
                // The force is its districts' sum: withhold as a table.
                let values: Vec<u64> = std::iter::once(force)
                    .chain(districts.iter().map(|d| of(*d)))
                    .collect();
                let withheld = who.withheld(
                    &values,
                    &[Line {
                        total: 0,
                        parts: (1..values.len()).collect(),
                    }],
                );
                GroupFigures {
                    force: figure(force, baseline(None, g))
                        .withholding(withheld[0], &hidden_baselines),
                    districts: districts
                        .iter()
                        .zip(&withheld[1..])
                        .filter(|(d, _)| district.is_none_or(|only| only == **d))
                        .map(|(d, w)| {
                            (
                                *d,
                                figure(of(*d), baseline(Some(*d), g))
                                    .withholding(*w, &hidden_baselines),
                            )
                        })
                        .collect(),
                }
            };
            points.push(Point {
                period_end: end,
                window,
                children: group(AgeGroup::Child),
                adults: group(AgeGroup::Adult),
            });
        }
        let district_rows: Vec<DistrictRow> = district_rows
            .into_iter()
            .filter(|d| district.is_none_or(|only| only == d.id))
            .collect();
        let mut missing: Vec<(Option<DistrictId>, AgeGroup)> = Vec::new();
        for g in [AgeGroup::Child, AgeGroup::Adult] {
            for d in std::iter::once(None).chain(district_rows.iter().map(|r| Some(r.id))) {
                if baseline(d, g).is_none() {
                    missing.push((d, g));
                }
            }
        }
        let baseline_note =
            no_baseline_note(definition.version, &missing, &district_rows, &all_baselines);
        Ok(Report {
            definition,
            baseline_note,
            suppress_below: who.suppress_below(),
            zone: ctx.app.zone,
            districts: district_rows,
            points,
        })
    })
}

#[tracing::instrument(name = "services::measures::definitions", skip_all)]
pub async fn definitions(ctx: &Ctx) -> Result<Vec<DefinitionRow>, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_any(READERS)?;
        Ok(q::definitions(tx.conn()).await?)
    })
}

/// Records a new version of the definition (admins).
#[tracing::instrument(name = "services::measures::define", skip_all)]
pub async fn define(ctx: &Ctx, def: Definition, note: String) -> Result<DefinitionRow, AppError> {
    def.check().map_err(|(f, m)| AppError::field(f, m))?;
    crate::in_tx!(ctx, |tx| {
        let caller = tx.caller()?.clone();
        caller.require_admin()?;
        Ok(q::insert_definition(tx.conn(), &def, &note, caller.user_id).await?)
    })
}

/// Every baseline version, the current definition's version (the one figures are
/// compared under), and the baselines whose values the caller may not see.
#[tracing::instrument(name = "services::measures::baselines", skip_all)]
pub async fn baselines(
    ctx: &Ctx,
) -> Result<(Vec<BaselineRow>, i32, HashSet<uuid::Uuid>), AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_any(READERS)?;
        let who = crate::services::datasets::Audience::of(tx.caller()?, ctx.app.suppression)?;
        let definition = current_definition(&mut tx).await?;
        let rows = q::baselines(tx.conn()).await?;
        let withheld = withheld_baselines(&rows.iter().collect::<Vec<_>>(), &who);
        Ok((rows, definition.version, withheld))
    })
}

/// A baseline as asked for: an official figure (value and source), or computed from
/// the recorded episodes for the window ending `period_end`.
#[derive(Debug, Clone)]
pub struct BaselineInput {
    pub district_id: Option<DistrictId>,
    pub age_group: AgeGroup,
    pub period_end: NaiveDate,
    pub official: Option<(u64, String)>,
}

/// Records the next version of a baseline (admins).
#[tracing::instrument(name = "services::measures::set_baseline", skip_all)]
pub async fn set_baseline(ctx: &Ctx, b: BaselineInput) -> Result<(BaselineRow, bool), AppError> {
    crate::in_tx!(ctx, |tx| {
        let caller = tx.caller()?.clone();
        caller.require_admin()?;
        if let Some(d) = b.district_id {
            if !crate::db::districts::missing(tx.conn(), &[d])
                .await?
                .is_empty()
            {
                return Err(AppError::field("district_id", "no such district"));
            }
        }
        let definition = current_definition(&mut tx).await?;
        let def = definition_of(&definition);
        let (value, source) = match b.official {
            Some((value, source)) => (value, Some(source)),
            None => {
                let rows = q::repeat_counts(
                    tx.conn(),
                    def.window(b.period_end, &ctx.app.zone),
                    def.repeat_threshold as i32,
                    def.count_hospital,
                    def.episode_start,
                )
                .await?;
                let value = rows
                    .iter()
                    .filter(|r| r.age_group == b.age_group)
                    .filter(|r| b.district_id.is_none_or(|d| d == r.district_id))
                    .map(|r| u64::try_from(r.persons).unwrap_or(0))
                    .sum();
                (value, None)
            }
        };
        let row = q::insert_baseline(
            tx.conn(),
            b.district_id,
            b.age_group,
            b.period_end,
            i64::try_from(value).unwrap_or(i64::MAX),
            source.as_deref(),
            definition.version,
            caller.user_id,
        )
        .await?;
        // An administrator sees no names: a computed baseline is a count like any other.
        let who = crate::services::datasets::Audience::of(&caller, ctx.app.suppression)?;
        let all = q::baselines(tx.conn()).await?;
        let withheld = withheld_baselines(&all.iter().collect::<Vec<_>>(), &who);
        Ok((row.clone(), withheld.contains(&row.id)))
    })
}

/// What a panel paper shows: the measure for the force (or one district of the report)
/// over the report's period ends, one line per age group asked for, each against its
/// baseline, with the definition and baseline versions in the small print.
pub fn chart(report: &Report, district: Option<DistrictId>, groups: &[AgeGroup]) -> Chart {
    let area = match district {
        None => "Force".to_string(),
        Some(d) => report
            .districts
            .iter()
            .find(|r| r.id == d)
            .map_or_else(|| d.to_string(), |r| r.name.clone()),
    };
    let figure_of = |p: &Point, g: AgeGroup| -> Option<Figure> {
        let group = match g {
            AgeGroup::Child => &p.children,
            AgeGroup::Adult => &p.adults,
        };
        match district {
            None => Some(group.force.clone()),
            Some(d) => group
                .districts
                .iter()
                .find(|(id, _)| *id == d)
                .map(|(_, f)| f.clone()),
        }
    };
    let def = &report.definition;
    let mut notes = vec![format!(
        "Definition v{}: {} or more episodes starting in the rolling {} months; episodes from hospital or medical settings {}; cancelled episodes never count.",
        def.version,
        def.repeat_threshold,
        def.window_months,
        if def.count_hospital { "count" } else { "do not count" }
    )];
    let series = groups
        .iter()
        .map(|g| {
            let noun = match g {
                AgeGroup::Child => "Children",
                AgeGroup::Adult => "Adults",
            };
            let figures: Vec<(NaiveDate, Figure)> = report
                .points
                .iter()
                .filter_map(|p| figure_of(p, *g).map(|f| (p.period_end, f)))
                .collect();
            // Withheld figures and baselines are left out of the chart as of the report.
            let baseline = figures
                .iter()
                .rev()
                .find(|(_, f)| f.baseline.is_some())
                .filter(|(_, f)| !f.baseline_withheld)
                .and_then(|(_, f)| f.baseline.clone());
            match &baseline {
                Some(b) => notes.push(format!(
                    "{noun}: baseline v{} ({}{}), {} for the window to {}.",
                    b.version,
                    b.source,
                    b.source_note
                        .as_deref()
                        .map(|n| format!(": {n}"))
                        .unwrap_or_default(),
                    b.value,
                    b.period_end.format("%-d %b %Y"),
                )),
                None if figures.iter().any(|(_, f)| f.baseline_withheld) => {
                    notes.push(format!("{noun}: baseline withheld (a small count)."))
                }
                None => notes.push(format!("{noun}: no baseline recorded.")),
            }
            Series {
                label: noun.to_string(),
                points: figures
                    .iter()
                    .filter_map(|(d, f)| f.value.map(|v| (*d, v)))
                    .collect(),
                baseline: baseline.map(|b| ChartBaseline {
                    value: u64::try_from(b.value).unwrap_or(0),
                    label: format!(
                        "{} figure for the window to {}",
                        b.source,
                        b.period_end.format("%-d %b %Y")
                    ),
                }),
            }
        })
        .collect();
    let range = match (report.points.first(), report.points.last()) {
        (Some(a), Some(b)) if a.period_end != b.period_end => format!(
            "{} to {}",
            a.period_end.format("%b %Y"),
            b.period_end.format("%b %Y")
        ),
        (Some(a), _) => a.period_end.format("%-d %b %Y").to_string(),
        _ => String::new(),
    };
    Chart {
        title: match groups {
            [AgeGroup::Child] => "Repeat-missing children against baseline".into(),
            [AgeGroup::Adult] => "Repeat-missing adults against baseline".into(),
            _ => "Repeat-missing children and adults against baseline".into(),
        },
        subtitle: format!("{area}, period ends {range}"),
        y_label: format!(
            "People with {}+ episodes in {} months",
            def.repeat_threshold, def.window_months
        ),
        footnote: notes.join(" "),
        series,
    }
}

/// Refreshes the kept measure state for what writers queued until `stop`: at once again
/// after a full batch, else after `every`. Readers of the state catch up first anyway;
/// this keeps what they find to do small.
pub async fn catch_up_continuously(
    pool: crate::db::Pool,
    every: std::time::Duration,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    super::repeat_until_stopped("catching up the measure state", every, stop, || async {
        let mut conn = pool.get().await?;
        Ok(q::catch_up(&mut conn, Some(q::CATCH_UP_BATCH)).await? == q::CATCH_UP_BATCH)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn baseline(district: Option<DistrictId>, group: AgeGroup, value: i64) -> BaselineRow {
        BaselineRow {
            id: uuid::Uuid::nil(),
            district_id: district,
            age_group: group,
            version: 3,
            period_end: day(2019, 12, 31),
            value,
            source: "official".into(),
            source_note: Some("Panel paper, annex B".into()),
            definition_version: 1,
            created_by: crate::ids::UserId(uuid::Uuid::nil()),
            created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    fn report(district: DistrictId) -> Report {
        let points = [(day(2025, 1, 31), 10u64, 4u64), (day(2025, 2, 28), 12, 5)]
            .into_iter()
            .map(|(end, force, local)| {
                let child_base = baseline(None, AgeGroup::Child, 11);
                Point {
                    period_end: end,
                    window: (Utc::now(), Utc::now()),
                    children: GroupFigures {
                        force: figure(force, Some(&child_base)),
                        districts: vec![(district, figure(local, None))],
                    },
                    adults: GroupFigures {
                        force: figure(force / 2, None),
                        districts: vec![(district, figure(local / 2, None))],
                    },
                }
            })
            .collect();
        Report {
            definition: DefinitionRow {
                version: 2,
                repeat_threshold: 3,
                window_months: 6,
                count_hospital: false,
                note: "x".into(),
                created_by: None,
                created_at: Utc::now(),
                episode_start: crate::domain::measures::EpisodeStart::Reported,
            },
            zone: Default::default(),
            baseline_note: None,
            suppress_below: None,
            districts: vec![DistrictRow {
                id: district,
                code: "LDS".into(),
                name: "Leeds".into(),
            }],
            points,
        }
    }

    #[test]
    fn the_force_chart_has_a_line_per_group_against_its_baseline_and_names_the_versions() {
        let d = DistrictId(uuid::Uuid::from_u128(7));
        let c = chart(&report(d), None, &[AgeGroup::Child, AgeGroup::Adult]);
        assert_eq!(c.series.len(), 2);
        assert_eq!(
            c.series[0].points,
            vec![(day(2025, 1, 31), 10), (day(2025, 2, 28), 12)]
        );
        assert_eq!(c.series[0].baseline.as_ref().map(|b| b.value), Some(11));
        assert_eq!(
            c.series[0].baseline.as_ref().map(|b| b.label.as_str()),
            Some("official figure for the window to 31 Dec 2019")
        );
        assert_eq!(c.y_label, "People with 3+ episodes in 6 months");
        assert_eq!(c.series[1].points[1], (day(2025, 2, 28), 6));
        assert!(c.series[1].baseline.is_none());
        assert!(c
            .subtitle
            .starts_with("Force, period ends Jan 2025 to Feb 2025"));
        assert!(c.footnote.contains("Definition v2: 3 or more episodes"));
        assert!(c.footnote.contains("rolling 6 months"));
        assert!(c.footnote.contains("do not count"));
        assert!(c
            .footnote
            .contains("baseline v3 (official: Panel paper, annex B), 11"));
        assert!(c.footnote.contains("Adults: no baseline recorded."));
    }

    #[test]
    fn a_district_chart_uses_that_districts_figures_and_name() {
        let d = DistrictId(uuid::Uuid::from_u128(7));
        let c = chart(&report(d), Some(d), &[AgeGroup::Adult]);
        assert_eq!(c.series.len(), 1);
        assert_eq!(
            c.series[0].points,
            vec![(day(2025, 1, 31), 2), (day(2025, 2, 28), 2)]
        );
        assert!(c.subtitle.starts_with("Leeds"));
        assert_eq!(c.series[0].label, "Adults");
        assert_eq!(c.title, "Repeat-missing adults against baseline");
    }
}
