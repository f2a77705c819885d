//! [`SoapError`]: every way a SOAP call can fail, each naming the device and the URL.
//!
//! URLs are shown without userinfo and bodies only as a short redacted snippet, so an error can
//! be printed, logged or written to a journal without leaking a secret.
//!
//! A transport failure carries its innermost cause as text in its own message ("connection
//! refused"), not as a `source`: the message is what lands in an inventory record's `reason`
//! and in a log line, where nobody walks a chain, and the layers in between ("error sending
//! request", "client error (Connect)", "tcp connect error") say nothing a user can act on.

use std::time::Duration;

use super::fault::{Fault, FaultKind};
use super::xml::XmlError;

/// A failed SOAP call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SoapError {
    /// The client configuration cannot work (for example an auth mode without credentials).
    #[error("{device}: invalid SOAP client configuration: {reason}")]
    Config {
        /// Device label.
        device: String,
        /// What is wrong.
        reason: String,
    },
    /// The request cannot be built (bad URL, unsupported scheme, unusable SOAP action).
    #[error("{device}: cannot send a request to {url}: {reason}")]
    InvalidRequest {
        /// Device label.
        device: String,
        /// The URL, without userinfo.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// A request to an origin other than the device's: refused before sending, so the
    /// device's credentials never reach an address it (or anyone) names.
    #[error(
        "{device}: refused to send to {url}: the device was reached at {origin}, and requests (with their credentials) go only there"
    )]
    ForeignOrigin {
        /// Device label.
        device: String,
        /// The refused URL, without userinfo.
        url: String,
        /// The device's origin.
        origin: String,
    },
    /// The device's TLS certificate was refused; `problem` says why (untrusted issuer, wrong
    /// name, expired, not the pinned one).
    #[error("{device}: TLS with {url} refused: {problem}")]
    Tls {
        /// Device label.
        device: String,
        /// The URL.
        url: String,
        /// What is wrong with the certificate.
        problem: String,
    },
    /// No TCP/TLS connection could be made.
    #[error("{device}: cannot connect to {url}: {cause}")]
    Connect {
        /// Device label.
        device: String,
        /// The URL.
        url: String,
        /// What the OS or the TLS layer said (`connection refused`, `no route to host`).
        cause: String,
    },
    /// The connection broke during the exchange (reset, closed early, bad HTTP).
    #[error("{device}: connection to {url} failed during the exchange: {cause}")]
    Transport {
        /// Device label.
        device: String,
        /// The URL.
        url: String,
        /// The innermost error (`connection reset by peer`, `connection closed before
        /// message completed`).
        cause: String,
    },
    /// No complete answer within the per-request timeout.
    #[error("{device}: no answer from {url} within {after:?}")]
    Timeout {
        /// Device label.
        device: String,
        /// The URL.
        url: String,
        /// The timeout that expired.
        after: Duration,
    },
    /// A 3xx answer; redirects are not followed for SOAP POSTs (a client following one would
    /// turn the POST into a GET or resend credentials to another host).
    #[error(
        "{device}: {url} answered HTTP {status} redirecting to {location:?}; SOAP requests are not redirected, use that address instead"
    )]
    Redirect {
        /// Device label.
        device: String,
        /// The URL.
        url: String,
        /// HTTP status.
        status: u16,
        /// The `Location` header, without userinfo (empty if absent).
        location: String,
    },
    /// An HTTP error status without a SOAP Fault.
    #[error("{device}: {url} answered HTTP {status}{}", snippet_suffix(.snippet))]
    Http {
        /// Device label.
        device: String,
        /// The URL.
        url: String,
        /// HTTP status.
        status: u16,
        /// Start of the body, redacted (may be empty).
        snippet: String,
    },
    /// The response is larger than the configured cap; reading stopped there.
    #[error("{device}: the response from {url} exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Device label.
        device: String,
        /// The URL.
        url: String,
        /// The cap, in bytes.
        limit: usize,
    },
    /// The response body is not well-formed XML.
    #[error("{device}: the response from {url} is not XML{}", snippet_suffix(.snippet))]
    NotXml {
        /// Device label.
        device: String,
        /// The URL.
        url: String,
        /// Start of the body, redacted.
        snippet: String,
        /// What the XML reader said.
        #[source]
        source: XmlError,
    },
    /// Well-formed XML that is not a SOAP envelope with a Body.
    #[error("{device}: the response from {url} is not a SOAP envelope: {detail}")]
    NotSoap {
        /// Device label.
        device: String,
        /// The URL.
        url: String,
        /// What was found instead.
        detail: String,
    },
    /// A SOAP envelope whose Body holds no element: no payload and no Fault. Bosch answers
    /// unsupported calls with this and HTTP 500, so treat it like a fault.
    #[error(
        "{device}: {url} answered HTTP {status} with an empty SOAP Body (no response element and no Fault)"
    )]
    EmptyBody {
        /// Device label.
        device: String,
        /// The URL.
        url: String,
        /// HTTP status.
        status: u16,
    },
    /// The device answered with a SOAP Fault.
    #[error("{device}: {url} answered with SOAP fault {fault} (HTTP {status})")]
    Fault {
        /// Device label.
        device: String,
        /// The URL.
        url: String,
        /// The fault.
        fault: Box<Fault>,
        /// HTTP status it came with (400 or 500 usually; 200 from some firmware).
        status: u16,
    },
    /// HTTP authentication failed: a 401 that survived our answer to the challenge, or one we
    /// could not answer.
    #[error("{device}: not authorized at {url}: {detail}")]
    NotAuthorized {
        /// Device label.
        device: String,
        /// The URL.
        url: String,
        /// Why (credentials rejected, no credentials, unsupported challenge, ...).
        detail: String,
    },
}

/// The innermost cause of a transport error, as the OS said it: the deepest `io::Error` in the
/// chain without its `(os error N)` suffix, else the deepest error's own text. Never the URL
/// (`without_url` was applied), so never userinfo.
pub(crate) fn innermost_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut deepest: &(dyn std::error::Error + 'static) = e;
    let mut io: Option<&std::io::Error> = None;
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(x) = err.downcast_ref::<std::io::Error>() {
            io = Some(x);
        }
        deepest = err;
        next = err.source();
    }
    let text = match io {
        Some(x) => x.to_string(),
        None => deepest.to_string(),
    };
    // "Connection refused (os error 111)" reads as "connection refused" inside our sentence.
    let text = match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => &text[..i],
        _ => text.as_str(),
    }
    .trim();
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (None, _) => "no further detail".to_owned(),
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => first
            .to_lowercase()
            .chain(text[first.len_utf8()..].chars())
            .collect(),
        _ => text.to_owned(),
    }
}

fn snippet_suffix(snippet: &str) -> String {
    if snippet.is_empty() {
        String::new()
    } else {
        format!(": {snippet:?}")
    }
}

impl SoapError {
    /// True for an authentication failure: HTTP 401 after we answered, or a `ter:NotAuthorized`
    /// fault (which is also what a device says when `wsu:Created` is outside its window, so the
    /// caller may refresh the clock offset and retry once).
    pub fn is_not_authorized(&self) -> bool {
        match self {
            Self::NotAuthorized { .. } => true,
            Self::Fault { fault, .. } => fault.kind() == FaultKind::NotAuthorized,
            _ => false,
        }
    }

    /// The SOAP fault, if the device sent one.
    pub fn fault(&self) -> Option<&Fault> {
        match self {
            Self::Fault { fault, .. } => Some(fault),
            _ => None,
        }
    }

    /// True for failures of the network rather than of the device's answer (connect, reset,
    /// timeout): worth a retry later, and a sign the device may be down or rebooting.
    pub fn is_transport(&self) -> bool {
        matches!(
            self,
            Self::Connect { .. } | Self::Transport { .. } | Self::Timeout { .. }
        )
    }

    /// The device label the error names.
    pub fn device(&self) -> &str {
        match self {
            Self::Config { device, .. }
            | Self::InvalidRequest { device, .. }
            | Self::ForeignOrigin { device, .. }
            | Self::Tls { device, .. }
            | Self::Connect { device, .. }
            | Self::Transport { device, .. }
            | Self::Timeout { device, .. }
            | Self::Redirect { device, .. }
            | Self::Http { device, .. }
            | Self::TooLarge { device, .. }
            | Self::NotXml { device, .. }
            | Self::NotSoap { device, .. }
            | Self::EmptyBody { device, .. }
            | Self::Fault { device, .. }
            | Self::NotAuthorized { device, .. } => device,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A layer that says nothing useful, like reqwest's "error sending request".
    #[derive(Debug, thiserror::Error)]
    #[error("error sending request")]
    struct Layer(#[source] Box<dyn std::error::Error + Send + Sync>);

    #[test]
    fn the_cause_is_the_os_error_below_the_layers_without_its_number() {
        // ECONNREFUSED is 111 on Linux.
        let os = std::io::Error::from_raw_os_error(111);
        let e = Layer(Box::new(Layer(Box::new(os))));
        assert_eq!(innermost_cause(&e), "connection refused");
    }

    #[test]
    fn without_an_io_error_the_deepest_error_speaks() {
        #[derive(Debug, thiserror::Error)]
        #[error("connection closed before message completed")]
        struct Closed;
        let e = Layer(Box::new(Closed));
        assert_eq!(
            innermost_cause(&e),
            "connection closed before message completed"
        );
        // An acronym keeps its capitals.
        let e = Layer(Box::new(std::io::Error::other("TLS handshake failed")));
        assert_eq!(innermost_cause(&e), "TLS handshake failed");
    }

    #[test]
    fn a_connect_error_shows_its_cause_once_and_has_no_source() {
        let e = SoapError::Connect {
            device: "cam-1".into(),
            url: "http://127.0.0.1:9/onvif/device_service".into(),
            cause: "connection refused".into(),
        };
        assert_eq!(
            e.to_string(),
            "cam-1: cannot connect to http://127.0.0.1:9/onvif/device_service: connection refused"
        );
        assert!(std::error::Error::source(&e).is_none());
    }
}
