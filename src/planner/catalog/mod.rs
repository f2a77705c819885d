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
//! dynamic_recordings = true # optional: CreateRecording exists (false: fixed recordings only)
//! ptz = { pan_range = [-180, 180], tilt_range = [-90, 20], tilt_positive = "up",
//!         pan_positive = "clockwise", pan_zero = 0,  # optional: which way pan grows, where 0 points
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
//!
//! Split by subject: [`model`] (what a model is), [`resolution`] (sizes and the standard
//! ladder), `raw` (the TOML shapes and their validation). Describing a live device as a
//! model lives apart, in [`crate::planner::learn`], so this module depends on neither the
//! requirements nor the PTZ translation.

use serde::Serialize;

use crate::input::{InputError, Location, field_location, locate, locate_error};
use raw::RawCatalog;

pub mod model;
mod raw;
pub mod resolution;

pub use model::{CatalogModel, FormFactor, PanPositive, PtzSpec, Reference, TiltPositive};
pub use resolution::{Resolution, default_ladder};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Range;

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

    /// Issue 9: `catalog ↔ requirements ↔ ptz` was an import loop (learning a model from a
    /// snapshot inferred form factors and read PTZ spaces here). The catalogue is a leaf.
    #[test]
    fn the_catalogue_imports_neither_requirements_nor_ptz_translation() {
        let files = [
            ("mod.rs", include_str!("mod.rs")),
            ("model.rs", include_str!("model.rs")),
            ("raw.rs", include_str!("raw.rs")),
            ("resolution.rs", include_str!("resolution.rs")),
        ];
        for (name, text) in files {
            // Paths count as much as `use` lines: the loop was `super::requirements::...` inline.
            let code = text.split("#[cfg(test)]").next().unwrap_or(text);
            for banned in ["requirements::", "ptz::", "learn::"] {
                assert!(!code.contains(banned), "catalog/{name} refers to {banned}");
            }
        }
    }
}
