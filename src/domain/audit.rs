//! What the audit log records (DPA 2018 s.62): the kinds of processing and one event.

use uuid::Uuid;

crate::text_enum! {
    /// The processing operations s.62 requires logs of.
    pub enum Operation {
        Collection => "collection",
        Alteration => "alteration",
        Consultation => "consultation",
        Disclosure => "disclosure",
        Combination => "combination",
        Erasure => "erasure",
    }
}

/// One audited act on personal data, recorded in the same transaction as the act.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub operation: Operation,
    /// The kind of record, e.g. `user`, `agency`, `episode`.
    pub record_type: &'static str,
    pub record_ids: Vec<Uuid>,
    /// For disclosures: who received the data (agency ids, mailboxes).
    pub recipients: Vec<String>,
    /// Why, when the operation carries its own justification (a share's purpose);
    /// otherwise the request's `X-Purpose` is recorded.
    pub purpose: Option<String>,
    /// For disclosures made under a stated lawful basis (a share's).
    pub lawful_basis: Option<String>,
}

impl AuditEvent {
    pub fn new(
        operation: Operation,
        record_type: &'static str,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> Self {
        AuditEvent {
            operation,
            record_type,
            record_ids: ids.into_iter().collect(),
            recipients: Vec::new(),
            purpose: None,
            lawful_basis: None,
        }
    }

    pub fn collection(record_type: &'static str, id: Uuid) -> Self {
        Self::new(Operation::Collection, record_type, [id])
    }

    pub fn alteration(record_type: &'static str, id: Uuid) -> Self {
        Self::new(Operation::Alteration, record_type, [id])
    }

    pub fn consultation(record_type: &'static str, ids: impl IntoIterator<Item = Uuid>) -> Self {
        Self::new(Operation::Consultation, record_type, ids)
    }

    pub fn with_recipients(mut self, recipients: Vec<String>) -> Self {
        self.recipients = recipients;
        self
    }

    /// The operation's own justification, recorded instead of the request's `X-Purpose`.
    pub fn justified_by(mut self, purpose: &str, lawful_basis: Option<&str>) -> Self {
        self.purpose = Some(purpose.to_owned());
        self.lawful_basis = lawful_basis.map(str::to_owned);
        self
    }
}

/// The `X-Purpose` header: why the caller is processing the data. Optional, but when
/// given it must be short printable text, since it is stored in the log for ever.
pub fn parse_purpose(raw: &str) -> Result<Option<String>, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().count() > 500 {
        return Err("X-Purpose must be at most 500 characters");
    }
    if s.chars().any(char::is_control) {
        return Err("X-Purpose must not contain control characters");
    }
    Ok(Some(s.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purpose_is_optional_but_bounded() {
        assert_eq!(parse_purpose("  ").unwrap(), None);
        assert_eq!(
            parse_purpose(" welfare check ").unwrap().as_deref(),
            Some("welfare check")
        );
        assert!(parse_purpose(&"x".repeat(501)).is_err());
        assert!(parse_purpose("a\nb").is_err());
    }
}
