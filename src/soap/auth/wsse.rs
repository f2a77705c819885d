//! WS-Security UsernameToken with PasswordDigest (OASIS Web Services Security UsernameToken
//! Profile 1.0, section 3.1):
//!
//! ```text
//! Password_Digest = Base64( SHA-1( nonce + created + password ) )
//! ```
//!
//! where `nonce` is the raw nonce bytes (sent Base64-encoded in `wsse:Nonce`), `created` the
//! exact text of `wsu:Created` and `password` its UTF-8 bytes. ONVIF devices require both Nonce
//! and Created, and reject a `Created` outside their replay window, so `created` must be the
//! device's time (our time plus the offset measured with GetSystemDateAndTime).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, SecondsFormat, Utc};
use sha1::{Digest as _, Sha1};

use super::Credentials;
use crate::soap::ns;
use crate::soap::xml::escape;

/// One UsernameToken, ready to be written into a request header.
///
/// Holds the digest, never the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsernameToken {
    /// `wsse:Username`.
    pub username: String,
    /// `wsse:Password` (Type PasswordDigest): Base64 of the SHA-1 digest.
    pub digest: String,
    /// `wsse:Nonce`: Base64 of the nonce bytes.
    pub nonce: String,
    /// `wsu:Created`, exactly as signed (`2024-01-01T00:00:00Z`).
    pub created: String,
}

impl UsernameToken {
    /// Signs a token for `credentials` with `nonce` bytes at `created` (device time, UTC).
    pub fn new(credentials: &Credentials, nonce: &[u8], created: DateTime<Utc>) -> Self {
        let created = format_created(created);
        Self {
            username: credentials.username.clone(),
            digest: password_digest(nonce, &created, &credentials.password),
            nonce: BASE64.encode(nonce),
            created,
        }
    }

    /// The `wsse:Security` header block, namespaces declared on it. `env:mustUnderstand`
    /// relies on the `env` prefix that [`envelope()`](crate::soap::envelope()) declares on the Envelope.
    pub fn header_xml(&self) -> String {
        format!(
            concat!(
                r#"<wsse:Security xmlns:wsse="{wsse}" xmlns:wsu="{wsu}" env:mustUnderstand="true">"#,
                "<wsse:UsernameToken>",
                "<wsse:Username>{user}</wsse:Username>",
                r#"<wsse:Password Type="{ptype}">{digest}</wsse:Password>"#,
                r#"<wsse:Nonce EncodingType="{etype}">{nonce}</wsse:Nonce>"#,
                "<wsu:Created>{created}</wsu:Created>",
                "</wsse:UsernameToken></wsse:Security>"
            ),
            wsse = ns::WSSE,
            wsu = ns::WSU,
            user = escape(&self.username),
            ptype = ns::PASSWORD_DIGEST,
            digest = self.digest,
            etype = ns::BASE64_BINARY,
            nonce = self.nonce,
            created = self.created,
        )
    }
}

/// `Base64(SHA-1(nonce + created + password))`.
pub fn password_digest(nonce: &[u8], created: &str, password: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(nonce);
    sha.update(created.as_bytes());
    sha.update(password.as_bytes());
    BASE64.encode(sha.finalize())
}

/// `wsu:Created` text: UTC, whole seconds, `Z` (the form in the ONVIF programmer's guide; some
/// firmware rejects fractional seconds or offsets).
pub fn format_created(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::envelope::envelope;
    use crate::soap::xml;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn guide_nonce() -> Vec<u8> {
        BASE64.decode("LKqI6G/AikKCQrN0zqZFlg==").unwrap()
    }

    #[test]
    fn onvif_programmers_guide_vector() {
        let creds = Credentials::new("user", "userpassword");
        let t = UsernameToken::new(&creds, &guide_nonce(), at("2010-09-16T07:50:45Z"));
        assert_eq!(t.created, "2010-09-16T07:50:45Z");
        assert_eq!(t.nonce, "LKqI6G/AikKCQrN0zqZFlg==");
        assert_eq!(t.digest, "tuOSpGlFlIXsozq4HFNeeGeFLEI=");
    }

    #[test]
    fn operations_md_2024_vector() {
        let creds = Credentials::new("admin", "secret");
        let t = UsernameToken::new(&creds, &guide_nonce(), at("2024-01-01T00:00:00Z"));
        assert_eq!(t.digest, "E7w80E4kQ4LrtxgwTUj2KMyOYHg=");
    }

    #[test]
    fn created_is_utc_whole_seconds_with_z() {
        let t = at("2024-03-10T01:02:03.987654+02:00");
        assert_eq!(format_created(t), "2024-03-09T23:02:03Z");
    }

    #[test]
    fn header_is_well_formed_and_escapes_the_username() {
        let creds = Credentials::new(r#"o'brien<&>"x"#, "pw");
        let t = UsernameToken::new(&creds, &guide_nonce(), at("2024-01-01T00:00:00Z"));
        let doc = envelope(Some(&t.header_xml()), "<a:B xmlns:a=\"urn:a\"/>");
        let root = xml::parse(doc.as_bytes()).unwrap();
        let sec = root.path(&["Header", "Security"]).unwrap();
        assert!(sec.is_ns(ns::WSSE, "Security"));
        let must = sec
            .attrs
            .iter()
            .find(|a| a.name == "mustUnderstand")
            .unwrap();
        assert_eq!(must.ns.as_deref(), Some(ns::SOAP12));
        assert_eq!(must.value, "true");
        let tok = sec.child("UsernameToken").unwrap();
        assert_eq!(tok.child("Username").unwrap().text, r#"o'brien<&>"x"#);
        let pw = tok.child("Password").unwrap();
        assert_eq!(pw.attr("Type"), Some(ns::PASSWORD_DIGEST));
        assert_eq!(pw.text, t.digest);
        assert_eq!(
            tok.child("Nonce").unwrap().attr("EncodingType"),
            Some(ns::BASE64_BINARY)
        );
        let created = tok.child("Created").unwrap();
        assert!(created.is_ns(ns::WSU, "Created"));
        assert_eq!(created.text, "2024-01-01T00:00:00Z");
        assert!(!doc.contains(">pw<"));
    }
}
