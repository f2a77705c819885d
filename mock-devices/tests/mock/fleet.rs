use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use mock_devices::{DeviceConfig, Fleet, FleetSpec, MockDevice, Persona, fleet_addresses};

use crate::support::*;

fn personas() -> Vec<Persona> {
    ["hikvision-ds2cd2143g2", "axis-p3265-lve"]
        .iter()
        .map(|n| Persona::builtin(n).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_of_twenty_answers_on_127_0_2_1_to_20() {
    let spec = FleetSpec::round_robin(&personas(), 20, Ipv4Addr::new(127, 0, 2, 1));
    let fleet = Fleet::start(spec).await.unwrap();
    let addrs = fleet.addrs().await;
    assert_eq!(addrs.len(), 20);
    let port = addrs[0].port();
    let answers = futures_join_all(
        addrs
            .iter()
            .map(|a| call_admin(*a, "GetDeviceInformation", "")),
    )
    .await;
    for (i, (addr, resp)) in addrs.iter().zip(&answers).enumerate() {
        assert_eq!(
            *addr,
            SocketAddr::new(Ipv4Addr::new(127, 0, 2, 1 + i as u8).into(), port)
        );
        resp.assert_ok();
        let expected = if i % 2 == 0 { "HIKVISION" } else { "AXIS" };
        assert_eq!(resp.first("Manufacturer"), expected, "device {addr}");
    }
    assert_eq!(
        fleet.xaddrs().await[19],
        format!("http://127.0.2.20:{port}/onvif/device_service")
    );
}

/// Await many futures concurrently without an extra crate.
async fn futures_join_all<F: Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[test]
fn fleet_addresses_skip_network_and_broadcast_octets_and_stay_in_loopback() {
    let a = fleet_addresses(Ipv4Addr::new(127, 0, 2, 253), 4).unwrap();
    assert_eq!(
        a,
        [
            Ipv4Addr::new(127, 0, 2, 253),
            Ipv4Addr::new(127, 0, 2, 254),
            Ipv4Addr::new(127, 0, 3, 1),
            Ipv4Addr::new(127, 0, 3, 2)
        ]
    );
    assert!(fleet_addresses(Ipv4Addr::new(127, 255, 255, 250), 10).is_err());
    assert!(fleet_addresses(Ipv4Addr::new(10, 0, 0, 1), 1).is_err());
}

#[tokio::test]
async fn dropping_a_device_frees_its_port() {
    let persona = Persona::builtin("axis-p3265-lve").unwrap();
    let dev = MockDevice::start(DeviceConfig::new(
        persona.clone(),
        "127.0.0.1:0".parse().unwrap(),
    ))
    .await
    .unwrap();
    let addr = dev.addr();
    // Leave a connection open: it must not keep the device alive.
    let _idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    drop(dev);
    let deadline = Instant::now() + DEADLINE;
    loop {
        match MockDevice::start(DeviceConfig::new(persona.clone(), addr)).await {
            Ok(again) => {
                call(again.addr(), "GetSystemDateAndTime", "")
                    .await
                    .assert_ok();
                break;
            }
            Err(e) => {
                assert!(Instant::now() < deadline, "port still held: {e}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
}

async fn control_fleet(base: Ipv4Addr, count: usize) -> (Fleet, SocketAddr) {
    let mut fleet = Fleet::start(FleetSpec::round_robin(&personas(), count, base))
        .await
        .unwrap();
    let control = fleet
        .serve_control("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    (fleet, control)
}

async fn control(addr: SocketAddr, method: &str, path: &str) -> HttpResponse {
    http(addr, method, path, &[], b"").await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swap_puts_a_factory_default_device_of_another_persona_on_the_same_address() {
    let (fleet, ctl) = control_fleet(Ipv4Addr::new(127, 0, 5, 1), 2).await;
    let before = fleet.addrs().await;
    let resp = control(
        ctl,
        "POST",
        "/swap?address=127.0.5.1&persona=axis-p3265-lve",
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let json: serde_json::Value = serde_json::from_slice(&resp.body).unwrap();
    assert_eq!(json["address"], before[0].to_string());
    assert_eq!(
        json["xaddr"],
        format!("http://{}/onvif/device_service", before[0])
    );
    // Factory default: no users, so no credentials needed, and it is an Axis now.
    let info = call(before[0], "GetDeviceInformation", "").await;
    info.assert_ok();
    assert_eq!(info.first("Manufacturer"), "AXIS");
    assert!(
        call(before[0], "GetUsers", "")
            .await
            .texts("Username")
            .is_empty()
    );
    // The other device is untouched.
    assert_eq!(call(before[1], "GetUsers", "").await.status, 401);

    assert_eq!(
        control(
            ctl,
            "POST",
            "/swap?address=127.0.5.99&persona=axis-p3265-lve"
        )
        .await
        .status,
        404
    );
    assert_eq!(
        control(ctl, "POST", "/swap?address=127.0.5.2&persona=no-such")
            .await
            .status,
        400
    );
    assert_eq!(
        control(ctl, "GET", "/swap?address=127.0.5.2&persona=axis-p3265-lve")
            .await
            .status,
        405
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_drop_and_garbage_faults_and_clearing_them() {
    let (fleet, ctl) = control_fleet(Ipv4Addr::new(127, 0, 6, 1), 1).await;
    let dev = fleet.addrs().await[0];

    let r = control(
        ctl,
        "POST",
        "/fault?address=127.0.6.1&kind=latency&value=300",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let start = Instant::now();
    call(dev, "GetSystemDateAndTime", "").await.assert_ok();
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "{:?}",
        start.elapsed()
    );
    control(ctl, "POST", "/fault/clear?address=127.0.6.1").await;

    control(ctl, "POST", "/fault?address=127.0.6.1&kind=drop").await;
    let dropped = http(
        dev,
        "POST",
        DEVICE_PATH,
        &[],
        envelope("", &tds("GetSystemDateAndTime", "")).as_bytes(),
    )
    .await;
    assert!(
        dropped.is_err(),
        "the connection closes without an answer: {dropped:?}"
    );
    control(ctl, "POST", "/fault/clear?address=127.0.6.1").await;

    control(ctl, "POST", "/fault?address=127.0.6.1&kind=garbage").await;
    let garbage = call(dev, "GetSystemDateAndTime", "").await;
    assert_eq!(garbage.status, 200);
    assert!(std::str::from_utf8(&garbage.body).is_err() || !garbage.text().contains("Envelope"));
    control(ctl, "POST", "/fault/clear?address=127.0.6.1").await;
    call(dev, "GetSystemDateAndTime", "").await.assert_ok();

    assert_eq!(
        control(ctl, "POST", "/fault?address=127.0.6.1&kind=melt")
            .await
            .status,
        400
    );
    assert_eq!(
        control(ctl, "POST", "/fault?address=127.0.6.1&kind=latency")
            .await
            .status,
        400
    );
    assert_eq!(
        control(ctl, "POST", "/fault?address=not-an-ip&kind=drop")
            .await
            .status,
        400
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reboot_refuses_connections_then_comes_back_with_the_saved_state() {
    let (fleet, ctl) = control_fleet(Ipv4Addr::new(127, 0, 7, 1), 1).await;
    let dev = fleet.addrs().await[0];
    call_admin(dev, "SetHostname", "<d:Name>before-reboot</d:Name>")
        .await
        .assert_ok();
    let r = control(ctl, "POST", "/fault?address=127.0.7.1&kind=reboot&value=1").await;
    assert_eq!(r.status, 200);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !fleet
            .with_device(Ipv4Addr::new(127, 0, 7, 1), |d| d.is_up())
            .await
            .unwrap()
    );
    assert!(
        tokio::net::TcpStream::connect(dev).await.is_err(),
        "refused while rebooting"
    );
    let deadline = Instant::now() + DEADLINE;
    while tokio::net::TcpStream::connect(dev).await.is_err() {
        assert!(Instant::now() < deadline, "device never came back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let name = call_admin(dev, "GetHostname", "").await;
    assert_eq!(name.first("Name"), "before-reboot");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_lists_operations_with_names_times_and_statuses() {
    let (fleet, ctl) = control_fleet(Ipv4Addr::new(127, 0, 8, 1), 1).await;
    let dev = fleet.addrs().await[0];
    let t0 = chrono::Utc::now();
    call(dev, "GetSystemDateAndTime", "").await;
    call_admin(dev, "GetDeviceInformation", "").await;
    let resp = control(ctl, "GET", "/log?address=127.0.8.1").await;
    assert_eq!(resp.status, 200);
    let log: Vec<serde_json::Value> = serde_json::from_slice(&resp.body).unwrap();
    let names: Vec<&str> = log.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "GetSystemDateAndTime",
            "GetDeviceInformation",
            "GetDeviceInformation"
        ]
    );
    let statuses: Vec<u64> = log.iter().map(|e| e["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [200, 401, 200]);
    for e in &log {
        let t = chrono::DateTime::parse_from_rfc3339(e["time"].as_str().unwrap()).unwrap();
        assert!(t >= t0 - chrono::Duration::seconds(1));
    }
    let lib = fleet.log(Ipv4Addr::new(127, 0, 8, 1)).await.unwrap();
    assert_eq!(lib.len(), 3);
    assert_eq!(
        control(ctl, "GET", "/log?address=127.0.8.2").await.status,
        404
    );
    assert_eq!(control(ctl, "GET", "/nope").await.status, 404);
}

#[tokio::test]
async fn a_fleet_spec_mixes_personas_and_per_device_settings() {
    let dir = tempfile::tempdir().unwrap();
    let custom = include_str!("../../personas/axis-p3265-lve.toml")
        .replace("name = \"axis-p3265-lve\"", "name = \"axis-custom\"")
        .replace("\"AXIS\"", "\"AXIS-CUSTOM\"");
    std::fs::write(dir.path().join("custom.toml"), custom).unwrap();
    let spec = r#"
        base = "127.0.10.1"
        [[devices]]
        persona = "hikvision-ds2cd2143g2"
        count = 2
        [[devices]]
        persona = "custom.toml"
        factory = true
        [[devices]]
        persona = "hikvision-ds2cd2143g2"
        auth = "wsse"
        clock_offset = 600
        users = ["site:Site-pass1"]
    "#;
    let spec = FleetSpec::from_toml(spec, "spec.toml", dir.path()).unwrap();
    assert!(spec.control.is_none());
    let fleet = Fleet::start(spec).await.unwrap();
    let a = fleet.addrs().await;
    assert_eq!(a.len(), 4);
    assert_eq!(call(a[0], "GetUsers", "").await.status, 401);
    let custom = call(a[2], "GetDeviceInformation", "").await;
    assert_eq!(custom.first("Manufacturer"), "AXIS-CUSTOM");
    call(a[3], "GetHostname", "")
        .await
        .assert_fault(400, &["Sender", "NotAuthorized"]);
    call_wsse(a[3], "site", "Site-pass1", 600, "GetHostname", "")
        .await
        .assert_ok();
    // A swap by the name of a persona loaded from a file works too.
    fleet
        .swap(Ipv4Addr::new(127, 0, 10, 1), "axis-custom")
        .await
        .unwrap();
    assert_eq!(
        call(a[0], "GetDeviceInformation", "")
            .await
            .first("Manufacturer"),
        "AXIS-CUSTOM"
    );

    let err = FleetSpec::from_toml(
        "[[devices]]\npersona = \"x\"\nauth = \"magic\"\n",
        "bad.toml",
        dir.path(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("x") || err.contains("magic"), "{err}");
    let err = FleetSpec::from_toml(
        "[[devices]]\npersona = \"hikvision-ds2cd2143g2\"\nauth = \"magic\"\n",
        "bad.toml",
        dir.path(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("devices[0].auth"), "{err}");
}

/// The demo site's keys: a site gateway, a reseller's label on a maker's hardware, and
/// configurable scopes a group adds (the building a camera is in).
#[tokio::test]
async fn a_fleet_spec_sets_the_site_gateway_relabels_units_and_adds_scopes() {
    let dir = tempfile::tempdir().unwrap();
    let spec = r#"
        base = "127.0.13.1"
        gateway = "127.0.13.254"
        [[devices]]
        persona = "hikvision-ds2cd2143g2"
        manufacturer = "LTS"
        model = "CMIP3142W-28M"
        scopes = ["onvif://www.onvif.org/location/building/north"]
        [[devices]]
        persona = "axis-p3265-lve"
    "#;
    let fleet = Fleet::start(FleetSpec::from_toml(spec, "spec.toml", dir.path()).unwrap())
        .await
        .unwrap();
    let a = fleet.addrs().await;
    let info = call_admin(a[0], "GetDeviceInformation", "").await;
    assert_eq!(info.first("Manufacturer"), "LTS");
    assert_eq!(info.first("Model"), "CMIP3142W-28M");
    // The maker's firmware stays (hikvision-ds2cd2143g2.toml's `firmware`).
    assert!(
        info.first("FirmwareVersion").starts_with("V5."),
        "{}",
        info.text()
    );
    let scopes = call_admin(a[0], "GetScopes", "").await.texts("ScopeItem");
    for want in [
        "onvif://www.onvif.org/hardware/CMIP3142W-28M",
        "onvif://www.onvif.org/name/LTS%20CMIP3142W-28M",
        "onvif://www.onvif.org/location/building/north",
        // The persona's own configurable scope is kept.
        "onvif://www.onvif.org/location/city/hangzhou",
    ] {
        assert!(scopes.iter().any(|s| s == want), "{want} in {scopes:?}");
    }
    assert!(
        !scopes.iter().any(|s| s.contains("DS-2CD2143G2")),
        "{scopes:?}"
    );
    // Both devices route through the site's gateway, not their vendors' defaults.
    for addr in &a {
        let gw = call_admin(*addr, "GetNetworkDefaultGateway", "").await;
        assert_eq!(gw.texts("IPv4Address"), ["127.0.13.254"], "{}", gw.text());
    }
    let axis = call_admin(a[1], "GetDeviceInformation", "").await;
    assert_eq!(axis.first("Manufacturer"), "AXIS");

    let err = FleetSpec::from_toml(
        "[[devices]]\npersona = \"hikvision-ds2cd2143g2\"\nmanufacturer = \"LTS\"\n",
        "bad.toml",
        dir.path(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("devices[0]") && err.contains("model"), "{err}");
}

#[tokio::test]
async fn attached_helper_tasks_stop_with_the_device_and_views_stay_live() {
    let persona = Persona::builtin("hikvision-ds2cd2143g2").unwrap();
    let mut dev = MockDevice::start(
        DeviceConfig::new(persona, "127.0.0.1:0".parse().unwrap())
            .auth(mock_devices::AuthMode::None)
            .discovery_port(3702),
    )
    .await
    .unwrap();
    let view = dev.view();
    assert_eq!(view.discovery_port(), Some(3702));
    assert_eq!(
        view.endpoint(),
        "urn:uuid:3b2e0000-8a1c-11b6-8420-4419b66a214f"
    );
    // A helper that would hold a UDP socket (like a discovery responder) for ever.
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let udp = socket.local_addr().unwrap();
    dev.attach_task(tokio::spawn(async move {
        let mut buf = [0u8; 16];
        loop {
            let _ = socket.recv_from(&mut buf).await;
        }
    }));
    call(
        dev.addr(),
        "AddScopes",
        "<d:ScopeItem>onvif://www.onvif.org/location/x</d:ScopeItem>",
    )
    .await
    .assert_ok();
    assert!(
        view.scopes()
            .contains(&"onvif://www.onvif.org/location/x".to_string())
    );
    assert_eq!(view.xaddr(), dev.xaddr());
    dev.shutdown().await;
    tokio::net::UdpSocket::bind(udp)
        .await
        .expect("the helper's socket is released");
}
