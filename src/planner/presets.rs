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
    let mut re_aim = 0;
    let mut home = None;
    for u in &usage.in_use {
        let preset = &ptz.presets[u.index];
        let t = translate(&u.physical, spec, &name);
        let mut notes = t.notes;
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
        warnings.push(
            "PTZ pan counts from each unit's mechanical zero: check every preset on site (mounting orientation differs between units)".into(),
        );
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
        ptz_steps(s, &req, model, "Profile_1", &mut steps, &mut warnings);
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

    #[test]
    fn ranges_compress_runs() {
        let t: Vec<String> = ["33", "34", "35", "45", "200", "x"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(ranges(&t), "33-35, 45, 200, x");
    }
}
