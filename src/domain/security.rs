//! Security events (issue 20): what is worth recording about a refused request, apart
//! from the audit chain (which records processing of personal data).

crate::text_enum! {
    /// What happened.
    pub enum SecurityEventKind {
        /// A sign-in with a wrong email or password, or a deactivated account.
        LoginFailed => "login_failed",
        /// A sign-in refused by the throttle.
        LoginThrottled => "login_throttled",
        /// A signed-in caller refused (403).
        Forbidden => "forbidden",
        /// A signed-in caller told a record that exists is not found (404): it is outside
        /// the caller's policies.
        HiddenRecord => "hidden_record",
    }
}

/// Which kind of event a signed-in caller's answer is, if any: a 403, or a 404 for a
/// path naming a record (recorded only if the record exists). Not a 403 `explained` by
/// something other than the caller's role (a reset password to change first, a record
/// restricted until a reason is stated): that is not probing.
pub fn refusal_kind(status: u16, names_record: bool, explained: bool) -> Option<SecurityEventKind> {
    match status {
        403 if !explained => Some(SecurityEventKind::Forbidden),
        404 if names_record => Some(SecurityEventKind::HiddenRecord),
        _ => None,
    }
}

/// The table whose record a route's `{id}` names (API and web pages alike), for telling
/// a record outside the caller's policies from one that does not exist.
pub fn record_table(route: &str) -> Option<&'static str> {
    const PREFIXES: &[(&str, &str)] = &[
        ("persons/{id}", "persons"),
        ("episodes/{id}", "episodes"),
        ("triggers/{id}", "triggers"),
        ("referrals/{id}", "referrals"),
        ("actions/{id}", "actions"),
        ("shares/{id}", "shares"),
        ("users/{id}", "users"),
        ("agencies/{id}", "agencies"),
        ("trigger-rules/{id}", "trigger_rules"),
        ("person-merges/{id}", "person_merges"),
        ("notifications/{id}", "outbox"),
        ("subject-access-requests/{id}", "subject_access_requests"),
    ];
    let path = route
        .strip_prefix("/api/v1/")
        .or_else(|| route.strip_prefix('/'))?;
    PREFIXES
        .iter()
        .find(|(prefix, _)| path.starts_with(prefix))
        .map(|(_, table)| *table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_names_the_table_of_its_record() {
        assert_eq!(record_table("/api/v1/episodes/{id}"), Some("episodes"));
        assert_eq!(
            record_table("/api/v1/persons/{id}/protocols/{protocol}"),
            Some("persons")
        );
        assert_eq!(
            record_table("/api/v1/notifications/{id}/retry"),
            Some("outbox")
        );
        assert_eq!(record_table("/episodes/{id}/{form}"), Some("episodes"));
        assert_eq!(record_table("/api/v1/episodes"), None);
        assert_eq!(record_table("/api/v1/reference"), None);
    }

    #[test]
    fn refusals_worth_recording() {
        use SecurityEventKind::*;
        assert_eq!(refusal_kind(403, false, false), Some(Forbidden));
        assert_eq!(refusal_kind(403, true, false), Some(Forbidden));
        assert_eq!(refusal_kind(403, false, true), None);
        assert_eq!(refusal_kind(404, true, false), Some(HiddenRecord));
        assert_eq!(refusal_kind(404, false, false), None);
        assert_eq!(refusal_kind(400, true, false), None);
        assert_eq!(refusal_kind(200, true, false), None);
    }
}
