//! The apply journal: an append-only JSON-lines file, one record per completed step, each
//! fsync'd before the next step starts, so a crashed laptop or a pulled cable never makes
//! apply run a step twice.
//!
//! Format `camswap.journal`, version 1. The first line is the header
//! `{"format","version","plan":"sha256:..."}`; every further line is one [`Record`]. A crash
//! while a record is being written leaves a torn last line (no newline, or not JSON): reading
//! reports it and resume truncates the file back to the last whole record before appending.
//! A damaged line anywhere else is not a crash artefact and is refused.
//!
//! Nothing secret is ever written: user names and levels, tokens and read-back values only.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The journal's format name.
pub const JOURNAL_FORMAT: &str = "camswap.journal";
/// The journal version this build writes and reads.
pub const JOURNAL_VERSION: u64 = 1;

/// The journal cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// Reading or writing failed.
    #[error("journal {path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why (shown in the message, so not a `source`).
        error: std::io::Error,
    },
    /// The first line is not a journal header.
    #[error("{path}: not a camswap journal ({reason})")]
    NotAJournal {
        /// The file.
        path: PathBuf,
        /// What was found.
        reason: String,
    },
    /// Written by a newer camswap.
    #[error(
        "{path}: journal version {found} is newer than this camswap understands (up to {JOURNAL_VERSION}); upgrade camswap"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// The file's version.
        found: u64,
    },
    /// A line other than the last is damaged.
    #[error(
        "{path}: line {line} is damaged ({reason}); only the last record can be torn by a crash, so the journal is not trusted"
    )]
    Damaged {
        /// The file.
        path: PathBuf,
        /// Line (1-based).
        line: usize,
        /// Why.
        reason: String,
    },
    /// The journal belongs to another plan.
    #[error(
        "{path}: this journal records plan {journal}, not {plan}; use another --journal for this plan"
    )]
    OtherPlan {
        /// The file.
        path: PathBuf,
        /// Plan fingerprint in the journal.
        journal: String,
        /// Plan fingerprint being applied.
        plan: String,
    },
}

/// The first line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// `camswap.journal`.
    pub format: String,
    /// 1.
    pub version: u64,
    /// Fingerprint of the plan being applied.
    pub plan: String,
}

/// What a record says happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The new device was found and identified (step is absent).
    Bound,
    /// The factory-default device got its administrator (step is absent).
    Onboarded,
    /// The step was written and read back equal.
    Done,
    /// The step was written; the device kept a different value (both are in `detail`).
    Adapted,
    /// The step failed (the reason is in `detail`); it will be tried again.
    Failed,
    /// Every step of the camera is done and verified at its final address.
    Finished,
}

impl Status {
    /// Whether a record with this status completes its step.
    pub fn completes(&self) -> bool {
        matches!(self, Self::Done | Self::Adapted)
    }
}

/// One line after the header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Old camera id (the plan's).
    pub camera: String,
    /// Step index in the camera's plan, when the record is about a step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    /// Step kind (`set_dns`), for people reading the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// What happened.
    pub status: Status,
    /// RFC 3339 time.
    pub at: String,
    /// The device service address the new camera answered at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xaddr: Option<String>,
    /// The value read back after the write (or the bound identity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readback: Option<serde_json::Value>,
    /// Old key → new token for what this step created (profiles, presets, recordings, jobs).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tokens: BTreeMap<String, String>,
    /// Why it failed, or what the device adapted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Planned values the device holds differently, accepted by apply (verify does not count
    /// them as drift).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adapted: Vec<super::check::Mismatch>,
}

/// What was read from an existing journal.
#[derive(Debug, Clone, Default)]
pub struct Contents {
    /// The header (absent when the file is new or empty).
    pub header: Option<Header>,
    /// Whole records, in order.
    pub records: Vec<Record>,
    /// A torn last line: its 1-based number and length in bytes.
    pub torn: Option<(usize, usize)>,
    /// Length of the file up to the end of the last whole record.
    pub whole_len: u64,
}

impl Contents {
    /// Records of one camera, in order.
    pub fn of<'a>(&'a self, camera: &'a str) -> impl Iterator<Item = &'a Record> + 'a {
        self.records.iter().filter(move |r| r.camera == camera)
    }

    /// Whether step `step` of `camera` has been completed.
    pub fn is_done(&self, camera: &str, step: usize) -> bool {
        self.of(camera)
            .any(|r| r.step == Some(step) && r.status.completes())
    }

    /// Every token mapping recorded for `camera` (later records win).
    pub fn tokens(&self, camera: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for r in self.of(camera) {
            out.extend(r.tokens.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        out
    }

    /// Adaptations apply accepted for `camera`, by step.
    pub fn adapted(&self, camera: &str) -> BTreeMap<usize, Vec<super::check::Mismatch>> {
        let mut out: BTreeMap<usize, Vec<super::check::Mismatch>> = BTreeMap::new();
        for r in self.of(camera).filter(|r| r.status == Status::Adapted) {
            if let Some(step) = r.step {
                out.entry(step)
                    .or_default()
                    .extend(r.adapted.iter().cloned());
            }
        }
        out
    }

    /// The last address the camera was seen at.
    pub fn xaddr<'a>(&'a self, camera: &'a str) -> Option<&'a str> {
        self.of(camera).filter_map(|r| r.xaddr.as_deref()).last()
    }
}

/// Reads a journal. A missing file is empty contents.
pub fn read(path: &Path) -> Result<Contents, JournalError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Contents::default()),
        Err(error) => {
            return Err(JournalError::Io {
                path: path.to_owned(),
                error,
            });
        }
    };
    parse(path, &bytes)
}

/// Parses journal bytes (`path` only names the file in messages).
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Contents, JournalError> {
    let mut out = Contents::default();
    let mut offset = 0usize;
    let mut line_no = 0usize;
    while offset < bytes.len() {
        line_no += 1;
        let rest = &bytes[offset..];
        let (line, complete) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], true),
            None => (rest, false),
        };
        let next = offset + line.len() + usize::from(complete);
        let is_last = next >= bytes.len();
        let torn = |out: &mut Contents| out.torn = Some((line_no, line.len()));
        if line_no == 1 {
            let header: Header = match serde_json::from_slice(line) {
                Ok(h) if complete => h,
                Ok(_) | Err(_) if is_last && !complete => {
                    // A crash while the header was written: nothing else is in the file.
                    torn(&mut out);
                    return Ok(out);
                }
                Ok(_) => unreachable!("a complete line was handled above"),
                Err(e) => {
                    return Err(JournalError::NotAJournal {
                        path: path.to_owned(),
                        reason: format!("first line: {e}"),
                    });
                }
            };
            if header.format != JOURNAL_FORMAT {
                return Err(JournalError::NotAJournal {
                    path: path.to_owned(),
                    reason: format!("format is \"{}\"", header.format),
                });
            }
            if header.version > JOURNAL_VERSION {
                return Err(JournalError::TooNew {
                    path: path.to_owned(),
                    found: header.version,
                });
            }
            out.header = Some(header);
        } else {
            match serde_json::from_slice::<Record>(line) {
                Ok(r) if complete => out.records.push(r),
                Ok(_) | Err(_) if is_last => {
                    torn(&mut out);
                    return Ok(out);
                }
                Ok(_) => unreachable!("an incomplete line is always the last"),
                Err(e) => {
                    return Err(JournalError::Damaged {
                        path: path.to_owned(),
                        line: line_no,
                        reason: e.to_string(),
                    });
                }
            }
        }
        offset = next;
        out.whole_len = offset as u64;
    }
    Ok(out)
}

/// An open journal, appending.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
}

impl Journal {
    /// Opens (or creates) the journal for the plan with `fingerprint`: reads what is there,
    /// refuses another plan's journal, truncates a torn last record, and writes the header
    /// to a new file. Returns the journal and what it already held.
    pub fn open(path: &Path, fingerprint: &str) -> Result<(Self, Contents), JournalError> {
        let contents = read(path)?;
        let io = |error| JournalError::Io {
            path: path.to_owned(),
            error,
        };
        if let Some(h) = &contents.header {
            if h.plan != fingerprint {
                return Err(JournalError::OtherPlan {
                    path: path.to_owned(),
                    journal: h.plan.clone(),
                    plan: fingerprint.to_owned(),
                });
            }
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(io)?;
        if contents.torn.is_some() {
            file.set_len(contents.whole_len).map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        let mut journal = Self {
            path: path.to_owned(),
            file,
        };
        if contents.header.is_none() {
            let header = Header {
                format: JOURNAL_FORMAT.into(),
                version: JOURNAL_VERSION,
                plan: fingerprint.to_owned(),
            };
            journal.append_line(&serde_json::to_string(&header).expect("a header serialises"))?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                if let Ok(d) = File::open(dir) {
                    let _ = d.sync_all();
                }
            }
        }
        Ok((journal, contents))
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record and fsyncs it before returning.
    pub fn append(&mut self, record: &Record) -> Result<(), JournalError> {
        self.append_line(&serde_json::to_string(record).expect("a record serialises"))
    }

    fn append_line(&mut self, line: &str) -> Result<(), JournalError> {
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        self.write_synced(&bytes).map_err(|error| JournalError::Io {
            path: self.path.clone(),
            error,
        })
    }

    /// Writes whole lines in one write (O_APPEND keeps them whole against other writers;
    /// a crash can tear only the last) and fsyncs before returning.
    fn write_synced(&mut self, lines: &[u8]) -> std::io::Result<()> {
        self.file.write_all(lines)?;
        self.file.sync_data()
    }

    /// Hands the journal to a writer thread that commits records in groups.
    pub fn group_commit(self) -> GroupCommit {
        GroupCommit::start(self)
    }
}

/// Most records one group commit writes; a bound on the batch buffer, far above any
/// `--concurrency` in use.
const MAX_GROUP: usize = 4096;

struct Pending {
    line: Vec<u8>,
    done: tokio::sync::oneshot::Sender<Result<(), String>>,
}

/// The journal shared by concurrent camera tasks: one writer thread takes every record that
/// queued while the previous fsync ran, writes them in one write and fsyncs once, then wakes
/// each waiting task. A task's record is durable when [`GroupCommit::append`] returns, so a
/// camera's next step still starts only after its last step is on disk; what is shared is
/// the cost of the fsync (one per batch instead of one per record, and no runtime thread
/// blocked in it).
pub struct GroupCommit {
    path: PathBuf,
    queue: Option<std::sync::mpsc::Sender<Pending>>,
    writer: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl GroupCommit {
    fn start(mut journal: Journal) -> Self {
        let path = journal.path.clone();
        let (queue, incoming) = std::sync::mpsc::channel::<Pending>();
        let writer = std::thread::Builder::new()
            .name("camswap-journal".into())
            .spawn(move || {
                let mut batch: Vec<Pending> = Vec::new();
                let mut bytes = Vec::new();
                while let Ok(first) = incoming.recv() {
                    batch.push(first);
                    while batch.len() < MAX_GROUP {
                        match incoming.try_recv() {
                            Ok(p) => batch.push(p),
                            Err(_) => break,
                        }
                    }
                    bytes.clear();
                    for p in &batch {
                        bytes.extend_from_slice(&p.line);
                    }
                    let outcome = journal.write_synced(&bytes).map_err(|e| e.to_string());
                    for p in batch.drain(..) {
                        // A task that stopped waiting (its camera was dropped) needs no answer.
                        let _ = p.done.send(outcome.clone());
                    }
                }
            });
        match writer {
            Ok(writer) => Self {
                path,
                queue: Some(queue),
                writer: Some(writer),
            },
            // No thread: every append reports it, nothing is written unsynced.
            Err(e) => {
                tracing::error!(error = %e, "cannot start the journal writer thread");
                Self {
                    path,
                    queue: None,
                    writer: None,
                }
            }
        }
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record; returns once it is on disk (fsync'd).
    pub async fn append(&self, record: &Record) -> Result<(), JournalError> {
        let mut line = serde_json::to_vec(record).expect("a record serialises");
        line.push(b'\n');
        let failed = |reason: String| JournalError::Io {
            path: self.path.clone(),
            error: std::io::Error::other(reason),
        };
        let (done, wait) = tokio::sync::oneshot::channel();
        self.queue
            .as_ref()
            .ok_or_else(|| failed("the journal writer is not running".into()))?
            .send(Pending { line, done })
            .map_err(|_| failed("the journal writer stopped".into()))?;
        wait.await
            .map_err(|_| failed("the journal writer stopped".into()))?
            .map_err(failed)
    }
}

impl Drop for GroupCommit {
    fn drop(&mut self) {
        // Closing the queue ends the writer after it has committed what was queued.
        drop(self.queue.take());
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(camera: &str, step: usize, status: Status) -> Record {
        Record {
            camera: camera.into(),
            step: Some(step),
            kind: Some("set_dns".into()),
            status,
            at: "2026-12-03T08:00:00Z".into(),
            xaddr: None,
            readback: Some(serde_json::json!({"servers": ["10.0.0.53"]})),
            tokens: BTreeMap::from([("101".to_owned(), "profile_2_h264".to_owned())]),
            detail: None,
            adapted: Vec::new(),
        }
    }

    #[test]
    fn records_survive_reopening_and_each_is_one_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let (mut j, c) = Journal::open(&path, "sha256:aa").unwrap();
        assert!(c.records.is_empty());
        j.append(&record("serial:A", 0, Status::Done)).unwrap();
        j.append(&record("serial:A", 1, Status::Failed)).unwrap();
        drop(j);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3, "header and two records: {text}");
        assert!(text.starts_with(r#"{"format":"camswap.journal","version":1,"plan":"sha256:aa"}"#));
        let (_, c) = Journal::open(&path, "sha256:aa").unwrap();
        assert_eq!(c.records.len(), 2);
        assert!(c.is_done("serial:A", 0));
        assert!(!c.is_done("serial:A", 1), "a failed step is not done");
        assert_eq!(c.tokens("serial:A")["101"], "profile_2_h264");
    }

    #[test]
    fn a_torn_last_record_is_reported_and_cut_off_before_appending() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let (mut j, _) = Journal::open(&path, "sha256:aa").unwrap();
        j.append(&record("serial:A", 0, Status::Done)).unwrap();
        drop(j);
        let whole = std::fs::metadata(&path).unwrap().len();
        // What a crash halfway through the second write leaves.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"camera":"serial:A","step":1,"sta"#)
            .unwrap();
        drop(f);
        let c = read(&path).unwrap();
        assert_eq!(c.records.len(), 1);
        assert_eq!(c.torn, Some((3, 34)));
        let (mut j, c) = Journal::open(&path, "sha256:aa").unwrap();
        assert_eq!(c.torn.map(|t| t.0), Some(3));
        assert_eq!(std::fs::metadata(&path).unwrap().len(), whole);
        j.append(&record("serial:A", 1, Status::Done)).unwrap();
        let c = read(&path).unwrap();
        assert_eq!(c.torn, None);
        assert!(c.is_done("serial:A", 1));
    }

    #[test]
    fn a_complete_but_unreadable_last_line_counts_as_torn_but_one_in_the_middle_is_damage() {
        let p = Path::new("j.jsonl");
        let header = r#"{"format":"camswap.journal","version":1,"plan":"sha256:aa"}"#;
        let good = serde_json::to_string(&record("serial:A", 0, Status::Done)).unwrap();
        let torn = format!("{header}\n{good}\n{{\"camera\"\n");
        assert_eq!(
            parse(p, torn.as_bytes()).unwrap().torn.map(|t| t.0),
            Some(3)
        );
        let damaged = format!("{header}\n{{oops}}\n{good}\n");
        let err = parse(p, damaged.as_bytes()).unwrap_err();
        assert!(
            matches!(err, JournalError::Damaged { line: 2, .. }),
            "{err}"
        );
    }

    #[test]
    fn another_plans_journal_and_newer_versions_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        drop(Journal::open(&path, "sha256:aa").unwrap());
        let err = Journal::open(&path, "sha256:bb").unwrap_err();
        assert!(err.to_string().contains("not sha256:bb"), "{err}");
        let newer =
            r#"{"format":"camswap.journal","version":2,"plan":"sha256:aa"}"#.to_owned() + "\n";
        let err = parse(&path, newer.as_bytes()).unwrap_err();
        assert!(
            matches!(err, JournalError::TooNew { found: 2, .. }),
            "{err}"
        );
        let err = parse(
            &path,
            b"{\"format\":\"camswap.plan\",\"version\":1,\"plan\":\"x\"}\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("not a camswap journal"), "{err}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_appends_are_whole_lines_each_on_disk_when_append_returns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let (j, _) = Journal::open(&path, "sha256:aa").unwrap();
        let j = std::sync::Arc::new(j.group_commit());
        let mut tasks = tokio::task::JoinSet::new();
        for cam in 0..16 {
            let j = std::sync::Arc::clone(&j);
            let path = path.clone();
            tasks.spawn(async move {
                let camera = format!("serial:C{cam}");
                for step in 0..5 {
                    j.append(&record(&camera, step, Status::Done))
                        .await
                        .unwrap();
                    // Durable before the camera's next step starts: a reader sees it now.
                    assert!(
                        read(&path).unwrap().is_done(&camera, step),
                        "{camera} step {step} not in the file when append returned"
                    );
                }
            });
        }
        while let Some(t) = tasks.join_next().await {
            t.unwrap();
        }
        drop(j);
        let c = read(&path).unwrap();
        assert_eq!(c.torn, None);
        assert_eq!(c.records.len(), 16 * 5);
        for cam in 0..16 {
            let steps: Vec<_> = c
                .of(&format!("serial:C{cam}"))
                .map(|r| r.step.unwrap())
                .collect();
            assert_eq!(
                steps,
                vec![0, 1, 2, 3, 4],
                "camera {cam}: in order, each once"
            );
        }
    }
}
