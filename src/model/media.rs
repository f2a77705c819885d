//! Media profiles, video sources and encoders, their options, and imaging.

use serde::{Deserialize, Serialize};

/// Which media service a profile was read through.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// Audio source configuration token, when the profile carries audio.
    #[serde(default)]
    pub audio_source_configuration: Option<String>,
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
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
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// The device must deliver the frame rate limit (`GuaranteedFrameRate`).
    #[serde(default)]
    pub guaranteed_frame_rate: Option<bool>,
    /// Multicast settings; ver10 SetVideoEncoderConfiguration must send them back.
    #[serde(default)]
    pub multicast: Option<Multicast>,
    /// RTSP session timeout as the device wrote it (`PT60S`); required by ver10 writes.
    #[serde(default)]
    pub session_timeout: Option<String>,
}

/// Multicast settings of an encoder (`tt:MulticastConfiguration`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Multicast {
    /// Group address (IPv4 or IPv6); `0.0.0.0` means none.
    #[serde(default)]
    pub address: Option<String>,
    /// UDP port.
    #[serde(default)]
    pub port: Option<u16>,
    /// Time to live.
    #[serde(default)]
    pub ttl: Option<u32>,
    /// Streams without an RTSP request.
    #[serde(default)]
    pub auto_start: Option<bool>,
}

/// An inclusive range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// Encoding interval range (ver10).
    #[serde(default)]
    pub encoding_interval_range: Option<Range>,
    /// Codec profiles supported.
    #[serde(default)]
    pub profiles: Vec<String>,
}

/// An audio encoder configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// Multicast settings (ver10 SetAudioEncoderConfiguration must send them back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multicast: Option<Multicast>,
    /// RTSP session timeout (`xs:duration`; ver10 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_timeout: Option<String>,
}

/// What an audio encoder supports for one encoding (GetAudioEncoderConfigurationOptions of
/// either media service).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AudioEncoderOptions {
    /// Encoding as the device names it (`G711` in ver10, `PCMU` in Media2).
    pub encoding: String,
    /// Bitrates offered (kbit/s).
    #[serde(default)]
    pub bitrates: Vec<u32>,
    /// Sample rates offered (kHz).
    #[serde(default)]
    pub sample_rates: Vec<u32>,
}

/// An audio codec family, whichever media service named it: ver10 says `G711`, `G726`,
/// `AAC`; Media2 uses IANA subtypes (`PCMU` for G.711 µ-law, `MP4A-LATM` or `mpeg4-generic`
/// for AAC).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AudioCodec {
    /// G.711 (`G711`, `PCMU`, `PCMA`).
    G711,
    /// G.726 at any rate (`G726`, `G726-32`).
    G726,
    /// AAC (`AAC`, `MP4A-LATM`, `mpeg4-generic`).
    Aac,
    /// Anything else, upper-cased as reported.
    Other(String),
}

impl AudioCodec {
    /// Reads a codec name from either media service.
    pub fn parse(s: &str) -> Self {
        let u = s.trim().to_ascii_uppercase();
        match u.as_str() {
            "G711" | "G.711" | "PCMU" | "PCMA" => Self::G711,
            "AAC" | "MP4A-LATM" | "MPEG4-GENERIC" => Self::Aac,
            _ if u.starts_with("G726") || u.starts_with("G.726") => Self::G726,
            _ => Self::Other(u),
        }
    }

    /// The ver10 `tt:AudioEncoding` name, when ver10 has one.
    pub fn media1_name(&self) -> Option<&'static str> {
        match self {
            Self::G711 => Some("G711"),
            Self::G726 => Some("G726"),
            Self::Aac => Some("AAC"),
            Self::Other(_) => None,
        }
    }
}

/// A physical video source and its imaging settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VideoSource {
    /// Source token.
    pub token: String,
    /// Imaging settings, when the imaging service answered.
    #[serde(default)]
    pub imaging: Option<Imaging>,
}

/// Imaging settings (GetImagingSettings), with the ranges from GetOptions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// Wide dynamic range level, on the device's scale.
    #[serde(default)]
    pub wide_dynamic_range_level: Option<f64>,
    /// Backlight compensation mode.
    #[serde(default)]
    pub backlight_compensation: Option<String>,
    /// Backlight compensation level, on the device's scale.
    #[serde(default)]
    pub backlight_compensation_level: Option<f64>,
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
