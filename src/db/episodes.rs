//! Queries on `episodes`, their risk gradings and their reference counters.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use super::schema::{
    episode_returns, episode_transfers, episodes, prevention_interviews, return_home_interviews,
    risk_gradings, supervisor_reviews,
};
use super::Conn;
use crate::db::cached;
use crate::domain::episodes::{
    EpisodeStatus, InterviewMode, Marker, MissingFrom, ReportedBy, ReturnHow, RiskLevel,
};
use crate::domain::national::NationalKind;
use crate::domain::overlaps::Span;
use crate::ids::{DistrictId, EpisodeId, PersonId, PlacementId, RiskGradingId, UserId};

#[derive(Queryable, Selectable, Debug, Clone, Serialize, ToSchema)]
#[diesel(table_name = episodes)]
#[schema(as = EpisodeSummary)]
pub struct EpisodeRow {
    pub id: EpisodeId,
    #[schema(example = "LDS-2026-000123")]
    pub reference: String,
    pub person_id: PersonId,
    pub district_id: DistrictId,
    pub status: EpisodeStatus,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub reported_at: DateTime<Utc>,
    pub reported_by: ReportedBy,
    pub reporter_details: String,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub last_seen_at: DateTime<Utc>,
    pub last_seen_location: String,
    pub missing_from: MissingFrom,
    pub circumstances: String,
    pub risk_level: RiskLevel,
    pub cancelled_reason: Option<String>,
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<UserId>,
    /// Why no prevention interview was possible, when closed without one.
    pub no_interview_reason: Option<String>,
    /// When the next supervisor review is due (`null` once the episode is not open).
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub next_review_due: Option<DateTime<Utc>>,
    /// The placement a looked-after child went missing from.
    pub placement_id: Option<PlacementId>,
    /// A looked-after child when reported.
    pub looked_after: bool,
    pub version: i32,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub ukmpu_notified_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub ukmpu_notified_by: Option<UserId>,
    #[serde(skip)]
    pub ukmpu_reference: Option<String>,
    #[serde(skip)]
    pub pnc_recorded_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub pnc_recorded_by: Option<UserId>,
    #[serde(skip)]
    pub pnc_reference: Option<String>,
}

impl EpisodeRow {
    /// When the national notification of `kind` was done, by whom, and its reference.
    pub fn national(&self, kind: NationalKind) -> Option<(DateTime<Utc>, UserId, &str)> {
        let (at, by, reference) = match kind {
            NationalKind::Ukmpu => (
                self.ukmpu_notified_at,
                self.ukmpu_notified_by,
                &self.ukmpu_reference,
            ),
            NationalKind::Pnc => (
                self.pnc_recorded_at,
                self.pnc_recorded_by,
                &self.pnc_reference,
            ),
        };
        Some((at?, by?, reference.as_deref()?))
    }
}

/// Records that the national notification of `kind` was done; `None` if the episode is
/// not at `expected_version` or it was already recorded.
pub async fn record_national(
    conn: &mut Conn,
    id: EpisodeId,
    expected_version: i32,
    kind: NationalKind,
    (at, by, reference): (DateTime<Utc>, UserId, &str),
) -> QueryResult<Option<EpisodeRow>> {
    let target = episodes::table
        .filter(episodes::id.eq(id))
        .filter(episodes::version.eq(expected_version));
    let bump = (
        episodes::version.eq(episodes::version + 1),
        episodes::updated_at.eq(diesel::dsl::now),
    );
    match kind {
        NationalKind::Ukmpu => {
            cached(
                diesel::update(target.filter(episodes::ukmpu_notified_at.is_null()))
                    .set((
                        episodes::ukmpu_notified_at.eq(at),
                        episodes::ukmpu_notified_by.eq(by),
                        episodes::ukmpu_reference.eq(reference),
                        bump,
                    ))
                    .returning(EpisodeRow::as_returning()),
            )
            .get_result(conn)
            .await
        }
        NationalKind::Pnc => {
            cached(
                diesel::update(target.filter(episodes::pnc_recorded_at.is_null()))
                    .set((
                        episodes::pnc_recorded_at.eq(at),
                        episodes::pnc_recorded_by.eq(by),
                        episodes::pnc_reference.eq(reference),
                        bump,
                    ))
                    .returning(EpisodeRow::as_returning()),
            )
            .get_result(conn)
            .await
        }
    }
    .optional()
}

#[derive(Insertable, Debug)]
#[diesel(table_name = episodes)]
pub struct NewEpisode {
    pub id: EpisodeId,
    pub person_id: PersonId,
    pub district_id: DistrictId,
    pub status: EpisodeStatus,
    pub reported_at: DateTime<Utc>,
    pub reported_by: ReportedBy,
    pub reporter_details: String,
    pub last_seen_at: DateTime<Utc>,
    pub last_seen_location: String,
    pub missing_from: MissingFrom,
    pub circumstances: String,
    pub risk_level: RiskLevel,
    pub next_review_due: Option<DateTime<Utc>>,
    pub placement_id: Option<PlacementId>,
    pub looked_after: bool,
    pub created_by: UserId,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone, Serialize, ToSchema)]
#[diesel(table_name = risk_gradings)]
#[schema(as = RiskGradingResponse)]
pub struct RiskGradingRow {
    pub id: RiskGradingId,
    #[serde(skip)]
    pub episode_id: EpisodeId,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub graded_at: DateTime<Utc>,
    pub graded_by: UserId,
    /// `null` for the first grading.
    pub from_level: Option<RiskLevel>,
    pub to_level: RiskLevel,
    pub rationale: String,
    pub information: String,
    /// The grader's role at the time (`null` for gradings recorded before it was kept).
    pub grader_role: Option<crate::domain::accounts::Role>,
}

/// Inserts a report without its reference number, which [`take_reference`] gives it
/// just before the transaction ends (a deferred check refuses a commit without one).
pub async fn insert(mut conn: &Conn, new: &NewEpisode) -> QueryResult<EpisodeId> {
    cached(
        diesel::insert_into(episodes::table)
            .values(new)
            .returning(episodes::id),
    )
    .get_result(&mut conn)
    .await
}

diesel::define_sql_function! {
    /// The district's next reference number for the year, formatted (migration
    /// 2026-12-04-000003); locks the district's counter row until the transaction ends.
    fn hw_episode_take_reference(district: diesel::sql_types::Uuid, year: diesel::sql_types::Integer) -> diesel::sql_types::Text;
}

/// Gives a report its reference: its district's next number for `year`, taken and set in
/// one statement. The counter row stays locked until the transaction ends, so a
/// district's reports wait on each other from here to their commit: call it last.
pub async fn take_reference(conn: &Conn, id: EpisodeId, year: i32) -> QueryResult<EpisodeRow> {
    let mut on: &Conn = conn;
    cached(
        diesel::update(episodes::table.find(id))
            .set(episodes::reference.eq(hw_episode_take_reference(episodes::district_id, year)))
            .returning(EpisodeRow::as_returning()),
    )
    .get_result(&mut on)
    .await
}

pub async fn find(conn: &mut Conn, id: EpisodeId) -> QueryResult<Option<EpisodeRow>> {
    episodes::table
        .find(id)
        .select(EpisodeRow::as_select())
        .first(conn)
        .await
        .optional()
}

#[derive(Debug, Default, Clone)]
pub struct EpisodeFilter {
    pub status: Option<EpisodeStatus>,
    pub district_id: Option<DistrictId>,
    pub risk_level: Option<RiskLevel>,
    pub person_id: Option<PersonId>,
    pub missing_from: Option<MissingFrom>,
    pub reported_from: Option<DateTime<Utc>>,
    pub reported_to: Option<DateTime<Utc>>,
    /// `Some(true)`: children only (under 18 when the episode started); `Some(false)`:
    /// adults only. Persons with no recorded date of birth match neither.
    pub child: Option<bool>,
    /// Looked-after child when reported (or not).
    pub looked_after: Option<bool>,
    /// Open, graded high, and no supervisor review since the latest grading.
    pub awaiting_confirmation: bool,
    /// The episode's reference, exactly.
    pub reference: Option<String>,
    /// Open episodes whose national notification of a kind is outstanding (and, for
    /// `overdue`, past its deadline).
    pub national: Vec<NationalDue>,
    /// Keyset cursor: the last row of the previous page (newest first).
    pub before: Option<(DateTime<Utc>, EpisodeId)>,
}

/// An outstanding national notification, as a list filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NationalDue {
    pub kind: NationalKind,
    /// Only those past the deadline.
    pub overdue: bool,
    /// Reported before this (the deadline's cut-off, set from the force's policy for
    /// `overdue`).
    pub reported_before: Option<DateTime<Utc>>,
}

/// Newest report first; ties broken by id, so the order is total and pages are stable.
pub async fn list(conn: &Conn, f: &EpisodeFilter, limit: i64) -> QueryResult<Vec<EpisodeRow>> {
    let mut q = episodes::table
        .select(EpisodeRow::as_select())
        .order((episodes::reported_at.desc(), episodes::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(s) = f.status {
        q = q.filter(episodes::status.eq(s));
    }
    if let Some(d) = f.district_id {
        q = q.filter(episodes::district_id.eq(d));
    }
    if let Some(r) = f.risk_level {
        q = q.filter(episodes::risk_level.eq(r));
    }
    if let Some(p) = f.person_id {
        q = q.filter(episodes::person_id.eq(p));
    }
    if let Some(m) = f.missing_from {
        q = q.filter(episodes::missing_from.eq(m));
    }
    if let Some(from) = f.reported_from {
        q = q.filter(episodes::reported_at.ge(from));
    }
    if let Some(to) = f.reported_to {
        q = q.filter(episodes::reported_at.lt(to));
    }
    if let Some(child) = f.child {
        // Under 18 at the start: born after the start date less 18 years.
        let cmp = if child { ">" } else { "<=" };
        q = q.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
            "EXISTS (SELECT 1 FROM persons p WHERE p.id = episodes.person_id AND p.date_of_birth {cmp} \
             (hw_local_date(episodes.reported_at) - interval '18 years')::date)"
        )));
    }
    if let Some(lac) = f.looked_after {
        q = q.filter(episodes::looked_after.eq(lac));
    }
    if f.awaiting_confirmation {
        q = q
            .filter(episodes::risk_level.eq(RiskLevel::High))
            .filter(episodes::status.eq_any([EpisodeStatus::Reported, EpisodeStatus::Active]))
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                // Neither graded high by a supervisor (its own confirmation) nor reviewed
                // by one since the latest grading.
                "NOT EXISTS (SELECT 1 FROM supervisor_reviews r WHERE r.episode_id = episodes.id \
                 AND r.reviewed_at >= (SELECT max(g.graded_at) FROM risk_gradings g \
                 WHERE g.episode_id = episodes.id)) \
                 AND (SELECT g.grader_role FROM risk_gradings g WHERE g.episode_id = episodes.id \
                 ORDER BY g.graded_at DESC LIMIT 1) IS DISTINCT FROM 'supervisor'",
            ));
    }
    if let Some(r) = &f.reference {
        q = q.filter(episodes::reference.eq(r.clone()));
    }
    for n in &f.national {
        q = q.filter(episodes::status.eq_any([EpisodeStatus::Reported, EpisodeStatus::Active]));
        q = match n.kind {
            NationalKind::Ukmpu => q.filter(episodes::ukmpu_notified_at.is_null()),
            NationalKind::Pnc => q.filter(episodes::pnc_recorded_at.is_null()),
        };
        if let Some(cut) = n.reported_before {
            q = q.filter(episodes::reported_at.lt(cut));
        }
    }
    if let Some((at, id)) = f.before {
        q = q.filter(
            episodes::reported_at
                .lt(at)
                .or(episodes::reported_at.eq(at).and(episodes::id.lt(id))),
        );
    }
    let mut on: &Conn = conn;
    q.load(&mut on).await
}

/// [`list`] planned once for any parameters (`crate::db::plan_generically`): the setting
/// and the list sent together, the setting first.
pub async fn list_planned_generically(
    conn: &Conn,
    f: &EpisodeFilter,
    limit: i64,
) -> QueryResult<Vec<EpisodeRow>> {
    let (_, rows) =
        futures_util::future::try_join(crate::db::plan_generically(conn), list(conn, f, limit))
            .await?;
    Ok(rows)
}

/// Moves the episode to `status` if it is still at `expected_version`.
pub async fn set_status(
    conn: &mut Conn,
    id: EpisodeId,
    expected_version: i32,
    status: EpisodeStatus,
    cancelled_reason: Option<&str>,
) -> QueryResult<Option<EpisodeRow>> {
    update_versioned!(
        conn,
        episodes,
        id,
        expected_version,
        EpisodeRow,
        episodes::status.eq(status),
        episodes::cancelled_reason.eq(cancelled_reason)
    )
}

/// Records a grading and makes it the episode's current risk, if still at `expected_version`.
pub async fn regrade(
    conn: &mut Conn,
    expected_version: i32,
    grading: &RiskGradingRow,
    next_review_due: DateTime<Utc>,
) -> QueryResult<Option<EpisodeRow>> {
    let updated = update_versioned!(
        conn,
        episodes,
        grading.episode_id,
        expected_version,
        EpisodeRow,
        episodes::risk_level.eq(grading.to_level),
        episodes::next_review_due.eq(next_review_due)
    )?;
    if updated.is_some() {
        insert_grading(conn, grading).await?;
    }
    Ok(updated)
}

pub async fn insert_grading(mut conn: &Conn, grading: &RiskGradingRow) -> QueryResult<()> {
    cached(diesel::insert_into(risk_gradings::table).values(grading))
        .execute(&mut conn)
        .await
        .map(|_| ())
}

pub async fn gradings(mut conn: &Conn, episode: EpisodeId) -> QueryResult<Vec<RiskGradingRow>> {
    risk_gradings::table
        .filter(risk_gradings::episode_id.eq(episode))
        .select(RiskGradingRow::as_select())
        .order((risk_gradings::graded_at, risk_gradings::id))
        .load(&mut conn)
        .await
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = episode_returns)]
pub struct ReturnRow {
    pub episode_id: EpisodeId,
    pub returned_at: DateTime<Utc>,
    pub location: String,
    pub how: ReturnHow,
    pub found_by: String,
    pub harm_suffered: bool,
    pub harm_details: String,
    pub markers_seen: Vec<Marker>,
    pub recorded_by: UserId,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = prevention_interviews)]
pub struct InterviewRow {
    pub episode_id: EpisodeId,
    pub conducted_at: DateTime<Utc>,
    pub conducted_by: String,
    pub mode: InterviewMode,
    pub disclosures: String,
    pub referrals_made: String,
    pub recorded_by: UserId,
}

pub async fn insert_return(conn: &mut Conn, r: &ReturnRow) -> QueryResult<()> {
    cached(diesel::insert_into(episode_returns::table).values(r))
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn find_return(mut conn: &Conn, episode: EpisodeId) -> QueryResult<Option<ReturnRow>> {
    episode_returns::table
        .find(episode)
        .select(ReturnRow::as_select())
        .first(&mut conn)
        .await
        .optional()
}

pub async fn insert_interview(conn: &mut Conn, i: &InterviewRow) -> QueryResult<()> {
    cached(diesel::insert_into(prevention_interviews::table).values(i))
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn find_interview(
    mut conn: &Conn,
    episode: EpisodeId,
) -> QueryResult<Option<InterviewRow>> {
    prevention_interviews::table
        .find(episode)
        .select(InterviewRow::as_select())
        .first(&mut conn)
        .await
        .optional()
}

/// Bumps the episode's version (a record hanging off it changed), if still at `expected_version`.
pub async fn touch(
    conn: &mut Conn,
    id: EpisodeId,
    expected_version: i32,
) -> QueryResult<Option<EpisodeRow>> {
    update_versioned!(conn, episodes, id, expected_version, EpisodeRow)
}

/// Closes the episode if still at `expected_version`.
pub async fn close(
    conn: &mut Conn,
    id: EpisodeId,
    expected_version: i32,
    by: UserId,
    no_interview_reason: Option<&str>,
) -> QueryResult<Option<EpisodeRow>> {
    update_versioned!(
        conn,
        episodes,
        id,
        expected_version,
        EpisodeRow,
        episodes::status.eq(EpisodeStatus::Closed),
        episodes::closed_at.eq(diesel::dsl::now),
        episodes::closed_by.eq(by),
        episodes::no_interview_reason.eq(no_interview_reason)
    )
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = supervisor_reviews)]
pub struct ReviewRow {
    pub id: crate::ids::ReviewId,
    pub episode_id: EpisodeId,
    pub reviewed_at: DateTime<Utc>,
    pub reviewed_by: UserId,
    pub risk_level: RiskLevel,
    pub outcome: String,
    pub next_due_at: DateTime<Utc>,
}

/// Records a review and moves the episode's next due time, if still at `expected_version`.
pub async fn insert_review(
    conn: &mut Conn,
    expected_version: i32,
    review: &ReviewRow,
) -> QueryResult<Option<EpisodeRow>> {
    let updated = update_versioned!(
        conn,
        episodes,
        review.episode_id,
        expected_version,
        EpisodeRow,
        episodes::next_review_due.eq(review.next_due_at)
    )?;
    if updated.is_some() {
        cached(diesel::insert_into(supervisor_reviews::table).values(review))
            .execute(conn)
            .await?;
    }
    Ok(updated)
}

pub async fn reviews(mut conn: &Conn, episode: EpisodeId) -> QueryResult<Vec<ReviewRow>> {
    supervisor_reviews::table
        .filter(supervisor_reviews::episode_id.eq(episode))
        .select(ReviewRow::as_select())
        .order((supervisor_reviews::reviewed_at, supervisor_reviews::id))
        .load(&mut conn)
        .await
}

/// Stops scheduling reviews (the episode is no longer open).
pub async fn clear_review_due(conn: &mut Conn, id: EpisodeId) -> QueryResult<EpisodeRow> {
    cached(
        diesel::update(episodes::table.find(id))
            .set(episodes::next_review_due.eq(None::<DateTime<Utc>>))
            .returning(EpisodeRow::as_returning()),
    )
    .get_result(conn)
    .await
}

/// Open episodes whose review is due before `due_before`, soonest first.
pub async fn reviews_due(
    conn: &mut Conn,
    due_before: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<EpisodeRow>> {
    episodes::table
        .filter(episodes::next_review_due.lt(due_before))
        .select(EpisodeRow::as_select())
        .order((episodes::next_review_due, episodes::id))
        .limit(limit)
        .load(conn)
        .await
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = return_home_interviews)]
pub struct RhiRow {
    pub episode_id: EpisodeId,
    pub due_at: DateTime<Utc>,
    pub provider_agency_id: Option<crate::ids::AgencyId>,
    pub status: crate::domain::return_interviews::RhiStatus,
    pub status_reason: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub updated_by: UserId,
}

pub async fn insert_rhi(conn: &mut Conn, r: &RhiRow) -> QueryResult<()> {
    cached(diesel::insert_into(return_home_interviews::table).values(r))
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn find_rhi(mut conn: &Conn, episode: EpisodeId) -> QueryResult<Option<RhiRow>> {
    return_home_interviews::table
        .find(episode)
        .select(RhiRow::as_select())
        .first(&mut conn)
        .await
        .optional()
}

/// Saves the interview's progress (the caller bumps the episode's version).
/// Moves the interview on from `from`; false if its status has changed meanwhile.
pub async fn update_rhi(
    conn: &mut Conn,
    r: &RhiRow,
    from: crate::domain::return_interviews::RhiStatus,
) -> QueryResult<bool> {
    cached(
        diesel::update(
            return_home_interviews::table
                .find(r.episode_id)
                .filter(return_home_interviews::status.eq(from)),
        )
        .set((
            return_home_interviews::provider_agency_id.eq(r.provider_agency_id),
            return_home_interviews::status.eq(r.status),
            return_home_interviews::status_reason.eq(&r.status_reason),
            return_home_interviews::completed_at.eq(r.completed_at),
            return_home_interviews::updated_by.eq(r.updated_by),
            return_home_interviews::updated_at.eq(diesel::dsl::now),
        )),
    )
    .execute(conn)
    .await
    .map(|n| n == 1)
}

#[derive(diesel::QueryableByName)]
struct NewVersion {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
    version: Option<i32>,
}

/// The interview provider's partner moves the episode's version on (they cannot update
/// episodes otherwise); `None` when it is no longer at `expected_version`.
pub async fn touch_by_provider(
    conn: &mut Conn,
    id: EpisodeId,
    expected_version: i32,
) -> QueryResult<Option<i32>> {
    cached(
        diesel::sql_query("SELECT hw_episode_touch_by_provider($1, $2) AS version")
            .bind::<diesel::sql_types::Uuid, _>(id)
            .bind::<diesel::sql_types::Integer, _>(expected_version),
    )
    .get_result::<NewVersion>(conn)
    .await
    .map(|v| v.version)
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = episode_transfers)]
pub struct TransferRow {
    pub id: crate::ids::TransferId,
    pub episode_id: EpisodeId,
    pub from_district_id: DistrictId,
    pub to_district_id: DistrictId,
    pub reason: String,
    pub transferred_by: UserId,
    pub transferred_at: DateTime<Utc>,
}

/// Records the transfer and moves the episode, if still at `expected_version`.
pub async fn transfer(
    conn: &mut Conn,
    expected_version: i32,
    t: &TransferRow,
) -> QueryResult<Option<EpisodeRow>> {
    cached(diesel::insert_into(episode_transfers::table).values(t))
        .execute(conn)
        .await?;
    update_versioned!(
        conn,
        episodes,
        t.episode_id,
        expected_version,
        EpisodeRow,
        episodes::district_id.eq(t.to_district_id)
    )
}

pub async fn transfers(mut conn: &Conn, episode: EpisodeId) -> QueryResult<Vec<TransferRow>> {
    episode_transfers::table
        .filter(episode_transfers::episode_id.eq(episode))
        .select(TransferRow::as_select())
        .order((episode_transfers::transferred_at, episode_transfers::id))
        .load(&mut conn)
        .await
}

/// Everything recorded against an episode, besides the row itself.
#[derive(Debug, Clone)]
pub struct EpisodeParts {
    /// Risk gradings, oldest first.
    pub gradings: Vec<RiskGradingRow>,
    pub returned: Option<ReturnRow>,
    pub interview: Option<InterviewRow>,
    /// Supervisor reviews, oldest first.
    pub reviews: Vec<ReviewRow>,
    /// The return home interview (children, once returned).
    pub rhi: Option<RhiRow>,
    /// District transfers, oldest first.
    pub transfers: Vec<TransferRow>,
}

/// The episode and its six parts, all sent together on the one connection (pipelined: one
/// round trip instead of two), in the caller's transaction; `None` if the caller may not
/// see the episode (its parts' policies hide them too, so nothing is read that is not
/// shown). Reads only, so their order on the wire does not matter.
pub async fn find_with_parts(
    conn: &Conn,
    id: EpisodeId,
) -> QueryResult<Option<(EpisodeRow, EpisodeParts)>> {
    let mut on: &Conn = conn;
    let found = async move {
        episodes::table
            .find(id)
            .select(EpisodeRow::as_select())
            .first(&mut on)
            .await
            .optional()
    };
    let (row, parts) = futures_util::future::try_join(found, parts(conn, id)).await?;
    Ok(row.map(|r| (r, parts)))
}

/// The six reads of [`EpisodeParts`], sent together on the one connection (pipelined:
/// one round trip instead of six), in the caller's transaction.
pub async fn parts(conn: &Conn, episode: EpisodeId) -> QueryResult<EpisodeParts> {
    use futures_util::future::{try_join, try_join3};
    let ((gradings, returned, interview), (reviews, rhi, transfers)) = try_join(
        try_join3(
            gradings(conn, episode),
            find_return(conn, episode),
            find_interview(conn, episode),
        ),
        try_join3(
            reviews(conn, episode),
            find_rhi(conn, episode),
            transfers(conn, episode),
        ),
    )
    .await?;
    Ok(EpisodeParts {
        gradings,
        returned,
        interview,
        reviews,
        rhi,
        transfers,
    })
}

#[derive(QueryableByName)]
struct SpanRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: EpisodeId,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    reference: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    district_id: DistrictId,
    #[diesel(sql_type = diesel::sql_types::Text)]
    status: EpisodeStatus,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    last_seen_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    returned_at: Option<DateTime<Utc>>,
}

/// Every episode of the person that counts (not cancelled), whichever district holds
/// it (`hw_person_episode_spans`, for the operational roles): the overlap rules need them
/// all, and a clash names the episode to update instead.
pub async fn spans(mut conn: &Conn, person: PersonId) -> QueryResult<Vec<Span>> {
    let rows: Vec<SpanRow> = cached(
        diesel::sql_query(
            "SELECT id, reference, district_id, status, last_seen_at, returned_at \
               FROM hw_person_episode_spans($1)",
        )
        .bind::<diesel::sql_types::Uuid, _>(person),
    )
    .load(&mut conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Span {
            id: r.id,
            reference: r.reference.unwrap_or_default(),
            district_id: r.district_id,
            status: r.status,
            last_seen_at: r.last_seen_at,
            returned_at: r.returned_at,
        })
        .collect())
}

/// Children's return home interviews not yet finished (pending, offered or accepted),
/// with their episodes, soonest due first.
pub async fn rhi_outstanding(
    conn: &mut Conn,
    limit: i64,
) -> QueryResult<Vec<(RhiRow, EpisodeRow)>> {
    use crate::domain::return_interviews::RhiStatus;
    return_home_interviews::table
        .inner_join(episodes::table)
        .filter(return_home_interviews::status.eq_any([
            RhiStatus::Pending,
            RhiStatus::Offered,
            RhiStatus::Accepted,
        ]))
        .select((RhiRow::as_select(), EpisodeRow::as_select()))
        .order((
            return_home_interviews::due_at,
            return_home_interviews::episode_id,
        ))
        .limit(limit)
        .load(conn)
        .await
}
