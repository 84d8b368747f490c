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
/// path naming a record (recorded only if the record exists). Not a 403 that asks the
/// caller to change a reset password: that is not probing.
pub fn refusal_kind(
    status: u16,
    names_record: bool,
    password_change_due: bool,
) -> Option<SecurityEventKind> {
    match status {
        403 if !password_change_due => Some(SecurityEventKind::Forbidden),
        404 if names_record => Some(SecurityEventKind::HiddenRecord),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
