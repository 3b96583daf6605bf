//! Local receivers that notifications are delivered to: an HTTP server
//! that records every request and answers what the test tells it (per
//! path, changeable while it runs), and a small SMTP server (RFC 5321:
//! EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Request {
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the body is JSON")
    }

    pub fn query_value(&self, key: &str) -> Option<String> {
        url::form_urlencoded::parse(self.query.as_deref().unwrap_or("").as_bytes())
            .into_owned()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

/// What the sink answers on a path: status, body and headers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub fn new(status: u16, body: &str) -> Reply {
        Reply { status, body: body.to_string(), headers: vec![("content-type", "application/json".into())] }
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
}

#[derive(Clone, Default)]
struct Shared {
    requests: Arc<Mutex<Vec<Request>>>,
    replies: Arc<Mutex<HashMap<String, Reply>>>,
}

/// An HTTP server on 127.0.0.1. Paths it was not told about answer each
/// vendor's success: Feishu (`/open-apis/…`) `{"code":0}`, anything else
/// `{"errcode":0}` with 200 (what WeCom and DingTalk answer, and a 2xx for webhooks).
pub struct HttpSink {
    pub addr: std::net::SocketAddr,
    shared: Shared,
}

impl HttpSink {
    pub async fn start() -> HttpSink {
        let shared = Shared::default();
        let app = Router::new().fallback(record).with_state(shared.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        HttpSink { addr, shared }
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{}", self.addr, path_and_query)
    }

    /// From now on, answer `reply` on `path`.
    pub fn reply(&self, path: &str, reply: Reply) {
        self.shared.replies.lock().unwrap().insert(path.to_string(), reply);
    }

    pub fn requests(&self) -> Vec<Request> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// The requests that arrived on `path`.
    pub fn on(&self, path: &str) -> Vec<Request> {
        self.requests().into_iter().filter(|r| r.path == path).collect()
    }
}

fn success(path: &str) -> Reply {
    if path.starts_with("/open-apis/") {
        Reply::new(200, r#"{"StatusCode":0,"StatusMessage":"success","code":0,"data":{},"msg":"success"}"#)
    } else {
        Reply::new(200, r#"{"errcode":0,"errmsg":"ok"}"#)
    }
}

async fn record(State(shared): State<Shared>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    shared.requests.lock().unwrap().push(Request {
        path: uri.path().to_string(),
        query: uri.query().map(str::to_string),
        headers,
        body,
    });
    let reply = shared.replies.lock().unwrap().get(uri.path()).cloned().unwrap_or_else(|| success(uri.path()));
    let mut response = (StatusCode::from_u16(reply.status).expect("status"), reply.body).into_response();
    for (name, value) in reply.headers {
        response.headers_mut().insert(name, value.parse().expect("header value"));
    }
    response
}

/// One message as the SMTP sink received it.
#[derive(Debug, Clone)]
pub struct Mail {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The DATA section, dot-stuffing undone.
    pub data: Vec<u8>,
}

pub struct SmtpSink {
    pub port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let store = mails.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let _ = session(stream, store).await;
                });
            }
        });
        SmtpSink { port, mails }
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

fn address(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command[start..].find('>').map_or(command.len(), |i| start + i);
    command[start..end].to_string()
}

async fn session(stream: tokio::net::TcpStream, store: Arc<Mutex<Vec<Mail>>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP\r\n").await?;
    let (mut mail_from, mut rcpt_to) = (String::new(), Vec::new());
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line).trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 PIPELINING\r\n"
        } else if upper.starts_with("HELO") {
            b"250 sink.test\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            mail_from = address(&command);
            rcpt_to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            rcpt_to.push(address(&command));
            b"250 OK\r\n"
        } else if upper == "DATA" {
            write.write_all(b"354 go ahead\r\n").await?;
            let mut data = Vec::new();
            loop {
                line.clear();
                if reader.read_until(b'\n', &mut line).await? == 0 {
                    return Ok(());
                }
                if line == b".\r\n" || line == b".\n" {
                    break;
                }
                data.extend_from_slice(if line.starts_with(b"..") { &line[1..] } else { &line[..] });
            }
            store.lock().unwrap().push(Mail {
                mail_from: mail_from.clone(),
                rcpt_to: std::mem::take(&mut rcpt_to),
                data,
            });
            b"250 queued\r\n"
        } else if upper == "RSET" || upper == "NOOP" {
            b"250 OK\r\n"
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}
