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
//! endpoint UUID), the *endpoint* UUID habit, *stream* URI shapes, other *scopes*, the *web*
//! server (Server header, Digest realm), the *SOAP* stack's namespaces, the *vendor* discovery
//! protocol that answered, and *OEM* relationships (a manufacturer "Amcrest" and an Amcrest OUI
//! restate one fact). Within a group only the strongest item counts; across groups the items
//! are treated as independent and combined with a noisy-OR, `p = 1 − Π(1 − wᵢ)`, capped at
//! [`MAX_CONFIDENCE`] because no set of remote signals proves who made a board.
//!
//! Evidence for a maker outside the policies (a MAC block registered to Axis, say) is
//! *counter-evidence*: when a device carries any, every weak item for a covered company
//! (weight below [`STRONG_WEIGHT`]: a stream path, a location scope, an owner-set name scope,
//! the endpoint-UUID habit) is set aside, named in the report, and left out of `p`.
//!
//! - **Covered**: a covered company reaches [`FLAG_THRESHOLD`] (or the device's own label names
//!   it) on at least two independent groups, at least one of them strong, nothing contradicts
//!   it, and the device's label names that company or there is no label. The reason quotes the
//!   policy's basis for covering the company.
//! - **WhiteLabel**: the same, but the device presents another name (an OEM brand, or any
//!   other): the signals disagree and the company is the likely maker.
//! - **Review**: a covered company is indicated, but on one evidence group only, on weak
//!   groups only, or against counter-evidence for another maker. A human decides.
//! - **Clear**: something identifying was read (from the login, pre-login answers, discovery
//!   or a vendor protocol) and no covered company is indicated. `confidence` reflects what was
//!   checked: `(1 − max p) · (1 − Π(1 − cₖ))` over the groups the device offered and the
//!   policies have rules for, `cₖ` being the strongest rule of that group (a firmware string
//!   checked against firmware grammars weighs 0.85, a location scope 0.35).
//! - **Unknown**: nothing identifying was read and nothing points to a covered company.
//!   `company` is the covered company the evidence leans to, if any, and `confidence` its `p`.

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
/// Its version. Version 2: verdicts `covered` (was `banned`) and `review`; evidence
/// `counter`/`set_aside`; pre-login signals; policy statement, scope and wording; `limits`;
/// device `serial`, `access`, `found_by`, `channels`; verdict `checked` and `wording`.
pub const VERSION: u64 = 2;
/// A covered company's combined confidence at or above this flags the device.
pub const FLAG_THRESHOLD: f64 = 0.5;
/// No combination of remote signals claims more than this.
pub const MAX_CONFIDENCE: f64 = 0.99;
/// Evidence at or above this weight is strong (a label, model, firmware grammar, covered MAC
/// block, vendor protocol); below it, weak, and set aside by counter-evidence.
pub const STRONG_WEIGHT: f64 = 0.8;

/// What no remote audit can see, stated in every report.
pub const LIMITS: &[&str] = &[
    "Chips and modules inside other brands' cameras: a HiSilicon (Huawei) system-on-chip, or a covered company's sensor board, in an otherwise unrelated camera leaves no trace in ONVIF, discovery or the MAC; only a teardown or the maker's bill of materials shows it.",
    "Firmware a reseller has rewritten beyond what the device reports, and OEM relationships no public source records.",
    "Ownership and jurisdiction changes after the sources' dates (the policies' tests are about who produces the equipment, which can change).",
    "Devices that answer neither ONVIF nor SADP/DHIP discovery on the networks probed (other VLANs, switched-off discovery).",
];

/// Where a piece of evidence was seen.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
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
    /// The HTTP `Server` header, seen before any login.
    HttpServer,
    /// The HTTP Digest realm, seen before any login.
    AuthRealm,
    /// A namespace the device's SOAP answers declare.
    SoapNamespace,
    /// A vendor discovery protocol (SADP, DHIP) that the device answered.
    VendorDiscovery,
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
            Self::HttpServer => "HTTP Server header",
            Self::AuthRealm => "Digest realm",
            Self::SoapNamespace => "SOAP namespace",
            Self::VendorDiscovery => "vendor discovery",
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
            Self::HttpServer | Self::AuthRealm => "web",
            Self::SoapNamespace => "soap",
            Self::VendorDiscovery => "vendor",
        }
    }
}

/// One observation and what it means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// Counter-evidence: the maker outside the policies this value points to (the
    /// organisation an OUI is registered to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter: Option<String>,
    /// A weak item set aside because counter-evidence names another maker: listed, not counted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub set_aside: bool,
}

/// The outcome for one device.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Made by a covered company and presented as such (or under no other name): the policy's
    /// own word and scope apply.
    Covered,
    /// Sold under another name, made by a covered company.
    WhiteLabel,
    /// Indicated on one evidence group only, on weak signals only, or against evidence for
    /// another maker: a human decides.
    Review,
    /// Nothing identifying could be read.
    Unknown,
    /// Nothing points to a covered company.
    Clear,
}

impl Verdict {
    /// Every verdict, in report order.
    pub const ALL: [Self; 5] = [
        Self::Covered,
        Self::WhiteLabel,
        Self::Review,
        Self::Unknown,
        Self::Clear,
    ];

    /// Covered or white label: what a replacement plan acts on.
    pub fn flagged(self) -> bool {
        matches!(self, Self::Covered | Self::WhiteLabel)
    }

    /// What makes `camswap audit` exit 10: everything but clear (and unknown when
    /// `allow_unknown`).
    pub fn needs_attention(self, allow_unknown: bool) -> bool {
        match self {
            Self::Clear => false,
            Self::Unknown => !allow_unknown,
            _ => true,
        }
    }

    /// Words for a report (`COVERED`, `WHITE LABEL`, ...).
    pub fn label(self) -> &'static str {
        match self {
            Self::Covered => "COVERED",
            Self::WhiteLabel => "WHITE LABEL",
            Self::Review => "REVIEW",
            Self::Unknown => "UNKNOWN",
            Self::Clear => "CLEAR",
        }
    }
}

/// What the device said about itself, for the report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// First interface MAC (else the MAC a vendor discovery answer gave).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// Serial (from the login, a pre-login answer or vendor discovery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// How far we got: `login` (read with our credentials), `login refused` (judged on what it
    /// shows without one), `ONVIF off` (found only by SADP/DHIP), `unreachable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<String>,
    /// The discovery protocols that found it (`WS-Discovery`, `SADP`, `DHIP`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub found_by: Vec<String>,
    /// Video channels (recorders and encoders: one per input; cameras: usually 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<u32>,
    /// A multi-channel device's channels as `name (source token)`, or the token when unnamed,
    /// in the device's order: what an auditor matches against the recorder's own screen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channel_names: Vec<String>,
}

/// The verdict on one device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// The covering policies' words for this device (covered and white label):
    /// `uk-2022: covered: do not deploy on sensitive sites; removal advised`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wording: Vec<String>,
    /// The signal groups that were checked against the policies (what a clear verdict's
    /// confidence rests on).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checked: Vec<String>,
    /// Everything seen, strongest first.
    pub evidence: Vec<Evidence>,
}

impl DeviceVerdict {
    /// Covered or white label.
    pub fn flagged(&self) -> bool {
        self.verdict.flagged()
    }

    /// Evidence pointing to the verdict's company, strongest first.
    pub fn deciding(&self) -> impl Iterator<Item = &Evidence> {
        self.evidence.iter().filter(move |e| {
            e.company.is_some() && e.company == self.company && e.confidence > 0.0 && !e.set_aside
        })
    }

    /// Counter-evidence: values that point to a maker outside the policies.
    pub fn counter_evidence(&self) -> impl Iterator<Item = &Evidence> {
        self.evidence.iter().filter(|e| e.counter.is_some())
    }
}

/// Counts per verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Summary {
    /// Devices audited.
    pub devices: usize,
    /// Covered.
    pub covered: usize,
    /// White label.
    pub white_label: usize,
    /// Review.
    pub review: usize,
    /// Unknown.
    pub unknown: usize,
    /// Clear.
    pub clear: usize,
}

impl Summary {
    /// Covered plus white label.
    pub fn flagged(&self) -> usize {
        self.covered + self.white_label
    }

    /// The count for one verdict.
    pub fn count(&self, v: Verdict) -> usize {
        match v {
            Verdict::Covered => self.covered,
            Verdict::WhiteLabel => self.white_label,
            Verdict::Review => self.review,
            Verdict::Unknown => self.unknown,
            Verdict::Clear => self.clear,
        }
    }

    /// Devices that make the audit exit 10.
    pub fn needing_attention(&self, allow_unknown: bool) -> usize {
        Verdict::ALL
            .iter()
            .filter(|v| v.needs_attention(allow_unknown))
            .map(|v| self.count(*v))
            .sum()
    }
}

/// A policy as the report names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// Jurisdiction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    /// What it requires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The policy's own words, quoted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    /// Where and to what it applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Its word for a covered device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covered_wording: Option<String>,
}

/// The audit of a set of devices (JSON format `camswap.audit` version 2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// What no remote audit can see ([`LIMITS`]).
    pub limits: Vec<String>,
    /// One verdict per device, by id.
    pub devices: Vec<DeviceVerdict>,
}

impl AuditReport {
    /// The flagged devices (covered or white label), in report order.
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
            Verdict::Covered => summary.covered += 1,
            Verdict::WhiteLabel => summary.white_label += 1,
            Verdict::Review => summary.review += 1,
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
                jurisdiction: p.jurisdiction.clone(),
                summary: p.summary.clone(),
                statement: p.statement.clone(),
                scope: p.scope.clone(),
                covered_wording: p.covered_wording.clone(),
            })
            .collect(),
        oui_sources: oui.sources().to_vec(),
        threshold: FLAG_THRESHOLD,
        summary,
        limits: LIMITS.iter().map(|s| (*s).to_owned()).collect(),
        devices,
    }
}

/// The combined confidence per company id (see the module docs).
pub fn combine(evidence: &[Evidence]) -> BTreeMap<String, f64> {
    let mut groups: BTreeMap<(String, &'static str), f64> = BTreeMap::new();
    for e in evidence.iter().filter(|e| !e.set_aside) {
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
    let id = if snap.id.trim().is_empty() {
        snap.stable_id()
    } else {
        snap.id.clone()
    };
    let view = signals::IdentityView::of(snap);

    // Counter-evidence outweighs every weak item for a covered company.
    let mut counter: Vec<String> = Vec::new();
    for e in &evidence {
        if let Some(c) = &e.counter
            && !counter.contains(c)
        {
            counter.push(c.clone());
        }
    }
    if !counter.is_empty() {
        for e in evidence.iter_mut() {
            if e.company.is_some() && e.confidence > 0.0 && e.confidence < STRONG_WEIGHT {
                e.set_aside = true;
                let why = format!(
                    "set aside: a weak signal, and the device carries evidence for {}",
                    counter.join(", ")
                );
                e.note = Some(match e.note.take() {
                    Some(n) => format!("{n}; {why}"),
                    None => why,
                });
            }
        }
    }
    let scores = combine(&evidence);

    // The device's own label: the manufacturer string when there is one, else a name scope.
    let scopes = signals::scopes_of(snap);
    let name_scope = scopes
        .iter()
        .find_map(|(p, _, _)| signals::category(p, "name").map(str::to_owned));
    let label_text = view
        .manufacturer
        .as_ref()
        .map(|m| m.value.clone())
        .or(name_scope);
    let label_company = if view.manufacturer.is_some() {
        first_company(&evidence, Signal::Manufacturer)
    } else {
        first_company(&evidence, Signal::NameScope)
    };
    let best = scores
        .iter()
        .fold(None::<(&String, f64)>, |acc, (c, &p)| match acc {
            Some((_, bp)) if bp >= p => acc,
            _ => Some((c, p)),
        });
    let candidate = label_company.clone().or_else(|| {
        best.filter(|(_, p)| *p >= FLAG_THRESHOLD)
            .map(|(c, _)| c.clone())
    });
    let readable = view.any()
        || scopes.iter().any(|(p, _, _)| {
            signals::category(p, "name").is_some() || signals::category(p, "hardware").is_some()
        });

    let (verdict, company, confidence, problem) = match candidate {
        Some(c) => {
            let p = scores.get(&c).copied().unwrap_or(0.0);
            let mut groups: Vec<&'static str> = Vec::new();
            let mut strong = false;
            for e in evidence.iter().filter(|e| {
                e.company.as_deref() == Some(c.as_str()) && e.confidence > 0.0 && !e.set_aside
            }) {
                if !groups.contains(&e.signal.group()) {
                    groups.push(e.signal.group());
                }
                strong |= e.confidence >= STRONG_WEIGHT;
            }
            let problem = if !counter.is_empty() {
                Some(Problem::Contradicted)
            } else if groups.len() < 2 {
                Some(Problem::OneGroup)
            } else if !strong || p < FLAG_THRESHOLD {
                Some(Problem::WeakOnly)
            } else {
                None
            };
            let names_it = label_company.as_deref() == Some(c.as_str()) || label_text.is_none();
            let verdict = match (problem, names_it) {
                (Some(_), _) => Verdict::Review,
                (None, true) => Verdict::Covered,
                (None, false) => Verdict::WhiteLabel,
            };
            (verdict, Some(c), p, problem)
        }
        None if readable => {
            let max_p = best.map_or(0.0, |(_, p)| p);
            let coverage = checked_power(snap, policies, &evidence);
            let conf = (1.0 - max_p) * coverage;
            (Verdict::Clear, None, round(conf.min(MAX_CONFIDENCE)), None)
        }
        None => {
            let lean = best.filter(|(_, p)| *p > 0.0);
            (
                Verdict::Unknown,
                lean.map(|(c, _)| c.clone()),
                lean.map_or(0.0, |(_, p)| p),
                None,
            )
        }
    };

    // Strongest first; set-aside and context last; ties keep collection order (deterministic).
    evidence.sort_by(|a, b| {
        let rank = |e: &Evidence| {
            (e.company.is_some() && e.company == company && !e.set_aside) as u8 * 2
                + (e.counter.is_some() || e.set_aside) as u8
        };
        rank(b)
            .cmp(&rank(a))
            .then(b.confidence.total_cmp(&a.confidence))
    });
    let company_name = company
        .as_deref()
        .and_then(|c| company_display(policies, c));
    let covering: Vec<&Policy> = company.as_deref().map_or_else(Vec::new, |c| {
        policies
            .iter()
            .filter(|p| p.companies.iter().any(|x| x.id == c))
            .collect()
    });
    let wording: Vec<String> = if verdict.flagged() {
        covering
            .iter()
            .map(|p| match &p.covered_wording {
                Some(w) => format!("{}: {w}", p.id),
                None => format!("{}: covered", p.id),
            })
            .collect()
    } else {
        Vec::new()
    };
    let basis = company.as_deref().and_then(|c| {
        covering.first().and_then(|p| {
            p.companies
                .iter()
                .find(|x| x.id == c)
                .map(|x| format!("{} ({})", x.basis, p.id))
        })
    });
    let access = access(snap);
    let mut reason = reason(&Context {
        verdict,
        problem,
        label: label_text.as_deref(),
        company_name: company_name.as_deref(),
        company: company.as_deref(),
        basis: basis.as_deref(),
        evidence: &evidence,
        snap,
    });
    match access.as_deref() {
        Some("login refused") if verdict != Verdict::Unknown => reason.push_str(
            " The device refused our credentials: judged on what discovery and the unauthenticated exchange showed.",
        ),
        Some("ONVIF off") => reason.push_str(
            " ONVIF is off: found by its vendor discovery protocol only; enable ONVIF (or read it by hand) before it can be migrated.",
        ),
        _ => {}
    }
    let checked = if verdict == Verdict::Clear {
        checked_groups(snap, policies, &evidence)
            .into_iter()
            .map(|(g, _)| g.to_owned())
            .collect()
    } else {
        Vec::new()
    };
    DeviceVerdict {
        id,
        verdict,
        company,
        company_name,
        confidence,
        policies: covering.iter().map(|p| p.id.clone()).collect(),
        reason,
        device: summary_of(snap, &view),
        wording,
        checked,
        evidence,
    }
}

/// Why a covered company's indication stops at review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    /// Evidence for a maker outside the policies.
    Contradicted,
    /// Only one evidence group.
    OneGroup,
    /// Only weak groups.
    WeakOnly,
}

fn summary_of(snap: &DeviceSnapshot, view: &signals::IdentityView) -> DeviceSummary {
    let pre = &snap.unauthenticated;
    let mut found_by = Vec::new();
    if snap.endpoint.is_some() || pre.discovery.is_some() {
        found_by.push("WS-Discovery".to_owned());
    }
    for a in &pre.vendor_discovery {
        if let Some(p) = a.protocol {
            let n = p.name().to_owned();
            if !found_by.contains(&n) {
                found_by.push(n);
            }
        }
    }
    let vendor_channels = pre.vendor_discovery.iter().filter_map(|a| a.channels).max();
    let listed = snap.channels();
    let onvif_channels = (!listed.is_empty()).then_some(listed.len() as u32);
    let channel_names = if listed.len() > 1 {
        listed
            .iter()
            .map(crate::model::ChannelName::label)
            .collect()
    } else {
        Vec::new()
    };
    DeviceSummary {
        manufacturer: view.manufacturer.as_ref().map(|s| s.value.clone()),
        model: view.model.as_ref().map(|s| s.value.clone()),
        firmware: view.firmware.as_ref().map(|s| s.value.clone()),
        xaddr: snap.xaddr.clone(),
        mac: snap.macs().next().map(str::to_owned).or_else(|| {
            pre.vendor_discovery
                .iter()
                .find_map(|a| a.mac.clone())
                .map(|m| m.to_ascii_lowercase().replace('-', ":"))
        }),
        serial: view.serial.as_ref().map(|s| s.value.clone()),
        access: access(snap),
        found_by,
        channels: onvif_channels.or(vendor_channels),
        channel_names,
    }
}

/// How far the read got, for the report.
fn access(snap: &DeviceSnapshot) -> Option<String> {
    let pre = &snap.unauthenticated;
    if snap.onvif_off() {
        return Some("ONVIF off".into());
    }
    if pre.login_refused {
        return Some("login refused".into());
    }
    if crate::inventory::reader::unreachable(snap) {
        return Some("unreachable".into());
    }
    let id = &snap.identity;
    (id.manufacturer.is_some() || id.model.is_some() || id.firmware_version.is_some())
        .then(|| "login".into())
}

fn first_company(evidence: &[Evidence], signal: Signal) -> Option<String> {
    evidence
        .iter()
        .find(|e| e.signal == signal && e.company.is_some() && e.confidence > 0.0 && !e.set_aside)
        .and_then(|e| e.company.clone())
}

fn company_display(policies: &[Policy], id: &str) -> Option<String> {
    policies
        .iter()
        .flat_map(|p| &p.companies)
        .find(|c| c.id == id)
        .map(|c| c.name.clone())
}

/// The signal groups the device offered a value for that the policies have rules to check,
/// each with the weight of the strongest such rule: a clean check of a strong group says more
/// than a clean check of a weak one.
fn checked_groups(
    snap: &DeviceSnapshot,
    policies: &[Policy],
    evidence: &[Evidence],
) -> Vec<(&'static str, f64)> {
    let companies: Vec<&policy::Company> = policies.iter().flat_map(|p| &p.companies).collect();
    let max =
        |f: &dyn Fn(&policy::Company) -> f64| companies.iter().map(|c| f(c)).fold(0.0f64, f64::max);
    let max_fp = |kinds: &[policy::FingerprintKind]| {
        max(&|c: &policy::Company| {
            c.fingerprints
                .iter()
                .filter(|f| kinds.contains(&f.kind))
                .map(|f| f.rule.confidence)
                .fold(0.0, f64::max)
        })
    };
    let rules = |r: &[policy::PatternRule]| r.iter().map(|r| r.confidence).fold(0.0, f64::max);
    let view = signals::IdentityView::of(snap);
    let scopes = signals::scopes_of(snap);
    let pre = &snap.unauthenticated;
    let has_names = companies.iter().any(|c| !c.names.is_empty());
    let usable_mac = evidence.iter().any(|e| {
        e.signal == Signal::MacOui
            && e.rule != "locally administered address"
            && e.rule != "not a MAC address"
    });
    let mut out = Vec::new();
    let mut push = |group: &'static str, present: bool, weight: f64| {
        if present && weight > 0.0 {
            out.push((group, weight));
        }
    };
    push(
        "label",
        view.manufacturer.is_some(),
        if has_names {
            signals::MANUFACTURER_WEIGHT
        } else {
            0.0
        },
    );
    push(
        "model",
        view.model.is_some()
            || view.serial.is_some()
            || scopes
                .iter()
                .any(|(p, _, _)| signals::category(p, "hardware").is_some()),
        max(&|c| rules(&c.models)),
    );
    push(
        "firmware",
        view.firmware.is_some(),
        max(&|c| c.firmware.iter().map(|r| r.confidence).fold(0.0, f64::max)),
    );
    push("mac", usable_mac, signals::OUI_WEIGHT);
    push(
        "stream",
        snap.profiles.iter().any(|p| p.stream_uri.is_some()),
        max(&|c| rules(&c.stream_paths)),
    );
    push("scope", !scopes.is_empty(), max(&|c| rules(&c.scopes)));
    push(
        "web",
        pre.http_server.is_some() || pre.auth_realm.is_some(),
        max_fp(&[
            policy::FingerprintKind::HttpServer,
            policy::FingerprintKind::AuthRealm,
        ]),
    );
    push(
        "soap",
        !pre.soap_namespaces.is_empty(),
        max_fp(&[policy::FingerprintKind::SoapNamespace]),
    );
    out
}

/// `1 − Π(1 − cₖ)` over the checked groups (see the module docs).
fn checked_power(snap: &DeviceSnapshot, policies: &[Policy], evidence: &[Evidence]) -> f64 {
    1.0 - checked_groups(snap, policies, evidence)
        .iter()
        .map(|(_, w)| 1.0 - w)
        .product::<f64>()
}

struct Context<'a> {
    verdict: Verdict,
    problem: Option<Problem>,
    label: Option<&'a str>,
    company_name: Option<&'a str>,
    company: Option<&'a str>,
    basis: Option<&'a str>,
    evidence: &'a [Evidence],
    snap: &'a DeviceSnapshot,
}

fn list(s: &[String]) -> String {
    match s {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn reason(cx: &Context<'_>) -> String {
    let company = cx.company;
    let mut signals: Vec<String> = Vec::new();
    for e in cx.evidence {
        if e.company.is_some()
            && e.company.as_deref() == company
            && e.confidence > 0.0
            && !e.set_aside
        {
            let d = e.signal.describe().to_owned();
            if !signals.contains(&d) {
                signals.push(d);
            }
        }
    }
    let who = cx.company_name.unwrap_or("a covered company");
    let counter: Vec<String> = {
        let mut v: Vec<String> = Vec::new();
        for e in cx.evidence.iter().filter(|e| e.counter.is_some()) {
            let s = format!("{} {}: {}", e.signal.describe(), e.observed, e.rule);
            if !v.contains(&s) {
                v.push(s);
            }
        }
        v
    };
    let set_aside: Vec<String> = {
        let mut v: Vec<String> = Vec::new();
        for e in cx.evidence.iter().filter(|e| e.set_aside) {
            let s = format!("{} {:?} ({})", e.signal.describe(), e.observed, e.rule);
            if !v.contains(&s) {
                v.push(s);
            }
        }
        v
    };
    let why_covered = cx
        .basis
        .map(|b| format!(" Why it is covered: {b}."))
        .unwrap_or_default();
    match cx.verdict {
        Verdict::Covered => {
            let own = cx.evidence.iter().find(|e| {
                matches!(e.signal, Signal::Manufacturer | Signal::NameScope)
                    && e.company.is_some()
                    && e.company.as_deref() == company
                    && !e.set_aside
            });
            let head = match own {
                Some(l) => {
                    let others: Vec<String> = signals
                        .iter()
                        .filter(|s| *s != "manufacturer" && *s != "name scope")
                        .cloned()
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
            };
            format!("{head}{why_covered}")
        }
        Verdict::WhiteLabel => {
            let oem = cx
                .evidence
                .iter()
                .find(|e| e.signal == Signal::OemBrand && e.company.as_deref() == company);
            let tech: Vec<String> = signals
                .iter()
                .filter(|s| *s != "OEM brand")
                .cloned()
                .collect();
            let mut s = format!("Sold as {:?}", cx.label.unwrap_or(""));
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
            format!("{s}{why_covered}")
        }
        Verdict::Review => {
            let what = if signals.is_empty() {
                "the device's label".to_owned()
            } else {
                list(&signals)
            };
            let problem = match cx.problem {
                Some(Problem::Contradicted) => format!(
                    "counter-evidence points to another maker: {}",
                    counter.join("; ")
                ),
                Some(Problem::OneGroup) => {
                    "that is one evidence group only, and nothing independent confirms it".into()
                }
                _ => {
                    "only weak signals, with no label, model, firmware or MAC block to confirm them"
                        .into()
                }
            };
            let mut s = format!("Review: {what} point to {who}, but {problem}.");
            if !set_aside.is_empty() {
                s.push_str(&format!(" Set aside: {}.", set_aside.join("; ")));
            }
            s
        }
        Verdict::Clear => {
            let weak: Vec<&Evidence> = cx
                .evidence
                .iter()
                .filter(|e| e.company.is_some() && e.confidence > 0.0 && !e.set_aside)
                .collect();
            let name = cx
                .label
                .map_or_else(|| "Device".to_owned(), |l| format!("{l:?}"));
            let mut s = if weak.is_empty() {
                format!("{name}: no signal points to a covered company.")
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
            };
            if !set_aside.is_empty() {
                s.push_str(&format!(
                    " Set aside as outweighed by counter-evidence ({}): {}.",
                    counter.join("; "),
                    set_aside.join("; ")
                ));
            } else if let Some(c) = counter.first() {
                s.push_str(&format!(" Evidence for another maker: {c}."));
            }
            s
        }
        Verdict::Unknown => {
            let failed: Vec<&str> = cx
                .snap
                .errors
                .iter()
                .filter(|e| e.operation.contains("GetDeviceInformation"))
                .map(|e| e.reason.as_str())
                .collect();
            let mut s = "Too little data: no manufacturer, model or firmware was read, with or without a login".to_owned();
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
