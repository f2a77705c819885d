//! One mock camera: its configuration and the handle that runs it.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use tokio::task::JoinHandle;

use crate::device_service::xaddr;
use crate::discovery::{self, Announce, ResponderConfig};
use crate::persona::{AuthMode, DiscoverySettings, Persona, UserSpec};
use crate::server::{self, Core, InjectedFault, LogEntry};
use crate::state::DeviceState;

/// How to start one device.
#[derive(Debug, Clone)]
pub struct DeviceConfig {
    /// What the device is.
    pub persona: Persona,
    /// Where it listens; port 0 picks a free port.
    pub bind: SocketAddr,
    /// Replaces the persona's users (ignored in factory state, which has none).
    pub users: Option<Vec<UserSpec>>,
    /// Replaces the persona's auth mode.
    pub auth: Option<AuthMode>,
    /// Device clock minus real clock, seconds.
    pub clock_offset: i64,
    /// Start in the factory-default state: no users (so no auth), factory network values.
    pub factory: bool,
    /// UDP port for the WS-Discovery responder (3702 on a real network), kept for it.
    pub discovery_port: Option<u16>,
    /// Serve HTTPS with a certificate made for the bound address (see [`crate::tls`]).
    pub tls: bool,
    /// UDP port for the vendor discovery responder (SADP 37020 for Hikvision personas, DHIP
    /// 37810 for Dahua and Amcrest; see [`crate::vendor_discovery`]). `Some(0)` picks a free port.
    pub vendor_discovery_port: Option<u16>,
    /// ONVIF switched off, as many Hikvision firmware versions ship: the web server answers
    /// 404 on `/onvif/`, no WS-Discovery responder runs; vendor discovery still answers.
    pub onvif_off: bool,
    /// The vendor discovery responder also joins its protocol's multicast group
    /// (239.255.255.250 for SADP, 239.255.255.251 for DHIP).
    pub vendor_multicast: bool,
    /// The site's DHCP server: with one, DHCP on moves the device to its lease.
    pub dhcp: Option<crate::dhcp::DhcpServer>,
}

impl DeviceConfig {
    /// A device of `persona` on `bind`, with the persona's own users and auth.
    pub fn new(persona: Persona, bind: SocketAddr) -> Self {
        Self {
            persona,
            bind,
            users: None,
            auth: None,
            clock_offset: 0,
            factory: false,
            discovery_port: None,
            tls: false,
            vendor_discovery_port: None,
            onvif_off: false,
            vendor_multicast: false,
            dhcp: None,
        }
    }

    /// Serve HTTPS instead of HTTP.
    pub fn https(mut self) -> Self {
        self.tls = true;
        self
    }

    /// Answer the persona's vendor discovery protocol (SADP or DHIP) on this UDP port.
    pub fn vendor_discovery_port(mut self, port: u16) -> Self {
        self.vendor_discovery_port = Some(port);
        self
    }

    /// Let the vendor discovery responder hear multicast inquiries too.
    pub fn vendor_multicast(mut self, join: bool) -> Self {
        self.vendor_multicast = join;
        self
    }

    /// Switch ONVIF off (only the vendor protocol and plain HTTP answer).
    pub fn onvif_off(mut self, off: bool) -> Self {
        self.onvif_off = off;
        self
    }

    /// Replace the users with this list.
    pub fn users(mut self, users: Vec<UserSpec>) -> Self {
        self.users = Some(users);
        self
    }

    /// Replace the auth mode.
    pub fn auth(mut self, mode: AuthMode) -> Self {
        self.auth = Some(mode);
        self
    }

    /// Shift the device clock by `seconds`.
    pub fn clock_offset(mut self, seconds: i64) -> Self {
        self.clock_offset = seconds;
        self
    }

    /// Start in (or not in) the factory-default state.
    pub fn factory(mut self, factory: bool) -> Self {
        self.factory = factory;
        self
    }

    /// Keep a WS-Discovery port for the responder.
    pub fn discovery_port(mut self, port: u16) -> Self {
        self.discovery_port = Some(port);
        self
    }
}

/// A running mock camera. Dropping it (or [`MockDevice::shutdown`]) stops every task it
/// started and frees its port.
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use mock_devices::{DeviceConfig, MockDevice, Persona};
/// let persona = Persona::builtin("hikvision-ds2cd2143g2").expect("built-in persona");
/// let device = MockDevice::start(DeviceConfig::new(persona, "127.0.0.1:0".parse().unwrap())).await?;
/// println!("{}", device.xaddr()); // http://127.0.0.1:PORT/onvif/device_service
/// # Ok(()) }
/// ```
pub struct MockDevice {
    core: Arc<Core>,
    task: Option<JoinHandle<std::convert::Infallible>>,
    helpers: Vec<JoinHandle<()>>,
    /// The WS-Discovery responder, when the device has a discovery port. Dropped with the
    /// device (sending Bye).
    responder: Arc<tokio::sync::Mutex<Option<discovery::Responder>>>,
    vendor_responder: Option<(JoinHandle<()>, SocketAddr)>,
}

/// A cheap, cloneable, read-only view of a running device for tasks that run beside it, such
/// as the WS-Discovery responder: every value is live (scopes change with SetScopes, the
/// address with SetNetworkInterfaces). Holding a view does not keep the device serving.
#[derive(Clone)]
pub struct DeviceView {
    core: Arc<Core>,
}

impl std::fmt::Debug for DeviceView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceView")
            .field("persona", &self.core.persona.name)
            .field("addr", &self.addr())
            .finish()
    }
}

impl DeviceView {
    /// Where the device listens now.
    pub fn addr(&self) -> SocketAddr {
        self.core.addr()
    }

    /// Device service URL on the address clients use.
    pub fn xaddr(&self) -> String {
        let addr = self
            .core
            .with_state(|s| server::public_addr(self.addr(), s));
        xaddr(addr, "/onvif/device_service")
    }

    /// WS-Discovery endpoint reference (`urn:uuid:...`).
    pub fn endpoint(&self) -> &str {
        &self.core.persona.discovery.endpoint
    }

    /// WS-Discovery settings (types, quirks).
    pub fn discovery(&self) -> &DiscoverySettings {
        &self.core.persona.discovery
    }

    /// The UDP port the responder should use, if any.
    pub fn discovery_port(&self) -> Option<u16> {
        self.core.discovery_port
    }

    /// Current scope URIs, fixed first.
    pub fn scopes(&self) -> Vec<String> {
        self.core.with_state(|s| s.all_scopes(&self.core.persona))
    }

    /// Current `MetadataVersion`.
    pub fn metadata_version(&self) -> u32 {
        self.core.with_state(|s| s.metadata_version)
    }

    /// False while the device reboots (a responder stays silent then).
    pub fn is_up(&self) -> bool {
        self.core.is_up()
    }
}

impl std::fmt::Debug for MockDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockDevice")
            .field("persona", &self.core.persona.name)
            .field("addr", &self.addr())
            .finish()
    }
}

impl MockDevice {
    /// Bind and start serving. Must run inside a Tokio runtime.
    pub async fn start(config: DeviceConfig) -> io::Result<Self> {
        let listener = server::bind(config.bind)?;
        let addr = listener.local_addr()?;
        let listen_ip = match addr.ip() {
            IpAddr::V4(v4) => Some(v4),
            IpAddr::V6(_) => None,
        };
        let state = DeviceState::new(
            &config.persona,
            listen_ip,
            config.users.as_deref(),
            config.factory,
            config.clock_offset,
        );
        let auth_mode = config.auth.unwrap_or(config.persona.auth.mode);
        let tls = if config.tls {
            Some(crate::tls::TlsIdentity::generate(addr.ip()).map_err(io::Error::other)?)
        } else {
            None
        };
        let (core, commands) = Core::new(
            config.persona,
            auth_mode,
            config.discovery_port,
            state,
            addr,
            tls,
            config.dhcp,
        );
        let task = tokio::spawn(server::run(Arc::clone(&core), listener, commands));
        let mut device = Self {
            core,
            task: Some(task),
            helpers: Vec::new(),
            responder: Arc::default(),
            vendor_responder: None,
        };
        device
            .core
            .onvif_off
            .store(config.onvif_off, std::sync::atomic::Ordering::Relaxed);
        if let (Some(port), Some(ip), false) =
            (device.core.discovery_port, listen_ip, config.onvif_off)
        {
            let view = device.view();
            let started = start_responder(&view, device.xaddr(), ip, port).await?;
            *device.responder.lock().await = Some(started);
            let follow = follow_moves(Arc::clone(&device.responder), view, ip, port);
            device.attach_task(follow);
        }
        if let (Some(port), Some(ip)) = (config.vendor_discovery_port, listen_ip)
            && let Some(protocol) =
                crate::vendor_discovery::VendorProtocol::for_persona(&device.core.persona)
        {
            let answer = crate::vendor_discovery::Answer::of(&device.core.persona, ip, addr.port());
            device.vendor_responder = Some(
                crate::vendor_discovery::start(protocol, ip, port, answer, config.vendor_multicast)
                    .await?,
            );
        }
        Ok(device)
    }

    /// Where the vendor discovery responder (SADP or DHIP) listens, if one runs.
    pub fn vendor_discovery_addr(&self) -> Option<SocketAddr> {
        self.vendor_responder.as_ref().map(|(_, a)| *a)
    }

    /// A live read-only view for tasks running beside the device.
    pub fn view(&self) -> DeviceView {
        DeviceView {
            core: Arc::clone(&self.core),
        }
    }

    /// Tie a helper task (such as a WS-Discovery responder) to this device: it is aborted
    /// when the device is dropped or shut down.
    pub fn attach_task(&mut self, task: JoinHandle<()>) {
        self.helpers.push(task);
    }

    /// Where the device listens now (it moves when SetNetworkInterfaces gives it another
    /// loopback address).
    pub fn addr(&self) -> SocketAddr {
        self.core.addr()
    }

    /// Device service URL, `http://IP:PORT/onvif/device_service` (`https://` when the
    /// device serves HTTPS).
    pub fn xaddr(&self) -> String {
        let addr = self
            .core
            .with_state(|s| server::public_addr(self.addr(), s));
        let url = xaddr(addr, "/onvif/device_service");
        match &self.core.tls {
            Some(_) => url.replacen("http://", "https://", 1),
            None => url,
        }
    }

    /// The device's TLS identity (its CA and certificate fingerprint), when it serves HTTPS.
    pub fn tls(&self) -> Option<&crate::tls::TlsIdentity> {
        self.core.tls.as_ref()
    }

    /// The persona this device runs.
    pub fn persona(&self) -> &Persona {
        &self.core.persona
    }

    /// The auth mode in force.
    pub fn auth_mode(&self) -> AuthMode {
        self.core.auth_mode
    }

    /// WS-Discovery endpoint reference (`urn:uuid:...`).
    pub fn endpoint(&self) -> &str {
        &self.core.persona.discovery.endpoint
    }

    /// WS-Discovery settings (types, quirks) for the responder.
    pub fn discovery(&self) -> &DiscoverySettings {
        &self.core.persona.discovery
    }

    /// The UDP port the WS-Discovery responder should use, if any.
    pub fn discovery_port(&self) -> Option<u16> {
        self.core.discovery_port
    }

    /// Current scope URIs, fixed first: what a ProbeMatch announces.
    pub fn scopes(&self) -> Vec<String> {
        self.view().scopes()
    }

    /// Current WS-Discovery `MetadataVersion` (bumped when scopes change).
    pub fn metadata_version(&self) -> u32 {
        self.view().metadata_version()
    }

    /// Device clock minus real clock, seconds.
    pub fn clock_offset(&self) -> i64 {
        self.core.with_state(|s| s.clock_offset)
    }

    /// Names of the device's users now (never passwords).
    pub fn usernames(&self) -> Vec<String> {
        self.core
            .with_state(|s| s.users.iter().map(|u| u.name.clone()).collect())
    }

    /// False while the device reboots.
    pub fn is_up(&self) -> bool {
        self.core.is_up()
    }

    /// Inject a fault; faults of different kinds combine until [`MockDevice::clear_faults`].
    pub fn set_fault(&self, fault: InjectedFault) {
        self.core.set_fault(fault);
    }

    /// Remove drop, garbage and latency faults (a reboot in progress runs its course).
    pub fn clear_faults(&self) {
        self.core.clear_faults();
    }

    /// Operations received so far, oldest first.
    pub fn log(&self) -> Vec<LogEntry> {
        self.core.log()
    }

    /// Credential proofs received so far, oldest first: each HTTP Digest `response` value and
    /// each WS-Security `Password` (a PasswordDigest, or the password itself for
    /// PasswordText). A test checks that none of them reaches the client's files or logs.
    pub fn credential_proofs(&self) -> Vec<String> {
        self.core.proofs()
    }

    /// Stop serving and wait until the port is released.
    pub async fn shutdown(mut self) {
        for helper in std::mem::take(&mut self.helpers) {
            helper.abort();
            let _ = helper.await;
        }
        if let Some(r) = self.responder.lock().await.take() {
            r.stop().await;
        }
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for MockDevice {
    fn drop(&mut self) {
        for helper in &self.helpers {
            helper.abort();
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Moves the WS-Discovery responder with the device: when SetNetworkInterfaces (a static
/// address or a DHCP lease) puts the device on another address, the responder on the old one
/// stops (Bye) and one starts on the new address once the device is up there, as a camera's
/// discovery service comes back with it after the change.
fn follow_moves(
    slot: Arc<tokio::sync::Mutex<Option<discovery::Responder>>>,
    view: DeviceView,
    mut at: std::net::Ipv4Addr,
    port: u16,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let IpAddr::V4(now) = view.addr().ip() else {
                continue;
            };
            if now == at || !view.is_up() {
                continue;
            }
            let mut guard = slot.lock().await;
            if let Some(old) = guard.take() {
                old.stop().await;
            }
            match start_responder(&view, view.xaddr(), now, port).await {
                Ok(r) => *guard = Some(r),
                Err(e) => {
                    tracing::warn!(%now, port, error = %e, "no WS-Discovery on the new address")
                }
            }
            at = now;
        }
    })
}

/// The host a `wrong_xaddr_host` device puts in its XAddrs: Hikvision's factory address, the
/// lie seen most often in the field (DOMAIN.md 3f).
const WRONG_XADDR_HOST: &str = "192.168.1.64";

/// Starts the device's WS-Discovery responder on `ip:port`, describing it as the persona and
/// current state say. It joins the multicast group where the interface allows (a network
/// namespace with multicast on `lo`); plain loopback fleets answer unicast probes only.
async fn start_responder(
    device: &DeviceView,
    xaddr: String,
    ip: std::net::Ipv4Addr,
    port: u16,
) -> io::Result<discovery::Responder> {
    let settings = device.discovery();
    let mut config = ResponderConfig::new(ip, port);
    config.endpoint = settings.endpoint.clone();
    config.types = settings
        .resolved_types()
        .into_iter()
        .map(|t| format!("{{{}}}{}", t.namespace, t.local))
        .collect();
    config.scopes = device.scopes();
    config.xaddrs = vec![xaddr];
    config.metadata_version = device.metadata_version();
    config.quirks = discovery::DiscoveryQuirks {
        wrong_xaddr_host: settings
            .quirks
            .wrong_xaddr_host
            .then(|| WRONG_XADDR_HOST.to_owned()),
        reply_twice: settings.quirks.reply_twice,
        malformed_reply: settings.quirks.malformed_reply,
        no_metadata_version: settings.quirks.no_metadata_version,
        odd_prefixes: settings.quirks.odd_prefixes,
    };
    let mut multicast = config.clone();
    multicast.join_multicast = true;
    multicast.announce = Announce::Group;
    match discovery::Responder::start(multicast).await {
        Ok(r) => Ok(r),
        Err(e) => {
            tracing::debug!(%ip, port, error = %e, "no multicast here; answering unicast probes only");
            discovery::Responder::start(config).await
        }
    }
}
