//! The Media2 service (tr2): the same profiles and configurations as Media ver10, with
//! configuration references by type, IANA codec names and H.265.

use crate::device_service::{Access, Ctx, service_capabilities};
use crate::media::{self, Codec, MediaSpec, MediaState, Profile, no_config};
use crate::media_service::{
    Slot, config_modify, delete_profile, incomplete, new_profile, read_multicast,
    set_audio_encoder, spec, store_encoder, uri_for,
};
use crate::persona::ServiceKind;
use crate::soap::{Fault, ns};
use crate::wire::{
    fmt_float, parse_float, parse_float_text, parse_int, required, required_text, token,
};
use crate::xml::{Node, Writer};

/// Access class of a Media2 operation; `None` when the mock does not implement it.
pub fn access(operation: &str) -> Option<Access> {
    Some(match operation {
        "GetServiceCapabilities" => Access::PreAuth,
        "GetProfiles"
        | "GetVideoSourceConfigurations"
        | "GetVideoEncoderConfigurations"
        | "GetVideoEncoderConfigurationOptions"
        | "GetAudioSourceConfigurations"
        | "GetAudioEncoderConfigurations"
        | "GetAudioEncoderConfigurationOptions"
        | "GetStreamUri"
        | "GetSnapshotUri" => Access::ReadMedia,
        "CreateProfile"
        | "SetAudioEncoderConfiguration"
        | "AddConfiguration"
        | "RemoveConfiguration"
        | "DeleteProfile"
        | "SetVideoEncoderConfiguration" => Access::Actuate,
        _ => return None,
    })
}

/// Configuration types of `tr2:ConfigurationEnumeration` that the mock's profiles hold.
const TYPES: [(&str, Slot); 5] = [
    ("VideoSource", Slot::VideoSource),
    ("AudioSource", Slot::AudioSource),
    ("VideoEncoder", Slot::VideoEncoder),
    ("AudioEncoder", Slot::AudioEncoder),
    ("PTZ", Slot::Ptz),
];

/// Run one Media2 operation; `Ok` is the response payload element.
pub fn handle(operation: &str, req: &Node, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let spec = spec(ctx.persona)?;
    match operation {
        "GetServiceCapabilities" => {
            let mut w = Writer::new();
            w.open("tr2:GetServiceCapabilitiesResponse", &[]);
            if let Some(s) = ctx.persona.service(ServiceKind::Media2) {
                service_capabilities(&mut w, s);
            }
            w.close("tr2:GetServiceCapabilitiesResponse");
            Ok(w.finish())
        }
        "GetProfiles" => get_profiles(req, ctx),
        "GetVideoSourceConfigurations" => {
            let state = &ctx.state.media;
            let wanted = selection(req, state, |p| p.video_source.as_ref())?;
            let mut w = Writer::new();
            w.open("tr2:GetVideoSourceConfigurationsResponse", &[]);
            for c in &spec.video_source_configurations {
                if wanted.as_ref().is_none_or(|t| *t == c.token) {
                    let n = state.use_count(|p| p.video_source.as_ref(), &c.token);
                    media::write_video_source_configuration(&mut w, "tr2:Configurations", c, n);
                }
            }
            w.close("tr2:GetVideoSourceConfigurationsResponse");
            Ok(w.finish())
        }
        "GetAudioSourceConfigurations" => {
            let state = &ctx.state.media;
            let wanted = selection(req, state, |p| p.audio_source.as_ref())?;
            let mut w = Writer::new();
            w.open("tr2:GetAudioSourceConfigurationsResponse", &[]);
            for c in &spec.audio_sources {
                if wanted.as_ref().is_none_or(|t| *t == c.token) {
                    let n = state.use_count(|p| p.audio_source.as_ref(), &c.token);
                    media::write_audio_source_configuration(&mut w, "tr2:Configurations", c, n);
                }
            }
            w.close("tr2:GetAudioSourceConfigurationsResponse");
            Ok(w.finish())
        }
        "GetAudioEncoderConfigurations" => {
            let state = &ctx.state.media;
            let wanted = selection(req, state, |p| p.audio_encoder.as_ref())?;
            let mut w = Writer::new();
            w.open("tr2:GetAudioEncoderConfigurationsResponse", &[]);
            for a in &state.audio_encoders {
                if wanted.as_ref().is_none_or(|t| *t == a.token) {
                    let n = state.use_count(|p| p.audio_encoder.as_ref(), &a.token);
                    media::write_audio_encoder_v2(&mut w, "tr2:Configurations", a, n);
                }
            }
            w.close("tr2:GetAudioEncoderConfigurationsResponse");
            Ok(w.finish())
        }
        "GetVideoEncoderConfigurations" => {
            let state = &ctx.state.media;
            let wanted = selection(req, state, |p| p.video_encoder.as_ref())?;
            if let Some(t) = &wanted {
                state.encoder(t)?;
            }
            let mut w = Writer::new();
            w.open("tr2:GetVideoEncoderConfigurationsResponse", &[]);
            for e in &state.encoders {
                if wanted.as_ref().is_none_or(|t| *t == e.token) {
                    let n = state.use_count(|p| p.video_encoder.as_ref(), &e.token);
                    media::write_video_encoder_v2(&mut w, "tr2:Configurations", e, n);
                }
            }
            w.close("tr2:GetVideoEncoderConfigurationsResponse");
            Ok(w.finish())
        }
        "GetVideoEncoderConfigurationOptions" => encoder_options(req, spec, &ctx.state.media),
        "GetStreamUri" => stream_uri(req, spec, ctx),
        "GetSnapshotUri" => {
            let t = token(req, ns::TR2, "ProfileToken")?;
            let state = &ctx.state.media;
            let profile = state.profile(t)?;
            let template = spec.snapshot_uri.as_ref().ok_or_else(|| {
                Fault::action_not_supported("This device does not provide snapshots")
            })?;
            if profile.video_source.is_none() || profile.video_encoder.is_none() {
                return Err(incomplete(profile));
            }
            let uri = uri_for(template, profile, state, ctx, false);
            let mut w = Writer::new();
            w.open("tr2:GetSnapshotUriResponse", &[])
                .leaf("tr2:Uri", uri)
                .close("tr2:GetSnapshotUriResponse");
            Ok(w.finish())
        }
        "CreateProfile" => {
            let name = required_text(req, ns::TR2, "Name")?.to_string();
            let refs = read_refs(req, spec, ctx)?;
            let t = new_profile(ctx, &name, None)?;
            let p = ctx.state.media.profile_mut(&t)?;
            for (slot, token) in refs {
                *slot.of(p) = Some(token);
            }
            let mut w = Writer::new();
            w.open("tr2:CreateProfileResponse", &[])
                .leaf("tr2:Token", t)
                .close("tr2:CreateProfileResponse");
            Ok(w.finish())
        }
        "AddConfiguration" => {
            let t = token(req, ns::TR2, "ProfileToken")?;
            ctx.state.media.profile(t)?;
            let name = match req.child(ns::TR2, "Name") {
                Some(n) => {
                    let n = n.text.trim();
                    if n.is_empty() || n.chars().count() > 64 {
                        return Err(Fault::invalid_args(
                            "AddConfiguration: the name must be 1 to 64 characters",
                        ));
                    }
                    Some(n.to_string())
                }
                None => None,
            };
            let refs = read_refs(req, spec, ctx)?;
            let p = ctx.state.media.profile_mut(t)?;
            if let Some(n) = name {
                p.name = n;
            }
            for (slot, token) in refs {
                *slot.of(p) = Some(token);
            }
            Ok(empty("AddConfiguration"))
        }
        "RemoveConfiguration" => {
            let t = token(req, ns::TR2, "ProfileToken")?;
            ctx.state.media.profile(t)?;
            let mut slots = Vec::new();
            for c in req.children_named(ns::TR2, "Configuration") {
                let ty = required_text(c, ns::TR2, "Type")?;
                slots.push(slot_of(ty)?);
            }
            if slots.is_empty() {
                return Err(Fault::invalid_args(
                    "RemoveConfiguration: at least one tr2:Configuration is required",
                ));
            }
            let p = ctx.state.media.profile_mut(t)?;
            for slot in slots {
                *slot.of(p) = None;
            }
            Ok(empty("RemoveConfiguration"))
        }
        "DeleteProfile" => {
            let t = token(req, ns::TR2, "Token")?;
            delete_profile(&mut ctx.state.media, t)?;
            Ok(empty("DeleteProfile"))
        }
        "SetVideoEncoderConfiguration" => set_video_encoder(req, spec, ctx),
        "GetAudioEncoderConfigurationOptions" => {
            if let Some(t) = req.child_text(ns::TR2, "ConfigurationToken") {
                ctx.state.media.audio_encoder(t)?;
            }
            if let Some(t) = req.child_text(ns::TR2, "ProfileToken") {
                ctx.state.media.profile(t)?;
            }
            let mut w = Writer::new();
            w.open("tr2:GetAudioEncoderConfigurationOptionsResponse", &[]);
            media::write_audio_options_v2(&mut w, "tr2:Options", &spec.audio_options());
            w.close("tr2:GetAudioEncoderConfigurationOptionsResponse");
            Ok(w.finish())
        }
        "SetAudioEncoderConfiguration" => {
            let c = required(req, ns::TR2, "Configuration")?;
            let encoding = required_text(c, ns::TT, "Encoding")?;
            let codec = media::AudioCodec::from_media2(encoding)
                .ok_or_else(|| config_modify(format!("encoding {encoding} is not supported")))?;
            set_audio_encoder(c, codec, spec, ctx)?;
            Ok(empty("SetAudioEncoderConfiguration"))
        }
        other => Err(Fault::action_not_supported(format!(
            "the media2 service does not implement {other}"
        ))),
    }
}

fn empty(op: &str) -> String {
    format!("<tr2:{op}Response/>")
}

fn slot_of(ty: &str) -> Result<Slot, Fault> {
    TYPES
        .iter()
        .find(|(name, _)| *name == ty)
        .map(|(_, s)| *s)
        .ok_or_else(|| {
            Fault::invalid_arg(
                "ter:NoConfig",
                format!("This device has no configurations of type {ty}"),
            )
        })
}

/// Which configuration a `ConfigurationToken?`/`ProfileToken?` request asks for: `None` for
/// all of them.
fn selection(
    req: &Node,
    state: &MediaState,
    pick: impl Fn(&Profile) -> Option<&String>,
) -> Result<Option<String>, Fault> {
    if let Some(c) = req.child_text(ns::TR2, "ConfigurationToken") {
        return Ok(Some(c.to_string()));
    }
    if let Some(p) = req.child_text(ns::TR2, "ProfileToken") {
        let profile = state.profile(p)?;
        // A profile without that configuration selects nothing.
        return Ok(Some(pick(profile).cloned().unwrap_or_default()));
    }
    Ok(None)
}

/// `tr2:Configuration` references, checked and resolved (a reference without a token gets
/// the device's choice: the first configuration of that type no profile uses, else the first).
fn read_refs(req: &Node, spec: &MediaSpec, ctx: &Ctx<'_>) -> Result<Vec<(Slot, String)>, Fault> {
    let state = &ctx.state.media;
    let mut out = Vec::new();
    for c in req.children_named(ns::TR2, "Configuration") {
        let ty = required_text(c, ns::TR2, "Type")?;
        let slot = slot_of(ty)?;
        let tokens: Vec<&String> = match slot {
            Slot::VideoSource => spec
                .video_source_configurations
                .iter()
                .map(|c| &c.token)
                .collect(),
            Slot::AudioSource => spec.audio_sources.iter().map(|c| &c.token).collect(),
            Slot::VideoEncoder => state.encoders.iter().map(|c| &c.token).collect(),
            Slot::AudioEncoder => state.audio_encoders.iter().map(|c| &c.token).collect(),
            Slot::Ptz => crate::ptz::configuration_tokens(ctx.persona.ptz.as_ref()),
        };
        let chosen = match c.child_text(ns::TR2, "Token") {
            Some(t) => tokens
                .iter()
                .find(|x| x.as_str() == t)
                .map(|x| (*x).clone())
                .ok_or_else(|| no_config(t))?,
            None => {
                let mut probe = Profile::empty(String::new(), String::new());
                let unused = tokens.iter().find(|t| {
                    !state.profiles.iter().any(|p| {
                        probe.clone_from(p);
                        slot.of(&mut probe).as_ref() == Some(**t)
                    })
                });
                unused
                    .or(tokens.first())
                    .map(|t| (*t).clone())
                    .ok_or_else(|| no_config(ty))?
            }
        };
        out.push((slot, chosen));
    }
    Ok(out)
}

fn get_profiles(req: &Node, ctx: &Ctx<'_>) -> Result<String, Fault> {
    let Some(spec) = ctx.persona.media.as_ref() else {
        return Err(Fault::action_not_supported("no media configuration"));
    };
    let state = &ctx.state.media;
    let only = req.child_text(ns::TR2, "Token");
    if let Some(t) = only {
        state.profile(t)?;
    }
    let types: Vec<&str> = req
        .children_named(ns::TR2, "Type")
        .map(|n| n.text.trim())
        .collect();
    let all = types.contains(&"All");
    let want = |ty: &str| all || types.contains(&ty);
    let mut w = Writer::new();
    w.open("tr2:GetProfilesResponse", &[]);
    for p in state
        .profiles
        .iter()
        .filter(|p| only.is_none_or(|t| t == p.token))
    {
        w.open(
            "tr2:Profiles",
            &[
                ("token", &p.token),
                ("fixed", if p.fixed { "true" } else { "false" }),
            ],
        )
        .leaf("tr2:Name", &p.name);
        if !types.is_empty() {
            w.open("tr2:Configurations", &[]);
            if let (true, Some(c)) = (
                want("VideoSource"),
                p.video_source.as_ref().and_then(|t| {
                    spec.video_source_configurations
                        .iter()
                        .find(|c| &c.token == t)
                }),
            ) {
                let n = state.use_count(|p| p.video_source.as_ref(), &c.token);
                media::write_video_source_configuration(&mut w, "tr2:VideoSource", c, n);
            }
            if let (true, Some(c)) = (
                want("AudioSource"),
                p.audio_source
                    .as_ref()
                    .and_then(|t| spec.audio_sources.iter().find(|c| &c.token == t)),
            ) {
                let n = state.use_count(|p| p.audio_source.as_ref(), &c.token);
                media::write_audio_source_configuration(&mut w, "tr2:AudioSource", c, n);
            }
            if let (true, Some(e)) = (
                want("VideoEncoder"),
                p.video_encoder
                    .as_ref()
                    .and_then(|t| state.encoders.iter().find(|e| &e.token == t)),
            ) {
                let n = state.use_count(|p| p.video_encoder.as_ref(), &e.token);
                media::write_video_encoder_v2(&mut w, "tr2:VideoEncoder", e, n);
            }
            if let (true, Some(a)) = (
                want("AudioEncoder"),
                p.audio_encoder
                    .as_ref()
                    .and_then(|t| state.audio_encoders.iter().find(|a| &a.token == t)),
            ) {
                let n = state.use_count(|p| p.audio_encoder.as_ref(), &a.token);
                media::write_audio_encoder_v2(&mut w, "tr2:AudioEncoder", a, n);
            }
            if let (true, Some(t)) = (want("PTZ"), &p.ptz) {
                ctx.write_ptz_configuration(&mut w, "tr2:PTZ", t);
            }
            w.close("tr2:Configurations");
        }
        w.close("tr2:Profiles");
    }
    w.close("tr2:GetProfilesResponse");
    Ok(w.finish())
}

fn encoder_options(req: &Node, spec: &MediaSpec, state: &MediaState) -> Result<String, Fault> {
    let encoder = state.encoder_for_options(
        req.child_text(ns::TR2, "ConfigurationToken"),
        req.child_text(ns::TR2, "ProfileToken"),
    )?;
    let opts = encoder
        .and_then(|e| spec.options_of(e))
        .ok_or_else(|| Fault::action("ter:NoConfig", "no video encoder options"))?;
    let mut w = Writer::new();
    w.open("tr2:GetVideoEncoderConfigurationOptionsResponse", &[]);
    for (codec, o) in opts.codecs() {
        let rates: Vec<String> = o.frame_rates().into_iter().map(fmt_float).collect();
        let rates = rates.join(" ");
        let gov = o.gov.map(|[a, b]| format!("{a} {b}"));
        let profiles = o.profiles.join(" ");
        let mut attrs = Vec::new();
        if let Some(g) = &gov {
            attrs.push(("GovLengthRange", g.as_str()));
        }
        attrs.push(("FrameRatesSupported", rates.as_str()));
        if !profiles.is_empty() {
            attrs.push(("ProfilesSupported", profiles.as_str()));
        }
        attrs.push((
            "ConstantBitRateSupported",
            if o.cbr { "true" } else { "false" },
        ));
        w.open("tr2:Options", &attrs)
            .leaf("tt:Encoding", codec.media2_name());
        crate::wire::float_range(&mut w, "tt:QualityRange", opts.quality[0], opts.quality[1]);
        for r in &o.resolutions {
            w.open("tt:ResolutionsAvailable", &[])
                .leaf("tt:Width", r.width)
                .leaf("tt:Height", r.height)
                .close("tt:ResolutionsAvailable");
        }
        crate::wire::int_range(
            &mut w,
            "tt:BitrateRange",
            o.bitrate[0].into(),
            o.bitrate[1].into(),
        );
        w.close("tr2:Options");
    }
    w.close("tr2:GetVideoEncoderConfigurationOptionsResponse");
    Ok(w.finish())
}

fn stream_uri(req: &Node, spec: &MediaSpec, ctx: &Ctx<'_>) -> Result<String, Fault> {
    let protocol = required_text(req, ns::TR2, "Protocol")?;
    let t = token(req, ns::TR2, "ProfileToken")?;
    let state = &ctx.state.media;
    let profile = state.profile(t)?;
    let caps = ctx.persona.service(ServiceKind::Media2);
    let has = |name: &str| caps.and_then(|s| s.capability(name)) == Some("true".into());
    let (multicast, secure) = match protocol {
        "RtspUnicast" | "RTSP" | "RtspOverHttp" => (false, false),
        "RtspMulticast" if has("RTPMulticast") => (true, false),
        "RtspsUnicast" if has("SecureRTSPStreaming") => (false, true),
        "RtspsMulticast" if has("SecureRTSPStreaming") && has("RTPMulticast") => (true, true),
        other => {
            return Err(Fault::invalid_arg(
                "ter:InvalidStreamSetup",
                format!("Stream protocol {other} is not supported by this device"),
            ));
        }
    };
    if profile.video_source.is_none() || profile.video_encoder.is_none() {
        return Err(incomplete(profile));
    }
    let mut uri = uri_for(&spec.stream_uri, profile, state, ctx, multicast);
    if secure {
        uri = uri
            .replacen("rtsp://", "rtsps://", 1)
            .replacen(":554/", ":322/", 1);
    }
    let mut w = Writer::new();
    w.open("tr2:GetStreamUriResponse", &[])
        .leaf("tr2:Uri", uri)
        .close("tr2:GetStreamUriResponse");
    Ok(w.finish())
}

fn set_video_encoder(req: &Node, spec: &MediaSpec, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let c = required(req, ns::TR2, "Configuration")?;
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
    e.encoding = Codec::from_media2(encoding)
        .ok_or_else(|| config_modify(format!("encoding {encoding} is not supported")))?;
    let res = required(c, ns::TT, "Resolution")?;
    let width: i64 = parse_int(required(res, ns::TT, "Width")?)?;
    let height: i64 = parse_int(required(res, ns::TT, "Height")?)?;
    e.resolution = media::Resolution {
        width: u32::try_from(width).map_err(|_| config_modify(format!("Width {width}")))?,
        height: u32::try_from(height).map_err(|_| config_modify(format!("Height {height}")))?,
    };
    e.quality = parse_float(required(c, ns::TT, "Quality")?)?;
    if let Some(rc) = c.child(ns::TT, "RateControl") {
        e.frame_rate = parse_float(required(rc, ns::TT, "FrameRateLimit")?)?;
        let bitrate: i64 = parse_int(required(rc, ns::TT, "BitrateLimit")?)?;
        e.bitrate =
            u32::try_from(bitrate).map_err(|_| config_modify(format!("BitrateLimit {bitrate}")))?;
        if let Some(cbr) = rc.attr("ConstantBitRate") {
            e.cbr = matches!(cbr.trim(), "true" | "1");
        }
    }
    if let Some(m) = c.child(ns::TT, "Multicast") {
        e.multicast = read_multicast(m)?;
    }
    let gov_given = match c.attr("GovLength") {
        Some(g) => {
            let g = parse_float_text(g, "GovLength")?;
            if g.fract() != 0.0 || !(0.0..=f64::from(u32::MAX)).contains(&g) {
                return Err(config_modify(format!("GovLength {g}")));
            }
            e.gov = Some(g as u32);
            true
        }
        None => false,
    };
    let profile_given = match c.attr("Profile") {
        Some(p) => {
            e.profile = Some(p.trim().to_string());
            true
        }
        None => false,
    };
    if let Some(g) = c.attr("GuaranteedFrameRate") {
        e.guaranteed_frame_rate = Some(matches!(g.trim(), "true" | "1"));
    }
    if let Some(opts) = spec.options_of(&e) {
        let mut filled = e.clone();
        media::fill_codec_defaults(opts, &mut filled);
        if !gov_given {
            e.gov = filled.gov;
        }
        if !profile_given {
            e.profile = filled.profile;
        }
    }
    store_encoder(spec, &mut ctx.state.media, e)?;
    Ok(empty("SetVideoEncoderConfiguration"))
}
