//! A running fleet's devices by address (the roster): find one, act on it, swap it for a
//! factory-default camera. Shared by the fleet handle and the control endpoint, which both
//! depend on it and not on each other; and the error type of every fleet operation.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use tokio::sync::Mutex;

use crate::device::{DeviceConfig, MockDevice};
use crate::persona::{Persona, PersonaError};

/// Why a fleet could not be built or a fleet operation failed.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// A persona could not be loaded.
    #[error(transparent)]
    Persona(#[from] PersonaError),
    /// The spec file could not be read.
    #[error("cannot read fleet spec {path}: {error}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error (shown in the message, so not a `source`).
        error: io::Error,
    },
    /// The spec is not valid TOML for a fleet.
    #[error("fleet spec {origin}: {error}")]
    Parse {
        /// File path.
        origin: String,
        /// The TOML error (shown in the message, so not a `source`).
        error: toml::de::Error,
    },
    /// The spec is inconsistent.
    #[error("fleet spec {origin}: {message}")]
    Invalid {
        /// File path or `command line`.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// The addresses leave 127.0.0.0/8.
    #[error("{count} devices from {base} do not fit in 127.0.0.0/8")]
    Addresses {
        /// First address.
        base: Ipv4Addr,
        /// Device count.
        count: usize,
    },
    /// No device of the fleet listens on this address.
    #[error("no device at {0}")]
    NoDevice(Ipv4Addr),
    /// Another device of the fleet already listens on this address.
    #[error("a device already listens on {0}")]
    Busy(Ipv4Addr),
    /// A device could not be started.
    #[error("cannot start a device on {addr}: {error}")]
    Start {
        /// Where.
        addr: SocketAddr,
        /// Why (shown in the message, so not a `source`).
        error: io::Error,
    },
}

impl From<FleetError> for io::Error {
    /// So that `Fleet::start(spec).await?` works in code returning `io::Result`.
    fn from(e: FleetError) -> Self {
        let kind = match &e {
            FleetError::Start { error, .. } | FleetError::Read { error, .. } => error.kind(),
            _ => io::ErrorKind::InvalidInput,
        };
        io::Error::new(kind, e.to_string())
    }
}

/// The devices of a running fleet, shared by the [`Fleet`](crate::Fleet) handle and the
/// control endpoint.
pub(crate) struct Roster {
    pub(crate) devices: Mutex<Vec<MockDevice>>,
    /// Personas the fleet was built from, found by name for swaps (besides built-ins).
    pub(crate) personas: Vec<Persona>,
    pub(crate) discovery_port: Option<u16>,
    /// The site's DHCP server (see [`crate::dhcp`]), shared by every unit swapped in.
    pub(crate) dhcp: crate::dhcp::DhcpServer,
}

fn index_of(devices: &[MockDevice], ip: Ipv4Addr) -> Result<usize, FleetError> {
    devices
        .iter()
        .position(|d| d.addr().ip() == ip)
        .ok_or(FleetError::NoDevice(ip))
}

impl Roster {
    pub(crate) fn persona(&self, name: &str) -> Result<Persona, FleetError> {
        if let Some(p) = self.personas.iter().find(|p| p.name == name) {
            return Ok(p.clone());
        }
        Ok(Persona::builtin(name)?)
    }

    pub(crate) async fn swap(
        &self,
        ip: Ipv4Addr,
        persona: Persona,
        at: Option<Ipv4Addr>,
    ) -> Result<SocketAddr, FleetError> {
        let mut devices = self.devices.lock().await;
        let i = index_of(&devices, ip)?;
        if let Some(at) = at.filter(|a| *a != ip) {
            if index_of(&devices, at).is_ok() {
                return Err(FleetError::Busy(at));
            }
        }
        // The old camera is unplugged before the new one comes up, on its address and port or
        // (`at`) on the address a factory-default unit boots with.
        let old = devices.remove(i);
        let addr = SocketAddr::new(at.unwrap_or(ip).into(), old.addr().port());
        old.shutdown().await;
        let mut config =
            DeviceConfig::new(persona.individualise(address_index(ip)), addr).factory(true);
        config.discovery_port = self.discovery_port;
        config.dhcp = Some(self.dhcp.clone());
        let new = MockDevice::start(config)
            .await
            .map_err(|error| FleetError::Start { addr, error })?;
        devices.insert(i, new);
        Ok(addr)
    }

    pub(crate) async fn with_device<R>(
        &self,
        ip: Ipv4Addr,
        f: impl FnOnce(&MockDevice) -> R,
    ) -> Result<R, FleetError> {
        let devices = self.devices.lock().await;
        let i = index_of(&devices, ip)?;
        Ok(f(&devices[i]))
    }
}

/// The low 24 bits of a fleet address: what makes each device of a persona its own unit.
pub(crate) fn address_index(ip: Ipv4Addr) -> u32 {
    u32::from(ip) & 0x00FF_FFFF
}
