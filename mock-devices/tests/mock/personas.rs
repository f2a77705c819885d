//! The built-in personas as a whole: vendor habits that cut across services, devices without
//! edge storage, and a technician's swap bringing a factory-default unit.

use std::net::Ipv4Addr;

use mock_devices::{Fleet, FleetSpec, Persona};

use crate::support::*;

/// Dahua-family quirk from `captures/dahua/GetProfiles-hammeraj-nvr.xml` (also
/// `captures/lorex/GetProfiles-sproctor.xml`): ver10 GetProfiles carries the sub stream's
/// VideoEncoderConfiguration with Name and UseCount only; GetVideoEncoderConfigurations has
/// the values.
#[tokio::test]
async fn dahua_stripped_encoder_configuration_in_get_profiles() {
    let dev = open_device("dahua-ipc-hdw2431t").await;
    let s = Services::new(&dev);
    let profiles = s.media("GetProfiles", "").await;
    profiles.assert_ok();
    assert!(profiles.text().contains("s:Envelope"), "Dahua's s: prefix");
    let sub = profiles.text();
    let sub = &sub[sub.find("token=\"MediaProfile001\"").unwrap()..];
    let encoder = &sub[sub.find("<tt:VideoEncoderConfiguration").unwrap()..];
    let encoder = &encoder[..encoder.find("</tt:VideoEncoderConfiguration>").unwrap()];
    assert!(encoder.contains("<tt:UseCount>"));
    assert!(
        !encoder.contains("Encoding") && !encoder.contains("Resolution"),
        "{encoder}"
    );
    let all = s.media("GetVideoEncoderConfigurations", "").await;
    assert_eq!(all.texts("Width"), ["2688", "704"]);
    assert_eq!(all.texts("BitrateLimit"), ["4096", "512"]);
}

/// The persona's documented choice: its H.265 main stream shows as H264 in ver10 and as
/// H265 in Media2, with the same resolution.
#[tokio::test]
async fn dahua_h265_main_stream_is_h264_in_ver10_and_h265_in_media2() {
    let dev = open_device("dahua-ipc-hdw2431t").await;
    let s = Services::new(&dev);
    let v1 = s
        .media(
            "GetVideoEncoderConfiguration",
            "<m:ConfigurationToken>000</m:ConfigurationToken>",
        )
        .await;
    assert_eq!(v1.first("Encoding"), "H264");
    assert_eq!(v1.first("Width"), "2688");
    let v2 = s
        .media2(
            "GetVideoEncoderConfigurations",
            "<m:ConfigurationToken>000</m:ConfigurationToken>",
        )
        .await;
    assert_eq!(v2.first("Encoding"), "H265");
    let uri = s
        .media2(
            "GetStreamUri",
            "<m:Protocol>RTSP</m:Protocol><m:ProfileToken>MediaProfile001</m:ProfileToken>",
        )
        .await;
    assert_eq!(
        uri.first("Uri"),
        format!(
            "rtsp://{}:554/cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif",
            dev.addr().ip()
        )
    );
}

#[tokio::test]
async fn amcrest_is_a_dahua_oem_by_firmware_tokens_and_uris() {
    let dev = open_device("amcrest-ip4m").await;
    let info = call(dev.addr(), "GetDeviceInformation", "").await;
    assert_eq!(info.first("Manufacturer"), "Amcrest");
    assert!(info.first("FirmwareVersion").starts_with("V2.800.00AC000."));
    let scopes = call(dev.addr(), "GetScopes", "").await;
    assert!(
        scopes
            .texts("ScopeItem")
            .contains(&"onvif://www.onvif.org/name/Amcrest".to_string())
    );
    let s = Services::new(&dev);
    let profiles = s.media2("GetProfiles", "").await;
    assert_eq!(
        attrs(&profiles.text(), "Profiles", "token"),
        ["MediaProfile000", "MediaProfile001"]
    );
    let snap = s
        .media(
            "GetSnapshotUri",
            "<m:ProfileToken>MediaProfile000</m:ProfileToken>",
        )
        .await;
    assert!(
        snap.first("Uri")
            .contains("/onvifsnapshot/media_service/snapshot?channel=1&subtype=0")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swap_brings_the_new_model_in_its_factory_state() {
    let hik = Persona::builtin("hikvision-ds2cd2143g2").unwrap();
    let fleet = Fleet::start(FleetSpec::round_robin(
        &[hik],
        1,
        Ipv4Addr::new(127, 0, 31, 1),
    ))
    .await
    .unwrap();
    let addr = fleet.addrs().await[0];
    fleet
        .swap(Ipv4Addr::new(127, 0, 31, 1), "hikvision-ds2de4425iw")
        .await
        .unwrap();
    let presets = call_at(
        addr,
        "/onvif/PTZ",
        TPTZ,
        "GetPresets",
        "<m:ProfileToken>Profile_1</m:ProfileToken>",
    )
    .await;
    presets.assert_ok();
    let names = presets.texts("Name");
    assert_eq!(names[0], "Preset 1", "the integrator's presets are gone");
    assert_eq!(attrs(&presets.text(), "Preset", "token").len(), 300);
    let jobs = call_at(addr, "/onvif/Recording", TRC, "GetRecordingJobs", "").await;
    assert_eq!(jobs.texts("Mode"), ["Idle"]);
    fleet
        .swap(Ipv4Addr::new(127, 0, 31, 1), "axis-q6135-le")
        .await
        .unwrap();
    let presets = call_at(
        addr,
        "/onvif/services",
        TPTZ,
        "GetPresets",
        "<m:ProfileToken>profile_1_h264</m:ProfileToken>",
    )
    .await;
    presets.assert_ok();
    assert!(attrs(&presets.text(), "Preset", "token").is_empty());
    let recordings = call_at(addr, "/onvif/services", TRC, "GetRecordings", "").await;
    assert!(recordings.texts("RecordingToken").is_empty());
}

#[tokio::test]
async fn a_device_without_edge_storage_offers_no_recording_service() {
    let mut checked = 0;
    for name in Persona::builtin_names() {
        let persona = Persona::builtin(name).unwrap();
        if persona.recording.is_some() {
            continue;
        }
        checked += 1;
        let dev = open_device(name).await;
        let services = call(
            dev.addr(),
            "GetServices",
            "<d:IncludeCapability>false</d:IncludeCapability>",
        )
        .await;
        assert!(
            !services.texts("Namespace").contains(&TRC.to_string()),
            "{name}"
        );
        call_at(dev.addr(), "/onvif/Recording", TRC, "GetRecordings", "")
            .await
            .assert_fault(500, &["Receiver", "ActionNotSupported"]);
    }
    assert!(
        checked >= 2,
        "the Amcrest and Dahua PTZ personas have no edge storage"
    );
}

/// ONVIF access classes on the new services: reads for every user, moves and changes for
/// operators and administrators, nothing without credentials.
#[tokio::test]
async fn media_and_ptz_operations_follow_the_access_classes() {
    use mock_devices::{AuthMode, DeviceConfig, MockDevice, UserSpec};
    let persona = Persona::builtin("hikvision-ds2de4425iw").unwrap();
    let users: Vec<UserSpec> = [
        "admin:camswap-demo",
        "op:Op-pass12:Operator",
        "viewer:View-pass1:User",
    ]
    .iter()
    .map(|u| u.parse().unwrap())
    .collect();
    let dev = MockDevice::start(
        DeviceConfig::new(persona, "127.0.0.1:0".parse().unwrap())
            .users(users)
            .auth(AuthMode::Digest),
    )
    .await
    .unwrap();
    let addr = dev.addr();
    let profile = "<m:ProfileToken>Profile_1</m:ProfileToken>";
    let mv = "<m:ProfileToken>Profile_1</m:ProfileToken><m:Position><t:PanTilt x=\"0\" y=\"0\"/></m:Position>";
    assert_eq!(
        call_at(addr, "/onvif/Media", TRT, "GetProfiles", "")
            .await
            .status,
        401
    );
    // GetServiceCapabilities is PRE_AUTH on every service.
    call_at(addr, "/onvif/PTZ", TPTZ, "GetServiceCapabilities", "")
        .await
        .assert_ok();
    call_at_as(
        addr,
        "/onvif/PTZ",
        TPTZ,
        "GetPresets",
        profile,
        "viewer",
        "View-pass1",
    )
    .await
    .assert_ok();
    call_at_as(
        addr,
        "/onvif/PTZ",
        TPTZ,
        "AbsoluteMove",
        mv,
        "viewer",
        "View-pass1",
    )
    .await
    .assert_fault(400, &["Sender", "NotAuthorized"]);
    call_at_as(
        addr,
        "/onvif/PTZ",
        TPTZ,
        "AbsoluteMove",
        mv,
        "op",
        "Op-pass12",
    )
    .await
    .assert_ok();
    call_at_admin(addr, "/onvif/Media", TRT, "GetProfiles", "")
        .await
        .assert_ok();
}
