//! Fleet cost and throughput: `cargo bench -p mock-devices --bench fleet`.
//!
//! Starts a fleet (1000 devices by default, `MOCK_BENCH_DEVICES` to change) and measures, in
//! one run: start-up time, resident memory per device, and request rates with the same
//! client and concurrency for (a) one device (the baseline), (b) the whole fleet, (c) the
//! whole fleet with HTTP Digest (challenge + answer per operation). Client and devices share
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

use support::{call, call_admin};

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
async fn rate(targets: &[SocketAddr], total: usize, digest: bool) -> f64 {
    let sem = Arc::new(Semaphore::new(CONCURRENCY));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..total {
        let addr = targets[i % targets.len()];
        let permit = Arc::clone(&sem).acquire_owned().await.expect("semaphore");
        tasks.spawn(async move {
            let resp = if digest {
                call_admin(addr, "GetDeviceInformation", "").await
            } else {
                call(addr, "GetSystemDateAndTime", "").await
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
        let personas: Vec<Persona> = ["hikvision-ds2cd2143g2", "axis-p3265-lve"]
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
        println!("fleet of {n}: started in {:.3} s ({:.1} us/device)", started.as_secs_f64(), started.as_secs_f64() * 1e6 / n as f64);
        println!(
            "resident memory: +{} KiB for the fleet ({:.1} KiB/device)",
            rss1.saturating_sub(rss0),
            rss1.saturating_sub(rss0) as f64 / n as f64
        );

        let total = 4 * n.max(500);
        // Warm up (allocator, first connections).
        rate(&addrs[..1], 200, false).await;
        let one = rate(&addrs[..1], total, false).await;
        let all = rate(&addrs, total, false).await;
        let digest = rate(&addrs, total / 2, true).await;
        println!("GetSystemDateAndTime, {total} requests, concurrency {CONCURRENCY}:");
        println!("  one device (baseline): {one:8.0} req/s");
        println!("  across {n} devices:   {all:8.0} req/s  (ratio to baseline {:.2})", all / one);
        println!(
            "GetDeviceInformation with HTTP Digest (401 + 200), across {n} devices: {digest:8.0} ops/s  (ratio to baseline {:.2})",
            digest / one
        );
        let t = Instant::now();
        fleet.shutdown().await;
        println!("shutdown: {:.3} s", t.elapsed().as_secs_f64());
    });
}
