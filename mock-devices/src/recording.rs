//! Edge recording (Profile G): the persona's `[recording]` section and a device's recordings,
//! tracks and recording jobs, with the `tt:` writers the recording service answers with.

use serde::Deserialize;

use crate::wire::parse_duration;
use crate::xml::Writer;

/// `SourceReference/@Type` of a media profile source.
pub const PROFILE_SOURCE: &str = "http://www.onvif.org/ver10/schema/Profile";
/// `SourceReference/@Type` of a receiver source.
pub const RECEIVER_SOURCE: &str = "http://www.onvif.org/ver10/schema/Receiver";

/// A track of a recording.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Track {
    /// Token (`VIDEO001`).
    pub token: String,
    /// `Video`, `Audio`, `Metadata` or `Extended`.
    pub kind: String,
    /// Description.
    #[serde(default)]
    pub description: String,
}

fn default_tracks() -> Vec<Track> {
    [
        ("VIDEO001", "Video"),
        ("AUDIO001", "Audio"),
        ("META001", "Metadata"),
    ]
    .into_iter()
    .map(|(token, kind)| Track {
        token: token.into(),
        kind: kind.into(),
        description: String::new(),
    })
    .collect()
}

/// A recording: persona value and device state alike.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recording {
    /// Token.
    pub token: String,
    /// `Source/SourceId` (a URI, often empty).
    #[serde(default)]
    pub source_id: String,
    /// `Source/Name`.
    #[serde(default)]
    pub name: String,
    /// `Source/Location`.
    #[serde(default)]
    pub location: String,
    /// `Source/Description`.
    #[serde(default)]
    pub description: String,
    /// `Source/Address` (a URI, often empty).
    #[serde(default)]
    pub address: String,
    /// `Content`.
    #[serde(default)]
    pub content: String,
    /// `MaximumRetentionTime` (`P30D`; `PT0S` means as long as space lasts).
    pub retention: String,
    /// Tracks (default: VIDEO001, AUDIO001, META001, as Axis creates them).
    #[serde(default = "default_tracks")]
    pub tracks: Vec<Track>,
}

/// A recording job's source on the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSource {
    /// `SourceToken/Token` (a media profile here).
    pub token: String,
    /// `SourceToken/@Type`.
    pub kind: String,
    /// `AutoCreateReceiver`.
    pub auto_create_receiver: bool,
    /// (`SourceTag`, `Destination` track token).
    pub tracks: Vec<(String, String)>,
}

/// A recording job on the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Token.
    pub token: String,
    /// The recording it records into.
    pub recording: String,
    /// `Idle` or `Active`.
    pub mode: String,
    /// Priority (higher wins).
    pub priority: i64,
    /// `@ScheduleToken`.
    pub schedule: Option<String>,
    /// Sources.
    pub sources: Vec<JobSource>,
}

/// A recording job as the persona writes it: one media profile source, every track of the
/// recording fed from it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSpec {
    /// Token.
    pub token: String,
    /// Recording token.
    pub recording: String,
    /// `Idle` or `Active`.
    pub mode: String,
    /// Priority.
    #[serde(default = "default_priority")]
    pub priority: i64,
    /// Source media profile token.
    pub source: String,
}

fn default_priority() -> i64 {
    1
}

/// What a factory reset leaves.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordingFactory {
    /// Recordings as shipped (default: the configured ones, e.g. fixed recordings).
    #[serde(default)]
    pub recordings: Option<Vec<Recording>>,
    /// Jobs as shipped.
    #[serde(default)]
    pub jobs: Vec<JobSpec>,
}

/// The persona's `[recording]` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordingSpec {
    /// Token of a recording made by CreateRecording; `{n}` counts up.
    pub new_recording_token: String,
    /// Token of a job made by CreateRecordingJob; `{n}` counts up.
    pub new_job_token: String,
    /// Most tracks a recording holds (`ter:MaxTracks` beyond).
    #[serde(default = "default_max_tracks")]
    pub max_tracks: usize,
    /// Recordings in the configured state.
    #[serde(default)]
    pub recordings: Vec<Recording>,
    /// Jobs in the configured state.
    #[serde(default)]
    pub jobs: Vec<JobSpec>,
    /// Factory-default state.
    #[serde(default)]
    pub factory: RecordingFactory,
}

fn default_max_tracks() -> usize {
    4
}

/// A device's recording state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingState {
    /// Recordings.
    pub recordings: Vec<Recording>,
    /// Recording jobs.
    pub jobs: Vec<Job>,
}

/// The job a persona job stands for: its profile feeds every track of its recording.
pub fn job_from_spec(spec: &JobSpec, recordings: &[Recording]) -> Job {
    let tracks = recordings
        .iter()
        .find(|r| r.token == spec.recording)
        .map(default_job_tracks)
        .unwrap_or_default();
    Job {
        token: spec.token.clone(),
        recording: spec.recording.clone(),
        mode: spec.mode.clone(),
        priority: spec.priority,
        schedule: None,
        sources: vec![JobSource {
            token: spec.source.clone(),
            kind: PROFILE_SOURCE.into(),
            auto_create_receiver: false,
            tracks,
        }],
    }
}

/// `tag0`, `tag1`... onto each video, audio and metadata track, as Axis fills them in
/// (`captures/axis/GetRecordingJobs-exonvif.xml`).
pub fn default_job_tracks(r: &Recording) -> Vec<(String, String)> {
    r.tracks
        .iter()
        .filter(|t| t.kind != "Extended")
        .enumerate()
        .map(|(i, t)| (format!("tag{i}"), t.token.clone()))
        .collect()
}

impl RecordingSpec {
    /// The state a device starts in.
    pub fn initial_state(&self, factory: bool) -> RecordingState {
        let recordings = if factory {
            self.factory
                .recordings
                .clone()
                .unwrap_or_else(|| self.recordings.clone())
        } else {
            self.recordings.clone()
        };
        let jobs = if factory {
            &self.factory.jobs
        } else {
            &self.jobs
        };
        let jobs = jobs.iter().map(|j| job_from_spec(j, &recordings)).collect();
        RecordingState { recordings, jobs }
    }

    /// Check the section against the media profiles; `Err((field, message))`.
    pub(crate) fn validate(&self, profiles: &[String]) -> Result<(), (String, String)> {
        let bad = |field: &str, msg: String| Err((format!("recording.{field}"), msg));
        for t in [&self.new_recording_token, &self.new_job_token] {
            if !t.contains("{n}") {
                return bad("new_*_token", format!("`{t}` needs {{n}}"));
            }
        }
        let sets = [
            ("recordings", &self.recordings, &self.jobs),
            (
                "factory",
                self.factory.recordings.as_ref().unwrap_or(&self.recordings),
                &self.factory.jobs,
            ),
        ];
        for (field, recordings, jobs) in sets {
            for (i, r) in recordings.iter().enumerate() {
                if recordings[..i].iter().any(|q| q.token == r.token) {
                    return bad(field, format!("recording {} twice", r.token));
                }
                if parse_duration(&r.retention).is_none() {
                    return bad(
                        field,
                        format!("{}: `{}` is not a duration", r.token, r.retention),
                    );
                }
                for t in &r.tracks {
                    if !matches!(t.kind.as_str(), "Video" | "Audio" | "Metadata" | "Extended") {
                        return bad(field, format!("{}: track kind `{}`", r.token, t.kind));
                    }
                }
            }
            for (i, j) in jobs.iter().enumerate() {
                if jobs[..i].iter().any(|q| q.token == j.token) {
                    return bad(field, format!("job {} twice", j.token));
                }
                if !recordings.iter().any(|r| r.token == j.recording) {
                    return bad(
                        field,
                        format!("job {}: no recording {}", j.token, j.recording),
                    );
                }
                if !profiles.contains(&j.source) {
                    return bad(field, format!("job {}: no profile {}", j.token, j.source));
                }
                if !matches!(j.mode.as_str(), "Idle" | "Active") || j.priority < 0 {
                    return bad(
                        field,
                        format!("job {}: mode Idle/Active, priority >= 0", j.token),
                    );
                }
            }
        }
        Ok(())
    }
}

impl RecordingState {
    /// A token from `template` with the first number nobody uses.
    pub fn new_token(template: &str, taken: impl Fn(&str) -> bool) -> String {
        (1usize..)
            .map(|n| template.replace("{n}", &n.to_string()))
            .find(|t| !taken(t))
            .unwrap_or_default()
    }
}

/// `tt:RecordingConfiguration` content under `name`.
pub fn write_configuration(w: &mut Writer, name: &str, r: &Recording) {
    w.open(name, &[])
        .open("tt:Source", &[])
        .leaf("tt:SourceId", &r.source_id)
        .leaf("tt:Name", &r.name)
        .leaf("tt:Location", &r.location)
        .leaf("tt:Description", &r.description)
        .leaf("tt:Address", &r.address)
        .close("tt:Source")
        .leaf("tt:Content", &r.content)
        .leaf("tt:MaximumRetentionTime", &r.retention)
        .close(name);
}

/// `tt:TrackConfiguration` content under `name`.
pub fn write_track_configuration(w: &mut Writer, name: &str, t: &Track) {
    w.open(name, &[])
        .leaf("tt:TrackType", &t.kind)
        .leaf("tt:Description", &t.description)
        .close(name);
}

/// `tt:RecordingJobConfiguration` content under `name`.
pub fn write_job_configuration(w: &mut Writer, name: &str, j: &Job) {
    let mut attrs = Vec::new();
    if let Some(s) = &j.schedule {
        attrs.push(("ScheduleToken", s.as_str()));
    }
    w.open(name, &attrs)
        .leaf("tt:RecordingToken", &j.recording)
        .leaf("tt:Mode", &j.mode)
        .leaf("tt:Priority", j.priority);
    for s in &j.sources {
        w.open("tt:Source", &[])
            .open("tt:SourceToken", &[("Type", &s.kind)])
            .leaf("tt:Token", &s.token)
            .close("tt:SourceToken")
            .leaf("tt:AutoCreateReceiver", s.auto_create_receiver);
        for (tag, destination) in &s.tracks {
            w.open("tt:Tracks", &[])
                .leaf("tt:SourceTag", tag)
                .leaf("tt:Destination", destination)
                .close("tt:Tracks");
        }
        w.close("tt:Source");
    }
    w.close(name);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_tokens_take_the_first_free_number() {
        let taken = ["Rec1", "Rec2", "Rec4"];
        assert_eq!(
            RecordingState::new_token("Rec{n}", |t| taken.contains(&t)),
            "Rec3"
        );
    }

    #[test]
    fn persona_jobs_feed_every_track_of_their_recording() {
        let r = Recording {
            token: "R".into(),
            source_id: String::new(),
            name: String::new(),
            location: String::new(),
            description: String::new(),
            address: String::new(),
            content: String::new(),
            retention: "P30D".into(),
            tracks: default_tracks(),
        };
        let j = job_from_spec(
            &JobSpec {
                token: "J".into(),
                recording: "R".into(),
                mode: "Active".into(),
                priority: 1,
                source: "Profile_1".into(),
            },
            &[r],
        );
        assert_eq!(
            j.sources[0].tracks,
            [
                ("tag0".to_string(), "VIDEO001".to_string()),
                ("tag1".into(), "AUDIO001".into()),
                ("tag2".into(), "META001".into())
            ]
        );
    }
}
