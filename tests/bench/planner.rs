//! Planner benchmark: a synthetic site of N flagged cameras against 500 catalogue models, every
//! model stock-limited. Prints the wall time of writing plan.json as `camswap plan -o` does
//! (the site-wide part, then camera by camera streamed through the atomic writer to a
//! temporary directory), of `plan()` making the same plan in memory (the dry run's path), and
//! each one's peak resident memory (VmHWM, reset before each), for a 10,000-camera baseline and
//! 100,000 cameras in the same run, so the ratio compares like with like.
//!
//! Run: `cargo bench --bench planner` (release build). The fleet is seeded, so every run plans
//! the same site. `CAMSWAP_BENCH_CAMERAS=N` runs one size only (for `valgrind --tool=callgrind`);
//! `CAMSWAP_BENCH_THREADS=N` plans on N threads (default: every core).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use camswap::files::Sink;
use camswap::inventory::DeviceSnapshot;
use camswap::model::*;
use camswap::planner::catalog::{
    Catalog, CatalogModel, FormFactor, PtzSpec, Resolution, default_ladder,
};
use camswap::planner::plan::write_streamed;
use camswap::planner::ptz::{GENERIC_PAN_TILT_SPACE, GENERIC_ZOOM_SPACE};
use camswap::planner::stock::{Stock, StockEntry};
use camswap::planner::{Flag, Inputs, PlanInput, PlanOptions, plan, requirements};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const MAIN: &[((u32, u32), u32)] = &[
    ((1920, 1080), 40),
    ((2688, 1520), 25),
    ((2560, 1440), 10),
    ((3840, 2160), 10),
    ((1280, 720), 10),
    ((2592, 1944), 5),
];
const FPS: &[f64] = &[15.0, 20.0, 25.0, 30.0];
const MODELS: &[&str] = &[
    "DS-2CD2143G2-I",
    "DS-2CD2043G2-I",
    "DS-2CD2343G2-I",
    "IPC-HFW2431S-S",
    "IPC-HDW2431T-AS",
    "IPC-HDBW2431E-S",
];

fn pick<T: Copy>(rng: &mut StdRng, weighted: &[(T, u32)]) -> T {
    let total: u32 = weighted.iter().map(|w| w.1).sum();
    let mut r = rng.gen_range(0..total);
    for (v, w) in weighted {
        if r < *w {
            return *v;
        }
        r -= w;
    }
    weighted[0].0
}

fn encoder(token: &str, codec: Codec, (w, h): (u32, u32), fps: f64, kbps: u32) -> MediaProfile {
    MediaProfile {
        token: token.into(),
        name: token.into(),
        video_encoder: Some(VideoEncoder {
            token: format!("VE_{token}"),
            encoding: Some(codec),
            width: Some(w),
            height: Some(h),
            frame_rate: Some(fps),
            bitrate_kbps: Some(kbps),
            gov_length: Some((fps * 2.0) as u32),
            quality: Some(4.0),
            ..Default::default()
        }),
        encoder_options: vec![EncoderOptions {
            encoding: Some(Codec::H264),
            quality_range: Some(Range::new(1.0, 6.0)),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn camera(rng: &mut StdRng, i: usize) -> DeviceSnapshot {
    let ptz = rng.gen_bool(0.05);
    let fps = FPS[rng.gen_range(0..FPS.len())];
    let codec = if rng.gen_bool(0.3) {
        Codec::H265
    } else {
        Codec::H264
    };
    let res = if ptz { (1920, 1080) } else { pick(rng, MAIN) };
    let mut main = encoder("Profile_1", codec, res, fps, 4096);
    if rng.gen_bool(0.2) {
        main.audio_encoder = Some(AudioEncoder {
            token: "a0".into(),
            encoding: Some("G711".into()),
            bitrate_kbps: Some(64),
            sample_rate_khz: Some(8),
            ..Default::default()
        });
    }
    let ip = format!("10.{}.{}.{}", i / 65_536, (i / 256) % 256, i % 256);
    let mut s = DeviceSnapshot {
        id: format!("serial:BENCH{i:07}"),
        xaddr: format!("http://{ip}/onvif/device_service"),
        identity: Identity {
            manufacturer: Some(if i % 2 == 0 { "HIKVISION" } else { "Dahua" }.into()),
            model: Some(
                if ptz {
                    "DS-2DE4425IW-DE"
                } else {
                    MODELS[i % MODELS.len()]
                }
                .into(),
            ),
            serial_number: Some(format!("BENCH{i:07}")),
            ..Default::default()
        },
        network: Network {
            interfaces: vec![NetworkInterface {
                token: "eth0".into(),
                enabled: true,
                mac: Some(format!(
                    "44:19:b6:{:02x}:{:02x}:{:02x}",
                    i >> 16 & 0xff,
                    i >> 8 & 0xff,
                    i & 0xff
                )),
                ipv4: Some(Ipv4Config {
                    enabled: true,
                    dhcp: false,
                    address: Some(ip),
                    prefix_length: Some(16),
                }),
                ..Default::default()
            }],
            default_gateway: vec!["10.0.0.1".into()],
            hostname: Some(Hostname {
                name: Some(format!("cam-{i}")),
                from_dhcp: false,
            }),
            ..Default::default()
        },
        users: vec![
            User {
                username: "admin".into(),
                level: "Administrator".into(),
            },
            User {
                username: "vms".into(),
                level: "Operator".into(),
            },
        ],
        profiles: vec![
            main,
            encoder("Profile_2", Codec::H264, (640, 360), 15.0, 512),
        ],
        ..Default::default()
    };
    if ptz {
        s.profiles[0].ptz_configuration = Some("PTZToken".into());
        let n = rng.gen_range(1..=20u32);
        s.ptz = Some(Ptz {
            nodes: vec![PtzNode {
                token: "node".into(),
                max_presets: 300,
                home_supported: true,
                absolute_pan_tilt: vec![Space2d {
                    uri: GENERIC_PAN_TILT_SPACE.into(),
                    x: Range::new(-1.0, 1.0),
                    y: Range::new(-1.0, 1.0),
                }],
                absolute_zoom: vec![Space1d {
                    uri: GENERIC_ZOOM_SPACE.into(),
                    x: Range::new(0.0, 1.0),
                }],
                ..Default::default()
            }],
            presets: (1..=n)
                .map(|k| Preset {
                    profile_token: "Profile_1".into(),
                    token: k.to_string(),
                    name: Some(format!("View {k}")),
                    position: Some(PtzPosition {
                        pan_tilt: Some((
                            rng.gen_range(-1.0..1.0),
                            rng.gen_range(-1.0..1.0),
                            Some(GENERIC_PAN_TILT_SPACE.into()),
                        )),
                        zoom: Some((rng.gen_range(0.0..0.7), Some(GENERIC_ZOOM_SPACE.into()))),
                    }),
                })
                .collect(),
            ..Default::default()
        });
    }
    if rng.gen_bool(0.3) {
        s.recording = Some(Recording {
            recordings: vec![RecordingItem {
                token: "rec0".into(),
                max_retention: Some("P30D".into()),
                tracks: vec![Track {
                    token: "v0".into(),
                    kind: "Video".into(),
                    description: String::new(),
                }],
                ..Default::default()
            }],
            jobs: vec![RecordingJob {
                token: "job0".into(),
                recording_token: "rec0".into(),
                mode: "Active".into(),
                priority: 1,
                sources: vec![RecordingJobSource {
                    source_token: Some("Profile_1".into()),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        });
    }
    s.seal();
    s
}

fn catalog(rng: &mut StdRng) -> (Catalog, Stock) {
    const RES: &[(u32, u32)] = &[
        (1920, 1080),
        (2560, 1440),
        (2688, 1520),
        (3072, 1728),
        (3840, 2160),
        (2560, 1920),
        (2592, 1944),
    ];
    const FORMS: &[FormFactor] = &[FormFactor::Bullet, FormFactor::Dome, FormFactor::Turret];
    let mut models = Vec::new();
    let mut entries = Vec::new();
    for i in 0..500 {
        let is_ptz = i % 8 == 0;
        let (w, h) = if is_ptz {
            (1920, 1080)
        } else {
            RES[rng.gen_range(0..RES.len())]
        };
        let max = Resolution::new(w, h);
        let mut codecs = vec![Codec::H264];
        if rng.gen_bool(0.85) {
            codecs.push(Codec::H265);
        }
        models.push(CatalogModel {
            vendor: format!("Vendor{:02}", i % 20),
            model: format!("M-{i:03}"),
            form_factor: Some(if is_ptz {
                FormFactor::Ptz
            } else {
                FORMS[rng.gen_range(0..FORMS.len())]
            }),
            max_resolution: max,
            max_fps: if rng.gen_bool(0.5) { 30.0 } else { 60.0 },
            codecs,
            resolutions: default_ladder(max),
            ptz: is_ptz.then(|| PtzSpec {
                pan_range: Some(Range::new(-180.0, 180.0)),
                tilt_range: Some(Range::new(-90.0, 20.0)),
                optical_zoom: Some(f64::from(rng.gen_range(20..41u32))),
                hfov_wide: Some(58.0),
                max_presets: 256,
                spherical_space: rng.gen_bool(0.5),
                ..PtzSpec::default_generic()
            }),
            edge_storage: rng.gen_bool(0.8),
            onvif_profiles: vec!["S".into(), "T".into()],
            audio: rng.gen_bool(0.6),
            country: None,
            source: None,
            verified: false,
            cost: Some(f64::from(rng.gen_range(200..3000u32))),
            quality_range: None,
            bitrate_range: None,
            gov_length_range: None,
            dynamic_recordings: None,
        });
        entries.push(StockEntry {
            model: format!("M-{i:03}"),
            vendor: None,
            units: rng.gen_range(0..400),
            line: i + 1,
            column: 1,
        });
    }
    models.sort_by_key(|m| (m.vendor.to_lowercase(), m.model.to_lowercase()));
    (
        Catalog {
            example: false,
            models,
            references: vec![],
        },
        Stock {
            file: "stock.toml".into(),
            entries,
        },
    )
}

/// `CAMSWAP_BENCH_THREADS=N` plans on N threads (default: every core).
fn threads() -> usize {
    std::env::var("CAMSWAP_BENCH_THREADS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets the process's peak resident memory (VmHWM) to what it holds now, so each phase's peak
/// is its own (Linux: `echo 5 > /proc/PID/clear_refs`). False when the kernel refuses.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("?".into(), |k| format!("{:.0}", k as f64 / 1024.0))
}

struct Row {
    cameras: usize,
    classes: usize,
    plan_ms: f64,
    total_ms: f64,
    peak_kib: Option<u64>,
}

fn run(n: usize, catalog: &Catalog, stock: &Stock) -> Row {
    let mut rng = StdRng::seed_from_u64(0x0CA7_50A9 + n as u64);
    let fleet: Vec<DeviceSnapshot> = (0..n).map(|i| camera(&mut rng, i)).collect();
    let flagged: BTreeMap<String, Flag> = fleet
        .iter()
        .map(|s| {
            (
                s.id.clone(),
                Flag {
                    verdict: "banned".into(),
                    company: None,
                    confidence: 0.9,
                },
            )
        })
        .collect();
    let options = PlanOptions::default();
    let input = PlanInput {
        snapshots: &fleet,
        flagged: &flagged,
        catalog,
        stock: Some(stock),
        rollout: None,
        options: &options,
        inputs: Inputs::default(),
        sha256_checked: true,
        threads: threads(),
    };
    let held_kib = status_kib("VmRSS:");

    // plan.json as `camswap plan -o` writes it: the site-wide part (requirements, the
    // assignment under stock, waves), then each camera translated and streamed through the
    // atomic writer (temporary file, fsync, rename) with the fingerprint hashed on the way.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("plan.json");
    let reset = reset_peak();
    let start = Instant::now();
    let mut site_ms = 0.0;
    let mut written = None;
    camswap::files::write_atomic_to(&path, |sink| match sink {
        Sink::File(w) => {
            let (header, cameras) = camswap::planner::stream(&input);
            site_ms = start.elapsed().as_secs_f64() * 1000.0;
            written = Some(write_streamed(&header, cameras, w)?);
            Ok(())
        }
        Sink::Stream(_) => unreachable!("a temporary folder's file"),
    })
    .expect("plan.json written");
    let total_ms = start.elapsed().as_secs_f64() * 1000.0;
    let peak_kib = status_kib("VmHWM:");
    let json_bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
    let written = written.expect("plan.json written");

    // The same plan in memory, as the dry run makes it (and as plan.json was made before it
    // was streamed).
    reset_peak();
    let start = Instant::now();
    let p = plan(&input);
    let plan_ms = start.elapsed().as_secs_f64() * 1000.0;
    let plan_peak_kib = status_kib("VmHWM:");
    assert_eq!(p.fingerprint, written.fingerprint, "streamed = in memory");
    // Requirement classes exactly as the planner groups cameras (distinct needs).
    let classes: BTreeSet<_> = fleet
        .iter()
        .map(|s| requirements::derive(s, &flagged[&s.id], catalog, &options).needs)
        .collect();
    let served = p.cameras.iter().filter(|c| c.replacement.is_some()).count();
    let stock_out = p
        .cameras
        .iter()
        .filter(|c| c.out_of_stock.is_some())
        .count();
    let none = p
        .cameras
        .iter()
        .filter(|c| c.no_suitable_model.is_some())
        .count();
    println!(
        "{n:>8} {:>8} {served:>8} {stock_out:>8} {none:>8} {site_ms:>8.0} {total_ms:>10.0} {:>9.1} {:>8} {:>9} {plan_ms:>9.0} {:>9}",
        classes.len(),
        json_bytes as f64 / 1_048_576.0,
        mib(held_kib),
        if reset { mib(peak_kib) } else { "?".into() },
        if reset {
            mib(plan_peak_kib)
        } else {
            "?".into()
        },
    );
    Row {
        cameras: n,
        classes: classes.len(),
        plan_ms,
        total_ms,
        peak_kib: peak_kib.filter(|_| reset),
    }
}

fn main() {
    let mut rng = StdRng::seed_from_u64(500);
    let (catalog, stock) = catalog(&mut rng);
    let units: u64 = stock.entries.iter().map(|e| e.units).sum();
    println!(
        "planner benchmark: 500 catalogue models, every one stock-limited ({units} units in all)"
    );
    println!(
        "{:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>10} {:>9} {:>8} {:>9} {:>9} {:>9}",
        "cameras",
        "classes",
        "served",
        "no-stock",
        "no-model",
        "site ms",
        "-o ms",
        "file MiB",
        "held MiB",
        "-o peak",
        "plan() ms",
        "plan peak"
    );
    // One size alone (`CAMSWAP_BENCH_CAMERAS=2000`), for a profiler's instruction counts.
    if let Some(n) = std::env::var("CAMSWAP_BENCH_CAMERAS")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        run(n, &catalog, &stock);
        return;
    }
    let base = run(10_000, &catalog, &stock);
    let big = run(100_000, &catalog, &stock);
    println!(
        "ratio {}k/{}k: {:.1}x cameras, {:.1}x classes, {:.1}x plan.json streamed (-o), {:.1}x plan() in memory, {} peak memory of -o",
        big.cameras / 1000,
        base.cameras / 1000,
        big.cameras as f64 / base.cameras as f64,
        big.classes as f64 / base.classes.max(1) as f64,
        big.total_ms / base.total_ms,
        big.plan_ms / base.plan_ms,
        match (big.peak_kib, base.peak_kib) {
            (Some(b), Some(s)) => format!("{:.1}x", b as f64 / s as f64),
            _ => "?".into(),
        }
    );
    println!(
        "-o ms: `camswap plan -o plan.json` as the CLI runs it (site-wide part = site ms, then each camera translated and streamed, atomic, fsync'd). Peaks are VmHWM reset before each phase; they include the generated inventory held in memory (held MiB)"
    );
}
