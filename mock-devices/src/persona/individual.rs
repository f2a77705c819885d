//! Fleet individualisation: one persona made into the many cameras of one model on a site,
//! each with its own MAC, serial and WS-Discovery endpoint, keeping the fingerprints an audit
//! relies on.

use super::{Persona, parse_mac};

impl Persona {
    /// This persona as the device at fleet address `index` (the address's low 24 bits): a
    /// site has many cameras of one model, each with its own MAC, serial number and
    /// WS-Discovery endpoint. Deterministic, and it keeps what fingerprinting relies on: the
    /// vendor's OUI, the serial's shape, MAC case and separators, an endpoint UUID or serial
    /// that carries the MAC (Hikvision, Axis), and MAC-bearing scopes.
    pub fn individualise(&self, index: u32) -> Persona {
        let delta = index & 0x00FF_FFFF;
        let mut p = self.clone();
        let old_first = self
            .network
            .interfaces
            .first()
            .and_then(|i| parse_mac(&i.mac));
        for iface in &mut p.network.interfaces {
            if let Some(mac) = parse_mac(&iface.mac) {
                iface.mac = format_like(&iface.mac, shift_nic(mac, delta));
            }
        }
        let new_first = p.network.interfaces.first().and_then(|i| parse_mac(&i.mac));
        let (Some(old_mac), Some(new_mac)) = (old_first, new_first) else {
            return p;
        };
        let old_hex = hex(&old_mac);
        let new_hex = hex(&new_mac);
        // Serial: the MAC itself (Axis), else its trailing digits count on.
        p.identity.serial = if self.identity.serial.eq_ignore_ascii_case(&old_hex) {
            same_case(&self.identity.serial, &new_hex)
        } else {
            bump_trailing_digits(&self.identity.serial, delta)
        };
        // Endpoint: a UUID whose tail is the MAC keeps that property; others count on.
        let endpoint = &self.discovery.endpoint;
        if endpoint.len() >= 12 && endpoint.is_char_boundary(endpoint.len() - 12) {
            let (head, tail) = endpoint.split_at(endpoint.len() - 12);
            if let Ok(n) = u64::from_str_radix(tail, 16) {
                let new_tail = if tail.eq_ignore_ascii_case(&old_hex) {
                    new_hex.clone()
                } else {
                    format!("{:012x}", (n + u64::from(delta)) & 0xFFFF_FFFF_FFFF)
                };
                p.discovery.endpoint = format!("{head}{new_tail}");
            }
        }
        let old_colon = colon(&old_mac);
        let new_colon = colon(&new_mac);
        for s in p
            .scopes
            .fixed
            .iter_mut()
            .chain(p.scopes.configurable.iter_mut())
        {
            if s.to_ascii_lowercase().contains(&old_colon) {
                *s = replace_ignore_case(s, &old_colon, &new_colon);
            }
        }
        p
    }
}

fn shift_nic(mac: [u8; 6], delta: u32) -> [u8; 6] {
    let nic = u32::from_be_bytes([0, mac[3], mac[4], mac[5]]);
    let [_, a, b, c] = ((nic + delta) & 0x00FF_FFFF).to_be_bytes();
    [mac[0], mac[1], mac[2], a, b, c]
}

fn hex(mac: &[u8; 6]) -> String {
    mac.iter().map(|b| format!("{b:02x}")).collect()
}

fn colon(mac: &[u8; 6]) -> String {
    mac.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Writes `mac` with the separator and letter case of `like`.
fn format_like(like: &str, mac: [u8; 6]) -> String {
    let sep = if like.contains('-') { "-" } else { ":" };
    let s = mac
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(sep);
    same_case(like, &s)
}

fn same_case(like: &str, s: &str) -> String {
    if like.chars().any(|c| c.is_ascii_uppercase()) {
        s.to_ascii_uppercase()
    } else {
        s.to_owned()
    }
}

fn bump_trailing_digits(serial: &str, delta: u32) -> String {
    let digits = serial
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .count()
        .min(8);
    if digits == 0 {
        return format!("{serial}-{delta:06}");
    }
    let (head, tail) = serial.split_at(serial.len() - digits);
    let modulus = 10u64.pow(digits as u32);
    let n = tail.parse::<u64>().unwrap_or(0);
    format!(
        "{head}{:0width$}",
        (n + u64::from(delta)) % modulus,
        width = digits
    )
}

fn replace_ignore_case(s: &str, from: &str, to: &str) -> String {
    let lower = s.to_ascii_lowercase();
    match lower.find(from) {
        Some(i) => format!(
            "{}{}{}",
            &s[..i],
            same_case(&s[i..i + from.len()], to),
            &s[i + from.len()..]
        ),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn individualised_devices_differ_but_keep_vendor_fingerprints() {
        let hik = Persona::builtin("hikvision-ds2cd2143g2").unwrap();
        let a = hik.individualise(0x000101);
        let b = hik.individualise(0x000102);
        let mac_a = &a.network.interfaces[0].mac;
        let mac_b = &b.network.interfaces[0].mac;
        assert_ne!(mac_a, mac_b);
        assert_eq!(mac_a[..8], hik.network.interfaces[0].mac[..8], "OUI kept");
        assert_ne!(a.identity.serial, b.identity.serial);
        assert_eq!(a.identity.serial.len(), hik.identity.serial.len());
        assert_ne!(a.discovery.endpoint, b.discovery.endpoint);
        let axis = Persona::builtin("axis-p3265-lve").unwrap();
        let c = axis.individualise(7);
        let mac_hex: String = c.network.interfaces[0]
            .mac
            .chars()
            .filter(|c| *c != ':')
            .collect();
        assert!(
            c.identity.serial.eq_ignore_ascii_case(&mac_hex),
            "Axis serial is its MAC"
        );
    }
}
