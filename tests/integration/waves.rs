//! Phased rollout on a 60-camera mock site (issue 14): three waves, the second with more
//! failures than its budget allows (faults injected through the fleet's control endpoint on
//! the new units of that wave). Apply stops there with exit 6 and never starts the third wave;
//! `status` agrees at each point; once the faults are cleared the same command resumes the
//! second wave and finishes the third. The fleet's request log proves `max_unavailable` and the
//! canary: per wave, how many cameras were being written at once.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::process::Output;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::apply::{Site, camswap_command, site_with_rollout};
use crate::support::cli::run_in;

/// Old cameras on 127.0.121.1-60, the new units boot on 127.0.122.x.
const BASE: Ipv4Addr = Ipv4Addr::new(127, 0, 121, 1);
const CONTROL: &str = "127.0.121.250:0";

/// Wave 1: .1-.7 (7 cameras), one at a time. Wave 2: .16-.31 (16 cameras), two at a time, 10%
/// of 16 = 1.6, so one failure is allowed and the second stops the wave. Wave 3: everything
/// else (.8-.15 and .32-.60, 37 cameras: its /28 also covers wave 1's, which wave 1 took
/// first), three at a time, the first camera alone as a canary.
const ROLLOUT: &str = r#"
[defaults]
max_unavailable = 3
max_failures = 0

[[wave]]
name = "pilot"
max_unavailable = 1
select = { address = "127.0.121.0/29" }

[[wave]]
name = "floor-1"
max_unavailable = 2
max_failures = "10%"
select = { address = "127.0.121.16/28" }

[[wave]]
name = "floor-2"
canary = 1
select = { address = ["127.0.121.0/28", "127.0.121.32/27"] }
"#;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

async fn camswap(site: &Site, args: &[&str]) -> Output {
    crate::support::cli::output(camswap_command(site.dir.path(), args)).await
}

/// `camswap status --plan plan.json --format json`, parsed.
async fn status(site: &Site) -> Value {
    let out = camswap(
        site,
        &[
            "status",
            "--journal",
            "plan.journal.jsonl",
            "--plan",
            "plan.json",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "status: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("status prints JSON")
}

/// Per wave name: (state, done, failed, in progress, pending).
fn wave_states(status: &Value) -> BTreeMap<String, (String, u64, u64, u64, u64)> {
    status["waves"]
        .as_array()
        .expect("waves")
        .iter()
        .map(|w| {
            (
                w["name"].as_str().unwrap().to_owned(),
                (
                    w["state"].as_str().unwrap().to_owned(),
                    w["done"].as_u64().unwrap(),
                    w["failed"].as_u64().unwrap(),
                    w["in_progress"].as_u64().unwrap(),
                    w["pending"].as_u64().unwrap(),
                ),
            )
        })
        .collect()
}

/// Per camera id: its state in `status`.
fn camera_states(status: &Value) -> BTreeMap<String, String> {
    status["cameras"]
        .as_array()
        .expect("cameras")
        .iter()
        .map(|c| {
            (
                c["camera"].as_str().unwrap().to_owned(),
                c["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// One entry of the fleet's request log (`GET /log`).
struct Logged {
    name: String,
    time: DateTime<Utc>,
}

/// What apply writes: every operation that changes a device (reads are Get*).
fn is_write(name: &str) -> bool {
    ["Set", "Create", "Add", "Delete", "Remove", "Modify"]
        .iter()
        .any(|p| name.starts_with(p))
}

struct Control {
    http: reqwest::Client,
    base: String,
}

impl Control {
    async fn post(&self, path: &str, query: &str) {
        let r = self
            .http
            .post(format!("{}{path}?{query}", self.base))
            .send()
            .await
            .expect("the control endpoint answers");
        assert!(r.status().is_success(), "{path}?{query}: {}", r.status());
    }

    /// The log of the device now at `ip`, or `None` when no device is there.
    async fn log(&self, ip: Ipv4Addr) -> Option<Vec<Logged>> {
        let r = self
            .http
            .get(format!("{}/log?address={ip}", self.base))
            .send()
            .await
            .expect("the control endpoint answers");
        if r.status() == reqwest::StatusCode::NOT_FOUND {
            return None;
        }
        assert!(r.status().is_success(), "/log?address={ip}: {}", r.status());
        let body = r.bytes().await.expect("the log arrives");
        let entries: Vec<Value> = serde_json::from_slice(&body).expect("the log is JSON");
        Some(
            entries
                .iter()
                .map(|e| Logged {
                    name: e["name"].as_str().unwrap().to_owned(),
                    time: e["time"].as_str().unwrap().parse().unwrap(),
                })
                .collect(),
        )
    }

    /// The log of the new unit that replaces `id`: on the old address once apply moved it
    /// there, else where it booted.
    async fn new_unit_log(&self, site: &Site, id: &str) -> Vec<Logged> {
        let (old, at) = site.moves[id];
        match self.log(old).await {
            Some(l) => l,
            None => self
                .log(at)
                .await
                .expect("the new unit is on one of its addresses"),
        }
    }

    /// Per camera of `ids`: the interval between its first and last write, as the new unit
    /// received them (`None`: never written).
    async fn write_windows(
        &self,
        site: &Site,
        ids: &[String],
    ) -> BTreeMap<String, Option<(DateTime<Utc>, DateTime<Utc>)>> {
        let mut out = BTreeMap::new();
        for id in ids {
            let writes: Vec<DateTime<Utc>> = self
                .new_unit_log(site, id)
                .await
                .into_iter()
                .filter(|e| is_write(&e.name))
                .map(|e| e.time)
                .collect();
            let window = match (writes.iter().min(), writes.iter().max()) {
                (Some(a), Some(b)) => Some((*a, *b)),
                _ => None,
            };
            out.insert(id.clone(), window);
        }
        out
    }
}

/// The most windows open at one instant (a window that ends when another starts counts as
/// overlapping it).
fn most_at_once(windows: &[(DateTime<Utc>, DateTime<Utc>)]) -> usize {
    let mut events: Vec<(DateTime<Utc>, i32)> = windows
        .iter()
        .flat_map(|&(a, b)| [(a, 1), (b, -1)])
        .collect();
    // Starts before ends at the same instant: touching windows overlap.
    events.sort_by(|x, y| x.0.cmp(&y.0).then(y.1.cmp(&x.1)));
    let (mut open, mut most) = (0i32, 0i32);
    for (_, d) in events {
        open += d;
        most = most.max(open);
    }
    most as usize
}

#[test]
fn overlap_counting_is_right_on_hand_made_windows() {
    let t = |ms: i64| DateTime::<Utc>::from_timestamp_millis(ms).unwrap();
    // Disjoint: one at a time.
    assert_eq!(most_at_once(&[(t(0), t(10)), (t(11), t(20))]), 1);
    // Touching at 10 counts as two at once.
    assert_eq!(most_at_once(&[(t(0), t(10)), (t(10), t(20))]), 2);
    // Three overlapping at 5..6, then two.
    assert_eq!(
        most_at_once(&[(t(0), t(6)), (t(5), t(30)), (t(2), t(8)), (t(7), t(9))]),
        3
    );
    assert_eq!(most_at_once(&[]), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wave_over_its_failure_budget_stops_the_run_and_the_same_command_resumes_it() {
    let personas: Vec<&str> = (0..60)
        .map(|i| ["hikvision-ds2cd2143g2", "dahua-ipc-hdw2431t"][i % 2])
        .collect();
    let mut site = site_with_rollout(BASE, &personas, Some(ROLLOUT)).await;
    assert_eq!(site.moves.len(), 60, "every camera is planned");
    let control = site
        .fleet
        .serve_control(CONTROL.parse().unwrap())
        .await
        .unwrap();
    let control = Control {
        http: reqwest::Client::new(),
        base: format!("http://{control}"),
    };

    // The plan's waves, as the rollout file selects them (by address).
    let plan = site.plan.clone();
    let names: Vec<&str> = plan.waves.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(
        names,
        ["pilot", "floor-1", "floor-2"],
        "no camera is left over"
    );
    let last_octet = |id: &String| site.moves[id].0.octets()[3];
    let members: Vec<Vec<String>> = plan.waves.iter().map(|w| w.cameras.clone()).collect();
    assert!(
        members[0]
            .iter()
            .all(|id| (1..=7).contains(&last_octet(id)))
    );
    assert_eq!(members[0].len(), 7);
    assert_eq!(members[1].len(), 16);
    assert!(
        members[1]
            .iter()
            .all(|id| (16..=31).contains(&last_octet(id)))
    );
    assert_eq!(members[2].len(), 37);
    assert_eq!(plan.waves[2].canary, 1);
    assert!(plan.warnings.iter().all(|w| !w.contains("no wave")));

    // A rollout file that selects only the pilot: plan names each camera it leaves out, on
    // stderr and in the plan, and those go into the final wave.
    std::fs::write(
        site.path("partial.toml"),
        "[[wave]]\nname = \"pilot\"\nselect = { address = \"127.0.121.0/29\" }\n",
    )
    .unwrap();
    let out = camswap(
        &site,
        &[
            "plan",
            "inventory.json",
            "--catalog",
            "builtin:example",
            "--stock",
            "stock.toml",
            "--rollout",
            "partial.toml",
            "-o",
            "partial.json",
        ],
    )
    .await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let line = err
        .lines()
        .find_map(|l| {
            l.strip_prefix("warning: 53 flagged cameras no wave of the rollout file selects")
        })
        .unwrap_or_else(|| panic!("53 cameras named: {err}"));
    assert!(
        members[1]
            .iter()
            .chain(&members[2])
            .all(|id| line.contains(id.as_str()))
    );
    assert!(members[0].iter().all(|id| !line.contains(id.as_str())));
    let partial: Value =
        serde_json::from_slice(&std::fs::read(site.path("partial.json")).unwrap()).unwrap();
    assert!(
        partial["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().ends_with(line)),
        "{}",
        partial["warnings"]
    );
    let partial_waves: Vec<(&str, usize)> = partial["waves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["name"].as_str().unwrap(),
                w["cameras"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(partial_waves, [("pilot", 7), ("remaining", 53)]);

    // The technician's new units of wave 2, from its 4th camera on, drop every connection:
    // the first three finish, the 4th fails within the budget, the 5th goes over it.
    let faulted: Vec<String> = members[1][3..6].to_vec();
    for id in &faulted {
        let at = site.moves[id].1;
        control
            .post("/fault", &format!("address={at}&kind=drop"))
            .await;
    }

    let assign = site.assign_args();
    let mut apply: Vec<&str> = vec![
        "apply",
        "plan.json",
        "--credentials",
        "credentials.toml",
        "--concurrency",
        "8",
        "--timeout",
        "3",
        "--away-deadline",
        "20",
        "--format",
        "json",
    ];
    apply.extend(assign.iter().map(String::as_str));

    // First run: wave 1 completes, wave 2 stops with exit 6, wave 3 never starts.
    let out = camswap(&site, &apply).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(6), "apply: {err}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let result: BTreeMap<String, String> = doc["cameras"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["camera"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let run_waves: Vec<(String, String)> = doc["waves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["name"].as_str().unwrap().to_owned(),
                w["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        run_waves,
        [
            ("pilot".to_owned(), "done".to_owned()),
            ("floor-1".to_owned(), "stopped".to_owned()),
            ("floor-2".to_owned(), "not_started".to_owned())
        ]
    );
    assert!(
        members[0].iter().all(|id| result[id] == "done"),
        "{result:?}"
    );
    // The first three of wave 2 were started before any failure and finished.
    assert!(
        members[1][..3].iter().all(|id| result[id] == "done"),
        "{result:?}"
    );
    let failed: BTreeSet<&String> = result
        .iter()
        .filter(|(_, s)| *s == "failed")
        .map(|(id, _)| id)
        .collect();
    assert!(
        failed.len() >= 2 && failed.iter().all(|id| faulted.contains(id)),
        "two or three of the faulted cameras fail, nothing else: {failed:?}"
    );
    // Two slots: after the second failure no slot can go to a camera past the faulted ones.
    assert!(
        members[1][6..].iter().all(|id| result[id] == "not_started"),
        "{result:?}"
    );
    assert!(members[2].iter().all(|id| result[id] == "not_started"));
    // stderr: the stop, each failure and why, and the command that resumes.
    assert!(
        err.contains("wave 2 `floor-1` stopped:") && err.contains("over its failure budget of 1"),
        "{err}"
    );
    for id in &failed {
        assert!(
            err.lines().any(|l| l.starts_with(&format!("  {id}: "))),
            "{id} and why: {err}"
        );
    }
    assert!(err.contains("Not started: wave 3 `floor-2`"), "{err}");
    let resume = err
        .lines()
        .skip_while(|l| !l.starts_with("Fix what made them fail"))
        .nth(1)
        .expect("a resume command")
        .trim()
        .to_owned();
    assert!(
        resume.contains(" apply plan.json --credentials credentials.toml --concurrency 8")
            && resume.contains("--assign"),
        "{resume}"
    );

    assert!(!site.path("plan.handoff.json").exists());

    // status agrees.
    let s = status(&site).await;
    let waves = wave_states(&s);
    assert_eq!(waves["pilot"], ("done".into(), 7, 0, 0, 0));
    let (state, done, nfailed, in_progress, pending) = waves["floor-1"].clone();
    assert_eq!(
        (
            state.as_str(),
            done,
            nfailed as usize,
            in_progress,
            pending as usize
        ),
        ("stopped", 3, failed.len(), 0, 16 - 3 - failed.len())
    );
    assert_eq!(waves["floor-2"], ("pending".into(), 0, 0, 0, 37));
    let cams = camera_states(&s);
    for id in &failed {
        assert_eq!(cams[*id], "failed");
    }
    let failure = s["cameras"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["camera"] == failed.iter().next().unwrap().as_str())
        .unwrap()["failure"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!failure.is_empty(), "status says why: {s}");

    // Wave 3 alone is refused while wave 2 is not done, naming wave 2 and its failures.
    let mut only3 = apply.clone();
    only3.extend(["--wave", "3"]);
    let out = camswap(&site, &only3).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("wave 3 `floor-2` cannot start: wave 2 `floor-1` is not done")
            && failed.iter().all(|id| err.contains(id.as_str()))
            && err.contains(members[1][15].as_str())
            && err.contains("--force-wave"),
        "{err}"
    );
    // Nothing of wave 3 was written, by either run; nor the cameras of wave 2 after the stop.
    let w3 = control.write_windows(&site, &members[2]).await;
    assert!(
        w3.values().all(Option::is_none),
        "a wave 3 camera was written: {w3:?}"
    );
    for id in members[2].iter().chain(&members[1][6..]) {
        let log = control.new_unit_log(&site, id).await;
        assert!(log.is_empty(), "{id} got {} requests", log.len());
    }
    assert_eq!(
        wave_states(&status(&site).await),
        waves,
        "the refusal changed nothing"
    );
    // Without --plan, status finds the journal's plan beside it (PLAN.journal.jsonl).
    let out = camswap(
        &site,
        &[
            "status",
            "--journal",
            "plan.journal.jsonl",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let beside: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(wave_states(&beside), waves);

    // The faults cleared, the same command resumes wave 2 and runs wave 3.
    for id in &faulted {
        let at = site.moves[id].1;
        control.post("/fault/clear", &format!("address={at}")).await;
    }
    let out = camswap(&site, &apply).await;
    assert_eq!(out.status.code(), Some(0), "resume: {}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    for c in doc["cameras"].as_array().unwrap() {
        let id = c["camera"].as_str().unwrap().to_owned();
        let expected = if members[0].contains(&id) || members[1][..3].contains(&id) {
            "skipped"
        } else {
            "done"
        };
        assert_eq!(c["status"], expected, "{c}");
    }
    // The run that finished the plan wrote the handoff, every camera in it.
    let handoff: Value =
        serde_json::from_slice(&std::fs::read(site.path("plan.handoff.json")).unwrap()).unwrap();
    assert_eq!(handoff["cameras"].as_array().map(Vec::len), Some(60));
    let s = status(&site).await;
    let waves = wave_states(&s);
    assert_eq!(waves["pilot"], ("done".into(), 7, 0, 0, 0));
    assert_eq!(waves["floor-1"], ("done".into(), 16, 0, 0, 0));
    assert_eq!(waves["floor-2"], ("done".into(), 37, 0, 0, 0));
    assert!(camera_states(&s).values().all(|st| st == "done"));

    // max_unavailable held in every wave, as the new units saw the writes; wave 1 (one at a
    // time) strictly one camera after another; wave 3's canary alone before the rest.
    for (k, w) in plan.waves.iter().enumerate() {
        let windows = control.write_windows(&site, &members[k]).await;
        let spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = windows
            .values()
            .map(|x| x.expect("every camera was written"))
            .collect();
        let most = most_at_once(&spans);
        assert!(
            most <= w.max_unavailable as usize,
            "wave {}: {most} cameras written at once, max_unavailable {}",
            w.name,
            w.max_unavailable
        );
        if k == 0 {
            assert_eq!(w.max_unavailable, 1);
            let mut sorted = spans.clone();
            sorted.sort();
            for pair in sorted.windows(2) {
                assert!(
                    pair[0].1 < pair[1].0,
                    "one at a time: a camera's first write comes after the previous one's last"
                );
            }
        }
        if k == 2 {
            let canary = windows[&members[2][0]].unwrap();
            assert!(
                spans
                    .iter()
                    .filter(|s| **s != canary)
                    .all(|s| s.0 > canary.1),
                "the canary's writes end before any other camera of its wave is written"
            );
        }
    }
}

#[test]
fn waves_are_chosen_by_number_or_name_and_a_later_wave_waits_for_the_earlier_ones() {
    // The planner's fixture: waves pilot (1 camera), north (1), remaining (2).
    let dir = tempfile::tempdir().unwrap();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/planner/fleet-site.plan.json");
    std::fs::copy(&fixture, dir.path().join("plan.json")).unwrap();
    let pilot = "serial:DS-2CD2143G2-I20230101AAWRJ00000001";
    let north = "serial:DS-2DE4425IW-DE20220505CCWRF00000002";

    let out = run_in(dir.path(), &["apply", "plan.json", "--wave", "south"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "--wave south: the plan has no such wave (its waves: 1 pilot, 2 north, 3 remaining)"
        ),
        "{}",
        stderr(&out)
    );

    // The dry run of one wave, by name and by number, lists that wave's cameras only.
    for wave in ["north", "2"] {
        let out = run_in(
            dir.path(),
            &[
                "apply",
                "plan.json",
                "--wave",
                wave,
                "--dry-run",
                "--format",
                "json",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let cams: Vec<&str> = doc["cameras"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["camera"].as_str().unwrap())
            .collect();
        assert_eq!(cams, [north]);
    }

    // Wave 2 (or a camera of it) while wave 1 has not run: refused before any device is
    // reached or any journal is written.
    for args in [
        &["apply", "plan.json", "--wave", "2"][..],
        &["apply", "plan.json", "--camera", north][..],
    ] {
        let out = run_in(dir.path(), args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(&format!(
                "wave 2 `north` cannot start: wave 1 `pilot` is not done (pending: 0 done, 0 failed, 0 in progress, 1 pending); not finished: {pilot}; apply it first (camswap apply plan.json --wave 1), or pass --force-wave"
            )),
            "{args:?}: {err}"
        );
    }
    assert!(!dir.path().join("plan.journal.jsonl").exists());

    let out = run_in(
        dir.path(),
        &["apply", "plan.json", "--wave", "north", "--camera", pilot],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!(
            "--camera {pilot} is in wave pilot, not in wave north"
        )),
        "{}",
        stderr(&out)
    );

    // --force-wave starts wave 2 anyway. Its camera's new unit cannot be found (no --assign,
    // no discovery): it fails without a request, which is over north's budget (10% of 1 = 0).
    let out = run_in(
        dir.path(),
        &[
            "apply",
            "plan.json",
            "--wave",
            "2",
            "--force-wave",
            "--format",
            "json",
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(6), "{err}");
    assert!(
        err.contains("wave 2 `north` stopped: 1 camera failed, over its failure budget of 0:")
            && err.contains(&format!("  {north}: no unassigned device of model")),
        "{err}"
    );
    let out = run_in(
        dir.path(),
        &[
            "status",
            "--journal",
            "plan.journal.jsonl",
            "--format",
            "table",
        ],
    );
    let table = String::from_utf8_lossy(&out.stdout);
    let wave_line = |name: &str| {
        table
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(name))
            .unwrap_or_else(|| panic!("{name} in {table}"))
            .split_whitespace()
            .take(8)
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(wave_line("pilot"), "1 pilot pending 1 0 0 0 1");
    assert_eq!(wave_line("north"), "2 north stopped 1 0 1 0 0");
    // Wave 3 names the first wave not done: the pilot, still pending.
    let out = run_in(dir.path(), &["apply", "plan.json", "--wave", "remaining"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("wave 3 `remaining` cannot start: wave 1 `pilot` is not done"),
        "{}",
        stderr(&out)
    );

    let out = run_in(
        dir.path(),
        &["apply", "plan.json", "--max-failures", "lots"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("\"10%\""), "{}", stderr(&out));
}
