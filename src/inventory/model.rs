//! The domain model of one camera: what a migration needs to know, independent of the wire.
//!
//! Built from ONVIF responses by the inventory reader; read by the audit, the planner and
//! verify. Field names are the on-disk names in `inventory.json` (format `camswap.inventory`),
//! so renaming one is a format change. New optional fields are additive (`#[serde(default)]`).
//!
//! Nothing secret lives here: users carry names and levels only, and URIs are stored without
//! userinfo (see [`strip_userinfo`]).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Everything read from one camera.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
}

impl DeviceSnapshot {
    /// sha256 (hex) over the canonical JSON of this snapshot without `sha256` and `observed`.
    /// Canonical: struct fields in declaration order, no maps with unordered keys, no spaces.
    pub fn digest(&self) -> String {
        let mut copy = self.clone();
        copy.sha256.clear();
        copy.observed = Observed::default();
        let bytes = serde_json::to_vec(&copy).expect("a snapshot always serialises");
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
        if let Some(m) = self.macs().next() {
            return format!("mac:{m}");
        }
        if let Some(e) = &self.endpoint {
            return format!("endpoint:{e}");
        }
        format!("xaddr:{}", self.xaddr)
    }
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// GetDeviceInformation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceInfo {
    /// Service namespace, e.g. `http://www.onvif.org/ver20/media/wsdl`.
    pub namespace: String,
    /// Address (rewritten to the host we reached when the device reported another).
    pub xaddr: String,
    /// `major.minor` when reported.
    #[serde(default)]
    pub version: Option<String>,
}

/// Network identity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// Interfaces.
    #[serde(default)]
    pub interfaces: Vec<NetworkInterface>,
    /// Default IPv4 gateways.
    #[serde(default)]
    pub default_gateway: Vec<String>,
    /// Hostname and whether it comes from DHCP.
    #[serde(default)]
    pub hostname: Option<Hostname>,
    /// DNS settings.
    #[serde(default)]
    pub dns: Option<Dns>,
    /// NTP settings.
    #[serde(default)]
    pub ntp: Option<Ntp>,
}

/// One network interface.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NetworkInterface {
    /// Interface token.
    pub token: String,
    /// Name (e.g. `eth0`).
    #[serde(default)]
    pub name: Option<String>,
    /// Enabled flag.
    #[serde(default)]
    pub enabled: bool,
    /// MAC, lower-case colon-separated.
    #[serde(default)]
    pub mac: Option<String>,
    /// IPv4 configuration.
    #[serde(default)]
    pub ipv4: Option<Ipv4Config>,
}

/// IPv4 configuration of an interface.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ipv4Config {
    /// Enabled flag.
    #[serde(default)]
    pub enabled: bool,
    /// DHCP on.
    #[serde(default)]
    pub dhcp: bool,
    /// Manual (or, failing that, DHCP-assigned) address.
    #[serde(default)]
    pub address: Option<String>,
    /// Prefix length.
    #[serde(default)]
    pub prefix_length: Option<u8>,
}

/// Hostname.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Hostname {
    /// Name, if any.
    #[serde(default)]
    pub name: Option<String>,
    /// Taken from DHCP.
    #[serde(default)]
    pub from_dhcp: bool,
}

/// DNS settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dns {
    /// Taken from DHCP.
    #[serde(default)]
    pub from_dhcp: bool,
    /// Search domains.
    #[serde(default)]
    pub search_domains: Vec<String>,
    /// Manual servers (addresses or names).
    #[serde(default)]
    pub servers: Vec<String>,
}

/// NTP settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ntp {
    /// Taken from DHCP.
    #[serde(default)]
    pub from_dhcp: bool,
    /// Manual servers (addresses or names).
    #[serde(default)]
    pub servers: Vec<String>,
}

/// One scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// The URI, e.g. `onvif://www.onvif.org/name/HIKVISION%20DS-2CD2143G2-I`.
    pub uri: String,
    /// Fixed (vendor-set) or configurable.
    #[serde(default)]
    pub fixed: bool,
}

/// A user: name and level, never a password.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// User name.
    pub username: String,
    /// `Administrator`, `Operator`, `User`, `Anonymous` or `Extended`.
    pub level: String,
}

/// Which media service a profile was read through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaService {
    /// Media ver10 only.
    #[default]
    Media,
    /// Media2 ver20 only.
    Media2,
    /// Both services report this profile.
    Both,
}

/// A media profile: source, encoder, options, URIs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MediaProfile {
    /// Profile token.
    pub token: String,
    /// Profile name.
    #[serde(default)]
    pub name: String,
    /// Fixed (cannot be deleted).
    #[serde(default)]
    pub fixed: bool,
    /// Which service reported it.
    #[serde(default)]
    pub service: MediaService,
    /// Video source configuration token used by the profile.
    #[serde(default)]
    pub video_source_configuration: Option<VideoSourceConfiguration>,
    /// Video encoder configuration (Media2 values win when both report it: they can say H.265).
    #[serde(default)]
    pub video_encoder: Option<VideoEncoder>,
    /// What the encoder supports.
    #[serde(default)]
    pub encoder_options: Vec<EncoderOptions>,
    /// Audio encoder, when the profile streams audio.
    #[serde(default)]
    pub audio_encoder: Option<AudioEncoder>,
    /// PTZ configuration token, when the profile drives PTZ.
    #[serde(default)]
    pub ptz_configuration: Option<String>,
    /// RTSP stream URI, without userinfo.
    #[serde(default)]
    pub stream_uri: Option<String>,
    /// Snapshot URI, without userinfo.
    #[serde(default)]
    pub snapshot_uri: Option<String>,
}

/// A video source configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VideoSourceConfiguration {
    /// Configuration token.
    pub token: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// The physical video source token.
    #[serde(default)]
    pub source_token: String,
    /// Capture window.
    #[serde(default)]
    pub bounds: Option<Rect>,
}

/// A rectangle in pixels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rect {
    /// Left.
    pub x: i32,
    /// Top.
    pub y: i32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// A video codec, by its Media2 (IANA) name; Media ver10's `H264`/`JPEG`/`MPEG4` map onto it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Codec {
    /// H.264 / AVC.
    H264,
    /// H.265 / HEVC (Media2 only).
    H265,
    /// Motion JPEG.
    Jpeg,
    /// MPEG-4 part 2.
    Mpeg4,
    /// Anything else, as reported.
    Other(String),
}

impl Codec {
    /// Reads a codec name from either media service (`H264`, `H.264`, `h265`, `JPEG`, `MPV4-ES`).
    pub fn parse(s: &str) -> Self {
        match s
            .trim()
            .to_ascii_uppercase()
            .replace(['.', '-', '_'], "")
            .as_str()
        {
            "H264" | "AVC" => Self::H264,
            "H265" | "HEVC" => Self::H265,
            "JPEG" | "MJPEG" | "MJPG" => Self::Jpeg,
            "MPEG4" | "MPV4ES" => Self::Mpeg4,
            _ => Self::Other(s.trim().to_owned()),
        }
    }

    /// The Media2 (`tt:VideoEncodingMimeNames`) name.
    pub fn mime_name(&self) -> &str {
        match self {
            Self::H264 => "H264",
            Self::H265 => "H265",
            Self::Jpeg => "JPEG",
            Self::Mpeg4 => "MPV4-ES",
            Self::Other(s) => s,
        }
    }

    /// The Media ver10 (`tt:VideoEncoding`) name, when ver10 can express it.
    pub fn media1_name(&self) -> Option<&'static str> {
        match self {
            Self::H264 => Some("H264"),
            Self::Jpeg => Some("JPEG"),
            Self::Mpeg4 => Some("MPEG4"),
            _ => None,
        }
    }
}

/// A video encoder configuration. Every field but the token is optional: Dahua-family
/// firmware sends configurations with only a name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VideoEncoder {
    /// Configuration token.
    pub token: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Codec.
    #[serde(default)]
    pub encoding: Option<Codec>,
    /// Width in pixels.
    #[serde(default)]
    pub width: Option<u32>,
    /// Height in pixels.
    #[serde(default)]
    pub height: Option<u32>,
    /// Quality on the device's own scale (see the options' range).
    #[serde(default)]
    pub quality: Option<f64>,
    /// Frame rate limit (fps).
    #[serde(default)]
    pub frame_rate: Option<f64>,
    /// Bitrate limit (kbit/s).
    #[serde(default)]
    pub bitrate_kbps: Option<u32>,
    /// Group of video length in frames.
    #[serde(default)]
    pub gov_length: Option<u32>,
    /// Encoding interval (ver10).
    #[serde(default)]
    pub encoding_interval: Option<u32>,
    /// Codec profile (`Main`, `High`, `Baseline`).
    #[serde(default)]
    pub profile: Option<String>,
    /// Constant bitrate (Media2).
    #[serde(default)]
    pub constant_bitrate: Option<bool>,
}

/// An inclusive range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// Minimum.
    pub min: f64,
    /// Maximum.
    pub max: f64,
}

impl Range {
    /// A range from `min` to `max`.
    pub fn new(min: f64, max: f64) -> Self {
        Self { min, max }
    }

    /// `v` clamped into the range.
    pub fn clamp(&self, v: f64) -> f64 {
        v.max(self.min).min(self.max)
    }

    /// True when `v` lies in the range.
    pub fn contains(&self, v: f64) -> bool {
        v >= self.min && v <= self.max
    }
}

/// What an encoder supports for one codec.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EncoderOptions {
    /// Codec.
    pub encoding: Option<Codec>,
    /// Supported resolutions `(width, height)`.
    #[serde(default)]
    pub resolutions: Vec<(u32, u32)>,
    /// Frame rates: a list where the device gives one (Media2), else the range's ends.
    #[serde(default)]
    pub frame_rates: Vec<f64>,
    /// Frame rate range (ver10).
    #[serde(default)]
    pub frame_rate_range: Option<Range>,
    /// Quality range.
    #[serde(default)]
    pub quality_range: Option<Range>,
    /// Bitrate range (kbit/s).
    #[serde(default)]
    pub bitrate_range: Option<Range>,
    /// GOV length range.
    #[serde(default)]
    pub gov_length_range: Option<Range>,
    /// Codec profiles supported.
    #[serde(default)]
    pub profiles: Vec<String>,
}

/// An audio encoder configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AudioEncoder {
    /// Configuration token.
    pub token: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Encoding (`G711`, `AAC`, ...).
    #[serde(default)]
    pub encoding: Option<String>,
    /// Bitrate (kbit/s).
    #[serde(default)]
    pub bitrate_kbps: Option<u32>,
    /// Sample rate (kHz).
    #[serde(default)]
    pub sample_rate_khz: Option<u32>,
}

/// A physical video source and its imaging settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VideoSource {
    /// Source token.
    pub token: String,
    /// Imaging settings, when the imaging service answered.
    #[serde(default)]
    pub imaging: Option<Imaging>,
}

/// Imaging settings (GetImagingSettings), with the ranges from GetOptions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Imaging {
    /// Brightness.
    #[serde(default)]
    pub brightness: Option<f64>,
    /// Colour saturation.
    #[serde(default)]
    pub color_saturation: Option<f64>,
    /// Contrast.
    #[serde(default)]
    pub contrast: Option<f64>,
    /// Sharpness.
    #[serde(default)]
    pub sharpness: Option<f64>,
    /// IR cut filter: `ON`, `OFF`, `AUTO`.
    #[serde(default)]
    pub ir_cut_filter: Option<String>,
    /// Wide dynamic range mode: `ON`, `OFF`.
    #[serde(default)]
    pub wide_dynamic_range: Option<String>,
    /// Backlight compensation mode.
    #[serde(default)]
    pub backlight_compensation: Option<String>,
    /// Exposure mode: `AUTO`, `MANUAL`.
    #[serde(default)]
    pub exposure_mode: Option<String>,
    /// White balance mode: `AUTO`, `MANUAL`.
    #[serde(default)]
    pub white_balance_mode: Option<String>,
    /// Focus mode: `AUTO`, `MANUAL`.
    #[serde(default)]
    pub focus_mode: Option<String>,
    /// Ranges from GetOptions, by setting name (`brightness`, ...), sorted by name.
    #[serde(default)]
    pub ranges: Vec<(String, Range)>,
}

/// PTZ state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ptz {
    /// Nodes (one per mechanical unit).
    #[serde(default)]
    pub nodes: Vec<PtzNode>,
    /// Configurations.
    #[serde(default)]
    pub configurations: Vec<PtzConfiguration>,
    /// Presets, per profile.
    #[serde(default)]
    pub presets: Vec<Preset>,
}

/// A PTZ node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PtzNode {
    /// Node token.
    pub token: String,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Maximum number of presets.
    #[serde(default)]
    pub max_presets: u32,
    /// Home position supported.
    #[serde(default)]
    pub home_supported: bool,
    /// Home position fixed.
    #[serde(default)]
    pub fixed_home_position: Option<bool>,
    /// Absolute pan/tilt spaces with ranges.
    #[serde(default)]
    pub absolute_pan_tilt: Vec<Space2d>,
    /// Absolute zoom spaces with ranges.
    #[serde(default)]
    pub absolute_zoom: Vec<Space1d>,
    /// URIs of the other spaces the node supports (relative, continuous, speed).
    #[serde(default)]
    pub other_spaces: Vec<String>,
}

/// A 2-D space with its ranges.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Space2d {
    /// Space URI.
    pub uri: String,
    /// X (pan) range.
    pub x: Range,
    /// Y (tilt) range.
    pub y: Range,
}

/// A 1-D space with its range.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Space1d {
    /// Space URI.
    pub uri: String,
    /// X (zoom) range.
    pub x: Range,
}

/// A PTZ configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PtzConfiguration {
    /// Configuration token.
    pub token: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Node token.
    #[serde(default)]
    pub node_token: String,
    /// Default absolute pan/tilt space URI.
    #[serde(default)]
    pub default_absolute_pan_tilt_space: Option<String>,
    /// Default absolute zoom space URI.
    #[serde(default)]
    pub default_absolute_zoom_space: Option<String>,
    /// Pan/tilt limits.
    #[serde(default)]
    pub pan_tilt_limits: Option<Space2d>,
    /// Zoom limits.
    #[serde(default)]
    pub zoom_limits: Option<Space1d>,
}

/// A position in a PTZ space.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PtzPosition {
    /// Pan (x) and tilt (y) with their space URI.
    #[serde(default)]
    pub pan_tilt: Option<(f64, f64, Option<String>)>,
    /// Zoom with its space URI.
    #[serde(default)]
    pub zoom: Option<(f64, Option<String>)>,
}

/// A preset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Preset {
    /// The profile it was read through.
    pub profile_token: String,
    /// Preset token (often the preset number).
    pub token: String,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Position, when the device reports one.
    #[serde(default)]
    pub position: Option<PtzPosition>,
}

/// Recording service state (Profile G).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Recording {
    /// Service capabilities.
    #[serde(default)]
    pub capabilities: RecordingCapabilities,
    /// Recordings with their tracks.
    #[serde(default)]
    pub recordings: Vec<RecordingItem>,
    /// Recording jobs.
    #[serde(default)]
    pub jobs: Vec<RecordingJob>,
}

/// Recording service capabilities.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordingCapabilities {
    /// CreateRecording/DeleteRecording exist.
    #[serde(default)]
    pub dynamic_recordings: bool,
    /// CreateTrack/DeleteTrack exist.
    #[serde(default)]
    pub dynamic_tracks: bool,
    /// Encodings the recorder accepts.
    #[serde(default)]
    pub encodings: Vec<String>,
    /// Maximum recordings.
    #[serde(default)]
    pub max_recordings: Option<u32>,
    /// Maximum recording jobs.
    #[serde(default)]
    pub max_recording_jobs: Option<u32>,
    /// Maximum rate (kbit/s).
    #[serde(default)]
    pub max_rate: Option<f64>,
    /// Maximum total rate (kbit/s).
    #[serde(default)]
    pub max_total_rate: Option<f64>,
    /// GetRecordingOptions supported.
    #[serde(default)]
    pub options: bool,
}

/// One recording and its tracks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordingItem {
    /// Recording token.
    pub token: String,
    /// Source description.
    #[serde(default)]
    pub source: RecordingSource,
    /// Content description.
    #[serde(default)]
    pub content: String,
    /// Maximum retention time as the device wrote it (`PT72H`, `P30D`, `PT0S` = unlimited).
    #[serde(default)]
    pub max_retention: Option<String>,
    /// The same in seconds, when it parsed.
    #[serde(default)]
    pub max_retention_s: Option<u64>,
    /// Tracks.
    #[serde(default)]
    pub tracks: Vec<Track>,
    /// Spare jobs and tracks (GetRecordingOptions).
    #[serde(default)]
    pub options: Option<RecordingOptions>,
}

/// Descriptive source of a recording.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordingSource {
    /// Source id.
    #[serde(default)]
    pub source_id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Location.
    #[serde(default)]
    pub location: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Address.
    #[serde(default)]
    pub address: String,
}

/// A track.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Track {
    /// Track token.
    pub token: String,
    /// `Video`, `Audio`, `Metadata` or `Extended`.
    pub kind: String,
    /// Description.
    #[serde(default)]
    pub description: String,
}

/// GetRecordingOptions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordingOptions {
    /// Spare jobs.
    #[serde(default)]
    pub job_spare: Option<u32>,
    /// Compatible sources (profile tokens).
    #[serde(default)]
    pub compatible_sources: Vec<String>,
    /// Spare tracks in total.
    #[serde(default)]
    pub track_spare_total: Option<u32>,
}

/// A recording job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordingJob {
    /// Job token.
    pub token: String,
    /// The recording it writes to.
    pub recording_token: String,
    /// `Idle` or `Active`.
    pub mode: String,
    /// Priority (higher wins).
    #[serde(default)]
    pub priority: u32,
    /// Schedule token, when the job follows a schedule.
    #[serde(default)]
    pub schedule_token: Option<String>,
    /// Sources.
    #[serde(default)]
    pub sources: Vec<RecordingJobSource>,
}

/// A recording job's source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordingJobSource {
    /// Source token (a media profile token for local sources).
    #[serde(default)]
    pub source_token: Option<String>,
    /// Source type URI (`http://www.onvif.org/ver10/schema/Profile` or `.../Receiver`).
    #[serde(default)]
    pub source_type: Option<String>,
    /// Auto-create a receiver.
    #[serde(default)]
    pub auto_create_receiver: Option<bool>,
    /// Track mappings `(source tag, destination track token)`.
    #[serde(default)]
    pub tracks: Vec<(String, String)>,
}

/// A read that failed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadError {
    /// Operation (`ptz.GetPresets`).
    pub operation: String,
    /// Why (fault subcode or transport error), never containing a secret.
    pub reason: String,
}

/// Values that change on their own; not part of `sha256`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Observed {
    /// Device clock minus our clock, seconds.
    #[serde(default)]
    pub clock_offset_s: Option<i64>,
    /// PTZ position per profile token at read time.
    #[serde(default)]
    pub ptz_positions: Vec<(String, PtzPosition)>,
}

/// Removes `user:password@` from a URI, so no credential reaches a file.
pub fn strip_userinfo(uri: &str) -> String {
    let Some(scheme_end) = uri.find("://") else {
        return uri.to_owned();
    };
    let rest = &uri[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}{}", &uri[..scheme_end + 3], &rest[at + 1..]),
        None => uri.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_stripped_and_nothing_else() {
        assert_eq!(
            strip_userinfo("rtsp://admin:secret@10.0.0.5:554/Streaming/Channels/101?x=a@b"),
            "rtsp://10.0.0.5:554/Streaming/Channels/101?x=a@b"
        );
        assert_eq!(
            strip_userinfo("rtsp://10.0.0.5/cam/realmonitor?channel=1"),
            "rtsp://10.0.0.5/cam/realmonitor?channel=1"
        );
        assert_eq!(strip_userinfo("not a uri"), "not a uri");
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
