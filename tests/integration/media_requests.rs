//! Every request the media, media2, PTZ, recording and imaging builders write, with
//! representative arguments (and characters that need escaping), validated against the
//! official ONVIF schemas by `shared/tools/onvif-validate` (xmllint underneath).

use std::path::{Path, PathBuf};

use camswap::model::{
    Codec, Imaging, Multicast, PtzPosition, RecordingJob, RecordingJobSource, RecordingSource,
    Track, VideoEncoder,
};
use camswap::onvif::media2::{ConfigurationRef, ConfigurationType, StreamProtocol};
use camswap::onvif::{imaging, media, media2, ptz, recording};

use crate::support::envelope::wrap as envelope;

const GENERIC_PT: &str = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace";
const GENERIC_ZOOM: &str = "http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionGenericSpace";

/// Runs the validator over `requests` in one call; returns, per request, `None` when valid or
/// the validator's complaint.
fn validate(dir: &Path, requests: &[(&str, String)]) -> Vec<Option<String>> {
    let files: Vec<PathBuf> = requests
        .iter()
        .enumerate()
        .map(|(i, (name, payload))| {
            let f = dir.join(format!("{i:02}-{name}.xml"));
            std::fs::write(&f, envelope(payload)).unwrap();
            f
        })
        .collect();
    let (_, all) = crate::support::shared::validate(&files);
    files
        .iter()
        .map(|f| {
            let f = f.display().to_string();
            if all.lines().any(|l| l == format!("{f}: valid")) {
                None
            } else {
                let said: Vec<&str> = all.lines().filter(|l| l.starts_with(&f)).collect();
                Some(if said.is_empty() {
                    format!("no verdict; validator said:\n{all}")
                } else {
                    said.join("\n")
                })
            }
        })
        .collect()
}

fn encoder() -> VideoEncoder {
    VideoEncoder {
        token: "VideoEncoderToken_1".into(),
        name: "main <& stream>".into(),
        encoding: Some(Codec::H264),
        width: Some(1920),
        height: Some(1080),
        quality: Some(4.0),
        frame_rate: Some(25.0),
        bitrate_kbps: Some(4096),
        gov_length: Some(50),
        encoding_interval: Some(1),
        profile: Some("Main".into()),
        constant_bitrate: Some(false),
        guaranteed_frame_rate: Some(false),
        multicast: Some(Multicast {
            address: Some("239.1.2.3".into()),
            port: Some(8860),
            ttl: Some(128),
            auto_start: Some(false),
        }),
        session_timeout: Some("PT5S".into()),
    }
}

fn requests() -> Vec<(&'static str, String)> {
    let token = "Profile_1&<2>";
    let position = PtzPosition {
        pan_tilt: Some((-0.311, 0.822, Some(GENERIC_PT.into()))),
        zoom: Some((0.179, Some(GENERIC_ZOOM.into()))),
    };
    let speed = PtzPosition {
        pan_tilt: Some((1.0, 1.0, None)),
        zoom: None,
    };
    let mut jpeg = encoder();
    jpeg.encoding = Some(Codec::Jpeg);
    jpeg.multicast = None;
    jpeg.session_timeout = None;
    let mut ipv6 = encoder();
    ipv6.multicast = Some(Multicast {
        address: Some("ff15::1".into()),
        ..Default::default()
    });
    let mut h265 = encoder();
    h265.encoding = Some(Codec::H265);
    h265.frame_rate = Some(12.5);
    let source = RecordingSource {
        source_id: "urn:uuid:6f1c2a4e-0000-4000-8000-000000000001".into(),
        name: "Lobby & Gate".into(),
        location: "Building 1".into(),
        description: "migrated by camswap".into(),
        address: "rtsp://10.0.0.5/stream".into(),
    };
    let job = RecordingJob {
        token: String::new(),
        recording_token: "SD_DISK_20241120_211729_9C896594".into(),
        mode: "Active".into(),
        priority: 9,
        schedule_token: Some("weekdays".into()),
        sources: vec![RecordingJobSource {
            source_token: Some("profile_1_h264".into()),
            source_type: Some("http://www.onvif.org/ver10/schema/Profile".into()),
            auto_create_receiver: Some(false),
            tracks: vec![
                ("tag0".into(), "VIDEO001".into()),
                ("tag1".into(), "AUDIO001".into()),
            ],
        }],
    };
    let settings = Imaging {
        brightness: Some(50.0),
        color_saturation: Some(45.5),
        contrast: Some(50.0),
        sharpness: Some(30.0),
        ir_cut_filter: Some("AUTO".into()),
        wide_dynamic_range: Some("ON".into()),
        wide_dynamic_range_level: Some(60.0),
        backlight_compensation: Some("OFF".into()),
        backlight_compensation_level: Some(0.0),
        exposure_mode: Some("AUTO".into()),
        white_balance_mode: Some("AUTO".into()),
        focus_mode: Some("MANUAL".into()),
        ranges: Vec::new(),
    };
    let refs = [
        ConfigurationRef {
            kind: ConfigurationType::VideoSource,
            token: Some("VideoSourceToken".into()),
        },
        ConfigurationRef {
            kind: ConfigurationType::VideoEncoder,
            token: None,
        },
        ConfigurationRef {
            kind: ConfigurationType::Ptz,
            token: Some("PTZToken".into()),
        },
    ];
    vec![
        // Media ver10
        (
            "media-GetServiceCapabilities",
            media::get_service_capabilities(),
        ),
        ("media-GetProfiles", media::get_profiles()),
        ("media-GetVideoSources", media::get_video_sources()),
        (
            "media-GetVideoSourceConfigurations",
            media::get_video_source_configurations(),
        ),
        (
            "media-GetVideoEncoderConfigurations",
            media::get_video_encoder_configurations(),
        ),
        (
            "media-GetVideoEncoderConfiguration",
            media::get_video_encoder_configuration("VideoEncoderToken_1"),
        ),
        (
            "media-GetVideoEncoderConfigurationOptions-none",
            media::get_video_encoder_configuration_options(None, None),
        ),
        (
            "media-GetVideoEncoderConfigurationOptions-both",
            media::get_video_encoder_configuration_options(
                Some("VideoEncoderToken_1"),
                Some(token),
            ),
        ),
        (
            "media-GetVideoEncoderConfigurationOptions-profile",
            media::get_video_encoder_configuration_options(None, Some(token)),
        ),
        (
            "media-GetAudioEncoderConfigurations",
            media::get_audio_encoder_configurations(),
        ),
        (
            "media-GetStreamUri",
            media::get_stream_uri(token, media::StreamSetup::default()),
        ),
        (
            "media-GetStreamUri-multicast-udp",
            media::get_stream_uri(
                token,
                media::StreamSetup {
                    multicast: true,
                    protocol: media::TransportProtocol::Udp,
                },
            ),
        ),
        ("media-GetSnapshotUri", media::get_snapshot_uri(token)),
        (
            "media-CreateProfile",
            media::create_profile("camswap main", Some("camswap_1")),
        ),
        (
            "media-CreateProfile-no-token",
            media::create_profile("camswap <sub>", None),
        ),
        (
            "media-AddVideoSourceConfiguration",
            media::add_video_source_configuration(token, "VideoSourceToken"),
        ),
        (
            "media-AddVideoEncoderConfiguration",
            media::add_video_encoder_configuration(token, "VideoEncoderToken_1"),
        ),
        (
            "media-AddPTZConfiguration",
            media::add_ptz_configuration(token, "PTZToken"),
        ),
        (
            "media-SetVideoEncoderConfiguration",
            media::set_video_encoder_configuration(&encoder(), true).unwrap(),
        ),
        (
            "media-SetVideoEncoderConfiguration-jpeg-defaults",
            media::set_video_encoder_configuration(&jpeg, false).unwrap(),
        ),
        (
            "media-SetVideoEncoderConfiguration-ipv6",
            media::set_video_encoder_configuration(&ipv6, false).unwrap(),
        ),
        ("media-DeleteProfile", media::delete_profile(token)),
        // Media2
        (
            "media2-GetServiceCapabilities",
            media2::get_service_capabilities(),
        ),
        (
            "media2-GetProfiles-all",
            media2::get_profiles(None, &[ConfigurationType::All]),
        ),
        (
            "media2-GetProfiles-one",
            media2::get_profiles(
                Some(token),
                &[ConfigurationType::VideoEncoder, ConfigurationType::Ptz],
            ),
        ),
        (
            "media2-GetVideoSourceConfigurations",
            media2::get_video_source_configurations(None, Some(token)),
        ),
        (
            "media2-GetVideoEncoderConfigurations",
            media2::get_video_encoder_configurations(Some("000"), None),
        ),
        (
            "media2-GetVideoEncoderConfigurationOptions",
            media2::get_video_encoder_configuration_options(Some("000"), Some(token)),
        ),
        (
            "media2-GetStreamUri",
            media2::get_stream_uri(token, StreamProtocol::Rtsp),
        ),
        (
            "media2-GetStreamUri-rtsps",
            media2::get_stream_uri(token, StreamProtocol::RtspsUnicast),
        ),
        ("media2-GetSnapshotUri", media2::get_snapshot_uri(token)),
        (
            "media2-CreateProfile",
            media2::create_profile("camswap main", &refs),
        ),
        (
            "media2-CreateProfile-empty",
            media2::create_profile("camswap empty", &[]),
        ),
        (
            "media2-AddConfiguration",
            media2::add_configuration(token, Some("renamed"), &refs),
        ),
        (
            "media2-SetVideoEncoderConfiguration",
            media2::set_video_encoder_configuration(&h265).unwrap(),
        ),
        (
            "media2-SetVideoEncoderConfiguration-minimal",
            media2::set_video_encoder_configuration(&VideoEncoder {
                token: "000".into(),
                encoding: Some(Codec::Jpeg),
                width: Some(640),
                height: Some(480),
                quality: Some(3.0),
                ..Default::default()
            })
            .unwrap(),
        ),
        ("media2-DeleteProfile", media2::delete_profile(token)),
        // PTZ
        (
            "ptz-GetServiceCapabilities",
            ptz::get_service_capabilities(),
        ),
        ("ptz-GetNodes", ptz::get_nodes()),
        ("ptz-GetConfigurations", ptz::get_configurations()),
        (
            "ptz-GetConfigurationOptions",
            ptz::get_configuration_options("PTZToken"),
        ),
        ("ptz-GetPresets", ptz::get_presets(token)),
        ("ptz-GetStatus", ptz::get_status(token)),
        (
            "ptz-SetPreset",
            ptz::set_preset(token, Some("Gate & <north>"), Some("7")),
        ),
        (
            "ptz-SetPreset-new",
            ptz::set_preset(token, Some("Lobby"), None),
        ),
        ("ptz-RemovePreset", ptz::remove_preset(token, "7")),
        ("ptz-GotoPreset", ptz::goto_preset(token, "7", Some(&speed))),
        (
            "ptz-AbsoluteMove",
            ptz::absolute_move(token, &position, None),
        ),
        (
            "ptz-AbsoluteMove-speed-no-space",
            ptz::absolute_move(
                token,
                &PtzPosition {
                    pan_tilt: Some((0.0, 0.0, None)),
                    zoom: Some((f64::INFINITY, None)),
                },
                Some(&speed),
            ),
        ),
        ("ptz-SetHomePosition", ptz::set_home_position(token)),
        ("ptz-GotoHomePosition", ptz::goto_home_position(token, None)),
        // Recording
        (
            "recording-GetServiceCapabilities",
            recording::get_service_capabilities(),
        ),
        ("recording-GetRecordings", recording::get_recordings()),
        (
            "recording-GetRecordingConfiguration",
            recording::get_recording_configuration("SD_DISK_1"),
        ),
        (
            "recording-GetTrackConfiguration",
            recording::get_track_configuration("SD_DISK_1", "VIDEO001"),
        ),
        (
            "recording-GetRecordingJobs",
            recording::get_recording_jobs(),
        ),
        (
            "recording-GetRecordingJobConfiguration",
            recording::get_recording_job_configuration("JOB_1"),
        ),
        (
            "recording-GetRecordingOptions",
            recording::get_recording_options("SD_DISK_1"),
        ),
        (
            "recording-CreateRecording",
            recording::create_recording(&source, "cam 1 <lobby>", 30 * 86_400),
        ),
        (
            "recording-CreateRecording-empty-source",
            recording::create_recording(&RecordingSource::default(), "", 0),
        ),
        (
            "recording-CreateTrack",
            recording::create_track(
                "SD_DISK_1",
                &Track {
                    token: String::new(),
                    kind: "Metadata".into(),
                    description: "events".into(),
                },
            )
            .unwrap(),
        ),
        (
            "recording-CreateRecordingJob",
            recording::create_recording_job(&job).unwrap(),
        ),
        (
            "recording-CreateRecordingJob-receiver",
            recording::create_recording_job(&RecordingJob {
                sources: vec![RecordingJobSource {
                    auto_create_receiver: Some(true),
                    ..Default::default()
                }],
                schedule_token: None,
                mode: "Idle".into(),
                ..job.clone()
            })
            .unwrap(),
        ),
        (
            "recording-SetRecordingJobMode",
            recording::set_recording_job_mode("JOB_1", "Idle").unwrap(),
        ),
        (
            "recording-SetRecordingConfiguration",
            recording::set_recording_configuration("SD_DISK_1", &source, "cam 1", 259_200),
        ),
        (
            "recording-DeleteRecordingJob",
            recording::delete_recording_job("JOB_1"),
        ),
        // Imaging
        (
            "imaging-GetImagingSettings",
            imaging::get_imaging_settings("VideoSource_1"),
        ),
        ("imaging-GetOptions", imaging::get_options("VideoSource_1")),
        (
            "imaging-SetImagingSettings",
            imaging::set_imaging_settings("VideoSource_1", &settings, Some(true)).unwrap(),
        ),
        (
            "imaging-SetImagingSettings-partial",
            imaging::set_imaging_settings(
                "VideoSource_1",
                &Imaging {
                    brightness: Some(40.0),
                    ..Default::default()
                },
                None,
            )
            .unwrap(),
        ),
    ]
}

#[test]
fn every_request_validates_against_the_official_schemas() {
    let requests = requests();
    // Each operation in the five tables has at least one request here.
    for op in camswap::onvif::ops::all()
        .iter()
        .filter(|o| ["media", "media2", "ptz", "recording", "imaging"].contains(&o.service))
    {
        let prefix = format!("{}-{}", op.service, op.name);
        assert!(
            requests
                .iter()
                .any(|(n, _)| *n == prefix || n.starts_with(&format!("{prefix}-"))),
            "no request built for {prefix}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let verdicts = validate(dir.path(), &requests);
    let failures: Vec<String> = requests
        .iter()
        .zip(&verdicts)
        .filter_map(|((name, payload), v)| {
            v.as_ref()
                .map(|why| format!("{name}: {why}\n  payload: {payload}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} requests fail the schema:\n{}",
        failures.len(),
        requests.len(),
        failures.join("\n")
    );
}

/// The validator is really checking: a GetStreamUri without its StreamSetup is refused.
#[test]
fn the_validator_refuses_a_broken_request() {
    let dir = tempfile::tempdir().unwrap();
    let broken = media::get_stream_uri("P", media::StreamSetup::default()).replace(
        "<trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup>",
        "",
    );
    let verdict = validate(dir.path(), &[("broken", broken)]);
    let why = verdict[0]
        .as_deref()
        .expect("a GetStreamUri without StreamSetup is invalid");
    assert!(why.contains("StreamSetup"), "{why}");
}
