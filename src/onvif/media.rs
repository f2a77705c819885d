//! Media ver10 (`trt:`) operations: profiles, video source and encoder configurations with
//! their options, audio encoders, stream and snapshot URIs, and the calls apply uses to rebuild
//! a profile on the new camera.
//!
//! Also home of the readers for the shared `tt:` configuration types (video source, video
//! encoder, audio encoder, multicast), which Media2 uses too: the two services wrap the same
//! types in different elements.

use std::fmt::Write as _;

use super::operation::{Cursor, Field, Operation, operations, push_bool, push_text, wire_enum};
use super::{ParseError, RequestError, parse_duration_s, xs_float};
use crate::model::{
    AudioEncoder, AudioEncoderOptions, Codec, EncoderOptions, MediaProfile, MediaService,
    Multicast, Range, Rect, VideoEncoder, VideoSource, VideoSourceConfiguration, redact_uri,
};
use crate::soap::xml::escape;

/// Service name in the operation table.
pub const SERVICE: &str = "media";

wire_enum! {
    /// RTP transport for [`GetStreamUri`] (`tt:TransportProtocol`).
    TransportProtocol {
        /// RTP over UDP.
        Udp = "UDP",
        /// RTP over TCP (rarely supported).
        Tcp = "TCP",
        /// RTP over RTSP over TCP: what camswap records, since it crosses firewalls.
        Rtsp = "RTSP",
        /// RTP over RTSP over HTTP.
        Http = "HTTP",
    }
}

/// `tt:StreamSetup`: unicast or multicast, and the transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamSetup {
    /// `RTP-Multicast` instead of `RTP-Unicast`.
    pub multicast: bool,
    /// Transport protocol.
    pub protocol: TransportProtocol,
}

impl Default for StreamSetup {
    /// RTP-Unicast over RTSP.
    fn default() -> Self {
        Self {
            multicast: false,
            protocol: TransportProtocol::Rtsp,
        }
    }
}

operations! { SERVICE;
    /// GetServiceCapabilities.
    GetServiceCapabilities -> MediaCapabilities => |r| media_capabilities(r);
    /// GetProfiles: every profile with its video source, video and audio encoder and PTZ
    /// configuration token. Stream and snapshot URIs come from their own calls.
    GetProfiles -> Vec<MediaProfile> => |r| r.each("Profiles", profile);
    /// GetVideoSources: the physical inputs (imaging settings are read per source).
    GetVideoSources -> Vec<VideoSource> => |r| r.each("VideoSources", |s| {
        Ok(VideoSource { token: s.attr("token")?.to_owned(), imaging: None })
    });
    /// GetVideoSourceConfigurations.
    GetVideoSourceConfigurations -> Vec<VideoSourceConfiguration>
        => |r| r.each("Configurations", video_source_configuration);
    /// GetVideoEncoderConfigurations.
    GetVideoEncoderConfigurations -> Vec<VideoEncoder>
        => |r| r.each("Configurations", video_encoder);
    /// GetVideoEncoderConfiguration of one configuration.
    GetVideoEncoderConfiguration { configuration: String = "trt:ConfigurationToken" }
        -> VideoEncoder => |r| video_encoder(r.child("Configuration")?);
    /// GetVideoEncoderConfigurationOptions for a configuration, a profile, both, or (neither)
    /// the device's generic options: one [`EncoderOptions`] per codec block (JPEG, MPEG4,
    /// H264), each with the shared quality range and, when the device sends the ONVIF 2.0
    /// extension, the codec's bitrate range.
    GetVideoEncoderConfigurationOptions {
        configuration: Option<String> = "trt:ConfigurationToken",
        profile: Option<String> = "trt:ProfileToken"
    } -> Vec<EncoderOptions> => |r| encoder_options(r);
    /// GetAudioEncoderConfigurations.
    GetAudioEncoderConfigurations -> Vec<AudioEncoder>
        => |r| r.each("Configurations", audio_encoder);
    /// GetAudioEncoderConfigurationOptions for a configuration, a profile, both, or (neither)
    /// the device's generic options: one [`AudioEncoderOptions`] per encoding.
    GetAudioEncoderConfigurationOptions {
        configuration: Option<String> = "trt:ConfigurationToken",
        profile: Option<String> = "trt:ProfileToken"
    } -> Vec<AudioEncoderOptions> => |r| r.child("Options")?.each("Options", audio_encoder_options);
    /// GetAudioSourceConfigurations: their tokens (for a new profile's audio).
    GetAudioSourceConfigurations -> Vec<String>
        => |r| r.each("Configurations", |c| Ok(c.attr("token")?.to_owned()));
    /// GetStreamUri of a profile.
    GetStreamUri {
        setup: StreamSetup = "trt:StreamSetup",
        profile: String = "trt:ProfileToken"
    } -> MediaUri => |r| media_uri(r);
    /// GetSnapshotUri of a profile.
    GetSnapshotUri { profile: String = "trt:ProfileToken" } -> MediaUri => |r| media_uri(r);
    /// CreateProfile: an empty profile named `name`, with the token we ask for if the device
    /// lets clients choose (most ignore it and answer with their own). Answers the new profile.
    CreateProfile {
        name: String = "trt:Name",
        token: Option<String> = "trt:Token"
    } -> MediaProfile => |r| profile(r.child("Profile")?);
    /// AddVideoSourceConfiguration: attach a video source configuration to a profile.
    AddVideoSourceConfiguration {
        profile: String = "trt:ProfileToken",
        configuration: String = "trt:ConfigurationToken"
    } -> () => |_r| Ok(());
    /// AddVideoEncoderConfiguration: attach a video encoder configuration to a profile.
    AddVideoEncoderConfiguration {
        profile: String = "trt:ProfileToken",
        configuration: String = "trt:ConfigurationToken"
    } -> () => |_r| Ok(());
    /// AddAudioSourceConfiguration: attach an audio source configuration to a profile.
    AddAudioSourceConfiguration {
        profile: String = "trt:ProfileToken",
        configuration: String = "trt:ConfigurationToken"
    } -> () => |_r| Ok(());
    /// AddAudioEncoderConfiguration: attach an audio encoder configuration to a profile (it
    /// needs the audio source first).
    AddAudioEncoderConfiguration {
        profile: String = "trt:ProfileToken",
        configuration: String = "trt:ConfigurationToken"
    } -> () => |_r| Ok(());
    /// AddPTZConfiguration: let a profile drive a PTZ configuration (presets are per profile).
    AddPTZConfiguration {
        profile: String = "trt:ProfileToken",
        configuration: String = "trt:ConfigurationToken"
    } -> () => |_r| Ok(());
    /// DeleteProfile.
    DeleteProfile { profile: String = "trt:ProfileToken" } -> () => |_r| Ok(());
    /// SetAudioEncoderConfiguration with a complete `tt:AudioEncoderConfiguration`: encoding
    /// (G711, G726 or AAC; Media2 names such as `PCMU` are written in their ver10 spelling),
    /// bitrate and sample rate, and the multicast settings and session timeout the schema
    /// requires (multicast off and `PT60S` when the configuration read had none). Read the
    /// configuration, change the plan's values and write it back.
    SetAudioEncoderConfiguration {
        /// The configuration, by its token.
        encoder: AudioEncoder,
        /// Keep it across reboots (obsolete in the WSDL, still required).
        force_persistence: bool
    } write |op, x| {
        let e = &op.encoder;
        let (bitrate, sample_rate) = open_audio_encoder::<Self>(x, e, |name| {
            crate::model::AudioCodec::parse(name).media1_name().ok_or_else(|| {
                Self::unsupported(ENCODING, name, "Media ver10 encodes G711, G726 or AAC; use Media2")
            })
        })?;
        let bitrate = Self::xs_int(bitrate, "Configuration/Bitrate")?;
        let sample_rate = Self::xs_int(sample_rate, "Configuration/SampleRate")?;
        push_text(x, "tt:Bitrate", &bitrate);
        push_text(x, "tt:SampleRate", &sample_rate);
        write_multicast::<Self>(x, e.multicast.as_ref().unwrap_or(&Multicast::default()))?;
        let timeout = e.session_timeout.as_deref().map(str::trim).unwrap_or("PT60S");
        if parse_duration_s(timeout).is_none() {
            let reason = "an xs:duration such as PT60S";
            return Err(Self::unsupported("Configuration/SessionTimeout", timeout, reason));
        }
        push_text(x, "tt:SessionTimeout", timeout);
        x.push_str("</trt:Configuration>");
        push_bool(x, "trt:ForcePersistence", op.force_persistence);
        Ok(())
    } -> () => |_r| Ok(());
    /// SetVideoEncoderConfiguration with a complete `tt:VideoEncoderConfiguration`.
    ///
    /// The schema makes every part mandatory (resolution, quality, multicast, session timeout),
    /// so the usual way is to read the configuration, change what the plan says and write it
    /// back. An encoder without multicast settings is written with multicast off (`0.0.0.0:0`),
    /// and without a session timeout with `PT60S`. Rate control is written when frame rate and
    /// bitrate are both known, the H264/MPEG4 block when GOV length and codec profile are:
    /// otherwise the device keeps its own. A codec ver10 cannot name (H.265) is refused: use
    /// [`super::media2::SetVideoEncoderConfiguration`].
    SetVideoEncoderConfiguration {
        /// The configuration, by its token.
        encoder: VideoEncoder,
        /// Keep it across reboots (ver10 requires the flag; devices persist either way).
        force_persistence: bool
    } write |op, x| {
        let e = &op.encoder;
        let ver10 = "Media ver10 encodes JPEG, MPEG4 or H264 only; use Media2";
        let (codec, quality) = open_encoder::<Self>(
            x,
            e,
            |c| c.media1_name().ok_or_else(|| Self::unsupported(ENCODING, c.mime_name(), ver10)),
            |_| Ok(()),
        )?;
        push_text(x, "tt:Quality", &xs_float(quality));
        // RateControl is all or nothing in ver10; a partial one is left out so the device
        // keeps its current limits rather than receiving invented ones.
        if let (Some(fps), Some(bitrate)) = (e.frame_rate, e.bitrate_kbps) {
            if fps.fract() != 0.0 || !(1.0..=f64::from(i32::MAX)).contains(&fps) {
                return Err(Self::unsupported(
                    "Configuration/RateControl/FrameRateLimit",
                    &xs_float(fps),
                    "ver10 frame rate limits are whole numbers of at least 1",
                ));
            }
            x.push_str("<tt:RateControl>");
            push_text(x, "tt:FrameRateLimit", &fps.to_string());
            let interval = e.encoding_interval.unwrap_or(1);
            let interval = Self::xs_int(interval, "Configuration/RateControl/EncodingInterval")?;
            push_text(x, "tt:EncodingInterval", &interval);
            let bitrate = Self::xs_int(bitrate, "Configuration/RateControl/BitrateLimit")?;
            push_text(x, "tt:BitrateLimit", &bitrate);
            x.push_str("</tt:RateControl>");
        }
        let block: Option<(&str, &str, &[&str])> = match codec {
            Codec::H264 => Some(("H264", "H264Profile", &["Baseline", "Main", "Extended", "High"])),
            Codec::Mpeg4 => Some(("MPEG4", "Mpeg4Profile", &["SP", "ASP"])),
            _ => None,
        };
        if let (Some((block, element, allowed)), Some(gov), Some(profile)) =
            (block, e.gov_length, e.profile.as_deref())
        {
            let reason = "Baseline, Main, Extended or High (SP or ASP for MPEG4)";
            let profile = Self::one_of(profile, allowed, "Configuration/H264/H264Profile", reason)?;
            let gov = Self::xs_int(gov, "Configuration/H264/GovLength")?;
            let _ = write!(
                x,
                "<tt:{block}><tt:GovLength>{gov}</tt:GovLength><tt:{element}>{profile}</tt:{element}></tt:{block}>"
            );
        }
        write_multicast::<Self>(x, e.multicast.as_ref().unwrap_or(&Multicast::default()))?;
        let timeout = e.session_timeout.as_deref().map(str::trim).unwrap_or("PT60S");
        if parse_duration_s(timeout).is_none() {
            let reason = "an xs:duration such as PT60S";
            return Err(Self::unsupported("Configuration/SessionTimeout", timeout, reason));
        }
        push_text(x, "tt:SessionTimeout", timeout);
        x.push_str("</trt:Configuration>");
        push_bool(x, "trt:ForcePersistence", op.force_persistence);
        Ok(())
    } -> () => |_r| Ok(());
}

impl Field for StreamSetup {
    fn write_as(&self, out: &mut String, qname: &str) {
        let stream = if self.multicast {
            "RTP-Multicast"
        } else {
            "RTP-Unicast"
        };
        let protocol = self.protocol.as_str();
        let _ = write!(
            out,
            "<{qname}><tt:Stream>{stream}</tt:Stream><tt:Transport><tt:Protocol>{protocol}</tt:Protocol></tt:Transport></{qname}>"
        );
    }
}

const ENCODING: &str = "Configuration/Encoding";

/// Checks what SetVideoEncoderConfiguration needs in both media services (token, codec, with
/// its wire name from `encoding`, resolution and quality) and opens the configuration element
/// up to its resolution; `attributes` adds the service's own attributes. Answers the codec and
/// the quality, which the services place differently.
pub(crate) fn open_encoder<'e, O: Operation>(
    x: &mut String,
    e: &'e VideoEncoder,
    encoding: impl FnOnce(&'e Codec) -> Result<&'e str, RequestError>,
    attributes: impl FnOnce(&mut String) -> Result<(), RequestError>,
) -> Result<(&'e Codec, f64), RequestError> {
    if e.token.trim().is_empty() {
        return Err(O::missing("Configuration/@token"));
    }
    let codec = match &e.encoding {
        Some(Codec::Other(name)) if name.is_empty() => None,
        other => other.as_ref(),
    }
    .ok_or(O::missing(ENCODING))?;
    let encoding = encoding(codec)?;
    let (w, h) = (
        "Configuration/Resolution/Width",
        "Configuration/Resolution/Height",
    );
    let (width, height) = (
        e.width.ok_or(O::missing(w))?,
        e.height.ok_or(O::missing(h))?,
    );
    let (width, height) = (O::xs_int(width, w)?, O::xs_int(height, h)?);
    let quality = e.quality.ok_or(O::missing("Configuration/Quality"))?;
    let prefix = super::ops::prefix(O::SERVICE);
    let _ = write!(x, r#"<{prefix}:Configuration token="{}""#, escape(&e.token));
    attributes(x)?;
    if let Some(g) = e.guaranteed_frame_rate {
        let _ = write!(x, r#" GuaranteedFrameRate="{g}""#);
    }
    x.push('>');
    push_text(x, "tt:Name", &e.name);
    // UseCount is read-only (and deprecated in Media2); devices ignore what a client sends.
    push_text(x, "tt:UseCount", "0");
    push_text(x, "tt:Encoding", encoding);
    let _ = write!(
        x,
        "<tt:Resolution><tt:Width>{width}</tt:Width><tt:Height>{height}</tt:Height></tt:Resolution>"
    );
    Ok((codec, quality))
}

/// Writes a `tt:MulticastConfiguration` (multicast off is `0.0.0.0`, port 0).
pub(crate) fn write_multicast<O: Operation>(
    x: &mut String,
    m: &Multicast,
) -> Result<(), RequestError> {
    const FIELD: &str = "Configuration/Multicast";
    let address = m.address.as_deref().unwrap_or("0.0.0.0");
    let ip: std::net::IpAddr = address
        .parse()
        .map_err(|_| O::unsupported(FIELD, address, "an IPv4 or IPv6 address"))?;
    let version = if ip.is_ipv4() { "IPv4" } else { "IPv6" };
    let ttl = O::xs_int(m.ttl.unwrap_or(1), FIELD)?;
    let _ = write!(
        x,
        "<tt:Multicast><tt:Address><tt:Type>{version}</tt:Type><tt:{version}Address>{address}</tt:{version}Address></tt:Address>\
         <tt:Port>{}</tt:Port><tt:TTL>{ttl}</tt:TTL><tt:AutoStart>{}</tt:AutoStart></tt:Multicast>",
        m.port.unwrap_or(0),
        m.auto_start.unwrap_or(false)
    );
    Ok(())
}

/// A stream or snapshot URI (GetStreamUri, GetSnapshotUri).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaUri {
    /// The URI, entities decoded and userinfo removed.
    pub uri: String,
    /// The URI stops working after the first connection.
    pub invalid_after_connect: Option<bool>,
    /// The URI stops working after a reboot.
    pub invalid_after_reboot: Option<bool>,
    /// How long the URI stays valid, seconds (0: for ever).
    pub timeout_s: Option<u64>,
}

/// What the media service says it can do (GetServiceCapabilities of Media and Media2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaCapabilities {
    /// GetSnapshotUri is supported.
    pub snapshot_uri: Option<bool>,
    /// Video source rotation is supported.
    pub rotation: Option<bool>,
    /// Video source modes are supported.
    pub video_source_mode: Option<bool>,
    /// On-screen display is supported.
    pub osd: Option<bool>,
    /// Maximum number of media profiles.
    pub maximum_number_of_profiles: Option<u32>,
    /// Configuration types a profile can hold (Media2 only).
    pub configurations_supported: Vec<String>,
    /// RTP multicast.
    pub rtp_multicast: Option<bool>,
    /// RTP over TCP (ver10 only).
    pub rtp_tcp: Option<bool>,
    /// RTP over RTSP over TCP.
    pub rtp_rtsp_tcp: Option<bool>,
    /// RTSP streaming (Media2 `RTSPStreaming`; ver10 reports the opposite, `NoRTSPStreaming`).
    pub rtsp_streaming: Option<bool>,
    /// Non-aggregate RTSP control.
    pub non_aggregate_control: Option<bool>,
}

/// Reads the capabilities element of either media service.
pub(crate) fn media_capabilities(r: Cursor<'_>) -> Result<MediaCapabilities, ParseError> {
    let caps = r.child("Capabilities")?;
    let profile = caps.opt_child("ProfileCapabilities");
    let streaming = caps.opt_child("StreamingCapabilities");
    let flag = |c: Option<Cursor<'_>>, name| {
        c.map_or(Ok(None), |c| c.opt_attr_parse(name, super::parse_bool))
    };
    let no_rtsp = flag(streaming, "NoRTSPStreaming")?;
    Ok(MediaCapabilities {
        snapshot_uri: flag(Some(caps), "SnapshotUri")?,
        rotation: flag(Some(caps), "Rotation")?,
        video_source_mode: flag(Some(caps), "VideoSourceMode")?,
        osd: flag(Some(caps), "OSD")?,
        maximum_number_of_profiles: profile.map_or(Ok(None), |p| {
            p.opt_attr_parse("MaximumNumberOfProfiles", super::parse_u32)
        })?,
        configurations_supported: profile
            .and_then(|p| p.element().attr("ConfigurationsSupported"))
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
        rtp_multicast: flag(streaming, "RTPMulticast")?,
        rtp_tcp: flag(streaming, "RTP_TCP")?,
        rtp_rtsp_tcp: flag(streaming, "RTP_RTSP_TCP")?,
        rtsp_streaming: flag(streaming, "RTSPStreaming")?.or(no_rtsp.map(|n| !n)),
        non_aggregate_control: flag(streaming, "NonAggregateControl")?,
    })
}

/// `tt:Profile`: its configurations are children named `<Part>Configuration`.
fn profile(p: Cursor<'_>) -> Result<MediaProfile, ParseError> {
    read_profile(p, MediaService::Media, |part| {
        p.opt_child(&format!("{part}Configuration"))
    })
}

/// A profile of either service, its configurations found by `part` from their Media2 names
/// (`VideoSource`, `VideoEncoder`, `AudioEncoder`, `PTZ`).
pub(crate) fn read_profile<'a>(
    p: Cursor<'a>,
    service: MediaService,
    part: impl Fn(&str) -> Option<Cursor<'a>>,
) -> Result<MediaProfile, ParseError> {
    Ok(MediaProfile {
        token: p.attr("token")?.to_owned(),
        name: p.string_or_empty("Name"),
        fixed: p
            .opt_attr_parse("fixed", super::parse_bool)?
            .unwrap_or(false),
        service,
        video_source_configuration: part("VideoSource")
            .map(video_source_configuration)
            .transpose()?,
        video_encoder: part("VideoEncoder").map(video_encoder).transpose()?,
        encoder_options: Vec::new(),
        audio_source_configuration: part("AudioSource")
            .map(|e| e.attr("token").map(str::to_owned))
            .transpose()?,
        audio_encoder: part("AudioEncoder").map(audio_encoder).transpose()?,
        ptz_configuration: part("PTZ")
            .map(|e| e.attr("token").map(str::to_owned))
            .transpose()?,
        stream_uri: None,
        snapshot_uri: None,
    })
}

/// The options of `GetVideoEncoderConfigurationOptionsResponse`, one entry per codec block.
fn encoder_options(r: Cursor<'_>) -> Result<Vec<EncoderOptions>, ParseError> {
    let Some(options) = r.opt_child("Options") else {
        return Ok(Vec::new());
    };
    let quality_range = options.opt_with("QualityRange", range)?;
    let extension = options.opt_child("Extension");
    let mut out = Vec::new();
    for (block, codec) in [
        ("JPEG", Codec::Jpeg),
        ("MPEG4", Codec::Mpeg4),
        ("H264", Codec::H264),
    ] {
        let base = options.opt_child(block);
        let ext = extension.and_then(|e| e.opt_child(block));
        // The 2.0 extension repeats the block with a bitrate range; some devices send only it.
        let Some(main) = base.or(ext) else { continue };
        let frame_rate_range = main.opt_with("FrameRateRange", range)?;
        let profiles = match codec {
            Codec::Mpeg4 => "Mpeg4ProfilesSupported",
            _ => "H264ProfilesSupported",
        };
        let mut frame_rates = Vec::new();
        if let Some(r) = frame_rate_range {
            frame_rates.push(r.min);
            if r.max != r.min {
                frame_rates.push(r.max);
            }
        }
        let bitrate = [ext, base]
            .into_iter()
            .flatten()
            .find_map(|b| b.opt_child("BitrateRange"));
        out.push(EncoderOptions {
            encoding: Some(codec),
            resolutions: resolutions(main)?,
            frame_rates,
            frame_rate_range,
            quality_range,
            bitrate_range: bitrate.map(range).transpose()?,
            gov_length_range: main.opt_with("GovLengthRange", range)?,
            encoding_interval_range: main.opt_with("EncodingIntervalRange", range)?,
            profiles: main.texts(profiles),
        });
    }
    Ok(out)
}

/// `tt:MediaUri` (GetStreamUri, GetSnapshotUri): the URI, entities decoded and userinfo
/// removed.
fn media_uri(r: Cursor<'_>) -> Result<MediaUri, ParseError> {
    let m = r.child("MediaUri")?;
    Ok(MediaUri {
        uri: redact_uri(m.str("Uri")?),
        invalid_after_connect: m.opt_bool("InvalidAfterConnect")?,
        invalid_after_reboot: m.opt_bool("InvalidAfterReboot")?,
        // A timeout we cannot read is not worth failing the URI for.
        timeout_s: m.opt_str("Timeout").and_then(parse_duration_s),
    })
}

/// `tt:IntRange`/`tt:FloatRange`: both ends required.
pub(crate) fn range(c: Cursor<'_>) -> Result<Range, ParseError> {
    Ok(Range::new(c.f64("Min")?, c.f64("Max")?))
}

/// All `ResolutionsAvailable` children as `(width, height)`.
pub(crate) fn resolutions(c: Cursor<'_>) -> Result<Vec<(u32, u32)>, ParseError> {
    c.each("ResolutionsAvailable", |r| {
        Ok((r.u32("Width")?, r.u32("Height")?))
    })
}

/// `tt:VideoSourceConfiguration` (also Media2's `VideoSource`).
pub(crate) fn video_source_configuration(
    c: Cursor<'_>,
) -> Result<VideoSourceConfiguration, ParseError> {
    let bounds = match c.opt_child("Bounds") {
        None => None,
        Some(b) => {
            // Whole numbers that fit the model's types; a window with a side missing says
            // nothing usable.
            let side = |name: &str, fits: fn(f64) -> bool| {
                b.opt_attr_parse(name, |v| {
                    super::parse_f64(v).filter(|v| v.fract() == 0.0 && fits(*v))
                })
            };
            let signed = |v: f64| (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&v);
            let unsigned = |v: f64| (0.0..=f64::from(u32::MAX)).contains(&v);
            match (
                side("x", signed)?,
                side("y", signed)?,
                side("width", unsigned)?,
                side("height", unsigned)?,
            ) {
                (Some(x), Some(y), Some(w), Some(h)) => Some(Rect {
                    x: x as i32,
                    y: y as i32,
                    width: w as u32,
                    height: h as u32,
                }),
                _ => None,
            }
        }
    };
    Ok(VideoSourceConfiguration {
        token: c.attr("token")?.to_owned(),
        name: c.string_or_empty("Name"),
        source_token: c.string_or_empty("SourceToken"),
        bounds,
    })
}

/// `tt:VideoEncoderConfiguration` (ver10) or `tt:VideoEncoder2Configuration` (Media2): every
/// child optional, since Dahua-family firmware sends configurations with only a name.
pub(crate) fn video_encoder(e: Cursor<'_>) -> Result<VideoEncoder, ParseError> {
    let mut encoding = e.opt_str("Encoding").map(Codec::parse);
    // Hikvision firmware that encodes H.265 says `H264` in the ver10 element (the enumeration
    // has no H.265) and the truth in a non-standard `encoding` attribute.
    if let Some(real) = e.opt_attr("encoding") {
        encoding = Some(Codec::parse(real));
    }
    let resolution = e.opt_child("Resolution");
    let rate = e.opt_child("RateControl");
    // ver10 has H264/MPEG4 blocks; Media2 has GovLength/Profile attributes.
    let block = e.opt_child("H264").or_else(|| e.opt_child("MPEG4"));
    let gov_length = match e.opt_attr_parse("GovLength", super::parse_u32)? {
        Some(g) => Some(g),
        None => block.map_or(Ok(None), |b| b.opt_u32("GovLength"))?,
    };
    let profile = e
        .opt_attr("Profile")
        .or_else(|| {
            block.and_then(|b| {
                b.opt_str("H264Profile")
                    .or_else(|| b.opt_str("Mpeg4Profile"))
            })
        })
        .map(str::to_owned);
    let u32_in = |c: Option<Cursor<'_>>, name| c.map_or(Ok(None), |c| c.opt_u32(name));
    Ok(VideoEncoder {
        token: e.attr("token")?.to_owned(),
        name: e.string_or_empty("Name"),
        encoding,
        width: u32_in(resolution, "Width")?,
        height: u32_in(resolution, "Height")?,
        quality: e.opt_f64("Quality")?,
        frame_rate: rate.map_or(Ok(None), |r| r.opt_f64("FrameRateLimit"))?,
        bitrate_kbps: u32_in(rate, "BitrateLimit")?,
        gov_length,
        encoding_interval: u32_in(rate, "EncodingInterval")?,
        profile,
        constant_bitrate: rate.map_or(Ok(None), |r| {
            r.opt_attr_parse("ConstantBitRate", super::parse_bool)
        })?,
        guaranteed_frame_rate: e.opt_attr_parse("GuaranteedFrameRate", super::parse_bool)?,
        multicast: e.opt_with("Multicast", multicast)?,
        session_timeout: e.opt_str("SessionTimeout").map(str::to_owned),
    })
}

/// `tt:AudioEncoderConfiguration` (also Media2's `AudioEncoder`).
pub(crate) fn audio_encoder(e: Cursor<'_>) -> Result<AudioEncoder, ParseError> {
    Ok(AudioEncoder {
        token: e.attr("token")?.to_owned(),
        name: e.string_or_empty("Name"),
        encoding: e.opt_str("Encoding").map(str::to_owned),
        bitrate_kbps: e.opt_u32("Bitrate")?,
        sample_rate_khz: e.opt_u32("SampleRate")?,
        multicast: e.opt_with("Multicast", multicast)?,
        session_timeout: e.opt_str("SessionTimeout").map(str::to_owned),
    })
}

/// One `tt:AudioEncoderConfigurationOption` (ver10) or `tt:AudioEncoder2ConfigurationOptions`
/// (Media2): an encoding with its bitrate and sample rate lists (`tt:IntItems`).
pub(crate) fn audio_encoder_options(o: Cursor<'_>) -> Result<AudioEncoderOptions, ParseError> {
    let items = |name: &str| -> Result<Vec<u32>, ParseError> {
        match o.opt_child(name) {
            None => Ok(Vec::new()),
            Some(list) => list
                .children("Items")
                .map(|i| i.value(super::parse_u32))
                .collect(),
        }
    };
    Ok(AudioEncoderOptions {
        encoding: o.str("Encoding")?.to_owned(),
        bitrates: items("BitrateList")?,
        sample_rates: items("SampleRateList")?,
    })
}

/// Writes the audio values both SetAudioEncoderConfiguration requests share (token, name,
/// use count, encoding in the service's spelling) and answers bitrate and sample rate, which
/// the schema requires and the services place differently around Multicast.
pub(crate) fn open_audio_encoder<'e, O: Operation>(
    x: &mut String,
    e: &'e AudioEncoder,
    encoding: impl FnOnce(&'e str) -> Result<&'e str, RequestError>,
) -> Result<(u32, u32), RequestError> {
    if e.token.trim().is_empty() {
        return Err(O::missing("Configuration/@token"));
    }
    let name = e
        .encoding
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or(O::missing(ENCODING))?;
    let encoding = encoding(name)?;
    let bitrate = e.bitrate_kbps.ok_or(O::missing("Configuration/Bitrate"))?;
    let sample_rate = e
        .sample_rate_khz
        .ok_or(O::missing("Configuration/SampleRate"))?;
    let prefix = super::ops::prefix(O::SERVICE);
    let _ = write!(
        x,
        r#"<{prefix}:Configuration token="{}">"#,
        escape(&e.token)
    );
    push_text(x, "tt:Name", &e.name);
    push_text(x, "tt:UseCount", "0");
    push_text(x, "tt:Encoding", encoding);
    Ok((bitrate, sample_rate))
}

/// `tt:MulticastConfiguration`.
pub(crate) fn multicast(e: Cursor<'_>) -> Result<Multicast, ParseError> {
    let address = e.opt_child("Address");
    Ok(Multicast {
        address: address
            .and_then(|a| {
                a.opt_str("IPv4Address")
                    .or_else(|| a.opt_str("IPv6Address"))
            })
            .map(str::to_owned),
        port: e.opt_parse("Port", |p| {
            super::parse_u32(p).and_then(|p| u16::try_from(p).ok())
        })?,
        ttl: e.opt_u32("TTL")?,
        auto_start: e.opt_bool("AutoStart")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::xml;
    use crate::soap::xml::Element;

    const NS: &str = r#"xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema""#;

    fn doc(body: &str) -> Element {
        xml::parse(body.replace("NS", NS).as_bytes()).expect("test XML is well-formed")
    }

    #[test]
    fn profile_with_every_part() {
        let p = doc(
            r#"<trt:GetProfilesResponse NS><trt:Profiles token="P1" fixed="true">
            <tt:Name>main</tt:Name>
            <tt:VideoSourceConfiguration token="VS"><tt:Name>src</tt:Name><tt:UseCount>2</tt:UseCount>
              <tt:SourceToken>VideoSource_1</tt:SourceToken><tt:Bounds x="0" y="0" width="1920" height="1080"/></tt:VideoSourceConfiguration>
            <tt:VideoEncoderConfiguration token="VE"><tt:Name>enc</tt:Name><tt:UseCount>1</tt:UseCount>
              <tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution>
              <tt:Quality>4.000000</tt:Quality>
              <tt:RateControl><tt:FrameRateLimit>25</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>4096</tt:BitrateLimit></tt:RateControl>
              <tt:H264><tt:GovLength>50</tt:GovLength><tt:H264Profile>High</tt:H264Profile></tt:H264>
              <tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type><tt:IPv4Address>239.0.0.1</tt:IPv4Address></tt:Address>
                <tt:Port>8860</tt:Port><tt:TTL>128</tt:TTL><tt:AutoStart>false</tt:AutoStart></tt:Multicast>
              <tt:SessionTimeout>PT5S</tt:SessionTimeout></tt:VideoEncoderConfiguration>
            <tt:AudioEncoderConfiguration token="AE"><tt:Name>a</tt:Name><tt:Encoding>G711</tt:Encoding><tt:Bitrate>64</tt:Bitrate><tt:SampleRate>8</tt:SampleRate></tt:AudioEncoderConfiguration>
            <tt:PTZConfiguration token="PTZ"><tt:Name>p</tt:Name><tt:NodeToken>N</tt:NodeToken></tt:PTZConfiguration>
            <tt:Unknown><tt:Deep/></tt:Unknown>
          </trt:Profiles></trt:GetProfilesResponse>"#,
        );
        let profiles = GetProfiles.parse(&p).unwrap();
        assert_eq!(profiles.len(), 1);
        let p = &profiles[0];
        assert_eq!(
            (p.token.as_str(), p.name.as_str(), p.fixed),
            ("P1", "main", true)
        );
        let vs = p.video_source_configuration.as_ref().unwrap();
        assert_eq!(vs.source_token, "VideoSource_1");
        assert_eq!(vs.bounds.unwrap().width, 1920);
        let ve = p.video_encoder.as_ref().unwrap();
        assert_eq!(ve.encoding, Some(Codec::H264));
        assert_eq!((ve.width, ve.height), (Some(1920), Some(1080)));
        assert_eq!(ve.quality, Some(4.0));
        assert_eq!(ve.frame_rate, Some(25.0));
        assert_eq!(ve.bitrate_kbps, Some(4096));
        assert_eq!(ve.gov_length, Some(50));
        assert_eq!(ve.profile.as_deref(), Some("High"));
        let m = ve.multicast.as_ref().unwrap();
        assert_eq!(
            (m.address.as_deref(), m.port, m.ttl),
            (Some("239.0.0.1"), Some(8860), Some(128))
        );
        assert_eq!(ve.session_timeout.as_deref(), Some("PT5S"));
        assert_eq!(p.audio_encoder.as_ref().unwrap().sample_rate_khz, Some(8));
        assert_eq!(p.ptz_configuration.as_deref(), Some("PTZ"));
    }

    #[test]
    fn missing_profile_token_names_the_field() {
        let p = doc(
            r#"<trt:GetProfilesResponse NS><trt:Profiles><tt:Name>x</tt:Name></trt:Profiles></trt:GetProfilesResponse>"#,
        );
        assert_eq!(
            GetProfiles.parse(&p),
            Err(ParseError::Missing {
                operation: "media.GetProfiles",
                field: "Profiles/@token".into()
            })
        );
    }

    #[test]
    fn garbage_numbers_are_invalid_not_panics() {
        for (inner, field) in [
            ("<tt:Quality>high</tt:Quality>", "Configurations/Quality"),
            (
                "<tt:Resolution><tt:Width>-1920</tt:Width></tt:Resolution>",
                "Configurations/Resolution/Width",
            ),
            (
                "<tt:RateControl><tt:BitrateLimit>99999999999</tt:BitrateLimit></tt:RateControl>",
                "Configurations/RateControl/BitrateLimit",
            ),
            (
                "<tt:RateControl><tt:FrameRateLimit>NaN</tt:FrameRateLimit></tt:RateControl>",
                "Configurations/RateControl/FrameRateLimit",
            ),
            (
                "<tt:Multicast><tt:Port>70000</tt:Port></tt:Multicast>",
                "Configurations/Multicast/Port",
            ),
        ] {
            let p = doc(&format!(
                r#"<trt:GetVideoEncoderConfigurationsResponse NS><trt:Configurations token="1">{inner}</trt:Configurations></trt:GetVideoEncoderConfigurationsResponse>"#
            ));
            match GetVideoEncoderConfigurations.parse(&p) {
                Err(ParseError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{inner}: {other:?}"),
            }
        }
    }

    #[test]
    fn empty_elements_are_absent_not_errors() {
        let p = doc(
            r#"<trt:GetVideoEncoderConfigurationsResponse NS><trt:Configurations token="1">
            <tt:Name/><tt:Encoding> </tt:Encoding><tt:Quality></tt:Quality><tt:RateControl/></trt:Configurations></trt:GetVideoEncoderConfigurationsResponse>"#,
        );
        let v = &GetVideoEncoderConfigurations.parse(&p).unwrap()[0];
        assert_eq!(v.encoding, None);
        assert_eq!(v.quality, None);
        assert_eq!(v.frame_rate, None);
    }

    #[test]
    fn wrong_response_element_is_reported() {
        let p = doc(r#"<trt:GetStreamUri NS/>"#);
        assert!(matches!(
            GetStreamUri::default().parse(&p),
            Err(ParseError::WrongElement {
                expected: "GetStreamUriResponse",
                ..
            })
        ));
    }

    #[test]
    fn stream_uri_loses_credentials_and_entities() {
        let p = doc(r#"<trt:GetStreamUriResponse NS><trt:MediaUri>
            <tt:Uri>rtsp://admin:Secret1@10.0.0.5:554/cam/realmonitor?channel=1&amp;subtype=0</tt:Uri>
            <tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>true</tt:InvalidAfterReboot>
            <tt:Timeout>PT60S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>"#);
        let u = GetStreamUri::default().parse(&p).unwrap();
        assert_eq!(
            u.uri,
            "rtsp://10.0.0.5:554/cam/realmonitor?channel=1&subtype=0"
        );
        assert_eq!(u.invalid_after_reboot, Some(true));
        assert_eq!(u.timeout_s, Some(60));
        let empty = doc(
            r#"<trt:GetStreamUriResponse NS><trt:MediaUri><tt:Uri/></trt:MediaUri></trt:GetStreamUriResponse>"#,
        );
        assert_eq!(
            GetStreamUri::default().parse(&empty),
            Err(ParseError::Missing {
                operation: "media.GetStreamUri",
                field: "MediaUri/Uri".into()
            })
        );
    }

    #[test]
    fn options_per_codec_with_extension_bitrates() {
        let p = doc(
            r#"<trt:GetVideoEncoderConfigurationOptionsResponse NS><trt:Options>
            <tt:QualityRange><tt:Min>1</tt:Min><tt:Max>6</tt:Max></tt:QualityRange>
            <tt:JPEG><tt:ResolutionsAvailable><tt:Width>704</tt:Width><tt:Height>576</tt:Height></tt:ResolutionsAvailable>
              <tt:FrameRateRange><tt:Min>1</tt:Min><tt:Max>25</tt:Max></tt:FrameRateRange>
              <tt:EncodingIntervalRange><tt:Min>1</tt:Min><tt:Max>6</tt:Max></tt:EncodingIntervalRange></tt:JPEG>
            <tt:H264><tt:ResolutionsAvailable><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:ResolutionsAvailable>
              <tt:GovLengthRange><tt:Min>1</tt:Min><tt:Max>255</tt:Max></tt:GovLengthRange>
              <tt:FrameRateRange><tt:Min>1</tt:Min><tt:Max>30</tt:Max></tt:FrameRateRange>
              <tt:EncodingIntervalRange><tt:Min>1</tt:Min><tt:Max>30</tt:Max></tt:EncodingIntervalRange>
              <tt:H264ProfilesSupported>Main</tt:H264ProfilesSupported><tt:H264ProfilesSupported>High</tt:H264ProfilesSupported></tt:H264>
            <tt:Extension><tt:H264><tt:BitrateRange><tt:Min>32</tt:Min><tt:Max>16384</tt:Max></tt:BitrateRange></tt:H264></tt:Extension>
          </trt:Options></trt:GetVideoEncoderConfigurationOptionsResponse>"#,
        );
        let o = GetVideoEncoderConfigurationOptions::default()
            .parse(&p)
            .unwrap();
        assert_eq!(o.len(), 2);
        assert_eq!(o[0].encoding, Some(Codec::Jpeg));
        assert_eq!(o[0].bitrate_range, None);
        assert_eq!(o[0].quality_range, Some(Range::new(1.0, 6.0)));
        assert_eq!(o[1].encoding, Some(Codec::H264));
        assert_eq!(o[1].resolutions, vec![(1920, 1080)]);
        assert_eq!(o[1].frame_rates, vec![1.0, 30.0]);
        assert_eq!(o[1].gov_length_range, Some(Range::new(1.0, 255.0)));
        assert_eq!(o[1].encoding_interval_range, Some(Range::new(1.0, 30.0)));
        assert_eq!(o[1].bitrate_range, Some(Range::new(32.0, 16384.0)));
        assert_eq!(o[1].profiles, ["Main", "High"]);

        let bad = doc(
            r#"<trt:GetVideoEncoderConfigurationOptionsResponse NS><trt:Options>
            <tt:QualityRange><tt:Min>1</tt:Min></tt:QualityRange></trt:Options></trt:GetVideoEncoderConfigurationOptionsResponse>"#,
        );
        assert_eq!(
            GetVideoEncoderConfigurationOptions::default().parse(&bad),
            Err(ParseError::Missing {
                operation: "media.GetVideoEncoderConfigurationOptions",
                field: "Options/QualityRange/Max".into()
            })
        );
    }

    #[test]
    fn service_capabilities_invert_no_rtsp_streaming() {
        let p = doc(
            r#"<trt:GetServiceCapabilitiesResponse NS><trt:Capabilities SnapshotUri="true">
            <trt:ProfileCapabilities MaximumNumberOfProfiles="24"/>
            <trt:StreamingCapabilities NoRTSPStreaming="false" RTPMulticast="false"/></trt:Capabilities></trt:GetServiceCapabilitiesResponse>"#,
        );
        let c = GetServiceCapabilities.parse(&p).unwrap();
        assert_eq!(c.snapshot_uri, Some(true));
        assert_eq!(c.maximum_number_of_profiles, Some(24));
        assert_eq!(c.rtsp_streaming, Some(true));
        assert_eq!(c.rtp_multicast, Some(false));
        assert_eq!(c.rotation, None);
    }

    fn encoder() -> VideoEncoder {
        VideoEncoder {
            token: "VE<1>".into(),
            name: "main & co".into(),
            encoding: Some(Codec::H264),
            width: Some(1920),
            height: Some(1080),
            quality: Some(4.0),
            frame_rate: Some(25.0),
            bitrate_kbps: Some(4096),
            gov_length: Some(50),
            encoding_interval: Some(1),
            profile: Some("main".into()),
            ..Default::default()
        }
    }

    #[test]
    fn set_encoder_writes_escaped_complete_configuration() {
        let x = SetVideoEncoderConfiguration {
            encoder: encoder(),
            force_persistence: true,
        }
        .to_xml()
        .unwrap();
        assert!(
            x.contains(r#"<trt:Configuration token="VE&lt;1&gt;">"#),
            "{x}"
        );
        assert!(x.contains("<tt:Name>main &amp; co</tt:Name>"));
        assert!(x.contains("<tt:H264Profile>Main</tt:H264Profile>"));
        assert!(x.contains("<tt:IPv4Address>0.0.0.0</tt:IPv4Address>"));
        assert!(x.contains("<tt:SessionTimeout>PT60S</tt:SessionTimeout>"));
        assert!(x.ends_with(
            "<trt:ForcePersistence>true</trt:ForcePersistence></trt:SetVideoEncoderConfiguration>"
        ));
        // What we write reads back as what we meant.
        let written = xml::parse(x.as_bytes()).unwrap();
        let back =
            video_encoder(Cursor::new(written.child("Configuration").unwrap(), "test")).unwrap();
        assert_eq!(back.bitrate_kbps, Some(4096));
        assert_eq!(back.profile.as_deref(), Some("Main"));
    }

    #[test]
    fn set_encoder_refuses_what_ver10_cannot_say() {
        let mut e = encoder();
        e.encoding = Some(Codec::H265);
        assert!(matches!(
            SetVideoEncoderConfiguration {
                encoder: e.clone(),
                force_persistence: false
            }
            .to_xml(),
            Err(RequestError::Unsupported {
                field: "Configuration/Encoding",
                ..
            })
        ));
        let mut e = encoder();
        e.width = None;
        assert_eq!(
            SetVideoEncoderConfiguration {
                encoder: e.clone(),
                force_persistence: false
            }
            .to_xml(),
            Err(RequestError::Missing {
                operation: "media.SetVideoEncoderConfiguration",
                field: "Configuration/Resolution/Width"
            })
        );
        let mut e = encoder();
        e.profile = Some("Ultra".into());
        assert!(
            SetVideoEncoderConfiguration {
                encoder: e.clone(),
                force_persistence: false
            }
            .to_xml()
            .is_err()
        );
        let mut e = encoder();
        e.bitrate_kbps = Some(u32::MAX);
        assert!(matches!(
            SetVideoEncoderConfiguration {
                encoder: e.clone(),
                force_persistence: false
            }
            .to_xml(),
            Err(RequestError::Unsupported {
                field: "Configuration/RateControl/BitrateLimit",
                ..
            })
        ));
        let mut e = encoder();
        e.multicast = Some(Multicast {
            address: Some("not an address".into()),
            ..Default::default()
        });
        assert!(
            SetVideoEncoderConfiguration {
                encoder: e.clone(),
                force_persistence: false
            }
            .to_xml()
            .is_err()
        );
    }

    #[test]
    fn request_values_are_escaped() {
        let x = GetStreamUri {
            profile: "a&b".into(),
            setup: StreamSetup::default(),
        }
        .to_xml()
        .unwrap();
        assert!(x.contains("<trt:ProfileToken>a&amp;b</trt:ProfileToken>"));
        assert!(x.contains("<tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport>"));
        assert_eq!(
            GetVideoEncoderConfigurationOptions {
                configuration: None,
                profile: Some("P".into()),
            }
            .to_xml()
            .unwrap(),
            r#"<trt:GetVideoEncoderConfigurationOptions xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><trt:ProfileToken>P</trt:ProfileToken></trt:GetVideoEncoderConfigurationOptions>"#
        );
    }

    #[test]
    fn audio_options_per_codec_and_audio_encoder_written_back_whole() {
        // Shape of ONVIF's AudioEncoderConfigurationOptions: Options/Options*, IntItems lists.
        let p = doc(
            r#"<trt:GetAudioEncoderConfigurationOptionsResponse NS><trt:Options>
            <tt:Options><tt:Encoding>G711</tt:Encoding><tt:BitrateList><tt:Items>64</tt:Items></tt:BitrateList>
              <tt:SampleRateList><tt:Items>8</tt:Items></tt:SampleRateList></tt:Options>
            <tt:Options><tt:Encoding>AAC</tt:Encoding><tt:BitrateList><tt:Items>16</tt:Items><tt:Items>32</tt:Items></tt:BitrateList>
              <tt:SampleRateList><tt:Items>8</tt:Items><tt:Items>16</tt:Items></tt:SampleRateList></tt:Options>
          </trt:Options></trt:GetAudioEncoderConfigurationOptionsResponse>"#,
        );
        let o = GetAudioEncoderConfigurationOptions::default()
            .parse(&p)
            .unwrap();
        assert_eq!(
            o,
            [
                AudioEncoderOptions {
                    encoding: "G711".into(),
                    bitrates: vec![64],
                    sample_rates: vec![8],
                },
                AudioEncoderOptions {
                    encoding: "AAC".into(),
                    bitrates: vec![16, 32],
                    sample_rates: vec![8, 16],
                },
            ]
        );
        let bad = doc(
            r#"<trt:GetAudioEncoderConfigurationOptionsResponse NS><trt:Options><tt:Options><tt:Encoding>G711</tt:Encoding>
            <tt:BitrateList><tt:Items>fast</tt:Items></tt:BitrateList></tt:Options></trt:Options></trt:GetAudioEncoderConfigurationOptionsResponse>"#,
        );
        assert!(matches!(
            GetAudioEncoderConfigurationOptions::default().parse(&bad),
            Err(ParseError::Invalid { .. })
        ));

        let e = AudioEncoder {
            token: "AE".into(),
            name: "a".into(),
            encoding: Some("MP4A-LATM".into()),
            bitrate_kbps: Some(32),
            sample_rate_khz: Some(16),
            multicast: None,
            session_timeout: Some("PT5S".into()),
        };
        let x = SetAudioEncoderConfiguration {
            encoder: e.clone(),
            force_persistence: true,
        }
        .to_xml()
        .unwrap();
        // The Media2 name in its ver10 spelling; multicast off, as the schema needs one.
        assert!(x.contains("<tt:Encoding>AAC</tt:Encoding><tt:Bitrate>32</tt:Bitrate><tt:SampleRate>16</tt:SampleRate>"), "{x}");
        assert!(x.contains("<tt:IPv4Address>0.0.0.0</tt:IPv4Address>"));
        assert!(x.contains("<tt:SessionTimeout>PT5S</tt:SessionTimeout></trt:Configuration>"));
        let written = xml::parse(x.as_bytes()).unwrap();
        let back =
            audio_encoder(Cursor::new(written.child("Configuration").unwrap(), "test")).unwrap();
        assert_eq!(back.bitrate_kbps, Some(32));
        assert_eq!(back.sample_rate_khz, Some(16));
        // Opus has no ver10 name: refused, not sent as something else.
        let opus = AudioEncoder {
            encoding: Some("opus".into()),
            ..e.clone()
        };
        assert!(matches!(
            SetAudioEncoderConfiguration {
                encoder: opus,
                force_persistence: true
            }
            .to_xml(),
            Err(RequestError::Unsupported {
                field: "Configuration/Encoding",
                ..
            })
        ));
        let no_rate = AudioEncoder {
            sample_rate_khz: None,
            ..e
        };
        assert_eq!(
            SetAudioEncoderConfiguration {
                encoder: no_rate,
                force_persistence: true
            }
            .to_xml(),
            Err(RequestError::Missing {
                operation: "media.SetAudioEncoderConfiguration",
                field: "Configuration/SampleRate"
            })
        );
    }
}
