//! mock-devices' tests, one binary: devices are started in-process (and, in `cli`, through
//! the `mock-onvif` binary) and driven over real sockets by the hand-written client in
//! `support`.

mod support;

/// HTTP Digest, WS-UsernameToken, modes, user levels, factory state.
mod auth;
/// `mock-onvif serve|personas|fleet` as processes.
mod cli;
/// Every response validated against the official ONVIF schemas.
mod conformance;
/// Device service state: Set changes Get, bad values get faults.
mod device;
/// Fleets, the control endpoint and injected faults.
mod fleet;
/// Imaging settings and options.
mod imaging;
/// Media ver10 and Media2 over one shared state.
mod media;
/// No import loop between the mock's modules.
mod modules;
/// The built-in personas' cross-service habits, and swaps.
mod personas;
/// PTZ presets, moves, spaces and limits.
mod ptz;
/// Recording control: recordings, tracks, jobs.
mod recording;
