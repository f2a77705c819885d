//! PTZ steps: presets by name and number with translated positions, and the home position.

use super::catalog::CatalogModel;
use super::plan::{Direction, Step};
use super::ptz::{
    Coord1, Coord2, GENERIC_PAN_TILT_SPACE, GENERIC_ZOOM_SPACE, PtzTarget, round, translate,
};
use super::requirements::Requirements;
use crate::inventory::DeviceSnapshot;
use crate::model::PtzPosition;

fn stored(p: &PtzPosition, default_space: Option<&str>) -> PtzTarget {
    PtzTarget {
        pan_tilt: p.pan_tilt.as_ref().map(|(x, y, space)| Coord2 {
            x: *x,
            y: *y,
            space: space
                .clone()
                .or_else(|| default_space.map(str::to_owned))
                .unwrap_or_else(|| GENERIC_PAN_TILT_SPACE.into()),
        }),
        zoom: p.zoom.as_ref().map(|(z, space)| Coord1 {
            x: *z,
            space: space.clone().unwrap_or_else(|| GENERIC_ZOOM_SPACE.into()),
        }),
    }
}

/// Preset and home steps onto `model`, through the profile with key `profile`.
pub fn ptz_steps(
    s: &DeviceSnapshot,
    req: &Requirements,
    model: &CatalogModel,
    profile: &str,
    opts: &super::PlanOptions,
    steps: &mut Vec<Step>,
    warnings: &mut Vec<String>,
) {
    let (Some(usage), Some(ptz)) = (&req.ptz, &s.ptz) else {
        return;
    };
    if !req.needs.ptz {
        return;
    }
    let spec = model.ptz.as_ref();
    let name = model.name();
    let default_space = ptz
        .configurations
        .first()
        .and_then(|c| c.default_absolute_pan_tilt_space.as_deref());
    if let Some(spec) = spec {
        if usage.in_use.len() as u32 > spec.max_presets {
            warnings.push(format!(
                "ERROR: {} presets in use, {name} holds {}: the plan cannot carry them all",
                usage.in_use.len(),
                spec.max_presets
            ));
        }
    }
    // The anchor: one preset aimed by hand on the new unit gives the offset between the two
    // units' pan references; its own tilt is taken as given.
    let anchor = opts.anchors.iter().find(|a| a.camera == s.id);
    let mut pan_offset = 0.0;
    let mut anchor_index = None;
    if let Some(a) = anchor {
        let found = usage.in_use.iter().find(|u| {
            let p = &ptz.presets[u.index];
            p.token == a.preset
                || p.name
                    .as_deref()
                    .is_some_and(|n| n.trim().eq_ignore_ascii_case(a.preset.trim()))
        });
        match (found, spec) {
            (Some(u), Some(spec)) => match &u.physical.aim {
                Ok((azimuth, _)) => {
                    pan_offset = spec.azimuth(a.pan) - azimuth;
                    anchor_index = Some(u.index);
                }
                Err(why) => warnings.push(format!("anchor preset {} not used: {why}", a.preset)),
            },
            (None, _) => warnings.push(format!(
                "anchor preset {} is not a preset in use on this camera: not used",
                a.preset
            )),
            (_, None) => warnings.push(format!(
                "anchor preset {} not used: {name} has no PTZ data in the catalogue",
                a.preset
            )),
        }
    }
    let mut re_aim = 0;
    let mut home = None;
    for u in &usage.in_use {
        let preset = &ptz.presets[u.index];
        let is_anchor = anchor_index == Some(u.index);
        let physical = match (is_anchor, anchor, spec, &u.physical.aim) {
            (true, Some(a), Some(spec), Ok((azimuth, _))) => super::ptz::Physical {
                aim: Ok((*azimuth, super::ptz::elevation(a.tilt, spec.tilt_positive))),
                hfov: u.physical.hfov.clone(),
            },
            _ => u.physical.clone(),
        };
        let t = translate(&physical, spec, &name, pan_offset);
        let mut notes = t.notes;
        let approximate = t.target.is_some();
        if is_anchor {
            notes.push("anchor: pan and tilt as aimed by hand on the new camera".into());
        } else if anchor_index.is_some() && approximate {
            notes.push(format!(
                "pan offset {}° from the anchor preset",
                round(pan_offset, 100.0)
            ));
        }
        if approximate {
            notes.push(if anchor_index.is_some() {
                "approximate: the zoom curve is assumed (generic zoom linear in magnification); check the view on site".into()
            } else {
                "approximate: assumes both units' pan references point the same way and a zoom curve linear in magnification; check the view on site".into()
            });
        }
        if let (Some(n), Some(spec)) = (u.number, spec) {
            if n > spec.max_presets {
                notes.push(format!(
                    "number {n} is above {name}'s preset range (1..{}): the camera will choose the token; update VMS and alarm links to preset {n}",
                    spec.max_presets
                ));
            }
        }
        if t.re_aim {
            re_aim += 1;
        }
        let direction = match (&u.physical.aim, &u.physical.hfov) {
            (Err(_), Err(_)) => None,
            (aim, hfov) => Some(Direction {
                pan: aim.as_ref().ok().map(|(p, _)| round(*p, 100.0)),
                elevation: aim.as_ref().ok().map(|(_, e)| round(*e, 100.0)),
                hfov: hfov.as_ref().ok().map(|h| round(*h, 100.0)),
            }),
        };
        let preset_name = preset
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map_or_else(|| format!("Preset {}", preset.token), str::to_owned);
        if home.is_none() && preset_name.eq_ignore_ascii_case("home") {
            home = Some((
                preset.token.clone(),
                preset_name.clone(),
                t.target.clone(),
                t.re_aim,
            ));
        }
        steps.push(Step::SetPreset {
            profile: profile.to_owned(),
            token: preset.token.clone(),
            name: preset_name,
            old: preset.position.as_ref().map(|p| stored(p, default_space)),
            direction,
            target: t.target,
            re_aim: t.re_aim,
            approximate,
            notes,
        });
    }
    if usage.home_supported {
        steps.push(match home {
            Some((token, preset_name, target, re_aim)) => Step::SetHomePosition {
                profile: profile.to_owned(),
                from_preset: Some(token.clone()),
                target,
                re_aim,
                notes: vec![format!("home is where preset {token} \"{preset_name}\" looks")],
            },
            None => {
                warnings.push(
                    "the home position cannot be read through ONVIF: aim the new camera and set home on site".into(),
                );
                Step::SetHomePosition {
                    profile: profile.to_owned(),
                    from_preset: None,
                    target: None,
                    re_aim: true,
                    notes: vec!["ONVIF has no call that reads a home position".into()],
                }
            }
        });
    }
    if !usage.in_use.is_empty() {
        warnings.push(if anchor_index.is_some() {
            "translated presets are approximate (zoom curve assumed); the pan offset comes from the anchor preset: check every preset on site".into()
        } else {
            format!(
                "translated presets are approximate: pan assumes both units' reference marks point the same way: aim one preset by hand on the new camera and plan again with --anchor {}:PRESET=PAN,TILT, then check every preset on site",
                s.id
            )
        });
        warnings.push(
            "preset tours, patrols and patterns are not read by the inventory and are not carried"
                .into(),
        );
    }
    if re_aim > 0 {
        warnings.push(format!(
            "{re_aim} of {} presets need re-aiming on site (marked re-aim)",
            usage.in_use.len()
        ));
    }
    if !usage.reserved.is_empty() {
        warnings.push(format!(
            "{} special-function preset numbers ({}) are commands on the old camera, not positions: not copied",
            usage.reserved.len(),
            ranges(&usage.reserved)
        ));
    }
    for r in &usage.reserved_named {
        warnings.push(format!(
            "preset {r} sits on a special-function number but has a position: not copied; re-create it under a free number"
        ));
    }
    if !usage.factory_named_unpositioned.is_empty() {
        warnings.push(format!(
            "slots {} carry only a factory name and no position: treated as empty; re-create any that is a real preset",
            usage.factory_named_unpositioned.join(", ")
        ));
    }
}

/// `33-45, 92-132, 200` from sorted numeric tokens (others listed as they are).
fn ranges(tokens: &[String]) -> String {
    let mut nums: Vec<u32> = tokens.iter().filter_map(|t| t.parse().ok()).collect();
    nums.sort_unstable();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < nums.len() {
        let start = nums[i];
        let mut end = start;
        while i + 1 < nums.len() && nums[i + 1] == end + 1 {
            i += 1;
            end = nums[i];
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    out.extend(tokens.iter().filter(|t| t.parse::<u32>().is_err()).cloned());
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::Flag;
    use crate::planner::catalog::Catalog;
    use crate::planner::requirements::derive;
    use crate::planner::testdata;

    fn steps_onto(s: &DeviceSnapshot, model: &CatalogModel) -> (Vec<Step>, Vec<String>) {
        let flag = Flag {
            verdict: "banned".into(),
            company: Some("Hikvision".into()),
            confidence: 1.0,
        };
        let req = derive(
            s,
            &flag,
            &Catalog::example(),
            &crate::planner::PlanOptions::default(),
        );
        let (mut steps, mut warnings) = (Vec::new(), Vec::new());
        ptz_steps(
            s,
            &req,
            model,
            "Profile_1",
            &crate::planner::PlanOptions::default(),
            &mut steps,
            &mut warnings,
        );
        (steps, warnings)
    }

    #[test]
    fn too_many_presets_is_an_error_and_an_unnamed_home_needs_re_aiming() {
        let c = Catalog::example();
        let mut small = c.models[c.find("Axis Q6135-LE", None).unwrap()].clone();
        small.ptz.as_mut().unwrap().max_presets = 4;
        let mut s = testdata::hikvision_ptz();
        for p in &mut s.ptz.as_mut().unwrap().presets {
            if p.name.as_deref() == Some("Home") {
                p.name = Some("Dock".into());
            }
        }
        let (steps, warnings) = steps_onto(&s, &small);
        assert!(
            warnings
                .iter()
                .any(|w| w.starts_with("ERROR: 6 presets in use")),
            "{warnings:?}"
        );
        // Preset 10 keeps its number although the new range ends at 4.
        assert!(steps.iter().any(|st| matches!(st, Step::SetPreset { token, notes, .. }
            if token == "10" && notes.iter().any(|n| n.contains("above Axis Q6135-LE's preset range")))));
        assert!(matches!(
            steps.last(),
            Some(Step::SetHomePosition {
                from_preset: None,
                target: None,
                re_aim: true,
                ..
            })
        ));
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("home position cannot be read"))
        );
    }

    /// Issue 13 item 4: pan direction was not modelled, so a unit whose generic pan runs
    /// anticlockwise got mirrored presets with no mark. The test's own catalogue plays the
    /// datasheets: the old "SD-R100" counts pan 0..360 anticlockwise with 0 at 90° from its
    /// reference mark; the new "PTZ-CW" counts -180..180 clockwise from its mark.
    #[test]
    fn reversed_pan_with_an_offset_zero_keeps_presets_pointing_the_same_way() {
        use crate::model::{Preset, PtzPosition};
        let catalog = Catalog::parse(
            "test.toml",
            r#"
[[model]]
vendor = "Test"
model = "PTZ-CW"
form_factor = "ptz"
max_resolution = "1920x1080"
max_fps = 30
codecs = ["H264"]
ptz = { pan_range = [-180, 180], tilt_range = [-90, 20], spherical_space = true, optical_zoom = 30, hfov_wide = 60.0, max_presets = 256 }

[[reference]]
vendor = "Dahua"
model = "SD-R100"
ptz = { pan_range = [0, 360], tilt_range = [-15, 90], tilt_positive = "down", pan_positive = "anticlockwise", pan_zero = 90, optical_zoom = 25, hfov_wide = 58.6 }
"#,
        )
        .unwrap();
        let new = &catalog.models[0];
        let mut s = testdata::dahua_ptz();
        s.identity.model = Some("SD-R100".into());
        let at = |x: f64, y: f64| {
            Some(PtzPosition {
                pan_tilt: Some((x, y, Some(GENERIC_PAN_TILT_SPACE.into()))),
                zoom: Some((0.0, Some(GENERIC_ZOOM_SPACE.into()))),
            })
        };
        let ptz = s.ptz.as_mut().unwrap();
        let profile = ptz.presets[0].profile_token.clone();
        ptz.presets = vec![
            Preset {
                profile_token: profile.clone(),
                token: "1".into(),
                name: Some("Gate".into()),
                position: at(0.0, 0.0),
            },
            Preset {
                profile_token: profile,
                token: "2".into(),
                name: Some("Door".into()),
                position: at(-0.5, 0.0),
            },
        ];
        let flag = Flag {
            verdict: "banned".into(),
            company: Some("Dahua".into()),
            confidence: 1.0,
        };
        let run = |opts: &crate::planner::PlanOptions| {
            let req = derive(&s, &flag, &catalog, opts);
            let (mut steps, mut warnings) = (Vec::new(), Vec::new());
            ptz_steps(&s, &req, new, "P", opts, &mut steps, &mut warnings);
            let pans: Vec<(String, f64, f64, bool)> = steps
                .iter()
                .filter_map(|st| match st {
                    Step::SetPreset {
                        name,
                        target: Some(t),
                        approximate,
                        ..
                    } => {
                        let pt = t.pan_tilt.as_ref().unwrap();
                        Some((name.clone(), pt.x, pt.y, *approximate))
                    }
                    _ => None,
                })
                .collect();
            (pans, warnings)
        };
        // By hand. Gate: generic x 0 on 0..360 → 180; anticlockwise from 90: azimuth
        // 90 - 180 = -90; PTZ-CW clockwise from 0: pan -90. Tilt: y 0 on -15..90 (down) → 37.5
        // down → elevation -37.5. Door: x -0.5 → 90 → azimuth 90 - 90 = 0 → pan 0.
        let (pans, warnings) = run(&crate::planner::PlanOptions::default());
        assert_eq!(
            pans,
            vec![
                ("Gate".into(), -90.0, -37.5, true),
                ("Door".into(), 0.0, -37.5, true)
            ]
        );
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("approximate") && w.contains("--anchor")),
            "{warnings:?}"
        );
        // The integrator aims Door by hand on the new camera: pan 30, tilt -20. Offset: the
        // new unit's azimuth 0 + 30 = 30 minus the old azimuth 0 = 30°. Gate: -90 + 30 = -60.
        let opts = crate::planner::PlanOptions {
            anchors: vec![crate::planner::Anchor::parse(&format!("{}:Door=30,-20", s.id)).unwrap()],
            ..Default::default()
        };
        let (pans, _) = run(&opts);
        assert_eq!(
            pans,
            vec![
                ("Gate".into(), -60.0, -37.5, true),
                ("Door".into(), 30.0, -20.0, true)
            ]
        );
        assert!(crate::planner::Anchor::parse("serial:X:1=abc,2").is_err());
        let a = crate::planner::Anchor::parse("serial:X:1=10.5,-3").unwrap();
        assert_eq!(
            (a.camera.as_str(), a.preset.as_str(), a.pan, a.tilt),
            ("serial:X", "1", 10.5, -3.0)
        );
    }

    #[test]
    fn ranges_compress_runs() {
        let t: Vec<String> = ["33", "34", "35", "45", "200", "x"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(ranges(&t), "33-35, 45, 200, x");
    }
}
