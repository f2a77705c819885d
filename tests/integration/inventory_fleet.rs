//! An inventory of a mixed fleet of every built-in persona equals, field by field, what each
//! persona declares. Expected values come from the mock-devices library (the persona files),
//! never from copies written here.

use std::time::Duration;

use camswap::credentials::{Login, Secret};
use camswap::inventory::model::DeviceSnapshot;
use camswap::inventory::reader::{ReadOptions, Target, read_all};
use mock_devices::{Fleet, FleetSpec, Persona};

fn expect_device_service(s: &DeviceSnapshot, p: &Persona, ip: &str) {
    let who = &p.name;
    let id = &p.identity;
    assert_eq!(
        s.identity.manufacturer.as_deref(),
        Some(id.manufacturer.as_str()),
        "{who}"
    );
    assert_eq!(
        s.identity.model.as_deref(),
        Some(id.model.as_str()),
        "{who}"
    );
    assert_eq!(
        s.identity.firmware_version.as_deref(),
        Some(id.firmware.as_str()),
        "{who}"
    );
    assert_eq!(
        s.identity.serial_number.as_deref(),
        Some(id.serial.as_str()),
        "{who}"
    );
    assert_eq!(
        s.identity.hardware_id.as_deref(),
        Some(id.hardware_id.as_str()),
        "{who}"
    );
    assert_eq!(s.id, format!("serial:{}", id.serial), "{who}");

    let net = &p.network;
    assert_eq!(s.network.interfaces.len(), net.interfaces.len(), "{who}");
    for (i, (got, want)) in s.network.interfaces.iter().zip(&net.interfaces).enumerate() {
        assert_eq!(got.token, want.token, "{who}");
        assert_eq!(
            got.mac.as_deref(),
            Some(want.mac.to_ascii_lowercase().replace('-', ":").as_str()),
            "{who}"
        );
        let v4 = got.ipv4.as_ref().expect("IPv4 configuration");
        assert_eq!(v4.dhcp, want.dhcp, "{who}");
        assert_eq!(v4.prefix_length, Some(want.prefix_length), "{who}");
        if i == 0 {
            // The first interface reports the address the device is reached at.
            assert_eq!(v4.address.as_deref(), Some(ip), "{who}");
        }
    }
    let hostname = s.network.hostname.as_ref().expect("hostname");
    assert_eq!(
        hostname.name.as_deref(),
        Some(net.hostname.as_str()),
        "{who}"
    );
    assert_eq!(hostname.from_dhcp, net.hostname_from_dhcp, "{who}");
    let strings = |v: &[std::net::IpAddr]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    let gateways: Vec<String> = net.gateway.iter().map(ToString::to_string).collect();
    assert_eq!(s.network.default_gateway, gateways, "{who}");
    let dns = s.network.dns.as_ref().expect("DNS");
    assert_eq!(dns.servers, strings(&net.dns), "{who}");
    assert_eq!(dns.from_dhcp, net.dns_from_dhcp, "{who}");
    let ntp = s.network.ntp.as_ref().expect("NTP");
    assert_eq!(ntp.servers, net.ntp, "{who}");

    let mut scopes: Vec<(String, bool)> =
        s.scopes.iter().map(|x| (x.uri.clone(), x.fixed)).collect();
    let mut want: Vec<(String, bool)> = p
        .scopes
        .fixed
        .iter()
        .map(|u| (u.clone(), true))
        .chain(p.scopes.configurable.iter().map(|u| (u.clone(), false)))
        .collect();
    scopes.sort();
    want.sort();
    assert_eq!(scopes, want, "{who}");

    let users: Vec<(&str, &str)> = s
        .users
        .iter()
        .map(|u| (u.username.as_str(), u.level.as_str()))
        .collect();
    let want: Vec<(&str, &str)> = p
        .users
        .iter()
        .map(|u| (u.name.as_str(), u.level.as_str()))
        .collect();
    assert_eq!(users, want, "{who}");

    // Every service the persona lists, at the address we reached.
    let mut namespaces: Vec<&str> = s.services.iter().map(|x| x.namespace.as_str()).collect();
    let mut want: Vec<&str> = p.services.iter().map(|x| x.kind.namespace()).collect();
    namespaces.sort();
    want.sort();
    assert_eq!(namespaces, want, "{who}");
    for svc in &s.services {
        assert!(
            svc.xaddr.starts_with(&format!("http://{ip}:")),
            "{who}: {svc:?}"
        );
    }
}

#[tokio::test]
async fn a_mixed_fleet_reads_back_as_each_persona_declares() {
    let personas: Vec<Persona> = Persona::builtin_names()
        .into_iter()
        .map(|n| Persona::builtin(n).unwrap())
        .collect();
    // Two of each, interleaved, as on a site.
    let fleet = Fleet::start(FleetSpec::round_robin(
        &personas,
        personas.len() * 2,
        "127.0.42.1".parse().unwrap(),
    ))
    .await
    .expect("fleet starts");
    let xaddrs = fleet.xaddrs().await;
    let targets: Vec<Target> = xaddrs
        .iter()
        .map(|x| Target {
            xaddr: x.clone(),
            endpoint: None,
            login: Some(Login {
                username: "admin".into(),
                password: Secret::new("camswap-demo"),
            }),
        })
        .collect();
    let opts = ReadOptions {
        timeout: Duration::from_secs(5),
        concurrency: 4,
        ..ReadOptions::default()
    };
    let out = read_all(&targets, &opts, &|_, _| {}).await;
    assert_eq!(out.len(), xaddrs.len());
    for (i, x) in xaddrs.iter().enumerate() {
        // Fleet devices are individualised (their own MAC, serial, endpoint): ask the device.
        let ip: std::net::Ipv4Addr = x
            .trim_start_matches("http://")
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let p = &fleet
            .with_device(ip, |d| d.persona().clone())
            .await
            .unwrap();
        assert_eq!(p.name, personas[i % personas.len()].name);
        let s = out
            .iter()
            .find(|s| &s.xaddr == x)
            .unwrap_or_else(|| panic!("{x} missing"));
        let device_errors: Vec<_> = s
            .errors
            .iter()
            .filter(|e| e.operation.starts_with("device.") || e.operation.starts_with("inventory"))
            .collect();
        assert!(device_errors.is_empty(), "{}: {device_errors:?}", p.name);
        expect_device_service(s, p, &ip.to_string());
        assert_eq!(s.sha256, s.digest());
    }
    // Sorted by id, then xaddr: deterministic whatever order the reads finished in.
    let keys: Vec<(&str, &str)> = out
        .iter()
        .map(|s| (s.id.as_str(), s.xaddr.as_str()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}
