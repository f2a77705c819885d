//! SOAP 1.2 over HTTP: envelopes, faults, authentication and transport.
//!
//! Knows nothing of ONVIF services: it sends a payload element to an address with an action and
//! hands back the payload element of the answer, or a typed error.
//!
//! - [`envelope`](mod@envelope) writes every request envelope (one function, so tests can capture what goes
//!   on the wire) and reads any response envelope, whatever its prefixes.
//! - [`fault`] turns a SOAP Fault into a [`Fault`] with a coarse [`FaultKind`].
//! - [`auth`] holds [`Credentials`], the WS-Security UsernameToken and HTTP Digest (RFC 7616).
//! - [`client`] is the HTTP transport, [`SoapClient`], one per device.
//! - [`error`] is [`SoapError`], what a call can fail with.

pub mod auth;
pub mod client;
pub mod envelope;
pub mod error;
pub mod fault;
pub mod tls;
pub mod xml;

pub use auth::{Clock, Credentials, NonceSource, RandomNonces, SystemClock};
pub use client::{AuthMode, ClientConfig, ServerSeen, SoapClient};
pub use envelope::envelope;
pub use error::SoapError;
pub use fault::{Fault, FaultKind};
pub use tls::TlsTrust;

/// Namespace URIs the SOAP layer itself reads or writes.
pub mod ns {
    /// SOAP 1.2 envelope, what we send and what ONVIF devices answer with.
    pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
    /// SOAP 1.1 envelope, accepted in responses from a few old cameras.
    pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
    /// ONVIF fault subcodes (`ter:`).
    pub const TER: &str = "http://www.onvif.org/ver10/error";
    /// WS-Security secext 1.0 (`wsse:`).
    pub const WSSE: &str =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    /// WS-Security utility 1.0 (`wsu:`).
    pub const WSU: &str =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    /// `wsse:Password/@Type` for a PasswordDigest.
    pub const PASSWORD_DIGEST: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
    /// `wsse:Nonce/@EncodingType` for a Base64 nonce.
    pub const BASE64_BINARY: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";
}

/// Replaces the text of every element whose local name is `Password` or `Nonce` with `***`,
/// and redacts every URI and credential parameter in the rest ([`crate::model::redact_text`]):
/// devices answer with stream URIs that carry `user:pass@` or `?password=`.
///
/// Used for trace logs and error snippets. Request payloads can carry real passwords
/// (`tds:CreateUsers`, `tds:SetUser`), and devices echo our `wsse` header back, so both
/// directions go through this. Works on text, not a parsed tree, because it must also cope with
/// bodies that are not well-formed.
pub fn redact(xml: &str) -> String {
    const SECRET_ELEMENTS: [&str; 2] = ["Password", "Nonce"];
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        let Some(gt) = rest.find('>') else {
            break;
        };
        let tag = &rest[..=gt];
        out.push_str(tag);
        rest = &rest[gt + 1..];
        let name = tag[1..]
            .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .next()
            .unwrap_or("");
        let local = name.rsplit(':').next().unwrap_or(name);
        let self_closing = tag.ends_with("/>");
        if tag.starts_with("</") || self_closing || !SECRET_ELEMENTS.contains(&local) {
            continue;
        }
        // Hide everything up to the element's end tag (CDATA included), or to the end of a
        // truncated body.
        let end = rest.find(&format!("</{name}")).unwrap_or(rest.len());
        if !rest[..end].is_empty() {
            out.push_str("***");
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    crate::model::redact_text(&out)
}

/// A short, printable, redacted start of a body for an error message: never the whole body.
pub(crate) fn snippet(body: &[u8]) -> String {
    const MAX: usize = 120;
    let text = String::from_utf8_lossy(&body[..body.len().min(4 * MAX)]);
    let redacted = redact(&text);
    let mut out: String = redacted
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX)
        .collect();
    if redacted.chars().count() > MAX || body.len() > 4 * MAX {
        out.push('…');
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_passwords_and_nonces_with_any_prefix() {
        let xml = r#"<wsse:Username>admin</wsse:Username><wsse:Password Type="x">PY2P9VGh0BwcRujcaYCU/laz7FY=</wsse:Password><wsse:Nonce EncodingType="y">kNS4M4IZGBLjkDotAMi5Ag==</wsse:Nonce><tt:Password>hunter2&amp;x</tt:Password><Password/>"#;
        let r = redact(xml);
        assert!(!r.contains("PY2P9VGh0BwcRujcaYCU"), "{r}");
        assert!(!r.contains("kNS4M4IZGBLjkDotAMi5Ag"), "{r}");
        assert!(!r.contains("hunter2"), "{r}");
        assert!(r.contains("<wsse:Username>admin</wsse:Username>"), "{r}");
        assert!(
            r.contains(r#"<wsse:Password Type="x">***</wsse:Password>"#),
            "{r}"
        );
        assert!(r.ends_with("<Password/>"), "{r}");
    }

    #[test]
    fn redact_copes_with_truncated_markup() {
        assert_eq!(redact("<a><Password>se"), "<a><Password>***");
        assert_eq!(redact("text <unclosed"), "text <unclosed");
        assert_eq!(
            redact("<p:Password><![CDATA[s<e>cret]]></p:Password>"),
            "<p:Password>***</p:Password>"
        );
        assert_eq!(redact(""), "");
    }

    #[test]
    fn snippet_is_short_printable_and_redacted() {
        let body = format!("<x><Password>secret</Password>\n{}</x>", "y".repeat(1000));
        let s = snippet(body.as_bytes());
        assert!(!s.contains("secret"));
        assert!(!s.contains('\n'));
        assert!(s.chars().count() <= 121);
        assert!(s.ends_with('…'));
    }
}
