//! The ONVIF device management service (tds): reads report the device state, writes change
//! it, and invalid values get the fault a device gives.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};

use crate::persona::{
    NetHost, Persona, ServiceKind, ServiceSpec, UserLevel, UserSpec, valid_hostname, valid_uri,
};
use crate::soap::{Fault, ns};
use crate::state::DeviceState;
use crate::tz::PosixTz;
use crate::xml::{Node, Writer};

/// ONVIF access classes (Core, "Access classes for service requests").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No credentials needed.
    PreAuth,
    /// Any authenticated user.
    ReadSystem,
    /// Any authenticated user (media, PTZ, recording and imaging reads).
    ReadMedia,
    /// Operators and administrators (moves, presets, media and recording changes).
    Actuate,
    /// Administrator only (user list).
    ReadSystemSecret,
    /// Administrator only.
    WriteSystem,
    /// Administrator only (factory reset).
    Unrecoverable,
}

impl Access {
    /// Whether a user of `level` may call an operation of this class (Core default policy).
    pub fn allows(self, level: UserLevel) -> bool {
        match self {
            Self::PreAuth | Self::ReadSystem | Self::ReadMedia => true,
            Self::Actuate => level >= UserLevel::Operator,
            Self::ReadSystemSecret | Self::WriteSystem | Self::Unrecoverable => {
                level == UserLevel::Administrator
            }
        }
    }
}

/// Access class of a device-service operation; `None` when the mock does not implement it.
pub fn access(operation: &str) -> Option<Access> {
    use Access::*;
    Some(match operation {
        "GetSystemDateAndTime" | "GetServices" | "GetServiceCapabilities" | "GetWsdlUrl" => PreAuth,
        "GetDeviceInformation"
        | "GetCapabilities"
        | "GetNetworkInterfaces"
        | "GetNetworkDefaultGateway"
        | "GetHostname"
        | "GetDNS"
        | "GetNTP"
        | "GetScopes" => ReadSystem,
        "GetUsers" => ReadSystemSecret,
        "CreateUsers"
        | "DeleteUsers"
        | "SetUser"
        | "SetHostname"
        | "SetDNS"
        | "SetNTP"
        | "SetNetworkDefaultGateway"
        | "SetNetworkInterfaces"
        | "SetScopes"
        | "AddScopes"
        | "RemoveScopes"
        | "SetSystemDateAndTime"
        | "SystemReboot" => WriteSystem,
        "SetSystemFactoryDefault" => Unrecoverable,
        _ => return None,
    })
}

/// Something an operation asks the server to do after answering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Move the listener to this IPv4 address (same port).
    Relocate(Ipv4Addr),
    /// Go away for this long, then come back with the saved state.
    Reboot(Duration),
}

/// What a handler sees.
pub struct Ctx<'a> {
    /// The persona (fixed facts).
    pub persona: &'a Persona,
    /// The mutable state.
    pub state: &'a mut DeviceState,
    /// Where the device listens now (XAddrs use it).
    pub listen: SocketAddr,
    /// Follow-up actions for the server.
    pub effects: Vec<Effect>,
    /// The site's DHCP server, if the device is on a network with one.
    pub dhcp: Option<&'a crate::dhcp::DhcpServer>,
}

impl Ctx<'_> {
    fn xaddr(&self, path: &str) -> String {
        match &self.persona.quirks.foreign_service_host {
            Some(host) => format!("http://{host}{path}"),
            None => xaddr(self.listen, path),
        }
    }

    /// `tt:PTZConfiguration` `token` under `name`, if the persona has it (Media, Media2 and
    /// PTZ answers all carry it), with the use count from the media profiles.
    pub fn write_ptz_configuration(&self, w: &mut Writer, name: &str, token: &str) {
        let (Some(spec), Some(state)) = (self.persona.ptz.as_ref(), self.state.ptz.as_ref()) else {
            return;
        };
        let use_count = self.state.media.use_count(|p| p.ptz.as_ref(), token);
        crate::ptz::write_configuration(w, name, token, spec, state, use_count);
    }
}

/// `http://host[:port]/path` for a listening address.
pub fn xaddr(listen: SocketAddr, path: &str) -> String {
    let host = match listen.ip() {
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    };
    if listen.port() == 80 {
        format!("http://{host}{path}")
    } else {
        format!("http://{host}:{}{path}", listen.port())
    }
}

/// Run one device-service operation; `Ok` is the response payload element.
pub fn handle(operation: &str, req: &Node, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    match operation {
        "GetSystemDateAndTime" => Ok(get_system_date_and_time(ctx)),
        "GetDeviceInformation" => Ok(get_device_information(ctx.persona)),
        "GetServices" => get_services(req, ctx),
        "GetServiceCapabilities" => {
            let mut w = Writer::new();
            w.open("tds:GetServiceCapabilitiesResponse", &[]);
            device_capabilities(&mut w, ctx.persona, "tds:Capabilities");
            w.close("tds:GetServiceCapabilitiesResponse");
            Ok(w.finish())
        }
        "GetWsdlUrl" => {
            let mut w = Writer::new();
            w.open("tds:GetWsdlUrlResponse", &[])
                .leaf(
                    "tds:WsdlUrl",
                    "http://www.onvif.org/Documents/Specifications.aspx",
                )
                .close("tds:GetWsdlUrlResponse");
            Ok(w.finish())
        }
        "GetCapabilities" => get_capabilities(req, ctx),
        "GetNetworkInterfaces" => Ok(get_network_interfaces(ctx.state)),
        "GetNetworkDefaultGateway" => Ok(get_gateway(ctx.state)),
        "GetHostname" => Ok(get_hostname(ctx.state)),
        "GetDNS" => Ok(get_dns(ctx.state)),
        "GetNTP" => Ok(get_ntp(ctx.state)),
        "GetScopes" => Ok(get_scopes(ctx)),
        "GetUsers" => Ok(get_users(ctx.state)),
        "CreateUsers" => create_users(req, ctx),
        "DeleteUsers" => delete_users(req, ctx),
        "SetUser" => set_user(req, ctx),
        "SetHostname" => set_hostname(req, ctx),
        "SetDNS" => set_dns(req, ctx),
        "SetNTP" => set_ntp(req, ctx),
        "SetNetworkDefaultGateway" => set_gateway(req, ctx),
        "SetNetworkInterfaces" => set_network_interfaces(req, ctx),
        "SetScopes" => set_scopes(req, ctx),
        "AddScopes" => add_scopes(req, ctx),
        "RemoveScopes" => remove_scopes(req, ctx),
        "SetSystemDateAndTime" => set_system_date_and_time(req, ctx),
        "SystemReboot" => {
            let secs = ctx.persona.quirks.boot_seconds;
            ctx.effects.push(Effect::Reboot(Duration::from_secs(secs)));
            let mut w = Writer::new();
            w.open("tds:SystemRebootResponse", &[])
                .leaf("tds:Message", format!("Rebooting in {secs} s"))
                .close("tds:SystemRebootResponse");
            Ok(w.finish())
        }
        "SetSystemFactoryDefault" => set_system_factory_default(req, ctx),
        other => Err(Fault::action_not_supported(format!(
            "the device service does not implement {other}"
        ))),
    }
}

fn empty_response(op: &str) -> String {
    format!("<tds:{op}Response/>")
}

fn required<'a>(req: &'a Node, ns: &str, name: &str) -> Result<&'a Node, Fault> {
    req.child(ns, name).ok_or_else(|| {
        Fault::invalid_args(format!(
            "{}: missing required element {{{ns}}}{name}",
            req.name
        ))
    })
}

fn parse_bool(node: &Node) -> Result<bool, Fault> {
    match node.text.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        other => Err(Fault::invalid_value(format!(
            "{}: `{other}` is not an xs:boolean",
            node.name
        ))
        .detail(format!("{} must be true or false", node.name))),
    }
}

fn parse_int<T: std::str::FromStr>(node: &Node) -> Result<T, Fault> {
    node.text.trim().parse().map_err(|_| {
        Fault::invalid_args(format!(
            "{}: `{}` is not an integer",
            node.name,
            node.text.trim()
        ))
    })
}

// ---------------------------------------------------------------------------------------------
// Reads

fn get_system_date_and_time(ctx: &Ctx<'_>) -> String {
    let utc = ctx.state.device_now();
    let local = PosixTz::parse(&ctx.state.tz).map_or(utc.naive_utc(), |tz| tz.local(utc));
    let mut w = Writer::new();
    w.open("tds:GetSystemDateAndTimeResponse", &[])
        .open("tds:SystemDateAndTime", &[])
        .leaf(
            "tt:DateTimeType",
            if ctx.state.ntp_time { "NTP" } else { "Manual" },
        )
        .leaf("tt:DaylightSavings", ctx.state.daylight_savings)
        .open("tt:TimeZone", &[])
        .leaf("tt:TZ", &ctx.state.tz)
        .close("tt:TimeZone");
    date_time(&mut w, "tt:UTCDateTime", utc.naive_utc());
    date_time(&mut w, "tt:LocalDateTime", local);
    w.close("tds:SystemDateAndTime")
        .close("tds:GetSystemDateAndTimeResponse");
    w.finish()
}

fn date_time(w: &mut Writer, name: &str, t: NaiveDateTime) {
    w.open(name, &[])
        .open("tt:Time", &[])
        .leaf("tt:Hour", t.hour())
        .leaf("tt:Minute", t.minute())
        .leaf("tt:Second", t.second())
        .close("tt:Time")
        .open("tt:Date", &[])
        .leaf("tt:Year", t.year())
        .leaf("tt:Month", t.month())
        .leaf("tt:Day", t.day())
        .close("tt:Date")
        .close(name);
}

fn get_device_information(p: &Persona) -> String {
    let id = &p.identity;
    let mut w = Writer::new();
    w.open("tds:GetDeviceInformationResponse", &[])
        .leaf("tds:Manufacturer", &id.manufacturer)
        .leaf("tds:Model", &id.model)
        .leaf("tds:FirmwareVersion", &id.firmware)
        .leaf("tds:SerialNumber", &id.serial)
        .leaf("tds:HardwareId", &id.hardware_id)
        .close("tds:GetDeviceInformationResponse");
    w.finish()
}

fn get_services(req: &Node, ctx: &Ctx<'_>) -> Result<String, Fault> {
    let include = parse_bool(required(req, ns::TDS, "IncludeCapability")?)?;
    let mut w = Writer::new();
    w.open("tds:GetServicesResponse", &[]);
    for service in &ctx.persona.services {
        w.open("tds:Service", &[])
            .leaf("tds:Namespace", service.kind.namespace())
            .leaf("tds:XAddr", ctx.xaddr(&service.path));
        if include {
            w.open("tds:Capabilities", &[]);
            if service.kind == ServiceKind::Device {
                device_capabilities(&mut w, ctx.persona, "tds:Capabilities");
            } else {
                service_capabilities(&mut w, service);
            }
            w.close("tds:Capabilities");
        }
        let (major, minor) = service.version_numbers().unwrap_or((2, 0));
        w.open("tds:Version", &[])
            .leaf("tt:Major", major)
            .leaf("tt:Minor", minor)
            .close("tds:Version")
            .close("tds:Service");
    }
    w.close("tds:GetServicesResponse");
    Ok(w.finish())
}

fn attrs_for(service: &ServiceSpec, names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .filter_map(|n| service.capability(n).map(|v| ((*n).to_string(), v)))
        .collect()
}

fn open_owned(w: &mut Writer, name: &str, attrs: &[(String, String)], empty: bool) {
    let borrowed: Vec<(&str, &str)> = attrs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if empty {
        w.empty(name, &borrowed);
    } else {
        w.open(name, &borrowed);
    }
}

/// `<prefix:Capabilities>` of a non-device service, attributes placed per the schema.
pub(crate) fn service_capabilities(w: &mut Writer, service: &ServiceSpec) {
    let prefix = service.kind.prefix();
    let layout = service.kind.capability_layout();
    let top: Vec<_> = layout
        .iter()
        .filter(|(el, _)| el.is_empty())
        .flat_map(|(_, names)| attrs_for(service, names))
        .collect();
    let children: Vec<_> = layout.iter().filter(|(el, _)| !el.is_empty()).collect();
    let name = format!("{prefix}:Capabilities");
    open_owned(w, &name, &top, children.is_empty());
    if !children.is_empty() {
        for (el, names) in children {
            open_owned(
                w,
                &format!("{prefix}:{el}"),
                &attrs_for(service, names),
                true,
            );
        }
        w.close(&name);
    }
}

/// `tds:DeviceServiceCapabilities` under the element `name`.
fn device_capabilities(w: &mut Writer, p: &Persona, name: &str) {
    let Some(service) = p.service(ServiceKind::Device) else {
        return;
    };
    let layout = ServiceKind::Device.capability_layout();
    let group = |el: &str| {
        layout
            .iter()
            .find(|(e, _)| *e == el)
            .map(|(_, names)| attrs_for(service, names))
            .unwrap_or_default()
    };
    let auth = &p.auth;
    let mut security = group("Security");
    security.extend([
        (
            "UsernameToken".to_string(),
            auth.mode.uses_wsse().to_string(),
        ),
        (
            "HttpDigest".to_string(),
            auth.mode.uses_digest().to_string(),
        ),
        ("MaxUsers".to_string(), auth.max_users.to_string()),
        (
            "MaxUserNameLength".to_string(),
            auth.username_max_length.to_string(),
        ),
        (
            "MaxPasswordLength".to_string(),
            auth.password_max_length.to_string(),
        ),
    ]);
    if auth.mode.uses_digest() {
        let algs: Vec<&str> = auth.digest_algorithms.iter().map(|a| a.as_str()).collect();
        security.push(("HashingAlgorithms".to_string(), algs.join(" ")));
    }
    w.open(name, &[]);
    open_owned(w, "tds:Network", &group("Network"), true);
    open_owned(w, "tds:Security", &security, true);
    open_owned(w, "tds:System", &group("System"), true);
    let misc = group("Misc");
    if !misc.is_empty() {
        open_owned(w, "tds:Misc", &misc, true);
    }
    w.close(name);
}

fn cap_bool(service: Option<&ServiceSpec>, name: &str) -> bool {
    service
        .and_then(|s| s.capabilities.get(name))
        .is_some_and(|v| match v {
            toml::Value::Boolean(b) => *b,
            toml::Value::Integer(i) => *i != 0,
            toml::Value::String(s) => s == "true",
            _ => false,
        })
}

fn get_capabilities(req: &Node, ctx: &Ctx<'_>) -> Result<String, Fault> {
    const CATEGORIES: [&str; 7] = [
        "All",
        "Analytics",
        "Device",
        "Events",
        "Imaging",
        "Media",
        "PTZ",
    ];
    let mut wanted = Vec::new();
    for c in req.children_named(ns::TDS, "Category") {
        let v = c.text.trim();
        if !CATEGORIES.contains(&v) {
            return Err(Fault::invalid_value(format!(
                "GetCapabilities: `{v}` is not a capability category"
            )));
        }
        wanted.push(v);
    }
    let all = wanted.is_empty() || wanted.contains(&"All");
    let p = ctx.persona;
    let has = |k: ServiceKind| p.service(k).is_some();
    for c in &wanted {
        let present = match *c {
            "All" | "Device" => true,
            "Imaging" => has(ServiceKind::Imaging),
            "Media" => has(ServiceKind::Media),
            "PTZ" => has(ServiceKind::Ptz),
            _ => false,
        };
        if !present {
            return Err(Fault::receiver(
                &["ter:ActionNotSupported", "ter:NoSuchService"],
                format!("the device has no {c} service"),
            ));
        }
    }
    let want = |c: &str| all || wanted.contains(&c);
    let dev = p.service(ServiceKind::Device);
    let mut w = Writer::new();
    w.open("tds:GetCapabilitiesResponse", &[])
        .open("tds:Capabilities", &[]);
    if want("Device") {
        let (major, minor) = dev.and_then(ServiceSpec::version_numbers).unwrap_or((2, 0));
        w.open("tt:Device", &[])
            .leaf("tt:XAddr", ctx.xaddr("/onvif/device_service"))
            .open("tt:Network", &[])
            .leaf("tt:IPFilter", cap_bool(dev, "IPFilter"))
            .leaf("tt:ZeroConfiguration", cap_bool(dev, "ZeroConfiguration"))
            .leaf("tt:IPVersion6", cap_bool(dev, "IPVersion6"))
            .leaf("tt:DynDNS", cap_bool(dev, "DynDNS"))
            .close("tt:Network")
            .open("tt:System", &[])
            .leaf("tt:DiscoveryResolve", cap_bool(dev, "DiscoveryResolve"))
            .leaf("tt:DiscoveryBye", cap_bool(dev, "DiscoveryBye"))
            .leaf("tt:RemoteDiscovery", cap_bool(dev, "RemoteDiscovery"))
            .leaf("tt:SystemBackup", cap_bool(dev, "SystemBackup"))
            .leaf("tt:SystemLogging", cap_bool(dev, "SystemLogging"))
            .leaf(
                "tt:FirmwareUpgrade",
                cap_bool(dev, "HttpFirmwareUpgrade") || cap_bool(dev, "CloudFirmwareUpgrade"),
            )
            .open("tt:SupportedVersions", &[])
            .leaf("tt:Major", major)
            .leaf("tt:Minor", minor)
            .close("tt:SupportedVersions")
            .close("tt:System")
            .open("tt:IO", &[])
            .leaf("tt:InputConnectors", 0)
            .leaf("tt:RelayOutputs", 0)
            .close("tt:IO")
            .open("tt:Security", &[])
            .leaf("tt:TLS1.1", cap_bool(dev, "TLS1.1"))
            .leaf("tt:TLS1.2", cap_bool(dev, "TLS1.2"))
            .leaf(
                "tt:OnboardKeyGeneration",
                cap_bool(dev, "OnboardKeyGeneration"),
            )
            .leaf("tt:AccessPolicyConfig", cap_bool(dev, "AccessPolicyConfig"))
            .leaf("tt:X.509Token", cap_bool(dev, "X.509Token"))
            .leaf("tt:SAMLToken", cap_bool(dev, "SAMLToken"))
            .leaf("tt:KerberosToken", cap_bool(dev, "KerberosToken"))
            .leaf("tt:RELToken", cap_bool(dev, "RELToken"))
            .close("tt:Security")
            .close("tt:Device");
    }
    if want("Imaging") {
        if let Some(s) = p.service(ServiceKind::Imaging) {
            w.open("tt:Imaging", &[])
                .leaf("tt:XAddr", ctx.xaddr(&s.path))
                .close("tt:Imaging");
        }
    }
    if want("Media") {
        if let Some(s) = p.service(ServiceKind::Media) {
            w.open("tt:Media", &[])
                .leaf("tt:XAddr", ctx.xaddr(&s.path))
                .open("tt:StreamingCapabilities", &[])
                .leaf("tt:RTPMulticast", cap_bool(Some(s), "RTPMulticast"))
                .leaf("tt:RTP_TCP", cap_bool(Some(s), "RTP_TCP"))
                .leaf("tt:RTP_RTSP_TCP", cap_bool(Some(s), "RTP_RTSP_TCP"))
                .close("tt:StreamingCapabilities")
                .close("tt:Media");
        }
    }
    if want("PTZ") {
        if let Some(s) = p.service(ServiceKind::Ptz) {
            w.open("tt:PTZ", &[])
                .leaf("tt:XAddr", ctx.xaddr(&s.path))
                .close("tt:PTZ");
        }
    }
    // Recording has no category of its own: old clients find it under All.
    if all {
        if let Some(s) = p.service(ServiceKind::Recording) {
            let rec = Some(s);
            w.open("tt:Extension", &[])
                .open("tt:Recording", &[])
                .leaf("tt:XAddr", ctx.xaddr(&s.path))
                .leaf("tt:ReceiverSource", false)
                .leaf("tt:MediaProfileSource", true)
                .leaf("tt:DynamicRecordings", cap_bool(rec, "DynamicRecordings"))
                .leaf("tt:DynamicTracks", cap_bool(rec, "DynamicTracks"))
                // The value Axis reports in its RecordingCapabilities.
                .leaf("tt:MaxStringLength", 4096)
                .close("tt:Recording")
                .close("tt:Extension");
        }
    }
    w.close("tds:Capabilities")
        .close("tds:GetCapabilitiesResponse");
    Ok(w.finish())
}

fn get_network_interfaces(state: &DeviceState) -> String {
    let mut w = Writer::new();
    w.open("tds:GetNetworkInterfacesResponse", &[]);
    for iface in &state.interfaces {
        w.open("tds:NetworkInterfaces", &[("token", &iface.token)])
            .leaf("tt:Enabled", iface.enabled)
            .open("tt:Info", &[])
            .leaf("tt:Name", &iface.name)
            .leaf("tt:HwAddress", &iface.mac)
            .leaf("tt:MTU", iface.mtu)
            .close("tt:Info")
            .open("tt:IPv4", &[])
            .leaf("tt:Enabled", iface.ipv4_enabled)
            .open("tt:Config", &[]);
        let block = if iface.dhcp {
            "tt:FromDHCP"
        } else {
            "tt:Manual"
        };
        w.open(block, &[])
            .leaf("tt:Address", iface.address)
            .leaf("tt:PrefixLength", iface.prefix_length)
            .close(block)
            .leaf("tt:DHCP", iface.dhcp)
            .close("tt:Config")
            .close("tt:IPv4")
            .close("tds:NetworkInterfaces");
    }
    w.close("tds:GetNetworkInterfacesResponse");
    w.finish()
}

fn get_gateway(state: &DeviceState) -> String {
    let mut w = Writer::new();
    w.open("tds:GetNetworkDefaultGatewayResponse", &[])
        .open("tds:NetworkGateway", &[]);
    for g in &state.gateway {
        w.leaf("tt:IPv4Address", g);
    }
    for g in &state.gateway_v6 {
        w.leaf("tt:IPv6Address", g);
    }
    w.close("tds:NetworkGateway")
        .close("tds:GetNetworkDefaultGatewayResponse");
    w.finish()
}

fn get_hostname(state: &DeviceState) -> String {
    let mut w = Writer::new();
    w.open("tds:GetHostnameResponse", &[])
        .open("tds:HostnameInformation", &[])
        .leaf("tt:FromDHCP", state.hostname_from_dhcp)
        .leaf("tt:Name", &state.hostname)
        .close("tds:HostnameInformation")
        .close("tds:GetHostnameResponse");
    w.finish()
}

fn ip_address(w: &mut Writer, name: &str, ip: &IpAddr) {
    w.open(name, &[]);
    match ip {
        IpAddr::V4(v4) => w.leaf("tt:Type", "IPv4").leaf("tt:IPv4Address", v4),
        IpAddr::V6(v6) => w.leaf("tt:Type", "IPv6").leaf("tt:IPv6Address", v6),
    };
    w.close(name);
}

fn get_dns(state: &DeviceState) -> String {
    let mut w = Writer::new();
    w.open("tds:GetDNSResponse", &[])
        .open("tds:DNSInformation", &[])
        .leaf("tt:FromDHCP", state.dns_from_dhcp);
    for d in &state.search_domains {
        w.leaf("tt:SearchDomain", d);
    }
    let block = if state.dns_from_dhcp {
        "tt:DNSFromDHCP"
    } else {
        "tt:DNSManual"
    };
    for ip in &state.dns {
        ip_address(&mut w, block, ip);
    }
    w.close("tds:DNSInformation").close("tds:GetDNSResponse");
    w.finish()
}

fn get_ntp(state: &DeviceState) -> String {
    let mut w = Writer::new();
    w.open("tds:GetNTPResponse", &[])
        .open("tds:NTPInformation", &[])
        .leaf("tt:FromDHCP", state.ntp_from_dhcp);
    let block = if state.ntp_from_dhcp {
        "tt:NTPFromDHCP"
    } else {
        "tt:NTPManual"
    };
    for host in &state.ntp {
        w.open(block, &[]);
        match host {
            NetHost::Ipv4(a) => w.leaf("tt:Type", "IPv4").leaf("tt:IPv4Address", a),
            NetHost::Ipv6(a) => w.leaf("tt:Type", "IPv6").leaf("tt:IPv6Address", a),
            NetHost::Dns(n) => w.leaf("tt:Type", "DNS").leaf("tt:DNSname", n),
        };
        w.close(block);
    }
    w.close("tds:NTPInformation").close("tds:GetNTPResponse");
    w.finish()
}

fn get_scopes(ctx: &Ctx<'_>) -> String {
    let mut w = Writer::new();
    w.open("tds:GetScopesResponse", &[]);
    let fixed = ctx.persona.scopes.fixed.iter().map(|s| ("Fixed", s));
    let configurable = ctx.state.scopes.iter().map(|s| ("Configurable", s));
    for (def, item) in fixed.chain(configurable) {
        w.open("tds:Scopes", &[])
            .leaf("tt:ScopeDef", def)
            .leaf("tt:ScopeItem", item)
            .close("tds:Scopes");
    }
    w.close("tds:GetScopesResponse");
    w.finish()
}

fn get_users(state: &DeviceState) -> String {
    let mut w = Writer::new();
    w.open("tds:GetUsersResponse", &[]);
    for u in &state.users {
        w.open("tds:User", &[])
            .leaf("tt:Username", &u.name)
            .leaf("tt:UserLevel", u.level.as_str())
            .close("tds:User");
    }
    w.close("tds:GetUsersResponse");
    w.finish()
}

// ---------------------------------------------------------------------------------------------
// User management

struct UserRequest {
    name: String,
    password: Option<String>,
    level: UserLevel,
}

fn read_users(req: &Node) -> Result<Vec<UserRequest>, Fault> {
    let mut out = Vec::new();
    for u in req.children_named(ns::TDS, "User") {
        let name = required(u, ns::TT, "Username")?.text.clone();
        let password = u.child(ns::TT, "Password").map(|p| p.text.clone());
        let level_text = required(u, ns::TT, "UserLevel")?.text.trim().to_string();
        let level = match level_text.as_str() {
            "Anonymous" => {
                return Err(Fault::prohibited(
                    "ter:AnonymousNotAllowed",
                    "User level anonymous is not allowed",
                ));
            }
            // Extended users carry roles; without role support they get User rights.
            "Extended" => UserLevel::User,
            other => other
                .parse()
                .map_err(|_| Fault::invalid_value(format!("`{other}` is not a tt:UserLevel")))?,
        };
        out.push(UserRequest {
            name,
            password,
            level,
        });
    }
    if out.is_empty() {
        return Err(Fault::invalid_args(format!(
            "{}: at least one tds:User is required",
            req.name
        )));
    }
    Ok(out)
}

fn check_password(p: &Persona, password: &str) -> Result<(), Fault> {
    let a = &p.auth;
    if password.chars().count() > a.password_max_length {
        return Err(Fault::prohibited(
            "ter:PasswordTooLong",
            "The password is too long",
        ));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if password.chars().count() < a.password_min_length || classes < a.password_min_classes {
        // Hikvision's wording (captures/hikvision/Fault-easyonvif-enp1a14.xml).
        return Err(Fault::prohibited("ter:Password", "Too weak password."));
    }
    Ok(())
}

fn create_users(req: &Node, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let users = read_users(req)?;
    let p = ctx.persona;
    for (i, u) in users.iter().enumerate() {
        if u.name.is_empty() {
            return Err(Fault::prohibited(
                "ter:UsernameTooShort",
                "The username is too short",
            ));
        }
        if u.name.chars().count() > p.auth.username_max_length {
            return Err(Fault::prohibited(
                "ter:UsernameTooLong",
                "The username is too long",
            ));
        }
        if ctx.state.users.iter().any(|e| e.name == u.name)
            || users[..i].iter().any(|e| e.name == u.name)
        {
            return Err(Fault::prohibited(
                "ter:UsernameClash",
                format!("Username {} already exists", u.name),
            ));
        }
        check_password(p, u.password.as_deref().unwrap_or(""))?;
    }
    if ctx.state.users.len() + users.len() > p.auth.max_users {
        return Err(Fault::receiver(
            &["ter:Action", "ter:TooManyUsers"],
            "Maximum number of supported users exceeded",
        ));
    }
    for u in users {
        ctx.state.users.push(UserSpec {
            name: u.name,
            password: u.password.unwrap_or_default(),
            level: u.level,
            fixed: false,
        });
    }
    Ok(empty_response("CreateUsers"))
}

fn delete_users(req: &Node, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let names: Vec<&str> = req
        .children_named(ns::TDS, "Username")
        .map(|n| n.text.as_str())
        .collect();
    if names.is_empty() {
        return Err(Fault::invalid_args(
            "DeleteUsers: at least one tds:Username is required",
        ));
    }
    for name in &names {
        let user = ctx
            .state
            .users
            .iter()
            .find(|u| u.name == *name)
            .ok_or_else(|| {
                Fault::invalid_arg("ter:UsernameMissing", format!("No such user: {name}"))
            })?;
        if user.fixed {
            return Err(Fault::invalid_arg(
                "ter:FixedUser",
                format!("User {name} is fixed and cannot be deleted"),
            ));
        }
    }
    ctx.state
        .users
        .retain(|u| !names.contains(&u.name.as_str()));
    Ok(empty_response("DeleteUsers"))
}

fn set_user(req: &Node, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let users = read_users(req)?;
    for u in &users {
        let existing = ctx
            .state
            .users
            .iter()
            .find(|e| e.name == u.name)
            .ok_or_else(|| {
                Fault::invalid_arg("ter:UsernameMissing", format!("No such user: {}", u.name))
            })?;
        if existing.fixed && existing.level != u.level {
            return Err(Fault::invalid_arg(
                "ter:FixedUser",
                format!("User {} is fixed; its level cannot change", u.name),
            ));
        }
        if let Some(pw) = &u.password {
            check_password(ctx.persona, pw)?;
        }
    }
    for u in users {
        if let Some(e) = ctx.state.users.iter_mut().find(|e| e.name == u.name) {
            e.level = u.level;
            if let Some(pw) = u.password {
                e.password = pw;
            }
        }
    }
    Ok(empty_response("SetUser"))
}

// ---------------------------------------------------------------------------------------------
// Network

fn set_hostname(req: &Node, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let name = required(req, ns::TDS, "Name")?.text.trim();
    if !valid_hostname(name) {
        return Err(Fault::invalid_arg(
            "ter:InvalidHostname",
            format!("Invalid hostname: {name}"),
        ));
    }
    ctx.state.hostname = name.to_string();
    ctx.state.hostname_from_dhcp = false;
    Ok(empty_response("SetHostname"))
}

fn read_ipv4(node: &Node, what: &'static str) -> Result<Ipv4Addr, Fault> {
    let text = node.text.trim();
    text.parse::<Ipv4Addr>()
        .ok()
        .filter(|ip| !ip.is_unspecified() && !ip.is_multicast() && !ip.is_broadcast())
        .ok_or_else(|| Fault::invalid_arg(what, format!("Invalid IPv4 address: {text}")))
}

fn read_ipv6(node: &Node, what: &'static str) -> Result<Ipv6Addr, Fault> {
    let text = node.text.trim();
    text.parse::<Ipv6Addr>()
        .ok()
        .filter(|ip| !ip.is_unspecified() && !ip.is_multicast())
        .ok_or_else(|| Fault::invalid_arg(what, format!("Invalid IPv6 address: {text}")))
}

fn set_dns(req: &Node, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let from_dhcp = parse_bool(required(req, ns::TDS, "FromDHCP")?)?;
    let mut search = Vec::new();
    for d in req.children_named(ns::TDS, "SearchDomain") {
        let d = d.text.trim();
        if !valid_hostname(d) {
            return Err(Fault::invalid_value(format!("Invalid search domain: {d}")));
        }
        search.push(d.to_string());
    }
    let mut servers = Vec::new();
    for entry in req.children_named(ns::TDS, "DNSManual") {
        let ty = required(entry, ns::TT, "Type")?.text.trim();
        let ip = match ty {
            "IPv4" => IpAddr::V4(read_ipv4(
                required(entry, ns::TT, "IPv4Address")?,
                "ter:InvalidIPv4Address",
            )?),
            "IPv6" => IpAddr::V6(read_ipv6(
                required(entry, ns::TT, "IPv6Address")?,
                "ter:InvalidIPv6Address",
            )?),
            other => {
                return Err(Fault::invalid_value(format!(
                    "`{other}` is not a tt:IPType"
                )));
            }
        };
        servers.push(ip);
    }
    ctx.state.dns_from_dhcp = from_dhcp;
    ctx.state.search_domains = search;
    if !from_dhcp || !servers.is_empty() {
        ctx.state.dns = servers;
    }
    Ok(empty_response("SetDNS"))
}

fn set_ntp(req: &Node, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let from_dhcp = parse_bool(required(req, ns::TDS, "FromDHCP")?)?;
    let mut hosts = Vec::new();
    for entry in req.children_named(ns::TDS, "NTPManual") {
        let ty = required(entry, ns::TT, "Type")?.text.trim();
        let host = match ty {
            "IPv4" => NetHost::Ipv4(read_ipv4(
                required(entry, ns::TT, "IPv4Address")?,
                "ter:InvalidIPv4Address",
            )?),
            "IPv6" => NetHost::Ipv6(read_ipv6(
                required(entry, ns::TT, "IPv6Address")?,
                "ter:InvalidIPv6Address",
            )?),
            "DNS" => {
                let name = required(entry, ns::TT, "DNSname")?.text.trim();
                if !valid_hostname(name) {
                    return Err(Fault::invalid_arg(
                        "ter:InvalidDnsName",
                        format!("Invalid DNS name: {name}"),
                    ));
                }
                NetHost::Dns(name.to_string())
            }
            other => {
                return Err(Fault::invalid_value(format!(
                    "`{other}` is not a tt:NetworkHostType"
                )));
            }
        };
        hosts.push(host);
    }
    ctx.state.ntp_from_dhcp = from_dhcp;
    if !from_dhcp || !hosts.is_empty() {
        ctx.state.ntp = hosts;
    }
    Ok(empty_response("SetNTP"))
}

fn set_gateway(req: &Node, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let v4 = req
        .children_named(ns::TDS, "IPv4Address")
        .map(|n| read_ipv4(n, "ter:InvalidGatewayAddress"))
        .collect::<Result<Vec<_>, _>>()?;
    let v6 = req
        .children_named(ns::TDS, "IPv6Address")
        .map(|n| read_ipv6(n, "ter:InvalidGatewayAddress"))
        .collect::<Result<Vec<_>, _>>()?;
    ctx.state.gateway = v4;
    ctx.state.gateway_v6 = v6;
    Ok(empty_response("SetNetworkDefaultGateway"))
}

fn set_network_interfaces(req: &Node, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let token = required(req, ns::TDS, "InterfaceToken")?.text.trim();
    let config = required(req, ns::TDS, "NetworkInterface")?;
    let index = ctx
        .state
        .interfaces
        .iter()
        .position(|i| i.token == token)
        .ok_or_else(|| {
            Fault::invalid_arg(
                "ter:InvalidNetworkInterface",
                format!("No network interface with token {token}"),
            )
        })?;
    let enabled = config
        .child(ns::TT, "Enabled")
        .map(parse_bool)
        .transpose()?;
    let mtu = match config.child(ns::TT, "MTU") {
        Some(n) => {
            let mtu: u32 = parse_int(n)?;
            if !(68..=9000).contains(&mtu) {
                return Err(Fault::invalid_arg(
                    "ter:InvalidMtuValue",
                    format!("MTU {mtu} is out of range 68-9000"),
                ));
            }
            Some(mtu)
        }
        None => None,
    };
    let mut ipv4_enabled = None;
    let mut dhcp = None;
    let mut manual = None;
    if let Some(v4) = config.child(ns::TT, "IPv4") {
        ipv4_enabled = v4.child(ns::TT, "Enabled").map(parse_bool).transpose()?;
        dhcp = v4.child(ns::TT, "DHCP").map(parse_bool).transpose()?;
        // The mock keeps one address per interface: the first Manual entry.
        if let Some(m) = v4.child(ns::TT, "Manual") {
            let address = read_ipv4(required(m, ns::TT, "Address")?, "ter:InvalidIPv4Address")?;
            let prefix: u8 = parse_int(required(m, ns::TT, "PrefixLength")?)?;
            if !(1..=32).contains(&prefix) {
                return Err(Fault::invalid_arg(
                    "ter:InvalidIPv4Address",
                    format!("Invalid prefix length {prefix}"),
                ));
            }
            manual = Some((address, prefix));
        }
    }
    let iface = &mut ctx.state.interfaces[index];
    let old = iface.address;
    if let Some(e) = enabled {
        iface.enabled = e;
    }
    if let Some(m) = mtu {
        iface.mtu = m;
    }
    if let Some(e) = ipv4_enabled {
        iface.ipv4_enabled = e;
    }
    if let Some(d) = dhcp {
        iface.dhcp = d;
    }
    if let Some((address, prefix)) = manual {
        iface.prefix_length = prefix;
        if !iface.dhcp {
            iface.address = address;
        }
    }
    // DHCP switched on: the device takes the address the site's server leases its MAC (the
    // first interface only, as the move below).
    if dhcp == Some(true) && iface.dhcp && index == 0 {
        if let Some(lease) = ctx.dhcp.and_then(|s| s.lease(&iface.mac)) {
            iface.address = lease;
            iface.prefix_length = crate::dhcp::PREFIX_LENGTH;
        }
    }
    let moved = iface.address != old;
    let new = iface.address;
    if index == 0 && moved {
        if let IpAddr::V4(listen) = ctx.listen.ip() {
            if listen.is_loopback() && new.is_loopback() {
                ctx.effects.push(Effect::Relocate(new));
            }
        }
    }
    let mut w = Writer::new();
    w.open("tds:SetNetworkInterfacesResponse", &[])
        .leaf(
            "tds:RebootNeeded",
            ctx.persona.quirks.network_change_needs_reboot,
        )
        .close("tds:SetNetworkInterfacesResponse");
    Ok(w.finish())
}

// ---------------------------------------------------------------------------------------------
// Scopes

fn read_scopes(req: &Node, name: &str) -> Result<Vec<String>, Fault> {
    let items: Vec<String> = req
        .children_named(ns::TDS, name)
        .map(|n| n.text.trim().to_string())
        .collect();
    if items.is_empty() {
        return Err(Fault::invalid_args(format!(
            "{}: at least one tds:{name} is required",
            req.name
        )));
    }
    if let Some(bad) = items.iter().find(|s| !valid_uri(s)) {
        return Err(Fault::invalid_value(format!("`{bad}` is not a scope URI")));
    }
    Ok(items)
}

fn check_not_fixed(ctx: &Ctx<'_>, items: &[String]) -> Result<(), Fault> {
    if let Some(s) = items.iter().find(|s| ctx.persona.scopes.fixed.contains(s)) {
        return Err(Fault::prohibited(
            "ter:ScopeOverwrite",
            format!("Scope {s} overwrites a fixed device scope"),
        ));
    }
    Ok(())
}

fn too_many_scopes() -> Fault {
    Fault::receiver(
        &["ter:Action", "ter:TooManyScopes"],
        "The requested scope list exceeds the supported number of scopes",
    )
}

fn set_scopes(req: &Node, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let mut items = read_scopes(req, "Scopes")?;
    check_not_fixed(ctx, &items)?;
    dedup(&mut items);
    if items.len() > ctx.persona.scopes.max_configurable {
        return Err(too_many_scopes());
    }
    if items != ctx.state.scopes {
        ctx.state.scopes = items;
        ctx.state.metadata_version += 1;
    }
    Ok(empty_response("SetScopes"))
}

fn dedup(items: &mut Vec<String>) {
    let mut seen = Vec::new();
    items.retain(|s| {
        if seen.contains(s) {
            false
        } else {
            seen.push(s.clone());
            true
        }
    });
}

fn add_scopes(req: &Node, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let items = read_scopes(req, "ScopeItem")?;
    check_not_fixed(ctx, &items)?;
    let mut next = ctx.state.scopes.clone();
    next.extend(items);
    dedup(&mut next);
    if next.len() > ctx.persona.scopes.max_configurable {
        return Err(too_many_scopes());
    }
    if next != ctx.state.scopes {
        ctx.state.scopes = next;
        ctx.state.metadata_version += 1;
    }
    Ok(empty_response("AddScopes"))
}

fn remove_scopes(req: &Node, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let items = read_scopes(req, "ScopeItem")?;
    for s in &items {
        if ctx.persona.scopes.fixed.contains(s) {
            return Err(Fault::prohibited(
                "ter:FixedScope",
                format!("Scope {s} is fixed and cannot be removed"),
            ));
        }
        if !ctx.state.scopes.contains(s) {
            return Err(Fault::invalid_arg(
                "ter:NoScope",
                format!("Scope {s} does not exist"),
            ));
        }
    }
    ctx.state.scopes.retain(|s| !items.contains(s));
    ctx.state.metadata_version += 1;
    let mut w = Writer::new();
    w.open("tds:RemoveScopesResponse", &[]);
    for s in &items {
        w.leaf("tds:ScopeItem", s);
    }
    w.close("tds:RemoveScopesResponse");
    Ok(w.finish())
}

// ---------------------------------------------------------------------------------------------
// System

fn set_system_date_and_time(req: &Node, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let ty = required(req, ns::TDS, "DateTimeType")?.text.trim();
    let ntp = match ty {
        "NTP" => true,
        "Manual" => false,
        other => {
            return Err(Fault::invalid_value(format!(
                "`{other}` is not a tt:SetDateTimeType"
            )));
        }
    };
    let dst = parse_bool(required(req, ns::TDS, "DaylightSavings")?)?;
    let tz = match req.child(ns::TDS, "TimeZone") {
        Some(z) => {
            let tz = required(z, ns::TT, "TZ")?.text.trim().to_string();
            if PosixTz::parse(&tz).is_none() {
                return Err(Fault::invalid_arg(
                    "ter:InvalidTimeZone",
                    format!("Invalid time zone: {tz}"),
                ));
            }
            Some(tz)
        }
        None => None,
    };
    let manual_time = match req.child(ns::TDS, "UTCDateTime") {
        Some(dt) if !ntp => Some(read_date_time(dt)?),
        _ => None,
    };
    if ntp && ctx.state.ntp.is_empty() && !ctx.state.ntp_from_dhcp {
        return Err(Fault::invalid_arg(
            "ter:NtpServerUndefined",
            "Cannot switch DateTimeType to NTP because no NTP server is defined",
        ));
    }
    ctx.state.ntp_time = ntp;
    ctx.state.daylight_savings = dst;
    if let Some(tz) = tz {
        ctx.state.tz = tz;
    }
    if ntp {
        // The mock's NTP servers always answer: the clock snaps to real time.
        ctx.state.clock_offset = 0;
    } else if let Some(t) = manual_time {
        ctx.state.clock_offset = (t.and_utc() - Utc::now()).num_seconds();
    }
    Ok(empty_response("SetSystemDateAndTime"))
}

fn read_date_time(dt: &Node) -> Result<NaiveDateTime, Fault> {
    let date = required(dt, ns::TT, "Date")?;
    let time = required(dt, ns::TT, "Time")?;
    let y: i32 = parse_int(required(date, ns::TT, "Year")?)?;
    let mo: u32 = parse_int(required(date, ns::TT, "Month")?)?;
    let d: u32 = parse_int(required(date, ns::TT, "Day")?)?;
    let h: u32 = parse_int(required(time, ns::TT, "Hour")?)?;
    let mi: u32 = parse_int(required(time, ns::TT, "Minute")?)?;
    let s: u32 = parse_int(required(time, ns::TT, "Second")?)?;
    NaiveDate::from_ymd_opt(y, mo, d)
        .filter(|_| (1970..=2100).contains(&y))
        .and_then(|date| date.and_hms_opt(h, mi, s))
        .ok_or_else(|| {
            Fault::invalid_arg(
                "ter:InvalidDateTime",
                format!("Invalid date and time {y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}"),
            )
        })
}

fn set_system_factory_default(req: &Node, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let kind = required(req, ns::TDS, "FactoryDefault")?.text.trim();
    let keep_network = match kind {
        "Soft" => true,
        "Hard" => false,
        other => {
            return Err(Fault::invalid_value(format!(
                "`{other}` is not a tt:FactoryDefaultType"
            )));
        }
    };
    let listen_ip = match ctx.listen.ip() {
        IpAddr::V4(v4) => Some(v4),
        IpAddr::V6(_) => None,
    };
    let mut fresh = DeviceState::new(ctx.persona, listen_ip, None, true, ctx.state.clock_offset);
    if keep_network {
        // A soft reset keeps the IP settings (Core, SetSystemFactoryDefault).
        fresh.interfaces = ctx.state.interfaces.clone();
        fresh.gateway = ctx.state.gateway.clone();
        fresh.gateway_v6 = ctx.state.gateway_v6.clone();
        fresh.dns = ctx.state.dns.clone();
        fresh.dns_from_dhcp = ctx.state.dns_from_dhcp;
        fresh.search_domains = ctx.state.search_domains.clone();
        fresh.hostname = ctx.state.hostname.clone();
    }
    fresh.metadata_version = ctx.state.metadata_version + 1;
    *ctx.state = fresh;
    ctx.effects.push(Effect::Reboot(Duration::from_secs(
        ctx.persona.quirks.boot_seconds,
    )));
    Ok(empty_response("SetSystemFactoryDefault"))
}
