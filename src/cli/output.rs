//! Where results go: stdout, or a file written atomically with `-o`; and how device-supplied
//! text is shown to a person without letting it drive their terminal.

use std::io::IsTerminal;

use super::{CliError, Format, Global};
use crate::files;

/// Writes `text` to `-o FILE` (atomically) or to stdout. A table shown on the terminal that
/// also shows the messages is set off from them by a blank line, so no message reads as one of
/// its rows.
pub fn emit(g: &Global, text: &str) -> Result<(), CliError> {
    match &g.output {
        Some(path) => files::write_atomic(path, text.as_bytes()).map_err(CliError::runtime),
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            if g.format_or_default() == Format::Table
                && !g.quiet
                && out.is_terminal()
                && std::io::stderr().is_terminal()
            {
                let _ = out.write_all(b"\n");
            }
            // A closed pipe (`| head`) is not an error worth a message.
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::runtime(e)),
                _ => Ok(()),
            }
        }
    }
}
