//! Hikvision SADP (Search Active Devices Protocol), UDP 37020, multicast 239.255.255.250:
//! the vendor's own discovery, which answers with ONVIF switched off (../shared/DOMAIN.md 3g).
//! Field names are as observed in public SADP clients, not a specification: the reader is
//! lenient, and every field is optional.

use std::net::Ipv4Addr;

use crate::model::{VendorAnswer, VendorProtocol};
use crate::soap::xml;

/// SADP's UDP port.
pub const PORT: u16 = 37020;
/// The multicast group SADP probes go to (the WS-Discovery group, another port).
pub const GROUP: Ipv4Addr = Ipv4Addr::new(239, 255, 255, 250);

/// The inquiry Probe, with an upper-case UUID as Hikvision's own tool sends.
pub fn probe(uuid: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Probe><Uuid>{}</Uuid><Types>inquiry</Types></Probe>",
        xml::escape(&uuid.to_ascii_uppercase())
    )
}

/// Reads a ProbeMatch; `None` for anything else (our own Probe echoed back, garbage).
pub fn parse(datagram: &[u8]) -> Option<VendorAnswer> {
    let root = xml::parse(datagram).ok()?;
    if !root.is("ProbeMatch") {
        return None;
    }
    let text = |name: &str| {
        root.child_text(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| v.chars().take(256).collect::<String>())
    };
    let num = |name: &str| text(name).and_then(|v| v.parse::<u32>().ok());
    let channels = match (num("AnalogChannelNum"), num("DigitalChannelNum")) {
        (None, None) => None,
        (a, d) => Some(a.unwrap_or(0).saturating_add(d.unwrap_or(0))),
    };
    let answer = VendorAnswer {
        protocol: Some(VendorProtocol::Sadp),
        from: None,
        model: text("DeviceDescription"),
        serial: text("DeviceSN"),
        mac: text("MAC").map(|m| m.replace('-', ":").to_ascii_lowercase()),
        firmware: text("SoftwareVersion"),
        ipv4: text("IPv4Address"),
        http_port: text("HttpPort").and_then(|p| p.parse().ok()),
        device_class: text("DeviceType"),
        vendor: text("OEMInfo"),
        activated: text("Activated").map(|a| a.eq_ignore_ascii_case("true")),
        channels,
        onvif: None,
    };
    (answer.model.is_some() || answer.serial.is_some() || answer.mac.is_some()).then_some(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_probe_match_is_read_leniently() {
        // Shaped like the replies public SADP clients parse (DOMAIN.md 3g field list).
        let reply = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><ProbeMatch><Uuid>AB12</Uuid>\
            <Types>inquiry</Types><DeviceType>138</DeviceType>\
            <DeviceDescription>DS-7608NI-K2</DeviceDescription>\
            <DeviceSN>DS-7608NI-K20820210101CCRRF12345678WCVU</DeviceSN>\
            <MAC>44-19-b6-00-00-01</MAC><IPv4Address>192.168.1.64</IPv4Address>\
            <HttpPort>80</HttpPort><SoftwareVersion>V4.30.085build 210105</SoftwareVersion>\
            <Activated>false</Activated><AnalogChannelNum>0</AnalogChannelNum>\
            <DigitalChannelNum>8</DigitalChannelNum><OEMInfo>N/A</OEMInfo></ProbeMatch>";
        let a = parse(reply).unwrap();
        assert_eq!(a.model.as_deref(), Some("DS-7608NI-K2"));
        assert_eq!(a.mac.as_deref(), Some("44:19:b6:00:00:01"));
        assert_eq!(a.activated, Some(false));
        assert_eq!(a.channels, Some(8));
        assert_eq!(a.http_port, Some(80));
        assert!(parse(probe("1a2b").as_bytes()).is_none(), "our own probe");
        assert!(parse(b"\x00garbage").is_none());
        assert!(probe("1a2b").contains("<Uuid>1A2B</Uuid><Types>inquiry</Types>"));
    }
}
