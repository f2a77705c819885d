//! An ONVIF operation as a value, and the cursor its response is read with.
//!
//! Every operation camswap sends is one request struct implementing [`Operation`]: the
//! struct's fields are the request's values, the associated constants name its row in the
//! operation table (`wsdl/*.tsv`, the single source of element names, namespaces and SOAP
//! actions), and [`Operation::read`] turns the response element into
//! [`Operation::Response`]. [`crate::onvif::session::Session::send`] does the rest: the call,
//! the namespace-aware check that the answer is this operation's response element, and the
//! parse. Dry run, apply and verify hold the same values, so what is printed is what is sent.
//!
//! Responses are read through a [`Cursor`], which carries the path from the response element
//! down to where it stands, so an error names the field by itself
//! (`NetworkInterfaces/IPv4/Config/DHCP`) without the parser spelling the path out.

use std::fmt::Write as _;

use super::{ParseError, RequestError, ops, parse_bool, parse_f64, parse_u32};
use crate::soap::xml::{Element, escape};

/// One ONVIF operation: a request value, its row in the operation table, and how its answer
/// is read.
pub trait Operation {
    /// Service short name in the operation table (`device`, `media`, `media2`, `ptz`,
    /// `recording`, `imaging`).
    const SERVICE: &'static str;
    /// Operation name as in the table and the WSDL (`GetProfiles`).
    const NAME: &'static str;
    /// What a successful answer carries.
    type Response;

    /// Writes the content of the request element (its children, in schema order). The
    /// element itself, its namespace and prefix come from the table. Refuses values the
    /// schema does not allow rather than sending something a device would have to guess at.
    fn write(&self, out: &mut String) -> Result<(), RequestError> {
        let _ = out;
        Ok(())
    }

    /// Reads the response element, already checked to be this operation's (by local name and
    /// namespace). The request is at hand for answers that do not repeat what was asked
    /// (GetPresets does not name its profile).
    fn read(&self, response: Cursor<'_>) -> Result<Self::Response, ParseError>;

    /// This operation's row in the operation table.
    fn row() -> &'static ops::Operation
    where
        Self: Sized,
    {
        ops::get(Self::SERVICE, Self::NAME)
    }

    /// The SOAP Body payload: the request element with its namespace declarations.
    fn to_xml(&self) -> Result<String, RequestError>
    where
        Self: Sized,
    {
        let mut inner = String::new();
        self.write(&mut inner)?;
        Ok(ops::request_xml(
            Self::row(),
            ops::prefix(Self::SERVICE),
            &inner,
        ))
    }

    /// Checks that `payload` is this operation's response element (local name, and the
    /// service's namespace when the device declared one) and reads it.
    fn parse(&self, payload: &Element) -> Result<Self::Response, ParseError>
    where
        Self: Sized,
    {
        let row = Self::row();
        let response = super::response_element(payload, row)?;
        self.read(Cursor::new(response, row.id))
    }

    /// The request cannot be written without `field`.
    fn missing(field: &'static str) -> RequestError
    where
        Self: Sized,
    {
        RequestError::Missing {
            operation: Self::row().id,
            field,
        }
    }

    /// `field` cannot carry `value`; `reason` says what the schema allows.
    fn unsupported(field: &'static str, value: &str, reason: &'static str) -> RequestError
    where
        Self: Sized,
    {
        RequestError::unsupported(Self::row().id, field, value, reason)
    }

    /// The schema's spelling of `value` among `allowed` (matched without regard to case);
    /// `reason` names them for the error.
    fn one_of(
        value: &str,
        allowed: &'static [&'static str],
        field: &'static str,
        reason: &'static str,
    ) -> Result<&'static str, RequestError>
    where
        Self: Sized,
    {
        allowed
            .iter()
            .find(|a| a.eq_ignore_ascii_case(value.trim()))
            .copied()
            .ok_or_else(|| Self::unsupported(field, value, reason))
    }

    /// `xs:int` text for a count the model keeps unsigned.
    fn xs_int(value: u32, field: &'static str) -> Result<String, RequestError>
    where
        Self: Sized,
    {
        i32::try_from(value).map(|v| v.to_string()).map_err(|_| {
            Self::unsupported(field, &value.to_string(), "xs:int (at most 2147483647)")
        })
    }
}

/// Appends `<qname>value</qname>`, the value escaped.
pub fn push_text(out: &mut String, qname: &str, value: &str) {
    let _ = write!(out, "<{qname}>{}</{qname}>", escape(value));
}

/// Appends `<qname>true</qname>` or `false`.
pub fn push_bool(out: &mut String, qname: &str, value: bool) {
    push_text(out, qname, if value { "true" } else { "false" });
}

/// A request value written as the element `qname` (an optional one as nothing, a list as one
/// element per item), so `simple_operations!` can write any field.
pub trait Field {
    /// Appends the value as `qname`.
    fn write_as(&self, out: &mut String, qname: &str);
}

impl Field for String {
    fn write_as(&self, out: &mut String, qname: &str) {
        push_text(out, qname, self);
    }
}

impl Field for bool {
    fn write_as(&self, out: &mut String, qname: &str) {
        push_bool(out, qname, *self);
    }
}

impl<T: Field> Field for Option<T> {
    fn write_as(&self, out: &mut String, qname: &str) {
        if let Some(v) = self {
            v.write_as(out, qname);
        }
    }
}

impl<T: Field> Field for Vec<T> {
    fn write_as(&self, out: &mut String, qname: &str) {
        for v in self {
            v.write_as(out, qname);
        }
    }
}

/// Declares operations, each a request struct with its [`Operation`] impl:
///
/// ```text
/// operations! { SERVICE;
///     /// GetSnapshotUri of a profile.
///     GetSnapshotUri { profile: String = "trt:ProfileToken" } -> MediaUri => |r| media_uri(r);
///     /// SetHostname.
///     SetHostname [Debug, Clone, Default, PartialEq, Eq] {
///         /// The new name.
///         name: String
///     } write |op, out| { ..; Ok(()) } -> () => |_r| Ok(());
///     /// GetPresets of a profile (the answer does not name it).
///     GetPresets { profile: String = "tptz:ProfileToken" } -> Vec<Preset> => |r, op| ..;
/// }
/// ```
///
/// Fields given a qualified name are written as [`Field`]s, in order, and documented by it; a
/// `write` block then appends what needs checking, so only the requests that check their
/// values spell their writing out. `read` may look at the request (`op`) when the answer does
/// not repeat it. Structs derive `Debug, Clone, Default, PartialEq` unless a derive list
/// follows the name.
macro_rules! operations {
    ($service:expr; $(
        $(#[$meta:meta])*
        $name:ident $([$($derive:ident),*])?
        $({ $($(#[$fmeta:meta])* $field:ident: $ty:ty $(= $qname:literal)?),* $(,)? })?
        $(write |$op:ident, $out:ident| $write:block)?
        -> $response:ty => |$r:ident $(, $req:ident)?| $read:expr;
    )*) => {$(
        operations!(@struct [$(#[$meta])*] [$($($derive),*)?] $name
            $({ $($(#[$fmeta])* $field: $ty $(= $qname)?),* })?);

        impl $crate::onvif::operation::Operation for $name {
            const SERVICE: &'static str = $service;
            const NAME: &'static str = stringify!($name);
            type Response = $response;

            fn write(&self, out: &mut String) -> Result<(), $crate::onvif::RequestError> {
                let _ = &out;
                $($($($crate::onvif::operation::Field::write_as(&self.$field, out, $qname);)?)*)?
                $(
                    let ($op, $out) = (self, &mut *out);
                    let written: Result<(), $crate::onvif::RequestError> = $write;
                    written?;
                )?
                Ok(())
            }

            fn read(
                &self,
                $r: $crate::onvif::operation::Cursor<'_>,
            ) -> Result<$response, $crate::onvif::ParseError> {
                $(let $req = self;)?
                let _ = &$r;
                $read
            }
        }
    )*};
    (@struct [$($meta:tt)*] [] $name:ident) => {
        $($meta)*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct $name;
    };
    (@struct [$($meta:tt)*] [] $name:ident $fields:tt) => {
        operations!(@struct [$($meta)*] [Debug, Clone, Default, PartialEq] $name $fields);
    };
    (@struct [$($meta:tt)*] [$($derive:ident),+] $name:ident
        { $($(#[$fmeta:meta])* $field:ident: $ty:ty $(= $qname:literal)?),* }) => {
        $($meta)*
        #[derive($($derive),+)]
        pub struct $name {
            $($(#[$fmeta])* $(#[doc = concat!("Sent as `", $qname, "`.")])? pub $field: $ty),*
        }
    };
}

pub(crate) use operations;

/// Declares an enumeration of the schema with its wire spellings: `as_str`, and `parse` (any
/// case, surrounding space ignored).
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* #[doc = concat!("`", $wire, "` on the wire.")] $variant),*
        }

        impl $name {
            /// The wire value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire),*
                }
            }

            /// Reads a wire value, any case.
            pub fn parse(s: &str) -> Option<Self> {
                [$(Self::$variant),*]
                    .into_iter()
                    .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            }
        }

        impl $crate::onvif::operation::Field for $name {
            fn write_as(&self, out: &mut String, qname: &str) {
                $crate::onvif::operation::push_text(out, qname, self.as_str());
            }
        }
    };
}

pub(crate) use wire_enum;

/// How many element names a cursor keeps for its path; deeper paths keep the innermost ones
/// and show `…/` in front (no ONVIF response field is that deep).
const PATH_DEPTH: usize = 8;

/// A position in a response, with the path from the response element down to it.
///
/// Copyable and allocation-free: the path holds borrowed names and is only rendered when an
/// error is built. Reads are lenient the way cameras need: lookups go by local name in any
/// namespace, unknown elements are skipped, text is trimmed, and an empty value counts as
/// absent for optional fields.
#[derive(Clone, Copy)]
pub struct Cursor<'a> {
    element: &'a Element,
    operation: &'static str,
    names: [&'a str; PATH_DEPTH],
    depth: usize,
}

impl std::fmt::Debug for Cursor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cursor({} at {:?})", self.operation, self.path(""))
    }
}

impl<'a> Cursor<'a> {
    /// A cursor on `element`, the response element of `operation` (`media.GetProfiles`).
    pub fn new(element: &'a Element, operation: &'static str) -> Self {
        Self {
            element,
            operation,
            names: [""; PATH_DEPTH],
            depth: 0,
        }
    }

    /// The element under the cursor.
    pub fn element(&self) -> &'a Element {
        self.element
    }

    /// Local name of the element under the cursor.
    pub fn name(&self) -> &'a str {
        &self.element.name
    }

    /// The path from the response element to `field` below the cursor (`Profiles/@token`).
    pub fn path(&self, field: &str) -> String {
        let mut out = String::new();
        if self.depth > PATH_DEPTH {
            out.push_str("…/");
        }
        let kept = self.depth.min(PATH_DEPTH);
        let start = self.depth - kept;
        for i in start..self.depth {
            let _ = write!(out, "{}/", self.names[i % PATH_DEPTH]);
        }
        if field.is_empty() {
            out.pop();
        } else {
            out.push_str(field);
        }
        out
    }

    fn descend(&self, child: &'a Element) -> Self {
        let mut next = *self;
        next.names[self.depth % PATH_DEPTH] = &child.name;
        next.depth += 1;
        next.element = child;
        next
    }

    /// A required field `field` (below the cursor) that is absent or empty.
    pub fn missing(&self, field: &str) -> ParseError {
        ParseError::Missing {
            operation: self.operation,
            field: self.path(field),
        }
    }

    /// A field `field` whose value `value` cannot be read.
    pub fn invalid(&self, field: &str, value: &str) -> ParseError {
        ParseError::invalid(self.operation, self.path(field), value)
    }

    /// The first child named `name`, which must be there.
    pub fn child(&self, name: &str) -> Result<Cursor<'a>, ParseError> {
        self.opt_child(name).ok_or_else(|| self.missing(name))
    }

    /// The first child named `name`, if any.
    pub fn opt_child(&self, name: &str) -> Option<Cursor<'a>> {
        self.element.child(name).map(|c| self.descend(c))
    }

    /// The first child named `name` read with `f`, if there is one.
    pub fn opt_with<T>(
        &self,
        name: &str,
        f: impl FnOnce(Cursor<'a>) -> Result<T, ParseError>,
    ) -> Result<Option<T>, ParseError> {
        self.opt_child(name).map(f).transpose()
    }

    /// Every child named `name`, in document order.
    pub fn children(&self, name: &'a str) -> impl Iterator<Item = Cursor<'a>> + 'a {
        let me = *self;
        self.element
            .children_named(name)
            .map(move |c| me.descend(c))
    }

    /// Every child element, in document order.
    pub fn all_children(&self) -> impl Iterator<Item = Cursor<'a>> + 'a {
        let me = *self;
        self.element.children.iter().map(move |c| me.descend(c))
    }

    /// Maps every child named `name` with `f`, failing on the first error.
    pub fn each<T>(
        &self,
        name: &'a str,
        f: impl FnMut(Cursor<'a>) -> Result<T, ParseError>,
    ) -> Result<Vec<T>, ParseError> {
        self.children(name).map(f).collect()
    }

    /// The non-empty texts of every child `name`.
    pub fn texts(&self, name: &'a str) -> Vec<String> {
        let texts = self
            .children(name)
            .map(|t| t.text())
            .filter(|t| !t.is_empty());
        texts.map(str::to_owned).collect()
    }

    /// Trimmed text of the element under the cursor (empty when it has none).
    pub fn text(&self) -> &'a str {
        self.element.text_trim()
    }

    /// Trimmed, non-empty text of child `name`, if any.
    pub fn opt_str(&self, name: &str) -> Option<&'a str> {
        self.element.child_text(name).filter(|t| !t.is_empty())
    }

    /// Trimmed text of child `name`, which must be there and not empty.
    pub fn str(&self, name: &str) -> Result<&'a str, ParseError> {
        self.opt_str(name).ok_or_else(|| self.missing(name))
    }

    /// Trimmed text of child `name` as an owned string, empty when absent.
    pub fn string_or_empty(&self, name: &str) -> String {
        self.opt_str(name).unwrap_or_default().to_owned()
    }

    /// Trimmed, non-empty value of attribute `name`, if any.
    pub fn opt_attr(&self, name: &str) -> Option<&'a str> {
        self.element
            .attr(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// Trimmed value of attribute `name`, which must be there and not empty.
    pub fn attr(&self, name: &str) -> Result<&'a str, ParseError> {
        self.opt_attr(name)
            .ok_or_else(|| self.missing(&format!("@{name}")))
    }

    /// Child `name` read with `parse`: absent or empty is `None`; present but unreadable is
    /// [`ParseError::Invalid`] (garbage is reported, never guessed at).
    pub fn opt_parse<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, ParseError> {
        match self.opt_str(name) {
            None => Ok(None),
            Some(v) => parse(v).map(Some).ok_or_else(|| self.invalid(name, v)),
        }
    }

    /// Child `name` read with `parse`; it must be there.
    pub fn parse<T>(&self, name: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T, ParseError> {
        self.opt_parse(name, parse)?
            .ok_or_else(|| self.missing(name))
    }

    /// Attribute `name` read with `parse`: absent or empty is `None`.
    pub fn opt_attr_parse<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, ParseError> {
        match self.opt_attr(name) {
            None => Ok(None),
            Some(v) => parse(v)
                .map(Some)
                .ok_or_else(|| self.invalid(&format!("@{name}"), v)),
        }
    }

    /// The cursor's own text read with `parse`; it must be there.
    pub fn value<T>(&self, parse: impl Fn(&str) -> Option<T>) -> Result<T, ParseError> {
        let v = self.text();
        if v.is_empty() {
            return Err(self.missing(""));
        }
        parse(v).ok_or_else(|| self.invalid("", v))
    }

    /// Optional boolean child (`true`/`false`/`1`/`0`, any case).
    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>, ParseError> {
        self.opt_parse(name, parse_bool)
    }

    /// Required boolean child.
    pub fn bool(&self, name: &str) -> Result<bool, ParseError> {
        self.parse(name, parse_bool)
    }

    /// Optional unsigned integer child (`25`, `25.0`, ` 06 `).
    pub fn opt_u32(&self, name: &str) -> Result<Option<u32>, ParseError> {
        self.opt_parse(name, parse_u32)
    }

    /// Required unsigned integer child.
    pub fn u32(&self, name: &str) -> Result<u32, ParseError> {
        self.parse(name, parse_u32)
    }

    /// Optional finite number child.
    pub fn opt_f64(&self, name: &str) -> Result<Option<f64>, ParseError> {
        self.opt_parse(name, parse_f64)
    }

    /// Required finite number child.
    pub fn f64(&self, name: &str) -> Result<f64, ParseError> {
        self.parse(name, parse_f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::xml::parse_str;

    fn doc(xml: &str) -> Element {
        parse_str(xml).expect("test XML parses")
    }

    #[test]
    fn errors_carry_the_path_from_the_response_element() {
        let e = doc(
            r#"<r><NetworkInterfaces token="eth0"><IPv4><Config><DHCP>maybe</DHCP></Config></IPv4></NetworkInterfaces></r>"#,
        );
        let c = Cursor::new(&e, "device.GetNetworkInterfaces");
        let config = c
            .child("NetworkInterfaces")
            .and_then(|n| n.child("IPv4"))
            .and_then(|v| v.child("Config"))
            .expect("present");
        let err = config.bool("DHCP").expect_err("garbage is not a boolean");
        assert_eq!(
            err.to_string(),
            "device.GetNetworkInterfaces: field NetworkInterfaces/IPv4/Config/DHCP has invalid value \"maybe\""
        );
        let err = config.str("Manual").expect_err("absent");
        assert_eq!(
            err.to_string(),
            "device.GetNetworkInterfaces: missing required field NetworkInterfaces/IPv4/Config/Manual"
        );
        let n = c.child("NetworkInterfaces").expect("present");
        assert_eq!(n.attr("token").ok(), Some("eth0"));
        assert_eq!(
            n.attr("name").expect_err("absent").to_string(),
            "device.GetNetworkInterfaces: missing required field NetworkInterfaces/@name"
        );
    }

    #[test]
    fn empty_optional_values_are_absent_and_garbage_is_reported() {
        let e = doc("<r><A> </A><B> 25.0 </B><C>x</C><D>TRUE</D></r>");
        let c = Cursor::new(&e, "op");
        assert_eq!(c.opt_u32("A"), Ok(None));
        assert_eq!(c.opt_u32("B"), Ok(Some(25)));
        assert_eq!(c.opt_u32("Z"), Ok(None));
        assert!(matches!(c.opt_f64("C"), Err(ParseError::Invalid { .. })));
        assert_eq!(c.bool("D"), Ok(true));
        assert!(matches!(c.u32("A"), Err(ParseError::Missing { .. })));
    }

    #[test]
    fn deep_paths_keep_the_innermost_names() {
        let xml = format!(
            "<r>{}<Leaf>v</Leaf>{}</r>",
            (0..10).map(|i| format!("<E{i}>")).collect::<String>(),
            (0..10)
                .rev()
                .map(|i| format!("</E{i}>"))
                .collect::<String>()
        );
        let e = doc(&xml);
        let mut c = Cursor::new(&e, "op");
        for i in 0..10 {
            c = c.child(&format!("E{i}")).expect("present");
        }
        assert_eq!(c.path("Leaf"), "…/E2/E3/E4/E5/E6/E7/E8/E9/Leaf");
        assert_eq!(
            c.child("Leaf").expect("present").path(""),
            "…/E3/E4/E5/E6/E7/E8/E9/Leaf"
        );
    }
}
