//! PTZ nodes, spaces, configurations, positions and presets.

use serde::{Deserialize, Serialize};

use super::Range;

/// PTZ state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Ptz {
    /// Nodes (one per mechanical unit).
    #[serde(default)]
    pub nodes: Vec<PtzNode>,
    /// Configurations.
    #[serde(default)]
    pub configurations: Vec<PtzConfiguration>,
    /// Presets, per profile.
    #[serde(default)]
    pub presets: Vec<Preset>,
}

/// A PTZ node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PtzNode {
    /// Node token.
    pub token: String,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Maximum number of presets.
    #[serde(default)]
    pub max_presets: u32,
    /// Home position supported.
    #[serde(default)]
    pub home_supported: bool,
    /// Home position fixed.
    #[serde(default)]
    pub fixed_home_position: Option<bool>,
    /// Absolute pan/tilt spaces with ranges.
    #[serde(default)]
    pub absolute_pan_tilt: Vec<Space2d>,
    /// Absolute zoom spaces with ranges.
    #[serde(default)]
    pub absolute_zoom: Vec<Space1d>,
    /// URIs of the other spaces the node supports (relative, continuous, speed).
    #[serde(default)]
    pub other_spaces: Vec<String>,
}

/// A 2-D space with its ranges.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Space2d {
    /// Space URI.
    pub uri: String,
    /// X (pan) range.
    pub x: Range,
    /// Y (tilt) range.
    pub y: Range,
}

/// A 1-D space with its range.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Space1d {
    /// Space URI.
    pub uri: String,
    /// X (zoom) range.
    pub x: Range,
}

/// A PTZ configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PtzConfiguration {
    /// Configuration token.
    pub token: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Node token.
    #[serde(default)]
    pub node_token: String,
    /// Default absolute pan/tilt space URI.
    #[serde(default)]
    pub default_absolute_pan_tilt_space: Option<String>,
    /// Default absolute zoom space URI.
    #[serde(default)]
    pub default_absolute_zoom_space: Option<String>,
    /// Pan/tilt limits.
    #[serde(default)]
    pub pan_tilt_limits: Option<Space2d>,
    /// Zoom limits.
    #[serde(default)]
    pub zoom_limits: Option<Space1d>,
}

/// A position in a PTZ space.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PtzPosition {
    /// Pan (x) and tilt (y) with their space URI.
    #[serde(default)]
    pub pan_tilt: Option<(f64, f64, Option<String>)>,
    /// Zoom with its space URI.
    #[serde(default)]
    pub zoom: Option<(f64, Option<String>)>,
}

/// A preset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Preset {
    /// The profile it was read through.
    pub profile_token: String,
    /// Preset token (often the preset number).
    pub token: String,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Position, when the device reports one.
    #[serde(default)]
    pub position: Option<PtzPosition>,
}
