//! Verify: reads every applied camera where it now answers and compares each planned value
//! with what the camera holds, through the same read twins apply uses after each write.
//! Tokens come from the journal; without one (or for what it lacks), objects are found by
//! their planned names.

use serde::Serialize;

use super::apply::same_model;
use super::check::{self, token};
use super::device::{Connect, Device, away};
use super::journal::Contents;
use super::lower::{self, Kind, Lowered, Op, Ref, Tokens};
use crate::credentials::{Credentials, Login};
use crate::onvif::session::OnvifError;
use crate::planner::plan::CameraPlan;

/// One planned value the camera does not hold.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Difference {
    /// Step index.
    pub step: usize,
    /// Step kind.
    pub kind: &'static str,
    /// The operation whose twin was read.
    pub operation: &'static str,
    /// The field.
    pub field: String,
    /// Planned value.
    pub planned: String,
    /// What the camera holds.
    pub actual: String,
}

/// One camera's verification.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CameraVerify {
    /// Old camera id.
    pub camera: String,
    /// Where it was read.
    pub xaddr: String,
    /// `match`, `differ` or `unreachable`.
    pub status: &'static str,
    /// Why it could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Every difference.
    pub differences: Vec<Difference>,
    /// Values that differ from the plan as apply recorded and accepted them (the device's
    /// options did not allow the planned value).
    pub adapted: Vec<Difference>,
}

/// The login verify uses: the `[new]` administrator, else the device's entry.
pub fn login_for(credentials: &Credentials, camera: &CameraPlan, xaddr: &str) -> Option<Login> {
    let ip = super::device::socket_of(xaddr).map(|s| s.ip());
    credentials
        .new_admin()
        .ok()
        .flatten()
        .cloned()
        .or_else(|| credentials.for_device(ip, Some(&camera.old.id)).cloned())
}

/// Where the new camera should answer: the journal's last address, else the old camera's
/// (the new one took over its address).
pub fn xaddr_for(camera: &CameraPlan, journal: &Contents) -> String {
    journal
        .xaddr(&camera.old.id)
        .map(str::to_owned)
        .unwrap_or_else(|| camera.old.xaddr.clone())
}

/// Finds the new camera's objects by planned name where the journal has no token.
async fn resolve_by_name(
    d: &mut Device,
    lowered: &[Lowered],
    tokens: &mut Tokens,
) -> Result<(), OnvifError> {
    for op in lowered.iter().flat_map(|l| &l.ops) {
        match op {
            Op::CreateProfile {
                service,
                profile,
                name,
            } if token(profile, tokens).is_none() => {
                if let Some(p) = d
                    .profiles(*service)
                    .await?
                    .into_iter()
                    .find(|p| &p.name == name)
                {
                    tokens.insert(profile.journal_key(), p.token);
                }
            }
            Op::SetPreset {
                profile,
                preset,
                name,
            } if token(preset, tokens).is_none() => {
                if let Some(pt) = token(profile, tokens).map(str::to_owned) {
                    if let Some(p) = d
                        .presets(&pt)
                        .await?
                        .into_iter()
                        .find(|p| p.name.as_deref() == Some(name))
                    {
                        tokens.insert(preset.journal_key(), p.token);
                    }
                }
            }
            Op::CreateRecording {
                recording,
                source,
                content,
                ..
            } if token(recording, tokens).is_none() => {
                if let Some(r) = d
                    .recordings()
                    .await?
                    .into_iter()
                    .find(|r| r.source.name == source.name && &r.content == content)
                {
                    tokens.insert(recording.journal_key(), r.token);
                }
            }
            Op::CreateRecordingJob { job, recording, .. } if token(job, tokens).is_none() => {
                if let Some(rt) = token(recording, tokens).map(str::to_owned) {
                    if let Some(j) = d
                        .jobs()
                        .await?
                        .into_iter()
                        .find(|j| j.recording_token == rt)
                    {
                        tokens.insert(Ref::new(Kind::Job, job.key.clone()).journal_key(), j.token);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Verifies one camera.
pub async fn verify_camera(
    camera: &CameraPlan,
    journal: &Contents,
    credentials: &Credentials,
    connect: &Connect,
) -> CameraVerify {
    let xaddr = xaddr_for(camera, journal);
    let mut out = CameraVerify {
        camera: camera.old.id.clone(),
        xaddr: xaddr.clone(),
        status: "match",
        reason: None,
        differences: Vec::new(),
        adapted: Vec::new(),
    };
    let fail = |mut out: CameraVerify, reason: String| {
        out.status = "unreachable";
        out.reason = Some(reason);
        out
    };
    let lowered = match lower::lower(camera) {
        Ok(l) => l,
        Err(e) => return fail(out, e.to_string()),
    };
    let Some(login) = login_for(credentials, camera, &xaddr) else {
        return fail(
            out,
            "no login: the credentials file needs [new] (the administrator apply created)".into(),
        );
    };
    let connect = Connect {
        away_deadline: std::time::Duration::ZERO,
        ..connect.clone()
    };
    let mut d = match Device::open(&camera.old.id, &xaddr, Some(&login), &connect).await {
        Ok(d) => d,
        Err(e) => return fail(out, e.to_string()),
    };
    if let Some(r) = &camera.replacement {
        let identity = d.send(&crate::onvif::device::GetDeviceInformation).await;
        if let Ok(i) = identity {
            let model = i.model.unwrap_or_default();
            if !same_model(&r.model, &model) {
                out.status = "differ";
                out.differences.push(Difference {
                    step: 0,
                    kind: "identity",
                    operation: "device.GetDeviceInformation",
                    field: "Model".into(),
                    planned: r.model.clone(),
                    actual: model,
                });
                return out;
            }
        }
    }
    let mut tokens = journal.tokens(&camera.old.id);
    let accepted = journal.adapted(&camera.old.id);
    if let Err(e) = resolve_by_name(&mut d, &lowered, &mut tokens).await {
        return fail(out, e.to_string());
    }
    for step in &lowered {
        for (i, op) in step.ops.iter().enumerate() {
            let target = match (i.checked_sub(1).map(|j| &step.ops[j]), op) {
                (Some(Op::AbsoluteMove { target, .. }), Op::SetPreset { .. }) => Some(target),
                _ => None,
            };
            match check::check(&mut d, op, target, &tokens).await {
                Ok(c) => {
                    for m in c.mismatches {
                        let ok = accepted.get(&step.index).is_some_and(|a| a.contains(&m));
                        let diff = Difference {
                            step: step.index,
                            kind: step.kind,
                            operation: op.name(),
                            field: m.field,
                            planned: m.planned,
                            actual: m.actual,
                        };
                        if ok {
                            out.adapted.push(diff);
                        } else {
                            out.differences.push(diff);
                        }
                    }
                }
                Err(e) if away(&e) => return fail(out, e.to_string()),
                Err(e) => out.differences.push(Difference {
                    step: step.index,
                    kind: step.kind,
                    operation: op.name(),
                    field: "(read)".into(),
                    planned: "readable".into(),
                    actual: e.reason(),
                }),
            }
        }
    }
    if !out.differences.is_empty() {
        out.status = "differ";
    }
    out
}
