//! The XML reader: any bytes are a tree or an `XmlError`, and a tree survives `to_xml`.
#![no_main]

use camswap::soap::xml;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(root) = xml::parse(data) {
        let _ = root.resolve_qname(&root.text);
        let again = xml::parse(root.to_xml().as_bytes()).expect("to_xml output parses");
        assert_eq!(again.name, root.name);
        assert_eq!(again.ns, root.ns);
    }
});
