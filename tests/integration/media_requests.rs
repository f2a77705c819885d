//! Every request the media, media2, PTZ, recording and imaging builders write, with
//! representative arguments (and characters that need escaping), validated against the
//! official ONVIF schemas by `shared/tools/onvif-validate` (xmllint underneath).

use std::path::{Path, PathBuf};

use camswap::model::{
    AudioEncoder, Codec, Imaging, Multicast, PtzPosition, RecordingJob, RecordingJobSource,
    RecordingSource, Track, VideoEncoder,
};
use camswap::onvif::media2::{ConfigurationRef, ConfigurationType, StreamProtocol};
use camswap::onvif::operation::Operation;
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

/// The request payload of `op`, which must be writable.
fn xml(op: impl Operation) -> String {
    op.to_xml().unwrap()
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
    let audio = AudioEncoder {
        token: "AudioEncoderToken".into(),
        name: "audio <& line in>".into(),
        encoding: Some("AAC".into()),
        bitrate_kbps: Some(32),
        sample_rate_khz: Some(16),
        multicast: Some(Multicast {
            address: Some("239.1.2.4".into()),
            port: Some(8862),
            ttl: Some(128),
            auto_start: Some(false),
        }),
        session_timeout: Some("PT5S".into()),
    };
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
            xml(media::GetServiceCapabilities),
        ),
        ("media-GetProfiles", xml(media::GetProfiles)),
        ("media-GetVideoSources", xml(media::GetVideoSources)),
        (
            "media-GetVideoSourceConfigurations",
            xml(media::GetVideoSourceConfigurations),
        ),
        (
            "media-GetVideoEncoderConfigurations",
            xml(media::GetVideoEncoderConfigurations),
        ),
        (
            "media-GetVideoEncoderConfiguration",
            xml(media::GetVideoEncoderConfiguration {
                configuration: "VideoEncoderToken_1".into(),
            }),
        ),
        (
            "media-GetVideoEncoderConfigurationOptions-none",
            xml(media::GetVideoEncoderConfigurationOptions {
                configuration: None,
                profile: None,
            }),
        ),
        (
            "media-GetVideoEncoderConfigurationOptions-both",
            xml(media::GetVideoEncoderConfigurationOptions {
                configuration: Some("VideoEncoderToken_1".into()),
                profile: Some(token.into()),
            }),
        ),
        (
            "media-GetVideoEncoderConfigurationOptions-profile",
            xml(media::GetVideoEncoderConfigurationOptions {
                configuration: None,
                profile: Some(token.into()),
            }),
        ),
        (
            "media-GetAudioEncoderConfigurations",
            xml(media::GetAudioEncoderConfigurations),
        ),
        (
            "media-GetAudioSourceConfigurations",
            xml(media::GetAudioSourceConfigurations),
        ),
        (
            "media-GetStreamUri",
            xml(media::GetStreamUri {
                profile: token.into(),
                setup: media::StreamSetup::default(),
            }),
        ),
        (
            "media-GetStreamUri-multicast-udp",
            xml(media::GetStreamUri {
                profile: token.into(),
                setup: media::StreamSetup {
                    multicast: true,
                    protocol: media::TransportProtocol::Udp,
                },
            }),
        ),
        (
            "media-GetSnapshotUri",
            xml(media::GetSnapshotUri {
                profile: token.into(),
            }),
        ),
        (
            "media-CreateProfile",
            xml(media::CreateProfile {
                name: "camswap main".into(),
                token: Some("camswap_1".into()),
            }),
        ),
        (
            "media-CreateProfile-no-token",
            xml(media::CreateProfile {
                name: "camswap <sub>".into(),
                token: None,
            }),
        ),
        (
            "media-AddVideoSourceConfiguration",
            xml(media::AddVideoSourceConfiguration {
                profile: token.into(),
                configuration: "VideoSourceToken".into(),
            }),
        ),
        (
            "media-AddVideoEncoderConfiguration",
            xml(media::AddVideoEncoderConfiguration {
                profile: token.into(),
                configuration: "VideoEncoderToken_1".into(),
            }),
        ),
        (
            "media-AddAudioSourceConfiguration",
            xml(media::AddAudioSourceConfiguration {
                profile: token.into(),
                configuration: "AudioSourceToken".into(),
            }),
        ),
        (
            "media-AddAudioEncoderConfiguration",
            xml(media::AddAudioEncoderConfiguration {
                profile: token.into(),
                configuration: "AudioEncoderToken".into(),
            }),
        ),
        (
            "media-AddPTZConfiguration",
            xml(media::AddPTZConfiguration {
                profile: token.into(),
                configuration: "PTZToken".into(),
            }),
        ),
        (
            "media-SetVideoEncoderConfiguration",
            xml(media::SetVideoEncoderConfiguration {
                encoder: encoder(),
                force_persistence: true,
            }),
        ),
        (
            "media-SetVideoEncoderConfiguration-jpeg-defaults",
            xml(media::SetVideoEncoderConfiguration {
                encoder: jpeg,
                force_persistence: false,
            }),
        ),
        (
            "media-SetVideoEncoderConfiguration-ipv6",
            xml(media::SetVideoEncoderConfiguration {
                encoder: ipv6,
                force_persistence: false,
            }),
        ),
        (
            "media-GetAudioEncoderConfigurationOptions",
            xml(media::GetAudioEncoderConfigurationOptions {
                configuration: Some("AudioEncoderToken".into()),
                profile: Some(token.into()),
            }),
        ),
        (
            "media-GetAudioEncoderConfigurationOptions-generic",
            xml(media::GetAudioEncoderConfigurationOptions::default()),
        ),
        (
            "media-SetAudioEncoderConfiguration",
            xml(media::SetAudioEncoderConfiguration {
                encoder: audio.clone(),
                force_persistence: true,
            }),
        ),
        (
            // A Media2 codec name and no multicast or timeout read: written as ver10 G711 with
            // multicast off and PT60S, which the schema requires.
            "media-SetAudioEncoderConfiguration-from-media2",
            xml(media::SetAudioEncoderConfiguration {
                encoder: AudioEncoder {
                    token: "AE".into(),
                    name: "audio".into(),
                    encoding: Some("PCMU".into()),
                    bitrate_kbps: Some(64),
                    sample_rate_khz: Some(8),
                    ..AudioEncoder::default()
                },
                force_persistence: false,
            }),
        ),
        (
            "media-DeleteProfile",
            xml(media::DeleteProfile {
                profile: token.into(),
            }),
        ),
        // Media2
        (
            "media2-GetServiceCapabilities",
            xml(media2::GetServiceCapabilities),
        ),
        (
            "media2-GetProfiles-all",
            xml(media2::GetProfiles {
                token: None,
                types: [ConfigurationType::All].to_vec(),
            }),
        ),
        (
            "media2-GetProfiles-one",
            xml(media2::GetProfiles {
                token: Some(token.into()),
                types: [ConfigurationType::VideoEncoder, ConfigurationType::Ptz].to_vec(),
            }),
        ),
        (
            "media2-GetVideoSourceConfigurations",
            xml(media2::GetVideoSourceConfigurations {
                configuration: None,
                profile: Some(token.into()),
            }),
        ),
        (
            "media2-GetVideoEncoderConfigurations",
            xml(media2::GetVideoEncoderConfigurations {
                configuration: Some("000".into()),
                profile: None,
            }),
        ),
        (
            "media2-GetAudioSourceConfigurations",
            xml(media2::GetAudioSourceConfigurations {
                configuration: None,
                profile: Some(token.into()),
            }),
        ),
        (
            "media2-GetAudioEncoderConfigurations",
            xml(media2::GetAudioEncoderConfigurations {
                configuration: Some("000".into()),
                profile: None,
            }),
        ),
        (
            "media2-GetVideoEncoderConfigurationOptions",
            xml(media2::GetVideoEncoderConfigurationOptions {
                configuration: Some("000".into()),
                profile: Some(token.into()),
            }),
        ),
        (
            "media2-GetStreamUri",
            xml(media2::GetStreamUri {
                profile: token.into(),
                protocol: StreamProtocol::Rtsp,
            }),
        ),
        (
            "media2-GetStreamUri-rtsps",
            xml(media2::GetStreamUri {
                profile: token.into(),
                protocol: StreamProtocol::RtspsUnicast,
            }),
        ),
        (
            "media2-GetSnapshotUri",
            xml(media2::GetSnapshotUri {
                profile: token.into(),
            }),
        ),
        (
            "media2-CreateProfile",
            xml(media2::CreateProfile {
                name: "camswap main".into(),
                configurations: refs.to_vec(),
            }),
        ),
        (
            "media2-CreateProfile-empty",
            xml(media2::CreateProfile {
                name: "camswap empty".into(),
                configurations: vec![],
            }),
        ),
        (
            "media2-AddConfiguration",
            xml(media2::AddConfiguration {
                profile: token.into(),
                name: Some("renamed".into()),
                configurations: refs.to_vec(),
            }),
        ),
        (
            "media2-SetVideoEncoderConfiguration",
            xml(media2::SetVideoEncoderConfiguration { encoder: h265 }),
        ),
        (
            "media2-SetVideoEncoderConfiguration-minimal",
            xml(media2::SetVideoEncoderConfiguration {
                encoder: VideoEncoder {
                    token: "000".into(),
                    encoding: Some(Codec::Jpeg),
                    width: Some(640),
                    height: Some(480),
                    quality: Some(3.0),
                    ..Default::default()
                },
            }),
        ),
        (
            "media2-GetAudioEncoderConfigurationOptions",
            xml(media2::GetAudioEncoderConfigurationOptions {
                configuration: None,
                profile: Some(token.into()),
            }),
        ),
        (
            "media2-SetAudioEncoderConfiguration",
            xml(media2::SetAudioEncoderConfiguration {
                encoder: audio.clone(),
            }),
        ),
        (
            "media2-SetAudioEncoderConfiguration-no-multicast",
            xml(media2::SetAudioEncoderConfiguration {
                encoder: AudioEncoder {
                    multicast: None,
                    session_timeout: None,
                    ..audio
                },
            }),
        ),
        (
            "media2-DeleteProfile",
            xml(media2::DeleteProfile {
                profile: token.into(),
            }),
        ),
        // PTZ
        (
            "ptz-GetServiceCapabilities",
            xml(ptz::GetServiceCapabilities),
        ),
        ("ptz-GetNodes", xml(ptz::GetNodes)),
        ("ptz-GetConfigurations", xml(ptz::GetConfigurations)),
        (
            "ptz-GetConfigurationOptions",
            xml(ptz::GetConfigurationOptions {
                configuration: "PTZToken".into(),
            }),
        ),
        (
            "ptz-GetPresets",
            xml(ptz::GetPresets {
                profile: token.into(),
            }),
        ),
        (
            "ptz-GetStatus",
            xml(ptz::GetStatus {
                profile: token.into(),
            }),
        ),
        (
            "ptz-SetPreset",
            xml(ptz::SetPreset {
                profile: token.into(),
                name: Some("Gate & <north>".into()),
                token: Some("7".into()),
            }),
        ),
        (
            "ptz-SetPreset-new",
            xml(ptz::SetPreset {
                profile: token.into(),
                name: Some("Lobby".into()),
                token: None,
            }),
        ),
        (
            "ptz-RemovePreset",
            xml(ptz::RemovePreset {
                profile: token.into(),
                token: "7".into(),
            }),
        ),
        (
            "ptz-GotoPreset",
            xml(ptz::GotoPreset {
                profile: token.into(),
                token: "7".into(),
                speed: Some(speed.clone()),
            }),
        ),
        (
            "ptz-AbsoluteMove",
            xml(ptz::AbsoluteMove {
                profile: token.into(),
                position,
                speed: None,
            }),
        ),
        (
            "ptz-AbsoluteMove-speed-no-space",
            xml(ptz::AbsoluteMove {
                profile: token.into(),
                position: PtzPosition {
                    pan_tilt: Some((0.0, 0.0, None)),
                    zoom: Some((f64::INFINITY, None)),
                },
                speed: Some(speed),
            }),
        ),
        (
            "ptz-SetHomePosition",
            xml(ptz::SetHomePosition {
                profile: token.into(),
            }),
        ),
        (
            "ptz-GotoHomePosition",
            xml(ptz::GotoHomePosition {
                profile: token.into(),
                speed: None,
            }),
        ),
        // Recording
        (
            "recording-GetServiceCapabilities",
            xml(recording::GetServiceCapabilities),
        ),
        ("recording-GetRecordings", xml(recording::GetRecordings)),
        (
            "recording-GetRecordingConfiguration",
            xml(recording::GetRecordingConfiguration {
                recording: "SD_DISK_1".into(),
            }),
        ),
        (
            "recording-GetTrackConfiguration",
            xml(recording::GetTrackConfiguration {
                recording: "SD_DISK_1".into(),
                track: "VIDEO001".into(),
            }),
        ),
        (
            "recording-GetRecordingJobs",
            xml(recording::GetRecordingJobs),
        ),
        (
            "recording-GetRecordingJobConfiguration",
            xml(recording::GetRecordingJobConfiguration {
                job: "JOB_1".into(),
            }),
        ),
        (
            "recording-GetRecordingOptions",
            xml(recording::GetRecordingOptions {
                recording: "SD_DISK_1".into(),
            }),
        ),
        (
            "recording-CreateRecording",
            xml(recording::CreateRecording {
                source: source.clone(),
                content: "cam 1 <lobby>".into(),
                max_retention_s: 30 * 86_400,
            }),
        ),
        (
            "recording-CreateRecording-empty-source",
            xml(recording::CreateRecording::default()),
        ),
        (
            "recording-CreateTrack",
            xml(recording::CreateTrack {
                recording: "SD_DISK_1".into(),
                track: Track {
                    token: String::new(),
                    kind: "Metadata".into(),
                    description: "events".into(),
                },
            }),
        ),
        (
            "recording-CreateRecordingJob",
            xml(recording::CreateRecordingJob { job: job.clone() }),
        ),
        (
            "recording-CreateRecordingJob-receiver",
            xml(recording::CreateRecordingJob {
                job: RecordingJob {
                    sources: vec![RecordingJobSource {
                        auto_create_receiver: Some(true),
                        ..Default::default()
                    }],
                    schedule_token: None,
                    mode: "Idle".into(),
                    ..job.clone()
                },
            }),
        ),
        (
            "recording-SetRecordingJobConfiguration",
            xml(recording::SetRecordingJobConfiguration {
                job: RecordingJob {
                    token: "JOB_1".into(),
                    ..job.clone()
                },
            }),
        ),
        (
            "recording-SetRecordingJobMode",
            xml(recording::SetRecordingJobMode {
                job: "JOB_1".into(),
                mode: "Idle".into(),
            }),
        ),
        (
            "recording-SetRecordingConfiguration",
            xml(recording::SetRecordingConfiguration {
                recording: "SD_DISK_1".into(),
                source,
                content: "cam 1".into(),
                max_retention_s: 259_200,
            }),
        ),
        (
            "recording-DeleteRecordingJob",
            xml(recording::DeleteRecordingJob {
                job: "JOB_1".into(),
            }),
        ),
        // Imaging
        (
            "imaging-GetImagingSettings",
            xml(imaging::GetImagingSettings {
                source: "VideoSource_1".into(),
            }),
        ),
        (
            "imaging-GetOptions",
            xml(imaging::GetOptions {
                source: "VideoSource_1".into(),
            }),
        ),
        (
            "imaging-SetImagingSettings",
            xml(imaging::SetImagingSettings {
                source: "VideoSource_1".into(),
                settings,
                force_persistence: Some(true),
            }),
        ),
        (
            "imaging-SetImagingSettings-partial",
            xml(imaging::SetImagingSettings {
                source: "VideoSource_1".into(),
                settings: Imaging {
                    brightness: Some(40.0),
                    ..Default::default()
                },
                force_persistence: None,
            }),
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
    let broken = xml(media::GetStreamUri { profile: "P".into(), setup: media::StreamSetup::default() }).replace(
        "<trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup>",
        "",
    );
    let verdict = validate(dir.path(), &[("broken", broken)]);
    let why = verdict[0]
        .as_deref()
        .expect("a GetStreamUri without StreamSetup is invalid");
    assert!(why.contains("StreamSetup"), "{why}");
}
