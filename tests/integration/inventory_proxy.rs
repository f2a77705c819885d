//! A loopback HTTP forwarder between camswap and a mock device, for the inventory tests.
//!
//! It records every request and response body (so the schema test can validate what really
//! crossed the wire), and a rule per request can make it refuse an operation with a SOAP fault
//! or never answer, which the mock cannot do for one service alone. Requests are read with a
//! small hand-written HTTP/1.1 parser, forwarded with reqwest, and answered with
//! `Connection: close`. The client reaches every service through it: camswap rewrites the
//! service addresses a device reports to the host and port it reached, and the proxy listens
//! on another loopback host than the device so that the rewrite happens.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the proxy does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Pass it to the device.
    Forward,
    /// Answer HTTP 500 with `env:Receiver/ter:ActionNotSupported`, as a device without the
    /// operation does.
    NotSupported,
    /// Keep the connection open and never answer.
    Hang,
}

/// One request and its answer as they crossed the proxy.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// Request body.
    pub request: String,
    /// HTTP status of the answer (0 when the device closed without one).
    pub status: u16,
    /// Answer body.
    pub response: String,
}

type RuleFn = dyn Fn(&str) -> Rule + Send + Sync;
/// Rewrites a forwarded answer: `(request body, answer body) -> answer body`.
type TamperFn = dyn Fn(&str, &str) -> String + Send + Sync;

/// A running proxy; dropping it stops the listener.
pub struct Proxy {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Exchange>>>,
    task: JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    /// Forwards everything to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Self {
        Self::with_rule(upstream, |_| Rule::Forward).await
    }

    /// Forwards to `upstream`, except where `rule(request body)` says otherwise.
    pub async fn with_rule(
        upstream: SocketAddr,
        rule: impl Fn(&str) -> Rule + Send + Sync + 'static,
    ) -> Self {
        Self::build(
            upstream,
            Arc::new(rule),
            Arc::new(|_, body| body.to_owned()),
        )
        .await
    }

    /// Forwards everything to `upstream`, and passes each answer through `tamper(request
    /// body, answer body)`: a device that lies in its answers.
    pub async fn tampering(
        upstream: SocketAddr,
        tamper: impl Fn(&str, &str) -> String + Send + Sync + 'static,
    ) -> Self {
        Self::build(upstream, Arc::new(|_| Rule::Forward), Arc::new(tamper)).await
    }

    async fn build(upstream: SocketAddr, rule: Arc<RuleFn>, tamper: Arc<TamperFn>) -> Self {
        // Another loopback host than the device's: camswap moves every reported service
        // address onto the origin it reached, so this routes every service call through the
        // proxy (and a host of its own keeps the proxy apart from the device in the tests).
        let host = if upstream.ip().to_string() == "127.0.44.1" {
            "127.0.44.2"
        } else {
            "127.0.44.1"
        };
        let listener = TcpListener::bind((host, 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let log2 = Arc::clone(&log);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (rule, log, http) = (Arc::clone(&rule), Arc::clone(&log2), http.clone());
                let tamper = Arc::clone(&tamper);
                tokio::spawn(async move {
                    let _ = serve(stream, upstream, &*rule, &*tamper, &log, &http).await;
                });
            }
        });
        Self { addr, log, task }
    }

    /// The device service URL through the proxy.
    pub fn xaddr(&self) -> String {
        format!("http://{}/onvif/device_service", self.addr)
    }

    /// Every exchange so far, in order.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().unwrap().clone()
    }
}

struct Request {
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let path = lines.next()?.split_whitespace().nth(1)?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Request {
        path,
        headers,
        body,
    })
}

async fn serve(
    mut stream: TcpStream,
    upstream: SocketAddr,
    rule: &RuleFn,
    tamper: &TamperFn,
    log: &Mutex<Vec<Exchange>>,
    http: &reqwest::Client,
) -> std::io::Result<()> {
    let Some(req) = read_request(&mut stream).await else {
        return Ok(());
    };
    let request_text = String::from_utf8_lossy(&req.body).into_owned();
    let (status, headers, body) = match rule(&request_text) {
        Rule::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return Ok(());
        }
        Rule::NotSupported => (
            500,
            vec![(
                "Content-Type".to_owned(),
                "application/soap+xml; charset=utf-8".to_owned(),
            )],
            NOT_SUPPORTED.as_bytes().to_vec(),
        ),
        Rule::Forward => {
            let mut out = http
                .post(format!("http://{upstream}{}", req.path))
                .body(req.body.clone());
            for (n, v) in &req.headers {
                if ["content-type", "authorization"].contains(&n.to_ascii_lowercase().as_str()) {
                    out = out.header(n, v);
                }
            }
            match out.send().await {
                Ok(answer) => {
                    let status = answer.status().as_u16();
                    let headers = answer
                        .headers()
                        .iter()
                        .filter(|(n, _)| {
                            [
                                reqwest::header::CONTENT_TYPE,
                                reqwest::header::WWW_AUTHENTICATE,
                            ]
                            .contains(n)
                        })
                        .map(|(n, v)| {
                            (
                                n.as_str().to_owned(),
                                v.to_str().unwrap_or_default().to_owned(),
                            )
                        })
                        .collect();
                    let body = answer.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
                    let body = tamper(&request_text, &String::from_utf8_lossy(&body));
                    (status, headers, body.into_bytes())
                }
                // The device dropped the connection: so does the proxy.
                Err(_) => {
                    log.lock().unwrap().push(Exchange {
                        request: request_text,
                        status: 0,
                        response: String::new(),
                    });
                    return Ok(());
                }
            }
        }
    };
    log.lock().unwrap().push(Exchange {
        request: request_text,
        status,
        response: String::from_utf8_lossy(&body).into_owned(),
    });
    let mut head = format!("HTTP/1.1 {status} X\r\n");
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(&body).await?;
    stream.shutdown().await
}

const NOT_SUPPORTED: &str = r#"<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:ter="http://www.onvif.org/ver10/error"><env:Body><env:Fault><env:Code><env:Value>env:Receiver</env:Value><env:Subcode><env:Value>ter:ActionNotSupported</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">Optional Action Not Implemented</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>"#;
