//! `camswap inventory`: reads every device into `inventory.json`.
//!
//! Inputs: a `devices.json` from `camswap discover`, `--xaddr URL` (repeatable), or
//! `--discover`. Output: the inventory as JSON (stdout or `-o`), or with `--format table` a
//! one-line-per-device summary; for a single device the table is its identity, network and
//! users. Exit 0 when every device was read fully, 6 when some reads failed, 1 when no device
//! could be reached, 2 for bad input.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::output::emit;
use super::progress::Progress;
use super::{CliError, Format, Global, Outcome, TableOrJson};
use crate::credentials::Credentials;
use crate::discovery;
use crate::inventory::reader::{self, ReadOptions, Target};
use crate::inventory::{Inventory, read_all};
use crate::model::DeviceSnapshot;
use crate::soap::AuthMode;
use crate::text::table;

/// Arguments of `camswap inventory`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format (default: table on a terminal, json otherwise; JSON schema:
    /// tests/schemas/camswap.inventory.v1.schema.json).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<TableOrJson>,
    /// devices.json written by `camswap discover`.
    #[arg(value_name = "DEVICES_JSON")]
    pub devices: Option<PathBuf>,
    /// Read the device whose device service is at URL (or HOST, or HOST:PORT); repeatable.
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
    /// Trust device certificates signed by the CA(s) in this PEM file (the site CA), besides
    /// the public roots.
    #[arg(long = "ca-cert", value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Trust a device's certificate the first time it is seen and record its SHA-256 in
    /// inventory.json; later runs (reading pins from --pins, or from the -o file when it
    /// exists) require the same certificate.
    #[arg(long)]
    pub pin_on_first_use: bool,
    /// An earlier inventory.json whose recorded certificates devices must present.
    #[arg(long, value_name = "INVENTORY_JSON")]
    pub pins: Option<PathBuf>,
    /// Do not check device certificates at all (a warning is printed on every run).
    #[arg(long)]
    pub insecure: bool,
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
    let mut opts = options(&args)?;
    tls_options(&args, g, &mut opts)?;
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
        addresses.push(Address::given(device_url(x)?));
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
    let bar = Progress::new(g, targets.len(), "reading devices");
    let mut devices = read_all(&targets, &opts, &|done, _| bar.set(done)).await;
    bar.finish();
    reread_by_serial(&mut devices, &targets, &credentials, &opts).await;
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

    // The messages come before the result: on a terminal the table is the last thing shown,
    // not followed by lines that read as more of its rows. Said even with --quiet: an
    // impostor or a NAT'd address is a finding, not chatter.
    for c in &inventory.conflicts {
        eprintln!(
            "warning: {} is claimed by {} addresses ({}): one of them is not that device",
            c.claim,
            c.addresses.len(),
            c.addresses.join(", ")
        );
    }
    for d in &inventory.devices {
        if !d.observed.reported_ipv4_elsewhere.is_empty() {
            eprintln!(
                "warning: {} reports its address as {}, not the address it was reached at",
                address(&d.xaddr),
                d.observed.reported_ipv4_elsewhere.join(", ")
            );
        }
    }

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
    // Which devices failed and why: errors, so shown even with --quiet.
    for line in failures(&inventory.devices, MAX_FAILURE_LINES) {
        eprintln!("{line}");
    }
    emit(g, &text)?;
    if unreachable == total {
        return Err(CliError::runtime(format!(
            "none of the {total} device{} could be reached",
            if total == 1 { "" } else { "s" }
        )));
    }
    // "Partial" promises that some devices were read; a run where every device refused us
    // or failed its identity read is a failure, whatever the mix of reasons.
    let not_read = inventory.devices.iter().filter(|d| not_read(d)).count();
    if not_read == total {
        return Err(CliError::runtime(format!(
            "none of the {total} device{} could be read ({unreachable} unreachable, {} refused or failed their identity read); inventory.json lists each device's errors",
            if total == 1 { "" } else { "s" },
            total - unreachable
        )));
    }
    Ok(if with_errors > 0 {
        Outcome::Partial
    } else {
        Outcome::Success
    })
}

/// Devices named one by one on stderr when their read failed; past that, a count (the
/// inventory has every device's errors).
const MAX_FAILURE_LINES: usize = 20;

/// One line per device whose read failed, the first `max` of them: its address, the first
/// failed operation and why (the first failure is the cause; what was skipped after it is
/// counted), then how many more devices failed.
fn failures(devices: &[DeviceSnapshot], max: usize) -> Vec<String> {
    let failed: Vec<&DeviceSnapshot> = devices.iter().filter(|d| !d.errors.is_empty()).collect();
    let mut lines: Vec<String> = failed
        .iter()
        .take(max)
        .map(|d| {
            let first = &d.errors[0];
            // The SOAP layer names the device by its URL; the line already starts with it.
            let reason = first
                .reason
                .strip_prefix(&format!("{}: ", d.xaddr))
                .unwrap_or(&first.reason);
            let more = match d.errors.len() - 1 {
                0 => String::new(),
                1 => " (and 1 more error)".to_owned(),
                n => format!(" (and {n} more errors)"),
            };
            format!(
                "  {}: {} failed: {reason}{more}",
                address(&d.xaddr),
                first.operation
            )
        })
        .collect();
    if failed.len() > max {
        let rest = failed.len() - max;
        lines.push(format!(
            "  ... and {rest} more device{} with errors (each device's `errors` in the inventory says why)",
            if rest == 1 { "" } else { "s" }
        ));
    }
    lines
}

/// Applies `[[device]] match = "serial:..."` entries, which cannot be matched before the
/// serial is known: a device whose reported serial selects a login other than the one it was
/// read with is read again with that login (see the credentials module for why this order,
/// and what it cannot do).
async fn reread_by_serial(
    devices: &mut [DeviceSnapshot],
    targets: &[Target],
    credentials: &Credentials,
    opts: &ReadOptions,
) {
    let mut again = Vec::new();
    for d in devices.iter() {
        let Some(serial) = d.id.strip_prefix("serial:") else {
            continue;
        };
        let Some(t) = targets.iter().find(|t| t.xaddr == d.xaddr) else {
            continue;
        };
        let endpoint = t.endpoint.as_ref().map(|e| format!("endpoint:{e}"));
        let serial_id = format!("serial:{serial}");
        let mut ids = vec![serial_id.as_str()];
        ids.extend(endpoint.as_deref());
        let login = credentials.for_ids(t.ip(), &ids);
        if login != t.login.as_ref() {
            tracing::info!(
                device = %t.xaddr,
                "reported serial {serial} selects other credentials; reading it again with them"
            );
            again.push(Target {
                login: login.cloned(),
                ..t.clone()
            });
        }
    }
    if again.is_empty() {
        return;
    }
    let reread = read_all(&again, opts, &|_, _| {}).await;
    for r in reread {
        if let Some(slot) = devices.iter_mut().find(|d| d.xaddr == r.xaddr) {
            *slot = r;
        }
    }
    // The order read_all gives: by id, then address.
    devices.sort_by(|a, b| (&a.id, &a.xaddr).cmp(&(&b.id, &b.xaddr)));
}

/// Nothing useful was read: unreachable, or the first authenticated read (the identity,
/// without which the device cannot even be named or audited) failed.
fn not_read(d: &DeviceSnapshot) -> bool {
    reader::unreachable(d)
        || d.errors
            .iter()
            .any(|e| e.operation == "device.GetDeviceInformation")
}

/// `--ca-cert`, `--pin-on-first-use`, `--pins` and `--insecure` into the read options.
fn tls_options(args: &Args, g: &Global, opts: &mut ReadOptions) -> Result<(), CliError> {
    if args.insecure {
        // Every run, even with --quiet: this is the setting that lets anyone in between read
        // the credentials.
        eprintln!(
            "warning: --insecure: device TLS certificates are not checked; anyone on the network path can impersonate a device and read the credentials sent to it"
        );
        opts.tls.insecure = true;
    }
    if let Some(path) = &args.ca_cert {
        opts.tls.ca_certs = crate::soap::tls::read_ca_file(path).map_err(CliError::input)?;
    }
    opts.tls.pin_on_first_use = args.pin_on_first_use;
    let pins_file = match (&args.pins, &g.output) {
        (Some(p), _) => Some(p.clone()),
        (None, Some(out)) if args.pin_on_first_use && out.is_file() => Some(out.clone()),
        _ => None,
    };
    if let Some(path) = pins_file {
        let earlier = Inventory::load(&path).map_err(CliError::input)?;
        opts.pins = pins(&earlier);
        tracing::info!(file = %path.display(), pins = opts.pins.len(), "certificate pins loaded");
    }
    Ok(())
}

/// The certificate pins an inventory recorded, by origin (`https://host:port`).
pub fn pins(inventory: &Inventory) -> std::collections::BTreeMap<String, String> {
    inventory
        .devices
        .iter()
        .filter_map(|d| {
            let sha = d.observed.certificate_sha256.clone()?;
            let origin = crate::model::Origin::of(&d.xaddr).ok()?;
            Some((origin.to_string(), sha))
        })
        .collect()
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
fn read_devices_file(path: &Path) -> Result<(Vec<Address>, Vec<discovery::Device>), CliError> {
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
            .find(|s| chosen.is_some_and(|x| crate::model::redact_uri(x) == s.xaddr))
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
/// an address, are skipped with a warning. A device whose endpoint another address claims too
/// keeps its address but loses its endpoint as a credentials key (see [`Address`]).
fn addresses_of(devices: Vec<discovery::Device>, origin: &str) -> Vec<Address> {
    let mut out = Vec::new();
    for d in devices {
        if d.left() {
            tracing::warn!(%origin, endpoint = %d.endpoint, "device said Bye; skipped");
            continue;
        }
        let contested = d.contested();
        let chosen = d
            .xaddr
            .filter(|x| !x.trim().is_empty())
            .or_else(|| d.xaddrs.into_iter().find(|x| !x.trim().is_empty()));
        match chosen {
            Some(x) => out.push(Address {
                xaddr: x.trim().to_owned(),
                endpoint: Some(d.endpoint),
                contested,
            }),
            None => tracing::warn!(
                %origin,
                endpoint = %d.endpoint,
                "device without an address skipped"
            ),
        }
    }
    out
}

/// One device to read, before its login is chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Address {
    xaddr: String,
    endpoint: Option<String>,
    /// Another address answered for the same endpoint: credentials matched by the endpoint
    /// are not sent here (one of the two is an impostor, and could relay them).
    contested: bool,
}

impl Address {
    fn given(xaddr: String) -> Self {
        Self {
            xaddr,
            endpoint: None,
            contested: false,
        }
    }
}

/// A device service URL from `--xaddr`: a URL as given, or `HOST[:PORT]` made into
/// `http://HOST[:PORT]/onvif/device_service`. Empty and host-less addresses are refused: the
/// URL standard reads `http:///onvif/device_service` as the host `onvif`, which would be
/// looked up in DNS and sent the credentials.
fn device_url(s: &str) -> Result<String, CliError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(CliError::input(
            "--xaddr is empty: give the device's http(s) URL or HOST[:PORT]",
        ));
    }
    let url = if s.contains("://") {
        s.to_owned()
    } else {
        format!("http://{s}/onvif/device_service")
    };
    match crate::model::http_url(&url) {
        // A password on the command line shows in `ps` and shell history, and reqwest would
        // send it as HTTP Basic: refuse it and point at the credentials file.
        Ok(u) if !u.username().is_empty() || u.password().is_some() => {
            Err(CliError::input(format!(
                "--xaddr {:?} carries a user name or password; put credentials in --credentials FILE instead",
                crate::model::redact_uri(s)
            )))
        }
        Ok(_) => Ok(url),
        Err(e) => Err(CliError::input(format!(
            "--xaddr {:?} is not an http(s) URL or HOST[:PORT]: {e}",
            crate::model::redact_uri(s)
        ))),
    }
}

/// Targets with their logins, each address once.
fn targets(addresses: Vec<Address>, credentials: &Credentials) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::new();
    for a in addresses {
        if out.iter().any(|t| t.xaddr == a.xaddr) {
            continue;
        }
        let mut t = Target {
            xaddr: a.xaddr,
            endpoint: a.endpoint,
            login: None,
        };
        let id = t.endpoint.as_ref().map(|e| format!("endpoint:{e}"));
        let by_address = credentials.for_device(t.ip(), None);
        let login = credentials.for_device(t.ip(), id.as_deref());
        t.login = if a.contested && login != by_address {
            tracing::warn!(
                device = %t.xaddr,
                endpoint = t.endpoint.as_deref().unwrap_or_default(),
                "another address claims this endpoint: its endpoint-matched credentials are not sent"
            );
            by_address.cloned()
        } else {
            login.cloned()
        };
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
                crate::planner::requirements::presets_in_use(d)
                    .map_or("-".to_owned(), |(used, _)| used.to_string()),
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
    if !d.observed.contested.is_empty() {
        fields.push(("also claimed elsewhere", d.observed.contested.join(", ")));
    }
    if !d.observed.reported_ipv4_elsewhere.is_empty() {
        fields.push((
            "reports address",
            d.observed.reported_ipv4_elsewhere.join(", "),
        ));
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
    let channels = d.channels();
    if channels.len() > 1 {
        let names: Vec<String> = channels
            .iter()
            .map(crate::model::ChannelName::label)
            .collect();
        fields.push((
            "channels",
            format!("{}: {}", channels.len(), names.join(", ")),
        ));
    }
    if let Some((used, slots)) = crate::planner::requirements::presets_in_use(d) {
        fields.push(("presets", format!("{used} in use ({slots} slots listed)")));
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

    fn failed(xaddr: &str, errors: &[(&str, &str)]) -> DeviceSnapshot {
        DeviceSnapshot {
            xaddr: xaddr.to_owned(),
            errors: errors
                .iter()
                .map(|(operation, reason)| ReadError {
                    operation: (*operation).to_owned(),
                    reason: (*reason).to_owned(),
                })
                .collect(),
            ..DeviceSnapshot::default()
        }
    }

    #[test]
    fn each_failed_device_gets_one_line_with_its_first_failure() {
        let url = "http://127.0.3.1:8080/onvif/device_service";
        let devices = [
            failed(
                url,
                &[
                    (
                        "device.GetDeviceInformation",
                        &format!("{url}: not authorized at {url}: credentials refused"),
                    ),
                    ("inventory.skipped", "the remaining reads were skipped"),
                ],
            ),
            failed("http://127.0.3.2/onvif/device_service", &[]),
            failed(
                "http://127.0.3.3/onvif/device_service",
                &[("ptz.GetPresets", "ter:ActionNotSupported")],
            ),
        ];
        assert_eq!(
            failures(&devices, 20),
            [
                format!(
                    "  127.0.3.1:8080: device.GetDeviceInformation failed: not authorized at {url}: credentials refused (and 1 more error)"
                ),
                "  127.0.3.3: ptz.GetPresets failed: ter:ActionNotSupported".to_owned(),
            ]
        );
    }

    #[test]
    fn failure_lines_are_capped_with_a_count_of_the_rest() {
        let devices: Vec<DeviceSnapshot> = (1..=5)
            .map(|i| {
                failed(
                    &format!("http://127.0.3.{i}/onvif/device_service"),
                    &[("device.GetSystemDateAndTime", "connection refused")],
                )
            })
            .collect();
        let lines = failures(&devices, 3);
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert!(lines[2].starts_with("  127.0.3.3: "), "{lines:?}");
        assert!(
            lines[3].starts_with("  ... and 2 more devices with errors"),
            "{lines:?}"
        );
    }

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
                contested_by: vec![],
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
        let got: Vec<(String, Option<String>)> =
            got.into_iter().map(|a| (a.xaddr, a.endpoint)).collect();
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
                Address::given("http://127.0.9.4/onvif/device_service".into()),
                Address::given("http://127.0.1.1/onvif/device_service".into()),
                Address::given("http://127.0.9.4/onvif/device_service".into()),
            ],
            &creds,
        );
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].login.as_ref().unwrap().username, "onvif");
        assert_eq!(t[1].login.as_ref().unwrap().username, "admin");
    }

    /// Issue 10 item 4: credentials matched by an endpoint that two addresses claim go to
    /// neither; those matched by address still do.
    #[test]
    fn spoofed_discovery_gets_no_endpoint_matched_credentials() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("credentials.toml");
        std::fs::write(
            &p,
            "[[device]]\nmatch = \"endpoint:urn:uuid:x\"\nusername = \"admin\"\npassword_env = \"A\"\n[[device]]\nmatch = \"127.0.9.7\"\nusername = \"site\"\npassword_env = \"B\"\n",
        )
        .unwrap();
        let creds = Credentials::load_with_env(&p, &|k| Some(format!("pw-{k}"))).unwrap();
        let at = |host: &str, contested| Address {
            xaddr: format!("http://{host}/onvif/device_service"),
            endpoint: Some("urn:uuid:x".into()),
            contested,
        };
        let t = targets(
            vec![
                at("127.0.9.5", false),
                at("127.0.9.6", true),
                at("127.0.9.7", true),
            ],
            &creds,
        );
        assert_eq!(t[0].login.as_ref().unwrap().username, "admin");
        assert_eq!(t[1].login, None);
        assert_eq!(t[2].login.as_ref().unwrap().username, "site");
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
            ca_cert: None,
            pin_on_first_use: false,
            pins: None,
            insecure: false,
            format: None,
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

    // Issue 10 item 7: what a device reports is shown, never run, in both inventory tables.
    #[test]
    fn terminal_control_characters_in_the_inventory_tables_are_escaped() {
        let mut d = DeviceSnapshot {
            id: "serial:\u{1b}]2;owned\u{7}".into(),
            xaddr: "http://127.0.1.1/onvif/device_service".into(),
            ..Default::default()
        };
        d.identity.manufacturer = Some("HIK\u{1b}[2J\u{1b}[H".into());
        d.identity.model = Some("cam\u{202e}4pm.exe".into());
        d.users.push(User {
            username: "ad\u{1b}[8mmin".into(),
            level: "Administrator".into(),
        });
        d.errors.push(ReadError {
            operation: "device.GetNTP".into(),
            reason: "fault: \u{1b}[31mnope\nforged line".into(),
        });
        for text in [summary(std::slice::from_ref(&d)), device_view(&d)] {
            assert!(
                !text
                    .chars()
                    .any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'),
                "{text:?}"
            );
            assert!(text.contains("HIK\\u{1b}[2J\\u{1b}[H"), "{text}");
            assert!(text.contains("serial:\\u{1b}]2;owned\\u{7}"), "{text}");
        }
        let v = device_view(&d);
        assert!(v.contains("nope\\u{a}forged line"), "{v}");
        assert!(v.contains("cam\\u{202e}4pm.exe"), "{v}");
    }
}
