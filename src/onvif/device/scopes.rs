//! Discovery scopes: GetScopes, and SetScopes/AddScopes/RemoveScopes to carry a camera's
//! name and location over.

use super::SERVICE;
use crate::model::Scope;
use crate::onvif::RequestError;
use crate::onvif::operation::{Operation, operations, push_text};

operations! { SERVICE;
    /// GetScopes. ScopeDef is required: taking a fixed scope (`hardware/...`) for a configurable
    /// one would copy the old model's identity onto the new camera.
    GetScopes -> Vec<Scope> => |r| {
        r.each("Scopes", |s| {
            let fixed = s.parse("ScopeDef", |d| match d.to_ascii_lowercase().as_str() {
                "fixed" => Some(true),
                "configurable" => Some(false),
                _ => None,
            })?;
            Ok(Scope {
                uri: s.str("ScopeItem")?.to_owned(),
                fixed,
            })
        })
    };
    /// SetScopes: replaces all configurable scopes.
    SetScopes [Debug, Clone, Default, PartialEq, Eq] {
        /// Scope URIs (blank ones are left out).
        scopes: Vec<String>
    } write |op, out| {
        write_scopes::<Self>(out, &op.scopes, "tds:Scopes", "Scopes")
    } -> () => |_r| Ok(());
    /// AddScopes.
    AddScopes [Debug, Clone, Default, PartialEq, Eq] {
        /// Scope URIs (blank ones are left out).
        scopes: Vec<String>
    } write |op, out| {
        write_scopes::<Self>(out, &op.scopes, "tds:ScopeItem", "ScopeItem")
    } -> () => |_r| Ok(());
    /// RemoveScopes.
    RemoveScopes [Debug, Clone, Default, PartialEq, Eq] {
        /// Scope URIs (blank ones are left out).
        scopes: Vec<String>
    } write |op, out| {
        write_scopes::<Self>(out, &op.scopes, "tds:ScopeItem", "ScopeItem")
    } -> () => |_r| Ok(());
}

/// Writes each non-blank scope URI as `qname`; at least one is required.
fn write_scopes<O: Operation>(
    out: &mut String,
    scopes: &[String],
    qname: &str,
    field: &'static str,
) -> Result<(), RequestError> {
    let scopes = scopes.iter().map(|u| u.trim()).filter(|u| !u.is_empty());
    if scopes.map(|u| push_text(out, qname, u)).count() == 0 {
        return Err(O::missing(field));
    }
    Ok(())
}
