//! Probing with the vendors' own discovery protocols ([`super::sadp`], [`super::dhip`]):
//! multicast to each protocol's group on every given interface, and directed probes to given
//! addresses; answers collected for the listening window and merged with what WS-Discovery
//! found (see [`merge`]).

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use tokio::net::UdpSocket;

use super::devices::Device;
use super::{dhip, sadp};
use crate::model::{VendorAnswer, VendorProtocol};

/// Most answers kept per protocol: a flood cannot grow the list without bound.
const MAX_ANSWERS: usize = 65_536;

/// What to probe.
#[derive(Debug, Clone)]
pub struct VendorSettings {
    /// Protocols to use.
    pub protocols: Vec<VendorProtocol>,
    /// Send to each protocol's multicast group.
    pub multicast: bool,
    /// Interfaces to send multicast from (empty: the default route's).
    pub interfaces: Vec<Ipv4Addr>,
    /// Addresses to probe directly.
    pub targets: Vec<Ipv4Addr>,
    /// SADP port (37020 on a real network).
    pub sadp_port: u16,
    /// DHIP port (37810 on a real network).
    pub dhip_port: u16,
    /// How long to listen after sending.
    pub timeout: Duration,
}

impl Default for VendorSettings {
    fn default() -> Self {
        Self {
            protocols: vec![VendorProtocol::Sadp, VendorProtocol::Dhip],
            multicast: true,
            interfaces: Vec::new(),
            targets: Vec::new(),
            sadp_port: sadp::PORT,
            dhip_port: dhip::PORT,
            timeout: Duration::from_secs(3),
        }
    }
}

/// Probes with every protocol at once and returns the answers, each with the address it came
/// from, deduplicated per protocol and sender.
pub async fn discover(s: &VendorSettings) -> std::io::Result<Vec<VendorAnswer>> {
    let mut tasks = Vec::new();
    for p in s.protocols.iter().copied() {
        let s = s.clone();
        tasks.push(tokio::spawn(async move { one(p, &s).await }));
    }
    let mut out = Vec::new();
    for t in tasks {
        match t.await {
            Ok(Ok(mut answers)) => out.append(&mut answers),
            Ok(Err(e)) => return Err(e),
            Err(e) => return Err(std::io::Error::other(e)),
        }
    }
    Ok(out)
}

async fn one(p: VendorProtocol, s: &VendorSettings) -> std::io::Result<Vec<VendorAnswer>> {
    let (port, group, request) = match p {
        VendorProtocol::Sadp => (
            s.sadp_port,
            sadp::GROUP,
            sadp::probe(&uuid::Uuid::new_v4().to_string()).into_bytes(),
        ),
        VendorProtocol::Dhip => (s.dhip_port, dhip::GROUP, dhip::probe()),
    };
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).await?;
    for t in &s.targets {
        if let Err(e) = socket.send_to(&request, (*t, port)).await {
            tracing::warn!(protocol = p.name(), target = %t, error = %e, "vendor probe not sent");
        }
    }
    if s.multicast {
        let _ = socket.set_multicast_loop_v4(true);
        let interfaces: Vec<Option<Ipv4Addr>> = if s.interfaces.is_empty() {
            vec![None]
        } else {
            s.interfaces.iter().copied().map(Some).collect()
        };
        for i in interfaces {
            if let Some(ip) = i {
                let sock = socket2::SockRef::from(&socket);
                let _ = sock.set_multicast_if_v4(&ip);
            }
            if let Err(e) = socket.send_to(&request, (group, port)).await {
                tracing::debug!(protocol = p.name(), error = %e, "vendor multicast probe not sent");
            }
        }
    }
    let mut out: Vec<VendorAnswer> = Vec::new();
    let mut seen: BTreeSet<(IpAddr, Option<String>)> = BTreeSet::new();
    let mut buf = vec![0u8; 65_536];
    let deadline = tokio::time::Instant::now() + s.timeout;
    loop {
        let Ok(received) = tokio::time::timeout_at(deadline, socket.recv_from(&mut buf)).await
        else {
            break;
        };
        let Ok((n, from)) = received else { continue };
        let parsed = match p {
            VendorProtocol::Sadp => sadp::parse(&buf[..n]),
            VendorProtocol::Dhip => dhip::parse(&buf[..n]),
        };
        let Some(mut a) = parsed else { continue };
        a.from = Some(from.ip().to_string());
        if out.len() < MAX_ANSWERS && seen.insert((from.ip(), a.serial.clone())) {
            out.push(a);
        }
    }
    Ok(out)
}

/// Puts vendor answers on the WS-Discovery records of the same address (ONVIF on), and makes
/// a record for every other answering device: ONVIF off (or filtered), found only by its
/// vendor protocol, with the endpoint `urn:camswap:<protocol>:<serial or MAC or address>`.
pub fn merge(devices: &mut Vec<Device>, answers: Vec<VendorAnswer>) {
    for mut a in answers {
        let from: Option<IpAddr> = a.from.as_deref().and_then(|f| f.parse().ok());
        let onvif = devices.iter_mut().find(|d| {
            d.xaddr.is_some()
                && (Some(d.from) == from
                    || a.ipv4.as_deref().and_then(|ip| ip.parse::<IpAddr>().ok()) == Some(d.from))
        });
        match onvif {
            Some(d) => {
                a.onvif = Some(true);
                d.vendor.push(a);
            }
            None => {
                a.onvif = Some(false);
                let key = a
                    .serial
                    .clone()
                    .or_else(|| a.mac.clone())
                    .or_else(|| a.from.clone())
                    .unwrap_or_default();
                let proto = a.protocol.map_or("vendor", |p| match p {
                    VendorProtocol::Sadp => "sadp",
                    VendorProtocol::Dhip => "dhip",
                });
                let endpoint = format!("urn:camswap:{proto}:{key}");
                if let Some(d) = devices.iter_mut().find(|d| d.endpoint == endpoint) {
                    d.vendor.push(a);
                    continue;
                }
                devices.push(Device {
                    endpoint,
                    xaddrs: Vec::new(),
                    scopes: Vec::new(),
                    types: Vec::new(),
                    from: from.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
                    metadata_version: None,
                    xaddr: None,
                    xaddr_mismatch: Vec::new(),
                    seen: Vec::new(),
                    contested_by: Vec::new(),
                    vendor: vec![a],
                });
            }
        }
    }
    devices.sort_by(|a, b| a.from.cmp(&b.from).then(a.endpoint.cmp(&b.endpoint)));
}

/// True for a record found only by a vendor protocol (ONVIF off).
pub fn onvif_off(d: &Device) -> bool {
    d.xaddr.is_none() && !d.vendor.is_empty() && d.vendor.iter().all(|a| a.onvif == Some(false))
}
