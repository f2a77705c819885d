//! A built-in fleet of old cameras for the planner's tests: what an inventory of a small site
//! with Hikvision, Dahua and a Dahua OEM unit looks like. Values are chosen to exercise the
//! planner (documented per device), not copied from one real site.

use std::collections::BTreeMap;

use super::Flag;
use super::ptz::{GENERIC_PAN_TILT_SPACE, GENERIC_ZOOM_SPACE};
use crate::inventory::DeviceSnapshot;
use crate::model::*;

fn iface(mac: &str, ip: &str, dhcp: bool) -> NetworkInterface {
    NetworkInterface {
        token: "eth0".into(),
        name: Some("eth0".into()),
        enabled: true,
        mac: Some(mac.into()),
        ipv4: Some(Ipv4Config {
            enabled: true,
            dhcp,
            address: Some(ip.into()),
            prefix_length: Some(24),
        }),
    }
}

fn network(mac: &str, ip: &str, dhcp: bool, hostname: &str) -> Network {
    Network {
        interfaces: vec![iface(mac, ip, dhcp)],
        default_gateway: vec!["10.20.0.1".into()],
        hostname: Some(Hostname {
            name: Some(hostname.into()),
            from_dhcp: dhcp,
        }),
        dns: Some(Dns {
            from_dhcp: dhcp,
            search_domains: vec!["site.example".into()],
            servers: if dhcp {
                vec![]
            } else {
                vec!["10.20.0.2".into()]
            },
        }),
        ntp: Some(Ntp {
            from_dhcp: false,
            servers: vec!["10.20.0.3".into()],
        }),
        // A UK site: GMT with BST from the last Sunday of March to the last of October.
        time: Some(TimeSettings {
            date_time_type: Some("NTP".into()),
            tz: Some("GMT0BST,M3.5.0/1,M10.5.0".into()),
            daylight_savings: Some(true),
        }),
    }
}

fn scope(uri: &str, fixed: bool) -> Scope {
    Scope {
        uri: format!("onvif://www.onvif.org/{uri}"),
        fixed,
    }
}

fn user(name: &str, level: &str) -> User {
    User {
        username: name.into(),
        level: level.into(),
    }
}

struct Enc {
    codec: Codec,
    w: u32,
    h: u32,
    fps: f64,
    kbps: u32,
    gov: u32,
    quality: f64,
}

fn profile(
    token: &str,
    name: &str,
    service: MediaService,
    e: Enc,
    options: Vec<(u32, u32)>,
    quality: Range,
) -> MediaProfile {
    MediaProfile {
        token: token.into(),
        name: name.into(),
        fixed: true,
        service,
        video_source_configuration: Some(VideoSourceConfiguration {
            token: "VideoSourceConfig_1".into(),
            name: "VideoSourceConfig".into(),
            source_token: "VideoSource_1".into(),
            bounds: Some(Rect {
                x: 0,
                y: 0,
                width: options.first().map_or(e.w, |r| r.0),
                height: options.first().map_or(e.h, |r| r.1),
            }),
        }),
        encoder_options: vec![EncoderOptions {
            encoding: Some(e.codec.clone()),
            resolutions: options,
            frame_rates: vec![],
            frame_rate_range: Some(Range::new(1.0, e.fps.max(25.0))),
            quality_range: Some(quality),
            bitrate_range: Some(Range::new(32.0, 16384.0)),
            gov_length_range: Some(Range::new(1.0, 400.0)),
            profiles: vec!["Main".into(), "High".into()],
            ..Default::default()
        }],
        video_encoder: Some(VideoEncoder {
            token: format!("VE_{token}"),
            name: format!("VE_{name}"),
            encoding: Some(e.codec),
            width: Some(e.w),
            height: Some(e.h),
            quality: Some(e.quality),
            frame_rate: Some(e.fps),
            bitrate_kbps: Some(e.kbps),
            gov_length: Some(e.gov),
            encoding_interval: Some(1),
            profile: Some("Main".into()),
            constant_bitrate: None,
            ..Default::default()
        }),
        stream_uri: Some(format!("rtsp://10.20.0.1/{token}")),
        ..Default::default()
    }
}

fn imaging_source() -> VideoSource {
    VideoSource {
        token: "VideoSource_1".into(),
        imaging: Some(Imaging {
            brightness: Some(50.0),
            ir_cut_filter: Some("AUTO".into()),
            ..Default::default()
        }),
    }
}

fn generic_node(max_presets: u32, home: bool) -> PtzNode {
    PtzNode {
        token: "PTZNODETOKEN".into(),
        name: Some("PTZNODE".into()),
        max_presets,
        home_supported: home,
        fixed_home_position: Some(false),
        absolute_pan_tilt: vec![Space2d {
            uri: GENERIC_PAN_TILT_SPACE.into(),
            x: Range::new(-1.0, 1.0),
            y: Range::new(-1.0, 1.0),
        }],
        absolute_zoom: vec![Space1d {
            uri: GENERIC_ZOOM_SPACE.into(),
            x: Range::new(0.0, 1.0),
        }],
        other_spaces: vec![],
    }
}

fn at(x: f64, y: f64, z: f64) -> Option<PtzPosition> {
    Some(PtzPosition {
        pan_tilt: Some((x, y, Some(GENERIC_PAN_TILT_SPACE.into()))),
        zoom: Some((z, Some(GENERIC_ZOOM_SPACE.into()))),
    })
}

/// Generic coordinates on the Hikvision DS-2DE4425IW-DE for a physical direction (pan
/// degrees, tilt degrees down from the horizon, horizontal field of view), from its catalogue
/// calibration: pan 0..360, tilt -15..90 (positive down), 25x, 57.6° wide.
pub fn hikvision_ptz_generic(pan: f64, tilt_down: f64, hfov: f64) -> (f64, f64, f64) {
    let x = -1.0 + 2.0 * pan / 360.0;
    let y = -1.0 + 2.0 * (tilt_down + 15.0) / 105.0;
    let m = super::ptz::magnification_for(57.6, hfov);
    (x, y, (m - 1.0) / 24.0)
}

/// Hikvision special-function slots as its firmware names them (capture
/// `hikvision/GetPresets-onvifnvt-ds2df7276.xml`).
fn hikvision_function_name(n: u32) -> Option<&'static str> {
    Some(match n {
        33 => "Auto-flip",
        34 => "Back to origin",
        35 => "Call patrol 1",
        36 => "Call patrol 2",
        37 => "Call patrol 3",
        38 => "Call patrol 4",
        39 => "Day mode",
        40 => "Night mode",
        41 => "Call pattern 1",
        42 => "Call pattern 2",
        43 => "Call pattern 3",
        44 => "Call pattern 4",
        92 => "Set manual limits",
        93 => "Save manual limits",
        94 => "Remote reboot",
        95 => "Call OSD menu",
        96 => "Stop a scan",
        97 => "Start random scan",
        98 => "Start frame scan",
        99 => "Start auto scan",
        100 => "Start tilt scan",
        101 => "Start panorama scan",
        102 => "Call patrol 5",
        103 => "Call patrol 6",
        104 => "Call patrol 7",
        105 => "Call patrol 8",
        _ => return None,
    })
}

/// Hikvision DS-2CD2143G2-I fixed dome: main 2688x1520 H264 25fps 4096kbps GOV 50, sub
/// 640x360 H264 15fps 512kbps; manual IPv4; three users; vendor and site scopes.
pub fn hikvision_fixed() -> DeviceSnapshot {
    // QualityRange 0..5 as captured (hikvision/GetVideoEncoderConfigurationOptions-exonvif-tr2.xml).
    let q = Range::new(0.0, 5.0);
    let mut s = DeviceSnapshot {
        id: "serial:DS-2CD2143G2-I20230101AAWRJ00000001".into(),
        xaddr: "http://10.20.0.11/onvif/device_service".into(),
        endpoint: Some("urn:uuid:3fa1c0de-0000-4000-8000-4419b6000001".into()),
        identity: Identity {
            manufacturer: Some("HIKVISION".into()),
            model: Some("DS-2CD2143G2-I".into()),
            firmware_version: Some("V5.7.3 build 220112".into()),
            serial_number: Some("DS-2CD2143G2-I20230101AAWRJ00000001".into()),
            hardware_id: Some("88".into()),
        },
        network: network("44:19:b6:00:00:01", "10.20.0.11", false, "lobby-cam-1"),
        scopes: vec![
            scope("Profile/Streaming", true),
            scope("hardware/DS-2CD2143G2-I", true),
            scope("name/HIKVISION%20DS-2CD2143G2-I", true),
            scope("location/city/hangzhou", false),
            scope("location/site/north", false),
            scope("location/building/A", false),
        ],
        users: vec![
            user("admin", "Administrator"),
            user("operator", "Operator"),
            user("viewer", "User"),
        ],
        profiles: vec![
            profile(
                "Profile_1",
                "mainStream",
                MediaService::Both,
                Enc {
                    codec: Codec::H264,
                    w: 2688,
                    h: 1520,
                    fps: 25.0,
                    kbps: 4096,
                    gov: 50,
                    quality: 4.0,
                },
                vec![(2688, 1520), (2560, 1440), (1920, 1080), (1280, 720)],
                q,
            ),
            profile(
                "Profile_2",
                "subStream",
                MediaService::Both,
                Enc {
                    codec: Codec::H264,
                    w: 640,
                    h: 360,
                    fps: 15.0,
                    kbps: 512,
                    gov: 30,
                    quality: 3.0,
                },
                vec![(640, 480), (640, 360), (352, 288)],
                q,
            ),
        ],
        video_sources: vec![imaging_source()],
        ..Default::default()
    };
    s.seal();
    s
}

/// Hikvision DS-2DE4425IW-DE PTZ: 300 slots, 6 named presets in use ("Gate" looks at pan 90°,
/// 30° down, 20° wide), special functions 33-44 and 92-105 listed, one factory-named empty
/// slot; home supported ("Home" preset); an Active recording job on the main profile, 30 days.
pub fn hikvision_ptz() -> DeviceSnapshot {
    let q = Range::new(0.0, 5.0);
    let (gx, gy, gz) = hikvision_ptz_generic(90.0, 30.0, 20.0);
    let named: BTreeMap<u32, (&str, Option<PtzPosition>)> = [
        (1, ("Gate", at(gx, gy, gz))),
        (2, ("Car park", at(-0.25, 0.1, 0.3))),
        (3, ("Home", at(0.5, -0.2, 0.0))),
        (4, ("Loading bay", at(0.8, 0.3, 0.6))),
        (5, ("Fence north", at(-0.9, 0.05, 0.15))),
        (7, ("Preset 7", at(0.0, 0.0, 0.0))),
        (10, ("Entrance", at(0.1, -0.5, 0.05))),
    ]
    .into_iter()
    .collect();
    let presets = (1..=300u32)
        .map(|n| {
            let (name, position) = match (named.get(&n), hikvision_function_name(n)) {
                (Some((name, pos)), _) => (Some((*name).to_owned()), pos.clone()),
                (None, Some(f)) => (Some(f.to_owned()), None),
                (None, None) => (None, None),
            };
            Preset {
                profile_token: "Profile_1".into(),
                token: n.to_string(),
                name,
                position,
            }
        })
        .collect();
    let mut main = profile(
        "Profile_1",
        "mainStream",
        MediaService::Both,
        Enc {
            codec: Codec::H264,
            w: 1920,
            h: 1080,
            fps: 25.0,
            kbps: 4096,
            gov: 50,
            quality: 4.0,
        },
        vec![(2560, 1440), (1920, 1080), (1280, 720)],
        q,
    );
    main.ptz_configuration = Some("PTZToken".into());
    let mut s = DeviceSnapshot {
        id: "serial:DS-2DE4425IW-DE20220505CCWRF00000002".into(),
        xaddr: "http://10.20.0.12/onvif/device_service".into(),
        identity: Identity {
            manufacturer: Some("HIKVISION".into()),
            model: Some("DS-2DE4425IW-DE".into()),
            firmware_version: Some("V5.6.18 build 210428".into()),
            serial_number: Some("DS-2DE4425IW-DE20220505CCWRF00000002".into()),
            hardware_id: Some("88".into()),
        },
        network: network("44:19:b6:00:00:02", "10.20.0.12", false, "carpark-ptz"),
        scopes: vec![
            scope("Profile/Streaming", true),
            scope("Profile/G", true),
            scope("hardware/DS-2DE4425IW-DE", true),
            scope("location/site/north", false),
        ],
        users: vec![user("admin", "Administrator"), user("vms", "Operator")],
        profiles: vec![
            main,
            profile(
                "Profile_2",
                "subStream",
                MediaService::Both,
                Enc {
                    codec: Codec::H264,
                    w: 640,
                    h: 360,
                    fps: 15.0,
                    kbps: 512,
                    gov: 30,
                    quality: 3.0,
                },
                vec![(704, 576), (640, 360)],
                q,
            ),
        ],
        video_sources: vec![imaging_source()],
        ptz: Some(Ptz {
            nodes: vec![generic_node(300, true)],
            configurations: vec![PtzConfiguration {
                token: "PTZToken".into(),
                name: "PTZ".into(),
                node_token: "PTZNODETOKEN".into(),
                default_absolute_pan_tilt_space: Some(GENERIC_PAN_TILT_SPACE.into()),
                default_absolute_zoom_space: Some(GENERIC_ZOOM_SPACE.into()),
                pan_tilt_limits: None,
                zoom_limits: None,
            }],
            presets,
        }),
        recording: Some(Recording {
            capabilities: RecordingCapabilities {
                dynamic_recordings: false,
                dynamic_tracks: false,
                encodings: vec!["H264".into(), "G711".into()],
                max_recordings: Some(1),
                max_recording_jobs: Some(1),
                ..Default::default()
            },
            recordings: vec![RecordingItem {
                token: "RecordingToken001".into(),
                source: RecordingSource {
                    source_id: "SourceId_001".into(),
                    name: "carpark-ptz".into(),
                    location: "Car park".into(),
                    description: "PTZ over the car park".into(),
                    address: String::new(),
                },
                content: "continuous".into(),
                max_retention: Some("P30D".into()),
                max_retention_s: Some(30 * 86_400),
                tracks: vec![
                    Track {
                        token: "VIDEO001".into(),
                        kind: "Video".into(),
                        description: "video".into(),
                    },
                    Track {
                        token: "AUDIO001".into(),
                        kind: "Audio".into(),
                        description: "audio".into(),
                    },
                    Track {
                        token: "META001".into(),
                        kind: "Metadata".into(),
                        description: "metadata".into(),
                    },
                ],
                options: None,
            }],
            jobs: vec![RecordingJob {
                token: "RecordingJobToken001".into(),
                recording_token: "RecordingToken001".into(),
                mode: "Active".into(),
                priority: 1,
                schedule_token: None,
                sources: vec![RecordingJobSource {
                    source_token: Some("Profile_1".into()),
                    source_type: Some("http://www.onvif.org/ver10/schema/Profile".into()),
                    auto_create_receiver: None,
                    tracks: vec![("VIDEO001".into(), "VIDEO001".into())],
                }],
            }],
        }),
        ..Default::default()
    };
    s.seal();
    s
}

/// Dahua IPC-HDW2431T-AS turret: main 2688x1520 H265 via Media2 20fps with G.711 audio, sub
/// 640x480 H264; IPv4 and hostname from DHCP; factory country scope.
pub fn dahua_fixed() -> DeviceSnapshot {
    let q = Range::new(1.0, 6.0);
    let mut main = profile(
        "MediaProfile00000",
        "MainStream",
        MediaService::Media2,
        Enc {
            codec: Codec::H265,
            w: 2688,
            h: 1520,
            fps: 20.0,
            kbps: 4096,
            gov: 40,
            quality: 4.0,
        },
        vec![(2688, 1520), (2560, 1440), (1920, 1080)],
        q,
    );
    main.audio_encoder = Some(AudioEncoder {
        token: "AudioEncoder000".into(),
        name: "AudioEncoder".into(),
        encoding: Some("G711".into()),
        bitrate_kbps: Some(64),
        sample_rate_khz: Some(8),
        ..Default::default()
    });
    let mut s = DeviceSnapshot {
        id: "serial:6J0AB12PAZ12345".into(),
        xaddr: "http://10.20.0.13/onvif/device_service".into(),
        identity: Identity {
            manufacturer: Some("Dahua".into()),
            model: Some("IPC-HDW2431T-AS".into()),
            firmware_version: Some("2.800.0000000.25.R, Build Date 2021-11-19".into()),
            serial_number: Some("6J0AB12PAZ12345".into()),
            hardware_id: Some("1.00".into()),
        },
        network: network("3c:ef:8c:00:00:03", "10.20.0.13", true, "cam-13"),
        scopes: vec![
            scope("Profile/Streaming", true),
            scope("Profile/T", true),
            scope("hardware/IPC-HDW2431T-AS", true),
            scope("name/Dahua", true),
            scope("location/country/china", false),
        ],
        users: vec![user("admin", "Administrator")],
        profiles: vec![
            main,
            profile(
                "MediaProfile00001",
                "SubStream",
                MediaService::Media2,
                Enc {
                    codec: Codec::H264,
                    w: 640,
                    h: 480,
                    fps: 15.0,
                    kbps: 512,
                    gov: 30,
                    quality: 4.0,
                },
                vec![(704, 576), (640, 480), (352, 288)],
                q,
            ),
        ],
        ..Default::default()
    };
    s.seal();
    s
}

/// Dahua SD49225XA-HNR PTZ: three presets (one factory-named but moved, one without a
/// position), no home support, an Idle recording job on a schedule, 72 h retention.
pub fn dahua_ptz() -> DeviceSnapshot {
    let q = Range::new(1.0, 6.0);
    let mut main = profile(
        "MediaProfile00000",
        "MainStream",
        MediaService::Both,
        Enc {
            codec: Codec::H264,
            w: 1920,
            h: 1080,
            fps: 25.0,
            kbps: 6144,
            gov: 50,
            quality: 5.0,
        },
        vec![(1920, 1080), (1280, 720)],
        q,
    );
    main.ptz_configuration = Some("PtzConfig000".into());
    let mut s = DeviceSnapshot {
        id: "serial:7F0CD34PAZ67890".into(),
        xaddr: "http://10.20.0.14/onvif/device_service".into(),
        identity: Identity {
            manufacturer: Some("Dahua".into()),
            model: Some("SD49225XA-HNR".into()),
            firmware_version: Some("2.622.0000000.9.R, Build Date 2020-06-02".into()),
            serial_number: Some("7F0CD34PAZ67890".into()),
            hardware_id: Some("1.00".into()),
        },
        network: network("3c:ef:8c:00:00:04", "10.20.0.14", false, "road-ptz"),
        scopes: vec![
            scope("Profile/Streaming", true),
            scope("hardware/SD49225XA-HNR", true),
        ],
        users: vec![user("admin", "Administrator")],
        profiles: vec![
            main,
            profile(
                "MediaProfile00001",
                "SubStream",
                MediaService::Both,
                Enc {
                    codec: Codec::H264,
                    w: 704,
                    h: 576,
                    fps: 15.0,
                    kbps: 768,
                    gov: 30,
                    quality: 4.0,
                },
                vec![(704, 576), (352, 288)],
                q,
            ),
        ],
        ptz: Some(Ptz {
            nodes: vec![generic_node(300, false)],
            configurations: vec![],
            presets: vec![
                Preset {
                    profile_token: "MediaProfile00000".into(),
                    token: "1".into(),
                    name: Some("North gate".into()),
                    position: at(0.2, 0.1, 0.25),
                },
                Preset {
                    profile_token: "MediaProfile00000".into(),
                    token: "2".into(),
                    name: Some("Preset2".into()),
                    position: at(-0.6, 0.4, 0.5),
                },
                Preset {
                    profile_token: "MediaProfile00000".into(),
                    token: "3".into(),
                    name: Some("Road".into()),
                    position: None,
                },
            ],
        }),
        recording: Some(Recording {
            capabilities: RecordingCapabilities::default(),
            recordings: vec![RecordingItem {
                token: "Record0".into(),
                content: "events".into(),
                max_retention: None,
                max_retention_s: Some(72 * 3600),
                tracks: vec![Track {
                    token: "Video0".into(),
                    kind: "Video".into(),
                    description: String::new(),
                }],
                ..Default::default()
            }],
            jobs: vec![RecordingJob {
                token: "Job0".into(),
                recording_token: "Record0".into(),
                mode: "Idle".into(),
                priority: 0,
                schedule_token: Some("Schedule1".into()),
                sources: vec![RecordingJobSource {
                    source_token: Some("MediaProfile00000".into()),
                    source_type: None,
                    auto_create_receiver: None,
                    tracks: vec![],
                }],
            }],
        }),
        ..Default::default()
    };
    s.seal();
    s
}

/// Amcrest IP8M-2496EB (a Dahua OEM) 4K bullet: main 3840x2160 H265 15fps with audio, an
/// Active recording job.
pub fn amcrest() -> DeviceSnapshot {
    let q = Range::new(1.0, 6.0);
    let mut main = profile(
        "MediaProfile00000",
        "MainStream",
        MediaService::Media2,
        Enc {
            codec: Codec::H265,
            w: 3840,
            h: 2160,
            fps: 15.0,
            kbps: 8192,
            gov: 30,
            quality: 4.0,
        },
        vec![(3840, 2160), (2688, 1520), (1920, 1080)],
        q,
    );
    main.audio_encoder = Some(AudioEncoder {
        token: "AudioEncoder000".into(),
        name: "AudioEncoder".into(),
        encoding: Some("AAC".into()),
        bitrate_kbps: Some(32),
        sample_rate_khz: Some(16),
        ..Default::default()
    });
    let mut s = DeviceSnapshot {
        id: "serial:AMC0123456789ABCD".into(),
        xaddr: "http://10.20.0.15/onvif/device_service".into(),
        identity: Identity {
            manufacturer: Some("Amcrest".into()),
            model: Some("IP8M-2496EB".into()),
            firmware_version: Some("V2.800.00AC006.0.R, Build Date 2021-02-24".into()),
            serial_number: Some("AMC0123456789ABCD".into()),
            hardware_id: None,
        },
        network: network("9c:8e:cd:00:00:05", "10.20.0.15", false, "yard-4k"),
        scopes: vec![
            scope("Profile/Streaming", true),
            scope("location/site/south", false),
        ],
        users: vec![user("admin", "Administrator")],
        profiles: vec![
            main,
            profile(
                "MediaProfile00001",
                "SubStream",
                MediaService::Media2,
                Enc {
                    codec: Codec::H264,
                    w: 640,
                    h: 480,
                    fps: 15.0,
                    kbps: 512,
                    gov: 30,
                    quality: 4.0,
                },
                vec![(640, 480), (352, 288)],
                q,
            ),
        ],
        recording: Some(Recording {
            recordings: vec![RecordingItem {
                token: "Record0".into(),
                content: "continuous".into(),
                max_retention: Some("P14D".into()),
                max_retention_s: Some(14 * 86_400),
                tracks: vec![Track {
                    token: "Video0".into(),
                    kind: "Video".into(),
                    description: String::new(),
                }],
                ..Default::default()
            }],
            jobs: vec![RecordingJob {
                token: "Job0".into(),
                recording_token: "Record0".into(),
                mode: "Active".into(),
                priority: 1,
                schedule_token: None,
                sources: vec![RecordingJobSource {
                    source_token: Some("MediaProfile00000".into()),
                    source_type: Some("http://www.onvif.org/ver10/schema/Profile".into()),
                    auto_create_receiver: None,
                    tracks: vec![("Video".into(), "Video0".into())],
                }],
            }],
            ..Default::default()
        }),
        ..Default::default()
    };
    s.seal();
    s
}

/// Hikvision DS-2CD63C5G0-IVS 12 MP fisheye: no catalogue model reaches its resolution.
pub fn hikvision_fisheye() -> DeviceSnapshot {
    let mut s = DeviceSnapshot {
        id: "serial:DS-2CD63C5G0-IVS20210707AAWRE00000006".into(),
        xaddr: "http://10.20.0.16/onvif/device_service".into(),
        identity: Identity {
            manufacturer: Some("HIKVISION".into()),
            model: Some("DS-2CD63C5G0-IVS".into()),
            firmware_version: Some("V5.5.800 build 210628".into()),
            serial_number: Some("DS-2CD63C5G0-IVS20210707AAWRE00000006".into()),
            hardware_id: Some("88".into()),
        },
        network: network("44:19:b6:00:00:06", "10.20.0.16", false, "atrium-fisheye"),
        users: vec![user("admin", "Administrator")],
        profiles: vec![profile(
            "Profile_1",
            "mainStream",
            MediaService::Both,
            Enc {
                codec: Codec::H265,
                w: 4000,
                h: 3072,
                fps: 15.0,
                kbps: 8192,
                gov: 30,
                quality: 4.0,
            },
            vec![(4000, 3072), (2048, 2048)],
            Range::new(0.0, 5.0),
        )],
        ..Default::default()
    };
    s.seal();
    s
}

/// The whole fleet, in no particular order.
pub fn fleet() -> Vec<DeviceSnapshot> {
    vec![
        hikvision_ptz(),
        amcrest(),
        hikvision_fixed(),
        dahua_ptz(),
        hikvision_fisheye(),
        dahua_fixed(),
    ]
}

/// Flags by manufacturer and model prefix, as a stand-in for the audit in tests.
pub fn flags_for(snapshots: &[DeviceSnapshot]) -> BTreeMap<String, Flag> {
    snapshots
        .iter()
        .filter_map(|s| {
            let manufacturer = s
                .identity
                .manufacturer
                .as_deref()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let model = s
                .identity
                .model
                .as_deref()
                .unwrap_or_default()
                .to_ascii_uppercase();
            let flag = if manufacturer.contains("hikvision") || model.starts_with("DS-2") {
                Flag {
                    verdict: "banned".into(),
                    company: Some("Hikvision".into()),
                    confidence: 0.98,
                }
            } else if manufacturer.contains("dahua")
                || model.starts_with("IPC-")
                || model.starts_with("SD")
            {
                Flag {
                    verdict: "banned".into(),
                    company: Some("Dahua".into()),
                    confidence: 0.97,
                }
            } else if manufacturer.contains("amcrest") {
                Flag {
                    verdict: "white-label".into(),
                    company: Some("Dahua".into()),
                    confidence: 0.8,
                }
            } else {
                return None;
            };
            Some((s.id.clone(), flag))
        })
        .collect()
}
