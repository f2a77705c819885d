//! The planner's file side, kept apart from the pure planner: reading the catalogue, stock and
//! rollout files and hashing them for the plan's `inputs`.

use std::path::Path;

use super::catalog::{BUILTIN_EXAMPLE, Catalog, CatalogError};
use super::plan::InputFile;
use super::rollout::{Rollout, RolloutError};
use super::stock::{Stock, StockError};

/// An input file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Reading failed.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not UTF-8 text.
    #[error("{path}: not UTF-8 text")]
    NotText {
        /// The file.
        path: String,
    },
    /// The catalogue is invalid.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The stock file is invalid.
    #[error(transparent)]
    Stock(#[from] StockError),
    /// The rollout file is invalid.
    #[error(transparent)]
    Rollout(#[from] RolloutError),
}

/// Reads a file as text and its [`InputFile`] record.
pub fn read_text(path: &Path) -> Result<(String, InputFile), LoadError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| LoadError::Read {
        path: name.clone(),
        source,
    })?;
    let input = InputFile::hashed(name.clone(), &bytes);
    let text = String::from_utf8(bytes).map_err(|_| LoadError::NotText { path: name })?;
    Ok((text, input))
}

/// Loads `catalog.toml` or a built-in (`builtin:example`).
pub fn load_catalog(spec: &str) -> Result<(Catalog, InputFile), LoadError> {
    if spec.starts_with("builtin:") {
        let text = Catalog::builtin_text(spec)?;
        return Ok((
            Catalog::parse(BUILTIN_EXAMPLE, text)?,
            InputFile::hashed(spec, text.as_bytes()),
        ));
    }
    let (text, input) = read_text(Path::new(spec))?;
    Ok((Catalog::parse(&input.name, &text)?, input))
}

/// Loads `stock.toml` and checks every row names a catalogue model.
pub fn load_stock(path: &Path, catalog: &Catalog) -> Result<(Stock, InputFile), LoadError> {
    let (text, input) = read_text(path)?;
    let stock = Stock::parse(&input.name, &text)?;
    stock.capacities(catalog)?;
    Ok((stock, input))
}

/// Loads `rollout.toml`.
pub fn load_rollout(path: &Path) -> Result<(Rollout, InputFile), LoadError> {
    let (text, input) = read_text(path)?;
    Ok((Rollout::parse(&input.name, &text)?, input))
}
