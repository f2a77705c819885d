//! The apply executor: finds and identifies each new camera, onboards it, then walks its
//! lowered steps: look up, write, read back, compare, journal; the network move last.
//!
//! Every camera runs on its own; one camera failing is recorded and the others go on. The CLI
//! runs cameras wave by wave through [`super::waves`] (at most `max_unavailable` at once, a
//! wave over its failure budget starts no further camera); [`apply_all`] runs a list without
//! waves (benchmarks).

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};

use super::check::{self, Checked, Mismatch, token};
use super::device::{self, Connect, Device, PreAuth, away};
use super::journal::{Contents, GroupCommit, Journal, Record, Status};
use super::lower::{self, Kind, Lowered, Op, Ref, Tokens};
use crate::credentials::{Credentials, Login};
use crate::model::{
    AudioCodec, Codec, Identity, PtzPosition, RecordingJob, RecordingJobSource, Track,
};
use crate::onvif::device::UserLevel;
use crate::onvif::session::OnvifError;
use crate::onvif::{device as dev, media, media2, ptz, recording};
use crate::planner::plan::{CameraPlan, MediaApi};
use crate::planner::ptz::PtzTarget;

/// How long a PTZ move may take before the preset is stored anyway (and checked).
const MOVE_DEADLINE: Duration = Duration::from_secs(30);

/// Where to find a new camera.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assign {
    /// Its device service address.
    Url(String),
    /// Its serial number (looked up among the discovered candidates).
    Serial(String),
}

impl Assign {
    /// `URL` (contains `://`) or a serial number.
    pub fn parse(s: &str) -> Self {
        if s.contains("://") {
            Self::Url(s.trim().to_owned())
        } else {
            Self::Serial(s.trim().to_owned())
        }
    }
}

/// A device discovery found, a candidate new camera.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// Device service address.
    pub xaddr: String,
    /// Its scopes (model in `hardware/` or `name/`).
    pub scopes: Vec<String>,
}

impl Candidate {
    fn scope(&self, category: &str) -> Option<String> {
        self.scopes.iter().find_map(|s| {
            let rest = s.strip_prefix("onvif://www.onvif.org/")?;
            let (cat, value) = rest.split_once('/')?;
            (cat.eq_ignore_ascii_case(category) && !value.is_empty())
                .then(|| value.replace("%20", " "))
        })
    }
}

/// Everything apply needs besides the plan.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Timeouts and retries.
    pub connect: Connect,
    /// The credentials file.
    pub credentials: Credentials,
    /// Explicit bindings, by old camera id.
    pub assign: BTreeMap<String, Assign>,
    /// Devices discovery found (for binding by model or serial).
    pub candidates: Vec<Candidate>,
    /// Cameras applied at once.
    pub concurrency: usize,
    /// WS-Discovery port for the directed probe that reads a device's scopes when it will not
    /// say its model without credentials (3702).
    pub discovery_port: u16,
}

/// How one camera's apply ended.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CameraResult {
    /// Old camera id.
    pub camera: String,
    /// `done`, `failed` or `skipped`.
    pub status: &'static str,
    /// Why it failed or was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Where the new camera answers now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xaddr: Option<String>,
    /// Steps completed (including earlier runs).
    pub steps_done: usize,
    /// Steps in the plan.
    pub steps: usize,
    /// Values the device adapted (`step N kind: field planned → actual`).
    pub adapted: Vec<String>,
    /// ONVIF calls this run sent to the camera.
    pub calls: u64,
}

/// A step could not be completed.
#[derive(Debug)]
struct StepFailure(String);

impl From<OnvifError> for StepFailure {
    fn from(e: OnvifError) -> Self {
        Self(e.to_string())
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn normalise_model(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Whether a device's model string is the planned model (vendors prefix their name, write
/// spaces or not: `AXIS P3265-LVE` is `P3265-LVE`).
pub fn same_model(planned: &str, reported: &str) -> bool {
    let (p, r) = (normalise_model(planned), normalise_model(reported));
    !p.is_empty() && !r.is_empty() && (p == r || r.ends_with(&p) || p.ends_with(&r))
}

/// Shared state of one apply run.
pub struct Run {
    /// Settings.
    pub settings: Settings,
    /// The journal (appended by every camera task, committed in groups).
    journal: GroupCommit,
    /// What the journal held when the run started.
    pub before: Contents,
    /// Device addresses bound to a camera in this run or earlier ones.
    bound: Mutex<BTreeMap<String, String>>,
    /// Progress lines to stderr.
    pub progress: Box<dyn Fn(&str) + Send + Sync>,
}

impl Run {
    /// A run appending to `journal`, which held `before`.
    pub fn new(
        settings: Settings,
        journal: Journal,
        before: Contents,
        progress: Box<dyn Fn(&str) + Send + Sync>,
    ) -> Self {
        let mut bound = BTreeMap::new();
        for r in &before.records {
            if r.status == Status::Bound {
                if let Some(x) = &r.xaddr {
                    bound.insert(x.clone(), r.camera.clone());
                }
            }
        }
        Self {
            settings,
            journal: journal.group_commit(),
            before,
            bound: Mutex::new(bound),
            progress,
        }
    }

    /// Appends a record; returns once it is on disk.
    async fn append(&self, record: &Record) -> Result<(), StepFailure> {
        self.journal
            .append(record)
            .await
            .map_err(|e| StepFailure(e.to_string()))
    }

    fn record(&self, camera: &str, status: Status) -> Record {
        Record {
            camera: camera.to_owned(),
            step: None,
            kind: None,
            status,
            at: now(),
            xaddr: None,
            readback: None,
            tokens: BTreeMap::new(),
            detail: None,
            adapted: Vec::new(),
        }
    }
}

/// Applies every camera of `cameras`, at most `settings.concurrency` at a time. A camera
/// task that panics is reported as failed; the others go on.
pub async fn apply_all(run: Arc<Run>, cameras: Vec<CameraPlan>) -> Vec<CameraResult> {
    let limit = Arc::new(tokio::sync::Semaphore::new(run.settings.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    let mut ids = BTreeMap::new();
    for c in cameras {
        let run = Arc::clone(&run);
        let limit = Arc::clone(&limit);
        let id = c.old.id.clone();
        let handle = tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            apply_camera(&run, &c).await
        });
        ids.insert(handle.id(), id);
    }
    let mut out = Vec::new();
    while let Some(joined) = tasks.join_next_with_id().await {
        match joined {
            Ok((_, r)) => out.push(r),
            Err(e) => out.push(CameraResult {
                camera: ids.get(&e.id()).cloned().unwrap_or_default(),
                status: "failed",
                reason: Some(format!("internal error: {e}")),
                xaddr: None,
                steps_done: 0,
                steps: 0,
                adapted: Vec::new(),
                calls: 0,
            }),
        }
    }
    out.sort_by(|a, b| a.camera.cmp(&b.camera));
    out
}

/// Applies one camera's plan. Never panics on device behaviour; failures are in the result
/// and the journal.
pub async fn apply_camera(run: &Run, camera: &CameraPlan) -> CameraResult {
    let lowered = match lower::lower(camera) {
        Ok(l) => l,
        Err(e) => {
            return CameraResult {
                camera: camera.old.id.clone(),
                status: "failed",
                reason: Some(e.to_string()),
                xaddr: None,
                steps_done: 0,
                steps: camera.steps.len(),
                adapted: Vec::new(),
                calls: 0,
            };
        }
    };
    let mut result = CameraResult {
        camera: camera.old.id.clone(),
        status: "done",
        reason: None,
        xaddr: None,
        steps_done: 0,
        steps: lowered.len(),
        adapted: Vec::new(),
        calls: 0,
    };
    let id = camera.old.id.as_str();
    if run.before.of(id).any(|r| r.status == Status::Finished) {
        result.status = "skipped";
        result.reason = Some("already finished (journal)".into());
        result.steps_done = lowered.len();
        result.xaddr = run.before.xaddr(id).map(str::to_owned);
        return result;
    }
    match apply_inner(run, camera, &lowered, &mut result).await {
        Ok(()) => {}
        Err(StepFailure(reason)) => {
            (run.progress)(&format!("{id}: failed: {reason}"));
            let mut rec = run.record(id, Status::Failed);
            rec.detail = Some(reason.clone());
            rec.xaddr = result.xaddr.clone();
            let _ = run.append(&rec).await;
            result.status = "failed";
            result.reason = Some(reason);
        }
    }
    result
}

/// Where the new camera for `camera` answers: the journal's last address, `--assign`, or the
/// one discovered device of the planned model.
fn bind(run: &Run, camera: &CameraPlan, model: &str) -> Result<String, StepFailure> {
    let id = camera.old.id.as_str();
    if let Some(x) = run.before.xaddr(id) {
        return Ok(x.to_owned());
    }
    let taken = run
        .bound
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    match run.settings.assign.get(id) {
        Some(Assign::Url(u)) => return Ok(u.clone()),
        Some(Assign::Serial(s)) => {
            // A serial is matched by what the device reports before credentials; the
            // identity check below confirms it.
            let found: Vec<&Candidate> = run
                .settings
                .candidates
                .iter()
                .filter(|c| c.scopes.iter().any(|sc| sc.contains(s.as_str())))
                .collect();
            if let [one] = found.as_slice() {
                return Ok(one.xaddr.clone());
            }
            return Err(StepFailure(format!(
                "--assign {id}={s}: {} discovered devices carry that serial in their scopes; assign by URL instead",
                found.len()
            )));
        }
        None => {}
    }
    let fits: Vec<&Candidate> = run
        .settings
        .candidates
        .iter()
        .filter(|c| !taken.contains_key(&c.xaddr))
        .filter(|c| {
            [c.scope("hardware"), c.scope("name")]
                .into_iter()
                .flatten()
                .any(|v| same_model(model, &v))
        })
        .collect();
    match fits.as_slice() {
        [one] => Ok(one.xaddr.clone()),
        [] => Err(StepFailure(format!(
            "no unassigned device of model {model} was discovered; pass --assign {id}=URL"
        ))),
        many => Err(StepFailure(format!(
            "{} unassigned devices of model {model} were discovered ({}); pass --assign {id}=URL for the one that replaces it",
            many.len(),
            many.iter()
                .map(|c| c.xaddr.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// A directed WS-Discovery Probe to the device's host: its scopes name its model, and a
/// probe carries no credential. Answers the candidate and its endpoint reference address.
async fn probe(xaddr: &str, port: u16) -> Option<(Candidate, String)> {
    let IpAddr::V4(ip) = device::socket_of(xaddr)?.ip() else {
        return None;
    };
    let settings = crate::discovery::prober::Settings {
        multicast: false,
        targets: vec![std::net::SocketAddrV4::new(ip, port)],
        timeout: Duration::from_millis(1500),
        ..crate::discovery::prober::Settings::default()
    };
    let found = crate::discovery::prober::discover(&settings).await.ok()?;
    found
        .devices
        .into_iter()
        .find(|d| d.from == IpAddr::V4(ip))
        .map(|d| {
            (
                Candidate {
                    xaddr: xaddr.to_owned(),
                    scopes: d.scopes,
                },
                d.endpoint,
            )
        })
}

/// Where the camera answers when the journal's address is silent and its network move is
/// not journaled: the planned static address, else the one device of the planned model
/// WS-Discovery finds (multicast, and sweeps of the old camera's /24 and the journal
/// address's) that no other camera of this run is bound to. `None` when the journal
/// address answers (or the camera never got that far). Identity (model before credentials,
/// serial after) is checked by the caller as for any binding.
async fn moved_since(
    run: &Run,
    camera: &CameraPlan,
    lowered: &[Lowered],
    xaddr: &str,
    model: &str,
) -> Result<Option<String>, StepFailure> {
    let id = camera.old.id.as_str();
    let Some(network) = lowered.iter().find(|l| l.kind == "set_network") else {
        return Ok(None);
    };
    if run.before.xaddr(id).is_none() || run.before.is_done(id, network.index) {
        return Ok(None);
    }
    let Some(here) = device::socket_of(xaddr) else {
        return Ok(None);
    };
    if device::answers(here, Duration::from_secs(2)).await {
        return Ok(None);
    }
    let planned = network.ops.iter().find_map(|op| match op {
        Op::SetNetworkInterfaces {
            address: Some(a), ..
        } => a.parse::<IpAddr>().ok(),
        _ => None,
    });
    if let Some(ip) = planned {
        if device::answers(
            std::net::SocketAddr::new(ip, here.port()),
            Duration::from_secs(2),
        )
        .await
        {
            return Ok(device::with_host(xaddr, &ip.to_string()));
        }
    }
    let mut sweeps = Vec::new();
    let old_ip = camera
        .old
        .address
        .as_deref()
        .and_then(|a| a.parse::<IpAddr>().ok());
    for net in [old_ip, Some(here.ip())]
        .into_iter()
        .flatten()
        .filter_map(around)
    {
        if !sweeps.contains(&net) {
            sweeps.push(net);
        }
    }
    let settings = crate::discovery::prober::Settings {
        multicast: true,
        sweeps,
        sweep_port: run.settings.discovery_port,
        rate: 2000,
        timeout: Duration::from_millis(1200),
        ..crate::discovery::prober::Settings::default()
    };
    let found = match crate::discovery::prober::discover(&settings).await {
        Ok(f) => f,
        Err(_) => crate::discovery::prober::discover(&crate::discovery::prober::Settings {
            multicast: false,
            ..settings.clone()
        })
        .await
        .map_err(|e| {
            StepFailure(format!(
                "{xaddr} does not answer, and discovery failed: {e}"
            ))
        })?,
    };
    let taken = run
        .bound
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let fits: Vec<String> = found
        .devices
        .into_iter()
        .filter_map(|d| {
            let c = Candidate {
                xaddr: d.xaddr?,
                scopes: d.scopes,
            };
            let model_fits = [c.scope("hardware"), c.scope("name")]
                .into_iter()
                .flatten()
                .any(|v| same_model(model, &v));
            let theirs = taken.get(&c.xaddr).is_some_and(|other| other != id);
            (model_fits && !theirs).then_some(c.xaddr)
        })
        .collect();
    match fits.as_slice() {
        [one] => Ok(Some(one.clone())),
        [] => Ok(None),
        many => Err(StepFailure(format!(
            "{xaddr} does not answer and its network move is not journaled; {} devices of model {model} answer WS-Discovery ({}): pass --assign {id}=URL for this camera's",
            many.len(),
            many.join(", ")
        ))),
    }
}

/// How a camera is recognised after it changed address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Whom {
    /// WS-Discovery endpoint reference address: stable across address changes and reboots.
    endpoint: Option<String>,
    /// MAC (matched in the scopes of devices that publish it there).
    mac: Option<String>,
    /// Serial number, confirmed once the device is found.
    serial: Option<String>,
}

/// Lower-case hex digits of a MAC, whatever the separators.
fn mac_digits(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_hexdigit)
        .collect::<String>()
        .to_ascii_lowercase()
}

impl Whom {
    /// Whether a device discovery found is this camera: its endpoint reference, else its MAC
    /// in a scope.
    fn is(&self, d: &crate::discovery::Device) -> bool {
        if let Some(e) = &self.endpoint {
            return d.endpoint.trim() == e.trim();
        }
        let Some(mac) = self
            .mac
            .as_deref()
            .map(mac_digits)
            .filter(|m| m.len() == 12)
        else {
            return false;
        };
        d.scopes.iter().any(|s| mac_digits(s).contains(&mac))
    }
}

/// The /24 around an address (what a sweep for a camera that moved on its own VLAN covers).
fn around(ip: IpAddr) -> Option<ipnet::Ipv4Net> {
    let IpAddr::V4(v4) = ip else {
        return None;
    };
    ipnet::Ipv4Net::new(v4, 24).ok().map(|n| n.trunc())
}

/// Finds the camera `who` after it left its address: WS-Discovery probes (multicast, and
/// unicast to every host of the old camera's /24 and of the /24 it left, since a directed
/// probe cannot know a DHCP lease), matched on its endpoint reference or MAC, repeated until
/// `wait` has passed (at least one round); then opens it there and confirms its serial.
async fn follow(
    run: &Run,
    camera: &CameraPlan,
    who: &Whom,
    left: Option<std::net::SocketAddr>,
    login: &Login,
    wait: Duration,
) -> Result<Device, String> {
    if who.endpoint.is_none() && who.mac.is_none() {
        return Err("the camera answered no directed WS-Discovery probe and reported no MAC before the move, so it cannot be recognised elsewhere".into());
    }
    let mut sweeps: Vec<ipnet::Ipv4Net> = Vec::new();
    let old_ip = camera
        .old
        .address
        .as_deref()
        .and_then(|a| a.parse::<IpAddr>().ok());
    for net in [old_ip, left.map(|l| l.ip())]
        .into_iter()
        .flatten()
        .filter_map(around)
    {
        if !sweeps.contains(&net) {
            sweeps.push(net);
        }
    }
    let settings = crate::discovery::prober::Settings {
        multicast: true,
        sweeps: sweeps.clone(),
        sweep_port: run.settings.discovery_port,
        rate: 2000,
        timeout: Duration::from_millis(1200),
        ..crate::discovery::prober::Settings::default()
    };
    let what = match (&who.endpoint, &who.mac) {
        (Some(e), _) => format!("endpoint {e}"),
        (None, Some(m)) => format!("MAC {m}"),
        (None, None) => String::new(),
    };
    let started = std::time::Instant::now();
    let mut last_error = None;
    loop {
        let round = match crate::discovery::prober::discover(&settings).await {
            Ok(found) => Ok(found),
            // No multicast-capable interface here: the sweep alone.
            Err(_) => {
                crate::discovery::prober::discover(&crate::discovery::prober::Settings {
                    multicast: false,
                    ..settings.clone()
                })
                .await
            }
        };
        match round {
            Ok(found) => {
                let mut answers: Vec<String> = found
                    .devices
                    .iter()
                    .filter(|d| who.is(d))
                    .filter_map(|d| d.xaddr.clone())
                    .collect();
                // The address the camera just left can still answer discovery for a moment
                // (its responder moves after its web server): try it last, and a refusal
                // there means "not there yet", not "gone".
                answers.sort_by_key(|x| left.is_some() && device::socket_of(x) == left);
                // One attempt per answer; the deadline is this loop's, not each open's.
                let once = Connect {
                    away_deadline: Duration::ZERO,
                    ..run.settings.connect.clone()
                };
                for x in answers {
                    (run.progress)(&format!(
                        "{}: found the camera at {x} ({what})",
                        camera.old.id
                    ));
                    let mut d = match Device::open(&camera.old.id, &x, Some(login), &once).await {
                        Ok(d) => d,
                        Err(e) => {
                            last_error = Some(format!(
                                "WS-Discovery found it at {x}, which did not answer: {e}"
                            ));
                            continue;
                        }
                    };
                    let serial = d
                        .send(&dev::GetDeviceInformation)
                        .await
                        .map_err(|e| format!("{x}: {e}"))?
                        .serial_number;
                    if let (Some(was), Some(now)) = (&who.serial, &serial) {
                        if was != now {
                            return Err(format!(
                                "the device at {x} answers for {what} but has serial {now}, not {was}"
                            ));
                        }
                    }
                    return Ok(d);
                }
            }
            Err(e) => last_error = Some(e.to_string()),
        }
        if started.elapsed() >= wait {
            let nets = sweeps
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            return Err(format!(
                "no device with {what} answered WS-Discovery (multicast and a sweep of {nets}){}",
                last_error
                    .map(|e| format!("; last: {e}"))
                    .unwrap_or_default()
            ));
        }
        tokio::time::sleep(run.settings.connect.retry_every).await;
    }
}

/// The identity a device shows before credentials: its unauthenticated answer, else the
/// scopes discovery saw.
fn identity_before_credentials(pre: &PreAuth, candidate: Option<&Candidate>) -> Option<Identity> {
    if let Some(i) = &pre.identity {
        return Some(i.clone());
    }
    let c = candidate?;
    let model = c.scope("hardware").or_else(|| c.scope("name"))?;
    Some(Identity {
        model: Some(model),
        ..Identity::default()
    })
}

async fn apply_inner(
    run: &Run,
    camera: &CameraPlan,
    lowered: &[Lowered],
    result: &mut CameraResult,
) -> Result<(), StepFailure> {
    let id = camera.old.id.as_str();
    let settings = &run.settings;
    let replacement = camera
        .replacement
        .as_ref()
        .ok_or_else(|| StepFailure("no replacement in the plan".into()))?;
    let mut xaddr = bind(run, camera, &replacement.model)?;
    // An earlier run may have been stopped between SetNetworkInterfaces and its record: the
    // camera then answers elsewhere (the planned address, or a DHCP lease).
    if let Some(moved) = moved_since(run, camera, lowered, &xaddr, &replacement.model).await? {
        (run.progress)(&format!(
            "{id}: not at {xaddr}, where the journal left it; found at {moved}"
        ));
        xaddr = moved;
        // Found mid-move: its discovery may answer before its web server is back.
        if let Some(at) = device::socket_of(&xaddr) {
            let started = std::time::Instant::now();
            while !device::answers(at, Duration::from_secs(1)).await
                && started.elapsed() < settings.connect.away_deadline
            {
                tokio::time::sleep(settings.connect.retry_every).await;
            }
        }
    }
    result.xaddr = Some(xaddr.clone());

    // Users the plan carries need passwords before anything is written.
    let admin = settings
        .credentials
        .new_admin()
        .map_err(|e| StepFailure(e.to_string()))?
        .cloned();
    for l in lowered {
        for op in &l.ops {
            if let Op::CreateUser { username, .. } = op {
                let merged = admin.as_ref().is_some_and(|a| &a.username == username);
                if !merged
                    && settings
                        .credentials
                        .user(username)
                        .map_err(|e| StepFailure(e.to_string()))?
                        .is_none()
                {
                    return Err(StepFailure(format!(
                        "step {} carries user {username} from the old camera, but the credentials file has no [[user]] username = \"{username}\" with its password; nothing was written",
                        l.index
                    )));
                }
            }
        }
    }

    // Identity before any credential.
    let pre = device::pre_auth(&xaddr, &settings.connect)
        .await
        .map_err(|e| StepFailure(format!("{xaddr}: {e}")))?;
    result.calls += 3;
    let mut candidate = settings
        .candidates
        .iter()
        .find(|c| c.xaddr == xaddr)
        .cloned();
    if pre.identity.is_none() && candidate.is_none() {
        candidate = probe(&xaddr, settings.discovery_port).await.map(|(c, _)| c);
    }
    let identity = identity_before_credentials(&pre, candidate.as_ref()).ok_or_else(|| {
        StepFailure(format!(
            "{xaddr} does not tell its model without credentials and discovery did not list it: cannot confirm it is the planned {} {} before sending credentials; run discovery (--devices) so its scopes are known",
            replacement.vendor, replacement.model
        ))
    })?;
    let reported = identity.model.clone().unwrap_or_default();
    if !same_model(&replacement.model, &reported) {
        return Err(StepFailure(format!(
            "refused: the device at {xaddr} is {} {}, but the plan expects {} {}; no credentials were sent to it",
            identity
                .manufacturer
                .as_deref()
                .unwrap_or("(unknown maker)"),
            if reported.is_empty() {
                "(no model)"
            } else {
                &reported
            },
            replacement.vendor,
            replacement.model
        )));
    }
    let earlier_serial = run
        .before
        .of(id)
        .filter(|r| r.status == Status::Bound)
        .filter_map(|r| {
            r.readback
                .as_ref()?
                .get("serial")?
                .as_str()
                .map(str::to_owned)
        })
        .last();
    if let (Some(was), Some(now)) = (&earlier_serial, &identity.serial_number) {
        if was != now {
            return Err(StepFailure(format!(
                "refused: the device at {xaddr} has serial {now}, but this camera's earlier steps went to serial {was}; another unit was swapped in"
            )));
        }
    }
    {
        let mut bound = run
            .bound
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(other) = bound.get(&xaddr).filter(|c| c.as_str() != id) {
            return Err(StepFailure(format!(
                "{xaddr} is already bound to camera {other}"
            )));
        }
        bound.insert(xaddr.clone(), id.to_owned());
    }
    if run.before.xaddr(id).is_none() {
        let mut rec = run.record(id, Status::Bound);
        rec.xaddr = Some(xaddr.clone());
        rec.readback = Some(json!({
            "manufacturer": identity.manufacturer,
            "model": identity.model,
            "serial": identity.serial_number,
            "firmware": identity.firmware_version,
        }));
        run.append(&rec).await?;
    }
    (run.progress)(&format!(
        "{id}: bound to {xaddr} ({} {})",
        identity.manufacturer.as_deref().unwrap_or(""),
        reported
    ));

    // Onboarding: a device without accounts gets the [new] administrator.
    let login: Login = if pre.factory_default() {
        let admin = admin.clone().ok_or_else(|| {
            StepFailure(format!(
                "{xaddr} is factory-default (no users): the credentials file needs a [new] section with the administrator to create"
            ))
        })?;
        let mut open = Device::open(id, &xaddr, None, &settings.connect).await?;
        open.send(&dev::CreateUsers {
            username: admin.username.clone(),
            password: admin.password.expose().to_owned(),
            level: UserLevel::Administrator,
        })
        .await?;
        result.calls += open.calls;
        let mut rec = run.record(id, Status::Onboarded);
        rec.xaddr = Some(xaddr.clone());
        rec.detail = Some(format!("administrator {} created", admin.username));
        run.append(&rec).await?;
        (run.progress)(&format!(
            "{id}: onboarded (administrator {})",
            admin.username
        ));
        admin
    } else {
        let ip = device::socket_of(&xaddr).map(|s| s.ip());
        admin
            .clone()
            .or_else(|| settings.credentials.for_device(ip, Some(id)).cloned())
            .ok_or_else(|| {
                StepFailure(format!(
                    "{xaddr} has accounts already and the credentials file has neither [new] nor a login for it"
                ))
            })?
    };
    let mut d = Device::open(id, &xaddr, Some(&login), &settings.connect).await?;
    // The serial earlier steps went to, checked once credentials let the device say it (a
    // configured device keeps GetDeviceInformation behind them).
    if let (Some(was), None) = (&earlier_serial, &identity.serial_number) {
        let now = d.send(&dev::GetDeviceInformation).await?.serial_number;
        if now.as_deref().is_some_and(|n| n != was) {
            return Err(StepFailure(format!(
                "refused: the device at {xaddr} has serial {}, but this camera's earlier steps went to serial {was}; another unit was swapped in",
                now.unwrap_or_default()
            )));
        }
    }
    let mut tokens: Tokens = run.before.tokens(id);
    // Adaptations accepted in earlier runs and (below) in this one: the journal's, kept here
    // instead of read back from the file.
    let mut accepted = run.before.adapted(id);
    let mut done = 0;
    for step in lowered {
        if run.before.is_done(id, step.index) {
            done += 1;
            continue;
        }
        let outcome = if step.kind == "set_network" {
            run_network_step(run, camera, step, &mut d, &login, &mut tokens).await
        } else {
            run_step(run, camera, step, &mut d, &mut tokens).await
        };
        result.calls += std::mem::take(&mut d.calls);
        let (record, adapted) = outcome?;
        result.xaddr = Some(d.xaddr.clone());
        if record.status == Status::Adapted {
            accepted
                .entry(step.index)
                .or_default()
                .extend(record.adapted.iter().cloned());
        }
        for a in &adapted {
            result
                .adapted
                .push(format!("step {} {}: {a}", step.index, step.kind));
        }
        run.append(&record).await?;
        done += 1;
        (run.progress)(&format!(
            "{id}: step {}/{} {} {}",
            step.index + 1,
            lowered.len(),
            step.kind,
            if adapted.is_empty() {
                "done"
            } else {
                "adapted"
            }
        ));
    }
    result.steps_done = done;

    // Every step, read again where the camera ended up; only adaptations apply accepted
    // (and journaled) may differ from the plan.
    let mut differences = Vec::new();
    for step in lowered {
        let ok = accepted.get(&step.index).cloned().unwrap_or_default();
        for (i, op) in step.ops.iter().enumerate() {
            let target = move_target(&step.ops, i);
            let c = checked(&mut d, op, target.as_ref(), &tokens).await?;
            differences.extend(
                c.mismatches
                    .into_iter()
                    .filter(|m| !ok.contains(m))
                    .map(|m| {
                        format!(
                            "step {} {}: {} planned {} found {}",
                            step.index, step.kind, m.field, m.planned, m.actual
                        )
                    }),
            );
        }
    }
    result.calls += std::mem::take(&mut d.calls);
    if !differences.is_empty() {
        return Err(StepFailure(format!(
            "final check at {} found {} difference(s): {}",
            d.xaddr,
            differences.len(),
            differences.join("; ")
        )));
    }
    let mut rec = run.record(id, Status::Finished);
    rec.xaddr = Some(d.xaddr.clone());
    run.append(&rec).await?;
    (run.progress)(&format!("{id}: finished at {}", d.xaddr));
    Ok(())
}

/// The position the step moved to before op `i` (for a SetPreset's position check).
fn move_target(ops: &[Op], i: usize) -> Option<PtzTarget> {
    match (ops.get(i), i.checked_sub(1).and_then(|j| ops.get(j))) {
        (Some(Op::SetPreset { .. }), Some(Op::AbsoluteMove { target, .. })) => Some(target.clone()),
        _ => None,
    }
}

/// [`check::check`], waiting out a device that is away.
async fn checked(
    d: &mut Device,
    op: &Op,
    target: Option<&PtzTarget>,
    tokens: &Tokens,
) -> Result<Checked, StepFailure> {
    loop {
        match check::check(d, op, target, tokens).await {
            Err(e) if away(&e) => d.wait_until_back().await?,
            other => return Ok(other?),
        }
    }
}

/// [`exec_op`], waiting out a device that went away (reboot, cable) and then looking up
/// again before writing, so a write that landed is adopted rather than repeated.
async fn exec_waiting(
    run: &Run,
    d: &mut Device,
    op: &Op,
    tokens: &mut Tokens,
    created: &mut BTreeMap<String, String>,
) -> Result<(), StepFailure> {
    loop {
        match exec_op(run, d, op, tokens, created).await {
            Err(e) if away(&e) => d.wait_until_back().await?,
            other => return Ok(other?),
        }
    }
}

/// Runs one non-network step: every op looked up, written and read back.
async fn run_step(
    run: &Run,
    camera: &CameraPlan,
    step: &Lowered,
    d: &mut Device,
    tokens: &mut Tokens,
) -> Result<(Record, Vec<String>), StepFailure> {
    let mut readback = Vec::new();
    let mut adapted = Vec::new();
    let mut accepted = Vec::new();
    let mut created = BTreeMap::new();
    for (i, op) in step.ops.iter().enumerate() {
        exec_waiting(run, d, op, tokens, &mut created).await?;
        let target = move_target(&step.ops, i);
        let c = checked(d, op, target.as_ref(), tokens).await?;
        if is_create(op) && c.readback.is_null() && !c.mismatches.is_empty() {
            return Err(StepFailure(format!(
                "step {} ({}): {} was accepted but does not read back: {}",
                step.index,
                step.kind,
                op.name(),
                describe(&c.mismatches)
            )));
        }
        if !c.mismatches.is_empty() {
            adapted.push(describe(&c.mismatches));
            accepted.extend(c.mismatches);
        }
        if !c.readback.is_null() {
            readback.push(c.readback);
        }
    }
    let mut rec = run.record(
        &camera.old.id,
        if adapted.is_empty() {
            Status::Done
        } else {
            Status::Adapted
        },
    );
    rec.step = Some(step.index);
    rec.kind = Some(step.kind.to_owned());
    rec.xaddr = Some(d.xaddr.clone());
    rec.readback = Some(match readback.len() {
        0 => Value::Null,
        1 => readback.remove(0),
        _ => Value::Array(readback),
    });
    rec.tokens = created;
    rec.adapted = accepted;
    if !adapted.is_empty() {
        rec.detail = Some(format!("device adapted: {}", adapted.join("; ")));
    }
    Ok((rec, adapted))
}

fn describe(m: &[Mismatch]) -> String {
    m.iter()
        .map(|m| format!("{} planned {} → device {}", m.field, m.planned, m.actual))
        .collect::<Vec<_>>()
        .join(", ")
}

fn is_create(op: &Op) -> bool {
    matches!(
        op,
        Op::CreateProfile { .. }
            | Op::SetPreset { .. }
            | Op::CreateRecording { .. }
            | Op::CreateRecordingJob { .. }
            | Op::CreateUser { .. }
    )
}

fn need(r: &Ref, tokens: &Tokens) -> Result<String, OnvifError> {
    token(r, tokens)
        .map(str::to_owned)
        .ok_or_else(|| OnvifError::Request {
            device: String::new(),
            error: crate::onvif::RequestError::Missing {
                operation: "apply",
                field: "an earlier step's token (it did not complete)",
            },
        })
}

fn remember(tokens: &mut Tokens, created: &mut BTreeMap<String, String>, r: &Ref, t: &str) {
    tokens.insert(r.journal_key(), t.to_owned());
    created.insert(r.journal_key(), t.to_owned());
}

/// Sends one op: looks up first (adopting what exists), then writes.
async fn exec_op(
    run: &Run,
    d: &mut Device,
    op: &Op,
    tokens: &mut Tokens,
    created: &mut BTreeMap<String, String>,
) -> Result<(), OnvifError> {
    let req = |e: crate::onvif::RequestError| OnvifError::Request {
        device: d_label(op),
        error: e,
    };
    match op {
        Op::CreateUser { username, level } => {
            if d.users().await?.iter().any(|u| &u.username == username) {
                return Ok(());
            }
            let Ok(Some(login)) = run.settings.credentials.user(username) else {
                return Ok(()); // checked before the first write; merged with [new]
            };
            let level = UserLevel::parse(level).ok_or_else(|| {
                req(crate::onvif::RequestError::unsupported(
                    "CreateUsers",
                    "User/UserLevel",
                    level,
                    "Administrator, Operator, User or Extended (checked when the plan is lowered)",
                ))
            })?;
            d.send(&dev::CreateUsers {
                username: username.clone(),
                password: login.password.expose().to_owned(),
                level,
            })
            .await?;
            d.seen.users = None;
        }
        Op::SetDns { dns } => {
            d.send(&dev::SetDNS { dns: dns.clone() }).await?;
            d.seen.dns = None;
        }
        Op::SetNtp { ntp } => {
            d.send(&dev::SetNTP { ntp: ntp.clone() }).await?;
            d.seen.ntp = None;
        }
        Op::SetDateTime {
            date_time_type,
            tz,
            daylight_savings,
        } => {
            let current = d.date_time().await?;
            if check::date_time_mismatches(
                date_time_type.as_deref(),
                tz.as_deref(),
                *daylight_savings,
                &current,
            )
            .is_empty()
            {
                return Ok(());
            }
            // The plan keeps the camera's own mode when the old one did not report its.
            let mode = match date_time_type.as_deref() {
                Some(t) => dev::DateTimeType::parse(t),
                None => current.date_time_type,
            }
            .ok_or_else(|| {
                req(crate::onvif::RequestError::Missing {
                    operation: "SetSystemDateAndTime",
                    field: "DateTimeType (neither the plan nor the device says NTP or Manual)",
                })
            })?;
            d.send(&dev::SetSystemDateAndTime {
                date_time_type: mode,
                daylight_savings: *daylight_savings,
                tz: tz.clone(),
                // A manual clock is set to ours: the plan carries the mode, not a time.
                utc: (mode == dev::DateTimeType::Manual).then(chrono::Utc::now),
            })
            .await?;
            d.seen.clock = None;
        }
        Op::SetScopes { scopes } => {
            d.send(&dev::SetScopes {
                scopes: scopes.clone(),
            })
            .await?;
            d.seen.scopes = None;
        }
        Op::CreateProfile {
            service,
            profile,
            name,
        } => {
            let profiles = d.profiles(*service).await?;
            if let Some(t) = token(profile, tokens) {
                if profiles.iter().any(|p| p.token == t) {
                    return Ok(());
                }
            }
            if let Some(p) = profiles.iter().find(|p| &p.name == name && !p.fixed) {
                remember(tokens, created, profile, &p.token);
                return Ok(());
            }
            let t = match service {
                MediaApi::Media => {
                    d.send(&media::CreateProfile {
                        name: name.clone(),
                        token: None,
                    })
                    .await?
                    .token
                }
                MediaApi::Media2 => {
                    d.send(&media2::CreateProfile {
                        name: name.clone(),
                        configurations: Vec::new(),
                    })
                    .await?
                }
            };
            invalidate_profiles(d);
            remember(tokens, created, profile, &t);
        }
        Op::AddVideoSource { service, profile } => {
            let t = need(profile, tokens)?;
            let p = find_profile(d, *service, &t).await?;
            if p.video_source_configuration.is_some() {
                return Ok(());
            }
            let vsc = d
                .video_source_configurations(*service)
                .await?
                .into_iter()
                .next()
                .map(|v| v.token)
                .ok_or_else(|| req(missing("VideoSourceConfiguration")))?;
            add_configuration(
                d,
                *service,
                &t,
                media2::ConfigurationType::VideoSource,
                &vsc,
            )
            .await?;
        }
        Op::AddVideoEncoder {
            service,
            profile,
            encoding,
        } => {
            let t = need(profile, tokens)?;
            let profiles = d.profiles(*service).await?;
            let p = profiles
                .iter()
                .find(|p| p.token == t)
                .ok_or_else(|| req(missing("Profile")))?;
            if p.video_encoder.is_some() {
                return Ok(());
            }
            // Encoders already feeding profiles camswap made are taken; among the rest,
            // prefer one of the planned codec, then one no profile uses.
            let ours: BTreeSet<&str> = tokens
                .iter()
                .filter(|(k, _)| k.starts_with("profile:"))
                .map(|(_, v)| v.as_str())
                .collect();
            let claimed: BTreeSet<String> = profiles
                .iter()
                .filter(|p| ours.contains(p.token.as_str()))
                .filter_map(|p| p.video_encoder.as_ref().map(|e| e.token.clone()))
                .collect();
            let used: BTreeSet<String> = profiles
                .iter()
                .filter_map(|p| p.video_encoder.as_ref().map(|e| e.token.clone()))
                .collect();
            let want = encoding.as_deref().map(Codec::parse);
            let encoders = d.video_encoder_configurations(*service).await?;
            let mut free: Vec<_> = encoders
                .iter()
                .filter(|e| !claimed.contains(&e.token))
                .collect();
            free.sort_by_key(|e| {
                (
                    want.is_some() && e.encoding != want,
                    used.contains(&e.token),
                )
            });
            let e = free.first().ok_or_else(|| {
                req(crate::onvif::RequestError::Missing {
                    operation: "AddVideoEncoderConfiguration",
                    field: "a video encoder configuration not already used by a planned profile",
                })
            })?;
            let e = e.token.clone();
            add_configuration(d, *service, &t, media2::ConfigurationType::VideoEncoder, &e).await?;
        }
        Op::AddAudioSource { service, profile } => {
            let t = need(profile, tokens)?;
            let p = find_profile(d, *service, &t).await?;
            if p.audio_source_configuration.is_some() {
                return Ok(());
            }
            let c = d
                .audio_source_configurations(*service)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| req(missing("AudioSourceConfiguration")))?;
            add_configuration(d, *service, &t, media2::ConfigurationType::AudioSource, &c).await?;
        }
        Op::AddAudioEncoder {
            service,
            profile,
            encoding,
        } => {
            let t = need(profile, tokens)?;
            let profiles = d.profiles(*service).await?;
            let p = profiles
                .iter()
                .find(|p| p.token == t)
                .ok_or_else(|| req(missing("Profile")))?;
            if p.audio_encoder.is_some() {
                return Ok(());
            }
            // Prefer the planned codec, then an encoder no profile streams yet.
            let used: BTreeSet<String> = profiles
                .iter()
                .filter_map(|p| p.audio_encoder.as_ref().map(|e| e.token.clone()))
                .collect();
            // By codec family: the plan's ver10 `G711` is a Media2 device's `PCMU`.
            let want = encoding.as_deref().map(AudioCodec::parse);
            let mut encoders = d.audio_encoder_configurations(*service).await?;
            encoders.sort_by_key(|e| {
                let same = match (&want, e.encoding.as_deref()) {
                    (Some(w), Some(have)) => AudioCodec::parse(have) == *w,
                    (None, _) => true,
                    (Some(_), None) => false,
                };
                (!same, used.contains(&e.token))
            });
            let e = encoders
                .first()
                .map(|e| e.token.clone())
                .ok_or_else(|| req(missing("AudioEncoderConfiguration")))?;
            add_configuration(d, *service, &t, media2::ConfigurationType::AudioEncoder, &e).await?;
        }
        Op::SetAudioEncoder {
            service,
            profile,
            values,
        } => {
            let t = need(profile, tokens)?;
            let p = find_profile(d, *service, &t).await?;
            let Some(current) = p.audio_encoder.clone() else {
                return Err(req(missing("AudioEncoderConfiguration")));
            };
            if check::audio_mismatches(values, &current).is_empty() {
                return Ok(());
            }
            let options = match service {
                MediaApi::Media => {
                    d.send(&media::GetAudioEncoderConfigurationOptions {
                        configuration: Some(current.token.clone()),
                        profile: Some(t.clone()),
                    })
                    .await
                }
                MediaApi::Media2 => {
                    d.send(&media2::GetAudioEncoderConfigurationOptions {
                        configuration: Some(current.token.clone()),
                        profile: Some(t.clone()),
                    })
                    .await
                }
            };
            // A device that will not say its options (Axis answers ter:AudioNotSupported on
            // some models) gets the planned values as they are; its answer to the Set, and
            // the read-back, decide.
            let options = match options {
                Ok(o) => o,
                Err(OnvifError::Soap(s)) if s.fault().is_some() => Vec::new(),
                Err(e) => return Err(e),
            };
            // What the device cannot hold is fitted to its options; the read-back then shows
            // the difference from the plan, and the step is journaled as adapted.
            // Without a planned codec the encoder keeps its own, and the rates are fitted
            // to that codec's lists.
            let planned = crate::planner::plan::AudioValues {
                encoding: values.encoding.clone().or_else(|| current.encoding.clone()),
                ..values.clone()
            };
            let values = check::fit_audio(&planned, &options);
            if check::audio_mismatches(&values, &current).is_empty() {
                return Ok(());
            }
            let mut e = current;
            e.encoding = values.encoding.or(e.encoding);
            e.bitrate_kbps = values.bitrate_kbps.or(e.bitrate_kbps);
            e.sample_rate_khz = values.sample_rate_khz.or(e.sample_rate_khz);
            match service {
                MediaApi::Media => {
                    d.send(&media::SetAudioEncoderConfiguration {
                        encoder: e,
                        force_persistence: true,
                    })
                    .await?;
                }
                MediaApi::Media2 => {
                    d.send(&media2::SetAudioEncoderConfiguration { encoder: e })
                        .await?;
                }
            }
            invalidate_profiles(d);
        }
        Op::AddPtz { service, profile } => {
            let t = need(profile, tokens)?;
            let p = find_profile(d, *service, &t).await?;
            if p.ptz_configuration.is_some() {
                return Ok(());
            }
            let c = d
                .ptz_configurations()
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| req(missing("PTZConfiguration")))?;
            add_configuration(d, *service, &t, media2::ConfigurationType::Ptz, &c).await?;
        }
        Op::SetVideoEncoder {
            service,
            profile,
            values,
        } => {
            let t = need(profile, tokens)?;
            let p = find_profile(d, *service, &t).await?;
            let Some(current) = p.video_encoder.clone() else {
                return Err(req(missing("VideoEncoderConfiguration")));
            };
            if check::encoder_mismatches(values, &current).is_empty() {
                return Ok(());
            }
            let options = match service {
                MediaApi::Media => {
                    d.send(&media::GetVideoEncoderConfigurationOptions {
                        configuration: Some(current.token.clone()),
                        profile: Some(t.clone()),
                    })
                    .await?
                }
                MediaApi::Media2 => {
                    d.send(&media2::GetVideoEncoderConfigurationOptions {
                        configuration: Some(current.token.clone()),
                        profile: Some(t.clone()),
                    })
                    .await?
                }
            };
            let values = &check::fit_to_options(values, &options);
            if check::encoder_mismatches(values, &current).is_empty() {
                return Ok(());
            }
            let mut e = current;
            if let Some(c) = &values.encoding {
                e.encoding = Some(Codec::parse(c));
            }
            e.width = values.width.or(e.width);
            e.height = values.height.or(e.height);
            e.frame_rate = values.frame_rate.or(e.frame_rate);
            e.bitrate_kbps = values.bitrate_kbps.or(e.bitrate_kbps);
            e.gov_length = values.gov_length.or(e.gov_length);
            e.quality = values.quality.or(e.quality);
            e.profile = values.profile.clone().or(e.profile);
            e.constant_bitrate = values.constant_bitrate.or(e.constant_bitrate);
            match service {
                MediaApi::Media => {
                    d.send(&media::SetVideoEncoderConfiguration {
                        encoder: e,
                        force_persistence: true,
                    })
                    .await?;
                }
                MediaApi::Media2 => {
                    d.send(&media2::SetVideoEncoderConfiguration { encoder: e })
                        .await?;
                }
            }
            invalidate_profiles(d);
        }
        Op::AbsoluteMove { profile, target } => {
            let t = need(profile, tokens)?;
            let position = PtzPosition {
                pan_tilt: target
                    .pan_tilt
                    .as_ref()
                    .map(|p| (p.x, p.y, Some(p.space.clone()))),
                zoom: target.zoom.as_ref().map(|z| (z.x, Some(z.space.clone()))),
            };
            d.send(&ptz::AbsoluteMove {
                profile: t.clone(),
                position,
                speed: None,
            })
            .await?;
            let started = std::time::Instant::now();
            while started.elapsed() < MOVE_DEADLINE {
                if d.ptz_status(&t).await?.is_idle() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        Op::SetPreset {
            profile,
            preset,
            name,
        } => {
            let t = need(profile, tokens)?;
            let presets = d.presets(&t).await?;
            if let Some(pt) = token(preset, tokens) {
                if presets.iter().any(|p| p.token == pt) {
                    return Ok(());
                }
            }
            // A preset of this name from an interrupted run is overwritten in place, not
            // duplicated.
            let existing = presets
                .iter()
                .find(|p| p.name.as_deref() == Some(name.as_str()))
                .map(|p| p.token.clone());
            let new = d
                .send(&ptz::SetPreset {
                    profile: t.clone(),
                    name: Some(name.clone()),
                    token: existing,
                })
                .await?;
            d.seen.presets.remove(&t);
            remember(tokens, created, preset, &new);
        }
        Op::SetHomePosition { profile } => {
            let t = need(profile, tokens)?;
            d.send(&ptz::SetHomePosition { profile: t }).await?;
        }
        Op::CreateRecording {
            recording: r,
            source,
            content,
            max_retention,
        } => {
            let recs = d.recordings().await?;
            if let Some(t) = token(r, tokens) {
                if recs.iter().any(|x| x.token == t) {
                    return Ok(());
                }
            }
            let retention = crate::onvif::parse_duration_s(max_retention).ok_or_else(|| {
                req(crate::onvif::RequestError::unsupported(
                    "CreateRecording",
                    "RecordingConfiguration/MaximumRetentionTime",
                    max_retention,
                    "an xs:duration (checked when the plan is lowered)",
                ))
            })?;
            let claimed: BTreeSet<&str> = tokens
                .iter()
                .filter(|(k, _)| k.starts_with("recording:"))
                .map(|(_, v)| v.as_str())
                .collect();
            if let Some(x) = recs
                .iter()
                .find(|x| x.source.name == source.name && x.content == *content)
            {
                remember(tokens, created, r, &x.token);
                return Ok(());
            }
            let caps = d.recording_capabilities().await?;
            let t = if caps.dynamic_recordings {
                d.send(&recording::CreateRecording {
                    source: source.clone(),
                    content: content.clone(),
                    max_retention_s: retention,
                })
                .await?
            } else {
                // Fixed recordings: adopt the first one no planned recording took, and give it
                // the planned description.
                let x = recs
                    .iter()
                    .find(|x| !claimed.contains(x.token.as_str()))
                    .ok_or_else(|| {
                        req(missing(
                            "a recording (the device has fixed recordings, all taken)",
                        ))
                    })?;
                let t = x.token.clone();
                d.send(&recording::SetRecordingConfiguration {
                    recording: t.clone(),
                    source: source.clone(),
                    content: content.clone(),
                    max_retention_s: retention,
                })
                .await?;
                t
            };
            d.seen.recordings = None;
            remember(tokens, created, r, &t);
        }
        Op::CreateTrack {
            recording: r,
            track,
        } => {
            let t = need(r, tokens)?;
            let recs = d.recordings().await?;
            let has = recs.iter().find(|x| x.token == t).is_some_and(|x| {
                x.tracks
                    .iter()
                    .any(|k| k.kind.eq_ignore_ascii_case(&track.kind))
            });
            if has {
                return Ok(());
            }
            d.send(&recording::CreateTrack {
                recording: t,
                track: Track {
                    token: String::new(),
                    kind: track.kind.clone(),
                    description: track.description.clone(),
                },
            })
            .await?;
            d.seen.recordings = None;
        }
        Op::CreateRecordingJob {
            job,
            recording: r,
            mode,
            priority,
            sources,
        } => {
            let rt = need(r, tokens)?;
            let jobs = d.jobs().await?;
            if let Some(t) = token(job, tokens) {
                if jobs.iter().any(|j| j.token == t) {
                    return Ok(());
                }
            }
            if let Some(j) = jobs.iter().find(|j| j.recording_token == rt) {
                let t = j.token.clone();
                if !j.mode.eq_ignore_ascii_case(mode) {
                    d.send(&recording::SetRecordingJobMode {
                        job: t.clone(),
                        mode: mode.clone(),
                    })
                    .await?;
                    d.seen.jobs = None;
                }
                remember(tokens, created, job, &t);
                return Ok(());
            }
            let mut job_sources = Vec::new();
            for s in sources {
                let token = match &s.profile {
                    Some(key) => Some(need(&Ref::new(Kind::Profile, key.clone()), tokens)?),
                    None => None,
                };
                job_sources.push(RecordingJobSource {
                    source_token: token,
                    source_type: s.source_type.clone(),
                    auto_create_receiver: None,
                    // Track tokens are the new recording's; the device pairs them itself.
                    tracks: Vec::new(),
                });
            }
            let created_job = d
                .send(&recording::CreateRecordingJob {
                    job: RecordingJob {
                        token: String::new(),
                        recording_token: rt,
                        mode: mode.clone(),
                        priority: *priority,
                        schedule_token: None,
                        sources: job_sources,
                    },
                })
                .await?;
            d.seen.jobs = None;
            remember(tokens, created, job, &created_job.token);
        }
        Op::SetHostname { name } => {
            d.send(&dev::SetHostname { name: name.clone() }).await?;
            d.seen.hostname = None;
        }
        Op::SetGateway { gateway } => {
            d.send(&dev::SetNetworkDefaultGateway {
                gateways: vec![gateway.clone()],
            })
            .await?;
            d.seen.gateway = None;
        }
        Op::SetNetworkInterfaces { .. } => {
            unreachable!("the network move is run by run_network_step")
        }
    }
    Ok(())
}

fn d_label(op: &Op) -> String {
    op.name().to_owned()
}

fn missing(field: &'static str) -> crate::onvif::RequestError {
    crate::onvif::RequestError::Missing {
        operation: "apply",
        field,
    }
}

fn invalidate_profiles(d: &mut Device) {
    d.seen.profiles = None;
    d.seen.profiles2 = None;
}

async fn find_profile(
    d: &mut Device,
    service: MediaApi,
    token: &str,
) -> Result<crate::model::MediaProfile, OnvifError> {
    d.profiles(service)
        .await?
        .into_iter()
        .find(|p| p.token == token)
        .ok_or_else(|| OnvifError::Request {
            device: d.xaddr.clone(),
            error: missing("Profile"),
        })
}

/// The call that attaches a configuration of `kind` to a profile through `service`.
#[derive(Debug, Clone, PartialEq)]
enum AddCall {
    /// Media ver10 AddVideoSourceConfiguration.
    VideoSource(media::AddVideoSourceConfiguration),
    /// Media ver10 AddVideoEncoderConfiguration.
    VideoEncoder(media::AddVideoEncoderConfiguration),
    /// Media ver10 AddAudioSourceConfiguration.
    AudioSource(media::AddAudioSourceConfiguration),
    /// Media ver10 AddAudioEncoderConfiguration.
    AudioEncoder(media::AddAudioEncoderConfiguration),
    /// Media ver10 AddPTZConfiguration.
    Ptz(media::AddPTZConfiguration),
    /// Media2 AddConfiguration (one call for every type).
    Media2(media2::AddConfiguration),
}

/// The call for `kind` on `service`; a kind the service cannot attach through an operation
/// camswap sends is an error, never another kind's call.
fn add_call(
    service: MediaApi,
    kind: media2::ConfigurationType,
    profile: &str,
    configuration: &str,
) -> Result<AddCall, crate::onvif::RequestError> {
    use media2::ConfigurationType as T;
    let (profile, configuration) = (profile.to_owned(), configuration.to_owned());
    let unsupported = |operation, reason| {
        Err(crate::onvif::RequestError::unsupported(
            operation,
            "ConfigurationType",
            kind.as_str(),
            reason,
        ))
    };
    match service {
        MediaApi::Media => match kind {
            T::VideoSource => Ok(AddCall::VideoSource(media::AddVideoSourceConfiguration {
                profile,
                configuration,
            })),
            T::VideoEncoder => Ok(AddCall::VideoEncoder(media::AddVideoEncoderConfiguration {
                profile,
                configuration,
            })),
            T::AudioSource => Ok(AddCall::AudioSource(media::AddAudioSourceConfiguration {
                profile,
                configuration,
            })),
            T::AudioEncoder => Ok(AddCall::AudioEncoder(media::AddAudioEncoderConfiguration {
                profile,
                configuration,
            })),
            T::Ptz => Ok(AddCall::Ptz(media::AddPTZConfiguration {
                profile,
                configuration,
            })),
            T::All
            | T::AudioOutput
            | T::AudioDecoder
            | T::Metadata
            | T::Analytics
            | T::Receiver => unsupported(
                "media.Add*Configuration",
                "camswap attaches VideoSource, VideoEncoder, AudioSource, AudioEncoder and PTZ configurations through Media ver10",
            ),
        },
        MediaApi::Media2 => match kind {
            T::All => unsupported(
                "media2.AddConfiguration",
                "All names every type in GetProfiles; a profile is given configurations one type at a time",
            ),
            T::VideoSource
            | T::VideoEncoder
            | T::AudioSource
            | T::AudioEncoder
            | T::AudioOutput
            | T::AudioDecoder
            | T::Metadata
            | T::Analytics
            | T::Ptz
            | T::Receiver => Ok(AddCall::Media2(media2::AddConfiguration {
                profile,
                name: None,
                configurations: vec![media2::ConfigurationRef {
                    kind,
                    token: Some(configuration),
                }],
            })),
        },
    }
}

async fn add_configuration(
    d: &mut Device,
    service: MediaApi,
    profile: &str,
    kind: media2::ConfigurationType,
    configuration: &str,
) -> Result<(), OnvifError> {
    let call =
        add_call(service, kind, profile, configuration).map_err(|error| OnvifError::Request {
            device: d.xaddr.clone(),
            error,
        })?;
    match call {
        AddCall::VideoSource(op) => d.send(&op).await?,
        AddCall::VideoEncoder(op) => d.send(&op).await?,
        AddCall::AudioSource(op) => d.send(&op).await?,
        AddCall::AudioEncoder(op) => d.send(&op).await?,
        AddCall::Ptz(op) => d.send(&op).await?,
        AddCall::Media2(op) => d.send(&op).await?,
    }
    invalidate_profiles(d);
    Ok(())
}

/// The network move: hostname and gateway, a check that nothing answers at the target
/// address, SetNetworkInterfaces (and SystemReboot when the device asks for it), then the
/// camera is followed to its new address and read back there.
async fn run_network_step(
    run: &Run,
    camera: &CameraPlan,
    step: &Lowered,
    d: &mut Device,
    login: &Login,
    tokens: &mut Tokens,
) -> Result<(Record, Vec<String>), StepFailure> {
    let mut readback = Vec::new();
    let mut adapted = Vec::new();
    let mut accepted = Vec::new();
    let mut created = BTreeMap::new();
    for op in &step.ops {
        if let Op::SetNetworkInterfaces {
            dhcp,
            address,
            prefix_length,
        } = op
        {
            let here = device::socket_of(&d.xaddr);
            let target_ip: Option<IpAddr> = address.as_deref().and_then(|a| a.parse().ok());
            let already_there = match (here, target_ip) {
                (Some(h), Some(t)) => h.ip() == t,
                _ => false,
            };
            if !already_there {
                if let (Some(h), Some(t)) = (here, target_ip) {
                    let target = std::net::SocketAddr::new(t, h.port());
                    if device::answers(target, Duration::from_secs(1)).await {
                        return Err(StepFailure(format!(
                            "step {} (set_network): something already answers at {target}; unplug or re-address the old camera before the move",
                            step.index
                        )));
                    }
                }
                let first =
                    d.interfaces().await?.into_iter().next().ok_or_else(|| {
                        StepFailure("the device reports no network interface".into())
                    })?;
                let iface = first.token;
                // Who the camera is, learnt before it leaves: how it is recognised wherever
                // it comes back. Its endpoint reference (a directed probe, up to 1.5 s) is
                // read only when no address is planned (DHCP); a camera that misses its
                // planned static address is recognised by the MAC in its scopes.
                let endpoint = match target_ip {
                    None => probe(&d.xaddr, run.settings.discovery_port)
                        .await
                        .map(|(_, e)| e)
                        .filter(|e| !e.trim().is_empty()),
                    Some(_) => None,
                };
                let who = Whom {
                    endpoint,
                    mac: first.mac,
                    serial: d.send(&dev::GetDeviceInformation).await?.serial_number,
                };
                let cfg = crate::model::Ipv4Config {
                    enabled: true,
                    dhcp: *dhcp,
                    address: address.clone(),
                    prefix_length: *prefix_length,
                };
                let reboot = d
                    .send(&dev::SetNetworkInterfaces {
                        token: iface,
                        ipv4: cfg,
                    })
                    .await?;
                if reboot {
                    // The answer may be lost as the device goes down: that is the reboot.
                    match d.send(&dev::SystemReboot).await {
                        Ok(_) => {}
                        Err(e) if away(&e) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
                let calls = d.calls;
                let deadline = run.settings.connect.away_deadline;
                let found = match (here, target_ip) {
                    (Some(_), Some(t)) => {
                        let new_xaddr =
                            device::with_host(&d.xaddr, &t.to_string()).ok_or_else(|| {
                                StepFailure(format!("cannot form an address for {t}"))
                            })?;
                        (run.progress)(&format!(
                            "{}: following the camera to {new_xaddr}",
                            camera.old.id
                        ));
                        match Device::open(
                            &camera.old.id,
                            &new_xaddr,
                            Some(login),
                            &run.settings.connect,
                        )
                        .await
                        {
                            Ok(there) => there,
                            // Not where the plan put it (a DHCP server or the device's own
                            // choice won): one round of discovery before giving up.
                            Err(e) => follow(run, camera, &who, here, login, Duration::ZERO)
                                .await
                                .map_err(|why| {
                                    StepFailure(format!(
                                        "step {} (set_network): the camera did not answer at its new address {new_xaddr} within the {:.1} s away deadline (--away-deadline): {e}; {why}",
                                        step.index,
                                        deadline.as_secs_f64()
                                    ))
                                })?,
                        }
                    }
                    _ => {
                        (run.progress)(&format!(
                            "{}: the camera takes an address from DHCP; looking for it by WS-Discovery",
                            camera.old.id
                        ));
                        follow(run, camera, &who, here, login, deadline)
                            .await
                            .map_err(|why| {
                                StepFailure(format!(
                                    "step {} (set_network): after DHCP was switched on, the camera was not found within the {:.1} s away deadline (--away-deadline): {why}",
                                    step.index,
                                    deadline.as_secs_f64()
                                ))
                            })?
                    }
                };
                *d = found;
                d.calls += calls;
            }
        } else {
            exec_waiting(run, d, op, tokens, &mut created).await?;
        }
        let c = checked(d, op, None, tokens).await?;
        if !c.mismatches.is_empty() {
            adapted.push(describe(&c.mismatches));
            accepted.extend(c.mismatches);
        }
        readback.push(c.readback);
    }
    let mut rec = run.record(
        &camera.old.id,
        if adapted.is_empty() {
            Status::Done
        } else {
            Status::Adapted
        },
    );
    rec.step = Some(step.index);
    rec.kind = Some(step.kind.to_owned());
    rec.xaddr = Some(d.xaddr.clone());
    rec.readback = Some(Value::Array(readback));
    rec.tokens = created;
    rec.adapted = accepted;
    if !adapted.is_empty() {
        rec.detail = Some(format!("device adapted: {}", adapted.join("; ")));
    }
    Ok((rec, adapted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use media2::ConfigurationType as T;

    #[test]
    fn every_configuration_kind_gets_its_own_call_or_a_typed_error() {
        let call = |service, kind| add_call(service, kind, "P", "C");
        let pc = || ("P".to_owned(), "C".to_owned());
        let (profile, configuration) = pc();
        assert_eq!(
            call(MediaApi::Media, T::Ptz),
            Ok(AddCall::Ptz(media::AddPTZConfiguration {
                profile,
                configuration
            }))
        );
        let (profile, configuration) = pc();
        assert_eq!(
            call(MediaApi::Media, T::AudioEncoder),
            Ok(AddCall::AudioEncoder(media::AddAudioEncoderConfiguration {
                profile,
                configuration
            }))
        );
        // Media ver10 has no call camswap sends for these: an error naming the kind, never
        // the PTZ configuration (or any other kind's) added in its place.
        for kind in [
            T::All,
            T::AudioOutput,
            T::AudioDecoder,
            T::Metadata,
            T::Analytics,
            T::Receiver,
        ] {
            match call(MediaApi::Media, kind) {
                Err(crate::onvif::RequestError::Unsupported { field, value, .. }) => {
                    assert_eq!(field, "ConfigurationType");
                    assert_eq!(value, kind.as_str());
                }
                other => panic!("{kind:?}: {other:?}"),
            }
        }
        // Media2 adds any type by name, except All (a GetProfiles filter, not a type).
        assert!(call(MediaApi::Media2, T::All).is_err());
        assert_eq!(
            call(MediaApi::Media2, T::Metadata),
            Ok(AddCall::Media2(media2::AddConfiguration {
                profile: "P".into(),
                name: None,
                configurations: vec![media2::ConfigurationRef {
                    kind: T::Metadata,
                    token: Some("C".into()),
                }],
            }))
        );
    }
}
