//! Authentication: credentials, and the two schemes ONVIF devices use.
//!
//! - [`wsse`]: WS-Security UsernameToken with PasswordDigest (OASIS UsernameToken Profile 1.0),
//!   carried in the SOAP header and signed with the device's clock.
//! - [`digest`]: HTTP Digest (RFC 7616: MD5, SHA-256, SHA-512-256 and their `-sess` forms),
//!   answered after a 401 challenge and then sent up front while the server nonce stays valid.
//!
//! Time and randomness come in through [`Clock`] and [`NonceSource`], so the known-answer
//! vectors are checked through the very code the client runs.

use std::fmt;

use chrono::{DateTime, Utc};
use rand::RngCore;

pub mod digest;
pub mod wsse;

/// A username and password for one device.
///
/// `Debug` and `Display` show the username only, so credentials can sit in structs that get
/// logged without leaking the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The device account name.
    pub username: String,
    /// The password, used only to compute digests; never written anywhere.
    pub password: String,
}

impl Credentials {
    /// Credentials from a username and password.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "user {:?}", self.username)
    }
}

/// The current time, injected so tests can pin `wsu:Created`.
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// Random bytes for WS-Security nonces and HTTP Digest client nonces, injected for tests.
pub trait NonceSource: Send + Sync {
    /// Fresh nonce bytes (16 or more).
    fn nonce(&self) -> Vec<u8>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// 16 bytes from the operating system's CSPRNG per nonce.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomNonces;

impl NonceSource for RandomNonces {
    fn nonce(&self) -> Vec<u8> {
        let mut bytes = vec![0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_show_the_password() {
        let c = Credentials::new("admin", "camswap-demo");
        let debug = format!("{c:?}");
        let display = c.to_string();
        let pretty = format!("{c:#?}");
        for s in [&debug, &display, &pretty] {
            assert!(!s.contains("camswap-demo"), "{s}");
            assert!(s.contains("admin"), "{s}");
        }
    }

    #[test]
    fn random_nonces_differ() {
        let a = RandomNonces.nonce();
        let b = RandomNonces.nonce();
        assert_eq!(a.len(), 16);
        assert_ne!(a, b);
    }
}
