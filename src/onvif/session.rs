//! A session with one device: where its services live, its clock offset, and the one place
//! that sends an ONVIF operation.
//!
//! Two camera habits shape it. Devices check WS-UsernameToken `Created` against their own
//! clock, so the session reads the device time first (unauthenticated, as ONVIF allows, then
//! authenticated if the device refuses) and, when a call is refused as NotAuthorized, reads it
//! again and retries once: the clock may have been the problem, not the password. And devices
//! report service addresses with hosts we cannot reach (factory 192.168.1.64, NAT, link-local),
//! so every service address is rewritten to the host we reached, and the rewrite is recorded.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::operation::Operation;
use super::{ParseError, RequestError, device, ops};
use crate::model::{Origin, ServiceInfo, onto_origin, redact_uri};
use crate::soap::auth::{Clock, SystemClock};
use crate::soap::xml::Element;
use crate::soap::{SoapClient, SoapError};

/// Why an ONVIF operation failed.
#[derive(Debug, thiserror::Error)]
pub enum OnvifError {
    /// Transport, HTTP, authentication or a SOAP fault (names the device and URL).
    #[error(transparent)]
    Soap(#[from] SoapError),
    /// The answer did not carry what the operation promises.
    #[error("{device}: {error}")]
    Parse {
        /// The device.
        device: String,
        /// What was wrong (shown in the message, so not a `source`).
        error: ParseError,
    },
    /// We refused to write the request: the schema does not allow a value it would carry.
    #[error("{device}: {error}")]
    Request {
        /// The device.
        device: String,
        /// What the request could not carry (shown in the message, so not a `source`).
        error: RequestError,
    },
    /// The device does not list the service the operation belongs to.
    #[error("{device}: the device does not offer the {service} service")]
    NoService {
        /// The device.
        device: String,
        /// Service short name (`ptz`).
        service: String,
    },
}

impl OnvifError {
    /// True when the device refused our credentials.
    pub fn is_not_authorized(&self) -> bool {
        matches!(self, Self::Soap(e) if e.is_not_authorized())
    }

    /// A short reason for an inventory record: the fault subcode or the error class, without
    /// the device name (the record already belongs to the device) and without any secret.
    pub fn reason(&self) -> String {
        match self {
            Self::Soap(e) => match e.fault() {
                Some(f) => f.to_string(),
                None => {
                    // The record has no chain to walk: the causes follow the message.
                    let mut reason = e.to_string();
                    let mut cause = std::error::Error::source(e);
                    while let Some(c) = cause {
                        reason = format!("{reason}: {c}");
                        cause = c.source();
                    }
                    reason
                }
            },
            Self::Parse { error, .. } => error.to_string(),
            Self::Request { error, .. } => error.to_string(),
            Self::NoService { service, .. } => format!("no {service} service"),
        }
    }
}

/// Maps a service namespace to the short name used in the operation table.
pub fn service_name(namespace: &str) -> Option<&'static str> {
    let namespace = namespace.trim();
    let row = ops::all().iter().find(|o| o.namespace == namespace);
    row.map(|o| o.service)
}

/// One device's session.
pub struct Session {
    soap: SoapClient,
    device_url: String,
    clock: Arc<dyn Clock>,
    services: BTreeMap<&'static str, String>,
    rewrites: Vec<(String, String)>,
}

impl Session {
    /// A session with the device service at `device_url`. Sends nothing yet.
    pub fn new(soap: SoapClient, device_url: impl Into<String>) -> Self {
        Self {
            soap,
            device_url: device_url.into(),
            clock: Arc::new(SystemClock),
            services: BTreeMap::new(),
            rewrites: Vec::new(),
        }
    }

    /// Uses `clock` as "our time" when measuring the device's clock offset.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The SOAP client (for its device label and clock offset).
    pub fn soap(&self) -> &SoapClient {
        &self.soap
    }

    /// The device service address.
    pub fn device_url(&self) -> &str {
        &self.device_url
    }

    /// Service addresses the device reported at another origin, as `(reported, used)`; `used`
    /// is empty when the address was unusable and dropped.
    pub fn rewrites(&self) -> &[(String, String)] {
        &self.rewrites
    }

    /// Whether the device offers `service` (after [`Session::load_services`]).
    pub fn has_service(&self, service: &str) -> bool {
        service == "device" || self.services.contains_key(service)
    }

    /// Reads the device clock and stores the offset for `wsu:Created`. Returns the offset.
    /// Asks without credentials first (GetSystemDateAndTime is PRE_AUTH), then with them when
    /// the device refuses (some Axis firmware does).
    pub async fn sync_clock(&self) -> Result<Option<chrono::Duration>, OnvifError> {
        self.sync_clock_settings().await.map(|(offset, _)| offset)
    }

    /// [`Self::sync_clock`], also returning what the device said (its zone, DST and whether it
    /// follows NTP), which the inventory keeps.
    pub async fn sync_clock_settings(
        &self,
    ) -> Result<(Option<chrono::Duration>, device::SystemDateTime), OnvifError> {
        let op = device::GetSystemDateAndTime;
        let request = op.to_xml().map_err(|e| self.request_error(e))?;
        let action = device::GetSystemDateAndTime::row().action;
        let payload = match self
            .soap
            .call_unauthenticated(&self.device_url, action, &request)
            .await
        {
            Ok(p) => p,
            Err(e) if e.is_not_authorized() || e.fault().is_some() => {
                self.soap.call(&self.device_url, action, &request).await?
            }
            Err(e) => return Err(e.into()),
        };
        let sdt = op.parse(&payload).map_err(|e| self.parse(e))?;
        let offset = device::clock_offset(&sdt, self.clock.now());
        if let Some(o) = offset {
            self.soap.set_clock_offset(o);
        }
        Ok((offset, sdt))
    }

    /// Learns where the services live: GetServices, or GetCapabilities on devices that fail
    /// it. Addresses are rewritten to the host we reached. Returns the (rewritten) list.
    pub async fn load_services(&mut self) -> Result<Vec<ServiceInfo>, OnvifError> {
        let get_services = device::GetServices {
            include_capability: false,
        };
        let services = match self.send(&get_services).await {
            Ok(s) if !s.is_empty() => s,
            Ok(_)
            | Err(OnvifError::Soap(SoapError::Fault { .. }))
            | Err(OnvifError::Parse { .. }) => self.send(&device::GetCapabilities).await?,
            Err(e) => return Err(e),
        };
        // Credentials go only to the origin the device was reached at: a service address
        // naming another scheme, host or port is moved onto it (and recorded), one that names
        // no usable host is dropped. The SOAP client refuses any other origin as well.
        let origin = Origin::of(&self.device_url).ok();
        let mut out = Vec::with_capacity(services.len());
        for mut s in services {
            let moved = match &origin {
                Some(o) => onto_origin(&s.xaddr, o),
                None => Ok((s.xaddr.clone(), false)),
            };
            match moved {
                Ok((fixed, true)) => {
                    tracing::warn!(
                        device = self.soap.device(),
                        reported = %redact_uri(&s.xaddr),
                        used = %fixed,
                        "service address moved onto the origin we reached"
                    );
                    self.rewrites.push((redact_uri(&s.xaddr), fixed.clone()));
                    s.xaddr = fixed;
                }
                Ok((_, false)) => {}
                Err(e) => {
                    tracing::warn!(
                        device = self.soap.device(),
                        namespace = %s.namespace,
                        "service address ignored: {e}"
                    );
                    self.rewrites.push((redact_uri(&s.xaddr), String::new()));
                    continue;
                }
            }
            if let Some(name) = service_name(&s.namespace) {
                self.services.entry(name).or_insert_with(|| s.xaddr.clone());
            }
            out.push(s);
        }
        Ok(out)
    }

    /// Sends `payload` for `service`'s operation `name`; on NotAuthorized re-reads the device
    /// clock and retries once.
    async fn call(&self, service: &str, name: &str, payload: &str) -> Result<Element, OnvifError> {
        let url = self.url(service)?;
        let op = ops::get(service, name);
        match self.soap.call(url, op.action, payload).await {
            Err(e) if e.is_not_authorized() => {
                tracing::debug!(
                    device = self.soap.device(),
                    op = name,
                    "not authorized; re-reading the device clock and retrying once"
                );
                self.sync_clock().await.ok();
                Ok(self.soap.call(url, op.action, payload).await?)
            }
            other => Ok(other?),
        }
    }

    /// Sends `op` to its service and reads the answer: the one way an operation value reaches
    /// a device. The response element is checked against the operation table (local name and
    /// namespace) before it is parsed; NotAuthorized is retried once after a clock re-read.
    pub async fn send<O: Operation>(&self, op: &O) -> Result<O::Response, OnvifError> {
        let body = op.to_xml().map_err(|e| self.request_error(e))?;
        let payload = self.call(O::SERVICE, O::NAME, &body).await?;
        op.parse(&payload).map_err(|e| self.parse(e))
    }

    fn url(&self, service: &str) -> Result<&str, OnvifError> {
        if service == "device" {
            return Ok(&self.device_url);
        }
        self.services
            .get(service)
            .map(String::as_str)
            .ok_or_else(|| OnvifError::NoService {
                device: self.soap.device().to_owned(),
                service: service.to_owned(),
            })
    }

    fn request_error(&self, error: RequestError) -> OnvifError {
        OnvifError::Request {
            device: self.soap.device().to_owned(),
            error,
        }
    }

    fn parse(&self, error: ParseError) -> OnvifError {
        OnvifError::Parse {
            device: self.soap.device().to_owned(),
            error,
        }
    }
}
