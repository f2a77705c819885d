//! Media2 ver20 (`tr2:`) operations: profiles read with `Type All`, video encoder
//! configurations and options (the only place a device can say H.265), video source
//! configurations, stream and snapshot URIs, and the calls apply uses to rebuild a profile.
//!
//! Devices bind the namespace to `tr2`, `trt2` (XiongMai) or `ns1` (Reolink); elements are
//! matched by local name, the response element by its name. Responses with an empty body are
//! checked with [`parse_empty_response`].

use std::fmt::Write as _;

use super::media::{
    MediaCapabilities, parse_audio_encoder, parse_media_capabilities, parse_range,
    parse_resolutions, parse_video_encoder, parse_video_source_configuration, resolution,
    write_multicast,
};
use super::operation::{Cursor, Operation, push_opt, push_text};
use super::{
    ParseError, RequestError, attr_str, child_str, ops, opt_bool, parse_f64, parse_u32, required,
    text_element, xs_float,
};
use crate::model::{
    Codec, EncoderOptions, MediaProfile, MediaService, Range, VideoEncoder,
    VideoSourceConfiguration, strip_userinfo,
};
use crate::soap::xml::{Element, escape};

/// Service name in the operation table.
pub const SERVICE: &str = "media2";
/// Prefix the requests bind to the service namespace.
pub const PREFIX: &str = "tr2";

fn request(operation: &str, inner: &str) -> String {
    ops::request_xml(ops::get(SERVICE, operation), PREFIX, inner)
}

/// The response element of `op` (`media2.GetProfiles`).
fn response<'a>(payload: &'a Element, op: &'static str) -> Result<&'a Element, ParseError> {
    let name = op.rsplit_once('.').map_or(op, |(_, n)| n);
    super::response_element(payload, ops::get(SERVICE, name))
}

/// Checks the payload of an operation whose response carries nothing (AddConfiguration,
/// SetVideoEncoderConfiguration, DeleteProfile); `operation` is the operation name.
pub fn parse_empty_response(payload: &Element, operation: &'static str) -> Result<(), ParseError> {
    response(payload, operation).map(|_| ())
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/// A configuration type (`tr2:ConfigurationEnumeration`), for GetProfiles and profile edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigurationType {
    /// Every type (GetProfiles only).
    All,
    /// Video source.
    VideoSource,
    /// Video encoder.
    VideoEncoder,
    /// Audio source.
    AudioSource,
    /// Audio encoder.
    AudioEncoder,
    /// Audio output.
    AudioOutput,
    /// Audio decoder.
    AudioDecoder,
    /// Metadata.
    Metadata,
    /// Analytics.
    Analytics,
    /// PTZ.
    Ptz,
    /// Receiver.
    Receiver,
}

impl ConfigurationType {
    /// The schema's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "All",
            Self::VideoSource => "VideoSource",
            Self::VideoEncoder => "VideoEncoder",
            Self::AudioSource => "AudioSource",
            Self::AudioEncoder => "AudioEncoder",
            Self::AudioOutput => "AudioOutput",
            Self::AudioDecoder => "AudioDecoder",
            Self::Metadata => "Metadata",
            Self::Analytics => "Analytics",
            Self::Ptz => "PTZ",
            Self::Receiver => "Receiver",
        }
    }
}

/// A reference to a configuration for CreateProfile/AddConfiguration (`tr2:ConfigurationRef`).
/// Without a token the device picks a compatible configuration of that type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigurationRef {
    /// Type.
    pub kind: ConfigurationType,
    /// Token, if a particular configuration is meant.
    pub token: Option<String>,
}

fn write_refs(out: &mut String, refs: &[ConfigurationRef]) {
    for r in refs {
        out.push_str("<tr2:Configuration>");
        push_text(out, "tr2:Type", r.kind.as_str());
        push_opt(out, "tr2:Token", r.token.as_deref());
        out.push_str("</tr2:Configuration>");
    }
}

/// Stream protocol for [`get_stream_uri`] (the values the Media2 spec defines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamProtocol {
    /// RTP over RTSP over TCP (`RTSP`): what camswap records, since it crosses firewalls.
    Rtsp,
    /// RTSP with RTP over UDP.
    RtspUnicast,
    /// RTSP with RTP multicast.
    RtspMulticast,
    /// RTSP over TLS, unicast.
    RtspsUnicast,
    /// RTSP over TLS, multicast.
    RtspsMulticast,
    /// RTSP tunnelled over HTTP.
    RtspOverHttp,
}

impl StreamProtocol {
    fn as_str(self) -> &'static str {
        match self {
            Self::Rtsp => "RTSP",
            Self::RtspUnicast => "RtspUnicast",
            Self::RtspMulticast => "RtspMulticast",
            Self::RtspsUnicast => "RtspsUnicast",
            Self::RtspsMulticast => "RtspsMulticast",
            Self::RtspOverHttp => "RtspOverHttp",
        }
    }
}

fn configuration_and_profile(
    operation: &str,
    configuration_token: Option<&str>,
    profile_token: Option<&str>,
) -> String {
    let mut inner = String::new();
    if let Some(t) = configuration_token {
        inner.push_str(&text_element("tr2:ConfigurationToken", t));
    }
    if let Some(t) = profile_token {
        inner.push_str(&text_element("tr2:ProfileToken", t));
    }
    request(operation, &inner)
}

/// GetServiceCapabilities.
pub fn get_service_capabilities() -> String {
    request("GetServiceCapabilities", "")
}

/// GetProfiles: one profile (`token`) or all, with the configurations of `types`. Devices
/// send no configurations unless asked, so the inventory asks for
/// [`ConfigurationType::All`].
pub fn get_profiles(token: Option<&str>, types: &[ConfigurationType]) -> String {
    let mut inner = token
        .map(|t| text_element("tr2:Token", t))
        .unwrap_or_default();
    for t in types {
        inner.push_str(&text_element("tr2:Type", t.as_str()));
    }
    request("GetProfiles", &inner)
}

/// GetVideoSourceConfigurations, optionally for one configuration or profile.
pub fn get_video_source_configurations(
    configuration_token: Option<&str>,
    profile_token: Option<&str>,
) -> String {
    configuration_and_profile(
        "GetVideoSourceConfigurations",
        configuration_token,
        profile_token,
    )
}

/// GetVideoEncoderConfigurations, optionally for one configuration or profile.
pub fn get_video_encoder_configurations(
    configuration_token: Option<&str>,
    profile_token: Option<&str>,
) -> String {
    configuration_and_profile(
        "GetVideoEncoderConfigurations",
        configuration_token,
        profile_token,
    )
}

/// GetVideoEncoderConfigurationOptions, optionally for one configuration or profile.
pub fn get_video_encoder_configuration_options(
    configuration_token: Option<&str>,
    profile_token: Option<&str>,
) -> String {
    configuration_and_profile(
        "GetVideoEncoderConfigurationOptions",
        configuration_token,
        profile_token,
    )
}

/// GetStreamUri for a profile.
pub fn get_stream_uri(profile_token: &str, protocol: StreamProtocol) -> String {
    request(
        "GetStreamUri",
        &format!(
            "{}{}",
            text_element("tr2:Protocol", protocol.as_str()),
            text_element("tr2:ProfileToken", profile_token)
        ),
    )
}

/// GetSnapshotUri for a profile.
pub fn get_snapshot_uri(profile_token: &str) -> String {
    request(
        "GetSnapshotUri",
        &text_element("tr2:ProfileToken", profile_token),
    )
}

/// CreateProfile named `name` holding `configurations`; answers the new profile's token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateProfile {
    /// Profile name.
    pub name: String,
    /// Configurations the profile starts with.
    pub configurations: Vec<ConfigurationRef>,
}

impl Operation for CreateProfile {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "CreateProfile";
    type Response = String;

    fn write(&self, out: &mut String) -> Result<(), RequestError> {
        push_text(out, "tr2:Name", &self.name);
        write_refs(out, &self.configurations);
        Ok(())
    }

    fn read(&self, r: Cursor<'_>) -> Result<String, ParseError> {
        r.str("Token").map(str::to_owned)
    }
}

/// AddConfiguration: attach configurations to a profile (and rename it, if `name` is given).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddConfiguration {
    /// The profile.
    pub profile: String,
    /// New name, if any.
    pub name: Option<String>,
    /// Configurations to attach.
    pub configurations: Vec<ConfigurationRef>,
}

impl Operation for AddConfiguration {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "AddConfiguration";
    type Response = ();

    fn write(&self, out: &mut String) -> Result<(), RequestError> {
        push_text(out, "tr2:ProfileToken", &self.profile);
        push_opt(out, "tr2:Name", self.name.as_deref());
        write_refs(out, &self.configurations);
        Ok(())
    }

    fn read(&self, _: Cursor<'_>) -> Result<(), ParseError> {
        Ok(())
    }
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
        push_text(out, "tr2:Token", &self.profile);
        Ok(())
    }

    fn read(&self, _: Cursor<'_>) -> Result<(), ParseError> {
        Ok(())
    }
}

/// SetVideoEncoderConfiguration with a `tt:VideoEncoder2Configuration`.
///
/// Encoding, resolution and quality are required; rate control is written when both the frame
/// rate and the bitrate are known (the schema needs both), and multicast when the encoder has
/// settings for it. Devices may adapt values silently, so read the configuration back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SetVideoEncoderConfiguration {
    /// The configuration, by its token.
    pub encoder: VideoEncoder,
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
        let codec = match &encoder.encoding {
            Some(Codec::Other(name)) if name.is_empty() => None,
            other => other.as_ref(),
        }
        .ok_or(Self::missing("Configuration/Encoding"))?;
        let (width, height) = resolution::<Self>(encoder)?;
        let quality = encoder
            .quality
            .ok_or(Self::missing("Configuration/Quality"))?;
        let _ = write!(
            x,
            r#"<tr2:Configuration token="{}""#,
            escape(&encoder.token)
        );
        if let Some(g) = encoder.gov_length {
            let g = Self::xs_int(g, "Configuration/@GovLength")?;
            let _ = write!(x, r#" GovLength="{g}""#);
        }
        if let Some(p) = encoder
            .profile
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let _ = write!(x, r#" Profile="{}""#, escape(p));
        }
        if let Some(g) = encoder.guaranteed_frame_rate {
            let _ = write!(x, r#" GuaranteedFrameRate="{g}""#);
        }
        x.push('>');
        push_text(x, "tt:Name", &encoder.name);
        // UseCount is read-only (and deprecated in Media2); devices ignore it.
        push_text(x, "tt:UseCount", "0");
        push_text(x, "tt:Encoding", codec.mime_name());
        let _ = write!(
            x,
            "<tt:Resolution><tt:Width>{width}</tt:Width><tt:Height>{height}</tt:Height></tt:Resolution>"
        );
        if let (Some(fps), Some(bitrate)) = (encoder.frame_rate, encoder.bitrate_kbps) {
            if !fps.is_finite() || fps <= 0.0 {
                return Err(Self::unsupported(
                    "Configuration/RateControl/FrameRateLimit",
                    &xs_float(fps),
                    "a positive frame rate",
                ));
            }
            let bitrate = Self::xs_int(bitrate, "Configuration/RateControl/BitrateLimit")?;
            x.push_str("<tt:RateControl");
            if let Some(c) = encoder.constant_bitrate {
                let _ = write!(x, r#" ConstantBitRate="{c}""#);
            }
            let _ = write!(
                x,
                "><tt:FrameRateLimit>{}</tt:FrameRateLimit><tt:BitrateLimit>{bitrate}</tt:BitrateLimit></tt:RateControl>",
                xs_float(fps)
            );
        }
        if let Some(m) = &encoder.multicast {
            write_multicast::<Self>(x, m)?;
        }
        push_text(x, "tt:Quality", &xs_float(quality));
        x.push_str("</tr2:Configuration>");
        Ok(())
    }

    fn read(&self, _: Cursor<'_>) -> Result<(), ParseError> {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

/// GetServiceCapabilitiesResponse.
pub fn parse_get_service_capabilities(payload: &Element) -> Result<MediaCapabilities, ParseError> {
    const OP: &str = "media2.GetServiceCapabilities";
    parse_media_capabilities(response(payload, OP)?, OP)
}

/// GetProfilesResponse: profiles with whatever configurations the device included (none,
/// unless the request asked for them).
pub fn parse_get_profiles(payload: &Element) -> Result<Vec<MediaProfile>, ParseError> {
    const OP: &str = "media2.GetProfiles";
    response(payload, OP)?
        .children_named("Profiles")
        .map(|p| {
            let c = p.child("Configurations");
            let part = |name: &str| c.and_then(|c| c.child(name));
            Ok(MediaProfile {
                token: required(p.attr("token"), OP, "Profiles/@token")?,
                name: child_str(p, "Name").unwrap_or_default().to_owned(),
                fixed: opt_bool(attr_str(p, "fixed"), OP, "Profiles/@fixed")?.unwrap_or(false),
                service: MediaService::Media2,
                video_source_configuration: part("VideoSource")
                    .map(|e| parse_video_source_configuration(e, OP))
                    .transpose()?,
                video_encoder: part("VideoEncoder")
                    .map(|e| parse_video_encoder(e, OP))
                    .transpose()?,
                encoder_options: Vec::new(),
                audio_encoder: part("AudioEncoder")
                    .map(|e| parse_audio_encoder(e, OP))
                    .transpose()?,
                ptz_configuration: part("PTZ")
                    .map(|e| required(e.attr("token"), OP, "Configurations/PTZ/@token"))
                    .transpose()?,
                stream_uri: None,
                snapshot_uri: None,
            })
        })
        .collect()
}

/// GetVideoSourceConfigurationsResponse.
pub fn parse_get_video_source_configurations(
    payload: &Element,
) -> Result<Vec<VideoSourceConfiguration>, ParseError> {
    const OP: &str = "media2.GetVideoSourceConfigurations";
    response(payload, OP)?
        .children_named("Configurations")
        .map(|c| parse_video_source_configuration(c, OP))
        .collect()
}

/// GetVideoEncoderConfigurationsResponse.
pub fn parse_get_video_encoder_configurations(
    payload: &Element,
) -> Result<Vec<VideoEncoder>, ParseError> {
    const OP: &str = "media2.GetVideoEncoderConfigurations";
    response(payload, OP)?
        .children_named("Configurations")
        .map(|c| parse_video_encoder(c, OP))
        .collect()
}

/// GetVideoEncoderConfigurationOptionsResponse: one [`EncoderOptions`] per `Options` element
/// (one per encoding), with the frame rates as the device lists them.
pub fn parse_get_video_encoder_configuration_options(
    payload: &Element,
) -> Result<Vec<EncoderOptions>, ParseError> {
    const OP: &str = "media2.GetVideoEncoderConfigurationOptions";
    response(payload, OP)?
        .children_named("Options")
        .map(|o| {
            let range =
                |name: &str, field| o.child(name).map(|r| parse_range(r, OP, field)).transpose();
            let frame_rates = match o.attr("FrameRatesSupported") {
                None => Vec::new(),
                Some(list) => list
                    .split_whitespace()
                    .map(|v| {
                        parse_f64(v).ok_or_else(|| {
                            ParseError::invalid(OP, "Options/@FrameRatesSupported", list)
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            };
            Ok(EncoderOptions {
                // The schema has an Encoding element; early Media2 firmware used an attribute.
                encoding: child_str(o, "Encoding")
                    .or_else(|| attr_str(o, "Encoding"))
                    .map(Codec::parse),
                resolutions: parse_resolutions(o, OP)?,
                frame_rates,
                frame_rate_range: None,
                quality_range: range("QualityRange", "Options/QualityRange")?,
                bitrate_range: range("BitrateRange", "Options/BitrateRange")?,
                gov_length_range: o
                    .attr("GovLengthRange")
                    .map(|l| int_list_range(l, OP, "Options/@GovLengthRange"))
                    .transpose()?
                    .flatten(),
                encoding_interval_range: None,
                profiles: o
                    .attr("ProfilesSupported")
                    .map(|s| s.split_whitespace().map(str::to_owned).collect())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// `tt:IntList` used as a range (`"1 250"`): the lowest and highest value; `None` when empty.
fn int_list_range(
    list: &str,
    op: &'static str,
    field: &'static str,
) -> Result<Option<Range>, ParseError> {
    let values = list
        .split_whitespace()
        .map(|v| parse_u32(v).ok_or_else(|| ParseError::invalid(op, field, list)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(match (values.iter().min(), values.iter().max()) {
        (Some(lo), Some(hi)) => Some(Range::new(f64::from(*lo), f64::from(*hi))),
        _ => None,
    })
}

/// GetStreamUriResponse: the URI, entities decoded and userinfo removed.
pub fn parse_get_stream_uri(payload: &Element) -> Result<String, ParseError> {
    const OP: &str = "media2.GetStreamUri";
    let r = response(payload, OP)?;
    Ok(strip_userinfo(&required(r.child_text("Uri"), OP, "Uri")?))
}

/// GetSnapshotUriResponse: the URI, entities decoded and userinfo removed.
pub fn parse_get_snapshot_uri(payload: &Element) -> Result<String, ParseError> {
    const OP: &str = "media2.GetSnapshotUri";
    let r = response(payload, OP)?;
    Ok(strip_userinfo(&required(r.child_text("Uri"), OP, "Uri")?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::xml;

    fn doc(body: &str) -> Element {
        xml::parse(body.as_bytes()).expect("test XML is well-formed")
    }

    #[test]
    fn any_prefix_for_the_media2_namespace() {
        for prefix in ["tr2", "trt2", "ns1"] {
            let p = doc(&format!(
                r#"<{prefix}:GetProfilesResponse xmlns:{prefix}="http://www.onvif.org/ver20/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema">
                <{prefix}:Profiles token="000" fixed="true"><{prefix}:Name>Profile_000</{prefix}:Name>
                <{prefix}:Configurations>
                  <{prefix}:VideoEncoder token="VE" GovLength="12" Profile="Main"><tt:Name>v</tt:Name><tt:UseCount>1</tt:UseCount>
                    <tt:Encoding>H265</tt:Encoding><tt:Resolution><tt:Width>2592</tt:Width><tt:Height>1944</tt:Height></tt:Resolution>
                    <tt:RateControl ConstantBitRate="false"><tt:FrameRateLimit>12.5</tt:FrameRateLimit><tt:BitrateLimit>2205</tt:BitrateLimit></tt:RateControl>
                    <tt:Quality>3</tt:Quality></{prefix}:VideoEncoder>
                  <{prefix}:PTZ token="PTZ0"><tt:Name>p</tt:Name></{prefix}:PTZ>
                </{prefix}:Configurations></{prefix}:Profiles></{prefix}:GetProfilesResponse>"#
            ));
            let profiles = parse_get_profiles(&p).unwrap();
            let v = profiles[0].video_encoder.as_ref().unwrap();
            assert_eq!(profiles[0].service, MediaService::Media2);
            assert_eq!(v.encoding, Some(Codec::H265), "{prefix}");
            assert_eq!(v.gov_length, Some(12));
            assert_eq!(v.profile.as_deref(), Some("Main"));
            assert_eq!(v.frame_rate, Some(12.5));
            assert_eq!(v.constant_bitrate, Some(false));
            assert_eq!(profiles[0].ptz_configuration.as_deref(), Some("PTZ0"));
        }
    }

    #[test]
    fn options_with_lists_in_attributes() {
        let p = doc(
            r#"<tr2:GetVideoEncoderConfigurationOptionsResponse xmlns:tr2="http://www.onvif.org/ver20/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema">
            <tr2:Options GovLengthRange="1 250" FrameRatesSupported="25 12.5 1" ProfilesSupported="Main High">
              <tt:Encoding>H265</tt:Encoding><tt:QualityRange><tt:Min>0</tt:Min><tt:Max>5</tt:Max></tt:QualityRange>
              <tt:ResolutionsAvailable><tt:Width>3840</tt:Width><tt:Height>2160</tt:Height></tt:ResolutionsAvailable>
              <tt:BitrateRange><tt:Min>32</tt:Min><tt:Max>16384</tt:Max></tt:BitrateRange></tr2:Options>
            <tr2:Options Encoding="JPEG" GovLengthRange=""><tt:QualityRange><tt:Min>0</tt:Min><tt:Max>5</tt:Max></tt:QualityRange></tr2:Options>
          </tr2:GetVideoEncoderConfigurationOptionsResponse>"#,
        );
        let o = parse_get_video_encoder_configuration_options(&p).unwrap();
        assert_eq!(o[0].encoding, Some(Codec::H265));
        assert_eq!(o[0].frame_rates, vec![25.0, 12.5, 1.0]);
        assert_eq!(o[0].gov_length_range, Some(Range::new(1.0, 250.0)));
        assert_eq!(o[0].profiles, ["Main", "High"]);
        assert_eq!(o[0].bitrate_range, Some(Range::new(32.0, 16384.0)));
        assert_eq!(o[1].encoding, Some(Codec::Jpeg));
        assert_eq!(o[1].gov_length_range, None);

        let bad = doc(
            r#"<tr2:GetVideoEncoderConfigurationOptionsResponse xmlns:tr2="http://www.onvif.org/ver20/media/wsdl">
            <tr2:Options FrameRatesSupported="25 fast"/></tr2:GetVideoEncoderConfigurationOptionsResponse>"#,
        );
        assert!(matches!(
            parse_get_video_encoder_configuration_options(&bad),
            Err(ParseError::Invalid { field, .. }) if field == "Options/@FrameRatesSupported"
        ));
    }

    #[test]
    fn stream_uri_and_create_profile() {
        let p = doc(
            r#"<tr2:GetStreamUriResponse xmlns:tr2="http://www.onvif.org/ver20/media/wsdl"><tr2:Uri>rtsp://u:p@h/x?a=1&amp;b=2</tr2:Uri></tr2:GetStreamUriResponse>"#,
        );
        assert_eq!(parse_get_stream_uri(&p).unwrap(), "rtsp://h/x?a=1&b=2");
        let p = doc(
            r#"<tr2:CreateProfileResponse xmlns:tr2="http://www.onvif.org/ver20/media/wsdl"/>"#,
        );
        assert_eq!(
            CreateProfile::default().parse(&p),
            Err(ParseError::Missing {
                operation: "media2.CreateProfile",
                field: "Token".into()
            })
        );
    }

    #[test]
    fn set_encoder_writes_mime_names_and_attributes() {
        let e = VideoEncoder {
            token: "VE".into(),
            encoding: Some(Codec::Mpeg4),
            width: Some(640),
            height: Some(480),
            quality: Some(3.0),
            frame_rate: Some(12.5),
            bitrate_kbps: Some(512),
            gov_length: Some(25),
            profile: Some("SP".into()),
            constant_bitrate: Some(true),
            ..Default::default()
        };
        let x = SetVideoEncoderConfiguration { encoder: e.clone() }
            .to_xml()
            .unwrap();
        assert!(
            x.contains(r#"<tr2:Configuration token="VE" GovLength="25" Profile="SP">"#),
            "{x}"
        );
        assert!(x.contains("<tt:Encoding>MPV4-ES</tt:Encoding>"));
        assert!(x.contains(
            r#"<tt:RateControl ConstantBitRate="true"><tt:FrameRateLimit>12.5</tt:FrameRateLimit>"#
        ));
        assert!(!x.contains("Multicast"));
        let mut e2 = e.clone();
        e2.quality = None;
        assert_eq!(
            SetVideoEncoderConfiguration { encoder: e2 }.to_xml(),
            Err(RequestError::Missing {
                operation: "media2.SetVideoEncoderConfiguration",
                field: "Configuration/Quality"
            })
        );
    }

    #[test]
    fn requests_carry_types_and_refs() {
        assert!(get_profiles(None, &[ConfigurationType::All]).contains("<tr2:Type>All</tr2:Type>"));
        let x = CreateProfile {
            name: "camswap 1".into(),
            configurations: vec![ConfigurationRef {
                kind: ConfigurationType::Ptz,
                token: Some("P&1".into()),
            }],
        }
        .to_xml()
        .unwrap();
        assert!(x.contains("<tr2:Configuration><tr2:Type>PTZ</tr2:Type><tr2:Token>P&amp;1</tr2:Token></tr2:Configuration>"));
    }
}
