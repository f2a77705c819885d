//! The readers of the files a user hands camswap: the first byte picks the reader, the rest
//! is the file. Each answers with a value or an error naming the file, never a panic.
#![no_main]

use std::io::Write as _;
use std::path::Path;

use camswap::audit::Policy;
use camswap::credentials::Credentials;
use camswap::files;
use camswap::inventory::file::{
    FORMAT as INVENTORY_FORMAT, Inventory, VERSION as INVENTORY_VERSION,
};
use camswap::planner::plan::{PLAN_FORMAT, PLAN_VERSION};
use camswap::planner::{Catalog, Plan, Rollout, Stock};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match which % 7 {
        0 => {
            let _ = Policy::parse("policy.toml", &text);
        }
        1 => {
            let _ = Catalog::parse("catalog.toml", &text);
        }
        2 => {
            let _ = Stock::parse("stock.toml", &text);
        }
        3 => {
            let _ = Rollout::parse("rollout.toml", &text);
        }
        4 => {
            // The credentials reader takes a path (it checks the file's permissions).
            let mut f = tempfile_in_shm();
            f.write_all(rest).expect("write");
            let _ = Credentials::load_with_env(f.path(), &|_| Some("from-env".into()));
        }
        5 => {
            if let Ok(plan) =
                files::parse_json::<Plan>(Path::new("plan.json"), rest, PLAN_FORMAT, PLAN_VERSION)
            {
                let _ = plan.check_fingerprint();
            }
        }
        _ => {
            let _ = files::parse_json::<Inventory>(
                Path::new("inventory.json"),
                rest,
                INVENTORY_FORMAT,
                INVENTORY_VERSION,
            );
        }
    }
});

/// A private temporary file (mode 600, removed on drop), in memory where possible.
fn tempfile_in_shm() -> NamedFile {
    let dir = if Path::new("/dev/shm").is_dir() {
        std::path::PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let path = dir.join(format!(
        "camswap-fuzz-credentials-{}.toml",
        std::process::id()
    ));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .expect("temporary file");
    NamedFile { path, file }
}

use std::os::unix::fs::OpenOptionsExt as _;

struct NamedFile {
    path: std::path::PathBuf,
    file: std::fs::File,
}

impl NamedFile {
    fn path(&self) -> &Path {
        &self.path
    }
}

impl std::io::Write for NamedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Drop for NamedFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
