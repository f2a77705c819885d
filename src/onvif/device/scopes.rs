//! Discovery scopes: GetScopes, and SetScopes/AddScopes/RemoveScopes to carry a camera's
//! name and location over.

use super::SERVICE;
use crate::model::Scope;
use crate::onvif::operation::{Cursor, Operation, push_text};
use crate::onvif::{ParseError, RequestError};

/// GetScopes. ScopeDef is required: taking a fixed scope (`hardware/...`) for a configurable
/// one would copy the old model's identity onto the new camera.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GetScopes;

impl Operation for GetScopes {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "GetScopes";
    type Response = Vec<Scope>;

    fn read(&self, r: Cursor<'_>) -> Result<Vec<Scope>, ParseError> {
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
    }
}

/// Declares the operations that send a list of scope URIs (at least one), each as `qname`.
macro_rules! scope_operations {
    ($($(#[$meta:meta])* $name:ident: $qname:literal, $field:literal;)*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct $name {
            /// Scope URIs (blank ones are left out).
            pub scopes: Vec<String>,
        }

        impl Operation for $name {
            const SERVICE: &'static str = SERVICE;
            const NAME: &'static str = stringify!($name);
            type Response = ();

            fn write(&self, out: &mut String) -> Result<(), RequestError> {
                let start = out.len();
                for u in self.scopes.iter().map(|u| u.trim()).filter(|u| !u.is_empty()) {
                    push_text(out, $qname, u);
                }
                if out.len() == start {
                    return Err(Self::missing($field));
                }
                Ok(())
            }

            fn read(&self, _: Cursor<'_>) -> Result<(), ParseError> {
                Ok(())
            }
        }
    )*};
}

scope_operations! {
    /// SetScopes: replaces all configurable scopes.
    SetScopes: "tds:Scopes", "Scopes";
    /// AddScopes.
    AddScopes: "tds:ScopeItem", "ScopeItem";
    /// RemoveScopes.
    RemoveScopes: "tds:ScopeItem", "ScopeItem";
}
