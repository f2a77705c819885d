//! Stock limits (`stock.toml`): how many units of each approved model are available.
//!
//! ```toml
//! [[stock]]
//! model = "Q6135-LE"      # the catalogue's model, or "Vendor Model"
//! vendor = "Axis"         # optional, to disambiguate
//! units = 4
//! ```
//! With a stock file, only the models it lists are available (a model it does not list has
//! no units); without one, every catalogue model is unlimited.

use serde::Deserialize;

use super::catalog::Catalog;
use crate::input::{InputError, Location, field_location};

/// A stock file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StockError {
    /// Malformed or inconsistent.
    #[error(transparent)]
    Invalid(#[from] InputError),
}

/// One stock row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockEntry {
    /// Model as written.
    pub model: String,
    /// Vendor, when given.
    pub vendor: Option<String>,
    /// Units available.
    pub units: u64,
    /// Line of its `model` key (for messages).
    pub line: usize,
    /// Column of its `model` key.
    pub column: usize,
}

/// The stock file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stock {
    /// File name (for messages).
    pub file: String,
    /// Rows in file order.
    pub entries: Vec<StockEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStock {
    #[serde(default)]
    version: Option<u32>,
    #[serde(default)]
    stock: Vec<toml::Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    model: String,
    #[serde(default)]
    vendor: Option<String>,
    units: u64,
}

impl Stock {
    /// Parses `stock.toml` text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, StockError> {
        let raw: RawStock =
            toml::from_str(text).map_err(|e| InputError::from_toml(file, text, &e))?;
        if raw.version.is_some_and(|v| v > 1) {
            return Err(InputError::new(
                file,
                field_location(text, 0, "version"),
                "stock version is newer than this camswap understands (up to 1)",
            )
            .into());
        }
        let entries = raw
            .stock
            .into_iter()
            .map(|s| {
                let at = field_location(text, s.span().start, "model");
                let e = s.into_inner();
                StockEntry {
                    model: e.model,
                    vendor: e.vendor,
                    units: e.units,
                    line: at.line,
                    column: at.column,
                }
            })
            .collect();
        Ok(Self {
            file: file.to_owned(),
            entries,
        })
    }

    /// Units per catalogue model (by index) from the rows that name a model once; the other
    /// rows come back as warnings. Unlisted models have no units.
    pub fn capacities_lenient(&self, catalog: &Catalog) -> (Vec<Option<u64>>, Vec<String>) {
        let mut caps: Vec<Option<u64>> = vec![Some(0); catalog.models.len()];
        let mut seen = vec![false; catalog.models.len()];
        let mut warnings = Vec::new();
        for e in &self.entries {
            match catalog.find(&e.model, e.vendor.as_deref()) {
                Some(i) if !seen[i] => {
                    seen[i] = true;
                    caps[i] = Some(e.units);
                }
                Some(i) => warnings.push(format!(
                    "{} line {}: {} is listed twice; the first row counts",
                    self.file,
                    e.line,
                    catalog.models[i].name()
                )),
                None => warnings.push(format!(
                    "{} line {}: \"{}\" is not a model in the catalogue; ignored",
                    self.file, e.line, e.model
                )),
            }
        }
        (caps, warnings)
    }

    /// Units per catalogue model (by index), or an error naming the first row that matches
    /// no model or repeats one.
    pub fn capacities(&self, catalog: &Catalog) -> Result<Vec<Option<u64>>, StockError> {
        let mut caps: Vec<Option<u64>> = vec![Some(0); catalog.models.len()];
        let mut seen = vec![false; catalog.models.len()];
        for e in &self.entries {
            let at = Location {
                line: e.line,
                column: e.column,
                field: Some("model".into()),
            };
            let Some(i) = catalog.find(&e.model, e.vendor.as_deref()) else {
                let message = format!("\"{}\" is not a model in the catalogue", e.model);
                return Err(InputError::new(&self.file, at, message).into());
            };
            if seen[i] {
                let message = format!("{} is listed twice", catalog.models[i].name());
                return Err(InputError::new(&self.file, at, message).into());
            }
            seen[i] = true;
            caps[i] = Some(e.units);
        }
        Ok(caps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_rows_resolve_against_the_catalogue_and_unlisted_models_have_none() {
        let c = Catalog::example();
        let s = Stock::parse(
            "stock.toml",
            "[[stock]]\nmodel = \"Q6135-LE\"\nunits = 2\n\n[[stock]]\nmodel = \"i-PRO WV-X6533LN\"\nunits = 1\n",
        )
        .unwrap();
        let caps = s.capacities(&c).unwrap();
        assert_eq!(caps[c.find("Axis Q6135-LE", None).unwrap()], Some(2));
        assert_eq!(caps[c.find("WV-X6533LN", None).unwrap()], Some(1));
        assert_eq!(caps[c.find("P3268-LVE", None).unwrap()], Some(0));

        let bad = Stock::parse("site/stock.toml", "[[stock]]\nmodel = \"Q6135-LE\"\nunits = 1\n[[stock]]\nmodel = \"DS-2CD2143G2-I\"\nunits = 3\n").unwrap();
        let e = bad.capacities(&c).unwrap_err().to_string();
        assert_eq!(
            e,
            "site/stock.toml: line 5, field model: \"DS-2CD2143G2-I\" is not a model in the catalogue"
        );
        // The planner itself keeps the rows that resolve and reports the rest.
        let (caps, warnings) = bad.capacities_lenient(&c);
        assert_eq!(caps[c.find("Q6135-LE", None).unwrap()], Some(1));
        assert_eq!(caps.iter().filter(|u| **u != Some(0)).count(), 1);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("line 5") && warnings[0].contains("DS-2CD2143G2-I"));
        let e = Stock::parse("s.toml", "[[stock]]\nmodel = \"x\"\nunits = -1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3, field units"), "{e}");
    }
}
