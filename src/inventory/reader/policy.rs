//! What a failed read means for the rest of a device's read: record it and go on, give up on
//! one service, or end the device's read (see the module documentation of [`super`]).

use super::{Reader, SKIPPED};
use crate::model::{DeviceSnapshot, ReadError};
use crate::onvif::session::OnvifError;
use crate::soap::SoapError;

/// Network failures in a row after which a device (or one of its services) counts as gone.
pub(super) const MAX_TRANSPORT_FAILURES: u32 = 3;

/// Why a device's read (or one service's part of it) ended early.
pub(super) struct Stop {
    pub(super) operation: &'static str,
    pub(super) reason: String,
    /// Only the current service gave up; the device still answers, so the read goes on
    /// with the next service.
    pub(super) service_only: bool,
}

/// How the last failed operation failed, to decide whether going on makes sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Failure {
    /// Connect, reset or per-request timeout.
    Transport,
    /// Credentials refused.
    NotAuthorized,
    /// The answer was not SOAP (garbage, HTML, empty).
    NotSoap,
    /// Anything else: a fault, a parse error, a missing service.
    Other,
}

impl Failure {
    pub(super) fn of(e: &OnvifError) -> Self {
        match e {
            _ if e.is_not_authorized() => Self::NotAuthorized,
            OnvifError::Soap(s) if s.is_transport() => Self::Transport,
            OnvifError::Soap(
                SoapError::NotXml { .. }
                | SoapError::NotSoap { .. }
                | SoapError::Http { .. }
                | SoapError::TooLarge { .. },
            ) => Self::NotSoap,
            _ => Self::Other,
        }
    }
}

impl Reader<'_> {
    pub(super) fn snap(&mut self) -> &mut DeviceSnapshot {
        &mut self.out.snapshot
    }

    /// Ends a service section: a service that gave up is recorded and the read goes on; a
    /// device that is gone ends it. Network failures are counted per service.
    pub(super) fn next_section(&mut self, result: Result<(), Stop>) -> Result<(), Stop> {
        self.transport_failures = 0;
        match result {
            Err(stop) if stop.service_only => {
                self.snap().errors.push(ReadError {
                    operation: stop.operation.to_owned(),
                    reason: stop.reason,
                });
                Ok(())
            }
            other => other,
        }
    }

    /// After [`MAX_TRANSPORT_FAILURES`] network failures in a row: if the device still
    /// answers its clock read, only this service is stuck (a hung PTZ or recording process
    /// behind a working web server) and the rest of the device is read; otherwise the device
    /// is gone.
    pub(super) async fn give_up(&mut self, service: &str) -> Stop {
        let failures = self.transport_failures;
        self.out.current = "device.GetSystemDateAndTime (is the device still there?)".to_owned();
        if self.session.sync_clock().await.is_ok() {
            Stop {
                operation: SKIPPED,
                reason: format!(
                    "the {service} service stopped answering ({failures} reads in a row failed on the network) while the device still answers; its remaining reads were skipped"
                ),
                service_only: true,
            }
        } else {
            Stop {
                operation: SKIPPED,
                reason: format!(
                    "the device stopped answering ({failures} reads in a row failed on the network, then its clock read); the remaining reads were skipped"
                ),
                service_only: false,
            }
        }
    }

    /// Records the outcome of an operation: the value, or `None` with the failure recorded.
    pub(super) fn settle<T>(
        &mut self,
        operation: &str,
        context: Option<&str>,
        result: Result<T, OnvifError>,
    ) -> Option<T> {
        match result {
            Ok(v) => {
                self.transport_failures = 0;
                self.last_failure = None;
                Some(v)
            }
            Err(e) => {
                let failure = Failure::of(&e);
                let reason = e.reason();
                tracing::debug!(device = %self.out.snapshot.xaddr, op = operation, %reason, "read failed");
                self.snap().errors.push(ReadError {
                    operation: operation.to_owned(),
                    reason: match context {
                        Some(c) => format!("{c}: {reason}"),
                        None => reason.clone(),
                    },
                });
                self.last_failure = Some(failure);
                if failure == Failure::Transport {
                    self.transport_failures += 1;
                } else {
                    self.transport_failures = 0;
                }
                None
            }
        }
    }
}
