//! SOAP envelopes in tests: around a payload (to validate a request body or to serve an
//! answer) and out of a capture (to feed a parser the element a device sent).

use camswap::soap::xml::Element;

/// SOAP 1.2 and 1.1 envelope namespaces: captures hold both.
const ENVELOPE_NAMESPACES: [&str; 2] = [
    "http://www.w3.org/2003/05/soap-envelope",
    "http://schemas.xmlsoap.org/soap/envelope/",
];

/// `payload` in a bare SOAP 1.2 envelope, as the SOAP client sends a request: the envelope
/// declares only its own prefix, so a payload that uses a prefix it does not declare fails
/// schema validation, as it would on a device.
pub fn wrap(payload: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>{payload}</env:Body></env:Envelope>"#
    )
}

/// `payload` in a SOAP 1.2 envelope that declares the ONVIF prefixes (`tt`, `tds`, `trt`,
/// `tr2`, `tptz`, `trc`, `timg`), as devices answer: for hand-written answers a test serves.
pub fn wrap_answer(payload: &str) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope""#,
            r#" xmlns:tt="http://www.onvif.org/ver10/schema""#,
            r#" xmlns:tds="http://www.onvif.org/ver10/device/wsdl""#,
            r#" xmlns:trt="http://www.onvif.org/ver10/media/wsdl""#,
            r#" xmlns:tr2="http://www.onvif.org/ver20/media/wsdl""#,
            r#" xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl""#,
            r#" xmlns:trc="http://www.onvif.org/ver10/recording/wsdl""#,
            r#" xmlns:timg="http://www.onvif.org/ver20/imaging/wsdl">"#,
            "<env:Body>{}</env:Body></env:Envelope>"
        ),
        payload
    )
}

/// The first element in the envelope's `Body` (a payload or a `Fault`), matched by local
/// name and a SOAP namespace, any prefix; `None` when `envelope` is not a SOAP envelope.
pub fn body_child(envelope: &Element) -> Option<&Element> {
    let is_soap = |e: &Element| {
        e.ns.as_deref()
            .is_some_and(|ns| ENVELOPE_NAMESPACES.contains(&ns))
    };
    if !(envelope.is("Envelope") && is_soap(envelope)) {
        return None;
    }
    envelope
        .children
        .iter()
        .find(|c| c.is("Body") && is_soap(c))?
        .children
        .first()
}

/// The Body's first element of a capture, by path relative to the captures folder.
pub fn capture_payload(rel: &str) -> Element {
    let bytes = super::shared::capture(rel);
    let doc = camswap::soap::xml::parse(&bytes).unwrap_or_else(|e| panic!("{rel}: not XML: {e}"));
    body_child(&doc)
        .unwrap_or_else(|| panic!("{rel}: no element in a SOAP Body"))
        .clone()
}

#[test]
fn a_wrapped_payload_comes_back_out() {
    let answer = wrap_answer("<tds:GetHostnameResponse/>");
    let doc = camswap::soap::xml::parse(answer.as_bytes()).unwrap();
    assert_eq!(
        body_child(&doc).unwrap().ns.as_deref(),
        Some("http://www.onvif.org/ver10/device/wsdl")
    );
    let doc = camswap::soap::xml::parse(wrap("<x:Ping xmlns:x=\"urn:t\"/>").as_bytes()).unwrap();
    let child = body_child(&doc).unwrap();
    assert!(child.is("Ping"));
    assert_eq!(child.ns.as_deref(), Some("urn:t"));
    // Not an envelope: nothing.
    let doc = camswap::soap::xml::parse(b"<Envelope><Body><a/></Body></Envelope>").unwrap();
    assert!(body_child(&doc).is_none());
}
