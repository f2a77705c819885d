//! `credentials.toml` entries applied during `camswap inventory`, through the real binary.

use std::process::Command;

use camswap::inventory::Inventory;
use mock_devices::{DeviceConfig, MockDevice, Persona, UserLevel, UserSpec};

// Issue 10 item 9: `match = "serial:..."` was documented but never applied. The device lets a
// viewer read its identity (and so its serial) but only an administrator list its users; the
// serial's entry holds the administrator.
#[tokio::test]
async fn a_serial_match_in_credentials_is_applied_once_the_serial_is_known() {
    let persona = Persona::builtin("hikvision-ds2cd2143g2").unwrap();
    let serial = persona.identity.serial.clone();
    let users = vec![
        UserSpec::admin("admin", "admin-secret-1"),
        UserSpec {
            name: "viewer".into(),
            password: "viewer-secret-2".into(),
            level: UserLevel::User,
            fixed: false,
        },
    ];
    let device =
        MockDevice::start(DeviceConfig::new(persona, "127.0.0.1:0".parse().unwrap()).users(users))
            .await
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("credentials.toml");
    let out = dir.path().join("inventory.json");
    let run = |with_serial_entry: bool| {
        let mut text =
            "[default]\nusername = \"viewer\"\npassword_env = \"CAMSWAP_TEST_VIEWER\"\n".to_owned();
        if with_serial_entry {
            text.push_str(&format!(
                "[[device]]\nmatch = \"serial:{serial}\"\nusername = \"admin\"\npassword_env = \"CAMSWAP_TEST_ADMIN\"\n"
            ));
        }
        std::fs::write(&creds, text).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_camswap"));
        cmd.env_remove("CAMSWAP_LOG")
            .args([
                "inventory",
                "--no-progress",
                "--timeout",
                "3",
                "--credentials",
            ])
            .arg(&creds)
            .args(["--xaddr", &device.xaddr(), "-o"])
            .arg(&out)
            .env("CAMSWAP_TEST_VIEWER", "viewer-secret-2")
            .env("CAMSWAP_TEST_ADMIN", "admin-secret-1");
        cmd
    };
    let output =
        |mut cmd: Command| tokio::task::spawn_blocking(move || cmd.output().expect("camswap runs"));

    // Without the entry: the viewer reads the identity, the user list is refused.
    let r = output(run(false)).await.unwrap();
    assert_eq!(
        r.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let inv = Inventory::load(&out).unwrap();
    let d = &inv.devices[0];
    assert_eq!(d.id, format!("serial:{serial}"));
    assert!(
        d.errors.iter().any(|e| e.operation == "device.GetUsers"),
        "{:?}",
        d.errors
    );

    // With it: the serial selects the administrator, and everything is read.
    let r = output(run(true)).await.unwrap();
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(0), "{stderr}");
    let inv = Inventory::load(&out).unwrap();
    assert_eq!(inv.devices.len(), 1);
    let d = &inv.devices[0];
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    assert!(
        d.users.iter().any(|u| u.username == "viewer"),
        "{:?}",
        d.users
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains("admin-secret-1") && !stderr.contains("admin-secret-1"));
}
