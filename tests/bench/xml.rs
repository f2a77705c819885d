//! Reading SOAP answers: `cargo bench --bench xml`.
//!
//! For every real GetProfiles (Media) and GetPresets (PTZ) capture of 15 KB or more in
//! `../shared/captures` (`CAMSWAP_CAPTURES` to point elsewhere), measures in the same run:
//!
//! - raw: quick-xml's tokenizer alone (`Reader::read_event` over the bytes, nothing kept), the
//!   ceiling any tree built on it can approach;
//! - read: what camswap does with an answer, `soap::envelope::read` (the namespace-aware tree)
//!   and the typed parse (`media::GetProfiles`, `ptz::parse_get_presets`).
//!
//! The tree alone (`envelope::read` without the typed parse) is shown between the two, to see
//! where the time goes. Times are the thread's CPU time (the machine is shared: wall time
//! would count other processes), the best of several rounds in which the three take turns,
//! and the ratio raw/read is what to quote. The last line is the total over all files (bytes
//! over the sum of best times).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use camswap::onvif::media::GetProfiles;
use camswap::onvif::operation::Operation;
use camswap::onvif::ptz;
use camswap::soap::envelope::{self, Reply};
use quick_xml::Reader;
use quick_xml::events::Event;

const MIN_SIZE: u64 = 15_000;
const ROUNDS: usize = 15;
const ROUND_TIME: Duration = Duration::from_millis(30);

#[derive(Clone, Copy)]
enum Kind {
    Profiles,
    Presets,
}

fn raw(bytes: &[u8]) -> usize {
    let text = std::str::from_utf8(bytes).expect("captures are UTF-8");
    let mut reader = Reader::from_str(text);
    let mut events = 0usize;
    loop {
        match reader.read_event().expect("captures are well-formed") {
            Event::Eof => break,
            e => {
                black_box(&e);
                events += 1;
            }
        }
    }
    events
}

/// The tree alone, for the split between building it and the typed parse.
fn tree(bytes: &[u8]) -> usize {
    match envelope::read(bytes).expect("captures are SOAP") {
        Reply::Payload(p) => p.children.len(),
        _ => panic!("capture is not a payload"),
    }
}

fn read(bytes: &[u8], kind: Kind) -> usize {
    let Reply::Payload(payload) = envelope::read(bytes).expect("captures are SOAP") else {
        panic!("capture is not a payload")
    };
    match kind {
        Kind::Profiles => GetProfiles.parse(&payload).expect("parses").len(),
        Kind::Presets => ptz::GetPresets {
            profile: "P".into(),
        }
        .parse(&payload)
        .expect("parses")
        .len(),
    }
}

/// CPU time this thread has used.
fn cpu() -> Duration {
    let t = nix::time::clock_gettime(nix::time::ClockId::CLOCK_THREAD_CPUTIME_ID)
        .expect("thread CPU clock");
    Duration::new(t.tv_sec() as u64, t.tv_nsec() as u32)
}

/// Best CPU time per call of each of `fs`, over `ROUNDS` rounds of about `ROUND_TIME` each in
/// which they take turns (so a busy spell on the machine hits all of them alike).
fn best(fs: &mut [&mut dyn FnMut() -> usize]) -> Vec<Duration> {
    let iters: Vec<u32> = fs
        .iter_mut()
        .map(|f| {
            let started = cpu();
            black_box(f());
            let once = (cpu() - started).max(Duration::from_micros(1));
            (ROUND_TIME.as_nanos() / once.as_nanos()).clamp(1, 100_000) as u32
        })
        .collect();
    let mut best = vec![Duration::MAX; fs.len()];
    for _ in 0..ROUNDS {
        for (i, f) in fs.iter_mut().enumerate() {
            let started = cpu();
            for _ in 0..iters[i] {
                black_box(f());
            }
            best[i] = best[i].min((cpu() - started) / iters[i]);
        }
    }
    best
}

fn mb_s(bytes: usize, t: Duration) -> f64 {
    bytes as f64 / t.as_secs_f64() / 1e6
}

fn captures(root: &Path) -> Vec<(PathBuf, Kind)> {
    let mut out = Vec::new();
    for vendor in std::fs::read_dir(root).expect("captures folder").flatten() {
        let Ok(files) = std::fs::read_dir(vendor.path()) else {
            continue;
        };
        for f in files.flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            let kind = if name.starts_with("GetProfiles-") && !name.ends_with("-tr2.xml") {
                Kind::Profiles
            } else if name.starts_with("GetPresets-") {
                Kind::Presets
            } else {
                continue;
            };
            if f.metadata().map(|m| m.len()).unwrap_or(0) >= MIN_SIZE {
                out.push((f.path(), kind));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn main() {
    let root = std::env::var_os("CAMSWAP_CAPTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures"));
    let files = captures(&root);
    assert!(!files.is_empty(), "no captures under {}", root.display());
    println!(
        "{:<52} {:>8} {:>10} {:>10} {:>10} {:>6}",
        "capture", "bytes", "raw MB/s", "tree MB/s", "read MB/s", "ratio"
    );
    let (mut bytes_total, mut raw_total, mut tree_total, mut read_total) =
        (0usize, Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut worst = f64::MAX;
    for (path, kind) in &files {
        let bytes = std::fs::read(path).expect("capture readable");
        let times = best(&mut [&mut || raw(&bytes), &mut || tree(&bytes), &mut || {
            read(&bytes, *kind)
        }]);
        let (t_raw, t_tree, t_read) = (times[0], times[1], times[2]);
        let ratio = t_raw.as_secs_f64() / t_read.as_secs_f64();
        worst = worst.min(ratio);
        bytes_total += bytes.len();
        raw_total += t_raw;
        tree_total += t_tree;
        read_total += t_read;
        let shown = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        println!(
            "{:<52} {:>8} {:>10.0} {:>10.0} {:>10.0} {:>5.1}%",
            shown,
            bytes.len(),
            mb_s(bytes.len(), t_raw),
            mb_s(bytes.len(), t_tree),
            mb_s(bytes.len(), t_read),
            100.0 * ratio
        );
    }
    println!(
        "{:<52} {:>8} {:>10.0} {:>10.0} {:>10.0} {:>5.1}%  (worst file {:.1}%)",
        format!("total, {} files", files.len()),
        bytes_total,
        mb_s(bytes_total, raw_total),
        mb_s(bytes_total, tree_total),
        mb_s(bytes_total, read_total),
        100.0 * raw_total.as_secs_f64() / read_total.as_secs_f64(),
        100.0 * worst
    );
}
