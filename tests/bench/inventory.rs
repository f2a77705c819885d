//! Full inventory throughput: `cargo bench --bench inventory`.
//!
//! Starts an in-process mock fleet of mixed built-in personas and runs the full inventory read
//! (every section of `camswap inventory`) at the default concurrency, twice in one process:
//! 100 cameras (the baseline) and then 1,000 (`CAMSWAP_BENCH_DEVICES` to change). For each it
//! prints wall time, devices and ONVIF calls per second (counted from the devices' own
//! operation logs, so they are what the cameras served, digest challenges apart), and peak
//! memory (VmHWM). The fleet runs in this process on the same Tokio runtime, so the memory
//! includes the mock devices and the CPU is shared between client and devices: the figures
//! are a floor for the client alone, and the ratio between the two rows is what to quote.

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use camswap::credentials::{Login, Secret};
use camswap::inventory::reader::{self, ReadOptions, Target, read_all};
use mock_devices::{Fleet, FleetSpec, Persona};

/// A /proc/self/status value in KiB.
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

struct Row {
    devices: usize,
    wall: Duration,
    operations: usize,
    challenges: usize,
    failed_devices: usize,
    errors: usize,
    rss_mib: f64,
    hwm_mib: f64,
}

async fn run(personas: &[Persona], count: usize, base: Ipv4Addr) -> Row {
    let fleet = Fleet::start(FleetSpec::round_robin(personas, count, base))
        .await
        .expect("fleet starts");
    let targets: Vec<Target> = fleet
        .xaddrs()
        .await
        .into_iter()
        .map(|xaddr| Target {
            xaddr,
            endpoint: None,
            login: Some(Login {
                username: "admin".into(),
                password: Secret::new("camswap-demo"),
            }),
        })
        .collect();
    let opts = ReadOptions::default();
    let started = Instant::now();
    let snapshots = read_all(&targets, &opts, &|_, _| {}).await;
    let wall = started.elapsed();
    assert_eq!(snapshots.len(), count);
    let unreachable = snapshots.iter().filter(|s| reader::unreachable(s)).count();
    assert_eq!(unreachable, 0, "every device answers");

    let (mut operations, mut challenges) = (0, 0);
    for addr in fleet.addrs().await {
        let std::net::IpAddr::V4(ip) = addr.ip() else {
            unreachable!("fleets are IPv4")
        };
        for entry in fleet.log(ip).await.expect("device log") {
            if entry.status == Some(401) {
                challenges += 1;
            } else {
                operations += 1;
            }
        }
    }
    let row = Row {
        devices: count,
        wall,
        operations,
        challenges,
        failed_devices: snapshots.iter().filter(|s| !s.errors.is_empty()).count(),
        errors: snapshots.iter().map(|s| s.errors.len()).sum(),
        rss_mib: status_kib("VmRSS:") as f64 / 1024.0,
        hwm_mib: status_kib("VmHWM:") as f64 / 1024.0,
    };
    fleet.shutdown().await;
    row
}

#[tokio::main]
async fn main() {
    let count: usize = std::env::var("CAMSWAP_BENCH_DEVICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let personas: Vec<Persona> = Persona::builtin_names()
        .into_iter()
        .map(|n| Persona::builtin(n).expect("built-in persona"))
        .collect();
    let names: Vec<&str> = personas.iter().map(|p| p.name.as_str()).collect();
    println!(
        "inventory bench: personas {} in turn, concurrency {}, {} worker threads",
        names.join(","),
        ReadOptions::default().concurrency,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!("memory is the whole process: client and the in-process mock fleet together");
    println!(
        "{:>7}  {:>8}  {:>9}  {:>10}  {:>8}  {:>9}  {:>11}  {:>6}  {:>8}  {:>8}",
        "devices",
        "wall s",
        "devices/s",
        "operations",
        "ops/s",
        "digest401",
        "dev w/ errs",
        "errors",
        "RSS MiB",
        "HWM MiB"
    );
    let mut rows = Vec::new();
    for (n, base) in [
        (100.min(count), Ipv4Addr::new(127, 1, 0, 1)),
        (count, Ipv4Addr::new(127, 2, 0, 1)),
    ] {
        let r = run(&personas, n, base).await;
        println!(
            "{:>7}  {:>8.2}  {:>9.1}  {:>10}  {:>8.0}  {:>9}  {:>11}  {:>6}  {:>8.1}  {:>8.1}",
            r.devices,
            r.wall.as_secs_f64(),
            r.devices as f64 / r.wall.as_secs_f64(),
            r.operations,
            r.operations as f64 / r.wall.as_secs_f64(),
            r.challenges,
            r.failed_devices,
            r.errors,
            r.rss_mib,
            r.hwm_mib
        );
        rows.push(r);
    }
    let (base, big) = (&rows[0], &rows[1]);
    println!(
        "ratio {}/{}: wall x{:.2} for x{:.1} devices; ops/s x{:.2}; peak memory x{:.2}",
        big.devices,
        base.devices,
        big.wall.as_secs_f64() / base.wall.as_secs_f64(),
        big.devices as f64 / base.devices as f64,
        (big.operations as f64 / big.wall.as_secs_f64())
            / (base.operations as f64 / base.wall.as_secs_f64()),
        big.hwm_mib / base.hwm_mib
    );
}
