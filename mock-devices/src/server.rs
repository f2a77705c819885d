//! The HTTP side of one device: the listener task, request dispatch, authentication, injected
//! faults and the operation log.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue, SERVER, WWW_AUTHENTICATE};
use hyper::http::request::Parts;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::auth::{AuthError, AuthState, has_security_header};
use crate::device_service::{Access, Ctx, Effect};
use crate::persona::{AuthMode, Persona, UserLevel};
use crate::services;
use crate::soap::{self, Fault, FaultCode, ns};
use crate::state::DeviceState;
use crate::xml::Node;

/// Largest request body accepted; ONVIF requests are a few kilobytes.
const MAX_BODY: usize = 1 << 20;
/// Operations kept in the log (oldest dropped first).
const LOG_CAPACITY: usize = 10_000;
/// Time between answering an operation that reboots or moves the device and doing it, so
/// the answer gets out first.
const ANSWER_GRACE: Duration = Duration::from_millis(150);
/// What a `garbage` fault answers with: not XML, not even UTF-8.
const GARBAGE: &[u8] = b"\x1f\x8b\x08\x00\xde\xad\xbe\xef<<<\xff\xfe not a SOAP envelope \x00\x01";

/// A misbehaviour injected into a device for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InjectedFault {
    /// Stop answering (connections refused) for this long, then come back with the saved
    /// state; outstanding digest nonces are forgotten, as after a real reboot.
    Reboot(Duration),
    /// Read each request, then close the connection without an answer.
    Drop,
    /// Add this delay before every answer.
    Latency(Duration),
    /// Answer every request with HTTP 200 and bytes that are not XML.
    Garbage,
    /// When SetNetworkInterfaces moves the device, it reboots onto the new address and is
    /// away this long first (overrides the persona's `network_move_ms`).
    MoveDelay(Duration),
}

/// One request the device received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    /// Operation (the Body element's local name), or `(not SOAP)`.
    pub name: String,
    /// The operation's namespace URI (empty when unknown).
    pub namespace: String,
    /// When it arrived (real time), RFC 3339.
    pub time: DateTime<Utc>,
    /// HTTP status answered, `None` when the connection was dropped.
    pub status: Option<u16>,
    /// The request carried a credential: an HTTP `Authorization` header or a WS-Security
    /// `UsernameToken` anywhere in the body (found by bytes, so a malformed envelope cannot
    /// hide one).
    pub credentials: bool,
}

#[derive(Debug, Default, Clone, Copy)]
struct Faults {
    drop: bool,
    garbage: bool,
    latency: Option<Duration>,
    move_delay: Option<Duration>,
}

pub(crate) enum Command {
    /// Go down after `after` (time for an answer in flight to leave), stay down for `down`.
    Reboot { after: Duration, down: Duration },
    /// Listen on `listener` instead; when `away` is not zero the device reboots onto it,
    /// answering nowhere for that long.
    Relocate {
        listener: TcpListener,
        away: Duration,
    },
}

/// Why a request's credentials are not enough.
enum Refusal {
    /// HTTP 401 with fresh digest challenges.
    Challenge { stale: bool },
    /// A SOAP fault (`ter:NotAuthorized`).
    Fault(Fault),
}

/// Everything one device is, shared by its listener and connection tasks.
pub(crate) struct Core {
    pub persona: Persona,
    pub auth_mode: AuthMode,
    pub discovery_port: Option<u16>,
    /// ONVIF switched off: `/onvif/` answers 404.
    pub onvif_off: AtomicBool,
    state: Mutex<DeviceState>,
    auth: Mutex<AuthState>,
    faults: Mutex<Faults>,
    log: Mutex<VecDeque<LogEntry>>,
    /// Credential proofs received (HTTP Digest `response` values, WS-Security password
    /// digests), oldest dropped first: what a test looks for in the client's files and logs.
    proofs: Mutex<VecDeque<String>>,
    /// HTTPS, when the device serves it.
    pub tls: Option<crate::tls::TlsIdentity>,
    /// The site's DHCP server, if any.
    pub dhcp: Option<crate::dhcp::DhcpServer>,
    addr: Mutex<SocketAddr>,
    up: AtomicBool,
    commands: mpsc::UnboundedSender<Command>,
}

/// Lock a mutex, ignoring poisoning: a panicked request must not take the device down.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Core {
    pub(crate) fn new(
        persona: Persona,
        auth_mode: AuthMode,
        discovery_port: Option<u16>,
        state: DeviceState,
        addr: SocketAddr,
        tls: Option<crate::tls::TlsIdentity>,
        dhcp: Option<crate::dhcp::DhcpServer>,
    ) -> (Arc<Self>, mpsc::UnboundedReceiver<Command>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let core = Arc::new(Self {
            persona,
            auth_mode,
            discovery_port,
            onvif_off: AtomicBool::new(false),
            state: Mutex::new(state),
            auth: Mutex::new(AuthState::new()),
            faults: Mutex::new(Faults::default()),
            log: Mutex::new(VecDeque::new()),
            proofs: Mutex::new(VecDeque::new()),
            tls,
            dhcp,
            addr: Mutex::new(addr),
            up: AtomicBool::new(true),
            commands: tx,
        });
        (core, rx)
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        *lock(&self.addr)
    }

    pub(crate) fn is_up(&self) -> bool {
        self.up.load(Ordering::SeqCst)
    }

    pub(crate) fn with_state<R>(&self, f: impl FnOnce(&DeviceState) -> R) -> R {
        f(&lock(&self.state))
    }

    pub(crate) fn log(&self) -> Vec<LogEntry> {
        lock(&self.log).iter().cloned().collect()
    }

    pub(crate) fn set_fault(&self, fault: InjectedFault) {
        let mut f = lock(&self.faults);
        match fault {
            InjectedFault::Drop => f.drop = true,
            InjectedFault::Garbage => f.garbage = true,
            InjectedFault::Latency(d) => f.latency = Some(d),
            InjectedFault::MoveDelay(d) => f.move_delay = Some(d),
            InjectedFault::Reboot(d) => {
                let _ = self.commands.send(Command::Reboot {
                    after: Duration::ZERO,
                    down: d,
                });
            }
        }
    }

    pub(crate) fn clear_faults(&self) {
        *lock(&self.faults) = Faults::default();
    }

    pub(crate) fn proofs(&self) -> Vec<String> {
        lock(&self.proofs).iter().cloned().collect()
    }

    /// Keeps the Digest `response` and every WS-Security `Password` of a request.
    fn record_proofs(&self, authorization: Option<&str>, header: Option<&Node>) {
        let mut found = Vec::new();
        if let Some(a) = authorization {
            if let Some(i) = a.find("response=") {
                let v = a[i + 9..].trim_start_matches('"');
                let end = v.find(['"', ',']).unwrap_or(v.len());
                found.push(v[..end].to_owned());
            }
        }
        fn passwords(n: &Node, out: &mut Vec<String>) {
            if n.name == "Password" && !n.text.trim().is_empty() {
                out.push(n.text.trim().to_owned());
            }
            for c in &n.children {
                passwords(c, out);
            }
        }
        if let Some(h) = header {
            passwords(h, &mut found);
        }
        let mut proofs = lock(&self.proofs);
        for p in found {
            if proofs.len() >= LOG_CAPACITY {
                proofs.pop_front();
            }
            proofs.push_back(p);
        }
    }

    fn record(&self, name: &str, namespace: &str, status: Option<u16>, credentials: bool) {
        let mut log = lock(&self.log);
        if log.len() >= LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back(LogEntry {
            name: name.to_string(),
            namespace: namespace.to_string(),
            time: Utc::now(),
            status,
            credentials,
        });
    }

    fn base_response(
        &self,
        status: StatusCode,
        content_type: &'static str,
        body: Bytes,
    ) -> Response<Full<Bytes>> {
        let mut resp = Response::new(Full::new(body));
        *resp.status_mut() = status;
        resp.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        if let Some(server) = &self.persona.http.server {
            if let Ok(v) = HeaderValue::from_str(server) {
                resp.headers_mut().insert(SERVER, v);
            }
        }
        resp
    }

    fn soap_response(&self, status: StatusCode, payload: &str) -> Response<Full<Bytes>> {
        let body = soap::envelope(&self.persona.http.envelope_prefix, payload);
        self.base_response(
            status,
            "application/soap+xml; charset=utf-8",
            Bytes::from(body),
        )
    }

    fn fault_response(&self, fault: &Fault) -> Response<Full<Bytes>> {
        let http = &self.persona.http;
        let status = match fault.code {
            FaultCode::Sender => http.sender_fault_status,
            FaultCode::Receiver | FaultCode::VersionMismatch => http.receiver_fault_status,
        };
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
        self.soap_response(status, &fault.to_xml(&http.envelope_prefix))
    }

    fn challenge(&self, stale: bool) -> Response<Full<Bytes>> {
        let now = Utc::now().timestamp();
        let challenges = lock(&self.auth).challenges(&self.persona.auth, stale, now);
        let mut resp = self.base_response(
            StatusCode::UNAUTHORIZED,
            "text/html; charset=utf-8",
            Bytes::from_static(b"<!DOCTYPE html><html><head><title>401 Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>"),
        );
        for c in challenges {
            if let Ok(v) = HeaderValue::from_str(&c) {
                resp.headers_mut().append(WWW_AUTHENTICATE, v);
            }
        }
        resp
    }

    /// Check credentials for an operation of class `access`; `Err` is the refusal to send.
    fn authenticate(
        &self,
        parts: &Parts,
        header: Option<&Node>,
        access: Access,
        state: &DeviceState,
    ) -> Result<(), Refusal> {
        self.record_proofs(
            parts
                .headers
                .get(hyper::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok()),
            header,
        );
        if self.auth_mode == AuthMode::None || !state.has_users() {
            return Ok(());
        }
        let settings = &self.persona.auth;
        let users = &state.users;
        let mut auth = lock(&self.auth);
        if access == Access::PreAuth {
            if self.persona.quirks.reject_bad_token_on_pre_auth
                && self.auth_mode.uses_wsse()
                && has_security_header(header)
                && auth
                    .verify_wsse(header, users, settings, state.device_now())
                    .is_err()
            {
                return Err(Refusal::Fault(Fault::not_authorized()));
            }
            return Ok(());
        }
        let authorization = parts
            .headers
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let uri = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path(), |p| p.as_str());
        let method = parts.method.as_str();
        let now = Utc::now().timestamp();
        let digest = |auth: &mut AuthState| {
            auth.verify_digest(authorization, method, uri, users, settings, now)
                .map(|u| u.level)
        };
        let wsse = |auth: &mut AuthState| {
            auth.verify_wsse(header, users, settings, state.device_now())
                .map(|u| u.level)
        };
        let result: Result<UserLevel, AuthError> = match self.auth_mode {
            AuthMode::None => return Ok(()),
            AuthMode::Digest => digest(&mut auth),
            AuthMode::Wsse => wsse(&mut auth),
            AuthMode::Both => {
                digest(&mut auth).and_then(|a| wsse(&mut auth).map(|b| crate::auth::lower(a, b)))
            }
            AuthMode::Any => {
                if authorization.is_some() || !has_security_header(header) {
                    digest(&mut auth)
                } else {
                    wsse(&mut auth)
                }
            }
        };
        drop(auth);
        match result {
            Ok(level) if access.allows(level) => Ok(()),
            Ok(_) => Err(Refusal::Fault(Fault::not_authorized())),
            Err(e) => {
                tracing::debug!(device = %self.addr(), reason = %e, "credentials refused");
                match e {
                    AuthError::DigestStale => Err(Refusal::Challenge { stale: true }),
                    AuthError::DigestMissing(_) | AuthError::DigestRefused(_) => {
                        Err(Refusal::Challenge { stale: false })
                    }
                    AuthError::TokenMissing | AuthError::TokenRefused(_) => {
                        Err(Refusal::Fault(Fault::not_authorized()))
                    }
                }
            }
        }
    }

    /// Answer one parsed request; also returns what the server must do afterwards.
    fn respond(
        &self,
        parts: &Parts,
        request: Result<soap::Request, Fault>,
    ) -> (Response<Full<Bytes>>, Vec<Effect>) {
        let request = match request {
            Ok(r) => r,
            Err(fault) => return (self.fault_response(&fault), Vec::new()),
        };
        let namespace = request.namespace().to_string();
        let operation = request.operation().to_string();
        if let Some(action) = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(soap::content_type_action)
        {
            let expected = format!("{namespace}/{operation}");
            // Four Media actions in media.wsdl misplace their slash (`…/wsdlGetProfile/`,
            // also GetVideoSources, GetAudioSourceConfigurations and
            // GetVideoSourceConfigurationOptions): a client that follows the WSDL sends that.
            let wsdl_quirk = namespace == ns::TRT
                && matches!(
                    operation.as_str(),
                    "GetProfile"
                        | "GetVideoSources"
                        | "GetAudioSourceConfigurations"
                        | "GetVideoSourceConfigurationOptions"
                )
                && action == format!("{namespace}{operation}/")
                // Two Media2 actions in ver20 media.wsdl end in a stray slash.
                || namespace == ns::TR2
                    && matches!(
                        operation.as_str(),
                        "GetAudioSourceConfigurations" | "GetVideoSourceConfigurationOptions"
                    )
                    && action == format!("{expected}/");
            if action != expected && !wsdl_quirk {
                let fault = Fault::invalid_args(format!(
                    "the SOAP action `{action}` does not match the Body element {{{namespace}}}{operation}"
                ));
                return (self.fault_response(&fault), Vec::new());
            }
        }
        let known = services::access(&self.persona, &namespace, &operation);
        let mut state = lock(&self.state);
        // An operation the device does not know still needs credentials first, as on a
        // real device whose web server authenticates before dispatching.
        if let Err(refusal) = self.authenticate(
            parts,
            request.header.as_ref(),
            known.unwrap_or(Access::ReadSystem),
            &state,
        ) {
            let response = match refusal {
                Refusal::Challenge { stale } => self.challenge(stale),
                Refusal::Fault(fault) => self.fault_response(&fault),
            };
            return (response, Vec::new());
        }
        if known.is_none() {
            let fault = Fault::action_not_supported(format!(
                "{{{namespace}}}{operation} is not supported by this device"
            ));
            return (self.fault_response(&fault), Vec::new());
        }
        let listen = public_addr(self.addr(), &state);
        let mut ctx = Ctx {
            persona: &self.persona,
            state: &mut state,
            listen,
            effects: Vec::new(),
            dhcp: self.dhcp.as_ref(),
        };
        match services::handle(&namespace, &operation, &request.payload, &mut ctx) {
            Ok(payload) => {
                let effects = ctx.effects;
                (self.soap_response(StatusCode::OK, &payload), effects)
            }
            Err(fault) => (self.fault_response(&fault), Vec::new()),
        }
    }

    fn apply(&self, effect: Effect) {
        match effect {
            Effect::Reboot(d) => {
                let _ = self.commands.send(Command::Reboot {
                    after: ANSWER_GRACE,
                    down: d,
                });
            }
            Effect::Relocate(ip) => {
                let old = self.addr();
                let target = SocketAddr::new(ip.into(), old.port());
                let away = lock(&self.faults)
                    .move_delay
                    .unwrap_or(Duration::from_millis(self.persona.quirks.network_move_ms));
                // Bound now, so a taken address leaves the device where it is.
                match bind(target) {
                    Ok(listener) => {
                        *lock(&self.addr) = target;
                        let _ = self.commands.send(Command::Relocate { listener, away });
                    }
                    Err(e) => tracing::warn!(
                        device = %old, %target, error = %e,
                        "cannot move to the new address; still listening on the old one"
                    ),
                }
            }
        }
    }
}

/// The address clients use: the listening one, unless that is a wildcard, in which case the
/// first interface's configured address.
pub(crate) fn public_addr(listen: SocketAddr, state: &DeviceState) -> SocketAddr {
    match (listen.ip().is_unspecified(), state.interfaces.first()) {
        (true, Some(iface)) => SocketAddr::new(iface.address.into(), listen.port()),
        _ => listen,
    }
}

/// Bind a listening socket the way a device's web server does (address reuse, so a device
/// can come back on its port right after a reboot or swap).
pub(crate) fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let domain = socket2::Domain::for_address(addr);
    let socket = socket2::Socket::new(domain, socket2::Type::STREAM, Some(socket2::Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    TcpListener::from_std(socket.into())
}

#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for Dropped {}

fn plain(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

async fn serve(core: Arc<Core>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Dropped> {
    if !req.uri().path().starts_with("/onvif/") {
        return Ok(plain(StatusCode::NOT_FOUND, "not found\n"));
    }
    if core.onvif_off.load(Ordering::Relaxed) {
        // The web server is up; the "Integration Protocol" is not.
        let mut resp = plain(StatusCode::NOT_FOUND, "not found\n");
        if let Some(server) = &core.persona.http.server
            && let Ok(v) = HeaderValue::from_str(server)
        {
            resp.headers_mut().insert(SERVER, v);
        }
        return Ok(resp);
    }
    if req.method() != Method::POST {
        let mut resp = plain(StatusCode::METHOD_NOT_ALLOWED, "ONVIF services take POST\n");
        resp.headers_mut()
            .insert(hyper::header::ALLOW, HeaderValue::from_static("POST"));
        return Ok(resp);
    }
    let (parts, body) = req.into_parts();
    let bytes = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            return Ok(plain(StatusCode::PAYLOAD_TOO_LARGE, "request too large\n"));
        }
        Err(_) => return Err(Dropped),
    };
    let credentials = parts.headers.contains_key(hyper::header::AUTHORIZATION)
        || bytes.windows(13).any(|w| w == b"UsernameToken");
    let request = soap::parse_request(&bytes);
    let (name, namespace) = match &request {
        Ok(r) => (r.operation().to_string(), r.namespace().to_string()),
        Err(_) => ("(not SOAP)".to_string(), String::new()),
    };
    let faults = *lock(&core.faults);
    if let Some(delay) = faults.latency {
        tokio::time::sleep(delay).await;
    }
    if faults.drop {
        core.record(&name, &namespace, None, credentials);
        return Err(Dropped);
    }
    if faults.garbage {
        core.record(&name, &namespace, Some(200), credentials);
        return Ok(core.base_response(
            StatusCode::OK,
            "application/soap+xml; charset=utf-8",
            Bytes::from_static(GARBAGE),
        ));
    }
    let (response, effects) = core.respond(&parts, request);
    core.record(
        &name,
        &namespace,
        Some(response.status().as_u16()),
        credentials,
    );
    for effect in effects {
        core.apply(effect);
    }
    Ok(response)
}

fn spawn_connection(conns: &mut JoinSet<()>, core: &Arc<Core>, stream: tokio::net::TcpStream) {
    let core = Arc::clone(core);
    conns.spawn(async move {
        match core.tls.as_ref().map(|t| t.acceptor.clone()) {
            None => serve_connection(core, stream).await,
            Some(acceptor) => {
                match tokio::time::timeout(Duration::from_secs(30), acceptor.accept(stream)).await {
                    Ok(Ok(tls)) => serve_connection(core, tls).await,
                    // A client that refuses our certificate ends the handshake: nothing to serve.
                    Ok(Err(e)) => tracing::trace!(error = %e, "TLS handshake failed"),
                    Err(_) => tracing::trace!("TLS handshake timed out"),
                }
            }
        }
    });
}

async fn serve_connection<S>(core: Arc<Core>, stream: S)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req| serve(Arc::clone(&core), req));
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30))
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    if let Err(e) = conn.await {
        tracing::trace!(error = %e, "connection ended");
    }
}

/// The device's listener: accepts connections until aborted, and carries out reboots and
/// moves. Aborting it drops the listener and every connection task (they live in its
/// `JoinSet`), so nothing keeps the port once the device is gone.
pub(crate) async fn run(
    core: Arc<Core>,
    listener: TcpListener,
    mut commands: mpsc::UnboundedReceiver<Command>,
) -> Infallible {
    let mut listener = Some(listener);
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = accept(listener.as_ref()) => match accepted {
                Ok((stream, _peer)) => {
                    let _ = stream.set_nodelay(true);
                    spawn_connection(&mut conns, &core, stream);
                }
                Err(e) => {
                    // Out of descriptors and the like: back off instead of spinning.
                    tracing::warn!(device = %core.addr(), error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            command = commands.recv() => match command {
                Some(Command::Reboot { after, down }) => {
                    tokio::time::sleep(after).await;
                    core.up.store(false, Ordering::SeqCst);
                    // Closing the socket makes clients see connection refused, as with a
                    // camera that is booting.
                    drop(listener.take());
                    conns.abort_all();
                    while conns.join_next().await.is_some() {}
                    tokio::time::sleep(down).await;
                    *lock(&core.auth) = AuthState::new();
                    listener = rebind(&core).await;
                    core.up.store(true, Ordering::SeqCst);
                }
                Some(Command::Relocate { listener: new, away }) if away.is_zero() => {
                    // Answers at once on the new address; connections to the old one end
                    // after the grace, so the SetNetworkInterfaces answer still gets out.
                    listener = Some(new);
                    let leaving = std::mem::take(&mut conns);
                    tokio::spawn(async move {
                        tokio::time::sleep(ANSWER_GRACE).await;
                        drop(leaving);
                    });
                }
                Some(Command::Relocate { listener: new, away }) => {
                    // A reboot onto the new address: nothing answers anywhere meanwhile.
                    drop(new);
                    tokio::time::sleep(ANSWER_GRACE).await;
                    core.up.store(false, Ordering::SeqCst);
                    drop(listener.take());
                    conns.abort_all();
                    while conns.join_next().await.is_some() {}
                    tokio::time::sleep(away).await;
                    *lock(&core.auth) = AuthState::new();
                    listener = rebind(&core).await;
                    core.up.store(true, Ordering::SeqCst);
                }
                // Unreachable while `core` (which holds the sender) is alive.
                None => std::future::pending::<()>().await,
            },
        }
    }
}

async fn accept(listener: Option<&TcpListener>) -> io::Result<(tokio::net::TcpStream, SocketAddr)> {
    match listener {
        Some(l) => l.accept().await,
        None => std::future::pending().await,
    }
}

async fn rebind(core: &Core) -> Option<TcpListener> {
    let addr = core.addr();
    for attempt in 0..50 {
        match bind(addr) {
            Ok(l) => return Some(l),
            Err(e) if attempt == 49 => {
                tracing::error!(device = %addr, error = %e, "cannot listen again after reboot");
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    None
}
