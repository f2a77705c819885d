//! The VMS handoff: for each applied camera, where it is now and what it streams, read from
//! the new camera itself, for Milestone, Genetec or Nx scripts to re-point their cameras.
//!
//! JSON: format `camswap.handoff`, version 1. CSV: the columns of MilestonePSTools' hardware
//! CSV (`HardwareName, HardwareAddress, MacAddress, UserName, Password, DriverNumber,
//! RecordingServerName, GroupPath`) so its import cmdlet reads it as is, followed by camswap's
//! own columns. `Password` is always empty: camswap never writes a password; fill it from
//! your credentials store.

use serde::Serialize;

use super::device::{Connect, socket_of};
use super::journal::Contents;
use super::verify::{login_for, xaddr_for};
use crate::credentials::Credentials;
use crate::inventory::reader::{ReadOptions, Target, read_device};
use crate::planner::Plan;
use crate::planner::plan::Step;

/// The handoff file's format name.
pub const HANDOFF_FORMAT: &str = "camswap.handoff";
/// Its version.
pub const HANDOFF_VERSION: u64 = 1;

/// A stream of the new camera.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Stream {
    /// Profile token on the new camera.
    pub profile: String,
    /// Profile name.
    pub name: String,
    /// RTSP URI as the camera reports it (no credentials).
    pub rtsp: Option<String>,
}

/// A preset carried over.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PresetMap {
    /// The old camera's preset token (number).
    pub old: String,
    /// Name.
    pub name: String,
    /// The new camera's token.
    pub new: Option<String>,
}

/// One camera's handoff.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CameraHandoff {
    /// Old camera id.
    pub camera: String,
    /// Old address.
    pub old_address: Option<String>,
    /// New address (host of the device URL).
    pub new_address: Option<String>,
    /// Manufacturer.
    pub manufacturer: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Serial.
    pub serial: Option<String>,
    /// MAC.
    pub mac: Option<String>,
    /// ONVIF device service URL.
    pub onvif_url: String,
    /// Every profile's stream.
    pub streams: Vec<Stream>,
    /// Presets, old → new.
    pub presets: Vec<PresetMap>,
    /// Recording tokens on the new camera.
    pub recordings: Vec<String>,
    /// What could not be read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

/// The handoff file.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Handoff {
    /// `camswap.handoff`.
    pub format: &'static str,
    /// 1.
    pub version: u64,
    /// The plan's fingerprint.
    pub plan: String,
    /// Cameras.
    pub cameras: Vec<CameraHandoff>,
}

/// Reads every replaced camera of `plan` (where the journal says it is) and builds the
/// handoff. A camera that cannot be read is listed with its error.
pub async fn build(
    plan: &Plan,
    journal: &Contents,
    credentials: &Credentials,
    connect: &Connect,
    only: Option<&str>,
) -> Handoff {
    let mut cameras = Vec::new();
    for c in plan.replaced() {
        if only.is_some_and(|o| o != c.old.id) {
            continue;
        }
        let xaddr = xaddr_for(c, journal);
        let target = Target {
            login: login_for(credentials, c, &xaddr),
            ..Target::new(xaddr.clone())
        };
        let opts = ReadOptions {
            timeout: connect.timeout,
            ..ReadOptions::default()
        };
        let s = read_device(&target, &opts).await;
        let tokens = journal.tokens(&c.old.id);
        let presets = c
            .steps
            .iter()
            .filter_map(|st| match st {
                Step::SetPreset { token, name, .. } => Some(PresetMap {
                    old: token.clone(),
                    name: name.clone(),
                    new: tokens.get(&format!("preset:{token}")).cloned().or_else(|| {
                        s.ptz.as_ref().and_then(|p| {
                            p.presets
                                .iter()
                                .find(|x| x.name.as_deref() == Some(name))
                                .map(|x| x.token.clone())
                        })
                    }),
                }),
                _ => None,
            })
            .collect();
        cameras.push(CameraHandoff {
            camera: c.old.id.clone(),
            old_address: c.old.address.clone(),
            new_address: socket_of(&xaddr).map(|a| a.ip().to_string()),
            manufacturer: s.identity.manufacturer.clone(),
            model: s.identity.model.clone(),
            serial: s.identity.serial_number.clone(),
            mac: s.macs().next().map(str::to_owned),
            onvif_url: xaddr,
            streams: s
                .profiles
                .iter()
                .map(|p| Stream {
                    profile: p.token.clone(),
                    name: p.name.clone(),
                    rtsp: p.stream_uri.clone(),
                })
                .collect(),
            presets,
            recordings: s
                .recording
                .as_ref()
                .map(|r| r.recordings.iter().map(|x| x.token.clone()).collect())
                .unwrap_or_default(),
            errors: s
                .errors
                .iter()
                .map(|e| format!("{}: {}", e.operation, e.reason))
                .collect(),
        });
    }
    Handoff {
        format: HANDOFF_FORMAT,
        version: HANDOFF_VERSION,
        plan: plan.fingerprint.clone(),
        cameras,
    }
}

/// Milestone's columns first, then camswap's.
pub const CSV_COLUMNS: [&str; 17] = [
    "HardwareName",
    "HardwareAddress",
    "MacAddress",
    "UserName",
    "Password",
    "DriverNumber",
    "RecordingServerName",
    "GroupPath",
    "CamswapFormat",
    "OldId",
    "OldAddress",
    "Manufacturer",
    "Model",
    "SerialNumber",
    "OnvifUrl",
    "RtspUris",
    "Presets",
];

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The CSV (header and one row per camera). `UserName` is the `[new]` administrator when
/// known; `Password` is empty on purpose.
pub fn to_csv(h: &Handoff, username: Option<&str>) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push('\n');
    for c in &h.cameras {
        let address = c
            .new_address
            .as_deref()
            .map(|a| format!("http://{a}"))
            .unwrap_or_default();
        let name = format!(
            "{} {} ({})",
            c.manufacturer.as_deref().unwrap_or(""),
            c.model.as_deref().unwrap_or(""),
            c.new_address.as_deref().unwrap_or(&c.camera)
        );
        let streams = c
            .streams
            .iter()
            .map(|s| format!("{}={}", s.name, s.rtsp.as_deref().unwrap_or("")))
            .collect::<Vec<_>>()
            .join(" ");
        let presets = c
            .presets
            .iter()
            .map(|p| format!("{}:{}={}", p.old, p.name, p.new.as_deref().unwrap_or("?")))
            .collect::<Vec<_>>()
            .join(" ");
        let row = [
            name.trim().to_owned(),
            address,
            c.mac.clone().unwrap_or_default(),
            username.unwrap_or("").to_owned(),
            String::new(),
            String::new(),
            String::new(),
            "/camswap".to_owned(),
            format!("{HANDOFF_FORMAT}/{HANDOFF_VERSION}"),
            c.camera.clone(),
            c.old_address.clone().unwrap_or_default(),
            c.manufacturer.clone().unwrap_or_default(),
            c.model.clone().unwrap_or_default(),
            c.serial.clone().unwrap_or_default(),
            c.onvif_url.clone(),
            streams,
            presets,
        ];
        out.push_str(
            &row.iter()
                .map(|s| csv_cell(s))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_starts_with_milestones_columns_and_never_holds_a_password() {
        let h = Handoff {
            format: HANDOFF_FORMAT,
            version: 1,
            plan: "sha256:aa".into(),
            cameras: vec![CameraHandoff {
                camera: "serial:OLD".into(),
                old_address: Some("10.0.0.5".into()),
                new_address: Some("10.0.0.5".into()),
                manufacturer: Some("AXIS".into()),
                model: Some("P3265-LVE".into()),
                serial: Some("ACCC8E000001".into()),
                mac: Some("ac:cc:8e:00:00:01".into()),
                onvif_url: "http://10.0.0.5/onvif/device_service".into(),
                streams: vec![Stream {
                    profile: "profile_2_h264".into(),
                    name: "main, 1080p".into(),
                    rtsp: Some("rtsp://10.0.0.5/axis-media/media.amp".into()),
                }],
                presets: Vec::new(),
                recordings: Vec::new(),
                errors: Vec::new(),
            }],
        };
        let csv = to_csv(&h, Some("admin"));
        let mut lines = csv.lines();
        // Import-HardwareCsv / Import-VmsHardware column names (DOMAIN.md 3i).
        assert!(lines.next().unwrap().starts_with(
            "HardwareName,HardwareAddress,MacAddress,UserName,Password,DriverNumber,RecordingServerName,GroupPath,"
        ));
        let row = lines.next().unwrap();
        assert!(row.starts_with(
            "AXIS P3265-LVE (10.0.0.5),http://10.0.0.5,ac:cc:8e:00:00:01,admin,,,,/camswap,"
        ));
        assert!(row.contains("\"main, 1080p=rtsp://10.0.0.5/axis-media/media.amp\""));
    }
}
