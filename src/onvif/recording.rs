//! Recording control ver10 (`trc:`) operations (Profile G): capabilities, recordings with
//! their tracks and retention, recording jobs, and the calls apply uses to recreate them on
//! the new camera.
//!
//! Retention times are kept as the device wrote them and in seconds ([`parse_duration_s`]);
//! a duration we cannot read keeps its text and has no seconds, rather than failing the whole
//! list. Responses with an empty body are checked with [`parse_empty_response`].

use super::{
    ParseError, RequestError, attr_str, child_str, format_duration_s, ops, opt_bool, opt_f64,
    opt_u32, parse_duration_s, required, text_element,
};
use crate::model::{
    RecordingCapabilities, RecordingItem, RecordingJob, RecordingJobSource, RecordingOptions,
    RecordingSource, Track,
};
use std::fmt::Write as _;

use super::operation::{Cursor, Operation, push_bool, push_text};
use crate::soap::xml::{Element, escape};

/// Service name in the operation table.
pub const SERVICE: &str = "recording";
/// Prefix the requests bind to the service namespace.
pub const PREFIX: &str = "trc";

/// The track types the schema allows (`tt:TrackType`).
pub const TRACK_TYPES: [&str; 4] = ["Video", "Audio", "Metadata", "Extended"];
/// The job modes the spec defines.
pub const JOB_MODES: [&str; 2] = ["Idle", "Active"];

fn request(operation: &str, inner: &str) -> String {
    ops::request_xml(ops::get(SERVICE, operation), PREFIX, inner)
}

/// The response element of `op` (`recording.GetRecordings`).
fn response<'a>(payload: &'a Element, op: &'static str) -> Result<&'a Element, ParseError> {
    let name = op.rsplit_once('.').map_or(op, |(_, n)| n);
    super::response_element(payload, ops::get(SERVICE, name))
}

/// Checks the payload of an operation whose response carries nothing (SetRecordingJobMode,
/// SetRecordingConfiguration, DeleteRecordingJob); `operation` is its name.
pub fn parse_empty_response(payload: &Element, operation: &'static str) -> Result<(), ParseError> {
    response(payload, operation).map(|_| ())
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/// GetServiceCapabilities.
pub fn get_service_capabilities() -> String {
    request("GetServiceCapabilities", "")
}

/// GetRecordings.
pub fn get_recordings() -> String {
    request("GetRecordings", "")
}

/// GetRecordingConfiguration of one recording.
pub fn get_recording_configuration(recording_token: &str) -> String {
    request(
        "GetRecordingConfiguration",
        &text_element("trc:RecordingToken", recording_token),
    )
}

/// GetTrackConfiguration of one track.
pub fn get_track_configuration(recording_token: &str, track_token: &str) -> String {
    request(
        "GetTrackConfiguration",
        &format!(
            "{}{}",
            text_element("trc:RecordingToken", recording_token),
            text_element("trc:TrackToken", track_token)
        ),
    )
}

/// GetRecordingJobs.
pub fn get_recording_jobs() -> String {
    request("GetRecordingJobs", "")
}

/// GetRecordingJobConfiguration of one job.
pub fn get_recording_job_configuration(job_token: &str) -> String {
    request(
        "GetRecordingJobConfiguration",
        &text_element("trc:JobToken", job_token),
    )
}

/// GetRecordingOptions of one recording (spare jobs and tracks).
pub fn get_recording_options(recording_token: &str) -> String {
    request(
        "GetRecordingOptions",
        &text_element("trc:RecordingToken", recording_token),
    )
}

/// Writes a `tt:RecordingConfiguration` body: source description, content, retention.
fn write_configuration(x: &mut String, source: &RecordingSource, content: &str, retention_s: u64) {
    x.push_str("<tt:Source>");
    push_text(x, "tt:SourceId", &source.source_id);
    push_text(x, "tt:Name", &source.name);
    push_text(x, "tt:Location", &source.location);
    push_text(x, "tt:Description", &source.description);
    push_text(x, "tt:Address", &source.address);
    x.push_str("</tt:Source>");
    push_text(x, "tt:Content", content);
    push_text(
        x,
        "tt:MaximumRetentionTime",
        &format_duration_s(retention_s),
    );
}

/// CreateRecording with its descriptive source, content and retention (0: keep until space
/// runs out). Only possible where the capabilities say `DynamicRecordings`. Answers the new
/// recording's token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateRecording {
    /// Descriptive source.
    pub source: RecordingSource,
    /// Content description.
    pub content: String,
    /// Maximum retention time in seconds.
    pub max_retention_s: u64,
}

impl Operation for CreateRecording {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "CreateRecording";
    type Response = String;

    fn write(&self, x: &mut String) -> Result<(), RequestError> {
        x.push_str("<trc:RecordingConfiguration>");
        write_configuration(x, &self.source, &self.content, self.max_retention_s);
        x.push_str("</trc:RecordingConfiguration>");
        Ok(())
    }

    fn read(&self, r: Cursor<'_>) -> Result<String, ParseError> {
        r.str("RecordingToken").map(str::to_owned)
    }
}

/// SetRecordingConfiguration: replace a recording's source, content and retention.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetRecordingConfiguration {
    /// The recording.
    pub recording: String,
    /// Descriptive source.
    pub source: RecordingSource,
    /// Content description.
    pub content: String,
    /// Maximum retention time in seconds.
    pub max_retention_s: u64,
}

impl Operation for SetRecordingConfiguration {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "SetRecordingConfiguration";
    type Response = ();

    fn write(&self, x: &mut String) -> Result<(), RequestError> {
        push_text(x, "trc:RecordingToken", &self.recording);
        x.push_str("<trc:RecordingConfiguration>");
        write_configuration(x, &self.source, &self.content, self.max_retention_s);
        x.push_str("</trc:RecordingConfiguration>");
        Ok(())
    }

    fn read(&self, _: Cursor<'_>) -> Result<(), ParseError> {
        Ok(())
    }
}

/// CreateTrack of `track.kind` in a recording (the device picks the token, and answers it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateTrack {
    /// The recording.
    pub recording: String,
    /// The track (its token is ignored).
    pub track: Track,
}

impl Operation for CreateTrack {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "CreateTrack";
    type Response = String;

    fn write(&self, x: &mut String) -> Result<(), RequestError> {
        let kind = Self::one_of(
            &self.track.kind,
            &TRACK_TYPES,
            "TrackConfiguration/TrackType",
            "Video, Audio, Metadata or Extended",
        )?;
        push_text(x, "trc:RecordingToken", &self.recording);
        x.push_str("<trc:TrackConfiguration>");
        push_text(x, "tt:TrackType", kind);
        push_text(x, "tt:Description", &self.track.description);
        x.push_str("</trc:TrackConfiguration>");
        Ok(())
    }

    fn read(&self, r: Cursor<'_>) -> Result<String, ParseError> {
        r.str("TrackToken").map(str::to_owned)
    }
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
    if let Some(s) = job
        .schedule_token
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
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
            if let Some(t) = s
                .source_type
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
            {
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

/// CreateRecordingJob from a job as the inventory holds it (its token is ignored: the device
/// assigns one). Answers the new job as the device adjusted it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreateRecordingJob {
    /// The job.
    pub job: RecordingJob,
}

impl Operation for CreateRecordingJob {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "CreateRecordingJob";
    type Response = RecordingJob;

    fn write(&self, x: &mut String) -> Result<(), RequestError> {
        write_job::<Self>(x, &self.job)
    }

    fn read(&self, r: Cursor<'_>) -> Result<RecordingJob, ParseError> {
        let token = r.str("JobToken")?.to_owned();
        let c = r.child("JobConfiguration")?;
        parse_job_configuration(c.element(), token, r.operation())
    }
}

/// SetRecordingJobConfiguration: replace a job's configuration (recording, mode, priority,
/// sources). Answers the job as the device adjusted it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SetRecordingJobConfiguration {
    /// The job, by its token, with the new configuration.
    pub job: RecordingJob,
}

impl Operation for SetRecordingJobConfiguration {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "SetRecordingJobConfiguration";
    type Response = RecordingJob;

    fn write(&self, x: &mut String) -> Result<(), RequestError> {
        if self.job.token.trim().is_empty() {
            return Err(Self::missing("JobToken"));
        }
        push_text(x, "trc:JobToken", &self.job.token);
        write_job::<Self>(x, &self.job)
    }

    fn read(&self, r: Cursor<'_>) -> Result<RecordingJob, ParseError> {
        let c = r.child("JobConfiguration")?;
        parse_job_configuration(c.element(), self.job.token.clone(), r.operation())
    }
}

/// SetRecordingJobMode: `Idle` or `Active`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetRecordingJobMode {
    /// The job.
    pub job: String,
    /// The mode.
    pub mode: String,
}

impl Operation for SetRecordingJobMode {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "SetRecordingJobMode";
    type Response = ();

    fn write(&self, x: &mut String) -> Result<(), RequestError> {
        let mode = Self::one_of(&self.mode, &JOB_MODES, "Mode", "Idle or Active")?;
        push_text(x, "trc:JobToken", &self.job);
        push_text(x, "trc:Mode", mode);
        Ok(())
    }

    fn read(&self, _: Cursor<'_>) -> Result<(), ParseError> {
        Ok(())
    }
}

/// DeleteRecordingJob.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteRecordingJob {
    /// The job.
    pub job: String,
}

impl Operation for DeleteRecordingJob {
    const SERVICE: &'static str = SERVICE;
    const NAME: &'static str = "DeleteRecordingJob";
    type Response = ();

    fn write(&self, x: &mut String) -> Result<(), RequestError> {
        push_text(x, "trc:JobToken", &self.job);
        Ok(())
    }

    fn read(&self, _: Cursor<'_>) -> Result<(), ParseError> {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

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

/// GetServiceCapabilitiesResponse.
pub fn parse_get_service_capabilities(
    payload: &Element,
) -> Result<RecordingCapabilities, ParseError> {
    const OP: &str = "recording.GetServiceCapabilities";
    let c = response(payload, OP)?
        .child("Capabilities")
        .ok_or(ParseError::Missing {
            operation: OP,
            field: "Capabilities".into(),
        })?;
    let flag = |name, field| -> Result<bool, ParseError> {
        Ok(opt_bool(attr_str(c, name), OP, field)?.unwrap_or(false))
    };
    Ok(RecordingCapabilities {
        dynamic_recordings: flag("DynamicRecordings", "Capabilities/@DynamicRecordings")?,
        dynamic_tracks: flag("DynamicTracks", "Capabilities/@DynamicTracks")?,
        encodings: c
            .attr("Encoding")
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
        // MaxRecordings is an xs:float in the schema; devices write `1.000000`.
        max_recordings: opt_u32(
            attr_str(c, "MaxRecordings"),
            OP,
            "Capabilities/@MaxRecordings",
        )?,
        max_recording_jobs: opt_u32(
            attr_str(c, "MaxRecordingJobs"),
            OP,
            "Capabilities/@MaxRecordingJobs",
        )?,
        max_rate: opt_f64(attr_str(c, "MaxRate"), OP, "Capabilities/@MaxRate")?,
        max_total_rate: opt_f64(
            attr_str(c, "MaxTotalRate"),
            OP,
            "Capabilities/@MaxTotalRate",
        )?,
        options: flag("Options", "Capabilities/@Options")?,
    })
}

/// GetRecordingsResponse: recordings with their configuration and tracks.
pub fn parse_get_recordings(payload: &Element) -> Result<Vec<RecordingItem>, ParseError> {
    const OP: &str = "recording.GetRecordings";
    response(payload, OP)?
        .children_named("RecordingItem")
        .map(|item| {
            let config = item
                .child("Configuration")
                .map(parse_recording_configuration)
                .unwrap_or_default();
            Ok(RecordingItem {
                token: required(
                    item.child_text("RecordingToken"),
                    OP,
                    "RecordingItem/RecordingToken",
                )?,
                source: config.source,
                content: config.content,
                max_retention: config.max_retention,
                max_retention_s: config.max_retention_s,
                tracks: item
                    .child("Tracks")
                    .map(|t| {
                        t.children_named("Track")
                            .map(|track| {
                                let c = track.child("Configuration");
                                Ok(Track {
                                    token: required(
                                        track.child_text("TrackToken"),
                                        OP,
                                        "Track/TrackToken",
                                    )?,
                                    kind: required(
                                        c.and_then(|c| c.child_text("TrackType")),
                                        OP,
                                        "Track/Configuration/TrackType",
                                    )?,
                                    description: c
                                        .and_then(|c| child_str(c, "Description"))
                                        .unwrap_or_default()
                                        .to_owned(),
                                })
                            })
                            .collect::<Result<Vec<_>, ParseError>>()
                    })
                    .transpose()?
                    .unwrap_or_default(),
                options: None,
            })
        })
        .collect()
}

/// GetRecordingConfigurationResponse.
pub fn parse_get_recording_configuration(
    payload: &Element,
) -> Result<RecordingConfiguration, ParseError> {
    const OP: &str = "recording.GetRecordingConfiguration";
    let c = response(payload, OP)?
        .child("RecordingConfiguration")
        .ok_or(ParseError::Missing {
            operation: OP,
            field: "RecordingConfiguration".into(),
        })?;
    Ok(parse_recording_configuration(c))
}

/// `tt:RecordingConfiguration`: every part is descriptive text, so nothing in it can fail.
fn parse_recording_configuration(c: &Element) -> RecordingConfiguration {
    let s = c.child("Source");
    let text = |name: &str| {
        s.and_then(|s| child_str(s, name))
            .unwrap_or_default()
            .to_owned()
    };
    let max_retention = child_str(c, "MaximumRetentionTime").map(str::to_owned);
    RecordingConfiguration {
        source: RecordingSource {
            source_id: text("SourceId"),
            name: text("Name"),
            location: text("Location"),
            description: text("Description"),
            address: text("Address"),
        },
        content: child_str(c, "Content").unwrap_or_default().to_owned(),
        max_retention_s: max_retention.as_deref().and_then(parse_duration_s),
        max_retention,
    }
}

/// GetTrackConfigurationResponse.
pub fn parse_get_track_configuration(payload: &Element) -> Result<TrackConfiguration, ParseError> {
    const OP: &str = "recording.GetTrackConfiguration";
    let c = response(payload, OP)?
        .child("TrackConfiguration")
        .ok_or(ParseError::Missing {
            operation: OP,
            field: "TrackConfiguration".into(),
        })?;
    Ok(TrackConfiguration {
        kind: required(
            c.child_text("TrackType"),
            OP,
            "TrackConfiguration/TrackType",
        )?,
        description: child_str(c, "Description").unwrap_or_default().to_owned(),
    })
}

/// GetRecordingJobsResponse.
pub fn parse_get_recording_jobs(payload: &Element) -> Result<Vec<RecordingJob>, ParseError> {
    const OP: &str = "recording.GetRecordingJobs";
    response(payload, OP)?
        .children_named("JobItem")
        .map(|item| {
            let token = required(item.child_text("JobToken"), OP, "JobItem/JobToken")?;
            let c = item.child("JobConfiguration").ok_or(ParseError::Missing {
                operation: OP,
                field: "JobItem/JobConfiguration".into(),
            })?;
            parse_job_configuration(c, token, OP)
        })
        .collect()
}

/// GetRecordingJobConfigurationResponse. The response does not repeat the job token, so the
/// caller passes the one it asked about.
pub fn parse_get_recording_job_configuration(
    payload: &Element,
    job_token: &str,
) -> Result<RecordingJob, ParseError> {
    const OP: &str = "recording.GetRecordingJobConfiguration";
    let c = response(payload, OP)?
        .child("JobConfiguration")
        .ok_or(ParseError::Missing {
            operation: OP,
            field: "JobConfiguration".into(),
        })?;
    parse_job_configuration(c, job_token.to_owned(), OP)
}

/// `tt:RecordingJobConfiguration`.
fn parse_job_configuration(
    c: &Element,
    token: String,
    op: &'static str,
) -> Result<RecordingJob, ParseError> {
    Ok(RecordingJob {
        token,
        recording_token: required(
            c.child_text("RecordingToken"),
            op,
            "JobConfiguration/RecordingToken",
        )?,
        mode: required(c.child_text("Mode"), op, "JobConfiguration/Mode")?,
        priority: opt_u32(child_str(c, "Priority"), op, "JobConfiguration/Priority")?.unwrap_or(0),
        schedule_token: attr_str(c, "ScheduleToken").map(str::to_owned),
        sources: c
            .children_named("Source")
            .map(|s| {
                let source_token = s.child("SourceToken");
                Ok(RecordingJobSource {
                    // The schema wraps the token in a Token element; some firmware writes it
                    // as the SourceToken text.
                    source_token: source_token
                        .and_then(|t| child_str(t, "Token").or_else(|| Some(t.text_trim())))
                        .filter(|t| !t.is_empty())
                        .map(str::to_owned),
                    source_type: source_token
                        .and_then(|t| attr_str(t, "Type"))
                        .map(str::to_owned),
                    auto_create_receiver: opt_bool(
                        child_str(s, "AutoCreateReceiver"),
                        op,
                        "JobConfiguration/Source/AutoCreateReceiver",
                    )?,
                    tracks: s
                        .children_named("Tracks")
                        .map(|t| {
                            Ok((
                                required(
                                    t.child_text("SourceTag"),
                                    op,
                                    "JobConfiguration/Source/Tracks/SourceTag",
                                )?,
                                required(
                                    t.child_text("Destination"),
                                    op,
                                    "JobConfiguration/Source/Tracks/Destination",
                                )?,
                            ))
                        })
                        .collect::<Result<Vec<_>, ParseError>>()?,
                })
            })
            .collect::<Result<Vec<_>, ParseError>>()?,
    })
}

/// GetRecordingOptionsResponse.
pub fn parse_get_recording_options(payload: &Element) -> Result<RecordingOptions, ParseError> {
    const OP: &str = "recording.GetRecordingOptions";
    let o = response(payload, OP)?
        .child("Options")
        .ok_or(ParseError::Missing {
            operation: OP,
            field: "Options".into(),
        })?;
    let job = o.child("Job");
    let track = o.child("Track");
    Ok(RecordingOptions {
        job_spare: opt_u32(
            job.and_then(|j| attr_str(j, "Spare")),
            OP,
            "Options/Job/@Spare",
        )?,
        compatible_sources: job
            .and_then(|j| j.attr("CompatibleSources"))
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
        track_spare_total: opt_u32(
            track.and_then(|t| attr_str(t, "SpareTotal")),
            OP,
            "Options/Track/@SpareTotal",
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::xml;

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
        let r = parse_get_recordings(&p).unwrap();
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
            parse_get_recordings(&p),
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
        let j = &parse_get_recording_jobs(&p).unwrap()[0];
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
            parse_get_recording_jobs(&bad),
            Err(ParseError::invalid(
                "recording.GetRecordingJobs",
                "JobConfiguration/Priority",
                "high"
            ))
        );
    }

    #[test]
    fn capabilities_and_options() {
        let p = doc(
            r#"<trc:GetServiceCapabilitiesResponse NS><trc:Capabilities DynamicRecordings="false" Encoding="G711 H264 H265" MaxRate="16384.000000" MaxRecordings="1.000000" MaxRecordingJobs="1" Options="true"/></trc:GetServiceCapabilitiesResponse>"#,
        );
        let c = parse_get_service_capabilities(&p).unwrap();
        assert!(!c.dynamic_recordings);
        assert_eq!(c.encodings, ["G711", "H264", "H265"]);
        assert_eq!(c.max_recordings, Some(1));
        assert_eq!(c.max_rate, Some(16384.0));
        assert!(c.options);
        let p = doc(
            r#"<trc:GetRecordingOptionsResponse NS><trc:Options><trc:Job Spare="2" CompatibleSources="P1 P2"/><trc:Track SpareTotal="6"/></trc:Options></trc:GetRecordingOptionsResponse>"#,
        );
        let o = parse_get_recording_options(&p).unwrap();
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
