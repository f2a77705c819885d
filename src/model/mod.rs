//! The domain model of one camera: what a migration needs to know, independent of the wire.
//!
//! Built from ONVIF responses by the inventory reader; read by the audit, the planner and
//! verify. Field names are the on-disk names in `inventory.json` (format `camswap.inventory`),
//! so renaming one is a format change. New optional fields are additive (`#[serde(default)]`).
//!
//! Nothing secret lives here: users carry names and levels only, and URIs are stored without
//! userinfo (see [`redact_uri`]).

mod address;
mod conflict;
mod mac;
mod media;
mod network;
mod preauth;
mod ptz;
mod recording;

pub use address::*;
pub use conflict::*;
pub use mac::*;
pub use media::*;
pub use network::*;
pub use preauth::*;
pub use ptz::*;
pub use recording::*;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Everything read from one camera.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DeviceSnapshot {
    /// Stable id: `serial:<serial>`, else `mac:<aa:bb:..>`, else `endpoint:<urn>`, else `xaddr:<url>`.
    pub id: String,
    /// The device service address we used (after rewriting a host the device lied about).
    pub xaddr: String,
    /// sha256 (hex) over the canonical JSON of the configuration (see [`DeviceSnapshot::digest`]).
    #[serde(default)]
    pub sha256: String,
    /// WS-Discovery endpoint reference (`urn:uuid:...`) when the device was discovered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Manufacturer, model, firmware, serial, hardware id.
    #[serde(default)]
    pub identity: Identity,
    /// Service addresses by namespace (from GetServices, else GetCapabilities).
    #[serde(default)]
    pub services: Vec<ServiceInfo>,
    /// Interfaces, gateway, hostname, DNS, NTP.
    #[serde(default)]
    pub network: Network,
    /// Scopes with their fixed/configurable flag.
    #[serde(default)]
    pub scopes: Vec<Scope>,
    /// Users: names and levels only.
    #[serde(default)]
    pub users: Vec<User>,
    /// Media profiles (ver10 and ver20 merged by token).
    #[serde(default)]
    pub profiles: Vec<MediaProfile>,
    /// Video sources (physical inputs) with their imaging settings.
    #[serde(default)]
    pub video_sources: Vec<VideoSource>,
    /// PTZ nodes, configurations and presets, when the device has a PTZ service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ptz: Option<Ptz>,
    /// Recording service state, when the device has one (Profile G).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<Recording>,
    /// Reads that failed: the run goes on and records them here.
    #[serde(default)]
    pub errors: Vec<ReadError>,
    /// Values that change on their own (clock offset, PTZ position): kept for the record but
    /// left out of `sha256`, so they never count as configuration drift.
    #[serde(default)]
    pub observed: Observed,
    /// What the device showed without a login (discovery, web server, pre-auth answers): the
    /// evidence the audit uses when the credentials are refused. Not configuration: left out
    /// of `sha256`.
    #[serde(default, skip_serializing_if = "Unauthenticated::is_empty")]
    pub unauthenticated: Unauthenticated,
}

impl DeviceSnapshot {
    /// sha256 (hex) over the canonical JSON of this snapshot without `sha256` and `observed`.
    /// Canonical: struct fields in declaration order, no maps with unordered keys, no spaces.
    pub fn digest(&self) -> String {
        // The snapshot serialised as itself with `sha256` empty, `observed` at its default and
        // `unauthenticated` (empty, so skipped) left out, without copying it: its fields
        // borrowed in declaration order, under the same names and serde rules. The pattern
        // names every field, so a field added to the snapshot fails to compile here until it
        // is given its place.
        #[derive(Serialize)]
        struct Canonical<'a> {
            id: &'a str,
            xaddr: &'a str,
            sha256: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            endpoint: Option<&'a String>,
            identity: &'a Identity,
            services: &'a [ServiceInfo],
            network: &'a Network,
            scopes: &'a [Scope],
            users: &'a [User],
            profiles: &'a [MediaProfile],
            video_sources: &'a [VideoSource],
            #[serde(skip_serializing_if = "Option::is_none")]
            ptz: Option<&'a Ptz>,
            #[serde(skip_serializing_if = "Option::is_none")]
            recording: Option<&'a Recording>,
            errors: &'a [ReadError],
            observed: Observed,
        }
        let Self {
            id,
            xaddr,
            sha256: _,
            endpoint,
            identity,
            services,
            network,
            scopes,
            users,
            profiles,
            video_sources,
            ptz,
            recording,
            errors,
            observed: _,
            unauthenticated: _,
        } = self;
        let canonical = Canonical {
            id,
            xaddr,
            sha256: "",
            endpoint: endpoint.as_ref(),
            identity,
            services,
            network,
            scopes,
            users,
            profiles,
            video_sources,
            ptz: ptz.as_ref(),
            recording: recording.as_ref(),
            errors,
            observed: Observed::default(),
        };
        let bytes = serde_json::to_vec(&canonical).expect("a snapshot always serialises");
        hex(&Sha256::digest(&bytes))
    }

    /// Sets `sha256` from [`DeviceSnapshot::digest`].
    pub fn seal(&mut self) {
        self.sha256 = self.digest();
    }

    /// MAC addresses of all interfaces, lower-case `aa:bb:cc:dd:ee:ff`.
    pub fn macs(&self) -> impl Iterator<Item = &str> {
        self.network
            .interfaces
            .iter()
            .filter_map(|i| i.mac.as_deref())
    }

    /// The stable id for what was read, in the order SPEC.md gives: serial, MAC, endpoint, xaddr.
    pub fn stable_id(&self) -> String {
        if let Some(s) = self
            .identity
            .serial_number
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            return format!("serial:{s}");
        }
        // A device that refused our login, or has ONVIF off, is still named by what it said
        // without one.
        let pre = &self.unauthenticated;
        let serials = pre
            .identity
            .iter()
            .filter_map(|i| i.serial_number.as_deref())
            .chain(
                pre.vendor_discovery
                    .iter()
                    .filter_map(|v| v.serial.as_deref()),
            );
        if let Some(s) = serials.map(str::trim).find(|s| !s.is_empty()) {
            return format!("serial:{s}");
        }
        if let Some(m) = self.macs().next() {
            return format!("mac:{m}");
        }
        if let Some(m) = pre
            .vendor_discovery
            .iter()
            .filter_map(|v| v.mac.as_deref())
            .map(str::trim)
            .find(|m| !m.is_empty())
        {
            return format!("mac:{}", m.to_ascii_lowercase().replace('-', ":"));
        }
        if let Some(e) = &self.endpoint {
            return format!("endpoint:{e}");
        }
        format!("xaddr:{}", self.xaddr)
    }
}

/// One video channel (physical video source) and the name the device gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelName {
    /// The video source token.
    pub source: String,
    /// The name of the first source configuration on it (`Camera 03`,
    /// `VideoSourceConfig_Channel3`), when the device gave one.
    pub name: Option<String>,
}

impl ChannelName {
    /// `name (source)`, or the source token alone when the channel has no name of its own.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) if n != &self.source => format!("{n} ({})", self.source),
            _ => self.source.clone(),
        }
    }
}

impl DeviceSnapshot {
    /// Found only by a vendor discovery protocol (SADP, DHIP) whose answer says ONVIF is off:
    /// nothing was read over ONVIF, so its streams and settings are unknown.
    pub fn onvif_off(&self) -> bool {
        let v = &self.unauthenticated.vendor_discovery;
        !v.is_empty() && v.iter().all(|a| a.onvif == Some(false))
    }

    /// What the device says it is, from its ONVIF identity or else from its vendor discovery
    /// answer (the only source when ONVIF is off): `(manufacturer, model)`.
    pub fn reported_make_and_model(&self) -> (Option<&str>, Option<&str>) {
        let v = self.unauthenticated.vendor_discovery.iter();
        let manufacturer = self
            .identity
            .manufacturer
            .as_deref()
            .or_else(|| v.clone().find_map(|a| a.vendor.as_deref()));
        let model = self
            .identity
            .model
            .as_deref()
            .or_else(|| v.clone().find_map(|a| a.model.as_deref()));
        (manufacturer, model)
    }

    /// The video channels in the order the device lists them: sources used by profiles first
    /// (in profile order), then sources no profile uses. A recorder has one per input.
    pub fn channels(&self) -> Vec<ChannelName> {
        let mut out: Vec<ChannelName> = Vec::new();
        for vsc in self
            .profiles
            .iter()
            .filter_map(|p| p.video_source_configuration.as_ref())
        {
            let source = vsc.source_token.trim();
            if source.is_empty() {
                continue;
            }
            let name = Some(vsc.name.trim())
                .filter(|n| !n.is_empty())
                .map(str::to_owned);
            match out.iter_mut().find(|c| c.source == source) {
                Some(c) => {
                    if c.name.is_none() {
                        c.name = name;
                    }
                }
                None => out.push(ChannelName {
                    source: source.to_owned(),
                    name,
                }),
            }
        }
        for v in &self.video_sources {
            if !out.iter().any(|c| c.source == v.token) {
                out.push(ChannelName {
                    source: v.token.clone(),
                    name: None,
                });
            }
        }
        out
    }
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// GetDeviceInformation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Identity {
    /// Manufacturer as reported (not normalised).
    #[serde(default)]
    pub manufacturer: Option<String>,
    /// Model as reported.
    #[serde(default)]
    pub model: Option<String>,
    /// Firmware version as reported.
    #[serde(default)]
    pub firmware_version: Option<String>,
    /// Serial number as reported.
    #[serde(default)]
    pub serial_number: Option<String>,
    /// Hardware id as reported.
    #[serde(default)]
    pub hardware_id: Option<String>,
}

/// One service the device offers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ServiceInfo {
    /// Service namespace, e.g. `http://www.onvif.org/ver20/media/wsdl`.
    pub namespace: String,
    /// Address (rewritten to the host we reached when the device reported another).
    pub xaddr: String,
    /// `major.minor` when reported.
    #[serde(default)]
    pub version: Option<String>,
}

/// A read that failed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReadError {
    /// Operation (`ptz.GetPresets`).
    pub operation: String,
    /// Why (fault subcode or transport error), never containing a secret.
    pub reason: String,
}

/// Values that change on their own; not part of `sha256`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Observed {
    /// Device clock minus our clock, seconds.
    #[serde(default)]
    pub clock_offset_s: Option<i64>,
    /// PTZ position per profile token at read time.
    #[serde(default)]
    pub ptz_positions: Vec<(String, PtzPosition)>,
    /// Identities of this device (`endpoint:`, `serial:`, `mac:`) that another address claims
    /// too (see the inventory's `conflicts`): one of the two is not what it says.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contested: Vec<String>,
    /// The IPv4 addresses the device reports for its interfaces when none of them is the
    /// address it was reached at (NAT, or another host answering for it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reported_ipv4_elsewhere: Vec<String>,
    /// SHA-256 (hex) of the device's TLS certificate, recorded with `--pin-on-first-use`:
    /// later runs require the same certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_sha256: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_stripped_and_nothing_else() {
        assert_eq!(
            redact_uri("rtsp://admin:secret@10.0.0.5:554/Streaming/Channels/101?x=a@b"),
            "rtsp://10.0.0.5:554/Streaming/Channels/101?x=a@b"
        );
        assert_eq!(
            redact_uri("rtsp://10.0.0.5/cam/realmonitor?channel=1"),
            "rtsp://10.0.0.5/cam/realmonitor?channel=1"
        );
        assert_eq!(redact_uri("not a uri"), "not a uri");
    }

    #[test]
    fn digest_ignores_observed_values_but_not_configuration() {
        let mut a = DeviceSnapshot {
            id: "serial:X".into(),
            ..Default::default()
        };
        let before = a.digest();
        a.observed.clock_offset_s = Some(7200);
        assert_eq!(a.digest(), before);
        a.users.push(User {
            username: "admin".into(),
            level: "Administrator".into(),
        });
        assert_ne!(a.digest(), before);
    }

    #[test]
    fn stable_id_prefers_serial_then_mac() {
        let mut s = DeviceSnapshot {
            xaddr: "http://127.0.1.1/onvif/device_service".into(),
            ..Default::default()
        };
        assert_eq!(s.stable_id(), "xaddr:http://127.0.1.1/onvif/device_service");
        s.network.interfaces.push(NetworkInterface {
            token: "eth0".into(),
            mac: Some("44:19:b6:00:00:01".into()),
            ..Default::default()
        });
        assert_eq!(s.stable_id(), "mac:44:19:b6:00:00:01");
        s.identity.serial_number = Some("DS-2CD2143G2-I20230101AAWRJ00000001".into());
        assert!(s.stable_id().starts_with("serial:DS-2CD"));
    }

    #[test]
    fn codec_names_from_both_media_services() {
        assert_eq!(Codec::parse("H264"), Codec::H264);
        assert_eq!(Codec::parse("H.265"), Codec::H265);
        assert_eq!(Codec::parse("MPV4-ES"), Codec::Mpeg4);
        assert_eq!(Codec::parse("JPEG"), Codec::Jpeg);
        assert_eq!(Codec::H265.media1_name(), None);
    }
}
