//! The built-in OUI table (`src/audit/data/oui-builtin.csv`) is generated from Debian's
//! `ieee-data` by the generator below, and this test is its cross-check: the checked-in file
//! must equal what the generator makes from the registry on this machine, and the covered
//! companies' blocks in it must be exactly the registry's.
//!
//! Regenerate after a policy change (a new covered company, brand or OEM block) with
//! `CAMSWAP_UPDATE_FIXTURES=1 cargo test --test integration oui_table::` and review the diff.
//!
//! What the table holds, row for row as the registry writes them (trailing carriage returns
//! removed):
//! 1. every MA-L, MA-M and MA-S block whose organisation a built-in policy's covered company,
//!    brand or subsidiary claims (Hikvision, Dahua, Uniview, Tiandy, Huawei, ZTE, Hytera and
//!    theirs),
//! 2. every block of a listed OEM brand (Amcrest, Lorex, LTS, Swann, Luma, TRENDnet),
//! 3. [`REFERENCE`]: the approved vendors' blocks DOMAIN.md 1a names (so a clear verdict can
//!    name the maker) and the look-alike registrants a loose match would confuse with covered
//!    companies (so a test can show they stay clear).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use camswap::audit::Policy;
use camswap::audit::names::{contains_phrase, normalise};

const IEEE_DIR: &str = "/usr/share/ieee-data";
const FILES: [&str; 3] = ["oui.csv", "mam.csv", "oui36.csv"];
const TABLE: &str = "src/audit/data/oui-builtin.csv";

/// Approved vendors' reference blocks and look-alike registrants (DOMAIN.md 1a), by prefix.
const REFERENCE: &[&str] = &[
    // Axis, Bosch, Hanwha/Samsung Techwin, i-PRO, Mobotix, Vivotek, Motorola Solutions.
    "00408C", "ACCC8E", "B8A44F", "000131", "000463", "001C44", "000918", "E43022", "D42DC5",
    "0003C5", "0002D1", "00047D", "001885", "001F92", "4CCC34",
    // Look-alikes: Shanghai Dahua Scale Factory, Zhuhai Raysharp ("Huawei Road"), Honor,
    // ZTEC Instruments, Xi'an LINKSCI, Ithor IT.
    "402C761", "002363", "58E8760", "90FFD6", "7866AE", "D0F121", "9CF6DD1",
];

/// One registry row: the raw line, the registry, the prefix and the organisation.
struct Row {
    line: String,
    prefix: String,
    organisation: String,
}

/// Splits one CSV record (RFC 4180 quoting).
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    assert!(!quoted, "unterminated quote in {line:?}");
    out
}

fn registry_rows() -> Vec<Row> {
    let mut rows = Vec::new();
    for f in FILES {
        let p = Path::new(IEEE_DIR).join(f);
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| {
            panic!(
                "{}: {e}: install Debian's ieee-data (apt-get install ieee-data); .ci/run does",
                p.display()
            )
        });
        // A quoted address may span lines: a record ends where its quotes balance.
        let mut record = String::new();
        for line in text.lines().skip(1) {
            let line = line.trim_end_matches('\r');
            if !record.is_empty() {
                record.push('\n');
            }
            record.push_str(line);
            if record.matches('"').count() % 2 == 1 {
                continue;
            }
            let line = std::mem::take(&mut record);
            if line.trim().is_empty() {
                continue;
            }
            let f = fields(&line);
            assert!(f.len() >= 3, "{}: short row {line:?}", p.display());
            rows.push(Row {
                line: line.clone(),
                prefix: f[1].trim().to_owned(),
                organisation: f[2].trim().to_owned(),
            });
        }
    }
    rows
}

/// The covered company (by the built-in policies' own matching) that claims an organisation.
fn covered_owner(policies: &[Policy], organisation: &str) -> Option<String> {
    policies
        .iter()
        .flat_map(|p| &p.companies)
        .find(|c| c.claims_organisation(organisation).is_some())
        .map(|c| c.id.clone())
}

fn oem_owner(policies: &[Policy], organisation: &str) -> bool {
    let org = normalise(organisation);
    policies
        .iter()
        .flat_map(|p| &p.companies)
        .flat_map(|c| &c.oems)
        .any(|o| o.oui_organisations.iter().any(|n| contains_phrase(&org, n)))
}

/// The generator: the table's text from the registry rows.
fn generate(rows: &[Row], policies: &[Policy]) -> String {
    let mut chosen: Vec<&Row> = rows
        .iter()
        .filter(|r| {
            covered_owner(policies, &r.organisation).is_some()
                || oem_owner(policies, &r.organisation)
                || REFERENCE.contains(&r.prefix.as_str())
        })
        .collect();
    chosen.sort_by(|a, b| {
        (a.organisation.to_lowercase(), &a.prefix).cmp(&(b.organisation.to_lowercase(), &b.prefix))
    });
    let mut out = String::from("Registry,Assignment,Organization Name,Organization Address\n");
    for r in chosen {
        out.push_str(&r.line);
        out.push('\n');
    }
    out
}

#[test]
fn builtin_oui_table_is_generated_from_ieee_data() {
    let policies = Policy::builtins();
    let rows = registry_rows();
    let want = generate(&rows, &policies);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(TABLE);
    if std::env::var_os("CAMSWAP_UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap();
    assert!(
        have == want,
        "{TABLE} differs from what the generator makes from {IEEE_DIR}: regenerate with CAMSWAP_UPDATE_FIXTURES=1 and review the diff"
    );
}

#[test]
fn builtin_oui_table_holds_every_block_of_the_covered_companies() {
    let policies = Policy::builtins();
    let rows = registry_rows();
    let builtin = camswap::audit::OuiTable::builtin();
    let per_company = |prefixes: &mut dyn Iterator<Item = (String, String)>| {
        let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (prefix, org) in prefixes {
            if let Some(c) = covered_owner(&policies, &org) {
                m.entry(c).or_default().insert(prefix);
            }
        }
        m
    };
    let registry = per_company(
        &mut rows
            .iter()
            .map(|r| (r.prefix.clone(), r.organisation.clone())),
    );
    let table = per_company(
        &mut builtin
            .assignments()
            .iter()
            .map(|a| (a.prefix.clone(), a.organisation.clone())),
    );
    assert_eq!(table, registry);
    // Counts from DOMAIN.md 1a (snapshot 2022-08-27), an independent tally: Hikvision 50 MA-L
    // + Prama 1 + EZVIZ 5 + Hikrobot 1 MA-L and 1 MA-M + Microimage 2; Dahua 24 + Huacheng 1;
    // Uniview 3; Tiandy 1; Huawei 1 398; ZTE 298; Hytera 2.
    let count = |c: &str| table.get(c).map_or(0, BTreeSet::len);
    assert_eq!(count("hikvision"), 50 + 1 + 5 + 2 + 2);
    assert_eq!(count("dahua"), 24 + 1);
    assert_eq!(count("uniview"), 3);
    assert_eq!(count("tiandy"), 1);
    assert_eq!(count("huawei"), 1398);
    assert_eq!(count("zte"), 298);
    assert_eq!(count("hytera"), 2);
    assert_eq!(table.len(), 7, "{:?}", table.keys());
    // Every MA-M/MA-S block is there too (Hikrobot's B0B3536 is the one in this snapshot).
    assert!(table["hikvision"].contains("B0B3536"));
    // The reference rows are present and nothing else slipped in.
    for p in REFERENCE {
        assert!(
            builtin.assignments().iter().any(|a| a.prefix == *p),
            "reference block {p} missing"
        );
    }
}
