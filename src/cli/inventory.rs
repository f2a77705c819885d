//! `camswap inventory`: reads every device into `inventory.json`.
//!
//! Inputs: a `devices.json` from `camswap discover`, `--xaddr URL` (repeatable), or
//! `--discover`. Output: the inventory as JSON (stdout or `-o`), or with `--format table` a
//! one-line-per-device summary; for a single device the table is its identity, network and
//! users. Exit 0 when every device was read fully, 6 when some reads failed, 1 when no device
//! could be reached, 2 for bad input.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use super::output::{emit, table};
use super::{CliError, Format, Global, Outcome};
use crate::credentials::Credentials;
use crate::discovery;
use crate::inventory::reader::{self, ReadOptions, Target};
use crate::inventory::{Inventory, read_all};
use crate::model::DeviceSnapshot;
use crate::soap::AuthMode;

/// Arguments of `camswap inventory`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// devices.json written by `camswap discover`.
    #[arg(value_name = "DEVICES_JSON")]
    pub devices: Option<PathBuf>,
    /// Read the device whose device service is at URL (or HOST[:PORT]); repeatable.
    #[arg(long = "xaddr", value_name = "URL")]
    pub xaddrs: Vec<String>,
    /// Run WS-Discovery first and read every device it finds.
    #[arg(long)]
    pub discover: bool,
    /// credentials.toml: who to log in as, per device (by IP, CIDR or id) or by default.
    #[arg(long, value_name = "FILE")]
    pub credentials: Option<PathBuf>,
    /// Devices read at the same time.
    #[arg(long, value_name = "N", default_value_t = 32)]
    pub concurrency: usize,
    /// Per-request timeout, seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub timeout: f64,
    /// Budget for one whole device, seconds; what was read by then is kept.
    #[arg(long, value_name = "SECS", default_value_t = 120.0)]
    pub device_timeout: f64,
    /// How to authenticate.
    #[arg(long, value_enum, default_value_t = Auth::Auto)]
    pub auth: Auth,
}

/// `--auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Auth {
    /// WS-UsernameToken, and HTTP Digest when the device asks for it.
    Auto,
    /// HTTP Digest only.
    Digest,
    /// WS-UsernameToken only.
    Wsse,
    /// Both on every request.
    Both,
    /// No credentials.
    None,
}

impl From<Auth> for AuthMode {
    fn from(a: Auth) -> Self {
        match a {
            Auth::Auto => Self::Auto,
            Auth::Digest => Self::Digest,
            Auth::Wsse => Self::UsernameToken,
            Auth::Both => Self::Both,
            Auth::None => Self::None,
        }
    }
}

/// Runs `camswap inventory`.
pub async fn run(args: Args, g: &Global) -> Result<Outcome, CliError> {
    let opts = options(&args)?;
    let credentials = match &args.credentials {
        Some(path) => Credentials::load(path).map_err(CliError::input)?,
        None => Credentials::none(),
    };
    let mut addresses = Vec::new();
    // What discovery heard, kept on each device's record (the audit's evidence without a login).
    let mut heard: Vec<discovery::Device> = Vec::new();
    if let Some(path) = &args.devices {
        let (listed, devices) = read_devices_file(path)?;
        heard.extend(devices);
        addresses.extend(listed);
    }
    for x in &args.xaddrs {
        addresses.push((device_url(x)?, None));
    }
    if args.discover {
        let found = discover().await?;
        heard.extend(found.iter().cloned());
        addresses.extend(addresses_of(found, "discovery"));
    }
    if args.devices.is_none() && args.xaddrs.is_empty() && !args.discover {
        return Err(CliError::input(
            "nothing to read: give a devices.json, --xaddr URL or --discover",
        ));
    }
    let targets = targets(addresses, &credentials);
    let onvif_off = onvif_off_snapshots(&heard);
    if targets.is_empty() && onvif_off.is_empty() {
        return Err(CliError::input("no device to read: the input lists none"));
    }

    let taken_at = chrono::Utc::now();
    let show_progress = g.progress();
    let progress = |done: usize, total: usize| {
        if show_progress {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\rreading devices: {done}/{total}");
            if done == total {
                let _ = writeln!(err);
            }
            let _ = err.flush();
        }
    };
    let mut devices = read_all(&targets, &opts, &progress).await;
    attach_discovery(&mut devices, &heard);
    devices.extend(onvif_off);
    devices.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.xaddr.cmp(&b.xaddr)));
    let mut inventory = Inventory::new(devices);
    // When the read started: a device read later is still as of this time or after.
    inventory.taken_at = Some(taken_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));

    let text = match g.format_or_default() {
        Format::Json => inventory.to_json(),
        Format::Table if inventory.devices.len() == 1 => device_view(&inventory.devices[0]),
        Format::Table => summary(&inventory.devices),
        other => {
            return Err(CliError::input(format!(
                "camswap inventory writes json or table, not {other:?}"
            )));
        }
    };
    emit(g, &text)?;

    let total = inventory.devices.len();
    let unreachable = inventory
        .devices
        .iter()
        .filter(|d| reader::unreachable(d))
        .count();
    let with_errors = inventory
        .devices
        .iter()
        .filter(|d| !d.errors.is_empty())
        .count();
    if !g.quiet {
        eprintln!(
            "read {total} device{}: {} complete, {} with errors, {unreachable} unreachable",
            if total == 1 { "" } else { "s" },
            total - with_errors,
            with_errors - unreachable,
        );
    }
    if unreachable == total {
        return Err(CliError::runtime(format!(
            "none of the {total} device{} could be reached",
            if total == 1 { "" } else { "s" }
        )));
    }
    Ok(if with_errors > 0 {
        Outcome::Partial
    } else {
        Outcome::Success
    })
}

/// The validated read options.
fn options(args: &Args) -> Result<ReadOptions, CliError> {
    let secs = |v: f64, flag: &str| {
        if v.is_finite() && v > 0.0 && v <= 86_400.0 {
            Ok(Duration::from_secs_f64(v))
        } else {
            Err(CliError::input(format!(
                "{flag} must be a number of seconds above 0 (and at most a day), not {v}"
            )))
        }
    };
    if args.concurrency == 0 {
        return Err(CliError::input("--concurrency must be at least 1"));
    }
    Ok(ReadOptions {
        timeout: secs(args.timeout, "--timeout")?,
        device_timeout: secs(args.device_timeout, "--device-timeout")?,
        auth: args.auth.into(),
        concurrency: args.concurrency,
        ..ReadOptions::default()
    })
}

/// `--discover`: WS-Discovery with its defaults (multicast on every IPv4 interface, the
/// default listening window), each device's chosen address.
async fn discover() -> Result<Vec<discovery::Device>, CliError> {
    let found = discovery::discover(&discovery::Settings::default())
        .await
        .map_err(CliError::runtime)?;
    if found.devices.is_empty() {
        return Err(CliError::runtime(
            "discovery found no ONVIF device (multicast does not cross VLANs: try `camswap discover --cidr` and pass its devices.json)",
        ));
    }
    Ok(found.devices)
}

/// `(xaddr, endpoint)` of every device in a devices.json written by `camswap discover`, and
/// the records themselves.
type Listed = (Vec<(String, Option<String>)>, Vec<discovery::Device>);

fn read_devices_file(path: &std::path::Path) -> Result<Listed, CliError> {
    let file = discovery::read_devices(path).map_err(CliError::input)?;
    let listed = addresses_of(file.devices.clone(), &path.display().to_string());
    Ok((listed, file.devices))
}

/// Operation recorded on a device found only by its vendor's discovery protocol.
pub const ONVIF_OFF: &str = "inventory.onvif_off";

/// A record for each device found only by SADP or DHIP: what its answer says, and why nothing
/// else was read. ONVIF must be enabled on it (or it must be read by hand) before a migration.
fn onvif_off_snapshots(heard: &[discovery::Device]) -> Vec<DeviceSnapshot> {
    heard
        .iter()
        .filter(|d| discovery::vendor::onvif_off(d))
        .map(|d| {
            let first = &d.vendor[0];
            let host = first.ipv4.clone().unwrap_or_else(|| d.from.to_string());
            let xaddr = match first.http_port {
                Some(p) if p != 80 => format!("http://{host}:{p}/"),
                _ => format!("http://{host}/"),
            };
            let protocols: Vec<&str> = d
                .vendor
                .iter()
                .filter_map(|a| a.protocol.map(|p| p.name()))
                .collect();
            let mut s = DeviceSnapshot {
                xaddr,
                ..DeviceSnapshot::default()
            };
            s.unauthenticated.vendor_discovery = d.vendor.clone();
            s.errors.push(crate::model::ReadError {
                operation: ONVIF_OFF.to_owned(),
                reason: format!(
                    "ONVIF is off: found only by {} (model, serial, MAC and firmware from its answer); enable ONVIF on the device, or read it by hand, before it can be migrated",
                    protocols.join(" and ")
                ),
            });
            s.id = s.stable_id();
            s.seal();
            s
        })
        .collect()
}

/// Keeps the discovery record (endpoint, types, scopes, XAddrs, sender) on the snapshot of the
/// device read at that record's address.
fn attach_discovery(devices: &mut [DeviceSnapshot], heard: &[discovery::Device]) {
    for d in heard {
        let chosen = d
            .xaddr
            .as_deref()
            .or_else(|| d.xaddrs.first().map(String::as_str))
            .map(str::trim);
        let Some(snap) = devices
            .iter_mut()
            .find(|s| chosen.is_some_and(|x| crate::model::strip_userinfo(x) == s.xaddr))
        else {
            continue;
        };
        snap.unauthenticated.vendor_discovery = d.vendor.clone();
        snap.unauthenticated.discovery = Some(crate::model::Discovered {
            endpoint: Some(d.endpoint.clone()),
            types: d.types.clone(),
            scopes: d.scopes.clone(),
            xaddrs: d.xaddrs.clone(),
            from: Some(d.from.to_string()),
        });
    }
}

/// The address to read for each discovered device: the one discovery chose (its host is the
/// address the reply came from), else the first XAddr. Devices that said Bye, or never gave
/// an address, are skipped with a warning.
fn addresses_of(devices: Vec<discovery::Device>, origin: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for d in devices {
        if d.left() {
            tracing::warn!(%origin, endpoint = %d.endpoint, "device said Bye; skipped");
            continue;
        }
        let chosen = d
            .xaddr
            .filter(|x| !x.trim().is_empty())
            .or_else(|| d.xaddrs.into_iter().find(|x| !x.trim().is_empty()));
        match chosen {
            Some(x) => out.push((x.trim().to_owned(), Some(d.endpoint))),
            None => tracing::warn!(
                %origin,
                endpoint = %d.endpoint,
                "device without an address skipped"
            ),
        }
    }
    out
}

/// A device service URL from `--xaddr`: a URL as given, or `HOST[:PORT]` made into
/// `http://HOST[:PORT]/onvif/device_service`.
fn device_url(s: &str) -> Result<String, CliError> {
    let s = s.trim();
    let url = if s.contains("://") {
        s.to_owned()
    } else {
        format!("http://{s}/onvif/device_service")
    };
    match reqwest::Url::parse(&url) {
        // A password on the command line shows in `ps` and shell history, and reqwest would
        // send it as HTTP Basic: refuse it and point at the credentials file.
        Ok(u) if !u.username().is_empty() || u.password().is_some() => {
            Err(CliError::input(format!(
                "--xaddr {:?} carries a user name or password; put credentials in --credentials FILE instead",
                crate::model::strip_userinfo(s)
            )))
        }
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(url),
        _ => Err(CliError::input(format!(
            "--xaddr {:?} is not an http(s) URL or HOST[:PORT]",
            crate::model::strip_userinfo(s)
        ))),
    }
}

/// Targets with their logins, each address once.
fn targets(addresses: Vec<(String, Option<String>)>, credentials: &Credentials) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::new();
    for (xaddr, endpoint) in addresses {
        if out.iter().any(|t| t.xaddr == xaddr) {
            continue;
        }
        let mut t = Target {
            xaddr,
            endpoint,
            login: None,
        };
        let id = t.endpoint.as_ref().map(|e| format!("endpoint:{e}"));
        t.login = credentials.for_device(t.ip(), id.as_deref()).cloned();
        out.push(t);
    }
    out
}

/// The host (and port) of an xaddr, for tables.
fn address(xaddr: &str) -> String {
    reqwest::Url::parse(xaddr)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_owned(),
            })
        })
        .unwrap_or_else(|| xaddr.to_owned())
}

fn or_dash(v: Option<&str>) -> String {
    v.filter(|s| !s.is_empty()).unwrap_or("-").to_owned()
}

/// One line per device.
fn summary(devices: &[DeviceSnapshot]) -> String {
    let rows: Vec<Vec<String>> = devices
        .iter()
        .map(|d| {
            vec![
                d.id.clone(),
                address(&d.xaddr),
                or_dash(d.identity.manufacturer.as_deref()),
                or_dash(d.identity.model.as_deref()),
                or_dash(d.identity.firmware_version.as_deref()),
                d.profiles.len().to_string(),
                d.ptz
                    .as_ref()
                    .map_or("-".to_owned(), |p| p.presets.len().to_string()),
                d.recording
                    .as_ref()
                    .map_or("-".to_owned(), |r| r.recordings.len().to_string()),
                d.errors.len().to_string(),
            ]
        })
        .collect();
    table(
        &[
            "ID",
            "ADDRESS",
            "MANUFACTURER",
            "MODEL",
            "FIRMWARE",
            "PROFILES",
            "PRESETS",
            "RECORDINGS",
            "ERRORS",
        ],
        &rows,
    )
}

/// One device: identity, network and users, then what else was read and what failed.
fn device_view(d: &DeviceSnapshot) -> String {
    let i = &d.identity;
    let n = &d.network;
    let mut fields = vec![
        ("id", d.id.clone()),
        ("xaddr", d.xaddr.clone()),
        ("manufacturer", or_dash(i.manufacturer.as_deref())),
        ("model", or_dash(i.model.as_deref())),
        ("firmware", or_dash(i.firmware_version.as_deref())),
        ("serial", or_dash(i.serial_number.as_deref())),
        ("hardware id", or_dash(i.hardware_id.as_deref())),
    ];
    if let Some(e) = &d.endpoint {
        fields.push(("endpoint", e.clone()));
    }
    if let Some(o) = d.observed.clock_offset_s {
        fields.push(("clock offset", format!("{o:+} s")));
    }
    fields.push((
        "hostname",
        match &n.hostname {
            Some(h) => format!(
                "{}{}",
                or_dash(h.name.as_deref()),
                if h.from_dhcp { " (DHCP)" } else { "" }
            ),
            None => "-".to_owned(),
        },
    ));
    fields.push(("gateway", list_or_dash(&n.default_gateway)));
    fields.push((
        "dns",
        match &n.dns {
            Some(dns) if dns.from_dhcp => format!("DHCP {}", list_or_dash(&dns.servers)),
            Some(dns) => list_or_dash(&dns.servers),
            None => "-".to_owned(),
        },
    ));
    fields.push((
        "ntp",
        match &n.ntp {
            Some(ntp) if ntp.from_dhcp => format!("DHCP {}", list_or_dash(&ntp.servers)),
            Some(ntp) => list_or_dash(&ntp.servers),
            None => "-".to_owned(),
        },
    ));
    fields.push(("profiles", d.profiles.len().to_string()));
    if let Some(p) = &d.ptz {
        fields.push(("presets", p.presets.len().to_string()));
    }
    if let Some(r) = &d.recording {
        fields.push((
            "recordings",
            format!("{} ({} jobs)", r.recordings.len(), r.jobs.len()),
        ));
    }
    let rows: Vec<Vec<String>> = fields
        .into_iter()
        .map(|(k, v)| vec![k.to_owned(), v])
        .collect();
    let mut out = table(&["FIELD", "VALUE"], &rows);

    out.push('\n');
    let interfaces: Vec<Vec<String>> = n
        .interfaces
        .iter()
        .map(|i| {
            let ip = i.ipv4.as_ref();
            vec![
                i.token.clone(),
                or_dash(i.mac.as_deref()),
                match ip.and_then(|v| v.address.as_deref()) {
                    Some(a) => match ip.and_then(|v| v.prefix_length) {
                        Some(p) => format!("{a}/{p}"),
                        None => a.to_owned(),
                    },
                    None => "-".to_owned(),
                },
                if ip.is_some_and(|v| v.dhcp) {
                    "yes"
                } else {
                    "no"
                }
                .to_owned(),
                if i.enabled { "yes" } else { "no" }.to_owned(),
            ]
        })
        .collect();
    out.push_str(&table(
        &["INTERFACE", "MAC", "IPV4", "DHCP", "ENABLED"],
        &interfaces,
    ));

    out.push('\n');
    let users: Vec<Vec<String>> = d
        .users
        .iter()
        .map(|u| vec![u.username.clone(), u.level.clone()])
        .collect();
    out.push_str(&table(&["USER", "LEVEL"], &users));

    if !d.errors.is_empty() {
        out.push('\n');
        let errors: Vec<Vec<String>> = d
            .errors
            .iter()
            .map(|e| vec![e.operation.clone(), e.reason.clone()])
            .collect();
        out.push_str(&table(&["FAILED READ", "REASON"], &errors));
    }
    out
}

fn list_or_dash(v: &[String]) -> String {
    if v.is_empty() {
        "-".to_owned()
    } else {
        v.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Hostname, Ipv4Config, NetworkInterface, ReadError, User};

    #[test]
    fn xaddr_accepts_urls_and_host_port() {
        assert_eq!(
            device_url("127.0.1.5:8080").unwrap(),
            "http://127.0.1.5:8080/onvif/device_service"
        );
        assert_eq!(
            device_url("https://cam.site/onvif/device_service").unwrap(),
            "https://cam.site/onvif/device_service"
        );
        for bad in [
            "rtsp://admin:secret@10.0.0.5/",
            "http://admin:secret@10.0.0.5/onvif/device_service",
        ] {
            let e = device_url(bad).unwrap_err();
            assert_eq!(e.code(), 2);
            assert!(!e.to_string().contains("secret"), "{e}");
        }
    }

    #[test]
    fn devices_file_takes_the_chosen_address_then_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("devices.json");
        let device =
            |endpoint: &str, xaddrs: &[&str], xaddr: Option<&str>, seen| discovery::Device {
                endpoint: endpoint.into(),
                xaddrs: xaddrs.iter().map(|x| (*x).to_owned()).collect(),
                scopes: vec![],
                types: vec![],
                from: "127.0.1.1".parse().unwrap(),
                metadata_version: Some(1),
                xaddr: xaddr.map(str::to_owned),
                xaddr_mismatch: vec![],
                seen: vec![seen],
                also_from: vec![],
                vendor: vec![],
            };
        discovery::write_devices(
            &p,
            &[
                device(
                    "urn:uuid:a",
                    &["http://192.168.1.64/onvif/device_service"],
                    Some("http://127.0.1.1/onvif/device_service"),
                    discovery::Seen::ProbeMatch,
                ),
                device(
                    "urn:uuid:b",
                    &[
                        "http://127.0.1.2/onvif/device_service",
                        "http://[fe80::1]/onvif/device_service",
                    ],
                    None,
                    discovery::Seen::Hello,
                ),
                device("urn:uuid:c", &[], None, discovery::Seen::ProbeMatch),
                device(
                    "urn:uuid:d",
                    &["http://127.0.1.4/onvif/device_service"],
                    None,
                    discovery::Seen::Bye,
                ),
            ],
        )
        .unwrap();
        let got = read_devices_file(&p).unwrap().0;
        assert_eq!(
            got,
            [
                (
                    "http://127.0.1.1/onvif/device_service".to_owned(),
                    Some("urn:uuid:a".to_owned())
                ),
                (
                    "http://127.0.1.2/onvif/device_service".to_owned(),
                    Some("urn:uuid:b".to_owned())
                ),
            ]
        );
        std::fs::write(&p, r#"{"format":"camswap.inventory","version":1}"#).unwrap();
        let e = read_devices_file(&p).unwrap_err();
        assert_eq!(e.code(), 2);
        assert!(e.to_string().contains("camswap.devices"), "{e}");
    }

    #[test]
    fn targets_are_deduplicated_and_get_their_login_by_ip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("credentials.toml");
        std::fs::write(
            &p,
            "[default]\nusername = \"admin\"\npassword_env = \"A\"\n[[device]]\nmatch = \"127.0.9.0/24\"\nusername = \"onvif\"\npassword_env = \"B\"\n",
        )
        .unwrap();
        let creds = Credentials::load_with_env(&p, &|k| Some(format!("pw-{k}"))).unwrap();
        let t = targets(
            vec![
                ("http://127.0.9.4/onvif/device_service".into(), None),
                ("http://127.0.1.1/onvif/device_service".into(), None),
                ("http://127.0.9.4/onvif/device_service".into(), None),
            ],
            &creds,
        );
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].login.as_ref().unwrap().username, "onvif");
        assert_eq!(t[1].login.as_ref().unwrap().username, "admin");
    }

    #[test]
    fn bad_numbers_are_input_errors() {
        let args = |timeout: f64, concurrency: usize| Args {
            devices: None,
            xaddrs: vec![],
            discover: false,
            credentials: None,
            concurrency,
            timeout,
            device_timeout: 60.0,
            auth: Auth::Auto,
        };
        assert_eq!(options(&args(0.0, 4)).unwrap_err().code(), 2);
        assert_eq!(options(&args(f64::NAN, 4)).unwrap_err().code(), 2);
        assert_eq!(options(&args(5.0, 0)).unwrap_err().code(), 2);
        let o = options(&args(2.5, 4)).unwrap();
        assert_eq!(o.timeout, Duration::from_millis(2500));
        assert_eq!(o.concurrency, 4);
    }

    #[test]
    fn single_device_view_shows_identity_network_users_and_failures() {
        let mut d = DeviceSnapshot {
            id: "serial:X1".into(),
            xaddr: "http://127.0.1.1/onvif/device_service".into(),
            ..Default::default()
        };
        d.identity.manufacturer = Some("HIKVISION".into());
        d.network.hostname = Some(Hostname {
            name: Some("cam-17".into()),
            from_dhcp: false,
        });
        d.network.interfaces.push(NetworkInterface {
            token: "eth0".into(),
            enabled: true,
            mac: Some("44:19:b6:00:00:01".into()),
            ipv4: Some(Ipv4Config {
                enabled: true,
                dhcp: false,
                address: Some("10.1.2.3".into()),
                prefix_length: Some(24),
            }),
            ..Default::default()
        });
        d.users.push(User {
            username: "admin".into(),
            level: "Administrator".into(),
        });
        d.errors.push(ReadError {
            operation: "device.GetNTP".into(),
            reason: "ter:ActionNotSupported".into(),
        });
        let v = device_view(&d);
        for needle in [
            "HIKVISION",
            "cam-17",
            "44:19:b6:00:00:01",
            "10.1.2.3/24",
            "Administrator",
            "device.GetNTP",
        ] {
            assert!(v.contains(needle), "{needle} missing in\n{v}");
        }
        let s = summary(&[d]);
        assert!(s.starts_with("ID"), "{s}");
        assert!(s.contains("127.0.1.1") && s.contains("HIKVISION"), "{s}");
    }
}
