//! Running the `camswap` binary as a user would: no inherited log filter, no colour.

use std::path::Path;
use std::process::{Command, Output};

/// `camswap` with a clean environment for its output (`CAMSWAP_LOG` unset, `NO_COLOR`).
pub fn camswap() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_camswap"));
    c.env_remove("CAMSWAP_LOG").env("NO_COLOR", "1");
    c
}

/// Runs `camswap ARGS` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    camswap()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("camswap runs")
}

/// Runs a command off the async test's runtime thread, which must keep serving the mock
/// devices the command talks to.
pub async fn output(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("camswap runs"))
        .await
        .expect("the command's thread finishes")
}

/// [`camswap`] for `tokio::process`, for tests that await the command.
pub fn camswap_async() -> tokio::process::Command {
    tokio::process::Command::from(camswap())
}
