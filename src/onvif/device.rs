//! Device service (`tds`): identity, clock, service addresses, network identity, scopes, users.
//!
//! Builders named `<operation>_request` return the payload element for the SOAP Body, built with
//! [`ops::request_xml`] so the element name and namespace come from `wsdl/device.tsv`; every
//! value is escaped. Builders that take free-form values the schema constrains (addresses,
//! lists that must not be empty) return [`RequestError`] instead of sending a request the
//! device would reject.
//!
//! Parsers named `parse_<operation>` take the payload element the SOAP layer found in the Body.
//! They match by local name (any prefix, even an undeclared one), skip unknown elements, and
//! fail with [`ParseError`] only when a field the result cannot do without is missing, or when
//! a value is present but unreadable (garbage is reported, never guessed at).

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::{ParseError, expect_element, ns, ops, parse_bool, parse_u32};
use crate::model::{
    Dns, Hostname, Identity, Ipv4Config, NetworkInterface, Ntp, Scope, ServiceInfo, User,
};
use crate::soap::xml::{Element, escape};

/// The service's name in the operation table.
pub const SERVICE: &str = "device";

/// Prefix bound to the device namespace in the requests we write.
const PREFIX: &str = "tds";

/// Service namespaces that `ns` does not name, used to map GetCapabilities categories.
const NS_EVENTS: &str = "http://www.onvif.org/ver10/events/wsdl";
const NS_ANALYTICS: &str = "http://www.onvif.org/ver20/analytics/wsdl";
const NS_DEVICE_IO: &str = "http://www.onvif.org/ver10/deviceIO/wsdl";
const NS_DISPLAY: &str = "http://www.onvif.org/ver10/display/wsdl";
const NS_SEARCH: &str = "http://www.onvif.org/ver10/search/wsdl";
const NS_REPLAY: &str = "http://www.onvif.org/ver10/replay/wsdl";
const NS_RECEIVER: &str = "http://www.onvif.org/ver10/receiver/wsdl";
const NS_ANALYTICS_DEVICE: &str = "http://www.onvif.org/ver10/analyticsdevice/wsdl";

/// The device-service operation `name` from the table (panics if the table lacks it: a
/// programming error the unit tests catch by building every request).
pub fn operation(name: &str) -> &'static ops::Operation {
    ops::get(SERVICE, name)
}

fn request(name: &str, inner: &str) -> String {
    ops::request_xml(operation(name), PREFIX, inner)
}

/// A request we refuse to build because the device would reject it (or, worse, accept it and
/// become unreachable). Messages name the operation and the field; never a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// A value the schema (or common sense) requires was not given.
    #[error("{operation}: {field} is required")]
    Missing {
        /// Operation name.
        operation: &'static str,
        /// The missing field.
        field: &'static str,
    },
    /// A value does not have the form the schema requires.
    #[error("{operation}: {field} {value:?} is not {expected}")]
    Invalid {
        /// Operation name.
        operation: &'static str,
        /// The field.
        field: &'static str,
        /// The value given (truncated to 80 characters).
        value: String,
        /// What it should be.
        expected: &'static str,
    },
}

impl RequestError {
    fn invalid(
        operation: &'static str,
        field: &'static str,
        value: &str,
        expected: &'static str,
    ) -> Self {
        Self::Invalid {
            operation,
            field,
            value: value.chars().take(80).collect(),
            expected,
        }
    }
}

/// Appends `<qname>value</qname>` with the value escaped.
fn push_text(out: &mut String, qname: &str, value: &str) {
    let _ = write!(out, "<{qname}>{}</{qname}>", escape(value));
}

fn push_bool(out: &mut String, qname: &str, value: bool) {
    push_text(out, qname, if value { "true" } else { "false" });
}

// ---------------------------------------------------------------------------------------------
// Clock
// ---------------------------------------------------------------------------------------------

/// How the device sets its clock (`tt:SetDateTimeType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateTimeType {
    /// Set by hand (SetSystemDateAndTime with a UTCDateTime).
    Manual,
    /// From NTP.
    Ntp,
}

impl DateTimeType {
    /// The wire value (`Manual`, `NTP`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "Manual",
            Self::Ntp => "NTP",
        }
    }

    /// Reads a wire value, any case.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("manual") {
            Some(Self::Manual)
        } else if s.eq_ignore_ascii_case("ntp") {
            Some(Self::Ntp)
        } else {
            None
        }
    }
}

/// GetSystemDateAndTime: the device's clock and time settings.
///
/// The settings fields are optional here although the schema requires them: this response is
/// read before authenticating (to learn the clock offset the WS-Security `Created` needs), and a
/// device that leaves out `DaylightSavings` must not cost us the clock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemDateTime {
    /// `UTCDateTime`: the clock, when the device reports it (it shall).
    pub utc: Option<DateTime<Utc>>,
    /// `LocalDateTime`, in the device's own zone.
    pub local: Option<NaiveDateTime>,
    /// `TimeZone/TZ` exactly as sent. Free-form POSIX-ish text (`CST7:00:00DST01:00:00,...`,
    /// `GMT+08:00`, `UTC5:0`), so it is kept, never interpreted.
    pub tz: Option<String>,
    /// Manual or NTP.
    pub date_time_type: Option<DateTimeType>,
    /// Daylight saving in effect.
    pub daylight_savings: Option<bool>,
}

/// Where [`SystemDateTime::device_time`] took the device's clock from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockSource {
    /// `UTCDateTime`.
    Utc,
    /// `LocalDateTime` read as if it were UTC, because `UTCDateTime` was missing: wrong by the
    /// device's zone offset, which we cannot compute from a free-form TZ string.
    LocalAsUtc,
}

impl SystemDateTime {
    /// The device's clock as UTC: `UTCDateTime`, or `LocalDateTime` only when UTC is missing.
    pub fn device_time(&self) -> Option<(DateTime<Utc>, ClockSource)> {
        match (self.utc, self.local) {
            (Some(utc), _) => Some((utc, ClockSource::Utc)),
            (None, Some(local)) => Some((local.and_utc(), ClockSource::LocalAsUtc)),
            (None, None) => None,
        }
    }
}

/// Device clock minus our clock (positive when the device runs ahead). Uses `UTCDateTime`; falls
/// back to `LocalDateTime` only when UTC is missing, and logs a warning when it does, since the
/// result is then off by the device's zone offset. `None` when the device sent neither.
pub fn clock_offset(device: &SystemDateTime, our_now: DateTime<Utc>) -> Option<chrono::Duration> {
    let (device_now, source) = device.device_time()?;
    if source == ClockSource::LocalAsUtc {
        tracing::warn!(
            tz = device.tz.as_deref().unwrap_or(""),
            "GetSystemDateAndTime has no UTCDateTime; using LocalDateTime as if it were UTC, \
             so the clock offset is off by the device's zone offset"
        );
    }
    Some(device_now - our_now)
}

/// GetSystemDateAndTime request (PRE_AUTH: may be sent without credentials).
pub fn get_system_date_and_time_request() -> String {
    request("GetSystemDateAndTime", "")
}

/// SetSystemDateAndTime request. `utc` is required for [`DateTimeType::Manual`] (the device has
/// nothing else to set its clock from) and left out for NTP, where the schema says it has no
/// meaning. An empty `tz` leaves the zone unchanged.
pub fn set_system_date_and_time_request(
    date_time_type: DateTimeType,
    daylight_savings: bool,
    tz: Option<&str>,
    utc: Option<DateTime<Utc>>,
) -> Result<String, RequestError> {
    const OP: &str = "SetSystemDateAndTime";
    let mut inner = String::new();
    push_text(&mut inner, "tds:DateTimeType", date_time_type.as_str());
    push_bool(&mut inner, "tds:DaylightSavings", daylight_savings);
    if let Some(tz) = tz.map(str::trim).filter(|t| !t.is_empty()) {
        inner.push_str("<tds:TimeZone>");
        push_text(&mut inner, "tt:TZ", tz);
        inner.push_str("</tds:TimeZone>");
    }
    match (date_time_type, utc) {
        (DateTimeType::Manual, None) => {
            return Err(RequestError::Missing {
                operation: OP,
                field: "UTCDateTime",
            });
        }
        (DateTimeType::Manual, Some(t)) => {
            use chrono::{Datelike, Timelike};
            // tt:DateTime is a sequence: Time before Date.
            let _ = write!(
                inner,
                "<tds:UTCDateTime><tt:Time><tt:Hour>{}</tt:Hour><tt:Minute>{}</tt:Minute>\
                 <tt:Second>{}</tt:Second></tt:Time><tt:Date><tt:Year>{}</tt:Year>\
                 <tt:Month>{}</tt:Month><tt:Day>{}</tt:Day></tt:Date></tds:UTCDateTime>",
                t.hour(),
                t.minute(),
                t.second(),
                t.year(),
                t.month(),
                t.day()
            );
        }
        (DateTimeType::Ntp, _) => {}
    }
    Ok(request(OP, &inner))
}

/// Field paths of one `tt:DateTime`, so errors name `UTCDateTime/Time/Hour` and not just `Hour`.
struct DateTimeFields {
    time: &'static str,
    date: &'static str,
    hour: &'static str,
    minute: &'static str,
    second: &'static str,
    year: &'static str,
    month: &'static str,
    day: &'static str,
}

const UTC_FIELDS: DateTimeFields = DateTimeFields {
    time: "UTCDateTime/Time",
    date: "UTCDateTime/Date",
    hour: "UTCDateTime/Time/Hour",
    minute: "UTCDateTime/Time/Minute",
    second: "UTCDateTime/Time/Second",
    year: "UTCDateTime/Date/Year",
    month: "UTCDateTime/Date/Month",
    day: "UTCDateTime/Date/Day",
};

const LOCAL_FIELDS: DateTimeFields = DateTimeFields {
    time: "LocalDateTime/Time",
    date: "LocalDateTime/Date",
    hour: "LocalDateTime/Time/Hour",
    minute: "LocalDateTime/Time/Minute",
    second: "LocalDateTime/Time/Second",
    year: "LocalDateTime/Date/Year",
    month: "LocalDateTime/Date/Month",
    day: "LocalDateTime/Date/Day",
};

fn required<'a>(
    e: &'a Element,
    name: &str,
    operation: &'static str,
    field: &'static str,
) -> Result<&'a Element, ParseError> {
    e.child(name).ok_or(ParseError::Missing {
        operation,
        field: field.into(),
    })
}

fn required_text<'a>(
    e: &'a Element,
    name: &str,
    operation: &'static str,
    field: &'static str,
) -> Result<&'a str, ParseError> {
    e.child_text(name)
        .filter(|t| !t.is_empty())
        .ok_or(ParseError::Missing {
            operation,
            field: field.into(),
        })
}

fn required_u32(
    e: &Element,
    name: &str,
    operation: &'static str,
    field: &'static str,
) -> Result<u32, ParseError> {
    let t = required_text(e, name, operation, field)?;
    parse_u32(t).ok_or_else(|| ParseError::invalid(operation, field, t))
}

fn required_bool(
    e: &Element,
    name: &str,
    operation: &'static str,
    field: &'static str,
) -> Result<bool, ParseError> {
    let t = required_text(e, name, operation, field)?;
    parse_bool(t).ok_or_else(|| ParseError::invalid(operation, field, t))
}

fn optional_bool(
    e: &Element,
    name: &str,
    operation: &'static str,
    field: &'static str,
) -> Result<Option<bool>, ParseError> {
    match e.child_text(name).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => parse_bool(t)
            .map(Some)
            .ok_or_else(|| ParseError::invalid(operation, field, t)),
    }
}

/// Trimmed, non-empty text of a child: devices send empty elements for "not set".
fn optional_text(e: &Element, name: &str) -> Option<String> {
    e.child_text(name)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn parse_date_time(
    e: &Element,
    operation: &'static str,
    f: &DateTimeFields,
) -> Result<NaiveDateTime, ParseError> {
    let time = required(e, "Time", operation, f.time)?;
    let date = required(e, "Date", operation, f.date)?;
    let hour = required_u32(time, "Hour", operation, f.hour)?;
    let minute = required_u32(time, "Minute", operation, f.minute)?;
    let second = required_u32(time, "Second", operation, f.second)?;
    let year_text = required_text(date, "Year", operation, f.year)?;
    let year: i32 = year_text
        .parse()
        .map_err(|_| ParseError::invalid(operation, f.year, year_text))?;
    let month = required_u32(date, "Month", operation, f.month)?;
    let day = required_u32(date, "Day", operation, f.day)?;
    let d = NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| ParseError::invalid(operation, f.date, &format!("{year}-{month}-{day}")))?;
    let t = NaiveTime::from_hms_opt(hour, minute, second).ok_or_else(|| {
        ParseError::invalid(operation, f.time, &format!("{hour}:{minute}:{second}"))
    })?;
    Ok(d.and_time(t))
}

/// Parses a GetSystemDateAndTimeResponse.
pub fn parse_get_system_date_and_time(payload: &Element) -> Result<SystemDateTime, ParseError> {
    const OP: &str = "GetSystemDateAndTime";
    let r = expect_element(payload, OP, "GetSystemDateAndTimeResponse")?;
    let s = required(r, "SystemDateAndTime", OP, "SystemDateAndTime")?;
    let date_time_type = match s.child_text("DateTimeType").filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => Some(
            DateTimeType::parse(t)
                .ok_or_else(|| ParseError::invalid(OP, "SystemDateAndTime/DateTimeType", t))?,
        ),
    };
    let daylight_savings = optional_bool(
        s,
        "DaylightSavings",
        OP,
        "SystemDateAndTime/DaylightSavings",
    )?;
    let tz = s.child("TimeZone").and_then(|z| optional_text(z, "TZ"));
    let utc = s
        .child("UTCDateTime")
        .map(|e| parse_date_time(e, OP, &UTC_FIELDS).map(|t| t.and_utc()))
        .transpose()?;
    let local = s
        .child("LocalDateTime")
        .map(|e| parse_date_time(e, OP, &LOCAL_FIELDS))
        .transpose()?;
    Ok(SystemDateTime {
        utc,
        local,
        tz,
        date_time_type,
        daylight_savings,
    })
}

// ---------------------------------------------------------------------------------------------
// Identity and services
// ---------------------------------------------------------------------------------------------

/// GetDeviceInformation request.
pub fn get_device_information_request() -> String {
    request("GetDeviceInformation", "")
}

/// Parses a GetDeviceInformationResponse. Empty values become `None` (a generic IPD-H4K8M05
/// sends an empty Manufacturer). Manufacturer and Model must be present as elements: the audit
/// cannot judge a camera without them. The schema requires the other three too, but a device
/// that leaves one out still tells us who made it, so their absence is tolerated.
pub fn parse_get_device_information(payload: &Element) -> Result<Identity, ParseError> {
    const OP: &str = "GetDeviceInformation";
    let r = expect_element(payload, OP, "GetDeviceInformationResponse")?;
    required(r, "Manufacturer", OP, "Manufacturer")?;
    required(r, "Model", OP, "Model")?;
    Ok(Identity {
        manufacturer: optional_text(r, "Manufacturer"),
        model: optional_text(r, "Model"),
        firmware_version: optional_text(r, "FirmwareVersion"),
        serial_number: optional_text(r, "SerialNumber"),
        hardware_id: optional_text(r, "HardwareId"),
    })
}

/// GetServices request. With `include_capability` the device adds each service's capabilities
/// (some old Hikvision firmware faults on `true`; ask with `false` first).
pub fn get_services_request(include_capability: bool) -> String {
    let mut inner = String::new();
    push_bool(&mut inner, "tds:IncludeCapability", include_capability);
    request("GetServices", &inner)
}

/// Reads a `tt:OnvifVersion` (Major, Minor) as integers: Dahua zero-pads Minor (`06`), and as
/// decimals `2.6` would wrongly sort above `2.10`.
fn parse_version(
    v: &Element,
    operation: &'static str,
    major_field: &'static str,
    minor_field: &'static str,
) -> Result<Option<(u32, u32)>, ParseError> {
    let major = v.child_text("Major").filter(|t| !t.is_empty());
    let minor = v.child_text("Minor").filter(|t| !t.is_empty());
    match (major, minor) {
        (Some(ma), Some(mi)) => {
            let ma_n = ma
                .parse::<u32>()
                .map_err(|_| ParseError::invalid(operation, major_field, ma))?;
            let mi_n = mi
                .parse::<u32>()
                .map_err(|_| ParseError::invalid(operation, minor_field, mi))?;
            Ok(Some((ma_n, mi_n)))
        }
        _ => Ok(None),
    }
}

fn version_string((major, minor): (u32, u32)) -> String {
    format!("{major}.{minor}")
}

/// Parses a GetServicesResponse into service addresses as the device reported them (rewrite
/// hosts with [`crate::model::onto_origin`]). Any `Capabilities` block is skipped unread: it may use
/// prefixes the device never declared (the Reolink TrackMix's `tad:`).
pub fn parse_get_services(payload: &Element) -> Result<Vec<ServiceInfo>, ParseError> {
    const OP: &str = "GetServices";
    let r = expect_element(payload, OP, "GetServicesResponse")?;
    r.children_named("Service")
        .map(|s| {
            let namespace = required_text(s, "Namespace", OP, "Service/Namespace")?;
            let xaddr = required_text(s, "XAddr", OP, "Service/XAddr")?;
            let version = match s.child("Version") {
                Some(v) => parse_version(v, OP, "Service/Version/Major", "Service/Version/Minor")?
                    .map(version_string),
                None => None,
            };
            Ok(ServiceInfo {
                namespace: namespace.to_owned(),
                xaddr: xaddr.to_owned(),
                version,
            })
        })
        .collect()
}

/// GetCapabilities request for every category (`All`).
pub fn get_capabilities_request() -> String {
    request("GetCapabilities", "<tds:Category>All</tds:Category>")
}

/// Capability categories with an XAddr, and the service namespace each stands for.
const CAPABILITY_SERVICES: &[(&[&str], &str)] = &[
    (&["Device"], ns::TDS),
    (&["Media"], ns::TRT),
    (&["PTZ"], ns::TPTZ),
    (&["Imaging"], ns::TIMG),
    (&["Events"], NS_EVENTS),
    (&["Analytics"], NS_ANALYTICS),
    (&["Extension", "DeviceIO"], NS_DEVICE_IO),
    (&["Extension", "Display"], NS_DISPLAY),
    (&["Extension", "Recording"], ns::TRC),
    (&["Extension", "Search"], NS_SEARCH),
    (&["Extension", "Replay"], NS_REPLAY),
    (&["Extension", "Receiver"], NS_RECEIVER),
    (&["Extension", "AnalyticsDevice"], NS_ANALYTICS_DEVICE),
];

/// Parses a GetCapabilitiesResponse into the same service list GetServices gives, for devices
/// whose GetServices faults (Axis 5.55, old Hikvision). Categories without an XAddr are
/// skipped; vendor extensions (`hikCapabilities`, `TelexCapabilities`) are not ONVIF services
/// and are left out. The device service's version is the highest of its `SupportedVersions`;
/// the others carry none (GetCapabilities does not say).
pub fn parse_get_capabilities(payload: &Element) -> Result<Vec<ServiceInfo>, ParseError> {
    const OP: &str = "GetCapabilities";
    let r = expect_element(payload, OP, "GetCapabilitiesResponse")?;
    let caps = required(r, "Capabilities", OP, "Capabilities")?;
    let mut out = Vec::new();
    for (path, namespace) in CAPABILITY_SERVICES {
        let Some(category) = caps.path(path) else {
            continue;
        };
        let Some(xaddr) = category.child_text("XAddr").filter(|t| !t.is_empty()) else {
            continue;
        };
        let version = if *namespace == ns::TDS {
            let mut best: Option<(u32, u32)> = None;
            if let Some(system) = category.child("System") {
                for v in system.children_named("SupportedVersions") {
                    let parsed = parse_version(
                        v,
                        OP,
                        "Device/System/SupportedVersions/Major",
                        "Device/System/SupportedVersions/Minor",
                    )?;
                    best = best.max(parsed);
                }
            }
            best.map(version_string)
        } else {
            None
        };
        out.push(ServiceInfo {
            namespace: (*namespace).to_owned(),
            xaddr: xaddr.to_owned(),
            version,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Network
// ---------------------------------------------------------------------------------------------

/// Normalises a MAC to lower-case `aa:bb:cc:dd:ee:ff` from the forms cameras send
/// (`B8:A4:4F:A0:4F:26`, Bosch `00-07-5f-e0-a6-04`, Pelco `00047D0EB85C`, `0007.5fe0.a604`).
pub fn normalize_mac(s: &str) -> Option<String> {
    let hex: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | '.'))
        .collect();
    if hex.len() != 12 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let hex = hex.to_ascii_lowercase();
    let pairs: Vec<&str> = (0..6).map(|i| &hex[i * 2..i * 2 + 2]).collect();
    Some(pairs.join(":"))
}

/// GetNetworkInterfaces request.
pub fn get_network_interfaces_request() -> String {
    request("GetNetworkInterfaces", "")
}

/// One `tt:PrefixedIPv4Address`: the address and its prefix length, both checked.
fn parse_prefixed_ipv4(
    e: &Element,
    operation: &'static str,
    address_field: &'static str,
    prefix_field: &'static str,
) -> Result<Option<(String, Option<u8>)>, ParseError> {
    let Some(address) = e.child_text("Address").filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let ip: Ipv4Addr = address
        .parse()
        .map_err(|_| ParseError::invalid(operation, address_field, address))?;
    let prefix = match e.child_text("PrefixLength").filter(|t| !t.is_empty()) {
        None => None,
        Some(p) => Some(
            parse_u32(p)
                .filter(|n| *n <= 32)
                .map(|n| n as u8)
                .ok_or_else(|| ParseError::invalid(operation, prefix_field, p))?,
        ),
    };
    Ok(Some((ip.to_string(), prefix)))
}

/// Parses a GetNetworkInterfacesResponse. MACs are normalised (see [`normalize_mac`]). The IPv4
/// address is the one the interface has: with DHCP on, the `FromDHCP` address (an Axis P3818
/// keeps a stale Manual address beside it), else the first `Manual` one; each falls back to the
/// other when missing. `LinkLocal` is never used (a Pelco D6230L reports 127.0.0.1 there).
pub fn parse_get_network_interfaces(
    payload: &Element,
) -> Result<Vec<NetworkInterface>, ParseError> {
    const OP: &str = "GetNetworkInterfaces";
    let r = expect_element(payload, OP, "GetNetworkInterfacesResponse")?;
    r.children_named("NetworkInterfaces")
        .map(|n| {
            let token = n
                .attr("token")
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or(ParseError::Missing {
                    operation: OP,
                    field: "NetworkInterfaces/@token".into(),
                })?;
            let enabled = required_bool(n, "Enabled", OP, "NetworkInterfaces/Enabled")?;
            let info = n.child("Info");
            let name = info.and_then(|i| optional_text(i, "Name"));
            let mac = match info
                .and_then(|i| i.child_text("HwAddress"))
                .filter(|t| !t.is_empty())
            {
                None => None,
                Some(hw) => Some(normalize_mac(hw).ok_or_else(|| {
                    ParseError::invalid(OP, "NetworkInterfaces/Info/HwAddress", hw)
                })?),
            };
            let ipv4 = n.child("IPv4").map(|v4| parse_ipv4(v4, OP)).transpose()?;
            Ok(NetworkInterface {
                token: token.to_owned(),
                name,
                enabled,
                mac,
                ipv4,
            })
        })
        .collect()
}

fn parse_ipv4(v4: &Element, operation: &'static str) -> Result<Ipv4Config, ParseError> {
    let enabled = required_bool(v4, "Enabled", operation, "NetworkInterfaces/IPv4/Enabled")?;
    let config = required(v4, "Config", operation, "NetworkInterfaces/IPv4/Config")?;
    let dhcp = required_bool(
        config,
        "DHCP",
        operation,
        "NetworkInterfaces/IPv4/Config/DHCP",
    )?;
    let mut manual = None;
    for m in config.children_named("Manual") {
        if let Some(a) = parse_prefixed_ipv4(
            m,
            operation,
            "NetworkInterfaces/IPv4/Config/Manual/Address",
            "NetworkInterfaces/IPv4/Config/Manual/PrefixLength",
        )? {
            manual.get_or_insert(a);
        }
    }
    let from_dhcp = match config.child("FromDHCP") {
        Some(f) => parse_prefixed_ipv4(
            f,
            operation,
            "NetworkInterfaces/IPv4/Config/FromDHCP/Address",
            "NetworkInterfaces/IPv4/Config/FromDHCP/PrefixLength",
        )?,
        None => None,
    };
    let current = if dhcp {
        from_dhcp.or(manual)
    } else {
        manual.or(from_dhcp)
    };
    let (address, prefix_length) = match current {
        Some((a, p)) => (Some(a), p),
        None => (None, None),
    };
    Ok(Ipv4Config {
        enabled,
        dhcp,
        address,
        prefix_length,
    })
}

/// SetNetworkInterfaces request for interface `token`: IPv4 enabled flag and DHCP, plus the
/// manual address when DHCP is off. A static configuration without an address and prefix is
/// refused, since the device would be left unreachable.
pub fn set_network_interfaces_request(
    token: &str,
    ipv4: &Ipv4Config,
) -> Result<String, RequestError> {
    const OP: &str = "SetNetworkInterfaces";
    if token.trim().is_empty() {
        return Err(RequestError::Missing {
            operation: OP,
            field: "InterfaceToken",
        });
    }
    let mut inner = String::new();
    push_text(&mut inner, "tds:InterfaceToken", token.trim());
    inner.push_str("<tds:NetworkInterface><tt:IPv4>");
    push_bool(&mut inner, "tt:Enabled", ipv4.enabled);
    if !ipv4.dhcp {
        let address = ipv4
            .address
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .ok_or(RequestError::Missing {
                operation: OP,
                field: "IPv4/Manual/Address",
            })?;
        if address.parse::<Ipv4Addr>().is_err() {
            return Err(RequestError::invalid(
                OP,
                "IPv4/Manual/Address",
                address,
                "an IPv4 address",
            ));
        }
        let prefix = ipv4.prefix_length.ok_or(RequestError::Missing {
            operation: OP,
            field: "IPv4/Manual/PrefixLength",
        })?;
        if prefix > 32 {
            return Err(RequestError::invalid(
                OP,
                "IPv4/Manual/PrefixLength",
                &prefix.to_string(),
                "a prefix length from 0 to 32",
            ));
        }
        inner.push_str("<tt:Manual>");
        push_text(&mut inner, "tt:Address", address);
        push_text(&mut inner, "tt:PrefixLength", &prefix.to_string());
        inner.push_str("</tt:Manual>");
    }
    push_bool(&mut inner, "tt:DHCP", ipv4.dhcp);
    inner.push_str("</tt:IPv4></tds:NetworkInterface>");
    Ok(request(OP, &inner))
}

/// Parses a SetNetworkInterfacesResponse: whether the device needs a reboot to apply it.
pub fn parse_set_network_interfaces(payload: &Element) -> Result<bool, ParseError> {
    const OP: &str = "SetNetworkInterfaces";
    let r = expect_element(payload, OP, "SetNetworkInterfacesResponse")?;
    required_bool(r, "RebootNeeded", OP, "RebootNeeded")
}

/// GetNetworkDefaultGateway request.
pub fn get_network_default_gateway_request() -> String {
    request("GetNetworkDefaultGateway", "")
}

/// Parses a GetNetworkDefaultGatewayResponse into its IPv4 gateways (the model keeps IPv4 only).
pub fn parse_get_network_default_gateway(payload: &Element) -> Result<Vec<String>, ParseError> {
    const OP: &str = "GetNetworkDefaultGateway";
    let r = expect_element(payload, OP, "GetNetworkDefaultGatewayResponse")?;
    let Some(g) = r.child("NetworkGateway") else {
        return Ok(Vec::new());
    };
    g.children_named("IPv4Address")
        .map(Element::text_trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<Ipv4Addr>()
                .map(|ip| ip.to_string())
                .map_err(|_| ParseError::invalid(OP, "NetworkGateway/IPv4Address", t))
        })
        .collect()
}

/// An address classified for the schema's IPv4/IPv6 choice.
fn classify_ip(
    s: &str,
    operation: &'static str,
    field: &'static str,
) -> Result<IpAddr, RequestError> {
    s.trim()
        .parse::<IpAddr>()
        .map_err(|_| RequestError::invalid(operation, field, s, "an IP address"))
}

/// SetNetworkDefaultGateway request. An empty list clears the gateway.
pub fn set_network_default_gateway_request(
    gateways: &[impl AsRef<str>],
) -> Result<String, RequestError> {
    const OP: &str = "SetNetworkDefaultGateway";
    let ips = gateways
        .iter()
        .map(|g| classify_ip(g.as_ref(), OP, "IPv4Address"))
        .collect::<Result<Vec<_>, _>>()?;
    let mut inner = String::new();
    // The schema wants all IPv4 addresses before the IPv6 ones.
    for ip in ips.iter().filter(|ip| ip.is_ipv4()) {
        push_text(&mut inner, "tds:IPv4Address", &ip.to_string());
    }
    for ip in ips.iter().filter(|ip| ip.is_ipv6()) {
        push_text(&mut inner, "tds:IPv6Address", &ip.to_string());
    }
    Ok(request(OP, &inner))
}

/// GetHostname request.
pub fn get_hostname_request() -> String {
    request("GetHostname", "")
}

/// Parses a GetHostnameResponse. An empty Name (Milesight) is no name.
pub fn parse_get_hostname(payload: &Element) -> Result<Hostname, ParseError> {
    const OP: &str = "GetHostname";
    let r = expect_element(payload, OP, "GetHostnameResponse")?;
    let h = required(r, "HostnameInformation", OP, "HostnameInformation")?;
    Ok(Hostname {
        name: optional_text(h, "Name"),
        from_dhcp: required_bool(h, "FromDHCP", OP, "HostnameInformation/FromDHCP")?,
    })
}

/// SetHostname request.
pub fn set_hostname_request(name: &str) -> Result<String, RequestError> {
    const OP: &str = "SetHostname";
    let name = name.trim();
    if name.is_empty() {
        return Err(RequestError::Missing {
            operation: OP,
            field: "Name",
        });
    }
    let mut inner = String::new();
    push_text(&mut inner, "tds:Name", name);
    Ok(request(OP, &inner))
}

/// GetDNS request.
pub fn get_dns_request() -> String {
    request("GetDNS", "")
}

/// Parses a GetDNSResponse. Servers are the manual ones only: the `DNSFromDHCP` list is what
/// the site's DHCP hands out, and copying it to a new camera as manual would pin it.
pub fn parse_get_dns(payload: &Element) -> Result<Dns, ParseError> {
    const OP: &str = "GetDNS";
    let r = expect_element(payload, OP, "GetDNSResponse")?;
    let d = required(r, "DNSInformation", OP, "DNSInformation")?;
    let from_dhcp = required_bool(d, "FromDHCP", OP, "DNSInformation/FromDHCP")?;
    let search_domains = d
        .children_named("SearchDomain")
        .map(Element::text_trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let mut servers = Vec::new();
    for m in d.children_named("DNSManual") {
        if let Some(s) = parse_host(m, OP, "DNSInformation/DNSManual")? {
            servers.push(s);
        }
    }
    Ok(Dns {
        from_dhcp,
        search_domains,
        servers,
    })
}

/// One `tt:IPAddress` or `tt:NetworkHost`: whichever of IPv4Address, IPv6Address, DNSname it
/// carries (by `Type` when given, else the first present). Addresses are checked; an entry with
/// no value carries nothing to migrate and gives `None`.
fn parse_host(
    e: &Element,
    operation: &'static str,
    field: &'static str,
) -> Result<Option<String>, ParseError> {
    #[derive(PartialEq)]
    enum Form {
        V4,
        V6,
        Name,
    }
    let values = [
        (Form::V4, "IPv4", e.child_text("IPv4Address")),
        (Form::V6, "IPv6", e.child_text("IPv6Address")),
        (Form::Name, "DNS", e.child_text("DNSname")),
    ];
    let declared = e.child_text("Type").unwrap_or("");
    let present = |(_, _, v): &&(Form, &str, Option<&str>)| v.is_some_and(|t| !t.is_empty());
    let pick = values
        .iter()
        .filter(present)
        .find(|(_, ty, _)| ty.eq_ignore_ascii_case(declared))
        .or_else(|| values.iter().find(present));
    let Some((form, _, Some(v))) = pick else {
        return Ok(None);
    };
    let bad = |_| ParseError::invalid(operation, field, v);
    match form {
        Form::V4 => v
            .parse::<Ipv4Addr>()
            .map(|ip| Some(ip.to_string()))
            .map_err(bad),
        Form::V6 => v
            .parse::<Ipv6Addr>()
            .map(|ip| Some(ip.to_string()))
            .map_err(bad),
        Form::Name => Ok(Some((*v).to_owned())),
    }
}

/// SetDNS request. Servers must be IP addresses (`tt:IPAddress` has no name form).
pub fn set_dns_request(dns: &Dns) -> Result<String, RequestError> {
    const OP: &str = "SetDNS";
    let mut inner = String::new();
    push_bool(&mut inner, "tds:FromDHCP", dns.from_dhcp);
    for d in dns
        .search_domains
        .iter()
        .map(|d| d.trim())
        .filter(|d| !d.is_empty())
    {
        push_text(&mut inner, "tds:SearchDomain", d);
    }
    for s in &dns.servers {
        let ip = classify_ip(s, OP, "DNSManual")?;
        inner.push_str("<tds:DNSManual>");
        match ip {
            IpAddr::V4(v4) => {
                push_text(&mut inner, "tt:Type", "IPv4");
                push_text(&mut inner, "tt:IPv4Address", &v4.to_string());
            }
            IpAddr::V6(v6) => {
                push_text(&mut inner, "tt:Type", "IPv6");
                push_text(&mut inner, "tt:IPv6Address", &v6.to_string());
            }
        }
        inner.push_str("</tds:DNSManual>");
    }
    Ok(request(OP, &inner))
}

/// GetNTP request.
pub fn get_ntp_request() -> String {
    request("GetNTP", "")
}

/// Parses a GetNTPResponse. Servers are the `NTPManual` entries (IPv4Address, IPv6Address or
/// DNSname); `NTPFromDHCP` is left out for the reason given at [`parse_get_dns`].
pub fn parse_get_ntp(payload: &Element) -> Result<Ntp, ParseError> {
    const OP: &str = "GetNTP";
    let r = expect_element(payload, OP, "GetNTPResponse")?;
    let n = required(r, "NTPInformation", OP, "NTPInformation")?;
    let from_dhcp = required_bool(n, "FromDHCP", OP, "NTPInformation/FromDHCP")?;
    let mut servers = Vec::new();
    for m in n.children_named("NTPManual") {
        if let Some(s) = parse_host(m, OP, "NTPInformation/NTPManual")? {
            servers.push(s);
        }
    }
    Ok(Ntp { from_dhcp, servers })
}

/// SetNTP request. Each server is written as IPv4, IPv6 or DNS name, by its form.
pub fn set_ntp_request(ntp: &Ntp) -> String {
    let mut inner = String::new();
    push_bool(&mut inner, "tds:FromDHCP", ntp.from_dhcp);
    for s in ntp
        .servers
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        inner.push_str("<tds:NTPManual>");
        match s.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) => {
                push_text(&mut inner, "tt:Type", "IPv4");
                push_text(&mut inner, "tt:IPv4Address", &v4.to_string());
            }
            Ok(IpAddr::V6(v6)) => {
                push_text(&mut inner, "tt:Type", "IPv6");
                push_text(&mut inner, "tt:IPv6Address", &v6.to_string());
            }
            Err(_) => {
                push_text(&mut inner, "tt:Type", "DNS");
                push_text(&mut inner, "tt:DNSname", s);
            }
        }
        inner.push_str("</tds:NTPManual>");
    }
    request("SetNTP", &inner)
}

// ---------------------------------------------------------------------------------------------
// Scopes
// ---------------------------------------------------------------------------------------------

/// GetScopes request.
pub fn get_scopes_request() -> String {
    request("GetScopes", "")
}

/// Parses a GetScopesResponse. ScopeDef is required: taking a fixed scope (`hardware/...`) for
/// a configurable one would copy the old model's identity onto the new camera.
pub fn parse_get_scopes(payload: &Element) -> Result<Vec<Scope>, ParseError> {
    const OP: &str = "GetScopes";
    let r = expect_element(payload, OP, "GetScopesResponse")?;
    r.children_named("Scopes")
        .map(|s| {
            let def = required_text(s, "ScopeDef", OP, "Scopes/ScopeDef")?;
            let fixed = if def.eq_ignore_ascii_case("Fixed") {
                true
            } else if def.eq_ignore_ascii_case("Configurable") {
                false
            } else {
                return Err(ParseError::invalid(OP, "Scopes/ScopeDef", def));
            };
            let uri = required_text(s, "ScopeItem", OP, "Scopes/ScopeItem")?;
            Ok(Scope {
                uri: uri.to_owned(),
                fixed,
            })
        })
        .collect()
}

/// The non-empty, trimmed scope URIs, or an error naming the operation when there are none.
fn scope_items(
    operation: &'static str,
    field: &'static str,
    qname: &str,
    uris: &[impl AsRef<str>],
) -> Result<String, RequestError> {
    let mut inner = String::new();
    for u in uris
        .iter()
        .map(|u| u.as_ref().trim())
        .filter(|u| !u.is_empty())
    {
        push_text(&mut inner, qname, u);
    }
    if inner.is_empty() {
        return Err(RequestError::Missing { operation, field });
    }
    Ok(inner)
}

/// SetScopes request: replaces all configurable scopes with `uris` (at least one).
pub fn set_scopes_request(uris: &[impl AsRef<str>]) -> Result<String, RequestError> {
    let inner = scope_items("SetScopes", "Scopes", "tds:Scopes", uris)?;
    Ok(request("SetScopes", &inner))
}

/// AddScopes request (at least one URI).
pub fn add_scopes_request(uris: &[impl AsRef<str>]) -> Result<String, RequestError> {
    let inner = scope_items("AddScopes", "ScopeItem", "tds:ScopeItem", uris)?;
    Ok(request("AddScopes", &inner))
}

/// RemoveScopes request (at least one URI).
pub fn remove_scopes_request(uris: &[impl AsRef<str>]) -> Result<String, RequestError> {
    let inner = scope_items("RemoveScopes", "ScopeItem", "tds:ScopeItem", uris)?;
    Ok(request("RemoveScopes", &inner))
}

// ---------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------

/// A user level (`tt:UserLevel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserLevel {
    /// Full control.
    Administrator,
    /// Operates the device, cannot administer it.
    Operator,
    /// Views.
    User,
    /// Unauthenticated access (devices refuse to create such users).
    Anonymous,
    /// Device-specific.
    Extended,
}

impl UserLevel {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Administrator => "Administrator",
            Self::Operator => "Operator",
            Self::User => "User",
            Self::Anonymous => "Anonymous",
            Self::Extended => "Extended",
        }
    }

    /// Reads a wire value, any case.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Administrator,
            Self::Operator,
            Self::User,
            Self::Anonymous,
            Self::Extended,
        ]
        .into_iter()
        .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// GetUsers request.
pub fn get_users_request() -> String {
    request("GetUsers", "")
}

/// Parses a GetUsersResponse into names and levels. A `Password` element, should a device send
/// one, is never read. The level is kept as sent (normalised in case when it is a known one).
pub fn parse_get_users(payload: &Element) -> Result<Vec<User>, ParseError> {
    const OP: &str = "GetUsers";
    let r = expect_element(payload, OP, "GetUsersResponse")?;
    r.children_named("User")
        .map(|u| {
            let username =
                u.child_text("Username")
                    .filter(|t| !t.is_empty())
                    .ok_or(ParseError::Missing {
                        operation: OP,
                        field: "User/Username".into(),
                    })?;
            let level = required_text(u, "UserLevel", OP, "User/UserLevel")?;
            Ok(User {
                username: username.to_owned(),
                level: UserLevel::parse(level)
                    .map(|l| l.as_str().to_owned())
                    .unwrap_or_else(|| level.to_owned()),
            })
        })
        .collect()
}

fn user_element(
    operation: &'static str,
    username: &str,
    password: Option<&str>,
    level: UserLevel,
) -> Result<String, RequestError> {
    if username.trim().is_empty() {
        return Err(RequestError::Missing {
            operation,
            field: "User/Username",
        });
    }
    let mut out = String::from("<tds:User>");
    push_text(&mut out, "tt:Username", username);
    if let Some(p) = password {
        push_text(&mut out, "tt:Password", p);
    }
    push_text(&mut out, "tt:UserLevel", level.as_str());
    out.push_str("</tds:User>");
    Ok(out)
}

/// CreateUsers request for one user. The password is written into the returned payload and
/// nowhere else: never log the payload (the SOAP layer redacts it), and no error carries it.
pub fn create_users_request(
    username: &str,
    password: &str,
    level: UserLevel,
) -> Result<String, RequestError> {
    const OP: &str = "CreateUsers";
    let inner = user_element(OP, username, Some(password), level)?;
    Ok(request(OP, &inner))
}

/// SetUser request for one existing user: a new level, and a new password when given (same
/// care as [`create_users_request`]).
pub fn set_user_request(
    username: &str,
    password: Option<&str>,
    level: UserLevel,
) -> Result<String, RequestError> {
    const OP: &str = "SetUser";
    let inner = user_element(OP, username, password, level)?;
    Ok(request(OP, &inner))
}

/// DeleteUsers request (at least one name).
pub fn delete_users_request(usernames: &[impl AsRef<str>]) -> Result<String, RequestError> {
    const OP: &str = "DeleteUsers";
    let mut inner = String::new();
    for u in usernames
        .iter()
        .map(AsRef::as_ref)
        .filter(|u| !u.trim().is_empty())
    {
        push_text(&mut inner, "tds:Username", u);
    }
    if inner.is_empty() {
        return Err(RequestError::Missing {
            operation: OP,
            field: "Username",
        });
    }
    Ok(request(OP, &inner))
}

// ---------------------------------------------------------------------------------------------
// Reboot and empty responses
// ---------------------------------------------------------------------------------------------

/// SystemReboot request.
pub fn system_reboot_request() -> String {
    request("SystemReboot", "")
}

/// Parses a SystemRebootResponse: the device's message (`Rebooting in 30 seconds`), empty when
/// it sent none.
pub fn parse_system_reboot(payload: &Element) -> Result<String, ParseError> {
    const OP: &str = "SystemReboot";
    let r = expect_element(payload, OP, "SystemRebootResponse")?;
    Ok(r.child_text("Message").unwrap_or("").to_owned())
}

/// Checks the response of an operation whose response carries nothing we use
/// (SetSystemDateAndTime, SetNetworkDefaultGateway, SetHostname, SetDNS, SetNTP, SetScopes,
/// AddScopes, RemoveScopes, CreateUsers, DeleteUsers, SetUser): the payload must be that
/// operation's response element.
pub fn parse_ack(payload: &Element, operation_name: &str) -> Result<(), ParseError> {
    let op = operation(operation_name);
    expect_element(payload, op.name, op.response).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::xml;

    const DECL: &str = r#"xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema""#;

    fn el(body: &str) -> Element {
        xml::parse(body.replace("DECL", DECL).as_bytes()).expect("test XML parses")
    }

    // Field paths are built at run time; leaking them keeps the assertions short.
    fn missing(e: ParseError) -> &'static str {
        match e {
            ParseError::Missing { field, .. } => field.leak(),
            other => panic!("expected Missing, got {other:?}"),
        }
    }

    fn invalid(e: ParseError) -> (&'static str, String) {
        match e {
            ParseError::Invalid { field, value, .. } => (field.leak(), value),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    const SDT: &str = r#"<tds:GetSystemDateAndTimeResponse DECL><tds:SystemDateAndTime>
        <tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>true</tt:DaylightSavings>
        <tt:TimeZone><tt:TZ>CST7:00:00DST01:00:00,M3.2.0/02:00:00,M11.1.0/02:00:00</tt:TZ></tt:TimeZone>
        <tt:UTCDateTime><tt:Time><tt:Hour>18</tt:Hour><tt:Minute>28</tt:Minute><tt:Second>1</tt:Second></tt:Time>
        <tt:Date><tt:Year>2018</tt:Year><tt:Month>2</tt:Month><tt:Day>27</tt:Day></tt:Date></tt:UTCDateTime>
        <tt:LocalDateTime><tt:Time><tt:Hour>11</tt:Hour><tt:Minute>28</tt:Minute><tt:Second>1</tt:Second></tt:Time>
        <tt:Date><tt:Year>2018</tt:Year><tt:Month>2</tt:Month><tt:Day>27</tt:Day></tt:Date></tt:LocalDateTime>
        </tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"#;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn system_date_time_reads_utc_local_and_keeps_tz_verbatim() {
        let t = parse_get_system_date_and_time(&el(SDT)).unwrap();
        assert_eq!(t.utc, Some(utc("2018-02-27T18:28:01Z")));
        assert_eq!(
            t.local.unwrap().to_string(),
            "2018-02-27 11:28:01",
            "local time is kept in the device's zone"
        );
        assert_eq!(
            t.tz.as_deref(),
            Some("CST7:00:00DST01:00:00,M3.2.0/02:00:00,M11.1.0/02:00:00")
        );
        assert_eq!(t.date_time_type, Some(DateTimeType::Ntp));
        assert_eq!(t.daylight_savings, Some(true));
    }

    #[test]
    fn clock_offset_is_device_minus_ours_from_utc() {
        let t = parse_get_system_date_and_time(&el(SDT)).unwrap();
        let ours = utc("2018-02-27T18:30:01Z");
        assert_eq!(
            clock_offset(&t, ours),
            Some(chrono::Duration::seconds(-120))
        );
        assert_eq!(t.device_time().unwrap().1, ClockSource::Utc);
    }

    #[test]
    fn local_time_is_used_only_when_utc_is_missing_and_says_so() {
        let doc = SDT.replace("UTCDateTime", "Ignored");
        let t = parse_get_system_date_and_time(&el(&doc)).unwrap();
        assert_eq!(t.utc, None);
        let (at, source) = t.device_time().unwrap();
        assert_eq!(source, ClockSource::LocalAsUtc);
        assert_eq!(at, utc("2018-02-27T11:28:01Z"));
        assert_eq!(
            clock_offset(&t, utc("2018-02-27T11:28:00Z")),
            Some(chrono::Duration::seconds(1))
        );
        let neither = parse_get_system_date_and_time(&el(
            "<tds:GetSystemDateAndTimeResponse DECL><tds:SystemDateAndTime>\
             <tt:DateTimeType>Manual</tt:DateTimeType></tds:SystemDateAndTime>\
             </tds:GetSystemDateAndTimeResponse>",
        ))
        .unwrap();
        assert_eq!(clock_offset(&neither, Utc::now()), None);
    }

    #[test]
    fn system_date_time_hostile_values_are_errors_naming_the_field() {
        let garbage_hour = SDT.replacen("<tt:Hour>18</tt:Hour>", "<tt:Hour>1x</tt:Hour>", 1);
        let e = parse_get_system_date_and_time(&el(&garbage_hour)).unwrap_err();
        assert_eq!(invalid(e), ("UTCDateTime/Time/Hour", "1x".to_owned()));

        let month13 = SDT.replacen("<tt:Month>2</tt:Month>", "<tt:Month>13</tt:Month>", 1);
        let e = parse_get_system_date_and_time(&el(&month13)).unwrap_err();
        assert_eq!(invalid(e), ("UTCDateTime/Date", "2018-13-27".to_owned()));

        let hour25 = SDT.replacen("<tt:Hour>11</tt:Hour>", "<tt:Hour>25</tt:Hour>", 1);
        let e = parse_get_system_date_and_time(&el(&hour25)).unwrap_err();
        assert_eq!(invalid(e).0, "LocalDateTime/Time");

        let huge_year = SDT.replacen("2018", "99999999999999999999", 1);
        let e = parse_get_system_date_and_time(&el(&huge_year)).unwrap_err();
        assert_eq!(invalid(e).0, "UTCDateTime/Date/Year");

        let no_day = SDT.replacen("<tt:Day>27</tt:Day>", "", 1);
        let e = parse_get_system_date_and_time(&el(&no_day)).unwrap_err();
        assert_eq!(missing(e), "UTCDateTime/Date/Day");

        let bad_type = SDT.replace(">NTP<", ">Sundial<");
        let e = parse_get_system_date_and_time(&el(&bad_type)).unwrap_err();
        assert_eq!(invalid(e).0, "SystemDateAndTime/DateTimeType");

        let e = parse_get_system_date_and_time(&el("<tds:GetSystemDateAndTimeResponse DECL/>"))
            .unwrap_err();
        assert_eq!(missing(e), "SystemDateAndTime");

        let e = parse_get_system_date_and_time(&el("<tds:GetDeviceInformationResponse DECL/>"))
            .unwrap_err();
        assert!(matches!(e, ParseError::WrongElement { .. }), "{e:?}");
    }

    #[test]
    fn long_garbage_is_truncated_in_errors() {
        let long = "9".repeat(500);
        let doc = SDT.replacen(
            "<tt:Minute>28</tt:Minute>",
            &format!("<tt:Minute>{long}</tt:Minute>"),
            1,
        );
        let (_, value) = invalid(parse_get_system_date_and_time(&el(&doc)).unwrap_err());
        assert_eq!(value.len(), 80);
    }

    #[test]
    fn set_system_date_and_time_writes_time_before_date_and_needs_utc_when_manual() {
        let at = utc("2024-01-02T03:04:05Z");
        let x =
            set_system_date_and_time_request(DateTimeType::Manual, false, Some("CST-8"), Some(at))
                .unwrap();
        assert!(x.contains("<tds:DateTimeType>Manual</tds:DateTimeType>"));
        assert!(x.contains("<tds:TimeZone><tt:TZ>CST-8</tt:TZ></tds:TimeZone>"));
        let time = x.find("<tt:Time>").unwrap();
        let date = x.find("<tt:Date>").unwrap();
        assert!(time < date, "tt:DateTime is a sequence Time, Date: {x}");
        assert!(x.contains("<tt:Year>2024</tt:Year><tt:Month>1</tt:Month><tt:Day>2</tt:Day>"));

        let ntp =
            set_system_date_and_time_request(DateTimeType::Ntp, true, None, Some(at)).unwrap();
        assert!(
            !ntp.contains("UTCDateTime") && !ntp.contains("TimeZone"),
            "{ntp}"
        );

        let e =
            set_system_date_and_time_request(DateTimeType::Manual, false, None, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "SetSystemDateAndTime: UTCDateTime is required"
        );
    }

    #[test]
    fn device_information_keeps_values_and_empties_become_none() {
        let i = parse_get_device_information(&el(
            "<tds:GetDeviceInformationResponse DECL><tds:Manufacturer></tds:Manufacturer>\
             <tds:Model> IPD-H4K8M05-BS </tds:Model><tds:FirmwareVersion>V1.04.10-190309</tds:FirmwareVersion>\
             <tds:SerialNumber>071D3E36963F</tds:SerialNumber><tds:HardwareId>1.0</tds:HardwareId>\
             </tds:GetDeviceInformationResponse>",
        ))
        .unwrap();
        assert_eq!(i.manufacturer, None);
        assert_eq!(i.model.as_deref(), Some("IPD-H4K8M05-BS"));
        assert_eq!(i.firmware_version.as_deref(), Some("V1.04.10-190309"));
        assert_eq!(i.serial_number.as_deref(), Some("071D3E36963F"));
        assert_eq!(i.hardware_id.as_deref(), Some("1.0"));

        let no_hwid = parse_get_device_information(&el(
            "<tds:GetDeviceInformationResponse DECL><tds:Manufacturer>X</tds:Manufacturer>\
             <tds:Model>Y</tds:Model></tds:GetDeviceInformationResponse>",
        ))
        .unwrap();
        assert_eq!(no_hwid.hardware_id, None);

        let e = parse_get_device_information(&el(
            "<tds:GetDeviceInformationResponse DECL><tds:Model>Y</tds:Model></tds:GetDeviceInformationResponse>",
        ))
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "GetDeviceInformation: missing required field Manufacturer"
        );
    }

    #[test]
    fn services_read_integer_versions_and_require_namespace_and_xaddr() {
        let doc = "<tds:GetServicesResponse DECL>\
            <tds:Service><tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace>\
            <tds:XAddr> http://192.168.1.64/onvif/device_service </tds:XAddr>\
            <tds:Capabilities><tad:Capabilities RuleSupport=\"true\"/></tds:Capabilities>\
            <tds:Version><tt:Major>20</tt:Major><tt:Minor>06</tt:Minor></tds:Version></tds:Service>\
            <tds:Service><tds:Namespace>urn:x</tds:Namespace><tds:XAddr>http://h/x</tds:XAddr></tds:Service>\
            <tds:Unknown/></tds:GetServicesResponse>";
        let s = parse_get_services(&el(doc)).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].namespace, ns::TDS);
        assert_eq!(s[0].xaddr, "http://192.168.1.64/onvif/device_service");
        assert_eq!(s[0].version.as_deref(), Some("20.6"));
        assert_eq!(s[1].version, None);

        let e = parse_get_services(&el(
            &doc.replace("<tt:Minor>06</tt:Minor>", "<tt:Minor>six</tt:Minor>")
        ))
        .unwrap_err();
        assert_eq!(invalid(e), ("Service/Version/Minor", "six".to_owned()));
        let e = parse_get_services(&el(&doc.replace("<tds:XAddr>http://h/x</tds:XAddr>", "")))
            .unwrap_err();
        assert_eq!(missing(e), "Service/XAddr");
        let e = parse_get_services(&el(&doc.replacen(
            "<tds:Namespace>http://www.onvif.org/ver10/device/wsdl</tds:Namespace>",
            "<tds:Namespace> </tds:Namespace>",
            1,
        )))
        .unwrap_err();
        assert_eq!(missing(e), "Service/Namespace");
    }

    #[test]
    fn capabilities_map_categories_to_service_namespaces() {
        let doc = "<tds:GetCapabilitiesResponse DECL><tds:Capabilities>\
            <tt:Analytics><tt:XAddr>http://h/analytics</tt:XAddr></tt:Analytics>\
            <tt:Device><tt:XAddr>http://h/device_service</tt:XAddr><tt:System>\
              <tt:SupportedVersions><tt:Major>2</tt:Major><tt:Minor>6</tt:Minor></tt:SupportedVersions>\
              <tt:SupportedVersions><tt:Major>2</tt:Major><tt:Minor>10</tt:Minor></tt:SupportedVersions>\
            </tt:System></tt:Device>\
            <tt:Media><tt:XAddr>http://h/media</tt:XAddr></tt:Media>\
            <tt:PTZ><tt:XAddr></tt:XAddr></tt:PTZ>\
            <tt:Extension><hik:hikCapabilities xmlns:hik=\"urn:hik\"><hik:XAddr>http://h/hik</hik:XAddr></hik:hikCapabilities>\
              <tt:Recording><tt:XAddr>http://h/rec</tt:XAddr></tt:Recording></tt:Extension>\
            </tds:Capabilities></tds:GetCapabilitiesResponse>";
        let s = parse_get_capabilities(&el(doc)).unwrap();
        let got: Vec<(&str, &str, Option<&str>)> = s
            .iter()
            .map(|s| (s.namespace.as_str(), s.xaddr.as_str(), s.version.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (ns::TDS, "http://h/device_service", Some("2.10")),
                (ns::TRT, "http://h/media", None),
                (NS_ANALYTICS, "http://h/analytics", None),
                (ns::TRC, "http://h/rec", None),
            ],
            "PTZ has an empty XAddr and the Hikvision extension is no ONVIF service"
        );
        let e = parse_get_capabilities(&el("<tds:GetCapabilitiesResponse DECL/>")).unwrap_err();
        assert_eq!(missing(e), "Capabilities");
    }

    #[test]
    fn get_capabilities_asks_for_all_and_get_services_carries_the_flag() {
        assert!(get_capabilities_request().contains("<tds:Category>All</tds:Category>"));
        assert!(
            get_services_request(true)
                .contains("<tds:IncludeCapability>true</tds:IncludeCapability>")
        );
        assert!(
            get_services_request(false)
                .contains("<tds:IncludeCapability>false</tds:IncludeCapability>")
        );
    }

    #[test]
    fn macs_are_normalised_from_every_vendor_form() {
        for raw in [
            "B8:A4:4F:A0:4F:26",
            "b8-a4-4f-a0-4f-26",
            "B8A44FA04F26",
            "b8a4.4fa0.4f26",
            " b8:a4:4f:a0:4f:26 ",
        ] {
            assert_eq!(
                normalize_mac(raw).as_deref(),
                Some("b8:a4:4f:a0:4f:26"),
                "{raw}"
            );
        }
        for bad in [
            "",
            "b8:a4:4f:a0:4f",
            "zz:a4:4f:a0:4f:26",
            "b8:a4:4f:a0:4f:26:00",
        ] {
            assert_eq!(normalize_mac(bad), None, "{bad}");
        }
    }

    const NIC: &str = "<tds:GetNetworkInterfacesResponse DECL><tds:NetworkInterfaces token=\"eth0\">\
        <tt:Enabled>true</tt:Enabled><tt:Info><tt:Name>eth0</tt:Name><tt:HwAddress>00-07-5F-E0-A6-04</tt:HwAddress>\
        <tt:MTU>1500</tt:MTU></tt:Info><tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config>\
        <tt:Manual><tt:Address>192.168.0.90</tt:Address><tt:PrefixLength>24</tt:PrefixLength></tt:Manual>\
        <tt:LinkLocal><tt:Address>127.0.0.1</tt:Address><tt:PrefixLength>8</tt:PrefixLength></tt:LinkLocal>\
        <tt:FromDHCP><tt:Address>192.168.2.82</tt:Address><tt:PrefixLength>23</tt:PrefixLength></tt:FromDHCP>\
        <tt:DHCP>true</tt:DHCP></tt:Config></tt:IPv4></tds:NetworkInterfaces></tds:GetNetworkInterfacesResponse>";

    #[test]
    fn network_interfaces_pick_the_address_in_use() {
        let n = parse_get_network_interfaces(&el(NIC)).unwrap();
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].token, "eth0");
        assert_eq!(n[0].name.as_deref(), Some("eth0"));
        assert!(n[0].enabled);
        assert_eq!(n[0].mac.as_deref(), Some("00:07:5f:e0:a6:04"));
        let v4 = n[0].ipv4.as_ref().unwrap();
        assert!(v4.dhcp && v4.enabled);
        assert_eq!(v4.address.as_deref(), Some("192.168.2.82"));
        assert_eq!(v4.prefix_length, Some(23));

        let manual =
            parse_get_network_interfaces(&el(&NIC.replace("<tt:DHCP>true", "<tt:DHCP>false")))
                .unwrap();
        let v4 = manual[0].ipv4.as_ref().unwrap();
        assert_eq!(
            (v4.address.as_deref(), v4.prefix_length),
            (Some("192.168.0.90"), Some(24))
        );

        let dhcp_only = NIC.replace(
            "<tt:Manual><tt:Address>192.168.0.90</tt:Address><tt:PrefixLength>24</tt:PrefixLength></tt:Manual>",
            "",
        );
        let v4 = parse_get_network_interfaces(&el(
            &dhcp_only.replace("<tt:DHCP>true", "<tt:DHCP>false")
        ))
        .unwrap()[0]
            .ipv4
            .clone()
            .unwrap();
        assert_eq!(
            v4.address.as_deref(),
            Some("192.168.2.82"),
            "falls back to the DHCP address"
        );
    }

    #[test]
    fn network_interfaces_hostile_values_are_errors_naming_the_field() {
        let e = parse_get_network_interfaces(&el(&NIC.replace(" token=\"eth0\"", ""))).unwrap_err();
        assert_eq!(missing(e), "NetworkInterfaces/@token");
        let e = parse_get_network_interfaces(&el(&NIC.replace("00-07-5F-E0-A6-04", "not-a-mac")))
            .unwrap_err();
        assert_eq!(invalid(e).0, "NetworkInterfaces/Info/HwAddress");
        let e = parse_get_network_interfaces(&el(&NIC.replace("192.168.2.82", "192.168.2.820")))
            .unwrap_err();
        assert_eq!(
            invalid(e).0,
            "NetworkInterfaces/IPv4/Config/FromDHCP/Address"
        );
        let e = parse_get_network_interfaces(&el(&NIC.replace(">24<", ">33<"))).unwrap_err();
        assert_eq!(
            invalid(e),
            (
                "NetworkInterfaces/IPv4/Config/Manual/PrefixLength",
                "33".to_owned()
            )
        );
        let e = parse_get_network_interfaces(&el(&NIC.replace("<tt:DHCP>true</tt:DHCP>", "")))
            .unwrap_err();
        assert_eq!(missing(e), "NetworkInterfaces/IPv4/Config/DHCP");
        let e = parse_get_network_interfaces(&el(
            &NIC.replace("<tt:Enabled>true</tt:Enabled><tt:Info>", "<tt:Info>")
        ))
        .unwrap_err();
        assert_eq!(missing(e), "NetworkInterfaces/Enabled");
        let e = parse_get_network_interfaces(&el(&NIC.replacen(
            "<tt:Enabled>true",
            "<tt:Enabled>yes",
            1,
        )))
        .unwrap_err();
        assert_eq!(invalid(e), ("NetworkInterfaces/Enabled", "yes".to_owned()));
    }

    #[test]
    fn set_network_interfaces_writes_manual_only_without_dhcp_and_refuses_no_address() {
        let static_cfg = Ipv4Config {
            enabled: true,
            dhcp: false,
            address: Some("10.1.2.3".into()),
            prefix_length: Some(24),
        };
        let x = set_network_interfaces_request("eth0", &static_cfg).unwrap();
        assert!(x.contains("<tds:InterfaceToken>eth0</tds:InterfaceToken>"));
        assert!(x.contains("<tt:Manual><tt:Address>10.1.2.3</tt:Address><tt:PrefixLength>24</tt:PrefixLength></tt:Manual><tt:DHCP>false</tt:DHCP>"));
        let dhcp = Ipv4Config {
            dhcp: true,
            ..static_cfg.clone()
        };
        assert!(
            !set_network_interfaces_request("eth0", &dhcp)
                .unwrap()
                .contains("Manual")
        );
        let none = Ipv4Config {
            address: None,
            ..static_cfg.clone()
        };
        assert_eq!(
            set_network_interfaces_request("eth0", &none)
                .unwrap_err()
                .to_string(),
            "SetNetworkInterfaces: IPv4/Manual/Address is required"
        );
        let bad = Ipv4Config {
            address: Some("10.1.2".into()),
            ..static_cfg
        };
        assert!(matches!(
            set_network_interfaces_request("eth0", &bad),
            Err(RequestError::Invalid {
                field: "IPv4/Manual/Address",
                ..
            })
        ));
        let reboot = parse_set_network_interfaces(&el(
            "<tds:SetNetworkInterfacesResponse DECL><tds:RebootNeeded>true</tds:RebootNeeded></tds:SetNetworkInterfacesResponse>",
        ))
        .unwrap();
        assert!(reboot);
    }

    #[test]
    fn gateways_hostname_dns_ntp_parse() {
        let g = parse_get_network_default_gateway(&el(
            "<tds:GetNetworkDefaultGatewayResponse DECL><tds:NetworkGateway>\
             <tt:IPv4Address>10.0.0.1</tt:IPv4Address><tt:IPv6Address>fe80::1</tt:IPv6Address>\
             </tds:NetworkGateway></tds:GetNetworkDefaultGatewayResponse>",
        ))
        .unwrap();
        assert_eq!(g, vec!["10.0.0.1".to_owned()]);
        let e = parse_get_network_default_gateway(&el(
            "<tds:GetNetworkDefaultGatewayResponse DECL><tds:NetworkGateway>\
             <tt:IPv4Address>gateway</tt:IPv4Address></tds:NetworkGateway></tds:GetNetworkDefaultGatewayResponse>",
        ))
        .unwrap_err();
        assert_eq!(invalid(e).0, "NetworkGateway/IPv4Address");

        let h = parse_get_hostname(&el(
            "<tds:GetHostnameResponse DECL><tds:HostnameInformation><tt:FromDHCP>false</tt:FromDHCP>\
             <tt:Name/></tds:HostnameInformation></tds:GetHostnameResponse>",
        ))
        .unwrap();
        assert_eq!(
            h,
            Hostname {
                name: None,
                from_dhcp: false
            }
        );
        let e = parse_get_hostname(&el(
            "<tds:GetHostnameResponse DECL><tds:HostnameInformation><tt:Name>cam</tt:Name>\
             </tds:HostnameInformation></tds:GetHostnameResponse>",
        ))
        .unwrap_err();
        assert_eq!(missing(e), "HostnameInformation/FromDHCP");

        let d = parse_get_dns(&el(
            "<tds:GetDNSResponse DECL><tds:DNSInformation><tt:FromDHCP>false</tt:FromDHCP>\
             <tt:SearchDomain>site.example</tt:SearchDomain>\
             <tt:DNSFromDHCP><tt:Type>IPv4</tt:Type><tt:IPv4Address>10.9.9.9</tt:IPv4Address></tt:DNSFromDHCP>\
             <tt:DNSManual><tt:Type>IPv4</tt:Type><tt:IPv4Address>10.0.0.53</tt:IPv4Address></tt:DNSManual>\
             <tt:DNSManual><tt:Type>IPv6</tt:Type><tt:IPv6Address>2001:DB8::35</tt:IPv6Address></tt:DNSManual>\
             <tt:DNSManual><tt:Type>IPv4</tt:Type><tt:IPv4Address></tt:IPv4Address></tt:DNSManual>\
             </tds:DNSInformation></tds:GetDNSResponse>",
        ))
        .unwrap();
        assert_eq!(
            d,
            Dns {
                from_dhcp: false,
                search_domains: vec!["site.example".into()],
                servers: vec!["10.0.0.53".into(), "2001:db8::35".into()],
            }
        );

        let n = parse_get_ntp(&el(
            "<tds:GetNTPResponse DECL><tds:NTPInformation><tt:FromDHCP>false</tt:FromDHCP>\
             <tt:NTPManual><tt:Type>DNS</tt:Type><tt:DNSname>time.windows.com</tt:DNSname></tt:NTPManual>\
             <tt:NTPManual><tt:Type>IPv4</tt:Type><tt:IPv4Address>10.0.0.123</tt:IPv4Address></tt:NTPManual>\
             <tt:NTPManual><tt:IPv6Address>2001:db8::123</tt:IPv6Address></tt:NTPManual>\
             </tds:NTPInformation></tds:GetNTPResponse>",
        ))
        .unwrap();
        assert_eq!(
            n.servers,
            vec![
                "time.windows.com".to_owned(),
                "10.0.0.123".into(),
                "2001:db8::123".into()
            ]
        );
        let e = parse_get_ntp(&el(
            "<tds:GetNTPResponse DECL><tds:NTPInformation><tt:FromDHCP>maybe</tt:FromDHCP>\
             </tds:NTPInformation></tds:GetNTPResponse>",
        ))
        .unwrap_err();
        assert_eq!(invalid(e), ("NTPInformation/FromDHCP", "maybe".to_owned()));
        let e = parse_get_ntp(&el(
            "<tds:GetNTPResponse DECL><tds:NTPInformation><tt:FromDHCP>false</tt:FromDHCP>\
             <tt:NTPManual><tt:Type>IPv4</tt:Type><tt:IPv4Address>300.1.1.1</tt:IPv4Address></tt:NTPManual>\
             </tds:NTPInformation></tds:GetNTPResponse>",
        ))
        .unwrap_err();
        assert_eq!(
            invalid(e),
            ("NTPInformation/NTPManual", "300.1.1.1".to_owned())
        );
    }

    #[test]
    fn set_builders_classify_addresses_and_escape_values() {
        let x = set_network_default_gateway_request(&["2001:db8::1", "10.0.0.1"]).unwrap();
        let v4 = x
            .find("<tds:IPv4Address>10.0.0.1</tds:IPv4Address>")
            .unwrap();
        let v6 = x
            .find("<tds:IPv6Address>2001:db8::1</tds:IPv6Address>")
            .unwrap();
        assert!(v4 < v6, "IPv4 addresses come first: {x}");
        assert!(matches!(
            set_network_default_gateway_request(&["router"]),
            Err(RequestError::Invalid { .. })
        ));

        let dns = Dns {
            from_dhcp: false,
            search_domains: vec!["a&b.example".into()],
            servers: vec!["10.0.0.53".into()],
        };
        let x = set_dns_request(&dns).unwrap();
        assert!(
            x.contains("<tds:SearchDomain>a&amp;b.example</tds:SearchDomain>"),
            "{x}"
        );
        assert!(x.contains("<tds:DNSManual><tt:Type>IPv4</tt:Type><tt:IPv4Address>10.0.0.53</tt:IPv4Address></tds:DNSManual>"));
        let by_name = Dns {
            servers: vec!["dns.example".into()],
            ..dns
        };
        assert_eq!(
            set_dns_request(&by_name).unwrap_err().to_string(),
            "SetDNS: DNSManual \"dns.example\" is not an IP address"
        );

        let x = set_ntp_request(&Ntp {
            from_dhcp: false,
            servers: vec!["ntp.example".into(), "10.0.0.123".into(), "".into()],
        });
        assert!(x.contains("<tt:Type>DNS</tt:Type><tt:DNSname>ntp.example</tt:DNSname>"));
        assert!(x.contains("<tt:Type>IPv4</tt:Type><tt:IPv4Address>10.0.0.123</tt:IPv4Address>"));
        assert_eq!(x.matches("<tds:NTPManual>").count(), 2);

        assert!(
            set_hostname_request("cam<1>")
                .unwrap()
                .contains("<tds:Name>cam&lt;1&gt;</tds:Name>")
        );
        assert!(set_hostname_request("  ").is_err());
    }

    #[test]
    fn scopes_read_definition_and_refuse_unknown_ones() {
        let doc = "<tds:GetScopesResponse DECL>\
            <tds:Scopes><tt:ScopeDef>Fixed</tt:ScopeDef><tt:ScopeItem>onvif://www.onvif.org/hardware/DS-2CD2012-I</tt:ScopeItem></tds:Scopes>\
            <tds:Scopes><tt:ScopeDef>Configurable</tt:ScopeDef><tt:ScopeItem> onvif://www.onvif.org/name/HIKVISION%20DS-2CD2012-I </tt:ScopeItem></tds:Scopes>\
            </tds:GetScopesResponse>";
        let s = parse_get_scopes(&el(doc)).unwrap();
        assert_eq!(
            s,
            vec![
                Scope {
                    uri: "onvif://www.onvif.org/hardware/DS-2CD2012-I".into(),
                    fixed: true
                },
                Scope {
                    uri: "onvif://www.onvif.org/name/HIKVISION%20DS-2CD2012-I".into(),
                    fixed: false
                },
            ]
        );
        let e = parse_get_scopes(&el(&doc.replacen("Fixed", "Sometimes", 1))).unwrap_err();
        assert_eq!(invalid(e), ("Scopes/ScopeDef", "Sometimes".to_owned()));
        let e = parse_get_scopes(&el(&doc.replacen(
            "<tt:ScopeDef>Fixed</tt:ScopeDef>",
            "",
            1,
        )))
        .unwrap_err();
        assert_eq!(missing(e), "Scopes/ScopeDef");
        let e = parse_get_scopes(&el(&doc.replace(
            "<tt:ScopeItem>onvif://www.onvif.org/hardware/DS-2CD2012-I</tt:ScopeItem>",
            "",
        )))
        .unwrap_err();
        assert_eq!(missing(e), "Scopes/ScopeItem");
    }

    #[test]
    fn scope_builders_need_one_uri_and_use_the_right_element() {
        let set = set_scopes_request(&["onvif://www.onvif.org/location/building/a&b"]).unwrap();
        assert!(
            set.contains(
                "<tds:Scopes>onvif://www.onvif.org/location/building/a&amp;b</tds:Scopes>"
            )
        );
        assert!(
            add_scopes_request(&["onvif://x/y"])
                .unwrap()
                .contains("<tds:ScopeItem>onvif://x/y</tds:ScopeItem>")
        );
        assert!(
            remove_scopes_request(&["onvif://x/y"])
                .unwrap()
                .contains("<tds:ScopeItem>")
        );
        let none: [&str; 0] = [];
        assert_eq!(
            set_scopes_request(&none).unwrap_err().to_string(),
            "SetScopes: Scopes is required"
        );
        assert!(add_scopes_request(&[" "]).is_err());
    }

    #[test]
    fn users_never_keep_a_password_even_when_the_device_sends_one() {
        let doc = "<tds:GetUsersResponse DECL>\
            <tds:User><tt:Username>admin</tt:Username><tt:Password>hunter2-secret</tt:Password>\
            <tt:UserLevel>Administrator</tt:UserLevel></tds:User>\
            <tds:User><tt:Username>viewer</tt:Username><tt:UserLevel>user</tt:UserLevel></tds:User>\
            <tds:User><tt:Username>odd</tt:Username><tt:UserLevel>Installer</tt:UserLevel></tds:User>\
            </tds:GetUsersResponse>";
        let users = parse_get_users(&el(doc)).unwrap();
        assert_eq!(
            users,
            vec![
                User {
                    username: "admin".into(),
                    level: "Administrator".into()
                },
                User {
                    username: "viewer".into(),
                    level: "User".into()
                },
                User {
                    username: "odd".into(),
                    level: "Installer".into()
                },
            ]
        );
        let json = serde_json::to_string(&users).unwrap();
        let debug = format!("{users:?}");
        assert!(!json.contains("hunter2") && !debug.contains("hunter2"));
        let e = parse_get_users(&el(&doc.replace("<tt:UserLevel>user</tt:UserLevel>", "")))
            .unwrap_err();
        assert_eq!(missing(e), "User/UserLevel");
        let e =
            parse_get_users(&el(&doc.replace("<tt:Username>admin</tt:Username>", ""))).unwrap_err();
        assert_eq!(missing(e), "User/Username");
    }

    #[test]
    fn user_builders_escape_and_never_put_the_password_in_errors() {
        let x = create_users_request("ops", "p<&>w\"d", UserLevel::Operator).unwrap();
        assert!(x.contains("<tt:Username>ops</tt:Username><tt:Password>p&lt;&amp;&gt;w&quot;d</tt:Password><tt:UserLevel>Operator</tt:UserLevel>"), "{x}");
        let e = create_users_request(" ", "s3cret-pass", UserLevel::User).unwrap_err();
        assert!(!e.to_string().contains("s3cret") && !format!("{e:?}").contains("s3cret"));
        let level_only = set_user_request("ops", None, UserLevel::User).unwrap();
        assert!(!level_only.contains("Password"));
        assert!(
            set_user_request("ops", Some("n3w"), UserLevel::User)
                .unwrap()
                .contains("<tt:Password>n3w</tt:Password>")
        );
        let d = delete_users_request(&["a", "b"]).unwrap();
        assert!(d.contains("<tds:Username>a</tds:Username><tds:Username>b</tds:Username>"));
        let none: [&str; 0] = [];
        assert!(delete_users_request(&none).is_err());
        assert_eq!(UserLevel::parse(" operator "), Some(UserLevel::Operator));
    }

    #[test]
    fn reboot_and_acks_check_the_response_element() {
        assert_eq!(
            parse_system_reboot(&el(
                "<tds:SystemRebootResponse DECL><tds:Message>Rebooting in 30 seconds</tds:Message></tds:SystemRebootResponse>"
            ))
            .unwrap(),
            "Rebooting in 30 seconds"
        );
        assert!(parse_ack(&el("<tds:SetScopesResponse DECL/>"), "SetScopes").is_ok());
        let e = parse_ack(&el("<tds:SetNTPResponse DECL/>"), "SetScopes").unwrap_err();
        assert_eq!(
            e.to_string(),
            "SetScopes: expected <SetScopesResponse> in the SOAP Body, found <SetNTPResponse>"
        );
    }

    /// Every builder, with representative arguments: each must name an operation in the table
    /// (`operation` panics otherwise) and produce that operation's request element.
    fn every_request() -> Vec<(&'static str, String)> {
        let at = DateTime::parse_from_rfc3339("2024-01-02T03:04:05Z")
            .unwrap()
            .with_timezone(&Utc);
        let v4 = Ipv4Config {
            enabled: true,
            dhcp: false,
            address: Some("10.1.2.3".into()),
            prefix_length: Some(24),
        };
        vec![
            ("GetSystemDateAndTime", get_system_date_and_time_request()),
            (
                "SetSystemDateAndTime",
                set_system_date_and_time_request(
                    DateTimeType::Manual,
                    true,
                    Some("CST-8"),
                    Some(at),
                )
                .unwrap(),
            ),
            ("GetDeviceInformation", get_device_information_request()),
            ("GetServices", get_services_request(true)),
            ("GetCapabilities", get_capabilities_request()),
            ("GetNetworkInterfaces", get_network_interfaces_request()),
            (
                "SetNetworkInterfaces",
                set_network_interfaces_request("eth0", &v4).unwrap(),
            ),
            (
                "GetNetworkDefaultGateway",
                get_network_default_gateway_request(),
            ),
            (
                "SetNetworkDefaultGateway",
                set_network_default_gateway_request(&["10.1.2.1"]).unwrap(),
            ),
            ("GetHostname", get_hostname_request()),
            ("SetHostname", set_hostname_request("cam-1").unwrap()),
            ("GetDNS", get_dns_request()),
            (
                "SetDNS",
                set_dns_request(&Dns {
                    from_dhcp: false,
                    search_domains: vec![],
                    servers: vec!["10.0.0.53".into()],
                })
                .unwrap(),
            ),
            ("GetNTP", get_ntp_request()),
            (
                "SetNTP",
                set_ntp_request(&Ntp {
                    from_dhcp: false,
                    servers: vec!["ntp.example".into()],
                }),
            ),
            ("GetScopes", get_scopes_request()),
            (
                "SetScopes",
                set_scopes_request(&["onvif://www.onvif.org/name/x"]).unwrap(),
            ),
            (
                "AddScopes",
                add_scopes_request(&["onvif://www.onvif.org/location/x"]).unwrap(),
            ),
            (
                "RemoveScopes",
                remove_scopes_request(&["onvif://www.onvif.org/location/x"]).unwrap(),
            ),
            ("GetUsers", get_users_request()),
            (
                "CreateUsers",
                create_users_request("ops", "pw", UserLevel::Operator).unwrap(),
            ),
            ("DeleteUsers", delete_users_request(&["ops"]).unwrap()),
            (
                "SetUser",
                set_user_request("ops", Some("pw"), UserLevel::User).unwrap(),
            ),
            ("SystemReboot", system_reboot_request()),
        ]
    }

    #[test]
    fn every_operation_the_code_uses_is_in_the_table() {
        let all = every_request();
        let device_rows: Vec<&str> = ops::all()
            .iter()
            .filter(|o| o.service == SERVICE)
            .map(|o| o.name)
            .collect();
        assert_eq!(all.len(), device_rows.len(), "one builder per device row");
        for (name, xml_text) in all {
            let op = operation(name);
            let root = xml::parse(xml_text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(root.is_ns(op.namespace, op.request), "{name}: {xml_text}");
        }
    }

    /// Replaces the text of every leaf element of `doc` with `value` (escaped).
    fn with_every_leaf(doc: &str, value: &str) -> String {
        let mut out = String::new();
        let mut rest = doc;
        // A leaf is `>text</`; swap each text for the hostile value.
        while let Some(open) = rest.find('>') {
            out.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
            if let Some(close) = rest.find('<') {
                if rest[close..].starts_with("</") && close > 0 {
                    out.push_str(&escape(value));
                    rest = &rest[close..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn the_hostile_value_reaches_every_leaf() {
        let doc = with_every_leaf(SDT, "Q&");
        // 15 leaves, plus the white space before </tds:SystemDateAndTime>.
        assert_eq!(doc.matches(">Q&amp;</").count(), 16, "{doc}");
        for original in ["2018", ">NTP<", ">true<", "CST7", ">28<"] {
            assert!(!doc.contains(original), "{original} survived: {doc}");
        }
    }

    proptest::proptest! {
        #[test]
        fn hostile_field_values_never_panic(value in "\\PC{0,40}") {
            let docs = [SDT, NIC];
            for doc in docs {
                let e = el(&with_every_leaf(doc, &value));
                let _ = parse_get_system_date_and_time(&e);
                let _ = parse_get_network_interfaces(&e);
            }
            let _ = normalize_mac(&value);
        }
    }
}
