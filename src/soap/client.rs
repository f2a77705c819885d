//! [`SoapClient`]: SOAP 1.2 over HTTP(S) to one device, with the authentication cameras use.
//!
//! One client per device, cheap to clone (the state sits behind an `Arc`): the clock offset and
//! the HTTP Digest session are shared by all clones, so every call benefits from what an
//! earlier one learned.
//!
//! Per request: POST with `Content-Type: application/soap+xml; charset=utf-8; action="..."`,
//! a per-request timeout over connect, send and the whole body, a response size cap enforced
//! while streaming, no redirects, no proxy (cameras sit on the site LAN; a proxy taken from the
//! environment would see every request).
//!
//! A client talks to one origin (scheme, host and port, as the HTTP client parses the URL): the
//! device's, taken from its label when that is a URL, else from the first request. A request
//! to any other origin is refused before anything is sent, so no caller can hand a device's
//! credentials to an address the device (or anyone) names.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, LOCATION, WWW_AUTHENTICATE};
use tracing::Instrument as _;

use super::auth::digest::{self, Challenge, DigestSession};
use super::auth::wsse::UsernameToken;
use super::auth::{Clock, Credentials, NonceSource, RandomNonces, SystemClock};
use super::envelope::{self, EnvelopeError, Reply, envelope};
use super::error::{SoapError, innermost_cause};
use super::tls::{self, TlsTrust};
use super::xml::Element;
use super::{redact, snippet};
use crate::model::{Origin, redact_uri};

/// How a client authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthMode {
    /// Send a WS-Security UsernameToken when there are credentials, and answer an HTTP Digest
    /// challenge if one comes (then keep sending Digest up front to that device).
    #[default]
    Auto,
    /// HTTP Digest only: answer the 401 challenge, no SOAP security header.
    Digest,
    /// WS-Security UsernameToken only; a 401 is a failure.
    UsernameToken,
    /// Both a UsernameToken and HTTP Digest.
    Both,
    /// Send no credentials at all.
    None,
}

/// Settings of one [`SoapClient`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Whole-request timeout: connect, send, and read the full answer. Default 10 s.
    pub timeout: Duration,
    /// TCP (and TLS) connect timeout. Default 5 s.
    pub connect_timeout: Duration,
    /// Largest response body accepted, enforced while reading. Default 16 MiB.
    pub max_response_bytes: usize,
    /// Authentication mode. Default [`AuthMode::Auto`].
    pub auth: AuthMode,
    /// Device credentials; `Debug` hides the password.
    pub credentials: Option<Credentials>,
    /// Which device certificates to trust. Default: the public roots, as any HTTPS client.
    pub tls: TlsTrust,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_response_bytes: 16 * 1024 * 1024,
            auth: AuthMode::Auto,
            credentials: None,
            tls: TlsTrust::default(),
        }
    }
}

/// A SOAP client for one device. Clones share the clock offset and Digest session.
#[derive(Clone)]
pub struct SoapClient {
    shared: Arc<Shared>,
    clock: Arc<dyn Clock>,
    nonces: Arc<dyn NonceSource>,
}

struct Shared {
    device: String,
    http: reqwest::Client,
    config: ClientConfig,
    /// Device time minus our time, in milliseconds.
    offset_ms: AtomicI64,
    /// Digest sessions by origin (`http://host:port`): set once a device has challenged us.
    digest: Mutex<HashMap<String, DigestSession>>,
    /// The one origin this client sends to.
    origin: OnceLock<Origin>,
    /// SHA-256 of the certificate the device presented, when TLS trust is configured.
    certificate: Option<tls::SeenCertificate>,
    /// What the device's answers showed before (or without) a login.
    seen: Mutex<ServerSeen>,
}

/// What a device's HTTP answers showed, whatever the outcome of the calls: who made it can
/// often be read here without a login (the `Server` header, the Digest realm grammar, the
/// namespaces its SOAP stack declares). Device-supplied text, bounded in size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerSeen {
    /// The last `Server` header.
    pub server: Option<String>,
    /// The realm of the last HTTP Digest challenge.
    pub realm: Option<String>,
    /// Namespace URIs declared where a response payload sits (at most [`MAX_SEEN_NAMESPACES`]).
    pub namespaces: std::collections::BTreeSet<String>,
}

/// Most namespace URIs [`ServerSeen`] keeps: a hostile device cannot make it grow.
pub const MAX_SEEN_NAMESPACES: usize = 64;
/// Longest header value or namespace [`ServerSeen`] keeps, in characters.
const MAX_SEEN_CHARS: usize = 256;

fn bounded(s: &str) -> String {
    s.trim().chars().take(MAX_SEEN_CHARS).collect()
}

/// The `realm` parameter of a Digest challenge (`Digest realm="IP Camera(12345)", ...`).
fn digest_realm(challenge: &str) -> Option<String> {
    let (scheme, rest) = challenge.trim().split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("digest") {
        return None;
    }
    let lower = rest.to_ascii_lowercase();
    let at = lower.find("realm=")? + "realm=".len();
    let value = &rest[at..];
    let value = match value.strip_prefix('"') {
        Some(q) => &q[..q.find('"').unwrap_or(q.len())],
        None => value.split(',').next().unwrap_or(""),
    };
    Some(bounded(value))
}

impl fmt::Debug for SoapClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoapClient")
            .field("device", &self.shared.device)
            .field("config", &self.shared.config)
            .field("clock_offset", &self.clock_offset())
            .finish_non_exhaustive()
    }
}

/// Where one call goes.
struct Target {
    url: reqwest::Url,
    /// The URL for messages: no userinfo.
    shown: String,
    /// `scheme://host:port`, the key of the Digest session.
    origin: String,
    /// Where the HTTP client connects.
    connects_to: Origin,
    /// Path and query, the Digest `uri`.
    request_uri: String,
}

/// An HTTP answer, read within the size cap.
struct RawReply {
    status: u16,
    location: Option<String>,
    www_authenticate: Vec<String>,
    body: Vec<u8>,
}

/// How a request's Digest header was obtained, to tell a rejection from an expired nonce.
struct SentDigest {
    nonce: String,
}

impl SoapClient {
    /// A client for `device` (a label used in every error and log line, such as the device
    /// service address or the inventory id; userinfo is removed from it). When the label is
    /// an http(s) URL, its origin is the only one the client sends to; otherwise the first
    /// request's origin is.
    pub fn new(device: impl Into<String>, config: ClientConfig) -> Result<Self, SoapError> {
        let device = redact_uri(&device.into());
        let origin = OnceLock::new();
        if let Ok(o) = Origin::of(&device) {
            let _ = origin.set(o);
        }
        let invalid = |reason: &str| SoapError::Config {
            device: device.clone(),
            reason: reason.to_owned(),
        };
        if config.credentials.is_none()
            && matches!(
                config.auth,
                AuthMode::Digest | AuthMode::UsernameToken | AuthMode::Both
            )
        {
            return Err(invalid(&format!(
                "auth mode {:?} needs credentials",
                config.auth
            )));
        }
        if config.timeout.is_zero() || config.connect_timeout.is_zero() {
            return Err(invalid("timeouts must be longer than zero"));
        }
        if config.max_response_bytes == 0 {
            return Err(invalid("max_response_bytes must be at least 1"));
        }
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .user_agent(concat!("camswap/", env!("CARGO_PKG_VERSION")));
        let mut certificate = None;
        if !config.tls.is_default() {
            let (tls, seen) = tls::client_config(&config.tls).map_err(|e| invalid(&e))?;
            builder = builder.use_preconfigured_tls(tls);
            certificate = Some(seen);
        }
        let http = builder
            .build()
            .map_err(|e| invalid(&format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            shared: Arc::new(Shared {
                device,
                http,
                config,
                offset_ms: AtomicI64::new(0),
                digest: Mutex::new(HashMap::new()),
                origin,
                certificate,
                seen: Mutex::new(ServerSeen::default()),
            }),
            clock: Arc::new(SystemClock),
            nonces: Arc::new(RandomNonces),
        })
    }

    /// Uses `clock` for `wsu:Created` (tests pin it).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Uses `nonces` for WS-Security nonces and Digest client nonces (tests pin them).
    pub fn with_nonces(mut self, nonces: Arc<dyn NonceSource>) -> Self {
        self.nonces = nonces;
        self
    }

    /// The device label.
    pub fn device(&self) -> &str {
        &self.shared.device
    }

    /// The certificate SHA-256 this client requires ([`TlsTrust::pinned`]).
    pub fn pinned_certificate(&self) -> Option<String> {
        self.shared.config.tls.pinned.clone()
    }

    /// SHA-256 (hex) of the TLS certificate the device last presented, when trust other than
    /// the public roots is configured ([`ClientConfig::tls`]) and a handshake happened.
    pub fn certificate_sha256(&self) -> Option<String> {
        let slot = self.shared.certificate.as_ref()?;
        slot.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Sets device time minus our time, measured by the ONVIF layer with GetSystemDateAndTime;
    /// `wsu:Created` is signed as now plus this offset.
    pub fn set_clock_offset(&self, offset: chrono::Duration) {
        self.shared
            .offset_ms
            .store(offset.num_milliseconds(), Ordering::Relaxed);
    }

    /// Device time minus our time.
    pub fn clock_offset(&self) -> chrono::Duration {
        chrono::Duration::milliseconds(self.shared.offset_ms.load(Ordering::Relaxed))
    }

    /// What the device's answers have shown so far (Server header, Digest realm, namespaces).
    pub fn server_seen(&self) -> ServerSeen {
        self.seen().clone()
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, ServerSeen> {
        self.shared
            .seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// True once the device has sent an HTTP Digest challenge for `url`'s origin, so requests
    /// there carry `Authorization` up front.
    pub fn uses_digest(&self, url: &str) -> bool {
        let Ok(target) = self.target(url) else {
            return false;
        };
        self.sessions().contains_key(&target.origin)
    }

    /// Sends `payload` (a request element with its own `xmlns` declarations) to `url` with SOAP
    /// `action`, authenticated as the [`AuthMode`] says, and returns the response payload
    /// element.
    pub async fn call(&self, url: &str, action: &str, payload: &str) -> Result<Element, SoapError> {
        self.exchange(url, action, payload, true).await
    }

    /// Like [`call`](Self::call) but with no WS-Security header and no HTTP Digest, for the
    /// PRE_AUTH operations (GetSystemDateAndTime, GetServices) and factory-default devices.
    pub async fn call_unauthenticated(
        &self,
        url: &str,
        action: &str,
        payload: &str,
    ) -> Result<Element, SoapError> {
        self.exchange(url, action, payload, false).await
    }

    async fn exchange(
        &self,
        url: &str,
        action: &str,
        payload: &str,
        authenticate: bool,
    ) -> Result<Element, SoapError> {
        let target = self.target(url)?;
        let origin = self
            .shared
            .origin
            .get_or_init(|| target.connects_to.clone());
        if *origin != target.connects_to {
            tracing::warn!(
                device = %self.shared.device,
                url = %target.shown,
                device_origin = %origin,
                "request to another origin refused"
            );
            return Err(SoapError::ForeignOrigin {
                device: self.shared.device.clone(),
                url: target.shown,
                origin: origin.to_string(),
            });
        }
        let span = tracing::debug_span!(
            "soap",
            device = %self.shared.device,
            url = %target.shown,
            action,
        );
        self.exchange_at(&target, action, payload, authenticate)
            .instrument(span)
            .await
    }

    async fn exchange_at(
        &self,
        target: &Target,
        action: &str,
        payload: &str,
        authenticate: bool,
    ) -> Result<Element, SoapError> {
        let content_type = self.content_type(target, action)?;
        let mode = self.shared.config.auth;
        let credentials = self
            .shared
            .config
            .credentials
            .as_ref()
            .filter(|_| authenticate && mode != AuthMode::None);
        let send_wsse = credentials.is_some()
            && matches!(
                mode,
                AuthMode::Auto | AuthMode::UsernameToken | AuthMode::Both
            );
        let answer_digest = credentials.is_some()
            && matches!(mode, AuthMode::Auto | AuthMode::Digest | AuthMode::Both);

        // Challenges answered in this call: one for a fresh 401, one more for a stale nonce.
        let mut challenges = 0;
        loop {
            // A fresh token per attempt: devices refuse a replayed nonce.
            let header = match credentials {
                Some(c) if send_wsse => Some(self.username_token(c).header_xml()),
                _ => None,
            };
            let body = envelope(header.as_deref(), payload);
            let digest = match credentials {
                Some(c) if answer_digest => self.digest_authorization(target, c, body.as_bytes()),
                _ => None,
            };
            tracing::trace!(body = %redact(&body), "SOAP request");
            let started = Instant::now();
            let reply = self
                .send(target, &content_type, body, digest.as_ref().map(|d| &d.0))
                .await?;
            tracing::debug!(
                status = reply.status,
                bytes = reply.body.len(),
                ms = started.elapsed().as_millis() as u64,
                "SOAP answer"
            );
            tracing::trace!(body = %redact(&String::from_utf8_lossy(&reply.body)), "SOAP response");
            if reply.status != 401 {
                return self.interpret(target, reply);
            }

            // Some devices put a ter:NotAuthorized fault in the 401 body; say what it says.
            let device_said = match envelope::read(&reply.body) {
                Ok(Reply::Fault(fault)) => format!("; the device says: {fault}"),
                _ => String::new(),
            };
            let not_authorized = |detail: String| SoapError::NotAuthorized {
                device: self.shared.device.clone(),
                url: target.shown.clone(),
                detail: format!("{detail}{device_said}"),
            };
            let Some(creds) = credentials else {
                return Err(not_authorized(if !authenticate {
                    "HTTP 401 to an unauthenticated request: this operation needs credentials"
                        .to_owned()
                } else if mode == AuthMode::None {
                    "HTTP 401 and the auth mode is None".to_owned()
                } else {
                    "HTTP 401 and no credentials are configured for this device".to_owned()
                }));
            };
            if !answer_digest {
                return Err(not_authorized(format!(
                    "HTTP 401: the device wants HTTP authentication, but the auth mode is {mode:?}"
                )));
            }
            let challenge = Challenge::select(reply.www_authenticate.iter().map(String::as_str))
                .map_err(|e| not_authorized(format!("HTTP 401: {e}")))?;
            if let Some((_, sent)) = &digest {
                // Our answer to this very nonce was refused and the nonce is not merely stale:
                // the credentials are wrong. A cached nonce the server has since replaced
                // (without saying `stale`, as some cameras do) earns one more try.
                let same_nonce = sent.nonce == challenge.nonce;
                if !challenge.stale && (challenges > 0 || same_nonce) {
                    self.sessions().remove(&target.origin);
                    return Err(not_authorized(format!(
                        "the device refused the HTTP Digest credentials of {creds} (HTTP 401)"
                    )));
                }
            }
            if challenges >= 2 {
                self.sessions().remove(&target.origin);
                return Err(not_authorized(
                    "the device kept answering HTTP 401 with new Digest challenges".to_owned(),
                ));
            }
            challenges += 1;
            tracing::debug!(
                algorithm = challenge.algorithm.name(),
                stale = challenge.stale,
                "answering an HTTP Digest challenge"
            );
            self.sessions()
                .insert(target.origin.clone(), DigestSession::new(challenge));
        }
    }

    fn target(&self, url: &str) -> Result<Target, SoapError> {
        let shown = redact_uri(url);
        let invalid = |reason: String| SoapError::InvalidRequest {
            device: self.shared.device.clone(),
            url: shown.clone(),
            reason,
        };
        // Parsed by the same parser the HTTP client uses, with empty and host-less addresses
        // refused rather than read as a DNS name.
        let mut parsed = crate::model::http_url(url).map_err(|e| invalid(e.to_string()))?;
        let connects_to = Origin::of_url(&parsed).map_err(|e| invalid(e.to_string()))?;
        // Credentials come from the configuration only; userinfo in a URL would otherwise be
        // sent as HTTP Basic, in clear text.
        if !parsed.username().is_empty() || parsed.password().is_some() {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
        }
        let mut request_uri = parsed.path().to_owned();
        if let Some(q) = parsed.query() {
            request_uri.push('?');
            request_uri.push_str(q);
        }
        Ok(Target {
            origin: parsed.origin().ascii_serialization(),
            connects_to,
            shown: parsed.as_str().to_owned(),
            url: parsed,
            request_uri,
        })
    }

    fn content_type(&self, target: &Target, action: &str) -> Result<HeaderValue, SoapError> {
        let usable = action
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\');
        if !usable {
            return Err(SoapError::InvalidRequest {
                device: self.shared.device.clone(),
                url: target.shown.clone(),
                reason: format!("SOAP action {action:?} cannot go in a Content-Type header"),
            });
        }
        let value = if action.is_empty() {
            "application/soap+xml; charset=utf-8".to_owned()
        } else {
            format!("application/soap+xml; charset=utf-8; action=\"{action}\"")
        };
        HeaderValue::from_str(&value).map_err(|e| SoapError::InvalidRequest {
            device: self.shared.device.clone(),
            url: target.shown.clone(),
            reason: e.to_string(),
        })
    }

    fn username_token(&self, credentials: &Credentials) -> UsernameToken {
        let now = self.clock.now();
        let created = now.checked_add_signed(self.clock_offset()).unwrap_or(now);
        UsernameToken::new(credentials, &self.nonces.nonce(), created)
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, DigestSession>> {
        // A panic elsewhere while holding the lock leaves a usable map behind.
        self.shared
            .digest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn digest_authorization(
        &self,
        target: &Target,
        credentials: &Credentials,
        body: &[u8],
    ) -> Option<(String, SentDigest)> {
        let cnonce = digest::hex(&self.nonces.nonce());
        let mut sessions = self.sessions();
        let session = sessions.get_mut(&target.origin)?;
        let header = session.authorization(credentials, "POST", &target.request_uri, body, &cnonce);
        let nonce = session.challenge().nonce.clone();
        Some((header, SentDigest { nonce }))
    }

    async fn send(
        &self,
        target: &Target,
        content_type: &HeaderValue,
        body: String,
        authorization: Option<&String>,
    ) -> Result<RawReply, SoapError> {
        let timeout = self.shared.config.timeout;
        match tokio::time::timeout(
            timeout,
            self.send_within(target, content_type, body, authorization),
        )
        .await
        {
            Ok(result) => result,
            Err(_) => Err(SoapError::Timeout {
                device: self.shared.device.clone(),
                url: target.shown.clone(),
                after: timeout,
            }),
        }
    }

    async fn send_within(
        &self,
        target: &Target,
        content_type: &HeaderValue,
        body: String,
        authorization: Option<&String>,
    ) -> Result<RawReply, SoapError> {
        let mut request = self
            .shared
            .http
            .post(target.url.clone())
            .header(CONTENT_TYPE, content_type.clone())
            .body(body);
        if let Some(a) = authorization {
            // from_bytes: a realm or nonce echoed from the server may hold non-ASCII bytes.
            let value =
                HeaderValue::from_bytes(a.as_bytes()).map_err(|_| SoapError::NotAuthorized {
                    device: self.shared.device.clone(),
                    url: target.shown.clone(),
                    detail: "the device's Digest challenge cannot be answered in an HTTP header"
                        .to_owned(),
                })?;
            request = request.header(AUTHORIZATION, value);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| self.transport_error(target, e))?;

        let status = response.status().as_u16();
        let headers = response.headers();
        let location = headers
            .get(LOCATION)
            .map(|v| redact_uri(&String::from_utf8_lossy(v.as_bytes())));
        let www_authenticate: Vec<String> = headers
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        {
            let mut seen = self.seen();
            if let Some(v) = headers.get(reqwest::header::SERVER) {
                seen.server = Some(bounded(&String::from_utf8_lossy(v.as_bytes())));
            }
            if let Some(realm) = www_authenticate.iter().find_map(|c| digest_realm(c)) {
                seen.realm = Some(realm);
            }
        }

        let limit = self.shared.config.max_response_bytes;
        let too_large = || SoapError::TooLarge {
            device: self.shared.device.clone(),
            url: target.shown.clone(),
            limit,
        };
        let announced = response.content_length();
        if announced.is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let mut body = Vec::with_capacity(announced.map_or(8192, |n| n as usize).min(limit));
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_error(target, e))?
        {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawReply {
            status,
            location,
            www_authenticate,
            body,
        })
    }

    fn transport_error(&self, target: &Target, e: reqwest::Error) -> SoapError {
        let device = self.shared.device.clone();
        let url = target.shown.clone();
        let source = e.without_url();
        if let Some(problem) = tls::certificate_problem(&source) {
            return SoapError::Tls {
                device,
                url,
                problem,
            };
        }
        if source.is_timeout() {
            SoapError::Timeout {
                device,
                url,
                after: self.shared.config.timeout,
            }
        } else if source.is_connect() {
            SoapError::Connect {
                device,
                url,
                cause: innermost_cause(&source),
            }
        } else {
            SoapError::Transport {
                device,
                url,
                cause: innermost_cause(&source),
            }
        }
    }

    fn interpret(&self, target: &Target, reply: RawReply) -> Result<Element, SoapError> {
        let device = self.shared.device.clone();
        let url = target.shown.clone();
        let status = reply.status;
        if (300..400).contains(&status) {
            return Err(SoapError::Redirect {
                device,
                url,
                status,
                location: reply.location.unwrap_or_default(),
            });
        }
        let parsed = envelope::read(&reply.body);
        if (200..300).contains(&status) {
            return match parsed {
                Ok(Reply::Payload(payload)) => {
                    let mut seen = self.seen();
                    for (_, ns) in payload.scope.bindings() {
                        if seen.namespaces.len() >= MAX_SEEN_NAMESPACES {
                            break;
                        }
                        seen.namespaces.insert(bounded(ns));
                    }
                    drop(seen);
                    Ok(payload)
                }
                Ok(Reply::Fault(fault)) => Err(SoapError::Fault {
                    device,
                    url,
                    fault: Box::new(fault),
                    status,
                }),
                Ok(Reply::Empty) => Err(SoapError::EmptyBody {
                    device,
                    url,
                    status,
                }),
                Err(EnvelopeError::NotXml(source)) => Err(SoapError::NotXml {
                    device,
                    url,
                    snippet: snippet(&reply.body),
                    source,
                }),
                Err(EnvelopeError::NotSoap(detail)) => Err(SoapError::NotSoap {
                    device,
                    url,
                    detail,
                }),
            };
        }
        match parsed {
            Ok(Reply::Fault(fault)) => Err(SoapError::Fault {
                device,
                url,
                fault: Box::new(fault),
                status,
            }),
            Ok(Reply::Empty) => Err(SoapError::EmptyBody {
                device,
                url,
                status,
            }),
            _ if status == 500 && reply.body.iter().all(u8::is_ascii_whitespace) => {
                Err(SoapError::EmptyBody {
                    device,
                    url,
                    status,
                })
            }
            _ => Err(SoapError::Http {
                device,
                url,
                status,
                snippet: snippet(&reply.body),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_realm_is_read_from_the_challenge() {
        assert_eq!(
            digest_realm(r#"Digest realm="IP Camera(12345)", qop="auth", nonce="abc""#).as_deref(),
            Some("IP Camera(12345)")
        );
        assert_eq!(
            digest_realm(r#"digest qop="auth", REALM="Login to 6J0A8B5PAG12345""#).as_deref(),
            Some("Login to 6J0A8B5PAG12345")
        );
        assert_eq!(digest_realm(r#"Basic realm="x""#), None);
    }

    fn client(config: ClientConfig) -> SoapClient {
        SoapClient::new("cam-1", config).unwrap()
    }

    #[test]
    fn auth_modes_that_need_credentials_refuse_to_start_without() {
        for auth in [AuthMode::Digest, AuthMode::UsernameToken, AuthMode::Both] {
            let err = SoapClient::new(
                "cam-1",
                ClientConfig {
                    auth,
                    ..ClientConfig::default()
                },
            )
            .unwrap_err();
            assert!(err.to_string().contains("needs credentials"), "{err}");
        }
        assert!(SoapClient::new("cam-1", ClientConfig::default()).is_ok());
    }

    #[test]
    fn device_label_and_urls_lose_their_userinfo() {
        let c = SoapClient::new(
            "http://admin:hunter2@10.0.0.5/onvif/device_service",
            ClientConfig::default(),
        )
        .unwrap();
        assert_eq!(c.device(), "http://10.0.0.5/onvif/device_service");
        let t = c
            .target("http://admin:hunter2@10.0.0.5:8080/onvif/media?x=1")
            .unwrap();
        assert_eq!(t.shown, "http://10.0.0.5:8080/onvif/media?x=1");
        assert_eq!(t.url.as_str(), "http://10.0.0.5:8080/onvif/media?x=1");
        assert_eq!(t.origin, "http://10.0.0.5:8080");
        assert_eq!(t.request_uri, "/onvif/media?x=1");
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn bad_urls_and_actions_are_refused_before_sending() {
        let c = client(ClientConfig::default());
        assert!(matches!(
            c.target("ftp://10.0.0.5/x"),
            Err(SoapError::InvalidRequest { .. })
        ));
        assert!(matches!(
            c.target("not a url"),
            Err(SoapError::InvalidRequest { .. })
        ));
        let t = c.target("http://10.0.0.5/x").unwrap();
        assert!(c.content_type(&t, "urn:a\"; evil=1").is_err());
        assert!(c.content_type(&t, "urn:a\r\nX: y").is_err());
        assert_eq!(
            c.content_type(&t, "http://www.onvif.org/ver10/device/wsdl/GetScopes")
                .unwrap(),
            "application/soap+xml; charset=utf-8; action=\"http://www.onvif.org/ver10/device/wsdl/GetScopes\""
        );
    }

    #[test]
    fn clock_offset_is_shared_by_clones() {
        let c = client(ClientConfig::default());
        let d = c.clone();
        d.set_clock_offset(chrono::Duration::seconds(-42));
        assert_eq!(c.clock_offset(), chrono::Duration::seconds(-42));
    }

    #[test]
    fn call_futures_are_send() {
        fn assert_send<T: Send>(_: &T) {}
        let c = client(ClientConfig::default());
        let fut = c.call("http://127.0.0.1:9/x", "urn:a", "<a/>");
        assert_send(&fut);
        let fut = c.call_unauthenticated("http://127.0.0.1:9/x", "urn:a", "<a/>");
        assert_send(&fut);
    }
}
