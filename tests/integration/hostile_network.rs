//! Hostile networks (issue 10, items 3 to 6): devices that name other hosts to collect
//! credentials, impostors in discovery, secrets in URIs, and TLS. Each test is named after the
//! item it guards and fails on code without the fix.

use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use camswap::credentials::{Login, Secret};
use camswap::inventory::reader::{ReadOptions, Target, read_device};
use camswap::soap::auth::Credentials;
use camswap::soap::{AuthMode, ClientConfig, SoapClient, SoapError};
use mock_devices::{AuthMode as MockAuth, DeviceConfig, MockDevice, Persona};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

use crate::inventory_proxy::Proxy;

const HIK: &str = "hikvision-ds2cd2143g2";
const PASSWORD: &str = "camswap-demo";

async fn start(config: DeviceConfig) -> MockDevice {
    MockDevice::start(config).await.expect("mock device starts")
}

fn hik_on(bind: &str) -> DeviceConfig {
    DeviceConfig::new(
        Persona::builtin(HIK).expect("built-in persona"),
        bind.parse().unwrap(),
    )
}

fn admin() -> Option<Login> {
    Some(Login {
        username: "admin".into(),
        password: Secret::new(PASSWORD),
    })
}

fn options() -> ReadOptions {
    ReadOptions {
        timeout: Duration::from_secs(5),
        device_timeout: Duration::from_secs(60),
        auth: AuthMode::Auto,
        ..ReadOptions::default()
    }
}

/// A host that collects credentials: it records every request it gets and answers each with
/// an HTTP Digest challenge, so a client that trusts it sends a Digest answer as well as its
/// UsernameToken.
struct Collector {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Collector {
    async fn start(host: &str) -> Self {
        let listener = TcpListener::bind((host, 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let log = Arc::clone(&log);
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    let mut got = Vec::new();
                    // Headers and a body of any size: read what comes within a moment.
                    while let Ok(Ok(n)) =
                        tokio::time::timeout(Duration::from_millis(300), stream.read(&mut buf))
                            .await
                    {
                        if n == 0 {
                            break;
                        }
                        got.extend_from_slice(&buf[..n]);
                    }
                    log.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&got).into_owned());
                    let _ = stream
                        .write_all(
                            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm=\"x\", qop=\"auth\", nonce=\"abc\", algorithm=MD5\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        )
                        .await;
                });
            }
        });
        Self { addr, seen }
    }

    fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

// ---- item 3: credentials leave the device ------------------------------------------------------

/// A device reports its service addresses as `http://COLLECTOR\@DEVICE/...`: a hand-split
/// authority sees the device's host after the `@`, while the HTTP client reads `\` as `/` and
/// connects to the collector. Nothing may reach the collector, and the services are used at
/// the origin the device was reached at.
#[tokio::test]
async fn credentials_leave_the_device_through_a_backslash_service_address() {
    let device = start(hik_on("127.0.0.51:0").auth(MockAuth::Digest)).await;
    let collector = Collector::start("127.0.0.99").await;
    let real = format!("http://{}/", device.addr());
    let hostile = format!(r"http://{}\@127.0.44.1/", collector.addr);
    let proxy = Proxy::tampering(device.addr(), move |request, body| {
        if request.contains("GetServices") {
            body.replace(&real, &hostile)
        } else {
            body.to_owned()
        }
    })
    .await;
    let target = Target {
        xaddr: proxy.xaddr(),
        endpoint: None,
        login: admin(),
    };
    let s = read_device(&target, &options()).await;

    let leaked = collector.requests();
    assert!(
        leaked.is_empty(),
        "{} request(s) reached the collector, first: {}",
        leaked.len(),
        leaked[0]
    );
    // The device answered GetServices with the hostile addresses, and every one was moved onto
    // the proxy's origin (the one reached).
    let proxy_origin = camswap::model::Origin::of(&proxy.xaddr()).unwrap();
    assert!(s.services.len() > 1, "{:?}", s.services);
    for svc in &s.services {
        assert_eq!(
            camswap::model::Origin::of(&svc.xaddr).unwrap(),
            proxy_origin,
            "{}",
            svc.xaddr
        );
    }
    assert!(s.identity.serial_number.is_some(), "{:?}", s.errors);
}

/// The SOAP client itself refuses any origin but the device's, whatever its caller asks.
#[tokio::test]
async fn credentials_leave_the_device_only_for_its_own_origin_in_the_soap_client() {
    let device = start(hik_on("127.0.0.52:0").auth(MockAuth::Digest)).await;
    let collector = Collector::start("127.0.0.99").await;
    let client = SoapClient::new(
        device.xaddr(),
        ClientConfig {
            auth: AuthMode::Both,
            credentials: Some(Credentials::new("admin", PASSWORD)),
            timeout: Duration::from_secs(5),
            ..ClientConfig::default()
        },
    )
    .unwrap();
    let action = "http://www.onvif.org/ver10/device/wsdl/GetHostname";
    let payload = r#"<tds:GetHostname xmlns:tds="http://www.onvif.org/ver10/device/wsdl"/>"#;
    // The device itself is fine (and its Digest session is now set up).
    client.call(&device.xaddr(), action, payload).await.unwrap();
    let hostile = [
        format!(
            r"http://{}\@{}/onvif/device_service",
            collector.addr,
            device.addr()
        ),
        format!("http://{}/onvif/device_service", collector.addr),
        // Same host, another port: another server.
        format!(
            "http://127.0.0.52:{}/onvif/device_service",
            collector.addr.port()
        ),
    ];
    for url in &hostile {
        let e = client.call(url, action, payload).await.unwrap_err();
        assert!(matches!(e, SoapError::ForeignOrigin { .. }), "{url}: {e:?}");
        assert!(e.to_string().contains(&device.addr().to_string()), "{e}");
        let e = client
            .call_unauthenticated(url, action, payload)
            .await
            .unwrap_err();
        assert!(matches!(e, SoapError::ForeignOrigin { .. }), "{url}: {e:?}");
    }
    assert!(
        collector.requests().is_empty(),
        "{:?}",
        collector.requests()
    );
}

/// `--xaddr ''` became `http:///onvif/device_service`, which the URL standard reads as the
/// host `onvif`: a DNS lookup and the credentials sent off the site.
#[test]
fn credentials_leave_the_device_for_an_empty_or_hostless_xaddr() {
    for bad in [
        "",
        "  ",
        "/onvif/device_service",
        "http:///onvif/device_service",
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_camswap"))
            .args(["inventory", "--xaddr", bad, "--timeout", "1"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {stderr}");
        assert!(stderr.contains("--xaddr"), "{bad:?}: {stderr}");
        assert!(!stderr.contains("onvif:"), "{bad:?}: {stderr}");
    }
}

// ---- item 5: secrets in URIs -------------------------------------------------------------------

/// A UDP port that is free on `ip` now (the fleet then binds it on every address).
fn free_udp_port(ip: std::net::Ipv4Addr) -> u16 {
    std::net::UdpSocket::bind((ip, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `camswap ARGS` in `dir` at trace level; returns (exit code, stdout, stderr).
async fn camswap_in(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_camswap"))
        .args(args)
        .arg("-vvv")
        .arg("--no-progress")
        .current_dir(dir)
        .env_remove("CAMSWAP_LOG")
        .env("CAMSWAP_PASSWORD", PASSWORD)
        .output()
        .await
        .expect("camswap runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A persona whose stream and snapshot URIs carry the password every way cameras do: as
/// userinfo, as `password=`/`pwd=` parameters, as `auth=` base64 of `user:password`, and a
/// session token.
fn leaky(name: &str, auth: MockAuth) -> mock_devices::DeviceSpec {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("admin:{PASSWORD}"));
    let mut p = Persona::builtin(name).unwrap();
    let media = p.media.as_mut().expect("the persona has media");
    media.stream_uri = format!(
        "rtsp://admin:{PASSWORD}@{{ip}}:554/live/{{stream}}?profile={{profile}}&user=admin&password={PASSWORD}&auth={b64}"
    );
    media.snapshot_uri = Some(format!(
        "http://admin:{PASSWORD}@{{http_host}}/snapshot.cgi?{{profile}}&pwd={PASSWORD}&token={TOKEN}"
    ));
    let mut spec = mock_devices::DeviceSpec::new(p);
    spec.auth = Some(auth);
    spec
}

const TOKEN: &str = "sEsSiOnToKeN4711";

/// Issue 10 item 5: discover, inventory, audit and plan at trace level against devices whose
/// URIs carry credentials; no output file and no log line may hold the password, its base64
/// forms, the token, or any credential proof (HTTP Digest response, WS-Security password
/// digest) that crossed the wire.
#[tokio::test(flavor = "multi_thread")]
async fn secrets_in_uris_never_reach_a_file_or_a_log_at_trace_level() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let base = std::net::Ipv4Addr::new(127, 0, 93, 1);
    let mut spec = mock_devices::FleetSpec::round_robin(&[], 0, base);
    spec.devices = vec![
        leaky(HIK, MockAuth::Digest),
        leaky("dahua-ipc-hdw2431t", MockAuth::Wsse),
        leaky("axis-p3265-lve", MockAuth::Both),
    ];
    let port = free_udp_port(base);
    spec.discovery_port = Some(port);
    let fleet = mock_devices::Fleet::start(spec)
        .await
        .expect("fleet starts");

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("credentials.toml"),
        "[default]\nusername = \"admin\"\npassword_env = \"CAMSWAP_PASSWORD\"\n",
    )
    .unwrap();
    let port = port.to_string();
    let runs: [(&[&str], &[i32]); 6] = [
        (
            &[
                "discover",
                "--cidr",
                "127.0.93.0/29",
                "--port",
                &port,
                "--timeout",
                "1",
                "-o",
                "devices.json",
            ],
            &[0],
        ),
        (
            &[
                "inventory",
                "devices.json",
                "--credentials",
                "credentials.toml",
                "-o",
                "inventory.json",
            ],
            &[0, 6],
        ),
        (
            &[
                "inventory",
                "devices.json",
                "--credentials",
                "credentials.toml",
                "--format",
                "table",
            ],
            &[0, 6],
        ),
        (
            &[
                "audit",
                "inventory.json",
                "--format",
                "json",
                "-o",
                "audit.json",
            ],
            &[0, 10],
        ),
        (
            &[
                "audit",
                "inventory.json",
                "--format",
                "html",
                "-o",
                "audit.html",
            ],
            &[0, 10],
        ),
        (
            &[
                "plan",
                "inventory.json",
                "--catalog",
                "builtin:example",
                "-o",
                "plan.json",
            ],
            &[0],
        ),
    ];
    let mut logs = Vec::new();
    for (args, ok) in runs {
        let (code, stdout, stderr) = camswap_in(d, args).await;
        assert!(
            code.is_some_and(|c| ok.contains(&c)),
            "{args:?} exited {code:?}: {stderr}"
        );
        logs.push((format!("{args:?} stdout"), stdout));
        logs.push((format!("{args:?} stderr"), stderr));
    }
    // The trace really shows bodies, with the stream URIs in them: the scan means something.
    let inventory_log = &logs[3].1;
    assert!(inventory_log.contains("SOAP response"), "{inventory_log}");
    assert!(
        inventory_log.contains("/live/"),
        "no stream URI in the trace"
    );
    let inventory = std::fs::read_to_string(d.join("inventory.json")).unwrap();
    assert!(inventory.contains("/live/") && inventory.contains("snapshot.cgi"));

    let mut secrets = vec![
        PASSWORD.to_owned(),
        b64.encode(PASSWORD),
        b64.encode(format!("admin:{PASSWORD}")),
        TOKEN.to_owned(),
    ];
    let mut proofs = 0;
    for ip in fleet.addrs().await {
        let std::net::IpAddr::V4(ip) = ip.ip() else {
            unreachable!()
        };
        let seen = fleet.credential_proofs(ip).await.unwrap();
        proofs += seen.len();
        secrets.extend(seen);
    }
    assert!(proofs >= 3, "credential proofs on the wire: {proofs}");
    for entry in std::fs::read_dir(d).unwrap() {
        let path = entry.unwrap().path();
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        logs.push((path.display().to_string(), text));
    }
    for (what, text) in &logs {
        if what.ends_with("credentials.toml") {
            continue;
        }
        for s in &secrets {
            if let Some(i) = text.find(s.as_str()) {
                let bytes = text.as_bytes();
                let around = &bytes[i.saturating_sub(80)..(i + s.len() + 20).min(bytes.len())];
                panic!("{s:?} in {what}: …{}…", String::from_utf8_lossy(around));
            }
        }
    }
}

// ---- item 4: spoofed discovery -----------------------------------------------------------------

/// An impostor answers WS-Discovery for a real camera's endpoint (first, so a "first answer
/// wins" merge picks it), and is itself a copy of the camera (same serial, MAC and endpoint).
/// Credentials are matched by that endpoint. Both addresses must be reported, neither may get
/// the endpoint's credentials, and the impostor must not be read as the camera silently.
#[tokio::test(flavor = "multi_thread")]
async fn spoofed_discovery_reports_both_claimants_and_sends_no_endpoint_credentials() {
    use mock_devices::discovery::{Responder, ResponderConfig};
    let persona = Persona::builtin(HIK).unwrap();
    let endpoint = persona.discovery.endpoint.clone();
    let real = start(hik_on("127.0.94.1:0").auth(MockAuth::Digest)).await;
    let impostor = start(hik_on("127.0.94.2:0").auth(MockAuth::Any)).await;
    let mut port = 0;
    let mut responders = Vec::new();
    for (device, delay_ms) in [(&impostor, 0), (&real, 300)] {
        let std::net::IpAddr::V4(ip) = device.addr().ip() else {
            unreachable!()
        };
        let mut c = ResponderConfig::new(ip, port);
        c.endpoint = endpoint.clone();
        c.xaddrs = vec![device.xaddr()];
        c.max_delay = Duration::from_millis(delay_ms);
        let r = Responder::start(c).await.expect("responder starts");
        port = r.local_addr().port();
        responders.push(r);
    }

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("credentials.toml"),
        format!(
            "[[device]]\nmatch = \"endpoint:{endpoint}\"\nusername = \"admin\"\npassword_env = \"CAMSWAP_PASSWORD\"\n"
        ),
    )
    .unwrap();
    let port = port.to_string();
    let (code, _, stderr) = camswap_in(
        d,
        &[
            "discover",
            "--cidr",
            "127.0.94.0/30",
            "--port",
            &port,
            "--timeout",
            "1",
            "-o",
            "devices.json",
        ],
    )
    .await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("endpoint:{endpoint} is claimed by 2 addresses")),
        "{stderr}"
    );
    let devices = camswap::discovery::read_devices(&d.join("devices.json")).unwrap();
    assert_eq!(devices.devices.len(), 2, "{:#?}", devices.devices);
    assert_eq!(devices.conflicts.len(), 1);
    assert_eq!(devices.conflicts[0].addresses, ["127.0.94.1", "127.0.94.2"]);
    assert!(devices.devices.iter().all(|d| d.contested()));

    let (code, _, stderr) = camswap_in(
        d,
        &[
            "inventory",
            "devices.json",
            "--credentials",
            "credentials.toml",
            "-o",
            "inventory.json",
        ],
    )
    .await;
    assert!(matches!(code, Some(6) | Some(1)), "{code:?} {stderr}");
    assert!(
        impostor.credential_proofs().is_empty(),
        "the impostor got credentials: {:?}",
        impostor.credential_proofs()
    );
    assert!(real.credential_proofs().is_empty());
    let inventory = camswap::inventory::Inventory::load(&d.join("inventory.json")).unwrap();
    assert_eq!(inventory.devices.len(), 2);
    let claim = format!("endpoint:{endpoint}");
    let conflict = inventory
        .conflicts
        .iter()
        .find(|c| c.claim == claim)
        .expect("the endpoint conflict is in the inventory");
    assert_eq!(conflict.addresses.len(), 2);
    for s in &inventory.devices {
        assert!(s.observed.contested.contains(&claim), "{:?}", s.observed);
    }
    for r in responders {
        r.stop().await;
    }
}

/// The same camera read through a forwarder on another address: it reports its own IPv4,
/// not the address it was reached at, and the inventory says so.
#[tokio::test]
async fn spoofed_discovery_a_device_reporting_another_ipv4_is_flagged() {
    let device = start(hik_on("127.0.94.9:0").auth(MockAuth::Digest)).await;
    let direct = read_device(
        &Target {
            xaddr: device.xaddr(),
            endpoint: None,
            login: admin(),
        },
        &options(),
    )
    .await;
    assert!(direct.errors.is_empty(), "{:?}", direct.errors);
    assert!(direct.observed.reported_ipv4_elsewhere.is_empty());
    let proxy = Proxy::start(device.addr()).await;
    let relayed = read_device(
        &Target {
            xaddr: proxy.xaddr(),
            endpoint: None,
            login: admin(),
        },
        &options(),
    )
    .await;
    assert_eq!(
        relayed.observed.reported_ipv4_elsewhere,
        ["127.0.94.9"],
        "{:?}",
        relayed.network
    );
}

// ---- item 6: TLS for real sites ----------------------------------------------------------------

fn credentials_file(d: &std::path::Path) {
    std::fs::write(
        d.join("credentials.toml"),
        "[default]\nusername = \"admin\"\npassword_env = \"CAMSWAP_PASSWORD\"\n",
    )
    .unwrap();
}

/// `camswap inventory --xaddr URL --credentials credentials.toml EXTRA...` in `d`, at the
/// default log level.
async fn inventory_of(d: &std::path::Path, xaddr: &str, extra: &[&str]) -> (Option<i32>, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_camswap"))
        .args([
            "inventory",
            "--xaddr",
            xaddr,
            "--credentials",
            "credentials.toml",
        ])
        .args(["--timeout", "5", "--no-progress"])
        .args(extra)
        .current_dir(d)
        .env_remove("CAMSWAP_LOG")
        .env("CAMSWAP_PASSWORD", PASSWORD)
        .output()
        .await
        .expect("camswap runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A camera with a certificate from a site CA: without the CA the error names the
/// certificate problem (it is not "unreachable"), no credential reaches the device, and with
/// `--ca-cert` the camera is read over HTTPS.
#[tokio::test(flavor = "multi_thread")]
async fn tls_for_real_sites_a_site_ca_is_trusted_and_an_unknown_one_is_named() {
    let device = start(hik_on("127.0.95.1:0").https().auth(MockAuth::Digest)).await;
    assert!(device.xaddr().starts_with("https://"));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    credentials_file(d);

    let (code, stderr) = inventory_of(d, &device.xaddr(), &["-o", "refused.json"]).await;
    assert_ne!(code, Some(0), "{stderr}");
    let refused = std::fs::read_to_string(d.join("refused.json")).unwrap();
    assert!(
        refused.contains("not signed by a trusted CA") && refused.contains("--ca-cert"),
        "{refused}"
    );
    assert!(!refused.contains("inventory.unreachable"), "{refused}");
    assert!(!stderr.contains("1 unreachable"), "{stderr}");
    assert!(device.credential_proofs().is_empty());

    std::fs::write(d.join("site-ca.pem"), &device.tls().unwrap().ca_pem).unwrap();
    let (code, stderr) = inventory_of(
        d,
        &device.xaddr(),
        &["--ca-cert", "site-ca.pem", "-o", "inventory.json"],
    )
    .await;
    assert_eq!(code, Some(0), "{stderr}");
    let inventory = camswap::inventory::Inventory::load(&d.join("inventory.json")).unwrap();
    let s = &inventory.devices[0];
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert!(s.identity.serial_number.is_some());
    assert!(!device.credential_proofs().is_empty());

    // A CA file that is not one is refused up front, by name.
    std::fs::write(d.join("bad.pem"), "hello\n").unwrap();
    let (code, stderr) = inventory_of(d, &device.xaddr(), &["--ca-cert", "bad.pem"]).await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("bad.pem"), "{stderr}");
}

/// Trust on first use: the first run records the certificate's SHA-256 in inventory.json;
/// a later run against a device with another certificate on the same address refuses it,
/// naming both fingerprints, sends it no credentials, and keeps the pin.
#[tokio::test(flavor = "multi_thread")]
async fn tls_for_real_sites_pin_on_first_use_records_and_then_requires_the_certificate() {
    let first = start(hik_on("127.0.95.2:0").https().auth(MockAuth::Digest)).await;
    let addr = first.addr();
    let xaddr = first.xaddr();
    let pinned = first.tls().unwrap().cert_sha256.clone();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    credentials_file(d);
    let (code, stderr) =
        inventory_of(d, &xaddr, &["--pin-on-first-use", "-o", "inventory.json"]).await;
    assert_eq!(code, Some(0), "{stderr}");
    let inventory = camswap::inventory::Inventory::load(&d.join("inventory.json")).unwrap();
    assert_eq!(
        inventory.devices[0].observed.certificate_sha256.as_deref(),
        Some(pinned.as_str())
    );

    // The same run again: the pin holds.
    let (code, stderr) =
        inventory_of(d, &xaddr, &["--pin-on-first-use", "-o", "inventory.json"]).await;
    assert_eq!(code, Some(0), "{stderr}");

    first.shutdown().await;
    let second = start(hik_on(&addr.to_string()).https().auth(MockAuth::Digest)).await;
    let other = second.tls().unwrap().cert_sha256.clone();
    assert_ne!(other, pinned);
    let (code, stderr) =
        inventory_of(d, &xaddr, &["--pin-on-first-use", "-o", "inventory.json"]).await;
    assert_ne!(code, Some(0), "{stderr}");
    assert!(
        second.credential_proofs().is_empty(),
        "{:?}",
        second.credential_proofs()
    );
    let text = std::fs::read_to_string(d.join("inventory.json")).unwrap();
    assert!(
        text.contains("the certificate changed") && text.contains(&other) && text.contains(&pinned),
        "{text}"
    );
    let inventory = camswap::inventory::Inventory::load(&d.join("inventory.json")).unwrap();
    assert_eq!(
        inventory.devices[0].observed.certificate_sha256.as_deref(),
        Some(pinned.as_str()),
        "the pin must survive a refused run"
    );
}

/// `--insecure` reads a device whatever its certificate, and says so on every run, even with
/// `--quiet`.
#[tokio::test(flavor = "multi_thread")]
async fn tls_for_real_sites_insecure_warns_on_every_run() {
    let device = start(hik_on("127.0.95.4:0").https().auth(MockAuth::Digest)).await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    credentials_file(d);
    for extra in [
        &["--insecure", "-o", "a.json"][..],
        &["--insecure", "-q", "-o", "b.json"],
    ] {
        let (code, stderr) = inventory_of(d, &device.xaddr(), extra).await;
        assert_eq!(code, Some(0), "{stderr}");
        assert!(
            stderr.contains("warning: --insecure") && stderr.contains("not checked"),
            "{extra:?}: {stderr}"
        );
    }
}
