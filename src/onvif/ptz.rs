//! PTZ ver20 (`tptz:`) operations: nodes with their coordinate spaces, configurations with
//! their limits, presets and status; and the moves apply uses to recreate presets on the new
//! camera (AbsoluteMove, wait for IDLE in GetStatus, SetPreset).
//!
//! Positions are read exactly as sent, in the space the device names (or none: XiongMai
//! leaves `space` out); converting between spaces is the planner's job. A coordinate that is
//! present but not a number is an error naming it, since a preset silently re-aimed at 0,0
//! is worse than one reported as unreadable.

use super::media::parse_range;
use super::{
    ParseError, attr_str, child_str, ops, opt_bool, opt_u32, parse_duration_s, parse_f64, required,
    text_element, xs_float,
};
use crate::model::{Preset, PtzConfiguration, PtzNode, PtzPosition, Space1d, Space2d};
use std::fmt::Write as _;

use super::RequestError;
use super::operation::{Cursor, Operation, push_opt, push_text};
use crate::soap::xml::{Element, escape};

/// Service name in the operation table.
pub const SERVICE: &str = "ptz";
/// Prefix the requests bind to the service namespace.
pub const PREFIX: &str = "tptz";

fn request(operation: &str, inner: &str) -> String {
    ops::request_xml(ops::get(SERVICE, operation), PREFIX, inner)
}

/// The response element of `op` (`ptz.GetNodes`).
fn response<'a>(payload: &'a Element, op: &'static str) -> Result<&'a Element, ParseError> {
    let name = op.rsplit_once('.').map_or(op, |(_, n)| n);
    super::response_element(payload, ops::get(SERVICE, name))
}

/// Checks the payload of an operation whose response carries nothing (RemovePreset,
/// GotoPreset, AbsoluteMove, SetHomePosition, GotoHomePosition); `operation` is its name.
pub fn parse_empty_response(payload: &Element, operation: &'static str) -> Result<(), ParseError> {
    response(payload, operation).map(|_| ())
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

fn profile(token: &str) -> String {
    text_element("tptz:ProfileToken", token)
}

/// Writes a `tt:PTZVector`/`tt:PTZSpeed` as `element`: PanTilt and Zoom with their spaces.
fn write_vector(x: &mut String, element: &str, v: Option<&PtzPosition>) {
    let Some(v) = v else { return };
    let space = |s: &Option<String>| match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => format!(r#" space="{}""#, escape(s)),
        None => String::new(),
    };
    let _ = write!(x, "<{element}>");
    if let Some((px, py, s)) = &v.pan_tilt {
        let (px, py, s) = (xs_float(*px), xs_float(*py), space(s));
        let _ = write!(x, r#"<tt:PanTilt x="{px}" y="{py}"{s}/>"#);
    }
    if let Some((z, s)) = &v.zoom {
        let _ = write!(x, r#"<tt:Zoom x="{}"{}/>"#, xs_float(*z), space(s));
    }
    let _ = write!(x, "</{element}>");
}

/// GetServiceCapabilities.
pub fn get_service_capabilities() -> String {
    request("GetServiceCapabilities", "")
}

/// GetNodes.
pub fn get_nodes() -> String {
    request("GetNodes", "")
}

/// GetConfigurations.
pub fn get_configurations() -> String {
    request("GetConfigurations", "")
}

/// GetConfigurationOptions for one PTZ configuration.
pub fn get_configuration_options(configuration_token: &str) -> String {
    request(
        "GetConfigurationOptions",
        &text_element("tptz:ConfigurationToken", configuration_token),
    )
}

/// GetPresets of a media profile (presets belong to the profile's PTZ configuration).
pub fn get_presets(profile_token: &str) -> String {
    request("GetPresets", &profile(profile_token))
}

/// SetPreset: store the current position as a preset. With `token` it overwrites that preset
/// (how preset numbers are kept); without, the device picks a token. Answers the token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetPreset {
    /// The media profile whose PTZ configuration holds the preset.
    pub profile: String,
    /// Preset name.
    pub name: Option<String>,
    /// Preset to overwrite.
    pub token: Option<String>,
}

impl Operation for SetPreset {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "SetPreset";
    type Response = String;

    fn write(&self, out: &mut String) -> Result<(), RequestError> {
        push_text(out, "tptz:ProfileToken", &self.profile);
        push_opt(out, "tptz:PresetName", self.name.as_deref());
        push_opt(out, "tptz:PresetToken", self.token.as_deref());
        Ok(())
    }

    fn read(&self, r: Cursor<'_>) -> Result<String, ParseError> {
        r.str("PresetToken").map(str::to_owned)
    }
}

/// RemovePreset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemovePreset {
    /// The media profile.
    pub profile: String,
    /// The preset.
    pub token: String,
}

impl Operation for RemovePreset {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "RemovePreset";
    type Response = ();

    fn write(&self, out: &mut String) -> Result<(), RequestError> {
        push_text(out, "tptz:ProfileToken", &self.profile);
        push_text(out, "tptz:PresetToken", &self.token);
        Ok(())
    }

    fn read(&self, _: Cursor<'_>) -> Result<(), ParseError> {
        Ok(())
    }
}

/// GotoPreset, at `speed` (in the speed spaces) or the configuration's default speed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GotoPreset {
    /// The media profile.
    pub profile: String,
    /// The preset.
    pub token: String,
    /// Speed, if not the default.
    pub speed: Option<PtzPosition>,
}

impl Operation for GotoPreset {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "GotoPreset";
    type Response = ();

    fn write(&self, out: &mut String) -> Result<(), RequestError> {
        push_text(out, "tptz:ProfileToken", &self.profile);
        push_text(out, "tptz:PresetToken", &self.token);
        write_vector(out, "tptz:Speed", self.speed.as_ref());
        Ok(())
    }

    fn read(&self, _: Cursor<'_>) -> Result<(), ParseError> {
        Ok(())
    }
}

/// AbsoluteMove to `position`, in the spaces it names (the configuration's default spaces
/// when it names none).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AbsoluteMove {
    /// The media profile.
    pub profile: String,
    /// Where to.
    pub position: PtzPosition,
    /// Speed, if not the default.
    pub speed: Option<PtzPosition>,
}

impl Operation for AbsoluteMove {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "AbsoluteMove";
    type Response = ();

    fn write(&self, out: &mut String) -> Result<(), RequestError> {
        push_text(out, "tptz:ProfileToken", &self.profile);
        write_vector(out, "tptz:Position", Some(&self.position));
        write_vector(out, "tptz:Speed", self.speed.as_ref());
        Ok(())
    }

    fn read(&self, _: Cursor<'_>) -> Result<(), ParseError> {
        Ok(())
    }
}

/// SetHomePosition: the current position becomes home.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetHomePosition {
    /// The media profile.
    pub profile: String,
}

impl Operation for SetHomePosition {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "SetHomePosition";
    type Response = ();

    fn write(&self, out: &mut String) -> Result<(), RequestError> {
        push_text(out, "tptz:ProfileToken", &self.profile);
        Ok(())
    }

    fn read(&self, _: Cursor<'_>) -> Result<(), ParseError> {
        Ok(())
    }
}

/// GotoHomePosition.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GotoHomePosition {
    /// The media profile.
    pub profile: String,
    /// Speed, if not the default.
    pub speed: Option<PtzPosition>,
}

impl Operation for GotoHomePosition {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "GotoHomePosition";
    type Response = ();

    fn write(&self, out: &mut String) -> Result<(), RequestError> {
        push_text(out, "tptz:ProfileToken", &self.profile);
        write_vector(out, "tptz:Speed", self.speed.as_ref());
        Ok(())
    }

    fn read(&self, _: Cursor<'_>) -> Result<(), ParseError> {
        Ok(())
    }
}

/// GetStatus of a media profile's PTZ unit (what apply polls until the move is done).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetStatus {
    /// The media profile.
    pub profile: String,
}

impl Operation for GetStatus {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "GetStatus";
    type Response = PtzStatus;

    fn write(&self, out: &mut String) -> Result<(), RequestError> {
        push_text(out, "tptz:ProfileToken", &self.profile);
        Ok(())
    }

    fn read(&self, r: Cursor<'_>) -> Result<PtzStatus, ParseError> {
        read_status(r.child("PTZStatus")?)
    }
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

/// What the PTZ service says it can do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PtzCapabilities {
    /// E-flip is supported.
    pub eflip: Option<bool>,
    /// Reverse mode is supported.
    pub reverse: Option<bool>,
    /// GetCompatibleConfigurations is supported.
    pub get_compatible_configurations: Option<bool>,
    /// GetStatus reports MoveStatus (so apply can wait for IDLE).
    pub move_status: Option<bool>,
    /// GetStatus reports Position.
    pub status_position: Option<bool>,
}

/// A move state (`tt:MoveStatus`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoveStatus {
    /// Not moving.
    Idle,
    /// Moving.
    Moving,
    /// The device does not know.
    Unknown,
    /// Anything else, as sent.
    Other(String),
}

impl MoveStatus {
    fn parse(s: &str) -> Self {
        match s.trim().to_ascii_uppercase().as_str() {
            "IDLE" => Self::Idle,
            "MOVING" => Self::Moving,
            "UNKNOWN" => Self::Unknown,
            _ => Self::Other(s.trim().to_owned()),
        }
    }
}

/// GetStatus.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PtzStatus {
    /// Position in the configuration's default spaces, when the device reports one.
    pub position: Option<PtzPosition>,
    /// Pan/tilt move state.
    pub pan_tilt: Option<MoveStatus>,
    /// Zoom move state.
    pub zoom: Option<MoveStatus>,
    /// The error text as sent (Hikvision sends `NO error` when there is none).
    pub error: Option<String>,
    /// Device time of the status, as sent (XiongMai sends 1970-01-01).
    pub utc_time: Option<String>,
}

impl PtzStatus {
    /// The error, unless the text says there is none.
    pub fn fault(&self) -> Option<&str> {
        self.error
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .filter(|e| {
                !matches!(
                    e.to_ascii_lowercase().as_str(),
                    "no error" | "none" | "ok" | "0"
                )
            })
    }

    /// True when neither pan/tilt nor zoom says it is moving. A device without MoveStatus
    /// counts as idle: waiting for a state it never reports would hang the preset copy.
    pub fn is_idle(&self) -> bool {
        ![&self.pan_tilt, &self.zoom]
            .iter()
            .any(|s| matches!(s, Some(MoveStatus::Moving)))
    }
}

/// GetConfigurationOptions: the spaces a configuration may use and the timeout range.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PtzConfigurationOptions {
    /// Absolute pan/tilt spaces with ranges.
    pub absolute_pan_tilt: Vec<Space2d>,
    /// Absolute zoom spaces with ranges.
    pub absolute_zoom: Vec<Space1d>,
    /// URIs of the other spaces.
    pub other_spaces: Vec<String>,
    /// Default timeout range `(min, max)` in seconds.
    pub timeout_s: Option<(u64, u64)>,
}

/// GetServiceCapabilitiesResponse.
pub fn parse_get_service_capabilities(payload: &Element) -> Result<PtzCapabilities, ParseError> {
    const OP: &str = "ptz.GetServiceCapabilities";
    let caps = response(payload, OP)?
        .child("Capabilities")
        .ok_or(ParseError::Missing {
            operation: OP,
            field: "Capabilities".into(),
        })?;
    let b = |name, field| opt_bool(attr_str(caps, name), OP, field);
    Ok(PtzCapabilities {
        eflip: b("EFlip", "Capabilities/@EFlip")?,
        reverse: b("Reverse", "Capabilities/@Reverse")?,
        get_compatible_configurations: b(
            "GetCompatibleConfigurations",
            "Capabilities/@GetCompatibleConfigurations",
        )?,
        move_status: b("MoveStatus", "Capabilities/@MoveStatus")?,
        status_position: b("StatusPosition", "Capabilities/@StatusPosition")?,
    })
}

/// GetNodesResponse.
pub fn parse_get_nodes(payload: &Element) -> Result<Vec<PtzNode>, ParseError> {
    const OP: &str = "ptz.GetNodes";
    response(payload, OP)?
        .children_named("PTZNode")
        .map(|n| {
            let (absolute_pan_tilt, absolute_zoom, other_spaces) =
                match n.child("SupportedPTZSpaces") {
                    Some(s) => parse_spaces(s, OP)?,
                    None => Default::default(),
                };
            Ok(PtzNode {
                token: required(n.attr("token"), OP, "PTZNode/@token")?,
                name: child_str(n, "Name").map(str::to_owned),
                max_presets: opt_u32(
                    child_str(n, "MaximumNumberOfPresets"),
                    OP,
                    "PTZNode/MaximumNumberOfPresets",
                )?
                .unwrap_or(0),
                home_supported: opt_bool(
                    child_str(n, "HomeSupported"),
                    OP,
                    "PTZNode/HomeSupported",
                )?
                .unwrap_or(false),
                fixed_home_position: opt_bool(
                    attr_str(n, "FixedHomePosition"),
                    OP,
                    "PTZNode/@FixedHomePosition",
                )?,
                absolute_pan_tilt,
                absolute_zoom,
                other_spaces,
            })
        })
        .collect()
}

type Spaces = (Vec<Space2d>, Vec<Space1d>, Vec<String>);

/// `tt:PTZSpaces`: absolute spaces with their ranges, the others by URI.
fn parse_spaces(s: &Element, op: &'static str) -> Result<Spaces, ParseError> {
    let mut pan_tilt = Vec::new();
    let mut zoom = Vec::new();
    let mut other = Vec::new();
    for space in &s.children {
        match space.name.as_str() {
            "AbsolutePanTiltPositionSpace" => {
                pan_tilt.push(parse_space2d(space, op, "AbsolutePanTiltPositionSpace")?)
            }
            "AbsoluteZoomPositionSpace" => {
                zoom.push(parse_space1d(space, op, "AbsoluteZoomPositionSpace")?)
            }
            _ => {
                if let Some(uri) = child_str(space, "URI") {
                    other.push(uri.to_owned());
                }
            }
        }
    }
    Ok((pan_tilt, zoom, other))
}

fn parse_space2d(
    e: &Element,
    op: &'static str,
    field: &'static str,
) -> Result<Space2d, ParseError> {
    Ok(Space2d {
        uri: required(e.child_text("URI"), op, field)?,
        x: parse_range(
            e.child("XRange").ok_or(ParseError::Missing {
                operation: op,
                field: field.into(),
            })?,
            op,
            field,
        )?,
        y: parse_range(
            e.child("YRange").ok_or(ParseError::Missing {
                operation: op,
                field: field.into(),
            })?,
            op,
            field,
        )?,
    })
}

fn parse_space1d(
    e: &Element,
    op: &'static str,
    field: &'static str,
) -> Result<Space1d, ParseError> {
    Ok(Space1d {
        uri: required(e.child_text("URI"), op, field)?,
        x: parse_range(
            e.child("XRange").ok_or(ParseError::Missing {
                operation: op,
                field: field.into(),
            })?,
            op,
            field,
        )?,
    })
}

/// GetConfigurationsResponse.
pub fn parse_get_configurations(payload: &Element) -> Result<Vec<PtzConfiguration>, ParseError> {
    const OP: &str = "ptz.GetConfigurations";
    response(payload, OP)?
        .children_named("PTZConfiguration")
        .map(|c| {
            Ok(PtzConfiguration {
                token: required(c.attr("token"), OP, "PTZConfiguration/@token")?,
                name: child_str(c, "Name").unwrap_or_default().to_owned(),
                node_token: child_str(c, "NodeToken").unwrap_or_default().to_owned(),
                // The schema's own spelling is "Pant"; accept the obvious correction too.
                default_absolute_pan_tilt_space: child_str(
                    c,
                    "DefaultAbsolutePantTiltPositionSpace",
                )
                .or_else(|| child_str(c, "DefaultAbsolutePanTiltPositionSpace"))
                .map(str::to_owned),
                default_absolute_zoom_space: child_str(c, "DefaultAbsoluteZoomPositionSpace")
                    .map(str::to_owned),
                pan_tilt_limits: c
                    .path(&["PanTiltLimits", "Range"])
                    .map(|r| parse_space2d(r, OP, "PTZConfiguration/PanTiltLimits/Range"))
                    .transpose()?,
                zoom_limits: c
                    .path(&["ZoomLimits", "Range"])
                    .map(|r| parse_space1d(r, OP, "PTZConfiguration/ZoomLimits/Range"))
                    .transpose()?,
            })
        })
        .collect()
}

/// GetConfigurationOptionsResponse.
pub fn parse_get_configuration_options(
    payload: &Element,
) -> Result<PtzConfigurationOptions, ParseError> {
    const OP: &str = "ptz.GetConfigurationOptions";
    let o = response(payload, OP)?
        .child("PTZConfigurationOptions")
        .ok_or(ParseError::Missing {
            operation: OP,
            field: "PTZConfigurationOptions".into(),
        })?;
    let (absolute_pan_tilt, absolute_zoom, other_spaces) = match o.child("Spaces") {
        Some(s) => parse_spaces(s, OP)?,
        None => Default::default(),
    };
    let timeout_s = o.child("PTZTimeout").and_then(|t| {
        Some((
            parse_duration_s(child_str(t, "Min")?)?,
            parse_duration_s(child_str(t, "Max")?)?,
        ))
    });
    Ok(PtzConfigurationOptions {
        absolute_pan_tilt,
        absolute_zoom,
        other_spaces,
        timeout_s,
    })
}

/// GetPresetsResponse. The response does not name the profile, so the caller passes the one
/// it asked about; an empty list is a normal answer (Reolink sends one).
pub fn parse_get_presets(
    payload: &Element,
    profile_token: &str,
) -> Result<Vec<Preset>, ParseError> {
    const OP: &str = "ptz.GetPresets";
    response(payload, OP)?
        .children_named("Preset")
        .map(|p| {
            Ok(Preset {
                profile_token: profile_token.to_owned(),
                token: required(p.attr("token"), OP, "Preset/@token")?,
                name: child_str(p, "Name").map(str::to_owned),
                position: p
                    .child("PTZPosition")
                    .map(|v| parse_vector(v, OP))
                    .transpose()?
                    .filter(|v| v.pan_tilt.is_some() || v.zoom.is_some()),
            })
        })
        .collect()
}

/// `tt:PTZStatus`.
fn read_status(s: Cursor<'_>) -> Result<PtzStatus, ParseError> {
    let op = s.operation();
    let s = s.element();
    let (pan_tilt, zoom) = match s.child("MoveStatus") {
        None => (None, None),
        // ONVIF 1.0 devices put one state straight into MoveStatus.
        Some(m) if m.children.is_empty() => {
            let state = Some(m.text_trim())
                .filter(|t| !t.is_empty())
                .map(MoveStatus::parse);
            (state.clone(), state)
        }
        Some(m) => (
            child_str(m, "PanTilt").map(MoveStatus::parse),
            child_str(m, "Zoom").map(MoveStatus::parse),
        ),
    };
    Ok(PtzStatus {
        position: s
            .child("Position")
            .map(|v| parse_vector(v, op))
            .transpose()?
            .filter(|v| v.pan_tilt.is_some() || v.zoom.is_some()),
        pan_tilt,
        zoom,
        error: child_str(s, "Error").map(str::to_owned),
        utc_time: child_str(s, "UtcTime").map(str::to_owned),
    })
}

/// `tt:PTZVector`: `x`/`y` required where the element is present, `space` optional.
fn parse_vector(v: &Element, op: &'static str) -> Result<PtzPosition, ParseError> {
    let coordinate = |e: &Element, name: &str, field: &'static str| -> Result<f64, ParseError> {
        let raw = required(e.attr(name), op, field)?;
        parse_f64(&raw).ok_or_else(|| ParseError::invalid(op, field, &raw))
    };
    let pan_tilt = v
        .child("PanTilt")
        .map(|p| {
            Ok::<_, ParseError>((
                coordinate(p, "x", "PTZVector/PanTilt/@x")?,
                coordinate(p, "y", "PTZVector/PanTilt/@y")?,
                attr_str(p, "space").map(str::to_owned),
            ))
        })
        .transpose()?;
    let zoom = v
        .child("Zoom")
        .map(|z| {
            Ok::<_, ParseError>((
                coordinate(z, "x", "PTZVector/Zoom/@x")?,
                attr_str(z, "space").map(str::to_owned),
            ))
        })
        .transpose()?;
    Ok(PtzPosition { pan_tilt, zoom })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Range;
    use crate::soap::xml;

    fn doc(body: &str) -> Element {
        let ns = r#"xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema""#;
        xml::parse(body.replace("NS", ns).as_bytes()).expect("test XML is well-formed")
    }

    const GENERIC: &str = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace";

    #[test]
    fn node_spaces_split_into_absolute_and_others() {
        let p = doc(
            r#"<tptz:GetNodesResponse NS><tptz:PTZNode token="N" FixedHomePosition="false">
            <tt:Name>n</tt:Name><tt:SupportedPTZSpaces>
              <tt:AbsolutePanTiltPositionSpace><tt:URI>http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace</tt:URI>
                <tt:XRange><tt:Min>-1</tt:Min><tt:Max>1</tt:Max></tt:XRange><tt:YRange><tt:Min>-1.8E+02</tt:Min><tt:Max>1.8E+02</tt:Max></tt:YRange></tt:AbsolutePanTiltPositionSpace>
              <tt:AbsoluteZoomPositionSpace><tt:URI>z</tt:URI><tt:XRange><tt:Min>0</tt:Min><tt:Max>1</tt:Max></tt:XRange></tt:AbsoluteZoomPositionSpace>
              <tt:PanTiltSpeedSpace><tt:URI>speed</tt:URI><tt:XRange><tt:Min>0</tt:Min><tt:Max>1</tt:Max></tt:XRange></tt:PanTiltSpeedSpace>
            </tt:SupportedPTZSpaces><tt:MaximumNumberOfPresets>300</tt:MaximumNumberOfPresets><tt:HomeSupported>true</tt:HomeSupported>
          </tptz:PTZNode></tptz:GetNodesResponse>"#,
        );
        let n = &parse_get_nodes(&p).unwrap()[0];
        assert_eq!(n.max_presets, 300);
        assert!(n.home_supported);
        assert_eq!(n.fixed_home_position, Some(false));
        assert_eq!(n.absolute_pan_tilt[0].uri, GENERIC);
        assert_eq!(n.absolute_pan_tilt[0].y, Range::new(-180.0, 180.0));
        assert_eq!(n.absolute_zoom[0].x, Range::new(0.0, 1.0));
        assert_eq!(n.other_spaces, ["speed"]);
    }

    #[test]
    fn absolute_space_without_range_names_the_space() {
        let p = doc(
            r#"<tptz:GetNodesResponse NS><tptz:PTZNode token="N"><tt:SupportedPTZSpaces>
            <tt:AbsoluteZoomPositionSpace><tt:URI>z</tt:URI></tt:AbsoluteZoomPositionSpace>
            </tt:SupportedPTZSpaces></tptz:PTZNode></tptz:GetNodesResponse>"#,
        );
        assert_eq!(
            parse_get_nodes(&p),
            Err(ParseError::Missing {
                operation: "ptz.GetNodes",
                field: "AbsoluteZoomPositionSpace".into()
            })
        );
    }

    #[test]
    fn presets_with_and_without_positions() {
        let p = doc(r#"<tptz:GetPresetsResponse NS>
            <tptz:Preset token="1"><tt:Name>Gate</tt:Name><tt:PTZPosition>
              <tt:PanTilt x="-0.311" y="0.822" space="http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace"/><tt:Zoom x="0.179"/></tt:PTZPosition></tptz:Preset>
            <tptz:Preset token="2"><tt:Name></tt:Name><tt:PTZPosition/></tptz:Preset>
          </tptz:GetPresetsResponse>"#);
        let presets = parse_get_presets(&p, "Profile_1").unwrap();
        assert_eq!(presets[0].profile_token, "Profile_1");
        assert_eq!(presets[0].name.as_deref(), Some("Gate"));
        let pos = presets[0].position.as_ref().unwrap();
        assert_eq!(
            pos.pan_tilt,
            Some((-0.311, 0.822, Some(GENERIC.to_owned())))
        );
        assert_eq!(pos.zoom, Some((0.179, None)));
        assert_eq!(presets[1].name, None);
        assert_eq!(presets[1].position, None);
    }

    #[test]
    fn unreadable_coordinates_and_tokens_are_errors() {
        let p = doc(
            r#"<tptz:GetPresetsResponse NS><tptz:Preset token="1"><tt:PTZPosition><tt:PanTilt x="left" y="0"/></tt:PTZPosition></tptz:Preset></tptz:GetPresetsResponse>"#,
        );
        assert_eq!(
            parse_get_presets(&p, "P"),
            Err(ParseError::invalid(
                "ptz.GetPresets",
                "PTZVector/PanTilt/@x",
                "left"
            ))
        );
        let p = doc(
            r#"<tptz:GetPresetsResponse NS><tptz:Preset token="1"><tt:PTZPosition><tt:Zoom/></tt:PTZPosition></tptz:Preset></tptz:GetPresetsResponse>"#,
        );
        assert_eq!(
            parse_get_presets(&p, "P"),
            Err(ParseError::Missing {
                operation: "ptz.GetPresets",
                field: "PTZVector/Zoom/@x".into()
            })
        );
        let p = doc(
            r#"<tptz:GetPresetsResponse NS><tptz:Preset><tt:Name>x</tt:Name></tptz:Preset></tptz:GetPresetsResponse>"#,
        );
        assert_eq!(
            parse_get_presets(&p, "P"),
            Err(ParseError::Missing {
                operation: "ptz.GetPresets",
                field: "Preset/@token".into()
            })
        );
    }

    #[test]
    fn status_move_states_and_idle() {
        let p = doc(r#"<tptz:GetStatusResponse NS><tptz:PTZStatus>
            <tt:MoveStatus><tt:PanTilt>MOVING</tt:PanTilt><tt:Zoom>IDLE</tt:Zoom></tt:MoveStatus>
            <tt:UtcTime>2024-01-01T00:00:00Z</tt:UtcTime></tptz:PTZStatus></tptz:GetStatusResponse>"#);
        let s = GetStatus::default().parse(&p).unwrap();
        assert_eq!(s.pan_tilt, Some(MoveStatus::Moving));
        assert!(!s.is_idle());
        assert_eq!(s.position, None);
        let p = doc(
            r#"<tptz:GetStatusResponse NS><tptz:PTZStatus><tt:MoveStatus>IDLE</tt:MoveStatus><tt:Error>Overheat</tt:Error></tptz:PTZStatus></tptz:GetStatusResponse>"#,
        );
        let s = GetStatus::default().parse(&p).unwrap();
        assert_eq!(s.zoom, Some(MoveStatus::Idle));
        assert!(s.is_idle());
        assert_eq!(s.fault(), Some("Overheat"));
        let p = doc(r#"<tptz:GetStatusResponse NS/>"#);
        assert!(matches!(
            GetStatus::default().parse(&p),
            Err(ParseError::Missing { field, .. }) if field == "PTZStatus"
        ));
    }

    #[test]
    fn configuration_reads_the_schema_spelling() {
        let p = doc(
            r#"<tptz:GetConfigurationsResponse NS><tptz:PTZConfiguration token="C">
            <tt:Name>c</tt:Name><tt:UseCount>1</tt:UseCount><tt:NodeToken>N</tt:NodeToken>
            <tt:DefaultAbsolutePantTiltPositionSpace>pt</tt:DefaultAbsolutePantTiltPositionSpace>
            <tt:ZoomLimits><tt:Range><tt:URI>z</tt:URI><tt:XRange><tt:Min>0</tt:Min><tt:Max>0.08</tt:Max></tt:XRange></tt:Range></tt:ZoomLimits>
          </tptz:PTZConfiguration></tptz:GetConfigurationsResponse>"#,
        );
        let c = &parse_get_configurations(&p).unwrap()[0];
        assert_eq!(c.default_absolute_pan_tilt_space.as_deref(), Some("pt"));
        assert_eq!(c.zoom_limits.as_ref().unwrap().x, Range::new(0.0, 0.08));
        assert_eq!(c.pan_tilt_limits, None);
    }

    #[test]
    fn moves_write_vectors_with_spaces() {
        let pos = PtzPosition {
            pan_tilt: Some((0.25, -1.0, Some(GENERIC.into()))),
            zoom: Some((f64::INFINITY, None)),
        };
        let x = AbsoluteMove {
            profile: "P&1".into(),
            position: pos,
            speed: None,
        }
        .to_xml()
        .unwrap();
        assert!(x.contains("<tptz:ProfileToken>P&amp;1</tptz:ProfileToken>"));
        assert!(x.contains(&format!(
            r#"<tptz:Position><tt:PanTilt x="0.25" y="-1" space="{GENERIC}"/><tt:Zoom x="INF"/></tptz:Position>"#
        )));
        assert!(!x.contains("Speed"));
        let x = SetPreset {
            profile: "P".into(),
            name: Some("Gate <north>".into()),
            token: Some("7".into()),
        }
        .to_xml()
        .unwrap();
        assert!(x.contains("<tptz:PresetName>Gate &lt;north&gt;</tptz:PresetName><tptz:PresetToken>7</tptz:PresetToken>"));
    }
}
