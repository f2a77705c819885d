//! Evidence without a login (issue 12): a covered camera that refuses camswap's credentials is
//! still judged, on what WS-Discovery heard and what its web server showed before
//! authentication, and the audit exits 10. The whole chain runs through the command line:
//! `camswap discover` (directed probe to the mock) → `camswap inventory` (wrong password) →
//! `camswap audit`.

use std::net::Ipv4Addr;
use std::path::Path;

use crate::support::{cli, mock};
use camswap::audit::{AuditReport, Signal, Verdict};
use camswap::inventory::Inventory;

fn camswap(args: &[&str]) -> std::process::Output {
    cli::camswap()
        .args(args)
        .env("CAMSWAP_TEST_WRONG_PASSWORD", "not-the-onvif-password")
        .output()
        .unwrap()
}

/// Discovers the mock at `ip` by a directed probe, reads it with a wrong password, audits.
async fn locked_out(persona: &str, ip: Ipv4Addr, dir: &Path) -> (Inventory, AuditReport, i32) {
    let (device, port) = mock::start_with_discovery(mock::builtin(persona), ip).await;

    let devices = dir.join("devices.json");
    let target = format!("{ip}:{port}");
    let out = camswap(&[
        "discover",
        "--target",
        &target,
        "--timeout",
        "1",
        "--format",
        "json",
        "-o",
        devices.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let creds = dir.join("credentials.toml");
    std::fs::write(
        &creds,
        "[default]\nusername = \"admin\"\npassword_env = \"CAMSWAP_TEST_WRONG_PASSWORD\"\n",
    )
    .unwrap();
    let inventory = dir.join("inventory.json");
    let out = camswap(&[
        "inventory",
        devices.to_str().unwrap(),
        "--credentials",
        creds.to_str().unwrap(),
        "--timeout",
        "5",
        "-o",
        inventory.to_str().unwrap(),
    ]);
    // The only device refused the credentials: the run failed (1), and inventory.json still
    // records what it showed without a login.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inv = Inventory::load(&inventory).unwrap();
    // Nothing secret in the file.
    let text = std::fs::read_to_string(&inventory).unwrap();
    assert!(!text.contains("not-the-onvif-password"));

    let out = camswap(&["audit", inventory.to_str().unwrap(), "--format", "json"]);
    let report: AuditReport = serde_json::from_slice(&out.stdout).unwrap();
    drop(device);
    (inv, report, out.status.code().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dahua_that_refuses_the_credentials_is_covered_from_discovery_and_pre_auth_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let (inv, report, code) = locked_out(
        "dahua-ipc-hdw2431t",
        Ipv4Addr::new(127, 0, 21, 1),
        dir.path(),
    )
    .await;
    let snap = &inv.devices[0];
    assert!(snap.identity.manufacturer.is_none(), "no identity was read");
    let pre = &snap.unauthenticated;
    assert!(pre.login_refused);
    // As the persona declares it (mock-devices/personas/dahua-ipc-hdw2431t.toml).
    assert_eq!(pre.auth_realm.as_deref(), Some("Login to 6J0A8B5PAG12345"));
    let heard = pre
        .discovery
        .as_ref()
        .expect("the discovery record is kept");
    assert!(
        heard
            .scopes
            .iter()
            .any(|s| s.ends_with("/hardware/IPC-HDW2431T-AS")),
        "{heard:?}"
    );
    assert!(heard.endpoint.is_some() && !heard.xaddrs.is_empty() && !heard.types.is_empty());

    assert_eq!(code, 10, "{report:#?}");
    let v = &report.devices[0];
    assert_eq!(v.verdict, Verdict::Covered, "{v:#?}");
    assert_eq!(v.company.as_deref(), Some("dahua"));
    assert!(v.confidence >= 0.9, "{}", v.confidence);
    let signals: Vec<Signal> = v.deciding().map(|e| e.signal).collect();
    for s in [Signal::HardwareScope, Signal::AuthRealm, Signal::NameScope] {
        assert!(signals.contains(&s), "{s:?} missing: {signals:?}");
    }
    assert_eq!(v.device.access.as_deref(), Some("login refused"));
    assert!(v.reason.contains("refused our credentials"), "{}", v.reason);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hikvision_that_refuses_the_credentials_is_flagged_by_its_web_server_and_scopes() {
    let dir = tempfile::tempdir().unwrap();
    let (inv, report, code) = locked_out(
        "hikvision-ds2cd2143g2",
        Ipv4Addr::new(127, 0, 21, 2),
        dir.path(),
    )
    .await;
    let pre = &inv.devices[0].unauthenticated;
    assert_eq!(pre.http_server.as_deref(), Some("App-webs/"));
    assert_eq!(pre.auth_realm.as_deref(), Some("IP Camera(12345)"));
    assert_eq!(code, 10);
    let v = &report.devices[0];
    assert_eq!(v.verdict, Verdict::Covered, "{v:#?}");
    assert_eq!(v.company.as_deref(), Some("hikvision"));
    let signals: Vec<Signal> = v.deciding().map(|e| e.signal).collect();
    assert!(signals.contains(&Signal::HttpServer), "{signals:?}");
}
