//! Recording control ver10 (`trc:`) operations (Profile G): capabilities, recordings with
//! their tracks and retention, recording jobs, and the calls apply uses to recreate them on
//! the new camera.
//!
//! Retention times are kept as the device wrote them and in seconds ([`parse_duration_s`]);
//! a duration we cannot read keeps its text and has no seconds, rather than failing the whole
//! list.

use std::fmt::Write as _;

use super::operation::{Cursor, Operation, operations, push_bool, push_text};
use super::{
    ParseError, RequestError, format_duration_s, parse_bool, parse_duration_s, parse_f64, parse_u32,
};
use crate::model::{
    RecordingCapabilities, RecordingItem, RecordingJob, RecordingJobSource, RecordingOptions,
    RecordingSource, Track,
};
use crate::soap::xml::escape;

/// Service name in the operation table.
pub const SERVICE: &str = "recording";

/// The track types the schema allows (`tt:TrackType`).
pub const TRACK_TYPES: [&str; 4] = ["Video", "Audio", "Metadata", "Extended"];
/// The job modes the spec defines.
pub const JOB_MODES: [&str; 2] = ["Idle", "Active"];

/// A recording's configuration (GetRecordingConfiguration).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordingConfiguration {
    /// Descriptive source.
    pub source: RecordingSource,
    /// Content description.
    pub content: String,
    /// Maximum retention time as written (`PT72H`).
    pub max_retention: Option<String>,
    /// The same in seconds, when it parsed (0: unlimited).
    pub max_retention_s: Option<u64>,
}

/// A track's configuration (GetTrackConfiguration).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrackConfiguration {
    /// `Video`, `Audio`, `Metadata` or `Extended`.
    pub kind: String,
    /// Description.
    pub description: String,
}

operations! { SERVICE;
    /// GetServiceCapabilities.
    GetServiceCapabilities -> RecordingCapabilities => |r| {
        let c = r.child("Capabilities")?;
        let flag = |name| Ok::<_, ParseError>(c.opt_attr_parse(name, parse_bool)?.unwrap_or(false));
        Ok(RecordingCapabilities {
            dynamic_recordings: flag("DynamicRecordings")?,
            dynamic_tracks: flag("DynamicTracks")?,
            encodings: c.opt_attr("Encoding").unwrap_or_default().split_whitespace().map(str::to_owned).collect(),
            // MaxRecordings is an xs:float in the schema; devices write `1.000000`.
            max_recordings: c.opt_attr_parse("MaxRecordings", parse_u32)?,
            max_recording_jobs: c.opt_attr_parse("MaxRecordingJobs", parse_u32)?,
            max_rate: c.opt_attr_parse("MaxRate", parse_f64)?,
            max_total_rate: c.opt_attr_parse("MaxTotalRate", parse_f64)?,
            options: flag("Options")?,
        })
    };
    /// GetRecordings: recordings with their configuration and tracks.
    GetRecordings -> Vec<RecordingItem> => |r| r.each("RecordingItem", recording_item);
    /// GetRecordingConfiguration of one recording.
    GetRecordingConfiguration {
        recording: String = "trc:RecordingToken"
    } -> RecordingConfiguration => |r| Ok(recording_configuration(r.child("RecordingConfiguration")?));
    /// GetTrackConfiguration of one track.
    GetTrackConfiguration {
        recording: String = "trc:RecordingToken",
        track: String = "trc:TrackToken"
    } -> TrackConfiguration => |r| {
        let c = r.child("TrackConfiguration")?;
        Ok(TrackConfiguration { kind: c.str("TrackType")?.to_owned(), description: c.string_or_empty("Description") })
    };
    /// GetRecordingJobs.
    GetRecordingJobs -> Vec<RecordingJob> => |r| r.each("JobItem", job_item);
    /// GetRecordingOptions of one recording (spare jobs and tracks).
    GetRecordingOptions { recording: String = "trc:RecordingToken" } -> RecordingOptions => |r| {
        let o = r.child("Options")?;
        let (job, track) = (o.opt_child("Job"), o.opt_child("Track"));
        Ok(RecordingOptions {
            job_spare: job.map_or(Ok(None), |j| j.opt_attr_parse("Spare", parse_u32))?,
            compatible_sources: job
                .and_then(|j| j.opt_attr("CompatibleSources"))
                .map(|s| s.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            track_spare_total: track.map_or(Ok(None), |t| t.opt_attr_parse("SpareTotal", parse_u32))?,
        })
    };
    /// DeleteRecordingJob.
    DeleteRecordingJob { job: String = "trc:JobToken" } -> () => |r| Ok(());
    /// GetRecordingJobConfiguration of one job. The response does not repeat the job token;
    /// the job gets the one asked about.
    GetRecordingJobConfiguration [Debug, Clone, Default, PartialEq, Eq] {
        job: String = "trc:JobToken"
    } -> RecordingJob => |r, op| job_configuration(r.child("JobConfiguration")?, &op.job);
    /// CreateRecording with its descriptive source, content and retention (0: keep until space
    /// runs out). Only possible where the capabilities say `DynamicRecordings`. Answers the
    /// new recording's token.
    CreateRecording [Debug, Clone, Default, PartialEq, Eq] {
        /// Descriptive source.
        source: RecordingSource,
        /// Content description.
        content: String,
        /// Maximum retention time in seconds.
        max_retention_s: u64
    } write |op, x| {
        write_configuration(x, &op.source, &op.content, op.max_retention_s);
        Ok(())
    } -> String => |r| r.str("RecordingToken").map(str::to_owned);
    /// SetRecordingConfiguration: replace a recording's source, content and retention.
    SetRecordingConfiguration [Debug, Clone, Default, PartialEq, Eq] {
        recording: String = "trc:RecordingToken",
        /// Descriptive source.
        source: RecordingSource,
        /// Content description.
        content: String,
        /// Maximum retention time in seconds.
        max_retention_s: u64
    } write |op, x| {
        write_configuration(x, &op.source, &op.content, op.max_retention_s);
        Ok(())
    } -> () => |_r| Ok(());
    /// CreateTrack of `track.kind` in a recording (the device picks the token, and answers it).
    CreateTrack [Debug, Clone, Default, PartialEq, Eq] {
        recording: String = "trc:RecordingToken",
        /// The track (its token is ignored).
        track: Track
    } write |op, x| {
        let field = "TrackConfiguration/TrackType";
        let reason = "Video, Audio, Metadata or Extended";
        let kind = Self::one_of(&op.track.kind, &TRACK_TYPES, field, reason)?;
        x.push_str("<trc:TrackConfiguration>");
        push_text(x, "tt:TrackType", kind);
        push_text(x, "tt:Description", &op.track.description);
        x.push_str("</trc:TrackConfiguration>");
        Ok(())
    } -> String => |r| r.str("TrackToken").map(str::to_owned);
    /// CreateRecordingJob from a job as the inventory holds it (its token is ignored: the
    /// device assigns one). Answers the new job as the device adjusted it.
    CreateRecordingJob {
        /// The job.
        job: RecordingJob
    } write |op, x| {
        write_job::<Self>(x, &op.job)
    } -> RecordingJob => |r| job_item(r);
    /// SetRecordingJobConfiguration: replace a job's configuration (recording, mode, priority,
    /// sources). Answers the job as the device adjusted it.
    SetRecordingJobConfiguration {
        /// The job, by its token, with the new configuration.
        job: RecordingJob
    } write |op, x| {
        if op.job.token.trim().is_empty() {
            return Err(Self::missing("JobToken"));
        }
        push_text(x, "trc:JobToken", &op.job.token);
        write_job::<Self>(x, &op.job)
    } -> RecordingJob => |r, op| job_configuration(r.child("JobConfiguration")?, &op.job.token);
    /// SetRecordingJobMode: `Idle` or `Active`.
    SetRecordingJobMode [Debug, Clone, Default, PartialEq, Eq] {
        job: String = "trc:JobToken",
        /// The mode.
        mode: String
    } write |op, x| {
        let mode = Self::one_of(&op.mode, &JOB_MODES, "Mode", "Idle or Active")?;
        push_text(x, "trc:Mode", mode);
        Ok(())
    } -> () => |_r| Ok(());
}

/// Writes a `trc:RecordingConfiguration`: source description, content, retention.
fn write_configuration(x: &mut String, source: &RecordingSource, content: &str, retention_s: u64) {
    x.push_str("<trc:RecordingConfiguration><tt:Source>");
    push_text(x, "tt:SourceId", &source.source_id);
    push_text(x, "tt:Name", &source.name);
    push_text(x, "tt:Location", &source.location);
    push_text(x, "tt:Description", &source.description);
    push_text(x, "tt:Address", &source.address);
    x.push_str("</tt:Source>");
    push_text(x, "tt:Content", content);
    let retention = format_duration_s(retention_s);
    push_text(x, "tt:MaximumRetentionTime", &retention);
    x.push_str("</trc:RecordingConfiguration>");
}

/// Writes `job` as a `tt:RecordingJobConfiguration` (its token is not part of it).
fn write_job<O: Operation>(x: &mut String, job: &RecordingJob) -> Result<(), RequestError> {
    if job.recording_token.trim().is_empty() {
        return Err(O::missing("JobConfiguration/RecordingToken"));
    }
    let mode = O::one_of(
        &job.mode,
        &JOB_MODES,
        "JobConfiguration/Mode",
        "Idle or Active",
    )?;
    let priority = O::xs_int(job.priority, "JobConfiguration/Priority")?;
    x.push_str("<trc:JobConfiguration");
    if let Some(s) = non_blank(&job.schedule_token) {
        let _ = write!(x, r#" ScheduleToken="{}""#, escape(s));
    }
    x.push('>');
    push_text(x, "tt:RecordingToken", &job.recording_token);
    push_text(x, "tt:Mode", mode);
    push_text(x, "tt:Priority", &priority);
    for s in &job.sources {
        x.push_str("<tt:Source>");
        if let Some(token) = s.source_token.as_deref() {
            x.push_str("<tt:SourceToken");
            if let Some(t) = non_blank(&s.source_type) {
                let _ = write!(x, r#" Type="{}""#, escape(t));
            }
            x.push('>');
            push_text(x, "tt:Token", token);
            x.push_str("</tt:SourceToken>");
        }
        if let Some(auto) = s.auto_create_receiver {
            push_bool(x, "tt:AutoCreateReceiver", auto);
        }
        for (tag, destination) in &s.tracks {
            x.push_str("<tt:Tracks>");
            push_text(x, "tt:SourceTag", tag);
            push_text(x, "tt:Destination", destination);
            x.push_str("</tt:Tracks>");
        }
        x.push_str("</tt:Source>");
    }
    x.push_str("</trc:JobConfiguration>");
    Ok(())
}

/// The trimmed value, unless it is absent or blank.
fn non_blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A `tt:GetRecordingsResponseItem`.
fn recording_item(item: Cursor<'_>) -> Result<RecordingItem, ParseError> {
    let token = item.str("RecordingToken")?.to_owned();
    let config = item
        .opt_child("Configuration")
        .map(recording_configuration)
        .unwrap_or_default();
    let tracks = item.opt_child("Tracks").map_or(Ok(Vec::new()), |t| {
        t.each("Track", |track| {
            let c = track.opt_child("Configuration");
            Ok(Track {
                token: track.str("TrackToken")?.to_owned(),
                kind: match c {
                    Some(c) => c.str("TrackType")?.to_owned(),
                    None => return Err(track.missing("Configuration/TrackType")),
                },
                description: c
                    .map(|c| c.string_or_empty("Description"))
                    .unwrap_or_default(),
            })
        })
    })?;
    Ok(RecordingItem {
        token,
        source: config.source,
        content: config.content,
        max_retention: config.max_retention,
        max_retention_s: config.max_retention_s,
        tracks,
        options: None,
    })
}

/// `tt:RecordingConfiguration`: every part is descriptive text, so nothing in it can fail.
fn recording_configuration(c: Cursor<'_>) -> RecordingConfiguration {
    let s = c.opt_child("Source");
    let text = |name| s.map(|s| s.string_or_empty(name)).unwrap_or_default();
    let max_retention = c.opt_str("MaximumRetentionTime").map(str::to_owned);
    RecordingConfiguration {
        source: RecordingSource {
            source_id: text("SourceId"),
            name: text("Name"),
            location: text("Location"),
            description: text("Description"),
            address: text("Address"),
        },
        content: c.string_or_empty("Content"),
        max_retention_s: max_retention.as_deref().and_then(parse_duration_s),
        max_retention,
    }
}

/// A job token and its configuration (GetRecordingJobs items, CreateRecordingJob).
fn job_item(c: Cursor<'_>) -> Result<RecordingJob, ParseError> {
    let token = c.str("JobToken")?;
    job_configuration(c.child("JobConfiguration")?, token)
}

/// `tt:RecordingJobConfiguration`, for the job `token`.
fn job_configuration(c: Cursor<'_>, token: &str) -> Result<RecordingJob, ParseError> {
    Ok(RecordingJob {
        token: token.to_owned(),
        recording_token: c.str("RecordingToken")?.to_owned(),
        mode: c.str("Mode")?.to_owned(),
        priority: c.opt_u32("Priority")?.unwrap_or(0),
        schedule_token: c.opt_attr("ScheduleToken").map(str::to_owned),
        sources: c.each("Source", |s| {
            let source_token = s.opt_child("SourceToken");
            Ok(RecordingJobSource {
                // The schema wraps the token in a Token element; some firmware writes it as
                // the SourceToken text.
                source_token: source_token
                    .and_then(|t| t.opt_str("Token").or(Some(t.text())))
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned),
                source_type: source_token
                    .and_then(|t| t.opt_attr("Type"))
                    .map(str::to_owned),
                auto_create_receiver: s.opt_bool("AutoCreateReceiver")?,
                tracks: s.each("Tracks", |t| {
                    Ok((
                        t.str("SourceTag")?.to_owned(),
                        t.str("Destination")?.to_owned(),
                    ))
                })?,
            })
        })?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::xml;
    use crate::soap::xml::Element;

    fn doc(body: &str) -> Element {
        let ns = r#"xmlns:trc="http://www.onvif.org/ver10/recording/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema""#;
        xml::parse(body.replace("NS", ns).as_bytes()).expect("test XML is well-formed")
    }

    #[test]
    fn recordings_with_tracks_and_retention() {
        let p = doc(r#"<trc:GetRecordingsResponse NS><trc:RecordingItem>
            <tt:RecordingToken>R1</tt:RecordingToken>
            <tt:Configuration><tt:Source><tt:SourceId>urn:x</tt:SourceId><tt:Name>Lobby</tt:Name><tt:Location/><tt:Description/><tt:Address/></tt:Source>
              <tt:Content>cam 1</tt:Content><tt:MaximumRetentionTime>P30D</tt:MaximumRetentionTime></tt:Configuration>
            <tt:Tracks><tt:Track><tt:TrackToken>V</tt:TrackToken><tt:Configuration><tt:TrackType>Video</tt:TrackType><tt:Description>v</tt:Description></tt:Configuration></tt:Track></tt:Tracks>
          </trc:RecordingItem><trc:RecordingItem><tt:RecordingToken>R2</tt:RecordingToken>
            <tt:Configuration><tt:MaximumRetentionTime>forever</tt:MaximumRetentionTime></tt:Configuration><tt:Tracks/></trc:RecordingItem>
          </trc:GetRecordingsResponse>"#);
        let r = GetRecordings.parse(&p).unwrap();
        assert_eq!(r[0].token, "R1");
        assert_eq!(r[0].source.name, "Lobby");
        assert_eq!(r[0].max_retention.as_deref(), Some("P30D"));
        assert_eq!(r[0].max_retention_s, Some(30 * 86_400));
        assert_eq!(r[0].tracks[0].kind, "Video");
        // Unreadable retention keeps its text, loses only the seconds.
        assert_eq!(r[1].max_retention.as_deref(), Some("forever"));
        assert_eq!(r[1].max_retention_s, None);
        assert!(r[1].tracks.is_empty());
    }

    #[test]
    fn recording_without_token_names_the_field() {
        let p = doc(
            r#"<trc:GetRecordingsResponse NS><trc:RecordingItem><tt:RecordingToken/></trc:RecordingItem></trc:GetRecordingsResponse>"#,
        );
        assert_eq!(
            GetRecordings.parse(&p),
            Err(ParseError::Missing {
                operation: "recording.GetRecordings",
                field: "RecordingItem/RecordingToken".into()
            })
        );
    }

    #[test]
    fn jobs_with_sources_schedules_and_bare_token_text() {
        let p = doc(
            r#"<trc:GetRecordingJobsResponse NS><trc:JobItem><tt:JobToken>J</tt:JobToken>
            <tt:JobConfiguration ScheduleToken="night"><tt:RecordingToken>R</tt:RecordingToken><tt:Mode>Idle</tt:Mode><tt:Priority>3</tt:Priority>
              <tt:Source><tt:SourceToken Type="http://www.onvif.org/ver10/schema/Profile">Profile_1</tt:SourceToken>
                <tt:Tracks><tt:SourceTag>v</tt:SourceTag><tt:Destination>VIDEO001</tt:Destination></tt:Tracks></tt:Source>
            </tt:JobConfiguration></trc:JobItem></trc:GetRecordingJobsResponse>"#,
        );
        let j = &GetRecordingJobs.parse(&p).unwrap()[0];
        assert_eq!(
            (j.token.as_str(), j.mode.as_str(), j.priority),
            ("J", "Idle", 3)
        );
        assert_eq!(j.schedule_token.as_deref(), Some("night"));
        assert_eq!(j.sources[0].source_token.as_deref(), Some("Profile_1"));
        assert_eq!(
            j.sources[0].source_type.as_deref(),
            Some("http://www.onvif.org/ver10/schema/Profile")
        );
        assert_eq!(
            j.sources[0].tracks,
            [("v".to_owned(), "VIDEO001".to_owned())]
        );

        let bad = doc(
            r#"<trc:GetRecordingJobsResponse NS><trc:JobItem><tt:JobToken>J</tt:JobToken>
            <tt:JobConfiguration><tt:RecordingToken>R</tt:RecordingToken><tt:Mode>Active</tt:Mode><tt:Priority>high</tt:Priority></tt:JobConfiguration></trc:JobItem></trc:GetRecordingJobsResponse>"#,
        );
        assert_eq!(
            GetRecordingJobs.parse(&bad),
            Err(ParseError::invalid(
                "recording.GetRecordingJobs",
                "JobItem/JobConfiguration/Priority",
                "high"
            ))
        );
    }

    #[test]
    fn capabilities_and_options() {
        let p = doc(
            r#"<trc:GetServiceCapabilitiesResponse NS><trc:Capabilities DynamicRecordings="false" Encoding="G711 H264 H265" MaxRate="16384.000000" MaxRecordings="1.000000" MaxRecordingJobs="1" Options="true"/></trc:GetServiceCapabilitiesResponse>"#,
        );
        let c = GetServiceCapabilities.parse(&p).unwrap();
        assert!(!c.dynamic_recordings);
        assert_eq!(c.encodings, ["G711", "H264", "H265"]);
        assert_eq!(c.max_recordings, Some(1));
        assert_eq!(c.max_rate, Some(16384.0));
        assert!(c.options);
        let p = doc(
            r#"<trc:GetRecordingOptionsResponse NS><trc:Options><trc:Job Spare="2" CompatibleSources="P1 P2"/><trc:Track SpareTotal="6"/></trc:Options></trc:GetRecordingOptionsResponse>"#,
        );
        let o = GetRecordingOptions::default().parse(&p).unwrap();
        assert_eq!((o.job_spare, o.track_spare_total), (Some(2), Some(6)));
        assert_eq!(o.compatible_sources, ["P1", "P2"]);
    }

    #[test]
    fn job_requests_are_checked_and_escaped() {
        let job = RecordingJob {
            token: "ignored".into(),
            recording_token: "R&1".into(),
            mode: "active".into(),
            priority: 5,
            schedule_token: Some("night".into()),
            sources: vec![RecordingJobSource {
                source_token: Some("Profile_1".into()),
                source_type: Some("http://www.onvif.org/ver10/schema/Profile".into()),
                auto_create_receiver: Some(false),
                tracks: vec![("tag0".into(), "VIDEO001".into())],
            }],
        };
        let x = CreateRecordingJob { job: job.clone() }.to_xml().unwrap();
        assert!(x.contains(r#"<trc:JobConfiguration ScheduleToken="night"><tt:RecordingToken>R&amp;1</tt:RecordingToken><tt:Mode>Active</tt:Mode><tt:Priority>5</tt:Priority>"#), "{x}");
        assert!(!x.contains("ignored"));
        let mut bad = job.clone();
        bad.mode = "Recording".into();
        assert!(matches!(
            CreateRecordingJob { job: bad }.to_xml(),
            Err(RequestError::Unsupported {
                field: "JobConfiguration/Mode",
                ..
            })
        ));
        assert!(
            SetRecordingJobMode {
                job: "J".into(),
                mode: "Paused".into()
            }
            .to_xml()
            .is_err()
        );
        assert!(
            CreateTrack {
                recording: "R".into(),
                track: Track {
                    token: String::new(),
                    kind: "Thermal".into(),
                    description: String::new()
                }
            }
            .to_xml()
            .is_err()
        );
        let x = CreateRecording {
            source: RecordingSource::default(),
            content: "c".into(),
            max_retention_s: 259_200,
        }
        .to_xml()
        .unwrap();
        assert!(x.contains("<tt:MaximumRetentionTime>PT259200S</tt:MaximumRetentionTime>"));
    }
}
