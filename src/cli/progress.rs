//! Progress bars on stderr: a bar with the count, the rate and the time left, drawn only when
//! stderr is a terminal (and neither `--quiet` nor `--no-progress` was given), so pipes, logs
//! and tests never see one.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Global;

/// A bar over a known number of items, or nothing when progress is not shown.
#[derive(Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar of `total` items labelled `what` (e.g. "reading devices"), when `g` allows one.
    pub fn new(g: &Global, total: usize, what: &str) -> Self {
        if !g.progress() || total == 0 {
            return Self { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{msg} [{bar:30}] {pos}/{len} ({per_sec}, {eta} left) {elapsed}",
            )
            .expect("the template is valid")
            .progress_chars("=> "),
        );
        bar.set_message(what.to_owned());
        // Redrawn while nothing finishes, so the rate and time left stay current.
        bar.enable_steady_tick(Duration::from_millis(200));
        Self { bar: Some(bar) }
    }

    /// `done` items are finished.
    pub fn set(&self, done: usize) {
        if let Some(b) = &self.bar {
            b.set_position(done as u64);
        }
    }

    /// Removes the bar, so what follows on stderr starts on a clean line.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
