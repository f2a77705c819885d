//! The README's first command, `bash tests/demo/run.sh OUT`, runs the whole job on the bundled
//! 40-device site (issue 14 item 5) with the binaries this test run built
//! (`CAMSWAP_DEMO_PROFILE=debug`, `CAMSWAP_DEMO_BIN`), and its files are checked here on their
//! own, not through the summary it prints.
//!
//! Expected figures, counted by hand from mock-devices/sites/demo.toml (40 devices on
//! 127.0.52.1-40; north = .1-.16, south = .17-.40):
//! - covered 25: Hikvision 5 + 6 fixed domes, 1 PTZ, 1 NVR (13); Dahua 2 + 4 eyeballs and
//!   1 + 2 PTZs (9); Uniview 1 + 2 (3). White label 5: LTS 1, Lorex 2, Amcrest 1 + 1.
//!   Clear 10: Axis P3265 2 + 2, Q6135 1, Bosch 1 + 1, Hanwha 2, i-PRO 1.
//! - not replaced 2: the NVR (.16, a recorder: out of scope for camera matching) and the 4 MP
//!   Hikvision PTZ (.6: the example catalogue has no approved PTZ that keeps 2560x1440).
//! - replaced 28: north 11 (.1-.5, .7, .8-.9, .10, .11, .12), south 17 (.17-.22, .23-.26,
//!   .27-.28, .29-.30, .31, .32-.33).
//! - presets 9: three Dahua SD49225XA PTZs with three presets each (dahua-sd49225xa.toml).
//! - on DHCP 2: the Amcrest units (amcrest-ip4m.toml); their replacements are switched to
//!   DHCP and take a lease from the mock site's pool (.200-.254); the 26 others take the old
//!   camera's address.
//! - edge recording on 20 new cameras: the 11 Hikvision domes, the LTS one, the 6 Dahua
//!   eyeballs and the 2 Lorex ones record to their card (their personas' `[recording]` jobs);
//!   Amcrest, Uniview and the Dahua PTZ have no edge storage.

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

/// The demo's address block (tests/demo/run.sh, mock-devices/sites/demo.toml).
const NVR: &str = "127.0.52.16";
const HIKVISION_PTZ: &str = "127.0.52.6";
/// The demo site's passwords (run.sh exports them); they must appear in no file.
const PASSWORDS: [&str; 2] = ["camswap-demo", "camswap-demo-new"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(dir: &Path, name: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn newest_mtime(dir: &Path) -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = entry.metadata().unwrap();
        let t = if meta.is_dir() {
            newest_mtime(&entry.path())
        } else {
            meta.modified().unwrap()
        };
        newest = newest.max(t);
    }
    newest
}

/// `host` of `scheme://host[:port]/...`.
fn host(uri: &str) -> &str {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    authority.split(':').next().unwrap_or("")
}

fn last_octet(address: &str) -> u8 {
    address.parse::<Ipv4Addr>().unwrap().octets()[3]
}

/// Runs the demo script; returns its exit code, log and wall time. Killed (its process group,
/// so its trap stops the mock site) if it runs past the deadline.
fn run_demo(out: &Path, log: &Path) -> (Option<i32>, String, Duration) {
    let bin = Path::new(env!("CARGO_BIN_EXE_camswap")).parent().unwrap();
    let mock = bin.join("mock-onvif");
    assert!(
        mock.exists(),
        "{} is missing: `cargo test --workspace` builds it (or `cargo build -p mock-devices`)",
        mock.display()
    );
    let sources = newest_mtime(&root().join("mock-devices/src"))
        .max(newest_mtime(&root().join("mock-devices/personas")));
    assert!(
        std::fs::metadata(&mock).unwrap().modified().unwrap() >= sources,
        "{} is older than its sources: `cargo build -p mock-devices` first",
        mock.display()
    );
    let logfile = std::fs::File::create(log).unwrap();
    let start = Instant::now();
    let mut child = Command::new("bash")
        .arg(root().join("tests/demo/run.sh"))
        .arg(out)
        .env("CAMSWAP_DEMO_PROFILE", "debug")
        .env("CAMSWAP_DEMO_BIN", bin)
        .env_remove("CAMSWAP_LOG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(logfile.try_clone().unwrap())
        .stderr(logfile)
        .process_group(0)
        .spawn()
        .expect("bash runs");
    let deadline = Duration::from_secs(300);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > deadline {
            let _ = Command::new("kill")
                .args(["-TERM", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            panic!(
                "the demo ran past {deadline:?}:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    (
        status.code(),
        std::fs::read_to_string(log).unwrap(),
        start.elapsed(),
    )
}

#[test]
fn the_demo_runs_the_whole_job_in_two_waves_and_its_files_agree() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let log = dir.path().join("run.log");
    let (code, text, took) = run_demo(&out, &log);
    eprintln!("demo: {:.1} s wall (debug build)", took.as_secs_f64());
    assert_eq!(code, Some(0), "run.sh failed:\n{text}");

    // Every file in the folder it was given.
    for name in [
        "devices.json",
        "inventory.json",
        "audit.json",
        "audit.html",
        "plan.json",
        "plan.txt",
        "apply-wave-1.json",
        "apply-wave-2.json",
        "status.json",
        "verify.json",
        "handoff.csv",
        "handoff.json",
        "summary.txt",
    ] {
        assert!(
            out.join(name).is_file(),
            "{name} missing in {}",
            out.display()
        );
    }
    // The mock site is gone: nothing answers on a camera's or the control endpoint's port.
    for addr in ["127.0.52.1:8080", "127.0.52.40:8080", "127.0.52.254:9100"] {
        let addr: SocketAddr = addr.parse().unwrap();
        assert!(
            TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_err(),
            "{addr} still answers after the demo"
        );
    }

    let devices = read_json(&out, "devices.json");
    assert_eq!(devices["devices"].as_array().unwrap().len(), 40);
    let audit = read_json(&out, "audit.json");
    let s = &audit["summary"];
    assert_eq!(
        (&s["covered"], &s["white_label"], &s["clear"], &s["review"]),
        (&25.into(), &5.into(), &10.into(), &0.into()),
        "{s}"
    );
    assert!(
        std::fs::read_to_string(out.join("audit.html"))
            .unwrap()
            .contains("<html"),
    );

    // The plan: 28 replaced in two waves split by building, the NVR and the 4 MP PTZ not.
    let plan = read_json(&out, "plan.json");
    let cameras = plan["cameras"].as_array().unwrap();
    assert_eq!(cameras.len(), 30, "flagged cameras in the plan");
    let address = |c: &Value| c["old"]["address"].as_str().unwrap().to_owned();
    let replaced: Vec<&Value> = cameras
        .iter()
        .filter(|c| !c["replacement"].is_null())
        .collect();
    assert_eq!(replaced.len(), 28);
    let nvr = cameras.iter().find(|c| address(c) == NVR).expect("the NVR");
    assert!(nvr["replacement"].is_null(), "{nvr}");
    assert_eq!(nvr["recorder"]["kind"], "NVR");
    let ptz = cameras
        .iter()
        .find(|c| address(c) == HIKVISION_PTZ)
        .unwrap();
    assert!(ptz["replacement"].is_null() && !ptz["no_suitable_model"].is_null());
    let waves = plan["waves"].as_array().unwrap();
    let names: Vec<&str> = waves
        .iter()
        .filter(|w| !w["cameras"].as_array().unwrap().is_empty())
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["north", "south"]);
    let wave_of = |id: &str| {
        waves
            .iter()
            .find(|w| w["cameras"].as_array().unwrap().iter().any(|c| c == id))
            .map(|w| w["name"].as_str().unwrap().to_owned())
    };
    for c in &replaced {
        let building = if last_octet(&address(c)) <= 16 {
            "north"
        } else {
            "south"
        };
        assert_eq!(
            wave_of(c["old"]["id"].as_str().unwrap()).as_deref(),
            Some(building),
            "{}",
            address(c)
        );
    }

    // Applied: every replaced camera done, in its wave; none other touched.
    let status = read_json(&out, "status.json");
    let rows = status["cameras"].as_array().unwrap();
    assert_eq!(rows.len(), 28, "{status}");
    for r in rows {
        assert_eq!(r["state"], "done", "{r}");
        assert_eq!(
            r["wave"].as_str(),
            wave_of(r["camera"].as_str().unwrap()).as_deref()
        );
    }
    // Verify exited 0 (run.sh stops on any other code) and says why: no differences.
    let verify = read_json(&out, "verify.json");
    let checked = verify["cameras"].as_array().unwrap();
    assert_eq!(checked.len(), 28);
    for v in checked {
        assert_eq!(v["status"], "match", "{v}");
        assert!(v["differences"].as_array().unwrap().is_empty(), "{v}");
    }

    // Handoff: one row per replaced camera, every URI on the new camera's address, which is
    // the old camera's unless the old one was on DHCP; the NVR is in none.
    let handoff = read_json(&out, "handoff.json");
    let h = handoff["cameras"].as_array().unwrap();
    assert_eq!(h.len(), 28);
    let mut presets = 0;
    let mut on_dhcp = 0;
    let mut dhcp_leases = std::collections::BTreeSet::new();
    for c in h {
        let new = c["new_address"].as_str().unwrap();
        let old = c["old_address"].as_str().unwrap();
        let planned = replaced
            .iter()
            .find(|p| p["old"]["id"] == c["camera"])
            .unwrap();
        let network = planned["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["kind"] == "set_network")
            .unwrap();
        if network["dhcp"] == true {
            // A camera on DHCP is replaced by one on DHCP: apply switches it to DHCP, the
            // mock fleet's DHCP server leases it an address from .200-.254 of the site's /24
            // (mock-devices/README.md), apply finds it there by WS-Discovery, and the VMS
            // learns that address here: neither the old address nor the one it booted on
            // (the swap's: old + 100, tests/demo/site.py).
            on_dhcp += 1;
            let lease: Ipv4Addr = new.parse().unwrap();
            let boot = Ipv4Addr::from(u32::from(old.parse::<Ipv4Addr>().unwrap()) + 100);
            let [a, b, c3, d] = lease.octets();
            assert!(
                [a, b, c3] == [127, 0, 52] && (200..=254).contains(&d),
                "{c}"
            );
            assert_ne!(lease, boot, "{c}");
            dhcp_leases.insert(lease);
        } else {
            assert_eq!(new, old, "{c}");
        }
        assert_ne!(new, NVR);
        assert_eq!(host(c["onvif_url"].as_str().unwrap()), new);
        let streams = c["streams"].as_array().unwrap();
        assert!(!streams.is_empty(), "{c}");
        for s in streams {
            assert_eq!(host(s["rtsp"].as_str().unwrap()), new, "{c}");
        }
        presets += c["presets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| !p["new"].is_null())
            .count();
    }
    assert_eq!(presets, 9);
    // The two Amcrest units (amcrest-ip4m.toml: `dhcp = true`).
    assert_eq!(on_dhcp, 2);
    // Two cameras, two leases.
    assert_eq!(dhcp_leases.len(), 2);
    let csv = std::fs::read_to_string(out.join("handoff.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (addr_col, rtsp_col, pw_col) = (col("HardwareAddress"), col("RtspUris"), col("Password"));
    // No quoted field today (names, addresses and URIs without commas), so a split is the
    // CSV reader; a quote would show up here rather than as a shifted column.
    assert!(!csv.contains('"'), "{csv}");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 28, "{csv}");
    for r in &rows {
        let at = host(r[addr_col]);
        assert_ne!(at, NVR);
        assert_eq!(r[pw_col], "");
        for uri in r[rtsp_col].split(' ').filter_map(|x| x.split_once('=')) {
            assert_eq!(host(uri.1), at, "{r:?}");
        }
    }

    // The summary, line by line (figures from the module comment).
    let summary = std::fs::read_to_string(out.join("summary.txt")).unwrap();
    for line in [
        "cameras found: 40",
        "flagged: 30 (covered 25, white label 5, review 0, unknown 0); clear: 10",
        "replaced: 28",
        "  wave north: 11 of 11 replaced",
        "  wave south: 17 of 17 replaced",
        "presets carried: 9",
        "edge recording carried: 20 cameras",
        "addresses: 26 new cameras took the old camera's address, 2 moved to DHCP (the leased address is in the handoff)",
        "verified: 28 of 28 match the plan",
        "handoff rows: 28 (handoff.csv), 28 (handoff.json)",
    ] {
        assert!(
            summary.lines().any(|l| l == line),
            "{line:?} not in the summary:\n{summary}"
        );
    }
    assert!(
        summary.lines().any(|l| l.starts_with(&format!(
            "out of scope: DS-7608NI-K2 at {NVR} is a recorder"
        ))),
        "{summary}"
    );

    // No password in any file or in what it printed.
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let content = String::from_utf8_lossy(&bytes);
        for pw in PASSWORDS {
            assert!(!content.contains(pw), "{} holds a password", path.display());
        }
    }
    for pw in PASSWORDS {
        assert!(!text.contains(pw), "the demo printed a password");
    }
}
