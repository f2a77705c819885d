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
