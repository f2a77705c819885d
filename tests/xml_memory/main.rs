//! What reading a document costs in memory, counted by the allocator itself.
//!
//! A test binary of its own because it installs a counting global allocator
//! (`stats_alloc`): every byte the XML reader asks for is seen, so a hostile document that
//! makes the reader allocate far more than its size fails here whatever the reader's own
//! estimate says. The tests of this binary run one at a time (they share the counters).
//!
//! The bounds asserted are the documented ones: [`MEMORY_FLOOR`] + [`MEMORY_FACTOR`] × size,
//! counted as every byte allocated while reading (an upper bound on the peak).

use std::alloc::System;
use std::sync::Mutex;

use camswap::soap::envelope::{self, EnvelopeError};
use camswap::soap::xml::{
    self, MAX_ELEMENTS, MAX_NAMESPACE_DECLARATIONS, MEMORY_FACTOR, MEMORY_FLOOR, XmlError,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The counters are process-wide and the harness runs tests on several threads: each test
/// holds this for its whole body, building its document included.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs `f` and returns its result with every byte allocated meanwhile (`stats_alloc` counts
/// the growth of a reallocation as allocated). Call with [`alone`] held.
fn allocated<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let region = Region::new(GLOBAL);
    let out = f();
    (out, region.change().bytes_allocated)
}

fn budget(size: usize) -> usize {
    MEMORY_FLOOR + MEMORY_FACTOR * size
}

const SOAP: &str = "http://www.w3.org/2003/05/soap-envelope";

/// The issue's document: 1,000 prefixes on the root, then siblings that each declare one
/// more, written `sibling` with `{i}` replaced by the sibling's number (with 10,000 siblings,
/// about 200 KB; the old reader copied the root's bindings into each sibling: 1.5 GB).
fn declaration_bomb(root_prefixes: usize, siblings: usize, sibling: &str) -> String {
    let mut doc = format!(r#"<s:Envelope xmlns:s="{SOAP}""#);
    for i in 0..root_prefixes {
        doc.push_str(&format!(r#" xmlns:p{i}="urn:{i}""#));
    }
    doc.push_str("><s:Body><r>");
    for i in 0..siblings {
        doc.push_str(&sibling.replace("{i}", &i.to_string()));
    }
    doc.push_str("</r></s:Body></s:Envelope>");
    doc
}

#[test]
fn namespace_declaration_bomb_is_refused_within_bounded_memory() {
    let _alone = alone();
    let doc = declaration_bomb(1_000, 10_000, r#"<a xmlns:x="urn:x"/>"#);
    assert!(doc.len() < 250_000, "{}", doc.len());
    let (result, bytes) = allocated(|| xml::parse(doc.as_bytes()));
    // Each sibling's declaration costs more than its 20 bytes allow: the memory estimate
    // stops the document before the declaration count would.
    match result {
        Err(XmlError::TooCostly { size, .. }) => assert_eq!(size, doc.len()),
        other => panic!("expected the memory limit, got {other:?}"),
    }
    assert!(
        bytes <= budget(doc.len()),
        "{bytes} bytes allocated for a {}-byte document",
        doc.len()
    );
}

#[test]
fn shared_namespace_scopes_keep_a_declaring_document_small() {
    let _alone = alone();
    // Two declarations each, after the envelope's and the root's 1,001.
    const SIBLINGS: usize = (MAX_NAMESPACE_DECLARATIONS - 1_001) / 2;
    // Just inside the declaration limit the same shape is legal and must cost what its size
    // allows: each sibling pays for its own declaration, not a copy of the thousand on the
    // root. The siblings are what some stacks send: every element declaring its namespace.
    let doc = declaration_bomb(
        1_000,
        SIBLINGS,
        r#"<tt:Name xmlns:q{i}="urn:q" xmlns:tt="http://www.onvif.org/ver10/schema">Profile_{i}</tt:Name>"#,
    );
    let (root, bytes) = allocated(|| xml::parse(doc.as_bytes()).expect("within the limits"));
    let r = root.path(&["Body", "r"]).expect("payload");
    assert_eq!(r.children.len(), SIBLINGS);
    let last = r.children.last().expect("a sibling");
    // Every binding is still there for QName values.
    assert_eq!(last.resolve_qname("p999:x").ns.as_deref(), Some("urn:999"));
    assert_eq!(last.resolve_qname("q4498:x").ns.as_deref(), Some("urn:q"));
    assert_eq!(r.resolve_qname("q4498:x").ns, None);
    assert_eq!(
        last.ns.as_deref(),
        Some("http://www.onvif.org/ver10/schema")
    );
    assert!(
        bytes <= budget(doc.len()),
        "{bytes} bytes allocated for a {}-byte document",
        doc.len()
    );
}

#[test]
fn empty_element_flood_is_refused_within_bounded_memory() {
    let _alone = alone();
    // 15 MiB of `<a/>`, under the HTTP body cap: the old reader took 731 MB.
    let size = 15 << 20;
    let mut doc = String::with_capacity(size + 16);
    doc.push_str("<r>");
    while doc.len() + 4 < size {
        doc.push_str("<a/>");
    }
    doc.push_str("</r>");
    let (result, bytes) = allocated(|| xml::parse(doc.as_bytes()));
    assert!(
        matches!(
            result,
            Err(XmlError::TooMany {
                what: "elements",
                limit: MAX_ELEMENTS,
                ..
            })
        ),
        "{result:?}"
    );
    // Refused long before the size allowance: the element cap bounds the tree on its own.
    assert!(
        bytes <= MAX_ELEMENTS * 2 * size_of::<xml::Element>() + MEMORY_FLOOR,
        "{bytes} bytes allocated for a {size}-byte document"
    );
    assert!(bytes <= budget(size), "{bytes}");
}

#[test]
fn dense_elements_are_refused_by_memory_before_their_count() {
    let _alone = alone();
    // 2 MB of `<a/>` is under the element cap (500,000 of them) but would need 64× its size
    // as a tree: refused by the memory estimate, and the allocations agree with it.
    let doc = format!("<r>{}</r>", "<a/>".repeat(MAX_ELEMENTS / 2));
    let (result, bytes) = allocated(|| xml::parse(doc.as_bytes()));
    assert!(
        matches!(result, Err(XmlError::TooCostly { .. })),
        "{result:?}"
    );
    assert!(
        bytes <= budget(doc.len()),
        "{bytes} > {}",
        budget(doc.len())
    );
}

#[test]
fn attribute_values_and_text_count_against_the_budget() {
    let _alone = alone();
    // Entities make the tree no bigger than the text, but many short attributes do.
    let doc = format!("<r>{}</r>", "<a b='' c='' d='' e='' f=''/>".repeat(60_000));
    let (result, bytes) = allocated(|| xml::parse(doc.as_bytes()));
    assert!(
        matches!(result, Err(XmlError::TooCostly { .. })),
        "{result:?}"
    );
    assert!(
        bytes <= budget(doc.len()),
        "{bytes} > {}",
        budget(doc.len())
    );
}

/// The GetProfiles and GetPresets captures from the bench, and more.
fn captures() -> Vec<(String, Vec<u8>)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures");
    let mut out = Vec::new();
    for vendor in std::fs::read_dir(&root).expect("captures").flatten() {
        for f in std::fs::read_dir(vendor.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = f.file_name().to_string_lossy().into_owned();
            if name.ends_with(".xml") {
                let bytes = std::fs::read(f.path()).expect("readable capture");
                out.push((
                    format!("{}/{name}", vendor.file_name().to_string_lossy()),
                    bytes,
                ));
            }
        }
    }
    assert!(out.len() > 100, "captures found: {}", out.len());
    out
}

#[test]
fn real_captures_read_well_inside_the_memory_factor() {
    let _alone = alone();
    let mut largest = (0usize, 0usize, String::new());
    for (name, bytes) in captures() {
        let (result, allocated) = allocated(|| envelope::read(&bytes));
        match result {
            Ok(_) | Err(EnvelopeError::NotSoap(_)) => {}
            Err(e) => panic!("{name}: {e}"),
        }
        if std::env::var_os("SHOW_RATIOS").is_some() {
            let ratio = allocated as f64 / bytes.len() as f64;
            eprintln!("{ratio:5.2} {:7} {name}", bytes.len());
        }
        assert!(
            allocated <= budget(bytes.len()),
            "{name}: {allocated} bytes for {}",
            bytes.len()
        );
        if bytes.len() > largest.0 {
            largest = (bytes.len(), allocated, name);
        }
    }
    // The largest answer (the 165 KB NVR GetProfiles), where the per-document tables no longer
    // count, stays within half the factor: the limit leaves room for denser markup.
    let (size, allocated, name) = largest;
    assert!(size > 100_000, "{name}");
    assert!(
        allocated <= MEMORY_FACTOR / 2 * size,
        "{name} allocates {allocated} bytes for {size}"
    );
}
