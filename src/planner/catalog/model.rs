//! What an approved model is: shape, encoder limits, PTZ mechanics and optics.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::resolution::Resolution;
use crate::model::{Codec, Range};

/// A camera's physical shape.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum FormFactor {
    /// Bullet (box with a sunshield).
    Bullet,
    /// Dome.
    Dome,
    /// Turret ("eyeball").
    Turret,
    /// Pan-tilt-zoom.
    Ptz,
    /// Fisheye (panoramic).
    Fisheye,
}

impl fmt::Display for FormFactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Bullet => "bullet",
            Self::Dome => "dome",
            Self::Turret => "turret",
            Self::Ptz => "ptz",
            Self::Fisheye => "fisheye",
        })
    }
}

/// Which way a unit's positive tilt points, as its datasheet (or ONVIF space) writes it.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum TiltPositive {
    /// Positive tilt looks up (ONVIF SphericalPositionSpace: domes run 0 to -90).
    #[default]
    Up,
    /// Positive tilt looks down (datasheets writing -15..90 with 90 = straight down).
    Down,
}

/// Which way a unit's pan coordinate grows, seen from above.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum PanPositive {
    /// Growing pan turns clockwise (the ONVIF convention most units follow).
    #[default]
    Clockwise,
    /// Growing pan turns anticlockwise.
    Anticlockwise,
}

/// PTZ mechanics and optics of a model: what turns generic coordinates into degrees and a
/// field of view. Any part may be unknown; translation then asks for a re-aim.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PtzSpec {
    /// Pan range in degrees, as the unit counts it (e.g. 0..360 or -180..180).
    pub pan_range: Option<Range>,
    /// Tilt range in degrees, in the unit's own sign convention (see `tilt_positive`).
    pub tilt_range: Option<Range>,
    /// Which way positive tilt points.
    pub tilt_positive: TiltPositive,
    /// Which way growing pan turns.
    pub pan_positive: PanPositive,
    /// Where pan 0 points, degrees clockwise from the unit's mechanical reference (the mark
    /// or cable exit an installer aligns): what makes two units' pan comparable.
    pub pan_zero: f64,
    /// Optical zoom factor (magnification at tele).
    pub optical_zoom: Option<f64>,
    /// Horizontal field of view at wide, degrees.
    pub hfov_wide: Option<f64>,
    /// Horizontal field of view at tele, degrees (datasheet figure; shown, and cross-checked).
    pub hfov_tele: Option<f64>,
    /// Maximum number of presets (0 when unknown, for references only).
    pub max_presets: u32,
    /// The unit offers the ONVIF degrees space (SphericalPositionSpace) over the pan/tilt ranges.
    pub spherical_space: bool,
    /// Generic pan/tilt space ranges (ONVIF says -1..1; some firmware differs).
    pub generic_pan: Range,
    /// Generic tilt range.
    pub generic_tilt: Range,
    /// Generic zoom range (0..1).
    pub generic_zoom: Range,
}

impl PtzSpec {
    /// Mechanical azimuth (clockwise from the reference) of a pan in the unit's degrees.
    pub fn azimuth(&self, pan: f64) -> f64 {
        match self.pan_positive {
            PanPositive::Clockwise => self.pan_zero + pan,
            PanPositive::Anticlockwise => self.pan_zero - pan,
        }
    }

    /// The unit's pan in degrees for a mechanical azimuth (not wrapped into its range).
    pub fn pan_for_azimuth(&self, azimuth: f64) -> f64 {
        match self.pan_positive {
            PanPositive::Clockwise => azimuth - self.pan_zero,
            PanPositive::Anticlockwise => self.pan_zero - azimuth,
        }
    }

    /// Pan and tilt ranges in degrees, when both are known.
    pub fn pan_tilt_degrees(&self) -> Option<(Range, Range)> {
        Some((self.pan_range?, self.tilt_range?))
    }

    /// Optical zoom and wide field of view, when both are known.
    pub fn optics(&self) -> Option<(f64, f64)> {
        Some((self.optical_zoom?, self.hfov_wide?))
    }
}

/// One approved model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CatalogModel {
    /// Vendor (`Axis`).
    pub vendor: String,
    /// Model (`Q6135-LE`).
    pub model: String,
    /// Physical shape; unknown only for models described from a live device.
    pub form_factor: Option<FormFactor>,
    /// Largest resolution.
    pub max_resolution: Resolution,
    /// Frame rate at the largest resolution.
    pub max_fps: f64,
    /// Codecs, sorted.
    pub codecs: Vec<Codec>,
    /// Supported resolutions, largest first (given, or the standard ladder up to the maximum).
    pub resolutions: Vec<Resolution>,
    /// PTZ mechanics, for PTZ models.
    pub ptz: Option<PtzSpec>,
    /// Records to local storage (Profile G).
    pub edge_storage: bool,
    /// ONVIF profiles claimed (`S`, `G`, `T`, `M`).
    pub onvif_profiles: Vec<String>,
    /// Has an audio input it can stream.
    pub audio: bool,
    /// Country of origin.
    pub country: Option<String>,
    /// Where the figures come from.
    pub source: Option<String>,
    /// Someone checked the figures against the vendor's datasheet (or they were read live).
    pub verified: bool,
    /// Unit cost, when known (any currency, the same for every row).
    pub cost: Option<f64>,
    /// Encoder quality range, when known.
    pub quality_range: Option<Range>,
    /// Encoder bitrate range (kbit/s), when known.
    pub bitrate_range: Option<Range>,
    /// GOV length range (frames), when known.
    pub gov_length_range: Option<Range>,
    /// The model can create recordings (Profile G `DynamicRecordings`); `None` when unknown.
    pub dynamic_recordings: Option<bool>,
}

impl CatalogModel {
    /// `Vendor Model`, the name used in plans and stock files.
    pub fn name(&self) -> String {
        format!("{} {}", self.vendor, self.model)
    }

    /// True when the model offers the codec.
    pub fn has_codec(&self, c: &Codec) -> bool {
        self.codecs.contains(c)
    }
}

impl PtzSpec {
    /// A spec with nothing known but the ONVIF generic ranges.
    pub fn default_generic() -> Self {
        Self {
            generic_pan: Range::new(-1.0, 1.0),
            generic_tilt: Range::new(-1.0, 1.0),
            generic_zoom: Range::new(0.0, 1.0),
            ..Self::default()
        }
    }
}

/// PTZ calibration of an old (not approved) model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reference {
    /// Vendor.
    pub vendor: String,
    /// Model, matched as a prefix of what the device reports (case-insensitive).
    pub model: String,
    /// Where the figures come from.
    pub source: Option<String>,
    /// The calibration.
    pub ptz: PtzSpec,
}
