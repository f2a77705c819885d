//! Edge recording carried over (Profile G, DOMAIN.md 3d): recordings with their retention and
//! tracks, then jobs with mode, priority, source profile and schedule. Only onto a model with
//! edge storage; recorded footage itself never moves through these calls.

use std::collections::BTreeSet;

use super::catalog::CatalogModel;
use super::plan::{JobSource, RecordingSetup, Step, TrackValues};
use crate::inventory::DeviceSnapshot;

const PROFILE_SOURCE: &str = "http://www.onvif.org/ver10/schema/Profile";

/// ISO 8601 duration for a number of seconds (`P30D`, `PT36H`, `PT0S`).
fn iso_duration(secs: u64) -> String {
    if secs == 0 {
        "PT0S".into()
    } else if secs % 86_400 == 0 {
        format!("P{}D", secs / 86_400)
    } else if secs % 3600 == 0 {
        format!("PT{}H", secs / 3600)
    } else {
        format!("PT{secs}S")
    }
}

/// Recording steps; `profiles` are the keys of profiles the plan creates.
pub fn recording_steps(
    s: &DeviceSnapshot,
    model: &CatalogModel,
    profiles: &BTreeSet<String>,
    steps: &mut Vec<Step>,
    warnings: &mut Vec<String>,
) {
    let Some(rec) = &s.recording else { return };
    if rec.recordings.is_empty() && rec.jobs.is_empty() {
        return;
    }
    if !model.edge_storage {
        warnings.push(format!(
            "{} recordings and {} recording jobs not carried: {} has no edge storage",
            rec.recordings.len(),
            rec.jobs.len(),
            model.name()
        ));
        return;
    }
    let mut longest: Option<String> = None;
    let old_fixed = !rec.capabilities.dynamic_recordings;
    let setup = match model.dynamic_recordings {
        Some(true) => RecordingSetup::Create,
        Some(false) => RecordingSetup::AdoptFixed,
        None => RecordingSetup::CreateOrAdopt,
    };
    let fixed_slots = rec.recordings.len();
    if setup == RecordingSetup::AdoptFixed && fixed_slots > 1 {
        warnings.push(format!(
            "{fixed_slots} recordings on the old camera, but {} has fixed recordings only: apply adopts one per channel; check that every one has a place",
            model.name()
        ));
    }
    for r in &rec.recordings {
        let mut notes = Vec::new();
        if old_fixed {
            notes.push(
                "fixed on the old camera (no dynamic recordings): its settings are carried, not its existence".into(),
            );
        }
        notes.push(match setup {
            RecordingSetup::Create => format!("{} creates recordings (catalogue)", model.name()),
            RecordingSetup::AdoptFixed => format!(
                "{} has fixed recordings (catalogue): apply adopts its recording and sets retention and tracks where it can",
                model.name()
            ),
            RecordingSetup::CreateOrAdopt => format!(
                "whether {} creates recordings is not in the catalogue: apply reads its recording capabilities and creates one only when it can, else adopts its fixed recording",
                model.name()
            ),
        });
        let max_retention = match (&r.max_retention, r.max_retention_s) {
            (Some(text), _) if !text.trim().is_empty() => text.trim().to_owned(),
            (_, Some(secs)) => iso_duration(secs),
            _ => "PT0S".into(),
        };
        if max_retention != "PT0S" {
            longest = Some(max_retention.clone());
        }
        steps.push(Step::CreateRecording {
            key: r.token.clone(),
            source: r.source.clone(),
            content: r.content.clone(),
            max_retention,
            tracks: r
                .tracks
                .iter()
                .map(|t| TrackValues {
                    key: t.token.clone(),
                    kind: t.kind.clone(),
                    description: t.description.clone(),
                })
                .collect(),
            setup,
            notes,
        });
    }
    let recordings: BTreeSet<&str> = rec.recordings.iter().map(|r| r.token.as_str()).collect();
    for j in &rec.jobs {
        let mut notes = Vec::new();
        if !recordings.contains(j.recording_token.as_str()) {
            warnings.push(format!(
                "recording job {} writes to recording {}, which the inventory did not list; not carried",
                j.token, j.recording_token
            ));
            continue;
        }
        if j.schedule_token.is_none() {
            notes.push(
                "whether it records continuously or on events (motion, alarm inputs) is vendor configuration ONVIF does not expose: check the new camera's recording triggers on site".into(),
            );
            warnings.push(format!(
                "recording job {}: its triggers (continuous, motion, alarm) cannot be read through ONVIF; set them on site",
                j.token
            ));
        }
        if let Some(sched) = &j.schedule_token {
            notes.push(format!(
                "schedule {sched}: schedules are not read by the inventory; re-create it on the new camera (the job refers to it by token)"
            ));
            warnings.push(format!(
                "recording job {} follows schedule {sched}, which must be re-created by hand",
                j.token
            ));
        }
        let mut sources = Vec::new();
        for src in &j.sources {
            let is_profile = src
                .source_type
                .as_deref()
                .is_none_or(|t| t == PROFILE_SOURCE);
            let profile = src.source_token.clone().filter(|_| is_profile);
            if let Some(p) = &profile {
                if !profiles.contains(p) {
                    warnings.push(format!(
                        "recording job {} records profile {p}, which has no video encoder to carry; check the job on site",
                        j.token
                    ));
                }
            } else if !is_profile {
                notes.push(
                    "the source is a receiver (another device's stream): carried as written".into(),
                );
            }
            sources.push(JobSource {
                profile,
                source_type: src.source_type.clone(),
                tracks: src.tracks.clone(),
            });
        }
        steps.push(Step::CreateRecordingJob {
            key: j.token.clone(),
            recording: j.recording_token.clone(),
            mode: j.mode.clone(),
            priority: j.priority,
            schedule_token: j.schedule_token.clone(),
            sources,
            notes,
        });
    }
    warnings.push(format!(
        "recorded footage stays on the old camera: export it (search and replay) or keep the old unit until the retention period ({}) has passed",
        longest.as_deref().unwrap_or("unlimited")
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_in_the_largest_whole_unit() {
        assert_eq!(iso_duration(30 * 86_400), "P30D");
        assert_eq!(iso_duration(36 * 3600), "PT36H");
        assert_eq!(iso_duration(90), "PT90S");
        assert_eq!(iso_duration(0), "PT0S");
    }

    /// Issue 13 item 6: the Hikvision persona (mock-devices/personas/hikvision-ds2cd2143g2.toml)
    /// has fixed recordings only; the plan said "create recording" for every camera.
    #[test]
    fn fixed_recordings_are_adopted_and_created_only_when_the_model_can() {
        use crate::model::{
            Recording, RecordingCapabilities, RecordingItem, RecordingJob, RecordingJobSource,
        };
        use crate::planner::catalog::Catalog;
        let s = DeviceSnapshot {
            recording: Some(Recording {
                capabilities: RecordingCapabilities {
                    dynamic_recordings: false,
                    ..Default::default()
                },
                recordings: vec![RecordingItem {
                    token: "Recording_101".into(),
                    max_retention: Some("P30D".into()),
                    ..Default::default()
                }],
                jobs: vec![RecordingJob {
                    token: "RecordingJob_101".into(),
                    recording_token: "Recording_101".into(),
                    mode: "Active".into(),
                    priority: 1,
                    sources: vec![RecordingJobSource {
                        source_token: Some("Profile_1".into()),
                        ..Default::default()
                    }],
                    ..Default::default()
                }],
            }),
            ..Default::default()
        };
        let c = Catalog::example();
        let mut m = c.models[c.find("Axis P3265-LVE", None).unwrap()].clone();
        let profiles: BTreeSet<String> = ["Profile_1".to_owned()].into();
        let run = |m: &CatalogModel| {
            let (mut steps, mut warnings) = (Vec::new(), Vec::new());
            recording_steps(&s, m, &profiles, &mut steps, &mut warnings);
            (steps, warnings)
        };
        for (known, want) in [
            (Some(false), RecordingSetup::AdoptFixed),
            (Some(true), RecordingSetup::Create),
            (None, RecordingSetup::CreateOrAdopt),
        ] {
            m.dynamic_recordings = known;
            let (steps, warnings) = run(&m);
            match &steps[0] {
                Step::CreateRecording { setup, notes, .. } => {
                    assert_eq!(*setup, want);
                    assert!(notes.iter().any(|n| n.contains("fixed on the old camera")));
                }
                other => panic!("{other:?}"),
            }
            // The job keeps its mode and source, and says what it cannot read.
            match &steps[1] {
                Step::CreateRecordingJob {
                    mode,
                    priority,
                    sources,
                    notes,
                    ..
                } => {
                    assert_eq!((mode.as_str(), *priority), ("Active", 1));
                    assert_eq!(sources[0].profile.as_deref(), Some("Profile_1"));
                    assert!(notes.iter().any(|n| n.contains("motion, alarm inputs")));
                }
                other => panic!("{other:?}"),
            }
            assert!(
                warnings
                    .iter()
                    .any(|w| w.contains("RecordingJob_101: its triggers"))
            );
        }
    }
}
