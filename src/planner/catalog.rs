//! The catalogue of approved replacement models (`catalog.toml`), and reference calibration
//! for old models whose PTZ coordinates must be turned into degrees.
//!
//! ```toml
//! example = true            # optional: marks example data in every rendering
//! version = 1               # optional
//! [[model]]
//! vendor = "Axis"
//! model = "Q6135-LE"
//! form_factor = "ptz"       # bullet | dome | turret | ptz | fisheye
//! max_resolution = "1920x1080"
//! max_fps = 60              # at max_resolution
//! codecs = ["H264", "H265", "JPEG"]
//! resolutions = ["1920x1080", "1280x720"]   # optional; default: the standard ladder
//! edge_storage = true
//! onvif_profiles = ["S", "G", "T", "M"]
//! audio = false
//! country = "SE"
//! source = "https://..."
//! verified = false
//! cost = 1450               # optional, any currency, the same for every row
//! quality_range = [0, 100]  # optional encoder ranges, when known
//! bitrate_range = [64, 20000]
//! gov_length_range = [1, 1023]
//! ptz = { pan_range = [-180, 180], tilt_range = [-90, 20], tilt_positive = "up",
//!         optical_zoom = 32, hfov_wide = 58.4, hfov_tele = 2.1, max_presets = 256,
//!         spherical_space = true }
//! [[reference]]             # old, NOT approved models: PTZ calibration only
//! vendor = "Hikvision"
//! model = "DS-2DE4425IW-DE"
//! ptz = { ... }
//! ```
//!
//! Every error names the file, the line and the field. Models are kept sorted by vendor and
//! model, so the order of rows in the file never changes a plan.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::input::{InputError, Location, field_location, locate, locate_error};
use crate::inventory::DeviceSnapshot;
use crate::model::{Codec, Range};

/// The name under which the built-in example catalogue is selected.
pub const BUILTIN_EXAMPLE: &str = "builtin:example";

/// The built-in example catalogue's text (example data; see the file's header).
pub const EXAMPLE_TOML: &str = include_str!("example_catalog.toml");

/// The newest catalogue version this build reads.
pub const CATALOG_VERSION: u32 = 1;

/// A catalogue could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A value is missing, malformed or inconsistent.
    #[error(transparent)]
    Invalid(#[from] InputError),
    /// `builtin:NAME` with a name we do not ship.
    #[error("unknown built-in catalogue \"{0}\" (available: {BUILTIN_EXAMPLE})")]
    UnknownBuiltin(String),
    /// A device snapshot lacks what a catalogue entry needs.
    #[error("device {device}: cannot describe it as a catalogue model: {message}")]
    FromSnapshot {
        /// Device id.
        device: String,
        /// What is missing.
        message: String,
    },
}

/// A camera's physical shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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

/// A resolution in pixels, written `WxH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Resolution {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

impl Resolution {
    /// `width` x `height`.
    pub const fn new(width: u32, height: u32) -> Self {
        Self { width, height }
    }

    /// Pixel count.
    pub fn pixels(self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }

    /// Width over height.
    pub fn aspect(self) -> f64 {
        f64::from(self.width) / f64::from(self.height.max(1))
    }

    /// True when both have the same aspect ratio within 2 % (2688x1520 and 1920x1080 do).
    pub fn same_aspect(self, other: Self) -> bool {
        (self.aspect() / other.aspect() - 1.0).abs() <= 0.02
    }

    /// Parses `WxH` (also `W×H`, `W*H`).
    pub fn parse(s: &str) -> Option<Self> {
        let (w, h) = s.trim().split_once(['x', 'X', '×', '*'])?;
        let (width, height) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
        (width > 0 && height > 0).then_some(Self { width, height })
    }
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

impl Serialize for Resolution {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Resolution {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected a resolution \"WxH\" such as \"1920x1080\", found \"{s}\""
            ))
        })
    }
}

/// Which way a unit's positive tilt points, as its datasheet (or ONVIF space) writes it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TiltPositive {
    /// Positive tilt looks up (ONVIF SphericalPositionSpace: domes run 0 to -90).
    #[default]
    Up,
    /// Positive tilt looks down (datasheets writing -15..90 with 90 = straight down).
    Down,
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

    /// Describes a live device as a catalogue entry (for a site that already owns approved
    /// cameras and wants to plan onto exactly what they report).
    pub fn from_snapshot(s: &DeviceSnapshot) -> Result<Self, CatalogError> {
        let fail = |message: &str| CatalogError::FromSnapshot {
            device: s.id.clone(),
            message: message.to_owned(),
        };
        let vendor = nonempty(s.identity.manufacturer.as_deref())
            .ok_or_else(|| fail("no manufacturer reported"))?;
        let model =
            nonempty(s.identity.model.as_deref()).ok_or_else(|| fail("no model reported"))?;
        let mut resolutions = BTreeSet::new();
        let mut codecs = BTreeSet::new();
        let mut max_fps: f64 = 0.0;
        let mut quality = None;
        let mut bitrate = None;
        let mut gov = None;
        for p in &s.profiles {
            for o in &p.encoder_options {
                if let Some(c) = &o.encoding {
                    codecs.insert(c.clone());
                }
                for &(w, h) in &o.resolutions {
                    if w > 0 && h > 0 {
                        resolutions.insert(Resolution::new(w, h));
                    }
                }
                for f in o
                    .frame_rates
                    .iter()
                    .chain(o.frame_rate_range.iter().map(|r| &r.max))
                {
                    max_fps = max_fps.max(*f);
                }
                quality = quality.or(o.quality_range);
                bitrate = bitrate.or(o.bitrate_range);
                gov = gov.or(o.gov_length_range);
            }
            if let Some(e) = &p.video_encoder {
                if let Some(c) = &e.encoding {
                    codecs.insert(c.clone());
                }
                if let (Some(w), Some(h)) = (e.width, e.height) {
                    if w > 0 && h > 0 {
                        resolutions.insert(Resolution::new(w, h));
                    }
                }
                max_fps = max_fps.max(e.frame_rate.unwrap_or(0.0));
            }
        }
        let max_resolution = resolutions
            .iter()
            .copied()
            .max_by_key(|r| (r.pixels(), r.width))
            .ok_or_else(|| fail("no encoder resolution reported"))?;
        if max_fps <= 0.0 {
            return Err(fail("no frame rate reported"));
        }
        let ptz = s.ptz.as_ref().and_then(|p| p.nodes.first()).map(|node| {
            let mut spec = PtzSpec {
                max_presets: node.max_presets,
                ..PtzSpec::default_generic()
            };
            for space in &node.absolute_pan_tilt {
                if space.uri == super::ptz::SPHERICAL_SPACE {
                    spec.pan_range = Some(space.x);
                    spec.tilt_range = Some(space.y);
                    spec.tilt_positive = TiltPositive::Up;
                    spec.spherical_space = true;
                } else if space.uri == super::ptz::GENERIC_PAN_TILT_SPACE {
                    spec.generic_pan = space.x;
                    spec.generic_tilt = space.y;
                }
            }
            for space in &node.absolute_zoom {
                if space.uri == super::ptz::GENERIC_ZOOM_SPACE {
                    spec.generic_zoom = space.x;
                } else if space.uri == super::ptz::MM_ZOOM_SPACE && space.x.min > 0.0 {
                    spec.optical_zoom = Some(space.x.max / space.x.min);
                }
            }
            spec
        });
        let mut profiles = BTreeSet::new();
        for scope in &s.scopes {
            let tail = scope.uri.rsplit('/').next().unwrap_or_default();
            if scope.uri.to_ascii_lowercase().contains("/profile/") {
                match tail.to_ascii_lowercase().as_str() {
                    "streaming" | "s" => profiles.insert("S".to_owned()),
                    "g" | "t" | "m" | "a" | "c" | "d" => profiles.insert(tail.to_ascii_uppercase()),
                    _ => false,
                };
            }
        }
        let form_factor = if ptz.is_some() {
            Some(FormFactor::Ptz)
        } else {
            super::requirements::infer_form_factor(&vendor, &model).map(|(f, _)| f)
        };
        Ok(Self {
            resolutions: sorted_desc(resolutions.into_iter().collect()),
            vendor,
            model,
            form_factor,
            max_resolution,
            max_fps,
            codecs: codecs.into_iter().collect(),
            ptz,
            edge_storage: s.recording.is_some(),
            onvif_profiles: profiles.into_iter().collect(),
            audio: s.profiles.iter().any(|p| p.audio_encoder.is_some()),
            country: None,
            source: Some(format!("read from device {}", s.id)),
            verified: true,
            cost: None,
            quality_range: quality,
            bitrate_range: bitrate,
            gov_length_range: gov,
        })
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

/// The catalogue: approved models (sorted by vendor, model) and reference calibrations.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Catalog {
    /// The file says its rows are example data.
    pub example: bool,
    /// Approved models, sorted by vendor then model (case-insensitive).
    pub models: Vec<CatalogModel>,
    /// Calibration of old models.
    pub references: Vec<Reference>,
}

impl Catalog {
    /// The built-in example catalogue.
    pub fn example() -> Self {
        Self::parse(BUILTIN_EXAMPLE, EXAMPLE_TOML).expect("the built-in catalogue parses")
    }

    /// The text of a built-in catalogue (`builtin:example`), or an error for another name.
    pub fn builtin_text(name: &str) -> Result<&'static str, CatalogError> {
        if name == BUILTIN_EXAMPLE {
            Ok(EXAMPLE_TOML)
        } else {
            Err(CatalogError::UnknownBuiltin(name.to_owned()))
        }
    }

    /// Parses `catalog.toml` text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, CatalogError> {
        let invalid = |location: Location, message: String| {
            CatalogError::Invalid(InputError::new(file, location, message))
        };
        let raw: RawCatalog = toml::from_str(text).map_err(|e| {
            let (location, message) = locate_error(text, &e);
            invalid(location, message)
        })?;
        if let Some(v) = &raw.version {
            if *v.get_ref() > CATALOG_VERSION {
                return Err(invalid(
                    locate(text, v.span().start),
                    format!(
                        "catalogue version {} is newer than this camswap understands (up to {CATALOG_VERSION}); upgrade camswap",
                        v.get_ref()
                    ),
                ));
            }
        }
        let mut models = Vec::with_capacity(raw.model.len());
        // Offsets, not lines: a line number costs a count of the text before it, so working
        // one out per model made loading quadratic (20,000 models took 29 s). Only a duplicate
        // needs its lines.
        let mut seen: std::collections::BTreeMap<String, usize> = Default::default();
        for entry in raw.model {
            let at = entry.span().start;
            let m = entry
                .into_inner()
                .validate()
                .map_err(|(field, msg)| invalid(field_location(text, at, &field), msg))?;
            if let Some(first_at) = seen.insert(m.name().to_lowercase(), at) {
                let first = field_location(text, first_at, "model").line;
                return Err(invalid(
                    field_location(text, at, "model"),
                    format!("model \"{}\" is already listed at line {first}", m.name()),
                ));
            }
            models.push(m);
        }
        models.sort_by_key(|m| (m.vendor.to_lowercase(), m.model.to_lowercase()));
        let mut references = Vec::with_capacity(raw.reference.len());
        for entry in raw.reference {
            let at = entry.span().start;
            let r = entry.into_inner();
            let ptz = r
                .ptz
                .validate(false)
                .map_err(|(field, msg)| invalid(field_location(text, at, &field), msg))?;
            references.push(Reference {
                vendor: r.vendor,
                model: r.model,
                source: r.source,
                ptz,
            });
        }
        references.sort_by_key(|r| (r.vendor.to_lowercase(), r.model.to_lowercase()));
        Ok(Self {
            example: raw.example,
            models,
            references,
        })
    }

    /// PTZ calibration for a device's model: a reference row, else an approved row, whose model
    /// is a prefix of the reported model (`DS-2DE4425IW-DE(S5)` matches `DS-2DE4425IW-DE`);
    /// the longest match wins.
    pub fn calibration_for(&self, reported_model: &str) -> Option<(&str, &PtzSpec)> {
        let reported = normalise_model(reported_model);
        let refs = self.references.iter().map(|r| (r.model.as_str(), &r.ptz));
        let approved = self
            .models
            .iter()
            .filter_map(|m| m.ptz.as_ref().map(|p| (m.model.as_str(), p)));
        refs.chain(approved)
            .filter(|(m, _)| reported.starts_with(&normalise_model(m)))
            .max_by_key(|(m, _)| m.len())
    }

    /// The index of a model by name: `Vendor Model` or just `Model` (case-insensitive).
    pub fn find(&self, name: &str, vendor: Option<&str>) -> Option<usize> {
        let name = name.trim();
        self.models.iter().position(|m| {
            let vendor_ok = vendor.is_none_or(|v| v.trim().eq_ignore_ascii_case(&m.vendor));
            vendor_ok && (m.model.eq_ignore_ascii_case(name) || m.name().eq_ignore_ascii_case(name))
        })
    }
}

fn normalise_model(m: &str) -> String {
    let m = m.trim().to_ascii_uppercase();
    m.strip_prefix("DH-").map(str::to_owned).unwrap_or(m)
}

fn nonempty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Standard resolutions cameras offer, by aspect family, largest first.
const LADDER: &[(u32, u32)] = &[
    (3840, 2160),
    (3200, 1800),
    (2688, 1520),
    (2560, 1440),
    (1920, 1080),
    (1280, 720),
    (960, 540),
    (640, 360),
    (320, 180),
    (2592, 1944),
    (2560, 1920),
    (2048, 1536),
    (1600, 1200),
    (1280, 960),
    (1024, 768),
    (800, 600),
    (640, 480),
    (320, 240),
    (1280, 1024),
    (704, 576),
    (704, 480),
    (352, 288),
    (352, 240),
];

/// The resolutions a model is assumed to offer when the catalogue lists none: its maximum and
/// every standard resolution of the same aspect ratio below it; for an unusual aspect ratio,
/// the maximum scaled by 3/4, 1/2, 1/3 and 1/4 (even sizes).
pub fn default_ladder(max: Resolution) -> Vec<Resolution> {
    let mut out: Vec<Resolution> = LADDER
        .iter()
        .map(|&(w, h)| Resolution::new(w, h))
        .filter(|r| r.width <= max.width && r.height <= max.height && r.same_aspect(max))
        .collect();
    if out.len() <= 1 {
        for (num, den) in [(3, 4), (1, 2), (1, 3), (1, 4)] {
            let w = (max.width * num / den) & !1;
            let h = (max.height * num / den) & !1;
            if w >= 160 && h >= 90 {
                out.push(Resolution::new(w, h));
            }
        }
    }
    out.push(max);
    sorted_desc(out)
}

fn sorted_desc(mut v: Vec<Resolution>) -> Vec<Resolution> {
    v.sort_by_key(|r| std::cmp::Reverse((r.pixels(), r.width)));
    v.dedup();
    v
}

// ---- raw TOML shapes ----------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    #[serde(default)]
    example: bool,
    #[serde(default)]
    version: Option<toml::Spanned<u32>>,
    #[serde(default)]
    model: Vec<toml::Spanned<RawModel>>,
    #[serde(default)]
    reference: Vec<toml::Spanned<RawReference>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    vendor: String,
    model: String,
    form_factor: FormFactor,
    max_resolution: Resolution,
    max_fps: f64,
    codecs: Vec<String>,
    #[serde(default)]
    resolutions: Option<Vec<Resolution>>,
    #[serde(default)]
    ptz: Option<RawPtz>,
    #[serde(default)]
    edge_storage: bool,
    #[serde(default)]
    onvif_profiles: Vec<String>,
    #[serde(default)]
    audio: bool,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    verified: bool,
    #[serde(default)]
    cost: Option<f64>,
    #[serde(default)]
    quality_range: Option<[f64; 2]>,
    #[serde(default)]
    bitrate_range: Option<[f64; 2]>,
    #[serde(default)]
    gov_length_range: Option<[f64; 2]>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReference {
    vendor: String,
    model: String,
    #[serde(default)]
    source: Option<String>,
    ptz: RawPtz,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPtz {
    #[serde(default)]
    pan_range: Option<[f64; 2]>,
    #[serde(default)]
    tilt_range: Option<[f64; 2]>,
    #[serde(default)]
    tilt_positive: TiltPositive,
    #[serde(default)]
    optical_zoom: Option<f64>,
    #[serde(default)]
    hfov_wide: Option<f64>,
    #[serde(default)]
    hfov_tele: Option<f64>,
    #[serde(default)]
    max_presets: Option<u32>,
    #[serde(default)]
    spherical_space: bool,
}

type FieldError = (String, String);

fn range(field: &str, v: Option<[f64; 2]>) -> Result<Option<Range>, FieldError> {
    match v {
        None => Ok(None),
        Some([a, b]) if a.is_finite() && b.is_finite() && a < b => Ok(Some(Range::new(a, b))),
        Some([a, b]) => Err((
            field.to_owned(),
            format!("expected [min, max] with min < max, found [{a}, {b}]"),
        )),
    }
}

impl RawPtz {
    fn validate(self, approved: bool) -> Result<PtzSpec, FieldError> {
        let field = |f: &str| format!("ptz.{f}");
        let pan_range = range(&field("pan_range"), self.pan_range)?;
        let tilt_range = range(&field("tilt_range"), self.tilt_range)?;
        if let Some(z) = self.optical_zoom {
            if !(z.is_finite() && z >= 1.0) {
                return Err((
                    field("optical_zoom"),
                    format!("expected a zoom factor >= 1, found {z}"),
                ));
            }
        }
        for (name, v) in [("hfov_wide", self.hfov_wide), ("hfov_tele", self.hfov_tele)] {
            if let Some(v) = v {
                if !(v.is_finite() && v > 0.0 && v < 180.0) {
                    return Err((
                        field(name),
                        format!("expected degrees between 0 and 180, found {v}"),
                    ));
                }
            }
        }
        if let (Some(w), Some(t)) = (self.hfov_wide, self.hfov_tele) {
            if t >= w {
                return Err((
                    field("hfov_tele"),
                    format!(
                        "the tele field of view ({t}) must be narrower than the wide one ({w})"
                    ),
                ));
            }
        }
        let max_presets = match self.max_presets {
            Some(0) => return Err((field("max_presets"), "expected at least 1 preset".into())),
            Some(n) => n,
            None if approved => {
                return Err((
                    field("max_presets"),
                    "an approved PTZ model needs max_presets (the preset-count constraint depends on it)".into(),
                ));
            }
            None => 0,
        };
        if self.spherical_space && (pan_range.is_none() || tilt_range.is_none()) {
            return Err((
                field("spherical_space"),
                "a degrees space needs pan_range and tilt_range (its ranges)".into(),
            ));
        }
        if self.spherical_space && self.tilt_positive == TiltPositive::Down {
            return Err((
                field("tilt_positive"),
                "the ONVIF degrees space counts tilt positive up; write its range that way".into(),
            ));
        }
        Ok(PtzSpec {
            pan_range,
            tilt_range,
            tilt_positive: self.tilt_positive,
            optical_zoom: self.optical_zoom,
            hfov_wide: self.hfov_wide,
            hfov_tele: self.hfov_tele,
            max_presets,
            spherical_space: self.spherical_space,
            ..PtzSpec::default_generic()
        })
    }
}

impl RawModel {
    fn validate(self) -> Result<CatalogModel, FieldError> {
        let err = |f: &str, m: String| Err((f.to_owned(), m));
        if self.vendor.trim().is_empty() {
            return err("vendor", "must not be empty".into());
        }
        if self.model.trim().is_empty() {
            return err("model", "must not be empty".into());
        }
        if !(self.max_fps.is_finite() && self.max_fps > 0.0 && self.max_fps <= 1000.0) {
            return err(
                "max_fps",
                format!("expected frames per second above 0, found {}", self.max_fps),
            );
        }
        let mut codecs = BTreeSet::new();
        for c in &self.codecs {
            match Codec::parse(c) {
                Codec::Other(o) => {
                    return err(
                        "codecs",
                        format!("unknown codec \"{o}\" (known: H264, H265, JPEG, MPEG4)"),
                    );
                }
                k => {
                    codecs.insert(k);
                }
            }
        }
        if codecs.is_empty() {
            return err("codecs", "list at least one codec".into());
        }
        let mut profiles = BTreeSet::new();
        for p in &self.onvif_profiles {
            let up = p.trim().to_ascii_uppercase();
            if !matches!(up.as_str(), "S" | "G" | "T" | "M" | "A" | "C" | "D") {
                return err(
                    "onvif_profiles",
                    format!("unknown ONVIF profile \"{p}\" (S, G, T, M, A, C, D)"),
                );
            }
            profiles.insert(up);
        }
        let resolutions = match self.resolutions {
            Some(list) => {
                if let Some(r) = list.iter().find(|r| {
                    r.width > self.max_resolution.width || r.height > self.max_resolution.height
                }) {
                    return err(
                        "resolutions",
                        format!("{r} is larger than max_resolution {}", self.max_resolution),
                    );
                }
                let mut v = list;
                v.push(self.max_resolution);
                sorted_desc(v)
            }
            None => default_ladder(self.max_resolution),
        };
        let ptz = match self.ptz {
            Some(p) => Some(p.validate(true)?),
            None if self.form_factor == FormFactor::Ptz => {
                return err(
                    "ptz",
                    "a ptz model needs a ptz table (max_presets at least)".into(),
                );
            }
            None => None,
        };
        if let Some(c) = self.cost {
            if !(c.is_finite() && c >= 0.0) {
                return err("cost", format!("expected a number >= 0, found {c}"));
            }
        }
        Ok(CatalogModel {
            vendor: self.vendor.trim().to_owned(),
            model: self.model.trim().to_owned(),
            form_factor: Some(self.form_factor),
            max_resolution: self.max_resolution,
            max_fps: self.max_fps,
            codecs: codecs.into_iter().collect(),
            resolutions,
            ptz,
            edge_storage: self.edge_storage,
            onvif_profiles: profiles.into_iter().collect(),
            audio: self.audio,
            country: self.country,
            source: self.source,
            verified: self.verified,
            cost: self.cost,
            quality_range: range("quality_range", self.quality_range)?,
            bitrate_range: range("bitrate_range", self.bitrate_range)?,
            gov_length_range: range("gov_length_range", self.gov_length_range)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_example_is_marked_example_and_has_the_calibrations() {
        let c = Catalog::example();
        assert!(c.example);
        assert!(c.models.iter().all(|m| !m.verified && m.source.is_some()));
        let axis = &c.models[c.find("Q6135-LE", Some("Axis")).unwrap()];
        let p = axis.ptz.as_ref().unwrap();
        assert!(p.spherical_space);
        assert_eq!(p.pan_range, Some(Range::new(-180.0, 180.0)));
        assert_eq!(p.tilt_range, Some(Range::new(-90.0, 20.0)));
        assert_eq!(
            (p.optical_zoom, p.hfov_wide, p.max_presets),
            (Some(32.0), Some(58.4), 256)
        );
        let (name, hik) = c.calibration_for("DS-2DE4425IW-DE(S5)").unwrap();
        assert_eq!(name, "DS-2DE4425IW-DE");
        assert_eq!(hik.tilt_positive, TiltPositive::Down);
        assert_eq!(
            (hik.optical_zoom, hik.hfov_wide, hik.hfov_tele),
            (Some(25.0), Some(57.6), Some(2.5))
        );
        let (_, dahua) = c.calibration_for("DH-SD49225XA-HNR").unwrap();
        assert_eq!(dahua.hfov_wide, Some(58.6));
        assert!(c.calibration_for("DS-2CD2143G2-I").is_none());
        let ipro = &c.models[c.find("i-PRO WV-X6533LN", None).unwrap()];
        assert_eq!(ipro.ptz.as_ref().unwrap().optical_zoom, Some(40.0));
    }

    #[test]
    fn models_are_sorted_whatever_the_file_order() {
        let c = Catalog::example();
        let names: Vec<_> = c
            .models
            .iter()
            .map(|m| (m.vendor.to_lowercase(), m.model.to_lowercase()))
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
    }

    #[test]
    fn default_ladder_follows_the_aspect_ratio() {
        let l = default_ladder(Resolution::new(3072, 1728));
        assert_eq!(l[0], Resolution::new(3072, 1728));
        assert!(l.contains(&Resolution::new(2560, 1440)));
        assert!(l.contains(&Resolution::new(640, 360)));
        assert!(!l.contains(&Resolution::new(3840, 2160)));
        assert!(!l.contains(&Resolution::new(640, 480)));
        let l = default_ladder(Resolution::new(2560, 1920));
        assert!(
            l.contains(&Resolution::new(2048, 1536)) && !l.contains(&Resolution::new(1920, 1080))
        );
        let odd = default_ladder(Resolution::new(2000, 1000));
        assert_eq!(
            odd,
            vec![
                Resolution::new(2000, 1000),
                Resolution::new(1500, 750),
                Resolution::new(1000, 500),
                Resolution::new(666, 332),
                Resolution::new(500, 250)
            ]
        );
    }

    fn err(text: &str) -> String {
        Catalog::parse("site/catalog.toml", text)
            .unwrap_err()
            .to_string()
    }

    const GOOD: &str = "[[model]]\nvendor = \"Axis\"\nmodel = \"M1\"\nform_factor = \"dome\"\nmax_resolution = \"1920x1080\"\nmax_fps = 30\ncodecs = [\"H264\"]\n";

    #[test]
    fn errors_name_file_line_and_field() {
        assert!(Catalog::parse("c.toml", GOOD).is_ok());
        let e = err(&GOOD.replace("\"1920x1080\"", "\"19x\""));
        assert!(
            e.starts_with("site/catalog.toml: line 5, field max_resolution:"),
            "{e}"
        );
        assert!(e.contains("\"19x\""), "{e}");
        let e = err(&GOOD.replace("max_fps = 30\n", ""));
        assert!(e.contains("max_fps") && e.contains("line 1"), "{e}");
        let e = err(&GOOD.replace("\"dome\"", "\"cube\""));
        assert!(e.contains("line 4, field form_factor"), "{e}");
        let e = err(&GOOD.replace("[\"H264\"]", "[\"H264\", \"VP9\"]"));
        assert!(
            e.contains("line 7, field codecs") && e.contains("VP9"),
            "{e}"
        );
        let e = err(&format!(
            "{GOOD}ptz = {{ pan_range = [10, -10], max_presets = 3 }}\n"
        ));
        assert!(e.contains("line 8, field ptz.pan_range"), "{e}");
        let e = err(&GOOD.replace("\"dome\"", "\"ptz\""));
        assert!(e.contains("field ptz") && e.contains("ptz table"), "{e}");
        let e = err(&format!("{GOOD}colour = \"red\"\n"));
        assert!(e.contains("line 8") && e.contains("colour"), "{e}");
        let e = err(&format!("{GOOD}{GOOD}"));
        assert!(
            e.contains("line 10, field model") && e.contains("already listed at line 3"),
            "{e}"
        );
        let e = err(&format!("version = 2\n{GOOD}"));
        assert!(e.contains("newer") && e.contains("line 1"), "{e}");
        let e = err(&format!("{GOOD}resolutions = [\"3840x2160\"]\n"));
        assert!(
            e.contains("field resolutions") && e.contains("larger"),
            "{e}"
        );
        let e = err(&format!(
            "{GOOD}ptz = {{ hfov_wide = 50, hfov_tele = 60, max_presets = 1 }}\n"
        ));
        assert!(e.contains("ptz.hfov_tele"), "{e}");
    }

    #[test]
    fn a_live_device_becomes_a_catalogue_model() {
        use crate::model::*;
        let s = DeviceSnapshot {
            id: "serial:AX1".into(),
            identity: Identity {
                manufacturer: Some("AXIS".into()),
                model: Some("Q6135-LE".into()),
                ..Default::default()
            },
            scopes: vec![Scope {
                uri: "onvif://www.onvif.org/Profile/Streaming".into(),
                fixed: true,
            }],
            profiles: vec![MediaProfile {
                token: "p0".into(),
                encoder_options: vec![EncoderOptions {
                    encoding: Some(Codec::H265),
                    resolutions: vec![(1920, 1080), (1280, 720)],
                    frame_rates: vec![25.0, 50.0],
                    quality_range: Some(Range::new(0.0, 100.0)),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ptz: Some(Ptz {
                nodes: vec![PtzNode {
                    token: "n".into(),
                    max_presets: 256,
                    absolute_pan_tilt: vec![Space2d {
                        uri: crate::planner::ptz::SPHERICAL_SPACE.into(),
                        x: Range::new(-180.0, 180.0),
                        y: Range::new(-90.0, 20.0),
                    }],
                    ..Default::default()
                }],
                ..Default::default()
            }),
            ..Default::default()
        };
        let m = CatalogModel::from_snapshot(&s).unwrap();
        assert_eq!(m.name(), "AXIS Q6135-LE");
        assert_eq!(m.max_resolution, Resolution::new(1920, 1080));
        assert_eq!(m.max_fps, 50.0);
        assert_eq!(m.codecs, vec![Codec::H265]);
        assert_eq!(m.form_factor, Some(FormFactor::Ptz));
        assert_eq!(m.onvif_profiles, vec!["S".to_string()]);
        let p = m.ptz.unwrap();
        assert!(p.spherical_space && p.max_presets == 256);
        assert_eq!(p.tilt_range, Some(Range::new(-90.0, 20.0)));
        let e = CatalogModel::from_snapshot(&DeviceSnapshot {
            id: "x".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.to_string().contains("device x"));
    }
}
