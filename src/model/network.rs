//! Network identity: interfaces, IPv4, hostname, DNS, NTP, scopes and users.

use serde::{Deserialize, Serialize};

/// Network identity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Network {
    /// Interfaces.
    #[serde(default)]
    pub interfaces: Vec<NetworkInterface>,
    /// Default IPv4 gateways.
    #[serde(default)]
    pub default_gateway: Vec<String>,
    /// Hostname and whether it comes from DHCP.
    #[serde(default)]
    pub hostname: Option<Hostname>,
    /// DNS settings.
    #[serde(default)]
    pub dns: Option<Dns>,
    /// NTP settings.
    #[serde(default)]
    pub ntp: Option<Ntp>,
    /// Clock settings (GetSystemDateAndTime): SetNTP alone does not switch a camera to NTP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeSettings>,
}

/// How a device keeps its clock and which zone it shows, as GetSystemDateAndTime reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TimeSettings {
    /// `Manual` or `NTP` (`tt:SetDateTimeType`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_time_type: Option<String>,
    /// `TimeZone/TZ` exactly as sent (POSIX-style, free-form across vendors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
    /// Daylight saving switched on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daylight_savings: Option<bool>,
}

/// One network interface.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NetworkInterface {
    /// Interface token.
    pub token: String,
    /// Name (e.g. `eth0`).
    #[serde(default)]
    pub name: Option<String>,
    /// Enabled flag.
    #[serde(default)]
    pub enabled: bool,
    /// MAC, lower-case colon-separated.
    #[serde(default)]
    pub mac: Option<String>,
    /// IPv4 configuration.
    #[serde(default)]
    pub ipv4: Option<Ipv4Config>,
}

/// IPv4 configuration of an interface.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Ipv4Config {
    /// Enabled flag.
    #[serde(default)]
    pub enabled: bool,
    /// DHCP on.
    #[serde(default)]
    pub dhcp: bool,
    /// Manual (or, failing that, DHCP-assigned) address.
    #[serde(default)]
    pub address: Option<String>,
    /// Prefix length.
    #[serde(default)]
    pub prefix_length: Option<u8>,
}

/// Hostname.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Hostname {
    /// Name, if any.
    #[serde(default)]
    pub name: Option<String>,
    /// Taken from DHCP.
    #[serde(default)]
    pub from_dhcp: bool,
}

/// DNS settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Dns {
    /// Taken from DHCP.
    #[serde(default)]
    pub from_dhcp: bool,
    /// Search domains.
    #[serde(default)]
    pub search_domains: Vec<String>,
    /// Manual servers (addresses or names).
    #[serde(default)]
    pub servers: Vec<String>,
}

/// NTP settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Ntp {
    /// Taken from DHCP.
    #[serde(default)]
    pub from_dhcp: bool,
    /// Manual servers (addresses or names).
    #[serde(default)]
    pub servers: Vec<String>,
}

/// One scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Scope {
    /// The URI, e.g. `onvif://www.onvif.org/name/HIKVISION%20DS-2CD2143G2-I`.
    pub uri: String,
    /// Fixed (vendor-set) or configurable.
    #[serde(default)]
    pub fixed: bool,
}

/// A user: name and level, never a password.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct User {
    /// User name.
    pub username: String,
    /// `Administrator`, `Operator`, `User`, `Anonymous` or `Extended`.
    pub level: String,
}
