//! Lowering: each plan step becomes the list of ONVIF write operations apply sends, as
//! values. Dry run prints this list, apply sends it (looking each item up first and reading
//! it back), and verify reads the twin of every item; all three walk the same list.
//!
//! Tokens the new camera chooses (profiles, presets, recordings, jobs) are not in the plan:
//! an operation names them by the old camera's key ([`Ref`]), and apply resolves them from
//! what it created or adopted (kept in the journal). Dry run shows them as `<profile KEY>`.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use serde::Serialize;

use crate::model::{Dns, Ntp, RecordingSource};
use crate::onvif::device::{DateTimeType, UserLevel};
use crate::planner::plan::{
    AudioValues, CameraPlan, EncoderValues, JobSource, MediaApi, Step, TrackValues,
};
use crate::planner::ptz::PtzTarget;

/// The plan asks for something that cannot be applied as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LowerError {
    /// The planner marked the camera as one apply must not run (its `errors`).
    #[error("camera {camera}: the plan says it cannot be applied: {}", errors.join("; "))]
    PlanErrors {
        /// Camera id.
        camera: String,
        /// The plan's errors for it.
        errors: Vec<String>,
    },
    /// The gateway is not inside the target subnet: the camera would be unreachable.
    #[error(
        "camera {camera}: step {step} (set_network): gateway {gateway} is outside {address}/{prefix}; the camera would lose its way out after the move. Fix the plan"
    )]
    GatewayOutsideSubnet {
        /// Camera id.
        camera: String,
        /// Step index.
        step: usize,
        /// The gateway.
        gateway: String,
        /// The address.
        address: String,
        /// The prefix length.
        prefix: u8,
    },
    /// A static network step names a gateway but no address: the gateway cannot be checked
    /// against a subnet, and setting it alone could cut the camera off.
    #[error(
        "camera {camera}: step {step} (set_network): gateway {gateway} without an address; a static network step sets both or neither. Fix the plan"
    )]
    GatewayWithoutAddress {
        /// Camera id.
        camera: String,
        /// Step index.
        step: usize,
        /// The gateway.
        gateway: String,
    },
    /// A value that must be an IPv4 address is not one.
    #[error("camera {camera}: step {step} ({kind}): {field} \"{value}\" is not an IPv4 address")]
    NotIpv4 {
        /// Camera id.
        camera: String,
        /// Step index.
        step: usize,
        /// Step kind.
        kind: &'static str,
        /// The field.
        field: &'static str,
        /// The value.
        value: String,
    },
    /// A value outside the set the step allows.
    #[error("camera {camera}: step {step} ({kind}): {field} \"{value}\" is not {expected}")]
    BadValue {
        /// Camera id.
        camera: String,
        /// Step index.
        step: usize,
        /// Step kind.
        kind: &'static str,
        /// The field.
        field: &'static str,
        /// The value.
        value: String,
        /// What it may be.
        expected: &'static str,
    },
    /// A static address without a prefix length.
    #[error("camera {camera}: step {step} (set_network): a static address needs a prefix length")]
    NoPrefix {
        /// Camera id.
        camera: String,
        /// Step index.
        step: usize,
    },
}

/// What kind of object a [`Ref`] names on the new camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A media profile.
    Profile,
    /// A PTZ preset.
    Preset,
    /// A recording.
    Recording,
    /// A recording job.
    Job,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Profile => "profile",
            Self::Preset => "preset",
            Self::Recording => "recording",
            Self::Job => "job",
        }
    }
}

/// A new-camera token named by the old camera's key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Ref {
    /// What it names.
    pub kind: Kind,
    /// The old camera's token.
    pub key: String,
}

impl Ref {
    /// A reference to the new token of `kind` `key`.
    pub fn new(kind: Kind, key: impl Into<String>) -> Self {
        Self {
            kind,
            key: key.into(),
        }
    }

    /// The journal's key for this reference (`profile:101`).
    pub fn journal_key(&self) -> String {
        format!("{}:{}", self.kind.name(), self.key)
    }
}

/// New-camera tokens by [`Ref::journal_key`].
pub type Tokens = BTreeMap<String, String>;

/// The token `r` stands for, or a placeholder naming it when it is not known yet.
pub fn show(r: &Ref, tokens: &Tokens) -> String {
    tokens
        .get(&r.journal_key())
        .cloned()
        .unwrap_or_else(|| format!("<{} {}>", r.kind.name(), r.key))
}

/// One ONVIF write operation, as a value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// device CreateUsers (the password comes from the credentials file, never from here).
    CreateUser {
        /// User name.
        username: String,
        /// Level.
        level: String,
    },
    /// device SetDNS.
    SetDns {
        /// Values.
        dns: Dns,
    },
    /// device SetNTP.
    SetNtp {
        /// Values.
        ntp: Ntp,
    },
    /// device SetSystemDateAndTime: the old camera's clock mode, zone and DST (a Manual
    /// clock is set to apply's own UTC time; the planned values say nothing of the time).
    SetDateTime {
        /// `NTP` or `Manual`; absent: the mode the new camera has is kept.
        date_time_type: Option<String>,
        /// POSIX time zone; absent: the zone is left as it is.
        tz: Option<String>,
        /// Daylight saving on.
        daylight_savings: bool,
    },
    /// device SetScopes (configurable scopes).
    SetScopes {
        /// Scope URIs.
        scopes: Vec<String>,
    },
    /// media/media2 CreateProfile (adopted when one with the name exists).
    CreateProfile {
        /// Service.
        service: MediaApi,
        /// The profile it becomes.
        profile: Ref,
        /// Name.
        name: String,
    },
    /// Add the video source configuration to the profile.
    AddVideoSource {
        /// Service.
        service: MediaApi,
        /// Profile.
        profile: Ref,
    },
    /// Add a video encoder configuration of the target codec to the profile.
    AddVideoEncoder {
        /// Service.
        service: MediaApi,
        /// Profile.
        profile: Ref,
        /// Codec the encoder will carry (picks a configuration of that codec when free).
        encoding: Option<String>,
    },
    /// Add the device's audio source configuration to the profile.
    AddAudioSource {
        /// Service.
        service: MediaApi,
        /// Profile.
        profile: Ref,
    },
    /// Add an audio encoder configuration to the profile (after its audio source).
    AddAudioEncoder {
        /// Service.
        service: MediaApi,
        /// Profile.
        profile: Ref,
        /// Codec the old profile streamed (picks a configuration of that codec when free).
        encoding: Option<String>,
    },
    /// SetAudioEncoderConfiguration of the profile's audio encoder: the old camera's
    /// encoding, bitrate and sample rate, fitted to the encoder's options at apply time.
    SetAudioEncoder {
        /// Service.
        service: MediaApi,
        /// Profile.
        profile: Ref,
        /// Target values.
        values: AudioValues,
    },
    /// Add the PTZ configuration to the profile.
    AddPtz {
        /// Service.
        service: MediaApi,
        /// Profile.
        profile: Ref,
    },
    /// SetVideoEncoderConfiguration of the profile's encoder.
    SetVideoEncoder {
        /// Service.
        service: MediaApi,
        /// Profile.
        profile: Ref,
        /// Target values.
        values: EncoderValues,
    },
    /// ptz AbsoluteMove, then GetStatus until idle.
    AbsoluteMove {
        /// Profile.
        profile: Ref,
        /// Where to.
        target: PtzTarget,
    },
    /// ptz SetPreset at the current position (the device picks the token).
    SetPreset {
        /// Profile.
        profile: Ref,
        /// The preset it becomes.
        preset: Ref,
        /// Name.
        name: String,
    },
    /// ptz SetHomePosition at the current position.
    SetHomePosition {
        /// Profile.
        profile: Ref,
    },
    /// recording CreateRecording (or adopt the fixed recording).
    CreateRecording {
        /// The recording it becomes.
        recording: Ref,
        /// Source description.
        source: RecordingSource,
        /// Content.
        content: String,
        /// Retention, ISO 8601.
        max_retention: String,
    },
    /// recording CreateTrack (when the recording lacks a track of that type).
    CreateTrack {
        /// Recording.
        recording: Ref,
        /// Track.
        track: TrackValues,
    },
    /// recording CreateRecordingJob.
    CreateRecordingJob {
        /// The job it becomes.
        job: Ref,
        /// Recording.
        recording: Ref,
        /// `Active` or `Idle`.
        mode: String,
        /// Priority.
        priority: u32,
        /// Sources (profile keys).
        sources: Vec<JobSource>,
    },
    /// device SetHostname.
    SetHostname {
        /// Name.
        name: String,
    },
    /// device SetNetworkDefaultGateway.
    SetGateway {
        /// IPv4 gateway.
        gateway: String,
    },
    /// device SetNetworkInterfaces (then SystemReboot when the device says RebootNeeded, and
    /// apply follows it to its new address).
    SetNetworkInterfaces {
        /// DHCP on.
        dhcp: bool,
        /// Static address.
        address: Option<String>,
        /// Prefix length.
        prefix_length: Option<u8>,
    },
}

impl Op {
    /// `service.Operation` as in the operation table.
    pub fn name(&self) -> &'static str {
        let m = |s: &MediaApi, v1: &'static str, v2: &'static str| match s {
            MediaApi::Media => v1,
            MediaApi::Media2 => v2,
        };
        match self {
            Self::CreateUser { .. } => "device.CreateUsers",
            Self::SetDns { .. } => "device.SetDNS",
            Self::SetNtp { .. } => "device.SetNTP",
            Self::SetDateTime { .. } => "device.SetSystemDateAndTime",
            Self::SetScopes { .. } => "device.SetScopes",
            Self::CreateProfile { service, .. } => {
                m(service, "media.CreateProfile", "media2.CreateProfile")
            }
            Self::AddVideoSource { service, .. } => m(
                service,
                "media.AddVideoSourceConfiguration",
                "media2.AddConfiguration",
            ),
            Self::AddVideoEncoder { service, .. } => m(
                service,
                "media.AddVideoEncoderConfiguration",
                "media2.AddConfiguration",
            ),
            Self::AddAudioSource { service, .. } => m(
                service,
                "media.AddAudioSourceConfiguration",
                "media2.AddConfiguration",
            ),
            Self::AddAudioEncoder { service, .. } => m(
                service,
                "media.AddAudioEncoderConfiguration",
                "media2.AddConfiguration",
            ),
            Self::SetAudioEncoder { service, .. } => m(
                service,
                "media.SetAudioEncoderConfiguration",
                "media2.SetAudioEncoderConfiguration",
            ),
            Self::AddPtz { service, .. } => m(
                service,
                "media.AddPTZConfiguration",
                "media2.AddConfiguration",
            ),
            Self::SetVideoEncoder { service, .. } => m(
                service,
                "media.SetVideoEncoderConfiguration",
                "media2.SetVideoEncoderConfiguration",
            ),
            Self::AbsoluteMove { .. } => "ptz.AbsoluteMove",
            Self::SetPreset { .. } => "ptz.SetPreset",
            Self::SetHomePosition { .. } => "ptz.SetHomePosition",
            Self::CreateRecording { .. } => "recording.CreateRecording",
            Self::CreateTrack { .. } => "recording.CreateTrack",
            Self::CreateRecordingJob { .. } => "recording.CreateRecordingJob",
            Self::SetHostname { .. } => "device.SetHostname",
            Self::SetGateway { .. } => "device.SetNetworkDefaultGateway",
            Self::SetNetworkInterfaces { .. } => "device.SetNetworkInterfaces",
        }
    }

    /// One line for the dry run: the operation and every value it carries.
    pub fn describe(&self, tokens: &Tokens) -> String {
        let list = |v: &[String]| format!("[{}]", v.join(", "));
        let args = match self {
            Self::CreateUser { username, level } => {
                format!("Username={username} UserLevel={level} Password=<from credentials file>")
            }
            Self::SetDns { dns } => format!(
                "FromDHCP={} SearchDomain={} DNSManual={}",
                dns.from_dhcp,
                list(&dns.search_domains),
                list(&dns.servers)
            ),
            Self::SetNtp { ntp } => {
                format!(
                    "FromDHCP={} NTPManual={}",
                    ntp.from_dhcp,
                    list(&ntp.servers)
                )
            }
            Self::SetDateTime {
                date_time_type,
                tz,
                daylight_savings,
            } => format!(
                "DateTimeType={} DaylightSavings={daylight_savings} TimeZone={}{}",
                date_time_type.as_deref().unwrap_or("<unchanged>"),
                tz.as_deref().unwrap_or("<unchanged>"),
                if date_time_type
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case("manual"))
                {
                    " UTCDateTime=<now>"
                } else {
                    ""
                }
            ),
            Self::SetScopes { scopes } => format!("Scopes={}", list(scopes)),
            Self::CreateProfile { profile, name, .. } => {
                format!("Name={name:?} (becomes {})", show(profile, tokens))
            }
            Self::AddVideoSource { profile, .. } => format!(
                "ProfileToken={} VideoSource=<the device's video source configuration>",
                show(profile, tokens)
            ),
            Self::AddVideoEncoder {
                profile, encoding, ..
            } => format!(
                "ProfileToken={} VideoEncoder=<a free {} encoder configuration>",
                show(profile, tokens),
                encoding.as_deref().unwrap_or("video")
            ),
            Self::AddAudioSource { profile, .. } => format!(
                "ProfileToken={} AudioSource=<the device's audio source configuration>",
                show(profile, tokens)
            ),
            Self::AddAudioEncoder {
                profile, encoding, ..
            } => format!(
                "ProfileToken={} AudioEncoder=<a free {} audio encoder configuration>",
                show(profile, tokens),
                encoding.as_deref().unwrap_or("audio")
            ),
            Self::SetAudioEncoder {
                profile, values, ..
            } => format!(
                "Configuration=<audio encoder of {}> {}",
                show(profile, tokens),
                audio_values(values)
            ),
            Self::AddPtz { profile, .. } => format!(
                "ProfileToken={} PTZ=<the device's PTZ configuration>",
                show(profile, tokens)
            ),
            Self::SetVideoEncoder {
                profile, values, ..
            } => format!(
                "Configuration=<encoder of {}> {}",
                show(profile, tokens),
                encoder_values(values)
            ),
            Self::AbsoluteMove { profile, target } => format!(
                "ProfileToken={} Position={}",
                show(profile, tokens),
                position(target)
            ),
            Self::SetPreset {
                profile,
                preset,
                name,
            } => format!(
                "ProfileToken={} PresetName={name:?} (device picks the token; old {} → {})",
                show(profile, tokens),
                preset.key,
                show(preset, tokens)
            ),
            Self::SetHomePosition { profile } => {
                format!("ProfileToken={}", show(profile, tokens))
            }
            Self::CreateRecording {
                recording,
                source,
                content,
                max_retention,
            } => format!(
                "Source.Name={:?} Source.Location={:?} Content={content:?} MaximumRetentionTime={max_retention} (becomes {})",
                source.name,
                source.location,
                show(recording, tokens)
            ),
            Self::CreateTrack { recording, track } => format!(
                "RecordingToken={} TrackType={} Description={:?}",
                show(recording, tokens),
                track.kind,
                track.description
            ),
            Self::CreateRecordingJob {
                job,
                recording,
                mode,
                priority,
                sources,
            } => format!(
                "RecordingToken={} Mode={mode} Priority={priority} Sources=[{}] (becomes {})",
                show(recording, tokens),
                sources
                    .iter()
                    .filter_map(|s| s.profile.as_ref())
                    .map(|p| show(&Ref::new(Kind::Profile, p.clone()), tokens))
                    .collect::<Vec<_>>()
                    .join(", "),
                show(job, tokens)
            ),
            Self::SetHostname { name } => format!("Name={name}"),
            Self::SetGateway { gateway } => format!("IPv4Address={gateway}"),
            Self::SetNetworkInterfaces {
                dhcp,
                address,
                prefix_length,
            } => match (dhcp, address, prefix_length) {
                (true, _, _) => "IPv4.DHCP=true (then SystemReboot if RebootNeeded)".into(),
                (false, Some(a), Some(p)) => format!(
                    "IPv4.DHCP=false IPv4.Manual={a}/{p} (then SystemReboot if RebootNeeded; follow the camera to {a})"
                ),
                _ => "IPv4 unchanged".into(),
            },
        };
        format!("{} {args}", self.name())
    }
}

fn encoder_values(v: &EncoderValues) -> String {
    let mut parts = Vec::new();
    if let Some(e) = &v.encoding {
        parts.push(format!("Encoding={e}"));
    }
    if let (Some(w), Some(h)) = (v.width, v.height) {
        parts.push(format!("Resolution={w}x{h}"));
    }
    if let Some(f) = v.frame_rate {
        parts.push(format!("FrameRateLimit={f}"));
    }
    if let Some(b) = v.bitrate_kbps {
        parts.push(format!("BitrateLimit={b}"));
    }
    if let Some(g) = v.gov_length {
        parts.push(format!("GovLength={g}"));
    }
    if let Some(q) = v.quality {
        parts.push(format!("Quality={q}"));
    }
    if let Some(p) = &v.profile {
        parts.push(format!("Profile={p}"));
    }
    if let Some(c) = v.constant_bitrate {
        parts.push(format!("ConstantBitRate={c}"));
    }
    parts.join(" ")
}

fn audio_values(v: &AudioValues) -> String {
    let mut parts = Vec::new();
    if let Some(e) = &v.encoding {
        parts.push(format!("Encoding={e}"));
    }
    if let Some(b) = v.bitrate_kbps {
        parts.push(format!("Bitrate={b}"));
    }
    if let Some(r) = v.sample_rate_khz {
        parts.push(format!("SampleRate={r}"));
    }
    if parts.is_empty() {
        "<the encoder's own values>".into()
    } else {
        parts.join(" ")
    }
}

fn position(t: &PtzTarget) -> String {
    let mut parts = Vec::new();
    if let Some(pt) = &t.pan_tilt {
        parts.push(format!("PanTilt({}, {}) in {}", pt.x, pt.y, pt.space));
    }
    if let Some(z) = &t.zoom {
        parts.push(format!("Zoom({}) in {}", z.x, z.space));
    }
    if parts.is_empty() {
        "<current position>".into()
    } else {
        parts.join(" ")
    }
}

/// One plan step and the operations it lowers to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lowered {
    /// Index in the camera's `steps`.
    pub index: usize,
    /// Step kind (`set_dns`).
    pub kind: &'static str,
    /// The operations, in order.
    pub ops: Vec<Op>,
}

/// Lowers every step of `camera` (in plan order: the network move is last).
pub fn lower(camera: &CameraPlan) -> Result<Vec<Lowered>, LowerError> {
    if !camera.errors.is_empty() {
        return Err(LowerError::PlanErrors {
            camera: camera.old.id.clone(),
            errors: camera.errors.clone(),
        });
    }
    let mut out: Vec<Lowered> = camera
        .steps
        .iter()
        .enumerate()
        .map(|(index, step)| {
            Ok(Lowered {
                index,
                kind: step.kind(),
                ops: lower_step(&camera.old.id, index, step)?,
            })
        })
        .collect::<Result<_, LowerError>>()?;
    // The encoder a new profile gets is picked by the codec its encoder step sets.
    let codecs: BTreeMap<String, String> = camera
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::SetVideoEncoder { profile, new, .. } => {
                Some((profile.clone(), new.encoding.clone()?))
            }
            _ => None,
        })
        .collect();
    for op in out.iter_mut().flat_map(|l| l.ops.iter_mut()) {
        if let Op::AddVideoEncoder {
            profile, encoding, ..
        } = op
        {
            encoding.clone_from(&codecs.get(&profile.key).cloned());
        }
    }
    Ok(out)
}

fn profile_ref(key: &str) -> Ref {
    Ref::new(Kind::Profile, key)
}

fn lower_step(camera: &str, index: usize, step: &Step) -> Result<Vec<Op>, LowerError> {
    Ok(match step {
        Step::CreateUser { username, level } => {
            // CreateUsers takes Administrator, Operator, User or Extended; a level the device
            // would silently map to another is a plan error, not a quiet downgrade.
            let parsed = UserLevel::parse(level)
                .filter(|l| *l != UserLevel::Anonymous)
                .ok_or_else(|| LowerError::BadValue {
                    camera: camera.to_owned(),
                    step: index,
                    kind: "create_user",
                    field: "level",
                    value: level.clone(),
                    expected: "Administrator, Operator, User or Extended",
                })?;
            vec![Op::CreateUser {
                username: username.clone(),
                level: parsed.as_str().to_owned(),
            }]
        }
        Step::SetDns {
            from_dhcp,
            search_domains,
            servers,
        } => vec![Op::SetDns {
            dns: Dns {
                from_dhcp: *from_dhcp,
                search_domains: search_domains.clone(),
                servers: servers.clone(),
            },
        }],
        Step::SetNtp { from_dhcp, servers } => vec![Op::SetNtp {
            ntp: Ntp {
                from_dhcp: *from_dhcp,
                servers: servers.clone(),
            },
        }],
        Step::SetDateTime {
            date_time_type,
            tz,
            daylight_savings,
        } => {
            let date_time_type = match date_time_type.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(t) => Some(
                    DateTimeType::parse(t)
                        .ok_or_else(|| LowerError::BadValue {
                            camera: camera.to_owned(),
                            step: index,
                            kind: "set_date_time",
                            field: "date_time_type",
                            value: t.to_owned(),
                            expected: "NTP or Manual",
                        })?
                        .as_str()
                        .to_owned(),
                ),
            };
            vec![Op::SetDateTime {
                date_time_type,
                tz: tz
                    .as_deref()
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned),
                daylight_savings: *daylight_savings,
            }]
        }
        Step::SetScopes { scopes } => vec![Op::SetScopes {
            scopes: scopes.clone(),
        }],
        Step::CreateProfile {
            key,
            name,
            service,
            ptz,
            audio,
        } => {
            let profile = profile_ref(key);
            let mut ops = vec![
                Op::CreateProfile {
                    service: *service,
                    profile: profile.clone(),
                    name: name.clone(),
                },
                Op::AddVideoSource {
                    service: *service,
                    profile: profile.clone(),
                },
                Op::AddVideoEncoder {
                    service: *service,
                    profile: profile.clone(),
                    encoding: None,
                },
            ];
            // Audio is planned only when the old profile streamed it (or the integrator kept
            // it): the encoder needs the source in the profile first.
            if let Some(a) = audio {
                ops.push(Op::AddAudioSource {
                    service: *service,
                    profile: profile.clone(),
                });
                ops.push(Op::AddAudioEncoder {
                    service: *service,
                    profile: profile.clone(),
                    encoding: a.encoding.clone(),
                });
                if a.encoding.is_some() || a.bitrate_kbps.is_some() || a.sample_rate_khz.is_some() {
                    ops.push(Op::SetAudioEncoder {
                        service: *service,
                        profile: profile.clone(),
                        values: a.clone(),
                    });
                }
            }
            if *ptz {
                ops.push(Op::AddPtz {
                    service: *service,
                    profile,
                });
            }
            ops
        }
        Step::SetVideoEncoder {
            profile,
            service,
            new,
            ..
        } => vec![Op::SetVideoEncoder {
            service: *service,
            profile: profile_ref(profile),
            values: new.clone(),
        }],
        Step::SetPreset {
            profile,
            token,
            name,
            target,
            re_aim,
            ..
        } => {
            let mut ops = Vec::new();
            if let (Some(t), false) = (target, re_aim) {
                ops.push(Op::AbsoluteMove {
                    profile: profile_ref(profile),
                    target: t.clone(),
                });
            }
            ops.push(Op::SetPreset {
                profile: profile_ref(profile),
                preset: Ref::new(Kind::Preset, token.clone()),
                name: name.clone(),
            });
            ops
        }
        Step::SetHomePosition {
            profile,
            target,
            re_aim,
            ..
        } => {
            let mut ops = Vec::new();
            if let (Some(t), false) = (target, re_aim) {
                ops.push(Op::AbsoluteMove {
                    profile: profile_ref(profile),
                    target: t.clone(),
                });
            }
            ops.push(Op::SetHomePosition {
                profile: profile_ref(profile),
            });
            ops
        }
        // Whether to create a recording or adopt a fixed one is decided on the device at apply
        // time (its recording capabilities), so the planner's `setup` is advice here.
        Step::CreateRecording {
            key,
            source,
            content,
            max_retention,
            tracks,
            setup: _,
            notes: _,
        } => {
            if crate::onvif::parse_duration_s(max_retention).is_none() {
                return Err(LowerError::BadValue {
                    camera: camera.to_owned(),
                    step: index,
                    kind: "create_recording",
                    field: "max_retention",
                    value: max_retention.clone(),
                    expected: "an xs:duration such as PT72H or P30D",
                });
            }
            let recording = Ref::new(Kind::Recording, key.clone());
            let mut ops = vec![Op::CreateRecording {
                recording: recording.clone(),
                source: source.clone(),
                content: content.clone(),
                max_retention: max_retention.clone(),
            }];
            ops.extend(tracks.iter().map(|t| Op::CreateTrack {
                recording: recording.clone(),
                track: t.clone(),
            }));
            ops
        }
        Step::CreateRecordingJob {
            key,
            recording,
            mode,
            priority,
            sources,
            ..
        } => vec![Op::CreateRecordingJob {
            job: Ref::new(Kind::Job, key.clone()),
            recording: Ref::new(Kind::Recording, recording.clone()),
            mode: mode.clone(),
            priority: *priority,
            sources: sources.clone(),
        }],
        Step::SetNetwork {
            dhcp,
            address,
            prefix_length,
            gateway,
            hostname,
            ..
        } => {
            let v4 = |field: &'static str, value: &str| {
                value
                    .trim()
                    .parse::<Ipv4Addr>()
                    .map_err(|_| LowerError::NotIpv4 {
                        camera: camera.to_owned(),
                        step: index,
                        kind: "set_network",
                        field,
                        value: value.to_owned(),
                    })
            };
            let mut ops = Vec::new();
            if let Some(name) = hostname {
                ops.push(Op::SetHostname { name: name.clone() });
            }
            if !*dhcp {
                if let Some(a) = address {
                    let addr = v4("address", a)?;
                    let prefix = prefix_length.ok_or_else(|| LowerError::NoPrefix {
                        camera: camera.to_owned(),
                        step: index,
                    })?;
                    if let Some(g) = gateway {
                        let gw = v4("gateway", g)?;
                        if !same_subnet(addr, gw, prefix) {
                            return Err(LowerError::GatewayOutsideSubnet {
                                camera: camera.to_owned(),
                                step: index,
                                gateway: g.clone(),
                                address: a.clone(),
                                prefix,
                            });
                        }
                        ops.push(Op::SetGateway { gateway: g.clone() });
                    }
                    ops.push(Op::SetNetworkInterfaces {
                        dhcp: false,
                        address: Some(addr.to_string()),
                        prefix_length: Some(prefix),
                    });
                } else if let Some(g) = gateway {
                    return Err(LowerError::GatewayWithoutAddress {
                        camera: camera.to_owned(),
                        step: index,
                        gateway: g.clone(),
                    });
                }
            } else {
                ops.push(Op::SetNetworkInterfaces {
                    dhcp: true,
                    address: None,
                    prefix_length: None,
                });
            }
            ops
        }
    })
}

fn same_subnet(a: Ipv4Addr, b: Ipv4Addr, prefix: u8) -> bool {
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix.min(32)))
    };
    u32::from(a) & mask == u32::from(b) & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    fn camera(steps: Vec<Step>) -> CameraPlan {
        CameraPlan::replacing("serial:OLD1", "10.1.2.3", "Axis", "P3265-LVE", steps)
    }

    fn network(address: &str, prefix: u8, gateway: &str) -> Step {
        Step::SetNetwork {
            dhcp: false,
            address: Some(address.into()),
            prefix_length: Some(prefix),
            gateway: Some(gateway.into()),
            hostname: Some("cam-entrance".into()),
            hostname_from_dhcp: false,
            notes: Vec::new(),
        }
    }

    #[test]
    fn the_network_move_is_hostname_then_gateway_then_the_interface() {
        let l = lower(&camera(vec![network("10.1.2.3", 24, "10.1.2.1")])).unwrap();
        let names: Vec<_> = l[0].ops.iter().map(Op::name).collect();
        assert_eq!(
            names,
            [
                "device.SetHostname",
                "device.SetNetworkDefaultGateway",
                "device.SetNetworkInterfaces"
            ]
        );
    }

    #[test]
    fn a_profile_that_streamed_audio_gets_an_audio_source_then_encoder_and_one_without_none() {
        let profile = |service, audio| Step::CreateProfile {
            key: "101".into(),
            name: "main".into(),
            service,
            ptz: false,
            audio,
        };
        let g711 = Some(AudioValues {
            encoding: Some("G711".into()),
            bitrate_kbps: Some(64),
            sample_rate_khz: Some(8),
        });
        let names = |step| -> Vec<&'static str> {
            lower(&camera(vec![step])).unwrap()[0]
                .ops
                .iter()
                .map(Op::name)
                .collect()
        };
        assert_eq!(
            names(profile(MediaApi::Media, g711.clone())),
            [
                "media.CreateProfile",
                "media.AddVideoSourceConfiguration",
                "media.AddVideoEncoderConfiguration",
                "media.AddAudioSourceConfiguration",
                "media.AddAudioEncoderConfiguration",
                "media.SetAudioEncoderConfiguration",
            ]
        );
        assert_eq!(
            names(profile(MediaApi::Media, None)),
            [
                "media.CreateProfile",
                "media.AddVideoSourceConfiguration",
                "media.AddVideoEncoderConfiguration",
            ]
        );
        let l = lower(&camera(vec![profile(MediaApi::Media2, g711)])).unwrap();
        let ops = &l[0].ops;
        assert_eq!(ops.len(), 6);
        assert!(
            ops[1..5]
                .iter()
                .all(|o| o.name() == "media2.AddConfiguration")
        );
        // The old profile's values (G.711, 64 kbit/s, 8 kHz above) are set on the encoder.
        assert_eq!(
            ops[5].describe(&Tokens::new()),
            "media2.SetAudioEncoderConfiguration Configuration=<audio encoder of <profile 101>> Encoding=G711 Bitrate=64 SampleRate=8"
        );
        assert_eq!(
            ops[4],
            Op::AddAudioEncoder {
                service: MediaApi::Media2,
                profile: profile_ref("101"),
                encoding: Some("G711".into()),
            }
        );
        assert_eq!(
            ops[4].describe(&Tokens::new()),
            "media2.AddConfiguration ProfileToken=<profile 101> AudioEncoder=<a free G711 audio encoder configuration>"
        );
    }

    #[test]
    fn a_gateway_outside_the_subnet_is_a_plan_error() {
        // 10.1.2.3/24 spans 10.1.2.0-10.1.2.255; 10.1.3.1 is outside, 10.1.3.1 inside a /16.
        let err = lower(&camera(vec![network("10.1.2.3", 24, "10.1.3.1")])).unwrap_err();
        assert!(
            matches!(err, LowerError::GatewayOutsideSubnet { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("10.1.3.1 is outside 10.1.2.3/24"));
        assert!(lower(&camera(vec![network("10.1.2.3", 16, "10.1.3.1")])).is_ok());
    }

    #[test]
    fn a_static_gateway_without_an_address_is_a_plan_error_not_dropped() {
        let mut step = network("10.1.2.3", 24, "10.1.2.1");
        if let Step::SetNetwork { address, .. } = &mut step {
            *address = None;
        }
        let err = lower(&camera(vec![step])).unwrap_err();
        assert!(
            matches!(err, LowerError::GatewayWithoutAddress { ref gateway, .. } if gateway == "10.1.2.1"),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("gateway 10.1.2.1 without an address")
        );
    }

    #[test]
    fn unknown_tokens_show_as_placeholders_and_known_ones_as_themselves() {
        let l = lower(&camera(vec![Step::SetVideoEncoder {
            profile: "101".into(),
            service: MediaApi::Media,
            old: EncoderValues::default(),
            new: EncoderValues {
                encoding: Some("H264".into()),
                width: Some(1920),
                height: Some(1080),
                ..EncoderValues::default()
            },
            notes: Vec::new(),
        }]))
        .unwrap();
        let op = &l[0].ops[0];
        assert_eq!(
            op.describe(&Tokens::new()),
            "media.SetVideoEncoderConfiguration Configuration=<encoder of <profile 101>> Encoding=H264 Resolution=1920x1080"
        );
        let tokens = Tokens::from([("profile:101".to_owned(), "profile_2_h264".to_owned())]);
        assert!(op.describe(&tokens).contains("<encoder of profile_2_h264>"));
    }

    #[test]
    fn the_clock_step_sets_mode_zone_and_dst_and_refuses_an_unknown_mode() {
        let step = |t: Option<&str>| Step::SetDateTime {
            date_time_type: t.map(str::to_owned),
            tz: Some(" CST-8:00:00 ".into()),
            daylight_savings: false,
        };
        let l = lower(&camera(vec![step(Some("ntp"))])).unwrap();
        assert_eq!(
            l[0].ops,
            [Op::SetDateTime {
                date_time_type: Some("NTP".into()),
                tz: Some("CST-8:00:00".into()),
                daylight_savings: false,
            }]
        );
        assert_eq!(
            l[0].ops[0].describe(&Tokens::new()),
            "device.SetSystemDateAndTime DateTimeType=NTP DaylightSavings=false TimeZone=CST-8:00:00"
        );
        let manual = lower(&camera(vec![step(Some("Manual"))])).unwrap();
        assert!(
            manual[0].ops[0]
                .describe(&Tokens::new())
                .ends_with("UTCDateTime=<now>")
        );
        let kept = lower(&camera(vec![step(None)])).unwrap();
        assert!(
            kept[0].ops[0]
                .describe(&Tokens::new())
                .contains("DateTimeType=<unchanged>")
        );
        let err = lower(&camera(vec![step(Some("GPS"))])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "camera serial:OLD1: step 0 (set_date_time): date_time_type \"GPS\" is not NTP or Manual"
        );
    }

    #[test]
    fn a_user_level_or_retention_apply_cannot_send_is_a_plan_error_not_a_default() {
        let user = |level: &str| Step::CreateUser {
            username: "viewer".into(),
            level: level.into(),
        };
        assert_eq!(
            lower(&camera(vec![user("operator")])).unwrap()[0].ops,
            [Op::CreateUser {
                username: "viewer".into(),
                level: "Operator".into(),
            }]
        );
        // A vendor level (Dahua's "Installer") used to become a plain User on the new camera.
        for level in ["Installer", "Anonymous", ""] {
            let err = lower(&camera(vec![user(level)])).unwrap_err();
            assert!(
                matches!(err, LowerError::BadValue { field: "level", .. }),
                "{level}: {err}"
            );
        }
        let recording = |retention: &str| Step::CreateRecording {
            key: "R1".into(),
            source: RecordingSource::default(),
            content: "gate".into(),
            max_retention: retention.into(),
            tracks: Vec::new(),
            setup: crate::planner::plan::RecordingSetup::CreateOrAdopt,
            notes: Vec::new(),
        };
        assert!(lower(&camera(vec![recording("P30D")])).is_ok());
        // An unreadable retention used to be sent as 0 (keep for ever).
        let err = lower(&camera(vec![recording("thirty days")])).unwrap_err();
        assert!(
            matches!(
                err,
                LowerError::BadValue {
                    field: "max_retention",
                    ..
                }
            ),
            "{err}"
        );
    }
}
