//! `camswap completions SHELL` and `camswap man`: the shell completion scripts and the man
//! page, generated from the clap definitions so they never disagree with what the binary
//! accepts.

use clap_complete::Shell;

use super::output::emit;
use super::{CliError, Global, Outcome};

/// Arguments of `camswap completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell: bash (source it, or put it in /etc/bash_completion.d/camswap), zsh (as
    /// `_camswap` on $fpath), fish (~/.config/fish/completions/camswap.fish), elvish,
    /// powershell.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

/// The completion script for `shell`.
pub fn completions(shell: Shell) -> String {
    let mut cmd = super::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "camswap", &mut out);
    String::from_utf8(out).expect("clap_complete writes UTF-8")
}

/// The man page (roff): the top-level page (NAME, SYNOPSIS, DESCRIPTION, OPTIONS,
/// SUBCOMMANDS, VERSION), then one section per subcommand with its synopsis and options.
pub fn man_page() -> String {
    let mut cmd = super::command();
    // Gives every subcommand its full name ("camswap discover") for its synopsis.
    cmd.build();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut out)
        .expect("rendering into memory cannot fail");
    // The subcommands are sections of this page, not pages of their own.
    let mut out = String::from_utf8(out).expect("clap_mangen writes UTF-8");
    for sub in cmd.get_subcommands() {
        out = out.replace(
            &format!("camswap\\-{}(1)", sub.get_name()),
            &format!("\\fBcamswap {}\\fR", sub.get_name()),
        );
    }
    let mut out = out.into_bytes();
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = sub
            .get_bin_name()
            .map_or_else(|| format!("camswap {}", sub.get_name()), str::to_owned);
        out.extend_from_slice(format!(".SH \"{}\"\n", name.to_uppercase()).as_bytes());
        let man = clap_mangen::Man::new(sub.clone());
        let mut section = Vec::new();
        man.render_description_section(&mut section)
            .and_then(|()| man.render_synopsis_section(&mut section))
            .and_then(|()| man.render_options_section(&mut section))
            .expect("rendering into memory cannot fail");
        // The subcommand's sections become subsections of its own section.
        let section = String::from_utf8(section).expect("clap_mangen writes UTF-8");
        for line in section.lines() {
            // Each render repeats the page preamble (the apostrophe string); once is enough.
            if line.starts_with(".ie \\n(.g") || line.starts_with(".el .ds Aq") {
                continue;
            }
            match line.strip_prefix(".SH ") {
                Some(title) => out.extend_from_slice(format!(".SS {title}\n").as_bytes()),
                None => {
                    out.extend_from_slice(line.as_bytes());
                    out.push(b'\n');
                }
            }
        }
    }
    String::from_utf8(out).expect("clap_mangen writes UTF-8")
}

/// Runs `camswap completions SHELL`.
pub fn run_completions(a: &CompletionsArgs, g: &Global) -> Result<Outcome, CliError> {
    emit(g, &completions(a.shell))?;
    Ok(Outcome::Success)
}

/// Runs `camswap man`.
pub fn run_man(g: &Global) -> Result<Outcome, CliError> {
    emit(g, &man_page())?;
    Ok(Outcome::Success)
}
