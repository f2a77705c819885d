//! Waves at apply time: which cameras a run takes, how many are written at once, when a wave
//! stops, and whether a later wave may start.
//!
//! A plan made with a rollout file (`camswap plan --rollout`) carries, per wave,
//! `max_unavailable` (cameras being written at once), `max_failures` (a count, or a share of
//! the wave rounded down) and an optional `canary`. Apply honours them:
//! - at most `min(max_unavailable, --concurrency)` cameras of the wave are in progress at once;
//! - the first `canary` cameras run on their own; the rest start only when the failures so far
//!   are within the budget;
//! - once the wave's failures in this run exceed its budget, no further camera of the wave is
//!   started (those in progress finish their steps), later waves do not start, and apply exits
//!   6 naming what failed and how to resume;
//! - a wave starts only when every earlier wave is settled in the journal: each of its cameras
//!   finished, or failed within the wave's budget (nothing pending, in progress or over budget),
//!   unless `--force-wave`.
//!
//! A plan made without a rollout file has one wave, `all`, with no limits of its own: apply
//! runs `--concurrency` cameras at once and goes on past failures (`--max-failures` sets a
//! budget), as before waves existed.
//!
//! Re-running resumes: a camera the journal shows finished is skipped, a failed or
//! interrupted one is applied again from its first step not done.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

use super::apply::{self, CameraResult, Run};
use super::journal::Contents;
use super::status::{self, CameraStatus};
use crate::planner::Plan;
use crate::planner::plan::{CameraPlan, Wave};
use crate::planner::rollout::Budget;

/// `CameraResult::status` of a camera a stopped run did not start.
pub const NOT_STARTED: &str = "not_started";

/// A wave cannot be selected or may not start.
#[derive(Debug, thiserror::Error)]
pub enum WaveError {
    /// `--wave` names no wave of the plan.
    #[error("--wave {given}: the plan has no such wave (its waves: {waves})")]
    NoSuchWave {
        /// What was given.
        given: String,
        /// The plan's waves, numbered.
        waves: String,
    },
    /// `--camera` is not in the wave `--wave` selects.
    #[error("--camera {camera} is in wave {camera_wave}, not in wave {wave}")]
    CameraElsewhere {
        /// The camera.
        camera: String,
        /// Its wave.
        camera_wave: String,
        /// The wave selected.
        wave: String,
    },
    /// An earlier wave is not settled.
    #[error("{0}")]
    EarlierNotDone(Box<NotDone>),
}

/// Why a wave may not start: the earlier wave that is not done, and its cameras.
#[derive(Debug)]
pub struct NotDone {
    /// The plan file, as given.
    pub plan: String,
    /// The wave asked for (number and name).
    pub later: String,
    /// The unfinished wave's number (1-based).
    pub number: usize,
    /// Its name.
    pub name: String,
    /// Its counts.
    pub summary: String,
    /// `; failed: id (why), ...` or empty.
    pub failed: String,
    /// `; not finished: id, ...` or empty.
    pub pending: String,
}

impl std::fmt::Display for NotDone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Self {
            plan,
            later,
            number,
            name,
            summary,
            failed,
            pending,
        } = self;
        write!(
            f,
            "wave {later} cannot start: wave {number} `{name}` is not done ({summary}){failed}{pending}; apply it first (camswap apply {plan} --wave {number}), or pass --force-wave to start wave {later} anyway"
        )
    }
}

/// How one wave runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Cameras being written at once (at least 1).
    pub width: usize,
    /// The failure budget; `None` never stops.
    pub budget: Option<Budget>,
    /// Cameras run on their own first.
    pub canary: usize,
}

impl Limits {
    /// The limits of `wave` in `plan`, with `--concurrency` and `--max-failures`.
    pub fn of(plan: &Plan, wave: &Wave, concurrency: usize, max_failures: Option<Budget>) -> Self {
        let concurrency = concurrency.max(1);
        if plan.inputs.rollout.is_none() {
            return Self {
                width: concurrency,
                budget: max_failures,
                canary: 0,
            };
        }
        Self {
            width: (wave.max_unavailable as usize).clamp(1, concurrency),
            budget: Some(max_failures.unwrap_or(wave.max_failures)),
            canary: wave.canary as usize,
        }
    }

    /// The failures allowed in a wave of `n` cameras (`None`: no limit).
    pub fn allowed(&self, n: usize) -> Option<usize> {
        self.budget.map(|b| b.allowed(n))
    }

    /// Whether `failed` failures in a wave of `n` cameras stop it.
    pub fn exceeded(&self, failed: usize, n: usize) -> bool {
        self.allowed(n).is_some_and(|a| failed > a)
    }
}

/// The wave `--wave` names: its 1-based number or its name. Returns the index.
pub fn find(plan: &Plan, given: &str) -> Result<usize, WaveError> {
    if let Some(i) = plan.waves.iter().position(|w| w.name == given) {
        return Ok(i);
    }
    match given.trim().parse::<usize>() {
        Ok(n) if (1..=plan.waves.len()).contains(&n) => Ok(n - 1),
        _ => Err(WaveError::NoSuchWave {
            given: given.to_owned(),
            waves: plan
                .waves
                .iter()
                .enumerate()
                .map(|(i, w)| format!("{} {}", i + 1, w.name))
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// The wave index of camera `id`, when it is in one.
pub fn wave_of(plan: &Plan, id: &str) -> Option<usize> {
    plan.waves
        .iter()
        .position(|w| w.cameras.iter().any(|c| c == id))
}

/// The wave index of every camera in a wave, by id (for lookups over whole plans).
pub fn wave_index(plan: &Plan) -> HashMap<&str, usize> {
    plan.waves
        .iter()
        .enumerate()
        .flat_map(|(i, w)| w.cameras.iter().map(move |c| (c.as_str(), i)))
        .collect()
}

/// One wave as the journal shows it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct WaveStatus {
    /// 1-based number (what `--wave` takes, as does the name).
    pub number: usize,
    /// Name.
    pub name: String,
    /// `done` (every camera finished), `done_with_failures` (every camera tried, failures
    /// within the budget: later waves may start), `stopped` (failures over the budget),
    /// `in_progress` or `pending` (nothing started).
    pub state: &'static str,
    /// Cameras in the wave.
    pub cameras: usize,
    /// Finished.
    pub done: usize,
    /// Failed (last attempt).
    pub failed: usize,
    /// Started, not finished, not failed.
    pub in_progress: usize,
    /// Not started.
    pub pending: usize,
    /// Cameras written at once (the plan's; apply uses at most `--concurrency`).
    pub max_unavailable: u32,
    /// The failure budget as written.
    pub max_failures: Budget,
    /// Failures the budget allows in this wave (absent: no limit, a plan without a rollout
    /// file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_failures: Option<usize>,
    /// Cameras run on their own first.
    #[serde(skip_serializing_if = "is_zero")]
    pub canary: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl WaveStatus {
    /// Whether a later wave may start.
    pub fn settled(&self) -> bool {
        matches!(self.state, "done" | "done_with_failures")
    }

    /// `3 done, 1 failed, 0 in progress, 16 pending`.
    pub fn counts(&self) -> String {
        format!(
            "{} done, {} failed, {} in progress, {} pending",
            self.done, self.failed, self.in_progress, self.pending
        )
    }

    /// `at most 1 failure (5% of 20), 2 at once, canary 1`.
    pub fn budget(&self) -> String {
        let mut s = match self.allowed_failures {
            None => "no failure budget".to_owned(),
            Some(a) => {
                let of = match self.max_failures {
                    Budget::Percent(_) => format!(" ({} of {})", self.max_failures, self.cameras),
                    Budget::Count(_) => String::new(),
                };
                format!("at most {a} failure{}{of}", if a == 1 { "" } else { "s" })
            }
        };
        s.push_str(&format!(", {} at once", self.max_unavailable));
        if self.canary > 0 {
            s.push_str(&format!(", canary {}", self.canary));
        }
        s
    }
}

/// Every wave of `plan` as `rows` (from [`status::status`] with the plan) show it.
pub fn wave_status(plan: &Plan, rows: &[CameraStatus]) -> Vec<WaveStatus> {
    let states: HashMap<&str, &str> = rows.iter().map(|r| (r.camera.as_str(), r.state)).collect();
    plan.waves
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let state_of = |id: &str| states.get(id).copied().unwrap_or("pending");
            let count = |s: &str| w.cameras.iter().filter(|c| state_of(c) == s).count();
            let (done, failed, in_progress, pending) = (
                count("done"),
                count("failed"),
                count("in_progress"),
                count("pending"),
            );
            let n = w.cameras.len();
            let allowed = if plan.inputs.rollout.is_some() {
                Some(w.max_failures.allowed(n))
            } else {
                None
            };
            let state = if done == n {
                "done"
            } else if allowed.is_some_and(|a| failed > a) {
                "stopped"
            } else if in_progress == 0 && pending == 0 {
                "done_with_failures"
            } else if done + failed + in_progress == 0 {
                "pending"
            } else {
                "in_progress"
            };
            WaveStatus {
                number: i + 1,
                name: w.name.clone(),
                state,
                cameras: n,
                done,
                failed,
                in_progress,
                pending,
                max_unavailable: w.max_unavailable,
                max_failures: w.max_failures,
                allowed_failures: allowed,
                canary: w.canary,
            }
        })
        .collect()
}

/// Refuses to start wave `index` while an earlier wave is not settled in `journal`;
/// `plan_arg` is the plan file as given, for the command the refusal suggests.
pub fn check_order(
    plan: &Plan,
    journal: &Contents,
    index: usize,
    plan_arg: &str,
) -> Result<(), WaveError> {
    let rows = status::status(journal, Some(&plan.cameras));
    let waves = wave_status(plan, &rows);
    let Some(open) = waves.iter().take(index).find(|w| !w.settled()) else {
        return Ok(());
    };
    let w = &plan.waves[open.number - 1];
    let by_id: HashMap<&str, &CameraStatus> = rows.iter().map(|r| (r.camera.as_str(), r)).collect();
    let row = |id: &String| by_id.get(id.as_str()).copied();
    let failed: Vec<String> = w
        .cameras
        .iter()
        .filter_map(row)
        .filter(|r| r.state == "failed")
        .map(|r| match &r.failure {
            Some(why) => format!("{} ({why})", r.camera),
            None => r.camera.clone(),
        })
        .collect();
    let pending: Vec<&str> = w
        .cameras
        .iter()
        .filter(|id| row(id).is_none_or(|r| matches!(r.state, "pending" | "in_progress")))
        .map(String::as_str)
        .collect();
    Err(WaveError::EarlierNotDone(Box::new(NotDone {
        plan: plan_arg.to_owned(),
        later: format!("{} `{}`", index + 1, plan.waves[index].name),
        number: open.number,
        name: open.name.clone(),
        summary: format!("{}: {}", open.state.replace('_', " "), open.counts()),
        failed: if failed.is_empty() {
            String::new()
        } else {
            format!("; failed: {}", failed.join(", "))
        },
        pending: if pending.is_empty() {
            String::new()
        } else {
            format!("; not finished: {}", pending.join(", "))
        },
    })))
}

/// One wave to run.
#[derive(Debug, Clone)]
pub struct WaveRun {
    /// 1-based number.
    pub number: usize,
    /// Name.
    pub name: String,
    /// Its cameras to apply, in the plan's order (the canary first).
    pub cameras: Vec<CameraPlan>,
    /// Cameras in the whole wave (what a percentage budget is a share of).
    pub size: usize,
    /// Limits.
    pub limits: Limits,
}

/// How a wave's run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveOutcome {
    /// 1-based number.
    pub number: usize,
    /// Name.
    pub name: String,
    /// One result per camera of the run (not started ones included), by camera id.
    pub results: Vec<CameraResult>,
    /// Failures allowed (`None`: no limit).
    pub allowed: Option<usize>,
    /// The wave went over its budget and stopped.
    pub stopped: bool,
    /// The wave did not start (an earlier wave stopped).
    pub skipped: bool,
}

impl WaveOutcome {
    /// Results with status `failed`.
    pub fn failed(&self) -> impl Iterator<Item = &CameraResult> {
        self.results.iter().filter(|r| r.status == "failed")
    }
}

fn not_started(run: &Run, c: &CameraPlan, reason: String) -> CameraResult {
    let id = c.old.id.as_str();
    CameraResult {
        camera: id.to_owned(),
        status: NOT_STARTED,
        reason: Some(reason),
        xaddr: run.before.xaddr(id).map(str::to_owned),
        steps_done: run.before.of(id).filter(|r| r.status.completes()).count(),
        steps: c.steps.len(),
        adapted: Vec::new(),
        calls: 0,
    }
}

/// Runs `cameras` at most `width` at a time, counting failures into `failed`; stops starting
/// cameras once `stop(failed)` holds. Returns the results and the cameras not started.
async fn batch(
    run: &Arc<Run>,
    cameras: &[CameraPlan],
    width: usize,
    failed: &Arc<AtomicUsize>,
    stop: &(dyn Fn(usize) -> bool + Sync),
) -> (Vec<CameraResult>, Vec<CameraPlan>) {
    let slots = Arc::new(tokio::sync::Semaphore::new(width.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    let mut ids = std::collections::BTreeMap::new();
    let mut left = Vec::new();
    for (k, c) in cameras.iter().enumerate() {
        let Ok(permit) = Arc::clone(&slots).acquire_owned().await else {
            unreachable!("the semaphore is never closed")
        };
        // A task counts its failure before it gives its slot back, so the count is current
        // whenever a slot is free.
        if stop(failed.load(Ordering::SeqCst)) {
            left.extend(cameras[k..].iter().cloned());
            break;
        }
        let (run, c, failed) = (Arc::clone(run), c.clone(), Arc::clone(failed));
        let id = c.old.id.clone();
        let handle = tasks.spawn(async move {
            let r = apply::apply_camera(&run, &c).await;
            if r.status == "failed" {
                failed.fetch_add(1, Ordering::SeqCst);
            }
            drop(permit);
            r
        });
        ids.insert(handle.id(), id);
    }
    let mut out = Vec::new();
    while let Some(joined) = tasks.join_next_with_id().await {
        match joined {
            Ok((_, r)) => out.push(r),
            Err(e) => {
                failed.fetch_add(1, Ordering::SeqCst);
                out.push(CameraResult {
                    camera: ids.get(&e.id()).cloned().unwrap_or_default(),
                    status: "failed",
                    reason: Some(format!("internal error: {e}")),
                    xaddr: None,
                    steps_done: 0,
                    steps: 0,
                    adapted: Vec::new(),
                    calls: 0,
                });
            }
        }
    }
    (out, left)
}

/// Applies one wave within its limits.
pub async fn apply_wave(run: &Arc<Run>, wave: &WaveRun) -> WaveOutcome {
    let limits = wave.limits;
    let allowed = limits.allowed(wave.size);
    (run.progress)(&format!(
        "wave {} `{}`: {} cameras, {} at once, {}{}",
        wave.number,
        wave.name,
        wave.cameras.len(),
        limits.width,
        match allowed {
            None => "no failure budget".to_owned(),
            Some(0) => "stops at the first failure".to_owned(),
            Some(a) => format!("stops when more than {a} fail"),
        },
        if limits.canary > 0 {
            format!(", canary {} first", limits.canary.min(wave.cameras.len()))
        } else {
            String::new()
        }
    ));
    let failed = Arc::new(AtomicUsize::new(0));
    let stop = |f: usize| limits.exceeded(f, wave.size);
    let split = limits.canary.min(wave.cameras.len());
    let (canary, rest) = wave.cameras.split_at(split);
    let (mut results, mut left) = batch(run, canary, limits.width, &failed, &stop).await;
    if stop(failed.load(Ordering::SeqCst)) {
        left.extend(rest.iter().cloned());
    } else {
        let (more, more_left) = batch(run, rest, limits.width, &failed, &stop).await;
        results.extend(more);
        left.extend(more_left);
    }
    let count = failed.load(Ordering::SeqCst);
    let stopped = stop(count);
    if stopped {
        (run.progress)(&format!(
            "wave {} `{}` stopped: {count} failed, over its budget of {}; {} cameras not started",
            wave.number,
            wave.name,
            allowed.unwrap_or_default(),
            left.len()
        ));
    }
    let reason = format!(
        "not started: wave {} `{}` stopped after {count} failures (budget {})",
        wave.number,
        wave.name,
        allowed.unwrap_or_default()
    );
    results.extend(left.iter().map(|c| not_started(run, c, reason.clone())));
    results.sort_by(|a, b| a.camera.cmp(&b.camera));
    WaveOutcome {
        number: wave.number,
        name: wave.name.clone(),
        results,
        allowed,
        stopped,
        skipped: false,
    }
}

/// Applies `waves` in order; a wave over its budget stops the run and the waves after it do
/// not start (their cameras are reported not started).
pub async fn apply_waves(run: &Arc<Run>, waves: &[WaveRun]) -> Vec<WaveOutcome> {
    let mut out: Vec<WaveOutcome> = Vec::new();
    for w in waves {
        if let Some(stopped) = out.iter().find(|o| o.stopped) {
            let reason = format!(
                "not started: wave {} `{}` stopped over its failure budget",
                stopped.number, stopped.name
            );
            let mut results: Vec<CameraResult> = w
                .cameras
                .iter()
                .map(|c| not_started(run, c, reason.clone()))
                .collect();
            results.sort_by(|a, b| a.camera.cmp(&b.camera));
            out.push(WaveOutcome {
                number: w.number,
                name: w.name.clone(),
                results,
                allowed: w.limits.allowed(w.size),
                stopped: false,
                skipped: true,
            });
            continue;
        }
        out.push(apply_wave(run, w).await);
    }
    out
}

/// The runs for waves `indices` of `plan`, keeping only cameras `keep` accepts.
pub fn runs(
    plan: &Plan,
    indices: impl IntoIterator<Item = usize>,
    concurrency: usize,
    max_failures: Option<Budget>,
    keep: impl Fn(&CameraPlan) -> bool,
) -> Vec<WaveRun> {
    let by_id: HashMap<&str, &CameraPlan> = plan
        .cameras
        .iter()
        .map(|c| (c.old.id.as_str(), c))
        .collect();
    indices
        .into_iter()
        .filter_map(|i| {
            let w = plan.waves.get(i)?;
            let cameras: Vec<CameraPlan> = w
                .cameras
                .iter()
                .filter_map(|id| by_id.get(id.as_str()).copied())
                .filter(|c| c.replacement.is_some() && keep(c))
                .cloned()
                .collect();
            Some(WaveRun {
                number: i + 1,
                name: w.name.clone(),
                cameras,
                size: w.cameras.len(),
                limits: Limits::of(plan, w, concurrency, max_failures),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wave(n: usize, max_unavailable: u32, max_failures: Budget, canary: u32) -> Wave {
        Wave {
            name: "w".into(),
            cameras: (0..n).map(|i| format!("c{i}")).collect(),
            max_unavailable,
            max_failures,
            canary,
        }
    }

    fn plan_with(rollout: bool, waves: Vec<Wave>) -> Plan {
        Plan {
            format: crate::planner::plan::PLAN_FORMAT.into(),
            version: crate::planner::plan::PLAN_VERSION,
            fingerprint: String::new(),
            inputs: crate::planner::plan::Inputs {
                rollout: rollout
                    .then(|| crate::planner::plan::InputFile::hashed("rollout.toml", b"")),
                ..Default::default()
            },
            options: crate::planner::PlanOptions::default(),
            warnings: Vec::new(),
            waves,
            cameras: Vec::new(),
        }
    }

    #[test]
    fn percent_budgets_round_down_and_a_wave_stops_only_above_its_budget() {
        // Hand-computed: 10% of 25 = 2.5 → 2; 5% of 16 = 0.8 → 0; 18.4% of 375 = 69 exactly
        // (375 × 18.4 / 100 is 68.99999999999999 in binary floating point); 50% of 3 = 1.5 → 1;
        // 100% of 7 = 7.
        assert_eq!(Budget::Percent(10.0).allowed(25), 2);
        assert_eq!(Budget::Percent(5.0).allowed(16), 0);
        assert_eq!(Budget::Percent(18.4).allowed(375), 69);
        assert_eq!(Budget::Percent(50.0).allowed(3), 1);
        assert_eq!(Budget::Percent(100.0).allowed(7), 7);
        assert_eq!(Budget::Count(2).allowed(1), 2);
        // 2 failures of 25 at 10% are within; the third stops the wave.
        assert!(!Budget::Percent(10.0).exceeded(2, 25));
        assert!(Budget::Percent(10.0).exceeded(3, 25));
        // Count 0: the first failure stops it.
        assert!(!Budget::Count(0).exceeded(0, 9));
        assert!(Budget::Count(0).exceeded(1, 9));
    }

    #[test]
    fn limits_take_the_smaller_width_and_a_plan_without_rollout_has_no_budget() {
        let w = wave(20, 2, Budget::Percent(5.0), 1);
        let p = plan_with(true, vec![w.clone()]);
        let l = Limits::of(&p, &w, 8, None);
        assert_eq!(l.width, 2);
        assert_eq!(l.canary, 1);
        // 5% of 20 = 1.
        assert_eq!(l.allowed(20), Some(1));
        assert!(l.exceeded(2, 20));
        // --concurrency below max_unavailable wins; --max-failures overrides the wave's.
        let l = Limits::of(&p, &w, 1, Some(Budget::Count(4)));
        assert_eq!((l.width, l.allowed(20)), (1, Some(4)));
        // Without a rollout file: --concurrency, no budget, no canary.
        let p = plan_with(false, vec![w.clone()]);
        let l = Limits::of(&p, &w, 8, None);
        assert_eq!((l.width, l.allowed(20), l.canary), (8, None, 0));
        assert!(!l.exceeded(20, 20));
    }

    #[test]
    fn waves_are_found_by_name_or_number() {
        let mut a = wave(1, 1, Budget::Count(0), 0);
        a.name = "pilot".into();
        let mut b = wave(1, 1, Budget::Count(0), 0);
        b.name = "north".into();
        let p = plan_with(true, vec![a, b]);
        assert_eq!(find(&p, "north").unwrap(), 1);
        assert_eq!(find(&p, "1").unwrap(), 0);
        assert_eq!(find(&p, "2").unwrap(), 1);
        let e = find(&p, "3").unwrap_err().to_string();
        assert_eq!(
            e,
            "--wave 3: the plan has no such wave (its waves: 1 pilot, 2 north)"
        );
        assert!(find(&p, "0").is_err());
    }

    fn row(id: &str, state: &'static str) -> CameraStatus {
        CameraStatus {
            camera: id.into(),
            wave: None,
            state,
            steps_done: 0,
            steps: None,
            failure: (state == "failed").then(|| "timed out".into()),
            xaddr: None,
        }
    }

    #[test]
    fn a_wave_is_settled_when_every_camera_finished_or_failed_within_budget() {
        // 4 cameras, 25% → 1 failure allowed.
        let w = wave(4, 2, Budget::Percent(25.0), 0);
        let p = plan_with(true, vec![w]);
        let states = |s: [&'static str; 4]| {
            let rows: Vec<CameraStatus> = s
                .iter()
                .enumerate()
                .map(|(i, st)| row(&format!("c{i}"), st))
                .collect();
            wave_status(&p, &rows).remove(0)
        };
        assert_eq!(states(["done"; 4]).state, "done");
        let one_failed = states(["done", "failed", "done", "done"]);
        assert_eq!(one_failed.state, "done_with_failures");
        assert!(one_failed.settled());
        assert_eq!(one_failed.allowed_failures, Some(1));
        let two_failed = states(["done", "failed", "failed", "pending"]);
        assert_eq!(two_failed.state, "stopped");
        assert!(!two_failed.settled());
        assert_eq!(
            (two_failed.done, two_failed.failed, two_failed.pending),
            (1, 2, 1)
        );
        assert_eq!(states(["pending"; 4]).state, "pending");
        assert_eq!(
            states(["done", "in_progress", "pending", "pending"]).state,
            "in_progress"
        );
        assert_eq!(
            two_failed.budget(),
            "at most 1 failure (25% of 4), 2 at once"
        );
    }

    /// Cameras that need no device: `ok` ones the journal shows finished (apply skips them,
    /// a success), `bad` ones without a replacement (apply fails them before any request).
    fn camera(id: &str) -> CameraPlan {
        let mut c = CameraPlan::replacing(id, "192.0.2.1", "Axis", "P3265-LVE", Vec::new());
        if id.starts_with("bad") {
            c.replacement = None;
        }
        c
    }

    async fn run_of(ids: &[&str]) -> (tempfile::TempDir, Arc<Run>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let (journal, mut before) =
            super::super::journal::Journal::open(&path, "sha256:x").unwrap();
        for id in ids.iter().filter(|i| i.starts_with("ok")) {
            before.records.push(super::super::journal::Record {
                camera: (*id).into(),
                step: None,
                kind: None,
                status: super::super::journal::Status::Finished,
                at: String::new(),
                xaddr: None,
                readback: None,
                tokens: Default::default(),
                detail: None,
                adapted: Vec::new(),
            });
        }
        let run = Run::new(
            apply::Settings::default(),
            journal,
            before,
            Box::new(|_| {}),
        );
        (dir, Arc::new(run))
    }

    fn wave_run(
        number: usize,
        ids: &[&str],
        width: usize,
        budget: Budget,
        canary: usize,
    ) -> WaveRun {
        WaveRun {
            number,
            name: format!("w{number}"),
            cameras: ids.iter().map(|i| camera(i)).collect(),
            size: ids.len(),
            limits: Limits {
                width,
                budget: Some(budget),
                canary,
            },
        }
    }

    fn statuses(o: &WaveOutcome) -> Vec<(&str, &str)> {
        o.results
            .iter()
            .map(|r| (r.camera.as_str(), r.status))
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_canary_over_budget_keeps_the_rest_of_the_wave_from_starting() {
        let ids = ["bad0", "ok1", "ok2", "ok3"];
        let (_dir, run) = run_of(&ids).await;
        // Canary 1, no failure allowed: bad0 fails alone, nothing else starts.
        let o = apply_wave(&run, &wave_run(1, &ids, 2, Budget::Count(0), 1)).await;
        assert!(o.stopped);
        assert_eq!(
            statuses(&o),
            [
                ("bad0", "failed"),
                ("ok1", NOT_STARTED),
                ("ok2", NOT_STARTED),
                ("ok3", NOT_STARTED)
            ]
        );
        // One failure allowed: the canary's failure is within it, and the rest runs.
        let o = apply_wave(&run, &wave_run(1, &ids, 2, Budget::Count(1), 1)).await;
        assert!(!o.stopped);
        assert_eq!(
            statuses(&o),
            [
                ("bad0", "failed"),
                ("ok1", "skipped"),
                ("ok2", "skipped"),
                ("ok3", "skipped")
            ]
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_at_a_time_the_wave_stops_at_the_failure_over_budget_and_later_waves_never_start() {
        // 1 at a time, 20% of 6 = 1.2 → 1 failure allowed: bad1 is within, bad3 is the second
        // failure and stops the wave; ok4 and ok5 are not started, nor is wave 2.
        let ids = ["ok0", "bad1", "ok2", "bad3", "ok4", "ok5"];
        let (_dir, run) = run_of(&[&ids[..], &["ok6"]].concat()).await;
        let waves = [
            wave_run(1, &ids, 1, Budget::Percent(20.0), 0),
            wave_run(2, &["ok6"], 1, Budget::Count(0), 0),
        ];
        let out = apply_waves(&run, &waves).await;
        assert!(out[0].stopped);
        assert_eq!(out[0].allowed, Some(1));
        assert_eq!(
            statuses(&out[0]),
            [
                ("bad1", "failed"),
                ("bad3", "failed"),
                ("ok0", "skipped"),
                ("ok2", "skipped"),
                ("ok4", NOT_STARTED),
                ("ok5", NOT_STARTED)
            ]
        );
        assert!(out[1].skipped && !out[1].stopped);
        assert_eq!(statuses(&out[1]), [("ok6", NOT_STARTED)]);
    }
}
