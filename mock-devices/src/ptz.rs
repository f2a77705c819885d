//! PTZ: the persona's `[ptz]` section (node, configurations, presets, calibration) and a
//! device's PTZ state (position, moves in progress, presets, home).
//!
//! Positions are kept in the generic spaces (pan/tilt −1…1, zoom 0…1), which by the spec
//! cover the unit's full range. The calibration maps them to physical pan/tilt degrees and
//! horizontal field of view, so persona presets can be written the way an integrator thinks
//! of them, and a unit with the spherical degrees space reports one position consistently in
//! both spaces:
//!
//! - `x = (pan − pan_min) / (pan_max − pan_min) · 2 − 1`, `y` likewise from tilt;
//! - magnification `m = tan(hfov_wide / 2) / tan(hfov / 2)`, zoom `z = (m − 1) / (N − 1)`
//!   for an N× lens.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::wire::{fmt_float, parse_duration};
use crate::xml::Writer;

/// The generic absolute pan/tilt space.
pub const GENERIC_PT: &str = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace";
/// The spherical degrees pan/tilt space.
pub const SPHERICAL_PT: &str =
    "http://www.onvif.org/ver10/tptz/PanTiltSpaces/SphericalPositionSpace";
/// The generic absolute zoom space.
pub const GENERIC_ZOOM: &str = "http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionGenericSpace";
/// The generic relative pan/tilt space.
pub const TRANSLATION_PT: &str =
    "http://www.onvif.org/ver10/tptz/PanTiltSpaces/TranslationGenericSpace";
/// The generic relative zoom space.
pub const TRANSLATION_ZOOM: &str =
    "http://www.onvif.org/ver10/tptz/ZoomSpaces/TranslationGenericSpace";
/// The generic pan/tilt speed space.
pub const SPEED_PT: &str = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/GenericSpeedSpace";
/// The generic zoom speed space.
pub const SPEED_ZOOM: &str = "http://www.onvif.org/ver10/tptz/ZoomSpaces/ZoomGenericSpeedSpace";

/// Pan, tilt and zoom in the generic spaces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pos {
    /// Pan, −1…1.
    pub x: f64,
    /// Tilt, −1…1.
    pub y: f64,
    /// Zoom, 0…1.
    pub z: f64,
}

/// How the unit's mechanics and lens map to the generic spaces.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calibration {
    /// Pan degrees at generic −1 and +1.
    pub pan: [f64; 2],
    /// Whether pan turns endlessly (relative moves wrap around).
    #[serde(default)]
    pub pan_endless: bool,
    /// Tilt degrees at generic −1 and +1.
    pub tilt: [f64; 2],
    /// Optical zoom factor N.
    pub optical_zoom: f64,
    /// Horizontal field of view, degrees, at wide and tele.
    pub hfov: [f64; 2],
}

impl Calibration {
    /// Generic pan for a pan angle.
    pub fn pan_to_x(&self, pan: f64) -> f64 {
        (pan - self.pan[0]) / (self.pan[1] - self.pan[0]) * 2.0 - 1.0
    }

    /// Pan angle of a generic pan.
    pub fn x_to_pan(&self, x: f64) -> f64 {
        self.pan[0] + (x + 1.0) / 2.0 * (self.pan[1] - self.pan[0])
    }

    /// Generic tilt for a tilt angle.
    pub fn tilt_to_y(&self, tilt: f64) -> f64 {
        (tilt - self.tilt[0]) / (self.tilt[1] - self.tilt[0]) * 2.0 - 1.0
    }

    /// Tilt angle of a generic tilt.
    pub fn y_to_tilt(&self, y: f64) -> f64 {
        self.tilt[0] + (y + 1.0) / 2.0 * (self.tilt[1] - self.tilt[0])
    }

    /// Generic zoom for a horizontal field of view.
    pub fn hfov_to_z(&self, hfov: f64) -> f64 {
        let half = |deg: f64| (deg / 2.0).to_radians().tan();
        let m = half(self.hfov[0]) / half(hfov);
        (m - 1.0) / (self.optical_zoom - 1.0)
    }

    /// Horizontal field of view at a generic zoom.
    pub fn z_to_hfov(&self, z: f64) -> f64 {
        let m = 1.0 + z * (self.optical_zoom - 1.0);
        2.0 * ((self.hfov[0] / 2.0).to_radians().tan() / m)
            .atan()
            .to_degrees()
    }

    /// A physical position in the generic spaces.
    pub fn to_generic(&self, p: &Physical) -> Pos {
        Pos {
            x: self.pan_to_x(p.pan),
            y: self.tilt_to_y(p.tilt),
            z: match (p.zoom, p.hfov) {
                (Some(z), _) => z,
                (None, Some(h)) => self.hfov_to_z(h),
                (None, None) => 0.0,
            },
        }
    }
}

/// A position as the persona writes it: pan and tilt in degrees, and either a horizontal
/// field of view in degrees or a generic zoom (neither: wide).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Physical {
    /// Pan, degrees.
    pub pan: f64,
    /// Tilt, degrees.
    pub tilt: f64,
    /// Horizontal field of view, degrees.
    #[serde(default)]
    pub hfov: Option<f64>,
    /// Generic zoom 0…1.
    #[serde(default)]
    pub zoom: Option<f64>,
}

/// The PTZ node (one per unit here).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// Token.
    pub token: String,
    /// Name.
    pub name: String,
    /// `MaximumNumberOfPresets`.
    pub max_presets: usize,
    /// `HomeSupported`.
    pub home_supported: bool,
    /// `FixedHomePosition`: SetHomePosition is refused.
    #[serde(default)]
    pub fixed_home: bool,
    /// Whether the node offers the spherical degrees space (ranges from the calibration).
    #[serde(default)]
    pub spherical: bool,
}

/// Which absolute pan/tilt space a configuration uses by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpaceKind {
    /// `PositionGenericSpace`.
    #[default]
    Generic,
    /// `SphericalPositionSpace`.
    Spherical,
}

impl SpaceKind {
    /// The space URI.
    pub fn uri(self) -> &'static str {
        match self {
            Self::Generic => GENERIC_PT,
            Self::Spherical => SPHERICAL_PT,
        }
    }
}

/// A PTZ configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PtzConfigSpec {
    /// Token.
    pub token: String,
    /// Name.
    pub name: String,
    /// Default absolute pan/tilt space (GetStatus and GetPresets report in it).
    #[serde(default)]
    pub default_space: SpaceKind,
    /// `DefaultPTZTimeout`.
    #[serde(default = "default_timeout")]
    pub timeout: String,
    /// `DefaultPTZSpeed`: pan/tilt and zoom, generic speed.
    #[serde(default = "default_speed")]
    pub speed: [f64; 2],
}

fn default_timeout() -> String {
    "PT5S".into()
}

fn default_speed() -> [f64; 2] {
    [1.0, 1.0]
}

/// Numbered empty presets some vendors list from the start (Hikvision speed domes).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetSlots {
    /// Slots `1..=count`.
    pub count: usize,
    /// Name of an empty slot; `{n}` is its number.
    #[serde(default = "default_slot_name")]
    pub name: String,
    /// Where an empty slot points.
    #[serde(default)]
    pub position: Physical,
}

fn default_slot_name() -> String {
    "Preset {n}".into()
}

/// A preset as the persona writes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetSpec {
    /// Token (preset number on most units).
    pub token: String,
    /// Name.
    pub name: String,
    /// Pan, degrees.
    pub pan: f64,
    /// Tilt, degrees.
    pub tilt: f64,
    /// Horizontal field of view, degrees.
    #[serde(default)]
    pub hfov: Option<f64>,
    /// Generic zoom.
    #[serde(default)]
    pub zoom: Option<f64>,
}

impl PresetSpec {
    fn physical(&self) -> Physical {
        Physical {
            pan: self.pan,
            tilt: self.tilt,
            hfov: self.hfov,
            zoom: self.zoom,
        }
    }
}

/// What a factory reset leaves.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PtzFactory {
    /// Presets as shipped (usually none).
    #[serde(default)]
    pub presets: Vec<PresetSpec>,
    /// Home as shipped (none: GotoHomePosition has nowhere to go).
    #[serde(default)]
    pub home: Option<Physical>,
    /// Position after the reset.
    #[serde(default)]
    pub position: Physical,
}

/// The persona's `[ptz]` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PtzSpec {
    /// Mechanics and lens.
    pub calibration: Calibration,
    /// The node.
    pub node: NodeSpec,
    /// Configurations.
    pub configurations: Vec<PtzConfigSpec>,
    /// SetPreset refuses a name another preset has (`ter:PresetExist`).
    #[serde(default)]
    pub preset_names_unique: bool,
    /// Longest preset name (`ter:InvalidPresetName` beyond).
    #[serde(default = "default_name_max")]
    pub preset_name_max: usize,
    /// Name of a preset set without one; `{token}` is its token.
    #[serde(default = "default_preset_name")]
    pub default_preset_name: String,
    /// Seconds an AbsoluteMove, RelativeMove or GotoPreset takes (0: instant).
    #[serde(default)]
    pub move_seconds: f64,
    /// Pre-created numbered slots.
    #[serde(default)]
    pub preset_slots: Option<PresetSlots>,
    /// Preset numbers that call special functions (token → name); listed, never set.
    #[serde(default)]
    pub reserved_presets: BTreeMap<String, String>,
    /// Presets in the configured state.
    #[serde(default)]
    pub presets: Vec<PresetSpec>,
    /// Home position in the configured state.
    #[serde(default)]
    pub home: Option<Physical>,
    /// Position at start.
    #[serde(default)]
    pub position: Physical,
    /// Factory-default state.
    #[serde(default)]
    pub factory: PtzFactory,
}

fn default_name_max() -> usize {
    64
}

fn default_preset_name() -> String {
    "Preset {token}".into()
}

/// A preset on the device. Empty numbered slots are not stored: they are listed from the
/// persona's `preset_slots` (which keeps a fleet of 300-slot domes small).
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    /// Token.
    pub token: String,
    /// Name.
    pub name: String,
    /// Stored position (none for reserved numbers).
    pub position: Option<Pos>,
    /// A special-function number.
    pub reserved: bool,
}

impl Preset {
    /// Whether this preset counts against `MaximumNumberOfPresets`.
    pub fn is_set(&self) -> bool {
        !self.reserved
    }
}

/// A move in progress.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Move {
    /// Where it started.
    pub from: Pos,
    /// When it started.
    pub started: Instant,
    /// When it ends.
    pub until: Instant,
}

/// A device's PTZ state.
#[derive(Debug, Clone, PartialEq)]
pub struct PtzState {
    /// Stored presets (set ones and reserved numbers), in creation order.
    pub presets: Vec<Preset>,
    /// Home position, if set.
    pub home: Option<Pos>,
    /// Where the unit is, or is heading.
    pub target: Pos,
    /// The move in progress.
    pub moving: Option<Move>,
    /// Default absolute pan/tilt space per configuration token (SetConfiguration changes it).
    pub default_spaces: Vec<(String, SpaceKind)>,
    /// Default timeout per configuration token.
    pub timeouts: Vec<(String, String)>,
}

impl PtzSpec {
    /// The state a device starts in.
    pub fn initial_state(&self, factory: bool) -> PtzState {
        let cal = &self.calibration;
        let (specs, home, position) = if factory {
            (
                &self.factory.presets,
                &self.factory.home,
                &self.factory.position,
            )
        } else {
            (&self.presets, &self.home, &self.position)
        };
        let mut presets: Vec<Preset> = Vec::new();
        for p in specs {
            presets.push(Preset {
                token: p.token.clone(),
                name: p.name.clone(),
                position: Some(cal.to_generic(&p.physical())),
                reserved: false,
            });
        }
        for (token, name) in &self.reserved_presets {
            presets.push(Preset {
                token: token.clone(),
                name: name.clone(),
                position: None,
                reserved: true,
            });
        }
        PtzState {
            presets,
            home: home.as_ref().map(|h| cal.to_generic(h)),
            target: cal.to_generic(position),
            moving: None,
            default_spaces: self
                .configurations
                .iter()
                .map(|c| (c.token.clone(), c.default_space))
                .collect(),
            timeouts: self
                .configurations
                .iter()
                .map(|c| (c.token.clone(), c.timeout.clone()))
                .collect(),
        }
    }

    /// Slot `n` as it is before anyone sets it.
    pub fn empty_slot(&self, n: usize) -> Preset {
        let slots = self.preset_slots.as_ref();
        Preset {
            token: n.to_string(),
            name: slots.map_or_else(String::new, |s| s.name.replace("{n}", &n.to_string())),
            position: Some(
                self.calibration
                    .to_generic(&slots.map(|s| s.position.clone()).unwrap_or_default()),
            ),
            reserved: false,
        }
    }

    /// The slot number of `token`, if the unit has numbered slots and this is one.
    pub fn slot_number(&self, token: &str) -> Option<usize> {
        let count = self.preset_slots.as_ref()?.count;
        token
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=count).contains(n) && n.to_string() == token)
    }

    /// Every preset as GetPresets lists it: on a unit with slots, slot 1 to N (stored or
    /// empty), then anything else stored; otherwise the stored presets in creation order.
    pub fn listing<'a>(&self, state: &'a PtzState) -> Vec<std::borrow::Cow<'a, Preset>> {
        use std::borrow::Cow;
        let Some(slots) = &self.preset_slots else {
            return state.presets.iter().map(Cow::Borrowed).collect();
        };
        let mut out: Vec<Cow<'a, Preset>> = (1..=slots.count)
            .map(|n| {
                let token = n.to_string();
                state
                    .presets
                    .iter()
                    .find(|p| p.token == token)
                    .map_or_else(|| Cow::Owned(self.empty_slot(n)), Cow::Borrowed)
            })
            .collect();
        out.extend(
            state
                .presets
                .iter()
                .filter(|p| self.slot_number(&p.token).is_none())
                .map(Cow::Borrowed),
        );
        out
    }

    /// Check the section; `Err((field, message))`.
    pub(crate) fn validate(&self) -> Result<(), (String, String)> {
        let bad = |field: &str, msg: String| Err((format!("ptz.{field}"), msg));
        let cal = &self.calibration;
        // A unit whose generic pan runs the other way writes its pan high to low
        // ([degrees at -1, degrees at +1]); the degrees space then has no valid range.
        let pan_reversed_ok = cal.pan[0] > cal.pan[1] && !self.node.spherical;
        if (cal.pan[0] >= cal.pan[1] && !pan_reversed_ok) || cal.tilt[0] >= cal.tilt[1] {
            return bad(
                "calibration",
                "pan and tilt ranges run from low to high (pan may run high to low on a node without the degrees space)".into(),
            );
        }
        if cal.optical_zoom <= 1.0 {
            return bad("calibration.optical_zoom", "more than 1".into());
        }
        if !(cal.hfov[0] > cal.hfov[1] && cal.hfov[1] > 0.0 && cal.hfov[0] < 180.0) {
            return bad(
                "calibration.hfov",
                "[wide, tele] in degrees, wide > tele > 0".into(),
            );
        }
        if self.configurations.is_empty() {
            return bad("configurations", "at least one".into());
        }
        for c in &self.configurations {
            if c.default_space == SpaceKind::Spherical && !self.node.spherical {
                return bad(
                    "configurations",
                    format!("{}: the node has no spherical space", c.token),
                );
            }
            if parse_duration(&c.timeout).is_none() {
                return bad(
                    "configurations",
                    format!("{}: `{}` is not a duration", c.token, c.timeout),
                );
            }
        }
        if !(0.0..=60.0).contains(&self.move_seconds) {
            return bad("move_seconds", "0 to 60".into());
        }
        let check = |field: &str, what: &str, p: &Physical| -> Result<(), (String, String)> {
            let g = cal.to_generic(p);
            let eps = 1e-9;
            if g.x.abs() > 1.0 + eps || g.y.abs() > 1.0 + eps || !(-eps..=1.0 + eps).contains(&g.z)
            {
                return Err((
                    format!("ptz.{field}"),
                    format!(
                        "{what}: pan {} tilt {} zoom {} is outside the calibrated range",
                        p.pan,
                        p.tilt,
                        fmt_float(g.z)
                    ),
                ));
            }
            Ok(())
        };
        for (field, list) in [
            ("presets", &self.presets),
            ("factory.presets", &self.factory.presets),
        ] {
            let set = list.len();
            let limit = self.node.max_presets;
            if set > limit {
                return bad(field, format!("{set} presets, more than {limit}"));
            }
            for (i, p) in list.iter().enumerate() {
                check(field, &p.token, &p.physical())?;
                if list[..i].iter().any(|q| q.token == p.token) {
                    return bad(field, format!("token {} twice", p.token));
                }
                if self.reserved_presets.contains_key(&p.token) {
                    return bad(field, format!("{} is a reserved number", p.token));
                }
                if let Some(slots) = &self.preset_slots {
                    if !p
                        .token
                        .parse::<usize>()
                        .is_ok_and(|n| (1..=slots.count).contains(&n))
                    {
                        return bad(field, format!("{} is not a slot number", p.token));
                    }
                }
            }
        }
        for (field, p) in [
            ("position", Some(&self.position)),
            ("home", self.home.as_ref()),
            ("factory.position", Some(&self.factory.position)),
            ("factory.home", self.factory.home.as_ref()),
        ] {
            if let Some(p) = p {
                check(field, field, p)?;
            }
        }
        if let Some(slots) = &self.preset_slots {
            check("preset_slots.position", "slot", &slots.position)?;
            if slots.count > self.node.max_presets {
                return bad("preset_slots.count", "more slots than presets".into());
            }
        }
        Ok(())
    }
}

impl PtzState {
    /// Where the unit is at `now` (between start and target while moving).
    pub fn current(&self, now: Instant) -> Pos {
        match self.moving {
            Some(m) if now < m.until => {
                let total = (m.until - m.started).as_secs_f64();
                let f = if total > 0.0 {
                    (now - m.started).as_secs_f64() / total
                } else {
                    1.0
                };
                let lerp = |a: f64, b: f64| a + (b - a) * f;
                Pos {
                    x: lerp(m.from.x, self.target.x),
                    y: lerp(m.from.y, self.target.y),
                    z: lerp(m.from.z, self.target.z),
                }
            }
            _ => self.target,
        }
    }

    /// Whether a move is in progress.
    pub fn is_moving(&self, now: Instant) -> bool {
        self.moving.is_some_and(|m| now < m.until)
    }

    /// Start moving to `target`, taking `seconds`.
    pub fn move_to(&mut self, target: Pos, seconds: f64, now: Instant) {
        let from = self.current(now);
        self.target = target;
        self.moving = (seconds > 0.0).then(|| Move {
            from,
            started: now,
            until: now + Duration::from_secs_f64(seconds),
        });
    }

    /// The default absolute pan/tilt space of a configuration.
    pub fn default_space(&self, config: &str) -> SpaceKind {
        self.default_spaces
            .iter()
            .find(|(t, _)| t == config)
            .map(|(_, s)| *s)
            .unwrap_or_default()
    }
}

/// Whether a persona's PTZ section (if any) has a configuration with this token.
pub fn configuration_exists(spec: Option<&PtzSpec>, token: &str) -> bool {
    spec.is_some_and(|s| s.configurations.iter().any(|c| c.token == token))
}

/// Tokens of a persona's PTZ configurations (none without a PTZ section).
pub fn configuration_tokens(spec: Option<&PtzSpec>) -> Vec<&String> {
    spec.map(|s| s.configurations.iter().map(|c| &c.token).collect())
        .unwrap_or_default()
}

fn space_2d(w: &mut Writer, name: &str, uri: &str, x: [f64; 2], y: [f64; 2]) {
    w.open(name, &[]).leaf("tt:URI", uri);
    crate::wire::float_range(w, "tt:XRange", x[0], x[1]);
    crate::wire::float_range(w, "tt:YRange", y[0], y[1]);
    w.close(name);
}

fn space_1d(w: &mut Writer, name: &str, uri: &str, x: [f64; 2]) {
    w.open(name, &[]).leaf("tt:URI", uri);
    crate::wire::float_range(w, "tt:XRange", x[0], x[1]);
    w.close(name);
}

/// `tt:PTZSpaces` content of the node under `name`.
pub fn write_spaces(w: &mut Writer, name: &str, spec: &PtzSpec) {
    let cal = &spec.calibration;
    w.open(name, &[]);
    space_2d(
        w,
        "tt:AbsolutePanTiltPositionSpace",
        GENERIC_PT,
        [-1.0, 1.0],
        [-1.0, 1.0],
    );
    if spec.node.spherical {
        space_2d(
            w,
            "tt:AbsolutePanTiltPositionSpace",
            SPHERICAL_PT,
            cal.pan,
            cal.tilt,
        );
    }
    space_1d(w, "tt:AbsoluteZoomPositionSpace", GENERIC_ZOOM, [0.0, 1.0]);
    space_2d(
        w,
        "tt:RelativePanTiltTranslationSpace",
        TRANSLATION_PT,
        [-1.0, 1.0],
        [-1.0, 1.0],
    );
    space_1d(
        w,
        "tt:RelativeZoomTranslationSpace",
        TRANSLATION_ZOOM,
        [-1.0, 1.0],
    );
    space_1d(w, "tt:PanTiltSpeedSpace", SPEED_PT, [0.0, 1.0]);
    space_1d(w, "tt:ZoomSpeedSpace", SPEED_ZOOM, [0.0, 1.0]);
    w.close(name);
}

/// `tt:PTZConfiguration` `token` under `name`, if `spec` has it; `use_count` is how many
/// media profiles use it (the media state knows, not the PTZ one).
pub fn write_configuration(
    w: &mut Writer,
    name: &str,
    token: &str,
    spec: &PtzSpec,
    state: &PtzState,
    use_count: usize,
) {
    let Some(c) = spec.configurations.iter().find(|c| c.token == token) else {
        return;
    };
    let timeout = state
        .timeouts
        .iter()
        .find(|(t, _)| t == token)
        .map_or(c.timeout.as_str(), |(_, v)| v.as_str());
    let [pt_speed, z_speed] = c.speed.map(fmt_float);
    w.open(name, &[("token", &c.token)])
        .leaf("tt:Name", &c.name)
        .leaf("tt:UseCount", use_count)
        .leaf("tt:NodeToken", &spec.node.token)
        .leaf(
            "tt:DefaultAbsolutePantTiltPositionSpace",
            state.default_space(token).uri(),
        )
        .leaf("tt:DefaultAbsoluteZoomPositionSpace", GENERIC_ZOOM)
        .leaf("tt:DefaultRelativePanTiltTranslationSpace", TRANSLATION_PT)
        .leaf("tt:DefaultRelativeZoomTranslationSpace", TRANSLATION_ZOOM)
        .open("tt:DefaultPTZSpeed", &[])
        .empty(
            "tt:PanTilt",
            &[("x", &pt_speed), ("y", &pt_speed), ("space", SPEED_PT)],
        )
        .empty("tt:Zoom", &[("x", &z_speed), ("space", SPEED_ZOOM)])
        .close("tt:DefaultPTZSpeed")
        .leaf("tt:DefaultPTZTimeout", timeout)
        .open("tt:PanTiltLimits", &[]);
    space_2d(w, "tt:Range", GENERIC_PT, [-1.0, 1.0], [-1.0, 1.0]);
    w.close("tt:PanTiltLimits").open("tt:ZoomLimits", &[]);
    space_1d(w, "tt:Range", GENERIC_ZOOM, [0.0, 1.0]);
    w.close("tt:ZoomLimits").close(name);
}

/// A `tt:PTZVector` under `name` in `space` (zoom always generic).
pub fn write_vector(w: &mut Writer, name: &str, pos: Pos, space: SpaceKind, cal: &Calibration) {
    let (x, y) = match space {
        SpaceKind::Generic => (pos.x, pos.y),
        SpaceKind::Spherical => (cal.x_to_pan(pos.x), cal.y_to_tilt(pos.y)),
    };
    let (x, y, z) = (fmt_float(x), fmt_float(y), fmt_float(pos.z));
    w.open(name, &[])
        .empty(
            "tt:PanTilt",
            &[("x", &x), ("y", &y), ("space", space.uri())],
        )
        .empty("tt:Zoom", &[("x", &z), ("space", GENERIC_ZOOM)])
        .close(name);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hik_calibration() -> Calibration {
        Calibration {
            pan: [0.0, 360.0],
            pan_endless: true,
            tilt: [-15.0, 90.0],
            optical_zoom: 25.0,
            hfov: [57.6, 2.5],
        }
    }

    #[test]
    fn ninety_degrees_pan_thirty_tilt_twenty_hfov_in_generic_coordinates() {
        let cal = hik_calibration();
        let p = cal.to_generic(&Physical {
            pan: 90.0,
            tilt: 30.0,
            hfov: Some(20.0),
            zoom: None,
        });
        assert!((p.x - -0.5).abs() < 1e-12);
        assert!((p.y - (45.0 / 105.0 * 2.0 - 1.0)).abs() < 1e-12);
        let m = (28.8f64).to_radians().tan() / (10.0f64).to_radians().tan();
        assert!((p.z - (m - 1.0) / 24.0).abs() < 1e-12);
        assert!((p.z - 0.0883).abs() < 1e-3, "{}", p.z);
    }

    #[test]
    fn conversions_round_trip() {
        let cal = hik_calibration();
        for x in [-1.0, -0.3, 0.0, 0.77, 1.0] {
            assert!((cal.pan_to_x(cal.x_to_pan(x)) - x).abs() < 1e-12);
            assert!((cal.tilt_to_y(cal.y_to_tilt(x)) - x).abs() < 1e-12);
        }
        for z in [0.0, 0.1, 0.5, 1.0] {
            assert!((cal.hfov_to_z(cal.z_to_hfov(z)) - z).abs() < 1e-9);
        }
        assert!((cal.z_to_hfov(0.0) - 57.6).abs() < 1e-9);
    }

    #[test]
    fn a_move_interpolates_until_it_ends() {
        let cal = hik_calibration();
        let mut s = PtzState {
            presets: Vec::new(),
            home: None,
            target: Pos {
                x: 0.0,
                y: 0.0,
                z: 0.0,
            },
            moving: None,
            default_spaces: Vec::new(),
            timeouts: Vec::new(),
        };
        let _ = cal;
        let t0 = Instant::now();
        s.move_to(
            Pos {
                x: 1.0,
                y: 0.5,
                z: 1.0,
            },
            2.0,
            t0,
        );
        assert!(s.is_moving(t0 + Duration::from_secs(1)));
        let mid = s.current(t0 + Duration::from_secs(1));
        assert!((mid.x - 0.5).abs() < 1e-9 && (mid.z - 0.5).abs() < 1e-9);
        assert!(!s.is_moving(t0 + Duration::from_secs(3)));
        assert_eq!(s.current(t0 + Duration::from_secs(3)).x, 1.0);
    }
}
