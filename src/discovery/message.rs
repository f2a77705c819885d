//! WS-Discovery (2005/04) messages: the Probe we send, and the ProbeMatches, Hello and Bye we
//! read.
//!
//! What we write is strict (it validates against `ws-discovery.xsd`); what we read is lenient,
//! because cameras are: any prefix or none, prefixes that were never declared, Types with the
//! default namespace, lists padded with line breaks and trailing blanks, a missing
//! MetadataVersion, a bogus RelatesTo. Every field is found by local name; namespaces are only
//! used to resolve the QNames in `Types`.

use std::fmt;

use crate::soap::xml::{self, Element};

/// SOAP 1.2 envelope namespace.
pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
/// SOAP 1.1 envelope namespace (not ONVIF, but some stacks answer with it).
const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// WS-Addressing 2004/08 (the member submission WS-Discovery 2005/04 uses).
pub const WSA: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
/// WS-Discovery 2005/04.
pub const WSD: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery";
/// WS-Discovery 1.1 (OASIS, 2009/01): not ONVIF's, accepted on input all the same.
const WSD_2009: &str = "http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01";
/// `a:To` of multicast messages.
pub const TO_DISCOVERY: &str = "urn:schemas-xmlsoap-org:ws:2005:04:discovery";
/// Action of a Probe.
pub const ACTION_PROBE: &str = "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe";
/// ONVIF network namespace (`dn:`/`tdn:`), home of `NetworkVideoTransmitter`.
pub const TDN: &str = "http://www.onvif.org/ver10/network/wsdl";
/// ONVIF device namespace (`tds:`), home of `Device`.
pub const TDS: &str = "http://www.onvif.org/ver10/device/wsdl";

/// Longest value quoted back in an error, so a hostile datagram cannot flood a log.
const QUOTE_MAX: usize = 80;

/// Why a datagram is not a WS-Discovery message we can use.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    /// Not well-formed XML (truncated, garbage, not UTF-8). The XML error is part of the
    /// message (a skipped datagram is logged as one line), so it is not also a `source`.
    #[error("not XML: {0}")]
    Xml(xml::XmlError),
    /// The root element is not a SOAP Envelope.
    #[error("root element is <{0}>, not a SOAP Envelope")]
    NotEnvelope(String),
    /// The Envelope is in a namespace that is not SOAP.
    #[error("Envelope is in namespace {0:?}, not SOAP 1.2")]
    EnvelopeNamespace(String),
    /// No Body, or an empty one.
    #[error("no element in the SOAP Body")]
    NoBody,
    /// The Body holds something other than a discovery message.
    #[error("Body holds <{0}>, not a WS-Discovery message")]
    NotDiscovery(String),
    /// The discovery element is in a foreign namespace.
    #[error("<{name}> is in namespace {ns:?}, not WS-Discovery")]
    DiscoveryNamespace {
        /// Local name of the element.
        name: String,
        /// Its namespace.
        ns: String,
    },
    /// A Hello or Bye without an endpoint reference address.
    #[error("<{0}> has no EndpointReference/Address")]
    NoEndpoint(&'static str),
    /// A ProbeMatches whose every ProbeMatch lacks an endpoint address.
    #[error("ProbeMatches holds no ProbeMatch with an EndpointReference/Address")]
    NoMatch,
}

impl From<xml::XmlError> for MessageError {
    fn from(e: xml::XmlError) -> Self {
        Self::Xml(e)
    }
}

/// A QName from a `Types` list, resolved with the namespace bindings in scope where it was
/// written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeName {
    /// The namespace, when the prefix (or the default namespace) was bound.
    pub ns: Option<String>,
    /// The local part.
    pub local: String,
    /// The prefix as written, kept for an unresolved name.
    pub prefix: Option<String>,
}

impl TypeName {
    /// A resolved name `{ns}local`.
    pub fn new(ns: &str, local: &str) -> Self {
        Self {
            ns: Some(ns.to_owned()),
            local: local.to_owned(),
            prefix: None,
        }
    }

    /// ONVIF's `tdn:NetworkVideoTransmitter`.
    pub fn network_video_transmitter() -> Self {
        Self::new(TDN, "NetworkVideoTransmitter")
    }

    /// True when this is `{ns}local`.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns.as_deref() == Some(ns) && self.local == local
    }
}

/// `{ns}local` when resolved (Clark notation: prefixes mean nothing across messages), else the
/// name as written (`dn:NetworkVideoTransmitter` from a device that never declared `dn`).
impl fmt::Display for TypeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.ns, &self.prefix) {
            (Some(ns), _) => write!(f, "{{{ns}}}{}", self.local),
            (None, Some(p)) => write!(f, "{p}:{}", self.local),
            (None, None) => f.write_str(&self.local),
        }
    }
}

/// Which discovery message a datagram carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// An answer to a Probe.
    ProbeMatches,
    /// A device joining the network.
    Hello,
    /// A device leaving.
    Bye,
    /// Somebody else's Probe (and our own, looped back on the multicast group).
    Probe,
}

/// What one device says about itself in a ProbeMatch, Hello or Bye.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// The endpoint reference address: the device's stable id (`urn:uuid:...`).
    pub endpoint: String,
    /// Types it implements.
    pub types: Vec<TypeName>,
    /// Scope URIs.
    pub scopes: Vec<String>,
    /// Device service addresses, as advertised.
    pub xaddrs: Vec<String>,
    /// MetadataVersion, when present and readable.
    pub metadata_version: Option<u32>,
}

/// One WS-Discovery message, read leniently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// What the Body carried.
    pub kind: Kind,
    /// `a:MessageID`, if any.
    pub message_id: Option<String>,
    /// `a:RelatesTo`, if any (ProbeMatches name the Probe they answer here).
    pub relates_to: Option<String>,
    /// The devices described (one for Hello and Bye; one per ProbeMatch; none for a Probe).
    pub announcements: Vec<Announcement>,
    /// ProbeMatch entries that were skipped because they had no endpoint address.
    pub skipped_matches: usize,
}

/// Writes a Probe: SOAP 1.2, WS-Addressing 2004/08 headers, `Types` (with each prefix declared
/// on the `Types` element itself, because some cameras only resolve it there; see
/// openhab/openhab-addons#9022) and optional `Scopes` (matched by the default rfc3986 rule).
///
/// `message_id` should be a fresh `uuid:` URI (see [`new_message_id`]).
pub fn probe_xml(message_id: &str, types: &[TypeName], scopes: &[String]) -> String {
    let mut body = String::from("<d:Probe>");
    let resolved: Vec<&TypeName> = types.iter().filter(|t| t.ns.is_some()).collect();
    if !resolved.is_empty() {
        let mut prefixes: Vec<&str> = Vec::new();
        let mut decls = String::new();
        let mut names = Vec::new();
        for t in resolved {
            let ns = t.ns.as_deref().unwrap_or_default();
            let i = match prefixes.iter().position(|p| *p == ns) {
                Some(i) => i,
                None => {
                    prefixes.push(ns);
                    let i = prefixes.len() - 1;
                    decls.push_str(&format!(
                        " xmlns:{}=\"{}\"",
                        type_prefix(ns, i),
                        xml::escape(ns)
                    ));
                    i
                }
            };
            names.push(format!("{}:{}", type_prefix(ns, i), xml::escape(&t.local)));
        }
        body.push_str(&format!("<d:Types{decls}>{}</d:Types>", names.join(" ")));
    }
    if !scopes.is_empty() {
        let list: Vec<_> = scopes.iter().map(|s| xml::escape(s)).collect();
        body.push_str(&format!("<d:Scopes>{}</d:Scopes>", list.join(" ")));
    }
    body.push_str("</d:Probe>");
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<s:Envelope xmlns:s="{soap}" xmlns:a="{wsa}" xmlns:d="{wsd}">"#,
            "<s:Header>",
            "<a:MessageID>{id}</a:MessageID>",
            r#"<a:To s:mustUnderstand="true">{to}</a:To>"#,
            r#"<a:Action s:mustUnderstand="true">{action}</a:Action>"#,
            "</s:Header>",
            "<s:Body>{body}</s:Body>",
            "</s:Envelope>"
        ),
        soap = SOAP12,
        wsa = WSA,
        wsd = WSD,
        id = xml::escape(message_id),
        to = TO_DISCOVERY,
        action = ACTION_PROBE,
        body = body,
    )
}

/// The conventional prefix for a type namespace (`tdn`, `tds`), else `t0`, `t1`...
fn type_prefix(ns: &str, i: usize) -> String {
    match ns {
        TDN => "tdn".into(),
        TDS => "tds".into(),
        _ => format!("t{i}"),
    }
}

/// A fresh `uuid:` MessageID.
pub fn new_message_id() -> String {
    format!("uuid:{}", uuid::Uuid::new_v4())
}

/// Reads a datagram as a WS-Discovery message.
pub fn parse(bytes: &[u8]) -> Result<Message, MessageError> {
    let root = xml::parse(bytes)?;
    if !root.is("Envelope") {
        return Err(MessageError::NotEnvelope(quote(&root.name)));
    }
    // An Envelope with no namespace at all comes from a device (or a copy of its reply) whose
    // declarations were stripped: read it by local name like everything else.
    match root.ns.as_deref() {
        None | Some(SOAP12) | Some(SOAP11) => {}
        Some(other) => return Err(MessageError::EnvelopeNamespace(quote(other))),
    }
    let header = root.child("Header");
    let header_text = |name: &str| {
        header
            .and_then(|h| h.child(name))
            .map(|e| e.text_trim().to_owned())
            .filter(|t| !t.is_empty())
    };
    let message_id = header_text("MessageID");
    let relates_to = header_text("RelatesTo");
    let payload = root
        .child("Body")
        .and_then(|b| b.children.first())
        .ok_or(MessageError::NoBody)?;
    let kind = match payload.name.as_str() {
        "ProbeMatches" => Kind::ProbeMatches,
        "Hello" => Kind::Hello,
        "Bye" => Kind::Bye,
        "Probe" => Kind::Probe,
        other => return Err(MessageError::NotDiscovery(quote(other))),
    };
    match payload.ns.as_deref() {
        None | Some(WSD) | Some(WSD_2009) => {}
        Some(ns) => {
            return Err(MessageError::DiscoveryNamespace {
                name: payload.name.to_string(),
                ns: quote(ns),
            });
        }
    }
    let mut announcements = Vec::new();
    let mut skipped_matches = 0;
    match kind {
        Kind::Probe => {}
        Kind::Hello | Kind::Bye => {
            let name = if kind == Kind::Hello { "Hello" } else { "Bye" };
            announcements.push(announcement(payload).ok_or(MessageError::NoEndpoint(name))?);
        }
        Kind::ProbeMatches => {
            for m in payload.children_named("ProbeMatch") {
                match announcement(m) {
                    Some(a) => announcements.push(a),
                    None => skipped_matches += 1,
                }
            }
            // An empty ProbeMatches is legal (it says "nothing here"); one whose every entry
            // is unusable is not.
            if announcements.is_empty() && skipped_matches > 0 {
                return Err(MessageError::NoMatch);
            }
        }
    }
    Ok(Message {
        kind,
        message_id,
        relates_to,
        announcements,
        skipped_matches,
    })
}

/// Reads a ProbeMatch, Hello or Bye; `None` without an endpoint address.
fn announcement(e: &Element) -> Option<Announcement> {
    let endpoint = e.path_text(&["EndpointReference", "Address"])?.to_owned();
    let types = e
        .child("Types")
        .map(|t| {
            t.text
                .split_whitespace()
                .map(|v| {
                    let q = t.resolve_qname(v);
                    TypeName {
                        ns: q.ns.filter(|ns| !ns.is_empty()),
                        local: q.local,
                        prefix: q.prefix,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let list = |name: &str| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        if let Some(el) = e.child(name) {
            for item in el.text.split_whitespace() {
                if !out.iter().any(|o| o == item) {
                    out.push(item.to_owned());
                }
            }
        }
        out
    };
    Some(Announcement {
        endpoint,
        types,
        scopes: list("Scopes"),
        xaddrs: list("XAddrs"),
        metadata_version: e.child_text("MetadataVersion").and_then(|v| v.parse().ok()),
    })
}

/// Truncates a value quoted from a datagram.
fn quote(s: &str) -> String {
    match s.char_indices().nth(QUOTE_MAX) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_declares_the_types_prefix_on_types_and_escapes_scopes() {
        let xml = probe_xml(
            "uuid:1",
            &[TypeName::network_video_transmitter()],
            &["onvif://www.onvif.org/name/A&B".into()],
        );
        assert!(xml.contains(
            r#"<d:Types xmlns:tdn="http://www.onvif.org/ver10/network/wsdl">tdn:NetworkVideoTransmitter</d:Types>"#
        ), "{xml}");
        assert!(xml.contains("<d:Scopes>onvif://www.onvif.org/name/A&amp;B</d:Scopes>"));
        let back = parse(xml.as_bytes()).unwrap();
        assert_eq!(back.kind, Kind::Probe);
        assert_eq!(back.message_id.as_deref(), Some("uuid:1"));
    }

    #[test]
    fn probe_without_types_or_scopes_has_an_empty_probe_element() {
        let xml = probe_xml("uuid:2", &[], &[]);
        assert!(xml.contains("<s:Body><d:Probe></d:Probe></s:Body>"));
    }

    #[test]
    fn types_resolve_with_any_prefix_default_namespace_or_none() {
        let doc = r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body>
            <w:Hello xmlns:w="http://schemas.xmlsoap.org/ws/2005/04/discovery">
              <x:EndpointReference xmlns:x="http://schemas.xmlsoap.org/ws/2004/08/addressing"><x:Address> urn:uuid:1 </x:Address></x:EndpointReference>
              <w:Types xmlns="http://www.onvif.org/ver10/network/wsdl" xmlns:q="http://www.onvif.org/ver10/device/wsdl">NetworkVideoTransmitter q:Device zz:Odd</w:Types>
              <w:XAddrs>http://10.0.0.1/onvif/device_service
              </w:XAddrs>
            </w:Hello></e:Body></e:Envelope>"#;
        let m = parse(doc.as_bytes()).unwrap();
        assert_eq!(m.kind, Kind::Hello);
        let a = &m.announcements[0];
        assert_eq!(a.endpoint, "urn:uuid:1");
        assert!(a.types[0].is(TDN, "NetworkVideoTransmitter"));
        assert!(a.types[1].is(TDS, "Device"));
        assert_eq!(a.types[2].to_string(), "zz:Odd");
        assert_eq!(a.xaddrs, ["http://10.0.0.1/onvif/device_service"]);
        assert_eq!(a.metadata_version, None);
    }

    #[test]
    fn bye_needs_only_an_endpoint() {
        let doc = r#"<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body>
            <Bye xmlns="http://schemas.xmlsoap.org/ws/2005/04/discovery"><EndpointReference xmlns="http://schemas.xmlsoap.org/ws/2004/08/addressing"><Address>urn:uuid:9</Address></EndpointReference></Bye>
            </Body></Envelope>"#;
        let m = parse(doc.as_bytes()).unwrap();
        assert_eq!(m.kind, Kind::Bye);
        assert_eq!(m.announcements[0].endpoint, "urn:uuid:9");
    }

    #[test]
    fn unusable_messages_say_why() {
        let e = |d: &str| parse(d.as_bytes()).unwrap_err().to_string();
        assert!(e("<a:Envelope xmlns:a=\"http://").starts_with("not XML"));
        assert_eq!(e("<html/>"), "root element is <html>, not a SOAP Envelope");
        assert!(e(r#"<E:Envelope xmlns:E="urn:x"/>"#).contains("not SOAP 1.2"));
        assert_eq!(
            e("<Envelope><Body/></Envelope>"),
            "no element in the SOAP Body"
        );
        assert_eq!(
            e("<Envelope><Body><GetScopes/></Body></Envelope>"),
            "Body holds <GetScopes>, not a WS-Discovery message"
        );
        assert_eq!(
            e("<Envelope><Body><Hello/></Body></Envelope>"),
            "<Hello> has no EndpointReference/Address"
        );
        assert_eq!(
            e("<Envelope><Body><ProbeMatches><ProbeMatch/></ProbeMatches></Body></Envelope>"),
            "ProbeMatches holds no ProbeMatch with an EndpointReference/Address"
        );
        let long = format!("<{}/>", "x".repeat(500));
        assert!(e(&long).len() < 150);
    }

    #[test]
    fn every_truncation_of_a_reply_is_an_error_not_a_panic() {
        let full = br#"<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><s:Header><a:RelatesTo>uuid:1</a:RelatesTo></s:Header><s:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:x</a:Address></a:EndpointReference><d:Types xmlns:dn="http://www.onvif.org/ver10/network/wsdl">dn:NetworkVideoTransmitter</d:Types><d:XAddrs>http://10.0.0.1/onvif/device_service</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>"#;
        assert_eq!(parse(full).unwrap().announcements.len(), 1);
        for cut in 0..full.len() {
            assert!(
                parse(&full[..cut]).is_err(),
                "accepted a reply cut at byte {cut}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            let _ = parse(&bytes);
        }
    }

    #[test]
    fn empty_probe_matches_is_a_valid_answer_with_no_devices() {
        let m = parse(b"<Envelope><Body><ProbeMatches/></Body></Envelope>").unwrap();
        assert_eq!(m.kind, Kind::ProbeMatches);
        assert!(m.announcements.is_empty());
    }
}
