//! What an old camera is actually configured to do, each requirement with where it came from.
//!
//! Hard constraints (a replacement must meet every one):
//! - resolution: the largest stream in use, within `PlanOptions::resolution_tolerance` of its
//!   pixel count (default 10 %: 2688x1520 may become 2560x1440, not 1920x1080);
//! - frame rate: the highest in use;
//! - codecs in use: H.264 and H.265 must be offered as such (VMS and bandwidth planning depend
//!   on them); MJPEG and MPEG-4 may become H.264;
//! - PTZ, when the old unit's PTZ is in use (presets in use, or a profile drives PTZ);
//! - preset count: presets in use ≤ the model's maximum;
//! - edge storage, when a recording job is Active;
//! - audio input, when audio is recorded (an Active job records a profile with an audio
//!   encoder into a recording with an audio track) or `--keep-audio` asks for it. A profile
//!   that merely has an audio encoder makes it a preference: vendors switch audio on by
//!   default, and recording sound in public areas is usually unlawful, so an unused encoder
//!   must not exclude a model.
//!
//! Preferences (they rank the models that meet every hard constraint): the preferred vendor
//! (an option), cost, the same form factor (graded: turret and dome are close, bullet and PTZ
//! are not), an audio input for an unrecorded audio stream, optical zoom reaching the narrowest preset's view,
//! H.265 available, and the smallest model that fits.
//!
//! Presets in use. A PTZ unit reports every slot (a Hikvision dome lists 300), so this is the
//! rule for which ones are real:
//! 1. a vendor special-function number (Hikvision family: 33–45, 92–132, 200) is a command, not
//!    a preset: never counted, never copied;
//! 2. a slot with neither a name nor a position is empty;
//! 3. a slot whose name is the factory name of its own number ("Preset 12", "preset_012" on
//!    slot 12) and whose position is absent, at the default (0, 0, zoom 0), or at the
//!    device's factory position is empty. The factory position is the one that three or
//!    more factory-named slots share: firmware parks every unset slot at the same spot, and
//!    that spot is not always zero in the reported space (a unit whose generic range maps
//!    pan 0° to x = -1). When the device reports no position at all this may hide a real
//!    preset, so the plan lists those slots in a warning;
//! 4. everything else is in use.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::catalog::{Catalog, FormFactor, PtzSpec, Resolution};
use super::ptz::{OldUnit, Physical};
use super::{Flag, PlanOptions};
use crate::inventory::DeviceSnapshot;
use crate::model::{Codec, MediaProfile, Preset, PtzPosition};

/// Hard constraint or preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    /// Every replacement must meet it.
    Hard,
    /// Ranks the replacements that meet the hard constraints.
    Preference,
}

/// One requirement and its origin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RequirementItem {
    /// Hard or preference.
    pub kind: Strength,
    /// What is required.
    pub what: String,
    /// Where it came from on the old camera.
    pub from: String,
}

/// The requirement signature: everything that decides which models fit and how they rank.
/// Cameras with equal needs are one class for the site-wide assignment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Needs {
    /// The largest stream in use.
    pub resolution: Option<Resolution>,
    /// Highest frame rate in use, in thousandths of a frame per second.
    pub fps_milli: u32,
    /// Codecs in use, sorted.
    pub codecs: Vec<Codec>,
    /// PTZ in use.
    pub ptz: bool,
    /// Presets in use.
    pub presets: u32,
    /// Narrowest field of view among the presets, in half degrees rounded down: a preference
    /// only, so half-degree steps keep sites with many PTZ units to few classes.
    pub narrowest_hfov_half_deg: Option<u32>,
    /// An Active recording job.
    pub edge_recording: bool,
    /// Audio: not used, streamed (a preference) or recorded (a requirement).
    pub audio: AudioNeed,
    /// The old camera's form factor, when known.
    pub form_factor: Option<FormFactor>,
}

impl Needs {
    /// Narrowest preset view in degrees (half-degree steps).
    pub fn narrowest_hfov(&self) -> Option<f64> {
        self.narrowest_hfov_half_deg.map(|h| f64::from(h) / 2.0)
    }

    /// Highest frame rate in use.
    pub fn fps(&self) -> f64 {
        f64::from(self.fps_milli) / 1000.0
    }
}

/// How much the old camera's audio matters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AudioNeed {
    /// No profile has an audio encoder.
    #[default]
    None,
    /// A profile has an audio encoder, but nothing records it.
    Streamed,
    /// Audio is recorded, or `--keep-audio`.
    Required,
}

/// One stream (profile) the old camera is configured with.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamUse {
    /// Profile token.
    pub profile: String,
    /// `profile Profile_1 encoder: 2688x1520 H264 25fps`.
    pub describe: String,
}

/// One preset in use, with its physical direction.
#[derive(Debug, Clone, PartialEq)]
pub struct PresetUse {
    /// Index into the snapshot's presets.
    pub index: usize,
    /// The preset number when the token is numeric.
    pub number: Option<u32>,
    /// Where it looks (or why that is unknown).
    pub physical: Physical,
}

/// The old camera's PTZ as it is used.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PtzUse {
    /// Presets in use, ordered by number then token.
    pub in_use: Vec<PresetUse>,
    /// Special-function slots (tokens) the device lists.
    pub reserved: Vec<String>,
    /// Reserved slots that look like real presets (a custom name or a position).
    pub reserved_named: Vec<String>,
    /// Empty slots.
    pub empty: usize,
    /// Factory-named slots without a position, treated as empty (rule 3).
    pub factory_named_unpositioned: Vec<String>,
    /// The catalogue calibration used for the old model.
    pub calibration: Option<String>,
    /// Home position supported.
    pub home_supported: bool,
}

/// Everything derived from one flagged snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirements {
    /// The signature used for matching.
    pub needs: Needs,
    /// Every requirement with its origin, hard ones first.
    pub items: Vec<RequirementItem>,
    /// Streams in use.
    pub streams: Vec<StreamUse>,
    /// PTZ use, when the unit has PTZ.
    pub ptz: Option<PtzUse>,
    /// Warnings found while deriving (ambiguous presets, streams without settings).
    pub warnings: Vec<String>,
}

/// Special-function preset numbers of the Hikvision family (DOMAIN.md 3a; 33–44 and 92–105
/// named as functions in `hikvision/GetPresets-onvifnvt-ds2df7276.xml`) [M].
const HIKVISION_RESERVED: &[(u32, u32)] = &[(33, 45), (92, 132), (200, 200)];

/// Pelco-D's preset-number commands: "go to preset 0x21" is 180° flip and "go to preset
/// 0x22" is zero pan (Pelco manual C466M-E, 6/99, section 5.3, extended commands). Dahua
/// speed domes take Pelco-D for their PTZ; without a Dahua table of their own at hand, the
/// planner treats the Pelco-D numbers as commands on them too [assumption, L].
const PELCO_D_RESERVED: &[(u32, u32)] = &[(33, 34)];

/// The special-function numbers that apply to this device, by flag company or manufacturer.
fn reserved_numbers(s: &DeviceSnapshot, flag: &Flag) -> &'static [(u32, u32)] {
    let is = |needle: &'static str| move |v: &str| v.to_ascii_lowercase().contains(needle);
    let company_or_maker = |needle: &'static str| {
        flag.company.as_deref().is_some_and(is(needle))
            || s.identity.manufacturer.as_deref().is_some_and(is(needle))
    };
    if company_or_maker("hikvision") {
        HIKVISION_RESERVED
    } else if company_or_maker("dahua") || company_or_maker("pelco") {
        PELCO_D_RESERVED
    } else {
        &[]
    }
}

/// Presets in use and preset slots the device lists (the inventory table shows the first: a
/// Hikvision dome lists 300 slots for a handful of real presets). `None` without PTZ.
pub fn presets_in_use(s: &DeviceSnapshot) -> Option<(usize, usize)> {
    let p = s.ptz.as_ref()?;
    let flag = Flag {
        verdict: String::new(),
        company: None,
        confidence: 0.0,
    };
    let usage = survey_ptz(s, &flag, p, None);
    Some((usage.in_use.len(), p.presets.len()))
}

fn is_reserved(n: Option<u32>, table: &[(u32, u32)]) -> bool {
    n.is_some_and(|n| table.iter().any(|&(a, b)| (a..=b).contains(&n)))
}

/// A position rounded for comparison (six decimals is far below any device's resolution).
fn position_key(pos: &PtzPosition) -> (i64, i64, i64) {
    let r = |v: f64| (v * 1e6).round() as i64;
    let (x, y) = pos
        .pan_tilt
        .as_ref()
        .map_or((0.0, 0.0), |(x, y, _)| (*x, *y));
    let z = pos.zoom.as_ref().map_or(0.0, |(z, _)| *z);
    (r(x), r(y), r(z))
}

/// The position that three or more factory-named, non-reserved slots share (rule 3), if any.
fn factory_position(presets: &[Preset], reserved_table: &[(u32, u32)]) -> Option<(i64, i64, i64)> {
    let mut counts = std::collections::BTreeMap::new();
    for preset in presets {
        let number = preset.token.trim().parse::<u32>().ok();
        let factory_named = preset
            .name
            .as_deref()
            .is_some_and(|n| is_factory_name(n.trim(), number));
        if factory_named && !is_reserved(number, reserved_table) {
            if let Some(pos) = &preset.position {
                *counts.entry(position_key(pos)).or_insert(0usize) += 1;
            }
        }
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n >= 3)
        .max_by_key(|(k, n)| (*n, std::cmp::Reverse(*k)))
        .map(|(k, _)| k)
}

/// True for a factory name of slot `number`: "Preset 12", "preset_012", "PRESET12".
fn is_factory_name(name: &str, number: Option<u32>) -> bool {
    let flat: String = name
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .collect::<String>()
        .to_ascii_lowercase();
    match (flat.strip_prefix("preset"), number) {
        (Some(digits), Some(n)) => !digits.is_empty() && digits.parse::<u32>().ok() == Some(n),
        _ => false,
    }
}

fn at_default(p: &PtzPosition) -> bool {
    let pt = p
        .pan_tilt
        .as_ref()
        .is_none_or(|(x, y, _)| *x == 0.0 && *y == 0.0);
    let z = p.zoom.as_ref().is_none_or(|(z, _)| *z == 0.0);
    pt && z
}

fn fmt_fps(f: f64) -> String {
    if f.fract() == 0.0 {
        format!("{f:.0}")
    } else {
        format!("{f}")
    }
}

/// Describes a profile's encoder: `2688x1520 H264 25fps 4096kbps`.
pub fn describe_encoder(p: &MediaProfile) -> String {
    let Some(e) = &p.video_encoder else {
        return "no encoder".into();
    };
    let mut parts = Vec::new();
    if let (Some(w), Some(h)) = (e.width, e.height) {
        parts.push(format!("{w}x{h}"));
    }
    if let Some(c) = &e.encoding {
        parts.push(c.mime_name().to_owned());
    }
    if let Some(f) = e.frame_rate {
        parts.push(format!("{}fps", fmt_fps(f)));
    }
    if let Some(b) = e.bitrate_kbps {
        parts.push(format!("{b}kbps"));
    }
    if parts.is_empty() {
        "no settings reported".into()
    } else {
        parts.join(" ")
    }
}

/// Infers a form factor from reliable model-number patterns \[L-M: vendor naming schemes as
/// seen on datasheets; Hikvision `DS-2CD<series><form>…`, Dahua `IPC-HFW`/`HDW`/`HDBW`/`EBW`,
/// `SD…` speed domes\]. Returns the form factor and the rule that matched.
pub fn infer_form_factor(manufacturer: &str, model: &str) -> Option<(FormFactor, &'static str)> {
    let m = model.trim().to_ascii_uppercase();
    let m = m.strip_prefix("DH-").unwrap_or(&m);
    let vendor = manufacturer.to_ascii_lowercase();
    if m.starts_with("DS-2DE") || m.starts_with("DS-2DF") || m.starts_with("DS-2DY") {
        return Some((FormFactor::Ptz, "Hikvision DS-2DE/2DF/2DY: PTZ speed dome"));
    }
    if let Some(rest) = m.strip_prefix("DS-2CD") {
        let mut chars = rest.chars();
        // The form digit holds for the 1/2/3 series; 6-series (fisheye, multi-sensor) differ.
        if !matches!(chars.next()?, '1' | '2' | '3') {
            return None;
        }
        return match chars.next()? {
            '0' | '6' | 'T' => Some((FormFactor::Bullet, "Hikvision DS-2CD<s>0/6/T…: bullet")),
            '1' | '5' | '7' => Some((FormFactor::Dome, "Hikvision DS-2CD<s>1/5/7…: dome")),
            '3' => Some((FormFactor::Turret, "Hikvision DS-2CD<s>3…: turret")),
            _ => None,
        };
    }
    if vendor.contains("hikvision") {
        return None;
    }
    if m.starts_with("IPC-HFW") {
        return Some((FormFactor::Bullet, "Dahua IPC-HFW: bullet"));
    }
    if m.starts_with("IPC-HDBW") {
        return Some((FormFactor::Dome, "Dahua IPC-HDBW: dome"));
    }
    if m.starts_with("IPC-HDW") {
        return Some((FormFactor::Turret, "Dahua IPC-HDW: turret (eyeball)"));
    }
    if m.starts_with("IPC-EBW") || m.starts_with("IPC-EW") {
        return Some((FormFactor::Fisheye, "Dahua IPC-EBW/EW: fisheye"));
    }
    if m.starts_with("SD") && m[2..].starts_with(|c: char| c.is_ascii_digit()) {
        return Some((FormFactor::Ptz, "Dahua SD<digits>: PTZ speed dome"));
    }
    None
}

/// Derives the requirements of one flagged camera.
pub fn derive(
    s: &DeviceSnapshot,
    flag: &Flag,
    catalog: &Catalog,
    opts: &PlanOptions,
) -> Requirements {
    let mut items = Vec::new();
    let mut warnings = Vec::new();
    let mut streams = Vec::new();
    let hard = |what: String, from: String| RequirementItem {
        kind: Strength::Hard,
        what,
        from,
    };

    // Streams: the largest resolution and the highest frame rate in use.
    let mut largest: Option<(Resolution, &MediaProfile)> = None;
    let mut fastest: Option<(f64, &MediaProfile)> = None;
    let mut codecs: BTreeSet<Codec> = BTreeSet::new();
    let mut codec_from: Vec<String> = Vec::new();
    for p in &s.profiles {
        let Some(e) = &p.video_encoder else { continue };
        let describe = format!("profile {} encoder: {}", p.token, describe_encoder(p));
        match (e.width, e.height) {
            (Some(w), Some(h)) if w > 0 && h > 0 => {
                let r = Resolution::new(w, h);
                if largest.is_none_or(|(l, _)| (r.pixels(), r.width) > (l.pixels(), l.width)) {
                    largest = Some((r, p));
                }
            }
            _ => warnings.push(format!(
                "profile {}: the encoder reports no resolution, so it sets no requirement; check the stream on site",
                p.token
            )),
        }
        if let Some(f) = e.frame_rate.filter(|f| *f > 0.0) {
            if fastest.is_none_or(|(best, _)| f > best) {
                fastest = Some((f, p));
            }
        }
        if let Some(c) = &e.encoding {
            codecs.insert(c.clone());
            codec_from.push(p.token.clone());
        }
        streams.push(StreamUse {
            profile: p.token.clone(),
            describe,
        });
    }
    if let Some((r, p)) = largest {
        items.push(hard(
            format!("resolution ≥ {r}"),
            format!("profile {} encoder: {}", p.token, describe_encoder(p)),
        ));
    }
    if let Some((f, p)) = fastest {
        items.push(hard(
            format!("frame rate ≥ {} fps", fmt_fps(f)),
            format!("profile {} encoder: {}", p.token, describe_encoder(p)),
        ));
    }
    if !codecs.is_empty() {
        let names: Vec<&str> = codecs.iter().map(Codec::mime_name).collect();
        items.push(hard(
            format!("codec {}", names.join(" + ")),
            format!("encoders of profile {}", codec_from.join(", ")),
        ));
    }

    // PTZ.
    let ptz = s.ptz.as_ref().map(|p| {
        let calibration = s
            .identity
            .model
            .as_deref()
            .and_then(|m| catalog.calibration_for(m));
        survey_ptz(s, flag, p, calibration)
    });
    let ptz_profile = s.profiles.iter().find(|p| p.ptz_configuration.is_some());
    let has_pan_tilt = s.ptz.as_ref().is_some_and(|p| {
        p.nodes.iter().any(|n| {
            !n.absolute_pan_tilt.is_empty()
                || n.other_spaces.iter().any(|u| u.contains("PanTiltSpaces"))
        })
    });
    let ptz_in_use = has_pan_tilt
        && (ptz.as_ref().is_some_and(|u| !u.in_use.is_empty()) || ptz_profile.is_some());
    let mut presets = 0;
    let mut narrowest = None;
    if let (true, Some(u)) = (ptz_in_use, &ptz) {
        let node = s.ptz.as_ref().and_then(|p| p.nodes.first());
        let mut from = format!("PTZ node {}", node.map_or("?", |n| n.token.as_str()));
        if let Some(p) = ptz_profile {
            from.push_str(&format!(
                "; profile {} uses PTZ configuration {}",
                p.token,
                p.ptz_configuration.as_deref().unwrap_or_default()
            ));
        }
        items.push(hard("PTZ".into(), from));
        presets = u.in_use.len() as u32;
        let total = s.ptz.as_ref().map_or(0, |p| p.presets.len());
        items.push(hard(
            format!("at least {presets} presets"),
            format!(
                "GetPresets: {total} slots, {presets} in use, {} special-function, {} empty",
                u.reserved.len(),
                u.empty + u.factory_named_unpositioned.len()
            ),
        ));
        let presets_list = s.ptz.as_ref().map(|p| &p.presets);
        narrowest = u
            .in_use
            .iter()
            .filter_map(|p| p.physical.hfov.as_ref().ok().map(|h| (*h, p.index)))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let (Some((h, i)), Some(list)) = (narrowest, presets_list) {
            let preset = &list[i];
            items.push(RequirementItem {
                kind: Strength::Preference,
                what: format!("optical zoom reaching {h:.1}° horizontal field of view"),
                from: format!(
                    "preset {} \"{}\" (the narrowest view in use)",
                    preset.token,
                    preset.name.as_deref().unwrap_or_default()
                ),
            });
        }
    }

    // Edge recording and audio.
    let active: Vec<&str> = s
        .recording
        .iter()
        .flat_map(|r| &r.jobs)
        .filter(|j| j.mode.eq_ignore_ascii_case("active"))
        .map(|j| j.token.as_str())
        .collect();
    if !active.is_empty() {
        items.push(hard(
            "edge storage (Profile G recording)".into(),
            format!("recording job {} Active", active.join(", ")),
        ));
    }
    let audio: Vec<String> = s
        .profiles
        .iter()
        .filter_map(|p| {
            p.audio_encoder.as_ref().map(|a| {
                format!(
                    "profile {} audio encoder: {}",
                    p.token,
                    a.encoding.as_deref().unwrap_or("unknown encoding")
                )
            })
        })
        .collect();
    let recorded = recorded_audio(s);
    let audio_need = if audio.is_empty() {
        AudioNeed::None
    } else if !recorded.is_empty() {
        items.push(hard(
            "audio input".into(),
            format!("{}; recorded by {}", audio.join("; "), recorded.join(", ")),
        ));
        AudioNeed::Required
    } else if opts.keep_audio {
        items.push(hard(
            "audio input".into(),
            format!("{}; --keep-audio", audio.join("; ")),
        ));
        AudioNeed::Required
    } else {
        items.push(RequirementItem {
            kind: Strength::Preference,
            what: "audio input".into(),
            from: format!(
                "{}; no recording job records it (vendors enable audio by default; --keep-audio makes it a requirement)",
                audio.join("; ")
            ),
        });
        AudioNeed::Streamed
    };

    // Form factor: from the PTZ service, else the model number.
    let manufacturer = s.identity.manufacturer.as_deref().unwrap_or_default();
    let model = s.identity.model.as_deref().unwrap_or_default();
    let form_factor = if has_pan_tilt {
        items.push(RequirementItem {
            kind: Strength::Preference,
            what: "form factor ptz".into(),
            from: "PTZ service with pan/tilt spaces".into(),
        });
        Some(FormFactor::Ptz)
    } else if let Some((f, rule)) = infer_form_factor(manufacturer, model) {
        items.push(RequirementItem {
            kind: Strength::Preference,
            what: format!("form factor {f}"),
            from: format!("model {model} ({rule})"),
        });
        Some(f)
    } else {
        None
    };

    // Hard constraints first (stable: each group keeps its order).
    items.sort_by_key(|i| i.kind != Strength::Hard);
    let needs = Needs {
        resolution: largest.map(|(r, _)| r),
        fps_milli: fastest.map_or(0, |(f, _)| (f * 1000.0).round() as u32),
        codecs: codecs.into_iter().collect(),
        ptz: ptz_in_use,
        presets,
        narrowest_hfov_half_deg: narrowest.map(|(h, _)| (h * 2.0).floor() as u32),
        edge_recording: !active.is_empty(),
        audio: audio_need,
        form_factor,
    };
    Requirements {
        needs,
        items,
        streams,
        ptz,
        warnings,
    }
}

/// Active recording jobs that record sound: a source profile with an audio encoder, writing
/// to a recording with an audio track.
fn recorded_audio(s: &DeviceSnapshot) -> Vec<String> {
    let Some(rec) = &s.recording else {
        return Vec::new();
    };
    rec.jobs
        .iter()
        .filter(|j| j.mode.eq_ignore_ascii_case("active"))
        .filter(|j| {
            let has_audio_track = rec
                .recordings
                .iter()
                .filter(|r| r.token == j.recording_token)
                .flat_map(|r| &r.tracks)
                .any(|t| t.kind.eq_ignore_ascii_case("audio"));
            let records_audio_profile = j.sources.iter().any(|src| {
                src.source_token.as_deref().is_some_and(|tok| {
                    s.profiles
                        .iter()
                        .any(|p| p.token == tok && p.audio_encoder.is_some())
                })
            });
            has_audio_track && records_audio_profile
        })
        .map(|j| format!("recording job {}", j.token))
        .collect()
}

fn survey_ptz(
    s: &DeviceSnapshot,
    flag: &Flag,
    p: &crate::model::Ptz,
    calibration: Option<(&str, &PtzSpec)>,
) -> PtzUse {
    let reserved_table = reserved_numbers(s, flag);
    let node = p.nodes.first();
    let config = p.configurations.first();
    let old = OldUnit {
        node,
        default_pan_tilt_space: config.and_then(|c| c.default_absolute_pan_tilt_space.as_deref()),
        calibration,
    };
    let mut u = PtzUse {
        calibration: calibration.map(|(m, _)| m.to_owned()),
        home_supported: node.is_some_and(|n| n.home_supported),
        ..PtzUse::default()
    };
    let factory_position = factory_position(&p.presets, reserved_table);
    for (index, preset) in p.presets.iter().enumerate() {
        let number = preset.token.trim().parse::<u32>().ok();
        let name = preset
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let positioned = preset.position.as_ref().is_some_and(|pos| {
            !at_default(pos) && factory_position.as_ref() != Some(&position_key(pos))
        });
        if is_reserved(number, reserved_table) {
            u.reserved.push(preset.token.clone());
            if positioned {
                u.reserved_named.push(describe_preset(preset));
            }
            continue;
        }
        match name {
            None if preset.position.is_none() => u.empty += 1,
            Some(n) if is_factory_name(n, number) && !positioned => {
                if preset.position.is_none() {
                    u.factory_named_unpositioned.push(preset.token.clone());
                } else {
                    u.empty += 1;
                }
            }
            _ => u.in_use.push(PresetUse {
                index,
                number,
                physical: match &preset.position {
                    Some(pos) => old.physical(pos),
                    None => Physical {
                        aim: Err("the device reports no position for this preset".into()),
                        hfov: Err("the device reports no position for this preset".into()),
                    },
                },
            }),
        }
    }
    u.in_use.sort_by(|a, b| {
        (a.number.is_none(), a.number, &p.presets[a.index].token).cmp(&(
            b.number.is_none(),
            b.number,
            &p.presets[b.index].token,
        ))
    });
    u
}

fn describe_preset(p: &Preset) -> String {
    match &p.name {
        Some(n) => format!("{} \"{}\"", p.token, n),
        None => p.token.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Identity, Ptz, PtzNode, Space2d};
    use crate::planner::ptz::GENERIC_PAN_TILT_SPACE;
    use crate::soap::xml;

    fn hik_flag() -> Flag {
        Flag {
            verdict: "banned".into(),
            company: Some("Hikvision".into()),
            confidence: 1.0,
        }
    }

    /// Presets as `hikvision/GetPresets-onvifnvt-ds2df7276.xml` lists them (token and name;
    /// that firmware reports no positions), read with the project's XML tree.
    fn capture_presets() -> Vec<Preset> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/captures/hikvision/GetPresets-onvifnvt-ds2df7276.xml"
        );
        let bytes = std::fs::read(path).expect("the capture copy in tests/fixtures/captures");
        let root = xml::parse(&bytes).unwrap();
        let resp = root
            .find("GetPresetsResponse")
            .expect("a GetPresetsResponse");
        resp.children_named("Preset")
            .map(|p| Preset {
                profile_token: "Profile_1".into(),
                token: p.attr("token").unwrap_or_default().to_owned(),
                name: p.child_text("Name").map(str::to_owned),
                position: None,
            })
            .collect()
    }

    fn ptz_snapshot(presets: Vec<Preset>) -> DeviceSnapshot {
        DeviceSnapshot {
            id: "serial:DF7276".into(),
            identity: Identity {
                manufacturer: Some("HIKVISION".into()),
                model: Some("DS-2DF7276-AEL".into()),
                ..Default::default()
            },
            ptz: Some(Ptz {
                nodes: vec![PtzNode {
                    token: "PTZNODETOKEN".into(),
                    max_presets: 300,
                    home_supported: true,
                    absolute_pan_tilt: vec![Space2d {
                        uri: GENERIC_PAN_TILT_SPACE.into(),
                        x: crate::model::Range::new(-1.0, 1.0),
                        y: crate::model::Range::new(-1.0, 1.0),
                    }],
                    ..Default::default()
                }],
                presets,
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// Quirk: Hikvision speed domes list their special-function presets (33 Auto-flip …
    /// 105 Call patrol 8) in GetPresets beside 255 slots; source
    /// `hikvision/GetPresets-onvifnvt-ds2df7276.xml`.
    #[test]
    fn hikvision_special_function_presets_in_getpresets_are_not_counted() {
        let presets = capture_presets();
        assert_eq!(presets.len(), 255);
        let r = derive(
            &ptz_snapshot(presets),
            &hik_flag(),
            &Catalog::example(),
            &PlanOptions::default(),
        );
        let u = r.ptz.as_ref().unwrap();
        let p = &ptz_snapshot(capture_presets()).ptz.unwrap().presets;
        let in_use: Vec<(&str, &str)> = u
            .in_use
            .iter()
            .map(|x| {
                (
                    p[x.index].token.as_str(),
                    p[x.index].name.as_deref().unwrap(),
                )
            })
            .collect();
        // Slot 1 "preset 1" is a factory-looking name without a position: listed, not counted.
        assert_eq!(
            in_use,
            vec![
                ("2", "preset 1"),
                ("3", "preset 2"),
                ("4", "Parking"),
                ("5", "West")
            ]
        );
        assert_eq!(u.factory_named_unpositioned, vec!["1".to_string()]);
        // 33-44 and 92-105 are named functions in the capture; 45, 106-132 and 200 are
        // reserved too (DOMAIN.md 3a): 13 + 41 + 1 slots.
        assert_eq!(u.reserved.len(), 55, "{:?}", u.reserved);
        assert!(u.reserved.iter().all(|t| {
            let n: u32 = t.parse().unwrap();
            (33..=45).contains(&n) || (92..=132).contains(&n) || n == 200
        }));
        assert_eq!(r.needs.presets, 4);
        assert!(r.needs.ptz);
        assert_eq!(r.needs.form_factor, Some(FormFactor::Ptz));
    }

    /// Quirk: a dome whose generic range maps pan 0° to x = -1 parks every unset slot at
    /// (-1, y0, 0), not at (0, 0, 0); the mock persona `hikvision-ds2de4425iw` lists 300 slots
    /// that way. The shared factory position, not a zero, marks them empty.
    #[test]
    fn factory_slots_parked_at_a_shared_nonzero_position_are_empty() {
        let park = Some(PtzPosition {
            pan_tilt: Some((-1.0, -0.714286, None)),
            zoom: Some((0.0, None)),
        });
        let mut presets: Vec<Preset> = (1..=20u32)
            .map(|n| Preset {
                profile_token: "Profile_1".into(),
                token: n.to_string(),
                name: Some(format!("Preset {n}")),
                position: park.clone(),
            })
            .collect();
        presets[0].name = Some("Main Gate".into());
        presets[0].position = Some(PtzPosition {
            pan_tilt: Some((-0.5, -0.142857, None)),
            zoom: Some((0.0883, None)),
        });
        // Renamed nothing but aimed somewhere of its own: a real preset.
        presets[6].position = Some(PtzPosition {
            pan_tilt: Some((0.3, 0.2, None)),
            zoom: Some((0.1, None)),
        });
        let r = derive(
            &ptz_snapshot(presets),
            &hik_flag(),
            &Catalog::example(),
            &PlanOptions::default(),
        );
        let u = r.ptz.as_ref().unwrap();
        assert_eq!(r.needs.presets, 2, "{:?}", u.in_use.len());
        assert_eq!(u.empty, 18);
    }

    #[test]
    fn factory_names_only_match_their_own_slot() {
        assert!(is_factory_name("Preset 12", Some(12)));
        assert!(is_factory_name("preset_012", Some(12)));
        assert!(!is_factory_name("Preset 1", Some(2)));
        assert!(!is_factory_name("Gate", Some(3)));
        assert!(!is_factory_name("Preset", Some(3)));
    }

    #[test]
    fn form_factor_patterns() {
        assert_eq!(
            infer_form_factor("HIKVISION", "DS-2CD2143G2-I").unwrap().0,
            FormFactor::Dome
        );
        assert_eq!(
            infer_form_factor("HIKVISION", "DS-2CD2043G2-I").unwrap().0,
            FormFactor::Bullet
        );
        assert_eq!(
            infer_form_factor("HIKVISION", "DS-2CD2343G2-IU").unwrap().0,
            FormFactor::Turret
        );
        assert_eq!(
            infer_form_factor("HIKVISION", "DS-2DE4425IW-DE").unwrap().0,
            FormFactor::Ptz
        );
        assert_eq!(
            infer_form_factor("Dahua", "IPC-HDW2431T-AS").unwrap().0,
            FormFactor::Turret
        );
        assert_eq!(
            infer_form_factor("Dahua", "DH-SD49225XA-HNR").unwrap().0,
            FormFactor::Ptz
        );
        assert_eq!(infer_form_factor("Amcrest", "IP8M-2496EB"), None);
        assert_eq!(infer_form_factor("HIKVISION", "DS-7608NI"), None);
        assert_eq!(infer_form_factor("HIKVISION", "DS-2CD63C5G0-IVS"), None);
    }

    /// Issue 13 item 5: an audio encoder (on by default on most vendors) made audio a hard
    /// requirement and excluded the Axis PTZ; only recorded audio (or --keep-audio) is one.
    #[test]
    fn unrecorded_audio_is_a_preference_recorded_audio_a_requirement() {
        use crate::model::{
            AudioEncoder, MediaProfile, Recording, RecordingItem, RecordingJob, RecordingJobSource,
            Track, VideoEncoder,
        };
        let mut s = DeviceSnapshot {
            id: "serial:A1".into(),
            profiles: vec![MediaProfile {
                token: "main".into(),
                video_encoder: Some(VideoEncoder {
                    token: "v".into(),
                    encoding: Some(Codec::H264),
                    width: Some(1920),
                    height: Some(1080),
                    frame_rate: Some(25.0),
                    ..Default::default()
                }),
                audio_encoder: Some(AudioEncoder {
                    token: "a".into(),
                    encoding: Some("G711".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }],
            ..Default::default()
        };
        let catalog = Catalog::example();
        // Axis Q6135-LE: `audio = false` in the example catalogue.
        let ptz_axis = &catalog.models[catalog.find("Q6135-LE", Some("Axis")).unwrap()];
        assert!(!ptz_axis.audio);
        let opts = PlanOptions::default();
        let r = derive(&s, &hik_flag(), &catalog, &opts);
        assert_eq!(r.needs.audio, AudioNeed::Streamed);
        assert!(super::super::matching::unmet(ptz_axis, &r.needs, &opts).is_empty());
        assert!(
            r.items
                .iter()
                .any(|i| i.kind == Strength::Preference && i.what == "audio input")
        );

        let keep = PlanOptions {
            keep_audio: true,
            ..PlanOptions::default()
        };
        assert_eq!(
            derive(&s, &hik_flag(), &catalog, &keep).needs.audio,
            AudioNeed::Required
        );

        // An Active job recording the profile into a recording with an audio track.
        s.recording = Some(Recording {
            recordings: vec![RecordingItem {
                token: "rec".into(),
                tracks: vec![Track {
                    token: "t-audio".into(),
                    kind: "Audio".into(),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            jobs: vec![RecordingJob {
                token: "job".into(),
                recording_token: "rec".into(),
                mode: "Active".into(),
                sources: vec![RecordingJobSource {
                    source_token: Some("main".into()),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        });
        let r = derive(&s, &hik_flag(), &catalog, &opts);
        assert_eq!(r.needs.audio, AudioNeed::Required);
        let unmet = super::super::matching::unmet(ptz_axis, &r.needs, &opts);
        assert!(unmet.iter().any(|u| u.starts_with("audio:")), "{unmet:?}");
    }

    /// Issue 13 item 9: a Dahua dome's Pelco-D command numbers (33 flip, 34 zero pan: Pelco
    /// manual C466M-E section 5.3) were copied as presets; and the inventory table counted the
    /// slots a Hikvision dome lists (the capture lists every slot) instead of the real presets.
    #[test]
    fn dahua_pelco_d_function_presets_are_skipped_and_presets_in_use_are_counted() {
        let at = |x: f64| {
            Some(PtzPosition {
                pan_tilt: Some((x, 0.1, None)),
                zoom: None,
            })
        };
        let preset = |token: &str, name: &str, x: f64| Preset {
            profile_token: "Profile_1".into(),
            token: token.into(),
            name: Some(name.into()),
            position: at(x),
        };
        let mut s = ptz_snapshot(vec![
            preset("1", "Gate", 0.1),
            preset("33", "Flip", 0.2),
            preset("34", "Zero", 0.3),
            preset("35", "Yard", 0.4),
        ]);
        s.identity.manufacturer = Some("Dahua".into());
        s.identity.model = Some("SD49225XA-HNR".into());
        let flag = Flag {
            verdict: "banned".into(),
            company: Some("Dahua".into()),
            confidence: 1.0,
        };
        let r = derive(&s, &flag, &Catalog::example(), &PlanOptions::default());
        let u = r.ptz.unwrap();
        let used: Vec<&str> = u
            .in_use
            .iter()
            .map(|p| s.ptz.as_ref().unwrap().presets[p.index].token.as_str())
            .collect();
        // 1 and 35 are positions; 33 and 34 are Pelco-D commands.
        assert_eq!(used, vec!["1", "35"]);
        assert_eq!(r.needs.presets, 2);
        assert_eq!(presets_in_use(&s), Some((2, 4)));

        // The Hikvision capture lists 256 slots; its named function numbers are commands.
        let hik = ptz_snapshot(capture_presets());
        let (used, slots) = presets_in_use(&hik).unwrap();
        assert_eq!(slots, hik.ptz.as_ref().unwrap().presets.len());
        assert!(used < slots, "{used} of {slots}");
    }
}
