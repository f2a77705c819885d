//! Vendor discovery (issue 12): a Hikvision persona with ONVIF off is found by SADP and a Dahua
//! persona with ONVIF off by DHIP, both by directed probes to their loopback addresses on the
//! real ports; `camswap inventory` records them as "ONVIF off" with what their answers say, and
//! `camswap audit` flags both (exit 10).

use std::net::Ipv4Addr;

use camswap::audit::{AuditReport, Signal, Verdict};
use camswap::discovery::DevicesFile;
use camswap::model::VendorProtocol;
use mock_devices::vendor_discovery::{DHIP_PORT, SADP_PORT};
use mock_devices::{DeviceConfig, MockDevice, Persona};

use crate::support::{cli, mock};

fn camswap(args: &[&str]) -> std::process::Output {
    cli::camswap().args(args).output().unwrap()
}

async fn onvif_off(persona: &str, ip: Ipv4Addr, port: u16) -> MockDevice {
    let config = DeviceConfig::new(mock::builtin(persona), (ip, 0).into())
        .vendor_discovery_port(port)
        .onvif_off(true);
    MockDevice::start(config).await.expect("mock starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onvif_off_hikvision_and_dahua_are_found_by_sadp_and_dhip_and_flagged() {
    let hik_ip = Ipv4Addr::new(127, 0, 22, 1);
    let dahua_ip = Ipv4Addr::new(127, 0, 22, 2);
    let hik = onvif_off("hikvision-ds2cd2143g2", hik_ip, SADP_PORT).await;
    let dahua = onvif_off("dahua-ipc-hdw2431t", dahua_ip, DHIP_PORT).await;

    // The web server answers, ONVIF does not.
    let resp = reqwest::Client::new()
        .post(hik.xaddr())
        .body("<x/>")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    assert_eq!(resp.headers()["server"], "App-webs/");

    let dir = tempfile::tempdir().unwrap();
    let devices = dir.path().join("devices.json");
    let (a, b) = (hik_ip.to_string(), dahua_ip.to_string());
    let out = camswap(&[
        "discover",
        "--target",
        &a,
        "--target",
        &b,
        "--timeout",
        "1",
        "--format",
        "json",
        "-o",
        devices.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file: DevicesFile =
        serde_json::from_str(&std::fs::read_to_string(&devices).unwrap()).unwrap();
    assert_eq!(file.devices.len(), 2, "{file:#?}");
    let by_ip = |ip: Ipv4Addr| {
        file.devices
            .iter()
            .find(|d| d.from == std::net::IpAddr::V4(ip))
            .unwrap()
    };
    // As the personas declare them (mock-devices/personas/*.toml).
    let h = by_ip(hik_ip);
    assert!(h.xaddr.is_none() && h.endpoint.starts_with("urn:camswap:sadp:"));
    assert_eq!(h.vendor[0].protocol, Some(VendorProtocol::Sadp));
    assert_eq!(h.vendor[0].model.as_deref(), Some("DS-2CD2143G2-I"));
    assert_eq!(h.vendor[0].onvif, Some(false));
    assert!(h.vendor[0].firmware.as_deref().unwrap().starts_with('V'));
    let d = by_ip(dahua_ip);
    assert_eq!(d.vendor[0].protocol, Some(VendorProtocol::Dhip));
    assert_eq!(d.vendor[0].model.as_deref(), Some("IPC-HDW2431T-AS"));
    assert_eq!(d.vendor[0].serial.as_deref(), Some("6J0A8B5PAG12345"));

    // The table says "ONVIF off".
    let out = camswap(&[
        "discover",
        "--target",
        &a,
        "--protocols",
        "sadp",
        "--timeout",
        "1",
        "--format",
        "table",
    ]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("ONVIF off") && table.contains("SADP: DS-2CD2143G2-I"),
        "{table}"
    );

    let inventory = dir.path().join("inventory.json");
    let out = camswap(&[
        "inventory",
        devices.to_str().unwrap(),
        "-o",
        inventory.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = camswap(&["audit", inventory.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(10));
    let report: AuditReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.devices.len(), 2);
    for (company, protocol) in [("hikvision", "SADP"), ("dahua", "DHIP")] {
        let v = report
            .devices
            .iter()
            .find(|v| v.company.as_deref() == Some(company))
            .unwrap_or_else(|| panic!("{company}: {report:#?}"));
        assert!(v.verdict.flagged(), "{v:#?}");
        assert_eq!(v.verdict, Verdict::Covered, "{v:#?}");
        assert_eq!(v.device.access.as_deref(), Some("ONVIF off"));
        assert_eq!(v.device.found_by, [protocol]);
        assert!(v.device.serial.is_some() && v.device.mac.is_some());
        let signals: Vec<Signal> = v.deciding().map(|e| e.signal).collect();
        for s in [Signal::VendorDiscovery, Signal::Model, Signal::MacOui] {
            assert!(
                signals.contains(&s),
                "{company}: {s:?} missing: {signals:?}"
            );
        }
        assert!(v.reason.contains("enable ONVIF"), "{}", v.reason);
    }

    // Issue 12 item 2: the plan says, per camera, that ONVIF must be enabled (or the camera
    // read by hand) before it can be migrated, and picks no model for what it could not read.
    let out = camswap(&[
        "plan",
        inventory.to_str().unwrap(),
        "--catalog",
        "builtin:example",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: camswap::planner::plan::Plan = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan.cameras.len(), 2, "{plan:#?}");
    // Model and serial as the personas declare them.
    for (protocol, model, serial) in [
        (
            "SADP",
            "DS-2CD2143G2-I",
            "DS-2CD2143G2-I20220315AAWRJ12345678",
        ),
        ("DHIP", "IPC-HDW2431T-AS", "6J0A8B5PAG12345"),
    ] {
        let c = plan
            .cameras
            .iter()
            .find(|c| c.old.model.as_deref() == Some(model))
            .unwrap_or_else(|| panic!("{model}: {plan:#?}"));
        let e = c
            .errors
            .iter()
            .find(|e| e.starts_with("ONVIF is off"))
            .unwrap_or_else(|| panic!("{model}: {:?}", c.errors));
        assert!(
            e.contains(&format!(
                "found only by {protocol}: model {model} serial {serial}"
            )) && e
                .contains("enable ONVIF on the camera (or read its streams and settings by hand)"),
            "{e}"
        );
        assert!(c.replacement.is_none() && c.steps.is_empty() && c.wave.is_none());
        assert!(c.no_suitable_model.is_none() && c.out_of_stock.is_none());
    }
    let out = camswap(&[
        "plan",
        inventory.to_str().unwrap(),
        "--catalog",
        "builtin:example",
        "--format",
        "table",
    ]);
    let dry = String::from_utf8_lossy(&out.stdout);
    assert!(
        dry.contains("2 with ONVIF off (enable ONVIF, then inventory again)")
            && dry.contains("✗ ONVIF is off (found only by SADP: model DS-2CD2143G2-I"),
        "{dry}"
    );
    drop((hik, dahua));
}

/// A recorder that advertises only `tds:Device` (no NetworkVideoTransmitter type): the default
/// Probe carries no Types filter, so it is found, inventoried and audited like a camera.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorder_advertising_only_device_type_is_found_and_audited() {
    let ip = Ipv4Addr::new(127, 0, 22, 3);
    let mut p = mock::builtin("hikvision-ds2cd2143g2");
    p.discovery.types = vec!["tds:Device".into()];
    let (device, port) = mock::start_with_discovery(p, ip).await;
    let target = format!("{ip}:{port}");
    let out = camswap(&[
        "discover",
        "--target",
        &target,
        "--protocols",
        "onvif",
        "--timeout",
        "1",
        "--format",
        "json",
    ]);
    let file: DevicesFile = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(file.devices.len(), 1, "{file:#?}");
    assert!(
        file.devices[0]
            .types
            .iter()
            .all(|t| !t.contains("NetworkVideoTransmitter")),
        "{:?}",
        file.devices[0].types
    );
    drop(device);
}

/// Issue 12 item 2, multicast: `camswap discover` with no target sends the SADP inquiry to
/// 239.255.255.250:37020 and the DHIP search to 239.255.255.251:37810; the mock units hear
/// them only through their group membership. Runs in a loopback-only network namespace of its
/// own (root, as CI runs), so nothing leaves the machine. A third unit that has not joined
/// its group must stay unheard: the answers came through the groups, not by unicast.
#[test]
fn sadp_and_dhip_multicast_find_onvif_off_units_in_a_network_namespace() {
    crate::discovery::require_root();
    let ns = crate::discovery::Netns::create();
    let path = format!("/var/run/netns/{}", ns.name);
    let ns_name = ns.name.clone();
    let (hik_ip, dahua_ip, deaf_ip) = (
        Ipv4Addr::new(127, 0, 0, 21),
        Ipv4Addr::new(127, 0, 0, 22),
        Ipv4Addr::new(127, 0, 0, 23),
    );
    let out = std::thread::spawn(move || {
        let f = std::fs::File::open(&path).expect("the namespace file exists");
        nix::sched::setns(&f, nix::sched::CloneFlags::CLONE_NEWNET).expect("setns");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let start = |persona: &str, ip: Ipv4Addr, port: u16, join: bool| {
                let config = DeviceConfig::new(Persona::builtin(persona).unwrap(), (ip, 0).into())
                    .vendor_discovery_port(port)
                    .vendor_multicast(join)
                    .onvif_off(true);
                MockDevice::start(config)
            };
            let hik = start("hikvision-ds2cd2143g2", hik_ip, SADP_PORT, true)
                .await
                .expect("joins 239.255.255.250");
            let dahua = start("dahua-ipc-hdw2431t", dahua_ip, DHIP_PORT, true)
                .await
                .expect("joins 239.255.255.251");
            let deaf = start("hikvision-ds7608ni-k2", deaf_ip, SADP_PORT, false)
                .await
                .unwrap();
            let out = tokio::process::Command::new("ip")
                .args(["netns", "exec", &ns_name, env!("CARGO_BIN_EXE_camswap")])
                .args([
                    "discover",
                    "--protocols",
                    "sadp,dhip",
                    "--timeout",
                    "1",
                    "--format",
                    "json",
                ])
                .env_remove("CAMSWAP_LOG")
                .output()
                .await
                .unwrap();
            drop((hik, dahua, deaf));
            out
        })
    })
    .join()
    .expect("the namespace thread did not panic");
    drop(ns);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file: DevicesFile = serde_json::from_slice(&out.stdout).unwrap();
    let mut found: Vec<(std::net::IpAddr, Option<VendorProtocol>, Option<String>)> = file
        .devices
        .iter()
        .map(|d| (d.from, d.vendor[0].protocol, d.vendor[0].model.clone()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            (
                hik_ip.into(),
                Some(VendorProtocol::Sadp),
                Some("DS-2CD2143G2-I".to_owned())
            ),
            (
                dahua_ip.into(),
                Some(VendorProtocol::Dhip),
                Some("IPC-HDW2431T-AS".to_owned())
            ),
        ],
        "{file:#?}"
    );
    assert!(
        file.devices
            .iter()
            .all(|d| d.vendor[0].onvif == Some(false))
    );
}
