//! What is recorded about a person between episodes: markers, looked-after placements,
//! Philomena / Herbert protocol profiles; and merging duplicate records (reversibly).

pub use crate::db::person_records::{
    MarkerChanges, MarkerRow, MergeRow, Moved, PlacementChanges, PlacementRow, ProfileRow,
};
use chrono::{NaiveDate, Utc};

use crate::db::person_records::{self as q, NewMerge, NewPlacement};
use crate::db::persons::{self as people, PersonChanges, PersonRow};
use crate::db::Tx;
use crate::domain::accounts::Role;
use crate::domain::audit::{AuditEvent, Operation};
use crate::domain::person_records::{
    aliases_after_undo, aliases_to_add, check_child_only, check_merge, MarkerKind, MergeSide,
    PlacementKind, Protocol, Span,
};
use crate::domain::persons::search_names;
use crate::error::{expect_version, AppError, OrStale};
use crate::ids::{MarkerId, MergeId, PersonId, PlacementId, ProtocolProfileId};
use crate::services::context::Ctx;
use crate::services::triggers;

const PERSON: &str = "person";
const MARKER: &str = "marker";
const PLACEMENT: &str = "placement";
const PROFILE: &str = "protocol_profile";

/// Roles that may merge person records (and undo merges).
const MERGERS: &[Role] = &[Role::Mfhc, Role::Supervisor];

/// A person with everything recorded about them that the caller may see.
#[derive(Debug, Clone)]
pub struct PersonDetail {
    pub person: PersonRow,
    pub markers: Vec<MarkerRow>,
    /// Latest start first.
    pub placements: Vec<PlacementRow>,
    /// Only those the caller may see (MFHCs; others while the person is missing).
    pub profiles: Vec<ProfileRow>,
    /// Merges this record took part in, newest first.
    pub merges: Vec<MergeRow>,
}

#[tracing::instrument(name = "services::person_records::detail", skip_all, fields(%id))]
pub async fn detail(ctx: &Ctx, id: PersonId) -> Result<PersonDetail, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("persons", id.0).await?;
        // Partners see a person only behind a record shared with them (the database
        // decides), and of what hangs off it only the markers, when shared.
        let caller = tx.caller()?;
        if !caller.is_partner() {
            caller.require_person_access()?;
        }
        let person = people::find(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound("no such person"))?;
        let markers = q::markers(tx.conn(), id).await?;
        let placements = q::placements(tx.conn(), id).await?;
        let profiles = q::profiles(tx.conn(), id).await?;
        let merges = q::merges_of(tx.conn(), id).await?;
        tx.audit(AuditEvent::consultation(PERSON, [id.0]));
        Ok(PersonDetail {
            person,
            markers,
            placements,
            profiles,
            merges,
        })
    })
}

/// The person, locked, if it is not merged away (records go on the surviving record).
async fn live_person(tx: &mut Tx, id: PersonId) -> Result<PersonRow, AppError> {
    let person = people::find_for_update(tx.conn(), id)
        .await?
        .ok_or(AppError::NotFound("no such person"))?;
    if let Some(survivor) = person.merged_into {
        return Err(AppError::Conflict(format!(
            "this record is merged into person {survivor}: record it there"
        )));
    }
    Ok(person)
}

// Markers ------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct MarkerInput {
    pub kind: MarkerKind,
    pub source: String,
    pub details: String,
    pub review_on: NaiveDate,
}

#[tracing::instrument(name = "services::person_records::add_marker", skip_all, fields(%person))]
pub async fn add_marker(
    ctx: &Ctx,
    person: PersonId,
    m: MarkerInput,
) -> Result<MarkerRow, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("persons", person.0).await?;
        let caller = tx.caller()?.clone();
        caller.require_operational()?;
        live_person(&mut tx, person).await?;
        let now = Utc::now();
        let row = q::insert_marker(
            tx.conn(),
            &MarkerRow {
                id: MarkerId::new(),
                person_id: person,
                kind: m.kind,
                source: m.source,
                details: m.details,
                review_on: m.review_on,
                ended_on: None,
                ended_reason: None,
                version: 1,
                recorded_by: caller.user_id,
                recorded_at: now,
                updated_at: now,
            },
        )
        .await?;
        tx.audit(AuditEvent::new(
            Operation::Collection,
            MARKER,
            [row.id.0, person.0],
        ));
        Ok(row)
    })
}

#[tracing::instrument(name = "services::person_records::amend_marker", skip_all, fields(%person, %id))]
pub async fn amend_marker(
    ctx: &Ctx,
    person: PersonId,
    id: MarkerId,
    expected_version: i32,
    changes: MarkerChanges,
) -> Result<MarkerRow, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("persons", person.0).await?;
        tx.caller()?.require_operational()?;
        live_person(&mut tx, person).await?;
        let current = q::find_marker(tx.conn(), person, id)
            .await?
            .ok_or(AppError::NotFound("no such marker on this person"))?;
        expect_version(current.version, expected_version)?;
        if current.ended_on.is_some() {
            return Err(AppError::Conflict(
                "this marker has ended; record a new one instead".into(),
            ));
        }
        if let Some(ended) = changes.ended_on {
            if ended < ctx.app.zone.date(current.recorded_at) {
                return Err(AppError::field(
                    "end.ended_on",
                    "must not be before the marker was recorded",
                ));
            }
        }
        let row = q::update_marker(tx.conn(), id, expected_version, &changes)
            .await?
            .or_stale()?;
        tx.audit(AuditEvent::new(
            Operation::Alteration,
            MARKER,
            [id.0, person.0],
        ));
        Ok(row)
    })
}

// Placements ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct PlacementInput {
    pub kind: PlacementKind,
    pub provider: String,
    pub placing_authority: String,
    pub host_authority: String,
    pub span: Span,
}

/// Checks a placement (new or changed; `exclude` is its own id when changed) against
/// the person and their `placements`.
async fn check_placement(
    tx: &mut Tx,
    person: &PersonRow,
    placements: &[PlacementRow],
    exclude: Option<PlacementId>,
    (placing, host): (&str, &str),
    span: Span,
) -> Result<(), AppError> {
    if !person.looked_after {
        return Err(AppError::Conflict(
            "placements are for looked-after children: mark the person looked_after first".into(),
        ));
    }
    check_child_only(person.date_of_birth, span.starts_on, "a placement")
        .map_err(|m| AppError::field("starts_on", &m))?;
    for (field, code) in [("placing_authority", placing), ("host_authority", host)] {
        if !q::local_authority_exists(tx.conn(), code).await? {
            return Err(AppError::field(
                field,
                "no such local authority (see GET /api/v1/reference)",
            ));
        }
    }
    if let Some(clash) = placements
        .iter()
        .find(|p| Some(p.id) != exclude && p.span().overlaps(&span))
    {
        return Err(AppError::Conflict(format!(
            "the dates overlap placement {} ({} to {}): end that placement first",
            clash.id,
            clash.starts_on,
            clash
                .ends_on
                .map_or_else(|| "open".to_string(), |d| d.to_string())
        )));
    }
    Ok(())
}

#[tracing::instrument(name = "services::person_records::add_placement", skip_all, fields(%person))]
pub async fn add_placement(
    ctx: &Ctx,
    person: PersonId,
    p: PlacementInput,
) -> Result<PlacementRow, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("persons", person.0).await?;
        let caller = tx.caller()?.clone();
        caller.require_operational()?;
        let row = live_person(&mut tx, person).await?;
        let placements = q::placements(tx.conn(), person).await?;
        check_placement(
            &mut tx,
            &row,
            &placements,
            None,
            (&p.placing_authority, &p.host_authority),
            p.span,
        )
        .await?;
        let placed = q::insert_placement(
            tx.conn(),
            &NewPlacement {
                id: PlacementId::new(),
                person_id: person,
                kind: p.kind,
                provider: p.provider,
                placing_authority: p.placing_authority,
                host_authority: p.host_authority,
                starts_on: p.span.starts_on,
                ends_on: p.span.ends_on,
                recorded_by: caller.user_id,
            },
        )
        .await?;
        tx.audit(AuditEvent::new(
            Operation::Collection,
            PLACEMENT,
            [placed.id.0, person.0],
        ));
        Ok(placed)
    })
}

#[tracing::instrument(name = "services::person_records::amend_placement", skip_all, fields(%person, %id))]
pub async fn amend_placement(
    ctx: &Ctx,
    person: PersonId,
    id: PlacementId,
    expected_version: i32,
    changes: PlacementChanges,
) -> Result<PlacementRow, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("persons", person.0).await?;
        tx.caller()?.require_operational()?;
        let row = live_person(&mut tx, person).await?;
        let placements = q::placements(tx.conn(), person).await?;
        let current = placements
            .iter()
            .find(|p| p.id == id)
            .cloned()
            .ok_or(AppError::NotFound("no such placement for this person"))?;
        expect_version(current.version, expected_version)?;
        let span = Span::new(
            changes.starts_on.unwrap_or(current.starts_on),
            changes.ends_on.unwrap_or(current.ends_on),
        )
        .map_err(|m| AppError::field("ends_on", m))?;
        let current_out_of_area = current.out_of_area;
        let placing = changes
            .placing_authority
            .clone()
            .unwrap_or(current.placing_authority);
        let host = changes
            .host_authority
            .clone()
            .unwrap_or(current.host_authority);
        check_placement(
            &mut tx,
            &row,
            &placements,
            Some(id),
            (&placing, &host),
            span,
        )
        .await?;
        let updated = q::update_placement(tx.conn(), id, expected_version, &changes)
            .await?
            .or_stale()?;
        tx.audit(AuditEvent::new(
            Operation::Alteration,
            PLACEMENT,
            [id.0, person.0],
        ));
        if updated.out_of_area != current_out_of_area {
            // Whether the child was missing from an out-of-area placement has changed.
            triggers::evaluate(&mut tx, &ctx.app, person).await?;
        }
        Ok(updated)
    })
}

/// The placement a report from care links to: the one named (which must be the
/// person's and cover the day last seen), or else the one covering that day, if any.
pub async fn placement_for_report(
    tx: &mut Tx,
    person: PersonId,
    named: Option<PlacementId>,
    last_seen_on: NaiveDate,
) -> Result<Option<PlacementId>, AppError> {
    let placements = q::placements(tx.conn(), person).await?;
    let covers = |p: &PlacementRow| p.span().contains(last_seen_on);
    match named {
        Some(id) => match placements.iter().find(|p| p.id == id) {
            None => Err(AppError::field(
                "placement_id",
                "no such placement for this person",
            )),
            Some(p) if !covers(p) => Err(AppError::field(
                "placement_id",
                "this placement did not cover the day the person was last seen",
            )),
            Some(p) => Ok(Some(p.id)),
        },
        None => Ok(placements.iter().find(|p| covers(p)).map(|p| p.id)),
    }
}

// Protocol profiles ----------------------------------------------------------------

/// A profile's content as given (the protocol comes from the path).
#[derive(Debug, Clone)]
pub struct ProfileInput {
    pub owning_organisation: String,
    pub description: String,
    pub photo_reference: String,
    pub places: String,
    pub associates: Option<String>,
    pub contact_details: Option<String>,
    pub missing_history: Option<String>,
    pub medication: Option<String>,
    pub routine: Option<String>,
    pub last_reviewed_on: NaiveDate,
    pub review_due_on: NaiveDate,
}

/// Records the profile (no `expected_version`) or replaces it (at that version).
#[tracing::instrument(name = "services::person_records::put_profile", skip_all, fields(%person))]
pub async fn put_profile(
    ctx: &Ctx,
    person: PersonId,
    protocol: Protocol,
    expected_version: Option<i32>,
    p: ProfileInput,
) -> Result<(ProfileRow, bool), AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("persons", person.0).await?;
        let caller = tx.caller()?.clone();
        caller.require_any(&[Role::Mfhc])?;
        let row = live_person(&mut tx, person).await?;
        if protocol == Protocol::Philomena {
            check_child_only(
                row.date_of_birth,
                ctx.app.zone.today(Utc::now()),
                "the Philomena protocol",
            )
            .map_err(|m| AppError::field("protocol", &m))?;
        }
        let existing = q::find_profile(tx.conn(), person, protocol).await?;
        let now = Utc::now();
        let mut profile = ProfileRow {
            id: ProtocolProfileId::new(),
            person_id: person,
            protocol,
            owning_organisation: p.owning_organisation,
            description: p.description,
            photo_reference: p.photo_reference,
            places: p.places,
            associates: p.associates,
            contact_details: p.contact_details,
            missing_history: p.missing_history,
            medication: p.medication,
            routine: p.routine,
            last_reviewed_on: p.last_reviewed_on,
            review_due_on: p.review_due_on,
            version: 1,
            recorded_by: caller.user_id,
            recorded_at: now,
            updated_at: now,
        };
        let (saved, created) = match (existing, expected_version) {
            (None, None) => (q::insert_profile(tx.conn(), &profile).await?, true),
            (None, Some(_)) => return Err(AppError::NotFound("no such protocol profile")),
            (Some(_), None) => {
                return Err(AppError::Conflict(format!(
                    "this person already has a {protocol} profile: send If-Match to replace it"
                )))
            }
            (Some(current), Some(v)) => {
                expect_version(current.version, v)?;
                profile.id = current.id;
                profile.version = v;
                profile.recorded_at = current.recorded_at;
                let saved = q::replace_profile(tx.conn(), &profile).await?.or_stale()?;
                (saved, false)
            }
        };
        let op = if created {
            Operation::Collection
        } else {
            Operation::Alteration
        };
        tx.audit(AuditEvent::new(op, PROFILE, [saved.id.0, person.0]));
        Ok((saved, created))
    })
}

#[tracing::instrument(name = "services::person_records::get_profile", skip_all, fields(%person))]
pub async fn get_profile(
    ctx: &Ctx,
    person: PersonId,
    protocol: Protocol,
) -> Result<ProfileRow, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.one_record("persons", person.0).await?;
        tx.caller()?.require_operational()?;
        // Not visible and not there look the same: profiles are handed over only while
        // the person is missing.
        let row = q::find_profile(tx.conn(), person, protocol)
            .await?
            .ok_or(AppError::NotFound(
                "no such protocol profile (officers and supervisors see profiles only while the person is missing)",
            ))?;
        tx.audit(AuditEvent::consultation(PROFILE, [row.id.0, person.0]));
        Ok(row)
    })
}

// Merges -------------------------------------------------------------------------------

/// A merge and the records it moved.
#[derive(Debug, Clone)]
pub struct Merge {
    pub merge: MergeRow,
    pub moved: Vec<Moved>,
}

/// Locks both persons in id order (so concurrent merges cannot deadlock).
async fn lock_pair(
    tx: &mut Tx,
    a: PersonId,
    b: PersonId,
) -> Result<(Option<PersonRow>, Option<PersonRow>), AppError> {
    let (first, second) = if a.0 <= b.0 { (a, b) } else { (b, a) };
    let f = people::find_for_update(tx.conn(), first).await?;
    let s = people::find_for_update(tx.conn(), second).await?;
    Ok(if first == a { (f, s) } else { (s, f) })
}

fn audit_moves(tx: &mut Tx, moved: &[Moved]) {
    for kind in ["episode", MARKER, PLACEMENT, PROFILE] {
        let ids: Vec<_> = moved
            .iter()
            .filter(|m| m.record_type == kind)
            .map(|m| m.record_id)
            .collect();
        if !ids.is_empty() {
            tx.audit(AuditEvent::new(Operation::Alteration, kind, ids));
        }
    }
}

async fn has_open_placement(tx: &mut Tx, person: PersonId) -> Result<bool, AppError> {
    Ok(q::placements(tx.conn(), person)
        .await?
        .iter()
        .any(|p| p.ends_on.is_none()))
}

/// Merges `duplicate` into `survivor` (at `expected_version`): the duplicate's
/// episodes, markers, placements and protocol profiles move, its names become aliases
/// of the survivor, and it is marked merged. Nothing is deleted.
#[tracing::instrument(name = "services::person_records::merge", skip_all, fields(%survivor, %duplicate))]
pub async fn merge(
    ctx: &Ctx,
    survivor: PersonId,
    expected_version: i32,
    duplicate: PersonId,
    reason: String,
) -> Result<Merge, AppError> {
    crate::in_tx!(ctx, |tx| {
        let caller = tx.caller()?.clone();
        caller.require_operational()?;
        caller.require_any(MERGERS)?;
        let (s, d) = lock_pair(&mut tx, survivor, duplicate).await?;
        let s = s.ok_or(AppError::NotFound("no such person"))?;
        let d = d.ok_or_else(|| AppError::field("duplicate_id", "no such person"))?;
        expect_version(s.version, expected_version)?;
        let side = |p: &PersonRow, open_placement| MergeSide {
            merged: p.merged_into.is_some(),
            open_placement,
        };
        let s_side = side(&s, has_open_placement(&mut tx, s.id).await?);
        let d_side = side(&d, has_open_placement(&mut tx, d.id).await?);
        check_merge(s.id == d.id, s_side, d_side).map_err(|r| match r {
            crate::domain::person_records::MergeRefused::SameRecord => {
                AppError::field("duplicate_id", &r.message())
            }
            _ => AppError::Conflict(r.message()),
        })?;
        let (s_spans, d_spans) = (
            crate::db::episodes::spans(tx.conn(), s.id).await?,
            crate::db::episodes::spans(tx.conn(), d.id).await?,
        );
        let clashes = crate::domain::overlaps::merge_clashes(&s_spans, &d_spans);
        if !clashes.is_empty() {
            return Err(AppError::ConflictWith {
                detail: format!(
                    "merging would leave one person with overlapping missing episodes, one of \
                     them open: {}; return, close or cancel one of them first",
                    clashes
                        .iter()
                        .map(|(a, b)| format!("{} and {}", a.reference, b.reference))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                records: {
                    let mut named: Vec<&crate::domain::overlaps::Span> = Vec::new();
                    for s in clashes.iter().flat_map(|(a, b)| [*a, *b]) {
                        if !named.iter().any(|n| n.id == s.id) {
                            named.push(s);
                        }
                    }
                    named
                        .into_iter()
                        .map(crate::services::episodes::conflicting)
                        .collect()
                },
            });
        }
        let mut survivor_names = vec![format!("{} {}", s.given_name, s.family_name)];
        survivor_names.extend(s.aliases.iter().cloned());
        let added = aliases_to_add(
            &survivor_names,
            &format!("{} {}", d.given_name, d.family_name),
            &d.aliases,
        );
        let row = q::insert_merge(
            tx.conn(),
            &NewMerge {
                id: MergeId::new(),
                survivor_id: s.id,
                duplicate_id: d.id,
                reason,
                added_aliases: added.clone(),
                merged_by: caller.user_id,
            },
        )
        .await?;
        let moved = q::apply_merge(tx.conn(), row.id, false).await?;
        // The survivor's episodes now include the duplicate's; the duplicate has none.
        triggers::evaluate(&mut tx, &ctx.app, s.id).await?;
        triggers::evaluate(&mut tx, &ctx.app, d.id).await?;
        let mut aliases = s.aliases.clone();
        aliases.extend(added);
        set_aliases(&mut tx, &s, aliases).await?;
        set_merged_into(&mut tx, &d, Some(s.id)).await?;
        tx.audit(AuditEvent::new(
            Operation::Alteration,
            PERSON,
            [s.id.0, d.id.0, row.id.0],
        ));
        audit_moves(&mut tx, &moved);
        let moved = q::merge_moves(tx.conn(), row.id).await?;
        Ok(Merge { merge: row, moved })
    })
}

async fn set_aliases(tx: &mut Tx, p: &PersonRow, aliases: Vec<String>) -> Result<(), AppError> {
    let changes = PersonChanges {
        search_names: Some(search_names(&p.given_name, &p.family_name, &aliases)),
        aliases: Some(aliases),
        ..Default::default()
    };
    people::update(tx.conn(), p.id, p.version, &changes)
        .await?
        .or_stale()?;
    Ok(())
}

async fn set_merged_into(
    tx: &mut Tx,
    p: &PersonRow,
    into: Option<PersonId>,
) -> Result<(), AppError> {
    let changes = PersonChanges {
        merged_into: Some(into),
        ..Default::default()
    };
    people::update(tx.conn(), p.id, p.version, &changes)
        .await?
        .or_stale()?;
    Ok(())
}

#[tracing::instrument(name = "services::person_records::get_merge", skip_all, fields(%id))]
pub async fn get_merge(ctx: &Ctx, id: MergeId) -> Result<Merge, AppError> {
    crate::in_tx!(ctx, |tx| {
        tx.caller()?.require_operational()?;
        let merge = q::find_merge(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound("no such merge"))?;
        let moved = q::merge_moves(tx.conn(), id).await?;
        tx.audit(AuditEvent::consultation(
            PERSON,
            [merge.survivor_id.0, merge.duplicate_id.0, id.0],
        ));
        Ok(Merge { merge, moved })
    })
}

/// Undoes a merge: what it moved and is still with the survivor goes back, the aliases
/// it added go, and the duplicate is a record in its own right again.
#[tracing::instrument(name = "services::person_records::undo_merge", skip_all, fields(%id))]
pub async fn undo_merge(ctx: &Ctx, id: MergeId, reason: String) -> Result<Merge, AppError> {
    crate::in_tx!(ctx, |tx| {
        let caller = tx.caller()?.clone();
        caller.require_operational()?;
        caller.require_any(MERGERS)?;
        let merge = q::find_merge(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound("no such merge"))?;
        if merge.undone_at.is_some() {
            return Err(AppError::Conflict(
                "this merge has already been undone".into(),
            ));
        }
        let (s, d) = lock_pair(&mut tx, merge.survivor_id, merge.duplicate_id).await?;
        let (s, d) = s.zip(d).ok_or(AppError::NotFound("no such person"))?;
        if let Some(later) = s.merged_into {
            return Err(AppError::Conflict(format!(
                "the surviving record has since been merged into person {later}: undo that merge first"
            )));
        }
        let undone = q::mark_undone(tx.conn(), id, caller.user_id, &reason)
            .await?
            .ok_or_else(|| AppError::Conflict("this merge has already been undone".into()))?;
        let moved_back = q::apply_merge(tx.conn(), id, true).await?;
        triggers::evaluate(&mut tx, &ctx.app, s.id).await?;
        triggers::evaluate(&mut tx, &ctx.app, d.id).await?;
        set_aliases(
            &mut tx,
            &s,
            aliases_after_undo(&s.aliases, &merge.added_aliases),
        )
        .await?;
        set_merged_into(&mut tx, &d, None).await?;
        tx.audit(AuditEvent::new(
            Operation::Alteration,
            PERSON,
            [s.id.0, d.id.0, id.0],
        ));
        audit_moves(&mut tx, &moved_back);
        Ok(Merge {
            merge: undone,
            moved: moved_back,
        })
    })
}
