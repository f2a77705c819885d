//! Apply throughput: `cargo bench --bench apply`.
//!
//! Starts an in-process fleet of factory-default AXIS P3265-LVE units (the technician's swap
//! done) and applies one plan per camera through the real executor, at concurrency 32, twice
//! in one process: 100 cameras (the baseline), then 1,000 (`CAMSWAP_BENCH_DEVICES` to change).
//! Each camera is onboarded (CreateUsers from `[new]`), gets DNS, NTP, scopes, two profiles with
//! their encoders (fitted to the encoder's options), and is moved onto a new address, followed
//! there and checked again; every step is read back and journaled (fsync per record). Prints
//! wall time, cameras and ONVIF calls per second (the executor's own count of calls sent), and
//! peak memory (VmHWM). Then the same cameras are inventoried (the reads of `camswap
//! inventory`, concurrency 32) in the same process, and the ratio of apply's call rate to the
//! inventory's is printed: the target, measured under the same load. The fleet runs
//! in this process and shares the CPU, so the figures are a floor for the client alone; quote
//! the ratios. `CAMSWAP_BENCH_TRACE=1` prints every camera's progress with a timestamp.

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use camswap::credentials::{Credentials, Login, Secret};
use camswap::inventory::reader::{ReadOptions, Target, read_all};
use camswap::migrate::apply::{self, Assign, Run, Settings};
use camswap::migrate::device::Connect;
use camswap::migrate::journal::Journal;
use camswap::planner::plan::{CameraPlan, EncoderValues, MediaApi, Plan, Step};
use mock_devices::{DeviceSpec, Fleet, FleetSpec, Persona};

fn status_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn encoder(width: u32, height: u32, fps: f64, kbps: u32) -> EncoderValues {
    EncoderValues {
        encoding: Some("H264".into()),
        width: Some(width),
        height: Some(height),
        frame_rate: Some(fps),
        bitrate_kbps: Some(kbps),
        gov_length: Some(32),
        ..EncoderValues::default()
    }
}

/// One camera's plan: the steps `camswap plan` emits for a fixed camera.
fn camera(i: usize, target: Ipv4Addr) -> CameraPlan {
    let steps = vec![
        Step::CreateUser {
            username: "admin".into(),
            level: "Administrator".into(),
        },
        Step::SetDns {
            from_dhcp: false,
            search_domains: vec!["site.example".into()],
            servers: vec!["10.20.0.53".into()],
        },
        Step::SetNtp {
            from_dhcp: false,
            servers: vec!["10.20.0.123".into()],
        },
        Step::SetScopes {
            scopes: vec!["onvif://www.onvif.org/location/building/north".into()],
        },
        Step::CreateProfile {
            key: "101".into(),
            name: "Main".into(),
            service: MediaApi::Media,
            ptz: false,
            audio: None,
        },
        Step::SetVideoEncoder {
            profile: "101".into(),
            service: MediaApi::Media,
            old: EncoderValues::default(),
            new: encoder(1920, 1080, 25.0, 4096),
            notes: Vec::new(),
        },
        Step::CreateProfile {
            key: "102".into(),
            name: "Sub".into(),
            service: MediaApi::Media,
            ptz: false,
            audio: None,
        },
        Step::SetVideoEncoder {
            profile: "102".into(),
            service: MediaApi::Media,
            old: EncoderValues::default(),
            new: encoder(640, 360, 15.0, 512),
            notes: Vec::new(),
        },
        Step::SetNetwork {
            dhcp: false,
            address: Some(target.to_string()),
            prefix_length: Some(16),
            gateway: Some({
                let o = target.octets();
                format!("{}.{}.255.254", o[0], o[1])
            }),
            hostname: Some(format!("cam-{i:04}")),
            hostname_from_dhcp: false,
            notes: Vec::new(),
        },
    ];
    CameraPlan::replacing(
        &format!("serial:OLD{i:05}"),
        &target.to_string(),
        "Axis",
        "P3265-LVE",
        steps,
    )
}

struct Row {
    cameras: usize,
    wall: Duration,
    calls: u64,
    failed: usize,
    hwm_mib: f64,
    /// The same cameras inventoried right after, in the same process: (wall, operations).
    inventory: (Duration, usize),
}

/// Operations the fleet's devices served (digest challenges apart), from their own logs.
async fn served(fleet: &Fleet) -> usize {
    let mut n = 0;
    for addr in fleet.addrs().await {
        let std::net::IpAddr::V4(ip) = addr.ip() else {
            unreachable!("fleets are IPv4")
        };
        n += fleet
            .log(ip)
            .await
            .expect("device log")
            .iter()
            .filter(|e| e.status != Some(401))
            .count();
    }
    n
}

async fn run(count: usize, base: Ipv4Addr, target_base: Ipv4Addr) -> Row {
    let persona = Persona::builtin("axis-p3265-lve").expect("persona");
    let mut spec = FleetSpec::round_robin(&[], 0, base);
    spec.devices = (0..count)
        .map(|_| {
            let mut d = DeviceSpec::new(persona.clone());
            d.factory = true;
            d
        })
        .collect();
    let fleet = Fleet::start(spec).await.expect("fleet starts");
    let xaddrs = fleet.xaddrs().await;
    let port = reqwest::Url::parse(&xaddrs[0]).unwrap().port().unwrap();
    let targets = mock_devices::fleet_addresses(target_base, count).expect("addresses");
    let cameras: Vec<CameraPlan> = targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut c = camera(i, *t);
            c.old.xaddr = format!("http://{t}:{port}/onvif/device_service");
            c
        })
        .collect();
    let mut plan = Plan {
        format: "camswap.plan".into(),
        version: 1,
        fingerprint: String::new(),
        inputs: Default::default(),
        options: Default::default(),
        warnings: Vec::new(),
        waves: Vec::new(),
        cameras: cameras.clone(),
    };
    plan.seal();
    let dir = tempfile::tempdir().unwrap();
    let creds_path = dir.path().join("credentials.toml");
    std::fs::write(
        &creds_path,
        "[new]\nusername = \"admin\"\npassword_env = \"NEW\"\n",
    )
    .unwrap();
    let credentials =
        Credentials::load_with_env(&creds_path, &|_| Some("bench-password".into())).unwrap();
    let (journal, before) =
        Journal::open(&dir.path().join("plan.journal.jsonl"), &plan.fingerprint).unwrap();
    let settings = Settings {
        connect: Connect {
            away_deadline: Duration::from_secs(60),
            ..Connect::default()
        },
        credentials,
        assign: cameras
            .iter()
            .zip(&xaddrs)
            .map(|(c, x)| (c.old.id.clone(), Assign::Url(x.clone())))
            .collect(),
        candidates: Vec::new(),
        concurrency: 32,
        discovery_port: 3702,
    };
    let started = Instant::now();
    let progress: Box<dyn Fn(&str) + Send + Sync> =
        if std::env::var_os("CAMSWAP_BENCH_TRACE").is_some() {
            Box::new(move |line: &str| {
                eprintln!("{:>8.1} ms {line}", started.elapsed().as_secs_f64() * 1e3)
            })
        } else {
            Box::new(|_| {})
        };
    let run = Arc::new(Run::new(settings, journal, before, progress));
    let results = apply::apply_all(run, cameras).await;
    let wall = started.elapsed();
    let failed: Vec<_> = results.iter().filter(|r| r.status != "done").collect();
    if let Some(f) = failed.first() {
        eprintln!("first failure: {}: {:?}", f.camera, f.reason);
    }
    let hwm_mib = status_kib("VmHWM:") as f64 / 1024.0;
    // The inventory's call rate on the applied cameras, now, under the same load: the
    // baseline the target is stated against.
    let targets: Vec<Target> = results
        .iter()
        .filter_map(|r| r.xaddr.clone())
        .map(|xaddr| Target {
            xaddr,
            endpoint: None,
            login: Some(Login {
                username: "admin".into(),
                password: Secret::new("bench-password"),
            }),
        })
        .collect();
    let before = served(&fleet).await;
    let read_started = Instant::now();
    let snapshots = read_all(&targets, &ReadOptions::default(), &|_, _| {}).await;
    let read_wall = read_started.elapsed();
    assert_eq!(snapshots.len(), count);
    let inventory = (read_wall, served(&fleet).await - before);
    let row = Row {
        cameras: count,
        wall,
        calls: results.iter().map(|r| r.calls).sum(),
        failed: failed.len(),
        hwm_mib,
        inventory,
    };
    fleet.shutdown().await;
    row
}

fn print(label: &str, r: &Row) {
    let s = r.wall.as_secs_f64();
    let (iw, iops) = (r.inventory.0.as_secs_f64(), r.inventory.1 as f64);
    println!(
        "{label}: {} cameras in {:.2} s ({:.0} cameras/s), {} ONVIF calls ({:.1}/camera, {:.0} calls/s), {} failed, peak RSS {:.0} MiB; \
         inventory of the same cameras right after: {:.2} s, {} operations, {:.0} ops/s (apply's call rate = {:.2}x the inventory's)",
        r.cameras,
        s,
        r.cameras as f64 / s,
        r.calls,
        r.calls as f64 / r.cameras as f64,
        r.calls as f64 / s,
        r.failed,
        r.hwm_mib,
        iw,
        r.inventory.1,
        iops / iw,
        (r.calls as f64 / s) / (iops / iw)
    );
}

fn main() {
    let count: usize = std::env::var("CAMSWAP_BENCH_DEVICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let base = run(
            100,
            Ipv4Addr::new(127, 2, 0, 1),
            Ipv4Addr::new(127, 3, 0, 1),
        )
        .await;
        print("baseline", &base);
        let full = run(
            count,
            Ipv4Addr::new(127, 4, 0, 1),
            Ipv4Addr::new(127, 5, 0, 1),
        )
        .await;
        print("full", &full);
        println!(
            "{}x the cameras: x{:.1} wall",
            count / 100,
            full.wall.as_secs_f64() / base.wall.as_secs_f64()
        );
    });
}
