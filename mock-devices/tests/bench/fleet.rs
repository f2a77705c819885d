//! Fleet cost and throughput: `cargo bench -p mock-devices --bench fleet`.
//!
//! Starts a fleet (1000 devices by default, `MOCK_BENCH_DEVICES` to change; every built-in
//! persona in turn, `MOCK_BENCH_PERSONAS=a,b` to choose) and measures, in
//! one run: start-up time, resident memory per device, and request rates with the same
//! client and concurrency for (a) one device (the baseline), (b) the whole fleet, (c) the
//! whole fleet with HTTP Digest (challenge + answer per operation), (d) Media GetProfiles
//! across the fleet. Devices take every built-in persona in turn. Client and devices share
//! one Tokio runtime, and every request opens its own TCP connection, so the rates include
//! connection set-up and the client's own work.

#[allow(dead_code)]
#[path = "../mock/support.rs"]
mod support;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use mock_devices::{Fleet, FleetSpec, Persona};
use tokio::sync::Semaphore;

use mock_devices::persona::ServiceKind;
use support::{TRT, call, call_admin, call_at_admin};

const CONCURRENCY: usize = 32;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Run `total` requests over `targets` (round robin) with bounded concurrency; requests/s.
/// What each request of a rate run asks.
#[derive(Clone, Copy)]
enum Op {
    /// GetSystemDateAndTime (no credentials).
    Clock,
    /// GetDeviceInformation with HTTP Digest (challenge + answer).
    Digest,
    /// Media GetProfiles as the administrator (digest or token, 2 requests): the largest
    /// media answer.
    Profiles,
}

async fn rate(targets: &[(SocketAddr, String)], total: usize, op: Op) -> f64 {
    let sem = Arc::new(Semaphore::new(CONCURRENCY));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..total {
        let (addr, media) = targets[i % targets.len()].clone();
        let permit = Arc::clone(&sem).acquire_owned().await.expect("semaphore");
        tasks.spawn(async move {
            let resp = match op {
                Op::Digest => call_admin(addr, "GetDeviceInformation", "").await,
                Op::Clock => call(addr, "GetSystemDateAndTime", "").await,
                Op::Profiles => call_at_admin(addr, &media, TRT, "GetProfiles", "").await,
            };
            assert_eq!(resp.status, 200, "{addr}: {}", resp.text());
            drop(permit);
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.expect("request task");
    }
    total as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let n: usize = std::env::var("MOCK_BENCH_DEVICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        // Every built-in persona in turn, so PTZ units (300 listed preset slots on the
        // Hikvision dome), recordings and imaging state are all part of the cost.
        // MOCK_BENCH_PERSONAS=a,b restricts the mix.
        let names: Vec<String> = std::env::var("MOCK_BENCH_PERSONAS").map_or_else(
            |_| Persona::builtin_names().iter().map(|s| s.to_string()).collect(),
            |v| v.split(',').map(str::to_string).collect(),
        );
        let personas: Vec<Persona> = names
            .iter()
            .map(|p| Persona::builtin(p).expect("persona"))
            .collect();
        let rss0 = rss_kib();
        let t = Instant::now();
        let fleet = Fleet::start(FleetSpec::round_robin(&personas, n, Ipv4Addr::new(127, 1, 0, 1)))
            .await
            .expect("fleet starts");
        let started = t.elapsed();
        let rss1 = rss_kib();
        let addrs = fleet.addrs().await;
        // Each device's media path, by its persona (the fleet takes personas in turn).
        let targets: Vec<(SocketAddr, String)> = addrs
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let p = &personas[i % personas.len()];
                let path = p.service(ServiceKind::Media).map_or("/onvif/Media", |s| s.path.as_str());
                (*a, path.to_string())
            })
            .collect();
        println!("fleet of {n} ({} personas in turn): started in {:.3} s ({:.1} us/device)", personas.len(), started.as_secs_f64(), started.as_secs_f64() * 1e6 / n as f64);
        println!(
            "resident memory: +{} KiB for the fleet ({:.1} KiB/device)",
            rss1.saturating_sub(rss0),
            rss1.saturating_sub(rss0) as f64 / n as f64
        );

        let total = 4 * n.max(500);
        // Warm up (allocator, first connections).
        rate(&targets[..1], 200, Op::Clock).await;
        let one = rate(&targets[..1], total, Op::Clock).await;
        let all = rate(&targets, total, Op::Clock).await;
        let digest = rate(&targets, total / 2, Op::Digest).await;
        let profiles = rate(&targets, total, Op::Profiles).await;
        println!("GetSystemDateAndTime, {total} requests, concurrency {CONCURRENCY}:");
        println!("  one device (baseline): {one:8.0} req/s");
        println!("  across {n} devices:   {all:8.0} req/s  (ratio to baseline {:.2})", all / one);
        println!(
            "GetDeviceInformation with HTTP Digest (401 + 200), across {n} devices: {digest:8.0} ops/s  (ratio to baseline {:.2})",
            digest / one
        );
        println!(
            "Media GetProfiles with credentials (2 requests each), across {n} devices: {profiles:8.0} ops/s  (ratio to baseline {:.2})",
            profiles / one
        );
        let t = Instant::now();
        fleet.shutdown().await;
        println!("shutdown: {:.3} s", t.elapsed().as_secs_f64());
    });
}
