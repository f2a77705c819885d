//! Reads cameras into [`DeviceSnapshot`]s: one device with [`read_device`], a site with
//! [`read_all`].
//!
//! A read never fails as a whole. Each ONVIF operation that fails is recorded in
//! [`DeviceSnapshot::errors`] as `service.Operation` with the reason, and the read goes on with
//! what it has: an integrator would rather have a camera's profiles without its recording jobs
//! than nothing. A few things end a device's read early, because nothing after them can work:
//! the device cannot be reached (its clock read fails on the network: `inventory.unreachable`),
//! it refuses our credentials or answers no SOAP on the identity read (`inventory.skipped`),
//! or the whole-device timeout expires (`inventory.timeout`). Three reads in a row failing on
//! the network within one service end that service's part (`inventory.skipped`, naming the
//! service) when the device still answers its clock read, and the whole read when it does not.
//! Each leaves that one more record so the reason is in the file.
//!
//! The failure policy lives in `policy`; each service's section in its own module, in the
//! order they run: clock, identity, services, network, scopes, users (`device`), Media
//! (ver10), Media2 (merged into the ver10 profiles by token), PTZ, Recording, Imaging (per
//! video source that a video source configuration captures from).
//!
//! Each device's reads run one after another (a camera's web server is small, and the order
//! keeps the log readable); devices run concurrently.

mod device;
mod imaging;
mod media;
mod media2;
mod policy;
mod ptz;
mod recording;

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use self::policy::{Failure, Stop};
use crate::credentials::Login;
use crate::model::{DeviceSnapshot, ReadError, VideoSourceConfiguration, redact_uri};
use crate::onvif::operation::Operation;
use crate::onvif::session::Session;
use crate::soap::auth::{Clock, NonceSource, RandomNonces, SystemClock};
use crate::soap::{AuthMode, ClientConfig, Credentials, SoapClient, SoapError, TlsTrust};

/// Operation recorded when the device could not be reached at all (its first read failed on
/// the network).
pub const UNREACHABLE: &str = "inventory.unreachable";
/// Operation recorded when the rest of a read was skipped: credentials refused, no SOAP, or
/// the device stopped answering part way.
pub const SKIPPED: &str = "inventory.skipped";
/// Operation recorded when the whole-device timeout expired.
pub const TIMEOUT: &str = "inventory.timeout";

/// One device to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Device service address (`http://IP[:PORT]/onvif/device_service`).
    pub xaddr: String,
    /// WS-Discovery endpoint reference, when the device was discovered.
    pub endpoint: Option<String>,
    /// Who to log in as; `None` sends no credentials (factory-default devices need none).
    pub login: Option<Login>,
}

impl Target {
    /// A target at `xaddr` without endpoint or login.
    pub fn new(xaddr: impl Into<String>) -> Self {
        Self {
            xaddr: xaddr.into(),
            endpoint: None,
            login: None,
        }
    }

    /// The IP address of the xaddr's host, when it is a literal address (for credential
    /// lookup by IP or CIDR).
    pub fn ip(&self) -> Option<IpAddr> {
        let url = reqwest::Url::parse(&self.xaddr).ok()?;
        let host = url.host_str()?;
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .ok()
    }
}

/// How devices are read.
#[derive(Clone)]
pub struct ReadOptions {
    /// Per-request timeout (connect, send, whole answer). Default 10 s.
    pub timeout: Duration,
    /// Authentication mode for devices that have a login. Default [`AuthMode::Auto`].
    pub auth: AuthMode,
    /// Whole-device budget: what was read by then is kept, with a timeout record. Default 120 s.
    pub device_timeout: Duration,
    /// Devices read at the same time by [`read_all`]. Default 32.
    pub concurrency: usize,
    /// "Our" time, for the clock offset and `wsu:Created` (tests pin it).
    pub clock: Arc<dyn Clock>,
    /// WS-Security and Digest client nonces (tests pin them).
    pub nonces: Arc<dyn NonceSource>,
    /// Which device certificates to trust (site CA, insecure, trust on first use); the pin
    /// of each device comes from [`ReadOptions::pins`].
    pub tls: TlsTrust,
    /// Certificate SHA-256 required per origin (`https://host:port`), from an earlier
    /// inventory's `observed.certificate_sha256`.
    pub pins: BTreeMap<String, String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            auth: AuthMode::Auto,
            device_timeout: Duration::from_secs(120),
            concurrency: 32,
            clock: Arc::new(SystemClock),
            nonces: Arc::new(RandomNonces),
            tls: TlsTrust::default(),
            pins: BTreeMap::new(),
        }
    }
}

impl fmt::Debug for ReadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadOptions")
            .field("timeout", &self.timeout)
            .field("auth", &self.auth)
            .field("device_timeout", &self.device_timeout)
            .field("concurrency", &self.concurrency)
            .field("tls", &self.tls)
            .field("pins", &self.pins.len())
            .finish_non_exhaustive()
    }
}

/// True when the device could not be reached at all (connection refused or no answer to its
/// first read): what `camswap inventory` counts as "failed to connect".
pub fn unreachable(snapshot: &DeviceSnapshot) -> bool {
    snapshot.errors.iter().any(|e| e.operation == UNREACHABLE)
}

/// Reads everything a migration needs from one device. Never fails: what could not be read is
/// in `errors`. `id` is set from what was read and the snapshot is sealed.
pub async fn read_device(target: &Target, opts: &ReadOptions) -> DeviceSnapshot {
    let mut out = Progress {
        snapshot: DeviceSnapshot {
            xaddr: redact_uri(&target.xaddr),
            endpoint: target.endpoint.clone(),
            ..DeviceSnapshot::default()
        },
        current: String::new(),
    };
    let started = Instant::now();
    let finished =
        tokio::time::timeout(opts.device_timeout, read_into(target, opts, &mut out)).await;
    match finished {
        Ok(Ok(())) => {}
        Ok(Err(stop)) => out.snapshot.errors.push(ReadError {
            operation: stop.operation.to_owned(),
            reason: stop.reason,
        }),
        Err(_) => {
            let during = if out.current.is_empty() {
                String::new()
            } else {
                format!("; stopped during {}", out.current)
            };
            out.snapshot.errors.push(ReadError {
                operation: TIMEOUT.to_owned(),
                reason: format!(
                    "the device read did not finish within {}{during}; what was read before is kept",
                    human(opts.device_timeout)
                ),
            });
        }
    }
    let mut snapshot = out.snapshot;
    snapshot.observed.reported_ipv4_elsewhere = ipv4_elsewhere(&snapshot);
    snapshot.redact_secrets();
    snapshot.id = snapshot.stable_id();
    snapshot.seal();
    tracing::debug!(
        device = %snapshot.xaddr,
        id = %snapshot.id,
        errors = snapshot.errors.len(),
        ms = started.elapsed().as_millis() as u64,
        "device read"
    );
    snapshot
}

/// Reads every target, at most `opts.concurrency` at a time, and returns the snapshots sorted
/// by id, then xaddr. `progress(done, total)` is called after each device. One device failing
/// (or even panicking) never stops the others.
pub async fn read_all(
    targets: &[Target],
    opts: &ReadOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Vec<DeviceSnapshot> {
    let total = targets.len();
    let limit = opts.concurrency.max(1);
    let mut pending = targets.iter().enumerate();
    let mut running: JoinSet<DeviceSnapshot> = JoinSet::new();
    let mut tasks = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(total);
    loop {
        while running.len() < limit {
            let Some((i, target)) = pending.next() else {
                break;
            };
            let (target, opts) = (target.clone(), opts.clone());
            let handle = running.spawn(async move { read_device(&target, &opts).await });
            tasks.insert(handle.id(), i);
        }
        let Some(joined) = running.join_next_with_id().await else {
            break;
        };
        let snapshot = match joined {
            Ok((_, snapshot)) => snapshot,
            Err(e) => {
                // A panic is a bug in camswap, not the device; keep the device in the file.
                let target = tasks.get(&e.id()).map(|&i| &targets[i]);
                let xaddr = target.map_or_else(String::new, |t| redact_uri(&t.xaddr));
                let mut s = DeviceSnapshot {
                    xaddr,
                    endpoint: target.and_then(|t| t.endpoint.clone()),
                    ..DeviceSnapshot::default()
                };
                s.errors.push(ReadError {
                    operation: "inventory".to_owned(),
                    reason: format!("the reader failed: {e}"),
                });
                s.id = s.stable_id();
                s.seal();
                s
            }
        };
        out.push(snapshot);
        progress(out.len(), total);
    }
    out.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.xaddr.cmp(&b.xaddr)));
    out
}

/// Seconds, briefly.
fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// What a read has gathered so far; lives outside the timed future so a timeout keeps it.
struct Progress {
    snapshot: DeviceSnapshot,
    /// The operation in flight (`ptz.GetPresets (profile Profile_1)`), for the timeout record.
    current: String,
}

async fn read_into(target: &Target, opts: &ReadOptions, out: &mut Progress) -> Result<(), Stop> {
    let session = match session(target, opts) {
        Ok(s) => s,
        Err(e) => {
            return Err(Stop {
                operation: SKIPPED,
                reason: e.to_string(),
                service_only: false,
            });
        }
    };
    let mut reader = Reader {
        session,
        out,
        transport_failures: 0,
        last_failure: None,
        source_configurations: Vec::new(),
    };
    let result = reader.read().await;
    // What the device showed without a login, whatever the read's outcome.
    let seen = reader.session.soap().server_seen();
    super::preauth::absorb(&mut reader.out.snapshot, seen);
    result
}

/// The SOAP client and session for a target.
fn session(target: &Target, opts: &ReadOptions) -> Result<Session, SoapError> {
    let (auth, credentials) = match &target.login {
        Some(l) => (
            opts.auth,
            Some(Credentials::new(&l.username, l.password.expose())),
        ),
        // Without a login every mode comes down to sending nothing.
        None => (AuthMode::None, None),
    };
    let mut tls = opts.tls.clone();
    tls.pinned = pin_for(&target.xaddr, &opts.pins).cloned();
    let config = ClientConfig {
        timeout: opts.timeout,
        connect_timeout: opts.timeout.min(Duration::from_secs(5)),
        auth,
        credentials,
        tls,
        ..ClientConfig::default()
    };
    // Credentials travel only through the configured auth, never as URL userinfo.
    let url = redact_uri(&target.xaddr);
    let soap = SoapClient::new(&url, config)?
        .with_clock(Arc::clone(&opts.clock))
        .with_nonces(Arc::clone(&opts.nonces));
    Ok(Session::new(soap, url).with_clock(Arc::clone(&opts.clock)))
}

/// The certificate SHA-256 pinned for the origin of `xaddr`.
pub fn pin_for<'a>(xaddr: &str, pins: &'a BTreeMap<String, String>) -> Option<&'a String> {
    let origin = crate::model::Origin::of(xaddr).ok()?;
    pins.get(&origin.to_string())
}

/// The IPv4 addresses the device reports when the address we reached (an IPv4 literal) is
/// not among them: behind NAT, or another host answering in the device's name.
fn ipv4_elsewhere(s: &DeviceSnapshot) -> Vec<String> {
    let Some(IpAddr::V4(reached)) = crate::model::http_url(&s.xaddr)
        .ok()
        .and_then(|u| u.host_str().and_then(|h| h.parse().ok()))
    else {
        return Vec::new();
    };
    let reported: Vec<String> = s
        .network
        .interfaces
        .iter()
        .filter_map(|i| i.ipv4.as_ref()?.address.clone())
        .collect();
    let matches = reported
        .iter()
        .any(|a| a.trim().parse::<std::net::Ipv4Addr>().ok() == Some(reached));
    if reported.is_empty() || matches {
        Vec::new()
    } else {
        reported
    }
}

/// One device's read in progress.
struct Reader<'a> {
    session: Session,
    out: &'a mut Progress,
    transport_failures: u32,
    last_failure: Option<Failure>,
    /// ver10 video source configurations, for the list of physical sources.
    source_configurations: Vec<VideoSourceConfiguration>,
}

impl Reader<'_> {
    async fn read(&mut self) -> Result<(), Stop> {
        self.clock().await?;
        self.identity().await?;
        self.services().await?;
        let network = self.network().await;
        self.next_section(network)?;
        let media = self.media().await;
        self.next_section(media)?;
        let media2 = self.media2().await;
        self.next_section(media2)?;
        self.video_sources();
        let ptz = self.ptz().await;
        self.next_section(ptz)?;
        let recording = self.recording().await;
        self.next_section(recording)?;
        let imaging = self.imaging().await;
        self.next_section(imaging)
    }

    /// Sends `op` and settles the outcome on the device record (see [`policy`]): `Ok(None)`
    /// when it failed and was recorded (with `context`, such as the profile it was about);
    /// `Err` when the device, or this service, is gone.
    async fn send<O: Operation>(
        &mut self,
        op: &O,
        context: Option<&str>,
    ) -> Result<Option<O::Response>, Stop> {
        let id = O::row().id;
        self.out.current = match context {
            Some(c) => format!("{id} ({c})"),
            None => id.to_owned(),
        };
        let result = self.session.send(op).await;
        let settled = self.settle(id, context, result);
        if self.transport_failures >= policy::MAX_TRANSPORT_FAILURES {
            return Err(self.give_up(O::SERVICE).await);
        }
        Ok(settled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_ip_for_credential_lookup() {
        assert_eq!(
            Target::new("http://127.0.3.7:8080/onvif/device_service").ip(),
            Some("127.0.3.7".parse().unwrap())
        );
        assert_eq!(
            Target::new("http://[fe80::1]/onvif/device_service").ip(),
            Some("fe80::1".parse().unwrap())
        );
        assert_eq!(Target::new("http://cam-17.site/onvif").ip(), None);
        assert_eq!(Target::new("not a url").ip(), None);
    }

    #[tokio::test]
    async fn an_unreachable_device_is_recorded_and_named_by_its_address() {
        // A port nobody listens on: bind, learn the port, close.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let target = Target::new(format!("http://127.0.0.1:{port}/onvif/device_service"));
        let opts = ReadOptions {
            timeout: Duration::from_secs(2),
            ..ReadOptions::default()
        };
        let s = read_device(&target, &opts).await;
        assert!(unreachable(&s), "{:?}", s.errors);
        assert_eq!(s.id, format!("xaddr:{}", target.xaddr));
        assert_eq!(s.errors[0].operation, "device.GetSystemDateAndTime");
        assert_eq!(s.errors.len(), 2, "nothing else is tried: {:?}", s.errors);
        assert_eq!(s.sha256, s.digest());
    }

    #[tokio::test]
    async fn read_all_keeps_every_device_and_sorts_by_id() {
        let ports: Vec<u16> = (0..3)
            .map(|_| {
                std::net::TcpListener::bind("127.0.0.1:0")
                    .unwrap()
                    .local_addr()
                    .unwrap()
                    .port()
            })
            .collect();
        let targets: Vec<Target> = ports
            .iter()
            .rev()
            .map(|p| Target::new(format!("http://127.0.0.1:{p}/onvif/device_service")))
            .collect();
        let calls = std::sync::Mutex::new(Vec::new());
        let opts = ReadOptions {
            concurrency: 2,
            timeout: Duration::from_secs(2),
            ..ReadOptions::default()
        };
        let out = read_all(&targets, &opts, &|done, total| {
            calls.lock().unwrap().push((done, total));
        })
        .await;
        assert_eq!(out.len(), 3);
        let ids: Vec<&str> = out.iter().map(|s| s.id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        assert_eq!(*calls.lock().unwrap(), [(1, 3), (2, 3), (3, 3)]);
    }
}
