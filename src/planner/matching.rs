//! Scoring one catalogue model against one requirement signature: the hard constraints it
//! misses, its cost for the site-wide assignment, and the reasons shown in the plan.
//!
//! The assignment cost is lexicographic, packed in one integer:
//! `not_preferred_vendor · 2^40 + price · 2^10 + preference penalties (< 2^10)`. So a preferred
//! vendor (when asked for) wins over price, price wins over the other preferences, and those
//! break ties: a different form factor (256; 64 for turret ↔ dome), no H.265 (128), optical zoom short of the
//! narrowest preset view (64; 32 when the model's optics are unknown), a stream whose aspect
//! ratio would change (32), the nearest offered resolution's distance from the one in use (up
//! to 31: sixteen per doubling), and over-provisioning (up to 15: four per doubling of the
//! maximum beyond the need), no audio input for an unrecorded audio stream (16). A model without a cost is priced as the
//! dearest priced model, so an unpriced row never wins on price alone.

use super::PlanOptions;
use super::catalog::{CatalogModel, FormFactor};
use super::encoder::pick_resolution;
use super::ptz::narrowest_hfov;
use super::requirements::{AudioNeed, Needs};
use crate::model::Codec;

const VENDOR_SHIFT: u32 = 40;
const PRICE_SHIFT: u32 = 10;
/// Prices are whole units, capped so the packed cost never overflows over 100k+ cameras.
const MAX_PRICE: f64 = (1u64 << 28) as f64;

/// The hard requirements `m` misses for `n` (empty: it fits).
pub fn unmet(m: &CatalogModel, n: &Needs, opts: &PlanOptions) -> Vec<String> {
    let mut out = Vec::new();
    check(m, n, opts, Some(&mut out));
    out
}

/// True when `m` meets every hard requirement of `n` (no messages built).
pub fn fits(m: &CatalogModel, n: &Needs, opts: &PlanOptions) -> bool {
    check(m, n, opts, None) == 0
}

/// Counts the hard requirements `m` misses, describing each into `out` when given.
fn check(
    m: &CatalogModel,
    n: &Needs,
    opts: &PlanOptions,
    mut out: Option<&mut Vec<String>>,
) -> usize {
    let mut missed = 0;
    let mut miss = |msg: &dyn Fn() -> String| {
        missed += 1;
        if let Some(o) = out.as_deref_mut() {
            o.push(msg());
        }
    };
    if let Some(r) = n.resolution {
        if pick_resolution(&m.resolutions, r, opts.resolution_tolerance).is_none() {
            miss(&|| {
                format!(
                    "resolution: {r} in use (at least {:.0}% of its pixels), {} offers at most {}",
                    (1.0 - opts.resolution_tolerance) * 100.0,
                    m.name(),
                    m.max_resolution
                )
            });
        }
    }
    if n.fps() > m.max_fps + 1e-6 {
        miss(&|| {
            format!(
                "frame rate: {} fps in use, {} offers {} fps",
                n.fps(),
                m.name(),
                m.max_fps
            )
        });
    }
    for c in &n.codecs {
        // MJPEG, MPEG-4 and unknown codecs may become H.264; H.264 and H.265 must stay.
        let ok = match c {
            Codec::H264 | Codec::H265 => m.has_codec(c),
            _ => m.has_codec(c) || m.has_codec(&Codec::H264),
        };
        if !ok {
            miss(&|| {
                format!(
                    "codec: {} in use, {} does not offer it",
                    c.mime_name(),
                    m.name()
                )
            });
        }
    }
    if n.ptz {
        match &m.ptz {
            None => miss(&|| format!("PTZ: in use, {} has none", m.name())),
            Some(p) if p.max_presets < n.presets => miss(&|| {
                format!(
                    "presets: {} in use, {} holds {}",
                    n.presets,
                    m.name(),
                    p.max_presets
                )
            }),
            Some(_) => {}
        }
    }
    if n.edge_recording && !m.edge_storage {
        miss(&|| {
            format!(
                "edge storage: recording at the edge, {} has no storage",
                m.name()
            )
        });
    }
    if n.audio == AudioNeed::Required && !m.audio {
        miss(&|| {
            format!(
                "audio: the old camera records audio (or --keep-audio), {} has no audio input",
                m.name()
            )
        });
    }
    missed
}

/// How close a replacement's shape is to the old one's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormMatch {
    /// The same shape.
    Same,
    /// Turret and dome: both ceiling or wall mounts with the lens under a hemisphere, the
    /// same mounting boxes and field of view; only the bubble differs.
    Close,
    /// Bullet, PTZ, fisheye against anything else, or unknown: other brackets, other views.
    Different,
}

/// Grades form factors: turret ≈ dome ≠ bullet ≠ PTZ.
pub fn form_factor_match(old: FormFactor, new: Option<FormFactor>) -> FormMatch {
    use FormFactor::{Dome, Turret};
    match new {
        Some(n) if n == old => FormMatch::Same,
        Some(Dome) if old == Turret => FormMatch::Close,
        Some(Turret) if old == Dome => FormMatch::Close,
        _ => FormMatch::Different,
    }
}

/// Preference penalties (< 1024), lower is better.
pub fn penalty(m: &CatalogModel, n: &Needs, opts: &PlanOptions) -> i64 {
    let mut p = 0;
    if let Some(old) = n.form_factor {
        p += match form_factor_match(old, m.form_factor) {
            FormMatch::Same => 0,
            FormMatch::Close => 64,
            FormMatch::Different => 256,
        };
    }
    if n.audio == AudioNeed::Streamed && !m.audio {
        p += 16;
    }
    if !m.has_codec(&Codec::H265) {
        p += 128;
    }
    if let Some(need) = n.narrowest_hfov() {
        match m.ptz.as_ref().and_then(narrowest_hfov) {
            Some(h) if h <= need => {}
            Some(_) => p += 64,
            None => p += 32,
        }
    }
    if let Some(r) = n.resolution {
        let need = r.pixels().max(1) as f64;
        if let Some(chosen) = pick_resolution(&m.resolutions, r, opts.resolution_tolerance) {
            if !chosen.same_aspect(r) {
                p += 32;
            }
            p += (((chosen.pixels() as f64 / need).log2().abs() * 16.0).round() as i64).min(31);
        }
        let oversize = m.max_resolution.pixels() as f64 / need;
        if oversize > 1.0 {
            p += ((oversize.log2() * 4.0).round() as i64).min(15);
        }
    }
    p
}

/// The packed assignment cost of `m` for one camera with needs `n`.
pub fn cost(m: &CatalogModel, n: &Needs, opts: &PlanOptions, unpriced: f64) -> i64 {
    let vendor = opts
        .preferred_vendor
        .as_deref()
        .is_some_and(|v| !v.trim().eq_ignore_ascii_case(&m.vendor)) as i64;
    let price = m.cost.unwrap_or(unpriced).clamp(0.0, MAX_PRICE).round() as i64;
    (vendor << VENDOR_SHIFT) + (price << PRICE_SHIFT) + penalty(m, n, opts)
}

/// How far `m` falls short of `n` where it does (0 when it meets resolution, frame rate and
/// preset count): ranks the closest model for a camera no model fits.
pub fn shortfall(m: &CatalogModel, n: &Needs) -> f64 {
    let mut s = 0.0;
    if let Some(r) = n.resolution {
        s += (r.pixels() as f64 / m.max_resolution.pixels().max(1) as f64 - 1.0).max(0.0);
    }
    s += (n.fps() / m.max_fps - 1.0).max(0.0);
    if n.ptz {
        let max = m.ptz.as_ref().map_or(0, |p| p.max_presets);
        s += (f64::from(n.presets) / f64::from(max.max(1)) - 1.0).max(0.0);
    }
    s
}

/// The price an unpriced model is ranked at: the dearest priced model's.
pub fn unpriced_price(models: &[CatalogModel]) -> f64 {
    models.iter().filter_map(|m| m.cost).fold(0.0, f64::max)
}

/// Why `m` suits `n`: every hard requirement met, then the preferences.
pub fn explain(m: &CatalogModel, n: &Needs, opts: &PlanOptions) -> Vec<String> {
    let mut why = Vec::new();
    if let Some(r) = n.resolution {
        let got = pick_resolution(&m.resolutions, r, opts.resolution_tolerance);
        why.push(match got {
            Some(g) if g == r => format!("resolution {r}: offered (up to {})", m.max_resolution),
            Some(g) => format!(
                "resolution {r}: nearest offered {g} (up to {}; tolerance {:.0}%)",
                m.max_resolution,
                opts.resolution_tolerance * 100.0
            ),
            None => format!("resolution {r}: NOT met"),
        });
    }
    if n.fps_milli > 0 {
        why.push(format!(
            "frame rate {} fps: up to {} fps",
            n.fps(),
            m.max_fps
        ));
    }
    if !n.codecs.is_empty() {
        let names: Vec<&str> = m.codecs.iter().map(Codec::mime_name).collect();
        let used: Vec<&str> = n.codecs.iter().map(Codec::mime_name).collect();
        why.push(format!(
            "codec {}: offers {}",
            used.join(" + "),
            names.join(", ")
        ));
    }
    if n.ptz {
        if let Some(p) = &m.ptz {
            why.push(format!(
                "PTZ with {} presets for {} in use",
                p.max_presets, n.presets
            ));
        }
    }
    if n.edge_recording {
        why.push("edge storage for the active recording job".into());
    }
    match (n.audio, m.audio) {
        (AudioNeed::Required, _) => why.push("audio input for the recorded audio".into()),
        (AudioNeed::Streamed, true) => {
            why.push("audio input (a preference: the old audio stream is not recorded)".into())
        }
        (AudioNeed::Streamed, false) => why.push(
            "no audio input: the old camera's audio stream is not recorded, so it is a preference, weighed lightly (public-area audio is usually off by law)".into(),
        ),
        (AudioNeed::None, _) => {}
    }
    if let Some(old) = n.form_factor {
        let new = m
            .form_factor
            .map_or("unknown".to_owned(), |f: FormFactor| f.to_string());
        why.push(match form_factor_match(old, m.form_factor) {
            FormMatch::Same => format!("same form factor ({old})"),
            FormMatch::Close => format!(
                "form factor close: {old} → {new} (same mounts and view; preferred over a different shape)"
            ),
            FormMatch::Different => {
                format!("form factor differs: {old} → {new} (check the mounting)")
            }
        });
    }
    if let Some(need) = n.narrowest_hfov() {
        match m.ptz.as_ref().and_then(narrowest_hfov) {
            Some(h) if h <= need => why.push(format!(
                "zooms to {h:.1}°, narrower than the tightest preset (about {need:.1}°)"
            )),
            Some(h) => why.push(format!(
                "zooms only to {h:.1}°: the tightest preset (about {need:.1}°) will be wider"
            )),
            None => why.push("optical zoom unknown in the catalogue".into()),
        }
    }
    if let Some(v) = &opts.preferred_vendor {
        if v.trim().eq_ignore_ascii_case(&m.vendor) {
            why.push(format!("preferred vendor {}", m.vendor));
        }
    }
    why.push(match m.cost {
        Some(c) => format!("cost {c}"),
        None => "no cost in the catalogue".into(),
    });
    if !m.verified {
        why.push("catalogue row not verified against the vendor's datasheet".into());
    }
    why
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::catalog::{Catalog, Resolution};
    use crate::planner::requirements::AudioNeed;

    /// Issue 13 item 5: both demo turrets went to a bullet while a dome with the same specs
    /// was in stock: form factor was all-or-nothing, so dome and bullet tied.
    #[test]
    fn a_turret_goes_to_a_dome_before_a_bullet() {
        let c = Catalog::example();
        let model = |name: &str| {
            let mut m = c.models[c.find(name, None).unwrap()].clone();
            // Same specs apart from the shape.
            m.audio = false;
            m.cost = Some(500.0);
            m
        };
        let dome = model("Axis P3265-LVE");
        let bullet = model("Axis P1465-LE");
        assert_eq!(dome.form_factor, Some(FormFactor::Dome));
        assert_eq!(bullet.form_factor, Some(FormFactor::Bullet));
        assert_eq!(
            (dome.max_resolution, dome.max_fps, dome.codecs.clone()),
            (bullet.max_resolution, bullet.max_fps, bullet.codecs.clone())
        );
        let needs = Needs {
            resolution: Some(Resolution::new(1920, 1080)),
            fps_milli: 25_000,
            codecs: vec![Codec::H264],
            ptz: false,
            presets: 0,
            narrowest_hfov_half_deg: None,
            edge_recording: false,
            audio: AudioNeed::None,
            form_factor: Some(FormFactor::Turret),
        };
        let opts = PlanOptions::default();
        assert!(penalty(&dome, &needs, &opts) < penalty(&bullet, &needs, &opts));
        assert!(cost(&dome, &needs, &opts, 0.0) < cost(&bullet, &needs, &opts, 0.0));
        let why = explain(&dome, &needs, &opts);
        assert!(
            why.iter()
                .any(|w| w.starts_with("form factor close: turret → dome")),
            "{why:?}"
        );
        let why = explain(&bullet, &needs, &opts);
        assert!(
            why.iter()
                .any(|w| w.starts_with("form factor differs: turret → bullet"))
        );
        assert_eq!(
            form_factor_match(FormFactor::Dome, Some(FormFactor::Turret)),
            FormMatch::Close
        );
        assert_eq!(
            form_factor_match(FormFactor::Turret, Some(FormFactor::Ptz)),
            FormMatch::Different
        );
        assert_eq!(
            form_factor_match(FormFactor::Bullet, None),
            FormMatch::Different
        );
    }
}
