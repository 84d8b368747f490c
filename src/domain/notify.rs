//! Notifications: which events email whom, what an email may say (a reference, what
//! happened, what is needed by when, a link: never a name, marker or circumstance), and
//! how failed deliveries are retried.

use std::time::Duration;

use chrono::{DateTime, Utc};

crate::text_enum! {
    pub enum Event {
        HighRiskEpisode => "high_risk_episode",
        TriggerFired => "trigger_fired",
        TriggerEscalated => "trigger_escalated",
        ReturnInterviewDue => "return_interview_due",
        ReturnInterviewOverdue => "return_interview_overdue",
        RecordShared => "record_shared",
        ActionAssigned => "action_assigned",
        ActionDueSoon => "action_due_soon",
        ActionOverdue => "action_overdue",
        ReviewOverdue => "review_overdue",
        LookedAfterMissingOutOfArea => "looked_after_missing_out_of_area",
        MfhcDigest => "mfhc_digest",
        AgencyDigest => "agency_digest",
        DeadLetter => "dead_letter",
        NationalNotificationOverdue => "national_notification_overdue",
        SecurityAlert => "security_alert",
        SubjectAccessDue => "subject_access_due",
        SubjectAccessOverdue => "subject_access_overdue",
    }
}

crate::text_enum! {
    pub enum RecipientKind {
        User => "user",
        Agency => "agency",
        Authority => "authority",
    }
}

crate::text_enum! {
    pub enum DeliveryStatus {
        Pending => "pending",
        Sending => "sending",
        Sent => "sent",
        Dead => "dead",
    }
}

impl Event {
    /// Digests may be opted out of; alerts never.
    pub fn is_digest(self) -> bool {
        matches!(self, Event::MfhcDigest | Event::AgencyDigest)
    }

    /// The headline of an email about this event, unless its notice names a more
    /// specific one.
    pub fn headline(self) -> &'static str {
        match self {
            Event::HighRiskEpisode => "A missing episode has been graded high risk",
            Event::TriggerFired => "A repeat-missing trigger has fired",
            Event::TriggerEscalated => "A repeat-missing trigger is still unacknowledged",
            Event::ReturnInterviewDue => "A child has returned: a return home interview is due",
            Event::ReturnInterviewOverdue => "A return home interview is overdue",
            Event::RecordShared => "A record has been shared with your agency",
            Event::ActionAssigned => "An action has been assigned to your agency",
            Event::ActionDueSoon => "An action is due soon",
            Event::ActionOverdue => "An action is overdue",
            Event::ReviewOverdue => "A supervisor review of a missing episode is overdue",
            Event::LookedAfterMissingOutOfArea => {
                "A child you placed out of area has been reported missing"
            }
            Event::MfhcDigest => "Your daily missing-from-home digest",
            Event::AgencyDigest => "Your agency's daily actions digest",
            Event::DeadLetter => "A notification could not be delivered",
            Event::NationalNotificationOverdue => {
                "A missing person's national notification is overdue"
            }
            Event::SecurityAlert => "An account is being refused repeatedly",
            Event::SubjectAccessDue => "A subject access request is due soon",
            Event::SubjectAccessOverdue => "A subject access request is overdue",
        }
    }
}

/// What an email says. Only references, times, counts and a link: the type cannot hold a
/// name, so a template cannot leak one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub event: Event,
    /// The email's headline and subject: what happened, in a few words.
    pub headline: String,
    /// The record's reference (episode reference, or a short id).
    pub reference: String,
    /// What happened, in the service's own words.
    pub what: String,
    /// What is needed (and by when, if there is a deadline).
    pub needed: String,
    pub due: Option<DateTime<Utc>>,
    /// Where to see it in Homeward.
    pub link: String,
}

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

const FOOTER: &str = "This message carries no personal details by design. \
Open Homeward to see the record; do not reply with case information.";

fn deadline(due: Option<DateTime<Utc>>) -> String {
    due.map(|d| format!(" by {}", d.format("%a %e %b %Y %H:%M UTC")))
        .unwrap_or_default()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// What an agency's shared mailbox is told about opening the record: nobody signs in as
/// the mailbox; each reader uses their own account.
const MAILBOX_SIGN_IN: &str = "This message went to your agency's shared mailbox. \
Anyone in your agency with a Homeward account can open it: follow the link and sign in \
with your own email address and password. If you have no account, ask your Homeward \
administrator for one.";

/// The email for a recipient of `kind`.
pub fn render_for(n: &Notice, kind: RecipientKind) -> Rendered {
    let mut r = render(n);
    if kind == RecipientKind::Agency {
        r.text = r
            .text
            .replacen("\n\n-- \n", &format!("\n\n{MAILBOX_SIGN_IN}\n\n-- \n"), 1);
        r.html = r.html.replacen(
            "<hr>",
            &format!("<p>{}</p><hr>", escape(MAILBOX_SIGN_IN)),
            1,
        );
    }
    r
}

pub fn render(n: &Notice) -> Rendered {
    let headline = n.headline.as_str();
    let by = deadline(n.due);
    let subject = format!("[Homeward] {headline}: {}", n.reference);
    let text = format!(
        "{headline}\n\nReference: {reference}\nWhat happened: {what}\nWhat is needed: {needed}{by}\n\
         Open it in Homeward: {link}\n\n-- \n{FOOTER}\n",
        reference = n.reference,
        what = n.what,
        needed = n.needed,
        link = n.link,
    );
    let html = format!(
        "<!doctype html><html><body>\
         <h1 style=\"font-size:1.2em\">{headline}</h1>\
         <p><strong>Reference:</strong> {reference}</p>\
         <p><strong>What happened:</strong> {what}</p>\
         <p><strong>What is needed:</strong> {needed}{by}</p>\
         <p><a href=\"{link}\">Open it in Homeward</a></p>\
         <hr><p style=\"color:#555;font-size:0.9em\">{footer}</p>\
         </body></html>",
        headline = escape(headline),
        reference = escape(&n.reference),
        what = escape(&n.what),
        needed = escape(&n.needed),
        by = escape(&by),
        link = escape(&n.link),
        footer = escape(FOOTER),
    );
    Rendered {
        subject,
        text,
        html,
    }
}

/// Retry policy: capped exponential backoff with jitter, dead after `max_attempts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base: Duration,
    pub cap: Duration,
    pub max_attempts: i32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(30),
            cap: Duration::from_secs(3600),
            max_attempts: 8,
        }
    }
}

impl RetryPolicy {
    /// After failed attempt number `attempts` (1-based): `None` to dead-letter, otherwise
    /// the wait: `base · 2^(attempts-1)`, capped, scaled by `jitter` in [0.5, 1] so that
    /// many rows failing together do not retry together.
    pub fn after_failure(&self, attempts: i32, jitter: f64) -> Option<Duration> {
        if attempts >= self.max_attempts {
            return None;
        }
        let exp = u32::try_from(attempts.saturating_sub(1))
            .unwrap_or(0)
            .min(30);
        let raw = self.base.saturating_mul(2u32.saturating_pow(exp));
        let capped = raw.min(self.cap);
        Some(capped.mul_f64(jitter.clamp(0.5, 1.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice() -> Notice {
        Notice {
            event: Event::TriggerFired,
            headline: "Repeat missing: 2 episodes within 7 days".into(),
            reference: "LDS-2026-000123".into(),
            what: "2 episodes within 7 days".into(),
            needed: "Acknowledge the trigger and record a plan".into(),
            due: None,
            link: "https://homeward.example/api/v1/triggers/x?a=1&b=2".into(),
        }
    }

    #[test]
    fn emails_carry_the_reference_what_is_needed_and_a_link() {
        let r = render(&notice());
        let mailbox = render_for(&notice(), RecipientKind::Agency);
        assert!(mailbox.text.contains("sign in with your own email address"));
        assert!(mailbox.html.contains("sign in with your own email address"));
        assert_eq!(render_for(&notice(), RecipientKind::User), r);
        assert!(r.subject.contains("LDS-2026-000123"));
        assert!(r.text.contains("What is needed: Acknowledge"));
        assert!(r
            .text
            .contains("https://homeward.example/api/v1/triggers/x?a=1&b=2"));
        assert!(r
            .html
            .contains("href=\"https://homeward.example/api/v1/triggers/x?a=1&amp;b=2\""));
    }

    #[test]
    fn html_is_escaped() {
        let mut n = notice();
        n.what = "<script>alert(1)</script>".into();
        let r = render(&n);
        assert!(!r.html.contains("<script>"));
        assert!(r.html.contains("&lt;script&gt;"));
    }

    #[test]
    fn deadlines_are_stated() {
        let mut n = notice();
        n.due = Some(
            DateTime::parse_from_rfc3339("2026-11-26T09:30:00Z")
                .unwrap()
                .with_timezone(&Utc),
        );
        assert!(render(&n).text.contains("by Thu 26 Nov 2026 09:30 UTC"));
    }

    #[test]
    fn retries_back_off_exponentially_up_to_a_cap_then_dead_letter() {
        let p = RetryPolicy {
            base: Duration::from_secs(10),
            cap: Duration::from_secs(60),
            max_attempts: 5,
        };
        assert_eq!(p.after_failure(1, 1.0), Some(Duration::from_secs(10)));
        assert_eq!(p.after_failure(2, 1.0), Some(Duration::from_secs(20)));
        assert_eq!(p.after_failure(3, 1.0), Some(Duration::from_secs(40)));
        assert_eq!(
            p.after_failure(4, 1.0),
            Some(Duration::from_secs(60)),
            "capped"
        );
        assert_eq!(p.after_failure(5, 1.0), None, "dead after the last attempt");
        assert_eq!(
            p.after_failure(2, 0.5),
            Some(Duration::from_secs(10)),
            "jitter"
        );
        assert_eq!(
            p.after_failure(2, 0.0),
            Some(Duration::from_secs(10)),
            "jitter floor"
        );
        assert_eq!(p.after_failure(1000, 1.0), None);
        let long = RetryPolicy {
            max_attempts: 1000,
            ..p
        };
        assert_eq!(long.after_failure(999, 1.0), Some(Duration::from_secs(60)));
    }

    #[test]
    fn only_digests_can_be_opted_out_of() {
        for e in Event::ALL {
            assert_eq!(
                e.is_digest(),
                matches!(e, Event::MfhcDigest | Event::AgencyDigest)
            );
        }
    }
}
