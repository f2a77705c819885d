//! Describing a live device as a catalogue model, for a site that already owns approved
//! cameras and wants to plan onto exactly what they report.
//!
//! It lives apart from the catalogue because it reads PTZ spaces and infers form factors,
//! which belong to the translation and requirement stages: the catalogue stays a leaf.

use std::collections::BTreeSet;

use super::catalog::resolution::sorted_desc;
use super::catalog::{CatalogError, CatalogModel, FormFactor, PtzSpec, Resolution, TiltPositive};
use crate::inventory::DeviceSnapshot;

impl CatalogModel {
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
            dynamic_recordings: s
                .recording
                .as_ref()
                .map(|r| r.capabilities.dynamic_recordings),
        })
    }
}

fn nonempty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

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
