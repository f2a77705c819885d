//! `camswap inventory`.

use super::{CliError, Global, Outcome};

/// Arguments of `camswap inventory`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `camswap inventory`.
pub async fn run(_args: Args, _g: &Global) -> Result<Outcome, CliError> {
    Err(CliError::input("camswap inventory is not built yet"))
}
