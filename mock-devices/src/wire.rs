//! Reading request fields and writing the shared `tt:` value types, for the media, PTZ,
//! recording and imaging services. Requests are read leniently where a real device is (any
//! prefix, whitespace around values), and a missing or unreadable required value is the fault
//! a device gives for it.

use crate::soap::Fault;
use crate::xml::{Node, Writer};

/// The required child `{ns}name`, or `ter:InvalidArgs` naming it.
pub fn required<'a>(req: &'a Node, ns: &str, name: &str) -> Result<&'a Node, Fault> {
    req.child(ns, name).ok_or_else(|| {
        Fault::invalid_args(format!(
            "{}: missing required element {{{ns}}}{name}",
            req.name
        ))
    })
}

/// Trimmed text of the required child `{ns}name`.
pub fn required_text<'a>(req: &'a Node, ns: &str, name: &str) -> Result<&'a str, Fault> {
    required(req, ns, name).map(|n| n.text.trim())
}

/// An `xs:boolean`.
pub fn parse_bool(node: &Node) -> Result<bool, Fault> {
    match node.text.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        other => Err(Fault::invalid_args(format!(
            "{}: `{other}` is not an xs:boolean",
            node.name
        ))),
    }
}

/// An `xs:int` (or any integer the caller's type holds).
pub fn parse_int<T: std::str::FromStr>(node: &Node) -> Result<T, Fault> {
    let text = node.text.trim();
    text.parse()
        .map_err(|_| Fault::invalid_args(format!("{}: `{text}` is not an integer", node.name)))
}

/// An `xs:float` as text (element content or attribute); NaN and infinities are refused
/// because no device setting takes them.
pub fn parse_float_text(text: &str, what: &str) -> Result<f64, Fault> {
    let text = text.trim();
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| Fault::invalid_args(format!("{what}: `{text}` is not a number")))
}

/// An `xs:float` element.
pub fn parse_float(node: &Node) -> Result<f64, Fault> {
    parse_float_text(&node.text, &node.name)
}

/// A number as devices write an `xs:float`: integers without a fraction, others in the
/// shortest form that reads back to the same value.
pub fn fmt_float(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Seconds of an `xs:duration` (`PnYnMnDTnHnMnS`; a year is 365 days, a month 30), or
/// `None` when the text is not one. Negative durations are refused: no setting takes them.
pub fn parse_duration(text: &str) -> Option<f64> {
    let rest = text.trim().strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (rest, None),
    };
    if date.is_empty() && time.is_none() {
        return None;
    }
    let mut total = 0.0;
    let mut read = |part: &str, units: &[(char, f64)]| -> Option<()> {
        let mut number = String::new();
        let mut unit_index = 0;
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
                continue;
            }
            let pos = units[unit_index..].iter().position(|(u, _)| *u == c)?;
            unit_index += pos;
            let value: f64 = number.parse().ok()?;
            total += value * units[unit_index].1;
            unit_index += 1;
            number.clear();
        }
        number.is_empty().then_some(())
    };
    read(
        date,
        &[
            ('Y', 365.0 * 86400.0),
            ('M', 30.0 * 86400.0),
            ('D', 86400.0),
        ],
    )?;
    if let Some(t) = time {
        read(t, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)])?;
    }
    Some(total)
}

/// `<name><tt:Min/><tt:Max/></name>` for an `IntRange`.
pub fn int_range(w: &mut Writer, name: &str, min: i64, max: i64) {
    w.open(name, &[])
        .leaf("tt:Min", min)
        .leaf("tt:Max", max)
        .close(name);
}

/// `<name><tt:Min/><tt:Max/></name>` for a `FloatRange`.
pub fn float_range(w: &mut Writer, name: &str, min: f64, max: f64) {
    w.open(name, &[])
        .leaf("tt:Min", fmt_float(min))
        .leaf("tt:Max", fmt_float(max))
        .close(name);
}

/// Fill `{key}` placeholders of a template.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (key, value) in values {
        out = out.replace(&format!("{{{key}}}"), value);
    }
    out
}

/// A `tt:ReferenceToken` (1..64 characters) from the required child `{ns}name`.
pub fn token<'a>(req: &'a Node, ns: &str, name: &str) -> Result<&'a str, Fault> {
    let t = required_text(req, ns, name)?;
    if t.is_empty() || t.chars().count() > 64 {
        return Err(Fault::invalid_args(format!(
            "{}: `{t}` is not a reference token (1 to 64 characters)",
            name
        )));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_days_hours_and_fractions() {
        assert_eq!(parse_duration("P30D"), Some(30.0 * 86400.0));
        assert_eq!(parse_duration("PT60S"), Some(60.0));
        assert_eq!(parse_duration("PT1H30M"), Some(5400.0));
        assert_eq!(parse_duration("P1DT0.5S"), Some(86400.5));
        assert_eq!(parse_duration("PT0S"), Some(0.0));
        for bad in ["", "P", "PT", "30D", "P30", "PT5X", "P1H", "-P1D", "PT1S1H"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn floats_are_written_without_needless_fractions() {
        assert_eq!(fmt_float(25.0), "25");
        assert_eq!(fmt_float(-0.5), "-0.5");
        assert_eq!(fmt_float(12.5), "12.5");
    }

    #[test]
    fn templates_fill_every_occurrence() {
        assert_eq!(
            fill("rtsp://{ip}/{p}?x={p}", &[("ip", "10.0.0.2"), ("p", "a")]),
            "rtsp://10.0.0.2/a?x=a"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_duration_text_is_read_without_panicking(s in "[PTYMDHS0-9.]{0,12}") {
            let _ = parse_duration(&s);
        }
    }
}
