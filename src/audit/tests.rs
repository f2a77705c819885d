//! Verdict and combination tests on small snapshots; the full persona set is in
//! tests/integration/audit.rs.

use super::*;
use crate::model::{Identity, NetworkInterface, ReadError, Scope};

fn snap(id: &str, manufacturer: Option<&str>, mac: Option<&str>) -> DeviceSnapshot {
    let mut s = DeviceSnapshot {
        id: id.into(),
        xaddr: "http://127.0.0.9/onvif/device_service".into(),
        identity: Identity {
            manufacturer: manufacturer.map(Into::into),
            ..Default::default()
        },
        ..Default::default()
    };
    if let Some(m) = mac {
        s.network.interfaces.push(NetworkInterface {
            token: "eth0".into(),
            mac: Some(m.into()),
            enabled: true,
            ..Default::default()
        });
    }
    s
}

fn one(s: DeviceSnapshot) -> DeviceVerdict {
    audit(&[s], &Policy::builtins(), &OuiTable::builtin())
        .devices
        .remove(0)
}

fn e(company: &str, signal: Signal, w: f64) -> Evidence {
    Evidence {
        signal,
        observed: String::new(),
        rule: String::new(),
        policy: None,
        source: None,
        company: Some(company.into()),
        confidence: w,
        note: None,
        counter: None,
        set_aside: false,
    }
}

#[test]
fn noisy_or_takes_the_strongest_per_group_and_is_capped() {
    let c = combine(&[
        e("hikvision", Signal::Model, 0.9),
        e("hikvision", Signal::HardwareScope, 0.9), // same group as the model: not counted twice
        e("hikvision", Signal::StreamUri, 0.6),
        e("dahua", Signal::Scope, 0.35),
    ]);
    assert_eq!(c["hikvision"], 0.96); // 1 - 0.1 * 0.4
    assert_eq!(c["dahua"], 0.35);
    let c = combine(&[
        e("x", Signal::Manufacturer, 0.95),
        e("x", Signal::Firmware, 0.85),
        e("x", Signal::MacOui, 0.8),
    ]);
    assert_eq!(c["x"], MAX_CONFIDENCE);
}

#[test]
fn oem_name_and_oem_oui_count_once() {
    // "Amcrest" as manufacturer and an Amcrest OUI restate one relationship.
    let c = combine(&[
        e("dahua", Signal::OemBrand, 0.8),
        e("dahua", Signal::OemBrand, 0.8),
    ]);
    assert_eq!(c["dahua"], 0.8);
}

#[test]
fn no_identity_and_no_evidence_is_unknown_and_says_why() {
    let mut s = snap("xaddr:http://127.0.0.9/onvif/device_service", None, None);
    s.errors.push(ReadError {
        operation: "device.GetDeviceInformation".into(),
        reason: "ter:NotAuthorized".into(),
    });
    let v = one(s);
    assert_eq!(v.verdict, Verdict::Unknown);
    assert_eq!(v.company, None);
    assert!(v.reason.contains("ter:NotAuthorized"), "{}", v.reason);
}

#[test]
fn no_identity_but_hikvision_mac_and_stream_is_covered_on_technical_evidence() {
    let mut s = snap("mac:44:19:b6:00:00:07", None, Some("44:19:b6:00:00:07"));
    s.profiles.push(crate::model::MediaProfile {
        token: "p1".into(),
        stream_uri: Some("rtsp://10.0.0.7:554/Streaming/Channels/101".into()),
        ..Default::default()
    });
    let v = one(s);
    assert_eq!(v.verdict, Verdict::Covered);
    assert_eq!(v.company.as_deref(), Some("hikvision"));
    assert_eq!(v.confidence, 0.92); // 1 - 0.2 * 0.4
    assert!(
        v.reason.starts_with("No manufacturer reported"),
        "{}",
        v.reason
    );
}

#[test]
fn weak_location_scope_alone_does_not_flag_an_axis() {
    let mut s = snap(
        "serial:ACCC8E000001",
        Some("AXIS"),
        Some("ac:cc:8e:00:00:01"),
    );
    s.scopes.push(Scope {
        uri: "onvif://www.onvif.org/location/city/hangzhou".into(),
        fixed: false,
    });
    let v = one(s.clone());
    assert_eq!(v.verdict, Verdict::Clear);
    // The Axis OUI is evidence for Axis: the weak scope is set aside, and the reason says so.
    assert!(v.reason.contains("Set aside"), "{}", v.reason);
    assert!(v.reason.contains("Axis Communications AB"), "{}", v.reason);
    // Without the OUI the scope still counts, below the threshold, and lowers confidence.
    s.network.interfaces.clear();
    let v = one(s);
    assert_eq!(v.verdict, Verdict::Clear);
    assert!(v.reason.contains("weak signals"), "{}", v.reason);
    assert!(v.confidence < 0.9, "{}", v.confidence);
}

#[test]
fn name_scope_decides_only_without_a_manufacturer() {
    let mut s = snap("a", None, None);
    s.scopes.push(Scope {
        uri: "onvif://www.onvif.org/name/HIKVISION%20DS-2CD2143G2-I".into(),
        fixed: true,
    });
    // The name scope alone is one evidence group: review, not a verdict.
    let v = one(s.clone());
    assert_eq!(v.verdict, Verdict::Review);
    assert!(v.reason.contains("one evidence group only"), "{}", v.reason);
    // With a manufacturer that says otherwise, the leftover name scope is a tell.
    s.identity.manufacturer = Some("LTS".into());
    let v = one(s);
    assert_eq!(v.verdict, Verdict::WhiteLabel);
    assert_eq!(v.company.as_deref(), Some("hikvision"));
}

#[test]
fn oem_name_alone_flags_only_when_the_relationship_is_strong() {
    // Amcrest is a Dahua OEM with the same firmware (0.8), but the name alone is one group:
    // review, not a white-label verdict.
    let v = one(snap("o1", Some("Amcrest"), None));
    assert_eq!(v.verdict, Verdict::Review);
    assert_eq!((v.company.as_deref(), v.confidence), (Some("dahua"), 0.8));
    // Lorex left Dahua in Nov 2022 (0.45): the name alone is a weak signal, not a flag.
    let v = one(snap("o2", Some("Lorex"), None));
    assert_eq!(v.verdict, Verdict::Clear);
    assert!(
        v.reason.contains("Lorex is a known Dahua OEM"),
        "{}",
        v.reason
    );
    // Honeywell resells both makers' lines (0.3 each): evidence for both, a flag for neither.
    let v = one(snap("o3", Some("Honeywell"), None));
    assert_eq!(v.verdict, Verdict::Clear);
    let companies: std::collections::BTreeSet<_> = v
        .evidence
        .iter()
        .filter_map(|e| e.company.as_deref())
        .collect();
    assert_eq!(companies, ["dahua", "hikvision"].into());
}

// --- Look-alike names from DOMAIN.md 1a: each must stay clear. -----------------------------

#[test]
fn shanghai_dahua_scale_factory_is_not_dahua() {
    let v = one(snap("s1", Some("Generic"), Some("40:2c:76:1a:bc:de")));
    assert_eq!(v.verdict, Verdict::Clear, "{v:?}");
    assert!(v.evidence.iter().any(|e| e.signal == Signal::MacOui
        && e.rule.contains("Shanghai Dahua Scale Factory")
        && e.company.is_none()));
}

#[test]
fn raysharp_on_huawei_road_is_not_huawei() {
    for mac in ["00:23:63:00:00:01", "58:e8:76:00:00:01"] {
        let v = one(snap("s2", Some("Raysharp"), Some(mac)));
        assert_eq!(v.verdict, Verdict::Clear, "{mac}: {v:?}");
        assert!(v.evidence.iter().all(|e| e.company.is_none()));
    }
}

#[test]
fn honor_is_not_huawei() {
    let v = one(snap("s3", Some("HONOR"), Some("90:ff:d6:00:00:01")));
    assert_eq!(v.verdict, Verdict::Clear, "{v:?}");
    let v = one(snap("s3b", Some("Honor Device Co., Ltd."), None));
    assert_eq!(v.verdict, Verdict::Clear, "{v:?}");
}

#[test]
fn ztec_linksci_and_ithor_are_not_zte() {
    for (m, mac) in [
        ("ZTEC Instruments, Inc.", "78:66:ae:00:00:01"),
        ("Xi'an LINKSCI Technology", "d0:f1:21:00:00:01"),
        ("Ithor IT Co.,Ltd.", "9c:f6:dd:10:00:01"),
    ] {
        let v = one(snap("s4", Some(m), Some(mac)));
        assert_eq!(v.verdict, Verdict::Clear, "{m}: {v:?}");
        assert!(v.evidence.iter().all(|e| e.company.is_none()), "{m}");
    }
    // ZTE itself is covered by ndaa-889.
    let v = one(snap("s5", Some("ZTE"), Some("08:60:83:00:00:01")));
    assert_eq!(v.verdict, Verdict::Covered);
    assert_eq!(v.company.as_deref(), Some("zte"));
    assert_eq!(v.policies, ["uk-2022", "ndaa-889"]);
}

#[test]
fn audit_is_deterministic_and_sorted_by_id() {
    let a = snap("b-device", Some("AXIS"), None);
    let b = snap("a-device", Some("HIKVISION"), Some("44:19:b6:00:00:01"));
    let r1 = audit(
        &[a.clone(), b.clone()],
        &Policy::builtins(),
        &OuiTable::builtin(),
    );
    let r2 = audit(&[b, a], &Policy::builtins(), &OuiTable::builtin());
    assert_eq!(r1, r2);
    assert_eq!(r1.devices[0].id, "a-device");
    assert_eq!(r1.flagged().len(), 1);
    assert_eq!(r1.summary.flagged(), 1);
}

#[test]
fn shared_companies_are_identical_in_both_builtin_policies() {
    // uk-2022 and ndaa-889 carry the same Hikvision and Dahua fingerprints; only the legal
    // basis differs. A drift between the files would make verdicts depend on policy order.
    let uk = Policy::builtin("uk-2022").unwrap();
    let us = Policy::builtin("ndaa-889").unwrap();
    for id in ["hikvision", "dahua", "huawei", "zte", "hytera"] {
        let a = uk.companies.iter().find(|c| c.id == id).unwrap();
        let b = us.companies.iter().find(|c| c.id == id).unwrap();
        assert_eq!(a.names, b.names, "{id}");
        assert_eq!(a.oui_organisations, b.oui_organisations, "{id}");
        let oems = |c: &policy::Company| {
            c.oems
                .iter()
                .map(|o| (o.brand.clone(), o.confidence.to_bits()))
                .collect::<Vec<_>>()
        };
        assert_eq!(oems(a), oems(b), "{id}");
        let pats = |r: &[policy::PatternRule]| {
            r.iter()
                .map(|r| (r.pattern.as_str().to_owned(), r.confidence.to_bits()))
                .collect::<Vec<_>>()
        };
        assert_eq!(pats(&a.models), pats(&b.models), "{id}");
        assert_eq!(pats(&a.scopes), pats(&b.scopes), "{id}");
        assert_eq!(pats(&a.stream_paths), pats(&b.stream_paths), "{id}");
        let fps = |c: &policy::Company| {
            c.fingerprints
                .iter()
                .map(|f| {
                    (
                        f.kind,
                        f.rule.pattern.as_str().to_owned(),
                        f.rule.confidence.to_bits(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(fps(a), fps(b), "{id}");
    }
}

#[test]
fn weak_signals_alone_are_review_not_a_verdict() {
    // A location scope (0.35) and the endpoint-UUID habit (0.3) reach 0.545 together, but
    // both are weak: a human decides.
    let mut s = snap("w1", Some("NetCam"), Some("02:11:22:33:44:55"));
    s.network.interfaces[0].mac = Some("00:11:22:33:44:55".into());
    s.scopes.push(Scope {
        uri: "onvif://www.onvif.org/location/city/hangzhou".into(),
        fixed: true,
    });
    s.endpoint = Some("urn:uuid:4f6e7669-6600-11b5-83f6-001122334455".into());
    let v = one(s);
    assert_eq!(v.verdict, Verdict::Review, "{v:#?}");
    assert!(v.reason.contains("only weak signals"), "{}", v.reason);
}

#[test]
fn counter_evidence_sets_weak_signals_aside_and_is_named() {
    // An Axis (Axis OUI) with a Hikvision-shaped stream path: the path is weak, the OUI is
    // evidence for Axis, so the path is set aside and the reason names the OUI.
    let mut s = snap("c1", Some("AXIS"), Some("ac:cc:8e:00:00:09"));
    s.profiles.push(crate::model::MediaProfile {
        token: "p1".into(),
        stream_uri: Some("rtsp://10.0.0.9/Streaming/Channels/101".into()),
        ..Default::default()
    });
    let v = one(s);
    assert_eq!(v.verdict, Verdict::Clear, "{v:#?}");
    let aside = v.evidence.iter().find(|e| e.set_aside).expect("set aside");
    assert_eq!(aside.signal, Signal::StreamUri);
    assert!(v.reason.contains("Axis Communications AB"), "{}", v.reason);
    assert!(v.reason.contains("/Streaming/Channels/101"), "{}", v.reason);
    // Strong evidence is not set aside: a DS-2CD model on an Axis NIC is contradicted, so
    // review.
    let mut s = snap("c2", Some("AXIS"), Some("ac:cc:8e:00:00:0a"));
    s.identity.model = Some("DS-2CD2143G2-I".into());
    s.identity.firmware_version = Some("V5.7.3 build 220112".into());
    let v = one(s);
    assert_eq!(v.verdict, Verdict::Review, "{v:#?}");
    assert!(v.reason.contains("counter-evidence"), "{}", v.reason);
}

#[test]
fn endpoint_uuid_habit_is_not_claimed_for_hikvision_on_a_dahua_mac() {
    let mut s = snap("d1", Some("Dahua"), Some("3c:ef:8c:11:22:33"));
    s.endpoint = Some("urn:uuid:4f6e7669-6600-11b5-83f6-3cef8c112233".into());
    let v = one(s);
    assert!(
        v.evidence
            .iter()
            .all(|e| !(e.signal == Signal::EndpointUuid
                && e.company.as_deref() == Some("hikvision"))),
        "{v:#?}"
    );
}

#[test]
fn clear_confidence_reflects_what_was_checked() {
    // Only a manufacturer string was read: one group checked (0.95).
    let v = one(snap("k1", Some("AXIS"), None));
    assert_eq!(v.verdict, Verdict::Clear);
    assert_eq!(v.confidence, 0.95);
    assert_eq!(v.checked, ["label"]);
    // Manufacturer and an Axis MAC: 1 - 0.05 * 0.2.
    let v = one(snap("k2", Some("AXIS"), Some("ac:cc:8e:00:00:01")));
    assert_eq!(v.confidence, 0.99);
    assert_eq!(v.checked, ["label", "mac"]);
}

#[test]
fn uniview_is_covered_under_uk_2022_only() {
    let mut s = snap("u1", Some("Uniview"), Some("48:ea:63:00:00:01"));
    s.identity.firmware_version = Some("IPC_G6106-B0005P11D1812C03".into());
    let uk = Policy::builtin("uk-2022").unwrap();
    let r = audit(std::slice::from_ref(&s), &[uk], &OuiTable::builtin());
    let v = &r.devices[0];
    assert_eq!(v.verdict, Verdict::Covered, "{v:#?}");
    assert_eq!(v.company.as_deref(), Some("uniview"));
    assert!(
        v.reason.contains("National Intelligence Law"),
        "{}",
        v.reason
    );
    assert_eq!(
        v.wording,
        ["uk-2022: covered: do not deploy on sensitive sites; removal advised"]
    );
    let us = Policy::builtin("ndaa-889").unwrap();
    let r = audit(&[s], &[us], &OuiTable::builtin());
    assert_eq!(r.devices[0].verdict, Verdict::Clear);
}

#[test]
fn scope_prefix_check_survives_multibyte_text() {
    // 21 two-byte characters: byte 22 falls inside one.
    let uri = "é".repeat(21);
    assert_eq!(signals::scope_path(&uri), uri);
    assert_eq!(
        signals::scope_path("ONVIF://www.onvif.org/name/A%20B"),
        "name/A B"
    );
}

// Parsed once: in a debug build, parsing the built-in policies and OUI table for each of the
// 256 cases was most of this property's two-minute run.
static BUILTIN_POLICIES: std::sync::LazyLock<Vec<Policy>> =
    std::sync::LazyLock::new(Policy::builtins);
static BUILTIN_OUIS: std::sync::LazyLock<OuiTable> = std::sync::LazyLock::new(OuiTable::builtin);

proptest::proptest! {
    /// Whatever a device reports, the audit returns a verdict (no panic, no hang) and every
    /// renderer accepts it.
    #[test]
    fn arbitrary_device_strings_never_panic(
        manufacturer in proptest::option::of(".{0,40}"),
        model in proptest::option::of(".{0,40}"),
        firmware in proptest::option::of(".{0,40}"),
        mac in proptest::option::of("[0-9a-fA-F:.\\-]{0,20}|.{0,20}"),
        scope in ".{0,60}",
        endpoint in proptest::option::of(".{0,60}"),
        stream in ".{0,60}",
    ) {
        let mut s = snap("p", None, mac.as_deref());
        s.identity.manufacturer = manufacturer;
        s.identity.model = model;
        s.identity.firmware_version = firmware;
        s.scopes.push(Scope { uri: scope, fixed: false });
        s.endpoint = endpoint;
        s.profiles.push(crate::model::MediaProfile {
            token: "t".into(),
            stream_uri: Some(stream),
            ..Default::default()
        });
        let r = audit(&[s], &BUILTIN_POLICIES, &BUILTIN_OUIS);
        proptest::prop_assert_eq!(r.devices.len(), 1);
        let c = r.devices[0].confidence;
        proptest::prop_assert!((0.0..=MAX_CONFIDENCE).contains(&c));
        let html = report::html(&r);
        proptest::prop_assert!(!html.contains("<script"));
        let _ = (report::table(&r), report::csv(&r), report::json(&r));
    }
}
