//! Audit throughput on a synthetic site (`cargo bench --bench audit`).
//!
//! Baseline, measured in the same run: parsing the same inventory from JSON, the step every
//! audit starts with. The audit's cost is quoted as a ratio to it, and per device.

use std::hint::black_box;
use std::time::Instant;

use camswap::audit::{self, OuiTable, Policy, report};
use camswap::inventory::Inventory;
use camswap::model::{DeviceSnapshot, Identity, MediaProfile, NetworkInterface, Scope};

/// Manufacturer, model, firmware, OUI, stream path, scopes.
type Kind = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

const KINDS: &[Kind] = &[
    (
        "HIKVISION",
        "DS-2CD2143G2-I",
        "V5.7.3 build 220112",
        "44:19:b6",
        "/Streaming/Channels/101",
        &["name/HIKVISION%20DS-2CD2143G2-I", "location/city/hangzhou"],
    ),
    (
        "Dahua",
        "IPC-HDW2431T-AS",
        "2.800.0000018.0.R",
        "3c:ef:8c",
        "/cam/realmonitor?channel=1&subtype=0",
        &["name/Dahua", "location/country/china"],
    ),
    (
        "Amcrest",
        "IP8M-2496EB",
        "V2.800.00AC000.0.R",
        "9c:8e:cd",
        "/cam/realmonitor?channel=1&subtype=0",
        &["name/Amcrest"],
    ),
    (
        "AXIS",
        "P3265-LVE",
        "11.8.64",
        "ac:cc:8e",
        "/axis-media/media.amp",
        &["name/AXIS%20P3265-LVE"],
    ),
    (
        "Bosch",
        "FLEXIDOME IP 5100i",
        "7.80.0128",
        "00:04:63",
        "/rtsp_tunnel?p=0",
        &["name/FLEXIDOME"],
    ),
    (
        "Hanwha Vision",
        "XNV-6080R",
        "2.21.02_20230815",
        "e4:30:22",
        "/profile2/media.smp",
        &["name/XNV-6080R"],
    ),
    (
        "LTS",
        "CMIP3C42W-28",
        "V5.7.3 build 220112",
        "44:19:b6",
        "/Streaming/Channels/101",
        &["name/LTS"],
    ),
    ("Acme", "X1", "1.0.0", "00:e0:fc", "/live", &[]),
];

fn site(n: usize) -> Vec<DeviceSnapshot> {
    (0..n)
        .map(|i| {
            let (m, model, fw, oui, path, scopes) = KINDS[i % KINDS.len()];
            let mac = format!(
                "{oui}:{:02x}:{:02x}:{:02x}",
                (i >> 16) & 0xff,
                (i >> 8) & 0xff,
                i & 0xff
            );
            let host = format!("10.{}.{}.{}", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
            DeviceSnapshot {
                id: format!("mac:{mac}"),
                xaddr: format!("http://{host}/onvif/device_service"),
                identity: Identity {
                    manufacturer: Some(m.into()),
                    model: Some(model.into()),
                    firmware_version: Some(fw.into()),
                    serial_number: Some(format!("{model}{i:09}")),
                    hardware_id: None,
                },
                network: camswap::model::Network {
                    interfaces: vec![NetworkInterface {
                        token: "eth0".into(),
                        mac: Some(mac),
                        enabled: true,
                        ..Default::default()
                    }],
                    ..Default::default()
                },
                scopes: scopes
                    .iter()
                    .map(|s| Scope {
                        uri: format!("onvif://www.onvif.org/{s}"),
                        fixed: true,
                    })
                    .collect(),
                profiles: (1..=2)
                    .map(|p| MediaProfile {
                        token: format!("Profile_{p}"),
                        stream_uri: Some(format!("rtsp://{host}:554{path}")),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }
        })
        .collect()
}

fn time<T>(label: &str, n: usize, f: impl FnOnce() -> T) -> (f64, T) {
    let t = Instant::now();
    let out = black_box(f());
    let s = t.elapsed().as_secs_f64();
    println!(
        "{label:<44} {s:>8.3} s  {:>8.2} µs/device",
        s * 1e6 / n as f64
    );
    (s, out)
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let policies = Policy::builtins();
    let builtin = OuiTable::builtin();
    let mut registry = OuiTable::builtin();
    for f in ["oui.csv", "mam.csv", "oui36.csv"] {
        let p = std::path::Path::new("/usr/share/ieee-data").join(f);
        if p.exists() {
            registry.load_csv(&p).expect("registry parses");
        }
    }
    let json = serde_json::to_vec(&Inventory::new(site(n))).unwrap();
    println!(
        "{n} devices, inventory {:.1} MB, registry {} assignments",
        json.len() as f64 / 1e6,
        registry.len()
    );

    let (parse, inv) = time("baseline: parse inventory.json", n, || {
        serde_json::from_slice::<Inventory>(&json).unwrap()
    });
    let (a1, r) = time("audit, built-in OUI table", n, || {
        audit::audit(&inv.devices, &policies, &builtin)
    });
    let (a2, _) = time("audit, full IEEE registry", n, || {
        audit::audit(&inv.devices, &policies, &registry)
    });
    let (j, _) = time("render json", n, || report::json(&r));
    let (h, _) = time("render html", n, || report::html(&r));
    println!(
        "ratios to the baseline: audit {:.2}x (registry {:.2}x), json {:.2}x, html {:.2}x; flagged {}",
        a1 / parse,
        a2 / parse,
        j / parse,
        h / parse,
        r.summary.flagged()
    );
}
