//! One disappearance is one episode: a person has at most one open episode, and no
//! episode's missing period overlaps another's. An episode's period runs from when the
//! person was last seen to their return; an open one (reported or active) has no end yet.
//! Cancelled episodes (the person was never missing) count for nothing.

use chrono::{DateTime, Utc};

use super::episodes::EpisodeStatus;
use crate::ids::{DistrictId, EpisodeId};

/// An episode as the overlap rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub id: EpisodeId,
    pub reference: String,
    pub district_id: DistrictId,
    pub status: EpisodeStatus,
    pub last_seen_at: DateTime<Utc>,
    pub returned_at: Option<DateTime<Utc>>,
}

impl Span {
    pub fn is_open(&self) -> bool {
        matches!(self.status, EpisodeStatus::Reported | EpisodeStatus::Active)
    }

    /// When the missing period ended; `None` while it has not. A closed episode with no
    /// recorded return (data from before returns were kept) ends when last seen.
    fn end(&self) -> Option<DateTime<Utc>> {
        if self.is_open() {
            None
        } else {
            Some(self.returned_at.unwrap_or(self.last_seen_at))
        }
    }

    /// Whether the two missing periods share any time (touching ends do not).
    pub fn overlaps(&self, other: &Span) -> bool {
        if self.status == EpisodeStatus::Cancelled || other.status == EpisodeStatus::Cancelled {
            return false;
        }
        let before =
            |start: DateTime<Utc>, end: Option<DateTime<Utc>>| end.is_none_or(|e| start < e);
        before(self.last_seen_at, other.end()) && before(other.last_seen_at, self.end())
    }
}

/// The person's episodes a new report (last seen at `last_seen_at`, open from then on)
/// would clash with: an open one, or one whose return came after the new last sighting.
pub fn report_clashes(existing: &[Span], last_seen_at: DateTime<Utc>) -> Vec<&Span> {
    existing
        .iter()
        .filter(|s| s.status != EpisodeStatus::Cancelled)
        .filter(|s| s.is_open() || s.returned_at.is_some_and(|r| r > last_seen_at))
        .collect()
}

/// The pairs of episodes, one from each record, that merging two person records would
/// leave as overlapping episodes of one person with at least one of them open.
pub fn merge_clashes<'a>(survivor: &'a [Span], duplicate: &'a [Span]) -> Vec<(&'a Span, &'a Span)> {
    survivor
        .iter()
        .flat_map(|a| duplicate.iter().map(move |b| (a, b)))
        .filter(|(a, b)| (a.is_open() || b.is_open()) && a.overlaps(b))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn span(n: u128, status: EpisodeStatus, seen_h: i64, back_h: Option<i64>) -> Span {
        let t0 = DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        Span {
            id: EpisodeId(uuid::Uuid::from_u128(n)),
            reference: format!("LDS-2026-{n:06}"),
            district_id: DistrictId(uuid::Uuid::from_u128(99)),
            status,
            last_seen_at: t0 + Duration::hours(seen_h),
            returned_at: back_h.map(|h| t0 + Duration::hours(h)),
        }
    }

    fn at(h: i64) -> DateTime<Utc> {
        span(0, EpisodeStatus::Reported, h, None).last_seen_at
    }

    #[test]
    fn a_report_clashes_with_an_open_episode_whenever_last_seen() {
        let open = [span(1, EpisodeStatus::Active, 10, None)];
        assert_eq!(report_clashes(&open, at(20)).len(), 1);
        assert_eq!(report_clashes(&open, at(0)).len(), 1);
    }

    #[test]
    fn a_back_dated_report_clashes_with_an_episode_it_would_overlap() {
        let past = [
            span(1, EpisodeStatus::Closed, 10, Some(20)),
            span(2, EpisodeStatus::Returned, 30, Some(40)),
            span(3, EpisodeStatus::Cancelled, 50, None),
        ];
        assert!(
            report_clashes(&past, at(45)).is_empty(),
            "after every return"
        );
        assert!(
            report_clashes(&past, at(40)).is_empty(),
            "at a return: no overlap"
        );
        let ids = |v: Vec<&Span>| v.iter().map(|s| s.id).collect::<Vec<_>>();
        assert_eq!(ids(report_clashes(&past, at(35))), [past[1].id]);
        assert_eq!(ids(report_clashes(&past, at(5))), [past[0].id, past[1].id]);
    }

    #[test]
    fn merges_clash_only_where_an_open_episode_overlaps() {
        let s = [
            span(1, EpisodeStatus::Active, 100, None),
            span(2, EpisodeStatus::Closed, 0, Some(10)),
        ];
        let d_open = [span(3, EpisodeStatus::Reported, 50, None)];
        let d_before = [span(4, EpisodeStatus::Closed, 20, Some(30))];
        let d_inside = [span(5, EpisodeStatus::Returned, 110, Some(120))];
        let d_both_closed = [span(6, EpisodeStatus::Closed, 5, Some(8))];
        assert_eq!(merge_clashes(&s, &d_open).len(), 1, "two open");
        assert!(
            merge_clashes(&s, &d_before).is_empty(),
            "ended before the open one began"
        );
        assert_eq!(merge_clashes(&s, &d_inside).len(), 1, "inside the open one");
        assert!(
            merge_clashes(&s, &d_both_closed).is_empty(),
            "overlapping closed episodes are history, not a live clash"
        );
    }
}
