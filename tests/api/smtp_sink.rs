//! A real SMTP server on loopback for the tests (and the outbox benchmark): it speaks
//! the protocol over TCP (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps what it
//! accepts, and can be told to answer DATA with 4xx/5xx codes or to go down and come
//! back on the same port.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    /// Headers and body as sent (dot-unstuffed).
    pub data: String,
}

impl Received {
    /// The value of a header (first occurrence, unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        let mut lines = self.data.lines().take_while(|l| !l.is_empty()).peekable();
        while let Some(l) = lines.next() {
            if l.to_ascii_lowercase().starts_with(&prefix) {
                let mut value = l[prefix.len()..].trim().to_owned();
                while let Some(next) = lines.next_if(|n| n.starts_with([' ', '\t'])) {
                    value.push(' ');
                    value.push_str(next.trim());
                }
                return Some(value);
            }
        }
        None
    }
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    /// Replies to the next DATA ends, in order; then `always` (or 250).
    script: VecDeque<u16>,
    always: Option<u16>,
    /// How long each message takes to be accepted (a slow server).
    delay: std::time::Duration,
}

pub struct SmtpSink {
    pub port: u16,
    state: Arc<Mutex<State>>,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind sink");
        let port = listener.local_addr().unwrap().port();
        let sink = SmtpSink {
            port,
            state: Arc::default(),
            tasks: Arc::default(),
        };
        sink.serve(listener);
        sink
    }

    fn serve(&self, listener: TcpListener) {
        let (state, tasks) = (self.state.clone(), self.tasks.clone());
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let conn = tokio::spawn(session(stream, state.clone()));
                tasks.lock().unwrap().push(conn);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    /// Stops listening and drops every open connection: the server is down.
    pub fn stop(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }

    /// Comes back on the same port.
    pub async fn restart(&self) {
        self.stop();
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(l) => break l,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                Err(e) => panic!("rebind sink: {e}"),
            }
        };
        self.serve(listener);
    }

    /// The next DATA commands are answered with these codes, in order.
    pub fn reply_next(&self, codes: &[u16]) {
        self.state.lock().unwrap().script.extend(codes);
    }

    /// Every DATA is answered with `code` (`None`: accept again).
    pub fn reply_always(&self, code: Option<u16>) {
        self.state.lock().unwrap().always = code;
    }

    /// Each message is accepted only after `delay` (a slow server: a batch takes a while).
    pub fn delay_each(&self, delay: std::time::Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn session(stream: TcpStream, state: Arc<Mutex<State>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let mut to = Vec::new();
    if write.write_all(b"220 sink.test ESMTP\r\n").await.is_err() {
        return;
    }
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            "250-sink.test\r\n250 8BITMIME\r\n".into()
        } else if upper.starts_with("MAIL FROM") {
            to.clear();
            "250 OK\r\n".into()
        } else if upper.starts_with("RCPT TO") {
            let addr = line[8..].trim().trim_start_matches(':').trim();
            to.push(addr.trim_matches(|c| c == '<' || c == '>').to_owned());
            "250 OK\r\n".into()
        } else if upper == "DATA" {
            if write.write_all(b"354 go ahead\r\n").await.is_err() {
                return;
            }
            let mut data = String::new();
            while let Ok(Some(l)) = lines.next_line().await {
                if l == "." {
                    break;
                }
                data.push_str(l.strip_prefix('.').unwrap_or(&l));
                data.push('\n');
            }
            let delay = state.lock().unwrap().delay;
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let code = {
                let mut s = state.lock().unwrap();
                let code = s.script.pop_front().or(s.always).unwrap_or(250);
                if code == 250 {
                    s.received.push(Received {
                        to: std::mem::take(&mut to),
                        data,
                    });
                }
                code
            };
            match code {
                250 => "250 queued\r\n".into(),
                c if c < 500 => format!("{c} 4.3.0 try again later\r\n"),
                c => format!("{c} 5.1.1 mailbox unavailable\r\n"),
            }
        } else if upper.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            "250 OK\r\n".into()
        };
        if write.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}
