//! Mock devices the way several modules start them: one device on its own loopback address
//! with its own directed WS-Discovery responder on a free port.

use std::net::{Ipv4Addr, UdpSocket};

use mock_devices::{DeviceConfig, MockDevice, Persona};

/// A UDP port nothing listens on at `ip` right now.
pub fn free_udp_port(ip: Ipv4Addr) -> u16 {
    UdpSocket::bind((ip, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The config of `persona` on `ip` (any TCP port), answering directed WS-Discovery probes
/// on a free UDP port; returns the config and that port.
pub fn with_discovery(persona: Persona, ip: Ipv4Addr) -> (DeviceConfig, u16) {
    let port = free_udp_port(ip);
    (
        DeviceConfig::new(persona, (ip, 0).into()).discovery_port(port),
        port,
    )
}

/// Starts `persona` on `ip` with its directed WS-Discovery responder; returns the device and
/// the discovery port.
pub async fn start_with_discovery(persona: Persona, ip: Ipv4Addr) -> (MockDevice, u16) {
    let (config, port) = with_discovery(persona, ip);
    (MockDevice::start(config).await.expect("mock starts"), port)
}

/// A built-in persona by name.
pub fn builtin(name: &str) -> Persona {
    Persona::builtin(name).unwrap_or_else(|e| panic!("built-in persona {name}: {e}"))
}
