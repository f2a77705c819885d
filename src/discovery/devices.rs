//! What discovery found: one record per device (merged by endpoint reference), and the
//! `devices.json` file that `camswap inventory` reads.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::message::Announcement;
use crate::files::{self, FileError};
use crate::model::strip_userinfo;

/// `format` of `devices.json`.
pub const FORMAT: &str = "camswap.devices";
/// Newest `devices.json` version this binary writes and reads.
///
/// Version 1: `devices[]` with endpoint, xaddrs, scopes, types, from, metadata_version, xaddr,
/// xaddr_mismatch, seen, also_from.
pub const VERSION: u64 = 1;

/// How a device made itself known during the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Seen {
    /// It answered our Probe.
    ProbeMatch,
    /// It announced itself (joined the network).
    Hello,
    /// It said goodbye (left the network).
    Bye,
}

/// One discovered device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// Endpoint reference address: the device's stable id (`urn:uuid:...`).
    pub endpoint: String,
    /// Every XAddr the device advertised, in the order first seen (userinfo stripped).
    pub xaddrs: Vec<String>,
    /// Scope URIs (union over every message from this device).
    pub scopes: Vec<String>,
    /// Types, `{namespace}local` when resolved, else as written (`dn:NetworkVideoTransmitter`
    /// from a device that never declared `dn`).
    pub types: Vec<String>,
    /// The address the first message came from (UDP source).
    pub from: IpAddr,
    /// Highest MetadataVersion seen, if any message carried one.
    pub metadata_version: Option<u32>,
    /// The device service address to use: the XAddr whose host is the sender, else the first
    /// XAddr rewritten to the sender's address (cameras behind NAT, or with a stale or
    /// link-local address in their XAddrs). `None` when the device sent no XAddrs (a Bye).
    pub xaddr: Option<String>,
    /// XAddrs whose host is not the address the device answered from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub xaddr_mismatch: Vec<String>,
    /// Which messages it sent during the window.
    pub seen: Vec<Seen>,
    /// Other addresses the same endpoint answered from (a multi-homed device).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_from: Vec<IpAddr>,
    /// Answers to the vendors' own discovery protocols (SADP, DHIP) from this device; a record
    /// with only these (no XAddr) is a device whose ONVIF is off (see
    /// [`super::vendor::merge`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vendor: Vec<crate::model::VendorAnswer>,
}

impl Device {
    /// The value of the first scope in `category` (`name`, `hardware`, `location`...),
    /// compared without regard to case (`Name/` from the 631GA), percent-escapes decoded.
    pub fn scope_value(&self, category: &str) -> Option<String> {
        self.scopes.iter().find_map(|s| {
            let rest = s.strip_prefix("onvif://www.onvif.org/")?;
            let (cat, value) = rest.split_once('/')?;
            (cat.eq_ignore_ascii_case(category) && !value.is_empty()).then(|| percent_decode(value))
        })
    }

    /// True when the device left during the window (a Bye after any Hello or answer).
    pub fn left(&self) -> bool {
        self.seen.contains(&Seen::Bye)
    }
}

/// `devices.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevicesFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`] when written by this binary.
    pub version: u64,
    /// Sorted by address, then endpoint.
    pub devices: Vec<Device>,
}

impl DevicesFile {
    /// Wraps devices in the current format and version.
    pub fn new(devices: Vec<Device>) -> Self {
        Self {
            format: FORMAT.into(),
            version: VERSION,
            devices,
        }
    }
}

/// Writes `devices.json` atomically.
pub fn write_devices(path: &Path, devices: &[Device]) -> Result<(), FileError> {
    files::write_json(path, &DevicesFile::new(devices.to_vec()))
}

/// Reads `devices.json`, refusing other formats and newer versions.
pub fn read_devices(path: &Path) -> Result<DevicesFile, FileError> {
    files::read_json(path, FORMAT, VERSION)
}

/// Merges every message of the window into one record per endpoint.
#[derive(Debug, Default)]
pub struct Collector {
    by_endpoint: BTreeMap<String, Partial>,
}

#[derive(Debug)]
struct Partial {
    xaddrs: Vec<String>,
    scopes: Vec<String>,
    types: Vec<String>,
    from: Vec<IpAddr>,
    metadata_version: Option<u32>,
    seen: BTreeSet<Seen>,
}

impl Collector {
    /// Adds what `from` said about one device.
    pub fn add(&mut self, from: IpAddr, kind: Seen, a: &Announcement) {
        let p = self
            .by_endpoint
            .entry(a.endpoint.clone())
            .or_insert_with(|| Partial {
                xaddrs: Vec::new(),
                scopes: Vec::new(),
                types: Vec::new(),
                from: Vec::new(),
                metadata_version: None,
                seen: BTreeSet::new(),
            });
        push_new(&mut p.from, from);
        for x in &a.xaddrs {
            push_new(&mut p.xaddrs, strip_userinfo(x));
        }
        for s in &a.scopes {
            push_new(&mut p.scopes, s.clone());
        }
        for t in &a.types {
            push_new(&mut p.types, t.to_string());
        }
        p.metadata_version = p.metadata_version.max(a.metadata_version);
        p.seen.insert(kind);
    }

    /// How many distinct endpoints so far.
    pub fn len(&self) -> usize {
        self.by_endpoint.len()
    }

    /// True when nothing was collected.
    pub fn is_empty(&self) -> bool {
        self.by_endpoint.is_empty()
    }

    /// The devices, sorted by address (numerically), then endpoint.
    pub fn finish(self) -> Vec<Device> {
        let mut out: Vec<Device> = self
            .by_endpoint
            .into_iter()
            .map(|(endpoint, p)| {
                let from = p.from[0];
                let xaddr_mismatch: Vec<String> = p
                    .xaddrs
                    .iter()
                    .filter(|x| !host_is(x, from))
                    .cloned()
                    .collect();
                let xaddr = p
                    .xaddrs
                    .iter()
                    .find(|x| host_is(x, from))
                    .cloned()
                    .or_else(|| p.xaddrs.first().and_then(|x| rewrite_host(x, from)));
                Device {
                    endpoint,
                    xaddrs: p.xaddrs,
                    scopes: p.scopes,
                    types: p.types,
                    from,
                    metadata_version: p.metadata_version,
                    xaddr,
                    xaddr_mismatch,
                    seen: p.seen.into_iter().collect(),
                    also_from: p.from[1..].to_vec(),
                    vendor: Vec::new(),
                }
            })
            .collect();
        out.sort_by(|a, b| (a.from, &a.endpoint).cmp(&(b.from, &b.endpoint)));
        out
    }
}

fn push_new<T: PartialEq>(v: &mut Vec<T>, item: T) {
    if !v.contains(&item) {
        v.push(item);
    }
}

/// Where the host of a URL sits: (start, end) byte offsets, brackets included for IPv6.
fn host_span(url: &str) -> Option<(usize, usize)> {
    let start = url.find("://")? + 3;
    let rest = &url[start..];
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let auth = &rest[..auth_end];
    let host_start = auth.rfind('@').map_or(0, |i| i + 1);
    let host = &auth[host_start..];
    let host_len = if host.starts_with('[') {
        host.find(']')? + 1
    } else {
        host.find(':').unwrap_or(host.len())
    };
    (host_len > 0).then_some((start + host_start, start + host_start + host_len))
}

/// The host of a URL, brackets removed (`10.0.0.1`, `fe80::1`, `camera.local`).
pub fn url_host(url: &str) -> Option<&str> {
    let (s, e) = host_span(url)?;
    Some(url[s..e].trim_start_matches('[').trim_end_matches(']'))
}

/// True when the URL's host is the address `ip`.
fn host_is(url: &str, ip: IpAddr) -> bool {
    url_host(url)
        .and_then(|h| h.parse::<IpAddr>().ok())
        .is_some_and(|h| h == ip)
}

/// The URL with its host replaced by `ip` (scheme, port, path and query kept).
pub fn rewrite_host(url: &str, ip: IpAddr) -> Option<String> {
    let (s, e) = host_span(url)?;
    let host = match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    };
    Some(format!("{}{host}{}", &url[..s], &url[e..]))
}

/// Decodes `%XX` escapes (scope values such as `HIKVISION%20DS-2CD2145FWD-I`); bad escapes are
/// left as they are.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::message::TypeName;

    fn ann(endpoint: &str, xaddrs: &[&str]) -> Announcement {
        Announcement {
            endpoint: endpoint.into(),
            types: vec![TypeName::network_video_transmitter()],
            scopes: vec!["onvif://www.onvif.org/name/HIKVISION%20DS-2CD2145FWD-I".into()],
            xaddrs: xaddrs.iter().map(|s| s.to_string()).collect(),
            metadata_version: Some(1),
        }
    }

    #[test]
    fn duplicates_merge_by_endpoint_with_a_union_of_xaddrs() {
        let ip: IpAddr = "10.0.0.246".parse().unwrap();
        let mut c = Collector::default();
        c.add(
            ip,
            Seen::ProbeMatch,
            &ann("urn:uuid:a", &["http://10.0.0.246/onvif/device_service"]),
        );
        c.add(
            ip,
            Seen::ProbeMatch,
            &ann("urn:uuid:a", &["https://10.0.0.246/onvif/device_service"]),
        );
        c.add(
            ip,
            Seen::Hello,
            &ann("urn:uuid:a", &["http://10.0.0.246/onvif/device_service"]),
        );
        let d = c.finish();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].xaddrs.len(), 2);
        assert_eq!(d[0].seen, [Seen::ProbeMatch, Seen::Hello]);
        assert!(d[0].xaddr_mismatch.is_empty());
        assert_eq!(
            d[0].scope_value("NAME").as_deref(),
            Some("HIKVISION DS-2CD2145FWD-I")
        );
    }

    #[test]
    fn link_local_first_picks_the_xaddr_on_the_sender() {
        // axis/ProbeMatches-kupnp.xml lists 169.254.180.212 before 10.0.0.246.
        let ip: IpAddr = "10.0.0.246".parse().unwrap();
        let mut c = Collector::default();
        c.add(
            ip,
            Seen::ProbeMatch,
            &ann(
                "urn:uuid:b",
                &[
                    "http://169.254.180.212/onvif/device_service",
                    "http://10.0.0.246/onvif/device_service",
                ],
            ),
        );
        let d = &c.finish()[0];
        assert_eq!(
            d.xaddr.as_deref(),
            Some("http://10.0.0.246/onvif/device_service")
        );
        assert_eq!(
            d.xaddr_mismatch,
            ["http://169.254.180.212/onvif/device_service"]
        );
    }

    #[test]
    fn wrong_host_is_rewritten_to_the_sender_keeping_port_and_path() {
        let ip: IpAddr = "10.1.2.3".parse().unwrap();
        let mut c = Collector::default();
        c.add(
            ip,
            Seen::ProbeMatch,
            &ann(
                "urn:uuid:c",
                &["http://admin:pw@192.168.1.64:8000/onvif/device_service"],
            ),
        );
        let d = &c.finish()[0];
        assert_eq!(d.xaddrs, ["http://192.168.1.64:8000/onvif/device_service"]);
        assert_eq!(
            d.xaddr.as_deref(),
            Some("http://10.1.2.3:8000/onvif/device_service")
        );
        assert_eq!(d.xaddr_mismatch, d.xaddrs);
    }

    #[test]
    fn hosts_are_found_in_every_url_shape() {
        assert_eq!(url_host("http://[fd8f::1]/x"), Some("fd8f::1"));
        assert_eq!(url_host("http://[fd8f::1]:80/x"), Some("fd8f::1"));
        assert_eq!(url_host("https://cam.local:443"), Some("cam.local"));
        assert_eq!(url_host("http://u:p@1.2.3.4/x"), Some("1.2.3.4"));
        assert_eq!(url_host("not a url"), None);
        assert_eq!(url_host("http:///x"), None);
        assert_eq!(
            rewrite_host("http://[fd8f::1]:81/x?y", "1.2.3.4".parse().unwrap()).as_deref(),
            Some("http://1.2.3.4:81/x?y")
        );
    }

    #[test]
    fn devices_sort_by_address_numerically() {
        let mut c = Collector::default();
        for (ip, ep) in [
            ("10.0.0.10", "urn:uuid:1"),
            ("10.0.0.9", "urn:uuid:2"),
            ("9.0.0.1", "urn:uuid:3"),
        ] {
            c.add(ip.parse().unwrap(), Seen::ProbeMatch, &ann(ep, &[]));
        }
        let order: Vec<String> = c.finish().iter().map(|d| d.from.to_string()).collect();
        assert_eq!(order, ["9.0.0.1", "10.0.0.9", "10.0.0.10"]);
    }

    #[test]
    fn devices_json_round_trips_and_refuses_newer_versions() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("devices.json");
        let mut c = Collector::default();
        c.add(
            "10.0.0.5".parse().unwrap(),
            Seen::ProbeMatch,
            &ann("urn:uuid:d", &["http://10.0.0.5/onvif/device_service"]),
        );
        let devices = c.finish();
        write_devices(&p, &devices).unwrap();
        let back = read_devices(&p).unwrap();
        assert_eq!(back.devices, devices);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains("\"format\": \"camswap.devices\""));
        std::fs::write(&p, text.replace("\"version\": 1", "\"version\": 2")).unwrap();
        let e = read_devices(&p).unwrap_err().to_string();
        assert!(e.contains("devices.json") && e.contains("version 2"), "{e}");
    }
}
