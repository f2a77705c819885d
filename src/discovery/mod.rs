//! WS-Discovery: Probe, ProbeMatches, Hello and Bye over UDP (multicast, directed, sweep).
//!
//! - [`message`]: the Probe we write (strict) and the replies we read (lenient).
//! - [`prober`]: sockets, rate-limited sending, the listening window, and matching replies to
//!   our Probe by RelatesTo.
//! - [`devices`]: one record per endpoint reference, the chosen device service address
//!   (rewritten to the sender's address when the device advertises another host), and
//!   `devices.json`.
//! - [`interfaces`]: which IPv4 interfaces a multicast Probe goes out on.
//!
//! ```no_run
//! # async fn f() -> Result<(), camswap::discovery::DiscoveryError> {
//! use camswap::discovery::{discover, Settings};
//! let found = discover(&Settings::default()).await?;
//! for d in &found.devices {
//!     println!("{} {}", d.from, d.xaddr.as_deref().unwrap_or("-"));
//! }
//! # Ok(()) }
//! ```

use std::net::{Ipv4Addr, SocketAddr};

pub mod devices;
pub mod dhip;
pub mod interfaces;
pub mod message;
pub mod prober;
pub mod sadp;
pub mod vendor;

pub use devices::{Device, DevicesFile, Seen, read_devices, write_devices};
pub use message::TypeName;
pub use prober::{
    DEFAULT_RATE, DEFAULT_TIMEOUT, DISCOVERY_PORT, Discovery, MULTICAST_GROUP, Settings, Stats,
    discover,
};

/// Why discovery could not run.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// No multicast, no targets, no sweep, no listening.
    #[error("nothing to do: no multicast, target, sweep or listening asked for")]
    NothingToDo,
    /// A rate of zero probes per second.
    #[error("the probe rate must be at least 1 per second")]
    ZeroRate,
    /// A sweep too large to be meant.
    #[error("the sweep covers {hosts} hosts, more than the {max} allowed in one run; split it")]
    SweepTooLarge {
        /// Hosts asked for.
        hosts: u64,
        /// The limit.
        max: u64,
    },
    /// A probe scope that is empty or holds white space (the list is space-separated).
    #[error("invalid probe scope {0:?}: a scope is one URI without white space")]
    BadScope(String),
    /// The host's interfaces could not be listed.
    #[error("failed to list network interfaces")]
    Interfaces(#[source] std::io::Error),
    /// `--interface` names an address this host does not have.
    #[error("no local interface has the address {0}")]
    UnknownInterface(Ipv4Addr),
    /// Nothing to send a multicast Probe on.
    #[error(
        "no IPv4 interface is up and multicast-capable; name one with --interface, or probe with --target/--cidr"
    )]
    NoInterfaces,
    /// A socket could not be opened or bound.
    #[error("failed to open a UDP socket on {addr}")]
    Bind {
        /// The local address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Multicast could not be set up on an interface.
    #[error("failed to set up multicast on interface {interface}")]
    Multicast {
        /// The interface's address.
        interface: Ipv4Addr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}
