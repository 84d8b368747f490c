//! Access tokens: HS256 JWTs, at most 15 minutes, every registered claim required and
//! checked, the algorithm pinned (so `alg: none` or an algorithm swap is refused).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretSlice};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{SessionId, UserId};

pub const ISSUER: &str = "homeward";
pub const AUDIENCE: &str = "homeward-api";
/// Clock skew tolerated on `exp` and `iat`.
pub const LEEWAY_SECS: u64 = 5;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    pub sub: UserId,
    pub exp: i64,
    pub iat: i64,
    pub jti: Uuid,
    /// The session (refresh-token family) the token belongs to.
    pub sid: SessionId,
    /// The account's token version when issued.
    pub ver: i32,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_secs: i64,
    verified: Arc<Verified>,
}

/// Tokens this process has verified, by their exact text, with their claims. A client
/// sends the same token with every request for up to 15 minutes; found here, it is not
/// decoded, HMAC-checked and parsed again (about 3% of a read's service CPU; issue 21).
/// Only tokens `verify` accepted are kept, and expiry is checked on every use as
/// `jsonwebtoken` checks it. Revocation is unaffected: every request's session check in
/// the database asks whether the session and token version still hold.
#[derive(Default)]
struct Verified(Mutex<HashMap<Box<str>, AccessClaims>>);

/// The most tokens `Verified` holds; when full it starts again empty (a token then costs
/// one verification more).
const VERIFIED_MAX: usize = 4096;

impl Verified {
    fn get(&self, token: &str) -> Option<AccessClaims> {
        self.lock().get(token).cloned()
    }

    fn keep(&self, token: &str, claims: &AccessClaims) {
        let mut held = self.lock();
        if held.len() >= VERIFIED_MAX {
            held.clear();
        }
        held.insert(token.into(), claims.clone());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Box<str>, AccessClaims>> {
        // A map of verified tokens cannot be left half-changed by a panic that matters:
        // at worst an entry is missing, and the token is verified again.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JwtError {
    #[error("the signing secret must be at least 32 bytes (256 bits)")]
    WeakSecret,
    #[error("access tokens may live at most 900 seconds")]
    TtlTooLong,
    #[error("could not sign the token: {0}")]
    Sign(jsonwebtoken::errors::Error),
}

impl JwtKeys {
    pub fn new(secret: &SecretSlice<u8>, ttl_secs: i64) -> Result<Self, JwtError> {
        let bytes = secret.expose_secret();
        if bytes.len() < 32 {
            return Err(JwtError::WeakSecret);
        }
        if !(1..=900).contains(&ttl_secs) {
            return Err(JwtError::TtlTooLong);
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        Ok(JwtKeys {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
            ttl_secs,
            verified: Arc::default(),
        })
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    pub fn issue(
        &self,
        user: UserId,
        session: SessionId,
        token_version: i32,
    ) -> Result<String, JwtError> {
        let now = Utc::now().timestamp();
        let claims = AccessClaims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user,
            exp: now + self.ttl_secs,
            iat: now,
            jti: Uuid::new_v4(),
            sid: session,
            ver: token_version,
        };
        self.sign(&claims)
    }

    /// Signs arbitrary claims with this key (tests use it to forge near-valid tokens).
    pub fn sign(&self, claims: &AccessClaims) -> Result<String, JwtError> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding).map_err(JwtError::Sign)
    }

    /// Verifies signature, algorithm, issuer, audience, expiry and issue time; a token
    /// verified before is only checked for expiry (`Verified`).
    pub fn verify(&self, token: &str) -> Option<AccessClaims> {
        self.verify_at(token, Utc::now().timestamp())
    }

    fn verify_at(&self, token: &str, now: i64) -> Option<AccessClaims> {
        let leeway = LEEWAY_SECS as i64;
        if let Some(claims) = self.verified.get(token) {
            // What `jsonwebtoken` refuses as expired (`exp < now - leeway`). Its issue
            // time was checked when it was kept, and the clock has only moved on since.
            return (claims.exp >= now - leeway).then_some(claims);
        }
        let claims = decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .ok()?
            .claims;
        let lifetime_ok = claims.exp - claims.iat <= self.ttl_secs && claims.iat <= now + leeway;
        if !lifetime_ok {
            return None;
        }
        self.verified.keep(token, &claims);
        Some(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    fn keys() -> JwtKeys {
        JwtKeys::new(&SecretSlice::from(vec![7u8; 32]), 900).unwrap()
    }

    /// Valid claims issued at `iat`, expiring at `exp`.
    fn claims(iat: i64, exp: i64) -> AccessClaims {
        AccessClaims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: UserId::new(),
            exp,
            iat,
            jti: Uuid::new_v4(),
            sid: SessionId::new(),
            ver: 1,
        }
    }

    #[test]
    fn an_issued_token_verifies() {
        let k = keys();
        let (u, s) = (UserId::new(), SessionId::new());
        let c = k.verify(&k.issue(u, s, 3).unwrap()).unwrap();
        assert_eq!((c.sub, c.sid, c.ver), (u, s, 3));
    }

    #[test]
    fn short_secrets_and_long_lifetimes_are_refused() {
        assert!(matches!(
            JwtKeys::new(&SecretSlice::from(vec![1u8; 31]), 900),
            Err(JwtError::WeakSecret)
        ));
        assert!(matches!(
            JwtKeys::new(&SecretSlice::from(vec![1u8; 32]), 901),
            Err(JwtError::TtlTooLong)
        ));
    }

    #[test]
    fn alg_none_is_refused() {
        let k = keys();
        let token = k.issue(UserId::new(), SessionId::new(), 1).unwrap();
        let payload = token.split('.').nth(1).unwrap();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(k.verify(&format!("{header}.{payload}.")).is_none());
    }

    #[test]
    fn a_tampered_payload_is_refused() {
        let k = keys();
        let token = k.issue(UserId::new(), SessionId::new(), 1).unwrap();
        let mut parts: Vec<String> = token.split('.').map(String::from).collect();
        let mut claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
        claims["ver"] = serde_json::json!(99);
        parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
        assert!(k.verify(&parts.join(".")).is_none());
    }

    #[test]
    fn wrong_audience_issuer_and_expired_tokens_are_refused() {
        let k = keys();
        let now = Utc::now().timestamp();
        let base = claims(now, now + 60);
        assert!(k.verify(&k.sign(&base).unwrap()).is_some());
        assert!(k
            .verify(
                &k.sign(&AccessClaims {
                    aud: "other".into(),
                    ..base.clone()
                })
                .unwrap()
            )
            .is_none());
        assert!(k
            .verify(
                &k.sign(&AccessClaims {
                    iss: "other".into(),
                    ..base.clone()
                })
                .unwrap()
            )
            .is_none());
        let expired = AccessClaims {
            exp: now - LEEWAY_SECS as i64 - 1,
            iat: now - 100,
            ..base.clone()
        };
        assert!(k.verify(&k.sign(&expired).unwrap()).is_none());
        let from_future = AccessClaims {
            iat: now + 600,
            exp: now + 900,
            ..base.clone()
        };
        assert!(k.verify(&k.sign(&from_future).unwrap()).is_none());
        let too_long = AccessClaims {
            exp: now + 3600,
            ..base
        };
        assert!(k.verify(&k.sign(&too_long).unwrap()).is_none());
    }

    #[test]
    fn a_verified_token_is_taken_from_memory_until_it_expires_as_jsonwebtoken_would_refuse_it() {
        let k = keys();
        let token = k.issue(UserId::new(), SessionId::new(), 2).unwrap();
        let first = k.verify(&token).unwrap();
        assert_eq!(k.verified.get(&token), Some(first.clone()));
        let leeway = LEEWAY_SECS as i64;
        // The last second `jsonwebtoken` accepts (`exp < now - leeway` is refused), and
        // the first it refuses.
        assert_eq!(k.verify_at(&token, first.exp + leeway), Some(first.clone()));
        assert_eq!(k.verify_at(&token, first.exp + leeway + 1), None);
        // The same boundary, decoded in full by a process that has not seen the token.
        let fresh = keys();
        let now = Utc::now().timestamp();
        let at_the_edge = AccessClaims {
            exp: now - leeway,
            iat: now - 100,
            ..first.clone()
        };
        assert!(fresh.verify(&fresh.sign(&at_the_edge).unwrap()).is_some());
    }

    #[test]
    fn only_accepted_tokens_are_kept_and_a_changed_one_is_verified_in_full() {
        let k = keys();
        let token = k.issue(UserId::new(), SessionId::new(), 1).unwrap();
        assert!(k.verify(&token).is_some());
        // The kept token with its signature's first character changed.
        let at = token.rfind('.').unwrap() + 1;
        let first = &token[at..=at];
        let other = if first == "A" { "B" } else { "A" };
        let forged = format!("{}{other}{}", &token[..at], &token[at + 1..]);
        assert!(k.verify(&forged).is_none());
        assert!(k.verified.get(&forged).is_none());
        let now = Utc::now().timestamp();
        let refused = k.sign(&claims(now, now + 3600)).unwrap();
        assert!(k.verify(&refused).is_none());
        assert!(k.verified.get(&refused).is_none());
    }

    #[test]
    fn the_kept_tokens_are_bounded() {
        let k = keys();
        let now = Utc::now().timestamp();
        let kept = claims(now, now + 60);
        for i in 0..VERIFIED_MAX + 10 {
            k.verified.keep(&format!("token-{i}"), &kept);
        }
        let held = k.verified.lock().len();
        assert!((1..=VERIFIED_MAX).contains(&held), "{held} tokens kept");
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let other = JwtKeys::new(&SecretSlice::from(vec![8u8; 32]), 900).unwrap();
        let token = other.issue(UserId::new(), SessionId::new(), 1).unwrap();
        assert!(keys().verify(&token).is_none());
    }
}
