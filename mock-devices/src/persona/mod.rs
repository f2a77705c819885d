//! Personas: what one camera model looks like over ONVIF, as TOML.
//!
//! A persona holds identity, MACs, network settings, scopes, users, the auth scheme, the
//! services and their capabilities, discovery settings, HTTP habits, vendor quirks and what a
//! factory reset leaves behind. Built-in personas live in `mock-devices/personas/*.toml` and
//! are compiled into the crate; `Persona::from_file` reads any other.
//!
//! Unknown keys are refused, so a typo in a persona is an error rather than a silently ignored
//! setting. The service sections (`[media]`, `[ptz]`, `[recording]`, `[imaging]`) are
//! optional, but each must be present exactly when the matching service is listed, and every
//! value must lie within the persona's own options and refer to tokens that exist.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use std::sync::Arc;

use serde::Deserialize;

use crate::imaging::{ImagingSpec, ImagingState};
use crate::media::{MediaSpec, MediaState};
use crate::ptz::{PtzSpec, PtzState};
use crate::recording::{RecordingSpec, RecordingState};

mod individual;
mod protocol;
mod validate;

use protocol::resolve_type;
pub use validate::{NetHost, parse_mac, valid_hostname, valid_uri};

/// Built-in personas: (name, TOML text).
const BUILTIN: &[(&str, &str)] = &[
    (
        "hikvision-ds2cd2143g2",
        include_str!("../../personas/hikvision-ds2cd2143g2.toml"),
    ),
    (
        "hikvision-ds2de4425iw",
        include_str!("../../personas/hikvision-ds2de4425iw.toml"),
    ),
    (
        "dahua-ipc-hdw2431t",
        include_str!("../../personas/dahua-ipc-hdw2431t.toml"),
    ),
    (
        "dahua-sd49225xa",
        include_str!("../../personas/dahua-sd49225xa.toml"),
    ),
    (
        "amcrest-ip4m",
        include_str!("../../personas/amcrest-ip4m.toml"),
    ),
    (
        "axis-p3265-lve",
        include_str!("../../personas/axis-p3265-lve.toml"),
    ),
    (
        "axis-q6135-le",
        include_str!("../../personas/axis-q6135-le.toml"),
    ),
    (
        "bosch-flexidome-5100i",
        include_str!("../../personas/bosch-flexidome-5100i.toml"),
    ),
    (
        "hanwha-xnv-6080r",
        include_str!("../../personas/hanwha-xnv-6080r.toml"),
    ),
    (
        "ipro-wv-x6533ln",
        include_str!("../../personas/ipro-wv-x6533ln.toml"),
    ),
    (
        "uniview-ipc2122lr3",
        include_str!("../../personas/uniview-ipc2122lr3.toml"),
    ),
    (
        "hikvision-ds7608ni-k2",
        include_str!("../../personas/hikvision-ds7608ni-k2.toml"),
    ),
    (
        "dahua-nvr4216-4ks2",
        include_str!("../../personas/dahua-nvr4216-4ks2.toml"),
    ),
];

/// Why a persona could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PersonaError {
    /// No built-in persona has this name.
    #[error("unknown persona `{name}` (built-in personas: {known})")]
    Unknown {
        /// The name asked for.
        name: String,
        /// Built-in names, comma-separated.
        known: String,
    },
    /// The file could not be read.
    #[error("cannot read persona file {path}: {error}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error (shown in the message, so not a `source`).
        error: std::io::Error,
    },
    /// The TOML does not describe a persona.
    #[error("persona {origin}: {error}")]
    Parse {
        /// File path or `builtin:<name>`.
        origin: String,
        /// The TOML error, naming the key and line (shown in the message, so not a `source`).
        error: toml::de::Error,
    },
    /// A value is out of range or inconsistent.
    #[error("persona {origin}: {field}: {message}")]
    Invalid {
        /// File path or `builtin:<name>`.
        origin: String,
        /// The offending key.
        field: String,
        /// What is wrong with it.
        message: String,
    },
}

/// One camera model's behaviour. See the module docs and the built-in TOML files.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    /// Persona name (`hikvision-ds2cd2143g2`).
    pub name: String,
    /// Form factor, e.g. `fixed-dome`, `bullet`, `ptz`, `nvr`.
    pub kind: String,
    /// Video channels of a recorder (NVR, DVR, encoder): every `[media]` and `[recording]`
    /// array entry with a channel placeholder in one of its strings is channel 1's and is
    /// repeated for each channel (see [`expand_channels`]). Cameras leave it out (one).
    #[serde(default)]
    pub channels: Option<u32>,
    /// Free text for people.
    #[serde(default)]
    pub description: String,
    /// GetDeviceInformation values.
    pub identity: Identity,
    /// Network configuration in normal (configured) state.
    pub network: Network,
    /// Scopes in normal state.
    pub scopes: Scopes,
    /// Users in normal state (none on a factory-default device).
    #[serde(default)]
    pub users: Vec<UserSpec>,
    /// Authentication scheme and user-management limits.
    pub auth: AuthSettings,
    /// Clock settings.
    #[serde(default)]
    pub time: TimeSettings,
    /// Services listed by GetServices, with their paths, versions and capabilities.
    pub services: Vec<ServiceSpec>,
    /// WS-Discovery identity and quirks (the responder lives in `discovery.rs`).
    pub discovery: DiscoverySettings,
    /// HTTP habits.
    #[serde(default)]
    pub http: HttpSettings,
    /// Vendor behaviours that differ from the spec's happy path.
    #[serde(default)]
    pub quirks: Quirks,
    /// What a factory reset leaves (network values; users are always gone).
    #[serde(default)]
    pub factory: FactorySettings,
    /// Video sources, profiles, encoders and their options (Media and Media2). After changing
    /// this or the other service sections in code, call [`Persona::refresh`].
    #[serde(default)]
    pub media: Option<MediaSpec>,
    /// The PTZ unit: node, configurations, presets and calibration.
    #[serde(default)]
    pub ptz: Option<PtzSpec>,
    /// Edge storage: recordings, tracks and recording jobs.
    #[serde(default)]
    pub recording: Option<RecordingSpec>,
    /// Imaging settings and their options.
    #[serde(default)]
    pub imaging: Option<ImagingSpec>,
    /// The configured and factory-default service states, built once when the persona is
    /// loaded so that every device of a fleet starts from a clone.
    #[serde(skip)]
    initial: Option<Arc<(ServiceStates, ServiceStates)>>,
}

/// The state of the media, PTZ, recording and imaging services of one device.
#[derive(Debug, Clone, Default)]
pub struct ServiceStates {
    /// Profiles and encoder settings.
    pub media: MediaState,
    /// Position, presets and home of the PTZ unit, if there is one.
    pub ptz: Option<PtzState>,
    /// Recordings and jobs, if the device has edge storage.
    pub recording: Option<RecordingState>,
    /// Imaging settings per video source.
    pub imaging: ImagingState,
}

/// GetDeviceInformation values.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// `Manufacturer`.
    pub manufacturer: String,
    /// `Model`.
    pub model: String,
    /// `FirmwareVersion`.
    pub firmware: String,
    /// `SerialNumber`.
    pub serial: String,
    /// `HardwareId`.
    pub hardware_id: String,
}

/// Network configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Hostname.
    pub hostname: String,
    /// Whether the hostname comes from DHCP.
    #[serde(default)]
    pub hostname_from_dhcp: bool,
    /// Default gateways.
    #[serde(default)]
    pub gateway: Vec<Ipv4Addr>,
    /// Manual DNS servers.
    #[serde(default)]
    pub dns: Vec<IpAddr>,
    /// Whether DNS comes from DHCP.
    #[serde(default)]
    pub dns_from_dhcp: bool,
    /// DNS search domains.
    #[serde(default)]
    pub search_domains: Vec<String>,
    /// Manual NTP servers: IPv4, IPv6 or DNS names.
    #[serde(default)]
    pub ntp: Vec<String>,
    /// Whether NTP servers come from DHCP.
    #[serde(default)]
    pub ntp_from_dhcp: bool,
    /// Network interfaces; the first one carries the address the mock listens on.
    pub interfaces: Vec<InterfaceSpec>,
}

/// One network interface.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterfaceSpec {
    /// Interface token (`eth0`).
    pub token: String,
    /// Interface name in `Info/Name`; defaults to the token.
    #[serde(default)]
    pub name: Option<String>,
    /// MAC address, written as the vendor writes it (case matters to fingerprinting).
    pub mac: String,
    /// MTU.
    #[serde(default = "default_mtu")]
    pub mtu: u32,
    /// Whether IPv4 comes from DHCP.
    #[serde(default)]
    pub dhcp: bool,
    /// IPv4 address to report when the mock is bound to an unspecified address; otherwise the
    /// bound address is reported, because that is where clients reach the device.
    #[serde(default)]
    pub address: Option<Ipv4Addr>,
    /// IPv4 prefix length.
    #[serde(default = "default_prefix")]
    pub prefix_length: u8,
}

fn default_mtu() -> u32 {
    1500
}

fn default_prefix() -> u8 {
    24
}

/// Scopes: fixed ones cannot be changed over ONVIF, configurable ones can.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scopes {
    /// Fixed scope URIs, in the order the device lists them.
    pub fixed: Vec<String>,
    /// Configurable scope URIs.
    #[serde(default)]
    pub configurable: Vec<String>,
    /// Most configurable scopes the device keeps (`ter:TooManyScopes` beyond).
    #[serde(default = "default_max_scopes")]
    pub max_configurable: usize,
}

fn default_max_scopes() -> usize {
    16
}

/// ONVIF user levels a device stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub enum UserLevel {
    /// Reads what a user may see (PRE_AUTH, READ_SYSTEM, READ_MEDIA).
    User,
    /// Also READ_SYSTEM_SENSITIVE and ACTUATE.
    Operator,
    /// Everything, including WRITE_SYSTEM and user management.
    Administrator,
}

impl UserLevel {
    /// The `tt:UserLevel` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "User",
            Self::Operator => "Operator",
            Self::Administrator => "Administrator",
        }
    }
}

impl FromStr for UserLevel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "Administrator" => Ok(Self::Administrator),
            "Operator" => Ok(Self::Operator),
            "User" => Ok(Self::User),
            other => Err(format!(
                "`{other}` is not a user level (Administrator, Operator, User)"
            )),
        }
    }
}

/// A user account.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    /// Username.
    pub name: String,
    /// Password (kept for checking credentials; never written anywhere by the mock).
    pub password: String,
    /// Level.
    pub level: UserLevel,
    /// A fixed user cannot be deleted nor change level (Hikvision's `admin`).
    #[serde(default)]
    pub fixed: bool,
}

impl UserSpec {
    /// An administrator with this name and password.
    pub fn admin(name: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            password: password.into(),
            level: UserLevel::Administrator,
            fixed: false,
        }
    }
}

impl fmt::Debug for UserSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserSpec")
            .field("name", &self.name)
            .field("password", &"<redacted>")
            .field("level", &self.level)
            .field("fixed", &self.fixed)
            .finish()
    }
}

impl FromStr for UserSpec {
    type Err = String;

    /// `NAME:PASS` (an administrator) or `NAME:PASS:LEVEL`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, rest) = s
            .split_once(':')
            .ok_or("expected NAME:PASS or NAME:PASS:LEVEL")?;
        let (password, level) = match rest.rsplit_once(':') {
            Some((p, l)) if l.parse::<UserLevel>().is_ok() => (p, l.parse()?),
            _ => (rest, UserLevel::Administrator),
        };
        if name.is_empty() {
            return Err("the user name is empty".into());
        }
        Ok(Self {
            name: name.into(),
            password: password.into(),
            level,
            fixed: false,
        })
    }
}

/// Which credentials a device demands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    /// HTTP Digest only (WS-Security headers are ignored).
    Digest,
    /// WS-UsernameToken only; no credentials gives HTTP 400 + `ter:NotAuthorized`.
    Wsse,
    /// Both HTTP Digest and a WS-UsernameToken on every request.
    Both,
    /// Either one, as most cameras do (HTTP Digest is checked first when both are sent).
    Any,
    /// No authentication at all.
    None,
}

impl FromStr for AuthMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "digest" => Ok(Self::Digest),
            "wsse" => Ok(Self::Wsse),
            "both" => Ok(Self::Both),
            "any" => Ok(Self::Any),
            "none" => Ok(Self::None),
            other => Err(format!(
                "`{other}` is not an auth mode (digest, wsse, both, any, none)"
            )),
        }
    }
}

impl AuthMode {
    /// Whether HTTP Digest is part of this mode.
    pub fn uses_digest(self) -> bool {
        matches!(self, Self::Digest | Self::Both | Self::Any)
    }

    /// Whether WS-UsernameToken is part of this mode.
    pub fn uses_wsse(self) -> bool {
        matches!(self, Self::Wsse | Self::Both | Self::Any)
    }
}

/// HTTP Digest hash algorithms (RFC 7616).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum DigestAlgorithm {
    /// MD5, the default.
    #[serde(rename = "MD5")]
    Md5,
    /// SHA-256.
    #[serde(rename = "SHA-256")]
    Sha256,
}

impl DigestAlgorithm {
    /// The token in `algorithm=`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Sha256 => "SHA-256",
        }
    }
}

/// Authentication and user-management settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// Which credentials the device demands.
    pub mode: AuthMode,
    /// Digest challenges offered, one `WWW-Authenticate` header each, preferred first.
    #[serde(default = "default_algorithms")]
    pub digest_algorithms: Vec<DigestAlgorithm>,
    /// Digest realm.
    pub realm: String,
    /// Allowed distance between a UsernameToken's `Created` and the device clock, seconds.
    #[serde(default = "default_skew")]
    pub skew_seconds: u64,
    /// How long a digest nonce stays valid, seconds (then `stale=true`).
    #[serde(default = "default_nonce_lifetime")]
    pub nonce_lifetime_seconds: u64,
    /// Whether a UsernameToken may carry a clear-text password.
    #[serde(default)]
    pub password_text: bool,
    /// Most users the device stores (`ter:TooManyUsers`).
    #[serde(default = "default_max_users")]
    pub max_users: usize,
    /// Longest username (`ter:UsernameTooLong`).
    #[serde(default = "default_name_max")]
    pub username_max_length: usize,
    /// Shortest password accepted (shorter is `ter:Password`, "too weak").
    #[serde(default)]
    pub password_min_length: usize,
    /// Longest password (`ter:PasswordTooLong`).
    #[serde(default = "default_password_max")]
    pub password_max_length: usize,
    /// Character classes (lower, upper, digit, other) a password needs.
    #[serde(default)]
    pub password_min_classes: usize,
}

fn default_algorithms() -> Vec<DigestAlgorithm> {
    vec![DigestAlgorithm::Md5]
}

fn default_skew() -> u64 {
    300
}

fn default_nonce_lifetime() -> u64 {
    300
}

fn default_max_users() -> usize {
    32
}

fn default_name_max() -> usize {
    32
}

fn default_password_max() -> usize {
    64
}

/// Clock settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeSettings {
    /// POSIX TZ string as the device reports it.
    #[serde(default = "default_tz")]
    pub tz: String,
    /// `DaylightSavings`.
    #[serde(default)]
    pub daylight_savings: bool,
    /// `DateTimeType` NTP (true) or Manual (false).
    #[serde(default)]
    pub ntp: bool,
}

fn default_tz() -> String {
    "UTC0".into()
}

impl Default for TimeSettings {
    fn default() -> Self {
        Self {
            tz: default_tz(),
            daylight_savings: false,
            ntp: false,
        }
    }
}

/// ONVIF services a persona can list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceKind {
    /// Device management (tds).
    Device,
    /// Media ver10 (trt).
    Media,
    /// Media2 ver20 (tr2).
    Media2,
    /// PTZ ver20 (tptz).
    Ptz,
    /// Recording control ver10 (trc).
    Recording,
    /// Imaging ver20 (timg).
    Imaging,
}

/// One service entry of GetServices.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// Which service.
    pub kind: ServiceKind,
    /// URL path of its XAddr (`/onvif/Media`).
    pub path: String,
    /// Version as `MAJOR.MINOR` (`"16.12"`, `"2.60"`).
    pub version: String,
    /// Capability attributes by name (`SnapshotUri = true`), placed on the right element of
    /// the service's `Capabilities`. For the device service, `UsernameToken`, `HttpDigest`,
    /// `MaxUsers`, `MaxUserNameLength`, `MaxPasswordLength` and `HashingAlgorithms` come from
    /// `[auth]` and may not be set here.
    #[serde(default)]
    pub capabilities: BTreeMap<String, toml::Value>,
}

impl ServiceSpec {
    /// `(major, minor)` of [`ServiceSpec::version`].
    pub fn version_numbers(&self) -> Option<(u32, u32)> {
        let (major, minor) = self.version.split_once('.')?;
        Some((major.parse().ok()?, minor.parse().ok()?))
    }

    /// A capability value as XML attribute text.
    pub(crate) fn capability(&self, name: &str) -> Option<String> {
        self.capabilities.get(name).map(value_text)
    }
}

fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

/// WS-Discovery settings; scopes come from the device's current scopes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscoverySettings {
    /// Endpoint reference address, `urn:uuid:...` (stable across reboots).
    pub endpoint: String,
    /// Types as QNames with a known prefix (`dn:NetworkVideoTransmitter`, `tds:Device`) or as
    /// `{namespace}Local`.
    pub types: Vec<String>,
    /// `MetadataVersion` at start; the device bumps it when its scopes change.
    #[serde(default = "default_metadata_version")]
    pub metadata_version: u32,
    /// Discovery misbehaviours to reproduce.
    #[serde(default)]
    pub quirks: DiscoveryQuirks,
}

fn default_metadata_version() -> u32 {
    1
}

/// A discovery type resolved to its namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveryType {
    /// Prefix to write (as in the persona, or `ns0`.. for `{uri}` forms).
    pub prefix: String,
    /// Namespace URI.
    pub namespace: String,
    /// Local name.
    pub local: String,
}

impl DiscoverySettings {
    /// The types with their namespaces resolved; persona validation guarantees they resolve.
    pub fn resolved_types(&self) -> Vec<DiscoveryType> {
        self.types
            .iter()
            .enumerate()
            .filter_map(|(i, t)| resolve_type(t, i))
            .collect()
    }
}

/// WS-Discovery misbehaviours seen on real devices.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscoveryQuirks {
    /// XAddrs name a host other than the one the reply comes from.
    #[serde(default)]
    pub wrong_xaddr_host: bool,
    /// Every ProbeMatch is sent twice.
    #[serde(default)]
    pub reply_twice: bool,
    /// The reply is not well-formed XML.
    #[serde(default)]
    pub malformed_reply: bool,
    /// `MetadataVersion` is left out.
    #[serde(default)]
    pub no_metadata_version: bool,
    /// Unusual namespace prefixes in the reply.
    #[serde(default)]
    pub odd_prefixes: bool,
}

/// HTTP habits of the device's web server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    /// `Server` header, if the device sends one.
    #[serde(default)]
    pub server: Option<String>,
    /// Prefix for the SOAP envelope namespace (`env` Hikvision, `SOAP-ENV` gSOAP/Axis).
    #[serde(default = "default_env_prefix")]
    pub envelope_prefix: String,
    /// HTTP status for `env:Sender` faults.
    #[serde(default = "default_sender_status")]
    pub sender_fault_status: u16,
    /// HTTP status for `env:Receiver` faults (unknown operations among them).
    #[serde(default = "default_receiver_status")]
    pub receiver_fault_status: u16,
}

fn default_env_prefix() -> String {
    "env".into()
}

fn default_sender_status() -> u16 {
    400
}

fn default_receiver_status() -> u16 {
    500
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            server: None,
            envelope_prefix: default_env_prefix(),
            sender_fault_status: default_sender_status(),
            receiver_fault_status: default_receiver_status(),
        }
    }
}

/// Vendor behaviours.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quirks {
    /// A wrong UsernameToken is refused even on PRE_AUTH operations (seen on Axis:
    /// `captures/axis/Fault-onvifgo-unknownaxis-notauthorized-getsystemdateandtime.xml`).
    #[serde(default)]
    pub reject_bad_token_on_pre_auth: bool,
    /// Seconds a SystemReboot or SetSystemFactoryDefault keeps the device away.
    #[serde(default = "default_boot_seconds")]
    pub boot_seconds: u64,
    /// Value of `SetNetworkInterfacesResponse/RebootNeeded`.
    #[serde(default)]
    pub network_change_needs_reboot: bool,
    /// Milliseconds the device is away when SetNetworkInterfaces moves it to another
    /// address (it reboots onto it); 0 answers on the new address at once.
    #[serde(default)]
    pub network_move_ms: u64,
    /// Encoder tokens whose `VideoEncoderConfiguration` a ver10 GetProfiles/GetProfile
    /// reports with Name and UseCount only (Dahua family:
    /// `captures/dahua/GetProfiles-hammeraj-nvr.xml`, `captures/lorex/GetProfiles-sproctor.xml`);
    /// GetVideoEncoderConfigurations still has the full values. Not schema-valid, on purpose.
    #[serde(default)]
    pub media1_stub_encoders: Vec<String>,
    /// A hostile device: GetServices and GetCapabilities give every service address at this
    /// `host:port` (someone else's) rather than the device's own, to collect the credentials
    /// of a client that follows them (issue 10, item 3).
    #[serde(default)]
    pub foreign_service_host: Option<String>,
}

fn default_boot_seconds() -> u64 {
    1
}

impl Default for Quirks {
    fn default() -> Self {
        Self {
            reject_bad_token_on_pre_auth: false,
            boot_seconds: default_boot_seconds(),
            network_change_needs_reboot: false,
            network_move_ms: 0,
            media1_stub_encoders: Vec::new(),
            foreign_service_host: None,
        }
    }
}

/// What survives a factory reset: any value left out keeps the `[network]` value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorySettings {
    /// Default IPv4 address (reported when bound to an unspecified address).
    #[serde(default)]
    pub address: Option<Ipv4Addr>,
    /// Default prefix length.
    #[serde(default)]
    pub prefix_length: Option<u8>,
    /// Whether DHCP is on out of the box.
    #[serde(default)]
    pub dhcp: Option<bool>,
    /// Default hostname.
    #[serde(default)]
    pub hostname: Option<String>,
    /// Default gateways.
    #[serde(default)]
    pub gateway: Option<Vec<Ipv4Addr>>,
    /// Default DNS servers.
    #[serde(default)]
    pub dns: Option<Vec<IpAddr>>,
    /// Default NTP servers.
    #[serde(default)]
    pub ntp: Option<Vec<String>>,
    /// Default configurable scopes.
    #[serde(default)]
    pub configurable_scopes: Option<Vec<String>>,
    /// Default time zone.
    #[serde(default)]
    pub tz: Option<String>,
}

/// The most channels a recorder persona may have (real NVRs go to 256).
pub const MAX_CHANNELS: u32 = 256;

/// The arrays of tables that hold per-channel entries.
const CHANNEL_ARRAYS: &[&[&str]] = &[
    &["media", "video_sources"],
    &["media", "video_source_configurations"],
    &["media", "audio_sources"],
    &["media", "audio_encoders"],
    &["media", "encoders"],
    &["media", "profiles"],
    &["media", "factory", "encoders"],
    &["media", "factory", "profiles"],
    &["recording", "recordings"],
    &["recording", "jobs"],
    &["recording", "factory", "recordings"],
    &["recording", "factory", "jobs"],
];

/// Channel placeholders and their value for channel `c` (1-based): `{ch}` `3`, `{ch2}` `03`
/// (Hikvision's "Camera 03"), `{ch0_3}` `002` (Dahua's 0-based `00200` tokens).
fn channel_placeholders(c: u32) -> [(&'static str, String); 3] {
    [
        ("{ch}", c.to_string()),
        ("{ch2}", format!("{c:02}")),
        ("{ch0_3}", format!("{:03}", c - 1)),
    ]
}

fn has_placeholder(v: &toml::Value) -> bool {
    match v {
        toml::Value::String(s) => channel_placeholders(1).iter().any(|(k, _)| s.contains(k)),
        toml::Value::Array(a) => a.iter().any(has_placeholder),
        toml::Value::Table(t) => t.values().any(has_placeholder),
        _ => false,
    }
}

fn substitute(v: &mut toml::Value, values: &[(&'static str, String)]) {
    match v {
        toml::Value::String(s) => {
            for (k, val) in values {
                if s.contains(k) {
                    *s = s.replace(k, val);
                }
            }
        }
        toml::Value::Array(a) => a.iter_mut().for_each(|x| substitute(x, values)),
        toml::Value::Table(t) => t.iter_mut().for_each(|(_, x)| substitute(x, values)),
        _ => {}
    }
}

/// Repeats every per-channel entry (one with a channel placeholder) of the `[media]` and
/// `[recording]` arrays for channels 1..=n, in channel order, after the entries without one. A recorder lists one channel's profiles, encoders and
/// recordings instead of n copies, as a real NVR's channels are alike.
pub fn expand_channels(table: &mut toml::Table, n: u32) {
    for path in CHANNEL_ARRAYS {
        let mut node = Some(&mut *table);
        for key in &path[..path.len() - 1] {
            node = node
                .and_then(|t| t.get_mut(*key))
                .and_then(|v| v.as_table_mut());
        }
        let Some(array) = node
            .and_then(|t| t.get_mut(path[path.len() - 1]))
            .and_then(|v| v.as_array_mut())
        else {
            continue;
        };
        let (fixed, per_channel): (Vec<toml::Value>, Vec<toml::Value>) =
            array.drain(..).partition(|v| !has_placeholder(v));
        array.extend(fixed);
        for c in 1..=n {
            let values = channel_placeholders(c);
            for entry in &per_channel {
                let mut e = entry.clone();
                substitute(&mut e, &values);
                array.push(e);
            }
        }
    }
}

impl Persona {
    /// Names of the built-in personas.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(name, _)| *name).collect()
    }

    /// A built-in persona by name.
    pub fn builtin(name: &str) -> Result<Self, PersonaError> {
        let (_, text) =
            BUILTIN
                .iter()
                .find(|(n, _)| *n == name)
                .ok_or_else(|| PersonaError::Unknown {
                    name: name.into(),
                    known: Self::builtin_names().join(", "),
                })?;
        Self::from_toml(text, &format!("builtin:{name}"))
    }

    /// A persona from a TOML file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, PersonaError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|error| PersonaError::Read {
            path: path.to_path_buf(),
            error,
        })?;
        Self::from_toml(&text, &path.display().to_string())
    }

    /// A built-in name, or else a file path.
    pub fn resolve(name_or_path: &str) -> Result<Self, PersonaError> {
        if BUILTIN.iter().any(|(n, _)| *n == name_or_path) {
            return Self::builtin(name_or_path);
        }
        let path = Path::new(name_or_path);
        if path.exists() {
            return Self::from_file(path);
        }
        Err(PersonaError::Unknown {
            name: name_or_path.into(),
            known: Self::builtin_names().join(", "),
        })
    }

    /// A persona from TOML text; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, PersonaError> {
        let parse_error = |error| PersonaError::Parse {
            origin: origin.into(),
            error,
        };
        // Parsed from the text first, so that errors keep their line numbers.
        let mut persona: Self = toml::from_str(text).map_err(parse_error)?;
        if let Some(n) = persona.channels {
            if !(1..=MAX_CHANNELS).contains(&n) {
                return Err(PersonaError::Invalid {
                    origin: origin.into(),
                    field: "channels".into(),
                    message: format!("1 to {MAX_CHANNELS}"),
                });
            }
            let mut table: toml::Table = toml::from_str(text).map_err(parse_error)?;
            expand_channels(&mut table, n);
            persona = toml::Value::Table(table).try_into().map_err(parse_error)?;
        }
        persona.validate(origin)?;
        persona.refresh();
        Ok(persona)
    }

    /// The service states a device of this persona starts with: configured, or factory
    /// default. Built once when the persona is loaded and cloned for each device.
    pub fn service_states(&self, factory: bool) -> ServiceStates {
        match &self.initial {
            Some(pair) if factory => pair.1.clone(),
            Some(pair) => pair.0.clone(),
            None => self.build_states(factory),
        }
    }

    /// Rebuild the prebuilt service states after changing `media`, `ptz`, `recording` or
    /// `imaging` in code (a persona read from TOML has them already).
    pub fn refresh(&mut self) {
        self.initial = Some(Arc::new((
            self.build_states(false),
            self.build_states(true),
        )));
    }

    fn build_states(&self, factory: bool) -> ServiceStates {
        ServiceStates {
            media: self
                .media
                .as_ref()
                .map(|m| m.initial_state(factory))
                .unwrap_or_default(),
            ptz: self.ptz.as_ref().map(|p| p.initial_state(factory)),
            recording: self.recording.as_ref().map(|r| r.initial_state(factory)),
            imaging: match (&self.imaging, &self.media) {
                (Some(i), Some(m)) => {
                    let sources: Vec<String> =
                        m.video_sources.iter().map(|s| s.token.clone()).collect();
                    i.initial_state(&sources, factory)
                }
                _ => Vec::new(),
            },
        }
    }

    /// The service entry of this kind, if the persona lists it.
    pub fn service(&self, kind: ServiceKind) -> Option<&ServiceSpec> {
        self.services.iter().find(|s| s.kind == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Issue 9 item 5: the message shows the cause, so it is not also the `source` (a chain
    // printer would say it twice).
    #[test]
    fn unreadable_and_unparsable_files_say_why_once() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("persona.toml");
        let e = Persona::from_file(&missing).unwrap_err();
        let io = std::fs::read(&missing).unwrap_err().to_string();
        assert!(e.to_string().ends_with(&format!(": {io}")), "{e}");
        assert!(std::error::Error::source(&e).is_none(), "{e:?}");
        let e = Persona::from_toml("name = [", "test.toml").unwrap_err();
        assert!(e.to_string().starts_with("persona test.toml: "), "{e}");
        assert!(std::error::Error::source(&e).is_none(), "{e:?}");
    }

    #[test]
    fn every_builtin_persona_loads_under_its_own_name() {
        for name in Persona::builtin_names() {
            let persona = Persona::builtin(name).unwrap();
            assert_eq!(persona.name, name);
        }
    }

    #[test]
    fn unknown_persona_names_the_known_ones() {
        let err = Persona::builtin("nope").unwrap_err().to_string();
        assert!(err.contains("hikvision-ds2cd2143g2"), "{err}");
    }

    #[test]
    fn axis_serial_is_its_mac_without_colons() {
        let axis = Persona::builtin("axis-p3265-lve").unwrap();
        let mac = axis.network.interfaces[0]
            .mac
            .replace(':', "")
            .to_uppercase();
        assert_eq!(axis.identity.serial, mac);
        assert!(mac.starts_with("ACCC8E"), "Axis OUI AC:CC:8E");
    }

    #[test]
    fn hikvision_endpoint_uuid_ends_with_its_mac() {
        // DOMAIN.md 1b: the last 12 hex digits of a Hikvision endpoint UUID equal the MAC.
        let hik = Persona::builtin("hikvision-ds2cd2143g2").unwrap();
        let mac = hik.network.interfaces[0]
            .mac
            .replace(':', "")
            .to_lowercase();
        assert!(hik.discovery.endpoint.ends_with(&mac));
        assert!(mac.starts_with("4419b6"), "Hikvision OUI 44:19:B6");
    }

    #[test]
    fn every_mac_is_in_its_vendors_ieee_prefix() {
        // DOMAIN.md 1a (IEEE registry via Debian ieee-data, 2022-08-27).
        let expected: &[(&str, &[&str])] = &[
            ("HIKVISION", &["4419B6", "C056E3"]),
            ("Dahua", &["3CEF8C", "4C11BF"]),
            ("Amcrest", &["9C8ECD"]),
            ("AXIS", &["ACCC8E", "B8A44F", "00408C"]),
            ("Bosch", &["000463", "000131", "001C44"]),
            ("Hanwha Vision", &["E43022", "000918"]),
            ("i-PRO", &["D42DC5"]),
            ("UNIVIEW", &["48EA63", "6CF17E", "C47905"]),
        ];
        for name in Persona::builtin_names() {
            let p = Persona::builtin(name).unwrap();
            let mac: String = p.network.interfaces[0]
                .mac
                .chars()
                .filter(char::is_ascii_hexdigit)
                .collect::<String>()
                .to_uppercase();
            let (_, prefixes) = expected
                .iter()
                .find(|(m, _)| *m == p.identity.manufacturer)
                .unwrap_or_else(|| panic!("{name}: no OUI list for {}", p.identity.manufacturer));
            assert!(
                prefixes.iter().any(|o| mac.starts_with(o)),
                "{name}: {mac} is not in {prefixes:?}"
            );
        }
    }

    #[test]
    fn hikvision_ptz_preset_one_is_where_the_calibration_puts_it() {
        let p = Persona::builtin("hikvision-ds2de4425iw").unwrap();
        let ptz = p.service_states(false).ptz.unwrap();
        let one = ptz.presets.iter().find(|q| q.token == "1").unwrap();
        let pos = one.position.unwrap();
        assert_eq!(one.name, "Main Gate");
        assert!((pos.x + 0.5).abs() < 1e-9);
        assert!((pos.y - (45.0 / 105.0 * 2.0 - 1.0)).abs() < 1e-9);
        assert!((pos.z - 0.0883).abs() < 5e-4, "{}", pos.z);
        let spec = p.ptz.as_ref().unwrap();
        assert_eq!(spec.listing(&ptz).len(), 300);
        let factory = p.service_states(true).ptz.unwrap();
        assert_eq!(
            factory.presets.iter().filter(|q| q.is_set()).count(),
            0,
            "a reset empties every slot"
        );
        assert_eq!(spec.listing(&factory)[0].name, "Preset 1");
    }
    /// A recorder persona lists channel 1 and `channels = n` repeats it: the 16-channel Dahua
    /// NVR has the tokens and names of `dahua/GetProfiles-hammeraj-nvr.xml`'s 5-digit,
    /// 0-based form (`MediaProfile00100` is channel 2's main stream).
    #[test]
    fn recorder_channels_are_repeated_with_the_captures_tokens() {
        let p = Persona::builtin("dahua-nvr4216-4ks2").unwrap();
        let m = p.media.as_ref().unwrap();
        assert_eq!(m.video_sources.len(), 16);
        assert_eq!(m.profiles.len(), 48);
        assert_eq!(m.profiles[3].token, "MediaProfile00100");
        assert_eq!(m.profiles[3].name, "MediaProfile_Channel2_MainStream");
        assert_eq!(m.profiles[3].video_source.as_deref(), Some("00100"));
        assert_eq!(
            m.video_source_configurations[15].name,
            "VideoSourceConfig_Channel16"
        );
        assert_eq!(m.encoders[47].token, "01502");
        assert_eq!(m.encoders[47].stream.as_deref(), Some("16&subtype=2"));
        let r = p.recording.as_ref().unwrap();
        assert_eq!(r.jobs.len(), 16);
        assert_eq!(r.jobs[9].source, "MediaProfile00900");
        let hik = Persona::builtin("hikvision-ds7608ni-k2").unwrap();
        let m = hik.media.as_ref().unwrap();
        assert_eq!(m.video_source_configurations.len(), 8);
        assert_eq!(m.video_source_configurations[7].name, "Camera 08");
        assert_eq!(m.profiles[2].token, "Profile_201");
        // A camera persona has no placeholders and is left as it is.
        let cam = Persona::builtin("dahua-ipc-hdw2431t").unwrap();
        assert_eq!(cam.media.as_ref().unwrap().profiles.len(), 2);
        let err = Persona::from_toml(
            &include_str!("../../personas/dahua-nvr4216-4ks2.toml")
                .replace("channels = 16", "channels = 0"),
            "t",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("channels"), "{err}");
    }

    #[test]
    fn user_override_parses_level_and_keeps_colons_in_passwords() {
        let u: UserSpec = "op:pa:ss:Operator".parse().unwrap();
        assert_eq!(
            (u.name.as_str(), u.password.as_str(), u.level),
            ("op", "pa:ss", UserLevel::Operator)
        );
        let u: UserSpec = "admin:x:y".parse().unwrap();
        assert_eq!(
            (u.password.as_str(), u.level),
            ("x:y", UserLevel::Administrator)
        );
        assert!("nopass".parse::<UserSpec>().is_err());
    }

    #[test]
    fn debug_output_never_shows_passwords() {
        let persona = Persona::builtin("hikvision-ds2cd2143g2").unwrap();
        assert!(!format!("{persona:?}").contains("camswap-demo"));
    }
}
