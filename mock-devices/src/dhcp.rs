//! The site's DHCP server, as far as a camera sees it: turning DHCP on
//! (SetNetworkInterfaces with `DHCP=true`) gives the device the address its MAC is leased,
//! and the device moves there (rebooting when its persona says a network change needs one).
//!
//! A fleet runs one server for all its devices (and the units swapped in): it leases
//! `127.a.b.200`-`127.a.b.254` of the /24 holding the fleet's first address, one address per
//! MAC, the same one every time that MAC asks. A device started on its own has no server:
//! DHCP on then keeps its address, as on a network where no server answers.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};

/// First host of the pool in the fleet's /24.
pub const POOL_FIRST_HOST: u8 = 200;
/// Last host of the pool.
pub const POOL_LAST_HOST: u8 = 254;
/// Prefix length of the leases.
pub const PREFIX_LENGTH: u8 = 24;

/// A DHCP server handing out one block; clones share the leases.
#[derive(Debug, Clone)]
pub struct DhcpServer {
    inner: Arc<Mutex<Pool>>,
}

#[derive(Debug)]
struct Pool {
    /// The /24's first three octets.
    net: [u8; 3],
    /// Next host to lease.
    next: u8,
    /// Leases by MAC (lower case).
    leases: BTreeMap<String, Ipv4Addr>,
}

impl DhcpServer {
    /// A server leasing hosts 200-254 of the /24 that holds `any`.
    pub fn for_block(any: Ipv4Addr) -> Self {
        let [a, b, c, _] = any.octets();
        Self {
            inner: Arc::new(Mutex::new(Pool {
                net: [a, b, c],
                next: POOL_FIRST_HOST,
                leases: BTreeMap::new(),
            })),
        }
    }

    /// The address leased to `mac` (a new one on its first request); `None` when the pool
    /// is exhausted.
    pub fn lease(&self, mac: &str) -> Option<Ipv4Addr> {
        let mut pool = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = mac.trim().to_ascii_lowercase();
        if let Some(ip) = pool.leases.get(&key) {
            return Some(*ip);
        }
        if pool.next > POOL_LAST_HOST || pool.next < POOL_FIRST_HOST {
            return None;
        }
        let [a, b, c] = pool.net;
        let ip = Ipv4Addr::new(a, b, c, pool.next);
        pool.next = pool.next.wrapping_add(1);
        pool.leases.insert(key, ip);
        Some(ip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_per_mac_from_the_blocks_pool() {
        let s = DhcpServer::for_block(Ipv4Addr::new(127, 0, 57, 1));
        let a = s.lease("00:11:22:33:44:55");
        assert_eq!(a, Some(Ipv4Addr::new(127, 0, 57, 200)));
        assert_eq!(
            s.lease("00:11:22:33:44:66"),
            Some(Ipv4Addr::new(127, 0, 57, 201))
        );
        // The same MAC (any case) keeps its lease; a clone shares the pool.
        assert_eq!(
            s.clone().lease("00:11:22:33:44:55".to_uppercase().as_str()),
            a
        );
        // 200-254 is 55 addresses: 53 more MACs take the rest.
        for host in 202..=254 {
            assert_eq!(
                s.lease(&format!("mac-{host}")),
                Some(Ipv4Addr::new(127, 0, 57, host))
            );
        }
        assert_eq!(s.lease("00:11:22:33:44:77"), None, "the pool is exhausted");
    }
}
