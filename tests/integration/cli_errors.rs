//! Exit codes and refusals through the real binary (issue 10 item 9): a run that did nothing
//! useful is an error, not a success or a "partial".

use std::process::Command;

use mock_devices::{DeviceConfig, MockDevice, Persona, UserSpec};

fn camswap() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_camswap"));
    c.env_remove("CAMSWAP_LOG").env("NO_COLOR", "1");
    c
}

/// Runs a command off the test's runtime thread, which must keep serving the mock devices.
async fn output(mut cmd: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("camswap runs"))
        .await
        .unwrap()
}

// Issue 10 item 9: every device answered but refused our credentials, so none was read:
// exit 1 (runtime error), not 6 ("some devices failed, others succeeded").
#[tokio::test]
async fn exit_1_not_partial_when_no_device_succeeded() {
    let persona = Persona::builtin("hikvision-ds2cd2143g2").unwrap();
    let users = vec![UserSpec::admin("admin", "the-right-one")];
    let mut devices = Vec::new();
    for _ in 0..2 {
        let config =
            DeviceConfig::new(persona.clone(), "127.0.0.1:0".parse().unwrap()).users(users.clone());
        devices.push(MockDevice::start(config).await.unwrap());
    }
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("credentials.toml");
    std::fs::write(
        &creds,
        "[default]\nusername = \"admin\"\npassword_env = \"CAMSWAP_TEST_PASSWORD\"\n",
    )
    .unwrap();
    let out = dir.path().join("inventory.json");
    let mut cmd = camswap();
    cmd.args([
        "inventory",
        "--no-progress",
        "--timeout",
        "3",
        "--credentials",
    ])
    .arg(&creds)
    .args([
        "--xaddr",
        &devices[0].xaddr(),
        "--xaddr",
        &devices[1].xaddr(),
    ])
    .arg("-o")
    .arg(&out)
    .env("CAMSWAP_TEST_PASSWORD", "a-wrong-one");
    let run = output(cmd).await;
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("none of the 2 devices could be read"),
        "{stderr}"
    );
    // The file still says, per device, what went wrong.
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("device.GetDeviceInformation"), "{text}");
}

// Issue 10 item 9: `--port 0` probed nothing and reported "no devices found" with exit 0.
#[test]
fn discover_port_0_is_refused() {
    for args in [
        &["discover", "--cidr", "127.0.7.0/30", "--port", "0"][..],
        &["discover", "--target", "127.0.7.1:0"][..],
    ] {
        let run = camswap().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("no devices found"), "{stderr}");
    }
}

// Issue 10 item 9: when every probe fails to send, nothing was tested; exit 1 naming the
// error, not 0 with "no devices found". 255.255.255.255 without SO_BROADCAST is refused by
// the kernel (EACCES) before anything leaves the host.
#[test]
fn discover_every_probe_failed_to_send_is_an_error() {
    let run = camswap()
        .args([
            "discover",
            "--target",
            "255.255.255.255:3702",
            "--timeout",
            "200ms",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("probes could be sent") && stderr.contains("255.255.255.255"),
        "{stderr}"
    );
    assert!(!stderr.contains("no devices found"), "{stderr}");
}

// Issue 10 item 9: a /23 given with host bits set is refused through the command line too.
#[test]
fn discover_cidr_with_host_bits_set_is_refused() {
    let run = camswap()
        .args(["discover", "--cidr", "127.0.9.0/23", "--port", "9"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("127.0.8.0/23"), "{stderr}");
}

/// A "device" that answers every request with HTTP 200 and `body`.
async fn answering(body: &'static [u8]) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                // Read the request head and whatever body came with it, then answer.
                let mut buf = vec![0u8; 65_536];
                let _ = stream.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(body).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    format!("http://{addr}/onvif/device_service")
}

// Issue 10 item 9: an answer that is not XML was recorded as just "is not XML": the reader's
// reason (what is malformed, and where) was dropped.
#[tokio::test]
async fn non_xml_answers_keep_their_cause() {
    let body: &[u8] = b"<html><body>Login</p></body></html>";
    let cause = camswap::soap::xml::parse(body).unwrap_err().to_string();
    assert!(cause.contains("malformed XML at byte"), "{cause}");
    let xaddr = answering(body).await;
    let target = camswap::inventory::Target {
        xaddr,
        endpoint: None,
        login: None,
    };
    let opts = camswap::inventory::ReadOptions {
        timeout: std::time::Duration::from_secs(3),
        ..camswap::inventory::ReadOptions::default()
    };
    let s = camswap::inventory::read_device(&target, &opts).await;
    let reasons: Vec<&str> = s.errors.iter().map(|e| e.reason.as_str()).collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("not XML") && r.contains(&cause)),
        "{reasons:#?}"
    );
}

/// Renders `e` as the CLI prints it and checks that no message of the chain repeats another:
/// each error shows its cause in its message or exposes it as `source`, never both (issue 9
/// item 5). Answers the rendering.
fn rendered_once(e: camswap::cli::CliError) -> String {
    let rendered = camswap::cli::chain(&e);
    let messages: Vec<&str> = rendered
        .lines()
        .map(|l| {
            let l = l.trim_start();
            l.strip_prefix("error: ")
                .or_else(|| l.strip_prefix("caused by: "))
                .unwrap_or(l)
        })
        .collect();
    for (i, outer) in messages.iter().enumerate() {
        for inner in &messages[i + 1..] {
            assert!(!outer.contains(inner), "repeated cause in:\n{rendered}");
        }
    }
    rendered
}

// Issue 9 item 5: `OnvifError::Parse` printed the parse error and exposed it as its source, so
// the CLI's chain said it twice; a not-XML answer did the same with the XML reader's error
// (now only its source, and the inventory's reason appends it).
#[tokio::test]
async fn each_cause_is_printed_once() {
    use camswap::onvif::{device, session::Session};
    use camswap::soap::{ClientConfig, SoapClient};

    let hostname = br#"<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><tds:GetHostnameResponse xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"><tds:HostnameInformation><tt:FromDHCP>maybe</tt:FromDHCP></tds:HostnameInformation></tds:GetHostnameResponse></s:Body></s:Envelope>"#;
    let session = |xaddr: &str| {
        let soap = SoapClient::new("cam-1", ClientConfig::default()).unwrap();
        Session::new(soap, xaddr)
    };
    let parse = session(&answering(hostname).await)
        .send(&device::GetHostname)
        .await
        .unwrap_err();
    let shown = rendered_once(camswap::cli::CliError::runtime(parse));
    assert_eq!(
        shown,
        "error: cam-1: device.GetHostname: field HostnameInformation/FromDHCP has invalid value \"maybe\""
    );

    let not_xml = session(&answering(b"<html><body>Login</p></body></html>").await)
        .send(&device::GetHostname)
        .await
        .unwrap_err();
    let shown = rendered_once(camswap::cli::CliError::runtime(not_xml));
    assert!(shown.contains("is not XML"), "{shown}");
    assert!(
        shown.contains("\n  caused by: malformed XML at byte"),
        "{shown}"
    );

    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("ca.pem");
    let ca = camswap::soap::tls::read_ca_file(&missing).unwrap_err();
    let shown = rendered_once(camswap::cli::CliError::input(ca));
    assert!(shown.contains("cannot read CA certificate file"), "{shown}");

    // The other style: the message gives the context, the cause comes as `source`.
    let read =
        camswap::files::read_json::<serde_json::Value>(&missing, "camswap-plan", 1).unwrap_err();
    let shown = rendered_once(camswap::cli::CliError::input(read));
    assert_eq!(shown.lines().count(), 2, "{shown}");
}
