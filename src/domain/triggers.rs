//! Repeat-missing triggers: rules are data, and one pure evaluation decides, from all of
//! a person's counted episodes and their live triggers, which triggers fire and which
//! have lost their basis. Evaluation is deterministic, so running it again after a
//! merge, an undo or a cancellation gives the right answer without special cases.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};

use crate::ids::{DistrictId, EpisodeId, TriggerId, TriggerRuleId};

crate::text_enum! {
    pub enum RuleKind {
        /// A child's first counted episode.
        FirstTimeChild => "first_time_child",
        /// At least `min_episodes` episodes within `within_days` days.
        EpisodesWithin => "episodes_within",
        /// A looked-after child missing from an out-of-area placement.
        OutOfAreaPlacement => "out_of_area_placement",
        /// An episode graded high risk at any point.
        HighRisk => "high_risk",
    }
}

crate::text_enum! {
    pub enum TriggerStatus {
        Open => "open",
        Acknowledged => "acknowledged",
        PlanRecorded => "plan_recorded",
        Closed => "closed",
        /// Its basis disappeared (an episode cancelled or moved by a merge). Set by
        /// evaluation only.
        Withdrawn => "withdrawn",
    }
}

impl TriggerStatus {
    /// The statuses a coordinator may move a trigger to from this one.
    pub fn next(self) -> &'static [TriggerStatus] {
        use TriggerStatus::*;
        match self {
            Open => &[Acknowledged],
            Acknowledged => &[PlanRecorded],
            // Recording the plan again replaces it.
            PlanRecorded => &[PlanRecorded, Closed],
            Closed | Withdrawn => &[],
        }
    }

    /// Still to be worked: it can have a plan, actions and a referral.
    pub fn is_live(self) -> bool {
        !matches!(self, TriggerStatus::Closed | TriggerStatus::Withdrawn)
    }
}

/// Whether `from → to` is a coordinator's move; the allowed moves otherwise.
pub fn check_transition(
    from: TriggerStatus,
    to: TriggerStatus,
) -> Result<(), &'static [TriggerStatus]> {
    if from.next().contains(&to) {
        Ok(())
    } else {
        Err(from.next())
    }
}

/// What a rule looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    FirstTimeChild,
    EpisodesWithin { min: u32, days: u32 },
    OutOfAreaPlacement,
    HighRisk,
}

impl Condition {
    /// From the stored or requested parts: thresholds only (and always) for
    /// `episodes_within`. Errors name the field.
    pub fn from_parts(
        kind: RuleKind,
        min_episodes: Option<i32>,
        within_days: Option<i32>,
    ) -> Result<Condition, (&'static str, &'static str)> {
        match (kind, min_episodes, within_days) {
            (RuleKind::EpisodesWithin, Some(min), Some(days)) => {
                let min = u32::try_from(min)
                    .ok()
                    .filter(|m| (2..=100).contains(m))
                    .ok_or(("min_episodes", "must be from 2 to 100"))?;
                let days = u32::try_from(days)
                    .ok()
                    .filter(|d| (1..=3660).contains(d))
                    .ok_or(("within_days", "must be from 1 to 3660"))?;
                Ok(Condition::EpisodesWithin { min, days })
            }
            (RuleKind::EpisodesWithin, None, _) => {
                Err(("min_episodes", "an episodes_within rule needs min_episodes"))
            }
            (RuleKind::EpisodesWithin, _, None) => {
                Err(("within_days", "an episodes_within rule needs within_days"))
            }
            (_, Some(_), _) => Err((
                "min_episodes",
                "only an episodes_within rule has min_episodes",
            )),
            (_, _, Some(_)) => Err((
                "within_days",
                "only an episodes_within rule has within_days",
            )),
            (RuleKind::FirstTimeChild, None, None) => Ok(Condition::FirstTimeChild),
            (RuleKind::OutOfAreaPlacement, None, None) => Ok(Condition::OutOfAreaPlacement),
            (RuleKind::HighRisk, None, None) => Ok(Condition::HighRisk),
        }
    }

    /// What fired, in words an email may carry (no personal details).
    pub fn describe(self) -> String {
        match self {
            Condition::FirstTimeChild => "a child's first missing episode".into(),
            Condition::EpisodesWithin { min, days } => {
                format!("{min} or more missing episodes within {days} days")
            }
            Condition::OutOfAreaPlacement => {
                "a looked-after child missing from an out-of-area placement".into()
            }
            Condition::HighRisk => "a missing episode graded high risk".into(),
        }
    }

    /// The headline of the email telling an MFHC the rule fired: what happened, not just
    /// that "a trigger fired".
    pub fn headline(self) -> String {
        match self {
            Condition::FirstTimeChild => {
                "A child has been reported missing for the first time".into()
            }
            Condition::EpisodesWithin { min, days } if days <= 7 => {
                format!("Sudden multiple missing: {min} episodes within {days} days")
            }
            Condition::EpisodesWithin { min, days } => {
                format!("Repeat missing: {min} episodes within {days} days")
            }
            Condition::OutOfAreaPlacement => {
                "A looked-after child is missing from an out-of-area placement".into()
            }
            Condition::HighRisk => "A missing episode graded high risk has raised a trigger".into(),
        }
    }

    pub fn kind(self) -> RuleKind {
        match self {
            Condition::FirstTimeChild => RuleKind::FirstTimeChild,
            Condition::EpisodesWithin { .. } => RuleKind::EpisodesWithin,
            Condition::OutOfAreaPlacement => RuleKind::OutOfAreaPlacement,
            Condition::HighRisk => RuleKind::HighRisk,
        }
    }
}

/// A rule as evaluation needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: TriggerRuleId,
    pub condition: Condition,
    /// `None`: force-wide. Otherwise only that district's episodes count.
    pub district_id: Option<DistrictId>,
    pub enabled: bool,
}

impl Rule {
    fn covers(&self, e: &CountedEpisode) -> bool {
        self.district_id.is_none_or(|d| d == e.district_id)
    }
}

/// One of the person's episodes that counts (cancelled episodes never do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedEpisode {
    pub id: EpisodeId,
    pub district_id: DistrictId,
    pub reported_at: DateTime<Utc>,
    /// Under 18 when it started; `None` when the date of birth is unknown.
    pub child: Option<bool>,
    /// Missing from an out-of-area placement.
    pub out_of_area: bool,
    /// Graded high at any point.
    pub ever_high: bool,
}

/// A trigger that is not withdrawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveTrigger {
    pub id: TriggerId,
    pub rule_id: TriggerRuleId,
    pub kind: RuleKind,
    pub status: TriggerStatus,
    pub anchor: EpisodeId,
    pub basis: Vec<EpisodeId>,
}

/// A trigger to fire: the rule, the episodes that caused it (the anchor is the latest)
/// and the window they fell in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Firing {
    pub rule_id: TriggerRuleId,
    pub anchor: EpisodeId,
    pub basis: Vec<EpisodeId>,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    pub trigger_id: TriggerId,
    pub reason: &'static str,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluation {
    pub fire: Vec<Firing>,
    pub withdraw: Vec<Withdrawal>,
}

pub const BASIS_GONE: &str =
    "an episode it rests on was cancelled or now belongs to another person record";
pub const NOT_FIRST: &str = "an earlier episode of this person has since been recorded";
pub const NOT_A_CHILD: &str =
    "with the corrected date of birth the person was not a child when the episode started";
pub const NOT_OUT_OF_AREA: &str = "the placement is no longer recorded as out of area";

/// Decides what fires and what is withdrawn.
///
/// A live trigger keeps its basis while every episode of it still counts for the person
/// (and, for a first-time trigger, its episode is still the first); otherwise it is
/// withdrawn, unless already closed (a closed one keeps the episodes it still rests
/// on). Kept triggers consume their episodes: each episode
/// contributes to at most one trigger per rule, which is what "once per person, rule and
/// window" means here. Then each enabled rule fires on what is left:
/// - `first_time_child`: the person's first episode, if they were a child then;
/// - `episodes_within {min, days}`: walking episodes oldest first, the first episode
///   that has at least `min` unconsumed episodes in the `days` days up to and including
///   it (a boundary exactly `days` days earlier counts) fires with them as its basis;
/// - `out_of_area_placement`, `high_risk`: each such episode.
pub fn evaluate(rules: &[Rule], episodes: &[CountedEpisode], live: &[LiveTrigger]) -> Evaluation {
    let mut sorted: Vec<&CountedEpisode> = episodes.iter().collect();
    sorted.sort_by_key(|e| (e.reported_at, e.id));
    let counted: HashSet<EpisodeId> = sorted.iter().map(|e| e.id).collect();
    let first = sorted.first().map(|e| e.id);

    let mut out = Evaluation::default();
    let mut kept: Vec<&LiveTrigger> = Vec::new();
    // Closed triggers whose basis has partly gone: their work is done, and the episodes
    // they still rest on stay theirs (so a closed trigger is never repeated).
    let mut spent: Vec<&LiveTrigger> = Vec::new();
    let anchor = |t: &LiveTrigger| sorted.iter().find(|e| e.id == t.anchor).copied();
    for t in live {
        let reason = if !t.basis.iter().all(|b| counted.contains(b)) {
            Some(BASIS_GONE)
        } else if t.kind == RuleKind::FirstTimeChild && Some(t.anchor) != first {
            Some(NOT_FIRST)
        } else if t.kind == RuleKind::FirstTimeChild
            && anchor(t).is_some_and(|e| e.child != Some(true))
        {
            Some(NOT_A_CHILD)
        } else if t.kind == RuleKind::OutOfAreaPlacement
            && anchor(t).is_some_and(|e| !e.out_of_area)
        {
            Some(NOT_OUT_OF_AREA)
        } else {
            None
        };
        match reason {
            None => kept.push(t),
            Some(reason) if t.status != TriggerStatus::Closed => out.withdraw.push(Withdrawal {
                trigger_id: t.id,
                reason,
            }),
            Some(_) => spent.push(t),
        }
    }

    for rule in rules.iter().filter(|r| r.enabled) {
        let mine: Vec<&LiveTrigger> = kept
            .iter()
            .copied()
            .filter(|t| t.rule_id == rule.id)
            .collect();
        let consumed: HashSet<EpisodeId> = mine
            .iter()
            .chain(spent.iter().filter(|t| t.rule_id == rule.id))
            .flat_map(|t| t.basis.iter().copied())
            .filter(|e| counted.contains(e))
            .collect();
        let pool: Vec<&CountedEpisode> = sorted
            .iter()
            .copied()
            .filter(|e| rule.covers(e) && !consumed.contains(&e.id))
            .collect();
        let single = |e: &CountedEpisode| Firing {
            rule_id: rule.id,
            anchor: e.id,
            basis: vec![e.id],
            window_start: e.reported_at,
            window_end: e.reported_at,
        };
        match rule.condition {
            Condition::FirstTimeChild => {
                let first = sorted.first().copied();
                if let Some(e) =
                    first.filter(|e| mine.is_empty() && e.child == Some(true) && rule.covers(e))
                {
                    out.fire.push(single(e));
                }
            }
            Condition::OutOfAreaPlacement => {
                out.fire
                    .extend(pool.iter().filter(|e| e.out_of_area).map(|e| single(e)));
            }
            Condition::HighRisk => {
                out.fire
                    .extend(pool.iter().filter(|e| e.ever_high).map(|e| single(e)));
            }
            Condition::EpisodesWithin { min, days } => {
                let span = Duration::days(i64::from(days));
                let mut used: HashSet<EpisodeId> = HashSet::new();
                for (i, anchor) in pool.iter().enumerate() {
                    let start = anchor.reported_at - span;
                    let window: Vec<EpisodeId> = pool[..=i]
                        .iter()
                        .filter(|e| e.reported_at >= start && !used.contains(&e.id))
                        .map(|e| e.id)
                        .collect();
                    if window.len() >= min as usize {
                        used.extend(window.iter().copied());
                        out.fire.push(Firing {
                            rule_id: rule.id,
                            anchor: anchor.id,
                            basis: window,
                            window_start: start,
                            window_end: anchor.reported_at,
                        });
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap() + Duration::days(day)
    }

    fn ep(day: i64, district: DistrictId) -> CountedEpisode {
        CountedEpisode {
            id: EpisodeId::new(),
            district_id: district,
            reported_at: at(day),
            child: Some(true),
            out_of_area: false,
            ever_high: false,
        }
    }

    fn rule(condition: Condition) -> Rule {
        Rule {
            id: TriggerRuleId::new(),
            condition,
            district_id: None,
            enabled: true,
        }
    }

    const SUDDEN: Condition = Condition::EpisodesWithin { min: 2, days: 7 };
    const REPEAT: Condition = Condition::EpisodesWithin { min: 3, days: 90 };

    /// Applies an evaluation as the service does: withdrawn triggers leave, fired ones
    /// become live (open).
    fn apply(live: &mut Vec<LiveTrigger>, rules: &[Rule], eval: &Evaluation) {
        live.retain(|t| !eval.withdraw.iter().any(|w| w.trigger_id == t.id));
        for f in &eval.fire {
            let kind = rules
                .iter()
                .find(|r| r.id == f.rule_id)
                .unwrap()
                .condition
                .kind();
            live.push(LiveTrigger {
                id: TriggerId::new(),
                rule_id: f.rule_id,
                kind,
                status: TriggerStatus::Open,
                anchor: f.anchor,
                basis: f.basis.clone(),
            });
        }
    }

    #[test]
    fn first_time_child_fires_once_for_a_childs_first_episode() {
        let d = DistrictId::new();
        let rules = [rule(Condition::FirstTimeChild)];
        let mut eps = vec![ep(0, d)];
        let mut live = Vec::new();
        let e = evaluate(&rules, &eps, &live);
        assert_eq!(e.fire.len(), 1);
        assert_eq!(e.fire[0].basis, vec![eps[0].id]);
        apply(&mut live, &rules, &e);
        eps.push(ep(30, d));
        assert_eq!(evaluate(&rules, &eps, &live), Evaluation::default());
    }

    #[test]
    fn corrected_facts_withdraw_first_time_and_out_of_area_triggers() {
        let d = DistrictId::new();
        let rules = [
            rule(Condition::FirstTimeChild),
            rule(Condition::OutOfAreaPlacement),
        ];
        let mut eps = vec![CountedEpisode {
            out_of_area: true,
            ..ep(0, d)
        }];
        let mut live = Vec::new();
        let e = evaluate(&rules, &eps, &live);
        apply(&mut live, &rules, &e);
        assert_eq!(live.len(), 2);
        eps[0].child = Some(false);
        eps[0].out_of_area = false;
        let e = evaluate(&rules, &eps, &live);
        let reasons: Vec<&str> = e.withdraw.iter().map(|w| w.reason).collect();
        assert_eq!(reasons, vec![NOT_A_CHILD, NOT_OUT_OF_AREA]);
        assert!(e.fire.is_empty());
    }

    #[test]
    fn first_time_does_not_fire_for_adults_or_unknown_ages() {
        let d = DistrictId::new();
        let rules = [rule(Condition::FirstTimeChild)];
        for child in [Some(false), None] {
            let eps = vec![CountedEpisode { child, ..ep(0, d) }];
            assert!(evaluate(&rules, &eps, &[]).fire.is_empty(), "{child:?}");
        }
    }

    #[test]
    fn a_back_dated_earlier_episode_moves_the_first_time_trigger() {
        let d = DistrictId::new();
        let rules = [rule(Condition::FirstTimeChild)];
        let mut eps = vec![ep(10, d)];
        let mut live = Vec::new();
        let e = evaluate(&rules, &eps, &live);
        apply(&mut live, &rules, &e);
        let earlier = ep(2, d);
        eps.push(earlier.clone());
        let e = evaluate(&rules, &eps, &live);
        assert_eq!(e.withdraw.len(), 1);
        assert_eq!(e.withdraw[0].reason, NOT_FIRST);
        assert_eq!(e.fire.len(), 1);
        assert_eq!(e.fire[0].anchor, earlier.id);
    }

    #[test]
    fn two_within_seven_days_counts_the_boundary_inclusively() {
        let d = DistrictId::new();
        let rules = [rule(SUDDEN)];
        let exactly = vec![ep(0, d), ep(7, d)];
        let e = evaluate(&rules, &exactly, &[]);
        assert_eq!(e.fire.len(), 1);
        assert_eq!(e.fire[0].anchor, exactly[1].id);
        assert_eq!(e.fire[0].basis, vec![exactly[0].id, exactly[1].id]);
        assert_eq!(e.fire[0].window_start, at(0));
        assert_eq!(e.fire[0].window_end, at(7));

        let mut late = ep(7, d);
        late.reported_at += Duration::seconds(1);
        assert!(evaluate(&rules, &[ep(0, d), late], &[]).fire.is_empty());
    }

    #[test]
    fn each_episode_counts_towards_one_trigger_per_rule() {
        let d = DistrictId::new();
        let rules = [rule(SUDDEN)];
        let mut eps = vec![ep(0, d), ep(1, d)];
        let mut live = Vec::new();
        let e = evaluate(&rules, &eps, &live);
        apply(&mut live, &rules, &e);
        assert_eq!(live.len(), 1);
        // A third episode in the same window does not fire again...
        eps.push(ep(2, d));
        assert!(evaluate(&rules, &eps, &live).fire.is_empty());
        // ...a fourth makes a new pair with it.
        eps.push(ep(3, d));
        let e = evaluate(&rules, &eps, &live);
        assert_eq!(e.fire.len(), 1);
        assert_eq!(e.fire[0].basis, vec![eps[2].id, eps[3].id]);
        // And evaluating again changes nothing.
        apply(&mut live, &rules, &e);
        assert_eq!(evaluate(&rules, &eps, &live), Evaluation::default());
    }

    #[test]
    fn three_in_ninety_days_fires_on_the_third() {
        let d = DistrictId::new();
        let rules = [rule(REPEAT)];
        let eps = vec![ep(0, d), ep(45, d), ep(91, d), ep(100, d)];
        let e = evaluate(&rules, &eps, &[]);
        // 0, 45, 91: 0 is outside 91's window; 45, 91, 100 are inside 100's.
        assert_eq!(e.fire.len(), 1);
        assert_eq!(e.fire[0].anchor, eps[3].id);
        assert_eq!(e.fire[0].basis.len(), 3);
    }

    #[test]
    fn a_cancelled_basis_episode_withdraws_the_trigger_and_others_may_replace_it() {
        let d = DistrictId::new();
        let rules = [rule(SUDDEN)];
        let mut eps = vec![ep(0, d), ep(1, d), ep(3, d)];
        let mut live = Vec::new();
        let e = evaluate(&rules, &eps, &live);
        apply(&mut live, &rules, &e);
        assert_eq!(live[0].basis, vec![eps[0].id, eps[1].id]);
        // Episode 1 is cancelled: it no longer counts.
        eps.remove(1);
        let e = evaluate(&rules, &eps, &live);
        assert_eq!(
            e.withdraw,
            vec![Withdrawal {
                trigger_id: live[0].id,
                reason: BASIS_GONE
            }]
        );
        assert_eq!(e.fire.len(), 1);
        assert_eq!(e.fire[0].basis, vec![eps[0].id, eps[1].id]);
    }

    #[test]
    fn a_closed_trigger_is_never_withdrawn_and_keeps_its_remaining_episodes() {
        let d = DistrictId::new();
        let rules = [rule(SUDDEN)];
        let mut eps = vec![ep(0, d), ep(1, d), ep(2, d)];
        let mut live = Vec::new();
        let e = evaluate(&rules, &eps, &live);
        apply(&mut live, &rules, &e);
        live[0].status = TriggerStatus::Closed;
        eps.remove(1);
        // Day 0 stays with the closed trigger: day 2 alone fires nothing.
        assert_eq!(evaluate(&rules, &eps, &live), Evaluation::default());
        // A new episode pairs with day 2.
        eps.push(ep(3, d));
        let e = evaluate(&rules, &eps, &live);
        assert!(e.withdraw.is_empty());
        assert_eq!(e.fire.len(), 1);
        assert_eq!(e.fire[0].basis, vec![eps[1].id, eps[2].id]);
    }

    #[test]
    fn a_merge_combines_episodes_and_the_duplicates_triggers_lose_their_basis() {
        let d = DistrictId::new();
        let rules = [rule(SUDDEN), rule(Condition::FirstTimeChild)];
        // Survivor and duplicate: one episode each, two days apart.
        let survivor = vec![ep(0, d)];
        let duplicate = vec![ep(2, d)];
        let mut survivor_live = Vec::new();
        apply(
            &mut survivor_live,
            &rules,
            &evaluate(&rules, &survivor, &[]),
        );
        let mut duplicate_live = Vec::new();
        apply(
            &mut duplicate_live,
            &rules,
            &evaluate(&rules, &duplicate, &[]),
        );
        assert_eq!((survivor_live.len(), duplicate_live.len()), (1, 1));

        // After the merge the duplicate has no episodes: its first-time trigger goes.
        let e = evaluate(&rules, &[], &duplicate_live);
        assert_eq!(e.withdraw.len(), 1);
        assert!(e.fire.is_empty());
        // The survivor now has both: the pair fires; its own first-time trigger stays.
        let merged: Vec<_> = survivor.iter().chain(&duplicate).cloned().collect();
        let e = evaluate(&rules, &merged, &survivor_live);
        assert!(e.withdraw.is_empty());
        assert_eq!(e.fire.len(), 1);
        assert_eq!(e.fire[0].rule_id, rules[0].id);
        assert_eq!(e.fire[0].basis.len(), 2);

        // Undone: the survivor's pair loses its basis again.
        apply(&mut survivor_live, &rules, &e);
        let e = evaluate(&rules, &survivor, &survivor_live);
        assert_eq!(e.withdraw.len(), 1);
        assert_eq!(e.withdraw[0].reason, BASIS_GONE);
    }

    #[test]
    fn disabled_and_other_district_rules_do_not_fire() {
        let (leeds, bradford) = (DistrictId::new(), DistrictId::new());
        let mut off = rule(Condition::HighRisk);
        off.enabled = false;
        let mut bradford_only = rule(Condition::HighRisk);
        bradford_only.district_id = Some(bradford);
        let high = CountedEpisode {
            ever_high: true,
            ..ep(0, leeds)
        };
        assert!(evaluate(
            &[off, bradford_only.clone()],
            std::slice::from_ref(&high),
            &[]
        )
        .fire
        .is_empty());
        let in_bradford = CountedEpisode {
            district_id: bradford,
            ..high
        };
        assert_eq!(
            evaluate(&[bradford_only], &[in_bradford], &[]).fire.len(),
            1
        );
    }

    #[test]
    fn district_rules_count_only_their_districts_episodes() {
        let (leeds, bradford) = (DistrictId::new(), DistrictId::new());
        let mut r = rule(SUDDEN);
        r.district_id = Some(leeds);
        let eps = vec![ep(0, bradford), ep(1, leeds)];
        assert!(evaluate(&[r.clone()], &eps, &[]).fire.is_empty());
        let force_wide = rule(SUDDEN);
        assert_eq!(evaluate(&[force_wide], &eps, &[]).fire.len(), 1);
    }

    #[test]
    fn out_of_area_and_high_risk_fire_once_per_episode() {
        let d = DistrictId::new();
        let rules = [
            rule(Condition::OutOfAreaPlacement),
            rule(Condition::HighRisk),
        ];
        let eps = vec![
            CountedEpisode {
                out_of_area: true,
                ..ep(0, d)
            },
            CountedEpisode {
                ever_high: true,
                out_of_area: true,
                ..ep(1, d)
            },
            ep(2, d),
        ];
        let mut live = Vec::new();
        let e = evaluate(&rules, &eps, &live);
        assert_eq!(e.fire.len(), 3);
        apply(&mut live, &rules, &e);
        assert_eq!(evaluate(&rules, &eps, &live), Evaluation::default());
    }

    #[test]
    fn thresholds_belong_only_to_episodes_within_rules() {
        assert_eq!(
            Condition::from_parts(RuleKind::EpisodesWithin, Some(3), Some(90)),
            Ok(REPEAT)
        );
        assert!(Condition::from_parts(RuleKind::EpisodesWithin, Some(1), Some(90)).is_err());
        assert!(Condition::from_parts(RuleKind::EpisodesWithin, Some(3), None).is_err());
        assert!(Condition::from_parts(RuleKind::HighRisk, Some(3), None).is_err());
        assert_eq!(
            Condition::from_parts(RuleKind::HighRisk, None, None),
            Ok(Condition::HighRisk)
        );
    }

    #[test]
    fn triggers_move_forward_only_and_close_after_a_plan() {
        use TriggerStatus::*;
        assert!(check_transition(Open, Acknowledged).is_ok());
        assert!(check_transition(Acknowledged, PlanRecorded).is_ok());
        assert!(check_transition(PlanRecorded, PlanRecorded).is_ok());
        assert!(check_transition(PlanRecorded, Closed).is_ok());
        assert_eq!(check_transition(Open, Closed), Err(&[Acknowledged][..]));
        assert_eq!(
            check_transition(Acknowledged, Closed),
            Err(&[PlanRecorded][..])
        );
        assert!(check_transition(Closed, Acknowledged)
            .unwrap_err()
            .is_empty());
        assert!(check_transition(Open, Withdrawn).is_err());
    }
}
