//! Media2 ver20 (`tr2:`) operations: profiles read with `Type All`, video encoder
//! configurations and options (the only place a device can say H.265), video source
//! configurations, stream and snapshot URIs, and the calls apply uses to rebuild a profile.
//!
//! Devices bind the namespace to `tr2`, `trt2` (XiongMai) or `ns1` (Reolink); elements are
//! matched by local name, the response element by its name and namespace.

use std::fmt::Write as _;

use super::media::{
    MediaCapabilities, audio_encoder, audio_encoder_options, media_capabilities,
    open_audio_encoder, open_encoder, range, read_profile, resolutions, video_encoder,
    video_source_configuration, write_multicast,
};
use super::operation::{Cursor, Field, operations, push_text, wire_enum};
use super::{ParseError, parse_f64, parse_u32, xs_float};
use crate::model::{
    AudioEncoder, AudioEncoderOptions, Codec, EncoderOptions, MediaProfile, MediaService, Range,
    VideoEncoder, VideoSourceConfiguration, redact_uri,
};
use crate::soap::xml::escape;

/// Service name in the operation table.
pub const SERVICE: &str = "media2";

wire_enum! {
    /// A configuration type (`tr2:ConfigurationEnumeration`), for GetProfiles and profile edits.
    ConfigurationType {
        /// Every type (GetProfiles only).
        All = "All",
        VideoSource = "VideoSource",
        VideoEncoder = "VideoEncoder",
        AudioSource = "AudioSource",
        AudioEncoder = "AudioEncoder",
        AudioOutput = "AudioOutput",
        AudioDecoder = "AudioDecoder",
        Metadata = "Metadata",
        Analytics = "Analytics",
        Ptz = "PTZ",
        Receiver = "Receiver",
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

impl Field for ConfigurationRef {
    fn write_as(&self, out: &mut String, qname: &str) {
        let _ = write!(out, "<{qname}>");
        push_text(out, "tr2:Type", self.kind.as_str());
        self.token.write_as(out, "tr2:Token");
        let _ = write!(out, "</{qname}>");
    }
}

wire_enum! {
    /// Stream protocol for [`GetStreamUri`] (the values the Media2 spec defines).
    #[derive(Default)]
    StreamProtocol {
        /// RTP over RTSP over TCP (`RTSP`): what camswap records, since it crosses firewalls.
        #[default]
        Rtsp = "RTSP",
        /// RTSP with RTP over UDP.
        RtspUnicast = "RtspUnicast",
        /// RTSP with RTP multicast.
        RtspMulticast = "RtspMulticast",
        /// RTSP over TLS, unicast.
        RtspsUnicast = "RtspsUnicast",
        /// RTSP over TLS, multicast.
        RtspsMulticast = "RtspsMulticast",
        /// RTSP tunnelled over HTTP.
        RtspOverHttp = "RtspOverHttp",
    }
}

operations! { SERVICE;
    /// GetServiceCapabilities.
    GetServiceCapabilities -> MediaCapabilities => |r| media_capabilities(r);
    /// GetVideoSourceConfigurations, optionally for one configuration or profile.
    GetVideoSourceConfigurations {
        configuration: Option<String> = "tr2:ConfigurationToken",
        profile: Option<String> = "tr2:ProfileToken"
    } -> Vec<VideoSourceConfiguration> => |r| r.each("Configurations", video_source_configuration);
    /// GetVideoEncoderConfigurations, optionally for one configuration or profile.
    GetVideoEncoderConfigurations {
        configuration: Option<String> = "tr2:ConfigurationToken",
        profile: Option<String> = "tr2:ProfileToken"
    } -> Vec<VideoEncoder> => |r| r.each("Configurations", video_encoder);
    /// GetAudioSourceConfigurations, optionally for one configuration or profile: their tokens.
    GetAudioSourceConfigurations {
        configuration: Option<String> = "tr2:ConfigurationToken",
        profile: Option<String> = "tr2:ProfileToken"
    } -> Vec<String> => |r| r.each("Configurations", |c| Ok(c.attr("token")?.to_owned()));
    /// GetAudioEncoderConfigurations, optionally for one configuration or profile.
    GetAudioEncoderConfigurations {
        configuration: Option<String> = "tr2:ConfigurationToken",
        profile: Option<String> = "tr2:ProfileToken"
    } -> Vec<AudioEncoder> => |r| r.each("Configurations", audio_encoder);
    /// GetAudioEncoderConfigurationOptions, optionally for one configuration or profile: one
    /// [`AudioEncoderOptions`] per `Options` element (one per encoding).
    GetAudioEncoderConfigurationOptions {
        configuration: Option<String> = "tr2:ConfigurationToken",
        profile: Option<String> = "tr2:ProfileToken"
    } -> Vec<AudioEncoderOptions> => |r| r.each("Options", audio_encoder_options);
    /// GetVideoEncoderConfigurationOptions, optionally for one configuration or profile: one
    /// [`EncoderOptions`] per `Options` element (one per encoding), with the frame rates as the
    /// device lists them.
    GetVideoEncoderConfigurationOptions {
        configuration: Option<String> = "tr2:ConfigurationToken",
        profile: Option<String> = "tr2:ProfileToken"
    } -> Vec<EncoderOptions> => |r| r.each("Options", encoder_options);
    /// GetSnapshotUri of a profile: the URI, entities decoded and userinfo removed.
    GetSnapshotUri { profile: String = "tr2:ProfileToken" }
        -> String => |r| Ok(redact_uri(r.str("Uri")?));
    /// GetStreamUri of a profile: the URI, entities decoded and userinfo removed.
    GetStreamUri {
        protocol: StreamProtocol = "tr2:Protocol",
        profile: String = "tr2:ProfileToken"
    } -> String => |r| Ok(redact_uri(r.str("Uri")?));
    /// GetProfiles: one profile (`token`) or all, with the configurations of `types`. Devices
    /// send no configurations unless asked, so the inventory asks for
    /// [`ConfigurationType::All`]. Answers the profiles with whatever configurations the
    /// device included.
    GetProfiles {
        token: Option<String> = "tr2:Token",
        types: Vec<ConfigurationType> = "tr2:Type"
    } -> Vec<MediaProfile> => |r| r.each("Profiles", profile);
    /// CreateProfile named `name` holding `configurations`; answers the new profile's token.
    CreateProfile {
        name: String = "tr2:Name",
        configurations: Vec<ConfigurationRef> = "tr2:Configuration"
    } -> String => |r| r.str("Token").map(str::to_owned);
    /// AddConfiguration: attach configurations to a profile (and rename it, if `name` is
    /// given).
    AddConfiguration {
        profile: String = "tr2:ProfileToken",
        name: Option<String> = "tr2:Name",
        configurations: Vec<ConfigurationRef> = "tr2:Configuration"
    } -> () => |_r| Ok(());
    /// DeleteProfile.
    DeleteProfile { profile: String = "tr2:Token" } -> () => |_r| Ok(());
    /// SetAudioEncoderConfiguration with a `tt:AudioEncoder2Configuration`: encoding as an
    /// IANA subtype (ver10's `G711` and `AAC` are written `PCMU` and `MP4A-LATM`), bitrate and
    /// sample rate, and multicast when the configuration has settings for it.
    SetAudioEncoderConfiguration {
        /// The configuration, by its token.
        encoder: AudioEncoder
    } write |op, x| {
        let e = &op.encoder;
        let (bitrate, sample_rate) = open_audio_encoder::<Self>(x, e, |name| {
            Ok(match crate::model::AudioCodec::parse(name) {
                crate::model::AudioCodec::G711 if name.eq_ignore_ascii_case("G711") => "PCMU",
                crate::model::AudioCodec::Aac if name.eq_ignore_ascii_case("AAC") => "MP4A-LATM",
                _ => name,
            })
        })?;
        if let Some(m) = &e.multicast {
            write_multicast::<Self>(x, m)?;
        }
        let bitrate = Self::xs_int(bitrate, "Configuration/Bitrate")?;
        let sample_rate = Self::xs_int(sample_rate, "Configuration/SampleRate")?;
        push_text(x, "tt:Bitrate", &bitrate);
        push_text(x, "tt:SampleRate", &sample_rate);
        x.push_str("</tr2:Configuration>");
        Ok(())
    } -> () => |_r| Ok(());
    /// SetVideoEncoderConfiguration with a `tt:VideoEncoder2Configuration`.
    ///
    /// Encoding, resolution and quality are required; rate control is written when both the
    /// frame rate and the bitrate are known (the schema needs both), and multicast when the
    /// encoder has settings for it. Devices may adapt values silently, so read the
    /// configuration back.
    SetVideoEncoderConfiguration {
        /// The configuration, by its token.
        encoder: VideoEncoder
    } write |op, x| {
        let e = &op.encoder;
        let attributes = |x: &mut String| {
            if let Some(g) = e.gov_length {
                let g = Self::xs_int(g, "Configuration/@GovLength")?;
                let _ = write!(x, r#" GovLength="{g}""#);
            }
            if let Some(p) = e.profile.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
                let _ = write!(x, r#" Profile="{}""#, escape(p));
            }
            Ok(())
        };
        let (_, quality) = open_encoder::<Self>(x, e, |c| Ok(c.mime_name()), attributes)?;
        if let (Some(fps), Some(bitrate)) = (e.frame_rate, e.bitrate_kbps) {
            if !fps.is_finite() || fps <= 0.0 {
                return Err(Self::unsupported(
                    "Configuration/RateControl/FrameRateLimit",
                    &xs_float(fps),
                    "a positive frame rate",
                ));
            }
            let bitrate = Self::xs_int(bitrate, "Configuration/RateControl/BitrateLimit")?;
            x.push_str("<tt:RateControl");
            if let Some(c) = e.constant_bitrate {
                let _ = write!(x, r#" ConstantBitRate="{c}""#);
            }
            let _ = write!(
                x,
                "><tt:FrameRateLimit>{}</tt:FrameRateLimit><tt:BitrateLimit>{bitrate}</tt:BitrateLimit></tt:RateControl>",
                xs_float(fps)
            );
        }
        if let Some(m) = &e.multicast {
            write_multicast::<Self>(x, m)?;
        }
        push_text(x, "tt:Quality", &xs_float(quality));
        x.push_str("</tr2:Configuration>");
        Ok(())
    } -> () => |_r| Ok(());
}

/// A Media2 `Profiles` element: its configurations are inside `Configurations`.
fn profile(p: Cursor<'_>) -> Result<MediaProfile, ParseError> {
    let c = p.opt_child("Configurations");
    read_profile(p, MediaService::Media2, |part| c?.opt_child(part))
}

/// One `Options` element of GetVideoEncoderConfigurationOptionsResponse.
fn encoder_options(o: Cursor<'_>) -> Result<EncoderOptions, ParseError> {
    let list = |name| o.opt_attr(name).unwrap_or_default().split_whitespace();
    let frame_rates = list("FrameRatesSupported")
        .map(|v| parse_f64(v).ok_or_else(|| o.invalid("@FrameRatesSupported", v)))
        .collect::<Result<Vec<_>, _>>()?;
    // A `tt:IntList` used as a range (`"1 250"`): its lowest and highest value.
    let gov = list("GovLengthRange")
        .map(|v| parse_u32(v).ok_or_else(|| o.invalid("@GovLengthRange", v)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(EncoderOptions {
        // The schema has an Encoding element; early Media2 firmware used an attribute.
        encoding: o
            .opt_str("Encoding")
            .or_else(|| o.opt_attr("Encoding"))
            .map(Codec::parse),
        resolutions: resolutions(o)?,
        frame_rates,
        frame_rate_range: None,
        quality_range: o.opt_with("QualityRange", range)?,
        bitrate_range: o.opt_with("BitrateRange", range)?,
        gov_length_range: gov
            .iter()
            .min()
            .zip(gov.iter().max())
            .map(|(lo, hi)| Range::new(f64::from(*lo), f64::from(*hi))),
        encoding_interval_range: None,
        profiles: list("ProfilesSupported").map(str::to_owned).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onvif::RequestError;
    use crate::onvif::operation::Operation;
    use crate::soap::xml;
    use crate::soap::xml::Element;

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
            let profiles = GetProfiles::default().parse(&p).unwrap();
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
        let o = GetVideoEncoderConfigurationOptions::default()
            .parse(&p)
            .unwrap();
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
            GetVideoEncoderConfigurationOptions::default().parse(&bad),
            Err(ParseError::Invalid { field, .. }) if field == "Options/@FrameRatesSupported"
        ));
    }

    #[test]
    fn stream_uri_and_create_profile() {
        let p = doc(
            r#"<tr2:GetStreamUriResponse xmlns:tr2="http://www.onvif.org/ver20/media/wsdl"><tr2:Uri>rtsp://u:p@h/x?a=1&amp;b=2</tr2:Uri></tr2:GetStreamUriResponse>"#,
        );
        assert_eq!(
            GetStreamUri::default().parse(&p).unwrap(),
            "rtsp://h/x?a=1&b=2"
        );
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
        assert!(
            GetProfiles {
                token: None,
                types: vec![ConfigurationType::All]
            }
            .to_xml()
            .unwrap()
            .contains("<tr2:Type>All</tr2:Type>")
        );
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
