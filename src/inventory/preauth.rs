//! What a device shows without a login, recorded on its snapshot
//! ([`crate::model::Unauthenticated`]): the web server's `Server` header and Digest realm and
//! the vendor namespaces its SOAP stack declares (as the SOAP client saw them during the read),
//! and GetDeviceInformation asked without credentials when the device refused ours.

use crate::model::{DeviceSnapshot, Identity};
use crate::onvif::device;
use crate::onvif::operation::Operation;
use crate::onvif::session::Session;
use crate::soap::ServerSeen;

/// Namespaces every ONVIF device declares: they say nothing about the maker.
fn standard(ns: &str) -> bool {
    const HOSTS: &[&str] = &[
        "://www.w3.org/",
        "://schemas.xmlsoap.org/",
        "://docs.oasis-open.org/",
        "://www.onvif.org/ver10/schema",
        "://www.onvif.org/ver10/error",
        "://www.onvif.org/ver10/topics",
    ];
    // ONVIF's own service namespaces (`.../ver10/device/wsdl`, `.../ver20/media/wsdl`, and
    // bindings below them); a vendor's extension under onvif.org (Uniview's `ver10/plus`) is
    // not one of them.
    const SERVICES: &[&str] = &[
        "device",
        "media",
        "ptz",
        "imaging",
        "events",
        "deviceIO",
        "analytics",
        "analyticsdevice",
        "recording",
        "search",
        "replay",
        "receiver",
        "display",
        "thermal",
        "accesscontrol",
        "doorcontrol",
        "pacs",
        "advancedsecurity",
        "credential",
        "schedule",
        "provisioning",
        "uplink",
        "actionengine",
        "accessrules",
        "network",
    ];
    if HOSTS.iter().any(|h| ns.contains(h)) {
        return true;
    }
    let Some(rest) = ns
        .strip_prefix("http://www.onvif.org/")
        .or_else(|| ns.strip_prefix("https://www.onvif.org/"))
    else {
        return false;
    };
    let mut parts = rest.split('/');
    let version = parts.next().unwrap_or("");
    let service = parts.next().unwrap_or("");
    version.starts_with("ver") && SERVICES.contains(&service)
}

/// Copies what the SOAP client saw onto the snapshot.
pub(crate) fn absorb(snapshot: &mut DeviceSnapshot, seen: ServerSeen) {
    let pre = &mut snapshot.unauthenticated;
    if seen.server.is_some() {
        pre.http_server = seen.server;
    }
    if seen.realm.is_some() {
        pre.auth_realm = seen.realm;
    }
    pre.soap_namespaces = seen
        .namespaces
        .into_iter()
        .filter(|ns| !ns.is_empty() && !standard(ns))
        .collect();
}

/// GetDeviceInformation without credentials: some firmware answers it (it is not PRE_AUTH in
/// the Core spec, but devices differ). `None` when refused or unreadable.
pub(crate) async fn identity_without_login(session: &Session) -> Option<Identity> {
    let op = device::GetDeviceInformation;
    let payload = session
        .soap()
        .call_unauthenticated(
            session.device_url(),
            device::GetDeviceInformation::row().action,
            &op.to_xml().ok()?,
        )
        .await
        .ok()?;
    op.parse(&payload).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_vendor_namespaces_are_kept() {
        let mut s = DeviceSnapshot::default();
        let seen = ServerSeen {
            server: Some("App-webs/".into()),
            realm: Some("IP Camera(12345)".into()),
            namespaces: [
                "http://www.w3.org/2003/05/soap-envelope",
                "http://www.onvif.org/ver10/device/wsdl",
                "http://www.onvif.org/ver20/media/wsdl",
                "http://www.onvif.org/ver10/schema",
                "http://docs.oasis-open.org/wsn/b-2",
                "http://www.hikvision.com/2011/event/topics",
                "http://www.onvif.org/ver10/plus/wsdl",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
        };
        absorb(&mut s, seen);
        assert_eq!(
            s.unauthenticated.soap_namespaces,
            [
                "http://www.hikvision.com/2011/event/topics",
                "http://www.onvif.org/ver10/plus/wsdl"
            ]
        );
        assert_eq!(s.unauthenticated.http_server.as_deref(), Some("App-webs/"));
    }
}
