//! Imaging ver20 (`timg:`) operations: the settings of one video source (brightness,
//! contrast, IR cut filter, WDR, ...), the ranges and modes it accepts, and SetImagingSettings
//! for apply.
//!
//! Values are on each device's own scale (one says brightness 0..100, another 0..255), so the
//! ranges from GetOptions travel with the settings and the planner rescales.

use std::fmt::Write as _;

use super::media::range;
use super::operation::{Cursor, Operation, operations, push_bool, push_text};
use super::{ParseError, RequestError, xs_float};
use crate::model::{Imaging, Range};

/// Service name in the operation table.
pub const SERVICE: &str = "imaging";

operations! { SERVICE;
    /// GetImagingSettings of a video source. `ranges` is left empty: they come from
    /// [`GetOptions`].
    GetImagingSettings { source: String = "timg:VideoSourceToken" }
        -> Imaging => |r| imaging_settings(r.child("ImagingSettings")?);
    /// GetOptions of a video source.
    GetOptions { source: String = "timg:VideoSourceToken" }
        -> ImagingOptions => |r| imaging_options(r.child("ImagingOptions")?);
    /// SetImagingSettings: writes the settings `settings` has (a field left `None` is left
    /// out, so the device keeps its value). A level needs its mode, since the schema nests it
    /// there.
    SetImagingSettings {
        source: String = "timg:VideoSourceToken",
        /// The settings to write (`ranges` is not written).
        settings: Imaging,
        /// Keep them across reboots, when said.
        force_persistence: Option<bool>
    } write |op, x| {
        let i = &op.settings;
        let number = |x: &mut String, element: &str, v: Option<f64>| {
            if let Some(v) = v {
                push_text(x, element, &xs_float(v));
            }
        };
        let (on_off, auto_manual) = ((ON_OFF, "ON or OFF"), (AUTO_MANUAL, "AUTO or MANUAL"));
        x.push_str("<timg:ImagingSettings>");
        // Schema order: BacklightCompensation, Brightness, ColorSaturation, Contrast, Exposure,
        // Focus, IrCutFilter, Sharpness, WideDynamicRange, WhiteBalance.
        let backlight = (i.backlight_compensation.as_deref(), i.backlight_compensation_level);
        mode_block::<Self>(x, "BacklightCompensation/Mode", backlight, on_off)?;
        number(x, "tt:Brightness", i.brightness);
        number(x, "tt:ColorSaturation", i.color_saturation);
        number(x, "tt:Contrast", i.contrast);
        let exposure = (i.exposure_mode.as_deref(), None);
        mode_block::<Self>(x, "Exposure/Mode", exposure, auto_manual)?;
        let focus = (i.focus_mode.as_deref(), None);
        mode_block::<Self>(x, "Focus/AutoFocusMode", focus, auto_manual)?;
        if let Some(ir) = i.ir_cut_filter.as_deref() {
            let ir = Self::one_of(ir, IR_CUT, "IrCutFilter", "ON, OFF or AUTO")?;
            push_text(x, "tt:IrCutFilter", ir);
        }
        number(x, "tt:Sharpness", i.sharpness);
        let wdr = (i.wide_dynamic_range.as_deref(), i.wide_dynamic_range_level);
        mode_block::<Self>(x, "WideDynamicRange/Mode", wdr, on_off)?;
        let white_balance = (i.white_balance_mode.as_deref(), None);
        mode_block::<Self>(x, "WhiteBalance/Mode", white_balance, auto_manual)?;
        x.push_str("</timg:ImagingSettings>");
        if let Some(f) = op.force_persistence {
            push_bool(x, "timg:ForcePersistence", f);
        }
        Ok(())
    } -> () => |_r| Ok(());
}

fn imaging_settings(s: Cursor<'_>) -> Result<Imaging, ParseError> {
    // `Mode`-style text of child `name` of `parent`, if any.
    let text = |parent: &str, name: &str| {
        s.opt_child(parent)
            .and_then(|p| p.opt_str(name))
            .map(str::to_owned)
    };
    let level = |parent| s.opt_child(parent).map_or(Ok(None), |p| p.opt_f64("Level"));
    Ok(Imaging {
        brightness: s.opt_f64("Brightness")?,
        color_saturation: s.opt_f64("ColorSaturation")?,
        contrast: s.opt_f64("Contrast")?,
        sharpness: s.opt_f64("Sharpness")?,
        ir_cut_filter: s.opt_str("IrCutFilter").map(str::to_owned),
        wide_dynamic_range: text("WideDynamicRange", "Mode"),
        wide_dynamic_range_level: level("WideDynamicRange")?,
        backlight_compensation: text("BacklightCompensation", "Mode"),
        backlight_compensation_level: level("BacklightCompensation")?,
        exposure_mode: text("Exposure", "Mode"),
        white_balance_mode: text("WhiteBalance", "Mode"),
        focus_mode: text("Focus", "AutoFocusMode"),
        ranges: Vec::new(),
    })
}

fn imaging_options(o: Cursor<'_>) -> Result<ImagingOptions, ParseError> {
    let mut ranges = Vec::new();
    for (name, path) in [
        (
            "backlight_compensation_level",
            &["BacklightCompensation", "Level"][..],
        ),
        ("brightness", &["Brightness"][..]),
        ("color_saturation", &["ColorSaturation"][..]),
        ("contrast", &["Contrast"][..]),
        ("sharpness", &["Sharpness"][..]),
        (
            "wide_dynamic_range_level",
            &["WideDynamicRange", "Level"][..],
        ),
    ] {
        if let Some(r) = path.iter().try_fold(o, |c, n| c.opt_child(n)) {
            ranges.push((name.to_owned(), range(r)?));
        }
    }
    let modes = |parent: &str, name| {
        o.opt_child(parent)
            .map(|p| p.texts(name))
            .unwrap_or_default()
    };
    Ok(ImagingOptions {
        ranges,
        ir_cut_filter_modes: o.texts("IrCutFilterModes"),
        backlight_compensation_modes: modes("BacklightCompensation", "Mode"),
        wide_dynamic_range_modes: modes("WideDynamicRange", "Mode"),
        exposure_modes: modes("Exposure", "Mode"),
        white_balance_modes: modes("WhiteBalance", "Mode"),
        focus_modes: modes("Focus", "AutoFocusModes"),
    })
}

/// GetOptions: the ranges of the numeric settings and the modes each setting accepts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImagingOptions {
    /// Ranges by setting name (`brightness`, `color_saturation`, `contrast`, `sharpness`,
    /// `backlight_compensation_level`, `wide_dynamic_range_level`), sorted by name: the form
    /// [`Imaging::ranges`] takes.
    pub ranges: Vec<(String, Range)>,
    /// IR cut filter modes.
    pub ir_cut_filter_modes: Vec<String>,
    /// Backlight compensation modes.
    pub backlight_compensation_modes: Vec<String>,
    /// Wide dynamic range modes.
    pub wide_dynamic_range_modes: Vec<String>,
    /// Exposure modes.
    pub exposure_modes: Vec<String>,
    /// White balance modes.
    pub white_balance_modes: Vec<String>,
    /// Auto focus modes.
    pub focus_modes: Vec<String>,
}

const ON_OFF: &[&str] = &["ON", "OFF"];
const AUTO_MANUAL: &[&str] = &["AUTO", "MANUAL"];
const IR_CUT: &[&str] = &["ON", "OFF", "AUTO"];

/// Writes `<tt:Element><tt:Mode>mode</tt:Mode>[<tt:Level>]</tt:Element>` for `field`
/// (`Element/Mode`), when there is a mode. A level needs its mode, since the schema nests it
/// there.
fn mode_block<O: Operation>(
    x: &mut String,
    field: &'static str,
    (value, level): (Option<&str>, Option<f64>),
    (allowed, reason): (&'static [&'static str], &'static str),
) -> Result<(), RequestError> {
    let Some(value) = value else {
        return level.map_or(Ok(()), |_| Err(O::missing(field)));
    };
    let mode = O::one_of(value, allowed, field, reason)?;
    let (element, mode_element) = field.split_once('/').unwrap_or((field, "Mode"));
    let _ = write!(
        x,
        "<tt:{element}><tt:{mode_element}>{mode}</tt:{mode_element}>"
    );
    if let Some(l) = level {
        push_text(x, "tt:Level", &xs_float(l));
    }
    let _ = write!(x, "</tt:{element}>");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::xml;
    use crate::soap::xml::Element;

    fn doc(body: &str) -> Element {
        let ns = r#"xmlns:timg="http://www.onvif.org/ver20/imaging/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema""#;
        xml::parse(body.replace("NS", ns).as_bytes()).expect("test XML is well-formed")
    }

    #[test]
    fn settings_with_nested_modes() {
        let p = doc(
            r#"<timg:GetImagingSettingsResponse NS><timg:ImagingSettings>
            <tt:BacklightCompensation><tt:Mode>OFF</tt:Mode><tt:Level>0</tt:Level></tt:BacklightCompensation>
            <tt:Brightness>50.000000</tt:Brightness><tt:ColorSaturation>50</tt:ColorSaturation><tt:Contrast>50</tt:Contrast>
            <tt:Exposure><tt:Mode>AUTO</tt:Mode><tt:MinExposureTime>33</tt:MinExposureTime></tt:Exposure>
            <tt:Focus><tt:AutoFocusMode>MANUAL</tt:AutoFocusMode></tt:Focus>
            <tt:IrCutFilter>AUTO</tt:IrCutFilter><tt:Sharpness>50</tt:Sharpness>
            <tt:WideDynamicRange><tt:Mode>ON</tt:Mode><tt:Level>75</tt:Level></tt:WideDynamicRange>
            <tt:WhiteBalance><tt:Mode>AUTO</tt:Mode></tt:WhiteBalance>
          </timg:ImagingSettings></timg:GetImagingSettingsResponse>"#,
        );
        let i = GetImagingSettings::default().parse(&p).unwrap();
        assert_eq!(i.brightness, Some(50.0));
        assert_eq!(i.ir_cut_filter.as_deref(), Some("AUTO"));
        assert_eq!(i.wide_dynamic_range.as_deref(), Some("ON"));
        assert_eq!(i.wide_dynamic_range_level, Some(75.0));
        assert_eq!(i.backlight_compensation.as_deref(), Some("OFF"));
        assert_eq!(i.exposure_mode.as_deref(), Some("AUTO"));
        assert_eq!(i.focus_mode.as_deref(), Some("MANUAL"));
        assert_eq!(i.white_balance_mode.as_deref(), Some("AUTO"));

        let bad = doc(
            r#"<timg:GetImagingSettingsResponse NS><timg:ImagingSettings><tt:Contrast>max</tt:Contrast></timg:ImagingSettings></timg:GetImagingSettingsResponse>"#,
        );
        assert_eq!(
            GetImagingSettings::default().parse(&bad),
            Err(ParseError::invalid(
                "imaging.GetImagingSettings",
                "ImagingSettings/Contrast",
                "max"
            ))
        );
        let empty = doc(r#"<timg:GetImagingSettingsResponse NS/>"#);
        assert!(GetImagingSettings::default().parse(&empty).is_err());
    }

    #[test]
    fn options_give_sorted_ranges_and_modes() {
        let p = doc(r#"<timg:GetOptionsResponse NS><timg:ImagingOptions>
            <tt:Brightness><tt:Min>0</tt:Min><tt:Max>100</tt:Max></tt:Brightness>
            <tt:Contrast><tt:Min>0</tt:Min><tt:Max>255</tt:Max></tt:Contrast>
            <tt:IrCutFilterModes>ON</tt:IrCutFilterModes><tt:IrCutFilterModes>OFF</tt:IrCutFilterModes><tt:IrCutFilterModes>AUTO</tt:IrCutFilterModes>
            <tt:WideDynamicRange><tt:Mode>OFF</tt:Mode><tt:Mode>ON</tt:Mode><tt:Level><tt:Min>0</tt:Min><tt:Max>100</tt:Max></tt:Level></tt:WideDynamicRange>
            <tt:Focus><tt:AutoFocusModes>AUTO</tt:AutoFocusModes></tt:Focus>
          </timg:ImagingOptions></timg:GetOptionsResponse>"#);
        let o = GetOptions::default().parse(&p).unwrap();
        let names: Vec<&str> = o.ranges.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["brightness", "contrast", "wide_dynamic_range_level"]
        );
        assert_eq!(o.ranges[1].1, Range::new(0.0, 255.0));
        assert_eq!(o.ir_cut_filter_modes, ["ON", "OFF", "AUTO"]);
        assert_eq!(o.wide_dynamic_range_modes, ["OFF", "ON"]);
        assert_eq!(o.focus_modes, ["AUTO"]);
    }

    #[test]
    fn set_writes_schema_order_and_refuses_unknown_modes() {
        let i = Imaging {
            brightness: Some(40.0),
            sharpness: Some(10.0),
            ir_cut_filter: Some("auto".into()),
            wide_dynamic_range: Some("on".into()),
            wide_dynamic_range_level: Some(60.0),
            ..Default::default()
        };
        let x = SetImagingSettings {
            source: "VS&1".into(),
            settings: i.clone(),
            force_persistence: Some(true),
        }
        .to_xml()
        .unwrap();
        assert!(x.contains("<timg:VideoSourceToken>VS&amp;1</timg:VideoSourceToken><timg:ImagingSettings><tt:Brightness>40</tt:Brightness><tt:IrCutFilter>AUTO</tt:IrCutFilter><tt:Sharpness>10</tt:Sharpness><tt:WideDynamicRange><tt:Mode>ON</tt:Mode><tt:Level>60</tt:Level></tt:WideDynamicRange></timg:ImagingSettings><timg:ForcePersistence>true</timg:ForcePersistence>"), "{x}");
        let bad = Imaging {
            ir_cut_filter: Some("NIGHT".into()),
            ..Default::default()
        };
        assert!(matches!(
            SetImagingSettings {
                source: "VS".into(),
                settings: bad.clone(),
                force_persistence: None
            }
            .to_xml(),
            Err(RequestError::Unsupported {
                field: "IrCutFilter",
                ..
            })
        ));
        let level_alone = Imaging {
            backlight_compensation_level: Some(3.0),
            ..Default::default()
        };
        assert_eq!(
            SetImagingSettings {
                source: "VS".into(),
                settings: level_alone.clone(),
                force_persistence: None
            }
            .to_xml(),
            Err(RequestError::Missing {
                operation: "imaging.SetImagingSettings",
                field: "BacklightCompensation/Mode"
            })
        );
    }
}
