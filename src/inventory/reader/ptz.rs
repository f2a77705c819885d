//! The PTZ section: nodes, configurations and their options, and presets and position read
//! once per node.

use super::Reader;
use super::policy::Stop;
use crate::model::{DeviceSnapshot, Ptz};
use crate::onvif::ptz;

impl Reader<'_> {
    pub(super) async fn ptz(&mut self) -> Result<(), Stop> {
        if !self.session.has_service(ptz::SERVICE) {
            return Ok(());
        }
        self.snap().ptz = Some(Ptz::default());
        if let Some(nodes) = self.send(&ptz::GetNodes, None).await? {
            self.ptz_mut().nodes = nodes;
        }
        if let Some(configurations) = self.send(&ptz::GetConfigurations, None).await? {
            self.ptz_mut().configurations = configurations;
        }
        let configurations: Vec<(String, String)> = self
            .ptz_mut()
            .configurations
            .iter()
            .map(|c| (c.token.clone(), c.node_token.clone()))
            .collect();
        for (token, node) in configurations {
            let ctx = format!("configuration {token}");
            let op = ptz::GetConfigurationOptions {
                configuration: token,
            };
            let Some(options) = self.send(&op, Some(&ctx)).await? else {
                continue;
            };
            // The model keeps spaces on the node; a node that listed none (sparse GetNodes
            // answers exist) takes the ones its configuration may use.
            if let Some(n) = self.ptz_mut().nodes.iter_mut().find(|n| n.token == node) {
                if n.absolute_pan_tilt.is_empty() && n.absolute_zoom.is_empty() {
                    n.absolute_pan_tilt = options.absolute_pan_tilt;
                    n.absolute_zoom = options.absolute_zoom;
                    if n.other_spaces.is_empty() {
                        n.other_spaces = options.other_spaces;
                    }
                }
            }
        }
        for profile in one_profile_per_ptz_node(&self.out.snapshot) {
            let ctx = format!("profile {profile}");
            let presets = ptz::GetPresets {
                profile: profile.clone(),
            };
            if let Some(presets) = self.send(&presets, Some(&ctx)).await? {
                self.ptz_mut().presets.extend(presets);
            }
            let status = ptz::GetStatus {
                profile: profile.clone(),
            };
            if let Some(status) = self.send(&status, Some(&ctx)).await? {
                if let Some(position) = status.position {
                    self.snap().observed.ptz_positions.push((profile, position));
                }
            }
        }
        Ok(())
    }

    fn ptz_mut(&mut self) -> &mut Ptz {
        self.out.snapshot.ptz.get_or_insert_with(Ptz::default)
    }
}

/// Presets and position belong to the PTZ node, not to the profile they are read
/// through: each node is read once, through the first profile whose PTZ configuration
/// drives it (reading through every profile would list each preset once per stream, and
/// the planner would count them twice).
fn one_profile_per_ptz_node(snapshot: &DeviceSnapshot) -> Vec<String> {
    let configurations = snapshot
        .ptz
        .as_ref()
        .map(|p| p.configurations.as_slice())
        .unwrap_or_default();
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for p in &snapshot.profiles {
        let Some(config) = p.ptz_configuration.as_deref() else {
            continue;
        };
        let node = configurations
            .iter()
            .find(|c| c.token == config && !c.node_token.is_empty())
            .map_or(config, |c| c.node_token.as_str());
        if !seen.contains(&node) {
            seen.push(node);
            out.push(p.token.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MediaProfile;

    #[test]
    fn presets_are_read_once_per_ptz_node_not_once_per_stream() {
        use crate::model::PtzConfiguration;
        let profile = |token: &str, ptz: Option<&str>| MediaProfile {
            token: token.into(),
            ptz_configuration: ptz.map(str::to_owned),
            ..Default::default()
        };
        let config = |token: &str, node: &str| PtzConfiguration {
            token: token.into(),
            node_token: node.into(),
            ..Default::default()
        };
        let mut s = DeviceSnapshot {
            profiles: vec![
                profile("Profile_1", Some("PTZToken")),
                profile("Profile_2", Some("PTZToken")),
                profile("Profile_3", None),
                profile("Profile_4", Some("PTZ2")),
                profile("Profile_5", Some("PTZ3")),
            ],
            ..Default::default()
        };
        // Without the configurations list, configurations stand for their nodes.
        assert_eq!(
            one_profile_per_ptz_node(&s),
            ["Profile_1", "Profile_4", "Profile_5"]
        );
        // PTZ3 drives the same node as PTZToken.
        s.ptz = Some(Ptz {
            configurations: vec![
                config("PTZToken", "Node1"),
                config("PTZ2", "Node2"),
                config("PTZ3", "Node1"),
            ],
            ..Default::default()
        });
        assert_eq!(one_profile_per_ptz_node(&s), ["Profile_1", "Profile_4"]);
    }
}
