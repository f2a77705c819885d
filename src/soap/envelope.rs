//! SOAP envelopes: the one writer every request goes through, and a lenient reader.
//!
//! We write SOAP 1.2 with the `env:` prefix. We read whatever cameras send: any prefix
//! (`env:`, `SOAP-ENV:`, `s:`, a default namespace), any Header content (devices echo our
//! `wsse:Security` back, some with `mustUnderstand="true"`; a response's header asks nothing of
//! us, so it is ignored), and SOAP 1.1 from a few old cameras.

use super::fault::Fault;
use super::ns;
use super::xml::{self, Element, XmlError};

/// Builds a SOAP 1.2 envelope around `payload` (a request element carrying its own `xmlns`
/// declarations), with `header` XML inside `env:Header` when given.
///
/// Every request the client sends is built here, so a test can capture exactly what goes on the
/// wire and validate it against the schemas.
pub fn envelope(header: Option<&str>, payload: &str) -> String {
    let header_len = header.map_or(0, |h| h.len() + 25);
    let mut out = String::with_capacity(160 + header_len + payload.len());
    out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    out.push_str(r#"<env:Envelope xmlns:env=""#);
    out.push_str(ns::SOAP12);
    out.push_str(r#"">"#);
    if let Some(h) = header {
        out.push_str("<env:Header>");
        out.push_str(h);
        out.push_str("</env:Header>");
    }
    out.push_str("<env:Body>");
    out.push_str(payload);
    out.push_str("</env:Body></env:Envelope>");
    out
}

/// What a response envelope's Body holds.
#[derive(Debug, Clone)]
pub enum Reply {
    /// The first element in the Body: the operation's response element.
    Payload(Element),
    /// A SOAP Fault.
    Fault(Fault),
    /// A Body with no element in it (Bosch answers some unsupported calls this way, with HTTP
    /// 500: bosch/Fault-onvifgo-panoramic5100i-http500-emptybody.xml).
    Empty,
}

/// Why a response is not a SOAP envelope we can read.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    /// The bytes are not well-formed XML. The XML error is part of the message (this error
    /// is logged as one line), so it is not also a `source`.
    #[error("not XML: {0}")]
    NotXml(XmlError),
    /// Well-formed XML, but not a SOAP envelope with a Body.
    #[error("not a SOAP envelope: {0}")]
    NotSoap(String),
}

impl From<XmlError> for EnvelopeError {
    fn from(e: XmlError) -> Self {
        Self::NotXml(e)
    }
}

/// Reads a response: finds Envelope and Body by namespace URI (any prefix) and returns the
/// first Body child as a payload or a fault.
pub fn read(bytes: &[u8]) -> Result<Reply, EnvelopeError> {
    let mut root = xml::parse(bytes)?;
    if !root.is("Envelope") {
        return Err(EnvelopeError::NotSoap(format!(
            "the root element is <{}>",
            shown_name(&root)
        )));
    }
    match root.ns.as_deref() {
        Some(ns::SOAP12) => {}
        Some(ns::SOAP11) => tracing::debug!("accepting a SOAP 1.1 envelope"),
        // A camera that dropped its namespace declarations still means SOAP.
        None => tracing::debug!("accepting an Envelope without a namespace"),
        Some(other) => {
            return Err(EnvelopeError::NotSoap(format!(
                "Envelope in namespace {other:?}, not SOAP"
            )));
        }
    }
    let envelope_ns = root.ns.clone();
    let same_ns = |e: &Element| e.ns.is_none() || e.ns == envelope_ns;
    let body_at = root
        .children
        .iter()
        .position(|c| c.is("Body") && same_ns(c))
        .ok_or_else(|| EnvelopeError::NotSoap("the Envelope has no Body".to_owned()))?;
    // Move the payload out of the tree rather than copy it: responses can be megabytes.
    let mut body = root.children.swap_remove(body_at);
    if body.children.is_empty() {
        return Ok(Reply::Empty);
    }
    let first = body.children.swap_remove(0);
    if first.is("Fault") && same_ns(&first) {
        return Ok(Reply::Fault(Fault::from_element(&first)));
    }
    Ok(Reply::Payload(first))
}

fn shown_name(e: &Element) -> String {
    match &e.prefix {
        Some(p) => format!("{p}:{}", e.name),
        None => e.name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TDS: &str = "http://www.onvif.org/ver10/device/wsdl";

    fn payload(doc: &str) -> Element {
        match read(doc.as_bytes()).unwrap() {
            Reply::Payload(e) => e,
            other => panic!("expected a payload, got {other:?}"),
        }
    }

    #[test]
    fn writes_a_soap12_envelope_with_and_without_header() {
        let p = r#"<tds:GetDeviceInformation xmlns:tds="http://www.onvif.org/ver10/device/wsdl"/>"#;
        let plain = envelope(None, p);
        assert_eq!(
            plain,
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>{p}</env:Body></env:Envelope>"#
            )
        );
        let with = envelope(Some("<h:X xmlns:h=\"urn:h\"/>"), p);
        let root = xml::parse(with.as_bytes()).unwrap();
        assert!(root.is_ns(ns::SOAP12, "Envelope"));
        assert_eq!(root.children[0].name, "Header");
        assert!(root.children[0].children[0].is_ns("urn:h", "X"));
        assert!(payload(&with).is_ns(TDS, "GetDeviceInformation"));
    }

    #[test]
    fn any_envelope_prefix_is_read() {
        for (prefix, decl) in [
            (
                "env:",
                r#"xmlns:env="http://www.w3.org/2003/05/soap-envelope""#,
            ),
            (
                "SOAP-ENV:",
                r#"xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope""#,
            ),
            ("s:", r#"xmlns:s="http://www.w3.org/2003/05/soap-envelope""#),
            ("", r#"xmlns="http://www.w3.org/2003/05/soap-envelope""#),
        ] {
            let doc = format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes" ?><{prefix}Envelope {decl}><{prefix}Body><tds:GetHostnameResponse xmlns:tds="{TDS}"><tds:HostnameInformation/></tds:GetHostnameResponse></{prefix}Body></{prefix}Envelope>"#
            );
            let p = payload(&doc);
            assert!(p.is_ns(TDS, "GetHostnameResponse"), "{prefix}");
        }
    }

    #[test]
    fn echoed_wsse_header_with_must_understand_is_ignored() {
        // uniview/Fault-easyonvif-sunba.xml and the Reolink replies copy our Security header.
        let doc = r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><SOAP-ENV:Header><wsse:Security SOAP-ENV:mustUnderstand="true"><wsse:UsernameToken><wsse:Username>admin</wsse:Username></wsse:UsernameToken></wsse:Security></SOAP-ENV:Header><SOAP-ENV:Body><tds:SetHostnameResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl"/></SOAP-ENV:Body></SOAP-ENV:Envelope>"#;
        assert!(payload(doc).is("SetHostnameResponse"));
    }

    #[test]
    fn soap11_envelope_is_accepted() {
        let doc = r#"<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><r:Ok xmlns:r="urn:r"/></S:Body></S:Envelope>"#;
        assert!(payload(doc).is_ns("urn:r", "Ok"));
    }

    #[test]
    fn empty_body_is_empty_not_an_error() {
        let doc = r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Header/><e:Body>  </e:Body></e:Envelope>"#;
        assert!(matches!(read(doc.as_bytes()), Ok(Reply::Empty)));
    }

    #[test]
    fn not_soap_is_refused_with_what_was_found() {
        let err = read(b"<html><body>login</body></html>").unwrap_err();
        assert_eq!(
            err.to_string(),
            "not a SOAP envelope: the root element is <html>"
        );
        let err = read(br#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"/>"#)
            .unwrap_err();
        assert!(matches!(err, EnvelopeError::NotSoap(_)));
        let err = read(br#"<Envelope xmlns="urn:other"><Body/></Envelope>"#).unwrap_err();
        assert!(err.to_string().contains("urn:other"), "{err}");
        assert!(matches!(
            read(b"{\"json\":1}"),
            Err(EnvelopeError::NotXml(_))
        ));
        assert!(matches!(read(b""), Err(EnvelopeError::NotXml(_))));
    }

    #[test]
    fn a_fault_in_another_namespace_is_a_payload() {
        let doc = r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><v:Fault xmlns:v="urn:v"/></e:Body></e:Envelope>"#;
        assert!(payload(doc).is_ns("urn:v", "Fault"));
    }
}
