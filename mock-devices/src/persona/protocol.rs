//! The ONVIF side of a persona's service list: each service's namespace and prefix, where its
//! capability attributes go in `Capabilities`, and how a discovery type names its namespace.
//! Tables from the ONVIF WSDLs, kept apart from the persona schema that refers to them.

use super::{DiscoveryType, ServiceKind};
use crate::soap::ns;

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

/// A discovery type as a persona writes it (`dn:NetworkVideoTransmitter`, `tds:Device`,
/// `{namespace}Local`) with its namespace; `index` numbers the prefix of a `{namespace}` form.
pub(super) fn resolve_type(t: &str, index: usize) -> Option<DiscoveryType> {
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

#[cfg(test)]
mod tests {
    use super::super::Persona;
    use super::*;

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
