//! `shared/` beside the repository: the official ONVIF schemas (`onvif/`), real camera
//! captures (`captures/`) and the schema validator (`tools/onvif-validate`).
//!
//! `$ONVIF_SCHEMA_DIR` names the schema folder (CI sets it to `../shared/onvif`) and
//! `$CAMSWAP_CAPTURES` the captures folder; without them, `shared/` is looked for in the
//! folders above the crate (a worktree sits one level deeper than the main checkout).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

/// The first `shared/NAME` folder above the crate that exists.
fn above_the_crate(name: &str) -> Option<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared").join(name))
        .find(|p| p.is_dir())
}

/// The official schemas: the folder holding `ver10/` and `ver20/`.
pub fn schema_dir() -> PathBuf {
    let dir = match std::env::var_os("ONVIF_SCHEMA_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => above_the_crate("onvif").unwrap_or_else(|| {
            panic!(
                "no shared/onvif folder above {}; set ONVIF_SCHEMA_DIR to the folder holding \
                 ver10/ and ver20/",
                env!("CARGO_MANIFEST_DIR")
            )
        }),
    };
    assert!(
        dir.join("ver10").is_dir(),
        "{} has no ver10/ folder; set ONVIF_SCHEMA_DIR to the official ONVIF schemas",
        dir.display()
    );
    dir
}

/// The real camera captures (see `SOURCES.tsv` and `QUIRKS.md` there).
pub fn captures_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CAMSWAP_CAPTURES") {
        let dir = PathBuf::from(dir);
        assert!(
            dir.is_dir(),
            "CAMSWAP_CAPTURES={} is not a folder",
            dir.display()
        );
        return dir;
    }
    let beside_schemas = std::env::var_os("ONVIF_SCHEMA_DIR")
        .map(|d| PathBuf::from(d).join("../captures"))
        .filter(|p| p.is_dir());
    beside_schemas
        .or_else(|| above_the_crate("captures"))
        .unwrap_or_else(|| {
            panic!(
                "no shared/captures folder above {}; set CAMSWAP_CAPTURES",
                env!("CARGO_MANIFEST_DIR")
            )
        })
}

/// A capture's bytes, by path relative to the captures folder (`axis/GetProfiles-….xml`).
pub fn capture(rel: &str) -> Vec<u8> {
    let path = captures_dir().join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A capture as text.
pub fn capture_text(rel: &str) -> String {
    String::from_utf8(capture(rel)).unwrap_or_else(|_| panic!("{rel}: not UTF-8"))
}

/// `tools/onvif-validate` beside the schemas, with `xmllint` (which it runs) installed.
pub fn validator() -> PathBuf {
    let tool = schema_dir().join("../tools/onvif-validate");
    assert!(
        tool.is_file(),
        "onvif-validate not found at {} ($ONVIF_SCHEMA_DIR/../tools/onvif-validate)",
        tool.display()
    );
    let xmllint = Command::new("xmllint").arg("--version").output();
    assert!(
        xmllint.is_ok_and(|o| o.status.success()),
        "xmllint is not installed; onvif-validate needs it (Debian/Ubuntu: apt-get install \
         libxml2-utils, which CI does)"
    );
    tool
}

/// Runs the validator over `files` in one call: its exit status and everything it printed
/// (one verdict line per file).
pub fn validate(files: &[PathBuf]) -> (ExitStatus, String) {
    let out = Command::new(validator())
        .args(files)
        .env("ONVIF_SCHEMA_ROOT", schema_dir())
        .output()
        .expect("onvif-validate runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status, text)
}

#[test]
fn shared_folders_are_found_and_hold_what_the_tests_read() {
    assert!(schema_dir().join("ver10/schema/onvif.xsd").is_file());
    assert!(captures_dir().join("SOURCES.tsv").is_file());
    assert!(validator().is_file());
}
