//! Reading `plan.json` for apply, verify and handoff: the format and version are checked, the
//! fingerprint must match the content (a hand-edited plan is refused), and a plan can be
//! pinned with `--expect-plan`.

use std::path::{Path, PathBuf};

use crate::files::{self, FileError};
use crate::planner::Plan;
use crate::planner::plan::{PLAN_FORMAT, PLAN_VERSION, PlanError};

/// The plan cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    /// Unreadable, not a plan, or too new.
    #[error(transparent)]
    File(#[from] FileError),
    /// Edited after it was made.
    #[error("{path}: {error}")]
    Tampered {
        /// The file.
        path: PathBuf,
        /// The mismatch (shown in the message, so not a `source`).
        error: PlanError,
    },
    /// Not the plan the caller pinned.
    #[error(
        "{path}: plan fingerprint is {actual}, but --expect-plan says {expected}; refusing another plan"
    )]
    Unexpected {
        /// The file.
        path: PathBuf,
        /// What `--expect-plan` said.
        expected: String,
        /// What the plan is.
        actual: String,
    },
}

/// Reads and checks `plan.json`; with `expect`, the fingerprint must equal it.
pub fn load(path: &Path, expect: Option<&str>) -> Result<Plan, PlanFileError> {
    let plan: Plan = files::read_json(path, PLAN_FORMAT, PLAN_VERSION)?;
    plan.check_fingerprint()
        .map_err(|error| PlanFileError::Tampered {
            path: path.to_owned(),
            error,
        })?;
    if let Some(expected) = expect {
        let expected = expected.trim();
        if expected != plan.fingerprint {
            return Err(PlanFileError::Unexpected {
                path: path.to_owned(),
                expected: expected.to_owned(),
                actual: plan.fingerprint.clone(),
            });
        }
    }
    Ok(plan)
}

/// The default journal path: beside the plan, `NAME.journal.jsonl`.
pub fn default_journal(plan: &Path) -> PathBuf {
    let stem = plan
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "plan".into());
    plan.with_file_name(format!("{stem}.journal.jsonl"))
}
