//! Login, refresh and logout.

use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::auth::{password, refresh};
use crate::db::auth::{self as q, Rotation};
use crate::db::users;
use crate::db::{AuditContext, Tx};
use crate::domain::accounts::Email;
use crate::domain::audit::AuditEvent;
use crate::domain::caller::Caller;
use crate::domain::password_policy::NewPassword;
use crate::domain::security::SecurityEventKind;
use crate::error::AppError;
use crate::ids::{SessionId, UserId};
use crate::services::context::{Ctx, Session};
use crate::services::security::{self, NewSecurityEvent};
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

impl Carrier<'_> {
    /// Where a sign-in of this kind is posted (for its security events).
    fn route(&self) -> &'static str {
        match self {
            Carrier::Api { .. } => "/api/v1/auth/login",
            Carrier::Web { .. } => "/sign-in",
        }
    }
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

/// What charging a write to its account's quota found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteCharge {
    /// Charged: go ahead.
    Allowed,
    /// Over the quota: the seconds until a write is free.
    Wait(u64),
    /// The token's session has ended (logout, deactivation, a role change): nothing is
    /// charged, and its transaction refuses it as unauthenticated.
    SessionEnded,
}

/// Charges one write to the account's quota, in the database, so that every instance of
/// the service charges the same one.
pub async fn charge_write(state: &AppState, s: Session) -> Result<WriteCharge, AppError> {
    let limits = state.limits;
    let every = std::time::Duration::from_secs(60) / limits.writes_per_minute.get();
    let burst = i32::try_from(limits.burst().get()).unwrap_or(i32::MAX);
    let mut conn = state.db.get().await?;
    Ok(
        match q::write_quota(&mut conn, s.user, s.session, s.token_version, every, burst).await? {
            -1 => WriteCharge::SessionEnded,
            0 => WriteCharge::Allowed,
            n => WriteCharge::Wait(u64::try_from(n).unwrap_or(1)),
        },
    )
}

/// A browser's live session, with the name and role its pages show.
#[derive(Debug, Clone)]
pub struct WebSession {
    pub session: Session,
    pub role: crate::domain::accounts::Role,
    pub display_name: String,
    /// An administrator reset the password: every page but changing it is refused.
    pub must_change_password: bool,
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
        must_change_password: r.must_change_password,
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
    // Only a well-formed email is kept (as a digest): anything else may be a password
    // typed into the wrong field.
    let refused = |kind: SecurityEventKind, status: u16| NewSecurityEvent {
        kind,
        account: None,
        email: email.as_ref().map(|e| e.as_str().to_owned()),
        address: client_addr.to_owned(),
        method: "POST".into(),
        route: carrier.route().into(),
        table: None,
        record_id: None,
        request_id: audit.request_id.clone(),
        status,
    };
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
        security::record(state, refused(SecurityEventKind::LoginThrottled, 429)).await;
        return Err(AppError::TooManyRequests {
            retry_after_secs: u64::try_from(wait).unwrap_or(1),
        });
    }

    // The hash is checked outside any transaction: it takes tens of milliseconds.
    let stored = candidate.as_ref().map(|c| c.password_hash.clone());
    let password_ok = password::verify(password_given, stored).await;
    let Some(c) = candidate.filter(|c| password_ok && c.active) else {
        security::record(state, refused(SecurityEventKind::LoginFailed, 401)).await;
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
    crate::in_tx!(ctx, while_password_change_due, |tx| {
        q::revoke(tx.conn(), q::Sessions::One(session), "logout").await?;
        Ok(())
    })
}

/// Wrong current passwords allowed per account within the throttle window, so a stolen
/// session cannot be used to guess the password behind it.
pub const PASSWORD_CHANGE_ATTEMPT_LIMIT: i32 = 10;

/// A password change as its form or body gave it.
pub struct PasswordChange {
    pub current: SecretString,
    pub new: SecretString,
}

/// Changes the caller's own password: the current one is required, the new one must meet
/// the policy and differ from it. Every other session of the account ends (this one
/// goes on), a reset's "must change" flag is cleared, and the change is audited.
#[tracing::instrument(name = "services::auth::change_password", skip_all)]
pub async fn change_password(ctx: &Ctx, change: PasswordChange) -> Result<(), AppError> {
    use secrecy::ExposeSecret;
    let key = refresh::throttle_key("password-change", &ctx.session.user.to_string());
    let user = ctx.session.user;
    let (email, stored) = crate::in_tx!(ctx, while_password_change_due, |tx| {
        users::own_password_hash(tx.conn(), user)
            .await?
            .ok_or(AppError::Unauthenticated(
                "the session has ended; log in again",
            ))
    })?;
    // The new password is checked first: only a guess at the current one is counted.
    let new = NewPassword::parse(change.new.expose_secret(), &email)
        .map_err(|m| AppError::field("new_password", m))?;
    if change.new.expose_secret() == change.current.expose_secret() {
        return Err(AppError::field(
            "new_password",
            "must differ from the current password",
        ));
    }
    let wait = crate::in_tx!(ctx, while_password_change_due, |tx| {
        Ok(q::throttle_attempt(
            tx.conn(),
            std::slice::from_ref(&key),
            &[PASSWORD_CHANGE_ATTEMPT_LIMIT],
            THROTTLE_WINDOW,
        )
        .await?)
    })?;
    if wait > 0 {
        return Err(AppError::TooManyRequests {
            retry_after_secs: u64::try_from(wait).unwrap_or(1),
        });
    }
    // Checked outside any transaction: it takes tens of milliseconds.
    if !password::verify(change.current, Some(stored)).await {
        return Err(AppError::field(
            "current_password",
            "is not this account's current password",
        ));
    }
    let hash = password::hash(new.secret().clone())
        .await
        .map_err(AppError::internal)?;
    let session = ctx.session.session;
    let ended = crate::in_tx!(ctx, while_password_change_due, |tx| {
        let ended = users::change_own_password(tx.conn(), session, &hash).await?;
        q::throttle_clear(tx.conn(), std::slice::from_ref(&key)).await?;
        tx.audit(AuditEvent::alteration("user", user.0));
        Ok(ended)
    })?;
    tracing::info!(user_id = %user, other_sessions_ended = ended, "password changed");
    Ok(())
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
