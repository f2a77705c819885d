//! Dahua DHIP discovery, UDP 37810, multicast 239.255.255.251: a 32-byte header (bytes 4..8
//! the magic `DHIP`, the JSON length as a little-endian u32 at bytes 16..20) and JSON
//! (../shared/DOMAIN.md 3g). Dahua firmware and its OEMs (Amcrest and others) answer it with
//! ONVIF switched off. Field names are as observed in public scanners: read leniently.

use std::net::Ipv4Addr;

use crate::model::{VendorAnswer, VendorProtocol};

/// DHIP discovery's UDP port.
pub const PORT: u16 = 37810;
/// Its multicast group.
pub const GROUP: Ipv4Addr = Ipv4Addr::new(239, 255, 255, 251);
/// Bytes 4..8 of every packet.
pub const MAGIC: &[u8; 4] = b"DHIP";
/// Header length.
pub const HEADER: usize = 32;

/// A packet: header, then JSON.
pub fn packet(json: &str) -> Vec<u8> {
    let len = (json.len() as u32).to_le_bytes();
    let mut out = Vec::with_capacity(HEADER + json.len());
    out.extend_from_slice(&[0x20, 0, 0, 0]);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&len);
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&len);
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(json.as_bytes());
    out
}

/// The search request.
pub fn probe() -> Vec<u8> {
    packet(r#"{"method":"DHDiscover.search","params":{"mac":"","uni":1}}"#)
}

/// Reads a device's answer; `None` for anything else (a search echoed back, garbage).
pub fn parse(datagram: &[u8]) -> Option<VendorAnswer> {
    if datagram.len() < HEADER || &datagram[4..8] != MAGIC {
        return None;
    }
    let announced = u32::from_le_bytes(datagram[16..20].try_into().ok()?) as usize;
    // Never read past the datagram, whatever the header claims.
    let body = &datagram[HEADER..HEADER + announced.min(datagram.len() - HEADER)];
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    if json.get("method").and_then(|m| m.as_str()) == Some("DHDiscover.search") {
        return None;
    }
    let params = json.get("params")?;
    let info = params.get("deviceInfo").unwrap_or(params);
    let text = |v: Option<&serde_json::Value>| -> Option<String> {
        let v = v?;
        let s = match v {
            serde_json::Value::String(s) => s.trim().to_owned(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => return None,
        };
        (!s.is_empty()).then(|| s.chars().take(256).collect())
    };
    let field = |name: &str| text(info.get(name));
    let ipv4 = info
        .get("IPv4Address")
        .and_then(|a| text(a.get("IPAddress")).or_else(|| text(Some(a))));
    let channels = ["VideoInputChannels", "VideoInputs"]
        .iter()
        .find_map(|k| info.get(*k).and_then(|v| v.as_u64()))
        .map(|c| c.min(u64::from(u32::MAX)) as u32);
    let answer = VendorAnswer {
        protocol: Some(VendorProtocol::Dhip),
        from: None,
        model: field("DeviceType"),
        serial: field("SerialNo"),
        mac: text(params.get("mac"))
            .or_else(|| field("MAC"))
            .map(|m| m.replace('-', ":").to_ascii_lowercase()),
        firmware: field("Version"),
        ipv4,
        http_port: info
            .get("HttpPort")
            .and_then(|p| p.as_u64())
            .and_then(|p| u16::try_from(p).ok()),
        device_class: field("DeviceClass"),
        vendor: field("Vendor"),
        activated: None,
        channels,
        onvif: None,
    };
    (answer.model.is_some() || answer.serial.is_some() || answer.mac.is_some()).then_some(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_read_and_a_lying_length_is_not_followed() {
        let json = r#"{"method":"client.notifyDevInfo","params":{"mac":"3c:ef:8c:11:22:33","deviceInfo":{"DeviceType":"IPC-HDW2431T-AS","SerialNo":"6J0A8B5PAG12345","Version":"2.800.0000018.0.R","Vendor":"Dahua","DeviceClass":"IPC","HttpPort":80,"IPv4Address":{"IPAddress":"192.168.1.108"}}}}"#;
        let a = parse(&packet(json)).unwrap();
        assert_eq!(a.model.as_deref(), Some("IPC-HDW2431T-AS"));
        assert_eq!(a.serial.as_deref(), Some("6J0A8B5PAG12345"));
        assert_eq!(a.ipv4.as_deref(), Some("192.168.1.108"));
        assert_eq!(a.vendor.as_deref(), Some("Dahua"));
        let mut lying = packet(json);
        lying[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(parse(&lying).is_some(), "read up to the datagram's end");
        assert!(parse(&probe()).is_none(), "our own search");
        assert!(parse(b"DHIP").is_none());
        assert_eq!(&probe()[4..8], b"DHIP");
    }
}
