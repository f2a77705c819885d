//! Sends Probes (multicast per interface, directed unicast, a rate-limited unicast sweep) and
//! gathers what comes back during the window.
//!
//! Sockets are few and fixed: one per multicast interface, one for every unicast probe (a /16
//! sweep uses the same socket for its 65,534 probes; replies are told apart by their content,
//! not by the socket they reach), and one for Hello/Bye when listening. All probes of a run
//! carry the same MessageID, and a reply is ours when its RelatesTo names it.

use std::collections::VecDeque;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ipnet::Ipv4Net;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tracing::{debug, trace};

use super::DiscoveryError;
use super::devices::{Collector, Device, Seen};
use super::interfaces::{self, Interface};
use super::message::{self, Kind, TypeName};

/// The WS-Discovery multicast group and port.
pub const MULTICAST_GROUP: SocketAddrV4 =
    SocketAddrV4::new(Ipv4Addr::new(239, 255, 255, 250), 3702);

/// The WS-Discovery port.
pub const DISCOVERY_PORT: u16 = 3702;

/// Default unicast probe rate, probes per second.
///
/// A probe to an unused address on the local subnet costs an ARP broadcast, and the kernel (of
/// this host, or of the router for a routed VLAN) keeps an incomplete neighbour entry for
/// about 3 s while it retries. At 200/s that is about 600 pending entries, under Linux's
/// default hard limit of 1,024 (`net.ipv4.neigh.default.gc_thresh3`); much faster and the
/// table overflows and probes are silently dropped. 200 ARP broadcasts a second is also far
/// below the storm-control thresholds of site switches. A /24 takes 1.3 s, a /16 5.5 minutes.
pub const DEFAULT_RATE: u32 = 200;

/// Default listening window after the last probe (the WS-Discovery APP_MAX_DELAY is 500 ms;
/// slow cameras and busy links need more).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

/// Largest sweep accepted: beyond a /12 a sweep takes more than an hour at the default rate,
/// which is more likely a typo (`/8` for `/24`) than a plan.
pub const MAX_SWEEP_HOSTS: u64 = 1 << 20;

/// SOAP-over-UDP sends each multicast or directed message twice, the repeat after
/// UDP_MIN_DELAY..UDP_MAX_DELAY, because UDP may drop one. Devices drop the repeat by
/// MessageID, and we merge duplicates anyway. A sweep is not repeated: its cost is the rate.
const REPEAT_DELAY: (u64, u64) = (50, 250);

/// Datagrams read but not yet handled: bounds memory under a flood (at most 256 x 64 KiB);
/// beyond it the kernel's socket buffer holds or drops.
const QUEUE: usize = 256;

/// Largest datagram we read.
const MAX_DATAGRAM: usize = 65_536;

/// How long a run's MessageID is remembered, to refuse late replies to an earlier run that
/// reach a later one on a reused port.
const REMEMBER_PROBES: Duration = Duration::from_secs(600);

/// What to probe and how.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Probe the multicast group.
    pub multicast: bool,
    /// Interfaces (by IPv4 address) for multicast and as the source of unicast probes; empty
    /// means every IPv4 interface that is up and multicast-capable (and any source address).
    pub interfaces: Vec<Ipv4Addr>,
    /// The multicast group and port ([`MULTICAST_GROUP`]).
    pub group: SocketAddrV4,
    /// Directed unicast probes.
    pub targets: Vec<SocketAddrV4>,
    /// Ranges to sweep with unicast probes to every host.
    pub sweeps: Vec<Ipv4Net>,
    /// Port of the sweep's probes.
    pub sweep_port: u16,
    /// Unicast probes per second.
    pub rate: u32,
    /// How long to listen after the last probe.
    pub timeout: Duration,
    /// Also report Hello and Bye, received on this address: the multicast group (joined on
    /// every interface) or a unicast address.
    pub listen: Option<SocketAddrV4>,
    /// Types in the Probe.
    pub types: Vec<TypeName>,
    /// Scopes in the Probe (each must match a device scope).
    pub scopes: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            multicast: true,
            interfaces: Vec::new(),
            group: MULTICAST_GROUP,
            targets: Vec::new(),
            sweeps: Vec::new(),
            sweep_port: DISCOVERY_PORT,
            rate: DEFAULT_RATE,
            timeout: DEFAULT_TIMEOUT,
            listen: None,
            // No Types filter: a Probe without Types matches every target service (WS-Discovery
            // 1.1, 5.2), so recorders (NVRs, DVRs, encoders) that advertise only `tds:Device`
            // or a type of their own answer too.
            types: Vec::new(),
            scopes: Vec::new(),
        }
    }
}

impl Settings {
    /// Number of unicast probes this run will send (targets and swept hosts).
    pub fn unicast_probes(&self) -> u64 {
        self.targets.len() as u64 + self.sweeps.iter().map(sweep_hosts).sum::<u64>()
    }
}

/// What happened during the run, for the operator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Interfaces the multicast Probe went out on.
    pub interfaces: Vec<Ipv4Addr>,
    /// Probes sent (repeats included).
    pub probes_sent: u64,
    /// Probes the kernel refused to send.
    pub send_errors: u64,
    /// The first send error, for the message.
    pub first_send_error: Option<String>,
    /// Datagrams received.
    pub datagrams: u64,
    /// Datagrams that were not a usable WS-Discovery message.
    pub malformed: u64,
    /// ProbeMatches whose RelatesTo did not name our Probe, accepted because they came in our
    /// window and did not name another known probe either.
    pub unrelated: u64,
    /// ProbeMatches answering another run's Probe, dropped.
    pub foreign: u64,
    /// Hello and Bye messages seen while not listening, dropped.
    pub unsolicited: u64,
}

/// The result of a run.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// One record per endpoint, sorted by address.
    pub devices: Vec<Device>,
    /// Counters.
    pub stats: Stats,
}

/// Runs discovery as `settings` say and returns what answered.
///
/// Malformed replies are skipped (logged at debug) and never end the run. The window closes
/// `settings.timeout` after the last probe was sent.
pub async fn discover(settings: &Settings) -> Result<Discovery, DiscoveryError> {
    validate(settings)?;
    let mut stats = Stats::default();
    let message_id = message::new_message_id();
    remember_probe(&message_id);
    let probe = message::probe_xml(&message_id, &settings.types, &settings.scopes).into_bytes();

    if !settings.interfaces.is_empty() {
        let all = interfaces::ipv4_interfaces().map_err(DiscoveryError::Interfaces)?;
        if let Some(ip) = settings
            .interfaces
            .iter()
            .find(|ip| !all.iter().any(|i| i.addr == **ip))
        {
            return Err(DiscoveryError::UnknownInterface(*ip));
        }
    }
    let multicast_ifs: Vec<Ipv4Addr> = if settings.multicast || is_group(settings.listen) {
        if settings.interfaces.is_empty() {
            let found: Vec<Interface> =
                interfaces::multicast_interfaces().map_err(DiscoveryError::Interfaces)?;
            if found.is_empty() {
                return Err(DiscoveryError::NoInterfaces);
            }
            found.into_iter().map(|i| i.addr).collect()
        } else {
            settings.interfaces.clone()
        }
    } else {
        Vec::new()
    };
    debug!(?multicast_ifs, "multicast interfaces");

    let (tx, mut rx) = mpsc::channel::<(SocketAddr, Vec<u8>)>(QUEUE);
    let mut readers = JoinSet::new();

    let mut mcast_socks = Vec::new();
    if settings.multicast {
        for ifa in &multicast_ifs {
            let sock = Arc::new(multicast_sender(*ifa)?);
            spawn_reader(&mut readers, sock.clone(), tx.clone());
            mcast_socks.push(sock);
        }
        stats.interfaces = multicast_ifs.clone();
    }
    let unicast_sock = if settings.unicast_probes() > 0 {
        let src = settings
            .interfaces
            .first()
            .copied()
            .unwrap_or(Ipv4Addr::UNSPECIFIED);
        let sock = Arc::new(bind_udp(SocketAddrV4::new(src, 0), false)?);
        // A sweep's replies can arrive in bursts; a bigger buffer rides them out (best effort:
        // the kernel caps it at net.core.rmem_max).
        let _ = socket2::SockRef::from(&*sock).set_recv_buffer_size(4 << 20);
        spawn_reader(&mut readers, sock.clone(), tx.clone());
        Some(sock)
    } else {
        None
    };
    if let Some(listen) = settings.listen {
        let sock = Arc::new(listener(listen, &multicast_ifs)?);
        spawn_reader(&mut readers, sock, tx.clone());
    }
    drop(tx);

    let send = send_all(settings, &probe, &mcast_socks, unicast_sock.as_deref());
    tokio::pin!(send);
    let mut sending = true;
    let far = Instant::now() + Duration::from_secs(86_400 * 365);
    let window = tokio::time::sleep_until(far);
    tokio::pin!(window);
    if !settings.multicast && settings.unicast_probes() == 0 {
        // Only listening: the window starts now.
        sending = false;
        window.as_mut().reset(Instant::now() + settings.timeout);
    }
    let mut collector = Collector::default();
    loop {
        tokio::select! {
            sent = &mut send, if sending => {
                sending = false;
                stats.probes_sent = sent.sent;
                stats.send_errors = sent.errors;
                stats.first_send_error = sent.first_error;
                window.as_mut().reset(Instant::now() + settings.timeout);
            }
            got = rx.recv() => match got {
                Some((from, bytes)) => {
                    stats.datagrams += 1;
                    handle(&message_id, settings.listen.is_some(), from, &bytes, &mut collector, &mut stats);
                }
                None => break,
            },
            () = &mut window => break,
        }
    }
    readers.abort_all();
    Ok(Discovery {
        devices: collector.finish(),
        stats,
    })
}

fn validate(s: &Settings) -> Result<(), DiscoveryError> {
    if !s.multicast && s.targets.is_empty() && s.sweeps.is_empty() && s.listen.is_none() {
        return Err(DiscoveryError::NothingToDo);
    }
    if s.rate == 0 {
        return Err(DiscoveryError::ZeroRate);
    }
    let hosts: u64 = s.sweeps.iter().map(sweep_hosts).sum();
    if hosts > MAX_SWEEP_HOSTS {
        return Err(DiscoveryError::SweepTooLarge {
            hosts,
            max: MAX_SWEEP_HOSTS,
        });
    }
    if let Some(bad) = s
        .scopes
        .iter()
        .find(|sc| sc.is_empty() || sc.contains(char::is_whitespace))
    {
        return Err(DiscoveryError::BadScope(bad.clone()));
    }
    Ok(())
}

/// Hosts a sweep of `net` probes: every address but the network and broadcast addresses
/// (all of them for a /31 or /32).
pub fn sweep_hosts(net: &Ipv4Net) -> u64 {
    match net.prefix_len() {
        31 | 32 => 1u64 << (32 - net.prefix_len()),
        p => (1u64 << (32 - p)) - 2,
    }
}

fn is_group(listen: Option<SocketAddrV4>) -> bool {
    listen.is_some_and(|l| l.ip().is_multicast())
}

/// Outcome of the sending half.
struct Sent {
    sent: u64,
    errors: u64,
    first_error: Option<String>,
}

impl Sent {
    fn record(&mut self, to: SocketAddr, r: io::Result<usize>) {
        match r {
            Ok(_) => self.sent += 1,
            Err(e) => {
                debug!(%to, error = %e, "probe not sent");
                self.errors += 1;
                if self.first_error.is_none() {
                    self.first_error = Some(format!("to {to}: {e}"));
                }
            }
        }
    }
}

async fn send_all(
    s: &Settings,
    probe: &[u8],
    mcast: &[Arc<UdpSocket>],
    unicast: Option<&UdpSocket>,
) -> Sent {
    let mut out = Sent {
        sent: 0,
        errors: 0,
        first_error: None,
    };
    let group = SocketAddr::V4(s.group);
    for sock in mcast {
        out.record(group, sock.send_to(probe, group).await);
    }
    let Some(unicast) = unicast else {
        if !mcast.is_empty() {
            repeat_pause().await;
            for sock in mcast {
                out.record(group, sock.send_to(probe, group).await);
            }
        }
        return out;
    };
    let period = Duration::from_secs_f64(1.0 / f64::from(s.rate));
    let start = Instant::now();
    let mut n: u32 = 0;
    let pace = |n: &mut u32| {
        let at = start + period * *n;
        *n += 1;
        at
    };
    for t in &s.targets {
        tokio::time::sleep_until(pace(&mut n)).await;
        let to = SocketAddr::V4(*t);
        out.record(to, unicast.send_to(probe, to).await);
    }
    // Repeat the multicast and directed probes once the sweep has started, not after it: a
    // sweep can last minutes.
    let repeat_at = Instant::now() + repeat_delay();
    let mut repeated = false;
    for net in &s.sweeps {
        for host in sweep_iter(net) {
            if !repeated && Instant::now() >= repeat_at {
                repeated = true;
                repeat(&mut out, probe, mcast, group, unicast, &s.targets).await;
            }
            tokio::time::sleep_until(pace(&mut n)).await;
            let to = SocketAddr::V4(SocketAddrV4::new(host, s.sweep_port));
            out.record(to, unicast.send_to(probe, to).await);
        }
    }
    let anything_to_repeat = !mcast.is_empty() || !s.targets.is_empty();
    if !repeated && anything_to_repeat {
        tokio::time::sleep_until(repeat_at).await;
        repeat(&mut out, probe, mcast, group, unicast, &s.targets).await;
    }
    out
}

async fn repeat(
    out: &mut Sent,
    probe: &[u8],
    mcast: &[Arc<UdpSocket>],
    group: SocketAddr,
    unicast: &UdpSocket,
    targets: &[SocketAddrV4],
) {
    for sock in mcast {
        out.record(group, sock.send_to(probe, group).await);
    }
    for t in targets {
        let to = SocketAddr::V4(*t);
        out.record(to, unicast.send_to(probe, to).await);
    }
}

fn repeat_delay() -> Duration {
    Duration::from_millis(rand::Rng::gen_range(
        &mut rand::thread_rng(),
        REPEAT_DELAY.0..=REPEAT_DELAY.1,
    ))
}

async fn repeat_pause() {
    tokio::time::sleep(repeat_delay()).await;
}

/// The hosts of a sweep, in address order.
fn sweep_iter(net: &Ipv4Net) -> impl Iterator<Item = Ipv4Addr> + use<> {
    let (first, last) = (u32::from(net.network()), u32::from(net.broadcast()));
    let (first, last) = if net.prefix_len() >= 31 {
        (first, last)
    } else {
        (first + 1, last - 1)
    };
    (first..=last).map(Ipv4Addr::from)
}

/// Reads one datagram's worth of news into the collector.
fn handle(
    ours: &str,
    listening: bool,
    from: SocketAddr,
    bytes: &[u8],
    collector: &mut Collector,
    stats: &mut Stats,
) {
    let m = match message::parse(bytes) {
        Ok(m) => m,
        Err(e) => {
            stats.malformed += 1;
            debug!(%from, error = %e, len = bytes.len(), "skipping malformed datagram");
            return;
        }
    };
    let seen = match m.kind {
        Kind::Probe => {
            trace!(%from, "ignoring a Probe");
            return;
        }
        Kind::Hello | Kind::Bye if !listening => {
            stats.unsolicited += 1;
            trace!(%from, kind = ?m.kind, "not listening for Hello/Bye");
            return;
        }
        Kind::Hello => Seen::Hello,
        Kind::Bye => Seen::Bye,
        Kind::ProbeMatches => {
            match m.relates_to.as_deref() {
                Some(r) if r == ours => {}
                Some(r) if is_known_probe(r) => {
                    stats.foreign += 1;
                    debug!(%from, relates_to = r, "dropping a reply to another run's probe");
                    return;
                }
                other => {
                    // Some devices answer with a constant RelatesTo (the 631GA sends
                    // `uuid:NetworkVideoTransmitter`, an Amcrest `uuid:Device`). It came to our
                    // socket during our window and answers no probe we know, so it is ours.
                    stats.unrelated += 1;
                    debug!(%from, relates_to = ?other, "reply does not name our probe; accepting it");
                }
            }
            Seen::ProbeMatch
        }
    };
    if m.skipped_matches > 0 {
        debug!(%from, skipped = m.skipped_matches, "ProbeMatch entries without an endpoint address skipped");
    }
    for a in &m.announcements {
        collector.add(from.ip(), seen, a);
    }
}

/// MessageIDs of recent runs in this process.
static RECENT_PROBES: Mutex<VecDeque<(String, std::time::Instant)>> = Mutex::new(VecDeque::new());

fn remember_probe(id: &str) {
    let mut r = RECENT_PROBES.lock().unwrap_or_else(|p| p.into_inner());
    let now = std::time::Instant::now();
    while r
        .front()
        .is_some_and(|(_, t)| now.duration_since(*t) > REMEMBER_PROBES)
        || r.len() >= 1024
    {
        r.pop_front();
    }
    r.push_back((id.to_owned(), now));
}

fn is_known_probe(id: &str) -> bool {
    let r = RECENT_PROBES.lock().unwrap_or_else(|p| p.into_inner());
    r.iter().any(|(known, _)| known == id)
}

fn bind_udp(addr: SocketAddrV4, reuse: bool) -> Result<UdpSocket, DiscoveryError> {
    let bind_err = |source| DiscoveryError::Bind {
        addr: SocketAddr::V4(addr),
        source,
    };
    let sock = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).map_err(bind_err)?;
    if reuse {
        // Share the WS-Discovery port with other listeners on this host (a local
        // WS-Discovery daemon, another camswap).
        sock.set_reuse_address(true).map_err(bind_err)?;
        sock.set_reuse_port(true).map_err(bind_err)?;
    }
    sock.set_nonblocking(true).map_err(bind_err)?;
    sock.bind(&SocketAddr::V4(addr).into()).map_err(bind_err)?;
    UdpSocket::from_std(sock.into()).map_err(bind_err)
}

/// A socket that sends the multicast Probe out of interface `ifa` and receives the unicast
/// replies on `ifa`'s address.
fn multicast_sender(ifa: Ipv4Addr) -> Result<UdpSocket, DiscoveryError> {
    let sock = bind_udp(SocketAddrV4::new(ifa, 0), false)?;
    let err = |source| DiscoveryError::Multicast {
        interface: ifa,
        source,
    };
    let s = socket2::SockRef::from(&sock);
    s.set_multicast_if_v4(&ifa).map_err(err)?;
    // WS-Discovery keeps multicast on the local link.
    s.set_multicast_ttl_v4(1).map_err(err)?;
    // Devices on this very host (a mock fleet, a VMS) must hear it too.
    s.set_multicast_loop_v4(true).map_err(err)?;
    Ok(sock)
}

/// The Hello/Bye listener: the group joined on every interface, or a plain unicast socket.
fn listener(addr: SocketAddrV4, ifs: &[Ipv4Addr]) -> Result<UdpSocket, DiscoveryError> {
    if !addr.ip().is_multicast() {
        return bind_udp(addr, false);
    }
    // Bound to the group address, so only the group's traffic arrives here.
    let sock = bind_udp(addr, true)?;
    for ifa in ifs {
        sock.join_multicast_v4(*addr.ip(), *ifa)
            .map_err(|source| DiscoveryError::Multicast {
                interface: *ifa,
                source,
            })?;
    }
    Ok(sock)
}

fn spawn_reader(
    set: &mut JoinSet<()>,
    sock: Arc<UdpSocket>,
    tx: mpsc::Sender<(SocketAddr, Vec<u8>)>,
) {
    set.spawn(async move {
        let mut buf = vec![0u8; MAX_DATAGRAM];
        loop {
            match sock.recv_from(&mut buf).await {
                Ok((n, from)) => {
                    if tx.send((from, buf[..n].to_vec())).await.is_err() {
                        return;
                    }
                }
                Err(e) => {
                    // ICMP errors surface here on some systems; they say nothing about the
                    // devices that did answer.
                    debug!(error = %e, "receive error");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    });
}
