//! MAC addresses in the forms cameras and registries write them.

use std::fmt;

/// A 48-bit MAC address; displayed as lower-case `aa:bb:cc:dd:ee:ff`, the form the inventory
/// stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mac(pub [u8; 6]);

impl Mac {
    /// Reads the forms cameras send: `B8:A4:4F:A0:4F:26`, Bosch `00-07-5f-e0-a6-04`, Pelco
    /// `00047D0EB85C`, Cisco-style `0007.5fe0.a604`.
    pub fn parse(s: &str) -> Option<Self> {
        let hex: String = s
            .trim()
            .chars()
            .filter(|c| !matches!(c, ':' | '-' | '.'))
            .collect();
        if hex.len() != 12 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let mut b = [0u8; 6];
        for (i, byte) in b.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).ok()?;
        }
        Some(Self(b))
    }

    /// Set by software rather than burnt in (bit 0x02 of the first octet): no OUI applies.
    pub fn is_locally_administered(&self) -> bool {
        self.0[0] & 0x02 != 0
    }

    /// A group address (bit 0x01): never a NIC's own address.
    pub fn is_multicast(&self) -> bool {
        self.0[0] & 0x01 != 0
    }

    /// The address as a 48-bit number (for prefix lookups).
    pub fn bits(&self) -> u64 {
        self.0
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
    }
}

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

/// Normalises a MAC to lower-case `aa:bb:cc:dd:ee:ff` from any form [`Mac::parse`] reads.
pub fn normalize_mac(s: &str) -> Option<String> {
    Mac::parse(s).map(|m| m.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_are_normalised_from_every_vendor_form() {
        for raw in [
            "B8:A4:4F:A0:4F:26",
            "b8-a4-4f-a0-4f-26",
            "B8A44FA04F26",
            "b8a4.4fa0.4f26",
            " b8:a4:4f:a0:4f:26 ",
        ] {
            assert_eq!(
                normalize_mac(raw).as_deref(),
                Some("b8:a4:4f:a0:4f:26"),
                "{raw}"
            );
        }
        for bad in [
            "",
            "b8:a4:4f:a0:4f",
            "zz:a4:4f:a0:4f:26",
            "b8:a4:4f:a0:4f:26:00",
            "b8:a4:4f:a0:4f:2é",
        ] {
            assert_eq!(normalize_mac(bad), None, "{bad}");
        }
    }

    #[test]
    fn bits_and_flags_read_the_first_octet() {
        let m = Mac::parse("03:00:00:00:00:01").unwrap();
        assert!(m.is_multicast() && m.is_locally_administered());
        assert_eq!(m.bits(), 0x0300_0000_0001);
    }
}
