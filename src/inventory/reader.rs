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
//! Order, one section per service: clock, identity, services, network, scopes, users, Media
//! (ver10), Media2 (merged into the ver10 profiles by token), PTZ, Recording, Imaging (per
//! video source that a video source configuration captures from). Each
//! device's reads run one after another (a camera's web server is small, and the order keeps
//! the log readable); devices run concurrently.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use crate::credentials::Login;
use crate::model::{
    DeviceSnapshot, EncoderOptions, MediaProfile, MediaService, Ptz, ReadError, Recording,
    VideoEncoder, VideoSource, VideoSourceConfiguration, strip_userinfo,
};
use crate::onvif::media::StreamSetup;
use crate::onvif::media2::{ConfigurationType, StreamProtocol};
use crate::onvif::operation::Operation;
use crate::onvif::session::{OnvifError, Session};
use crate::onvif::{ParseError, device, imaging, media, media2, ptz, recording};
use crate::soap::auth::{Clock, NonceSource, RandomNonces, SystemClock};
use crate::soap::xml::Element;
use crate::soap::{AuthMode, ClientConfig, Credentials, SoapClient, SoapError};

/// Operation recorded when the device could not be reached at all (its first read failed on
/// the network).
pub const UNREACHABLE: &str = "inventory.unreachable";
/// Operation recorded when the rest of a read was skipped: credentials refused, no SOAP, or
/// the device stopped answering part way.
pub const SKIPPED: &str = "inventory.skipped";
/// Operation recorded when the whole-device timeout expired.
pub const TIMEOUT: &str = "inventory.timeout";

/// Network failures in a row after which a device counts as gone.
const MAX_TRANSPORT_FAILURES: u32 = 3;

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
            xaddr: strip_userinfo(&target.xaddr),
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
                let xaddr = target.map_or_else(String::new, |t| strip_userinfo(&t.xaddr));
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

/// Why a device's read (or one service's part of it) ended early.
struct Stop {
    operation: &'static str,
    reason: String,
    /// Only the current service gave up; the device still answers, so the read goes on
    /// with the next service.
    service_only: bool,
}

/// How the last failed operation failed, to decide whether going on makes sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// Connect, reset or per-request timeout.
    Transport,
    /// Credentials refused.
    NotAuthorized,
    /// The answer was not SOAP (garbage, HTML, empty).
    NotSoap,
    /// Anything else: a fault, a parse error, a missing service.
    Other,
}

impl Failure {
    fn of(e: &OnvifError) -> Self {
        match e {
            _ if e.is_not_authorized() => Self::NotAuthorized,
            OnvifError::Soap(s) if s.is_transport() => Self::Transport,
            OnvifError::Soap(
                SoapError::NotXml { .. }
                | SoapError::NotSoap { .. }
                | SoapError::Http { .. }
                | SoapError::TooLarge { .. },
            ) => Self::NotSoap,
            _ => Self::Other,
        }
    }
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
    reader.read().await
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
    let config = ClientConfig {
        timeout: opts.timeout,
        connect_timeout: opts.timeout.min(Duration::from_secs(5)),
        auth,
        credentials,
        ..ClientConfig::default()
    };
    // Credentials travel only through the configured auth, never as URL userinfo.
    let url = strip_userinfo(&target.xaddr);
    let soap = SoapClient::new(&url, config)?
        .with_clock(Arc::clone(&opts.clock))
        .with_nonces(Arc::clone(&opts.nonces));
    Ok(Session::new(soap, url).with_clock(Arc::clone(&opts.clock)))
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
    fn snap(&mut self) -> &mut DeviceSnapshot {
        &mut self.out.snapshot
    }

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

    /// Ends a service section: a service that gave up is recorded and the read goes on; a
    /// device that is gone ends it. Network failures are counted per service.
    fn next_section(&mut self, result: Result<(), Stop>) -> Result<(), Stop> {
        self.transport_failures = 0;
        match result {
            Err(stop) if stop.service_only => {
                self.snap().errors.push(ReadError {
                    operation: stop.operation.to_owned(),
                    reason: stop.reason,
                });
                Ok(())
            }
            other => other,
        }
    }

    /// Sends `service.name` and parses the answer. `Ok(None)`: it failed and was recorded
    /// (with `context`, such as the profile it was about); `Err`: the device is gone.
    /// Sends `op` as [`Reader::op`] does: the failure is settled on the device record.
    async fn send<O: Operation>(
        &mut self,
        op: &O,
        context: Option<&str>,
    ) -> Result<Option<O::Response>, Stop> {
        self.out.current = match context {
            Some(c) => format!("{} ({c})", O::row().id),
            None => O::row().id.to_owned(),
        };
        let result = self.session.send(op).await;
        let settled = self.settle(O::SERVICE, O::NAME, context, result);
        if self.transport_failures >= MAX_TRANSPORT_FAILURES {
            return Err(self.give_up(O::SERVICE).await);
        }
        Ok(settled)
    }

    async fn op<T>(
        &mut self,
        service: &'static str,
        name: &'static str,
        context: Option<&str>,
        payload: &str,
        parse: impl FnOnce(&Element) -> Result<T, ParseError>,
    ) -> Result<Option<T>, Stop> {
        self.out.current = match context {
            Some(c) => format!("{service}.{name} ({c})"),
            None => format!("{service}.{name}"),
        };
        let result = self.session.request(service, name, payload, parse).await;
        let settled = self.settle(service, name, context, result);
        if self.transport_failures >= MAX_TRANSPORT_FAILURES {
            return Err(self.give_up(service).await);
        }
        Ok(settled)
    }

    /// After [`MAX_TRANSPORT_FAILURES`] network failures in a row: if the device still
    /// answers its clock read, only this service is stuck (a hung PTZ or recording process
    /// behind a working web server) and the rest of the device is read; otherwise the device
    /// is gone.
    async fn give_up(&mut self, service: &str) -> Stop {
        let failures = self.transport_failures;
        self.out.current = "device.GetSystemDateAndTime (is the device still there?)".to_owned();
        if self.session.sync_clock().await.is_ok() {
            Stop {
                operation: SKIPPED,
                reason: format!(
                    "the {service} service stopped answering ({failures} reads in a row failed on the network) while the device still answers; its remaining reads were skipped"
                ),
                service_only: true,
            }
        } else {
            Stop {
                operation: SKIPPED,
                reason: format!(
                    "the device stopped answering ({failures} reads in a row failed on the network, then its clock read); the remaining reads were skipped"
                ),
                service_only: false,
            }
        }
    }

    /// Records the outcome of an operation: the value, or `None` with the failure recorded.
    fn settle<T>(
        &mut self,
        service: &str,
        name: &str,
        context: Option<&str>,
        result: Result<T, OnvifError>,
    ) -> Option<T> {
        match result {
            Ok(v) => {
                self.transport_failures = 0;
                self.last_failure = None;
                Some(v)
            }
            Err(e) => {
                let failure = Failure::of(&e);
                let reason = e.reason();
                tracing::debug!(device = %self.out.snapshot.xaddr, op = name, %reason, "read failed");
                self.snap().errors.push(ReadError {
                    operation: format!("{service}.{name}"),
                    reason: match context {
                        Some(c) => format!("{c}: {reason}"),
                        None => reason.clone(),
                    },
                });
                self.last_failure = Some(failure);
                if failure == Failure::Transport {
                    self.transport_failures += 1;
                } else {
                    self.transport_failures = 0;
                }
                None
            }
        }
    }

    // ---- device service ------------------------------------------------------------------

    /// GetSystemDateAndTime: the offset goes into `observed`, and into `wsu:Created` from
    /// now on. A network failure here means the device is not there.
    async fn clock(&mut self) -> Result<(), Stop> {
        self.out.current = "device.GetSystemDateAndTime".to_owned();
        let result = self.session.sync_clock().await;
        let transport = matches!(&result, Err(e) if Failure::of(e) == Failure::Transport);
        if let Some(offset) = self.settle("device", "GetSystemDateAndTime", None, result) {
            self.snap().observed.clock_offset_s = offset.map(|o| o.num_seconds());
        } else if transport {
            return Err(Stop {
                operation: UNREACHABLE,
                reason: "the device did not answer its clock read; nothing else was tried"
                    .to_owned(),
                service_only: false,
            });
        }
        Ok(())
    }

    /// GetDeviceInformation, the first authenticated read: if it is refused for our
    /// credentials, or answered with something that is not SOAP, every other read would be too.
    async fn identity(&mut self) -> Result<(), Stop> {
        let identity = self.send(&device::GetDeviceInformation, None).await?;
        match (identity, self.last_failure) {
            (Some(identity), _) => self.snap().identity = identity,
            (None, Some(Failure::NotAuthorized)) => {
                return Err(Stop {
                    operation: SKIPPED,
                    reason: "the device refused our credentials for its identity; the remaining reads were skipped".to_owned(),
                    service_only: false,
                });
            }
            (None, Some(Failure::NotSoap)) => {
                return Err(Stop {
                    operation: SKIPPED,
                    reason: "the device does not answer ONVIF SOAP requests; the remaining reads were skipped".to_owned(),
                    service_only: false,
                });
            }
            (None, Some(Failure::Transport)) => {
                return Err(Stop {
                    operation: SKIPPED,
                    reason: "the device stopped answering after its clock read; the remaining reads were skipped".to_owned(),
                    service_only: false,
                });
            }
            (None, _) => {}
        }
        Ok(())
    }

    /// GetServices (GetCapabilities on old firmware), addresses rewritten to the host we
    /// reached. Without it only the device service is read.
    async fn services(&mut self) -> Result<(), Stop> {
        self.out.current = "device.GetServices".to_owned();
        let result = self.session.load_services().await;
        if let Some(services) = self.settle("device", "GetServices", None, result) {
            for (reported, used) in self.session.rewrites() {
                tracing::info!(
                    device = %self.out.snapshot.xaddr,
                    %reported,
                    %used,
                    "service address rewritten to the host we reached"
                );
            }
            self.snap().services = services;
        }
        Ok(())
    }

    async fn network(&mut self) -> Result<(), Stop> {
        if let Some(v) = self.send(&device::GetNetworkInterfaces, None).await? {
            self.snap().network.interfaces = v;
        }
        if let Some(v) = self.send(&device::GetNetworkDefaultGateway, None).await? {
            self.snap().network.default_gateway = v;
        }
        if let Some(v) = self.send(&device::GetHostname, None).await? {
            self.snap().network.hostname = Some(v);
        }
        if let Some(v) = self.send(&device::GetDNS, None).await? {
            self.snap().network.dns = Some(v);
        }
        if let Some(v) = self.send(&device::GetNTP, None).await? {
            self.snap().network.ntp = Some(v);
        }
        if let Some(v) = self.send(&device::GetScopes, None).await? {
            self.snap().scopes = v;
        }
        if let Some(v) = self.send(&device::GetUsers, None).await? {
            self.snap().users = v;
        }
        Ok(())
    }

    // ---- media ver10 ---------------------------------------------------------------------

    async fn media(&mut self) -> Result<(), Stop> {
        if !self.session.has_service(media::SERVICE) {
            return Ok(());
        }
        const S: &str = media::SERVICE;
        if let Some(profiles) = self.send(&media::GetProfiles, None).await? {
            self.snap().profiles = profiles;
        }
        let sources = self
            .op(
                S,
                "GetVideoSourceConfigurations",
                None,
                &media::get_video_source_configurations(),
                media::parse_get_video_source_configurations,
            )
            .await?
            .unwrap_or_default();
        let encoders = self
            .op(
                S,
                "GetVideoEncoderConfigurations",
                None,
                &media::get_video_encoder_configurations(),
                media::parse_get_video_encoder_configurations,
            )
            .await?
            .unwrap_or_default();
        for p in &mut self.snap().profiles {
            fill_stripped(p, &sources, &encoders);
        }
        for (profile, encoder) in encoder_tokens(&self.out.snapshot.profiles) {
            let ctx = format!("profile {profile}");
            if let Some(options) = self
                .op(
                    S,
                    "GetVideoEncoderConfigurationOptions",
                    Some(&ctx),
                    &media::get_video_encoder_configuration_options(Some(&encoder), Some(&profile)),
                    media::parse_get_video_encoder_configuration_options,
                )
                .await?
            {
                self.profile_mut(&profile).encoder_options = options;
            }
        }
        if let Some(audio) = self
            .op(
                S,
                "GetAudioEncoderConfigurations",
                None,
                &media::get_audio_encoder_configurations(),
                media::parse_get_audio_encoder_configurations,
            )
            .await?
        {
            for p in &mut self.snap().profiles {
                if let Some(a) = &mut p.audio_encoder {
                    if a.encoding.is_none() {
                        if let Some(full) = audio.iter().find(|f| f.token == a.token) {
                            *a = full.clone();
                        }
                    }
                }
            }
        }
        for (profile, _) in encoder_tokens(&self.out.snapshot.profiles) {
            let ctx = format!("profile {profile}");
            if let Some(uri) = self
                .op(
                    S,
                    "GetStreamUri",
                    Some(&ctx),
                    &media::get_stream_uri(&profile, StreamSetup::default()),
                    media::parse_get_stream_uri,
                )
                .await?
            {
                let uri = self.reached(&uri.uri);
                self.profile_mut(&profile).stream_uri = Some(uri);
            }
            if let Some(uri) = self
                .op(
                    S,
                    "GetSnapshotUri",
                    Some(&ctx),
                    &media::get_snapshot_uri(&profile),
                    media::parse_get_snapshot_uri,
                )
                .await?
            {
                let uri = self.reached(&uri.uri);
                self.profile_mut(&profile).snapshot_uri = Some(uri);
            }
        }
        self.source_configurations = sources;
        Ok(())
    }

    /// A URI with userinfo removed and its host replaced by the one we reached, when the
    /// device named another (as for service addresses).
    fn reached(&self, uri: &str) -> String {
        let (fixed, changed) = device::rewrite_host(&strip_userinfo(uri), &self.out.snapshot.xaddr);
        if changed {
            tracing::info!(
                device = %self.out.snapshot.xaddr,
                reported = %strip_userinfo(uri),
                used = %fixed,
                "media URI rewritten to the host we reached"
            );
        }
        fixed
    }

    fn profile_mut(&mut self, token: &str) -> &mut MediaProfile {
        let profiles = &mut self.out.snapshot.profiles;
        let i = profiles
            .iter()
            .position(|p| p.token == token)
            .expect("tokens come from this list");
        &mut profiles[i]
    }

    // ---- media2 --------------------------------------------------------------------------

    async fn media2(&mut self) -> Result<(), Stop> {
        if !self.session.has_service(media2::SERVICE) {
            return Ok(());
        }
        const S: &str = media2::SERVICE;
        let Some(mut profiles) = self
            .op(
                S,
                "GetProfiles",
                None,
                &media2::get_profiles(None, &[ConfigurationType::All]),
                media2::parse_get_profiles,
            )
            .await?
        else {
            return Ok(());
        };
        let encoders = self
            .op(
                S,
                "GetVideoEncoderConfigurations",
                None,
                &media2::get_video_encoder_configurations(None, None),
                media2::parse_get_video_encoder_configurations,
            )
            .await?
            .unwrap_or_default();
        for p in &mut profiles {
            fill_stripped(p, &[], &encoders);
        }
        for (profile, encoder) in encoder_tokens(&profiles) {
            let ctx = format!("profile {profile}");
            if let Some(options) = self
                .op(
                    S,
                    "GetVideoEncoderConfigurationOptions",
                    Some(&ctx),
                    &media2::get_video_encoder_configuration_options(
                        Some(&encoder),
                        Some(&profile),
                    ),
                    media2::parse_get_video_encoder_configuration_options,
                )
                .await?
            {
                if let Some(p) = profiles.iter_mut().find(|p| p.token == profile) {
                    p.encoder_options = options;
                }
            }
        }
        merge_media2(&mut self.snap().profiles, profiles);
        // Media2 stream URIs only for profiles ver10 could not give one for: the URI is the
        // same stream either way.
        let missing: Vec<String> = encoder_tokens(&self.out.snapshot.profiles)
            .into_iter()
            .map(|(p, _)| p)
            .filter(|p| {
                self.out
                    .snapshot
                    .profiles
                    .iter()
                    .any(|q| &q.token == p && q.stream_uri.is_none())
            })
            .collect();
        for profile in missing {
            let ctx = format!("profile {profile}");
            if let Some(uri) = self
                .op(
                    S,
                    "GetStreamUri",
                    Some(&ctx),
                    &media2::get_stream_uri(&profile, StreamProtocol::Rtsp),
                    media2::parse_get_stream_uri,
                )
                .await?
            {
                let uri = self.reached(&uri);
                self.profile_mut(&profile).stream_uri = Some(uri);
            }
        }
        Ok(())
    }

    // ---- PTZ -----------------------------------------------------------------------------

    async fn ptz(&mut self) -> Result<(), Stop> {
        if !self.session.has_service(ptz::SERVICE) {
            return Ok(());
        }
        const S: &str = ptz::SERVICE;
        self.snap().ptz = Some(Ptz::default());
        if let Some(nodes) = self
            .op(S, "GetNodes", None, &ptz::get_nodes(), ptz::parse_get_nodes)
            .await?
        {
            self.ptz_mut().nodes = nodes;
        }
        if let Some(configurations) = self
            .op(
                S,
                "GetConfigurations",
                None,
                &ptz::get_configurations(),
                ptz::parse_get_configurations,
            )
            .await?
        {
            self.ptz_mut().configurations = configurations;
        }
        let configurations: Vec<(String, String)> = self
            .ptz_mut()
            .configurations
            .iter()
            .map(|c| (c.token.clone(), c.node_token.clone()))
            .collect();
        for (token, node) in configurations {
            let ctx = format!("configuration {token}");
            let Some(options) = self
                .op(
                    S,
                    "GetConfigurationOptions",
                    Some(&ctx),
                    &ptz::get_configuration_options(&token),
                    ptz::parse_get_configuration_options,
                )
                .await?
            else {
                continue;
            };
            // The model keeps spaces on the node; a node that listed none (sparse GetNodes
            // answers exist) takes the ones its configuration may use.
            if let Some(n) = self.ptz_mut().nodes.iter_mut().find(|n| n.token == node) {
                if n.absolute_pan_tilt.is_empty() && n.absolute_zoom.is_empty() {
                    n.absolute_pan_tilt = options.absolute_pan_tilt;
                    n.absolute_zoom = options.absolute_zoom;
                    if n.other_spaces.is_empty() {
                        n.other_spaces = options.other_spaces;
                    }
                }
            }
        }
        for profile in one_profile_per_ptz_node(&self.out.snapshot) {
            let ctx = format!("profile {profile}");
            if let Some(presets) = self
                .op(
                    S,
                    "GetPresets",
                    Some(&ctx),
                    &ptz::get_presets(&profile),
                    |e| ptz::parse_get_presets(e, &profile),
                )
                .await?
            {
                self.ptz_mut().presets.extend(presets);
            }
            if let Some(status) = self
                .send(
                    &ptz::GetStatus {
                        profile: profile.clone(),
                    },
                    Some(&ctx),
                )
                .await?
            {
                if let Some(position) = status.position {
                    self.snap().observed.ptz_positions.push((profile, position));
                }
            }
        }
        Ok(())
    }

    fn ptz_mut(&mut self) -> &mut Ptz {
        self.out.snapshot.ptz.get_or_insert_with(Ptz::default)
    }

    // ---- recording -----------------------------------------------------------------------

    async fn recording(&mut self) -> Result<(), Stop> {
        if !self.session.has_service(recording::SERVICE) {
            return Ok(());
        }
        const S: &str = recording::SERVICE;
        self.snap().recording = Some(Recording::default());
        let capabilities = self
            .op(
                S,
                "GetServiceCapabilities",
                None,
                &recording::get_service_capabilities(),
                recording::parse_get_service_capabilities,
            )
            .await?;
        let options_supported = capabilities.as_ref().is_some_and(|c| c.options);
        if let Some(c) = capabilities {
            self.recording_mut().capabilities = c;
        }
        if let Some(recordings) = self
            .op(
                S,
                "GetRecordings",
                None,
                &recording::get_recordings(),
                recording::parse_get_recordings,
            )
            .await?
        {
            self.recording_mut().recordings = recordings;
        }
        let listed: Vec<(String, Vec<String>)> = self
            .recording_mut()
            .recordings
            .iter()
            .map(|r| {
                (
                    r.token.clone(),
                    r.tracks.iter().map(|t| t.token.clone()).collect(),
                )
            })
            .collect();
        // The listing carries configurations; the dedicated reads confirm them (the spec lists
        // them as what a migration needs) and win where they differ.
        for (i, (token, tracks)) in listed.into_iter().enumerate() {
            let ctx = format!("recording {token}");
            if let Some(c) = self
                .op(
                    S,
                    "GetRecordingConfiguration",
                    Some(&ctx),
                    &recording::get_recording_configuration(&token),
                    recording::parse_get_recording_configuration,
                )
                .await?
            {
                let r = &mut self.recording_mut().recordings[i];
                r.source = c.source;
                r.content = c.content;
                r.max_retention = c.max_retention;
                r.max_retention_s = c.max_retention_s;
            }
            for (j, track) in tracks.iter().enumerate() {
                let ctx = format!("recording {token} track {track}");
                if let Some(c) = self
                    .op(
                        S,
                        "GetTrackConfiguration",
                        Some(&ctx),
                        &recording::get_track_configuration(&token, track),
                        recording::parse_get_track_configuration,
                    )
                    .await?
                {
                    let t = &mut self.recording_mut().recordings[i].tracks[j];
                    t.kind = c.kind;
                    t.description = c.description;
                }
            }
            // GetRecordingOptions exists only where the capabilities say so.
            if options_supported {
                if let Some(o) = self
                    .op(
                        S,
                        "GetRecordingOptions",
                        Some(&ctx),
                        &recording::get_recording_options(&token),
                        recording::parse_get_recording_options,
                    )
                    .await?
                {
                    self.recording_mut().recordings[i].options = Some(o);
                }
            }
        }
        if let Some(jobs) = self
            .op(
                S,
                "GetRecordingJobs",
                None,
                &recording::get_recording_jobs(),
                recording::parse_get_recording_jobs,
            )
            .await?
        {
            self.recording_mut().jobs = jobs;
        }
        let jobs: Vec<String> = self
            .recording_mut()
            .jobs
            .iter()
            .map(|j| j.token.clone())
            .collect();
        for (i, token) in jobs.into_iter().enumerate() {
            let ctx = format!("job {token}");
            if let Some(job) = self
                .op(
                    S,
                    "GetRecordingJobConfiguration",
                    Some(&ctx),
                    &recording::get_recording_job_configuration(&token),
                    |e| recording::parse_get_recording_job_configuration(e, &token),
                )
                .await?
            {
                self.recording_mut().jobs[i] = job;
            }
        }
        Ok(())
    }

    fn recording_mut(&mut self) -> &mut Recording {
        self.out
            .snapshot
            .recording
            .get_or_insert_with(Recording::default)
    }

    // ---- imaging -------------------------------------------------------------------------

    /// The physical video sources: the ones the (ver10 and Media2) configurations capture
    /// from, which is what imaging is read for and what a migration carries over.
    /// GetVideoSources would list the same tokens for one more call (and its WSDL action lacks
    /// a slash, which strict servers refuse).
    fn video_sources(&mut self) {
        let mut video_sources: Vec<VideoSource> = Vec::new();
        let configured = self
            .out
            .snapshot
            .profiles
            .iter()
            .filter_map(|p| p.video_source_configuration.as_ref())
            .chain(&self.source_configurations);
        for token in configured.map(|c| &c.source_token) {
            if !token.is_empty() && !video_sources.iter().any(|v| &v.token == token) {
                video_sources.push(VideoSource {
                    token: token.clone(),
                    imaging: None,
                });
            }
        }
        self.out.snapshot.video_sources = video_sources;
    }

    async fn imaging(&mut self) -> Result<(), Stop> {
        if !self.session.has_service(imaging::SERVICE) {
            return Ok(());
        }
        const S: &str = imaging::SERVICE;
        let sources: Vec<String> = self
            .out
            .snapshot
            .video_sources
            .iter()
            .map(|s| s.token.clone())
            .collect();
        for (i, token) in sources.into_iter().enumerate() {
            let ctx = format!("video source {token}");
            let settings = self
                .op(
                    S,
                    "GetImagingSettings",
                    Some(&ctx),
                    &imaging::get_imaging_settings(&token),
                    imaging::parse_get_imaging_settings,
                )
                .await?;
            let options = self
                .op(
                    S,
                    "GetOptions",
                    Some(&ctx),
                    &imaging::get_options(&token),
                    imaging::parse_get_options,
                )
                .await?;
            if let Some(mut settings) = settings {
                settings.ranges = options.map(|o| o.ranges).unwrap_or_default();
                self.snap().video_sources[i].imaging = Some(settings);
            }
        }
        Ok(())
    }
}

/// Presets and position belong to the PTZ node, not to the profile they are read
/// through: each node is read once, through the first profile whose PTZ configuration
/// drives it (reading through every profile would list each preset once per stream, and
/// the planner would count them twice).
fn one_profile_per_ptz_node(snapshot: &DeviceSnapshot) -> Vec<String> {
    let configurations = snapshot
        .ptz
        .as_ref()
        .map(|p| p.configurations.as_slice())
        .unwrap_or_default();
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for p in &snapshot.profiles {
        let Some(config) = p.ptz_configuration.as_deref() else {
            continue;
        };
        let node = configurations
            .iter()
            .find(|c| c.token == config && !c.node_token.is_empty())
            .map_or(config, |c| c.node_token.as_str());
        if !seen.contains(&node) {
            seen.push(node);
            out.push(p.token.clone());
        }
    }
    out
}

/// `(profile token, encoder token)` of every profile that has a video encoder: the profiles
/// with a stream to ask about.
fn encoder_tokens(profiles: &[MediaProfile]) -> Vec<(String, String)> {
    profiles
        .iter()
        .filter_map(|p| {
            p.video_encoder
                .as_ref()
                .map(|e| (p.token.clone(), e.token.clone()))
        })
        .collect()
}

/// An encoder configuration with nothing but its token and name, as Dahua-family firmware
/// embeds it in GetProfiles.
fn stripped(e: &VideoEncoder) -> bool {
    e.encoding.is_none() && e.width.is_none() && e.height.is_none()
}

/// Replaces a profile's stripped video source and encoder configurations with the full ones
/// from the device's lists, by token.
fn fill_stripped(
    p: &mut MediaProfile,
    sources: &[VideoSourceConfiguration],
    encoders: &[VideoEncoder],
) {
    if let Some(e) = &mut p.video_encoder {
        if stripped(e) {
            if let Some(full) = encoders.iter().find(|f| f.token == e.token) {
                *e = full.clone();
            }
        }
    }
    if let Some(s) = &mut p.video_source_configuration {
        if s.bounds.is_none() || s.source_token.is_empty() {
            if let Some(full) = sources.iter().find(|f| f.token == s.token) {
                *s = full.clone();
            }
        }
    }
}

/// Merges Media2 profiles into the ver10 ones by token. A profile both report is
/// [`MediaService::Both`]; Media2's encoder values win (only Media2 can say H.265), with the
/// ver10-only fields (multicast, session timeout, encoding interval) kept from ver10, which
/// apply needs for ver10 writes. Media2 encoder options win per codec and add the codecs ver10
/// cannot express. Profiles only Media2 reports are appended.
fn merge_media2(profiles: &mut Vec<MediaProfile>, media2: Vec<MediaProfile>) {
    for q in media2 {
        let Some(p) = profiles.iter_mut().find(|p| p.token == q.token) else {
            profiles.push(q);
            continue;
        };
        p.service = MediaService::Both;
        if p.name.is_empty() {
            p.name = q.name;
        }
        p.video_encoder = match (p.video_encoder.take(), q.video_encoder) {
            (Some(v1), Some(v2)) if !stripped(&v2) => Some(merge_encoder(v2, v1)),
            (Some(v1), _) => Some(v1),
            (None, v2) => v2,
        };
        p.encoder_options =
            merge_options(std::mem::take(&mut p.encoder_options), q.encoder_options);
        if p.video_source_configuration.is_none() {
            p.video_source_configuration = q.video_source_configuration;
        }
        if p.audio_encoder.is_none() {
            p.audio_encoder = q.audio_encoder;
        }
        if p.ptz_configuration.is_none() {
            p.ptz_configuration = q.ptz_configuration;
        }
        if p.stream_uri.is_none() {
            p.stream_uri = q.stream_uri;
        }
        if p.snapshot_uri.is_none() {
            p.snapshot_uri = q.snapshot_uri;
        }
    }
}

/// `primary` with its missing fields taken from `fallback`.
fn merge_encoder(primary: VideoEncoder, fallback: VideoEncoder) -> VideoEncoder {
    VideoEncoder {
        token: primary.token,
        name: if primary.name.is_empty() {
            fallback.name
        } else {
            primary.name
        },
        encoding: primary.encoding.or(fallback.encoding),
        width: primary.width.or(fallback.width),
        height: primary.height.or(fallback.height),
        quality: primary.quality.or(fallback.quality),
        frame_rate: primary.frame_rate.or(fallback.frame_rate),
        bitrate_kbps: primary.bitrate_kbps.or(fallback.bitrate_kbps),
        gov_length: primary.gov_length.or(fallback.gov_length),
        encoding_interval: primary.encoding_interval.or(fallback.encoding_interval),
        profile: primary.profile.or(fallback.profile),
        constant_bitrate: primary.constant_bitrate.or(fallback.constant_bitrate),
        guaranteed_frame_rate: primary
            .guaranteed_frame_rate
            .or(fallback.guaranteed_frame_rate),
        multicast: primary.multicast.or(fallback.multicast),
        session_timeout: primary.session_timeout.or(fallback.session_timeout),
    }
}

/// ver10 options in their order, each replaced by the Media2 entry for the same codec (with
/// the ver10-only ranges kept), then the codecs only Media2 lists.
fn merge_options(ver10: Vec<EncoderOptions>, media2: Vec<EncoderOptions>) -> Vec<EncoderOptions> {
    let mut media2: Vec<Option<EncoderOptions>> = media2.into_iter().map(Some).collect();
    let mut out: Vec<EncoderOptions> = ver10
        .into_iter()
        .map(|v1| {
            let twin = media2
                .iter_mut()
                .find(|m| m.as_ref().is_some_and(|m| m.encoding == v1.encoding))
                .and_then(Option::take);
            match twin {
                Some(v2) => EncoderOptions {
                    encoding: v2.encoding,
                    resolutions: if v2.resolutions.is_empty() {
                        v1.resolutions
                    } else {
                        v2.resolutions
                    },
                    frame_rates: if v2.frame_rates.is_empty() {
                        v1.frame_rates
                    } else {
                        v2.frame_rates
                    },
                    frame_rate_range: v2.frame_rate_range.or(v1.frame_rate_range),
                    quality_range: v2.quality_range.or(v1.quality_range),
                    bitrate_range: v2.bitrate_range.or(v1.bitrate_range),
                    gov_length_range: v2.gov_length_range.or(v1.gov_length_range),
                    encoding_interval_range: v2
                        .encoding_interval_range
                        .or(v1.encoding_interval_range),
                    profiles: if v2.profiles.is_empty() {
                        v1.profiles
                    } else {
                        v2.profiles
                    },
                },
                None => v1,
            }
        })
        .collect();
    out.extend(media2.into_iter().flatten());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Codec, Multicast, Range, VideoSourceConfiguration};

    fn encoder(token: &str) -> VideoEncoder {
        VideoEncoder {
            token: token.into(),
            name: token.into(),
            ..VideoEncoder::default()
        }
    }

    #[test]
    fn stripped_dahua_encoder_is_filled_from_the_full_list_by_token() {
        // captures/dahua/GetProfiles-hammeraj-nvr.xml: the sub stream's encoder has a name only.
        let mut p = MediaProfile {
            token: "MediaProfile001".into(),
            video_encoder: Some(encoder("VideoEncoderToken001")),
            video_source_configuration: Some(VideoSourceConfiguration {
                token: "VideoSourceConfigToken000".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let full = VideoEncoder {
            encoding: Some(Codec::H264),
            width: Some(704),
            height: Some(576),
            frame_rate: Some(15.0),
            ..encoder("VideoEncoderToken001")
        };
        let other = VideoEncoder {
            width: Some(2688),
            ..encoder("VideoEncoderToken000")
        };
        let source = VideoSourceConfiguration {
            token: "VideoSourceConfigToken000".into(),
            source_token: "VideoSourceToken000".into(),
            ..Default::default()
        };
        fill_stripped(
            &mut p,
            std::slice::from_ref(&source),
            &[other, full.clone()],
        );
        assert_eq!(p.video_encoder, Some(full));
        assert_eq!(p.video_source_configuration, Some(source));

        // A complete embedded encoder is left as the profile reported it.
        let mut q = MediaProfile {
            video_encoder: Some(VideoEncoder {
                width: Some(1),
                ..encoder("E")
            }),
            ..Default::default()
        };
        fill_stripped(
            &mut q,
            &[],
            &[VideoEncoder {
                width: Some(2),
                ..encoder("E")
            }],
        );
        assert_eq!(q.video_encoder.unwrap().width, Some(1));
    }

    #[test]
    fn media2_encoder_wins_but_ver10_only_fields_survive() {
        let v1 = VideoEncoder {
            encoding: Some(Codec::H264),
            width: Some(2688),
            height: Some(1520),
            session_timeout: Some("PT60S".into()),
            multicast: Some(Multicast {
                address: Some("0.0.0.0".into()),
                ..Default::default()
            }),
            encoding_interval: Some(1),
            ..encoder("VE1")
        };
        let v2 = VideoEncoder {
            encoding: Some(Codec::H265),
            width: Some(2688),
            height: Some(1520),
            constant_bitrate: Some(false),
            ..encoder("VE1")
        };
        let mut profiles = vec![MediaProfile {
            token: "Profile_1".into(),
            name: "mainStream".into(),
            video_encoder: Some(v1),
            stream_uri: Some("rtsp://10.0.0.5:554/Streaming/Channels/101".into()),
            encoder_options: vec![EncoderOptions {
                encoding: Some(Codec::H264),
                frame_rate_range: Some(Range::new(1.0, 25.0)),
                resolutions: vec![(2688, 1520)],
                ..Default::default()
            }],
            ..Default::default()
        }];
        let media2 = vec![
            MediaProfile {
                token: "Profile_1".into(),
                service: MediaService::Media2,
                video_encoder: Some(v2),
                ptz_configuration: Some("PTZ1".into()),
                encoder_options: vec![
                    EncoderOptions {
                        encoding: Some(Codec::H265),
                        resolutions: vec![(2688, 1520)],
                        ..Default::default()
                    },
                    EncoderOptions {
                        encoding: Some(Codec::H264),
                        resolutions: vec![(2688, 1520), (1920, 1080)],
                        frame_rates: vec![25.0, 12.5],
                        ..Default::default()
                    },
                ],
                ..Default::default()
            },
            MediaProfile {
                token: "Profile_3".into(),
                service: MediaService::Media2,
                ..Default::default()
            },
        ];
        merge_media2(&mut profiles, media2);
        assert_eq!(profiles.len(), 2);
        let p = &profiles[0];
        assert_eq!(p.service, MediaService::Both);
        assert_eq!(p.name, "mainStream");
        let e = p.video_encoder.as_ref().unwrap();
        assert_eq!(e.encoding, Some(Codec::H265));
        assert_eq!(e.session_timeout.as_deref(), Some("PT60S"));
        assert_eq!(e.encoding_interval, Some(1));
        assert_eq!(e.constant_bitrate, Some(false));
        assert!(e.multicast.is_some());
        assert_eq!(p.ptz_configuration.as_deref(), Some("PTZ1"));
        assert_eq!(
            p.stream_uri.as_deref(),
            Some("rtsp://10.0.0.5:554/Streaming/Channels/101")
        );
        // ver10's codec keeps its place and its frame-rate range; Media2 adds H.265.
        let codecs: Vec<_> = p
            .encoder_options
            .iter()
            .map(|o| o.encoding.clone())
            .collect();
        assert_eq!(codecs, [Some(Codec::H264), Some(Codec::H265)]);
        assert_eq!(p.encoder_options[0].resolutions.len(), 2);
        assert_eq!(p.encoder_options[0].frame_rates, [25.0, 12.5]);
        assert_eq!(
            p.encoder_options[0].frame_rate_range,
            Some(Range::new(1.0, 25.0))
        );
        assert_eq!(profiles[1].service, MediaService::Media2);
    }

    #[test]
    fn a_stripped_media2_encoder_does_not_replace_a_full_ver10_one() {
        let full = VideoEncoder {
            encoding: Some(Codec::H264),
            width: Some(704),
            height: Some(576),
            ..encoder("VE")
        };
        let mut profiles = vec![MediaProfile {
            token: "P".into(),
            video_encoder: Some(full.clone()),
            ..Default::default()
        }];
        merge_media2(
            &mut profiles,
            vec![MediaProfile {
                token: "P".into(),
                video_encoder: Some(encoder("VE")),
                ..Default::default()
            }],
        );
        assert_eq!(profiles[0].video_encoder, Some(full));
    }

    #[test]
    fn presets_are_read_once_per_ptz_node_not_once_per_stream() {
        use crate::model::PtzConfiguration;
        let profile = |token: &str, ptz: Option<&str>| MediaProfile {
            token: token.into(),
            ptz_configuration: ptz.map(str::to_owned),
            ..Default::default()
        };
        let config = |token: &str, node: &str| PtzConfiguration {
            token: token.into(),
            node_token: node.into(),
            ..Default::default()
        };
        let mut s = DeviceSnapshot {
            profiles: vec![
                profile("Profile_1", Some("PTZToken")),
                profile("Profile_2", Some("PTZToken")),
                profile("Profile_3", None),
                profile("Profile_4", Some("PTZ2")),
                profile("Profile_5", Some("PTZ3")),
            ],
            ..Default::default()
        };
        // Without the configurations list, configurations stand for their nodes.
        assert_eq!(
            one_profile_per_ptz_node(&s),
            ["Profile_1", "Profile_4", "Profile_5"]
        );
        // PTZ3 drives the same node as PTZToken.
        s.ptz = Some(Ptz {
            configurations: vec![
                config("PTZToken", "Node1"),
                config("PTZ2", "Node2"),
                config("PTZ3", "Node1"),
            ],
            ..Default::default()
        });
        assert_eq!(one_profile_per_ptz_node(&s), ["Profile_1", "Profile_4"]);
    }

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
