//! `inventory.json`: the snapshots of a site's devices, taken at one time.
//!
//! ```json
//! {"format":"camswap.inventory","version":1,"taken_at":"2024-05-01T10:00:00Z",
//!  "devices":[{"id":"serial:...","xaddr":"http://...","sha256":"...", ...}]}
//! ```
//!
//! Written atomically by `camswap inventory`, read by audit, plan and verify. A file of a newer
//! version than this binary knows is refused with a message that says so.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::DeviceSnapshot;
use crate::files::{self, FileError};

/// The `format` of an inventory file.
pub const FORMAT: &str = "camswap.inventory";
/// The newest inventory version this binary writes and reads.
pub const VERSION: u64 = 1;

/// The contents of `inventory.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// Always [`FORMAT`].
    pub format: String,
    /// The file version ([`VERSION`] when written by this binary).
    pub version: u64,
    /// When the read started (UTC).
    pub taken_at: DateTime<Utc>,
    /// One snapshot per device, sorted by id then xaddr.
    pub devices: Vec<DeviceSnapshot>,
}

impl Inventory {
    /// An inventory of `devices` taken at `taken_at`, in the current format.
    pub fn new(taken_at: DateTime<Utc>, devices: Vec<DeviceSnapshot>) -> Self {
        Self {
            format: FORMAT.to_owned(),
            version: VERSION,
            taken_at,
            devices,
        }
    }

    /// Reads and checks an inventory file (format, version, JSON), naming the file in errors.
    pub fn load(path: &Path) -> Result<Self, FileError> {
        files::read_json(path, FORMAT, VERSION)
    }

    /// Writes the inventory atomically (pretty JSON).
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::model::ReadError;

    fn sample() -> Inventory {
        let mut d = DeviceSnapshot {
            xaddr: "http://127.0.1.1/onvif/device_service".into(),
            ..Default::default()
        };
        d.identity.serial_number = Some("DS-2CD2143G2-I20220315AAWRJ12345678".into());
        d.errors.push(ReadError {
            operation: "ptz.GetPresets".into(),
            reason: "profile Profile_1: ter:ActionNotSupported".into(),
        });
        d.id = d.stable_id();
        d.seal();
        Inventory::new("2024-05-01T10:00:00Z".parse().unwrap(), vec![d])
    }

    #[test]
    fn saves_and_loads_back_identically() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("inventory.json");
        let inv = sample();
        inv.save(&p).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text, inv.to_json());
        assert!(text.starts_with("{\n  \"format\": \"camswap.inventory\",\n  \"version\": 1,"));
        let back = Inventory::load(&p).unwrap();
        assert_eq!(back, inv);
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
        let mut inv = sample();
        inv.version = 2;
        inv.save(&p).unwrap();
        let e = Inventory::load(&p).unwrap_err().to_string();
        assert!(
            e.contains("inventory.json") && e.contains("version 2"),
            "{e}"
        );
        std::fs::write(&p, r#"{"format":"camswap.plan","version":1}"#).unwrap();
        assert!(matches!(
            Inventory::load(&p),
            Err(FileError::WrongFormat { .. })
        ));
    }
}
