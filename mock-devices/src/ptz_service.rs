//! The PTZ service (tptz): nodes, configurations, presets, absolute and relative moves, home
//! and status, over the device's PTZ state and the media profiles that point at it.

use std::time::Instant;

use crate::device_service::{Access, Ctx, service_capabilities};
use crate::media::no_config;
use crate::persona::ServiceKind;
use crate::ptz::{
    self, GENERIC_PT, GENERIC_ZOOM, Pos, Preset, PtzSpec, PtzState, SPHERICAL_PT, SpaceKind,
    TRANSLATION_PT, TRANSLATION_ZOOM,
};
use crate::soap::{Fault, ns};
use crate::wire::{fmt_float, parse_bool, parse_duration, parse_float_text, required, token};
use crate::xml::{Node, Writer};

/// Access class of a PTZ operation; `None` when the mock does not implement it.
pub fn access(operation: &str) -> Option<Access> {
    Some(match operation {
        "GetServiceCapabilities" => Access::PreAuth,
        "GetNodes"
        | "GetNode"
        | "GetConfigurations"
        | "GetConfiguration"
        | "GetConfigurationOptions"
        | "GetPresets"
        | "GetStatus" => Access::ReadMedia,
        "SetPreset" | "RemovePreset" | "GotoPreset" | "AbsoluteMove" | "RelativeMove" | "Stop"
        | "SetHomePosition" | "GotoHomePosition" | "SetConfiguration" => Access::Actuate,
        _ => return None,
    })
}

/// Run one PTZ operation; `Ok` is the response payload element.
pub fn handle(operation: &str, req: &Node, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let spec = ctx
        .persona
        .ptz
        .as_ref()
        .ok_or_else(|| Fault::action_not_supported("this device has no PTZ unit"))?;
    let now = Instant::now();
    match operation {
        "GetServiceCapabilities" => {
            let mut w = Writer::new();
            w.open("tptz:GetServiceCapabilitiesResponse", &[]);
            if let Some(s) = ctx.persona.service(ServiceKind::Ptz) {
                service_capabilities(&mut w, s);
            }
            w.close("tptz:GetServiceCapabilitiesResponse");
            Ok(w.finish())
        }
        "GetNodes" => {
            let mut w = Writer::new();
            w.open("tptz:GetNodesResponse", &[]);
            write_node(&mut w, "tptz:PTZNode", spec);
            w.close("tptz:GetNodesResponse");
            Ok(w.finish())
        }
        "GetNode" => {
            let t = token(req, ns::TPTZ, "NodeToken")?;
            if t != spec.node.token {
                return Err(Fault::invalid_arg(
                    "ter:NoEntity",
                    format!("No PTZ node with token {t}"),
                ));
            }
            let mut w = Writer::new();
            w.open("tptz:GetNodeResponse", &[]);
            write_node(&mut w, "tptz:PTZNode", spec);
            w.close("tptz:GetNodeResponse");
            Ok(w.finish())
        }
        "GetConfigurations" => {
            let mut w = Writer::new();
            w.open("tptz:GetConfigurationsResponse", &[]);
            for c in &spec.configurations {
                ctx.write_ptz_configuration(&mut w, "tptz:PTZConfiguration", &c.token);
            }
            w.close("tptz:GetConfigurationsResponse");
            Ok(w.finish())
        }
        "GetConfiguration" => {
            let t = token(req, ns::TPTZ, "PTZConfigurationToken")?;
            known_config(spec, t)?;
            let mut w = Writer::new();
            w.open("tptz:GetConfigurationResponse", &[]);
            ctx.write_ptz_configuration(&mut w, "tptz:PTZConfiguration", t);
            w.close("tptz:GetConfigurationResponse");
            Ok(w.finish())
        }
        "GetConfigurationOptions" => {
            let t = token(req, ns::TPTZ, "ConfigurationToken")?;
            known_config(spec, t)?;
            let mut w = Writer::new();
            w.open("tptz:GetConfigurationOptionsResponse", &[])
                .open("tptz:PTZConfigurationOptions", &[]);
            ptz::write_spaces(&mut w, "tt:Spaces", spec);
            w.open("tt:PTZTimeout", &[])
                .leaf("tt:Min", "PT1S")
                .leaf("tt:Max", "PT600S")
                .close("tt:PTZTimeout")
                .close("tptz:PTZConfigurationOptions")
                .close("tptz:GetConfigurationOptionsResponse");
            Ok(w.finish())
        }
        "SetConfiguration" => set_configuration(req, spec, ctx),
        "GetPresets" => {
            let config = ptz_config(req, ctx)?;
            let state = ptz_state(ctx)?;
            let space = state.default_space(&config);
            let mut w = Writer::new();
            w.open("tptz:GetPresetsResponse", &[]);
            for p in spec.listing(state) {
                w.open("tptz:Preset", &[("token", &p.token)]);
                if !p.name.is_empty() {
                    w.leaf("tt:Name", &p.name);
                }
                if let Some(pos) = p.position {
                    ptz::write_vector(&mut w, "tt:PTZPosition", pos, space, &spec.calibration);
                }
                w.close("tptz:Preset");
            }
            w.close("tptz:GetPresetsResponse");
            Ok(w.finish())
        }
        "SetPreset" => set_preset(req, spec, ctx, now),
        "RemovePreset" => {
            ptz_config(req, ctx)?;
            let t = token(req, ns::TPTZ, "PresetToken")?.to_string();
            let state = ptz_state_mut(ctx)?;
            let i = find_preset(state, &t)?;
            if state.presets[i].reserved {
                return Err(reserved(&state.presets[i]));
            }
            // A slot goes back to empty, which is what the listing shows for it.
            state.presets.remove(i);
            Ok(empty("RemovePreset"))
        }
        "GotoPreset" => {
            ptz_config(req, ctx)?;
            let t = token(req, ns::TPTZ, "PresetToken")?.to_string();
            let state = ptz_state_mut(ctx)?;
            let target = match state.presets.iter().find(|p| p.token == t) {
                // A special-function number runs its function; the unit stays where it is.
                Some(p) => p.position,
                None => {
                    spec.slot_number(&t)
                        .map(|n| spec.empty_slot(n))
                        .ok_or_else(|| no_token(&t))?
                        .position
                }
            };
            if let Some(target) = target {
                state.move_to(target, spec.move_seconds, now);
            }
            Ok(empty("GotoPreset"))
        }
        "AbsoluteMove" => {
            let config = ptz_config(req, ctx)?;
            let state = ptz_state_mut(ctx)?;
            let position = required(req, ns::TPTZ, "Position")?;
            let target =
                absolute_target(position, spec, state.default_space(&config), state.target)?;
            state.move_to(target, spec.move_seconds, now);
            Ok(empty("AbsoluteMove"))
        }
        "RelativeMove" => {
            ptz_config(req, ctx)?;
            let state = ptz_state_mut(ctx)?;
            let translation = required(req, ns::TPTZ, "Translation")?;
            let target = relative_target(translation, spec, state.current(now))?;
            state.move_to(target, spec.move_seconds, now);
            Ok(empty("RelativeMove"))
        }
        "Stop" => {
            ptz_config(req, ctx)?;
            let state = ptz_state_mut(ctx)?;
            let here = state.current(now);
            state.target = here;
            state.moving = None;
            Ok(empty("Stop"))
        }
        "GetStatus" => get_status(req, spec, ctx, now),
        "SetHomePosition" => {
            ptz_config(req, ctx)?;
            if !spec.node.home_supported {
                return Err(Fault::action_not_supported(
                    "This PTZ unit has no home position",
                ));
            }
            if spec.node.fixed_home {
                return Err(Fault::action(
                    "ter:CannotOverwriteHome",
                    "The home position is fixed and cannot be overwritten",
                ));
            }
            let state = ptz_state_mut(ctx)?;
            if state.is_moving(now) {
                return Err(moving());
            }
            state.home = Some(state.current(now));
            Ok(empty("SetHomePosition"))
        }
        "GotoHomePosition" => {
            ptz_config(req, ctx)?;
            if !spec.node.home_supported {
                return Err(Fault::action_not_supported(
                    "This PTZ unit has no home position",
                ));
            }
            let state = ptz_state_mut(ctx)?;
            let home = state.home.ok_or_else(|| {
                Fault::action("ter:NoHomePosition", "No home position has been defined")
            })?;
            state.move_to(home, spec.move_seconds, now);
            Ok(empty("GotoHomePosition"))
        }
        other => Err(Fault::action_not_supported(format!(
            "the PTZ service does not implement {other}"
        ))),
    }
}

fn empty(op: &str) -> String {
    format!("<tptz:{op}Response/>")
}

fn known_config(spec: &PtzSpec, token: &str) -> Result<(), Fault> {
    spec.configurations
        .iter()
        .any(|c| c.token == token)
        .then_some(())
        .ok_or_else(|| no_config(token))
}

fn ptz_state<'a>(ctx: &'a Ctx<'_>) -> Result<&'a PtzState, Fault> {
    ctx.state
        .ptz
        .as_ref()
        .ok_or_else(|| Fault::action_not_supported("this device has no PTZ unit"))
}

fn ptz_state_mut<'a>(ctx: &'a mut Ctx<'_>) -> Result<&'a mut PtzState, Fault> {
    ctx.state
        .ptz
        .as_mut()
        .ok_or_else(|| Fault::action_not_supported("this device has no PTZ unit"))
}

/// The PTZ configuration of the request's `ProfileToken`.
fn ptz_config(req: &Node, ctx: &Ctx<'_>) -> Result<String, Fault> {
    let t = token(req, ns::TPTZ, "ProfileToken")?;
    let profile = ctx.state.media.profile(t)?;
    profile.ptz.clone().ok_or_else(|| {
        Fault::invalid_arg(
            "ter:NoPTZProfile",
            format!("The profile {t} has no PTZ configuration"),
        )
    })
}

fn no_token(t: &str) -> Fault {
    Fault::invalid_arg(
        "ter:NoToken",
        format!("The requested preset token {t} does not exist"),
    )
}

fn reserved(p: &Preset) -> Fault {
    Fault::invalid_arg(
        "ter:InvalidPresetName",
        format!(
            "Preset {} is reserved for a special function ({})",
            p.token, p.name
        ),
    )
}

fn moving() -> Fault {
    Fault::action("ter:MovingPTZ", "The PTZ unit is moving")
}

fn find_preset(state: &PtzState, t: &str) -> Result<usize, Fault> {
    state
        .presets
        .iter()
        .position(|p| p.token == t)
        .ok_or_else(|| no_token(t))
}

fn write_node(w: &mut Writer, name: &str, spec: &PtzSpec) {
    let node = &spec.node;
    let mut attrs = vec![("token", node.token.as_str())];
    if node.home_supported {
        attrs.push((
            "FixedHomePosition",
            if node.fixed_home { "true" } else { "false" },
        ));
    }
    w.open(name, &attrs).leaf("tt:Name", &node.name);
    ptz::write_spaces(w, "tt:SupportedPTZSpaces", spec);
    w.leaf("tt:MaximumNumberOfPresets", node.max_presets)
        .leaf("tt:HomeSupported", node.home_supported)
        .close(name);
}

fn vector_attr(v: &Node, name: &str) -> Result<f64, Fault> {
    let text = v.attr(name).ok_or_else(|| {
        Fault::invalid_args(format!("{}: the {name} attribute is required", v.name))
    })?;
    parse_float_text(text, &format!("{}/@{name}", v.name))
}

fn invalid_position(what: String) -> Fault {
    Fault::invalid_arg(
        "ter:InvalidPosition",
        "The requested position is out of bounds",
    )
    .detail(what)
}

fn space_not_supported(uri: &str) -> Fault {
    Fault::invalid_arg(
        "ter:SpaceNotSupported",
        format!("The space {uri} is not supported by this PTZ node"),
    )
}

/// The generic target of an AbsoluteMove `Position`; parts left out keep their value.
fn absolute_target(
    position: &Node,
    spec: &PtzSpec,
    default: SpaceKind,
    current: Pos,
) -> Result<Pos, Fault> {
    let cal = &spec.calibration;
    let mut target = current;
    if let Some(pt) = position.child(ns::TT, "PanTilt") {
        let x = vector_attr(pt, "x")?;
        let y = vector_attr(pt, "y")?;
        let space = match pt.attr("space").map(str::trim) {
            None | Some("") => default,
            Some(GENERIC_PT) => SpaceKind::Generic,
            Some(SPHERICAL_PT) if spec.node.spherical => SpaceKind::Spherical,
            Some(other) => return Err(space_not_supported(other)),
        };
        match space {
            SpaceKind::Generic => {
                if !(-1.0..=1.0).contains(&x) || !(-1.0..=1.0).contains(&y) {
                    return Err(invalid_position(format!(
                        "pan {} / tilt {} outside -1..1",
                        fmt_float(x),
                        fmt_float(y)
                    )));
                }
                target.x = x;
                target.y = y;
            }
            SpaceKind::Spherical => {
                if !(cal.pan[0]..=cal.pan[1]).contains(&x)
                    || !(cal.tilt[0]..=cal.tilt[1]).contains(&y)
                {
                    return Err(invalid_position(format!(
                        "pan {}° / tilt {}° outside {}..{}° / {}..{}°",
                        fmt_float(x),
                        fmt_float(y),
                        fmt_float(cal.pan[0]),
                        fmt_float(cal.pan[1]),
                        fmt_float(cal.tilt[0]),
                        fmt_float(cal.tilt[1])
                    )));
                }
                target.x = cal.pan_to_x(x);
                target.y = cal.tilt_to_y(y);
            }
        }
    }
    if let Some(z) = position.child(ns::TT, "Zoom") {
        let x = vector_attr(z, "x")?;
        match z.attr("space").map(str::trim) {
            None | Some("") | Some(GENERIC_ZOOM) => {}
            Some(other) => return Err(space_not_supported(other)),
        }
        if !(0.0..=1.0).contains(&x) {
            return Err(invalid_position(format!(
                "zoom {} outside 0..1",
                fmt_float(x)
            )));
        }
        target.z = x;
    }
    Ok(target)
}

/// The generic target of a RelativeMove `Translation`: pan wraps on an endless unit, the rest
/// stops at the limits.
fn relative_target(translation: &Node, spec: &PtzSpec, current: Pos) -> Result<Pos, Fault> {
    let mut target = current;
    let bad = |what: String| {
        Fault::invalid_arg(
            "ter:InvalidTranslation",
            "The requested translation is out of bounds",
        )
        .detail(what)
    };
    if let Some(pt) = translation.child(ns::TT, "PanTilt") {
        match pt.attr("space").map(str::trim) {
            None | Some("") | Some(TRANSLATION_PT) => {}
            Some(other) => return Err(space_not_supported(other)),
        }
        let dx = vector_attr(pt, "x")?;
        let dy = vector_attr(pt, "y")?;
        if !(-1.0..=1.0).contains(&dx) || !(-1.0..=1.0).contains(&dy) {
            return Err(bad(format!(
                "{} / {} outside -1..1",
                fmt_float(dx),
                fmt_float(dy)
            )));
        }
        let mut x = current.x + dx;
        if spec.calibration.pan_endless {
            if x > 1.0 {
                x -= 2.0;
            } else if x < -1.0 {
                x += 2.0;
            }
        }
        target.x = x.clamp(-1.0, 1.0);
        target.y = (current.y + dy).clamp(-1.0, 1.0);
    }
    if let Some(z) = translation.child(ns::TT, "Zoom") {
        match z.attr("space").map(str::trim) {
            None | Some("") | Some(TRANSLATION_ZOOM) => {}
            Some(other) => return Err(space_not_supported(other)),
        }
        let dz = vector_attr(z, "x")?;
        if !(-1.0..=1.0).contains(&dz) {
            return Err(bad(format!("zoom {} outside -1..1", fmt_float(dz))));
        }
        target.z = (current.z + dz).clamp(0.0, 1.0);
    }
    Ok(target)
}

fn set_preset(
    req: &Node,
    spec: &PtzSpec,
    ctx: &mut Ctx<'_>,
    now: Instant,
) -> Result<String, Fault> {
    ptz_config(req, ctx)?;
    let name = req
        .child_text(ns::TPTZ, "PresetName")
        .filter(|n| !n.is_empty());
    let wanted = match req.child(ns::TPTZ, "PresetToken") {
        Some(n) if !n.text.trim().is_empty() => Some(n.text.trim().to_string()),
        _ => None,
    };
    if let Some(n) = name {
        if n.chars().count() > spec.preset_name_max || n.chars().any(char::is_control) {
            return Err(Fault::invalid_arg(
                "ter:InvalidPresetName",
                format!(
                    "The preset name is too long or has invalid characters (at most {} characters)",
                    spec.preset_name_max
                ),
            ));
        }
    }
    let state = ptz_state_mut(ctx)?;
    if state.is_moving(now) {
        return Err(moving());
    }
    // Where the preset goes: an existing one (updated in place), an empty slot, or new.
    let existing = match &wanted {
        Some(t) => match state.presets.iter().position(|p| &p.token == t) {
            Some(i) if state.presets[i].reserved => return Err(reserved(&state.presets[i])),
            Some(i) => Some(i),
            None if spec.slot_number(t).is_some() => None,
            None => return Err(no_token(t)),
        },
        None => None,
    };
    if let (Some(n), true) = (name, spec.preset_names_unique) {
        let clash = state
            .presets
            .iter()
            .enumerate()
            .any(|(i, p)| Some(i) != existing && p.is_set() && p.name == n);
        if clash {
            return Err(Fault::invalid_arg(
                "ter:PresetExist",
                format!("A preset named {n} already exists"),
            ));
        }
    }
    let here = state.current(now);
    let index = match existing {
        Some(i) => {
            if let Some(n) = name {
                state.presets[i].name = n.to_string();
            }
            i
        }
        None => {
            let set_count = state.presets.iter().filter(|p| p.is_set()).count();
            if set_count >= spec.node.max_presets {
                return Err(too_many(spec));
            }
            let token = match (&wanted, &spec.preset_slots) {
                (Some(t), _) => t.clone(),
                // The lowest slot nobody has set.
                (None, Some(slots)) => (1..=slots.count)
                    .map(|n| n.to_string())
                    .find(|t| !state.presets.iter().any(|p| &p.token == t))
                    .ok_or_else(|| too_many(spec))?,
                (None, None) => (1usize..)
                    .map(|n| n.to_string())
                    .find(|t| !state.presets.iter().any(|p| &p.token == t))
                    .unwrap_or_default(),
            };
            let name = name.map_or_else(
                || spec.default_preset_name.replace("{token}", &token),
                str::to_string,
            );
            state.presets.push(Preset {
                token,
                name,
                position: None,
                reserved: false,
            });
            state.presets.len() - 1
        }
    };
    let preset = &mut state.presets[index];
    preset.position = Some(here);
    let token = preset.token.clone();
    let mut w = Writer::new();
    w.open("tptz:SetPresetResponse", &[])
        .leaf("tptz:PresetToken", token)
        .close("tptz:SetPresetResponse");
    Ok(w.finish())
}

fn too_many(spec: &PtzSpec) -> Fault {
    Fault::action(
        "ter:TooManyPresets",
        format!(
            "Maximum number of presets ({}) reached",
            spec.node.max_presets
        ),
    )
}

fn get_status(req: &Node, spec: &PtzSpec, ctx: &Ctx<'_>, now: Instant) -> Result<String, Fault> {
    let config = ptz_config(req, ctx)?;
    let state = ptz_state(ctx)?;
    let caps = ctx.persona.service(ServiceKind::Ptz);
    let cap = |name: &str| caps.and_then(|s| s.capability(name));
    let moving = state.is_moving(now);
    let mut w = Writer::new();
    w.open("tptz:GetStatusResponse", &[])
        .open("tptz:PTZStatus", &[]);
    if cap("StatusPosition").as_deref() != Some("false") {
        ptz::write_vector(
            &mut w,
            "tt:Position",
            state.current(now),
            state.default_space(&config),
            &spec.calibration,
        );
    }
    if cap("MoveStatus").as_deref() != Some("false") {
        let s = if moving { "MOVING" } else { "IDLE" };
        w.open("tt:MoveStatus", &[])
            .leaf("tt:PanTilt", s)
            .leaf("tt:Zoom", s)
            .close("tt:MoveStatus");
    }
    w.leaf(
        "tt:UtcTime",
        ctx.state.device_now().format("%Y-%m-%dT%H:%M:%SZ"),
    )
    .close("tptz:PTZStatus")
    .close("tptz:GetStatusResponse");
    Ok(w.finish())
}

fn set_configuration(req: &Node, spec: &PtzSpec, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let c = required(req, ns::TPTZ, "PTZConfiguration")?;
    parse_bool(required(req, ns::TPTZ, "ForcePersistence")?)?;
    let t = c
        .attr("token")
        .ok_or_else(|| Fault::invalid_args("PTZConfiguration: the token attribute is required"))?
        .to_string();
    known_config(spec, &t)?;
    let modify = |why: String| {
        Fault::invalid_arg(
            "ter:ConfigModify",
            "The configuration parameters are not possible to set",
        )
        .detail(why)
    };
    if let Some(node) = c.child_text(ns::TT, "NodeToken") {
        if node != spec.node.token {
            return Err(modify(format!("NodeToken {node} is not this unit's node")));
        }
    }
    let space = match c.child_text(ns::TT, "DefaultAbsolutePantTiltPositionSpace") {
        None => None,
        Some(GENERIC_PT) => Some(SpaceKind::Generic),
        Some(SPHERICAL_PT) if spec.node.spherical => Some(SpaceKind::Spherical),
        Some(other) => return Err(modify(format!("space {other} is not supported"))),
    };
    if let Some(z) = c.child_text(ns::TT, "DefaultAbsoluteZoomPositionSpace") {
        if z != GENERIC_ZOOM {
            return Err(modify(format!("zoom space {z} is not supported")));
        }
    }
    let timeout = match c.child_text(ns::TT, "DefaultPTZTimeout") {
        Some(d) => {
            let secs = parse_duration(d)
                .ok_or_else(|| modify(format!("DefaultPTZTimeout `{d}` is not a duration")))?;
            if !(1.0..=600.0).contains(&secs) {
                return Err(modify(format!(
                    "DefaultPTZTimeout {d} is outside PT1S..PT600S"
                )));
            }
            Some(d.to_string())
        }
        None => None,
    };
    let state = ptz_state_mut(ctx)?;
    if let Some(space) = space {
        match state.default_spaces.iter_mut().find(|(k, _)| *k == t) {
            Some(entry) => entry.1 = space,
            None => state.default_spaces.push((t.clone(), space)),
        }
    }
    if let Some(timeout) = timeout {
        match state.timeouts.iter_mut().find(|(k, _)| *k == t) {
            Some(entry) => entry.1 = timeout,
            None => state.timeouts.push((t, timeout)),
        }
    }
    Ok(empty("SetConfiguration"))
}
