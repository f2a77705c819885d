//! Real camera responses (`../shared/captures`, or `$CAMSWAP_CAPTURES`) through the media,
//! media2, PTZ, recording and imaging parsers: every capture of an operation these modules
//! read parses into the values a migration uses, or is listed in [`REJECTED`] with the error
//! it must give. Tests named after a quirk come from QUIRKS.md and name their capture.

use camswap::model::{Codec, MediaService, PtzPosition, Range};
use camswap::onvif::operation::Operation;
use camswap::onvif::ptz::MoveStatus;
use camswap::onvif::{ParseError, media, media2, ops, ptz, recording};
use camswap::soap::xml::Element;

use crate::support::envelope::capture_payload as payload;
use crate::support::shared::captures_dir;

const GENERIC_PT: &str = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace";
const GENERIC_ZOOM: &str = "http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionGenericSpace";

/// One test per capture, and [`COVERED`], the list the completeness test checks.
macro_rules! captures {
    ($($(#[$meta:meta])* $name:ident: $path:literal => |$p:ident| $body:block)*) => {
        /// Captures with a parse test.
        const COVERED: &[&str] = &[$($path),*];
        $(
            $(#[$meta])*
            #[test]
            fn $name() {
                let $p = &payload($path);
                $body
            }
        )*
    };
}

/// Captures the parsers must refuse, with the error they must give.
const REJECTED: &[(&str, &str)] = &[(
    // The source kept the client's request, not the camera's answer.
    "xiongmai/GetStreamUri-easyonvif-sunba405.xml",
    "media.GetStreamUri: expected <GetStreamUriResponse> in the SOAP Body, found <GetStreamUri>",
)];

#[test]
fn rejected_captures_fail_with_their_reason() {
    for (path, reason) in REJECTED {
        let p = payload(path);
        let op = path
            .rsplit('/')
            .next()
            .and_then(|f| f.split('-').next())
            .unwrap();
        let err = match op {
            "GetStreamUri" => media::GetStreamUri::default().parse(&p).unwrap_err(),
            other => panic!("{path}: no parser wired for {other}"),
        };
        assert_eq!(err.to_string(), *reason, "{path}");
    }
}

/// Every capture SOURCES.tsv lists for an operation of these five services is tested above
/// or rejected with a reason: a new capture cannot slip in untested.
#[test]
fn every_capture_of_these_operations_is_covered() {
    let services = ["media", "media2", "ptz", "recording", "imaging"];
    let ours: Vec<&str> = ops::all()
        .iter()
        .filter(|o| services.contains(&o.service))
        .map(|o| o.name)
        .collect();
    let sources = std::fs::read_to_string(captures_dir().join("SOURCES.tsv")).unwrap();
    let mut missing = Vec::new();
    let mut seen = 0;
    for line in sources.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (path, operation) = (cols[0], cols[4]);
        let name = operation.split(" (").next().unwrap();
        if !ours.contains(&name) {
            continue;
        }
        seen += 1;
        if !COVERED.contains(&path) && !REJECTED.iter().any(|(p, _)| *p == path) {
            missing.push(path);
        }
    }
    assert!(missing.is_empty(), "captures without a test: {missing:#?}");
    assert_eq!(
        seen,
        COVERED.len() + REJECTED.len(),
        "a tested path is not in SOURCES.tsv"
    );
}

fn pt(p: &PtzPosition) -> (f64, f64, Option<&str>) {
    let (x, y, s) = p.pan_tilt.as_ref().expect("pan/tilt");
    (*x, *y, s.as_deref())
}

fn zoom(p: &PtzPosition) -> (f64, Option<&str>) {
    let (x, s) = p.zoom.as_ref().expect("zoom");
    (*x, s.as_deref())
}

captures! {
    // ----------------------------------------------------------------------------------------
    // Media ver10 GetProfiles
    // ----------------------------------------------------------------------------------------
    axis_p3818pve_profiles: "axis/GetProfiles-onvifgo-p3818pve.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        assert_eq!(profiles.len(), 2);
        let h264 = &profiles[0];
        assert_eq!((h264.token.as_str(), h264.name.as_str(), h264.fixed), ("profile_1_h264", "profile_1 h264", true));
        assert_eq!(h264.service, MediaService::Media);
        assert_eq!(h264.video_source_configuration.as_ref().unwrap().bounds.unwrap().width, 5120);
        let v = h264.video_encoder.as_ref().unwrap();
        assert_eq!(v.token, "default_1_h264");
        assert_eq!(v.encoding, Some(Codec::H264));
        assert_eq!((v.width, v.height), (Some(1920), Some(960)));
        assert_eq!((v.quality, v.frame_rate), (Some(70.0), Some(30.0)));
        // Axis writes "no limit" as i32::MAX.
        assert_eq!(v.bitrate_kbps, Some(2_147_483_647));
        assert_eq!((v.gov_length, v.profile.as_deref()), (Some(100), Some("Main")));
        let jpeg = profiles[1].video_encoder.as_ref().unwrap();
        assert_eq!((jpeg.encoding.clone(), jpeg.width, jpeg.gov_length), (Some(Codec::Jpeg), Some(5120), None));
    }
    axis_q6045e_profiles: "axis/GetProfiles-onvifnvt-q6045e.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        assert_eq!(profiles.len(), 2);
        assert!(!profiles[0].fixed);
        let v = profiles[0].video_encoder.as_ref().unwrap();
        assert_eq!((v.width, v.height, v.quality), (Some(1280), Some(720), Some(80.0)));
        assert_eq!((v.encoding_interval, v.bitrate_kbps, v.gov_length), (Some(0), Some(0), Some(32)));
        assert_eq!(profiles[0].ptz_configuration.as_deref(), Some("0"));
        assert_eq!(profiles[1].ptz_configuration.as_deref(), Some("0"));
    }
    axis_m2025_profiles: "axis/GetProfiles-sproctor.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        let v = profiles[0].video_encoder.as_ref().unwrap();
        assert_eq!((v.width, v.height, v.frame_rate, v.gov_length), (Some(1920), Some(1080), Some(30.0), Some(32)));
        assert_eq!(profiles[0].ptz_configuration, None);
    }
    bosch_autodome5000i_profiles: "bosch/GetProfiles-onvifgo-autodome5000i.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        let tokens: Vec<&str> = profiles.iter().map(|p| p.token.as_str()).collect();
        assert_eq!(tokens, ["0", "1", "2"]);
        let v = profiles[0].video_encoder.as_ref().unwrap();
        assert_eq!((v.token.as_str(), v.name.as_str()), ("H26x_L1S1", "SD Balanced"));
        assert_eq!((v.width, v.height, v.quality), (Some(1536), Some(864), Some(50.0)));
        assert_eq!((v.bitrate_kbps, v.gov_length), (Some(1400), Some(60)));
        let jpeg = profiles[2].video_encoder.as_ref().unwrap();
        assert_eq!((jpeg.encoding.clone(), jpeg.frame_rate, jpeg.bitrate_kbps), (Some(Codec::Jpeg), Some(1.0), Some(6000)));
        assert!(profiles.iter().all(|p| p.ptz_configuration.as_deref() == Some("1")));
    }
    bosch_flexidome5100iir_profiles: "bosch/GetProfiles-onvifgo-flexidome5100iir.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        assert_eq!(profiles.len(), 4);
        let first = profiles[0].video_encoder.as_ref().unwrap();
        assert_eq!((first.name.as_str(), first.bitrate_kbps, first.gov_length), ("Balanced 2 MP", Some(5200), Some(255)));
        assert_eq!(first.quality, Some(0.0));
        let last = profiles[3].video_encoder.as_ref().unwrap();
        assert_eq!((last.width, last.height, last.bitrate_kbps), (Some(512), Some(288), Some(400)));
    }
    bosch_flexidome8000i_profiles: "bosch/GetProfiles-onvifgo-flexidome8000i.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        let vs = profiles[0].video_source_configuration.as_ref().unwrap();
        assert_eq!((vs.name.as_str(), vs.source_token.as_str()), ("Camera 1", "1"));
        let b = vs.bounds.unwrap();
        assert_eq!((b.width, b.height), (3264, 1840));
    }
    /// Audio-only and metadata-only profiles come with no video encoder.
    bosch_panoramic_profiles_without_video_encoder: "bosch/GetProfiles-onvifgo-panoramic5100i.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        assert_eq!(profiles.len(), 16);
        let e_ptz = &profiles[0];
        assert_eq!(e_ptz.video_source_configuration.as_ref().unwrap().name, "E_PTZ");
        let v = e_ptz.video_encoder.as_ref().unwrap();
        assert_eq!((v.token.as_str(), v.width, v.bitrate_kbps), ("EncCfg_L3S4", Some(1920), Some(5200)));
        let audio = &profiles[12];
        assert_eq!(audio.name, "OnvdV1Aud1");
        assert!(audio.video_encoder.is_none() && audio.video_source_configuration.is_none());
        let a = audio.audio_encoder.as_ref().unwrap();
        assert_eq!((a.encoding.as_deref(), a.bitrate_kbps, a.sample_rate_khz), (Some("G711"), Some(64), Some(8)));
        assert!(profiles[13..].iter().all(|p| p.video_encoder.is_none()));
    }
    /// Dahua-family NVRs send VideoEncoderConfiguration with only Name and UseCount: every
    /// child is optional, and the profile still reads.
    dahua_encoder_config_with_only_name: "dahua/GetProfiles-hammeraj-nvr.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        assert_eq!(profiles.len(), 36);
        let main = &profiles[0];
        assert_eq!(main.token, "MediaProfile00000");
        let v = main.video_encoder.as_ref().unwrap();
        assert_eq!((v.token.as_str(), v.name.as_str()), ("00000", "VideoEncoderConfig_Channel1_MainStream"));
        assert_eq!((v.encoding.clone(), v.width, v.quality, v.frame_rate, v.bitrate_kbps), (None, None, None, None, None));
        assert_eq!(main.audio_encoder.as_ref().unwrap().encoding.as_deref(), Some("G711"));
        // Sub streams carry no encoder at all.
        assert!(profiles[1].video_encoder.is_none());
        assert_eq!(profiles[35].video_source_configuration.as_ref().unwrap().source_token, "01100");
    }
    /// Dahua writes Quality as a float string ("4.000000").
    dahua_quality_as_float_string: "dahua/GetProfiles-sproctor.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        assert_eq!(profiles.len(), 2);
        let v = profiles[0].video_encoder.as_ref().unwrap();
        assert_eq!(v.quality, Some(4.0));
        assert_eq!((v.width, v.height, v.frame_rate, v.bitrate_kbps), (Some(2592), Some(1944), Some(20.0), Some(6144)));
        assert_eq!((v.gov_length, v.profile.as_deref()), (Some(40), Some("Main")));
        let m = v.multicast.as_ref().unwrap();
        assert_eq!((m.address.as_deref(), m.port, m.ttl, m.auto_start), (Some("224.1.0.0"), Some(40000), Some(64), Some(false)));
        assert_eq!(v.session_timeout.as_deref(), Some("PT60S"));
        assert_eq!(profiles[1].video_encoder.as_ref().unwrap().bitrate_kbps, Some(512));
    }
    dlink_dcs6511_profiles: "dlink/GetProfiles-easyonvif-dcs6511.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        let v = profiles[0].video_encoder.as_ref().unwrap();
        assert_eq!((v.width, v.height, v.frame_rate, v.encoding_interval), (Some(1280), Some(1024), Some(7.0), Some(30)));
        assert_eq!((v.quality, v.profile.as_deref()), (Some(100.0), Some("High")));
        assert_eq!(profiles[1].video_encoder.as_ref().unwrap().width, Some(640));
        assert_eq!(profiles[0].video_source_configuration.as_ref().unwrap().source_token, "VideoSource0");
    }
    generic_ipg8150pss_profiles: "generic/GetProfiles-easyonvif-ipg8150pss.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        let v = profiles[0].video_encoder.as_ref().unwrap();
        assert_eq!(v.guaranteed_frame_rate, Some(false));
        assert_eq!((v.width, v.height, v.bitrate_kbps, v.gov_length), (Some(2560), Some(1920), Some(2048), Some(100)));
        assert_eq!(profiles[0].ptz_configuration.as_deref(), Some("PTZConfigurationToken"));
        assert_eq!(profiles[1].video_encoder.as_ref().unwrap().height, Some(448));
    }
    /// Hikvision OEM firmware says H265 in the ver10 Encoding element, which the ver10
    /// enumeration cannot hold; the codec must survive as H.265, and the third stream has no
    /// encoder.
    hikvision_h265_in_media1_encoding: "hikvision/GetProfiles-easyonvif-enp1a14.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        assert_eq!(profiles.len(), 3);
        let v = profiles[0].video_encoder.as_ref().unwrap();
        assert_eq!(v.encoding, Some(Codec::H265));
        assert_eq!((v.width, v.height, v.frame_rate, v.bitrate_kbps), (Some(2560), Some(1440), Some(25.0), Some(8192)));
        assert_eq!((v.gov_length, v.profile.as_ref()), (None, None));
        assert_eq!(v.multicast.as_ref().unwrap().port, Some(8860));
        assert_eq!(profiles[1].video_encoder.as_ref().unwrap().quality, Some(1.0));
        assert!(profiles[2].video_encoder.is_none());
        assert_eq!(profiles[0].ptz_configuration.as_deref(), Some("PTZToken"));
    }
    hikvision_ds2cd2012_profiles: "hikvision/GetProfiles-onvifnvt-ds2cd2012.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        let names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["mainStream", "subStream"]);
        let v = profiles[0].video_encoder.as_ref().unwrap();
        assert_eq!((v.width, v.height, v.quality, v.frame_rate, v.bitrate_kbps, v.gov_length), (Some(1280), Some(720), Some(5.0), Some(10.0), Some(2048), Some(2)));
        let sub = profiles[1].video_encoder.as_ref().unwrap();
        assert_eq!((sub.width, sub.height, sub.gov_length), (Some(352), Some(240), Some(50)));
    }
    hikvision_ds2df7276_profiles: "hikvision/GetProfiles-onvifnvt-ds2df7276.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        assert_eq!(profiles.len(), 3);
        let v = profiles[0].video_encoder.as_ref().unwrap();
        assert_eq!((v.profile.as_deref(), v.gov_length, v.bitrate_kbps), (Some("Baseline"), Some(5), Some(4096)));
        assert!(profiles.iter().all(|p| p.ptz_configuration.as_deref() == Some("PTZToken")));
        assert!(profiles.iter().all(|p| p.audio_encoder.as_ref().unwrap().token == "MainAudioEncoderToken"));
    }
    /// Hikvision firmware encoding H.265 says `H264` in the ver10 element and the real codec in
    /// a non-standard `encoding="H265"` attribute; the attribute wins.
    hikvision_h265_reported_in_encoding_attribute: "hikvision/GetProfiles-sharponvif.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        let main = profiles[0].video_encoder.as_ref().unwrap();
        assert_eq!(main.encoding, Some(Codec::H265));
        assert_eq!((main.width, main.height, main.bitrate_kbps, main.gov_length), (Some(1920), Some(1080), Some(16384), Some(10)));
        // Without the attribute the element stands.
        assert_eq!(profiles[1].video_encoder.as_ref().unwrap().encoding, Some(Codec::H264));
    }
    /// Lorex (Dahua OEM): the main stream's encoder has no Encoding, Resolution or Quality, the
    /// sub stream's is complete.
    lorex_encoder_config_with_only_name: "lorex/GetProfiles-sproctor.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        let main = profiles[0].video_encoder.as_ref().unwrap();
        assert_eq!(main.token, "VideoEncoder000");
        assert_eq!((main.encoding.clone(), main.width, main.quality), (None, None, None));
        let sub = profiles[1].video_encoder.as_ref().unwrap();
        assert_eq!((sub.encoding.clone(), sub.width, sub.height, sub.quality), (Some(Codec::H264), Some(704), Some(480), Some(4.0)));
        assert_eq!(profiles[0].ptz_configuration.as_deref(), Some("PTZ000"));
    }
    pelco_d6230l_profiles: "pelco/GetProfiles-onvifnvt-d6230l.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        let v = profiles[0].video_encoder.as_ref().unwrap();
        assert_eq!((v.name.as_str(), v.bitrate_kbps, v.profile.as_deref()), ("Primary", Some(6000), Some("High")));
        let s = profiles[1].video_encoder.as_ref().unwrap();
        assert_eq!((s.encoding.clone(), s.quality, s.frame_rate), (Some(Codec::Jpeg), Some(71.0), Some(5.0)));
        assert_eq!(profiles[0].ptz_configuration.as_deref(), Some("0"));
    }
    reolink_e1zoom_profiles: "reolink/GetProfiles-onvifgo-e1zoom.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        assert_eq!(profiles[0].name, "Profile000_MainStream");
        let v = profiles[0].video_encoder.as_ref().unwrap();
        assert_eq!((v.width, v.height, v.quality, v.frame_rate, v.bitrate_kbps), (Some(2048), Some(1536), Some(0.0), Some(15.0), Some(1024)));
        let a = profiles[0].audio_encoder.as_ref().unwrap();
        assert_eq!((a.encoding.as_deref(), a.sample_rate_khz), (Some("AAC"), Some(16)));
    }
    reolink_trackmix_profiles: "reolink/GetProfiles-onvifgo-trackmix.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        let tokens: Vec<&str> = profiles.iter().map(|p| p.token.as_str()).collect();
        assert_eq!(tokens, ["000", "001", "003"]);
        assert_eq!(profiles[0].video_encoder.as_ref().unwrap().width, Some(3840));
        let sub = profiles[1].video_encoder.as_ref().unwrap();
        assert_eq!((sub.width, sub.height, sub.frame_rate, sub.gov_length), (Some(896), Some(512), Some(20.0), Some(80)));
    }
    trendnet_tvip320pi_profiles: "trendnet/GetProfiles-onvifnvt-tvip320pi.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        assert_eq!(profiles[0].video_encoder.as_ref().unwrap().gov_length, Some(60));
        let sub = profiles[1].video_encoder.as_ref().unwrap();
        assert_eq!((sub.encoding.clone(), sub.width, sub.height), (Some(Codec::Jpeg), Some(352), Some(240)));
    }
    xiongmai_sunba405_profiles: "xiongmai/GetProfiles-easyonvif-sunba405.xml" => |p| {
        let profiles = media::GetProfiles.parse(p).unwrap();
        let v = profiles[0].video_encoder.as_ref().unwrap();
        assert_eq!((v.width, v.height, v.frame_rate, v.bitrate_kbps), (Some(2592), Some(1944), Some(12.0), Some(2205)));
        assert_eq!((v.gov_length, v.profile.as_deref()), (Some(1), Some("High")));
        assert_eq!(profiles[1].video_encoder.as_ref().unwrap().bitrate_kbps, Some(551));
    }

    // ----------------------------------------------------------------------------------------
    // Media2 GetProfiles
    // ----------------------------------------------------------------------------------------
    /// Media2 profiles without configurations (the request did not ask for Type All): names
    /// and tokens only, nothing invented.
    hikvision_media2_profiles_with_empty_configurations: "hikvision/GetProfiles-easyonvif-enp1a14-tr2.xml" => |p| {
        let profiles = media2::GetProfiles::default().parse(p).unwrap();
        let names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["mainStream", "subStream", "thirdStream"]);
        assert!(profiles.iter().all(|p| p.service == MediaService::Media2 && p.fixed));
        assert!(profiles.iter().all(|p| p.video_encoder.is_none() && p.video_source_configuration.is_none()));
    }
    uniview_media2_profiles_names_only: "uniview/GetProfiles-easyonvif-sunba-tr2.xml" => |p| {
        let profiles = media2::GetProfiles::default().parse(p).unwrap();
        let tokens: Vec<&str> = profiles.iter().map(|p| p.token.as_str()).collect();
        assert_eq!(tokens, ["media_profile1", "media_profile2", "media_profile3"]);
        assert!(profiles.iter().all(|p| !p.fixed));
    }
    /// XiongMai binds Media2 to `trt2`, puts GovLength in an attribute and names audio
    /// `g711a`.
    xiongmai_media2_bound_to_trt2: "xiongmai/GetProfiles-easyonvif-sunba405-tr2.xml" => |p| {
        assert_eq!(p.prefix.as_deref(), Some("trt2"));
        let profiles = media2::GetProfiles::default().parse(p).unwrap();
        assert_eq!(profiles.len(), 2);
        let v = profiles[0].video_encoder.as_ref().unwrap();
        assert_eq!((v.encoding.clone(), v.width, v.height), (Some(Codec::H264), Some(2592), Some(1944)));
        assert_eq!((v.gov_length, v.frame_rate, v.bitrate_kbps, v.constant_bitrate), (Some(12), Some(12.0), Some(2205), Some(false)));
        assert_eq!(v.quality, Some(3.0));
        assert_eq!(profiles[0].audio_encoder.as_ref().unwrap().encoding.as_deref(), Some("g711a"));
        assert_eq!(profiles[0].ptz_configuration.as_deref(), Some("000"));
        assert_eq!(profiles[0].video_source_configuration.as_ref().unwrap().bounds.unwrap().width, 2592);
    }

    // ----------------------------------------------------------------------------------------
    // Encoder and source configurations
    // ----------------------------------------------------------------------------------------
    axis_q6045e_encoder_configurations: "axis/GetVideoEncoderConfigurations-onvifnvt-q6045e.xml" => |p| {
        let v = media::GetVideoEncoderConfigurations.parse(p).unwrap();
        assert_eq!(v.len(), 26);
        assert_eq!(v.iter().filter(|e| e.encoding == Some(Codec::H264)).count(), 5);
        let mobile = v.iter().find(|e| e.token == "mobile_h264").unwrap();
        assert_eq!((mobile.width, mobile.height, mobile.bitrate_kbps, mobile.profile.as_deref()), (Some(176), Some(144), Some(128), Some("Baseline")));
        let balanced = v.iter().find(|e| e.token == "balanced_h264").unwrap();
        assert_eq!((balanced.quality, balanced.frame_rate, balanced.gov_length), (Some(70.0), Some(15.0), Some(15)));
    }
    bosch_flexidome5100iir_encoder_configuration: "bosch/GetVideoEncoderConfiguration-onvifgo-flexidome5100iir.xml" => |p| {
        let v = media::GetVideoEncoderConfiguration::default().parse(p).unwrap();
        assert_eq!((v.token.as_str(), v.name.as_str()), ("EncCfg_L1S1", "Balanced 2 MP"));
        assert_eq!((v.width, v.height, v.bitrate_kbps, v.gov_length), (Some(1920), Some(1080), Some(5200), Some(255)));
    }
    bosch_autodome5000i_encoder_configurations: "bosch/GetVideoEncoderConfigurations-onvifgo-autodome5000i.xml" => |p| {
        let v = media::GetVideoEncoderConfigurations.parse(p).unwrap();
        let tokens: Vec<&str> = v.iter().map(|e| e.token.as_str()).collect();
        assert_eq!(tokens, ["H26x_L1S1", "H26x_L1S2", "JPEG_L1S3"]);
        assert_eq!(v[2].name, "HD Image Optimized");
    }
    hikvision_ds2cd2012_encoder_configurations: "hikvision/GetVideoEncoderConfigurations-onvifnvt-ds2cd2012.xml" => |p| {
        let v = media::GetVideoEncoderConfigurations.parse(p).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!((v[0].bitrate_kbps, v[0].gov_length), (Some(2048), Some(2)));
        assert_eq!((v[1].width, v[1].frame_rate), (Some(352), Some(30.0)));
    }
    hikvision_ds2df7276_encoder_configurations: "hikvision/GetVideoEncoderConfigurations-onvifnvt-ds2df7276.xml" => |p| {
        let v = media::GetVideoEncoderConfigurations.parse(p).unwrap();
        let tokens: Vec<&str> = v.iter().map(|e| e.token.as_str()).collect();
        assert_eq!(tokens, ["VideoEncoderToken_1", "VideoEncoderToken_2", "VideoEncoderToken_3"]);
        assert_eq!(v[0].profile.as_deref(), Some("Baseline"));
    }
    pelco_d6230l_encoder_configurations: "pelco/GetVideoEncoderConfigurations-onvifnvt-d6230l.xml" => |p| {
        let v = media::GetVideoEncoderConfigurations.parse(p).unwrap();
        assert_eq!((v[0].encoding.clone(), v[0].frame_rate, v[0].gov_length), (Some(Codec::H264), Some(30.0), Some(30)));
        assert_eq!((v[1].encoding.clone(), v[1].bitrate_kbps), (Some(Codec::Jpeg), Some(5000)));
    }
    reolink_e1zoom_encoder_configurations: "reolink/GetVideoEncoderConfigurations-onvifgo-e1zoom.xml" => |p| {
        let v = media::GetVideoEncoderConfigurations.parse(p).unwrap();
        assert_eq!((v[0].width, v[0].height, v[0].bitrate_kbps), (Some(2048), Some(1536), Some(1024)));
        assert_eq!((v[1].width, v[1].gov_length), (Some(640), Some(60)));
    }
    trendnet_tvip320pi_encoder_configurations: "trendnet/GetVideoEncoderConfigurations-onvifnvt-tvip320pi.xml" => |p| {
        let v = media::GetVideoEncoderConfigurations.parse(p).unwrap();
        assert_eq!((v[0].encoding.clone(), v[0].frame_rate, v[0].bitrate_kbps), (Some(Codec::H264), Some(30.0), Some(2048)));
        assert_eq!(v[1].encoding, Some(Codec::Jpeg));
    }
    xiongmai_media2_encoder_configurations: "xiongmai/GetVideoEncoderConfigurations-easyonvif-sunba405-tr2.xml" => |p| {
        let v = media2::GetVideoEncoderConfigurations::default().parse(p).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!((v[0].profile.as_deref(), v[0].gov_length), (Some("Main"), Some(12)));
        assert_eq!((v[0].frame_rate, v[0].bitrate_kbps, v[0].quality), (Some(12.0), Some(2205), Some(3.0)));
        // Media2 has no encoding interval.
        assert_eq!(v[0].encoding_interval, None);
    }
    axis_media2_video_source_configurations: "axis/GetVideoSourceConfigurations-exonvif-tr2.xml" => |p| {
        let v = media2::GetVideoSourceConfigurations::default().parse(p).unwrap();
        assert_eq!((v[0].token.as_str(), v[0].name.as_str(), v[0].source_token.as_str()), ("0", "user0", "0"));
        let b = v[0].bounds.unwrap();
        assert_eq!((b.x, b.y, b.width, b.height), (0, 0, 3840, 2160));
    }
    bosch_panoramic_video_sources: "bosch/GetVideoSources-onvifgo-panoramic5100i.xml" => |p| {
        let s = media::GetVideoSources.parse(p).unwrap();
        let tokens: Vec<&str> = s.iter().map(|s| s.token.as_str()).collect();
        assert_eq!(tokens, ["1"]);
    }

    // ----------------------------------------------------------------------------------------
    // Encoder options
    // ----------------------------------------------------------------------------------------
    axis_p3818pve_encoder_options: "axis/GetVideoEncoderConfigurationOptions-onvifgo-p3818pve.xml" => |p| {
        let o = media::GetVideoEncoderConfigurationOptions::default().parse(p).unwrap();
        assert_eq!(o.len(), 2);
        let h264 = o.iter().find(|o| o.encoding == Some(Codec::H264)).unwrap();
        assert_eq!(h264.resolutions, [(640, 320), (1280, 640), (1920, 960), (2560, 1280), (5120, 2560)]);
        assert_eq!(h264.gov_length_range, Some(Range::new(1.0, 32767.0)));
        assert_eq!(h264.profiles, ["Baseline", "Main", "High"]);
        assert_eq!(h264.bitrate_range, Some(Range::new(1.0, 2_147_483_647.0)));
        assert_eq!(h264.quality_range, Some(Range::new(0.0, 100.0)));
        let jpeg = o.iter().find(|o| o.encoding == Some(Codec::Jpeg)).unwrap();
        assert_eq!(jpeg.frame_rate_range, Some(Range::new(1.0, 30.0)));
        assert_eq!(jpeg.bitrate_range, Some(Range::new(1.0, 2_147_483_647.0)));
    }
    bosch_autodome5000i_encoder_options: "bosch/GetVideoEncoderConfigurationOptions-onvifgo-autodome5000i.xml" => |p| {
        let o = media::GetVideoEncoderConfigurationOptions::default().parse(p).unwrap();
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].resolutions, [(1920, 1080), (1536, 864), (1280, 720)]);
        assert_eq!(o[0].encoding_interval_range, Some(Range::new(1.0, 30.0)));
        assert_eq!(o[0].bitrate_range, Some(Range::new(1.0, 50000.0)));
        assert_eq!(o[0].frame_rates, [1.0, 30.0]);
    }
    /// Dahua's quality scale is 1..6, not 0..100: the range travels with the options.
    dahua_audio_options_g711_at_32_kbps: "dahua/GetAudioEncoderConfigurationOptions-exonvif.xml" => |p| {
        let o = media::GetAudioEncoderConfigurationOptions::default().parse(p).unwrap();
        let rows: Vec<(&str, &[u32], &[u32])> = o
            .iter()
            .map(|o| (o.encoding.as_str(), o.bitrates.as_slice(), o.sample_rates.as_slice()))
            .collect();
        assert_eq!(
            rows,
            [
                ("G711", &[32][..], &[8][..]),
                ("G726", &[32][..], &[8][..]),
                ("AAC", &[32, 64][..], &[8, 16][..]),
            ]
        );
        // Carrying a 64 kbit/s G.711 stream onto this Dahua: its only G.711 rate is 32.
        let planned = camswap::planner::plan::AudioValues {
            encoding: Some("PCMU".into()),
            bitrate_kbps: Some(64),
            sample_rate_khz: Some(8),
        };
        let fitted = camswap::migrate::check::fit_audio(&planned, &o);
        assert_eq!(
            (fitted.encoding.as_deref(), fitted.bitrate_kbps, fitted.sample_rate_khz),
            (Some("G711"), Some(32), Some(8))
        );
    }
    dahua_quality_range_one_to_six: "dahua/GetVideoEncoderConfigurationOptions-exonvif.xml" => |p| {
        let o = media::GetVideoEncoderConfigurationOptions::default().parse(p).unwrap();
        assert_eq!(o.len(), 2);
        assert!(o.iter().all(|o| o.quality_range == Some(Range::new(1.0, 6.0))));
        let h264 = o.iter().find(|o| o.encoding == Some(Codec::H264)).unwrap();
        assert_eq!(h264.gov_length_range, Some(Range::new(25.0, 150.0)));
        assert_eq!(h264.frame_rate_range, Some(Range::new(1.0, 25.0)));
        assert_eq!(h264.resolutions, [(704, 576), (640, 480), (352, 288)]);
        // No ONVIF 2.0 extension, so no bitrate range.
        assert_eq!(h264.bitrate_range, None);
    }
    reolink_e1zoom_encoder_options: "reolink/GetVideoEncoderConfigurationOptions-onvifgo-e1zoom.xml" => |p| {
        let o = media::GetVideoEncoderConfigurationOptions::default().parse(p).unwrap();
        assert_eq!(o[0].frame_rate_range, Some(Range::new(15.0, 20.0)));
        assert_eq!(o[0].resolutions.len(), 4);
        assert_eq!(o[0].quality_range, Some(Range::new(0.0, 5.0)));
    }
    hikvision_media2_encoder_options_with_h265: "hikvision/GetVideoEncoderConfigurationOptions-exonvif-tr2.xml" => |p| {
        let o = media2::GetVideoEncoderConfigurationOptions::default().parse(p).unwrap();
        assert_eq!(o.len(), 2);
        let h265 = &o[1];
        assert_eq!(h265.encoding, Some(Codec::H265));
        assert_eq!(h265.resolutions, [(1920, 1080), (2560, 1440), (3072, 1728)]);
        assert_eq!(h265.frame_rates, [12.5, 12.0, 10.0, 8.0, 6.0, 4.0, 2.0, 1.0, 0.5, 0.25, 0.125, 0.0625]);
        assert_eq!(h265.gov_length_range, Some(Range::new(1.0, 250.0)));
        assert_eq!(h265.bitrate_range, Some(Range::new(32.0, 16384.0)));
        assert_eq!(h265.profiles, ["Main"]);
        assert_eq!(o[0].profiles, ["Main", "High"]);
    }

    // ----------------------------------------------------------------------------------------
    // Stream and snapshot URIs
    // ----------------------------------------------------------------------------------------
    axis_p3818pve_stream_uri: "axis/GetStreamUri-onvifgo-p3818pve.xml" => |p| {
        let u = media::GetStreamUri::default().parse(p).unwrap();
        assert_eq!(u.uri, "rtsp://192.168.2.82/onvif-media/media.amp?profile=profile_1_h264&sessiontimeout=60&streamtype=unicast");
        assert_eq!((u.invalid_after_connect, u.invalid_after_reboot, u.timeout_s), (Some(false), Some(false), Some(0)));
    }
    axis_q6045e_stream_uri: "axis/GetStreamUri-onvifnvt-q6045e.xml" => |p| {
        assert_eq!(media::GetStreamUri::default().parse(p).unwrap().uri, "rtsp://192.168.0.19/onvif-media/media.amp?profile=profile_1_jpeg&sessiontimeout=60&streamtype=unicast");
    }
    axis_media2_stream_uri: "axis/GetStreamUri-sproctor-tr2.xml" => |p| {
        assert_eq!(media2::GetStreamUri::default().parse(p).unwrap(), "rtsp://192.168.0.209/onvif-media/media.amp?profile=profile_1_h264&sessiontimeout=60&streamtype=unicast");
    }
    bosch_autodome5000i_stream_uri: "bosch/GetStreamUri-onvifgo-autodome5000i.xml" => |p| {
        let u = media::GetStreamUri::default().parse(p).unwrap();
        assert_eq!(u.uri, "rtsp://192.168.2.57/rtsp_tunnel?p=0&h26x=4&vcd=2");
        assert_eq!(u.invalid_after_reboot, Some(true));
    }
    bosch_flexidome8000i_stream_uri: "bosch/GetStreamUri-onvifgo-flexidome8000i.xml" => |p| {
        assert_eq!(media::GetStreamUri::default().parse(p).unwrap().uri, "rtsp://192.168.2.200/rtsp_tunnel?p=0&h26x=4&vcd=2");
    }
    bosch_panoramic_stream_uri: "bosch/GetStreamUri-onvifgo-panoramic5100i.xml" => |p| {
        assert_eq!(media::GetStreamUri::default().parse(p).unwrap().uri, "rtsp://192.168.2.24/rtsp_tunnel?p=0&line=3&inst=4");
    }
    /// Dahua escapes `&` as `&amp;` in the URI; the parser hands back the real URI.
    dahua_stream_uri_with_escaped_ampersands: "dahua/GetStreamUri-go2rtc.xml" => |p| {
        let u = media::GetStreamUri::default().parse(p).unwrap();
        assert_eq!(u.uri, "rtsp://192.168.1.123:554/cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif");
        assert_eq!(u.invalid_after_connect, Some(true));
    }
    hikvision_media2_stream_uri: "hikvision/GetStreamUri-easyonvif-enp1a14-tr2.xml" => |p| {
        assert_eq!(media2::GetStreamUri::default().parse(p).unwrap(), "rtsp://192.168.1.182/Streaming/Channels/101?transportmode=unicast&profile=Profile_1");
    }
    /// The ENP OEM answers with a multicast transport mode (the request behind it is lost).
    hikvision_stream_uri_transportmode_mcast: "hikvision/GetStreamUri-easyonvif-enp1a14.xml" => |p| {
        let u = media::GetStreamUri::default().parse(p).unwrap();
        assert_eq!(u.uri, "rtsp://192.168.1.182:554/Streaming/Channels/101?transportmode=mcast&profile=Profile_1");
        assert_eq!(u.timeout_s, Some(60));
    }
    hikvision_ds2cd2012_stream_uri: "hikvision/GetStreamUri-onvifnvt-ds2cd2012.xml" => |p| {
        assert_eq!(media::GetStreamUri::default().parse(p).unwrap().uri, "rtsp://10.10.1.65:554/Streaming/Channels/2?transportmode=unicast&profile=Profile_2");
    }
    hikvision_ds2df7276_stream_uri: "hikvision/GetStreamUri-onvifnvt-ds2df7276.xml" => |p| {
        assert_eq!(media::GetStreamUri::default().parse(p).unwrap().uri, "rtsp://10.10.1.60:554/Streaming/Channels/3?transportmode=unicast&profile=Profile_3");
    }
    pelco_d6230l_stream_uri: "pelco/GetStreamUri-onvifnvt-d6230l.xml" => |p| {
        let u = media::GetStreamUri::default().parse(p).unwrap();
        assert_eq!((u.uri.as_str(), u.timeout_s), ("rtsp://10.10.1.66/stream2_v", Some(900)));
    }
    /// Reolink E1 Zoom's main profile streams from the bare root path.
    reolink_stream_uri_bare_root: "reolink/GetStreamUri-onvifgo-e1zoom.xml" => |p| {
        let u = media::GetStreamUri::default().parse(p).unwrap();
        assert_eq!((u.uri.as_str(), u.timeout_s), ("rtsp://192.168.2.61:554/", Some(10)));
    }
    reolink_trackmix_stream_uri: "reolink/GetStreamUri-onvifgo-trackmix.xml" => |p| {
        assert_eq!(media::GetStreamUri::default().parse(p).unwrap().uri, "rtsp://192.168.2.236:554/Preview_01_main");
    }
    trendnet_tvip320pi_stream_uri: "trendnet/GetStreamUri-onvifnvt-tvip320pi.xml" => |p| {
        assert_eq!(media::GetStreamUri::default().parse(p).unwrap().uri, "rtsp://10.10.1.67:554/Streaming/Channels/102?transportmode=unicast&profile=Profile_2");
    }
    uniview_media2_stream_uri: "uniview/GetStreamUri-easyonvif-sunba-tr2.xml" => |p| {
        assert_eq!(media2::GetStreamUri::default().parse(p).unwrap(), "rtsp://162.191.54.181/media/video1");
    }
    axis_q6045e_snapshot_uri: "axis/GetSnapshotUri-onvifnvt-q6045e.xml" => |p| {
        assert_eq!(media::GetSnapshotUri::default().parse(p).unwrap().uri, "http://192.168.0.19/onvif-cgi/jpg/image.cgi?resolution=1280x720&compression=20");
    }
    axis_media2_snapshot_uri: "axis/GetSnapshotUri-sproctor-tr2.xml" => |p| {
        assert_eq!(media2::GetSnapshotUri::default().parse(p).unwrap(), "http://192.168.0.209/onvif-cgi/jpg/image.cgi?resolution=1920x1080&compression=30");
    }
    bosch_autodome5000i_snapshot_uri: "bosch/GetSnapshotUri-onvifgo-autodome5000i.xml" => |p| {
        assert_eq!(media::GetSnapshotUri::default().parse(p).unwrap().uri, "http://192.168.2.57/snap.jpg?JpegCam=1");
    }
    bosch_flexidome5100iir_snapshot_uri: "bosch/GetSnapshotUri-onvifgo-flexidome5100iir.xml" => |p| {
        assert_eq!(media::GetSnapshotUri::default().parse(p).unwrap().uri, "http://192.168.1.201/snap.jpg?JpegCam=1");
    }
    dahua_snapshot_uri: "dahua/GetSnapshotUri-go2rtc.xml" => |p| {
        assert_eq!(media::GetSnapshotUri::default().parse(p).unwrap().uri, "http://192.168.1.123/onvifsnapshot/media_service/snapshot?channel=1&subtype=1");
    }
    dlink_dcs6511_snapshot_uri: "dlink/GetSnapshotUri-easyonvif-dcs6511.xml" => |p| {
        let u = media::GetSnapshotUri::default().parse(p).unwrap();
        assert_eq!((u.uri.as_str(), u.timeout_s), ("http://192.168.1.33/dms?nowprofileid=1", Some(15)));
    }
    hikvision_enp1a14_snapshot_uri: "hikvision/GetSnapshotUri-easyonvif-enp1a14.xml" => |p| {
        assert_eq!(media::GetSnapshotUri::default().parse(p).unwrap().uri, "http://192.168.1.182/onvif-http/snapshot?Profile_1");
    }
    hikvision_ds2cd2012_snapshot_uri: "hikvision/GetSnapshotUri-onvifnvt-ds2cd2012.xml" => |p| {
        assert_eq!(media::GetSnapshotUri::default().parse(p).unwrap().uri, "http://10.10.1.65/onvif-http/snapshot");
    }
    hikvision_ds2df7276_snapshot_uri: "hikvision/GetSnapshotUri-onvifnvt-ds2df7276.xml" => |p| {
        assert_eq!(media::GetSnapshotUri::default().parse(p).unwrap().uri, "http://10.10.1.60/onvif/snapshot");
    }
    pelco_d6230l_snapshot_uri: "pelco/GetSnapshotUri-onvifnvt-d6230l.xml" => |p| {
        assert_eq!(media::GetSnapshotUri::default().parse(p).unwrap().uri, "http://10.10.1.66/jpeg");
    }
    /// Reolink serves ONVIF on :8000 but snapshots from :80.
    reolink_snapshot_on_port_80: "reolink/GetSnapshotUri-onvifgo-e1zoom.xml" => |p| {
        let u = media::GetSnapshotUri::default().parse(p).unwrap();
        assert_eq!(u.uri, "http://192.168.2.61:80/cgi-bin/api.cgi?cmd=onvifSnapPic&channel=0");
        assert_eq!((u.invalid_after_connect, u.invalid_after_reboot), (Some(true), Some(true)));
    }
    reolink_trackmix_snapshot_uri: "reolink/GetSnapshotUri-onvifgo-trackmix.xml" => |p| {
        assert_eq!(media::GetSnapshotUri::default().parse(p).unwrap().uri, "http://192.168.2.236:80/cgi-bin/api.cgi?cmd=onvifSnapPic&channel=0");
    }
    trendnet_tvip320pi_snapshot_uri: "trendnet/GetSnapshotUri-onvifnvt-tvip320pi.xml" => |p| {
        assert_eq!(media::GetSnapshotUri::default().parse(p).unwrap().uri, "http://10.10.1.67/onvif-http/snapshot?Profile_2");
    }

    // ----------------------------------------------------------------------------------------
    // Service capabilities
    // ----------------------------------------------------------------------------------------
    uniview_media_capabilities: "uniview/GetServiceCapabilities-exonvif-media.xml" => |p| {
        let c = media::GetServiceCapabilities.parse(p).unwrap();
        assert_eq!((c.snapshot_uri, c.osd, c.rotation), (Some(true), Some(true), Some(false)));
        assert_eq!(c.maximum_number_of_profiles, Some(24));
        assert_eq!((c.rtp_rtsp_tcp, c.rtp_multicast, c.rtsp_streaming), (Some(true), Some(false), Some(true)));
    }
    milesight_media2_capabilities: "milesight/GetServiceCapabilities-exonvif-media2.xml" => |p| {
        let c = media2::GetServiceCapabilities.parse(p).unwrap();
        assert_eq!(c.maximum_number_of_profiles, Some(8));
        assert_eq!(c.configurations_supported.len(), 8);
        assert!(c.configurations_supported.iter().any(|t| t == "VideoEncoder"));
        assert_eq!((c.rtsp_streaming, c.rtp_multicast), (Some(true), Some(true)));
    }
    unknown_ptz_capabilities: "unknown/GetServiceCapabilities-exonvif-ptz.xml" => |p| {
        let c = ptz::GetServiceCapabilities.parse(p).unwrap();
        assert_eq!((c.move_status, c.status_position, c.eflip), (Some(true), Some(true), Some(false)));
    }
    /// MaxRecordings is an xs:float and comes as "1.000000".
    recording_capabilities_with_float_max_recordings: "unknown/GetServiceCapabilities-exonvif-recording.xml" => |p| {
        let c = recording::GetServiceCapabilities.parse(p).unwrap();
        assert!(!c.dynamic_recordings && !c.dynamic_tracks && c.options);
        assert_eq!(c.encodings, ["G711", "G726", "AAC", "H264", "JPEG", "H265"]);
        assert_eq!((c.max_recordings, c.max_recording_jobs), (Some(1), Some(1)));
        assert_eq!((c.max_rate, c.max_total_rate), (Some(16384.0), Some(16384.0)));
    }

    // ----------------------------------------------------------------------------------------
    // PTZ nodes and configurations
    // ----------------------------------------------------------------------------------------
    axis_q6045e_nodes: "axis/GetNodes-onvifnvt-q6045e.xml" => |p| {
        let n = &ptz::GetNodes.parse(p).unwrap()[0];
        assert_eq!((n.token.as_str(), n.name.as_deref(), n.max_presets, n.home_supported), ("1", None, 256, true));
        assert_eq!(n.absolute_pan_tilt.len(), 2);
        let spherical = &n.absolute_pan_tilt[1];
        assert_eq!(spherical.uri, "http://www.onvif.org/ver10/tptz/PanTiltSpaces/SphericalPositionSpace");
        assert_eq!((spherical.x, spherical.y), (Range::new(-180.0, 180.0), Range::new(-200.0, 20.0)));
        assert_eq!(n.absolute_zoom[0].uri, GENERIC_ZOOM);
        assert_eq!(n.other_spaces.len(), 8);
    }
    hikvision_ds2df7276_nodes: "hikvision/GetNodes-onvifnvt-ds2df7276.xml" => |p| {
        let n = &ptz::GetNodes.parse(p).unwrap()[0];
        assert_eq!((n.token.as_str(), n.name.as_deref(), n.max_presets), ("PTZNODETOKEN", Some("PTZNODE"), 256));
        assert_eq!(n.absolute_pan_tilt[0].x, Range::new(-1.0, 1.0));
        assert!(n.other_spaces.iter().any(|s| s.ends_with("VelocitySpaceMillimeter")));
        assert_eq!(n.fixed_home_position, None);
    }
    /// Pelco writes ranges in exponent form (`-1.8E+02`) and adds vendor spaces.
    pelco_ranges_in_exponent_form: "pelco/GetNodes-onvifnvt-d6230l.xml" => |p| {
        let n = &ptz::GetNodes.parse(p).unwrap()[0];
        assert_eq!(n.fixed_home_position, Some(false));
        let degrees = &n.absolute_pan_tilt[1];
        assert_eq!(degrees.uri, "http://www.onvif.org/ver10/tptz/PanTiltSpaces/SphericalPositionSpaceDegrees");
        assert_eq!((degrees.x, degrees.y), (Range::new(-180.0, 180.0), Range::new(-93.0, 3.0)));
        assert!(n.other_spaces.contains(&"urn:schemas-pelco-com:onvif:ptz/ZoomSpaces/PercentFOVSpace".to_owned()));
    }
    unknown_ptz_nodes: "unknown/GetNodes-exonvif.xml" => |p| {
        let n = &ptz::GetNodes.parse(p).unwrap()[0];
        assert_eq!((n.token.as_str(), n.max_presets), ("PTZNodeToken", 300));
        assert_eq!(n.absolute_pan_tilt[0].uri, GENERIC_PT);
    }
    /// The schema spells it DefaultAbsolutePantTiltPositionSpace, and so do devices.
    axis_default_absolute_pant_tilt_space: "axis/GetConfigurations-onvifnvt-q6045e-ptz.xml" => |p| {
        let c = &ptz::GetConfigurations.parse(p).unwrap()[0];
        assert_eq!((c.token.as_str(), c.name.as_str(), c.node_token.as_str()), ("0", "user0", "1"));
        assert_eq!(c.default_absolute_pan_tilt_space.as_deref(), Some(GENERIC_PT));
        assert_eq!(c.default_absolute_zoom_space.as_deref(), Some(GENERIC_ZOOM));
        assert_eq!(c.pan_tilt_limits.as_ref().unwrap().x, Range::new(-1.0, 1.0));
        assert_eq!(c.zoom_limits.as_ref().unwrap().x, Range::new(0.0, 1.0));
    }
    hikvision_enp1a14_ptz_configurations: "hikvision/GetConfigurations-easyonvif-enp1a14-ptz.xml" => |p| {
        let c = &ptz::GetConfigurations.parse(p).unwrap()[0];
        assert_eq!((c.token.as_str(), c.node_token.as_str()), ("PTZToken", "PTZNODETOKEN"));
        assert_eq!(c.default_absolute_pan_tilt_space.as_deref(), Some(GENERIC_PT));
    }
    hikvision_ds2df7276_ptz_configurations: "hikvision/GetConfigurations-onvifnvt-ds2df7276-ptz.xml" => |p| {
        let c = &ptz::GetConfigurations.parse(p).unwrap()[0];
        assert_eq!(c.pan_tilt_limits.as_ref().unwrap().uri, GENERIC_PT);
        assert_eq!(c.zoom_limits.as_ref().unwrap().x, Range::new(0.0, 1.0));
    }
    /// Milesight limits generic zoom to -1..1 although the space runs 0..1: kept as sent.
    milesight_zoom_limits_below_zero: "milesight/GetConfigurations-exonvif-ptz.xml" => |p| {
        let c = &ptz::GetConfigurations.parse(p).unwrap()[0];
        assert_eq!(c.node_token, "PTZNodeToken");
        assert_eq!(c.zoom_limits.as_ref().unwrap().x, Range::new(-1.0, 1.0));
    }
    /// Pelco limits zoom to 0..0.08 of the generic space.
    pelco_narrow_zoom_limits: "pelco/GetConfigurations-onvifnvt-d6230l-ptz.xml" => |p| {
        let c = &ptz::GetConfigurations.parse(p).unwrap()[0];
        assert_eq!((c.name.as_str(), c.node_token.as_str()), ("default", "PTZID-0"));
        assert_eq!(c.zoom_limits.as_ref().unwrap().x, Range::new(0.0, 0.08));
    }
    /// XiongMai's configuration names no default absolute spaces.
    xiongmai_ptz_configuration_without_absolute_defaults: "xiongmai/GetConfigurations-easyonvif-sunba405-ptz.xml" => |p| {
        let c = &ptz::GetConfigurations.parse(p).unwrap()[0];
        assert_eq!((c.token.as_str(), c.name.as_str()), ("000", "PTZ_000"));
        assert_eq!((c.default_absolute_pan_tilt_space.as_deref(), c.default_absolute_zoom_space.as_deref()), (None, None));
        assert_eq!(c.pan_tilt_limits.as_ref().unwrap().y, Range::new(-1.0, 1.0));
    }
    hikvision_enp1a14_ptz_configuration_options: "hikvision/GetConfigurationOptions-easyonvif-enp1a14-ptz.xml" => |p| {
        let o = ptz::GetConfigurationOptions::default().parse(p).unwrap();
        assert_eq!(o.absolute_pan_tilt[0].uri, GENERIC_PT);
        assert_eq!(o.absolute_zoom[0].x, Range::new(0.0, 1.0));
        assert_eq!(o.other_spaces.len(), 9);
        assert_eq!(o.timeout_s, Some((1, 600)));
    }

    // ----------------------------------------------------------------------------------------
    // Presets
    // ----------------------------------------------------------------------------------------
    axis_q6045e_presets: "axis/GetPresets-onvifnvt-q6045e.xml" => |p| {
        let presets = ptz::GetPresets { profile: "profile_1_h264".into() }.parse(p).unwrap();
        assert_eq!(presets.len(), 21);
        let living = &presets[0];
        assert_eq!((living.token.as_str(), living.name.as_deref()), ("22", Some("Living Room")));
        assert_eq!(living.profile_token, "profile_1_h264");
        let pos = living.position.as_ref().unwrap();
        assert_eq!(pt(pos), (-4.66240772E-06, 5.93397374E-07, Some(GENERIC_PT)));
        assert_eq!(zoom(pos), (1.52603152E-09, Some(GENERIC_ZOOM)));
        assert_eq!(presets[20].name.as_deref(), Some("Preset 1"));
    }
    bosch_autodome5000i_presets: "bosch/GetPresets-onvifgo-autodome5000i.xml" => |p| {
        let presets = ptz::GetPresets { profile: "0".into() }.parse(p).unwrap();
        let names: Vec<_> = presets.iter().map(|p| p.name.as_deref().unwrap()).collect();
        assert_eq!(names, ["tabletop", "tabletopzoom54"]);
        let pos = presets[1].position.as_ref().unwrap();
        assert_eq!(pt(pos), (-0.311, 0.822, Some(GENERIC_PT)));
        assert_eq!(zoom(pos).0, 0.226);
    }
    generic_ipdh4k8m05_presets_without_positions: "generic/GetPresets-easyonvif-ipdh4k8m05.xml" => |p| {
        let presets = ptz::GetPresets { profile: "P".into() }.parse(p).unwrap();
        assert_eq!(presets.len(), 255);
        assert!(presets.iter().all(|p| p.position.is_none()));
        assert_eq!((presets[254].token.as_str(), presets[254].name.as_deref()), ("255", Some("255")));
    }
    /// Positions without a `space` attribute (the default space is meant).
    generic_ipg8150pss_presets_without_space: "generic/GetPresets-easyonvif-ipg8150pss.xml" => |p| {
        let presets = ptz::GetPresets { profile: "PROFILE_000".into() }.parse(p).unwrap();
        assert_eq!(presets.len(), 100);
        assert_eq!(presets[99].token, "z_ovf_ptz_100");
        let pos = presets[0].position.as_ref().unwrap();
        assert_eq!(pt(pos), (0.0, 0.0, None));
        assert_eq!(zoom(pos), (0.0, None));
    }
    /// Hikvision lists its special-function presets (33 Auto-flip, 94 Remote reboot, ...) like
    /// real ones and repeats names; tokens keep them apart, and the planner must skip them.
    hikvision_special_function_presets_and_duplicate_names: "hikvision/GetPresets-onvifnvt-ds2df7276.xml" => |p| {
        let presets = ptz::GetPresets { profile: "Profile_1".into() }.parse(p).unwrap();
        assert_eq!(presets.len(), 255);
        assert_eq!(presets.iter().filter(|p| p.name.is_some()).count(), 31);
        assert_eq!((presets[0].name.as_deref(), presets[1].name.as_deref()), (Some("preset 1"), Some("preset 1")));
        assert_ne!(presets[0].token, presets[1].token);
        let reboot = presets.iter().find(|p| p.token == "94").unwrap();
        assert_eq!(reboot.name.as_deref(), Some("Remote reboot"));
        assert!(presets.iter().all(|p| p.token != "6"));
    }
    pelco_presets_with_uuid_tokens: "pelco/GetPresets-onvifnvt-d6230l.xml" => |p| {
        let presets = ptz::GetPresets { profile: "0".into() }.parse(p).unwrap();
        assert_eq!(presets.len(), 6);
        assert_eq!(presets[0].token, "b8eb9b60-96b2-415e-aaa5-82a40217b93d");
        assert_eq!(presets[0].name.as_deref(), Some("Shane's Room"));
        assert_eq!(pt(presets[0].position.as_ref().unwrap()), (-0.26, 0.8, Some(GENERIC_PT)));
        let dev = &presets[5];
        assert_eq!(dev.name.as_deref(), Some("Dev Room"));
        assert_eq!(pt(dev.position.as_ref().unwrap()), (-0.46, 0.88, Some(GENERIC_PT)));
    }
    /// Reolink answers GetPresets with an empty list.
    reolink_empty_get_presets: "reolink/GetPresets-onvifgo-e1zoom.xml" => |p| {
        assert!(ptz::GetPresets { profile: "000".into() }.parse(p).unwrap().is_empty());
    }
    reolink_trackmix_preset_without_position: "reolink/GetPresets-onvifgo-trackmix.xml" => |p| {
        let presets = ptz::GetPresets { profile: "000".into() }.parse(p).unwrap();
        assert_eq!((presets[0].token.as_str(), presets[0].name.as_deref()), ("000", Some("testOnat")));
        assert_eq!(presets[0].position, None);
    }
    uniview_sunba_presets: "uniview/GetPresets-easyonvif-sunba.xml" => |p| {
        let presets = ptz::GetPresets { profile: "media_profile1".into() }.parse(p).unwrap();
        assert_eq!(presets.len(), 255);
        assert_eq!(presets[0].name.as_deref(), Some("1"));
    }

    // ----------------------------------------------------------------------------------------
    // PTZ status
    // ----------------------------------------------------------------------------------------
    axis_q6045e_status: "axis/GetStatus-onvifnvt-q6045e-ptz.xml" => |p| {
        let s = ptz::GetStatus::default().parse(p).unwrap();
        let pos = s.position.as_ref().unwrap();
        assert_eq!(pt(pos), (-0.387339115, 0.933800578, Some(GENERIC_PT)));
        assert_eq!((s.pan_tilt.clone(), s.zoom.clone()), (Some(MoveStatus::Idle), Some(MoveStatus::Idle)));
        assert!(s.is_idle());
        assert_eq!(s.utc_time.as_deref(), Some("2018-02-27T00:18:43Z"));
    }
    bosch_autodome5000i_status: "bosch/GetStatus-onvifgo-autodome5000i-ptz.xml" => |p| {
        let s = ptz::GetStatus::default().parse(p).unwrap();
        assert_eq!(pt(s.position.as_ref().unwrap()), (1.0, -0.844, Some(GENERIC_PT)));
        assert_eq!(zoom(s.position.as_ref().unwrap()).0, 0.006);
        assert_eq!(s.utc_time.as_deref(), Some("2026-01-13T19:25:21.755Z"));
    }
    /// Raw motor steps (32768) in an unnamed space, and no MoveStatus.
    generic_ipdh4k8m05_status_in_motor_steps: "generic/GetStatus-easyonvif-ipdh4k8m05-ptz.xml" => |p| {
        let s = ptz::GetStatus::default().parse(p).unwrap();
        let pos = s.position.as_ref().unwrap();
        assert_eq!(pt(pos), (32768.0, 32768.0, None));
        assert_eq!(zoom(pos), (12644.0, None));
        assert_eq!((s.pan_tilt.clone(), s.zoom.clone()), (None, None));
    }
    generic_ipg8150pss_status: "generic/GetStatus-easyonvif-ipg8150pss-ptz.xml" => |p| {
        let s = ptz::GetStatus::default().parse(p).unwrap();
        assert_eq!(pt(s.position.as_ref().unwrap()), (0.0, 0.0, Some(GENERIC_PT)));
        assert!(s.is_idle());
    }
    /// Old Hikvision PTZ firmware sends `<tt:Error>NO error</tt:Error>` and no MoveStatus.
    hikvision_status_no_error_and_no_move_status: "hikvision/GetStatus-onvifnvt-ds2df7276-ptz.xml" => |p| {
        let s = ptz::GetStatus::default().parse(p).unwrap();
        assert_eq!(s.error.as_deref(), Some("NO error"));
        assert_eq!(s.fault(), None);
        assert_eq!((s.pan_tilt.clone(), s.zoom.clone()), (None, None));
        assert!(s.is_idle());
        assert_eq!(pt(s.position.as_ref().unwrap()), (0.333167, -0.682, Some(GENERIC_PT)));
    }
    pelco_d6230l_status: "pelco/GetStatus-onvifnvt-d6230l-ptz.xml" => |p| {
        let s = ptz::GetStatus::default().parse(p).unwrap();
        assert_eq!(pt(s.position.as_ref().unwrap()), (-0.39, 0.81, Some(GENERIC_PT)));
        assert_eq!(s.utc_time.as_deref(), Some("2018-02-27T14:57:08.890590Z"));
    }
    /// Reolink's GetStatus has MoveStatus but no Position.
    reolink_status_without_position: "reolink/GetStatus-onvifgo-e1zoom-ptz.xml" => |p| {
        let s = ptz::GetStatus::default().parse(p).unwrap();
        assert_eq!(s.position, None);
        assert_eq!(s.pan_tilt, Some(MoveStatus::Idle));
    }
    reolink_trackmix_status_without_position: "reolink/GetStatus-onvifgo-trackmix-ptz.xml" => |p| {
        let s = ptz::GetStatus::default().parse(p).unwrap();
        assert_eq!(s.position, None);
        assert!(s.is_idle());
    }
    uniview_sunba_status: "uniview/GetStatus-easyonvif-sunba-ptz.xml" => |p| {
        let s = ptz::GetStatus::default().parse(p).unwrap();
        assert_eq!(pt(s.position.as_ref().unwrap()), (0.5, 0.499777734, Some(GENERIC_PT)));
    }
    unknown_ptz_status: "unknown/GetStatus-exonvif-ptz.xml" => |p| {
        let s = ptz::GetStatus::default().parse(p).unwrap();
        assert_eq!(pt(s.position.as_ref().unwrap()), (0.164178, -0.618316, Some(GENERIC_PT)));
    }
    /// XiongMai: PanTilt without a space attribute, UtcTime in 1970.
    xiongmai_pan_tilt_without_space_and_1970_clock: "xiongmai/GetStatus-easyonvif-sunba405-ptz.xml" => |p| {
        let s = ptz::GetStatus::default().parse(p).unwrap();
        let pos = s.position.as_ref().unwrap();
        assert_eq!(pt(pos), (0.0, 0.0, None));
        assert_eq!(zoom(pos), (0.0, None));
        assert_eq!(s.utc_time.as_deref(), Some("1970-01-01T00:00:00Z"));
        assert!(s.is_idle());
    }

    // ----------------------------------------------------------------------------------------
    // Recording
    // ----------------------------------------------------------------------------------------
    axis_recordings: "axis/GetRecordings-exonvif.xml" => |p| {
        let r = recording::GetRecordings.parse(p).unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].token, "SD_DISK_20200422_123501_A2388AB3");
        assert_eq!((r[0].source.name.as_str(), r[0].content.as_str()), ("paolo", "beta cam 1"));
        assert_eq!((r[0].max_retention.as_deref(), r[0].max_retention_s), (Some("PT1H"), Some(3600)));
        let kinds: Vec<(&str, &str)> = r[0].tracks.iter().map(|t| (t.token.as_str(), t.kind.as_str())).collect();
        assert_eq!(kinds, [("VIDEO001", "Video"), ("AUDIO001", "Audio"), ("META001", "Metadata")]);
        assert_eq!(r[2].content, "beta cam 3");
    }
    axis_recording_jobs: "axis/GetRecordingJobs-exonvif.xml" => |p| {
        let j = &recording::GetRecordingJobs.parse(p).unwrap()[0];
        assert_eq!(j.token, "SD_DISK_20241120_211729_9C896594");
        assert_eq!(j.recording_token, "SD_DISK_20241120_211729_9C896594");
        assert_eq!((j.mode.as_str(), j.priority, j.schedule_token.as_deref()), ("Active", 9, None));
        let s = &j.sources[0];
        assert_eq!(s.source_token.as_deref(), Some("profile_1_h264"));
        assert_eq!(s.source_type.as_deref(), Some("http://www.onvif.org/ver10/schema/Profile"));
        assert_eq!(s.auto_create_receiver, Some(false));
        let tracks: Vec<(&str, &str)> = s.tracks.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(tracks, [("tag0", "VIDEO001"), ("tag1", "AUDIO001"), ("tag2", "META001")]);
    }
    axis_recording_jobs_empty: "axis/GetRecordingJobs-hammeraj-empty.xml" => |p| {
        assert!(recording::GetRecordingJobs.parse(p).unwrap().is_empty());
    }
    axis_create_recording_job: "axis/CreateRecordingJob-exonvif.xml" => |p| {
        let j = recording::CreateRecordingJob::default().parse(p).unwrap();
        assert_eq!(j.token, "SD_DISK_20241120_211729_9C896594");
        assert_eq!((j.mode.as_str(), j.priority), ("Active", 9));
        assert!(j.sources.is_empty());
    }
}

/// A payload that is not what the operation answers is refused by name, even when only the
/// namespace tells it apart (Media and Media2 both answer `GetProfilesResponse`).
#[test]
fn payload_of_another_operation_is_wrong_element() {
    let presets = payload("axis/GetPresets-onvifnvt-q6045e.xml");
    assert!(matches!(
        ptz::GetStatus::default().parse(&presets),
        Err(ParseError::WrongElement {
            expected: "GetStatusResponse",
            ..
        })
    ));
    let media2_profiles = payload("xiongmai/GetProfiles-easyonvif-sunba405-tr2.xml");
    assert_eq!(
        media::GetProfiles
            .parse(&media2_profiles)
            .unwrap_err()
            .to_string(),
        "media.GetProfiles: expected <GetProfilesResponse> in the SOAP Body, found \
         <{http://www.onvif.org/ver20/media/wsdl}GetProfilesResponse>"
    );
    let media1_profiles = payload("xiongmai/GetProfiles-easyonvif-sunba405.xml");
    assert!(
        media2::GetProfiles::default()
            .parse(&media1_profiles)
            .is_err()
    );
}

/// Every parser of these modules, run on one payload; the results are dropped, only a panic
/// would be noticed.
fn run_every_parser(p: &Element) {
    let _ = media::GetProfiles.parse(p);
    let _ = media::GetVideoSourceConfigurations.parse(p);
    let _ = media::GetVideoEncoderConfigurations.parse(p);
    let _ = media::GetVideoEncoderConfiguration::default().parse(p);
    let _ = media::GetVideoEncoderConfigurationOptions::default().parse(p);
    let _ = media::GetAudioEncoderConfigurations.parse(p);
    let _ = media::GetAudioEncoderConfigurationOptions::default().parse(p);
    let _ = media::GetVideoSources.parse(p);
    let _ = media::GetStreamUri::default().parse(p);
    let _ = media::GetSnapshotUri::default().parse(p);
    let _ = media::GetServiceCapabilities.parse(p);
    let _ = media2::GetProfiles::default().parse(p);
    let _ = media2::GetVideoEncoderConfigurations::default().parse(p);
    let _ = media2::GetVideoEncoderConfigurationOptions::default().parse(p);
    let _ = media2::GetVideoSourceConfigurations::default().parse(p);
    let _ = media2::GetAudioEncoderConfigurationOptions::default().parse(p);
    let _ = media2::GetStreamUri::default().parse(p);
    let _ = media2::GetSnapshotUri::default().parse(p);
    let _ = media2::GetServiceCapabilities.parse(p);
    let _ = ptz::GetNodes.parse(p);
    let _ = ptz::GetConfigurations.parse(p);
    let _ = ptz::GetConfigurationOptions::default().parse(p);
    let _ = ptz::GetPresets {
        profile: "P".into(),
    }
    .parse(p);
    let _ = ptz::GetStatus::default().parse(p);
    let _ = ptz::GetServiceCapabilities.parse(p);
    let _ = recording::GetRecordings.parse(p);
    let _ = recording::GetRecordingJobs.parse(p);
    let _ = recording::CreateRecordingJob::default().parse(p);
    let _ = recording::GetServiceCapabilities.parse(p);
}

/// Overwrites every attribute value and leaf text of `e` with `values`, in turn.
fn mangle(e: &mut Element, values: &[String], next: &mut usize) {
    for a in &mut e.attrs {
        a.value = values[*next % values.len()].as_str().into();
        *next += 1;
    }
    if e.children.is_empty() {
        e.text = values[*next % values.len()].as_str().into();
        *next += 1;
    }
    for c in &mut e.children {
        mangle(c, values, next);
    }
}

mod hostile_values {
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("-1".to_owned()),
            Just("4.000000".to_owned()),
            Just("1e309".to_owned()),
            Just("NaN".to_owned()),
            Just("99999999999999999999".to_owned()),
            Just("-2147483649".to_owned()),
            Just("PT5S".to_owned()),
            Just("P99999999999999999999D".to_owned()),
            Just("true".to_owned()),
            Just("1 2 x".to_owned()),
            "\\PC{0,16}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Whatever values a device puts in the captured shapes, the parsers answer with a
        /// value or an error, never a panic.
        #[test]
        fn parsers_never_panic_on_mangled_captures(
            values in proptest::collection::vec(value(), 1..12),
        ) {
            for path in COVERED {
                let mut p = payload(path);
                mangle(&mut p, &values, &mut 0);
                run_every_parser(&p);
            }
        }
    }
}
