//! Recorders (NVRs, DVRs, video encoders) are cameras to no one: a flagged recorder is planned
//! as "replace the recorder", listing the channels behind it, and never matched to a camera
//! model.
//!
//! Signals, each with its evidence:
//! - strong: a device type scope naming a recorder (`type/NVR`, `type/DVR`,
//!   `type/Network_Video_Storage`); a recorder model grammar (Hikvision `DS-7…`/`DS-9…`
//!   NVRs, DOMAIN.md 1b; `NVR`, `XVR`, `DVR`, `HCVR` in Dahua-family model names); five or more
//!   video sources (a 12-channel Dahua NVR reports one per channel:
//!   `dahua/GetProfiles-hammeraj-nvr.xml`);
//! - weak: two to four video sources (multi-sensor cameras have that many too); profiles named
//!   per channel (`MediaProfile_Channel3_MainStream`, as in the capture); more than one
//!   recording.
//!
//! One strong signal, or two weak ones, make a recorder.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::inventory::DeviceSnapshot;

/// A flagged recorder: what it is, why we think so, and what it records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RecorderPlan {
    /// `NVR`, `DVR` or `recorder` when the kind is unclear.
    pub kind: String,
    /// Why it is taken for a recorder.
    pub evidence: Vec<String>,
    /// The channels behind it (video sources), each with its profiles.
    pub channels: Vec<Channel>,
}

/// One channel (video source) of a recorder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Channel {
    /// The video source token.
    pub source: String,
    /// The channel's name on the recorder (its source configuration's name), when it has one:
    /// what the integrator finds on the recorder's screen and in the VMS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Profiles that stream it, with their largest resolution when known.
    pub profiles: Vec<String>,
}

fn model_kind(model: &str) -> Option<(&'static str, &'static str)> {
    let m = model.trim().to_ascii_uppercase();
    let m = m
        .strip_prefix("DHI-")
        .or_else(|| m.strip_prefix("DH-"))
        .unwrap_or(&m);
    if m.starts_with("DS-7") || m.starts_with("DS-9") {
        return Some(("NVR", "Hikvision DS-7…/DS-9… are recorders (DOMAIN.md 1b)"));
    }
    if m.starts_with("NVR") || m.contains("-NVR") {
        return Some(("NVR", "NVR in the model name"));
    }
    if m.starts_with("XVR") || m.starts_with("HCVR") || m.starts_with("DVR") || m.contains("-DVR") {
        return Some(("DVR", "DVR/XVR/HCVR in the model name"));
    }
    None
}

impl Channel {
    /// `name (source)`, or the source token alone when the channel has no name.
    pub fn label(&self) -> String {
        crate::model::ChannelName {
            source: self.source.clone(),
            name: self.name.clone(),
        }
        .label()
    }
}

/// The recorder plan when `s` is a recorder.
pub fn recognise(s: &DeviceSnapshot) -> Option<RecorderPlan> {
    let mut strong = Vec::new();
    let mut weak = Vec::new();
    let mut kind = None;
    for scope in &s.scopes {
        let lower = scope.uri.to_ascii_lowercase();
        let Some(t) = lower.split("onvif://www.onvif.org/type/").nth(1) else {
            continue;
        };
        let k = match t {
            "nvr" | "network_video_storage" | "networkvideostorage" => Some("NVR"),
            "dvr" => Some("DVR"),
            _ => None,
        };
        if let Some(k) = k {
            kind = kind.or(Some(k));
            strong.push(format!("scope {}", scope.uri));
        }
    }
    // With ONVIF off, the SADP/DHIP answer is all there is to go by.
    if let (_, Some(model)) = s.reported_make_and_model() {
        if let Some((k, why)) = model_kind(model) {
            kind = kind.or(Some(k));
            strong.push(format!("model {model}: {why}"));
        }
    }
    let mut sources: Vec<Channel> = s
        .channels()
        .into_iter()
        .map(|c| Channel {
            source: c.source,
            name: c.name,
            profiles: Vec::new(),
        })
        .collect();
    for p in &s.profiles {
        let Some(src) = p
            .video_source_configuration
            .as_ref()
            .map(|v| v.source_token.trim())
            .filter(|t| !t.is_empty())
        else {
            continue;
        };
        let label = match p.video_encoder.as_ref().and_then(|e| e.width.zip(e.height)) {
            Some((w, h)) => format!("{} ({w}x{h})", p.token),
            None => p.token.clone(),
        };
        if let Some(c) = sources.iter_mut().find(|c| c.source == src) {
            c.profiles.push(label);
        }
    }
    let vendor_channels = s
        .unauthenticated
        .vendor_discovery
        .iter()
        .filter_map(|a| a.channels)
        .max()
        .unwrap_or(0) as usize;
    let n_sources = sources.len().max(vendor_channels);
    if n_sources >= 5 {
        strong.push(format!("{n_sources} video sources (channels)"));
    } else if n_sources >= 2 {
        weak.push(format!("{n_sources} video sources"));
    }
    let per_channel: BTreeSet<&str> = s
        .profiles
        .iter()
        .filter(|p| p.name.to_ascii_lowercase().contains("channel"))
        .map(|p| p.name.as_str())
        .collect();
    if per_channel.len() >= 2 {
        weak.push(format!("{} profiles named per channel", per_channel.len()));
    }
    if let Some(rec) = &s.recording {
        if rec.recordings.len() > 1 {
            weak.push(format!("{} recordings", rec.recordings.len()));
        }
    }
    if strong.is_empty() && weak.len() < 2 {
        return None;
    }
    strong.extend(weak);
    Some(RecorderPlan {
        kind: kind.unwrap_or("recorder").to_owned(),
        evidence: strong,
        channels: sources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Identity, MediaProfile, VideoSourceConfiguration};

    /// The 12-channel Dahua-family NVR of `dahua/GetProfiles-hammeraj-nvr.xml`: profiles
    /// `MediaProfile00000`, `MediaProfile00001`, `MediaProfile00002` named
    /// `MediaProfile_Channel1_MainStream`, `…_SubStream1`, `…_SubStream2`, one video source per
    /// channel (`00000`, `00100`, … `01100`) whose configuration is `VideoSourceConfig_ChannelN`.
    fn hammeraj_nvr() -> DeviceSnapshot {
        let mut profiles = Vec::new();
        for ch in 0..12u32 {
            for (k, stream) in ["MainStream", "SubStream1", "SubStream2"]
                .iter()
                .enumerate()
            {
                profiles.push(MediaProfile {
                    token: format!("MediaProfile{:03}{k:02}", ch),
                    name: format!("MediaProfile_Channel{}_{stream}", ch + 1),
                    video_source_configuration: Some(VideoSourceConfiguration {
                        token: format!("{:03}00", ch),
                        name: format!("VideoSourceConfig_Channel{}", ch + 1),
                        source_token: format!("{:03}00", ch),
                        ..Default::default()
                    }),
                    ..Default::default()
                });
            }
        }
        DeviceSnapshot {
            id: "serial:NVR1".into(),
            identity: Identity {
                manufacturer: Some("Dahua".into()),
                model: Some("unknown".into()),
                ..Default::default()
            },
            profiles,
            ..Default::default()
        }
    }

    /// Issue 13 item 8: an NVR was matched to a camera model.
    #[test]
    fn an_nvr_is_recognised_with_its_channels_and_a_camera_is_not() {
        let r = recognise(&hammeraj_nvr()).expect("a recorder");
        assert_eq!(r.channels.len(), 12);
        assert_eq!(r.channels[2].source, "00200");
        assert_eq!(r.channels[2].label(), "VideoSourceConfig_Channel3 (00200)");
        assert_eq!(r.channels[2].profiles.len(), 3);
        assert!(
            r.evidence
                .iter()
                .any(|e| e == "12 video sources (channels)")
        );
        // Model grammar alone: Hikvision DS-7608NI (DOMAIN.md 1b: DS-7… are NVRs).
        let mut hik = DeviceSnapshot::default();
        hik.identity.model = Some("DS-7608NI-K2".into());
        assert_eq!(recognise(&hik).unwrap().kind, "NVR");
        // A camera with a main and a sub stream on one source is a camera.
        let mut cam = hammeraj_nvr();
        cam.profiles.truncate(3);
        assert!(recognise(&cam).is_none());
        let mut ipc = DeviceSnapshot::default();
        ipc.identity.model = Some("DS-2CD2143G2-I".into());
        assert!(recognise(&ipc).is_none());
    }

    /// An NVR with ONVIF off is known only by its SADP answer (model and DigitalChannelNum):
    /// still a recorder, never a camera to match.
    #[test]
    fn an_nvr_found_only_by_sadp_is_a_recorder() {
        use crate::model::{VendorAnswer, VendorProtocol};
        let mut s = DeviceSnapshot::default();
        s.unauthenticated.vendor_discovery.push(VendorAnswer {
            protocol: Some(VendorProtocol::Sadp),
            model: Some("DS-7608NI-K2".into()),
            channels: Some(8),
            onvif: Some(false),
            ..Default::default()
        });
        assert!(s.onvif_off());
        let r = recognise(&s).expect("a recorder");
        assert_eq!(r.kind, "NVR");
        assert!(
            r.evidence.iter().any(|e| e == "8 video sources (channels)"),
            "{:?}",
            r.evidence
        );
        // A camera's answer (one channel, a DS-2CD model) is not.
        s.unauthenticated.vendor_discovery[0].model = Some("DS-2CD2143G2-I".into());
        s.unauthenticated.vendor_discovery[0].channels = Some(1);
        assert!(recognise(&s).is_none());
    }

    /// The plan lists a flagged NVR as a recorder to replace, with its channels, and never
    /// gives it a camera model or steps.
    #[test]
    fn a_flagged_nvr_is_planned_as_a_recorder_not_a_camera() {
        use crate::planner::{Catalog, Flag, PlanInput, PlanOptions, plan};
        let nvr = hammeraj_nvr();
        let flagged = [(
            nvr.id.clone(),
            Flag {
                verdict: "banned".into(),
                company: Some("Dahua".into()),
                confidence: 0.9,
            },
        )]
        .into_iter()
        .collect();
        let p = plan(&PlanInput {
            snapshots: std::slice::from_ref(&nvr),
            flagged: &flagged,
            catalog: &Catalog::example(),
            stock: None,
            rollout: None,
            options: &PlanOptions::default(),
            inputs: Default::default(),
            sha256_checked: false,
            threads: 0,
        });
        let c = &p.cameras[0];
        assert!(c.replacement.is_none() && c.no_suitable_model.is_none() && c.steps.is_empty());
        // No camera requirements: nothing is matched against them.
        assert!(c.requirements.is_empty(), "{:?}", c.requirements);
        assert_eq!(c.recorder.as_ref().unwrap().channels.len(), 12);
        assert!(
            c.warnings
                .iter()
                .any(|w| w.contains("replace the recorder"))
        );
        assert!(crate::planner::render::dry_run(&p, false).contains("→ RECORDER"));
    }
}
