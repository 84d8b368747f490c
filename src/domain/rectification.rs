//! Rectification (DPA 2018 s.47): the data are corrected through the normal edits, and a
//! note links the request to the changes (audit log entries) made for it.

/// The entries a note may not link: repeated, or not a change to the person's records
/// (`changes`: the sequence numbers of every entry that made or changed one). Empty when
/// every link is sound; a note that changed nothing (a request refused) links none.
pub fn unsound_links(links: &[i64], changes: &[i64]) -> Vec<i64> {
    let mut seen = std::collections::BTreeSet::new();
    let mut bad = Vec::new();
    for &seq in links {
        if !seen.insert(seq) || !changes.contains(&seq) {
            bad.push(seq);
        }
    }
    bad.sort_unstable();
    bad.dedup();
    bad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_links_only_changes_to_the_persons_records_each_once() {
        let changes = [3, 8, 21];
        assert!(unsound_links(&[], &changes).is_empty());
        assert!(unsound_links(&[8, 21], &changes).is_empty());
        assert_eq!(unsound_links(&[8, 9], &changes), vec![9]);
        assert_eq!(unsound_links(&[3, 3, 22, 1], &changes), vec![1, 3, 22]);
    }
}
