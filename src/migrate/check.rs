//! The read twin of every write: what apply reads back after a write and verify reads on its
//! own, compared value by value with the plan. One function for both, so apply's "done" and
//! verify's "matches" mean the same thing.

use serde::Serialize;
use serde_json::{Value, json};

use super::device::Device;
use super::lower::{Kind, Op, Ref, Tokens};
use crate::model::{
    AudioCodec, AudioEncoder, AudioEncoderOptions, Codec, MediaProfile, PtzPosition,
};
use crate::onvif::session::OnvifError;
use crate::planner::plan::{AudioValues, EncoderValues};
use crate::planner::ptz::PtzTarget;

/// How far a preset may sit from its planned coordinates (in the space's own units, where
/// generic spaces span -1..1 or 0..1): the device may round to its motor steps.
pub const POSITION_TOLERANCE: f64 = 0.01;

/// A planned value the device does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Mismatch {
    /// The field (`DNSManual`, `Encoder/Resolution`).
    pub field: String,
    /// What the plan says.
    pub planned: String,
    /// What the device holds.
    pub actual: String,
}

/// What the twin read showed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Checked {
    /// The value read back (for the journal).
    pub readback: Value,
    /// Every planned value that differs.
    pub mismatches: Vec<Mismatch>,
}

fn mismatch(field: &str, planned: impl ToString, actual: impl ToString) -> Mismatch {
    Mismatch {
        field: field.to_owned(),
        planned: planned.to_string(),
        actual: actual.to_string(),
    }
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.trim().to_ascii_lowercase()).collect();
    v.sort();
    v.dedup();
    v
}

/// The new-camera token for `r`, if known.
pub fn token<'a>(r: &Ref, tokens: &'a Tokens) -> Option<&'a str> {
    tokens.get(&r.journal_key()).map(String::as_str)
}

fn not_found(what: &Ref) -> Checked {
    Checked {
        readback: Value::Null,
        mismatches: vec![mismatch(
            &format!("{:?}", what.kind).to_ascii_lowercase(),
            format!(
                "the new camera's {} for old {}",
                kind_name(what.kind),
                what.key
            ),
            "not found",
        )],
    }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Profile => "profile",
        Kind::Preset => "preset",
        Kind::Recording => "recording",
        Kind::Job => "recording job",
    }
}

/// Encoder values that differ from the plan (only values the plan sets are compared).
pub fn encoder_mismatches(
    planned: &EncoderValues,
    actual: &crate::model::VideoEncoder,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let show = |v: Option<String>| v.unwrap_or_else(|| "absent".into());
    if let Some(e) = &planned.encoding {
        if actual.encoding.as_ref() != Some(&Codec::parse(e)) {
            out.push(mismatch(
                "Encoding",
                e,
                show(actual.encoding.as_ref().map(|c| c.mime_name().to_owned())),
            ));
        }
    }
    if let (Some(w), Some(h)) = (planned.width, planned.height) {
        if actual.width != Some(w) || actual.height != Some(h) {
            out.push(mismatch(
                "Resolution",
                format!("{w}x{h}"),
                format!(
                    "{}x{}",
                    show(actual.width.map(|v| v.to_string())),
                    show(actual.height.map(|v| v.to_string()))
                ),
            ));
        }
    }
    if let Some(f) = planned.frame_rate {
        if actual.frame_rate.is_none_or(|a| (a - f).abs() > 0.01) {
            out.push(mismatch(
                "FrameRateLimit",
                f,
                show(actual.frame_rate.map(|v| v.to_string())),
            ));
        }
    }
    if let Some(b) = planned.bitrate_kbps {
        if actual.bitrate_kbps != Some(b) {
            out.push(mismatch(
                "BitrateLimit",
                b,
                show(actual.bitrate_kbps.map(|v| v.to_string())),
            ));
        }
    }
    if let Some(g) = planned.gov_length {
        if actual.gov_length.is_some_and(|a| a != g) {
            out.push(mismatch(
                "GovLength",
                g,
                show(actual.gov_length.map(|v| v.to_string())),
            ));
        }
    }
    if let Some(q) = planned.quality {
        if actual.quality.is_none_or(|a| (a - q).abs() > 0.01) {
            out.push(mismatch(
                "Quality",
                q,
                show(actual.quality.map(|v| v.to_string())),
            ));
        }
    }
    if let Some(p) = &planned.profile {
        if actual
            .profile
            .as_deref()
            .is_some_and(|a| !a.eq_ignore_ascii_case(p))
        {
            out.push(mismatch("Profile", p, show(actual.profile.clone())));
        }
    }
    out
}

/// Audio encoder values that differ from the plan (only values the plan sets are compared;
/// codec names compare by family: ver10 `G711` is Media2 `PCMU`).
pub fn audio_mismatches(planned: &AudioValues, actual: &AudioEncoder) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let show = |v: Option<u32>| v.map_or_else(|| "absent".to_owned(), |v| v.to_string());
    if let Some(e) = &planned.encoding {
        let same = actual
            .encoding
            .as_deref()
            .is_some_and(|a| AudioCodec::parse(a) == AudioCodec::parse(e));
        if !same {
            out.push(mismatch(
                "Encoding",
                e,
                actual.encoding.as_deref().unwrap_or("absent"),
            ));
        }
    }
    if let Some(b) = planned.bitrate_kbps {
        if actual.bitrate_kbps != Some(b) {
            out.push(mismatch("Bitrate", b, show(actual.bitrate_kbps)));
        }
    }
    if let Some(r) = planned.sample_rate_khz {
        if actual.sample_rate_khz != Some(r) {
            out.push(mismatch("SampleRate", r, show(actual.sample_rate_khz)));
        }
    }
    out
}

/// The planned audio values fitted to what the encoder offers: the planned codec when the
/// device offers it (else the first one it offers), in the device's own spelling, and the
/// offered bitrate and sample rate nearest the planned ones (on a tie the higher). No
/// options, or none for any codec: the plan as it is.
pub fn fit_audio(planned: &AudioValues, options: &[AudioEncoderOptions]) -> AudioValues {
    let want = planned.encoding.as_deref().map(AudioCodec::parse);
    let Some(o) = options
        .iter()
        .find(|o| {
            want.as_ref()
                .is_none_or(|w| AudioCodec::parse(&o.encoding) == *w)
        })
        .or_else(|| options.first())
    else {
        return planned.clone();
    };
    let nearest = |v: Option<u32>, offered: &[u32]| -> Option<u32> {
        let v = v?;
        if offered.is_empty() || offered.contains(&v) {
            return Some(v);
        }
        offered
            .iter()
            .copied()
            .min_by_key(|o| (o.abs_diff(v), std::cmp::Reverse(*o)))
    };
    AudioValues {
        encoding: planned.encoding.as_ref().map(|_| o.encoding.clone()),
        bitrate_kbps: nearest(planned.bitrate_kbps, &o.bitrates),
        sample_rate_khz: nearest(planned.sample_rate_khz, &o.sample_rates),
    }
}

/// Clock settings that differ from the plan: the mode and zone when the plan names them
/// (zones compare as text: they are free-form and never interpreted), and DST.
pub fn date_time_mismatches(
    date_time_type: Option<&str>,
    tz: Option<&str>,
    daylight_savings: bool,
    actual: &crate::onvif::device::SystemDateTime,
) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let show = |v: Option<&str>| v.unwrap_or("absent").to_owned();
    if let Some(t) = date_time_type {
        if actual
            .date_time_type
            .is_none_or(|a| !a.as_str().eq_ignore_ascii_case(t))
        {
            out.push(mismatch(
                "DateTimeType",
                t,
                show(actual.date_time_type.map(|a| a.as_str())),
            ));
        }
    }
    if let Some(z) = tz {
        if actual.tz.as_deref().map(str::trim) != Some(z.trim()) {
            out.push(mismatch("TimeZone/TZ", z, show(actual.tz.as_deref())));
        }
    }
    if actual.daylight_savings != Some(daylight_savings) {
        out.push(mismatch(
            "DaylightSavings",
            daylight_savings,
            show(
                actual
                    .daylight_savings
                    .map(|d| if d { "true" } else { "false" }),
            ),
        ));
    }
    out
}

/// How far (degrees) a preset may sit from its planned direction when the device reports it
/// in another space than the plan's (converted through the node's spaces).
pub const DEGREE_TOLERANCE: f64 = 0.5;

fn position_mismatches(
    target: &PtzTarget,
    actual: Option<&PtzPosition>,
    nodes: &[crate::model::PtzNode],
) -> Vec<Mismatch> {
    use crate::planner::ptz::{GENERIC_PAN_TILT_SPACE, OldUnit, SPHERICAL_SPACE};
    let mut out = Vec::new();
    let Some(actual) = actual else {
        if target.pan_tilt.is_some() || target.zoom.is_some() {
            out.push(mismatch("Position", "a stored position", "none reported"));
        }
        return out;
    };
    if let Some(pt) = &target.pan_tilt {
        let planned = format!("({}, {}) in {}", pt.x, pt.y, pt.space);
        match &actual.pan_tilt {
            None => out.push(mismatch("Position/PanTilt", planned, "absent")),
            Some((x, y, space)) => {
                let space = space.as_deref().unwrap_or(GENERIC_PAN_TILT_SPACE);
                if space == pt.space {
                    if (x - pt.x).abs() > POSITION_TOLERANCE
                        || (y - pt.y).abs() > POSITION_TOLERANCE
                    {
                        out.push(mismatch("Position/PanTilt", planned, format!("({x}, {y})")));
                    }
                } else if pt.space == SPHERICAL_SPACE {
                    // The device reports its own (generic) space: turn it into degrees with
                    // the node's ranges, as the planner did for the old camera.
                    let node = nodes
                        .iter()
                        .find(|n| n.absolute_pan_tilt.iter().any(|s| s.uri == SPHERICAL_SPACE));
                    let unit = OldUnit {
                        node,
                        default_pan_tilt_space: None,
                        calibration: None,
                    };
                    let pos = PtzPosition {
                        pan_tilt: Some((*x, *y, Some(space.to_owned()))),
                        zoom: None,
                    };
                    match unit.physical(&pos).aim {
                        Ok((pan, elev))
                            if (pan - pt.x).abs() <= DEGREE_TOLERANCE
                                && (elev - pt.y).abs() <= DEGREE_TOLERANCE => {}
                        Ok((pan, elev)) => out.push(mismatch(
                            "Position/PanTilt",
                            planned,
                            format!(
                                "({pan:.2}, {elev:.2}) degrees (reported ({x}, {y}) in {space})"
                            ),
                        )),
                        Err(why) => out.push(mismatch(
                            "Position/PanTilt",
                            planned,
                            format!("({x}, {y}) in {space}, not comparable: {why}"),
                        )),
                    }
                } else {
                    out.push(mismatch(
                        "Position/PanTilt",
                        planned,
                        format!("({x}, {y}) in {space}, not comparable"),
                    ));
                }
            }
        }
    }
    if let Some(z) = &target.zoom {
        match &actual.zoom {
            Some((x, space)) if space.as_deref().is_none_or(|s| s == z.space) => {
                if (x - z.x).abs() > POSITION_TOLERANCE {
                    out.push(mismatch("Position/Zoom", z.x, x));
                }
            }
            // A zoom reported in another space than planned cannot be compared without the
            // lens calibration; the pan/tilt check stands.
            Some(_) => {}
            None => out.push(mismatch("Position/Zoom", z.x, "absent")),
        }
    }
    out
}

async fn profile(
    device: &mut Device,
    service: crate::planner::plan::MediaApi,
    r: &Ref,
    tokens: &Tokens,
) -> Result<Option<MediaProfile>, OnvifError> {
    let Some(t) = token(r, tokens) else {
        return Ok(None);
    };
    Ok(device
        .profiles(service)
        .await?
        .into_iter()
        .find(|p| p.token == t))
}

/// A configuration slot of a profile that an Add* operation fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    VideoSource,
    VideoEncoder,
    AudioSource,
    AudioEncoder,
    Ptz,
}

/// Whether the profile holds a configuration in `slot`.
async fn added(
    device: &mut Device,
    service: crate::planner::plan::MediaApi,
    r: &Ref,
    tokens: &Tokens,
    slot: Slot,
) -> Result<Checked, OnvifError> {
    let Some(p) = profile(device, service, r, tokens).await? else {
        return Ok(not_found(r));
    };
    // Its readback key, its field, its token.
    let (key, field, token) = match slot {
        Slot::VideoSource => (
            "video_source_configuration",
            "VideoSourceConfiguration",
            p.video_source_configuration.as_ref().map(|v| &v.token),
        ),
        Slot::VideoEncoder => (
            "video_encoder",
            "VideoEncoderConfiguration",
            p.video_encoder.as_ref().map(|v| &v.token),
        ),
        Slot::AudioSource => (
            "audio_source_configuration",
            "AudioSourceConfiguration",
            p.audio_source_configuration.as_ref(),
        ),
        Slot::AudioEncoder => (
            "audio_encoder",
            "AudioEncoderConfiguration",
            p.audio_encoder.as_ref().map(|v| &v.token),
        ),
        Slot::Ptz => (
            "ptz_configuration",
            "PTZConfiguration",
            p.ptz_configuration.as_ref(),
        ),
    };
    let mut c = Checked {
        readback: json!({ key: token }),
        mismatches: Vec::new(),
    };
    if token.is_none() {
        c.mismatches.push(mismatch(field, "present", "absent"));
    }
    Ok(c)
}

/// Reads the twin of `op` and compares it with the plan. `target` is the position the
/// step moved to before a SetPreset (for the preset's position check).
pub async fn check(
    device: &mut Device,
    op: &Op,
    target: Option<&PtzTarget>,
    tokens: &Tokens,
) -> Result<Checked, OnvifError> {
    let mut c = Checked::default();
    match op {
        Op::CreateUser { username, level } => {
            let users = device.users().await?.to_vec();
            match users.iter().find(|u| &u.username == username) {
                Some(u) => {
                    c.readback = json!({"username": u.username, "level": u.level});
                    if !u.level.eq_ignore_ascii_case(level) {
                        c.mismatches.push(mismatch("UserLevel", level, &u.level));
                    }
                }
                None => c
                    .mismatches
                    .push(mismatch("Username", username, "no such user")),
            }
        }
        Op::SetDns { dns } => {
            let got = device.dns().await?;
            c.readback = json!(got);
            if got.from_dhcp != dns.from_dhcp {
                c.mismatches
                    .push(mismatch("FromDHCP", dns.from_dhcp, got.from_dhcp));
            }
            if !dns.from_dhcp && sorted(&got.servers) != sorted(&dns.servers) {
                c.mismatches.push(mismatch(
                    "DNSManual",
                    dns.servers.join(", "),
                    got.servers.join(", "),
                ));
            }
            if sorted(&got.search_domains) != sorted(&dns.search_domains) {
                c.mismatches.push(mismatch(
                    "SearchDomain",
                    dns.search_domains.join(", "),
                    got.search_domains.join(", "),
                ));
            }
        }
        Op::SetNtp { ntp } => {
            let got = device.ntp().await?;
            c.readback = json!(got);
            if got.from_dhcp != ntp.from_dhcp {
                c.mismatches
                    .push(mismatch("FromDHCP", ntp.from_dhcp, got.from_dhcp));
            }
            if !ntp.from_dhcp && sorted(&got.servers) != sorted(&ntp.servers) {
                c.mismatches.push(mismatch(
                    "NTPManual",
                    ntp.servers.join(", "),
                    got.servers.join(", "),
                ));
            }
        }
        Op::SetDateTime {
            date_time_type,
            tz,
            daylight_savings,
        } => {
            let got = device.date_time().await?;
            c.readback = json!({
                "date_time_type": got.date_time_type.map(|t| t.as_str()),
                "tz": got.tz,
                "daylight_savings": got.daylight_savings,
            });
            c.mismatches = date_time_mismatches(
                date_time_type.as_deref(),
                tz.as_deref(),
                *daylight_savings,
                &got,
            );
        }
        Op::SetScopes { scopes } => {
            let got = device.scopes().await?;
            let have: Vec<&str> = got.iter().map(|s| s.uri.as_str()).collect();
            c.readback = json!(have);
            for s in scopes {
                if !have.contains(&s.as_str()) {
                    c.mismatches.push(mismatch("Scopes", s, "absent"));
                }
            }
        }
        Op::CreateProfile {
            service,
            profile: r,
            name,
        } => match profile(device, *service, r, tokens).await? {
            None => return Ok(not_found(r)),
            Some(p) => {
                c.readback = json!({"token": p.token, "name": p.name});
                if &p.name != name {
                    c.mismatches.push(mismatch("Name", name, &p.name));
                }
            }
        },
        Op::AddVideoSource {
            service,
            profile: r,
        } => return added(device, *service, r, tokens, Slot::VideoSource).await,
        Op::AddVideoEncoder {
            service,
            profile: r,
            ..
        } => return added(device, *service, r, tokens, Slot::VideoEncoder).await,
        Op::AddAudioSource {
            service,
            profile: r,
        } => return added(device, *service, r, tokens, Slot::AudioSource).await,
        Op::AddAudioEncoder {
            service,
            profile: r,
            ..
        } => return added(device, *service, r, tokens, Slot::AudioEncoder).await,
        Op::AddPtz {
            service,
            profile: r,
        } => return added(device, *service, r, tokens, Slot::Ptz).await,
        Op::SetAudioEncoder {
            service,
            profile: r,
            values,
        } => match profile(device, *service, r, tokens).await? {
            None => return Ok(not_found(r)),
            Some(p) => match &p.audio_encoder {
                None => {
                    c.mismatches
                        .push(mismatch("AudioEncoderConfiguration", "present", "absent"))
                }
                Some(e) => {
                    c.readback = json!(e);
                    c.mismatches = audio_mismatches(values, e);
                }
            },
        },
        Op::SetVideoEncoder {
            service,
            profile: r,
            values,
        } => match profile(device, *service, r, tokens).await? {
            None => return Ok(not_found(r)),
            Some(p) => match &p.video_encoder {
                None => {
                    c.mismatches
                        .push(mismatch("VideoEncoderConfiguration", "present", "absent"))
                }
                Some(e) => {
                    c.readback = json!(e);
                    c.mismatches = encoder_mismatches(values, e);
                }
            },
        },
        Op::SetPreset {
            profile: pr,
            preset,
            name,
        } => {
            let Some(pt) = token(pr, tokens).map(str::to_owned) else {
                return Ok(not_found(pr));
            };
            let Some(t) = token(preset, tokens).map(str::to_owned) else {
                return Ok(not_found(preset));
            };
            let presets = device.presets(&pt).await?;
            match presets.iter().find(|p| p.token == t) {
                None => return Ok(not_found(preset)),
                Some(p) => {
                    c.readback = json!({"token": p.token, "name": p.name, "position": p.position});
                    if p.name.as_deref() != Some(name.as_str()) {
                        c.mismatches.push(mismatch(
                            "PresetName",
                            name,
                            p.name.as_deref().unwrap_or("absent"),
                        ));
                    }
                    if let Some(target) = target {
                        let nodes = device.ptz_nodes().await?;
                        c.mismatches.extend(position_mismatches(
                            target,
                            p.position.as_ref(),
                            &nodes,
                        ));
                    }
                }
            }
        }
        // Transient (a move) or not readable through ONVIF (there is no GetHomePosition).
        Op::AbsoluteMove { .. } | Op::SetHomePosition { .. } => {}
        Op::CreateRecording {
            recording: r,
            source,
            content,
            max_retention,
        } => {
            let Some(t) = token(r, tokens).map(str::to_owned) else {
                return Ok(not_found(r));
            };
            let recs = device.recordings().await?;
            match recs.iter().find(|x| x.token == t) {
                None => return Ok(not_found(r)),
                Some(x) => {
                    c.readback = json!({"token": x.token, "source": x.source, "content": x.content, "max_retention": x.max_retention});
                    if x.source.name != source.name {
                        c.mismatches
                            .push(mismatch("Source/Name", &source.name, &x.source.name));
                    }
                    if x.source.location != source.location {
                        c.mismatches.push(mismatch(
                            "Source/Location",
                            &source.location,
                            &x.source.location,
                        ));
                    }
                    if &x.content != content {
                        c.mismatches.push(mismatch("Content", content, &x.content));
                    }
                    let planned = crate::onvif::parse_duration_s(max_retention);
                    if planned.is_some() && x.max_retention_s != planned {
                        c.mismatches.push(mismatch(
                            "MaximumRetentionTime",
                            max_retention,
                            x.max_retention.as_deref().unwrap_or("absent"),
                        ));
                    }
                }
            }
        }
        Op::CreateTrack {
            recording: r,
            track,
        } => {
            let Some(t) = token(r, tokens).map(str::to_owned) else {
                return Ok(not_found(r));
            };
            let recs = device.recordings().await?;
            match recs.iter().find(|x| x.token == t) {
                None => return Ok(not_found(r)),
                Some(x) => {
                    c.readback = json!(x.tracks);
                    if !x
                        .tracks
                        .iter()
                        .any(|k| k.kind.eq_ignore_ascii_case(&track.kind))
                    {
                        c.mismatches
                            .push(mismatch("TrackType", &track.kind, "no such track"));
                    }
                }
            }
        }
        Op::CreateRecordingJob {
            job,
            recording,
            mode,
            priority,
            ..
        } => {
            let Some(t) = token(job, tokens).map(str::to_owned) else {
                return Ok(not_found(job));
            };
            let jobs = device.jobs().await?;
            match jobs.iter().find(|j| j.token == t) {
                None => return Ok(not_found(job)),
                Some(j) => {
                    c.readback = json!(j);
                    if let Some(rt) = token(recording, tokens) {
                        if j.recording_token != rt {
                            c.mismatches
                                .push(mismatch("RecordingToken", rt, &j.recording_token));
                        }
                    }
                    if !j.mode.eq_ignore_ascii_case(mode) {
                        c.mismatches.push(mismatch("Mode", mode, &j.mode));
                    }
                    if j.priority != *priority {
                        c.mismatches
                            .push(mismatch("Priority", priority, j.priority));
                    }
                }
            }
        }
        Op::SetHostname { name } => {
            let got = device.hostname().await?;
            c.readback = json!(got);
            if !got
                .name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
            {
                c.mismatches.push(mismatch(
                    "Hostname",
                    name,
                    got.name.as_deref().unwrap_or("absent"),
                ));
            }
        }
        Op::SetGateway { gateway } => {
            let got = device.gateway().await?;
            c.readback = json!(got);
            if !got.iter().any(|g| g == gateway) {
                c.mismatches
                    .push(mismatch("IPv4Address", gateway, got.join(", ")));
            }
        }
        Op::SetNetworkInterfaces {
            dhcp,
            address,
            prefix_length,
        } => {
            let got = device.interfaces().await?;
            let v4 = got.iter().find_map(|i| i.ipv4.clone()).unwrap_or_default();
            c.readback = json!(v4);
            if v4.dhcp != *dhcp {
                c.mismatches.push(mismatch("IPv4/DHCP", dhcp, v4.dhcp));
            }
            if !*dhcp {
                if let Some(a) = address {
                    if v4.address.as_deref() != Some(a.as_str()) {
                        c.mismatches.push(mismatch(
                            "IPv4/Manual/Address",
                            a,
                            v4.address.as_deref().unwrap_or("absent"),
                        ));
                    }
                }
                if let Some(p) = prefix_length {
                    if v4.prefix_length != Some(*p) {
                        c.mismatches.push(mismatch(
                            "IPv4/Manual/PrefixLength",
                            p,
                            v4.prefix_length.map_or("absent".into(), |v| v.to_string()),
                        ));
                    }
                }
            }
        }
    }
    Ok(c)
}

/// The planned encoder values fitted to what the encoder offers: the nearest offered
/// resolution (by pixel count), frame rate, and quality, bitrate and GOV length clamped to
/// their ranges. The plan was made from catalogue data; the device's own options decide.
pub fn fit_to_options(
    planned: &EncoderValues,
    options: &[crate::model::EncoderOptions],
) -> EncoderValues {
    let codec = planned.encoding.as_deref().map(Codec::parse);
    let Some(o) = options
        .iter()
        .find(|o| codec.is_none() || o.encoding == codec)
    else {
        return planned.clone();
    };
    let mut v = planned.clone();
    if let (Some(w), Some(h)) = (v.width, v.height) {
        if !o.resolutions.is_empty() && !o.resolutions.contains(&(w, h)) {
            let area = i64::from(w) * i64::from(h);
            if let Some(&(bw, bh)) = o.resolutions.iter().min_by_key(|(rw, rh)| {
                let a = i64::from(*rw) * i64::from(*rh);
                // Nearest pixel count; on a tie the larger picture.
                ((a - area).abs(), -a)
            }) {
                v.width = Some(bw);
                v.height = Some(bh);
            }
        }
    }
    if let Some(f) = v.frame_rate {
        if let Some(r) = o.frame_rate_range {
            v.frame_rate = Some(r.clamp(f));
        } else if !o.frame_rates.is_empty() && !o.frame_rates.contains(&f) {
            v.frame_rate = o
                .frame_rates
                .iter()
                .copied()
                .min_by(|a, b| (a - f).abs().total_cmp(&(b - f).abs()));
        }
    }
    if let (Some(q), Some(r)) = (v.quality, o.quality_range) {
        v.quality = Some(r.clamp(q));
    }
    if let (Some(b), Some(r)) = (v.bitrate_kbps, o.bitrate_range) {
        v.bitrate_kbps = Some(r.clamp(f64::from(b)).round() as u32);
    }
    if let (Some(g), Some(r)) = (v.gov_length, o.gov_length_range) {
        v.gov_length = Some(r.clamp(f64::from(g)).round() as u32);
    }
    if let Some(p) = &v.profile {
        if !o.profiles.is_empty() && !o.profiles.iter().any(|x| x.eq_ignore_ascii_case(p)) {
            v.profile = o.profiles.first().cloned();
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EncoderOptions, Range};

    #[test]
    fn planned_values_are_fitted_to_the_encoders_own_options() {
        // The Bosch 5100i persona offers 3072x1728, 1920x1080, 1536x864, 1280x720 for H.264;
        // a plan made from the catalogue asked for the old camera's 2688x1520.
        let options = vec![EncoderOptions {
            encoding: Some(Codec::H264),
            resolutions: vec![(3072, 1728), (1920, 1080), (1536, 864), (1280, 720)],
            frame_rate_range: Some(Range::new(1.0, 30.0)),
            quality_range: Some(Range::new(0.0, 100.0)),
            bitrate_range: Some(Range::new(64.0, 16384.0)),
            gov_length_range: Some(Range::new(1.0, 255.0)),
            profiles: vec!["Main".into(), "High".into()],
            ..EncoderOptions::default()
        }];
        let planned = EncoderValues {
            encoding: Some("H264".into()),
            width: Some(2688),
            height: Some(1520),
            frame_rate: Some(50.0),
            bitrate_kbps: Some(20000),
            gov_length: Some(50),
            profile: Some("Baseline".into()),
            ..EncoderValues::default()
        };
        let v = fit_to_options(&planned, &options);
        // 2688x1520 = 4,085,760 px; 3072x1728 = 5,308,416 (+1.22M); 1920x1080 = 2,073,600 (-2.01M).
        assert_eq!((v.width, v.height), (Some(3072), Some(1728)));
        assert_eq!(v.frame_rate, Some(30.0));
        assert_eq!(v.bitrate_kbps, Some(16384));
        assert_eq!(v.gov_length, Some(50));
        assert_eq!(v.profile.as_deref(), Some("Main"));
        // A value the encoder offers is left alone.
        let exact = EncoderValues {
            width: Some(1920),
            height: Some(1080),
            ..planned
        };
        assert_eq!(fit_to_options(&exact, &options).width, Some(1920));
    }

    #[test]
    fn planned_audio_is_fitted_to_the_encoders_options_and_compared_by_codec_family() {
        // The Dahua IPC-HDW2431T reports G.711 at 32 kbit/s, 8 kHz; a Media2 device that
        // offers PCMU at 64 kbit/s only (G.711 is 8 bits at 8 kHz: 64 kbit/s) and AAC.
        let options = vec![
            AudioEncoderOptions {
                encoding: "MP4A-LATM".into(),
                bitrates: vec![16, 32, 48],
                sample_rates: vec![8, 16, 48],
            },
            AudioEncoderOptions {
                encoding: "PCMU".into(),
                bitrates: vec![64],
                sample_rates: vec![8],
            },
        ];
        let planned = AudioValues {
            encoding: Some("G711".into()),
            bitrate_kbps: Some(32),
            sample_rate_khz: Some(8),
        };
        let fitted = fit_audio(&planned, &options);
        assert_eq!(
            fitted,
            AudioValues {
                encoding: Some("PCMU".into()),
                bitrate_kbps: Some(64),
                sample_rate_khz: Some(8),
            }
        );
        let device = AudioEncoder {
            token: "AE".into(),
            encoding: Some("PCMU".into()),
            bitrate_kbps: Some(64),
            sample_rate_khz: Some(8),
            ..AudioEncoder::default()
        };
        // PCMU is G711: only the bitrate differs from the plan (the adaptation apply records).
        assert_eq!(
            audio_mismatches(&planned, &device),
            [mismatch("Bitrate", 32, 64)]
        );
        assert!(audio_mismatches(&fitted, &device).is_empty());
        // AAC at 40 kbit/s and 12 kHz: halfway between offered values, the higher one wins.
        let aac = AudioValues {
            encoding: Some("AAC".into()),
            bitrate_kbps: Some(40),
            sample_rate_khz: Some(12),
        };
        assert_eq!(
            fit_audio(&aac, &options),
            AudioValues {
                encoding: Some("MP4A-LATM".into()),
                bitrate_kbps: Some(48),
                sample_rate_khz: Some(16),
            }
        );
        // A codec the device does not offer: its first codec, adapted (and journaled).
        let g726 = AudioValues {
            encoding: Some("G726".into()),
            ..planned.clone()
        };
        assert_eq!(
            fit_audio(&g726, &options).encoding.as_deref(),
            Some("MP4A-LATM")
        );
        assert_eq!(fit_audio(&planned, &[]), planned);
    }
}
