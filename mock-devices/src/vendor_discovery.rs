//! The vendors' own discovery protocols, which real Hikvision and Dahua units answer even with
//! ONVIF switched off (../shared/DOMAIN.md 3g):
//!
//! - **Hikvision SADP**, UDP 37020 (multicast 239.255.255.250): the request is
//!   `<Probe><Uuid>…</Uuid><Types>inquiry</Types></Probe>`; the answer a `<ProbeMatch>` with
//!   `Uuid`, `Types`, `DeviceType`, `DeviceDescription` (model), `DeviceSN`, `CommandPort`,
//!   `HttpPort`, `MAC` (dash-separated), `IPv4Address`, `SoftwareVersion`, `Activated`,
//!   `AnalogChannelNum`, `DigitalChannelNum`, `OEMInfo`… (field list of the oldweipro/hik-dev SDK
//!   wrapper and open-source SADP clients).
//! - **Dahua DHIP**, UDP 37810 (multicast 239.255.255.251): a 32-byte header (bytes 4..8 `DHIP`,
//!   JSON length as a little-endian u32 at bytes 16..20 and again at 24..28) and JSON; the
//!   request `{"method":"DHDiscover.search","params":{"mac":"","uni":1}}`, the answer
//!   `{"method":"client.notifyDevInfo","params":{"mac":…,"deviceInfo":{"DeviceType",
//!   "SerialNo","Version","Vendor","DeviceClass","HttpPort","IPv4Address":{"IPAddress",…}}}}`
//!   (UniversalScanner's Dahua2 engine, ethodump-ng's DHIP module).
//!
//! This module shares no code with camswap: it parses requests with its own code.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;
use tokio::task::JoinHandle;

use crate::persona::Persona;

/// SADP's port on a real network.
pub const SADP_PORT: u16 = 37020;
/// DHIP discovery's port on a real network.
pub const DHIP_PORT: u16 = 37810;
/// DHIP's magic, bytes 4..8 of the header.
pub const DHIP_MAGIC: &[u8; 4] = b"DHIP";
/// DHIP header length.
pub const DHIP_HEADER: usize = 32;

/// Which vendor protocol a device answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VendorProtocol {
    /// Hikvision SADP.
    Sadp,
    /// Dahua DHIP discovery.
    Dhip,
}

impl VendorProtocol {
    /// The protocol a persona's firmware answers: Hikvision (and its OEMs) SADP, Dahua (and
    /// Amcrest) DHIP; approved makers none.
    pub fn for_persona(p: &Persona) -> Option<Self> {
        let m = p.identity.manufacturer.to_ascii_lowercase();
        if m.contains("hikvision") || m.contains("lts") || m.contains("annke") {
            Some(Self::Sadp)
        } else if m.contains("dahua") || m.contains("amcrest") || m.contains("lorex") {
            Some(Self::Dhip)
        } else {
            None
        }
    }

    /// The real port.
    pub fn default_port(self) -> u16 {
        match self {
            Self::Sadp => SADP_PORT,
            Self::Dhip => DHIP_PORT,
        }
    }
}

/// What the device tells in its answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Model.
    pub model: String,
    /// Serial.
    pub serial: String,
    /// MAC (`aa:bb:..`).
    pub mac: String,
    /// Firmware.
    pub firmware: String,
    /// IPv4 address.
    pub ipv4: Ipv4Addr,
    /// Web port.
    pub http_port: u16,
    /// Vendor (DHIP `Vendor`).
    pub vendor: String,
    /// Video channels (recorders more than one).
    pub channels: u32,
}

impl Answer {
    /// The answer a persona's device at `ip:http_port` gives.
    pub fn of(p: &Persona, ip: Ipv4Addr, http_port: u16) -> Self {
        Self {
            model: p.identity.model.clone(),
            serial: p.identity.serial.clone(),
            mac: p
                .network
                .interfaces
                .first()
                .map(|i| i.mac.to_ascii_lowercase())
                .unwrap_or_default(),
            firmware: p.identity.firmware.clone(),
            ipv4: ip,
            http_port,
            vendor: p.identity.manufacturer.clone(),
            channels: p
                .media
                .as_ref()
                .map_or(1, |m| m.video_sources.len().max(1) as u32),
        }
    }
}

/// Text between `<tag>` and `</tag>`, if any.
fn element<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&close)?;
    Some(&xml[start..end])
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The SADP ProbeMatch for a Probe, or `None` when the datagram is not an inquiry Probe.
pub fn sadp_reply(request: &[u8], a: &Answer) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(request).ok()?;
    if !text.contains("<Probe>") || element(text, "Types")?.trim() != "inquiry" {
        return None;
    }
    let uuid = element(text, "Uuid").unwrap_or("").trim();
    // Hikvision writes the firmware as "V5.7.3build 220112" and the MAC dash-separated.
    let firmware = a.firmware.replacen(" build", "build", 1);
    let mac = a.mac.replace(':', "-");
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ProbeMatch><Uuid>{uuid}</Uuid><Types>inquiry</Types>\
         <DeviceType>138</DeviceType><DeviceDescription>{model}</DeviceDescription>\
         <DeviceSN>{serial}</DeviceSN><CommandPort>8000</CommandPort><HttpPort>{http}</HttpPort>\
         <MAC>{mac}</MAC><IPv4Address>{ip}</IPv4Address><IPv4SubnetMask>255.255.255.0</IPv4SubnetMask>\
         <IPv4Gateway>0.0.0.0</IPv4Gateway><DHCP>false</DHCP><AnalogChannelNum>0</AnalogChannelNum>\
         <DigitalChannelNum>{channels}</DigitalChannelNum><SoftwareVersion>{firmware}</SoftwareVersion>\
         <DSPVersion>V7.3 build 211228</DSPVersion><BootTime>2024-05-01 08:00:00</BootTime>\
         <Activated>true</Activated><PasswordResetAbility>true</PasswordResetAbility>\
         <OEMInfo>N/A</OEMInfo></ProbeMatch>",
        model = escape(&a.model),
        serial = escape(&a.serial),
        http = a.http_port,
        mac = escape(&mac),
        ip = a.ipv4,
        channels = a.channels,
        firmware = escape(&firmware),
    );
    Some(xml.into_bytes())
}

/// A DHIP packet: header and JSON.
pub fn dhip_packet(json: &str) -> Vec<u8> {
    let len = (json.len() as u32).to_le_bytes();
    let mut out = Vec::with_capacity(DHIP_HEADER + json.len());
    out.extend_from_slice(&[0x20, 0, 0, 0]);
    out.extend_from_slice(DHIP_MAGIC);
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&len);
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&len);
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(json.as_bytes());
    out
}

/// The DHIP answer to a `DHDiscover.search`, or `None` for anything else.
pub fn dhip_reply(request: &[u8], a: &Answer) -> Option<Vec<u8>> {
    if request.len() < DHIP_HEADER || &request[4..8] != DHIP_MAGIC {
        return None;
    }
    let len = u32::from_le_bytes(request[16..20].try_into().ok()?) as usize;
    let body = request.get(DHIP_HEADER..DHIP_HEADER.checked_add(len)?)?;
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    if json.get("method")?.as_str()? != "DHDiscover.search" {
        return None;
    }
    let reply = serde_json::json!({
        "method": "client.notifyDevInfo",
        "params": {
            "mac": a.mac,
            "deviceInfo": {
                "DeviceType": a.model,
                "DeviceClass": if a.channels > 1 { "NVR" } else { "IPC" },
                "SerialNo": a.serial,
                "Version": a.firmware,
                "Vendor": a.vendor,
                "HttpPort": a.http_port,
                "Port": 37777,
                "VideoInputChannels": a.channels,
                "IPv4Address": {
                    "IPAddress": a.ipv4.to_string(),
                    "SubnetMask": "255.255.255.0",
                    "DefaultGateway": "0.0.0.0",
                    "DhcpEnable": false
                }
            }
        }
    });
    Some(dhip_packet(&reply.to_string()))
}

/// SADP's multicast group.
pub const SADP_GROUP: Ipv4Addr = Ipv4Addr::new(239, 255, 255, 250);
/// DHIP discovery's multicast group.
pub const DHIP_GROUP: Ipv4Addr = Ipv4Addr::new(239, 255, 255, 251);

impl VendorProtocol {
    /// The multicast group a real unit listens on.
    pub fn group(self) -> Ipv4Addr {
        match self {
            Self::Sadp => SADP_GROUP,
            Self::Dhip => DHIP_GROUP,
        }
    }
}

/// Answers `protocol` on `ip:port` until the returned task is aborted; with `join_multicast`
/// also on the protocol's group (joined on the interface holding `ip`, through a second
/// socket bound to `group:port`, as a real unit hears a multicast inquiry). Answers leave
/// from `ip:port` to the sender either way.
pub async fn start(
    protocol: VendorProtocol,
    ip: Ipv4Addr,
    port: u16,
    answer: Answer,
    join_multicast: bool,
) -> io::Result<(JoinHandle<()>, SocketAddr)> {
    let socket = UdpSocket::bind((ip, port)).await?;
    let local = socket.local_addr()?;
    let group = if join_multicast {
        let g = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
        g.set_reuse_address(true)?;
        g.set_reuse_port(true)?;
        g.set_nonblocking(true)?;
        g.bind(&SocketAddr::V4(SocketAddrV4::new(protocol.group(), local.port())).into())?;
        g.join_multicast_v4(&protocol.group(), &ip)?;
        Some(UdpSocket::from_std(g.into())?)
    } else {
        None
    };
    let task = tokio::spawn(async move {
        let mut buf = vec![0u8; 8192];
        let mut gbuf = vec![0u8; 8192];
        loop {
            let (n, from, multicast) = tokio::select! {
                r = socket.recv_from(&mut buf) => match r {
                    Ok((n, from)) => (n, from, false),
                    Err(_) => continue,
                },
                r = async {
                    match &group {
                        Some(g) => g.recv_from(&mut gbuf).await,
                        None => std::future::pending().await,
                    }
                } => match r {
                    Ok((n, from)) => (n, from, true),
                    Err(_) => continue,
                },
            };
            let request = if multicast { &gbuf[..n] } else { &buf[..n] };
            let reply = match protocol {
                VendorProtocol::Sadp => sadp_reply(request, &answer),
                VendorProtocol::Dhip => dhip_reply(request, &answer),
            };
            if let Some(r) = reply {
                let _ = socket.send_to(&r, from).await;
            }
        }
    });
    Ok((task, local))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer() -> Answer {
        Answer {
            model: "DS-2CD2143G2-I".into(),
            serial: "DS-2CD2143G2-I20220301AAWRJ12345678".into(),
            mac: "44:19:b6:6a:01:02".into(),
            firmware: "V5.7.3 build 220112".into(),
            ipv4: Ipv4Addr::new(127, 0, 0, 1),
            http_port: 80,
            vendor: "HIKVISION".into(),
            channels: 1,
        }
    }

    #[test]
    fn sadp_answers_an_inquiry_probe_only() {
        let probe = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><Probe><Uuid>1A2B</Uuid><Types>inquiry</Types></Probe>";
        let r = String::from_utf8(sadp_reply(probe, &answer()).unwrap()).unwrap();
        assert!(r.contains("<Uuid>1A2B</Uuid>"));
        assert!(r.contains("<MAC>44-19-b6-6a-01-02</MAC>"));
        assert!(r.contains("<SoftwareVersion>V5.7.3build 220112</SoftwareVersion>"));
        assert!(sadp_reply(b"<Probe><Types>update</Types></Probe>", &answer()).is_none());
        assert!(sadp_reply(b"\xff\xfe", &answer()).is_none());
    }

    #[test]
    fn dhip_answers_a_search_only() {
        let req = dhip_packet(r#"{"method":"DHDiscover.search","params":{"mac":"","uni":1}}"#);
        assert_eq!(&req[4..8], b"DHIP");
        let r = dhip_reply(&req, &answer()).unwrap();
        let len = u32::from_le_bytes(r[16..20].try_into().unwrap()) as usize;
        let v: serde_json::Value = serde_json::from_slice(&r[32..32 + len]).unwrap();
        assert_eq!(v["params"]["deviceInfo"]["SerialNo"], answer().serial);
        assert!(dhip_reply(&dhip_packet(r#"{"method":"x"}"#), &answer()).is_none());
        assert!(dhip_reply(b"DHIPshort", &answer()).is_none());
        // A length beyond the datagram is refused, not read past.
        let mut bad = req.clone();
        bad[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(dhip_reply(&bad, &answer()).is_none());
    }
}
