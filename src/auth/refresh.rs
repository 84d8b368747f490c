//! Refresh tokens: 256 random bits, given to the client once and stored only as SHA-256.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new token: `(the string the client keeps, the hash the database keeps)`.
pub fn generate() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = digest(&token);
    (token, hash)
}

pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A key for throttling (account or address) that does not store either in the clear.
pub fn throttle_key(kind: &str, value: &str) -> Vec<u8> {
    Sha256::digest(format!("{kind}:{value}").as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, ha) = generate();
        let (b, hb) = generate();
        assert_ne!(a, b);
        assert_eq!(ha.len(), 32);
        assert_eq!(digest(&a), ha);
        assert_ne!(ha, hb);
        assert_eq!(a.len(), 43);
    }
}
