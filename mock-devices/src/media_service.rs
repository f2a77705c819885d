//! The Media ver10 service (trt): profiles and configurations over the shared media state,
//! with ver10's limits (no H.265, whole-number frame rates).

use crate::device_service::{Access, Ctx, service_capabilities, xaddr};
use crate::media::{
    self, Codec, MediaSpec, MediaState, Profile, VideoEncoder, check_encoder, media1_codec,
    no_config,
};
use crate::persona::{Persona, ServiceKind};
use crate::soap::{Fault, ns};
use crate::wire::{
    fill, fmt_float, int_range, parse_bool, parse_duration, parse_float, parse_int, required,
    required_text, token,
};
use crate::xml::{Node, Writer};

/// Access class of a Media operation; `None` when the mock does not implement it.
pub fn access(operation: &str) -> Option<Access> {
    Some(match operation {
        "GetServiceCapabilities" => Access::PreAuth,
        "GetProfiles"
        | "GetProfile"
        | "GetVideoSources"
        | "GetVideoSourceConfigurations"
        | "GetVideoEncoderConfigurations"
        | "GetVideoEncoderConfiguration"
        | "GetVideoEncoderConfigurationOptions"
        | "GetAudioSourceConfigurations"
        | "GetAudioEncoderConfigurations"
        | "GetAudioEncoderConfigurationOptions"
        | "GetStreamUri"
        | "GetSnapshotUri" => Access::ReadMedia,
        "CreateProfile"
        | "SetAudioEncoderConfiguration"
        | "DeleteProfile"
        | "AddVideoSourceConfiguration"
        | "AddVideoEncoderConfiguration"
        | "AddAudioSourceConfiguration"
        | "AddAudioEncoderConfiguration"
        | "AddPTZConfiguration"
        | "RemoveVideoSourceConfiguration"
        | "RemoveVideoEncoderConfiguration"
        | "RemoveAudioSourceConfiguration"
        | "RemoveAudioEncoderConfiguration"
        | "RemovePTZConfiguration"
        | "SetVideoEncoderConfiguration" => Access::Actuate,
        _ => return None,
    })
}

/// The persona's media section; dispatch only reaches here for personas with a media
/// service, and validation guarantees those have one.
pub(crate) fn spec(p: &Persona) -> Result<&MediaSpec, Fault> {
    p.media
        .as_ref()
        .ok_or_else(|| Fault::action_not_supported("this device has no media configuration"))
}

/// Run one Media operation; `Ok` is the response payload element.
pub fn handle(operation: &str, req: &Node, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let spec = spec(ctx.persona)?;
    match operation {
        "GetServiceCapabilities" => {
            let mut w = Writer::new();
            w.open("trt:GetServiceCapabilitiesResponse", &[]);
            if let Some(s) = ctx.persona.service(ServiceKind::Media) {
                service_capabilities(&mut w, s);
            }
            w.close("trt:GetServiceCapabilitiesResponse");
            Ok(w.finish())
        }
        "GetProfiles" => {
            let mut w = Writer::new();
            w.open("trt:GetProfilesResponse", &[]);
            for p in &ctx.state.media.profiles {
                write_profile(&mut w, "trt:Profiles", p, ctx);
            }
            w.close("trt:GetProfilesResponse");
            Ok(w.finish())
        }
        "GetProfile" => {
            let t = token(req, ns::TRT, "ProfileToken")?;
            let p = ctx.state.media.profile(t)?;
            let mut w = Writer::new();
            w.open("trt:GetProfileResponse", &[]);
            write_profile(&mut w, "trt:Profile", p, ctx);
            w.close("trt:GetProfileResponse");
            Ok(w.finish())
        }
        "GetVideoSources" => {
            let mut w = Writer::new();
            w.open("trt:GetVideoSourcesResponse", &[]);
            for s in &spec.video_sources {
                w.open("trt:VideoSources", &[("token", &s.token)])
                    .leaf("tt:Framerate", fmt_float(s.framerate))
                    .open("tt:Resolution", &[])
                    .leaf("tt:Width", s.resolution.width)
                    .leaf("tt:Height", s.resolution.height)
                    .close("tt:Resolution")
                    .close("trt:VideoSources");
            }
            w.close("trt:GetVideoSourcesResponse");
            Ok(w.finish())
        }
        "GetVideoSourceConfigurations" => {
            let mut w = Writer::new();
            w.open("trt:GetVideoSourceConfigurationsResponse", &[]);
            for c in &spec.video_source_configurations {
                let n = ctx
                    .state
                    .media
                    .use_count(|p| p.video_source.as_ref(), &c.token);
                media::write_video_source_configuration(&mut w, "trt:Configurations", c, n);
            }
            w.close("trt:GetVideoSourceConfigurationsResponse");
            Ok(w.finish())
        }
        "GetAudioSourceConfigurations" => {
            let mut w = Writer::new();
            w.open("trt:GetAudioSourceConfigurationsResponse", &[]);
            for c in &spec.audio_sources {
                let n = ctx
                    .state
                    .media
                    .use_count(|p| p.audio_source.as_ref(), &c.token);
                media::write_audio_source_configuration(&mut w, "trt:Configurations", c, n);
            }
            w.close("trt:GetAudioSourceConfigurationsResponse");
            Ok(w.finish())
        }
        "GetAudioEncoderConfigurations" => {
            let mut w = Writer::new();
            w.open("trt:GetAudioEncoderConfigurationsResponse", &[]);
            for a in &ctx.state.media.audio_encoders {
                let n = ctx
                    .state
                    .media
                    .use_count(|p| p.audio_encoder.as_ref(), &a.token);
                media::write_audio_encoder_v1(&mut w, "trt:Configurations", a, n);
            }
            w.close("trt:GetAudioEncoderConfigurationsResponse");
            Ok(w.finish())
        }
        "GetVideoEncoderConfigurations" => {
            let mut w = Writer::new();
            w.open("trt:GetVideoEncoderConfigurationsResponse", &[]);
            let state = &ctx.state.media;
            for e in &state.encoders {
                if let Some(codec) = media1_codec(spec, e) {
                    let n = state.use_count(|p| p.video_encoder.as_ref(), &e.token);
                    media::write_video_encoder_v1(&mut w, "trt:Configurations", e, codec, n, false);
                }
            }
            w.close("trt:GetVideoEncoderConfigurationsResponse");
            Ok(w.finish())
        }
        "GetVideoEncoderConfiguration" => {
            let t = token(req, ns::TRT, "ConfigurationToken")?;
            let state = &ctx.state.media;
            let e = state.encoder(t)?;
            let codec = media1_codec(spec, e).ok_or_else(|| h265_hidden(t))?;
            let n = state.use_count(|p| p.video_encoder.as_ref(), t);
            let mut w = Writer::new();
            w.open("trt:GetVideoEncoderConfigurationResponse", &[]);
            media::write_video_encoder_v1(&mut w, "trt:Configuration", e, codec, n, false);
            w.close("trt:GetVideoEncoderConfigurationResponse");
            Ok(w.finish())
        }
        "GetVideoEncoderConfigurationOptions" => encoder_options(req, spec, ctx),
        "GetAudioEncoderConfigurationOptions" => {
            if let Some(t) = req.child_text(ns::TRT, "ConfigurationToken") {
                ctx.state.media.audio_encoder(t)?;
            }
            if let Some(t) = req.child_text(ns::TRT, "ProfileToken") {
                ctx.state.media.profile(t)?;
            }
            let mut w = Writer::new();
            w.open("trt:GetAudioEncoderConfigurationOptionsResponse", &[]);
            media::write_audio_options_v1(&mut w, "trt:Options", &spec.audio_options());
            w.close("trt:GetAudioEncoderConfigurationOptionsResponse");
            Ok(w.finish())
        }
        "SetAudioEncoderConfiguration" => {
            let c = required(req, ns::TRT, "Configuration")?;
            parse_bool(required(req, ns::TRT, "ForcePersistence")?)?;
            let encoding = required_text(c, ns::TT, "Encoding")?;
            let codec = media::AudioCodec::from_media1(encoding).ok_or_else(|| {
                config_modify(format!(
                    "encoding {encoding} is not a tt:AudioEncoding (G711, G726 or AAC)"
                ))
            })?;
            set_audio_encoder(c, codec, spec, ctx)?;
            Ok(empty("SetAudioEncoderConfiguration"))
        }
        "GetStreamUri" => stream_uri(req, spec, ctx),
        "GetSnapshotUri" => snapshot_uri(req, spec, ctx),
        "CreateProfile" => create_profile(req, spec, ctx),
        "DeleteProfile" => {
            let t = token(req, ns::TRT, "ProfileToken")?;
            delete_profile(&mut ctx.state.media, t)?;
            Ok(empty("DeleteProfile"))
        }
        "AddVideoSourceConfiguration" => add(req, ctx, operation, |spec, _, t| {
            spec.video_source_configurations
                .iter()
                .any(|c| c.token == t)
                .then_some(Slot::VideoSource)
                .ok_or_else(|| no_config(t))
        }),
        "AddVideoEncoderConfiguration" => add(req, ctx, operation, |_, ctx, t| {
            ctx.state.media.encoder(t)?;
            Ok(Slot::VideoEncoder)
        }),
        "AddAudioSourceConfiguration" => add(req, ctx, operation, |spec, _, t| {
            spec.audio_sources
                .iter()
                .any(|c| c.token == t)
                .then_some(Slot::AudioSource)
                .ok_or_else(|| no_config(t))
        }),
        "AddAudioEncoderConfiguration" => add(req, ctx, operation, |_, ctx, t| {
            ctx.state.media.audio_encoder(t)?;
            Ok(Slot::AudioEncoder)
        }),
        "AddPTZConfiguration" => add(req, ctx, operation, |_, ctx, t| {
            crate::ptz::configuration_exists(ctx.persona.ptz.as_ref(), t)
                .then_some(Slot::Ptz)
                .ok_or_else(|| no_config(t))
        }),
        "RemovePTZConfiguration" => remove(req, ctx, operation, Slot::Ptz),
        "RemoveVideoSourceConfiguration" => remove(req, ctx, operation, Slot::VideoSource),
        "RemoveVideoEncoderConfiguration" => remove(req, ctx, operation, Slot::VideoEncoder),
        "RemoveAudioSourceConfiguration" => remove(req, ctx, operation, Slot::AudioSource),
        "RemoveAudioEncoderConfiguration" => remove(req, ctx, operation, Slot::AudioEncoder),
        "SetVideoEncoderConfiguration" => set_video_encoder(req, spec, ctx),
        other => Err(Fault::action_not_supported(format!(
            "the media service does not implement {other}"
        ))),
    }
}

fn empty(op: &str) -> String {
    format!("<trt:{op}Response/>")
}

/// A ver10 client asking for an encoder the ver10 view leaves out.
fn h265_hidden(token: &str) -> Fault {
    Fault::invalid_arg(
        "ter:NoConfig",
        format!("The configuration {token} is encoded in H.265, which Media ver10 cannot express"),
    )
}

/// One of a profile's configuration slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    VideoSource,
    AudioSource,
    VideoEncoder,
    AudioEncoder,
    Ptz,
}

impl Slot {
    pub(crate) fn of(self, p: &mut Profile) -> &mut Option<String> {
        match self {
            Self::VideoSource => &mut p.video_source,
            Self::AudioSource => &mut p.audio_source,
            Self::VideoEncoder => &mut p.video_encoder,
            Self::AudioEncoder => &mut p.audio_encoder,
            Self::Ptz => &mut p.ptz,
        }
    }
}

fn add(
    req: &Node,
    ctx: &mut Ctx<'_>,
    op: &str,
    check: impl FnOnce(&MediaSpec, &Ctx<'_>, &str) -> Result<Slot, Fault>,
) -> Result<String, Fault> {
    let spec = spec(ctx.persona)?;
    let profile = token(req, ns::TRT, "ProfileToken")?;
    let config = token(req, ns::TRT, "ConfigurationToken")?;
    ctx.state.media.profile(profile)?;
    let slot = check(spec, ctx, config)?;
    let p = ctx.state.media.profile_mut(profile)?;
    *slot.of(p) = Some(config.to_string());
    Ok(empty(op))
}

fn remove(req: &Node, ctx: &mut Ctx<'_>, op: &str, slot: Slot) -> Result<String, Fault> {
    let profile = token(req, ns::TRT, "ProfileToken")?;
    let p = ctx.state.media.profile_mut(profile)?;
    *slot.of(p) = None;
    Ok(empty(op))
}

/// `tt:Profile` under `name`, as the ver10 view shows it.
fn write_profile(w: &mut Writer, name: &str, p: &Profile, ctx: &Ctx<'_>) {
    let Some(spec) = ctx.persona.media.as_ref() else {
        return;
    };
    let state = &ctx.state.media;
    w.open(
        name,
        &[
            ("token", &p.token),
            ("fixed", if p.fixed { "true" } else { "false" }),
        ],
    )
    .leaf("tt:Name", &p.name);
    if let Some(c) = p.video_source.as_ref().and_then(|t| {
        spec.video_source_configurations
            .iter()
            .find(|c| &c.token == t)
    }) {
        let n = state.use_count(|p| p.video_source.as_ref(), &c.token);
        media::write_video_source_configuration(w, "tt:VideoSourceConfiguration", c, n);
    }
    if let Some(c) = p
        .audio_source
        .as_ref()
        .and_then(|t| spec.audio_sources.iter().find(|c| &c.token == t))
    {
        let n = state.use_count(|p| p.audio_source.as_ref(), &c.token);
        media::write_audio_source_configuration(w, "tt:AudioSourceConfiguration", c, n);
    }
    if let Some(e) = p
        .video_encoder
        .as_ref()
        .and_then(|t| state.encoders.iter().find(|e| &e.token == t))
    {
        if let Some(codec) = media1_codec(spec, e) {
            let n = state.use_count(|p| p.video_encoder.as_ref(), &e.token);
            let stub = ctx.persona.quirks.media1_stub_encoders.contains(&e.token);
            media::write_video_encoder_v1(w, "tt:VideoEncoderConfiguration", e, codec, n, stub);
        }
    }
    if let Some(a) = p
        .audio_encoder
        .as_ref()
        .and_then(|t| state.audio_encoders.iter().find(|a| &a.token == t))
    {
        let n = state.use_count(|p| p.audio_encoder.as_ref(), &a.token);
        media::write_audio_encoder_v1(w, "tt:AudioEncoderConfiguration", a, n);
    }
    if let Some(t) = &p.ptz {
        ctx.write_ptz_configuration(w, "tt:PTZConfiguration", t);
    }
    w.close(name);
}

fn encoder_options(req: &Node, spec: &MediaSpec, ctx: &Ctx<'_>) -> Result<String, Fault> {
    let state = &ctx.state.media;
    let encoder = state.encoder_for_options(
        req.child_text(ns::TRT, "ConfigurationToken"),
        req.child_text(ns::TRT, "ProfileToken"),
    )?;
    let opts = encoder
        .and_then(|e| spec.options_of(e))
        .ok_or_else(|| Fault::action("ter:NoConfig", "no video encoder options"))?;
    let mut w = Writer::new();
    w.open("trt:GetVideoEncoderConfigurationOptionsResponse", &[])
        .open("trt:Options", &[]);
    int_range(
        &mut w,
        "tt:QualityRange",
        opts.quality[0].floor() as i64,
        opts.quality[1].ceil() as i64,
    );
    // An H.265-only encoder shown as H.264 offers its H.265 limits under H264.
    let h264 = opts.h264.as_ref().or(match spec.media1_h265 {
        media::Media1H265::AsH264 => opts.h265.as_ref(),
        media::Media1H265::Omit => None,
    });
    let blocks = [("tt:JPEG", opts.jpeg.as_ref()), ("tt:H264", h264)];
    for (name, o) in blocks {
        if let Some(o) = o {
            codec_options_v1(&mut w, name, o, false);
        }
    }
    if blocks.iter().any(|(_, o)| o.is_some()) {
        w.open("tt:Extension", &[]);
        for (name, o) in blocks {
            if let Some(o) = o {
                codec_options_v1(&mut w, name, o, true);
            }
        }
        w.close("tt:Extension");
    }
    w.close("trt:Options")
        .close("trt:GetVideoEncoderConfigurationOptionsResponse");
    Ok(w.finish())
}

fn codec_options_v1(w: &mut Writer, name: &str, o: &media::CodecOptions, with_bitrate: bool) {
    w.open(name, &[]);
    for r in &o.resolutions {
        w.open("tt:ResolutionsAvailable", &[])
            .leaf("tt:Width", r.width)
            .leaf("tt:Height", r.height)
            .close("tt:ResolutionsAvailable");
    }
    let h264 = name == "tt:H264";
    if h264 {
        let [min, max] = o.gov.unwrap_or([1, 1]);
        int_range(w, "tt:GovLengthRange", min.into(), max.into());
    }
    int_range(
        w,
        "tt:FrameRateRange",
        o.frame_rate[0].floor() as i64,
        o.frame_rate[1].floor() as i64,
    );
    int_range(
        w,
        "tt:EncodingIntervalRange",
        o.encoding_interval[0].into(),
        o.encoding_interval[1].into(),
    );
    if h264 {
        let ver10: Vec<&str> = o
            .profiles
            .iter()
            .map(String::as_str)
            .filter(|p| matches!(*p, "Baseline" | "Main" | "Extended" | "High"))
            .collect();
        for p in if ver10.is_empty() {
            vec!["Main"]
        } else {
            ver10
        } {
            w.leaf("tt:H264ProfilesSupported", p);
        }
    }
    if with_bitrate {
        int_range(
            w,
            "tt:BitrateRange",
            o.bitrate[0].into(),
            o.bitrate[1].into(),
        );
    }
    w.close(name);
}

/// Values of the URI templates for a profile.
pub(crate) fn uri_for(
    template: &str,
    profile: &Profile,
    state: &MediaState,
    ctx: &Ctx<'_>,
    multicast: bool,
) -> String {
    let ip = ctx.listen.ip().to_string();
    let base = xaddr(ctx.listen, "");
    let http_host = base.trim_start_matches("http://").to_string();
    let encoder_index = profile
        .video_encoder
        .as_ref()
        .and_then(|t| state.encoders.iter().position(|e| &e.token == t));
    let stream = encoder_index
        .and_then(|i| state.encoders[i].stream.clone())
        .unwrap_or_else(|| encoder_index.unwrap_or(0).to_string());
    fill(
        template,
        &[
            ("ip", &ip),
            ("http_host", &http_host),
            ("profile", &profile.token),
            ("stream", &stream),
            ("transport", if multicast { "multicast" } else { "unicast" }),
        ],
    )
}

/// `ter:Action/ter:IncompleteConfiguration` for a profile that cannot stream.
pub(crate) fn incomplete(profile: &Profile) -> Fault {
    Fault::action(
        "ter:IncompleteConfiguration",
        format!(
            "The profile {} has no video source or video encoder configuration",
            profile.token
        ),
    )
}

fn media_uri(w: &mut Writer, uri: &str, timeout: &str) {
    w.open("trt:MediaUri", &[])
        .leaf("tt:Uri", uri)
        .leaf("tt:InvalidAfterConnect", false)
        .leaf("tt:InvalidAfterReboot", false)
        .leaf("tt:Timeout", timeout)
        .close("trt:MediaUri");
}

fn stream_uri(req: &Node, spec: &MediaSpec, ctx: &Ctx<'_>) -> Result<String, Fault> {
    let setup = required(req, ns::TRT, "StreamSetup")?;
    let stream = required_text(setup, ns::TT, "Stream")?;
    let transport = required(setup, ns::TT, "Transport")?;
    let protocol = required_text(transport, ns::TT, "Protocol")?;
    let t = token(req, ns::TRT, "ProfileToken")?;
    let state = &ctx.state.media;
    let profile = state.profile(t)?;
    let multicast = match stream {
        "RTP-Unicast" => false,
        "RTP-Multicast" => true,
        other => {
            return Err(Fault::invalid_arg(
                "ter:InvalidStreamSetup",
                format!("`{other}` is not a stream type (RTP-Unicast, RTP-Multicast)"),
            ));
        }
    };
    let media_caps = ctx.persona.service(ServiceKind::Media);
    let multicast_ok = media_caps.and_then(|s| s.capability("RTPMulticast")) == Some("true".into());
    if multicast && !multicast_ok {
        return Err(Fault::invalid_arg(
            "ter:InvalidStreamSetup",
            "This device does not stream RTP multicast",
        ));
    }
    if !matches!(protocol, "UDP" | "TCP" | "RTSP" | "HTTP") || (multicast && protocol != "UDP") {
        return Err(Fault::invalid_arg(
            "ter:InvalidStreamSetup",
            format!("Transport {protocol} is not supported for {stream}"),
        ));
    }
    if profile.video_source.is_none() || profile.video_encoder.is_none() {
        return Err(incomplete(profile));
    }
    let uri = uri_for(&spec.stream_uri, profile, state, ctx, multicast);
    let mut w = Writer::new();
    w.open("trt:GetStreamUriResponse", &[]);
    media_uri(&mut w, &uri, &spec.uri_timeout);
    w.close("trt:GetStreamUriResponse");
    Ok(w.finish())
}

fn snapshot_uri(req: &Node, spec: &MediaSpec, ctx: &Ctx<'_>) -> Result<String, Fault> {
    let t = token(req, ns::TRT, "ProfileToken")?;
    let state = &ctx.state.media;
    let profile = state.profile(t)?;
    let template = spec
        .snapshot_uri
        .as_ref()
        .ok_or_else(|| Fault::action_not_supported("This device does not provide snapshots"))?;
    if profile.video_source.is_none() || profile.video_encoder.is_none() {
        return Err(incomplete(profile));
    }
    let uri = uri_for(template, profile, state, ctx, false);
    let mut w = Writer::new();
    w.open("trt:GetSnapshotUriResponse", &[]);
    media_uri(&mut w, &uri, "PT0S");
    w.close("trt:GetSnapshotUriResponse");
    Ok(w.finish())
}

/// `MaximumNumberOfProfiles` from the media service's capabilities (32 when unstated).
pub(crate) fn max_profiles(p: &Persona) -> usize {
    [ServiceKind::Media, ServiceKind::Media2]
        .iter()
        .filter_map(|k| p.service(*k))
        .filter_map(|s| s.capability("MaximumNumberOfProfiles"))
        .find_map(|v| v.parse().ok())
        .unwrap_or(32)
}

/// Add an empty profile (shared with Media2); `Err` when the name, token or count is refused.
pub(crate) fn new_profile(
    ctx: &mut Ctx<'_>,
    name: &str,
    token: Option<&str>,
) -> Result<String, Fault> {
    let spec = spec(ctx.persona)?;
    if name.is_empty() || name.chars().count() > 64 {
        return Err(Fault::invalid_args(
            "CreateProfile: the name must be 1 to 64 characters",
        ));
    }
    let state = &mut ctx.state.media;
    if let Some(t) = token {
        if state.profiles.iter().any(|p| p.token == t) {
            return Err(Fault::invalid_arg(
                "ter:ProfileExists",
                format!("A profile with token {t} already exists"),
            ));
        }
    }
    if state.profiles.len() >= max_profiles(ctx.persona) {
        return Err(Fault::action(
            "ter:MaxNVTProfiles",
            "The maximum number of supported profiles has been reached",
        ));
    }
    let token = token.map_or_else(
        || state.new_profile_token(&spec.new_profile_token),
        str::to_string,
    );
    state
        .profiles
        .push(Profile::empty(token.clone(), name.to_string()));
    Ok(token)
}

fn create_profile(req: &Node, spec: &MediaSpec, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let _ = spec;
    let name = required_text(req, ns::TRT, "Name")?.to_string();
    let wanted = match req.child(ns::TRT, "Token") {
        Some(_) => Some(token(req, ns::TRT, "Token")?.to_string()),
        None => None,
    };
    let t = new_profile(ctx, &name, wanted.as_deref())?;
    let p = ctx.state.media.profile(&t)?.clone();
    let mut w = Writer::new();
    w.open("trt:CreateProfileResponse", &[]);
    write_profile(&mut w, "trt:Profile", &p, ctx);
    w.close("trt:CreateProfileResponse");
    Ok(w.finish())
}

/// Delete a profile (shared with Media2).
pub(crate) fn delete_profile(state: &mut MediaState, token: &str) -> Result<(), Fault> {
    let p = state.profile(token)?;
    if p.fixed {
        return Err(Fault::action(
            "ter:DeletionOfFixedProfile",
            format!("The fixed profile {token} cannot be deleted"),
        ));
    }
    state.profiles.retain(|p| p.token != token);
    Ok(())
}

/// `ter:InvalidArgVal/ter:ConfigModify` with the reason.
pub(crate) fn config_modify(reason: impl Into<String>) -> Fault {
    let reason = reason.into();
    Fault::invalid_arg(
        "ter:ConfigModify",
        "The configuration parameters are not possible to set",
    )
    .detail(reason)
}

/// Read an optional `tt:MulticastConfiguration`.
pub(crate) fn read_multicast(node: &Node) -> Result<media::Multicast, Fault> {
    let address = required(node, ns::TT, "Address")?;
    let ty = required_text(address, ns::TT, "Type")?;
    let ip: std::net::IpAddr = match ty {
        "IPv4" => required_text(address, ns::TT, "IPv4Address")?
            .parse::<std::net::Ipv4Addr>()
            .map(Into::into)
            .map_err(|_| config_modify("Multicast/Address: not an IPv4 address"))?,
        "IPv6" => required_text(address, ns::TT, "IPv6Address")?
            .parse::<std::net::Ipv6Addr>()
            .map(Into::into)
            .map_err(|_| config_modify("Multicast/Address: not an IPv6 address"))?,
        other => return Err(config_modify(format!("Multicast/Address/Type `{other}`"))),
    };
    let port: i64 = parse_int(required(node, ns::TT, "Port")?)?;
    let ttl: i64 = parse_int(required(node, ns::TT, "TTL")?)?;
    let auto_start = parse_bool(required(node, ns::TT, "AutoStart")?)?;
    let port = u16::try_from(port).map_err(|_| config_modify(format!("Multicast/Port {port}")))?;
    if !(0..=255).contains(&ttl) {
        return Err(config_modify(format!(
            "Multicast/TTL {ttl} is outside 0..255"
        )));
    }
    if !ip.is_unspecified() && !ip.is_multicast() {
        return Err(config_modify(format!(
            "Multicast/Address {ip} is not a multicast group"
        )));
    }
    Ok(media::Multicast {
        address: ip,
        port,
        ttl: ttl as u32,
        auto_start,
    })
}

/// SetAudioEncoderConfiguration of either service, the codec read in the service's spelling:
/// name, bitrate and sample rate (required), multicast and session timeout when sent, checked
/// against the persona's audio options (`ter:ConfigModify` otherwise) and stored.
pub(crate) fn set_audio_encoder(
    c: &Node,
    codec: media::AudioCodec,
    spec: &MediaSpec,
    ctx: &mut Ctx<'_>,
) -> Result<(), Fault> {
    let t = c
        .attr("token")
        .ok_or_else(|| Fault::invalid_args("Configuration: the token attribute is required"))?;
    let mut a = ctx.state.media.audio_encoder(t)?.clone();
    if let Some(name) = c.child_text(ns::TT, "Name") {
        if name.is_empty() || name.chars().count() > 64 {
            return Err(config_modify("Name must be 1 to 64 characters"));
        }
        a.name = name.to_string();
    }
    a.encoding = codec;
    let bitrate: i64 = parse_int(required(c, ns::TT, "Bitrate")?)?;
    a.bitrate = u32::try_from(bitrate).map_err(|_| config_modify(format!("Bitrate {bitrate}")))?;
    let rate: i64 = parse_int(required(c, ns::TT, "SampleRate")?)?;
    a.sample_rate = u32::try_from(rate).map_err(|_| config_modify(format!("SampleRate {rate}")))?;
    if let Some(m) = c.child(ns::TT, "Multicast") {
        a.multicast = read_multicast(m)?;
    }
    if let Some(s) = c.child_text(ns::TT, "SessionTimeout") {
        if parse_duration(s).is_none() {
            return Err(config_modify(format!(
                "SessionTimeout `{s}` is not a duration"
            )));
        }
        a.session_timeout = s.to_string();
    }
    spec.check_audio(&a).map_err(config_modify)?;
    let slot = ctx
        .state
        .media
        .audio_encoders
        .iter_mut()
        .find(|x| x.token == a.token)
        .ok_or_else(|| no_config(&a.token))?;
    *slot = a;
    Ok(())
}

/// Check a candidate against its options and store it (shared with Media2).
pub(crate) fn store_encoder(
    spec: &MediaSpec,
    state: &mut MediaState,
    candidate: VideoEncoder,
) -> Result<(), Fault> {
    let opts = spec
        .options_of(&candidate)
        .ok_or_else(|| config_modify("the configuration has no options"))?;
    check_encoder(opts, &candidate).map_err(config_modify)?;
    let slot = state
        .encoders
        .iter_mut()
        .find(|e| e.token == candidate.token)
        .ok_or_else(|| no_config(&candidate.token))?;
    *slot = candidate;
    Ok(())
}

fn set_video_encoder(req: &Node, spec: &MediaSpec, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let c = required(req, ns::TRT, "Configuration")?;
    parse_bool(required(req, ns::TRT, "ForcePersistence")?)?;
    let t = c
        .attr("token")
        .ok_or_else(|| Fault::invalid_args("Configuration: the token attribute is required"))?;
    let mut e = ctx.state.media.encoder(t)?.clone();
    if let Some(name) = c.child_text(ns::TT, "Name") {
        if name.is_empty() || name.chars().count() > 64 {
            return Err(config_modify("Name must be 1 to 64 characters"));
        }
        e.name = name.to_string();
    }
    let encoding = required_text(c, ns::TT, "Encoding")?;
    e.encoding = Codec::from_media1(encoding).ok_or_else(|| {
        if encoding.eq_ignore_ascii_case("H265") {
            config_modify("H.265 cannot be configured through Media ver10 (tt:VideoEncoding is JPEG, MPEG4 or H264); use Media2")
        } else {
            config_modify(format!("encoding {encoding} is not supported"))
        }
    })?;
    let res = required(c, ns::TT, "Resolution")?;
    let width: i64 = parse_int(required(res, ns::TT, "Width")?)?;
    let height: i64 = parse_int(required(res, ns::TT, "Height")?)?;
    e.resolution = media::Resolution {
        width: u32::try_from(width).map_err(|_| config_modify(format!("Width {width}")))?,
        height: u32::try_from(height).map_err(|_| config_modify(format!("Height {height}")))?,
    };
    e.quality = parse_float(required(c, ns::TT, "Quality")?)?;
    if let Some(rc) = c.child(ns::TT, "RateControl") {
        let fps: i64 = parse_int(required(rc, ns::TT, "FrameRateLimit")?)?;
        let interval: i64 = parse_int(required(rc, ns::TT, "EncodingInterval")?)?;
        let bitrate: i64 = parse_int(required(rc, ns::TT, "BitrateLimit")?)?;
        e.frame_rate = fps as f64;
        e.encoding_interval = u32::try_from(interval)
            .map_err(|_| config_modify(format!("EncodingInterval {interval}")))?;
        e.bitrate =
            u32::try_from(bitrate).map_err(|_| config_modify(format!("BitrateLimit {bitrate}")))?;
    }
    if let Some(h) = c.child(ns::TT, "H264") {
        let gov: i64 = parse_int(required(h, ns::TT, "GovLength")?)?;
        e.gov = Some(u32::try_from(gov).map_err(|_| config_modify(format!("GovLength {gov}")))?);
        e.profile = Some(required_text(h, ns::TT, "H264Profile")?.to_string());
    } else if let Some(opts) = spec.options_of(&e) {
        media::fill_codec_defaults(opts, &mut e);
    }
    if let Some(m) = c.child(ns::TT, "Multicast") {
        e.multicast = read_multicast(m)?;
    }
    if let Some(s) = c.child_text(ns::TT, "SessionTimeout") {
        if parse_duration(s).is_none() {
            return Err(config_modify(format!(
                "SessionTimeout `{s}` is not a duration"
            )));
        }
        e.session_timeout = s.to_string();
    }
    if let Some(g) = c.attr("GuaranteedFrameRate") {
        e.guaranteed_frame_rate = Some(matches!(g.trim(), "true" | "1"));
    }
    store_encoder(spec, &mut ctx.state.media, e)?;
    Ok(empty("SetVideoEncoderConfiguration"))
}
