//! The operation table: service, namespace, SOAP action, request and response element of
//! every ONVIF operation camswap sends, read from `wsdl/*.tsv` (one file per service) so the
//! code and the conformance test use the same data.

use std::sync::LazyLock;

/// One operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// Service short name (`device`, `media`, `media2`, `ptz`, `recording`, `imaging`).
    pub service: &'static str,
    /// Service namespace URI.
    pub namespace: &'static str,
    /// Operation name (`GetDeviceInformation`).
    pub name: &'static str,
    /// SOAP action URI (sent in the Content-Type `action` parameter).
    pub action: &'static str,
    /// Request element local name.
    pub request: &'static str,
    /// Response element local name.
    pub response: &'static str,
    /// The official WSDL, relative to the schema folder (`ver10/device/wsdl/devicemgmt.wsdl`).
    pub wsdl: &'static str,
    /// `service.Name` (`media.GetProfiles`), as errors and logs name the operation.
    pub id: &'static str,
}

/// The raw tables, one per service, in the order they are searched.
pub const TABLES: &[(&str, &str)] = &[
    ("device.tsv", include_str!("../../wsdl/device.tsv")),
    ("media.tsv", include_str!("../../wsdl/media.tsv")),
    ("media2.tsv", include_str!("../../wsdl/media2.tsv")),
    ("ptz.tsv", include_str!("../../wsdl/ptz.tsv")),
    ("recording.tsv", include_str!("../../wsdl/recording.tsv")),
    ("imaging.tsv", include_str!("../../wsdl/imaging.tsv")),
];

static ALL: LazyLock<Vec<Operation>> = LazyLock::new(|| {
    TABLES
        .iter()
        .flat_map(|(file, text)| parse_table(file, text))
        .collect()
});

/// Parses one table: tab-separated `service namespace operation action request response wsdl`,
/// a header line starting with `service`, `#` comments and blank lines ignored.
fn parse_table(file: &str, text: &'static str) -> Vec<Operation> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with("service\t"))
        .map(|l| {
            let f: Vec<&'static str> = l.split('\t').map(str::trim).collect();
            assert!(
                f.len() == 7,
                "wsdl/{file}: expected 7 tab-separated columns in {l:?}"
            );
            Operation {
                service: f[0],
                namespace: f[1],
                name: f[2],
                action: f[3],
                request: f[4],
                response: f[5],
                wsdl: f[6],
                // Built once per row when the table is first read, and kept for the process.
                id: Box::leak(format!("{}.{}", f[0], f[2]).into_boxed_str()),
            }
        })
        .collect()
}

/// Every operation in the table.
pub fn all() -> &'static [Operation] {
    &ALL
}

/// The operation `name` of `service`. Panics when the table lacks it: a programming error
/// that the `every_operation_the_code_uses_is_in_the_table` tests catch.
pub fn get(service: &str, name: &str) -> &'static Operation {
    ALL.iter()
        .find(|o| o.service == service && o.name == name)
        .unwrap_or_else(|| panic!("operation {service}.{name} is missing from wsdl/{service}.tsv"))
}

/// The prefix camswap binds to `service`'s namespace in the requests it writes.
pub fn prefix(service: &str) -> &'static str {
    match service {
        "device" => "tds",
        "media" => "trt",
        "media2" => "tr2",
        "ptz" => "tptz",
        "recording" => "trc",
        "imaging" => "timg",
        other => panic!("no prefix for service {other:?}: add it beside wsdl/{other}.tsv"),
    }
}

/// Builds a request payload: `<prefix:Request xmlns:prefix="ns" ...>inner</prefix:Request>`,
/// with `tt` bound too, since most requests carry schema types.
pub fn request_xml(op: &Operation, prefix: &str, inner: &str) -> String {
    let (req, ns, tt) = (op.request, op.namespace, super::ns::TT);
    let open = format!(r#"<{prefix}:{req} xmlns:{prefix}="{ns}" xmlns:tt="{tt}""#);
    if inner.is_empty() {
        format!("{open}/>")
    } else {
        format!("{open}>{inner}</{prefix}:{req}>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_are_complete_and_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for op in all() {
            assert!(op.action.starts_with("http://www.onvif.org/"), "{op:?}");
            assert!(seen.insert((op.service, op.name)), "duplicate {op:?}");
        }
    }
}
