//! Signals: every place in a snapshot that tells who made the camera, each turned into
//! [`Evidence`] naming the value seen, the policy rule it matched and how much it weighs.

use std::collections::BTreeSet;

use super::firmware::{parse_dahua, parse_hikvision};
use super::names::{contains_phrase, normalise, percent_decode};
use super::oui::{Mac, OuiTable};
use super::policy::{Company, FingerprintKind, FirmwareMatcher, Policy};
use super::{Evidence, Signal};
use crate::inventory::DeviceSnapshot;
use crate::model::VendorProtocol;

/// Weight of a manufacturer string naming a covered company or its own brand: the device
/// says so itself; only a deliberate spoof would be wrong.
pub const MANUFACTURER_WEIGHT: f64 = 0.95;
/// Weight of a fixed (vendor-set) name scope naming a covered company or brand.
pub const NAME_SCOPE_WEIGHT: f64 = 0.9;
/// Weight of an IEEE assignment to a covered company: NICs are the maker's, but a module
/// bought from elsewhere or a reused board would mislead.
pub const OUI_WEIGHT: f64 = 0.8;
/// Configurable scopes are set by the owner, not the vendor: their weight is scaled by this.
pub const CONFIGURABLE_SCOPE_FACTOR: f64 = 0.7;

const SCOPE_PREFIX: &str = "onvif://www.onvif.org/";

/// One company's rules as one policy defines them.
struct Def<'p> {
    policy: &'p Policy,
    company: &'p Company,
}

/// A value the device gave, with where it came from when that was not the logged-in ONVIF
/// read (`answered GetDeviceInformation without credentials`, `from the SADP answer`).
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    /// The value, trimmed.
    pub value: String,
    /// Where it came from, when not the authenticated read.
    pub origin: Option<String>,
}

/// What identifies the device, from the best source that has each field: the ONVIF identity
/// read with our login, else GetDeviceInformation answered without one, else the vendor
/// discovery answers (SADP, DHIP).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IdentityView {
    /// Manufacturer (DHIP/SADP: the vendor or OEM field).
    pub manufacturer: Option<Seen>,
    /// Model.
    pub model: Option<Seen>,
    /// Firmware.
    pub firmware: Option<Seen>,
    /// Serial.
    pub serial: Option<Seen>,
}

impl IdentityView {
    /// The view of a snapshot.
    pub fn of(snap: &DeviceSnapshot) -> Self {
        let pre = &snap.unauthenticated;
        let pick = |own: &Option<String>,
                    unauth: Option<&Option<String>>,
                    vendor: &dyn Fn(&crate::model::VendorAnswer) -> Option<String>|
         -> Option<Seen> {
            if let Some(v) = nonempty(own) {
                return Some(Seen {
                    value: v.to_owned(),
                    origin: None,
                });
            }
            if let Some(v) = unauth.and_then(nonempty) {
                return Some(Seen {
                    value: v.to_owned(),
                    origin: Some("answered GetDeviceInformation without credentials".into()),
                });
            }
            pre.vendor_discovery.iter().find_map(|a| {
                let v = vendor(a)?;
                let v = v.trim();
                (!v.is_empty() && !placeholder(v)).then(|| Seen {
                    value: v.to_owned(),
                    origin: Some(format!(
                        "from the {} answer",
                        a.protocol.map_or("vendor discovery", VendorProtocol::name)
                    )),
                })
            })
        };
        let un = pre.identity.as_ref();
        let id = &snap.identity;
        Self {
            manufacturer: pick(&id.manufacturer, un.map(|i| &i.manufacturer), &|a| {
                a.vendor.clone()
            }),
            model: pick(&id.model, un.map(|i| &i.model), &|a| a.model.clone()),
            firmware: pick(
                &id.firmware_version,
                un.map(|i| &i.firmware_version),
                &|a| a.firmware.clone(),
            ),
            serial: pick(&id.serial_number, un.map(|i| &i.serial_number), &|a| {
                a.serial.clone()
            }),
        }
    }

    /// Anything that says what the device is.
    pub fn any(&self) -> bool {
        self.manufacturer.is_some() || self.model.is_some() || self.firmware.is_some()
    }
}

/// Vendor fields that name nobody (`N/A`, `General`).
fn placeholder(v: &str) -> bool {
    ["n/a", "na", "none", "null", "general", "unknown", "-"]
        .contains(&v.to_ascii_lowercase().as_str())
}

/// Scopes to judge, with their fixed flag: those read with GetScopes, else the ones discovery
/// heard (whether the vendor or the owner set those is not said, so they weigh as owner-set).
pub fn scopes_of(snap: &DeviceSnapshot) -> Vec<(String, bool, Option<String>)> {
    if !snap.scopes.is_empty() {
        return snap
            .scopes
            .iter()
            .map(|s| (scope_path(&s.uri), s.fixed, None))
            .collect();
    }
    snap.unauthenticated
        .discovery
        .iter()
        .flat_map(|d| &d.scopes)
        .map(|u| (scope_path(u), false, Some("heard in discovery".to_owned())))
        .collect()
}

/// The evidence a snapshot yields under the given policies, deduplicated (a value that two
/// policies' identical rules both match is listed once, under the first policy).
pub fn collect(snap: &DeviceSnapshot, policies: &[Policy], oui: &OuiTable) -> Vec<Evidence> {
    let defs: Vec<Def<'_>> = policies
        .iter()
        .flat_map(|policy| {
            policy
                .companies
                .iter()
                .map(move |company| Def { policy, company })
        })
        .collect();
    let mut out = Vec::new();
    let view = IdentityView::of(snap);
    let scopes = scopes_of(snap);

    if let Some(m) = &view.manufacturer {
        let start = out.len();
        label(
            &defs,
            &m.value,
            Signal::Manufacturer,
            MANUFACTURER_WEIGHT,
            None,
            &mut out,
        );
        origin_note(&mut out[start..], &m.origin);
    }
    for (path, fixed, heard) in &scopes {
        if let Some(name) = category(path, "name") {
            let (w, note) = scope_weight(NAME_SCOPE_WEIGHT, *fixed);
            let start = out.len();
            label(&defs, name, Signal::NameScope, w, note, &mut out);
            origin_note(&mut out[start..], heard);
        }
    }

    if let Some(model) = &view.model {
        let start = out.len();
        models(&defs, &model.value, Signal::Model, &mut out);
        origin_note(&mut out[start..], &model.origin);
    }
    for (path, _, heard) in &scopes {
        if let Some(hw) = category(path, "hardware") {
            let start = out.len();
            models(&defs, hw, Signal::HardwareScope, &mut out);
            origin_note(&mut out[start..], heard);
        }
    }
    if let Some(serial) = &view.serial {
        let start = out.len();
        models(&defs, &serial.value, Signal::SerialNumber, &mut out);
        origin_note(&mut out[start..], &serial.origin);
    }
    if let Some(fw) = &view.firmware {
        let start = out.len();
        firmware(&defs, &fw.value, &mut out);
        origin_note(&mut out[start..], &fw.origin);
    }
    fingerprints(&defs, snap, &mut out);
    for (path, fixed, heard) in &scopes {
        for d in &defs {
            for r in &d.company.scopes {
                if r.pattern.is_match(path) {
                    let (w, note) = scope_weight(r.confidence, *fixed);
                    let note = join_opt(note, heard.clone());
                    out.push(ev(
                        d,
                        Signal::Scope,
                        path,
                        &r.description,
                        &r.source,
                        w,
                        note,
                    ));
                }
            }
        }
    }

    let macs = device_macs(snap, &scopes);
    for (mac_text, origin) in &macs {
        mac_evidence(&defs, oui, mac_text, origin.as_deref(), &mut out);
    }
    let endpoint = snap.endpoint.as_ref().or_else(|| {
        snap.unauthenticated
            .discovery
            .as_ref()
            .and_then(|d| d.endpoint.as_ref())
    });
    if let Some(endpoint) = endpoint {
        endpoint_evidence(&defs, oui, endpoint, &macs, &mut out);
    }

    let mut seen_paths = BTreeSet::new();
    for uri in snap.profiles.iter().filter_map(|p| p.stream_uri.as_deref()) {
        let path = uri_path(uri);
        for d in &defs {
            for r in &d.company.stream_paths {
                // One match per rule is enough: every profile of a camera has the same shape.
                let key = (d.company.id.clone(), r.pattern.as_str().to_owned());
                if r.pattern.is_match(&path) && seen_paths.insert(key) {
                    out.push(ev(
                        d,
                        Signal::StreamUri,
                        &path,
                        &r.description,
                        &r.source,
                        r.confidence,
                        None,
                    ));
                }
            }
        }
    }
    dedup(out)
}

/// The decoded scope path after `onvif://www.onvif.org/` (`name/HIKVISION DS-2CD2143G2-I`).
pub fn scope_path(uri: &str) -> String {
    let t = uri.trim();
    // `get` rather than slicing: a device may send any UTF-8, and a byte index inside a
    // multi-byte character would panic.
    let rest = match t.get(..SCOPE_PREFIX.len()) {
        Some(head) if head.eq_ignore_ascii_case(SCOPE_PREFIX) => &t[SCOPE_PREFIX.len()..],
        _ => t,
    };
    percent_decode(rest)
}

/// The value of a scope of the given category (`name`, `hardware`), case-insensitive.
pub fn category<'a>(path: &'a str, cat: &str) -> Option<&'a str> {
    let (c, v) = path.split_once('/')?;
    (c.eq_ignore_ascii_case(cat) && !v.trim().is_empty()).then(|| v.trim())
}

/// The path and query of a URI (`/Streaming/Channels/101`), without scheme, userinfo or host.
pub fn uri_path(uri: &str) -> String {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    match rest.find('/') {
        Some(i) => rest[i..].to_owned(),
        None => "/".to_owned(),
    }
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Adds where a value came from (pre-login answer, discovery) to the evidence it produced.
fn origin_note(evidence: &mut [Evidence], origin: &Option<String>) {
    if let Some(o) = origin {
        for e in evidence {
            e.note = join_opt(e.note.take(), Some(o.clone()));
        }
    }
}

fn join_opt(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    }
}

/// What the device showed before a login: its web server, Digest realm, SOAP namespaces, and
/// the vendor discovery protocols that answered.
fn fingerprints(defs: &[Def<'_>], snap: &DeviceSnapshot, out: &mut Vec<Evidence>) {
    let pre = &snap.unauthenticated;
    let mut seen: Vec<(FingerprintKind, Signal, String)> = Vec::new();
    if let Some(s) = pre
        .http_server
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        seen.push((
            FingerprintKind::HttpServer,
            Signal::HttpServer,
            s.to_owned(),
        ));
    }
    if let Some(r) = pre
        .auth_realm
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        seen.push((FingerprintKind::AuthRealm, Signal::AuthRealm, r.to_owned()));
    }
    for ns in &pre.soap_namespaces {
        seen.push((
            FingerprintKind::SoapNamespace,
            Signal::SoapNamespace,
            ns.trim().to_owned(),
        ));
    }
    let mut protocols: Vec<VendorProtocol> = pre
        .vendor_discovery
        .iter()
        .filter_map(|a| a.protocol)
        .collect();
    protocols.sort();
    protocols.dedup();
    for p in protocols {
        let name = match p {
            VendorProtocol::Sadp => "sadp",
            VendorProtocol::Dhip => "dhip",
        };
        seen.push((
            FingerprintKind::DiscoveryProtocol,
            Signal::VendorDiscovery,
            name.to_owned(),
        ));
    }
    for (kind, signal, value) in seen {
        let before = out.len();
        for d in defs {
            for f in d.company.fingerprints.iter().filter(|f| f.kind == kind) {
                if f.rule.pattern.is_match(&value) {
                    out.push(ev(
                        d,
                        signal,
                        &value,
                        &f.rule.description,
                        &f.rule.source,
                        f.rule.confidence,
                        Some("seen without a login".into()),
                    ));
                }
            }
        }
        if out.len() == before && kind != FingerprintKind::SoapNamespace {
            out.push(info(
                signal,
                &value,
                "no covered company's fingerprint",
                None,
            ));
        }
    }
}

fn scope_weight(w: f64, fixed: bool) -> (f64, Option<String>) {
    if fixed {
        (w, None)
    } else {
        (
            w * CONFIGURABLE_SCOPE_FACTOR,
            Some("configurable scope (set by the owner, not the vendor): weighs less".into()),
        )
    }
}

fn citation(d: &Def<'_>, source: &str) -> Option<String> {
    d.policy.source(source).map(|s| s.citation.clone())
}

fn ev(
    d: &Def<'_>,
    signal: Signal,
    observed: &str,
    rule: &str,
    source: &str,
    confidence: f64,
    note: Option<String>,
) -> Evidence {
    Evidence {
        signal,
        observed: observed.to_owned(),
        rule: rule.to_owned(),
        policy: Some(d.policy.id.clone()),
        source: citation(d, source),
        company: Some(d.company.id.clone()),
        confidence,
        note,
        counter: None,
        set_aside: false,
    }
}

fn info(signal: Signal, observed: &str, rule: &str, note: Option<String>) -> Evidence {
    Evidence {
        signal,
        observed: observed.to_owned(),
        rule: rule.to_owned(),
        policy: None,
        source: None,
        company: None,
        confidence: 0.0,
        note,
        counter: None,
        set_aside: false,
    }
}

/// A brand name as a device presents itself (manufacturer string or name scope).
fn label(
    defs: &[Def<'_>],
    value: &str,
    signal: Signal,
    weight: f64,
    note: Option<String>,
    out: &mut Vec<Evidence>,
) {
    let norm = normalise(value);
    let before = out.len();
    for d in defs {
        let c = d.company;
        if c.names.iter().any(|n| contains_phrase(&norm, n)) {
            let rule = format!("names {}", c.name);
            out.push(ev(d, signal, value, &rule, &c.source, weight, note.clone()));
        }
        for b in &c.brands {
            if b.names.iter().any(|n| contains_phrase(&norm, n)) {
                let rule = format!("{} is {}'s {}", b.name, c.name, b.relation.describe());
                out.push(ev(d, signal, value, &rule, &b.source, weight, note.clone()));
            }
        }
        for o in &c.oems {
            if o.names.iter().any(|n| contains_phrase(&norm, n)) {
                let rule = format!("{} is a known {} OEM", o.brand, c.name);
                let seen = format!("seen in the {}", signal.describe());
                out.push(ev(
                    d,
                    Signal::OemBrand,
                    value,
                    &rule,
                    &o.source,
                    o.confidence,
                    Some(join_notes(seen, &o.note)),
                ));
            }
        }
    }
    if out.len() == before && signal == Signal::Manufacturer {
        out.push(info(
            signal,
            value,
            "not a covered company, brand or known OEM",
            None,
        ));
    }
}

fn join_notes(first: String, more: &Option<String>) -> String {
    match more {
        Some(m) => format!("{first}; {m}"),
        None => first,
    }
}

fn models(defs: &[Def<'_>], value: &str, signal: Signal, out: &mut Vec<Evidence>) {
    for d in defs {
        for r in &d.company.models {
            if r.pattern.is_match(value) {
                out.push(ev(
                    d,
                    signal,
                    value,
                    &r.description,
                    &r.source,
                    r.confidence,
                    None,
                ));
            }
        }
    }
}

fn firmware(defs: &[Def<'_>], fw: &str, out: &mut Vec<Evidence>) {
    let mut matched = false;
    for d in defs {
        for r in &d.company.firmware {
            let note = match &r.matcher {
                FirmwareMatcher::Hikvision => parse_hikvision(fw)
                    .map(|v| format!("version {}, built {}", v.version, v.build_date)),
                FirmwareMatcher::Dahua => parse_dahua(fw).map(|v| {
                    let mut n = format!("version {}, customer field {:?}", v.version, v.customer);
                    if let Some(oem) = customer_oem(defs, &v.customer_code) {
                        n.push_str(&format!(" = {oem}"));
                    } else if v.customer_code.is_empty() {
                        n.push_str(" (generic Dahua)");
                    }
                    n
                }),
                FirmwareMatcher::Pattern(p) => p.is_match(fw).then(String::new),
            };
            if let Some(note) = note {
                matched = true;
                let note = (!note.is_empty()).then_some(note);
                out.push(ev(
                    d,
                    Signal::Firmware,
                    fw,
                    &r.description,
                    &r.source,
                    r.confidence,
                    note,
                ));
            }
        }
    }
    if !matched {
        out.push(info(
            Signal::Firmware,
            fw,
            "no covered company's firmware grammar",
            None,
        ));
    }
}

/// The OEM whose Dahua firmware customer code this is (`AC` → "Amcrest (a Dahua OEM)").
fn customer_oem(defs: &[Def<'_>], code: &str) -> Option<String> {
    if code.is_empty() {
        return None;
    }
    defs.iter().find_map(|d| {
        d.company
            .oems
            .iter()
            .find(|o| o.firmware_customer.iter().any(|c| c == code))
            .map(|o| format!("{} (a {} OEM)", o.brand, d.company.name))
    })
}

/// Interface MACs, then MACs named in scopes; each with where it came from when not an
/// interface. Duplicates (same address) are kept once.
fn device_macs(
    snap: &DeviceSnapshot,
    scopes: &[(String, bool, Option<String>)],
) -> Vec<(String, Option<String>)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for m in snap.macs() {
        let key = Mac::parse(m).map_or_else(|| m.to_owned(), |m| m.to_string());
        if seen.insert(key) {
            out.push((m.to_owned(), None));
        }
    }
    for a in &snap.unauthenticated.vendor_discovery {
        if let Some(m) = a.mac.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
            let key = Mac::parse(m).map_or_else(|| m.to_owned(), |m| m.to_string());
            if seen.insert(key) {
                let p = a.protocol.map_or("vendor discovery", VendorProtocol::name);
                out.push((m.to_owned(), Some(format!("{p} answer"))));
            }
        }
    }
    for (path, _, _) in scopes {
        let v = category(path, "mac").or_else(|| category(path, "macaddress"));
        if let Some(v) = v {
            let key = Mac::parse(v).map_or_else(|| v.to_owned(), |m| m.to_string());
            if seen.insert(key) {
                out.push((v.to_owned(), Some(format!("scope {path}"))));
            }
        }
    }
    out
}

fn mac_evidence(
    defs: &[Def<'_>],
    oui: &OuiTable,
    text: &str,
    origin: Option<&str>,
    out: &mut Vec<Evidence>,
) {
    let Some(mac) = Mac::parse(text) else {
        out.push(info(Signal::MacOui, text, "not a MAC address", None));
        return;
    };
    let observed = match origin {
        Some(o) => format!("{mac} ({o})"),
        None => mac.to_string(),
    };
    if mac.is_locally_administered() {
        out.push(info(
            Signal::MacOui,
            &observed,
            "locally administered address",
            Some(
                "locally administered (set by software, bit 0x02 of the first octet): no OUI applies, so the maker cannot be read from it"
                    .into(),
            ),
        ));
        return;
    }
    let Some(a) = oui.lookup(&mac) else {
        out.push(info(
            Signal::MacOui,
            &observed,
            "prefix not in the OUI table",
            Some(
                "pass --oui-registry FILE (e.g. /usr/share/ieee-data/oui.csv) to name every vendor"
                    .into(),
            ),
        ));
        return;
    };
    let org = normalise(&a.organisation);
    let assigned = format!(
        "IEEE {} {} is assigned to {}",
        a.registry.name(),
        a.display_prefix(),
        a.organisation
    );
    let before = out.len();
    for d in defs {
        let c = d.company;
        if c.oui_organisations.iter().any(|n| contains_phrase(&org, n)) {
            out.push(ev(
                d,
                Signal::MacOui,
                &observed,
                &assigned,
                "ieee",
                OUI_WEIGHT,
                None,
            ));
        }
        for b in &c.brands {
            if b.oui_organisations.iter().any(|n| contains_phrase(&org, n)) {
                let rule = format!("{assigned} ({}'s {})", c.name, b.relation.describe());
                out.push(ev(
                    d,
                    Signal::MacOui,
                    &observed,
                    &rule,
                    &b.source,
                    OUI_WEIGHT,
                    None,
                ));
            }
        }
        for o in &c.oems {
            if o.oui_organisations.iter().any(|n| contains_phrase(&org, n)) {
                let rule = format!("{assigned}, a known {} OEM", c.name);
                out.push(ev(
                    d,
                    Signal::OemBrand,
                    &observed,
                    &rule,
                    &o.source,
                    o.confidence,
                    Some(join_notes("the OEM's own MAC block".into(), &o.note)),
                ));
            }
        }
    }
    if out.len() == before {
        // Registered to a maker no policy covers: evidence for that maker, which weighs
        // against weak signals for a covered one (see the module docs of `audit`).
        let mut e = info(Signal::MacOui, &observed, &assigned, None);
        e.counter = Some(a.organisation.clone());
        out.push(e);
    }
}

/// The endpoint UUID's last 12 hex digits: Hikvision firmware puts the NIC MAC there, and a
/// version-1 UUID carries its node MAC by construction (which reaches across routed segments
/// where ARP cannot).
fn endpoint_evidence(
    defs: &[Def<'_>],
    oui: &OuiTable,
    endpoint: &str,
    macs: &[(String, Option<String>)],
    out: &mut Vec<Evidence>,
) {
    let uuid = endpoint
        .trim()
        .trim_start_matches("urn:")
        .trim_start_matches("uuid:");
    let groups: Vec<&str> = uuid.split('-').collect();
    let Some(tail) = groups.last().filter(|t| t.len() == 12) else {
        return;
    };
    let Some(tail_mac) = Mac::parse(tail) else {
        return;
    };
    let equals_nic = macs
        .iter()
        .filter_map(|(m, _)| Mac::parse(m))
        .any(|m| m == tail_mac);
    if equals_nic {
        // Any firmware that makes version-1 UUIDs does this; it hints at a company only when
        // the MAC itself does not name another maker (a Dahua or Amcrest MAC in the tail is
        // no hint of Hikvision).
        let assigned = oui.lookup(&tail_mac);
        for d in defs {
            let mac_is_theirs = assigned.is_none_or(|a| {
                d.company.claims_organisation(&a.organisation).is_some()
                    || d.company.oems.iter().any(|o| {
                        o.oui_organisations
                            .iter()
                            .any(|n| contains_phrase(&normalise(&a.organisation), n))
                    })
            });
            if !mac_is_theirs {
                continue;
            }
            if let Some(r) = &d.company.endpoint_uuid_mac {
                out.push(ev(
                    d,
                    Signal::EndpointUuid,
                    endpoint,
                    &r.description,
                    &r.source,
                    r.confidence,
                    Some(format!(
                        "UUID tail {tail} equals the interface MAC {tail_mac}"
                    )),
                ));
            }
        }
        return;
    }
    let version1 = groups.len() == 5 && groups[2].starts_with('1');
    if version1 {
        let mut found = Vec::new();
        mac_evidence(
            defs,
            oui,
            tail,
            Some(&format!("node of version-1 endpoint UUID {endpoint}")),
            &mut found,
        );
        // Only what names a company is worth a line: a UUID is not an interface we read.
        out.extend(found.into_iter().filter(|e| e.company.is_some()));
    }
}

fn dedup(evidence: Vec<Evidence>) -> Vec<Evidence> {
    let mut seen = BTreeSet::new();
    evidence
        .into_iter()
        .filter(|e| {
            seen.insert((
                e.signal,
                e.observed.clone(),
                e.company.clone(),
                e.rule.clone(),
            ))
        })
        .collect()
}
