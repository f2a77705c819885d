//! A mock device's WS-Discovery (2005/04) responder.
//!
//! Answers Probes whose Types and Scopes match with a ProbeMatches sent unicast to the prober
//! after a random delay (up to APP_MAX_DELAY), announces itself with Hello when it starts and
//! Bye when it stops, and can behave like the odd cameras seen in the field (see
//! [`DiscoveryQuirks`]).
//!
//! It shares no code with camswap on purpose: Probes are read here with quick-xml directly,
//! and replies are written here, so a bug on one side cannot hide the same bug on the other.
//!
//! Binding: each device answers on its own address (`bind_ip:port`, e.g. 127.0.1.7:3702, the
//! same port on every address of a fleet). With `join_multicast` it also joins
//! 239.255.255.250 on the interface that holds `bind_ip`, through a second socket bound to
//! the group address with SO_REUSEADDR/SO_REUSEPORT, so that every device of a fleet hears a
//! multicast Probe; replies still leave from `bind_ip:port`, as a real camera's would.
//!
//! ```no_run
//! # async fn f() -> std::io::Result<()> {
//! use mock_devices::discovery::{Announce, Responder, ResponderConfig};
//! let mut config = ResponderConfig::new("127.0.1.7".parse().unwrap(), 3702);
//! config.scopes.push("onvif://www.onvif.org/location/building3".into());
//! config.announce = Announce::Group;
//! let responder = Responder::start(config).await?;
//! // ... camswap discover ...
//! responder.stop().await; // sends Bye
//! # Ok(()) }
//! ```

use std::collections::VecDeque;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use quick_xml::NsReader;
use quick_xml::escape::escape;
use quick_xml::events::Event;
use quick_xml::name::{QName, ResolveResult};
use rand::Rng;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};
use tracing::debug;

/// The WS-Discovery multicast group.
pub const MULTICAST_GROUP: Ipv4Addr = Ipv4Addr::new(239, 255, 255, 250);
/// The WS-Discovery port.
pub const DISCOVERY_PORT: u16 = 3702;
/// SOAP-over-UDP APP_MAX_DELAY: a device waits a random time up to this before answering a
/// multicast Probe, so a thousand cameras do not answer in the same millisecond.
pub const APP_MAX_DELAY: Duration = Duration::from_millis(500);

const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
const WSA: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
const WSD: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery";
/// ONVIF network namespace (`dn:NetworkVideoTransmitter`).
pub const NS_NETWORK: &str = "http://www.onvif.org/ver10/network/wsdl";
/// ONVIF device namespace (`tds:Device`).
pub const NS_DEVICE: &str = "http://www.onvif.org/ver10/device/wsdl";
const ANONYMOUS: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous";
const TO_DISCOVERY: &str = "urn:schemas-xmlsoap-org:ws:2005:04:discovery";
const RULE_RFC3986: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery/rfc3986";
const RULE_STRCMP0: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery/strcmp0";

/// How many MessageIDs a responder remembers to drop repeated Probes (SOAP-over-UDP sends
/// each message twice; a device answers once).
const REMEMBERED_PROBES: usize = 64;
/// Replies waiting out their delay at once; a flood of Probes beyond this is dropped.
const MAX_PENDING_REPLIES: usize = 256;
/// Largest Probe read (a Probe is well under 1 KiB; a longer datagram is cut and then fails to
/// parse). Kept small because a fleet runs a thousand responders in one process.
const MAX_PROBE: usize = 16 * 1024;
/// Deepest element nesting read in a Probe.
const MAX_DEPTH: usize = 32;

/// Where Hello and Bye go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Announce {
    /// Nowhere (the default: nothing leaves the device unasked).
    Off,
    /// To the multicast group on `port`, out of the interface holding `bind_ip`.
    Group,
    /// To one address (tests without multicast).
    To(SocketAddr),
}

/// Ways a responder misbehaves like cameras seen in the field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscoveryQuirks {
    /// Advertise this host in XAddrs instead of the real address (a camera behind NAT, or
    /// one that still reports its factory address 192.168.1.64).
    pub wrong_xaddr_host: Option<String>,
    /// Send every ProbeMatches twice (as a device on two interfaces does; see
    /// vicmaeg/onvif-discovery#17).
    pub reply_twice: bool,
    /// Send a truncated, not well-formed ProbeMatches.
    pub malformed_reply: bool,
    /// Leave MetadataVersion out (the schema requires it; some devices do not care).
    pub no_metadata_version: bool,
    /// `SOAP-ENV`/`wsa`/`wsdd` prefixes with Types in the default namespace, as gSOAP-based
    /// firmware writes them, instead of the Dahua-style `s`/`a`/`d`/`dn`.
    pub odd_prefixes: bool,
}

/// What a responder is and how it answers.
#[derive(Debug, Clone)]
pub struct ResponderConfig {
    /// The device's own address (replies leave from it).
    pub bind_ip: Ipv4Addr,
    /// The discovery port (0: any free port, see [`Responder::local_addr`]).
    pub port: u16,
    /// Also hear multicast Probes on 239.255.255.250:`port`.
    pub join_multicast: bool,
    /// Endpoint reference address (`urn:uuid:...`).
    pub endpoint: String,
    /// Types as `{namespace}local`.
    pub types: Vec<String>,
    /// Scope URIs.
    pub scopes: Vec<String>,
    /// Device service addresses.
    pub xaddrs: Vec<String>,
    /// MetadataVersion.
    pub metadata_version: u32,
    /// Longest random delay before a reply (APP_MAX_DELAY).
    pub max_delay: Duration,
    /// Where Hello (at start) and Bye (at stop) go.
    pub announce: Announce,
    /// Field misbehaviour to emulate.
    pub quirks: DiscoveryQuirks,
}

impl ResponderConfig {
    /// A well-behaved ONVIF camera at `bind_ip:port`: a fresh `urn:uuid:` endpoint, types
    /// `dn:NetworkVideoTransmitter tds:Device`, Profile S scopes, XAddr
    /// `http://bind_ip/onvif/device_service`; no multicast, no announcements.
    pub fn new(bind_ip: Ipv4Addr, port: u16) -> Self {
        Self {
            bind_ip,
            port,
            join_multicast: false,
            endpoint: format!("urn:uuid:{}", uuid::Uuid::new_v4()),
            types: vec![
                format!("{{{NS_NETWORK}}}NetworkVideoTransmitter"),
                format!("{{{NS_DEVICE}}}Device"),
            ],
            scopes: vec![
                "onvif://www.onvif.org/Profile/Streaming".into(),
                "onvif://www.onvif.org/type/video_encoder".into(),
                "onvif://www.onvif.org/hardware/MOCK".into(),
                "onvif://www.onvif.org/name/mock".into(),
            ],
            xaddrs: vec![format!("http://{bind_ip}/onvif/device_service")],
            metadata_version: 1,
            max_delay: APP_MAX_DELAY,
            announce: Announce::Off,
            quirks: DiscoveryQuirks::default(),
        }
    }
}

/// Why a datagram is not a Probe we can answer.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// Not well-formed XML.
    #[error("not well-formed XML at byte {position}: {message}")]
    Xml {
        /// Where the reader stopped.
        position: u64,
        /// What it said.
        message: String,
    },
    /// Nested deeper than any Probe.
    #[error("elements nested deeper than {MAX_DEPTH}")]
    TooDeep,
    /// Well-formed, but no `Envelope/Body/Probe`.
    #[error("no Probe in the SOAP Body")]
    NotProbe,
}

/// A Probe as read by the responder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Probe {
    /// `a:MessageID`.
    pub message_id: Option<String>,
    /// Types asked for, resolved to `{namespace}local`; `None` for a prefix the Probe never
    /// declared (which then matches nothing).
    pub types: Vec<Option<String>>,
    /// Scopes asked for.
    pub scopes: Vec<String>,
    /// The Scopes matching rule (`MatchBy`), if given.
    pub match_by: Option<String>,
}

/// Reads a Probe. Elements are recognised by namespace and local name, whatever the prefix.
pub fn parse_probe(bytes: &[u8]) -> Result<Probe, ProbeError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ProbeError::Xml {
        position: e.valid_up_to() as u64,
        message: "not UTF-8".into(),
    })?;
    let mut reader = NsReader::from_str(text);
    // (namespace, local name) of the open elements.
    let mut path: Vec<(Option<String>, String)> = Vec::new();
    let mut probe = Probe::default();
    let mut seen_probe = false;
    loop {
        let event = reader.read_event().map_err(|e| ProbeError::Xml {
            position: reader.buffer_position(),
            message: e.to_string(),
        })?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if path.len() >= MAX_DEPTH {
                    return Err(ProbeError::TooDeep);
                }
                let (ns, local) = reader.resolve_element(e.name());
                let ns = match ns {
                    ResolveResult::Bound(n) => {
                        Some(String::from_utf8_lossy(n.as_ref()).into_owned())
                    }
                    _ => None,
                };
                let local = String::from_utf8_lossy(local.as_ref()).into_owned();
                if at(&path, &[(SOAP12, "Envelope"), (SOAP12, "Body")])
                    && ns.as_deref() == Some(WSD)
                    && local == "Probe"
                {
                    seen_probe = true;
                }
                if at(
                    &path,
                    &[(SOAP12, "Envelope"), (SOAP12, "Body"), (WSD, "Probe")],
                ) && ns.as_deref() == Some(WSD)
                    && local == "Scopes"
                {
                    for a in e.attributes().flatten() {
                        if a.key.local_name().as_ref() == b"MatchBy" {
                            probe.match_by = a.unescape_value().ok().map(|v| v.trim().to_owned());
                        }
                    }
                }
                if matches!(event, Event::Start(_)) {
                    path.push((ns, local));
                }
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Text(t) => {
                let value = t.unescape().map_err(|e| ProbeError::Xml {
                    position: reader.buffer_position(),
                    message: e.to_string(),
                })?;
                if at(
                    &path,
                    &[(SOAP12, "Envelope"), (SOAP12, "Header"), (WSA, "MessageID")],
                ) {
                    probe.message_id = Some(value.trim().to_owned());
                } else if at(
                    &path,
                    &[
                        (SOAP12, "Envelope"),
                        (SOAP12, "Body"),
                        (WSD, "Probe"),
                        (WSD, "Types"),
                    ],
                ) {
                    for token in value.split_whitespace() {
                        let (ns, local) = reader.resolve_element(QName(token.as_bytes()));
                        let local = String::from_utf8_lossy(local.as_ref());
                        probe.types.push(match ns {
                            ResolveResult::Bound(n) => Some(format!(
                                "{{{}}}{local}",
                                String::from_utf8_lossy(n.as_ref())
                            )),
                            ResolveResult::Unbound => Some(local.into_owned()),
                            ResolveResult::Unknown(_) => None,
                        });
                    }
                } else if at(
                    &path,
                    &[
                        (SOAP12, "Envelope"),
                        (SOAP12, "Body"),
                        (WSD, "Probe"),
                        (WSD, "Scopes"),
                    ],
                ) {
                    probe
                        .scopes
                        .extend(value.split_whitespace().map(str::to_owned));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !path.is_empty() {
        return Err(ProbeError::Xml {
            position: reader.buffer_position(),
            message: "unclosed elements".into(),
        });
    }
    if seen_probe {
        Ok(probe)
    } else {
        Err(ProbeError::NotProbe)
    }
}

fn at(path: &[(Option<String>, String)], want: &[(&str, &str)]) -> bool {
    path.len() == want.len()
        && path
            .iter()
            .zip(want)
            .all(|((ns, l), (wns, wl))| ns.as_deref() == Some(*wns) && l == wl)
}

/// Does this device answer `probe`? Every probed type must be one of the device's types, and
/// every probed scope must match one of the device's scopes under the probe's rule (an
/// unknown rule matches nothing; a real device would send a MatchingRuleNotSupported fault).
pub fn probe_matches(probe: &Probe, types: &[String], scopes: &[String]) -> bool {
    let types_ok = probe
        .types
        .iter()
        .all(|t| t.as_ref().is_some_and(|t| types.contains(t)));
    let rule = probe.match_by.as_deref().unwrap_or(RULE_RFC3986);
    let scope_ok = |want: &String| {
        scopes.iter().any(|have| match rule {
            RULE_RFC3986 => rfc3986_match(want, have),
            RULE_STRCMP0 => want == have,
            _ => false,
        })
    };
    types_ok && probe.scopes.iter().all(scope_ok)
}

/// The WS-Discovery rfc3986 rule: scheme and authority equal ignoring case, and the probe's
/// path segments a prefix of the device's (`.../location` matches `.../location/city/x`, but
/// `.../loc` does not). Query and fragment, if the probe has them, must be equal.
pub fn rfc3986_match(probe: &str, device: &str) -> bool {
    let (Some(p), Some(d)) = (split_uri(probe), split_uri(device)) else {
        return probe == device;
    };
    if !p.0.eq_ignore_ascii_case(d.0) || !p.1.eq_ignore_ascii_case(d.1) {
        return false;
    }
    if !p.3.is_empty() && p.3 != d.3 {
        return false;
    }
    let segs = |path: &str| -> Vec<String> {
        path.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let (ps, ds) = (segs(p.2), segs(d.2));
    ps.len() <= ds.len() && ps.iter().zip(&ds).all(|(a, b)| a == b)
}

/// (scheme, authority, path, query-and-fragment) of an absolute URI.
fn split_uri(uri: &str) -> Option<(&str, &str, &str, &str)> {
    let (scheme, rest) = uri.split_once(':')?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (before_q, q) = match rest.find(['?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (auth, path) = match before_q.find('/') {
        Some(i) => (&before_q[..i], &before_q[i..]),
        None => (before_q, ""),
    };
    Some((scheme, auth, path, q))
}

/// A message the responder writes: the headers that vary and the body element.
struct Out<'a> {
    action: &'static str,
    message_id: &'a str,
    relates_to: Option<&'a str>,
    to: &'static str,
    instance_id: u32,
    message_number: u32,
}

/// What one device says about itself, as written into ProbeMatch, Hello and Bye.
#[derive(Debug, Clone)]
pub struct Description<'a> {
    /// Endpoint reference address.
    pub endpoint: &'a str,
    /// Types as `{namespace}local`.
    pub types: &'a [String],
    /// Scopes.
    pub scopes: &'a [String],
    /// XAddrs.
    pub xaddrs: &'a [String],
    /// MetadataVersion (left out when `None`).
    pub metadata_version: Option<u32>,
}

/// Prefixes a message is written with.
struct Style {
    env: &'static str,
    wsa: &'static str,
    wsd: &'static str,
    /// Types written with the default namespace for the first type's namespace.
    default_ns_types: bool,
}

const DAHUA_STYLE: Style = Style {
    env: "s",
    wsa: "a",
    wsd: "d",
    default_ns_types: false,
};
const GSOAP_STYLE: Style = Style {
    env: "SOAP-ENV",
    wsa: "wsa",
    wsd: "wsdd",
    default_ns_types: true,
};

/// `{ns}local` → (ns, local); a name without braces has no namespace.
fn split_clark(t: &str) -> (Option<&str>, &str) {
    match t.strip_prefix('{').and_then(|r| r.split_once('}')) {
        Some((ns, local)) => (Some(ns), local),
        None => (None, t),
    }
}

/// Prefix for a type namespace: the customary one when known.
fn type_prefix(ns: &str, i: usize) -> String {
    match ns {
        NS_NETWORK => "dn".into(),
        NS_DEVICE => "tds".into(),
        _ => format!("ns{i}"),
    }
}

/// Writes the Types element, with namespace declarations on it.
fn types_element(style: &Style, types: &[String]) -> String {
    let mut namespaces: Vec<&str> = Vec::new();
    for t in types {
        if let (Some(ns), _) = split_clark(t) {
            if !namespaces.contains(&ns) {
                namespaces.push(ns);
            }
        }
    }
    let mut decls = String::new();
    for (i, ns) in namespaces.iter().enumerate() {
        if style.default_ns_types && i == 0 {
            decls.push_str(&format!(" xmlns=\"{}\"", escape(*ns)));
        } else {
            decls.push_str(&format!(
                " xmlns:{}=\"{}\"",
                type_prefix(ns, i),
                escape(*ns)
            ));
        }
    }
    let names: Vec<String> = types
        .iter()
        .map(|t| match split_clark(t) {
            (Some(ns), local) => {
                let i = namespaces.iter().position(|n| *n == ns).unwrap_or(0);
                if style.default_ns_types && i == 0 {
                    escape(local).into_owned()
                } else {
                    format!("{}:{}", type_prefix(ns, i), escape(local))
                }
            }
            (None, local) => escape(local).into_owned(),
        })
        .collect();
    format!(
        "<{p}:Types{decls}>{}</{p}:Types>",
        names.join(" "),
        p = style.wsd
    )
}

fn describe(style: &Style, d: &Description<'_>, full: bool) -> String {
    let p = style.wsd;
    let a = style.wsa;
    let mut s = format!(
        "<{a}:EndpointReference><{a}:Address>{}</{a}:Address></{a}:EndpointReference>",
        escape(d.endpoint)
    );
    if full {
        if !d.types.is_empty() {
            s.push_str(&types_element(style, d.types));
        }
        if !d.scopes.is_empty() {
            let list: Vec<_> = d.scopes.iter().map(|x| escape(x.as_str())).collect();
            s.push_str(&format!("<{p}:Scopes>{}</{p}:Scopes>", list.join(" ")));
        }
        if !d.xaddrs.is_empty() {
            let list: Vec<_> = d.xaddrs.iter().map(|x| escape(x.as_str())).collect();
            s.push_str(&format!("<{p}:XAddrs>{}</{p}:XAddrs>", list.join(" ")));
        }
        if let Some(v) = d.metadata_version {
            s.push_str(&format!("<{p}:MetadataVersion>{v}</{p}:MetadataVersion>"));
        }
    }
    s
}

fn envelope(style: &Style, out: &Out<'_>, body: &str) -> String {
    let (e, a, d) = (style.env, style.wsa, style.wsd);
    let relates = out
        .relates_to
        .map(|r| format!("<{a}:RelatesTo>{}</{a}:RelatesTo>", escape(r)))
        .unwrap_or_default();
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<{e}:Envelope xmlns:{e}="{soap}" xmlns:{a}="{wsa}" xmlns:{d}="{wsd}">"#,
            "<{e}:Header>",
            "<{a}:MessageID>{id}</{a}:MessageID>",
            "{relates}",
            "<{a}:To>{to}</{a}:To>",
            "<{a}:Action>{action}</{a}:Action>",
            r#"<{d}:AppSequence InstanceId="{iid}" MessageNumber="{num}"/>"#,
            "</{e}:Header>",
            "<{e}:Body>{body}</{e}:Body>",
            "</{e}:Envelope>"
        ),
        e = e,
        a = a,
        d = d,
        soap = SOAP12,
        wsa = WSA,
        wsd = WSD,
        id = escape(out.message_id),
        relates = relates,
        to = out.to,
        action = out.action,
        iid = out.instance_id,
        num = out.message_number,
        body = body,
    )
}

/// A ProbeMatches answering the Probe `relates_to`, with one ProbeMatch for `d`.
pub fn probe_matches_xml(
    d: &Description<'_>,
    relates_to: &str,
    instance_id: u32,
    message_number: u32,
    odd_prefixes: bool,
) -> String {
    let style = if odd_prefixes {
        &GSOAP_STYLE
    } else {
        &DAHUA_STYLE
    };
    let p = style.wsd;
    let body = format!(
        "<{p}:ProbeMatches><{p}:ProbeMatch>{}</{p}:ProbeMatch></{p}:ProbeMatches>",
        describe(style, d, true)
    );
    let id = format!("urn:uuid:{}", uuid::Uuid::new_v4());
    envelope(
        style,
        &Out {
            action: "http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches",
            message_id: &id,
            relates_to: Some(relates_to),
            to: ANONYMOUS,
            instance_id,
            message_number,
        },
        &body,
    )
}

/// A Hello announcing `d`.
pub fn hello_xml(
    d: &Description<'_>,
    instance_id: u32,
    message_number: u32,
    odd_prefixes: bool,
) -> String {
    announcement_xml("Hello", d, instance_id, message_number, odd_prefixes)
}

/// A Bye for `d` (endpoint only, as devices send it).
pub fn bye_xml(
    d: &Description<'_>,
    instance_id: u32,
    message_number: u32,
    odd_prefixes: bool,
) -> String {
    announcement_xml("Bye", d, instance_id, message_number, odd_prefixes)
}

fn announcement_xml(
    kind: &'static str,
    d: &Description<'_>,
    instance_id: u32,
    message_number: u32,
    odd_prefixes: bool,
) -> String {
    let style = if odd_prefixes {
        &GSOAP_STYLE
    } else {
        &DAHUA_STYLE
    };
    let p = style.wsd;
    let body = format!(
        "<{p}:{kind}>{}</{p}:{kind}>",
        describe(style, d, kind == "Hello")
    );
    let id = format!("urn:uuid:{}", uuid::Uuid::new_v4());
    let action = if kind == "Hello" {
        "http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello"
    } else {
        "http://schemas.xmlsoap.org/ws/2005/04/discovery/Bye"
    };
    envelope(
        style,
        &Out {
            action,
            message_id: &id,
            relates_to: None,
            to: TO_DISCOVERY,
            instance_id,
            message_number,
        },
        &body,
    )
}

/// State shared by the responder's tasks.
struct Shared {
    config: ResponderConfig,
    /// XAddrs as advertised (after the wrong-host quirk).
    xaddrs: Vec<String>,
    instance_id: u32,
    message_number: AtomicU32,
    probes: AtomicU64,
    replies: AtomicU64,
}

impl Shared {
    fn description(&self) -> Description<'_> {
        Description {
            endpoint: &self.config.endpoint,
            types: &self.config.types,
            scopes: &self.config.scopes,
            xaddrs: &self.xaddrs,
            metadata_version: (!self.config.quirks.no_metadata_version)
                .then_some(self.config.metadata_version),
        }
    }

    fn next_number(&self) -> u32 {
        self.message_number.fetch_add(1, Ordering::Relaxed) + 1
    }

    fn announce_to(&self) -> Option<SocketAddr> {
        match &self.config.announce {
            Announce::Off => None,
            Announce::Group => Some(SocketAddr::V4(SocketAddrV4::new(
                MULTICAST_GROUP,
                self.config.port,
            ))),
            Announce::To(a) => Some(*a),
        }
    }
}

/// A running WS-Discovery responder. Stop it with [`Responder::stop`] (sends Bye); dropping
/// it stops it too and sends Bye best effort.
pub struct Responder {
    local: SocketAddrV4,
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
    stop_tx: Option<oneshot::Sender<()>>,
    /// A handle on the device's socket for the Bye sent from `Drop`, which cannot await.
    sync_sock: std::net::UdpSocket,
}

impl std::fmt::Debug for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Responder")
            .field("local", &self.local)
            .field("endpoint", &self.shared.config.endpoint)
            .finish()
    }
}

impl Responder {
    /// Binds `bind_ip:port` (and the multicast group when asked), sends Hello, and answers
    /// Probes until stopped. Must be called inside a tokio runtime.
    pub async fn start(config: ResponderConfig) -> io::Result<Responder> {
        let unicast = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
        unicast.set_nonblocking(true)?;
        unicast.bind(&SocketAddr::V4(SocketAddrV4::new(config.bind_ip, config.port)).into())?;
        // Hello/Bye to the group leave from the device's own interface, never a default one.
        unicast.set_multicast_if_v4(&config.bind_ip)?;
        unicast.set_multicast_loop_v4(true)?;
        let Some(SocketAddr::V4(local)) = unicast.local_addr()?.as_socket() else {
            return Err(io::Error::other("bound a non-IPv4 address"));
        };
        let group = if config.join_multicast {
            let g = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
            g.set_reuse_address(true)?;
            g.set_reuse_port(true)?;
            g.set_nonblocking(true)?;
            g.bind(&SocketAddr::V4(SocketAddrV4::new(MULTICAST_GROUP, local.port())).into())?;
            g.join_multicast_v4(&MULTICAST_GROUP, &config.bind_ip)?;
            Some(UdpSocket::from_std(g.into())?)
        } else {
            None
        };
        let sync_sock: std::net::UdpSocket = unicast.try_clone()?.into();
        let unicast = Arc::new(UdpSocket::from_std(unicast.into())?);
        let mut config = config;
        config.port = local.port();
        let xaddrs = match &config.quirks.wrong_xaddr_host {
            Some(host) => config
                .xaddrs
                .iter()
                .map(|x| replace_host(x, host))
                .collect(),
            None => config.xaddrs.clone(),
        };
        let shared = Arc::new(Shared {
            config,
            xaddrs,
            instance_id: rand::thread_rng().r#gen(),
            message_number: AtomicU32::new(0),
            probes: AtomicU64::new(0),
            replies: AtomicU64::new(0),
        });
        if let Some(to) = shared.announce_to() {
            let xml = hello_xml(
                &shared.description(),
                shared.instance_id,
                shared.next_number(),
                shared.config.quirks.odd_prefixes,
            );
            if let Err(e) = unicast.send_to(xml.as_bytes(), to).await {
                debug!(%to, error = %e, "Hello not sent");
            }
        }
        let (stop_tx, stop_rx) = oneshot::channel();
        let task = tokio::spawn(serve(shared.clone(), unicast, group, stop_rx));
        Ok(Responder {
            local,
            shared,
            task: Some(task),
            stop_tx: Some(stop_tx),
            sync_sock,
        })
    }

    /// The address it answers on (`bind_ip:port`, with the port chosen when 0 was asked).
    pub fn local_addr(&self) -> SocketAddrV4 {
        self.local
    }

    /// Its endpoint reference address.
    pub fn endpoint(&self) -> &str {
        &self.shared.config.endpoint
    }

    /// Probes received that were well-formed (matching or not).
    pub fn probes_received(&self) -> u64 {
        self.shared.probes.load(Ordering::Relaxed)
    }

    /// ProbeMatches sent (a `reply_twice` device counts two).
    pub fn replies_sent(&self) -> u64 {
        self.shared.replies.load(Ordering::Relaxed)
    }

    /// Stops answering (pending replies are dropped) and sends Bye.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop_tx.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.bye();
    }

    fn bye(&self) {
        let Some(to) = self.shared.announce_to() else {
            return;
        };
        let xml = bye_xml(
            &self.shared.description(),
            self.shared.instance_id,
            self.shared.next_number(),
            self.shared.config.quirks.odd_prefixes,
        );
        // One datagram on a non-blocking socket: sent at once or not at all.
        if let Err(e) = self.sync_sock.send_to(xml.as_bytes(), to) {
            debug!(%to, error = %e, "Bye not sent");
        }
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            self.bye();
        }
    }
}

async fn serve(
    shared: Arc<Shared>,
    unicast: Arc<UdpSocket>,
    group: Option<UdpSocket>,
    mut stop: oneshot::Receiver<()>,
) {
    let mut buf = vec![0u8; MAX_PROBE];
    let mut gbuf = if group.is_some() {
        vec![0u8; MAX_PROBE]
    } else {
        Vec::new()
    };
    let mut recent: VecDeque<String> = VecDeque::new();
    let mut pending = JoinSet::new();
    loop {
        let (n, from, which) = tokio::select! {
            _ = &mut stop => return,
            Some(_) = pending.join_next(), if !pending.is_empty() => continue,
            r = unicast.recv_from(&mut buf) => match r {
                Ok((n, from)) => (n, from, false),
                Err(e) => { debug!(error = %e, "receive error"); continue; }
            },
            r = recv_opt(group.as_ref(), &mut gbuf) => match r {
                Ok((n, from)) => (n, from, true),
                Err(e) => { debug!(error = %e, "receive error"); continue; }
            },
        };
        let bytes = if which { &gbuf[..n] } else { &buf[..n] };
        let probe = match parse_probe(bytes) {
            Ok(p) => p,
            Err(e) => {
                debug!(%from, error = %e, "ignoring a datagram that is not a Probe");
                continue;
            }
        };
        shared.probes.fetch_add(1, Ordering::Relaxed);
        if let Some(id) = &probe.message_id {
            if recent.contains(id) {
                continue;
            }
            if recent.len() >= REMEMBERED_PROBES {
                recent.pop_front();
            }
            recent.push_back(id.clone());
        }
        if !probe_matches(&probe, &shared.config.types, &shared.config.scopes) {
            continue;
        }
        if pending.len() >= MAX_PENDING_REPLIES {
            debug!(%from, "too many replies pending; Probe dropped");
            continue;
        }
        let relates_to = probe.message_id.unwrap_or_default();
        let delay = random_delay(shared.config.max_delay);
        let shared = shared.clone();
        let sock = unicast.clone();
        pending.spawn(async move {
            tokio::time::sleep(delay).await;
            let copies = if shared.config.quirks.reply_twice {
                2
            } else {
                1
            };
            for _ in 0..copies {
                let mut xml = probe_matches_xml(
                    &shared.description(),
                    &relates_to,
                    shared.instance_id,
                    shared.next_number(),
                    shared.config.quirks.odd_prefixes,
                );
                if shared.config.quirks.malformed_reply {
                    let mut cut = xml.len() / 2;
                    while !xml.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    xml.truncate(cut);
                }
                match sock.send_to(xml.as_bytes(), from).await {
                    Ok(_) => {
                        shared.replies.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => debug!(%from, error = %e, "ProbeMatches not sent"),
                }
            }
        });
    }
}

async fn recv_opt(sock: Option<&UdpSocket>, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
    match sock {
        Some(s) => s.recv_from(buf).await,
        None => std::future::pending().await,
    }
}

fn random_delay(max: Duration) -> Duration {
    if max.is_zero() {
        return Duration::ZERO;
    }
    let ms = max.as_micros().min(u128::from(u64::MAX)) as u64;
    Duration::from_micros(rand::thread_rng().gen_range(0..=ms))
}

/// `http://10.0.0.5:80/x` with host `h` → `http://h:80/x`.
fn replace_host(url: &str, host: &str) -> String {
    let Some(i) = url.find("://") else {
        return url.to_owned();
    };
    let start = i + 3;
    let rest = &url[start..];
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let auth = &rest[..auth_end];
    let host_end = if auth.starts_with('[') {
        auth.find(']').map_or(auth.len(), |j| j + 1)
    } else {
        auth.rfind(':').unwrap_or(auth.len())
    };
    format!("{}{host}{}", &url[..start], &url[start + host_end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validator() -> std::path::PathBuf {
        let mut candidates = Vec::new();
        if let Some(dir) = std::env::var_os("ONVIF_SCHEMA_DIR") {
            candidates.push(std::path::PathBuf::from(dir).join("../tools/onvif-validate"));
        }
        for dir in std::path::Path::new(env!("CARGO_MANIFEST_DIR")).ancestors() {
            candidates.push(dir.join("shared/tools/onvif-validate"));
        }
        candidates
            .into_iter()
            .find(|p| p.is_file())
            .expect("shared/tools/onvif-validate not found (set ONVIF_SCHEMA_DIR)")
    }

    fn validate(xml: &str) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.xml");
        std::fs::write(&path, xml).unwrap();
        let out = std::process::Command::new(validator())
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}\n{}\n{xml}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn desc<'a>(
        types: &'a [String],
        scopes: &'a [String],
        xaddrs: &'a [String],
    ) -> Description<'a> {
        Description {
            endpoint: "urn:uuid:6eff0000-9fd2-11b4-8331-bcbac2a4dee3",
            types,
            scopes,
            xaddrs,
            metadata_version: Some(3),
        }
    }

    #[test]
    fn replies_validate_against_the_discovery_schema_in_both_styles() {
        let c = ResponderConfig::new(Ipv4Addr::new(127, 0, 1, 1), 3702);
        let d = desc(&c.types, &c.scopes, &c.xaddrs);
        for odd in [false, true] {
            validate(&probe_matches_xml(&d, "uuid:abc", 1, 2, odd));
            validate(&hello_xml(&d, 1, 1, odd));
            validate(&bye_xml(&d, 1, 3, odd));
        }
    }

    #[test]
    fn odd_prefixes_put_the_first_type_in_the_default_namespace() {
        let c = ResponderConfig::new(Ipv4Addr::new(127, 0, 1, 1), 3702);
        let xml = probe_matches_xml(&desc(&c.types, &c.scopes, &c.xaddrs), "uuid:x", 1, 1, true);
        assert!(xml.contains(&format!(
            r#"<wsdd:Types xmlns="{NS_NETWORK}" xmlns:tds="{NS_DEVICE}">NetworkVideoTransmitter tds:Device</wsdd:Types>"#
        )), "{xml}");
        assert!(xml.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope"#));
    }

    #[test]
    fn probes_are_read_with_any_prefix_and_types_resolved_where_declared() {
        let p = parse_probe(
            br#"<E:Envelope xmlns:E="http://www.w3.org/2003/05/soap-envelope" xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing">
            <E:Header><w:MessageID> uuid:1 </w:MessageID></E:Header>
            <E:Body><Probe xmlns="http://schemas.xmlsoap.org/ws/2005/04/discovery">
              <Types xmlns:x="http://www.onvif.org/ver10/network/wsdl">x:NetworkVideoTransmitter q:Nope</Types>
              <Scopes MatchBy="http://schemas.xmlsoap.org/ws/2005/04/discovery/strcmp0"> onvif://www.onvif.org/name/a
              </Scopes></Probe></E:Body></E:Envelope>"#,
        )
        .unwrap();
        assert_eq!(p.message_id.as_deref(), Some("uuid:1"));
        assert_eq!(
            p.types,
            [
                Some(format!("{{{NS_NETWORK}}}NetworkVideoTransmitter")),
                None
            ]
        );
        assert_eq!(p.scopes, ["onvif://www.onvif.org/name/a"]);
        assert_eq!(p.match_by.as_deref(), Some(RULE_STRCMP0));
    }

    #[test]
    fn non_probes_and_garbage_are_refused() {
        assert!(matches!(
            parse_probe(b"\x00\xffjunk"),
            Err(ProbeError::Xml { .. })
        ));
        assert!(matches!(
            parse_probe(b"<a><b></a>"),
            Err(ProbeError::Xml { .. })
        ));
        assert!(matches!(
            parse_probe(b"<a><b>"),
            Err(ProbeError::Xml { .. })
        ));
        assert!(matches!(
            parse_probe(br#"<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body><Hello/></Body></Envelope>"#),
            Err(ProbeError::NotProbe)
        ));
        // A Probe outside a SOAP 1.2 Body is not a Probe.
        assert!(matches!(
            parse_probe(br#"<Probe xmlns="http://schemas.xmlsoap.org/ws/2005/04/discovery"/>"#),
            Err(ProbeError::NotProbe)
        ));
        let deep = "<a>".repeat(100);
        assert!(matches!(
            parse_probe(deep.as_bytes()),
            Err(ProbeError::TooDeep)
        ));
    }

    #[test]
    fn every_truncation_of_a_probe_is_an_error_not_a_panic() {
        let full = br#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><s:Header><a:MessageID>uuid:1</a:MessageID></s:Header><s:Body><d:Probe><d:Types xmlns:tdn="http://www.onvif.org/ver10/network/wsdl">tdn:NetworkVideoTransmitter</d:Types><d:Scopes>onvif://www.onvif.org/name/x</d:Scopes></d:Probe></s:Body></s:Envelope>"#;
        assert!(parse_probe(full).is_ok());
        for cut in 0..full.len() {
            assert!(
                parse_probe(&full[..cut]).is_err(),
                "accepted a Probe cut at byte {cut}"
            );
        }
    }

    #[test]
    fn matching_follows_types_and_rfc3986_scopes() {
        let c = ResponderConfig::new(Ipv4Addr::new(127, 0, 1, 1), 3702);
        let scopes = vec!["onvif://www.onvif.org/location/city/hangzhou".to_owned()];
        let nvt = format!("{{{NS_NETWORK}}}NetworkVideoTransmitter");
        let probe = |types: Vec<Option<String>>, s: &[&str]| Probe {
            message_id: None,
            types,
            scopes: s.iter().map(|x| x.to_string()).collect(),
            match_by: None,
        };
        assert!(probe_matches(&probe(vec![], &[]), &c.types, &scopes));
        assert!(probe_matches(
            &probe(vec![Some(nvt.clone())], &[]),
            &c.types,
            &scopes
        ));
        assert!(!probe_matches(
            &probe(vec![Some("{urn:x}Printer".into())], &[]),
            &c.types,
            &scopes
        ));
        assert!(!probe_matches(&probe(vec![None], &[]), &c.types, &scopes));
        assert!(probe_matches(
            &probe(vec![], &["ONVIF://WWW.onvif.org/location"]),
            &c.types,
            &scopes
        ));
        assert!(probe_matches(
            &probe(vec![], &["onvif://www.onvif.org/location/city/"]),
            &c.types,
            &scopes
        ));
        assert!(!probe_matches(
            &probe(vec![], &["onvif://www.onvif.org/loc"]),
            &c.types,
            &scopes
        ));
        assert!(!probe_matches(
            &probe(vec![], &["onvif://www.onvif.org/location/City"]),
            &c.types,
            &scopes
        ));
        let mut strict = probe(vec![], &["onvif://www.onvif.org/location"]);
        strict.match_by = Some(RULE_STRCMP0.into());
        assert!(!probe_matches(&strict, &c.types, &scopes));
        strict.match_by = Some("urn:unknown-rule".into());
        assert!(!probe_matches(&strict, &c.types, &scopes));
    }

    #[test]
    fn wrong_host_replaces_only_the_host() {
        assert_eq!(
            replace_host("http://127.0.1.1:8080/onvif/device_service", "192.168.1.64"),
            "http://192.168.1.64:8080/onvif/device_service"
        );
        assert_eq!(
            replace_host("http://127.0.1.1/x", "10.0.0.1"),
            "http://10.0.0.1/x"
        );
        assert_eq!(
            replace_host("http://[::1]:80/x", "10.0.0.1"),
            "http://10.0.0.1:80/x"
        );
    }

    async fn recv(sock: &UdpSocket, buf: &mut [u8]) -> (usize, SocketAddr) {
        tokio::time::timeout(Duration::from_secs(5), sock.recv_from(buf))
            .await
            .expect("a datagram within 5 s")
            .unwrap()
    }

    #[tokio::test]
    async fn answers_a_probe_once_with_hello_and_bye_around_it() {
        let watcher = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let mut c = ResponderConfig::new(Ipv4Addr::LOCALHOST, 0);
        c.max_delay = Duration::from_millis(10);
        c.announce = Announce::To(watcher.local_addr().unwrap());
        let r = Responder::start(c).await.unwrap();
        let mut buf = vec![0u8; 65_536];
        let (n, _) = recv(&watcher, &mut buf).await;
        let hello = String::from_utf8_lossy(&buf[..n]).into_owned();
        assert!(
            hello.contains(":Hello>") && hello.contains(r.endpoint()),
            "{hello}"
        );

        let probe = br#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><s:Header><a:MessageID>uuid:p1</a:MessageID></s:Header><s:Body><d:Probe/></s:Body></s:Envelope>"#;
        let prober = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        // Sent twice, as SOAP-over-UDP repeats: answered once.
        prober.send_to(probe, r.local_addr()).await.unwrap();
        prober.send_to(probe, r.local_addr()).await.unwrap();
        let (n, from) = recv(&prober, &mut buf).await;
        assert_eq!(from, SocketAddr::V4(r.local_addr()));
        let reply = String::from_utf8_lossy(&buf[..n]).into_owned();
        assert!(
            reply.contains("<a:RelatesTo>uuid:p1</a:RelatesTo>"),
            "{reply}"
        );
        let again =
            tokio::time::timeout(Duration::from_millis(200), prober.recv_from(&mut buf)).await;
        assert!(again.is_err(), "a repeated Probe was answered twice");
        assert_eq!(r.replies_sent(), 1);

        r.stop().await;
        let (n, _) = recv(&watcher, &mut buf).await;
        let bye = String::from_utf8_lossy(&buf[..n]).into_owned();
        assert!(bye.contains(":Bye>"), "{bye}");
    }
}
