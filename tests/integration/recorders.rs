//! Recorders are cameras to no one (issue 13 item 8, issue 12 item 5): a site with a Hikvision
//! NVR, a Dahua NVR and a camera, read by `camswap inventory`, audited and planned through the
//! binary. Each NVR is flagged like a camera, listed with its channels by name, and planned as
//! "replace the recorder: out of scope for camera matching", never matched to a camera model.
//!
//! Expected channels are written here from the personas' sources, not from camswap's tables:
//! - `hikvision-ds7608ni-k2`: DS-76<08>NI is 8 channels; channel N's source is `VideoSource_N`
//!   and its name Hikvision's default "Camera 0N" (mock-devices/personas/hikvision-ds7608ni-k2.toml);
//! - `dahua-nvr4216-4ks2`: NVR42<16> is 16 channels; channel N's source token is the capture's
//!   0-based 5-digit form `<N-1:03>00` and its configuration name `VideoSourceConfig_ChannelN`
//!   (../shared/captures/dahua/GetProfiles-hammeraj-nvr.xml).

use std::net::Ipv4Addr;
use std::path::Path;
use std::process::Output;

use camswap::audit::{AuditReport, Verdict};
use camswap::planner::plan::Plan;
use mock_devices::{DeviceConfig, MockDevice, Persona};

fn camswap(dir: &Path, args: &[&str]) -> Output {
    crate::support::cli::camswap()
        .current_dir(dir)
        .args(args)
        .env("CAMSWAP_TEST_RECORDER_PASSWORD", "camswap-demo")
        .output()
        .unwrap()
}

fn hikvision_channels() -> Vec<String> {
    (1..=8)
        .map(|n| format!("Camera {n:02} (VideoSource_{n})"))
        .collect()
}

fn dahua_channels() -> Vec<String> {
    (1..=16)
        .map(|n| format!("VideoSourceConfig_Channel{n} ({:03}00)", n - 1))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nvrs_are_listed_with_their_channels_and_planned_as_recorders_never_as_cameras() {
    let start = |persona: &str, ip: Ipv4Addr| {
        let config = DeviceConfig::new(Persona::builtin(persona).unwrap(), (ip, 0).into());
        MockDevice::start(config)
    };
    let hik_nvr = start("hikvision-ds7608ni-k2", Ipv4Addr::new(127, 0, 23, 1))
        .await
        .unwrap();
    let dahua_nvr = start("dahua-nvr4216-4ks2", Ipv4Addr::new(127, 0, 23, 2))
        .await
        .unwrap();
    let camera = start("hikvision-ds2cd2143g2", Ipv4Addr::new(127, 0, 23, 3))
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("credentials.toml"),
        "[default]\nusername = \"admin\"\npassword_env = \"CAMSWAP_TEST_RECORDER_PASSWORD\"\n",
    )
    .unwrap();
    let (a, b, c) = (hik_nvr.xaddr(), dahua_nvr.xaddr(), camera.xaddr());
    let out = camswap(
        dir.path(),
        &[
            "inventory",
            "--xaddr",
            &a,
            "--xaddr",
            &b,
            "--xaddr",
            &c,
            "--credentials",
            "credentials.toml",
            "-o",
            "inventory.json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Audit: both NVRs are covered like cameras, with every channel named.
    let out = camswap(dir.path(), &["audit", "inventory.json", "--format", "json"]);
    assert_eq!(out.status.code(), Some(10));
    let report: AuditReport = serde_json::from_slice(&out.stdout).unwrap();
    let by_model = |model: &str| {
        report
            .devices
            .iter()
            .find(|v| v.device.model.as_deref() == Some(model))
            .unwrap_or_else(|| panic!("{model}: {report:#?}"))
    };
    for (model, company, channels) in [
        ("DS-7608NI-K2", "hikvision", hikvision_channels()),
        ("NVR4216-4KS2/L", "dahua", dahua_channels()),
    ] {
        let v = by_model(model);
        assert_eq!(v.verdict, Verdict::Covered, "{v:#?}");
        assert_eq!(v.company.as_deref(), Some(company));
        assert_eq!(v.device.channels, Some(channels.len() as u32));
        assert_eq!(v.device.channel_names, channels);
    }
    let cam = by_model("DS-2CD2143G2-I");
    assert_eq!(cam.device.channels, Some(1));
    assert!(cam.device.channel_names.is_empty());
    let out = camswap(
        dir.path(),
        &["audit", "inventory.json", "--format", "table"],
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains(&format!(
            "channels (8): {}",
            hikvision_channels().join(", ")
        )),
        "{table}"
    );
    assert!(
        table.contains(&format!("channels (16): {}", dahua_channels().join(", "))),
        "{table}"
    );

    // Inventory's one-device view lists them too.
    let out = camswap(
        dir.path(),
        &[
            "inventory",
            "--xaddr",
            &a,
            "--credentials",
            "credentials.toml",
            "--format",
            "table",
        ],
    );
    let view = String::from_utf8_lossy(&out.stdout);
    assert!(
        view.contains(&format!("8: {}", hikvision_channels().join(", "))),
        "{view}"
    );

    // Plan: the NVRs are recorders to replace, the camera gets a camera.
    let out = camswap(
        dir.path(),
        &[
            "plan",
            "inventory.json",
            "--catalog",
            "builtin:example",
            "-o",
            "plan.json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: Plan =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("plan.json")).unwrap())
            .unwrap();
    assert_eq!(plan.cameras.len(), 3);
    for (model, channels) in [
        ("DS-7608NI-K2", hikvision_channels()),
        ("NVR4216-4KS2/L", dahua_channels()),
    ] {
        let c = plan
            .cameras
            .iter()
            .find(|c| c.old.model.as_deref() == Some(model))
            .unwrap();
        let r = c
            .recorder
            .as_ref()
            .unwrap_or_else(|| panic!("{model}: {c:#?}"));
        assert_eq!(r.kind, "NVR");
        let labels: Vec<String> = r.channels.iter().map(|ch| ch.label()).collect();
        assert_eq!(labels, channels, "{model}");
        // Never a camera model, nor steps that would touch it.
        assert!(c.replacement.is_none(), "{model}: {:?}", c.replacement);
        assert!(c.no_suitable_model.is_none() && c.out_of_stock.is_none());
        assert!(c.steps.is_empty() && c.wave.is_none());
        // Nor camera requirements drawn from its channels (an NVR "needing an audio input").
        assert!(c.requirements.is_empty(), "{model}: {:?}", c.requirements);
        let note = c
            .warnings
            .iter()
            .find(|w| w.contains("replace the recorder: out of scope for camera matching"))
            .unwrap_or_else(|| panic!("{model}: {:?}", c.warnings));
        assert!(
            note.contains(&format!(
                "{} channels behind it: {}",
                channels.len(),
                channels.join(", ")
            )),
            "{note}"
        );
    }
    // The Dahua NVR's evidence names what made it a recorder: its type scope, its model
    // grammar and its 16 sources.
    let dahua = plan
        .cameras
        .iter()
        .find(|c| c.old.model.as_deref() == Some("NVR4216-4KS2/L"))
        .unwrap();
    let evidence = dahua.recorder.as_ref().unwrap().evidence.join("\n");
    for e in [
        "scope onvif://www.onvif.org/type/Network_Video_Storage",
        "model NVR4216-4KS2/L",
        "16 video sources (channels)",
    ] {
        assert!(evidence.contains(e), "{e}: {evidence}");
    }
    // A main stream per channel at the persona's resolution.
    assert_eq!(
        dahua.recorder.as_ref().unwrap().channels[0].profiles[0],
        "MediaProfile00000 (2048x1536)"
    );
    let cam = plan
        .cameras
        .iter()
        .find(|c| c.old.model.as_deref() == Some("DS-2CD2143G2-I"))
        .unwrap();
    assert!(
        cam.recorder.is_none() && cam.replacement.is_some(),
        "{cam:#?}"
    );

    let out = camswap(
        dir.path(),
        &[
            "plan",
            "inventory.json",
            "--catalog",
            "builtin:example",
            "--format",
            "table",
        ],
    );
    let dry = String::from_utf8_lossy(&out.stdout);
    assert!(
        dry.contains("2 recorders (replaced as recorders)") && dry.contains("→ RECORDER (NVR)"),
        "{dry}"
    );
    assert!(
        dry.contains(
            "- channel Camera 03 (VideoSource_3): Profile_301 (2560x1440), Profile_302 (640x360)"
        ),
        "{dry}"
    );
    drop((hik_nvr, dahua_nvr, camera));
}
