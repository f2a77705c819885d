//! The scripting interface: every `--format json` output against its published JSON Schema
//! (`tests/schemas/`), the schemas against the types they are generated from, the shell
//! completions and the man page against the clap definitions, and the split of data (stdout)
//! from messages (stderr).
//!
//! The outputs come from the real binary run against mock cameras on loopback (discover,
//! inventory, apply, verify, status, handoff) or on the files those runs wrote (audit, plan).

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use camswap::cli::documents::{Published, published};
use mock_devices::{DeviceSpec, Fleet, FleetSpec, Persona};

const OLD_PASSWORD: &str = "camswap-demo";
const NEW_PASSWORD: &str = "new-site-password-8";

const CREDENTIALS: &str = r#"
[default]
username = "admin"
password_env = "CAMSWAP_TEST_OLD"

[new]
username = "admin"
password_env = "CAMSWAP_TEST_NEW"
"#;

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas")
}

/// Runs the binary in `dir` with stdin closed (as a script or CI job runs it).
fn camswap(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_camswap"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("CAMSWAP_TEST_OLD", OLD_PASSWORD)
        .env("CAMSWAP_TEST_NEW", NEW_PASSWORD)
        .stdin(Stdio::null())
        .output()
        .expect("camswap runs")
}

fn ok(out: &Output, codes: &[i32], what: &str) {
    assert!(
        out.status.code().is_some_and(|c| codes.contains(&c)),
        "{what}: exit {:?}\nstderr: {}\nstdout: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Validates `text` against the published schema of `format` (read from the file, not
/// regenerated: the file is what a script's author downloads), naming every violation.
fn assert_valid(format: &str, text: &[u8], what: &str) -> serde_json::Value {
    let doc: serde_json::Value = serde_json::from_slice(text).unwrap_or_else(|e| {
        panic!(
            "{what}: stdout is not one JSON document ({e}):\n{}",
            String::from_utf8_lossy(text)
        )
    });
    let file = published()
        .into_iter()
        .find(|p| p.format == format)
        .unwrap_or_else(|| panic!("no published schema for {format}"))
        .file_name();
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(schema_dir().join(&file)).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("{file} is not a valid JSON Schema: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .take(10)
        .map(|e| format!("  at {}: {e}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: the output does not match {file}:\n{}",
        errors.join("\n")
    );
    assert_eq!(doc["format"], format, "{what}");
    doc
}

// Published files are what `published()` generates now: a type change that alters the JSON a
// command prints fails here until the schema files are regenerated (CAMSWAP_UPDATE_FIXTURES=1)
// and the change reviewed (additive, or a version bump).
#[test]
fn published_schemas_are_the_ones_the_types_generate() {
    let dir = schema_dir();
    let docs = published();
    if std::env::var_os("CAMSWAP_UPDATE_FIXTURES").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for p in &docs {
            std::fs::write(dir.join(p.file_name()), p.text()).unwrap();
        }
    }
    for p in &docs {
        let path = dir.join(p.file_name());
        let on_disk = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "{} is missing; generate it with CAMSWAP_UPDATE_FIXTURES=1",
                path.display()
            )
        });
        assert!(
            on_disk == p.text(),
            "{} differs from what the types generate; regenerate with CAMSWAP_UPDATE_FIXTURES=1 and review the diff (an incompatible change needs a version bump)",
            path.display()
        );
        // Each one is a schema a validator accepts, pinning its format and version.
        jsonschema::validator_for(&p.schema).unwrap();
        assert_eq!(p.schema["properties"]["format"]["const"], p.format);
        assert_eq!(p.schema["properties"]["version"]["const"], p.version);
    }
    // No stale schema of a format or version nothing prints any more.
    let names: Vec<String> = docs.iter().map(Published::file_name).collect();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".schema.json") {
            assert!(
                names.contains(&name),
                "{name} is published but nothing prints it"
            );
        }
    }
    // Every format a command prints has its schema (the list a reader of the README sees).
    for format in [
        "camswap.devices",
        "camswap.inventory",
        "camswap.audit",
        "camswap.plan",
        "camswap.plan-check",
        "camswap.apply",
        "camswap.apply-dry-run",
        "camswap.verify",
        "camswap.status",
        "camswap.handoff",
    ] {
        assert!(docs.iter().any(|p| p.format == format), "{format}");
    }
}

// A schema that accepted anything would make every test below pass: a document with a field
// of the wrong type, or without a required one, must be refused.
#[test]
fn a_schema_refuses_a_wrong_document() {
    let p = published()
        .into_iter()
        .find(|p| p.format == "camswap.status")
        .unwrap();
    let v = jsonschema::validator_for(&p.schema).unwrap();
    let good = serde_json::json!({
        "format": "camswap.status", "version": 1, "journal": "plan.journal.jsonl",
        "waves": [],
        "cameras": [{"camera": "serial:X", "state": "done", "steps_done": 3}]
    });
    assert!(v.is_valid(&good));
    let mut wrong_type = good.clone();
    wrong_type["cameras"][0]["steps_done"] = "3".into();
    assert!(!v.is_valid(&wrong_type));
    let mut missing = good.clone();
    missing["cameras"][0]
        .as_object_mut()
        .unwrap()
        .remove("state");
    assert!(!v.is_valid(&missing));
    let mut other_version = good;
    other_version["version"] = 2.into();
    assert!(!v.is_valid(&other_version));
}

/// A small site: a Hikvision and a Dahua PTZ on `base` (gateway on their /24), each answering
/// directed WS-Discovery on `discovery_port`.
async fn start_site(base: Ipv4Addr, discovery_port: u16) -> Fleet {
    let spec = FleetSpec {
        devices: ["hikvision-ds2cd2143g2", "dahua-sd49225xa"]
            .iter()
            .map(|n| {
                let mut p = Persona::builtin(n).unwrap();
                let o = base.octets();
                p.network.gateway = vec![Ipv4Addr::new(o[0], o[1], o[2], 254)];
                DeviceSpec::new(p)
            })
            .collect(),
        discovery_port: Some(discovery_port),
        ..FleetSpec::round_robin(&[], 0, base)
    };
    Fleet::start(spec).await.expect("the site starts")
}

/// `camswap inventory --xaddr ...` of the fleet into DIR/inventory.json; its stdout checked.
async fn inventory(fleet: &Fleet, dir: &Path) {
    std::fs::write(dir.join("credentials.toml"), CREDENTIALS).unwrap();
    let xaddrs = fleet.xaddrs().await;
    let mut args = vec!["inventory", "--credentials", "credentials.toml"];
    for x in &xaddrs {
        args.extend(["--xaddr", x.as_str()]);
    }
    args.extend(["--format", "json"]);
    let out = camswap(dir, &args);
    ok(&out, &[0], "inventory");
    assert_valid("camswap.inventory", &out.stdout, "inventory --format json");
    std::fs::write(dir.join("inventory.json"), &out.stdout).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discover_json_matches_its_schema() {
    let fleet = start_site(Ipv4Addr::new(127, 0, 71, 1), 13771).await;
    let dir = tempfile::tempdir().unwrap();
    let out = camswap(
        dir.path(),
        &[
            "discover",
            "--target",
            "127.0.71.1:13771",
            "--target",
            "127.0.71.2:13771",
            "--protocols",
            "onvif",
            "--timeout",
            "1s",
            "--format",
            "json",
        ],
    );
    ok(&out, &[0], "discover");
    let doc = assert_valid("camswap.devices", &out.stdout, "discover --format json");
    assert_eq!(doc["devices"].as_array().map(Vec::len), Some(2), "{doc}");
    // The messages went to stderr, so stdout held the document alone (parsed above).
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("found 2 devices"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The same document written with -o.
    let out = camswap(
        dir.path(),
        &[
            "discover",
            "--target",
            "127.0.71.1:13771",
            "--protocols",
            "onvif",
            "--timeout",
            "1s",
            "-o",
            "devices.json",
        ],
    );
    ok(&out, &[0], "discover -o");
    assert!(out.stdout.is_empty(), "data went to the file, not stdout");
    assert_valid(
        "camswap.devices",
        &std::fs::read(dir.path().join("devices.json")).unwrap(),
        "discover -o devices.json",
    );
    drop(fleet);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inventory_audit_and_plan_json_match_their_schemas() {
    let fleet = start_site(Ipv4Addr::new(127, 0, 72, 1), 13772).await;
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    inventory(&fleet, dir).await;

    let out = camswap(dir, &["audit", "inventory.json", "--format", "json"]);
    ok(&out, &[10], "audit");
    let doc = assert_valid("camswap.audit", &out.stdout, "audit --format json");
    assert_eq!(doc["summary"]["devices"], 2, "{doc}");

    let out = camswap(
        dir,
        &[
            "plan",
            "inventory.json",
            "--catalog",
            "builtin:example",
            "--format",
            "json",
        ],
    );
    ok(&out, &[0], "plan");
    let doc = assert_valid("camswap.plan", &out.stdout, "plan --format json");
    assert_eq!(doc["cameras"].as_array().map(Vec::len), Some(2), "{doc}");
    // Streamed to a file it is the same document.
    let out = camswap(
        dir,
        &[
            "plan",
            "inventory.json",
            "--catalog",
            "builtin:example",
            "-o",
            "plan.json",
        ],
    );
    ok(&out, &[0], "plan -o");
    assert_valid(
        "camswap.plan",
        &std::fs::read(dir.join("plan.json")).unwrap(),
        "plan -o plan.json",
    );

    let out = camswap(
        dir,
        &[
            "plan",
            "inventory.json",
            "--check",
            "plan.json",
            "--format",
            "json",
        ],
    );
    ok(&out, &[0], "plan --check");
    let doc = assert_valid("camswap.plan-check", &out.stdout, "plan --check");
    assert_eq!(doc["checked"], 2, "{doc}");
    assert!(
        doc["plan"].as_str().unwrap().starts_with("sha256:"),
        "{doc}"
    );
    drop(fleet);
}

/// The catalogue model the plan chose → the mock persona of that model.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_verify_status_and_handoff_json_match_their_schemas() {
    let fleet = start_site(Ipv4Addr::new(127, 0, 73, 1), 13773).await;
    let port = reqwest::Url::parse(&fleet.xaddrs().await[0])
        .unwrap()
        .port()
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    inventory(&fleet, dir).await;
    let out = camswap(
        dir,
        &[
            "plan",
            "inventory.json",
            "--catalog",
            "builtin:example",
            "-o",
            "plan.json",
        ],
    );
    ok(&out, &[0], "plan");

    let out = camswap(
        dir,
        &["apply", "plan.json", "--dry-run", "--format", "json"],
    );
    ok(&out, &[0], "apply --dry-run");
    let doc = assert_valid("camswap.apply-dry-run", &out.stdout, "apply --dry-run");
    let cams = doc["cameras"].as_array().unwrap();
    assert_eq!(cams.len(), 2, "{doc}");
    assert!(
        cams.iter().all(|c| c["steps"]
            .as_array()
            .is_some_and(|s| !s.is_empty() && s.iter().all(|s| s["done"] == false))),
        "{doc}"
    );

    // The technician's swap: factory-default approved units on the next /24.
    let plan: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("plan.json")).unwrap()).unwrap();
    let mut assign = Vec::new();
    for c in plan["cameras"].as_array().unwrap() {
        let Some(model) = c["replacement"]["model"].as_str() else {
            continue;
        };
        let old: Ipv4Addr = c["old"]["address"].as_str().unwrap().parse().unwrap();
        let o = old.octets();
        let at = Ipv4Addr::new(o[0], o[1], o[2] + 1, o[3]);
        fleet.swap_at(old, persona_for(model), at).await.unwrap();
        assign.push("--assign".to_owned());
        assign.push(format!(
            "{}=http://{at}:{port}/onvif/device_service",
            c["old"]["id"].as_str().unwrap()
        ));
    }
    assert_eq!(assign.len(), 4, "both cameras are replaced");

    let mut args = vec![
        "apply",
        "plan.json",
        "--credentials",
        "credentials.toml",
        "--format",
        "json",
    ];
    args.extend(assign.iter().map(String::as_str));
    let out = camswap(dir, &args);
    ok(&out, &[0], "apply");
    let doc = assert_valid("camswap.apply", &out.stdout, "apply --format json");
    assert!(
        doc["cameras"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "done"),
        "{doc}"
    );
    // apply writes the handoff beside the journal: the same schema.
    assert_valid(
        "camswap.handoff",
        &std::fs::read(dir.join("plan.handoff.json")).unwrap(),
        "apply's plan.handoff.json",
    );

    let out = camswap(
        dir,
        &[
            "verify",
            "plan.json",
            "--credentials",
            "credentials.toml",
            "--format",
            "json",
        ],
    );
    ok(&out, &[0], "verify");
    let doc = assert_valid("camswap.verify", &out.stdout, "verify --format json");
    assert!(
        doc["cameras"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "match"),
        "{doc}"
    );

    let out = camswap(
        dir,
        &[
            "status",
            "--journal",
            "plan.journal.jsonl",
            "--plan",
            "plan.json",
            "--format",
            "json",
        ],
    );
    ok(&out, &[0], "status");
    let doc = assert_valid("camswap.status", &out.stdout, "status --format json");
    assert!(
        doc["cameras"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["state"] == "done"),
        "{doc}"
    );

    let out = camswap(
        dir,
        &[
            "handoff",
            "plan.json",
            "--credentials",
            "credentials.toml",
            "--format",
            "json",
        ],
    );
    ok(&out, &[0], "handoff");
    let doc = assert_valid("camswap.handoff", &out.stdout, "handoff --format json");
    assert_eq!(doc["cameras"].as_array().map(Vec::len), Some(2), "{doc}");
    drop(fleet);
}

/// The subcommands, written out here (not read from the clap definition the scripts are
/// generated from): a new subcommand must be added here, and so to the README.
const SUBCOMMANDS: [&str; 10] = [
    "discover",
    "inventory",
    "audit",
    "plan",
    "apply",
    "verify",
    "status",
    "handoff",
    "completions",
    "man",
];

#[test]
fn the_subcommand_list_here_is_the_binarys() {
    let cmd = camswap::cli::command();
    let names: Vec<&str> = cmd
        .get_subcommands()
        .map(clap::Command::get_name)
        .filter(|n| *n != "help")
        .collect();
    assert_eq!(names, SUBCOMMANDS);
}

#[test]
fn completion_scripts_name_every_subcommand_and_each_commands_own_formats() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let out = camswap(dir.path(), &["completions", shell]);
        ok(&out, &[0], shell);
        let script = String::from_utf8(out.stdout).unwrap();
        for sub in SUBCOMMANDS {
            assert!(
                script.contains(sub),
                "the {shell} script does not mention {sub}"
            );
        }
        assert!(
            script.contains("format") && script.contains("no-progress"),
            "{shell}"
        );
        assert!(out.stderr.is_empty(), "{shell}: nothing on stderr");
    }
    // bash: the script parses, and completes `plan --format` with table and json only while
    // `audit --format` also offers csv and html.
    let out = camswap(dir.path(), &["completions", "bash", "-o", "camswap.bash"]);
    ok(&out, &[0], "completions -o");
    let status = Command::new("bash")
        .args(["-n", "camswap.bash"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(status.success(), "bash -n camswap.bash");
    let script = std::fs::read_to_string(dir.path().join("camswap.bash")).unwrap();
    let section = |name: &str| {
        let start = script
            .find(&format!("\n        camswap__subcmd__{name})"))
            .unwrap_or_else(|| panic!("no case for {name}"));
        let end = script[start + 1..]
            .find("\n        camswap__")
            .map_or(script.len(), |i| start + 1 + i);
        script[start..end].to_owned()
    };
    assert!(section("plan").contains(r#"compgen -W "table json" -- "${cur}""#));
    assert!(section("audit").contains(r#"compgen -W "table json csv html" -- "${cur}""#));
    assert!(section("handoff").contains(r#"compgen -W "csv json" -- "${cur}""#));
}

#[test]
fn each_commands_help_lists_only_the_formats_it_writes() {
    let dir = tempfile::tempdir().unwrap();
    let help = |cmd: &str| {
        let out = camswap(dir.path(), &[cmd, "--help"]);
        ok(&out, &[0], cmd);
        String::from_utf8(out.stdout).unwrap()
    };
    for cmd in ["discover", "inventory", "plan", "apply", "verify", "status"] {
        let h = help(cmd);
        assert!(h.contains("- table") && h.contains("- json"), "{cmd}: {h}");
        assert!(!h.contains("csv") && !h.contains("html"), "{cmd}: {h}");
    }
    let h = help("audit");
    assert!(
        ["- table", "- json", "- csv", "- html"]
            .iter()
            .all(|f| h.contains(f))
    );
    let h = help("handoff");
    assert!(h.contains("- csv") && h.contains("- json") && !h.contains("- table"));
    // A format a command does not write is a usage error (exit 2) naming the choices.
    let out = camswap(dir.path(), &["plan", "inventory.json", "--format", "html"]);
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("html") && e.contains("table, json"), "{e}");
}

#[test]
fn the_man_page_has_name_synopsis_and_a_section_per_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = camswap(dir.path(), &["man"]);
    ok(&out, &[0], "man");
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH camswap 1"), "{page}");
    let name = page.find(".SH NAME\ncamswap \\- ").expect("a NAME section");
    let synopsis = page.find(".SH SYNOPSIS\n").expect("a SYNOPSIS section");
    assert!(name < synopsis);
    for sub in SUBCOMMANDS {
        let heading = format!(".SH \"CAMSWAP {}\"", sub.to_uppercase());
        let at = page
            .find(&heading)
            .unwrap_or_else(|| panic!("no section {heading}"));
        // Its own synopsis and options follow.
        let rest = &page[at..];
        let next = rest[1..].find(".SH ").map_or(rest.len(), |i| i + 1);
        let section = &rest[..next];
        assert!(
            section.contains(&format!("\\fBcamswap {sub}\\fR")) && section.contains(".SS OPTIONS"),
            "{heading}: {section}"
        );
    }
    // No reference to per-subcommand pages that are not installed.
    assert!(!page.contains("camswap\\-discover(1)"));
    // man(1) renders it when it is installed (it is on Debian and in CI).
    if Path::new("/usr/bin/man").exists() {
        std::fs::write(dir.path().join("camswap.1"), &page).unwrap();
        let out = Command::new("man")
            .args(["-l", "camswap.1"])
            .env("MANWIDTH", "100")
            .env("MANPAGER", "cat")
            .current_dir(dir.path())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("CAMSWAP HANDOFF") && text.contains("SYNOPSIS"),
            "{text}"
        );
    }
}

/// Runs `camswap ARGS` on a pseudo-terminal `cols` wide (util-linux `script`), as a person at
/// a terminal runs it: stdin, stdout and stderr are the terminal. Returns what the terminal
/// received, line ends normalised.
fn on_a_terminal(dir: &Path, cols: u16, args: &[&str], no_color: bool) -> String {
    let bin = env!("CARGO_BIN_EXE_camswap");
    let quoted: Vec<String> = std::iter::once(bin)
        .chain(args.iter().copied())
        .map(|a| format!("'{a}'"))
        .collect();
    let mut cmd = Command::new("script");
    cmd.args([
        "-q",
        "-e",
        "-c",
        &format!("stty cols {cols} rows 50; exec {}", quoted.join(" ")),
        "/dev/null",
    ])
    .current_dir(dir)
    .env("CAMSWAP_TEST_OLD", OLD_PASSWORD)
    .env("TERM", "xterm")
    .env_remove("NO_COLOR")
    .stdin(Stdio::null());
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let out = cmd.output().expect("util-linux script runs");
    assert!(
        out.status.success(),
        "{args:?} on a terminal: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n")
}

// Issue 14 item 4, on a real pseudo-terminal: the progress bar (count, rate, time left) is
// drawn and then cleared, the summary line comes before the table with a blank line between
// (it used to follow the last row as if it were one), the table is cut to the terminal's
// width, and colour follows NO_COLOR.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_terminal_progress_shows_the_table_fits_and_no_color_is_honoured() {
    let fleet = start_site(Ipv4Addr::new(127, 0, 74, 1), 13774).await;
    // A slow camera: the read takes seconds, long enough for the bar to be drawn.
    fleet
        .set_fault(
            Ipv4Addr::new(127, 0, 74, 2),
            mock_devices::InjectedFault::Latency(std::time::Duration::from_millis(60)),
        )
        .await
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("credentials.toml"), CREDENTIALS).unwrap();
    let xaddrs = fleet.xaddrs().await;
    let mut args = vec!["inventory", "--credentials", "credentials.toml"];
    for x in &xaddrs {
        args.extend(["--xaddr", x.as_str()]);
    }
    let screen = on_a_terminal(dir, 100, &args, true);
    assert!(
        screen.contains("reading devices [") && screen.contains("/2 (") && screen.contains("left)"),
        "no progress bar on the terminal:\n{screen}"
    );
    // What is left once the bar's own redraws are taken out: messages, a blank line, the
    // table.
    let text: String = screen
        .split('\n')
        .map(|l| l.rsplit('\r').next().unwrap_or(l))
        .filter(|l| !l.contains("reading devices ["))
        .map(|l| strip_escapes(l) + "\n")
        .collect();
    let summary = text
        .find("read 2 devices: 2 complete, 0 with errors, 0 unreachable\n")
        .unwrap_or_else(|| panic!("no summary line:\n{text}"));
    let rest = &text[summary..];
    let after = &rest[rest.find('\n').unwrap() + 1..];
    assert!(
        after.starts_with("\nID "),
        "the table does not follow the summary after a blank line:\n{text}"
    );
    let rows: Vec<&str> = after.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(rows.len(), 3, "header and two rows:\n{text}");
    for r in &rows {
        assert!(r.chars().count() <= 100, "wider than the terminal: {r:?}");
    }
    // The long ids gave way; the addresses stayed whole.
    assert!(
        rows[1].starts_with("serial:") && rows[1].contains("… ") && rows[1].contains("127.0.74."),
        "{text}"
    );

    // The dry run is coloured on a terminal, unless NO_COLOR is set.
    inventory(&fleet, dir).await;
    let plan = ["plan", "inventory.json", "--catalog", "builtin:example"];
    let coloured = on_a_terminal(dir, 100, &plan, false);
    assert!(coloured.contains("\u{1b}["), "no colour:\n{coloured}");
    let plain = on_a_terminal(dir, 100, &plan, true);
    assert!(plain.contains("camswap plan (dry run)"), "{plain}");
    assert!(
        !plain.contains('\u{1b}'),
        "colour despite NO_COLOR:\n{plain:?}"
    );
    drop(fleet);
}

/// `s` without ANSI CSI sequences (the cursor moves a pseudo-terminal transcript keeps).
fn strip_escapes(s: &str) -> String {
    let csi = regex::Regex::new(r"\x1b\[[0-9;?]*[A-Za-z]").unwrap();
    csi.replace_all(s, "").into_owned()
}
