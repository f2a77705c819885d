//! Issue 10's must-show: `cargo bench --bench hostile_fleet`.
//!
//! Reads an in-process mock fleet of 1,000 cameras (`CAMSWAP_BENCH_DEVICES` to change) of
//! which 5% are hostile, the kinds in turn (namespace declaration bomb, service addresses on
//! a credential collector, an impostor relaying a real camera, passwords in URIs, terminal
//! control sequences; see `tests/integration/support/hostile_fleet.rs`), at the default
//! concurrency, and prints: healthy cameras read completely, what became of each hostile
//! kind (cameras, cameras with an error, the first error), requests that reached the
//! collector, impostors reported, wall time and peak memory (VmHWM of the whole process:
//! client and mock fleet together, so an upper bound for the client). Panics if a healthy
//! camera is incomplete or the peak passes 200 MB.

#[path = "../integration/support/hostile_fleet.rs"]
mod hostile_fleet;

use std::net::Ipv4Addr;

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

#[tokio::main]
async fn main() {
    let count: usize = std::env::var("CAMSWAP_BENCH_DEVICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let hostile = (count / 20).max(1);
    let out = hostile_fleet::run(count, hostile, Ipv4Addr::new(127, 6, 0, 1)).await;
    let hwm_mb = status_kib("VmHWM:") as f64 * 1024.0 / 1e6;
    println!(
        "hostile fleet: {} cameras, {} hostile, {:.2} s wall, peak RSS {:.1} MB (client and mock fleet)",
        out.devices,
        hostile,
        out.wall.as_secs_f64(),
        hwm_mb
    );
    println!("healthy: {}/{} complete", out.healthy_complete, out.healthy);
    for (xaddr, errors) in &out.healthy_failures {
        println!("  INCOMPLETE {xaddr}: {errors:?}");
    }
    for (kind, (n, failed, first)) in &out.hostile {
        println!(
            "hostile {:<8} {:>3} cameras, {:>3} with an error{}",
            kind.name(),
            n,
            failed,
            first
                .as_deref()
                .map(|e| format!(", first: {e}"))
                .unwrap_or_default()
        );
    }
    println!(
        "requests at the credential collector: {}; impostors reported as conflicts: {}; \
         secret in inventory.json: {}; escape in a table: {}",
        out.collected, out.spoofs_reported, out.secret_in_inventory, out.escape_in_table
    );
    assert_eq!(
        out.healthy_complete, out.healthy,
        "a healthy camera is incomplete"
    );
    assert!(hwm_mb < 200.0, "peak memory {hwm_mb:.1} MB");
}
