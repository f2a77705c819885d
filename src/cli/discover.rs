//! `camswap discover`.

use super::{CliError, Global, Outcome};

/// Arguments of `camswap discover`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `camswap discover`.
pub async fn run(_args: Args, _g: &Global) -> Result<Outcome, CliError> {
    Err(CliError::input("camswap discover is not built yet"))
}
