//! What a device shows without a login: what discovery heard (WS-Discovery, or the vendors' own
//! SADP and DHIP protocols that answer with ONVIF switched off), what its web server says before
//! authentication (the `Server` header, the Digest realm, the namespaces its SOAP stack
//! declares), and the answers it gives to unauthenticated requests.
//!
//! Separate ONVIF user lists are normal on Hikvision and Dahua, so a camera that refuses our
//! credentials is common; the audit judges it on this record instead of calling it unknown.
//! None of it is configuration: it stays out of the snapshot's `sha256`.

use serde::{Deserialize, Serialize};

use super::Identity;

/// Everything seen without credentials.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Unauthenticated {
    /// The WS-Discovery record the device was found by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery: Option<Discovered>,
    /// Answers to the vendors' own discovery protocols (SADP, DHIP).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vendor_discovery: Vec<VendorAnswer>,
    /// The HTTP `Server` header of the device service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_server: Option<String>,
    /// The realm of its HTTP Digest challenge (`IP Camera(12345)`, `Login to <serial>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_realm: Option<String>,
    /// Namespace URIs its SOAP answers declare beyond the ONVIF, W3C and OASIS ones: a
    /// vendor's SOAP stack leaves its own (Hikvision `http://www.hikvision.com/...`, Uniview
    /// `http://www.onvif.org/ver10/plus/...`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub soap_namespaces: Vec<String>,
    /// GetDeviceInformation answered without credentials (some firmware allows it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// The device refused our credentials (or we had none) for its identity.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub login_refused: bool,
}

impl Unauthenticated {
    /// Nothing was recorded.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A WS-Discovery record as `devices.json` carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Discovered {
    /// Endpoint reference (`urn:uuid:...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Types (`{namespace}NetworkVideoTransmitter`).
    #[serde(default)]
    pub types: Vec<String>,
    /// Scope URIs, as announced (whether fixed or owner-set is not said in discovery).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Every XAddr it advertised.
    #[serde(default)]
    pub xaddrs: Vec<String>,
    /// The address the answer came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// Which vendor discovery protocol answered.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum VendorProtocol {
    /// Hikvision SADP (UDP 37020).
    Sadp,
    /// Dahua DHIP discovery (UDP 37810).
    Dhip,
}

impl VendorProtocol {
    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sadp => "SADP",
            Self::Dhip => "DHIP",
        }
    }
}

/// One device's answer to a vendor discovery protocol, fields as the protocol names them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VendorAnswer {
    /// SADP or DHIP.
    pub protocol: Option<VendorProtocol>,
    /// The address the answer came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Model (`DeviceDescription`, DHIP `DeviceType`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Serial (`DeviceSN`, `SerialNo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// MAC address as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// Firmware (`SoftwareVersion`, `Version`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware: Option<String>,
    /// IPv4 address it reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4: Option<String>,
    /// Its web port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_port: Option<u16>,
    /// Device class (SADP numeric `DeviceType`, DHIP `DeviceClass` such as `IPC`, `NVR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_class: Option<String>,
    /// Vendor or OEM name the answer carries (DHIP `Vendor`, SADP `OEMInfo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// Activated (SADP): false means factory default, no administrator password yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activated: Option<bool>,
    /// Recorder channels (SADP `AnalogChannelNum` + `DigitalChannelNum`, DHIP channel counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<u32>,
    /// Whether ONVIF answered at this address: `Some(false)` = found only by this protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onvif: Option<bool>,
}
