//! Typed ONVIF operations per service, on top of [`crate::soap`].
//!
//! Every operation is a value implementing [`operation::Operation`]: it writes its request
//! strictly (a payload element that validates against the official schema) and reads its
//! response leniently (optional fields, unknown elements skipped, any prefix) through a
//! path-carrying [`operation::Cursor`], into types from [`crate::model`] or small wire types
//! of its own. [`session::Session::send`] sends one.
//!
//! SOAP actions and element names come from the operation table in `wsdl/*.tsv`
//! (see [`ops`]), which a conformance test checks against the official WSDLs.

use crate::soap::xml::Element;

pub mod device;
pub mod imaging;
pub mod media;
pub mod media2;
pub mod ns;
pub mod operation;
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
        field: String,
    },
    /// A field has a value we cannot read.
    #[error("{operation}: field {field} has invalid value {value:?}")]
    Invalid {
        /// Operation name.
        operation: &'static str,
        /// Path of the field.
        field: String,
        /// The value as sent (truncated to 80 characters).
        value: String,
    },
}

impl ParseError {
    /// An invalid-value error, truncating long values so a hostile device cannot flood a log.
    pub fn invalid(operation: &'static str, field: impl Into<String>, value: &str) -> Self {
        Self::Invalid {
            operation,
            field: field.into(),
            value: value.chars().take(80).collect(),
        }
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

/// A request that cannot be written so that it validates against the official schema.
///
/// Builders refuse rather than send something a device would have to guess at: a camera that
/// half-understands a SetVideoEncoderConfiguration may apply part of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The schema requires a value the caller did not give.
    #[error("{operation}: cannot build the request without {field}")]
    Missing {
        /// Operation name.
        operation: &'static str,
        /// Path of the field.
        field: &'static str,
    },
    /// The value cannot be expressed in this request.
    #[error("{operation}: {field} cannot be {value:?} ({reason})")]
    Unsupported {
        /// Operation name.
        operation: &'static str,
        /// Path of the field.
        field: &'static str,
        /// The value given (truncated to 80 characters).
        value: String,
        /// What the schema allows.
        reason: &'static str,
    },
}

impl RequestError {
    /// An unsupported-value error, truncating long values.
    pub fn unsupported(
        operation: &'static str,
        field: &'static str,
        value: &str,
        reason: &'static str,
    ) -> Self {
        Self::Unsupported {
            operation,
            field,
            value: value.chars().take(80).collect(),
            reason,
        }
    }
}

/// Parses an `xs:duration` into whole seconds: `PT72H`, `P30D`, `PT0S`, `P1DT12H`,
/// `PT1H30M15S`, `PT2.5S` (fractions are dropped). A year counts 365 days and a month 30,
/// which is how a retention time is meant; callers that need the exact text keep it too.
/// `None` for negative, malformed or overflowing values.
pub fn parse_duration_s(iso: &str) -> Option<u64> {
    let s = iso.trim().strip_prefix('P')?;
    let (date, time) = match s.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (s, None),
    };
    if date.is_empty() && time.is_none() {
        return None;
    }
    let mut total: u64 = 0;
    let mut add = |part: &str, units: &[(char, u64)]| -> Option<()> {
        let mut rest = part;
        let mut last_unit = 0;
        while !rest.is_empty() {
            let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
            let (number, tail) = rest.split_at(end);
            let unit = tail.chars().next()?;
            let position = units.iter().position(|(u, _)| *u == unit)?;
            // Units must come in order and once each (`PT1M1H` is not a duration).
            if position < last_unit || number.is_empty() {
                return None;
            }
            last_unit = position + 1;
            let factor = units[position].1;
            let whole = match number.split_once('.') {
                // Only seconds may carry a fraction.
                Some((w, f)) if unit == 'S' && f.chars().all(|c| c.is_ascii_digit()) => w,
                Some(_) => return None,
                None => number,
            };
            let value: u64 = if whole.is_empty() {
                0
            } else {
                whole.parse().ok()?
            };
            total = total.checked_add(value.checked_mul(factor)?)?;
            rest = &tail[unit.len_utf8()..];
        }
        Some(())
    };
    add(
        date,
        &[('Y', 365 * 86_400), ('M', 30 * 86_400), ('D', 86_400)],
    )?;
    if let Some(t) = time {
        add(t, &[('H', 3_600), ('M', 60), ('S', 1)])?;
    }
    Some(total)
}

/// Writes seconds as an `xs:duration` (`PT0S`, `PT259200S`): plain seconds, which every
/// device reads, rather than days that some firmware rejects.
pub fn format_duration_s(seconds: u64) -> String {
    format!("PT{seconds}S")
}

/// The response element of `op` (`media.GetProfiles`) in `service`: the operation's response
/// name, in the service's namespace. A payload without a namespace (an undeclared prefix) is
/// let through by name; one in another service's namespace is not, since Media and Media2
/// answer with elements of the same name and different content.
pub(crate) fn response_element<'a>(
    payload: &'a Element,
    operation: &'static ops::Operation,
) -> Result<&'a Element, ParseError> {
    let wrong = |found| ParseError::WrongElement {
        operation: operation.id,
        expected: operation.response,
        found,
    };
    if !payload.is(operation.response) {
        return Err(wrong(payload.name.to_string()));
    }
    match &payload.ns {
        Some(ns) if ns != operation.namespace => Err(wrong(format!("{{{ns}}}{}", payload.name))),
        _ => Ok(payload),
    }
}

/// An `xs:float`/`xs:double` literal: Rust prints `inf`, the schema wants `INF`.
pub(crate) fn xs_float(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v.is_infinite() {
        if v > 0.0 { "INF" } else { "-INF" }.to_owned()
    } else {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_the_forms_devices_send() {
        assert_eq!(parse_duration_s("PT72H"), Some(72 * 3600));
        assert_eq!(parse_duration_s("P30D"), Some(30 * 86_400));
        assert_eq!(parse_duration_s("PT0S"), Some(0));
        assert_eq!(parse_duration_s("P1DT12H"), Some(86_400 + 12 * 3600));
        assert_eq!(parse_duration_s("PT1H30M15S"), Some(3600 + 30 * 60 + 15));
        assert_eq!(parse_duration_s(" PT60S "), Some(60));
        assert_eq!(parse_duration_s("PT0H0M1S"), Some(1));
        assert_eq!(parse_duration_s("PT2.75S"), Some(2));
        assert_eq!(parse_duration_s("P1Y2M"), Some(365 * 86_400 + 60 * 86_400));
        assert_eq!(parse_duration_s("P1M"), Some(30 * 86_400));
        assert_eq!(parse_duration_s("PT1M"), Some(60));
    }

    #[test]
    fn malformed_durations_are_none() {
        for bad in [
            "",
            "P",
            "PT",
            "72H",
            "-PT5S",
            "PT5",
            "PTS",
            "P1H",
            "PT1D",
            "PT1M1H",
            "PT1.5H",
            "PT1S1S",
            "P1DT",
            "PT99999999999999999999S",
            "PT1,5S",
            "PT١S",
        ] {
            assert_eq!(parse_duration_s(bad), None, "{bad:?}");
        }
        assert_eq!(
            parse_duration_s(&format!("PT{}S", u64::MAX)),
            Some(u64::MAX)
        );
        assert_eq!(parse_duration_s(&format!("P{}D", u64::MAX)), None);
    }

    #[test]
    fn durations_round_trip_through_the_writer() {
        for s in [0, 1, 3600, 259_200, 31_536_000] {
            assert_eq!(parse_duration_s(&format_duration_s(s)), Some(s));
        }
    }

    #[test]
    fn floats_are_written_as_xs_float() {
        assert_eq!(xs_float(0.5), "0.5");
        assert_eq!(xs_float(-1.0), "-1");
        assert_eq!(xs_float(1e-7), "0.0000001");
        assert_eq!(xs_float(f64::INFINITY), "INF");
        assert_eq!(xs_float(f64::NEG_INFINITY), "-INF");
    }
}
