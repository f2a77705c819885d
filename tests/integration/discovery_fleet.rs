//! Discovery against a mock fleet that looks like a site: every device serves ONVIF over HTTP
//! and answers WS-Discovery on its own 127.0.x.y address, as `mock-onvif fleet` runs it.

use std::net::{IpAddr, Ipv4Addr, UdpSocket};

use camswap::discovery;
use mock_devices::{Fleet, FleetSpec, Persona};

/// A UDP port that is free on `ip` now (the fleet then binds it on every address).
fn free_udp_port(ip: Ipv4Addr) -> u16 {
    UdpSocket::bind((ip, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn a_fleet_of_fifty_mock_devices_is_found_exactly_by_a_sweep() {
    let base = Ipv4Addr::new(127, 0, 1, 1);
    let personas = [
        Persona::builtin("hikvision-ds2cd2143g2").unwrap(),
        Persona::builtin("axis-p3265-lve").unwrap(),
    ];
    let mut spec = FleetSpec::round_robin(&personas, 50, base);
    let port = free_udp_port(base);
    spec.discovery_port = Some(port);
    let fleet = Fleet::start(spec).await.expect("fleet starts");
    let addrs = fleet.addrs().await;
    assert_eq!(addrs.len(), 50);

    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("devices.json");
    let out = crate::support::cli::camswap_async()
        .args([
            "discover",
            "--cidr",
            "127.0.1.0/24",
            "--port",
            &port.to_string(),
        ])
        .args(["--timeout", "1", "-o", out_path.to_str().unwrap()])
        .output()
        .await
        .expect("camswap runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");

    let file = discovery::read_devices(&out_path).unwrap();
    assert_eq!(
        file.devices.len(),
        50,
        "exactly the fleet, no more, no less"
    );
    for addr in addrs {
        let IpAddr::V4(ip) = addr.ip() else {
            unreachable!("the fleet is IPv4")
        };
        let (endpoint, xaddr, mut scopes) = fleet
            .with_device(ip, |d| (d.endpoint().to_owned(), d.xaddr(), d.scopes()))
            .await
            .unwrap();
        let found = file
            .devices
            .iter()
            .find(|d| d.from == IpAddr::V4(ip))
            .unwrap_or_else(|| panic!("{ip} not found"));
        assert_eq!(found.endpoint, endpoint, "{ip}");
        assert_eq!(found.xaddr.as_deref(), Some(xaddr.as_str()), "{ip}");
        assert_eq!(found.xaddrs, std::slice::from_ref(&xaddr), "{ip}");
        let mut got = found.scopes.clone();
        got.sort();
        scopes.sort();
        assert_eq!(got, scopes, "{ip}");
    }
    // Each device of a persona is its own unit: 50 distinct endpoints.
    let mut endpoints: Vec<_> = file.devices.iter().map(|d| &d.endpoint).collect();
    endpoints.sort();
    endpoints.dedup();
    assert_eq!(endpoints.len(), 50);
    fleet.shutdown().await;
}

#[tokio::test]
async fn a_directed_probe_finds_one_fleet_device() {
    let base = Ipv4Addr::new(127, 0, 7, 1);
    let personas = [Persona::builtin("axis-p3265-lve").unwrap()];
    let mut spec = FleetSpec::round_robin(&personas, 3, base);
    let port = free_udp_port(base);
    spec.discovery_port = Some(port);
    let fleet = Fleet::start(spec).await.expect("fleet starts");
    let target = format!("127.0.7.2:{port}");
    let out = crate::support::cli::camswap_async()
        .args([
            "discover",
            "--target",
            &target,
            "--timeout",
            "1",
            "--format",
            "json",
        ])
        .output()
        .await
        .expect("camswap runs");
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let devices = json["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 1);
    let endpoint = fleet
        .with_device(Ipv4Addr::new(127, 0, 7, 2), |d| d.endpoint().to_owned())
        .await
        .unwrap();
    assert_eq!(devices[0]["endpoint"], endpoint.as_str());
    fleet.shutdown().await;
}
