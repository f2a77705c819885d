//! Media configuration shared by Media (ver10) and Media2 (ver20), as on a real device where
//! both services are views of one set of profiles and configurations: the persona's `[media]`
//! section, the device's media state (profiles and video encoder settings), checking encoder
//! settings against the persona's options, and writing the shared `tt:` configuration types.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Deserializer};

use crate::soap::Fault;
use crate::wire::{fmt_float, parse_duration};
use crate::xml::Writer;

/// Video codecs the mock's encoders offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub enum Codec {
    /// H.264 (ver10 `H264`, Media2 `H264`).
    #[serde(rename = "H264")]
    H264,
    /// H.265 (Media2 `H265` only: ver10 `tt:VideoEncoding` cannot name it).
    #[serde(rename = "H265")]
    H265,
    /// Motion JPEG (`JPEG` in both).
    #[serde(rename = "JPEG")]
    Jpeg,
}

impl Codec {
    /// The Media2 (IANA subtype) name.
    pub fn media2_name(self) -> &'static str {
        match self {
            Self::H264 => "H264",
            Self::H265 => "H265",
            Self::Jpeg => "JPEG",
        }
    }

    /// A Media2 encoding name (`H265`), read without regard to case.
    pub fn from_media2(s: &str) -> Option<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "H264" => Some(Self::H264),
            "H265" => Some(Self::H265),
            "JPEG" => Some(Self::Jpeg),
            _ => None,
        }
    }

    /// A ver10 `tt:VideoEncoding` value; `H265` is not one.
    pub fn from_media1(s: &str) -> Option<Self> {
        match s.trim() {
            "H264" => Some(Self::H264),
            "JPEG" => Some(Self::Jpeg),
            _ => None,
        }
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.media2_name())
    }
}

/// Width × height in pixels; written `"2688x1520"` in persona files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolution {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

impl std::str::FromStr for Resolution {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (w, h) = s
            .split_once('x')
            .ok_or_else(|| format!("`{s}` is not WIDTHxHEIGHT"))?;
        let width: u32 = w.parse().map_err(|_| format!("`{s}`: bad width"))?;
        let height: u32 = h.parse().map_err(|_| format!("`{s}`: bad height"))?;
        if width == 0 || height == 0 {
            return Err(format!("`{s}`: zero size"));
        }
        Ok(Self { width, height })
    }
}

impl<'de> Deserialize<'de> for Resolution {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// `tt:MulticastConfiguration` of an encoder.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Multicast {
    /// Group address (`0.0.0.0` when unset, as cameras report it).
    pub address: IpAddr,
    /// UDP port.
    pub port: u16,
    /// TTL.
    pub ttl: u32,
    /// Start streaming without RTSP.
    #[serde(default)]
    pub auto_start: bool,
}

impl Default for Multicast {
    fn default() -> Self {
        Self {
            address: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            port: 0,
            ttl: 1,
            auto_start: false,
        }
    }
}

/// A physical video input.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VideoSourceSpec {
    /// Token (`VideoSource_1`).
    pub token: String,
    /// Sensor output resolution.
    pub resolution: Resolution,
    /// Frames per second.
    pub framerate: f64,
}

/// A video source configuration (the crop window of a source).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VideoSourceConfigSpec {
    /// Token.
    pub token: String,
    /// Name.
    pub name: String,
    /// The video source token.
    pub source: String,
    /// `x, y, width, height`.
    pub bounds: [u32; 4],
}

/// An audio source configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AudioSourceConfigSpec {
    /// Token.
    pub token: String,
    /// Name.
    pub name: String,
    /// The audio source (input) token.
    pub source: String,
}

/// Audio codecs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum AudioCodec {
    /// G.711 µ-law (Media2 `PCMU`).
    G711,
    /// G.726 (Media2 `G726`).
    G726,
    /// AAC (Media2 `MP4A-LATM`).
    #[serde(rename = "AAC")]
    Aac,
}

impl AudioCodec {
    /// A ver10 `tt:AudioEncoding` value (exact, as the schema's enumeration).
    pub fn from_media1(s: &str) -> Option<Self> {
        match s.trim() {
            "G711" => Some(Self::G711),
            "G726" => Some(Self::G726),
            "AAC" => Some(Self::Aac),
            _ => None,
        }
    }

    /// A Media2 audio encoding (IANA subtype, any case): `PCMU`, `G726`, `MP4A-LATM` or
    /// `mpeg4-generic`.
    pub fn from_media2(s: &str) -> Option<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "PCMU" => Some(Self::G711),
            "G726" => Some(Self::G726),
            "MP4A-LATM" | "MPEG4-GENERIC" => Some(Self::Aac),
            _ => None,
        }
    }

    /// The ver10 name.
    pub fn media1_name(self) -> &'static str {
        match self {
            Self::G711 => "G711",
            Self::G726 => "G726",
            Self::Aac => "AAC",
        }
    }

    /// The Media2 name.
    pub fn media2_name(self) -> &'static str {
        match self {
            Self::G711 => "PCMU",
            Self::G726 => "G726",
            Self::Aac => "MP4A-LATM",
        }
    }
}

/// What the audio encoders accept for one codec (GetAudioEncoderConfigurationOptions).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AudioEncoderOptionSpec {
    /// Codec.
    pub encoding: AudioCodec,
    /// Bitrates offered (kbps).
    pub bitrates: Vec<u32>,
    /// Sample rates offered (kHz).
    pub sample_rates: Vec<u32>,
}

/// An audio encoder configuration: persona value and device state alike (SetAudioEncoder-
/// Configuration changes codec, bitrate, sample rate, multicast and timeout within the
/// persona's `audio_encoder_options`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AudioEncoderSpec {
    /// Token.
    pub token: String,
    /// Name.
    pub name: String,
    /// Codec.
    pub encoding: AudioCodec,
    /// kbps.
    pub bitrate: u32,
    /// kHz.
    pub sample_rate: u32,
    /// Multicast settings.
    #[serde(default)]
    pub multicast: Multicast,
    /// RTSP session timeout.
    #[serde(default = "default_session_timeout")]
    pub session_timeout: String,
}

fn default_session_timeout() -> String {
    "PT60S".into()
}

fn default_interval() -> u32 {
    1
}

/// A video encoder configuration: persona value and device state alike.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VideoEncoder {
    /// Token.
    pub token: String,
    /// Name.
    pub name: String,
    /// Codec.
    pub encoding: Codec,
    /// Encoded resolution.
    pub resolution: Resolution,
    /// Quality, in the options' quality range.
    pub quality: f64,
    /// Frame rate limit, fps.
    pub frame_rate: f64,
    /// Encode every Nth frame.
    #[serde(default = "default_interval")]
    pub encoding_interval: u32,
    /// Bitrate limit, kbps.
    pub bitrate: u32,
    /// GOP length (H.264/H.265).
    #[serde(default)]
    pub gov: Option<u32>,
    /// Codec profile (`Main`, `High`).
    #[serde(default)]
    pub profile: Option<String>,
    /// Constant bitrate (Media2 `ConstantBitRate`).
    #[serde(default)]
    pub cbr: bool,
    /// `GuaranteedFrameRate`, when the device reports it.
    #[serde(default)]
    pub guaranteed_frame_rate: Option<bool>,
    /// Multicast settings.
    #[serde(default)]
    pub multicast: Multicast,
    /// RTSP session timeout.
    #[serde(default = "default_session_timeout")]
    pub session_timeout: String,
    /// Key into `[media.encoder_options]`.
    pub options: String,
    /// Value of `{stream}` in the stream and snapshot URI templates (`101`, `0`).
    #[serde(default)]
    pub stream: Option<String>,
}

/// What one codec allows on one encoder.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodecOptions {
    /// Resolutions offered.
    pub resolutions: Vec<Resolution>,
    /// Frame rate range, fps.
    pub frame_rate: [f64; 2],
    /// Media2 `FrameRatesSupported`; derived from `frame_rate` when left out.
    #[serde(default)]
    pub frame_rates: Option<Vec<f64>>,
    /// Encoding interval range.
    #[serde(default = "default_interval_range")]
    pub encoding_interval: [u32; 2],
    /// GOP length range (not for JPEG).
    #[serde(default)]
    pub gov: Option<[u32; 2]>,
    /// Bitrate range, kbps.
    pub bitrate: [u32; 2],
    /// Codec profiles (`Baseline`, `Main`, `High`).
    #[serde(default)]
    pub profiles: Vec<String>,
    /// Media2 `ConstantBitRateSupported`.
    #[serde(default)]
    pub cbr: bool,
}

fn default_interval_range() -> [u32; 2] {
    [1, 1]
}

impl CodecOptions {
    /// Media2 `FrameRatesSupported`: the persona's list, or the usual camera steps within
    /// the range, highest first.
    pub fn frame_rates(&self) -> Vec<f64> {
        if let Some(list) = &self.frame_rates {
            return list.clone();
        }
        let [min, max] = self.frame_rate;
        let mut out = vec![max];
        for r in [
            60.0, 50.0, 30.0, 25.0, 20.0, 15.0, 12.5, 12.0, 10.0, 8.0, 6.0, 5.0, 4.0, 2.0, 1.0,
        ] {
            if r < max && r >= min {
                out.push(r);
            }
        }
        out
    }
}

/// What an encoder allows, per codec.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncoderOptions {
    /// Quality range.
    pub quality: [f64; 2],
    /// H.264.
    #[serde(rename = "H264", default)]
    pub h264: Option<CodecOptions>,
    /// H.265.
    #[serde(rename = "H265", default)]
    pub h265: Option<CodecOptions>,
    /// Motion JPEG.
    #[serde(rename = "JPEG", default)]
    pub jpeg: Option<CodecOptions>,
}

impl EncoderOptions {
    /// The options of one codec, if offered.
    pub fn codec(&self, c: Codec) -> Option<&CodecOptions> {
        match c {
            Codec::H264 => self.h264.as_ref(),
            Codec::H265 => self.h265.as_ref(),
            Codec::Jpeg => self.jpeg.as_ref(),
        }
    }

    /// Offered codecs in the order devices list them.
    pub fn codecs(&self) -> impl Iterator<Item = (Codec, &CodecOptions)> {
        [Codec::H264, Codec::H265, Codec::Jpeg]
            .into_iter()
            .filter_map(|c| self.codec(c).map(|o| (c, o)))
    }
}

/// How the ver10 view shows an encoder set to H.265, which `tt:VideoEncoding` cannot name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Media1H265 {
    /// Leave the configuration out of ver10 answers (its profile shows no encoder).
    #[default]
    Omit,
    /// Report it as H264 with its real resolution and rates (only Media2 tells the truth).
    AsH264,
}

/// A media profile: persona value and device state alike.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Token.
    pub token: String,
    /// Name.
    pub name: String,
    /// Fixed profiles cannot be deleted.
    #[serde(default)]
    pub fixed: bool,
    /// Video source configuration token.
    #[serde(default)]
    pub video_source: Option<String>,
    /// Audio source configuration token.
    #[serde(default)]
    pub audio_source: Option<String>,
    /// Video encoder configuration token.
    #[serde(default)]
    pub video_encoder: Option<String>,
    /// Audio encoder configuration token.
    #[serde(default)]
    pub audio_encoder: Option<String>,
    /// PTZ configuration token.
    #[serde(default)]
    pub ptz: Option<String>,
}

impl Profile {
    /// An empty profile.
    pub fn empty(token: String, name: String) -> Self {
        Self {
            token,
            name,
            fixed: false,
            video_source: None,
            audio_source: None,
            video_encoder: None,
            audio_encoder: None,
            ptz: None,
        }
    }
}

/// What a factory reset restores, where it differs from the configured state.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaFactory {
    /// Encoders as shipped, replacing the configured ones with the same token.
    #[serde(default)]
    pub encoders: Vec<VideoEncoder>,
    /// Profiles as shipped (default: the configured ones).
    #[serde(default)]
    pub profiles: Option<Vec<Profile>>,
}

/// The persona's `[media]` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaSpec {
    /// Stream URI template: `{ip}`, `{http_host}` (IP and web port), `{profile}`, `{stream}`
    /// (the encoder's `stream`), `{transport}` (`unicast`/`multicast`).
    pub stream_uri: String,
    /// Snapshot URI template (same placeholders); none means no snapshots.
    #[serde(default)]
    pub snapshot_uri: Option<String>,
    /// `MediaUri/Timeout` in stream URI answers.
    #[serde(default = "default_session_timeout")]
    pub uri_timeout: String,
    /// How ver10 shows an H.265 encoder.
    #[serde(default)]
    pub media1_h265: Media1H265,
    /// Token of profiles made by CreateProfile: `{n}` counts up, `{n3}` zero-padded to 3.
    pub new_profile_token: String,
    /// Video inputs.
    pub video_sources: Vec<VideoSourceSpec>,
    /// Video source configurations.
    pub video_source_configurations: Vec<VideoSourceConfigSpec>,
    /// Audio source configurations.
    #[serde(default)]
    pub audio_sources: Vec<AudioSourceConfigSpec>,
    /// Audio encoder configurations.
    #[serde(default)]
    pub audio_encoders: Vec<AudioEncoderSpec>,
    /// What the audio encoders accept, per codec. Absent: each configured encoder's own
    /// codec, bitrate and sample rate, and nothing else.
    #[serde(default)]
    pub audio_encoder_options: Vec<AudioEncoderOptionSpec>,
    /// Video encoder configurations (configured state).
    pub encoders: Vec<VideoEncoder>,
    /// Encoder options by key.
    pub encoder_options: BTreeMap<String, EncoderOptions>,
    /// Profiles (configured state).
    pub profiles: Vec<Profile>,
    /// Factory-default differences.
    #[serde(default)]
    pub factory: MediaFactory,
}

/// A device's media state: what Media and Media2 Set operations change.
#[derive(Debug, Clone, Default)]
pub struct MediaState {
    /// Profiles in the order the device lists them.
    pub profiles: Vec<Profile>,
    /// Video encoder configurations.
    pub encoders: Vec<VideoEncoder>,
    /// Audio encoder configurations.
    pub audio_encoders: Vec<AudioEncoderSpec>,
}

/// `ter:InvalidArgVal/ter:NoProfile`.
pub fn no_profile(token: &str) -> Fault {
    Fault::invalid_arg(
        "ter:NoProfile",
        format!("The requested profile token {token} does not exist"),
    )
}

/// `ter:InvalidArgVal/ter:NoConfig`.
pub fn no_config(token: &str) -> Fault {
    Fault::invalid_arg(
        "ter:NoConfig",
        format!("The requested configuration {token} does not exist"),
    )
}

impl MediaSpec {
    /// The state a device starts in, configured or factory-default.
    pub fn initial_state(&self, factory: bool) -> MediaState {
        let mut encoders = self.encoders.clone();
        let mut profiles = self.profiles.clone();
        if factory {
            for f in &self.factory.encoders {
                if let Some(e) = encoders.iter_mut().find(|e| e.token == f.token) {
                    *e = f.clone();
                }
            }
            if let Some(p) = &self.factory.profiles {
                profiles = p.clone();
            }
        }
        MediaState {
            profiles,
            encoders,
            audio_encoders: self.audio_encoders.clone(),
        }
    }

    /// What the audio encoders accept, per codec: the persona's options, else each
    /// configured encoder's own values.
    pub fn audio_options(&self) -> Vec<AudioEncoderOptionSpec> {
        if !self.audio_encoder_options.is_empty() {
            return self.audio_encoder_options.clone();
        }
        let mut out: Vec<AudioEncoderOptionSpec> = Vec::new();
        for a in &self.audio_encoders {
            let o = match out.iter_mut().position(|o| o.encoding == a.encoding) {
                Some(i) => &mut out[i],
                None => {
                    out.push(AudioEncoderOptionSpec {
                        encoding: a.encoding,
                        bitrates: Vec::new(),
                        sample_rates: Vec::new(),
                    });
                    out.last_mut().expect("just pushed")
                }
            };
            if !o.bitrates.contains(&a.bitrate) {
                o.bitrates.push(a.bitrate);
            }
            if !o.sample_rates.contains(&a.sample_rate) {
                o.sample_rates.push(a.sample_rate);
            }
        }
        out
    }

    /// Whether `a` is within the audio options; `Err` says what is not.
    pub fn check_audio(&self, a: &AudioEncoderSpec) -> Result<(), String> {
        let options = self.audio_options();
        let o = options
            .iter()
            .find(|o| o.encoding == a.encoding)
            .ok_or_else(|| format!("encoding {} is not offered", a.encoding.media1_name()))?;
        if !o.bitrates.contains(&a.bitrate) {
            return Err(format!(
                "Bitrate {} is not one of {:?} for {}",
                a.bitrate,
                o.bitrates,
                a.encoding.media1_name()
            ));
        }
        if !o.sample_rates.contains(&a.sample_rate) {
            return Err(format!(
                "SampleRate {} is not one of {:?} for {}",
                a.sample_rate,
                o.sample_rates,
                a.encoding.media1_name()
            ));
        }
        Ok(())
    }

    /// The options of an encoder (persona validation guarantees the key exists).
    pub fn options_of(&self, encoder: &VideoEncoder) -> Option<&EncoderOptions> {
        self.encoder_options.get(&encoder.options)
    }

    /// Check the section's internal references and that every encoder setting is within its
    /// own options; `Err((field, message))`.
    pub(crate) fn validate(&self, ptz_configs: &[String]) -> Result<(), (String, String)> {
        let bad = |field: &str, msg: String| Err((format!("media.{field}"), msg));
        if self.video_sources.is_empty() {
            return bad("video_sources", "at least one video source".into());
        }
        for (name, tokens) in [
            (
                "video_sources",
                self.video_sources
                    .iter()
                    .map(|s| &s.token)
                    .collect::<Vec<_>>(),
            ),
            (
                "video_source_configurations",
                self.video_source_configurations
                    .iter()
                    .map(|s| &s.token)
                    .collect(),
            ),
            (
                "audio_sources",
                self.audio_sources.iter().map(|s| &s.token).collect(),
            ),
            (
                "audio_encoders",
                self.audio_encoders.iter().map(|s| &s.token).collect(),
            ),
            ("encoders", self.encoders.iter().map(|s| &s.token).collect()),
            ("profiles", self.profiles.iter().map(|s| &s.token).collect()),
        ] {
            for (i, t) in tokens.iter().enumerate() {
                if t.is_empty() || t.chars().count() > 64 {
                    return bad(name, format!("token `{t}` is not 1 to 64 characters"));
                }
                if tokens[..i].contains(t) {
                    return bad(name, format!("token `{t}` is used twice"));
                }
            }
        }
        for c in &self.video_source_configurations {
            if !self.video_sources.iter().any(|s| s.token == c.source) {
                return bad(
                    "video_source_configurations",
                    format!("{}: no video source `{}`", c.token, c.source),
                );
            }
        }
        for e in self.encoders.iter().chain(&self.factory.encoders) {
            let Some(opts) = self.encoder_options.get(&e.options) else {
                return bad(
                    "encoders",
                    format!("{}: no encoder_options `{}`", e.token, e.options),
                );
            };
            if let Err(msg) = check_encoder(opts, e) {
                return bad("encoders", format!("{}: {msg}", e.token));
            }
            if parse_duration(&e.session_timeout).is_none() {
                return bad(
                    "encoders",
                    format!("{}: `{}` is not a duration", e.token, e.session_timeout),
                );
            }
        }
        for f in &self.factory.encoders {
            if !self.encoders.iter().any(|e| e.token == f.token) {
                return bad(
                    "factory.encoders",
                    format!("{}: not a configured encoder", f.token),
                );
            }
        }
        for (key, opts) in &self.encoder_options {
            if opts.quality[0] > opts.quality[1] {
                return bad("encoder_options", format!("{key}: quality min > max"));
            }
            for (codec, o) in opts.codecs() {
                if o.resolutions.is_empty() {
                    return bad("encoder_options", format!("{key}.{codec}: no resolutions"));
                }
                if codec != Codec::Jpeg && o.gov.is_none() {
                    return bad(
                        "encoder_options",
                        format!("{key}.{codec}: gov range missing"),
                    );
                }
            }
        }
        for a in &self.audio_encoders {
            if let Err(e) = self.check_audio(a) {
                return bad("audio_encoders", format!("{}: {e}", a.token));
            }
        }
        if parse_duration(&self.uri_timeout).is_none() {
            return bad(
                "uri_timeout",
                format!("`{}` is not a duration", self.uri_timeout),
            );
        }
        if !self.new_profile_token.contains("{n}") && !self.new_profile_token.contains("{n3}") {
            return bad("new_profile_token", "needs {n} or {n3}".into());
        }
        let profile_sets = std::iter::once(&self.profiles).chain(self.factory.profiles.as_ref());
        for profiles in profile_sets {
            if profiles.is_empty() {
                return bad("profiles", "at least one profile".into());
            }
            for p in profiles {
                let refs: [(&str, &Option<String>, bool); 5] = [
                    (
                        "video_source",
                        &p.video_source,
                        self.video_source_configurations
                            .iter()
                            .any(|c| Some(&c.token) == p.video_source.as_ref()),
                    ),
                    (
                        "audio_source",
                        &p.audio_source,
                        self.audio_sources
                            .iter()
                            .any(|c| Some(&c.token) == p.audio_source.as_ref()),
                    ),
                    (
                        "video_encoder",
                        &p.video_encoder,
                        self.encoders
                            .iter()
                            .any(|c| Some(&c.token) == p.video_encoder.as_ref()),
                    ),
                    (
                        "audio_encoder",
                        &p.audio_encoder,
                        self.audio_encoders
                            .iter()
                            .any(|c| Some(&c.token) == p.audio_encoder.as_ref()),
                    ),
                    (
                        "ptz",
                        &p.ptz,
                        ptz_configs.iter().any(|t| Some(t) == p.ptz.as_ref()),
                    ),
                ];
                for (what, token, found) in refs {
                    if let (Some(t), false) = (token, found) {
                        return bad(
                            "profiles",
                            format!("{}: {what} `{t}` does not exist", p.token),
                        );
                    }
                }
            }
        }
        Ok(())
    }
}

/// Whether `v` lies in `[range[0], range[1]]`.
fn within<T: PartialOrd + Copy>(v: T, range: [T; 2]) -> bool {
    v >= range[0] && v <= range[1]
}

/// Check encoder settings against the options of its configuration; `Err` says which value
/// is outside which limit.
pub fn check_encoder(opts: &EncoderOptions, e: &VideoEncoder) -> Result<(), String> {
    let Some(o) = opts.codec(e.encoding) else {
        let offered: Vec<String> = opts.codecs().map(|(c, _)| c.to_string()).collect();
        return Err(format!(
            "encoding {} is not supported (offered: {})",
            e.encoding,
            offered.join(", ")
        ));
    };
    if !o.resolutions.contains(&e.resolution) {
        let list: Vec<String> = o.resolutions.iter().map(ToString::to_string).collect();
        return Err(format!(
            "resolution {} is not offered for {} (offered: {})",
            e.resolution,
            e.encoding,
            list.join(", ")
        ));
    }
    if !within(e.quality, opts.quality) {
        return Err(format!(
            "quality {} is outside {}..{}",
            fmt_float(e.quality),
            fmt_float(opts.quality[0]),
            fmt_float(opts.quality[1])
        ));
    }
    if !within(e.frame_rate, o.frame_rate) {
        return Err(format!(
            "frame rate {} is outside {}..{}",
            fmt_float(e.frame_rate),
            fmt_float(o.frame_rate[0]),
            fmt_float(o.frame_rate[1])
        ));
    }
    if !within(e.encoding_interval, o.encoding_interval) {
        return Err(format!(
            "encoding interval {} is outside {}..{}",
            e.encoding_interval, o.encoding_interval[0], o.encoding_interval[1]
        ));
    }
    if !within(e.bitrate, o.bitrate) {
        return Err(format!(
            "bitrate {} kbps is outside {}..{}",
            e.bitrate, o.bitrate[0], o.bitrate[1]
        ));
    }
    if let Some(range) = o.gov {
        match e.gov {
            Some(g) if within(g, range) => {}
            Some(g) => {
                return Err(format!(
                    "GOV length {g} is outside {}..{}",
                    range[0], range[1]
                ));
            }
            None => return Err(format!("{} needs a GOV length", e.encoding)),
        }
    }
    if !o.profiles.is_empty() {
        match &e.profile {
            Some(p) if o.profiles.contains(p) => {}
            Some(p) => {
                return Err(format!(
                    "{} profile {p} is not supported (supported: {})",
                    e.encoding,
                    o.profiles.join(", ")
                ));
            }
            None => return Err(format!("{} needs a codec profile", e.encoding)),
        }
    }
    Ok(())
}

/// What a device does with a codec change that leaves out the GOP length or codec profile:
/// it keeps them when the new codec takes them, else it picks its own (`Main` when offered,
/// a GOP of two seconds).
pub fn fill_codec_defaults(opts: &EncoderOptions, e: &mut VideoEncoder) {
    let Some(o) = opts.codec(e.encoding) else {
        return;
    };
    if !o.profiles.is_empty() && !e.profile.as_ref().is_some_and(|p| o.profiles.contains(p)) {
        let main = o.profiles.iter().find(|p| *p == "Main");
        e.profile = main.or(o.profiles.first()).cloned();
    }
    if let Some([min, max]) = o.gov {
        if !e.gov.is_some_and(|g| within(g, [min, max])) {
            let two_seconds = (e.frame_rate * 2.0).round().max(1.0) as u32;
            e.gov = Some(two_seconds.clamp(min, max));
        }
    }
}

impl MediaState {
    /// An audio encoder configuration by token, or `ter:NoConfig`.
    pub fn audio_encoder(&self, token: &str) -> Result<&AudioEncoderSpec, Fault> {
        self.audio_encoders
            .iter()
            .find(|a| a.token == token)
            .ok_or_else(|| no_config(token))
    }

    /// A profile by token, or `ter:NoProfile`.
    pub fn profile(&self, token: &str) -> Result<&Profile, Fault> {
        self.profiles
            .iter()
            .find(|p| p.token == token)
            .ok_or_else(|| no_profile(token))
    }

    /// A profile by token for changing, or `ter:NoProfile`.
    pub fn profile_mut(&mut self, token: &str) -> Result<&mut Profile, Fault> {
        self.profiles
            .iter_mut()
            .find(|p| p.token == token)
            .ok_or_else(|| no_profile(token))
    }

    /// An encoder by token, or `ter:NoConfig`.
    pub fn encoder(&self, token: &str) -> Result<&VideoEncoder, Fault> {
        self.encoders
            .iter()
            .find(|e| e.token == token)
            .ok_or_else(|| no_config(token))
    }

    /// The encoder a GetVideoEncoderConfigurationOptions request is about (both media
    /// services ask the same way): by configuration token, else the profile's encoder, else
    /// the first encoder, whose options stand for the device's.
    pub fn encoder_for_options(
        &self,
        configuration: Option<&str>,
        profile: Option<&str>,
    ) -> Result<Option<&VideoEncoder>, Fault> {
        let encoder = match (configuration, profile) {
            (Some(c), _) => Some(self.encoder(c)?),
            (None, Some(p)) => self
                .profile(p)?
                .video_encoder
                .as_ref()
                .and_then(|t| self.encoders.iter().find(|e| &e.token == t)),
            (None, None) => None,
        };
        Ok(encoder.or_else(|| self.encoders.first()))
    }

    /// How many profiles use a configuration (`UseCount`).
    pub fn use_count(&self, pick: impl Fn(&Profile) -> Option<&String>, token: &str) -> usize {
        self.profiles
            .iter()
            .filter(|p| pick(p).is_some_and(|t| t == token))
            .count()
    }

    /// A token for a new profile: the template with the first unused number.
    pub fn new_profile_token(&self, template: &str) -> String {
        let mut n = self.profiles.len() + 1;
        loop {
            let token = template
                .replace("{n3}", &format!("{n:03}"))
                .replace("{n}", &n.to_string());
            if !self.profiles.iter().any(|p| p.token == token) {
                return token;
            }
            n += 1;
        }
    }
}

/// `tt:MulticastConfiguration` content under `name`.
pub fn write_multicast(w: &mut Writer, name: &str, m: &Multicast) {
    w.open(name, &[]).open("tt:Address", &[]);
    match m.address {
        IpAddr::V4(a) => w.leaf("tt:Type", "IPv4").leaf("tt:IPv4Address", a),
        IpAddr::V6(a) => w.leaf("tt:Type", "IPv6").leaf("tt:IPv6Address", a),
    };
    w.close("tt:Address")
        .leaf("tt:Port", m.port)
        .leaf("tt:TTL", m.ttl)
        .leaf("tt:AutoStart", m.auto_start)
        .close(name);
}

/// `tt:VideoSourceConfiguration` under `name`.
pub fn write_video_source_configuration(
    w: &mut Writer,
    name: &str,
    c: &VideoSourceConfigSpec,
    use_count: usize,
) {
    let [x, y, width, height] = c.bounds.map(|v| v.to_string());
    w.open(name, &[("token", &c.token)])
        .leaf("tt:Name", &c.name)
        .leaf("tt:UseCount", use_count)
        .leaf("tt:SourceToken", &c.source)
        .empty(
            "tt:Bounds",
            &[("x", &x), ("y", &y), ("width", &width), ("height", &height)],
        )
        .close(name);
}

/// `tt:AudioSourceConfiguration` under `name`.
pub fn write_audio_source_configuration(
    w: &mut Writer,
    name: &str,
    c: &AudioSourceConfigSpec,
    use_count: usize,
) {
    w.open(name, &[("token", &c.token)])
        .leaf("tt:Name", &c.name)
        .leaf("tt:UseCount", use_count)
        .leaf("tt:SourceToken", &c.source)
        .close(name);
}

/// `tt:AudioEncoderConfiguration` (ver10) under `name`.
pub fn write_audio_encoder_v1(w: &mut Writer, name: &str, a: &AudioEncoderSpec, use_count: usize) {
    w.open(name, &[("token", &a.token)])
        .leaf("tt:Name", &a.name)
        .leaf("tt:UseCount", use_count)
        .leaf("tt:Encoding", a.encoding.media1_name())
        .leaf("tt:Bitrate", a.bitrate)
        .leaf("tt:SampleRate", a.sample_rate);
    write_multicast(w, "tt:Multicast", &a.multicast);
    w.leaf("tt:SessionTimeout", &a.session_timeout).close(name);
}

/// ver10 `tt:AudioEncoderConfigurationOptions` under `name`.
pub fn write_audio_options_v1(w: &mut Writer, name: &str, options: &[AudioEncoderOptionSpec]) {
    w.open(name, &[]);
    for o in options {
        w.open("tt:Options", &[])
            .leaf("tt:Encoding", o.encoding.media1_name());
        write_items(w, "tt:BitrateList", &o.bitrates);
        write_items(w, "tt:SampleRateList", &o.sample_rates);
        w.close("tt:Options");
    }
    w.close(name);
}

/// Media2 `tt:AudioEncoder2ConfigurationOptions`, one `name` element per codec.
pub fn write_audio_options_v2(w: &mut Writer, name: &str, options: &[AudioEncoderOptionSpec]) {
    for o in options {
        w.open(name, &[])
            .leaf("tt:Encoding", o.encoding.media2_name());
        write_items(w, "tt:BitrateList", &o.bitrates);
        write_items(w, "tt:SampleRateList", &o.sample_rates);
        w.close(name);
    }
}

/// A `tt:IntItems` list.
fn write_items(w: &mut Writer, name: &str, items: &[u32]) {
    w.open(name, &[]);
    for i in items {
        w.leaf("tt:Items", i);
    }
    w.close(name);
}

/// `tt:AudioEncoder2Configuration` (Media2) under `name`.
pub fn write_audio_encoder_v2(w: &mut Writer, name: &str, a: &AudioEncoderSpec, use_count: usize) {
    w.open(name, &[("token", &a.token)])
        .leaf("tt:Name", &a.name)
        .leaf("tt:UseCount", use_count)
        .leaf("tt:Encoding", a.encoding.media2_name());
    write_multicast(w, "tt:Multicast", &a.multicast);
    w.leaf("tt:Bitrate", a.bitrate)
        .leaf("tt:SampleRate", a.sample_rate)
        .close(name);
}

/// The codec the ver10 view reports for an encoder, `None` when it leaves the encoder out.
pub fn media1_codec(spec: &MediaSpec, e: &VideoEncoder) -> Option<Codec> {
    match (e.encoding, spec.media1_h265) {
        (Codec::H265, Media1H265::Omit) => None,
        (Codec::H265, Media1H265::AsH264) => Some(Codec::H264),
        (c, _) => Some(c),
    }
}

/// `tt:VideoEncoderConfiguration` (ver10) under `name`, reporting `codec`; with `stub` only
/// Name and UseCount, as Dahua-family GetProfiles does for some streams.
pub fn write_video_encoder_v1(
    w: &mut Writer,
    name: &str,
    e: &VideoEncoder,
    codec: Codec,
    use_count: usize,
    stub: bool,
) {
    let guaranteed = e.guaranteed_frame_rate.map(|g| g.to_string());
    let mut attrs = vec![("token", e.token.as_str())];
    if let Some(g) = &guaranteed {
        attrs.push(("GuaranteedFrameRate", g));
    }
    w.open(name, &attrs)
        .leaf("tt:Name", &e.name)
        .leaf("tt:UseCount", use_count);
    if stub {
        w.close(name);
        return;
    }
    w.leaf("tt:Encoding", codec.media2_name())
        .open("tt:Resolution", &[])
        .leaf("tt:Width", e.resolution.width)
        .leaf("tt:Height", e.resolution.height)
        .close("tt:Resolution")
        .leaf("tt:Quality", fmt_float(e.quality))
        .open("tt:RateControl", &[])
        // ver10 frame rates are whole numbers.
        .leaf("tt:FrameRateLimit", e.frame_rate.round() as i64)
        .leaf("tt:EncodingInterval", e.encoding_interval)
        .leaf("tt:BitrateLimit", e.bitrate)
        .close("tt:RateControl");
    if codec == Codec::H264 {
        w.open("tt:H264", &[])
            .leaf("tt:GovLength", e.gov.unwrap_or(1))
            .leaf(
                "tt:H264Profile",
                media1_h264_profile(e.profile.as_deref().unwrap_or("Main")),
            )
            .close("tt:H264");
    }
    write_multicast(w, "tt:Multicast", &e.multicast);
    w.leaf("tt:SessionTimeout", &e.session_timeout).close(name);
}

/// ver10 knows four H.264 profiles; an H.265 encoder shown as H.264 keeps `Main`.
fn media1_h264_profile(p: &str) -> &str {
    match p {
        "Baseline" | "Main" | "Extended" | "High" => p,
        _ => "Main",
    }
}

/// `tt:VideoEncoder2Configuration` (Media2) under `name`.
pub fn write_video_encoder_v2(w: &mut Writer, name: &str, e: &VideoEncoder, use_count: usize) {
    let gov = e.gov.map(|g| g.to_string());
    let guaranteed = e.guaranteed_frame_rate.map(|g| g.to_string());
    let mut attrs = vec![("token", e.token.as_str())];
    if let Some(g) = &gov {
        attrs.push(("GovLength", g));
    }
    if let Some(p) = &e.profile {
        attrs.push(("Profile", p));
    }
    if let Some(g) = &guaranteed {
        attrs.push(("GuaranteedFrameRate", g));
    }
    w.open(name, &attrs)
        .leaf("tt:Name", &e.name)
        .leaf("tt:UseCount", use_count)
        .leaf("tt:Encoding", e.encoding.media2_name())
        .open("tt:Resolution", &[])
        .leaf("tt:Width", e.resolution.width)
        .leaf("tt:Height", e.resolution.height)
        .close("tt:Resolution")
        .open(
            "tt:RateControl",
            &[("ConstantBitRate", if e.cbr { "true" } else { "false" })],
        )
        .leaf("tt:FrameRateLimit", fmt_float(e.frame_rate))
        .leaf("tt:BitrateLimit", e.bitrate)
        .close("tt:RateControl");
    write_multicast(w, "tt:Multicast", &e.multicast);
    w.leaf("tt:Quality", fmt_float(e.quality)).close(name);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> EncoderOptions {
        toml::from_str(
            r#"
            quality = [0.0, 6.0]
            [H264]
            resolutions = ["1920x1080", "1280x720"]
            frame_rate = [1.0, 25.0]
            gov = [1, 400]
            bitrate = [256, 8192]
            profiles = ["Main", "High"]
            "#,
        )
        .unwrap()
    }

    fn encoder() -> VideoEncoder {
        toml::from_str(
            r#"
            token = "e"
            name = "e"
            encoding = "H264"
            resolution = "1920x1080"
            quality = 5.0
            frame_rate = 25.0
            bitrate = 4096
            gov = 50
            profile = "Main"
            options = "main"
            "#,
        )
        .unwrap()
    }

    #[test]
    fn settings_inside_the_options_pass() {
        assert_eq!(check_encoder(&options(), &encoder()), Ok(()));
    }

    #[test]
    fn each_limit_is_named_when_broken() {
        let opts = options();
        type Edit = fn(&mut VideoEncoder);
        let cases: [(&str, Edit); 6] = [
            ("resolution 640x480", |e| {
                e.resolution = Resolution {
                    width: 640,
                    height: 480,
                }
            }),
            ("quality 7", |e| e.quality = 7.0),
            ("frame rate 30", |e| e.frame_rate = 30.0),
            ("bitrate 9000", |e| e.bitrate = 9000),
            ("GOV length 500", |e| e.gov = Some(500)),
            ("encoding H265", |e| e.encoding = Codec::H265),
        ];
        for (expected, change) in cases {
            let mut e = encoder();
            change(&mut e);
            let err = check_encoder(&opts, &e).unwrap_err();
            assert!(err.contains(expected), "{err}");
        }
    }

    #[test]
    fn derived_frame_rates_start_at_the_maximum() {
        let o = options().h264.unwrap();
        assert_eq!(
            o.frame_rates(),
            [
                25.0, 20.0, 15.0, 12.5, 12.0, 10.0, 8.0, 6.0, 5.0, 4.0, 2.0, 1.0
            ]
        );
    }

    #[test]
    fn resolutions_read_width_by_height() {
        assert_eq!(
            "2688x1520".parse::<Resolution>(),
            Ok(Resolution {
                width: 2688,
                height: 1520
            })
        );
        assert!("2688*1520".parse::<Resolution>().is_err());
        assert!("0x10".parse::<Resolution>().is_err());
    }
}
