//! The command line: clap definitions, one handler per command, and the single place where an
//! error becomes a message on stderr and an exit code.
//!
//! Exit codes (SPEC.md): 0 success · 1 runtime error · 2 usage or input error · 3 verification
//! found differences · 6 partial (some devices failed) · 10 audit flagged devices.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

pub mod apply;
pub mod audit;
pub mod discover;
pub mod documents;
pub mod inventory;
pub mod output;
pub mod plan;
pub mod progress;
pub mod reference;

/// A successful run's outcome, mapped to the documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: everything worked.
    Success,
    /// 3: verification found differences.
    Drift,
    /// 6: some devices failed, others succeeded.
    Partial,
    /// 10: the audit flagged devices.
    Flagged,
}

impl Outcome {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Drift => 3,
            Self::Partial => 6,
            Self::Flagged => 10,
        }
    }
}

/// Why a command failed: the library's error as it is (its message and its `source` chain,
/// which [`chain`] prints), classed for the exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad arguments or a bad input file (exit 2).
    #[error(transparent)]
    Input(Box<dyn std::error::Error + Send + Sync>),
    /// Something failed while running (exit 1).
    #[error(transparent)]
    Runtime(Box<dyn std::error::Error + Send + Sync>),
}

impl CliError {
    /// An input error from anything printable.
    pub fn input(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Input(e.into())
    }

    /// A runtime error from anything printable.
    pub fn runtime(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Runtime(e.into())
    }

    /// The process exit code.
    pub fn code(&self) -> u8 {
        match self {
            Self::Input(_) => 2,
            Self::Runtime(_) => 1,
        }
    }
}

/// An output format, whichever command asked for it; each command's `--format` offers only
/// its own ([`TableOrJson`], [`audit::AuditFormat`], [`apply::HandoffFormat`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human-readable table.
    Table,
    /// JSON.
    Json,
    /// Comma-separated values.
    Csv,
    /// One self-contained HTML page.
    Html,
}

/// `--format` of the commands that print a table or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableOrJson {
    /// Human-readable table.
    Table,
    /// JSON (schema in tests/schemas/).
    Json,
}

impl From<TableOrJson> for Format {
    fn from(f: TableOrJson) -> Self {
        match f {
            TableOrJson::Table => Self::Table,
            TableOrJson::Json => Self::Json,
        }
    }
}

/// Options every command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Global {
    /// The command's `--format` (each command declares its own, with only the formats it
    /// writes).
    #[arg(skip)]
    pub format: Option<Format>,
    /// Write the result to FILE (atomically; devices and pipes are written through) instead of
    /// stdout; `-` is stdout.
    #[arg(short = 'o', long = "output", global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// More detail on stderr (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Never draw progress bars.
    #[arg(long, global = true)]
    pub no_progress: bool,
}

impl Global {
    /// The format asked for, or table on a terminal and json otherwise.
    pub fn format_or_default(&self) -> Format {
        self.format.unwrap_or_else(|| {
            if self.output.is_none() && std::io::stdout().is_terminal() {
                Format::Table
            } else {
                Format::Json
            }
        })
    }

    /// Whether progress may be drawn (stderr is a terminal and nobody said otherwise).
    pub fn progress(&self) -> bool {
        !self.no_progress && !self.quiet && std::io::stderr().is_terminal()
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "camswap",
    version,
    about = "Find banned IP cameras over ONVIF, plan approved replacements and carry their settings over"
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Find ONVIF devices with WS-Discovery (multicast, directed, or a unicast sweep).
    Discover(discover::Args),
    /// Read everything a migration needs from each device.
    Inventory(inventory::Args),
    /// Flag banned hardware with evidence.
    Audit(audit::Args),
    /// Plan replacements and the settings to carry over (the dry run).
    Plan(plan::Args),
    /// Carry the plan onto the new cameras (or print the operations with --dry-run).
    Apply(apply::ApplyArgs),
    /// Read the applied cameras and compare every planned value; exit 3 on differences.
    Verify(apply::VerifyArgs),
    /// Per camera: done, failed (why) or pending, from the journal.
    Status(apply::StatusArgs),
    /// The VMS handoff: new addresses, stream URIs, preset tokens (CSV or JSON).
    Handoff(apply::HandoffArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(reference::CompletionsArgs),
    /// Print the man page (roff), every subcommand included.
    Man,
}

impl Command {
    /// The `--format` given to this command.
    fn format(&self) -> Option<Format> {
        match self {
            Self::Discover(a) => a.format.map(Into::into),
            Self::Inventory(a) => a.format.map(Into::into),
            Self::Audit(a) => a.format.map(Into::into),
            Self::Plan(a) => a.format.map(Into::into),
            Self::Apply(a) => a.format.map(Into::into),
            Self::Verify(a) => a.format.map(Into::into),
            Self::Status(a) => a.format.map(Into::into),
            Self::Handoff(a) => a.format.map(Into::into),
            Self::Completions(_) | Self::Man => None,
        }
    }
}

/// The clap definition of the whole command line, for completions and the man page.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// Parses the command line, runs the command, and turns the result into an exit code.
pub fn main() -> ExitCode {
    let mut cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // `-o -` is stdout, as for every Unix tool; a file named "-" is `-o ./-`.
    if cli.global.output.as_deref() == Some(std::path::Path::new("-")) {
        cli.global.output = None;
    }
    cli.global.format = cli.command.format();
    if cli.global.output.is_none() {
        if let Some((terminal_size::Width(w), _)) =
            terminal_size::terminal_size_of(std::io::stdout())
        {
            crate::text::fit_tables_to(w);
        }
    }
    init_logging(&cli.global);
    let result = match cli.command {
        Command::Discover(a) => runtime().block_on(discover::run(a, &cli.global)),
        Command::Inventory(a) => runtime().block_on(inventory::run(a, &cli.global)),
        Command::Audit(a) => audit::run(a, &cli.global),
        Command::Plan(a) => plan::run(a, &cli.global),
        Command::Apply(a) => runtime().block_on(apply::run_apply(a, &cli.global)),
        Command::Verify(a) => runtime().block_on(apply::run_verify(a, &cli.global)),
        Command::Status(a) => apply::run_status(a, &cli.global),
        Command::Handoff(a) => runtime().block_on(apply::run_handoff(a, &cli.global)),
        Command::Completions(a) => reference::run_completions(&a, &cli.global),
        Command::Man => reference::run_man(&cli.global),
    };
    match result {
        Ok(outcome) => ExitCode::from(outcome.code()),
        Err(e) => {
            report(&e);
            ExitCode::from(e.code())
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the tokio runtime starts")
}

/// Prints an error and its causes on stderr.
fn report(e: &CliError) {
    // Messages quote devices (names, fault reasons): shown, never run by the terminal.
    // Secrets are redacted from whatever a device or a URL put in the message.
    eprintln!(
        "{}",
        crate::text::clean_lines(&crate::model::redact_text(&chain(e)))
    );
}

/// An error and every cause below it, each once: `error: ...` then one `  caused by: ...`
/// line per `source`. Every camswap error either shows its cause in its own message or
/// exposes it as `source`, never both, so walking the chain repeats nothing.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut msg = format!("error: {e}");
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(&format!("\n  caused by: {s}"));
        source = s.source();
    }
    msg
}

/// One log event on its way to stderr: collected, then written with every URI credential and
/// credential parameter redacted ([`crate::model::redact_text`]), whichever crate logged it.
struct RedactedStderr(Vec<u8>);

impl std::io::Write for RedactedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for RedactedStderr {
    fn drop(&mut self) {
        if self.0.is_empty() {
            return;
        }
        let text = crate::model::redact_text(&String::from_utf8_lossy(&self.0));
        let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), text.as_bytes());
    }
}

/// Whether colour may be written to a stream: only to a terminal, and not when `NO_COLOR` is
/// set to anything but the empty string (no-color.org).
pub fn colour(terminal: bool) -> bool {
    terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn init_logging(g: &Global) {
    use tracing_subscriber::EnvFilter;
    let default = match (g.quiet, g.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_env("CAMSWAP_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| RedactedStderr(Vec::new()))
        .with_ansi(colour(std::io::stderr().is_terminal()))
        .with_target(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_error_prints_its_whole_chain_once() {
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        let expected_cause = missing.to_string();
        let e = CliError::input(crate::files::FileError::Read {
            path: "site/inventory.json".into(),
            source: missing,
        });
        assert_eq!(e.code(), 2);
        assert_eq!(
            chain(&e),
            format!("error: cannot read site/inventory.json\n  caused by: {expected_cause}")
        );
    }

    #[test]
    fn a_message_only_error_is_one_line() {
        let e = CliError::runtime("no device answered");
        assert_eq!(e.code(), 1);
        assert_eq!(chain(&e), "error: no device answered");
    }
}
