//! Audit: policies as data, signals and evidence, verdicts, reports. `camswap audit`.
//!
//! [`audit`] is pure: snapshots, policies and an OUI table in, an [`AuditReport`] out, in a
//! deterministic order (devices by id). Every verdict lists its evidence: which signal saw
//! which value, which policy rule (with its cited source) that value matched, and how much it
//! weighs.
//!
//! # How evidence becomes a verdict
//!
//! Each piece of evidence points to one covered company with a weight in 0..1, the
//! probability that the signal alone means the company's hardware. Evidence is grouped by how
//! it could be wrong together: the *label* (manufacturer string, name scope), the *model*
//! (model, hardware scope, serial), *firmware*, *MAC* (interface OUIs, MACs in scopes or the
//! endpoint UUID), the *endpoint* UUID habit, *stream* URI shapes, other *scopes*, and *OEM*
//! relationships (a manufacturer "Amcrest" and an Amcrest OUI restate one fact). Within a group
//! only the strongest item counts; across groups the items are treated as independent and
//! combined with a noisy-OR, `p = 1 − Π(1 − wᵢ)`, capped at [`MAX_CONFIDENCE`] because no set
//! of remote signals proves who made a board.
//!
//! - **Banned**: the label names a covered company or one of its own brands or subsidiaries;
//!   or nothing presents a label and the technical evidence reaches [`FLAG_THRESHOLD`].
//!   `confidence` is the company's `p`.
//! - **WhiteLabel**: the device presents another name (an OEM brand, or any other), but the
//!   evidence for a covered company reaches [`FLAG_THRESHOLD`]: the signals disagree and the
//!   company is the likely maker. `confidence` is its `p`.
//! - **Clear**: identity was read and no covered company reaches the threshold.
//!   `confidence = (1 − max p) · (1 − ½ᵏ)` where k counts the signal groups that were present
//!   and checked: each independent clean signal halves the remaining doubt.
//! - **Unknown**: no manufacturer, model or firmware was read and nothing reaches the
//!   threshold. `company` is the covered company the evidence leans to, if any, and
//!   `confidence` its `p` (how close the device came to being flagged).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::inventory::DeviceSnapshot;

pub mod firmware;
pub mod names;
pub mod oui;
pub mod policy;
pub mod report;
pub mod signals;

pub use oui::{Mac, OuiTable};
pub use policy::{Policy, PolicyError};

/// The file format of a JSON audit report.
pub const FORMAT: &str = "camswap.audit";
/// Its version.
pub const VERSION: u64 = 1;
/// A covered company's combined confidence at or above this flags the device.
pub const FLAG_THRESHOLD: f64 = 0.5;
/// No combination of remote signals claims more than this.
pub const MAX_CONFIDENCE: f64 = 0.99;

/// Where a piece of evidence was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// GetDeviceInformation Manufacturer.
    Manufacturer,
    /// A `name/...` scope.
    NameScope,
    /// GetDeviceInformation Model.
    Model,
    /// A `hardware/...` scope.
    HardwareScope,
    /// GetDeviceInformation SerialNumber (Hikvision serials start with the model).
    SerialNumber,
    /// GetDeviceInformation FirmwareVersion.
    Firmware,
    /// Any other scope (location, extension).
    Scope,
    /// A MAC address's IEEE assignment.
    MacOui,
    /// The WS-Discovery endpoint UUID.
    EndpointUuid,
    /// A stream URI's path.
    StreamUri,
    /// A known OEM relationship (from a name or an OEM's own OUI).
    OemBrand,
}

impl Signal {
    /// Words for a report.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Manufacturer => "manufacturer",
            Self::NameScope => "name scope",
            Self::Model => "model",
            Self::HardwareScope => "hardware scope",
            Self::SerialNumber => "serial number",
            Self::Firmware => "firmware",
            Self::Scope => "scope",
            Self::MacOui => "MAC OUI",
            Self::EndpointUuid => "endpoint UUID",
            Self::StreamUri => "stream URI",
            Self::OemBrand => "OEM brand",
        }
    }

    /// The group whose members may be wrong together (see the module docs).
    fn group(self) -> &'static str {
        match self {
            Self::Manufacturer | Self::NameScope => "label",
            Self::Model | Self::HardwareScope | Self::SerialNumber => "model",
            Self::Firmware => "firmware",
            Self::Scope => "scope",
            Self::MacOui => "mac",
            Self::EndpointUuid => "endpoint",
            Self::StreamUri => "stream",
            Self::OemBrand => "oem",
        }
    }
}

/// One observation and what it means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Where it was seen.
    pub signal: Signal,
    /// The value seen (device-supplied: escape it when rendering).
    pub observed: String,
    /// The rule or table entry it matched, in words.
    pub rule: String,
    /// The policy whose rule matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The rule's cited source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The covered company it points to; `None` for context (e.g. an Axis OUI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// Weight toward `company` (0 for context).
    pub confidence: f64,
    /// More context (locally administered MAC, firmware customer field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The outcome for one device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Presents itself as a covered company or its brand.
    Banned,
    /// Sold under another name, made by a covered company.
    WhiteLabel,
    /// Too little data to say.
    Unknown,
    /// Nothing points to a covered company.
    Clear,
}

impl Verdict {
    /// Banned or white label.
    pub fn flagged(self) -> bool {
        matches!(self, Self::Banned | Self::WhiteLabel)
    }

    /// Words for a report (`BANNED`, `WHITE LABEL`, ...).
    pub fn label(self) -> &'static str {
        match self {
            Self::Banned => "BANNED",
            Self::WhiteLabel => "WHITE LABEL",
            Self::Unknown => "UNKNOWN",
            Self::Clear => "CLEAR",
        }
    }
}

/// What the device said about itself, for the report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceSummary {
    /// Manufacturer as reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    /// Model as reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Firmware as reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware: Option<String>,
    /// The device service address.
    pub xaddr: String,
    /// First interface MAC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
}

/// The verdict on one device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceVerdict {
    /// The snapshot's stable id.
    pub id: String,
    /// The outcome.
    pub verdict: Verdict,
    /// The covered company (id) it names or leans to.
    pub company: Option<String>,
    /// That company's display name.
    pub company_name: Option<String>,
    /// Confidence in the verdict (see the module docs for each verdict's definition).
    pub confidence: f64,
    /// The policies that cover `company`.
    pub policies: Vec<String>,
    /// One sentence for a human.
    pub reason: String,
    /// What the device said about itself.
    pub device: DeviceSummary,
    /// Everything seen, strongest first.
    pub evidence: Vec<Evidence>,
}

impl DeviceVerdict {
    /// Banned or white label.
    pub fn flagged(&self) -> bool {
        self.verdict.flagged()
    }

    /// Evidence pointing to the verdict's company, strongest first.
    pub fn deciding(&self) -> impl Iterator<Item = &Evidence> {
        self.evidence
            .iter()
            .filter(move |e| e.company.is_some() && e.company == self.company && e.confidence > 0.0)
    }
}

/// Counts per verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Devices audited.
    pub devices: usize,
    /// Banned.
    pub banned: usize,
    /// White label.
    pub white_label: usize,
    /// Unknown.
    pub unknown: usize,
    /// Clear.
    pub clear: usize,
}

impl Summary {
    /// Banned plus white label.
    pub fn flagged(&self) -> usize {
        self.banned + self.white_label
    }
}

/// A policy as the report names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyInfo {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// `builtin:NAME` or the file.
    pub origin: String,
    /// Date it took effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<String>,
    /// Covered company names.
    pub companies: Vec<String>,
}

/// The audit of a set of devices (JSON format `camswap.audit` version 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditReport {
    /// Always `camswap.audit`.
    pub format: String,
    /// Format version.
    pub version: u64,
    /// When the inventory was taken, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory_taken_at: Option<String>,
    /// The policies applied.
    pub policies: Vec<PolicyInfo>,
    /// Where the OUI table came from.
    pub oui_sources: Vec<String>,
    /// The flag threshold used.
    pub threshold: f64,
    /// Counts.
    pub summary: Summary,
    /// One verdict per device, by id.
    pub devices: Vec<DeviceVerdict>,
}

impl AuditReport {
    /// The flagged devices (banned or white label), in report order.
    pub fn flagged(&self) -> Vec<&DeviceVerdict> {
        self.devices.iter().filter(|d| d.flagged()).collect()
    }
}

/// Audits snapshots under policies. Pure and deterministic: devices come out sorted by id.
pub fn audit(snapshots: &[DeviceSnapshot], policies: &[Policy], oui: &OuiTable) -> AuditReport {
    let mut devices: Vec<DeviceVerdict> =
        snapshots.iter().map(|s| judge(s, policies, oui)).collect();
    devices.sort_by(|a, b| a.id.cmp(&b.id));
    let mut summary = Summary {
        devices: devices.len(),
        ..Summary::default()
    };
    for d in &devices {
        match d.verdict {
            Verdict::Banned => summary.banned += 1,
            Verdict::WhiteLabel => summary.white_label += 1,
            Verdict::Unknown => summary.unknown += 1,
            Verdict::Clear => summary.clear += 1,
        }
    }
    AuditReport {
        format: FORMAT.into(),
        version: VERSION,
        inventory_taken_at: None,
        policies: policies
            .iter()
            .map(|p| PolicyInfo {
                id: p.id.clone(),
                title: p.title.clone(),
                origin: p.origin.clone(),
                effective: p.effective.clone(),
                companies: p.companies.iter().map(|c| c.name.clone()).collect(),
            })
            .collect(),
        oui_sources: oui.sources().to_vec(),
        threshold: FLAG_THRESHOLD,
        summary,
        devices,
    }
}

/// The combined confidence per company id (see the module docs).
pub fn combine(evidence: &[Evidence]) -> BTreeMap<String, f64> {
    let mut groups: BTreeMap<(String, &'static str), f64> = BTreeMap::new();
    for e in evidence {
        if let Some(c) = &e.company {
            let w = groups.entry((c.clone(), e.signal.group())).or_insert(0.0);
            *w = w.max(e.confidence.clamp(0.0, 1.0));
        }
    }
    let mut doubt: BTreeMap<String, f64> = BTreeMap::new();
    for ((company, _), w) in groups {
        *doubt.entry(company).or_insert(1.0) *= 1.0 - w;
    }
    doubt
        .into_iter()
        .map(|(c, d)| (c, round((1.0 - d).min(MAX_CONFIDENCE))))
        .collect()
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn judge(snap: &DeviceSnapshot, policies: &[Policy], oui: &OuiTable) -> DeviceVerdict {
    let mut evidence = signals::collect(snap, policies, oui);
    let scores = combine(&evidence);
    let id = if snap.id.trim().is_empty() {
        snap.stable_id()
    } else {
        snap.id.clone()
    };
    let identity = &snap.identity;
    let present = |s: &Option<String>| s.as_deref().is_some_and(|v| !v.trim().is_empty());
    let name_scope = evidence_label(&evidence);
    let label_text = identity
        .manufacturer
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_owned)
        .or_else(|| {
            snap.scopes.iter().find_map(|s| {
                signals::category(&signals::scope_path(&s.uri), "name").map(str::to_owned)
            })
        });
    // The company the device's own label names: the manufacturer string decides when there is
    // one; a name scope only when there is none.
    let label_company = if present(&identity.manufacturer) {
        first_company(&evidence, Signal::Manufacturer)
    } else {
        name_scope
    };
    let best = scores
        .iter()
        .fold(None::<(&String, f64)>, |acc, (c, &p)| match acc {
            Some((_, bp)) if bp >= p => acc,
            _ => Some((c, p)),
        });
    let identity_read = present(&identity.manufacturer)
        || present(&identity.model)
        || present(&identity.firmware_version);

    let (verdict, company, confidence) = if let Some(c) = label_company {
        let p = scores.get(&c).copied().unwrap_or(0.0);
        (Verdict::Banned, Some(c), p)
    } else if let Some((c, p)) = best.filter(|(_, p)| *p >= FLAG_THRESHOLD) {
        if label_text.is_some() {
            (Verdict::WhiteLabel, Some(c.clone()), p)
        } else {
            (Verdict::Banned, Some(c.clone()), p)
        }
    } else if identity_read {
        let max_p = best.map_or(0.0, |(_, p)| p);
        let k = groups_present(snap, &evidence);
        let conf = (1.0 - max_p) * (1.0 - 0.5f64.powi(k as i32));
        (Verdict::Clear, None, round(conf.min(MAX_CONFIDENCE)))
    } else {
        let lean = best.filter(|(_, p)| *p > 0.0);
        (
            Verdict::Unknown,
            lean.map(|(c, _)| c.clone()),
            lean.map_or(0.0, |(_, p)| p),
        )
    };

    // Strongest first; context last; ties keep collection order (deterministic).
    evidence.sort_by(|a, b| {
        let rank = |e: &Evidence| (e.company.is_some() && e.company == company) as u8;
        rank(b)
            .cmp(&rank(a))
            .then(b.confidence.total_cmp(&a.confidence))
    });
    let company_name = company
        .as_deref()
        .and_then(|c| company_display(policies, c));
    let covering: Vec<String> = company.as_deref().map_or_else(Vec::new, |c| {
        policies
            .iter()
            .filter(|p| p.companies.iter().any(|x| x.id == c))
            .map(|p| p.id.clone())
            .collect()
    });
    let reason = reason(
        verdict,
        label_text.as_deref(),
        company_name.as_deref(),
        company.as_deref(),
        &evidence,
        snap,
    );
    DeviceVerdict {
        id,
        verdict,
        company,
        company_name,
        confidence,
        policies: covering,
        reason,
        device: DeviceSummary {
            manufacturer: identity.manufacturer.clone(),
            model: identity.model.clone(),
            firmware: identity.firmware_version.clone(),
            xaddr: snap.xaddr.clone(),
            mac: snap.macs().next().map(str::to_owned),
        },
        evidence,
    }
}

fn first_company(evidence: &[Evidence], signal: Signal) -> Option<String> {
    evidence
        .iter()
        .find(|e| e.signal == signal && e.company.is_some() && e.confidence > 0.0)
        .and_then(|e| e.company.clone())
}

fn evidence_label(evidence: &[Evidence]) -> Option<String> {
    first_company(evidence, Signal::NameScope)
}

fn company_display(policies: &[Policy], id: &str) -> Option<String> {
    policies
        .iter()
        .flat_map(|p| &p.companies)
        .find(|c| c.id == id)
        .map(|c| c.name.clone())
}

/// How many independent signal groups the snapshot offered to check.
fn groups_present(snap: &DeviceSnapshot, evidence: &[Evidence]) -> usize {
    let id = &snap.identity;
    let has = |s: &Option<String>| s.as_deref().is_some_and(|v| !v.trim().is_empty());
    let usable_mac = evidence
        .iter()
        .any(|e| e.signal == Signal::MacOui && e.rule != "locally administered address");
    [
        has(&id.manufacturer),
        has(&id.model) || has(&id.serial_number),
        has(&id.firmware_version),
        usable_mac,
        snap.profiles.iter().any(|p| p.stream_uri.is_some()),
        !snap.scopes.is_empty(),
    ]
    .iter()
    .filter(|b| **b)
    .count()
}

fn reason(
    verdict: Verdict,
    label: Option<&str>,
    company_name: Option<&str>,
    company: Option<&str>,
    evidence: &[Evidence],
    snap: &DeviceSnapshot,
) -> String {
    let mut signals: Vec<&'static str> = Vec::new();
    for e in evidence {
        if e.company.is_some() && e.company.as_deref() == company && e.confidence > 0.0 {
            let d = e.signal.describe();
            if !signals.contains(&d) {
                signals.push(d);
            }
        }
    }
    let list = |s: &[&str]| match s {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    let who = company_name.unwrap_or("a covered company");
    match verdict {
        Verdict::Banned => {
            let own = evidence.iter().find(|e| {
                matches!(e.signal, Signal::Manufacturer | Signal::NameScope)
                    && e.company.is_some()
                    && e.company.as_deref() == company
            });
            match own {
                Some(l) => {
                    let others: Vec<&str> = signals
                        .iter()
                        .copied()
                        .filter(|s| *s != "manufacturer" && *s != "name scope")
                        .collect();
                    let also = if others.is_empty() {
                        String::new()
                    } else {
                        format!("; {} agree", list(&others))
                    };
                    format!(
                        "Reports {} {:?} ({}){also}.",
                        l.signal.describe(),
                        l.observed,
                        l.rule
                    )
                }
                None => format!(
                    "No manufacturer reported; {} identify {who}.",
                    list(&signals)
                ),
            }
        }
        Verdict::WhiteLabel => {
            let oem = evidence
                .iter()
                .find(|e| e.signal == Signal::OemBrand && e.company.as_deref() == company);
            let tech: Vec<&str> = signals
                .iter()
                .copied()
                .filter(|s| *s != "OEM brand")
                .collect();
            let mut s = format!("Sold as {:?}", label.unwrap_or(""));
            if let Some(o) = oem {
                s.push_str(&format!(" ({})", o.rule));
            }
            if tech.is_empty() {
                s.push_str(&format!(
                    "; the brand's OEM relationship makes {who} the likely maker."
                ));
            } else {
                s.push_str(&format!(", but {} point to {who} hardware.", list(&tech)));
            }
            s
        }
        Verdict::Clear => {
            let weak: Vec<&Evidence> = evidence
                .iter()
                .filter(|e| e.company.is_some() && e.confidence > 0.0)
                .collect();
            let name = label.map_or_else(|| "Device".to_owned(), |l| format!("{l:?}"));
            if weak.is_empty() {
                let maker = evidence.iter().find_map(|e| {
                    (e.signal == Signal::MacOui)
                        .then(|| e.rule.split_once(" is assigned to "))
                        .flatten()
                        .map(|(_, org)| org.to_owned())
                });
                match maker {
                    Some(org) => format!(
                        "{name}: no signal points to a covered company; its MAC is assigned to {org}."
                    ),
                    None => format!("{name}: no signal points to a covered company."),
                }
            } else {
                let mut what: Vec<String> = Vec::new();
                for e in weak {
                    let s = format!("{} ({})", e.signal.describe(), e.rule);
                    if !what.contains(&s) {
                        what.push(s);
                    }
                }
                format!(
                    "{name}: weak signals below the flag threshold: {}.",
                    what.join("; ")
                )
            }
        }
        Verdict::Unknown => {
            let failed: Vec<&str> = snap
                .errors
                .iter()
                .filter(|e| e.operation.contains("GetDeviceInformation"))
                .map(|e| e.reason.as_str())
                .collect();
            let mut s = "Too little data: no manufacturer, model or firmware was read".to_owned();
            if let Some(r) = failed.first() {
                s.push_str(&format!(" (GetDeviceInformation failed: {r})"));
            }
            if !signals.is_empty() {
                s.push_str(&format!("; {} lean to {who}", list(&signals)));
            }
            s.push('.');
            s
        }
    }
}

#[cfg(test)]
mod tests;
