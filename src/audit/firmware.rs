//! Firmware version grammars that survive rebranding: OEMs ship the maker's firmware and keep
//! its version string shape even when they change the manufacturer name.

use std::sync::LazyLock;

use regex::Regex;

/// A Hikvision version: `V5.7.3 build 220112` (also `V5.6.10build 230721` from SADP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HikvisionVersion {
    /// `5.7.3`.
    pub version: String,
    /// Build date as `20yy-mm-dd`.
    pub build_date: String,
}

/// A Dahua version: `<major>.<minor>.<customer>.<build>.<R|T|B>[, build: date]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DahuaVersion {
    /// `2.800`.
    pub version: String,
    /// The customer field as written (`0000018`, `00AC000`, `Dahua 00`).
    pub customer: String,
    /// Its letters, upper case (`AC` for Amcrest; empty for generic Dahua).
    pub customer_code: String,
    /// The build date, when the string carries one.
    pub build_date: Option<String>,
}

static HIKVISION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^V(\d+)\.(\d+)\.(\d+)(?:\.\d+)?\s*build\s*(\d{2})(\d{2})(\d{2})$")
        .expect("valid")
});

static DAHUA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^V?(\d{1,2})\.(\d{3})\.([0-9A-Z ]{2,12})\.(\d{1,3})\.([A-Z])(?:\s*,\s*build(?:\s*date)?\s*:?\s*(\S.*))?$",
    )
    .expect("valid")
});

/// Reads a Hikvision firmware version, checking that the build date is a date.
pub fn parse_hikvision(s: &str) -> Option<HikvisionVersion> {
    let c = HIKVISION.captures(s.trim())?;
    let month: u32 = c[5].parse().ok()?;
    let day: u32 = c[6].parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(HikvisionVersion {
        version: format!("{}.{}.{}", &c[1], &c[2], &c[3]),
        build_date: format!("20{}-{month:02}-{day:02}", &c[4]),
    })
}

/// Reads a Dahua-family firmware version (Dahua, Amcrest, Lorex and other OEMs).
pub fn parse_dahua(s: &str) -> Option<DahuaVersion> {
    let c = DAHUA.captures(s.trim())?;
    let customer = c[3].trim().to_owned();
    // The customer field is digits, letters and at most one space ("Dahua 00"); a run of
    // words is a sentence, not a version.
    if customer.matches(' ').count() > 1 {
        return None;
    }
    Some(DahuaVersion {
        version: format!("{}.{}", &c[1], &c[2]),
        customer_code: customer
            .chars()
            .filter(char::is_ascii_alphabetic)
            .collect::<String>()
            .to_ascii_uppercase(),
        customer,
        build_date: c.get(6).map(|m| m.as_str().trim().to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hikvision_versions_from_the_field() {
        let v = parse_hikvision("V5.7.3 build 220112").unwrap();
        assert_eq!(
            (v.version.as_str(), v.build_date.as_str()),
            ("5.7.3", "2022-01-12")
        );
        assert!(parse_hikvision("V5.6.18 build 210428").is_some());
        assert!(parse_hikvision("V5.5.801 build 211105").is_some());
        // SADP writes it without the space.
        assert!(parse_hikvision("V5.6.10build 230721").is_some());
        // Bare versions are too common to mean Hikvision; impossible dates are not builds.
        assert!(parse_hikvision("V5.7.13").is_none());
        assert!(parse_hikvision("V5.7.3 build 221332").is_none());
        assert!(parse_hikvision("11.8.64").is_none());
    }

    #[test]
    fn dahua_versions_and_customer_fields() {
        let v = parse_dahua("2.800.0000018.0.R").unwrap();
        assert_eq!(
            (v.version.as_str(), v.customer_code.as_str()),
            ("2.800", "")
        );
        let v = parse_dahua("2.420.Dahua 00.14.R, build: 2016-06-18").unwrap();
        assert_eq!(v.customer_code, "DAHUA");
        assert_eq!(v.build_date.as_deref(), Some("2016-06-18"));
        let v = parse_dahua("2.811.0000013.0.R, Build Date 2023-12-20").unwrap();
        assert_eq!(v.build_date.as_deref(), Some("2023-12-20"));
        assert!(parse_dahua("3.140.0000000.10.R,build:2024-01-16").is_some());
        // Amcrest keeps the grammar; its customer field carries AC.
        assert_eq!(parse_dahua("V2.420.AC00.18.R").unwrap().customer_code, "AC");
        assert_eq!(
            parse_dahua("V2.800.00AC000.0.R").unwrap().customer_code,
            "AC"
        );
    }

    #[test]
    fn other_vendors_versions_are_not_dahua() {
        for s in [
            "11.8.64",
            "V5.7.3 build 220112",
            "7.80.0128",
            "2.21.00_20240101",
            "1.80",
            "",
        ] {
            assert!(parse_dahua(s).is_none(), "{s}");
        }
    }
}
