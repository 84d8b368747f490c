//! argon2id password hashing, always off the async workers (it takes tens of ms).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use std::sync::OnceLock;

/// OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane.
const M_COST_KIB: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

fn hasher() -> Argon2<'static> {
    // The parameters are constants within argon2's documented bounds.
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes on the blocking pool. Returns a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub async fn hash(password: SecretString) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || hash_blocking(password.expose_secret()))
        .await
        .map_err(|e| HashError(e.to_string()))?
}

pub fn hash_blocking(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Verifies on the blocking pool. With no stored hash (unknown account) it verifies
/// against a dummy hash instead, so both answers take about as long.
pub async fn verify(password: SecretString, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let real_account = stored.is_some();
        let Ok(parsed) = PasswordHash::new(stored.as_deref().unwrap_or_else(|| dummy_hash()))
        else {
            return false;
        };
        let ok = hasher()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok();
        ok && real_account
    })
    .await
    .unwrap_or(false)
}

/// Computes the dummy hash now, so the first login for an unknown account takes no
/// longer than later ones (call at start-up, off the async workers).
pub fn warm_up() {
    let _ = dummy_hash();
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random: String = uuid::Uuid::new_v4().to_string();
        hash_blocking(&random).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password() {
        let h = hash("correct horse battery".to_owned().into())
            .await
            .unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery".to_owned().into(), Some(h.clone())).await);
        assert!(!verify("wrong horse battery".to_owned().into(), Some(h)).await);
    }

    #[tokio::test]
    async fn an_unknown_account_never_verifies() {
        assert!(!verify("anything at all".to_owned().into(), None).await);
        assert!(
            !verify(
                "anything at all".to_owned().into(),
                Some("not a phc string".into())
            )
            .await
        );
    }
}
