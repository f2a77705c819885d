//! `camswap plan` through the real binary: `--check` exit codes against a plan made by the
//! library, and input errors that name the file.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use camswap::inventory::DeviceSnapshot;
use camswap::model::{Codec, Identity, MediaProfile, VideoEncoder};
use camswap::planner::{Catalog, Flag, InputFile, Inputs, PlanInput, PlanOptions, plan};

fn camswap(args: &[&str], dir: &Path) -> Output {
    crate::support::cli::run_in(dir, args)
}

fn snapshot(kbps: u32) -> DeviceSnapshot {
    let mut s = DeviceSnapshot {
        id: "serial:DS-2CD2143G2-I20230101AAWRJ00000001".into(),
        xaddr: "http://127.0.1.1/onvif/device_service".into(),
        identity: Identity {
            manufacturer: Some("HIKVISION".into()),
            model: Some("DS-2CD2143G2-I".into()),
            ..Default::default()
        },
        profiles: vec![MediaProfile {
            token: "Profile_1".into(),
            name: "mainStream".into(),
            video_encoder: Some(VideoEncoder {
                token: "VE1".into(),
                encoding: Some(Codec::H264),
                width: Some(2688),
                height: Some(1520),
                frame_rate: Some(25.0),
                bitrate_kbps: Some(kbps),
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

fn write_inventory(path: &Path, devices: &[DeviceSnapshot]) -> Vec<u8> {
    let doc = serde_json::json!({
        "format": "camswap.inventory",
        "version": 1,
        "taken_at": "2026-01-01T00:00:00Z",
        "devices": devices,
    });
    let bytes = serde_json::to_vec_pretty(&doc).unwrap();
    std::fs::write(path, &bytes).unwrap();
    bytes
}

#[test]
fn plan_check_exits_0_when_current_and_2_naming_the_drifted_device() {
    let dir = tempfile::tempdir().unwrap();
    let devices = vec![snapshot(4096)];
    let bytes = write_inventory(&dir.path().join("inventory.json"), &devices);
    let flagged: BTreeMap<String, Flag> = [(
        devices[0].id.clone(),
        Flag {
            verdict: "banned".into(),
            company: Some("Hikvision".into()),
            confidence: 0.98,
        },
    )]
    .into_iter()
    .collect();
    let catalog = Catalog::example();
    let p = plan(&PlanInput {
        snapshots: &devices,
        flagged: &flagged,
        catalog: &catalog,
        stock: None,
        rollout: None,
        options: &PlanOptions::default(),
        inputs: Inputs {
            inventory: Some(InputFile::hashed("inventory.json", &bytes)),
            ..Inputs::default()
        },
        sha256_checked: false,
        threads: 0,
    });
    assert!(p.cameras[0].replacement.is_some());
    std::fs::write(dir.path().join("plan.json"), p.to_json()).unwrap();

    let out = camswap(
        &[
            "plan",
            "inventory.json",
            "--check",
            "plan.json",
            "--format",
            "table",
        ],
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 planned device unchanged"), "{stdout}");

    write_inventory(&dir.path().join("inventory.json"), &[snapshot(2048)]);
    let out = camswap(
        &[
            "plan",
            "inventory.json",
            "--check",
            "plan.json",
            "--format",
            "table",
        ],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("serial:DS-2CD2143G2-I20230101AAWRJ00000001"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("drifted: serial:DS-2CD2143G2-I"));
}

// Issue 10 item 8: a planned camera's values edited in inventory.json with its stored hash
// left alone: `plan --check`, `plan` and `audit` all refuse the file (exit 2), naming the device.
#[test]
fn plan_check_refuses_an_inventory_whose_content_does_not_match_its_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let devices = vec![snapshot(4096)];
    let bytes = write_inventory(&dir.path().join("inventory.json"), &devices);
    let flagged: BTreeMap<String, Flag> = [(
        devices[0].id.clone(),
        Flag {
            verdict: "banned".into(),
            company: Some("Hikvision".into()),
            confidence: 0.98,
        },
    )]
    .into_iter()
    .collect();
    let p = plan(&PlanInput {
        snapshots: &devices,
        flagged: &flagged,
        catalog: &Catalog::example(),
        stock: None,
        rollout: None,
        options: &PlanOptions::default(),
        inputs: Inputs {
            inventory: Some(InputFile::hashed("inventory.json", &bytes)),
            ..Inputs::default()
        },
        sha256_checked: false,
        threads: 0,
    });
    std::fs::write(dir.path().join("plan.json"), p.to_json()).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let edited = text.replace("\"bitrate_kbps\": 4096", "\"bitrate_kbps\": 512");
    assert_ne!(edited, text);
    assert!(
        edited.contains(&devices[0].sha256),
        "the hash is left as it was"
    );
    std::fs::write(dir.path().join("inventory.json"), edited).unwrap();
    for args in [
        &["plan", "inventory.json", "--check", "plan.json"][..],
        &[
            "plan",
            "inventory.json",
            "--catalog",
            "builtin:example",
            "--format",
            "json",
        ][..],
        &["audit", "inventory.json", "--format", "json"][..],
    ] {
        let out = camswap(args, dir.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("inventory.json")
                && stderr.contains("serial:DS-2CD2143G2-I20230101AAWRJ00000001")
                && stderr.contains("does not match its sha256"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn plan_refuses_a_bad_catalogue_with_exit_2_and_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write_inventory(&dir.path().join("inventory.json"), &[snapshot(4096)]);
    std::fs::write(
        dir.path().join("catalog.toml"),
        "[[model]]\nvendor = \"Axis\"\nmodel = \"X\"\nform_factor = \"dome\"\nmax_resolution = \"1920x1080\"\nmax_fps = \"fast\"\ncodecs = [\"H264\"]\n",
    )
    .unwrap();
    let out = camswap(
        &["plan", "inventory.json", "--catalog", "catalog.toml"],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("catalog.toml: line 6, field max_fps"),
        "{stderr}"
    );
}
