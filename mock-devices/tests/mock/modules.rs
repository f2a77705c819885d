//! The mock's modules form no import loop: each file's `crate::` references, read from the
//! source, make a graph without cycles (a directory module such as `persona/` counts as one).
//! A loop here once tied the PTZ state to the device service's handler context, and the fleet
//! to its own control endpoint.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `crate::x` and `crate::{x, y::z}` heads in `code`, comments left out.
fn references(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in code.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    out.insert(head(item.trim()));
                }
            } else {
                out.insert(head(rest));
            }
        }
    }
    out.retain(|h| !h.is_empty());
    out
}

fn head(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut add = |module: String, path: &Path| {
        let text = std::fs::read_to_string(path).unwrap();
        let refs = references(&text);
        g.entry(module.clone())
            .or_default()
            .extend(refs.into_iter().filter(|r| *r != module));
    };
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            for inner in std::fs::read_dir(&path).unwrap() {
                add(name.clone(), &inner.unwrap().path());
            }
        } else if !matches!(name.as_str(), "lib" | "main") {
            add(name, &path);
        }
    }
    g
}

/// A cycle through `from`, if any: the path back to it.
fn cycle_from(g: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    fn walk(
        g: &BTreeMap<String, BTreeSet<String>>,
        at: &str,
        target: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in g.get(at).into_iter().flatten() {
            if next == target {
                path.push(next.clone());
                return true;
            }
            if g.contains_key(next) && seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(g, next, target, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![from.to_owned()];
    walk(g, from, from, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn the_scanner_reads_paths_and_groups_and_skips_comments() {
    let refs = references(
        "use crate::{persona::Persona, soap::ns};\n// crate::fleet\nfn f() { crate::wire::x(); }\n",
    );
    let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
    assert_eq!(refs, ["persona", "soap", "wire"]);
    let mut g = BTreeMap::new();
    g.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    g.insert("b".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(cycle_from(&g, "a").unwrap(), ["a", "b", "a"]);
}

#[test]
fn no_module_of_the_mock_imports_itself_back() {
    let g = graph();
    assert!(g.len() > 20, "only {} modules found", g.len());
    let loops: Vec<String> = g
        .keys()
        .filter_map(|m| cycle_from(&g, m))
        .map(|c| c.join(" -> "))
        .collect();
    assert!(loops.is_empty(), "{loops:#?}");
}
