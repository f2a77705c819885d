//! Apply, verify, status and handoff on a mock site: banned cameras read, audited and planned,
//! swapped by the "technician" for factory-default approved units booting on other
//! addresses, then carried over by the `camswap` binary and proved by reading them back.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use camswap::credentials::{Login, Secret};
use camswap::inventory::reader::{ReadOptions, Target, read_device};
use camswap::migrate::journal;
use camswap::planner::Plan;
use camswap::planner::plan::Step;
use mock_devices::{DeviceSpec, Fleet, FleetSpec};

type Span = (f64, f64);

/// WS-Discovery port of the mock sites (a port of our own, each device on its own address).
const DISCOVERY_PORT: u16 = 13702;

const OLD_PASSWORD: &str = "camswap-demo";
/// The administrator apply creates on the new cameras (`[new]`).
const NEW_PASSWORD: &str = "new-site-password-7";

/// Approved models the mock has personas for, by catalogue model name.
fn persona_for(model: &str) -> &'static str {
    match model {
        "P3265-LVE" => "axis-p3265-lve",
        "Q6135-LE" => "axis-q6135-le",
        "FLEXIDOME IP 5100i IR" => "bosch-flexidome-5100i",
        "XNV-6080R" => "hanwha-xnv-6080r",
        "WV-X6533LN" => "ipro-wv-x6533ln",
        other => panic!("the plan chose {other}, which has no mock persona"),
    }
}

const STOCK: &str = r#"
[[stock]]
model = "P3265-LVE"
units = 100
[[stock]]
model = "Q6135-LE"
units = 100
[[stock]]
model = "FLEXIDOME IP 5100i IR"
units = 100
[[stock]]
model = "XNV-6080R"
units = 100
[[stock]]
model = "WV-X6533LN"
units = 100
"#;

const CREDENTIALS: &str = r#"
[default]
username = "admin"
password_env = "CAMSWAP_TEST_OLD"

[new]
username = "admin"
password_env = "CAMSWAP_TEST_NEW"
"#;

pub struct Site {
    pub fleet: Fleet,
    pub dir: tempfile::TempDir,
    pub plan: Plan,
    /// Old camera id → (old address, address the new unit booted on).
    pub moves: BTreeMap<String, (Ipv4Addr, Ipv4Addr)>,
    pub port: u16,
}

impl Site {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn camswap(&self, args: &[&str]) -> Output {
        camswap_in(self.dir.path(), args)
    }

    /// `--assign ID=URL` for every moved camera.
    pub fn assign_args(&self) -> Vec<String> {
        self.moves
            .iter()
            .flat_map(|(id, (_, at))| {
                [
                    "--assign".to_owned(),
                    format!("{id}=http://{at}:{}/onvif/device_service", self.port),
                ]
            })
            .collect()
    }

    pub fn new_login() -> Login {
        Login {
            username: "admin".into(),
            password: Secret::new(NEW_PASSWORD),
        }
    }
}

/// Runs the `camswap` binary in `dir` with the test's password variables.
pub fn camswap_in(dir: &Path, args: &[&str]) -> Output {
    camswap_command(dir, args).output().expect("camswap runs")
}

pub fn camswap_command(dir: &Path, args: &[&str]) -> Command {
    let mut c = crate::support::cli::camswap();
    c.current_dir(dir)
        .args(args)
        .env("CAMSWAP_TEST_OLD", OLD_PASSWORD)
        .env("CAMSWAP_TEST_NEW", NEW_PASSWORD);
    c
}

fn third_octet_plus_one(ip: Ipv4Addr) -> Ipv4Addr {
    let o = ip.octets();
    Ipv4Addr::new(o[0], o[1], o[2] + 1, o[3])
}

/// Starts `personas` from `base`, discovers and inventories them and plans, all through the
/// binary, and swaps every
/// replaced camera for a factory-default unit of its planned model on the next /24.
pub async fn site(base: Ipv4Addr, personas: &[&str]) -> Site {
    site_full(base, personas, |_| {}, None).await
}

/// [`site`], each old camera's persona changed by `tweak` first.
pub async fn site_with(
    base: Ipv4Addr,
    personas: &[&str],
    tweak: impl Fn(&mut mock_devices::Persona),
) -> Site {
    site_full(base, personas, tweak, None).await
}

/// [`site`], planned with `rollout` (the text of rollout.toml) when given.
pub async fn site_with_rollout(base: Ipv4Addr, personas: &[&str], rollout: Option<&str>) -> Site {
    site_full(base, personas, |_| {}, rollout).await
}

/// [`site`] with both: personas changed by `tweak`, planned with `rollout` when given.
pub async fn site_full(
    base: Ipv4Addr,
    personas: &[&str],
    tweak: impl Fn(&mut mock_devices::Persona),
    rollout: Option<&str>,
) -> Site {
    let spec = FleetSpec {
        devices: personas
            .iter()
            .map(|n| {
                // The site's gateway is on the cameras' own subnet, as on a real VLAN (the
                // built-in personas keep their vendor's 192.168.x.1 while listening on
                // loopback, which apply rightly refuses to carry over).
                let mut p = crate::support::mock::builtin(n);
                let o = base.octets();
                p.network.gateway = vec![Ipv4Addr::new(o[0], o[1], o[2], 254)];
                tweak(&mut p);
                DeviceSpec::new(p)
            })
            .collect(),
        // Each device answers directed WS-Discovery probes on its own address.
        discovery_port: Some(DISCOVERY_PORT),
        ..FleetSpec::round_robin(&[], 0, base)
    };
    let fleet = Fleet::start(spec).await.expect("the site starts");
    let xaddrs = fleet.xaddrs().await;
    let port = reqwest::Url::parse(&xaddrs[0]).unwrap().port().unwrap();
    // As an integrator starts: discovery (a directed probe to each address, as on a site
    // where multicast does not cross VLANs), then the inventory of what it found.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("credentials.toml"), CREDENTIALS).unwrap();
    let mut discover = vec![
        "discover".to_owned(),
        "--protocols".into(),
        "onvif".into(),
        "--timeout".into(),
        "2".into(),
        "-o".into(),
        "devices.json".into(),
    ];
    for a in fleet.addrs().await {
        discover.extend(["--target".into(), format!("{}:{DISCOVERY_PORT}", a.ip())]);
    }
    let discover: Vec<&str> = discover.iter().map(String::as_str).collect();
    let out = crate::support::cli::output(camswap_command(dir.path(), &discover)).await;
    assert_eq!(out.status.code(), Some(0), "discover: {}", stderr(&out));
    let found: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("devices.json")).unwrap()).unwrap();
    assert_eq!(
        found["devices"].as_array().map(Vec::len),
        Some(personas.len()),
        "discovery finds every old camera: {found}"
    );
    let out = crate::support::cli::output(camswap_command(
        dir.path(),
        &[
            "inventory",
            "devices.json",
            "--credentials",
            "credentials.toml",
            "-o",
            "inventory.json",
        ],
    ))
    .await;
    assert_eq!(out.status.code(), Some(0), "inventory: {}", stderr(&out));
    std::fs::write(dir.path().join("stock.toml"), STOCK).unwrap();
    let mut plan_args = vec![
        "plan",
        "inventory.json",
        "--catalog",
        "builtin:example",
        "--stock",
        "stock.toml",
        "-o",
        "plan.json",
    ];
    if let Some(text) = rollout {
        std::fs::write(dir.path().join("rollout.toml"), text).unwrap();
        plan_args.extend(["--rollout", "rollout.toml"]);
    }
    let out = camswap_in(dir.path(), &plan_args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: Plan =
        serde_json::from_slice(&std::fs::read(dir.path().join("plan.json")).unwrap()).unwrap();
    let mut site = Site {
        fleet,
        dir,
        plan,
        moves: BTreeMap::new(),
        port,
    };
    for c in site.plan.replaced() {
        let old: Ipv4Addr = c.old.address.as_deref().unwrap().parse().unwrap();
        let at = third_octet_plus_one(old);
        let model = &c.replacement.as_ref().unwrap().model;
        site.fleet
            .swap_at(old, persona_for(model), at)
            .await
            .expect("the technician swaps the camera");
        site.moves.insert(c.old.id.clone(), (old, at));
    }
    site
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn journal_steps(path: &Path) -> Vec<(String, usize)> {
    journal::read(path)
        .unwrap()
        .records
        .iter()
        .filter(|r| r.status.completes())
        .map(|r| (r.camera.clone(), r.step.unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn banned_cameras_are_replaced_applied_and_verified_end_to_end() {
    let site = site(
        Ipv4Addr::new(127, 0, 41, 1),
        &["hikvision-ds2cd2143g2", "dahua-sd49225xa"],
    )
    .await;
    assert_eq!(site.moves.len(), 2, "both banned cameras are planned");

    let mut args = vec![
        "apply",
        "plan.json",
        "--credentials",
        "credentials.toml",
        "--format",
        "json",
    ];
    let assign = site.assign_args();
    args.extend(assign.iter().map(String::as_str));
    let out = site.camswap(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "apply: {}\n{}",
        stderr(&out),
        String::from_utf8_lossy(&out.stdout)
    );

    // Every step once in the journal.
    let steps = journal_steps(&site.path("plan.journal.jsonl"));
    let mut unique = steps.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        steps.len(),
        "a step journaled twice: {steps:?}"
    );
    let planned: usize = site.plan.replaced().map(|c| c.steps.len()).sum();
    assert_eq!(steps.len(), planned);

    let out = site.camswap(&[
        "verify",
        "plan.json",
        "--credentials",
        "credentials.toml",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "verify: {}\n{}",
        stderr(&out),
        String::from_utf8_lossy(&out.stdout)
    );

    let adapted: Vec<(String, String, String)> = journal::read(&site.path("plan.journal.jsonl"))
        .unwrap()
        .records
        .iter()
        .flat_map(|r| {
            r.adapted
                .iter()
                .map(move |m| (r.camera.clone(), m.field.clone(), m.actual.clone()))
        })
        .collect();

    // An independent read of each new camera, where the old one was, against the plan.
    let mut clocks_carried = 0;
    for c in site.plan.replaced() {
        let (old, _) = site.moves[&c.old.id];
        let xaddr = format!("http://{old}:{}/onvif/device_service", site.port);
        let s = read_device(
            &Target {
                login: Some(Site::new_login()),
                ..Target::new(xaddr.clone())
            },
            &ReadOptions::default(),
        )
        .await;
        assert_eq!(
            s.identity
                .model
                .as_deref()
                .map(|m| m.ends_with(&c.replacement.as_ref().unwrap().model)),
            Some(true),
            "{xaddr}: {:?}",
            s.identity
        );
        for step in &c.steps {
            match step {
                Step::CreateProfile { name, .. } => {
                    assert!(
                        s.profiles.iter().any(|p| &p.name == name),
                        "profile {name} on {xaddr}"
                    );
                }
                Step::SetVideoEncoder { profile, new, .. } => {
                    let name = c
                        .steps
                        .iter()
                        .find_map(|st| match st {
                            Step::CreateProfile { key, name, .. } if key == profile => Some(name),
                            _ => None,
                        })
                        .unwrap();
                    let p = s.profiles.iter().find(|p| &p.name == name).unwrap();
                    let e = p.video_encoder.as_ref().unwrap();
                    // A value the new encoder does not offer was fitted to its options by
                    // apply and journaled as adapted; anything else is the plan's value.
                    let accepted = |field: &str, actual: String| {
                        adapted
                            .iter()
                            .any(|(id, f, a)| id == &c.old.id && f == field && a == &actual)
                    };
                    let got = (e.width.unwrap(), e.height.unwrap());
                    if (Some(got.0), Some(got.1)) != (new.width, new.height) {
                        assert!(
                            accepted("Resolution", format!("{}x{}", got.0, got.1)),
                            "{name}: {got:?} vs plan {:?}",
                            (new.width, new.height)
                        );
                        assert!(
                            p.encoder_options
                                .iter()
                                .any(|o| o.resolutions.contains(&got)),
                            "{name}: {got:?} is not offered by the encoder"
                        );
                    }
                    if let Some(f) = new.frame_rate {
                        let a = e.frame_rate.unwrap();
                        assert!(
                            a == f || accepted("FrameRateLimit", a.to_string()),
                            "{name} frame rate {a} vs {f}"
                        );
                    }
                    if let Some(b) = new.bitrate_kbps {
                        let a = e.bitrate_kbps.unwrap();
                        assert!(
                            a == b || accepted("BitrateLimit", a.to_string()),
                            "{name} bitrate {a} vs {b}"
                        );
                    }
                }
                Step::SetPreset {
                    name,
                    target,
                    re_aim,
                    ..
                } => {
                    let ptz = s.ptz.as_ref().expect("the new camera has PTZ");
                    let p = ptz
                        .presets
                        .iter()
                        .find(|p| p.name.as_deref() == Some(name))
                        .unwrap_or_else(|| panic!("preset {name} on {xaddr}"));
                    if let (Some(t), false) = (target, re_aim) {
                        let (x, y, space) = p.position.as_ref().unwrap().pan_tilt.clone().unwrap();
                        let pt = t.pan_tilt.as_ref().unwrap();
                        let (x, y) = if space.as_deref() == Some(pt.space.as_str()) {
                            (x, y)
                        } else {
                            // Stored in the generic space; map linearly onto the node's
                            // spherical (degree) ranges, by hand.
                            let node = &ptz.nodes[0];
                            let find = |uri: &str| {
                                node.absolute_pan_tilt
                                    .iter()
                                    .find(|s| s.uri.ends_with(uri))
                                    .unwrap()
                            };
                            let (g, d) =
                                (find("PositionGenericSpace"), find("SphericalPositionSpace"));
                            let map = |v: f64, from: Span, to: Span| {
                                to.0 + (v - from.0) / (from.1 - from.0) * (to.1 - to.0)
                            };
                            (
                                map(x, (g.x.min, g.x.max), (d.x.min, d.x.max)),
                                map(y, (g.y.min, g.y.max), (d.y.min, d.y.max)),
                            )
                        };
                        assert!(
                            (x - pt.x).abs() <= 0.5 && (y - pt.y).abs() <= 0.5,
                            "{name}: ({x},{y}) vs {pt:?}"
                        );
                    }
                }
                Step::SetNetwork {
                    address, hostname, ..
                } => {
                    let v4 = s.network.interfaces[0].ipv4.as_ref().unwrap();
                    assert_eq!(v4.address.as_deref(), address.as_deref());
                    if let Some(h) = hostname {
                        assert_eq!(
                            s.network.hostname.as_ref().unwrap().name.as_deref(),
                            Some(h.as_str())
                        );
                    }
                }
                Step::SetDns { servers, .. } => {
                    assert_eq!(&s.network.dns.as_ref().unwrap().servers, servers);
                }
                Step::SetDateTime {
                    date_time_type,
                    tz,
                    daylight_savings,
                } => {
                    let t = s
                        .network
                        .time
                        .as_ref()
                        .expect("the clock settings are read");
                    assert_eq!(t.tz.as_deref(), tz.as_deref(), "{xaddr}: time zone");
                    assert_eq!(t.daylight_savings, Some(*daylight_savings), "{xaddr}: DST");
                    if date_time_type.is_some() {
                        assert_eq!(t.date_time_type, *date_time_type, "{xaddr}: clock mode");
                    }
                    clocks_carried += 1;
                }
                _ => {}
            }
        }
    }

    assert_eq!(
        clocks_carried, 2,
        "both old cameras' clock settings are planned"
    );
    // The Hikvision's own settings (its persona: Hikvision's spelling of China Standard Time,
    // no DST, a manual clock), which no factory-default Axis has (it ships UTC0, NTP).
    let hik = site
        .plan
        .replaced()
        .find(|c| c.old.model.as_deref() == Some("DS-2CD2143G2-I"))
        .unwrap();
    let (hik_old, _) = site.moves[&hik.old.id];
    let s = read_device(
        &Target {
            login: Some(Site::new_login()),
            ..Target::new(format!(
                "http://{hik_old}:{}/onvif/device_service",
                site.port
            ))
        },
        &ReadOptions::default(),
    )
    .await;
    let t = s.network.time.unwrap();
    assert_eq!(
        (
            t.tz.as_deref(),
            t.daylight_savings,
            t.date_time_type.as_deref()
        ),
        (Some("CST-8:00:00"), Some(false), Some("Manual"))
    );

    // The mock's credential flag is live: after onboarding, every call carried one.
    for (old, _) in site.moves.values() {
        let log = site.fleet.log(*old).await.unwrap();
        assert!(
            log.iter().any(|e| e.credentials),
            "no authenticated call logged: {log:?}"
        );
        let onboard = log
            .iter()
            .position(|e| e.name == "CreateUsers")
            .expect("onboarded");
        assert!(
            !log[onboard].credentials,
            "a factory-default unit is onboarded without credentials"
        );
    }

    // The handoff lists the URIs the new cameras report.
    let handoff: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.path("plan.handoff.json")).unwrap()).unwrap();
    assert_eq!(handoff["format"], "camswap.handoff");
    for cam in handoff["cameras"].as_array().unwrap() {
        let (old, _) = site.moves[cam["camera"].as_str().unwrap()];
        let streams = cam["streams"].as_array().unwrap();
        assert!(!streams.is_empty());
        for s in streams {
            let uri = s["rtsp"].as_str().unwrap();
            assert!(
                uri.starts_with("rtsp://") && uri.contains(&old.to_string()),
                "{uri}"
            );
        }
    }
    let csv = std::fs::read_to_string(site.path("plan.handoff.csv")).unwrap();
    assert!(!csv.contains(NEW_PASSWORD) && !csv.contains(OLD_PASSWORD));
    let journal_text = std::fs::read_to_string(site.path("plan.journal.jsonl")).unwrap();
    assert!(!journal_text.contains(NEW_PASSWORD) && !journal_text.contains(OLD_PASSWORD));
    site.fleet.shutdown().await;
}

/// The Dahua IPC-HDW2431T-AS streams G.711 on both its profiles (its persona); the plan carries
/// that audio, and the profiles apply creates on the new camera stream audio too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_camera_that_streamed_audio_is_replaced_by_profiles_that_stream_audio() {
    let site = site(Ipv4Addr::new(127, 0, 55, 1), &["dahua-ipc-hdw2431t"]).await;
    let Some(c) = site.plan.replaced().next() else {
        panic!(
            "the Dahua is replaced: {}",
            serde_json::to_string(&site.plan).unwrap()
        );
    };
    let with_audio: Vec<&String> = c
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::CreateProfile {
                name,
                audio: Some(a),
                ..
            } => {
                assert_eq!(a.encoding.as_deref(), Some("G711"), "{name}");
                Some(name)
            }
            _ => None,
        })
        .collect();
    assert!(!with_audio.is_empty(), "the plan carries the audio: {c:?}");

    let mut args = vec!["apply", "plan.json", "--credentials", "credentials.toml"];
    let assign = site.assign_args();
    args.extend(assign.iter().map(String::as_str));
    let out = site.camswap(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "apply: {}\n{}",
        stderr(&out),
        String::from_utf8_lossy(&out.stdout)
    );

    let (old, _) = site.moves[&c.old.id];
    let xaddr = format!("http://{old}:{}/onvif/device_service", site.port);
    let s = read_device(
        &Target {
            login: Some(Site::new_login()),
            ..Target::new(xaddr.clone())
        },
        &ReadOptions::default(),
    )
    .await;
    for name in with_audio {
        let p = s
            .profiles
            .iter()
            .find(|p| &p.name == name)
            .unwrap_or_else(|| panic!("profile {name} on {xaddr}: {:?}", s.profiles));
        assert!(
            p.audio_source_configuration.is_some(),
            "{name} has no audio source: {p:?}"
        );
        let a = p
            .audio_encoder
            .as_ref()
            .unwrap_or_else(|| panic!("{name} has no audio encoder: {p:?}"));
        // The old camera's G.711 at 8 kHz is carried; its 32 kbit/s (the Dahua persona's
        // figure) is not a G.711 rate any approved model offers: G.711 is 8-bit samples at
        // 8 kHz, 64 kbit/s, so the device's 64 is the adaptation.
        assert_eq!(
            (
                a.encoding.as_deref().map(camswap::model::AudioCodec::parse),
                a.bitrate_kbps,
                a.sample_rate_khz
            ),
            (Some(camswap::model::AudioCodec::G711), Some(64), Some(8)),
            "{name}: {a:?}"
        );
    }
    // The adaptation is journaled with both values, so verify accepts it and names it.
    let adapted: Vec<(String, String, String)> = journal::read(&site.path("plan.journal.jsonl"))
        .unwrap()
        .records
        .iter()
        .flat_map(|r| r.adapted.iter().cloned())
        .map(|m| (m.field, m.planned, m.actual))
        .collect();
    assert!(
        adapted.contains(&("Bitrate".into(), "32".into(), "64".into())),
        "{adapted:?}"
    );
    let verify = |site: &Site| {
        site.camswap(&[
            "verify",
            "plan.json",
            "--credentials",
            "credentials.toml",
            "--format",
            "json",
        ])
    };
    let out = verify(&site);
    assert_eq!(out.status.code(), Some(0), "verify: {}", stderr(&out));

    // Audio changed behind camswap's back (G.726 where G.711 was planned): verify names it.
    let replacement = persona_for(&c.replacement.as_ref().unwrap().model);
    let spec = mock_devices::Persona::builtin(replacement).unwrap();
    let other = spec
        .media
        .as_ref()
        .unwrap()
        .audio_options()
        .into_iter()
        .find(|o| o.encoding != mock_devices::media::AudioCodec::G711);
    let o = other.unwrap_or_else(|| {
        panic!("{replacement}: its audio options offer a codec besides G.711 (its datasheet's)")
    });
    let token = s
        .profiles
        .iter()
        .find_map(|p| p.audio_encoder.as_ref().map(|a| a.token.clone()))
        .unwrap();
    {
        let client = camswap::soap::SoapClient::new(
            "test",
            camswap::soap::client::ClientConfig {
                credentials: Some(camswap::soap::auth::Credentials::new("admin", NEW_PASSWORD)),
                ..camswap::soap::client::ClientConfig::default()
            },
        )
        .unwrap();
        let mut session = camswap::onvif::session::Session::new(client, &xaddr);
        session.sync_clock().await.unwrap();
        session.load_services().await.unwrap();
        session
            .send(&camswap::onvif::media::SetAudioEncoderConfiguration {
                encoder: camswap::model::AudioEncoder {
                    token,
                    name: "changed".into(),
                    encoding: Some(o.encoding.media1_name().into()),
                    bitrate_kbps: Some(o.bitrates[0]),
                    sample_rate_khz: Some(o.sample_rates[0]),
                    ..camswap::model::AudioEncoder::default()
                },
                force_persistence: true,
            })
            .await
            .unwrap();
        let out = verify(&site);
        assert_eq!(out.status.code(), Some(3), "verify: {}", stderr(&out));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("SetAudioEncoderConfiguration") && text.contains("\"Encoding\""),
            "{text}"
        );
    }
    site.fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_prints_every_operation_and_sends_no_write() {
    let site = site(Ipv4Addr::new(127, 0, 43, 1), &["hikvision-ds2cd2143g2"]).await;
    let (_, at) = *site.moves.values().next().unwrap();
    let before = site.fleet.log(at).await.unwrap().len();
    let out = site.camswap(&["apply", "plan.json", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "device.SetDNS",
        "media.CreateProfile",
        "media.SetVideoEncoderConfiguration",
        "device.SetNetworkInterfaces IPv4.DHCP=false IPv4.Manual=127.0.43.1/",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = site.fleet.log(at).await.unwrap();
    assert_eq!(log.len(), before, "the dry run sent {:?}", &log[before..]);
    assert!(
        !site.path("plan.journal.jsonl").exists(),
        "a dry run writes no journal"
    );
    site.fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_model_is_refused_before_any_credential_reaches_it() {
    let site = site(Ipv4Addr::new(127, 0, 45, 1), &["hikvision-ds2cd2143g2"]).await;
    let (id, (old, at)) = site
        .moves
        .iter()
        .next()
        .map(|(k, v)| (k.clone(), *v))
        .unwrap();
    // The technician brought the wrong box: a Bosch where the plan wants another model.
    let planned = site
        .plan
        .replaced()
        .next()
        .unwrap()
        .replacement
        .as_ref()
        .unwrap()
        .model
        .clone();
    let wrong = if planned == "FLEXIDOME IP 5100i IR" {
        "hanwha-xnv-6080r"
    } else {
        "bosch-flexidome-5100i"
    };
    site.fleet.swap_at(at, wrong, at).await.unwrap();
    let out = site.camswap(&[
        "apply",
        "plan.json",
        "--credentials",
        "credentials.toml",
        "--assign",
        &format!("{id}=http://{at}:{}/onvif/device_service", site.port),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("refused") && err.contains(&planned), "{err}");
    let log = site.fleet.log(at).await.unwrap();
    assert!(!log.is_empty(), "identity was read");
    let with_credentials: Vec<_> = log.iter().filter(|e| e.credentials).collect();
    assert!(
        with_credentials.is_empty(),
        "credentials reached the wrong device: {with_credentials:?}"
    );
    assert!(
        log.iter()
            .all(|e| !e.name.starts_with("Set") && e.name != "CreateUsers"),
        "{log:?}"
    );
    let _ = old;
    site.fleet.shutdown().await;
}

fn completed(path: &Path) -> usize {
    journal::read(path)
        .map(|c| c.records.iter().filter(|r| r.status.completes()).count())
        .unwrap_or(0)
}

/// Names that occur more than once.
fn duplicates<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = std::collections::BTreeSet::new();
    names.filter(|n| !seen.insert(*n)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_killed_after_every_step_resumes_without_duplicates_and_a_torn_record_is_reported() {
    let site = site(Ipv4Addr::new(127, 0, 47, 1), &["dahua-sd49225xa"]).await;
    let (id, (old, at)) = site
        .moves
        .iter()
        .next()
        .map(|(k, v)| (k.clone(), *v))
        .unwrap();
    let planned = site.plan.replaced().next().unwrap().steps.len();
    assert!(
        planned >= 5,
        "a PTZ camera has users, DNS, profiles, presets and a move"
    );
    // Slow answers leave time to pull the plug between any two steps.
    site.fleet
        .set_fault(
            at,
            mock_devices::InjectedFault::Latency(Duration::from_millis(60)),
        )
        .await
        .unwrap();
    let journal_path = site.path("plan.journal.jsonl");
    let assign = format!("{id}=http://{at}:{}/onvif/device_service", site.port);
    let port = DISCOVERY_PORT.to_string();
    let args = [
        "apply",
        "plan.json",
        "--credentials",
        "credentials.toml",
        "--assign",
        &assign,
        "--discovery-port",
        &port,
    ];
    let mut kills = 0;
    for k in 1..planned {
        if completed(&journal_path) >= k {
            continue;
        }
        let mut child = camswap_command(site.dir.path(), &args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while completed(&journal_path) < k && std::time::Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        // SIGKILL: no chance to tidy up, as with a crashed laptop.
        let _ = child.kill();
        let _ = child.wait();
        kills += 1;
    }
    assert!(
        kills >= planned / 2,
        "the run was interrupted {kills} times"
    );
    // And a crash halfway through writing the next record.
    {
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&journal_path)
            .unwrap();
        f.write_all(format!(r#"{{"camera":"{id}","step":{},"status":"do"#, planned - 1).as_bytes())
            .unwrap();
    }
    assert!(journal::read(&journal_path).unwrap().torn.is_some());
    let out = site.camswap(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("torn"), "{}", stderr(&out));

    let steps = journal_steps(&journal_path);
    let mut unique = steps.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        steps.len(),
        "a step was journaled twice: {steps:?}"
    );
    assert_eq!(steps.len(), planned, "every step once: {steps:?}");
    let text = std::fs::read_to_string(&journal_path).unwrap();
    assert!(
        !text.contains("\"status\":\"do\""),
        "the torn record was cut off"
    );

    // The camera, read independently: nothing created twice.
    let xaddr = format!("http://{old}:{}/onvif/device_service", site.port);
    let s = read_device(
        &Target {
            login: Some(Site::new_login()),
            ..Target::new(xaddr)
        },
        &ReadOptions::default(),
    )
    .await;
    assert!(
        duplicates(s.profiles.iter().map(|p| p.name.as_str())).is_empty(),
        "{:?}",
        s.profiles
    );
    assert!(
        duplicates(s.users.iter().map(|u| u.username.as_str())).is_empty(),
        "{:?}",
        s.users
    );
    let ptz = s.ptz.as_ref().unwrap();
    assert!(
        duplicates(ptz.presets.iter().filter_map(|p| p.name.as_deref())).is_empty(),
        "{:?}",
        ptz.presets
    );
    if let Some(r) = &s.recording {
        assert!(
            duplicates(r.jobs.iter().map(|j| j.recording_token.as_str())).is_empty(),
            "{:?}",
            r.jobs
        );
    }

    // status: done.
    let out = site.camswap(&[
        "status",
        "--journal",
        "plan.journal.jsonl",
        "--plan",
        "plan.json",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["cameras"][0]["state"], "done", "{v}");
    assert_eq!(v["cameras"][0]["steps_done"], planned);
    site.fleet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reboot_mid_apply_is_waited_for_and_verify_names_a_value_changed_behind_its_back() {
    let site = site(Ipv4Addr::new(127, 0, 49, 1), &["hikvision-ds2cd2143g2"]).await;
    let (id, (old, at)) = site
        .moves
        .iter()
        .next()
        .map(|(k, v)| (k.clone(), *v))
        .unwrap();
    site.fleet
        .set_fault(
            at,
            mock_devices::InjectedFault::Latency(Duration::from_millis(40)),
        )
        .await
        .unwrap();
    let journal_path = site.path("plan.journal.jsonl");
    let assign = format!("{id}=http://{at}:{}/onvif/device_service", site.port);
    let child = camswap_command(
        site.dir.path(),
        &[
            "apply",
            "plan.json",
            "--credentials",
            "credentials.toml",
            "--assign",
            &assign,
        ],
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while completed(&journal_path) < 2 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // The camera reboots on its own (power blip) for 2 s, mid-apply.
    site.fleet
        .set_fault(
            at,
            mock_devices::InjectedFault::Reboot(Duration::from_secs(2)),
        )
        .await
        .unwrap();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = site.fleet.log(old).await.unwrap();
    assert!(!log.is_empty());

    let verify = |site: &Site| {
        site.camswap(&[
            "verify",
            "plan.json",
            "--credentials",
            "credentials.toml",
            "--format",
            "json",
        ])
    };
    let out = verify(&site);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Someone changes the DNS servers on the camera's web page.
    use camswap::onvif::device::SetDNS;
    use camswap::soap::{ClientConfig, Credentials, SoapClient};
    let xaddr = format!("http://{old}:{}/onvif/device_service", site.port);
    let soap = SoapClient::new(
        &xaddr,
        ClientConfig {
            credentials: Some(Credentials::new("admin", NEW_PASSWORD)),
            ..ClientConfig::default()
        },
    )
    .unwrap();
    let session = camswap::onvif::session::Session::new(soap, &xaddr);
    session.sync_clock().await.unwrap();
    session
        .send(&SetDNS {
            dns: camswap::model::Dns {
                from_dhcp: false,
                search_domains: Vec::new(),
                servers: vec!["203.0.113.53".into()],
            },
        })
        .await
        .unwrap();
    let out = verify(&site);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diffs = v["cameras"][0]["differences"].as_array().unwrap();
    assert_eq!(diffs.len(), 1, "{v}");
    assert_eq!(diffs[0]["field"], "DNSManual");
    assert_eq!(diffs[0]["actual"], "203.0.113.53");

    // And the time zone: someone sets US Eastern (the mode and DST as apply left them).
    session
        .send(&camswap::onvif::device::SetSystemDateAndTime {
            date_time_type: camswap::onvif::device::DateTimeType::Manual,
            daylight_savings: false,
            tz: Some("EST5EDT,M3.2.0,M11.1.0".into()),
            utc: Some(chrono::Utc::now()),
        })
        .await
        .unwrap();
    let out = verify(&site);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diffs = v["cameras"][0]["differences"].as_array().unwrap();
    let tz = diffs
        .iter()
        .find(|d| d["field"] == "TimeZone/TZ")
        .unwrap_or_else(|| panic!("the zone is named: {v}"));
    assert_eq!(tz["planned"], "CST-8:00:00");
    assert_eq!(tz["actual"], "EST5EDT,M3.2.0,M11.1.0");
    assert_eq!(diffs.len(), 2, "DNS and the zone: {v}");
    let out = site.camswap(&[
        "verify",
        "plan.json",
        "--credentials",
        "credentials.toml",
        "--format",
        "table",
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stdout).contains("DNSManual"));
    site.fleet.shutdown().await;
}

/// A real camera reboots onto its new address after SetNetworkInterfaces: apply follows it
/// within `--away-deadline`; a camera that stays away longer fails on its own, by name, and
/// the other camera is finished.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_camera_rebooting_onto_its_new_address_is_followed_within_the_deadline_and_one_beyond_it_fails_alone()
 {
    let site = site(
        Ipv4Addr::new(127, 0, 53, 1),
        &["hikvision-ds2cd2143g2", "dahua-sd49225xa"],
    )
    .await;
    let mut moves = site.moves.iter();
    let (quick, (quick_old, quick_at)) = moves.next().map(|(k, v)| (k.clone(), *v)).unwrap();
    let (slow, (_, slow_at)) = moves.next().map(|(k, v)| (k.clone(), *v)).unwrap();
    let delay = |ms| mock_devices::InjectedFault::MoveDelay(Duration::from_millis(ms));
    site.fleet.set_fault(quick_at, delay(600)).await.unwrap();
    site.fleet.set_fault(slow_at, delay(20_000)).await.unwrap();
    let mut args = vec![
        "apply",
        "plan.json",
        "--credentials",
        "credentials.toml",
        "--format",
        "json",
        "--away-deadline",
        "3",
    ];
    let assign = site.assign_args();
    args.extend(assign.iter().map(String::as_str));
    let started = std::time::Instant::now();
    let out = site.camswap(&args);
    assert_eq!(out.status.code(), Some(6), "partial: {}", stderr(&out));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the slow camera is given up at its deadline, not waited for"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = |id: &str| {
        v["cameras"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["camera"] == id)
            .cloned()
            .unwrap()
    };
    let q = result(&quick);
    assert_eq!(q["status"], "done", "{v}");
    let new_xaddr = format!("http://{quick_old}:{}/onvif/device_service", site.port);
    assert_eq!(q["xaddr"], new_xaddr.as_str());
    let s = result(&slow);
    assert_eq!(s["status"], "failed", "{v}");
    let reason = s["reason"].as_str().unwrap();
    assert!(
        reason.contains("did not answer at its new address")
            && reason.contains("within the 3.0 s away deadline"),
        "{reason}"
    );
    // The camera that was followed answers where the old one was, as the plan says.
    let ok = read_device(
        &Target {
            login: Some(Site::new_login()),
            ..Target::new(new_xaddr.clone())
        },
        &ReadOptions::default(),
    )
    .await;
    assert_eq!(
        ok.network.interfaces[0].ipv4.as_ref().unwrap().address,
        Some(quick_old.to_string())
    );
    site.fleet.shutdown().await;
}

/// One Hikvision that took its address from DHCP, discovered, planned and swapped.
async fn dhcp_site(base: Ipv4Addr) -> Site {
    site_with(base, &["hikvision-ds2cd2143g2"], |p| {
        for i in &mut p.network.interfaces {
            i.dhcp = true;
        }
    })
    .await
}

/// The old camera took its address from DHCP, so the plan's network step switches DHCP on:
/// the new camera leaves for the address the site's DHCP server leases it (the mock fleet's
/// server hands out 127.0.57.200 first, see mock-devices/src/dhcp.rs), and apply finds it
/// there by WS-Discovery (its endpoint reference), records that address, and verify, status
/// and the handoff use it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_camera_moved_to_dhcp_is_found_by_ws_discovery_and_its_new_address_recorded() {
    let site = dhcp_site(Ipv4Addr::new(127, 0, 57, 1)).await;
    let c = site
        .plan
        .replaced()
        .next()
        .expect("the Hikvision is replaced");
    let last = c.steps.last().unwrap();
    assert!(
        matches!(
            last,
            Step::SetNetwork {
                dhcp: true,
                address: None,
                ..
            }
        ),
        "{last:?}"
    );
    let (old, at) = site.moves[&c.old.id];
    let discovery_port = DISCOVERY_PORT.to_string();
    let mut args = vec![
        "apply",
        "plan.json",
        "--credentials",
        "credentials.toml",
        "--format",
        "json",
        "--away-deadline",
        "20",
        "--discovery-port",
        &discovery_port,
    ];
    let assign = site.assign_args();
    args.extend(assign.iter().map(String::as_str));
    let out = site.camswap(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "apply: {}\n{}",
        stderr(&out),
        String::from_utf8_lossy(&out.stdout)
    );
    let lease = Ipv4Addr::new(127, 0, 57, 200);
    let new_xaddr = format!("http://{lease}:{}/onvif/device_service", site.port);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["cameras"][0]["xaddr"], new_xaddr.as_str(), "{v}");
    assert!(
        stderr(&out).contains("WS-Discovery"),
        "the progress says how it was found: {}",
        stderr(&out)
    );
    // The journal's last address for the camera is the lease, not where it booted or the
    // old camera's address.
    let j = journal::read(&site.path("plan.journal.jsonl")).unwrap();
    assert_eq!(j.xaddr(&c.old.id), Some(new_xaddr.as_str()));
    for gone in [old, at] {
        assert!(
            !camswap::migrate::device::answers(
                std::net::SocketAddr::new(gone.into(), site.port),
                Duration::from_millis(500)
            )
            .await,
            "nothing is left at {gone}"
        );
    }
    // Read independently where it is now: DHCP on, the leased address.
    let s = read_device(
        &Target {
            login: Some(Site::new_login()),
            ..Target::new(new_xaddr.clone())
        },
        &ReadOptions::default(),
    )
    .await;
    let v4 = s.network.interfaces[0].ipv4.clone().unwrap();
    assert!(v4.dhcp, "{v4:?}");
    assert_eq!(v4.address, Some(lease.to_string()));

    let out = site.camswap(&[
        "verify",
        "plan.json",
        "--credentials",
        "credentials.toml",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "verify: {}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["cameras"][0]["xaddr"], new_xaddr.as_str(), "{v}");
    let out = site.camswap(&[
        "status",
        "--journal",
        "plan.journal.jsonl",
        "--plan",
        "plan.json",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["cameras"][0]["state"], "done", "{v}");
    assert_eq!(v["cameras"][0]["xaddr"], new_xaddr.as_str(), "{v}");
    let handoff: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.path("plan.handoff.json")).unwrap()).unwrap();
    let cam = &handoff["cameras"][0];
    assert_eq!(cam["new_address"], lease.to_string().as_str(), "{cam}");
    for st in cam["streams"].as_array().unwrap() {
        assert!(
            st["rtsp"].as_str().unwrap().contains(&lease.to_string()),
            "{st}"
        );
    }
    site.fleet.shutdown().await;
}

/// Apply is killed after the camera was told to take DHCP and before the move was journaled
/// (the camera is away 3 s on the move): the re-run does not find it at the journal's
/// address, finds the one device of the planned model by WS-Discovery at its lease
/// (127.0.59.200, the fleet's first), confirms its serial, and completes with the network
/// step journaled once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_killed_during_a_dhcp_move_finds_the_camera_again_and_completes() {
    let site = dhcp_site(Ipv4Addr::new(127, 0, 59, 1)).await;
    let c = site
        .plan
        .replaced()
        .next()
        .expect("the Hikvision is replaced");
    let (_, at) = site.moves[&c.old.id];
    site.fleet
        .set_fault(
            at,
            mock_devices::InjectedFault::MoveDelay(Duration::from_millis(3000)),
        )
        .await
        .unwrap();
    let discovery_port = DISCOVERY_PORT.to_string();
    let mut args = vec![
        "apply",
        "plan.json",
        "--credentials",
        "credentials.toml",
        "--format",
        "json",
        "--away-deadline",
        "20",
        "--discovery-port",
        &discovery_port,
    ];
    let assign = site.assign_args();
    args.extend(assign.iter().map(String::as_str));
    let mut child = camswap_command(site.dir.path(), &args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The unit leaves its boot address the moment it accepts SetNetworkInterfaces.
    let started = std::time::Instant::now();
    loop {
        let addrs = site.fleet.addrs().await;
        if !addrs.iter().any(|a| a.ip() == std::net::IpAddr::V4(at)) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the camera never left {at}"
        );
        assert!(child.try_wait().unwrap().is_none(), "apply ended early");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // The boot address closes once the answer to SetNetworkInterfaces is out (the mock's
    // 150 ms grace); the integrator re-runs after that.
    while camswap::migrate::device::answers(
        std::net::SocketAddr::new(at.into(), site.port),
        Duration::from_millis(200),
    )
    .await
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let network = c.steps.len() - 1;
    assert!(
        !journal_steps(&site.path("plan.journal.jsonl")).contains(&(c.old.id.clone(), network)),
        "killed before the move was journaled"
    );

    let out = site.camswap(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "re-run: {}\n{}",
        stderr(&out),
        String::from_utf8_lossy(&out.stdout)
    );
    let lease = Ipv4Addr::new(127, 0, 59, 200);
    let new_xaddr = format!("http://{lease}:{}/onvif/device_service", site.port);
    assert!(
        stderr(&out).contains(&format!("found at {new_xaddr}")),
        "{}",
        stderr(&out)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["cameras"][0]["status"], "done", "{v}");
    assert_eq!(v["cameras"][0]["xaddr"], new_xaddr.as_str(), "{v}");
    let steps = journal_steps(&site.path("plan.journal.jsonl"));
    assert_eq!(
        steps.iter().filter(|s| s.1 == network).count(),
        1,
        "the network step journaled once: {steps:?}"
    );
    site.fleet.shutdown().await;
}
