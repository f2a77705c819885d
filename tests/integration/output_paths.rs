//! Where `-o` sends results, through the real binary (the writer's own cases are unit tests in
//! src/files.rs).

use std::process::Command;

use camswap::inventory::{DeviceSnapshot, Inventory};
use camswap::model::Identity;

fn inventory(dir: &std::path::Path) -> std::path::PathBuf {
    let mut s = DeviceSnapshot {
        id: "serial:AXIS-ACCC8E000001".into(),
        xaddr: "http://127.0.13.1/onvif/device_service".into(),
        identity: Identity {
            manufacturer: Some("AXIS".into()),
            model: Some("P3265-LVE".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    s.seal();
    let p = dir.join("inventory.json");
    Inventory::new(vec![s]).save(&p).unwrap();
    p
}

// Issue 10 item 2: `-o -` is stdout, not a file named "-".
#[test]
fn output_dash_means_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let inv = inventory(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_camswap"))
        .args([
            "audit",
            inv.to_str().unwrap(),
            "--format",
            "json",
            "-o",
            "-",
        ])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["format"], "camswap.audit");
    assert!(!dir.path().join("-").exists(), "no file named -");
}
