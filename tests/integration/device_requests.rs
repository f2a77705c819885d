//! Every Device-service request we write is valid against the official schemas, checked by
//! `onvif-validate` (xmllint underneath) next to the schema folder. No xmllint is a failure,
//! not a skip: CI installs it (`.ci/run`).

use std::path::PathBuf;
use std::process::Command;

use camswap::model::{Dns, Ipv4Config, Ntp};
use camswap::onvif::device::{self, DateTimeType, UserLevel};
use camswap::onvif::operation::Operation;
use camswap::onvif::ops;
use chrono::{DateTime, Utc};

use crate::wsdl_conformance::schema_dir;

/// Wraps a payload the way the SOAP client will: a bare SOAP 1.2 envelope.
fn soap12(payload: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>{payload}</env:Body></env:Envelope>"#
    )
}

/// Every device request, with arguments that exercise each optional part of the payload.
fn every_request() -> Vec<(String, String)> {
    let at: DateTime<Utc> = DateTime::parse_from_rfc3339("2024-02-29T23:59:58Z")
        .unwrap()
        .with_timezone(&Utc);
    let static_v4 = Ipv4Config {
        enabled: true,
        dhcp: false,
        address: Some("10.20.30.40".into()),
        prefix_length: Some(24),
    };
    let dhcp_v4 = Ipv4Config {
        enabled: true,
        dhcp: true,
        address: Some("10.20.30.41".into()),
        prefix_length: Some(24),
    };
    let dns = Dns {
        from_dhcp: false,
        search_domains: vec!["site.example".into(), "cams.site.example".into()],
        servers: vec!["10.0.0.53".into(), "2001:db8::53".into()],
    };
    let ntp = Ntp {
        from_dhcp: false,
        servers: vec![
            "ntp.site.example".into(),
            "10.0.0.123".into(),
            "2001:db8::123".into(),
        ],
    };
    let scopes = [
        "onvif://www.onvif.org/name/Lobby%20East",
        "onvif://www.onvif.org/location/building/A&B",
    ];
    fn xml(op: impl Operation) -> String {
        op.to_xml().unwrap()
    }
    let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let out: Vec<(&str, String)> = vec![
        ("GetSystemDateAndTime", xml(device::GetSystemDateAndTime)),
        (
            "SetSystemDateAndTime-manual",
            xml(device::SetSystemDateAndTime {
                date_time_type: DateTimeType::Manual,
                daylight_savings: true,
                tz: Some("CST7:00:00DST01:00:00,M3.2.0/02:00:00,M11.1.0/02:00:00".into()),
                utc: Some(at),
            }),
        ),
        (
            "SetSystemDateAndTime-ntp",
            xml(device::SetSystemDateAndTime {
                date_time_type: DateTimeType::Ntp,
                daylight_savings: false,
                tz: None,
                utc: None,
            }),
        ),
        ("GetDeviceInformation", xml(device::GetDeviceInformation)),
        (
            "GetServices",
            xml(device::GetServices {
                include_capability: false,
            }),
        ),
        (
            "GetServices-capabilities",
            xml(device::GetServices {
                include_capability: true,
            }),
        ),
        ("GetCapabilities", xml(device::GetCapabilities)),
        ("GetNetworkInterfaces", xml(device::GetNetworkInterfaces)),
        (
            "SetNetworkInterfaces-static",
            xml(device::SetNetworkInterfaces {
                token: "eth0".into(),
                ipv4: static_v4,
            }),
        ),
        (
            "SetNetworkInterfaces-dhcp",
            xml(device::SetNetworkInterfaces {
                token: "eth0".into(),
                ipv4: dhcp_v4,
            }),
        ),
        (
            "GetNetworkDefaultGateway",
            xml(device::GetNetworkDefaultGateway),
        ),
        (
            "SetNetworkDefaultGateway",
            xml(device::SetNetworkDefaultGateway {
                gateways: strings(&["2001:db8::1", "10.20.30.1"]),
            }),
        ),
        (
            "SetNetworkDefaultGateway-clear",
            xml(device::SetNetworkDefaultGateway { gateways: vec![] }),
        ),
        ("GetHostname", xml(device::GetHostname)),
        (
            "SetHostname",
            xml(device::SetHostname {
                name: "lobby-east-1".into(),
            }),
        ),
        ("GetDNS", xml(device::GetDNS)),
        ("SetDNS", xml(device::SetDNS { dns })),
        ("GetNTP", xml(device::GetNTP)),
        ("SetNTP", xml(device::SetNTP { ntp })),
        ("GetScopes", xml(device::GetScopes)),
        (
            "SetScopes",
            xml(device::SetScopes {
                scopes: strings(&scopes),
            }),
        ),
        (
            "AddScopes",
            xml(device::AddScopes {
                scopes: strings(&scopes),
            }),
        ),
        (
            "RemoveScopes",
            xml(device::RemoveScopes {
                scopes: strings(&scopes[1..]),
            }),
        ),
        ("GetUsers", xml(device::GetUsers)),
        (
            "CreateUsers",
            xml(device::CreateUsers {
                username: "operator<1>".into(),
                password: "S3cret&\"pass'".into(),
                level: UserLevel::Operator,
            }),
        ),
        (
            "DeleteUsers",
            xml(device::DeleteUsers {
                usernames: strings(&["operator<1>", "viewer"]),
            }),
        ),
        (
            "SetUser",
            xml(device::SetUser {
                username: "viewer".into(),
                password: Some("n3w-pass".into()),
                level: UserLevel::User,
            }),
        ),
        (
            "SetUser-level-only",
            xml(device::SetUser {
                username: "viewer".into(),
                password: None,
                level: UserLevel::Administrator,
            }),
        ),
        ("SystemReboot", xml(device::SystemReboot)),
    ];
    // Every operation in the device table has at least one request here.
    for op in ops::all().iter().filter(|o| o.service == device::SERVICE) {
        assert!(
            out.iter()
                .any(|(n, _)| n.split('-').next() == Some(op.name)),
            "no request for {}",
            op.name
        );
    }
    out.into_iter().map(|(n, x)| (n.to_owned(), x)).collect()
}

fn validator() -> PathBuf {
    let tool = schema_dir().join("../tools/onvif-validate");
    assert!(
        tool.is_file(),
        "onvif-validate not found at {} ($ONVIF_SCHEMA_DIR/../tools/onvif-validate)",
        tool.display()
    );
    let xmllint = Command::new("xmllint").arg("--version").output();
    assert!(
        xmllint.is_ok_and(|o| o.status.success()),
        "xmllint is not installed; onvif-validate needs it (apt-get install libxml2-utils; CI \
         installs it)"
    );
    tool
}

/// Runs the validator over `files`, returning its per-file verdict lines and exit status.
fn validate(files: &[PathBuf]) -> (std::process::ExitStatus, String) {
    let out = Command::new(validator())
        .args(files)
        .env("ONVIF_SCHEMA_ROOT", schema_dir())
        .output()
        .expect("onvif-validate runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status, text)
}

#[test]
fn every_device_request_validates_against_the_official_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let requests = every_request();
    let files: Vec<PathBuf> = requests
        .iter()
        .map(|(name, payload)| {
            let path = dir.path().join(format!("{name}.xml"));
            std::fs::write(&path, soap12(payload)).unwrap();
            path
        })
        .collect();
    let (status, report) = validate(&files);
    for f in &files {
        let verdict = format!("{}: valid", f.display());
        assert!(
            report.lines().any(|l| l == verdict),
            "{} is not valid:\n{report}",
            f.display()
        );
    }
    assert!(status.success(), "{report}");
}

/// The validator must reject what the schema forbids, or the test above proves nothing:
/// a SetSystemDateAndTime with Date before Time and a SetScopes without any scope.
#[test]
fn the_validator_rejects_invalid_device_requests() {
    let dir = tempfile::tempdir().unwrap();
    let good = device::SetSystemDateAndTime {
        date_time_type: DateTimeType::Manual,
        daylight_savings: false,
        tz: None,
        utc: Some(Utc::now()),
    }
    .to_xml()
    .unwrap();
    let time = &good[good.find("<tt:Time>").unwrap()..good.find("<tt:Date>").unwrap()];
    let swapped = good
        .replacen(time, "", 1)
        .replace("</tt:Date>", &format!("</tt:Date>{time}"));
    let op = ops::get(device::SERVICE, "SetScopes");
    let empty_scopes = ops::request_xml(op, "tds", "");
    for (name, payload) in [("swapped", swapped), ("empty-scopes", empty_scopes)] {
        let path = dir.path().join(format!("{name}.xml"));
        std::fs::write(&path, soap12(&payload)).unwrap();
        let (status, report) = validate(std::slice::from_ref(&path));
        assert!(
            !status.success(),
            "{name} passed validation:\n{payload}\n{report}"
        );
        assert!(
            report.contains("Schemas validity error"),
            "{name}: {report}"
        );
    }
}
