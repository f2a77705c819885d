//! Everything an inventory run puts on the wire, both ways, against the official ONVIF schemas:
//! a full read of every built-in persona goes through a recording proxy, and each request and
//! response body is checked by `shared/tools/onvif-validate` (xmllint underneath), all files in
//! one call.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use camswap::credentials::{Login, Secret};
use camswap::inventory::reader::{ReadOptions, Target, read_device};
use mock_devices::{DeviceConfig, MockDevice, Persona};

use crate::inventory_proxy::Proxy;

/// `$ONVIF_SCHEMA_DIR/../tools/onvif-validate`, else `shared/tools/onvif-validate` found
/// above the repository (or the worktree folder it sits in). Fails, never skips: CI has it.
fn validator() -> PathBuf {
    let schemas = match std::env::var_os("ONVIF_SCHEMA_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
            manifest
                .ancestors()
                .skip(1)
                .map(|a| a.join("shared/onvif"))
                .find(|p| p.is_dir())
                .unwrap_or_else(|| {
                    panic!(
                        "no shared/onvif folder above {}; set ONVIF_SCHEMA_DIR",
                        manifest.display()
                    )
                })
        }
    };
    let tool = schemas.join("../tools/onvif-validate");
    assert!(
        tool.is_file(),
        "schema validator not found at {}; set ONVIF_SCHEMA_DIR to the shared/onvif folder",
        tool.display()
    );
    tool
}

#[tokio::test]
async fn every_request_and_response_of_an_inventory_validates_for_every_persona() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut operations = std::collections::BTreeSet::new();
    for name in Persona::builtin_names() {
        let persona = Persona::builtin(name).unwrap();
        let device = MockDevice::start(DeviceConfig::new(persona, "127.0.0.1:0".parse().unwrap()))
            .await
            .unwrap();
        let proxy = Proxy::start(device.addr()).await;
        let target = Target {
            xaddr: proxy.xaddr(),
            endpoint: None,
            login: Some(Login {
                username: "admin".into(),
                password: Secret::new("camswap-demo"),
            }),
        };
        let opts = ReadOptions {
            timeout: Duration::from_secs(5),
            ..ReadOptions::default()
        };
        let snapshot = read_device(&target, &opts).await;
        assert!(
            snapshot.identity.manufacturer.is_some(),
            "{name}: {:?}",
            snapshot.errors
        );
        let exchanges = proxy.exchanges();
        assert!(
            exchanges.len() >= 10,
            "{name}: {} exchanges",
            exchanges.len()
        );
        for (i, x) in exchanges.iter().enumerate() {
            if let Some(op) = payload_name(&x.request) {
                operations.insert(op);
            }
            let f = dir.path().join(format!("{name}-{i:03}-request.xml"));
            std::fs::write(&f, &x.request).unwrap();
            files.push(f);
            // HTTP Digest challenges carry no SOAP body; everything else must be SOAP.
            if x.status == 401 && !x.response.contains("Envelope") {
                continue;
            }
            let f = dir
                .path()
                .join(format!("{name}-{i:03}-response-{}.xml", x.status));
            std::fs::write(&f, &x.response).unwrap();
            files.push(f);
        }
    }
    // The read covers every service section, whether or not the mock answers it yet.
    for op in [
        "GetSystemDateAndTime",
        "GetDeviceInformation",
        "GetServices",
        "GetNetworkInterfaces",
        "GetUsers",
        "GetProfiles",
        "GetRecordings",
    ] {
        assert!(operations.contains(op), "{op} never sent: {operations:?}");
    }

    let out = Command::new(validator())
        .args(&files)
        .output()
        .expect("onvif-validate runs");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let invalid: Vec<String> = files
        .iter()
        .map(|f| f.display().to_string())
        .filter(|f| !all.lines().any(|l| l == format!("{f}: valid")))
        .map(|f| {
            let said: Vec<&str> = all.lines().filter(|l| l.starts_with(&f)).collect();
            format!("{f}:\n  {}", said.join("\n  "))
        })
        .collect();
    assert!(
        invalid.is_empty() && out.status.success(),
        "{} of {} bodies do not validate:\n{}\n{all}",
        invalid.len(),
        files.len(),
        invalid.join("\n")
    );
}

/// The local name of the first element inside the SOAP Body.
fn payload_name(envelope: &str) -> Option<String> {
    let body = envelope.find(":Body>")? + ":Body>".len();
    let rest = envelope[body..].trim_start().strip_prefix('<')?;
    let tag = rest
        .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .next()?;
    Some(tag.rsplit(':').next().unwrap_or(tag).to_owned())
}
