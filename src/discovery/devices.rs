//! What discovery found: one record per device and address (messages merged by endpoint
//! reference and sender), and the `devices.json` file that `camswap inventory` reads.
//!
//! An endpoint that answers from more than one address is never merged into one record: any
//! host can claim any endpoint in a ProbeMatch (no authentication), and the first answer
//! winning would hand an impostor the real device's place and the credentials matched by its
//! endpoint. Each address gets its own record, marked `contested_by` the others, and the file
//! lists the claim under `conflicts`.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::message::Announcement;
use crate::files::{self, FileError};
use crate::model::{Conflict, conflicts, http_url, redact_uri};

/// `format` of `devices.json`.
pub const FORMAT: &str = "camswap.devices";
/// Newest `devices.json` version this binary writes and reads.
///
/// Version 1: `devices[]` with endpoint, xaddrs, scopes, types, from, metadata_version, xaddr,
/// xaddr_mismatch, seen, and (additive, absent when empty) contested_by; `conflicts[]` with
/// claim and addresses (absent when empty). Files from before the split may carry
/// `also_from`, which is ignored.
pub const VERSION: u64 = 1;

/// How a device made itself known during the window.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// Other addresses that answered for the same endpoint: each has its own record, and
    /// nothing matched by the endpoint (credentials) goes to any of them. A multi-homed device
    /// looks the same; matching it by IP is the way to say it is one device.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contested_by: Vec<IpAddr>,
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

    /// True when another address claims this device's endpoint.
    pub fn contested(&self) -> bool {
        !self.contested_by.is_empty()
    }
}

/// `devices.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DevicesFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`] when written by this binary.
    pub version: u64,
    /// Sorted by address, then endpoint.
    pub devices: Vec<Device>,
    /// Endpoints claimed by more than one address.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

impl DevicesFile {
    /// Wraps devices in the current format and version, with their conflicts.
    pub fn new(devices: Vec<Device>) -> Self {
        Self {
            format: FORMAT.into(),
            version: VERSION,
            conflicts: endpoint_conflicts(&devices),
            devices,
        }
    }
}

/// Endpoints claimed by more than one address.
pub fn endpoint_conflicts(devices: &[Device]) -> Vec<Conflict> {
    let from: Vec<String> = devices.iter().map(|d| d.from.to_string()).collect();
    conflicts(
        devices
            .iter()
            .zip(&from)
            .map(|(d, a)| (format!("endpoint:{}", d.endpoint), a.as_str())),
    )
}

/// Writes `devices.json` atomically.
pub fn write_devices(path: &Path, devices: &[Device]) -> Result<(), FileError> {
    files::write_json(path, &DevicesFile::new(devices.to_vec()))
}

/// Reads `devices.json`, refusing other formats and newer versions.
pub fn read_devices(path: &Path) -> Result<DevicesFile, FileError> {
    files::read_json(path, FORMAT, VERSION)
}

/// Merges every message of the window into one record per endpoint and sender.
#[derive(Debug, Default)]
pub struct Collector {
    by_endpoint: BTreeMap<(String, IpAddr), Partial>,
}

#[derive(Debug)]
struct Partial {
    xaddrs: Vec<String>,
    scopes: Vec<String>,
    types: Vec<String>,
    metadata_version: Option<u32>,
    seen: BTreeSet<Seen>,
}

impl Collector {
    /// Adds what `from` said about one device.
    pub fn add(&mut self, from: IpAddr, kind: Seen, a: &Announcement) {
        let p = self
            .by_endpoint
            .entry((a.endpoint.clone(), from))
            .or_insert_with(|| Partial {
                xaddrs: Vec::new(),
                scopes: Vec::new(),
                types: Vec::new(),
                metadata_version: None,
                seen: BTreeSet::new(),
            });
        for x in &a.xaddrs {
            push_new(&mut p.xaddrs, redact_uri(x));
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

    /// How many records so far (distinct endpoint and sender pairs).
    pub fn len(&self) -> usize {
        self.by_endpoint.len()
    }

    /// True when nothing was collected.
    pub fn is_empty(&self) -> bool {
        self.by_endpoint.is_empty()
    }

    /// The devices, sorted by address (numerically), then endpoint. An endpoint heard from
    /// several addresses gives one record per address, each `contested_by` the others.
    pub fn finish(self) -> Vec<Device> {
        let mut senders: BTreeMap<String, Vec<IpAddr>> = BTreeMap::new();
        for (endpoint, from) in self.by_endpoint.keys() {
            senders.entry(endpoint.clone()).or_default().push(*from);
        }
        let mut out: Vec<Device> = self
            .by_endpoint
            .into_iter()
            .map(|((endpoint, from), p)| {
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
                let contested_by = senders[&endpoint]
                    .iter()
                    .copied()
                    .filter(|a| *a != from)
                    .collect();
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
                    contested_by,
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

/// The host of an http(s) URL as the HTTP client reads it, brackets removed (`10.0.0.1`,
/// `fe80::1`, `camera.local`); `None` for anything else, host-less URLs included.
pub fn url_host(url: &str) -> Option<String> {
    let parsed = http_url(url).ok()?;
    let host = parsed.host_str()?;
    Some(
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned(),
    )
}

/// True when the HTTP client would connect to the address `ip` for this URL.
fn host_is(url: &str, ip: IpAddr) -> bool {
    url_host(url)
        .and_then(|h| h.parse::<IpAddr>().ok())
        .is_some_and(|h| h == ip)
}

/// The URL with its host replaced by `ip` (scheme, port, path and query kept).
pub fn rewrite_host(url: &str, ip: IpAddr) -> Option<String> {
    http_url(url).ok()?;
    let (out, changed) = crate::model::rewrite_host(url, &ip.to_string());
    changed.then_some(out)
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

    /// Issue 10 item 3: an XAddr that a hand-split authority reads as the sender's, while the
    /// HTTP client connects elsewhere, is not the device's address.
    #[test]
    fn credentials_leave_the_device_through_a_backslash_xaddr_in_a_probe_match() {
        let ip: IpAddr = "10.0.0.5".parse().unwrap();
        let mut c = Collector::default();
        let hostile = r"http://10.9.9.9:80\@10.0.0.5/onvif/device_service";
        c.add(ip, Seen::ProbeMatch, &ann("urn:uuid:e", &[hostile]));
        let d = &c.finish()[0];
        assert_eq!(d.xaddr_mismatch, [hostile]);
        let chosen = d.xaddr.as_deref().unwrap();
        assert_eq!(url_host(chosen).as_deref(), Some("10.0.0.5"), "{chosen}");
    }

    /// Issue 10 item 4: two hosts answering for one endpoint are two records, each marked,
    /// and the file lists the claim; the first answer does not win silently.
    #[test]
    fn spoofed_discovery_keeps_both_claimants_and_reports_the_conflict() {
        let (real, fake): (IpAddr, IpAddr) =
            ("10.0.0.5".parse().unwrap(), "10.0.0.66".parse().unwrap());
        let mut c = Collector::default();
        c.add(
            fake,
            Seen::ProbeMatch,
            &ann("urn:uuid:f", &["http://10.0.0.66/onvif/device_service"]),
        );
        c.add(
            real,
            Seen::ProbeMatch,
            &ann("urn:uuid:f", &["http://10.0.0.5/onvif/device_service"]),
        );
        c.add(
            real,
            Seen::Hello,
            &ann("urn:uuid:g", &["http://10.0.0.5:81/onvif/device_service"]),
        );
        let devices = c.finish();
        assert_eq!(devices.len(), 3);
        let f: Vec<&Device> = devices
            .iter()
            .filter(|d| d.endpoint == "urn:uuid:f")
            .collect();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].from, real);
        assert_eq!(f[0].contested_by, [fake]);
        assert_eq!(f[1].from, fake);
        assert_eq!(f[1].contested_by, [real]);
        assert_eq!(
            f[1].xaddr.as_deref(),
            Some("http://10.0.0.66/onvif/device_service")
        );
        let file = DevicesFile::new(devices);
        assert_eq!(
            file.conflicts,
            [Conflict {
                claim: "endpoint:urn:uuid:f".into(),
                addresses: vec!["10.0.0.5".into(), "10.0.0.66".into()],
            }]
        );
    }

    #[test]
    fn hosts_are_found_in_every_url_shape() {
        let host = |u| url_host(u);
        assert_eq!(host("http://[fd8f::1]/x").as_deref(), Some("fd8f::1"));
        assert_eq!(host("http://[fd8f::1]:80/x").as_deref(), Some("fd8f::1"));
        assert_eq!(host("https://cam.local:443").as_deref(), Some("cam.local"));
        assert_eq!(host("http://u:p@1.2.3.4/x").as_deref(), Some("1.2.3.4"));
        assert_eq!(host("not a url"), None);
        assert_eq!(host("http:///x"), None);
        // Where the HTTP client connects, not the host after the last `@`.
        assert_eq!(
            host(r"http://10.9.9.9:80\@10.0.0.5/onvif/device_service").as_deref(),
            Some("10.9.9.9")
        );
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
