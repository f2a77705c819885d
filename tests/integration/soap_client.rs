//! The SOAP client against a tiny raw HTTP server written here (tokio `TcpListener` on
//! 127.0.0.1:0), so each test controls the bytes on the wire: hostile answers, HTTP Digest
//! challenges checked with an independent computation, and the WS-Security header.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use camswap::soap::auth::{Clock, Credentials, NonceSource};
use camswap::soap::{AuthMode, ClientConfig, FaultKind, SoapClient, SoapError, xml};
use chrono::{DateTime, Utc};
use sha1::Digest as _;

use crate::support::shared::capture;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

const ACTION: &str = "http://www.onvif.org/ver10/device/wsdl/GetHostname";
const PAYLOAD: &str = r#"<tds:GetHostname xmlns:tds="http://www.onvif.org/ver10/device/wsdl"/>"#;
const OK_BODY: &str = r#"<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><SOAP-ENV:Body><tds:GetHostnameResponse><tds:HostnameInformation><tt:FromDHCP>false</tt:FromDHCP><tt:Name>cam-17</tt:Name></tds:HostnameInformation></tds:GetHostnameResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>"#;

// ---- the raw server --------------------------------------------------------------------------

/// One request as the server read it.
#[derive(Debug, Clone)]
struct Request {
    headers: Vec<(String, String)>,
    body: String,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server does with a request.
enum Action {
    /// Write these bytes and close.
    Respond(Vec<u8>),
    /// Write these bytes, then reset the connection (SO_LINGER 0).
    RespondThenReset(Vec<u8>),
    /// Write `head`, then `chunk` again and again until the client goes away.
    Stream { head: Vec<u8>, chunk: Vec<u8> },
    /// Never answer; keep the connection open.
    Hang,
}

type Handler = dyn Fn(&Request) -> Action + Send + Sync;

struct Server {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    async fn start(handler: impl Fn(&Request) -> Action + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log2 = log.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let handler = handler.clone();
                let log = log2.clone();
                tokio::spawn(async move { serve(stream, &*handler, &log).await });
            }
        });
        Self { addr, log }
    }

    fn url(&self) -> String {
        format!("http://{}/onvif/device_service", self.addr)
    }

    fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }
}

async fn serve(mut stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Request>>) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    log.lock().unwrap().push(request.clone());
    match handler(&request) {
        Action::Respond(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Action::RespondThenReset(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.flush().await;
            socket2::SockRef::from(&stream)
                .set_linger(Some(Duration::ZERO))
                .unwrap();
            drop(stream);
        }
        Action::Stream { head, chunk } => {
            if stream.write_all(&head).await.is_err() {
                return;
            }
            while stream.write_all(&chunk).await.is_ok() {}
        }
        Action::Hang => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            drop(stream);
        }
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut tmp).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut tmp).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
    }
    Some(Request {
        headers,
        body: String::from_utf8_lossy(&buf[head_end..head_end + length]).into_owned(),
    })
}

fn http(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} X\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn soap_ok() -> Action {
    Action::Respond(http(
        200,
        &[("Content-Type", "application/soap+xml; charset=utf-8")],
        OK_BODY.as_bytes(),
    ))
}

fn client(config: ClientConfig) -> SoapClient {
    SoapClient::new("cam-test", config).unwrap()
}

fn config_with(auth: AuthMode, password: &str) -> ClientConfig {
    ClientConfig {
        auth,
        credentials: Some(Credentials::new("admin", password)),
        timeout: Duration::from_secs(5),
        ..ClientConfig::default()
    }
}

// ---- hostile answers ---------------------------------------------------------------------------

#[tokio::test]
async fn announced_oversized_body_is_refused_without_reading_it() {
    let server = Server::start(|_| Action::Stream {
        head: b"HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n<x>".to_vec(),
        chunk: vec![b' '; 1024],
    })
    .await;
    let c = client(ClientConfig {
        max_response_bytes: 64 * 1024,
        timeout: Duration::from_secs(20),
        ..ClientConfig::default()
    });
    let err = c.call(&server.url(), ACTION, PAYLOAD).await.unwrap_err();
    assert!(
        matches!(err, SoapError::TooLarge { limit: 65536, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("cam-test"), "{err}");
}

#[tokio::test]
async fn endless_body_without_content_length_stops_at_the_cap() {
    for head in [
        // Close-delimited.
        b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec(),
        // Chunked: the chunk repeated forever is "400 bytes of spaces".
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec(),
    ] {
        let chunked = head.windows(7).any(|w| w == b"chunked");
        let chunk = if chunked {
            let mut c = b"400\r\n".to_vec();
            c.extend_from_slice(&[b' '; 0x400]);
            c.extend_from_slice(b"\r\n");
            c
        } else {
            vec![b' '; 4096]
        };
        let server = Server::start(move |_| Action::Stream {
            head: head.clone(),
            chunk: chunk.clone(),
        })
        .await;
        let c = client(ClientConfig {
            max_response_bytes: 100_000,
            timeout: Duration::from_secs(20),
            ..ClientConfig::default()
        });
        let err = c.call(&server.url(), ACTION, PAYLOAD).await.unwrap_err();
        assert!(
            matches!(err, SoapError::TooLarge { limit: 100_000, .. }),
            "chunked={chunked}: {err:?}"
        );
    }
}

#[tokio::test]
async fn not_xml_and_not_soap_are_told_apart() {
    let server = Server::start(|_| {
        Action::Respond(http(
            200,
            &[("Content-Type", "text/plain")],
            b"401 Unauthorized: go away {json}",
        ))
    })
    .await;
    let err = client(ClientConfig::default())
        .call(&server.url(), ACTION, PAYLOAD)
        .await
        .unwrap_err();
    match &err {
        SoapError::NotXml { snippet, .. } => {
            assert!(snippet.starts_with("401 Unauthorized"), "{snippet}")
        }
        other => panic!("expected NotXml, got {other:?}"),
    }

    let server = Server::start(|_| {
        Action::Respond(http(
            200,
            &[("Content-Type", "text/html")],
            b"<html><body>Login</body></html>",
        ))
    })
    .await;
    let err = client(ClientConfig::default())
        .call(&server.url(), ACTION, PAYLOAD)
        .await
        .unwrap_err();
    assert!(matches!(err, SoapError::NotSoap { .. }), "{err:?}");
    assert!(err.to_string().contains("<html>"), "{err}");
}

#[tokio::test]
async fn body_without_a_payload_element_is_an_error() {
    let server = Server::start(|_| {
        Action::Respond(http(
            200,
            &[],
            br#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>"#,
        ))
    })
    .await;
    let err = client(ClientConfig::default())
        .call(&server.url(), ACTION, PAYLOAD)
        .await
        .unwrap_err();
    assert!(
        matches!(err, SoapError::EmptyBody { status: 200, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn bosch_panoramic5100i_http500_empty_body_is_a_fault_like_error() {
    // bosch/Fault-onvifgo-panoramic5100i-http500-emptybody.xml: HTTP 500, our wsse header echoed
    // back, and an empty SOAP-ENV:Body.
    let body = capture("bosch/Fault-onvifgo-panoramic5100i-http500-emptybody.xml");
    let server = Server::start(move |_| Action::Respond(http(500, &[], &body))).await;
    let err = client(ClientConfig::default())
        .call(&server.url(), ACTION, PAYLOAD)
        .await
        .unwrap_err();
    assert!(
        matches!(err, SoapError::EmptyBody { status: 500, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("HTTP 500"), "{err}");

    // A 500 with no body at all is the same kind of answer.
    let server = Server::start(|_| Action::Respond(http(500, &[], b""))).await;
    let err = client(ClientConfig::default())
        .call(&server.url(), ACTION, PAYLOAD)
        .await
        .unwrap_err();
    assert!(
        matches!(err, SoapError::EmptyBody { status: 500, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn other_error_statuses_are_http_errors_with_a_snippet() {
    let server = Server::start(|_| Action::Respond(http(404, &[], b"Not Found\n"))).await;
    let err = client(ClientConfig::default())
        .call(&server.url(), ACTION, PAYLOAD)
        .await
        .unwrap_err();
    match &err {
        SoapError::Http {
            status: 404,
            snippet,
            ..
        } => assert_eq!(snippet, "Not Found"),
        other => panic!("expected Http 404, got {other:?}"),
    }
}

#[tokio::test]
async fn connection_reset_mid_response_is_a_transport_error() {
    let server = Server::start(|_| {
        Action::RespondThenReset(
            b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n<s:Envelope xmlns:s=".to_vec(),
        )
    })
    .await;
    let err = client(ClientConfig::default())
        .call(&server.url(), ACTION, PAYLOAD)
        .await
        .unwrap_err();
    assert!(matches!(err, SoapError::Transport { .. }), "{err:?}");
    assert!(err.is_transport());
}

#[tokio::test]
async fn refused_connection_is_a_connect_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = client(ClientConfig::default())
        .call(
            &format!("http://{addr}/onvif/device_service"),
            ACTION,
            PAYLOAD,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, SoapError::Connect { .. }), "{err:?}");
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
}

#[tokio::test]
async fn silent_server_times_out_within_the_configured_timeout() {
    let server = Server::start(|_| Action::Hang).await;
    let c = client(ClientConfig {
        timeout: Duration::from_millis(300),
        ..ClientConfig::default()
    });
    let started = Instant::now();
    let err = c.call(&server.url(), ACTION, PAYLOAD).await.unwrap_err();
    assert!(
        matches!(err, SoapError::Timeout { after, .. } if after == Duration::from_millis(300)),
        "{err:?}"
    );
    // Generous bound: the point is that it returns, not how fast.
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn redirects_are_not_followed_and_name_the_location() {
    let server = Server::start(|_| {
        Action::Respond(http(
            302,
            &[("Location", "http://admin:pw@10.9.9.9/onvif/device_service")],
            b"",
        ))
    })
    .await;
    let err = client(ClientConfig::default())
        .call(&server.url(), ACTION, PAYLOAD)
        .await
        .unwrap_err();
    match &err {
        SoapError::Redirect {
            status: 302,
            location,
            ..
        } => {
            assert_eq!(location, "http://10.9.9.9/onvif/device_service");
        }
        other => panic!("expected Redirect, got {other:?}"),
    }
    assert!(!err.to_string().contains("pw@"), "{err}");
    assert_eq!(server.requests().len(), 1);
}

// ---- faults --------------------------------------------------------------------------------------

#[tokio::test]
async fn axis_not_authorized_fault_with_http_400() {
    // axis/Fault-onvifgo-unknownaxis-notauthorized-getsystemdateandtime.xml
    let body = capture("axis/Fault-onvifgo-unknownaxis-notauthorized-getsystemdateandtime.xml");
    let server = Server::start(move |_| Action::Respond(http(400, &[], &body))).await;
    let err = client(config_with(AuthMode::UsernameToken, "wrong"))
        .call(&server.url(), ACTION, PAYLOAD)
        .await
        .unwrap_err();
    assert!(err.is_not_authorized(), "{err:?}");
    assert!(
        matches!(err, SoapError::Fault { status: 400, .. }),
        "{err:?}"
    );
    let fault = err.fault().unwrap();
    assert_eq!(fault.kind(), FaultKind::NotAuthorized);
    assert_eq!(fault.reason, "Sender not authorized");
    assert!(err.to_string().contains("ter:NotAuthorized"), "{err}");
}

#[tokio::test]
async fn dahua_maxosds_fault_with_http_500_keeps_its_status() {
    // dahua/Fault-hammeraj-maxosds.xml: leading space in the subcode QName.
    let body = capture("dahua/Fault-hammeraj-maxosds.xml");
    let server = Server::start(move |_| Action::Respond(http(500, &[], &body))).await;
    let err = client(ClientConfig::default())
        .call(&server.url(), ACTION, PAYLOAD)
        .await
        .unwrap_err();
    assert!(
        matches!(err, SoapError::Fault { status: 500, .. }),
        "{err:?}"
    );
    assert!(err.fault().unwrap().has_subcode("MaxOSDs"));
    assert!(!err.is_not_authorized());
}

// ---- WS-Security UsernameToken ------------------------------------------------------------------

struct FixedClock(DateTime<Utc>);
impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

struct FixedNonce(Vec<u8>);
impl NonceSource for FixedNonce {
    fn nonce(&self) -> Vec<u8> {
        self.0.clone()
    }
}

/// The UsernameToken fields of a request body: (username, password digest, nonce, created).
fn token_of(body: &str) -> (String, String, String, String) {
    let root = xml::parse(body.as_bytes()).unwrap();
    let tok = root
        .path(&["Header", "Security", "UsernameToken"])
        .expect("no UsernameToken");
    let text = |n: &str| tok.child(n).unwrap().text.to_string();
    (
        text("Username"),
        text("Password"),
        text("Nonce"),
        text("Created"),
    )
}

/// PasswordDigest computed here, independently of camswap.
fn expected_password_digest(nonce_b64: &str, created: &str, password: &str) -> String {
    let mut sha = sha1::Sha1::new();
    sha.update(BASE64.decode(nonce_b64).unwrap());
    sha.update(created.as_bytes());
    sha.update(password.as_bytes());
    BASE64.encode(sha.finalize())
}

#[tokio::test]
async fn wsse_header_signs_the_injected_nonce_and_device_time() {
    let server = Server::start(|_| soap_ok()).await;
    let clock = DateTime::parse_from_rfc3339("2010-09-16T07:50:45Z")
        .unwrap()
        .with_timezone(&Utc);
    let c = SoapClient::new(
        "cam-test",
        ClientConfig {
            auth: AuthMode::UsernameToken,
            credentials: Some(Credentials::new("user", "userpassword")),
            ..ClientConfig::default()
        },
    )
    .unwrap()
    .with_clock(Arc::new(FixedClock(clock)))
    .with_nonces(Arc::new(FixedNonce(
        BASE64.decode("LKqI6G/AikKCQrN0zqZFlg==").unwrap(),
    )));

    let payload = c.call(&server.url(), ACTION, PAYLOAD).await.unwrap();
    assert!(payload.is_ns(
        "http://www.onvif.org/ver10/device/wsdl",
        "GetHostnameResponse"
    ));
    assert_eq!(
        payload.path_text(&["HostnameInformation", "Name"]),
        Some("cam-17")
    );

    // The ONVIF Application Programmer's Guide vector, through the client.
    let req = &server.requests()[0];
    assert_eq!(
        req.header("content-type"),
        Some(format!("application/soap+xml; charset=utf-8; action=\"{ACTION}\"").as_str())
    );
    assert_eq!(req.header("authorization"), None);
    let (user, digest, nonce, created) = token_of(&req.body);
    assert_eq!(user, "user");
    assert_eq!(nonce, "LKqI6G/AikKCQrN0zqZFlg==");
    assert_eq!(created, "2010-09-16T07:50:45Z");
    assert_eq!(digest, "tuOSpGlFlIXsozq4HFNeeGeFLEI=");

    // Created follows the device clock once the offset is known.
    c.set_clock_offset(chrono::Duration::seconds(90));
    c.call(&server.url(), ACTION, PAYLOAD).await.unwrap();
    let (_, digest, nonce, created) = token_of(&server.requests()[1].body);
    assert_eq!(created, "2010-09-16T07:52:15Z");
    assert_eq!(
        digest,
        expected_password_digest(&nonce, &created, "userpassword")
    );
}

#[tokio::test]
async fn auth_modes_send_what_they_say() {
    // A server that wants nothing: what arrives is what the mode sends up front.
    for (mode, wsse) in [
        (AuthMode::Auto, true),
        (AuthMode::UsernameToken, true),
        (AuthMode::Both, true),
        (AuthMode::Digest, false),
        (AuthMode::None, false),
    ] {
        let server = Server::start(|_| soap_ok()).await;
        let c = client(config_with(mode, "pw"));
        c.call(&server.url(), ACTION, PAYLOAD).await.unwrap();
        c.call_unauthenticated(&server.url(), ACTION, PAYLOAD)
            .await
            .unwrap();
        let reqs = server.requests();
        assert_eq!(reqs[0].body.contains("UsernameToken"), wsse, "{mode:?}");
        assert!(
            !reqs[1].body.contains("Security"),
            "{mode:?}: unauthenticated call sent wsse"
        );
        assert!(
            reqs.iter().all(|r| r.header("authorization").is_none()),
            "{mode:?}"
        );
        // Every request body is one SOAP 1.2 envelope with our payload.
        let root = xml::parse(reqs[0].body.as_bytes()).unwrap();
        assert!(root.is_ns("http://www.w3.org/2003/05/soap-envelope", "Envelope"));
        assert!(root.path(&["Body", "GetHostname"]).is_some());
    }
}

// ---- HTTP Digest ---------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Alg {
    Md5,
    Sha256,
}

/// A server that wants HTTP Digest, checking each answer with its own computation.
struct DigestServer {
    alg: Alg,
    password: &'static str,
    nonce: u32,
    /// Uses of the current nonce after which it is declared stale.
    stale_after: Option<u32>,
    uses: u32,
    last_nc: u32,
    challenges: u32,
    /// nc of each accepted request.
    accepted: Vec<u32>,
}

impl DigestServer {
    fn new(alg: Alg, password: &'static str) -> Self {
        Self {
            alg,
            password,
            nonce: 1,
            stale_after: None,
            uses: 0,
            last_nc: 0,
            challenges: 0,
            accepted: Vec::new(),
        }
    }

    fn nonce(&self) -> String {
        format!("srv-nonce-{}/x+y=", self.nonce)
    }

    fn challenge(&mut self, stale: bool) -> Action {
        self.challenges += 1;
        let md5 = format!(
            r#"Digest realm="camswap test, 1", qop="auth,auth-int", algorithm=MD5, nonce="{}", opaque="op-1""#,
            self.nonce()
        );
        let sha = format!(
            r#"Digest realm="camswap test, 1", qop="auth", algorithm=SHA-256, nonce="{}", opaque="op-1"{}"#,
            self.nonce(),
            if stale { ", stale=true" } else { "" }
        );
        let md5 = if stale {
            format!("{md5}, stale=true")
        } else {
            md5
        };
        // The SHA-256 server also offers MD5 (first, and in the same header as Basic) so the
        // client must choose SHA-256 on its own.
        let headers: Vec<(&str, String)> = match self.alg {
            Alg::Md5 => vec![("WWW-Authenticate", md5)],
            Alg::Sha256 => vec![
                ("WWW-Authenticate", format!(r#"Basic realm="x", {md5}"#)),
                ("WWW-Authenticate", sha),
            ],
        };
        let hs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        Action::Respond(http(401, &hs, b"Unauthorized"))
    }

    fn handle(&mut self, req: &Request) -> Action {
        let Some(auth) = req.header("authorization") else {
            return self.challenge(false);
        };
        let p = auth_params(auth);
        let h = |s: &str| match self.alg {
            Alg::Md5 => format!("{:x}", md5::Md5::digest(s.as_bytes())),
            Alg::Sha256 => format!("{:x}", sha2::Sha256::digest(s.as_bytes())),
        };
        let expected_alg = match self.alg {
            Alg::Md5 => "MD5",
            Alg::Sha256 => "SHA-256",
        };
        assert!(auth.starts_with("Digest "), "{auth}");
        assert_eq!(p["algorithm"], expected_alg);
        assert_eq!(p["username"], "admin");
        assert_eq!(p["realm"], "camswap test, 1");
        assert_eq!(p["uri"], "/onvif/device_service");
        assert_eq!(p["qop"], "auth");
        assert_eq!(p["opaque"], "op-1");
        if p["nonce"] != self.nonce() {
            return self.challenge(true);
        }
        if self.stale_after.is_some_and(|n| self.uses >= n) {
            self.nonce += 1;
            self.uses = 0;
            self.last_nc = 0;
            return self.challenge(true);
        }
        let nc = u32::from_str_radix(&p["nc"], 16).unwrap();
        assert_eq!(p["nc"].len(), 8);
        if nc <= self.last_nc {
            // Replayed nonce count.
            return Action::Respond(http(400, &[], b"replay"));
        }
        let ha1 = h(&format!("admin:camswap test, 1:{}", self.password));
        let ha2 = h("POST:/onvif/device_service");
        let response = h(&format!(
            "{ha1}:{}:{}:{}:auth:{ha2}",
            p["nonce"], p["nc"], p["cnonce"]
        ));
        if p["response"] != response {
            return self.challenge(false);
        }
        self.last_nc = nc;
        self.uses += 1;
        self.accepted.push(nc);
        soap_ok()
    }
}

/// `name=value` / `name="value"` pairs of an Authorization header (no escapes in our tests).
fn auth_params(h: &str) -> HashMap<String, String> {
    let rest = h.strip_prefix("Digest ").unwrap_or(h);
    let mut out = HashMap::new();
    let mut s = rest;
    while !s.is_empty() {
        let (name, after) = s.split_once('=').unwrap();
        let (value, after) = if let Some(q) = after.strip_prefix('"') {
            let end = q.find('"').unwrap();
            (&q[..end], &q[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        out.insert(name.trim().to_owned(), value.to_owned());
        s = after.trim_start_matches([',', ' ']);
    }
    out
}

async fn digest_server(state: DigestServer) -> (Server, Arc<Mutex<DigestServer>>) {
    let state = Arc::new(Mutex::new(state));
    let s = state.clone();
    let server = Server::start(move |req| s.lock().unwrap().handle(req)).await;
    (server, state)
}

#[tokio::test]
async fn digest_md5_challenge_then_nonce_reuse_without_extra_round_trips() {
    let (server, state) = digest_server(DigestServer::new(Alg::Md5, "s3cret")).await;
    let c = client(config_with(AuthMode::Digest, "s3cret"));
    for _ in 0..3 {
        c.call(&server.url(), ACTION, PAYLOAD).await.unwrap();
    }
    let st = state.lock().unwrap();
    assert_eq!(st.challenges, 1, "one 401 for three calls");
    assert_eq!(st.accepted, [1, 2, 3]);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 4);
    assert!(
        reqs.iter().all(|r| !r.body.contains("UsernameToken")),
        "Digest mode sent wsse"
    );
    assert!(c.uses_digest(&server.url()));
}

#[tokio::test]
async fn digest_sha256_is_chosen_over_md5() {
    let (server, state) = digest_server(DigestServer::new(Alg::Sha256, "s3cret")).await;
    let c = client(config_with(AuthMode::Digest, "s3cret"));
    c.call(&server.url(), ACTION, PAYLOAD).await.unwrap();
    c.call(&server.url(), ACTION, PAYLOAD).await.unwrap();
    let st = state.lock().unwrap();
    assert_eq!(st.challenges, 1);
    assert_eq!(st.accepted, [1, 2]);
}

#[tokio::test]
async fn auto_mode_learns_digest_and_then_sends_it_up_front() {
    let (server, state) = digest_server(DigestServer::new(Alg::Sha256, "s3cret")).await;
    let c = client(config_with(AuthMode::Auto, "s3cret"));
    // Clones share what the first call learned.
    let d = c.clone();
    c.call(&server.url(), ACTION, PAYLOAD).await.unwrap();
    d.call(&server.url(), ACTION, PAYLOAD).await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3, "401 + retry, then one request");
    assert!(reqs[0].header("authorization").is_none());
    assert!(reqs[2].header("authorization").is_some());
    // Auto also carries the UsernameToken, fresh per attempt.
    assert!(reqs.iter().all(|r| r.body.contains("UsernameToken")));
    let nonces: Vec<String> = reqs.iter().map(|r| token_of(&r.body).2).collect();
    assert_ne!(nonces[0], nonces[1]);
    assert_eq!(state.lock().unwrap().challenges, 1);
}

#[tokio::test]
async fn stale_nonce_is_rechallenged_and_retried() {
    let mut st = DigestServer::new(Alg::Md5, "s3cret");
    st.stale_after = Some(2);
    let (server, state) = digest_server(st).await;
    let c = client(config_with(AuthMode::Digest, "s3cret"));
    for _ in 0..4 {
        c.call(&server.url(), ACTION, PAYLOAD).await.unwrap();
    }
    let st = state.lock().unwrap();
    // First challenge, then stale after two uses: nc restarts at 1 with the new nonce.
    assert_eq!(st.challenges, 2);
    assert_eq!(st.accepted, [1, 2, 1, 2]);
}

#[tokio::test]
async fn wrong_digest_password_is_not_authorized_without_looping() {
    let (server, state) = digest_server(DigestServer::new(Alg::Md5, "right")).await;
    let c = client(config_with(AuthMode::Digest, "wrong-pass"));
    let err = c.call(&server.url(), ACTION, PAYLOAD).await.unwrap_err();
    assert!(matches!(err, SoapError::NotAuthorized { .. }), "{err:?}");
    assert!(err.is_not_authorized());
    let msg = err.to_string();
    assert!(msg.contains("cam-test") && msg.contains("admin"), "{msg}");
    assert!(
        !msg.contains("wrong-pass") && !format!("{err:?}").contains("wrong-pass"),
        "{msg}"
    );
    assert_eq!(server.requests().len(), 2);
    assert_eq!(state.lock().unwrap().challenges, 2);
    // The rejected session is forgotten: the next call starts over and fails the same way.
    assert!(!c.uses_digest(&server.url()));
}

#[tokio::test]
async fn unauthenticated_call_to_a_digest_device_is_not_authorized() {
    let (server, _) = digest_server(DigestServer::new(Alg::Md5, "s3cret")).await;
    let c = client(config_with(AuthMode::Digest, "s3cret"));
    let err = c
        .call_unauthenticated(&server.url(), ACTION, PAYLOAD)
        .await
        .unwrap_err();
    assert!(err.is_not_authorized(), "{err:?}");
    assert_eq!(server.requests().len(), 1);
    assert!(server.requests()[0].header("authorization").is_none());

    // A 401 without a Digest challenge, carrying a fault: the error says what the device said.
    let body = capture("trendnet/Fault-onvifnvt-tvip320pi-getdeviceinformation.xml");
    let bare = Server::start(move |_| Action::Respond(http(401, &[], &body))).await;
    let err = client(config_with(AuthMode::Auto, "s3cret"))
        .call(&bare.url(), ACTION, PAYLOAD)
        .await
        .unwrap_err();
    assert!(err.is_not_authorized(), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("no HTTP Digest challenge"), "{msg}");
    assert!(msg.contains("ter:NotAuthorized"), "{msg}");

    // UsernameToken mode does not answer a Digest challenge.
    let c = client(config_with(AuthMode::UsernameToken, "s3cret"));
    let err = c.call(&server.url(), ACTION, PAYLOAD).await.unwrap_err();
    assert!(err.to_string().contains("UsernameToken"), "{err}");
}

// ---- logs ---------------------------------------------------------------------------------------

#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// tracing keeps one global maximum level and a per-callsite interest cache; another test's
/// subscriber, on another thread of this binary, can leave a callsite of the SOAP client
/// switched off while this test captures. So the capture runs alone, in a child process of
/// this test binary that runs only this test.
#[test]
fn trace_logs_show_bodies_with_secrets_redacted() {
    const CHILD: &str = "CAMSWAP_TRACE_CAPTURE_CHILD";
    if std::env::var_os(CHILD).is_some() {
        return tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(trace_capture());
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "soap_client::trace_logs_show_bodies_with_secrets_redacted",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn trace_capture() {
    // The device echoes our Security header, as Reolink and Bosch do.
    let server = Server::start(|req| {
        let root = xml::parse(req.body.as_bytes()).unwrap();
        let header = root.child("Header").unwrap().to_xml();
        let body = OK_BODY.replace("<SOAP-ENV:Body>", &format!("{header}<SOAP-ENV:Body>"));
        Action::Respond(http(200, &[], body.as_bytes()))
    })
    .await;
    let logs = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // Other tests in this binary install their own subscribers on other threads; a callsite
    // first reached while only those were alive keeps a cached "not interested" that ours
    // would never see. Recomputing the interest with ours alive makes the capture reliable.
    tracing::callsite::rebuild_interest_cache();

    let c = client(config_with(AuthMode::UsernameToken, "hunter2-admin"));
    let create_users = r#"<tds:CreateUsers xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><tds:User><tt:Username>op</tt:Username><tt:Password>n3w-s3cret</tt:Password><tt:UserLevel>Operator</tt:UserLevel></tds:User></tds:CreateUsers>"#;
    c.call(
        &server.url(),
        "http://www.onvif.org/ver10/device/wsdl/CreateUsers",
        create_users,
    )
    .await
    .unwrap();

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let (_, digest, nonce, _) = token_of(&server.requests()[0].body);
    assert!(
        text.contains("SOAP request") && text.contains("SOAP response"),
        "{text}"
    );
    assert!(text.contains("cam-test"), "{text}");
    assert!(text.contains("***"), "{text}");
    for secret in [
        "hunter2-admin",
        "n3w-s3cret",
        digest.as_str(),
        nonce.as_str(),
    ] {
        assert!(
            !text.contains(secret),
            "{secret} leaked into the logs:\n{text}"
        );
    }
}
