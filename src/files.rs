//! Files camswap writes and reads: every format carries a name and a version, and every write
//! is atomic (a temporary file in the same folder, fsync'd, then renamed over the target), so a
//! crash or a full disk never leaves a half-written plan, inventory or journal.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A file could not be read, written or understood.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Reading failed.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Writing failed; the previous content (if any) is untouched.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not the JSON we expected.
    #[error("{path}: invalid JSON at line {line}, column {column}: {message}")]
    Json {
        /// The file.
        path: PathBuf,
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
        /// What was wrong.
        message: String,
    },
    /// A different format than expected.
    #[error("{path}: expected format \"{expected}\", found {found}")]
    WrongFormat {
        /// The file.
        path: PathBuf,
        /// The format we wanted.
        expected: &'static str,
        /// What the file says (or "no format field").
        found: String,
    },
    /// A newer version than this binary understands.
    #[error(
        "{path}: format {format} version {found} is newer than this camswap understands (up to {supported}); upgrade camswap"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// The format.
        format: &'static str,
        /// The file's version.
        found: u64,
        /// The newest version we read.
        supported: u64,
    },
}

/// Writes `bytes` to `path` atomically: temp file in the same folder, fsync, rename, fsync dir.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// [`write_atomic`] for content produced by `fill` as it goes (a buffered writer on the
/// temporary file), so a large file never sits in memory whole.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), FileError> {
    let err = |source| FileError::Write {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let result = (|| {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(&tmp)?);
        fill(&mut w)?;
        let f = w
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// Serialises `value` as pretty JSON (with a final newline) and writes it atomically.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), FileError> {
    write_atomic_with(path, |w| {
        serde_json::to_writer_pretty(&mut *w, value).map_err(std::io::Error::from)?;
        w.write_all(b"\n")
    })
}

/// Reads a JSON file of format `format`, refusing other formats and versions above `supported`.
pub fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    format: &'static str,
    supported: u64,
) -> Result<T, FileError> {
    let bytes = std::fs::read(path).map_err(|source| FileError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse_json(path, &bytes, format, supported)
}

/// Like [`read_json`] on bytes already read; `path` is only used in messages.
pub fn parse_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    bytes: &[u8],
    format: &'static str,
    supported: u64,
) -> Result<T, FileError> {
    let json_err = |e: serde_json::Error| FileError::Json {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    };
    let head: serde_json::Value = serde_json::from_slice(bytes).map_err(json_err)?;
    let found = head.get("format").and_then(|f| f.as_str());
    if found != Some(format) {
        return Err(FileError::WrongFormat {
            path: path.to_owned(),
            expected: format,
            found: found.map_or_else(|| "no format field".into(), |f| format!("\"{f}\"")),
        });
    }
    let version = head.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
    if version > supported {
        return Err(FileError::TooNew {
            path: path.to_owned(),
            format,
            found: version,
            supported,
        });
    }
    serde_json::from_value(head).map_err(json_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Doc {
        format: String,
        version: u64,
        n: u32,
    }

    #[test]
    fn atomic_write_then_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.json");
        let doc = Doc {
            format: "camswap.test".into(),
            version: 1,
            n: 3,
        };
        write_json(&p, &doc).unwrap();
        let back: Doc = read_json(&p, "camswap.test", 1).unwrap();
        assert_eq!(back, doc);
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn newer_version_and_other_format_are_refused_with_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("plan.json");
        std::fs::write(&p, r#"{"format":"camswap.test","version":9,"n":1}"#).unwrap();
        let e = read_json::<Doc>(&p, "camswap.test", 1).unwrap_err();
        assert!(e.to_string().contains("plan.json") && e.to_string().contains("version 9"));
        let e = read_json::<Doc>(&p, "camswap.plan", 1).unwrap_err();
        assert!(matches!(e, FileError::WrongFormat { .. }));
    }

    #[test]
    fn bad_json_names_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("inventory.json");
        std::fs::write(&p, "{\n  \"format\": \"camswap.test\",\n  oops\n}").unwrap();
        let e = read_json::<Doc>(&p, "camswap.test", 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("inventory.json") && e.contains("line 3"), "{e}");
    }
}
