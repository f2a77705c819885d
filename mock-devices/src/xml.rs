//! The mock's own reading and writing of XML, independent of camswap's.
//!
//! Requests are read into a small namespace-aware tree: every element keeps its namespace URI
//! and local name, so a client may use any prefix, while a lookup by URI still catches a client
//! that puts an element in the wrong namespace (a real gSOAP device would not understand it).
//! Unlike camswap's reader this one is strict: an undeclared prefix, a second root or trailing
//! text make the request malformed, which is what a device answers with `ter:WellFormed`.

use std::fmt::Write as _;

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

/// No SOAP request needs deeper nesting; a hostile document must not exhaust memory or stack.
const MAX_DEPTH: usize = 64;

/// Why a request body is not usable XML.
#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    /// The document is not well-formed (or not namespace-well-formed).
    #[error("malformed XML at byte {position}: {message}")]
    Malformed {
        /// Byte offset where reading stopped.
        position: u64,
        /// What went wrong.
        message: String,
    },
    /// There is no root element.
    #[error("no root element")]
    Empty,
    /// Nesting deeper than the limit.
    #[error("elements nested deeper than {MAX_DEPTH}")]
    TooDeep,
}

/// One attribute with its namespace resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    /// Namespace URI; `None` for an unprefixed attribute.
    pub ns: Option<String>,
    /// Local name.
    pub name: String,
    /// Unescaped value.
    pub value: String,
}

/// One element of a request and everything below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Namespace URI; `None` when the element is in no namespace.
    pub ns: Option<String>,
    /// Local name.
    pub name: String,
    /// Attributes, namespace declarations excluded.
    pub attrs: Vec<Attr>,
    /// Child elements in document order.
    pub children: Vec<Node>,
    /// Direct text content, unescaped, CDATA included.
    pub text: String,
}

impl Node {
    /// True when the element is `{ns}name`.
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.name == name && self.ns.as_deref() == Some(ns)
    }

    /// First child `{ns}name`.
    pub fn child(&self, ns: &str, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    /// All children `{ns}name`.
    pub fn children_named<'a>(
        &'a self,
        ns: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.is(ns, name))
    }

    /// Trimmed text of the first child `{ns}name`.
    pub fn child_text(&self, ns: &str, name: &str) -> Option<&str> {
        self.child(ns, name).map(|c| c.text.trim())
    }

    /// Value of the attribute with this local name (any namespace).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.as_str())
    }

    /// `{namespace}local` for messages.
    pub fn qualified(&self) -> String {
        match &self.ns {
            Some(ns) => format!("{{{ns}}}{}", self.name),
            None => self.name.clone(),
        }
    }
}

fn malformed(position: u64, message: impl Into<String>) -> XmlError {
    XmlError::Malformed {
        position,
        message: message.into(),
    }
}

fn resolved(r: ResolveResult<'_>, prefix: &[u8], pos: u64) -> Result<Option<String>, XmlError> {
    match r {
        ResolveResult::Bound(ns) => Ok(Some(String::from_utf8_lossy(ns.as_ref()).into_owned())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(_) => Err(malformed(
            pos,
            format!(
                "undeclared namespace prefix `{}`",
                String::from_utf8_lossy(prefix)
            ),
        )),
    }
}

/// Parse a whole document into its root element.
pub fn parse(bytes: &[u8]) -> Result<Node, XmlError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| malformed(e.valid_up_to() as u64, "not UTF-8 text"))?;
    let mut reader = NsReader::from_str(text);
    reader.config_mut().trim_text(false);
    reader.config_mut().check_end_names = true;

    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let pos = reader.buffer_position();
        let (res, event) = reader
            .read_resolved_event()
            .map_err(|e| malformed(pos, e.to_string()))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if root.is_some() {
                    return Err(malformed(pos, "content after the root element"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                let prefix = e
                    .name()
                    .prefix()
                    .map(|p| p.as_ref().to_vec())
                    .unwrap_or_default();
                let ns = resolved(res, &prefix, pos)?;
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let mut attrs = Vec::new();
                for a in e.attributes() {
                    let a = a.map_err(|err| malformed(pos, err.to_string()))?;
                    let key = a.key.as_ref();
                    if key == b"xmlns" || key.starts_with(b"xmlns:") {
                        continue;
                    }
                    let (ares, local) = reader.resolve_attribute(a.key);
                    let aprefix = a
                        .key
                        .prefix()
                        .map(|p| p.as_ref().to_vec())
                        .unwrap_or_default();
                    let ans = resolved(ares, &aprefix, pos)?;
                    let value = a
                        .unescape_value()
                        .map_err(|err| malformed(pos, err.to_string()))?
                        .into_owned();
                    attrs.push(Attr {
                        ns: ans,
                        name: String::from_utf8_lossy(local.as_ref()).into_owned(),
                        value,
                    });
                }
                let node = Node {
                    ns,
                    name,
                    attrs,
                    children: Vec::new(),
                    text: String::new(),
                };
                if matches!(event, Event::Empty(_)) {
                    close(node, &mut stack, &mut root);
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let node = stack
                    .pop()
                    .ok_or_else(|| malformed(pos, "end tag without start tag"))?;
                close(node, &mut stack, &mut root);
            }
            Event::Text(t) => {
                let s = t.unescape().map_err(|e| malformed(pos, e.to_string()))?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => return Err(malformed(pos, "text outside the root element")),
                }
            }
            Event::CData(t) => {
                let s = std::str::from_utf8(t.as_ref())
                    .map_err(|_| malformed(pos, "CDATA is not UTF-8"))?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(s),
                    None => return Err(malformed(pos, "CDATA outside the root element")),
                }
            }
            // Entity declarations could expand without bound; no ONVIF client sends a DOCTYPE.
            Event::DocType(_) => return Err(malformed(pos, "DOCTYPE is not allowed")),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => {
                if !stack.is_empty() {
                    return Err(malformed(pos, "unexpected end of document"));
                }
                return root.ok_or(XmlError::Empty);
            }
        }
    }
}

fn close(node: Node, stack: &mut [Node], root: &mut Option<Node>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
}

/// Escape text for element content and attribute values (both quote kinds).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// Writes response payloads with fixed prefixes; the envelope declares them.
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// `<name attrs...>`; attribute values are escaped here.
    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            let _ = write!(self.out, " {k}=\"{}\"", escape(v));
        }
        self.out.push('>');
        self
    }

    /// `</name>`.
    pub fn close(&mut self, name: &str) -> &mut Self {
        let _ = write!(self.out, "</{name}>");
        self
    }

    /// `<name attrs.../>`.
    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            let _ = write!(self.out, " {k}=\"{}\"", escape(v));
        }
        self.out.push_str("/>");
        self
    }

    /// `<name>text</name>` with the text escaped.
    pub fn leaf(&mut self, name: &str, text: impl std::fmt::Display) -> &mut Self {
        let text = text.to_string();
        let _ = write!(self.out, "<{name}>{}</{name}>", escape(&text));
        self
    }

    /// The written XML.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENV: &str = "http://www.w3.org/2003/05/soap-envelope";
    const TDS: &str = "http://www.onvif.org/ver10/device/wsdl";

    #[test]
    fn any_prefix_resolves_to_the_same_namespace() {
        for doc in [
            format!(
                r#"<s:Envelope xmlns:s="{ENV}"><s:Body><x:GetHostname xmlns:x="{TDS}"/></s:Body></s:Envelope>"#
            ),
            format!(
                r#"<Envelope xmlns="{ENV}"><Body><GetHostname xmlns="{TDS}"></GetHostname></Body></Envelope>"#
            ),
        ] {
            let root = parse(doc.as_bytes()).unwrap();
            assert!(root.is(ENV, "Envelope"));
            let body = root.child(ENV, "Body").unwrap();
            assert!(body.children[0].is(TDS, "GetHostname"), "{doc}");
        }
    }

    #[test]
    fn undeclared_prefix_is_malformed() {
        let err = parse(b"<a:Envelope><b/></a:Envelope>").unwrap_err();
        assert!(
            err.to_string().contains("undeclared namespace prefix `a`"),
            "{err}"
        );
    }

    #[test]
    fn broken_documents_are_refused() {
        for doc in [
            &b"<a><b></a>"[..],
            b"<a>",
            b"",
            b"<a/><b/>",
            b"<a/>text",
            b"<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>",
            b"<a>&unknown;</a>",
            b"\xff\xfe<a/>",
        ] {
            assert!(parse(doc).is_err(), "{}", String::from_utf8_lossy(doc));
        }
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        let doc = "<a>".repeat(100_000);
        assert!(matches!(parse(doc.as_bytes()), Err(XmlError::TooDeep)));
    }

    #[test]
    fn text_entities_and_cdata_are_unescaped() {
        let root = parse(b"<a x=\"1&amp;2\">p&lt;q<![CDATA[<r>]]></a>").unwrap();
        assert_eq!(root.text, "p<q<r>");
        assert_eq!(root.attr("x"), Some("1&2"));
    }

    #[test]
    fn writer_escapes_text_and_attributes() {
        let mut w = Writer::new();
        w.open("a", &[("v", "\"<&")]).leaf("b", "x<y&z").close("a");
        assert_eq!(
            w.finish(),
            "<a v=\"&quot;&lt;&amp;\"><b>x&lt;y&amp;z</b></a>"
        );
    }
}
