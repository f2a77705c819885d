//! PTZ presets across models: old coordinates → physical direction → new coordinates.
//!
//! The physical frame is the unit's own mechanical frame: azimuth in degrees clockwise (seen
//! from above) from its reference mark, elevation in degrees (positive above the horizon, -90
//! straight down), and the horizontal field of view in degrees. Each model's pan coordinate
//! turns one way or the other from its own zero (`pan_positive`, `pan_zero` in the catalogue).
//! Without an anchor the two units' reference marks are assumed to point the same way, so
//! every translated preset is approximate; an anchor (one preset aimed by hand on the new
//! unit) fixes the offset between them for the rest. `re_aim` marks presets whose mechanics
//! are unknown.
//!
//! Conversions (assumptions documented in DOMAIN.md 3a):
//! - Generic pan/tilt (−1..1 by the spec; read from the device when it says otherwise) maps
//!   linearly onto the model's pan and tilt ranges in degrees as its datasheet writes them
//!   (generic −1 ↔ range minimum). The datasheet's tilt sign (`tilt_positive`) then gives the
//!   elevation. The degrees ranges come from the device's own SphericalPositionSpace when it
//!   has one, else from the catalogue's calibration for the model.
//! - SphericalPositionSpace values are degrees with positive tilt up (ONVIF PTZ spec).
//! - Generic zoom z ∈ [0, 1] is taken as linear in magnification: m = 1 + z·(N − 1) for an
//!   N× optical zoom; the spec promises no such mapping, so this is an assumption, and the
//!   field of view is then hfov = 2·atan(tan(hfov_wide / 2) / m). Millimetre zoom gives
//!   m = f / f_min directly. The target's zoom is solved from the same field of view, clamped.

use serde::{Deserialize, Serialize};

use super::catalog::{PtzSpec, TiltPositive};
use crate::model::{PtzNode, PtzPosition, Range};

/// ONVIF generic absolute pan/tilt space.
pub const GENERIC_PAN_TILT_SPACE: &str =
    "http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace";
/// ONVIF absolute pan/tilt space in degrees.
pub const SPHERICAL_SPACE: &str =
    "http://www.onvif.org/ver10/tptz/PanTiltSpaces/SphericalPositionSpace";
/// ONVIF generic absolute zoom space.
pub const GENERIC_ZOOM_SPACE: &str =
    "http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionGenericSpace";
/// ONVIF absolute zoom space in millimetres of focal length.
pub const MM_ZOOM_SPACE: &str =
    "http://www.onvif.org/ver10/tptz/ZoomSpaces/PositionSpaceMillimeter";

/// Where a preset physically looks. Either part may be unknown (with the reason).
#[derive(Debug, Clone, PartialEq)]
pub struct Physical {
    /// Pan and elevation in degrees, or why they are unknown.
    pub aim: Result<(f64, f64), String>,
    /// Horizontal field of view in degrees, or why it is unknown.
    pub hfov: Result<f64, String>,
}

/// The old unit: its PTZ node (spaces and ranges) and catalogue calibration.
#[derive(Debug, Clone, Copy)]
pub struct OldUnit<'a> {
    /// The node the presets belong to.
    pub node: Option<&'a PtzNode>,
    /// Default absolute pan/tilt space from the PTZ configuration (for positions without one).
    pub default_pan_tilt_space: Option<&'a str>,
    /// Calibration from the catalogue (model name, spec).
    pub calibration: Option<(&'a str, &'a PtzSpec)>,
}

impl OldUnit<'_> {
    fn space_2d(&self, uri: &str) -> Option<(Range, Range)> {
        self.node?
            .absolute_pan_tilt
            .iter()
            .find(|s| s.uri == uri)
            .map(|s| (s.x, s.y))
    }

    fn space_1d(&self, uri: &str) -> Option<Range> {
        self.node?
            .absolute_zoom
            .iter()
            .find(|s| s.uri == uri)
            .map(|s| s.x)
    }

    /// Converts a stored position to a physical direction.
    pub fn physical(&self, pos: &PtzPosition) -> Physical {
        Physical {
            aim: match &pos.pan_tilt {
                None => Err("the preset has no pan/tilt position".into()),
                Some((x, y, space)) => self.aim(*x, *y, space.as_deref()),
            },
            hfov: match &pos.zoom {
                None => Err("the preset has no zoom position".into()),
                Some((z, space)) => self.hfov(*z, space.as_deref()),
            },
        }
    }

    fn aim(&self, x: f64, y: f64, space: Option<&str>) -> Result<(f64, f64), String> {
        let space = space
            .or(self.default_pan_tilt_space)
            .unwrap_or(GENERIC_PAN_TILT_SPACE);
        if space == SPHERICAL_SPACE {
            return Ok((self.azimuth(x), y));
        }
        if space != GENERIC_PAN_TILT_SPACE {
            return Err(format!("position in an unknown space {space}"));
        }
        let (gx, gy) = self
            .space_2d(GENERIC_PAN_TILT_SPACE)
            .unwrap_or((Range::new(-1.0, 1.0), Range::new(-1.0, 1.0)));
        let (pan, tilt, positive) = if let Some((px, py)) = self.space_2d(SPHERICAL_SPACE) {
            (px, py, TiltPositive::Up)
        } else if let Some((model, spec)) = self.calibration {
            let (p, t) = spec.pan_tilt_degrees().ok_or_else(|| {
                format!("the calibration for {model} has no pan/tilt ranges in degrees")
            })?;
            (p, t, spec.tilt_positive)
        } else {
            return Err("no calibration for the old model: its generic pan/tilt cannot be turned into degrees".into());
        };
        let pan_deg = lerp(x, gx, pan);
        let tilt_deg = lerp(y, gy, tilt);
        Ok((self.azimuth(pan_deg), elevation(tilt_deg, positive)))
    }

    /// Mechanical azimuth of a pan in the unit's degrees: its calibration says which way pan
    /// grows and where 0 points; without one, clockwise from the reference.
    fn azimuth(&self, pan: f64) -> f64 {
        self.calibration.map_or(pan, |(_, spec)| spec.azimuth(pan))
    }

    fn hfov(&self, z: f64, space: Option<&str>) -> Result<f64, String> {
        let optics = self.calibration.and_then(|(_, s)| s.optics());
        let space = space.unwrap_or(GENERIC_ZOOM_SPACE);
        let (n, wide) = optics.ok_or_else(|| {
            "no optical zoom and wide field of view for the old model: its zoom cannot be turned into a field of view".to_owned()
        })?;
        let m = if space == GENERIC_ZOOM_SPACE {
            let r = self
                .space_1d(GENERIC_ZOOM_SPACE)
                .unwrap_or(Range::new(0.0, 1.0));
            1.0 + lerp(z, r, Range::new(0.0, 1.0)).clamp(0.0, 1.0) * (n - 1.0)
        } else if space == MM_ZOOM_SPACE {
            let r = self
                .space_1d(MM_ZOOM_SPACE)
                .filter(|r| r.min > 0.0)
                .ok_or("zoom in millimetres without the node's focal length range")?;
            (z / r.min).max(1.0)
        } else {
            return Err(format!("zoom in an unknown space {space}"));
        };
        Ok(hfov_at(wide, m))
    }
}

/// Elevation (positive up) from a tilt in a unit's own sign convention.
pub fn elevation(tilt: f64, positive: TiltPositive) -> f64 {
    match positive {
        TiltPositive::Up => tilt,
        TiltPositive::Down => -tilt,
    }
}

/// Linear map of `v` from range `from` onto range `to`.
fn lerp(v: f64, from: Range, to: Range) -> f64 {
    let span = from.max - from.min;
    if span.abs() < f64::EPSILON {
        return to.min;
    }
    to.min + (v - from.min) / span * (to.max - to.min)
}

/// Horizontal field of view at magnification `m` for a lens whose widest view is `wide`.
pub fn hfov_at(wide: f64, m: f64) -> f64 {
    2.0 * ((wide / 2.0).to_radians().tan() / m).atan().to_degrees()
}

/// The magnification giving field of view `hfov` on a lens whose widest view is `wide`.
pub fn magnification_for(wide: f64, hfov: f64) -> f64 {
    (wide / 2.0).to_radians().tan() / (hfov / 2.0).to_radians().tan()
}

/// The narrowest view a spec can reach, from its optics (or its datasheet tele figure).
pub fn narrowest_hfov(spec: &PtzSpec) -> Option<f64> {
    match spec.optics() {
        Some((n, wide)) => Some(hfov_at(wide, n)),
        None => spec.hfov_tele,
    }
}

/// Coordinates for the new unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PtzTarget {
    /// Pan/tilt in `space`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pan_tilt: Option<Coord2>,
    /// Zoom in `space`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zoom: Option<Coord1>,
}

/// A 2-D coordinate in a named space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Coord2 {
    /// Pan.
    pub x: f64,
    /// Tilt.
    pub y: f64,
    /// Space URI.
    pub space: String,
}

/// A 1-D coordinate in a named space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Coord1 {
    /// Zoom.
    pub x: f64,
    /// Space URI.
    pub space: String,
}

/// The translation of one physical direction onto a model.
#[derive(Debug, Clone, PartialEq)]
pub struct Translated {
    /// What to drive the new unit to (absent when nothing is known).
    pub target: Option<PtzTarget>,
    /// A person must aim this one on site.
    pub re_aim: bool,
    /// What was assumed or adjusted.
    pub notes: Vec<String>,
}

/// Translates a physical direction onto a model's coordinates; `pan_offset` (degrees) is the
/// new unit's reference minus the old one's, from an anchor (0 without one).
pub fn translate(
    physical: &Physical,
    spec: Option<&PtzSpec>,
    model: &str,
    pan_offset: f64,
) -> Translated {
    let mut notes = Vec::new();
    let mut re_aim = false;
    let Some(spec) = spec else {
        return Translated {
            target: None,
            re_aim: true,
            notes: vec![format!(
                "{model} has no PTZ data in the catalogue: aim on site"
            )],
        };
    };
    let pan_tilt = match &physical.aim {
        Err(why) => {
            re_aim = true;
            notes.push(format!("pan/tilt not translated: {why}"));
            None
        }
        Ok((pan, elev)) => match spec.pan_tilt_degrees() {
            None => {
                re_aim = true;
                notes.push(format!(
                    "pan/tilt not translated: the catalogue has no pan/tilt ranges for {model}"
                ));
                None
            }
            Some((pr, tr)) => {
                let mut p = spec.pan_for_azimuth(*pan + pan_offset);
                if pr.max - pr.min >= 359.9 {
                    p = pr.min + (p - pr.min).rem_euclid(360.0);
                } else if !pr.contains(p) {
                    re_aim = true;
                    notes.push(format!(
                        "pan {p:.1}° is outside {model}'s range {}..{}°: clamped",
                        pr.min, pr.max
                    ));
                    p = pr.clamp(p);
                }
                let own = elevation(*elev, spec.tilt_positive);
                let t = tr.clamp(own);
                if (t - own).abs() > 0.05 {
                    re_aim = true;
                    notes.push(format!(
                        "tilt {own:.1}° is outside {model}'s range {}..{}°: clamped to {t:.1}°",
                        tr.min, tr.max
                    ));
                }
                Some(if spec.spherical_space {
                    Coord2 {
                        x: round(p, 100.0),
                        y: round(t, 100.0),
                        space: SPHERICAL_SPACE.into(),
                    }
                } else {
                    Coord2 {
                        x: round(lerp(p, pr, spec.generic_pan), 1e5),
                        y: round(lerp(t, tr, spec.generic_tilt), 1e5),
                        space: GENERIC_PAN_TILT_SPACE.into(),
                    }
                })
            }
        },
    };
    let zoom = match (&physical.hfov, spec.optics()) {
        (Err(why), _) => {
            re_aim = true;
            notes.push(format!("zoom not translated: {why}"));
            None
        }
        (Ok(_), None) => {
            re_aim = true;
            notes.push(format!(
                "zoom not translated: the catalogue has no optical zoom and wide field of view for {model}"
            ));
            None
        }
        (Ok(hfov), Some((n, wide))) => {
            let mut m = magnification_for(wide, *hfov);
            if m < 1.0 {
                notes.push(format!(
                    "the old view ({hfov:.1}°) is wider than {model}'s widest ({wide:.1}°): zoomed fully out"
                ));
                m = 1.0;
            } else if m > n {
                notes.push(format!(
                    "the old view ({hfov:.1}°) is narrower than {model}'s narrowest ({:.1}°): zoomed fully in",
                    hfov_at(wide, n)
                ));
                m = n;
            }
            let z = if n > 1.0 { (m - 1.0) / (n - 1.0) } else { 0.0 };
            let z = lerp(z, Range::new(0.0, 1.0), spec.generic_zoom);
            notes.push(format!(
                "field of view {hfov:.1}° → zoom {z:.4} ({:.1}° on {model})",
                hfov_at(wide, m)
            ));
            Some(Coord1 {
                x: round(z, 1e5),
                space: GENERIC_ZOOM_SPACE.into(),
            })
        }
    };
    let target = (pan_tilt.is_some() || zoom.is_some()).then_some(PtzTarget { pan_tilt, zoom });
    Translated {
        target,
        re_aim,
        notes,
    }
}

/// Rounds to 1/scale.
pub fn round(v: f64, scale: f64) -> f64 {
    let r = (v * scale).round() / scale;
    // -0.0 would serialise as "-0.0" and read back as a different bit pattern.
    if r == 0.0 { 0.0 } else { r }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::catalog::Catalog;

    fn generic(x: f64, y: f64, z: f64) -> PtzPosition {
        PtzPosition {
            pan_tilt: Some((x, y, Some(GENERIC_PAN_TILT_SPACE.into()))),
            zoom: Some((z, Some(GENERIC_ZOOM_SPACE.into()))),
        }
    }

    /// Generic coordinates on the Hikvision DS-2DE4425IW-DE for a physical direction, computed
    /// by hand from its calibration (pan 0..360, tilt -15..90 positive down, 25x, 57.6°).
    fn hikvision_generic(pan: f64, tilt_down: f64, hfov: f64) -> PtzPosition {
        let x = -1.0 + 2.0 * pan / 360.0;
        let y = -1.0 + 2.0 * (tilt_down + 15.0) / 105.0;
        let m = (28.8f64).to_radians().tan() / (hfov / 2.0).to_radians().tan();
        generic(x, y, (m - 1.0) / 24.0)
    }

    #[test]
    fn hikvision_preset_keeps_its_direction_and_field_of_view_on_the_axis_q6135() {
        let c = Catalog::example();
        let old = OldUnit {
            node: None,
            default_pan_tilt_space: None,
            calibration: c.calibration_for("DS-2DE4425IW-DE"),
        };
        let phys = old.physical(&hikvision_generic(90.0, 30.0, 20.0));
        let (pan, elev) = phys.aim.clone().unwrap();
        assert!(
            (pan - 90.0).abs() < 1e-9 && (elev + 30.0).abs() < 1e-9,
            "{phys:?}"
        );
        assert!((phys.hfov.clone().unwrap() - 20.0).abs() < 1e-9);

        let axis = &c.models[c.find("Axis Q6135-LE", None).unwrap()];
        let t = translate(&phys, axis.ptz.as_ref(), &axis.name(), 0.0);
        assert!(!t.re_aim, "{t:?}");
        let target = t.target.unwrap();
        let pt = target.pan_tilt.unwrap();
        assert_eq!(pt.space, SPHERICAL_SPACE);
        // Same direction within 1°: pan 90°, 30° below the horizon (ONVIF degrees: tilt -30).
        assert!(
            (pt.x - 90.0).abs() < 1.0 && (pt.y + 30.0).abs() < 1.0,
            "{pt:?}"
        );
        // FOV-matched zoom within 5 %: the Axis at that generic zoom shows 20°.
        let z = target.zoom.unwrap();
        assert_eq!(z.space, GENERIC_ZOOM_SPACE);
        let shown = hfov_at(58.4, 1.0 + z.x * 31.0);
        assert!(
            (shown - 20.0).abs() / 20.0 < 0.05,
            "zoom {} shows {shown}°",
            z.x
        );
        // And the Axis zoom is not the old generic value copied across (25x vs 32x).
        assert!((z.x - 0.0883).abs() > 0.01);
    }

    #[test]
    fn generic_target_gets_generic_coordinates_and_pan_wraps() {
        let c = Catalog::example();
        let ipro = &c.models[c.find("WV-X6533LN", None).unwrap()];
        let phys = Physical {
            aim: Ok((-90.0, -30.0)),
            hfov: Ok(62.0),
        };
        let t = translate(&phys, ipro.ptz.as_ref(), "i-PRO WV-X6533LN", 0.0);
        let pt = t.target.as_ref().unwrap().pan_tilt.as_ref().unwrap();
        assert_eq!(pt.space, GENERIC_PAN_TILT_SPACE);
        // -90° on a 0..360 unit is 270°: generic 0.5. Elevation -30 = 30 down on -15..90.
        assert!((pt.x - 0.5).abs() < 1e-4, "{pt:?}");
        assert!((pt.y - (-1.0 + 2.0 * 45.0 / 105.0)).abs() < 1e-4);
        assert_eq!(t.target.unwrap().zoom.unwrap().x, 0.0);
    }

    #[test]
    fn missing_calibration_on_either_side_means_re_aim() {
        let c = Catalog::example();
        let unknown = OldUnit {
            node: None,
            default_pan_tilt_space: None,
            calibration: None,
        };
        let phys = unknown.physical(&generic(0.1, 0.2, 0.3));
        assert!(phys.aim.is_err() && phys.hfov.is_err());
        let axis = &c.models[c.find("Q6135-LE", None).unwrap()];
        let t = translate(&phys, axis.ptz.as_ref(), "Axis Q6135-LE", 0.0);
        assert!(t.re_aim && t.target.is_none());

        let known = Physical {
            aim: Ok((10.0, -10.0)),
            hfov: Ok(30.0),
        };
        let bosch = &c.models[c.find("AUTODOME IP starlight 5100i", None).unwrap()];
        let t = translate(&known, bosch.ptz.as_ref(), "Bosch AUTODOME", 0.0);
        assert!(t.re_aim && t.target.is_none(), "{t:?}");
    }

    #[test]
    fn device_degree_space_wins_over_the_catalogue_and_tilt_is_clamped() {
        use crate::model::Space2d;
        let node = PtzNode {
            token: "n".into(),
            absolute_pan_tilt: vec![
                Space2d {
                    uri: GENERIC_PAN_TILT_SPACE.into(),
                    x: Range::new(-1.0, 1.0),
                    y: Range::new(-1.0, 1.0),
                },
                Space2d {
                    uri: SPHERICAL_SPACE.into(),
                    x: Range::new(-170.0, 170.0),
                    y: Range::new(-90.0, 0.0),
                },
            ],
            ..Default::default()
        };
        let old = OldUnit {
            node: Some(&node),
            default_pan_tilt_space: None,
            calibration: None,
        };
        let (pan, elev) = old.physical(&generic(0.5, 1.0, 0.0)).aim.unwrap();
        assert!((pan - 85.0).abs() < 1e-9 && elev.abs() < 1e-9);
        let c = Catalog::example();
        let axis = &c.models[c.find("Q6135-LE", None).unwrap()];
        let t = translate(
            &Physical {
                aim: Ok((0.0, 45.0)),
                hfov: Err("x".into()),
            },
            axis.ptz.as_ref(),
            "Axis Q6135-LE",
            0.0,
        );
        assert!(t.re_aim);
        assert_eq!(t.target.unwrap().pan_tilt.unwrap().y, 20.0);
    }
}
