//! A hand-written ONVIF test client: raw HTTP/1.1 over a TCP socket, SOAP envelopes built as
//! text, HTTP Digest and WS-UsernameToken computed here, so the mock is checked against an
//! independent implementation (neither camswap's nor the mock's own).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest as _, Sha256};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

pub const TDS: &str = "http://www.onvif.org/ver10/device/wsdl";
pub const TT: &str = "http://www.onvif.org/ver10/schema";
pub const ENV: &str = "http://www.w3.org/2003/05/soap-envelope";
const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
const WSU: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
const DIGEST_TYPE: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";

/// Built-in personas' administrator.
pub const USER: &str = "admin";
pub const PASS: &str = "camswap-demo";

/// Every network step of a test gives up after this long.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// An HTTP response as read off the wire.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Texts of every element with this local name, in document order.
    pub fn texts(&self, local: &str) -> Vec<String> {
        texts(&self.text(), local)
    }

    /// The first text of an element with this local name.
    pub fn first(&self, local: &str) -> String {
        self.texts(local)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no <{local}> in {}", self.text()))
    }

    /// Fault code and subcode values, outermost first (`env:Sender`, `ter:...`).
    pub fn fault_codes(&self) -> Vec<String> {
        self.texts("Value")
    }

    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        assert_eq!(self.status, 200, "{}", self.text());
        self
    }

    #[track_caller]
    pub fn assert_fault(&self, status: u16, codes: &[&str]) -> &Self {
        assert_eq!(self.status, status, "{}", self.text());
        let got = self.fault_codes();
        let got: Vec<&str> = got
            .iter()
            .map(|s| s.rsplit(':').next().unwrap_or(s))
            .collect();
        assert_eq!(got, codes, "{}", self.text());
        self
    }
}

/// Element texts by local name, read with a plain (not namespace-aware) XML reader.
pub fn texts(xml: &str, local: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.local_name().as_ref() == local.as_bytes() => {
                current = Some(String::new());
            }
            Ok(Event::Empty(e)) if e.local_name().as_ref() == local.as_bytes() => {
                out.push(String::new());
            }
            Ok(Event::Text(t)) => {
                if let Some(c) = current.as_mut() {
                    c.push_str(&t.unescape().unwrap_or_default());
                }
            }
            Ok(Event::End(e)) if e.local_name().as_ref() == local.as_bytes() => {
                if let Some(c) = current.take() {
                    out.push(c.trim().to_string());
                }
            }
            Ok(Event::Eof) | Err(_) => return out,
            _ => {}
        }
    }
}

/// One HTTP/1.1 exchange on a fresh connection.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> std::io::Result<HttpResponse> {
    tokio::time::timeout(DEADLINE, async {
        let mut stream = TcpStream::connect(addr).await?;
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body).await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        parse_response(&raw).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("not an HTTP response: {:?}", String::from_utf8_lossy(&raw)),
            )
        })
    })
    .await
    .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer in time"))?
}

fn parse_response(raw: &[u8]) -> Option<HttpResponse> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
    {
        body = dechunk(&body)?;
    }
    Some(HttpResponse {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..line_end]).ok()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// A SOAP 1.2 envelope with this header content and body content.
pub fn envelope(header: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><s:Envelope xmlns:s=\"{ENV}\"><s:Header>{header}</s:Header><s:Body>{body}</s:Body></s:Envelope>"
    )
}

/// `<d:Op xmlns:d=tds xmlns:t=tt>inner</d:Op>`; `inner` uses `d:` and `t:` prefixes.
pub fn tds(op: &str, inner: &str) -> String {
    format!("<d:{op} xmlns:d=\"{TDS}\" xmlns:t=\"{TT}\">{inner}</d:{op}>")
}

/// A UsernameToken header computed from scratch.
pub fn wsse_header(user: &str, pass: &str, created: &str, nonce: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(nonce);
    h.update(created.as_bytes());
    h.update(pass.as_bytes());
    let digest = B64.encode(h.finalize());
    format!(
        "<wsse:Security xmlns:wsse=\"{WSSE}\" xmlns:wsu=\"{WSU}\" s:mustUnderstand=\"true\"><wsse:UsernameToken><wsse:Username>{user}</wsse:Username><wsse:Password Type=\"{DIGEST_TYPE}\">{digest}</wsse:Password><wsse:Nonce>{}</wsse:Nonce><wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>",
        B64.encode(nonce)
    )
}

/// A UsernameToken signed at `now + offset` with a random nonce.
pub fn wsse_now(user: &str, pass: &str, offset_seconds: i64) -> String {
    let created = (chrono::Utc::now() + chrono::Duration::seconds(offset_seconds))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let nonce: [u8; 16] = rand::random();
    wsse_header(user, pass, &created, &nonce)
}

/// A parsed `WWW-Authenticate: Digest` challenge.
#[derive(Debug, Clone)]
pub struct Challenge {
    pub realm: String,
    pub nonce: String,
    pub algorithm: String,
    pub qop: String,
    pub stale: bool,
}

pub fn parse_challenge(value: &str) -> Challenge {
    let rest = value.strip_prefix("Digest ").expect("a Digest challenge");
    let mut fields = std::collections::HashMap::new();
    for part in rest.split(", ") {
        let (k, v) = part.split_once('=').expect("k=v");
        fields.insert(k.to_string(), v.trim_matches('"').to_string());
    }
    Challenge {
        realm: fields["realm"].clone(),
        nonce: fields["nonce"].clone(),
        algorithm: fields
            .get("algorithm")
            .cloned()
            .unwrap_or_else(|| "MD5".into()),
        qop: fields["qop"].clone(),
        stale: fields
            .get("stale")
            .is_some_and(|s| s.eq_ignore_ascii_case("true")),
    }
}

fn h(alg: &str, data: &str) -> String {
    let bytes: Vec<u8> = match alg {
        "MD5" => Md5::digest(data.as_bytes()).to_vec(),
        "SHA-256" => Sha256::digest(data.as_bytes()).to_vec(),
        other => panic!("algorithm {other}"),
    };
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An `Authorization: Digest` value answering `ch` (qop=auth).
pub fn authorization(ch: &Challenge, user: &str, pass: &str, uri: &str, nc: u32) -> String {
    let alg = ch.algorithm.as_str();
    let cnonce = "0a4f113b";
    let nc = format!("{nc:08x}");
    let ha1 = h(alg, &format!("{user}:{}:{pass}", ch.realm));
    let ha2 = h(alg, &format!("POST:{uri}"));
    let response = h(alg, &format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", ch.nonce));
    format!(
        "Digest username=\"{user}\", realm=\"{}\", nonce=\"{}\", uri=\"{uri}\", algorithm={alg}, qop=auth, nc={nc}, cnonce=\"{cnonce}\", response=\"{response}\"",
        ch.realm, ch.nonce
    )
}

pub const DEVICE_PATH: &str = "/onvif/device_service";

/// POST a SOAP body to the device service with the right SOAP 1.2 action.
pub async fn post(
    addr: SocketAddr,
    header: &str,
    body: &str,
    extra: &[(&str, String)],
) -> HttpResponse {
    let op = body
        .split(['<', ' ', '>'])
        .find(|s| s.starts_with("d:"))
        .map(|s| s.trim_start_matches("d:").to_string())
        .unwrap_or_default();
    let mut headers = vec![(
        "Content-Type",
        format!("application/soap+xml; charset=utf-8; action=\"{TDS}/{op}\""),
    )];
    headers.extend(extra.iter().cloned());
    http(
        addr,
        "POST",
        DEVICE_PATH,
        &headers,
        envelope(header, body).as_bytes(),
    )
    .await
    .expect("device answers")
}

/// An operation without credentials.
pub async fn call(addr: SocketAddr, op: &str, inner: &str) -> HttpResponse {
    post(addr, "", &tds(op, inner), &[]).await
}

/// An operation with a UsernameToken signed on the local clock shifted by `offset`.
pub async fn call_wsse(
    addr: SocketAddr,
    user: &str,
    pass: &str,
    offset: i64,
    op: &str,
    inner: &str,
) -> HttpResponse {
    post(addr, &wsse_now(user, pass, offset), &tds(op, inner), &[]).await
}

/// An operation with HTTP Digest: ask, get challenged, answer the first challenge.
pub async fn call_digest(
    addr: SocketAddr,
    user: &str,
    pass: &str,
    op: &str,
    inner: &str,
) -> HttpResponse {
    let first = call(addr, op, inner).await;
    answer_challenge(addr, first, user, pass, op, inner).await
}

/// Repeat a request that got 401, answering its first challenge.
async fn answer_challenge(
    addr: SocketAddr,
    first: HttpResponse,
    user: &str,
    pass: &str,
    op: &str,
    inner: &str,
) -> HttpResponse {
    if first.status != 401 {
        return first;
    }
    let ch = parse_challenge(first.headers_named("WWW-Authenticate")[0]);
    let auth = authorization(&ch, user, pass, DEVICE_PATH, 1);
    post(addr, "", &tds(op, inner), &[("Authorization", auth)]).await
}

/// The admin with whatever the device asks for (digest for `digest`/`any`, token for `wsse`).
pub async fn call_admin(addr: SocketAddr, op: &str, inner: &str) -> HttpResponse {
    let first = call(addr, op, inner).await;
    match first.status {
        401 => answer_challenge(addr, first, USER, PASS, op, inner).await,
        400 if first
            .fault_codes()
            .iter()
            .any(|c| c.ends_with("NotAuthorized")) =>
        {
            call_wsse(addr, USER, PASS, 0, op, inner).await
        }
        _ => first,
    }
}

/// Where `onvif-validate` lives, and whether a missing validator is a failure (CI) or a skip.
pub fn validator() -> Option<(PathBuf, Option<PathBuf>)> {
    if let Some(dir) = std::env::var_os("ONVIF_SCHEMA_DIR") {
        let dir = PathBuf::from(dir);
        let tool = dir.join("../tools/onvif-validate");
        assert!(
            tool.exists(),
            "ONVIF_SCHEMA_DIR is set but {} is missing",
            tool.display()
        );
        assert!(
            on_path("xmllint"),
            "ONVIF_SCHEMA_DIR is set but xmllint is not installed"
        );
        return Some((tool, Some(dir)));
    }
    if !on_path("xmllint") {
        return None;
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/tools/onvif-validate"))
        .find(|p| p.exists())
        .map(|tool| (tool, None))
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
}

/// A `mock-onvif` child process, killed when dropped.
pub struct Process {
    child: Child,
    pub lines: mpsc::Receiver<String>,
}

impl Process {
    pub fn spawn(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mock-onvif"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("mock-onvif starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead as _;
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child, lines: rx }
    }

    /// The next stdout line, or a panic after the deadline.
    pub fn line(&self) -> String {
        self.lines
            .recv_timeout(DEADLINE)
            .expect("mock-onvif printed a line in time")
    }

    /// Wait for the exit status.
    pub fn wait(&mut self) -> std::process::ExitStatus {
        let start = std::time::Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(start.elapsed() < DEADLINE, "mock-onvif did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn signal_term(&self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `http://IP:PORT` at the end of a readiness line, as a socket address.
pub fn listening_addr(line: &str) -> SocketAddr {
    line.strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("not a readiness line: {line}"))
        .parse()
        .expect("an IP:PORT")
}

pub const TRT: &str = "http://www.onvif.org/ver10/media/wsdl";
pub const TR2: &str = "http://www.onvif.org/ver20/media/wsdl";
pub const TPTZ: &str = "http://www.onvif.org/ver20/ptz/wsdl";
pub const TRC: &str = "http://www.onvif.org/ver10/recording/wsdl";
pub const TIMG: &str = "http://www.onvif.org/ver20/imaging/wsdl";

/// `<m:Op xmlns:m=ns xmlns:t=tt>inner</m:Op>`; `inner` uses `m:` and `t:` prefixes.
pub fn service_op(ns: &str, op: &str, inner: &str) -> String {
    format!("<m:{op} xmlns:m=\"{ns}\" xmlns:t=\"{TT}\">{inner}</m:{op}>")
}

/// POST an operation of any service to `path`, without credentials.
pub async fn call_at(
    addr: SocketAddr,
    path: &str,
    ns: &str,
    op: &str,
    inner: &str,
) -> HttpResponse {
    let headers = [(
        "Content-Type",
        format!("application/soap+xml; charset=utf-8; action=\"{ns}/{op}\""),
    )];
    http(
        addr,
        "POST",
        path,
        &headers,
        envelope("", &service_op(ns, op, inner)).as_bytes(),
    )
    .await
    .expect("device answers")
}

/// Calls to a device's services at the XAddrs its persona lists (auth off in these tests).
pub struct Services {
    pub addr: SocketAddr,
    persona: mock_devices::Persona,
}

impl Services {
    pub fn new(device: &mock_devices::MockDevice) -> Self {
        Self {
            addr: device.addr(),
            persona: device.persona().clone(),
        }
    }

    fn path(&self, kind: mock_devices::persona::ServiceKind) -> String {
        self.persona
            .service(kind)
            .map_or_else(|| "/onvif/services".to_string(), |s| s.path.clone())
    }

    pub async fn media(&self, op: &str, inner: &str) -> HttpResponse {
        let path = self.path(mock_devices::persona::ServiceKind::Media);
        call_at(self.addr, &path, TRT, op, inner).await
    }

    pub async fn media2(&self, op: &str, inner: &str) -> HttpResponse {
        let path = self.path(mock_devices::persona::ServiceKind::Media2);
        call_at(self.addr, &path, TR2, op, inner).await
    }

    pub async fn ptz(&self, op: &str, inner: &str) -> HttpResponse {
        let path = self.path(mock_devices::persona::ServiceKind::Ptz);
        call_at(self.addr, &path, TPTZ, op, inner).await
    }

    pub async fn recording(&self, op: &str, inner: &str) -> HttpResponse {
        let path = self.path(mock_devices::persona::ServiceKind::Recording);
        call_at(self.addr, &path, TRC, op, inner).await
    }

    pub async fn imaging(&self, op: &str, inner: &str) -> HttpResponse {
        let path = self.path(mock_devices::persona::ServiceKind::Imaging);
        call_at(self.addr, &path, TIMG, op, inner).await
    }
}

/// A device of a built-in persona on a free port, authentication off.
pub async fn open_device(persona: &str) -> mock_devices::MockDevice {
    let persona = mock_devices::Persona::builtin(persona).unwrap();
    let bind: SocketAddr = "127.0.0.1:0".parse().unwrap();
    mock_devices::MockDevice::start(
        mock_devices::DeviceConfig::new(persona, bind).auth(mock_devices::AuthMode::None),
    )
    .await
    .unwrap()
}

/// Attribute values `name="..."` of every element with this local name, in document order.
pub fn attrs(xml: &str, local: &str, name: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e))
                if e.local_name().as_ref() == local.as_bytes() =>
            {
                if let Some(a) = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == name.as_bytes())
                {
                    out.push(a.unescape_value().unwrap_or_default().into_owned());
                }
            }
            Ok(Event::Eof) | Err(_) => return out,
            _ => {}
        }
    }
}

/// After a reboot or factory reset: wait until the device answers `op` on `path` again.
pub async fn wait_back(
    dev: &mock_devices::MockDevice,
    path: &str,
    ns: &str,
    op: &str,
) -> HttpResponse {
    let start = std::time::Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if dev.is_up() && start.elapsed() > Duration::from_millis(400) {
            if let Ok(r) = http(
                dev.addr(),
                "POST",
                path,
                &[],
                envelope("", &service_op(ns, op, "")).as_bytes(),
            )
            .await
            {
                return r;
            }
        }
        assert!(start.elapsed() < DEADLINE, "device did not come back");
    }
}

/// An operation of any service as the built-in administrator (see [`call_at_as`]).
pub async fn call_at_admin(
    addr: SocketAddr,
    path: &str,
    ns: &str,
    op: &str,
    inner: &str,
) -> HttpResponse {
    call_at_as(addr, path, ns, op, inner, USER, PASS).await
}

/// An operation of any service as `user`, with whatever credentials the device asks for
/// (HTTP Digest after a 401, else a UsernameToken after `ter:NotAuthorized`).
pub async fn call_at_as(
    addr: SocketAddr,
    path: &str,
    ns: &str,
    op: &str,
    inner: &str,
    user: &str,
    pass: &str,
) -> HttpResponse {
    let content_type = format!("application/soap+xml; charset=utf-8; action=\"{ns}/{op}\"");
    let body = service_op(ns, op, inner);
    let send = |header: String, auth: Option<String>| {
        let mut headers = vec![("Content-Type", content_type.clone())];
        if let Some(a) = auth {
            headers.push(("Authorization", a));
        }
        let doc = envelope(&header, &body);
        async move {
            http(addr, "POST", path, &headers, doc.as_bytes())
                .await
                .expect("device answers")
        }
    };
    let first = send(String::new(), None).await;
    match first.status {
        401 => {
            let ch = parse_challenge(first.headers_named("WWW-Authenticate")[0]);
            send(String::new(), Some(authorization(&ch, user, pass, path, 1))).await
        }
        400 if first
            .fault_codes()
            .iter()
            .any(|c| c.ends_with("NotAuthorized")) =>
        {
            send(wsse_now(user, pass, 0), None).await
        }
        _ => first,
    }
}
