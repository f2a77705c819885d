//! The JSON documents the commands print with `--format json`, and their published JSON
//! Schemas.
//!
//! Every document carries `format` and `version`, like the files. The schemas are generated
//! from the same serde types the commands serialise (schemars, for serialisation: a field
//! skipped when empty is optional, every other one required) and published in
//! `tests/schemas/FORMAT.vVERSION.schema.json`; a test regenerates them and fails on any
//! difference, and each command's output is validated against its schema by the tests.
//! A change that alters a schema is a change of the scripting interface: additive fields keep
//! the version, anything that breaks a reader bumps it.

use serde::Serialize;

use crate::migrate::waves::{WaveOutcome, WaveStatus};
use crate::migrate::{apply::CameraResult, status::CameraStatus, verify::CameraVerify};
use crate::planner::check::DriftReport;

/// `camswap plan --check --format json`.
pub const PLAN_CHECK_FORMAT: &str = "camswap.plan-check";
/// `camswap apply --format json`.
pub const APPLY_FORMAT: &str = "camswap.apply";
/// `camswap apply --dry-run --format json`.
pub const APPLY_DRY_RUN_FORMAT: &str = "camswap.apply-dry-run";
/// `camswap verify --format json`.
pub const VERIFY_FORMAT: &str = "camswap.verify";
/// `camswap status --format json`.
pub const STATUS_FORMAT: &str = "camswap.status";

/// `camswap plan --check`: has the inventory drifted from the plan?
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PlanCheck {
    /// Always `camswap.plan-check`.
    pub format: &'static str,
    /// 1.
    pub version: u64,
    /// The checked plan's fingerprint.
    pub plan: String,
    /// The comparison.
    #[serde(flatten)]
    pub report: DriftReport,
}

/// `camswap apply`: how each camera's apply ended.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ApplyOutput {
    /// Always `camswap.apply`.
    pub format: &'static str,
    /// 1.
    pub version: u64,
    /// The plan's fingerprint.
    pub plan: String,
    /// The journal written.
    pub journal: String,
    /// One result per camera (`done`, `failed`, `skipped`: finished earlier, `not_started`:
    /// its wave or an earlier one went over its failure budget).
    pub cameras: Vec<CameraResult>,
    /// The waves this run took, in order.
    pub waves: Vec<WaveRunOutput>,
}

/// How one wave of an apply run ended.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct WaveRunOutput {
    /// 1-based number in the plan.
    pub number: usize,
    /// Name.
    pub name: String,
    /// `done` (no failure), `done_with_failures` (within the budget), `stopped` (over the
    /// budget: the run stopped here), `not_started` (an earlier wave stopped).
    pub state: &'static str,
    /// Cameras of the wave in this run.
    pub cameras: usize,
    /// Failed in this run.
    pub failed: usize,
    /// Failures the budget allows (absent: no limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_failures: Option<usize>,
}

impl WaveRunOutput {
    /// The summary of `o`.
    pub fn of(o: &WaveOutcome) -> Self {
        let failed = o.failed().count();
        Self {
            number: o.number,
            name: o.name.clone(),
            state: if o.skipped {
                "not_started"
            } else if o.stopped {
                "stopped"
            } else if failed > 0 {
                "done_with_failures"
            } else {
                "done"
            },
            cameras: o.results.len(),
            failed,
            allowed_failures: o.allowed,
        }
    }
}

/// `camswap apply --dry-run`: the operations apply would send, per camera; nothing is sent.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DryRunOutput {
    /// Always `camswap.apply-dry-run`.
    pub format: &'static str,
    /// 1.
    pub version: u64,
    /// The plan's fingerprint.
    pub plan: String,
    /// Cameras in plan order.
    pub cameras: Vec<DryRunCamera>,
}

/// One camera of a dry run.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DryRunCamera {
    /// Old camera id.
    pub camera: String,
    /// The old camera's address.
    pub address: String,
    /// The replacement's vendor.
    pub vendor: String,
    /// The replacement's model.
    pub model: String,
    /// The steps in order.
    pub steps: Vec<DryRunStep>,
}

/// One step of a dry run.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DryRunStep {
    /// Step index in the plan.
    pub index: usize,
    /// Step kind.
    pub kind: String,
    /// Already done according to the journal (apply skips it).
    pub done: bool,
    /// The ONVIF operations, each as `service.Operation` with its values.
    pub operations: Vec<String>,
}

/// `camswap verify`: each applied camera against the plan.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct VerifyOutput {
    /// Always `camswap.verify`.
    pub format: &'static str,
    /// 1.
    pub version: u64,
    /// The plan's fingerprint.
    pub plan: String,
    /// One result per camera.
    pub cameras: Vec<CameraVerify>,
}

/// `camswap status`: per camera, what is done, failed or pending.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct StatusOutput {
    /// Always `camswap.status`.
    pub format: &'static str,
    /// 1.
    pub version: u64,
    /// The journal read.
    pub journal: String,
    /// Per wave, its state and counts (empty without `--plan`: the journal does not know the
    /// waves).
    pub waves: Vec<WaveStatus>,
    /// One row per camera.
    pub cameras: Vec<CameraStatus>,
}

/// A document as pretty JSON with a final newline, as every command prints it.
pub fn to_json<T: Serialize>(doc: &T) -> String {
    let mut s = serde_json::to_string_pretty(doc).expect("a document always serialises");
    s.push('\n');
    s
}

/// One published schema.
#[derive(Debug, Clone)]
pub struct Published {
    /// The document's `format`.
    pub format: &'static str,
    /// Its `version`.
    pub version: u64,
    /// The commands that print it.
    pub printed_by: &'static str,
    /// The schema.
    pub schema: serde_json::Value,
}

impl Published {
    /// Its file name under `tests/schemas/`.
    pub fn file_name(&self) -> String {
        format!("{}.v{}.schema.json", self.format, self.version)
    }

    /// The schema as it is published: pretty JSON, final newline.
    pub fn text(&self) -> String {
        to_json(&self.schema)
    }
}

fn publish<T: schemars::JsonSchema>(
    format: &'static str,
    version: u64,
    printed_by: &'static str,
) -> Published {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    // The types say "a string" and "an integer"; a reader relies on these exact values, so the
    // schema pins them.
    if let Some(props) = schema
        .get_mut("properties")
        .and_then(serde_json::Value::as_object_mut)
    {
        props.insert(
            "format".into(),
            serde_json::json!({ "description": "The document's format name.", "const": format }),
        );
        props.insert(
            "version".into(),
            serde_json::json!({ "description": "The format's version.", "const": version }),
        );
    }
    if let Some(obj) = schema.as_object_mut() {
        obj.insert("title".into(), format.into());
        obj.insert(
            "description".into(),
            format!("{format} version {version}, printed by {printed_by}.").into(),
        );
    }
    Published {
        format,
        version,
        printed_by,
        schema,
    }
}

/// Every JSON document a command prints, with its schema.
pub fn published() -> Vec<Published> {
    use crate::{audit, discovery, inventory, migrate, planner};
    vec![
        publish::<discovery::DevicesFile>(
            discovery::devices::FORMAT,
            discovery::devices::VERSION,
            "`camswap discover`",
        ),
        publish::<inventory::Inventory>(
            inventory::file::FORMAT,
            inventory::file::VERSION,
            "`camswap inventory`",
        ),
        publish::<audit::AuditReport>(audit::FORMAT, audit::VERSION, "`camswap audit`"),
        publish::<planner::Plan>(
            planner::plan::PLAN_FORMAT,
            planner::plan::PLAN_VERSION,
            "`camswap plan`",
        ),
        publish::<PlanCheck>(PLAN_CHECK_FORMAT, 1, "`camswap plan --check`"),
        publish::<ApplyOutput>(APPLY_FORMAT, 1, "`camswap apply`"),
        publish::<DryRunOutput>(APPLY_DRY_RUN_FORMAT, 1, "`camswap apply --dry-run`"),
        publish::<VerifyOutput>(VERIFY_FORMAT, 1, "`camswap verify`"),
        publish::<StatusOutput>(STATUS_FORMAT, 1, "`camswap status`"),
        publish::<migrate::handoff::Handoff>(
            migrate::handoff::HANDOFF_FORMAT,
            migrate::handoff::HANDOFF_VERSION,
            "`camswap handoff` and `camswap apply` (PLAN.handoff.json)",
        ),
    ]
}
