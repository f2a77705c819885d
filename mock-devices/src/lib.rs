//! Stateful mock ONVIF cameras and fleets of them, so camswap can be tested without hardware.
//!
//! Each [`MockDevice`] is a real HTTP/1.1 server (hyper) that serves the ONVIF device service
//! at `http://IP:PORT/onvif/device_service` and the media, Media2, PTZ, recording and imaging
//! services the persona lists, at the paths it lists (any `/onvif/*` path answers, dispatch is
//! by namespace). It behaves like the camera its [`Persona`] describes:
//!
//! - requests are dispatched on the SOAP Body's first element (namespace URI + local name),
//!   cross-checked with the `action` of the `Content-Type`; an unknown operation is
//!   `env:Receiver/ter:ActionNotSupported`, malformed XML `env:Sender/ter:WellFormed`;
//! - credentials are checked by this crate's own code: HTTP Digest (RFC 7616, MD5/SHA-256,
//!   qop=auth, nonce counts, nonce expiry with `stale=true`) and WS-UsernameToken
//!   PasswordDigest (Nonce and Created required, Created within the persona's clock-skew
//!   window measured on the *device* clock, nonces not reusable); PRE_AUTH operations need
//!   none, and a device without users (factory state) needs none at all;
//! - state is real: a Set changes what the next Get returns, and bad values get the fault a
//!   device gives (`ter:InvalidArgVal/ter:InvalidHostname`, `ter:UsernameClash`,
//!   `ter:ConfigModify`, `ter:TooManyPresets`, `ter:NoRecording`, ...); Media and Media2 share
//!   one set of profiles; PTZ positions convert between the generic and degrees spaces through
//!   the persona's calibration ([`ptz::Calibration`]);
//! - the device clock can be offset; GetSystemDateAndTime reports it in UTC;
//! - faults can be injected: reboot, dropped connections, latency, garbage answers.
//!
//! This crate shares no code with camswap, on purpose: a bug in camswap's SOAP or auth code
//! cannot hide behind the same bug here.
//!
//! # In tests
//!
//! ```no_run
//! use mock_devices::{DeviceConfig, Fleet, FleetSpec, InjectedFault, MockDevice, Persona};
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! // One device on a free port.
//! let hik = Persona::builtin("hikvision-ds2cd2143g2")?;
//! let device = MockDevice::start(DeviceConfig::new(hik.clone(), "127.0.0.1:0".parse()?)).await?;
//! let url = device.xaddr();
//!
//! // A site: 20 devices on 127.0.2.1..=127.0.2.20, one port for all, personas in turn.
//! let axis = Persona::builtin("axis-p3265-lve")?;
//! let fleet = Fleet::start(FleetSpec::round_robin(&[hik, axis], 20, "127.0.2.1".parse()?)).await?;
//! fleet.set_fault("127.0.2.3".parse()?, InjectedFault::Drop).await?;
//! fleet.swap("127.0.2.1".parse()?, "axis-p3265-lve").await?; // factory-default Axis
//! # Ok(()) }
//! ```
//!
//! Dropping a [`MockDevice`] or [`Fleet`] stops all of its tasks and frees its ports.
//!
//! # WS-Discovery
//!
//! The responder lives in `discovery.rs`. What it needs is here:
//! [`DeviceConfig::discovery_port`], [`Persona::discovery`] ([`DiscoverySettings`]: endpoint,
//! types, quirk flags) and, on a running device, [`MockDevice::endpoint`],
//! [`MockDevice::scopes`], [`MockDevice::xaddr`] and [`MockDevice::metadata_version`]. A
//! responder running in its own task holds a [`DeviceView`] (live values, including
//! [`DeviceView::is_up`] to stay silent during a reboot) and is tied to the device's lifetime
//! with [`MockDevice::attach_task`].

#![warn(missing_docs)]

mod auth;
pub mod control;
mod device;
mod device_service;
pub mod dhcp;
pub mod discovery;
mod fleet;
pub mod imaging;
mod imaging_service;
pub mod media;
mod media2_service;
mod media_service;
pub mod persona;
pub mod ptz;
mod ptz_service;
pub mod recording;
mod recording_service;
mod roster;
mod server;
mod services;
mod soap;
mod state;
pub mod tls;
mod tz;
pub mod vendor_discovery;
mod wire;
mod xml;

pub use device::{DeviceConfig, DeviceView, MockDevice};
pub use fleet::{DeviceSpec, Fleet, FleetError, FleetSpec, fleet_addresses};
pub use persona::{
    AuthMode, DigestAlgorithm, DiscoveryQuirks, DiscoverySettings, DiscoveryType, Persona,
    PersonaError, UserLevel, UserSpec,
};
pub use server::{InjectedFault, LogEntry};
