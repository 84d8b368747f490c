//! Login, refresh and logout.

use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::auth::{password, refresh};
use crate::db::auth::{self as q, Rotation};
use crate::db::{AuditContext, Tx};
use crate::domain::accounts::Email;
use crate::domain::caller::Caller;
use crate::error::AppError;
use crate::ids::{SessionId, UserId};
use crate::services::context::Ctx;
use crate::startup::AppState;

/// Login attempts allowed within the window: for one account from one address; from one
/// address across accounts; and for one account across the addresses it has never
/// logged in from (known addresses are exempt, so an attacker elsewhere cannot lock a
/// user out).
pub const PAIR_ATTEMPT_LIMIT: i32 = 10;
pub const ADDRESS_ATTEMPT_LIMIT: i32 = 50;
pub const ACCOUNT_ATTEMPT_LIMIT: i32 = 100;
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The throttle keys of one login attempt (hashed: neither email nor address is stored).
struct ThrottleKeys {
    pair: Vec<u8>,
    address: Vec<u8>,
    account: Vec<u8>,
    known: Vec<u8>,
}

impl ThrottleKeys {
    fn new(email: &str, address: &str) -> Self {
        ThrottleKeys {
            pair: refresh::throttle_key("pair", &format!("{email}|{address}")),
            address: refresh::throttle_key("address", address),
            account: refresh::throttle_key("account", email),
            known: refresh::throttle_key("known", &format!("{email}|{address}")),
        }
    }

    /// The keys this attempt counts against, with their limits.
    fn counted(&self, known_address: bool) -> (Vec<Vec<u8>>, Vec<i32>) {
        let mut keys = vec![
            (self.pair.clone(), PAIR_ATTEMPT_LIMIT),
            (self.address.clone(), ADDRESS_ATTEMPT_LIMIT),
        ];
        if !known_address {
            keys.push((self.account.clone(), ACCOUNT_ATTEMPT_LIMIT));
        }
        keys.into_iter().unzip()
    }
}

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
/// The attempt is counted before the password is checked, so concurrent guesses cannot
/// get past the limits.
pub async fn login(
    state: &AppState,
    audit: AuditContext,
    client_addr: &str,
    email: &str,
    password_given: SecretString,
) -> Result<Tokens, AppError> {
    // A malformed address cannot name an account; it is still counted and hashed.
    let email = Email::parse(email).ok();
    let keys = ThrottleKeys::new(email.as_ref().map_or("", |e| e.as_str()), client_addr);

    let mut tx = Tx::begin(&state.db, audit.clone()).await?;
    let looked_up = async {
        let known = q::throttle_known(tx.conn(), &keys.known).await?;
        let (counted, limits) = keys.counted(known);
        let wait = q::throttle_attempt(tx.conn(), &counted, &limits, THROTTLE_WINDOW).await?;
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
    let Some(c) = candidate.filter(|c| password_ok && c.active) else {
        return Err(AppError::Unauthenticated(BAD_CREDENTIALS));
    };

    let mut tx = Tx::begin(&state.db, audit).await?;
    let started = async {
        q::throttle_success(
            tx.conn(),
            &[keys.pair.clone(), keys.account.clone()],
            std::slice::from_ref(&keys.address),
            &keys.known,
        )
        .await?;
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
        Ok((session, token, expires_at))
    }
    .await;
    let (session, token, expires_at) = tx.finish(started).await?;
    tracing::info!(user_id = %c.id, session_id = %session, "login");
    issue(state, c.id, session, c.token_version, token, expires_at)
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
#[tracing::instrument(name = "services::auth::logout", skip_all)]
pub async fn logout(ctx: &Ctx) -> Result<(), AppError> {
    let session = ctx.session.session;
    crate::in_tx!(ctx, |tx| {
        q::revoke(tx.conn(), q::Sessions::One(session), "logout").await?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_addresses_are_exempt_from_the_account_wide_limit() {
        let k = ThrottleKeys::new("a@x.org", "10.0.0.1");
        let (unknown, limits) = k.counted(false);
        assert_eq!(
            unknown,
            vec![k.pair.clone(), k.address.clone(), k.account.clone()]
        );
        assert_eq!(
            limits,
            vec![
                PAIR_ATTEMPT_LIMIT,
                ADDRESS_ATTEMPT_LIMIT,
                ACCOUNT_ATTEMPT_LIMIT
            ]
        );
        let (known, _) = k.counted(true);
        assert_eq!(known, vec![k.pair.clone(), k.address.clone()]);
    }

    #[test]
    fn keys_differ_by_address_and_account() {
        let a = ThrottleKeys::new("a@x.org", "10.0.0.1");
        let b = ThrottleKeys::new("a@x.org", "10.0.0.2");
        let c = ThrottleKeys::new("b@x.org", "10.0.0.1");
        assert_ne!(a.pair, b.pair);
        assert_eq!(a.account, b.account);
        assert_eq!(a.address, c.address);
        assert_ne!(a.known, a.pair);
    }
}
