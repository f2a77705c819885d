//! SOAP 1.2 as a device speaks it: reading a request envelope, writing responses and faults.

use std::fmt::Write as _;

use crate::xml::{self, Node};

/// Namespace URIs the mock reads and writes.
pub mod ns {
    /// SOAP 1.2 envelope.
    pub const ENV: &str = "http://www.w3.org/2003/05/soap-envelope";
    /// SOAP 1.1 envelope (answered with a VersionMismatch fault).
    pub const ENV11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
    /// ONVIF shared types.
    pub const TT: &str = "http://www.onvif.org/ver10/schema";
    /// Device management.
    pub const TDS: &str = "http://www.onvif.org/ver10/device/wsdl";
    /// Media ver10.
    pub const TRT: &str = "http://www.onvif.org/ver10/media/wsdl";
    /// Media2 ver20.
    pub const TR2: &str = "http://www.onvif.org/ver20/media/wsdl";
    /// PTZ ver20.
    pub const TPTZ: &str = "http://www.onvif.org/ver20/ptz/wsdl";
    /// Recording control ver10.
    pub const TRC: &str = "http://www.onvif.org/ver10/recording/wsdl";
    /// Imaging ver20.
    pub const TIMG: &str = "http://www.onvif.org/ver20/imaging/wsdl";
    /// Events ver10.
    pub const TEV: &str = "http://www.onvif.org/ver10/events/wsdl";
    /// ONVIF fault subcodes.
    pub const TER: &str = "http://www.onvif.org/ver10/error";
    /// WS-Discovery network types (`dn:NetworkVideoTransmitter`).
    pub const DN: &str = "http://www.onvif.org/ver10/network/wsdl";
    /// WS-Security extension (UsernameToken).
    pub const WSSE: &str =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    /// WS-Security utility (`wsu:Created`).
    pub const WSU: &str =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    /// UsernameToken `Password/@Type` for a digest.
    pub const PASSWORD_DIGEST: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
    /// UsernameToken `Password/@Type` for clear text.
    pub const PASSWORD_TEXT: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";
}

/// A request envelope reduced to what the device acts on.
#[derive(Debug)]
pub struct Request {
    /// `env:Header`, if present.
    pub header: Option<Node>,
    /// The first element inside `env:Body`: the operation.
    pub payload: Node,
}

impl Request {
    /// Namespace URI of the operation element (empty if it has none).
    pub fn namespace(&self) -> &str {
        self.payload.ns.as_deref().unwrap_or("")
    }

    /// Local name of the operation element.
    pub fn operation(&self) -> &str {
        &self.payload.name
    }
}

/// Read a request envelope; a document that is not a usable SOAP 1.2 request is a fault.
pub fn parse_request(bytes: &[u8]) -> Result<Request, Fault> {
    let root = xml::parse(bytes).map_err(|e| {
        Fault::sender(&["ter:WellFormed"], "Well-formed error").detail(e.to_string())
    })?;
    if root.name == "Envelope" && root.ns.as_deref() == Some(ns::ENV11) {
        return Err(Fault::new(
            FaultCode::VersionMismatch,
            &[],
            "SOAP 1.1 envelope; this device speaks SOAP 1.2",
        ));
    }
    if !root.is(ns::ENV, "Envelope") {
        return Err(Fault::sender(&["ter:Tag"], "No tag").detail(format!(
            "root element is {}, not a SOAP 1.2 Envelope",
            root.qualified()
        )));
    }
    let mut header = None;
    let mut body = None;
    for child in root.children {
        if child.is(ns::ENV, "Header") {
            header = Some(child);
        } else if child.is(ns::ENV, "Body") {
            body = Some(child);
        }
    }
    let body = body
        .ok_or_else(|| Fault::sender(&["ter:Tag"], "No tag").detail("the envelope has no Body"))?;
    let payload = body.children.into_iter().next().ok_or_else(|| {
        Fault::sender(&["ter:Tag"], "No tag").detail("the Body has no operation element")
    })?;
    Ok(Request { header, payload })
}

/// The `action` parameter of a SOAP 1.2 `Content-Type`, if any.
pub fn content_type_action(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("action") {
            return None;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        Some(value.to_string())
    })
}

/// SOAP 1.2 fault code values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultCode {
    /// The envelope's namespace is not SOAP 1.2.
    VersionMismatch,
    /// The request is at fault.
    Sender,
    /// The device failed or does not support the request.
    Receiver,
}

impl FaultCode {
    fn local(self) -> &'static str {
        match self {
            Self::VersionMismatch => "VersionMismatch",
            Self::Sender => "Sender",
            Self::Receiver => "Receiver",
        }
    }
}

/// A SOAP fault the device answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Code/Value.
    pub code: FaultCode,
    /// Nested Subcode/Values as `ter:` QNames, outermost first.
    pub subcodes: Vec<&'static str>,
    /// Reason/Text.
    pub reason: String,
    /// Detail/Text, when the device explains further.
    pub detail: Option<String>,
}

impl Fault {
    /// A fault with the given code, `ter:` subcodes and reason.
    pub fn new(code: FaultCode, subcodes: &[&'static str], reason: impl Into<String>) -> Self {
        Self {
            code,
            subcodes: subcodes.to_vec(),
            reason: reason.into(),
            detail: None,
        }
    }

    /// An `env:Sender` fault.
    pub fn sender(subcodes: &[&'static str], reason: impl Into<String>) -> Self {
        Self::new(FaultCode::Sender, subcodes, reason)
    }

    /// An `env:Receiver` fault.
    pub fn receiver(subcodes: &[&'static str], reason: impl Into<String>) -> Self {
        Self::new(FaultCode::Receiver, subcodes, reason)
    }

    /// Add a Detail text.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// `env:Sender / ter:InvalidArgVal / ter:<what>`: a value the device refuses.
    pub fn invalid_arg(what: &'static str, reason: impl Into<String>) -> Self {
        Self::sender(&["ter:InvalidArgVal", what], reason)
    }

    /// `env:Sender / ter:InvalidArgVal`: a value outside what the schema allows.
    pub fn invalid_value(reason: impl Into<String>) -> Self {
        Self::sender(&["ter:InvalidArgVal"], reason)
    }

    /// `env:Sender / ter:InvalidArgs`: a required element is missing or unreadable.
    pub fn invalid_args(reason: impl Into<String>) -> Self {
        Self::sender(&["ter:InvalidArgs"], reason)
    }

    /// `env:Receiver / ter:Action / ter:<what>`: the device cannot do this now (a limit, a
    /// conflict, a missing configuration).
    pub fn action(what: &'static str, reason: impl Into<String>) -> Self {
        Self::receiver(&["ter:Action", what], reason)
    }

    /// `env:Sender / ter:OperationProhibited / ter:<what>`.
    pub fn prohibited(what: &'static str, reason: impl Into<String>) -> Self {
        Self::sender(&["ter:OperationProhibited", what], reason)
    }

    /// `env:Sender / ter:NotAuthorized`, worded as Axis and Hikvision word it.
    pub fn not_authorized() -> Self {
        Self::sender(&["ter:NotAuthorized"], "Sender not authorized")
            .detail("The action requested requires authorization and the sender is not authorized")
    }

    /// `env:Receiver / ter:ActionNotSupported`.
    pub fn action_not_supported(detail: impl Into<String>) -> Self {
        Self::receiver(
            &["ter:ActionNotSupported"],
            "Optional action not implemented",
        )
        .detail(detail)
    }

    /// The `Fault` element, with `env` as the envelope prefix.
    pub fn to_xml(&self, env: &str) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "<{env}:Fault><{env}:Code><{env}:Value>{env}:{}</{env}:Value>",
            self.code.local()
        );
        for sub in &self.subcodes {
            let _ = write!(out, "<{env}:Subcode><{env}:Value>{sub}</{env}:Value>");
        }
        for _ in &self.subcodes {
            let _ = write!(out, "</{env}:Subcode>");
        }
        let _ = write!(
            out,
            "</{env}:Code><{env}:Reason><{env}:Text xml:lang=\"en\">{}</{env}:Text></{env}:Reason>",
            xml::escape(&self.reason)
        );
        if let Some(detail) = &self.detail {
            // A bare Text inside Detail is how Axis and Hikvision explain a fault.
            let _ = write!(
                out,
                "<{env}:Detail><{env}:Text>{}</{env}:Text></{env}:Detail>",
                xml::escape(detail)
            );
        }
        let _ = write!(out, "</{env}:Fault>");
        out
    }
}

/// Wrap a payload in a SOAP 1.2 envelope that declares every prefix payloads use.
pub fn envelope(env: &str, payload: &str) -> String {
    let mut out = String::with_capacity(payload.len() + 700);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{env}:Envelope xmlns:{env}=\"{}\" \
         xmlns:tt=\"{}\" xmlns:tds=\"{}\" xmlns:trt=\"{}\" xmlns:tr2=\"{}\" xmlns:tptz=\"{}\" \
         xmlns:trc=\"{}\" xmlns:timg=\"{}\" xmlns:tev=\"{}\" xmlns:ter=\"{}\">\
         <{env}:Body>{payload}</{env}:Body></{env}:Envelope>",
        ns::ENV,
        ns::TT,
        ns::TDS,
        ns::TRT,
        ns::TR2,
        ns::TPTZ,
        ns::TRC,
        ns::TIMG,
        ns::TEV,
        ns::TER,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_parameter_is_read_quoted_or_bare() {
        assert_eq!(
            content_type_action(
                "application/soap+xml; charset=utf-8; action=\"http://www.onvif.org/ver10/device/wsdl/GetHostname\""
            )
            .as_deref(),
            Some("http://www.onvif.org/ver10/device/wsdl/GetHostname")
        );
        assert_eq!(
            content_type_action("application/soap+xml;Action=urn:x").as_deref(),
            Some("urn:x")
        );
        assert_eq!(
            content_type_action("application/soap+xml; charset=utf-8"),
            None
        );
    }

    #[test]
    fn soap11_envelope_is_a_version_mismatch() {
        let doc = format!(
            r#"<e:Envelope xmlns:e="{}"><e:Body><x/></e:Body></e:Envelope>"#,
            ns::ENV11
        );
        let fault = parse_request(doc.as_bytes()).unwrap_err();
        assert_eq!(fault.code, FaultCode::VersionMismatch);
    }

    #[test]
    fn empty_body_is_refused() {
        let doc = format!(
            r#"<e:Envelope xmlns:e="{}"><e:Body/></e:Envelope>"#,
            ns::ENV
        );
        let fault = parse_request(doc.as_bytes()).unwrap_err();
        assert_eq!(fault.subcodes, ["ter:Tag"]);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = parse_request(&bytes);
        }

        #[test]
        fn mangled_requests_never_panic(cut in 0usize..400, junk in "[<>&;:\"'a-z/= ]{0,8}") {
            let doc = format!(
                r#"<s:Envelope xmlns:s="{}"><s:Header><w:Security xmlns:w="{}"/></s:Header><s:Body><d:SetHostname xmlns:d="{}"><d:Name>x</d:Name></d:SetHostname></s:Body></s:Envelope>"#,
                ns::ENV, ns::WSSE, ns::TDS
            );
            let cut = cut.min(doc.len());
            let mangled = format!("{}{junk}{}", &doc[..cut], &doc[cut..]);
            let _ = parse_request(mangled.as_bytes());
        }
    }

    #[test]
    fn fault_nests_subcodes_in_order() {
        let xml = Fault::invalid_arg("ter:InvalidHostname", "bad").to_xml("env");
        assert!(xml.contains("<env:Value>env:Sender</env:Value><env:Subcode><env:Value>ter:InvalidArgVal</env:Value><env:Subcode><env:Value>ter:InvalidHostname</env:Value></env:Subcode></env:Subcode>"), "{xml}");
    }
}
