//! Recording service state (Profile G): recordings, tracks, jobs and options.

use serde::{Deserialize, Serialize};

/// Recording service state (Profile G).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Recording {
    /// Service capabilities.
    #[serde(default)]
    pub capabilities: RecordingCapabilities,
    /// Recordings with their tracks.
    #[serde(default)]
    pub recordings: Vec<RecordingItem>,
    /// Recording jobs.
    #[serde(default)]
    pub jobs: Vec<RecordingJob>,
}

/// Recording service capabilities.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RecordingCapabilities {
    /// CreateRecording/DeleteRecording exist.
    #[serde(default)]
    pub dynamic_recordings: bool,
    /// CreateTrack/DeleteTrack exist.
    #[serde(default)]
    pub dynamic_tracks: bool,
    /// Encodings the recorder accepts.
    #[serde(default)]
    pub encodings: Vec<String>,
    /// Maximum recordings.
    #[serde(default)]
    pub max_recordings: Option<u32>,
    /// Maximum recording jobs.
    #[serde(default)]
    pub max_recording_jobs: Option<u32>,
    /// Maximum rate (kbit/s).
    #[serde(default)]
    pub max_rate: Option<f64>,
    /// Maximum total rate (kbit/s).
    #[serde(default)]
    pub max_total_rate: Option<f64>,
    /// GetRecordingOptions supported.
    #[serde(default)]
    pub options: bool,
}

/// One recording and its tracks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RecordingItem {
    /// Recording token.
    pub token: String,
    /// Source description.
    #[serde(default)]
    pub source: RecordingSource,
    /// Content description.
    #[serde(default)]
    pub content: String,
    /// Maximum retention time as the device wrote it (`PT72H`, `P30D`, `PT0S` = unlimited).
    #[serde(default)]
    pub max_retention: Option<String>,
    /// The same in seconds, when it parsed.
    #[serde(default)]
    pub max_retention_s: Option<u64>,
    /// Tracks.
    #[serde(default)]
    pub tracks: Vec<Track>,
    /// Spare jobs and tracks (GetRecordingOptions).
    #[serde(default)]
    pub options: Option<RecordingOptions>,
}

/// Descriptive source of a recording.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RecordingSource {
    /// Source id.
    #[serde(default)]
    pub source_id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Location.
    #[serde(default)]
    pub location: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Address.
    #[serde(default)]
    pub address: String,
}

/// A track.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Track {
    /// Track token.
    pub token: String,
    /// `Video`, `Audio`, `Metadata` or `Extended`.
    pub kind: String,
    /// Description.
    #[serde(default)]
    pub description: String,
}

/// GetRecordingOptions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RecordingOptions {
    /// Spare jobs.
    #[serde(default)]
    pub job_spare: Option<u32>,
    /// Compatible sources (profile tokens).
    #[serde(default)]
    pub compatible_sources: Vec<String>,
    /// Spare tracks in total.
    #[serde(default)]
    pub track_spare_total: Option<u32>,
}

/// A recording job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RecordingJob {
    /// Job token.
    pub token: String,
    /// The recording it writes to.
    pub recording_token: String,
    /// `Idle` or `Active`.
    pub mode: String,
    /// Priority (higher wins).
    #[serde(default)]
    pub priority: u32,
    /// Schedule token, when the job follows a schedule.
    #[serde(default)]
    pub schedule_token: Option<String>,
    /// Sources.
    #[serde(default)]
    pub sources: Vec<RecordingJobSource>,
}

/// A recording job's source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RecordingJobSource {
    /// Source token (a media profile token for local sources).
    #[serde(default)]
    pub source_token: Option<String>,
    /// Source type URI (`http://www.onvif.org/ver10/schema/Profile` or `.../Receiver`).
    #[serde(default)]
    pub source_type: Option<String>,
    /// Auto-create a receiver.
    #[serde(default)]
    pub auto_create_receiver: Option<bool>,
    /// Track mappings `(source tag, destination track token)`.
    #[serde(default)]
    pub tracks: Vec<(String, String)>,
}
