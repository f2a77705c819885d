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
use crate::soap::ns;
use crate::tz::PosixTz;

/// Built-in personas: (name, TOML text).
const BUILTIN: &[(&str, &str)] = &[
    (
        "hikvision-ds2cd2143g2",
        include_str!("../personas/hikvision-ds2cd2143g2.toml"),
    ),
    (
        "hikvision-ds2de4425iw",
        include_str!("../personas/hikvision-ds2de4425iw.toml"),
    ),
    (
        "dahua-ipc-hdw2431t",
        include_str!("../personas/dahua-ipc-hdw2431t.toml"),
    ),
    (
        "dahua-sd49225xa",
        include_str!("../personas/dahua-sd49225xa.toml"),
    ),
    (
        "amcrest-ip4m",
        include_str!("../personas/amcrest-ip4m.toml"),
    ),
    (
        "axis-p3265-lve",
        include_str!("../personas/axis-p3265-lve.toml"),
    ),
    (
        "axis-q6135-le",
        include_str!("../personas/axis-q6135-le.toml"),
    ),
    (
        "bosch-flexidome-5100i",
        include_str!("../personas/bosch-flexidome-5100i.toml"),
    ),
    (
        "hanwha-xnv-6080r",
        include_str!("../personas/hanwha-xnv-6080r.toml"),
    ),
    (
        "ipro-wv-x6533ln",
        include_str!("../personas/ipro-wv-x6533ln.toml"),
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
    #[error("cannot read persona file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML does not describe a persona.
    #[error("persona {origin}: {source}")]
    Parse {
        /// File path or `builtin:<name>`.
        origin: String,
        /// The TOML error (names the key and line).
        source: toml::de::Error,
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
    /// Form factor, e.g. `fixed-dome`, `bullet`, `ptz`.
    pub kind: String,
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

impl ServiceKind {
    /// The service's namespace URI.
    pub fn namespace(self) -> &'static str {
        match self {
            Self::Device => ns::TDS,
            Self::Media => ns::TRT,
            Self::Media2 => ns::TR2,
            Self::Ptz => ns::TPTZ,
            Self::Recording => ns::TRC,
            Self::Imaging => ns::TIMG,
        }
    }

    /// The prefix the mock writes for this service.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Device => "tds",
            Self::Media => "trt",
            Self::Media2 => "tr2",
            Self::Ptz => "tptz",
            Self::Recording => "trc",
            Self::Imaging => "timg",
        }
    }

    /// Which capability attributes go on which element of this service's `Capabilities`:
    /// (child element or `""` for the Capabilities element itself, attribute names).
    pub(crate) fn capability_layout(self) -> &'static [(&'static str, &'static [&'static str])] {
        match self {
            Self::Device => &[
                (
                    "Network",
                    &[
                        "IPFilter",
                        "ZeroConfiguration",
                        "IPVersion6",
                        "DynDNS",
                        "Dot11Configuration",
                        "Dot1XConfigurations",
                        "HostnameFromDHCP",
                        "NTP",
                        "DHCPv6",
                    ],
                ),
                (
                    "Security",
                    &[
                        "TLS1.0",
                        "TLS1.1",
                        "TLS1.2",
                        "OnboardKeyGeneration",
                        "AccessPolicyConfig",
                        "DefaultAccessPolicy",
                        "Dot1X",
                        "RemoteUserHandling",
                        "X.509Token",
                        "SAMLToken",
                        "KerberosToken",
                        "RELToken",
                        "JsonWebToken",
                        "SupportedEAPMethods",
                        "SecurityPolicies",
                        "MaxPasswordHistory",
                        "MaxUserRoles",
                    ],
                ),
                (
                    "System",
                    &[
                        "DiscoveryResolve",
                        "DiscoveryBye",
                        "RemoteDiscovery",
                        "SystemBackup",
                        "SystemLogging",
                        "CloudFirmwareUpgrade",
                        "HttpFirmwareUpgrade",
                        "HttpSystemBackup",
                        "HttpSystemLogging",
                        "HttpSupportInformation",
                        "StorageConfiguration",
                        "MaxStorageConfigurations",
                        "StorageConfigurationRenewal",
                        "GeoLocationEntries",
                        "AutoGeo",
                        "StorageTypesSupported",
                        "DiscoveryNotSupported",
                        "NetworkConfigNotSupported",
                        "UserConfigNotSupported",
                        "Addons",
                        "HardwareType",
                    ],
                ),
                ("Misc", &["AuxiliaryCommands"]),
            ],
            Self::Media => &[
                (
                    "",
                    &[
                        "SnapshotUri",
                        "Rotation",
                        "VideoSourceMode",
                        "OSD",
                        "TemporaryOSDText",
                        "EXICompression",
                    ],
                ),
                ("ProfileCapabilities", &["MaximumNumberOfProfiles"]),
                (
                    "StreamingCapabilities",
                    &[
                        "RTPMulticast",
                        "RTP_TCP",
                        "RTP_RTSP_TCP",
                        "NonAggregateControl",
                        "NoRTSPStreaming",
                    ],
                ),
            ],
            Self::Media2 => &[
                (
                    "",
                    &[
                        "SnapshotUri",
                        "Rotation",
                        "VideoSourceMode",
                        "OSD",
                        "TemporaryOSDText",
                        "Mask",
                        "SourceMask",
                        "WebRTC",
                        "WebRTC_codecs",
                    ],
                ),
                (
                    "ProfileCapabilities",
                    &["MaximumNumberOfProfiles", "ConfigurationsSupported"],
                ),
                (
                    "StreamingCapabilities",
                    &[
                        "RTSPStreaming",
                        "RTPMulticast",
                        "RTP_RTSP_TCP",
                        "NonAggregateControl",
                        "RTSPWebSocketUri",
                        "AutoStartMulticast",
                        "SecureRTSPStreaming",
                    ],
                ),
            ],
            Self::Ptz => &[(
                "",
                &[
                    "EFlip",
                    "Reverse",
                    "GetCompatibleConfigurations",
                    "MoveStatus",
                    "StatusPosition",
                    "MoveAndTrack",
                ],
            )],
            Self::Recording => &[(
                "",
                &[
                    "DynamicRecordings",
                    "DynamicTracks",
                    "Encoding",
                    "MaxRate",
                    "MaxTotalRate",
                    "MaxRecordings",
                    "MaxRecordingJobs",
                    "Options",
                    "MetadataRecording",
                    "SupportedExportFileFormats",
                    "EventRecording",
                    "BeforeEventLimit",
                    "AfterEventLimit",
                    "SupportedTargetFormats",
                    "EncryptionEntryLimit",
                    "SupportedEncryptionModes",
                    "OverrideSegmentDuration",
                    "AsymmetricEncryptionSupported",
                    "ScheduledRecording",
                    "OnboardStorage",
                    "SegmentExport",
                ],
            )],
            Self::Imaging => &[("", &["ImageStabilization", "Presets", "AdaptablePreset"])],
        }
    }
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

fn resolve_type(t: &str, index: usize) -> Option<DiscoveryType> {
    if let Some(rest) = t.strip_prefix('{') {
        let (namespace, local) = rest.split_once('}')?;
        return (!namespace.is_empty() && !local.is_empty()).then(|| DiscoveryType {
            prefix: format!("ns{index}"),
            namespace: namespace.into(),
            local: local.into(),
        });
    }
    let (prefix, local) = t.split_once(':')?;
    let namespace = match prefix {
        "dn" | "tdn" => ns::DN,
        "tds" => ns::TDS,
        _ => return None,
    };
    (!local.is_empty()).then(|| DiscoveryType {
        prefix: prefix.into(),
        namespace: namespace.into(),
        local: local.into(),
    })
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
    /// Encoder tokens whose `VideoEncoderConfiguration` a ver10 GetProfiles/GetProfile
    /// reports with Name and UseCount only (Dahua family:
    /// `captures/dahua/GetProfiles-hammeraj-nvr.xml`, `captures/lorex/GetProfiles-sproctor.xml`);
    /// GetVideoEncoderConfigurations still has the full values. Not schema-valid, on purpose.
    #[serde(default)]
    pub media1_stub_encoders: Vec<String>,
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
            media1_stub_encoders: Vec::new(),
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
        let text = std::fs::read_to_string(path).map_err(|source| PersonaError::Read {
            path: path.to_path_buf(),
            source,
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
        let mut persona: Self = toml::from_str(text).map_err(|source| PersonaError::Parse {
            origin: origin.into(),
            source,
        })?;
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

    fn validate(&self, origin: &str) -> Result<(), PersonaError> {
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

impl Persona {
    /// This persona as the device at fleet address `index` (the address's low 24 bits): a
    /// site has many cameras of one model, each with its own MAC, serial number and
    /// WS-Discovery endpoint. Deterministic, and it keeps what fingerprinting relies on: the
    /// vendor's OUI, the serial's shape, MAC case and separators, an endpoint UUID or serial
    /// that carries the MAC (Hikvision, Axis), and MAC-bearing scopes.
    pub fn individualise(&self, index: u32) -> Persona {
        let delta = index & 0x00FF_FFFF;
        let mut p = self.clone();
        let old_first = self
            .network
            .interfaces
            .first()
            .and_then(|i| parse_mac(&i.mac));
        for iface in &mut p.network.interfaces {
            if let Some(mac) = parse_mac(&iface.mac) {
                iface.mac = format_like(&iface.mac, shift_nic(mac, delta));
            }
        }
        let new_first = p.network.interfaces.first().and_then(|i| parse_mac(&i.mac));
        let (Some(old_mac), Some(new_mac)) = (old_first, new_first) else {
            return p;
        };
        let old_hex = hex(&old_mac);
        let new_hex = hex(&new_mac);
        // Serial: the MAC itself (Axis), else its trailing digits count on.
        p.identity.serial = if self.identity.serial.eq_ignore_ascii_case(&old_hex) {
            same_case(&self.identity.serial, &new_hex)
        } else {
            bump_trailing_digits(&self.identity.serial, delta)
        };
        // Endpoint: a UUID whose tail is the MAC keeps that property; others count on.
        let endpoint = &self.discovery.endpoint;
        if endpoint.len() >= 12 && endpoint.is_char_boundary(endpoint.len() - 12) {
            let (head, tail) = endpoint.split_at(endpoint.len() - 12);
            if let Ok(n) = u64::from_str_radix(tail, 16) {
                let new_tail = if tail.eq_ignore_ascii_case(&old_hex) {
                    new_hex.clone()
                } else {
                    format!("{:012x}", (n + u64::from(delta)) & 0xFFFF_FFFF_FFFF)
                };
                p.discovery.endpoint = format!("{head}{new_tail}");
            }
        }
        let old_colon = colon(&old_mac);
        let new_colon = colon(&new_mac);
        for s in p
            .scopes
            .fixed
            .iter_mut()
            .chain(p.scopes.configurable.iter_mut())
        {
            if s.to_ascii_lowercase().contains(&old_colon) {
                *s = replace_ignore_case(s, &old_colon, &new_colon);
            }
        }
        p
    }
}

fn shift_nic(mac: [u8; 6], delta: u32) -> [u8; 6] {
    let nic = u32::from_be_bytes([0, mac[3], mac[4], mac[5]]);
    let [_, a, b, c] = ((nic + delta) & 0x00FF_FFFF).to_be_bytes();
    [mac[0], mac[1], mac[2], a, b, c]
}

fn hex(mac: &[u8; 6]) -> String {
    mac.iter().map(|b| format!("{b:02x}")).collect()
}

fn colon(mac: &[u8; 6]) -> String {
    mac.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Writes `mac` with the separator and letter case of `like`.
fn format_like(like: &str, mac: [u8; 6]) -> String {
    let sep = if like.contains('-') { "-" } else { ":" };
    let s = mac
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(sep);
    same_case(like, &s)
}

fn same_case(like: &str, s: &str) -> String {
    if like.chars().any(|c| c.is_ascii_uppercase()) {
        s.to_ascii_uppercase()
    } else {
        s.to_owned()
    }
}

fn bump_trailing_digits(serial: &str, delta: u32) -> String {
    let digits = serial
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .count()
        .min(8);
    if digits == 0 {
        return format!("{serial}-{delta:06}");
    }
    let (head, tail) = serial.split_at(serial.len() - digits);
    let modulus = 10u64.pow(digits as u32);
    let n = tail.parse::<u64>().unwrap_or(0);
    format!(
        "{head}{:0width$}",
        (n + u64::from(delta)) % modulus,
        width = digits
    )
}

fn replace_ignore_case(s: &str, from: &str, to: &str) -> String {
    let lower = s.to_ascii_lowercase();
    match lower.find(from) {
        Some(i) => format!(
            "{}{}{}",
            &s[..i],
            same_case(&s[i..i + from.len()], to),
            &s[i + from.len()..]
        ),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn individualised_devices_differ_but_keep_vendor_fingerprints() {
        let hik = Persona::builtin("hikvision-ds2cd2143g2").unwrap();
        let a = hik.individualise(0x000101);
        let b = hik.individualise(0x000102);
        let mac_a = &a.network.interfaces[0].mac;
        let mac_b = &b.network.interfaces[0].mac;
        assert_ne!(mac_a, mac_b);
        assert_eq!(mac_a[..8], hik.network.interfaces[0].mac[..8], "OUI kept");
        assert_ne!(a.identity.serial, b.identity.serial);
        assert_eq!(a.identity.serial.len(), hik.identity.serial.len());
        assert_ne!(a.discovery.endpoint, b.discovery.endpoint);
        let axis = Persona::builtin("axis-p3265-lve").unwrap();
        let c = axis.individualise(7);
        let mac_hex: String = c.network.interfaces[0]
            .mac
            .chars()
            .filter(|c| *c != ':')
            .collect();
        assert!(
            c.identity.serial.eq_ignore_ascii_case(&mac_hex),
            "Axis serial is its MAC"
        );
    }

    use super::*;

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

    #[test]
    fn a_persona_whose_encoder_breaks_its_own_options_is_refused() {
        let text = include_str!("../personas/hikvision-ds2cd2143g2.toml").replacen(
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
        let text = include_str!("../personas/axis-p3265-lve.toml")
            .replace("source = \"profile_1_h264\"", "source = \"profile_9\"");
        let err = Persona::from_toml(&text, "test.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("profile_9"), "{err}");
    }

    #[test]
    fn a_typo_in_a_persona_is_an_error_naming_the_key() {
        let text =
            include_str!("../personas/axis-p3265-lve.toml").replace("skew_seconds", "skew_second");
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
        let text = include_str!("../personas/axis-p3265-lve.toml")
            .replace("SnapshotUri = true", "SnapshotURI = true");
        let err = Persona::from_toml(&text, "test.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("SnapshotURI"), "{err}");
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

    #[test]
    fn discovery_types_resolve_to_namespaces() {
        let hik = Persona::builtin("hikvision-ds2cd2143g2").unwrap();
        let types = hik.discovery.resolved_types();
        assert!(
            types
                .iter()
                .any(|t| t.namespace == ns::DN && t.local == "NetworkVideoTransmitter")
        );
        assert!(
            types
                .iter()
                .any(|t| t.namespace == ns::TDS && t.local == "Device")
        );
    }
}
