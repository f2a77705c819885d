use crate::support::*;

#[tokio::test]
async fn serve_prints_its_address_and_answers_there() {
    let mut p = Process::spawn(&[
        "serve",
        "--persona",
        "hikvision-ds2cd2143g2",
        "--bind",
        "127.0.0.1:0",
        "--user",
        "root:Other-pass1",
        "--auth",
        "wsse",
        "--clock-offset",
        "-30",
    ]);
    let addr = listening_addr(&p.line());
    call_wsse(addr, "root", "Other-pass1", -30, "GetDeviceInformation", "")
        .await
        .assert_ok();
    call_wsse(addr, USER, PASS, -30, "GetDeviceInformation", "")
        .await
        .assert_fault(400, &["Sender", "NotAuthorized"]);
    p.signal_term();
    assert!(p.wait().success(), "SIGTERM ends it cleanly");
}

#[tokio::test]
async fn serve_factory_takes_a_persona_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    std::fs::write(&path, include_str!("../../personas/axis-p3265-lve.toml")).unwrap();
    let p = Process::spawn(&[
        "serve",
        "--persona",
        path.to_str().unwrap(),
        "--bind",
        "127.0.0.1:0",
        "--factory",
    ]);
    let addr = listening_addr(&p.line());
    let users = call(addr, "GetUsers", "").await;
    users.assert_ok();
    assert!(users.texts("Username").is_empty());
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mock-onvif"))
        .args([
            "serve",
            "--persona",
            "no-such-camera",
            "--bind",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown persona `no-such-camera`") && err.contains("axis-p3265-lve"),
        "{err}"
    );
}

#[test]
fn personas_lists_the_built_in_ones() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mock-onvif"))
        .arg("personas")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("NAME"));
    assert!(lines.iter().any(|l| l.starts_with("hikvision-ds2cd2143g2")
        && l.contains("HIKVISION")
        && l.contains("DS-2CD2143G2-I")
        && l.contains("fixed-dome")));
    assert!(
        lines.iter().any(|l| l.starts_with("axis-p3265-lve")
            && l.contains("AXIS")
            && l.contains("P3265-LVE"))
    );
    let names: Vec<&str> = lines[1..]
        .iter()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        names,
        [
            "hikvision-ds2cd2143g2",
            "hikvision-ds2de4425iw",
            "dahua-ipc-hdw2431t",
            "dahua-sd49225xa",
            "amcrest-ip4m",
            "axis-p3265-lve",
            "axis-q6135-le",
            "bosch-flexidome-5100i",
            "hanwha-xnv-6080r",
            "ipro-wv-x6533ln",
            "uniview-ipc2122lr3",
            "hikvision-ds7608ni-k2",
            "dahua-nvr4216-4ks2",
        ]
    );
    assert!(lines.iter().any(|l| l.starts_with("hanwha-xnv-6080r")
        && l.contains("Hanwha Vision")
        && l.contains("XNV-6080R")));
}

#[tokio::test]
async fn fleet_prints_one_line_per_device_then_ready_and_serves_control() {
    let p = Process::spawn(&[
        "fleet",
        "--personas",
        "hikvision-ds2cd2143g2,axis-p3265-lve",
        "--count",
        "3",
        "--base",
        "127.0.11.1",
        "--control",
        "127.0.0.1:0",
    ]);
    let addrs: Vec<_> = (0..3).map(|_| listening_addr(&p.line())).collect();
    let control_line = p.line();
    assert_eq!(p.line(), "fleet ready: 3 devices");
    for (i, a) in addrs.iter().enumerate() {
        assert_eq!(a.ip().to_string(), format!("127.0.11.{}", i + 1));
        assert_eq!(a.port(), addrs[0].port());
    }
    let info = call_admin(addrs[1], "GetDeviceInformation", "").await;
    assert_eq!(info.first("Manufacturer"), "AXIS");
    let ctl: std::net::SocketAddr = control_line
        .strip_prefix("control on http://")
        .expect("control line")
        .parse()
        .unwrap();
    let log = http(ctl, "GET", "/log?address=127.0.11.2", &[], b"")
        .await
        .unwrap();
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&log.body).unwrap();
    assert_eq!(entries.last().unwrap()["name"], "GetDeviceInformation");
}

#[tokio::test]
async fn fleet_spec_file_describes_a_mixed_site() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("site.toml");
    std::fs::write(
        &spec,
        "base = \"127.0.12.1\"\n[[devices]]\npersona = \"hikvision-ds2cd2143g2\"\ncount = 2\n\
         [[devices]]\npersona = \"axis-p3265-lve\"\nfactory = true\n",
    )
    .unwrap();
    let p = Process::spawn(&["fleet", "--spec", spec.to_str().unwrap()]);
    let addrs: Vec<_> = (0..3).map(|_| listening_addr(&p.line())).collect();
    assert_eq!(p.line(), "fleet ready: 3 devices");
    assert_eq!(call(addrs[0], "GetUsers", "").await.status, 401);
    call(addrs[2], "GetUsers", "").await.assert_ok();
}
