//! `inventory.json`: the snapshots of one inventory run (format `camswap.inventory`).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::DeviceSnapshot;
use crate::files::{self, FileError};
use crate::model::{Conflict, Origin, conflicts};

/// The format name of `inventory.json`.
pub const FORMAT: &str = "camswap.inventory";
/// The newest version this binary reads and the one it writes.
pub const VERSION: u64 = 1;

/// The contents of `inventory.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Inventory {
    /// Always [`FORMAT`].
    pub format: String,
    /// Format version.
    pub version: u64,
    /// When the inventory was taken (RFC 3339).
    #[serde(default)]
    pub taken_at: Option<String>,
    /// One snapshot per device.
    #[serde(default)]
    pub devices: Vec<DeviceSnapshot>,
    /// Endpoints, serial numbers and MACs that more than one address claims (additive field,
    /// absent when empty); each device involved lists its contested claims in
    /// `observed.contested`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

impl Inventory {
    /// A new inventory of `devices` taken now.
    /// Identities claimed from more than one address are reported, never merged: see
    /// [`Inventory::conflicts`].
    pub fn new(mut devices: Vec<DeviceSnapshot>) -> Self {
        let conflicts = identity_conflicts(&mut devices);
        Self {
            format: FORMAT.into(),
            version: VERSION,
            taken_at: Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            devices,
            conflicts,
        }
    }

    /// Reads `inventory.json`, refusing other formats, newer versions and snapshots whose
    /// content does not match their sha256.
    pub fn load(path: &Path) -> Result<Self, FileError> {
        let inv: Self = files::read_json(path, FORMAT, VERSION)?;
        verify_digests(path, &inv.devices)?;
        Ok(inv)
    }

    /// Writes it atomically.
    pub fn save(&self, path: &Path) -> Result<(), FileError> {
        files::write_json(path, self)
    }

    /// The pretty JSON text [`Inventory::save`] writes, final newline included.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("an inventory always serialises");
        s.push('\n');
        s
    }

    /// The device with this id.
    pub fn device(&self, id: &str) -> Option<&DeviceSnapshot> {
        self.devices.iter().find(|d| d.id == id)
    }
}

/// Recomputes every snapshot's sha256 and refuses the file at the first that does not match.
///
/// Drift checks and plans compare these hashes; a snapshot edited by hand (a bitrate lowered,
/// a user removed) while its stored hash was kept would otherwise be planned from, or pass as
/// unchanged. A missing hash is refused too: without it there is nothing to check against.
pub fn verify_digests(path: &Path, devices: &[DeviceSnapshot]) -> Result<(), FileError> {
    // Hashed on every core (a 100,000-camera inventory is hundreds of MiB of JSON to hash);
    // the first mismatch in file order is the one reported.
    let digests = crate::parallel::map(crate::parallel::threads(0), devices, |d| {
        (!d.sha256.is_empty()).then(|| d.digest())
    });
    for (d, now) in devices.iter().zip(digests) {
        let problem = if let Some(now) = now {
            if now == d.sha256 {
                continue;
            }
            format!(
                "content does not match its sha256 (stored {}, content {})",
                &d.sha256[..d.sha256.len().min(12)],
                &now[..12]
            )
        } else {
            "no sha256".to_owned()
        };
        return Err(FileError::Digest {
            path: path.to_owned(),
            item: format!("device {}", d.id),
            problem,
        });
    }
    Ok(())
}

/// The address a device was reached at, as `host:port` (two NAT port forwards on one host
/// are two devices).
fn reached(d: &DeviceSnapshot) -> String {
    Origin::of(&d.xaddr).map_or_else(
        |_| d.xaddr.clone(),
        |o| format!("{}:{}", o.host(), o.port()),
    )
}

/// What a device claims to be: its endpoint, serial number and MACs, in device id form.
fn claims(d: &DeviceSnapshot) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(e) = d.endpoint.as_deref().filter(|e| !e.trim().is_empty()) {
        out.push(format!("endpoint:{e}"));
    }
    if let Some(s) = d.identity.serial_number.as_deref().map(str::trim) {
        if !s.is_empty() {
            out.push(format!("serial:{s}"));
        }
    }
    for m in d.macs() {
        let claim = format!("mac:{m}");
        if !out.contains(&claim) {
            out.push(claim);
        }
    }
    out
}

/// Conflicts among `devices`, each device's `observed.contested` set to its share.
fn identity_conflicts(devices: &mut [DeviceSnapshot]) -> Vec<Conflict> {
    let per_device: Vec<(String, Vec<String>)> =
        devices.iter().map(|d| (reached(d), claims(d))).collect();
    let found = conflicts(
        per_device
            .iter()
            .flat_map(|(a, cs)| cs.iter().map(move |c| (c.clone(), a.as_str()))),
    );
    for (d, (_, cs)) in devices.iter_mut().zip(&per_device) {
        d.observed.contested = cs
            .iter()
            .filter(|c| found.iter().any(|f| &f.claim == *c))
            .cloned()
            .collect();
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_wrong_format_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("inventory.json");
        let mut d = DeviceSnapshot {
            id: "serial:X".into(),
            xaddr: "http://127.0.0.2/onvif/device_service".into(),
            ..Default::default()
        };
        d.seal();
        let inv = Inventory::new(vec![d]);
        inv.save(&p).unwrap();
        assert_eq!(Inventory::load(&p).unwrap(), inv);
        std::fs::write(
            &p,
            r#"{"format":"camswap.devices","version":1,"devices":[]}"#,
        )
        .unwrap();
        let e = Inventory::load(&p).unwrap_err().to_string();
        assert!(
            e.contains("inventory.json") && e.contains("camswap.inventory"),
            "{e}"
        );
    }

    #[test]
    fn the_written_text_is_to_json_and_keeps_the_digest() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("inventory.json");
        let mut d = DeviceSnapshot {
            xaddr: "http://127.0.1.1/onvif/device_service".into(),
            ..Default::default()
        };
        d.identity.serial_number = Some("DS-2CD2143G2-I20220315AAWRJ12345678".into());
        d.errors.push(crate::model::ReadError {
            operation: "ptz.GetPresets".into(),
            reason: "profile Profile_1: ter:ActionNotSupported".into(),
        });
        d.id = d.stable_id();
        d.seal();
        let inv = Inventory::new(vec![d]);
        inv.save(&p).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text, inv.to_json());
        assert!(text.starts_with("{\n  \"format\": \"camswap.inventory\",\n  \"version\": 1,"));
        let back = Inventory::load(&p).unwrap();
        // The digest survives the round trip, so drift checks compare like with like.
        assert_eq!(back.devices[0].digest(), back.devices[0].sha256);
        assert!(
            back.device("serial:DS-2CD2143G2-I20220315AAWRJ12345678")
                .is_some()
        );
    }

    #[test]
    fn a_newer_version_is_refused_with_the_file_name() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("inventory.json");
        let mut inv = Inventory::new(vec![]);
        inv.version = VERSION + 1;
        inv.save(&p).unwrap();
        let e = Inventory::load(&p).unwrap_err().to_string();
        assert!(
            e.contains("inventory.json") && e.contains("version 2"),
            "{e}"
        );
    }

    // Issue 10 item 8: a snapshot edited by hand with its hash kept is refused on reading,
    // naming the device; so is one without a hash.
    #[test]
    fn an_inventory_edited_without_its_hash_is_refused_naming_the_device() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("inventory.json");
        let mut d = DeviceSnapshot {
            id: "serial:DS-2CD2143G2-I20230101AAWRJ00000001".into(),
            xaddr: "http://127.0.1.1/onvif/device_service".into(),
            ..Default::default()
        };
        d.identity.model = Some("DS-2CD2143G2-I".into());
        d.seal();
        let sealed = d.sha256.clone();
        Inventory::new(vec![d]).save(&p).unwrap();
        assert!(Inventory::load(&p).is_ok());
        // As a person would: change a value in the text, leave the hash alone.
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(&sealed));
        std::fs::write(&p, text.replace("DS-2CD2143G2-I\"", "DS-2CD2347G2-LU\"")).unwrap();
        let e = Inventory::load(&p).unwrap_err();
        assert!(matches!(e, FileError::Digest { .. }), "{e}");
        let e = e.to_string();
        assert!(
            e.contains("inventory.json")
                && e.contains("serial:DS-2CD2143G2-I20230101AAWRJ00000001")
                && e.contains("does not match its sha256"),
            "{e}"
        );
        std::fs::write(&p, text.replace(&sealed, "")).unwrap();
        let e = Inventory::load(&p).unwrap_err().to_string();
        assert!(e.contains("no sha256"), "{e}");
    }

    /// Issue 10 item 4: an impostor with the real device's endpoint, serial and MAC is kept as
    /// its own device, and every shared identity is reported on both.
    #[test]
    fn spoofed_discovery_identities_are_reported_in_the_inventory() {
        use crate::model::{Network, NetworkInterface};
        let device = |host: &str, serial: &str, mac: &str| DeviceSnapshot {
            id: format!("serial:{serial}"),
            xaddr: format!("http://{host}/onvif/device_service"),
            endpoint: Some("urn:uuid:e".into()),
            identity: crate::model::Identity {
                serial_number: Some(serial.into()),
                ..Default::default()
            },
            network: Network {
                interfaces: vec![NetworkInterface {
                    mac: Some(mac.into()),
                    ..Default::default()
                }],
                ..Default::default()
            },
            ..Default::default()
        };
        let inv = Inventory::new(vec![
            device("10.0.0.5", "S1", "aa:bb:cc:00:00:01"),
            device("10.0.0.66", "S1", "aa:bb:cc:00:00:01"),
            device("10.0.0.7", "S2", "aa:bb:cc:00:00:02"),
        ]);
        let claims: Vec<&str> = inv.conflicts.iter().map(|c| c.claim.as_str()).collect();
        assert_eq!(
            claims,
            ["endpoint:urn:uuid:e", "mac:aa:bb:cc:00:00:01", "serial:S1"]
        );
        assert_eq!(inv.conflicts[2].addresses, ["10.0.0.5:80", "10.0.0.66:80"]);
        assert_eq!(inv.devices[0].observed.contested.len(), 3);
        assert_eq!(inv.devices[1].observed.contested.len(), 3);
        assert_eq!(inv.devices[2].observed.contested, ["endpoint:urn:uuid:e"]);
        // Written and read back, and the device hashes do not depend on it.
        let json = inv.to_json();
        assert!(json.contains("\"conflicts\""), "{json}");
        let mut plain = inv.devices[0].clone();
        plain.observed.contested.clear();
        assert_eq!(plain.digest(), inv.devices[0].digest());
    }
}
