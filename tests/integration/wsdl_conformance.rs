//! The operation table (`wsdl/*.tsv`) against the official ONVIF WSDLs: every row's namespace,
//! operation, request and response elements and SOAP action must be what the WSDL says.
//!
//! The WSDLs are read from `$ONVIF_SCHEMA_DIR`, else `../shared/onvif` relative to the
//! repository root (see wsdl/README.md); when neither exists the tests fail, naming the path.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use camswap::onvif::ops::{self, Operation};
use camswap::soap::xml::{self, Element};

use crate::support::shared::schema_dir;

/// WSDL 1.1 (`wsdl:`).
const WSDL: &str = "http://schemas.xmlsoap.org/wsdl/";
/// WSDL 1.1 SOAP 1.2 binding (`soap12:`).
const WSDL_SOAP12: &str = "http://schemas.xmlsoap.org/wsdl/soap12/";

/// Parsed WSDLs by their path in the table, each read once.
struct Wsdls {
    dir: PathBuf,
    parsed: HashMap<&'static str, Result<Element, String>>,
}

impl Wsdls {
    fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            parsed: HashMap::new(),
        }
    }

    fn get(&mut self, rel: &'static str) -> Result<&Element, String> {
        let dir = &self.dir;
        self.parsed
            .entry(rel)
            .or_insert_with(|| {
                let path = dir.join(rel);
                let bytes = std::fs::read(&path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                xml::parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

fn wsdl_children<'a>(e: &'a Element, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
    e.children.iter().filter(move |c| c.is_ns(WSDL, name))
}

/// `(namespace, local)` of a QName attribute, resolved with the bindings in scope at `e`.
fn qname_attr(e: &Element, attr: &str) -> Option<(Option<String>, String)> {
    let q = e.resolve_qname(e.attr(attr)?);
    Some((q.ns, q.local))
}

/// The element `{ns}local` that the part of message `message` (a QName attribute value on `at`)
/// references.
fn message_element(
    defs: &Element,
    target: &str,
    at: &Element,
) -> Result<(Option<String>, String), String> {
    let (msg_ns, msg_name) =
        qname_attr(at, "message").ok_or_else(|| "has no message attribute".to_owned())?;
    if msg_ns.as_deref() != Some(target) {
        return Err(format!(
            "names message {{{msg_ns:?}}}{msg_name} outside the WSDL"
        ));
    }
    let msg = wsdl_children(defs, "message")
        .find(|m| m.attr("name") == Some(msg_name.as_str()))
        .ok_or_else(|| format!("names message {msg_name}, which the WSDL lacks"))?;
    let part = wsdl_children(msg, "part")
        .next()
        .ok_or_else(|| format!("message {msg_name} has no part"))?;
    qname_attr(part, "element").ok_or_else(|| format!("message {msg_name}'s part has no element"))
}

/// Everything wrong with one table row, checked against its WSDL; empty when the row is right.
fn check(op: &Operation, wsdls: &mut Wsdls) -> Vec<String> {
    let row = format!("{}.{}", op.service, op.name);
    let defs = match wsdls.get(op.wsdl) {
        Ok(d) => d,
        Err(e) => return vec![format!("{row}: {e}")],
    };
    let mut problems = Vec::new();
    if !defs.is_ns(WSDL, "definitions") {
        return vec![format!("{row}: {} is not a WSDL 1.1 document", op.wsdl)];
    }
    let target = defs.attr("targetNamespace").unwrap_or("");
    if target != op.namespace {
        problems.push(format!(
            "{row}: namespace {:?}, but {} has targetNamespace {target:?}",
            op.namespace, op.wsdl
        ));
    }

    let found = wsdl_children(defs, "portType").find_map(|pt| {
        wsdl_children(pt, "operation")
            .find(|o| o.attr("name") == Some(op.name))
            .map(|o| (pt, o))
    });
    let Some((port_type, pt_op)) = found else {
        problems.push(format!(
            "{row}: no portType operation {} in {}",
            op.name, op.wsdl
        ));
        return problems;
    };

    for (direction, column, want) in [
        ("input", "request", op.request),
        ("output", "response", op.response),
    ] {
        let Some(io) = wsdl_children(pt_op, direction).next() else {
            problems.push(format!("{row}: portType operation has no {direction}"));
            continue;
        };
        match message_element(defs, target, io) {
            Ok((ns, local)) => {
                if ns.as_deref() != Some(op.namespace) || local != want {
                    problems.push(format!(
                        "{row}: {column} is {{{}}}{want}, but the {direction} message's part is \
                         element {{{}}}{local}",
                        op.namespace,
                        ns.unwrap_or_default()
                    ));
                }
            }
            Err(e) => problems.push(format!("{row}: {direction} {e}")),
        }
    }

    let pt_name = port_type.attr("name").unwrap_or("");
    let bindings: Vec<&Element> = wsdl_children(defs, "binding")
        .filter(|b| {
            qname_attr(b, "type")
                .is_some_and(|(ns, local)| ns.as_deref() == Some(target) && local == pt_name)
        })
        .collect();
    if bindings.is_empty() {
        problems.push(format!("{row}: no binding for portType {pt_name}"));
    }
    for b in bindings {
        let binding = b.attr("name").unwrap_or("?");
        let action = wsdl_children(b, "operation")
            .find(|o| o.attr("name") == Some(op.name))
            .and_then(|o| {
                o.children
                    .iter()
                    .find(|c| c.is_ns(WSDL_SOAP12, "operation"))
            })
            .and_then(|s| s.attr("soapAction"));
        match action {
            Some(a) if a == op.action => {}
            Some(a) => problems.push(format!(
                "{row}: action {:?}, but binding {binding}'s soapAction is {a:?}",
                op.action
            )),
            None => problems.push(format!(
                "{row}: binding {binding} has no SOAP 1.2 operation {}",
                op.name
            )),
        }
    }
    problems
}

/// The Device-service operations camswap uses; the table must list each.
const DEVICE_OPERATIONS: &[&str] = &[
    "GetSystemDateAndTime",
    "SetSystemDateAndTime",
    "GetDeviceInformation",
    "GetServices",
    "GetCapabilities",
    "GetNetworkInterfaces",
    "SetNetworkInterfaces",
    "GetNetworkDefaultGateway",
    "SetNetworkDefaultGateway",
    "GetHostname",
    "SetHostname",
    "GetDNS",
    "SetDNS",
    "GetNTP",
    "SetNTP",
    "GetScopes",
    "SetScopes",
    "AddScopes",
    "RemoveScopes",
    "GetUsers",
    "CreateUsers",
    "DeleteUsers",
    "SetUser",
    "SystemReboot",
];

#[test]
fn every_table_row_matches_its_official_wsdl() {
    let mut wsdls = Wsdls::new(schema_dir());
    let rows = ops::all();
    for name in DEVICE_OPERATIONS {
        assert!(
            rows.iter()
                .any(|o| o.service == "device" && o.name == *name),
            "wsdl/device.tsv lacks {name}"
        );
    }
    let problems: Vec<String> = rows.iter().flat_map(|op| check(op, &mut wsdls)).collect();
    assert!(
        problems.is_empty(),
        "{} of {} table rows disagree with the WSDLs:\n{}",
        problems.len(),
        rows.len(),
        problems.join("\n")
    );
}

#[test]
fn each_table_holds_only_its_own_service() {
    for (file, _) in ops::TABLES {
        let service = file.trim_end_matches(".tsv");
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("wsdl")
            .join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with("service\t"))
        {
            assert_eq!(
                line.split('\t').next(),
                Some(service),
                "wsdl/{file}: {line:?}"
            );
        }
    }
}

/// The checker must catch each kind of mismatch, or the conformance test above could pass
/// without checking anything.
#[test]
fn the_checker_reports_doctored_rows() {
    let mut wsdls = Wsdls::new(schema_dir());
    let real = ops::get("device", "GetServices").clone();
    assert_eq!(check(&real, &mut wsdls), Vec::<String>::new());

    let cases: [(Operation, &str); 6] = [
        (
            Operation {
                action: "http://www.onvif.org/ver10/device/wsdl/GetService",
                ..real.clone()
            },
            "binding DeviceBinding's soapAction is \"http://www.onvif.org/ver10/device/wsdl/GetServices\"",
        ),
        (
            Operation {
                request: "GetServicesRequest",
                ..real.clone()
            },
            "request is {http://www.onvif.org/ver10/device/wsdl}GetServicesRequest",
        ),
        (
            Operation {
                response: "GetServiceCapabilitiesResponse",
                ..real.clone()
            },
            "the output message's part is element {http://www.onvif.org/ver10/device/wsdl}GetServicesResponse",
        ),
        (
            Operation {
                namespace: "http://www.onvif.org/ver20/device/wsdl",
                ..real.clone()
            },
            "has targetNamespace \"http://www.onvif.org/ver10/device/wsdl\"",
        ),
        (
            Operation {
                name: "GetServicez",
                ..real.clone()
            },
            "no portType operation GetServicez",
        ),
        (
            Operation {
                wsdl: "ver10/device/wsdl/nothere.wsdl",
                ..real.clone()
            },
            "cannot read",
        ),
    ];
    for (doctored, want) in cases {
        let problems = check(&doctored, &mut wsdls);
        assert!(
            problems.iter().any(|p| p.contains(want)),
            "{doctored:?}: expected a problem containing {want:?}, got {problems:?}"
        );
    }
}
