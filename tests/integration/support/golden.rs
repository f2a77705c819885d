//! Golden files under `tests/fixtures/`: compared line by line, rewritten only when
//! `CAMSWAP_UPDATE_FIXTURES` is set (then review `git diff tests/fixtures/`), with what varies
//! between runs redacted first.

use std::path::Path;

/// What varies between runs of the same mock site: the loopback port (`127.0.x.y:PORT`), and
/// the hashes and fingerprints that cover it (`sha256:HASH`, bare 64-hex digests).
pub fn redact(text: &str) -> String {
    let port = regex::Regex::new(r"(127\.0\.\d+\.\d+):\d{2,5}").unwrap();
    let prefixed = regex::Regex::new(r"sha256:[0-9a-f]{8,64}").unwrap();
    let bare = regex::Regex::new(r"[0-9a-f]{64}").unwrap();
    let text = port.replace_all(text, "$1:PORT");
    let text = prefixed.replace_all(&text, "sha256:HASH");
    bare.replace_all(&text, "HASH").into_owned()
}

/// Compares `actual` with `tests/fixtures/REL`, or writes it there when
/// `CAMSWAP_UPDATE_FIXTURES` is set. The first differing line is named.
pub fn assert_golden(rel: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    if std::env::var_os("CAMSWAP_UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing {}; create it with CAMSWAP_UPDATE_FIXTURES=1",
            path.display()
        )
    });
    if let Some(diff) = first_difference(&expected, actual) {
        panic!("{rel} {diff}\n(if intended: CAMSWAP_UPDATE_FIXTURES=1, then review git diff)");
    }
}

/// Where two texts first differ, by line, or `None` when they are equal.
fn first_difference(expected: &str, actual: &str) -> Option<String> {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    for i in 0..e.len().max(a.len()) {
        match (e.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => {}
            (x, y) => {
                return Some(format!(
                    "differs at line {}:\n  expected: {x:?}\n  actual:   {y:?}",
                    i + 1
                ));
            }
        }
    }
    (expected != actual).then(|| "differs only in line endings".to_owned())
}

#[test]
fn redaction_keeps_addresses_and_hides_ports_and_hashes() {
    let digest = "ab".repeat(32);
    let text = format!("xaddr http://127.0.14.3:40123/onvif sha256:{digest} {digest}");
    assert_eq!(
        redact(&text),
        "xaddr http://127.0.14.3:PORT/onvif sha256:HASH HASH"
    );
}

#[test]
fn a_missing_or_extra_line_is_a_difference() {
    assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
    let d = first_difference("a\nb\n", "a\n").unwrap();
    assert!(d.contains("line 2") && d.contains("Some(\"b\")"), "{d}");
    assert!(
        first_difference("a\n", "a\nc\n")
            .unwrap()
            .contains("line 2")
    );
}
