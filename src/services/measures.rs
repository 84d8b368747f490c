//! The Police and Crime Plan measure: repeat-missing children and adults per district
//! and force against their baselines, the versioned definition, and the baselines.
//! Aggregates only: analysts never see a case.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::auth::Bearer;
use crate::db::measures::{self as q, BaselineRow, DefinitionRow};
use crate::db::{AuditContext, Tx};
use crate::domain::accounts::Role;
use crate::domain::measures::{compare, month_end, AgeGroup, Comparison, Definition};
use crate::error::AppError;
use crate::ids::DistrictId;
use crate::startup::AppState;

/// Who reads measures (the database says the same).
const READERS: &[Role] = &[Role::Analyst, Role::Mfhc, Role::Supervisor, Role::Admin];

/// A value, its baseline (if one is recorded) and how they compare.
#[derive(Debug, Clone)]
pub struct Figure {
    pub value: u64,
    pub baseline: Option<BaselineRow>,
    pub comparison: Option<Comparison>,
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
    pub points: Vec<Point>,
}

pub fn definition_of(row: &DefinitionRow) -> Definition {
    Definition {
        repeat_threshold: u32::try_from(row.repeat_threshold).unwrap_or(2),
        window_months: u32::try_from(row.window_months).unwrap_or(12),
        count_hospital: row.count_hospital,
    }
}

async fn current_definition(tx: &mut Tx) -> Result<DefinitionRow, AppError> {
    q::current_definition(tx.conn())
        .await?
        .ok_or_else(|| AppError::Conflict("no measure definition is recorded".into()))
}

fn figure(value: u64, baseline: Option<&BaselineRow>) -> Figure {
    Figure {
        value,
        comparison: baseline.map(|b| compare(value, u64::try_from(b.value).unwrap_or(0))),
        baseline: baseline.cloned(),
    }
}

/// The measure at each period end, for every district (or just `district`) and the force.
pub async fn repeat_missing(
    state: &AppState,
    bearer: &Bearer,
    audit: AuditContext,
    period_ends: Vec<NaiveDate>,
    district: Option<DistrictId>,
) -> Result<Report, AppError> {
    crate::in_tx_as!(state, bearer, audit, |tx| {
        tx.caller()?.require_any(READERS)?;
        let definition = current_definition(&mut tx).await?;
        let def = definition_of(&definition);
        let all_baselines = q::baselines(tx.conn()).await?;
        let baselines = q::current(&all_baselines);
        let districts: Vec<DistrictId> = crate::db::districts::list(tx.conn())
            .await?
            .into_iter()
            .map(|d| d.id)
            .filter(|d| district.is_none_or(|only| only == *d))
            .collect();
        if let Some(d) = district {
            if districts.is_empty() {
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
            let window = def.window(end);
            let rows = if month_end(end) == end {
                counts.remove(&end).unwrap_or_default()
            } else {
                q::repeat_counts(
                    tx.conn(),
                    window,
                    def.repeat_threshold as i32,
                    def.count_hospital,
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
                GroupFigures {
                    force: figure(force, baseline(None, g)),
                    districts: districts
                        .iter()
                        .map(|d| (*d, figure(of(*d), baseline(Some(*d), g))))
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
        Ok(Report { definition, points })
    })
}

pub async fn definitions(
    state: &AppState,
    bearer: &Bearer,
    audit: AuditContext,
) -> Result<Vec<DefinitionRow>, AppError> {
    crate::in_tx_as!(state, bearer, audit, |tx| {
        tx.caller()?.require_any(READERS)?;
        Ok(q::definitions(tx.conn()).await?)
    })
}

/// Records a new version of the definition (admins).
pub async fn define(
    state: &AppState,
    bearer: &Bearer,
    audit: AuditContext,
    def: Definition,
    note: String,
) -> Result<DefinitionRow, AppError> {
    def.check().map_err(|(f, m)| AppError::field(f, m))?;
    crate::in_tx_as!(state, bearer, audit, |tx| {
        let caller = tx.caller()?.clone();
        caller.require_admin()?;
        Ok(q::insert_definition(
            tx.conn(),
            def.repeat_threshold as i32,
            def.window_months as i32,
            def.count_hospital,
            &note,
            caller.user_id,
        )
        .await?)
    })
}

pub async fn baselines(
    state: &AppState,
    bearer: &Bearer,
    audit: AuditContext,
) -> Result<Vec<BaselineRow>, AppError> {
    crate::in_tx_as!(state, bearer, audit, |tx| {
        tx.caller()?.require_any(READERS)?;
        Ok(q::baselines(tx.conn()).await?)
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
pub async fn set_baseline(
    state: &AppState,
    bearer: &Bearer,
    audit: AuditContext,
    b: BaselineInput,
) -> Result<BaselineRow, AppError> {
    crate::in_tx_as!(state, bearer, audit, |tx| {
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
                    def.window(b.period_end),
                    def.repeat_threshold as i32,
                    def.count_hospital,
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
        Ok(q::insert_baseline(
            tx.conn(),
            b.district_id,
            b.age_group,
            b.period_end,
            i64::try_from(value).unwrap_or(i64::MAX),
            source.as_deref(),
            definition.version,
            caller.user_id,
        )
        .await?)
    })
}
