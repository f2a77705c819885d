//! Which service answers an operation: dispatch on the Body element's namespace, limited to
//! the services the persona lists (anything else is `ter:ActionNotSupported`, as on a device
//! without that service).

use crate::device_service::{self, Access, Ctx};
use crate::persona::{Persona, ServiceKind};
use crate::soap::{Fault, ns};
use crate::xml::Node;
use crate::{imaging_service, media_service, media2_service, ptz_service, recording_service};

fn kind_of(namespace: &str) -> Option<ServiceKind> {
    Some(match namespace {
        ns::TDS => ServiceKind::Device,
        ns::TRT => ServiceKind::Media,
        ns::TR2 => ServiceKind::Media2,
        ns::TPTZ => ServiceKind::Ptz,
        ns::TRC => ServiceKind::Recording,
        ns::TIMG => ServiceKind::Imaging,
        _ => return None,
    })
}

/// Access class of `{namespace}operation` on a device of `persona`; `None` when the device
/// does not offer it.
pub fn access(persona: &Persona, namespace: &str, operation: &str) -> Option<Access> {
    let kind = kind_of(namespace)?;
    persona.service(kind)?;
    match kind {
        ServiceKind::Device => device_service::access(operation),
        ServiceKind::Media => media_service::access(operation),
        ServiceKind::Media2 => media2_service::access(operation),
        ServiceKind::Ptz => ptz_service::access(operation),
        ServiceKind::Recording => recording_service::access(operation),
        ServiceKind::Imaging => imaging_service::access(operation),
    }
}

/// Run `{namespace}operation`; call only after [`access`] said the device offers it.
pub fn handle(
    namespace: &str,
    operation: &str,
    req: &Node,
    ctx: &mut Ctx<'_>,
) -> Result<String, Fault> {
    match kind_of(namespace) {
        Some(ServiceKind::Device) => device_service::handle(operation, req, ctx),
        Some(ServiceKind::Media) => media_service::handle(operation, req, ctx),
        Some(ServiceKind::Media2) => media2_service::handle(operation, req, ctx),
        Some(ServiceKind::Ptz) => ptz_service::handle(operation, req, ctx),
        Some(ServiceKind::Recording) => recording_service::handle(operation, req, ctx),
        Some(ServiceKind::Imaging) => imaging_service::handle(operation, req, ctx),
        _ => Err(Fault::action_not_supported(format!(
            "{{{namespace}}}{operation} is not supported by this device"
        ))),
    }
}
