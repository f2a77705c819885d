//! `camswap plan`.

use super::{CliError, Global, Outcome};

/// Arguments of `camswap plan`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `camswap plan`.
pub fn run(_args: Args, _g: &Global) -> Result<Outcome, CliError> {
    Err(CliError::input("camswap plan is not built yet"))
}
