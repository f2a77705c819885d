//! Media ver10 (`trt:`) operations: profiles, video source and encoder configurations with
//! their options, audio encoders, stream and snapshot URIs, and the calls apply uses to rebuild
//! a profile on the new camera.
//!
//! Also home of the readers for the shared `tt:` configuration types (video source, video
//! encoder, audio encoder, multicast), which Media2 uses too: the two services wrap the same
//! types in different elements.
//!
//! Responses with an empty body (AddVideoSourceConfiguration, SetVideoEncoderConfiguration,
//! DeleteProfile, ...) are checked with [`parse_empty_response`].

use super::operation::{Cursor, Operation};
use super::{
    ParseError, RequestError, attr_str, child_str, ops, opt_bool, opt_f64, opt_u32,
    parse_duration_s, required, text_element, xs_float,
};
use crate::model::{
    AudioEncoder, Codec, EncoderOptions, MediaProfile, MediaService, Multicast, Range, Rect,
    VideoEncoder, VideoSource, VideoSourceConfiguration, strip_userinfo,
};
use std::fmt::Write as _;

use super::operation::{push_bool, push_opt, push_text};
use crate::soap::xml::{Element, escape};

/// Service name in the operation table.
pub const SERVICE: &str = "media";
/// Prefix the requests bind to the service namespace.
pub const PREFIX: &str = "trt";

fn request(operation: &str, inner: &str) -> String {
    ops::request_xml(ops::get(SERVICE, operation), PREFIX, inner)
}

/// The response element of `op` (`media.GetProfiles`), or the error naming what came instead.
fn response<'a>(payload: &'a Element, op: &'static str) -> Result<&'a Element, ParseError> {
    let name = op.rsplit_once('.').map_or(op, |(_, n)| n);
    super::response_element(payload, ops::get(SERVICE, name))
}

/// Checks the payload of an operation whose response carries nothing
/// (`AddVideoEncoderConfigurationResponse`, `DeleteProfileResponse`, ...); `operation` is the
/// operation name (`DeleteProfile`).
pub fn parse_empty_response(payload: &Element, operation: &'static str) -> Result<(), ParseError> {
    response(payload, operation).map(|_| ())
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/// RTP transport for [`get_stream_uri`] (`tt:TransportProtocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportProtocol {
    /// RTP over UDP.
    Udp,
    /// RTP over TCP (rarely supported).
    Tcp,
    /// RTP over RTSP over TCP: what camswap records, since it crosses firewalls.
    Rtsp,
    /// RTP over RTSP over HTTP.
    Http,
}

impl TransportProtocol {
    fn as_str(self) -> &'static str {
        match self {
            Self::Udp => "UDP",
            Self::Tcp => "TCP",
            Self::Rtsp => "RTSP",
            Self::Http => "HTTP",
        }
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

/// GetServiceCapabilities.
pub fn get_service_capabilities() -> String {
    request("GetServiceCapabilities", "")
}

/// GetProfiles.
pub fn get_profiles() -> String {
    request("GetProfiles", "")
}

/// GetVideoSources.
pub fn get_video_sources() -> String {
    request("GetVideoSources", "")
}

/// GetVideoSourceConfigurations.
pub fn get_video_source_configurations() -> String {
    request("GetVideoSourceConfigurations", "")
}

/// GetVideoEncoderConfigurations.
pub fn get_video_encoder_configurations() -> String {
    request("GetVideoEncoderConfigurations", "")
}

/// GetVideoEncoderConfiguration for one configuration token.
pub fn get_video_encoder_configuration(configuration_token: &str) -> String {
    request(
        "GetVideoEncoderConfiguration",
        &text_element("trt:ConfigurationToken", configuration_token),
    )
}

/// GetVideoEncoderConfigurationOptions for a configuration, a profile, both, or (neither) the
/// device's generic options.
pub fn get_video_encoder_configuration_options(
    configuration_token: Option<&str>,
    profile_token: Option<&str>,
) -> String {
    let mut inner = String::new();
    if let Some(t) = configuration_token {
        inner.push_str(&text_element("trt:ConfigurationToken", t));
    }
    if let Some(t) = profile_token {
        inner.push_str(&text_element("trt:ProfileToken", t));
    }
    request("GetVideoEncoderConfigurationOptions", &inner)
}

/// GetAudioEncoderConfigurations.
pub fn get_audio_encoder_configurations() -> String {
    request("GetAudioEncoderConfigurations", "")
}

/// GetStreamUri for a profile.
pub fn get_stream_uri(profile_token: &str, setup: StreamSetup) -> String {
    let stream = if setup.multicast {
        "RTP-Multicast"
    } else {
        "RTP-Unicast"
    };
    let inner = format!(
        "<trt:StreamSetup>{}<tt:Transport>{}</tt:Transport></trt:StreamSetup>{}",
        text_element("tt:Stream", stream),
        text_element("tt:Protocol", setup.protocol.as_str()),
        text_element("trt:ProfileToken", profile_token)
    );
    request("GetStreamUri", &inner)
}

/// GetSnapshotUri for a profile.
pub fn get_snapshot_uri(profile_token: &str) -> String {
    request(
        "GetSnapshotUri",
        &text_element("trt:ProfileToken", profile_token),
    )
}

/// CreateProfile: an empty profile named `name`, with the token we ask for if the device
/// lets clients choose (most ignore it and answer with their own). Answers the new profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateProfile {
    /// Profile name.
    pub name: String,
    /// Token asked for.
    pub token: Option<String>,
}

impl Operation for CreateProfile {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "CreateProfile";
    type Response = MediaProfile;

    fn write(&self, out: &mut String) -> Result<(), RequestError> {
        push_text(out, "trt:Name", &self.name);
        push_opt(out, "trt:Token", self.token.as_deref());
        Ok(())
    }

    fn read(&self, r: Cursor<'_>) -> Result<MediaProfile, ParseError> {
        parse_profile(r.child("Profile")?.element(), r.operation())
    }
}

/// Declares the ver10 operations that attach a configuration to a profile.
macro_rules! add_configuration {
    ($($(#[$meta:meta])* $name:ident;)*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct $name {
            /// The profile.
            pub profile: String,
            /// The configuration attached to it.
            pub configuration: String,
        }

        impl Operation for $name {
            const SERVICE: &'static str = SERVICE;
            const NAME: &'static str = stringify!($name);
            type Response = ();

            fn write(&self, out: &mut String) -> Result<(), RequestError> {
                push_text(out, "trt:ProfileToken", &self.profile);
                push_text(out, "trt:ConfigurationToken", &self.configuration);
                Ok(())
            }

            fn read(&self, _: Cursor<'_>) -> Result<(), ParseError> {
                Ok(())
            }
        }
    )*};
}

add_configuration! {
    /// AddVideoSourceConfiguration: attach a video source configuration to a profile.
    AddVideoSourceConfiguration;
    /// AddVideoEncoderConfiguration: attach a video encoder configuration to a profile.
    AddVideoEncoderConfiguration;
    /// AddPTZConfiguration: let a profile drive a PTZ configuration (presets are per profile).
    AddPTZConfiguration;
}

/// DeleteProfile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteProfile {
    /// The profile.
    pub profile: String,
}

impl Operation for DeleteProfile {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "DeleteProfile";
    type Response = ();

    fn write(&self, out: &mut String) -> Result<(), RequestError> {
        push_text(out, "trt:ProfileToken", &self.profile);
        Ok(())
    }

    fn read(&self, _: Cursor<'_>) -> Result<(), ParseError> {
        Ok(())
    }
}

/// SetVideoEncoderConfiguration with a complete `tt:VideoEncoderConfiguration`.
///
/// The schema makes every part mandatory (resolution, quality, multicast, session timeout), so
/// the usual way is to read the configuration, change what the plan says and write it back.
/// An encoder without multicast settings is written with multicast off (`0.0.0.0:0`), and
/// without a session timeout with `PT60S`. Rate control is written when frame rate and bitrate
/// are both known, the H264/MPEG4 block when GOV length and codec profile are: otherwise the
/// device keeps its own. A codec ver10 cannot name (H.265) is refused: use
/// [`super::media2::SetVideoEncoderConfiguration`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SetVideoEncoderConfiguration {
    /// The configuration, by its token.
    pub encoder: VideoEncoder,
    /// Keep it across reboots (ver10 requires the flag; devices persist either way).
    pub force_persistence: bool,
}

impl Operation for SetVideoEncoderConfiguration {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "SetVideoEncoderConfiguration";
    type Response = ();

    fn write(&self, x: &mut String) -> Result<(), RequestError> {
        let encoder = &self.encoder;
        if encoder.token.trim().is_empty() {
            return Err(Self::missing("Configuration/@token"));
        }
        let codec = encoder
            .encoding
            .as_ref()
            .ok_or(Self::missing("Configuration/Encoding"))?;
        let encoding = codec.media1_name().ok_or_else(|| {
            Self::unsupported(
                "Configuration/Encoding",
                codec.mime_name(),
                "Media ver10 encodes JPEG, MPEG4 or H264 only; use Media2",
            )
        })?;
        let (width, height) = resolution::<Self>(encoder)?;
        let quality = encoder
            .quality
            .ok_or(Self::missing("Configuration/Quality"))?;
        let _ = write!(
            x,
            r#"<trt:Configuration token="{}""#,
            escape(&encoder.token)
        );
        if let Some(g) = encoder.guaranteed_frame_rate {
            let _ = write!(x, r#" GuaranteedFrameRate="{g}""#);
        }
        x.push('>');
        push_text(x, "tt:Name", &encoder.name);
        // UseCount is read-only; devices ignore what a client sends.
        push_text(x, "tt:UseCount", "0");
        push_text(x, "tt:Encoding", encoding);
        let _ = write!(
            x,
            "<tt:Resolution><tt:Width>{width}</tt:Width><tt:Height>{height}</tt:Height></tt:Resolution>"
        );
        push_text(x, "tt:Quality", &xs_float(quality));
        // RateControl is all or nothing in ver10; a partial one is left out so the device keeps
        // its current limits rather than receiving invented ones.
        if let (Some(fps), Some(bitrate)) = (encoder.frame_rate, encoder.bitrate_kbps) {
            if fps.fract() != 0.0 || !(1.0..=f64::from(i32::MAX)).contains(&fps) {
                return Err(Self::unsupported(
                    "Configuration/RateControl/FrameRateLimit",
                    &xs_float(fps),
                    "ver10 frame rate limits are whole numbers of at least 1",
                ));
            }
            x.push_str("<tt:RateControl>");
            push_text(x, "tt:FrameRateLimit", &fps.to_string());
            let interval = encoder.encoding_interval.unwrap_or(1);
            let interval = Self::xs_int(interval, "Configuration/RateControl/EncodingInterval")?;
            push_text(x, "tt:EncodingInterval", &interval);
            let bitrate = Self::xs_int(bitrate, "Configuration/RateControl/BitrateLimit")?;
            push_text(x, "tt:BitrateLimit", &bitrate);
            x.push_str("</tt:RateControl>");
        }
        let block: Option<(&str, &str, &[&str])> = match codec {
            Codec::H264 => Some((
                "H264",
                "H264Profile",
                &["Baseline", "Main", "Extended", "High"],
            )),
            Codec::Mpeg4 => Some(("MPEG4", "Mpeg4Profile", &["SP", "ASP"])),
            _ => None,
        };
        if let (Some((block, profile_element, allowed)), Some(gov), Some(profile)) =
            (block, encoder.gov_length, encoder.profile.as_deref())
        {
            let profile = allowed
                .iter()
                .find(|a| a.eq_ignore_ascii_case(profile.trim()))
                .ok_or_else(|| {
                    Self::unsupported(
                        "Configuration/H264/H264Profile",
                        profile,
                        "Baseline, Main, Extended or High (SP or ASP for MPEG4)",
                    )
                })?;
            let gov = Self::xs_int(gov, "Configuration/H264/GovLength")?;
            let _ = write!(
                x,
                "<tt:{block}><tt:GovLength>{gov}</tt:GovLength><tt:{profile_element}>{profile}</tt:{profile_element}></tt:{block}>"
            );
        }
        write_multicast::<Self>(
            x,
            encoder.multicast.as_ref().unwrap_or(&Multicast::default()),
        )?;
        let timeout = encoder
            .session_timeout
            .as_deref()
            .map(str::trim)
            .unwrap_or("PT60S");
        if parse_duration_s(timeout).is_none() {
            return Err(Self::unsupported(
                "Configuration/SessionTimeout",
                timeout,
                "an xs:duration such as PT60S",
            ));
        }
        push_text(x, "tt:SessionTimeout", timeout);
        x.push_str("</trt:Configuration>");
        push_bool(x, "trt:ForcePersistence", self.force_persistence);
        Ok(())
    }

    fn read(&self, _: Cursor<'_>) -> Result<(), ParseError> {
        Ok(())
    }
}

/// The encoder's resolution as `xs:int` texts; both are required.
pub(crate) fn resolution<O: Operation>(
    encoder: &VideoEncoder,
) -> Result<(String, String), RequestError> {
    let width = encoder
        .width
        .ok_or(O::missing("Configuration/Resolution/Width"))?;
    let height = encoder
        .height
        .ok_or(O::missing("Configuration/Resolution/Height"))?;
    Ok((
        O::xs_int(width, "Configuration/Resolution/Width")?,
        O::xs_int(height, "Configuration/Resolution/Height")?,
    ))
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

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

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
pub(crate) fn parse_media_capabilities(
    r: &Element,
    op: &'static str,
) -> Result<MediaCapabilities, ParseError> {
    let caps = r.child("Capabilities").ok_or(ParseError::Missing {
        operation: op,
        field: "Capabilities".into(),
    })?;
    let b = |e: Option<&Element>, name: &str, field| {
        opt_bool(e.and_then(|e| attr_str(e, name)), op, field)
    };
    let profile = caps.child("ProfileCapabilities");
    let streaming = caps.child("StreamingCapabilities");
    let no_rtsp = b(
        streaming,
        "NoRTSPStreaming",
        "StreamingCapabilities/@NoRTSPStreaming",
    )?;
    Ok(MediaCapabilities {
        snapshot_uri: b(Some(caps), "SnapshotUri", "Capabilities/@SnapshotUri")?,
        rotation: b(Some(caps), "Rotation", "Capabilities/@Rotation")?,
        video_source_mode: b(
            Some(caps),
            "VideoSourceMode",
            "Capabilities/@VideoSourceMode",
        )?,
        osd: b(Some(caps), "OSD", "Capabilities/@OSD")?,
        maximum_number_of_profiles: opt_u32(
            profile.and_then(|p| attr_str(p, "MaximumNumberOfProfiles")),
            op,
            "ProfileCapabilities/@MaximumNumberOfProfiles",
        )?,
        configurations_supported: profile
            .and_then(|p| p.attr("ConfigurationsSupported"))
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
        rtp_multicast: b(
            streaming,
            "RTPMulticast",
            "StreamingCapabilities/@RTPMulticast",
        )?,
        rtp_tcp: b(streaming, "RTP_TCP", "StreamingCapabilities/@RTP_TCP")?,
        rtp_rtsp_tcp: b(
            streaming,
            "RTP_RTSP_TCP",
            "StreamingCapabilities/@RTP_RTSP_TCP",
        )?,
        rtsp_streaming: match b(
            streaming,
            "RTSPStreaming",
            "StreamingCapabilities/@RTSPStreaming",
        )? {
            Some(v) => Some(v),
            None => no_rtsp.map(|n| !n),
        },
        non_aggregate_control: b(
            streaming,
            "NonAggregateControl",
            "StreamingCapabilities/@NonAggregateControl",
        )?,
    })
}

/// GetServiceCapabilitiesResponse.
pub fn parse_get_service_capabilities(payload: &Element) -> Result<MediaCapabilities, ParseError> {
    const OP: &str = "media.GetServiceCapabilities";
    parse_media_capabilities(response(payload, OP)?, OP)
}

/// GetProfiles: every profile with its video source, video and audio encoder and PTZ
/// configuration token. Stream and snapshot URIs come from their own calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GetProfiles;

impl Operation for GetProfiles {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "GetProfiles";
    type Response = Vec<MediaProfile>;

    fn read(&self, r: Cursor<'_>) -> Result<Self::Response, ParseError> {
        r.each("Profiles", |p| parse_profile(p.element(), r.operation()))
    }
}

/// GetProfilesResponse (see [`GetProfiles`]).
pub fn parse_get_profiles(payload: &Element) -> Result<Vec<MediaProfile>, ParseError> {
    GetProfiles.parse(payload)
}

fn parse_profile(p: &Element, op: &'static str) -> Result<MediaProfile, ParseError> {
    Ok(MediaProfile {
        token: required(p.attr("token"), op, "Profiles/@token")?,
        name: child_str(p, "Name").unwrap_or_default().to_owned(),
        fixed: opt_bool(attr_str(p, "fixed"), op, "Profiles/@fixed")?.unwrap_or(false),
        service: MediaService::Media,
        video_source_configuration: p
            .child("VideoSourceConfiguration")
            .map(|e| parse_video_source_configuration(e, op))
            .transpose()?,
        video_encoder: p
            .child("VideoEncoderConfiguration")
            .map(|e| parse_video_encoder(e, op))
            .transpose()?,
        encoder_options: Vec::new(),
        audio_encoder: p
            .child("AudioEncoderConfiguration")
            .map(|e| parse_audio_encoder(e, op))
            .transpose()?,
        ptz_configuration: p
            .child("PTZConfiguration")
            .map(|e| required(e.attr("token"), op, "PTZConfiguration/@token"))
            .transpose()?,
        stream_uri: None,
        snapshot_uri: None,
    })
}

/// GetVideoSourcesResponse: the physical inputs (imaging settings are read per source).
pub fn parse_get_video_sources(payload: &Element) -> Result<Vec<VideoSource>, ParseError> {
    const OP: &str = "media.GetVideoSources";
    response(payload, OP)?
        .children_named("VideoSources")
        .map(|s| {
            Ok(VideoSource {
                token: required(s.attr("token"), OP, "VideoSources/@token")?,
                imaging: None,
            })
        })
        .collect()
}

/// GetVideoSourceConfigurationsResponse.
pub fn parse_get_video_source_configurations(
    payload: &Element,
) -> Result<Vec<VideoSourceConfiguration>, ParseError> {
    const OP: &str = "media.GetVideoSourceConfigurations";
    response(payload, OP)?
        .children_named("Configurations")
        .map(|c| parse_video_source_configuration(c, OP))
        .collect()
}

/// GetVideoEncoderConfigurationsResponse.
pub fn parse_get_video_encoder_configurations(
    payload: &Element,
) -> Result<Vec<VideoEncoder>, ParseError> {
    const OP: &str = "media.GetVideoEncoderConfigurations";
    response(payload, OP)?
        .children_named("Configurations")
        .map(|c| parse_video_encoder(c, OP))
        .collect()
}

/// GetVideoEncoderConfigurationResponse.
pub fn parse_get_video_encoder_configuration(
    payload: &Element,
) -> Result<VideoEncoder, ParseError> {
    const OP: &str = "media.GetVideoEncoderConfiguration";
    let c = response(payload, OP)?
        .child("Configuration")
        .ok_or(ParseError::Missing {
            operation: OP,
            field: "Configuration".into(),
        })?;
    parse_video_encoder(c, OP)
}

/// GetAudioEncoderConfigurationsResponse.
pub fn parse_get_audio_encoder_configurations(
    payload: &Element,
) -> Result<Vec<AudioEncoder>, ParseError> {
    const OP: &str = "media.GetAudioEncoderConfigurations";
    response(payload, OP)?
        .children_named("Configurations")
        .map(|c| parse_audio_encoder(c, OP))
        .collect()
}

/// GetVideoEncoderConfigurationOptionsResponse: one [`EncoderOptions`] per codec block
/// (JPEG, MPEG4, H264), each with the shared quality range and, when the device sends the
/// ONVIF 2.0 extension, the codec's bitrate range.
pub fn parse_get_video_encoder_configuration_options(
    payload: &Element,
) -> Result<Vec<EncoderOptions>, ParseError> {
    const OP: &str = "media.GetVideoEncoderConfigurationOptions";
    let r = response(payload, OP)?;
    let Some(options) = r.child("Options") else {
        return Ok(Vec::new());
    };
    let quality_range = options
        .child("QualityRange")
        .map(|q| parse_range(q, OP, "Options/QualityRange"))
        .transpose()?;
    let extension = options.child("Extension");
    let mut out = Vec::new();
    for (block, codec) in [
        ("JPEG", Codec::Jpeg),
        ("MPEG4", Codec::Mpeg4),
        ("H264", Codec::H264),
    ] {
        let base = options.child(block);
        let ext = extension.and_then(|e| e.child(block));
        // The 2.0 extension repeats the block with a bitrate range; some devices send only it.
        let Some(main) = base.or(ext) else { continue };
        let frame_rate_range = main
            .child("FrameRateRange")
            .map(|f| parse_range(f, OP, "Options/FrameRateRange"))
            .transpose()?;
        let profiles_element = if codec == Codec::Mpeg4 {
            "Mpeg4ProfilesSupported"
        } else {
            "H264ProfilesSupported"
        };
        let mut frame_rates = Vec::new();
        if let Some(r) = frame_rate_range {
            frame_rates.push(r.min);
            if r.max != r.min {
                frame_rates.push(r.max);
            }
        }
        out.push(EncoderOptions {
            encoding: Some(codec),
            resolutions: parse_resolutions(main, OP)?,
            frame_rates,
            frame_rate_range,
            quality_range,
            bitrate_range: [ext, base]
                .into_iter()
                .flatten()
                .find_map(|b| b.child("BitrateRange"))
                .map(|b| parse_range(b, OP, "Options/Extension/BitrateRange"))
                .transpose()?,
            gov_length_range: main
                .child("GovLengthRange")
                .map(|g| parse_range(g, OP, "Options/GovLengthRange"))
                .transpose()?,
            encoding_interval_range: main
                .child("EncodingIntervalRange")
                .map(|g| parse_range(g, OP, "Options/EncodingIntervalRange"))
                .transpose()?,
            profiles: main
                .children_named(profiles_element)
                .map(Element::text_trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        });
    }
    Ok(out)
}

/// GetStreamUriResponse.
pub fn parse_get_stream_uri(payload: &Element) -> Result<MediaUri, ParseError> {
    const OP: &str = "media.GetStreamUri";
    parse_media_uri(response(payload, OP)?, OP)
}

/// GetSnapshotUriResponse.
pub fn parse_get_snapshot_uri(payload: &Element) -> Result<MediaUri, ParseError> {
    const OP: &str = "media.GetSnapshotUri";
    parse_media_uri(response(payload, OP)?, OP)
}

fn parse_media_uri(r: &Element, op: &'static str) -> Result<MediaUri, ParseError> {
    let m = r.child("MediaUri").ok_or(ParseError::Missing {
        operation: op,
        field: "MediaUri".into(),
    })?;
    let uri = required(m.child_text("Uri"), op, "MediaUri/Uri")?;
    Ok(MediaUri {
        uri: strip_userinfo(&uri),
        invalid_after_connect: opt_bool(
            child_str(m, "InvalidAfterConnect"),
            op,
            "MediaUri/InvalidAfterConnect",
        )?,
        invalid_after_reboot: opt_bool(
            child_str(m, "InvalidAfterReboot"),
            op,
            "MediaUri/InvalidAfterReboot",
        )?,
        // A timeout we cannot read is not worth failing the URI for.
        timeout_s: child_str(m, "Timeout").and_then(parse_duration_s),
    })
}

// ---------------------------------------------------------------------------------------------
// Shared tt: readers
// ---------------------------------------------------------------------------------------------

/// `tt:IntRange`/`tt:FloatRange`: both ends required.
pub(crate) fn parse_range(
    e: &Element,
    op: &'static str,
    field: &'static str,
) -> Result<Range, ParseError> {
    let end = |name: &str| {
        let v = required(e.child_text(name), op, field)?;
        super::parse_f64(&v).ok_or_else(|| ParseError::invalid(op, field, &v))
    };
    Ok(Range::new(end("Min")?, end("Max")?))
}

/// All `ResolutionsAvailable` children as `(width, height)`.
pub(crate) fn parse_resolutions(
    e: &Element,
    op: &'static str,
) -> Result<Vec<(u32, u32)>, ParseError> {
    e.children_named("ResolutionsAvailable")
        .map(|r| {
            let w = opt_u32(child_str(r, "Width"), op, "ResolutionsAvailable/Width")?;
            let h = opt_u32(child_str(r, "Height"), op, "ResolutionsAvailable/Height")?;
            match (w, h) {
                (Some(w), Some(h)) => Ok((w, h)),
                _ => Err(ParseError::Missing {
                    operation: op,
                    field: "ResolutionsAvailable/Width+Height".into(),
                }),
            }
        })
        .collect()
}

/// `tt:VideoSourceConfiguration` (also Media2's `VideoSource`).
pub(crate) fn parse_video_source_configuration(
    e: &Element,
    op: &'static str,
) -> Result<VideoSourceConfiguration, ParseError> {
    let bounds = match e.child("Bounds") {
        None => None,
        Some(b) => {
            let side = |name: &str, field: &'static str| -> Result<Option<i64>, ParseError> {
                opt_f64(attr_str(b, name), op, field)?
                    .map(|v| {
                        if v.fract() == 0.0 && v.abs() <= f64::from(u32::MAX) {
                            Ok(v as i64)
                        } else {
                            Err(ParseError::invalid(op, field, &v.to_string()))
                        }
                    })
                    .transpose()
            };
            let fit = |v: i64, field: &'static str| ParseError::invalid(op, field, &v.to_string());
            match (
                side("x", "VideoSourceConfiguration/Bounds/@x")?,
                side("y", "VideoSourceConfiguration/Bounds/@y")?,
                side("width", "VideoSourceConfiguration/Bounds/@width")?,
                side("height", "VideoSourceConfiguration/Bounds/@height")?,
            ) {
                (Some(x), Some(y), Some(w), Some(h)) => Some(Rect {
                    x: i32::try_from(x)
                        .map_err(|_| fit(x, "VideoSourceConfiguration/Bounds/@x"))?,
                    y: i32::try_from(y)
                        .map_err(|_| fit(y, "VideoSourceConfiguration/Bounds/@y"))?,
                    width: u32::try_from(w)
                        .map_err(|_| fit(w, "VideoSourceConfiguration/Bounds/@width"))?,
                    height: u32::try_from(h)
                        .map_err(|_| fit(h, "VideoSourceConfiguration/Bounds/@height"))?,
                }),
                // A window with a side missing says nothing usable.
                _ => None,
            }
        }
    };
    Ok(VideoSourceConfiguration {
        token: required(e.attr("token"), op, "VideoSourceConfiguration/@token")?,
        name: child_str(e, "Name").unwrap_or_default().to_owned(),
        source_token: child_str(e, "SourceToken").unwrap_or_default().to_owned(),
        bounds,
    })
}

/// `tt:VideoEncoderConfiguration` (ver10) or `tt:VideoEncoder2Configuration` (Media2): every
/// child optional, since Dahua-family firmware sends configurations with only a name.
pub(crate) fn parse_video_encoder(
    e: &Element,
    op: &'static str,
) -> Result<VideoEncoder, ParseError> {
    let mut encoding = child_str(e, "Encoding").map(Codec::parse);
    // Hikvision firmware that encodes H.265 says `H264` in the ver10 element (the enumeration
    // has no H.265) and the truth in a non-standard `encoding` attribute.
    if let Some(real) = attr_str(e, "encoding") {
        encoding = Some(Codec::parse(real));
    }
    let resolution = e.child("Resolution");
    let rate = e.child("RateControl");
    // ver10 has H264/MPEG4 blocks; Media2 has GovLength/Profile attributes.
    let block = e.child("H264").or_else(|| e.child("MPEG4"));
    let gov_length = match attr_str(e, "GovLength") {
        Some(g) => opt_u32(Some(g), op, "VideoEncoderConfiguration/@GovLength")?,
        None => opt_u32(
            block.and_then(|b| child_str(b, "GovLength")),
            op,
            "VideoEncoderConfiguration/H264/GovLength",
        )?,
    };
    let profile = attr_str(e, "Profile")
        .or_else(|| block.and_then(|b| child_str(b, "H264Profile")))
        .or_else(|| block.and_then(|b| child_str(b, "Mpeg4Profile")))
        .map(str::to_owned);
    Ok(VideoEncoder {
        token: required(e.attr("token"), op, "VideoEncoderConfiguration/@token")?,
        name: child_str(e, "Name").unwrap_or_default().to_owned(),
        encoding,
        width: opt_u32(
            resolution.and_then(|r| child_str(r, "Width")),
            op,
            "VideoEncoderConfiguration/Resolution/Width",
        )?,
        height: opt_u32(
            resolution.and_then(|r| child_str(r, "Height")),
            op,
            "VideoEncoderConfiguration/Resolution/Height",
        )?,
        quality: opt_f64(
            child_str(e, "Quality"),
            op,
            "VideoEncoderConfiguration/Quality",
        )?,
        frame_rate: opt_f64(
            rate.and_then(|r| child_str(r, "FrameRateLimit")),
            op,
            "VideoEncoderConfiguration/RateControl/FrameRateLimit",
        )?,
        bitrate_kbps: opt_u32(
            rate.and_then(|r| child_str(r, "BitrateLimit")),
            op,
            "VideoEncoderConfiguration/RateControl/BitrateLimit",
        )?,
        gov_length,
        encoding_interval: opt_u32(
            rate.and_then(|r| child_str(r, "EncodingInterval")),
            op,
            "VideoEncoderConfiguration/RateControl/EncodingInterval",
        )?,
        profile,
        constant_bitrate: opt_bool(
            rate.and_then(|r| attr_str(r, "ConstantBitRate")),
            op,
            "VideoEncoderConfiguration/RateControl/@ConstantBitRate",
        )?,
        guaranteed_frame_rate: opt_bool(
            attr_str(e, "GuaranteedFrameRate"),
            op,
            "VideoEncoderConfiguration/@GuaranteedFrameRate",
        )?,
        multicast: e
            .child("Multicast")
            .map(|m| parse_multicast(m, op))
            .transpose()?,
        session_timeout: child_str(e, "SessionTimeout").map(str::to_owned),
    })
}

/// `tt:AudioEncoderConfiguration` (also Media2's `AudioEncoder`).
pub(crate) fn parse_audio_encoder(
    e: &Element,
    op: &'static str,
) -> Result<AudioEncoder, ParseError> {
    Ok(AudioEncoder {
        token: required(e.attr("token"), op, "AudioEncoderConfiguration/@token")?,
        name: child_str(e, "Name").unwrap_or_default().to_owned(),
        encoding: child_str(e, "Encoding").map(str::to_owned),
        bitrate_kbps: opt_u32(
            child_str(e, "Bitrate"),
            op,
            "AudioEncoderConfiguration/Bitrate",
        )?,
        sample_rate_khz: opt_u32(
            child_str(e, "SampleRate"),
            op,
            "AudioEncoderConfiguration/SampleRate",
        )?,
    })
}

/// `tt:MulticastConfiguration`.
pub(crate) fn parse_multicast(e: &Element, op: &'static str) -> Result<Multicast, ParseError> {
    let address = e.child("Address");
    let port = opt_u32(child_str(e, "Port"), op, "Multicast/Port")?
        .map(|p| {
            u16::try_from(p).map_err(|_| ParseError::invalid(op, "Multicast/Port", &p.to_string()))
        })
        .transpose()?;
    Ok(Multicast {
        address: address
            .and_then(|a| child_str(a, "IPv4Address").or_else(|| child_str(a, "IPv6Address")))
            .map(str::to_owned),
        port,
        ttl: opt_u32(child_str(e, "TTL"), op, "Multicast/TTL")?,
        auto_start: opt_bool(child_str(e, "AutoStart"), op, "Multicast/AutoStart")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::xml;

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
        let profiles = parse_get_profiles(&p).unwrap();
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
            parse_get_profiles(&p),
            Err(ParseError::Missing {
                operation: "media.GetProfiles",
                field: "Profiles/@token".into()
            })
        );
    }

    #[test]
    fn garbage_numbers_are_invalid_not_panics() {
        for (inner, field) in [
            (
                "<tt:Quality>high</tt:Quality>",
                "VideoEncoderConfiguration/Quality",
            ),
            (
                "<tt:Resolution><tt:Width>-1920</tt:Width></tt:Resolution>",
                "VideoEncoderConfiguration/Resolution/Width",
            ),
            (
                "<tt:RateControl><tt:BitrateLimit>99999999999</tt:BitrateLimit></tt:RateControl>",
                "VideoEncoderConfiguration/RateControl/BitrateLimit",
            ),
            (
                "<tt:RateControl><tt:FrameRateLimit>NaN</tt:FrameRateLimit></tt:RateControl>",
                "VideoEncoderConfiguration/RateControl/FrameRateLimit",
            ),
            (
                "<tt:Multicast><tt:Port>70000</tt:Port></tt:Multicast>",
                "Multicast/Port",
            ),
        ] {
            let p = doc(&format!(
                r#"<trt:GetVideoEncoderConfigurationsResponse NS><trt:Configurations token="1">{inner}</trt:Configurations></trt:GetVideoEncoderConfigurationsResponse>"#
            ));
            match parse_get_video_encoder_configurations(&p) {
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
        let v = &parse_get_video_encoder_configurations(&p).unwrap()[0];
        assert_eq!(v.encoding, None);
        assert_eq!(v.quality, None);
        assert_eq!(v.frame_rate, None);
    }

    #[test]
    fn wrong_response_element_is_reported() {
        let p = doc(r#"<trt:GetStreamUri NS/>"#);
        assert!(matches!(
            parse_get_stream_uri(&p),
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
        let u = parse_get_stream_uri(&p).unwrap();
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
            parse_get_stream_uri(&empty),
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
        let o = parse_get_video_encoder_configuration_options(&p).unwrap();
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
            parse_get_video_encoder_configuration_options(&bad),
            Err(ParseError::Missing {
                operation: "media.GetVideoEncoderConfigurationOptions",
                field: "Options/QualityRange".into()
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
        let c = parse_get_service_capabilities(&p).unwrap();
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
        let back = parse_video_encoder(
            xml::parse(x.as_bytes())
                .unwrap()
                .child("Configuration")
                .unwrap(),
            "test",
        )
        .unwrap();
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
        let x = get_stream_uri("a&b", StreamSetup::default());
        assert!(x.contains("<trt:ProfileToken>a&amp;b</trt:ProfileToken>"));
        assert!(x.contains("<tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport>"));
        assert_eq!(
            get_video_encoder_configuration_options(None, Some("P")),
            r#"<trt:GetVideoEncoderConfigurationOptions xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><trt:ProfileToken>P</trt:ProfileToken></trt:GetVideoEncoderConfigurationOptions>"#
        );
    }
}
