//! Loading `seeds/`: reference data (districts, agency types, example agencies) and the
//! demo accounts. Both are idempotent and run over the administrative connection.

use diesel::sql_types::{Nullable, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use serde::Deserialize;

use crate::auth::password;
use crate::domain::accounts::{check_affiliation, DisplayName, Email, Role};
use crate::domain::password_policy::NewPassword;

const REFERENCE_SQL: &str = include_str!("../seeds/reference.sql");
const DEMO_JSON: &str = include_str!("../seeds/demo.json");

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Deserialize)]
struct DemoFile {
    users: Vec<DemoUser>,
}

#[derive(Deserialize)]
struct DemoUser {
    email: String,
    display_name: String,
    role: Role,
    district: Option<String>,
    agency: Option<String>,
    password: String,
}

/// A demo login to print for newcomers.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub email: String,
    pub role: Role,
    pub password: String,
}

pub async fn reference(admin_url: &str) -> Result<(), BoxError> {
    let mut conn = AsyncPgConnection::establish(admin_url).await?;
    conn.batch_execute(REFERENCE_SQL).await?;
    Ok(())
}

/// Loads the demo accounts (existing emails are left alone) and returns their logins.
pub async fn demo(admin_url: &str) -> Result<Vec<DemoLogin>, BoxError> {
    let file: DemoFile = serde_json::from_str(DEMO_JSON)?;
    let mut conn = AsyncPgConnection::establish(admin_url).await?;
    let mut logins = Vec::new();
    for u in file.users {
        let email =
            Email::parse(&u.email).map_err(|m| format!("demo user {}: email {m}", u.email))?;
        let name = DisplayName::parse(&u.display_name)
            .map_err(|m| format!("demo user {}: name {m}", u.email))?;
        let pw = NewPassword::parse(&u.password, email.as_str())
            .map_err(|m| format!("demo user {}: password {m}", u.email))?;
        check_affiliation(u.role, u.agency.is_some())
            .map_err(|m| format!("demo user {}: {m}", u.email))?;
        let hash = password::hash(pw.secret().clone()).await?;
        diesel::sql_query(
            "INSERT INTO users (email, display_name, role, district_id, agency_id, password_hash) \
             VALUES ($1, $2, $3, (SELECT id FROM districts WHERE code = $4), \
                     (SELECT id FROM agencies WHERE name = $5), $6) \
             ON CONFLICT (email) DO NOTHING",
        )
        .bind::<Text, _>(email.as_str())
        .bind::<Text, _>(name.into_inner())
        .bind::<Text, _>(u.role)
        .bind::<Nullable<Text>, _>(u.district)
        .bind::<Nullable<Text>, _>(u.agency)
        .bind::<Text, _>(hash)
        .execute(&mut conn)
        .await?;
        logins.push(DemoLogin {
            email: email.into_inner(),
            role: u.role,
            password: u.password,
        });
    }
    Ok(logins)
}

/// Loads `n` synthetic episodes (and their persons, placements and markers) generated
/// from `seed`; returns how many episodes were loaded. Each run adds new records
/// (references are allocated from the districts' counters, so they never collide).
/// Triggers are not evaluated for them.
pub async fn synthetic(admin_url: &str, n: usize, seed: u64) -> Result<usize, BoxError> {
    use crate::db::schema::{
        districts, episode_reference_counters, episodes, local_authorities, person_markers,
        persons, placements, users,
    };
    use crate::domain::episodes::EpisodeStatus;
    use crate::ids::{DistrictId, EpisodeId, MarkerId, PersonId, PlacementId, UserId};
    use chrono::{Datelike, Utc};
    use diesel::{ExpressionMethods, QueryDsl};
    use std::collections::{HashMap, HashSet};

    const CHUNK: usize = 2000;
    let mut conn = AsyncPgConnection::establish(admin_url).await?;
    let data = crate::tooling::synthetic::generate(&crate::tooling::synthetic::Options::new(
        n,
        seed,
        Utc::now().date_naive(),
    ));
    let (people, eps) = (&data.persons, &data.episodes);
    let author: UserId = diesel::insert_into(users::table)
        .values((
            users::email.eq("synthetic.data@homeward.invalid"),
            users::display_name.eq("Synthetic data (cannot log in)"),
            users::role.eq("supervisor"),
            users::active.eq(false),
            users::password_hash.eq("!"),
        ))
        .on_conflict(users::email)
        .do_update()
        .set(users::active.eq(false))
        .returning(users::id)
        .get_result(&mut conn)
        .await?;
    let district_ids: HashMap<String, DistrictId> = districts::table
        .select((districts::code, districts::id))
        .load::<(String, DistrictId)>(&mut conn)
        .await?
        .into_iter()
        .collect();
    let district = |code: &str| {
        district_ids
            .get(code)
            .copied()
            .ok_or_else(|| format!("district {code} is not seeded (run `homeward seed` first)"))
    };
    let authorities: HashSet<String> = local_authorities::table
        .select(local_authorities::code)
        .load::<String>(&mut conn)
        .await?
        .into_iter()
        .collect();
    if let Some(missing) = data
        .placements
        .iter()
        .flat_map(|p| [p.placing_authority, p.host_authority])
        .find(|la| !authorities.contains(*la))
    {
        return Err(
            format!("local authority {missing} is not seeded (run `homeward seed` first)").into(),
        );
    }

    let person_ids: Vec<PersonId> = people.iter().map(|_| PersonId::new()).collect();
    for (chunk, ids) in people.chunks(CHUNK).zip(person_ids.chunks(CHUNK)) {
        let rows = chunk
            .iter()
            .zip(ids)
            .map(|(p, id)| {
                Ok((
                    persons::id.eq(*id),
                    persons::given_name.eq(p.given_name),
                    persons::family_name.eq(p.family_name),
                    persons::search_names.eq(crate::domain::persons::search_names(
                        p.given_name,
                        p.family_name,
                        &[],
                    )),
                    persons::date_of_birth.eq(Some(p.date_of_birth)),
                    persons::sex.eq(Some(p.sex)),
                    persons::ethnicity.eq(p.ethnicity),
                    persons::home_district_id.eq(Some(district(p.district)?)),
                    persons::looked_after.eq(p.looked_after),
                    persons::created_by.eq(author),
                ))
            })
            .collect::<Result<Vec<_>, String>>()?;
        diesel::insert_into(persons::table)
            .values(rows)
            .execute(&mut conn)
            .await?;
    }

    // Placements, recorded (as far as anyone can tell) the morning they started.
    let placement_ids: Vec<PlacementId> =
        data.placements.iter().map(|_| PlacementId::new()).collect();
    for (chunk, ids) in data
        .placements
        .chunks(CHUNK)
        .zip(placement_ids.chunks(CHUNK))
    {
        let rows: Vec<_> = chunk
            .iter()
            .zip(ids)
            .map(|(p, id)| {
                let recorded_at = p
                    .starts_on
                    .and_hms_opt(9, 0, 0)
                    .unwrap_or_default()
                    .and_utc();
                (
                    placements::id.eq(*id),
                    placements::person_id.eq(person_ids[p.person]),
                    placements::kind.eq(p.kind),
                    placements::provider.eq(p.provider),
                    placements::placing_authority.eq(p.placing_authority),
                    placements::host_authority.eq(p.host_authority),
                    placements::starts_on.eq(p.starts_on),
                    placements::ends_on.eq(p.ends_on),
                    placements::recorded_by.eq(author),
                    placements::recorded_at.eq(recorded_at),
                    placements::updated_at.eq(recorded_at),
                )
            })
            .collect();
        diesel::insert_into(placements::table)
            .values(rows)
            .execute(&mut conn)
            .await?;
    }

    for chunk in data.markers.chunks(CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|m| {
                (
                    person_markers::id.eq(MarkerId::new()),
                    person_markers::person_id.eq(person_ids[m.person]),
                    person_markers::kind.eq(m.kind),
                    person_markers::source.eq(m.source),
                    person_markers::review_on.eq(m.review_on),
                    person_markers::ended_on.eq(m.ended_on),
                    person_markers::ended_reason.eq(m.ended_reason),
                    person_markers::recorded_by.eq(author),
                    person_markers::recorded_at.eq(m.recorded_at),
                    person_markers::updated_at.eq(m.recorded_at),
                )
            })
            .collect();
        diesel::insert_into(person_markers::table)
            .values(rows)
            .execute(&mut conn)
            .await?;
    }

    // References: allocate a block per district and year from the counters.
    let mut wanted: HashMap<(&str, i32), i32> = HashMap::new();
    for e in eps {
        *wanted
            .entry((e.district, e.reported_at.year()))
            .or_default() += 1;
    }
    let mut next: HashMap<(&str, i32), i32> = HashMap::new();
    for ((code, year), k) in &wanted {
        let last: i32 = diesel::insert_into(episode_reference_counters::table)
            .values((
                episode_reference_counters::district_id.eq(district(code)?),
                episode_reference_counters::year.eq(*year),
                episode_reference_counters::last_value.eq(*k),
            ))
            .on_conflict((
                episode_reference_counters::district_id,
                episode_reference_counters::year,
            ))
            .do_update()
            .set(
                episode_reference_counters::last_value
                    .eq(episode_reference_counters::last_value + *k),
            )
            .returning(episode_reference_counters::last_value)
            .get_result(&mut conn)
            .await?;
        next.insert((*code, *year), last - k + 1);
    }

    // Each person's episodes together, so each person is queued for the measure state
    // (by a statement trigger, for the persons a statement touches) about once.
    let mut by_person: Vec<&crate::tooling::synthetic::Episode> = eps.iter().collect();
    by_person.sort_by_key(|e| (e.person, e.reported_at));
    for chunk in by_person.chunks(CHUNK) {
        let mut rows = Vec::with_capacity(chunk.len());
        for &e in chunk {
            let key = (e.district, e.reported_at.year());
            let number = next.get_mut(&key).ok_or("no reference block")?;
            let reference = crate::domain::episodes::reference(e.district, key.1, *number);
            *number += 1;
            let closed = e.status == EpisodeStatus::Closed;
            rows.push((
                (
                    episodes::id.eq(EpisodeId::new()),
                    episodes::reference.eq(reference),
                    episodes::person_id.eq(person_ids[e.person]),
                    episodes::district_id.eq(district(e.district)?),
                    episodes::status.eq(e.status),
                    episodes::reported_at.eq(e.reported_at),
                    episodes::reported_by.eq(e.reported_by),
                    episodes::last_seen_at.eq(e.last_seen_at),
                    episodes::last_seen_location.eq("Synthetic location"),
                    episodes::missing_from.eq(e.missing_from),
                    episodes::risk_level.eq(e.risk_level),
                ),
                (
                    episodes::cancelled_reason.eq((e.status == EpisodeStatus::Cancelled)
                        .then_some("Synthetic: whereabouts were known")),
                    episodes::closed_at
                        .eq(closed.then(|| e.reported_at + chrono::Duration::days(2))),
                    episodes::closed_by.eq(closed.then_some(author)),
                    episodes::no_interview_reason.eq(closed.then_some("Synthetic data")),
                    episodes::placement_id.eq(e.placement.map(|p| placement_ids[p])),
                    episodes::looked_after.eq(e.looked_after),
                    episodes::created_by.eq(author),
                ),
            ));
        }
        diesel::insert_into(episodes::table)
            .values(rows)
            .execute(&mut conn)
            .await?;
    }
    // The kept measure state for everyone loaded, now rather than by the first reader.
    while crate::db::measures::catch_up(&mut conn, Some(20_000)).await? == 20_000 {}
    // Statistics for what was loaded, so the planner does not guess (the kept state's
    // person index, say, goes unused on a table it has never seen analysed).
    conn.batch_execute("ANALYZE").await?;
    Ok(eps.len())
}
