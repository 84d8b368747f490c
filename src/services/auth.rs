//! Login, refresh and logout.

use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::auth::{password, refresh, Bearer};
use crate::db::auth::{self as q, Rotation};
use crate::db::{AuditContext, Tx};
use crate::domain::accounts::Email;
use crate::domain::caller::Caller;
use crate::error::AppError;
use crate::ids::{SessionId, UserId};
use crate::startup::AppState;

/// Failures allowed per account, and per client address, within the window.
pub const ACCOUNT_FAILURE_LIMIT: i32 = 10;
pub const ADDRESS_FAILURE_LIMIT: i32 = 50;
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(15 * 60);

const BAD_CREDENTIALS: &str = "the email address or password is incorrect";

/// What a successful login or refresh hands the client.
#[derive(Debug)]
pub struct Tokens {
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
}

fn issue(
    state: &AppState,
    user: UserId,
    session: SessionId,
    token_version: i32,
    refresh_token: String,
    refresh_expires_at: DateTime<Utc>,
) -> Result<Tokens, AppError> {
    let access_token = state
        .jwt
        .issue(user, session, token_version)
        .map_err(AppError::internal)?;
    Ok(Tokens {
        access_token,
        expires_in: state.jwt.ttl_secs(),
        refresh_token,
        refresh_expires_at,
    })
}

/// Checks the password and starts a session. Every failure — unknown account, wrong
/// password, deactivated account — gets the same answer after about the same time.
pub async fn login(
    state: &AppState,
    audit: AuditContext,
    client_addr: &str,
    email: &str,
    password_given: SecretString,
) -> Result<Tokens, AppError> {
    // A malformed address cannot name an account; still hash, so timing does not tell.
    let email = Email::parse(email).ok();
    let account_key = refresh::throttle_key("account", email.as_ref().map_or("", |e| e.as_str()));
    let address_key = refresh::throttle_key("address", client_addr);
    let keys = [account_key.clone(), address_key];

    let mut tx = Tx::begin(&state.db, audit.clone()).await?;
    let looked_up = async {
        let wait = q::throttle_wait(tx.conn(), &keys).await?;
        let candidate = match &email {
            Some(e) if wait == 0 => q::login_lookup(tx.conn(), e.as_str()).await?,
            _ => None,
        };
        Ok((wait, candidate))
    }
    .await;
    let (wait, candidate) = tx.finish(looked_up).await?;
    if wait > 0 {
        return Err(AppError::TooManyRequests {
            retry_after_secs: u64::try_from(wait).unwrap_or(1),
        });
    }

    // The hash is checked outside any transaction: it takes tens of milliseconds.
    let stored = candidate.as_ref().map(|c| c.password_hash.clone());
    let password_ok = password::verify(password_given, stored).await;

    let mut tx = Tx::begin(&state.db, audit).await?;
    let outcome = async {
        match candidate.filter(|c| password_ok && c.active) {
            None => {
                q::throttle_fail(
                    tx.conn(),
                    &keys,
                    &[ACCOUNT_FAILURE_LIMIT, ADDRESS_FAILURE_LIMIT],
                    THROTTLE_WINDOW,
                )
                .await?;
                Ok(None)
            }
            Some(c) => {
                q::throttle_clear(tx.conn(), &account_key).await?;
                tx.assume(Caller {
                    user_id: c.id,
                    role: c.role,
                    district_id: c.district_id,
                    agency_id: c.agency_id,
                })
                .await?;
                let expires_at = Utc::now() + chrono::Duration::seconds(state.session_ttl_secs);
                let session = q::create_session(tx.conn(), c.id, expires_at).await?;
                let (token, hash) = refresh::generate();
                q::insert_refresh_token(tx.conn(), session, &hash, expires_at).await?;
                Ok(Some((c.id, session, c.token_version, token, expires_at)))
            }
        }
    }
    .await;
    // Committed either way: a failure must be counted even though the answer is 401.
    match tx.finish(outcome).await? {
        None => Err(AppError::Unauthenticated(BAD_CREDENTIALS)),
        Some((user, session, version, token, expires_at)) => {
            tracing::info!(user_id = %user, session_id = %session, "login");
            issue(state, user, session, version, token, expires_at)
        }
    }
}

/// Rotates a refresh token. Presenting one that was already used ends its session.
pub async fn refresh(
    state: &AppState,
    audit: AuditContext,
    presented: &str,
) -> Result<Tokens, AppError> {
    let (token, new_hash) = refresh::generate();
    let new_expires = Utc::now() + chrono::Duration::seconds(state.session_ttl_secs);
    let mut tx = Tx::begin(&state.db, audit).await?;
    let rotation = q::rotate_refresh(
        tx.conn(),
        &refresh::digest(presented),
        &new_hash,
        new_expires,
    )
    .await
    .map_err(AppError::from);
    match tx.finish(rotation).await? {
        Rotation::Rotated {
            user,
            session,
            token_version,
            expires_at,
        } => issue(state, user, session, token_version, token, expires_at),
        Rotation::Reused { user } => {
            tracing::warn!(user_id = %user, "refresh token reused; session revoked");
            Err(AppError::Unauthenticated(
                "this refresh token was already used; the session has been ended, log in again",
            ))
        }
        Rotation::Invalid => Err(AppError::Unauthenticated(
            "the refresh token is invalid or has expired",
        )),
    }
}

/// Ends the caller's session: its refresh tokens and access tokens stop working at once.
pub async fn logout(
    state: &AppState,
    bearer: &Bearer,
    audit: AuditContext,
) -> Result<(), AppError> {
    let session = bearer.0.sid;
    crate::in_tx_as!(state, bearer, audit, |tx| {
        q::revoke(tx.conn(), q::Sessions::One(session), "logout").await?;
        Ok(())
    })
}
