//! A small namespace-aware XML tree, built for reading what cameras send.
//!
//! Cameras pick their own prefixes (`env:`, `SOAP-ENV:`, `s:`, none), re-indent, echo headers
//! back and sometimes use a prefix they never declared. So every element records its resolved
//! namespace URI and its local name, and lookups go by local name; code that must be sure of a
//! namespace (the envelope, the payload) checks the URI. An undeclared prefix is not fatal: the
//! element keeps its local name, has no namespace, and remembers the prefix it used.
//!
//! Values that are QNames (fault subcodes, WS-Discovery `Types`) need the namespace bindings in
//! scope at their element. Scopes are a persistent chain: an element that declares namespaces
//! adds one link holding only its own declarations, every other element shares its parent's
//! link, so a thousand prefixes on the root cost a thousand bindings once, not once per element.
//!
//! A device decides what we allocate, so a document is read under limits (elements,
//! attributes, namespace declarations, and an estimate of the tree's memory against a small
//! multiple of the document's size); going past one is an [`XmlError`] for that document
//! only. Names are interned per document: the ten thousand `tt:Name` elements of a big answer
//! share one `Name` and one namespace URI.

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::fmt::{self, Write as _};
use std::ops::Deref;
use std::sync::Arc;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// Deeper nesting than this is refused: no ONVIF message comes close, and a hostile document
/// must not make us recurse (dropping or walking the tree) until the stack runs out.
pub const MAX_DEPTH: usize = 256;

/// Most elements in one document. The largest real answer seen (a 165 KB Dahua NVR
/// GetProfiles) has 2,632, so this leaves room for NVRs with a hundred times its channels
/// while bounding the tree (elements are 152 bytes each) to tens of megabytes.
pub const MAX_ELEMENTS: usize = 200_000;

/// Most attributes (namespace declarations apart) in one document.
pub const MAX_ATTRIBUTES: usize = 200_000;

/// Most namespace declarations in one document. Real answers carry 4 to 76 (Dahua declares
/// every ONVIF namespace on the envelope); some stacks repeat declarations on many elements.
pub const MAX_NAMESPACE_DECLARATIONS: usize = 10_000;

/// The tree of a document may take at most this many times the document's size in memory
/// (plus [`MEMORY_FLOOR`]). Real captures allocate 3–7× their size while being read, the
/// per-document tables weighing most on small ones, and the 165 KB NVR answer 2.9×
/// (`SHOW_RATIOS=1 cargo test --test xml_memory real_captures -- --nocapture`); the densest
/// legal markup, `<a/>` repeated, would need about 64×.
pub const MEMORY_FACTOR: usize = 8;

/// Memory every document may use whatever its size, so that small answers are never refused
/// for their structure alone.
pub const MEMORY_FLOOR: usize = 256 * 1024;

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
    /// More elements, attributes or namespace declarations than one document may carry.
    #[error("more than {limit} {what} in one document (refused at byte {position})")]
    TooMany {
        /// `elements`, `attributes` or `namespace declarations`.
        what: &'static str,
        /// The limit ([`MAX_ELEMENTS`], [`MAX_ATTRIBUTES`], [`MAX_NAMESPACE_DECLARATIONS`]).
        limit: usize,
        /// Byte offset where reading stopped.
        position: u64,
    },
    /// The tree would take more memory than the document's size allows.
    #[error(
        "a {size}-byte document would take more than {budget} bytes of memory as a tree \
         (refused at byte {position})"
    )]
    TooCostly {
        /// The document's size in bytes.
        size: usize,
        /// Memory allowed: [`MEMORY_FLOOR`] + [`MEMORY_FACTOR`] × size.
        budget: usize,
        /// Byte offset where reading stopped.
        position: u64,
    },
}

/// An element, attribute or namespace name, or a namespace URI: immutable text shared by
/// every element of a document that uses it. Reads like a `&str` (`name == "Profiles"`,
/// `name.as_str()`, `&*name`, `{name}`); `String::from(name)` or `to_string()` for an owned copy.
///
/// Short names are interned for the whole process (ONVIF's vocabulary is a few hundred names
/// and URIs), so that copying one into each element of each answer is a plain copy, with no
/// reference count to touch; the interned set is bounded ([`INTERNED_BYTES`]), and names
/// beyond it (what a hostile device could invent) are shared per document instead.
#[derive(Clone)]
pub struct Name(Repr);

/// Both variants are thin pointers, so a name takes two words (an element holds three).
#[derive(Clone)]
enum Repr {
    Interned(&'static String),
    Shared(Arc<String>),
}

/// Most bytes of name text interned for the life of the process.
pub const INTERNED_BYTES: usize = 256 * 1024;

/// Longer names and URIs are never interned (the longest ONVIF namespace URI, WS-Security's,
/// has 81 bytes).
const INTERNED_NAME_MAX: usize = 128;

/// The process-wide set of interned names and the bytes it holds.
#[allow(clippy::type_complexity)]
static INTERNED: std::sync::Mutex<(Option<HashMap<&'static str, &'static String>>, usize)> =
    std::sync::Mutex::new((None, 0));

impl Name {
    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Interned(s) => s.as_str(),
            Repr::Shared(s) => s.as_str(),
        }
    }

    /// The interned copy of `s` when it is short and the interned set has room, else a
    /// shared one.
    fn interned(s: &str) -> Self {
        if s.len() <= INTERNED_NAME_MAX {
            let mut guard = INTERNED.lock().unwrap_or_else(|p| p.into_inner());
            let (set, bytes) = &mut *guard;
            let set = set.get_or_insert_with(HashMap::new);
            if let Some(&n) = set.get(s) {
                return Self(Repr::Interned(n));
            }
            // The set's entry and the string's own header count as well as the text.
            let cost = s.len() + size_of::<(&str, &String)>() + size_of::<String>();
            if *bytes + cost <= INTERNED_BYTES {
                let leaked: &'static String = Box::leak(Box::new(s.to_owned()));
                set.insert(leaked.as_str(), leaked);
                *bytes += cost;
                return Self(Repr::Interned(leaked));
            }
        }
        Self::from(s)
    }
}

impl Default for Name {
    fn default() -> Self {
        static EMPTY: String = String::new();
        Self(Repr::Interned(&EMPTY))
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Name {}

impl std::hash::Hash for Name {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Name) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Self {
        Self(Repr::Shared(Arc::new(s.to_owned())))
    }
}

impl From<String> for Name {
    fn from(s: String) -> Self {
        Self(Repr::Shared(Arc::new(s)))
    }
}

impl From<Name> for String {
    fn from(n: Name) -> Self {
        n.as_str().to_owned()
    }
}

impl From<&Name> for String {
    fn from(n: &Name) -> Self {
        n.as_str().to_owned()
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == other.as_str()
    }
}

/// Text of an element or value of an attribute: immutable, read like a `&str` (`text == "x"`,
/// `&*text`, `text.trim()`, `{text}`); `String::from(text)` or `to_string()` for an owned copy.
///
/// Text as written (no entity in it, the common case) is a range of one shared copy of the
/// document rather than a string of its own, so reading an answer allocates for its structure,
/// not once per value. Text that had entities or came in pieces (around CDATA, comments or
/// child elements) holds its own copy.
#[derive(Clone, Default)]
pub struct Text {
    /// The document (or the text's own copy); `None` for empty text. A thin pointer, so
    /// that text takes two words.
    buf: Option<Arc<String>>,
    start: u32,
    end: u32,
}

impl Text {
    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.buf {
            Some(b) => &b[self.start as usize..self.end as usize],
            None => "",
        }
    }

    /// `doc[start..end]`, sharing `doc` (a copy when the offsets do not fit the range's type).
    fn span(doc: &Arc<String>, start: usize, end: usize) -> Self {
        if start == end {
            return Self::default();
        }
        match (u32::try_from(start), u32::try_from(end)) {
            (Ok(start), Ok(end)) => Self {
                buf: Some(Arc::clone(doc)),
                start,
                end,
            },
            _ => Self::from(&doc[start..end]),
        }
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        if s.is_empty() {
            return Self::default();
        }
        match u32::try_from(s.len()) {
            Ok(end) => Self {
                buf: Some(Arc::new(s.to_owned())),
                start: 0,
                end,
            },
            // Longer than any document we read (16 MiB cap): text that long is not kept.
            Err(_) => Self::default(),
        }
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Self::from(s.as_str())
    }
}

impl From<Text> for String {
    fn from(t: Text) -> Self {
        t.as_str().to_owned()
    }
}

impl From<&Text> for String {
    fn from(t: &Text) -> Self {
        t.as_str().to_owned()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

/// Namespace bindings in scope at an element: a shared, persistent chain of the declarations
/// made by it and its ancestors (innermost first). Cloning is a reference count.
#[derive(Clone, Default)]
pub struct Scope(Option<Arc<ScopeLink>>);

/// The namespace declarations of one element: (prefix, URI).
type Declarations = Box<[(Name, Name)]>;

struct ScopeLink {
    /// Declarations made by one element: (prefix, empty for the default namespace; URI).
    decls: Declarations,
    parent: Scope,
}

impl Scope {
    /// The URI bound to `prefix` (empty for the default namespace), innermost binding first.
    pub fn get(&self, prefix: &str) -> Option<&Name> {
        let mut link = self.0.as_deref();
        while let Some(l) = link {
            if let Some((_, uri)) = l.decls.iter().rev().find(|(p, _)| p == prefix) {
                return Some(uri);
            }
            link = l.parent.0.as_deref();
        }
        None
    }

    /// Every binding in effect (the innermost for each prefix), sorted by prefix.
    pub fn bindings(&self) -> Vec<(&Name, &Name)> {
        let mut out: Vec<(&Name, &Name)> = Vec::new();
        let mut link = self.0.as_deref();
        while let Some(l) = link {
            for (p, uri) in l.decls.iter().rev() {
                if !out.iter().any(|(q, _)| *q == p) {
                    out.push((p, uri));
                }
            }
            link = l.parent.0.as_deref();
        }
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// Declarations made at this link only (the element that owns it).
    fn own(&self) -> &[(Name, Name)] {
        self.0.as_deref().map_or(&[], |l| &l.decls)
    }

    fn same(&self, other: &Scope) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.bindings()).finish()
    }
}

/// One attribute, with its namespace resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    /// Namespace URI, or `None` for an unprefixed attribute (or an undeclared prefix).
    pub ns: Option<Name>,
    /// Local name.
    pub name: Name,
    /// Unescaped value.
    pub value: Text,
}

/// One element and everything below it.
#[derive(Debug, Clone)]
pub struct Element {
    /// Namespace URI, if the element's prefix (or the default namespace) is bound.
    pub ns: Option<Name>,
    /// Local name (`Envelope` for `SOAP-ENV:Envelope`).
    pub name: Name,
    /// The prefix as written, kept so an undeclared prefix can be reported.
    pub prefix: Option<Name>,
    /// Attributes except namespace declarations.
    pub attrs: Vec<Attr>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// Direct text content, unescaped and concatenated (CDATA included). Runs of white space
    /// alone (the indentation between child elements) are not kept.
    pub text: Text,
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
            ns: self.scope.get(prefix).map(String::from),
            prefix: (!prefix.is_empty()).then(|| prefix.to_owned()),
            local: local.to_owned(),
        }
    }

    /// Serialises the element back to XML (the bindings in scope declared on it, and each
    /// descendant's own declarations on that descendant), for logs and for handing a fragment
    /// on. Not byte-identical to the input.
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        self.write_xml(&mut out, None);
        out
    }

    fn write_xml(&self, out: &mut String, parent: Option<&Scope>) {
        out.push('<');
        let tag_at = out.len();
        if let Some(p) = &self.prefix {
            out.push_str(p);
            out.push(':');
        }
        out.push_str(&self.name);
        let tag_end = out.len();
        let declare = |out: &mut String, p: &Name, uri: &Name| {
            if p.is_empty() {
                let _ = write!(out, " xmlns=\"{}\"", escape(uri));
            } else {
                let _ = write!(out, " xmlns:{p}=\"{}\"", escape(uri));
            }
        };
        match parent {
            None => self
                .scope
                .bindings()
                .into_iter()
                .for_each(|(p, uri)| declare(out, p, uri)),
            Some(parent) if !self.scope.same(parent) => self
                .scope
                .own()
                .iter()
                .for_each(|(p, uri)| declare(out, p, uri)),
            Some(_) => {}
        }
        for a in &self.attrs {
            // A local name with a colon (`p:xmlns:q`, only from malformed input) cannot be
            // written so that it reads back the same: without its undeclared prefix it would
            // become another name, or a namespace declaration. Left out.
            if a.name.contains(':') {
                continue;
            }
            let prefix = a.ns.as_ref().and_then(|ns| {
                self.scope
                    .bindings()
                    .into_iter()
                    .find(|(p, u)| *u == ns && !p.is_empty())
                    .map(|(p, _)| p)
            });
            out.push(' ');
            if let Some(p) = prefix {
                out.push_str(p);
                out.push(':');
            }
            let _ = write!(out, "{}=\"{}\"", a.name, escape(&a.value));
        }
        if self.children.is_empty() && self.text.is_empty() {
            out.push_str("/>");
        } else {
            out.push('>');
            out.push_str(&escape(&self.text));
            for c in &self.children {
                c.write_xml(out, Some(&self.scope));
            }
            let tag = out[tag_at..tag_end].to_owned();
            let _ = write!(out, "</{tag}>");
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
    let kept = KEPT.with(|c| c.take());
    let fresh = kept.is_none();
    // One copy of the document, which the text of the tree shares.
    let doc: Arc<String> = Arc::new(text.to_owned());
    let mut b = Builder::new(Arc::clone(&doc), kept.unwrap_or_default());
    b.cost = Builder::START_BYTES + ENTRY_COST + text.len();
    if fresh {
        // The first document on a thread pays for the cache's slots.
        b.cost += NameCache::SLOTS_BYTES;
    }
    let result = read_into(&mut b, &doc);
    // The cache and buffers go back for the next document, whatever became of this one.
    let (root, kept) = b.finish();
    KEPT.with(|c| c.set(Some(kept)));
    result?;
    root.ok_or(XmlError::Empty)
}

fn read_into(b: &mut Builder, text: &str) -> Result<(), XmlError> {
    let mut reader = Reader::from_str(text);
    loop {
        let event = reader.read_event().map_err(|e| malformed(&reader, &e))?;
        let position = reader.buffer_position();
        match event {
            Event::Start(start) => b.open(&start, position)?,
            Event::Empty(start) => {
                b.open(&start, position)?;
                b.close(position)?;
            }
            Event::End(_) => b.close(position)?,
            Event::Text(t) => {
                // Indentation between elements: nobody reads it, and keeping it would give
                // every parent a string of spaces.
                if b.stack.is_empty() || t.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let (start, end) = span_of(text, &t, position)?;
                let raw = &text[start..end];
                if raw.contains('&') {
                    // Unescaping builds a copy: charged before it is made.
                    b.charge(raw.len(), position)?;
                    let s = quick_xml::escape::unescape(raw).map_err(|e| malformed(&reader, &e))?;
                    b.text(Piece::Own(s.into_owned()), position)?;
                } else {
                    b.text(Piece::Span(start, end), position)?;
                }
            }
            Event::CData(c) if !b.stack.is_empty() => {
                let (start, end) = span_of(text, &c, position)?;
                b.text(Piece::Span(start, end), position)?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = b.stack.last() {
        return Err(XmlError::Malformed {
            position: reader.buffer_position(),
            message: format!("unclosed element <{}>", open.element.name),
        });
    }
    Ok(())
}

/// Where `part`, a slice the reader handed out, stands in `doc`: the reader borrows from the
/// document it reads, so its text needs no copy and no second UTF-8 check.
fn span_of(doc: &str, part: &[u8], position: u64) -> Result<(usize, usize), XmlError> {
    let start = (part.as_ptr() as usize).wrapping_sub(doc.as_ptr() as usize);
    match start.checked_add(part.len()) {
        Some(end)
            if end <= doc.len() && doc.is_char_boundary(start) && doc.is_char_boundary(end) =>
        {
            Ok((start, end))
        }
        // Not a slice of the document: the reader would have had to build it itself, which
        // it does not for a document read from a `&str`.
        _ => Err(XmlError::Malformed {
            position,
            message: "text outside the document".to_owned(),
        }),
    }
}

/// A piece of an element's text: a range of the document, or an unescaped copy.
enum Piece {
    Span(usize, usize),
    Own(String),
}

fn malformed(reader: &Reader<&[u8]>, e: &dyn fmt::Display) -> XmlError {
    XmlError::Malformed {
        position: reader.buffer_position(),
        message: e.to_string(),
    }
}

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

thread_local! {
    /// Each thread keeps the names of the documents it read, so that the next answer's
    /// `tt:Name` is a lookup rather than three allocations, and its emptied work buffers.
    /// Bounded: a fixed number of name slots, and buffers that grew large are dropped.
    static KEPT: std::cell::Cell<Option<Kept>> = const { std::cell::Cell::new(None) };
}

/// What a thread keeps between documents.
struct Kept {
    names: NameCache,
    stack: Vec<Open>,
    done: Vec<Element>,
    uris: HashSet<Name>,
    bindings: HashMap<Name, Option<Name>>,
    undo: Vec<(Name, Option<Option<Name>>)>,
    declared: Vec<(Name, Name)>,
    attrs: Vec<Attr>,
}

/// Capacities kept between documents (and allocated up front): what real answers declare
/// (up to 76 namespaces, on the envelope), nest (about 10 deep) and list (a few dozen
/// siblings). A buffer a document made larger is dropped rather than kept.
const KEPT_BINDINGS: usize = 128;
const KEPT_STACK: usize = 32;
const KEPT_DONE: usize = 128;
const KEPT_ATTRS: usize = 16;

impl Default for Kept {
    fn default() -> Self {
        Self {
            names: NameCache::default(),
            stack: Vec::with_capacity(KEPT_STACK),
            done: Vec::with_capacity(KEPT_DONE),
            uris: HashSet::with_capacity(KEPT_BINDINGS),
            bindings: HashMap::with_capacity(KEPT_BINDINGS),
            undo: Vec::with_capacity(KEPT_BINDINGS),
            declared: Vec::with_capacity(KEPT_BINDINGS),
            attrs: Vec::with_capacity(KEPT_ATTRS),
        }
    }
}

/// Empties `v`, or replaces it with a fresh one of capacity `keep` when it grew past that.
fn emptied<T>(v: &mut Vec<T>, keep: usize) {
    if v.capacity() > keep {
        *v = Vec::with_capacity(keep);
    } else {
        v.clear();
    }
}

/// Slots for element names and for attribute names (powers of two).
const ELEMENT_SLOTS: usize = 1024;
const ATTRIBUTE_SLOTS: usize = 256;

/// Longer names are not kept in the cache, so that what a thread holds on to between
/// documents stays small whatever the names of a hostile one.
const CACHED_NAME_MAX: usize = 64;

/// A qualified name as written, what it splits into, and its namespace under the bindings
/// of one stamp.
struct Cached {
    qname: Box<str>,
    local: Name,
    prefix: Option<Name>,
    ns: Option<Name>,
    /// The bindings `ns` was resolved under (see [`NameCache::stamps`]).
    stamp: u64,
}

/// Direct-mapped cache of qualified names: one slot per hash, a colliding name replaces the
/// one there. A hostile document full of colliding names only makes every lookup a miss
/// (what reading without a cache costs); it cannot make one lookup slower.
struct NameCache {
    elements: Vec<Option<Cached>>,
    attributes: Vec<Option<Cached>>,
    /// Stamps issued so far on this thread: every document, and every element that declares
    /// namespaces, gets a new one, so an entry resolved under other bindings is never reused.
    stamps: u64,
}

impl Default for NameCache {
    fn default() -> Self {
        Self {
            elements: std::iter::repeat_with(|| None)
                .take(ELEMENT_SLOTS)
                .collect(),
            attributes: std::iter::repeat_with(|| None)
                .take(ATTRIBUTE_SLOTS)
                .collect(),
            stamps: 0,
        }
    }
}

impl NameCache {
    const SLOTS_BYTES: usize = (ELEMENT_SLOTS + ATTRIBUTE_SLOTS) * size_of::<Option<Cached>>();

    fn stamp(&mut self) -> u64 {
        self.stamps += 1;
        self.stamps
    }
}

/// Slot of a qualified name in a table of `slots` (a power of two).
fn slot(qname: &[u8], slots: usize) -> usize {
    let mut h = qname.len() as u32;
    for &b in qname {
        h = (h.rotate_left(5) ^ u32::from(b)).wrapping_mul(0x9E37_79B9);
    }
    (h >> 16) as usize & (slots - 1)
}

struct Open {
    element: Element,
    /// The element's text when it came in more than one piece (around CDATA, comments or
    /// children), gathered until the element closes.
    pieces: String,
    /// Where this element's children start in `Builder::done`.
    children_from: usize,
    /// Where this element's binding changes start in `Builder::undo`.
    undo_from: usize,
    /// The bindings stamp in force before this element.
    stamp: u64,
}

/// Builds the tree from reader events.
struct Builder {
    /// The document, which text ranges share.
    doc: Arc<String>,
    stack: Vec<Open>,
    /// Finished elements whose parent is still open, in document order.
    done: Vec<Element>,
    root: Option<Element>,
    names: NameCache,
    /// Namespace URIs, interned.
    uris: HashSet<Name>,
    /// Prefix → URI in force (`None`: undeclared with `xmlns:p=""`).
    bindings: HashMap<Name, Option<Name>>,
    /// Bindings replaced by open elements, restored when they close.
    undo: Vec<(Name, Option<Option<Name>>)>,
    /// Scratch lists for the element being opened.
    declared: Vec<(Name, Name)>,
    attrs: Vec<Attr>,
    /// Identifies the bindings in force, for the name cache.
    stamp: u64,
    element_count: usize,
    attribute_count: usize,
    declaration_count: usize,
    /// Estimated bytes the tree and the tables hold.
    cost: usize,
    size: usize,
    budget: usize,
}

/// Bookkeeping per interned name or URI beyond its text: the `Arc` header, the table entry.
const ENTRY_COST: usize = 64;

impl Builder {
    fn new(doc: Arc<String>, kept: Kept) -> Self {
        let size = doc.len();
        let Kept {
            mut names,
            stack,
            done,
            uris,
            mut bindings,
            undo,
            declared,
            attrs,
        } = kept;
        bindings.insert(Name::interned("xml"), Some(Name::interned(XML_NS)));
        let stamp = names.stamp();
        Self {
            doc,
            stack,
            done,
            root: None,
            names,
            uris,
            bindings,
            undo,
            declared,
            attrs,
            stamp,
            element_count: 0,
            attribute_count: 0,
            declaration_count: 0,
            cost: 0,
            size,
            budget: MEMORY_FLOOR.saturating_add(MEMORY_FACTOR.saturating_mul(size)),
        }
    }

    /// What a document starts with (kept or allocated up front), within [`MEMORY_FLOOR`].
    const START_BYTES: usize = KEPT_BINDINGS * (5 * size_of::<(Name, Option<Name>)>() + 2)
        + KEPT_STACK * size_of::<Open>()
        + KEPT_DONE * size_of::<Element>()
        + KEPT_ATTRS * size_of::<Attr>();

    /// The root, and the buffers emptied for the next document.
    fn finish(self) -> (Option<Element>, Kept) {
        let Builder {
            mut stack,
            mut done,
            root,
            names,
            mut uris,
            mut bindings,
            mut undo,
            mut declared,
            mut attrs,
            ..
        } = self;
        emptied(&mut stack, KEPT_STACK);
        emptied(&mut done, KEPT_DONE);
        emptied(&mut undo, KEPT_BINDINGS);
        emptied(&mut declared, KEPT_BINDINGS);
        emptied(&mut attrs, KEPT_ATTRS);
        if uris.capacity() > 2 * KEPT_BINDINGS {
            uris = HashSet::with_capacity(KEPT_BINDINGS);
        } else {
            uris.clear();
        }
        if bindings.capacity() > 2 * KEPT_BINDINGS {
            bindings = HashMap::with_capacity(KEPT_BINDINGS);
        } else {
            bindings.clear();
        }
        let kept = Kept {
            names,
            stack,
            done,
            uris,
            bindings,
            undo,
            declared,
            attrs,
        };
        (root, kept)
    }

    fn charge(&mut self, bytes: usize, position: u64) -> Result<(), XmlError> {
        self.cost = self.cost.saturating_add(bytes);
        if self.cost > self.budget {
            return Err(XmlError::TooCostly {
                size: self.size,
                budget: self.budget,
                position,
            });
        }
        Ok(())
    }

    fn count(
        count: &mut usize,
        by: usize,
        limit: usize,
        what: &'static str,
        position: u64,
    ) -> Result<(), XmlError> {
        *count += by;
        if *count > limit {
            return Err(XmlError::TooMany {
                what,
                limit,
                position,
            });
        }
        Ok(())
    }

    fn open(&mut self, start: &BytesStart<'_>, position: u64) -> Result<(), XmlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(XmlError::TooDeep);
        }
        Self::count(
            &mut self.element_count,
            1,
            MAX_ELEMENTS,
            "elements",
            position,
        )?;
        let undo_from = self.undo.len();
        let stamp = self.stamp;
        let raw = start.attributes_raw();
        let has_attributes = !raw.iter().all(u8::is_ascii_whitespace);
        // Declarations first: they apply to the element's own name and attributes wherever
        // they stand among them.
        let own: Option<Declarations> = if has_attributes && contains(raw, b"xmlns") {
            self.declare(start, position)?
        } else {
            None
        };
        let mut attrs = Vec::new();
        if has_attributes {
            for attr in start.attributes().with_checks(false) {
                let attr = attr.map_err(|e| malformed_at(position, &e))?;
                let key = attr.key.as_ref();
                if key == b"xmlns" || key.starts_with(b"xmlns:") {
                    continue;
                }
                Self::count(
                    &mut self.attribute_count,
                    1,
                    MAX_ATTRIBUTES,
                    "attributes",
                    position,
                )?;
                // A value as written is a range of the document; one with entities is
                // unescaped into a growing string (up to twice its size), then copied.
                let (start, end) = span_of(&self.doc, &attr.value, position)?;
                let value = if self.doc[start..end].contains('&') {
                    self.charge(size_of::<Attr>() + 3 * (end - start), position)?;
                    let v = quick_xml::escape::unescape(&self.doc[start..end])
                        .map_err(|e| malformed_at(position, &e))?;
                    Text::from(&*v)
                } else {
                    self.charge(size_of::<Attr>(), position)?;
                    Text::span(&self.doc, start, end)
                };
                let (local, _, ns) = self.resolve(key, false, position)?;
                self.attrs.push(Attr {
                    ns,
                    name: local,
                    value,
                });
            }
            attrs = self.attrs.drain(..).collect();
        }
        let parent_scope = self
            .stack
            .last()
            .map(|p| p.element.scope.clone())
            .unwrap_or_default();
        let scope = match own {
            None => parent_scope,
            Some(decls) => Scope(Some(Arc::new(ScopeLink {
                decls,
                parent: parent_scope,
            }))),
        };
        let (name, prefix, ns) = self.resolve(start.name().as_ref(), true, position)?;
        let children_from = self.done.len();
        self.stack.push(Open {
            element: Element {
                ns,
                name,
                prefix,
                attrs,
                children: Vec::new(),
                text: Text::default(),
                scope,
            },
            pieces: String::new(),
            children_from,
            undo_from,
            stamp,
        });
        Ok(())
    }

    /// Applies the namespace declarations of `start`; returns them (`None` if there are none).
    fn declare(
        &mut self,
        start: &BytesStart<'_>,
        position: u64,
    ) -> Result<Option<Declarations>, XmlError> {
        self.declared.clear();
        for attr in start.attributes().with_checks(false) {
            let attr = attr.map_err(|e| malformed_at(position, &e))?;
            let key = attr.key.as_ref();
            let prefix: &[u8] = if key == b"xmlns" {
                b""
            } else if let Some(p) = key.strip_prefix(b"xmlns:") {
                p
            } else {
                continue;
            };
            Self::count(
                &mut self.declaration_count,
                1,
                MAX_NAMESPACE_DECLARATIONS,
                "namespace declarations",
                position,
            )?;
            let prefix = utf8(prefix, position)?;
            let value = attr
                .unescape_value()
                .map_err(|e| malformed_at(position, &e))?;
            let uri = self.uri(&value, position)?;
            // The binding, its undo entry and its place in the element's scope link.
            self.charge(
                2 * ENTRY_COST + 3 * prefix.len() + size_of::<(Name, Name)>(),
                position,
            )?;
            let bound = (!uri.is_empty()).then(|| uri.clone());
            let prefix = Name::interned(prefix);
            let old = self.bindings.insert(prefix.clone(), bound);
            self.undo.push((prefix.clone(), old));
            self.declared.push((prefix, uri));
        }
        if self.declared.is_empty() {
            return Ok(None);
        }
        self.stamp = self.names.stamp();
        Ok(Some(Box::from(&self.declared[..])))
    }

    /// Closes the innermost element. What it allocates is charged: its exact-size list of
    /// children, and the growth of `done`, which keeps its capacity until the end.
    fn close(&mut self, position: u64) -> Result<(), XmlError> {
        let Some(open) = self.stack.pop() else {
            return Ok(());
        };
        let mut element = open.element;
        if !open.pieces.is_empty() {
            self.charge(ENTRY_COST + open.pieces.len(), position)?;
            element.text = Text::from(open.pieces.as_str());
        }
        let children = self.done.len() - open.children_from;
        if children > 0 && open.children_from == 0 {
            // All of `done` is this element's: handed over rather than copied (its growth
            // was charged as it happened), trimmed to its length.
            let mut all = std::mem::take(&mut self.done);
            all.shrink_to_fit();
            element.children = all;
        } else if children > 0 {
            self.charge(children * size_of::<Element>(), position)?;
            element.children = self.done.drain(open.children_from..).collect();
        }
        for (prefix, old) in self.undo.drain(open.undo_from..).rev() {
            match old {
                Some(old) => self.bindings.insert(prefix, old),
                None => self.bindings.remove(&prefix),
            };
        }
        self.stamp = open.stamp;
        if self.stack.is_empty() {
            // Anything after the root element is not part of the document.
            if self.root.is_none() {
                self.root = Some(element);
            }
        } else {
            if self.done.len() == self.done.capacity() {
                // Grow by doubling, charged before the allocation happens.
                let more = self.done.capacity().max(4);
                self.charge(more * size_of::<Element>(), position)?;
                self.done.reserve_exact(more);
            }
            self.done.push(element);
        }
        Ok(())
    }

    /// Appends text to the innermost element: the first piece is kept as it comes (a range
    /// of the document or its unescaped copy), later ones are gathered in a string whose
    /// growth is charged before it happens.
    fn text(&mut self, piece: Piece, position: u64) -> Result<(), XmlError> {
        let Some(open) = self.stack.last() else {
            return Ok(());
        };
        let first = open.element.text.is_empty() && open.pieces.is_empty();
        if first {
            let (text, cost) = match piece {
                Piece::Span(start, end) => (Text::span(&self.doc, start, end), 0),
                Piece::Own(s) => (Text::from(s.as_str()), ENTRY_COST + s.len()),
            };
            self.charge(cost, position)?;
            self.stack.last_mut().expect("checked above").element.text = text;
            return Ok(());
        }
        let piece_len = match &piece {
            Piece::Span(start, end) => end - start,
            Piece::Own(s) => s.len(),
        };
        let (len, capacity) = (
            open.pieces.len().max(open.element.text.len()),
            open.pieces.capacity(),
        );
        let need = len + piece_len;
        if need > capacity {
            let grow_to = need.max(2 * capacity);
            self.charge(grow_to - capacity, position)?;
        }
        let piece: &str = match &piece {
            Piece::Span(start, end) => &self.doc[*start..*end],
            Piece::Own(s) => s,
        };
        let open = self.stack.last_mut().expect("checked above");
        if need > open.pieces.capacity() {
            let grow_to = need.max(2 * open.pieces.capacity());
            open.pieces.reserve_exact(grow_to - open.pieces.len());
        }
        if open.pieces.is_empty() {
            open.pieces.push_str(&open.element.text);
            open.element.text = Text::default();
        }
        open.pieces.push_str(piece);
        Ok(())
    }

    /// Interns a namespace URI.
    fn uri(&mut self, uri: &str, position: u64) -> Result<Name, XmlError> {
        if let Some(n) = self.uris.get(uri) {
            return Ok(n.clone());
        }
        self.charge(ENTRY_COST + uri.len(), position)?;
        let n = Name::interned(uri);
        self.uris.insert(n.clone());
        Ok(n)
    }

    /// Resolves a qualified name (of an element when `element`, else of an attribute) under
    /// the bindings in force, through the name cache: (local name, prefix, namespace).
    fn resolve(
        &mut self,
        qname: &[u8],
        element: bool,
        position: u64,
    ) -> Result<(Name, Option<Name>, Option<Name>), XmlError> {
        let stamp = self.stamp;
        let table = if element {
            &mut self.names.elements
        } else {
            &mut self.names.attributes
        };
        let at = slot(qname, table.len());
        if let Some(c) = &mut table[at]
            && c.qname.as_bytes() == qname
        {
            if c.stamp != stamp {
                c.ns = bound(&self.bindings, c.prefix.as_deref(), element);
                c.stamp = stamp;
            }
            return Ok((c.local.clone(), c.prefix.clone(), c.ns.clone()));
        }
        let qname = utf8(qname, position)?;
        self.charge(ENTRY_COST + 3 * qname.len(), position)?;
        let (prefix, local) = match qname.split_once(':') {
            Some((p, l)) => (Some(Name::interned(p)), Name::interned(l)),
            None => (None, Name::interned(qname)),
        };
        let ns = bound(&self.bindings, prefix.as_deref(), element);
        if qname.len() > CACHED_NAME_MAX {
            return Ok((local, prefix, ns));
        }
        let table = if element {
            &mut self.names.elements
        } else {
            &mut self.names.attributes
        };
        table[at] = Some(Cached {
            qname: Box::from(qname),
            local: local.clone(),
            prefix: prefix.clone(),
            ns: ns.clone(),
            stamp,
        });
        Ok((local, prefix, ns))
    }
}

/// The namespace of a name with `prefix` under `bindings`: an unprefixed element is in the
/// default namespace, an unprefixed attribute in none.
fn bound(
    bindings: &HashMap<Name, Option<Name>>,
    prefix: Option<&str>,
    element: bool,
) -> Option<Name> {
    match prefix {
        Some(p) => bindings.get(p).cloned().flatten(),
        None if element => bindings.get("").cloned().flatten(),
        None => None,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn utf8(bytes: &[u8], position: u64) -> Result<&str, XmlError> {
    std::str::from_utf8(bytes).map_err(|e| malformed_at(position, &e))
}

fn malformed_at(position: u64, e: &dyn fmt::Display) -> XmlError {
    XmlError::Malformed {
        position,
        message: e.to_string(),
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

    /// Found by the `xml` fuzz target (tests/fuzz/seeds/regressions/xml/): an attribute
    /// `xmrns:xmlns:env` under an undeclared prefix was written back as `xmlns:env="…"`,
    /// which declared a namespace and moved the root element into it.
    #[test]
    fn fuzz_xml_to_xml_never_turns_an_attribute_into_a_declaration() {
        let doc = r#"<env:Envelope xmrns:xmlns:env="urn:e" k="v"><env:Body/></env:Envelope>"#;
        let root = parse(doc.as_bytes()).unwrap();
        assert_eq!(root.ns, None);
        let again = parse(root.to_xml().as_bytes()).unwrap();
        assert_eq!(again.ns, None);
        assert_eq!(again.prefix.as_deref(), Some("env"));
        assert_eq!(again.attr("k"), Some("v"));
    }

    #[test]
    fn a_fragment_carries_the_bindings_it_uses() {
        // The payload of an envelope handed on alone must still resolve its prefixes.
        let doc = r#"<e:Envelope xmlns:e="urn:e" xmlns:tt="urn:tt"><e:Body><tt:P xmlns:x="urn:x"><x:Q tt:k="1"/></tt:P></e:Body></e:Envelope>"#;
        let root = parse(doc.as_bytes()).unwrap();
        let p = root.path(&["Body", "P"]).unwrap();
        let again = parse(p.to_xml().as_bytes()).unwrap();
        assert!(again.is_ns("urn:tt", "P"));
        let q = again.child("Q").unwrap();
        assert!(q.is_ns("urn:x", "Q"));
        assert_eq!(q.attrs[0].ns.as_deref(), Some("urn:tt"));
    }

    #[test]
    fn inner_declarations_shadow_and_end_with_their_element() {
        let doc = r#"<a xmlns="urn:1" xmlns:p="urn:p"><b xmlns="urn:2" xmlns:p="urn:q"><p:c/><d/></b><p:e/><f/></a>"#;
        let root = parse(doc.as_bytes()).unwrap();
        let b = root.child("b").unwrap();
        assert!(b.is_ns("urn:2", "b"));
        assert!(b.child("c").unwrap().is_ns("urn:q", "c"));
        assert!(b.child("d").unwrap().is_ns("urn:2", "d"));
        assert!(root.child("e").unwrap().is_ns("urn:p", "e"));
        assert!(root.child("f").unwrap().is_ns("urn:1", "f"));
        assert_eq!(b.resolve_qname("p:x").ns.as_deref(), Some("urn:q"));
        assert_eq!(root.resolve_qname("p:x").ns.as_deref(), Some("urn:p"));
        // `xmlns=""` takes the default namespace away again.
        let root = parse(br#"<a xmlns="urn:1"><b xmlns=""/></a>"#).unwrap();
        assert_eq!(root.child("b").unwrap().ns, None);
        // The `xml` prefix is bound without a declaration.
        let root = parse(br#"<Text xml:lang="en">x</Text>"#).unwrap();
        assert_eq!(
            root.attrs[0].ns.as_deref(),
            Some("http://www.w3.org/XML/1998/namespace")
        );
    }

    #[test]
    fn a_name_cached_from_one_document_resolves_anew_in_the_next() {
        // Same thread, same `tt:Name` and `tt:k`, other bindings: the cache must not carry
        // one document's namespaces into another.
        for (uri, other) in [("urn:a", "urn:b"), ("urn:b", "urn:a"), ("urn:a", "urn:b")] {
            let doc = format!(
                r#"<tt:Name xmlns:tt="{uri}" tt:k="1"><tt:Name xmlns:tt="{other}" tt:k="2"/><tt:Name/></tt:Name>"#
            );
            let root = parse(doc.as_bytes()).unwrap();
            assert_eq!(root.ns.as_deref(), Some(uri));
            assert_eq!(root.attrs[0].ns.as_deref(), Some(uri));
            assert_eq!(root.children[0].ns.as_deref(), Some(other));
            assert_eq!(root.children[0].attrs[0].ns.as_deref(), Some(other));
            assert_eq!(root.children[1].ns.as_deref(), Some(uri));
        }
        let root = parse(b"<tt:Name/>").unwrap();
        assert_eq!(root.ns, None);
        assert_eq!(root.prefix.as_deref(), Some("tt"));
    }

    #[test]
    fn declarations_after_attributes_still_apply_to_them() {
        let root = parse(br#"<p:a p:k="v" xmlns:p="urn:p"/>"#).unwrap();
        assert!(root.is_ns("urn:p", "a"));
        assert_eq!(root.attrs.len(), 1);
        assert_eq!(root.attrs[0].ns.as_deref(), Some("urn:p"));
    }

    #[test]
    fn indentation_is_not_text_but_spaces_inside_text_are() {
        let root = parse(b"<a>\n  <b> x y </b>\n  <c>  </c>\n</a>").unwrap();
        assert_eq!(root.text, "");
        assert_eq!(root.child("b").unwrap().text, " x y ");
        assert_eq!(root.child("c").unwrap().text, "");
    }

    /// `n` empty elements under a root, each padded with a comment to `unit` bytes so that
    /// the count, not the memory estimate, is what a test meets first.
    fn padded(n: usize, unit: usize) -> String {
        let one = format!("<a/><!--{}-->", "x".repeat(unit - 11));
        format!("<r>{}</r>", one.repeat(n))
    }

    #[test]
    fn element_limit_is_an_error_naming_it() {
        let err = parse(padded(MAX_ELEMENTS, 64).as_bytes()).unwrap_err();
        assert!(
            matches!(
                err,
                XmlError::TooMany {
                    what: "elements",
                    limit: MAX_ELEMENTS,
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            err.to_string()
                .starts_with("more than 200000 elements in one document")
        );
        // The root and one fewer child fit.
        let root = parse(padded(MAX_ELEMENTS - 1, 64).as_bytes()).unwrap();
        assert_eq!(root.children.len(), MAX_ELEMENTS - 1);
    }

    #[test]
    fn attribute_and_declaration_limits_are_errors_naming_them() {
        let unit = "<a x='1' y='2'/><!-- padding, so memory is not what stops it -->";
        let doc = format!("<r>{}</r>", unit.repeat(MAX_ATTRIBUTES / 2 + 1));
        let err = parse(doc.as_bytes()).unwrap_err();
        assert!(
            matches!(
                err,
                XmlError::TooMany {
                    what: "attributes",
                    limit: MAX_ATTRIBUTES,
                    ..
                }
            ),
            "{err}"
        );
        let doc = format!(
            "<r>{}</r>",
            (0..=MAX_NAMESPACE_DECLARATIONS)
                .map(|i| format!("<a xmlns:p{i}='urn:{i}'/><!--{:100}-->", ""))
                .collect::<String>()
        );
        let err = parse(doc.as_bytes()).unwrap_err();
        assert!(
            matches!(
                err,
                XmlError::TooMany {
                    what: "namespace declarations",
                    limit: MAX_NAMESPACE_DECLARATIONS,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn memory_estimate_refuses_dense_markup_and_names_the_budget() {
        // 100,000 `<a/>` (400 KB) would be a 13 MB tree: more than 8× its size.
        let doc = format!("<r>{}</r>", "<a/>".repeat(100_000));
        match parse(doc.as_bytes()).unwrap_err() {
            XmlError::TooCostly { size, budget, .. } => {
                assert_eq!(size, doc.len());
                assert_eq!(budget, MEMORY_FLOOR + MEMORY_FACTOR * doc.len());
            }
            other => panic!("{other}"),
        }
        // The same elements with room (a comment that makes each one 64 bytes) are fine.
        let doc = padded(100_000, 64);
        assert_eq!(parse(doc.as_bytes()).unwrap().children.len(), 100_000);
    }
}
