//! The host's IPv4 interfaces, to know where a multicast Probe can go.

use std::net::Ipv4Addr;

use nix::net::if_::InterfaceFlags;

/// One IPv4 address on an interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// Interface name (`eth0`).
    pub name: String,
    /// The IPv4 address (an interface with several yields several entries).
    pub addr: Ipv4Addr,
    /// Administratively up and running.
    pub up: bool,
    /// Multicast-capable (`IFF_MULTICAST`; loopback is not, unless configured so).
    pub multicast: bool,
}

/// Every IPv4 address on this host, in the kernel's order.
pub fn ipv4_interfaces() -> std::io::Result<Vec<Interface>> {
    let addrs = nix::ifaddrs::getifaddrs().map_err(std::io::Error::from)?;
    Ok(addrs
        .filter_map(|ifa| {
            let addr = ifa.address.as_ref()?.as_sockaddr_in()?.ip();
            Some(Interface {
                name: ifa.interface_name,
                addr,
                up: ifa.flags.contains(InterfaceFlags::IFF_UP)
                    && ifa.flags.contains(InterfaceFlags::IFF_RUNNING),
                multicast: ifa.flags.contains(InterfaceFlags::IFF_MULTICAST),
            })
        })
        .collect())
}

/// The interfaces a multicast Probe goes out on by default: up and multicast-capable.
pub fn multicast_interfaces() -> std::io::Result<Vec<Interface>> {
    Ok(ipv4_interfaces()?
        .into_iter()
        .filter(|i| i.up && i.multicast)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_listed_with_its_address() {
        let all = ipv4_interfaces().unwrap();
        assert!(
            all.iter().any(|i| i.addr == Ipv4Addr::LOCALHOST && i.up),
            "{all:?}"
        );
        for i in multicast_interfaces().unwrap() {
            assert!(i.up && i.multicast);
        }
    }
}
