//! Policies as data: which companies a rule set covers, the brands, subsidiaries and OEMs that
//! carry their hardware, and the fingerprints that recognise it, every rule citing its source.
//!
//! A policy is one TOML file (format `camswap.policy`, version 1). Two are built in
//! (`uk-2022`, `ndaa-889`, in `policies/`); users add their own with `--policy FILE`. The
//! schema, by example:
//!
//! ```toml
//! format = "camswap.policy"
//! version = 1
//! id = "site-extra"
//! title = "Site rule: no Uniview"
//!
//! [[source]]
//! id = "site-memo"
//! citation = "Site security memo 2024-03"
//!
//! [[company]]
//! id = "uniview"
//! name = "Uniview"
//! basis = "Named in the site memo"
//! source = "site-memo"
//! names = ["uniview", "unv"]                       # manufacturer strings and name scopes
//! oui_organisations = ["zhejiang uniview technologies"] # IEEE organisation names
//!
//! [[company.model]]
//! pattern = "^IPC\\d{4}"       # regular expression, case-insensitive
//! description = "Uniview IP camera"
//! confidence = 0.7
//! source = "site-memo"
//! ```
//!
//! Names are compared after [`names::normalise`](super::names::normalise), on whole tokens.
//! Errors name the file, line, column and field (`company[0].oem[1].confidence`).

use std::ops::Range;
use std::path::{Path, PathBuf};

use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use toml::Spanned;

use super::names::{contains_phrase, normalise};
use crate::input::{InputError, field_path_at, locate, locate_error};

/// The file format name every policy carries.
pub const FORMAT: &str = "camswap.policy";
/// The newest policy version this binary reads.
pub const VERSION: i64 = 1;

const BUILTIN: &[(&str, &str)] = &[
    ("uk-2022", include_str!("policies/uk-2022.toml")),
    ("ndaa-889", include_str!("policies/ndaa-889.toml")),
];

/// Why a policy could not be used.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The file could not be read.
    #[error("cannot read policy {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a valid policy.
    #[error(transparent)]
    Invalid(#[from] InputError),
    /// `--policy NAME` names neither a built-in policy nor a file.
    #[error("no built-in policy {name:?} and no such file (built-in policies: {known})")]
    Unknown {
        /// What was asked for.
        name: String,
        /// The built-in names.
        known: String,
    },
}

/// A cited source.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Source {
    /// Short id rules refer to.
    pub id: String,
    /// Full citation.
    pub citation: String,
    /// Where to read it (shown as text, never fetched).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// How a brand belongs to a covered company.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The company's own brand (EZVIZ, HiLook, Imou).
    Brand,
    /// A subsidiary (Hikrobot, HiSilicon).
    Subsidiary,
    /// A joint venture (Prama Hikvision India).
    JointVenture,
    /// Another affiliate.
    Affiliate,
}

impl Relation {
    /// Words for a report.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Brand => "brand",
            Self::Subsidiary => "subsidiary",
            Self::JointVenture => "joint venture",
            Self::Affiliate => "affiliate",
        }
    }
}

/// A brand, subsidiary or affiliate that is the covered company for the policy's purposes.
#[derive(Debug, Clone)]
pub struct Brand {
    /// Display name.
    pub name: String,
    /// How it belongs to the company.
    pub relation: Relation,
    /// Normalised names it appears under.
    pub names: Vec<String>,
    /// Normalised IEEE organisation names.
    pub oui_organisations: Vec<String>,
    /// Source id.
    pub source: String,
}

/// A brand that resells the company's hardware under its own name, with how sure we are.
#[derive(Debug, Clone)]
pub struct Oem {
    /// Display name.
    pub brand: String,
    /// Normalised names it appears under.
    pub names: Vec<String>,
    /// Normalised IEEE organisation names (the OEM's own blocks).
    pub oui_organisations: Vec<String>,
    /// Letters of the Dahua firmware customer field this OEM uses (`AC` for Amcrest).
    pub firmware_customer: Vec<String>,
    /// Probability that a unit of this brand is the company's hardware.
    pub confidence: f64,
    /// Source id.
    pub source: String,
    /// Context for the report.
    pub note: Option<String>,
}

/// A regular-expression rule (model, scope, stream path) with its weight and source.
#[derive(Debug, Clone)]
pub struct PatternRule {
    /// Case-insensitive pattern.
    pub pattern: Regex,
    /// What a match means.
    pub description: String,
    /// Weight of a match.
    pub confidence: f64,
    /// Source id.
    pub source: String,
}

/// How a firmware rule recognises a version string.
#[derive(Debug, Clone)]
pub enum FirmwareMatcher {
    /// `V5.7.3 build 220112` (see [`super::firmware::parse_hikvision`]).
    Hikvision,
    /// `2.800.0000018.0.R` (see [`super::firmware::parse_dahua`]).
    Dahua,
    /// A policy's own pattern.
    Pattern(Regex),
}

/// A firmware rule.
#[derive(Debug, Clone)]
pub struct FirmwareRule {
    /// The grammar or pattern.
    pub matcher: FirmwareMatcher,
    /// What a match means.
    pub description: String,
    /// Weight of a match.
    pub confidence: f64,
    /// Source id.
    pub source: String,
}

/// Where a [`FingerprintRule`] looks: what a device shows before any login.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FingerprintKind {
    /// The HTTP `Server` header of the device service.
    HttpServer,
    /// The realm of the HTTP Digest challenge.
    AuthRealm,
    /// A namespace URI the device's SOAP answers declare.
    SoapNamespace,
    /// The vendor discovery protocol that answered (`sadp`, `dhip`).
    DiscoveryProtocol,
}

/// A pattern on pre-login evidence (web server, Digest realm, SOAP namespaces, vendor discovery).
#[derive(Debug, Clone)]
pub struct FingerprintRule {
    /// Where it looks.
    pub kind: FingerprintKind,
    /// The pattern, weight and source.
    pub rule: PatternRule,
}

/// A rule with only a weight (the endpoint-UUID habit).
#[derive(Debug, Clone)]
pub struct WeightRule {
    /// What a match means.
    pub description: String,
    /// Weight of a match.
    pub confidence: f64,
    /// Source id.
    pub source: String,
}

/// A covered company and everything that recognises its hardware.
#[derive(Debug, Clone)]
pub struct Company {
    /// Stable id (`hikvision`).
    pub id: String,
    /// Display name (`Hikvision`).
    pub name: String,
    /// Registered name.
    pub legal_name: Option<String>,
    /// Why the policy covers it.
    pub basis: String,
    /// Source id for `basis`.
    pub source: String,
    /// Normalised names (manufacturer strings, name scopes).
    pub names: Vec<String>,
    /// Normalised IEEE organisation names.
    pub oui_organisations: Vec<String>,
    /// Own brands, subsidiaries, affiliates.
    pub brands: Vec<Brand>,
    /// Known OEM relationships.
    pub oems: Vec<Oem>,
    /// Model (and serial, hardware scope) patterns.
    pub models: Vec<PatternRule>,
    /// Firmware grammars and patterns.
    pub firmware: Vec<FirmwareRule>,
    /// Scope patterns, matched on the decoded path after `onvif://www.onvif.org/`.
    pub scopes: Vec<PatternRule>,
    /// Stream URI path (and query) patterns.
    pub stream_paths: Vec<PatternRule>,
    /// The WS-Discovery endpoint UUID ends in the NIC's MAC.
    pub endpoint_uuid_mac: Option<WeightRule>,
    /// Pre-login fingerprints (Server header, Digest realm, SOAP namespaces, vendor discovery).
    pub fingerprints: Vec<FingerprintRule>,
}

impl Company {
    /// The name of this company or of its brand or subsidiary that an IEEE organisation name
    /// belongs to (OEMs excluded: their blocks are theirs). Whole-word match on the
    /// organisation name only, never the address.
    pub fn claims_organisation(&self, organisation: &str) -> Option<&str> {
        let org = normalise(organisation);
        if self
            .oui_organisations
            .iter()
            .any(|n| contains_phrase(&org, n))
        {
            return Some(&self.name);
        }
        self.brands
            .iter()
            .find(|b| b.oui_organisations.iter().any(|n| contains_phrase(&org, n)))
            .map(|b| b.name.as_str())
    }
}

/// A parsed, checked policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Short id (`uk-2022`).
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Jurisdiction.
    pub jurisdiction: Option<String>,
    /// Date it took effect.
    pub effective: Option<String>,
    /// What it requires, in a sentence or two.
    pub summary: Option<String>,
    /// The policy's own words, quoted.
    pub statement: Option<String>,
    /// Where and to what it applies (sites, equipment, companies).
    pub scope: Option<String>,
    /// The word for a covered device under this policy, with what it means
    /// (`covered: do not deploy on sensitive sites; removal advised`).
    pub covered_wording: Option<String>,
    /// `builtin:NAME` or the file path.
    pub origin: String,
    /// Cited sources.
    pub sources: Vec<Source>,
    /// Covered companies.
    pub companies: Vec<Company>,
}

impl Policy {
    /// The names of the built-in policies.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// A built-in policy by name.
    pub fn builtin(name: &str) -> Option<Self> {
        BUILTIN.iter().find(|(n, _)| *n == name).map(|(n, text)| {
            Self::parse(&format!("builtin:{n}"), text).expect("built-in policies are valid")
        })
    }

    /// Every built-in policy.
    pub fn builtins() -> Vec<Self> {
        Self::builtin_names()
            .into_iter()
            .filter_map(Self::builtin)
            .collect()
    }

    /// `--policy NAME|FILE`: a built-in name (optionally `builtin:NAME`), else a file.
    pub fn resolve(arg: &str) -> Result<Self, PolicyError> {
        let name = arg.strip_prefix("builtin:").unwrap_or(arg);
        if let Some(p) = Self::builtin(name) {
            return Ok(p);
        }
        let path = Path::new(arg);
        if arg.starts_with("builtin:") || !path.exists() {
            return Err(PolicyError::Unknown {
                name: arg.to_owned(),
                known: Self::builtin_names().join(", "),
            });
        }
        Self::load(path)
    }

    /// Reads a policy file.
    pub fn load(path: &Path) -> Result<Self, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Parses and checks policy text; `origin` names it in errors.
    pub fn parse(origin: &str, text: &str) -> Result<Self, PolicyError> {
        let raw: RawPolicy = toml::from_str(text).map_err(|e| {
            // A policy repeats the same keys under every company, so the field is its path.
            let (mut location, message) = locate_error(text, &e);
            location.field =
                field_path_at(text, e.span().map_or(0, |s| s.start)).or(location.field);
            InputError::new(origin, location, message)
        })?;
        Checker { origin, text }.policy(raw)
    }

    /// The citation for a source id.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }
}

// ---------------------------------------------------------------------------------------------
// The file as written.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    format: Spanned<String>,
    version: Spanned<i64>,
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    jurisdiction: Option<String>,
    #[serde(default)]
    effective: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    statement: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    covered_wording: Option<String>,
    #[serde(default, rename = "source")]
    sources: Vec<RawSource>,
    #[serde(default, rename = "company")]
    companies: Vec<RawCompany>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: Spanned<String>,
    citation: String,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCompany {
    id: Spanned<String>,
    name: String,
    #[serde(default)]
    legal_name: Option<String>,
    basis: String,
    source: Spanned<String>,
    #[serde(default)]
    names: Vec<Spanned<String>>,
    #[serde(default)]
    oui_organisations: Vec<Spanned<String>>,
    #[serde(default, rename = "brand")]
    brands: Vec<RawBrand>,
    #[serde(default, rename = "oem")]
    oems: Vec<RawOem>,
    #[serde(default, rename = "model")]
    models: Vec<RawPattern>,
    #[serde(default)]
    firmware: Vec<RawFirmware>,
    #[serde(default, rename = "scope")]
    scopes: Vec<RawPattern>,
    #[serde(default, rename = "stream_path")]
    stream_paths: Vec<RawPattern>,
    #[serde(default)]
    endpoint_uuid_mac: Option<RawWeight>,
    #[serde(default, rename = "fingerprint")]
    fingerprints: Vec<RawFingerprint>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFingerprint {
    kind: FingerprintKind,
    pattern: Spanned<String>,
    description: String,
    confidence: Spanned<f64>,
    source: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBrand {
    name: String,
    relation: Relation,
    #[serde(default)]
    names: Vec<Spanned<String>>,
    #[serde(default)]
    oui_organisations: Vec<Spanned<String>>,
    source: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOem {
    brand: String,
    #[serde(default)]
    names: Vec<Spanned<String>>,
    #[serde(default)]
    oui_organisations: Vec<Spanned<String>>,
    #[serde(default)]
    firmware_customer: Vec<String>,
    confidence: Spanned<f64>,
    source: Spanned<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPattern {
    pattern: Spanned<String>,
    description: String,
    confidence: Spanned<f64>,
    source: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFirmware {
    #[serde(default)]
    grammar: Option<Spanned<String>>,
    #[serde(default)]
    pattern: Option<Spanned<String>>,
    description: String,
    confidence: Spanned<f64>,
    source: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeight {
    description: String,
    confidence: Spanned<f64>,
    source: Spanned<String>,
}

// ---------------------------------------------------------------------------------------------
// Semantic checks, each naming the field path and the line it is on.

struct Checker<'a> {
    origin: &'a str,
    text: &'a str,
}

impl Checker<'_> {
    fn err(&self, span: Range<usize>, field: String, message: impl Into<String>) -> PolicyError {
        InputError::new(
            self.origin,
            locate(self.text, span.start).with_field(field),
            message,
        )
        .into()
    }

    fn policy(&self, raw: RawPolicy) -> Result<Policy, PolicyError> {
        if raw.format.get_ref() != FORMAT {
            return Err(self.err(
                raw.format.span(),
                "format".into(),
                format!("expected \"{FORMAT}\", found {:?}", raw.format.get_ref()),
            ));
        }
        let v = *raw.version.get_ref();
        if !(1..=VERSION).contains(&v) {
            return Err(self.err(
                raw.version.span(),
                "version".into(),
                format!("version {v} is not one this camswap reads (1 to {VERSION})"),
            ));
        }
        let id = self.ident(&raw.id, "id")?;
        let mut sources: Vec<Source> = Vec::new();
        for (i, s) in raw.sources.into_iter().enumerate() {
            let sid = self.ident(&s.id, &format!("source[{i}].id"))?;
            if sources.iter().any(|x| x.id == sid) {
                return Err(self.err(
                    s.id.span(),
                    format!("source[{i}].id"),
                    format!("source {sid:?} is defined twice"),
                ));
            }
            sources.push(Source {
                id: sid,
                citation: s.citation,
                url: s.url,
            });
        }
        let mut companies: Vec<Company> = Vec::new();
        for (i, c) in raw.companies.into_iter().enumerate() {
            let span = c.id.span();
            let company = self.company(c, &format!("company[{i}]"), &sources)?;
            if companies.iter().any(|x| x.id == company.id) {
                return Err(self.err(
                    span,
                    format!("company[{i}].id"),
                    format!("company {:?} is defined twice", company.id),
                ));
            }
            companies.push(company);
        }
        Ok(Policy {
            id,
            title: raw.title,
            jurisdiction: raw.jurisdiction,
            effective: raw.effective,
            summary: raw.summary,
            statement: raw.statement,
            scope: raw.scope,
            covered_wording: raw.covered_wording,
            origin: self.origin.to_owned(),
            sources,
            companies,
        })
    }

    fn ident(&self, s: &Spanned<String>, field: &str) -> Result<String, PolicyError> {
        let v = s.get_ref();
        if v.is_empty()
            || !v
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return Err(self.err(
                s.span(),
                field.into(),
                format!("{v:?} is not an id (lower-case letters, digits, '-' and '_')"),
            ));
        }
        Ok(v.clone())
    }

    fn source_ref(
        &self,
        s: &Spanned<String>,
        field: String,
        sources: &[Source],
    ) -> Result<String, PolicyError> {
        if sources.iter().any(|x| &x.id == s.get_ref()) {
            Ok(s.get_ref().clone())
        } else {
            let known: Vec<&str> = sources.iter().map(|x| x.id.as_str()).collect();
            Err(self.err(
                s.span(),
                field,
                format!(
                    "source {:?} is not defined in a [[source]] table (defined: {})",
                    s.get_ref(),
                    if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    }
                ),
            ))
        }
    }

    fn confidence(&self, c: &Spanned<f64>, field: String) -> Result<f64, PolicyError> {
        let v = *c.get_ref();
        if !(0.0..=1.0).contains(&v) {
            return Err(self.err(c.span(), field, format!("confidence {v} is outside 0..1")));
        }
        Ok(v)
    }

    fn names(&self, list: &[Spanned<String>], field: &str) -> Result<Vec<String>, PolicyError> {
        list.iter()
            .enumerate()
            .map(|(i, n)| {
                let norm = normalise(n.get_ref());
                if norm.is_empty() {
                    Err(self.err(
                        n.span(),
                        format!("{field}[{i}]"),
                        format!(
                            "{:?} has no letters or digits left after removing punctuation and legal forms",
                            n.get_ref()
                        ),
                    ))
                } else {
                    Ok(norm)
                }
            })
            .collect()
    }

    fn regex(&self, p: &Spanned<String>, field: String) -> Result<Regex, PolicyError> {
        RegexBuilder::new(p.get_ref())
            .case_insensitive(true)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| {
                // The regex error spans several lines; its last line says what is wrong.
                let msg = e.to_string();
                let last = msg.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
                self.err(
                    p.span(),
                    field,
                    format!(
                        "invalid regular expression {:?}: {}",
                        p.get_ref(),
                        last.trim()
                    ),
                )
            })
    }

    fn patterns(
        &self,
        raw: Vec<RawPattern>,
        field: &str,
        sources: &[Source],
    ) -> Result<Vec<PatternRule>, PolicyError> {
        raw.into_iter()
            .enumerate()
            .map(|(i, r)| {
                let f = format!("{field}[{i}]");
                Ok(PatternRule {
                    pattern: self.regex(&r.pattern, format!("{f}.pattern"))?,
                    description: r.description,
                    confidence: self.confidence(&r.confidence, format!("{f}.confidence"))?,
                    source: self.source_ref(&r.source, format!("{f}.source"), sources)?,
                })
            })
            .collect()
    }

    fn company(
        &self,
        c: RawCompany,
        path: &str,
        sources: &[Source],
    ) -> Result<Company, PolicyError> {
        let id = self.ident(&c.id, &format!("{path}.id"))?;
        let source = self.source_ref(&c.source, format!("{path}.source"), sources)?;
        let names = self.names(&c.names, &format!("{path}.names"))?;
        let oui_organisations =
            self.names(&c.oui_organisations, &format!("{path}.oui_organisations"))?;
        let mut brands = Vec::new();
        for (i, b) in c.brands.into_iter().enumerate() {
            let f = format!("{path}.brand[{i}]");
            brands.push(Brand {
                names: self.names(&b.names, &format!("{f}.names"))?,
                oui_organisations: self
                    .names(&b.oui_organisations, &format!("{f}.oui_organisations"))?,
                source: self.source_ref(&b.source, format!("{f}.source"), sources)?,
                name: b.name,
                relation: b.relation,
            });
        }
        let mut oems = Vec::new();
        for (i, o) in c.oems.into_iter().enumerate() {
            let f = format!("{path}.oem[{i}]");
            oems.push(Oem {
                names: self.names(&o.names, &format!("{f}.names"))?,
                oui_organisations: self
                    .names(&o.oui_organisations, &format!("{f}.oui_organisations"))?,
                firmware_customer: o
                    .firmware_customer
                    .iter()
                    .map(|s| s.to_ascii_uppercase())
                    .collect(),
                confidence: self.confidence(&o.confidence, format!("{f}.confidence"))?,
                source: self.source_ref(&o.source, format!("{f}.source"), sources)?,
                brand: o.brand,
                note: o.note,
            });
        }
        let mut firmware = Vec::new();
        for (i, r) in c.firmware.into_iter().enumerate() {
            let f = format!("{path}.firmware[{i}]");
            let matcher = match (&r.grammar, &r.pattern) {
                (Some(g), None) => match g.get_ref().as_str() {
                    "hikvision" => FirmwareMatcher::Hikvision,
                    "dahua" => FirmwareMatcher::Dahua,
                    other => {
                        return Err(self.err(
                            g.span(),
                            format!("{f}.grammar"),
                            format!(
                                "unknown firmware grammar {other:?} (known: hikvision, dahua; or give a pattern)"
                            ),
                        ));
                    }
                },
                (None, Some(p)) => FirmwareMatcher::Pattern(self.regex(p, format!("{f}.pattern"))?),
                _ => {
                    return Err(self.err(
                        r.confidence.span(),
                        f,
                        "give exactly one of grammar or pattern",
                    ));
                }
            };
            firmware.push(FirmwareRule {
                matcher,
                description: r.description,
                confidence: self.confidence(&r.confidence, format!("{f}.confidence"))?,
                source: self.source_ref(&r.source, format!("{f}.source"), sources)?,
            });
        }
        let endpoint_uuid_mac = match c.endpoint_uuid_mac {
            Some(w) => {
                let f = format!("{path}.endpoint_uuid_mac");
                Some(WeightRule {
                    description: w.description,
                    confidence: self.confidence(&w.confidence, format!("{f}.confidence"))?,
                    source: self.source_ref(&w.source, format!("{f}.source"), sources)?,
                })
            }
            None => None,
        };
        let mut fingerprints = Vec::new();
        for (i, r) in c.fingerprints.into_iter().enumerate() {
            let f = format!("{path}.fingerprint[{i}]");
            fingerprints.push(FingerprintRule {
                kind: r.kind,
                rule: PatternRule {
                    pattern: self.regex(&r.pattern, format!("{f}.pattern"))?,
                    description: r.description,
                    confidence: self.confidence(&r.confidence, format!("{f}.confidence"))?,
                    source: self.source_ref(&r.source, format!("{f}.source"), sources)?,
                },
            });
        }
        Ok(Company {
            fingerprints,
            models: self.patterns(c.models, &format!("{path}.model"), sources)?,
            scopes: self.patterns(c.scopes, &format!("{path}.scope"), sources)?,
            stream_paths: self.patterns(c.stream_paths, &format!("{path}.stream_path"), sources)?,
            id,
            name: c.name,
            legal_name: c.legal_name,
            basis: c.basis,
            source,
            names,
            oui_organisations,
            brands,
            oems,
            firmware,
            endpoint_uuid_mac,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
format = "camswap.policy"
version = 1
id = "t"
title = "test"

[[source]]
id = "s"
citation = "a memo"

[[company]]
id = "acme"
name = "Acme"
basis = "named"
source = "s"
names = ["Acme Vision Co., Ltd."]

[[company.oem]]
brand = "Rebrand"
names = ["rebrand"]
confidence = 0.5
source = "s"

[[company.oem]]
brand = "Other"
names = ["other"]
confidence = 0.4
source = "s"
"#;

    fn invalid(text: &str) -> (usize, Option<String>, String) {
        match Policy::parse("site.toml", text).unwrap_err() {
            PolicyError::Invalid(InputError {
                file,
                location,
                message,
            }) => {
                assert_eq!(file, "site.toml");
                (location.line, location.field, message)
            }
            e => panic!("unexpected {e}"),
        }
    }

    #[test]
    fn builtin_policies_parse_and_cite_every_rule() {
        for p in Policy::builtins() {
            assert!(!p.companies.is_empty(), "{}", p.id);
            for c in &p.companies {
                assert!(p.source(&c.source).is_some());
                for o in &c.oems {
                    assert!(p.source(&o.source).is_some(), "{} {}", c.id, o.brand);
                }
            }
        }
        let uk = Policy::builtin("uk-2022").unwrap();
        let ids: Vec<&str> = uk.companies.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "hikvision",
                "dahua",
                "uniview",
                "tiandy",
                "huawei",
                "zte",
                "hytera"
            ]
        );
        assert!(
            uk.statement
                .as_deref()
                .unwrap()
                .contains("National Intelligence Law")
        );
        assert!(uk.scope.as_deref().unwrap().contains("sensitive sites"));
        let ndaa = Policy::builtin("ndaa-889").unwrap();
        for id in ["hikvision", "dahua", "huawei", "zte", "hytera"] {
            assert!(ndaa.companies.iter().any(|c| c.id == id), "{id}");
        }
    }

    #[test]
    fn minimal_policy_parses_with_normalised_names() {
        let p = Policy::parse("t.toml", MINIMAL).unwrap();
        assert_eq!(p.companies[0].names, ["acme vision"]);
        assert_eq!(p.companies[0].oems.len(), 2);
    }

    #[test]
    fn confidence_out_of_range_names_the_field_path_and_line() {
        let text = MINIMAL.replace("confidence = 0.4", "confidence = 1.4");
        let (line, field, msg) = invalid(&text);
        assert_eq!(field.as_deref(), Some("company[0].oem[1].confidence"));
        assert_eq!(
            line,
            1 + text[..text.find("1.4").unwrap()].matches('\n').count()
        );
        assert!(msg.contains("outside 0..1"), "{msg}");
    }

    #[test]
    fn unknown_field_names_the_field_and_line() {
        let text = MINIMAL.replace("brand = \"Other\"", "brand = \"Other\"\nconfidance = 0.3");
        let (line, field, msg) = invalid(&text);
        assert_eq!(field.as_deref(), Some("company[0].oem[1].confidance"));
        assert_eq!(
            line,
            1 + text[..text.find("confidance").unwrap()]
                .matches('\n')
                .count()
        );
        assert!(msg.contains("unknown field"), "{msg}");
    }

    #[test]
    fn wrong_type_names_the_field() {
        let text = MINIMAL.replace("confidence = 0.5", "confidence = \"high\"");
        let (_, field, msg) = invalid(&text);
        assert_eq!(field.as_deref(), Some("company[0].oem[0].confidence"));
        assert!(msg.contains("invalid type"), "{msg}");
    }

    #[test]
    fn undefined_source_bad_regex_and_syntax_errors() {
        let (_, field, msg) = invalid(&MINIMAL.replace(
            "source = \"s\"\n\n[[company.oem]]\nbrand = \"Other\"",
            "source = \"nope\"\n\n[[company.oem]]\nbrand = \"Other\"",
        ));
        assert_eq!(field.as_deref(), Some("company[0].oem[0].source"));
        assert!(msg.contains("\"nope\""), "{msg}");

        let text = format!(
            "{MINIMAL}\n[[company.model]]\npattern = \"^DS-(2CD\"\ndescription = \"x\"\nconfidence = 0.5\nsource = \"s\"\n"
        );
        let (line, field, msg) = invalid(&text);
        assert_eq!(field.as_deref(), Some("company[0].model[0].pattern"));
        assert_eq!(
            line,
            1 + text[..text.find("^DS-(").unwrap()].matches('\n').count()
        );
        assert!(msg.contains("invalid regular expression"), "{msg}");

        let (line, _, _) = invalid(
            "format = \"camswap.policy\"\nversion = 1\nid = \"x\"\ntitle = \"unterminated\n",
        );
        assert_eq!(line, 4);
    }

    #[test]
    fn duplicate_company_names_the_second_definition() {
        let text = format!(
            "{MINIMAL}\n[[company]]\nid = \"acme\"\nname = \"Acme again\"\nbasis = \"x\"\nsource = \"s\"\n"
        );
        let (line, field, msg) = invalid(&text);
        assert_eq!(field.as_deref(), Some("company[1].id"));
        assert_eq!(
            line,
            1 + text[..text.rfind("id = \"acme\"").unwrap()]
                .matches('\n')
                .count()
        );
        assert!(msg.contains("defined twice"), "{msg}");
    }

    #[test]
    fn wrong_format_and_newer_version_are_refused() {
        let (_, field, _) = invalid(&MINIMAL.replace("camswap.policy", "camswap.plan"));
        assert_eq!(field.as_deref(), Some("format"));
        let (_, field, msg) = invalid(&MINIMAL.replace("version = 1", "version = 2"));
        assert_eq!(field.as_deref(), Some("version"));
        assert!(msg.contains("version 2"), "{msg}");
    }

    #[test]
    fn resolve_knows_builtins_and_refuses_unknown_names() {
        assert_eq!(Policy::resolve("uk-2022").unwrap().id, "uk-2022");
        assert_eq!(Policy::resolve("builtin:ndaa-889").unwrap().id, "ndaa-889");
        let e = Policy::resolve("uk-2023").unwrap_err().to_string();
        assert!(e.contains("uk-2022, ndaa-889"), "{e}");
    }
}
