//! `camswap audit`.

use super::{CliError, Global, Outcome};

/// Arguments of `camswap audit`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `camswap audit`.
pub fn run(_args: Args, _g: &Global) -> Result<Outcome, CliError> {
    Err(CliError::input("camswap audit is not built yet"))
}
