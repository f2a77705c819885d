//! `camswap plan --check`: has the inventory drifted from what the plan was made from?
//!
//! Drift is a planned device that changed (its snapshot's sha256 differs) or is gone. A new
//! inventory file whose planned devices are all unchanged (a fresh read of the same site) is
//! reported but is not drift; devices in the inventory that the plan does not cover are listed
//! for information (the audit decides which of them need a plan).

use std::collections::BTreeMap;

use super::plan::Plan;
use crate::inventory::DeviceSnapshot;

/// One drifted device.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Drifted {
    /// Device id.
    pub id: String,
    /// What changed.
    pub reason: String,
}

/// The outcome of a check.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, schemars::JsonSchema)]
pub struct DriftReport {
    /// The inventory file's sha256 differs from the one recorded in the plan.
    pub inventory_file_changed: bool,
    /// Planned devices compared.
    pub checked: usize,
    /// Planned devices that changed or vanished.
    pub drifted: Vec<Drifted>,
    /// Devices in the inventory the plan does not cover.
    pub not_in_plan: Vec<String>,
}

impl DriftReport {
    /// True when apply should not run this plan.
    pub fn has_drift(&self) -> bool {
        !self.drifted.is_empty()
    }

    /// The report as text (one line per finding).
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.inventory_file_changed {
            out.push_str("inventory file differs from the one the plan was made from\n");
        }
        for d in &self.drifted {
            out.push_str(&format!("drifted: {}: {}\n", d.id, d.reason));
        }
        if !self.not_in_plan.is_empty() {
            out.push_str(&format!(
                "{} devices in the inventory are not in the plan: {}\n",
                self.not_in_plan.len(),
                self.not_in_plan.join(", ")
            ));
        }
        let devices = if self.checked == 1 {
            "device"
        } else {
            "devices"
        };
        out.push_str(&if self.has_drift() {
            format!(
                "{} of {} planned {devices} drifted: plan again before applying\n",
                self.drifted.len(),
                self.checked
            )
        } else {
            format!(
                "{} planned {devices} unchanged: the plan is current\n",
                self.checked
            )
        });
        out
    }
}

/// Compares the plan with the inventory now (`inventory_sha256`: hex of the file's bytes).
pub fn check(plan: &Plan, inventory_sha256: &str, snapshots: &[DeviceSnapshot]) -> DriftReport {
    let recorded = plan
        .inputs
        .inventory
        .as_ref()
        .and_then(|i| i.sha256.as_deref());
    let mut now: BTreeMap<&str, Vec<&DeviceSnapshot>> = BTreeMap::new();
    for s in snapshots {
        now.entry(s.id.as_str()).or_default().push(s);
    }
    let mut report = DriftReport {
        inventory_file_changed: recorded != Some(inventory_sha256),
        checked: plan.cameras.len(),
        ..DriftReport::default()
    };
    for c in &plan.cameras {
        let reason = match now.get(c.old.id.as_str()) {
            None => Some("not in the inventory any more".to_owned()),
            Some(list) if list.iter().any(|s| s.digest() == c.old.sha256) => None,
            Some(list) => Some(format!(
                "configuration changed (sha256 {} when planned, {} now)",
                short(&c.old.sha256),
                short(&list[0].digest())
            )),
        };
        if let Some(reason) = reason {
            report.drifted.push(Drifted {
                id: c.old.id.clone(),
                reason,
            });
        }
    }
    let planned: std::collections::BTreeSet<&str> =
        plan.cameras.iter().map(|c| c.old.id.as_str()).collect();
    report.not_in_plan = now
        .keys()
        .filter(|id| !planned.contains(*id))
        .map(|id| (*id).to_owned())
        .collect();
    report
}

fn short(h: &str) -> &str {
    &h[..h.len().min(12)]
}
