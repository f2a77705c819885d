//! The imaging service (timg): settings per video source, changed only within the persona's
//! options.

use crate::device_service::{Access, Ctx, service_capabilities};
use crate::imaging::{self, ImagingSettings};
use crate::persona::ServiceKind;
use crate::soap::{Fault, ns};
use crate::wire::{parse_bool, parse_float, required, token};
use crate::xml::{Node, Writer};

/// Access class of an imaging operation; `None` when the mock does not implement it.
pub fn access(operation: &str) -> Option<Access> {
    Some(match operation {
        "GetServiceCapabilities" => Access::PreAuth,
        "GetImagingSettings" | "GetOptions" => Access::ReadMedia,
        "SetImagingSettings" => Access::Actuate,
        _ => return None,
    })
}

fn no_source(t: &str) -> Fault {
    Fault::invalid_arg(
        "ter:NoSource",
        format!("The requested video source {t} does not exist"),
    )
}

/// Run one imaging operation; `Ok` is the response payload element.
pub fn handle(operation: &str, req: &Node, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let spec = ctx
        .persona
        .imaging
        .as_ref()
        .ok_or_else(|| Fault::action_not_supported("this device has no imaging settings"))?;
    match operation {
        "GetServiceCapabilities" => {
            let mut w = Writer::new();
            w.open("timg:GetServiceCapabilitiesResponse", &[]);
            if let Some(s) = ctx.persona.service(ServiceKind::Imaging) {
                service_capabilities(&mut w, s);
            }
            w.close("timg:GetServiceCapabilitiesResponse");
            Ok(w.finish())
        }
        "GetImagingSettings" => {
            let t = token(req, ns::TIMG, "VideoSourceToken")?;
            let (_, settings) = ctx
                .state
                .imaging
                .iter()
                .find(|(s, _)| s == t)
                .ok_or_else(|| no_source(t))?;
            let mut w = Writer::new();
            w.open("timg:GetImagingSettingsResponse", &[]);
            imaging::write_settings(&mut w, "timg:ImagingSettings", settings);
            w.close("timg:GetImagingSettingsResponse");
            Ok(w.finish())
        }
        "GetOptions" => {
            let t = token(req, ns::TIMG, "VideoSourceToken")?;
            if !ctx.state.imaging.iter().any(|(s, _)| s == t) {
                return Err(no_source(t));
            }
            let mut w = Writer::new();
            w.open("timg:GetOptionsResponse", &[]);
            imaging::write_options(&mut w, "timg:ImagingOptions", &spec.options);
            w.close("timg:GetOptionsResponse");
            Ok(w.finish())
        }
        "SetImagingSettings" => {
            let t = token(req, ns::TIMG, "VideoSourceToken")?.to_string();
            let given = required(req, ns::TIMG, "ImagingSettings")?;
            if let Some(f) = req.child(ns::TIMG, "ForcePersistence") {
                parse_bool(f)?;
            }
            let (_, current) = ctx
                .state
                .imaging
                .iter_mut()
                .find(|(s, _)| *s == t)
                .ok_or_else(|| no_source(&t))?;
            let mut next = current.clone();
            merge(given, &mut next)?;
            imaging::check(&spec.options, &next).map_err(|why| {
                Fault::invalid_arg(
                    "ter:SettingsInvalid",
                    "The requested settings are incorrect",
                )
                .detail(why)
            })?;
            *current = next;
            Ok("<timg:SetImagingSettingsResponse/>".into())
        }
        other => Err(Fault::action_not_supported(format!(
            "the imaging service does not implement {other}"
        ))),
    }
}

/// Lay the values a `tt:ImagingSettings20` carries over `s`; what it leaves out stays.
fn merge(given: &Node, s: &mut ImagingSettings) -> Result<(), Fault> {
    let mode = |n: &Node, child: &str| -> Result<String, Fault> {
        Ok(required(n, ns::TT, child)?.text.trim().to_string())
    };
    if let Some(b) = given.child(ns::TT, "BacklightCompensation") {
        s.backlight = Some(mode(b, "Mode")?);
        if let Some(l) = b.child(ns::TT, "Level") {
            s.backlight_level = Some(parse_float(l)?);
        }
    }
    for (name, slot) in [
        ("Brightness", &mut s.brightness),
        ("ColorSaturation", &mut s.color_saturation),
        ("Contrast", &mut s.contrast),
        ("Sharpness", &mut s.sharpness),
    ] {
        if let Some(n) = given.child(ns::TT, name) {
            *slot = Some(parse_float(n)?);
        }
    }
    if let Some(e) = given.child(ns::TT, "Exposure") {
        s.exposure = Some(mode(e, "Mode")?);
    }
    if let Some(f) = given.child(ns::TT, "Focus") {
        s.focus = Some(mode(f, "AutoFocusMode")?);
    }
    if let Some(i) = given.child_text(ns::TT, "IrCutFilter") {
        s.ir_cut = Some(i.to_string());
    }
    if let Some(d) = given.child(ns::TT, "WideDynamicRange") {
        s.wdr = Some(mode(d, "Mode")?);
        if let Some(l) = d.child(ns::TT, "Level") {
            s.wdr_level = Some(parse_float(l)?);
        }
    }
    if let Some(wb) = given.child(ns::TT, "WhiteBalance") {
        s.white_balance = Some(mode(wb, "Mode")?);
    }
    Ok(())
}
