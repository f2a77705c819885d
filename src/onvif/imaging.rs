//! Imaging ver20 (`timg:`) operations: the settings of one video source (brightness,
//! contrast, IR cut filter, WDR, ...), the ranges and modes it accepts, and SetImagingSettings
//! for apply.
//!
//! Values are on each device's own scale (one says brightness 0..100, another 0..255), so the
//! ranges from GetOptions travel with the settings and the planner rescales.

use super::media::parse_range;
use super::{ParseError, RequestError, child_str, ops, opt_f64, text_element, xs_float};
use crate::model::{Imaging, Range};
use std::fmt::Write as _;

use super::operation::{Cursor, Operation, push_bool, push_text};
use crate::soap::xml::Element;

/// Service name in the operation table.
pub const SERVICE: &str = "imaging";
/// Prefix the requests bind to the service namespace.
pub const PREFIX: &str = "timg";

fn request(operation: &str, inner: &str) -> String {
    ops::request_xml(ops::get(SERVICE, operation), PREFIX, inner)
}

/// The response element of `op` (`imaging.GetOptions`).
fn response<'a>(payload: &'a Element, op: &'static str) -> Result<&'a Element, ParseError> {
    let name = op.rsplit_once('.').map_or(op, |(_, n)| n);
    super::response_element(payload, ops::get(SERVICE, name))
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/// GetImagingSettings of a video source.
pub fn get_imaging_settings(video_source_token: &str) -> String {
    request(
        "GetImagingSettings",
        &text_element("timg:VideoSourceToken", video_source_token),
    )
}

/// GetOptions of a video source.
pub fn get_options(video_source_token: &str) -> String {
    request(
        "GetOptions",
        &text_element("timg:VideoSourceToken", video_source_token),
    )
}

const ON_OFF: &[&str] = &["ON", "OFF"];
const AUTO_MANUAL: &[&str] = &["AUTO", "MANUAL"];
const IR_CUT: &[&str] = &["ON", "OFF", "AUTO"];

/// SetImagingSettings: writes the settings `settings` has (a field left `None` is left out, so
/// the device keeps its value). A level needs its mode, since the schema nests it there.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SetImagingSettings {
    /// The video source.
    pub source: String,
    /// The settings to write (`ranges` is not written).
    pub settings: Imaging,
    /// Keep them across reboots, when said.
    pub force_persistence: Option<bool>,
}

impl SetImagingSettings {
    /// Writes `<tt:element><tt:mode_element>mode</tt:mode_element>[<tt:Level>]</tt:element>`.
    fn mode_block(
        x: &mut String,
        (element, mode_element): (&str, &str),
        value: Option<&str>,
        level: Option<f64>,
        (allowed, field, reason): (&'static [&'static str], &'static str, &'static str),
    ) -> Result<(), RequestError> {
        let Some(value) = value else {
            return match level {
                None => Ok(()),
                Some(_) => Err(Self::missing(field)),
            };
        };
        let mode = Self::one_of(value, allowed, field, reason)?;
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
}

impl Operation for SetImagingSettings {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "SetImagingSettings";
    type Response = ();

    fn write(&self, x: &mut String) -> Result<(), RequestError> {
        let i = &self.settings;
        let number = |x: &mut String, element: &str, v: Option<f64>| {
            if let Some(v) = v {
                push_text(x, element, &xs_float(v));
            }
        };
        push_text(x, "timg:VideoSourceToken", &self.source);
        x.push_str("<timg:ImagingSettings>");
        // Schema order: BacklightCompensation, Brightness, ColorSaturation, Contrast, Exposure,
        // Focus, IrCutFilter, Sharpness, WideDynamicRange, WhiteBalance.
        Self::mode_block(
            x,
            ("BacklightCompensation", "Mode"),
            i.backlight_compensation.as_deref(),
            i.backlight_compensation_level,
            (ON_OFF, "BacklightCompensation/Mode", "ON or OFF"),
        )?;
        number(x, "tt:Brightness", i.brightness);
        number(x, "tt:ColorSaturation", i.color_saturation);
        number(x, "tt:Contrast", i.contrast);
        let auto_manual = |field| (AUTO_MANUAL, field, "AUTO or MANUAL");
        let exposure = i.exposure_mode.as_deref();
        Self::mode_block(
            x,
            ("Exposure", "Mode"),
            exposure,
            None,
            auto_manual("Exposure/Mode"),
        )?;
        let focus = i.focus_mode.as_deref();
        let focus_field = auto_manual("Focus/AutoFocusMode");
        Self::mode_block(x, ("Focus", "AutoFocusMode"), focus, None, focus_field)?;
        if let Some(ir) = i.ir_cut_filter.as_deref() {
            let ir = Self::one_of(ir, IR_CUT, "IrCutFilter", "ON, OFF or AUTO")?;
            push_text(x, "tt:IrCutFilter", ir);
        }
        number(x, "tt:Sharpness", i.sharpness);
        Self::mode_block(
            x,
            ("WideDynamicRange", "Mode"),
            i.wide_dynamic_range.as_deref(),
            i.wide_dynamic_range_level,
            (ON_OFF, "WideDynamicRange/Mode", "ON or OFF"),
        )?;
        let white_balance = i.white_balance_mode.as_deref();
        let wb_field = auto_manual("WhiteBalance/Mode");
        Self::mode_block(x, ("WhiteBalance", "Mode"), white_balance, None, wb_field)?;
        x.push_str("</timg:ImagingSettings>");
        if let Some(f) = self.force_persistence {
            push_bool(x, "timg:ForcePersistence", f);
        }
        Ok(())
    }

    fn read(&self, _: Cursor<'_>) -> Result<(), ParseError> {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

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

/// GetImagingSettingsResponse. `ranges` is left empty: they come from [`parse_get_options`].
pub fn parse_get_imaging_settings(payload: &Element) -> Result<Imaging, ParseError> {
    const OP: &str = "imaging.GetImagingSettings";
    let s = response(payload, OP)?
        .child("ImagingSettings")
        .ok_or(ParseError::Missing {
            operation: OP,
            field: "ImagingSettings".into(),
        })?;
    let text = |path: &[&str]| s.path_text(path).map(str::to_owned);
    Ok(Imaging {
        brightness: opt_f64(child_str(s, "Brightness"), OP, "ImagingSettings/Brightness")?,
        color_saturation: opt_f64(
            child_str(s, "ColorSaturation"),
            OP,
            "ImagingSettings/ColorSaturation",
        )?,
        contrast: opt_f64(child_str(s, "Contrast"), OP, "ImagingSettings/Contrast")?,
        sharpness: opt_f64(child_str(s, "Sharpness"), OP, "ImagingSettings/Sharpness")?,
        ir_cut_filter: text(&["IrCutFilter"]),
        wide_dynamic_range: text(&["WideDynamicRange", "Mode"]),
        wide_dynamic_range_level: opt_f64(
            s.path_text(&["WideDynamicRange", "Level"]),
            OP,
            "ImagingSettings/WideDynamicRange/Level",
        )?,
        backlight_compensation: text(&["BacklightCompensation", "Mode"]),
        backlight_compensation_level: opt_f64(
            s.path_text(&["BacklightCompensation", "Level"]),
            OP,
            "ImagingSettings/BacklightCompensation/Level",
        )?,
        exposure_mode: text(&["Exposure", "Mode"]),
        white_balance_mode: text(&["WhiteBalance", "Mode"]),
        focus_mode: text(&["Focus", "AutoFocusMode"]),
        ranges: Vec::new(),
    })
}

/// GetOptionsResponse.
pub fn parse_get_options(payload: &Element) -> Result<ImagingOptions, ParseError> {
    const OP: &str = "imaging.GetOptions";
    let o = response(payload, OP)?
        .child("ImagingOptions")
        .ok_or(ParseError::Missing {
            operation: OP,
            field: "ImagingOptions".into(),
        })?;
    let mut ranges = Vec::new();
    for (name, path, field) in [
        (
            "brightness",
            &["Brightness"][..],
            "ImagingOptions/Brightness",
        ),
        (
            "color_saturation",
            &["ColorSaturation"][..],
            "ImagingOptions/ColorSaturation",
        ),
        ("contrast", &["Contrast"][..], "ImagingOptions/Contrast"),
        ("sharpness", &["Sharpness"][..], "ImagingOptions/Sharpness"),
        (
            "backlight_compensation_level",
            &["BacklightCompensation", "Level"][..],
            "ImagingOptions/BacklightCompensation/Level",
        ),
        (
            "wide_dynamic_range_level",
            &["WideDynamicRange", "Level"][..],
            "ImagingOptions/WideDynamicRange/Level",
        ),
    ] {
        if let Some(r) = o.path(path) {
            ranges.push((name.to_owned(), parse_range(r, OP, field)?));
        }
    }
    ranges.sort_by(|a, b| a.0.cmp(&b.0));
    let modes = |parent: Option<&Element>, name: &str| -> Vec<String> {
        parent
            .map(|p| {
                p.children_named(name)
                    .map(Element::text_trim)
                    .filter(|m| !m.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    Ok(ImagingOptions {
        ranges,
        ir_cut_filter_modes: modes(Some(o), "IrCutFilterModes"),
        backlight_compensation_modes: modes(o.child("BacklightCompensation"), "Mode"),
        wide_dynamic_range_modes: modes(o.child("WideDynamicRange"), "Mode"),
        exposure_modes: modes(o.child("Exposure"), "Mode"),
        white_balance_modes: modes(o.child("WhiteBalance"), "Mode"),
        focus_modes: modes(o.child("Focus"), "AutoFocusModes"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::xml;

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
        let i = parse_get_imaging_settings(&p).unwrap();
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
            parse_get_imaging_settings(&bad),
            Err(ParseError::invalid(
                "imaging.GetImagingSettings",
                "ImagingSettings/Contrast",
                "max"
            ))
        );
        let empty = doc(r#"<timg:GetImagingSettingsResponse NS/>"#);
        assert!(parse_get_imaging_settings(&empty).is_err());
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
        let o = parse_get_options(&p).unwrap();
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
