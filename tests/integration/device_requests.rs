//! Every Device-service request we write is valid against the official schemas, checked by
//! `onvif-validate` (xmllint underneath) next to the schema folder. No xmllint is a failure,
//! not a skip: CI installs it (`.ci/run`).

use std::path::PathBuf;

use camswap::model::{Dns, Ipv4Config, Ntp};
use camswap::onvif::device::{self, DateTimeType, UserLevel};
use camswap::onvif::ops;
use chrono::{DateTime, Utc};

use crate::support::envelope::wrap as soap12;
use crate::support::shared::validate;

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
    let out: Vec<(&str, String)> = vec![
        (
            "GetSystemDateAndTime",
            device::get_system_date_and_time_request(),
        ),
        (
            "SetSystemDateAndTime-manual",
            device::set_system_date_and_time_request(
                DateTimeType::Manual,
                true,
                Some("CST7:00:00DST01:00:00,M3.2.0/02:00:00,M11.1.0/02:00:00"),
                Some(at),
            )
            .unwrap(),
        ),
        (
            "SetSystemDateAndTime-ntp",
            device::set_system_date_and_time_request(DateTimeType::Ntp, false, None, None).unwrap(),
        ),
        (
            "GetDeviceInformation",
            device::get_device_information_request(),
        ),
        ("GetServices", device::get_services_request(false)),
        (
            "GetServices-capabilities",
            device::get_services_request(true),
        ),
        ("GetCapabilities", device::get_capabilities_request()),
        (
            "GetNetworkInterfaces",
            device::get_network_interfaces_request(),
        ),
        (
            "SetNetworkInterfaces-static",
            device::set_network_interfaces_request("eth0", &static_v4).unwrap(),
        ),
        (
            "SetNetworkInterfaces-dhcp",
            device::set_network_interfaces_request("eth0", &dhcp_v4).unwrap(),
        ),
        (
            "GetNetworkDefaultGateway",
            device::get_network_default_gateway_request(),
        ),
        (
            "SetNetworkDefaultGateway",
            device::set_network_default_gateway_request(&["2001:db8::1", "10.20.30.1"]).unwrap(),
        ),
        (
            "SetNetworkDefaultGateway-clear",
            device::set_network_default_gateway_request(&Vec::<String>::new()).unwrap(),
        ),
        ("GetHostname", device::get_hostname_request()),
        (
            "SetHostname",
            device::set_hostname_request("lobby-east-1").unwrap(),
        ),
        ("GetDNS", device::get_dns_request()),
        ("SetDNS", device::set_dns_request(&dns).unwrap()),
        ("GetNTP", device::get_ntp_request()),
        ("SetNTP", device::set_ntp_request(&ntp)),
        ("GetScopes", device::get_scopes_request()),
        ("SetScopes", device::set_scopes_request(&scopes).unwrap()),
        ("AddScopes", device::add_scopes_request(&scopes).unwrap()),
        (
            "RemoveScopes",
            device::remove_scopes_request(&scopes[1..]).unwrap(),
        ),
        ("GetUsers", device::get_users_request()),
        (
            "CreateUsers",
            device::create_users_request("operator<1>", "S3cret&\"pass'", UserLevel::Operator)
                .unwrap(),
        ),
        (
            "DeleteUsers",
            device::delete_users_request(&["operator<1>", "viewer"]).unwrap(),
        ),
        (
            "SetUser",
            device::set_user_request("viewer", Some("n3w-pass"), UserLevel::User).unwrap(),
        ),
        (
            "SetUser-level-only",
            device::set_user_request("viewer", None, UserLevel::Administrator).unwrap(),
        ),
        ("SystemReboot", device::system_reboot_request()),
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
    let good = device::set_system_date_and_time_request(
        DateTimeType::Manual,
        false,
        None,
        Some(Utc::now()),
    )
    .unwrap();
    let time = &good[good.find("<tt:Time>").unwrap()..good.find("<tt:Date>").unwrap()];
    let swapped = good
        .replacen(time, "", 1)
        .replace("</tt:Date>", &format!("</tt:Date>{time}"));
    let op = device::operation("SetScopes");
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
