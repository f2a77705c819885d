//! `camswap plan`: plan replacements and the settings to carry over (the dry run), or check a
//! plan against the inventory now.
//!
//! ```text
//! camswap plan inventory.json --catalog catalog.toml|builtin:example [--policy NAME|FILE]
//!              [--rollout rollout.toml] [--stock stock.toml] [-o plan.json]
//! camswap plan inventory.json --check plan.json
//! ```
//! The positional argument is always the inventory. Without `-o` on a terminal the dry run is
//! printed; with `-o plan.json` (or `--format json`) the plan file is written. `--check` exits 2
//! when a planned device changed or vanished since the plan was made (or the plan file was
//! edited), listing which; 0 otherwise.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::documents;
use super::output::emit;
use super::{CliError, Format, Global, Outcome, TableOrJson};
use crate::audit::{self, OuiTable, Policy, Verdict};
use crate::files;
use crate::files::Sink;
use crate::inventory::DeviceSnapshot;
use crate::planner::files::{load_catalog, load_rollout, load_stock};
use crate::planner::plan::{
    InputFile, Inputs, PLAN_FORMAT, PLAN_VERSION, Plan, Written, write_streamed,
};
use crate::planner::{Flag, PlanInput, PlanOptions, check, plan, render};

/// Arguments of `camswap plan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format (default: table on a terminal, json otherwise; JSON schema:
    /// tests/schemas/camswap.plan.v1.schema.json,
    /// with --check camswap.plan-check.v1.schema.json).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<TableOrJson>,
    /// inventory.json (from `camswap inventory`).
    #[arg(value_name = "INVENTORY")]
    pub inventory: PathBuf,
    /// Catalogue of approved models: a catalog.toml, or builtin:example (example data).
    #[arg(
        long,
        value_name = "FILE|builtin:example",
        required_unless_present = "check"
    )]
    pub catalog: Option<String>,
    /// Audit policy deciding which cameras are flagged: a built-in name (uk-2022, ndaa-889) or
    /// a policy file.
    #[arg(long, value_name = "NAME|FILE")]
    pub policy: Option<String>,
    /// Rollout waves (rollout.toml).
    #[arg(long, value_name = "FILE")]
    pub rollout: Option<PathBuf>,
    /// Stock limits (stock.toml): only the models it lists are available.
    #[arg(long, value_name = "FILE")]
    pub stock: Option<PathBuf>,
    /// Check PLAN against the inventory instead of planning; exit 2 when it drifted.
    #[arg(long, value_name = "PLAN", conflicts_with_all = ["catalog", "rollout", "stock"])]
    pub check: Option<PathBuf>,
    /// Prefer this vendor over any price difference.
    #[arg(long, value_name = "VENDOR")]
    pub prefer_vendor: Option<String>,
    /// Switch H.264 streams to H.265 where the new model offers it.
    #[arg(long)]
    pub prefer_h265: bool,
    /// Bitrate factor H.264 → H.265 (a planning estimate; re-measure after cut-over).
    #[arg(long, value_name = "FACTOR", default_value_t = 0.7)]
    pub h265_factor: f64,
    /// How far (percent of pixels) a replacement's resolution may fall short of the one in use.
    #[arg(long, value_name = "PERCENT", default_value_t = 10.0)]
    pub resolution_tolerance: f64,
    /// Name cameras whose old hostname is a factory default (IPCamera, IPC, a serial):
    /// `{site}` and `{location}` from their location scopes, `{n}` counts, e.g.
    /// "{site}-{location}-{n}". Without it such hostnames are kept, with a warning.
    #[arg(long, value_name = "TEMPLATE")]
    pub hostname_template: Option<String>,
    /// Require an audio input wherever a profile streams audio, even when nothing records it
    /// (by default unrecorded audio is only a preference).
    #[arg(long)]
    pub keep_audio: bool,
    /// A preset aimed by hand on the new camera, in its own degrees: fixes the pan offset
    /// between old and new for that camera's other presets. Repeatable, one per camera.
    #[arg(long, value_name = "OLD_ID:PRESET=PAN,TILT")]
    pub anchor: Vec<String>,
}

/// Where flags come from: the audit, given the snapshots and the `--policy` argument.
pub type FlagSource<'a> =
    &'a dyn Fn(&[DeviceSnapshot], Option<&str>) -> Result<BTreeMap<String, Flag>, CliError>;

/// Runs `camswap plan`.
pub fn run(args: Args, g: &Global) -> Result<Outcome, CliError> {
    run_with(args, g, &audit_flags)
}

/// Which devices the audit flags under `--policy` (default: every built-in policy), and why.
/// Only covered and white-label verdicts become flags; unknown devices are left alone here
/// (the audit report lists them for a human to look at).
fn audit_flags(
    snapshots: &[DeviceSnapshot],
    policy: Option<&str>,
) -> Result<BTreeMap<String, Flag>, CliError> {
    let policies = match policy {
        Some(p) => vec![Policy::resolve(p).map_err(CliError::input)?],
        None => Policy::builtins(),
    };
    let report = audit::audit(snapshots, &policies, &OuiTable::builtin());
    Ok(report
        .flagged()
        .into_iter()
        .map(|v| {
            let verdict = match v.verdict {
                Verdict::WhiteLabel => "white-label",
                _ => "covered",
            };
            (
                v.id.clone(),
                Flag {
                    verdict: verdict.to_owned(),
                    company: v.company_name.clone().or_else(|| v.company.clone()),
                    confidence: v.confidence,
                },
            )
        })
        .collect())
}

#[derive(Deserialize)]
struct InventoryFile {
    #[serde(default)]
    devices: Vec<DeviceSnapshot>,
}

fn read_inventory(path: &Path) -> Result<(Vec<DeviceSnapshot>, InputFile), CliError> {
    let bytes = std::fs::read(path).map_err(|source| {
        CliError::input(files::FileError::Read {
            path: path.to_owned(),
            source,
        })
    })?;
    let inv: InventoryFile =
        files::parse_json(path, &bytes, "camswap.inventory", 1).map_err(CliError::input)?;
    crate::inventory::verify_digests(path, &inv.devices).map_err(CliError::input)?;
    Ok((
        inv.devices,
        InputFile::hashed(path.display().to_string(), &bytes),
    ))
}

fn options(args: &Args) -> Result<PlanOptions, CliError> {
    if !(args.h265_factor.is_finite() && args.h265_factor > 0.0 && args.h265_factor <= 2.0) {
        return Err(CliError::input(format!(
            "--h265-factor must be between 0 and 2, found {}",
            args.h265_factor
        )));
    }
    if !(0.0..100.0).contains(&args.resolution_tolerance) {
        return Err(CliError::input(format!(
            "--resolution-tolerance is a percentage below 100, found {}",
            args.resolution_tolerance
        )));
    }
    let anchors = args
        .anchor
        .iter()
        .map(|a| crate::planner::Anchor::parse(a))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CliError::input(format!("--anchor {e}")))?;
    if let Some(t) = &args.hostname_template {
        crate::planner::network::check_hostname_template(t)
            .map_err(|e| CliError::input(format!("--hostname-template: {e}")))?;
    }
    Ok(PlanOptions {
        h265_bitrate_factor: args.h265_factor,
        prefer_h265: args.prefer_h265,
        preferred_vendor: args.prefer_vendor.clone(),
        resolution_tolerance: args.resolution_tolerance / 100.0,
        hostname_template: args.hostname_template.clone(),
        keep_audio: args.keep_audio,
        anchors,
    })
}

fn policy_input(policy: Option<&str>) -> Result<Option<InputFile>, CliError> {
    let Some(p) = policy else { return Ok(None) };
    let path = Path::new(p);
    if path.is_file() {
        let bytes = std::fs::read(path).map_err(|source| {
            CliError::input(files::FileError::Read {
                path: path.to_owned(),
                source,
            })
        })?;
        Ok(Some(InputFile::hashed(p, &bytes)))
    } else {
        Ok(Some(InputFile {
            name: format!("builtin:{p}"),
            sha256: None,
        }))
    }
}

fn color(g: &Global) -> bool {
    super::colour(g.output.is_none() && std::io::stdout().is_terminal())
}

/// `camswap plan` with the flag source injected (tests use a stand-in for the audit).
pub fn run_with(args: Args, g: &Global, flags: FlagSource<'_>) -> Result<Outcome, CliError> {
    if let Some(plan_path) = &args.check {
        return check_plan(plan_path, &args.inventory, g);
    }
    let opts = options(&args)?;
    let (snapshots, inventory) = read_inventory(&args.inventory)?;
    let spec = args
        .catalog
        .as_deref()
        .unwrap_or(crate::planner::catalog::BUILTIN_EXAMPLE);
    let (catalog, catalog_input) = load_catalog(spec).map_err(CliError::input)?;
    let (stock, stock_input) = match &args.stock {
        Some(p) => {
            let (s, i) = load_stock(p, &catalog).map_err(CliError::input)?;
            (Some(s), Some(i))
        }
        None => (None, None),
    };
    let (rollout, rollout_input) = match &args.rollout {
        Some(p) => {
            let (r, i) = load_rollout(p).map_err(CliError::input)?;
            (Some(r), Some(i))
        }
        None => (None, None),
    };
    let flagged = flags(&snapshots, args.policy.as_deref())?;
    let input = PlanInput {
        snapshots: &snapshots,
        flagged: &flagged,
        catalog: &catalog,
        stock: stock.as_ref(),
        rollout: rollout.as_ref(),
        options: &opts,
        inputs: Inputs {
            inventory: Some(inventory),
            catalog: Some(catalog_input),
            stock: stock_input,
            rollout: rollout_input,
            policy: policy_input(args.policy.as_deref())?,
        },
        sha256_checked: true,
        threads: 0,
    };
    let written = match (g.format_or_default(), &g.output) {
        // Streamed to the file camera by camera, each translated, written and dropped (the
        // same bytes as `to_json`): a 100,000-camera plan is hundreds of MiB that never need to
        // sit in memory, as data or as text.
        (Format::Json, Some(out)) => write_plan(out, &input)?,
        (Format::Json, None) => {
            let p = plan(&input);
            emit(g, &p.to_json())?;
            summary(&p)
        }
        (Format::Table, _) => {
            let p = plan(&input);
            emit(g, &render::dry_run(&p, color(g)))?;
            summary(&p)
        }
        (other, _) => {
            return Err(CliError::input(format!(
                "camswap plan writes table or json, not {other:?}"
            )));
        }
    };
    if !g.quiet {
        // A rollout selector that misses a camera is a mistake to see now, not after apply.
        for w in written
            .warnings
            .iter()
            .filter(|w| w.contains(crate::planner::rollout::UNSELECTED_WARNING))
        {
            eprintln!("warning: {w}");
        }
        if let Some(out) = &g.output {
            eprintln!(
                "wrote {}: {} flagged cameras, {} to replace, {} without a replacement; {}",
                out.display(),
                written.cameras,
                written.replaced,
                written.cameras - written.replaced,
                written.fingerprint
            );
        }
    }
    Ok(Outcome::Success)
}

fn summary(p: &Plan) -> Written {
    Written {
        fingerprint: p.fingerprint.clone(),
        cameras: p.cameras.len(),
        replaced: p.replaced().count(),
        warnings: p.warnings.clone(),
    }
}

/// Writes plan.json to `out` atomically. A file (the temporary one renamed over `out`) gets the
/// plan streamed camera by camera, its fingerprint filled in at the end; a device or pipe,
/// which cannot be sought back into, gets the plan made in memory first.
fn write_plan(out: &Path, input: &PlanInput<'_>) -> Result<Written, CliError> {
    let mut written = None;
    files::write_atomic_to(out, |sink| {
        written = Some(match sink {
            Sink::File(w) => {
                let (header, cameras) = crate::planner::stream(input);
                write_streamed(&header, cameras, w)?
            }
            Sink::Stream(w) => {
                let p = plan(input);
                serde_json::to_writer_pretty(&mut *w, &p).map_err(std::io::Error::from)?;
                w.write_all(b"\n")?;
                summary(&p)
            }
        });
        Ok(())
    })
    .map_err(CliError::runtime)?;
    Ok(written.expect("written once the file is"))
}

fn check_plan(plan_path: &Path, inventory: &Path, g: &Global) -> Result<Outcome, CliError> {
    let p: Plan =
        files::read_json(plan_path, PLAN_FORMAT, PLAN_VERSION).map_err(CliError::input)?;
    p.check_fingerprint()
        .map_err(|e| CliError::input(format!("{}: {e}", plan_path.display())))?;
    let (snapshots, inv) = read_inventory(inventory)?;
    let report = check::check(&p, inv.sha256.as_deref().unwrap_or_default(), &snapshots);
    let text = match g.format_or_default() {
        Format::Json => documents::to_json(&documents::PlanCheck {
            format: documents::PLAN_CHECK_FORMAT,
            version: 1,
            plan: p.fingerprint.clone(),
            report: report.clone(),
        }),
        _ => crate::text::clean_lines(&report.render()),
    };
    emit(g, &text)?;
    if report.has_drift() {
        let ids: Vec<&str> = report.drifted.iter().map(|d| d.id.as_str()).collect();
        return Err(CliError::input(format!(
            "{} has drifted from {}: {}",
            inventory.display(),
            plan_path.display(),
            ids.join(", ")
        )));
    }
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::testdata;

    fn flags(
        s: &[DeviceSnapshot],
        _policy: Option<&str>,
    ) -> Result<BTreeMap<String, Flag>, CliError> {
        Ok(testdata::flags_for(s))
    }

    fn global(output: Option<PathBuf>, format: Format) -> Global {
        Global {
            format: Some(format),
            output,
            verbose: 0,
            quiet: true,
            no_progress: true,
        }
    }

    fn args(inventory: &Path) -> Args {
        Args {
            inventory: inventory.to_owned(),
            catalog: Some("builtin:example".into()),
            policy: Some("uk-2022".into()),
            rollout: None,
            stock: None,
            check: None,
            prefer_vendor: None,
            prefer_h265: false,
            h265_factor: 0.7,
            resolution_tolerance: 10.0,
            hostname_template: None,
            keep_audio: false,
            anchor: Vec::new(),
            format: None,
        }
    }

    fn write_inventory(path: &Path, devices: &[DeviceSnapshot]) {
        let doc = serde_json::json!({
            "format": "camswap.inventory",
            "version": 1,
            "taken_at": "2026-01-01T00:00:00Z",
            "devices": devices,
        });
        std::fs::write(path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    }

    #[test]
    fn plan_file_is_written_then_checked_then_drift_exits_2() {
        let dir = tempfile::tempdir().unwrap();
        let inv = dir.path().join("inventory.json");
        let out = dir.path().join("plan.json");
        let mut fleet = testdata::fleet();
        write_inventory(&inv, &fleet);
        let outcome =
            run_with(args(&inv), &global(Some(out.clone()), Format::Json), &flags).unwrap();
        assert_eq!(outcome, Outcome::Success);
        let p: Plan = files::read_json(&out, PLAN_FORMAT, PLAN_VERSION).unwrap();
        p.check_fingerprint().unwrap();
        assert_eq!(p.cameras.len(), 6);
        assert_eq!(p.inputs.catalog.as_ref().unwrap().name, "builtin:example");
        assert_eq!(p.inputs.policy.as_ref().unwrap().name, "builtin:uk-2022");

        let check = |inv: &Path| {
            let mut a = args(inv);
            a.catalog = None;
            a.check = Some(out.clone());
            let report = dir.path().join("report.txt");
            let r = run_with(a, &global(Some(report.clone()), Format::Table), &flags);
            (r, std::fs::read_to_string(report).unwrap_or_default())
        };
        let (r, text) = check(&inv);
        assert_eq!(r.unwrap(), Outcome::Success, "{text}");
        assert!(text.contains("6 planned devices unchanged"), "{text}");

        // The device changed and was read again (the reader seals what it read).
        fleet[2].network.hostname.as_mut().unwrap().name = Some("renamed".into());
        fleet[2].seal();
        write_inventory(&inv, &fleet);
        let (r, text) = check(&inv);
        let e = r.unwrap_err();
        assert_eq!(e.code(), 2);
        assert!(e.to_string().contains(&fleet[2].id), "{e}");
        assert!(
            text.contains(&format!("drifted: {}", fleet[2].id)),
            "{text}"
        );

        // An edited plan is refused before any comparison.
        let edited = std::fs::read_to_string(&out)
            .unwrap()
            .replace("10.20.0.11", "10.20.0.99");
        std::fs::write(&out, edited).unwrap();
        let e = check(&inv).0.unwrap_err();
        assert_eq!(e.code(), 2);
        assert!(e.to_string().contains("changed after it was made"), "{e}");
    }

    /// `-o` onto a FIFO (a script reading the plan) cannot be sought back into: the plan is
    /// made in memory and written through, the same bytes as the file streamed camera by
    /// camera, and the FIFO stays a FIFO.
    #[test]
    fn plan_to_a_fifo_is_the_same_bytes_as_the_streamed_file() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let inv = dir.path().join("inventory.json");
        write_inventory(&inv, &testdata::fleet());
        let file = dir.path().join("plan.json");
        run_with(
            args(&inv),
            &global(Some(file.clone()), Format::Json),
            &flags,
        )
        .unwrap();
        let fifo = dir.path().join("pipe");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        run_with(
            args(&inv),
            &global(Some(fifo.clone()), Format::Json),
            &flags,
        )
        .unwrap();
        assert!(fifo.symlink_metadata().unwrap().file_type().is_fifo());
        let through = reader.join().unwrap();
        assert_eq!(through, std::fs::read(&file).unwrap());
        let p: Plan = serde_json::from_slice(&through).unwrap();
        p.check_fingerprint().unwrap();
    }

    #[test]
    fn bad_inputs_are_input_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let inv = dir.path().join("inventory.json");
        write_inventory(&inv, &testdata::fleet());
        let cat = dir.path().join("catalog.toml");
        std::fs::write(&cat, "[[model]]\nvendor = \"Axis\"\nmodel = \"X\"\nform_factor = \"dome\"\nmax_resolution = \"big\"\nmax_fps = 30\ncodecs = [\"H264\"]\n").unwrap();
        let mut a = args(&inv);
        a.catalog = Some(cat.display().to_string());
        let e = run_with(a, &global(None, Format::Json), &flags).unwrap_err();
        assert_eq!(e.code(), 2);
        let msg = e.to_string();
        assert!(
            msg.contains("catalog.toml: line 5, field max_resolution"),
            "{msg}"
        );

        let stock = dir.path().join("stock.toml");
        std::fs::write(&stock, "[[stock]]\nmodel = \"Nope\"\nunits = 1\n").unwrap();
        let mut a = args(&inv);
        a.stock = Some(stock);
        let e = run_with(a, &global(None, Format::Json), &flags).unwrap_err();
        assert!(
            e.to_string().contains("stock.toml: line 2, field model"),
            "{e}"
        );

        let mut a = args(&dir.path().join("missing.json"));
        a.catalog = Some("builtin:nope".into());
        assert_eq!(
            run_with(a, &global(None, Format::Json), &flags)
                .unwrap_err()
                .code(),
            2
        );

        // The real audit decides the flags: the same inventory plans end to end.
        let out = dir.path().join("plan.json");
        let mut g = global(None, Format::Json);
        g.output = Some(out.clone());
        assert_eq!(run(args(&inv), &g).unwrap(), Outcome::Success);
        let plan: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        assert!(plan["cameras"].as_array().is_some_and(|c| !c.is_empty()));
    }
}
