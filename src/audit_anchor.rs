//! Signed checkpoints of the audit chain (issue 20), like a Certificate Transparency
//! signed tree head: the chain's length and head hash, with the time, signed with an
//! Ed25519 key the database never holds, and appended to a file outside the database
//! (and the service log). A database superuser can rewrite the chain so that it checks
//! out against itself, but cannot make it match a checkpoint signed before the rewrite,
//! nor sign a new one; `/audit/verify` compares the chain with every checkpoint.

use std::fs::OpenOptions;
use std::io::{self, BufRead, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One signed checkpoint, as a line of the checkpoint file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Checkpoint {
    /// The chain's length (its last entry's `seq`) when signed.
    pub seq: i64,
    /// Base64 SHA-256 hash of entry `seq` (the chain's head).
    pub head_hash: String,
    pub signed_at: DateTime<Utc>,
    /// Names the signing key: the first 16 hex digits of its public key's SHA-256.
    pub key_id: String,
    /// Base64 Ed25519 signature over [`statement`].
    pub signature: String,
}

/// What is signed: a fixed label, then the fields, one a line (so no field can be read
/// as another).
pub fn statement(seq: i64, head_hash: &str, signed_at: DateTime<Utc>) -> String {
    format!(
        "homeward-audit-checkpoint/v1\nseq={seq}\nhead_hash={head_hash}\nsigned_at={}\n",
        signed_at.to_rfc3339_opts(SecondsFormat::Micros, true)
    )
}

fn key_id(key: &VerifyingKey) -> String {
    Sha256::digest(key.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `cp` is signed by `key`.
pub fn signed_by(cp: &Checkpoint, key: &VerifyingKey) -> bool {
    let Ok(bytes) = STANDARD.decode(&cp.signature) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(&bytes) else {
        return false;
    };
    key.verify(
        statement(cp.seq, &cp.head_hash, cp.signed_at).as_bytes(),
        &sig,
    )
    .is_ok()
}

/// The signing key and the file checkpoints are appended to.
pub struct AuditAnchor {
    key: SigningKey,
    file: PathBuf,
    /// One append at a time from this process (each is one `write` of one line).
    appending: Mutex<()>,
}

impl std::fmt::Debug for AuditAnchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditAnchor")
            .field("key_id", &self.key_id())
            .field("file", &self.file)
            .finish()
    }
}

impl AuditAnchor {
    /// The key from its 32-byte seed, checkpoints appended to `file`.
    pub fn new(seed: [u8; 32], file: PathBuf) -> Self {
        AuditAnchor {
            key: SigningKey::from_bytes(&seed),
            file,
            appending: Mutex::new(()),
        }
    }

    pub fn public_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// Base64 of the raw 32-byte public key, for checking checkpoints elsewhere.
    pub fn public_key_base64(&self) -> String {
        STANDARD.encode(self.public_key().as_bytes())
    }

    pub fn key_id(&self) -> String {
        key_id(&self.public_key())
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Signs the chain's head at `signed_at`.
    pub fn sign(&self, seq: i64, head_hash: &[u8], signed_at: DateTime<Utc>) -> Checkpoint {
        let head_hash = STANDARD.encode(head_hash);
        let signature = self
            .key
            .sign(statement(seq, &head_hash, signed_at).as_bytes());
        Checkpoint {
            seq,
            head_hash,
            signed_at,
            key_id: self.key_id(),
            signature: STANDARD.encode(signature.to_bytes()),
        }
    }

    /// Appends `cp` as one line (the file is created 0600, opened append-only, and
    /// synced before this returns).
    pub fn append(&self, cp: &Checkpoint) -> io::Result<()> {
        let mut line = serde_json::to_string(cp).map_err(io::Error::other)?;
        line.push('\n');
        let _one_at_a_time = self
            .appending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut f = OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(&self.file)?;
        f.write_all(line.as_bytes())?;
        f.sync_data()
    }

    /// Every checkpoint in the file, in order; a line that is not one is an error naming
    /// its line number (someone edited the file). No file yet: none.
    pub fn read(&self) -> io::Result<Vec<Checkpoint>> {
        let f = match std::fs::File::open(&self.file) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut out = Vec::new();
        for (i, line) in io::BufReader::new(f).lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let cp = serde_json::from_str(&line).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "line {} of {} is not a checkpoint: {e}",
                        i + 1,
                        self.file.display()
                    ),
                )
            })?;
            out.push(cp);
        }
        Ok(out)
    }
}

/// How the chain compares with the signed checkpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorReport {
    /// Checkpoints compared with the chain.
    pub checked: usize,
    /// The latest checkpoint's length and time.
    pub latest: Option<(i64, DateTime<Utc>)>,
    pub problem: Option<AnchorProblem>,
}

/// What the first checkpoint the chain disagrees with shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorProblem {
    /// Entries up to here still match a checkpoint (0: none is known good).
    pub intact_through_seq: i64,
    /// An entry at or before this one was rewritten or removed after it was signed.
    pub rewritten_by_seq: i64,
    pub reason: String,
}

/// Compares `checkpoints` (in file order) with the chain: `hash_at(seq)` is the hash the
/// chain now holds at `seq` (`None` if there is no such entry), `key` the signing key.
/// Every checkpoint must carry a valid signature and match the chain; the first that
/// does not is reported, with the last one before it that did.
pub fn check(
    checkpoints: &[Checkpoint],
    key: &VerifyingKey,
    hash_at: impl Fn(i64) -> Option<Vec<u8>>,
) -> AnchorReport {
    let mut sorted: Vec<&Checkpoint> = checkpoints.iter().collect();
    sorted.sort_by_key(|c| (c.seq, c.signed_at));
    let latest = checkpoints
        .iter()
        .max_by_key(|c| c.signed_at)
        .map(|c| (c.seq, c.signed_at));
    let mut intact = 0;
    for (n, cp) in sorted.iter().enumerate() {
        let problem = |reason: String| AnchorProblem {
            intact_through_seq: intact,
            rewritten_by_seq: cp.seq,
            reason,
        };
        let when = cp.signed_at.to_rfc3339_opts(SecondsFormat::Secs, true);
        let found = if !signed_by(cp, key) {
            Some(problem(format!(
                "the checkpoint of entry {} signed at {when} does not verify: the checkpoint file was altered or signed with another key",
                cp.seq
            )))
        } else {
            match hash_at(cp.seq) {
                None if cp.seq > 0 => Some(problem(format!(
                    "entry {} was signed at {when} but is no longer on the chain: entries were removed",
                    cp.seq
                ))),
                Some(h) if STANDARD.encode(&h) != cp.head_hash => Some(problem(format!(
                    "entry {} no longer matches its checkpoint signed at {when}: an entry at or before it was rewritten or removed since",
                    cp.seq
                ))),
                _ => None,
            }
        };
        if let Some(p) = found {
            return AnchorReport {
                checked: n,
                latest,
                problem: Some(p),
            };
        }
        intact = cp.seq;
    }
    AnchorReport {
        checked: sorted.len(),
        latest,
        problem: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn anchor(seed: u8) -> AuditAnchor {
        let file =
            std::env::temp_dir().join(format!("homeward-anchor-{}.jsonl", uuid::Uuid::new_v4()));
        AuditAnchor::new([seed; 32], file)
    }

    fn chain(n: i64) -> HashMap<i64, Vec<u8>> {
        (1..=n)
            .map(|s| (s, Sha256::digest(s.to_be_bytes()).to_vec()))
            .collect()
    }

    #[test]
    fn checkpoints_round_trip_through_the_file_and_verify() {
        let a = anchor(1);
        let c = chain(5);
        let t = Utc::now();
        let first = a.sign(3, &c[&3], t);
        let second = a.sign(5, &c[&5], t + chrono::Duration::seconds(1));
        a.append(&first).unwrap();
        a.append(&second).unwrap();
        let read = a.read().unwrap();
        assert_eq!(read, vec![first, second]);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(a.file()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let r = check(&read, &a.public_key(), |s| c.get(&s).cloned());
        assert_eq!(r.checked, 2);
        assert_eq!(r.problem, None);
        assert_eq!(r.latest.map(|l| l.0), Some(5));
        let _ = std::fs::remove_file(a.file());
    }

    #[test]
    fn a_rewritten_entry_is_located_between_checkpoints() {
        let a = anchor(2);
        let c = chain(9);
        let t = Utc::now();
        let cps = vec![
            a.sign(3, &c[&3], t),
            a.sign(6, &c[&6], t),
            a.sign(9, &c[&9], t),
        ];
        // Entry 5 rewritten: the hashes from 5 on change.
        let mut rewritten = c.clone();
        for s in 5..=9 {
            rewritten.insert(s, vec![s as u8; 32]);
        }
        let r = check(&cps, &a.public_key(), |s| rewritten.get(&s).cloned());
        let p = r.problem.expect("found");
        assert_eq!((p.intact_through_seq, p.rewritten_by_seq), (3, 6));
        assert_eq!(r.checked, 1);
        assert!(p.reason.contains("rewritten"), "{}", p.reason);

        // One entry deleted and the chain renumbered: entry 9 is gone.
        let mut shorter = c.clone();
        shorter.remove(&9);
        let r = check(&cps[2..], &a.public_key(), |s| shorter.get(&s).cloned());
        assert!(r.problem.unwrap().reason.contains("removed"));
    }

    #[test]
    fn a_forged_or_edited_checkpoint_does_not_verify() {
        let a = anchor(3);
        let other = anchor(4);
        let c = chain(4);
        let t = Utc::now();
        let forged = other.sign(4, &c[&4], t);
        let r = check(&[forged], &a.public_key(), |s| c.get(&s).cloned());
        assert!(r.problem.unwrap().reason.contains("does not verify"));
        let mut edited = a.sign(4, &c[&4], t);
        edited.seq = 3;
        edited.head_hash = STANDARD.encode(&c[&3]);
        let r = check(&[edited], &a.public_key(), |s| c.get(&s).cloned());
        assert!(r.problem.unwrap().reason.contains("does not verify"));
    }

    #[test]
    fn a_line_that_is_not_a_checkpoint_is_reported() {
        let a = anchor(5);
        std::fs::write(a.file(), "{\"seq\":1}\n").unwrap();
        let e = a.read().unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
        let _ = std::fs::remove_file(a.file());
    }
}
