//! The plan as data (`plan.json`): what apply will do, step by step, with concrete values.
//!
//! Format `camswap.plan`, version 1:
//! ```text
//! {"format","version","fingerprint":"sha256:<hex>","inputs":{..},"options":{..},
//!  "warnings":[..],"waves":[{"name","cameras":[ids],"max_unavailable","max_failures",
//!             "canary"?}],
//!  "cameras":[{"old":{..},"verdict",..,"replacement"|"no_suitable_model"|"out_of_stock",
//!              "steps":[{"kind":..}],"warnings":[..]}]}
//! ```
//! Steps are in the order apply runs them; the move onto the old camera's address is last.
//! Profiles, recordings and tracks are referred to by `key` (the old camera's token): the new
//! camera chooses its own tokens, and apply keeps the mapping in its journal.
//!
//! The fingerprint is sha256 over the compact JSON of the plan without the `fingerprint`
//! field: struct fields in declaration order, no maps with unordered keys, floats in serde_json's
//! shortest round-trip form. Any change to what apply would do changes it.

use std::io::Write;

use serde::{Deserialize, Serialize};
use serde_json::ser::Formatter as _;
use sha2::{Digest, Sha256};

use super::PlanOptions;
use super::ptz::PtzTarget;
use super::requirements::RequirementItem;
use super::rollout::Budget;
use crate::model::{RecordingSource, hex};

/// The plan file's format name.
pub const PLAN_FORMAT: &str = "camswap.plan";
/// The plan file version this build writes and reads.
pub const PLAN_VERSION: u64 = 1;

/// A plan is not what it claims to be.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The fingerprint does not match the content.
    #[error(
        "the plan was changed after it was made: fingerprint {recorded} does not match its content ({actual})"
    )]
    Fingerprint {
        /// The fingerprint in the file.
        recorded: String,
        /// The fingerprint of the content.
        actual: String,
    },
}

/// An input file: its name as given and the sha256 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InputFile {
    /// Path as given, or `builtin:NAME`.
    pub name: String,
    /// sha256 (hex) of the bytes, when there are bytes to hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

impl InputFile {
    /// An input with the sha256 of `bytes`.
    pub fn hashed(name: impl Into<String>, bytes: &[u8]) -> Self {
        Self {
            name: name.into(),
            sha256: Some(hex(&Sha256::digest(bytes))),
        }
    }
}

/// The files a plan was made from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Inputs {
    /// `inventory.json`.
    pub inventory: Option<InputFile>,
    /// The catalogue.
    pub catalog: Option<InputFile>,
    /// `stock.toml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<InputFile>,
    /// `rollout.toml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<InputFile>,
    /// The audit policy (a file, or a built-in name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<InputFile>,
}

/// A rollout wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Wave {
    /// Name.
    pub name: String,
    /// Camera ids (old ids), sorted.
    pub cameras: Vec<String>,
    /// How many cameras may be out of service at once.
    pub max_unavailable: u32,
    /// Failures that stop the run.
    pub max_failures: Budget,
    /// Cameras apply runs on their own before the rest of the wave (absent: none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub canary: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The old camera.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OldCamera {
    /// Inventory id.
    pub id: String,
    /// Device service address.
    pub xaddr: String,
    /// IPv4 address, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Manufacturer as reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    /// Model as reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Firmware as reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware: Option<String>,
    /// sha256 of the snapshot the plan was made from (drift check).
    pub sha256: String,
}

/// The chosen replacement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Replacement {
    /// Vendor.
    pub vendor: String,
    /// Model.
    pub model: String,
    /// Form factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_factor: Option<String>,
    /// Why this model: each hard requirement met, each preference, the assignment.
    pub why: Vec<String>,
}

/// No catalogue model meets every hard requirement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NoSuitableModel {
    /// What the closest model(s) miss.
    pub unmet: Vec<String>,
    /// The model that misses least.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closest: Option<String>,
}

/// Models fit, but the stock of every one is allocated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OutOfStock {
    /// The models that meet every hard requirement.
    pub fitting: Vec<String>,
}

/// One camera's plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CameraPlan {
    /// The camera to replace.
    pub old: OldCamera,
    /// `covered` or `white-label` (from the audit).
    pub verdict: String,
    /// The covered company, when the audit names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// The audit's confidence.
    pub confidence: f64,
    /// The wave it belongs to (absent when nothing will be applied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wave: Option<String>,
    /// Requirements derived from the old camera.
    pub requirements: Vec<RequirementItem>,
    /// The replacement, when one is assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<Replacement>,
    /// Why there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_suitable_model: Option<NoSuitableModel>,
    /// Left out because stock ran out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_stock: Option<OutOfStock>,
    /// Steps, in order (empty without a replacement).
    pub steps: Vec<Step>,
    /// Anything that cannot be carried over exactly.
    pub warnings: Vec<String>,
    /// What makes the plan wrong for this camera until someone fixes it (a gateway off the
    /// subnet): apply must not run this camera.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// A recorder (NVR, DVR): replaced as a recorder, not matched to a camera model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorder: Option<super::recorder::RecorderPlan>,
}

impl CameraPlan {
    /// The plan of the old camera `id` at IPv4 `address` replaced by `vendor` `model` with
    /// `steps`, and nothing from the audit or the requirements: what apply runs, for plans
    /// written by hand or by a program (tests, benchmarks) rather than by `camswap plan`.
    pub fn replacing(id: &str, address: &str, vendor: &str, model: &str, steps: Vec<Step>) -> Self {
        Self {
            old: OldCamera {
                id: id.to_owned(),
                xaddr: format!("http://{address}/onvif/device_service"),
                address: Some(address.to_owned()),
                manufacturer: None,
                model: None,
                firmware: None,
                sha256: String::new(),
            },
            verdict: "covered".into(),
            company: None,
            confidence: 1.0,
            wave: Some("default".into()),
            requirements: Vec::new(),
            replacement: Some(Replacement {
                vendor: vendor.to_owned(),
                model: model.to_owned(),
                form_factor: None,
                why: Vec::new(),
            }),
            no_suitable_model: None,
            out_of_stock: None,
            steps,
            warnings: Vec::new(),
            errors: Vec::new(),
            recorder: None,
        }
    }
}

/// Which media service a step uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MediaApi {
    /// Media ver10 (Profile S): H.264, JPEG.
    Media,
    /// Media2 ver20 (Profile T): also H.265.
    Media2,
}

impl MediaApi {
    /// The name as written in the plan (`media`, `media2`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Media => "media",
            Self::Media2 => "media2",
        }
    }
}

/// Encoder settings (old or new).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EncoderValues {
    /// Codec (Media2 name: `H264`, `H265`, `JPEG`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Width.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Frame rate limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame_rate: Option<f64>,
    /// Bitrate limit (kbit/s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bitrate_kbps: Option<u32>,
    /// GOV length (frames).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gov_length: Option<u32>,
    /// Quality on the device's scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<f64>,
    /// Quality as a position within the device's quality range (0 = its minimum, 1 = its
    /// maximum). On the new side apply uses it when `quality` is absent: the new model's range
    /// was not in the catalogue, so apply maps it onto the range the device reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_fraction: Option<f64>,
    /// Codec profile (`Main`, `High`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Constant bitrate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constant_bitrate: Option<bool>,
}

/// Audio settings for a profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AudioValues {
    /// Encoding (`G711`, `AAC`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Bitrate (kbit/s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bitrate_kbps: Option<u32>,
    /// Sample rate (kHz).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_rate_khz: Option<u32>,
}

/// A physical direction (pan from the unit's mechanical zero, elevation positive up, degrees).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Direction {
    /// Pan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pan: Option<f64>,
    /// Elevation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elevation: Option<f64>,
    /// Horizontal field of view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hfov: Option<f64>,
}

/// A track of a recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TrackValues {
    /// The old track token (key).
    pub key: String,
    /// `Video`, `Audio`, `Metadata`.
    pub kind: String,
    /// Description.
    pub description: String,
}

/// A recording job source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct JobSource {
    /// The profile key (a `create_profile` step's key) the job records from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Source type URI as on the old camera.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    /// `(source tag, track key)` pairs.
    pub tracks: Vec<(String, String)>,
}

/// How apply gets a recording on the new camera. Most cameras have fixed recordings (one per
/// channel, `DynamicRecordings` false: the Hikvision persona), which can only be adopted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordingSetup {
    /// The model can create recordings (catalogue `dynamic_recordings = true`).
    Create,
    /// The model has fixed recordings only: apply configures the one it has.
    AdoptFixed,
    /// Unknown in the catalogue: apply creates one when the device reports
    /// `DynamicRecordings`, else adopts its fixed recording.
    CreateOrAdopt,
}

/// One step apply performs, with its concrete target values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Step {
    /// CreateUsers (device): the password comes from the credentials file at apply time;
    /// apply looks the name up first and leaves an existing user alone.
    CreateUser {
        /// User name.
        username: String,
        /// `Administrator`, `Operator`, `User`, `Extended`.
        level: String,
    },
    /// SetDNS (device).
    SetDns {
        /// From DHCP.
        from_dhcp: bool,
        /// Search domains.
        search_domains: Vec<String>,
        /// Manual servers.
        servers: Vec<String>,
    },
    /// SetNTP (device).
    SetNtp {
        /// From DHCP.
        from_dhcp: bool,
        /// Manual servers.
        servers: Vec<String>,
    },
    /// SetSystemDateAndTime (device) without a UTC time: the clock mode, zone and DST the old
    /// camera had. With `NTP` the camera follows the servers SetNTP gave it.
    SetDateTime {
        /// `NTP` or `Manual` (absent: not reported; the clock mode is left alone).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        date_time_type: Option<String>,
        /// POSIX time zone string as the old camera reported it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tz: Option<String>,
        /// Daylight saving on.
        daylight_savings: bool,
    },
    /// SetScopes (device): the configurable scopes.
    SetScopes {
        /// Scope URIs.
        scopes: Vec<String>,
    },
    /// CreateProfile (or adopt one of the same name), with a video source and encoder.
    CreateProfile {
        /// The old profile token: how later steps refer to this profile.
        key: String,
        /// Profile name.
        name: String,
        /// The service to create it through.
        service: MediaApi,
        /// Add the PTZ configuration to it.
        ptz: bool,
        /// Audio encoder settings, when the old profile streamed audio.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        audio: Option<AudioValues>,
    },
    /// SetVideoEncoderConfiguration (Media) or SetVideoEncoderConfiguration (Media2).
    SetVideoEncoder {
        /// Profile key.
        profile: String,
        /// The service to set it through (Media2 for H.265).
        service: MediaApi,
        /// What the old camera had.
        old: EncoderValues,
        /// What the new camera gets.
        new: EncoderValues,
        /// Each adjustment, explained.
        notes: Vec<String>,
    },
    /// AbsoluteMove to `target`, wait until idle, SetPreset with `token` and `name`.
    SetPreset {
        /// Profile key driving PTZ.
        profile: String,
        /// Preset token (number) to keep.
        token: String,
        /// Preset name.
        name: String,
        /// The old position, as stored.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        old: Option<PtzTarget>,
        /// Where it looks physically, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        direction: Option<Direction>,
        /// The new coordinates, when they could be computed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<PtzTarget>,
        /// A person must aim it on site (then apply saves the current position).
        re_aim: bool,
        /// Translated, not copied: the zoom curve and (without an anchor) the pan zero are
        /// assumptions, so the view must be checked on site.
        #[serde(default)]
        approximate: bool,
        /// Assumptions and adjustments.
        notes: Vec<String>,
    },
    /// AbsoluteMove then SetHomePosition.
    SetHomePosition {
        /// Profile key driving PTZ.
        profile: String,
        /// The preset whose position is home, when one is named so.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from_preset: Option<String>,
        /// The new coordinates, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<PtzTarget>,
        /// A person must aim it on site.
        re_aim: bool,
        /// Why.
        notes: Vec<String>,
    },
    /// CreateRecording, or adopt the new camera's fixed recording, then its tracks.
    CreateRecording {
        /// The old recording token.
        key: String,
        /// Create, adopt, or decide at apply from the new camera's capabilities.
        setup: RecordingSetup,
        /// Source description (id, name, location, description, address), as on the old camera.
        source: RecordingSource,
        /// Content description.
        content: String,
        /// Maximum retention, ISO 8601 (`P30D`; `PT0S` = unlimited).
        max_retention: String,
        /// Tracks.
        tracks: Vec<TrackValues>,
        /// Assumptions.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        notes: Vec<String>,
    },
    /// CreateRecordingJob.
    CreateRecordingJob {
        /// The old job token.
        key: String,
        /// Recording key.
        recording: String,
        /// `Active` or `Idle`.
        mode: String,
        /// Priority.
        priority: u32,
        /// Schedule token as on the old camera (schedules are re-created by hand).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        schedule_token: Option<String>,
        /// Sources.
        sources: Vec<JobSource>,
        /// Notes.
        notes: Vec<String>,
    },
    /// Last: SetNetworkInterfaces, SetNetworkDefaultGateway, SetHostname — the new camera
    /// takes the old camera's identity (apply follows it to the new address).
    SetNetwork {
        /// IPv4 from DHCP.
        dhcp: bool,
        /// IPv4 address (manual).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        address: Option<String>,
        /// Prefix length.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        prefix_length: Option<u8>,
        /// Default gateway.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gateway: Option<String>,
        /// Hostname (absent: leave the device's).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hostname: Option<String>,
        /// Hostname from DHCP.
        hostname_from_dhcp: bool,
        /// Notes.
        notes: Vec<String>,
    },
}

impl Step {
    /// The step's kind as written in the file.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::CreateUser { .. } => "create_user",
            Self::SetDns { .. } => "set_dns",
            Self::SetNtp { .. } => "set_ntp",
            Self::SetDateTime { .. } => "set_date_time",
            Self::SetScopes { .. } => "set_scopes",
            Self::CreateProfile { .. } => "create_profile",
            Self::SetVideoEncoder { .. } => "set_video_encoder",
            Self::SetPreset { .. } => "set_preset",
            Self::SetHomePosition { .. } => "set_home_position",
            Self::CreateRecording { .. } => "create_recording",
            Self::CreateRecordingJob { .. } => "create_recording_job",
            Self::SetNetwork { .. } => "set_network",
        }
    }
}

/// The plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Plan {
    /// `camswap.plan`.
    pub format: String,
    /// 1.
    pub version: u64,
    /// `sha256:<hex>` over everything else.
    pub fingerprint: String,
    /// The files it was made from.
    pub inputs: Inputs,
    /// The options it was made with.
    pub options: PlanOptions,
    /// Site-wide warnings (example catalogue, unknown stock rows).
    pub warnings: Vec<String>,
    /// Waves, in order.
    pub waves: Vec<Wave>,
    /// Cameras, sorted by id.
    pub cameras: Vec<CameraPlan>,
}

/// The plan without its fingerprint: what the fingerprint covers.
#[derive(Serialize)]
struct Unsigned<'a> {
    format: &'a str,
    version: u64,
    inputs: &'a Inputs,
    options: &'a PlanOptions,
    warnings: &'a [String],
    waves: &'a [Wave],
    cameras: &'a [CameraPlan],
}

struct HashWriter(Sha256);

impl Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Plan {
    /// `sha256:<hex>` over the canonical JSON of the plan without the fingerprint field.
    pub fn fingerprint(&self) -> String {
        let unsigned = Unsigned {
            format: &self.format,
            version: self.version,
            inputs: &self.inputs,
            options: &self.options,
            warnings: &self.warnings,
            waves: &self.waves,
            cameras: &self.cameras,
        };
        // Buffered: the serialiser hands over every token apart, and feeding sha256 a few
        // bytes at a time costs more than the copy.
        let mut w = std::io::BufWriter::with_capacity(1 << 16, HashWriter(Sha256::new()));
        serde_json::to_writer(&mut w, &unsigned).expect("a plan always serialises");
        let w = w
            .into_inner()
            .unwrap_or_else(|_| unreachable!("hashing never fails"));
        format!("sha256:{}", hex(&w.0.finalize()))
    }

    /// Sets the fingerprint from the content.
    pub fn seal(&mut self) {
        self.fingerprint = self.fingerprint();
    }

    /// Checks that the recorded fingerprint matches the content.
    pub fn check_fingerprint(&self) -> Result<(), PlanError> {
        let actual = self.fingerprint();
        if actual == self.fingerprint {
            Ok(())
        } else {
            Err(PlanError::Fingerprint {
                recorded: self.fingerprint.clone(),
                actual,
            })
        }
    }

    /// The plan as pretty JSON with a final newline (what `-o plan.json` writes).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a plan always serialises");
        s.push('\n');
        s
    }

    /// Cameras with a replacement.
    pub fn replaced(&self) -> impl Iterator<Item = &CameraPlan> {
        self.cameras.iter().filter(|c| c.replacement.is_some())
    }
}

/// Everything in a plan before its cameras: decided site-wide before any camera is translated
/// (see [`super::stream`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanHeader {
    /// `camswap.plan`.
    pub format: String,
    /// 1.
    pub version: u64,
    /// The files it was made from.
    pub inputs: Inputs,
    /// The options it was made with.
    pub options: PlanOptions,
    /// Site-wide warnings.
    pub warnings: Vec<String>,
    /// Waves, in order.
    pub waves: Vec<Wave>,
}

/// What [`write_streamed`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// `sha256:<hex>`, as [`Plan::fingerprint`] computes it for the same plan.
    pub fingerprint: String,
    /// Cameras written.
    pub cameras: usize,
    /// Cameras with a replacement.
    pub replaced: usize,
    /// The plan's warnings.
    pub warnings: Vec<String>,
}

/// The fingerprint's stand-in until the end of the file is written: the same length as the
/// real one.
const FINGERPRINT_PLACEHOLDER: &str =
    "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// Writes the plan made of `header` and `cameras` (in order) to
/// `w`, byte for byte as [`Plan::to_json`] writes the same plan, one camera at a time: each
/// is serialised once, into the file as pretty JSON and into the fingerprint's sha256 as
/// compact JSON (the fingerprint's definition, unchanged), then dropped. The fingerprint, at the
/// top of the file, is known only at the end: its place is written with a placeholder of the
/// same length and filled in by seeking back.
pub fn write_streamed<W: Write + std::io::Seek>(
    header: &PlanHeader,
    cameras: super::Cameras<'_>,
    w: &mut W,
) -> std::io::Result<Written> {
    let mut twin = Twin::default();
    macro_rules! field {
        ($first:expr, $key:expr, $value:expr) => {{
            let mut f = Fmt(&mut twin);
            f.begin_object_key(w, $first)?;
            serialize(w, &mut twin, $key)?;
            let mut f = Fmt(&mut twin);
            f.begin_object_value(w)?;
            serialize(w, &mut twin, $value)?;
            Fmt(&mut twin).end_object_value(w)?;
        }};
    }
    Fmt(&mut twin).begin_object(w)?;
    field!(true, "format", &header.format);
    field!(false, "version", &header.version);
    // Not covered by the fingerprint (nor is its key or comma).
    twin.skip = true;
    let mut f = Fmt(&mut twin);
    f.begin_object_key(w, false)?;
    serialize(w, &mut twin, "fingerprint")?;
    Fmt(&mut twin).begin_object_value(w)?;
    let at = w.stream_position()? + 1;
    serialize(w, &mut twin, FINGERPRINT_PLACEHOLDER)?;
    Fmt(&mut twin).end_object_value(w)?;
    twin.skip = false;
    field!(false, "inputs", &header.inputs);
    field!(false, "options", &header.options);
    field!(false, "warnings", &header.warnings);
    field!(false, "waves", &header.waves);
    let mut f = Fmt(&mut twin);
    f.begin_object_key(w, false)?;
    serialize(w, &mut twin, "cameras")?;
    let mut f = Fmt(&mut twin);
    f.begin_object_value(w)?;
    f.begin_array(w)?;
    let (mut count, mut replaced) = (0, 0);
    // Cameras are translated and serialised in batches on the plan's threads, each into its
    // own pretty and compact bytes at the depth it has in the file; here, in order, the pretty
    // bytes go to the file and the compact ones to the fingerprint.
    let depth = twin.depth;
    cameras.in_batches(
        CAMERAS_PER_BATCH,
        |at, plans| -> std::io::Result<Batch> {
            let mut part = Twin::apart(depth);
            let mut pretty = Vec::with_capacity(plans.len() * 8192);
            for (k, c) in plans.iter().enumerate() {
                Fmt(&mut part).begin_array_value(&mut pretty, at + k == 0)?;
                serialize(&mut pretty, &mut part, c)?;
                Fmt(&mut part).end_array_value(&mut pretty)?;
            }
            Ok(Batch {
                pretty,
                compact: part.compact,
                cameras: plans.len(),
                replaced: plans.iter().filter(|c| c.replacement.is_some()).count(),
            })
        },
        |batch| {
            let batch = batch?;
            w.write_all(&batch.pretty)?;
            twin.hash_after(&batch.compact);
            twin.has_value |= batch.cameras > 0;
            count += batch.cameras;
            replaced += batch.replaced;
            Ok::<(), std::io::Error>(())
        },
    )?;
    let mut f = Fmt(&mut twin);
    f.end_array(w)?;
    f.end_object_value(w)?;
    f.end_object(w)?;
    w.write_all(b"\n")?;
    let fingerprint = twin.finish();
    debug_assert_eq!(fingerprint.len(), FINGERPRINT_PLACEHOLDER.len());
    let end = w.stream_position()?;
    w.seek(std::io::SeekFrom::Start(at))?;
    w.write_all(fingerprint.as_bytes())?;
    w.seek(std::io::SeekFrom::Start(end))?;
    Ok(Written {
        fingerprint,
        cameras: count,
        replaced,
        warnings: header.warnings.clone(),
    })
}

fn serialize<W: Write, T: Serialize + ?Sized>(
    w: &mut W,
    twin: &mut Twin,
    value: &T,
) -> std::io::Result<()> {
    value
        .serialize(&mut serde_json::Serializer::with_formatter(w, Fmt(twin)))
        .map_err(std::io::Error::from)
}

/// Cameras translated and serialised together (about 1.5 MiB of pretty JSON).
const CAMERAS_PER_BATCH: usize = 256;

/// A batch of cameras serialised.
struct Batch {
    pretty: Vec<u8>,
    compact: Vec<u8>,
    cameras: usize,
    replaced: usize,
}

/// The state of one pass writing pretty JSON to the file and compact JSON to sha256.
struct Twin {
    /// Pretty: nesting depth and whether the current container has a value yet.
    depth: usize,
    has_value: bool,
    /// Compact bytes not yet hashed (sha256 is fed in large blocks).
    compact: Vec<u8>,
    /// `None`: a part serialised apart, whose compact bytes are hashed by the writer.
    sha: Option<Sha256>,
    /// Leave the compact side alone (the fingerprint field).
    skip: bool,
}

impl Default for Twin {
    fn default() -> Self {
        Self {
            depth: 0,
            has_value: false,
            compact: Vec::with_capacity(HASH_BLOCK + 4096),
            sha: Some(Sha256::new()),
            skip: false,
        }
    }
}

/// Compact bytes handed to sha256 at a time.
const HASH_BLOCK: usize = 1 << 16;

impl Twin {
    fn compact(&mut self, bytes: &[u8]) {
        if !self.skip {
            self.compact.extend_from_slice(bytes);
        }
    }

    /// A token written the same in both forms: formatted once, on the compact side.
    fn token<W: Write + ?Sized>(
        &mut self,
        w: &mut W,
        format: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let start = self.compact.len();
        format(&mut self.compact)?;
        w.write_all(&self.compact[start..])?;
        if self.skip {
            self.compact.truncate(start);
        }
        Ok(())
    }

    /// A part serialised apart at `depth` (inside the plan's object and its cameras array):
    /// its compact bytes are kept for the writer to hash in order.
    fn apart(depth: usize) -> Self {
        Self {
            depth,
            has_value: false,
            compact: Vec::new(),
            sha: None,
            skip: false,
        }
    }

    fn maybe_hash(&mut self) {
        if let Some(sha) = &mut self.sha
            && self.compact.len() >= HASH_BLOCK
        {
            sha.update(&self.compact);
            self.compact.clear();
        }
    }

    /// Hashes what is pending, then `compact` (a part serialised apart).
    fn hash_after(&mut self, compact: &[u8]) {
        let sha = self.sha.get_or_insert_with(Sha256::new);
        sha.update(&self.compact);
        self.compact.clear();
        sha.update(compact);
    }

    fn finish(mut self) -> String {
        let mut sha = self.sha.take().unwrap_or_default();
        sha.update(&self.compact);
        format!("sha256:{}", hex(&sha.finalize()))
    }

    /// The same bytes to both sides (punctuation, null, raw fragments).
    fn same<W: Write + ?Sized>(&mut self, w: &mut W, bytes: &[u8]) -> std::io::Result<()> {
        self.compact(bytes);
        w.write_all(bytes)
    }

    /// `[` or `{`.
    fn open<W: Write + ?Sized>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        self.same(w, bracket)
    }

    /// `]` or `}`, on its own line when the array or object has members.
    fn close<W: Write + ?Sized>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline_indent(w, false)?;
        }
        self.same(w, bracket)
    }

    /// Before an array element or an object key: a comma unless first, then a new line.
    fn member<W: Write + ?Sized>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        if !first {
            self.compact(b",");
        }
        self.newline_indent(w, !first)
    }

    fn newline_indent<W: Write + ?Sized>(&self, w: &mut W, comma: bool) -> std::io::Result<()> {
        const SPACES: &[u8; 66] =
            b",\n                                                                ";
        let n = 2 * self.depth;
        let lead = if comma { &SPACES[..] } else { &SPACES[1..] };
        let want = n + if comma { 2 } else { 1 };
        if want <= lead.len() {
            w.write_all(&lead[..want])
        } else {
            w.write_all(&lead[..lead.len() - 64])?;
            for _ in 0..self.depth {
                w.write_all(b"  ")?;
            }
            Ok(())
        }
    }
}

/// The formatter serde_json drives for one value: pretty to the writer as
/// `serde_json::ser::PrettyFormatter` (two-space indent) writes it, compact to the hash as
/// `serde_json::ser::CompactFormatter` writes it.
struct Fmt<'a>(&'a mut Twin);

macro_rules! both {
    ($($name:ident($t:ty)),* $(,)?) => {
        $(
            fn $name<W: ?Sized + Write>(&mut self, w: &mut W, v: $t) -> std::io::Result<()> {
                self.0
                    .token(w, |c| serde_json::ser::CompactFormatter.$name(c, v))
            }
        )*
    };
}

impl serde_json::ser::Formatter for Fmt<'_> {
    fn write_null<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.same(w, b"null")
    }

    both!(
        write_bool(bool),
        write_i8(i8),
        write_i16(i16),
        write_i32(i32),
        write_i64(i64),
        write_i128(i128),
        write_u8(u8),
        write_u16(u16),
        write_u32(u32),
        write_u64(u64),
        write_u128(u128),
        write_f32(f32),
        write_f64(f64),
        write_number_str(&str),
        write_char_escape(serde_json::ser::CharEscape),
    );

    fn write_raw_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        self.0.same(w, fragment.as_bytes())
    }

    fn begin_string<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.same(w, b"\"")
    }

    fn end_string<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.same(w, b"\"")
    }

    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        self.0.same(w, fragment.as_bytes())
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.member(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.0.has_value = true;
        self.0.maybe_hash();
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.member(w, first)
    }

    fn end_object_key<W: ?Sized + Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        Ok(())
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.compact(b":");
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.0.has_value = true;
        self.0.maybe_hash();
        Ok(())
    }
}
