//! `camswap audit`: verdicts on snapshots shaped like the mock personas report them, the
//! built-in OUI table against Debian's IEEE registry, the HTML report in headless Chromium,
//! policy file errors, and the command's exit codes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use camswap::audit::{self, AuditReport, DeviceVerdict, OuiTable, Policy, Signal, Verdict};
use camswap::inventory::Inventory;
use camswap::model::{DeviceSnapshot, Identity, MediaProfile, NetworkInterface, ReadError, Scope};

// ---------------------------------------------------------------------------------------------
// Snapshots as the inventory reader produces them from the mock personas.

struct Cam {
    manufacturer: &'static str,
    model: &'static str,
    firmware: &'static str,
    serial: &'static str,
    mac: &'static str,
    scopes: &'static [(&'static str, bool)],
    streams: &'static [&'static str],
    endpoint: Option<&'static str>,
}

fn snapshot(c: &Cam, host: &str) -> DeviceSnapshot {
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let mut s = DeviceSnapshot {
        xaddr: format!("http://{host}/onvif/device_service"),
        endpoint: c.endpoint.map(Into::into),
        identity: Identity {
            manufacturer: opt(c.manufacturer),
            model: opt(c.model),
            firmware_version: opt(c.firmware),
            serial_number: opt(c.serial),
            hardware_id: Some("1.00".into()),
        },
        scopes: c
            .scopes
            .iter()
            .map(|(u, fixed)| Scope {
                uri: format!("onvif://www.onvif.org/{u}"),
                fixed: *fixed,
            })
            .collect(),
        profiles: c
            .streams
            .iter()
            .enumerate()
            .map(|(i, path)| MediaProfile {
                token: format!("Profile_{}", i + 1),
                name: format!("Profile {}", i + 1),
                stream_uri: Some(format!("rtsp://{host}:554{path}")),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    if !c.mac.is_empty() {
        s.network.interfaces.push(NetworkInterface {
            token: "eth0".into(),
            name: Some("eth0".into()),
            enabled: true,
            mac: Some(c.mac.into()),
            ipv4: None,
        });
    }
    s.id = s.stable_id();
    s.seal();
    s
}

const HIK_FIXED: Cam = Cam {
    manufacturer: "HIKVISION",
    model: "DS-2CD2143G2-I",
    firmware: "V5.7.3 build 220112",
    serial: "DS-2CD2143G2-I20220301AAWRJ12345678",
    mac: "44:19:b6:6a:01:02",
    scopes: &[
        ("type/video_encoder", true),
        ("Profile/Streaming", true),
        ("hardware/DS-2CD2143G2-I", true),
        ("name/HIKVISION%20DS-2CD2143G2-I", true),
        ("location/city/hangzhou", false),
    ],
    streams: &["/Streaming/Channels/101", "/Streaming/Channels/102"],
    endpoint: Some("urn:uuid:4f6e7669-6600-11b5-83f6-4419b66a0102"),
};

const HIK_PTZ: Cam = Cam {
    manufacturer: "HIKVISION",
    model: "DS-2DE4425IW-DE",
    firmware: "V5.6.18 build 210428",
    serial: "DS-2DE4425IW-DE20210601AAWRJ87654321",
    mac: "44:19:b6:6a:01:03",
    scopes: &[
        ("hardware/DS-2DE4425IW-DE", true),
        ("name/HIKVISION%20DS-2DE4425IW-DE", true),
        ("location/city/hangzhou", false),
    ],
    streams: &["/Streaming/Channels/101"],
    endpoint: None,
};

const DAHUA_FIXED: Cam = Cam {
    manufacturer: "Dahua",
    model: "IPC-HDW2431T-AS",
    firmware: "2.800.0000018.0.R",
    serial: "6G0A1B2PAZ12345",
    mac: "3c:ef:8c:11:22:33",
    scopes: &[
        ("location/country/china", false),
        ("name/Dahua", true),
        ("hardware/IPC-HDW2431T-AS", true),
        ("Profile/Streaming", true),
    ],
    streams: &[
        "/cam/realmonitor?channel=1&subtype=0",
        "/cam/realmonitor?channel=1&subtype=1",
    ],
    endpoint: None,
};

const DAHUA_PTZ: Cam = Cam {
    manufacturer: "Dahua",
    model: "SD49225XA-HNR",
    firmware: "2.811.0000013.0.R, Build Date 2023-12-20",
    serial: "7H0C3D4PAZ00001",
    mac: "3c:ef:8c:11:22:34",
    scopes: &[("name/Dahua", true), ("hardware/SD49225XA-HNR", true)],
    streams: &["/cam/realmonitor?channel=1&subtype=0"],
    endpoint: None,
};

const AMCREST: Cam = Cam {
    manufacturer: "Amcrest",
    model: "IP8M-2496EB",
    firmware: "V2.800.00AC000.0.R",
    serial: "AMC0123456789ABCDE",
    mac: "9c:8e:cd:01:02:03",
    scopes: &[("name/Amcrest", true), ("hardware/IP8M-2496EB", true)],
    streams: &["/cam/realmonitor?channel=1&subtype=0"],
    endpoint: None,
};

const AXIS_P3265: Cam = Cam {
    manufacturer: "AXIS",
    model: "P3265-LVE",
    firmware: "11.8.64",
    serial: "ACCC8E112233",
    mac: "ac:cc:8e:11:22:33",
    scopes: &[
        ("name/AXIS%20P3265-LVE", true),
        ("hardware/P3265-LVE", true),
        ("location/country/sweden", false),
    ],
    streams: &["/axis-media/media.amp?videocodec=h264&resolution=1920x1080"],
    endpoint: Some("urn:uuid:5ec8c09f-5f2a-4d8c-9b6a-accc8e112233"),
};

const AXIS_Q6135: Cam = Cam {
    manufacturer: "AXIS",
    model: "Q6135-LE",
    firmware: "10.12.199",
    serial: "B8A44F445566",
    mac: "b8:a4:4f:44:55:66",
    scopes: &[("name/AXIS%20Q6135-LE", true), ("hardware/Q6135-LE", true)],
    streams: &["/axis-media/media.amp"],
    endpoint: None,
};

const BOSCH: Cam = Cam {
    manufacturer: "Bosch",
    model: "FLEXIDOME IP 5100i",
    firmware: "7.80.0128",
    serial: "404754321",
    mac: "00:04:63:aa:bb:cc",
    scopes: &[("name/FLEXIDOME%20IP%205100i", true)],
    streams: &["/rtsp_tunnel?p=0&h26x=4&vcd=2"],
    endpoint: None,
};

const HANWHA: Cam = Cam {
    manufacturer: "Hanwha Vision",
    model: "XNV-6080R",
    firmware: "2.21.02_20230815",
    serial: "ZGDC70000123",
    mac: "e4:30:22:01:23:45",
    scopes: &[("name/XNV-6080R", true)],
    streams: &["/profile2/media.smp"],
    endpoint: None,
};

const IPRO: Cam = Cam {
    manufacturer: "i-PRO",
    model: "WV-X6533LN",
    firmware: "1.80",
    serial: "DKA1234567",
    mac: "d4:2d:c5:98:76:54",
    scopes: &[("name/WV-X6533LN", true)],
    streams: &["/MediaInput/h264/stream_1"],
    endpoint: None,
};

/// A Hikvision unit sold as LTS: the OEM changed the name, not the firmware or the NIC.
const LTS_RENAMED: Cam = Cam {
    manufacturer: "LTS",
    model: "CMIP3C42W-28",
    firmware: "V5.7.3 build 220112",
    serial: "CMIP3C42W-2820220301AAWRJ11111111",
    mac: "44:19:b6:7c:00:01",
    scopes: &[
        ("name/LTS%20CMIP3C42W-28", true),
        ("hardware/CMIP3C42W-28", true),
        ("location/city/hangzhou", false),
    ],
    streams: &["/Streaming/Channels/101"],
    endpoint: None,
};

/// A Dahua unit sold as Lorex.
const LOREX_RENAMED: Cam = Cam {
    manufacturer: "Lorex",
    model: "LNE8974B",
    firmware: "2.800.0000018.0.R",
    serial: "ND0219080012345",
    mac: "3c:ef:8c:55:66:77",
    scopes: &[("name/Lorex", true), ("hardware/LNE8974B", true)],
    streams: &["/cam/realmonitor?channel=1&subtype=0"],
    endpoint: None,
};

/// A rebranded unit whose MAC is locally administered: only firmware, URI and scopes decide.
const LA_REBRAND: Cam = Cam {
    manufacturer: "Acme Vision",
    model: "AV-4MP-T",
    firmware: "V5.5.801 build 211105",
    serial: "",
    mac: "06:12:34:56:78:9a",
    scopes: &[
        ("name/Acme%20Vision", false),
        ("location/city/hangzhou", true),
    ],
    streams: &["/Streaming/Channels/101"],
    endpoint: None,
};

/// A Uniview camera as it reports itself (identity, namespaces and firmware grammar from
/// ../shared/captures/uniview; Uniview OUI 48:EA:63 from the IEEE registry).
const UNIVIEW: Cam = Cam {
    manufacturer: "Uniview",
    model: "IPC322LB-SF28-A",
    firmware: "IPC_G6106-B0005P11D1812C03",
    serial: "210235C3EG3194000123",
    mac: "48:ea:63:12:34:56",
    scopes: &[
        ("name/Uniview", true),
        ("hardware/IPC322LB-SF28-A", true),
        ("Profile/Streaming", true),
    ],
    streams: &["/media/video1"],
    endpoint: None,
};

// --- The three false positives of issue 12 -------------------------------------------------

/// An Axis whose stream path is Hikvision-shaped (an integrator configured it so the VMS
/// template of the old camera keeps working).
const AXIS_HIK_PATH: Cam = Cam {
    streams: &["/Streaming/Channels/101"],
    ..AXIS_P3265
};

/// An Axis whose owner-set name scope mentions Hikvision.
const AXIS_OWNER_NAME: Cam = Cam {
    scopes: &[
        ("hardware/P3265-LVE", true),
        ("name/Replaces%20Hikvision%20lobby", false),
    ],
    ..AXIS_P3265
};

/// An unknown camera: a `hangzhou` location scope and an endpoint UUID ending in its MAC,
/// whose prefix is Realtek's (a NIC chip maker; only the full registry names it).
const HANGZHOU_UNKNOWN: Cam = Cam {
    manufacturer: "IPCAM",
    model: "H264-1080P",
    firmware: "3.2.1",
    serial: "",
    mac: "00:e0:4c:68:01:02",
    scopes: &[("location/city/hangzhou", true), ("name/IPCAM", true)],
    streams: &["/live/ch0"],
    endpoint: Some("urn:uuid:2419d68a-2dd2-21b2-a5bc-00e04c680102"),
};

fn site() -> Vec<(&'static str, DeviceSnapshot)> {
    [
        ("hik-fixed", HIK_FIXED),
        ("hik-ptz", HIK_PTZ),
        ("dahua-fixed", DAHUA_FIXED),
        ("dahua-ptz", DAHUA_PTZ),
        ("amcrest", AMCREST),
        ("axis-p3265", AXIS_P3265),
        ("axis-q6135", AXIS_Q6135),
        ("bosch", BOSCH),
        ("hanwha", HANWHA),
        ("ipro", IPRO),
        ("lts", LTS_RENAMED),
        ("lorex", LOREX_RENAMED),
        ("la-rebrand", LA_REBRAND),
    ]
    .iter()
    .enumerate()
    .map(|(i, (n, c))| (*n, snapshot(c, &format!("127.0.10.{}", i + 1))))
    .collect()
}

fn verdicts() -> BTreeMap<&'static str, DeviceVerdict> {
    let site = site();
    let snaps: Vec<DeviceSnapshot> = site.iter().map(|(_, s)| s.clone()).collect();
    let report = audit::audit(&snaps, &Policy::builtins(), &OuiTable::builtin());
    site.iter()
        .map(|(n, s)| {
            let v = report
                .devices
                .iter()
                .find(|d| d.id == s.id)
                .unwrap()
                .clone();
            (*n, v)
        })
        .collect()
}

fn deciding(v: &DeviceVerdict) -> BTreeSet<Signal> {
    v.deciding().map(|e| e.signal).collect()
}

fn assert_verdict(v: &DeviceVerdict, verdict: Verdict, company: Option<&str>, min_conf: f64) {
    assert_eq!(v.verdict, verdict, "{}: {v:#?}", v.id);
    assert_eq!(v.company.as_deref(), company, "{}", v.id);
    assert!(
        v.confidence >= min_conf,
        "{}: confidence {}",
        v.id,
        v.confidence
    );
}

#[test]
fn hikvision_personas_are_covered_with_every_signal_named() {
    let all = verdicts();
    for name in ["hik-fixed", "hik-ptz"] {
        let v = &all[name];
        assert_verdict(v, Verdict::Covered, Some("hikvision"), 0.99);
        assert_eq!(v.policies, ["uk-2022", "ndaa-889"]);
        let s = deciding(v);
        for sig in [
            Signal::Manufacturer,
            Signal::NameScope,
            Signal::Model,
            Signal::HardwareScope,
            Signal::Firmware,
            Signal::MacOui,
            Signal::StreamUri,
            Signal::Scope,
        ] {
            assert!(s.contains(&sig), "{name} lacks {sig:?}: {s:?}");
        }
        assert!(
            v.reason
                .starts_with("Reports manufacturer \"HIKVISION\" (names Hikvision); "),
            "{}",
            v.reason
        );
    }
    // The fixed camera's endpoint UUID ends in its MAC: the Hikvision habit is evidence too.
    let fixed = &all["hik-fixed"];
    assert!(deciding(fixed).contains(&Signal::EndpointUuid));
    let fw = fixed
        .deciding()
        .find(|e| e.signal == Signal::Firmware)
        .unwrap();
    assert_eq!(fw.observed, "V5.7.3 build 220112");
    assert!(fw.note.as_deref().unwrap().contains("built 2022-01-12"));
    let mac = fixed
        .deciding()
        .find(|e| e.signal == Signal::MacOui)
        .unwrap();
    assert!(
        mac.rule.contains("44:19:B6") && mac.rule.contains("Hikvision"),
        "{}",
        mac.rule
    );
    assert!(mac.source.as_deref().unwrap().contains("ieee-data"));
}

#[test]
fn dahua_personas_are_covered() {
    let all = verdicts();
    for name in ["dahua-fixed", "dahua-ptz"] {
        let v = &all[name];
        assert_verdict(v, Verdict::Covered, Some("dahua"), 0.99);
        let s = deciding(v);
        for sig in [
            Signal::Manufacturer,
            Signal::Model,
            Signal::Firmware,
            Signal::MacOui,
            Signal::StreamUri,
        ] {
            assert!(s.contains(&sig), "{name} lacks {sig:?}: {s:?}");
        }
    }
    let fixed = &all["dahua-fixed"];
    let scope = fixed
        .deciding()
        .find(|e| e.signal == Signal::Scope)
        .expect("the china location scope");
    assert_eq!(scope.observed, "location/country/china");
    // Configurable scopes weigh less than the policy's 0.35.
    assert!(scope.confidence < 0.35);
}

#[test]
fn amcrest_is_a_dahua_white_label_named_by_firmware_oui_and_uri() {
    let v = &verdicts()["amcrest"];
    assert_verdict(v, Verdict::WhiteLabel, Some("dahua"), 0.95);
    assert_eq!(v.company_name.as_deref(), Some("Dahua"));
    let s = deciding(v);
    for sig in [Signal::Firmware, Signal::StreamUri, Signal::OemBrand] {
        assert!(s.contains(&sig), "{sig:?}: {s:?}");
    }
    let fw = v.deciding().find(|e| e.signal == Signal::Firmware).unwrap();
    assert!(
        fw.note
            .as_deref()
            .unwrap()
            .contains("Amcrest (a Dahua OEM)"),
        "{:?}",
        fw.note
    );
    // The Amcrest OUI is Amcrest's own block: it restates the OEM relation.
    assert!(v.deciding().any(|e| e.signal == Signal::OemBrand
        && e.observed == "9c:8e:cd:01:02:03"
        && e.rule.contains("Amcrest Technologies, a known Dahua OEM")));
    assert!(v.reason.starts_with("Sold as \"Amcrest\""), "{}", v.reason);
}

#[test]
fn lts_renamed_hikvision_is_a_white_label_of_hikvision() {
    let v = &verdicts()["lts"];
    assert_verdict(v, Verdict::WhiteLabel, Some("hikvision"), 0.95);
    let s = deciding(v);
    for sig in [
        Signal::OemBrand,
        Signal::Firmware,
        Signal::MacOui,
        Signal::StreamUri,
    ] {
        assert!(s.contains(&sig), "{sig:?}: {s:?}");
    }
    assert!(
        v.reason.contains("LTS is a known Hikvision OEM"),
        "{}",
        v.reason
    );
    assert!(v.reason.contains("firmware"), "{}", v.reason);
}

#[test]
fn lorex_renamed_dahua_is_a_white_label_of_dahua() {
    let v = &verdicts()["lorex"];
    assert_verdict(v, Verdict::WhiteLabel, Some("dahua"), 0.95);
    let s = deciding(v);
    for sig in [Signal::Firmware, Signal::MacOui, Signal::StreamUri] {
        assert!(s.contains(&sig), "{sig:?}: {s:?}");
    }
}

#[test]
fn locally_administered_rebrand_is_decided_by_firmware_uri_and_scopes() {
    let v = &verdicts()["la-rebrand"];
    assert_verdict(v, Verdict::WhiteLabel, Some("hikvision"), 0.9);
    let s = deciding(v);
    assert_eq!(
        s,
        BTreeSet::from([Signal::Firmware, Signal::StreamUri, Signal::Scope]),
        "{v:#?}"
    );
    let mac = v
        .evidence
        .iter()
        .find(|e| e.signal == Signal::MacOui)
        .expect("the MAC is still reported");
    assert_eq!(mac.company, None);
    assert!(
        mac.note
            .as_deref()
            .unwrap()
            .contains("locally administered")
    );
}

#[test]
fn approved_vendors_are_clear_and_their_oui_is_named() {
    let all = verdicts();
    for (name, org) in [
        ("axis-p3265", "Axis Communications AB"),
        ("axis-q6135", "Axis Communications AB"),
        ("bosch", "Bosch Security Systems"),
        ("hanwha", "Hanwha Techwin Security Vietnam"),
        ("ipro", "i-PRO Co., Ltd."),
    ] {
        let v = &all[name];
        assert_verdict(v, Verdict::Clear, None, 0.9);
        assert!(v.evidence.iter().all(|e| e.company.is_none()), "{name}");
        assert!(
            v.evidence
                .iter()
                .any(|e| e.signal == Signal::MacOui && e.rule.contains(org)),
            "{name}: {:#?}",
            v.evidence
        );
    }
}

#[test]
fn snapshot_without_identity_is_unknown() {
    let mut s = DeviceSnapshot {
        xaddr: "http://127.0.10.99/onvif/device_service".into(),
        ..Default::default()
    };
    s.errors.push(ReadError {
        operation: "device.GetDeviceInformation".into(),
        reason: "connection refused".into(),
    });
    s.id = s.stable_id();
    let r = audit::audit(&[s], &Policy::builtins(), &OuiTable::builtin());
    assert_eq!(r.devices[0].verdict, Verdict::Unknown);
    assert_eq!(r.summary.unknown, 1);
    assert!(r.flagged().is_empty());
}

// ---------------------------------------------------------------------------------------------
// The built-in OUI table against Debian's ieee-data.

const IEEE_DIR: &str = "/usr/share/ieee-data";

fn registry() -> OuiTable {
    let mut t = OuiTable::empty();
    for f in ["oui.csv", "mam.csv", "oui36.csv"] {
        let p = Path::new(IEEE_DIR).join(f);
        assert!(
            p.exists(),
            "{} is missing: install Debian's ieee-data (apt-get install ieee-data); .ci/run does",
            p.display()
        );
        t.load_csv(&p).unwrap();
    }
    t
}

/// Which covered company (by the built-in policies' own matching) an organisation belongs to.
fn owner(policies: &[Policy], org: &str) -> Option<String> {
    policies
        .iter()
        .flat_map(|p| &p.companies)
        .find(|c| c.claims_organisation(org).is_some())
        .map(|c| c.id.clone())
}

#[test]
fn builtin_oui_table_agrees_with_debian_ieee_data() {
    let registry = registry();
    let builtin = OuiTable::builtin();
    let by_prefix: BTreeMap<&str, &str> = registry
        .assignments()
        .iter()
        .map(|a| (a.prefix.as_str(), a.organisation.as_str()))
        .collect();
    // Every built-in row is in the registry, assigned to the same organisation.
    for a in builtin.assignments() {
        assert_eq!(
            by_prefix.get(a.prefix.as_str()).copied(),
            Some(a.organisation.as_str()),
            "built-in {} {}",
            a.prefix,
            a.organisation
        );
    }
    let policies = Policy::builtins();
    let built: BTreeSet<&str> = builtin
        .assignments()
        .iter()
        .map(|a| a.prefix.as_str())
        .collect();
    let mut orgs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for a in registry.assignments() {
        let Some(company) = owner(&policies, &a.organisation) else {
            continue;
        };
        orgs.entry(company.clone())
            .or_default()
            .insert(a.organisation.clone());
        *counts.entry(company.clone()).or_default() += 1;
        // Complete: no registry block of a covered company is missing.
        assert!(
            built.contains(a.prefix.as_str()),
            "registry assigns {} to {} ({company}) but the built-in table lacks it",
            a.prefix,
            a.organisation
        );
    }
    // Exactly these registrants belong to the covered companies: look-alikes stay out.
    let expect = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        orgs["hikvision"],
        expect(&[
            "Hangzhou Ezviz Software Co.,Ltd.",
            "Hangzhou Hikrobot Technology Co., Ltd.",
            "Hangzhou Hikvision Digital Technology Co.,Ltd.",
            "Hangzhou Microimage Software Co., Ltd",
            "Prama Hikvision India Private Limited",
        ])
    );
    assert_eq!(
        orgs["dahua"],
        expect(&[
            "Zhejiang Dahua Technology Co., Ltd.",
            "hangzhou huacheng network technology co., ltd",
        ])
    );
    assert_eq!(
        orgs["huawei"],
        expect(&[
            "HUAWEI TECHNOLOGIES CO.,LTD",
            "Huawei Device Co., Ltd.",
            "Huawei Symantec Technologies Co.,Ltd.",
            "Huawei Technologies Co., Ltd.",
        ])
    );
    assert_eq!(orgs["zte"], expect(&["zte corporation"]));
    assert_eq!(
        orgs["hytera"],
        expect(&[
            "Hytera Communications Co .,ltd",
            "Hytera Communications Corporation Limited",
        ])
    );
    assert_eq!(
        orgs["uniview"],
        expect(&[
            "Zhejiang Uniview Technologies Co., Ltd.",
            "Zhejiang Uniview Technologies Co.,Ltd.",
        ])
    );
    assert_eq!(orgs["tiandy"], expect(&["Tiandy Technologies CO.,LTD"]));
    assert_eq!(orgs.len(), 7, "{orgs:?}");
    // The counts DOMAIN.md 1a gives for the 2022-08-27 snapshot.
    assert_eq!(counts["hikvision"], 50 + 1 + 5 + 2 + 2);
    assert_eq!(counts["dahua"], 24 + 1);
    assert_eq!(counts["huawei"], 1398);
    assert_eq!(counts["zte"], 298);
    assert_eq!(counts["hytera"], 2);
}

#[test]
fn lookalike_registrants_in_the_full_registry_are_not_covered() {
    let registry = registry();
    let policies = Policy::builtins();
    let mut seen = 0;
    for a in registry.assignments() {
        let o = a.organisation.to_lowercase();
        if [
            "dahua scale",
            "raysharp",
            "honor",
            "ztec",
            "linksci",
            "ithor",
        ]
        .iter()
        .any(|n| o.contains(n))
        {
            seen += 1;
            assert_eq!(
                owner(&policies, &a.organisation),
                None,
                "{}",
                a.organisation
            );
        }
    }
    // Shanghai Dahua Scale (1), Raysharp (2), Honor Device (22) + Shenzhen Honor (1), ZTEC,
    // LINKSCI, Ithor.
    assert!(seen >= 28, "{seen}");
}

// ---------------------------------------------------------------------------------------------
// The command: exit codes, formats, HTML in Chromium, policy errors.

fn bin() -> Command {
    let mut c = crate::support::cli::camswap();
    c.arg("audit");
    c
}

fn write_inventory(dir: &Path, mut devices: Vec<DeviceSnapshot>) -> PathBuf {
    // Sealed as the inventory reader seals what it read: tests edit snapshots after building
    // them, and a stale hash is refused on reading.
    devices.iter_mut().for_each(DeviceSnapshot::seal);
    let p = dir.join("inventory.json");
    let mut inv = Inventory::new(devices);
    inv.taken_at = Some("2024-05-01T09:00:00Z".into());
    inv.save(&p).unwrap();
    p
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn hostile() -> DeviceSnapshot {
    // A device that names itself with markup: the report must show it as text.
    let mut s = snapshot(&LA_REBRAND, "127.0.10.66");
    s.identity.manufacturer = Some("<script>alert('pwned')</script>".into());
    s.identity.model = Some("<img src=x onerror=alert(2)>".into());
    s.id = "serial:<b>evil</b>".into();
    s
}

#[test]
fn cli_exit_code_is_10_when_flagged_and_0_when_clean() {
    let dir = tempfile::tempdir().unwrap();
    let site: Vec<DeviceSnapshot> = site().into_iter().map(|(_, s)| s).collect();
    let inv = write_inventory(dir.path(), site.clone());
    let out = run(&[inv.to_str().unwrap(), "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(10),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: AuditReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.format, "camswap.audit");
    assert_eq!(report.version, 2);
    assert_eq!(report.summary.devices, 13);
    assert_eq!(report.summary.covered, 4);
    assert_eq!(report.summary.white_label, 4);
    assert_eq!(report.summary.clear, 5);
    assert_eq!(
        report.inventory_taken_at.as_deref(),
        Some("2024-05-01T09:00:00Z")
    );

    let clean: Vec<DeviceSnapshot> = [AXIS_P3265, BOSCH, HANWHA]
        .iter()
        .enumerate()
        .map(|(i, c)| snapshot(c, &format!("127.0.11.{}", i + 1)))
        .collect();
    let inv = write_inventory(dir.path(), clean);
    let out = run(&[inv.to_str().unwrap(), "--format", "table"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("0 of 3 devices need attention"), "{text}");
    // The table ends with one line per verdict count, and states each policy's words.
    let tail: Vec<&str> = text.lines().rev().take(5).collect();
    assert_eq!(
        tail,
        [
            "CLEAR        3",
            "UNKNOWN      0",
            "REVIEW       0",
            "WHITE LABEL  0",
            "COVERED      0"
        ]
    );
    assert!(
        text.contains("Statement: \"Departments have been instructed to cease deployment"),
        "{text}"
    );
    assert!(text.contains("Scope: UK government departments"), "{text}");
    assert!(text.contains("HiSilicon"), "{text}");

    // Bad input files are exit 2 and named.
    std::fs::write(
        &inv,
        r#"{"format":"camswap.devices","version":1,"devices":[]}"#,
    )
    .unwrap();
    let out = run(&[inv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("inventory.json"));
}

#[test]
fn cli_policy_choice_and_oui_registry_change_the_outcome() {
    let dir = tempfile::tempdir().unwrap();
    // A Uniview unit: covered by uk-2022 (jurisdictional), not by ndaa-889.
    let inv = write_inventory(dir.path(), vec![snapshot(&UNIVIEW, "127.0.12.1")]);
    let code = |extra: &[&str]| {
        let mut args: Vec<&str> = vec![inv.to_str().unwrap()];
        args.extend(extra.iter().copied());
        args.extend(["--format", "csv"]);
        run(&args).status.code()
    };
    assert_eq!(code(&["--policy", "uk-2022"]), Some(10));
    assert_eq!(code(&["--policy", "ndaa-889"]), Some(0));
    assert_eq!(code(&[]), Some(10));
    assert_eq!(code(&["--policy", "no-such-policy"]), Some(2));

    // The unknown camera with a hangzhou scope and a MAC-tailed UUID: with the built-in table
    // its Realtek MAC is unnamed and the two weak signals make it a review (exit 10); with the
    // full registry the MAC is evidence for Realtek, the weak signals are set aside: clear.
    let inv = write_inventory(dir.path(), vec![snapshot(&HANGZHOU_UNKNOWN, "127.0.12.2")]);
    let oui = format!("{IEEE_DIR}/oui.csv");
    let args = |reg: bool| {
        let mut a: Vec<&str> = vec![inv.to_str().unwrap(), "--format", "csv"];
        if reg {
            a.extend(["--oui-registry", oui.as_str()]);
        }
        a
    };
    let out = run(&args(false));
    assert_eq!(out.status.code(), Some(10));
    assert!(String::from_utf8_lossy(&out.stdout).contains(",review,hikvision,"));
    let out = run(&args(true));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.contains(",clear,,"), "{csv}");
    assert!(csv.contains("counter-evidence: REALTEK"), "{csv}");
}

#[test]
fn unknown_devices_exit_10_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = DeviceSnapshot {
        xaddr: "http://127.0.12.9/onvif/device_service".into(),
        ..Default::default()
    };
    s.id = s.stable_id();
    let axis = snapshot(&AXIS_P3265, "127.0.12.10");
    let inv = write_inventory(dir.path(), vec![s, axis]);
    let out = run(&[inv.to_str().unwrap(), "--format", "table"]);
    assert_eq!(out.status.code(), Some(10));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.ends_with("UNKNOWN      1\nCLEAR        1\n"), "{text}");
    let out = run(&[inv.to_str().unwrap(), "--allow-unknown"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn csv_has_one_quoted_row_per_device() {
    let dir = tempfile::tempdir().unwrap();
    let mut devices: Vec<DeviceSnapshot> = site().into_iter().map(|(_, s)| s).collect();
    devices.push(hostile());
    let mut comma = snapshot(&AXIS_Q6135, "127.0.13.1");
    comma.identity.manufacturer = Some("=cmd|' /C calc'!A0, \"quoted\"".into());
    devices.push(comma);
    let inv = write_inventory(dir.path(), devices);
    let out_path = dir.path().join("audit.csv");
    let out = run(&[
        inv.to_str().unwrap(),
        "--format",
        "csv",
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(10));
    let text = std::fs::read_to_string(&out_path).unwrap();
    let rows: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 1 + 15);
    assert!(rows[0].starts_with("id,verdict,company,confidence"));
    assert!(
        text.contains("\"'=cmd|' /C calc'!A0, \"\"quoted\"\"\""),
        "formula defused and quoted: {text}"
    );
}

fn wait_with_deadline(mut child: std::process::Child, limit: Duration) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "chromium did not finish in {limit:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn chromium(profile: &Path, extra: &[String], url: &str) -> Output {
    let bin = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .expect("Debian's chromium is needed for the HTML report test (apt-get install chromium); .ci/run installs it");
    let child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_with_deadline(child, Duration::from_secs(120))
}

#[test]
fn html_report_renders_in_headless_chromium_with_every_flagged_device() {
    let dir = tempfile::tempdir().unwrap();
    let mut devices: Vec<DeviceSnapshot> = site().into_iter().map(|(_, s)| s).collect();
    devices.push(hostile());
    let inv = write_inventory(dir.path(), devices.clone());
    let html_path = dir.path().join("report.html");
    let out = run(&[
        inv.to_str().unwrap(),
        "--format",
        "html",
        "-o",
        html_path.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(10),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&html_path).unwrap();

    // Self-contained: nothing to fetch, nothing to run.
    let lower = html.to_lowercase();
    for bad in [
        "src=\"http",
        "src='http",
        "href=\"http",
        "href='http",
        "url(",
        "<script",
        "<link",
        "@import",
    ] {
        assert!(!lower.contains(bad), "the report contains {bad:?}");
    }

    let url = format!("file://{}", html_path.display());
    let dom = chromium(&dir.path().join("profile"), &["--dump-dom".into()], &url);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8(dom.stdout).unwrap();
    let report = audit::audit(&devices, &Policy::builtins(), &OuiTable::builtin());
    assert_eq!(report.flagged().len(), 9);
    let flagged_section = &dom[dom.find("<h2>Flagged devices</h2>").unwrap()
        ..dom.find("<h2>Unflagged devices</h2>").unwrap()];
    for d in report.flagged() {
        // Chromium serialises text with only & < > escaped.
        let text = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        };
        assert!(
            flagged_section.contains(&text(&d.id)),
            "{} missing from the rendered DOM",
            d.id
        );
        assert!(flagged_section.contains(d.verdict.label()));
        for e in d.deciding() {
            assert!(
                flagged_section.contains(&text(&e.observed)),
                "{}: evidence {:?} missing",
                d.id,
                e.observed
            );
            assert!(
                flagged_section.contains(&text(&e.rule)),
                "{}: rule {:?} missing",
                d.id,
                e.rule
            );
        }
    }
    // The hostile strings render as text: no element was created from them.
    assert!(
        dom.contains("&lt;script&gt;alert('pwned')&lt;/script&gt;"),
        "hostile manufacturer shown as text"
    );
    assert!(
        !dom.contains("<script"),
        "no script element in the rendered page"
    );
    assert!(
        !dom.contains("<img"),
        "no image element from a device model"
    );
    assert!(dom.contains("Unflagged devices") && dom.contains("P3265-LVE"));

    // A screenshot for review, kept under target/.
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/audit-report");
    std::fs::create_dir_all(&shots).unwrap();
    let png = shots.join("audit-report.png");
    let _ = std::fs::remove_file(&png);
    let shot = chromium(
        &dir.path().join("profile2"),
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,2000".into(),
            "--hide-scrollbars".into(),
        ],
        &url,
    );
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
        "a real screenshot"
    );
    std::fs::copy(&html_path, shots.join("audit-report.html")).unwrap();
}

#[test]
fn malformed_policy_files_name_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let inv = write_inventory(dir.path(), vec![snapshot(&AXIS_P3265, "127.0.14.1")]);
    let good = r#"format = "camswap.policy"
version = 1
id = "site"
title = "Site rule"

[[source]]
id = "memo"
citation = "Site memo"

[[company]]
id = "uniview"
name = "Uniview"
basis = "site memo"
source = "memo"
names = ["uniview"]
oui_organisations = ["zhejiang uniview technologies"]

[[company.model]]
pattern = '^IPC\d{4}'
description = "Uniview IP camera"
confidence = 0.7
source = "memo"
"#;
    let cases: &[(&str, &str, &str, usize, &str)] = &[
        (
            "confidence",
            "confidence = 0.7",
            "confidence = 7",
            21,
            "field company[0].model[0].confidence: confidence 7 is outside 0..1",
        ),
        (
            "unknown-field",
            "description = \"Uniview IP camera\"",
            "description = \"Uniview IP camera\"\nweight = 1",
            21,
            "field company[0].model[0].weight: unknown field `weight`",
        ),
        (
            "regex",
            "'^IPC\\d{4}'",
            "'^IPC(\\d{4}'",
            19,
            "field company[0].model[0].pattern: invalid regular expression",
        ),
        (
            "source",
            "confidence = 0.7\nsource = \"memo\"",
            "confidence = 0.7\nsource = \"memoo\"",
            22,
            "field company[0].model[0].source: source \"memoo\" is not defined",
        ),
        (
            "type",
            "names = [\"uniview\"]",
            "names = \"uniview\"",
            15,
            "field company[0].names: invalid type",
        ),
        (
            "syntax",
            "title = \"Site rule\"",
            "title = \"Site rule",
            4,
            "",
        ),
    ];
    // The good file itself loads, and its Uniview rule applies.
    let p = dir.path().join("good.toml");
    std::fs::write(&p, good).unwrap();
    let out = run(&[inv.to_str().unwrap(), "--policy", p.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (name, from, to, line, want) in cases {
        assert!(good.contains(from), "{name}");
        let bad = good.replacen(from, to, 1);
        let p = dir.path().join(format!("{name}.toml"));
        std::fs::write(&p, &bad).unwrap();
        let out = run(&[inv.to_str().unwrap(), "--policy", p.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        let at = format!("{}: line {line}, ", p.display());
        assert!(err.contains(&at), "{name}: wanted {at} in {err}");
        assert!(err.contains(want), "{name}: wanted {want:?} in {err}");
    }
}

// ---------------------------------------------------------------------------------------------
// Issue 12: no single weak signal makes a verdict; counter-evidence is named.

fn one(c: &Cam, registry: bool) -> DeviceVerdict {
    let oui = if registry {
        registry_table()
    } else {
        OuiTable::builtin()
    };
    audit::audit(&[snapshot(c, "127.0.15.1")], &Policy::builtins(), &oui)
        .devices
        .remove(0)
}

fn registry_table() -> OuiTable {
    let mut t = OuiTable::builtin();
    t.load_csv(&Path::new(IEEE_DIR).join("oui.csv")).unwrap();
    t
}

#[test]
fn axis_with_a_hikvision_stream_path_is_clear_and_names_its_axis_oui() {
    let v = one(&AXIS_HIK_PATH, false);
    assert_eq!(v.verdict, Verdict::Clear, "{v:#?}");
    let path = v
        .evidence
        .iter()
        .find(|e| e.signal == Signal::StreamUri)
        .unwrap();
    assert!(path.set_aside, "{path:?}");
    let counter: Vec<_> = v.counter_evidence().collect();
    assert_eq!(counter.len(), 1);
    assert_eq!(
        counter[0].counter.as_deref(),
        Some("Axis Communications AB")
    );
    assert!(
        v.reason.contains("Axis Communications AB") && v.reason.contains("/Streaming/Channels/101"),
        "{}",
        v.reason
    );
}

#[test]
fn axis_with_an_owner_set_hikvision_name_scope_is_clear_and_says_why() {
    let v = one(&AXIS_OWNER_NAME, false);
    assert_eq!(v.verdict, Verdict::Clear, "{v:#?}");
    let name = v
        .evidence
        .iter()
        .find(|e| e.signal == Signal::NameScope)
        .unwrap();
    assert_eq!(name.observed, "Replaces Hikvision lobby");
    assert!(name.set_aside);
    assert!(
        v.reason.contains("Replaces Hikvision lobby"),
        "{}",
        v.reason
    );
    assert!(v.reason.contains("Axis Communications AB"), "{}", v.reason);
}

#[test]
fn unknown_camera_with_hangzhou_scope_and_mac_tailed_uuid_is_review_then_clear() {
    // Built-in table: nothing names the Realtek MAC; two weak groups: review, not white label.
    let v = one(&HANGZHOU_UNKNOWN, false);
    assert_eq!(v.verdict, Verdict::Review, "{v:#?}");
    assert!(v.reason.contains("only weak signals"), "{}", v.reason);
    // The endpoint rule no longer claims a Hikvision firmware habit as fact.
    let uuid = v
        .evidence
        .iter()
        .find(|e| e.signal == Signal::EndpointUuid)
        .unwrap();
    assert!(uuid.rule.contains("weak"), "{}", uuid.rule);
    // Full registry: the MAC is Realtek's; both weak signals are set aside and named.
    let v = one(&HANGZHOU_UNKNOWN, true);
    assert_eq!(v.verdict, Verdict::Clear, "{v:#?}");
    assert!(
        v.reason.contains("REALTEK SEMICONDUCTOR CORP."),
        "{}",
        v.reason
    );
    assert!(v.reason.contains("location/city/hangzhou"), "{}", v.reason);
}

#[test]
fn endpoint_habit_is_not_printed_on_dahua_or_amcrest_devices() {
    for c in [
        Cam {
            endpoint: Some("urn:uuid:4f6e7669-6600-11b5-83f6-3cef8c112233"),
            ..DAHUA_FIXED
        },
        Cam {
            endpoint: Some("urn:uuid:4f6e7669-6600-11b5-83f6-9c8ecd010203"),
            ..AMCREST
        },
    ] {
        let v = one(&c, false);
        assert!(
            v.evidence.iter().all(|e| e.signal != Signal::EndpointUuid),
            "{}: {:#?}",
            c.manufacturer,
            v.evidence
        );
    }
}

#[test]
fn uniview_is_covered_under_uk_2022_and_says_why() {
    let uk = Policy::builtin("uk-2022").unwrap();
    let r = audit::audit(
        &[snapshot(&UNIVIEW, "127.0.15.2")],
        &[uk],
        &OuiTable::builtin(),
    );
    let v = &r.devices[0];
    assert_verdict(v, Verdict::Covered, Some("uniview"), 0.99);
    let s = deciding(v);
    for sig in [
        Signal::Manufacturer,
        Signal::Firmware,
        Signal::MacOui,
        Signal::SerialNumber,
    ] {
        assert!(s.contains(&sig), "{sig:?}: {s:?}");
    }
    assert!(
        v.reason
            .contains("subject to the National Intelligence Law"),
        "{}",
        v.reason
    );
    assert_eq!(
        v.wording,
        ["uk-2022: covered: do not deploy on sensitive sites; removal advised"]
    );
    assert_eq!(v.verdict.label(), "COVERED");
}
