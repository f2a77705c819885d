//! Identity carried to the new camera: users (names and levels; passwords come from the
//! credentials file at apply time), configurable scopes, DNS, NTP, and last the network move
//! onto the old camera's IPv4 address, gateway and hostname.

use super::plan::Step;
use crate::inventory::DeviceSnapshot;

/// Scopes that would make the new camera look like the old hardware (or are the old vendor's
/// factory defaults, DOMAIN.md 1b) are not copied.
fn scope_is_old_hardware(uri: &str, s: &DeviceSnapshot) -> Option<&'static str> {
    let lower = uri.to_ascii_lowercase();
    let (_, path) = lower.split_once("onvif://www.onvif.org/")?;
    if path.starts_with("name/") || path.starts_with("hardware/") {
        return Some("names the old hardware");
    }
    if path.starts_with("profile/")
        || path.starts_with("type/")
        || path.starts_with("macaddress/")
        || path.starts_with("mac/")
        || path.starts_with("serialnumber/")
    {
        return Some("describes the old device, the new one sets its own");
    }
    if path == "location/city/hangzhou" || path == "location/country/china" {
        return Some("is the old vendor's factory location");
    }
    let needles = [
        s.identity.manufacturer.as_deref(),
        s.identity.model.as_deref(),
    ];
    if needles
        .into_iter()
        .flatten()
        .map(|n| n.trim().to_ascii_lowercase())
        .any(|n| n.len() >= 3 && lower.contains(&n))
    {
        return Some("names the old hardware");
    }
    None
}

/// Users, scopes, DNS and NTP: the steps that do not move the camera.
pub fn identity_steps(s: &DeviceSnapshot, steps: &mut Vec<Step>, warnings: &mut Vec<String>) {
    let mut users: Vec<_> = s.users.iter().collect();
    users.sort_by(|a, b| a.username.cmp(&b.username));
    for u in users {
        if u.level.eq_ignore_ascii_case("anonymous") {
            warnings.push(format!(
                "user {} is Anonymous: ONVIF cannot create users at that level; not carried",
                u.username
            ));
            continue;
        }
        steps.push(Step::CreateUser {
            username: u.username.clone(),
            level: u.level.clone(),
        });
    }
    if let Some(dns) = &s.network.dns {
        steps.push(Step::SetDns {
            from_dhcp: dns.from_dhcp,
            search_domains: dns.search_domains.clone(),
            servers: dns.servers.clone(),
        });
    }
    if let Some(ntp) = &s.network.ntp {
        steps.push(Step::SetNtp {
            from_dhcp: ntp.from_dhcp,
            servers: ntp.servers.clone(),
        });
    }
    let mut keep = Vec::new();
    for scope in s.scopes.iter().filter(|sc| !sc.fixed) {
        match scope_is_old_hardware(&scope.uri, s) {
            Some(why) => warnings.push(format!("scope {} not carried: it {why}", scope.uri)),
            None => keep.push(scope.uri.clone()),
        }
    }
    if !keep.is_empty() {
        keep.sort();
        keep.dedup();
        steps.push(Step::SetScopes { scopes: keep });
    }
}

/// The old camera's IPv4 address, from its first enabled interface with one.
pub fn ipv4(s: &DeviceSnapshot) -> Option<(&str, Option<u8>, bool)> {
    s.network
        .interfaces
        .iter()
        .filter_map(|i| i.ipv4.as_ref().map(|v| (i, v)))
        .find(|(i, v)| i.enabled && v.enabled && v.address.is_some())
        .or_else(|| {
            s.network
                .interfaces
                .iter()
                .filter_map(|i| i.ipv4.as_ref().map(|v| (i, v)))
                .find(|(_, v)| v.address.is_some())
        })
        .and_then(|(_, v)| v.address.as_deref().map(|a| (a, v.prefix_length, v.dhcp)))
}

/// The last step: the new camera takes the old one's address, gateway and hostname.
pub fn network_step(s: &DeviceSnapshot, warnings: &mut Vec<String>) -> Step {
    let mut notes = vec![
        "last step: the new camera moves onto the old camera's identity; unplug or re-address the old camera first".to_owned(),
    ];
    let v4 = ipv4(s);
    let dhcp = v4.is_some_and(|(_, _, dhcp)| dhcp);
    if dhcp {
        let mac = s.macs().next().unwrap_or("unknown");
        warnings.push(format!(
            "the old camera takes its IPv4 address from DHCP: move the DHCP reservation from MAC {mac} to the new camera's MAC"
        ));
        notes.push("DHCP stays on; the address follows the DHCP reservation".into());
    }
    if v4.is_none() {
        warnings.push(
            "the old camera reported no IPv4 address: the new camera keeps its own; set it on site"
                .into(),
        );
    }
    let hostname = s.network.hostname.as_ref();
    Step::SetNetwork {
        dhcp,
        address: v4.filter(|_| !dhcp).map(|(a, _, _)| a.to_owned()),
        prefix_length: v4.filter(|_| !dhcp).and_then(|(_, p, _)| p),
        gateway: if dhcp {
            None
        } else {
            s.network.default_gateway.first().cloned()
        },
        hostname: hostname
            .filter(|h| !h.from_dhcp)
            .and_then(|h| h.name.clone()),
        hostname_from_dhcp: hostname.is_some_and(|h| h.from_dhcp),
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Identity, Scope, User};

    #[test]
    fn scopes_naming_the_old_hardware_are_not_carried_and_anonymous_users_are_skipped() {
        let s = DeviceSnapshot {
            identity: Identity {
                manufacturer: Some("HIKVISION".into()),
                model: Some("DS-2CD2143G2-I".into()),
                ..Default::default()
            },
            scopes: vec![
                Scope {
                    uri: "onvif://www.onvif.org/name/HIKVISION%20DS-2CD2143G2-I".into(),
                    fixed: false,
                },
                Scope {
                    uri: "onvif://www.onvif.org/location/city/hangzhou".into(),
                    fixed: false,
                },
                Scope {
                    uri: "onvif://www.onvif.org/location/site/north".into(),
                    fixed: false,
                },
                Scope {
                    uri: "onvif://www.onvif.org/hardware/DS-2CD2143G2-I".into(),
                    fixed: true,
                },
            ],
            users: vec![
                User {
                    username: "viewer".into(),
                    level: "User".into(),
                },
                User {
                    username: "anon".into(),
                    level: "Anonymous".into(),
                },
            ],
            ..Default::default()
        };
        let (mut steps, mut warnings) = (Vec::new(), Vec::new());
        identity_steps(&s, &mut steps, &mut warnings);
        assert_eq!(
            steps,
            vec![
                Step::CreateUser {
                    username: "viewer".into(),
                    level: "User".into()
                },
                Step::SetScopes {
                    scopes: vec!["onvif://www.onvif.org/location/site/north".into()]
                },
            ]
        );
        assert_eq!(warnings.len(), 3, "{warnings:?}");
    }
}
