//! The recording control service (trc): recordings, tracks and recording jobs, limited by the
//! capabilities the persona lists for the service (DynamicRecordings, DynamicTracks,
//! MaxRecordings, MaxRecordingJobs).

use crate::device_service::{Access, Ctx, service_capabilities};
use crate::persona::{Persona, ServiceKind};
use crate::recording::{
    self, Job, JobSource, PROFILE_SOURCE, RECEIVER_SOURCE, Recording, RecordingSpec,
    RecordingState, Track,
};
use crate::soap::{Fault, ns};
use crate::wire::{parse_bool, parse_duration, parse_int, required, required_text, token};
use crate::xml::{Node, Writer};

/// Access class of a recording operation; `None` when the mock does not implement it.
pub fn access(operation: &str) -> Option<Access> {
    Some(match operation {
        "GetServiceCapabilities" => Access::PreAuth,
        "GetRecordings"
        | "GetRecordingConfiguration"
        | "GetTrackConfiguration"
        | "GetRecordingJobs"
        | "GetRecordingJobConfiguration"
        | "GetRecordingJobState"
        | "GetRecordingOptions" => Access::ReadMedia,
        "CreateRecording"
        | "DeleteRecording"
        | "SetRecordingConfiguration"
        | "CreateTrack"
        | "DeleteTrack"
        | "CreateRecordingJob"
        | "SetRecordingJobMode"
        | "DeleteRecordingJob" => Access::Actuate,
        _ => return None,
    })
}

/// A recording capability as a number (`MaxRecordings = 32`), or `default`.
fn cap_number(p: &Persona, name: &str, default: usize) -> usize {
    p.service(ServiceKind::Recording)
        .and_then(|s| s.capability(name))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(default, |v| v.max(0.0) as usize)
}

fn cap_flag(p: &Persona, name: &str) -> bool {
    p.service(ServiceKind::Recording)
        .and_then(|s| s.capability(name))
        .is_some_and(|v| v == "true" || v == "1")
}

fn no_recording(t: &str) -> Fault {
    // Axis's wording (captures/axis/Fault-hammeraj-norecording.xml).
    Fault::invalid_arg("ter:NoRecording", "Recording not found")
        .detail(format!("The requested recording {t} can not be found"))
}

fn no_job(t: &str) -> Fault {
    Fault::invalid_arg(
        "ter:NoRecordingJob",
        format!("The recording job {t} does not exist"),
    )
}

fn bad_configuration(why: impl Into<String>) -> Fault {
    Fault::invalid_arg("ter:BadConfiguration", "The configuration is invalid").detail(why)
}

fn state<'a>(ctx: &'a Ctx<'_>) -> Result<&'a RecordingState, Fault> {
    ctx.state
        .recording
        .as_ref()
        .ok_or_else(|| Fault::action_not_supported("this device has no edge storage"))
}

fn state_mut<'a>(ctx: &'a mut Ctx<'_>) -> Result<&'a mut RecordingState, Fault> {
    ctx.state
        .recording
        .as_mut()
        .ok_or_else(|| Fault::action_not_supported("this device has no edge storage"))
}

fn recording_index(s: &RecordingState, t: &str) -> Result<usize, Fault> {
    s.recordings
        .iter()
        .position(|r| r.token == t)
        .ok_or_else(|| no_recording(t))
}

fn job_index(s: &RecordingState, t: &str) -> Result<usize, Fault> {
    s.jobs
        .iter()
        .position(|j| j.token == t)
        .ok_or_else(|| no_job(t))
}

fn empty(op: &str) -> String {
    format!("<trc:{op}Response/>")
}

/// Run one recording operation; `Ok` is the response payload element.
pub fn handle(operation: &str, req: &Node, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let spec = ctx
        .persona
        .recording
        .as_ref()
        .ok_or_else(|| Fault::action_not_supported("this device has no edge storage"))?;
    match operation {
        "GetServiceCapabilities" => {
            let mut w = Writer::new();
            w.open("trc:GetServiceCapabilitiesResponse", &[]);
            if let Some(s) = ctx.persona.service(ServiceKind::Recording) {
                service_capabilities(&mut w, s);
            }
            w.close("trc:GetServiceCapabilitiesResponse");
            Ok(w.finish())
        }
        "GetRecordings" => {
            let s = state(ctx)?;
            let mut w = Writer::new();
            w.open("trc:GetRecordingsResponse", &[]);
            for r in &s.recordings {
                w.open("trc:RecordingItem", &[])
                    .leaf("tt:RecordingToken", &r.token);
                recording::write_configuration(&mut w, "tt:Configuration", r);
                w.open("tt:Tracks", &[]);
                for t in &r.tracks {
                    w.open("tt:Track", &[]).leaf("tt:TrackToken", &t.token);
                    recording::write_track_configuration(&mut w, "tt:Configuration", t);
                    w.close("tt:Track");
                }
                w.close("tt:Tracks").close("trc:RecordingItem");
            }
            w.close("trc:GetRecordingsResponse");
            Ok(w.finish())
        }
        "GetRecordingConfiguration" => {
            let t = token(req, ns::TRC, "RecordingToken")?;
            let s = state(ctx)?;
            let r = &s.recordings[recording_index(s, t)?];
            let mut w = Writer::new();
            w.open("trc:GetRecordingConfigurationResponse", &[]);
            recording::write_configuration(&mut w, "trc:RecordingConfiguration", r);
            w.close("trc:GetRecordingConfigurationResponse");
            Ok(w.finish())
        }
        "SetRecordingConfiguration" => {
            let t = token(req, ns::TRC, "RecordingToken")?.to_string();
            let config = read_configuration(required(req, ns::TRC, "RecordingConfiguration")?)?;
            let s = state_mut(ctx)?;
            let i = recording_index(s, &t)?;
            let r = &mut s.recordings[i];
            r.source_id = config.source_id;
            r.name = config.name;
            r.location = config.location;
            r.description = config.description;
            r.address = config.address;
            r.content = config.content;
            r.retention = config.retention;
            Ok(empty("SetRecordingConfiguration"))
        }
        "CreateRecording" => {
            if !cap_flag(ctx.persona, "DynamicRecordings") {
                return Err(Fault::action_not_supported(
                    "This device has fixed recordings (DynamicRecordings is false)",
                ));
            }
            let mut r = read_configuration(required(req, ns::TRC, "RecordingConfiguration")?)?;
            let max = cap_number(ctx.persona, "MaxRecordings", usize::MAX);
            let template = spec.new_recording_token.clone();
            let s = state_mut(ctx)?;
            if s.recordings.len() >= max {
                return Err(Fault::action(
                    "ter:MaxRecordings",
                    "The maximum number of recordings is reached",
                ));
            }
            r.token =
                RecordingState::new_token(&template, |t| s.recordings.iter().any(|r| r.token == t));
            let t = r.token.clone();
            s.recordings.push(r);
            let mut w = Writer::new();
            w.open("trc:CreateRecordingResponse", &[])
                .leaf("trc:RecordingToken", t)
                .close("trc:CreateRecordingResponse");
            Ok(w.finish())
        }
        "DeleteRecording" => {
            if !cap_flag(ctx.persona, "DynamicRecordings") {
                return Err(Fault::action_not_supported(
                    "This device has fixed recordings (DynamicRecordings is false)",
                ));
            }
            let t = token(req, ns::TRC, "RecordingToken")?.to_string();
            let s = state_mut(ctx)?;
            let i = recording_index(s, &t)?;
            s.recordings.remove(i);
            // The spec has the jobs that record into a deleted recording go with it.
            s.jobs.retain(|j| j.recording != t);
            Ok(empty("DeleteRecording"))
        }
        "CreateTrack" => create_track(req, spec, ctx),
        "DeleteTrack" => {
            if !cap_flag(ctx.persona, "DynamicTracks") {
                return Err(Fault::action_not_supported(
                    "This device has fixed tracks (DynamicTracks is false)",
                ));
            }
            let r = token(req, ns::TRC, "RecordingToken")?.to_string();
            let t = token(req, ns::TRC, "TrackToken")?.to_string();
            let s = state_mut(ctx)?;
            let i = recording_index(s, &r)?;
            let tracks = &mut s.recordings[i].tracks;
            let k = tracks.iter().position(|x| x.token == t).ok_or_else(|| {
                Fault::invalid_arg("ter:NoTrack", format!("No track {t} in recording {r}"))
            })?;
            tracks.remove(k);
            Ok(empty("DeleteTrack"))
        }
        "GetTrackConfiguration" => {
            let r = token(req, ns::TRC, "RecordingToken")?;
            let t = token(req, ns::TRC, "TrackToken")?;
            let s = state(ctx)?;
            let rec = &s.recordings[recording_index(s, r)?];
            let track = rec.tracks.iter().find(|x| x.token == t).ok_or_else(|| {
                Fault::invalid_arg("ter:NoTrack", format!("No track {t} in recording {r}"))
            })?;
            let mut w = Writer::new();
            w.open("trc:GetTrackConfigurationResponse", &[]);
            recording::write_track_configuration(&mut w, "trc:TrackConfiguration", track);
            w.close("trc:GetTrackConfigurationResponse");
            Ok(w.finish())
        }
        "GetRecordingJobs" => {
            let s = state(ctx)?;
            let mut w = Writer::new();
            w.open("trc:GetRecordingJobsResponse", &[]);
            for j in &s.jobs {
                w.open("trc:JobItem", &[]).leaf("tt:JobToken", &j.token);
                recording::write_job_configuration(&mut w, "tt:JobConfiguration", j);
                w.close("trc:JobItem");
            }
            w.close("trc:GetRecordingJobsResponse");
            Ok(w.finish())
        }
        "GetRecordingJobConfiguration" => {
            let t = token(req, ns::TRC, "JobToken")?;
            let s = state(ctx)?;
            let j = &s.jobs[job_index(s, t)?];
            let mut w = Writer::new();
            w.open("trc:GetRecordingJobConfigurationResponse", &[]);
            recording::write_job_configuration(&mut w, "trc:JobConfiguration", j);
            w.close("trc:GetRecordingJobConfigurationResponse");
            Ok(w.finish())
        }
        "CreateRecordingJob" => create_job(req, spec, ctx),
        "SetRecordingJobMode" => {
            let t = token(req, ns::TRC, "JobToken")?.to_string();
            let mode = required_text(req, ns::TRC, "Mode")?.to_string();
            let s = state_mut(ctx)?;
            let i = job_index(s, &t)?;
            if !matches!(mode.as_str(), "Idle" | "Active") {
                return Err(Fault::invalid_arg(
                    "ter:BadValue",
                    format!("Mode `{mode}` is neither Idle nor Active"),
                ));
            }
            s.jobs[i].mode = mode;
            Ok(empty("SetRecordingJobMode"))
        }
        "DeleteRecordingJob" => {
            let t = token(req, ns::TRC, "JobToken")?.to_string();
            let s = state_mut(ctx)?;
            let i = job_index(s, &t)?;
            s.jobs.remove(i);
            Ok(empty("DeleteRecordingJob"))
        }
        "GetRecordingJobState" => job_state(req, ctx),
        "GetRecordingOptions" => {
            let t = token(req, ns::TRC, "RecordingToken")?;
            let s = state(ctx)?;
            let rec = &s.recordings[recording_index(s, t)?];
            let max_jobs = cap_number(ctx.persona, "MaxRecordingJobs", 16);
            let spare_jobs = max_jobs.saturating_sub(s.jobs.len());
            let compatible: Vec<&str> = ctx
                .state
                .media
                .profiles
                .iter()
                .filter(|p| p.video_encoder.is_some() && p.video_source.is_some())
                .map(|p| p.token.as_str())
                .collect();
            let spare_tracks = if cap_flag(ctx.persona, "DynamicTracks") {
                spec.max_tracks.saturating_sub(rec.tracks.len())
            } else {
                0
            };
            let spare = |n: usize| n.to_string();
            let mut w = Writer::new();
            w.open("trc:GetRecordingOptionsResponse", &[])
                .open("trc:Options", &[])
                .empty(
                    "trc:Job",
                    &[
                        ("Spare", &spare(spare_jobs)),
                        ("CompatibleSources", &compatible.join(" ")),
                    ],
                )
                .empty(
                    "trc:Track",
                    &[
                        ("SpareTotal", &spare(spare_tracks)),
                        ("SpareVideo", &spare(spare_tracks)),
                        ("SpareAudio", &spare(spare_tracks)),
                        ("SpareMetadata", &spare(spare_tracks)),
                    ],
                )
                .close("trc:Options")
                .close("trc:GetRecordingOptionsResponse");
            Ok(w.finish())
        }
        other => Err(Fault::action_not_supported(format!(
            "the recording service does not implement {other}"
        ))),
    }
}

/// A `tt:RecordingConfiguration` from a request (token left empty).
fn read_configuration(c: &Node) -> Result<Recording, Fault> {
    let text = |n: &Node, name: &str| n.child_text(ns::TT, name).unwrap_or("").to_string();
    let source = required(c, ns::TT, "Source")?;
    let retention = required_text(c, ns::TT, "MaximumRetentionTime")?.to_string();
    if parse_duration(&retention).is_none() {
        return Err(bad_configuration(format!(
            "MaximumRetentionTime `{retention}` is not a non-negative duration"
        )));
    }
    for field in ["SourceId", "Address"] {
        let v = text(source, field);
        if v.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad_configuration(format!(
                "Source/{field} `{v}` is not a URI"
            )));
        }
    }
    let name = text(source, "Name");
    if name.chars().count() > 64 {
        return Err(bad_configuration(
            "Source/Name is longer than 64 characters",
        ));
    }
    Ok(Recording {
        token: String::new(),
        source_id: text(source, "SourceId"),
        name,
        location: text(source, "Location"),
        description: text(source, "Description"),
        address: text(source, "Address"),
        content: text(c, "Content"),
        retention,
        tracks: [
            ("VIDEO001", "Video"),
            ("AUDIO001", "Audio"),
            ("META001", "Metadata"),
        ]
        .into_iter()
        .map(|(t, k)| Track {
            token: t.into(),
            kind: k.into(),
            description: String::new(),
        })
        .collect(),
    })
}

fn create_track(req: &Node, spec: &RecordingSpec, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    if !cap_flag(ctx.persona, "DynamicTracks") {
        return Err(Fault::action_not_supported(
            "This device has fixed tracks (DynamicTracks is false)",
        ));
    }
    let r = token(req, ns::TRC, "RecordingToken")?.to_string();
    let c = required(req, ns::TRC, "TrackConfiguration")?;
    let kind = required_text(c, ns::TT, "TrackType")?.to_string();
    let description = c
        .child_text(ns::TT, "Description")
        .unwrap_or("")
        .to_string();
    let s = state_mut(ctx)?;
    let i = recording_index(s, &r)?;
    let prefix = match kind.as_str() {
        "Video" => "VIDEO",
        "Audio" => "AUDIO",
        "Metadata" => "META",
        "Extended" => "EXT",
        other => return Err(bad_configuration(format!("TrackType `{other}`"))),
    };
    let tracks = &mut s.recordings[i].tracks;
    if tracks.len() >= spec.max_tracks {
        return Err(Fault::action(
            "ter:MaxTracks",
            "The maximum number of tracks is reached",
        ));
    }
    let template = format!("{prefix}{{n}}");
    let t = (1usize..)
        .map(|n| template.replace("{n}", &format!("{n:03}")))
        .find(|t| !tracks.iter().any(|x| &x.token == t))
        .unwrap_or_default();
    tracks.push(Track {
        token: t.clone(),
        kind,
        description,
    });
    let mut w = Writer::new();
    w.open("trc:CreateTrackResponse", &[])
        .leaf("trc:TrackToken", t)
        .close("trc:CreateTrackResponse");
    Ok(w.finish())
}

fn create_job(req: &Node, spec: &RecordingSpec, ctx: &mut Ctx<'_>) -> Result<String, Fault> {
    let c = required(req, ns::TRC, "JobConfiguration")?;
    let recording = token(c, ns::TT, "RecordingToken")?.to_string();
    let mode = required_text(c, ns::TT, "Mode")?.to_string();
    let priority: i64 = parse_int(required(c, ns::TT, "Priority")?)?;
    let max_jobs = cap_number(ctx.persona, "MaxRecordingJobs", 16);
    let s = state(ctx)?;
    let rec = &s.recordings[recording_index(s, &recording)?];
    if !matches!(mode.as_str(), "Idle" | "Active") {
        return Err(bad_configuration(format!(
            "Mode `{mode}` is neither Idle nor Active"
        )));
    }
    if priority < 0 {
        return Err(bad_configuration(format!(
            "Priority {priority} is negative"
        )));
    }
    let mut sources = Vec::new();
    for src in c.children_named(ns::TT, "Source") {
        let reference = src.child(ns::TT, "SourceToken");
        let auto = src
            .child(ns::TT, "AutoCreateReceiver")
            .map(parse_bool)
            .transpose()?
            .unwrap_or(false);
        let kind = reference
            .and_then(|r| r.attr("Type"))
            .map_or(PROFILE_SOURCE, str::trim)
            .to_string();
        if auto || kind == RECEIVER_SOURCE {
            return Err(bad_configuration(
                "This device records its own media profiles; it has no receivers",
            ));
        }
        if kind != PROFILE_SOURCE {
            return Err(bad_configuration(format!(
                "source type `{kind}` is not supported"
            )));
        }
        let profile_token = reference
            .and_then(|r| r.child_text(ns::TT, "Token"))
            .ok_or_else(|| bad_configuration("Source/SourceToken/Token is required"))?
            .to_string();
        let profile = ctx
            .state
            .media
            .profiles
            .iter()
            .find(|p| p.token == profile_token)
            .ok_or_else(|| {
                bad_configuration(format!("the source profile {profile_token} does not exist"))
            })?;
        if profile.video_encoder.is_none() {
            return Err(bad_configuration(format!(
                "the source profile {profile_token} has no video encoder"
            )));
        }
        let mut tracks = Vec::new();
        for t in src.children_named(ns::TT, "Tracks") {
            let tag = required_text(t, ns::TT, "SourceTag")?.to_string();
            let destination = required_text(t, ns::TT, "Destination")?.to_string();
            if !rec.tracks.iter().any(|x| x.token == destination) {
                return Err(bad_configuration(format!(
                    "recording {recording} has no track {destination}"
                )));
            }
            tracks.push((tag, destination));
        }
        if tracks.is_empty() {
            // The device fills in the mapping: its adjusted configuration says which.
            tracks = recording::default_job_tracks(rec);
        }
        sources.push(JobSource {
            token: profile_token,
            kind,
            auto_create_receiver: false,
            tracks,
        });
    }
    if sources.is_empty() {
        return Err(bad_configuration("a recording job needs a source"));
    }
    if s.jobs.len() >= max_jobs {
        return Err(Fault::action(
            "ter:MaxRecordingJobs",
            "The maximum number of recording jobs is reached",
        ));
    }
    let schedule = c.attr("ScheduleToken").map(str::to_string);
    let template = spec.new_job_token.clone();
    let s = state_mut(ctx)?;
    let job = Job {
        token: RecordingState::new_token(&template, |t| s.jobs.iter().any(|j| j.token == t)),
        recording,
        mode,
        priority,
        schedule,
        sources,
    };
    let mut w = Writer::new();
    w.open("trc:CreateRecordingJobResponse", &[])
        .leaf("trc:JobToken", &job.token);
    recording::write_job_configuration(&mut w, "trc:JobConfiguration", &job);
    w.close("trc:CreateRecordingJobResponse");
    s.jobs.push(job);
    Ok(w.finish())
}

fn job_state(req: &Node, ctx: &Ctx<'_>) -> Result<String, Fault> {
    let t = token(req, ns::TRC, "JobToken")?;
    let s = state(ctx)?;
    let j = &s.jobs[job_index(s, t)?];
    let media = &ctx.state.media;
    // A source whose profile went away or lost its encoder cannot record.
    let source_state = |src: &JobSource| -> (&'static str, Option<String>) {
        if j.mode != "Active" {
            return ("Idle", None);
        }
        match media.profiles.iter().find(|p| p.token == src.token) {
            Some(p) if p.video_encoder.is_some() => ("Active", None),
            Some(_) => (
                "Error",
                Some(format!("profile {} has no video encoder", src.token)),
            ),
            None => (
                "Error",
                Some(format!("profile {} does not exist", src.token)),
            ),
        }
    };
    let states: Vec<_> = j.sources.iter().map(source_state).collect();
    let overall = match (
        states.iter().filter(|(s, _)| *s == "Active").count(),
        states.iter().filter(|(s, _)| *s == "Error").count(),
    ) {
        _ if j.mode != "Active" => "Idle",
        (a, 0) if a == states.len() => "Active",
        (0, _) => "Error",
        _ => "PartiallyActive",
    };
    let mut w = Writer::new();
    w.open("trc:GetRecordingJobStateResponse", &[])
        .open("trc:State", &[])
        .leaf("tt:RecordingToken", &j.recording)
        .leaf("tt:State", overall);
    for (src, (state, error)) in j.sources.iter().zip(&states) {
        w.open("tt:Sources", &[])
            .open("tt:SourceToken", &[("Type", &src.kind)])
            .leaf("tt:Token", &src.token)
            .close("tt:SourceToken")
            .leaf("tt:State", state)
            .open("tt:Tracks", &[]);
        for (tag, destination) in &src.tracks {
            w.open("tt:Track", &[])
                .leaf("tt:SourceTag", tag)
                .leaf("tt:Destination", destination);
            if let Some(e) = error {
                w.leaf("tt:Error", e);
            }
            w.leaf("tt:State", state).close("tt:Track");
        }
        w.close("tt:Tracks").close("tt:Sources");
    }
    w.close("trc:State")
        .close("trc:GetRecordingJobStateResponse");
    Ok(w.finish())
}
