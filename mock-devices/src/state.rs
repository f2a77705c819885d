//! A device's mutable configuration: what Set operations change and Get operations report.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Duration, Utc};

use crate::imaging::ImagingState;
use crate::media::MediaState;
use crate::persona::{NetHost, Persona, UserSpec, parse_mac};
use crate::ptz::PtzState;
use crate::recording::RecordingState;

/// One network interface as the device reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// Token (`eth0`).
    pub token: String,
    /// `Info/Name`.
    pub name: String,
    /// MAC as the vendor writes it.
    pub mac: String,
    /// MTU.
    pub mtu: u32,
    /// Interface enabled.
    pub enabled: bool,
    /// IPv4 enabled.
    pub ipv4_enabled: bool,
    /// Address from DHCP (true) or manual (false).
    pub dhcp: bool,
    /// Current IPv4 address.
    pub address: Ipv4Addr,
    /// Prefix length.
    pub prefix_length: u8,
}

/// Everything ONVIF Set operations can change.
#[derive(Debug, Clone)]
pub struct DeviceState {
    /// Accounts; empty on a factory-default device, which then needs no credentials.
    pub users: Vec<UserSpec>,
    /// Hostname.
    pub hostname: String,
    /// Hostname from DHCP.
    pub hostname_from_dhcp: bool,
    /// DNS from DHCP.
    pub dns_from_dhcp: bool,
    /// DNS search domains.
    pub search_domains: Vec<String>,
    /// DNS servers.
    pub dns: Vec<IpAddr>,
    /// NTP from DHCP.
    pub ntp_from_dhcp: bool,
    /// NTP servers.
    pub ntp: Vec<NetHost>,
    /// IPv4 default gateways.
    pub gateway: Vec<Ipv4Addr>,
    /// IPv6 default gateways.
    pub gateway_v6: Vec<Ipv6Addr>,
    /// Network interfaces; the first carries the address clients reach.
    pub interfaces: Vec<Interface>,
    /// Configurable scopes (fixed ones live in the persona).
    pub scopes: Vec<String>,
    /// Device clock minus real clock, seconds.
    pub clock_offset: i64,
    /// `DateTimeType` NTP (true) or Manual.
    pub ntp_time: bool,
    /// `DaylightSavings`.
    pub daylight_savings: bool,
    /// POSIX TZ string.
    pub tz: String,
    /// WS-Discovery `MetadataVersion`, bumped when scopes change.
    pub metadata_version: u32,
    /// Media profiles and encoder settings, shared by Media and Media2.
    pub media: MediaState,
    /// The PTZ unit's position, presets and home, if the persona has one.
    pub ptz: Option<PtzState>,
    /// Recordings and recording jobs, if the device has edge storage.
    pub recording: Option<RecordingState>,
    /// Imaging settings per video source.
    pub imaging: ImagingState,
}

impl DeviceState {
    /// The state a device starts in.
    ///
    /// `listen_ip` is the address the mock is bound to: when it is a specific IPv4 address the
    /// first interface reports it (clients reach the device there); otherwise the persona's
    /// address (or factory address) is reported, else a link-local address from the MAC.
    pub fn new(
        persona: &Persona,
        listen_ip: Option<Ipv4Addr>,
        users: Option<&[UserSpec]>,
        factory: bool,
        clock_offset: i64,
    ) -> Self {
        let net = &persona.network;
        let f = &persona.factory;
        let interfaces = net
            .interfaces
            .iter()
            .enumerate()
            .map(|(i, spec)| {
                let configured = if factory {
                    f.address.or(spec.address)
                } else {
                    spec.address
                };
                let address = match (i, listen_ip) {
                    (0, Some(ip)) if !ip.is_unspecified() => ip,
                    _ => configured.unwrap_or_else(|| link_local(&spec.mac)),
                };
                Interface {
                    token: spec.token.clone(),
                    name: spec.name.clone().unwrap_or_else(|| spec.token.clone()),
                    mac: spec.mac.clone(),
                    mtu: spec.mtu,
                    enabled: true,
                    ipv4_enabled: true,
                    dhcp: if factory {
                        f.dhcp.unwrap_or(spec.dhcp)
                    } else {
                        spec.dhcp
                    },
                    address,
                    prefix_length: if factory {
                        f.prefix_length.unwrap_or(spec.prefix_length)
                    } else {
                        spec.prefix_length
                    },
                }
            })
            .collect();
        let services = persona.service_states(factory);
        let ntp_names = if factory {
            f.ntp.clone().unwrap_or_else(|| net.ntp.clone())
        } else {
            net.ntp.clone()
        };
        Self {
            users: if factory {
                Vec::new()
            } else {
                users.map_or_else(|| persona.users.clone(), <[UserSpec]>::to_vec)
            },
            hostname: if factory {
                f.hostname.clone().unwrap_or_else(|| net.hostname.clone())
            } else {
                net.hostname.clone()
            },
            hostname_from_dhcp: net.hostname_from_dhcp,
            dns_from_dhcp: net.dns_from_dhcp,
            search_domains: net.search_domains.clone(),
            dns: if factory {
                f.dns.clone().unwrap_or_else(|| net.dns.clone())
            } else {
                net.dns.clone()
            },
            ntp_from_dhcp: net.ntp_from_dhcp,
            ntp: ntp_names.iter().filter_map(|h| NetHost::parse(h)).collect(),
            gateway: if factory {
                f.gateway.clone().unwrap_or_else(|| net.gateway.clone())
            } else {
                net.gateway.clone()
            },
            gateway_v6: Vec::new(),
            interfaces,
            scopes: if factory {
                f.configurable_scopes
                    .clone()
                    .unwrap_or_else(|| persona.scopes.configurable.clone())
            } else {
                persona.scopes.configurable.clone()
            },
            clock_offset,
            ntp_time: persona.time.ntp,
            daylight_savings: persona.time.daylight_savings,
            tz: if factory {
                f.tz.clone().unwrap_or_else(|| persona.time.tz.clone())
            } else {
                persona.time.tz.clone()
            },
            metadata_version: persona.discovery.metadata_version,
            media: services.media,
            ptz: services.ptz,
            recording: services.recording,
            imaging: services.imaging,
        }
    }

    /// The device's clock now.
    pub fn device_now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.clock_offset)
    }

    /// Whether the device demands credentials at all (ONVIF Core: not without users).
    pub fn has_users(&self) -> bool {
        !self.users.is_empty()
    }

    /// All scope URIs, fixed first, as discovery announces them.
    pub fn all_scopes(&self, persona: &Persona) -> Vec<String> {
        persona
            .scopes
            .fixed
            .iter()
            .chain(&self.scopes)
            .cloned()
            .collect()
    }
}

/// 169.254.x.y from the MAC's last two octets, as a camera without DHCP or a static address
/// picks one (ZeroConfiguration); .0 and .255 are avoided.
fn link_local(mac: &str) -> Ipv4Addr {
    let m = parse_mac(mac).unwrap_or_default();
    Ipv4Addr::new(169, 254, m[4].clamp(1, 254), m[5].clamp(1, 254))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factory_state_has_no_users_and_factory_values() {
        let p = Persona::builtin("hikvision-ds2cd2143g2").unwrap();
        let s = DeviceState::new(&p, None, None, true, 0);
        assert!(s.users.is_empty());
        assert_eq!(s.interfaces[0].address, Ipv4Addr::new(192, 168, 1, 64));
        assert_eq!(s.dns, vec!["8.8.8.8".parse::<IpAddr>().unwrap()]);
    }

    #[test]
    fn bound_address_is_the_reported_address() {
        let p = Persona::builtin("axis-p3265-lve").unwrap();
        let ip = Ipv4Addr::new(127, 0, 2, 7);
        let s = DeviceState::new(&p, Some(ip), None, false, 0);
        assert_eq!(s.interfaces[0].address, ip);
        assert_eq!(s.users.len(), 1);
    }

    #[test]
    fn without_any_address_a_link_local_one_is_derived_from_the_mac() {
        let p = Persona::builtin("axis-p3265-lve").unwrap();
        let s = DeviceState::new(&p, Some(Ipv4Addr::UNSPECIFIED), None, false, 0);
        assert_eq!(s.interfaces[0].address, Ipv4Addr::new(169, 254, 0x3a, 0x21));
    }
}
