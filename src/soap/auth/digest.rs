//! HTTP Digest access authentication, RFC 7616.
//!
//! The client answers a `401` challenge, then keeps the server nonce in a [`DigestSession`] and
//! sends `Authorization` up front on later requests with the nonce count incremented, so a
//! device costs one extra round trip per nonce lifetime, not per request. When the server
//! declares the nonce `stale`, the client takes the new challenge and retries.
//!
//! Supported: algorithms MD5, SHA-256 and SHA-512-256 with their `-sess` variants (SHA-256 is
//! preferred when a server offers several challenges), `qop=auth` (preferred) and `auth-int`,
//! RFC 2069 challenges without `qop`, `userhash`, and `username*` for names that cannot be a
//! quoted string.

use std::fmt::Write as _;

use md5::Md5;
use sha2::{Digest as _, Sha256, Sha512_256};

use super::Credentials;

/// Why no usable Digest challenge came with a 401.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    /// The server offered no Digest challenge at all.
    #[error("the device offers no HTTP Digest challenge (WWW-Authenticate: {offered})")]
    NoDigest {
        /// The schemes it did offer, comma-separated, or `none`.
        offered: String,
    },
    /// A Digest challenge without a nonce cannot be answered.
    #[error("the device's Digest challenge has no nonce")]
    NoNonce,
    /// The only Digest challenges use an algorithm we do not implement.
    #[error("the device's Digest challenge uses unsupported algorithm {0:?}")]
    UnsupportedAlgorithm(String),
    /// The challenge lists qop values, none of which is `auth` or `auth-int`.
    #[error("the device's Digest challenge asks for unsupported qop {0:?}")]
    UnsupportedQop(String),
}

/// Digest hash algorithm (RFC 7616 section 3.3 and the IANA registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `MD5` (the default when a challenge names none).
    Md5,
    /// `MD5-sess`.
    Md5Sess,
    /// `SHA-256`.
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
    /// `SHA-512-256`.
    Sha512_256,
    /// `SHA-512-256-sess`.
    Sha512_256Sess,
}

impl Algorithm {
    /// Parses an algorithm token, case-insensitively.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_uppercase().as_str() {
            "MD5" => Self::Md5,
            "MD5-SESS" => Self::Md5Sess,
            "SHA-256" => Self::Sha256,
            "SHA-256-SESS" => Self::Sha256Sess,
            "SHA-512-256" => Self::Sha512_256,
            "SHA-512-256-SESS" => Self::Sha512_256Sess,
            _ => return None,
        })
    }

    /// The token as written in headers.
    pub fn name(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Md5Sess => "MD5-sess",
            Self::Sha256 => "SHA-256",
            Self::Sha256Sess => "SHA-256-sess",
            Self::Sha512_256 => "SHA-512-256",
            Self::Sha512_256Sess => "SHA-512-256-sess",
        }
    }

    fn is_sess(self) -> bool {
        matches!(
            self,
            Self::Md5Sess | Self::Sha256Sess | Self::Sha512_256Sess
        )
    }

    /// Lower is better: SHA-256 first (RFC 7616 section 3.7 asks clients to pick the strongest
    /// they support; ONVIF devices offer SHA-256 next to MD5), MD5 last.
    fn preference(self) -> u8 {
        match self {
            Self::Sha256 => 0,
            Self::Sha256Sess => 1,
            Self::Sha512_256 => 2,
            Self::Sha512_256Sess => 3,
            Self::Md5 => 4,
            Self::Md5Sess => 5,
        }
    }

    /// `H(data)` as lowercase hex.
    fn hash(self, data: &[u8]) -> String {
        match self {
            Self::Md5 | Self::Md5Sess => hex(&Md5::digest(data)),
            Self::Sha256 | Self::Sha256Sess => hex(&Sha256::digest(data)),
            Self::Sha512_256 | Self::Sha512_256Sess => hex(&Sha512_256::digest(data)),
        }
    }
}

/// Quality of protection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qop {
    /// `auth`: the request line is protected.
    Auth,
    /// `auth-int`: the body too.
    AuthInt,
}

/// One challenge as written: scheme and parameters (names lowercased, values unquoted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawChallenge {
    /// Auth scheme as sent (`Digest`, `Basic`, ...).
    pub scheme: String,
    /// Parameters in order.
    pub params: Vec<(String, String)>,
}

impl RawChallenge {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A Digest challenge we can answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// `realm`.
    pub realm: String,
    /// Server nonce.
    pub nonce: String,
    /// `opaque`, echoed back unchanged.
    pub opaque: Option<String>,
    /// Chosen algorithm.
    pub algorithm: Algorithm,
    /// Whether the challenge named its algorithm (we echo it only then, as RFC 2069 servers
    /// do not expect the parameter).
    pub algorithm_named: bool,
    /// Chosen qop; `None` for an RFC 2069 challenge without `qop`.
    pub qop: Option<Qop>,
    /// `stale=true`: the previous nonce expired, the credentials were fine.
    pub stale: bool,
    /// `userhash=true`: send `H(username:realm)` instead of the username.
    pub userhash: bool,
}

impl Challenge {
    /// Picks the best Digest challenge among all `WWW-Authenticate` header values (a header may
    /// hold several challenges; a response may hold several headers).
    pub fn select<'a>(headers: impl IntoIterator<Item = &'a str>) -> Result<Self, DigestError> {
        let raw = parse_challenges(headers);
        let mut first_error = None;
        let mut best: Option<Self> = None;
        for c in raw
            .iter()
            .filter(|c| c.scheme.eq_ignore_ascii_case("Digest"))
        {
            match Self::from_raw(c) {
                Ok(ch) => {
                    if best
                        .as_ref()
                        .is_none_or(|b| ch.algorithm.preference() < b.algorithm.preference())
                    {
                        best = Some(ch);
                    }
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        if let Some(b) = best {
            return Ok(b);
        }
        Err(first_error.unwrap_or_else(|| DigestError::NoDigest {
            offered: if raw.is_empty() {
                "none".to_owned()
            } else {
                raw.iter()
                    .map(|c| c.scheme.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        }))
    }

    fn from_raw(c: &RawChallenge) -> Result<Self, DigestError> {
        let nonce = c.param("nonce").ok_or(DigestError::NoNonce)?.to_owned();
        let (algorithm, algorithm_named) = match c.param("algorithm") {
            Some(name) => (
                Algorithm::from_name(name.trim())
                    .ok_or_else(|| DigestError::UnsupportedAlgorithm(name.to_owned()))?,
                true,
            ),
            None => (Algorithm::Md5, false),
        };
        let qop = match c.param("qop") {
            None => None,
            Some(list) => {
                let offered: Vec<&str> = list.split(',').map(str::trim).collect();
                if offered.iter().any(|q| q.eq_ignore_ascii_case("auth")) {
                    Some(Qop::Auth)
                } else if offered.iter().any(|q| q.eq_ignore_ascii_case("auth-int")) {
                    Some(Qop::AuthInt)
                } else {
                    return Err(DigestError::UnsupportedQop(list.to_owned()));
                }
            }
        };
        let flag = |name| {
            c.param(name)
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        };
        Ok(Self {
            realm: c.param("realm").unwrap_or_default().to_owned(),
            nonce,
            opaque: c.param("opaque").map(str::to_owned),
            algorithm,
            algorithm_named,
            qop,
            stale: flag("stale"),
            userhash: flag("userhash"),
        })
    }
}

/// The state kept between requests for one server nonce.
#[derive(Debug, Clone)]
pub struct DigestSession {
    challenge: Challenge,
    nc: u32,
    /// For `-sess` algorithms the session key `H(A1)` is bound to the first cnonce, so that
    /// cnonce is kept for the life of the server nonce.
    sess_cnonce: Option<String>,
}

impl DigestSession {
    /// A session for a fresh challenge; the first request will carry `nc=00000001`.
    pub fn new(challenge: Challenge) -> Self {
        Self {
            challenge,
            nc: 0,
            sess_cnonce: None,
        }
    }

    /// The challenge this session answers.
    pub fn challenge(&self) -> &Challenge {
        &self.challenge
    }

    /// How many requests have been authorized with this nonce.
    pub fn nonce_count(&self) -> u32 {
        self.nc
    }

    /// The `Authorization` header value for one request, incrementing the nonce count.
    ///
    /// `uri` is the request target as sent (path and query); `body` is hashed only for
    /// `qop=auth-int`; `cnonce` is a fresh client nonce (ignored after the first request of a
    /// `-sess` session).
    pub fn authorization(
        &mut self,
        credentials: &Credentials,
        method: &str,
        uri: &str,
        body: &[u8],
        cnonce: &str,
    ) -> String {
        self.nc = self.nc.wrapping_add(1).max(1);
        let ch = &self.challenge;
        let alg = ch.algorithm;
        let nc = format!("{:08x}", self.nc);
        let cnonce = if alg.is_sess() {
            self.sess_cnonce
                .get_or_insert_with(|| cnonce.to_owned())
                .as_str()
        } else {
            cnonce
        };

        let a1 = format!(
            "{}:{}:{}",
            credentials.username, ch.realm, credentials.password
        );
        let mut ha1 = alg.hash(a1.as_bytes());
        if alg.is_sess() {
            ha1 = alg.hash(format!("{ha1}:{}:{cnonce}", ch.nonce).as_bytes());
        }
        let ha2 = match ch.qop {
            Some(Qop::AuthInt) => alg.hash(format!("{method}:{uri}:{}", alg.hash(body)).as_bytes()),
            _ => alg.hash(format!("{method}:{uri}").as_bytes()),
        };
        let response = match ch.qop {
            Some(q) => alg
                .hash(format!("{ha1}:{}:{nc}:{cnonce}:{}:{ha2}", ch.nonce, qop_name(q)).as_bytes()),
            None => alg.hash(format!("{ha1}:{}:{ha2}", ch.nonce).as_bytes()),
        };

        let mut h = String::from("Digest ");
        if ch.userhash {
            let hashed = alg.hash(format!("{}:{}", credentials.username, ch.realm).as_bytes());
            let _ = write!(h, "username={}", quote(&hashed));
        } else if needs_extended(&credentials.username) {
            let _ = write!(h, "username*=UTF-8''{}", ext_value(&credentials.username));
        } else {
            let _ = write!(h, "username={}", quote(&credentials.username));
        }
        let _ = write!(h, ", realm={}, uri={}", quote(&ch.realm), quote(uri));
        if ch.algorithm_named {
            let _ = write!(h, ", algorithm={}", alg.name());
        }
        let _ = write!(h, ", nonce={}", quote(&ch.nonce));
        if let Some(q) = ch.qop {
            let _ = write!(
                h,
                ", nc={nc}, cnonce={}, qop={}",
                quote(cnonce),
                qop_name(q)
            );
        }
        let _ = write!(h, ", response={}", quote(&response));
        if let Some(o) = &ch.opaque {
            let _ = write!(h, ", opaque={}", quote(o));
        }
        if ch.userhash {
            h.push_str(", userhash=true");
        }
        h
    }
}

fn qop_name(q: Qop) -> &'static str {
    match q {
        Qop::Auth => "auth",
        Qop::AuthInt => "auth-int",
    }
}

/// Parses every challenge in every header value (RFC 9110 section 11.6.1:
/// `challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`, comma-separated, with
/// quoted-string values that may contain commas and backslash escapes).
pub fn parse_challenges<'a>(headers: impl IntoIterator<Item = &'a str>) -> Vec<RawChallenge> {
    let mut out = Vec::new();
    for h in headers {
        parse_header(h, &mut out);
    }
    out
}

fn parse_header(h: &str, out: &mut Vec<RawChallenge>) {
    let mut p = Cursor { s: h, i: 0 };
    loop {
        p.skip(|c| c == ',' || c.is_whitespace());
        if p.eof() {
            return;
        }
        let scheme = p.token();
        if scheme.is_empty() {
            p.bump();
            continue;
        }
        let mut challenge = RawChallenge {
            scheme: scheme.to_owned(),
            params: Vec::new(),
        };
        loop {
            p.skip(|c| c == ',' || c.is_whitespace());
            if p.eof() {
                break;
            }
            let start = p.i;
            let name = p.token();
            if name.is_empty() {
                p.bump();
                continue;
            }
            p.skip(char::is_whitespace);
            if p.peek() != Some('=') {
                // A bare token after a comma is the next challenge's scheme.
                p.i = start;
                break;
            }
            p.bump();
            p.skip(char::is_whitespace);
            let value = if p.peek() == Some('"') {
                p.quoted()
            } else {
                p.take_while(|c| c != ',' && !c.is_whitespace()).to_owned()
            };
            challenge.params.push((name.to_ascii_lowercase(), value));
        }
        out.push(challenge);
    }
}

struct Cursor<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Cursor<'a> {
    fn eof(&self) -> bool {
        self.i >= self.s.len()
    }

    fn peek(&self) -> Option<char> {
        self.s[self.i..].chars().next()
    }

    fn bump(&mut self) {
        if let Some(c) = self.peek() {
            self.i += c.len_utf8();
        }
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let start = self.i;
        while let Some(c) = self.peek() {
            if !f(c) {
                break;
            }
            self.i += c.len_utf8();
        }
        &self.s[start..self.i]
    }

    fn skip(&mut self, f: impl Fn(char) -> bool) {
        self.take_while(f);
    }

    fn token(&mut self) -> &'a str {
        self.take_while(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
    }

    /// A quoted-string starting at `"`; an unterminated one runs to the end (lenient).
    fn quoted(&mut self) -> String {
        self.bump();
        let mut v = String::new();
        while let Some(c) = self.peek() {
            self.bump();
            match c {
                '"' => break,
                '\\' => {
                    if let Some(n) = self.peek() {
                        v.push(n);
                        self.bump();
                    }
                }
                _ => v.push(c),
            }
        }
        v
    }
}

/// A quoted-string with `\` and `"` escaped.
fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}

/// Names outside printable ASCII go in `username*` (RFC 7616 section 3.4.4).
fn needs_extended(username: &str) -> bool {
    username.chars().any(|c| !(' '..='~').contains(&c))
}

/// RFC 8187 `value-chars`: attr-chars as is, every other UTF-8 byte percent-encoded.
fn ext_value(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7616 section 3.9.1: the server offers SHA-256 and MD5 in two headers.
    const RFC_SHA256: &str = r#"Digest
    realm="http-auth@example.org",
    qop="auth, auth-int",
    algorithm=SHA-256,
    nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
    opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#;
    const RFC_MD5: &str = r#"Digest
    realm="http-auth@example.org",
    qop="auth, auth-int",
    algorithm=MD5,
    nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
    opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#;
    const RFC_CNONCE: &str = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

    fn mufasa() -> Credentials {
        Credentials::new("Mufasa", "Circle of Life")
    }

    fn rfc_authorization(alg: &str, response: &str) -> String {
        format!(
            concat!(
                r#"Digest username="Mufasa", realm="http-auth@example.org", "#,
                r#"uri="/dir/index.html", algorithm={}, "#,
                r#"nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, "#,
                r#"cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, "#,
                r#"response="{}", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#
            ),
            alg, response
        )
    }

    #[test]
    fn rfc7616_sha256_example_preferred_over_md5() {
        let ch = Challenge::select([RFC_MD5, RFC_SHA256]).unwrap();
        assert_eq!(ch.algorithm, Algorithm::Sha256);
        assert_eq!(ch.qop, Some(Qop::Auth));
        let mut s = DigestSession::new(ch);
        let h = s.authorization(&mufasa(), "GET", "/dir/index.html", b"", RFC_CNONCE);
        assert_eq!(
            h,
            rfc_authorization(
                "SHA-256",
                "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
            )
        );
    }

    #[test]
    fn rfc7616_md5_example() {
        let ch = Challenge::select([RFC_MD5]).unwrap();
        let mut s = DigestSession::new(ch);
        let h = s.authorization(&mufasa(), "GET", "/dir/index.html", b"", RFC_CNONCE);
        assert_eq!(
            h,
            rfc_authorization("MD5", "8ca523f5e9506fed4657c9700eebdbec")
        );
    }

    #[test]
    fn nonce_count_increments_per_request() {
        let mut s = DigestSession::new(Challenge::select([RFC_MD5]).unwrap());
        let first = s.authorization(&mufasa(), "POST", "/onvif/device_service", b"", "a");
        let second = s.authorization(&mufasa(), "POST", "/onvif/device_service", b"", "b");
        assert!(first.contains("nc=00000001"), "{first}");
        assert!(second.contains("nc=00000002"), "{second}");
        assert_eq!(s.nonce_count(), 2);
    }

    #[test]
    fn several_challenges_in_one_header_with_commas_in_quotes() {
        let h = r#"Basic realm="a, b", Digest realm="cam, \"x\"", nonce="n1", qop="auth-int,auth", algorithm=md5-sess, stale=TRUE, Negotiate"#;
        let raw = parse_challenges([h]);
        let schemes: Vec<&str> = raw.iter().map(|c| c.scheme.as_str()).collect();
        assert_eq!(schemes, ["Basic", "Digest", "Negotiate"]);
        assert_eq!(raw[0].param("realm"), Some("a, b"));
        let ch = Challenge::select([h]).unwrap();
        assert_eq!(ch.realm, r#"cam, "x""#);
        assert_eq!(ch.algorithm, Algorithm::Md5Sess);
        assert_eq!(ch.qop, Some(Qop::Auth));
        assert!(ch.stale);
        // The realm goes back escaped.
        let mut s = DigestSession::new(ch);
        let a = s.authorization(&mufasa(), "POST", "/x", b"", "c1");
        assert!(a.contains(r#"realm="cam, \"x\"""#), "{a}");
        assert!(a.contains("algorithm=MD5-sess"), "{a}");
    }

    #[test]
    fn md5_sess_keeps_the_first_cnonce_and_matches_rfc2617_formula() {
        let ch =
            Challenge::select([r#"Digest realm="r", nonce="n", qop="auth", algorithm=MD5-sess"#])
                .unwrap();
        let mut s = DigestSession::new(ch);
        let a1 = s.authorization(&mufasa(), "POST", "/p", b"", "first");
        let a2 = s.authorization(&mufasa(), "POST", "/p", b"", "second");
        assert!(a1.contains(r#"cnonce="first""#));
        assert!(a2.contains(r#"cnonce="first""#), "{a2}");
        let h = |s: String| hex(&Md5::digest(s.as_bytes()));
        let ha1 = h(format!("{}:n:first", h("Mufasa:r:Circle of Life".into())));
        let ha2 = h("POST:/p".into());
        let expected = h(format!("{ha1}:n:00000002:first:auth:{ha2}"));
        assert!(a2.contains(&format!(r#"response="{expected}""#)), "{a2}");
    }

    #[test]
    fn rfc2069_challenge_without_qop() {
        let ch = Challenge::select([r#"Digest realm="r", nonce="n""#]).unwrap();
        assert_eq!(ch.qop, None);
        let mut s = DigestSession::new(ch);
        let a = s.authorization(&mufasa(), "POST", "/p", b"", "c");
        let h = |s: &str| hex(&Md5::digest(s.as_bytes()));
        let expected = h(&format!(
            "{}:n:{}",
            h("Mufasa:r:Circle of Life"),
            h("POST:/p")
        ));
        assert_eq!(
            a,
            format!(
                r#"Digest username="Mufasa", realm="r", uri="/p", nonce="n", response="{expected}""#
            )
        );
    }

    #[test]
    fn auth_int_hashes_the_body() {
        let ch = Challenge::select([
            r#"Digest realm="r", nonce="n", qop="auth-int", algorithm=SHA-256"#,
        ])
        .unwrap();
        let mut s = DigestSession::new(ch);
        let a = s.authorization(&mufasa(), "POST", "/p", b"<x/>", "c");
        let h = |s: &[u8]| hex(&Sha256::digest(s));
        let ha1 = h(b"Mufasa:r:Circle of Life");
        let ha2 = h(format!("POST:/p:{}", h(b"<x/>")).as_bytes());
        let expected = h(format!("{ha1}:n:00000001:c:auth-int:{ha2}").as_bytes());
        assert!(a.contains(&format!(r#"response="{expected}""#)), "{a}");
        assert!(a.contains("qop=auth-int"));
    }

    #[test]
    fn userhash_and_extended_username() {
        // RFC 7616 section 3.9.2 username hash: SHA-512-256("J\u{e4}s\u{f8}n Doe:api@example.org").
        let ch = Challenge::select([r#"Digest realm="api@example.org", nonce="n", qop="auth", algorithm=SHA-512-256, userhash=true"#])
            .unwrap();
        let mut s = DigestSession::new(ch);
        let creds = Credentials::new("J\u{e4}s\u{f8}n Doe", "Secret, or not?");
        let a = s.authorization(&creds, "GET", "/doe.json", b"", "c");
        assert!(
            a.starts_with(r#"Digest username="793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b""#),
            "{a}"
        );
        assert!(a.ends_with("userhash=true"));
        let ch = Challenge::select([r#"Digest realm="api@example.org", nonce="n", qop="auth""#])
            .unwrap();
        let a = DigestSession::new(ch).authorization(&creds, "GET", "/", b"", "c");
        assert!(
            a.starts_with("Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, "),
            "{a}"
        );
    }

    #[test]
    fn unusable_challenges_are_explained() {
        assert_eq!(
            Challenge::select([r#"Basic realm="x""#, "Bearer"]).unwrap_err(),
            DigestError::NoDigest {
                offered: "Basic, Bearer".into()
            }
        );
        assert_eq!(
            Challenge::select(std::iter::empty()).unwrap_err(),
            DigestError::NoDigest {
                offered: "none".into()
            }
        );
        assert_eq!(
            Challenge::select([r#"Digest realm="x""#]).unwrap_err(),
            DigestError::NoNonce
        );
        assert_eq!(
            Challenge::select([r#"Digest realm="x", nonce="n", algorithm=SHA-1"#]).unwrap_err(),
            DigestError::UnsupportedAlgorithm("SHA-1".into())
        );
        assert_eq!(
            Challenge::select([r#"Digest nonce="n", qop="auth-conf""#]).unwrap_err(),
            DigestError::UnsupportedQop("auth-conf".into())
        );
        // An unsupported challenge next to a usable one is skipped.
        let ch =
            Challenge::select([r#"Digest nonce="a", algorithm=SHA-1, Digest nonce="b""#]).unwrap();
        assert_eq!(ch.nonce, "b");
    }

    #[test]
    fn hostile_headers_do_not_panic() {
        for h in [
            "",
            ",,,",
            "Digest",
            "Digest =",
            r#"Digest realm="unterminated"#,
            "Digest nonce=\"\\",
            "\u{e9}\u{e9} Digest nonce=x",
            "Digest nonce=\u{1F600}, realm",
        ] {
            let _ = parse_challenges([h]);
            let _ = Challenge::select([h]);
        }
        let ch = Challenge::select([r#"Digest nonce="abc"#]).unwrap();
        assert_eq!(ch.nonce, "abc");
    }
}
