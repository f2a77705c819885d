//! Fleets: many devices, one per loopback address, so a test sees a site rather than a list
//! of ports.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use crate::device::{DeviceConfig, MockDevice};
use crate::dhcp::DhcpServer;
use crate::persona::{AuthMode, Persona, UserSpec};
pub use crate::roster::FleetError;
use crate::roster::{Roster, address_index};
use crate::server::{InjectedFault, LogEntry};

/// Attempts at finding a port free on every fleet address when the port is chosen freely.
const PORT_ATTEMPTS: usize = 5;

/// One device of a fleet.
#[derive(Debug, Clone)]
pub struct DeviceSpec {
    /// What it is.
    pub persona: Persona,
    /// Replaces the persona's users.
    pub users: Option<Vec<UserSpec>>,
    /// Replaces the persona's auth mode.
    pub auth: Option<AuthMode>,
    /// Device clock minus real clock, seconds.
    pub clock_offset: i64,
    /// Start in the factory-default state.
    pub factory: bool,
}

impl DeviceSpec {
    /// A device of this persona with its own settings.
    pub fn new(persona: Persona) -> Self {
        Self {
            persona,
            users: None,
            auth: None,
            clock_offset: 0,
            factory: false,
        }
    }
}

/// A fleet to start: devices on consecutive addresses from `base`, all on `port`.
#[derive(Debug, Clone)]
pub struct FleetSpec {
    /// First address (127.x.y.z).
    pub base: Ipv4Addr,
    /// Port on every address; 0 picks one free port and uses it everywhere.
    pub port: u16,
    /// WS-Discovery port for every device's responder.
    pub discovery_port: Option<u16>,
    /// Serve the control endpoint here (see [`crate::control`]).
    pub control: Option<SocketAddr>,
    /// Devices, in address order.
    pub devices: Vec<DeviceSpec>,
}

impl FleetSpec {
    /// `count` devices taking `personas` in turn.
    pub fn round_robin(personas: &[Persona], count: usize, base: Ipv4Addr) -> Self {
        let devices = if personas.is_empty() {
            Vec::new()
        } else {
            (0..count)
                .map(|i| DeviceSpec::new(personas[i % personas.len()].clone()))
                .collect()
        };
        Self {
            base,
            port: 0,
            discovery_port: None,
            control: None,
            devices,
        }
    }

    /// Read a spec file; persona paths in it are relative to the file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, FleetError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|error| FleetError::Read {
            path: path.to_path_buf(),
            error,
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        Self::from_toml(&text, &path.display().to_string(), dir)
    }

    /// Parse a spec:
    ///
    /// ```toml
    /// base = "127.0.3.1"          # optional when given on the command line
    /// port = 8080                 # optional, default 0 (one free port)
    /// discovery_port = 3702       # optional
    /// control = "127.0.0.1:9100"  # optional control endpoint
    ///
    /// [[devices]]
    /// persona = "hikvision-ds2cd2143g2"   # built-in name or a path relative to the file
    /// count = 8
    ///
    /// [[devices]]
    /// persona = "axis-p3265-lve"
    /// factory = true                      # optional: factory-default state
    /// auth = "wsse"                       # optional: digest | wsse | both | any | none
    /// clock_offset = -90                  # optional, seconds
    /// users = ["admin:s3cret", "op:pw:Operator"]   # optional: replaces the persona's users
    ///
    /// [[devices]]
    /// persona = "hikvision-ds2cd2143g2"
    /// manufacturer = "LTS"                # optional: a reseller's label on the same hardware
    /// model = "CMIP3142W-28M"             #   (identity, name and hardware scopes; the firmware,
    ///                                     #   serial, MAC and URIs stay the maker's)
    /// scopes = ["onvif://www.onvif.org/location/building/north"]  # optional: more
    ///                                     #   configurable scopes
    /// ```
    ///
    /// A top-level `gateway = "127.0.3.254"` is every device's default gateway (a site's
    /// VLAN router; the personas otherwise keep their vendor's default, which is not on a
    /// loopback subnet). A missing `base` is left as 0.0.0.0 for the caller to fill in.
    pub fn from_toml(text: &str, origin: &str, dir: &Path) -> Result<Self, FleetError> {
        let file: SpecFile = toml::from_str(text).map_err(|error| FleetError::Parse {
            origin: origin.into(),
            error,
        })?;
        let invalid = |message: String| FleetError::Invalid {
            origin: origin.into(),
            message,
        };
        let mut devices = Vec::new();
        for (i, group) in file.devices.iter().enumerate() {
            let mut persona = if Persona::builtin_names().contains(&group.persona.as_str()) {
                Persona::builtin(&group.persona)?
            } else {
                Persona::from_file(dir.join(&group.persona))?
            };
            match (&group.manufacturer, &group.model) {
                (Some(manufacturer), Some(model)) => relabel(&mut persona, manufacturer, model),
                (None, None) => {}
                _ => {
                    return Err(invalid(format!(
                        "devices[{i}]: a relabelled unit takes both `manufacturer` and `model`"
                    )));
                }
            }
            persona
                .scopes
                .configurable
                .extend(group.scopes.iter().cloned());
            if persona.scopes.configurable.len() > persona.scopes.max_configurable {
                return Err(invalid(format!(
                    "devices[{i}].scopes: {} keeps at most {} configurable scopes",
                    persona.name, persona.scopes.max_configurable
                )));
            }
            if let Some(gateway) = file.gateway {
                persona.network.gateway = vec![gateway];
            }
            let auth = group
                .auth
                .as_deref()
                .map(str::parse::<AuthMode>)
                .transpose()
                .map_err(|e| invalid(format!("devices[{i}].auth: {e}")))?;
            let users = group
                .users
                .as_ref()
                .map(|list| {
                    list.iter()
                        .map(|u| u.parse::<UserSpec>())
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()
                .map_err(|e| invalid(format!("devices[{i}].users: {e}")))?;
            for _ in 0..group.count {
                devices.push(DeviceSpec {
                    persona: persona.clone(),
                    users: users.clone(),
                    auth,
                    clock_offset: group.clock_offset,
                    factory: group.factory,
                });
            }
        }
        if devices.is_empty() {
            return Err(invalid("no devices".into()));
        }
        Ok(Self {
            base: file.base.unwrap_or(Ipv4Addr::UNSPECIFIED),
            port: file.port.unwrap_or(0),
            discovery_port: file.discovery_port,
            control: file.control,
            devices,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecFile {
    #[serde(default)]
    base: Option<Ipv4Addr>,
    #[serde(default)]
    port: Option<u16>,
    #[serde(default)]
    discovery_port: Option<u16>,
    #[serde(default)]
    control: Option<SocketAddr>,
    #[serde(default)]
    gateway: Option<Ipv4Addr>,
    devices: Vec<GroupFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupFile {
    persona: String,
    #[serde(default = "one")]
    count: usize,
    #[serde(default)]
    factory: bool,
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    clock_offset: i64,
    #[serde(default)]
    users: Option<Vec<String>>,
    #[serde(default)]
    manufacturer: Option<String>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
}

/// The same hardware under a reseller's label: identity, persona name and the `name` and
/// `hardware` scopes change; firmware, serial, MAC, endpoint and stream URIs stay the
/// maker's, as on a white-label unit.
fn relabel(p: &mut Persona, manufacturer: &str, model: &str) {
    p.name = format!("{}-{}", manufacturer, model)
        .to_ascii_lowercase()
        .replace(' ', "-");
    p.identity.manufacturer = manufacturer.into();
    p.identity.model = model.into();
    let name = format!("{manufacturer} {model}").replace(' ', "%20");
    for s in p
        .scopes
        .fixed
        .iter_mut()
        .chain(p.scopes.configurable.iter_mut())
    {
        let lower = s.to_ascii_lowercase();
        if let Some(i) = lower.find("/name/") {
            *s = format!("{}{name}", &s[..i + 6]);
        } else if let Some(i) = lower.find("/hardware/") {
            *s = format!("{}{}", &s[..i + 10], model.replace(' ', "%20"));
        }
    }
}

fn one() -> usize {
    1
}

/// `count` addresses from `base`, skipping x.y.z.0 and x.y.z.255 so each looks like a host on
/// a /24; all inside 127.0.0.0/8.
pub fn fleet_addresses(base: Ipv4Addr, count: usize) -> Result<Vec<Ipv4Addr>, FleetError> {
    let mut out = Vec::with_capacity(count);
    let mut n = u32::from(base);
    while out.len() < count {
        let ip = Ipv4Addr::from(n);
        if ip.octets()[0] != 127 {
            return Err(FleetError::Addresses { base, count });
        }
        if !matches!(ip.octets()[3], 0 | 255) {
            out.push(ip);
        }
        n = n
            .checked_add(1)
            .ok_or(FleetError::Addresses { base, count })?;
    }
    Ok(out)
}

/// A running fleet. Dropping it stops every device and the control endpoint.
pub struct Fleet {
    shared: Arc<Roster>,
    len: usize,
    control: Option<(SocketAddr, JoinHandle<()>)>,
}

impl std::fmt::Debug for Fleet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fleet").field("devices", &self.len).finish()
    }
}

impl Fleet {
    /// Start every device of `spec` (on one shared runtime; one listener task per device),
    /// and the control endpoint if the spec names one.
    pub async fn start(spec: FleetSpec) -> Result<Self, FleetError> {
        let addresses = fleet_addresses(spec.base, spec.devices.len())?;
        let attempts = if spec.port == 0 { PORT_ATTEMPTS } else { 1 };
        let mut last_error = None;
        let dhcp = DhcpServer::for_block(spec.base);
        for _ in 0..attempts {
            match start_all(&spec, &addresses, &dhcp).await {
                Ok(devices) => {
                    let mut personas: Vec<Persona> = Vec::new();
                    for d in &spec.devices {
                        if !personas.iter().any(|p| p.name == d.persona.name) {
                            personas.push(d.persona.clone());
                        }
                    }
                    let mut fleet = Self {
                        len: devices.len(),
                        shared: Arc::new(Roster {
                            devices: Mutex::new(devices),
                            personas,
                            discovery_port: spec.discovery_port,
                            dhcp: dhcp.clone(),
                        }),
                        control: None,
                    };
                    if let Some(bind) = spec.control {
                        fleet
                            .serve_control(bind)
                            .await
                            .map_err(|error| FleetError::Start { addr: bind, error })?;
                    }
                    return Ok(fleet);
                }
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.unwrap_or(FleetError::Invalid {
            origin: "fleet".into(),
            message: "no devices".into(),
        }))
    }

    /// Number of devices the fleet started with.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the fleet has no devices.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every device's listening address, in fleet order.
    pub async fn addrs(&self) -> Vec<SocketAddr> {
        self.shared
            .devices
            .lock()
            .await
            .iter()
            .map(MockDevice::addr)
            .collect()
    }

    /// Every device's device-service URL, in fleet order.
    pub async fn xaddrs(&self) -> Vec<String> {
        self.shared
            .devices
            .lock()
            .await
            .iter()
            .map(MockDevice::xaddr)
            .collect()
    }

    /// Run `f` on the device listening on `ip`.
    pub async fn with_device<R>(
        &self,
        ip: Ipv4Addr,
        f: impl FnOnce(&MockDevice) -> R,
    ) -> Result<R, FleetError> {
        self.shared.with_device(ip, f).await
    }

    /// Replace the device on `ip` by a factory-default device of `persona` (a name from the
    /// fleet or a built-in), on the same address and port: a technician's swap.
    pub async fn swap(&self, ip: Ipv4Addr, persona: &str) -> Result<SocketAddr, FleetError> {
        let persona = self.shared.persona(persona)?;
        self.shared.swap(ip, persona, None).await
    }

    /// Like [`Fleet::swap`], but the new unit comes up on `at` (same port), as a
    /// factory-default camera does on its own default or DHCP address; apply then moves it
    /// onto the old camera's address.
    pub async fn swap_at(
        &self,
        ip: Ipv4Addr,
        persona: &str,
        at: Ipv4Addr,
    ) -> Result<SocketAddr, FleetError> {
        let persona = self.shared.persona(persona)?;
        self.shared.swap(ip, persona, Some(at)).await
    }

    /// Like [`Fleet::swap`] with a persona value.
    pub async fn swap_with(
        &self,
        ip: Ipv4Addr,
        persona: Persona,
    ) -> Result<SocketAddr, FleetError> {
        self.shared.swap(ip, persona, None).await
    }

    /// Inject a fault into the device on `ip`.
    pub async fn set_fault(&self, ip: Ipv4Addr, fault: InjectedFault) -> Result<(), FleetError> {
        self.shared.with_device(ip, |d| d.set_fault(fault)).await
    }

    /// Clear the faults of the device on `ip`.
    pub async fn clear_faults(&self, ip: Ipv4Addr) -> Result<(), FleetError> {
        self.shared.with_device(ip, MockDevice::clear_faults).await
    }

    /// Operations the device on `ip` received.
    pub async fn log(&self, ip: Ipv4Addr) -> Result<Vec<LogEntry>, FleetError> {
        self.shared.with_device(ip, MockDevice::log).await
    }

    /// Credential proofs the device on `ip` received (see [`MockDevice::credential_proofs`]).
    pub async fn credential_proofs(&self, ip: Ipv4Addr) -> Result<Vec<String>, FleetError> {
        self.shared
            .with_device(ip, MockDevice::credential_proofs)
            .await
    }

    /// Serve the control endpoint (see [`crate::control`]) on `bind`; returns its address.
    pub async fn serve_control(&mut self, bind: SocketAddr) -> io::Result<SocketAddr> {
        let listener = tokio::net::TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(crate::control::serve(listener, Arc::clone(&self.shared)));
        if let Some((_, old)) = self.control.replace((addr, task)) {
            old.abort();
        }
        Ok(addr)
    }

    /// The control endpoint's address, if served.
    pub fn control_addr(&self) -> Option<SocketAddr> {
        self.control.as_ref().map(|(a, _)| *a)
    }

    /// Stop everything and wait until every port is released.
    pub async fn shutdown(mut self) {
        if let Some((_, task)) = self.control.take() {
            task.abort();
            let _ = task.await;
        }
        let devices = std::mem::take(&mut *self.shared.devices.lock().await);
        for d in devices {
            d.shutdown().await;
        }
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        if let Some((_, task)) = self.control.take() {
            task.abort();
        }
        // Devices stop when their handles drop; the control task held the only other
        // reference to `shared` and has just been aborted.
    }
}

async fn start_all(
    spec: &FleetSpec,
    addresses: &[Ipv4Addr],
    dhcp: &DhcpServer,
) -> Result<Vec<MockDevice>, FleetError> {
    let mut devices: Vec<MockDevice> = Vec::with_capacity(spec.devices.len());
    let mut port = spec.port;
    for (d, ip) in spec.devices.iter().zip(addresses) {
        let addr = SocketAddr::new((*ip).into(), port);
        let mut config = DeviceConfig::new(d.persona.individualise(address_index(*ip)), addr);
        config.users = d.users.clone();
        config.auth = d.auth;
        config.clock_offset = d.clock_offset;
        config.factory = d.factory;
        config.discovery_port = spec.discovery_port;
        config.dhcp = Some(dhcp.clone());
        let device = MockDevice::start(config)
            .await
            .map_err(|error| FleetError::Start { addr, error })?;
        port = device.addr().port();
        devices.push(device);
    }
    Ok(devices)
}
