//! `camswap apply`, `verify`, `status` and `handoff`.
//!
//! ```text
//! camswap apply plan.json [--dry-run] [--wave N|NAME] [--force-wave] [--camera ID]
//!               [--assign OLD_ID=URL|SERIAL]... [--devices devices.json] [--journal FILE]
//!               [--concurrency N] [--max-failures N|P%] [--expect-plan sha256:...]
//!               [--credentials FILE]
//! camswap verify plan.json [--journal FILE] [--camera ID] [--credentials FILE]
//! camswap status --journal FILE [--plan plan.json]
//! camswap handoff plan.json [--journal FILE] [--format csv|json] -o FILE
//! ```
//! apply runs the plan's waves in order within their limits ([`crate::migrate::waves`]), or
//! only `--wave`. It exits 0 when every camera finished, 6 when some failed and others
//! finished or when a wave went over its failure budget (stderr names what failed and the
//! command that resumes), 1 when none finished, 2 when `--wave` asks for a wave whose earlier
//! waves are not done. verify exits 3 when any camera differs from the plan; status shows each
//! wave and camera as the journal has them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::documents;
use super::output::emit;
use super::{CliError, Format, Global, Outcome, TableOrJson};
use crate::credentials::Credentials;
use crate::discovery::devices::read_devices;
use crate::migrate::apply::{self, Assign, Candidate, Run, Settings};
use crate::migrate::device::Connect;
use crate::migrate::journal::{self, Journal};
use crate::migrate::waves::{self, WaveOutcome};
use crate::migrate::{handoff, planfile, status, verify};
use crate::planner::Plan;
use crate::planner::plan::CameraPlan;
use crate::planner::rollout::Budget;
use crate::text::table;

/// What apply and verify both take: the plan, its journal, the cameras and how to reach them.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// plan.json (from `camswap plan`).
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// The journal (default: PLAN.journal.jsonl beside the plan).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Only this camera (old id).
    #[arg(long, value_name = "ID")]
    pub camera: Option<String>,
    /// credentials.toml (`[new]` is the administrator created on new cameras).
    #[arg(long, value_name = "FILE")]
    pub credentials: Option<PathBuf>,
    /// Per-request timeout, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub timeout: u64,
}

/// Arguments of `camswap apply`.
#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// Output format (default: table on a terminal, json otherwise; JSON schema:
    /// tests/schemas/camswap.apply.v1.schema.json,
    /// with --dry-run camswap.apply-dry-run.v1.schema.json).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<TableOrJson>,
    /// Plan, journal, cameras, credentials, timeout.
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Print the exact operations per camera and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The new camera for OLD_ID: its device service URL or its serial number.
    #[arg(long, value_name = "OLD_ID=URL|SERIAL")]
    pub assign: Vec<String>,
    /// Devices discovery found (devices.json), to find unassigned new cameras by model.
    #[arg(long, value_name = "FILE")]
    pub devices: Option<PathBuf>,
    /// Cameras applied at once (a wave's `max_unavailable` may lower it).
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub concurrency: usize,
    /// Only this wave of the plan: its number (from 1) or its name.
    #[arg(long, value_name = "N|NAME")]
    pub wave: Option<String>,
    /// Start the wave even though an earlier wave is not done.
    #[arg(long)]
    pub force_wave: bool,
    /// The failure budget of every wave run, instead of the plan's: a count or a percentage
    /// of the wave ("10%").
    #[arg(long, value_name = "N|P%", value_parser = parse_budget)]
    pub max_failures: Option<Budget>,
    /// Refuse the plan unless its fingerprint is this.
    #[arg(long, value_name = "sha256:HEX")]
    pub expect_plan: Option<String>,
    /// How long a camera may stay away (reboot, address move), seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 180)]
    pub away_deadline: u64,
    /// Port of the directed WS-Discovery probe that reads a camera's model without
    /// credentials.
    #[arg(long, value_name = "PORT", default_value_t = 3702)]
    pub discovery_port: u16,
}

/// Arguments of `camswap verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Output format (default: table on a terminal, json otherwise; JSON schema:
    /// tests/schemas/camswap.verify.v1.schema.json).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<TableOrJson>,
    /// Plan, journal, cameras, credentials, timeout.
    #[command(flatten)]
    pub plan: PlanArgs,
}

/// Arguments of `camswap status`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Output format (default: table on a terminal, json otherwise; JSON schema:
    /// tests/schemas/camswap.status.v1.schema.json).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<TableOrJson>,
    /// The journal.
    #[arg(long, value_name = "FILE")]
    pub journal: PathBuf,
    /// The plan, to list cameras not started yet and show each wave (default: PLAN.json
    /// beside a journal named PLAN.journal.jsonl, when it is the journal's plan).
    #[arg(long, value_name = "PLAN")]
    pub plan: Option<PathBuf>,
}

/// Arguments of `camswap handoff`.
#[derive(Debug, clap::Args)]
pub struct HandoffArgs {
    /// Output format (default: csv; JSON schema: tests/schemas/camswap.handoff.v1.schema.json).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<HandoffFormat>,
    /// plan.json.
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// The journal (default: beside the plan).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Only this camera.
    #[arg(long, value_name = "ID")]
    pub camera: Option<String>,
    /// credentials.toml.
    #[arg(long, value_name = "FILE")]
    pub credentials: Option<PathBuf>,
}

/// `--format` of `camswap handoff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HandoffFormat {
    /// MilestonePSTools' hardware columns, then camswap's.
    Csv,
    /// JSON.
    Json,
}

impl From<HandoffFormat> for Format {
    fn from(f: HandoffFormat) -> Self {
        match f {
            HandoffFormat::Csv => Self::Csv,
            HandoffFormat::Json => Self::Json,
        }
    }
}

fn parse_budget(s: &str) -> Result<Budget, String> {
    Budget::parse(s).ok_or_else(|| {
        format!("expected a number of failures or a percentage like \"10%\", found \"{s}\"")
    })
}

fn load_credentials(path: Option<&Path>) -> Result<Credentials, CliError> {
    match path {
        Some(p) => Credentials::load(p).map_err(CliError::input),
        None => Ok(Credentials::none()),
    }
}

fn read_journal(path: &Path) -> Result<journal::Contents, CliError> {
    let c = journal::read(path).map_err(CliError::input)?;
    if let Some((line, bytes)) = c.torn {
        eprintln!(
            "warning: {}: the last record (line {line}, {bytes} bytes) is torn, as a crash while writing leaves it; it is ignored and apply resumes after the last whole record",
            path.display()
        );
    }
    Ok(c)
}

fn selected<'a>(plan: &'a Plan, camera: Option<&str>) -> Result<Vec<&'a CameraPlan>, CliError> {
    let cams: Vec<&CameraPlan> = plan
        .replaced()
        .filter(|c| camera.is_none_or(|id| c.old.id == id))
        .collect();
    if let (Some(id), true) = (camera, cams.is_empty()) {
        return Err(CliError::input(format!(
            "--camera {id}: the plan has no replaced camera with that id"
        )));
    }
    Ok(cams)
}

fn parse_assign(values: &[String]) -> Result<BTreeMap<String, Assign>, CliError> {
    values
        .iter()
        .map(|v| {
            let (id, target) = v.split_once('=').ok_or_else(|| {
                CliError::input(format!(
                    "--assign {v}: expected OLD_ID=URL or OLD_ID=SERIAL"
                ))
            })?;
            if id.trim().is_empty() || target.trim().is_empty() {
                return Err(CliError::input(format!(
                    "--assign {v}: expected OLD_ID=URL or OLD_ID=SERIAL"
                )));
            }
            // Old ids contain ':' (serial:ABC), so split at the first '=' only.
            Ok((id.trim().to_owned(), Assign::parse(target)))
        })
        .collect()
}

/// The dry run as data: the same steps and operations [`status::dry_run`] prints.
fn dry_run_document(
    plan: &Plan,
    cams: &[&CameraPlan],
    journal: &journal::Contents,
) -> Result<documents::DryRunOutput, CliError> {
    let mut cameras = Vec::new();
    for c in cams {
        let Some(r) = &c.replacement else { continue };
        let tokens = journal.tokens(&c.old.id);
        let steps = crate::migrate::lower::lower(c)
            .map_err(CliError::input)?
            .into_iter()
            .map(|l| documents::DryRunStep {
                index: l.index,
                kind: l.kind.to_string(),
                done: journal.is_done(&c.old.id, l.index),
                operations: l.ops.iter().map(|op| op.describe(&tokens)).collect(),
            })
            .collect();
        cameras.push(documents::DryRunCamera {
            camera: c.old.id.clone(),
            address: c.old.address.clone().unwrap_or_else(|| c.old.xaddr.clone()),
            vendor: r.vendor.clone(),
            model: r.model.clone(),
            steps,
        });
    }
    Ok(documents::DryRunOutput {
        format: documents::APPLY_DRY_RUN_FORMAT,
        version: 1,
        plan: plan.fingerprint.clone(),
        cameras,
    })
}

/// Runs `camswap apply`.
pub async fn run_apply(a: ApplyArgs, g: &Global) -> Result<Outcome, CliError> {
    let plan = planfile::load(&a.plan.plan, a.expect_plan.as_deref()).map_err(CliError::input)?;
    let mut cams = selected(&plan, a.plan.camera.as_deref())?;
    let wave = match &a.wave {
        Some(w) => Some(waves::find(&plan, w).map_err(CliError::input)?),
        None => None,
    };
    if let Some(i) = wave {
        if let Some(id) = a.plan.camera.as_deref() {
            if waves::wave_of(&plan, id) != Some(i) {
                return Err(CliError::input(waves::WaveError::CameraElsewhere {
                    camera: id.to_owned(),
                    camera_wave: waves::wave_of(&plan, id)
                        .map_or_else(|| "(none)".to_owned(), |k| plan.waves[k].name.clone()),
                    wave: plan.waves[i].name.clone(),
                }));
            }
        }
        let members: std::collections::HashSet<&str> =
            plan.waves[i].cameras.iter().map(String::as_str).collect();
        cams.retain(|c| members.contains(c.old.id.as_str()));
    }
    let journal_path = a
        .plan
        .journal
        .clone()
        .unwrap_or_else(|| planfile::default_journal(&a.plan.plan));
    let assign = parse_assign(&a.assign)?;
    for id in assign.keys() {
        if !plan.replaced().any(|c| &c.old.id == id) {
            return Err(CliError::input(format!(
                "--assign {id}=...: the plan has no replaced camera with that id"
            )));
        }
    }
    if a.dry_run {
        let before = if journal_path.exists() {
            read_journal(&journal_path)?
        } else {
            journal::Contents::default()
        };
        let text = match g.format_or_default() {
            Format::Json => documents::to_json(&dry_run_document(&plan, &cams, &before)?),
            _ => status::dry_run(&cams, &before).map_err(CliError::input)?,
        };
        emit(g, &text)?;
        return Ok(Outcome::Success);
    }
    // A wave starts only when the waves before it are done (a run of every wave keeps that
    // order itself).
    let first = wave.or_else(|| {
        a.plan
            .camera
            .as_deref()
            .and_then(|id| waves::wave_of(&plan, id))
    });
    if let (Some(i), false) = (first, a.force_wave) {
        let before = if journal_path.exists() {
            read_journal(&journal_path)?
        } else {
            journal::Contents::default()
        };
        waves::check_order(&plan, &before, i, &a.plan.plan.display().to_string())
            .map_err(CliError::input)?;
    }
    let credentials = load_credentials(a.plan.credentials.as_deref())?;
    let candidates = match &a.devices {
        None => Vec::new(),
        Some(p) => read_devices(p)
            .map_err(CliError::input)?
            .devices
            .into_iter()
            .filter_map(|d| {
                Some(Candidate {
                    xaddr: d.xaddr?,
                    scopes: d.scopes,
                })
            })
            .collect(),
    };
    let (journal, before) =
        Journal::open(&journal_path, &plan.fingerprint).map_err(CliError::input)?;
    if let Some((line, bytes)) = before.torn {
        eprintln!(
            "warning: {}: the last record (line {line}, {bytes} bytes) was torn by a crash while it was written; it was cut off and apply resumes after the last whole record",
            journal_path.display()
        );
    }
    let quiet = g.quiet;
    let concurrency = a.concurrency.max(1);
    let settings = Settings {
        connect: Connect {
            timeout: Duration::from_secs(a.plan.timeout.max(1)),
            away_deadline: Duration::from_secs(a.away_deadline),
            ..Connect::default()
        },
        credentials,
        assign,
        candidates,
        concurrency,
        discovery_port: a.discovery_port,
    };
    let run = Arc::new(Run::new(
        settings,
        journal,
        before,
        Box::new(move |line| {
            if !quiet {
                eprintln!("{line}");
            }
        }),
    ));
    let ids: std::collections::BTreeSet<&str> = cams.iter().map(|c| c.old.id.as_str()).collect();
    let indices: Vec<usize> = match wave {
        Some(i) => vec![i],
        None => (0..plan.waves.len()).collect(),
    };
    let mut runs = waves::runs(&plan, indices, concurrency, a.max_failures, |c| {
        ids.contains(c.old.id.as_str())
    });
    runs.retain(|r| !r.cameras.is_empty());
    // A plan written by hand may list no waves: its cameras run as one wave without limits.
    let index = waves::wave_index(&plan);
    let unwaved: Vec<CameraPlan> = cams
        .iter()
        .filter(|c| !index.contains_key(c.old.id.as_str()))
        .map(|c| (*c).clone())
        .collect();
    if wave.is_none() && !unwaved.is_empty() {
        runs.push(waves::WaveRun {
            number: plan.waves.len() + 1,
            name: "(no wave)".into(),
            size: unwaved.len(),
            cameras: unwaved,
            limits: waves::Limits {
                width: concurrency,
                budget: a.max_failures,
                canary: 0,
            },
        });
    }
    let outcomes = waves::apply_waves(&run, &runs).await;
    let mut results: Vec<apply::CameraResult> = outcomes
        .iter()
        .flat_map(|o| o.results.iter().cloned())
        .collect();
    results.sort_by(|x, y| x.camera.cmp(&y.camera));
    let format = g.format_or_default();
    let text = match format {
        Format::Json => documents::to_json(&documents::ApplyOutput {
            format: documents::APPLY_FORMAT,
            version: 1,
            plan: plan.fingerprint.clone(),
            journal: journal_path.display().to_string(),
            cameras: results.clone(),
            waves: outcomes.iter().map(documents::WaveRunOutput::of).collect(),
        }),
        _ => table(
            &["CAMERA", "WAVE", "STATUS", "STEPS", "NEW ADDRESS", "NOTE"],
            &outcomes
                .iter()
                .flat_map(|o| o.results.iter().map(move |r| (o, r)))
                .map(|(o, r)| {
                    vec![
                        r.camera.clone(),
                        o.name.clone(),
                        r.status.to_owned(),
                        format!("{}/{}", r.steps_done, r.steps),
                        r.xaddr.clone().unwrap_or_default(),
                        r.reason
                            .clone()
                            .or_else(|| (!r.adapted.is_empty()).then(|| r.adapted.join("; ")))
                            .unwrap_or_default(),
                    ]
                })
                .collect::<Vec<_>>(),
        ),
    };
    emit(g, &text)?;
    if let Some(stopped) = outcomes.iter().find(|o| o.stopped) {
        eprintln!("{}", stop_report(stopped, &outcomes, &journal_path));
        return Ok(Outcome::Partial);
    }
    let failed = results.iter().filter(|r| r.status == "failed").count();
    if failed == 0 {
        // The handoff is written beside the journal after every complete run: of the one
        // camera with --camera, else once every camera of the plan is finished (a run of one
        // wave before the last leaves it to the run that finishes the plan).
        let contents = journal::read(&journal_path).map_err(CliError::runtime)?;
        let unfinished = status::status(&contents, Some(&plan.cameras))
            .iter()
            .filter(|r| r.state != "done")
            .count();
        if a.plan.camera.is_none() && unfinished > 0 {
            if !quiet {
                eprintln!(
                    "{} of other waves not finished yet: the handoff is written by the run that finishes them (or now by `camswap handoff`)",
                    cameras(unfinished)
                );
            }
            return Ok(Outcome::Success);
        }
        let h = handoff::build(
            &plan,
            &contents,
            &run.settings.credentials,
            &run.settings.connect,
            a.plan.camera.as_deref(),
        )
        .await;
        let stem = a
            .plan
            .plan
            .file_stem()
            .map_or_else(|| "plan".to_owned(), |s| s.to_string_lossy().into_owned());
        let beside = |ext: &str| journal_path.with_file_name(format!("{stem}.handoff.{ext}"));
        let json = serde_json::to_string_pretty(&h).expect("handoff serialises") + "\n";
        crate::files::write_atomic(&beside("json"), json.as_bytes()).map_err(CliError::runtime)?;
        let user = run
            .settings
            .credentials
            .new_admin()
            .ok()
            .flatten()
            .map(|l| l.username.clone());
        crate::files::write_atomic(
            &beside("csv"),
            handoff::to_csv(&h, user.as_deref()).as_bytes(),
        )
        .map_err(CliError::runtime)?;
        Ok(Outcome::Success)
    } else if failed < results.len() {
        Ok(Outcome::Partial)
    } else {
        Err(CliError::runtime(format!(
            "no camera was applied ({failed} failed; journal {}): {}",
            journal_path.display(),
            results
                .iter()
                .filter_map(|r| r.reason.as_ref().map(|why| format!("{}: {why}", r.camera)))
                .collect::<Vec<_>>()
                .join("; ")
        )))
    }
}

/// `1 camera`, `2 cameras`.
fn cameras(n: usize) -> String {
    format!("{n} camera{}", if n == 1 { "" } else { "s" })
}

/// A word of a command line as a POSIX shell reads it back.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// What stderr says when a wave goes over its failure budget: what failed and why, what did
/// not start, and the command that resumes.
fn stop_report(stopped: &WaveOutcome, all: &[WaveOutcome], journal: &Path) -> String {
    let failed: Vec<&apply::CameraResult> = stopped.failed().collect();
    let mut out = format!(
        "wave {} `{}` stopped: {} failed, over its failure budget of {}:\n",
        stopped.number,
        stopped.name,
        cameras(failed.len()),
        stopped.allowed.unwrap_or_default()
    );
    for r in &failed {
        out.push_str(&format!(
            "  {}: {}\n",
            r.camera,
            r.reason.as_deref().unwrap_or("failed")
        ));
    }
    let left = stopped
        .results
        .iter()
        .filter(|r| r.status == waves::NOT_STARTED)
        .count();
    if left > 0 {
        out.push_str(&format!(
            "{} of wave `{}` not started.\n",
            cameras(left),
            stopped.name
        ));
    }
    let later: Vec<String> = all
        .iter()
        .filter(|o| o.skipped)
        .map(|o| format!("{} `{}`", o.number, o.name))
        .collect();
    if !later.is_empty() {
        out.push_str(&format!("Not started: wave {}.\n", later.join(", wave ")));
    }
    // The same command resumes: the journal skips what finished and retries what failed.
    let command: Vec<String> = std::env::args().map(|w| shell_word(&w)).collect();
    out.push_str(&format!(
        "Fix what made them fail, then resume with the same command (journal {}):\n  {}",
        journal.display(),
        command.join(" ")
    ));
    out
}

fn journal_or_default(plan: &Path, given: Option<&PathBuf>) -> Result<journal::Contents, CliError> {
    match given {
        Some(p) => read_journal(p),
        None => {
            let p = planfile::default_journal(plan);
            if p.exists() {
                read_journal(&p)
            } else {
                Ok(journal::Contents::default())
            }
        }
    }
}

/// Runs `camswap verify`.
pub async fn run_verify(a: VerifyArgs, g: &Global) -> Result<Outcome, CliError> {
    let plan = planfile::load(&a.plan.plan, None).map_err(CliError::input)?;
    let cams = selected(&plan, a.plan.camera.as_deref())?;
    let contents = journal_or_default(&a.plan.plan, a.plan.journal.as_ref())?;
    let credentials = load_credentials(a.plan.credentials.as_deref())?;
    let connect = Connect {
        timeout: Duration::from_secs(a.plan.timeout.max(1)),
        ..Connect::default()
    };
    let mut results = Vec::new();
    for c in cams {
        results.push(verify::verify_camera(c, &contents, &credentials, &connect).await);
    }
    let text = match g.format_or_default() {
        Format::Json => documents::to_json(&documents::VerifyOutput {
            format: documents::VERIFY_FORMAT,
            version: 1,
            plan: plan.fingerprint.clone(),
            cameras: results.clone(),
        }),
        _ => {
            let mut rows = Vec::new();
            for r in &results {
                if r.differences.is_empty() {
                    rows.push(vec![
                        r.camera.clone(),
                        r.status.to_owned(),
                        String::new(),
                        String::new(),
                        String::new(),
                        r.reason.clone().unwrap_or_default(),
                    ]);
                }
                for d in &r.differences {
                    rows.push(vec![
                        r.camera.clone(),
                        r.status.to_owned(),
                        format!("{} {}", d.step, d.kind),
                        format!("{} {}", d.operation, d.field),
                        d.planned.clone(),
                        d.actual.clone(),
                    ]);
                }
            }
            table(
                &["CAMERA", "STATUS", "STEP", "VALUE", "PLANNED", "ACTUAL"],
                &rows,
            )
        }
    };
    emit(g, &text)?;
    if results.iter().any(|r| r.status == "unreachable") {
        return Err(CliError::runtime(format!(
            "{} camera(s) could not be read: {}",
            results.iter().filter(|r| r.status == "unreachable").count(),
            results
                .iter()
                .filter_map(|r| r.reason.as_ref().map(|x| format!("{}: {x}", r.camera)))
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    if results.iter().any(|r| r.status == "differ") {
        Ok(Outcome::Drift)
    } else {
        Ok(Outcome::Success)
    }
}

/// The plan a journal at its default place (`PLAN.journal.jsonl`) was written for: `PLAN.json`
/// beside it, when its fingerprint is the journal's. Lets `status --journal F` show waves.
fn plan_beside(journal_path: &Path, contents: &journal::Contents) -> Option<Plan> {
    let name = journal_path.file_name()?.to_str()?;
    let stem = name.strip_suffix(".journal.jsonl")?;
    let candidate = journal_path.with_file_name(format!("{stem}.json"));
    let plan = planfile::load(&candidate, None).ok()?;
    (Some(plan.fingerprint.as_str()) == contents.header.as_ref().map(|h| h.plan.as_str()))
        .then_some(plan)
}

/// Runs `camswap status`.
pub fn run_status(a: StatusArgs, g: &Global) -> Result<Outcome, CliError> {
    let contents = read_journal(&a.journal)?;
    if contents.header.is_none() {
        return Err(CliError::input(format!(
            "{}: no journal there (apply has not run with this journal)",
            a.journal.display()
        )));
    }
    let plan = match &a.plan {
        Some(p) => Some(planfile::load(p, None).map_err(CliError::input)?),
        None => plan_beside(&a.journal, &contents),
    };
    let mut rows = status::status(&contents, plan.as_ref().map(|p| p.cameras.as_slice()));
    let wave_rows = plan
        .as_ref()
        .map(|p| waves::wave_status(p, &rows))
        .unwrap_or_default();
    let text = match g.format_or_default() {
        Format::Json => documents::to_json(&documents::StatusOutput {
            format: documents::STATUS_FORMAT,
            version: 1,
            journal: a.journal.display().to_string(),
            waves: wave_rows,
            cameras: rows,
        }),
        _ => {
            let mut text = String::new();
            if !wave_rows.is_empty() {
                text.push_str(&table(
                    &[
                        "WAVE",
                        "NAME",
                        "STATE",
                        "CAMERAS",
                        "DONE",
                        "FAILED",
                        "IN PROGRESS",
                        "PENDING",
                        "BUDGET",
                    ],
                    &wave_rows
                        .iter()
                        .map(|w| {
                            vec![
                                w.number.to_string(),
                                w.name.clone(),
                                w.state.to_owned(),
                                w.cameras.to_string(),
                                w.done.to_string(),
                                w.failed.to_string(),
                                w.in_progress.to_string(),
                                w.pending.to_string(),
                                w.budget(),
                            ]
                        })
                        .collect::<Vec<_>>(),
                ));
                text.push('\n');
                // Cameras wave by wave, in the plan's order.
                if let Some(p) = &plan {
                    let index = waves::wave_index(p);
                    let order = |r: &status::CameraStatus| {
                        index.get(r.camera.as_str()).copied().unwrap_or(usize::MAX)
                    };
                    rows.sort_by(|x, y| (order(x), &x.camera).cmp(&(order(y), &y.camera)));
                }
            }
            text.push_str(&table(
                &["CAMERA", "WAVE", "STATE", "STEPS", "ADDRESS", "WHY"],
                &rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.camera.clone(),
                            r.wave.clone().unwrap_or_default(),
                            r.state.to_owned(),
                            match r.steps {
                                Some(n) => format!("{}/{n}", r.steps_done),
                                None => r.steps_done.to_string(),
                            },
                            r.xaddr.clone().unwrap_or_default(),
                            r.failure.clone().unwrap_or_default(),
                        ]
                    })
                    .collect::<Vec<_>>(),
            ));
            text
        }
    };
    emit(g, &text)?;
    Ok(Outcome::Success)
}

/// Runs `camswap handoff`.
pub async fn run_handoff(a: HandoffArgs, g: &Global) -> Result<Outcome, CliError> {
    let plan = planfile::load(&a.plan, None).map_err(CliError::input)?;
    selected(&plan, a.camera.as_deref())?;
    let contents = journal_or_default(&a.plan, a.journal.as_ref())?;
    let credentials = load_credentials(a.credentials.as_deref())?;
    let h = handoff::build(
        &plan,
        &contents,
        &credentials,
        &Connect::default(),
        a.camera.as_deref(),
    )
    .await;
    let text = match g.format.unwrap_or(Format::Csv) {
        Format::Json => serde_json::to_string_pretty(&h).expect("handoff serialises") + "\n",
        Format::Csv => {
            let user = credentials
                .new_admin()
                .ok()
                .flatten()
                .map(|l| l.username.clone());
            handoff::to_csv(&h, user.as_deref())
        }
        other => {
            return Err(CliError::input(format!(
                "handoff writes csv or json, not {other:?}"
            )));
        }
    };
    emit(g, &text)?;
    Ok(Outcome::Success)
}
