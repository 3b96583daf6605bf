//! Local sinks tousu's tests deliver notifications to (`tousu-notify`'s and
//! the server's): an HTTP server that records every request and answers
//! what the test asked for (per path, changeable while it runs), and a
//! small SMTP server. Tests only: nothing here is part of tousu.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("ASCII header"))
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }

    /// The query's pairs, decoded.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.query.as_deref().unwrap_or("").as_bytes())
            .into_owned()
            .collect()
    }

    pub fn query_value(&self, key: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

/// What the sink answers on one path.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
    pub delay: Option<Duration>,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply {
            status,
            body: body.to_string(),
            headers: vec![("content-type", "application/json".into())],
            delay: None,
        }
    }

    /// A JSON body written as text (`application/json`).
    pub fn new(status: u16, body: &str) -> Reply {
        Reply { status, body: body.into(), headers: vec![("content-type", "application/json".into())], delay: None }
    }

    pub fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            body: body.into(),
            headers: vec![("content-type", "text/plain; charset=utf-8".into())],
            delay: None,
        }
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Reply {
        self.delay = Some(delay);
        self
    }
}

#[derive(Clone)]
struct SinkState {
    requests: Arc<Mutex<Vec<Recorded>>>,
    replies: Arc<Mutex<HashMap<String, Reply>>>,
}

/// An HTTP server on 127.0.0.1 with a port of the system's choosing. Paths
/// it was not told about answer the vendors' success (see `default_reply`).
pub struct HttpSink {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    replies: Arc<Mutex<HashMap<String, Reply>>>,
}

impl HttpSink {
    pub async fn start(replies: Vec<(&str, Reply)>) -> HttpSink {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let state = SinkState {
            requests: requests.clone(),
            replies: Arc::new(Mutex::new(
                replies
                    .into_iter()
                    .map(|(path, reply)| (path.to_owned(), reply))
                    .collect(),
            )),
        };
        let replies = state.replies.clone();
        let app = Router::new().fallback(record).with_state(state);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        HttpSink { addr, requests, replies }
    }

    /// From now on, answer `reply` on `path`.
    pub fn reply(&self, path: &str, reply: Reply) {
        self.replies.lock().unwrap().insert(path.to_owned(), reply);
    }

    /// The requests that arrived on `path`.
    pub fn on(&self, path: &str) -> Vec<Recorded> {
        self.requests().into_iter().filter(|r| r.path == path).collect()
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{}", self.addr, path_and_query)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// The only request received.
    pub fn single(&self) -> Recorded {
        let requests = self.requests();
        assert_eq!(
            requests.len(),
            1,
            "expected exactly one request: {requests:#?}"
        );
        requests.into_iter().next().unwrap()
    }
}

/// Success as each vendor says it: Feishu (paths under `/open-apis/`)
/// answers `code`/`msg`, WeCom and DingTalk `errcode`/`errmsg`.
fn default_reply(path: &str) -> Reply {
    if path.starts_with("/open-apis/") {
        Reply::json(
            200,
            serde_json::json!({"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {}, "msg": "success"}),
        )
    } else {
        Reply::json(200, serde_json::json!({"errcode": 0, "errmsg": "ok"}))
    }
}

async fn record(
    State(state): State<SinkState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.requests.lock().unwrap().push(Recorded {
        method,
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        headers,
        body,
    });
    let reply = state
        .replies
        .lock()
        .unwrap()
        .get(uri.path())
        .cloned()
        .unwrap_or_else(|| default_reply(uri.path()));
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    let mut response = (StatusCode::from_u16(reply.status).unwrap(), reply.body).into_response();
    for (name, value) in reply.headers {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}

/// A port nothing listens on: bound, read, and released.
pub async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    port
}

/// One message as the SMTP sink received it.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The DATA section, dot-stuffing undone, CRLF line ends kept.
    pub data: Vec<u8>,
}

/// A minimal SMTP server (RFC 5321: EHLO/HELO, MAIL, RCPT, DATA, RSET,
/// NOOP, QUIT) on 127.0.0.1. `rcpt_reply`, when set, is the answer to every
/// RCPT TO (e.g. `550 5.1.1 no such user`).
pub struct SmtpSink {
    pub port: u16,
    mails: Arc<Mutex<Vec<ReceivedMail>>>,
}

impl SmtpSink {
    pub async fn start(rcpt_reply: Option<&'static str>) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let store = mails.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let store = store.clone();
                tokio::spawn(async move {
                    let _ = smtp_session(stream, store, rcpt_reply).await;
                });
            }
        });
        SmtpSink { port, mails }
    }

    pub fn mails(&self) -> Vec<ReceivedMail> {
        self.mails.lock().unwrap().clone()
    }
}

async fn smtp_session(
    stream: tokio::net::TcpStream,
    store: Arc<Mutex<Vec<ReceivedMail>>>,
    rcpt_reply: Option<&'static str>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut mail_from = String::new();
    let mut rcpt_to = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line).trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink.test greets you\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 PIPELINING\r\n"
        } else if upper.starts_with("HELO") {
            b"250 sink.test\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            mail_from = angle_address(&command);
            rcpt_to.clear();
            b"250 2.1.0 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            match rcpt_reply {
                Some(answer) => {
                    write.write_all(format!("{answer}\r\n").as_bytes()).await?;
                    continue;
                }
                None => {
                    rcpt_to.push(angle_address(&command));
                    b"250 2.1.5 OK\r\n"
                }
            }
        } else if upper == "DATA" {
            write
                .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let mut data = Vec::new();
            loop {
                line.clear();
                if reader.read_until(b'\n', &mut line).await? == 0 {
                    return Ok(());
                }
                if line == b".\r\n" || line == b".\n" {
                    break;
                }
                // Undo dot-stuffing (RFC 5321 4.5.2).
                let content = if line.starts_with(b"..") {
                    &line[1..]
                } else {
                    &line[..]
                };
                data.extend_from_slice(content);
            }
            store.lock().unwrap().push(ReceivedMail {
                mail_from: mail_from.clone(),
                rcpt_to: std::mem::take(&mut rcpt_to),
                data,
            });
            b"250 2.0.0 queued\r\n"
        } else if upper == "RSET" {
            rcpt_to.clear();
            b"250 2.0.0 OK\r\n"
        } else if upper == "NOOP" {
            b"250 2.0.0 OK\r\n"
        } else if upper == "QUIT" {
            write.write_all(b"221 2.0.0 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 5.5.2 command not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}

fn angle_address(command: &str) -> String {
    let start = command.find('<').map(|i| i + 1).unwrap_or(0);
    let end = command[start..]
        .find('>')
        .map(|i| start + i)
        .unwrap_or(command.len());
    command[start..end].to_owned()
}
