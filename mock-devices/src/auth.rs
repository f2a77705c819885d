//! Credential checks, written for the mock alone: HTTP Digest (RFC 7616, MD5 and SHA-256,
//! qop=auth) and WS-Security UsernameToken (PasswordDigest and, if allowed, PasswordText).
//!
//! Nonces are self-authenticating (issue time, random bytes, a keyed tag), so an expired nonce
//! can be told from a forged one without remembering every nonce ever issued; only nonces in
//! their lifetime carry state (the nonce counts already used). WS-Security nonces are
//! remembered until their `Created` leaves the clock-skew window, after which the token is
//! refused for its age anyway.

use std::collections::{HashMap, HashSet};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use md5::Md5;
use rand::RngCore;
use sha1::Sha1;
use sha2::{Digest as _, Sha256};

use crate::persona::{AuthSettings, DigestAlgorithm, UserLevel, UserSpec};
use crate::soap::ns;
use crate::xml::Node;

/// Keep per-nonce state bounded: above this many live entries, expired ones are swept.
const SWEEP_ABOVE: usize = 1024;

/// Why credentials were refused; never carries a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The `Authorization` header is missing, not Digest, or unreadable.
    #[error("no usable Digest authorization: {0}")]
    DigestMissing(&'static str),
    /// The digest nonce is past its lifetime (the response itself was right).
    #[error("digest nonce expired")]
    DigestStale,
    /// The digest does not verify (unknown user, wrong password, foreign nonce, replay...).
    #[error("digest refused: {0}")]
    DigestRefused(&'static str),
    /// No WS-Security UsernameToken in the request.
    #[error("no WS-Security UsernameToken")]
    TokenMissing,
    /// The UsernameToken is refused.
    #[error("UsernameToken refused: {0}")]
    TokenRefused(&'static str),
}

/// Per-device authentication state: the nonce key and what has been used.
#[derive(Debug)]
pub struct AuthState {
    key: [u8; 32],
    digest_counts: HashMap<String, (i64, HashSet<u32>)>,
    wsse_nonces: HashMap<Vec<u8>, i64>,
}

impl Default for AuthState {
    fn default() -> Self {
        Self::new()
    }
}

impl AuthState {
    /// Fresh state with a random nonce key (a reboot invalidates outstanding nonces).
    pub fn new() -> Self {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        Self {
            key,
            digest_counts: HashMap::new(),
            wsse_nonces: HashMap::new(),
        }
    }

    /// A new digest nonce issued at `now` (Unix seconds).
    pub fn issue_nonce(&self, now: i64) -> String {
        let mut random = [0u8; 8];
        rand::thread_rng().fill_bytes(&mut random);
        let tag = self.tag(now, &random);
        let mut raw = Vec::with_capacity(32);
        raw.extend_from_slice(&now.to_be_bytes());
        raw.extend_from_slice(&random);
        raw.extend_from_slice(&tag);
        hex(&raw)
    }

    fn tag(&self, issued: i64, random: &[u8]) -> [u8; 16] {
        let mut h = Sha256::new();
        h.update(self.key);
        h.update(issued.to_be_bytes());
        h.update(random);
        let full = h.finalize();
        let mut tag = [0u8; 16];
        tag.copy_from_slice(&full[..16]);
        tag
    }

    /// Issue time of a nonce this device made, or `None` for a foreign or mangled one.
    fn nonce_issued(&self, nonce: &str) -> Option<i64> {
        let raw = unhex(nonce)?;
        if raw.len() != 32 {
            return None;
        }
        let issued = i64::from_be_bytes(raw[..8].try_into().ok()?);
        (self.tag(issued, &raw[8..16])[..] == raw[16..]).then_some(issued)
    }

    /// `WWW-Authenticate` values: one challenge per offered algorithm, preferred first.
    pub fn challenges(&self, settings: &AuthSettings, stale: bool, now: i64) -> Vec<String> {
        let nonce = self.issue_nonce(now);
        settings
            .digest_algorithms
            .iter()
            .map(|alg| {
                format!(
                    "Digest realm=\"{}\", qop=\"auth\", nonce=\"{nonce}\", algorithm={}, stale={}",
                    settings.realm,
                    alg.as_str(),
                    if stale { "TRUE" } else { "FALSE" }
                )
            })
            .collect()
    }

    /// Check an `Authorization: Digest ...` header for a request `method uri` at `now`
    /// (Unix seconds, real time: nonce lifetimes do not follow the device clock).
    pub fn verify_digest<'u>(
        &mut self,
        header: Option<&str>,
        method: &str,
        uri: &str,
        users: &'u [UserSpec],
        settings: &AuthSettings,
        now: i64,
    ) -> Result<&'u UserSpec, AuthError> {
        let header = header.ok_or(AuthError::DigestMissing("no Authorization header"))?;
        let params = parse_digest_header(header)
            .ok_or(AuthError::DigestMissing("not a Digest authorization"))?;
        let get = |k: &str| {
            params
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.as_str())
        };
        let username = get("username").ok_or(AuthError::DigestRefused("no username"))?;
        let realm = get("realm").ok_or(AuthError::DigestRefused("no realm"))?;
        let nonce = get("nonce").ok_or(AuthError::DigestRefused("no nonce"))?;
        let digest_uri = get("uri").ok_or(AuthError::DigestRefused("no uri"))?;
        let response = get("response").ok_or(AuthError::DigestRefused("no response"))?;
        let qop = get("qop").ok_or(AuthError::DigestRefused(
            "qop=auth was offered but not used",
        ))?;
        let nc_text = get("nc").ok_or(AuthError::DigestRefused("no nc"))?;
        let cnonce = get("cnonce").ok_or(AuthError::DigestRefused("no cnonce"))?;
        if get("userhash").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            return Err(AuthError::DigestRefused("userhash was not offered"));
        }
        let algorithm = match get("algorithm").unwrap_or("MD5") {
            a if a.eq_ignore_ascii_case("MD5") => DigestAlgorithm::Md5,
            a if a.eq_ignore_ascii_case("SHA-256") => DigestAlgorithm::Sha256,
            _ => return Err(AuthError::DigestRefused("unsupported algorithm")),
        };
        if !settings.digest_algorithms.contains(&algorithm) {
            return Err(AuthError::DigestRefused("algorithm not offered"));
        }
        if realm != settings.realm {
            return Err(AuthError::DigestRefused("wrong realm"));
        }
        if qop != "auth" {
            return Err(AuthError::DigestRefused("qop must be auth"));
        }
        if digest_uri != uri {
            return Err(AuthError::DigestRefused("uri does not match the request"));
        }
        if nc_text.len() != 8 {
            return Err(AuthError::DigestRefused("nc is not 8 hex digits"));
        }
        let nc = u32::from_str_radix(nc_text, 16)
            .map_err(|_| AuthError::DigestRefused("nc is not 8 hex digits"))?;
        let issued = self
            .nonce_issued(nonce)
            .ok_or(AuthError::DigestRefused("nonce not issued by this device"))?;
        let user = users
            .iter()
            .find(|u| u.name == username)
            .ok_or(AuthError::DigestRefused("unknown user"))?;
        let expected = digest_response(
            algorithm,
            username,
            realm,
            &user.password,
            method,
            digest_uri,
            nonce,
            nc_text,
            cnonce,
            qop,
        );
        if !expected.eq_ignore_ascii_case(response) {
            return Err(AuthError::DigestRefused("wrong response"));
        }
        let lifetime = settings.nonce_lifetime_seconds as i64;
        if now - issued > lifetime || issued > now + 5 {
            return Err(AuthError::DigestStale);
        }
        if self.digest_counts.len() > SWEEP_ABOVE {
            self.digest_counts.retain(|_, (t, _)| now - *t <= lifetime);
        }
        let (_, seen) = self
            .digest_counts
            .entry(nonce.to_string())
            .or_insert_with(|| (issued, HashSet::new()));
        if !seen.insert(nc) {
            return Err(AuthError::DigestRefused("nonce count replayed"));
        }
        Ok(user)
    }

    /// Check the WS-Security header of a request against the device clock `device_now`.
    pub fn verify_wsse<'u>(
        &mut self,
        header: Option<&Node>,
        users: &'u [UserSpec],
        settings: &AuthSettings,
        device_now: DateTime<Utc>,
    ) -> Result<&'u UserSpec, AuthError> {
        let token = find_username_token(header).ok_or(AuthError::TokenMissing)?;
        let username = token
            .child_text(ns::WSSE, "Username")
            .ok_or(AuthError::TokenRefused("no Username"))?;
        let password_el = token
            .child(ns::WSSE, "Password")
            .ok_or(AuthError::TokenRefused("no Password"))?;
        // The OASIS profile's default type is PasswordText.
        let password_type = password_el.attr("Type").unwrap_or(ns::PASSWORD_TEXT);
        let nonce_b64 = token
            .child_text(ns::WSSE, "Nonce")
            .ok_or(AuthError::TokenRefused("no Nonce (ONVIF requires one)"))?;
        let created = token
            .child_text(ns::WSU, "Created")
            .ok_or(AuthError::TokenRefused(
                "no wsu:Created (ONVIF requires one)",
            ))?;
        let nonce = B64
            .decode(nonce_b64)
            .map_err(|_| AuthError::TokenRefused("Nonce is not Base64"))?;
        if nonce.is_empty() {
            return Err(AuthError::TokenRefused("empty Nonce"));
        }
        let created_at = parse_created(created)
            .ok_or(AuthError::TokenRefused("Created is not an xs:dateTime"))?;
        let user = users
            .iter()
            .find(|u| u.name == username)
            .ok_or(AuthError::TokenRefused("unknown user"))?;
        let given = password_el.text.trim();
        let ok = match password_type {
            ns::PASSWORD_DIGEST => given == password_digest(&nonce, created, &user.password),
            ns::PASSWORD_TEXT if settings.password_text => given == user.password,
            ns::PASSWORD_TEXT => {
                return Err(AuthError::TokenRefused("PasswordText is not accepted"));
            }
            _ => return Err(AuthError::TokenRefused("unknown Password Type")),
        };
        if !ok {
            return Err(AuthError::TokenRefused("wrong password digest"));
        }
        let skew = settings.skew_seconds as i64;
        let now = device_now.timestamp();
        if (created_at.timestamp() - now).abs() > skew {
            return Err(AuthError::TokenRefused(
                "Created outside the clock-skew window",
            ));
        }
        if self.wsse_nonces.len() > SWEEP_ABOVE {
            self.wsse_nonces.retain(|_, until| *until >= now);
        }
        if self
            .wsse_nonces
            .get(&nonce)
            .is_some_and(|until| *until >= now)
        {
            return Err(AuthError::TokenRefused("Nonce replayed"));
        }
        self.wsse_nonces
            .insert(nonce, created_at.timestamp() + skew);
        Ok(user)
    }
}

/// Whether the request carries a WS-Security header at all.
pub fn has_security_header(header: Option<&Node>) -> bool {
    header.is_some_and(|h| h.child(ns::WSSE, "Security").is_some())
}

fn find_username_token(header: Option<&Node>) -> Option<&Node> {
    header?
        .child(ns::WSSE, "Security")?
        .child(ns::WSSE, "UsernameToken")
}

/// `xs:dateTime` as clients write `Created`; no zone means UTC.
fn parse_created(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// `Base64(SHA-1(nonce ‖ created ‖ password))`.
pub fn password_digest(nonce: &[u8], created: &str, password: &str) -> String {
    let mut h = Sha1::new();
    h.update(nonce);
    h.update(created.as_bytes());
    h.update(password.as_bytes());
    B64.encode(h.finalize())
}

fn hash_hex(alg: DigestAlgorithm, data: &str) -> String {
    match alg {
        DigestAlgorithm::Md5 => hex(&Md5::digest(data.as_bytes())),
        DigestAlgorithm::Sha256 => hex(&Sha256::digest(data.as_bytes())),
    }
}

/// RFC 7616 `response` for qop=auth.
#[allow(clippy::too_many_arguments)]
pub fn digest_response(
    alg: DigestAlgorithm,
    username: &str,
    realm: &str,
    password: &str,
    method: &str,
    uri: &str,
    nonce: &str,
    nc: &str,
    cnonce: &str,
    qop: &str,
) -> String {
    let ha1 = hash_hex(alg, &format!("{username}:{realm}:{password}"));
    let ha2 = hash_hex(alg, &format!("{method}:{uri}"));
    hash_hex(alg, &format!("{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}"))
}

/// `Digest k=v, k="quoted", ...` into (name, unquoted value) pairs.
fn parse_digest_header(header: &str) -> Option<Vec<(String, String)>> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("Digest") {
        return None;
    }
    let mut out = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        if chars.peek().is_none() {
            return Some(out);
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            name.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') || name.is_empty() {
            return None;
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => value.push(chars.next()?),
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' || c.is_whitespace() {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        out.push((name, value));
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The lowest of two levels (`both` mode grants what both credentials allow).
pub fn lower(a: UserLevel, b: UserLevel) -> UserLevel {
    a.min(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persona::AuthMode;

    fn settings(algs: Vec<DigestAlgorithm>) -> AuthSettings {
        AuthSettings {
            mode: AuthMode::Any,
            digest_algorithms: algs,
            realm: "http-auth@example.org".into(),
            skew_seconds: 300,
            nonce_lifetime_seconds: 60,
            password_text: false,
            max_users: 8,
            username_max_length: 32,
            password_min_length: 0,
            password_max_length: 64,
            password_min_classes: 0,
        }
    }

    #[test]
    fn rfc7616_section_3_9_1_vectors() {
        let args = (
            "Mufasa",
            "http-auth@example.org",
            "Circle of Life",
            "GET",
            "/dir/index.html",
            "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            "00000001",
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
            "auth",
        );
        let r = |alg| {
            digest_response(
                alg, args.0, args.1, args.2, args.3, args.4, args.5, args.6, args.7, args.8,
            )
        };
        assert_eq!(r(DigestAlgorithm::Md5), "8ca523f5e9506fed4657c9700eebdbec");
        assert_eq!(
            r(DigestAlgorithm::Sha256),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        );
    }

    #[test]
    fn onvif_programmers_guide_username_token_vectors() {
        // shared/onvif/OPERATIONS.md, "WS-Security UsernameToken".
        let nonce = B64.decode("LKqI6G/AikKCQrN0zqZFlg==").unwrap();
        assert_eq!(
            password_digest(&nonce, "2024-01-01T00:00:00Z", "secret"),
            "E7w80E4kQ4LrtxgwTUj2KMyOYHg="
        );
        assert_eq!(
            password_digest(&nonce, "2010-09-16T07:50:45Z", "userpassword"),
            "tuOSpGlFlIXsozq4HFNeeGeFLEI="
        );
    }

    #[test]
    fn header_params_unquote_and_keep_commas_inside_quotes() {
        let p =
            parse_digest_header(r#"Digest username="a\"b", realm="r, s", nc=00000001, qop=auth"#)
                .unwrap();
        assert_eq!(p[0], ("username".into(), "a\"b".into()));
        assert_eq!(p[1], ("realm".into(), "r, s".into()));
        assert_eq!(p[2], ("nc".into(), "00000001".into()));
        assert!(parse_digest_header("Basic YWJj").is_none());
    }

    fn authorization(state: &AuthState, s: &AuthSettings, pw: &str, nc: &str, now: i64) -> String {
        let nonce = state.issue_nonce(now);
        let resp = digest_response(
            DigestAlgorithm::Md5,
            "admin",
            &s.realm,
            pw,
            "POST",
            "/onvif/device_service",
            &nonce,
            nc,
            "abc",
            "auth",
        );
        format!(
            r#"Digest username="admin", realm="{}", nonce="{nonce}", uri="/onvif/device_service", algorithm=MD5, qop=auth, nc={nc}, cnonce="abc", response="{resp}""#,
            s.realm
        )
    }

    #[test]
    fn digest_accepts_once_per_count_and_goes_stale() {
        let s = settings(vec![DigestAlgorithm::Md5]);
        let users = vec![UserSpec::admin("admin", "pw")];
        let mut state = AuthState::new();
        let h = authorization(&state, &s, "pw", "00000001", 1000);
        let check = |st: &mut AuthState, h: &str, now| {
            st.verify_digest(Some(h), "POST", "/onvif/device_service", &users, &s, now)
                .map(|u| u.name.clone())
        };
        assert_eq!(check(&mut state, &h, 1000), Ok("admin".into()));
        assert_eq!(
            check(&mut state, &h, 1001),
            Err(AuthError::DigestRefused("nonce count replayed"))
        );
        assert_eq!(check(&mut state, &h, 1061 + 1), Err(AuthError::DigestStale));
        let wrong = authorization(&state, &s, "nope", "00000001", 1000);
        assert_eq!(
            check(&mut state, &wrong, 1000),
            Err(AuthError::DigestRefused("wrong response"))
        );
        // A nonce from another device (another key) is not accepted.
        let foreign = authorization(&AuthState::new(), &s, "pw", "00000001", 1000);
        assert_eq!(
            check(&mut state, &foreign, 1000),
            Err(AuthError::DigestRefused("nonce not issued by this device"))
        );
    }

    proptest::proptest! {
        #[test]
        fn any_authorization_header_is_refused_or_parsed_without_panicking(h in "\\PC{0,200}") {
            let s = settings(vec![DigestAlgorithm::Md5]);
            let users = vec![UserSpec::admin("admin", "pw")];
            let mut state = AuthState::new();
            let r = state.verify_digest(Some(&h), "POST", "/", &users, &s, 0);
            proptest::prop_assert!(r.is_err());
        }
    }

    #[test]
    fn created_without_zone_is_utc() {
        assert_eq!(
            parse_created("2024-01-01T00:00:00").unwrap().to_rfc3339(),
            "2024-01-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_created("2024-01-01T01:00:00.5+01:00")
                .unwrap()
                .timestamp(),
            parse_created("2024-01-01T00:00:00Z").unwrap().timestamp()
        );
    }
}
