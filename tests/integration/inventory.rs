//! The inventory reader and `camswap inventory` against mock devices on loopback: every auth
//! mode, clock skew, nonce replay, refused and hanging services, hostile devices, and the
//! command line (exit codes, no secret in the file).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use camswap::credentials::{Login, Secret};
use camswap::inventory::Inventory;
use camswap::inventory::reader::{self, ReadOptions, Target, read_all, read_device};
use camswap::model::DeviceSnapshot;
use camswap::onvif::device;
use camswap::onvif::operation::Operation;
use camswap::soap::auth::{Clock, Credentials, NonceSource};
use camswap::soap::{AuthMode, ClientConfig, SoapClient};
use chrono::{DateTime, Utc};
use mock_devices::persona::ServiceKind;
use mock_devices::{
    AuthMode as MockAuth, DeviceConfig, DigestAlgorithm, Fleet, FleetSpec, InjectedFault,
    MockDevice, Persona, UserSpec,
};

use crate::inventory_proxy::{Proxy, Rule};
use crate::support::cli::{camswap, output};

const HIK: &str = "hikvision-ds2cd2143g2";
const PASSWORD: &str = "camswap-demo";

fn persona(name: &str) -> Persona {
    Persona::builtin(name).expect("built-in persona")
}

/// A persona that lists only the device service, so a full read touches nothing else.
fn device_only(name: &str) -> Persona {
    let mut p = persona(name);
    p.services.retain(|s| s.kind == ServiceKind::Device);
    p
}

async fn start(config: DeviceConfig) -> MockDevice {
    MockDevice::start(config).await.expect("mock device starts")
}

fn on_loopback(p: Persona) -> DeviceConfig {
    DeviceConfig::new(p, "127.0.0.1:0".parse().unwrap())
}

fn login(password: &str) -> Option<Login> {
    Some(Login {
        username: "admin".into(),
        password: Secret::new(password),
    })
}

fn target(xaddr: String, login: Option<Login>) -> Target {
    Target {
        xaddr,
        endpoint: None,
        login,
    }
}

fn options(auth: AuthMode) -> ReadOptions {
    ReadOptions {
        timeout: Duration::from_secs(5),
        device_timeout: Duration::from_secs(60),
        auth,
        ..ReadOptions::default()
    }
}

fn assert_identity(s: &DeviceSnapshot, p: &Persona) {
    assert_eq!(
        s.identity.manufacturer.as_deref(),
        Some(p.identity.manufacturer.as_str())
    );
    assert_eq!(s.identity.model.as_deref(), Some(p.identity.model.as_str()));
    assert_eq!(
        s.identity.serial_number.as_deref(),
        Some(p.identity.serial.as_str())
    );
    assert_eq!(s.id, format!("serial:{}", p.identity.serial));
}

#[tokio::test]
async fn every_auth_mode_reads_the_device() {
    struct Case {
        name: &'static str,
        mode: Option<MockAuth>,
        algorithm: Option<DigestAlgorithm>,
        client: AuthMode,
        factory: bool,
    }
    let case = |name, mode, algorithm, client, factory| Case {
        name,
        mode,
        algorithm,
        client,
        factory,
    };
    let cases = [
        case(
            "digest MD5",
            Some(MockAuth::Digest),
            Some(DigestAlgorithm::Md5),
            AuthMode::Digest,
            false,
        ),
        case(
            "digest SHA-256",
            Some(MockAuth::Digest),
            Some(DigestAlgorithm::Sha256),
            AuthMode::Digest,
            false,
        ),
        case(
            "wsse",
            Some(MockAuth::Wsse),
            None,
            AuthMode::UsernameToken,
            false,
        ),
        case("both", Some(MockAuth::Both), None, AuthMode::Both, false),
        case(
            "either (client auto)",
            Some(MockAuth::Any),
            None,
            AuthMode::Auto,
            false,
        ),
        case("none", Some(MockAuth::None), None, AuthMode::None, false),
        case(
            "factory default, no credentials",
            None,
            None,
            AuthMode::Auto,
            true,
        ),
    ];
    for Case {
        name,
        mode,
        algorithm,
        client,
        factory,
    } in cases
    {
        let mut p = device_only(HIK);
        if let Some(a) = algorithm {
            // The only algorithm offered: success proves the client answered it.
            p.auth.digest_algorithms = vec![a];
        }
        let mut config = on_loopback(p.clone()).factory(factory);
        if let Some(m) = mode {
            config = config.auth(m);
        }
        let d = start(config).await;
        let creds = if factory || client == AuthMode::None {
            None
        } else {
            login(PASSWORD)
        };
        let s = read_device(&target(d.xaddr(), creds), &options(client)).await;
        assert!(s.errors.is_empty(), "{name}: {:?}", s.errors);
        assert_identity(&s, &p);
        let users: Vec<(&str, &str)> = s
            .users
            .iter()
            .map(|u| (u.username.as_str(), u.level.as_str()))
            .collect();
        if factory {
            assert!(users.is_empty(), "{name}: {users:?}");
        } else {
            assert_eq!(users, [("admin", "Administrator")], "{name}");
        }
        assert_eq!(s.sha256, s.digest(), "{name}");
    }
}

#[tokio::test]
async fn a_wrong_password_is_a_clear_not_authorized_error_naming_the_device() {
    for (mode, client) in [
        (MockAuth::Digest, AuthMode::Digest),
        (MockAuth::Wsse, AuthMode::UsernameToken),
    ] {
        let d = start(on_loopback(persona(HIK)).auth(mode)).await;
        let wrong = "not-the-password-42";
        let s = read_device(&target(d.xaddr(), login(wrong)), &options(client)).await;
        let refused = s
            .errors
            .iter()
            .find(|e| e.operation == "device.GetDeviceInformation")
            .unwrap_or_else(|| panic!("{mode:?}: {:?}", s.errors));
        assert!(
            refused
                .reason
                .to_ascii_lowercase()
                .contains("not authorized")
                || refused.reason.contains("NotAuthorized"),
            "{mode:?}: {refused:?}"
        );
        // The record sits on the device (its xaddr), and the digest one names it too.
        assert_eq!(s.xaddr, d.xaddr());
        if mode == MockAuth::Digest {
            assert!(
                refused.reason.contains(&d.addr().to_string()),
                "{refused:?}"
            );
        }
        let last = s.errors.last().unwrap();
        assert_eq!(last.operation, reader::SKIPPED, "{:?}", s.errors);
        assert!(s.identity.manufacturer.is_none());
        assert!(!reader::unreachable(&s));
        let text = serde_json::to_string(&s).unwrap();
        assert!(!text.contains(wrong));
    }
}

#[tokio::test]
async fn a_device_clock_two_hours_ahead_still_accepts_wsse() {
    let p = device_only(HIK);
    let d = start(
        on_loopback(p.clone())
            .auth(MockAuth::Wsse)
            .clock_offset(7200),
    )
    .await;
    let s = read_device(
        &target(d.xaddr(), login(PASSWORD)),
        &options(AuthMode::UsernameToken),
    )
    .await;
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_identity(&s, &p);
    let offset = s.observed.clock_offset_s.expect("clock offset measured");
    assert!((7195..=7205).contains(&offset), "{offset}");
}

/// A clock pinned to one instant.
struct FixedClock(DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// The same nonce every time.
struct FixedNonce;

impl NonceSource for FixedNonce {
    fn nonce(&self) -> Vec<u8> {
        b"camswap-fixed-nonce!".to_vec()
    }
}

#[tokio::test]
async fn an_injected_clock_an_hour_slow_is_corrected_by_the_offset() {
    let p = device_only(HIK);
    let d = start(on_loopback(p.clone()).auth(MockAuth::Wsse)).await;
    // A laptop whose clock is an hour behind; the device is right.
    let slow = Utc::now() - chrono::Duration::hours(1);
    let opts = ReadOptions {
        clock: Arc::new(FixedClock(slow)),
        ..options(AuthMode::UsernameToken)
    };
    let s = read_device(&target(d.xaddr(), login(PASSWORD)), &opts).await;
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let offset = s.observed.clock_offset_s.unwrap();
    assert!((3595..=3605).contains(&offset), "{offset}");
}

#[tokio::test]
async fn a_replayed_wsse_nonce_is_refused_by_the_device() {
    let d = start(on_loopback(persona(HIK)).auth(MockAuth::Wsse)).await;
    let config = ClientConfig {
        auth: AuthMode::UsernameToken,
        credentials: Some(Credentials::new("admin", PASSWORD)),
        timeout: Duration::from_secs(5),
        ..ClientConfig::default()
    };
    // Same nonce and same Created: the second request is the first one replayed.
    let client = SoapClient::new(d.xaddr(), config)
        .unwrap()
        .with_clock(Arc::new(FixedClock(Utc::now())))
        .with_nonces(Arc::new(FixedNonce));
    let op = device::GetDeviceInformation::row();
    let payload = device::GetDeviceInformation.to_xml().unwrap();
    let first = client.call(&d.xaddr(), op.action, &payload).await;
    assert!(first.is_ok(), "{first:?}");
    let second = client.call(&d.xaddr(), op.action, &payload).await;
    let e = second.expect_err("a replayed nonce is refused");
    assert!(e.is_not_authorized(), "{e}");
}

#[tokio::test]
async fn refused_and_hanging_services_are_recorded_and_other_devices_are_unaffected() {
    const RECORDING: &str = "http://www.onvif.org/ver10/recording/wsdl";
    const PTZ: &str = "http://www.onvif.org/ver20/ptz/wsdl";
    let (fixed, dome) = (persona(HIK), persona("hikvision-ds2de4425iw"));
    let (a, b, c) = (
        start(on_loopback(fixed.clone())).await,
        start(on_loopback(dome.clone())).await,
        start(on_loopback(fixed.clone())).await,
    );
    // a refuses every recording call; b's PTZ unit never answers.
    let refuses = Proxy::with_rule(a.addr(), |body| {
        if body.contains(RECORDING) {
            Rule::NotSupported
        } else {
            Rule::Forward
        }
    })
    .await;
    let hangs = Proxy::with_rule(b.addr(), |body| {
        if body.contains(PTZ) {
            Rule::Hang
        } else {
            Rule::Forward
        }
    })
    .await;
    let targets = [
        target(refuses.xaddr(), login(PASSWORD)),
        target(hangs.xaddr(), login(PASSWORD)),
        target(c.xaddr(), login(PASSWORD)),
    ];
    let opts = ReadOptions {
        timeout: Duration::from_secs(1),
        ..options(AuthMode::Auto)
    };
    let out = read_all(&targets, &opts, &|_, _| {}).await;
    let by_xaddr = |x: &str| out.iter().find(|s| s.xaddr == x).unwrap();
    let ops = |s: &DeviceSnapshot| -> Vec<String> {
        s.errors.iter().map(|e| e.operation.clone()).collect()
    };

    // Every recording read refused, recorded with the device's fault; the rest read in full.
    let sa = by_xaddr(&refuses.xaddr());
    assert_eq!(
        ops(sa),
        [
            "recording.GetServiceCapabilities",
            "recording.GetRecordings",
            "recording.GetRecordingJobs"
        ]
    );
    assert!(
        sa.errors
            .iter()
            .all(|e| e.reason.contains("ter:ActionNotSupported")),
        "{:?}",
        sa.errors
    );
    let r = sa.recording.as_ref().expect("offered, so present");
    assert!(r.recordings.is_empty() && r.jobs.is_empty());
    assert!(!sa.profiles.is_empty() && sa.video_sources[0].imaging.is_some());

    // The PTZ service times out three times in a row, is given up, and the rest is read.
    let sb = by_xaddr(&hangs.xaddr());
    assert_eq!(
        ops(sb),
        [
            "ptz.GetNodes",
            "ptz.GetConfigurations",
            "ptz.GetPresets",
            reader::SKIPPED
        ]
    );
    assert!(
        sb.errors[..3]
            .iter()
            .all(|e| e.reason.contains("no answer")),
        "{:?}",
        sb.errors
    );
    assert!(
        sb.errors[3]
            .reason
            .contains("the ptz service stopped answering")
    );
    assert!(!reader::unreachable(sb));
    let rec = sb
        .recording
        .as_ref()
        .expect("recording read after PTZ gave up");
    assert!(!rec.jobs.is_empty());
    assert!(sb.video_sources[0].imaging.is_some());

    let sc = by_xaddr(&c.xaddr());
    assert!(sc.errors.is_empty(), "{:?}", sc.errors);
    assert_identity(sc, &fixed);
}

#[tokio::test]
async fn hostile_devices_are_recorded_and_the_others_read_fine() {
    let p = device_only(HIK);
    let fleet = Fleet::start(FleetSpec::round_robin(
        std::slice::from_ref(&p),
        4,
        "127.0.41.1".parse().unwrap(),
    ))
    .await
    .expect("fleet starts");
    fleet
        .set_fault("127.0.41.2".parse().unwrap(), InjectedFault::Garbage)
        .await
        .unwrap();
    fleet
        .set_fault("127.0.41.3".parse().unwrap(), InjectedFault::Drop)
        .await
        .unwrap();
    fleet
        .set_fault(
            "127.0.41.4".parse().unwrap(),
            InjectedFault::Latency(Duration::from_secs(4)),
        )
        .await
        .unwrap();
    let xaddrs = fleet.xaddrs().await;
    let targets: Vec<Target> = xaddrs
        .iter()
        .map(|x| target(x.clone(), login(PASSWORD)))
        .collect();
    let opts = ReadOptions {
        timeout: Duration::from_secs(1),
        ..options(AuthMode::Auto)
    };
    let started = Instant::now();
    let out = read_all(&targets, &opts, &|_, _| {}).await;
    // Bounded: one timeout for the slow device, not one per read.
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.len(), 4);
    let by_xaddr = |x: &str| out.iter().find(|s| s.xaddr == x).unwrap();

    let fine = by_xaddr(&xaddrs[0]);
    assert!(fine.errors.is_empty(), "{:?}", fine.errors);

    let garbage = by_xaddr(&xaddrs[1]);
    assert_eq!(
        garbage.errors.last().unwrap().operation,
        reader::SKIPPED,
        "{:?}",
        garbage.errors
    );
    assert!(
        garbage.errors[0].reason.contains("not XML"),
        "{:?}",
        garbage.errors
    );

    for hostile in [&xaddrs[2], &xaddrs[3]] {
        let s = by_xaddr(hostile);
        assert!(reader::unreachable(s), "{hostile}: {:?}", s.errors);
        assert_eq!(s.id, format!("xaddr:{hostile}"));
        assert!(s.identity.manufacturer.is_none());
    }
}

#[tokio::test]
async fn a_device_that_stops_answering_part_way_is_skipped_not_unreachable() {
    const MEDIA: &str = "http://www.onvif.org/ver10/media/wsdl";
    let p = persona(HIK);
    let d = start(on_loopback(p.clone())).await;
    // The device dies at its first media read: from then on nothing answers.
    let dead = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = Arc::clone(&dead);
    let proxy = Proxy::with_rule(d.addr(), move |body| {
        use std::sync::atomic::Ordering;
        if body.contains(MEDIA) {
            flag.store(true, Ordering::SeqCst);
        }
        if flag.load(Ordering::SeqCst) {
            Rule::Hang
        } else {
            Rule::Forward
        }
    })
    .await;
    let opts = ReadOptions {
        timeout: Duration::from_secs(1),
        ..options(AuthMode::Auto)
    };
    let s = read_device(&target(proxy.xaddr(), login(PASSWORD)), &opts).await;
    assert!(dead.load(std::sync::atomic::Ordering::SeqCst));
    assert_identity(&s, &p);
    assert!(!s.users.is_empty(), "the device service was read before");
    assert!(!reader::unreachable(&s));
    let ops: Vec<&str> = s.errors.iter().map(|e| e.operation.as_str()).collect();
    assert_eq!(
        ops,
        [
            "media.GetProfiles",
            "media.GetVideoSourceConfigurations",
            "media.GetVideoEncoderConfigurations",
            reader::SKIPPED
        ]
    );
    assert!(
        s.errors[3].reason.contains("the device stopped answering"),
        "{:?}",
        s.errors
    );
}

#[tokio::test]
async fn the_device_timeout_keeps_what_was_read() {
    let p = device_only(HIK);
    let d = start(on_loopback(p.clone()).auth(MockAuth::None)).await;
    d.set_fault(InjectedFault::Latency(Duration::from_millis(1500)));
    // Clock at ~1.5 s, identity at ~3 s, then the budget ends during the service read.
    let opts = ReadOptions {
        timeout: Duration::from_secs(5),
        device_timeout: Duration::from_millis(3750),
        ..options(AuthMode::None)
    };
    let started = Instant::now();
    let s = read_device(&target(d.xaddr(), None), &opts).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_identity(&s, &p);
    assert!(s.observed.clock_offset_s.is_some());
    let timeout = s.errors.last().unwrap();
    assert_eq!(timeout.operation, reader::TIMEOUT, "{:?}", s.errors);
    assert!(
        timeout.reason.contains("stopped during device."),
        "{timeout:?}"
    );
    assert_eq!(s.sha256, s.digest());
}

// ---- the command line ------------------------------------------------------------------------

/// A loopback port with nobody listening.
fn closed_port() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// `://` followed by an authority that holds an `@`: userinfo in a URI.
fn has_userinfo(text: &str) -> bool {
    text.match_indices("://").any(|(i, _)| {
        let rest = &text[i + 3..];
        let end = rest
            .find(|c: char| c == '/' || c == '"' || c.is_whitespace())
            .unwrap_or(rest.len());
        rest[..end].contains('@')
    })
}

#[test]
fn userinfo_scan_finds_what_it_should() {
    assert!(has_userinfo(r#""rtsp://admin:pw@10.0.0.5:554/x""#));
    assert!(!has_userinfo(r#""rtsp://10.0.0.5:554/x?user=a@b""#));
}

#[tokio::test]
async fn the_cli_writes_an_inventory_without_any_secret_and_exits_partial() {
    let secret = "Tr1cky-Pa55word";
    let users = vec![UserSpec::admin("admin", secret)];
    let p = persona(HIK);
    let (digest, wsse) = (
        start(on_loopback(p.clone()).users(users.clone())).await,
        start(on_loopback(p.clone()).users(users).auth(MockAuth::Wsse)).await,
    );
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("credentials.toml");
    std::fs::write(
        &creds,
        "[default]\nusername = \"admin\"\npassword_env = \"CAMSWAP_TEST_PASSWORD\"\n",
    )
    .unwrap();
    let out = dir.path().join("inventory.json");
    let missing = closed_port();
    let mut cmd = camswap();
    cmd.args([
        "inventory",
        "--no-progress",
        "--timeout",
        "3",
        "--credentials",
    ])
    .arg(&creds)
    .args(["--xaddr", &digest.xaddr(), "--xaddr", &wsse.xaddr()])
    .args(["--xaddr", &format!("http://{missing}/onvif/device_service")])
    .arg("-o")
    .arg(&out)
    .env("CAMSWAP_TEST_PASSWORD", secret);
    let run = output(cmd).await;
    let stderr = String::from_utf8_lossy(&run.stderr);
    // One device cannot be reached: partial.
    assert_eq!(run.status.code(), Some(6), "{stderr}");
    assert!(!stderr.contains(secret), "{stderr}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains(secret));
    assert!(!has_userinfo(&text));
    let inv = Inventory::load(&out).unwrap();
    assert_eq!(inv.devices.len(), 3);
    let read: Vec<&DeviceSnapshot> = inv
        .devices
        .iter()
        .filter(|d| !reader::unreachable(d))
        .collect();
    assert_eq!(read.len(), 2);
    for d in read {
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_identity(d, &p);
        assert_eq!(d.sha256, d.digest());
    }
    // Sorted by id: the two serial ids (equal: same persona) then the xaddr one.
    assert!(
        inv.devices[2].id.starts_with("xaddr:"),
        "{:?}",
        inv.devices[2].id
    );
}

#[tokio::test]
async fn the_cli_exits_0_when_everything_was_read_and_shows_one_device_as_a_table() {
    let p = persona("axis-q6135-le");
    let d = start(on_loopback(p.clone())).await;
    let creds = credentials_file();
    let mut cmd = camswap();
    cmd.args(["inventory", "--format", "table", "--xaddr", &d.xaddr()])
        .arg("--credentials")
        .arg(creds.path().join("c.toml"))
        .env("CAMSWAP_TEST_PASSWORD", PASSWORD);
    let run = output(cmd).await;
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for needle in [
        p.identity.manufacturer.as_str(),
        p.identity.model.as_str(),
        p.identity.firmware.as_str(),
        // MACs are shown normalised (lower case, colons) whatever the vendor writes.
        &p.network.interfaces[0].mac.to_ascii_lowercase(),
        "Administrator",
    ] {
        assert!(stdout.contains(needle), "{needle} missing from\n{stdout}");
    }
}

#[test]
fn an_unreachable_device_says_connection_refused_in_the_inventory_and_on_stderr() {
    // Nothing listens on this port, so the OS refuses the connection.
    let missing = closed_port();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("inventory.json");
    let run = camswap()
        .args(["inventory", "--timeout", "2", "--xaddr"])
        .arg(format!("http://{missing}/onvif/device_service"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    let inv = Inventory::load(&out).unwrap();
    let d = &inv.devices[0];
    assert!(reader::unreachable(d), "{:?}", d.errors);
    assert!(
        d.errors
            .iter()
            .any(|e| e.reason.contains("connection refused")),
        "{:?}",
        d.errors
    );
    // stderr names the device and the OS's reason on one line.
    assert!(
        stderr
            .lines()
            .any(|l| l.contains(&missing.to_string()) && l.contains("connection refused")),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_wrong_password_names_the_device_and_not_authorized_on_stderr_and_never_the_password() {
    let wrong = "Wr0ng-But-Secret-7781";
    for (mode, auth) in [(MockAuth::Digest, "digest"), (MockAuth::Wsse, "wsse")] {
        let d = start(on_loopback(persona(HIK)).auth(mode)).await;
        let creds = credentials_file();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("inventory.json");
        // Once with the inventory on stdout and debug logging, once into a file.
        for to_file in [false, true] {
            let mut cmd = camswap();
            cmd.args(["inventory", "-vv", "--no-progress", "--auth", auth])
                .args(["--xaddr", &d.xaddr(), "--credentials"])
                .arg(creds.path().join("c.toml"))
                .env("CAMSWAP_TEST_PASSWORD", wrong);
            if to_file {
                cmd.arg("-o").arg(&out);
            }
            let run = output(cmd).await;
            let stdout = String::from_utf8_lossy(&run.stdout);
            let stderr = String::from_utf8_lossy(&run.stderr);
            // The only device refused us: nothing was read, so the run failed (1), not partial (6).
            assert_eq!(run.status.code(), Some(1), "{auth}: {stderr}");
            let line = stderr
                .lines()
                .find(|l| l.contains(&d.addr().to_string()) && !l.contains(" DEBUG "))
                .unwrap_or_else(|| panic!("{auth}: no line names the device in\n{stderr}"));
            assert!(
                line.to_ascii_lowercase().contains("not authorized"),
                "{auth}: {line}"
            );
            for (what, text) in [("stdout", &stdout), ("stderr", &stderr)] {
                assert!(!text.contains(wrong), "{auth}: password in {what}");
            }
        }
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.contains("device.GetDeviceInformation"), "{auth}");
        assert!(!text.contains(wrong), "{auth}: password in the file");
    }
}

fn credentials_file() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.toml"),
        "[default]\nusername = \"admin\"\npassword_env = \"CAMSWAP_TEST_PASSWORD\"\n",
    )
    .unwrap();
    dir
}

#[test]
fn the_cli_exits_1_when_no_device_answers_and_2_for_bad_input() {
    let missing = closed_port();
    let run = camswap()
        .args(["inventory", "--timeout", "2", "--xaddr"])
        .arg(format!("http://{missing}/onvif/device_service"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("could be reached"), "{stderr}");
    // The file (here stdout) still lists the device and why.
    let inv: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(inv["format"], "camswap.inventory");
    assert_eq!(
        inv["devices"][0]["errors"][1]["operation"],
        reader::UNREACHABLE
    );

    for bad in [
        vec!["inventory"],
        vec!["inventory", "--xaddr", "ftp://10.0.0.5/"],
        vec!["inventory", "--xaddr", "127.0.0.1", "--concurrency", "0"],
        vec!["inventory", "--xaddr", "127.0.0.1", "--timeout", "-1"],
        vec!["inventory", "/nonexistent/devices.json"],
    ] {
        let run = camswap().args(&bad).output().unwrap();
        assert_eq!(
            run.status.code(),
            Some(2),
            "{bad:?}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
}

#[tokio::test]
async fn a_devices_json_is_read_with_credentials_matched_by_endpoint_and_by_ip() {
    // Three cameras, three passwords; the file's [default] is right for none of them.
    let p = device_only(HIK);
    let by_endpoint =
        start(on_loopback(p.clone()).users(vec![UserSpec::admin("admin", "first-Pa55")])).await;
    let by_ip = start(
        DeviceConfig::new(p.clone(), "127.0.45.7:0".parse().unwrap())
            .users(vec![UserSpec::admin("admin", "second-Pa55")]),
    )
    .await;
    let default =
        start(on_loopback(p.clone()).users(vec![UserSpec::admin("admin", "third-Pa55")])).await;
    let dir = tempfile::tempdir().unwrap();
    let devices = dir.path().join("devices.json");
    let discovered = |d: &MockDevice, endpoint: &str| camswap::discovery::Device {
        endpoint: endpoint.into(),
        // A stale factory address beside the chosen one, as discovery writes it.
        xaddrs: vec!["http://192.168.1.64/onvif/device_service".into(), d.xaddr()],
        scopes: vec![],
        types: vec![],
        from: d.addr().ip(),
        metadata_version: Some(1),
        xaddr: Some(d.xaddr()),
        xaddr_mismatch: vec!["http://192.168.1.64/onvif/device_service".into()],
        seen: vec![camswap::discovery::Seen::ProbeMatch],
        contested_by: vec![],
        vendor: vec![],
    };
    camswap::discovery::write_devices(
        &devices,
        &[
            discovered(
                &by_endpoint,
                "urn:uuid:00000000-0000-4000-8000-000000000001",
            ),
            discovered(&by_ip, "urn:uuid:00000000-0000-4000-8000-000000000002"),
            discovered(&default, "urn:uuid:00000000-0000-4000-8000-000000000003"),
        ],
    )
    .unwrap();
    let creds = dir.path().join("credentials.toml");
    std::fs::write(
        &creds,
        "[default]\nusername = \"admin\"\npassword_env = \"P3\"\n\
         [[device]]\nmatch = \"endpoint:urn:uuid:00000000-0000-4000-8000-000000000001\"\nusername = \"admin\"\npassword_env = \"P1\"\n\
         [[device]]\nmatch = \"127.0.45.0/24\"\nusername = \"admin\"\npassword_env = \"P2\"\n",
    )
    .unwrap();
    let out = dir.path().join("inventory.json");
    let mut cmd = camswap();
    cmd.arg("inventory")
        .arg(&devices)
        .arg("--credentials")
        .arg(&creds)
        .arg("-o")
        .arg(&out)
        .env("P1", "first-Pa55")
        .env("P2", "second-Pa55")
        .env("P3", "third-Pa55");
    let run = output(cmd).await;
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let inv = Inventory::load(&out).unwrap();
    assert_eq!(inv.devices.len(), 3);
    for d in &inv.devices {
        assert!(d.errors.is_empty(), "{}: {:?}", d.xaddr, d.errors);
        assert_eq!(d.users.len(), 1);
        assert!(
            d.endpoint
                .as_deref()
                .unwrap()
                .starts_with("urn:uuid:00000000-")
        );
    }
    let text = std::fs::read_to_string(&out).unwrap();
    for secret in ["first-Pa55", "second-Pa55", "third-Pa55"] {
        assert!(!text.contains(secret));
    }
}
