//! Typed ONVIF operations per service, on top of [`crate::soap`].
//!
//! Each service module has, per operation, a request builder (strict output: a payload element
//! that validates against the official schema) and a response parser (lenient input: optional
//! fields, unknown elements skipped, any prefix). Parsers take the payload [`Element`] that the
//! SOAP layer found in the Body and fill types from [`crate::inventory::model`] or small wire
//! types of their own.
//!
//! SOAP actions and element names come from the operation table in `wsdl/*.tsv`
//! (see [`ops`]), which a conformance test checks against the official WSDLs.

use crate::soap::xml::Element;

pub mod device;
pub mod imaging;
pub mod media;
pub mod media2;
pub mod ns;
pub mod ops;
pub mod ptz;
pub mod recording;
pub mod session;

/// A response that does not carry what the operation promises.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The payload element is not the expected response element.
    #[error("{operation}: expected <{expected}> in the SOAP Body, found <{found}>")]
    WrongElement {
        /// Operation name.
        operation: &'static str,
        /// Expected local name.
        expected: &'static str,
        /// What came.
        found: String,
    },
    /// A required field is missing.
    #[error("{operation}: missing required field {field}")]
    Missing {
        /// Operation name.
        operation: &'static str,
        /// Path of the field (`Profiles/@token`).
        field: &'static str,
    },
    /// A field has a value we cannot read.
    #[error("{operation}: field {field} has invalid value {value:?}")]
    Invalid {
        /// Operation name.
        operation: &'static str,
        /// Path of the field.
        field: &'static str,
        /// The value as sent (truncated to 80 characters).
        value: String,
    },
}

impl ParseError {
    /// An invalid-value error, truncating long values so a hostile device cannot flood a log.
    pub fn invalid(operation: &'static str, field: &'static str, value: &str) -> Self {
        Self::Invalid {
            operation,
            field,
            value: value.chars().take(80).collect(),
        }
    }
}

/// Checks that `payload` is the response element `expected` (by local name) of `operation`.
pub fn expect_element<'a>(
    payload: &'a Element,
    operation: &'static str,
    expected: &'static str,
) -> Result<&'a Element, ParseError> {
    if payload.is(expected) {
        Ok(payload)
    } else {
        Err(ParseError::WrongElement {
            operation,
            expected,
            found: payload.name.clone(),
        })
    }
}

/// Parses an `xs:boolean` leniently (`true`/`false`/`1`/`0`, any case, surrounding space).
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// Parses a number leniently (`4.000000`, ` 25 `); `None` when it is not one.
pub fn parse_f64(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Parses an unsigned integer leniently (`06`, ` 25 `, `25.0`).
pub fn parse_u32(s: &str) -> Option<u32> {
    let t = s.trim();
    t.parse::<u32>().ok().or_else(|| {
        parse_f64(t)
            .filter(|v| *v >= 0.0 && v.fract() == 0.0 && *v <= f64::from(u32::MAX))
            .map(|v| v as u32)
    })
}
