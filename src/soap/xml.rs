//! A small namespace-aware XML tree, built for reading what cameras send.
//!
//! Cameras pick their own prefixes (`env:`, `SOAP-ENV:`, `s:`, none), re-indent, echo headers
//! back and sometimes use a prefix they never declared. So every element records its resolved
//! namespace URI and its local name, and lookups go by local name; code that must be sure of a
//! namespace (the envelope, the payload) checks the URI. An undeclared prefix is not fatal: the
//! element keeps its local name, has no namespace, and remembers the prefix it used.
//!
//! Values that are QNames (fault subcodes, WS-Discovery `Types`) need the namespace bindings in
//! scope at their element, so each element shares (by `Rc`) the binding map in force there.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::rc::Rc;

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

/// Deeper nesting than this is refused: no ONVIF message comes close, and a hostile document
/// must not make us recurse (dropping or walking the tree) until the stack runs out.
pub const MAX_DEPTH: usize = 256;

/// Why a document could not be read as XML.
#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    /// The bytes are not UTF-8 (no capture has shown another encoding).
    #[error("not UTF-8 text at byte {0}")]
    NotUtf8(usize),
    /// The document is not well-formed.
    #[error("malformed XML at byte {position}: {message}")]
    Malformed {
        /// Byte offset where the reader stopped.
        position: u64,
        /// What the reader said.
        message: String,
    },
    /// There is no root element.
    #[error("no root element")]
    Empty,
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("elements nested deeper than {MAX_DEPTH}")]
    TooDeep,
}

/// Namespace bindings in scope at an element: prefix (empty for the default) → URI.
pub type Scope = Rc<BTreeMap<String, String>>;

/// One attribute, with its namespace resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    /// Namespace URI, or `None` for an unprefixed attribute (or an undeclared prefix).
    pub ns: Option<String>,
    /// Local name.
    pub name: String,
    /// Unescaped value.
    pub value: String,
}

/// One element and everything below it.
#[derive(Debug, Clone)]
pub struct Element {
    /// Namespace URI, if the element's prefix (or the default namespace) is bound.
    pub ns: Option<String>,
    /// Local name (`Envelope` for `SOAP-ENV:Envelope`).
    pub name: String,
    /// The prefix as written, kept so an undeclared prefix can be reported.
    pub prefix: Option<String>,
    /// Attributes except namespace declarations.
    pub attrs: Vec<Attr>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// Direct text content, unescaped and concatenated (CDATA included).
    pub text: String,
    /// Namespace bindings in scope here.
    pub scope: Scope,
}

impl Element {
    /// True when this element has local name `name` (any namespace).
    pub fn is(&self, name: &str) -> bool {
        self.name == name
    }

    /// True when this element is `{ns}name`.
    pub fn is_ns(&self, ns: &str, name: &str) -> bool {
        self.name == name && self.ns.as_deref() == Some(ns)
    }

    /// First child with local name `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children with local name `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Follows a path of local names: `e.path(&["Rate", "FrameRateLimit"])`.
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |e, n| e.child(n))
    }

    /// Trimmed text of this element.
    pub fn text_trim(&self) -> &str {
        self.text.trim()
    }

    /// Trimmed text of the first child named `name`, if present.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(Element::text_trim)
    }

    /// Trimmed text of the child at `names`, if present and not empty.
    pub fn path_text(&self, names: &[&str]) -> Option<&str> {
        self.path(names)
            .map(Element::text_trim)
            .filter(|t| !t.is_empty())
    }

    /// Value of the attribute with local name `name` (any namespace).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.as_str())
    }

    /// Depth-first search for the first descendant (or self) with local name `name`.
    pub fn find(&self, name: &str) -> Option<&Element> {
        if self.name == name {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(name))
    }

    /// Resolves a QName value such as `ter:NotAuthorized` with the bindings in scope here.
    /// Leading and trailing white space is ignored (Dahua writes `<s:Value> ter:MaxOSDs</s:Value>`).
    pub fn resolve_qname(&self, value: &str) -> QNameValue {
        let value = value.trim();
        let (prefix, local) = match value.split_once(':') {
            Some((p, l)) => (p, l),
            None => ("", value),
        };
        QNameValue {
            ns: self.scope.get(prefix).cloned(),
            prefix: (!prefix.is_empty()).then(|| prefix.to_owned()),
            local: local.to_owned(),
        }
    }

    /// Serialises the element back to XML (namespaces declared where first used), for logs
    /// and for handing a fragment on. Not byte-identical to the input.
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        let mut declared = BTreeMap::new();
        self.write_xml(&mut out, &mut declared);
        out
    }

    fn write_xml(&self, out: &mut String, declared: &mut BTreeMap<String, String>) {
        let tag = match &self.prefix {
            Some(p) => format!("{p}:{}", self.name),
            None => self.name.clone(),
        };
        out.push('<');
        out.push_str(&tag);
        let mut newly = Vec::new();
        for (p, uri) in self.scope.iter() {
            if declared.get(p) != Some(uri) {
                if p.is_empty() {
                    let _ = write!(out, " xmlns=\"{}\"", escape(uri));
                } else {
                    let _ = write!(out, " xmlns:{p}=\"{}\"", escape(uri));
                }
                newly.push((p.clone(), declared.insert(p.clone(), uri.clone())));
            }
        }
        for a in &self.attrs {
            let prefix =
                a.ns.as_ref()
                    .and_then(|ns| self.scope.iter().find(|(p, u)| *u == ns && !p.is_empty()))
                    .map(|(p, _)| format!("{p}:"))
                    .unwrap_or_default();
            let _ = write!(out, " {prefix}{}=\"{}\"", a.name, escape(&a.value));
        }
        if self.children.is_empty() && self.text.is_empty() {
            out.push_str("/>");
        } else {
            out.push('>');
            out.push_str(&escape(&self.text));
            for c in &self.children {
                c.write_xml(out, declared);
            }
            let _ = write!(out, "</{tag}>");
        }
        for (p, old) in newly {
            match old {
                Some(u) => declared.insert(p, u),
                None => declared.remove(&p),
            };
        }
    }
}

/// A resolved QName value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QNameValue {
    /// The namespace bound to the prefix, if it was bound.
    pub ns: Option<String>,
    /// The prefix as written.
    pub prefix: Option<String>,
    /// The local part.
    pub local: String,
}

/// Escapes text for an XML element or attribute value.
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(s)
}

/// Parses a whole document into its root element.
pub fn parse(bytes: &[u8]) -> Result<Element, XmlError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| XmlError::NotUtf8(e.valid_up_to()))?;
    parse_str(text)
}

/// Parses a whole document (already text) into its root element.
pub fn parse_str(text: &str) -> Result<Element, XmlError> {
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let event = reader.read_event().map_err(|e| malformed(&reader, &e))?;
        match event {
            Event::Start(start) => open(&reader, &start, &mut stack)?,
            Event::Empty(start) => {
                open(&reader, &start, &mut stack)?;
                close(&mut stack, &mut root);
            }
            Event::End(_) => close(&mut stack, &mut root),
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    let s = t.unescape().map_err(|e| malformed(&reader, &e))?;
                    top.text.push_str(&s);
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&c.into_inner()));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(XmlError::Malformed {
            position: reader.buffer_position(),
            message: format!("unclosed element <{}>", open.name),
        });
    }
    root.ok_or(XmlError::Empty)
}

fn malformed(reader: &NsReader<&[u8]>, e: &dyn std::fmt::Display) -> XmlError {
    XmlError::Malformed {
        position: reader.buffer_position(),
        message: e.to_string(),
    }
}

fn bound(r: &ResolveResult<'_>) -> Option<String> {
    match r {
        ResolveResult::Bound(ns) => Some(String::from_utf8_lossy(ns.as_ref()).into_owned()),
        _ => None,
    }
}

fn open(
    reader: &NsReader<&[u8]>,
    start: &quick_xml::events::BytesStart<'_>,
    stack: &mut Vec<Element>,
) -> Result<(), XmlError> {
    if stack.len() >= MAX_DEPTH {
        return Err(XmlError::TooDeep);
    }
    let parent_scope = stack
        .last()
        .map(|p| p.scope.clone())
        .unwrap_or_else(|| Rc::new(BTreeMap::new()));
    let mut decls = Vec::new();
    let mut attrs = Vec::new();
    for attr in start.attributes().with_checks(false) {
        let attr = attr.map_err(|e| malformed(reader, &e))?;
        let key = attr.key.as_ref();
        let value = attr
            .unescape_value()
            .map_err(|e| malformed(reader, &e))?
            .into_owned();
        if key == b"xmlns" {
            decls.push((String::new(), value));
        } else if let Some(p) = key.strip_prefix(b"xmlns:") {
            decls.push((String::from_utf8_lossy(p).into_owned(), value));
        } else {
            let (ns, local) = reader.resolve_attribute(attr.key);
            attrs.push(Attr {
                ns: bound(&ns),
                name: String::from_utf8_lossy(local.as_ref()).into_owned(),
                value,
            });
        }
    }
    let scope = if decls.is_empty() {
        parent_scope
    } else {
        let mut map = (*parent_scope).clone();
        map.extend(decls);
        Rc::new(map)
    };
    let qname = start.name();
    stack.push(Element {
        ns: bound(&reader.resolve_element(qname).0),
        name: String::from_utf8_lossy(qname.local_name().as_ref()).into_owned(),
        prefix: qname
            .prefix()
            .map(|p| String::from_utf8_lossy(p.as_ref()).into_owned()),
        attrs,
        children: Vec::new(),
        text: String::new(),
        scope,
    });
    Ok(())
}

fn close(stack: &mut Vec<Element>, root: &mut Option<Element>) {
    if let Some(done) = stack.pop() {
        match stack.last_mut() {
            Some(parent) => parent.children.push(done),
            None => {
                if root.is_none() {
                    *root = Some(done);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_prefix_resolves_to_the_same_namespace() {
        for doc in [
            r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body/></env:Envelope>"#,
            r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope"><SOAP-ENV:Body/></SOAP-ENV:Envelope>"#,
            r#"<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body/></Envelope>"#,
        ] {
            let root = parse(doc.as_bytes()).unwrap();
            assert!(root.is_ns("http://www.w3.org/2003/05/soap-envelope", "Envelope"));
            assert!(root.child("Body").is_some());
        }
    }

    #[test]
    fn undeclared_prefix_is_kept_without_namespace() {
        let root = parse(b"<a><tad:Service>x</tad:Service></a>").unwrap();
        let s = root.child("Service").unwrap();
        assert_eq!(s.ns, None);
        assert_eq!(s.prefix.as_deref(), Some("tad"));
        assert_eq!(s.text_trim(), "x");
    }

    #[test]
    fn qname_values_resolve_with_scope_and_trim() {
        let root =
            parse(br#"<v xmlns:ter="http://www.onvif.org/ver10/error"> ter:MaxOSDs</v>"#).unwrap();
        let q = root.resolve_qname(&root.text);
        assert_eq!(q.ns.as_deref(), Some("http://www.onvif.org/ver10/error"));
        assert_eq!(q.local, "MaxOSDs");
    }

    #[test]
    fn entities_and_cdata_are_unescaped() {
        let root = parse(b"<u>rtsp://h/a?x=1&amp;y=2<![CDATA[&z]]></u>").unwrap();
        assert_eq!(root.text, "rtsp://h/a?x=1&y=2&z");
    }

    #[test]
    fn hostile_documents_are_errors_not_panics() {
        assert!(matches!(parse(b"not xml at all"), Err(XmlError::Empty)));
        assert!(matches!(
            parse(b"<a><b></a>"),
            Err(XmlError::Malformed { .. })
        ));
        assert!(matches!(parse(b"<a><b>"), Err(XmlError::Malformed { .. })));
        assert!(matches!(parse(b"\xff\xfe<a/>"), Err(XmlError::NotUtf8(0))));
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(matches!(parse(deep.as_bytes()), Err(XmlError::TooDeep)));
    }

    #[test]
    fn to_xml_round_trips_through_parse() {
        let doc =
            r#"<s:E xmlns:s="urn:s" xmlns:t="urn:t"><t:A t:k="v&amp;">1 &lt; 2</t:A><B/></s:E>"#;
        let root = parse(doc.as_bytes()).unwrap();
        let again = parse(root.to_xml().as_bytes()).unwrap();
        let a = again.child("A").unwrap();
        assert_eq!(a.ns.as_deref(), Some("urn:t"));
        assert_eq!(a.attrs[0].ns.as_deref(), Some("urn:t"));
        assert_eq!(a.attr("k"), Some("v&"));
        assert_eq!(a.text, "1 < 2");
    }
}
