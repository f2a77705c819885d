//! The device service's section: clock, identity, service addresses, network identity,
//! scopes and users.

use super::policy::{Failure, Stop};
use super::{Reader, SKIPPED, UNREACHABLE};
use crate::onvif::device;
use crate::onvif::session::OnvifError;
use crate::soap::SoapError;

impl Reader<'_> {
    /// GetSystemDateAndTime: the offset goes into `observed`, and into `wsu:Created` from
    /// now on. A network failure here means the device is not there.
    pub(super) async fn clock(&mut self) -> Result<(), Stop> {
        self.out.current = "device.GetSystemDateAndTime".to_owned();
        let result = self.session.sync_clock_settings().await;
        let transport = matches!(&result, Err(e) if Failure::of(e) == Failure::Transport);
        let refused_tls = matches!(&result, Err(OnvifError::Soap(SoapError::Tls { .. })));
        // Only a certificate that was accepted is recorded; a pin that was required stays
        // recorded even when the device failed it, so the next run requires it too.
        let soap = self.session.soap();
        self.out.snapshot.observed.certificate_sha256 = if refused_tls {
            soap.pinned_certificate()
        } else {
            soap.certificate_sha256()
                .or_else(|| soap.pinned_certificate())
        };
        if let Some((offset, sdt)) = self.settle("device.GetSystemDateAndTime", None, result) {
            self.snap().observed.clock_offset_s = offset.map(|o| o.num_seconds());
            let time = crate::model::TimeSettings {
                date_time_type: sdt.date_time_type.map(|t| t.as_str().to_owned()),
                tz: sdt.tz.filter(|tz| !tz.trim().is_empty()),
                daylight_savings: sdt.daylight_savings,
            };
            if time != crate::model::TimeSettings::default() {
                self.snap().network.time = Some(time);
            }
        } else if refused_tls {
            return Err(Stop {
                operation: SKIPPED,
                reason: "the device's TLS certificate was refused (see device.GetSystemDateAndTime); nothing else was tried".to_owned(),
                service_only: false,
            });
        } else if transport {
            return Err(Stop {
                operation: UNREACHABLE,
                reason: "the device did not answer its clock read; nothing else was tried"
                    .to_owned(),
                service_only: false,
            });
        }
        Ok(())
    }

    /// GetDeviceInformation, the first authenticated read: if it is refused for our
    /// credentials, or answered with something that is not SOAP, every other read would be too.
    pub(super) async fn identity(&mut self) -> Result<(), Stop> {
        let identity = self.send(&device::GetDeviceInformation, None).await?;
        let why = match (identity, self.last_failure) {
            (Some(identity), _) => {
                self.snap().identity = identity;
                return Ok(());
            }
            (None, Some(Failure::NotAuthorized)) => {
                // Judged later on what it shows without a login (separate ONVIF user lists
                // are normal on Hikvision and Dahua).
                self.snap().unauthenticated.login_refused = true;
                self.snap().unauthenticated.identity =
                    crate::inventory::preauth::identity_without_login(&self.session).await;
                "the device refused our credentials for its identity"
            }
            (None, Some(Failure::NotSoap)) => "the device does not answer ONVIF SOAP requests",
            (None, Some(Failure::Transport)) => "the device stopped answering after its clock read",
            (None, _) => return Ok(()),
        };
        Err(Stop {
            operation: SKIPPED,
            reason: format!("{why}; the remaining reads were skipped"),
            service_only: false,
        })
    }

    /// GetServices (GetCapabilities on old firmware), addresses rewritten to the host we
    /// reached. Without it only the device service is read.
    pub(super) async fn services(&mut self) -> Result<(), Stop> {
        self.out.current = "device.GetServices".to_owned();
        let result = self.session.load_services().await;
        if let Some(services) = self.settle("device.GetServices", None, result) {
            self.snap().services = services;
        }
        Ok(())
    }

    /// Network identity, scopes and users.
    pub(super) async fn network(&mut self) -> Result<(), Stop> {
        if let Some(v) = self.send(&device::GetNetworkInterfaces, None).await? {
            self.snap().network.interfaces = v;
        }
        if let Some(v) = self.send(&device::GetNetworkDefaultGateway, None).await? {
            self.snap().network.default_gateway = v;
        }
        if let Some(v) = self.send(&device::GetHostname, None).await? {
            self.snap().network.hostname = Some(v);
        }
        if let Some(v) = self.send(&device::GetDNS, None).await? {
            self.snap().network.dns = Some(v);
        }
        if let Some(v) = self.send(&device::GetNTP, None).await? {
            self.snap().network.ntp = Some(v);
        }
        if let Some(v) = self.send(&device::GetScopes, None).await? {
            self.snap().scopes = v;
        }
        if let Some(v) = self.send(&device::GetUsers, None).await? {
            self.snap().users = v;
        }
        Ok(())
    }
}
