//! Files camswap writes and reads: every format carries a name and a version, and every write
//! to a file is atomic (a temporary file in the same folder, fsync'd, then renamed over the
//! target), so a crash or a full disk never leaves a half-written plan, inventory or journal.
//! Devices and pipes given as the output are written through, never replaced.

use std::io::Write;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

/// A file could not be read, written or understood.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Reading failed.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Writing failed; the previous content (if any) is untouched.
    #[error("cannot write {path}")]
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
    /// An item's content does not match the sha256 stored with it: edited or damaged since
    /// camswap wrote it.
    #[error(
        "{path}: {item}: {problem}; the file was changed after camswap wrote it (read the devices again rather than editing it)"
    )]
    Digest {
        /// The file.
        path: PathBuf,
        /// Which item (`device serial:...`).
        item: String,
        /// What does not match.
        problem: String,
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

/// How a leftover temporary file is recognised: `.NAME.camswap-tmp-PID-RANDOM` next to NAME.
const TMP_MARK: &str = ".camswap-tmp-";

/// A leftover whose writer may still be alive (another PID namespace, or a reused PID) is
/// removed once it is this old: a camswap write holds its temporary file for the time of one
/// `write` and one `fsync` of a few megabytes, never minutes, so an hour-old one is abandoned.
const TMP_ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// Symlink hops followed before giving up (the kernel's own limit for a path is 40).
const MAX_LINK_HOPS: usize = 40;

/// Writes `bytes` to `path` so that nobody ever sees half of it.
///
/// A regular file (or a name that does not exist yet) is replaced atomically: a temporary file
/// in the same folder, fsync, rename, fsync of the folder; an existing file keeps its mode and,
/// where the process may set it, its owner. A symlink stays a symlink: its final target is the
/// file replaced. Character devices, FIFOs and sockets (`/dev/null`, `/dev/stdout`, a named pipe
/// a script reads from) cannot be renamed over without destroying them, so they are written
/// through. Temporary files left by a killed run are removed by the next write to the same name.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// [`write_atomic`] for content produced by `fill` as it goes (through a buffered writer), so a
/// large file never sits in memory whole.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), FileError> {
    write_atomic_to(path, |sink| match sink {
        Sink::File(w) => fill(w),
        Sink::Stream(w) => fill(w),
    })
}

/// Where [`write_atomic_to`] has its caller write.
pub enum Sink<'a> {
    /// The temporary file that will replace the target: it can be sought back into and
    /// patched before it is synced and renamed (a plan's fingerprint, known only at its end,
    /// written at its top).
    File(&'a mut std::io::BufWriter<std::fs::File>),
    /// A character device, pipe or open descriptor, written through once, front to back.
    Stream(&'a mut dyn Write),
}

/// [`write_atomic_with`], telling `fill` whether it writes a file it may seek in (the usual
/// case: the temporary file) or a stream (`-o /dev/stdout`, a FIFO).
pub fn write_atomic_to(
    path: &Path,
    fill: impl FnOnce(Sink<'_>) -> std::io::Result<()>,
) -> Result<(), FileError> {
    let err = |source| FileError::Write {
        path: path.to_owned(),
        source,
    };
    match std::fs::metadata(path) {
        // Following links here lets the kernel resolve /proc's magic links (/dev/stdout ->
        // /proc/self/fd/1 -> "pipe:[…]"), which no path-based resolution can.
        Ok(m) if is_stream(&m.file_type()) => write_through(path, fill).map_err(err),
        Ok(m) if m.is_dir() => Err(err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "is a folder",
        ))),
        // Renaming over a disk's node, or writing JSON into the disk, are both wrong.
        Ok(m) if m.file_type().is_block_device() => Err(err(std::io::Error::other(
            "is a block device; camswap writes only files, character devices and pipes",
        ))),
        Ok(m) => match resolve_links(path).map_err(err)? {
            // An open descriptor seen through /proc (`-o /dev/stdout > out.json`, `>>` included):
            // the file behind it is the caller's, written through the descriptor, not renamed.
            None => write_through(path, fill).map_err(err),
            Some(target) => replace(&target, fill, Some(&m)).map_err(err),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A dangling symlink creates its target, as a shell redirection would.
            match resolve_links(path).map_err(err)? {
                Some(target) => replace(&target, fill, None).map_err(err),
                None => Err(err(e)),
            }
        }
        Err(e) => Err(err(e)),
    }
}

fn is_stream(t: &std::fs::FileType) -> bool {
    t.is_char_device() || t.is_fifo() || t.is_socket()
}

/// Writes into an existing device or pipe as it is: opening a FIFO waits for its reader.
fn write_through(
    path: &Path,
    fill: impl FnOnce(Sink<'_>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let f = std::fs::OpenOptions::new().write(true).open(path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
    fill(Sink::Stream(&mut w))?;
    w.flush()
}

/// The file a chain of symlinks ends at (which may not exist yet); `path` itself if it is not a
/// link. Only the last component is followed: a linked folder is renamed within fine. `None`
/// when the chain goes through /proc, whose links name open descriptors, not files to replace.
fn resolve_links(path: &Path) -> std::io::Result<Option<PathBuf>> {
    let mut p = path.to_owned();
    for _ in 0..MAX_LINK_HOPS {
        if p.starts_with("/proc") {
            return Ok(None);
        }
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p)?;
                p = if to.is_absolute() {
                    to
                } else {
                    p.parent().unwrap_or(Path::new("")).join(to)
                };
            }
            Ok(_) => return Ok(Some(p)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Some(p)),
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(format!(
        "more than {MAX_LINK_HOPS} symlinks to follow"
    )))
}

/// Temp file, fsync, rename over `path`, fsync the folder; `old` is the file being replaced.
fn replace(
    path: &Path,
    fill: impl FnOnce(Sink<'_>) -> std::io::Result<()>,
    old: Option<&std::fs::Metadata>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let prefix = format!(".{name}{TMP_MARK}");
    sweep_leftovers(&dir, &prefix);
    let tmp = dir.join(format!(
        "{prefix}{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let result = (|| {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        if let Some(old) = old {
            keep_owner_and_mode(&f, path, old)?;
        }
        let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
        fill(Sink::File(&mut w))?;
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
    result
}

/// Gives the new file the old one's permissions and owner. Only root may give a file away, so an
/// unprivileged run keeps the owner only when it is the owner already; the group is kept when
/// the user belongs to it; otherwise the change is reported, never silent.
fn keep_owner_and_mode(
    f: &std::fs::File,
    path: &Path,
    old: &std::fs::Metadata,
) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let new = f.metadata()?;
    if (new.uid(), new.gid()) != (old.uid(), old.gid())
        && std::os::unix::fs::fchown(f, Some(old.uid()), Some(old.gid())).is_err()
    {
        let group_kept = std::os::unix::fs::fchown(f, None, Some(old.gid())).is_ok();
        tracing::warn!(
            "{}: was owned by uid {} gid {}; this user cannot keep {}",
            path.display(),
            old.uid(),
            old.gid(),
            if group_kept {
                "the owner"
            } else {
                "the owner and group"
            }
        );
    }
    // After fchown, which may clear set-id bits.
    f.set_permissions(old.permissions())
}

/// Removes `.NAME.camswap-tmp-PID-…` files whose writer is gone (its PID is not running) or that
/// are older than [`TMP_ABANDONED_AFTER`]. Best effort: a leftover that cannot be removed does
/// not stop the write.
fn sweep_leftovers(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<i32>().ok()) else {
            continue;
        };
        // Never a symlink or folder someone placed under our name: only plain files.
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        if !meta.file_type().is_file() {
            continue;
        }
        let abandoned = meta
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > TMP_ABANDONED_AFTER);
        if abandoned || (pid != std::process::id() as i32 && !process_alive(pid)) {
            match std::fs::remove_file(entry.path()) {
                Ok(()) => tracing::info!(
                    "removed {}, left by an interrupted run",
                    entry.path().display()
                ),
                Err(e) => tracing::debug!("cannot remove {}: {e}", entry.path().display()),
            }
        }
    }
}

/// Whether a process with this id exists (signal 0 checks without sending anything; EPERM means
/// it exists but belongs to someone else).
fn process_alive(pid: i32) -> bool {
    use nix::errno::Errno;
    if pid <= 0 {
        return false;
    }
    !matches!(
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None),
        Err(Errno::ESRCH)
    )
}

/// Serialises `value` as pretty JSON (with a final newline) and writes it atomically.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), FileError> {
    write_atomic_with(path, |w| {
        // A concrete buffer in front of the `dyn Write`: the serialiser writes token by token,
        // and each through a vtable into the file's buffer cost more than the JSON itself.
        let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
        serde_json::to_writer_pretty(&mut w, value).map_err(std::io::Error::from)?;
        w.write_all(b"\n")?;
        w.flush()
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
    let json_err = |e: serde_json::Error| {
        // serde_json's Display ends with its own " at line L column C"; ours says it once.
        let text = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        FileError::Json {
            path: path.to_owned(),
            line: e.line(),
            column: e.column(),
            message: text.strip_suffix(&suffix).unwrap_or(&text).to_owned(),
        }
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
    serde_json::from_value(head).map_err(|e| {
        // An error from a `Value` has no position (line 0, column 0); parsing the bytes again
        // straight into `T` finds the same mistake with its line and column. Only on failure.
        match serde_json::from_slice::<T>(bytes) {
            Err(positioned) if positioned.line() > 0 => json_err(positioned),
            _ => json_err(e),
        }
    })
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

    // Issue 10 item 9: a value of the wrong type was reported at "line 0, column 0" (the
    // position is lost once the text is a `Value`).
    #[test]
    fn json_type_errors_name_their_real_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("plan.json");
        std::fs::write(
            &p,
            "{\n  \"format\": \"camswap.test\",\n  \"version\": 1,\n  \"n\": \"three\"\n}\n",
        )
        .unwrap();
        let e = read_json::<Doc>(&p, "camswap.test", 1).unwrap_err();
        let FileError::Json { line, column, .. } = &e else {
            panic!("{e}")
        };
        // `"three"` is on line 4 and ends at column 14.
        assert_eq!((*line, *column), (4, 14), "{e}");
        let text = e.to_string();
        assert!(
            text.contains("plan.json: invalid JSON at line 4, column 14: invalid type: string"),
            "{text}"
        );
        assert_eq!(text.matches("line 4").count(), 1, "{text}");
    }

    // Issue 10 item 2: `-o` onto something that is not a regular file. The real /dev/null is
    // never the target (tests run as root, and old code would replace it): a link made here
    // points at it, so old code replaces only the link.
    #[test]
    fn output_through_a_symlink_to_a_character_device_writes_through_and_keeps_both() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("out.json");
        std::os::unix::fs::symlink("/dev/null", &link).unwrap();
        write_atomic(&link, b"{}\n").unwrap();
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("/dev/null"));
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }

    #[test]
    fn output_to_a_symlink_replaces_its_target_and_keeps_the_link() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("reports")).unwrap();
        let target = dir.path().join("reports/audit.json");
        std::fs::write(&target, "old").unwrap();
        let link = dir.path().join("latest.json");
        // Relative, as `ln -s reports/audit.json latest.json` makes it.
        std::os::unix::fs::symlink("reports/audit.json", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        // A dangling link creates its target.
        let dangling = dir.path().join("next.json");
        std::os::unix::fs::symlink("reports/next.json", &dangling).unwrap();
        write_atomic(&dangling, b"first").unwrap();
        assert!(
            dangling
                .symlink_metadata()
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("reports/next.json")).unwrap(),
            "first"
        );
    }

    #[test]
    fn output_to_a_fifo_reaches_its_reader_and_the_fifo_stays() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_atomic(&fifo, b"{\"format\":\"x\"}\n").unwrap();
        // Checked before joining: a writer that renamed over the FIFO leaves the reader waiting.
        assert!(fifo.symlink_metadata().unwrap().file_type().is_fifo());
        assert_eq!(reader.join().unwrap(), b"{\"format\":\"x\"}\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn output_over_a_mode_600_file_stays_600_with_its_owner() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("inventory.json");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        let before = std::fs::metadata(&p).unwrap();
        write_atomic(&p, b"new").unwrap();
        let after = std::fs::metadata(&p).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_ne!(
            before.ino(),
            after.ino(),
            "replaced atomically, not rewritten in place"
        );
        assert_eq!(after.mode() & 0o7777, 0o600);
        assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
        // A different mode is kept the same way (not a fixed 600).
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, b"newer").unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().mode() & 0o7777, 0o640);
    }

    #[test]
    fn output_temp_files_left_by_a_killed_run_are_removed_by_the_next_run() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("plan.json");
        // A run that was killed: a process that has exited, so its PID is not running.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let leftover = dir
            .path()
            .join(format!(".plan.json{TMP_MARK}{dead}-0badf00d"));
        std::fs::write(&leftover, "half a plan").unwrap();
        // A live writer's temp file (this test's own parent process, surely running) stays.
        let live = dir.path().join(format!(
            ".plan.json{TMP_MARK}{}-00000001",
            std::os::unix::process::parent_id()
        ));
        std::fs::write(&live, "being written").unwrap();
        // Another output's leftovers are not this write's business.
        let other = dir
            .path()
            .join(format!(".audit.json{TMP_MARK}{dead}-0badf00d"));
        std::fs::write(&other, "x").unwrap();
        write_atomic(&p, b"plan").unwrap();
        assert!(!leftover.exists(), "the dead run's temp file is swept");
        assert!(live.exists() && other.exists());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "plan");
    }
}
