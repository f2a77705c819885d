//! Imaging: the persona's `[imaging]` section (settings and the options that bound them) and
//! the `tt:ImagingSettings20` / `tt:ImagingOptions20` writers.

use serde::Deserialize;

use crate::wire::{float_range, fmt_float};
use crate::xml::Writer;

/// Imaging settings of one video source; a value left out is one the device does not report.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImagingSettings {
    /// `BacklightCompensation/Mode` (`ON`, `OFF`).
    #[serde(default)]
    pub backlight: Option<String>,
    /// `BacklightCompensation/Level`.
    #[serde(default)]
    pub backlight_level: Option<f64>,
    /// `Brightness`.
    #[serde(default)]
    pub brightness: Option<f64>,
    /// `ColorSaturation`.
    #[serde(default)]
    pub color_saturation: Option<f64>,
    /// `Contrast`.
    #[serde(default)]
    pub contrast: Option<f64>,
    /// `Exposure/Mode` (`AUTO`, `MANUAL`).
    #[serde(default)]
    pub exposure: Option<String>,
    /// `Focus/AutoFocusMode` (`AUTO`, `MANUAL`).
    #[serde(default)]
    pub focus: Option<String>,
    /// `IrCutFilter` (`ON`, `OFF`, `AUTO`).
    #[serde(default)]
    pub ir_cut: Option<String>,
    /// `Sharpness`.
    #[serde(default)]
    pub sharpness: Option<f64>,
    /// `WideDynamicRange/Mode` (`ON`, `OFF`).
    #[serde(default)]
    pub wdr: Option<String>,
    /// `WideDynamicRange/Level`.
    #[serde(default)]
    pub wdr_level: Option<f64>,
    /// `WhiteBalance/Mode` (`AUTO`, `MANUAL`).
    #[serde(default)]
    pub white_balance: Option<String>,
}

/// What the settings may be; a value left out is a setting the device does not have.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImagingOptions {
    /// Backlight compensation modes.
    #[serde(default)]
    pub backlight: Vec<String>,
    /// Backlight compensation level range.
    #[serde(default)]
    pub backlight_level: Option<[f64; 2]>,
    /// Brightness range.
    #[serde(default)]
    pub brightness: Option<[f64; 2]>,
    /// Colour saturation range.
    #[serde(default)]
    pub color_saturation: Option<[f64; 2]>,
    /// Contrast range.
    #[serde(default)]
    pub contrast: Option<[f64; 2]>,
    /// Exposure modes.
    #[serde(default)]
    pub exposure: Vec<String>,
    /// Auto-focus modes.
    #[serde(default)]
    pub focus: Vec<String>,
    /// IR cut filter modes.
    #[serde(default)]
    pub ir_cut: Vec<String>,
    /// Sharpness range.
    #[serde(default)]
    pub sharpness: Option<[f64; 2]>,
    /// WDR modes.
    #[serde(default)]
    pub wdr: Vec<String>,
    /// WDR level range.
    #[serde(default)]
    pub wdr_level: Option<[f64; 2]>,
    /// White balance modes.
    #[serde(default)]
    pub white_balance: Vec<String>,
}

/// The persona's `[imaging]` section (one set of settings for every video source).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImagingSpec {
    /// Limits.
    pub options: ImagingOptions,
    /// Configured settings.
    pub settings: ImagingSettings,
    /// Factory-default settings.
    pub factory: ImagingSettings,
}

/// Settings per video source token.
pub type ImagingState = Vec<(String, ImagingSettings)>;

const MODES: [(&str, &[&str]); 6] = [
    ("backlight", &["OFF", "ON"]),
    ("exposure", &["AUTO", "MANUAL"]),
    ("focus", &["AUTO", "MANUAL", "OnceAfterMove"]),
    ("ir_cut", &["ON", "OFF", "AUTO"]),
    ("wdr", &["OFF", "ON"]),
    ("white_balance", &["AUTO", "MANUAL"]),
];

impl ImagingSpec {
    /// The state a device with these video sources starts in.
    pub fn initial_state(&self, sources: &[String], factory: bool) -> ImagingState {
        let settings = if factory {
            &self.factory
        } else {
            &self.settings
        };
        sources
            .iter()
            .map(|s| (s.clone(), settings.clone()))
            .collect()
    }

    /// Check the options' mode names and that both setting sets are within the options.
    pub(crate) fn validate(&self) -> Result<(), (String, String)> {
        let o = &self.options;
        for (field, allowed) in MODES {
            let list = match field {
                "backlight" => &o.backlight,
                "exposure" => &o.exposure,
                "focus" => &o.focus,
                "ir_cut" => &o.ir_cut,
                "wdr" => &o.wdr,
                _ => &o.white_balance,
            };
            if let Some(bad) = list.iter().find(|m| !allowed.contains(&m.as_str())) {
                return Err((
                    format!("imaging.options.{field}"),
                    format!("`{bad}` is not one of {}", allowed.join(", ")),
                ));
            }
        }
        for (name, s) in [("settings", &self.settings), ("factory", &self.factory)] {
            check(o, s).map_err(|msg| (format!("imaging.{name}"), msg))?;
        }
        Ok(())
    }
}

/// Whether `settings` stay within `options`; `Err` names the first value that does not.
pub fn check(options: &ImagingOptions, s: &ImagingSettings) -> Result<(), String> {
    let ranges = [
        ("Brightness", s.brightness, options.brightness),
        (
            "ColorSaturation",
            s.color_saturation,
            options.color_saturation,
        ),
        ("Contrast", s.contrast, options.contrast),
        ("Sharpness", s.sharpness, options.sharpness),
        (
            "BacklightCompensation/Level",
            s.backlight_level,
            options.backlight_level,
        ),
        ("WideDynamicRange/Level", s.wdr_level, options.wdr_level),
    ];
    for (name, value, range) in ranges {
        match (value, range) {
            (None, _) => {}
            (Some(v), Some([min, max])) if (min..=max).contains(&v) => {}
            (Some(v), Some([min, max])) => {
                return Err(format!(
                    "{name} {} is outside {}..{}",
                    fmt_float(v),
                    fmt_float(min),
                    fmt_float(max)
                ));
            }
            (Some(_), None) => return Err(format!("{name} is not adjustable on this device")),
        }
    }
    let modes = [
        (
            "BacklightCompensation/Mode",
            &s.backlight,
            &options.backlight,
        ),
        ("Exposure/Mode", &s.exposure, &options.exposure),
        ("Focus/AutoFocusMode", &s.focus, &options.focus),
        ("IrCutFilter", &s.ir_cut, &options.ir_cut),
        ("WideDynamicRange/Mode", &s.wdr, &options.wdr),
        (
            "WhiteBalance/Mode",
            &s.white_balance,
            &options.white_balance,
        ),
    ];
    for (name, value, allowed) in modes {
        if let Some(v) = value {
            if !allowed.contains(v) {
                return Err(if allowed.is_empty() {
                    format!("{name} is not adjustable on this device")
                } else {
                    format!("{name} {v} is not one of {}", allowed.join(", "))
                });
            }
        }
    }
    Ok(())
}

/// `tt:ImagingSettings20` under `name`, in schema order.
pub fn write_settings(w: &mut Writer, name: &str, s: &ImagingSettings) {
    w.open(name, &[]);
    if let Some(m) = &s.backlight {
        w.open("tt:BacklightCompensation", &[]).leaf("tt:Mode", m);
        if let Some(l) = s.backlight_level {
            w.leaf("tt:Level", fmt_float(l));
        }
        w.close("tt:BacklightCompensation");
    }
    for (el, v) in [
        ("tt:Brightness", s.brightness),
        ("tt:ColorSaturation", s.color_saturation),
        ("tt:Contrast", s.contrast),
    ] {
        if let Some(v) = v {
            w.leaf(el, fmt_float(v));
        }
    }
    if let Some(m) = &s.exposure {
        w.open("tt:Exposure", &[])
            .leaf("tt:Mode", m)
            .close("tt:Exposure");
    }
    if let Some(m) = &s.focus {
        w.open("tt:Focus", &[])
            .leaf("tt:AutoFocusMode", m)
            .close("tt:Focus");
    }
    if let Some(m) = &s.ir_cut {
        w.leaf("tt:IrCutFilter", m);
    }
    if let Some(v) = s.sharpness {
        w.leaf("tt:Sharpness", fmt_float(v));
    }
    if let Some(m) = &s.wdr {
        w.open("tt:WideDynamicRange", &[]).leaf("tt:Mode", m);
        if let Some(l) = s.wdr_level {
            w.leaf("tt:Level", fmt_float(l));
        }
        w.close("tt:WideDynamicRange");
    }
    if let Some(m) = &s.white_balance {
        w.open("tt:WhiteBalance", &[])
            .leaf("tt:Mode", m)
            .close("tt:WhiteBalance");
    }
    w.close(name);
}

/// `tt:ImagingOptions20` under `name`, in schema order.
pub fn write_options(w: &mut Writer, name: &str, o: &ImagingOptions) {
    w.open(name, &[]);
    if !o.backlight.is_empty() {
        w.open("tt:BacklightCompensation", &[]);
        for m in &o.backlight {
            w.leaf("tt:Mode", m);
        }
        if let Some([a, b]) = o.backlight_level {
            float_range(w, "tt:Level", a, b);
        }
        w.close("tt:BacklightCompensation");
    }
    for (el, r) in [
        ("tt:Brightness", o.brightness),
        ("tt:ColorSaturation", o.color_saturation),
        ("tt:Contrast", o.contrast),
    ] {
        if let Some([a, b]) = r {
            float_range(w, el, a, b);
        }
    }
    if !o.exposure.is_empty() {
        w.open("tt:Exposure", &[]);
        for m in &o.exposure {
            w.leaf("tt:Mode", m);
        }
        w.close("tt:Exposure");
    }
    if !o.focus.is_empty() {
        w.open("tt:Focus", &[]);
        for m in &o.focus {
            w.leaf("tt:AutoFocusModes", m);
        }
        w.close("tt:Focus");
    }
    for m in &o.ir_cut {
        w.leaf("tt:IrCutFilterModes", m);
    }
    if let Some([a, b]) = o.sharpness {
        float_range(w, "tt:Sharpness", a, b);
    }
    if !o.wdr.is_empty() {
        w.open("tt:WideDynamicRange", &[]);
        for m in &o.wdr {
            w.leaf("tt:Mode", m);
        }
        if let Some([a, b]) = o.wdr_level {
            float_range(w, "tt:Level", a, b);
        }
        w.close("tt:WideDynamicRange");
    }
    if !o.white_balance.is_empty() {
        w.open("tt:WhiteBalance", &[]);
        for m in &o.white_balance {
            w.leaf("tt:Mode", m);
        }
        w.close("tt:WhiteBalance");
    }
    w.close(name);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> ImagingOptions {
        ImagingOptions {
            brightness: Some([0.0, 100.0]),
            ir_cut: vec!["ON".into(), "OFF".into(), "AUTO".into()],
            ..ImagingOptions::default()
        }
    }

    #[test]
    fn values_outside_the_options_are_named() {
        let o = options();
        let ok = ImagingSettings {
            brightness: Some(60.0),
            ir_cut: Some("AUTO".into()),
            ..ImagingSettings::default()
        };
        assert_eq!(check(&o, &ok), Ok(()));
        let too_bright = ImagingSettings {
            brightness: Some(101.0),
            ..ok.clone()
        };
        assert!(
            check(&o, &too_bright)
                .unwrap_err()
                .contains("Brightness 101")
        );
        let no_contrast = ImagingSettings {
            contrast: Some(50.0),
            ..ok.clone()
        };
        assert!(
            check(&o, &no_contrast)
                .unwrap_err()
                .contains("not adjustable")
        );
        let bad_mode = ImagingSettings {
            ir_cut: Some("DUSK".into()),
            ..ok
        };
        assert!(
            check(&o, &bad_mode)
                .unwrap_err()
                .contains("IrCutFilter DUSK")
        );
    }
}
