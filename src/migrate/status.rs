//! `camswap status`: per camera, what the journal says is done, failed (and why) or pending,
//! and the dry-run listing of the exact operations apply sends.

use std::collections::BTreeMap;

use serde::Serialize;

use super::journal::{Contents, Status};
use super::lower::{self, Tokens};
use crate::planner::plan::CameraPlan;

/// One camera's state.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CameraStatus {
    /// Old camera id.
    pub camera: String,
    /// Wave, when the plan is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wave: Option<String>,
    /// `done`, `failed`, `in_progress` or `pending`.
    pub state: &'static str,
    /// Steps completed.
    pub steps_done: usize,
    /// Steps planned, when the plan is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<usize>,
    /// The last failure, when the camera is not done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// Where the new camera was last seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xaddr: Option<String>,
}

/// States of every camera in the journal, and of every planned camera when `plan` is given.
pub fn status(journal: &Contents, plan: Option<&[CameraPlan]>) -> Vec<CameraStatus> {
    let mut out: BTreeMap<String, CameraStatus> = BTreeMap::new();
    if let Some(cams) = plan {
        for c in cams.iter().filter(|c| c.replacement.is_some()) {
            out.insert(
                c.old.id.clone(),
                CameraStatus {
                    camera: c.old.id.clone(),
                    wave: c.wave.clone(),
                    state: "pending",
                    steps_done: 0,
                    steps: Some(c.steps.len()),
                    failure: None,
                    xaddr: None,
                },
            );
        }
    }
    for r in &journal.records {
        let s = out.entry(r.camera.clone()).or_insert_with(|| CameraStatus {
            camera: r.camera.clone(),
            wave: None,
            state: "pending",
            steps_done: 0,
            steps: None,
            failure: None,
            xaddr: None,
        });
        if r.xaddr.is_some() {
            s.xaddr.clone_from(&r.xaddr);
        }
        match r.status {
            Status::Done | Status::Adapted => {
                s.steps_done += 1;
                s.state = "in_progress";
                s.failure = None;
            }
            Status::Failed => {
                s.state = "failed";
                s.failure.clone_from(&r.detail);
            }
            Status::Finished => {
                s.state = "done";
                s.failure = None;
            }
            Status::Bound | Status::Onboarded => {
                if s.state == "pending" {
                    s.state = "in_progress";
                }
            }
        }
    }
    out.into_values().collect()
}

/// The dry run: per camera, every step and the exact operations apply would send, with
/// tokens known from the journal filled in and completed steps marked.
pub fn dry_run(cameras: &[&CameraPlan], journal: &Contents) -> Result<String, lower::LowerError> {
    let mut out = String::new();
    for c in cameras {
        let Some(r) = &c.replacement else { continue };
        let tokens: Tokens = journal.tokens(&c.old.id);
        out.push_str(&format!(
            "camera {} ({} {} at {}) → {} {}\n",
            c.old.id,
            c.old.manufacturer.as_deref().unwrap_or("?"),
            c.old.model.as_deref().unwrap_or("?"),
            c.old.address.as_deref().unwrap_or(&c.old.xaddr),
            r.vendor,
            r.model
        ));
        out.push_str(
            "  bind: identity read without credentials (GetSystemDateAndTime, GetDeviceInformation, GetUsers); a factory-default unit gets the [new] administrator (device.CreateUsers)\n",
        );
        for l in lower::lower(c)? {
            let done = if journal.is_done(&c.old.id, l.index) {
                " (done)"
            } else {
                ""
            };
            out.push_str(&format!("  [{}] {}{done}\n", l.index, l.kind));
            for op in &l.ops {
                out.push_str(&format!("      {}\n", op.describe(&tokens)));
            }
        }
    }
    Ok(out)
}
