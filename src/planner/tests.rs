//! Planner tests over whole plans: fixture snapshots of the built-in fleet, properties of the
//! site-wide assignment, the greedy baseline, determinism, fingerprints and drift.
//!
//! Fixture snapshots live in `tests/fixtures/planner/`. A test fails on any change in output;
//! to accept a deliberate change, run
//! `CAMSWAP_UPDATE_FIXTURES=1 cargo test -p camswap --lib planner::` and review the diff with
//! `git diff tests/fixtures/planner/` before committing.

use std::collections::BTreeMap;
use std::path::PathBuf;

use proptest::prelude::*;

use super::catalog::{Catalog, CatalogModel, FormFactor, PtzSpec, Resolution, default_ladder};
use super::plan::{InputFile, Inputs, MediaApi, Plan, Step, Written, write_streamed};
use super::ptz::{GENERIC_PAN_TILT_SPACE, GENERIC_ZOOM_SPACE, SPHERICAL_SPACE};
use super::rollout::Rollout;
use super::stock::Stock;
use super::testdata;
use super::{PlanInput, PlanOptions, plan};
use crate::inventory::DeviceSnapshot;
use crate::model::*;

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/planner")
        .join(name)
}

/// Compares `actual` with the fixture file, or rewrites it under `CAMSWAP_UPDATE_FIXTURES`.
fn assert_fixture(name: &str, actual: &str) {
    let path = fixture_path(name);
    if std::env::var_os("CAMSWAP_UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing fixture {}; create it with CAMSWAP_UPDATE_FIXTURES=1",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from the fixture at line {}:\n  expected: {:?}\n  actual:   {:?}\n(if the change is intended: CAMSWAP_UPDATE_FIXTURES=1 and review git diff)",
            line + 1,
            expected.lines().nth(line).unwrap_or("<end>"),
            actual.lines().nth(line).unwrap_or("<end>")
        );
    }
}

fn fleet_inputs(stock: bool, rollout: bool) -> Inputs {
    Inputs {
        inventory: Some(InputFile::hashed("inventory.json", b"built-in test fleet")),
        catalog: Some(InputFile::hashed(
            "builtin:example",
            super::catalog::EXAMPLE_TOML.as_bytes(),
        )),
        stock: stock.then(|| InputFile::hashed("stock.toml", SITE_STOCK.as_bytes())),
        rollout: rollout.then(|| InputFile::hashed("rollout.toml", SITE_ROLLOUT.as_bytes())),
        policy: Some(InputFile {
            name: "builtin:uk-2022".into(),
            sha256: None,
        }),
    }
}

const SITE_STOCK: &str = r#"
[[stock]]
model = "Q6135-LE"
units = 1

[[stock]]
model = "i-PRO WV-X6533LN"
units = 1

[[stock]]
model = "FLEXIDOME IP 5100i IR"
units = 1

[[stock]]
model = "XNO-8080R"
units = 1
"#;

const SITE_ROLLOUT: &str = r#"
[defaults]
max_unavailable = 2
max_failures = "10%"

[[wave]]
name = "pilot"
max_unavailable = 1
max_failures = 0
select = { id = ["serial:DS-2CD2143G2-I20230101AAWRJ00000001"] }

[[wave]]
name = "north"
select = { site = "north" }
"#;

fn run(
    snapshots: &[DeviceSnapshot],
    catalog: &Catalog,
    stock: Option<&Stock>,
    rollout: Option<&Rollout>,
    options: &PlanOptions,
    inputs: Inputs,
) -> Plan {
    let flagged = testdata::flags_for(snapshots);
    plan(&PlanInput {
        snapshots,
        flagged: &flagged,
        catalog,
        stock,
        rollout,
        options,
        inputs,
        sha256_checked: false,
        threads: 0,
    })
}

fn fleet_plan(site: bool) -> Plan {
    let catalog = Catalog::example();
    let stock = Stock::parse("stock.toml", SITE_STOCK).unwrap();
    let rollout = Rollout::parse("rollout.toml", SITE_ROLLOUT).unwrap();
    run(
        &testdata::fleet(),
        &catalog,
        site.then_some(&stock),
        site.then_some(&rollout),
        &PlanOptions::default(),
        fleet_inputs(site, site),
    )
}

#[test]
fn fleet_plan_json_matches_its_fixture() {
    assert_fixture("fleet.plan.json", &fleet_plan(false).to_json());
}

#[test]
fn fleet_dry_run_matches_its_fixture() {
    assert_fixture(
        "fleet.dry-run.txt",
        &super::render::dry_run(&fleet_plan(false), false),
    );
}

// Issue 10 item 7: strings a device chose (its model, its id) reach the dry run as text; only
// the dry run's own colour codes are escape sequences.
#[test]
fn terminal_control_characters_in_the_dry_run_are_escaped() {
    let mut p = fleet_plan(false);
    p.cameras[0].old.model = Some("DS-2CD\u{1b}]0;pwned\u{7}\u{1b}[2J".into());
    p.cameras[0].old.id = "serial:\u{9b}31mEVIL".into();
    let ours = regex::Regex::new("\x1b\\[[0-9;]*m").unwrap();
    for color in [false, true] {
        let text = super::render::dry_run(&p, color);
        let rest = ours.replace_all(&text, "");
        assert!(
            !rest.chars().any(|c| c.is_control() && c != '\n'),
            "{rest:?}"
        );
        assert!(
            text.contains("DS-2CD\\u{1b}]0;pwned\\u{7}\\u{1b}[2J"),
            "{text}"
        );
        assert!(text.contains("serial:\\u{9b}31mEVIL"), "{text}");
    }
}

#[test]
fn fleet_with_stock_and_waves_matches_its_fixtures() {
    let p = fleet_plan(true);
    assert_fixture("fleet-site.plan.json", &p.to_json());
    assert_fixture("fleet-site.dry-run.txt", &super::render::dry_run(&p, false));
}

#[test]
fn fleet_plan_says_what_a_user_needs_to_know() {
    let p = fleet_plan(true);
    let cam = |id: &str| p.cameras.iter().find(|c| c.old.id.contains(id)).unwrap();
    // The 12 MP fisheye has no model; the 4K bullet fits only a model without stock.
    let fisheye = cam("DS-2CD63C5G0");
    let none = fisheye.no_suitable_model.as_ref().unwrap();
    assert!(
        none.unmet
            .iter()
            .any(|u| u.starts_with("resolution: 4000x3072")),
        "{none:?}"
    );
    let amcrest = cam("AMC0123456789ABCD");
    assert_eq!(
        amcrest.out_of_stock.as_ref().unwrap().fitting,
        vec!["Axis P3268-LVE".to_string()]
    );
    assert!(amcrest.steps.is_empty() && amcrest.wave.is_none());
    // Stock respected: one unit each.
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    for c in p.replaced() {
        let r = c.replacement.as_ref().unwrap();
        *used.entry(format!("{} {}", r.vendor, r.model)).or_default() += 1;
    }
    assert!(used.values().all(|&n| n == 1), "{used:?}");
    assert_eq!(used.len(), 4);
    // The network move is the last step of every replaced camera.
    for c in p.replaced() {
        assert_eq!(
            c.steps.last().unwrap().kind(),
            "set_network",
            "{}",
            c.old.id
        );
    }
    // The pilot wave has the one selected camera; the north site wave the PTZ.
    assert_eq!(p.waves[0].name, "pilot");
    assert_eq!(
        p.waves[0].cameras,
        vec!["serial:DS-2CD2143G2-I20230101AAWRJ00000001".to_string()]
    );
    assert_eq!(
        p.waves[1].cameras,
        vec!["serial:DS-2DE4425IW-DE20220505CCWRF00000002".to_string()]
    );
    assert_eq!(p.waves[2].name, "remaining");
    // Every other flagged camera matched no wave: the plan names each one.
    let selected = [
        "serial:DS-2CD2143G2-I20230101AAWRJ00000001",
        "serial:DS-2DE4425IW-DE20220505CCWRF00000002",
    ];
    let unselected: Vec<&str> = p
        .cameras
        .iter()
        .map(|c| c.old.id.as_str())
        .filter(|id| !selected.contains(id))
        .collect();
    assert!(unselected.len() >= 2, "{unselected:?}");
    assert!(
        p.warnings
            .contains(&super::rollout::unselected_warning(&unselected)),
        "{:?}",
        p.warnings
    );
    // Hikvision PTZ: six presets, no special functions, no factory slot 7.
    let ptz = cam("DS-2DE4425IW-DE");
    let presets: Vec<&str> = ptz
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::SetPreset { token, .. } => Some(token.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(presets, vec!["1", "2", "3", "4", "5", "10"]);
    assert!(
        ptz.steps
            .iter()
            .any(|s| matches!(s, Step::SetHomePosition { from_preset: Some(t), .. } if t == "3"))
    );
    assert!(ptz.steps.iter().any(|s| matches!(s, Step::CreateRecordingJob { mode, sources, .. } if mode == "Active" && sources[0].profile.as_deref() == Some("Profile_1"))));
    // Nothing secret and no old-hardware scope is carried.
    let json = p.to_json();
    assert!(!json.contains("password\":"));
    let fixed = cam("DS-2CD2143G2-I2023");
    assert!(fixed.steps.iter().any(|s| matches!(s, Step::SetScopes { scopes } if scopes.iter().all(|x| !x.contains("hangzhou") && !x.contains("HIKVISION")) && scopes.len() == 2)));
}

#[test]
fn dahua_h265_stream_stays_h265_through_media2() {
    let p = fleet_plan(false);
    let c = p
        .cameras
        .iter()
        .find(|c| c.old.id == "serial:6J0AB12PAZ12345")
        .unwrap();
    let enc = c
        .steps
        .iter()
        .find_map(|s| match s {
            Step::SetVideoEncoder {
                profile,
                service,
                new,
                ..
            } if profile == "MediaProfile00000" => Some((*service, new.clone())),
            _ => None,
        })
        .unwrap();
    assert_eq!(enc.0, MediaApi::Media2);
    assert_eq!(enc.1.encoding.as_deref(), Some("H265"));
    assert!(
        c.warnings
            .iter()
            .any(|w| w.contains("DHCP reservation from MAC 3c:ef:8c:00:00:03"))
    );
}

#[test]
fn the_same_inputs_in_any_order_give_the_same_bytes() {
    let catalog = Catalog::example();
    let mut shuffled_catalog = catalog.clone();
    shuffled_catalog.models.reverse();
    // Order in the file does not matter: a catalogue parsed from reversed rows sorts the same.
    let reparsed = {
        let text = super::catalog::EXAMPLE_TOML;
        let (head, rows) = text.split_once("[[model]]").unwrap();
        let mut parts: Vec<&str> = rows.split("[[model]]").collect();
        let last = parts.pop().unwrap();
        let (last_model, refs) = last.split_once("[[reference]]").unwrap();
        parts.push(last_model);
        parts.reverse();
        let mut t = head.to_owned();
        for p in parts {
            t.push_str("[[model]]");
            t.push_str(p);
        }
        t.push_str("[[reference]]");
        t.push_str(refs);
        Catalog::parse("reversed.toml", &t).unwrap()
    };
    assert_eq!(reparsed, catalog);
    let mut fleet = testdata::fleet();
    let a = run(
        &fleet,
        &catalog,
        None,
        None,
        &PlanOptions::default(),
        fleet_inputs(false, false),
    );
    fleet.reverse();
    let b = run(
        &fleet,
        &reparsed,
        None,
        None,
        &PlanOptions::default(),
        fleet_inputs(false, false),
    );
    assert_eq!(a.to_json(), b.to_json());
    assert_eq!(a.fingerprint, b.fingerprint);
    let _ = shuffled_catalog;
}

#[test]
fn fingerprint_covers_every_step_and_survives_the_file() {
    let p = fleet_plan(false);
    p.check_fingerprint().unwrap();
    let back: Plan = crate::files::parse_json(
        std::path::Path::new("plan.json"),
        p.to_json().as_bytes(),
        "camswap.plan",
        1,
    )
    .unwrap();
    assert_eq!(back, p);
    back.check_fingerprint().unwrap();
    let mut edited = back.clone();
    for c in &mut edited.cameras {
        for s in &mut c.steps {
            if let Step::SetNetwork { address, .. } = s {
                *address = Some("10.20.0.99".into());
            }
        }
    }
    let e = edited.check_fingerprint().unwrap_err().to_string();
    assert!(e.contains("changed after it was made"), "{e}");
}

#[test]
fn drift_is_a_changed_or_missing_planned_device() {
    let p = fleet_plan(false);
    let recorded = p.inputs.inventory.as_ref().unwrap().sha256.clone().unwrap();
    let mut fleet = testdata::fleet();
    let same = super::check::check(&p, &recorded, &fleet);
    assert!(
        !same.has_drift() && !same.inventory_file_changed,
        "{same:?}"
    );
    // A fresh read with every planned device unchanged is not drift.
    let fresh = super::check::check(&p, "another file", &fleet);
    assert!(!fresh.has_drift() && fresh.inventory_file_changed);
    // A changed bitrate and a vanished camera are.
    fleet[0].profiles[0]
        .video_encoder
        .as_mut()
        .unwrap()
        .bitrate_kbps = Some(1024);
    let gone = fleet.pop().unwrap();
    let r = super::check::check(&p, "another file", &fleet);
    let ids: Vec<&str> = r.drifted.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids.len(), 2, "{r:?}");
    assert!(ids.contains(&fleet[0].id.as_str()) && ids.contains(&gone.id.as_str()));
    assert!(r.render().contains("plan again"));
}

// ---- the site-wide assignment -----------------------------------------------------------

/// A fixed camera with one stream.
fn camera(id: usize, w: u32, h: u32, fps: f64, codec: Codec) -> DeviceSnapshot {
    let mut s = DeviceSnapshot {
        id: format!("serial:CAM{id:05}"),
        xaddr: format!(
            "http://10.0.{}.{}/onvif/device_service",
            id / 250,
            id % 250 + 1
        ),
        identity: Identity {
            manufacturer: Some("HIKVISION".into()),
            model: Some("DS-2CD2043G2-I".into()),
            ..Default::default()
        },
        profiles: vec![MediaProfile {
            token: "Profile_1".into(),
            name: "main".into(),
            video_encoder: Some(VideoEncoder {
                token: "VE1".into(),
                encoding: Some(codec),
                width: Some(w),
                height: Some(h),
                frame_rate: Some(fps),
                bitrate_kbps: Some(4096),
                gov_length: Some(50),
                ..Default::default()
            }),
            ..Default::default()
        }],
        ..Default::default()
    };
    s.seal();
    s
}

fn approved(name: &str, max: Resolution, fps: f64, cost: f64) -> CatalogModel {
    CatalogModel {
        vendor: "Vendor".into(),
        model: name.into(),
        form_factor: Some(FormFactor::Bullet),
        max_resolution: max,
        max_fps: fps,
        codecs: vec![Codec::H264, Codec::H265],
        resolutions: default_ladder(max),
        ptz: None,
        edge_storage: true,
        onvif_profiles: vec!["S".into()],
        audio: true,
        country: None,
        source: None,
        verified: true,
        cost: Some(cost),
        quality_range: None,
        bitrate_range: None,
        gov_length_range: None,
        dynamic_recordings: None,
    }
}

/// The baseline: each camera in id order takes the cheapest model that fits and has stock.
fn greedy(
    snapshots: &[DeviceSnapshot],
    catalog: &Catalog,
    caps: &[Option<u64>],
    opts: &PlanOptions,
) -> (usize, f64) {
    let flags = testdata::flags_for(snapshots);
    let mut left: Vec<Option<u64>> = caps.to_vec();
    let mut sorted: Vec<&DeviceSnapshot> = snapshots
        .iter()
        .filter(|s| flags.contains_key(&s.id))
        .collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let (mut served, mut cost) = (0, 0.0);
    for s in sorted {
        let needs =
            super::requirements::derive(s, &flags[&s.id], catalog, &PlanOptions::default()).needs;
        let best = (0..catalog.models.len())
            .filter(|&j| {
                left[j] != Some(0) && super::matching::fits(&catalog.models[j], &needs, opts)
            })
            .min_by(|&a, &b| {
                catalog.models[a]
                    .cost
                    .unwrap_or(0.0)
                    .total_cmp(&catalog.models[b].cost.unwrap_or(0.0))
            });
        if let Some(j) = best {
            if let Some(n) = left[j].as_mut() {
                *n -= 1;
            }
            served += 1;
            cost += catalog.models[j].cost.unwrap_or(0.0);
        }
    }
    (served, cost)
}

fn plan_totals(p: &Plan, catalog: &Catalog) -> (usize, f64) {
    let mut served = 0;
    let mut cost = 0.0;
    for c in p.replaced() {
        let r = c.replacement.as_ref().unwrap();
        let m = catalog
            .models
            .iter()
            .find(|m| m.vendor == r.vendor && m.model == r.model)
            .unwrap();
        served += 1;
        cost += m.cost.unwrap_or(0.0);
    }
    (served, cost)
}

#[test]
fn greedy_strands_a_camera_that_the_site_wide_assignment_serves() {
    // The cheap 4K model fits both cameras but there is one; the 1080p model fits only the
    // 1080p camera. Greedy (id order) gives the 4K model to the 1080p camera first.
    let catalog = Catalog {
        example: false,
        models: vec![
            approved("CHEAP-4K", Resolution::new(3840, 2160), 30.0, 100.0),
            approved("FHD", Resolution::new(1920, 1080), 30.0, 200.0),
        ],
        references: vec![],
    };
    let stock = Stock::parse(
        "stock.toml",
        "[[stock]]\nmodel = \"CHEAP-4K\"\nunits = 1\n[[stock]]\nmodel = \"FHD\"\nunits = 1\n",
    )
    .unwrap();
    let cams = vec![
        camera(1, 1920, 1080, 25.0, Codec::H264),
        camera(2, 3840, 2160, 25.0, Codec::H264),
    ];
    let opts = PlanOptions::default();
    let caps = stock.capacities(&catalog).unwrap();
    assert_eq!(greedy(&cams, &catalog, &caps, &opts), (1, 100.0));
    let p = run(
        &cams,
        &catalog,
        Some(&stock),
        None,
        &opts,
        Inputs::default(),
    );
    assert_eq!(plan_totals(&p, &catalog), (2, 300.0));
    let model_of = |id: &str| {
        p.cameras
            .iter()
            .find(|c| c.old.id == id)
            .unwrap()
            .replacement
            .as_ref()
            .unwrap()
            .model
            .clone()
    };
    assert_eq!(model_of("serial:CAM00001"), "FHD");
    assert_eq!(model_of("serial:CAM00002"), "CHEAP-4K");
}

#[test]
fn among_equal_service_the_plan_is_cheapest() {
    let catalog = Catalog {
        example: false,
        models: vec![
            approved("A", Resolution::new(1920, 1080), 30.0, 300.0),
            approved("B", Resolution::new(1920, 1080), 30.0, 100.0),
        ],
        references: vec![],
    };
    let cams = vec![
        camera(1, 1920, 1080, 25.0, Codec::H264),
        camera(2, 1280, 720, 25.0, Codec::H264),
    ];
    let p = run(
        &cams,
        &catalog,
        None,
        None,
        &PlanOptions::default(),
        Inputs::default(),
    );
    assert_eq!(plan_totals(&p, &catalog), (2, 200.0));
    let opts = PlanOptions {
        preferred_vendor: Some("Other".into()),
        ..PlanOptions::default()
    };
    let mut with_vendor = catalog.clone();
    with_vendor.models[0].vendor = "Other".into();
    let p = run(&cams, &with_vendor, None, None, &opts, Inputs::default());
    assert_eq!(
        plan_totals(&p, &with_vendor),
        (2, 600.0),
        "a preferred vendor wins over price"
    );
}

// ---- properties ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct CamSpec {
    res: usize,
    fps: u8,
    h265: bool,
    presets: Option<u8>,
    active_recording: bool,
    audio: bool,
}

#[derive(Debug, Clone)]
struct ModelSpec {
    res: usize,
    fps: u8,
    h265: bool,
    max_presets: Option<u16>,
    edge: bool,
    audio: bool,
    cost: u16,
    units: Option<u8>,
}

const RES: &[(u32, u32)] = &[
    (1280, 720),
    (1920, 1080),
    (2560, 1440),
    (2688, 1520),
    (3840, 2160),
];
const FPS: &[f64] = &[15.0, 25.0, 30.0, 60.0];

fn cam_strategy() -> impl Strategy<Value = CamSpec> {
    (
        0..RES.len(),
        0..FPS.len(),
        any::<bool>(),
        proptest::option::of(1u8..12),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(res, fps, h265, presets, active_recording, audio)| CamSpec {
                res,
                fps: fps as u8,
                h265,
                presets,
                active_recording,
                audio,
            },
        )
}

fn model_strategy() -> impl Strategy<Value = ModelSpec> {
    (
        0..RES.len(),
        0..FPS.len(),
        any::<bool>(),
        proptest::option::of(1u16..12),
        any::<bool>(),
        any::<bool>(),
        0u16..1000,
        proptest::option::of(0u8..4),
    )
        .prop_map(
            |(res, fps, h265, max_presets, edge, audio, cost, units)| ModelSpec {
                res,
                fps: fps as u8,
                h265,
                max_presets,
                edge,
                audio,
                cost,
                units,
            },
        )
}

fn build_camera(i: usize, c: &CamSpec) -> DeviceSnapshot {
    let (w, h) = RES[c.res];
    let mut s = camera(
        i,
        w,
        h,
        FPS[c.fps as usize],
        if c.h265 { Codec::H265 } else { Codec::H264 },
    );
    if let Some(n) = c.presets {
        s.profiles[0].ptz_configuration = Some("ptz".into());
        s.ptz = Some(Ptz {
            nodes: vec![PtzNode {
                token: "node".into(),
                max_presets: 64,
                absolute_pan_tilt: vec![Space2d {
                    uri: GENERIC_PAN_TILT_SPACE.into(),
                    x: Range::new(-1.0, 1.0),
                    y: Range::new(-1.0, 1.0),
                }],
                ..Default::default()
            }],
            presets: (1..=u32::from(n))
                .map(|k| Preset {
                    profile_token: "Profile_1".into(),
                    token: k.to_string(),
                    name: Some(format!("View {k}")),
                    position: Some(PtzPosition {
                        pan_tilt: Some((
                            0.1 * f64::from(k) - 0.5,
                            0.2,
                            Some(GENERIC_PAN_TILT_SPACE.into()),
                        )),
                        zoom: Some((0.1, Some(GENERIC_ZOOM_SPACE.into()))),
                    }),
                })
                .collect(),
            ..Default::default()
        });
    }
    if c.active_recording {
        s.recording = Some(Recording {
            recordings: vec![RecordingItem {
                token: "rec".into(),
                ..Default::default()
            }],
            jobs: vec![RecordingJob {
                token: "job".into(),
                recording_token: "rec".into(),
                mode: "Active".into(),
                ..Default::default()
            }],
            ..Default::default()
        });
    }
    if c.audio {
        s.profiles[0].audio_encoder = Some(AudioEncoder {
            token: "a".into(),
            encoding: Some("G711".into()),
            ..Default::default()
        });
    }
    s.seal();
    s
}

fn build_catalog(models: &[ModelSpec]) -> (Catalog, Stock) {
    let mut out = Vec::new();
    let mut stock = String::new();
    for (i, m) in models.iter().enumerate() {
        let (w, h) = RES[m.res];
        let mut cm = approved(
            &format!("M{i:03}"),
            Resolution::new(w, h),
            FPS[m.fps as usize],
            f64::from(m.cost),
        );
        if !m.h265 {
            cm.codecs = vec![Codec::H264];
        }
        cm.edge_storage = m.edge;
        cm.audio = m.audio;
        cm.ptz = m.max_presets.map(|n| PtzSpec {
            max_presets: u32::from(n),
            ..PtzSpec::default_generic()
        });
        if let Some(u) = m.units {
            stock.push_str(&format!("[[stock]]\nmodel = \"M{i:03}\"\nunits = {u}\n"));
        } else {
            stock.push_str(&format!("[[stock]]\nmodel = \"M{i:03}\"\nunits = 1000\n"));
        }
        out.push(cm);
    }
    (
        Catalog {
            example: false,
            models: out,
            references: vec![],
        },
        Stock::parse("stock.toml", &stock).unwrap(),
    )
}

/// The hard constraints, checked from the raw snapshot and model (not through the planner's
/// own requirement code).
fn meets_hard_constraints(
    s: &DeviceSnapshot,
    m: &CatalogModel,
    tolerance: f64,
) -> Result<(), String> {
    let e = s.profiles[0].video_encoder.as_ref().unwrap();
    let used = u64::from(e.width.unwrap()) * u64::from(e.height.unwrap());
    if (m.max_resolution.pixels() as f64) < used as f64 * (1.0 - tolerance) {
        return Err(format!("resolution {} < {used}", m.max_resolution));
    }
    if m.max_fps < e.frame_rate.unwrap() {
        return Err("fps".into());
    }
    if !m.codecs.contains(e.encoding.as_ref().unwrap()) {
        return Err("codec".into());
    }
    if let Some(p) = &s.ptz {
        match &m.ptz {
            None => return Err("ptz".into()),
            Some(spec) if (spec.max_presets as usize) < p.presets.len() => {
                return Err("presets".into());
            }
            _ => {}
        }
    }
    if s.recording.is_some() && !m.edge_storage {
        return Err("edge storage".into());
    }
    // Audio is only a preference here: no generated recording has an audio track.
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn stock_never_exceeded_and_every_assignment_meets_the_hard_constraints(
        cams in proptest::collection::vec(cam_strategy(), 1..40),
        models in proptest::collection::vec(model_strategy(), 1..8),
    ) {
        let snapshots: Vec<DeviceSnapshot> = cams.iter().enumerate().map(|(i, c)| build_camera(i, c)).collect();
        let (catalog, stock) = build_catalog(&models);
        let opts = PlanOptions::default();
        let p = run(&snapshots, &catalog, Some(&stock), None, &opts, Inputs::default());
        let caps = stock.capacities(&catalog).unwrap();
        let mut used = vec![0u64; catalog.models.len()];
        for c in &p.cameras {
            let s = snapshots.iter().find(|s| s.id == c.old.id).unwrap();
            if let Some(r) = &c.replacement {
                let j = catalog.models.iter().position(|m| m.model == r.model).unwrap();
                used[j] += 1;
                prop_assert!(meets_hard_constraints(s, &catalog.models[j], opts.resolution_tolerance).is_ok(),
                    "{} on {}: {:?}", c.old.id, r.model, meets_hard_constraints(s, &catalog.models[j], opts.resolution_tolerance));
            }
        }
        for (j, u) in used.iter().enumerate() {
            prop_assert!(*u <= caps[j].unwrap(), "model {j}: {u} > {:?}", caps[j]);
        }
        // Never worse than greedy: at least as many served, and no dearer when equal.
        let (gs, gc) = greedy(&snapshots, &catalog, &caps, &opts);
        let (ps, pc) = plan_totals(&p, &catalog);
        prop_assert!(ps >= gs, "served {ps} < greedy {gs}");
        if ps == gs {
            prop_assert!(pc <= gc + 1e-9, "cost {pc} > greedy {gc}");
        }
    }

    #[test]
    fn same_inputs_same_plan_bytes_and_fingerprint_in_any_order(
        cams in proptest::collection::vec(cam_strategy(), 1..25),
        models in proptest::collection::vec(model_strategy(), 1..6),
        seed in any::<u64>(),
    ) {
        use rand::seq::SliceRandom;
        use rand::SeedableRng;
        let snapshots: Vec<DeviceSnapshot> = cams.iter().enumerate().map(|(i, c)| build_camera(i, c)).collect();
        let (catalog, stock) = build_catalog(&models);
        let opts = PlanOptions::default();
        let a = run(&snapshots, &catalog, Some(&stock), None, &opts, Inputs::default());
        let again = run(&snapshots, &catalog, Some(&stock), None, &opts, Inputs::default());
        prop_assert_eq!(a.to_json(), again.to_json());
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let mut shuffled = snapshots.clone();
        shuffled.shuffle(&mut rng);
        let mut stock_rows = stock.clone();
        stock_rows.entries.shuffle(&mut rng);
        let b = run(&shuffled, &catalog, Some(&stock_rows), None, &opts, Inputs::default());
        prop_assert_eq!(&a.fingerprint, &b.fingerprint);
        prop_assert_eq!(a.to_json(), b.to_json());
    }
}

#[test]
fn translated_ptz_preset_on_the_axis_uses_degrees_and_keeps_direction() {
    // The fleet's Hikvision PTZ "Gate" preset (pan 90°, 30° down, 20° wide), on whatever PTZ the
    // plan picks: Axis in degrees, i-PRO in generic coordinates, both the same direction.
    let catalog = Catalog::example();
    let only = |name: &str| {
        let mut c = catalog.clone();
        c.models.retain(|m| m.name() == name);
        c
    };
    for (name, space) in [
        ("Axis Q6135-LE", SPHERICAL_SPACE),
        ("i-PRO WV-X6533LN", GENERIC_PAN_TILT_SPACE),
    ] {
        let c = only(name);
        let p = run(
            &[testdata::hikvision_ptz()],
            &c,
            None,
            None,
            &PlanOptions::default(),
            Inputs::default(),
        );
        let gate = p.cameras[0]
            .steps
            .iter()
            .find_map(|s| match s {
                Step::SetPreset {
                    name,
                    target,
                    re_aim,
                    direction,
                    ..
                } if name == "Gate" => Some((target.clone(), *re_aim, direction.clone())),
                _ => None,
            })
            .unwrap();
        assert!(!gate.1, "{name}");
        let d = gate.2.unwrap();
        assert!((d.pan.unwrap() - 90.0).abs() < 0.01 && (d.elevation.unwrap() + 30.0).abs() < 0.01);
        assert!((d.hfov.unwrap() - 20.0).abs() < 0.01);
        assert_eq!(gate.0.unwrap().pan_tilt.unwrap().space, space);
    }
}

/// `camswap plan -o` writes plan.json camera by camera (each translated, written, dropped) and
/// hashes the fingerprint on the way: the file must be byte for byte what serde_json's pretty
/// printer makes of the whole plan in memory (the golden fixture, for the fleet), with the
/// fingerprint `plan --check` and `apply --expect-plan` recompute, including the site warning
/// that lists cameras with errors, which is written before any camera is.
#[test]
fn plan_json_streamed_camera_by_camera_is_the_in_memory_plan_byte_for_byte() {
    use crate::model::{VendorAnswer, VendorProtocol};
    fn streamed(input: &PlanInput<'_>) -> (String, Written) {
        let (header, cameras) = super::stream(input);
        let mut file = std::io::Cursor::new(Vec::new());
        let written = write_streamed(&header, cameras, &mut file).unwrap();
        (String::from_utf8(file.into_inner()).unwrap(), written)
    }
    fn check(
        snapshots: &[DeviceSnapshot],
        stock: Option<&Stock>,
        rollout: Option<&Rollout>,
        options: &PlanOptions,
        inputs: Inputs,
    ) -> (Plan, String) {
        let flagged = testdata::flags_for(snapshots);
        let catalog = Catalog::example();
        let input = PlanInput {
            snapshots,
            flagged: &flagged,
            catalog: &catalog,
            stock,
            rollout,
            options,
            inputs,
            sha256_checked: false,
            threads: 0,
        };
        let p = plan(&input);
        let (text, written) = streamed(&input);
        assert_eq!(text, p.to_json());
        assert_eq!(written.fingerprint, p.fingerprint);
        assert_eq!(written.cameras, p.cameras.len());
        assert_eq!(written.replaced, p.replaced().count());
        let back: Plan = serde_json::from_str(&text).unwrap();
        back.check_fingerprint().unwrap();
        (p, text)
    }

    // The golden fixtures, made in memory, are what the stream writes.
    let stock = Stock::parse("stock.toml", SITE_STOCK).unwrap();
    let rollout = Rollout::parse("rollout.toml", SITE_ROLLOUT).unwrap();
    let (_, text) = check(
        &testdata::fleet(),
        None,
        None,
        &PlanOptions::default(),
        fleet_inputs(false, false),
    );
    assert_eq!(
        text,
        std::fs::read_to_string(fixture_path("fleet.plan.json")).unwrap()
    );
    let (p, text) = check(
        &testdata::fleet(),
        Some(&stock),
        Some(&rollout),
        &PlanOptions::default(),
        fleet_inputs(true, true),
    );
    assert_eq!(
        text,
        std::fs::read_to_string(fixture_path("fleet-site.plan.json")).unwrap()
    );
    assert!(p.cameras.iter().any(|c| c.out_of_stock.is_some()));

    // Cameras with errors: a gateway off the subnet, a factory hostname the template cannot
    // fill (no site scope) after one it can (the template's count runs through both passes),
    // and a camera with ONVIF off.
    let mut fleet = testdata::fleet();
    fleet[0].network.default_gateway = vec!["192.168.1.1".into()];
    fleet[1].network.hostname.as_mut().unwrap().name = Some("IPCamera".into());
    fleet[2].network.hostname.as_mut().unwrap().name = Some("IPC".into());
    fleet[2].scopes.clear();
    let mut off = testdata::hikvision_fixed();
    off.id = "serial:ONVIF-OFF".into();
    off.unauthenticated.vendor_discovery.push(VendorAnswer {
        protocol: Some(VendorProtocol::Sadp),
        model: Some("DS-2CD2143G2-I".into()),
        onvif: Some(false),
        ..Default::default()
    });
    fleet.push(off);
    let options = PlanOptions {
        hostname_template: Some("{site}-{n}".into()),
        ..PlanOptions::default()
    };
    let (p, _) = check(&fleet, None, None, &options, fleet_inputs(false, false));
    let erring: Vec<&str> = p
        .cameras
        .iter()
        .filter(|c| !c.errors.is_empty())
        .map(|c| c.old.id.as_str())
        .collect();
    assert_eq!(
        erring,
        [
            "serial:DS-2CD2143G2-I20230101AAWRJ00000001",
            "serial:DS-2DE4425IW-DE20220505CCWRF00000002",
            "serial:ONVIF-OFF"
        ]
    );
    assert!(
        p.warnings.iter().any(|w| w
            == "3 cameras have errors that apply will refuse until fixed: serial:DS-2CD2143G2-I20230101AAWRJ00000001, serial:DS-2DE4425IW-DE20220505CCWRF00000002, serial:ONVIF-OFF"),
        "{:?}",
        p.warnings
    );
    // The Amcrest (site south) was named from the template: the count the header's pass ran
    // through did not leak into the cameras'.
    let amcrest = p
        .cameras
        .iter()
        .find(|c| c.old.id.starts_with("serial:AMC"))
        .unwrap();
    assert!(
        amcrest
            .steps
            .iter()
            .any(|s| matches!(s, Step::SetNetwork { hostname: Some(h), .. } if h == "south-1")),
        "{:?}",
        amcrest.steps.last()
    );
}

/// The digest serialises borrowed fields instead of a cleared copy: the same bytes as the
/// copy (the definition: the snapshot with `sha256` empty, `observed` at its default and
/// `unauthenticated` empty) on snapshots with every optional part present. (Here rather than
/// beside `DeviceSnapshot::digest`: the model may not use the planner's test fleet.)
#[test]
fn digest_is_the_cleared_copy_s_sha256() {
    let by_copy = |s: &DeviceSnapshot| {
        let mut copy = s.clone();
        copy.sha256.clear();
        copy.observed = Observed::default();
        copy.unauthenticated = Unauthenticated::default();
        use sha2::Digest as _;
        hex(&sha2::Sha256::digest(serde_json::to_vec(&copy).unwrap()))
    };
    for mut s in testdata::fleet() {
        s.sha256 = "stale".into();
        s.endpoint = Some("10.0.0.1:80".into());
        s.observed.clock_offset_s = Some(3);
        s.unauthenticated.vendor_discovery.push(VendorAnswer {
            model: Some("X".into()),
            ..Default::default()
        });
        s.errors.push(ReadError::default());
        assert_eq!(s.digest(), by_copy(&s), "{}", s.id);
    }
}

/// The plan made on several threads is the plan made on one, byte for byte, in memory and
/// streamed: a site big enough to be cut into parts (660 cameras: three of the stream's
/// batches, two parts of each site-wide map), with stock that runs out, waves, hostnames from the template (a counter
/// that runs through the cameras in order), factory hostnames the template cannot fill,
/// gateways off the subnet and a camera with ONVIF off.
#[test]
fn a_plan_made_on_many_threads_is_the_plan_made_on_one() {
    use crate::model::{VendorAnswer, VendorProtocol};
    let mut site = Vec::new();
    for k in 0..110 {
        for (n, mut s) in testdata::fleet().into_iter().enumerate() {
            s.id = format!("{}-{k:03}", s.id);
            s.identity.serial_number = Some(format!("SITE{k:03}{n}"));
            if k % 7 == 0 {
                s.network.hostname.as_mut().unwrap().name = Some("IPCamera".into());
            }
            if k % 11 == 0 {
                s.scopes.clear();
            }
            if k % 5 == 0 {
                // Off the camera's subnet: an error in the network step, wherever it is planned.
                s.network.default_gateway = vec!["192.168.1.1".into()];
            }
            if k == 123 && n == 0 {
                s.unauthenticated.vendor_discovery.push(VendorAnswer {
                    protocol: Some(VendorProtocol::Sadp),
                    model: Some("DS-2CD2143G2-I".into()),
                    onvif: Some(false),
                    ..Default::default()
                });
            }
            s.seal();
            site.push(s);
        }
    }
    assert!(site.len() > 512, "{}", site.len());
    let flagged = testdata::flags_for(&site);
    let catalog = Catalog::example();
    let stock = Stock::parse(
        "stock.toml",
        "[[stock]]\nmodel = \"Q6135-LE\"\nunits = 40\n\n[[stock]]\nmodel = \"XNO-8080R\"\nunits = 10\n",
    )
    .unwrap();
    let rollout = Rollout::parse("rollout.toml", SITE_ROLLOUT).unwrap();
    let options = PlanOptions {
        hostname_template: Some("{site}-{n}".into()),
        ..PlanOptions::default()
    };
    let made = |threads: usize, sha256_checked: bool| {
        let input = PlanInput {
            snapshots: &site,
            flagged: &flagged,
            catalog: &catalog,
            stock: Some(&stock),
            rollout: Some(&rollout),
            options: &options,
            inputs: fleet_inputs(true, true),
            sha256_checked,
            threads,
        };
        let p = plan(&input);
        let (header, cameras) = super::stream(&input);
        let mut file = std::io::Cursor::new(Vec::new());
        let written = write_streamed(&header, cameras, &mut file).unwrap();
        (p, String::from_utf8(file.into_inner()).unwrap(), written)
    };
    let (one, one_text, one_written) = made(1, false);
    // The site really exercises what the threads share: stock runs out, the template names
    // cameras, some cannot be named.
    assert!(one.cameras.iter().any(|c| c.out_of_stock.is_some()));
    assert!(one.cameras.iter().any(|c| !c.errors.is_empty()));
    assert_eq!(one_text, one.to_json());
    assert_eq!(one_written.fingerprint, one.fingerprint);
    for (threads, checked) in [(2, false), (3, true), (8, false)] {
        let (p, text, written) = made(threads, checked);
        assert_eq!(p.fingerprint, one.fingerprint, "{threads} threads");
        assert!(
            p.to_json() == one.to_json(),
            "{threads} threads: plan() differs"
        );
        assert!(
            text == one_text,
            "{threads} threads: plan.json streamed differs"
        );
        assert_eq!(written, one_written, "{threads} threads");
    }
}

/// An inventory's hashes are checked when it is read, so the plan takes each snapshot's
/// `sha256` as it is when told so, and hashes the content itself otherwise (a library
/// caller's snapshot edited after it was sealed is recorded as what it now is).
#[test]
fn a_snapshot_s_sha256_is_taken_as_is_only_when_the_caller_checked_it() {
    let mut site = testdata::fleet();
    for s in &mut site {
        s.seal();
    }
    site[0].users.clear();
    let stale = site[0].sha256.clone();
    let fresh = site[0].digest();
    assert_ne!(stale, fresh);
    let flagged = testdata::flags_for(&site);
    let catalog = Catalog::example();
    let options = PlanOptions::default();
    let recorded = |sha256_checked| {
        let p = plan(&PlanInput {
            snapshots: &site,
            flagged: &flagged,
            catalog: &catalog,
            stock: None,
            rollout: None,
            options: &options,
            inputs: Inputs::default(),
            sha256_checked,
            threads: 1,
        });
        p.cameras
            .iter()
            .find(|c| c.old.id == site[0].id)
            .unwrap()
            .old
            .sha256
            .clone()
    };
    assert_eq!(recorded(false), fresh);
    assert_eq!(recorded(true), stale);
}

/// Classes offered the same models at the same costs share one node of the flow, and within it
/// earlier waves take the cheaper model first: the fleet's two PTZ cameras (different needs,
/// the same offer: the two PTZ models with one unit each) get the same two models whichever
/// of them is in the earlier wave, the earlier one always the same model. Before, the flow
/// split them between their classes in whatever way it found first.
#[test]
fn cameras_offered_the_same_models_at_the_same_costs_are_served_in_wave_order() {
    let fleet = testdata::fleet();
    let catalog = Catalog::example();
    let stock = Stock::parse("stock.toml", SITE_STOCK).unwrap();
    let ptz: Vec<&str> = fleet
        .iter()
        .filter(|s| s.ptz.is_some())
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(ptz.len(), 2, "{ptz:?}");
    let models_with_first = |first: &str| -> (String, String) {
        let rollout = Rollout::parse(
            "rollout.toml",
            &format!("[[wave]]\nname = \"first\"\nselect = {{ id = [\"{first}\"] }}\n"),
        )
        .unwrap();
        let p = run(
            &fleet,
            &catalog,
            Some(&stock),
            Some(&rollout),
            &PlanOptions::default(),
            Inputs::default(),
        );
        let model = |id: &str| {
            let c = p.cameras.iter().find(|c| c.old.id == id).unwrap();
            assert_eq!(
                c.wave.as_deref(),
                Some(if id == first { "first" } else { "remaining" })
            );
            c.replacement.as_ref().unwrap().model.clone()
        };
        let other = ptz.iter().find(|&&id| id != first).unwrap();
        (model(first), model(other))
    };
    let (a_first, b_second) = models_with_first(ptz[0]);
    let (b_first, a_second) = models_with_first(ptz[1]);
    assert_ne!(a_first, b_second);
    assert_eq!(a_first, b_first, "the earlier wave gets the same model");
    assert_eq!(b_second, a_second);
}
