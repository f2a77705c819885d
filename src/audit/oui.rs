//! MAC addresses and the IEEE registry: which organisation an address was assigned to.
//!
//! The built-in table (`data/oui-builtin.csv`) holds rows copied verbatim from Debian's
//! `ieee-data` 20220827.1: every assignment of the companies the built-in policies cover
//! (Hikvision, Prama Hikvision, EZVIZ, Hikrobot, Hangzhou Microimage, Dahua, Huacheng/Imou,
//! Hytera, plus Uniview and Tiandy for user policies), a documented subset for Huawei and ZTE
//! (their 1 398 and 298 MA-L blocks are phone and telecom gear; `--oui-registry` brings them
//! all), the OEM brands' own blocks, the approved vendors' blocks, and the look-alike names that
//! a loose match would confuse with covered companies (Shanghai Dahua Scale Factory, Zhuhai
//! Raysharp on "Huawei Road", Honor, ZTEC Instruments, Xi'an LINKSCI, Ithor IT). Keeping it in
//! the registry's own CSV format means one parser serves both, and a test compares it row by row
//! with the registry.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The IEEE registry files this table understands.
const BUILTIN_CSV: &str = include_str!("data/oui-builtin.csv");

/// What went wrong reading a registry file.
#[derive(Debug, thiserror::Error)]
pub enum OuiError {
    /// The file could not be read.
    #[error("cannot read OUI registry {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not an IEEE registry CSV.
    #[error("{path}:{line}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What was wrong.
        message: String,
    },
}

pub use crate::model::Mac;

/// Which IEEE block size an assignment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Registry {
    /// 24-bit prefix (oui.csv).
    #[serde(rename = "MA-L")]
    MaL,
    /// 28-bit prefix (mam.csv).
    #[serde(rename = "MA-M")]
    MaM,
    /// 36-bit prefix (oui36.csv).
    #[serde(rename = "MA-S")]
    MaS,
    /// 36-bit Individual Address Block (iab.csv).
    #[serde(rename = "IAB")]
    Iab,
}

impl Registry {
    /// Prefix length in bits.
    pub fn bits(self) -> u32 {
        match self {
            Self::MaL => 24,
            Self::MaM => 28,
            Self::MaS | Self::Iab => 36,
        }
    }

    /// The registry's own name (`MA-L`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::MaL => "MA-L",
            Self::MaM => "MA-M",
            Self::MaS => "MA-S",
            Self::Iab => "IAB",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_uppercase().as_str() {
            "MA-L" => Some(Self::MaL),
            "MA-M" => Some(Self::MaM),
            "MA-S" => Some(Self::MaS),
            "IAB" => Some(Self::Iab),
            _ => None,
        }
    }
}

/// One assignment: a prefix and the organisation it was assigned to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Block size.
    pub registry: Registry,
    /// Upper-case hex, no separators, as the registry writes it (`4419B6`, `B0B3536`).
    pub prefix: String,
    /// Organisation name as registered, trimmed.
    pub organisation: String,
}

impl Assignment {
    /// The prefix as `44:19:B6` / `B0:B3:53:6`.
    pub fn display_prefix(&self) -> String {
        let mut out = String::new();
        for (i, c) in self.prefix.chars().enumerate() {
            if i > 0 && i % 2 == 0 {
                out.push(':');
            }
            out.push(c);
        }
        out
    }
}

/// Prefix → organisation, longest prefix first.
#[derive(Debug, Clone, Default)]
pub struct OuiTable {
    entries: Vec<Assignment>,
    // Keyed by (prefix length in bits, prefix value); value is an index into `entries`.
    index: HashMap<(u32, u64), usize>,
    sources: Vec<String>,
}

impl OuiTable {
    /// An empty table (every lookup misses).
    pub fn empty() -> Self {
        Self::default()
    }

    /// The built-in table (see the module docs for what it holds).
    pub fn builtin() -> Self {
        let mut t = Self::empty();
        t.add_csv(Path::new("built-in OUI table"), BUILTIN_CSV)
            .expect("the built-in OUI table parses");
        t.sources = vec!["built-in (Debian ieee-data 20220827.1, covered companies)".into()];
        t
    }

    /// Adds every row of an IEEE registry CSV file (`oui.csv`, `mam.csv`, `oui36.csv`,
    /// `iab.csv`); a row for a prefix already present replaces it.
    pub fn load_csv(&mut self, path: &Path) -> Result<usize, OuiError> {
        let bytes = std::fs::read(path).map_err(|source| OuiError::Read {
            path: path.to_owned(),
            source,
        })?;
        let text = String::from_utf8_lossy(&bytes);
        let n = self.add_csv(path, &text)?;
        self.sources.push(path.display().to_string());
        Ok(n)
    }

    /// Adds the rows of registry CSV text; `path` only names the input in errors.
    pub fn add_csv(&mut self, path: &Path, text: &str) -> Result<usize, OuiError> {
        let err = |line: usize, message: String| OuiError::Format {
            path: path.to_owned(),
            line,
            message,
        };
        let records = parse_csv(text).map_err(|(line, m)| err(line, m))?;
        let Some((header_line, header)) = records.first() else {
            return Err(err(1, "empty file: expected an IEEE registry CSV".into()));
        };
        let col = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let (Some(reg_col), Some(asg_col), Some(org_col)) =
            (col("Registry"), col("Assignment"), col("Organization Name"))
        else {
            return Err(err(
                *header_line,
                "expected the header Registry,Assignment,Organization Name,Organization Address"
                    .into(),
            ));
        };
        let mut added = 0;
        for (line, rec) in &records[1..] {
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let field = |i: usize| rec.get(i).map(|s| s.trim()).unwrap_or("");
            let registry = Registry::parse(field(reg_col)).ok_or_else(|| {
                err(
                    *line,
                    format!(
                        "unknown registry {:?} (expected MA-L, MA-M, MA-S or IAB)",
                        field(reg_col)
                    ),
                )
            })?;
            let prefix = field(asg_col).to_ascii_uppercase();
            let want = registry.bits() as usize / 4;
            if prefix.len() != want || !prefix.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(err(
                    *line,
                    format!(
                        "assignment {prefix:?} is not {want} hex digits as {} requires",
                        registry.name()
                    ),
                ));
            }
            let value = u64::from_str_radix(&prefix, 16).map_err(|e| err(*line, e.to_string()))?;
            let entry = Assignment {
                registry,
                prefix,
                organisation: field(org_col).to_owned(),
            };
            match self.index.get(&(registry.bits(), value)) {
                Some(&i) => self.entries[i] = entry,
                None => {
                    self.index
                        .insert((registry.bits(), value), self.entries.len());
                    self.entries.push(entry);
                }
            }
            added += 1;
        }
        Ok(added)
    }

    /// The assignment covering `mac`, longest prefix (MA-S/IAB, then MA-M, then MA-L) first.
    /// Locally administered and group addresses have no OUI and never match.
    pub fn lookup(&self, mac: &Mac) -> Option<&Assignment> {
        if mac.is_locally_administered() || mac.is_multicast() {
            return None;
        }
        let bits = mac.bits();
        [36u32, 28, 24].iter().find_map(|&len| {
            self.index
                .get(&(len, bits >> (48 - len)))
                .map(|&i| &self.entries[i])
        })
    }

    /// Every assignment, in load order.
    pub fn assignments(&self) -> &[Assignment] {
        &self.entries
    }

    /// Where the rows came from (for the report).
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    /// Number of assignments.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the table holds nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// One CSV record and the 1-based line it starts on.
type Record = (usize, Vec<String>);

/// RFC 4180 records with the 1-based line each starts on. Quoted fields may hold commas,
/// doubled quotes and line breaks; CRLF and LF both end a record.
fn parse_csv(text: &str) -> Result<Vec<Record>, (usize, String)> {
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut line = 1;
    let mut start_line = 1;
    let mut quote_line = 1;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.trim().is_empty() => {
                field.clear();
                in_quotes = true;
                quote_line = line;
            }
            ',' => fields.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                records.push((start_line, std::mem::take(&mut fields)));
                line += 1;
                start_line = line;
            }
            _ => field.push(c),
        }
    }
    if in_quotes {
        return Err((quote_line, "a quoted field is never closed".into()));
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        records.push((start_line, fields));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mac(s: &str) -> Mac {
        Mac::parse(s).unwrap()
    }

    #[test]
    fn mac_forms_parse_and_print_lower_case() {
        assert_eq!(mac("44-19-B6-01-02-03").to_string(), "44:19:b6:01:02:03");
        assert_eq!(mac("4419.b601.0203"), mac("44:19:b6:01:02:03"));
        assert_eq!(Mac::parse("44:19:b6:01:02"), None);
        assert_eq!(Mac::parse("zz:19:b6:01:02:03"), None);
    }

    #[test]
    fn builtin_table_names_hikvision_and_longest_prefix_wins() {
        let t = OuiTable::builtin();
        let a = t.lookup(&mac("44:19:b6:12:34:56")).unwrap();
        assert_eq!(
            a.organisation,
            "Hangzhou Hikvision Digital Technology Co.,Ltd."
        );
        assert_eq!(a.display_prefix(), "44:19:B6");
        // B0:B3:53:6 is Hikrobot's MA-M; B0:B3:53:7 is someone else's and not in the table.
        let a = t.lookup(&mac("b0:b3:53:61:00:01")).unwrap();
        assert_eq!(a.registry, Registry::MaM);
        assert!(a.organisation.contains("Hikrobot"));
        assert!(t.lookup(&mac("b0:b3:53:71:00:01")).is_none());
    }

    #[test]
    fn locally_administered_and_group_addresses_never_match() {
        let t = OuiTable::builtin();
        // 46:19:b6 is 44:19:b6 with the local bit set.
        assert!(mac("46:19:b6:12:34:56").is_locally_administered());
        assert!(t.lookup(&mac("46:19:b6:12:34:56")).is_none());
        assert!(t.lookup(&mac("45:19:b6:12:34:56")).is_none());
    }

    #[test]
    fn csv_quoting_trailing_spaces_and_crlf() {
        let text = "Registry,Assignment,Organization Name,Organization Address\r\n\
MA-L,ACCC8E,Axis Communications AB,Emdalavägen 14 LUND  SE 22369 \r\n\
MA-L,040312,\"Hangzhou Hikvision Digital Technology Co.,Ltd.\",\"No.555 \"\"Qianmo\"\" Road,\nHangzhou\"\r\n\
MA-M,402C761,Shanghai Dahua Scale Factory   ,x\n";
        let mut t = OuiTable::empty();
        assert_eq!(t.add_csv(Path::new("t.csv"), text).unwrap(), 3);
        assert_eq!(
            t.lookup(&mac("04:03:12:00:00:01")).unwrap().organisation,
            "Hangzhou Hikvision Digital Technology Co.,Ltd."
        );
        assert_eq!(
            t.lookup(&mac("40:2c:76:10:00:01")).unwrap().organisation,
            "Shanghai Dahua Scale Factory"
        );
    }

    #[test]
    fn malformed_registry_rows_name_file_and_line() {
        let mut t = OuiTable::empty();
        let e = t
            .add_csv(
                Path::new("oui.csv"),
                "Registry,Assignment,Organization Name\nMA-L,4419B6,x\nMA-L,4419B,y\n",
            )
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("oui.csv:3:") && e.contains("6 hex digits"),
            "{e}"
        );
        let e = t
            .add_csv(Path::new("x.csv"), "name,value\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("x.csv:1") && e.contains("header"), "{e}");
        let e = t
            .add_csv(
                Path::new("q.csv"),
                "Registry,Assignment,Organization Name\nMA-L,4419B6,\"open\n",
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains("q.csv:2") && e.contains("never closed"), "{e}");
    }
}
