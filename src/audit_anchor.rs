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
use chrono::{DateTime, SecondsFormat, Timelike, Utc};
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
    #[serde(serialize_with = "crate::json::timestamp")]
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

    /// Signs the chain's head at `signed_at` (kept to the microsecond the signature covers).
    pub fn sign(&self, seq: i64, head_hash: &[u8], signed_at: DateTime<Utc>) -> Checkpoint {
        let signed_at = signed_at
            .with_nanosecond(signed_at.timestamp_subsec_micros() * 1000)
            .unwrap_or(signed_at);
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
    /// synced before this returns); after a line left torn by a crash, on a new line.
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
            .read(true)
            .append(true)
            .create(true)
            .mode(0o600)
            .open(&self.file)?;
        if ends_mid_line(&mut f)? {
            line.insert(0, '\n');
        }
        f.write_all(line.as_bytes())?;
        f.sync_data()
    }

    /// Every line of the file, in order: a checkpoint, or the number of a line that is not
    /// one (torn by a crash, or edited). No file yet: none.
    pub fn read(&self) -> io::Result<Vec<Line>> {
        let f = match std::fs::File::open(&self.file) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut out = Vec::new();
        for (i, line) in io::BufReader::new(f).split(b'\n').enumerate() {
            let line = line?;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            out.push(match serde_json::from_slice(&line) {
                Ok(cp) => Line::Checkpoint(cp),
                Err(_) => Line::Unreadable(i + 1),
            });
        }
        Ok(out)
    }
}

/// One line of the checkpoint file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Checkpoint(Checkpoint),
    /// The 1-based number of a line that is not a checkpoint.
    Unreadable(usize),
}

/// Whether the file's last byte is not a line end (a line torn by a crash).
fn ends_mid_line(f: &mut std::fs::File) -> io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    if f.metadata()?.len() == 0 {
        return Ok(false);
    }
    f.seek(SeekFrom::End(-1))?;
    let mut last = [0u8; 1];
    f.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
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

/// What the checkpoints show is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorProblem {
    /// Entries up to here still match a checkpoint (0: none is known good).
    pub intact_through_seq: i64,
    /// An entry at or before this one was rewritten or removed after it was signed;
    /// `None` when the file itself is at fault (a line that is not a checkpoint, or
    /// whose signature fails).
    pub rewritten_by_seq: Option<i64>,
    pub reason: String,
}

/// Compares the file's `lines` with the chain: `hash_at(seq)` is the hash the chain now
/// holds at `seq` (`None` if there is no such entry), `key` the signing key. Every line
/// must be a checkpoint with a valid signature that matches the chain; the first that
/// is not is reported (the file's own faults first), with the last checkpoint before it
/// that matched.
pub fn check(
    lines: &[Line],
    key: &VerifyingKey,
    hash_at: impl Fn(i64) -> Option<Vec<u8>>,
) -> AnchorReport {
    let checkpoints: Vec<&Checkpoint> = lines
        .iter()
        .filter_map(|l| match l {
            Line::Checkpoint(cp) => Some(cp),
            Line::Unreadable(_) => None,
        })
        .collect();
    let (signed, forged): (Vec<&Checkpoint>, Vec<&Checkpoint>) =
        checkpoints.iter().partition(|cp| signed_by(cp, key));
    let latest = signed
        .iter()
        .max_by_key(|c| (c.seq, c.signed_at))
        .map(|c| (c.seq, c.signed_at));
    let file_problem = lines
        .iter()
        .find_map(|l| match l {
            Line::Unreadable(n) => Some(format!(
                "line {n} of the checkpoint file is not a checkpoint: the file was altered or a write was cut short"
            )),
            Line::Checkpoint(_) => None,
        })
        .or_else(|| {
            forged.first().map(|cp| {
                format!(
                    "the checkpoint of entry {} dated {} does not verify: the checkpoint file was altered or signed with another key",
                    cp.seq,
                    cp.signed_at.to_rfc3339_opts(SecondsFormat::Secs, true)
                )
            })
        });
    let mut sorted = signed;
    sorted.sort_by_key(|c| (c.seq, c.signed_at));
    let mut intact = 0;
    for (n, cp) in sorted.iter().enumerate() {
        let when = cp.signed_at.to_rfc3339_opts(SecondsFormat::Secs, true);
        let found = match hash_at(cp.seq) {
            None if cp.seq > 0 => Some(format!(
                "entry {} was signed at {when} but is no longer on the chain: entries were removed",
                cp.seq
            )),
            Some(h) if STANDARD.encode(&h) != cp.head_hash => Some(format!(
                "entry {} no longer matches its checkpoint signed at {when}: an entry at or before it was rewritten or removed since",
                cp.seq
            )),
            _ => None,
        };
        if let Some(reason) = found {
            return AnchorReport {
                checked: n,
                latest,
                problem: Some(AnchorProblem {
                    intact_through_seq: intact,
                    rewritten_by_seq: Some(cp.seq),
                    reason,
                }),
            };
        }
        intact = cp.seq;
    }
    AnchorReport {
        checked: sorted.len(),
        latest,
        problem: file_problem.map(|reason| AnchorProblem {
            intact_through_seq: intact,
            rewritten_by_seq: None,
            reason,
        }),
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
        assert_eq!(
            read,
            vec![Line::Checkpoint(first), Line::Checkpoint(second)]
        );
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
        let cps: Vec<Line> = [3, 6, 9]
            .iter()
            .map(|s| Line::Checkpoint(a.sign(*s, &c[s], t)))
            .collect();
        // Entry 5 rewritten: the hashes from 5 on change.
        let mut rewritten = c.clone();
        for s in 5..=9 {
            rewritten.insert(s, vec![s as u8; 32]);
        }
        let r = check(&cps, &a.public_key(), |s| rewritten.get(&s).cloned());
        let p = r.problem.expect("found");
        assert_eq!((p.intact_through_seq, p.rewritten_by_seq), (3, Some(6)));
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
        let good = a.sign(2, &c[&2], t);
        let r = check(
            &[Line::Checkpoint(good), Line::Checkpoint(forged)],
            &a.public_key(),
            |s| c.get(&s).cloned(),
        );
        let p = r.problem.unwrap();
        assert!(p.reason.contains("does not verify"), "{}", p.reason);
        assert_eq!((p.intact_through_seq, p.rewritten_by_seq), (2, None));
        // The forged line, though later, is not the latest checkpoint.
        assert_eq!(r.latest.map(|l| l.0), Some(2));
        let mut edited = a.sign(4, &c[&4], t);
        edited.seq = 3;
        edited.head_hash = STANDARD.encode(&c[&3]);
        let r = check(&[Line::Checkpoint(edited)], &a.public_key(), |s| {
            c.get(&s).cloned()
        });
        assert!(r.problem.unwrap().reason.contains("does not verify"));
    }

    #[test]
    fn a_torn_line_is_reported_and_the_next_checkpoint_starts_on_a_new_line() {
        let a = anchor(5);
        let c = chain(2);
        let t = Utc::now();
        a.append(&a.sign(1, &c[&1], t)).unwrap();
        // A crash cut the next write short.
        {
            let mut f = OpenOptions::new().append(true).open(a.file()).unwrap();
            f.write_all(b"{\"seq\":2,\"head_ha").unwrap();
        }
        a.append(&a.sign(2, &c[&2], t)).unwrap();
        let lines = a.read().unwrap();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[1], Line::Unreadable(2));
        let r = check(&lines, &a.public_key(), |s| c.get(&s).cloned());
        assert_eq!(r.checked, 2);
        let p = r.problem.unwrap();
        assert!(p.reason.contains("line 2"), "{}", p.reason);
        assert_eq!(p.rewritten_by_seq, None);
        let _ = std::fs::remove_file(a.file());
    }

    #[test]
    fn the_signed_time_is_the_microsecond_the_signature_covers() {
        let a = anchor(6);
        let t = DateTime::parse_from_rfc3339("2026-12-06T07:52:14.081284184Z")
            .unwrap()
            .with_timezone(&Utc);
        let cp = a.sign(1, &[0; 32], t);
        assert_eq!(cp.signed_at.timestamp_subsec_nanos(), 81_284_000);
        assert!(signed_by(&cp, &a.public_key()));
    }
}
