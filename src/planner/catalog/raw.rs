//! The catalogue's TOML shapes and their validation; each error names its field.

use std::collections::BTreeSet;

use serde::Deserialize;

use super::model::{CatalogModel, FormFactor, PanPositive, PtzSpec, TiltPositive};
use super::resolution::{Resolution, default_ladder, sorted_desc};
use crate::model::{Codec, Range};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCatalog {
    #[serde(default)]
    pub(super) example: bool,
    #[serde(default)]
    pub(super) version: Option<toml::Spanned<u32>>,
    #[serde(default)]
    pub(super) model: Vec<toml::Spanned<RawModel>>,
    #[serde(default)]
    pub(super) reference: Vec<toml::Spanned<RawReference>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawModel {
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
    #[serde(default)]
    dynamic_recordings: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReference {
    pub(super) vendor: String,
    pub(super) model: String,
    #[serde(default)]
    pub(super) source: Option<String>,
    pub(super) ptz: RawPtz,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPtz {
    #[serde(default)]
    pan_range: Option<[f64; 2]>,
    #[serde(default)]
    tilt_range: Option<[f64; 2]>,
    #[serde(default)]
    tilt_positive: TiltPositive,
    #[serde(default)]
    pan_positive: PanPositive,
    #[serde(default)]
    pan_zero: Option<f64>,
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

pub(super) type FieldError = (String, String);

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
    pub(super) fn validate(self, approved: bool) -> Result<PtzSpec, FieldError> {
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
        if let Some(z) = self.pan_zero {
            if !(z.is_finite() && (-360.0..=360.0).contains(&z)) {
                return Err((
                    field("pan_zero"),
                    format!("expected degrees between -360 and 360, found {z}"),
                ));
            }
        }
        Ok(PtzSpec {
            pan_range,
            tilt_range,
            tilt_positive: self.tilt_positive,
            pan_positive: self.pan_positive,
            pan_zero: self.pan_zero.unwrap_or(0.0),
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
    pub(super) fn validate(self) -> Result<CatalogModel, FieldError> {
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
            dynamic_recordings: self.dynamic_recordings,
        })
    }
}
