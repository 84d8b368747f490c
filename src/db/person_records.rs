//! Queries on what hangs off a person: markers, placements, protocol profiles, merges,
//! and the local authorities placements refer to.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use super::schema::{
    local_authorities, person_markers, person_merge_moves, person_merges, placements,
    protocol_profiles,
};
use super::Conn;
use crate::db::cached;
use crate::domain::person_records::{MarkerKind, PlacementKind, Protocol, Span};
use crate::ids::{MarkerId, MergeId, PersonId, PlacementId, ProtocolProfileId, UserId};

// Local authorities ----------------------------------------------------------------

pub async fn local_authorities(conn: &mut Conn) -> QueryResult<Vec<(String, String)>> {
    local_authorities::table
        .select((local_authorities::code, local_authorities::name))
        .order(local_authorities::name)
        .load(conn)
        .await
}

pub async fn local_authority_exists(conn: &mut Conn, code: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        local_authorities::table.filter(local_authorities::code.eq(code)),
    ))
    .get_result(conn)
    .await
}

// Markers ------------------------------------------------------------------------------

#[derive(Queryable, Selectable, Insertable, Debug, Clone, Serialize, ToSchema)]
#[diesel(table_name = person_markers)]
#[schema(as = MarkerRecord)]
pub struct MarkerRow {
    pub id: MarkerId,
    #[serde(skip)]
    pub person_id: PersonId,
    pub kind: MarkerKind,
    #[schema(example = "Leeds Children's Social Care strategy meeting")]
    pub source: String,
    pub details: String,
    pub review_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub ended_reason: Option<String>,
    pub version: i32,
    pub recorded_by: UserId,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub recorded_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub updated_at: DateTime<Utc>,
}

/// A partial change; ending sets both `ended_on` and `ended_reason`.
#[derive(AsChangeset, Debug, Default)]
#[diesel(table_name = person_markers)]
pub struct MarkerChanges {
    pub source: Option<String>,
    pub details: Option<String>,
    pub review_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub ended_reason: Option<String>,
}

pub async fn insert_marker(conn: &mut Conn, m: &MarkerRow) -> QueryResult<MarkerRow> {
    cached(
        diesel::insert_into(person_markers::table)
            .values(m)
            .returning(MarkerRow::as_returning()),
    )
    .get_result(conn)
    .await
}

pub async fn find_marker(
    conn: &mut Conn,
    person: PersonId,
    id: MarkerId,
) -> QueryResult<Option<MarkerRow>> {
    person_markers::table
        .filter(person_markers::id.eq(id))
        .filter(person_markers::person_id.eq(person))
        .select(MarkerRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Live markers first, then ended ones; each group oldest first.
pub async fn markers(conn: &mut Conn, person: PersonId) -> QueryResult<Vec<MarkerRow>> {
    person_markers::table
        .filter(person_markers::person_id.eq(person))
        .select(MarkerRow::as_select())
        .order((
            person_markers::ended_on.is_not_null(),
            person_markers::recorded_at,
            person_markers::id,
        ))
        .load(conn)
        .await
}

/// `None` when the marker changed since `expected_version`.
pub async fn update_marker(
    conn: &mut Conn,
    id: MarkerId,
    expected_version: i32,
    changes: &MarkerChanges,
) -> QueryResult<Option<MarkerRow>> {
    update_versioned!(
        conn,
        person_markers,
        id,
        expected_version,
        MarkerRow,
        changes
    )
}

// Placements ---------------------------------------------------------------------------

#[derive(Queryable, Selectable, Debug, Clone, Serialize, ToSchema)]
#[diesel(table_name = placements)]
#[schema(as = PlacementRecord)]
pub struct PlacementRow {
    pub id: PlacementId,
    #[serde(skip)]
    pub person_id: PersonId,
    pub kind: PlacementKind,
    pub provider: String,
    /// Local authority code (see `GET /api/v1/reference`).
    #[schema(example = "E08000016")]
    pub placing_authority: String,
    #[schema(example = "E08000035")]
    pub host_authority: String,
    /// Computed by Postgres: the placing authority is not the host.
    pub out_of_area: bool,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub version: i32,
    pub recorded_by: UserId,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub recorded_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub updated_at: DateTime<Utc>,
}

impl PlacementRow {
    pub fn span(&self) -> Span {
        Span {
            starts_on: self.starts_on,
            ends_on: self.ends_on,
        }
    }
}

#[derive(Insertable, Debug)]
#[diesel(table_name = placements)]
pub struct NewPlacement {
    pub id: PlacementId,
    pub person_id: PersonId,
    pub kind: PlacementKind,
    pub provider: String,
    pub placing_authority: String,
    pub host_authority: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub recorded_by: UserId,
}

/// A partial change; `ends_on: Some(None)` reopens the placement.
#[derive(AsChangeset, Debug, Default)]
#[diesel(table_name = placements)]
pub struct PlacementChanges {
    pub kind: Option<PlacementKind>,
    pub provider: Option<String>,
    pub placing_authority: Option<String>,
    pub host_authority: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<Option<NaiveDate>>,
}

pub async fn insert_placement(conn: &mut Conn, p: &NewPlacement) -> QueryResult<PlacementRow> {
    cached(
        diesel::insert_into(placements::table)
            .values(p)
            .returning(PlacementRow::as_returning()),
    )
    .get_result(conn)
    .await
}

/// A person's placements, latest start first.
pub async fn placements(conn: &mut Conn, person: PersonId) -> QueryResult<Vec<PlacementRow>> {
    placements::table
        .filter(placements::person_id.eq(person))
        .select(PlacementRow::as_select())
        .order((placements::starts_on.desc(), placements::id))
        .load(conn)
        .await
}

pub async fn update_placement(
    conn: &mut Conn,
    id: PlacementId,
    expected_version: i32,
    changes: &PlacementChanges,
) -> QueryResult<Option<PlacementRow>> {
    update_versioned!(
        conn,
        placements,
        id,
        expected_version,
        PlacementRow,
        changes
    )
}

// Protocol profiles ----------------------------------------------------------------

#[derive(Queryable, Selectable, Insertable, Debug, Clone, Serialize, ToSchema)]
#[diesel(table_name = protocol_profiles)]
#[schema(as = ProfileRecord)]
pub struct ProfileRow {
    pub id: ProtocolProfileId,
    pub person_id: PersonId,
    pub protocol: Protocol,
    #[schema(example = "Oakwood Children's Home")]
    pub owning_organisation: String,
    pub description: String,
    pub photo_reference: String,
    pub places: String,
    /// Philomena only.
    pub associates: Option<String>,
    /// Philomena only: phone numbers and social media.
    pub contact_details: Option<String>,
    /// Philomena only.
    pub missing_history: Option<String>,
    /// Herbert only.
    pub medication: Option<String>,
    /// Herbert only.
    pub routine: Option<String>,
    pub last_reviewed_on: NaiveDate,
    pub review_due_on: NaiveDate,
    pub version: i32,
    pub recorded_by: UserId,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub recorded_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub updated_at: DateTime<Utc>,
}

/// A profile's content: what a replacement sets (every field, `None` as NULL).
#[derive(AsChangeset, Debug)]
#[diesel(table_name = protocol_profiles, treat_none_as_null = true)]
struct ProfileContent<'a> {
    owning_organisation: &'a str,
    description: &'a str,
    photo_reference: &'a str,
    places: &'a str,
    associates: Option<&'a str>,
    contact_details: Option<&'a str>,
    missing_history: Option<&'a str>,
    medication: Option<&'a str>,
    routine: Option<&'a str>,
    last_reviewed_on: NaiveDate,
    review_due_on: NaiveDate,
    recorded_by: UserId,
}

impl<'a> From<&'a ProfileRow> for ProfileContent<'a> {
    fn from(p: &'a ProfileRow) -> Self {
        ProfileContent {
            owning_organisation: &p.owning_organisation,
            description: &p.description,
            photo_reference: &p.photo_reference,
            places: &p.places,
            associates: p.associates.as_deref(),
            contact_details: p.contact_details.as_deref(),
            missing_history: p.missing_history.as_deref(),
            medication: p.medication.as_deref(),
            routine: p.routine.as_deref(),
            last_reviewed_on: p.last_reviewed_on,
            review_due_on: p.review_due_on,
            recorded_by: p.recorded_by,
        }
    }
}

pub async fn insert_profile(conn: &mut Conn, p: &ProfileRow) -> QueryResult<ProfileRow> {
    cached(
        diesel::insert_into(protocol_profiles::table)
            .values(p)
            .returning(ProfileRow::as_returning()),
    )
    .get_result(conn)
    .await
}

/// The profiles the caller may see (see the policy: MFHCs always, other police roles
/// only while the person is missing).
pub async fn profiles(conn: &mut Conn, person: PersonId) -> QueryResult<Vec<ProfileRow>> {
    protocol_profiles::table
        .filter(protocol_profiles::person_id.eq(person))
        .select(ProfileRow::as_select())
        .order(protocol_profiles::protocol)
        .load(conn)
        .await
}

pub async fn find_profile(
    conn: &mut Conn,
    person: PersonId,
    protocol: Protocol,
) -> QueryResult<Option<ProfileRow>> {
    protocol_profiles::table
        .filter(protocol_profiles::person_id.eq(person))
        .filter(protocol_profiles::protocol.eq(protocol))
        .select(ProfileRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Replaces the profile's content (and who recorded it) if it is still at `p.version`;
/// the stored version moves on by one.
pub async fn replace_profile(conn: &mut Conn, p: &ProfileRow) -> QueryResult<Option<ProfileRow>> {
    cached(
        diesel::update(
            protocol_profiles::table
                .filter(protocol_profiles::id.eq(p.id))
                .filter(protocol_profiles::version.eq(p.version)),
        )
        .set((
            ProfileContent::from(p),
            protocol_profiles::version.eq(protocol_profiles::version + 1),
            protocol_profiles::updated_at.eq(diesel::dsl::now),
        ))
        .returning(ProfileRow::as_returning()),
    )
    .get_result(conn)
    .await
    .optional()
}

// Merges -------------------------------------------------------------------------------

#[derive(Queryable, Selectable, Debug, Clone, Serialize, ToSchema)]
#[diesel(table_name = person_merges)]
#[schema(as = MergeSummary)]
pub struct MergeRow {
    pub id: MergeId,
    pub survivor_id: PersonId,
    pub duplicate_id: PersonId,
    pub reason: String,
    /// The duplicate's names the merge added to the survivor's aliases.
    pub added_aliases: Vec<String>,
    pub merged_by: UserId,
    #[serde(serialize_with = "crate::json::timestamp")]
    pub merged_at: DateTime<Utc>,
    pub undone_by: Option<UserId>,
    #[serde(serialize_with = "crate::json::optional_timestamp")]
    pub undone_at: Option<DateTime<Utc>>,
    pub undo_reason: Option<String>,
}

#[derive(Insertable, Debug)]
#[diesel(table_name = person_merges)]
pub struct NewMerge {
    pub id: MergeId,
    pub survivor_id: PersonId,
    pub duplicate_id: PersonId,
    pub reason: String,
    pub added_aliases: Vec<String>,
    pub merged_by: UserId,
}

/// One record a merge moved: `record_type` is `episode`, `marker`, `placement` or
/// `protocol_profile`.
#[derive(QueryableByName, Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    #[diesel(sql_type = Text)]
    pub record_type: String,
    #[diesel(sql_type = SqlUuid)]
    pub record_id: uuid::Uuid,
}

pub async fn insert_merge(conn: &mut Conn, m: &NewMerge) -> QueryResult<MergeRow> {
    cached(
        diesel::insert_into(person_merges::table)
            .values(m)
            .returning(MergeRow::as_returning()),
    )
    .get_result(conn)
    .await
}

pub async fn find_merge(conn: &mut Conn, id: MergeId) -> QueryResult<Option<MergeRow>> {
    person_merges::table
        .find(id)
        .select(MergeRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Marks the merge undone; `None` if it already was.
pub async fn mark_undone(
    conn: &mut Conn,
    id: MergeId,
    by: UserId,
    reason: &str,
) -> QueryResult<Option<MergeRow>> {
    cached(
        diesel::update(
            person_merges::table
                .filter(person_merges::id.eq(id))
                .filter(person_merges::undone_at.is_null()),
        )
        .set((
            person_merges::undone_by.eq(by),
            person_merges::undone_at.eq(diesel::dsl::now),
            person_merges::undo_reason.eq(reason),
        ))
        .returning(MergeRow::as_returning()),
    )
    .get_result(conn)
    .await
    .optional()
}

/// Moves the duplicate's records to the survivor (or, `undo`, back again) through
/// `hw_person_merge_apply`, which can reach episodes outside the caller's district.
pub async fn apply_merge(conn: &mut Conn, id: MergeId, undo: bool) -> QueryResult<Vec<Moved>> {
    cached(
        diesel::sql_query("SELECT record_type, record_id FROM hw_person_merge_apply($1, $2)")
            .bind::<SqlUuid, _>(id.0)
            .bind::<Bool, _>(undo),
    )
    .load(conn)
    .await
}

/// What the merge moved, in a stable order.
pub async fn merge_moves(conn: &mut Conn, id: MergeId) -> QueryResult<Vec<Moved>> {
    person_merge_moves::table
        .filter(person_merge_moves::merge_id.eq(id))
        .select((
            person_merge_moves::record_type,
            person_merge_moves::record_id,
        ))
        .order((
            person_merge_moves::record_type,
            person_merge_moves::record_id,
        ))
        .load::<(String, uuid::Uuid)>(conn)
        .await
        .map(|rows| {
            rows.into_iter()
                .map(|(record_type, record_id)| Moved {
                    record_type,
                    record_id,
                })
                .collect()
        })
}

/// Merges in which the person took part, newest first.
pub async fn merges_of(conn: &mut Conn, person: PersonId) -> QueryResult<Vec<MergeRow>> {
    person_merges::table
        .filter(
            person_merges::survivor_id
                .eq(person)
                .or(person_merges::duplicate_id.eq(person)),
        )
        .select(MergeRow::as_select())
        .order((person_merges::merged_at.desc(), person_merges::id))
        .load(conn)
        .await
}

/// A local authority's mailbox for its looked-after children reported missing.
pub async fn authority_mailbox(conn: &mut Conn, code: &str) -> QueryResult<Option<String>> {
    Ok(local_authorities::table
        .find(code)
        .select(local_authorities::mailbox)
        .first::<Option<String>>(conn)
        .await
        .optional()?
        .flatten())
}
