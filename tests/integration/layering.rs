//! The layering of `src/`, checked from the source text so it stays true: the wire layers
//! (`soap`, `onvif`) know nothing of what is built on them, `discovery` does not reach into
//! `inventory`, only the command line knows the command line, and the domain model
//! (`src/model`) stands on nothing but the standard library and serde.
//!
//! Every `crate::…` path (in `use` lines and inline, `crate::{a, b::c}` groups included) and
//! every `super::…` chain that climbs to the crate root is resolved to the top-level module it
//! names. Comments are skipped, so a doc link is not an import.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One file and the top-level modules of the crate it refers to.
struct File {
    /// Path under `src/`, with `/` (`onvif/device.rs`).
    rel: String,
    uses: BTreeSet<String>,
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file: `onvif/device.rs` → [onvif, device]; `onvif/mod.rs` → [onvif].
fn module_path(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(String::from)
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The text without comments and without the inside of string and char literals, so neither
/// a doc link nor a message mentioning `crate::cli` counts.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let prev_ident = i > 0 && is_ident(b[i - 1] as char);
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let end = text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
            i = end;
        } else if !prev_ident && (b[i] == b'r' || b[i..].starts_with(b"br")) && {
            let j = i + if b[i] == b'b' { 2 } else { 1 };
            let hashes = b[j..].iter().take_while(|&&c| c == b'#').count();
            b.get(j + hashes) == Some(&b'"')
        } {
            // A raw string: r"…", r#"…"#, br##"…"##.
            let j = i + if b[i] == b'b' { 2 } else { 1 };
            let hashes = b[j..].iter().take_while(|&&c| c == b'#').count();
            let close = format!("\"{}", "#".repeat(hashes));
            let body = j + hashes + 1;
            i = text[body..]
                .find(&close)
                .map_or(b.len(), |e| body + e + close.len());
            out.push_str("\"\"");
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && !prev_ident {
            // A char literal ('x', '\'', '\u{7f}') or a lifetime ('a): only the former is
            // skipped whole.
            let rest = &text[i + 1..];
            let len = if let Some(esc) = rest.strip_prefix('\\') {
                esc.find('\'').map(|e| e + 2)
            } else {
                let c = rest.chars().next().map_or(0, char::len_utf8);
                (rest[c..].starts_with('\'')).then_some(c)
            };
            match len {
                Some(len) => {
                    i += 1 + len + 1;
                    out.push_str("''");
                }
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The first identifier of each item in a `{a, b::c, d::{e, f}}` group starting at `s[0] == '{'`.
fn group_heads(s: &str) -> Vec<String> {
    let mut depth = 0;
    let mut items = vec![String::new()];
    for c in s.chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    continue;
                }
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => {
                items.push(String::new());
                continue;
            }
            _ => {}
        }
        if depth >= 1 {
            items.last_mut().unwrap().push(c);
        }
    }
    items
        .iter()
        .map(|i| i.trim().chars().take_while(|&c| is_ident(c)).collect())
        .collect()
}

/// The top-level modules a file refers to through `crate::` or a `super::` chain that climbs
/// to the crate root.
fn references(rel: &str, text: &str) -> BTreeSet<String> {
    let code = code_only(text);
    let here = module_path(rel);
    let mut out = BTreeSet::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < code.len() {
        let rest = &code[i..];
        let preceded_by_ident = i > 0 && is_ident(bytes[i - 1] as char);
        let (depth, after) = if !preceded_by_ident && rest.starts_with("crate::") {
            (None, i + "crate::".len())
        } else if !preceded_by_ident && rest.starts_with("super::") {
            let mut n = 0;
            let mut j = i;
            while code[j..].starts_with("super::") {
                n += 1;
                j += "super::".len();
            }
            (Some(n), j)
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        i = after;
        // Where the path is rooted: the crate, or the module `n` levels up.
        let base_len = match depth {
            None => 0,
            Some(n) if n <= here.len() => here.len() - n,
            Some(_) => continue,
        };
        let tail = &code[after..];
        let heads: Vec<String> = if tail.starts_with('{') {
            group_heads(tail)
        } else {
            vec![tail.chars().take_while(|&c| is_ident(c)).collect()]
        };
        for head in heads {
            if head.is_empty() || head == "self" {
                continue;
            }
            // The first segment under the crate root is the top-level module.
            let top = if base_len == 0 { head } else { here[0].clone() };
            out.insert(top);
        }
    }
    out
}

fn files() -> Vec<File> {
    let root = src();
    let mut paths = Vec::new();
    rust_files(&root, &mut paths);
    paths
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&p).unwrap();
            File {
                uses: references(&rel, &text),
                rel,
            }
        })
        .collect()
}

/// Files under `area/` (or the file `area.rs`) that refer to any of `forbidden`.
fn violations(files: &[File], area: &str, forbidden: &[&str]) -> Vec<String> {
    files
        .iter()
        .filter(|f| f.rel.starts_with(&format!("{area}/")) || f.rel == format!("{area}.rs"))
        .flat_map(|f| {
            forbidden
                .iter()
                .filter(|m| f.uses.contains(**m))
                .map(move |m| format!("src/{} uses {m}", f.rel))
        })
        .collect()
}

#[test]
fn the_reference_scanner_sees_groups_super_chains_and_ignores_comments_and_strings() {
    let text = r###"
//! See [`crate::cli::main`].
use crate::{model::{Mac, Range}, soap::SoapError};
use super::super::planner::Plan;
use super::ns;
fn f() -> crate::audit::Verdict { let _ = "crate::inventory"; let _c = '"'; crate::files::x() }
/* crate::discovery */ fn g<'a>(_: &'a str) { let _ = r##"a "quoted" crate::cli"##; }
"###;
    let uses = references("onvif/device.rs", text);
    let got: Vec<&str> = uses.iter().map(String::as_str).collect();
    // `super::ns` from onvif/device.rs is onvif::ns; `super::super` is the crate root.
    assert_eq!(got, ["audit", "files", "model", "onvif", "planner", "soap"]);
    assert_eq!(module_path("onvif/mod.rs"), ["onvif"]);
    // Two levels down, `super::super` stays inside onvif.
    let uses = references("onvif/device/clock.rs", "use super::super::planner::X;");
    assert_eq!(uses.into_iter().collect::<Vec<_>>(), ["onvif"]);
    // From onvif/mod.rs, one `super` is the crate root.
    let uses = references("onvif/mod.rs", "use super::inventory::X;");
    assert!(uses.contains("inventory"), "{uses:?}");
}

#[test]
fn the_wire_layers_know_nothing_built_on_them() {
    let files = files();
    assert!(
        files.len() > 40,
        "only {} files found under src/",
        files.len()
    );
    let upper = ["inventory", "planner", "audit", "cli"];
    let mut bad = violations(&files, "soap", &upper);
    bad.extend(violations(&files, "onvif", &upper));
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn discovery_does_not_reach_into_the_inventory() {
    let bad = violations(&files(), "discovery", &["inventory"]);
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn only_the_command_line_knows_the_command_line() {
    let files = files();
    let bad: Vec<String> = files
        .iter()
        // main.rs is the binary, and the binary is the command line.
        .filter(|f| !f.rel.starts_with("cli/") && f.rel != "main.rs")
        .filter(|f| f.uses.contains("cli"))
        .map(|f| format!("src/{} uses cli", f.rel))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn the_model_stands_below_every_layer() {
    let bad = violations(
        &files(),
        "model",
        &[
            "onvif",
            "discovery",
            "planner",
            "inventory",
            "audit",
            "cli",
            "soap",
        ],
    );
    assert!(bad.is_empty(), "{bad:#?}");
}
