//! Checking a persona: every value within the persona's own options, every token it refers
//! to present, each service section there exactly when its service is listed, and the value
//! syntaxes (MAC, host name, URI, XML prefix) that a device would refuse.

use std::net::{IpAddr, Ipv4Addr};

use super::protocol::resolve_type;
use super::{Persona, PersonaError, ServiceKind};
use crate::tz::PosixTz;

impl Persona {
    /// Refuses a persona a device could not be; `origin` names it in the error.
    pub(super) fn validate(&self, origin: &str) -> Result<(), PersonaError> {
        let bad = |field: &str, message: String| PersonaError::Invalid {
            origin: origin.into(),
            field: field.into(),
            message,
        };
        if self.network.interfaces.is_empty() {
            return Err(bad("network.interfaces", "at least one interface".into()));
        }
        for (i, iface) in self.network.interfaces.iter().enumerate() {
            if parse_mac(&iface.mac).is_none() {
                return Err(bad(
                    &format!("network.interfaces[{i}].mac"),
                    format!("`{}` is not a MAC address", iface.mac),
                ));
            }
            if iface.prefix_length > 32 {
                return Err(bad(
                    &format!("network.interfaces[{i}].prefix_length"),
                    "at most 32".into(),
                ));
            }
        }
        if !valid_hostname(&self.network.hostname) {
            return Err(bad(
                "network.hostname",
                format!("`{}` is not a hostname", self.network.hostname),
            ));
        }
        for host in self
            .network
            .ntp
            .iter()
            .chain(self.factory.ntp.iter().flatten())
        {
            if NetHost::parse(host).is_none() {
                return Err(bad("network.ntp", format!("`{host}` is not a host")));
            }
        }
        if self.scopes.fixed.is_empty() {
            return Err(bad(
                "scopes.fixed",
                "ONVIF devices have fixed Profile, hardware and name scopes".into(),
            ));
        }
        for scope in self.scopes.fixed.iter().chain(&self.scopes.configurable) {
            if !valid_uri(scope) {
                return Err(bad("scopes", format!("`{scope}` is not a URI")));
            }
        }
        for user in &self.users {
            if user.name.is_empty() {
                return Err(bad("users", "empty user name".into()));
            }
        }
        if self.auth.mode.uses_digest() && self.auth.digest_algorithms.is_empty() {
            return Err(bad(
                "auth.digest_algorithms",
                "digest auth needs at least one algorithm".into(),
            ));
        }
        if self.auth.realm.contains(['"', '\\']) || self.auth.realm.is_empty() {
            return Err(bad(
                "auth.realm",
                "a non-empty realm without quotes or backslashes".into(),
            ));
        }
        for tz in std::iter::once(&self.time.tz).chain(&self.factory.tz) {
            if PosixTz::parse(tz).is_none() {
                return Err(bad("time.tz", format!("`{tz}` is not a POSIX TZ string")));
            }
        }
        match self.service(ServiceKind::Device) {
            Some(s) if s.path == "/onvif/device_service" => {}
            _ => {
                return Err(bad(
                    "services",
                    "the device service must be listed at /onvif/device_service".into(),
                ));
            }
        }
        for (i, service) in self.services.iter().enumerate() {
            if service.version_numbers().is_none() {
                return Err(bad(
                    &format!("services[{i}].version"),
                    format!("`{}` is not MAJOR.MINOR", service.version),
                ));
            }
            if !service.path.starts_with("/onvif/") {
                return Err(bad(
                    &format!("services[{i}].path"),
                    "service paths start with /onvif/".into(),
                ));
            }
            let layout = service.kind.capability_layout();
            for key in service.capabilities.keys() {
                if !layout
                    .iter()
                    .any(|(_, names)| names.contains(&key.as_str()))
                {
                    return Err(bad(
                        &format!("services[{i}].capabilities.{key}"),
                        format!(
                            "not a {:?} service capability (or one set from [auth])",
                            service.kind
                        ),
                    ));
                }
            }
        }
        if self
            .services
            .iter()
            .enumerate()
            .any(|(i, s)| self.services[..i].iter().any(|t| t.kind == s.kind))
        {
            return Err(bad("services", "a service kind is listed twice".into()));
        }
        // A [section] describes a service's state, so it exists exactly when the persona
        // lists that service.
        let section = |name: &str, has: bool, offered: bool, service: &str| match (has, offered) {
            (false, true) => Err(bad(
                name,
                format!("a persona with {service} needs a [{name}] section"),
            )),
            (true, false) => Err(bad(name, format!("[{name}] without {service}"))),
            _ => Ok(()),
        };
        let offers = |kind| self.service(kind).is_some();
        section(
            "media",
            self.media.is_some(),
            offers(ServiceKind::Media) || offers(ServiceKind::Media2),
            "a media or media2 service",
        )?;
        section(
            "ptz",
            self.ptz.is_some(),
            offers(ServiceKind::Ptz),
            "a ptz service",
        )?;
        section(
            "recording",
            self.recording.is_some(),
            offers(ServiceKind::Recording),
            "a recording service (edge storage)",
        )?;
        section(
            "imaging",
            self.imaging.is_some(),
            offers(ServiceKind::Imaging),
            "an imaging service",
        )?;
        if let Some(m) = &self.media {
            let ptz_configs: Vec<String> = self
                .ptz
                .iter()
                .flat_map(|p| p.configurations.iter().map(|c| c.token.clone()))
                .collect();
            m.validate(&ptz_configs)
                .map_err(|(field, message)| bad(&field, message))?;
        }
        if let Some(p) = &self.ptz {
            p.validate()
                .map_err(|(field, message)| bad(&field, message))?;
        }
        if let Some(r) = &self.recording {
            let profiles: Vec<String> = self
                .media
                .iter()
                .flat_map(|m| m.profiles.iter().map(|p| p.token.clone()))
                .collect();
            r.validate(&profiles)
                .map_err(|(field, message)| bad(&field, message))?;
        }
        if let Some(i) = &self.imaging {
            if self.media.is_none() {
                return Err(bad(
                    "imaging",
                    "imaging needs the [media] video sources".into(),
                ));
            }
            i.validate()
                .map_err(|(field, message)| bad(&field, message))?;
        }
        for token in &self.quirks.media1_stub_encoders {
            if !self
                .media
                .as_ref()
                .is_some_and(|m| m.encoders.iter().any(|e| &e.token == token))
            {
                return Err(bad(
                    "quirks.media1_stub_encoders",
                    format!("`{token}` is not an encoder"),
                ));
            }
        }
        if !self.discovery.endpoint.starts_with("urn:") {
            return Err(bad(
                "discovery.endpoint",
                "an endpoint reference such as urn:uuid:...".into(),
            ));
        }
        for (i, t) in self.discovery.types.iter().enumerate() {
            if resolve_type(t, i).is_none() {
                return Err(bad(
                    "discovery.types",
                    format!("`{t}`: use dn:, tdn:, tds: or {{namespace}}Local"),
                ));
            }
        }
        if !valid_prefix(&self.http.envelope_prefix) {
            return Err(bad(
                "http.envelope_prefix",
                format!("`{}` is not an XML prefix", self.http.envelope_prefix),
            ));
        }
        for (field, status) in [
            ("http.sender_fault_status", self.http.sender_fault_status),
            (
                "http.receiver_fault_status",
                self.http.receiver_fault_status,
            ),
        ] {
            if !(400..=599).contains(&status) {
                return Err(bad(field, format!("{status} is not an HTTP error status")));
            }
        }
        Ok(())
    }
}

/// An NTP server as ONVIF `tt:NetworkHost` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetHost {
    /// `Type` IPv4.
    Ipv4(Ipv4Addr),
    /// `Type` IPv6.
    Ipv6(std::net::Ipv6Addr),
    /// `Type` DNS.
    Dns(String),
}

impl NetHost {
    /// An address or a DNS name.
    pub fn parse(s: &str) -> Option<Self> {
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Some(match ip {
                IpAddr::V4(v4) => Self::Ipv4(v4),
                IpAddr::V6(v6) => Self::Ipv6(v6),
            });
        }
        valid_hostname(s).then(|| Self::Dns(s.into()))
    }
}

/// Six hex octets separated by `:` or `-`.
pub fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let parts: Vec<&str> = s.split([':', '-']).collect();
    if parts.len() != 6 {
        return None;
    }
    let mut mac = [0u8; 6];
    for (slot, part) in mac.iter_mut().zip(parts) {
        if part.len() != 2 {
            return None;
        }
        *slot = u8::from_str_radix(part, 16).ok()?;
    }
    Some(mac)
}

/// RFC 1123 host name (labels of letters, digits and inner hyphens).
pub fn valid_hostname(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// A URI as scopes need it: a scheme, a colon and no whitespace.
pub fn valid_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    !scheme.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.chars().any(char::is_whitespace)
}

fn valid_prefix(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_persona_whose_encoder_breaks_its_own_options_is_refused() {
        let text = include_str!("../../personas/hikvision-ds2cd2143g2.toml").replacen(
            "bitrate = 4096",
            "bitrate = 40960",
            1,
        );
        let err = Persona::from_toml(&text, "test.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("media.encoders") && err.contains("40960"),
            "{err}"
        );
    }

    #[test]
    fn a_recording_job_on_a_missing_profile_is_refused() {
        let text = include_str!("../../personas/axis-p3265-lve.toml")
            .replace("source = \"profile_1_h264\"", "source = \"profile_9\"");
        let err = Persona::from_toml(&text, "test.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("profile_9"), "{err}");
    }

    #[test]
    fn a_typo_in_a_persona_is_an_error_naming_the_key() {
        let text = include_str!("../../personas/axis-p3265-lve.toml")
            .replace("skew_seconds", "skew_second");
        let err = Persona::from_toml(&text, "test.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("skew_second"), "{err}");
    }

    #[test]
    fn a_state_section_exists_exactly_when_its_service_is_listed() {
        let axis = Persona::builtin("axis-p3265-lve").unwrap();
        let mut no_section = axis.clone();
        no_section.recording = None;
        let err = no_section.validate("test.toml").unwrap_err().to_string();
        assert!(err.contains("[recording] section"), "{err}");
        let mut no_service = axis.clone();
        no_service
            .services
            .retain(|s| s.kind != ServiceKind::Imaging);
        let err = no_service.validate("test.toml").unwrap_err().to_string();
        assert!(
            err.contains("[imaging] without an imaging service"),
            "{err}"
        );
        let mut imaging_alone = axis;
        imaging_alone.media = None;
        imaging_alone.recording = None;
        imaging_alone.services.retain(|s| {
            !matches!(
                s.kind,
                ServiceKind::Media | ServiceKind::Media2 | ServiceKind::Recording
            )
        });
        let err = imaging_alone.validate("test.toml").unwrap_err().to_string();
        assert!(err.contains("[media] video sources"), "{err}");
    }

    #[test]
    fn unknown_capability_is_refused() {
        let text = include_str!("../../personas/axis-p3265-lve.toml")
            .replace("SnapshotUri = true", "SnapshotURI = true");
        let err = Persona::from_toml(&text, "test.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("SnapshotURI"), "{err}");
    }
}
