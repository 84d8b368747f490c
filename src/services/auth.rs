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
use crate::services::context::{Ctx, Session};
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

/// How a new session is carried: API tokens (a refresh token's digest is kept) or a
/// browser's cookie (its secret's digest is kept).
enum Carrier<'a> {
    Api { refresh_hash: &'a [u8] },
    Web { cookie_hash: &'a [u8] },
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
    let (token, hash) = refresh::generate();
    let (c, session, expires_at) = sign_in(
        state,
        audit,
        client_addr,
        email,
        password_given,
        Carrier::Api {
            refresh_hash: &hash,
        },
    )
    .await?;
    issue(state, c.id, session, c.token_version, token, expires_at)
}

/// A browser's signed-in session: the cookie's secret (given to the browser once, kept
/// only as a digest) and the login session it is.
#[derive(Debug)]
pub struct WebSignIn {
    pub cookie_secret: String,
    pub session: Session,
}

/// Signs a browser in: the same accounts, checks and throttling as `login`; the session
/// is one of the account's login sessions, so logout, deactivation and a role change
/// end it as they end a token's.
pub async fn web_sign_in(
    state: &AppState,
    audit: AuditContext,
    client_addr: &str,
    email: &str,
    password_given: SecretString,
) -> Result<WebSignIn, AppError> {
    let (secret, hash) = refresh::generate();
    let (c, session, _) = sign_in(
        state,
        audit,
        client_addr,
        email,
        password_given,
        Carrier::Web { cookie_hash: &hash },
    )
    .await?;
    Ok(WebSignIn {
        cookie_secret: secret,
        session: Session {
            user: c.id,
            session,
            token_version: c.token_version,
        },
    })
}

/// Whether the session a verified token names is still live (not ended by logout,
/// deactivation or a role change). The write quota asks before charging a request, so a
/// revoked token cannot spend its account's quota.
pub async fn session_live(state: &AppState, s: Session) -> Result<bool, AppError> {
    let mut conn = state.db.get().await?;
    Ok(q::session_live(&mut conn, s.user, s.session, s.token_version).await?)
}

/// A browser's live session, with the name and role its pages show.
#[derive(Debug, Clone)]
pub struct WebSession {
    pub session: Session,
    pub role: crate::domain::accounts::Role,
    pub display_name: String,
}

/// The live browser session a cookie's secret names, ending it if it was left idle
/// longer than `idle`; `None` sends the browser to sign in.
pub async fn web_session(
    state: &AppState,
    audit: AuditContext,
    cookie_secret: &str,
    idle: Duration,
) -> Result<Option<WebSession>, AppError> {
    let mut tx = Tx::begin(&state.db, audit).await?;
    let found = q::web_session(tx.conn(), &refresh::digest(cookie_secret), idle)
        .await
        .map_err(AppError::from);
    Ok(tx.finish(found).await?.map(|r| WebSession {
        session: Session {
            user: r.user_id,
            session: r.session_id,
            token_version: r.token_version,
        },
        role: r.role,
        display_name: r.display_name,
    }))
}

async fn sign_in(
    state: &AppState,
    audit: AuditContext,
    client_addr: &str,
    email: &str,
    password_given: SecretString,
    carrier: Carrier<'_>,
) -> Result<(q::LoginCandidate, SessionId, DateTime<Utc>), AppError> {
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
        let session = match carrier {
            Carrier::Api { refresh_hash } => {
                let session = q::create_session(tx.conn(), c.id, expires_at, None).await?;
                q::insert_refresh_token(tx.conn(), session, refresh_hash, expires_at).await?;
                session
            }
            Carrier::Web { cookie_hash } => {
                q::create_session(tx.conn(), c.id, expires_at, Some(cookie_hash)).await?
            }
        };
        Ok((session, expires_at))
    }
    .await;
    let (session, expires_at) = tx.finish(started).await?;
    tracing::info!(user_id = %c.id, session_id = %session, "login");
    Ok((c, session, expires_at))
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
