//! Identity carried to the new camera: users (names and levels; passwords come from the
//! credentials file at apply time), configurable scopes, DNS, NTP, and last the network move
//! onto the old camera's IPv4 address, gateway and hostname.
//!
//! - The clock: SetNTP only lists servers; a camera follows them only once
//!   SetSystemDateAndTime says `NTP`, and its zone and DST come with that call, so they are
//!   carried together as GetSystemDateAndTime reported them.
//! - A gateway outside the address's subnet cannot route: an error on that camera.
//! - A factory hostname (`IPCamera`, `IPC`, the serial, the model) is not a name anyone chose:
//!   with `--hostname-template` the camera gets a name from it, else the plan keeps the old
//!   one and says it is a factory default.

use std::net::Ipv4Addr;

use super::PlanOptions;
use super::plan::Step;
use crate::inventory::DeviceSnapshot;

/// What decides the network step beyond the snapshot.
#[derive(Debug)]
pub struct NetworkContext<'a> {
    /// The options (hostname template).
    pub options: &'a PlanOptions,
    /// How many cameras before this one took a hostname from the template (for `{n}`).
    pub templated: &'a mut u32,
}

/// Dahua firmware (and its OEMs') writes the zone as `GMT+08:00` meaning UTC+8, the sign of
/// ISO 8601 (QUIRKS.md "TZ strings": Dahua `GMT+08:00PDT,…` on a unit in China), while POSIX,
/// which ONVIF's `TZ` is and other vendors read, counts hours west: the same text there means
/// UTC−8, sixteen hours off. The POSIX equivalent of such a zone (`UTC-8`, `UTC-5:30`), any
/// DST rule after it kept; `None` when the camera is not Dahua-family or the zone not of
/// that form.
fn dahua_tz_to_posix(s: &DeviceSnapshot, tz: &str) -> Option<String> {
    let maker = s.reported_make_and_model().0?.to_ascii_lowercase();
    if !["dahua", "amcrest", "lorex"]
        .iter()
        .any(|m| maker.contains(m))
    {
        return None;
    }
    let rest = tz
        .trim()
        .strip_prefix("GMT")
        .or_else(|| tz.trim().strip_prefix("UTC"))?;
    let sign = rest.chars().next().filter(|c| *c == '+' || *c == '-')?;
    let digits = &rest[1..];
    let (hh, after) = digits.split_once(':')?;
    let mm: String = after.chars().take_while(char::is_ascii_digit).collect();
    let tail = &after[mm.len()..];
    let (h, m): (u32, u32) = (hh.parse().ok()?, mm.parse().ok()?);
    if hh.len() != 2 || mm.len() != 2 || h > 14 || m > 59 {
        return None;
    }
    let west = if sign == '+' { '-' } else { '+' };
    let offset = if m == 0 {
        format!("{h}")
    } else {
        format!("{h}:{m:02}")
    };
    Some(format!("UTC{west}{offset}{tail}"))
}

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
    match &s.network.time {
        Some(t) => {
            if t.date_time_type.is_none() {
                warnings.push("the old camera did not say whether it follows NTP: the new camera's clock mode is left as it is; check it on site".into());
            }
            if t.tz.is_none() {
                warnings.push("the old camera reported no time zone: set the new camera's zone on site (recordings are searched by local time)".into());
            }
            let tz = t.tz.as_deref().map(|tz| match dahua_tz_to_posix(s, tz) {
                Some(posix) => {
                    warnings.push(format!(
                        "time zone {tz} is written the Dahua way (offset east of GMT); ONVIF's POSIX zone counts west, so the new camera gets {posix}: the same local time"
                    ));
                    posix
                }
                None => tz.to_owned(),
            });
            steps.push(Step::SetDateTime {
                date_time_type: t.date_time_type.clone(),
                tz,
                daylight_savings: t.daylight_savings.unwrap_or(false),
            });
        }
        None => warnings.push(
            "the old camera's clock settings (time zone, DST, NTP or manual) were not read: set them on site; SetNTP alone does not switch a camera to NTP".into(),
        ),
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

/// Hostnames firmware sets at the factory (DOMAIN.md 1b; the mock personas' captures):
/// Hikvision `IPCamera`/`IPDome`, Dahua `IPC`/`PTZ`, and generic ones.
const FACTORY_HOSTNAMES: &[&str] = &[
    "ipcamera",
    "ipdome",
    "ipc",
    "ptz",
    "ipcam",
    "camera",
    "nvr",
    "dvr",
    "localhost",
    "hikvision",
    "dahua",
];

/// Why a hostname is a factory default, when it is one.
pub fn factory_hostname(name: &str, s: &DeviceSnapshot) -> Option<&'static str> {
    let n = name.trim().to_ascii_lowercase();
    if n.is_empty() {
        return None;
    }
    if FACTORY_HOSTNAMES.contains(&n.as_str()) {
        return Some("a vendor's factory hostname");
    }
    let compact = |v: &str| {
        v.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let cn = compact(&n);
    if let Some(serial) = s.identity.serial_number.as_deref().map(compact) {
        if serial.len() >= 6 && cn.contains(&serial) {
            return Some("the old camera's serial number");
        }
    }
    if s.macs()
        .map(compact)
        .any(|m| m.len() == 12 && cn.contains(&m[6..]))
    {
        return Some("derived from the old camera's MAC");
    }
    // A serial of another unit (a fleet's firmware keeps the one it was imaged with): one long
    // token of letters and digits, no separators, as `AMC04A1F7C3E5B9D20`.
    let t = name.trim();
    if t.len() >= 12
        && t.chars().all(|c| c.is_ascii_alphanumeric())
        && t.chars().filter(char::is_ascii_digit).count() >= 4
    {
        return Some("shaped like a serial number");
    }
    if let Some(model) = s.identity.model.as_deref().map(compact) {
        if model.len() >= 4 && (cn == model || cn.contains(&model)) {
            return Some("the old camera's model name");
        }
    }
    None
}

/// The value of the first configurable `location/<key>/...` scope, or of any other location
/// scope when `key` is `None` (country and city excluded: those are often the factory's).
fn location_scope(s: &DeviceSnapshot, key: Option<&str>) -> Option<String> {
    s.scopes.iter().filter(|sc| !sc.fixed).find_map(|sc| {
        let lower = sc.uri.to_ascii_lowercase();
        let at = lower.find("onvif://www.onvif.org/location/")?
            + "onvif://www.onvif.org/location/".len();
        let rest = &sc.uri[at..];
        let (k, v) = rest.split_once('/').unwrap_or(("", rest));
        let k = k.to_ascii_lowercase();
        let wanted = match key {
            Some(key) => k == key,
            None => !matches!(k.as_str(), "site" | "country" | "city"),
        };
        (wanted && !v.is_empty()).then(|| v.replace("%20", " "))
    })
}

/// A hostname from the template: `{site}` (the `location/site/...` scope), `{location}` (another
/// location scope, e.g. `location/building/A`), `{n}` (1, 2, ... in plan order). Lower-case
/// letters, digits and hyphens only (RFC 1123), at most 63 characters.
pub fn hostname_from_template(
    template: &str,
    s: &DeviceSnapshot,
    n: u32,
) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("hostname template \"{template}\": unclosed {{"))?;
        let key = &rest[open + 1..open + close];
        let value = match key {
            "site" => location_scope(s, Some("site"))
                .ok_or("hostname template needs {site}, but the old camera has no location/site scope")?,
            "location" => location_scope(s, None)
                .ok_or("hostname template needs {location}, but the old camera has no location scope besides site, country and city")?,
            "n" => n.to_string(),
            other => {
                return Err(format!(
                    "hostname template \"{template}\": unknown placeholder {{{other}}} (known: {{site}}, {{location}}, {{n}})"
                ));
            }
        };
        out.push_str(&value);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    let mut name: String = out
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    let name = name.trim_matches('-');
    let name = &name[..name.len().min(63)];
    let name = name.trim_end_matches('-');
    if name.is_empty() {
        return Err(format!(
            "hostname template \"{template}\" gives an empty name"
        ));
    }
    Ok(name.to_owned())
}

/// Checks a template's placeholders before planning (a typo is a usage error, not 200 camera
/// errors).
pub fn check_hostname_template(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("\"{template}\": unclosed {{"))?;
        let key = &rest[open + 1..open + close];
        if !matches!(key, "site" | "location" | "n") {
            return Err(format!(
                "\"{template}\": unknown placeholder {{{key}}} (known: {{site}}, {{location}}, {{n}})"
            ));
        }
        rest = &rest[open + close + 1..];
    }
    Ok(())
}

/// The gateway is on the address's subnet (or nothing to check).
fn gateway_error(address: &str, prefix: Option<u8>, gateway: &str) -> Option<String> {
    let (a, g) = (
        address.parse::<Ipv4Addr>().ok()?,
        gateway.parse::<Ipv4Addr>().ok()?,
    );
    let p = u32::from(prefix?.min(32));
    let mask = if p == 0 { 0 } else { u32::MAX << (32 - p) };
    (u32::from(a) & mask != u32::from(g) & mask).then(|| {
        format!(
            "gateway {gateway} is outside {address}/{p} (network {}/{p}): the new camera could not reach it; fix the old camera's settings or the plan's address before apply",
            Ipv4Addr::from(u32::from(a) & mask)
        )
    })
}

/// The last step: the new camera takes the old one's address, gateway and hostname.
pub fn network_step(
    s: &DeviceSnapshot,
    ctx: NetworkContext<'_>,
    warnings: &mut Vec<String>,
    errors: &mut Vec<String>,
) -> Step {
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
    let address = v4.filter(|_| !dhcp).map(|(a, _, _)| a.to_owned());
    let prefix_length = v4.filter(|_| !dhcp).and_then(|(_, p, _)| p);
    let gateway = if dhcp {
        None
    } else {
        s.network.default_gateway.first().cloned()
    };
    if let (Some(a), Some(g)) = (&address, &gateway) {
        errors.extend(gateway_error(a, prefix_length, g));
    }
    let old_host = s.network.hostname.as_ref();
    let from_dhcp = old_host.is_some_and(|h| h.from_dhcp);
    let mut hostname = old_host
        .filter(|h| !h.from_dhcp)
        .and_then(|h| h.name.clone())
        .filter(|h| !h.trim().is_empty());
    if let Some(name) = hostname.clone() {
        if let Some(why) = factory_hostname(&name, s) {
            match ctx.options.hostname_template.as_deref() {
                Some(template) => {
                    match hostname_from_template(template, s, *ctx.templated + 1) {
                        Ok(new) => {
                            *ctx.templated += 1;
                            notes.push(format!(
                                "hostname {name} is {why}: named {new} from the template \"{template}\""
                            ));
                            hostname = Some(new);
                        }
                        Err(e) => {
                            errors.push(format!("hostname {name} is {why}, and {e}"));
                        }
                    }
                }
                None => warnings.push(format!(
                    "hostname {name} is {why}, not a name anyone chose: kept as it is; give the site's naming with --hostname-template (e.g. \"{{site}}-{{location}}-{{n}}\")"
                )),
            }
        }
    }
    Step::SetNetwork {
        dhcp,
        address,
        prefix_length,
        gateway,
        hostname,
        hostname_from_dhcp: from_dhcp,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Identity, Scope, User};

    /// Dahua's "GMT+08:00" is UTC+8; carried verbatim, a POSIX reader puts the camera at
    /// UTC−8 (QUIRKS.md "TZ strings"). Hikvision's "CST-8:00:00" is POSIX already.
    #[test]
    fn a_dahua_time_zone_is_carried_as_the_posix_zone_of_the_same_local_time() {
        let mut s = DeviceSnapshot::default();
        s.identity.manufacturer = Some("Dahua".into());
        assert_eq!(dahua_tz_to_posix(&s, "GMT+08:00").as_deref(), Some("UTC-8"));
        assert_eq!(
            dahua_tz_to_posix(&s, "GMT+05:30").as_deref(),
            Some("UTC-5:30")
        );
        assert_eq!(dahua_tz_to_posix(&s, "GMT-03:00").as_deref(), Some("UTC+3"));
        assert_eq!(
            dahua_tz_to_posix(&s, "GMT+08:00PDT,M1.1.1/00:00:00,M1.1.2/00:00:00").as_deref(),
            Some("UTC-8PDT,M1.1.1/00:00:00,M1.1.2/00:00:00")
        );
        assert_eq!(dahua_tz_to_posix(&s, "CET-1CEST,M3.5.0,M10.5.0/3"), None);
        s.identity.manufacturer = Some("HIKVISION".into());
        assert_eq!(dahua_tz_to_posix(&s, "GMT+08:00"), None);
    }

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
        // Anonymous user, two scopes, and the clock settings this snapshot lacks.
        assert_eq!(warnings.len(), 4, "{warnings:?}");
    }

    fn manual(address: &str, prefix: u8, gateway: &str, hostname: &str) -> DeviceSnapshot {
        use crate::model::{Hostname, Ipv4Config, Network, NetworkInterface};
        DeviceSnapshot {
            id: "serial:X1".into(),
            identity: Identity {
                manufacturer: Some("HIKVISION".into()),
                model: Some("DS-2CD2143G2-I".into()),
                serial_number: Some("DS-2CD2143G2-I20230101AAWRJ12345678".into()),
                ..Default::default()
            },
            network: Network {
                interfaces: vec![NetworkInterface {
                    token: "eth0".into(),
                    enabled: true,
                    mac: Some("c0:56:e3:12:34:56".into()),
                    ipv4: Some(Ipv4Config {
                        enabled: true,
                        dhcp: false,
                        address: Some(address.into()),
                        prefix_length: Some(prefix),
                    }),
                    ..Default::default()
                }],
                default_gateway: vec![gateway.into()],
                hostname: Some(Hostname {
                    name: Some(hostname.into()),
                    from_dhcp: false,
                }),
                ..Default::default()
            },
            scopes: vec![
                Scope {
                    uri: "onvif://www.onvif.org/location/site/north".into(),
                    fixed: false,
                },
                Scope {
                    uri: "onvif://www.onvif.org/location/building/A".into(),
                    fixed: false,
                },
            ],
            ..Default::default()
        }
    }

    fn step(
        s: &DeviceSnapshot,
        opts: &PlanOptions,
        n: &mut u32,
    ) -> (Step, Vec<String>, Vec<String>) {
        let (mut warnings, mut errors) = (Vec::new(), Vec::new());
        let ctx = NetworkContext {
            options: opts,
            templated: n,
        };
        let st = network_step(s, ctx, &mut warnings, &mut errors);
        (st, warnings, errors)
    }

    /// Issue 13 item 7: the demo planned 127.0.5.5/24 with gateway 192.168.1.1 silently.
    /// 127.0.5.5/24 is 127.0.5.0..127.0.5.255; 192.168.1.1 is not in it. 10.20.0.14/24 and
    /// 10.20.0.1 share 10.20.0.0/24; 10.20.1.1 is in 10.20.0.0/23 (10.20.0.0..10.20.1.255).
    #[test]
    fn a_gateway_outside_the_subnet_is_an_error_on_that_camera() {
        let opts = PlanOptions::default();
        let (_, _, errors) = step(
            &manual("127.0.5.5", 24, "192.168.1.1", "lobby"),
            &opts,
            &mut 0,
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0]
                .contains("gateway 192.168.1.1 is outside 127.0.5.5/24 (network 127.0.5.0/24)"),
            "{errors:?}"
        );
        let (_, _, errors) = step(
            &manual("10.20.0.14", 24, "10.20.0.1", "lobby"),
            &opts,
            &mut 0,
        );
        assert!(errors.is_empty(), "{errors:?}");
        let (_, _, errors) = step(
            &manual("10.20.0.14", 23, "10.20.1.1", "lobby"),
            &opts,
            &mut 0,
        );
        assert!(errors.is_empty(), "{errors:?}");
        let (_, _, errors) = step(
            &manual("10.20.0.14", 24, "10.20.1.1", "lobby"),
            &opts,
            &mut 0,
        );
        assert_eq!(errors.len(), 1);
    }

    /// Issue 13 item 7: `IPCamera` (Hikvision's factory hostname, hikvision-ds2cd2143g2 persona)
    /// was carried as if it were the camera's name.
    #[test]
    fn factory_hostnames_are_named_from_the_template_or_kept_with_a_warning() {
        let hostname_of = |st: &Step| match st {
            Step::SetNetwork { hostname, .. } => hostname.clone(),
            _ => panic!("not a network step"),
        };
        let s = manual("10.20.0.11", 24, "10.20.0.1", "IPCamera");
        let (st, warnings, errors) = step(&s, &PlanOptions::default(), &mut 0);
        assert_eq!(hostname_of(&st).as_deref(), Some("IPCamera"));
        assert!(errors.is_empty());
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("hostname IPCamera is a vendor's factory hostname")),
            "{warnings:?}"
        );

        let opts = PlanOptions {
            hostname_template: Some("{site}-{location}-{n}".into()),
            ..PlanOptions::default()
        };
        let mut n = 0;
        let (st, warnings, _) = step(&s, &opts, &mut n);
        assert_eq!(hostname_of(&st).as_deref(), Some("north-a-1"));
        assert!(warnings.is_empty(), "{warnings:?}");
        // The serial, and the MAC's last six digits, are factory names too; the count goes on.
        let serial = manual(
            "10.20.0.12",
            24,
            "10.20.0.1",
            "DS-2CD2143G2-I20230101AAWRJ12345678",
        );
        assert_eq!(
            hostname_of(&step(&serial, &opts, &mut n).0).as_deref(),
            Some("north-a-2")
        );
        let mac = manual("10.20.0.13", 24, "10.20.0.1", "cam-123456");
        assert_eq!(
            hostname_of(&step(&mac, &opts, &mut n).0).as_deref(),
            Some("north-a-3")
        );
        // A name someone chose is carried as it is, template or not.
        let chosen = manual("10.20.0.14", 24, "10.20.0.1", "road-ptz");
        let (st, warnings, _) = step(&chosen, &opts, &mut n);
        assert_eq!(hostname_of(&st).as_deref(), Some("road-ptz"));
        assert!(warnings.is_empty());
        assert_eq!(n, 3);
        assert!(factory_hostname("lobby-cam-1", &chosen).is_none());
        // A placeholder the camera cannot fill is an error on it.
        let mut bare = manual("10.20.0.15", 24, "10.20.0.1", "IPC");
        bare.scopes.clear();
        let (_, _, errors) = step(&bare, &opts, &mut n);
        assert!(
            errors.iter().any(|e| e.contains("no location/site scope")),
            "{errors:?}"
        );
        assert!(
            check_hostname_template("{site}-{room}")
                .unwrap_err()
                .contains("{room}")
        );
    }

    /// Issue 13 item 7: SetNTP alone does not switch a camera to NTP; GetSystemDateAndTime
    /// says NTP, the zone and DST, and they travel together.
    #[test]
    fn clock_mode_zone_and_dst_are_carried_next_to_ntp() {
        use crate::model::{Ntp, TimeSettings};
        let mut s = manual("10.20.0.11", 24, "10.20.0.1", "lobby");
        s.network.ntp = Some(Ntp {
            from_dhcp: false,
            servers: vec!["10.20.0.3".into()],
        });
        s.network.time = Some(TimeSettings {
            date_time_type: Some("NTP".into()),
            tz: Some("CET-1CEST,M3.5.0,M10.5.0/3".into()),
            daylight_savings: Some(true),
        });
        let (mut steps, mut warnings) = (Vec::new(), Vec::new());
        identity_steps(&s, &mut steps, &mut warnings);
        let ntp = steps
            .iter()
            .position(|x| matches!(x, Step::SetNtp { .. }))
            .unwrap();
        assert_eq!(
            steps[ntp + 1],
            Step::SetDateTime {
                date_time_type: Some("NTP".into()),
                tz: Some("CET-1CEST,M3.5.0,M10.5.0/3".into()),
                daylight_savings: true,
            }
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        s.network.time = None;
        let (mut steps, mut warnings) = (Vec::new(), Vec::new());
        identity_steps(&s, &mut steps, &mut warnings);
        assert!(!steps.iter().any(|x| matches!(x, Step::SetDateTime { .. })));
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("SetNTP alone does not switch"))
        );
    }
}
