//! Benchmark (not a test): a unicast WS-Discovery sweep of 127.0.0.0/16 (65,534 probes)
//! against 1,000 mock responders on 127.0.{1..4}.{1..250}, through the real `camswap discover`
//! binary, at the default rate and at 10x that for comparison.
//!
//! `cargo bench --bench discovery_sweep` (about 6 minutes: the default rate is the honest
//! figure, 65,534 / 200 per second).
//!
//! Memory: the responders run in this process, camswap in a child process, so the two are
//! reported apart. camswap's peak is its VmHWM, sampled every 20 ms while it runs (VmHWM only
//! grows, so the last sample before exit is within 20 ms of the true peak).

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use mock_devices::discovery::{Responder, ResponderConfig};

const RESPONDERS: usize = 1_000;

fn vm_hwm_kib(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

struct Row {
    rate: u32,
    wall: Duration,
    found: usize,
    probes: String,
    peak_kib: u64,
}

async fn sweep(port: u16, rate: u32, out: &std::path::Path) -> Row {
    let started = Instant::now();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_camswap"))
        .args([
            "discover",
            "--cidr",
            "127.0.0.0/16",
            "--port",
            &port.to_string(),
            "--rate",
            &rate.to_string(),
            "--no-progress",
            "-o",
            out.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("camswap starts");
    let pid = child.id().expect("child pid").to_string();
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = vm_hwm_kib(&pid) {
            peak = peak.max(kib);
        }
        tokio::select! {
            s = child.wait() => break s.unwrap(),
            () = tokio::time::sleep(Duration::from_millis(20)) => {}
        }
    };
    let wall = started.elapsed();
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use tokio::io::AsyncReadExt;
        let _ = e.read_to_string(&mut stderr).await;
    }
    assert!(status.success(), "camswap failed: {stderr}");
    let file = camswap::discovery::read_devices(out).expect("devices.json");
    let probes = stderr
        .lines()
        .find(|l| l.starts_with("found") || l.starts_with("no devices"))
        .unwrap_or("")
        .to_owned();
    Row {
        rate,
        wall,
        found: file.devices.len(),
        probes,
        peak_kib: peak,
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let before = vm_hwm_kib("self").unwrap_or(0);
        let t = Instant::now();
        let mut responders = Vec::with_capacity(RESPONDERS);
        let mut port = 0;
        for net in 1..=4u8 {
            for host in 1..=250u8 {
                let c = ResponderConfig::new(Ipv4Addr::new(127, 0, net, host), port);
                let r = Responder::start(c).await.expect("responder starts");
                port = r.local_addr().port();
                responders.push(r);
            }
        }
        let started_in = t.elapsed();
        let responders_kib = vm_hwm_kib("self").unwrap_or(0).saturating_sub(before);
        println!(
            "{} responders on 127.0.{{1..4}}.{{1..250}}:{port} started in {:.2} s, {:.1} MiB (this process's VmHWM growth)",
            responders.len(),
            started_in.as_secs_f64(),
            responders_kib as f64 / 1024.0
        );
        let dir = tempfile::tempdir().unwrap();
        let mut rows = Vec::new();
        for rate in [camswap::discovery::DEFAULT_RATE, 10 * camswap::discovery::DEFAULT_RATE] {
            let row = sweep(port, rate, &dir.path().join(format!("devices-{rate}.json"))).await;
            println!(
                "rate {:>5}/s: wall {:>7.1} s, found {:>4}/{RESPONDERS}, camswap peak RSS {:.1} MiB  [{}]",
                row.rate,
                row.wall.as_secs_f64(),
                row.found,
                row.peak_kib as f64 / 1024.0,
                row.probes
            );
            rows.push(row);
        }
        println!();
        println!("| rate (probes/s) | wall time (s) | devices found | camswap peak RSS (MiB) |");
        println!("|---:|---:|---:|---:|");
        for r in &rows {
            println!(
                "| {} | {:.1} | {}/{RESPONDERS} | {:.1} |",
                r.rate,
                r.wall.as_secs_f64(),
                r.found,
                r.peak_kib as f64 / 1024.0
            );
        }
        println!(
            "wall time ratio {}/s vs {}/s: {:.2}x",
            rows[0].rate,
            rows[1].rate,
            rows[0].wall.as_secs_f64() / rows[1].wall.as_secs_f64()
        );
        println!(
            "bench process (1,000 responders) VmHWM: {:.1} MiB",
            vm_hwm_kib("self").unwrap_or(0) as f64 / 1024.0
        );
        for r in responders {
            r.stop().await;
        }
    });
}
