//! `camswap audit`: flags banned and white-label hardware in an inventory, with evidence.

use std::path::PathBuf;

use super::output::emit;
use super::{CliError, Format, Global, Outcome};
use crate::audit::{self, OuiTable, Policy, Verdict, report};
use crate::inventory::Inventory;

/// Arguments of `camswap audit`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format (default: table on a terminal, json otherwise; JSON schema:
    /// tests/schemas/camswap.audit.v2.schema.json).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<AuditFormat>,
    /// The inventory to audit (`inventory.json` from `camswap inventory`).
    #[arg(value_name = "INVENTORY")]
    pub inventory: PathBuf,
    /// A built-in policy (uk-2022, ndaa-889) or a policy file; repeat to apply several.
    /// Default: every built-in policy.
    #[arg(long = "policy", value_name = "NAME|FILE")]
    pub policies: Vec<String>,
    /// An IEEE registry CSV (e.g. /usr/share/ieee-data/oui.csv, mam.csv, oui36.csv) to name
    /// every vendor's MAC prefix; repeat for several files.
    #[arg(long = "oui-registry", value_name = "FILE")]
    pub oui_registry: Vec<PathBuf>,
    /// Exit 0 rather than 10 when the only devices needing attention are unknown (nothing
    /// identifying could be read from them).
    #[arg(long)]
    pub allow_unknown: bool,
}

/// `--format` of `camswap audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    /// Human-readable table.
    Table,
    /// JSON.
    Json,
    /// Comma-separated values, one row per device.
    Csv,
    /// One self-contained HTML page for a security manager.
    Html,
}

impl From<AuditFormat> for Format {
    fn from(f: AuditFormat) -> Self {
        match f {
            AuditFormat::Table => Self::Table,
            AuditFormat::Json => Self::Json,
            AuditFormat::Csv => Self::Csv,
            AuditFormat::Html => Self::Html,
        }
    }
}

/// Runs `camswap audit`: exit 10 when any device is covered, white label, review or unknown
/// (unknown relaxed by `--allow-unknown`), 0 otherwise, 2 for bad input files.
pub fn run(args: Args, g: &Global) -> Result<Outcome, CliError> {
    let inventory = Inventory::load(&args.inventory).map_err(CliError::input)?;
    let policies = if args.policies.is_empty() {
        Policy::builtins()
    } else {
        args.policies
            .iter()
            .map(|p| Policy::resolve(p))
            .collect::<Result<Vec<_>, _>>()
            .map_err(CliError::input)?
    };
    let mut oui = OuiTable::builtin();
    for f in &args.oui_registry {
        let n = oui.load_csv(f).map_err(CliError::input)?;
        tracing::info!("{}: {n} assignments", f.display());
    }
    let mut report = audit::audit(&inventory.devices, &policies, &oui);
    report.inventory_taken_at = inventory.taken_at.clone();
    let text = match g.format_or_default() {
        Format::Table => report::table(&report),
        Format::Json => report::json(&report),
        Format::Csv => report::csv(&report),
        Format::Html => report::html(&report),
    };
    emit(g, &text)?;
    let s = &report.summary;
    if !g.quiet && g.output.is_some() {
        let counts: Vec<String> = Verdict::ALL
            .iter()
            .map(|v| format!("{} {}", s.count(*v), v.label().to_lowercase()))
            .collect();
        eprintln!("{} devices: {}", s.devices, counts.join(", "));
    }
    Ok(if s.needing_attention(args.allow_unknown) > 0 {
        Outcome::Flagged
    } else {
        Outcome::Success
    })
}
