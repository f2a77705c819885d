//! Every response the mock gives, success and fault, for every operation of every service and
//! every built-in persona, checked with `shared/tools/onvif-validate` against the official
//! ONVIF schemas. A missing validator fails the test: CI installs xmllint.

use std::net::SocketAddr;

use mock_devices::media::{Codec, MediaSpec, VideoEncoder};
use mock_devices::persona::ServiceKind;
use mock_devices::{AuthMode, DeviceConfig, MockDevice, Persona};

use crate::support::*;

/// (operation, request content, expected HTTP status).
const CALLS: &[(&str, &str, u16)] = &[
    ("GetSystemDateAndTime", "", 200),
    ("GetDeviceInformation", "", 200),
    (
        "GetServices",
        "<d:IncludeCapability>false</d:IncludeCapability>",
        200,
    ),
    (
        "GetServices",
        "<d:IncludeCapability>true</d:IncludeCapability>",
        200,
    ),
    ("GetServiceCapabilities", "", 200),
    ("GetWsdlUrl", "", 200),
    ("GetCapabilities", "", 200),
    ("GetCapabilities", "<d:Category>Media</d:Category>", 200),
    (
        "GetCapabilities",
        "<d:Category>Device</d:Category><d:Category>Imaging</d:Category>",
        200,
    ),
    ("GetNetworkInterfaces", "", 200),
    ("GetNetworkDefaultGateway", "", 200),
    ("GetHostname", "", 200),
    ("GetDNS", "", 200),
    ("GetNTP", "", 200),
    ("GetScopes", "", 200),
    ("GetUsers", "", 200),
    ("SetHostname", "<d:Name>cam-7</d:Name>", 200),
    (
        "SetDNS",
        "<d:FromDHCP>false</d:FromDHCP><d:DNSManual><t:Type>IPv4</t:Type><t:IPv4Address>10.0.0.53</t:IPv4Address></d:DNSManual>",
        200,
    ),
    (
        "SetNTP",
        "<d:FromDHCP>false</d:FromDHCP><d:NTPManual><t:Type>DNS</t:Type><t:DNSname>ntp.example</t:DNSname></d:NTPManual>",
        200,
    ),
    (
        "SetNetworkDefaultGateway",
        "<d:IPv4Address>10.0.0.1</d:IPv4Address>",
        200,
    ),
    (
        "SetNetworkInterfaces",
        "<d:InterfaceToken>eth0</d:InterfaceToken><d:NetworkInterface><t:MTU>1400</t:MTU></d:NetworkInterface>",
        200,
    ),
    (
        "SetScopes",
        "<d:Scopes>onvif://www.onvif.org/location/site/a</d:Scopes>",
        200,
    ),
    (
        "AddScopes",
        "<d:ScopeItem>onvif://www.onvif.org/location/floor/1</d:ScopeItem>",
        200,
    ),
    (
        "RemoveScopes",
        "<d:ScopeItem>onvif://www.onvif.org/location/floor/1</d:ScopeItem>",
        200,
    ),
    (
        "CreateUsers",
        "<d:User><t:Username>op</t:Username><t:Password>Op-pass12</t:Password><t:UserLevel>Operator</t:UserLevel></d:User>",
        200,
    ),
    (
        "SetUser",
        "<d:User><t:Username>op</t:Username><t:Password>Op-pass34</t:Password><t:UserLevel>User</t:UserLevel></d:User>",
        200,
    ),
    ("DeleteUsers", "<d:Username>op</d:Username>", 200),
    (
        "SetSystemDateAndTime",
        "<d:DateTimeType>Manual</d:DateTimeType><d:DaylightSavings>false</d:DaylightSavings><d:TimeZone><t:TZ>UTC0</t:TZ></d:TimeZone>",
        200,
    ),
    // Faults.
    ("GetStorageConfigurations", "", 500),
    ("SetHostname", "<d:Name>no_underscores</d:Name>", 400),
    (
        "RemoveScopes",
        "<d:ScopeItem>onvif://www.onvif.org/nothing</d:ScopeItem>",
        400,
    ),
    (
        "CreateUsers",
        "<d:User><t:Username>admin</t:Username><t:Password>Op-pass12</t:Password><t:UserLevel>User</t:UserLevel></d:User>",
        400,
    ),
    ("GetCapabilities", "<d:Category>Analytics</d:Category>", 500),
];

/// Which service a call goes to.
#[derive(Debug, Clone, Copy)]
enum Svc {
    Media,
    Media2,
    Ptz,
    Recording,
    Imaging,
}

/// A service call: (service, operation, request content, expected HTTP status).
type Call = (Svc, &'static str, String, u16);

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// ver10 `Configuration` content with an encoder's own values.
fn vec_v1(e: &VideoEncoder, width: u32) -> String {
    let encoding = match e.encoding {
        Codec::Jpeg => "JPEG",
        _ => "H264",
    };
    let h264 = match (e.encoding, e.gov) {
        (Codec::Jpeg, _) | (_, None) => String::new(),
        (_, Some(gov)) => format!(
            "<t:H264><t:GovLength>{gov}</t:GovLength><t:H264Profile>{}</t:H264Profile></t:H264>",
            e.profile.as_deref().unwrap_or("Main")
        ),
    };
    format!(
        "<m:Configuration token=\"{}\"><t:Name>{}</t:Name><t:UseCount>1</t:UseCount><t:Encoding>{encoding}</t:Encoding>\
         <t:Resolution><t:Width>{width}</t:Width><t:Height>{}</t:Height></t:Resolution><t:Quality>{}</t:Quality>\
         <t:RateControl><t:FrameRateLimit>{}</t:FrameRateLimit><t:EncodingInterval>{}</t:EncodingInterval><t:BitrateLimit>{}</t:BitrateLimit></t:RateControl>\
         {h264}<t:Multicast><t:Address><t:Type>IPv4</t:Type><t:IPv4Address>0.0.0.0</t:IPv4Address></t:Address><t:Port>0</t:Port><t:TTL>1</t:TTL>\
         <t:AutoStart>false</t:AutoStart></t:Multicast><t:SessionTimeout>PT60S</t:SessionTimeout></m:Configuration>\
         <m:ForcePersistence>true</m:ForcePersistence>",
        e.token,
        e.name,
        e.resolution.height,
        fmt_num(e.quality),
        e.frame_rate.round(),
        e.encoding_interval,
        e.bitrate
    )
}

/// Media2 `Configuration` content with an encoder's own values.
fn vec_v2(e: &VideoEncoder, width: u32) -> String {
    let gov = e
        .gov
        .map(|g| format!(" GovLength=\"{g}\""))
        .unwrap_or_default();
    let profile = e
        .profile
        .as_ref()
        .map(|p| format!(" Profile=\"{p}\""))
        .unwrap_or_default();
    format!(
        "<m:Configuration token=\"{}\"{gov}{profile}><t:Name>{}</t:Name><t:UseCount>1</t:UseCount><t:Encoding>{}</t:Encoding>\
         <t:Resolution><t:Width>{width}</t:Width><t:Height>{}</t:Height></t:Resolution>\
         <t:RateControl ConstantBitRate=\"false\"><t:FrameRateLimit>{}</t:FrameRateLimit><t:BitrateLimit>{}</t:BitrateLimit></t:RateControl>\
         <t:Quality>{}</t:Quality></m:Configuration>",
        e.token,
        e.name,
        e.encoding,
        e.resolution.height,
        fmt_num(e.frame_rate),
        e.bitrate,
        fmt_num(e.quality)
    )
}

/// Every media and Media2 operation the mock implements, success and typical faults, with
/// tokens from the persona.
fn media_calls(persona: &Persona) -> Vec<Call> {
    let Some(m) = persona.media.as_ref() else {
        return Vec::new();
    };
    let p0 = &m.profiles[0].token;
    let vsc = &m.video_source_configurations[0].token;
    // An encoder ver10 can name (the Dahua-style H.265 main stream shows as H.264 there).
    let e1 = m
        .encoders
        .iter()
        .find(|e| e.encoding != Codec::H265)
        .unwrap_or(&m.encoders[0]);
    let e2 = &m.encoders[0];
    let setup = "<m:StreamSetup><t:Stream>RTP-Unicast</t:Stream><t:Transport><t:Protocol>RTSP</t:Protocol></t:Transport></m:StreamSetup>";
    let mut calls: Vec<Call> = vec![
        (Svc::Media, "GetServiceCapabilities", String::new(), 200),
        (Svc::Media, "GetProfiles", String::new(), 200),
        (Svc::Media, "GetProfile", format!("<m:ProfileToken>{p0}</m:ProfileToken>"), 200),
        (Svc::Media, "GetVideoSources", String::new(), 200),
        (Svc::Media, "GetVideoSourceConfigurations", String::new(), 200),
        (Svc::Media, "GetVideoEncoderConfigurations", String::new(), 200),
        (
            Svc::Media,
            "GetVideoEncoderConfiguration",
            format!("<m:ConfigurationToken>{}</m:ConfigurationToken>", e1.token),
            200,
        ),
        (
            Svc::Media,
            "GetVideoEncoderConfigurationOptions",
            format!("<m:ConfigurationToken>{}</m:ConfigurationToken>", e1.token),
            200,
        ),
        (
            Svc::Media,
            "GetVideoEncoderConfigurationOptions",
            format!("<m:ProfileToken>{p0}</m:ProfileToken>"),
            200,
        ),
        (Svc::Media, "GetVideoEncoderConfigurationOptions", String::new(), 200),
        (Svc::Media, "GetAudioSourceConfigurations", String::new(), 200),
        (Svc::Media, "GetAudioEncoderConfigurations", String::new(), 200),
        (
            Svc::Media,
            "GetStreamUri",
            format!("{setup}<m:ProfileToken>{p0}</m:ProfileToken>"),
            200,
        ),
        (
            Svc::Media,
            "CreateProfile",
            "<m:Name>conformance</m:Name><m:Token>conf_1</m:Token>".into(),
            200,
        ),
        (
            Svc::Media,
            "GetStreamUri",
            format!("{setup}<m:ProfileToken>conf_1</m:ProfileToken>"),
            500,
        ),
        (
            Svc::Media,
            "AddVideoSourceConfiguration",
            format!("<m:ProfileToken>conf_1</m:ProfileToken><m:ConfigurationToken>{vsc}</m:ConfigurationToken>"),
            200,
        ),
        (
            Svc::Media,
            "AddVideoEncoderConfiguration",
            format!(
                "<m:ProfileToken>conf_1</m:ProfileToken><m:ConfigurationToken>{}</m:ConfigurationToken>",
                e1.token
            ),
            200,
        ),
        (
            Svc::Media,
            "SetVideoEncoderConfiguration",
            vec_v1(e1, e1.resolution.width),
            200,
        ),
        (
            Svc::Media,
            "SetVideoEncoderConfiguration",
            vec_v1(e1, 1),
            400,
        ),
        (
            Svc::Media,
            "RemoveVideoEncoderConfiguration",
            "<m:ProfileToken>conf_1</m:ProfileToken>".into(),
            200,
        ),
        (
            Svc::Media,
            "DeleteProfile",
            "<m:ProfileToken>conf_1</m:ProfileToken>".into(),
            200,
        ),
        (
            Svc::Media,
            "GetProfile",
            "<m:ProfileToken>conf_1</m:ProfileToken>".into(),
            400,
        ),
        (Svc::Media2, "GetServiceCapabilities", String::new(), 200),
        (Svc::Media2, "GetProfiles", String::new(), 200),
        (Svc::Media2, "GetProfiles", "<m:Type>All</m:Type>".into(), 200),
        (Svc::Media2, "GetVideoSourceConfigurations", String::new(), 200),
        (Svc::Media2, "GetVideoEncoderConfigurations", String::new(), 200),
        (Svc::Media2, "GetAudioSourceConfigurations", String::new(), 200),
        (Svc::Media2, "GetAudioEncoderConfigurations", String::new(), 200),
        (
            Svc::Media2,
            "GetVideoEncoderConfigurationOptions",
            format!("<m:ProfileToken>{p0}</m:ProfileToken>"),
            200,
        ),
        (
            Svc::Media2,
            "GetStreamUri",
            format!("<m:Protocol>RtspUnicast</m:Protocol><m:ProfileToken>{p0}</m:ProfileToken>"),
            200,
        ),
        (
            Svc::Media2,
            "GetStreamUri",
            format!("<m:Protocol>Carrier-Pigeon</m:Protocol><m:ProfileToken>{p0}</m:ProfileToken>"),
            400,
        ),
        (
            Svc::Media2,
            "CreateProfile",
            "<m:Name>conformance2</m:Name><m:Configuration><m:Type>VideoSource</m:Type></m:Configuration>".into(),
            200,
        ),
        (
            Svc::Media2,
            "SetVideoEncoderConfiguration",
            vec_v2(e2, e2.resolution.width),
            200,
        ),
        (
            Svc::Media2,
            "SetVideoEncoderConfiguration",
            vec_v2(e2, 3),
            400,
        ),
    ];
    if let Some(ptz) = persona.ptz.as_ref() {
        let c0 = &ptz.configurations[0].token;
        let at = calls
            .iter()
            .position(|c| c.1 == "RemoveVideoEncoderConfiguration")
            .unwrap();
        calls.insert(
            at,
            (
                Svc::Media,
                "AddPTZConfiguration",
                format!("<m:ProfileToken>conf_1</m:ProfileToken><m:ConfigurationToken>{c0}</m:ConfigurationToken>"),
                200,
            ),
        );
        calls.insert(
            at + 1,
            (
                Svc::Media,
                "RemovePTZConfiguration",
                "<m:ProfileToken>conf_1</m:ProfileToken>".into(),
                200,
            ),
        );
    }
    if let Some(a) = m.audio_encoders.first() {
        // Its own values are within its options; 1 kbit/s is in no persona's list.
        let set_v1 = |bitrate: u32| {
            format!(
                "<m:Configuration token=\"{}\"><t:Name>{}</t:Name><t:UseCount>0</t:UseCount><t:Encoding>{}</t:Encoding>\
                 <t:Bitrate>{bitrate}</t:Bitrate><t:SampleRate>{}</t:SampleRate><t:Multicast><t:Address><t:Type>IPv4</t:Type>\
                 <t:IPv4Address>0.0.0.0</t:IPv4Address></t:Address><t:Port>0</t:Port><t:TTL>1</t:TTL><t:AutoStart>false</t:AutoStart>\
                 </t:Multicast><t:SessionTimeout>PT60S</t:SessionTimeout></m:Configuration><m:ForcePersistence>true</m:ForcePersistence>",
                a.token,
                a.name,
                a.encoding.media1_name(),
                a.sample_rate
            )
        };
        let set_v2 = |bitrate: u32| {
            format!(
                "<m:Configuration token=\"{}\"><t:Name>{}</t:Name><t:UseCount>0</t:UseCount><t:Encoding>{}</t:Encoding>\
                 <t:Bitrate>{bitrate}</t:Bitrate><t:SampleRate>{}</t:SampleRate></m:Configuration>",
                a.token,
                a.name,
                a.encoding.media2_name(),
                a.sample_rate
            )
        };
        let token = format!("<m:ConfigurationToken>{}</m:ConfigurationToken>", a.token);
        calls.extend([
            (
                Svc::Media,
                "GetAudioEncoderConfigurationOptions",
                String::new(),
                200,
            ),
            (
                Svc::Media,
                "GetAudioEncoderConfigurationOptions",
                token.clone(),
                200,
            ),
            (
                Svc::Media,
                "SetAudioEncoderConfiguration",
                set_v1(a.bitrate),
                200,
            ),
            (Svc::Media, "SetAudioEncoderConfiguration", set_v1(1), 400),
            (
                Svc::Media2,
                "GetAudioEncoderConfigurationOptions",
                token,
                200,
            ),
            (
                Svc::Media2,
                "SetAudioEncoderConfiguration",
                set_v2(a.bitrate),
                200,
            ),
            (Svc::Media2, "SetAudioEncoderConfiguration", set_v2(1), 400),
        ]);
    }
    if m.snapshot_uri.is_some() {
        calls.push((
            Svc::Media,
            "GetSnapshotUri",
            format!("<m:ProfileToken>{p0}</m:ProfileToken>"),
            200,
        ));
        calls.push((
            Svc::Media2,
            "GetSnapshotUri",
            format!("<m:ProfileToken>{p0}</m:ProfileToken>"),
            200,
        ));
    }
    if m.profiles[0].fixed {
        calls.push((
            Svc::Media,
            "DeleteProfile",
            format!("<m:ProfileToken>{p0}</m:ProfileToken>"),
            500,
        ));
    }
    calls
}

/// Every PTZ operation the mock implements, with tokens from the persona.
fn ptz_calls(persona: &Persona) -> Vec<Call> {
    let (Some(ptz), Some(m)) = (persona.ptz.as_ref(), persona.media.as_ref()) else {
        return Vec::new();
    };
    let p0 = &m.profiles.iter().find(|p| p.ptz.is_some()).unwrap().token;
    let c0 = &ptz.configurations[0].token;
    let node = &ptz.node.token;
    let prof = format!("<m:ProfileToken>{p0}</m:ProfileToken>");
    let generic = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace";
    let mut calls: Vec<Call> = vec![
        (Svc::Ptz, "GetServiceCapabilities", String::new(), 200),
        (Svc::Ptz, "GetNodes", String::new(), 200),
        (
            Svc::Ptz,
            "GetNode",
            format!("<m:NodeToken>{node}</m:NodeToken>"),
            200,
        ),
        (
            Svc::Ptz,
            "GetNode",
            "<m:NodeToken>nope</m:NodeToken>".into(),
            400,
        ),
        (Svc::Ptz, "GetConfigurations", String::new(), 200),
        (
            Svc::Ptz,
            "GetConfiguration",
            format!("<m:PTZConfigurationToken>{c0}</m:PTZConfigurationToken>"),
            200,
        ),
        (
            Svc::Ptz,
            "GetConfigurationOptions",
            format!("<m:ConfigurationToken>{c0}</m:ConfigurationToken>"),
            200,
        ),
        (Svc::Ptz, "GetPresets", prof.clone(), 200),
        (Svc::Ptz, "GetStatus", prof.clone(), 200),
        (
            Svc::Ptz,
            "AbsoluteMove",
            format!(
                "{prof}<m:Position><t:PanTilt x=\"0.1\" y=\"0.2\" space=\"{generic}\"/><t:Zoom x=\"0.3\"/></m:Position>"
            ),
            200,
        ),
        (
            Svc::Ptz,
            "AbsoluteMove",
            format!("{prof}<m:Position><t:PanTilt x=\"5\" y=\"0\"/></m:Position>"),
            400,
        ),
        (
            Svc::Ptz,
            "RelativeMove",
            format!(
                "{prof}<m:Translation><t:PanTilt x=\"0.1\" y=\"-0.1\"/><t:Zoom x=\"0.1\"/></m:Translation>"
            ),
            200,
        ),
        (Svc::Ptz, "Stop", prof.clone(), 200),
        (
            Svc::Ptz,
            "SetPreset",
            format!("{prof}<m:PresetName>conformance</m:PresetName>"),
            200,
        ),
        (
            Svc::Ptz,
            "SetPreset",
            format!("{prof}<m:PresetToken>no-such-preset</m:PresetToken>"),
            400,
        ),
        (
            Svc::Ptz,
            "SetConfiguration",
            format!(
                "<m:PTZConfiguration token=\"{c0}\"><t:Name>{}</t:Name><t:UseCount>1</t:UseCount><t:NodeToken>{node}</t:NodeToken>\
                 <t:DefaultAbsolutePantTiltPositionSpace>{generic}</t:DefaultAbsolutePantTiltPositionSpace>\
                 <t:DefaultPTZTimeout>PT10S</t:DefaultPTZTimeout></m:PTZConfiguration><m:ForcePersistence>true</m:ForcePersistence>",
                ptz.configurations[0].name
            ),
            200,
        ),
    ];
    if ptz.node.home_supported {
        if !ptz.node.fixed_home {
            calls.push((Svc::Ptz, "SetHomePosition", prof.clone(), 200));
        }
        calls.push((Svc::Ptz, "GotoHomePosition", prof.clone(), 200));
    }
    calls
}

/// PTZ calls that need the token SetPreset returned.
fn ptz_preset_calls(m: &MediaSpec, token: &str) -> Vec<Call> {
    let p0 = &m.profiles.iter().find(|p| p.ptz.is_some()).unwrap().token;
    let prof = format!("<m:ProfileToken>{p0}</m:ProfileToken>");
    vec![
        (
            Svc::Ptz,
            "GotoPreset",
            format!("{prof}<m:PresetToken>{token}</m:PresetToken>"),
            200,
        ),
        (
            Svc::Ptz,
            "RemovePreset",
            format!("{prof}<m:PresetToken>{token}</m:PresetToken>"),
            200,
        ),
    ]
}

/// Every recording operation the mock implements, with tokens from the persona.
fn recording_calls(persona: &Persona) -> Vec<Call> {
    let (Some(rec), Some(m)) = (persona.recording.as_ref(), persona.media.as_ref()) else {
        return Vec::new();
    };
    let dynamic = persona
        .service(ServiceKind::Recording)
        .and_then(|s| s.capabilities.get("DynamicRecordings"))
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let r0 = &rec.recordings[0];
    let rt = format!("<m:RecordingToken>{}</m:RecordingToken>", r0.token);
    let p0 = &m.profiles[0].token;
    let config = "<m:RecordingConfiguration><t:Source><t:SourceId></t:SourceId><t:Name>conformance</t:Name><t:Location>lab</t:Location>\
                  <t:Description></t:Description><t:Address></t:Address></t:Source><t:Content>c</t:Content>\
                  <t:MaximumRetentionTime>P7D</t:MaximumRetentionTime></m:RecordingConfiguration>";
    let job = |recording: &str| {
        format!(
            "<m:JobConfiguration><t:RecordingToken>{recording}</t:RecordingToken><t:Mode>Active</t:Mode><t:Priority>3</t:Priority>\
             <t:Source><t:SourceToken Type=\"http://www.onvif.org/ver10/schema/Profile\"><t:Token>{p0}</t:Token></t:SourceToken></t:Source></m:JobConfiguration>"
        )
    };
    let mut calls: Vec<Call> = vec![
        (Svc::Recording, "GetServiceCapabilities", String::new(), 200),
        (Svc::Recording, "GetRecordings", String::new(), 200),
        (Svc::Recording, "GetRecordingConfiguration", rt.clone(), 200),
        (
            Svc::Recording,
            "GetRecordingConfiguration",
            "<m:RecordingToken>nope</m:RecordingToken>".into(),
            400,
        ),
        (
            Svc::Recording,
            "SetRecordingConfiguration",
            format!("{rt}{config}"),
            200,
        ),
        (
            Svc::Recording,
            "GetTrackConfiguration",
            format!("{rt}<m:TrackToken>{}</m:TrackToken>", r0.tracks[0].token),
            200,
        ),
        (Svc::Recording, "GetRecordingJobs", String::new(), 200),
        (Svc::Recording, "GetRecordingOptions", rt.clone(), 200),
        (Svc::Recording, "CreateRecordingJob", job("nope"), 400),
    ];
    for j in &rec.jobs {
        let jt = format!("<m:JobToken>{}</m:JobToken>", j.token);
        calls.push((
            Svc::Recording,
            "GetRecordingJobConfiguration",
            jt.clone(),
            200,
        ));
        calls.push((Svc::Recording, "GetRecordingJobState", jt.clone(), 200));
        calls.push((
            Svc::Recording,
            "SetRecordingJobMode",
            format!("{jt}<m:Mode>Idle</m:Mode>"),
            200,
        ));
        calls.push((Svc::Recording, "DeleteRecordingJob", jt, 200));
    }
    calls.push((Svc::Recording, "CreateRecordingJob", job(&r0.token), 200));
    if dynamic {
        calls.push((Svc::Recording, "CreateRecording", config.into(), 200));
    } else {
        calls.push((Svc::Recording, "CreateRecording", config.into(), 500));
    }
    calls
}

/// Recording calls that need the token CreateRecording returned.
fn recording_made_calls(persona: &Persona, token: &str) -> Vec<Call> {
    let dynamic_tracks = persona
        .service(ServiceKind::Recording)
        .and_then(|s| s.capabilities.get("DynamicTracks"))
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let status = if dynamic_tracks { 200 } else { 500 };
    let rt = format!("<m:RecordingToken>{token}</m:RecordingToken>");
    let mut calls = vec![(
        Svc::Recording,
        "CreateTrack",
        format!(
            "{rt}<m:TrackConfiguration><t:TrackType>Video</t:TrackType><t:Description>second</t:Description></m:TrackConfiguration>"
        ),
        status,
    )];
    if dynamic_tracks {
        calls.push((
            Svc::Recording,
            "DeleteTrack",
            format!("{rt}<m:TrackToken>VIDEO002</m:TrackToken>"),
            200,
        ));
    }
    calls.push((Svc::Recording, "DeleteRecording", rt, 200));
    calls
}

/// Every imaging operation, on the first video source.
fn imaging_calls(persona: &Persona) -> Vec<Call> {
    let (Some(_), Some(m)) = (persona.imaging.as_ref(), persona.media.as_ref()) else {
        return Vec::new();
    };
    let vs = format!(
        "<m:VideoSourceToken>{}</m:VideoSourceToken>",
        m.video_sources[0].token
    );
    vec![
        (Svc::Imaging, "GetServiceCapabilities", String::new(), 200),
        (Svc::Imaging, "GetImagingSettings", vs.clone(), 200),
        (Svc::Imaging, "GetOptions", vs.clone(), 200),
        (
            Svc::Imaging,
            "SetImagingSettings",
            format!(
                "{vs}<m:ImagingSettings><t:Brightness>40</t:Brightness><t:Contrast>45</t:Contrast></m:ImagingSettings>"
            ),
            200,
        ),
        (
            Svc::Imaging,
            "SetImagingSettings",
            format!("{vs}<m:ImagingSettings><t:Brightness>400</t:Brightness></m:ImagingSettings>"),
            400,
        ),
        (
            Svc::Imaging,
            "GetImagingSettings",
            "<m:VideoSourceToken>nope</m:VideoSourceToken>".into(),
            400,
        ),
    ]
}

/// Media2 calls that need the token CreateProfile returned.
fn media2_profile_calls(m: &MediaSpec, token: &str) -> Vec<Call> {
    vec![
        (
            Svc::Media2,
            "AddConfiguration",
            format!(
                "<m:ProfileToken>{token}</m:ProfileToken><m:Name>renamed</m:Name><m:Configuration><m:Type>VideoEncoder</m:Type><m:Token>{}</m:Token></m:Configuration>",
                m.encoders[0].token
            ),
            200,
        ),
        (
            Svc::Media2,
            "RemoveConfiguration",
            format!(
                "<m:ProfileToken>{token}</m:ProfileToken><m:Configuration><m:Type>VideoEncoder</m:Type></m:Configuration>"
            ),
            200,
        ),
        (
            Svc::Media2,
            "DeleteProfile",
            format!("<m:Token>{token}</m:Token>"),
            200,
        ),
    ]
}

async fn run(s: &Services, svc: Svc, op: &str, inner: &str) -> HttpResponse {
    match svc {
        Svc::Media => s.media(op, inner).await,
        Svc::Media2 => s.media2(op, inner).await,
        Svc::Ptz => s.ptz(op, inner).await,
        Svc::Recording => s.recording(op, inner).await,
        Svc::Imaging => s.imaging(op, inner).await,
    }
}

/// Run `calls` (and the follow-ups their answers make possible) on `dev`, saving each answer.
async fn exercise(
    dev: &MockDevice,
    persona: &Persona,
    name: &str,
    mut calls: Vec<Call>,
    dir: &std::path::Path,
    files: &mut Vec<std::path::PathBuf>,
) {
    let services = Services::new(dev);
    let first = files.len();
    let mut i = 0;
    while i < calls.len() {
        let (svc, op, inner, status) = calls[i].clone();
        let resp = run(&services, svc, op, &inner).await;
        assert_eq!(
            resp.status,
            status,
            "{name} {svc:?} {op} {inner}: {}",
            resp.text()
        );
        match (svc, op, persona.media.as_ref()) {
            (Svc::Media2, "CreateProfile", Some(m)) => {
                calls.extend(media2_profile_calls(m, &resp.first("Token")));
            }
            (Svc::Recording, "CreateRecording", _) if status == 200 => {
                calls.extend(recording_made_calls(persona, &resp.first("RecordingToken")));
            }
            (Svc::Ptz, "SetPreset", Some(m)) if status == 200 => {
                calls.extend(ptz_preset_calls(m, &resp.first("PresetToken")));
            }
            _ => {}
        }
        let path = dir.join(format!("{name}-{svc:?}-{:03}-{op}.xml", first + i));
        std::fs::write(&path, &resp.body).unwrap();
        files.push(path);
        i += 1;
    }
}

#[tokio::test]
async fn every_response_validates_against_the_onvif_schemas() {
    let (tool, schema_dir) = validator().expect(
        "onvif-validate needs xmllint (apt-get install libxml2-utils) and shared/tools/onvif-validate",
    );
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for name in Persona::builtin_names() {
        let persona = Persona::builtin(name).unwrap();
        let bind: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let dev = MockDevice::start(DeviceConfig::new(persona.clone(), bind).auth(AuthMode::None))
            .await
            .unwrap();
        let nic = &persona.network.interfaces[0].token;
        for (i, (op, inner, status)) in CALLS.iter().enumerate() {
            let inner = inner.replace(
                "<d:InterfaceToken>eth0</d:InterfaceToken>",
                &format!("<d:InterfaceToken>{nic}</d:InterfaceToken>"),
            );
            let resp = call(dev.addr(), op, &inner).await;
            // The NVR personas have no imaging service: asking for its capabilities is a
            // NoSuchService fault (validated like the rest).
            let status = if inner.contains("<d:Category>Imaging</d:Category>")
                && persona.service(ServiceKind::Imaging).is_none()
            {
                500
            } else {
                *status
            };
            assert_eq!(resp.status, status, "{name} {op}: {}", resp.text());
            let path = dir.path().join(format!("{name}-{i:02}-{op}.xml"));
            std::fs::write(&path, &resp.body).unwrap();
            files.push(path);
        }
        exercise(
            &dev,
            &persona,
            name,
            media_calls(&persona),
            dir.path(),
            &mut files,
        )
        .await;
        let mut calls = ptz_calls(&persona);
        calls.extend(recording_calls(&persona));
        calls.extend(imaging_calls(&persona));
        exercise(&dev, &persona, name, calls, dir.path(), &mut files).await;
        // Faults raised before dispatch: credentials and XML.
        let guarded = MockDevice::start(DeviceConfig::new(persona, bind).auth(AuthMode::Wsse))
            .await
            .unwrap();
        let refused = call(guarded.addr(), "GetUsers", "").await;
        assert_eq!(refused.status, 400);
        let malformed = http(guarded.addr(), "POST", DEVICE_PATH, &[], b"<oops")
            .await
            .unwrap();
        for (label, resp) in [("notauthorized", refused), ("wellformed", malformed)] {
            let path = dir.path().join(format!("{name}-{label}.xml"));
            std::fs::write(&path, &resp.body).unwrap();
            files.push(path);
        }
    }
    // No built-in persona has dynamic tracks; a variant shows CreateTrack/DeleteTrack answers.
    let text = include_str!("../../personas/axis-p3265-lve.toml").replace(
        "DynamicRecordings = true,",
        "DynamicRecordings = true, DynamicTracks = true,",
    );
    let variant = Persona::from_toml(&text, "axis-dynamic-tracks").unwrap();
    let bind: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let dev = MockDevice::start(DeviceConfig::new(variant.clone(), bind).auth(AuthMode::None))
        .await
        .unwrap();
    let calls = recording_calls(&variant);
    exercise(
        &dev,
        &variant,
        "axis-dynamic-tracks",
        calls,
        dir.path(),
        &mut files,
    )
    .await;
    // The Dahua stub-encoder quirk is schema-invalid on purpose: those answers are checked
    // to fail for exactly that reason, everything else must be valid.
    let stub = "</tt:UseCount></tt:VideoEncoderConfiguration>";
    let quirky_personas: Vec<&str> = Persona::builtin_names()
        .into_iter()
        .filter(|n| {
            !Persona::builtin(n)
                .unwrap()
                .quirks
                .media1_stub_encoders
                .is_empty()
        })
        .collect();
    let (quirky, files): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains(stub)));
    for f in &quirky {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            quirky_personas.iter().any(|p| name.starts_with(p)),
            "{name} strips an encoder without the quirk"
        );
    }
    assert!(
        !quirky_personas.is_empty() && !quirky.is_empty(),
        "the stub-encoder quirk was not exercised"
    );
    let validate = |files: &[std::path::PathBuf]| {
        let mut cmd = std::process::Command::new(&tool);
        if let Some(schemas) = &schema_dir {
            cmd.env("ONVIF_SCHEMA_ROOT", schemas);
        }
        cmd.args(files).output().expect("onvif-validate runs")
    };
    let out = validate(&files);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let valid = stdout.lines().filter(|l| l.ends_with(": valid")).count();
    assert!(
        out.status.success() && valid == files.len(),
        "{valid} of {} responses valid\nstdout:\n{stdout}\nstderr:\n{stderr}",
        files.len()
    );
    let out = validate(&quirky);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    for line in stdout.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            line.contains("VideoEncoderConfiguration") && line.contains("Encoding"),
            "the stub-encoder answers fail only for the missing Encoding: {line}"
        );
    }
}
