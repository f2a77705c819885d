//! Media (ver10) and Media2: Gets report the persona's state, Sets change it within the
//! options, both services show one shared state, and refused values get a device's faults.

use std::time::Duration;

use mock_devices::Persona;

use crate::support::*;

/// A complete ver10 `Configuration` for SetVideoEncoderConfiguration.
fn vec_v1(
    token: &str,
    encoding: &str,
    res: (u32, u32),
    fps: u32,
    bitrate: u32,
    gov: u32,
) -> String {
    let h264 = if encoding == "H264" {
        format!(
            "<t:H264><t:GovLength>{gov}</t:GovLength><t:H264Profile>Main</t:H264Profile></t:H264>"
        )
    } else {
        String::new()
    };
    format!(
        "<m:Configuration token=\"{token}\"><t:Name>edited</t:Name><t:UseCount>0</t:UseCount>\
         <t:Encoding>{encoding}</t:Encoding><t:Resolution><t:Width>{}</t:Width><t:Height>{}</t:Height></t:Resolution>\
         <t:Quality>3</t:Quality><t:RateControl><t:FrameRateLimit>{fps}</t:FrameRateLimit><t:EncodingInterval>1</t:EncodingInterval>\
         <t:BitrateLimit>{bitrate}</t:BitrateLimit></t:RateControl>{h264}<t:Multicast><t:Address><t:Type>IPv4</t:Type>\
         <t:IPv4Address>0.0.0.0</t:IPv4Address></t:Address><t:Port>0</t:Port><t:TTL>1</t:TTL><t:AutoStart>false</t:AutoStart>\
         </t:Multicast><t:SessionTimeout>PT60S</t:SessionTimeout></m:Configuration><m:ForcePersistence>true</m:ForcePersistence>",
        res.0, res.1
    )
}

/// A Media2 `Configuration` for SetVideoEncoderConfiguration.
fn vec_v2(token: &str, encoding: &str, res: (u32, u32), fps: f64, bitrate: u32) -> String {
    format!(
        "<m:Configuration token=\"{token}\" GovLength=\"50\"><t:Name>edited</t:Name><t:UseCount>0</t:UseCount>\
         <t:Encoding>{encoding}</t:Encoding><t:Resolution><t:Width>{}</t:Width><t:Height>{}</t:Height></t:Resolution>\
         <t:RateControl ConstantBitRate=\"false\"><t:FrameRateLimit>{fps}</t:FrameRateLimit><t:BitrateLimit>{bitrate}</t:BitrateLimit></t:RateControl>\
         <t:Quality>4</t:Quality></m:Configuration>",
        res.0, res.1
    )
}

#[tokio::test]
async fn every_persona_reports_its_profiles_and_encoders_in_both_media_services() {
    for name in Persona::builtin_names() {
        let persona = Persona::builtin(name).unwrap();
        let Some(spec) = persona.media.as_ref() else {
            continue;
        };
        let dev = open_device(name).await;
        let s = Services::new(&dev);
        let v1 = s.media("GetProfiles", "").await;
        v1.assert_ok();
        let tokens: Vec<String> = spec.profiles.iter().map(|p| p.token.clone()).collect();
        assert_eq!(attrs(&v1.text(), "Profiles", "token"), tokens, "{name}");
        let v2 = s.media2("GetProfiles", "<m:Type>All</m:Type>").await;
        v2.assert_ok();
        assert_eq!(attrs(&v2.text(), "Profiles", "token"), tokens, "{name}");

        let encoders = s.media2("GetVideoEncoderConfigurations", "").await;
        encoders.assert_ok();
        assert_eq!(
            attrs(&encoders.text(), "Configurations", "token"),
            spec.encoders
                .iter()
                .map(|e| e.token.clone())
                .collect::<Vec<_>>(),
            "{name}"
        );
        let widths = encoders.texts("Width");
        let bitrates = encoders.texts("BitrateLimit");
        for (i, e) in spec.encoders.iter().enumerate() {
            assert_eq!(
                widths[i],
                e.resolution.width.to_string(),
                "{name} {}",
                e.token
            );
            assert_eq!(bitrates[i], e.bitrate.to_string(), "{name} {}", e.token);
        }
        assert_eq!(
            encoders.texts("Encoding"),
            spec.encoders
                .iter()
                .map(|e| e.encoding.to_string())
                .collect::<Vec<_>>(),
            "{name}: Media2 names every codec as configured"
        );
    }
}

#[tokio::test]
async fn set_video_encoder_in_ver10_is_read_back_in_both_services() {
    let dev = open_device("hikvision-ds2cd2143g2").await;
    let s = Services::new(&dev);
    s.media(
        "SetVideoEncoderConfiguration",
        &vec_v1("VideoEncoderToken_1", "H264", (1920, 1080), 20, 3072, 40),
    )
    .await
    .assert_ok();
    let v1 = s
        .media(
            "GetVideoEncoderConfiguration",
            "<m:ConfigurationToken>VideoEncoderToken_1</m:ConfigurationToken>",
        )
        .await;
    v1.assert_ok();
    assert_eq!(
        [
            v1.first("Width"),
            v1.first("FrameRateLimit"),
            v1.first("BitrateLimit"),
            v1.first("GovLength")
        ],
        ["1920", "20", "3072", "40"]
    );
    let v2 = s
        .media2(
            "GetVideoEncoderConfigurations",
            "<m:ConfigurationToken>VideoEncoderToken_1</m:ConfigurationToken>",
        )
        .await;
    v2.assert_ok();
    assert_eq!(v2.first("Height"), "1080");
    assert_eq!(attrs(&v2.text(), "Configurations", "GovLength"), ["40"]);
    // The profile shows the new values too.
    let profile = s
        .media("GetProfile", "<m:ProfileToken>Profile_1</m:ProfileToken>")
        .await;
    assert_eq!(profile.first("BitrateLimit"), "3072");
}

#[tokio::test]
async fn encoder_settings_outside_the_options_are_config_modify_faults() {
    let dev = open_device("hikvision-ds2cd2143g2").await;
    let s = Services::new(&dev);
    for (label, body) in [
        (
            "resolution not offered",
            vec_v1("VideoEncoderToken_1", "H264", (1000, 700), 25, 4096, 50),
        ),
        (
            "frame rate above 25",
            vec_v1("VideoEncoderToken_1", "H264", (1920, 1080), 30, 4096, 50),
        ),
        (
            "bitrate above 16384",
            vec_v1("VideoEncoderToken_1", "H264", (1920, 1080), 25, 20000, 50),
        ),
        (
            "GOV above 250",
            vec_v1("VideoEncoderToken_1", "H264", (1920, 1080), 25, 4096, 400),
        ),
        (
            "sub-stream resolution on the main stream",
            vec_v1("VideoEncoderToken_1", "H264", (640, 360), 25, 4096, 50),
        ),
    ] {
        let resp = s.media("SetVideoEncoderConfiguration", &body).await;
        resp.assert_fault(400, &["Sender", "InvalidArgVal", "ConfigModify"]);
        assert!(!resp.text().is_empty(), "{label}");
    }
    // Nothing changed.
    let v1 = s
        .media(
            "GetVideoEncoderConfiguration",
            "<m:ConfigurationToken>VideoEncoderToken_1</m:ConfigurationToken>",
        )
        .await;
    assert_eq!(v1.first("Width"), "2688");
    s.media(
        "SetVideoEncoderConfiguration",
        &vec_v1("NoSuchEncoder", "H264", (1920, 1080), 25, 4096, 50),
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "NoConfig"]);
}

#[tokio::test]
async fn h265_is_refused_by_ver10_and_accepted_by_media2_where_offered() {
    let dev = open_device("hikvision-ds2cd2143g2").await;
    let s = Services::new(&dev);
    let refused = s
        .media(
            "SetVideoEncoderConfiguration",
            &vec_v1("VideoEncoderToken_1", "H265", (2688, 1520), 25, 4096, 50),
        )
        .await;
    refused.assert_fault(400, &["Sender", "InvalidArgVal", "ConfigModify"]);
    assert!(refused.text().contains("Media2"), "{}", refused.text());

    s.media2(
        "SetVideoEncoderConfiguration",
        &vec_v2("VideoEncoderToken_1", "H265", (2688, 1520), 25.0, 3072),
    )
    .await
    .assert_ok();
    let v2 = s
        .media2(
            "GetProfiles",
            "<m:Token>Profile_1</m:Token><m:Type>VideoEncoder</m:Type>",
        )
        .await;
    v2.assert_ok();
    assert_eq!(v2.first("Encoding"), "H265");
    assert_eq!(attrs(&v2.text(), "VideoEncoder", "Profile"), ["Main"]);
    // ver10 cannot name H.265: Hikvision's view leaves the encoder out.
    let v1 = s
        .media("GetProfile", "<m:ProfileToken>Profile_1</m:ProfileToken>")
        .await;
    v1.assert_ok();
    assert!(
        !v1.text().contains("VideoEncoderConfiguration"),
        "{}",
        v1.text()
    );
    let all = s.media("GetVideoEncoderConfigurations", "").await;
    assert_eq!(
        attrs(&all.text(), "Configurations", "token"),
        ["VideoEncoderToken_2"]
    );
    // The sub stream's options have no H.265 at 1080p.
    s.media2(
        "SetVideoEncoderConfiguration",
        &vec_v2("VideoEncoderToken_2", "H265", (1920, 1080), 15.0, 512),
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "ConfigModify"]);
}

#[tokio::test]
async fn encoder_options_list_codecs_resolutions_and_ranges() {
    let dev = open_device("hikvision-ds2cd2143g2").await;
    let s = Services::new(&dev);
    let v1 = s
        .media(
            "GetVideoEncoderConfigurationOptions",
            "<m:ProfileToken>Profile_2</m:ProfileToken>",
        )
        .await;
    v1.assert_ok();
    assert_eq!(v1.texts("Width")[..2], ["640", "640"]);
    assert!(v1.text().contains("<tt:JPEG>"), "{}", v1.text());
    let v2 = s
        .media2(
            "GetVideoEncoderConfigurationOptions",
            "<m:ConfigurationToken>VideoEncoderToken_1</m:ConfigurationToken>",
        )
        .await;
    v2.assert_ok();
    assert_eq!(v2.texts("Encoding"), ["H264", "H265"]);
    assert_eq!(
        attrs(&v2.text(), "Options", "GovLengthRange"),
        ["1 250", "1 250"]
    );
    assert_eq!(
        attrs(&v2.text(), "Options", "ProfilesSupported"),
        ["Baseline Main High", "Main"]
    );
    s.media(
        "GetVideoEncoderConfigurationOptions",
        "<m:ProfileToken>nope</m:ProfileToken>",
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "NoProfile"]);
}

#[tokio::test]
async fn stream_and_snapshot_uris_follow_the_vendors_shape() {
    let hik = open_device("hikvision-ds2cd2143g2").await;
    let s = Services::new(&hik);
    let ip = hik.addr().ip();
    let setup = "<m:StreamSetup><t:Stream>RTP-Unicast</t:Stream><t:Transport><t:Protocol>RTSP</t:Protocol></t:Transport></m:StreamSetup>";
    let uri = s
        .media(
            "GetStreamUri",
            &format!("{setup}<m:ProfileToken>Profile_2</m:ProfileToken>"),
        )
        .await;
    uri.assert_ok();
    assert_eq!(
        uri.first("Uri"),
        format!("rtsp://{ip}:554/Streaming/Channels/102?transportmode=unicast&profile=Profile_2")
    );
    let snap = s
        .media2(
            "GetSnapshotUri",
            "<m:ProfileToken>Profile_1</m:ProfileToken>",
        )
        .await;
    assert_eq!(
        snap.first("Uri"),
        format!("http://{}/onvif-http/snapshot?Profile_1", hik.addr())
    );
    let axis = open_device("axis-p3265-lve").await;
    let s = Services::new(&axis);
    let uri = s
        .media2(
            "GetStreamUri",
            "<m:Protocol>RtspUnicast</m:Protocol><m:ProfileToken>profile_1_h265</m:ProfileToken>",
        )
        .await;
    uri.assert_ok();
    assert_eq!(
        uri.first("Uri"),
        format!(
            "rtsp://{}/onvif-media/media.amp?profile=profile_1_h265&sessiontimeout=60&streamtype=unicast",
            axis.addr().ip()
        )
    );
    s.media2(
        "GetStreamUri",
        "<m:Protocol>RtspUnicast</m:Protocol><m:ProfileToken>nope</m:ProfileToken>",
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "NoProfile"]);
}

#[tokio::test]
async fn profiles_are_created_filled_streamed_and_deleted_through_either_service() {
    let dev = open_device("hikvision-ds2cd2143g2").await;
    let s = Services::new(&dev);
    let created = s
        .media(
            "CreateProfile",
            "<m:Name>migration</m:Name><m:Token>mig_1</m:Token>",
        )
        .await;
    created.assert_ok();
    assert_eq!(attrs(&created.text(), "Profile", "token"), ["mig_1"]);
    let setup = "<m:StreamSetup><t:Stream>RTP-Unicast</t:Stream><t:Transport><t:Protocol>RTSP</t:Protocol></t:Transport></m:StreamSetup><m:ProfileToken>mig_1</m:ProfileToken>";
    s.media("GetStreamUri", setup)
        .await
        .assert_fault(500, &["Receiver", "Action", "IncompleteConfiguration"]);
    s.media(
        "AddVideoSourceConfiguration",
        "<m:ProfileToken>mig_1</m:ProfileToken><m:ConfigurationToken>VideoSourceToken</m:ConfigurationToken>",
    )
    .await
    .assert_ok();
    s.media(
        "AddVideoEncoderConfiguration",
        "<m:ProfileToken>mig_1</m:ProfileToken><m:ConfigurationToken>VideoEncoderToken_2</m:ConfigurationToken>",
    )
    .await
    .assert_ok();
    s.media(
        "AddVideoEncoderConfiguration",
        "<m:ProfileToken>mig_1</m:ProfileToken><m:ConfigurationToken>nope</m:ConfigurationToken>",
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "NoConfig"]);
    s.media("GetStreamUri", setup).await.assert_ok();
    // UseCount counts the new profile.
    let encoders = s.media("GetVideoEncoderConfigurations", "").await;
    assert_eq!(encoders.texts("UseCount"), ["1", "2"]);

    // Media2 sees the same profile and can create its own with references.
    let v2 = s
        .media2(
            "GetProfiles",
            "<m:Token>mig_1</m:Token><m:Type>All</m:Type>",
        )
        .await;
    assert_eq!(
        attrs(&v2.text(), "VideoEncoder", "token"),
        ["VideoEncoderToken_2"]
    );
    let made = s
        .media2(
            "CreateProfile",
            "<m:Name>m2</m:Name><m:Configuration><m:Type>VideoSource</m:Type></m:Configuration><m:Configuration><m:Type>VideoEncoder</m:Type><m:Token>VideoEncoderToken_1</m:Token></m:Configuration>",
        )
        .await;
    made.assert_ok();
    let token = made.first("Token");
    assert_eq!(token, "Profile_4");
    s.media2(
        "RemoveConfiguration",
        &format!("<m:ProfileToken>{token}</m:ProfileToken><m:Configuration><m:Type>VideoEncoder</m:Type></m:Configuration>"),
    )
    .await
    .assert_ok();
    let v1 = s
        .media(
            "GetProfile",
            &format!("<m:ProfileToken>{token}</m:ProfileToken>"),
        )
        .await;
    assert!(v1.text().contains("VideoSourceConfiguration"));
    assert!(!v1.text().contains("VideoEncoderConfiguration"));
    s.media2("DeleteProfile", &format!("<m:Token>{token}</m:Token>"))
        .await
        .assert_ok();
    s.media("DeleteProfile", "<m:ProfileToken>mig_1</m:ProfileToken>")
        .await
        .assert_ok();
    s.media(
        "DeleteProfile",
        "<m:ProfileToken>Profile_1</m:ProfileToken>",
    )
    .await
    .assert_fault(500, &["Receiver", "Action", "DeletionOfFixedProfile"]);
    s.media("DeleteProfile", "<m:ProfileToken>mig_1</m:ProfileToken>")
        .await
        .assert_fault(400, &["Sender", "InvalidArgVal", "NoProfile"]);
    let left = s.media("GetProfiles", "").await;
    assert_eq!(
        attrs(&left.text(), "Profiles", "token"),
        ["Profile_1", "Profile_2"]
    );
}

#[tokio::test]
async fn profile_count_stops_at_the_maximum_and_tokens_must_be_unique() {
    let dev = open_device("hikvision-ds2cd2143g2").await;
    let s = Services::new(&dev);
    s.media(
        "CreateProfile",
        "<m:Name>dup</m:Name><m:Token>Profile_1</m:Token>",
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "ProfileExists"]);
    // MaximumNumberOfProfiles is 10; two exist.
    for i in 0..8 {
        s.media("CreateProfile", &format!("<m:Name>p{i}</m:Name>"))
            .await
            .assert_ok();
    }
    s.media("CreateProfile", "<m:Name>one too many</m:Name>")
        .await
        .assert_fault(500, &["Receiver", "Action", "MaxNVTProfiles"]);
}

#[tokio::test]
async fn media2_profiles_carry_configurations_only_of_the_requested_types() {
    let dev = open_device("axis-p3265-lve").await;
    let s = Services::new(&dev);
    let bare = s.media2("GetProfiles", "").await;
    bare.assert_ok();
    assert!(!bare.text().contains("Configurations"));
    let enc = s
        .media2("GetProfiles", "<m:Type>VideoEncoder</m:Type>")
        .await;
    assert_eq!(enc.texts("Encoding"), ["H264", "H265", "JPEG"]);
    assert!(!enc.text().contains("VideoSource"));
    let audio = s
        .media2("GetProfiles", "<m:Type>AudioEncoder</m:Type>")
        .await;
    assert_eq!(audio.texts("Encoding"), ["MP4A-LATM", "MP4A-LATM"]);
}

#[tokio::test]
async fn a_factory_reset_restores_the_shipped_encoder_settings() {
    let dev = open_device("hikvision-ds2cd2143g2").await;
    let s = Services::new(&dev);
    s.media2(
        "SetVideoEncoderConfiguration",
        &vec_v2("VideoEncoderToken_2", "H264", (640, 480), 10.0, 256),
    )
    .await
    .assert_ok();
    s.media("CreateProfile", "<m:Name>extra</m:Name>")
        .await
        .assert_ok();
    call(
        dev.addr(),
        "SetSystemFactoryDefault",
        "<d:FactoryDefault>Hard</d:FactoryDefault>",
    )
    .await
    .assert_ok();
    // The device reboots; wait until it answers again.
    let start = std::time::Instant::now();
    let profiles = loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if dev.is_up() && start.elapsed() > Duration::from_millis(400) {
            if let Ok(r) = http(
                dev.addr(),
                "POST",
                "/onvif/Media",
                &[],
                envelope("", &service_op(TRT, "GetProfiles", "")).as_bytes(),
            )
            .await
            {
                break r;
            }
        }
        assert!(start.elapsed() < DEADLINE, "device did not come back");
    };
    profiles.assert_ok();
    assert_eq!(
        attrs(&profiles.text(), "Profiles", "token"),
        ["Profile_1", "Profile_2"]
    );
    // The sub stream is back to 640x360 and the main stream to its factory bitrate.
    assert_eq!(profiles.texts("Height"), ["1520", "360"]);
    assert_eq!(profiles.texts("BitrateLimit"), ["6144", "512"]);
}

/// A ver10 `Configuration` for SetAudioEncoderConfiguration.
fn aec_v1(token: &str, encoding: &str, bitrate: u32, sample_rate: u32) -> String {
    format!(
        "<m:Configuration token=\"{token}\"><t:Name>audio</t:Name><t:UseCount>0</t:UseCount><t:Encoding>{encoding}</t:Encoding>\
         <t:Bitrate>{bitrate}</t:Bitrate><t:SampleRate>{sample_rate}</t:SampleRate><t:Multicast><t:Address><t:Type>IPv4</t:Type>\
         <t:IPv4Address>0.0.0.0</t:IPv4Address></t:Address><t:Port>0</t:Port><t:TTL>1</t:TTL><t:AutoStart>false</t:AutoStart>\
         </t:Multicast><t:SessionTimeout>PT60S</t:SessionTimeout></m:Configuration><m:ForcePersistence>true</m:ForcePersistence>"
    )
}

#[tokio::test]
async fn audio_encoder_values_are_set_within_the_options_and_refused_outside_them() {
    // The Hanwha XNV-6080R persona's options are its datasheet's: G.711 64 kbps at 8 kHz,
    // G.726 at 16/24/32/40 kbps at 8 kHz, AAC-LC 48 kbps at 16 kHz.
    let dev = open_device("hanwha-xnv-6080r").await;
    let s = Services::new(&dev);
    let token = "AudioEncoderConfig-1";
    let options = s.media("GetAudioEncoderConfigurationOptions", "").await;
    options.assert_ok();
    assert_eq!(options.texts("Encoding"), ["G711", "G726", "AAC"]);
    assert_eq!(options.texts("Items")[..2], ["64", "8"]);
    let options2 = s.media2("GetAudioEncoderConfigurationOptions", "").await;
    options2.assert_ok();
    assert_eq!(options2.texts("Encoding"), ["PCMU", "G726", "MP4A-LATM"]);

    for (label, body) in [
        ("G.711 at 32 kbps", aec_v1(token, "G711", 32, 8)),
        ("G.726 at 16 kHz", aec_v1(token, "G726", 24, 16)),
        ("AAC at 64 kbps", aec_v1(token, "AAC", 64, 16)),
        ("not a tt:AudioEncoding", aec_v1(token, "PCMU", 64, 8)),
    ] {
        let resp = s.media("SetAudioEncoderConfiguration", &body).await;
        resp.assert_fault(400, &["Sender", "InvalidArgVal", "ConfigModify"]);
        assert!(!resp.text().is_empty(), "{label}");
    }
    s.media(
        "SetAudioEncoderConfiguration",
        &aec_v1("nope", "G711", 64, 8),
    )
    .await
    .assert_fault(400, &["Sender", "InvalidArgVal", "NoConfig"]);
    // Nothing changed.
    let got = s.media("GetAudioEncoderConfigurations", "").await;
    assert_eq!(
        (got.first("Encoding"), got.first("Bitrate")),
        ("G711".to_owned(), "64".to_owned())
    );

    // Within the options: stored, and both services report it in their own names.
    s.media(
        "SetAudioEncoderConfiguration",
        &aec_v1(token, "G726", 24, 8),
    )
    .await
    .assert_ok();
    let v2 = s.media2("GetAudioEncoderConfigurations", "").await;
    assert_eq!(
        (
            v2.first("Encoding"),
            v2.first("Bitrate"),
            v2.first("SampleRate")
        ),
        ("G726".to_owned(), "24".to_owned(), "8".to_owned())
    );
    s.media2(
        "SetAudioEncoderConfiguration",
        &format!(
            "<m:Configuration token=\"{token}\"><t:Name>audio</t:Name><t:UseCount>0</t:UseCount><t:Encoding>MP4A-LATM</t:Encoding>\
             <t:Bitrate>48</t:Bitrate><t:SampleRate>16</t:SampleRate></m:Configuration>"
        ),
    )
    .await
    .assert_ok();
    let v1 = s.media("GetAudioEncoderConfigurations", "").await;
    assert_eq!(
        (
            v1.first("Encoding"),
            v1.first("Bitrate"),
            v1.first("SampleRate")
        ),
        ("AAC".to_owned(), "48".to_owned(), "16".to_owned())
    );
}
