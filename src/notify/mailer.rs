//! Sending one outbox row over SMTP with lettre: TLS as configured, a timeout, and the
//! row's own `Message-ID`, so a redelivery is recognisably the same message.

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use super::config::{Security, SmtpSettings};
use crate::db::outbox::OutboxRow;

/// Why a send failed, as the retry logic needs it.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The row cannot become a message (a bad address): retrying will not help.
    #[error("the message cannot be built: {0}")]
    Message(String),
    /// The server refused or could not be reached; `permanent` for 5xx answers.
    #[error("{message}")]
    Smtp { message: String, permanent: bool },
}

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(s: &SmtpSettings) -> Result<Mailer, String> {
        let from: Mailbox = s
            .from
            .parse()
            .map_err(|e| format!("HOMEWARD_SMTP_FROM is not an address: {e}"))?;
        let builder = match s.security {
            Security::ImplicitTls => {
                let tls = TlsParameters::new(s.host.clone()).map_err(|e| e.to_string())?;
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host)
                    .tls(Tls::Wrapper(tls))
            }
            Security::StartTls => {
                let tls = TlsParameters::new(s.host.clone()).map_err(|e| e.to_string())?;
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host)
                    .tls(Tls::Required(tls))
            }
            Security::Plain => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
        };
        let mut builder = builder
            .port(s.port)
            .timeout(Some(s.timeout))
            .pool_config(PoolConfig::new().max_size(s.max_connections.max(1)));
        if let (Some(u), Some(p)) = (&s.username, &s.password) {
            builder =
                builder.credentials(Credentials::new(u.clone(), p.expose_secret().to_owned()));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    pub async fn send(&self, row: &OutboxRow) -> Result<(), SendError> {
        let to: Mailbox = row
            .recipient
            .parse()
            .map_err(|e| SendError::Message(format!("bad recipient: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .message_id(Some(row.message_id.clone()))
            .multipart(MultiPart::alternative_plain_html(
                row.body_text.clone(),
                row.body_html.clone(),
            ))
            .map_err(|e| SendError::Message(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|e| SendError::Smtp {
                permanent: e.is_permanent(),
                message: e.to_string(),
            })
    }
}
