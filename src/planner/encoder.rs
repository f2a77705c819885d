//! Encoder settings mapped onto the new model's options, each adjustment with a note.
//!
//! - Resolution: among the model's resolutions within the tolerance of the old pixel count,
//!   the same aspect ratio first, then the nearest pixel count (ties: the larger).
//! - Frame rate: clamped to the model's maximum.
//! - GOV length: kept in seconds (frames / old fps × new fps), clamped to the model's range.
//! - Bitrate: scaled with pixels and frame rate (same bits per pixel and frame), and when the
//!   codec changes (H.264 → H.265 by `h265_bitrate_factor`, the inverse back), clamped to the
//!   model's range; every factor is a planning estimate.
//! - Quality: mapped linearly between the old and new quality ranges when both are known.
//! - Service: Media2 when the new codec is H.265 (Media ver10 cannot express it), else Media.

use super::PlanOptions;
use super::catalog::{CatalogModel, Resolution};
use super::plan::{EncoderValues, MediaApi};
use super::ptz::round;
use crate::model::{Codec, MediaProfile, Range};

/// The nearest resolution the model supports that keeps at least `1 - tolerance` of the
/// pixels, or `None` when none does: among the offered sizes large enough, those of the same
/// shape when there are any, the first nearest in pixel count (log ratio), then the larger,
/// then the wider. Without allocating: the assignment asks it for every class × model pair.
pub fn pick_resolution(
    supported: &[Resolution],
    wanted: Resolution,
    tolerance: f64,
) -> Option<Resolution> {
    let floor = wanted.pixels() as f64 * (1.0 - tolerance);
    let large_enough = |r: &&Resolution| r.pixels() as f64 >= floor;
    let any_same = supported
        .iter()
        .filter(large_enough)
        .any(|r| r.same_aspect(wanted));
    let mut best: Option<(f64, Resolution)> = None;
    for &r in supported.iter().filter(large_enough) {
        if any_same && !r.same_aspect(wanted) {
            continue;
        }
        let d = (r.pixels() as f64 / wanted.pixels() as f64).ln().abs();
        // Replaced only by a strictly better one: the first of equals stays, as with min_by.
        let better = best.is_none_or(|(bd, b)| {
            bd.total_cmp(&d)
                .then_with(|| r.pixels().cmp(&b.pixels()))
                .then_with(|| r.width.cmp(&b.width))
                .is_gt()
        });
        if better {
            best = Some((d, r));
        }
    }
    best.map(|(_, r)| r)
}

/// The encoder translation of one profile.
#[derive(Debug, Clone, PartialEq)]
pub struct EncoderPlan {
    /// The service to configure it through.
    pub service: MediaApi,
    /// Old values.
    pub old: EncoderValues,
    /// New values.
    pub new: EncoderValues,
    /// Each adjustment.
    pub notes: Vec<String>,
    /// Compromises worth a camera-level warning.
    pub warnings: Vec<String>,
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{}", round(v, 100.0))
    }
}

/// Maps one profile's encoder onto the model; `None` when the profile has no encoder.
pub fn translate(
    p: &MediaProfile,
    model: &CatalogModel,
    opts: &PlanOptions,
) -> Option<EncoderPlan> {
    let e = p.video_encoder.as_ref()?;
    let mut notes = Vec::new();
    let mut warnings = Vec::new();
    let old = EncoderValues {
        encoding: e.encoding.as_ref().map(|c| c.mime_name().to_owned()),
        width: e.width,
        height: e.height,
        frame_rate: e.frame_rate,
        bitrate_kbps: e.bitrate_kbps,
        gov_length: e.gov_length,
        quality: e.quality,
        quality_fraction: None,
        profile: e.profile.clone(),
        constant_bitrate: e.constant_bitrate,
    };

    // Codec.
    let codec = match &e.encoding {
        Some(Codec::H264) if opts.prefer_h265 && model.has_codec(&Codec::H265) => {
            notes.push("codec H264 → H265 (prefer H.265 was asked for)".into());
            Codec::H265
        }
        Some(c) if model.has_codec(c) => c.clone(),
        Some(c) => {
            let sub = if model.has_codec(&Codec::H264) {
                Codec::H264
            } else {
                model.codecs.first().cloned().unwrap_or(Codec::H264)
            };
            notes.push(format!(
                "codec {} is not offered by {}: {} instead",
                c.mime_name(),
                model.name(),
                sub.mime_name()
            ));
            warnings.push(format!(
                "profile {}: codec changes {} → {}; check the recorder and viewers accept it",
                p.token,
                c.mime_name(),
                sub.mime_name()
            ));
            sub
        }
        None => {
            let c = if model.has_codec(&Codec::H264) {
                Codec::H264
            } else {
                model.codecs.first().cloned().unwrap_or(Codec::H264)
            };
            notes.push(format!(
                "the old encoder reports no codec: {} chosen",
                c.mime_name()
            ));
            c
        }
    };
    let service = if codec == Codec::H265 {
        notes.push("H265 is configured through Media2 (Media ver10 cannot express it)".into());
        MediaApi::Media2
    } else {
        MediaApi::Media
    };

    // Resolution.
    let (width, height) = match (e.width, e.height) {
        (Some(w), Some(h)) if w > 0 && h > 0 => {
            let wanted = Resolution::new(w, h);
            let chosen = pick_resolution(&model.resolutions, wanted, opts.resolution_tolerance)
                .unwrap_or_else(|| {
                    let best = model
                        .resolutions
                        .first()
                        .copied()
                        .unwrap_or(model.max_resolution);
                    warnings.push(format!(
                        "profile {}: {wanted} is beyond {} ({} at most): {best}",
                        p.token,
                        model.name(),
                        model.max_resolution
                    ));
                    best
                });
            if chosen != wanted {
                let pct = (chosen.pixels() as f64 / wanted.pixels() as f64 - 1.0) * 100.0;
                let mut note = format!(
                    "resolution {wanted} → {chosen} ({pct:+.1}% pixels; nearest {} offers",
                    model.name()
                );
                if !chosen.same_aspect(wanted) {
                    note.push_str(", aspect ratio changes: check the field of view");
                }
                note.push(')');
                notes.push(note);
            }
            (Some(chosen.width), Some(chosen.height))
        }
        _ => {
            warnings.push(format!(
                "profile {}: the old encoder reports no resolution; the new camera keeps its default",
                p.token
            ));
            (None, None)
        }
    };

    // Frame rate.
    let frame_rate = e.frame_rate.map(|f| {
        if f > model.max_fps {
            let (capped, mains) = cap_frame_rate(f, model.max_fps);
            notes.push(format!(
                "frame rate {} → {} fps ({}'s maximum is {}{})",
                fmt_num(f),
                fmt_num(capped),
                model.name(),
                fmt_num(model.max_fps),
                mains.map_or(String::new(), |hz| format!(
                    "; kept on the {hz} Hz mains ladder against lighting flicker"
                ))
            ));
            capped
        } else {
            f
        }
    });

    // GOV length in seconds.
    let gov_length = match (e.gov_length, e.frame_rate, frame_rate) {
        (Some(g), Some(old_fps), Some(new_fps)) if old_fps > 0.0 => {
            let mut n = ((f64::from(g) / old_fps) * new_fps).round().max(1.0);
            if let Some(r) = model.gov_length_range {
                let c = r.clamp(n);
                if c != n {
                    notes.push(format!("GOV length clamped to {}..{} frames", r.min, r.max));
                    n = c;
                }
            }
            let n = n as u32;
            if n != g {
                notes.push(format!(
                    "GOV length {g} → {n} frames (kept at {:.1} s)",
                    f64::from(g) / old_fps
                ));
            }
            Some(n)
        }
        (g, _, _) => g,
    };

    // Bitrate: the old limit bought a number of bits per pixel and frame; keep that when
    // the picture or the frame rate changes (bitrate linear in pixels × fps, as the Kush gauge
    // estimates it: kbit/s ≈ pixels × fps × motion rank × 0.07 / 1000), then the codec factor.
    let pixel_ratio = match (e.width, e.height, width, height) {
        (Some(ow), Some(oh), Some(nw), Some(nh)) if ow > 0 && oh > 0 => {
            Some((f64::from(nw) * f64::from(nh)) / (f64::from(ow) * f64::from(oh)))
        }
        _ => None,
    }
    .filter(|r| (r - 1.0).abs() > 1e-9);
    let fps_ratio = match (e.frame_rate, frame_rate) {
        (Some(o), Some(n)) if o > 0.0 => Some(n / o),
        _ => None,
    }
    .filter(|r| (r - 1.0).abs() > 1e-9);
    let factor = match (e.encoding.as_ref(), &codec) {
        (Some(Codec::H264), Codec::H265) => Some(opts.h265_bitrate_factor),
        (Some(Codec::H265), Codec::H264) => Some(1.0 / opts.h265_bitrate_factor),
        _ => None,
    };
    let bitrate_kbps = e.bitrate_kbps.map(|b| {
        let mut v = f64::from(b);
        let mut why = Vec::new();
        if let Some(r) = pixel_ratio {
            v *= r;
            why.push(format!(
                "×{:.2} pixels ({}x{} → {}x{})",
                r,
                e.width.unwrap_or(0),
                e.height.unwrap_or(0),
                width.unwrap_or(0),
                height.unwrap_or(0)
            ));
        }
        if let Some(r) = fps_ratio {
            v *= r;
            why.push(format!(
                "×{:.2} frame rate ({} → {} fps)",
                r,
                fmt_num(e.frame_rate.unwrap_or(0.0)),
                fmt_num(frame_rate.unwrap_or(0.0))
            ));
        }
        if let Some(f) = factor {
            v *= f;
            why.push(format!(
                "×{:.2} for {} → {} (DOMAIN.md 3b: a 30–50 % saving is the planning figure for H.265 over H.264; camera tests found 10–15 %)",
                f,
                old.encoding.as_deref().unwrap_or("?"),
                codec.mime_name()
            ));
        }
        v = v.round().max(1.0);
        if !why.is_empty() {
            notes.push(format!(
                "bitrate {b} → {v:.0} kbit/s: {}, at the same bits per pixel and frame (an estimate: re-measure after cut-over)",
                why.join(", ")
            ));
        }
        if let Some(r) = model.bitrate_range {
            let c = r.clamp(v);
            if c != v {
                notes.push(format!(
                    "bitrate clamped to {}..{} kbit/s ({}'s range)",
                    r.min,
                    r.max,
                    model.name()
                ));
                v = c;
            }
        }
        v as u32
    });

    // Quality: a number means nothing without its range (DOMAIN.md 3h: Hikvision 0..5,
    // Dahua 1..6, Axis and Bosch 0..100), so it travels as a position within the old range.
    let old_range = p
        .encoder_options
        .iter()
        .find(|o| o.encoding.as_ref() == e.encoding.as_ref())
        .or(p.encoder_options.first())
        .and_then(|o| o.quality_range)
        .filter(|r| r.max > r.min);
    let old_fraction = e
        .quality
        .zip(old_range)
        .map(|(q, r)| round(fraction_of(q, r), 10_000.0));
    let (quality, quality_fraction) = match (e.quality, old_range) {
        (None, _) => (None, None),
        (Some(q), None) => {
            notes.push(format!(
                "quality {} not carried: the old camera reports no quality range, and a quality number means nothing without its scale; the new camera keeps its default",
                fmt_num(q)
            ));
            (None, None)
        }
        (Some(q), Some(from)) => {
            let t = round(fraction_of(q, from), 10_000.0);
            let pct = round(t * 100.0, 10.0);
            match model.quality_range {
                Some(to) => {
                    let mapped = round(to.min + t * (to.max - to.min), 100.0);
                    notes.push(format!(
                        "quality {} on {}..{} is {pct}% of the range → {} on {}'s {}..{}",
                        fmt_num(q),
                        fmt_num(from.min),
                        fmt_num(from.max),
                        fmt_num(mapped),
                        model.name(),
                        fmt_num(to.min),
                        fmt_num(to.max)
                    ));
                    (Some(mapped), Some(t))
                }
                None => {
                    notes.push(format!(
                        "quality {} on {}..{} is {pct}% of the range; {}'s range is not in the catalogue: apply sets {pct}% of the range the new camera's encoder options report",
                        fmt_num(q),
                        fmt_num(from.min),
                        fmt_num(from.max),
                        model.name()
                    ));
                    (None, Some(t))
                }
            }
        }
    };

    let old = EncoderValues {
        quality_fraction: old_fraction,
        ..old
    };
    let profile = match (&codec, e.encoding.as_ref()) {
        (c, Some(old)) if c == old => e.profile.clone(),
        (Codec::H265, _) => Some("Main".into()),
        _ => None,
    };
    if profile != e.profile && e.profile.is_some() {
        notes.push(format!(
            "codec profile {} → {}",
            e.profile.as_deref().unwrap_or("-"),
            profile.as_deref().unwrap_or("device default")
        ));
    }

    let new = EncoderValues {
        encoding: Some(codec.mime_name().to_owned()),
        width,
        height,
        frame_rate,
        bitrate_kbps,
        gov_length,
        quality,
        quality_fraction,
        profile,
        constant_bitrate: e.constant_bitrate,
    };
    Some(EncoderPlan {
        service,
        old,
        new,
        notes,
        warnings,
    })
}

/// Frame rates that follow 50 Hz and 60 Hz mains: a camera on a 50 Hz site runs 25 or 50 fps
/// so lights do not beat against the exposure; capping 50 fps at a model's 30 would bring the
/// flicker back, so a stream on one ladder stays on it (50 → 25, 60 → 30 → 15).
const MAINS_LADDERS: [(u32, [f64; 5]); 2] = [
    (50, [100.0, 50.0, 25.0, 12.5, 6.25]),
    (60, [120.0, 60.0, 30.0, 15.0, 7.5]),
];

/// The highest rate at most `max` on the old rate's mains ladder, with the mains frequency,
/// when the model offers it: a model that runs 30 fps also runs 25 (the 50 Hz mode of the
/// same sensor), so the ladder rate counts as offered when it is at least 80 % of the
/// maximum (25 of 30, 50 of 60). Otherwise, or for a rate on neither ladder, plain `max`:
/// halving the frame rate costs more than the flicker risk.
fn cap_frame_rate(old: f64, max: f64) -> (f64, Option<u32>) {
    for (hz, ladder) in MAINS_LADDERS {
        if ladder.iter().any(|r| (r - old).abs() < 1e-6) {
            if let Some(r) = ladder.iter().copied().find(|r| *r <= max + 1e-9) {
                if r >= 0.8 * max {
                    return (r, Some(hz));
                }
            }
        }
    }
    (max, None)
}

/// Where `v` sits in `r`, 0..1 (clamped: a value outside its own range is read as the end).
fn fraction_of(v: f64, r: Range) -> f64 {
    ((v - r.min) / (r.max - r.min)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EncoderOptions, VideoEncoder};
    use crate::planner::catalog::{Catalog, default_ladder};

    fn model(max: Resolution, fps: f64) -> CatalogModel {
        let c = Catalog::example();
        let mut m = c.models[c.find("Axis P3268-LVE", None).unwrap()].clone();
        m.max_resolution = max;
        m.resolutions = default_ladder(max);
        m.max_fps = fps;
        m
    }

    fn profile(w: u32, h: u32, codec: Codec, fps: f64, kbps: u32, gov: u32) -> MediaProfile {
        MediaProfile {
            token: "Profile_1".into(),
            video_encoder: Some(VideoEncoder {
                token: "VE1".into(),
                encoding: Some(codec),
                width: Some(w),
                height: Some(h),
                frame_rate: Some(fps),
                bitrate_kbps: Some(kbps),
                gov_length: Some(gov),
                quality: Some(60.0),
                ..Default::default()
            }),
            encoder_options: vec![EncoderOptions {
                encoding: Some(Codec::H264),
                quality_range: Some(Range::new(0.0, 100.0)),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    /// The allocation-free choice is the one the filter-collect-min_by definition makes, on any
    /// ladder (duplicates, equal pixel counts in other shapes, D1 sizes included).
    #[test]
    fn nearest_resolution_is_the_filtered_min_by_choice() {
        use proptest::prelude::*;
        fn by_definition(
            supported: &[Resolution],
            wanted: Resolution,
            tolerance: f64,
        ) -> Option<Resolution> {
            let floor = wanted.pixels() as f64 * (1.0 - tolerance);
            let fits: Vec<Resolution> = supported
                .iter()
                .copied()
                .filter(|r| r.pixels() as f64 >= floor)
                .collect();
            let same: Vec<Resolution> = fits
                .iter()
                .copied()
                .filter(|r| r.same_aspect(wanted))
                .collect();
            let pool = if same.is_empty() { fits } else { same };
            let distance = |r: &Resolution| (r.pixels() as f64 / wanted.pixels() as f64).ln().abs();
            pool.into_iter().min_by(|a, b| {
                distance(a)
                    .total_cmp(&distance(b))
                    .then_with(|| b.pixels().cmp(&a.pixels()))
                    .then_with(|| b.width.cmp(&a.width))
            })
        }
        const SIZES: &[(u32, u32)] = &[
            (704, 576),
            (720, 576),
            (704, 480),
            (640, 480),
            (768, 432),
            (960, 540),
            (1280, 720),
            (1280, 960),
            (1920, 1080),
            (1440, 1440),
            (2048, 1536),
            (2560, 1440),
            (2688, 1520),
            (2592, 1944),
            (3840, 2160),
        ];
        let size = (0..SIZES.len()).prop_map(|i| Resolution::new(SIZES[i].0, SIZES[i].1));
        proptest!(|(
            ladder in proptest::collection::vec(size.clone(), 0..8),
            wanted in size,
            tolerance in prop_oneof![Just(0.0), Just(0.1), Just(0.25), 0.0..0.9f64],
        )| {
            prop_assert_eq!(
                pick_resolution(&ladder, wanted, tolerance),
                by_definition(&ladder, wanted, tolerance)
            );
        });
    }

    #[test]
    fn nearest_resolution_keeps_the_aspect_ratio_within_tolerance() {
        let ladder = default_ladder(Resolution::new(3840, 2160));
        let r = |w, h| Resolution::new(w, h);
        assert_eq!(
            pick_resolution(&ladder, r(2688, 1520), 0.10),
            Some(r(2688, 1520))
        );
        let no_4mp: Vec<_> = ladder.iter().copied().filter(|x| x.width != 2688).collect();
        assert_eq!(
            pick_resolution(&no_4mp, r(2688, 1520), 0.10),
            Some(r(2560, 1440))
        );
        assert_eq!(
            pick_resolution(&no_4mp, r(2688, 1520), 0.05),
            Some(r(3200, 1800))
        );
        let fhd = default_ladder(r(1920, 1080));
        assert_eq!(pick_resolution(&fhd, r(2688, 1520), 0.10), None);
        // A 4:3 stream on a 16:9-only model: nearest pixel count.
        // A 4:3 stream on a 16:9-only model: nearest pixel count that keeps 90 %.
        assert_eq!(
            pick_resolution(&ladder, r(640, 480), 0.10),
            Some(r(960, 540))
        );
    }

    #[test]
    fn frame_rate_clamped_gov_kept_in_seconds() {
        let m = model(Resolution::new(3840, 2160), 20.0);
        let t = translate(
            &profile(2688, 1520, Codec::H264, 25.0, 4096, 50),
            &m,
            &PlanOptions::default(),
        )
        .unwrap();
        assert_eq!(t.new.frame_rate, Some(20.0));
        assert_eq!(t.new.gov_length, Some(40));
        // 4096 kbit/s × 20 / 25 fps = 3276.8: the same bits per frame.
        assert_eq!(t.new.bitrate_kbps, Some(3277));
        assert_eq!(t.service, MediaApi::Media);
        assert!(
            t.notes.iter().any(|n| n.contains("frame rate 25 → 20")),
            "{:?}",
            t.notes
        );
        assert!(
            t.notes
                .iter()
                .any(|n| n.contains("GOV length 50 → 40 frames (kept at 2.0 s)"))
        );
    }

    #[test]
    fn bitrate_scaled_on_codec_change_both_ways() {
        let m = model(Resolution::new(3840, 2160), 30.0);
        let opts = PlanOptions {
            prefer_h265: true,
            ..PlanOptions::default()
        };
        let t = translate(&profile(2688, 1520, Codec::H264, 25.0, 4096, 50), &m, &opts).unwrap();
        assert_eq!(t.new.encoding.as_deref(), Some("H265"));
        assert_eq!(t.new.bitrate_kbps, Some(2867));
        assert_eq!(t.service, MediaApi::Media2);
        assert!(t.notes.iter().any(|n| n.contains("estimate")));
        let mut h264_only = m.clone();
        h264_only.codecs = vec![Codec::H264];
        let t = translate(
            &profile(1920, 1080, Codec::H265, 25.0, 2048, 50),
            &h264_only,
            &PlanOptions::default(),
        )
        .unwrap();
        assert_eq!(t.new.encoding.as_deref(), Some("H264"));
        assert_eq!(t.new.bitrate_kbps, Some(2926));
        assert!(!t.warnings.is_empty());
    }

    /// Issue 13 item 3: a 4:3 D1 stream went to the nearest pixel count (16:9) although the
    /// model offers a 4:3 size; a 50 fps stream on a 30 fps model became 30, off the 50 Hz
    /// mains ladder.
    #[test]
    fn d1_keeps_4_3_and_a_50hz_stream_stays_on_25_50() {
        let r = Resolution::new;
        // 704x576 = 405,504 px; 960x540 = 518,400 (+27.8 %), 1024x768 = 786,432 (+93.9 %).
        let offered = [r(1024, 768), r(960, 540)];
        assert_eq!(
            pick_resolution(&offered, r(704, 576), 0.10),
            Some(r(1024, 768))
        );
        assert_eq!(
            pick_resolution(&offered, r(704, 480), 0.10),
            Some(r(1024, 768))
        );

        let m = model(Resolution::new(1920, 1080), 30.0);
        let t = translate(
            &profile(1920, 1080, Codec::H264, 50.0, 4096, 100),
            &m,
            &PlanOptions::default(),
        )
        .unwrap();
        // 50 fps on a 30 fps model: 25 (50 Hz ladder), GOV 100 frames = 2 s → 50 frames.
        assert_eq!(t.new.frame_rate, Some(25.0));
        assert_eq!(t.new.gov_length, Some(50));
        assert!(
            t.notes.iter().any(|n| n.contains("50 Hz mains")),
            "{:?}",
            t.notes
        );
        // 60 fps on a 50 fps model: 50 (the 60 Hz ladder's 30 would halve the rate).
        let m50 = model(Resolution::new(1920, 1080), 50.0);
        let t = translate(
            &profile(1920, 1080, Codec::H264, 60.0, 4096, 120),
            &m50,
            &PlanOptions::default(),
        )
        .unwrap();
        assert_eq!(t.new.frame_rate, Some(50.0));
        // 25 fps on a 30 fps model stays 25.
        let t = translate(
            &profile(1920, 1080, Codec::H264, 25.0, 4096, 50),
            &m,
            &PlanOptions::default(),
        )
        .unwrap();
        assert_eq!(t.new.frame_rate, Some(25.0));
    }

    /// Issue 13 item 2: 640x480 at 384 kbit/s became 960x540 at 384 kbit/s, starving the
    /// bigger picture. Expected values by hand, bitrate linear in pixels × fps (Kush gauge).
    #[test]
    fn bitrate_follows_pixels_and_frame_rate_when_the_picture_changes() {
        let mut m = model(Resolution::new(1920, 1080), 30.0);
        m.resolutions = vec![Resolution::new(1920, 1080), Resolution::new(960, 540)];
        let p = profile(640, 480, Codec::H264, 15.0, 384, 30);
        let t = translate(&p, &m, &PlanOptions::default()).unwrap();
        assert_eq!((t.new.width, t.new.height), (Some(960), Some(540)));
        // 960 × 540 = 518,400 over 640 × 480 = 307,200: × 1.6875; 384 × 1.6875 = 648.
        assert_eq!(t.new.bitrate_kbps, Some(648));
        assert!(
            t.notes
                .iter()
                .any(|n| n.contains("bitrate 384 → 648 kbit/s: ×1.69 pixels (640x480 → 960x540)")),
            "{:?}",
            t.notes
        );
        // 2688x1520 at 25 fps onto 1920x1080 at 20 fps, H.264 → H.265 at 0.7:
        // 4096 × (2,073,600 / 4,085,760) × (20 / 25) × 0.7 = 4096 × 0.50752 × 0.8 × 0.7 = 1164.1.
        let mut m20 = model(Resolution::new(1920, 1080), 20.0);
        m20.resolutions = vec![Resolution::new(1920, 1080)];
        let opts = PlanOptions {
            prefer_h265: true,
            resolution_tolerance: 0.6,
            ..PlanOptions::default()
        };
        let t = translate(
            &profile(2688, 1520, Codec::H264, 25.0, 4096, 50),
            &m20,
            &opts,
        )
        .unwrap();
        assert_eq!(t.new.bitrate_kbps, Some(1164));
        // Within the new model's limits: 648 clamped to a 64..600 range.
        m.bitrate_range = Some(Range::new(64.0, 600.0));
        let t = translate(&p, &m, &PlanOptions::default()).unwrap();
        assert_eq!(t.new.bitrate_kbps, Some(600));
        assert!(
            t.notes
                .iter()
                .any(|n| n.contains("bitrate clamped to 64..600"))
        );
        // Same picture, same rate: untouched, no note.
        let t = translate(
            &profile(1920, 1080, Codec::H264, 25.0, 2048, 50),
            &model(Resolution::new(1920, 1080), 30.0),
            &PlanOptions::default(),
        )
        .unwrap();
        assert_eq!(t.new.bitrate_kbps, Some(2048));
        assert!(
            !t.notes.iter().any(|n| n.contains("bitrate")),
            "{:?}",
            t.notes
        );
    }

    /// The H.265 factor's default sits in the planning figure DOMAIN.md 3b cites (a 30–50 %
    /// saving over H.264, i.e. a factor 0.5..0.7), at its conservative end.
    #[test]
    fn the_default_h265_factor_is_the_cited_planning_figure() {
        let f = PlanOptions::default().h265_bitrate_factor;
        assert!((0.5..=0.7).contains(&f), "{f}");
        assert_eq!(f, 1.0 - 0.30);
    }

    /// Issue 13 item 1: a Hikvision quality 4 was copied as 4 onto an Axis whose scale is
    /// 0..100. Ranges from the captures (DOMAIN.md 3h): Hikvision 0..5
    /// (hikvision/GetVideoEncoderConfigurationOptions-exonvif-tr2.xml), Dahua 1..6
    /// (dahua/GetVideoEncoderConfigurationOptions-exonvif.xml), Axis 0..100
    /// (axis/GetVideoEncoderConfigurationOptions-onvifgo-p3818pve.xml).
    #[test]
    fn quality_is_carried_as_a_position_in_the_vendor_range_not_as_a_raw_number() {
        let with_range = |q: f64, min: f64, max: f64| {
            let mut p = profile(1920, 1080, Codec::H264, 25.0, 2048, 50);
            p.video_encoder.as_mut().unwrap().quality = Some(q);
            p.encoder_options[0].quality_range = Some(Range::new(min, max));
            p
        };
        // The example catalogue's Axis row carries Axis's 0..100.
        let axis = model(Resolution::new(1920, 1080), 30.0);
        assert_eq!(axis.quality_range, Some(Range::new(0.0, 100.0)));

        // Hikvision 4 on 0..5: (4 - 0) / (5 - 0) = 0.8 → 0 + 0.8 × 100 = 80.
        let t = translate(&with_range(4.0, 0.0, 5.0), &axis, &PlanOptions::default()).unwrap();
        assert_eq!(t.old.quality, Some(4.0));
        assert_eq!(t.old.quality_fraction, Some(0.8));
        assert_eq!(t.new.quality, Some(80.0));
        assert!(
            t.notes
                .iter()
                .any(|n| n.contains("quality 4 on 0..5 is 80% of the range → 80")),
            "{:?}",
            t.notes
        );
        // Dahua 4 on 1..6: (4 - 1) / (6 - 1) = 0.6 → 60 on 0..100.
        let t = translate(&with_range(4.0, 1.0, 6.0), &axis, &PlanOptions::default()).unwrap();
        assert_eq!(t.new.quality, Some(60.0));
        // Axis 70 on 0..100 onto a Dahua-scale model 1..6: 0.7 → 1 + 0.7 × 5 = 4.5.
        let mut dahua_scale = axis.clone();
        dahua_scale.quality_range = Some(Range::new(1.0, 6.0));
        let t = translate(
            &with_range(70.0, 0.0, 100.0),
            &dahua_scale,
            &PlanOptions::default(),
        )
        .unwrap();
        assert_eq!(t.new.quality, Some(4.5));

        // The new model's range unknown: no number, the position for apply (3 on 0..5 = 60%).
        let mut unknown = axis.clone();
        unknown.quality_range = None;
        let t = translate(
            &with_range(3.0, 0.0, 5.0),
            &unknown,
            &PlanOptions::default(),
        )
        .unwrap();
        assert_eq!(t.new.quality, None);
        assert_eq!(t.new.quality_fraction, Some(0.6));
        assert!(
            t.notes
                .iter()
                .any(|n| n.contains("apply sets 60% of the range"))
        );
        // The old range unknown: a bare number is not carried at all.
        let mut bare = with_range(4.0, 0.0, 5.0);
        bare.encoder_options.clear();
        let t = translate(&bare, &axis, &PlanOptions::default()).unwrap();
        assert_eq!((t.new.quality, t.new.quality_fraction), (None, None));
        assert!(t.notes.iter().any(|n| n.contains("quality 4 not carried")));
    }
}
