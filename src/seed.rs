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
