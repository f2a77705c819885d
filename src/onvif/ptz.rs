//! PTZ ver20 (`tptz:`) operations: nodes with their coordinate spaces, configurations with
//! their limits, presets and status; and the moves apply uses to recreate presets on the new
//! camera (AbsoluteMove, wait for IDLE in GetStatus, SetPreset).
//!
//! Positions are read exactly as sent, in the space the device names (or none: XiongMai
//! leaves `space` out); converting between spaces is the planner's job. A coordinate that is
//! present but not a number is an error naming it, since a preset silently re-aimed at 0,0
//! is worse than one reported as unreadable.

use std::fmt::Write as _;

use super::media::range;
use super::operation::{Cursor, Field, operations};
use super::{ParseError, parse_bool, parse_duration_s, parse_f64, xs_float};
use crate::model::{Preset, PtzConfiguration, PtzNode, PtzPosition, Space1d, Space2d};
use crate::soap::xml::escape;

/// Service name in the operation table.
pub const SERVICE: &str = "ptz";

/// A `tt:PTZVector`/`tt:PTZSpeed`: PanTilt and Zoom with their spaces.
impl Field for PtzPosition {
    fn write_as(&self, x: &mut String, qname: &str) {
        let space = |s: &Option<String>| match s.as_deref().map(str::trim).filter(|s| !s.is_empty())
        {
            Some(s) => format!(r#" space="{}""#, escape(s)),
            None => String::new(),
        };
        let _ = write!(x, "<{qname}>");
        if let Some((px, py, s)) = &self.pan_tilt {
            let (px, py, s) = (xs_float(*px), xs_float(*py), space(s));
            let _ = write!(x, r#"<tt:PanTilt x="{px}" y="{py}"{s}/>"#);
        }
        if let Some((z, s)) = &self.zoom {
            let _ = write!(x, r#"<tt:Zoom x="{}"{}/>"#, xs_float(*z), space(s));
        }
        let _ = write!(x, "</{qname}>");
    }
}

operations! { SERVICE;
    /// GetServiceCapabilities.
    GetServiceCapabilities -> PtzCapabilities => |r| {
        let c = r.child("Capabilities")?;
        let flag = |name| c.opt_attr_parse(name, parse_bool);
        Ok(PtzCapabilities {
            eflip: flag("EFlip")?,
            reverse: flag("Reverse")?,
            get_compatible_configurations: flag("GetCompatibleConfigurations")?,
            move_status: flag("MoveStatus")?,
            status_position: flag("StatusPosition")?,
        })
    };
    /// GetNodes.
    GetNodes -> Vec<PtzNode> => |r| r.each("PTZNode", node);
    /// GetConfigurations.
    GetConfigurations -> Vec<PtzConfiguration> => |r| r.each("PTZConfiguration", configuration);
    /// GetConfigurationOptions of one PTZ configuration: the spaces it may use and the
    /// timeout range.
    GetConfigurationOptions { configuration: String = "tptz:ConfigurationToken" }
        -> PtzConfigurationOptions => |r| {
        let o = r.child("PTZConfigurationOptions")?;
        let (absolute_pan_tilt, absolute_zoom, other_spaces) =
            o.opt_with("Spaces", spaces)?.unwrap_or_default();
        let timeout_s = o.opt_child("PTZTimeout").and_then(|t| {
            Some((parse_duration_s(t.opt_str("Min")?)?, parse_duration_s(t.opt_str("Max")?)?))
        });
        Ok(PtzConfigurationOptions { absolute_pan_tilt, absolute_zoom, other_spaces, timeout_s })
    };
    /// GetStatus of a media profile's PTZ unit (what apply polls until a move is done).
    GetStatus { profile: String = "tptz:ProfileToken" }
        -> PtzStatus => |r| read_status(r.child("PTZStatus")?);
    /// SetPreset: store the current position as a preset. With `token` it overwrites that
    /// preset (how preset numbers are kept); without, the device picks a token. Answers the
    /// token.
    SetPreset {
        profile: String = "tptz:ProfileToken",
        name: Option<String> = "tptz:PresetName",
        token: Option<String> = "tptz:PresetToken"
    } -> String => |r| r.str("PresetToken").map(str::to_owned);
    /// RemovePreset.
    RemovePreset {
        profile: String = "tptz:ProfileToken",
        token: String = "tptz:PresetToken"
    } -> () => |r| Ok(());
    /// GotoPreset, at `speed` (in the speed spaces) or the configuration's default speed.
    GotoPreset {
        profile: String = "tptz:ProfileToken",
        token: String = "tptz:PresetToken",
        speed: Option<PtzPosition> = "tptz:Speed"
    } -> () => |r| Ok(());
    /// AbsoluteMove to `position`, in the spaces it names (the configuration's default
    /// spaces when it names none).
    AbsoluteMove {
        profile: String = "tptz:ProfileToken",
        position: PtzPosition = "tptz:Position",
        speed: Option<PtzPosition> = "tptz:Speed"
    } -> () => |r| Ok(());
    /// GetPresets of a media profile (presets belong to the profile's PTZ configuration). The
    /// response does not name the profile; each preset gets the one asked about. An empty list
    /// is a normal answer (Reolink sends one).
    GetPresets [Debug, Clone, Default, PartialEq, Eq] { profile: String = "tptz:ProfileToken" }
        -> Vec<Preset> => |r, op| r.each("Preset", |p| {
            Ok(Preset {
                profile_token: op.profile.clone(),
                token: p.attr("token")?.to_owned(),
                name: p.opt_str("Name").map(str::to_owned),
                position: p.opt_with("PTZPosition", vector)?.flatten(),
            })
        });
    /// SetHomePosition: the current position becomes home.
    SetHomePosition { profile: String = "tptz:ProfileToken" } -> () => |r| Ok(());
    /// GotoHomePosition.
    GotoHomePosition {
        profile: String = "tptz:ProfileToken",
        speed: Option<PtzPosition> = "tptz:Speed"
    } -> () => |r| Ok(());
}

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

/// `tt:PTZNode`.
fn node(n: Cursor<'_>) -> Result<PtzNode, ParseError> {
    let (absolute_pan_tilt, absolute_zoom, other_spaces) = n
        .opt_with("SupportedPTZSpaces", spaces)?
        .unwrap_or_default();
    Ok(PtzNode {
        token: n.attr("token")?.to_owned(),
        name: n.opt_str("Name").map(str::to_owned),
        max_presets: n.opt_u32("MaximumNumberOfPresets")?.unwrap_or(0),
        home_supported: n.opt_bool("HomeSupported")?.unwrap_or(false),
        fixed_home_position: n.opt_attr_parse("FixedHomePosition", parse_bool)?,
        absolute_pan_tilt,
        absolute_zoom,
        other_spaces,
    })
}

/// `tt:PTZConfiguration`.
fn configuration(c: Cursor<'_>) -> Result<PtzConfiguration, ParseError> {
    let limits = |name| c.opt_child(name).and_then(|l| l.opt_child("Range"));
    Ok(PtzConfiguration {
        token: c.attr("token")?.to_owned(),
        name: c.string_or_empty("Name"),
        node_token: c.string_or_empty("NodeToken"),
        // The schema's own spelling is "Pant"; accept the obvious correction too.
        default_absolute_pan_tilt_space: c
            .opt_str("DefaultAbsolutePantTiltPositionSpace")
            .or_else(|| c.opt_str("DefaultAbsolutePanTiltPositionSpace"))
            .map(str::to_owned),
        default_absolute_zoom_space: c
            .opt_str("DefaultAbsoluteZoomPositionSpace")
            .map(str::to_owned),
        pan_tilt_limits: limits("PanTiltLimits").map(space2d).transpose()?,
        zoom_limits: limits("ZoomLimits").map(space1d).transpose()?,
    })
}

type Spaces = (Vec<Space2d>, Vec<Space1d>, Vec<String>);

/// `tt:PTZSpaces`: absolute spaces with their ranges, the others by URI.
fn spaces(s: Cursor<'_>) -> Result<Spaces, ParseError> {
    let mut out = Spaces::default();
    for space in s.all_children() {
        match space.name() {
            "AbsolutePanTiltPositionSpace" => out.0.push(space2d(space)?),
            "AbsoluteZoomPositionSpace" => out.1.push(space1d(space)?),
            _ => out.2.extend(space.opt_str("URI").map(str::to_owned)),
        }
    }
    Ok(out)
}

fn space2d(e: Cursor<'_>) -> Result<Space2d, ParseError> {
    Ok(Space2d {
        uri: e.str("URI")?.to_owned(),
        x: range(e.child("XRange")?)?,
        y: range(e.child("YRange")?)?,
    })
}

fn space1d(e: Cursor<'_>) -> Result<Space1d, ParseError> {
    Ok(Space1d {
        uri: e.str("URI")?.to_owned(),
        x: range(e.child("XRange")?)?,
    })
}

/// `tt:PTZVector`: `x`/`y` required where the element is present, `space` optional; `None`
/// when it has neither part.
fn vector(v: Cursor<'_>) -> Result<Option<PtzPosition>, ParseError> {
    let coordinate = |c: Cursor<'_>, name| {
        c.opt_attr_parse(name, parse_f64)?
            .ok_or_else(|| c.missing(&format!("@{name}")))
    };
    let space = |c: Cursor<'_>| c.opt_attr("space").map(str::to_owned);
    let pan_tilt = v
        .opt_child("PanTilt")
        .map(|p| Ok::<_, ParseError>((coordinate(p, "x")?, coordinate(p, "y")?, space(p))))
        .transpose()?;
    let zoom = v
        .opt_child("Zoom")
        .map(|z| Ok::<_, ParseError>((coordinate(z, "x")?, space(z))))
        .transpose()?;
    Ok((pan_tilt.is_some() || zoom.is_some()).then_some(PtzPosition { pan_tilt, zoom }))
}

/// `tt:PTZStatus`.
fn read_status(s: Cursor<'_>) -> Result<PtzStatus, ParseError> {
    let (pan_tilt, zoom) = match s.opt_child("MoveStatus") {
        None => (None, None),
        // ONVIF 1.0 devices put one state straight into MoveStatus.
        Some(m) if m.element().children.is_empty() => {
            let state = Some(m.text())
                .filter(|t| !t.is_empty())
                .map(MoveStatus::parse);
            (state.clone(), state)
        }
        Some(m) => (
            m.opt_str("PanTilt").map(MoveStatus::parse),
            m.opt_str("Zoom").map(MoveStatus::parse),
        ),
    };
    Ok(PtzStatus {
        position: s.opt_with("Position", vector)?.flatten(),
        pan_tilt,
        zoom,
        error: s.opt_str("Error").map(str::to_owned),
        utc_time: s.opt_str("UtcTime").map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Range;
    use crate::onvif::operation::Operation;
    use crate::soap::xml;
    use crate::soap::xml::Element;

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
        let n = &GetNodes.parse(&p).unwrap()[0];
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
            GetNodes.parse(&p),
            Err(ParseError::Missing {
                operation: "ptz.GetNodes",
                field: "PTZNode/SupportedPTZSpaces/AbsoluteZoomPositionSpace/XRange".into()
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
        let presets = GetPresets {
            profile: "Profile_1".into(),
        }
        .parse(&p)
        .unwrap();
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
            GetPresets {
                profile: "P".into()
            }
            .parse(&p),
            Err(ParseError::invalid(
                "ptz.GetPresets",
                "Preset/PTZPosition/PanTilt/@x",
                "left"
            ))
        );
        let p = doc(
            r#"<tptz:GetPresetsResponse NS><tptz:Preset token="1"><tt:PTZPosition><tt:Zoom/></tt:PTZPosition></tptz:Preset></tptz:GetPresetsResponse>"#,
        );
        assert_eq!(
            GetPresets {
                profile: "P".into()
            }
            .parse(&p),
            Err(ParseError::Missing {
                operation: "ptz.GetPresets",
                field: "Preset/PTZPosition/Zoom/@x".into()
            })
        );
        let p = doc(
            r#"<tptz:GetPresetsResponse NS><tptz:Preset><tt:Name>x</tt:Name></tptz:Preset></tptz:GetPresetsResponse>"#,
        );
        assert_eq!(
            GetPresets {
                profile: "P".into()
            }
            .parse(&p),
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
        let c = &GetConfigurations.parse(&p).unwrap()[0];
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
