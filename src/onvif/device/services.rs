//! Who the device is and where its services live: GetDeviceInformation, GetServices, and
//! GetCapabilities for firmware whose GetServices faults.

use super::SERVICE;
use crate::model::{Identity, ServiceInfo};
use crate::onvif::operation::{Cursor, operations};
use crate::onvif::{ParseError, ns};

/// Service namespaces that `ns` does not name, used to map GetCapabilities categories.
const NS_EVENTS: &str = "http://www.onvif.org/ver10/events/wsdl";
pub(super) const NS_ANALYTICS: &str = "http://www.onvif.org/ver20/analytics/wsdl";
const NS_DEVICE_IO: &str = "http://www.onvif.org/ver10/deviceIO/wsdl";
const NS_DISPLAY: &str = "http://www.onvif.org/ver10/display/wsdl";
const NS_SEARCH: &str = "http://www.onvif.org/ver10/search/wsdl";
const NS_REPLAY: &str = "http://www.onvif.org/ver10/replay/wsdl";
const NS_RECEIVER: &str = "http://www.onvif.org/ver10/receiver/wsdl";
const NS_ANALYTICS_DEVICE: &str = "http://www.onvif.org/ver10/analyticsdevice/wsdl";

operations! { SERVICE;
    /// GetDeviceInformation. Empty values become `None` (a generic IPD-H4K8M05 sends an empty
    /// Manufacturer). Manufacturer and Model must be present as elements: the audit cannot judge
    /// a camera without them. The schema requires the other three too, but a device that leaves
    /// one out still tells us who made it, so their absence is tolerated.
    GetDeviceInformation -> Identity => |r| {
        r.child("Manufacturer")?;
        r.child("Model")?;
        let text = |name| r.opt_str(name).map(str::to_owned);
        Ok(Identity {
            manufacturer: text("Manufacturer"),
            model: text("Model"),
            firmware_version: text("FirmwareVersion"),
            serial_number: text("SerialNumber"),
            hardware_id: text("HardwareId"),
        })
    };
    /// GetServices: service addresses as the device reported them (rewrite hosts with
    /// [`crate::model::onto_origin`]). With `include_capability` the device adds each service's
    /// capabilities (some old Hikvision firmware faults on `true`; ask with `false` first). Any
    /// `Capabilities` block is skipped unread: it may use prefixes the device never declared
    /// (the Reolink TrackMix's `tad:`).
    GetServices { include_capability: bool = "tds:IncludeCapability" }
        -> Vec<ServiceInfo> => |r| r.each("Service", |s| {
        Ok(ServiceInfo {
            namespace: s.str("Namespace")?.to_owned(),
            xaddr: s.str("XAddr")?.to_owned(),
            version: s.opt_with("Version", version)?.flatten().map(version_string),
        })
    });
    /// GetCapabilities for every category (`All`): the same service list GetServices gives, for
    /// devices whose GetServices faults (Axis 5.55, old Hikvision). Categories without an XAddr
    /// are skipped; vendor extensions (`hikCapabilities`, `TelexCapabilities`) are not ONVIF
    /// services and are left out. The device service's version is the highest of its
    /// `SupportedVersions`; the others carry none (GetCapabilities does not say).
    GetCapabilities write |_op, out| {
        out.push_str("<tds:Category>All</tds:Category>");
        Ok(())
    } -> Vec<ServiceInfo> => |r| {
        let caps = r.child("Capabilities")?;
        let mut out = Vec::new();
        for (path, namespace) in CAPABILITY_SERVICES {
            let category = path.iter().try_fold(caps, |c, name| c.opt_child(name));
            let Some((category, xaddr)) = category.and_then(|c| Some((c, c.opt_str("XAddr")?)))
            else {
                continue;
            };
            let mut best: Option<(u32, u32)> = None;
            if *namespace == ns::TDS {
                for v in category
                    .opt_child("System")
                    .iter()
                    .flat_map(|s| s.children("SupportedVersions"))
                {
                    best = best.max(version(v)?);
                }
            }
            out.push(ServiceInfo {
                namespace: (*namespace).to_owned(),
                xaddr: xaddr.to_owned(),
                version: best.map(version_string),
            });
        }
        Ok(out)
    };
}

/// Reads a `tt:OnvifVersion` (Major, Minor) as integers: Dahua zero-pads Minor (`06`), and as
/// decimals `2.6` would wrongly sort above `2.10`. `None` unless both are there.
fn version(v: Cursor<'_>) -> Result<Option<(u32, u32)>, ParseError> {
    let (Some(major), Some(minor)) = (v.opt_str("Major"), v.opt_str("Minor")) else {
        return Ok(None);
    };
    let number = |name, s: &str| s.parse::<u32>().map_err(|_| v.invalid(name, s));
    Ok(Some((number("Major", major)?, number("Minor", minor)?)))
}

fn version_string((major, minor): (u32, u32)) -> String {
    format!("{major}.{minor}")
}

/// Capability categories with an XAddr, and the service namespace each stands for.
const CAPABILITY_SERVICES: &[(&[&str], &str)] = &[
    (&["Device"], ns::TDS),
    (&["Media"], ns::TRT),
    (&["PTZ"], ns::TPTZ),
    (&["Imaging"], ns::TIMG),
    (&["Events"], NS_EVENTS),
    (&["Analytics"], NS_ANALYTICS),
    (&["Extension", "DeviceIO"], NS_DEVICE_IO),
    (&["Extension", "Display"], NS_DISPLAY),
    (&["Extension", "Recording"], ns::TRC),
    (&["Extension", "Search"], NS_SEARCH),
    (&["Extension", "Replay"], NS_REPLAY),
    (&["Extension", "Receiver"], NS_RECEIVER),
    (&["Extension", "AnalyticsDevice"], NS_ANALYTICS_DEVICE),
];
