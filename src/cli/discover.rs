//! `camswap discover`: find ONVIF devices with WS-Discovery and write `devices.json`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::{Duration, Instant};

use ipnet::Ipv4Net;

use super::output::emit;
use super::{CliError, Format, Global, Outcome, TableOrJson};
use crate::discovery::{
    self, DEFAULT_RATE, DISCOVERY_PORT, Device, DevicesFile, DiscoveryError, MULTICAST_GROUP,
    Settings,
};
use crate::text::table;

/// Arguments of `camswap discover`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format (default: table on a terminal, json otherwise; JSON schema:
    /// tests/schemas/camswap.devices.v1.schema.json).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<TableOrJson>,
    /// Probe out of this interface only (its IPv4 address); also the source address of unicast
    /// probes. Default: every IPv4 interface that is up and multicast-capable.
    #[arg(long, value_name = "IP")]
    pub interface: Vec<Ipv4Addr>,
    /// Send a directed unicast Probe to HOST or HOST:PORT (repeatable; PORT defaults to --port).
    #[arg(long, value_name = "HOST[:PORT]")]
    pub target: Vec<String>,
    /// Send a unicast Probe to every host in CIDR (repeatable), for sites where multicast does
    /// not cross VLANs.
    #[arg(long, value_name = "CIDR", value_parser = parse_cidr)]
    pub cidr: Vec<Ipv4Net>,
    /// UDP port of unicast probes (--cidr, and --target without a port).
    #[arg(long, default_value_t = DISCOVERY_PORT, value_name = "PORT",
          value_parser = clap::value_parser!(u16).range(1..))]
    pub port: u16,
    /// Unicast probes per second (a sweep of a /24 takes 1.3 s at the default).
    #[arg(long, default_value_t = DEFAULT_RATE, value_name = "PER_SECOND",
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub rate: u32,
    /// How long to listen after the last probe: seconds (`3`, `1.5`) or `500ms`.
    #[arg(long, default_value = "3s", value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Also report devices announcing themselves (Hello) or leaving (Bye) during the window.
    #[arg(long)]
    pub listen: bool,
    /// Also probe the multicast group when --target or --cidr is given (it is the default
    /// without them).
    #[arg(long)]
    pub multicast: bool,
    /// Only devices with this scope (repeatable; prefix match by path segment, e.g.
    /// onvif://www.onvif.org/location/building3).
    #[arg(long = "scope", value_name = "URI")]
    pub scopes: Vec<String>,
    /// Discovery protocols: onvif (WS-Discovery), sadp (Hikvision, UDP 37020), dhip (Dahua,
    /// UDP 37810). The vendor protocols find units whose ONVIF is off; they are reported with
    /// what their answer says and "ONVIF off". --target probes each protocol at that host.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "onvif,sadp,dhip",
        value_name = "LIST"
    )]
    pub protocols: Vec<Protocol>,
    /// UDP port of SADP probes.
    #[arg(long, default_value_t = discovery::sadp::PORT, value_name = "PORT")]
    pub sadp_port: u16,
    /// UDP port of DHIP probes.
    #[arg(long, default_value_t = discovery::dhip::PORT, value_name = "PORT")]
    pub dhip_port: u16,
}

/// A discovery protocol `--protocols` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Protocol {
    /// WS-Discovery (ONVIF).
    Onvif,
    /// Hikvision SADP.
    Sadp,
    /// Dahua DHIP.
    Dhip,
}

/// Runs `camswap discover`.
pub async fn run(args: Args, g: &Global) -> Result<Outcome, CliError> {
    let format = g.format_or_default();
    if !matches!(format, Format::Table | Format::Json) {
        return Err(CliError::input(
            "camswap discover writes --format table or json",
        ));
    }
    let mut targets = Vec::new();
    for t in &args.target {
        targets.push(resolve_target(t, args.port).await?);
    }
    let unicast = !targets.is_empty() || !args.cidr.is_empty();
    let settings = Settings {
        multicast: args.multicast || !unicast,
        interfaces: args.interface.clone(),
        targets,
        sweeps: args.cidr.clone(),
        sweep_port: args.port,
        rate: args.rate,
        timeout: args.timeout,
        listen: args.listen.then_some(MULTICAST_GROUP),
        scopes: args.scopes.clone(),
        ..Settings::default()
    };
    let sweep_secs = settings.unicast_probes() as f64 / f64::from(settings.rate);
    if !g.quiet && sweep_secs >= 5.0 {
        eprintln!(
            "probing {} addresses at {}/s: about {:.0} s, then {:.1} s of listening",
            settings.unicast_probes(),
            settings.rate,
            sweep_secs,
            settings.timeout.as_secs_f64()
        );
    }
    let started = Instant::now();
    let vendor_protocols: Vec<crate::model::VendorProtocol> = args
        .protocols
        .iter()
        .filter_map(|p| match p {
            Protocol::Sadp => Some(crate::model::VendorProtocol::Sadp),
            Protocol::Dhip => Some(crate::model::VendorProtocol::Dhip),
            Protocol::Onvif => None,
        })
        .collect();
    let vendor_settings = discovery::vendor::VendorSettings {
        protocols: vendor_protocols,
        multicast: settings.multicast,
        interfaces: settings.interfaces.clone(),
        targets: settings.targets.iter().map(|t| *t.ip()).collect(),
        sadp_port: args.sadp_port,
        dhip_port: args.dhip_port,
        timeout: args.timeout,
    };
    let vendor = async {
        if vendor_settings.protocols.is_empty() {
            Ok(Vec::new())
        } else {
            discovery::vendor::discover(&vendor_settings).await
        }
    };
    let onvif = async {
        if args.protocols.contains(&Protocol::Onvif) {
            discovery::discover(&settings).await.map(Some)
        } else {
            Ok(None)
        }
    };
    let (found, vendor) = tokio::join!(onvif, vendor);
    let vendor = vendor.map_err(CliError::runtime)?;
    let found = found.map_err(|e| match e {
        DiscoveryError::NothingToDo
        | DiscoveryError::ZeroRate
        | DiscoveryError::SweepTooLarge { .. }
        | DiscoveryError::BadScope(_)
        | DiscoveryError::UnknownInterface(_) => CliError::input(e),
        other => CliError::runtime(other),
    })?;
    let mut found = found.unwrap_or_default();
    discovery::vendor::merge(&mut found.devices, vendor);
    let st = &found.stats;
    tracing::info!(stats = ?st, "discovery finished");
    // Nothing went out, so "no devices found" would be a claim about the network we never
    // tested.
    if st.probes_sent == 0 && st.send_errors > 0 && found.devices.is_empty() {
        return Err(CliError::runtime(format!(
            "none of the {} probes could be sent (first error: {}); nothing was discovered",
            st.send_errors,
            st.first_send_error.as_deref().unwrap_or("unknown")
        )));
    }
    if !g.quiet {
        if st.send_errors > 0 {
            eprintln!(
                "warning: {} of {} probes could not be sent (first: {})",
                st.send_errors,
                st.send_errors + st.probes_sent,
                st.first_send_error.as_deref().unwrap_or("unknown")
            );
        }
        let mut extra = String::new();
        if st.malformed > 0 {
            extra.push_str(&format!("; {} malformed replies skipped", st.malformed));
        }
        if found.devices.is_empty() {
            let hint = if unicast {
                "check the addresses and --port, and that UDP 3702 is not filtered"
            } else {
                "multicast does not cross VLANs or routers; try --cidr or --target"
            };
            eprintln!(
                "no devices found ({} probes sent, {} replies in {:.1} s{extra}); {hint}",
                st.probes_sent,
                st.datagrams,
                started.elapsed().as_secs_f64()
            );
        } else {
            eprintln!(
                "found {} device{} ({} probes sent, {} replies in {:.1} s{extra})",
                found.devices.len(),
                if found.devices.len() == 1 { "" } else { "s" },
                st.probes_sent,
                st.datagrams,
                started.elapsed().as_secs_f64()
            );
        }
    }
    // Said even with --quiet: an impostor is a finding, not chatter.
    for c in discovery::devices::endpoint_conflicts(&found.devices) {
        eprintln!(
            "warning: {} is claimed by {} addresses ({}): one of them is not that device; credentials matched by this endpoint will not be sent to any of them",
            c.claim,
            c.addresses.len(),
            c.addresses.join(", ")
        );
    }
    match (format, &g.output) {
        (Format::Json, Some(path)) => {
            discovery::write_devices(path, &found.devices).map_err(CliError::runtime)?
        }
        (Format::Json, None) => {
            let mut text = serde_json::to_string_pretty(&DevicesFile::new(found.devices))
                .map_err(CliError::runtime)?;
            text.push('\n');
            emit(g, &text)?;
        }
        _ => emit(g, &render_table(&found.devices))?,
    }
    Ok(Outcome::Success)
}

/// The human view: one line per device.
pub fn render_table(devices: &[Device]) -> String {
    let rows: Vec<Vec<String>> = devices
        .iter()
        .map(|d| {
            let mut notes = Vec::new();
            if !d.xaddr_mismatch.is_empty() {
                notes.push(format!("advertises {}", hosts(&d.xaddr_mismatch)));
            }
            if d.seen.contains(&discovery::Seen::Hello) {
                notes.push("hello".to_owned());
            }
            if d.left() {
                notes.push("bye".to_owned());
            }
            if d.contested() {
                let others: Vec<String> = d.contested_by.iter().map(|a| a.to_string()).collect();
                notes.push(format!("endpoint also claimed by {}", others.join(" ")));
            }
            for a in &d.vendor {
                let p = a.protocol.map_or("vendor", |p| p.name());
                notes.push(format!(
                    "{p}: {} {} {} {}",
                    a.model.as_deref().unwrap_or("-"),
                    a.serial.as_deref().unwrap_or("-"),
                    a.mac.as_deref().unwrap_or("-"),
                    a.firmware.as_deref().unwrap_or("-"),
                ));
            }
            if discovery::vendor::onvif_off(d) {
                notes.push("ONVIF off".to_owned());
            }
            vec![
                d.from.to_string(),
                d.xaddr.clone().unwrap_or_else(|| "-".into()),
                d.scope_value("name").unwrap_or_default(),
                d.scope_value("hardware").unwrap_or_default(),
                d.endpoint.clone(),
                notes.join(", "),
            ]
        })
        .collect();
    table(
        &["ADDRESS", "XADDR", "NAME", "HARDWARE", "ENDPOINT", "NOTES"],
        &rows,
    )
}

fn hosts(urls: &[String]) -> String {
    let mut out: Vec<String> = Vec::new();
    for u in urls {
        let h = discovery::devices::url_host(u).unwrap_or_else(|| u.clone());
        if !out.contains(&h) {
            out.push(h);
        }
    }
    out.join(" ")
}

/// `10.0.0.0/24`; a bare address is a /32. Host bits are cleared (`10.0.0.7/24` sweeps
/// 10.0.0.0/24).
fn parse_cidr(s: &str) -> Result<Ipv4Net, String> {
    let net = match s.parse::<Ipv4Net>() {
        Ok(n) => n,
        Err(_) => match s.parse::<Ipv4Addr>() {
            Ok(ip) => Ipv4Net::from(ip),
            Err(_) => {
                return Err(format!("{s:?} is not an IPv4 range such as 192.168.1.0/24"));
            }
        },
    };
    // 127.0.9.0/23 is 127.0.8.0–127.0.9.255: probing that silently would miss what the user
    // most likely meant (127.0.9.0–127.0.10.255 is not a /23 at all), so say which it is.
    if net != net.trunc() {
        return Err(format!(
            "{s} has host bits set: the /{} network containing {} is {} ({} to {}); give that, or the prefix you meant",
            net.prefix_len(),
            net.addr(),
            net.trunc(),
            net.network(),
            net.broadcast()
        ));
    }
    Ok(net)
}

/// `3`, `1.5`, `3s`, `500ms`.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, scale) = if let Some(ms) = t.strip_suffix("ms") {
        (ms, 0.001)
    } else if let Some(sec) = t.strip_suffix('s') {
        (sec, 1.0)
    } else {
        (t, 1.0)
    };
    match num.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 && v * scale <= 86_400.0 => {
            Ok(Duration::from_secs_f64(v * scale))
        }
        _ => Err(format!("{s:?} is not a duration such as 3, 1.5s or 500ms")),
    }
}

/// `HOST[:PORT]` to an IPv4 socket address (names are resolved now, so a typo fails early).
async fn resolve_target(t: &str, default_port: u16) -> Result<SocketAddrV4, CliError> {
    let bad = |why: &str| CliError::input(format!("invalid --target {t:?}: {why}"));
    if let Ok(sa) = t.parse::<SocketAddr>() {
        return match sa {
            SocketAddr::V4(v4) if v4.port() == 0 => {
                Err(bad("the port is not a number from 1 to 65535"))
            }
            SocketAddr::V4(v4) => Ok(v4),
            SocketAddr::V6(_) => Err(bad("IPv6 is not supported")),
        };
    }
    match t.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => return Ok(SocketAddrV4::new(ip, default_port)),
        Ok(IpAddr::V6(_)) => return Err(bad("IPv6 is not supported")),
        Err(_) => {}
    }
    let (host, port) = match t.rsplit_once(':') {
        Some((h, p)) => (
            h,
            p.parse::<u16>()
                .ok()
                .filter(|&p| p != 0)
                .ok_or_else(|| bad("the port is not a number from 1 to 65535"))?,
        ),
        None => (t, default_port),
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    let addrs = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| bad(&format!("cannot resolve {host}: {e}")))?;
    addrs
        .filter_map(|a| match a {
            SocketAddr::V4(v4) => Some(v4),
            SocketAddr::V6(_) => None,
        })
        .next()
        .ok_or_else(|| bad(&format!("{host} has no IPv4 address")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_values_are_checked() {
        assert_eq!(
            parse_cidr("10.0.0.0/24").unwrap().to_string(),
            "10.0.0.0/24"
        );
        assert_eq!(parse_cidr("10.0.0.7").unwrap().to_string(), "10.0.0.7/32");
        let e = parse_cidr("10.0.0.0/33").unwrap_err();
        assert!(e.contains("\"10.0.0.0/33\""), "{e}");
        assert!(parse_cidr("fe80::/64").is_err());
    }

    // Issue 10 item 9: 127.0.9.0/23 was probed as 127.0.8.0/23 without a word, and half of
    // what the user meant (127.0.10.x) was never probed.
    #[test]
    fn a_cidr_with_host_bits_set_is_refused_naming_the_normalised_network() {
        let e = parse_cidr("127.0.9.0/23").unwrap_err();
        assert!(
            e.contains("127.0.9.0/23")
                && e.contains("host bits")
                && e.contains("127.0.8.0/23")
                && e.contains("127.0.8.0 to 127.0.9.255"),
            "{e}"
        );
        assert!(
            parse_cidr("10.0.0.7/24")
                .unwrap_err()
                .contains("10.0.0.0/24")
        );
        assert!(parse_cidr("127.0.8.0/23").is_ok());
    }

    #[test]
    fn durations_take_seconds_or_milliseconds() {
        assert_eq!(parse_duration("3").unwrap(), Duration::from_secs(3));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert!(parse_duration("-1").is_err());
        assert!(parse_duration("soon").unwrap_err().contains("\"soon\""));
    }

    #[tokio::test]
    async fn targets_take_an_optional_port_and_refuse_ipv6() {
        assert_eq!(
            resolve_target("10.1.2.3", 3702).await.unwrap(),
            "10.1.2.3:3702".parse().unwrap()
        );
        assert_eq!(
            resolve_target("10.1.2.3:9999", 3702).await.unwrap(),
            "10.1.2.3:9999".parse().unwrap()
        );
        assert_eq!(
            resolve_target("localhost:4000", 3702).await.unwrap(),
            "127.0.0.1:4000".parse().unwrap()
        );
        let e = resolve_target("[::1]:3702", 3702)
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("IPv6") && e.contains("[::1]:3702"), "{e}");
        let e = resolve_target("cam:x", 3702).await.unwrap_err().to_string();
        assert!(e.contains("\"cam:x\""), "{e}");
    }
}
