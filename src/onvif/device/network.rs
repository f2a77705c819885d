//! The device's network identity: interfaces, default gateway, hostname, DNS and NTP.
//!
//! Addresses read are checked (garbage is an error naming the field, never a guess) and
//! written in the schema's IPv4/IPv6 choice; a static configuration that would leave the
//! device unreachable is refused before it is sent.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::SERVICE;
use crate::model::{Dns, Hostname, Ipv4Config, NetworkInterface, Ntp, normalize_mac};
use crate::onvif::operation::{Cursor, Operation, operations, push_bool, push_text};
use crate::onvif::{ParseError, RequestError, parse_u32};

operations! { SERVICE;
    /// GetNetworkInterfaces. MACs are normalised (see [`normalize_mac`]). The IPv4 address is the
    /// one the interface has: with DHCP on, the `FromDHCP` address (an Axis P3818 keeps a stale
    /// Manual address beside it), else the first `Manual` one; each falls back to the other when
    /// missing. `LinkLocal` is never used (a Pelco D6230L reports 127.0.0.1 there).
    GetNetworkInterfaces -> Vec<NetworkInterface> => |r| {
        r.each("NetworkInterfaces", |n| {
            let token = n.attr("token")?.to_owned();
            let enabled = n.bool("Enabled")?;
            let info = n.opt_child("Info");
            Ok(NetworkInterface {
                token,
                name: info.and_then(|i| i.opt_str("Name")).map(str::to_owned),
                enabled,
                mac: info
                    .map(|i| i.opt_parse("HwAddress", normalize_mac))
                    .transpose()?
                    .flatten(),
                ipv4: n.opt_with("IPv4", ipv4)?,
            })
        })
    };
    /// SetNetworkInterfaces for interface `token`: IPv4 enabled flag and DHCP, plus the manual
    /// address when DHCP is off. A static configuration without an address and prefix is
    /// refused, since the device would be left unreachable. Answers whether the device must
    /// reboot.
    SetNetworkInterfaces {
        /// The interface.
        token: String,
        /// Its IPv4 configuration.
        ipv4: Ipv4Config
    } write |op, out| {
        let (token, ipv4) = (op.token.trim(), &op.ipv4);
        if token.is_empty() {
            return Err(Self::missing("InterfaceToken"));
        }
        push_text(out, "tds:InterfaceToken", token);
        out.push_str("<tds:NetworkInterface><tt:IPv4>");
        push_bool(out, "tt:Enabled", ipv4.enabled);
        if !ipv4.dhcp {
            const ADDRESS: &str = "IPv4/Manual/Address";
            const PREFIX: &str = "IPv4/Manual/PrefixLength";
            let address = ipv4.address.as_deref().map(str::trim).filter(|a| !a.is_empty());
            let address = address.ok_or(Self::missing(ADDRESS))?;
            if address.parse::<Ipv4Addr>().is_err() {
                return Err(Self::unsupported(ADDRESS, address, "an IPv4 address"));
            }
            let prefix = ipv4.prefix_length.ok_or(Self::missing(PREFIX))?;
            if prefix > 32 {
                let reason = "a prefix length from 0 to 32";
                return Err(Self::unsupported(PREFIX, &prefix.to_string(), reason));
            }
            let _ = write!(
                out,
                "<tt:Manual><tt:Address>{address}</tt:Address><tt:PrefixLength>{prefix}</tt:PrefixLength></tt:Manual>"
            );
        }
        push_bool(out, "tt:DHCP", ipv4.dhcp);
        out.push_str("</tt:IPv4></tds:NetworkInterface>");
        Ok(())
    } -> bool => |r| r.bool("RebootNeeded");
    /// GetNetworkDefaultGateway: the IPv4 gateways (the model keeps IPv4 only).
    GetNetworkDefaultGateway -> Vec<String> => |r| {
        let Some(g) = r.opt_child("NetworkGateway") else {
            return Ok(Vec::new());
        };
        g.children("IPv4Address")
            .filter(|a| !a.text().is_empty())
            .map(|a| a.value(|t| t.parse::<Ipv4Addr>().ok()).map(|ip| ip.to_string()))
            .collect()
    };
    /// SetNetworkDefaultGateway. An empty list clears the gateway.
    SetNetworkDefaultGateway [Debug, Clone, Default, PartialEq, Eq] {
        /// Gateway addresses, IPv4 or IPv6.
        gateways: Vec<String>
    } write |op, out| {
        let ips = op.gateways.iter().map(|g| classify_ip::<Self>(g, "IPv4Address"));
        let ips = ips.collect::<Result<Vec<_>, _>>()?;
        // The schema wants all IPv4 addresses before the IPv6 ones.
        for ip in ips.iter().filter(|ip| ip.is_ipv4()) {
            push_text(out, "tds:IPv4Address", &ip.to_string());
        }
        for ip in ips.iter().filter(|ip| ip.is_ipv6()) {
            push_text(out, "tds:IPv6Address", &ip.to_string());
        }
        Ok(())
    } -> () => |_r| Ok(());
    /// GetHostname. An empty Name (Milesight) is no name.
    GetHostname -> Hostname => |r| {
        let h = r.child("HostnameInformation")?;
        Ok(Hostname {
            name: h.opt_str("Name").map(str::to_owned),
            from_dhcp: h.bool("FromDHCP")?,
        })
    };
    /// SetHostname.
    SetHostname [Debug, Clone, Default, PartialEq, Eq] {
        /// The new name.
        name: String
    } write |op, out| {
        let name = op.name.trim();
        if name.is_empty() {
            return Err(Self::missing("Name"));
        }
        push_text(out, "tds:Name", name);
        Ok(())
    } -> () => |_r| Ok(());
    /// GetDNS. Servers are the manual ones only: the `DNSFromDHCP` list is what the site's DHCP
    /// hands out, and copying it to a new camera as manual would pin it.
    GetDNS -> Dns => |r| {
        let d = r.child("DNSInformation")?;
        Ok(Dns {
            from_dhcp: d.bool("FromDHCP")?,
            search_domains: d.texts("SearchDomain"),
            servers: hosts(d, "DNSManual")?,
        })
    };
    /// SetDNS. Servers must be IP addresses (`tt:IPAddress` has no name form).
    SetDNS {
        /// The settings.
        dns: Dns
    } write |op, out| {
        push_bool(out, "tds:FromDHCP", op.dns.from_dhcp);
        for d in op.dns.search_domains.iter().map(|d| d.trim()).filter(|d| !d.is_empty()) {
            push_text(out, "tds:SearchDomain", d);
        }
        for s in &op.dns.servers {
            write_host(out, "tds:DNSManual", Ok(classify_ip::<Self>(s, "DNSManual")?));
        }
        Ok(())
    } -> () => |_r| Ok(());
    /// GetNTP. Servers are the `NTPManual` entries (IPv4Address, IPv6Address or DNSname);
    /// `NTPFromDHCP` is left out for the reason given at [`GetDNS`].
    GetNTP -> Ntp => |r| {
        let n = r.child("NTPInformation")?;
        Ok(Ntp {
            from_dhcp: n.bool("FromDHCP")?,
            servers: hosts(n, "NTPManual")?,
        })
    };
    /// SetNTP. Each server is written as IPv4, IPv6 or DNS name, by its form.
    SetNTP {
        /// The settings.
        ntp: Ntp
    } write |op, out| {
        push_bool(out, "tds:FromDHCP", op.ntp.from_dhcp);
        for s in op.ntp.servers.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            write_host(out, "tds:NTPManual", s.parse::<IpAddr>().map_err(|_| s));
        }
        Ok(())
    } -> () => |_r| Ok(());
}

fn ipv4(v4: Cursor<'_>) -> Result<Ipv4Config, ParseError> {
    let enabled = v4.bool("Enabled")?;
    let config = v4.child("Config")?;
    let dhcp = config.bool("DHCP")?;
    let mut manual = None;
    for m in config.children("Manual") {
        if let Some(a) = prefixed_ipv4(m)? {
            manual.get_or_insert(a);
        }
    }
    let from_dhcp = config.opt_with("FromDHCP", prefixed_ipv4)?.flatten();
    let current = if dhcp {
        from_dhcp.or(manual)
    } else {
        manual.or(from_dhcp)
    };
    Ok(Ipv4Config {
        enabled,
        dhcp,
        address: current.as_ref().map(|(a, _)| a.clone()),
        prefix_length: current.and_then(|(_, p)| p),
    })
}

/// One `tt:PrefixedIPv4Address`: the address and its prefix length, both checked.
fn prefixed_ipv4(e: Cursor<'_>) -> Result<Option<(String, Option<u8>)>, ParseError> {
    let Some(ip) = e.opt_parse("Address", |a| a.parse::<Ipv4Addr>().ok())? else {
        return Ok(None);
    };
    let prefix = e.opt_parse("PrefixLength", |p| {
        parse_u32(p).filter(|n| *n <= 32).map(|n| n as u8)
    })?;
    Ok(Some((ip.to_string(), prefix)))
}

/// An address classified for the schema's IPv4/IPv6 choice.
fn classify_ip<O: Operation>(s: &str, field: &'static str) -> Result<IpAddr, RequestError> {
    s.trim()
        .parse::<IpAddr>()
        .map_err(|_| O::unsupported(field, s, "an IP address"))
}

/// The addresses of every `name` child (`tt:IPAddress` or `tt:NetworkHost`): whichever of
/// IPv4Address, IPv6Address, DNSname each carries (by `Type` when given, else the first
/// present). Addresses are checked; an entry with no value carries nothing to migrate.
fn hosts(parent: Cursor<'_>, name: &'static str) -> Result<Vec<String>, ParseError> {
    let mut out = Vec::new();
    for e in parent.children(name) {
        let declared = e.opt_str("Type").unwrap_or("");
        let forms = [
            ("IPv4", "IPv4Address"),
            ("IPv6", "IPv6Address"),
            ("DNS", "DNSname"),
        ];
        let present = forms
            .iter()
            .filter_map(|(ty, el)| Some((*ty, e.opt_str(el)?)));
        let mut present = present.collect::<Vec<_>>();
        let Some(i) = present
            .iter()
            .position(|(ty, _)| ty.eq_ignore_ascii_case(declared))
            .or((!present.is_empty()).then_some(0))
        else {
            continue;
        };
        let (ty, v) = present.swap_remove(i);
        let checked = match ty {
            "IPv4" => v.parse::<Ipv4Addr>().map(|ip| ip.to_string()).ok(),
            "IPv6" => v.parse::<Ipv6Addr>().map(|ip| ip.to_string()).ok(),
            _ => Some(v.to_owned()),
        };
        out.push(checked.ok_or_else(|| e.invalid("", v))?);
    }
    Ok(out)
}

/// Writes a `tt:IPAddress`/`tt:NetworkHost` as `qname`: an address, or (NTP only) a DNS name.
fn write_host(out: &mut String, qname: &str, host: Result<IpAddr, &str>) {
    let (kind, element, value) = match host {
        Ok(IpAddr::V4(ip)) => ("IPv4", "tt:IPv4Address", ip.to_string()),
        Ok(IpAddr::V6(ip)) => ("IPv6", "tt:IPv6Address", ip.to_string()),
        Err(name) => ("DNS", "tt:DNSname", name.to_owned()),
    };
    let _ = write!(out, "<{qname}><tt:Type>{kind}</tt:Type>");
    push_text(out, element, &value);
    let _ = write!(out, "</{qname}>");
}
