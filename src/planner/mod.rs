//! The planner (pure): for each flagged camera, the approved model that does what the old one
//! actually does, and the exact settings the new one gets, value by value, with every
//! compromise spelled out, before anything is touched.
//!
//! No I/O, no clock, no randomness: [`plan()`] maps its inputs to a [`Plan`] deterministically
//! (inputs are sorted by id, classes and models by value, maps are ordered), so the same inputs
//! in any order give the same bytes and fingerprint. Reading and hashing files lives apart, in
//! [`files`].
//!
//! Stages:
//! 1. [`requirements`]: what each old camera is configured to do, hard constraints and
//!    preferences, each with its origin;
//! 2. [`matching`] and [`assign`]: every catalogue model checked and costed against each
//!    requirement class; a min-cost max-flow ([`mcmf`]) assigns models under stock limits;
//! 3. translation: [`encoder`] settings, [`presets`] through [`ptz`] coordinate spaces,
//!    [`recording`], [`network`] identity (moved last);
//! 4. [`plan::Plan`]: data apply executes, with [`rollout`] waves and a fingerprint;
//!    [`render`] is the dry run and [`check`] detects inventory drift.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub mod assign;
pub mod catalog;
pub mod check;
pub mod encoder;
pub mod files;
pub mod learn;
pub mod matching;
pub mod mcmf;
pub mod network;
pub mod plan;
pub mod presets;
pub mod ptz;
pub mod recorder;
pub mod recording;
pub mod render;
pub mod requirements;
pub mod rollout;
pub mod stock;

#[cfg(test)]
pub(crate) mod testdata;
#[cfg(test)]
mod tests;

pub use catalog::{Catalog, CatalogModel};
pub use plan::{InputFile, Inputs, Plan, Step};
pub use rollout::Rollout;
pub use stock::Stock;

use crate::inventory::DeviceSnapshot;
use crate::parallel;
use assign::{Choice, Class};
use plan::{CameraPlan, NoSuitableModel, OldCamera, OutOfStock, Replacement, Wave};
use rollout::CameraKey;

/// The audit's verdict on one device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    /// `covered` or `white-label`.
    pub verdict: String,
    /// The covered company (`Hikvision`, `Dahua`), when known.
    pub company: Option<String>,
    /// Confidence 0..1.
    pub confidence: f64,
}

/// One preset aimed by hand on the new camera.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Anchor {
    /// The old camera's inventory id.
    pub camera: String,
    /// The preset, by token (number) or name.
    pub preset: String,
    /// Pan on the new camera, in its own degrees (as its catalogue row writes the range).
    pub pan: f64,
    /// Tilt on the new camera, in its own degrees and sign.
    pub tilt: f64,
}

impl Anchor {
    /// Parses `OLD_ID:PRESET=PAN,TILT` (the id may itself contain `:`, as `serial:X`).
    pub fn parse(s: &str) -> Result<Self, String> {
        let err =
            || format!("\"{s}\": expected OLD_ID:PRESET=PAN,TILT (degrees on the new camera)");
        let (left, angles) = s.rsplit_once('=').ok_or_else(err)?;
        let (camera, preset) = left.rsplit_once(':').ok_or_else(err)?;
        let (pan, tilt) = angles.split_once(',').ok_or_else(err)?;
        let (pan, tilt): (f64, f64) = (
            pan.trim().parse().map_err(|_| err())?,
            tilt.trim().parse().map_err(|_| err())?,
        );
        if camera.trim().is_empty()
            || preset.trim().is_empty()
            || !pan.is_finite()
            || !tilt.is_finite()
        {
            return Err(err());
        }
        Ok(Self {
            camera: camera.trim().to_owned(),
            preset: preset.trim().to_owned(),
            pan,
            tilt,
        })
    }
}

/// Planning options (recorded in the plan).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PlanOptions {
    /// Bitrate factor from H.264 to H.265 at equal quality (the inverse applies back). The
    /// default 0.7 is the conservative end of the planning figure in DOMAIN.md 3b (a 30–50 %
    /// saving); lab tests found more (JCT-VC 44–59 %, NTIA/ITS about half), camera tests less
    /// (IPVM 10–15 %, i.e. 0.85–0.9). Re-measure after cut-over.
    pub h265_bitrate_factor: f64,
    /// Switch H.264 streams to H.265 where the new model offers it.
    pub prefer_h265: bool,
    /// Prefer this vendor over any price difference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_vendor: Option<String>,
    /// Share of the in-use pixel count a replacement may fall short by (0.10: 2688x1520 may
    /// become 2560x1440, not 1920x1080).
    pub resolution_tolerance: f64,
    /// Names for cameras whose old hostname is a factory default: `{site}`, `{location}`,
    /// `{n}` (see [`network::hostname_from_template`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname_template: Option<String>,
    /// Presets aimed by hand on new cameras (`--anchor OLD_ID:PRESET=PAN,TILT`): each fixes
    /// the pan offset between the old and the new unit for that camera's other presets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub anchors: Vec<Anchor>,
    /// Audio streams are a requirement even when nothing records them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub keep_audio: bool,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            h265_bitrate_factor: 0.7,
            prefer_h265: false,
            preferred_vendor: None,
            resolution_tolerance: 0.10,
            hostname_template: None,
            keep_audio: false,
            anchors: Vec::new(),
        }
    }
}

/// Everything a plan is made from.
#[derive(Debug, Clone)]
pub struct PlanInput<'a> {
    /// The inventory's devices (any order).
    pub snapshots: &'a [DeviceSnapshot],
    /// Flagged devices by id (from the audit).
    pub flagged: &'a BTreeMap<String, Flag>,
    /// Approved models.
    pub catalog: &'a Catalog,
    /// Stock limits, when given.
    pub stock: Option<&'a Stock>,
    /// Waves, when given.
    pub rollout: Option<&'a Rollout>,
    /// Options.
    pub options: &'a PlanOptions,
    /// Names and sha256 of the input files (computed by the caller).
    pub inputs: Inputs,
    /// Every snapshot's `sha256` has been checked against its content by the caller (the
    /// inventory reader refuses a file where one does not match): the plan records it as it
    /// is. False: each flagged snapshot is hashed here.
    pub sha256_checked: bool,
    /// Threads to plan with; 0: every core the process may use. The plan is the same, byte
    /// for byte, whatever the number.
    pub threads: usize,
}

/// The IPv4 address selectors and the plan use for a camera.
fn address_of(s: &DeviceSnapshot) -> Option<String> {
    network::ipv4(s).map(|(a, _, _)| a.to_owned()).or_else(|| {
        let rest = s.xaddr.split_once("://")?.1;
        let host = rest.split(['/', '?']).next()?;
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        host.parse::<std::net::Ipv4Addr>()
            .ok()
            .map(|a| a.to_string())
    })
}

/// The plan's error for a camera found only by SADP/DHIP: what it is, and what to do first.
fn onvif_off_error(s: &DeviceSnapshot) -> String {
    let answers = &s.unauthenticated.vendor_discovery;
    let protocols: Vec<&str> = answers
        .iter()
        .filter_map(|a| a.protocol.map(|p| p.name()))
        .collect();
    let mut seen = String::new();
    if let (_, Some(m)) = s.reported_make_and_model() {
        seen.push_str(&format!(" model {m}"));
    }
    if let Some(sn) = answers.iter().find_map(|a| a.serial.as_deref()) {
        seen.push_str(&format!(" serial {sn}"));
    }
    format!(
        "ONVIF is off (found only by {}:{seen}): enable ONVIF on the camera (or read its streams and settings by hand) and run `camswap inventory` again before it can be migrated; no replacement is chosen until then, as its requirements are unknown",
        if protocols.is_empty() {
            "vendor discovery".to_owned()
        } else {
            protocols.join(" and ")
        }
    )
}

/// Makes the plan, every camera in memory (the dry run, tests, library callers). `camswap plan
/// -o` streams the same plan camera by camera instead: [`stream`] and
/// [`plan::write_streamed`].
pub fn plan(input: &PlanInput<'_>) -> Plan {
    let (header, cameras) = stream(input);
    let cameras = cameras.collect_parallel();
    let mut p = Plan {
        format: header.format,
        version: header.version,
        fingerprint: String::new(),
        inputs: header.inputs,
        options: header.options,
        warnings: header.warnings,
        waves: header.waves,
        cameras,
    };
    p.seal();
    p
}

/// The plan in two parts: everything site-wide, decided now (which cameras, the assignment of
/// models under stock, waves, site warnings), and the cameras' plans, each translated when the
/// iterator reaches it, in the plan's order, so a caller can write it and let it go (a
/// 100,000-camera plan is hundreds of MiB as data). Collected, the same [`Plan`] as [`plan()`].
pub fn stream<'a>(input: &'a PlanInput<'a>) -> (plan::PlanHeader, Cameras<'a>) {
    Cameras::new(input)
}

/// The cameras of a plan being made, in order (see [`stream`]).
pub struct Cameras<'a> {
    site: Site<'a>,
    /// What each camera left still owns, taken when it is translated.
    parts: std::vec::IntoIter<Parts>,
    /// The index of the next camera to translate.
    next: usize,
}

/// Everything decided site-wide, read (never changed) while cameras are translated, so any
/// thread can translate any camera.
struct Site<'a> {
    input: &'a PlanInput<'a>,
    threads: usize,
    /// Flagged snapshots sorted by id, with their flag.
    flagged: Vec<(&'a DeviceSnapshot, &'a Flag)>,
    wave_of: Vec<usize>,
    class_of: Vec<usize>,
    capacity: Vec<Option<u64>>,
    assignment: assign::Assignment,
    rollout: Rollout,
    /// Which cameras the header's warning lists as having errors (checked as each is made).
    with_errors: Vec<bool>,
    /// Cameras named from the hostname template before each one.
    templated_before: Vec<u32>,
}

/// One camera's share of the site-wide work that moves into its plan (no copy of 100,000
/// lists).
struct Parts {
    /// The snapshot's sha256.
    digest: String,
    requirements: requirements::Requirements,
    address: Option<String>,
    recorder: Option<recorder::RecorderPlan>,
}

impl<'a> Cameras<'a> {
    /// Decides everything site-wide: requirements, classes, the assignment, waves, warnings.
    fn new(input: &'a PlanInput<'a>) -> (plan::PlanHeader, Self) {
        let opts = input.options;
        let catalog = input.catalog;
        let threads = parallel::threads(input.threads);
        let mut plan_warnings = Vec::new();
        if catalog.example {
            plan_warnings.push(
                "the catalogue is EXAMPLE data (datasheet figures from memory, unverified): check every model against its datasheet before ordering".to_owned(),
            );
        }

        // Flagged snapshots, by id; a repeated id keeps the first by content hash.
        let candidates: Vec<(&DeviceSnapshot, &Flag)> = input
            .snapshots
            .iter()
            .filter_map(|s| input.flagged.get(&s.id).map(|f| (s, f)))
            .collect();
        let digests = parallel::map(threads, &candidates, |(s, _)| {
            if input.sha256_checked && !s.sha256.is_empty() {
                s.sha256.clone()
            } else {
                s.digest()
            }
        });
        let mut flagged: Vec<(&DeviceSnapshot, &Flag, String)> = candidates
            .into_iter()
            .zip(digests)
            .map(|((s, f), d)| (s, f, d))
            .collect();
        flagged.sort_by(|a, b| (&a.0.id, &a.2).cmp(&(&b.0.id, &b.2)));
        let before = flagged.len();
        flagged.dedup_by(|b, a| a.0.id == b.0.id);
        if flagged.len() != before {
            plan_warnings.push(format!(
                "{} devices appear more than once in the inventory under the same id: planned once each",
                before - flagged.len()
            ));
        }
        let missing: Vec<&String> = input
            .flagged
            .keys()
            .filter(|id| {
                flagged
                    .binary_search_by(|f| f.0.id.as_str().cmp(id))
                    .is_err()
            })
            .collect();
        if !missing.is_empty() {
            plan_warnings.push(format!(
                "{} flagged ids are not in the inventory: {}",
                missing.len(),
                missing
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }

        let reqs: Vec<requirements::Requirements> =
            parallel::map(threads, &flagged, |(s, f, _)| {
                requirements::derive(s, f, catalog, opts)
            });

        // Waves first: earlier waves get stock first.
        let rollout = input.rollout.cloned().unwrap_or_default();
        let addresses: Vec<Option<String>> =
            flagged.iter().map(|(s, _, _)| address_of(s)).collect();
        let wave_of: Vec<usize> = flagged
            .iter()
            .enumerate()
            .map(|(i, (s, f, _))| {
                let scopes: Vec<String> = s.scopes.iter().map(|x| x.uri.clone()).collect();
                rollout.wave_of(&CameraKey {
                    id: &s.id,
                    address: addresses[i].as_deref().and_then(|a| a.parse().ok()),
                    scopes: &scopes,
                    verdict: Some(&f.verdict),
                })
            })
            .collect();
        // Every flagged camera is in exactly one wave (the first that selects it); one that no
        // wave of the rollout file selects is named here, before apply puts it in the final
        // wave.
        if input.rollout.is_some() && !rollout.waves.is_empty() {
            let unselected: Vec<&str> = flagged
                .iter()
                .zip(&wave_of)
                .filter(|(_, w)| **w == rollout.waves.len())
                .map(|((s, _, _), _)| s.id.as_str())
                .collect();
            if !unselected.is_empty() {
                plan_warnings.push(rollout::unselected_warning(&unselected));
            }
        }

        // Classes of identical needs; cameras in (wave, id) order.
        // Recorders are never matched to a camera model.
        let recorders: Vec<Option<recorder::RecorderPlan>> = flagged
            .iter()
            .map(|(s, _, _)| recorder::recognise(s))
            .collect();
        let mut by_needs: BTreeMap<&requirements::Needs, Vec<usize>> = BTreeMap::new();
        // Nor is a camera with ONVIF off: nothing of it was read, so there is nothing to match.
        for (i, r) in reqs.iter().enumerate() {
            if recorders[i].is_none() && !flagged[i].0.onvif_off() {
                by_needs.entry(&r.needs).or_default().push(i);
            }
        }
        let classes: Vec<Class> = by_needs
            .into_iter()
            .map(|(needs, mut cameras)| {
                cameras.sort_by_key(|&i| (wave_of[i], i));
                Class {
                    needs: needs.clone(),
                    cameras,
                }
            })
            .collect();
        let mut class_of = vec![0usize; flagged.len()];
        for (k, c) in classes.iter().enumerate() {
            for &i in &c.cameras {
                class_of[i] = k;
            }
        }

        // The CLI refuses a stock file with unknown rows; a library caller gets the rows that
        // resolve and a warning for the rest (never unlimited stock by mistake).
        let capacity: Vec<Option<u64>> = match input.stock {
            None => vec![None; catalog.models.len()],
            Some(stock) => {
                let (caps, warnings) = stock.capacities_lenient(catalog);
                plan_warnings.extend(warnings);
                caps
            }
        };
        let assignment = assign::assign(
            flagged.len(),
            &classes,
            &catalog.models,
            &capacity,
            opts,
            &wave_of,
            threads,
        );

        // Waves and the cameras with errors are known before any camera is translated: a
        // camera is in a wave when it gets a model, and its errors come from ONVIF being off or
        // from its network step, which depends on nothing else the translation does (the
        // hostname template's counter goes through the cameras in the same order here).
        let mut wave_members: Vec<Vec<String>> = vec![Vec::new(); rollout.waves.len() + 1];
        let mut with_errors = vec![false; flagged.len()];
        let mut templated = 0u32;
        // The hostname template's counter before each camera, so cameras translate apart.
        let mut templated_before = vec![0u32; flagged.len()];
        for (i, (s, _, _)) in flagged.iter().enumerate() {
            templated_before[i] = templated;
            if recorders[i].is_some() {
                continue;
            }
            if s.onvif_off() {
                with_errors[i] = true;
                continue;
            }
            if let Choice::Model(_) = assignment.choices[i] {
                wave_members[wave_of[i]].push(s.id.clone());
                let ctx = network::NetworkContext {
                    options: opts,
                    templated: &mut templated,
                };
                let (mut warnings, mut errors) = (Vec::new(), Vec::new());
                network::network_step(s, ctx, &mut warnings, &mut errors);
                with_errors[i] = !errors.is_empty();
            }
        }
        let mut waves = Vec::new();
        for (w, members) in wave_members.into_iter().enumerate() {
            let is_final = w == rollout.waves.len();
            if is_final && members.is_empty() && !rollout.waves.is_empty() {
                continue;
            }
            let (max_unavailable, max_failures) = match rollout.waves.get(w) {
                Some(spec) => (spec.max_unavailable, spec.max_failures),
                None => (
                    rollout.default_max_unavailable,
                    rollout.default_max_failures,
                ),
            };
            waves.push(Wave {
                name: rollout.wave_name(w).to_owned(),
                cameras: members,
                max_unavailable,
                max_failures,
                canary: rollout.waves.get(w).map_or(0, |spec| spec.canary),
            });
        }
        let erring: Vec<&str> = flagged
            .iter()
            .zip(&with_errors)
            .filter(|(_, e)| **e)
            .map(|((s, _, _), _)| s.id.as_str())
            .collect();
        if !erring.is_empty() {
            plan_warnings.push(format!(
                "{} cameras have errors that apply will refuse until fixed: {}",
                erring.len(),
                erring.join(", ")
            ));
        }
        let header = plan::PlanHeader {
            format: plan::PLAN_FORMAT.to_owned(),
            version: plan::PLAN_VERSION,
            inputs: input.inputs.clone(),
            options: opts.clone(),
            warnings: plan_warnings,
            waves,
        };
        let mut snapshots = Vec::with_capacity(flagged.len());
        let mut parts = Vec::with_capacity(flagged.len());
        for ((((s, f, digest), req), address), recorder) in
            flagged.into_iter().zip(reqs).zip(addresses).zip(recorders)
        {
            snapshots.push((s, f));
            parts.push(Parts {
                digest,
                requirements: req,
                address,
                recorder,
            });
        }
        let cameras = Self {
            site: Site {
                input,
                threads,
                flagged: snapshots,
                wave_of,
                class_of,
                capacity,
                assignment,
                rollout,
                with_errors,
                templated_before,
            },
            parts: parts.into_iter(),
            next: 0,
        };
        (header, cameras)
    }
}

impl Iterator for Cameras<'_> {
    type Item = CameraPlan;

    /// The next camera's plan (cameras sorted by id), `None` after the last.
    fn next(&mut self) -> Option<CameraPlan> {
        let parts = self.parts.next()?;
        let i = self.next;
        self.next += 1;
        Some(self.site.camera(i, parts))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.parts.size_hint()
    }
}

impl ExactSizeIterator for Cameras<'_> {}

impl Cameras<'_> {
    /// The plans of every camera left, translated on the plan's threads, in order.
    pub fn collect_parallel(self) -> Vec<CameraPlan> {
        let Self { site, parts, next } = self;
        parallel::map_owned(site.threads, parts.collect(), |k, p| {
            site.camera(next + k, p)
        })
    }

    /// Translates the cameras left in batches of `size`, on the plan's threads, and hands
    /// `consume`, in order, what `work` makes of each batch: its position among the cameras
    /// left (0 for the first) and its plans. What `consume` returns first as an error stops
    /// the run and is returned.
    pub fn in_batches<R: Send, E>(
        self,
        size: usize,
        work: impl Fn(usize, Vec<CameraPlan>) -> R + Sync,
        consume: impl FnMut(R) -> Result<(), E>,
    ) -> Result<(), E> {
        let Self {
            site,
            mut parts,
            next,
        } = self;
        let size = size.max(1);
        let mut offset = 0;
        let batches = std::iter::from_fn(move || {
            let batch: Vec<Parts> = parts.by_ref().take(size).collect();
            let at = offset;
            offset += batch.len();
            (!batch.is_empty()).then_some((at, batch))
        });
        let site = &site;
        parallel::pipeline(
            site.threads,
            batches,
            |(at, batch)| {
                let plans = batch
                    .into_iter()
                    .enumerate()
                    .map(|(k, p)| site.camera(next + at + k, p))
                    .collect();
                work(at, plans)
            },
            consume,
        )
    }
}

impl Site<'_> {
    /// Camera `i`'s plan.
    fn camera(&self, i: usize, parts: Parts) -> CameraPlan {
        let Parts {
            digest,
            requirements: mut req,
            address,
            recorder,
        } = parts;
        let (s, flag) = self.flagged[i];
        let opts = self.input.options;
        let catalog = self.input.catalog;
        // A recorder is not matched to a camera: a camera's requirements and notes derived
        // from its profiles would only mislead (a 16-channel NVR "needs an audio input").
        let as_recorder = recorder;
        let camera_like = as_recorder.is_none();
        // The requirement items and warnings move into the plan (no copy of 100,000 lists).
        let mut warnings = if camera_like {
            std::mem::take(&mut req.warnings)
        } else {
            Vec::new()
        };
        let mut errors = Vec::new();
        let mut steps = Vec::new();
        let (mut replacement, mut no_suitable_model, mut out_of_stock, mut wave) =
            (None, None, None, None);
        if let Some(r) = &as_recorder {
            warnings.push(format!(
                "{}: replace the recorder: out of scope for camera matching. {} channels behind it: {}",
                r.kind,
                r.channels.len(),
                r.channels
                    .iter()
                    .map(recorder::Channel::label)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let onvif_off = as_recorder.is_none() && s.onvif_off();
        if onvif_off {
            errors.push(onvif_off_error(s));
        }
        match &self.assignment.choices[i] {
            _ if as_recorder.is_some() || onvif_off => {}
            Choice::Model(j) => {
                let model = &catalog.models[*j];
                let mut why = matching::explain(model, &req.needs, opts);
                why.push(format!(
                    "{} of {} catalogue models meet every hard requirement; chosen by the site-wide assignment (most cameras served, then least cost, then preferences)",
                    self.assignment.fitting_per_class[self.class_of[i]],
                    catalog.models.len()
                ));
                if let Some(Some(units)) = self.capacity.get(*j) {
                    why.push(format!(
                        "stock: {} of {units} units allocated on this plan",
                        self.assignment.used[*j]
                    ));
                }
                replacement = Some(Replacement {
                    vendor: model.vendor.clone(),
                    model: model.model.clone(),
                    form_factor: model.form_factor.map(|f| f.to_string()),
                    why,
                });
                let mut templated = self.templated_before[i];
                let ctx = network::NetworkContext {
                    options: opts,
                    templated: &mut templated,
                };
                steps = camera_steps(s, &req, model, ctx, &mut warnings, &mut errors);
                wave = Some(self.rollout.wave_name(self.wave_of[i]).to_owned());
            }
            Choice::OutOfStock(fitting) => {
                out_of_stock = Some(OutOfStock {
                    fitting: fitting.iter().map(|&j| catalog.models[j].name()).collect(),
                });
                warnings.push("not planned: every model that fits is allocated to other cameras; add stock and plan again".into());
            }
            Choice::NoModel { unmet, closest } => {
                no_suitable_model = Some(NoSuitableModel {
                    unmet: unmet.clone(),
                    closest: closest.map(|j| catalog.models[j].name()),
                });
            }
        }
        let (manufacturer, model) = s.reported_make_and_model();
        let c = CameraPlan {
            old: OldCamera {
                id: s.id.clone(),
                xaddr: s.xaddr.clone(),
                address,
                manufacturer: manufacturer.map(str::to_owned),
                model: model.map(str::to_owned),
                firmware: s.identity.firmware_version.clone(),
                sha256: digest,
            },
            verdict: flag.verdict.clone(),
            company: flag.company.clone(),
            confidence: flag.confidence,
            wave,
            requirements: if camera_like {
                std::mem::take(&mut req.items)
            } else {
                Vec::new()
            },
            replacement,
            no_suitable_model,
            out_of_stock,
            steps,
            warnings,
            errors,
            recorder: as_recorder,
        };
        debug_assert_eq!(
            !c.errors.is_empty(),
            self.with_errors[i],
            "{}: the errors foreseen for the plan's warning differ from the camera's",
            c.old.id
        );
        c
    }
}

/// The ordered steps for one camera onto `model`; the network move is last.
fn camera_steps(
    s: &DeviceSnapshot,
    req: &requirements::Requirements,
    model: &CatalogModel,
    ctx: network::NetworkContext<'_>,
    warnings: &mut Vec<String>,
    errors: &mut Vec<String>,
) -> Vec<Step> {
    let opts = ctx.options;
    let mut steps = Vec::new();
    network::identity_steps(s, &mut steps, warnings);

    let mut profile_keys = std::collections::BTreeSet::new();
    for p in &s.profiles {
        let Some(enc) = encoder::translate(p, model, opts) else {
            warnings.push(format!(
                "profile {} has no video encoder: not carried",
                p.token
            ));
            continue;
        };
        let audio = match (&p.audio_encoder, model.audio) {
            (Some(a), true) => Some(plan::AudioValues {
                encoding: a.encoding.clone(),
                bitrate_kbps: a.bitrate_kbps,
                sample_rate_khz: a.sample_rate_khz,
            }),
            (Some(_), false) => {
                warnings.push(format!(
                    "profile {}: {} has no audio input; audio not carried",
                    p.token,
                    model.name()
                ));
                None
            }
            (None, _) => None,
        };
        profile_keys.insert(p.token.clone());
        steps.push(Step::CreateProfile {
            key: p.token.clone(),
            name: if p.name.trim().is_empty() {
                p.token.clone()
            } else {
                p.name.clone()
            },
            service: enc.service,
            ptz: p.ptz_configuration.is_some() && model.ptz.is_some(),
            audio,
        });
        warnings.extend(enc.warnings);
        steps.push(Step::SetVideoEncoder {
            profile: p.token.clone(),
            service: enc.service,
            old: enc.old,
            new: enc.new,
            notes: enc.notes,
        });
    }

    let ptz_profile = s
        .profiles
        .iter()
        .find(|p| p.ptz_configuration.is_some() && profile_keys.contains(&p.token))
        .or_else(|| s.profiles.iter().find(|p| profile_keys.contains(&p.token)))
        .map(|p| p.token.clone());
    if let Some(profile) = &ptz_profile {
        presets::ptz_steps(s, req, model, profile, opts, &mut steps, warnings);
    }
    recording::recording_steps(s, model, &profile_keys, &mut steps, warnings);
    if s.video_sources.iter().any(|v| v.imaging.is_some()) {
        warnings.push(
            "imaging settings (brightness, exposure, IR cut, WDR) are not carried: each vendor's scales differ; review the picture on site".into(),
        );
    }
    steps.push(network::network_step(s, ctx, warnings, errors));
    steps
}
