//! Rollout waves (`rollout.toml`).
//!
//! ```toml
//! [defaults]                     # optional: limits of the final wave and of waves without
//! max_unavailable = 1            # their own
//! max_failures = 0
//!
//! [[wave]]
//! name = "pilot"
//! max_unavailable = 2
//! max_failures = "10%"           # a count, or a percentage of the wave
//! [wave.select]                  # every key given must match; a list matches any element
//! id = ["serial:ABC", "serial:DEF"]
//! address = ["10.1.0.0/24"]      # IPv4 CIDR or a single address
//! site = "north"                 # scope onvif://www.onvif.org/location/site/north
//! tag = "lobby"                  # a scope path (location/building/A) or its last segment
//! verdict = "white-label"        # the audit's verdict: covered, white-label, review, ...
//!
//! [[wave]]
//! name = "floor-2"
//! canary = 1                     # optional: the first camera alone, then the rest
//! select = { address = "10.1.2.0/24" }
//! ```
//! A camera goes to the first wave that selects it, so every flagged camera is in exactly one
//! wave. Cameras no wave selects go into a final wave named `remaining` (with the `[defaults]`
//! limits), and `camswap plan` reports each of them (a plan warning and a line on stderr), so a
//! selector that misses a camera is seen before apply. Without a rollout file there is one wave,
//! `all`. Waves list only cameras with a replacement (the others have nothing to apply).
//!
//! `canary = N`: apply runs the wave's first N cameras (in the plan's order) on their own, and
//! starts the rest only when the failures so far are within the wave's `max_failures`.

use std::fmt;

use ipnet::Ipv4Net;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::input::{InputError, field_location};

/// Default: one camera out of service at a time, stop at the first failure.
pub const DEFAULT_MAX_UNAVAILABLE: u32 = 1;

/// A rollout file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RolloutError {
    /// Malformed or inconsistent.
    #[error(transparent)]
    Invalid(#[from] InputError),
}

/// A failure budget: a count or a percentage of the wave.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Budget {
    /// At most this many failures.
    Count(u32),
    /// At most this share of the wave, in percent.
    Percent(f64),
}

impl Default for Budget {
    fn default() -> Self {
        Self::Count(0)
    }
}

impl Budget {
    /// Parses `3` or `"10%"`.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        match s.strip_suffix('%') {
            Some(p) => p
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|p| (0.0..=100.0).contains(p))
                .map(Self::Percent),
            None => s.parse().ok().map(Self::Count),
        }
    }

    /// The number of failures allowed in a wave of `n` cameras: a count as written, a
    /// percentage rounded down (10% of 25 cameras allows 2; 5% of 16 allows none). The wave
    /// stops once its failures exceed this.
    pub fn allowed(&self, n: usize) -> usize {
        match *self {
            Self::Count(c) => c as usize,
            // The epsilon keeps a share that is a whole number in decimal (18.4% of 375 = 69)
            // from being rounded down by binary floating point (68.99999999999999).
            Self::Percent(p) => ((n as f64) * p / 100.0 + 1e-9).floor() as usize,
        }
    }

    /// Whether `failed` failures in a wave of `n` cameras are over the budget.
    pub fn exceeded(&self, failed: usize, n: usize) -> bool {
        failed > self.allowed(n)
    }
}

impl fmt::Display for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Count(c) => write!(f, "{c}"),
            Self::Percent(p) => write!(f, "{p}%"),
        }
    }
}

impl Serialize for Budget {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Count(c) => s.serialize_u32(*c),
            Self::Percent(_) => s.collect_str(self),
        }
    }
}

impl schemars::JsonSchema for Budget {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Budget".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A number of failures, or a percentage of the wave such as \"10%\".",
            "oneOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?%$" }
            ]
        })
    }
}

impl<'de> Deserialize<'de> for Budget {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u32),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(Self::Count(n)),
            Raw::S(s) => Self::parse(&s).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "expected a number of failures or a percentage like \"10%\", found \"{s}\""
                ))
            }),
        }
    }
}

/// Which cameras a wave takes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selector {
    /// Camera ids.
    pub ids: Vec<String>,
    /// IPv4 ranges.
    pub addresses: Vec<Ipv4Net>,
    /// Sites (`location/site/NAME` scopes).
    pub sites: Vec<String>,
    /// Scope tags.
    pub tags: Vec<String>,
    /// Audit verdicts, normalised (`white-label`).
    pub verdicts: Vec<String>,
}

/// The audit's verdicts a `verdict` selector may name (`white_label` is accepted too).
pub const VERDICTS: [&str; 5] = ["covered", "white-label", "review", "unknown", "clear"];

/// A verdict as the selector compares it: lower case, `_` written `-`.
pub fn normalise_verdict(v: &str) -> String {
    v.trim().to_ascii_lowercase().replace('_', "-")
}

/// What a selector looks at on a camera.
#[derive(Debug, Clone, Copy)]
pub struct CameraKey<'a> {
    /// Id.
    pub id: &'a str,
    /// IPv4 address, when known.
    pub address: Option<std::net::Ipv4Addr>,
    /// Scope URIs.
    pub scopes: &'a [String],
    /// The audit's verdict (`covered`, `white-label`), when known.
    pub verdict: Option<&'a str>,
}

fn scope_path(uri: &str) -> Option<String> {
    let rest = uri.split_once("://")?.1;
    let path = rest.split_once('/')?.1;
    Some(percent_decode(path).to_ascii_lowercase())
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Selector {
    /// True when every key given matches the camera.
    pub fn matches(&self, c: &CameraKey<'_>) -> bool {
        let paths: Vec<String> = c.scopes.iter().filter_map(|s| scope_path(s)).collect();
        let id_ok = self.ids.is_empty() || self.ids.iter().any(|i| i == c.id);
        let addr_ok = self.addresses.is_empty()
            || c.address
                .is_some_and(|a| self.addresses.iter().any(|n| n.contains(&a)));
        let site_ok = self.sites.is_empty()
            || self.sites.iter().any(|s| {
                let want = format!("location/site/{}", s.to_ascii_lowercase());
                paths.contains(&want)
            });
        let tag_ok = self.tags.is_empty()
            || self.tags.iter().any(|t| {
                let t = t.to_ascii_lowercase();
                paths
                    .iter()
                    .any(|p| *p == t || p.rsplit('/').next() == Some(t.as_str()))
            });
        let verdict_ok = self.verdicts.is_empty()
            || c.verdict.is_some_and(|v| {
                let v = normalise_verdict(v);
                self.verdicts.contains(&v)
            });
        id_ok && addr_ok && site_ok && tag_ok && verdict_ok
    }
}

/// One wave as written.
#[derive(Debug, Clone, PartialEq)]
pub struct WaveSpec {
    /// Name.
    pub name: String,
    /// Selector.
    pub select: Selector,
    /// Cameras out of service at once.
    pub max_unavailable: u32,
    /// Failure budget.
    pub max_failures: Budget,
    /// Cameras applied on their own before the rest of the wave (0: none).
    pub canary: u32,
}

/// The rollout file.
#[derive(Debug, Clone, PartialEq)]
pub struct Rollout {
    /// Waves in order.
    pub waves: Vec<WaveSpec>,
    /// Limits of the final wave.
    pub default_max_unavailable: u32,
    /// Failure budget of the final wave.
    pub default_max_failures: Budget,
}

impl Default for Rollout {
    fn default() -> Self {
        Self {
            waves: Vec::new(),
            default_max_unavailable: DEFAULT_MAX_UNAVAILABLE,
            default_max_failures: Budget::Count(0),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            Self::One(s) => vec![s],
            Self::Many(v) => v,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRollout {
    #[serde(default)]
    version: Option<u32>,
    #[serde(default)]
    defaults: Option<RawDefaults>,
    #[serde(default)]
    wave: Vec<toml::Spanned<RawWave>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    #[serde(default)]
    max_unavailable: Option<u32>,
    #[serde(default)]
    max_failures: Option<Budget>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWave {
    name: String,
    #[serde(default)]
    select: RawSelect,
    #[serde(default)]
    max_unavailable: Option<u32>,
    #[serde(default)]
    max_failures: Option<Budget>,
    #[serde(default)]
    canary: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSelect {
    #[serde(default)]
    id: Option<OneOrMany>,
    #[serde(default)]
    address: Option<OneOrMany>,
    #[serde(default)]
    site: Option<OneOrMany>,
    #[serde(default)]
    tag: Option<OneOrMany>,
    #[serde(default)]
    verdict: Option<OneOrMany>,
}

impl Rollout {
    /// Parses `rollout.toml` text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, RolloutError> {
        let invalid = |location, message: String| {
            RolloutError::Invalid(InputError::new(file, location, message))
        };
        let raw: RawRollout =
            toml::from_str(text).map_err(|e| InputError::from_toml(file, text, &e))?;
        if raw.version.is_some_and(|v| v > 1) {
            return Err(invalid(
                field_location(text, 0, "version"),
                "rollout version is newer than this camswap understands (up to 1)".into(),
            ));
        }
        let defaults = raw.defaults.unwrap_or(RawDefaults {
            max_unavailable: None,
            max_failures: None,
        });
        let default_max_unavailable = defaults.max_unavailable.unwrap_or(DEFAULT_MAX_UNAVAILABLE);
        let default_max_failures = defaults.max_failures.unwrap_or_default();
        let mut waves: Vec<WaveSpec> = Vec::new();
        for w in raw.wave {
            let at = w.span().start;
            let w = w.into_inner();
            let loc = |field: &str| field_location(text, at, field);
            if w.name.trim().is_empty() || w.name == "remaining" {
                return Err(invalid(
                    loc("name"),
                    format!(
                        "wave name \"{}\" is empty or reserved for the final wave",
                        w.name
                    ),
                ));
            }
            if waves.iter().any(|x| x.name == w.name) {
                return Err(invalid(
                    loc("name"),
                    format!("wave \"{}\" is defined twice", w.name),
                ));
            }
            let mut addresses = Vec::new();
            for a in w
                .select
                .address
                .map(OneOrMany::into_vec)
                .unwrap_or_default()
            {
                let net = a
                    .parse::<Ipv4Net>()
                    .or_else(|_| a.parse::<std::net::Ipv4Addr>().map(Ipv4Net::from))
                    .map_err(|_| {
                        invalid(
                            loc("select.address"),
                            format!("expected an IPv4 CIDR like \"10.1.0.0/24\" or an address, found \"{a}\""),
                        )
                    })?;
                addresses.push(net);
            }
            let mut verdicts = Vec::new();
            for v in w
                .select
                .verdict
                .map(OneOrMany::into_vec)
                .unwrap_or_default()
            {
                let n = normalise_verdict(&v);
                if !VERDICTS.contains(&n.as_str()) {
                    return Err(invalid(
                        loc("select.verdict"),
                        format!(
                            "expected an audit verdict ({}), found \"{v}\"",
                            VERDICTS.join(", ")
                        ),
                    ));
                }
                verdicts.push(n);
            }
            let max_unavailable = w.max_unavailable.unwrap_or(default_max_unavailable);
            if max_unavailable == 0 {
                return Err(invalid(loc("max_unavailable"), "must be at least 1".into()));
            }
            waves.push(WaveSpec {
                name: w.name,
                select: Selector {
                    ids: w.select.id.map(OneOrMany::into_vec).unwrap_or_default(),
                    addresses,
                    sites: w.select.site.map(OneOrMany::into_vec).unwrap_or_default(),
                    tags: w.select.tag.map(OneOrMany::into_vec).unwrap_or_default(),
                    verdicts,
                },
                max_unavailable,
                max_failures: w.max_failures.unwrap_or(default_max_failures),
                canary: w.canary.unwrap_or(0),
            });
        }
        if default_max_unavailable == 0 {
            return Err(invalid(
                field_location(
                    text,
                    text.find("[defaults]").unwrap_or(0),
                    "defaults.max_unavailable",
                ),
                "must be at least 1".into(),
            ));
        }
        Ok(Self {
            waves,
            default_max_unavailable,
            default_max_failures,
        })
    }

    /// The index of the wave a camera belongs to (`waves.len()` = the final wave).
    pub fn wave_of(&self, c: &CameraKey<'_>) -> usize {
        self.waves
            .iter()
            .position(|w| w.select.matches(c))
            .unwrap_or(self.waves.len())
    }

    /// Name of wave `i` (the final wave is `remaining`, or `all` without any wave).
    pub fn wave_name(&self, i: usize) -> &str {
        match self.waves.get(i) {
            Some(w) => &w.name,
            None if self.waves.is_empty() => "all",
            None => "remaining",
        }
    }
}

/// How a plan starts its warning about flagged cameras no wave selects.
pub const UNSELECTED_WARNING: &str = "flagged cameras no wave of the rollout file selects";

/// The plan's warning naming each flagged camera no wave selects.
pub fn unselected_warning(ids: &[&str]) -> String {
    format!(
        "{} {UNSELECTED_WARNING} (those with a replacement go into the final wave `remaining`): {}",
        ids.len(),
        ids.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[defaults]
max_unavailable = 3
max_failures = "5%"

[[wave]]
name = "pilot"
max_failures = 1
select = { id = ["serial:B"] }

[[wave]]
name = "north"
[wave.select]
address = "10.1.0.0/24"
site = "north"
"#;

    #[test]
    fn first_matching_wave_wins_and_the_rest_go_last() {
        let r = Rollout::parse("rollout.toml", TEXT).unwrap();
        let scopes = vec!["onvif://www.onvif.org/location/site/North".to_string()];
        let cam = |id, ip: &str, scopes| CameraKey {
            id,
            address: ip.parse().ok(),
            scopes,
            verdict: None,
        };
        assert_eq!(r.wave_of(&cam("serial:B", "10.1.0.5", &scopes)), 0);
        assert_eq!(r.wave_of(&cam("serial:A", "10.1.0.5", &scopes)), 1);
        // Both keys must match: right address, no site scope.
        assert_eq!(r.wave_of(&cam("serial:A", "10.1.0.6", &[])), 2);
        assert_eq!(r.wave_name(2), "remaining");
        assert_eq!(r.waves[0].max_failures, Budget::Count(1));
        assert_eq!(r.waves[1].max_failures, Budget::Percent(5.0));
        assert_eq!(r.waves[1].max_unavailable, 3);
        assert_eq!(Budget::Percent(10.0).allowed(25), 2);
    }

    #[test]
    fn tags_match_a_scope_path_or_its_last_segment() {
        let s = Selector {
            tags: vec!["Lobby".into()],
            ..Default::default()
        };
        let scopes = vec!["onvif://www.onvif.org/location/building%20A/lobby".to_string()];
        let c = CameraKey {
            id: "x",
            address: None,
            scopes: &scopes,
            verdict: None,
        };
        assert!(s.matches(&c));
        let s = Selector {
            tags: vec!["location/building a/lobby".into()],
            ..Default::default()
        };
        assert!(s.matches(&c));
    }

    #[test]
    fn errors_name_the_line_and_field() {
        let e = Rollout::parse(
            "r.toml",
            "[[wave]]\nname = \"a\"\nselect = { address = \"10.0.0.0/33\" }\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("r.toml: line 3, field select.address:"),
            "{e}"
        );
        let e = Rollout::parse(
            "r.toml",
            "[[wave]]\nname = \"a\"\nmax_failures = \"lots\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("line 3") && e.contains("lots"), "{e}");
        let budget: Budget = serde_json::from_str("\"12.5%\"").unwrap();
        assert_eq!(serde_json::to_string(&budget).unwrap(), "\"12.5%\"");
        assert_eq!(serde_json::to_string(&Budget::Count(2)).unwrap(), "2");
    }

    #[test]
    fn verdict_selects_by_the_audit_verdict_and_canary_is_read() {
        let r = Rollout::parse(
            "r.toml",
            "[[wave]]\nname = \"oem\"\ncanary = 2\nselect = { verdict = \"white_label\" }\n\n[[wave]]\nname = \"rest\"\nselect = { verdict = [\"covered\", \"Review\"] }\n",
        )
        .unwrap();
        assert_eq!(r.waves[0].select.verdicts, ["white-label"]);
        assert_eq!(r.waves[0].canary, 2);
        assert_eq!(r.waves[1].canary, 0);
        let cam = |verdict| CameraKey {
            id: "x",
            address: None,
            scopes: &[],
            verdict,
        };
        assert_eq!(r.wave_of(&cam(Some("white-label"))), 0);
        assert_eq!(r.wave_of(&cam(Some("covered"))), 1);
        // A camera without a known verdict matches no verdict selector.
        assert_eq!(r.wave_of(&cam(None)), 2);
        let e = Rollout::parse(
            "r.toml",
            "[[wave]]\nname = \"a\"\nselect = { verdict = \"banned\" }\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("r.toml: line 3, field select.verdict:")
                && e.contains("covered, white-label, review, unknown, clear")
                && e.contains("banned"),
            "{e}"
        );
    }

    #[test]
    fn the_warning_names_each_unselected_camera() {
        assert_eq!(
            unselected_warning(&["serial:A", "serial:B"]),
            "2 flagged cameras no wave of the rollout file selects (those with a replacement go into the final wave `remaining`): serial:A, serial:B"
        );
    }
}
